"""Alert and escalation rules: pure functions of (state, clock, ladder).

Every desktop (and `lac-monitor alerts`) evaluates the same rules on the same shared
state; the `unique_key` of each due alert (rule, episode or event, threshold) is what
lets the database keep exactly one of each, whoever notices first.

Messages carry ids, never names: they may reach logs. The UI shows names from the board.

Nothing is lost to downtime: a threshold is due whether the episode is still open or has
closed since (the child was still missing when it fell due), so whoever evaluates next —
a desktop or the escalation service — raises it, marked "raised late: due at 03:00".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from lac_monitor.domain.codes import MissingCategory, RiskGrade
from lac_monitor.domain.errors import ConflictError
from lac_monitor.domain.ladder import RUNGS, Audience, Ladder, rung_label
from lac_monitor.domain.localtime import format_local, to_local

# An alert raised more than this long after it fell due is marked late. Evaluators run every
# 30 s (desktops) or 60 s (the service), so only a gap with nobody evaluating exceeds it.
LATE_AFTER = timedelta(minutes=5)


def is_late(due_at: datetime | None, raised_at: datetime) -> bool:
    return due_at is not None and raised_at - due_at > LATE_AFTER


def _due_text(due_at: datetime, raised_at: datetime) -> str:
    """Local time of the due time; with the date when it was another day than the raise."""
    same_day = to_local(due_at).date() == to_local(raised_at).date()
    return format_local(due_at, with_date=not same_day)


def late_note(due_at: datetime, raised_at: datetime) -> str:
    """'Raised late: due at 03:00.' after the message of a late alert."""
    return f"Raised late: due at {_due_text(due_at, raised_at)}."


def shown_message(message: str, late: bool, due_at: datetime | None, raised_at: datetime) -> str:
    """The message as people read it (inbox, banner, CLI, handover): a late alert says when it was due."""
    return f"{message} {late_note(due_at, raised_at)}" if late and due_at is not None else message


def late_label(due_at: datetime, raised_at: datetime) -> str:
    """'late, due 03:00': beside the raise time in tables."""
    return f"late, due {_due_text(due_at, raised_at)}"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "high": 2}[self.value]

    @property
    def label(self) -> str:
        return {"info": "Info", "warning": "Warning", "high": "High"}[self.value]


AUDIENCE_LABELS = {
    "allocated_worker": "allocated worker",
    "team": "team",
    "team_manager": "team manager",
    "head_of_service": "head of service",
    "duty_team": "duty team",
    "episode_owner": "episode owner",
}


def audience_label(key: str) -> str:
    return AUDIENCE_LABELS.get(key, key.replace("_", " "))


class Rule(StrEnum):
    """Stable, readable rule keys (stored in the database and printed by the CLI)."""

    REPORTED = "reported"  # new missing (M) or away (A) report
    RISK_RAISED = "risk_raised"
    HIGH_RISK = "high_risk"
    RECLASSIFIED = "reclassified"
    RETURNED = "returned"  # returned or found
    POLICE_REF_MISSING = "police_ref_missing"
    MISSING_24H = "missing_24h"
    MISSING_48H = "missing_48h"
    MISSING_72H = "missing_72h"
    RHI_DUE = "rhi_due"
    RHI_OVERDUE = "rhi_overdue"
    REPEAT_MISSING = "repeat_missing"
    PROFILE_MISSING = "profile_missing"
    PROFILE_STALE = "profile_stale"
    MPU_NOTIFICATION = "mpu_notification"
    HOST_NOT_NOTIFIED = "host_not_notified"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


# Labels and audiences come from the one ladder table (domain/ladder.py).
RULE_LABELS: dict[Rule, str] = {Rule(r.rule): r.label_for() for r in RUNGS}


def rule_label(key: str, ladder: Ladder | None = None) -> str:
    """The rung's label, following `ladder`'s hours (the defaults when None)."""
    return rung_label(key, ladder)


# Who each rule goes to (DESIGN.md, escalation ladder; the table is in domain/ladder.py).
AUDIENCES: dict[Rule, tuple[Audience, ...]] = {Rule(r.rule): r.audiences for r in RUNGS}


# -- state the rules read ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EpisodeFacts:
    id: int
    child_id: str
    category: str  # M or A, now
    started_at: datetime
    reported_at: datetime
    returned_at: datetime | None = None
    risk: str | None = None  # police risk grade now
    police_ref: str | None = None
    rhi_offered_at: datetime | None = None
    rhi_done_at: datetime | None = None  # completed or declined
    out_of_area: bool = False  # placed outside the council's area (care_episode.host_la)
    notices: tuple[tuple[str, datetime], ...] = ()  # (party, notified at): domain.patterns


@dataclass(frozen=True, slots=True)
class EpisodeEventFacts:
    """One timeline row that may raise an alert: kinds `risk` and `reclassified`."""

    id: int
    episode_id: int
    kind: str
    recorded_at: datetime
    old_value: str | None = None
    new_value: str | None = None


@dataclass(frozen=True, slots=True)
class AlertState:
    episodes: tuple[EpisodeFacts, ...] = ()
    events: tuple[EpisodeEventFacts, ...] = ()
    # child id -> when their Philomena profile was last saved (absent: no profile)
    profiles: dict[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AlertDue:
    rule: str
    unique_key: str
    child_id: str | None
    episode_id: int | None
    severity: str
    message: str
    due_at: datetime
    audiences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AlertRow:
    """An alert as stored: a plain row for the inbox, the banner and the CLI."""

    id: int
    rule: str
    unique_key: str
    child_id: str | None
    episode_id: int | None
    severity: str
    message: str
    audiences: tuple[str, ...]
    due_at: datetime | None
    raised_at: datetime
    raised_by: str
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    ack_note: str | None = None
    resolved_at: datetime | None = None  # its condition ended (child returned, reference recorded)
    resolved_reason: str | None = None
    late: bool = False  # raised well after it fell due (nobody was evaluating); the message says when
    label: str = ""  # the rung's label in the council's configured hours (services fill it in)

    def __post_init__(self) -> None:
        if not self.label:  # a row made without a ladder: the default hours
            object.__setattr__(self, "label", rule_label(self.rule))

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def is_open(self) -> bool:
        """Still asks for someone's attention: neither acknowledged nor resolved."""
        return self.acknowledged_at is None and self.resolved_at is None

    @property
    def is_high(self) -> bool:
        return self.severity == Severity.HIGH


