"""A window the duty officer can trust: never frozen, never a traceback for the environment's
fault, alerts that leave the banner when they stop being true."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from sqlalchemy.exc import OperationalError

from lac_monitor.domain.errors import DatabaseUnavailableError
from lac_monitor.services.alerts import AlertService
from lac_monitor.storage.database import Database
from lac_monitor.ui import features, print_preview
from lac_monitor.ui.app_window import AppWindow
from lac_monitor.ui.errors import as_known_error
from lac_monitor.ui.settings_store import SettingsStore
from lac_monitor.ui.workers import Workers
from tests.factories import World


@pytest.fixture
def app_window(qtbot, db: Database, council: World, settings: SettingsStore) -> Iterator[AppWindow]:  # type: ignore[no-untyped-def]
    win = AppWindow(db, council.actor, council.clock, settings, tray=False)
    qtbot.addWidget(win)
    yield win
    win.shut_down()


@pytest.fixture
def hook_calls(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """What reached sys.excepthook (the crash dialog)."""
    calls: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, e, tb: calls.append(e))
    return calls


def _ticks_during(qtbot: Any, until: Any, timeout: int = 10_000) -> int:
    ticks = [0]
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start()
    try:
        qtbot.waitUntil(until, timeout=timeout)
    finally:
        timer.stop()
    return ticks[0]


def test_the_event_loop_keeps_ticking_during_a_long_handover(
    app_window: AppWindow, council: World, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_build = features.build_handover

    def slow(*args: Any, **kw: Any) -> Any:
        time.sleep(0.6)  # a 10k council's handover, compressed
        return slow_build(*args, **kw)

    monkeypatch.setattr(features, "build_handover", slow)
    target = tmp_path / "h.pdf"
    monkeypatch.setattr(print_preview, "ask_save_path", lambda parent, suggested: str(target))
    now = council.clock.now()
    started = time.perf_counter()
    job = app_window.printing.handover(now.replace(hour=0), now, save=True)
    assert job is not None
    assert time.perf_counter() - started < 0.5  # handed to a worker at once (the sleep alone is 0.6 s)
    ticks = _ticks_during(qtbot, target.exists)
    assert ticks >= 10  # ~60 ticks of 10 ms in 0.6 s; a frozen loop gives 0 or 1
    assert target.read_bytes().startswith(b"%PDF")


def test_an_outage_during_the_alert_check_is_a_message_not_a_crash(
    app_window: AppWindow, qtbot: Any, hook_calls: list[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    notifier = app_window.alerts.notifier

    def down() -> list[object]:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(notifier.service, "evaluate", down)
    with qtbot.waitSignal(notifier.evaluation_did_fail, timeout=10_000) as failed:
        notifier.evaluate_now()
    assert "cannot be reached" in failed.args[0]
    assert "SELECT" not in failed.args[0]
    qtbot.waitUntil(lambda: not app_window.workers.busy, timeout=5000)
    assert hook_calls == []  # no crash dialog


def test_a_bug_in_a_worker_still_reaches_the_crash_dialog(qtbot: Any, hook_calls: list[BaseException]) -> None:
    workers = Workers()
    failed: list[object] = []
    workers.run(lambda _job: 1 / 0, failed=failed.append)
    qtbot.waitUntil(lambda: bool(hook_calls), timeout=5000)
    assert isinstance(hook_calls[0], ZeroDivisionError) and failed == []
    workers.stop()


def test_environment_errors_are_known_and_bugs_are_not() -> None:
    assert isinstance(
        as_known_error(OperationalError("x", {}, Exception("database is locked"))), DatabaseUnavailableError
    )
    full = as_known_error(OSError(28, "No space left on device", "/media/usb/h.pdf"))
    assert full is not None and "disk is full" in str(full)
    assert as_known_error(TypeError("bug")) is None


def test_save_as_pdf_to_a_folder_that_is_not_there_says_so(
    app_window: AppWindow, qtbot: Any, tmp_path: Path, hook_calls: list[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "gone" / "profile.pdf"
    monkeypatch.setattr(print_preview, "ask_save_path", lambda parent, suggested: str(target))
    assert app_window.select_child("C000001")
    app_window.printing.preview_profile(save=True)
    qtbot.waitUntil(lambda: app_window.last_box is not None, timeout=10_000)
    box = app_window.last_box
    assert box is not None and box.windowTitle() == "File not saved"
    assert "folder does not exist" in box.text()
    assert hook_calls == []


def test_a_returned_childs_alert_leaves_the_banner(app_window: AppWindow, council: World, qtbot: Any) -> None:
    alerts = app_window.alerts

    def c1_on_banner() -> bool:  # "missing at high risk, inform the manager now" and the like
        return any(a.child_id == "C000001" and a.is_high for a in alerts.banner._pending.values())

    qtbot.waitUntil(c1_on_banner, timeout=10_000)  # high risk, my team: on the banner
    ep = council.episodes  # C000001 comes home
    detail_ep = next(
        e
        for e in AlertService(council.db, council.actor, council.clock).open_alerts()
        if e.child_id == "C000001" and e.episode_id is not None
    )
    ep.record_return(int(detail_ep.episode_id or 0), None, council.clock.now(), found_where="Home")
    qtbot.waitUntil(lambda: not c1_on_banner(), timeout=10_000)
    qtbot.waitUntil(lambda: alerts.count == alerts.inbox.model.unacknowledged_count, timeout=5000)
    assert not [a for a in alerts.inbox.model.rows() if a.child_id == "C000001" and a.is_high]


def test_a_bug_while_reading_the_feed_is_not_dressed_up_as_a_lost_connection(
    qtbot: Any, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lac_monitor.ui.live import LiveBridge

    bridge = LiveBridge(db)
    bridge.start()
    try:
        monkeypatch.setattr(bridge.reader, "read", lambda *_: 1 / 0)
        dropped: list[str] = []
        bridge.connection_did_drop.connect(dropped.append)
        with pytest.raises(ZeroDivisionError):
            bridge.read_now()
        assert dropped == [] and bridge.is_connected
        monkeypatch.setattr(
            bridge.reader,
            "read",
            lambda *_: (_ for _ in ()).throw(OperationalError("SELECT", {}, Exception("server closed the connection"))),
        )
        bridge.read_now()
        assert dropped and not bridge.is_connected
    finally:
        bridge.stop()


def test_no_full_collection_lands_in_the_middle_of_a_board_read() -> None:
    """While a worker builds 10k rows the cyclic collector waits (a full collection there
    held the interpreter from the GUI thread for 100 ms); it comes back when the last of
    overlapping reads ends, and not at all if it was off before."""
    import gc
    import threading

    from lac_monitor.ui.workers import collector_paused

    assert gc.isenabled()
    inside = threading.Event()
    release = threading.Event()

    def other_read() -> None:
        with collector_paused():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=other_read)
    with collector_paused():
        assert not gc.isenabled()
        t.start()
        assert inside.wait(5)
    assert not gc.isenabled()  # the other read is still going
    release.set()
    t.join(5)
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_alerts_shown_before_the_board_is_in_name_the_child_once_it_is(app_window: AppWindow, qtbot: Any) -> None:
    """The first alerts can arrive before the board (both load in workers): the banner then
    can give only the child's id; once the board is in it names the child."""
    alerts, board = app_window.alerts, app_window.board_model
    qtbot.waitUntil(lambda: alerts.banner.current_alert is not None, timeout=10_000)
    rows = [e.row for e in board.entries]
    board.load_prepared([], board.now)  # as in the moment before the first load arrives
    alert = alerts.banner.current_alert
    assert alert is not None and alert.child_id is not None
    name = next(r.display_name for r in rows if r.child_id == alert.child_id)
    assert name not in alerts.banner.text.text()
    with qtbot.waitSignal(alerts.inbox.model.dataChanged, timeout=1000):  # the inbox repaints its names
        board.load(rows, board.now)
    assert alerts.banner.text.text().startswith(f"{name} ({alert.child_id}): ")
