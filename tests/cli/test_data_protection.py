"""Special-category data: no child names in logs above DEBUG; every record opened is audited."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from lac_monitor.reports.handover import render_handover
from lac_monitor.reports.profile import render_profile
from lac_monitor.services.alerts import AlertService
from lac_monitor.services.handover import build_handover, build_profile, record_print
from lac_monitor.storage.schema import AuditLog
from tests.factories import World

H = timedelta(hours=1)


def test_a_whole_episode_logs_no_child_names(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    child = world.add_child("C000800", first="Zebedina", last="Quillfeather", preferred="Zebby")
    now = world.clock.now()
    ep = world.episodes.report(child, "M", now - 30 * H, risk="high", last_seen_where="Quayside")
    world.episodes.add_update(ep.id, "Zebby seen near the Quayside", sighting=True)
    AlertService(world.db, world.actor, world.clock).evaluate()
    data = build_handover(world.db, world.clock, world.actor, now - 15 * H, now)
    render_handover(data)
    record_print(world.db, world.clock, world.actor, data, output="pdf:handover.pdf")
    profile = build_profile(world.db, world.clock, world.actor, child)
    render_profile(profile)
    record_print(world.db, world.clock, world.actor, profile, output="pdf:profile.pdf")
    ep2 = world.episodes.record_return(ep.id, None, now)
    assert ep2.version > 1
    logged = caplog.text
    assert len(caplog.records) >= 3  # the actions did log (alerts raised, prints)
    for name in ("Zebedina", "Quillfeather", "Zebby"):
        assert name not in logged
    with world.db.read_session() as s:
        printed = s.scalars(select(AuditLog).where(AuditLog.action.like("report.%"))).all()
    assert {a.action for a in printed} == {"report.handover", "report.profile"}
    assert all("C000800" in (a.detail or "") for a in printed)
