"""Which board rows are shown: scope, status, risk, team, locality and free-text search.

The proxy filters only. Sorting is forwarded to the source model, which sorts on
precomputed keys (the proxy's own sort is far too slow for 10k rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal

from lac_monitor.domain.status import ChildStatus
from lac_monitor.services.uow import Actor
from lac_monitor.ui.board_model import OUT, BoardModel, Entry

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
        return lambda e: True
    if len(tests) == 1:
        return tests[0]
    return lambda e: all(t(e) for t in tests)


class BoardFilterModel(QSortFilterProxyModel):
    """Filters the board; forwards sorting to the source model.

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
        self.setDynamicSortFilter(False)
        self.setSourceModel(source)

    @property
    def board(self) -> BoardModel:
        return self._board

    @property
    def current(self) -> BoardFilter:
        return self._filter

    def set_filter(self, f: BoardFilter) -> None:
        if f == self._filter:
            return
        self.beginFilterChange()
        self._filter = f
        self._accept = compile_filter(f, self._actor)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.filter_did_change.emit(f)

    def update(self, **changes: object) -> None:
        self.set_filter(self._filter.with_(**changes))

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        return self._accept(self._board.entries[source_row])

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._board.sort(column, order)

    def child_id_at(self, row: int) -> str | None:
        src = self.mapToSource(self.index(row, 0))
        return self._board.entries[src.row()].row.child_id if src.isValid() else None

    def row_of(self, child_id: str) -> int | None:
        at = self._board.row_of(child_id)
        if at is None:
            return None
        idx = self.mapFromSource(self._board.index(at, 0))
        return idx.row() if idx.isValid() else None

    def visible_child_ids(self) -> list[str]:
        return [
            self._board.entries[self.mapToSource(self.index(i, 0)).row()].row.child_id for i in range(self.rowCount())
        ]
