"""Which board rows are shown: scope, status, risk, team, locality and free-text search.

The proxy filters only. Sorting is forwarded to the source model, which sorts on
precomputed keys (the proxy's own sort is far too slow for 10k rows).

Why not QSortFilterProxyModel: it asks a Python `filterAcceptsRow` once per row from C++
on every filter change and after every sort of the source (30-60 ms at 10k rows even with
an empty body). Here the visible rows are one Python list, rebuilt in one pass.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, overload

from PySide6.QtCore import QAbstractProxyModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from lac_monitor.domain.status import ChildStatus
from lac_monitor.services.uow import Actor
from lac_monitor.ui.board_model import _ROLES, N_COLS, OUT, ROW_FLAGS, BoardModel, Entry

AnyIndex = QModelIndex | QPersistentModelIndex
NOT_GRADED = "not_graded"


class Scope(StrEnum):
    MINE = "mine"
    TEAM = "team"
    EVERYONE = "everyone"

    @property
    def label(self) -> str:
        return {Scope.MINE: "My caseload", Scope.TEAM: "My team", Scope.EVERYONE: "Everyone"}[self]


@dataclass(frozen=True)
class BoardFilter:
    """Empty sets mean "any". Risk applies to children who are out (missing or away)."""

    scope: Scope = Scope.EVERYONE
    statuses: frozenset[ChildStatus] = field(default_factory=frozenset)
    risks: frozenset[str] = field(default_factory=frozenset)  # RiskGrade values or NOT_GRADED
    team_id: int | None = None
    locality: str | None = None
    text: str = ""

    def with_(self, **changes: object) -> BoardFilter:
        return replace(self, **changes)  # type: ignore[arg-type]


def default_scope(actor: Actor) -> Scope:
    """A social worker starts on their caseload, a manager on the team, the duty team on everyone."""
    if actor.staff_id is None:
        return Scope.EVERYONE
    if actor.role == "social_worker":
        return Scope.MINE
    if actor.role == "team_manager" and actor.team_id is not None:
        return Scope.TEAM
    return Scope.EVERYONE


def scope_predicate(scope: Scope, actor: Actor) -> Callable[[Entry], bool]:
    if scope is Scope.MINE:
        staff_id = actor.staff_id
        return lambda e: staff_id is not None and e.row.social_worker_id == staff_id
    if scope is Scope.TEAM:
        team_id = actor.team_id
        return lambda e: team_id is not None and e.row.team_id == team_id
    return lambda e: True


def accept_all(e: Entry) -> bool:
    """The filter with nothing to test (everyone, no search): the proxy then maps 1:1."""
    return True


def narrows(old: BoardFilter, new: BoardFilter) -> bool:
    """True if every row `new` accepts, `old` accepts too: only the search changed, and
    each of the old words is inside one of the new ones."""
    if replace(old, text=new.text) != new:
        return False
    new_words = new.text.casefold().split()
    return all(any(w in n for n in new_words) for w in old.text.casefold().split())


def compile_filter(f: BoardFilter, actor: Actor) -> Callable[[Entry], bool]:
    """One closure per filter change, so each row costs only the tests that apply."""
    tests: list[Callable[[Entry], bool]] = []
    if f.scope is not Scope.EVERYONE:
        tests.append(scope_predicate(f.scope, actor))
    if f.statuses:
        statuses = f.statuses
        tests.append(lambda e: e.status in statuses)
    if f.risks:
        risks = f.risks

        def risk_ok(e: Entry) -> bool:
            if e.status not in OUT:
                return False
            return (e.row.risk or NOT_GRADED) in risks

        tests.append(risk_ok)
    if f.team_id is not None:
        team_id = f.team_id
        tests.append(lambda e: e.row.team_id == team_id)
    if f.locality is not None:
        locality = f.locality
        tests.append(lambda e: e.row.locality == locality)
    words = f.text.casefold().split()
    if words:
        if len(words) == 1:
            word = words[0]
            tests.append(lambda e: word in e.search)
        else:
            tests.append(lambda e: all(w in e.search for w in words))
    if not tests:
        return accept_all
    if len(tests) == 1:
        return tests[0]
    return lambda e: all(t(e) for t in tests)


class BoardFilterModel(QAbstractProxyModel):
    """Filters the board; forwards sorting to the source model.

    `_rows` holds the visible source rows in source order, so a proxy row maps to its
    source row by a list lookup and back by bisection. Filter changes and source sorts
    are layout changes: persistent indexes (the selection, the current row) follow their
    child, or become invalid if the child is filtered out. Live changes (rows inserted,
    removed or changed in the source) insert, remove or repaint only the rows concerned.

    Signals:
        filter_did_change(object): the BoardFilter now applied.
    """

    filter_did_change = Signal(object)

    def __init__(self, source: BoardModel, actor: Actor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._board = source
        self._actor = actor
        self._filter = BoardFilter()
        self._accept = compile_filter(self._filter, actor)
        self._rows: list[int] = []
        self._saved: list[tuple[str, int]] | None = None  # (child id, column) of persistent indexes
        self.setSourceModel(source)
        source.dataChanged.connect(self._on_data_changed)
        source.headerDataChanged.connect(self._on_header_changed)
        source.rowsAboutToBeInserted.connect(self._on_rows_about_to_be_inserted)
        source.rowsInserted.connect(self._on_rows_inserted)
        source.rowsAboutToBeRemoved.connect(self._on_rows_about_to_be_removed)
        source.rowsRemoved.connect(self._on_rows_removed)
        source.rowsAboutToBeMoved.connect(self._on_layout_about_to_change)
        source.rowsMoved.connect(self._on_layout_changed)
        source.layoutAboutToBeChanged.connect(self._on_layout_about_to_change)
        source.layoutChanged.connect(self._on_layout_changed)
        source.modelAboutToBeReset.connect(self.beginResetModel)
        source.modelReset.connect(self._on_reset)
        self._rows = self._visible()

    # -- public ---------------------------------------------------------------------------
    @property
    def board(self) -> BoardModel:
        return self._board

    @property
    def current(self) -> BoardFilter:
        return self._filter

    def set_filter(self, f: BoardFilter) -> None:
        if f == self._filter:
            return
        old = self._filter
        self._filter = f
        self._accept = compile_filter(f, self._actor)
        self._save_layout()
        # A search typed further ("k", then "ka") can only narrow what is shown: test the
        # rows shown now, not the whole board.
        self._finish_layout(self._visible(self._rows) if narrows(old, f) else None)
        self.filter_did_change.emit(f)

    def update(self, **changes: object) -> None:
        self.set_filter(self._filter.with_(**changes))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._board.sort(column, order)

    def child_id_at(self, row: int) -> str | None:
        if not 0 <= row < len(self._rows):
            return None
        return self._board.entries[self._rows[row]].row.child_id

    def row_of(self, child_id: str) -> int | None:
        at = self._board.row_of(child_id)
        return None if at is None else self._proxy_row(at)

    def visible_child_ids(self) -> list[str]:
        entries = self._board.entries
        return [entries[s].row.child_id for s in self._rows]

    # -- Qt model interface -----------------------------------------------------------------
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < len(self._rows) and 0 <= column < N_COLS):
            return QModelIndex()
        return self.createIndex(row, column)

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: AnyIndex) -> QModelIndex: ...
    def parent(self, child: AnyIndex | None = None) -> QObject | QModelIndex | None:
        if child is None:
            return super().parent()  # QObject.parent()
        return QModelIndex()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else N_COLS

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and bool(self._rows)

    def sibling(self, row: int, column: int, idx: AnyIndex) -> QModelIndex:
        return self.index(row, column)

    def mapToSource(self, proxy_index: AnyIndex) -> QModelIndex:
        if not proxy_index.isValid() or proxy_index.row() >= len(self._rows):
            return QModelIndex()
        return self._board.createIndex(self._rows[proxy_index.row()], proxy_index.column())

    def mapFromSource(self, source_index: AnyIndex) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        at = self._proxy_row(source_index.row())
        return QModelIndex() if at is None else self.createIndex(at, source_index.column())

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES or not index.isValid():
            return None  # the roles the source never answers: most of what a painted cell asks
        row, rows = index.row(), self._rows
        if row >= len(rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:  # every painted cell: straight to its text
            return self._board.entries[rows[row]].display[index.column()]
        # createIndex, not index(): index() would call the source's rowCount and columnCount
        # in Python; the row is known to exist.
        return self._board.data(self._board.createIndex(rows[row], index.column()), role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or index.row() >= len(self._rows):
            return Qt.ItemFlag.NoItemFlags
        return ROW_FLAGS  # every shown row alike, as in the source

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            # The row header speaks the child on that row (the source's header for its row).
            if not 0 <= section < len(self._rows):
                return None
            return self._board.headerData(self._rows[section], orientation, role)
        return self._board.headerData(section, orientation, role)

    # -- mapping ----------------------------------------------------------------------------
    def _visible(self, among: list[int] | None = None) -> list[int]:
        """The source rows the filter accepts (`among`: only these are tested, in order)."""
        accept, entries = self._accept, self._board.entries
        if accept is accept_all:
            return list(range(len(entries))) if among is None else list(among)
        words = self._filter.text.casefold().split()
        if words:
            # Narrow by the longest word in a plain loop (no call per row), then test what
            # is left: a keystroke reads 10k rows in about a millisecond.
            word, texts = max(words, key=len), self._board.search_texts()
            if among is None:
                among = [i for i, text in enumerate(texts) if word in text]
            else:
                among = [i for i in among if word in texts[i]]
            if len(words) == 1 and self._filter.with_(text="") == BoardFilter():
                return among  # the word was the only test
        elif among is None:
            return [i for i, e in enumerate(entries) if accept(e)]
        return [i for i in among if accept(entries[i])]

    def _proxy_row(self, source_row: int) -> int | None:
        rows = self._rows
        at = bisect_left(rows, source_row)
        return at if at < len(rows) and rows[at] == source_row else None

    def _save_layout(self) -> None:
        """Before the rows change order or visibility: remember whom persistent indexes point at."""
        self.layoutAboutToBeChanged.emit()
        entries, rows = self._board.entries, self._rows
        self._saved = [(entries[rows[i.row()]].row.child_id, i.column()) for i in self.persistentIndexList()]

    def _finish_layout(self, rows: list[int] | None = None) -> None:
        """Rebuild the visible rows (or take `rows`, worked out already); persistent indexes
        follow their child or become invalid."""
        old = self.persistentIndexList()
        saved = self._saved or []
        self._saved = None
        self._rows = self._visible() if rows is None else rows
        board = self._board
        new: list[QModelIndex] = []
        for child_id, column in saved:
            at = board.row_of(child_id)
            row = None if at is None else self._proxy_row(at)
            new.append(QModelIndex() if row is None else self.createIndex(row, column))
        if len(old) == len(new):
            self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    # -- following the source -------------------------------------------------------------
    def _on_layout_about_to_change(self, *_: object) -> None:
        self._save_layout()

    def _on_layout_changed(self, *_: object) -> None:
        self._finish_layout()

    def _on_reset(self) -> None:
        self._rows = self._visible()
        self.endResetModel()

    def _on_header_changed(self, orientation: Qt.Orientation, first: int, last: int) -> None:
        if orientation == Qt.Orientation.Horizontal:
            self.headerDataChanged.emit(orientation, first, last)
        elif self._rows:
            lo, hi = bisect_left(self._rows, first), bisect_right(self._rows, last)
            if hi > lo:
                self.headerDataChanged.emit(orientation, lo, hi - 1)

    def _on_rows_about_to_be_inserted(self, parent: AnyIndex, first: int, last: int) -> None:
        pass  # nothing is visible until the rows exist

    def _on_rows_inserted(self, parent: AnyIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        count = last - first + 1
        rows = self._rows
        at = bisect_left(rows, first)
        if at < len(rows):  # rows after the new ones move down; the proxy order does not change
            rows[at:] = [s + count for s in rows[at:]]
        accept, entries = self._accept, self._board.entries
        new = [s for s in range(first, last + 1) if accept(entries[s])]
        if new:
            self.beginInsertRows(QModelIndex(), at, at + len(new) - 1)
            rows[at:at] = new
            self.endInsertRows()

    def _on_rows_about_to_be_removed(self, parent: AnyIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        rows = self._rows
        lo, hi = bisect_left(rows, first), bisect_right(rows, last)
        if hi > lo:
            self.beginRemoveRows(QModelIndex(), lo, hi - 1)
            del rows[lo:hi]
            self.endRemoveRows()

    def _on_rows_removed(self, parent: AnyIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        count = last - first + 1
        rows = self._rows
        at = bisect_left(rows, first)
        if at < len(rows):
            rows[at:] = [s - count for s in rows[at:]]

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: Sequence[int] = ()) -> None:
        """Rows still shown repaint; a row whose acceptance changed is inserted or removed."""
        if not top_left.isValid() or not bottom_right.isValid():
            return
        top, bottom = top_left.row(), bottom_right.row()
        accept, entries, rows = self._accept, self._board.entries, self._rows
        n = len(rows)
        p = bisect_left(rows, top)
        flipped: list[int] = []
        if accept is not accept_all:  # with nothing filtered, every row stays shown
            for s in range(top, bottom + 1):
                shown = p < n and rows[p] == s
                if shown:
                    p += 1
                if accept(entries[s]) != shown:
                    flipped.append(s)
        for s in flipped:
            at = bisect_left(rows, s)
            if at < len(rows) and rows[at] == s:
                self.beginRemoveRows(QModelIndex(), at, at)
                del rows[at]
                self.endRemoveRows()
            else:
                self.beginInsertRows(QModelIndex(), at, at)
                rows.insert(at, s)
                self.endInsertRows()
        lo, hi = bisect_left(rows, top), bisect_right(rows, bottom)
        if hi > lo:
            self.dataChanged.emit(
                self.createIndex(lo, top_left.column()), self.createIndex(hi - 1, bottom_right.column()), list(roles)
            )
