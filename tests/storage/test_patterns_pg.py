"""Linked children, trends and notifications on PostgreSQL as each person's own login: row-level
security hides restricted children from the tables themselves, and the grants let a worker
record a notification."""

from __future__ import annotations

from datetime import timedelta

from lac_monitor.services.episodes import EpisodeService
from lac_monitor.services.patterns import PatternService
from lac_monitor.services.trends import TrendsService
from lac_monitor.services.uow import resolve_actor
from lac_monitor.storage.database import Database
from tests.storage.test_access_pg import NOW, Council, council  # noqa: F401 (the fixture)


def test_restricted_children_are_hidden_from_linked_trends_and_raw_pattern_rows(council: Council) -> None:  # noqa: F811
    owner = Database.open(council.url)
    try:
        admin = resolve_actor(owner, council.logins["adm"])
        eps = EpisodeService(owner, admin)
        for cid in ("A1", "A2", "B3", "B4"):
            eps.save_profile(cid, None, associates="Jojo (older male)")
    finally:
        owner.dispose()
    with council.raw("sw1") as c:
        rows = {r[0] for r in c.execute("SELECT child_id FROM pattern_value").fetchall()}
        assert "B3" not in rows and {"A1", "A2", "B4"} <= rows
    db = Database.open(council.url_as("sw1"), upgrade=False)
    try:
        me = resolve_actor(db)
        patterns = PatternService(db, me)
        assert {c.child_id for c in patterns.linked("A1")} == {"A2", "B4"}
        trends = TrendsService(db, me).trends((NOW - timedelta(days=30)).date(), NOW.date())
        assert trends.episodes >= 1  # B4 (away) and B5; never B3
        with db.read_session() as s:
            from sqlalchemy import select

            from lac_monitor.storage.schema import MissingEpisode

            b4 = s.scalar(select(MissingEpisode.id).where(MissingEpisode.child_id == "B4"))
            hidden = s.scalar(select(MissingEpisode.id).where(MissingEpisode.child_id == "B3"))
        assert hidden is None and b4 is not None
        patterns.record_notification(b4, "mpu", None, notified_by="Test sw1", notified_whom="UK MPU")
        assert patterns.checklist(b4).items[-1].is_done
    finally:
        db.dispose()
    db = Database.open(council.url_as("sw2"), upgrade=False)
    try:
        me = resolve_actor(db)
        assert {c.child_id for c in PatternService(db, me).linked("B4")} == {"A1", "B3"}  # not A2
    finally:
        db.dispose()
