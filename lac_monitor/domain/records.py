"""A child's full record as plain frozen values (detail pane, profile sheet)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class EventView:
    id: int
    kind: str
    at: datetime
    recorded_at: datetime
    recorded_by: str
    text: str | None
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True, slots=True)
class RhiView:
    id: int
    offered_at: datetime | None
    offered_by: str | None
    accepted_at: datetime | None
    declined_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    outcome: str | None
    version: int
    episode_ids: tuple[int, ...]
    outcome_code: str | None = None  # domain.record.RHI_OUTCOMES


@dataclass(frozen=True, slots=True)
class EpisodeView:
    id: int
    child_id: str
    category: str
    started_at: datetime
    reported_at: datetime
    reported_by: str | None
    police_reported_at: datetime | None
    police_ref: str | None
    risk_grade: str | None
    last_seen_where: str | None
    last_seen_with: str | None
    last_seen_wearing: str | None
    circumstances: str | None
    returned_at: datetime | None
    found_where: str | None
    return_method: str | None
    safe_well_at: datetime | None
    safe_well_by: str | None
    safe_well_notes: str | None
    owner: str | None
    updated_at: datetime
    updated_by: str
    version: int
    events: tuple[EventView, ...]
    rhi_id: int | None

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


@dataclass(frozen=True, slots=True)
class CareEpisodeView:
    id: int
    decom: date
    rne: str
    ls: str
    cin: str
    place: str
    place_provider: str | None
    pl_post: str | None
    urn: str | None
    dec: date | None
    rec: str | None
    reason_place_change: str | None
    placement_name: str | None
    placement_address: str | None
    carer_name: str | None
    carer_phone: str | None
    version: int
    home_post: str | None = None
    host_la: str | None = None
    out_of_area: bool | None = None  # host council differs from the council's own (unknown: None)


@dataclass(frozen=True, slots=True)
class FlagView:
    flag: str
    since: date
    set_by: str
    ended_on: date | None
    note: str | None


# The Philomena profile's own text fields, in the order forms and sheets show them, with their
# labels: the form, the service, the record and the printed profile all read this one list.
PROFILE_TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("description", "Description"),
    ("associates", "Associates"),
    ("places_likely", "Places likely to go"),
    ("phone", "Phone"),
    ("social_media", "Social media"),
    ("medical_needs", "Medical needs"),
    ("other_info", "Other information"),
)


@dataclass(frozen=True, slots=True)
class ProfileView:
    """The child's Philomena profile as saved (the record pane and the printed profile)."""

    description: str | None
    associates: str | None
    places_likely: str | None
    phone: str | None
    social_media: str | None
    medical_needs: str | None
    other_info: str | None
    updated_at: datetime
    updated_by: str
    version: int


@dataclass(frozen=True, slots=True)
class ChildDetail:
    id: str
    first_name: str
    last_name: str
    preferred_name: str | None
    dob: date
    sex: str
    ethnicity: str
    upn: str | None
    locality: str | None
    photo: bytes | None
    social_worker: str | None
    social_worker_phone: str | None
    team: str | None
    care_episodes: tuple[CareEpisodeView, ...]  # newest first
    flags: tuple[FlagView, ...]
    profile: ProfileView | None
    episodes: tuple[EpisodeView, ...]  # newest first
    rhis: tuple[RhiView, ...]
    mother: bool | None = None
    mc_dob: date | None = None
    version: int = 0

    @property
    def current_placement(self) -> CareEpisodeView | None:
        for ce in self.care_episodes:
            if ce.dec is None:
                return ce
        return None

    @property
    def active_flags(self) -> tuple[FlagView, ...]:
        return tuple(f for f in self.flags if f.ended_on is None)

    @property
    def open_episode(self) -> EpisodeView | None:
        for e in self.episodes:
            if e.is_open:
                return e
        return None


PROFILE_VIEW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ProfileView))
