"""Child ▸ Who has viewed this record: for managers, auditors and administrators.

Read from the audit trail: each view on purpose (see main_window.VIEW_DWELL_MS) and each print.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
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
            "newest first, from the audit trail." if rows else "Nobody has viewed this record yet.", self)
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


class AccessFeature:
    """Child ▸ Who has viewed this record… (Ctrl+Shift+V), shown to those who may read it."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.service = AccessService(window.db, window.actor, window.clock)
        self.dialog: ViewsDialog | None = None
        self.views_action = QAction("Who has &viewed this record…", window)
        self.views_action.setShortcut(QKeySequence("Ctrl+Shift+V"))
        self.views_action.setToolTip("Who viewed or printed the selected child's record (Ctrl+Shift+V)")
        self.views_action.triggered.connect(self.show_views)
        self.views_action.setVisible(access.may(window.actor.role, Permission.READ_VIEWS))
        window.add_action("child", self.views_action)

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
