"""The escalation ladder: defaults from DESIGN.md, every threshold configurable per council.

Stored in the shared database (setting table, key "ladder") so every desktop uses the same
ladder. Pure data: alert rules and the handover sheet both read it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import time
from typing import Any


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


DEFAULT_LADDER = Ladder()
