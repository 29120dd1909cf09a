"""Start the window: Qt set-up, the database (asking for a password if the keyring
cannot), plain-language start-up errors, the crash dialog for bugs, then the board."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from lac_monitor.domain.errors import LacError

log = logging.getLogger(__name__)

GUI_LOCK_WAIT_S = 3.0
ORGANISATION = "LAC Monitor"
APPLICATION = "LAC Monitor"
SMOKE_QUIT_ENV = "LAC_MONITOR_QUIT_AFTER_MS"  # open the window, then quit (installer/smoke.py)


def settle_memory() -> None:
    """See `workers.settle_memory` (here for the app and the benches)."""
    from lac_monitor.ui.workers import settle_memory as settle

    settle()


def configure_application(argv: list[str] | None = None):  # type: ignore[no-untyped-def]
    """The QApplication, named so QSettings lands in a per-user place."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setOrganizationDomain("lac-monitor.local")
    # The GUI thread waits at most 0.1 ms (not Python's 5) for a worker's turn with the
    # interpreter. A repaint calls into Python for each cell (some 2,000 times for the
    # board) and may wait that long each time while a worker runs Python: measured with a
    # busy worker, a board repaint took 150 ms at 5 ms, 80 ms at 2 ms and 17-27 ms at 0.1 ms
    # (15 ms with no worker). A worker alone is not slowed: the interval only matters
    # while another thread is waiting.
    sys.setswitchinterval(0.0001)
    # What start-up loaded (modules, classes) lives as long as the app: out of the cyclic
    # GC's way, so no full collection walks it again.
    import gc

    gc.freeze()
    app = QApplication.instance()
    if app is None:
        # High DPI is on by default in Qt 6; pass fractional scale factors through (125%, 150%).
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(argv if argv is not None else sys.argv)
    return app


def run_gui(database: str | None = None) -> int:
    from lac_monitor.domain import access
    from lac_monitor.domain.access import Permission
    from lac_monitor.domain.clock import SystemClock
    from lac_monitor.domain.errors import AccessRefusedError
    from lac_monitor.services.uow import first_run_administrator, resolve_actor
    from lac_monitor.storage.config import log_dir, resolve_database_url
    from lac_monitor.storage.database import Database
    from lac_monitor.storage.engine import retry_while_full
    from lac_monitor.storage.provision import database_login
    from lac_monitor.ui import errors
    from lac_monitor.ui.app_window import AppWindow
    from lac_monitor.ui.settings_store import SettingsStore

    app = configure_application()
    errors.install_excepthook(log_dir() / "lac-monitor.log")
    try:
        resolved = resolve_database_url(database)

        def open_desk() -> tuple[Database, Any, Any, Any, Any]:
            # A save the user waits for gives up after 3 s of another desktop's lock, with a
            # plain "the database is busy, nothing was saved, try again" and the form kept.
            db = Database.open(
                resolved.url, prompt=lambda reason: errors.ask_password(None, reason), lock_wait_s=GUI_LOCK_WAIT_S
            )
            try:
                login = database_login(db)
                first = first_run_administrator(db)
                # Who you are is settled before anything is shown: an unknown or deactivated
                # login gets a plain refusal naming it, and no window.
                actor = resolve_actor(db)
                if not access.may(actor.role, Permission.READ_REGISTER):
                    raise AccessRefusedError(
                        f"The window is for the people who keep the register; you are signed in as "
                        f"'{actor.username}' ({actor.role}). Use the command line: `lac-monitor board` "
                        "(police liaison) or `lac-monitor audit views CHILD` / `audit verify` (auditor)."
                    )
                window = AppWindow(db, actor, SystemClock(), SettingsStore(), background_load=True)
            except BaseException:
                db.dispose()
                raise
            return db, login, first, actor, window

        # A room of desks switched on together can find the server's slots taken for a moment:
        # wait and try again (jittered backoff, up to a minute), then say so plainly.
        db, login, first, actor, window = retry_while_full(open_desk)
    except LacError as exc:
        log.warning("start-up failed: %s", type(exc).__name__)
        errors.known_error_box(None, exc, "Starting LAC Monitor").exec()
        return 2
    log.info("window opened (staff id %s)", actor.staff_id)
    window.show()
    if first is not None:
        errors.message_box(
            window,
            "First run",
            (
                f"This is a new database, so you ('{first.username}') are its administrator. Add the "
                "other people who use this desk with lac-monitor staff add."
            ),
            icon=errors.QMessageBox.Icon.Information,
        ).open()
    if login is not None and login.privileged:
        log.warning("connected as a superuser or the tables' owner")
        window.statusBar().showMessage(
            "Warning: connected as the database owner or a superuser: the database's own access "
            "rules do not apply. People should connect as their own login."
        )
    quit_after = os.environ.get(SMOKE_QUIT_ENV, "").strip()
    if quit_after.isdigit():
        # The bundle's smoke test: the window opened and painted; close it after this many ms.
        from PySide6.QtCore import QTimer

        print(f"window opened; closing in {quit_after} ms ({SMOKE_QUIT_ENV})", flush=True)
        QTimer.singleShot(int(quit_after), app.quit)
    settled = [False]

    def settle_once(busy: bool) -> None:  # after the board's first load, once
        if not busy and not settled[0]:
            settled[0] = True
            settle_memory()

    window.workers.busy_did_change.connect(settle_once)
    try:
        return int(app.exec())
    finally:
        window.shut_down()
        db.dispose()