class AlreadyAcknowledgedError(ConflictError):
    """Someone acknowledged the alert first; says who and when."""

    def __init__(self, alert_id: int, by: str | None, at: datetime | None) -> None:
        self.what = f"Alert {alert_id}"
        self.by = by
        self.at = format_local(at) if at else None
        Exception.__init__(
            self,
            f"Alert {alert_id} was already acknowledged by {by or 'another user'}"
            + (f" at {self.at}" if self.at else "")
            + ". Nothing more to do.",
        )


# -- the rules ------------------------------------------------------------------------------
def _rank(code: str | None) -> int:
    try:
        return RiskGrade(code).rank if code else -1
    except ValueError:
        return -1


def _what(category: str) -> str:
    return "away from placement" if category == MissingCategory.AWAY else "missing"


def _hours(h: float) -> str:
    return f"{h:g} h"


def window_start(now: datetime, ladder: Ladder, since: datetime | None = None) -> datetime:
    """Earliest due time still raised: the ladder's look-back, or further back to `since`
    (the last evaluation before a gap), so a gap longer than the look-back loses nothing."""
    start = now - timedelta(days=ladder.lookback_days)
    return min(start, since) if since is not None else start


class _Collector:
    def __init__(self, now: datetime, ladder: Ladder, since: datetime | None = None) -> None:
        self.now = now
        self.ladder = ladder
        self.since = window_start(now, ladder, since)
        self.out_of_hours = not ladder.is_office_hours(now)
        self.items: list[AlertDue] = []
        self._keys: set[str] = set()

    def add(
        self,
        rule: Rule,
        key: str,
        ep: EpisodeFacts | None,
        child_id: str | None,
        severity: Severity,
        message: str,
        due_at: datetime,
    ) -> None:
        unique_key = f"{rule.value}:{key}"
        if not self.since <= due_at <= self.now or unique_key in self._keys:
            return  # outside the look-back, not yet due, or already found (first wins)
        self._keys.add(unique_key)
        audiences: list[Audience] = [a for a in AUDIENCES[rule] if a != Audience.DUTY_TEAM]
        if self.out_of_hours:
            audiences.append(Audience.DUTY_TEAM)
        self.items.append(
            AlertDue(
                rule=rule.value,
                unique_key=unique_key,
                child_id=child_id,
                episode_id=ep.id if ep else None,
                severity=severity.value,
                message=message,
                due_at=due_at,
                audiences=tuple(a.value for a in audiences),
            )
        )


