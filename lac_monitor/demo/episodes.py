"""Each missing episode's record and timeline (report, grade, police reference, updates,
sightings, return, safe-and-well check) and the return-home interviews that follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lac_monitor.demo import phrases, rates
from lac_monitor.demo.care import care_at
from lac_monitor.demo.draw import Draw, floor_min, pronouns
from lac_monitor.demo.records import Kid, Miss, World
from lac_monitor.domain.localtime import local_date

_GRADES = ("none", "low", "medium", "high")


@dataclass
class _Record:
    """What one episode's row says, gathered step by step."""

    owner: int
    owner_label: str
    reported: datetime
    police_at: datetime | None = None
    ref: str | None = None
    version: int = 1
    found: str | None = None
    method: str | None = None
    sw_at: datetime | None = None
    sw_by: str | None = None
    sw_notes: str | None = None


def episode_rows(w: World) -> tuple[int, int]:
    """Every missing episode, its timeline and its return-home interview; returns how many
    children are missing and away now."""
    all_eps = [ep for kid in w.kids for ep in kid.missing]
    all_eps.sort(key=lambda e: (e.start, e.kid.id))
    for i, ep in enumerate(all_eps, start=1):
        ep.id = i
    ref_seq: dict[int, int] = {}
    for ep in all_eps:
        one_episode(w, ep, ref_seq)
    w.rhi_count = sum(rhis_for(w, kid) for kid in w.kids)
    missing_now = sum(1 for e in all_eps if e.end is None and e.category == "M")
    away_now = sum(1 for e in all_eps if e.end is None and e.category == "A")
    return missing_now, away_now


def event(
    w: World,
    ep: Miss,
    kind: str,
    at: datetime,
    by: str,
    text: str | None = None,
    old: str | None = None,
    new: str | None = None,
) -> None:
    w.event_seq += 1
    recorded = min(w.now, at + timedelta(minutes=w.draw.between(rates.RECORDED_AFTER_MINUTES)))
    w.rows["episode_event"].append(
        {
            "id": w.event_seq,
            "episode_id": ep.id,
            "kind": kind,
            "at": at,
            "recorded_at": recorded,
            "recorded_by": by,
            "text": text,
            "old_value": old,
            "new_value": new,
        }
    )


def one_episode(w: World, ep: Miss, ref_seq: dict[int, int]) -> None:
    kid = ep.kid
    ce = care_at(kid, ep.start)
    if ce is None:  # cannot happen: windows are inside care; keep the rule explicit
        raise AssertionError(f"episode for {kid.id} outside care")
    dur = (ep.end or w.now) - ep.start
    rec = _report(w, ep, dur)
    _police(w, ep, rec, dur, ref_seq)
    where, with_, wearing, circ = last_seen(w, ep)
    initial, change_at = _regrading(w, ep, rec, dur)
    _opening_events(w, ep, rec, circ, initial, change_at)
    _updates(w, ep, rec, dur)
    if ep.end is not None:
        _return(w, ep, rec)
    latest = max(rec.reported, rec.police_at or rec.reported, ep.end or rec.reported, rec.sw_at or rec.reported)
    w.rows["missing_episode"].append(
        {
            "id": ep.id,
            "child_id": kid.id,
            "category": ep.category,
            "started_at": ep.start,
            "reported_at": rec.reported,
            "reported_by": phrases.REPORTER.get(ce.place.place, phrases.REPORTER_OTHER),
            "police_reported_at": rec.police_at,
            "police_ref": rec.ref,
            "risk_grade": ep.risk,
            "last_seen_where": where,
            "last_seen_with": with_,
            "last_seen_wearing": wearing,
            "circumstances": circ,
            "returned_at": ep.end,
            "found_where": rec.found,
            "return_method": rec.method,
            "safe_well_at": rec.sw_at,
            "safe_well_by": rec.sw_by,
            "safe_well_notes": rec.sw_notes,
            "owner_id": rec.owner,
            "care_episode_id": ce.id,
            "updated_at": min(w.now, latest),
            "updated_by": rec.owner_label,
            "version": rec.version,
        }
    )


