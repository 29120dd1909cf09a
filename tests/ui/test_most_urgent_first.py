"""One "most urgent first": the board, `lac-monitor board` and the handover sheet list the same
children in the same order (domain/urgency.py), ties and all."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from lac_monitor.cli import main
from lac_monitor.reports.handover import render_handover
from lac_monitor.services.handover import build_handover
from lac_monitor.storage.board import load_board
from lac_monitor.ui.board_model import OUT, BoardModel
from tests.factories import World

H = timedelta(hours=1)


def council(world: World) -> None:
    """Ids in an order that is neither the names' nor the urgency's; two exact ties."""
    now = world.clock.now()
    for cid, first, last in (
        ("C000010", "Zed", "Testamber"),  # missing, high, 5 h (ties with C000011 but for the name)
        ("C000011", "Ava", "Testamber"),
        ("C000012", "Ben", "Testbrown"),  # missing, not graded, 1 h
        ("C000013", "Cal", "Testcoral"),  # missing, low, 20 h
        ("C000014", "Dee", "Testdune"),  # away, high, 30 h: below every missing child
        ("C000015", "Eli", "Testecru"),  # away, no apparent risk, 2 h
        ("C000016", "Fay", "Testfawn"),  # returned 4 h ago (RHI due)
        ("C000017", "Gus", "Testgold"),  # returned 10 h ago (RHI due): earlier return first
        ("C000018", "Hal", "Testazure"),  # at home: by name
        ("C000019", "Ivy", "Testazure"),
        ("C000020", "Jo", "Testaqua"),
    ):
        world.add_child(cid, first=first, last=last)
    ep = world.episodes
    ep.report("C000010", "M", now - 5 * H, risk="high", police_ref="LOG-10")
    ep.report("C000011", "M", now - 5 * H, risk="high", police_ref="LOG-11")
    ep.report("C000012", "M", now - 1 * H)
    ep.report("C000013", "M", now - 20 * H, risk="low")
    ep.report("C000014", "A", now - 30 * H, risk="high")
    ep.report("C000015", "A", now - 2 * H, risk="none")
    for cid, out_at, back_at in (("C000016", 8 * H, 4 * H), ("C000017", 12 * H, 10 * H)):
        done = ep.report(cid, "M", now - out_at, risk="medium")
        ep.record_return(int(done.id), None, now - back_at, found_where="Park")


EXPECTED = [
    "C000011",
    "C000010",
    "C000012",
    "C000013",
    "C000014",
    "C000015",
    "C000017",
    "C000016",
    "C000020",
    "C000018",
    "C000019",
]


def test_board_command_line_and_handover_sheet_agree(
    world: World, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    council(world)
    now = world.clock.now()

    model = BoardModel(now)
    with world.db.read_session() as s:
        model.load(load_board(s, now), now)
    board = [e.row.child_id for e in model.entries]

    assert main(["board", "--format", "json", "--at", now.isoformat(), "--database", db_url, "--user", "sw.one"]) == 0
    command_line = [r["child_id"] for r in json.loads(capsys.readouterr().out)]

    data = build_handover(world.db, world.clock, world.actor, now - 24 * H, now)
    pdf = render_handover(data)
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    section = text.split("Missing or away now")[1].split("Started and ended")[0]
    sheet = list(dict.fromkeys(re.findall(r"C0000\d\d", section)))

    assert board == EXPECTED
    assert command_line == board
    assert sheet == [cid for cid in board if model.status_of(cid) in OUT]
    assert len(sheet) == 6
