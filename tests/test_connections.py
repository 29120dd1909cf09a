"""What a desktop costs the shared server: one connection when idle, a poller when the server
is nearly full, and a plain message when it refuses a connection."""

from __future__ import annotations

import uuid
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import text

from lac_monitor.cli import main
from lac_monitor.domain.errors import DatabaseUnavailableError
from lac_monitor.storage.database import Database
from lac_monitor.storage.feed import FeedPoller, PgListener, pg_watcher
from tests.conftest import PG_ADMIN_URL
from tests.factories import World


def _held(dbname: str) -> int:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                            (dbname,)).fetchone()
        return int(row[0]) if row else -1


@pytest.fixture
def pg_world(world: World) -> World:
    if not world.db.is_postgresql:
        pytest.skip("connection slots are a PostgreSQL matter")
    return world


def test_an_idle_desktop_holds_one_connection(pg_world: World, db_url: str) -> None:
    dbname = db_url.rsplit("/", 1)[1]
    desk = Database.open(db_url)
    try:
        watcher = pg_watcher(desk, headroom=0)
        assert isinstance(watcher, PgListener)
        # work done: a read and a write, then idle
        child = pg_world.add_child("C000950")
        pg_world.episodes.report(child, "M", pg_world.clock.now() - timedelta(hours=1))
        with desk.read_session() as s:
            s.execute(text("SELECT 1"))
        assert _held(dbname) == 1  # the LISTEN connection only
        watcher.close()
    finally:
        desk.dispose()


def test_a_nearly_full_server_gets_a_poller_that_holds_nothing(pg_world: World, db_url: str) -> None:
    dbname = db_url.rsplit("/", 1)[1]
    desk = Database.open(db_url)
    try:
        watcher = pg_watcher(desk, headroom=100_000)
        assert isinstance(watcher, FeedPoller)
        watcher.interval = 0
        assert _held(dbname) == 0
        assert not watcher.changed()
        child = pg_world.add_child("C000951")
        pg_world.episodes.report(child, "M", pg_world.clock.now() - timedelta(hours=1))
        assert watcher.changed()
    finally:
        desk.dispose()


def test_a_refused_connection_is_a_plain_message(pg_world: World, db_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    role = f"lac_full_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
    try:
        url = db_url.replace("://postgres@", f"://{role}@")
        with pytest.raises(DatabaseUnavailableError, match="no free connections"):
            Database.open(url)
        code = main(["board", "--database", url])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "max_connections" in err
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
