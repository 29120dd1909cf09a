"""The monthly picture, built through the services, on SQLite and PostgreSQL: every figure
equals an independent count, and agrees with Annex A List 8 and the board."""

from __future__ import annotations

import io
import statistics
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from lac_monitor.cli import main
from lac_monitor.domain.localtime import local_date
from lac_monitor.services.access import AccessService
from lac_monitor.services.settings import save_council_la_code
from lac_monitor.services.statutory import ABSENT_COL, MISSING_COL, annex_a_rows
from lac_monitor.services.trends import TrendsService
from lac_monitor.services.uow import Actor
from lac_monitor.storage.board import load_board
from tests.factories import FOSTER, World

H = timedelta(hours=1)
ADMIN = Actor("admin.one", None, "Ada Adminone", "administrator", None)
OTHER_TEAM_WORKER = Actor("sw.two", 3, "Robin Workertwo", "social_worker", 2)

# (child, days ago, hours missing or None if still open, category, RHI offered after hours, accepted)
PLAN = [
    ("C000100", 300, 5, "M", 24, True),
    ("C000100", 200, 30, "M", 80, False),  # offered late
    ("C000100", 100, 2, "A", None, False),
    ("C000100", 40, 12, "M", 10, True),
    ("C000200", 250, 50, "M", 48, False),
    ("C000200", 45, 3, "A", 70, True),
    ("C000300", 20, 8, "M", None, False),  # out of area
    ("C000300", 10, 1, "M", 1, False),
    ("C000300", 5, 6, "A", 2, True),
    ("C000400", 3, None, "M", None, False),  # still missing
]


@pytest.fixture
def built(world: World) -> World:
    save_council_la_code(world.db, ADMIN, "E08000025", world.clock)
    for cid in ("C000100", "C000200", "C000400"):
        world.add_child(cid, in_care_since=date(2024, 1, 1), dob=date(2011, 3, 1))
    world.add_child("C000300", in_care_since=None, dob=date(2009, 3, 1), locality="Southbank")
    world.care.start_care(
        "C000300", date(2024, 1, 1), replace(FOSTER, host_la="E08000026", place="K2", place_provider="PR4")
    )
    world.care.set_risk_flag("C000300", "cse", date(2025, 6, 1))
    now = world.clock.now()
    for child, days, hours, cat, offer, accepted in PLAN:
        start = now - timedelta(days=days)
        ep = int(world.episodes.report(child, cat, start).id)
        if hours is None:
            continue
        back = start + hours * H
        world.episodes.record_return(ep, None, back, found_where="Arndale Centre" if child == "C000300" else None)
        if offer is not None:
            saved = world.episodes.offer_rhi([ep], back + offer * H)
            if accepted:
                world.episodes.respond_rhi(int(saved.id), None, True, back + (offer + 1) * H)
    return world


def test_trends_figures_equal_an_independent_count(built: World) -> None:
    today = local_date(built.clock.now())
    start = today - timedelta(days=364)
    data = TrendsService(built.db, built.actor, built.clock).trends(start, today)
    assert (data.episodes, data.missing, data.away) == (10, 7, 3)
    assert data.children == 4 and data.repeat_children == 2  # C000100 (4), C000300 (3)
    ended = [p[2] for p in PLAN if p[2] is not None]
    assert data.median_hours == pytest.approx(statistics.median(ended))
    assert data.longest_hours == pytest.approx(50) and data.still_open == 1
    in_time = sum(1 for p in PLAN if p[2] is not None and p[4] is not None and p[4] <= 72)
    assert (data.rhi_offered_72h.count, data.rhi_offered_72h.of) == (in_time, 9)
    assert (data.rhi_accepted.count, data.rhi_accepted.of) == (4, 9)
    assert sum(m + a for _, m, a in data.months) == 10 and len(data.months) in (12, 13)
    # The foster placements have no host council recorded: not known, never guessed.
    assert dict(data.by_area) == {"In area": 0, "Out of area": 3, "Not known": 7}
    assert dict(data.by_locality) == {"Northfield": 7, "Southbank": 3}
    assert dict(data.top_found) == {"Arndale Centre": 3}
    assert dict(data.open_flags) == {"cse": 1}
    assert sum(n for _, n in data.by_age) == 10 and sum(n for _, n in data.by_placement) == 10


def test_trends_agree_with_annex_a_list_8_and_the_board(built: World) -> None:
    today = local_date(built.clock.now())
    start = today - timedelta(days=364)
    data = TrendsService(built.db, built.actor, built.clock).trends(start, today)
    rows = annex_a_rows(built.db, start, today)
    assert sum(int(r[MISSING_COL]) for r in rows) == data.missing  # type: ignore[call-overload]
    assert sum(int(r[ABSENT_COL]) for r in rows) == data.away  # type: ignore[call-overload]
    with built.db.read_session() as s:
        board = load_board(s, built.clock.now())
    assert sum(r.episode_counts[2] for r in board) == data.episodes
    assert sum(1 for r in board if r.episode_counts[2] >= 3) == data.repeat_children
    recent = TrendsService(built.db, built.actor, built.clock).trends(today - timedelta(days=89), today)
    assert sum(r.episode_counts[1] for r in board) == recent.episodes


def test_trends_leave_out_a_restricted_child_from_someone_who_cannot_see_it(built: World) -> None:
    AccessService(built.db, built.manager, built.clock).set_restricted("C000300", True, "child of staff")
    today = local_date(built.clock.now())
    other = TrendsService(built.db, OTHER_TEAM_WORKER, built.clock).trends(today - timedelta(days=364), today)
    assert other.episodes == 7 and dict(other.open_flags) == {}
    mine = TrendsService(built.db, built.actor, built.clock).trends(today - timedelta(days=364), today)
    assert mine.episodes == 10


def test_trends_pdf_from_the_command_line_shows_the_same_figures(
    built: World, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = local_date(built.clock.now())
    out = tmp_path / "trends.pdf"
    code = main(
        [
            "report",
            "trends",
            "--from",
            (today - timedelta(days=364)).isoformat(),
            "--to",
            today.isoformat(),
            "--out",
            str(out),
            "--database",
            db_url,
            "--user",
            "sw.one",
            "--at",
            built.clock.now().isoformat(),
        ]
    )
    stdout = capsys.readouterr().out
    assert code == 0 and "10 episodes (7 missing, 3 away)" in stdout
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "OFFICIAL-SENSITIVE" in text and "10 (7 missing, 3 away)" in text
    assert "4 of 9 (44%)" in text  # RHI accepted
    assert "Arndale Centre" in text
    code = main(
        ["report", "trends", "--from", "2026-13-01", "--out", str(out), "--database", db_url, "--user", "sw.one"]
    )
    assert code == 2 and "--from" in capsys.readouterr().err
