"""Access in the window: who has viewed a record; an unknown login gets no window at all."""

from __future__ import annotations

import os

import pytest
from PySide6.QtWidgets import QMessageBox

from lac_monitor.domain.errors import LacError
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Staff
from lac_monitor.ui.app_window import AppWindow
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.settings_store import SettingsStore
from tests.factories import World


def test_managers_see_who_viewed_a_record_workers_do_not(  # type: ignore[no-untyped-def]
    qtbot, db: Database, council: World, settings: SettingsStore
) -> None:
    worker = AppWindow(db, council.actor, council.clock, settings, tray=False)
    qtbot.addWidget(worker)
    assert not worker.access.views_action.isVisible()
    worker.select_child("C000001")
    with qtbot.waitSignal(worker.view_did_audit):
        worker.board_view.child_was_activated.emit("C000001")
    worker.shut_down()

    manager = AppWindow(db, council.manager, council.clock, settings, tray=False)
    qtbot.addWidget(manager)
    feature = manager.access
    assert feature.views_action.isVisible()
    manager.select_child("C000001")
    dialog = feature.show_views()
    assert dialog is not None
    cells = [[dialog.table.item(r, c).text() for c in range(4)] for r in range(dialog.table.rowCount())]
    assert [(c[1], c[2], c[3]) for c in cells] == [("sw.one", "Sasha Workerone", "child record")]
    if os.environ.get("LAC_MONITOR_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["LAC_MONITOR_SHOTS"], "views.png"))
    dialog.close()
    manager.shut_down()


def test_a_manager_restricts_a_record_with_a_reason_and_lifts_it(  # type: ignore[no-untyped-def]
    qtbot, db: Database, council: World, settings: SettingsStore
) -> None:
    from lac_monitor.services.access import AccessService

    worker = AppWindow(db, council.actor, council.clock, settings, tray=False)
    qtbot.addWidget(worker)
    assert not worker.access.restrict_action.isVisible()
    worker.shut_down()
    manager = AppWindow(db, council.manager, council.clock, settings, tray=False)
    qtbot.addWidget(manager)
    feature = manager.access
    assert feature.restrict_action.isVisible()
    manager.select_child("C000002")
    dlg = feature.toggle_restriction()
    assert dlg is not None
    if os.environ.get("LAC_MONITOR_SHOTS"):
        dlg.grab().save(os.path.join(os.environ["LAC_MONITOR_SHOTS"], "restrict.png"))
    dlg.accept()  # no reason: refused, nothing saved
    assert manager.last_box is not None and "reason" in manager.last_box.text()
    svc = AccessService(db, council.manager, council.clock)
    assert svc.restriction("C000002") == (False, None)
    dlg = feature.toggle_restriction()
    dlg.reason.setText("Child of a member of staff")
    dlg.accept()
    assert svc.restriction("C000002") == (True, "Child of a member of staff")
    assert feature.toggle_restriction() is None  # restricted: asks before lifting
    box = manager.last_box
    assert box is not None and "Child of a member of staff" in box.text()
    box.button(QMessageBox.StandardButton.No).click()
    assert svc.restriction("C000002")[0]
    feature.toggle_restriction()
    manager.last_box.button(QMessageBox.StandardButton.Yes).click()
    assert svc.restriction("C000002") == (False, None)
    manager.shut_down()


@pytest.mark.parametrize(
    ("login", "words", "title"),
    [
        ("j.bloggs", "'j.bloggs' has no staff record", "Not on the staff list"),
        ("ig.one", "Use the command line", "Not allowed"),
    ],
)
def test_an_unknown_login_or_an_auditor_gets_a_plain_refusal_and_no_window(  # type: ignore[no-untyped-def]
    qtbot, db: Database, db_url: str, council: World, monkeypatch, login: str, words: str, title: str
) -> None:
    import sys

    from lac_monitor.ui import app, errors

    shown: list[LacError] = []

    def fake_box(parent, exc, doing=None):  # type: ignore[no-untyped-def]
        shown.append(exc)
        box = QMessageBox()
        monkeypatch.setattr(box, "exec", lambda: 0)
        return box

    monkeypatch.setattr(errors, "known_error_box", fake_box)
    monkeypatch.setattr(errors, "ask_password", lambda parent, reason: None)  # trust auth, no keyring
    with db.write_session() as s:
        s.add(Staff(username="ig.one", display_name="Ira Auditone", role="auditor"))
        s.commit()
    monkeypatch.setattr("lac_monitor.services.uow.os_username", lambda: login)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    built: list[object] = []
    monkeypatch.setattr("lac_monitor.ui.app_window.AppWindow", lambda *a, **k: built.append(a))
    assert app.run_gui(db_url) == 2
    assert not built
    assert len(shown) == 1 and words in str(shown[0])
    assert errors.title_for(shown[0]) == title


def test_the_duty_officers_board_follows_office_hours(  # type: ignore[no-untyped-def]
    qtbot, db: Database, council: World, settings: SettingsStore
) -> None:
    """Out of hours the duty officer sees a restricted child; when office hours begin the
    child leaves the board and the record pane, without a restart."""
    from datetime import UTC, datetime

    from lac_monitor.services.access import AccessService
    from lac_monitor.services.uow import Actor

    AccessService(db, council.manager, council.clock).set_restricted("C000001", True, "child of a member of staff")
    council.clock.set(datetime(2026, 11, 30, 8, 40, tzinfo=UTC))  # Monday 08:40 in London: out of hours
    edt = Actor("edt.one", 4, "Dana Dutyone", "duty_officer")
    win = MainWindow(db, edt, council.clock, settings)
    qtbot.addWidget(win)
    try:
        assert win.board_model.board_row("C000001") is not None
        assert win.open_child("C000001", on_purpose=True)
        win.tick()
        council.clock.set(datetime(2026, 11, 30, 8, 46, tzinfo=UTC))  # 08:46: office hours
        win.tick()
        qtbot.waitUntil(lambda: win.board_model.board_row("C000001") is None, timeout=10_000)
        assert win.board_model.board_row("C000002") is not None
        qtbot.waitUntil(lambda: win.detail_view.child_id is None, timeout=10_000)
    finally:
        win.shut_down()
