"""The alert inbox as a thin Qt table over plain `AlertRow` values.

Loaded once with `load()` (a reset); after that every live change is one row inserted,
changed or removed, so the user's selection and scroll position survive the feed.
Rows are kept newest first (raised_at, then id), sorted here rather than by a proxy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from lac_monitor.domain.alerts import AlertRow, Severity, late_label, without_subject
from lac_monitor.domain.localtime import format_local

AnyIndex = QModelIndex | QPersistentModelIndex
NameFor = Callable[[str], str | None]

RAW_ROLE = Qt.ItemDataRole.UserRole  # the raw value of the cell
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole AlertRow
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the alert id

# Severity is never shown by colour alone.
SEVERITY_SYMBOLS = {"high": "▲", "warning": "●", "info": "ℹ"}


def severity_text(code: str) -> str:
    try:
        label = Severity(code).label
    except ValueError:
        label = code
    return f"{SEVERITY_SYMBOLS.get(code, '•')} {label}"


def child_text(child_id: str | None, name_for: NameFor | None) -> str:
    if not child_id:
        return ""
    name = name_for(child_id) if name_for else None
    return f"{name} ({child_id})" if name else child_id


class AlertCol(IntEnum):
    SEVERITY = 0
    RULE = 1
    CHILD = 2
    EPISODE = 3
    MESSAGE = 4
    RAISED = 5
    ACKNOWLEDGED = 6


HEADERS: dict[AlertCol, tuple[str, str]] = {
    AlertCol.SEVERITY: ("Severity", "High, warning or information"),
    AlertCol.RULE: ("Alert", "What the alert is about"),
    AlertCol.CHILD: ("Child", "Child name and council id"),
    AlertCol.EPISODE: ("Episode", "Missing episode number"),
    AlertCol.MESSAGE: ("Details", "What has happened and what is due"),
    AlertCol.RAISED: ("Raised", "When the alert was raised"),
    AlertCol.ACKNOWLEDGED: ("Acknowledged", "Who acknowledged it, and when"),
}


BULK_RESET = 50


def _sort_key(row: AlertRow) -> tuple[float, int]:
    return (-row.raised_at.timestamp(), -row.id)


class AlertsModel(QAbstractTableModel):
    """Alerts for one person, newest first.

    Signals:
        unacknowledged_count_did_change(int): the number of unacknowledged rows changed.
    """

    unacknowledged_count_did_change = Signal(int)

    def __init__(
        self, name_for: NameFor | None = None, show_acknowledged: bool = False, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._rows: list[AlertRow] = []
        self._name_for = name_for
        self._show_acknowledged = show_acknowledged
        self._count = 0

    def names_did_change(self) -> None:
        """The board's rows arrived (or were read again): the Child column says names now."""
        if self._rows:
            col = int(AlertCol.CHILD)
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col))

    # -- Qt API --------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AlertCol)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(AlertCol):
            return None
        title, tip = HEADERS[AlertCol(section)]
        if role == Qt.ItemDataRole.DisplayRole:
            return title
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = AlertCol(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = row.message
            if row.ack_note:
                tip += f"\nNote: {row.ack_note}"
            return tip
        if role == RAW_ROLE:
            return self._raw(row, col)
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.FontRole and row.is_open:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self._display(row, col)}"
        return None

    def _display(self, row: AlertRow, col: AlertCol) -> str:
        if col == AlertCol.SEVERITY:
            return severity_text(row.severity)
        if col == AlertCol.RULE:
            return row.label
        if col == AlertCol.CHILD:
            return child_text(row.child_id, self._name_for)
        if col == AlertCol.EPISODE:
            return "" if row.episode_id is None else str(row.episode_id)
        if col == AlertCol.MESSAGE:
            return without_subject(row.message)
        if col == AlertCol.RAISED:
            if row.late and row.due_at is not None:  # nobody was evaluating when it fell due
                return f"{format_local(row.raised_at)} ({late_label(row.due_at, row.raised_at)})"
            return format_local(row.raised_at)
        if row.acknowledged:
            return f"{format_local(row.acknowledged_at)} {row.acknowledged_by or ''}".strip()
        if row.resolved:
            return f"Resolved {format_local(row.resolved_at)}: {row.resolved_reason or 'condition ended'}"
        return "—"

    @staticmethod
    def _raw(row: AlertRow, col: AlertCol) -> Any:
        return {
            AlertCol.SEVERITY: row.severity,
            AlertCol.RULE: row.rule,
            AlertCol.CHILD: row.child_id,
            AlertCol.EPISODE: row.episode_id,
            AlertCol.MESSAGE: row.message,
            AlertCol.RAISED: row.raised_at,
            AlertCol.ACKNOWLEDGED: row.acknowledged_at,
        }[col]

    # -- plain API ---------------------------------------------------------------------------
    @property
    def show_acknowledged(self) -> bool:
        return self._show_acknowledged

    @property
    def unacknowledged_count(self) -> int:
        return self._count

    def rows(self) -> list[AlertRow]:
        return list(self._rows)

    def alert_at(self, row: int) -> AlertRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, alert_id: int) -> int | None:
        for i, r in enumerate(self._rows):
            if r.id == alert_id:
                return i
        return None

    def load(self, rows: Iterable[AlertRow], show_acknowledged: bool | None = None) -> None:
        """First load, or the user switched history on/off: the one place that resets."""
        if show_acknowledged is not None:
            self._show_acknowledged = show_acknowledged
        self.beginResetModel()
        self._rows = sorted((r for r in rows if self._wanted(r)), key=_sort_key)
        self.endResetModel()
        self._recount()

    def apply(self, rows: Iterable[AlertRow]) -> None:
        """Live changes: insert new alerts, update changed ones, drop ones no longer shown.

        Hundreds at once (the first evaluation after a long outage) are merged with one
        reset: row-by-row inserts would cost the GUI thread a second."""
        rows = list(rows)
        if len(rows) > BULK_RESET:
            merged = {r.id: r for r in self._rows}
            merged.update((r.id, r) for r in rows)
            self.load(merged.values())
            return
        for row in rows:
            self._upsert(row)
        self._recount()

    def remove(self, alert_id: int) -> None:
        i = self.row_of(alert_id)
        if i is not None:
            self.beginRemoveRows(QModelIndex(), i, i)
            del self._rows[i]
            self.endRemoveRows()
            self._recount()

    def _wanted(self, row: AlertRow) -> bool:
        return self._show_acknowledged or row.is_open

    def _upsert(self, row: AlertRow) -> None:
        i = self.row_of(row.id)
        if i is not None:
            if not self._wanted(row):
                self.beginRemoveRows(QModelIndex(), i, i)
                del self._rows[i]
                self.endRemoveRows()
                return
            self._rows[i] = row
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(AlertCol) - 1))
            return
        if not self._wanted(row):
            return
        key = _sort_key(row)
        at = next((n for n, r in enumerate(self._rows) if _sort_key(r) > key), len(self._rows))
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, row)
        self.endInsertRows()

    def _recount(self) -> None:
        count = sum(1 for r in self._rows if r.is_open)
        if count != self._count:
            self._count = count
            self.unacknowledged_count_did_change.emit(count)
