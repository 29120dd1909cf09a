"""The window as a duty officer uses it: board, filters, the record, and the forms."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)
from sqlalchemy import event, select

from lac_monitor.domain.errors import DatabaseUnavailableError
from lac_monitor.domain.status import ChildStatus
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import AuditLog
from lac_monitor.ui.board_filter_model import Scope
from lac_monitor.ui.board_model import CHILD_ID_ROLE, Col
from lac_monitor.ui.episode_dialog import FormDialog, ReportDialog, RiskDialog
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.settings_store import BoardColumn, SettingsStore
from tests.factories import World


def shown(win: MainWindow) -> list[str]:
    m = win.filter_model
    return [m.index(i, 0).data(CHILD_ID_ROLE) for i in range(m.rowCount())]


def everyone(win: MainWindow) -> MainWindow:
    win.set_scope(Scope.EVERYONE)
    return win


def test_board_shows_everyone_most_urgent_first(window: MainWindow, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(window.board_model)
    qtmodeltester.check(window.filter_model)
    win = everyone(window)
    ids = shown(win)
    assert ids[:3] == ["C000001", "C000003", "C000004"]  # missing (high), away (low), returned
    assert win.board_model.status_of("C000004") is ChildStatus.RETURNED_RHI_DUE
    assert win.summary.counts == {"missing": 1, "away": 1, "high_risk": 1, "rhi_due": 1, "rhi_overdue": 0}
    assert win.shown_label.text() == "Showing 6 of 6 children"
    row = win.filter_model.row_of("C000001")
    assert win.filter_model.index(row, Col.DURATION).data() == "5h 00m"
    assert win.filter_model.index(row, Col.POLICE_REF).data() == "LOG-0101"
    assert win.filter_model.index(row, Col.NAME).data() == "Amira (Mimi) Testone"


def test_scope_starts_on_my_caseload_for_a_social_worker(window: MainWindow) -> None:
    assert window.scope_combo.currentData() == Scope.MINE.value
    assert set(shown(window)) == {"C000001", "C000002", "C000005"}  # worker 1's children
    assert window.summary.scope_label.text() == "My caseload:"
    window.set_scope(Scope.TEAM)
    assert set(shown(window)) == {"C000001", "C000002", "C000005"}
    window.set_scope(Scope.EVERYONE)
    assert len(shown(window)) == 6


def test_filters_and_search_through_the_controls(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    win = everyone(window)
    win.status_combo.setCurrentIndex(win.status_combo.findText("Missing or away"))
    assert shown(win) == ["C000001", "C000003"]
    win.risk_combo.setCurrentIndex(win.risk_combo.findText("High"))
    assert shown(win) == ["C000001"]
    win.clear_filters()
    win.team_combo.setCurrentIndex(win.team_combo.findText("Southbank Children in Care"))
    assert set(shown(win)) == {"C000003", "C000004", "C000006"}
    win.team_combo.setCurrentIndex(0)
    win.locality_combo.setCurrentIndex(win.locality_combo.findText("Northfield"))
    assert set(shown(win)) == {"C000001", "C000002", "C000005"}
    win.clear_filters()
    qtbot.keyClicks(win.search, "mimi")
    assert shown(win) == ["C000001"]
    win.search.clear()
    qtbot.keyClicks(win.search, "LOG-0101")
    assert shown(win) == ["C000001"]
    win.search.setText("C000006")
    assert shown(win) == ["C000006"]
    win.search.setText("testt")  # Testtwo, Testthree
    assert set(shown(win)) == {"C000002", "C000003"}


def test_summary_counts_filter_the_board_when_clicked(window: MainWindow) -> None:
    win = everyone(window)
    win.summary.buttons["away"].click()
    assert shown(win) == ["C000003"]
    assert win.status_combo.currentText() == "Away"
    win.summary.buttons["high_risk"].click()
    assert shown(win) == ["C000001"]
    assert win.summary.active() == "high_risk"
    win.summary.buttons["rhi_due"].click()
    assert shown(win) == ["C000004"]
    win.summary.buttons["rhi_due"].click()  # again: show all
    assert len(shown(win)) == 6
    assert win.summary.active() is None
    assert win.summary.buttons["missing"].text() == "⚠ 1 Missing"
    assert win.summary.buttons["missing"].accessibleName() == "Missing: 1"


def test_columns_and_scope_are_remembered_and_the_board_opens_most_urgent_first(  # type: ignore[no-untyped-def]
    qtbot, db: Database, council: World, settings: SettingsStore
) -> None:
    win = MainWindow(db, council.actor, council.clock, settings)
    qtbot.addWidget(win)
    header = win.board_view.horizontalHeader()
    win.board_view.set_column_visible(Col.LOCALITY, False)
    header.resizeSection(Col.NAME, 333)
    header.setSortIndicator(Col.NAME, Qt.SortOrder.DescendingOrder)
    win.set_scope(Scope.EVERYONE)
    assert shown(win)[0] == "C000002"  # Testtwo: the model sorted by surname, descending
    win.close()

    again = MainWindow(db, council.actor, council.clock, settings)
    qtbot.addWidget(again)
    h2 = again.board_view.horizontalHeader()
    assert h2.isSectionHidden(Col.LOCALITY)
    assert h2.sectionSize(Col.NAME) == 333
    assert (h2.sortIndicatorSection(), h2.sortIndicatorOrder()) == (Col.STATUS, Qt.SortOrder.AscendingOrder)
    assert again.board_model.sort_column == Col.STATUS
    assert shown(again)[0] == "C000001"  # missing at high risk, whatever the last sort was
    assert again.filter_model.current.scope is Scope.EVERYONE
    again.shut_down()


def test_columns_are_remembered_by_name_so_a_new_or_retired_column_moves_nothing(  # type: ignore[no-untyped-def]
    qtbot, db: Database, council: World, settings: SettingsStore
) -> None:
    win = MainWindow(db, council.actor, council.clock, settings)
    qtbot.addWidget(win)
    header = win.board_view.horizontalHeader()
    header.moveSection(header.visualIndex(Col.POLICE_REF), 1)  # police ref next to the status
    header.resizeSection(Col.POLICE_REF, 211)
    win.close()
    saved = settings.board_columns()
    assert saved["POLICE_REF"].pos == 1 and saved["POLICE_REF"].width == 211
    # As a later (or earlier) version would leave it: a column this one does not know.
    settings.set_board_columns({**saved, "SHOE_SIZE": BoardColumn(0, 50, False)})

    again = MainWindow(db, council.actor, council.clock, settings)
    qtbot.addWidget(again)
    h2 = again.board_view.horizontalHeader()
    assert h2.visualIndex(Col.STATUS) == 0 and h2.visualIndex(Col.POLICE_REF) == 1
    assert h2.sectionSize(Col.POLICE_REF) == 211
    again.shut_down()


def test_opening_a_record_shows_it_and_is_audited(qtbot, window: MainWindow, db: Database) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.child_did_open) as opened:
        window.board_view.selectRow(window.filter_model.row_of("C000001"))
    assert opened.args == ["C000001"]
    with qtbot.waitSignal(window.view_did_audit, timeout=4000) as viewed:  # on screen for 2 s
        pass
    assert viewed.args == ["C000001"]
    d = window.detail_view
    assert d.name.text() == "Amira Testone  (known as Mimi)"
    assert "Age 16" in d.facts.text() and "Child ID C000001" in d.facts.text()
    assert d.status.text().startswith("⚠ Missing for 5h 00m")
    assert "Police ref: LOG-0101" in d.status.text()
    assert "Testcarer One · 07700 900001" == d.info_labels["carer"].text()
    assert d.info_labels["worker"].text() == "Sasha Workerone"
    assert "Bus station" in d.timeline.toPlainText()
    assert "No Philomena profile yet" in d.profile.toPlainText()
    with db.read_session() as s:
        views = s.scalars(select(AuditLog).where(AuditLog.action == "child.view")).all()
    assert [(v.child_id, v.username) for v in views] == [("C000001", "sw.one")]


def test_actions_follow_the_selected_child(window: MainWindow) -> None:
    win = everyone(window)
    win.select_child("C000001")  # missing
    assert not win.report_action.isEnabled()
    assert all(
        a.isEnabled()
        for a in (win.update_action, win.risk_action, win.police_action, win.return_action, win.profile_action)
    )
    win.select_child("C000002")  # at home
    assert win.report_action.isEnabled()
    assert not win.return_action.isEnabled()
    win.select_child("C000004")  # returned, RHI due
    assert win.rhi_action.isEnabled()
    shortcuts = {a.text(): a.shortcut().toString() for a in win.child_actions}
    assert shortcuts["&Report missing or away…"] == "Ctrl+N"
    assert shortcuts["Record re&turn…"] == "Ctrl+R"
    assert len(set(shortcuts.values())) == len(shortcuts)


def _open(win: MainWindow, child_id: str, opener) -> FormDialog:  # type: ignore[no-untyped-def]
    everyone(win)
    assert win.select_child(child_id)
    dialog = opener()
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_report_from_this_desktop_updates_the_row_live(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    win = window
    dialog = _open(win, "C000002", win.report_missing)
    assert isinstance(dialog, ReportDialog)
    dialog.away.setChecked(True)
    dialog.field("risk").setCurrentIndex(dialog.field("risk").findData("medium"))
    qtbot.keyClicks(dialog.field("last_seen_where"), "Shopping centre")
    with qtbot.assertNotEmitted(win.board_model.modelReset):
        assert dialog.submit()
        qtbot.waitUntil(lambda: win.board_model.status_of("C000002") is ChildStatus.AWAY)
    assert shown(win)[:3] == ["C000001", "C000002", "C000003"]  # away: medium risk before low
    assert win.selected_child_id() == "C000002"  # the selection followed the moved row
    assert "Shopping centre" in win.detail_view.timeline.toPlainText()
    qtbot.waitUntil(lambda: win.summary.counts["away"] == 2, timeout=5000)


def test_form_validates_as_you_type(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dialog = _open(window, "C000002", window.report_missing)
    start = dialog.field("started_at")
    assert dialog.error_text("started_at") == ""
    start.set_value(window.clock.now() + timedelta(hours=2))
    assert dialog.error_text("started_at").startswith("⚠ cannot be in the future")
    dialog.field("police_ref").setText("X" * 41)
    assert "at most 40 characters" in dialog.error_text("police_ref")
    assert not dialog.submit()  # nothing sent; still open, input kept
    assert dialog.isVisible() and dialog.field("police_ref").text() == "X" * 41
    start.set_value(window.clock.now() - timedelta(minutes=30))
    assert dialog.error_text("started_at") == ""


def test_rejected_save_shows_the_rule_beside_the_field_and_keeps_input(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, council: World, other_db: Database
) -> None:
    dialog = _open(window, "C000002", window.report_missing)
    dialog.field("police_ref").setText("LOG-777")
    dialog.field("circumstances").setPlainText("Did not come home after school")
    # Meanwhile another desktop reports the same child.
    council.as_(council.manager, other_db).report("C000002", "M", council.clock.now() - timedelta(hours=1))
    assert not dialog.submit()
    assert dialog.isVisible()
    assert "already missing" in dialog.error_text("started_at")
    assert dialog.field("police_ref").text() == "LOG-777"
    assert dialog.field("circumstances").toPlainText() == "Did not come home after school"


def test_conflict_offers_reload_then_saves(
    qtbot,
    window: MainWindow,
    council: World,  # type: ignore[no-untyped-def]
    other_db: Database,
) -> None:
    dialog = _open(window, "C000001", window.change_risk)
    assert isinstance(dialog, RiskDialog)
    dialog.field("risk").setCurrentIndex(dialog.field("risk").findData("low"))
    dialog.field("reason").setPlainText("Seen with a trusted adult")
    ep = dialog.episode
    council.as_(council.manager, other_db).change_risk(ep.id, ep.version, "medium", "Police re-graded")
    assert not dialog.submit()
    assert "changed by Morgan Managerone" in dialog.notice_text()
    box = dialog.last_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    reload = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    assert reload.text() == "&Reload"
    reload.click()
    assert dialog.episode.version == ep.version + 1
    assert dialog.field("reason").toPlainText() == "Seen with a trusted adult"  # kept
    assert "Reloaded" in dialog.notice_text()
    assert dialog.submit()
    qtbot.waitUntil(lambda: (r := window.board_model.board_row("C000001")) is not None and r.risk == "low")


def test_database_unavailable_keeps_the_form_open_until_it_is_back(
    qtbot,
    window: MainWindow,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = _open(window, "C000003", window.record_police_ref)
    dialog.field("police_ref").setText("LOG-3003")
    real = window.service.record_police_ref

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise DatabaseUnavailableError(
            "The connection to the database was lost while saving. Nothing was "
            "saved and your entry is kept: save again once the connection is back."
        )

    monkeypatch.setattr(window.service, "record_police_ref", down)
    assert not dialog.submit()
    assert dialog.isVisible()
    assert "Not saved. The connection to the database was lost" in dialog.notice_text()
    assert dialog.field("police_ref").text() == "LOG-3003"
    monkeypatch.setattr(window.service, "record_police_ref", real)
    assert dialog.submit()
    qtbot.waitUntil(lambda: (r := window.board_model.board_row("C000003")) is not None and r.police_ref == "LOG-3003")


def test_return_then_rhi_offered_and_completed(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    win = window
    dialog = _open(win, "C000001", win.record_return)
    dialog.field("found_where").setText("Friend's flat")
    assert dialog.submit()
    qtbot.waitUntil(lambda: win.board_model.status_of("C000001") is ChildStatus.RETURNED_RHI_DUE)
    assert win.rhi_action.isEnabled()
    offer = win.record_rhi()
    assert offer is not None and offer.checked_episodes()  # type: ignore[attr-defined]
    assert offer.submit()
    qtbot.waitUntil(lambda: (r := win.board_model.board_row("C000001")) is not None and r.rhi_offered_at)
    complete = win.record_rhi()
    assert complete is not None
    assert not complete.submit()  # completed by and outcome are required
    assert complete.error_text("completed_by") == "⚠ is required"
    complete.field("completed_by").setText("Independent Interviewer")
    complete.field("outcome").setPlainText("Talked about where she stayed")
    assert complete.submit()
    qtbot.waitUntil(lambda: win.board_model.status_of("C000001") is ChildStatus.IN_PLACEMENT)


def test_add_update_and_edit_profile(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    win = window
    dialog = _open(win, "C000001", win.add_update)
    dialog.sighting_radio.setChecked(True)  # type: ignore[attr-defined]
    dialog.field("text").setPlainText("Seen near the canal by a youth worker")
    assert dialog.submit()
    qtbot.waitUntil(lambda: "Seen near the canal" in win.detail_view.timeline.toPlainText())
    assert "Sighting" in win.detail_view.timeline.toPlainText()
    profile = win.edit_profile()
    assert profile is not None
    profile.field("description").setPlainText("Tall, short dark hair, scar on left hand")
    profile.field("phone").setText("07700 900123")
    assert profile.submit()
    qtbot.waitUntil(lambda: "scar on left hand" in win.detail_view.profile.toPlainText())


def test_clock_ticks_with_no_database_traffic(qtbot, window: MainWindow, db: Database) -> None:  # type: ignore[no-untyped-def]
    win = everyone(window)
    win.select_child("C000001")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        window.clock.advance(timedelta(hours=68))  # C000004 returned 10 h ago: RHI now overdue
        with qtbot.waitSignal(win.board_model.statuses_did_change):
            win.tick()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert statements == []
    row = win.filter_model.row_of("C000001")
    assert win.filter_model.index(row, Col.DURATION).data() == "3d 1h"
    assert win.board_model.status_of("C000004") is ChildStatus.RHI_OVERDUE
    assert win.detail_view.status.text().startswith("⚠ Missing for 3d 1h")
    win._update_summary()
    assert win.summary.counts["rhi_overdue"] == 1


def test_every_control_has_a_name_for_screen_readers(window: MainWindow) -> None:
    win = everyone(window)
    win.select_child("C000001")
    buddies = {id(lab.buddy()) for lab in win.findChildren(QLabel) if lab.buddy() is not None}
    unnamed = []
    for w in win.findChildren(QWidget):
        if not isinstance(w, QComboBox | QLineEdit | QAbstractButton | QPlainTextEdit):
            continue
        if w.objectName().startswith("qt_") or (
            w.parent() is not None and type(w.parent()).__name__ in ("QLineEdit", "QComboBox")
        ):
            continue  # Qt's own parts: the table's corner button, a line edit's clear button
        text = w.text() if isinstance(w, QAbstractButton) else ""
        if w.isHidden() and not text:
            continue  # e.g. the scope hint, named when it shows
        if not (w.accessibleName() or text or id(w) in buddies):
            unnamed.append(w.objectName() or type(w).__name__)
    assert unnamed == []
    dialog = win.report_missing()
    assert dialog is not None
    labels = {lab.buddy() for lab in dialog.findChildren(QLabel) if lab.buddy() is not None}
    for key in ("started_at", "risk", "police_ref", "last_seen_where", "circumstances"):
        assert dialog.field(key) in labels
        assert dialog.field(key).accessibleName()


def test_keyboard_reaches_search_board_and_actions(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    win = everyone(window)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    win.focus_search()
    qtbot.waitUntil(win.search.hasFocus)
    qtbot.keyClick(win.search, Qt.Key.Key_Tab)
    assert win.board_view.hasFocus()
    win.board_view.setCurrentIndex(win.filter_model.index(0, 0))
    qtbot.keyClick(win.board_view, Qt.Key.Key_Return)
    assert win.detail_view.child_id == shown(win)[0]
    with qtbot.waitSignal(win.dialog_did_open):
        qtbot.keyClick(win, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert win.current_dialog is not None
    win.current_dialog.reject()


def test_views_are_audited_on_purpose_not_as_the_cursor_passes(  # type: ignore[no-untyped-def]
    qtbot, db: Database, council: World, settings: SettingsStore
) -> None:
    win = MainWindow(db, council.actor, council.clock, settings, view_dwell_ms=400)
    qtbot.addWidget(win)
    win = everyone(win)

    def views() -> list[tuple[str | None, str]]:
        with db.read_session() as s:
            return [
                (v.child_id, json.loads(v.detail or "{}").get("what", ""))
                for v in s.scalars(select(AuditLog).where(AuditLog.action == "child.view").order_by(AuditLog.id))
            ]

    for cid in ("C000001", "C000002", "C000003"):  # arrowing down the board, a moment on each
        with qtbot.waitSignal(win.child_did_open):
            win.board_view.selectRow(win.filter_model.row_of(cid))
        qtbot.wait(100)
    assert views() == []
    with qtbot.waitSignal(win.view_did_audit, timeout=2000):  # then it stays on screen
        pass
    assert views() == [("C000003", "child record")]
    with qtbot.assertNotEmitted(win.view_did_audit, wait=600):
        pass  # staying on it is still the same view
    win.select_child("C000002")
    with qtbot.waitSignal(win.view_did_audit, timeout=1000):  # Enter / double-click: at once
        win.board_view.child_was_activated.emit("C000002")
    assert views()[-1] == ("C000002", "child record")
    win.shut_down()


def test_a_click_on_status_keeps_missing_children_at_the_top(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    win = everyone(window)
    win.show()
    qtbot.waitExposed(win)
    header = win.board_view.horizontalHeader()
    x = header.sectionViewportPosition(Col.STATUS) + header.sectionSize(Col.STATUS) // 2
    from PySide6.QtCore import QPoint

    for _ in range(2):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
        assert shown(win)[:2] == ["C000001", "C000003"]  # missing high, then away
        assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder


def test_reset_view_restores_order_filters_scope_and_columns(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    win = everyone(window)
    header = win.board_view.horizontalHeader()
    header.setSortIndicator(Col.NAME, Qt.SortOrder.DescendingOrder)
    win.board_view.set_column_visible(Col.TEAM, False)
    header.moveSection(header.visualIndex(Col.NAME), 5)
    win.search.setText("Test")
    win.risk_combo.setCurrentIndex(1)
    win.reset_view_action.trigger()
    assert shown(win)[0] == "C000001"
    assert win.search.text() == "" and win.risk_combo.currentIndex() == 0
    assert not header.isSectionHidden(Col.TEAM) and header.visualIndex(Col.NAME) == Col.NAME
    from lac_monitor.ui.board_filter_model import default_scope

    assert win.filter_model.current.scope is default_scope(win.actor)


def test_search_says_when_a_missing_child_matches_outside_the_scope(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.set_scope(Scope.MINE)
    window.search.setText("Testthree")  # Cara: away, another team's child
    assert shown(window) == []
    hint = window.scope_hint
    qtbot.waitUntil(lambda: not hint.isHidden())  # once typing pauses
    assert hint.text() == "1 more child matches under Everyone (1 missing or away) — show them"
    hint.click()
    assert window.filter_model.current.scope is Scope.EVERYONE and shown(window) == ["C000003"]
    assert hint.isHidden()


def test_about_names_the_database_in_words(window: MainWindow) -> None:
    text = window.database_text()
    assert "+psycopg" not in text and "sqlite://" not in text and "password" not in text.lower()


def test_sorting_from_the_keyboard(window: MainWindow) -> None:
    win = everyone(window)
    win.sort_menu.aboutToShow.emit()
    by_name = next(a for a in win.sort_menu.actions() if a.text() == "Child")
    by_name.trigger()
    assert win.board_model.sort_column == Col.NAME
    win.sort_menu.aboutToShow.emit()
    urgent = next(a for a in win.sort_menu.actions() if a.text().startswith("Status"))
    urgent.trigger()
    assert shown(win)[0] == "C000001"


def test_a_live_change_to_the_focused_child_keeps_the_record_and_the_focus(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, council: World, other_db: Database
) -> None:
    win = everyone(window)
    win.show()
    qtbot.waitExposed(win)
    assert win.select_child("C000005")
    win.board_view.setFocus()
    qtbot.waitUntil(win.board_view.hasFocus, timeout=3000)
    council.as_(council.manager, other_db).report("C000005", "M", council.clock.now() - timedelta(hours=1))
    qtbot.waitUntil(lambda: win.board_model.status_of("C000005") is ChildStatus.MISSING, timeout=5000)
    assert win.selected_child_id() == "C000005" and win.detail_view.child_id == "C000005"
    assert not win.detail_view.body.isHidden()
    assert win.board_view.hasFocus()


def test_a_reload_of_everyone_changes_only_the_rows_that_differ(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, council: World, other_db: Database
) -> None:
    """After a reconnect (or a staff or team change) every row is read again in a worker,
    which works out what differs: the board changes those rows and drops the children the
    user may no longer see, and nothing else moves."""
    from lac_monitor.services.access import AccessService

    win = everyone(window)
    win.live.stop()  # the changes below reach the window only through the full reload
    assert win.select_child("C000002")
    council.as_(council.manager, other_db).report("C000005", "M", council.clock.now() - timedelta(hours=1))
    AccessService(other_db, council.manager, council.clock).set_restricted("C000003", True, "Safeguarding")
    assert win.board_model.status_of("C000005") is ChildStatus.IN_PLACEMENT
    applied: list[list[str]] = []
    win.changes_did_apply.connect(applied.append)
    win._pending_all = True
    win._flush_pending()
    qtbot.waitUntil(lambda: bool(applied), timeout=5000)
    assert applied == [["C000003", "C000005"]]
    assert win.board_model.status_of("C000005") is ChildStatus.MISSING
    assert "C000003" not in shown(win) and len(shown(win)) == 5
    assert win.selected_child_id() == "C000002"


@pytest.mark.parametrize("restrict", [False, True], ids=["same children", "one child gone"])
def test_a_reload_in_which_many_rows_changed_swaps_the_board_and_keeps_the_selection(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, council: World, other_db: Database, monkeypatch, restrict: bool
) -> None:
    """A team renamed changes every row of that team: the worker builds the whole board
    and it is swapped in at once; the selected child stays selected."""
    import lac_monitor.ui.main_window as main_window
    from lac_monitor.services.access import AccessService
    from lac_monitor.storage.schema import Team

    monkeypatch.setattr(main_window, "BULK_CHANGE_MIN", 0)  # six children: any change is "many"
    win = everyone(window)
    win.live.stop()
    assert win.select_child("C000002")
    with other_db.write_session() as s:
        team = s.get(Team, 1)
        assert team is not None
        team.name = "Northfield Children in Care (renamed)"
        s.commit()
    if restrict:
        AccessService(other_db, council.manager, council.clock).set_restricted("C000003", True, "Safeguarding")
    applied: list[list[str]] = []
    win.changes_did_apply.connect(applied.append)
    win._pending_all = True
    win._flush_pending()
    qtbot.waitUntil(lambda: bool(applied), timeout=5000)
    team_of = {cid: win.filter_model.index(win.filter_model.row_of(cid), Col.TEAM).data() for cid in shown(win)}
    renamed = {"C000001", "C000002", "C000005"}
    assert {cid for cid, t in team_of.items() if t.endswith("(renamed)")} == renamed
    assert applied == [sorted(renamed | ({"C000003"} if restrict else set()))]
    assert len(shown(win)) == (5 if restrict else 6)
    assert win.selected_child_id() == "C000002"
    assert shown(win)[0] == "C000001"  # still most urgent first
