"""The keyboard as a duty officer (or a screen-reader user) uses it: forms that never lose a
report, Tab that never gets stuck, Alt+letters that each do one thing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QGroupBox,
    QLabel,
    QMenu,
    QMessageBox,
    QTabBar,
    QWidget,
)

from lac_monitor.domain.ladder import DEFAULT_LADDER
from lac_monitor.domain.status import ChildStatus
from lac_monitor.storage.database import Database
from lac_monitor.ui.alert_inbox_view import NoteDialog
from lac_monitor.ui.app_window import AppWindow
from lac_monitor.ui.board_filter_model import Scope
from lac_monitor.ui.episode_dialog import FormDialog, LocalTimeEdit, ReportDialog
from lac_monitor.ui.features import HandoverDialog
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.settings_dialog import SettingsDialog
from lac_monitor.ui.settings_store import SettingsStore
from lac_monitor.ui.shortcuts import SHORTCUTS, Command, key_text
from tests.factories import World

MNEMONIC = re.compile(r"(?<!&)&([^&\s])")


def mnemonic(text: str) -> str | None:
    m = MNEMONIC.search(text)
    return m.group(1).lower() if m else None


def window_mnemonics(top: QWidget) -> Counter[str]:
    """Alt+letters live in one window: buttons, labels with a buddy, group boxes, tabs, menu titles."""
    keys: Counter[str] = Counter()

    def add(text: str) -> None:
        if (k := mnemonic(text)) is not None:
            keys[k] += 1

    for w in [top, *top.findChildren(QWidget)]:
        if w.window() is not top or isinstance(w, QMenu):
            continue
        if isinstance(w, QAbstractButton):
            add(w.text())
        elif isinstance(w, QLabel) and w.buddy() is not None:
            add(w.text())
        elif isinstance(w, QGroupBox):
            add(w.title())
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                add(w.tabText(i))
    if hasattr(top, "menuBar") and isinstance(top, MainWindow):
        for action in top.menuBar().actions():
            add(action.text())
    return keys


def menu_clashes(menu: QMenu) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for a in menu.actions():
        if a.isSeparator():
            continue
        if (k := mnemonic(a.text())) is not None:
            keys.setdefault(k, []).append(a.text())
        if a.menu() is not None:
            for k2, v in menu_clashes(a.menu()).items():  # type: ignore[arg-type]
                keys.setdefault(f"{a.text()}>{k2}", []).extend(v)
    return {k: v for k, v in keys.items() if len(v) > 1}


def clashes(keys: Counter[str]) -> list[str]:
    return sorted(k for k, n in keys.items() if n > 1)


@pytest.fixture
def app_window(qtbot, db: Database, council: World, settings: SettingsStore) -> Iterator[AppWindow]:  # type: ignore[no-untyped-def]
    win = AppWindow(db, council.actor, council.clock, settings, tray=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.shut_down()


def _form(win: MainWindow, child_id: str, opener: Callable[[], FormDialog | None]) -> FormDialog:
    win.set_scope(Scope.EVERYONE)
    assert win.select_child(child_id)
    dialog = opener()
    assert dialog is not None
    return dialog


def every_form(win: MainWindow) -> Iterator[FormDialog]:
    for child, opener in (
        ("C000002", win.report_missing),
        ("C000001", win.add_update),
        ("C000001", win.change_risk),
        ("C000001", win.record_police_ref),
        ("C000001", win.record_return),
        ("C000004", win.record_rhi),
        ("C000001", win.edit_profile),
    ):
        dialog = _form(win, child, opener)
        yield dialog
        dialog._discarding = True  # close without the question
        dialog.reject()


def tab_cycle(qtbot: Any, top: QWidget, limit: int = 80) -> list[QWidget]:
    """Press Tab from the current focus until it comes back; the widgets visited, in order."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    top.activateWindow()
    qtbot.waitUntil(lambda: app.focusWidget() is not None and app.focusWidget().window() is top, timeout=3000)
    start = app.focusWidget()
    seen: list[QWidget] = [start]
    for _ in range(limit):
        qtbot.keyClick(app.focusWidget(), Qt.Key.Key_Tab)
        now = app.focusWidget()
        if now is start:
            return seen
        seen.append(now)
    raise AssertionError(
        f"Tab never came back to {start.objectName() or type(start).__name__}: "
        f"stuck around {[w.objectName() or type(w).__name__ for w in seen[:12]]}"
    )


