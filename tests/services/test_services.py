"""Service behaviour a user would notice, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lac_monitor.domain.errors import ConflictError, NotFoundError, ValidationError
from lac_monitor.domain.status import ChildStatus
from lac_monitor.services.uow import Actor
from lac_monitor.storage.board import load_board
from lac_monitor.storage.database import Database
from lac_monitor.storage.feed import FeedReader, changes_since
from lac_monitor.storage.queries import child_detail
from lac_monitor.storage.schema import AuditLog, ChangeFeed, EpisodeEvent, MissingEpisode, Rhi
from tests.factories import FOSTER, World

H = timedelta(hours=1)


def status_of(db: Database, child_id: str, at) -> ChildStatus:  # type: ignore[no-untyped-def]
    with db.read_session() as s:
        (row,) = load_board(s, at, [child_id])
    return row.status


def counts(db: Database) -> tuple[int, int, int, int, int]:
    with db.read_session() as s:
        return (
            s.scalar(select(func.count()).select_from(MissingEpisode)) or 0,
            s.scalar(select(func.count()).select_from(EpisodeEvent)) or 0,
            s.scalar(select(func.count()).select_from(AuditLog)) or 0,
            s.scalar(select(func.count()).select_from(ChangeFeed)) or 0,
            s.scalar(select(func.count()).select_from(Rhi)) or 0,
        )


def test_report_on_one_connection_shows_missing_on_another(world: World, other_db: Database) -> None:
    child = world.add_child("C000001")
    reader = FeedReader(other_db)
    assert status_of(other_db, child, world.clock.now()) is ChildStatus.IN_PLACEMENT

    saved = world.episodes.report(
        child, "M", world.clock.now() - 2 * H, risk="high", police_ref="LOG-1234", last_seen_where="Bus station"
    )

    events = reader.read()
    assert [(e.kind, e.child_id) for e in events] == [("episode.reported", child)]
    assert events[0].seq == saved.seqs[-1]
    with other_db.read_session() as s:
        (row,) = load_board(s, world.clock.now(), [child])
    assert row.status is ChildStatus.MISSING
    assert (row.risk, row.police_ref, row.last_seen) == ("high", "LOG-1234", "Bus station")
    assert row.missing_since == world.clock.now() - 2 * H
    assert reader.read() == []  # nothing twice


def test_away_is_its_own_status_and_reclassification_moves_it(world: World) -> None:
    child = world.add_child("C000002")
    saved = world.episodes.report(child, "A", world.clock.now() - H)
    assert status_of(world.db, child, world.clock.now()) is ChildStatus.AWAY
    world.episodes.reclassify(saved.id, saved.version, "M", "no longer known where she is")
    assert status_of(world.db, child, world.clock.now()) is ChildStatus.MISSING


def test_return_then_rhi_lifecycle(world: World) -> None:
    child = world.add_child("C000003")
    now = world.clock.now()
    ep = world.episodes.report(child, "M", now - 10 * H)
    world.episodes.record_return(ep.id, ep.version, now - 2 * H, found_where="Friend's house")
    assert status_of(world.db, child, now) is ChildStatus.RETURNED_RHI_DUE
    # 72 hours after the return, with no RHI offered, the interview is overdue.
    assert status_of(world.db, child, now - 2 * H + timedelta(hours=72)) is ChildStatus.RHI_OVERDUE
    assert status_of(world.db, child, now - 2 * H + timedelta(hours=71, minutes=59)) is ChildStatus.RETURNED_RHI_DUE
    rhi = world.episodes.offer_rhi([ep.id], now - H)
    assert status_of(world.db, child, now + timedelta(days=5)) is ChildStatus.RETURNED_RHI_DUE
    world.episodes.complete_rhi(rhi.id, rhi.version, "Independent Interviewer", "Child spoke openly", now)
    assert status_of(world.db, child, now) is ChildStatus.IN_PLACEMENT


def test_one_rhi_covers_several_episodes(world: World) -> None:
    child = world.add_child("C000004")
    now = world.clock.now()
    a = world.episodes.report(child, "M", now - 30 * H)
    world.episodes.record_return(a.id, a.version, now - 28 * H)
    b = world.episodes.report(child, "A", now - 20 * H)
    world.episodes.record_return(b.id, b.version, now - 18 * H)
    world.episodes.offer_rhi([a.id, b.id], now - 10 * H)
    with world.db.read_session() as s:
        detail = child_detail(s, child)
    assert detail.rhis[0].episode_ids == (a.id, b.id)
    with pytest.raises(ValidationError, match="already covered"):
        world.episodes.offer_rhi([b.id], now)


def test_left_care_status(world: World) -> None:
    child = world.add_child("C000005")
    world.care.end_care(child, None, date(2026, 11, 20), "E4A")
    assert status_of(world.db, child, world.clock.now()) is ChildStatus.LEFT_CARE
    with pytest.raises(ValidationError, match="outside any period of care"):
        world.episodes.report(child, "M")


# -- rules: rejected with field and rule, nothing saved ------------------------------


@pytest.mark.parametrize(
    "case, field, rule",
    [
        ("return_before_start", "returned", "cannot be before start"),
        ("future_start", "start", "cannot be in the future"),
        ("future_return", "returned", "cannot be in the future"),
        ("second_open", "start", "already missing"),
        ("overlap", "start", "overlaps another missing episode"),
        ("before_dob", "start", "cannot be before date of birth"),
        ("outside_care", "start", "outside any period of care"),
        ("unknown_category", "category", "not a known code"),
        ("unknown_risk", "risk grade", "not a known code"),
        ("police_before_start", "reported to police", "cannot be before start"),
    ],
)
def test_rules_reject_with_message_and_save_nothing(world: World, case: str, field: str, rule: str) -> None:
    now = world.clock.now()
    child = world.add_child("C000010", dob=date(2012, 3, 1), in_care_since=date(2025, 6, 1))
    old = world.episodes.report(child, "M", now - 50 * H)
    old = world.episodes.record_return(old.id, old.version, now - 40 * H)
    open_child = world.add_child("C000011")
    world.episodes.report(open_child, "M", now - 3 * H)
    before = counts(world.db)
    eps = world.episodes
    with pytest.raises(ValidationError) as info:
        match case:
            case "return_before_start":
                ep = eps.report(child, "M", now - 5 * H)
                before = counts(world.db)
                eps.record_return(ep.id, ep.version, now - 6 * H)
            case "future_start":
                eps.report(child, "M", now + 2 * H)
            case "future_return":
                ep = eps.report(child, "M", now - 5 * H)
                before = counts(world.db)
                eps.record_return(ep.id, ep.version, now + H)
            case "second_open":
                eps.report(open_child, "A", now - H)
            case "overlap":
                eps.report(child, "M", now - 45 * H)
            case "before_dob":
                eps.amend_time(old.id, old.version, "started_at", world.clock.now().replace(year=2011), "typo")
            case "outside_care":
                eps.report(child, "M", now.replace(year=2025, month=5, day=1))
            case "unknown_category":
                eps.report(child, "X")
            case "unknown_risk":
                eps.report(child, "M", risk="extreme")
            case "police_before_start":
                eps.report(child, "M", now - 5 * H, police_ref="LOG-9", police_reported_at=now - 6 * H)
    err = info.value
    assert err.field == field
    assert rule in err.rule
    assert str(err).startswith(f"{field}: ")
    assert counts(world.db) == before


def test_unknown_care_codes_are_rejected(world: World) -> None:
    child = world.add_child("C000012", in_care_since=None)
    from lac_monitor.services.care import Placement

    with pytest.raises(ValidationError, match="LS \\(legal status\\): 'Q9' is not a known code"):
        world.care.start_care(child, date(2025, 1, 1), Placement(ls="Q9", cin="N1", place="U4", place_provider="PR1"))
    with pytest.raises(ValidationError, match="PLACE_PROVIDER: must be blank"):
        world.care.start_care(child, date(2025, 1, 1), Placement(ls="C2", cin="N1", place="T0", place_provider="PR1"))
    with pytest.raises(NotFoundError):
        world.episodes.report("NOSUCH", "M")


def test_stale_edit_names_who_changed_it(world: World) -> None:
    child = world.add_child("C000020")
    ep = world.episodes.report(child, "M", world.clock.now() - H, risk="low")
    world.as_(world.manager).change_risk(ep.id, ep.version, "high", "seen with older males")
    before = counts(world.db)
    with pytest.raises(ConflictError) as info:
        world.episodes.record_police_ref(ep.id, ep.version, "LOG-55")  # loaded before the change
    assert "Morgan Managerone" in str(info.value)
    assert "25/11/2026 12:00" in str(info.value)
    assert counts(world.db) == before


def test_two_desktops_editing_one_episode_at_once(world: World, other_db: Database) -> None:
    child = world.add_child("C000021")
    ep = world.episodes.report(child, "M", world.clock.now() - H, risk="low")
    results: list[object] = []
    barrier = threading.Barrier(2)

    def edit(db: Database, actor: Actor, risk: str) -> None:
        svc = world.as_(actor, db)
        barrier.wait()
        try:
            results.append(svc.change_risk(ep.id, ep.version, risk, "concurrent"))
        except ConflictError as exc:
            results.append(exc)

    threads = [
        threading.Thread(target=edit, args=(world.db, world.actor, "medium")),
        threading.Thread(target=edit, args=(other_db, world.manager, "high")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(type(r).__name__ for r in results) == ["ConflictError", "Saved"]
    with world.db.read_session() as s:
        stored = s.get(MissingEpisode, ep.id)
        assert stored is not None and stored.version == ep.version + 1


def test_two_desktops_reporting_the_same_child_at_once(world: World, other_db: Database) -> None:
    child = world.add_child("C000022")
    results: list[object] = []
    barrier = threading.Barrier(2)

    def report(db: Database) -> None:
        svc = world.as_(world.actor, db)
        barrier.wait()
        try:
            results.append(svc.report(child, "M", world.clock.now() - H))
        except ValidationError as exc:
            results.append(exc)

    threads = [threading.Thread(target=report, args=(d,)) for d in (world.db, other_db)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(type(r).__name__ for r in results) == ["Saved", "ValidationError"]
    assert counts(world.db)[0] == 1


def test_audit_trail_holds_every_write(world: World) -> None:
    child = world.add_child("C000030")
    now = world.clock.now()
    eps = world.episodes
    ep = eps.report(child, "M", now - 9 * H, risk="low")
    ep = eps.record_police_ref(ep.id, ep.version, "LOG-1")
    ep = eps.change_risk(ep.id, ep.version, "medium", "new information")
    eps.add_update(ep.id, "Seen near the canal", sighting=True, at=now - 4 * H)
    ep = eps.reclassify(ep.id, ep.version, "A", "located at aunt's")
    ep = eps.amend_time(ep.id, ep.version, "started_at", now - 8 * H, "carer corrected the time")
    ep = eps.record_return(ep.id, ep.version, now - H)
    rhi = eps.offer_rhi([ep.id], now)
    eps.respond_rhi(rhi.id, rhi.version, accepted=False, at=now)
    eps.save_profile(child, None, description="Tall, dark hair", phone="07700 900123")
    eps.record_view(child)
    with world.db.read_session() as s:
        rows = s.execute(
            select(AuditLog.action, AuditLog.username, AuditLog.child_id)
            .where(AuditLog.child_id == child)
            .order_by(AuditLog.id)
        ).all()
        amend = s.scalars(select(AuditLog).where(AuditLog.action == "episode.amend")).one()
    assert [r.action for r in rows] == [
        "care.start",
        "episode.report",
        "episode.police_ref",
        "episode.risk",
        "episode.sighting",
        "episode.reclassify",
        "episode.amend",
        "episode.return",
        "rhi.offer",
        "rhi.declined",
        "profile.save",
        "child.view",
    ]
    assert {r.username for r in rows} == {"sw.one"}
    assert '"reason": "carer corrected the time"' in (amend.detail or "")
    assert '"before"' in (amend.detail or "") and '"after"' in (amend.detail or "")
    assert status_of(world.db, child, now) is ChildStatus.IN_PLACEMENT  # RHI declined


def test_risk_history_and_timeline(world: World) -> None:
    child = world.add_child("C000031")
    ep = world.episodes.report(child, "M", world.clock.now() - 3 * H, risk="low")
    ep = world.episodes.change_risk(ep.id, ep.version, "high", "seen with older males")
    world.episodes.add_update(ep.id, "Called carer")
    with world.db.read_session() as s:
        detail = child_detail(s, child)
    (episode,) = detail.episodes
    kinds = [(e.kind, e.old_value, e.new_value) for e in episode.events]
    assert ("risk", None, "low") in kinds and ("risk", "low", "high") in kinds
    assert kinds[0][0] == "reported"
    assert episode.risk_grade == "high"


def test_placement_change_keeps_child_in_care(world: World) -> None:
    child = world.add_child("C000040")
    with pytest.raises(ValidationError, match="REASON_PLACE_CHANGE"):
        world.care.change_placement(child, None, date(2026, 11, 1), FOSTER)
    world.care.change_placement(child, None, date(2026, 11, 1), FOSTER, rne="P", reason_place_change="CARPL")
    assert status_of(world.db, child, world.clock.now()) is ChildStatus.IN_PLACEMENT
    with world.db.read_session() as s:
        detail = child_detail(s, child)
    assert [c.rec for c in detail.care_episodes] == [None, "X1"]
    ep = world.episodes.report(child, "M", world.clock.now() - H)
    with world.db.read_session() as s:
        stored = s.get(MissingEpisode, ep.id)
        assert stored is not None and stored.care_episode_id == detail.care_episodes[0].id


def test_feed_catches_up_after_missing_notifications(world: World, other_db: Database) -> None:
    """A desktop that was away reads everything after the last sequence it saw."""
    reader = FeedReader(other_db)
    seen_before = reader.last_seq
    for i in range(5):
        world.add_child(f"C00005{i}")
    events = reader.read()
    assert len(events) == 5
    assert [e.seq for e in events] == sorted(e.seq for e in events)
    assert events[0].seq > seen_before
    with other_db.read_session() as s:
        assert len(changes_since(s, seen_before)) == 5


def test_care_cannot_end_while_the_child_is_missing(world: World) -> None:
    child = world.add_child("C000041")
    ep = world.episodes.report(child, "M", world.clock.now() - H)
    with pytest.raises(ValidationError, match="record the return"):
        world.care.end_care(child, None, date(2026, 11, 25), "E4A")
    world.episodes.record_return(ep.id, ep.version, world.clock.now())
    world.care.end_care(child, None, date(2026, 11, 25), "E4A")
