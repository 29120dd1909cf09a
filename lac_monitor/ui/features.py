"""Alerts and printing, wired into the main window through its extension points.

`build_main_window` is what the app (and the integration tests) use: the board window
with the alert inbox, banner, notifications, the escalation settings and printing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QDateTime, Qt, QTimeZone
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QSystemTrayIcon,
    QVBoxLayout,
)

from lac_monitor.domain.clock import Clock
from lac_monitor.domain.errors import LacError, ValidationError
from lac_monitor.domain.localtime import council_tz, format_local
from lac_monitor.reports.handover import render_handover
from lac_monitor.reports.profile import render_profile
from lac_monitor.services.alerts import AlertService
from lac_monitor.services.handover import (
    HandoverData,
    ProfileData,
    build_handover,
    build_profile,
    default_window,
    record_print,
)
from lac_monitor.services.settings import SettingsService
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database
from lac_monitor.ui import errors
from lac_monitor.ui.alert_banner import AlertBanner, AlertNotifier
from lac_monitor.ui.alert_inbox_view import AlertInboxView
from lac_monitor.ui.live import LiveBridge
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.print_preview import make_preview_dialog, save_pdf_as
from lac_monitor.ui.settings_dialog import SettingsDialog
from lac_monitor.ui.settings_store import SettingsStore

log = logging.getLogger(__name__)


def build_main_window(db: Database, actor: Actor, clock: Clock, settings: SettingsStore | None = None, *,
                      live: LiveBridge | None = None, tray: bool = True, evaluate_ms: int | None = None
                      ) -> MainWindow:
    window = MainWindow(db, actor, clock, settings, live=live)
    window.alerts = AlertsFeature(window, tray=tray, evaluate_ms=evaluate_ms)  # type: ignore[attr-defined]
    window.printing = PrintingFeature(window)  # type: ignore[attr-defined]
    from lac_monitor.ui.patterns_view import PatternsFeature

    window.patterns = PatternsFeature(window)  # type: ignore[attr-defined]
    return window


class AlertsFeature:
    """Inbox dock, banner, tray/taskbar notification, unacknowledged count, ladder settings."""

    def __init__(self, window: MainWindow, *, tray: bool = True, evaluate_ms: int | None = None) -> None:
        self.window = window
        db, actor, clock = window.db, window.actor, window.clock
        self.service = AlertService(db, actor, clock)
        self.settings_service = SettingsService(db, actor, clock)

        def name_for(child_id: str) -> str | None:
            row = window.board_model.board_row(child_id)
            return row.display_name if row is not None else None

        self.banner = AlertBanner(name_for, window)
        central = window.centralWidget()
        layout = central.layout() if central is not None else None
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.banner)  # under the connection banner, above the counts
        self.inbox = AlertInboxView(self.service, actor.staff_id, name_for, window)
        self.inbox.setObjectName("alertInbox")
        self.dock = window.add_dock(self.inbox, "Alerts", Qt.DockWidgetArea.BottomDockWidgetArea, "alertsDock")
        self.inbox.child_requested.connect(window.select_child)
        self.inbox.unacknowledged_count_did_change.connect(self._show_count)

        self.show_action = QAction("Alerts", window)
        self.show_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.show_action.setToolTip("Show the alert inbox (Ctrl+Shift+A)")
        self.show_action.triggered.connect(self.show_inbox)
        window.add_action("view", self.show_action, toolbar=True)

        # The count sits with the other counts too; a click opens the inbox.
        self.count_button = QPushButton("", window.summary)
        self.count_button.setObjectName("chip_alerts")
        self.count_button.setAccessibleName("Unacknowledged alerts")
        self.count_button.clicked.connect(self.show_inbox)
        strip_layout = window.summary.layout()
        assert strip_layout is not None
        strip_layout.addWidget(self.count_button)

        self.sound_action = QAction("&Sound for new alerts", window)
        self.sound_action.setCheckable(True)
        self.sound_action.setChecked(window.settings.alert_sound())
        self.sound_action.toggled.connect(self._set_sound)
        window.add_action("view", self.sound_action)

        self.settings_action = QAction("&Escalation settings…", window)
        self.settings_action.setToolTip("Thresholds of the escalation ladder and office hours"
                                        + ("" if self.settings_service.can_edit else " (read only)"))
        self.settings_action.triggered.connect(self.open_settings)
        window.add_action("file", self.settings_action)

        self.tray: QSystemTrayIcon | None = None
        if tray and QSystemTrayIcon.isSystemTrayAvailable():
            icon = window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self.tray = QSystemTrayIcon(icon, window)
            self.tray.setToolTip("LAC Monitor")
            self.tray.show()
        kwargs = {} if evaluate_ms is None else {"interval_ms": evaluate_ms}
        self.notifier = AlertNotifier(self.service, actor.staff_id, self.banner, inbox=self.inbox, window=window,
                                      tray=self.tray, sound=self.sound_action.isChecked(),
                                      username=actor.username, name_for=name_for, parent=window, **kwargs)
        window.live.changes_did_arrive.connect(self.notifier.on_changes)
        window.live.connection_did_return.connect(self.inbox.reload)
        self.notifier.evaluation_did_fail.connect(lambda msg: window.statusBar().showMessage(msg, 10000))
        window.shutdown_hooks.append(self.notifier.stop)
        self.settings_dialog: SettingsDialog | None = None
        self._show_count(self.inbox.model.unacknowledged_count)
        self.notifier.start()

    def _set_sound(self, on: bool) -> None:
        self.notifier.sound = on
        self.window.settings.set_alert_sound(on)

    def _show_count(self, n: int) -> None:
        self.count = n
        self.count_button.setText(f"⚑ {n} unacknowledged alert{'s' if n != 1 else ''}" if n else "⚑ No alerts")
        self.count_button.setToolTip("Open the alert inbox (Ctrl+Shift+A)")
        suffix = f" — {n} unacknowledged alert{'s' if n != 1 else ''}" if n else ""
        self.window.setWindowTitle(f"LAC Monitor{suffix}")
        self.show_action.setText(f"⚑ Alerts ({n})" if n else "Alerts")
        self.show_action.setToolTip(f"{n} unacknowledged alert{'s' if n != 1 else ''} — show the inbox "
                                    "(Ctrl+Shift+A)")
        self.dock.setWindowTitle(f"Alerts ({n} unacknowledged)" if n else "Alerts")

    def show_inbox(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.inbox.setFocus()

    def open_settings(self) -> SettingsDialog:
        svc = self.settings_service
        try:
            ladder = svc.ladder()
        except LacError as exc:
            self.window.show_box(errors.known_error_box(self.window, exc, "Opening the settings"))
            raise
        dlg = SettingsDialog(ladder, svc.save_ladder if svc.can_edit else None, self.window)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings_dialog = dlg
        dlg.open()
        return dlg


def _qdt(at: datetime) -> QDateTime:
    local = at.astimezone(council_tz())
    return QDateTime.fromSecsSinceEpoch(int(local.timestamp()), QTimeZone(str(council_tz()).encode()))


def _py(qdt: QDateTime) -> datetime:
    from datetime import UTC

    return datetime.fromtimestamp(qdt.toSecsSinceEpoch(), UTC)


class HandoverDialog(QDialog):
    """Choose the window, scope and notes of a handover sheet. Opened with `open()`."""

    def __init__(self, window: MainWindow, start: datetime, end: datetime, reason: str) -> None:
        super().__init__(window)
        self.setWindowTitle("Handover sheet")
        self.setObjectName("handoverDialog")
        form = QFormLayout()
        self.start_edit = QDateTimeEdit(_qdt(start), self)
        self.end_edit = QDateTimeEdit(_qdt(end), self)
        for edit, name in ((self.start_edit, "From"), (self.end_edit, "To")):
            edit.setDisplayFormat("dd/MM/yyyy HH:mm")
            edit.setCalendarPopup(True)
            edit.setAccessibleName(f"Window {name.lower()}")
        self.team_combo = QComboBox(self)
        self.team_combo.setAccessibleName("Team")
        self.team_combo.addItem("Everyone", None)
        for tid, name in window._teams:
            self.team_combo.addItem(name, tid)
        self.locality_combo = QComboBox(self)
        self.locality_combo.setAccessibleName("Locality")
        self.locality_combo.addItem("All localities", None)
        for loc in window._localities:
            self.locality_combo.addItem(loc, loc)
        self.notes = QPlainTextEdit(self)
        self.notes.setAccessibleName("Notes for the next shift")
        self.notes.setPlaceholderText("What the next shift needs to know")
        self.error = QLabel("", self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        form.addRow(QLabel(f"Default window: {reason}", self))
        form.addRow("&From:", self.start_edit)
        form.addRow("&To:", self.end_edit)
        form.addRow("T&eam:", self.team_combo)
        form.addRow("&Locality:", self.locality_combo)
        form.addRow("&Notes:", self.notes)
        buttons = QDialogButtonBox(self)
        self.preview_button = buttons.addButton("Print &preview…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button = buttons.addButton("&Save as PDF…", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def options(self) -> tuple[datetime, datetime, int | None, str | None, str | None]:
        start, end = _py(self.start_edit.dateTime()), _py(self.end_edit.dateTime())
        if end <= start:
            raise ValidationError("To", f"must be after From ({format_local(start)})")
        notes = self.notes.toPlainText().strip() or None
        return start, end, self.team_combo.currentData(), self.locality_combo.currentData(), notes


class PrintingFeature:
    """File ▸ Print handover sheet (Ctrl+P); Child ▸ Print missing-person profile (Ctrl+Shift+P)."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.handover_action = QAction("Print &handover sheet…", window)
        self.handover_action.setShortcut(QKeySequence("Ctrl+P"))
        self.handover_action.setToolTip("Handover sheet for a shift: preview, print or save as PDF (Ctrl+P)")
        self.handover_action.triggered.connect(self.ask_handover)
        window.add_action("file", self.handover_action, toolbar=True)
        self.profile_action = QAction("Print missing-person &profile…", window)
        self.profile_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.profile_action.setToolTip("Philomena profile of the selected child, to give to the police "
                                       "(Ctrl+Shift+P)")
        self.profile_action.triggered.connect(self.preview_profile)
        window.add_action("child", self.profile_action, toolbar=True)
        self.handover_dialog: HandoverDialog | None = None
        self.preview: QDialog | None = None

    def _error(self, exc: LacError, doing: str) -> None:
        self.window.show_box(errors.known_error_box(self.window, exc, doing))

    def ask_handover(self) -> HandoverDialog:
        w = self.window
        win = default_window(w.db, w.actor, w.clock.now())
        dlg = HandoverDialog(w, win.start, win.end, win.reason)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.preview_button.clicked.connect(lambda: self._handover_from(dlg, save=False))
        dlg.save_button.clicked.connect(lambda: self._handover_from(dlg, save=True))
        self.handover_dialog = dlg
        dlg.open()
        return dlg

    def _handover_from(self, dlg: HandoverDialog, save: bool) -> None:
        try:
            start, end, team_id, locality, notes = dlg.options()
        except ValidationError as exc:
            dlg.error.setText(str(exc))
            return
        dlg.error.setText("")
        pdf_data = self.handover(start, end, team_id=team_id, locality=locality, notes=notes, save=save)
        if pdf_data is not None:
            dlg.accept()

    def handover(self, start: datetime, end: datetime, *, team_id: int | None = None,
                 locality: str | None = None, notes: str | None = None, save: bool = False) -> bytes | None:
        w = self.window
        try:
            data = build_handover(w.db, w.clock, w.actor, start, end, team_id=team_id, locality=locality,
                                  notes=notes)
            pdf = render_handover(data)
        except LacError as exc:
            self._error(exc, "Preparing the handover sheet")
            return None
        stamp = format_local(end).replace("/", "-").replace(":", "").replace(" ", "_")
        self._present(pdf, data, f"handover_{stamp}.pdf", "Handover sheet", save)
        return pdf

    def preview_profile(self, child_id: str | None = None, save: bool = False) -> bytes | None:
        w = self.window
        child_id = child_id or w.selected_child_id()
        if child_id is None:
            w.statusBar().showMessage("Choose a child on the board first.", 5000)
            return None
        try:
            data = build_profile(w.db, w.clock, w.actor, child_id)
            pdf = render_profile(data)
        except LacError as exc:
            self._error(exc, "Preparing the missing-person profile")
            return None
        self._present(pdf, data, f"profile_{child_id}.pdf", "Missing-person profile", save)
        return pdf

    def _present(self, pdf: bytes, data: HandoverData | ProfileData, suggested: str, title: str,
                 save: bool) -> None:
        w = self.window

        def audited(output: str) -> None:
            try:
                record_print(w.db, w.clock, w.actor, data, output=output)
            except LacError as exc:  # printed, but the audit row failed: say so
                self._error(exc, "Recording the print in the audit trail")

        if save:
            save_pdf_as(w, pdf, suggested, on_saved=lambda p: audited(f"pdf:{p.name}"))
            return
        try:
            dlg = make_preview_dialog(
                pdf, w, title, on_printed=lambda printer: audited(
                    f"printer:{printer.printerName() or printer.outputFileName() or 'printer'}"))
        except RuntimeError as exc:
            log.warning("print preview unavailable: %s", type(exc).__name__)
            w.statusBar().showMessage(f"Print preview is not available here ({exc}); saving as PDF instead.")
            save_pdf_as(w, pdf, suggested, on_saved=lambda p: audited(f"pdf:{p.name}"))
            return
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview = dlg
        dlg.open()