def _report(w: World, ep: Miss, dur: timedelta) -> _Record:
    """Who owns the report (the worker in office hours, else often the duty team), the
    grade police gave, and when it was reported."""
    d, kid = w.draw, ep.kid
    in_office = w.ladder.is_office_hours(ep.start)
    owner = kid.worker if in_office or d.chance(rates.OWNER_WORKER_CHANCE_OUT_OF_HOURS) else d.pick(w.edt_ids)
    if ep.scenario != "out":
        base = rates.RISK_WEIGHTS[ep.category]
        if kid.cls == "frequent" or kid.flags:
            base = dict(base, high=base["high"] * rates.HIGH_RISK_BOOST)
        ep.risk = d.weighted(base)
        ep.has_ref = d.chance(rates.POLICE_REF_CHANCE[ep.category])
    after = min(timedelta(minutes=d.between(rates.REPORTED_AFTER_MINUTES)), dur * rates.REPORTED_MAX_SHARE)
    return _Record(owner, w.staff_label[owner], floor_min(min(w.now, ep.start + after)))


def _police(w: World, ep: Miss, rec: _Record, dur: timedelta, ref_seq: dict[int, int]) -> None:
    """When police were told and their log number (rising through each year)."""
    if not ep.has_ref:
        return
    d = w.draw
    after = min(timedelta(minutes=d.between(rates.POLICE_AFTER_MINUTES)), dur * rates.POLICE_MAX_SHARE)
    rec.police_at = floor_min(min(w.now, ep.start + after))
    year = local_date(rec.police_at).year
    first = d.between(rates.POLICE_LOG_START)  # drawn every time, so the draws stay in step
    ref_seq[year] = ref_seq.get(year, first) + d.between(rates.POLICE_LOG_STEP)
    rec.ref = f"LOG-{year}-{ref_seq[year]:06d}"


def _regrading(w: World, ep: Miss, rec: _Record, dur: timedelta) -> tuple[str | None, datetime | None]:
    """The grade first given, and when police changed it to the latest (the row's) grade."""
    d, live_end = w.draw, ep.end or w.now
    initial, change_at = ep.risk, None
    if ep.risk is not None and d.chance(rates.REGRADED_CHANCE) and dur > timedelta(hours=rates.REGRADED_MIN_HOURS):
        k = _GRADES.index(ep.risk)
        initial = _GRADES[k - 1] if k > 0 else _GRADES[1]
        change_at = min(w.now, rec.reported + (live_end - rec.reported) * d.uniform(rates.REGRADED_AT_SHARE))
    if ep.scenario == "out" and ep.risk == "high" and d.chance(rates.HIGH_NOW_WAS_MEDIUM_CHANCE):
        initial, change_at = (
            "medium",
            min(w.now, rec.reported + (w.now - rec.reported) * rates.HIGH_NOW_REGRADED_AT_SHARE),
        )
    if change_at is None or initial == ep.risk:
        return initial, None
    return initial, change_at


def _opening_events(
    w: World, ep: Miss, rec: _Record, circ: str, initial: str | None, change_at: datetime | None
) -> None:
    by = rec.owner_label
    event(w, ep, "reported", ep.start, by, circ, new=ep.category)
    if initial is not None:
        event(w, ep, "risk", rec.reported, by, new=initial)
    if rec.ref and rec.police_at:
        event(w, ep, "police_ref", rec.police_at, by, new=rec.ref)
    if change_at is not None:
        at = floor_min(max(change_at, rec.reported))
        event(w, ep, "risk", at, by, phrases.REGRADED, old=initial, new=ep.risk)
        rec.version += 1


def _updates(w: World, ep: Miss, rec: _Record, dur: timedelta) -> None:
    """Updates and sightings while the child is out: more the longer they are away."""
    d = w.draw
    if dur < timedelta(hours=rates.UPDATES_FROM_HOURS):
        n_updates = 0
    elif dur < timedelta(hours=rates.SEVERAL_UPDATES_FROM_HOURS):
        n_updates = 1
    else:
        n_updates = d.between(rates.SEVERAL_UPDATES)
    worker = w.staff_label[ep.kid.worker]
    for _ in range(n_updates):
        at = max(floor_min(ep.start + dur * d.uniform(rates.UPDATE_AT_SHARE)), ep.start)
        sighting = d.chance(rates.SIGHTING_CHANCE)
        by = d.pick([worker, rec.owner_label])
        text = sighting_text(w) if sighting else update_text(w)
        event(w, ep, "sighting" if sighting else "update", at, by, text)


