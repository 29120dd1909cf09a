"""The escalation ladder: defaults from DESIGN.md, every threshold configurable per council.

Stored in the shared database (setting table, key "ladder") so every desktop uses the same
ladder. Pure data: alert rules and the handover sheet both read it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, time
from typing import Any

from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.localtime import to_local

LADDER_KEY = "ladder"  # the `setting` row that holds the ladder (and office hours) as JSON


@dataclass(frozen=True)
class Ladder:
    police_ref_chase_hours: float = 1.0  # no police reference after this long
    manager_review_hours: float = 24.0
    strategy_meeting_hours: float = 48.0
    head_of_service_hours: float = 72.0
    rhi_hours: float = 72.0  # RHI to be offered within this long of the return
    repeat_count: int = 3  # this many episodes ...
    repeat_days: int = 30  # ... within this many days is a repeat-missing pattern
    profile_max_age_days: int = 183  # Philomena profile older than this is stale
    office_start: time = time(8, 45)  # outside office hours the duty team sees every alert
    office_end: time = time(17, 0)
    office_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday..Friday
    # Alerts are raised only for events and thresholds this recent, so a fresh or restored
    # database does not flood every inbox with years of history.
    lookback_days: int = 7

    def is_office_hours(self, at: datetime) -> bool:
        """Office hours in the council's local time; outside them the duty team is on."""
        local = to_local(at)
        return (local.weekday() in self.office_days
                and self.office_start <= local.time().replace(tzinfo=None) < self.office_end)

    def missing_thresholds(self) -> tuple[tuple[str, float], ...]:
        """(rule key, hours) for the escalations that fall due while a child is missing."""
        return (("missing_24h", self.manager_review_hours),
                ("missing_48h", self.strategy_meeting_hours),
                ("missing_72h", self.head_of_service_hours))

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["office_start"] = self.office_start.strftime("%H:%M")
        out["office_end"] = self.office_end.strftime("%H:%M")
        out["office_days"] = list(self.office_days)
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
        return cls(**kw)


FIELD_LABELS: dict[str, str] = {
    "police_ref_chase_hours": "no police reference after (hours)",
    "manager_review_hours": "manager review after (hours missing)",
    "strategy_meeting_hours": "strategy meeting after (hours missing)",
    "head_of_service_hours": "head of service informed after (hours missing)",
    "rhi_hours": "RHI to be offered within (hours of return)",
    "repeat_count": "repeat missing: episodes",
    "repeat_days": "repeat missing: within (days)",
    "profile_max_age_days": "Philomena profile out of date after (days)",
    "office_start": "office hours start",
    "office_end": "office hours end",
    "office_days": "office days",
    "lookback_days": "alert look-back (days)",
}


def validate_ladder(ladder: Ladder) -> None:
    """Raise ValidationError naming the field and the rule it breaks."""
    for name in ("police_ref_chase_hours", "manager_review_hours", "strategy_meeting_hours",
                 "head_of_service_hours", "rhi_hours", "repeat_days", "profile_max_age_days",
                 "lookback_days"):
        value = getattr(ladder, name)
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ValidationError(FIELD_LABELS[name], "must be a positive number")
    if not isinstance(ladder.repeat_count, int) or ladder.repeat_count < 2:
        raise ValidationError(FIELD_LABELS["repeat_count"], "must be a whole number of at least 2")
    if not ladder.manager_review_hours < ladder.strategy_meeting_hours:
        raise ValidationError(FIELD_LABELS["strategy_meeting_hours"],
                              "must be later than the manager review")
    if not ladder.strategy_meeting_hours < ladder.head_of_service_hours:
        raise ValidationError(FIELD_LABELS["head_of_service_hours"],
                              "must be later than the strategy meeting")
    if not ladder.office_start < ladder.office_end:
        raise ValidationError(FIELD_LABELS["office_end"], "must be after the start of office hours")
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in ladder.office_days):
        raise ValidationError(FIELD_LABELS["office_days"], "must be days of the week (0 = Monday .. 6 = Sunday)")


DEFAULT_LADDER = Ladder()
