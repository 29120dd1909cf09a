"""The status board as a thin Qt table over plain `BoardRow` values.

Why it looks like this: the board is updated row by row as the change feed arrives
(insert / remove / dataChanged, never a reset after the first load), it sorts itself
on precomputed keys (a proxy sort of 10k rows is ~50x slower), and durations tick from
the clock alone by re-deriving each row's status with `BoardRow.status_at`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
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

from lac_monitor.domain.codes import (
    PLACE_SHORT,
    RISK_FLAG_LABELS,
    MissingCategory,
    RiskGrade,
)
from lac_monitor.domain.localtime import format_duration, format_local, local_date, to_local
from lac_monitor.domain.status import DEFAULT_RHI_HOURS, ChildStatus, age_on, rhi_due_at
from lac_monitor.domain.urgency import row_urgency
from lac_monitor.domain.values import BoardRow

AnyIndex = QModelIndex | QPersistentModelIndex

# Raw values for delegates, filters and tests (DisplayRole is always str).
RAW_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole BoardRow
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2  # ChildStatus value now (re-derived as the clock moves)
CHILD_ID_ROLE = Qt.ItemDataRole.UserRole + 3

# Status is never shown by colour alone: every label carries a symbol too.
STATUS_SYMBOLS: dict[ChildStatus, str] = {
    ChildStatus.MISSING: "⚠",
    ChildStatus.AWAY: "◐",
    ChildStatus.RHI_OVERDUE: "⚑",
    ChildStatus.RETURNED_RHI_DUE: "↩",
    ChildStatus.IN_PLACEMENT: "⌂",
    ChildStatus.LEFT_CARE: "–",
}
OUT = (ChildStatus.MISSING, ChildStatus.AWAY)
RHI_PENDING = (ChildStatus.RETURNED_RHI_DUE, ChildStatus.RHI_OVERDUE)


def status_text(status: ChildStatus) -> str:
    return f"{STATUS_SYMBOLS[status]} {status.label}"


def risk_rank(code: str | None) -> int:
    if not code:
        return -1
    try:
        return RiskGrade(code).rank
    except ValueError:
        return -1


# Labels by code: looked up for each row painted, where making an enum member costs more.
_RISK_LABELS = {g.value: g.label for g in RiskGrade}
_FLAG_LABELS = {f.value: label for f, label in RISK_FLAG_LABELS.items()}
_CATEGORY_LABELS = {c.value: c.label for c in MissingCategory}


def risk_label(code: str | None) -> str:
    if not code:
        return ""
    return _RISK_LABELS.get(code, code)


def flag_label(code: str) -> str:
    return _FLAG_LABELS.get(code, code)


# Every cell's flags (asked for each cell painted: combining enum flags each time is slow).
ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.ToolTipRole,
        RAW_ROLE,
        ROW_ROLE,
        STATUS_ROLE,
        CHILD_ID_ROLE,
    }
)


class Col(IntEnum):
    STATUS = 0
    NAME = 1
    CHILD_ID = 2
    DURATION = 3
    CATEGORY = 4
    RISK = 5
    POLICE_REF = 6
    LAST_SEEN = 7
    SINCE = 8
    RHI_DUE = 9
    FLAGS = 10
    WORKER = 11
    TEAM = 12
    PLACEMENT = 13
    LOCALITY = 14
    AGE = 15
    EPISODES = 16


N_COLS = len(Col)  # asked thousands of times per repaint; Enum.__len__ is slow


@dataclass(frozen=True)
class Column:
    title: str
    tooltip: str
    width: int  # default width in average character widths
    visible: bool = True


COLUMNS: dict[Col, Column] = {
    Col.STATUS: Column("Status", "Where the child is now", 24),
    Col.NAME: Column("Child", "Name (preferred name)", 24),
    Col.CHILD_ID: Column("Child ID", "Council child id", 9),
    Col.DURATION: Column("Missing for", "How long the child has been missing or away", 10),
    # The status badge already says Missing or Away; the column is there for those who want it.
    Col.CATEGORY: Column("Category", "Missing (whereabouts unknown) or away (whereabouts known)", 9, visible=False),
    Col.RISK: Column("Police risk", "Police risk grade of the current episode", 14),
    Col.POLICE_REF: Column("Police ref", "Police reference (log number)", 15),
    Col.LAST_SEEN: Column("Last seen", "Where the child was last seen", 19),
    Col.SINCE: Column("Since", "When the child went missing or away", 15, visible=False),
    Col.RHI_DUE: Column("RHI due", "When the return-home interview falls due", 18),
    Col.FLAGS: Column("Risk flags", "CSE, CCE, county lines, knife crime and other risks", 22),
    Col.WORKER: Column("Social worker", "Allocated social worker", 17),
    Col.TEAM: Column("Team", "Allocated team", 22),
    Col.PLACEMENT: Column("Placement", "Placement type", 15),
    Col.LOCALITY: Column("Locality", "Locality", 11),
    Col.AGE: Column("Age", "Age in years", 4, visible=False),
    Col.EPISODES: Column(
        "Episodes 30/90/365 d", "Missing and away episodes started in the last 30, 90 and 365 days", 12
    ),
}
TICKING = (Col.STATUS, Col.DURATION, Col.RHI_DUE)


class Entry:
    """One board row with its status and sort key worked out at once, and its display
    strings when first asked for (only the rows painted need them: a first load or a tick
    of 10k rows does not build 170k strings)."""

    __slots__ = ("_display", "_now", "default_key", "row", "search", "status")
    # The council's RHI window (Ladder.rhi_hours); set by BoardModel.set_rhi_hours.
    rhi_hours: float = DEFAULT_RHI_HOURS

    def __init__(self, row: BoardRow, now: datetime) -> None:
        self.row = row
        self.search = " ".join(
            filter(
                None,
                (
                    row.first_name,
                    row.last_name,
                    row.preferred_name,
                    row.child_id,
                    row.police_ref,
                ),
            )
        ).casefold()
        self._display: list[str] | None = None
        self.status = row.status
        self.default_key: tuple[Any, ...] = ()
        self.retime(now)

    @property
    def is_out(self) -> bool:
        return self.status in OUT

    @property
    def shown_risk(self) -> str | None:
        """The risk grade is a fact of the open episode; not shown once the child is back."""
        return self.row.risk if self.is_out else None

    @property
    def display(self) -> list[str]:
        """Every column's text as at the last tick."""
        d = self._display
        if d is None:
            now = self._now
            d = self._display = [text(self, now) for text in _TEXTS]
        return d

    def text(self, col: int) -> str:
        """One column's text, without building the others."""
        d = self._display
        return d[col] if d is not None else _TEXTS[col](self, self._now)

    def retime(self, now: datetime) -> bool:
        """Re-derive status and sort key (texts follow when next asked); True if the status changed."""
        old = self.status
        st = self.row.status_at(now, Entry.rhi_hours)
        self.status = st
        self._now = now
        self._display = None
        self.default_key = row_urgency(self.row, st)  # most urgent first, as everywhere (domain/urgency.py)
        return st is not old


