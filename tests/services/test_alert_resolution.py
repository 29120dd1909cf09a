"""Alerts that stay true: resolved when their condition ends; several acknowledged with one note."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lac_monitor.domain.alerts import AlertState, EpisodeFacts, OpenAlert, ended_alerts
from lac_monitor.services.alerts import AlertService
from lac_monitor.storage.feed import FeedReader
from lac_monitor.storage.schema import AuditLog
from tests.factories import World

H = timedelta(hours=1)


def test_a_returned_childs_alerts_resolve_and_stay_in_history(world: World) -> None:
    world.add_child("C000100")
    now = world.clock.now()
    ep = int(world.episodes.report("C000100", "M", now - 30 * H, risk="high").id)
    world.clock.advance(2 * H)  # the police reference is chased an hour after the report
    svc = AlertService(world.db, world.actor, world.clock)
    raised = {a.rule for a in svc.evaluate()}
    assert {"reported", "high_risk", "missing_24h", "police_ref_missing"} <= raised
    reader = FeedReader(world.db)
    world.episodes.record_return(ep, None, world.clock.now(), found_where="Park")
    world.clock.advance(timedelta(minutes=1))
    svc.evaluate()
    open_rules = {a.rule for a in svc.open_alerts()}
    assert not open_rules & {"reported", "high_risk", "missing_24h", "police_ref_missing"}
    assert "returned" in open_rules  # news, not a condition: stays until acknowledged
    history = {a.rule: a for a in svc.open_alerts(include_acknowledged=True)}
    assert history["high_risk"].resolved and history["high_risk"].resolved_reason == "child returned / found"
    assert not history["high_risk"].acknowledged
    assert any(e.kind == "alert.resolved" for e in reader.read())
    with world.db.read_session() as s:
        assert s.scalars(select(AuditLog).where(AuditLog.action == "alert.resolve")).first() is not None
    assert svc.unacknowledged_count(world.manager.staff_id) == len(svc.inbox(world.manager.staff_id))


def test_recording_the_police_reference_resolves_the_chase(world: World) -> None:
    world.add_child("C000100")
    ep = int(world.episodes.report("C000100", "A", world.clock.now() - 2 * H, risk="low").id)
    world.clock.advance(2 * H)
    svc = AlertService(world.db, world.actor, world.clock)
    assert "police_ref_missing" in {a.rule for a in svc.evaluate()}
    world.episodes.record_police_ref(ep, None, "LOG-77")
    svc.evaluate()
    assert "police_ref_missing" not in {a.rule for a in svc.open_alerts()}


def test_acknowledge_several_with_one_note(world: World) -> None:
    world.add_child("C000100")
    world.add_child("C000101")
    for cid in ("C000100", "C000101"):
        world.episodes.report(cid, "M", world.clock.now() - 2 * H, risk="medium", police_ref="LOG-1")
    svc = AlertService(world.db, world.actor, world.clock)
    svc.evaluate()
    mine = svc.inbox(world.actor.staff_id)
    assert len(mine) >= 4
    done = svc.acknowledge_many([a.id for a in mine], "Reviewed at handover")
    assert {a.id for a in done} == {a.id for a in mine}
    assert all(a.ack_note == "Reviewed at handover" and a.acknowledged for a in done)
    assert svc.inbox(world.actor.staff_id) == []
    assert svc.acknowledge_many([mine[0].id], "again") == []  # already done: skipped, not an error


def test_ended_alerts_rules() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    out = EpisodeFacts(1, "C1", "M", now - 5 * H, now - 5 * H, risk="medium", police_ref=None)
    back = EpisodeFacts(2, "C2", "M", now - 9 * H, now - 9 * H, returned_at=now - H, risk="high")
    state = AlertState((out, back), (), {})
    alerts = [
        OpenAlert(10, "high_risk", 1),
        OpenAlert(11, "police_ref_missing", 1),
        OpenAlert(12, "missing_24h", 2),
        OpenAlert(13, "returned", 2),
        OpenAlert(14, "rhi_due", 2),
        OpenAlert(15, "high_risk", 99),
    ]
    ended = dict(ended_alerts(alerts, state, now))
    assert ended == {10: "risk grade now medium", 12: "child returned / found"}


def test_a_day_workers_acknowledgement_does_not_take_the_alert_from_the_duty_team(world: World) -> None:
    from datetime import UTC, datetime

    from lac_monitor.services.uow import Actor

    duty = Actor("edt.one", 4, "Dana Dutyone", "duty_officer", None)
    world.clock.set(datetime(2026, 11, 25, 22, 0, tzinfo=UTC))  # out of hours
    world.add_child("C000100")
    world.episodes.report("C000100", "M", world.clock.now() - H, risk="medium", police_ref="LOG-1")
    mine = AlertService(world.db, world.actor, world.clock)
    theirs = AlertService(world.db, duty, world.clock)
    mine.evaluate()
    reported = next(a for a in mine.inbox(world.actor.staff_id) if a.rule == "reported")
    assert "duty_team" in reported.audiences
    mine.acknowledge(reported.id, "Spoke to the carer")
    assert reported.id not in {a.id for a in mine.inbox(world.actor.staff_id)}
    still = {a.id: a for a in theirs.inbox(4)}
    assert reported.id in still and still[reported.id].is_open  # the duty team keeps it
    assert theirs.unacknowledged_count(4) == len(theirs.inbox(4))
    done = theirs.acknowledge(reported.id, "Police informed")
    assert done.acknowledged_by == world.actor.label  # the first acknowledgement stays on record
    assert reported.id not in {a.id for a in theirs.inbox(4)}
    # The other way round: the duty team's acknowledgement clears it for everyone.
    other = next(a for a in theirs.inbox(4) if a.rule != "reported")
    theirs.acknowledge(other.id, "Done")
    assert other.id not in {a.id for a in mine.inbox(world.actor.staff_id)}


def test_an_alert_whose_condition_has_already_ended_is_raised_resolved(world: World) -> None:
    """A child reported at high risk and back before anything evaluated (a new database,
    every desktop off): the first pass raises "returned / found" open, and the new report
    and high risk only as history (resolved as they are raised), never open for the
    half-minute until the next pass would have resolved them."""
    world.add_child("C000100")
    now = world.clock.now()
    ep = int(world.episodes.report("C000100", "M", now - 5 * H, risk="high", police_ref="LOG-5").id)
    world.episodes.record_return(ep, None, now - 1 * H, found_where="Park")
    svc = AlertService(world.db, world.actor, world.clock)
    raised = {a.rule: a for a in svc.evaluate()}
    assert {"returned", "reported", "high_risk"} <= set(raised)
    assert not raised["returned"].resolved
    assert raised["reported"].resolved and raised["high_risk"].resolved_reason == "child returned / found"
    open_rules = {a.rule for a in svc.open_alerts()}
    assert "returned" in open_rules and "rhi_due" in open_rules  # still true: still open
    assert not open_rules & {"reported", "high_risk", "police_ref_missing"}
    assert not {a.rule for a in svc.inbox(world.manager.staff_id)} & {"reported", "high_risk"}
    world.clock.advance(timedelta(minutes=1))
    assert svc.evaluate() == []  # nothing twice
