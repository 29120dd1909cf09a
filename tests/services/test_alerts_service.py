"""Alerts in the shared database, on SQLite and PostgreSQL: raised once, targeted, acknowledged."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lac_monitor.domain.alerts import AlertRow, AlreadyAcknowledgedError
from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.ladder import DEFAULT_LADDER
from lac_monitor.services.alerts import AlertService
from lac_monitor.services.settings import NotAllowedError, SettingsService, load_ladder
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database
from lac_monitor.storage.feed import FeedReader
from lac_monitor.storage.schema import Alert, AlertRecipient, AuditLog
from tests.factories import World

H = timedelta(hours=1)
WORKER, MANAGER, OTHER_WORKER, DUTY, HEAD = 1, 2, 3, 4, 5
ADMIN = Actor("admin.one", None, "Ada Adminone", "administrator", None)


def service(world: World, db: Database | None = None, actor: Actor | None = None) -> AlertService:
    return AlertService(db or world.db, actor or world.actor, world.clock)


def report(world: World, child: str = "C000100", hours_ago: float = 1, **kw: object) -> int:
    world.add_child(child)
    saved = world.episodes.report(
        child, "M", world.clock.now() - timedelta(hours=hours_ago), police_ref="LOG-1", risk="medium", **kw
    )  # type: ignore[arg-type]
    return int(saved.id)


def by_rule(rows: list[AlertRow]) -> dict[str, AlertRow]:
    return {r.rule: r for r in rows}


def recipients(db: Database, alert_id: int) -> set[int]:
    with db.read_session() as s:
        return set(s.scalars(select(AlertRecipient.staff_id).where(AlertRecipient.alert_id == alert_id)))


def test_a_new_report_is_raised_for_the_worker_and_team_with_a_feed_row(world: World) -> None:
    reader = FeedReader(world.db)
    ep = report(world)
    raised = by_rule(service(world).evaluate())
    assert {"reported", "profile_missing"} <= set(raised)
    rep = raised["reported"]
    assert (rep.child_id, rep.episode_id, rep.severity) == ("C000100", ep, "warning")
    assert rep.audiences == ("allocated_worker", "team")
    assert recipients(world.db, rep.id) == {WORKER, MANAGER}  # the worker and team 1's staff
    assert "Testa" not in rep.message and "Childone" not in rep.message  # ids only, never names
    kinds = [(e.kind, e.entity_id) for e in reader.read() if e.kind.startswith("alert.")]
    assert ("alert.raised", str(rep.id)) in kinds
    with world.db.read_session() as s:
        audit = s.scalars(
            select(AuditLog).where(AuditLog.action == "alert.raise", AuditLog.entity_id == str(rep.id))
        ).one()
    assert json.loads(audit.detail or "{}")["after"]["rule"] == "reported"


def test_a_user_sees_only_alerts_addressed_to_them(world: World) -> None:
    report(world)
    svc = service(world)
    svc.evaluate()
    assert {a.rule for a in svc.inbox(WORKER)} >= {"reported"}
    assert svc.inbox(OTHER_WORKER) == []  # another team's worker
    assert svc.unacknowledged_count(OTHER_WORKER) == 0
    assert svc.unacknowledged_count(WORKER) == len(svc.inbox(WORKER))
    assert svc.inbox(None) == []


def test_evaluating_again_raises_nothing_new(world: World) -> None:
    report(world)
    svc = service(world)
    first = svc.evaluate()
    assert first
    assert svc.evaluate() == []
    with world.db.read_session() as s:
        assert s.scalar(select(func.count(Alert.id))) == len(first)


def test_escalations_fire_on_time_when_nothing_else_changes(world: World) -> None:
    report(world, hours_ago=1)
    svc = service(world)
    svc.evaluate()
    world.clock.advance(23 * H - timedelta(minutes=1))  # 23 h 59 m missing
    assert "missing_24h" not in by_rule(svc.evaluate())
    world.clock.advance(timedelta(minutes=1))  # exactly 24 h
    raised = by_rule(svc.evaluate())
    assert set(raised) == {"missing_24h"}
    assert recipients(world.db, raised["missing_24h"].id) == {MANAGER}
    world.clock.advance(24 * H)
    r48 = by_rule(svc.evaluate())["missing_48h"]
    assert recipients(world.db, r48.id) == {MANAGER, HEAD}


def test_out_of_hours_the_duty_team_is_told_and_sees_every_alert(world: World) -> None:
    world.clock.set(world.clock.now().replace(hour=21))  # 21:00 GMT, Wednesday
    ep = report(world)
    svc = service(world)
    raised = by_rule(svc.evaluate())
    assert DUTY in recipients(world.db, raised["reported"].id)
    # An alert raised in office hours, not addressed to the duty team ...
    world.clock.set(world.clock.now().replace(hour=22))
    world.episodes.record_return(ep, None)
    world.clock.set(world.clock.now() + timedelta(days=1, hours=-10))  # Thursday 12:00
    svc.evaluate()
    rhi_due = next(a for a in svc.inbox(WORKER) if a.rule == "rhi_due")
    assert DUTY not in recipients(world.db, rhi_due.id)
    assert rhi_due.id not in {a.id for a in svc.inbox(DUTY)}
    # ... is in the duty team's inbox once office hours end.
    world.clock.set(world.clock.now().replace(hour=18))
    assert rhi_due.id in {a.id for a in svc.inbox(DUTY)}


def test_two_desktops_raise_once_and_both_see_it_and_the_acknowledgement(world: World, other_db: Database) -> None:
    report(world, hours_ago=23)
    mine, theirs = service(world), service(world, other_db, world.manager)
    mine.evaluate()
    feed_here, feed_there = FeedReader(world.db), FeedReader(other_db)
    world.clock.advance(H)  # the 24 h threshold passes on both desktops
    raised = mine.evaluate() + theirs.evaluate()
    assert [a.rule for a in raised] == ["missing_24h"]
    alert = raised[0]
    for feed in (feed_here, feed_there):
        assert [(e.kind, e.entity_id) for e in feed.read()] == [("alert.raised", str(alert.id))]
    assert alert.id in {a.id for a in mine.inbox(MANAGER)}
    assert alert.id in {a.id for a in theirs.inbox(MANAGER)}

    done = theirs.acknowledge(alert.id, "Reviewed with the worker")
    assert (done.acknowledged_by, done.ack_note) == ("Morgan Managerone", "Reviewed with the worker")
    for feed in (feed_here, feed_there):
        assert [(e.kind, e.entity_id) for e in feed.read()] == [("alert.acknowledged", str(alert.id))]
    seen_here = mine.get(alert.id)
    assert seen_here.acknowledged and seen_here.acknowledged_at == world.clock.now()
    assert alert.id not in {a.id for a in mine.inbox(MANAGER)}
    assert alert.id in {a.id for a in mine.inbox(MANAGER, include_acknowledged=True)}  # history

    with pytest.raises(AlreadyAcknowledgedError) as err:
        mine.acknowledge(alert.id)
    assert "Morgan Managerone" in str(err.value) and "25/11/2026" in str(err.value)


def test_desktops_racing_in_threads_raise_each_alert_exactly_once(world: World, other_db: Database) -> None:
    report(world, hours_ago=23)
    service(world).evaluate()
    world.clock.advance(H)
    racers = 8
    barrier = threading.Barrier(racers)
    results: list[list[AlertRow]] = []
    errors: list[BaseException] = []

    def desktop(i: int) -> None:
        svc = AlertService(world.db if i % 2 else other_db, world.actor, world.clock)
        barrier.wait()
        try:
            results.append(svc.evaluate())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=desktop, args=(i,)) for i in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    raised = [a for batch in results for a in batch]
    assert [a.rule for a in raised] == ["missing_24h"]
    with world.db.read_session() as s:
        assert s.scalar(select(func.count(Alert.id)).where(Alert.rule == "missing_24h")) == 1
    assert recipients(world.db, raised[0].id) == {MANAGER}
    assert [e.kind for e in FeedReader(world.db, 0).read()].count("alert.raised") == len(service(world).open_alerts())


def test_acknowledging_updates_the_count_and_is_audited(world: World) -> None:
    report(world)
    svc = service(world)
    svc.evaluate()
    before = svc.unacknowledged_count(WORKER)
    target = svc.inbox(WORKER)[0]
    svc.acknowledge(target.id, "  ")
    assert svc.unacknowledged_count(WORKER) == before - 1
    assert svc.get(target.id).ack_note is None  # a blank note is no note
    with world.db.read_session() as s:
        assert (
            s.scalar(
                select(func.count(AuditLog.id)).where(
                    AuditLog.action == "alert.acknowledge", AuditLog.entity_id == str(target.id)
                )
            )
            == 1
        )


def test_return_then_new_episode_raises_for_the_new_episode(world: World) -> None:
    first = report(world, hours_ago=5)
    svc = service(world)
    world.episodes.record_return(first, None, world.clock.now() - 2 * H)
    raised = by_rule(svc.evaluate())
    assert raised["returned"].episode_id == first and raised["rhi_due"].episode_id == first
    second = world.episodes.report("C000100", "A", world.clock.now() - H).id
    new = svc.evaluate()
    assert {a.episode_id for a in new} == {second}
    assert {a.rule for a in new} == {"reported", "profile_missing"}
    world.clock.advance(H)  # an hour after the report, still no police reference
    assert [(a.rule, a.episode_id) for a in svc.evaluate()] == [("police_ref_missing", second)]


def test_reclassification_and_risk_raise_alerts(world: World) -> None:
    ep = report(world)
    svc = service(world)
    svc.evaluate()
    saved = world.episodes.reclassify(ep, None, "A", "Whereabouts known: at a friend's")
    world.episodes.change_risk(ep, saved.version, "high")
    raised = by_rule(svc.evaluate())
    assert {"reclassified", "risk_raised", "high_risk"} <= set(raised)
    assert recipients(world.db, raised["high_risk"].id) == {WORKER, MANAGER, HEAD}  # the worker hears too
    assert raised["risk_raised"].severity == "high"


def test_ancient_history_does_not_flood_a_fresh_database(world: World) -> None:
    world.add_child("C000100")
    back = world.clock.now()
    world.clock.set(back - timedelta(days=60))
    ep = int(world.episodes.report("C000100", "M").id)
    world.clock.advance(30 * H)
    world.episodes.record_return(ep, None)
    world.clock.set(back)
    assert service(world).evaluate() == []


def test_the_ladder_lives_in_the_database_for_every_desktop(world: World, other_db: Database) -> None:
    reader = FeedReader(other_db)
    settings = SettingsService(world.db, ADMIN, world.clock)
    assert settings.ladder() == DEFAULT_LADDER
    settings.save_ladder(replace(DEFAULT_LADDER, manager_review_hours=12))
    assert load_ladder(other_db).manager_review_hours == 12
    assert [e.kind for e in reader.read()] == ["setting.changed"]
    report(world, hours_ago=12)
    raised = by_rule(service(world, other_db).evaluate())
    assert raised["missing_24h"].unique_key.endswith(":12h")
    with world.db.read_session() as s:
        assert s.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "setting.save")) == 1


def test_only_an_administrator_changes_the_ladder_and_bad_values_are_refused(world: World) -> None:
    with pytest.raises(NotAllowedError):
        SettingsService(world.db, world.manager, world.clock).save_ladder(DEFAULT_LADDER)
    with pytest.raises(ValidationError) as err:
        SettingsService(world.db, ADMIN, world.clock).save_ladder(replace(DEFAULT_LADDER, strategy_meeting_hours=20))
    assert "strategy meeting" in err.value.field
    assert load_ladder(world.db) == DEFAULT_LADDER  # nothing saved


def _open(world: World, hours_ago: float) -> int:
    return int(
        world.episodes.report(
            "C000100", "M", world.clock.now() - timedelta(hours=hours_ago), police_ref="LOG-1", risk="medium"
        ).id
    )


def _episode_days_ago(world: World, child: str, days: float) -> int:
    start = world.clock.now() - timedelta(days=days)
    ep = int(world.episodes.report(child, "M", start, police_ref="LOG-1", risk="medium").id)
    world.episodes.record_return(ep, None, start + 2 * H)
    return ep


def test_third_episode_within_90_days_raises_one_repeat_missing_to_the_right_people(world: World) -> None:
    world.add_child("C000100")
    _episode_days_ago(world, "C000100", 70)
    _episode_days_ago(world, "C000100", 35)
    svc = service(world, actor=ADMIN)
    svc.evaluate()
    third = _open(world, 1)
    repeat = [a for a in svc.evaluate() if a.rule == "repeat_missing"]
    assert [a.episode_id for a in repeat] == [third]
    assert recipients(world.db, repeat[0].id) == {WORKER, MANAGER, HEAD}
    assert "strategy meeting" in repeat[0].message
    # A fourth episode while the pattern lasts raises no second alert.
    world.episodes.record_return(third, None)
    world.clock.advance(2 * H)
    _open(world, 0.5)
    assert "repeat_missing" not in {a.rule for a in svc.evaluate()}
    with world.db.read_session() as s:
        assert s.scalar(select(func.count(Alert.id)).where(Alert.rule == "repeat_missing")) == 1


def test_the_administrators_n_and_d_for_repeat_missing_apply(world: World) -> None:
    world.add_child("C000100")
    _episode_days_ago(world, "C000100", 50)
    settings = SettingsService(world.db, ADMIN, world.clock)
    svc = service(world, actor=ADMIN)
    settings.save_ladder(replace(DEFAULT_LADDER, repeat_days=40))
    _episode_days_ago(world, "C000100", 20)
    _open(world, 1)
    assert "repeat_missing" not in {a.rule for a in svc.evaluate()}  # first is 50 days back
    settings.save_ladder(replace(DEFAULT_LADDER, repeat_count=2, repeat_days=40))
    assert "repeat_missing" in {a.rule for a in svc.evaluate()}


def test_alert_labels_follow_the_hours_the_administrator_set(world: World) -> None:
    from dataclasses import replace as dc_replace

    SettingsService(world.db, ADMIN, world.clock).save_ladder(
        dc_replace(load_ladder(world.db), manager_review_hours=12)
    )
    report(world, hours_ago=13)
    raised = service(world).evaluate()
    review = next(a for a in raised if a.rule == "missing_24h")
    assert review.label.startswith("12 h") and "24" not in review.label
    assert service(world).get(review.id).label == review.label
