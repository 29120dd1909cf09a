"""Live: a change committed by another desktop (another process) shows without a refresh;
a lost connection shows a banner, reconnects, and catches up on what it missed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lac_monitor.domain.clock import FixedClock
from lac_monitor.domain.errors import DatabaseUnavailableError
from lac_monitor.domain.status import ChildStatus
from lac_monitor.storage.database import Database
from lac_monitor.storage.feed import PgListener
from lac_monitor.ui.board_filter_model import Scope
from lac_monitor.ui.live import LiveBridge, Watcher, default_watcher
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.settings_store import SettingsStore
from tests.factories import World

ROOT = Path(__file__).resolve().parents[2]


class Gate:
    """A watcher factory that can be closed, as if the server or file were unreachable."""

    def __init__(self) -> None:
        self.open = True
        self.made: list[Watcher] = []

    def __call__(self, db: Database) -> Watcher:
        if not self.open:
            raise DatabaseUnavailableError("test: database unreachable")
        w = default_watcher(db)
        self.made.append(w)
        return w


@pytest.fixture
def gate() -> Gate:
    return Gate()


@pytest.fixture
def live_window(
    qtbot,
    db: Database,
    world: World,
    live_clock: FixedClock,
    settings: SettingsStore,  # type: ignore[no-untyped-def]
    gate: Gate,
) -> Iterator[MainWindow]:
    world.add_child("C000100", first="Lena", last="Testlive")
    world.add_child("C000101", first="Omar", last="Testlive")
    world.add_child("C000102", first="Pia", last="Testlive")
    live = LiveBridge(db, live_clock, watcher_factory=gate, backoff_ms=(100, 200))
    win = MainWindow(db, world.actor, live_clock, settings, live=live)
    live.setParent(win)
    live.start()
    qtbot.addWidget(win)
    yield win
    win.shut_down()


def cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    return subprocess.run(
        [sys.executable, "-m", "lac_monitor", "--database", db_url, "--user", "sw.one", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def status(win: MainWindow, child_id: str) -> ChildStatus | None:
    return win.board_model.status_of(child_id)


def advance(win: MainWindow, clock: FixedClock) -> None:
    """The window's clock follows real time (another process stamps its own 'now')."""
    from datetime import UTC, datetime

    clock.set(datetime.now(UTC))