def _out_text(value: Callable[[BoardRow], str]) -> Callable[[Entry, datetime], str]:
    """A fact of the open episode: blank once the child is back."""
    return lambda e, _now: value(e.row) if e.status in OUT else ""


def _duration_text(e: Entry, now: datetime) -> str:
    since = e.row.missing_since
    return format_duration(now - since) if e.status in OUT and since else ""


def _rhi_due_text(e: Entry, now: datetime) -> str:
    r, st = e.row, e.status
    due = rhi_due_at(r.returned_at, Entry.rhi_hours) if st in RHI_PENDING else None
    if due is None:
        return ""
    if st is ChildStatus.RHI_OVERDUE:
        return f"Overdue {format_duration(now - due)}"
    if r.rhi_offered_at is not None:
        return "Offered"
    return f"{to_local(due):%d/%m %H:%M} (in {format_duration(due - now)})"


# Each column's text from an entry and the time of its last tick, in column order.
_TEXT_OF: dict[Col, Callable[[Entry, datetime], str]] = {
    Col.STATUS: lambda e, _now: status_text(e.status),
    Col.NAME: lambda e, _now: e.row.display_name,
    Col.CHILD_ID: lambda e, _now: e.row.child_id,
    Col.DURATION: _duration_text,
    Col.CATEGORY: _out_text(lambda r: _CATEGORY_LABELS.get(r.category, r.category) if r.category else ""),
    Col.RISK: _out_text(lambda r: risk_label(r.risk) or "Not graded"),
    Col.POLICE_REF: _out_text(lambda r: r.police_ref or "None yet"),
    Col.LAST_SEEN: _out_text(lambda r: r.last_seen or ""),
    Col.SINCE: _out_text(lambda r: format_local(r.missing_since)),
    Col.RHI_DUE: _rhi_due_text,
    Col.FLAGS: lambda e, _now: ", ".join(flag_label(f) for f in e.row.flags),
    Col.WORKER: lambda e, _now: e.row.social_worker or "Unallocated",
    Col.TEAM: lambda e, _now: e.row.team or "",
    Col.PLACEMENT: lambda e, _now: PLACE_SHORT.get(e.row.placement_type or "", e.row.placement_type or ""),
    Col.LOCALITY: lambda e, _now: e.row.locality or "",
    Col.AGE: lambda e, now: str(age_on(e.row.dob, local_date(now))),
    Col.EPISODES: lambda e, _now: " / ".join(str(n) for n in e.row.episode_counts),
}
_TEXTS = tuple(_TEXT_OF[c] for c in Col)