def _return(w: World, ep: Miss, rec: _Record) -> None:
    """Where the child was found, how they came back, and the safe-and-well check."""
    assert ep.end is not None
    d = w.draw
    rec.found, rec.method = return_details(w, ep)
    event(w, ep, "returned", ep.end, rec.owner_label, rec.found)
    rec.version += 1
    if not d.chance(rates.SAFE_WELL_CHANCE):
        return
    sw_at = floor_min(ep.end + d.hours(*rates.SAFE_WELL_AFTER_HOURS))
    if sw_at > w.now:
        return
    worker = w.staff_label[ep.kid.worker]
    rec.sw_at = sw_at
    rec.sw_by = d.pick(w.police) if d.chance(rates.SAFE_WELL_BY_POLICE_CHANCE) else worker
    rec.sw_notes = d.pick(phrases.SAFE_AND_WELL).format(**pronouns(ep.kid.sex))
    event(w, ep, "safe_well", sw_at, worker, rec.sw_notes)
    rec.version += 1


# -- what is said ------------------------------------------------------------------------------------
def _fill(d: Draw, templates: list[str], **slots: str) -> str:
    """One of the templates, its slots filled. The slots are drawn before the choice (keep
    their order: it is the order of the draws)."""
    return d.pick(templates).format(**slots)


def last_seen(w: World, ep: Miss) -> tuple[str, str | None, str, str]:
    """Where, with whom and wearing what the child was last seen, and the circumstances."""
    d, kid = w.draw, ep.kid
    street = d.street()
    wearing = _wearing(d)
    they = pronouns(kid.sex)
    if ep.category == "A":
        district, town = d.pick(w.localities), d.pick(phrases.AWAY_TOWNS)
        where = _fill(d, phrases.AWAY_WHERE, district=district, street=street, town=town)
        circ = _fill(d, phrases.AWAY_CIRCUMSTANCES, **they)
    else:
        school, park = d.pick(w.localities), d.pick(w.localities)
        slots = {"street": street, "home_district": kid.locality, "school_district": school, "park_district": park}
        where = _fill(d, phrases.MISSING_WHERE, **slots)
        circ = _fill(d, phrases.MISSING_CIRCUMSTANCES, **they)
    return where, d.pick(phrases.LAST_SEEN_WITH), wearing, circ


def _wearing(d: Draw) -> str:
    top, bottoms = d.pick(phrases.TOPS), d.pick(phrases.BOTTOMS)
    shoes, extra = d.pick(phrases.SHOES), d.pick(phrases.EXTRAS)
    colour1, colour2 = d.pick(phrases.COLOURS), d.pick(phrases.COLOURS)
    return phrases.WEARING.format(colour1=colour1, top=top, colour2=colour2, bottoms=bottoms, shoes=shoes, extra=extra)


def update_text(w: World) -> str:
    return _fill(w.draw, phrases.UPDATES, district=w.draw.pick(w.localities))


def sighting_text(w: World) -> str:
    d = w.draw
    slots = {
        "district": d.pick(w.localities),
        "hour": str(d.between(phrases.SIGHTING_HOURS)),
        "minute": d.pick(phrases.SIGHTING_MINUTES),
        "park_district": d.pick(w.localities),
        "street": d.street(),
    }
    return _fill(d, phrases.SIGHTINGS, **slots)


