"""The register's tables, as a typed SQLAlchemy 2 mapping.

Changes to this file need an Alembic migration in storage/migrations/versions.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lac_monitor.storage.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Team(Base):
    __tablename__ = "team"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    locality: Mapped[str | None] = mapped_column(String(80))


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)  # OS / domain login
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(30))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Child(Base):
    __tablename__ = "child"
    id: Mapped[str] = mapped_column(String(10), primary_key=True)  # SSDA903 CHILD
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    dob: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    ethnicity: Mapped[str] = mapped_column(String(4))
    upn: Mapped[str | None] = mapped_column(String(13))
    mother: Mapped[bool | None] = mapped_column(Boolean)
    mc_dob: Mapped[date | None] = mapped_column(Date)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    locality: Mapped[str | None] = mapped_column(String(80))
    social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    # Restricted (a child of a member of staff, a high-profile case): on PostgreSQL only the
    # allocated worker, that team's managers, the head of service, the duty team and
    # administrators see anything of this child (row-level security, storage/provision.py).
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    restricted_reason: Mapped[str | None] = mapped_column(Text)
    restricted_by: Mapped[str | None] = mapped_column(String(120))
    restricted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    __table_args__ = (
        Index("ix_child_restricted", "id", sqlite_where=text("restricted"), postgresql_where=text("restricted")),
    )


class CareEpisode(Base):
    """SSDA903 episode. The open one (no DEC) is the current placement."""

    __tablename__ = "care_episode"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("child.id"), index=True)
    decom: Mapped[date] = mapped_column(Date)
    rne: Mapped[str] = mapped_column(String(1))
    ls: Mapped[str] = mapped_column(String(2))
    cin: Mapped[str] = mapped_column(String(2))
    place: Mapped[str] = mapped_column(String(3))
    place_provider: Mapped[str | None] = mapped_column(String(3))
    home_post: Mapped[str | None] = mapped_column(String(8))
    pl_post: Mapped[str | None] = mapped_column(String(8))
    urn: Mapped[str | None] = mapped_column(String(10))
    host_la: Mapped[str | None] = mapped_column(String(9))  # PL_LA: ONS code, or WAL/SCO/NIR/NUK
    dec: Mapped[date | None] = mapped_column(Date)
    rec: Mapped[str | None] = mapped_column(String(3))
    reason_place_change: Mapped[str | None] = mapped_column(String(6))
    placement_name: Mapped[str | None] = mapped_column(String(200))
    placement_address: Mapped[str | None] = mapped_column(Text)
    carer_name: Mapped[str | None] = mapped_column(String(200))
    carer_phone: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    __table_args__ = (
        Index(
            "uq_care_episode_open",
            "child_id",
            unique=True,
            sqlite_where=text("dec IS NULL"),
            postgresql_where=text("dec IS NULL"),
        ),
    )


class RiskFlagRow(Base):
    __tablename__ = "risk_flag"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("child.id"), index=True)
    flag: Mapped[str] = mapped_column(String(30))
    since: Mapped[date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(120))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class PhilomenaProfile(Base):
    __tablename__ = "philomena_profile"
    child_id: Mapped[str] = mapped_column(ForeignKey("child.id"), primary_key=True)
    description: Mapped[str | None] = mapped_column(Text)  # height, build, hair, eyes, marks
    associates: Mapped[str | None] = mapped_column(Text)
    places_likely: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(80))
    social_media: Mapped[str | None] = mapped_column(Text)
    medical_needs: Mapped[str | None] = mapped_column(Text)
    other_info: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class MissingEpisode(Base):
    __tablename__ = "missing_episode"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("child.id"), index=True)
    category: Mapped[str] = mapped_column(String(1))  # M or A
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reported_by: Mapped[str | None] = mapped_column(String(200))  # e.g. "foster carer"
    police_reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    police_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    risk_grade: Mapped[str | None] = mapped_column(String(10))
    last_seen_where: Mapped[str | None] = mapped_column(Text)
    last_seen_with: Mapped[str | None] = mapped_column(Text)
    last_seen_wearing: Mapped[str | None] = mapped_column(Text)
    circumstances: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    found_where: Mapped[str | None] = mapped_column(Text)
    return_method: Mapped[str | None] = mapped_column(String(200))
    safe_well_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    safe_well_by: Mapped[str | None] = mapped_column(String(120))
    safe_well_notes: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    care_episode_id: Mapped[int | None] = mapped_column(ForeignKey("care_episode.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    __table_args__ = (
        # The database itself refuses a second open episode, whatever the race.
        Index(
            "uq_missing_episode_open",
            "child_id",
            unique=True,
            sqlite_where=text("returned_at IS NULL"),
            postgresql_where=text("returned_at IS NULL"),
        ),
        Index("ix_missing_episode_child_start", "child_id", "started_at"),
        # Trends by period and linked children (overlapping times) range over start times.
        Index("ix_missing_episode_started_at", "started_at"),
    )


class EpisodeEvent(Base):
    """Timeline of an episode: updates, sightings, risk changes, amendments."""

    __tablename__ = "episode_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("missing_episode.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime)  # when it happened
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(120))
    text: Mapped[str | None] = mapped_column(Text)
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))


class Rhi(Base):
    """Return-home interview. One RHI may cover several episodes."""

    __tablename__ = "rhi"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("child.id"), index=True)
    offered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    offered_by: Mapped[str | None] = mapped_column(String(120))
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(120))
    outcome: Mapped[str | None] = mapped_column(Text)
    outcome_code: Mapped[str | None] = mapped_column(String(30))  # domain.record.RHI_OUTCOMES
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class RhiEpisode(Base):
    __tablename__ = "rhi_episode"
    rhi_id: Mapped[int] = mapped_column(ForeignKey("rhi.id"), primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("missing_episode.id"), primary_key=True, unique=True)


class AuditLog(Base):
    """Who did what, when, before and after. Every write and every record opened on purpose.

    Append-only and hash-chained (storage/audit_chain.py): `hash` is SHA-256 over the row's
    content and `prev_hash`, the hash of the row before it. No foreign key to staff: the
    trail outlives any register (a demo --replace keeps it).
    """

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    username: Mapped[str] = mapped_column(String(80))
    staff_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    child_id: Mapped[str | None] = mapped_column(String(10), index=True)
    detail: Mapped[str | None] = mapped_column(Text)  # JSON: before/after
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class ChangeFeed(Base):
    """Every committed change, in commit order. Desktops catch up from `seq`."""

    __tablename__ = "change_feed"
    # AUTOINCREMENT on SQLite: a sequence number is never reused, even after rows are deleted.
    __table_args__ = {"sqlite_autoincrement": True}
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    child_id: Mapped[str | None] = mapped_column(String(10))
    username: Mapped[str] = mapped_column(String(80))


class Setting(Base):
    """Council-wide settings (thresholds, labels, office hours), shared by every desktop."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))