def prepare_entries(
    rows: Sequence[BoardRow], now: datetime, col: Col = Col.STATUS, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
) -> list[Entry]:
    """Display strings and sort keys for every row, sorted: plain Python, safe in a worker
    (the slow part of a first load at 10k children; the model then only swaps them in)."""
    return sort_entries([Entry(r, now) for r in rows], col, order == Qt.SortOrder.DescendingOrder)


def sort_entries(entries: list[Entry], col: Col, descending: bool) -> list[Entry]:
    """Keys computed once per row in one pass, then a sort of plain indices."""
    make = _sort_key(col)
    keys = [make(e) for e in entries]
    order = sorted(range(len(entries)), key=keys.__getitem__, reverse=descending)
    return [entries[i] for i in order]


def _sort_key(col: Col) -> Callable[[Entry], tuple[Any, ...]]:
    """Keys are total (they end with the default key, which ends with the child id)."""
    if col is Col.STATUS:
        return lambda e: e.default_key
    if col is Col.NAME:
        return lambda e: (e.row.last_name.casefold(), e.row.first_name.casefold(), e.default_key)
    if col in (Col.DURATION, Col.SINCE):
        # Ascending = longest missing first: those without a duration go last.
        return lambda e: (
            (0, e.row.missing_since.timestamp(), e.default_key)
            if e.is_out and e.row.missing_since
            else (1, 0.0, e.default_key)
        )
    if col is Col.RISK:
        return lambda e: (-risk_rank(e.shown_risk), e.default_key)
    if col is Col.RHI_DUE:
        return lambda e: (
            (0, e.row.returned_at.timestamp(), e.default_key)
            if e.status in RHI_PENDING and e.row.returned_at
            else (1, 0.0, e.default_key)
        )
    if col is Col.AGE:
        return lambda e: (e.row.dob, e.default_key)
    if col is Col.EPISODES:
        # Ascending = most episodes in 90 days first, then in 365 and 30 days.
        return lambda e: (-e.row.episode_counts[1], -e.row.episode_counts[2], -e.row.episode_counts[0], e.default_key)
    idx = int(col)

    def key(e: Entry) -> tuple[Any, ...]:
        text = e.text(idx)
        return (text == "", text.casefold(), e.default_key)

    return key


