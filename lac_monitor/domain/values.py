"""Plain, immutable rows that cross layers (an ORM object never reaches the UI)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from lac_monitor.domain.status import DEFAULT_RHI_HOURS, ChildStatus, StatusFacts, derive_status


@dataclass(frozen=True, slots=True)
class BoardRow:
    child_id: str
    first_name: str
    last_name: str
    preferred_name: str | None
    dob: date
    status: ChildStatus
    in_care: bool
    category: str | None  # of the latest episode
    episode_id: int | None
    episode_version: int | None
    missing_since: datetime | None
    returned_at: datetime | None
    risk: str | None
    police_ref: str | None
    last_seen: str | None
    rhi_id: int | None
    rhi_offered_at: datetime | None
    rhi_done_at: datetime | None
    social_worker_id: int | None
    social_worker: str | None
    team_id: int | None
    team: str | None
    placement_type: str | None
    locality: str | None
    flags: tuple[str, ...] = field(default=())
    # Missing and away episodes started in the last 30 / 90 / 365 days (domain/patterns.py).
    episode_counts: tuple[int, int, int] = (0, 0, 0)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.first_name} ({self.preferred_name}) {self.last_name}"
        return self.name

    def facts(self) -> StatusFacts:
        return StatusFacts(
            in_care=self.in_care,
            episode_category=self.category,
            episode_started_at=self.missing_since,
            episode_returned_at=self.returned_at,
            rhi_offered_at=self.rhi_offered_at,
            rhi_done_at=self.rhi_done_at,
        )

    def status_at(self, now: datetime, rhi_hours: float = DEFAULT_RHI_HOURS) -> ChildStatus:
        """Re-derive as the clock moves, without the database."""
        return derive_status(self.facts(), now, rhi_hours)

    @property
    def is_out(self) -> bool:
        return self.status in (ChildStatus.MISSING, ChildStatus.AWAY)
