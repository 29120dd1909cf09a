"""What the handover sheet and the missing-person profile print: immutable plain values.

Built by services/handover.py from the database, turned into PDF bytes by reports/.
Both layers stand on this one definition (domain imports nothing third-party).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lac_monitor.domain.records import ProfileView


# -- the data the reports print ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MissingLine:
    child_id: str
    name: str
    dob: date | None
    category: str
    since: datetime
    risk: str | None
    police_ref: str | None
    last_seen: str | None
    placement: str | None
    worker: str | None
    team: str | None
    next_due: str | None
    next_due_at: datetime | None
    flags: tuple[str, ...] = ()
    profile_included: bool = False
    # For the order only (domain/urgency.py): the sheet lists children as the board does.
    last_name: str = ""
    first_name: str = ""


@dataclass(frozen=True, slots=True)
class EndedLine:
    child_id: str
    name: str
    category: str
    started_at: datetime
    returned_at: datetime
    risk: str | None
    police_ref: str | None
    found_where: str | None


@dataclass(frozen=True, slots=True)
class ReturnLine:
    child_id: str
    name: str
    category: str
    returned_at: datetime
    found_where: str | None
    rhi_due_at: datetime
    rhi_status: str  # not_offered | offered | accepted | declined | completed
    rhi_at: datetime | None
    safe_well_at: datetime | None
    worker: str | None


@dataclass(frozen=True, slots=True)
class EscalationLine:
    child_id: str
    name: str
    due_at: datetime
    what: str
    category: str | None
    risk: str | None
    worker: str | None


@dataclass(frozen=True, slots=True)
class AlertLine:
    raised_at: datetime
    severity: str
    rule: str
    message: str
    child_id: str | None
    name: str | None
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class HistoryLine:
    started_at: datetime
    returned_at: datetime | None
    category: str
    risk: str | None
    found_where: str | None


@dataclass(frozen=True, slots=True)
class FlagLine:
    flag: str
    since: date


@dataclass(frozen=True, slots=True)
class CurrentEpisode:
    category: str
    started_at: datetime
    reported_by: str | None
    police_ref: str | None
    risk: str | None
    last_seen_where: str | None
    last_seen_with: str | None
    last_seen_wearing: str | None
    circumstances: str | None


@dataclass(frozen=True, slots=True)
class ProfileData:
    child_id: str
    first_name: str
    last_name: str
    preferred_name: str | None
    dob: date
    age: int
    sex: str
    ethnicity: str
    photo: bytes | None
    profile: ProfileView | None  # None: no Philomena profile recorded yet
    flags: tuple[FlagLine, ...]
    placement_name: str | None
    placement_type: str | None
    placement_address: str | None
    placement_postcode: str | None
    carer_name: str | None
    carer_phone: str | None
    worker: str | None
    worker_phone: str | None
    team: str | None
    locality: str | None
    episode: CurrentEpisode | None
    history: tuple[HistoryLine, ...]
    printed_at: datetime
    printed_by: str


@dataclass(frozen=True, slots=True)
class HandoverData:
    printed_at: datetime
    printed_by: str
    start: datetime
    end: datetime
    next_shift_end: datetime
    scope: str
    notes: str | None
    started_count: int
    missing: tuple[MissingLine, ...]
    ended: tuple[EndedLine, ...]
    returns: tuple[ReturnLine, ...]
    escalations: tuple[EscalationLine, ...]
    alerts: tuple[AlertLine, ...]
    profiles: tuple[ProfileData, ...] = ()
    team_id: int | None = None
    locality: str | None = None
    info_alert_count: int = 0  # unacknowledged Info alerts: counted on the sheet, not listed

    @property
    def child_ids(self) -> tuple[str, ...]:
        """Every child named on the sheet, for the print audit."""
        seen: dict[str, None] = {}
        for group in (self.missing, self.ended, self.returns, self.escalations):
            for line in group:
                seen[line.child_id] = None
        for a in self.alerts:
            if a.child_id:
                seen[a.child_id] = None
        return tuple(seen)

    @property
    def profile_ids(self) -> tuple[str, ...]:
        return tuple(p.child_id for p in self.profiles)
