"""The SSDA903 return in its awkward corners, built through the services; and (when it is
installed) the sector's own validator on the demo council."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from lac_monitor.demo import generate
from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.localtime import parse_time
from lac_monitor.services import ssda903
from lac_monitor.services.care import Placement
from lac_monitor.services.register import RegisterService
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import MissingEpisode
from tests.factories import World

ROOT = Path(__file__).resolve().parents[2]
HOME = Placement(
    ls="C2",
    cin="N1",
    place="K2",
    place_provider="PR4",
    pl_post="BD7 2RA",
    home_post="BD5 0WW",
    urn="SC931023",
    host_la="E08000032",
)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_header_is_the_position_at_31_march_not_today(world: World, tmp_path: Path) -> None:
    world.clock.set(parse_time("2026-11-20T12:00"))
    girl = world.add_child("C800001", dob=date(2009, 1, 10), in_care_since=date(2025, 1, 5))
    RegisterService(world.db, world.actor, world.clock).update_child(girl, None, mother=True, mc_dob=date(2026, 6, 1))
    ssda903.export(world.db, 2026, tmp_path / "y26")
    ssda903.export(world.db, 2027, tmp_path / "y27")
    (h26,) = rows(tmp_path / "y26" / "header.csv")
    (h27,) = rows(tmp_path / "y27" / "header.csv")
    assert (h26["MOTHER"], h26["MC_DOB"]) == ("0", "")  # her baby was born after 31 March 2026
    assert (h27["MOTHER"], h27["MC_DOB"]) == ("1", "01/06/2026")


def test_sex_and_placement_codes_follow_the_year(world: World, tmp_path: Path) -> None:
    child = world.add_child("C800002", dob=date(2008, 1, 10), in_care_since=None)
    world.care.start_care(
        child, date(2024, 2, 1), Placement(ls="V2", cin="N4", place="K3", place_provider="PR4", urn="2512345")
    )
    ssda903.export(world.db, 2024, tmp_path / "y24")
    ssda903.export(world.db, 2024, tmp_path / "y24as25", codes_year=2025)
    ssda903.export(world.db, 2025, tmp_path / "y25")
    assert [(r["SEX"]) for r in rows(tmp_path / "y24" / "header.csv")] == ["2"]
    assert [(r["PLACE"]) for r in rows(tmp_path / "y24" / "episodes.csv")] == ["H5"]
    assert [(r["SEX"],) for r in rows(tmp_path / "y24as25" / "header.csv")] == [("F",)]
    assert [(r["PLACE"]) for r in rows(tmp_path / "y25" / "episodes.csv")] == ["K3"]


def test_a_period_starting_on_the_day_of_a_move_is_counted_once(world: World, tmp_path: Path) -> None:
    world.clock.set(parse_time("2026-03-20T12:00"))
    child = world.add_child("C800003", dob=date(2010, 5, 1), in_care_since=date(2025, 1, 10))
    world.care.change_placement(child, None, date(2026, 2, 3), HOME, rne="P", reason_place_change="CHILD")
    ep = world.episodes.report(child, "M", parse_time("2026-02-03T22:00"))
    world.episodes.record_return(ep.id, ep.version, parse_time("2026-02-05T10:00"))
    ssda903.export(world.db, 2026, tmp_path)
    assert [(r["MIS_START"], r["MIS_END"]) for r in rows(tmp_path / "missing.csv")] == [("03/02/2026", "05/02/2026")]


def test_a_period_open_at_year_end_is_open_and_starts_the_same_day_next_year(world: World, tmp_path: Path) -> None:
    world.clock.set(parse_time("2026-04-20T12:00"))
    child = world.add_child("C800004", dob=date(2010, 5, 1), in_care_since=date(2025, 1, 10))
    ep = world.episodes.report(child, "A", parse_time("2026-03-30T23:30"))
    world.episodes.record_return(ep.id, ep.version, parse_time("2026-04-02T10:00"))
    ssda903.export(world.db, 2026, tmp_path / "y26")
    ssda903.export(world.db, 2027, tmp_path / "y27")
    assert [(r["MISSING"], r["MIS_START"], r["MIS_END"]) for r in rows(tmp_path / "y26" / "missing.csv")] == [
        ("A", "30/03/2026", "")
    ]
    assert [(r["MIS_START"], r["MIS_END"]) for r in rows(tmp_path / "y27" / "missing.csv")] == [
        ("30/03/2026", "02/04/2026")
    ]
    # the episode is open in the same return (DEC blank), so no Missing rule can see it end
    assert [r["DEC"] for r in rows(tmp_path / "y26" / "episodes.csv")] == [""]


def test_still_missing_at_18_leaves_care_e8_and_the_period_ends_with_care(world: World, tmp_path: Path) -> None:
    world.clock.set(parse_time("2026-03-10T12:00"))
    child = world.add_child("C800005", dob=date(2008, 3, 5), in_care_since=date(2024, 1, 1))
    world.episodes.report(child, "M", parse_time("2026-03-01T20:00"))
    world.care.end_care(child, None, date(2026, 3, 5), "E8")
    ssda903.export(world.db, 2026, tmp_path)
    (episode,) = rows(tmp_path / "episodes.csv")
    assert (episode["DEC"], episode["REC"]) == ("05/03/2026", "E8")
    assert [(r["MIS_START"], r["MIS_END"]) for r in rows(tmp_path / "missing.csv")] == [("01/03/2026", "05/03/2026")]


def test_back_on_the_18th_birthday_and_care_ends_that_day_needs_e8(world: World) -> None:
    world.clock.set(parse_time("2026-03-10T12:00"))
    child = world.add_child("C800006", dob=date(2008, 3, 5), in_care_since=date(2024, 1, 1))
    ep = world.episodes.report(child, "M", parse_time("2026-03-01T20:00"))
    world.episodes.record_return(ep.id, ep.version, parse_time("2026-03-05T09:00"))
    with pytest.raises(ValidationError, match="E8"):
        world.care.end_care(child, None, date(2026, 3, 5), "E5")
    world.care.end_care(child, None, date(2026, 3, 5), "E8")


def test_at_most_366_missing_rows_per_child(world: World, tmp_path: Path) -> None:
    child = world.add_child("C800007", dob=date(2010, 5, 1), in_care_since=date(2025, 1, 10))
    start = parse_time("2025-04-01T10:00")
    with world.db.write_session() as s:
        s.execute(
            insert(MissingEpisode),
            [
                {
                    "child_id": child,
                    "category": "A",
                    "started_at": start + timedelta(hours=23 * i),
                    "reported_at": start + timedelta(hours=23 * i),
                    "returned_at": start + timedelta(hours=23 * i + 2),
                    "updated_at": start,
                    "updated_by": "test",
                    "version": 1,
                }
                for i in range(380)
            ],
        )
        s.commit()
    summary = ssda903.export(world.db, 2026, tmp_path)
    assert summary.missing == 366
    assert any("380 missing periods" in n for n in summary.notes)


@pytest.mark.parametrize(
    "cell,want",
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+44", "'+44"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("C12", "C12"),
        ("", ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell: str, want: str, tmp_path: Path) -> None:
    assert ssda903.safe_cell(cell) == want
    ssda903.write_csv(tmp_path / "x.csv", ["A"], [{"A": cell}])
    assert rows(tmp_path / "x.csv") == [{"A": want}]


# -- the sector's validator -------------------------------------------------------------------
def validator_python() -> str | None:
    """LAC_MONITOR_903_VALIDATOR=/path/to/python of a venv with csc-validator-be-903, or the
    .venv-903 that `installer/dev.py validator` makes."""
    env = os.environ.get("LAC_MONITOR_903_VALIDATOR")
    if env:
        return env
    local = ROOT / ".venv-903" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    return str(local) if local.exists() else None


@pytest.mark.slow
def test_demo_council_passes_the_sector_validator(tmp_path: Path) -> None:
    py = validator_python()
    if py is None:
        if os.environ.get("LAC_MONITOR_REQUIRE_903"):
            pytest.fail(
                "LAC_MONITOR_REQUIRE_903 is set but the validator is not installed (python3 installer/dev.py validator)"
            )
        pytest.skip(
            "csc-validator-be-903 not installed: set LAC_MONITOR_903_VALIDATOR or run "
            "python3 installer/dev.py validator"
        )
    db = Database.open(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        generate(db, children=400, seed=11, replace=True)
        for year in (2025, 2026):
            ssda903.export(db, year, tmp_path / f"y{year}")
            ssda903.export(db, year - 1, tmp_path / f"p{year}", codes_year=year)
    finally:
        db.dispose()
    for year in (2025, 2026):
        out = subprocess.run(
            [
                py,
                str(ROOT / "installer" / "validate903.py"),
                str(tmp_path / f"y{year}"),
                "--year",
                str(year),
                "--prev",
                str(tmp_path / f"p{year}"),
                "--la",
                "E08000032",
                "--json",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode in (0, 1), out.stderr[-2000:]
        got = json.loads(out.stdout)
        assert got["errors"] == 0, json.dumps(got["rules"], indent=1)


def test_validate903_script_says_plainly_when_the_validator_is_missing(tmp_path: Path) -> None:
    if shutil.which("python3") is None:
        pytest.skip("no python3")
    out = subprocess.run(
        [sys.executable, str(ROOT / "installer" / "validate903.py"), str(tmp_path), "--year", "2026"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "csc-validator-be-903 is not installed" in out.stderr
