"""What a committed change touched, typed: the kind of change and the record it names.

Every action writes one change-feed row per record it changed (services/uow.py); every
desktop and the escalation service read the feed after their last sequence (storage/feed.py)
and get `ChangeEvent`s. A reader says what it listens to by the subject types it matches,
as Anki's operations say what they changed, so mypy checks the names instead of string
prefixes being matched at run time:

    match event.subject:
        case AlertChanged(alert_id=alert_id): ...
        case SettingChanged(): ...

The feed's wire format (kind text, entity, entity id, child id) is unchanged, so existing
databases read as before; a kind or entity written by a newer version reads as
`ChangeKind.UNKNOWN` / `UnknownSubject`, never as an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar


class ChangeKind(StrEnum):
    """What happened. The value is the text stored in change_feed.kind."""

    TEAM_ADDED = "team.added"
    STAFF_ADDED = "staff.added"
    STAFF_CHANGED = "staff.changed"
    CHILD_ADDED = "child.added"
    CHILD_UPDATED = "child.updated"
    CARE_STARTED = "care.started"
    CARE_PLACEMENT_CHANGED = "care.placement_changed"
    CARE_ENDED = "care.ended"
    CARE_REOPENED = "care.reopened"
    FLAG_CHANGED = "flag.changed"
    EPISODE_REPORTED = "episode.reported"
    EPISODE_UPDATED = "episode.updated"
    EPISODE_RISK_CHANGED = "episode.risk_changed"
    EPISODE_RECLASSIFIED = "episode.reclassified"
    EPISODE_TIMELINE = "episode.timeline"
    EPISODE_AMENDED = "episode.amended"
    EPISODE_RETURNED = "episode.returned"
    EPISODE_NOTIFIED = "episode.notified"
    RHI_OFFERED = "rhi.offered"
    RHI_UPDATED = "rhi.updated"
    PROFILE_SAVED = "profile.saved"
    HOST_CONTACT_SAVED = "host_contact.saved"
    SETTING_CHANGED = "setting.changed"
    ALERT_RAISED = "alert.raised"
    ALERT_RESOLVED = "alert.resolved"
    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    REGISTER_IMPORTED = "register.imported"
    DEMO_GENERATED = "demo.generated"
    UNKNOWN = "unknown"  # read only: written by a newer version

    @classmethod
    def read(cls, text: str) -> ChangeKind:
        try:
            return cls(text)
        except ValueError:
            return cls.UNKNOWN


# -- what changed: one small record per kind of thing -----------------------------------------
@dataclass(frozen=True, slots=True)
class ChildChanged:
    """The child's own record (names, allocation, restriction)."""

    entity: ClassVar[str] = "child"
    child_id: str

    @property
    def entity_id(self) -> str:
        return self.child_id


@dataclass(frozen=True, slots=True)
class CareChanged:
    """A period of care (start, placement, end)."""

    entity: ClassVar[str] = "care_episode"
    care_episode_id: int
    child_id: str

    @property
    def entity_id(self) -> str:
        return str(self.care_episode_id)


@dataclass(frozen=True, slots=True)
class FlagChanged:
    """A risk flag set or ended."""

    entity: ClassVar[str] = "risk_flag"
    flag_id: int
    child_id: str

    @property
    def entity_id(self) -> str:
        return str(self.flag_id)


@dataclass(frozen=True, slots=True)
class EpisodeChanged:
    """A missing episode: reported, updated, graded, returned, notified."""

    entity: ClassVar[str] = "missing_episode"
    episode_id: int
    child_id: str

    @property
    def entity_id(self) -> str:
        return str(self.episode_id)


@dataclass(frozen=True, slots=True)
class RhiChanged:
    """A return-home interview."""

    entity: ClassVar[str] = "rhi"
    rhi_id: int
    child_id: str

    @property
    def entity_id(self) -> str:
        return str(self.rhi_id)


@dataclass(frozen=True, slots=True)
class ProfileChanged:
    """The child's Philomena profile."""

    entity: ClassVar[str] = "philomena_profile"
    child_id: str

    @property
    def entity_id(self) -> str:
        return self.child_id


@dataclass(frozen=True, slots=True)
class AlertChanged:
    """An alert raised, resolved or acknowledged; some alerts name no child."""

    entity: ClassVar[str] = "alert"
    alert_id: int
    child_id: str | None = None

    @property
    def entity_id(self) -> str:
        return str(self.alert_id)


@dataclass(frozen=True, slots=True)
class SettingChanged:
    """A council setting (the escalation ladder, office hours, labels)."""

    entity: ClassVar[str] = "setting"
    key: str
    child_id: ClassVar[None] = None

    @property
    def entity_id(self) -> str:
        return self.key


@dataclass(frozen=True, slots=True)
class StaffChanged:
    """A member of staff added or changed: whose caseload a child is on may change."""

    entity: ClassVar[str] = "staff"
    staff_id: int
    child_id: ClassVar[None] = None

    @property
    def entity_id(self) -> str:
        return str(self.staff_id)


@dataclass(frozen=True, slots=True)
class TeamChanged:
    """A team added."""

    entity: ClassVar[str] = "team"
    team_id: int
    child_id: ClassVar[None] = None

    @property
    def entity_id(self) -> str:
        return str(self.team_id)


