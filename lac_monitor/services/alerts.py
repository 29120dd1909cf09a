"""Alerts in the shared database: raised once for everyone, targeted, acknowledged.

Any desktop (or `lac-monitor alerts`) may call `evaluate()`: it reads the state the rules
need in a few queries, works out what is due (domain/alerts.py) and inserts only the alerts
whose unique key is new, with INSERT ... ON CONFLICT DO NOTHING, so however many desktops
race, each alert exists exactly once and only the desktop that inserted it writes its
change-feed row ("alert.raised"). Recipients are resolved to staff ids at raise time.
An alert raised well after its due time (nobody was evaluating) is stored with `late` set and
read back with "Raised late: due at 03:00." after its message, wherever it is shown.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.orm import Session

from lac_monitor.domain import access, fields
from lac_monitor.domain.access import Permission
from lac_monitor.domain.alerts import (
    AlertDue,
    AlertRow,
    AlertState,
    AlreadyAcknowledgedError,
    EpisodeEventFacts,
    EpisodeFacts,
    OpenAlert,
    due_alerts,
    ended_alerts,
    is_late,
    rule_label,
    shown_message,
    window_start,
)
from lac_monitor.domain.changes import AlertChanged, ChangeKind
from lac_monitor.domain.clock import Clock, SystemClock
from lac_monitor.domain.codes import StaffRole
from lac_monitor.domain.errors import AccessRefusedError, NotFoundError
from lac_monitor.domain.ladder import Audience, Ladder
from lac_monitor.services.settings import load_ladder
from lac_monitor.services.uow import Actor, UnitOfWork
from lac_monitor.storage.board import hidden_children
from lac_monitor.storage.database import Database
from lac_monitor.storage.patterns import attach_notification_facts
from lac_monitor.storage.schema import (
    Alert,
    AlertRecipient,
    Child,
    EpisodeEvent,
    MissingEpisode,
    PhilomenaProfile,
    Rhi,
    RhiEpisode,
    Staff,
)

log = logging.getLogger(__name__)

ALERT_EVENT_KINDS = ("risk", "reclassified")
KEY_CHUNK = 500
HISTORY_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class _Routing:
    """Who an episode's alerts go to: the child's worker and team, the episode owner."""

    worker_id: int | None
    team_id: int | None
    owner_id: int | None


@dataclass(frozen=True, slots=True)
class _StaffFacts:
    id: int
    role: str
    team_id: int | None


DUTY_AUDIENCE = f'%"{Audience.DUTY_TEAM.value}"%'  # in the JSON list of audiences


def to_row(a: Alert, duty_view: bool = False, ladder: Ladder | None = None) -> AlertRow:
    """`duty_view`: as a duty officer sees it. An alert addressed to the duty team stays
    open for the duty team until a duty officer acknowledges it, whoever else did."""
    try:
        audiences = tuple(str(x) for x in json.loads(a.audiences or "[]"))
    except ValueError:
        audiences = ()
    late = bool(a.late) and a.due_at is not None
    message = shown_message(a.message, late, a.due_at, a.raised_at)
    ack_at, ack_by = a.acknowledged_at, a.acknowledged_by
    if duty_view and Audience.DUTY_TEAM.value in audiences:
        ack_at, ack_by = a.duty_acknowledged_at, a.duty_acknowledged_by
    return AlertRow(
        id=a.id,
        rule=a.rule,
        unique_key=a.unique_key,
        child_id=a.child_id,
        episode_id=a.episode_id,
        severity=a.severity,
        message=message,
        audiences=audiences,
        due_at=a.due_at,
        raised_at=a.raised_at,
        raised_by=a.raised_by,
        acknowledged_at=ack_at,
        acknowledged_by=ack_by,
        ack_note=a.ack_note,
        resolved_at=a.resolved_at,
        resolved_reason=a.resolved_reason,
        late=late,
        label=rule_label(a.rule, ladder),
    )


def load_state(
    s: Session, now: datetime, ladder: Ladder, since: datetime | None = None
) -> tuple[AlertState, dict[int, _Routing]]:
    """Everything the rules read, in two queries (not one per child). Episodes closed since
    the window start are included: their thresholds may have fallen due while open."""
    since = window_start(now, ladder, since)
    history = since - timedelta(days=ladder.repeat_days + 1)  # earlier episodes, for repeats
    rhi_since = since - timedelta(hours=ladder.rhi_hours)
    event_episodes = select(EpisodeEvent.episode_id).where(
        EpisodeEvent.kind.in_(ALERT_EVENT_KINDS), EpisodeEvent.recorded_at >= since
    )
    q = (
        select(
            MissingEpisode.id,
            MissingEpisode.child_id,
            MissingEpisode.category,
            MissingEpisode.started_at,
            MissingEpisode.reported_at,
            MissingEpisode.returned_at,
            MissingEpisode.risk_grade,
            MissingEpisode.police_ref,
            MissingEpisode.owner_id,
            Rhi.offered_at,
            Rhi.completed_at,
            Rhi.declined_at,
            PhilomenaProfile.updated_at,
            Child.social_worker_id,
            Child.team_id,
        )
        .join(Child, Child.id == MissingEpisode.child_id)
        .outerjoin(RhiEpisode, RhiEpisode.episode_id == MissingEpisode.id)
        .outerjoin(Rhi, Rhi.id == RhiEpisode.rhi_id)
        .outerjoin(PhilomenaProfile, PhilomenaProfile.child_id == MissingEpisode.child_id)
        .where(
            or_(
                MissingEpisode.returned_at.is_(None),
                MissingEpisode.started_at >= history,
                MissingEpisode.reported_at >= since,
                MissingEpisode.returned_at >= rhi_since,
                MissingEpisode.id.in_(event_episodes),
            )
        )
    )
    episodes: list[EpisodeFacts] = []
    routing: dict[int, _Routing] = {}
    profiles: dict[str, datetime] = {}
    for (
        eid,
        child,
        cat,
        start,
        reported,
        returned,
        risk,
        ref,
        owner,
        offered,
        completed,
        declined,
        prof_at,
        worker,
        team,
    ) in s.execute(q):
        done = min((d for d in (completed, declined) if d is not None), default=None)
        episodes.append(
            EpisodeFacts(
                id=eid,
                child_id=child,
                category=cat,
                started_at=start,
                reported_at=reported,
                returned_at=returned,
                risk=risk,
                police_ref=ref,
                rhi_offered_at=offered,
                rhi_done_at=done,
            )
        )
        routing[eid] = _Routing(worker, team, owner)
        if prof_at is not None:
            profiles[child] = prof_at
    events = tuple(
        EpisodeEventFacts(id=i, episode_id=e, kind=k, recorded_at=at, old_value=o, new_value=n)
        for i, e, k, at, o, n in s.execute(
            select(
                EpisodeEvent.id,
                EpisodeEvent.episode_id,
                EpisodeEvent.kind,
                EpisodeEvent.recorded_at,
                EpisodeEvent.old_value,
                EpisodeEvent.new_value,
            )
            .where(EpisodeEvent.kind.in_(ALERT_EVENT_KINDS), EpisodeEvent.recorded_at >= since)
            .order_by(EpisodeEvent.id)
        )
    )
    episodes = attach_notification_facts(s, episodes)  # out of area, notifications made
    return AlertState(tuple(episodes), events, profiles), routing


def _existing_keys(s: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), KEY_CHUNK):
        chunk = keys[i : i + KEY_CHUNK]
        found.update(s.scalars(select(Alert.unique_key).where(Alert.unique_key.in_(chunk))))
    return found


def resolve_recipients(due: AlertDue, route: _Routing | None, staff: Iterable[_StaffFacts]) -> set[int]:
    """Staff ids for the audiences an alert names."""
    staff = list(staff)
    active = {p.id for p in staff}
    out: set[int] = set()
    team_id = route.team_id if route else None
    for audience in due.audiences:
        if audience == Audience.ALLOCATED_WORKER and route and route.worker_id:
            out.add(route.worker_id)
        elif audience == Audience.EPISODE_OWNER and route:
            owner = route.owner_id or route.worker_id
            if owner:
                out.add(owner)
        elif audience == Audience.TEAM and team_id is not None:
            out.update(p.id for p in staff if p.team_id == team_id)
        elif audience == Audience.TEAM_MANAGER and team_id is not None:
            out.update(p.id for p in staff if p.role == StaffRole.TEAM_MANAGER and p.team_id == team_id)
        elif audience == Audience.HEAD_OF_SERVICE:
            out.update(p.id for p in staff if p.role == StaffRole.HEAD_OF_SERVICE)
        elif audience == Audience.DUTY_TEAM:
            out.update(p.id for p in staff if p.role == StaffRole.DUTY_OFFICER)
    return out & active


def _insert_alert(db: Database, values: dict[str, Any]) -> Any:
    if db.is_postgresql:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return (
            pg_insert(Alert)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[Alert.unique_key])
            .returning(Alert.id)
        )
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return (
        sqlite_insert(Alert)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Alert.unique_key])
        .returning(Alert.id)
    )


class AlertService:
    """Evaluate the rules, list a person's alerts, acknowledge them.

    `ladder=None` reads the council's ladder from the database at each evaluation, so an
    administrator's change applies on every desktop without a restart.
    """

    def __init__(self, db: Database, actor: Actor, clock: Clock | None = None, ladder: Ladder | None = None) -> None:
        self.db = db
        self.actor = actor
        self.clock = clock or SystemClock()
        self._ladder = ladder

    def ladder(self) -> Ladder:
        return self._ladder or load_ladder(self.db)

    # -- raising ------------------------------------------------------------------------
    def evaluate(self, since: datetime | None = None) -> list[AlertRow]:
        """Raise every alert now due that no desktop has raised yet; return those raised here.

        `since` (the escalation service's last evaluation before a gap) reaches further back
        than the ladder's look-back when the gap was longer. Alerts whose condition has ended
        (the child returned, the reference was recorded) are resolved in the same pass: they
        leave the banner and the open lists.
        """
        if self.actor.role is not None and not access.may(self.actor.role, Permission.RECORD_EPISODES):
            return []  # a police liaison's or auditor's desktop raises nothing
        ladder = self.ladder()
        now = self.clock.now()
        with self.db.read_session() as s:
            state, routing = load_state(s, now, ladder, since)
            due = due_alerts(state, now, ladder, since)
            known = _existing_keys(s, [d.unique_key for d in due]) if due else set()
            unresolved = [
                OpenAlert(i, r, e)
                for i, r, e in s.execute(
                    select(Alert.id, Alert.rule, Alert.episode_id).where(
                        Alert.resolved_at.is_(None), Alert.acknowledged_at.is_(None)
                    )
                )
            ]
        ended = ended_alerts(unresolved, state, now)
        if ended:
            self._resolve(ended)
        fresh = [d for d in due if d.unique_key not in known]
        # An alert whose condition has already ended (a threshold that fell while nothing
        # evaluated, the child since back) is raised resolved: kept in history as a late
        # escalation, never on a banner or in the open lists, rather than shown for the
        # half-minute until the next pass resolves it.
        over = dict(ended_alerts((OpenAlert(i, d.rule, d.episode_id) for i, d in enumerate(fresh)), state, now))
        if not fresh:
            return []  # the usual case: no write transaction, no lock
        with UnitOfWork(self.db, self.actor, self.clock) as uow:
            s = uow.session
            staff = [
                _StaffFacts(i, r, t)
                for i, r, t in s.execute(select(Staff.id, Staff.role, Staff.team_id).where(Staff.active.is_(True)))
            ]
            raised: list[int] = []
            late = 0
            for i, d in enumerate(fresh):
                over_why = over.get(i)
                new_id = s.execute(
                    _insert_alert(
                        self.db,
                        {
                            "rule": d.rule,
                            "unique_key": d.unique_key,
                            "child_id": d.child_id,
                            "episode_id": d.episode_id,
                            "severity": d.severity,
                            "message": d.message,
                            "audiences": json.dumps(list(d.audiences)),
                            "due_at": d.due_at,
                            "raised_at": uow.now,
                            "raised_by": self.actor.username,
                            "late": is_late(d.due_at, uow.now),
                            "resolved_at": uow.now if over_why else None,
                            "resolved_reason": over_why,
                        },
                    )
                ).scalar_one_or_none()
                if new_id is None:
                    continue  # another desktop raised it a moment ago
                route = routing.get(d.episode_id) if d.episode_id is not None else None
                recipients = resolve_recipients(d, route, staff)
                s.add_all([AlertRecipient(alert_id=new_id, staff_id=sid) for sid in sorted(recipients)])
                uow.audit(
                    "alert.raise",
                    "alert",
                    new_id,
                    d.child_id,
                    after={
                        "rule": d.rule,
                        "unique_key": d.unique_key,
                        "audiences": list(d.audiences),
                        "recipients": sorted(recipients),
                        **({"resolved": over_why} if over_why else {}),
                    },
                )
                uow.changed(ChangeKind.ALERT_RAISED, AlertChanged(new_id, d.child_id))
                raised.append(new_id)
                late += is_late(d.due_at, uow.now)
            uow.commit()
        if raised:
            log.info(
                "raised %d alert(s), %d of them late, %d already over (raised resolved): ids %s",
                len(raised),
                late,
                len(over),
                raised,
            )
        return self.get_many(raised)

    def _resolve(self, ended: list[tuple[int, str]]) -> None:
        """Mark these alerts resolved (once, whoever gets there first), audited, in the feed."""
        with UnitOfWork(self.db, self.actor, self.clock) as uow:
            s = uow.session
            done = 0
            for alert_id, why in ended:
                result = s.execute(
                    update(Alert)
                    .where(Alert.id == alert_id, Alert.resolved_at.is_(None), Alert.acknowledged_at.is_(None))
                    .values(resolved_at=uow.now, resolved_reason=why)
                    .execution_options(synchronize_session=False)
                )
                if getattr(result, "rowcount", 0) != 1:
                    continue  # another desktop resolved or acknowledged it a moment ago
                child_id = s.scalar(select(Alert.child_id).where(Alert.id == alert_id))
                uow.audit("alert.resolve", "alert", alert_id, child_id, after={"reason": why})
                uow.changed(ChangeKind.ALERT_RESOLVED, AlertChanged(alert_id, child_id))
                done += 1
            uow.commit()
        if done:
            log.info("resolved %d alert(s) whose condition ended", done)

    # -- reading ------------------------------------------------------------------------
    def get(self, alert_id: int) -> AlertRow:
        with self.db.read_session() as s:
            a = s.get(Alert, alert_id)
            if a is None:
                raise NotFoundError("Alert", alert_id)
            return to_row(a, ladder=self.ladder())

    def get_many(self, alert_ids: Iterable[int]) -> list[AlertRow]:
        ids = list(alert_ids)
        if not ids:
            return []
        with self.db.read_session() as s:
            rows = s.scalars(select(Alert).where(Alert.id.in_(ids)).order_by(Alert.id)).all()
            ladder = self.ladder()
            return [to_row(a, ladder=ladder) for a in rows]

    @staticmethod
    def _is_duty(s: Session, staff_id: int) -> bool:
        return s.scalar(select(Staff.role).where(Staff.id == staff_id)) == StaffRole.DUTY_OFFICER

    def _sees_everything(self, s: Session, staff_id: int) -> bool:
        """The duty team sees every alert out of office hours."""
        return self._is_duty(s, staff_id) and not self.ladder().is_office_hours(self.clock.now())

    def _visible(self, s: Session, staff_id: int) -> ColumnElement[bool] | None:
        if self._sees_everything(s, staff_id):
            return None
        mine = select(AlertRecipient.alert_id).where(AlertRecipient.staff_id == staff_id)
        return Alert.id.in_(mine)

    def _hidden(self, s: Session, staff_id: int) -> frozenset[str]:
        """Restricted children this person may not see now (the duty team: in office hours)."""
        row = s.execute(select(Staff.role, Staff.team_id).where(Staff.id == staff_id)).first()
        role, team_id = (row[0], row[1]) if row is not None else (None, None)
        return hidden_children(s, role, staff_id, team_id, self.ladder().is_office_hours(self.clock.now()))

    def _query(self, s: Session, staff_id: int, include_acknowledged: bool) -> Select[Alert]:
        q = select(Alert)
        cond = self._visible(s, staff_id)
        if cond is not None:
            q = q.where(cond)
        hidden = self._hidden(s, staff_id)
        if hidden:  # as row-level security does on PostgreSQL
            q = q.where(or_(Alert.child_id.is_(None), Alert.child_id.not_in(sorted(hidden))))
        if not include_acknowledged:
            q = q.where(Alert.resolved_at.is_(None))
            if self._is_duty(s, staff_id):
                # Whose acknowledgement clears what: a day worker's clears an alert for
                # everyone except the duty team, who keep it until one of them acknowledges.
                for_duty = Alert.audiences.like(DUTY_AUDIENCE)
                q = q.where(
                    or_(
                        and_(for_duty, Alert.duty_acknowledged_at.is_(None)),
                        and_(~for_duty, Alert.acknowledged_at.is_(None)),
                    )
                )
            else:
                q = q.where(Alert.acknowledged_at.is_(None))
        return q

    def inbox(
        self, staff_id: int | None, include_acknowledged: bool = False, limit: int = HISTORY_LIMIT
    ) -> list[AlertRow]:
        """Alerts addressed to this person, newest first; with history if asked."""
        if staff_id is None:
            return []
        with self.db.read_session() as s:
            q = self._query(s, staff_id, include_acknowledged)
            rows = s.scalars(q.order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit)).all()
            duty, ladder = self._is_duty(s, staff_id), self.ladder()
            return [to_row(a, duty, ladder) for a in rows]

    def for_staff(self, staff_id: int | None, alert_ids: Iterable[int]) -> list[AlertRow]:
        """Of these alerts (e.g. from the change feed), the ones this person sees."""
        ids = list(alert_ids)
        if staff_id is None or not ids:
            return []
        with self.db.read_session() as s:
            q = self._query(s, staff_id, True).where(Alert.id.in_(ids)).order_by(Alert.id)
            duty, ladder = self._is_duty(s, staff_id), self.ladder()
            return [to_row(a, duty, ladder) for a in s.scalars(q).all()]

    def unacknowledged_count(self, staff_id: int | None) -> int:
        if staff_id is None:
            return 0
        with self.db.read_session() as s:
            q = self._query(s, staff_id, False).with_only_columns(func.count(Alert.id))
            return int(s.scalar(q) or 0)

    def open_alerts(self, include_acknowledged: bool = False, limit: int = HISTORY_LIMIT) -> list[AlertRow]:
        """Every alert in the council (the command line, a manager's overview)."""
        with self.db.read_session() as s:
            q = select(Alert)
            if not include_acknowledged:
                q = q.where(Alert.acknowledged_at.is_(None), Alert.resolved_at.is_(None))
            rows = s.scalars(q.order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit)).all()
            ladder = self.ladder()
            return [to_row(a, ladder=ladder) for a in rows]

    # -- acknowledging --------------------------------------------------------------------
    def _check_may_acknowledge(self, s: Session, alert_id: int) -> None:
        """The alert's recipients, their managers and the duty team (and the head of service
        and administrators) may acknowledge it; nobody else."""
        me = self.actor
        if me.staff_id is None and me.role is None:
            raise AccessRefusedError("Only a member of staff can acknowledge an alert.")
        if access.may(me.role, Permission.ACK_ANY_ALERT):
            return
        recipients = s.execute(
            select(Staff.id, Staff.team_id)
            .join(AlertRecipient, AlertRecipient.staff_id == Staff.id)
            .where(AlertRecipient.alert_id == alert_id)
        ).all()
        if any(sid == me.staff_id for sid, _ in recipients):
            return
        if (
            me.role == StaffRole.TEAM_MANAGER
            and me.team_id is not None
            and any(team == me.team_id for _, team in recipients)
        ):
            return
        raise AccessRefusedError(
            f"Alert {alert_id} is not addressed to you or your team: only its recipients, their "
            "managers and the duty team can acknowledge it."
        )

    def acknowledge(self, alert_id: int, note: str | None = None) -> AlertRow:
        """Record who acknowledged and when (audited). The first acknowledgement wins."""
        note = fields.clean("alert.ack_note", note)
        fields.check_int("id", alert_id, "alert")
        with UnitOfWork(self.db, self.actor, self.clock) as uow:
            s = uow.session
            a = s.get(Alert, alert_id)
            if a is None:
                raise NotFoundError("Alert", alert_id)
            duty = self.actor.role == StaffRole.DUTY_OFFICER
            if (a.duty_acknowledged_at if duty else a.acknowledged_at) is None:
                self._check_may_acknowledge(s, alert_id)  # else: say who did it first, below
            if not self._ack_update(s, alert_id, uow.now, note):
                by_col = Alert.duty_acknowledged_by if duty else Alert.acknowledged_by
                at_col = Alert.duty_acknowledged_at if duty else Alert.acknowledged_at
                by, at = s.execute(select(by_col, at_col).where(Alert.id == alert_id)).one()
                raise AlreadyAcknowledgedError(alert_id, by, at)
            uow.audit(
                "alert.acknowledge",
                "alert",
                alert_id,
                a.child_id,
                before={"acknowledged_at": None},
                after={"acknowledged_at": uow.now.isoformat(), "acknowledged_by": self.actor.label, "note": note},
            )
            uow.changed(ChangeKind.ALERT_ACKNOWLEDGED, AlertChanged(alert_id, a.child_id))
            uow.commit()
        return self.get(alert_id)

    def _ack_update(self, s: Session, alert_id: int, now: datetime, note: str | None, open_only: bool = False) -> bool:
        """The conditional update (atomic on both databases, whatever the race). A duty
        officer's acknowledgement also clears it for the duty team; anyone else's clears it
        for everyone but the duty team (see `_query`). False if it was already done."""
        label = self.actor.label
        q = update(Alert).where(Alert.id == alert_id)
        if open_only:
            q = q.where(Alert.resolved_at.is_(None))
        if self.actor.role == StaffRole.DUTY_OFFICER:
            q = q.where(Alert.duty_acknowledged_at.is_(None)).values(
                duty_acknowledged_at=now,
                duty_acknowledged_by=label,
                acknowledged_at=func.coalesce(Alert.acknowledged_at, now),
                acknowledged_by=func.coalesce(Alert.acknowledged_by, label),
                ack_note=func.coalesce(Alert.ack_note, note),
            )
        else:
            q = q.where(Alert.acknowledged_at.is_(None)).values(
                acknowledged_at=now, acknowledged_by=label, ack_note=note
            )
        result = s.execute(q.execution_options(synchronize_session=False))
        return getattr(result, "rowcount", 0) == 1

    def acknowledge_many(self, alert_ids: Iterable[int], note: str | None = None) -> list[AlertRow]:
        """Acknowledge several alerts with one note, in one transaction (audited per alert).

        Alerts someone else acknowledged (or that resolved) a moment ago are skipped, not an
        error: the result lists the ones acknowledged here.
        """
        note = fields.clean("alert.ack_note", note)
        ids = sorted(set(alert_ids))
        for alert_id in ids:
            fields.check_int("id", alert_id, "alert")
        done: list[int] = []
        with UnitOfWork(self.db, self.actor, self.clock) as uow:
            s = uow.session
            for alert_id in ids:
                self._check_may_acknowledge(s, alert_id)  # one refused: none acknowledged
                if not self._ack_update(s, alert_id, uow.now, note, open_only=True):
                    continue
                child_id = s.scalar(select(Alert.child_id).where(Alert.id == alert_id))
                uow.audit(
                    "alert.acknowledge",
                    "alert",
                    alert_id,
                    child_id,
                    before={"acknowledged_at": None},
                    after={
                        "acknowledged_at": uow.now.isoformat(),
                        "acknowledged_by": self.actor.label,
                        "note": note,
                        "bulk": len(ids),
                    },
                )
                uow.changed(ChangeKind.ALERT_ACKNOWLEDGED, AlertChanged(alert_id, child_id))
                done.append(alert_id)
            uow.commit()
        return self.get_many(done)
