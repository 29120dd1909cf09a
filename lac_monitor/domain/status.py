"""A child's status is derived from facts at a clock time, never typed in.

`derive_status` is the reference definition. The board computes the same thing in
SQL (storage/board.py) for every child in one query; the UI re-derives it locally
as the clock ticks so that a return turning "RHI overdue" needs no database traffic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

DEFAULT_RHI_HOURS = 72


class ChildStatus(StrEnum):
    IN_PLACEMENT = "in_placement"
    MISSING = "missing"
    AWAY = "away"
    RETURNED_RHI_DUE = "returned_rhi_due"
    RHI_OVERDUE = "rhi_overdue"
    LEFT_CARE = "left_care"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def urgency(self) -> int:
        """Sort key: lower comes first on the board."""
        return _URGENCY[self]


STATUS_LABELS = {
    ChildStatus.IN_PLACEMENT: "In placement",
    ChildStatus.MISSING: "Missing",
    ChildStatus.AWAY: "Away",
    ChildStatus.RETURNED_RHI_DUE: "Returned — RHI due",
    ChildStatus.RHI_OVERDUE: "Returned — RHI overdue",
    ChildStatus.LEFT_CARE: "Left care",
}

_URGENCY = {
    ChildStatus.MISSING: 0,
    ChildStatus.AWAY: 1,
    ChildStatus.RHI_OVERDUE: 2,
    ChildStatus.RETURNED_RHI_DUE: 3,
    ChildStatus.IN_PLACEMENT: 4,
    ChildStatus.LEFT_CARE: 5,
}


@dataclass(frozen=True, slots=True)
class StatusFacts:
    """What status depends on, for one child at one time."""

    in_care: bool  # a care episode is open on the local date
    episode_category: str | None  # latest missing episode started at or before now
    episode_started_at: datetime | None
    episode_returned_at: datetime | None
    rhi_offered_at: datetime | None
    rhi_done_at: datetime | None  # completed or declined


def derive_status(facts: StatusFacts, now: datetime, rhi_hours: float = DEFAULT_RHI_HOURS) -> ChildStatus:
    if facts.episode_started_at is not None and facts.episode_started_at <= now:
        returned = facts.episode_returned_at
        if returned is None or returned > now:
            if facts.episode_category == "A":
                return ChildStatus.AWAY
            return ChildStatus.MISSING
        if not facts.in_care:
            return ChildStatus.LEFT_CARE
        done = facts.rhi_done_at is not None and facts.rhi_done_at <= now
        if not done:
            offered = facts.rhi_offered_at is not None and facts.rhi_offered_at <= now
            if offered or now < returned + timedelta(hours=rhi_hours):
                return ChildStatus.RETURNED_RHI_DUE
            return ChildStatus.RHI_OVERDUE
    if not facts.in_care:
        return ChildStatus.LEFT_CARE
    return ChildStatus.IN_PLACEMENT


def rhi_due_at(returned_at: datetime | None, rhi_hours: float = DEFAULT_RHI_HOURS) -> datetime | None:
    return None if returned_at is None else returned_at + timedelta(hours=rhi_hours)


def age_on(dob: date, on: date) -> int:
    years = on.year - dob.year
    if (on.month, on.day) < (dob.month, dob.day):
        years -= 1
    return years
