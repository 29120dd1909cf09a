"""Alerts and printing, wired into the main window through its extension points.

`ui/app_window.py` composes them (with access and patterns) into the window the app opens.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QStyle,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from lac_monitor.domain.alerts import AlertRow
from lac_monitor.domain.errors import LacError, ValidationError
from lac_monitor.domain.localtime import format_local
from lac_monitor.reports.handover import render_handover
from lac_monitor.reports.profile import render_profile
from lac_monitor.services.alerts import AlertService
from lac_monitor.services.handover import (
    HandoverData,
    ProfileData,
    Window,
    build_handover,
    build_profile,
    default_window,
    last_printed_window,
    record_print,
)
from lac_monitor.services.settings import SettingsService
from lac_monitor.ui import errors
from lac_monitor.ui.alert_banner import AlertBanner, AlertNotifier
from lac_monitor.ui.alert_inbox_view import AlertInboxView
from lac_monitor.ui.episode_dialog import LocalTimeEdit
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.print_preview import make_preview_dialog, save_pdf_as
from lac_monitor.ui.settings_dialog import SettingsDialog
from lac_monitor.ui.shortcuts import Command, make_action, tip
from lac_monitor.ui.workers import Job

log = logging.getLogger(__name__)

SMALL_SCREEN_HEIGHT = 760  # logical pixels: 1600x1000 at 2x is 500


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
        window.add_banner(self.banner)
        self.inbox = AlertInboxView(self.service, actor.staff_id, name_for, window)
        self.inbox.setObjectName("alertInbox")
        for names_did_change in (self.banner.names_did_change, self.inbox.model.names_did_change):
            window.board_model.modelReset.connect(names_did_change)  # the board is in: names, not ids
        self.dock = window.add_dock(self.inbox, "Alerts", Qt.DockWidgetArea.BottomDockWidgetArea, "alertsDock")
        self.inbox.child_requested.connect(window.select_child)
        screen = window.screen()
        if (
            window.settings.window_state() is None
            and screen is not None
            and screen.availableGeometry().height() < SMALL_SCREEN_HEIGHT
        ):
            # A short (or magnified) screen: the board gets the height; the banner and the
            # count show alerts, the Alerts shortcut (Command.ALERTS) opens the inbox.
            self.dock.hide()
        self.inbox.unacknowledged_count_did_change.connect(self._show_count)

        self.show_action = make_action(Command.ALERTS, "Alerts", window, self.show_inbox)
        window.add_action("view", self.show_action, toolbar=True)

        # The count sits with the other counts too; a click opens the inbox.
        self.count_button = QPushButton("", window.summary)
        self.count_button.setObjectName("chip_alerts")
        self.count_button.setAccessibleName("Unacknowledged alerts")
        self.count_button.clicked.connect(self.show_inbox)
        window.summary.add_widget(self.count_button)

        self.sound_action = QAction("S&ound for new alerts", window)
        self.sound_action.setCheckable(True)
        self.sound_action.setChecked(window.settings.alert_sound())
        self.sound_action.toggled.connect(self._set_sound)
        window.add_action("view", self.sound_action)

        self.settings_action = QAction("&Escalation settings…", window)
        self.settings_action.setToolTip(
            "Thresholds of the escalation ladder and office hours"
            + ("" if self.settings_service.can_edit else " (read only)")
        )
        self.settings_action.triggered.connect(self.open_settings)
        window.add_action("file", self.settings_action)

        self.tray: QSystemTrayIcon | None = None
        if tray and QSystemTrayIcon.isSystemTrayAvailable():
            icon = window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            self.tray = QSystemTrayIcon(icon, window)
            self.tray.setToolTip("LAC Monitor")
            self.tray.show()
        kwargs = {} if evaluate_ms is None else {"interval_ms": evaluate_ms}
        self.notifier = AlertNotifier(
            self.service,
            actor.staff_id,
            self.banner,
            inbox=self.inbox,
            window=window,
            tray=self.tray,
            sound=self.sound_action.isChecked(),
            username=actor.username,
            name_for=name_for,
            workers=window.workers,
            parent=window,
            **kwargs,
        )
        window.live.changes_did_arrive.connect(self.notifier.on_changes)
        window.live.connection_did_return.connect(self.inbox.reload)
        self.notifier.evaluation_did_fail.connect(lambda msg: window.statusBar().showMessage(msg, 10000))
        self.notifier.alert_did_arrive.connect(self._announce)
        window.shutdown_hooks.append(self.notifier.stop)
        self.settings_dialog: SettingsDialog | None = None
        self._show_count(self.inbox.model.unacknowledged_count)
        self.notifier.start()

    def _announce(self, alert: AlertRow) -> None:
        """High alerts interrupt a screen reader; others wait their turn."""
        who = self.banner.child_label(alert)
        text = f"{'High alert' if alert.is_high else 'Alert'}: {alert.label}" + (f", {who}" if who else "")
        self.window.announcer.announce(text, assertive=alert.is_high)

    def _set_sound(self, on: bool) -> None:
        self.notifier.sound = on
        self.window.settings.set_alert_sound(on)

    def _show_count(self, n: int) -> None:
        self.count = n
        self.count_button.setText(f"⚑ {n} unacknowledged alert{'s' if n != 1 else ''}" if n else "⚑ No alerts")
        self.count_button.setToolTip(tip(Command.ALERTS, "Open the alert inbox"))
        self.banner.set_total(n)
        suffix = f" — {n} unacknowledged alert{'s' if n != 1 else ''}" if n else ""
        self.window.setWindowTitle(f"LAC Monitor{suffix}")
        self.show_action.setText(f"⚑ Alerts ({n})" if n else "Alerts")
        self.show_action.setToolTip(
            tip(Command.ALERTS, f"{n} unacknowledged alert{'s' if n != 1 else ''} — show the inbox")
            if n
            else tip(Command.ALERTS)
        )
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


class HandoverDialog(QDialog):
    """Choose the window, scope and notes of a handover sheet. Opened with `open()`."""

    def __init__(
        self,
        parent: QWidget,
        start: datetime,
        end: datetime,
        reason: str,
        teams: list[tuple[int, str]],
        localities: list[str],
        last: Window | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Handover sheet")
        self.setObjectName("handoverDialog")
        form = QFormLayout()
        self.default_window = (start, end, reason)
        self.start_edit = LocalTimeEdit(start, self)
        self.end_edit = LocalTimeEdit(end, self)
        for edit, name in ((self.start_edit, "From"), (self.end_edit, "To")):
            edit.setAccessibleName(name)
        self.team_combo = QComboBox(self)
        self.team_combo.setAccessibleName("Team")
        self.team_combo.addItem("Everyone", None)
        for tid, name in teams:
            self.team_combo.addItem(name, tid)
        self.locality_combo = QComboBox(self)
        self.locality_combo.setAccessibleName("Locality")
        self.locality_combo.addItem("All localities", None)
        for loc in localities:
            self.locality_combo.addItem(loc, loc)
        self.notes = QPlainTextEdit(self)
        self.notes.setTabChangesFocus(True)  # Tab moves on to the buttons
        self.notes.setAccessibleName("Notes")
        self.notes.setAccessibleDescription("Notes for the next shift")
        self.notes.setPlaceholderText("What the next shift needs to know")
        self.error = QLabel("", self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.reason_label = QLabel(f"Window: {reason}", self)
        self.reason_label.setWordWrap(True)
        form.addRow(self.reason_label)
        self.last_button: QPushButton | None = None
        if last is not None:
            self.last_button = QPushButton(
                f"Same as &last sheet ({format_local(last.start)} to {format_local(last.end)})", self
            )
            self.last_button.setToolTip("For a reprint (e.g. after a paper jam): the window of your last sheet")
            self.last_button.setAutoDefault(False)
            self.last_button.clicked.connect(lambda: self.use_window(last.start, last.end, last.reason))
            form.addRow(self.last_button)
        form.addRow("&From:", self.start_edit)
        form.addRow("&To:", self.end_edit)
        form.addRow("T&eam:", self.team_combo)
        form.addRow("&Locality:", self.locality_combo)
        form.addRow("&Notes:", self.notes)
        buttons = QDialogButtonBox(self)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("&Save as PDF…", QDialogButtonBox.ButtonRole.ActionRole)
        self.preview_button = buttons.addButton("Print &preview…", QDialogButtonBox.ButtonRole.AcceptRole)
        for b in (self.cancel_button, self.save_button):
            b.setAutoDefault(False)  # Enter always means the default: Print preview
        self.preview_button.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        chain: list[QWidget] = [
            w
            for w in (
                self.last_button,
                self.start_edit,
                self.end_edit,
                self.team_combo,
                self.locality_combo,
                self.notes,
                self.cancel_button,
                self.save_button,
                self.preview_button,
            )
            if w is not None
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self.start_edit.setFocus()

    def use_window(self, start: datetime, end: datetime, reason: str) -> None:
        self.start_edit.set_value(start)
        self.end_edit.set_value(end)
        self.reason_label.setText(f"Window: {reason}")

    def options(self) -> tuple[datetime, datetime, int | None, str | None, str | None]:
        # A boundary in the hour the clocks went back covers both: From the first, To the second.
        start, end = self.start_edit.value(), self.end_edit.value(later=True)
        for name, edit in (("From", self.start_edit), ("To", self.end_edit)):
            rule = edit.clock_rule()
            if rule is not None and edit.which.currentData() is None and "twice" not in rule:
                raise ValidationError(name, rule)
        if end <= start:
            raise ValidationError("To", f"must be after From ({format_local(start)})")
        notes = self.notes.toPlainText().strip() or None
        return start, end, self.team_combo.currentData(), self.locality_combo.currentData(), notes


class PrintingFeature(QObject):
    """File ▸ Print handover sheet; Child ▸ Print missing-person profile (keys: ui/shortcuts.py).

    Signals:
        report_did_finish(bytes): a sheet was built and rendered (before preview or save).
    """

    report_did_finish = Signal(bytes)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.last_job: Job | None = None
        self.handover_action = make_action(Command.PRINT_HANDOVER, "Print &handover sheet…", window, self.ask_handover)
        window.add_action("file", self.handover_action, toolbar=True)
        self.profile_action = make_action(
            Command.PRINT_PROFILE, "Pri&nt missing-person profile…", window, self.preview_profile
        )
        window.add_action("child", self.profile_action, toolbar=True)
        self.handover_dialog: HandoverDialog | None = None
        self.preview: QDialog | None = None

    def _error(self, exc: LacError, doing: str) -> None:
        self.window.show_box(errors.known_error_box(self.window, exc, doing))

    def ask_handover(self) -> HandoverDialog | None:
        w = self.window
        now = w.clock.now()
        try:
            win = default_window(w.db, w.actor, now)
            last = last_printed_window(w.db, w.actor, now)
        except Exception as exc:
            known = errors.as_known_error(exc)
            if known is None:
                raise
            self._error(known, "Opening the handover sheet")
            return None
        if last is not None and (last.start, last.end) == (win.start, win.end):
            last = None  # the default already is the last sheet's window
        dlg = HandoverDialog(w, win.start, win.end, win.reason, w.teams, w.localities, last)
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
        job = self.handover(start, end, team_id=team_id, locality=locality, notes=notes, save=save)
        if job is not None:
            # The dialog (and the notes typed in it) stays until the sheet is ready.
            dlg.setEnabled(False)
            job.did_finish.connect(lambda _result: dlg.accept())
            job.did_fail.connect(lambda _exc: dlg.setEnabled(True))

    def handover(
        self,
        start: datetime,
        end: datetime,
        *,
        team_id: int | None = None,
        locality: str | None = None,
        notes: str | None = None,
        save: bool = False,
    ) -> Job | None:
        """Build and render in a worker (progress, Cancel); then preview or save. The job's
        result is the PDF bytes once it is done."""
        w = self.window
        db, clock, actor = w.db, w.clock, w.actor

        def work(job: Job) -> tuple[HandoverData, bytes]:
            data = build_handover(db, clock, actor, start, end, team_id=team_id, locality=locality, notes=notes)
            job.report(1, 2)
            return data, render_handover(data)

        stamp = format_local(end).replace("/", "-").replace(":", "").replace(" ", "_")
        return self._build(work, f"handover_{stamp}.pdf", "Handover sheet", save, "Preparing the handover sheet")

    def preview_profile(self, child_id: str | None = None, save: bool = False) -> Job | None:
        w = self.window
        child_id = child_id or w.selected_child_id()
        if child_id is None:
            w.statusBar().showMessage("Choose a child on the board first.", 5000)
            return None
        db, clock, actor, cid = w.db, w.clock, w.actor, child_id

        def work(job: Job) -> tuple[ProfileData, bytes]:
            data = build_profile(db, clock, actor, cid)
            job.report(1, 2)
            return data, render_profile(data)

        return self._build(
            work, f"profile_{child_id}.pdf", "Missing-person profile", save, "Preparing the missing-person profile"
        )

    def _build(
        self,
        work: Callable[[Job], tuple[HandoverData | ProfileData, bytes]],
        suggested: str,
        title: str,
        save: bool,
        doing: str,
    ) -> Job | None:
        """Run `work` in the background with a progress dialog that can cancel it."""
        w = self.window
        progress = QProgressDialog(f"{doing}…", "Cancel", 0, 0, w)
        progress.setWindowTitle(title)
        progress.setObjectName("reportProgress")
        progress.setMinimumDuration(400)  # quick ones never flash a dialog
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setAutoReset(False)
        progress.setAutoClose(False)

        def finish() -> None:
            progress.reset()
            progress.deleteLater()

        def done(result: tuple[HandoverData | ProfileData, bytes]) -> None:
            finish()
            data, pdf = result
            self._present(pdf, data, suggested, title, save)
            self.report_did_finish.emit(pdf)

        def failed(exc: LacError) -> None:
            finish()
            self._error(exc, doing)

        job = w.workers.run(work, done=done, failed=failed, key=f"report:{title}")
        if job is None:
            finish()
            w.statusBar().showMessage(f"{title}: already being prepared.", 5000)
            return None
        progress.canceled.connect(job.cancel)
        progress.canceled.connect(finish)
        self.last_job = job
        return job

    def _present(self, pdf: bytes, data: HandoverData | ProfileData, suggested: str, title: str, save: bool) -> None:
        w = self.window

        def audited(output: str) -> None:
            try:
                record_print(w.db, w.clock, w.actor, data, output=output)
            except LacError as exc:  # printed, but the audit row failed: say so
                self._error(exc, "Recording the print in the audit trail")

        if save:
            self._save(pdf, suggested, audited)
            return
        try:
            dlg = make_preview_dialog(
                pdf,
                w,
                title,
                on_printed=lambda printer: audited(
                    f"printer:{printer.printerName() or printer.outputFileName() or 'printer'}"
                ),
            )
        except RuntimeError as exc:
            log.warning("print preview unavailable: %s", type(exc).__name__)
            w.statusBar().showMessage(f"Print preview is not available here ({exc}); saving as PDF instead.")
            self._save(pdf, suggested, audited)
            return
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.preview = dlg
        dlg.open()

    def _save(self, pdf: bytes, suggested: str, audited: Callable[[str], None]) -> None:
        """Save as PDF; a full disk or a folder without permission is a plain message."""
        try:
            path = save_pdf_as(self.window, pdf, suggested, on_saved=lambda p: audited(f"pdf:{p.name}"))
        except OSError as exc:
            known = errors.as_known_error(exc)
            assert known is not None
            self._error(known, "Saving the PDF")
            return
        if path is not None:
            self.window.statusBar().showMessage(f"Saved {path.name}.", 6000)