def due_alerts(state: AlertState, now: datetime, ladder: Ladder, since: datetime | None = None) -> list[AlertDue]:
    """Every alert due at `now` within the look-back (or since `since`, if earlier), each
    with its unique key.

    Already-raised alerts are returned again: the store ignores keys it already holds.
    """
    c = _Collector(now, ladder, since)
    episodes = {e.id: e for e in state.episodes}
    # Events first: a high-risk alert takes the time the grade was raised, when known.
    _event_rules(c, state.events, episodes)
    for ep in state.episodes:
        if ep.started_at > now:
            continue
        _episode_rules(c, ep, state)
    _repeat_rule(c, state.episodes)
    _notification_rules(c, state.episodes)
    c.items.sort(key=lambda a: (a.due_at, a.unique_key))
    return c.items


def _episode_rules(c: _Collector, ep: EpisodeFacts, state: AlertState) -> None:
    now, ladder = c.now, c.ladder
    child = ep.child_id
    what = _what(ep.category)
    label = f"Child {child} (episode {ep.id})"
    open_now = ep.returned_at is None or ep.returned_at > now

    def missing_at(at: datetime) -> bool:
        """Still missing at `at`: a threshold that fell before the return was due, even if
        nobody was evaluating then and the child has come back since."""
        return ep.returned_at is None or ep.returned_at > at

    # On report.
    high_at_report = ep.risk == RiskGrade.HIGH
    todo = [t for t, done in (("the police reference", ep.police_ref), ("the risk grade", ep.risk)) if not done] + [
        "Philomena part 2 (clothing, last seen)"
    ]
    c.add(
        Rule.REPORTED,
        f"episode:{ep.id}",
        ep,
        child,
        Severity.HIGH if high_at_report else Severity.WARNING,
        f"{label} reported {what} ({MissingCategory(ep.category).value}). Record "
        f"{', '.join(todo[:-1]) + ' and ' if len(todo) > 1 else ''}{todo[-1]}.",
        ep.reported_at,
    )
    # High risk at any time, once per episode (a risk event may already have raised it).
    if ep.risk == RiskGrade.HIGH and open_now:
        c.add(
            Rule.HIGH_RISK,
            f"episode:{ep.id}",
            ep,
            child,
            Severity.HIGH,
            f"{label} is {what} at high risk. Inform the manager now; consider a strategy discussion.",
            ep.reported_at,
        )
    if ep.police_ref is None:
        due = ep.reported_at + timedelta(hours=ladder.police_ref_chase_hours)
        if missing_at(due):
            c.add(
                Rule.POLICE_REF_MISSING,
                f"episode:{ep.id}",
                ep,
                child,
                Severity.WARNING,
                f"{label} has no police reference {_hours(ladder.police_ref_chase_hours)} "
                "after the report. Chase the police reference.",
                due,
            )
    for rule_key, hours in ladder.missing_thresholds():
        due = ep.started_at + timedelta(hours=hours)
        if not missing_at(due):
            continue
        rule = Rule(rule_key)
        action = {
            Rule.MISSING_24H: "manager review due",
            Rule.MISSING_48H: "strategy meeting to be held",
            Rule.MISSING_72H: "head of service / assistant director to be informed",
        }[rule]
        c.add(
            rule,
            f"episode:{ep.id}:{hours:g}h",
            ep,
            child,
            Severity.HIGH if rule != Rule.MISSING_24H else Severity.WARNING,
            f"{label} {what} for {_hours(hours)}: {action}.",
            due,
        )
    # Philomena profile, checked for each episode (when reported).
    updated = state.profiles.get(child)
    if updated is None:
        c.add(
            Rule.PROFILE_MISSING,
            f"episode:{ep.id}",
            ep,
            child,
            Severity.WARNING,
            f"{label}: child has no Philomena profile. Complete it for the police.",
            ep.reported_at,
        )
    elif updated < ep.reported_at - timedelta(days=ladder.profile_max_age_days):
        c.add(
            Rule.PROFILE_STALE,
            f"episode:{ep.id}",
            ep,
            child,
            Severity.WARNING,
            f"{label}: Philomena profile last updated {format_local(updated)}, more than "
            f"{ladder.profile_max_age_days} days before the report. Bring it up to date.",
            ep.reported_at,
        )
    # Return, RHI.
    if ep.returned_at is not None and ep.returned_at <= now:
        rhi_due = ep.returned_at + timedelta(hours=ladder.rhi_hours)
        c.add(
            Rule.RETURNED,
            f"episode:{ep.id}",
            ep,
            child,
            Severity.INFO,
            f"{label} returned / found at {format_local(ep.returned_at)}.",
            ep.returned_at,
        )
        c.add(
            Rule.RHI_DUE,
            f"episode:{ep.id}",
            ep,
            child,
            Severity.INFO,
            f"{label}: offer the return-home interview by {format_local(rhi_due)}; inform the "
            "IRO; record the safe-and-well check.",
            ep.returned_at,
        )
        offered_in_time = ep.rhi_offered_at is not None and ep.rhi_offered_at <= rhi_due
        done_in_time = ep.rhi_done_at is not None and ep.rhi_done_at <= rhi_due
        if not (offered_in_time or done_in_time):
            c.add(
                Rule.RHI_OVERDUE,
                f"episode:{ep.id}",
                ep,
                child,
                Severity.WARNING,
                f"{label}: return-home interview not offered within "
                f"{_hours(ladder.rhi_hours)} of the return. RHI overdue.",
                rhi_due,
            )


