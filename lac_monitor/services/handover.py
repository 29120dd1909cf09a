"""Gathering handover sheets and missing-person profiles from the database, and auditing prints.

Everything here is read in one short read session and returned as frozen values (they
are the plain values of `domain/report_data.py`); the reports turn them into PDF bytes. Printing
is audited separately by `record_print`, once the sheet has actually been produced.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from lac_monitor.domain import access, fields
from lac_monitor.domain.access import Permission
from lac_monitor.domain.alerts import Severity, shown_message
from lac_monitor.domain.clock import Clock
from lac_monitor.domain.codes import ETHNIC, PLACE, SEX, RiskFlag, RiskGrade
from lac_monitor.domain.errors import AccessRefusedError, NotFoundError, ValidationError
from lac_monitor.domain.ladder import Ladder
from lac_monitor.domain.localtime import council_tz, local_date, to_local
from lac_monitor.domain.records import ChildDetail
from lac_monitor.domain.report_data import (
    AlertLine,
    CurrentEpisode,
    EndedLine,
    EscalationLine,
    FlagLine,
    HandoverData,
    HistoryLine,
    MissingLine,
    ProfileData,
    ReturnLine,
)
from lac_monitor.domain.status import ChildStatus, age_on
from lac_monitor.domain.values import BoardRow
from lac_monitor.services.settings import load_ladder, load_risk_flags
from lac_monitor.services.uow import Actor, UnitOfWork
from lac_monitor.services.visibility import hidden_for, require_visible
from lac_monitor.storage.board import load_board
from lac_monitor.storage.database import Database
from lac_monitor.storage.queries import child_detail
from lac_monitor.storage.schema import (
    Alert,
    AuditLog,
    CareEpisode,
    Child,
    MissingEpisode,
    Rhi,
    RhiEpisode,
    Team,
)

log = logging.getLogger(__name__)
_T = TypeVar("_T")

HANDOVER_ACTION = "report.handover"
PROFILE_ACTION = "report.profile"
JUST_ENDED = timedelta(hours=4)  # within this of a shift change, the sheet is for the shift that ended
LAST_PRINT_MAX = timedelta(days=7)  # "same window as my last sheet" (a reprint) looks back this far


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime
    reason: str  # "last shift" | "current shift" | "your last sheet" | "as asked"


# -- the window -------------------------------------------------------------------------------
def _boundaries(now: datetime, ladder: Ladder, days: int = 10) -> list[datetime]:
    """Shift changes (office start and end on office days) around `now`, oldest first."""
    tz = council_tz()
    today = to_local(now).date()
    out = []
    for back in range(days, -5, -1):  # a few days ahead too: Saturday's shift ends on Monday
        day = today - timedelta(days=back)
        if day.weekday() not in ladder.office_days:
            continue
        for t in (ladder.office_start, ladder.office_end):
            out.append(datetime.combine(day, t, tzinfo=tz))
    return sorted(out)


def last_shift(now: datetime, ladder: Ladder, just_ended: timedelta = JUST_ENDED) -> tuple[datetime, datetime]:
    """The shift being handed over: the one on now, or the one that ended less than four
    hours ago.

    At 01:34 or 08:30 that is 17:00 yesterday to 08:45 today (the night shift on now); at
    noon still the night shift (it ended three hours ago); at 16:30 the day shift; at 18:00
    the day shift that just ended. A weekend window runs from Friday 17:00 to Monday 08:45
    (only office days have shift changes; office days are set in the escalation settings).
    """
    bounds = _boundaries(now, ladder)
    started = [b for b in bounds if b <= now]
    start = started[-1]
    i = bounds.index(start)
    if now - start < just_ended or i + 1 >= len(bounds):
        return bounds[i - 1].astimezone(UTC), start.astimezone(UTC)
    return start.astimezone(UTC), bounds[i + 1].astimezone(UTC)


def default_window(db: Database, actor: Actor, now: datetime, ladder: Ladder | None = None) -> Window:
    """The shift on now or just ended (see `last_shift`), whatever was printed before: a
    second print (after a paper jam) is offered the same window by `last_printed_window`."""
    ladder = ladder or load_ladder(db)
    start, end = last_shift(now, ladder)
    return Window(start, end, "current shift" if end > now else "last shift")


def last_printed_window(db: Database, actor: Actor, now: datetime) -> Window | None:
    """The window of this person's last handover sheet (within a week), for a reprint."""
    with db.read_session() as s:
        detail = s.scalar(
            select(AuditLog.detail)
            .where(
                AuditLog.action == HANDOVER_ACTION,
                AuditLog.username == actor.username,
                AuditLog.at <= now,
                AuditLog.at >= now - LAST_PRINT_MAX,
            )
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
            .limit(1)
        )
    if not detail:
        return None
    try:
        window = json.loads(detail)["window"]
        return Window(datetime.fromisoformat(window["from"]), datetime.fromisoformat(window["to"]), "your last sheet")
    except (ValueError, KeyError, TypeError):
        return None


