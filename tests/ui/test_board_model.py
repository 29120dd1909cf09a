"""The board model and its filter proxy, without a database: plain rows in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt

from lac_monitor.domain.status import ChildStatus
from lac_monitor.domain.values import BoardRow
from lac_monitor.services.uow import Actor
from lac_monitor.ui.board_filter_model import BoardFilterModel, Scope, default_scope
from lac_monitor.ui.board_model import CHILD_ID_ROLE, RAW_ROLE, STATUS_ROLE, BoardModel, Col
from lac_monitor.ui.summary_strip import count

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ME = Actor("sw.one", staff_id=1, display_name="Sasha Workerone", role="social_worker", team_id=1)


def row(
    cid: str,
    first: str = "Testa",
    last: str = "Child",
    *,
    status: ChildStatus = ChildStatus.IN_PLACEMENT,
    since: timedelta | None = None,
    returned: timedelta | None = None,
    category: str | None = None,
    risk: str | None = None,
    police_ref: str | None = None,
    worker: int = 1,
    team: int = 1,
    locality: str = "Northfield",
    preferred: str | None = None,
    flags: tuple[str, ...] = (),
) -> BoardRow:
    started = NOW - since if since is not None else None
    back = NOW - returned if returned is not None else None
    return BoardRow(
        child_id=cid,
        first_name=first,
        last_name=last,
        preferred_name=preferred,
        dob=date(2010, 5, 1),
        status=status,
        in_care=True,
        category=category,
        episode_id=1 if started else None,
        episode_version=1 if started else None,
        missing_since=started,
        returned_at=back,
        risk=risk,
        police_ref=police_ref,
        last_seen="Bus station" if started else None,
        rhi_id=None,
        rhi_offered_at=None,
        rhi_done_at=None,
        social_worker_id=worker,
        social_worker=f"Worker {worker}",
        team_id=team,
        team=f"Team {team}",
        placement_type="U4",
        locality=locality,
        flags=flags,
    )


def council() -> list[BoardRow]:
    return [
        row("C1", "Amira", "Aone", preferred="Mimi"),
        row(
            "C2",
            "Bilal",
            "Btwo",
            status=ChildStatus.MISSING,
            since=timedelta(hours=2),
            category="M",
            risk="medium",
            police_ref="LOG-22",
        ),
        row(
            "C3",
            "Cara",
            "Cthree",
            status=ChildStatus.MISSING,
            since=timedelta(hours=9),
            category="M",
            risk="high",
            team=2,
            worker=3,
            locality="Southbank",
            flags=("cse", "county_lines"),
        ),
        row(
            "C4",
            "Dylan",
            "Dfour",
            status=ChildStatus.AWAY,
            since=timedelta(hours=1),
            category="A",
            risk="low",
            team=2,
            worker=3,
            locality="Southbank",
        ),
        row(
            "C5",
            "Erin",
            "Efive",
            status=ChildStatus.RETURNED_RHI_DUE,
            since=timedelta(hours=80),
            returned=timedelta(hours=70),
            category="M",
            team=2,
            worker=3,
        ),
        row("C6", "Femi", "Fsix"),
    ]


@pytest.fixture
def model(qtmodeltester) -> BoardModel:  # type: ignore[no-untyped-def]
    m = BoardModel(NOW)
    m.load(council(), NOW)
    qtmodeltester.check(m)
    return m


def ids(m: BoardModel | BoardFilterModel) -> list[str]:
    return [m.index(i, 0).data(CHILD_ID_ROLE) for i in range(m.rowCount())]


def test_models_pass_modeltester(qtmodeltester, model: BoardModel) -> None:  # type: ignore[no-untyped-def]
    proxy = BoardFilterModel(model, ME)
    qtmodeltester.check(proxy)
    proxy.update(text="c")
    qtmodeltester.check(proxy)
    empty = BoardModel(NOW)
    qtmodeltester.check(empty)


def test_missing_and_away_first_then_risk_and_duration(model: BoardModel) -> None:
    # High risk before medium, then away; then RHI due; then children at home by name.
    assert ids(model) == ["C3", "C2", "C4", "C5", "C1", "C6"]


def test_display_is_text_and_raw_values_under_user_role(model: BoardModel) -> None:
    i = model.row_of("C3")
    assert i is not None
    status = model.index(i, Col.STATUS)
    assert status.data() == "⚠ Missing"  # a symbol and words, never colour alone
    assert status.data(STATUS_ROLE) == "missing"
    assert model.index(i, Col.DURATION).data() == "9h 00m"
    assert model.index(i, Col.DURATION).data(RAW_ROLE) == NOW - timedelta(hours=9)
    assert model.index(i, Col.RISK).data() == "High"
    assert model.index(i, Col.RISK).data(RAW_ROLE) == "high"
    assert model.index(i, Col.FLAGS).data() == "CSE, County lines"
    for col in Col:
        assert isinstance(model.index(i, col).data(), str)
    home = model.row_of("C1")
    assert model.index(home, Col.NAME).data() == "Amira (Mimi) Aone"
    assert model.index(home, Col.POLICE_REF).data() == ""


def test_live_changes_update_single_rows_never_reset(qtbot, model: BoardModel) -> None:  # type: ignore[no-untyped-def]
    with qtbot.assertNotEmitted(model.modelReset):
        # C6 goes missing: it moves to the top (remove + insert, so a proxy only re-filters that row).
        with qtbot.waitSignals([model.rowsRemoved, model.rowsInserted, model.rows_did_change]):
            model.apply(
                [
                    row(
                        "C6",
                        "Femi",
                        "Fsix",
                        status=ChildStatus.MISSING,
                        since=timedelta(minutes=5),
                        category="M",
                        risk="high",
                    )
                ],
                ["C6"],
            )
    # Both high risk: the one missing longer (C3, 9 h) first, then C6 (5 min), then medium risk.
    assert ids(model) == ["C3", "C6", "C2", "C4", "C5", "C1"]


def test_update_in_place_emits_data_changed(qtbot, model: BoardModel) -> None:  # type: ignore[no-untyped-def]
    before = ids(model)
    c2 = model.board_row("C2")
    assert c2 is not None
    with qtbot.waitSignal(model.dataChanged) as blocker, qtbot.assertNotEmitted(model.rowsInserted):
        model.apply([replace(c2, police_ref="LOG-99")], ["C2"])
    assert blocker.args[0].row() == blocker.args[1].row() == model.row_of("C2")
    assert ids(model) == before
    assert model.index(model.row_of("C2"), Col.POLICE_REF).data() == "LOG-99"


def test_touched_child_without_row_is_removed_and_new_child_inserted(qtbot, model: BoardModel) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(model.rowsRemoved):
        model.apply([], ["C1"])
    assert "C1" not in ids(model)
    with qtbot.waitSignal(model.rowsInserted):
        model.apply([row("C7", "Gus", "Aaa")], ["C7"])
    assert ids(model)[-2:] == ["C7", "C6"]  # by surname among those at home: Aaa < Fsix


def test_clock_ticks_durations_and_deadlines_without_database(qtbot, model: BoardModel) -> None:  # type: ignore[no-untyped-def]
    i = model.row_of("C2")
    assert model.index(i, Col.DURATION).data() == "2h 00m"
    # 3 hours later: durations moved; C5's RHI (returned 70 h ago) is now overdue (72 h).
    with qtbot.waitSignal(model.statuses_did_change) as blocker:
        model.tick(NOW + timedelta(hours=3))
    assert blocker.args == [["C5"]]
    assert model.index(model.row_of("C2"), Col.DURATION).data() == "5h 00m"
    c5 = model.row_of("C5")
    assert model.index(c5, Col.STATUS).data() == "⚑ Returned — RHI overdue"
    assert model.index(c5, Col.RHI_DUE).data() == "Overdue 1h 00m"
    assert ids(model).index("C5") == 3  # overdue sorts before "RHI due"/in placement; after those out


def test_sort_by_column_in_the_model(qtbot, model: BoardModel) -> None:  # type: ignore[no-untyped-def]
    proxy = BoardFilterModel(model, ME)
    with qtbot.waitSignal(model.layoutChanged):
        proxy.sort(Col.NAME, Qt.SortOrder.AscendingOrder)
    assert ids(proxy) == ["C1", "C2", "C3", "C4", "C5", "C6"]
    proxy.sort(Col.NAME, Qt.SortOrder.DescendingOrder)
    assert ids(proxy) == ["C6", "C5", "C4", "C3", "C2", "C1"]
    proxy.sort(Col.DURATION, Qt.SortOrder.AscendingOrder)
    assert ids(proxy)[:3] == ["C3", "C2", "C4"]  # longest missing first
    proxy.sort(Col.RISK, Qt.SortOrder.AscendingOrder)
    assert ids(proxy)[:3] == ["C3", "C2", "C4"]
    # A live change after a column sort lands in the right place for that sort.
    model.apply([row("C0", "Zed", "Aardvark")], ["C0"])
    proxy.sort(Col.NAME, Qt.SortOrder.AscendingOrder)
    model.apply([row("C8", "Hal", "Bzz")], ["C8"])
    assert ids(proxy)[:4] == ["C0", "C1", "C2", "C8"]


def test_filters_scope_status_risk_team_locality_and_search(model: BoardModel) -> None:
    proxy = BoardFilterModel(model, ME)
    assert proxy.rowCount() == 6
    proxy.update(scope=Scope.MINE)
    assert set(ids(proxy)) == {"C1", "C2", "C6"}
    proxy.update(scope=Scope.TEAM)
    assert set(ids(proxy)) == {"C1", "C2", "C6"}
    proxy.update(scope=Scope.EVERYONE, statuses=frozenset({ChildStatus.MISSING, ChildStatus.AWAY}))
    assert ids(proxy) == ["C3", "C2", "C4"]
    proxy.update(risks=frozenset({"high"}))
    assert ids(proxy) == ["C3"]
    proxy.update(statuses=frozenset(), risks=frozenset(), team_id=2)
    assert set(ids(proxy)) == {"C3", "C4", "C5"}
    proxy.update(team_id=None, locality="Southbank")
    assert set(ids(proxy)) == {"C3", "C4"}
    proxy.update(locality=None, text="mimi")  # preferred name
    assert ids(proxy) == ["C1"]
    proxy.update(text="log-22")  # police reference
    assert ids(proxy) == ["C2"]
    proxy.update(text="c4")  # child id
    assert ids(proxy) == ["C4"]
    proxy.update(text="bilal btwo")  # every word must match
    assert ids(proxy) == ["C2"]
    proxy.update(text="nobody")
    assert ids(proxy) == []


def test_filter_follows_live_changes(model: BoardModel) -> None:
    proxy = BoardFilterModel(model, ME)
    proxy.update(statuses=frozenset({ChildStatus.MISSING}))
    assert set(ids(proxy)) == {"C2", "C3"}
    model.apply(
        [row("C6", "Femi", "Fsix", status=ChildStatus.MISSING, since=timedelta(minutes=1), category="M")], ["C6"]
    )
    assert set(ids(proxy)) == {"C2", "C3", "C6"}
    c2 = model.board_row("C2")
    assert c2 is not None
    model.apply([replace(c2, status=ChildStatus.RETURNED_RHI_DUE, returned_at=NOW)], ["C2"])
    assert set(ids(proxy)) == {"C3", "C6"}


def test_filter_change_and_sort_keep_the_selected_child_selected(qtmodeltester, model: BoardModel) -> None:  # type: ignore[no-untyped-def]
    proxy = BoardFilterModel(model, ME)
    qtmodeltester.check(proxy)  # keeps checking through every change below
    sel = QItemSelectionModel(proxy)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows

    def selected() -> list[str | None]:
        return [proxy.child_id_at(i.row()) for i in sel.selectedRows()]

    def current() -> str | None:
        return proxy.child_id_at(sel.currentIndex().row()) if sel.currentIndex().isValid() else None

    c5 = proxy.row_of("C5")
    assert c5 == 3
    sel.setCurrentIndex(proxy.index(c5, Col.NAME), flags)
    proxy.update(team_id=2)  # C3, C4, C5: the selected child moves up to row 2
    assert ids(proxy) == ["C3", "C4", "C5"]
    assert selected() == ["C5"] and current() == "C5"
    assert proxy.headerData(2, Qt.Orientation.Vertical) == "Erin Efive, ↩ Returned — RHI due"
    proxy.sort(Col.NAME, Qt.SortOrder.DescendingOrder)  # Efive first among the three
    assert ids(proxy) == ["C5", "C4", "C3"]
    assert selected() == ["C5"] and current() == "C5"
    assert sel.currentIndex().column() == Col.NAME
    proxy.update(text="efive")
    assert selected() == ["C5"] and current() == "C5"
    proxy.update(text="nobody")  # filtered out: nothing stays selected on another child
    assert selected() == [] and current() is None


def test_live_change_that_filters_a_row_out_or_in_moves_exactly_that_row(
    qtbot, qtmodeltester, model: BoardModel
) -> None:  # type: ignore[no-untyped-def]
    proxy = BoardFilterModel(model, ME)
    proxy.update(statuses=frozenset({ChildStatus.MISSING}))
    qtmodeltester.check(proxy)
    inserted: list[tuple[int, int]] = []
    removed: list[tuple[int, int]] = []
    changed: list[tuple[int, int]] = []
    proxy.rowsInserted.connect(lambda _p, a, b: inserted.append((a, b)))
    proxy.rowsRemoved.connect(lambda _p, a, b: removed.append((a, b)))
    proxy.dataChanged.connect(lambda tl, br, *_: changed.append((tl.row(), br.row())))
    assert ids(proxy) == ["C3", "C2"]
    c2 = model.board_row("C2")
    assert c2 is not None
    # A change to a shown child repaints that row only.
    model.apply([replace(c2, police_ref="LOG-99")], ["C2"])
    assert (inserted, removed, changed) == ([], [], [(1, 1)])
    changed.clear()
    # C2 comes back: that row leaves the missing list, nothing else moves.
    model.apply([replace(c2, status=ChildStatus.RETURNED_RHI_DUE, returned_at=NOW)], ["C2"])
    assert (inserted, removed) == ([], [(1, 1)])
    assert ids(proxy) == ["C3"]
    removed.clear()
    # A change in place (no move in the board) that makes a child match: that row comes in.
    proxy.update(statuses=frozenset(), text="fsix")
    assert ids(proxy) == ["C6"]
    c1 = model.board_row("C1")
    assert c1 is not None
    with qtbot.assertNotEmitted(model.rowsInserted):
        model.apply([replace(c1, preferred_name="Fsix")], ["C1"])
    assert (inserted, removed) == ([(0, 0)], [])
    assert ids(proxy) == ["C1", "C6"]
    inserted.clear()
    with qtbot.assertNotEmitted(model.rowsRemoved):
        model.apply([c1], ["C1"])
    assert (inserted, removed) == ([], [(0, 0)])
    assert ids(proxy) == ["C6"]
    # A child added and removed elsewhere on the board leaves the shown rows alone.
    model.apply([row("C9", "Ann", "Aaa")], ["C9"])
    model.apply([], ["C9"])
    assert (inserted, removed) == ([], [(0, 0)])
    assert ids(proxy) == ["C6"]
    assert proxy.mapToSource(proxy.index(0, 0)).row() == model.row_of("C6")
    assert proxy.mapFromSource(model.index(model.row_of("C1"), 0)) == QModelIndex()
    # A full reload (after a reconnect) keeps the filter.
    model.load([*council(), row("C10", "Fsix", "Jones")], NOW)
    assert set(ids(proxy)) == {"C6", "C10"}


def test_a_child_whose_status_changes_with_the_clock_leaves_a_status_filter(qtmodeltester, model: BoardModel) -> None:  # type: ignore[no-untyped-def]
    proxy = BoardFilterModel(model, ME)
    proxy.update(statuses=frozenset({ChildStatus.RETURNED_RHI_DUE}))
    qtmodeltester.check(proxy)
    assert ids(proxy) == ["C5"]
    model.tick(NOW + timedelta(hours=3))  # C5's RHI (returned 70 h ago) is now overdue
    assert ids(proxy) == []
    proxy.update(statuses=frozenset({ChildStatus.RHI_OVERDUE}))
    assert ids(proxy) == ["C5"]


def test_summary_counts_within_scope(model: BoardModel) -> None:
    everyone = count(model.entries, lambda e: True)
    assert everyone == {"missing": 2, "away": 1, "high_risk": 1, "rhi_due": 1, "rhi_overdue": 0}
    mine = count(model.entries, lambda e: e.row.social_worker_id == 1)
    assert mine == {"missing": 1, "away": 0, "high_risk": 0, "rhi_due": 0, "rhi_overdue": 0}


def test_default_scope_follows_role() -> None:
    assert default_scope(ME) is Scope.MINE
    assert default_scope(Actor("tm", 2, "M", "team_manager", 1)) is Scope.TEAM
    assert default_scope(Actor("edt", 4, "D", "duty_officer", None)) is Scope.EVERYONE
    assert default_scope(Actor("stranger")) is Scope.EVERYONE


def test_episode_counts_column_shows_30_90_365_and_sorts_most_first(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    m = BoardModel(NOW)
    rows = council()
    rows[0] = replace(rows[0], episode_counts=(0, 1, 4))
    rows[5] = replace(rows[5], episode_counts=(2, 3, 3))
    m.load(rows, NOW)
    qtmodeltester.check(m)
    proxy = BoardFilterModel(m, ME)
    proxy.sort(Col.EPISODES, Qt.SortOrder.AscendingOrder)
    assert ids(proxy)[:2] == ["C6", "C1"]
    c6 = next(i for i in range(m.rowCount()) if m.index(i, 0).data(CHILD_ID_ROLE) == "C6")
    assert m.index(c6, Col.EPISODES).data() == "2 / 3 / 3"


def _board_for_typing() -> tuple[BoardModel, BoardFilterModel]:
    names = [("Ana", "Testone"), ("Kai", "Tanaka"), ("Tom", "Kettle"), ("Eve", "Stone"), ("Kat", "Etta")]
    rows = []
    for i in range(40):
        first, last = names[i % len(names)]
        out = i % 3 == 0
        rows.append(
            row(
                f"C{i:06d}",
                first,
                f"{last}{i % 7}",
                status=ChildStatus.MISSING if out else ChildStatus.IN_PLACEMENT,
                since=timedelta(hours=i + 1) if out else None,
                risk=("high", "medium", None)[i % 3] if out else None,
                police_ref=f"LOG-{i:04d}" if out else None,
                worker=1 + i % 2,
            )
        )
    board = BoardModel(NOW)
    board.load(rows, NOW)
    return board, BoardFilterModel(board, ME)


@pytest.mark.parametrize("seed", range(5))
def test_typing_and_deleting_in_search_always_shows_exactly_the_matching_children(seed: int) -> None:
    """Typing further narrows from the rows already shown (not the whole board); whatever
    is typed, deleted or changed besides, the board shows exactly the children the filter
    accepts when tested against every row."""
    import random

    from lac_monitor.ui.board_filter_model import compile_filter

    board, proxy = _board_for_typing()
    rnd = random.Random(seed)
    text = ""
    for _ in range(60):
        move = rnd.random()
        if move < 0.5:
            text += rnd.choice("tkae 0LOG-1")
        elif move < 0.75:
            text = text[:-1]
        elif move < 0.85:
            proxy.update(statuses=rnd.choice([frozenset(), frozenset({ChildStatus.MISSING})]))
        elif move < 0.95:
            proxy.update(scope=rnd.choice(list(Scope)))
        else:
            board.apply([replace(board.entries[0].row, police_ref="LOG-9999")], [board.entries[0].row.child_id], NOW)
        proxy.update(text=text)
        accept = compile_filter(proxy.current, ME)
        expected = [e.row.child_id for e in board.entries if accept(e)]
        assert proxy.visible_child_ids() == expected, (text, proxy.current)