# -- forms ---------------------------------------------------------------------------------------
def test_tab_then_enter_in_a_filled_report_saves_it(qtbot: Any, app_window: AppWindow) -> None:
    dialog = _form(app_window, "C000002", app_window.report_missing)
    assert isinstance(dialog, ReportDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.missing, timeout=3000)  # opens on the first field
    last = dialog.field("circumstances")
    last.setFocus()
    qtbot.keyClicks(last, "Left after an argument")
    qtbot.keyClick(last, Qt.Key.Key_Tab)  # Tab leaves the note box ...
    steps = dialog.field("steps")  # ... for the last field, the steps taken before reporting ...
    assert QApplication.focusWidget() is steps
    qtbot.keyClick(steps, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.cancel_button  # ... then Cancel, then the default button last
    qtbot.keyClick(dialog.cancel_button, Qt.Key.Key_Return)  # Enter never cancels
    qtbot.waitUntil(lambda: app_window.board_model.status_of("C000002") is ChildStatus.MISSING, timeout=5000)


def test_escape_with_typed_content_asks_before_discarding(qtbot: Any, app_window: AppWindow) -> None:
    dialog = _form(app_window, "C000002", app_window.report_missing)
    qtbot.keyClicks(dialog.field("last_seen_where"), "Bus station")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    box = dialog.last_box
    assert isinstance(box, QMessageBox) and box.isVisible() and dialog.isVisible()
    assert box.defaultButton().text().replace("&", "") == "Keep editing"
    box.defaultButton().click()
    assert dialog.isVisible() and dialog.field("last_seen_where").text() == "Bus station"
    dialog.close()  # the window's close button asks too
    box = dialog.last_box
    assert box is not None and box.isVisible()
    discard = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    discard.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)