class BoardModel(QAbstractTableModel):
    """Every child's status, most urgent first.

    Signals:
        rows_did_change(): rows were loaded, inserted, removed or re-derived; counts may differ.
        statuses_did_change(list[str]): these child ids changed status as the clock moved.
    """

    rows_did_change = Signal()
    statuses_did_change = Signal(list)

    def __init__(self, now: datetime, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: list[Entry] = []
        self._searches: list[str] | None = None  # every row's search text, until the rows change
        self._pos: dict[str, int] = {}
        self._now = now
        self._sort_col = Col.STATUS
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._in_order_now = True  # entries are in the current sort order (live changes keep it)

    # -- Qt model interface ---------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else N_COLS

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid():
            return None  # views ask for a dozen roles per cell; answer the others at once
        row, col = index.row(), index.column()
        if row >= len(self.entries) or col >= N_COLS:
            return None
        e = self.entries[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return e.display[col]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if col == Col.STATUS:
                return e.status.label
            return e.display[col] or "blank"
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(e, Col(col))
        if role == RAW_ROLE:
            return self._raw(e, Col(col))
        if role == STATUS_ROLE:
            return e.status.value
        if role == ROW_ROLE:
            return e.row
        if role == CHILD_ID_ROLE:
            return e.row.child_id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            # Row headers speak the child: a screen reader moving row to row hears who it is.
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole) and 0 <= section < len(
                self.entries
            ):
                e = self.entries[section]
                return f"{e.display[Col.NAME]}, {e.display[Col.STATUS]}"
            return None
        if not 0 <= section < N_COLS:
            return None
        spec = COLUMNS[Col(section)]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return spec.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.tooltip
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < N_COLS:
            column = Col.STATUS
        if column == Col.STATUS:
            order = Qt.SortOrder.AscendingOrder  # one direction only: most urgent first
        if (Col(column), order) == (self._sort_col, self._sort_order) and self._in_order_now:
            return  # already so (live changes keep the order): no second sort of 10k rows
        self._sort_col, self._sort_order = Col(column), order
        self._in_order_now = True
        if not self.entries:
            return
        self._reorder(sort_entries(self.entries, self._sort_col, order == Qt.SortOrder.DescendingOrder))

    # -- reading ------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        return self._now

    @property
    def sort_column(self) -> Col:
        return self._sort_col

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def statuses(self, ids: Collection[str]) -> dict[str, ChildStatus | None]:
        """Each child's status now (None: not on the board); one pass over the board when
        asked about many (a reload of everyone asks about all 10k)."""
        if len(ids) * 4 < len(self.entries):
            return {cid: self.status_of(cid) for cid in ids}
        now = {e.row.child_id: e.status for e in self.entries}
        return {cid: now.get(cid) for cid in ids}

    def search_texts(self) -> list[str]:
        """Every row's search text (`Entry.search`) in row order, for a search keystroke to
        scan without an attribute lookup per row; built again once the rows change."""
        texts = self._searches
        if texts is None:
            texts = self._searches = [e.search for e in self.entries]
        return texts

    def row_of(self, child_id: str) -> int | None:
        return self._pos.get(child_id)

    def board_row(self, child_id: str) -> BoardRow | None:
        i = self._pos.get(child_id)
        return None if i is None else self.entries[i].row

    def status_of(self, child_id: str) -> ChildStatus | None:
        i = self._pos.get(child_id)
        return None if i is None else self.entries[i].status

    # -- writing --------------------------------------------------------------------------
    def load(self, rows: Sequence[BoardRow], now: datetime) -> None:
        """First load only: a full reset. Live changes go through `apply`."""
        self.load_prepared(
            prepare_entries(rows, now, self._sort_col, self._sort_order), now, (self._sort_col, self._sort_order)
        )

    def load_prepared(
        self, entries: list[Entry], now: datetime, sorted_by: tuple[Col, Qt.SortOrder] | None = None
    ) -> None:
        """A reset with entries built (and sorted) elsewhere, e.g. in a worker thread."""
        if sorted_by is not None and sorted_by != (self._sort_col, self._sort_order):
            entries = sort_entries(entries, self._sort_col, self._sort_order == Qt.SortOrder.DescendingOrder)
        self.beginResetModel()
        self._now = now
        self.entries = entries
        self._searches = None
        self._in_order_now = True
        self._reindex()
        self.endResetModel()
        self.rows_did_change.emit()

    def replace_all(self, entries: list[Entry], now: datetime, sorted_by: tuple[Col, Qt.SortOrder]) -> None:
        """Every row anew, built (and sorted) elsewhere: a reload of everyone in which many
        rows changed. The same children: one layout change, so the selection and the
        scroll position stay with their child. Children added or gone: a reset."""
        if sorted_by != (self._sort_col, self._sort_order):
            entries = sort_entries(entries, self._sort_col, self._sort_order == Qt.SortOrder.DescendingOrder)
        if len(entries) != len(self.entries) or {e.row.child_id for e in entries} != self._pos.keys():
            self.load_prepared(entries, now)
            return
        self._now = now
        self._in_order_now = True
        self._reorder(entries)
        self.rows_did_change.emit()

    def apply(self, rows: Iterable[BoardRow], touched: Iterable[str], now: datetime | None = None) -> None:
        """Fresh rows for the touched children; a touched child with no row is removed.

        `now` is when the rows were read; other rows keep their last tick.
        """
        at_time = now or self._now
        fresh = {r.child_id: r for r in rows}
        changed = False
        for cid in dict.fromkeys([*touched, *fresh]):
            row = fresh.get(cid)
            at = self._pos.get(cid)
            if row is None:
                if at is not None:
                    self._remove(at)
                    changed = True
                continue
            if at is not None and self.entries[at].row == row:
                continue
            self._upsert(Entry(row, at_time), at)
            changed = True
        if changed:
            self.rows_did_change.emit()

    def set_rhi_hours(self, hours: float) -> None:
        """The council changed its RHI window: statuses and deadlines re-derive at once."""
        if hours != Entry.rhi_hours:
            Entry.rhi_hours = hours
            self.tick(self._now)

    def tick(self, now: datetime) -> None:
        """The clock moved: durations and deadlines change with no database traffic."""
        self._now = now
        if not self.entries:
            return
        moved: list[str] = []
        for e in self.entries:
            if e.retime(now):
                moved.append(e.row.child_id)
        last = len(self.entries) - 1
        for col in TICKING:
            self.dataChanged.emit(self.index(0, col), self.index(last, col), [Qt.ItemDataRole.DisplayRole])
        # Take every re-derived row out first so the rest stays sorted, then insert each.
        out_of_place: list[Entry] = []
        for cid in moved:
            at = self._pos[cid]
            if not self._in_order(at, self.entries[at]):
                out_of_place.append(self.entries[at])
                self._remove(at)
        for e in out_of_place:
            self._upsert(e, None)
        if moved:
            self.statuses_did_change.emit(moved)
        self.rows_did_change.emit()

    # -- internals ----------------------------------------------------------------------
    def _reorder(self, entries: list[Entry]) -> None:
        """The same children as entries, in a new order (or with new rows): one layout
        change; the selection and the current row follow their child."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self.entries[i.row()].row.child_id for i in old]
        self.entries = entries
        self._searches = None
        self._reindex()
        self.changePersistentIndexList(
            old, [self.index(self._pos[cid], i.column()) for cid, i in zip(old_ids, old, strict=True)]
        )
        self.layoutChanged.emit()

    def _reindex(self, start: int = 0) -> None:
        if start == 0:
            self._pos = {e.row.child_id: i for i, e in enumerate(self.entries)}
            return
        pos = self._pos
        for i in range(start, len(self.entries)):
            pos[self.entries[i].row.child_id] = i

    def _remove(self, at: int) -> None:
        self.beginRemoveRows(QModelIndex(), at, at)
        e = self.entries.pop(at)
        self._searches = None
        del self._pos[e.row.child_id]
        self._reindex(at)
        self.endRemoveRows()

    def _insert_pos(self, entry: Entry) -> int:
        keyf = _sort_key(self._sort_col)
        key = keyf(entry)
        desc = self._sort_order == Qt.SortOrder.DescendingOrder
        lo, hi = 0, len(self.entries)
        while lo < hi:
            mid = (lo + hi) // 2
            k = keyf(self.entries[mid])
            if (k > key) if desc else (k < key):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _in_order(self, at: int, entry: Entry) -> bool:
        keyf = _sort_key(self._sort_col)
        key = keyf(entry)
        desc = self._sort_order == Qt.SortOrder.DescendingOrder

        def before(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
            return a > b if desc else a < b

        if at > 0 and before(key, keyf(self.entries[at - 1])):
            return False
        return not (at + 1 < len(self.entries) and before(keyf(self.entries[at + 1]), key))

    def _upsert(self, entry: Entry, at: int | None) -> None:
        if at is not None and self._in_order(at, entry):
            self.entries[at] = entry
            self._searches = None
            self.dataChanged.emit(self.index(at, 0), self.index(at, N_COLS - 1))
            return
        if at is not None:
            self._remove(at)
        # A move is a remove and an insert: the filter proxy handles those per row,
        # whereas a moved row makes it re-filter everything.
        to = self._insert_pos(entry)
        self.beginInsertRows(QModelIndex(), to, to)
        self.entries.insert(to, entry)
        self._searches = None
        self._reindex(to)
        self.endInsertRows()

    @staticmethod
    def _raw(e: Entry, col: Col) -> Any:
        r = e.row
        match col:
            case Col.STATUS:
                return e.status.value
            case Col.NAME:
                return r.name
            case Col.CHILD_ID:
                return r.child_id
            case Col.DURATION | Col.SINCE:
                return r.missing_since if e.is_out else None
            case Col.CATEGORY:
                return r.category if e.is_out else None
            case Col.RISK:
                return e.shown_risk
            case Col.POLICE_REF:
                return r.police_ref if e.is_out else None
            case Col.LAST_SEEN:
                return r.last_seen if e.is_out else None
            case Col.RHI_DUE:
                return rhi_due_at(r.returned_at, Entry.rhi_hours) if e.status in RHI_PENDING else None
            case Col.FLAGS:
                return list(r.flags)
            case Col.WORKER:
                return r.social_worker_id
            case Col.TEAM:
                return r.team_id
            case Col.PLACEMENT:
                return r.placement_type
            case Col.LOCALITY:
                return r.locality
            case Col.AGE:
                return r.dob
            case Col.EPISODES:
                return list(r.episode_counts)
        return None

    @staticmethod
    def _tooltip(e: Entry, col: Col) -> str | None:
        r = e.row
        if col is Col.STATUS and e.is_out and r.missing_since:
            return f"{e.status.label} since {format_local(r.missing_since)}"
        if col is Col.PLACEMENT and r.placement_type:
            from lac_monitor.domain.codes import PLACE

            return PLACE.get(r.placement_type, r.placement_type)
        text = e.display[col]
        return text or None
