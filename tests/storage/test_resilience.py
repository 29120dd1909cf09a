"""A database that goes away mid-save: a plain message, nothing half-saved, retry works."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, func, select

from lac_monitor.domain.errors import DatabaseUnavailableError
from lac_monitor.storage.schema import AuditLog, ChangeFeed, MissingEpisode
from tests.conftest import PG_ADMIN_URL
from tests.factories import World


def test_connection_lost_while_saving(world: World) -> None:
    child = world.add_child("C000900")
    db = world.db
    fired = {"done": False}

    def cut_connection(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if fired["done"] or "INSERT INTO change_feed" not in statement:
            return
        fired["done"] = True
        if db.is_postgresql:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        else:
            raise sqlite3.OperationalError("disk I/O error")

    event.listen(db.engine, "before_cursor_execute", cut_connection)
    try:
        with pytest.raises(DatabaseUnavailableError, match="Nothing was saved and your entry is kept"):
            world.episodes.report(child, "M", world.clock.now() - timedelta(hours=1), risk="high")
    finally:
        event.remove(db.engine, "before_cursor_execute", cut_connection)
    assert fired["done"]
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(MissingEpisode)) == 0
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "episode.report")) == 0
        feed_before = s.scalar(select(func.count()).select_from(ChangeFeed))
    # The same entry saved again once the connection is back.
    saved = world.episodes.report(child, "M", world.clock.now() - timedelta(hours=1), risk="high")
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(MissingEpisode)) == 1
        assert s.scalar(select(func.count()).select_from(ChangeFeed)) == (feed_before or 0) + 1
    assert saved.version == 1