def _event_rules(c: _Collector, events: Iterable[EpisodeEventFacts], episodes: dict[int, EpisodeFacts]) -> None:
    for ev in events:
        ep = episodes.get(ev.episode_id)
        if ep is None or ev.recorded_at > c.now:
            continue
        label = f"Child {ep.child_id} (episode {ep.id})"
        if ev.kind == "risk" and ev.old_value is not None and _rank(ev.new_value) > _rank(ev.old_value):
            high = ev.new_value == RiskGrade.HIGH
            c.add(
                Rule.RISK_RAISED,
                f"event:{ev.id}",
                ep,
                ep.child_id,
                Severity.HIGH if high else Severity.WARNING,
                f"{label}: police risk grade raised from {_risk_label(ev.old_value)} to {_risk_label(ev.new_value)}.",
                ev.recorded_at,
            )
        if ev.kind == "risk" and ev.new_value == RiskGrade.HIGH:
            # Same key as the current-grade check above: one high-risk alert per episode.
            c.add(
                Rule.HIGH_RISK,
                f"episode:{ep.id}",
                ep,
                ep.child_id,
                Severity.HIGH,
                f"{label} graded high risk. Inform the manager now; consider a strategy discussion.",
                ev.recorded_at,
            )
        if ev.kind == "reclassified" and ev.new_value and ev.old_value != ev.new_value:
            to_missing = ev.new_value == MissingCategory.MISSING
            c.add(
                Rule.RECLASSIFIED,
                f"event:{ev.id}",
                ep,
                ep.child_id,
                Severity.WARNING if to_missing else Severity.INFO,
                f"{label} reclassified from {_category_label(ev.old_value)} to {_category_label(ev.new_value)}.",
                ev.recorded_at,
            )


def repeat_crossings(starts: list[datetime], count: int, days: int) -> list[int]:
    """Indexes (into sorted `starts`) of the episodes that bring a child to `count` episodes
    within `days`: the count of episodes in the trailing window reaches `count` from below.

    The count only rises when an episode starts, so the episode crosses exactly when the
    window ending at its start holds `count` episodes (it held `count - 1` just before).
    While the pattern lasts, later episodes do not cross again; once older episodes have
    fallen out of the window and the count has dropped below `count`, the next episode that
    brings it back up is a new crossing.
    """
    window = timedelta(days=days)
    out: list[int] = []
    lo = 0
    for i, start in enumerate(starts):
        while starts[lo] <= start - window:
            lo += 1
        if i - lo + 1 == count:
            out.append(i)
    return out


def _repeat_rule(c: _Collector, episodes: Iterable[EpisodeFacts]) -> None:
    """Repeat missing: raised once per crossing of N episodes within D days (ladder settings),
    to the allocated worker, their manager and the head of service."""
    by_child: dict[str, list[EpisodeFacts]] = defaultdict(list)
    for ep in episodes:
        if ep.started_at <= c.now:
            by_child[ep.child_id].append(ep)
    n, d = c.ladder.repeat_count, c.ladder.repeat_days
    for child, eps in by_child.items():
        eps.sort(key=lambda e: (e.started_at, e.id))
        for i in repeat_crossings([e.started_at for e in eps], n, d):
            ep = eps[i]
            c.add(
                Rule.REPEAT_MISSING,
                f"episode:{ep.id}",
                ep,
                child,
                Severity.HIGH,
                f"Child {child}: {n} missing/away episodes within {d} days (latest episode "
                f"{ep.id}). Repeat missing: hold a strategy meeting (exploitation risk).",
                ep.reported_at,
            )


def _notified_by(ep: EpisodeFacts, party: str, due: datetime) -> bool:
    return any(p == party and at <= due for p, at in ep.notices)