class Alert(Base):
    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))
    # rule + episode/child + threshold: raised exactly once, whoever notices first.
    unique_key: Mapped[str] = mapped_column(String(160), unique=True)
    child_id: Mapped[str | None] = mapped_column(ForeignKey("child.id"), index=True)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("missing_episode.id"))
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    audiences: Mapped[str] = mapped_column(Text)  # JSON list
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    raised_by: Mapped[str] = mapped_column(String(80))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))
    ack_note: Mapped[str | None] = mapped_column(Text)
    # Raised well after due_at (nobody was evaluating); shown as "raised late: due at 03:00".
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The condition ended (child returned, reference recorded): off the banner, kept in history.
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_reason: Mapped[str | None] = mapped_column(String(120))
    # A duty officer's acknowledgement: until then the duty team keeps an alert addressed to it.
    duty_acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duty_acknowledged_by: Mapped[str | None] = mapped_column(String(120))


class AlertRecipient(Base):
    """Resolved recipients at raise time (staff ids), so inbox queries stay simple."""

    __tablename__ = "alert_recipient"
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True, index=True)


class ServiceHeartbeat(Base):
    """One row per escalation service instance (`lac-monitor service`), updated after every
    evaluation: `service --check` reads it, and a restarted service evaluates back to the
    last evaluation so nothing due in the gap is lost."""

    __tablename__ = "service_heartbeat"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)  # instance, default the host
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    evaluated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    interval_seconds: Mapped[int] = mapped_column(Integer)
    raised_total: Mapped[int] = mapped_column(Integer, default=0)  # since this instance started
    stopped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # set on a clean stop


class EpisodeNotification(Base):
    """Who told whom, and when, about a missing episode: the UK Missing Persons Unit (police
    confirm), and for an out-of-area placement the host authority, the host police force and
    (when we are the host) the placing authority. One row per notification made."""

    __tablename__ = "episode_notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("missing_episode.id"), index=True)
    party: Mapped[str] = mapped_column(String(30))  # domain.patterns.NotifyParty
    notified_at: Mapped[datetime] = mapped_column(UtcDateTime)
    notified_by: Mapped[str] = mapped_column(String(200))  # who told them
    notified_whom: Mapped[str] = mapped_column(String(200))  # who was told
    method: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(120))


class HostAuthorityContact(Base):
    """A council's contacts for children placed in its area (maintained by administrators)."""

    __tablename__ = "host_authority_contact"
    la_code: Mapped[str] = mapped_column(String(9), primary_key=True)  # ONS code, as care_episode.host_la
    name: Mapped[str] = mapped_column(String(120))
    missing_contact: Mapped[str | None] = mapped_column(String(200))  # team or officer
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    out_of_hours_phone: Mapped[str | None] = mapped_column(String(40))
    police_force: Mapped[str | None] = mapped_column(String(120))
    police_phone: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(120))


class PatternValue(Base):
    """A person or place named on a child's profile or episode, as a structured value that
    matches across children (`norm`, domain.patterns.normalise_value). Derived from the free
    text when it is saved; the free text stays as typed."""

    __tablename__ = "pattern_value"
    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("child.id"), index=True)
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("missing_episode.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # domain.patterns.ValueKind
    value: Mapped[str] = mapped_column(String(200))
    norm: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)  # episode start, or profile saved

    __table_args__ = (Index("ix_pattern_value_norm", "norm", "kind"),)
