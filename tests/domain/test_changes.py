"""Change events are typed where the feed is read: what happened, to which record. The feed's
stored text is unchanged, so a database written before (or by a newer version) reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lac_monitor.domain.changes import (
    SUBJECT_OF,
    AlertChanged,
    CareChanged,
    ChangeEvent,
    ChangeKind,
    ChildChanged,
    EpisodeChanged,
    FlagChanged,
    HostContactsChanged,
    ProfileChanged,
    RegisterChanged,
    RhiChanged,
    SettingChanged,
    StaffChanged,
    Subject,
    TeamChanged,
    UnknownSubject,
    wire,
)
from lac_monitor.storage.feed import FeedReader
from tests.factories import World

AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

SAMPLES: dict[type[Subject], Subject] = {
    ChildChanged: ChildChanged("C1"),
    CareChanged: CareChanged(3, "C1"),
    FlagChanged: FlagChanged(4, "C1"),
    EpisodeChanged: EpisodeChanged(5, "C1"),
    RhiChanged: RhiChanged(6, "C1"),
    ProfileChanged: ProfileChanged("C1"),
    AlertChanged: AlertChanged(7, None),
    SettingChanged: SettingChanged("ladder"),
    StaffChanged: StaffChanged(8),
    TeamChanged: TeamChanged(9),
    HostContactsChanged: HostContactsChanged(),
    RegisterChanged: RegisterChanged(),
}


@pytest.mark.parametrize("kind", [k for k in ChangeKind if k is not ChangeKind.UNKNOWN])
def test_every_kind_reads_back_as_it_was_written(kind: ChangeKind) -> None:
    subject = SAMPLES[SUBJECT_OF[kind]]
    event = ChangeEvent.read(1, AT, *wire(kind, subject), "sw.one")
    assert (event.kind, event.subject) == (kind, subject)


def test_rows_an_existing_database_holds_read_typed() -> None:
    """The text stored before events were typed (services wrote these literals)."""
    rows = [
        ("episode.reported", "missing_episode", "12", "C000001"),
        ("alert.acknowledged", "alert", "40", None),
        ("setting.changed", "setting", "ladder", None),
        ("profile.saved", "philomena_profile", "C000002", "C000002"),
        ("register.imported", "database", None, None),
        ("demo.generated", "database", None, None),
    ]
    got = [ChangeEvent.read(n, AT, *row, "sw.one") for n, row in enumerate(rows)]
    assert [e.subject for e in got] == [
        EpisodeChanged(12, "C000001"),
        AlertChanged(40, None),
        SettingChanged("ladder"),
        ProfileChanged("C000002"),
        RegisterChanged(),
        RegisterChanged(),
    ]
    assert [(e.kind, e.entity, e.entity_id, e.child_id) for e in got] == rows  # the wire fields, as stored


def test_a_newer_versions_row_reads_as_unknown_and_keeps_its_child() -> None:
    event = ChangeEvent.read(1, AT, "photo.replaced", "child_photo", "77", "C000003", "sw.one")
    assert event.kind is ChangeKind.UNKNOWN
    assert event.subject == UnknownSubject("child_photo", "77", "C000003")
    assert event.child_id == "C000003"  # the board still re-reads that child's row


def test_a_service_writes_the_record_it_changed(world: World) -> None:
    child = world.add_child("C000010")
    reader = FeedReader(world.db)
    ep = world.episodes.report(child, "M", risk="high")
    world.episodes.save_profile(child, None, description="Tall")
    events = reader.read()
    assert [(e.kind, e.subject) for e in events if not isinstance(e.subject, AlertChanged)] == [
        (ChangeKind.EPISODE_REPORTED, EpisodeChanged(int(ep.id), child)),
        (ChangeKind.PROFILE_SAVED, ProfileChanged(child)),
    ]


def test_a_change_naming_the_wrong_record_is_refused(world: World) -> None:
    from lac_monitor.services.uow import UnitOfWork

    with UnitOfWork(world.db, world.actor, world.clock) as uow, pytest.raises(TypeError, match="EpisodeChanged"):
        uow.changed(ChangeKind.EPISODE_RETURNED, ChildChanged("C1"))