def next_shift_end(end: datetime, ladder: Ladder, minimum: timedelta = timedelta(hours=1)) -> datetime:
    """The end of the shift that takes over at `end`: the next shift change at least an hour on."""
    for b in _boundaries(end + timedelta(days=5), ladder, days=12):
        if b >= end + minimum:
            return b.astimezone(UTC)
    return end + timedelta(hours=12)  # no office days configured


# -- gathering --------------------------------------------------------------------------------
def _in_scope(row: BoardRow, team_id: int | None, locality: str | None) -> bool:
    if team_id is not None and row.team_id != team_id:
        return False
    return locality is None or (row.locality or "").casefold() == locality.casefold()


def _scope_label(s: Session, team_id: int | None, locality: str | None) -> str:
    parts = []
    if team_id is not None:
        name = s.scalar(select(Team.name).where(Team.id == team_id))
        if name is None:
            raise NotFoundError("Team", str(team_id))
        parts.append(f"Team: {name}")
    if locality is not None:
        parts.append(f"Locality: {locality}")
    return " · ".join(parts) or "All children"


_THRESHOLD_WHAT = {
    "missing_24h": "manager review",
    "missing_48h": "strategy meeting",
    "missing_72h": "head of service informed",
}


def _due_items(
    since: datetime, police_ref: str | None, ladder: Ladder, reported: datetime | None = None
) -> list[tuple[datetime, str]]:
    """The chase counts from the report (as the alert does); the thresholds from the start."""
    items = []
    if not police_ref:
        items.append(((reported or since) + timedelta(hours=ladder.police_ref_chase_hours), "Chase police reference"))
    for rule, hours in ladder.missing_thresholds():
        items.append((since + timedelta(hours=hours), f"{hours:g} h: {_THRESHOLD_WHAT.get(rule, rule)}"))
    return items


def _next_due(
    since: datetime, police_ref: str | None, now: datetime, ladder: Ladder, reported: datetime | None = None
) -> tuple[str | None, datetime | None]:
    """The chase if there is still no police reference (even overdue), else the next threshold."""
    items = _due_items(since, police_ref, ladder, reported)
    pending = [(at, what) for at, what in items if at > now or what.startswith("Chase")]
    if not pending:
        return "Every threshold passed: keep under review", None
    at, what = min(pending)
    return what, at


def _rhi_state(
    offered: datetime | None,
    accepted: datetime | None,
    declined: datetime | None,
    completed: datetime | None,
    now: datetime,
) -> tuple[str, datetime | None]:
    for status, at in (("completed", completed), ("declined", declined), ("accepted", accepted), ("offered", offered)):
        if at is not None and at <= now:
            return status, at
    return "not_offered", None


def _scoped(q, team_id: int | None, locality: str | None):  # type: ignore[no-untyped-def]
    if team_id is not None:
        q = q.where(Child.team_id == team_id)
    if locality is not None:
        q = q.where(func.lower(Child.locality) == locality.lower())
    return q


