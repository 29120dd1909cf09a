"""Child ▸ Who has viewed this record: for managers, auditors and administrators.

Read from the audit trail: each view on purpose (see main_window.VIEW_DWELL_MS) and each print.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import SQLAlchemyError

from lac_monitor.domain import access
from lac_monitor.domain.access import Permission
from lac_monitor.domain.errors import LacError
from lac_monitor.domain.localtime import format_local
from lac_monitor.services.access import AccessService, ViewRow
from lac_monitor.ui import errors
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.shortcuts import Command, make_action

log = logging.getLogger(__name__)


class ViewsDialog(QDialog):
    """Who viewed or printed one child's record, newest first."""

    def __init__(self, child_label: str, rows: list[ViewRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewsDialog")
        self.setWindowTitle(f"Who has viewed {child_label}")
        layout = QVBoxLayout(self)
        self.summary = QLabel(
            f"{len(rows)} {'view or print' if len(rows) == 1 else 'views and prints'} of this record, "
            "newest first, from the audit trail."
            if rows
            else "Nobody has viewed this record yet.",
            self,
        )
        layout.addWidget(self.summary)
        self.table = QTableWidget(len(rows), 4, self)
        self.table.setHorizontalHeaderLabels(["When", "Login", "Name", "What"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        for i, r in enumerate(rows):
            what = r.what if not r.os_login else f"{r.what} (at {r.os_login}'s desk)"
            for j, value in enumerate((format_local(r.at), r.username, r.name or "", what)):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 360)


class RestrictDialog(QDialog):
    """Ask why a child's record is being restricted (the reason is required and audited)."""

    def __init__(self, child_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restrictDialog")
        self.setWindowTitle(f"Restrict {child_label}")
        layout = QVBoxLayout(self)
        info = QLabel(
            "Only the allocated worker, the team's managers, the head of service, the duty team "
            "and administrators will see anything of this child.\n\nReason (required):",
            self,
        )
        info.setWordWrap(True)
        layout.addWidget(info)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("e.g. child of a member of staff")
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())


class AccessFeature:
    """Child ▸ Who has viewed this record… (Command.WHO_VIEWED), shown to those who may read it;
    Child ▸ Restrict this record… / Lift the restriction, for managers and administrators."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.service = AccessService(window.db, window.actor, window.clock)
        self.dialog: ViewsDialog | None = None
        self.views_action = make_action(Command.WHO_VIEWED, "Who has &viewed this record…", window, self.show_views)
        self.views_action.setVisible(access.may(window.actor.role, Permission.READ_VIEWS))
        window.add_action("child", self.views_action)
        self.restrict_dialog: RestrictDialog | None = None
        self.restrict_action = QAction("Restri&ct this record… / lift the restriction", window)
        self.restrict_action.setToolTip("Hide this child from everyone who does not need to see them")
        self.restrict_action.triggered.connect(self.toggle_restriction)
        self.restrict_action.setVisible(access.may(window.actor.role, Permission.RESTRICT_CHILD))
        window.add_action("child", self.restrict_action)

    def toggle_restriction(self) -> RestrictDialog | None:
        """Restricted: lift it (a box says so). Not restricted: ask the reason, then restrict."""
        w = self.window
        cid = w.selected_child_id()
        if cid is None:
            w.statusBar().showMessage("Select a child first.", 5000)
            return None
        try:
            restricted, reason = self.service.restriction(cid)
        except LacError as exc:
            w.show_box(errors.known_error_box(w, exc, "Changing the restriction"))
            return None
        if restricted:
            box = errors.message_box(
                w,
                "Lift the restriction",
                f"Child {cid} is restricted ({reason or 'no reason recorded'}). Lift the restriction, "
                "so that everyone who uses LAC Monitor can see this child?",
                icon=QMessageBox.Icon.Question,
                buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )

            def lift(button: object) -> None:
                if box.standardButton(button) != QMessageBox.StandardButton.Yes:  # type: ignore[arg-type]
                    return
                try:
                    self.service.set_restricted(cid, False)
                except LacError as exc:
                    w.show_box(errors.known_error_box(w, exc, "Lifting the restriction"))
                    return
                w.statusBar().showMessage(f"Child {cid}: restriction lifted.", 8000)

            box.buttonClicked.connect(lift)
            w.show_box(box)
            return None
        row = w.board_model.board_row(cid)
        dlg = RestrictDialog(row.display_name if row is not None else cid, w)

        def save() -> None:
            try:
                self.service.set_restricted(cid, True, dlg.reason.text())
            except LacError as exc:
                w.show_box(errors.known_error_box(w, exc, "Restricting the record"))
                return
            w.statusBar().showMessage(f"Child {cid} is now restricted.", 8000)

        dlg.accepted.connect(save)
        self.restrict_dialog = dlg
        dlg.open()
        return dlg

    def show_views(self) -> ViewsDialog | None:
        w = self.window
        cid = w.selected_child_id()
        if cid is None:
            w.statusBar().showMessage("Select a child first.", 5000)
            return None
        try:
            rows = self.service.views(cid)
        except LacError as exc:
            w.show_box(errors.known_error_box(w, exc, "Reading who has viewed the record"))
            return None
        except SQLAlchemyError:
            log.warning("reading views of child %s failed", cid, exc_info=True)
            w.statusBar().showMessage("The audit trail could not be read: the database is unavailable.", 8000)
            return None
        row = w.board_model.board_row(cid)
        label = row.display_name if row is not None else cid
        self.dialog = ViewsDialog(label, rows, w)
        self.dialog.open()
        return self.dialog
