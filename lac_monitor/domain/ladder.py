"""The escalation ladder: defaults from DESIGN.md, every threshold configurable per council.

Stored in the shared database (setting table, key "ladder") so every desktop uses the same
ladder. Pure data: alert rules and the handover sheet both read it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.localtime import to_local

LADDER_KEY = "ladder"  # the `setting` row that holds the ladder (and office hours) as JSON


class Audience(StrEnum):
    ALLOCATED_WORKER = "allocated_worker"
    TEAM = "team"
    TEAM_MANAGER = "team_manager"
    HEAD_OF_SERVICE = "head_of_service"
    DUTY_TEAM = "duty_team"  # out-of-hours emergency duty team
    EPISODE_OWNER = "episode_owner"


_W, _T, _M, _H, _D, _O = (
    Audience.ALLOCATED_WORKER,
    Audience.TEAM,
    Audience.TEAM_MANAGER,
    Audience.HEAD_OF_SERVICE,
    Audience.DUTY_TEAM,
    Audience.EPISODE_OWNER,
)


@dataclass(frozen=True, slots=True)
class Setting:
    """One administrator's setting of the ladder: the `Ladder` field, its label, its default."""

    name: str
    label: str
    default: float | int


@dataclass(frozen=True, slots=True)
class Rung:
    """One rung of the escalation ladder: everything about it in one place.

    `label` may name the rung's settings in braces ("{manager_review_hours:g} h: manager
    review") so that it follows the hours an administrator configured.
    """

    rule: str
    label: str
    audiences: tuple[Audience, ...]
    settings: tuple[Setting, ...] = ()

    def label_for(self, ladder: Ladder | None = None) -> str:
        return self.label.format(**asdict(ladder or DEFAULT_LADDER))


# The ladder (DESIGN.md) in one table. A new rung is one row here plus its rule function in
# domain/alerts.py. The duty team is added to every alert raised out of office hours.
RUNGS: tuple[Rung, ...] = (
    Rung("reported", "New report", (_W, _T, _D)),
    Rung("risk_raised", "Risk raised", (_W, _T, _D)),
    # The allocated worker too: "not graded" -> high raises no "risk raised", only this.
    Rung("high_risk", "High risk", (_W, _M, _H)),
    Rung("reclassified", "Reclassified", (_W, _T, _D)),
    Rung("returned", "Returned / found", (_W, _T, _D)),
    Rung(
        "police_ref_missing",
        "No police reference after {police_ref_chase_hours:g} h",
        (_O,),
        (Setting("police_ref_chase_hours", "no police reference after (hours)", 1.0),),
    ),
    Rung(
        "missing_24h",
        "{manager_review_hours:g} h: manager review",
        (_M,),
        (Setting("manager_review_hours", "manager review after (hours missing)", 24.0),),
    ),
    Rung(
        "missing_48h",
        "{strategy_meeting_hours:g} h: strategy meeting",
        (_M, _H),
        (Setting("strategy_meeting_hours", "strategy meeting after (hours missing)", 48.0),),
    ),
    Rung(
        "missing_72h",
        "{head_of_service_hours:g} h: head of service",
        (_H,),
        (Setting("head_of_service_hours", "head of service informed after (hours missing)", 72.0),),
    ),
    Rung(
        "mpu_notification",
        "{mpu_hours:g} h: confirm UK Missing Persons Unit told",
        (_O, _M),
        (Setting("mpu_hours", "UK Missing Persons Unit notification due after (hours missing)", 72.0),),
    ),
    Rung(
        "host_not_notified",
        "Host authority not told within {host_notify_hours:g} h",
        (_O, _M),
        (Setting("host_notify_hours", "out of area: host authority to be told within (hours)", 4.0),),
    ),
    Rung("rhi_due", "RHI due", (_W,)),
    Rung(
        "rhi_overdue",
        "RHI not offered within {rhi_hours:g} h",
        (_W, _M),
        (Setting("rhi_hours", "RHI to be offered within (hours of return)", 72.0),),
    ),
    Rung(
        "repeat_missing",
        "Repeat missing: {repeat_count} in {repeat_days} days",
        (_W, _M, _H),
        (
            Setting("repeat_count", "repeat missing: episodes", 3),
            Setting("repeat_days", "repeat missing: within (days)", 90),
        ),
    ),
    Rung("profile_missing", "No Philomena profile", (_W, _D)),
    Rung(
        "profile_stale",
        "Philomena profile out of date",
        (_W,),
        (Setting("profile_max_age_days", "Philomena profile out of date after (days)", 183),),
    ),
)
RUNG_BY_RULE: dict[str, Rung] = {r.rule: r for r in RUNGS}
_DEFAULTS: dict[str, Any] = {s.name: s.default for r in RUNGS for s in r.settings}


def rung_label(rule: str, ladder: Ladder | None = None) -> str:
    """A rung's label, with the hours / days of `ladder` (the defaults when None)."""
    rung = RUNG_BY_RULE.get(rule)
    return rung.label_for(ladder) if rung else rule


# England and Wales bank holidays (public facts): days the office is closed whatever the weekday,
# so the duty team is on all day, as at a weekend. An administrator keeps the list up to date.
DEFAULT_BANK_HOLIDAYS: tuple[date, ...] = tuple(
    date.fromisoformat(d)
    for d in (
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-04",
        "2026-05-25",
        "2026-08-31",
        "2026-12-25",
        "2026-12-28",
        "2027-01-01",
        "2027-03-26",
        "2027-03-29",
        "2027-05-03",
        "2027-05-31",
        "2027-08-30",
        "2027-12-27",
        "2027-12-28",
    )
)


