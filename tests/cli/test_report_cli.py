"""`lac-monitor report ...` as a scheduled task would run it: a PDF on disk and an audit row."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lac_monitor.cli import main
from lac_monitor.storage.schema import AuditLog
from tests.factories import World

H = timedelta(hours=1)
AT = "2026-11-25T12:00"  # the world's clock, London time (GMT in November)


def run(capsys: pytest.CaptureFixture[str], *args: str, user: str = "edt.one") -> tuple[int, str, str]:
    argv = list(args)
    if "--user" not in argv:
        argv += ["--user", user]  # the OS login running the tests is on no test register
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def pdf_text(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(path.read_bytes())).pages]


@pytest.fixture
def register(world: World) -> World:
    world.add_child("C100", first="Missy", last="Testperson")
    world.add_child("C101", first="Placed", last="Testperson")
    world.add_child("C102", first="Southy", last="Testperson", team_id=2, locality="Southbank", worker_id=3)
    world.clock.set(world.clock.now() - 5 * H)
    world.episodes.report("C100", "M", risk="high", police_ref="LOG-100", last_seen_where="Park")
    world.episodes.report("C102", "A")
    world.clock.set(world.clock.now() + 5 * H)
    return world


def test_morning_sheet_default_window_written_and_audited(
    register: World, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "morning.pdf"
    code, stdout, err = run(
        capsys, "report", "handover", "--out", str(out), "--database", db_url, "--user", "edt.one", "--at", AT
    )
    assert code == 0, err
    assert "last shift: 24/11/2026 17:00 to 25/11/2026 08:45" in stdout
    pages = pdf_text(out)
    n = len(pages)
    assert all("OFFICIAL-SENSITIVE" in p and f"Page {i} of {n}" in p for i, p in enumerate(pages, 1))
    # the sheet, then the profile of C100 (missing, high risk) on its own page at the end
    assert [i for i, p in enumerate(pages) if "Missing-person profile (Philomena)" in p] == [n - 1]
    assert "Missy Testperson" in pages[0] and "Southy Testperson" in pages[0]
    assert "Placed Testperson" not in "".join(pages)
    assert "Printed by Dana Dutyone on 25/11/2026 12:00" in pages[0]
    with register.db.read_session() as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "report.handover")).one()
        assert row.username == "edt.one"
        detail = json.loads(row.detail or "{}")
    assert set(detail["children"]) == {"C100", "C102"} and detail["profiles"] == ["C100"]
    assert detail["output"] == "pdf:morning.pdf" and detail["pages"] == n


def test_team_window_and_notes_options(
    register: World, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Call the carer <b>first</b> & then police.", encoding="utf-8")
    out = tmp_path / "team.pdf"
    code, stdout, err = run(
        capsys,
        "report",
        "handover",
        "--from",
        "2026-11-25T00:00",
        "--to",
        "2026-11-25T12:00",
        "--team",
        "southbank children in care",
        "--notes-file",
        str(notes),
        "--no-profiles",
        "--out",
        str(out),
        "--database",
        db_url,
        "--user",
        "tm.one",
        "--at",
        AT,
    )
    assert code == 0, err
    text = "\n".join(pdf_text(out))
    assert "Southy Testperson" in text and "Missy Testperson" not in text
    assert "Call the carer <b>first</b> & then police." in text
    assert "Window 25/11/2026 00:00 to 25/11/2026 12:00" in text


def test_profile_command_and_plain_errors(
    register: World, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.pdf"
    code, stdout, err = run(
        capsys, "report", "profile", "C100", "--out", str(out), "--database", db_url, "--user", "edt.one", "--at", AT
    )
    assert code == 0, err
    assert "Missy Testperson" in pdf_text(out)[0] and "1 page" in stdout
    with register.db.read_session() as s:
        assert s.scalars(select(AuditLog.child_id).where(AuditLog.action == "report.profile")).all() == ["C100"]

    code, _, err = run(capsys, "report", "profile", "NOPE", "--out", str(out), "--database", db_url)
    assert code == 2 and "NOPE" in err
    code, _, err = run(capsys, "report", "handover", "--team", "Atlantis", "--out", str(out), "--database", db_url)
    assert code == 2 and "Atlantis" in err and "Northfield Children in Care" in err
    code, _, err = run(
        capsys,
        "report",
        "handover",
        "--from",
        "2026-11-25T10:00",
        "--to",
        "2026-11-25T09:00",
        "--out",
        str(out),
        "--database",
        db_url,
    )
    assert code == 2 and "to" in err
    code, _, err = run(
        capsys, "report", "handover", "--out", str(tmp_path / "no" / "such" / "x.pdf"), "--database", db_url
    )
    assert code == 2 and "does not exist" in err