@dataclass(frozen=True, slots=True)
class HostContactsChanged:
    """The contacts of host authorities (for out-of-area notifications)."""

    entity: ClassVar[str] = "host_authority_contact"
    child_id: ClassVar[None] = None
    entity_id: ClassVar[None] = None


@dataclass(frozen=True, slots=True)
class RegisterChanged:
    """Anything may have changed (an SSDA903 import, a demo council): read everything again."""

    entity: ClassVar[str] = "database"
    child_id: ClassVar[None] = None
    entity_id: ClassVar[None] = None


@dataclass(frozen=True, slots=True)
class UnknownSubject:
    """A record kind written by a newer version: only its child, if any, is known."""

    entity: str
    entity_id: str | None
    child_id: str | None


Subject = (
    ChildChanged
    | CareChanged
    | FlagChanged
    | EpisodeChanged
    | RhiChanged
    | ProfileChanged
    | AlertChanged
    | SettingChanged
    | StaffChanged
    | TeamChanged
    | HostContactsChanged
    | RegisterChanged
    | UnknownSubject
)

# The records each kind of change names (the writer's contract; tests check the services).
SUBJECT_OF: dict[ChangeKind, type[Subject]] = {
    ChangeKind.TEAM_ADDED: TeamChanged,
    ChangeKind.STAFF_ADDED: StaffChanged,
    ChangeKind.STAFF_CHANGED: StaffChanged,
    ChangeKind.CHILD_ADDED: ChildChanged,
    ChangeKind.CHILD_UPDATED: ChildChanged,
    ChangeKind.CARE_STARTED: CareChanged,
    ChangeKind.CARE_PLACEMENT_CHANGED: CareChanged,
    ChangeKind.CARE_ENDED: CareChanged,
    ChangeKind.CARE_REOPENED: CareChanged,
    ChangeKind.FLAG_CHANGED: FlagChanged,
    ChangeKind.EPISODE_REPORTED: EpisodeChanged,
    ChangeKind.EPISODE_UPDATED: EpisodeChanged,
    ChangeKind.EPISODE_RISK_CHANGED: EpisodeChanged,
    ChangeKind.EPISODE_RECLASSIFIED: EpisodeChanged,
    ChangeKind.EPISODE_TIMELINE: EpisodeChanged,
    ChangeKind.EPISODE_AMENDED: EpisodeChanged,
    ChangeKind.EPISODE_RETURNED: EpisodeChanged,
    ChangeKind.EPISODE_NOTIFIED: EpisodeChanged,
    ChangeKind.RHI_OFFERED: RhiChanged,
    ChangeKind.RHI_UPDATED: RhiChanged,
    ChangeKind.PROFILE_SAVED: ProfileChanged,
    ChangeKind.HOST_CONTACT_SAVED: HostContactsChanged,
    ChangeKind.SETTING_CHANGED: SettingChanged,
    ChangeKind.ALERT_RAISED: AlertChanged,
    ChangeKind.ALERT_RESOLVED: AlertChanged,
    ChangeKind.ALERT_ACKNOWLEDGED: AlertChanged,
    ChangeKind.REGISTER_IMPORTED: RegisterChanged,
    ChangeKind.DEMO_GENERATED: RegisterChanged,
}


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


def read_subject(entity: str, entity_id: str | None, child_id: str | None) -> Subject:
    """The typed record a feed row names; an unfamiliar or damaged one is `UnknownSubject`."""
    n = _int(entity_id)
    if entity == "child" and entity_id:
        return ChildChanged(entity_id)
    if entity == "philomena_profile" and (child_id or entity_id):
        return ProfileChanged(child_id or entity_id or "")
    if entity == "setting" and entity_id:
        return SettingChanged(entity_id)
    if entity == "database":
        return RegisterChanged()
    if entity == "host_authority_contact":
        return HostContactsChanged()
    if n is not None:
        if entity == "alert":
            return AlertChanged(n, child_id)
        if entity == "staff":
            return StaffChanged(n)
        if entity == "team":
            return TeamChanged(n)
        if child_id:
            if entity == "missing_episode":
                return EpisodeChanged(n, child_id)
            if entity == "rhi":
                return RhiChanged(n, child_id)
            if entity == "care_episode":
                return CareChanged(n, child_id)
            if entity == "risk_flag":
                return FlagChanged(n, child_id)
    return UnknownSubject(entity, entity_id, child_id)


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One committed change as a reader gets it."""

    seq: int
    at: datetime
    kind: ChangeKind
    subject: Subject
    username: str

    @property
    def child_id(self) -> str | None:
        """The child whose board row and record may have changed, if one."""
        return self.subject.child_id

    # The wire fields, for scripts (`lac-monitor changes --format json`).
    @property
    def entity(self) -> str:
        return self.subject.entity

    @property
    def entity_id(self) -> str | None:
        return self.subject.entity_id

    @classmethod
    def read(
        cls, seq: int, at: datetime, kind: str, entity: str, entity_id: str | None, child_id: str | None, username: str
    ) -> ChangeEvent:
        """From a change_feed row."""
        return cls(seq, at, ChangeKind.read(kind), read_subject(entity, entity_id, child_id), username)


def wire(kind: ChangeKind, subject: Subject) -> tuple[str, str, str | None, str | None]:
    """What the change_feed row stores: kind, entity, entity id, child id."""
    return kind.value, subject.entity, subject.entity_id, subject.child_id