def build_handover(
    db: Database,
    clock: Clock,
    actor: Actor,
    start: datetime,
    end: datetime,
    *,
    team_id: int | None = None,
    locality: str | None = None,
    notes: str | None = None,
    ladder: Ladder | None = None,
    profiles: bool = True,
) -> HandoverData:
    """Everything the handover sheet prints, read at one clock time (`clock.now()`)."""
    if not access.may(actor.role, Permission.READ_REGISTER):
        raise AccessRefusedError(access.refusal(actor.role, Permission.READ_REGISTER))
    if end <= start:
        raise ValidationError("to", "the end of the window must be after its start")
    notes = fields.clean("handover.notes", notes)
    locality = fields.clean("handover.locality", locality)
    ladder = ladder or load_ladder(db)
    now = clock.now()
    next_end = next_shift_end(end, ladder)
    rhi_span = timedelta(hours=ladder.rhi_hours)
    with db.read_session() as s:
        scope = _scope_label(s, team_id, locality)
        hidden = hidden_for(s, actor, now, ladder)  # restricted children not theirs to see
        board = {r.child_id: r for r in load_board(s, now, rhi_hours=int(ladder.rhi_hours), hidden=hidden)}
        out = [
            r
            for r in board.values()
            if r.status in (ChildStatus.MISSING, ChildStatus.AWAY) and _in_scope(r, team_id, locality)
        ]
        placements = _placements(s, [r.child_id for r in out])

        def name(cid: str) -> str:
            row = board.get(cid)
            return row.display_name if row else cid

        def worker(cid: str) -> str | None:
            row = board.get(cid)
            return row.social_worker if row else None

        high_ids = {r.child_id for r in out if r.risk == RiskGrade.HIGH} if profiles else set()
        ep_ids = [r.episode_id for r in out if r.episode_id is not None]
        reported_at: dict[int, datetime] = {}
        for chunk in _chunks(ep_ids, 500):
            for ep_id, rep_at in s.execute(
                select(MissingEpisode.id, MissingEpisode.reported_at).where(MissingEpisode.id.in_(chunk))
            ):
                reported_at[ep_id] = rep_at
        missing = []
        for r in out:
            assert r.missing_since is not None and r.category is not None
            what, due = _next_due(
                r.missing_since,
                r.police_ref,
                now,
                ladder,
                reported_at.get(r.episode_id) if r.episode_id is not None else None,
            )
            missing.append(
                MissingLine(
                    child_id=r.child_id,
                    name=r.display_name,
                    dob=r.dob,
                    category=r.category,
                    since=r.missing_since,
                    risk=r.risk,
                    police_ref=r.police_ref,
                    last_seen=r.last_seen,
                    placement=placements.get(r.child_id),
                    worker=r.social_worker,
                    team=r.team,
                    next_due=what,
                    next_due_at=due,
                    flags=r.flags,
                    profile_included=r.child_id in high_ids,
                )
            )

        # Episodes touching the window: started in it, or returned in it.
        ep_q = _scoped(
            select(
                MissingEpisode.child_id,
                MissingEpisode.category,
                MissingEpisode.started_at,
                MissingEpisode.returned_at,
                MissingEpisode.risk_grade,
                MissingEpisode.police_ref,
                MissingEpisode.found_where,
                MissingEpisode.safe_well_at,
                Rhi.offered_at,
                Rhi.accepted_at,
                Rhi.declined_at,
                Rhi.completed_at,
                Rhi.outcome_code,
            )
            .join(Child, Child.id == MissingEpisode.child_id)
            .outerjoin(RhiEpisode, RhiEpisode.episode_id == MissingEpisode.id)
            .outerjoin(Rhi, Rhi.id == RhiEpisode.rhi_id)
            .where(
                MissingEpisode.started_at <= now,
                or_(
                    and_(MissingEpisode.started_at >= start, MissingEpisode.started_at < end),
                    and_(MissingEpisode.returned_at >= start, MissingEpisode.returned_at <= end),
                ),
            ),
            team_id,
            locality,
        )
        started_count = 0
        ended, returns = [], []
        for (
            cid,
            cat,
            began,
            back,
            risk,
            ref,
            found,
            safe,
            offered,
            accepted,
            declined,
            completed,
            outcome_code,
        ) in s.execute(ep_q.order_by(MissingEpisode.started_at)):
            if cid in hidden:
                continue
            if start <= began < end:
                started_count += 1
            if back is None or back > now:
                continue
            if start <= began and back <= end:
                ended.append(EndedLine(cid, name(cid), cat, began, back, risk, ref, found))
            if start <= back <= end:
                status, at = _rhi_state(offered, accepted, declined, completed, now)
                if status == "completed" and offered is None and outcome_code:
                    status = outcome_code  # not offered (missing again, no contact, other) or not applicable
                returns.append(
                    ReturnLine(cid, name(cid), cat, back, found, back + rhi_span, status, at, safe, worker(cid))
                )
        returns.sort(key=lambda r: r.returned_at)
        ended.sort(key=lambda e: e.started_at)

        escalations = []
        for r in out:
            assert r.missing_since is not None
            reported = reported_at.get(r.episode_id) if r.episode_id is not None else None
            for at, what in _due_items(r.missing_since, r.police_ref, ladder, reported):
                if end <= at < next_end:
                    if at <= now:
                        what = f"{what} (OVERDUE)"
                    escalations.append(
                        EscalationLine(r.child_id, r.display_name, at, what, r.category, r.risk, r.social_worker)
                    )
        rhi_q = _scoped(
            select(MissingEpisode.child_id, MissingEpisode.returned_at)
            .join(Child, Child.id == MissingEpisode.child_id)
            .outerjoin(RhiEpisode, RhiEpisode.episode_id == MissingEpisode.id)
            .outerjoin(Rhi, Rhi.id == RhiEpisode.rhi_id)
            .where(
                MissingEpisode.returned_at >= end - rhi_span,
                MissingEpisode.returned_at < next_end - rhi_span,
                MissingEpisode.returned_at <= now,
                or_(
                    Rhi.id.is_(None),
                    and_(Rhi.offered_at.is_(None), Rhi.completed_at.is_(None), Rhi.declined_at.is_(None)),
                ),
            ),
            team_id,
            locality,
        )
        for cid, back in s.execute(rhi_q):
            if cid in hidden:
                continue
            escalations.append(
                EscalationLine(
                    cid,
                    name(cid),
                    back + rhi_span,
                    "RHI to be offered (72 h after return)"
                    if ladder.rhi_hours == 72
                    else f"RHI to be offered ({ladder.rhi_hours:g} h after return)",
                    None,
                    None,
                    worker(cid),
                )
            )
        escalations.sort(key=lambda e: (e.due_at, e.child_id))

        alert_q = select(
            Alert.raised_at, Alert.severity, Alert.rule, Alert.message, Alert.child_id, Alert.due_at, Alert.late
        ).where(Alert.acknowledged_at.is_(None), Alert.resolved_at.is_(None), Alert.raised_at <= now)
        if team_id is not None or locality is not None:
            alert_q = _scoped(alert_q.join(Child, Child.id == Alert.child_id), team_id, locality)
        alerts: list[AlertLine] = []
        info_count = 0
        for at, sev, rule, msg, cid, due, late in s.execute(alert_q.order_by(Alert.raised_at.desc())):
            if cid in hidden:
                continue
            if sev == Severity.INFO:
                info_count += 1  # counted, not listed: the sheet stays about what needs doing
                continue
            alerts.append(
                AlertLine(at, sev, rule, shown_message(msg, late, due, at), cid, name(cid) if cid else None, due)
            )

        labels = load_risk_flags(db)
        profile_data = tuple(_profile(child_detail(s, cid), now, actor, labels) for cid in sorted(high_ids))
    return HandoverData(
        printed_at=now,
        printed_by=actor.label,
        start=start,
        end=end,
        next_shift_end=next_end,
        scope=scope,
        notes=notes,
        started_count=started_count,
        missing=tuple(missing),
        ended=tuple(ended),
        returns=tuple(returns),
        escalations=tuple(escalations),
        alerts=tuple(alerts),
        profiles=profile_data,
        team_id=team_id,
        locality=locality,
        info_alert_count=info_count,
    )


