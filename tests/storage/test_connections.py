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
from lac_monitor.storage.board import load_board
from lac_monitor.storage.database import Database
from lac_monitor.storage.feed import FeedPoller, FeedReader, PgListener, pg_watcher
from tests.conftest import PG_ADMIN_URL
from tests.factories import World


def _held(dbname: str) -> int:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,)
        ).fetchone()
        return int(row[0]) if row else -1


def _pids(dbname: str) -> list[int]:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,)
        ).fetchall()
        return [int(r[0]) for r in rows]


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
        assert _held(dbname) == 0  # the poll's connection is closed straight after
        child = pg_world.add_child("C000951")
        pg_world.episodes.report(child, "M", pg_world.clock.now() - timedelta(hours=1))
        assert watcher.changed()
        # The change's reads go over the connection that found it: one connection for it all.
        reader = FeedReader(desk, start_seq=0)
        events = reader.read(watcher.read_session)
        with watcher.read_session() as s:
            rows = load_board(s, pg_world.clock.now(), child_ids={child})
            backend = s.execute(text("SELECT pg_backend_pid()")).scalar()
        assert events[-1].kind == "episode.reported" and [r.child_id for r in rows] == [child]
        assert _pids(dbname) == [backend]
        watcher.release()
        assert _held(dbname) == 0  # and nothing held once the change is read
        assert not watcher.changed()
        watcher.close()
    finally:
        desk.dispose()


def test_a_refused_connection_is_a_plain_message(
    pg_world: World, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
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


def test_reads_ride_the_listen_connection_and_lose_no_notification(pg_world: World, db_url: str) -> None:
    """The feed and board reads a change causes go over the LISTEN connection; a notification
    that arrives while such a read runs is still reported by the next drain()."""
    dbname = db_url.rsplit("/", 1)[1]
    desk = Database.open(db_url)
    listener = PgListener(desk)
    try:
        reader = FeedReader(desk)
        assert not listener.drain()
        child = pg_world.add_child("C000952")
        pg_world.episodes.report(child, "M", pg_world.clock.now() - timedelta(hours=1))
        # The notification is on the wire; a read on the same connection takes it in first.
        events = reader.read(listener.read_session)
        assert [e.kind for e in events][-1] == "episode.reported"
        with listener.read_session() as s:
            rows = load_board(s, pg_world.clock.now(), child_ids={child})
            backend = s.execute(text("SELECT pg_backend_pid()")).scalar()
        assert [r.child_id for r in rows] == [child]
        assert backend == listener.conn.info.backend_pid
        assert listener.drain()  # not lost inside the read
        assert not listener.drain()
        assert _held(dbname) == 1
    finally:
        listener.close()
        desk.dispose()


def test_a_full_server_at_start_up_is_waited_for_with_jittered_backoff() -> None:
    from lac_monitor.domain.errors import ServerFullError
    from lac_monitor.storage.engine import retry_while_full

    waits: list[float] = []
    tries = iter([ServerFullError("full"), ServerFullError("full"), None])

    def start() -> str:
        exc = next(tries)
        if exc is not None:
            raise exc
        return "open"

    jitter = iter([0.0, 1.0])
    assert retry_while_full(start, first_s=1.0, sleep=waits.append, jitter=lambda: next(jitter)) == "open"
    assert waits == [0.5, 3.0]  # 1 s x0.5, then 2 s x1.5

    waits.clear()

    def always_full() -> str:
        raise ServerFullError("The database server has no free connections (too many clients).")

    with pytest.raises(ServerFullError, match="no free connections"):
        retry_while_full(always_full, budget_s=0.0, sleep=waits.append)
    assert waits == []  # no budget: the plain message at once

    def down() -> str:
        raise DatabaseUnavailableError("unreachable")

    with pytest.raises(DatabaseUnavailableError, match="unreachable"):
        retry_while_full(down, sleep=waits.append)  # not a full server: no waiting
    assert waits == []