def parse_bank_holidays(values: Any) -> tuple[date, ...]:
    """Dates from text (YYYY-MM-DD) or dates, sorted and without repeats; ValidationError naming
    the field and the rule for anything else."""
    if not isinstance(values, list | tuple):
        raise ValidationError("bank holidays", "must be a list of dates as YYYY-MM-DD")
    out = set()
    for v in values:
        if isinstance(v, date) and not isinstance(v, datetime):
            out.add(v)
            continue
        try:
            out.add(date.fromisoformat(str(v).strip()))
        except ValueError:
            raise ValidationError(
                "bank holidays", f"'{str(v)[:20]}' must be a real date written as YYYY-MM-DD (like 2026-12-25)"
            ) from None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(v).strip()):
            raise ValidationError("bank holidays", f"'{str(v)[:20]}' must be written as YYYY-MM-DD (like 2026-12-25)")
    return tuple(sorted(out))


@dataclass(frozen=True)
class Ladder:
    police_ref_chase_hours: float = _DEFAULTS["police_ref_chase_hours"]
    manager_review_hours: float = _DEFAULTS["manager_review_hours"]
    strategy_meeting_hours: float = _DEFAULTS["strategy_meeting_hours"]
    head_of_service_hours: float = _DEFAULTS["head_of_service_hours"]
    rhi_hours: float = _DEFAULTS["rhi_hours"]  # RHI to be offered within this long of the return
    repeat_count: int = _DEFAULTS["repeat_count"]  # this many episodes ...
    repeat_days: int = _DEFAULTS["repeat_days"]  # ... within this many days: repeat missing
    profile_max_age_days: int = _DEFAULTS["profile_max_age_days"]  # older profile is stale
    mpu_hours: float = _DEFAULTS["mpu_hours"]  # UK Missing Persons Unit to be told by then
    host_notify_hours: float = _DEFAULTS["host_notify_hours"]  # out of area: host LA told by then
    office_start: time = time(8, 45)  # outside office hours the duty team sees every alert
    office_end: time = time(17, 0)
    office_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday..Friday
    bank_holidays: tuple[date, ...] = DEFAULT_BANK_HOLIDAYS  # office days that are not, all day
    # Alerts are raised only for events and thresholds this recent, so a fresh or restored
    # database does not flood every inbox with years of history.
    lookback_days: int = 7

    def is_office_hours(self, at: datetime) -> bool:
        """Office hours in the council's local time; outside them the duty team is on."""
        local = to_local(at)
        return (
            self.is_office_day(local.date())
            and self.office_start <= local.time().replace(tzinfo=None) < self.office_end
        )

    def is_office_day(self, day: date) -> bool:
        """An office day (local date): one of the office days of the week and not a bank holiday."""
        return day.weekday() in self.office_days and day not in self.bank_holidays

    def missing_thresholds(self) -> tuple[tuple[str, float], ...]:
        """(rule key, hours) for the escalations that fall due while a child is missing."""
        return (
            ("missing_24h", self.manager_review_hours),
            ("missing_48h", self.strategy_meeting_hours),
            ("missing_72h", self.head_of_service_hours),
        )

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["office_start"] = self.office_start.strftime("%H:%M")
        out["office_end"] = self.office_end.strftime("%H:%M")
        out["office_days"] = list(self.office_days)
        out["bank_holidays"] = [d.isoformat() for d in self.bank_holidays]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ladder:
        known = {f.name for f in fields(cls)}
        kw: dict[str, Any] = {k: v for k, v in data.items() if k in known}
        for key in ("office_start", "office_end"):
            if isinstance(kw.get(key), str):
                kw[key] = time.fromisoformat(kw[key])
        if "office_days" in kw:
            kw["office_days"] = tuple(kw["office_days"])
        if "bank_holidays" in kw:
            kw["bank_holidays"] = parse_bank_holidays(kw["bank_holidays"])
        return cls(**kw)


FIELD_LABELS: dict[str, str] = {
    **{s.name: s.label for r in RUNGS for s in r.settings},
    "office_start": "office hours start",
    "office_end": "office hours end",
    "office_days": "office days",
    "bank_holidays": "bank holidays",
    "lookback_days": "alert look-back (days)",
}


def validate_ladder(ladder: Ladder) -> None:
    """Raise ValidationError naming the field and the rule it breaks."""
    for name in (
        "police_ref_chase_hours",
        "manager_review_hours",
        "strategy_meeting_hours",
        "head_of_service_hours",
        "rhi_hours",
        "repeat_days",
        "profile_max_age_days",
        "lookback_days",
        "mpu_hours",
        "host_notify_hours",
    ):
        value = getattr(ladder, name)
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ValidationError(FIELD_LABELS[name], "must be a positive number")
    if not isinstance(ladder.repeat_count, int) or ladder.repeat_count < 2:
        raise ValidationError(FIELD_LABELS["repeat_count"], "must be a whole number of at least 2")
    if not ladder.manager_review_hours < ladder.strategy_meeting_hours:
        raise ValidationError(FIELD_LABELS["strategy_meeting_hours"], "must be later than the manager review")
    if not ladder.strategy_meeting_hours < ladder.head_of_service_hours:
        raise ValidationError(FIELD_LABELS["head_of_service_hours"], "must be later than the strategy meeting")
    if not ladder.office_start < ladder.office_end:
        raise ValidationError(FIELD_LABELS["office_end"], "must be after the start of office hours")
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in ladder.office_days):
        raise ValidationError(FIELD_LABELS["office_days"], "must be days of the week (0 = Monday .. 6 = Sunday)")
    if parse_bank_holidays(ladder.bank_holidays) != ladder.bank_holidays:
        raise ValidationError(FIELD_LABELS["bank_holidays"], "must be dates in order, each once")


DEFAULT_LADDER = Ladder()