def _placements(s: Session, ids: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in _chunks(ids, 500):
        for cid, pname, place, post in s.execute(
            select(CareEpisode.child_id, CareEpisode.placement_name, CareEpisode.place, CareEpisode.pl_post).where(
                CareEpisode.child_id.in_(chunk), CareEpisode.dec.is_(None)
            )
        ):
            out[cid] = ", ".join(x for x in (pname, PLACE.get(place, place), post) if x)
    return out


_NATIONAL_FLAGS = frozenset(f.value for f in RiskFlag)


def _chunks(ids: Sequence[_T], size: int) -> Iterable[list[_T]]:
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


def _profile(d: ChildDetail, now: datetime, actor: Actor, flag_labels: dict[str, str] | None = None) -> ProfileData:
    today = local_date(now)
    place = d.current_placement
    prof = d.profile
    open_ep = d.open_episode
    episode = None
    if open_ep is not None and open_ep.started_at <= now:
        episode = CurrentEpisode(
            open_ep.category,
            open_ep.started_at,
            open_ep.reported_by,
            open_ep.police_ref,
            open_ep.risk_grade,
            open_ep.last_seen_where,
            open_ep.last_seen_with,
            open_ep.last_seen_wearing,
            open_ep.circumstances,
        )
    history = tuple(
        HistoryLine(e.started_at, e.returned_at, e.category, e.risk_grade, e.found_where)
        for e in d.episodes
        if e is not open_ep and e.started_at <= now
    )
    labels = flag_labels or {}
    # a council's own flag prints by its label (the national ones the report labels itself)
    flags = tuple(
        FlagLine(f.flag if f.flag in _NATIONAL_FLAGS else labels.get(f.flag, f.flag), f.since)
        for f in d.flags
        if f.since <= today and (f.ended_on is None or f.ended_on > today)
    )
    return ProfileData(
        child_id=d.id,
        first_name=d.first_name,
        last_name=d.last_name,
        preferred_name=d.preferred_name,
        dob=d.dob,
        age=age_on(d.dob, today),
        sex=SEX.get(d.sex, d.sex),
        ethnicity=ETHNIC.get(d.ethnicity, d.ethnicity),
        photo=d.photo,
        description=prof.description if prof else None,
        associates=prof.associates if prof else None,
        places_likely=prof.places_likely if prof else None,
        phone=prof.phone if prof else None,
        social_media=prof.social_media if prof else None,
        medical_needs=prof.medical_needs if prof else None,
        other_info=prof.other_info if prof else None,
        profile_updated_at=prof.updated_at if prof else None,
        profile_updated_by=prof.updated_by if prof else None,
        flags=flags,
        placement_name=place.placement_name if place else None,
        placement_type=PLACE.get(place.place, place.place) if place else None,
        placement_address=place.placement_address if place else None,
        placement_postcode=place.pl_post if place else None,
        carer_name=place.carer_name if place else None,
        carer_phone=place.carer_phone if place else None,
        worker=d.social_worker,
        worker_phone=d.social_worker_phone,
        team=d.team,
        locality=d.locality,
        episode=episode,
        history=history,
        printed_at=now,
        printed_by=actor.label,
    )


def build_profile(db: Database, clock: Clock, actor: Actor, child_id: str) -> ProfileData:
    """One child's missing-person profile as at `clock.now()`. NotFoundError for an unknown id."""
    labels = load_risk_flags(db)
    if not (access.may(actor.role, Permission.READ_REGISTER) or access.may(actor.role, Permission.READ_MISSING)):
        raise AccessRefusedError(access.refusal(actor.role, Permission.READ_REGISTER))
    with db.read_session() as s:
        if not access.may(actor.role, Permission.READ_REGISTER):  # the police liaison
            now = clock.now()
            rows = load_board(s, now, child_ids=[child_id])
            if not rows or not access.police_may_see(rows[0].status.value, rows[0].returned_at, now):
                raise AccessRefusedError(
                    f"Child {child_id} is not missing or away, and has not come back in the last "
                    f"{access.POLICE_RECENT_DAYS} days: the police liaison sees only those children."
                )
        require_visible(s, actor, child_id, clock.now(), load_ladder(db))
        return _profile(child_detail(s, child_id), clock.now(), actor, labels)


# -- the print audit --------------------------------------------------------------------------
def record_print(
    db: Database, clock: Clock, actor: Actor, what: HandoverData | ProfileData, *, output: str, pages: int | None = None
) -> None:
    """Audit who printed what, for which children ('report.handover' / 'report.profile').

    `output` says where it went: "pdf:<file name>", "printer:<name>", "scheduled:<file>".
    """
    with UnitOfWork(db, actor, clock) as uow:
        if isinstance(what, HandoverData):
            uow.audit(
                HANDOVER_ACTION,
                "report",
                "handover",
                None,
                children=list(what.child_ids),
                profiles=list(what.profile_ids),
                missing=[m.child_id for m in what.missing],
                window={"from": what.start.isoformat(), "to": what.end.isoformat()},
                scope=what.scope,
                team_id=what.team_id,
                locality=what.locality,
                printed_at=what.printed_at,
                output=output,
                pages=pages,
            )
        else:
            uow.audit(
                PROFILE_ACTION,
                "report",
                "profile",
                what.child_id,
                children=[what.child_id],
                printed_at=what.printed_at,
                output=output,
                pages=pages,
            )
        uow.commit()
    log.info(
        "%s printed by %s (%s)", "handover" if isinstance(what, HandoverData) else "profile", actor.username, output
    )


def resolve_team(db: Database, text: str) -> int:
    """A team by id or by name (case-insensitive); a clear error naming the choices otherwise."""
    with db.read_session() as s:
        teams = list(s.execute(select(Team.id, Team.name)))
    for tid, tname in teams:
        if text.strip() == str(tid) or text.strip().casefold() == tname.casefold():
            return int(tid)
    choices = ", ".join(sorted(n for _, n in teams)) or "none defined"
    raise ValidationError("team", f"'{text[:60]}' is not a team (teams: {choices})")
