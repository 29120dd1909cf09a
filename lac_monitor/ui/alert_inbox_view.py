"""The alert inbox: a widget for a QDockWidget or a side panel.

Shows the alerts addressed to the user (newest first) with the unacknowledged count, a
"Show acknowledged" switch for history, and Acknowledge with an optional note. The note
is asked for by `AlertInboxView.ask_note`, a replaceable class attribute, so tests never
block on a dialog; errors open non-blocking message boxes built by `error_box`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Protocol

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from lac_monitor.domain.alerts import AlertRow, AlreadyAcknowledgedError
from lac_monitor.domain.errors import LacError
from lac_monitor.ui.accessibility import FocusRing
from lac_monitor.ui.alerts_model import ROW_ROLE, AlertCol, AlertsModel, NameFor, child_text
from lac_monitor.ui.errors import known_error_box

log = logging.getLogger(__name__)


class AlertSource(Protocol):
    """What the inbox needs from AlertService (a fake in tests)."""

    def inbox(self, staff_id: int | None, include_acknowledged: bool = False) -> list[AlertRow]: ...

    def acknowledge(self, alert_id: int, note: str | None = None) -> AlertRow: ...

    def acknowledge_many(self, alert_ids: Iterable[int], note: str | None = None) -> list[AlertRow]: ...

    def get_many(self, alert_ids: Iterable[int]) -> list[AlertRow]: ...


NoteAsker = Callable[[QWidget, AlertRow, str], "str | None"]


class NoteDialog(QDialog):
    """The acknowledge note: Tab leaves the note box; Enter in the box is a new line,
    Ctrl+Enter or the default button acknowledges; the button is the last Tab stop."""

    def __init__(self, parent: QWidget | None, heading: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Acknowledge alert")
        self.setObjectName("ackNoteDialog")
        label = QLabel(f"{heading}\n\n&Note (optional), e.g. what you have done:", self)
        label.setWordWrap(True)
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("ackNote")
        self.note.setTabChangesFocus(True)
        self.note.setAccessibleName("Note (optional)")
        label.setBuddy(self.note)
        buttons = QDialogButtonBox(self)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.addButton("&Acknowledge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        QWidget.setTabOrder(self.note, self.cancel_button)
        QWidget.setTabOrder(self.cancel_button, self.ok_button)
        self.note.setFocus()

    def text(self) -> str:
        return self.note.toPlainText()


def ask_note_dialog(parent: QWidget, alert: AlertRow, child_label: str) -> str | None:
    """Optional note; None if the user cancelled. (A user-started, window-modal question.)"""
    dlg = NoteDialog(parent, f"{alert.label} — {child_label}")
    return dlg.text() if dlg.exec() == QDialog.DialogCode.Accepted else None


class AlertInboxView(QWidget):
    """Alerts for one member of staff.

    Signals:
        alert_did_acknowledge(int): this user acknowledged the alert with this id.
        unacknowledged_count_did_change(int): for a dock title or a status-bar badge.
        child_requested(str): the user double-clicked an alert; open this child's record.
    """

    alert_did_acknowledge = Signal(int)
    unacknowledged_count_did_change = Signal(int)
    child_requested = Signal(str)

    # Replaceable in tests (and by a main window that wants its own dialogs).
    ask_note: NoteAsker = staticmethod(ask_note_dialog)  # type: ignore[assignment]
    error_box: Callable[[QWidget | None, LacError], QMessageBox] = staticmethod(  # type: ignore[assignment]
        lambda parent, exc: known_error_box(parent, exc, "Acknowledging the alert")
    )

    def __init__(
        self, service: AlertSource, staff_id: int | None, name_for: NameFor | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.staff_id = staff_id
        self._name_for = name_for
        self.last_error_box: QMessageBox | None = None
        self.setObjectName("alertInbox")
        self.model = AlertsModel(name_for, parent=self)
        self.model.unacknowledged_count_did_change.connect(self._on_count)

        self.count_label = QLabel()
        self.count_label.setObjectName("alertCount")
        self.show_acknowledged = QCheckBox("Show h&istory")
        self.show_acknowledged.setToolTip("Include acknowledged and resolved alerts (history)")
        self.show_acknowledged.toggled.connect(self._on_toggle_history)
        self.ack_button = QPushButton("Ac&knowledge…")
        self.ack_button.setToolTip(
            "Acknowledge the selected alerts (select several with Shift or Ctrl, Ctrl+A for all) with one optional note"
        )
        self.ack_button.clicked.connect(self.acknowledge_selected)

        self.table = QTableView()
        self.table.setObjectName("alertTable")
        self.table.setAccessibleName("Alerts")
        self.table.setModel(self.model)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move within it
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in (
            (AlertCol.SEVERITY, 90),
            (AlertCol.RULE, 170),
            (AlertCol.CHILD, 220),
            (AlertCol.EPISODE, 60),
            (AlertCol.MESSAGE, 380),
            (AlertCol.RAISED, 140),
            (AlertCol.ACKNOWLEDGED, 200),
        ):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        top = QHBoxLayout()
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(self.show_acknowledged)
        top.addWidget(self.ack_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(FocusRing(self.table, self))  # a focused table looks focused
        self._on_count(0)
        self._update_buttons()

    # -- loading ------------------------------------------------------------------------------
    def reload(self) -> None:
        """Load (or reload) from the database: start-up, history switched, reconnect."""
        rows = self.service.inbox(self.staff_id, include_acknowledged=self.show_acknowledged.isChecked())
        self.model.load(rows, self.show_acknowledged.isChecked())
        self._on_count(self.model.unacknowledged_count)  # the label, even if unchanged
        self._update_buttons()
        self._fit_raised(rows)

    def load_rows(self, rows: list[AlertRow]) -> None:
        """Rows read elsewhere (a worker at start-up): the open alerts, newest first."""
        if self.show_acknowledged.isChecked():
            self.reload()
            return
        self.model.load(rows, False)
        self._on_count(self.model.unacknowledged_count)
        self._update_buttons()

    def apply(self, rows: Iterable[AlertRow]) -> None:
        """Live rows (already filtered to this user), e.g. after "alert.*" feed events."""
        rows = list(rows)
        self.model.apply(rows)
        self._update_buttons()
        self._fit_raised(rows)

    def _fit_raised(self, rows: list[AlertRow]) -> None:
        """A late alert's "Raised" reads "… (late, due 03:00)": widen the column to show it whole."""
        if any(r.late for r in rows):
            needed = self.table.sizeHintForColumn(AlertCol.RAISED)
            if needed > self.table.columnWidth(AlertCol.RAISED):
                self.table.setColumnWidth(AlertCol.RAISED, needed)

    @property
    def unacknowledged_count(self) -> int:
        return self.model.unacknowledged_count

    # -- acknowledging ------------------------------------------------------------------------
    def selected_alert(self) -> AlertRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].data(ROW_ROLE)
        return row if isinstance(row, AlertRow) else None

    def select_alert(self, alert_id: int) -> None:
        i = self.model.row_of(alert_id)
        if i is not None:
            self.table.selectionModel().select(
                self.model.index(i, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.scrollTo(self.model.index(i, 0))

    def selected_alerts(self) -> list[AlertRow]:
        out = []
        for index in self.table.selectionModel().selectedRows():
            row = index.data(ROW_ROLE)
            if isinstance(row, AlertRow):
                out.append(row)
        return out

    def acknowledge_selected(self) -> None:
        alerts = [a for a in self.selected_alerts() if a.is_open]
        if len(alerts) == 1:
            self.acknowledge(alerts[0].id)
        elif alerts:
            self.acknowledge_several([a.id for a in alerts])

    def acknowledge_several(self, alert_ids: list[int]) -> list[AlertRow]:
        """One note for all of them (e.g. "reviewed at handover"), one transaction."""
        rows = [
            r
            for r in (self.model.alert_at(i) for i in (self.model.row_of(a) for a in alert_ids) if i is not None)
            if r is not None
        ]
        if not rows:
            return []
        first = rows[0]
        heading = f"{len(rows)} alerts, e.g. {first.label} — {child_text(first.child_id, self._name_for)}"
        note = type(self).ask_note(self, first, heading)
        if note is None:
            return []
        try:
            done = self.service.acknowledge_many(alert_ids, note)
        except LacError as exc:
            self._show_error(exc)
            return []
        self.model.apply(self.service.get_many(alert_ids))  # includes any someone else acknowledged
        self._update_buttons()
        for a in done:
            self.alert_did_acknowledge.emit(a.id)
        return done

    def acknowledge(self, alert_id: int) -> AlertRow | None:
        """Ask for an optional note, then acknowledge. None if cancelled or refused."""
        i = self.model.row_of(alert_id)
        alert = self.model.alert_at(i) if i is not None else None
        if alert is None:
            found = self.service.get_many([alert_id])
            alert = found[0] if found else None
        if alert is None or not alert.is_open:
            return None
        note = type(self).ask_note(self, alert, child_text(alert.child_id, self._name_for))
        if note is None:
            return None
        try:
            done = self.service.acknowledge(alert_id, note)
        except AlreadyAcknowledgedError as exc:
            self.model.apply(self.service.get_many([alert_id]))
            self._show_error(exc)
            return None
        except LacError as exc:
            self._show_error(exc)
            return None
        self.model.apply([done])
        self._update_buttons()
        self.alert_did_acknowledge.emit(alert_id)
        return done

    def _show_error(self, exc: LacError) -> None:
        box = type(self).error_box(self, exc)
        self.last_error_box = box
        box.open()

    # -- internals -----------------------------------------------------------------------------
    def _on_toggle_history(self, _checked: bool) -> None:
        self.reload()

    def _on_count(self, count: int) -> None:
        self.count_label.setText(f"<b>{count}</b> unacknowledged" if count else "No unacknowledged alerts")
        self.count_label.setAccessibleName(f"{count} unacknowledged alerts")
        self.unacknowledged_count_did_change.emit(count)

    def _update_buttons(self) -> None:
        n = sum(1 for a in self.selected_alerts() if a.is_open)
        self.ack_button.setEnabled(n > 0)
        self.ack_button.setText(f"Ac&knowledge {n}…" if n > 1 else "Ac&knowledge…")

    def _on_double_click(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if isinstance(row, AlertRow) and row.child_id:
            self.child_requested.emit(row.child_id)

    def select_first(self) -> None:
        if self.model.rowCount():
            self.table.selectRow(0)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        hint.setWidth(max(hint.width(), 900))
        return hint