def test_report_from_another_process_shows_missing_without_user_action(
    qtbot, live_window: MainWindow, db_url: str, live_clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    win = live_window
    assert status(win, "C000100") is ChildStatus.IN_PLACEMENT
    result = cli(
        db_url, "episode", "report", "C000100", "--category", "M", "--risk", "high", "--police-ref", "LOG-4242"
    )
    assert result.returncode == 0, result.stderr
    advance(win, live_clock)
    with qtbot.assertNotEmitted(win.board_model.modelReset):
        qtbot.waitUntil(lambda: status(win, "C000100") is ChildStatus.MISSING, timeout=10_000)
    row = win.filter_model.row_of("C000100")
    assert row == 0  # missing children come first
    assert win.filter_model.index(row, 0).data() == "⚠ Missing"
    # The counts are recomputed on the next event-loop turn after the rows change.
    qtbot.waitUntil(lambda: win.summary.counts["missing"] == 1, timeout=5000)
    assert win.summary.counts["high_risk"] == 1
    # An update from another desktop touches only that row too.
    result = cli(db_url, "episode", "update", "C000100", "--risk", "low")
    assert result.returncode == 0, result.stderr
    qtbot.waitUntil(lambda: (r := win.board_model.board_row("C000100")) is not None and r.risk == "low", timeout=10_000)


def test_connection_lost_banner_then_catch_up(
    qtbot,
    live_window: MainWindow,
    other_db: Database,  # type: ignore[no-untyped-def]
    world: World,
    gate: Gate,
    db_url: str,
    live_clock: FixedClock,
) -> None:
    win = live_window
    assert win.banner.isHidden()
    gate.open = False  # reconnecting fails until the "server" is back
    watcher = gate.made[-1]
    if isinstance(watcher, PgListener):
        # Kill the LISTEN connection from another connection, as a server restart would.
        with other_db.engine.connect() as c:
            c.exec_driver_sql(f"SELECT pg_terminate_backend({watcher.conn.info.backend_pid})")
    else:

        def broken() -> bool:
            raise OSError("disk I/O error")

        watcher.changed = broken  # type: ignore[attr-defined]

    qtbot.waitUntil(lambda: not win.banner.isHidden(), timeout=10_000)
    assert win.banner.message.startswith("Connection lost — retrying, last update ")
    assert not win.live.is_connected

    # Another desktop reports a child while this one is cut off: no notification reaches us.
    world.as_(world.actor, other_db).report("C000101", "A")
    qtbot.wait(300)
    assert status(win, "C000101") is ChildStatus.IN_PLACEMENT

    gate.open = True  # the server is back: the next retry reconnects and reads the feed
    qtbot.waitUntil(lambda: win.banner.isHidden(), timeout=10_000)
    assert win.live.is_connected
    qtbot.waitUntil(lambda: status(win, "C000101") is ChildStatus.AWAY, timeout=10_000)

    # And live updates flow again afterwards.
    world.as_(world.actor, other_db).report("C000102", "M")
    qtbot.waitUntil(lambda: status(win, "C000102") is ChildStatus.MISSING, timeout=10_000)


def test_retry_now_button_reconnects(qtbot, live_window: MainWindow, gate: Gate) -> None:  # type: ignore[no-untyped-def]
    win = live_window
    win.live.connection_failed(OSError("test"))
    assert not win.banner.isHidden()
    win.banner.retry.click()
    assert win.banner.isHidden()
    assert win.live.is_connected


def test_bridge_signals(qtbot, db: Database, world: World, live_clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    world.add_child("C000200")
    gate = Gate()
    live = LiveBridge(db, live_clock, watcher_factory=gate, backoff_ms=(50,))
    live.start()
    try:
        with qtbot.waitSignal(live.changes_did_arrive, timeout=10_000) as blocker:
            world.episodes.report("C000200", "M")  # this desktop: after-commit hook, same path
        events = blocker.args[0]
        assert [e.kind for e in events] == ["episode.reported"]
        assert events[0].child_id == "C000200"
        gate.open = False
        with qtbot.waitSignal(live.connection_did_drop) as drop:
            live.connection_failed(OSError("test"))
        assert "Connection lost" in drop.args[0]
        gate.open = True
        with qtbot.waitSignal(live.connection_did_return, timeout=5_000):
            pass
        with qtbot.assertNotEmitted(live.changes_did_arrive, wait=100):
            live.read_now()
    finally:
        live.stop()


def _pg_counts(dbname: str) -> tuple[int, int]:
    """(backends connected to the database now, sessions ever started on it) — from the server."""
    import psycopg

    from tests.conftest import PG_ADMIN_URL

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        row = admin.execute(
            "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = %s), "
            "(SELECT sessions FROM pg_stat_database WHERE datname = %s)",
            (dbname, dbname),
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1])


def test_a_change_costs_the_desktop_no_new_connection(
    qtbot,
    live_window: MainWindow,
    db: Database,  # type: ignore[no-untyped-def]
    other_db: Database,
    world: World,
    db_url: str,
) -> None:
    """On PostgreSQL the feed and the changed rows are read over the LISTEN connection: the
    server sees no new backend for this desktop when another desktop reports a child."""
    if not db.is_postgresql:
        pytest.skip("connections are a PostgreSQL matter")
    from sqlalchemy import event

    win = live_window
    dbname = db_url.rsplit("/", 1)[1]
    listener = win.live._watcher
    assert isinstance(listener, PgListener)
    desk_opened: list[int] = []
    writer_opened: list[int] = []
    event.listen(db.engine, "connect", lambda *_: desk_opened.append(1))
    event.listen(other_db.engine, "connect", lambda *_: writer_opened.append(1))
    held_before, sessions_before = _pg_counts(dbname)

    for child, category in (("C000100", "M"), ("C000101", "A")):
        world.as_(world.actor, other_db).report(child, category)
    qtbot.waitUntil(
        lambda: status(win, "C000100") is ChildStatus.MISSING and status(win, "C000101") is ChildStatus.AWAY,
        timeout=10_000,
    )
    qtbot.wait(200)

    assert desk_opened == []  # this desktop opened no connection of its own
    assert win.live._watcher is listener and win.live.is_connected  # nor reconnected
    # The server agrees: the same backends as before, and the only sessions started on the
    # database since are the writing desktop's (its stats reach the server as it closes).
    qtbot.waitUntil(lambda: _pg_counts(dbname)[1] - sessions_before >= len(writer_opened), timeout=5_000)
    qtbot.wait(300)
    held_after, sessions_after = _pg_counts(dbname)
    assert held_after == held_before
    assert sessions_after - sessions_before == len(writer_opened)


def test_a_read_on_a_dropped_listen_connection_goes_to_reconnect_and_catch_up(  # type: ignore[no-untyped-def]
    qtbot, live_window: MainWindow, db: Database, other_db: Database, world: World, gate: Gate
) -> None:
    """The touched rows are read over the LISTEN connection; when that read is the first to
    meet a dropped connection, the user still gets the banner, the reconnect and the catch-up."""
    if not db.is_postgresql:
        pytest.skip("the LISTEN connection is PostgreSQL's")
    import time

    win = live_window
    watcher = win.live._watcher
    assert isinstance(watcher, PgListener)
    pid = watcher.conn.info.backend_pid
    with other_db.engine.connect() as c:
        c.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
        for _ in range(100):  # gone on the server, before this desktop's event loop notices
            if not c.exec_driver_sql(f"SELECT 1 FROM pg_stat_activity WHERE pid = {pid}").first():
                break
            time.sleep(0.05)
    world.as_(world.actor, other_db).report("C000100", "M")
    win.live.read_now()  # the read itself meets the dead connection
    assert not win.banner.isHidden() and not win.live.is_connected
    qtbot.waitUntil(lambda: win.banner.isHidden() and win.live.is_connected, timeout=10_000)
    qtbot.waitUntil(lambda: status(win, "C000100") is ChildStatus.MISSING, timeout=10_000)
    assert win.live._watcher is not watcher


def test_an_import_shows_its_children_on_every_board(
    qtbot,
    live_window: MainWindow,
    other_db: Database,
    world: World,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    """An SSDA903 import writes one 'the register changed' row, not one per child: every desktop
    reads its whole board again and shows the new children without a restart."""
    from lac_monitor.services import ssda903

    (tmp_path / "header.csv").write_text("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nK000001,M,01/05/2010,WBRI,UN4,,\n")
    (tmp_path / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "K000001,01/01/2025,S,C2,N1,U4,PR1,,,,,,\n"
    )
    win = live_window
    win.set_scope(Scope.EVERYONE)
    assert win.board_model.row_of("K000001") is None
    got = ssda903.import_files(
        other_db, world.actor, tmp_path / "header.csv", tmp_path / "episodes.csv", clock=world.clock
    )
    assert got.children == 1
    qtbot.waitUntil(lambda: win.board_model.row_of("K000001") is not None, timeout=10_000)
    assert win.board_model.status_of("K000001") is ChildStatus.IN_PLACEMENT