def test_escape_on_an_untouched_form_just_closes(qtbot: Any, app_window: AppWindow) -> None:
    dialog = _form(app_window, "C000002", app_window.report_missing)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_dates_are_typed_as_they_read_and_tab_leaves_the_field(qtbot: Any, app_window: AppWindow) -> None:
    dialog = _form(app_window, "C000002", app_window.report_missing)
    start: LocalTimeEdit = dialog.field("started_at")
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=3000)
    start.setFocus()
    want = app_window.clock.now() - timedelta(days=2)
    from lac_monitor.domain.localtime import to_local

    local = to_local(want)
    qtbot.keyClick(start, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(start, local.strftime("%d/%m/%Y %H:%M"))
    assert start.value() == want.replace(second=0, microsecond=0)
    assert dialog.error_text("started_at") == ""
    qtbot.keyClick(start, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.field("risk")


# -- Tab and Alt+letter everywhere -------------------------------------------------------------------
def test_every_form_has_unique_mnemonics_and_no_tab_trap(qtbot: Any, app_window: AppWindow) -> None:
    for dialog in every_form(app_window):
        assert clashes(window_mnemonics(dialog)) == [], type(dialog).__name__
        qtbot.waitExposed(dialog)
        visited = tab_cycle(qtbot, dialog)
        assert dialog.save_button in visited and dialog.cancel_button in visited, type(dialog).__name__
        assert visited.index(dialog.save_button) == len(visited) - 1 or not dialog.save_button.isEnabled()


def test_the_main_window_has_unique_mnemonics_and_no_tab_trap(qtbot: Any, app_window: AppWindow) -> None:
    alerts = app_window.alerts
    qtbot.waitUntil(lambda: alerts.count > 0, timeout=10_000)
    alerts.show_inbox()
    assert clashes(window_mnemonics(app_window)) == []
    for action in app_window.menuBar().actions():
        menu = action.menu()
        assert isinstance(menu, QMenu)
        menu.aboutToShow.emit()
        assert menu_clashes(menu) == {}, action.text()
    app_window.search.setFocus()
    visited = tab_cycle(qtbot, app_window)
    assert app_window.board_view in visited
    assert alerts.inbox.table in visited  # in, and out again: no trap


def test_every_shortcut_of_the_window_comes_from_the_one_table_once(app_window: AppWindow) -> None:
    table = [QKeySequence(s.keys).toString() for s in SHORTCUTS.values()]
    assert len(set(table)) == len(table), "two commands share keys in ui/shortcuts.py"
    on_actions: dict[str, list[str]] = {}
    for action in app_window.findChildren(QAction):
        for seq in action.shortcuts():
            if not seq.isEmpty():
                on_actions.setdefault(seq.toString(), []).append(action.text())
                # The tooltip names the keys as they are read on this platform, never typed by hand.
                assert seq.toString(QKeySequence.SequenceFormat.NativeText) in action.toolTip(), action.text()
    assert {keys: names for keys, names in on_actions.items() if len(names) > 1} == {}
    assert sorted(on_actions) == sorted(table)  # none defined elsewhere, none in the table unused
    assert key_text(Command.ALERTS) in app_window.alerts.count_button.toolTip()


def test_other_dialogs_have_unique_mnemonics_and_no_tab_trap(qtbot: Any, app_window: AppWindow) -> None:
    handover = app_window.printing.ask_handover()
    note = NoteDialog(app_window, "High risk — Amira")
    settings = SettingsDialog(DEFAULT_LADDER, None, app_window)
    for dlg in (handover, note, settings):
        assert isinstance(dlg, QDialog)
        assert clashes(window_mnemonics(dlg)) == [], type(dlg).__name__
        dlg.show()
        qtbot.waitExposed(dlg)
        tab_cycle(qtbot, dlg)
        dlg.reject()
    assert isinstance(handover, HandoverDialog)


# -- what a screen reader hears, what low vision sees ---------------------------------------------
def test_a_child_going_missing_a_high_alert_and_a_save_are_announced(
    qtbot: Any, app_window: AppWindow, council: World
) -> None:
    heard: list[tuple[str, bool]] = []
    app_window.announcer.did_announce.connect(lambda text, assertive: heard.append((text, assertive)))
    dialog = _form(app_window, "C000002", app_window.report_missing)
    dialog.field("risk").setCurrentIndex(dialog.field("risk").findData("high"))
    assert dialog.submit()
    qtbot.waitUntil(lambda: ("Bilal Testtwo is now missing.", True) in heard, timeout=5000)
    assert ("Saved.", False) in heard
    qtbot.waitUntil(lambda: any(t.startswith("High alert") and "Bilal" in t and a for t, a in heard), timeout=10_000)


def test_board_rows_speak_the_child(app_window: AppWindow) -> None:
    app_window.set_scope(Scope.EVERYONE)
    m = app_window.filter_model
    row = m.row_of("C000001")
    assert row is not None
    assert m.headerData(row, Qt.Orientation.Vertical, Qt.ItemDataRole.AccessibleTextRole).startswith("Amira")


def test_selection_focus_and_placeholder_colours_meet_aa(app_window: AppWindow) -> None:
    from PySide6.QtGui import QPalette

    from lac_monitor.ui.accessibility import contrast

    pal = app_window.board_view.palette()
    active = QPalette.ColorGroup.Active
    inactive = QPalette.ColorGroup.Inactive
    assert (
        contrast(
            pal.color(active, QPalette.ColorRole.HighlightedText).name(),
            pal.color(active, QPalette.ColorRole.Highlight).name(),
        )
        >= 4.5
    )
    assert (
        contrast(
            pal.color(inactive, QPalette.ColorRole.HighlightedText).name(),
            pal.color(inactive, QPalette.ColorRole.Highlight).name(),
        )
        >= 4.5
    )
    assert pal.color(active, QPalette.ColorRole.Highlight) != pal.color(inactive, QPalette.ColorRole.Highlight)
    base = pal.color(active, QPalette.ColorRole.Base).name()
    assert contrast(pal.color(active, QPalette.ColorRole.PlaceholderText).name(), base) >= 4.5
    from lac_monitor.ui.accessibility import FOCUS

    assert contrast(FOCUS, base) >= 3.0


def test_a_focused_board_wears_a_ring_an_unfocused_one_does_not(qtbot, app_window: AppWindow) -> None:  # type: ignore[no-untyped-def]
    from lac_monitor.ui.accessibility import FOCUS

    app_window.show()
    app_window.activateWindow()
    ring = app_window.board_ring

    def edge() -> str:
        return ring.grab().toImage().pixelColor(0, ring.height() // 2).name()

    app_window.board_view.setFocus()
    qtbot.waitUntil(app_window.board_view.hasFocus)
    assert edge() == FOCUS
    app_window.search.setFocus()
    qtbot.waitUntil(app_window.search.hasFocus)
    assert edge() != FOCUS


def test_the_window_fits_1600_by_1000_at_twice_the_size(app_window: AppWindow) -> None:
    """At 2x, a 1600x1000 screen is 800x500 logical pixels: filters and counts wrap instead."""
    hint = app_window.minimumSizeHint()
    assert hint.width() <= 780 and hint.height() <= 480
    app_window.resize(780, 460)
    assert app_window.width() <= 780


@pytest.mark.parametrize("focused", [True, False], ids=["board focused", "window not active"])
def test_the_selected_missing_childs_badge_is_readable_focused_or_not(  # type: ignore[no-untyped-def]
    qtbot, app_window: AppWindow, focused: bool
) -> None:
    """The badge's words on the selected row keep AA contrast (4.5:1) whether the selection
    is drawn dark (board focused) or light (another window active)."""
    from PySide6.QtGui import QColor

    from lac_monitor.ui.accessibility import contrast
    from lac_monitor.ui.board_model import Col

    win = app_window
    win.set_scope(Scope.EVERYONE)
    win.resize(1400, 800)
    win.show()
    qtbot.waitExposed(win)
    assert win.select_child("C000001")  # missing: a badge
    if focused:
        win.activateWindow()
        win.board_view.setFocus()
        qtbot.waitUntil(win.board_view.hasFocus)
    view = win.board_view
    cell = view.visualRect(win.filter_model.index(win.filter_model.row_of("C000001"), Col.STATUS))
    image = view.viewport().grab(cell).toImage()
    # A band through the middle of the words, clear of the badge's border: glyphs and fill.
    mid = image.height() // 2
    inner = [image.pixelColor(x, y).name() for x in range(9, 60) for y in range(mid - 3, mid + 4)]
    lum = sorted(set(inner), key=lambda c: QColor(c).lightnessF())
    assert contrast(lum[0], lum[-1]) >= 4.5, (lum[0], lum[-1])
