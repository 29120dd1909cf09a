"""What an idle desktop costs the shared server: exactly one connection, its LISTEN one, counted
the way IT would (pg_stat_activity by application_name) — before and after it shows a change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from lac_monitor.domain.changes import ChangeEvent
from lac_monitor.domain.status import ChildStatus
from lac_monitor.storage.board import load_board
from lac_monitor.storage.database import Database
from lac_monitor.storage.feed import PgListener
from lac_monitor.ui.board_model import BoardModel
from lac_monitor.ui.live import LiveBridge
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.settings_store import SettingsStore
from tests.conftest import PG_ADMIN_URL
from tests.factories import World


def _connections(dbname: str) -> list[tuple[str, int]]:
    """(application_name, pid) of every session on the database but the counting one."""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT application_name, pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
            "ORDER BY pid",
            (dbname,),
        ).fetchall()
    return [(str(name), int(pid)) for name, pid in rows]


@pytest.fixture
def pg_db(db: Database) -> Database:
    if not db.is_postgresql:
        pytest.skip("connection slots are a PostgreSQL matter")
    return db


@pytest.fixture
def headless(qtbot, pg_db: Database, world: World) -> Iterator[tuple[LiveBridge, BoardModel]]:  # type: ignore[no-untyped-def]
    """A desktop without a window: the live bridge and the board model, as the fleet bench runs."""
    world.clock.set(datetime.now(UTC) - timedelta(minutes=1))
    world.add_child("C000200", first="Tess", last="Testidle")
    now = world.clock.now()
    with pg_db.read_session() as s:
        rows = load_board(s, now)
    model = BoardModel(now)
    model.load(rows, now)
    live = LiveBridge(pg_db, world.clock)

    def on_changes(events: list[ChangeEvent]) -> None:
        ids = {e.child_id for e in events if e.child_id}
        with live.read_session() as s:
            fresh = load_board(s, world.clock.now(), child_ids=ids)
        model.apply(fresh, ids, world.clock.now())

    live.changes_did_arrive.connect(on_changes)
    live.start()
    yield live, model
    live.stop()


def test_an_idle_headless_desktop_holds_exactly_its_listen_connection(
    qtbot,  # type: ignore[no-untyped-def]
    headless: tuple[LiveBridge, BoardModel],
    other_db: Database,
    world: World,
    db_url: str,
) -> None:
    live, model = headless
    dbname = db_url.rsplit("/", 1)[1]
    listener = live._watcher
    assert isinstance(listener, PgListener)
    mine = [("lac-monitor-listen", listener.conn.info.backend_pid)]
    qtbot.waitUntil(lambda: _connections(dbname) == mine, timeout=5_000)

    world.as_(world.actor, other_db).report("C000200", "M")  # another desk reports the child
    qtbot.waitUntil(lambda: model.status_of("C000200") is ChildStatus.MISSING, timeout=10_000)
    # Shown, and still one connection: the writer's closed as it committed, and this desktop
    # read the change over the one it holds.
    qtbot.waitUntil(lambda: _connections(dbname) == mine, timeout=5_000)
    qtbot.wait(500)
    assert _connections(dbname) == mine


def test_an_idle_window_holds_exactly_its_listen_connection(
    qtbot,  # type: ignore[no-untyped-def]
    pg_db: Database,
    council: World,
    settings: SettingsStore,
    db_url: str,
) -> None:
    """The whole window (board, alerts, settings reads) at rest: one connection."""
    council.clock.set(datetime.now(UTC) - timedelta(minutes=1))
    win = MainWindow(pg_db, council.actor, council.clock, settings)
    qtbot.addWidget(win)
    try:
        dbname = db_url.rsplit("/", 1)[1]
        listener = win.live._watcher
        assert isinstance(listener, PgListener)
        mine = [("lac-monitor-listen", listener.conn.info.backend_pid)]
        qtbot.waitUntil(lambda: _connections(dbname) == mine, timeout=10_000)
        qtbot.wait(1_000)
        assert _connections(dbname) == mine
    finally:
        win.shut_down()