def return_details(w: World, ep: Miss) -> tuple[str, str]:
    """Where the child was found and how they came back."""
    d = w.draw
    if ep.category == "A":
        return d.pick(phrases.AWAY_RETURNS), d.pick(phrases.AWAY_RETURN_METHODS)
    slots = {
        "district": d.pick(w.localities),
        "friend_district": d.pick(w.localities),
        "police_district": d.pick(w.localities),
        "town": d.pick(phrases.AWAY_TOWNS),
    }
    found = _fill(d, phrases.FOUND, **slots)
    method = phrases.OWN_ACCORD_METHOD if phrases.OWN_ACCORD in found else d.pick(phrases.RETURN_METHODS)
    return found, method


# -- return-home interviews ---------------------------------------------------------------------------
def rhis_for(w: World, kid: Kid) -> int:
    """The child's return-home interviews; one may cover two episodes close together."""
    d = w.draw
    eps = kid.missing
    made = 0
    pending: list[Miss] = []
    for idx, ep in enumerate(eps):
        if ep.end is None or ep.scenario in ("due", "overdue"):
            continue
        nxt = eps[idx + 1] if idx + 1 < len(eps) else None
        latest = nxt is None or nxt.scenario is not None
        if not latest and not pending and d.chance(rates.RHI_NOT_OFFERED_CHANCE):
            continue  # not offered: a compliance gap in the history
        offered = floor_min(ep.end + _offer_delay(d, late=not latest and d.chance(rates.RHI_LATE_CHANCE)))
        if not pending and _covers_next(d, ep, nxt):
            pending.append(ep)  # one interview will cover this and the next episode
            continue
        covered = [*pending, ep]
        pending = []
        if offered > w.now:
            continue
        made += 1
        _rhi(w, kid, ep, offered, covered)
    return made


def _offer_delay(d: Draw, late: bool) -> timedelta:
    if late:
        return d.hours(*rates.RHI_LATE_HOURS)
    extra = d.rng.expovariate(1 / rates.RHI_OFFER_MEAN_EXTRA_HOURS)
    return timedelta(hours=min(rates.RHI_OFFER_MAX_HOURS, rates.RHI_OFFER_BASE_HOURS + extra))


def _covers_next(d: Draw, ep: Miss, nxt: Miss | None) -> bool:
    assert ep.end is not None
    return (
        nxt is not None
        and nxt.end is not None
        and nxt.scenario is None
        and nxt.start < ep.end + timedelta(hours=rates.RHI_WINDOW_HOURS)
        and d.chance(rates.RHI_COVERS_TWO_CHANCE)
    )


def _rhi(w: World, kid: Kid, ep: Miss, offered: datetime, covered: list[Miss]) -> None:
    d = w.draw
    rid = len(w.rows["rhi"]) + 1
    offered_by = d.pick(w.rhi_workers)
    row: dict[str, Any] = {"accepted_at": None, "declined_at": None, "completed_at": None}
    row.update(completed_by=None, outcome=None, version=1)
    if d.chance(rates.RHI_ACCEPT_CHANCE):
        t = floor_min(offered + d.hours(*rates.RHI_ANSWER_HOURS))
        if t <= w.now:
            row.update(accepted_at=t, version=row["version"] + 1)
            c = floor_min(t + d.hours(*rates.RHI_COMPLETE_HOURS))
            if c <= w.now:
                outcome = d.pick(phrases.RHI_OUTCOMES)
                row.update(completed_at=c, completed_by=offered_by, version=row["version"] + 1, outcome=outcome)
    else:
        t = floor_min(offered + d.hours(*rates.RHI_DECLINE_HOURS))
        if t <= w.now:
            row.update(declined_at=t, version=row["version"] + 1)
    stamps = (offered, row["accepted_at"], row["declined_at"], row["completed_at"])
    answer = "accepted" if row["accepted_at"] else "declined" if row["declined_at"] else None
    w.rows["rhi"].append(
        {
            "id": rid,
            "child_id": kid.id,
            "offered_at": offered,
            "offered_by": offered_by,
            **row,
            "updated_at": max(x for x in stamps if x is not None),
            "updated_by": offered_by,
            "outcome_code": answer,
        }
    )
    for c_ep in covered:
        w.rows["rhi_episode"].append({"rhi_id": rid, "episode_id": c_ep.id})
        event(w, c_ep, "rhi_offered", offered, offered_by, new=str(rid))
