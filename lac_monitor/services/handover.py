"""Gathering handover sheets and missing-person profiles from the database, and auditing prints.

Everything here is read in one short read session and returned as frozen values (they
are the plain values of `domain/report_data.py`); the reports turn them into PDF bytes. Printing
is audited separately by `record_print`, once the sheet has actually been produced.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from lac_monitor.domain import access, fields
from lac_monitor.domain.access import Permission
from lac_monitor.domain.alerts import Severity, shown_message
from lac_monitor.domain.clock import Clock
from lac_monitor.domain.codes import ETHNIC, PLACE, SEX, RiskFlag, RiskGrade
from lac_monitor.domain.errors import AccessRefusedError, NotFoundError, ValidationError
from lac_monitor.domain.ladder import Ladder
from lac_monitor.domain.localtime import council_tz, local_date, to_local
from lac_monitor.domain.records import PROFILE_VIEW_FIELDS, ProfileView
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
from lac_monitor.storage.schema import (
    Alert,
    AuditLog,
    CareEpisode,
    Child,
    MissingEpisode,
    PhilomenaProfile,
    Rhi,
    RhiEpisode,
    RiskFlagRow,
    Staff,
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
        if not ladder.is_office_day(day):  # weekends and bank holidays have no shift change
            continue
        for t in (ladder.office_start, ladder.office_end):
            out.append(datetime.combine(day, t, tzinfo=tz))
    return sorted(out)


def last_shift(now: datetime, ladder: Ladder, just_ended: timedelta = JUST_ENDED) -> tuple[datetime, datetime]:
    """The shift being handed over: the one on now, or the one that ended less than four
    hours ago.

    At 01:34 or 08:30 that is 17:00 yesterday to 08:45 today (the night shift on now); at
    noon still the night shift (it ended three hours ago); at 16:30 the day shift; at 18:00
    the day shift that just ended. A weekend window runs from Friday 17:00 to Monday 08:45,
    and a bank holiday counts as a weekend day (only office days have shift changes; office
    days and bank holidays are set in the escalation settings).
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


@dataclass(frozen=True)
class _Sheet:
    """What every section of one sheet reads: the session, the window, the scope, the board rows
    of the children it names (restricted children not the reader's to see left out)."""

    s: Session
    now: datetime
    start: datetime
    end: datetime
    next_end: datetime
    ladder: Ladder
    team_id: int | None
    locality: str | None
    hidden: frozenset[str]
    board: dict[str, BoardRow]

    def name(self, cid: str) -> str:
        row = self.board.get(cid)
        return row.display_name if row else cid

    def worker(self, cid: str) -> str | None:
        row = self.board.get(cid)
        return row.social_worker if row else None


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
    """Everything the handover sheet prints, read at one clock time (`clock.now()`): one
    query per section, in one read session."""
    if not access.may(actor.role, Permission.READ_REGISTER):
        raise AccessRefusedError(access.refusal(actor.role, Permission.READ_REGISTER))
    if end <= start:
        raise ValidationError("to", "the end of the window must be after its start")
    notes = fields.clean("handover.notes", notes)
    locality = fields.clean("handover.locality", locality)
    ladder = ladder or load_ladder(db)
    labels = load_risk_flags(db)
    now = clock.now()
    with db.read_session() as s:
        scope = _scope_label(s, team_id, locality)
        hidden = frozenset(hidden_for(s, actor, now, ladder))  # restricted children not theirs to see
        base = _Sheet(s, now, start, end, next_shift_end(end, ladder), ladder, team_id, locality, hidden, {})
        touching = _episodes_touching(base)
        rhi_due = _rhi_due(base)
        alert_rows = _alert_rows(base)
        named = {r[0] for r in touching} | {cid for cid, _ in rhi_due} | {r[4] for r in alert_rows if r[4]}
        rows = load_board(s, now, child_ids=_away_now(base) | named, rhi_hours=int(ladder.rhi_hours), hidden=hidden)
        sheet = replace(base, board={r.child_id: r for r in rows})
        out = [
            r for r in rows if r.status in (ChildStatus.MISSING, ChildStatus.AWAY) and _in_scope(r, team_id, locality)
        ]
        reported = _reported_at(s, out)
        high_ids = sorted(r.child_id for r in out if r.risk == RiskGrade.HIGH) if profiles else []
        missing = _missing_lines(sheet, out, reported, set(high_ids))
        ended, returns = _ended(sheet, touching), _returns(sheet, touching)
        escalations = sorted(
            _threshold_escalations(sheet, out, reported) + _rhi_escalations(sheet, rhi_due),
            key=lambda e: (e.due_at, e.child_id),
        )
        alerts, info_count = _alerts(sheet, alert_rows)
        profile_data = tuple(_profiles(s, high_ids, now, actor, labels))
    return HandoverData(
        printed_at=now,
        printed_by=actor.label,
        start=start,
        end=end,
        next_shift_end=sheet.next_end,
        scope=scope,
        notes=notes,
        started_count=sum(1 for r in touching if start <= r[2] < end),
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


def _away_now(sheet: _Sheet) -> set[str]:
    """Children with an episode open at `now`: the only ones the board can show missing or away."""
    q = select(MissingEpisode.child_id).where(
        MissingEpisode.started_at <= sheet.now,
        or_(MissingEpisode.returned_at.is_(None), MissingEpisode.returned_at > sheet.now),
    )
    return set(sheet.s.scalars(q))


def _reported_at(s: Session, out: Sequence[BoardRow]) -> dict[int, datetime]:
    """When each open episode was reported (the police-reference chase counts from it)."""
    reported: dict[int, datetime] = {}
    for chunk in _chunks([r.episode_id for r in out if r.episode_id is not None], 500):
        q = select(MissingEpisode.id, MissingEpisode.reported_at).where(MissingEpisode.id.in_(chunk))
        reported.update({ep_id: at for ep_id, at in s.execute(q)})
    return reported


def _missing_lines(
    sheet: _Sheet, out: Sequence[BoardRow], reported: dict[int, datetime], with_profile: set[str]
) -> list[MissingLine]:
    """Section 1: everyone missing or away now, with their placement and what is due next."""
    placements = _placements(sheet.s, [r.child_id for r in out])
    lines = []
    for r in out:
        assert r.missing_since is not None and r.category is not None
        rep = reported.get(r.episode_id) if r.episode_id is not None else None
        what, due = _next_due(r.missing_since, r.police_ref, sheet.now, sheet.ladder, rep)
        lines.append(
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
                profile_included=r.child_id in with_profile,
                last_name=r.last_name,
                first_name=r.first_name,
            )
        )
    return lines