def _notification_rules(c: _Collector, episodes: Iterable[EpisodeFacts]) -> None:
    """UK Missing Persons Unit at N hours missing; host authority told within N hours of the
    report when the child is placed out of area. Each fires once per episode."""
    for ep in episodes:
        if ep.started_at > c.now:
            continue
        label = f"Child {ep.child_id} (episode {ep.id})"
        mpu_due = ep.started_at + timedelta(hours=c.ladder.mpu_hours)
        if (ep.returned_at is None or ep.returned_at > mpu_due) and not _notified_by(ep, "mpu", mpu_due):
            c.add(
                Rule.MPU_NOTIFICATION,
                f"episode:{ep.id}",
                ep,
                ep.child_id,
                Severity.WARNING,
                f"{label} missing for {_hours(c.ladder.mpu_hours)}: confirm the police have "
                "notified the UK Missing Persons Unit, and record who confirmed it.",
                mpu_due,
            )
        host_due = ep.reported_at + timedelta(hours=c.ladder.host_notify_hours)
        if (
            ep.out_of_area
            and (ep.returned_at is None or ep.returned_at > host_due)
            and not _notified_by(ep, "host_authority", host_due)
        ):
            c.add(
                Rule.HOST_NOT_NOTIFIED,
                f"episode:{ep.id}",
                ep,
                ep.child_id,
                Severity.HIGH,
                f"{label} is placed out of area and the host authority has not been told "
                f"{_hours(c.ladder.host_notify_hours)} after the report. Tell the host "
                "authority and the host police force, and record it.",
                host_due,
            )


# -- alerts whose condition has ended ---------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OpenAlert:
    """An unresolved alert, as far as `ended_alerts` needs it."""

    id: int
    rule: str
    episode_id: int | None


# Rules whose alert stays true only while the episode is open ("missing for 24 h", "high risk").
_WHILE_OUT = frozenset(
    {
        Rule.REPORTED,
        Rule.RISK_RAISED,
        Rule.HIGH_RISK,
        Rule.RECLASSIFIED,
        Rule.MISSING_24H,
        Rule.MISSING_48H,
        Rule.MISSING_72H,
    }
)


def ended_alerts(alerts: Iterable[OpenAlert], state: AlertState, now: datetime) -> list[tuple[int, str]]:
    """(alert id, why) for each alert whose condition no longer holds at `now`.

    Resolved alerts leave the banner and the open lists, and stay in history. The facts
    come from `state`; an alert whose episode is not in it is left alone (no facts, no change).
    A returned/found alert and the repeat-missing pattern are history: they never resolve.
    """
    episodes = {e.id: e for e in state.episodes}
    out: list[tuple[int, str]] = []
    for a in alerts:
        ep = episodes.get(a.episode_id) if a.episode_id is not None else None
        if ep is None:
            continue
        try:
            rule = Rule(a.rule)
        except ValueError:
            continue
        returned = ep.returned_at is not None and ep.returned_at <= now
        why: str | None = None
        if rule in _WHILE_OUT and returned:
            why = "child returned / found"
        elif rule == Rule.HIGH_RISK and ep.risk is not None and ep.risk != RiskGrade.HIGH:
            why = f"risk grade now {_risk_label(ep.risk).lower()}"
        elif rule == Rule.POLICE_REF_MISSING and (ep.police_ref or returned):
            why = "police reference recorded" if ep.police_ref else "child returned / found"
        elif rule in (Rule.RHI_DUE, Rule.RHI_OVERDUE) and (ep.rhi_offered_at or ep.rhi_done_at):
            why = "return-home interview offered"
        elif rule == Rule.PROFILE_MISSING and ep.child_id in state.profiles:
            why = "Philomena profile completed"
        elif rule == Rule.PROFILE_STALE and state.profiles.get(ep.child_id, ep.reported_at) >= ep.reported_at:
            why = "Philomena profile brought up to date"
        if why is not None:
            out.append((a.id, why))
    return out


def _risk_label(code: str | None) -> str:
    try:
        return RiskGrade(code).label if code else "none recorded"
    except ValueError:
        return str(code)


def _category_label(code: str | None) -> str:
    try:
        return MissingCategory(code).label.lower() if code else "unknown"
    except ValueError:
        return str(code)


_SUBJECT = re.compile(r"^Child \S+(?: \(episode \d+\))?:? ")


def without_subject(message: str) -> str:
    """A message without its leading "Child X (episode N)", for tables that show the child already."""
    rest = _SUBJECT.sub("", message, count=1)
    return rest[:1].upper() + rest[1:] if rest != message else message
