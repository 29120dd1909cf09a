"""The board query's columns are the board record's fields, by name and in order."""

from __future__ import annotations

from dataclasses import fields

from lac_monitor.domain.values import BoardRow
from lac_monitor.storage import board


def test_board_columns_follow_the_record() -> None:
    for by_ids in (False, True):
        labels = [c.name for c in board._board_statement(by_ids).selected_columns]
        assert tuple(labels[: len(board.PLAIN_FIELDS)]) == board.PLAIN_FIELDS
        assert labels[len(board.PLAIN_FIELDS) :] == ["n30", "n90", "n365", "flags"]
    assert [f.name for f in fields(BoardRow)] == [*board.PLAIN_FIELDS, "flags", "episode_counts"]