_Touching = tuple[
    str,
    str,
    datetime,
    datetime | None,
    str | None,
    str | None,
    str | None,
    datetime | None,
    datetime | None,
    datetime | None,
    datetime | None,
    datetime | None,
    str | None,
]


def _episodes_touching(sheet: _Sheet) -> list[_Touching]:
    """Episodes that started or ended in the window (with their RHI), oldest first."""
    q = _scoped(
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
            MissingEpisode.started_at <= sheet.now,
            or_(
                and_(MissingEpisode.started_at >= sheet.start, MissingEpisode.started_at < sheet.end),
                and_(MissingEpisode.returned_at >= sheet.start, MissingEpisode.returned_at <= sheet.end),
            ),
        ),
        sheet.team_id,
        sheet.locality,
    )
    return [tuple(r) for r in sheet.s.execute(q.order_by(MissingEpisode.started_at)) if r[0] not in sheet.hidden]  # type: ignore[misc]


def _ended(sheet: _Sheet, touching: Sequence[_Touching]) -> list[EndedLine]:
    """Section 2: episodes that both started and ended within the window."""
    out = [
        EndedLine(cid, sheet.name(cid), cat, began, back, risk, ref, found)
        for cid, cat, began, back, risk, ref, found, *_ in touching
        if back is not None and back <= sheet.now and sheet.start <= began and back <= sheet.end
    ]
    return sorted(out, key=lambda e: e.started_at)


def _returns(sheet: _Sheet, touching: Sequence[_Touching]) -> list[ReturnLine]:
    """Section 3: returns within the window, with where the return interview stands."""
    span = timedelta(hours=sheet.ladder.rhi_hours)
    out = []
    for cid, cat, _began, back, _risk, _ref, found, safe, offered, accepted, declined, completed, code in touching:
        if back is None or back > sheet.now or not sheet.start <= back <= sheet.end:
            continue
        status, at = _rhi_state(offered, accepted, declined, completed, sheet.now)
        if status == "completed" and offered is None and code:
            status = code  # not offered (missing again, no contact, other) or not applicable
        out.append(ReturnLine(cid, sheet.name(cid), cat, back, found, back + span, status, at, safe, sheet.worker(cid)))
    return sorted(out, key=lambda r: r.returned_at)


def _threshold_escalations(
    sheet: _Sheet, out: Sequence[BoardRow], reported: dict[int, datetime]
) -> list[EscalationLine]:
    """Section 4a: the chases and thresholds of the children missing now that fall due next shift."""
    lines = []
    for r in out:
        assert r.missing_since is not None
        rep = reported.get(r.episode_id) if r.episode_id is not None else None
        for at, what in _due_items(r.missing_since, r.police_ref, sheet.ladder, rep):
            if sheet.end <= at < sheet.next_end:
                if at <= sheet.now:
                    what = f"{what} (OVERDUE)"
                lines.append(EscalationLine(r.child_id, r.display_name, at, what, r.category, r.risk, r.social_worker))
    return lines


