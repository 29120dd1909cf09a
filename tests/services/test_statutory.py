"""Annex A List 8 (xlsx) agrees with the SSDA903 Missing export; ssd_missing has the SSD's shape."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lac_monitor.cli import main
from lac_monitor.demo import generate
from lac_monitor.domain.localtime import parse_time
from lac_monitor.services import ssda903, statutory
from lac_monitor.storage.database import Database
from tests.factories import World
from tests.services.test_ssda903_rules import HOME

FROM, TO = date(2025, 4, 1), date(2026, 3, 31)


def export_counts(folder: Path) -> Counter[tuple[str, str]]:
    """(child, M|A) -> periods that began in the year, from the Missing export. A row that
    only continues a period past a placement change (it starts the day the previous row ended,
    on the day a new placement began) is the same episode, not a new one."""
    with (folder / "episodes.csv").open(newline="") as fh:
        moves = {(r["CHILD"], r["DECOM"]) for r in csv.DictReader(fh) if r["RNE"] != "S"}
    counts: Counter[tuple[str, str]] = Counter()
    prev: dict[str, dict[str, str]] = {}
    with (folder / "missing.csv").open(newline="") as fh:
        for r in csv.DictReader(fh):
            p = prev.get(r["CHILD"])
            continues = (
                p is not None
                and p["MIS_END"] == r["MIS_START"]
                and p["MISSING"] == r["MISSING"]
                and (r["CHILD"], r["MIS_START"]) in moves
            )
            prev[r["CHILD"]] = r
            start = date(*reversed([int(x) for x in r["MIS_START"].split("/")]))  # type: ignore[misc]
            if not continues and FROM <= start <= TO:
                counts[(r["CHILD"], r["MISSING"])] += 1
    return counts


def annex_counts(path: Path) -> tuple[list[str], Counter[tuple[str, str]]]:
    ws = load_workbook(path).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    i_m, i_a = header.index(statutory.MISSING_COL), header.index(statutory.ABSENT_COL)
    counts: Counter[tuple[str, str]] = Counter()
    for r in rows[1:]:
        if r[i_m]:
            counts[(str(r[0]), "M")] = int(r[i_m])  # type: ignore[arg-type]
        if r[i_a]:
            counts[(str(r[0]), "A")] = int(r[i_a])  # type: ignore[arg-type]
    return header, counts


def test_list8_headers_and_counts_agree_with_the_missing_export(world: World, tmp_path: Path) -> None:
    world.clock.set(parse_time("2026-04-10T12:00"))
    a = world.add_child("C820001", dob=date(2010, 5, 1), in_care_since=date(2025, 1, 10))
    ep = world.episodes.report(a, "M", parse_time("2026-02-01T22:00"))  # spans a placement change
    world.care.change_placement(a, None, date(2026, 2, 3), HOME, rne="P", reason_place_change="CHILD")
    world.episodes.record_return(ep.id, ep.version, parse_time("2026-02-05T10:00"))
    ep = world.episodes.report(a, "A", parse_time("2026-03-01T19:00"))
    world.episodes.record_return(ep.id, ep.version, parse_time("2026-03-01T23:00"))
    world.episodes.offer_rhi([ep.id], parse_time("2026-03-02T10:00"))
    b = world.add_child("C820002", dob=date(2011, 5, 1), in_care_since=date(2025, 6, 1))
    ep = world.episodes.report(b, "A", parse_time("2025-07-01T00:00"))
    world.episodes.record_return(ep.id, ep.version, parse_time("2025-07-02T09:00"))
    world.add_child("C820003", dob=date(2012, 5, 1), in_care_since=date(2025, 9, 1))
    out = tmp_path / "annex.xlsx"
    assert statutory.export_annex_a(world.db, FROM, TO, out) == 3
    ssda903.export(world.db, 2026, tmp_path / "y26")
    header, counts = annex_counts(out)
    assert header == list(statutory.LIST8_COLUMNS)
    assert (
        "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months" in header
    )
    assert counts == export_counts(tmp_path / "y26")
    assert counts == Counter({(a, "M"): 1, (a, "A"): 1, (b, "A"): 1})
    rows = {r["Child Unique ID"]: r for r in statutory.annex_a_rows(world.db, FROM, TO)}
    assert rows[a][statutory.LIST8_COLUMNS[30]] == "Y" and rows[a][statutory.LIST8_COLUMNS[31]] == "N"
    assert rows[a]["Placement Type"] == "K2: Children's home" and rows[a]["Placement postcode"] == "BD7 2RA"
    assert rows[a]["LA of Placement"] == "E08000032"
    assert rows[b][statutory.LIST8_COLUMNS[30]] == "N"
    assert rows["C820003"][statutory.LIST8_COLUMNS[30]] == ""  # no missing episode: blank, not invented
    assert rows[a].get("Date of Last Health Assessment") in (None, "")  # not held: blank


@pytest.mark.slow
def test_list8_agrees_with_the_missing_export_on_the_demo_council(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        generate(db, children=650, seed=3, replace=True, now=parse_time("2026-05-01T12:00"))
        statutory.export_annex_a(db, FROM, TO, tmp_path / "annex.xlsx")
        ssda903.export(db, 2026, tmp_path / "y26")
    finally:
        db.dispose()
    _header, counts = annex_counts(tmp_path / "annex.xlsx")
    assert sum(counts.values()) > 50
    assert counts == export_counts(tmp_path / "y26")


def test_ssd_missing_shape_and_cli(
    world: World, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world.clock.set(parse_time("2026-04-10T12:00"))
    a = world.add_child("C820004", dob=date(2010, 5, 1), in_care_since=date(2025, 1, 10))
    ep = world.episodes.report(a, "M", parse_time("2026-02-01T22:00"))
    world.episodes.record_return(ep.id, ep.version, parse_time("2026-02-02T08:30"))
    world.episodes.report(a, "A", parse_time("2026-04-09T19:00"))
    out = tmp_path / "ssd_missing.csv"
    assert main(["export", "ssd-missing", "--out", str(out), "--database", db_url, "--user", "sw.one"]) == 0
    with out.open(newline="") as fh:
        got = list(csv.DictReader(fh))
    assert list(got[0]) == list(statutory.SSD_MISSING_COLUMNS)
    assert [
        (
            r["miss_la_person_id"],
            r["miss_mis_epi_type"],
            r["miss_mis_epi_start"],
            r["miss_mis_epi_end"],
            r["miss_mis_epi_rhi_offered"],
        )
        for r in got
    ] == [(a, "M", "2026-02-01 22:00:00", "2026-02-02 08:30:00", "N"), (a, "A", "2026-04-09 19:00:00", "", "")]
    assert (
        main(
            [
                "export",
                "annex-a",
                "--from",
                "2025-04-01",
                "--to",
                "2026-03-31",
                "--out",
                str(tmp_path / "a.csv"),
                "--database",
                db_url,
            ]
        )
        == 2
    )
    assert "--out: must be an .xlsx file" in capsys.readouterr().err


def test_rhi_outcomes_in_the_words_councils_report(
    world: World, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    world.clock.set(datetime.now(UTC) - timedelta(minutes=1))
    kid = world.add_child("C820005", dob=date(2010, 5, 1), in_care_since=date(2025, 1, 10))
    db = ("--database", db_url, "--user", "sw.one")
    outcomes = []
    for i, outcome in enumerate(("accepted", "declined", "not_offered_missing_again", "not_applicable")):
        start = datetime.now(UTC) - timedelta(days=2, hours=-i * 5)
        ep = world.episodes.report(kid, "M", start)
        world.episodes.record_return(ep.id, ep.version, start + timedelta(hours=2))
        code = main(["episode", "rhi", kid, "--outcome", outcome, *db])
        out, err = capsys.readouterr()
        assert code == 0, err
        outcomes.append(outcome)
    code = main(["episode", "rhi", kid, "--outcome", "not_offered_other", *db])
    assert code == 2 and "no returned episode waiting" in capsys.readouterr().err
    out_csv = tmp_path / "ssd.csv"
    statutory.export_ssd_missing(world.db, out_csv)
    with out_csv.open(newline="") as fh:
        got = [(r["miss_mis_epi_rhi_offered"], r["miss_mis_epi_rhi_accepted"]) for r in csv.DictReader(fh)]
    assert got == [("Y", "Y"), ("Y", "N"), ("N", "N"), ("NA", "NA")]
    code = main(["board", "--format", "json", *db])
    import json

    row = next(r for r in json.loads(capsys.readouterr().out) if r["child_id"] == kid)
    assert row["status"] == "in_placement"  # nothing left due
