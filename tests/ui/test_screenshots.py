"""Screenshots of the board and of a missing high-risk child's record on demo data.

Always rendered (so a broken screen fails here); written to resources/screenshots when
LAC_MONITOR_SCREENSHOTS=1, to be looked at before a screen change is called done.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QSettings
from sqlalchemy import select

from lac_monitor.demo import generate
from lac_monitor.domain.clock import FixedClock
from lac_monitor.domain.status import ChildStatus
from lac_monitor.services.uow import resolve_actor
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Staff
from lac_monitor.ui.app_window import AppWindow
from lac_monitor.ui.board_filter_model import Scope
from lac_monitor.ui.settings_store import SettingsStore

OUT = Path(__file__).resolve().parents[2] / "resources" / "screenshots"
AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 2 a.m.: the duty officer's view


def test_board_and_detail_screenshots(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = Database.open(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    try:
        generate(db, children=650, seed=1, now=AT)
        with db.read_session() as s:
            duty = s.scalar(select(Staff.username).where(Staff.role == "duty_officer").limit(1))
        actor = resolve_actor(db, duty)
        settings = SettingsStore(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        win = AppWindow(db, actor, FixedClock(AT), settings, tray=False)
        qtbot.addWidget(win)
        win.set_scope(Scope.EVERYONE)
        win.alerts.dock.hide()  # board and record first; the inbox below
        win.resize(1600, 900)
        win.show()
        qtbot.waitExposed(win)
        qtbot.waitUntil(lambda: win.alerts.count > 0 and not win.workers.busy, timeout=10_000)
        entries = win.board_model.entries
        assert entries[0].status is ChildStatus.MISSING
        high = next(e.row.child_id for e in entries if e.status is ChildStatus.MISSING and e.row.risk == "high")
        board = win.grab()
        assert win.select_child(high)
        qtbot.wait(50)
        detail = win.grab()
        assert board.width() == 1600 and detail.height() == 900
        assert "Missing for" in win.detail_view.status.text()
        # Out of hours the duty team sees every alert: the inbox, the banner and the count.
        alerts = win.alerts
        qtbot.waitUntil(lambda: alerts.count > 0, timeout=5000)
        alerts.show_inbox()
        qtbot.wait(50)
        alerts_shot = win.grab()
        assert "unacknowledged alert" in win.windowTitle()
        target = OUT if os.environ.get("LAC_MONITOR_SCREENSHOTS") == "1" else tmp_path
        target.mkdir(parents=True, exist_ok=True)
        # The board screenshot shows no selection; the detail one the chosen child.
        assert board.save(str(target / "board.png"))
        assert detail.save(str(target / "detail.png"))
        assert alerts_shot.save(str(target / "alerts.png"))
        win.shut_down()
    finally:
        db.dispose()