def _rhi_due(sheet: _Sheet) -> list[tuple[str, datetime]]:
    """Returns whose interview falls due next shift and has not been offered."""
    span = timedelta(hours=sheet.ladder.rhi_hours)
    q = _scoped(
        select(MissingEpisode.child_id, MissingEpisode.returned_at)
        .join(Child, Child.id == MissingEpisode.child_id)
        .outerjoin(RhiEpisode, RhiEpisode.episode_id == MissingEpisode.id)
        .outerjoin(Rhi, Rhi.id == RhiEpisode.rhi_id)
        .where(
            MissingEpisode.returned_at >= sheet.end - span,
            MissingEpisode.returned_at < sheet.next_end - span,
            MissingEpisode.returned_at <= sheet.now,
            or_(
                Rhi.id.is_(None),
                and_(Rhi.offered_at.is_(None), Rhi.completed_at.is_(None), Rhi.declined_at.is_(None)),
            ),
        ),
        sheet.team_id,
        sheet.locality,
    )
    return [(cid, back) for cid, back in sheet.s.execute(q) if cid not in sheet.hidden]


def _rhi_escalations(sheet: _Sheet, due: Sequence[tuple[str, datetime]]) -> list[EscalationLine]:
    """Section 4b: return interviews to be offered next shift."""
    hours = sheet.ladder.rhi_hours
    what = f"RHI to be offered ({hours:g} h after return)"
    span = timedelta(hours=hours)
    return [EscalationLine(cid, sheet.name(cid), back + span, what, None, None, sheet.worker(cid)) for cid, back in due]


_AlertRow = tuple[datetime, str, str, str, str | None, datetime | None, bool]


def _alert_rows(sheet: _Sheet) -> list[_AlertRow]:
    """Unacknowledged, unresolved alerts raised by `now`, newest first."""
    q = select(
        Alert.raised_at, Alert.severity, Alert.rule, Alert.message, Alert.child_id, Alert.due_at, Alert.late
    ).where(Alert.acknowledged_at.is_(None), Alert.resolved_at.is_(None), Alert.raised_at <= sheet.now)
    if sheet.team_id is not None or sheet.locality is not None:
        q = _scoped(q.join(Child, Child.id == Alert.child_id), sheet.team_id, sheet.locality)
    return [tuple(r) for r in sheet.s.execute(q.order_by(Alert.raised_at.desc())) if r[4] not in sheet.hidden]  # type: ignore[misc]


def _alerts(sheet: _Sheet, rows: Sequence[_AlertRow]) -> tuple[list[AlertLine], int]:
    """Section 5: warning and high alerts listed; information alerts only counted (the sheet
    stays about what needs doing)."""
    lines = [
        AlertLine(at, sev, rule, shown_message(msg, late, due, at), cid, sheet.name(cid) if cid else None, due)
        for at, sev, rule, msg, cid, due, late in rows
        if sev != Severity.INFO
    ]
    return lines, len(rows) - len(lines)


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


_PROFILE_COLS = (PhilomenaProfile.child_id, *(getattr(PhilomenaProfile, name) for name in PROFILE_VIEW_FIELDS))
_EPISODE_COLS = (
    MissingEpisode.child_id,
    MissingEpisode.category,
    MissingEpisode.started_at,
    MissingEpisode.returned_at,
    MissingEpisode.reported_by,
    MissingEpisode.police_ref,
    MissingEpisode.risk_grade,
    MissingEpisode.last_seen_where,
    MissingEpisode.last_seen_with,
    MissingEpisode.last_seen_wearing,
    MissingEpisode.circumstances,
    MissingEpisode.found_where,
)
_PLACEMENT_COLS = (
    CareEpisode.child_id,
    CareEpisode.placement_name,
    CareEpisode.place,
    CareEpisode.placement_address,
    CareEpisode.pl_post,
    CareEpisode.carer_name,
    CareEpisode.carer_phone,
)


def _profiles(
    s: Session, ids: Sequence[str], now: datetime, actor: Actor, flag_labels: dict[str, str]
) -> list[ProfileData]:
    """The missing-person profiles of `ids` (in that order): five queries for any number of children."""
    today = local_date(now)
    worker = aliased(Staff)
    children: dict[str, Any] = {}
    placement: dict[str, Any] = {}
    prof: dict[str, Any] = {}
    flags: dict[str, list[FlagLine]] = defaultdict(list)
    episodes: dict[str, list[Any]] = defaultdict(list)
    for chunk in _chunks(ids, 500):
        cq = (
            select(Child, worker.display_name, worker.phone, Team.name)
            .outerjoin(worker, worker.id == Child.social_worker_id)
            .outerjoin(Team, Team.id == Child.team_id)
            .where(Child.id.in_(chunk))
        )
        children.update({row[0].id: row for row in s.execute(cq)})
        pq = select(*_PLACEMENT_COLS).where(CareEpisode.child_id.in_(chunk), CareEpisode.dec.is_(None))
        placement.update({r[0]: r for r in s.execute(pq.order_by(CareEpisode.decom, CareEpisode.id))})  # newest wins
        prof.update({r[0]: r for r in s.execute(select(*_PROFILE_COLS).where(PhilomenaProfile.child_id.in_(chunk)))})
        fq = select(RiskFlagRow.child_id, RiskFlagRow.flag, RiskFlagRow.since).where(
            RiskFlagRow.child_id.in_(chunk),
            RiskFlagRow.since <= today,
            or_(RiskFlagRow.ended_on.is_(None), RiskFlagRow.ended_on > today),
        )
        for cid, flag, since in s.execute(fq.order_by(RiskFlagRow.since, RiskFlagRow.id)):
            # a council's own flag prints by its label (the national ones the report labels itself)
            flags[cid].append(FlagLine(flag if flag in _NATIONAL_FLAGS else flag_labels.get(flag, flag), since))
        eq = select(*_EPISODE_COLS).where(MissingEpisode.child_id.in_(chunk), MissingEpisode.started_at <= now)
        for r in s.execute(eq.order_by(MissingEpisode.started_at.desc(), MissingEpisode.id.desc())):
            episodes[r[0]].append(r)
    return [
        _profile(
            children[cid], placement.get(cid), prof.get(cid), flags.get(cid, []), episodes.get(cid, []), now, actor
        )
        for cid in ids
        if cid in children
    ]


def _profile(
    child_row: Any, pl: Any, pr: Any, flags: list[FlagLine], eps: list[Any], now: datetime, actor: Actor
) -> ProfileData:
    child, worker_name, worker_phone, team = child_row
    open_ep = next((e for e in eps if e[3] is None), None)
    episode = CurrentEpisode(open_ep[1], open_ep[2], *open_ep[4:11]) if open_ep is not None else None
    return ProfileData(
        child_id=child.id,
        first_name=child.first_name,
        last_name=child.last_name,
        preferred_name=child.preferred_name,
        dob=child.dob,
        age=age_on(child.dob, local_date(now)),
        sex=SEX.get(child.sex, child.sex),
        ethnicity=ETHNIC.get(child.ethnicity, child.ethnicity),
        photo=child.photo,
        profile=ProfileView(*pr[1:]) if pr else None,
        flags=tuple(flags),
        placement_name=pl[1] if pl else None,
        placement_type=PLACE.get(pl[2], pl[2]) if pl else None,
        placement_address=pl[3] if pl else None,
        placement_postcode=pl[4] if pl else None,
        carer_name=pl[5] if pl else None,
        carer_phone=pl[6] if pl else None,
        worker=worker_name,
        worker_phone=worker_phone,
        team=team,
        locality=child.locality,
        episode=episode,
        history=tuple(HistoryLine(e[2], e[3], e[1], e[6], e[11]) for e in eps if e is not open_ep),
        printed_at=now,
        printed_by=actor.label,
    )


def build_profile(db: Database, clock: Clock, actor: Actor, child_id: str) -> ProfileData:
    """One child's missing-person profile as at `clock.now()`. NotFoundError for an unknown id."""
    labels = load_risk_flags(db)
    if not (access.may(actor.role, Permission.READ_REGISTER) or access.may(actor.role, Permission.READ_MISSING)):
        raise AccessRefusedError(access.refusal(actor.role, Permission.READ_REGISTER))
    with db.read_session() as s:
        now = clock.now()
        if not access.may(actor.role, Permission.READ_REGISTER):  # the police liaison
            rows = load_board(s, now, child_ids=[child_id])
            if not rows or not access.police_may_see(rows[0].status.value, rows[0].returned_at, now):
                raise AccessRefusedError(
                    f"Child {child_id} is not missing or away, and has not come back in the last "
                    f"{access.POLICE_RECENT_DAYS} days: the police liaison sees only those children."
                )
        require_visible(s, actor, child_id, now, load_ladder(db))
        found = _profiles(s, [child_id], now, actor, labels)
        if not found:
            raise NotFoundError("Child", child_id)
        return found[0]


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
