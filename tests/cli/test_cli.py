"""The command line a duty team's scheduled task or a script would use."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from lac_monitor.cli import main
from lac_monitor.storage.board import load_board
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Staff
from tests.factories import World


@pytest.fixture
def live_world(world: World) -> World:
    world.clock.set(datetime.now(UTC) - timedelta(minutes=1))
    return world


def run_cli(capsys: pytest.CaptureFixture[str], *args: str, user: str | None = "sw.one") -> tuple[int, str, str]:
    """Run a command as `user` (a synthetic staff member): the OS login running the tests is
    not on any test register, and an unknown login is refused."""
    argv = list(args)
    if user is not None and "--user" not in argv and argv[:1] not in (["db"], ["demo"]):
        argv += ["--user", user]
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_report_return_and_board_json_contract(
    live_world: World, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    child = live_world.add_child("C000500", first="Testa", last="Cliperson")
    live_world.add_child("C000501")
    code, out, err = run_cli(
        capsys,
        "episode",
        "report",
        child,
        "--category",
        "M",
        "--risk",
        "high",
        "--police-ref",
        "LOG-77",
        "--last-seen",
        "Retail park",
        "--database",
        db_url,
        "--user",
        "sw.one",
    )
    assert code == 0, err
    assert "reported missing" in out

    code, out, _ = run_cli(capsys, "board", "--format", "json", "--database", db_url)
    assert code == 0
    rows = json.loads(out)
    assert [r["child_id"] for r in rows][:1] == [child]  # missing children come first
    first = rows[0]
    for key in (
        "child_id",
        "name",
        "status",
        "category",
        "missing_since",
        "risk",
        "police_ref",
        "rhi_due",
        "social_worker",
        "team",
        "placement_type",
        "locality",
    ):
        assert key in first
    assert (first["status"], first["category"], first["risk"], first["police_ref"]) == (
        "missing",
        "M",
        "high",
        "LOG-77",
    )
    assert first["name"] == "Testa Cliperson"
    assert rows[1]["status"] == "in_placement"

    code, out, err = run_cli(
        capsys,
        "episode",
        "update",
        child,
        "--risk",
        "medium",
        "--note",
        "Spoke to friend",
        "--database",
        db_url,
        "--user",
        "sw.one",
    )
    assert code == 0, err
    code, out, err = run_cli(
        capsys, "episode", "return", child, "--found-at", "Home", "--database", db_url, "--user", "sw.one"
    )
    assert code == 0, err
    code, out, _ = run_cli(capsys, "board", "--format", "json", "--database", db_url)
    back = next(r for r in json.loads(out) if r["child_id"] == child)
    assert back["status"] == "returned_rhi_due" and back["rhi_due"]


def test_bad_input_gives_one_line_reason_and_nonzero_exit(
    live_world: World, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    child = live_world.add_child("C000510")
    future = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    code, out, err = run_cli(
        capsys, "episode", "report", child, "--category", "M", "--at", future, "--database", db_url
    )
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "start: cannot be in the future" in err
    code, _, err = run_cli(capsys, "episode", "return", child, "--database", db_url)
    assert code == 2 and "has no open missing episode" in err
    code, _, err = run_cli(
        capsys, "episode", "report", child, "--category", "M", "--at", "teatime", "--database", db_url
    )
    assert code == 2 and "--at" in err and "ISO 8601" in err
    with live_world.db.read_session() as s:
        assert all(r.status.value == "in_placement" for r in load_board(s, datetime.now(UTC)))


def test_board_at_a_past_time_in_local_time(live_world: World, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    child = live_world.add_child("C000520")
    start = datetime.now(UTC) - timedelta(hours=5)
    ep = live_world.episodes.report(child, "A", start)
    live_world.episodes.record_return(ep.id, ep.version, start + timedelta(hours=2))
    local_mid = (start + timedelta(hours=1)).astimezone().isoformat()
    code, out, _ = run_cli(capsys, "board", "--at", local_mid, "--format", "json", "--database", db_url)
    assert code == 0
    assert json.loads(out)[0]["status"] == "away"
    code, out, _ = run_cli(capsys, "board", "--database", db_url)
    assert "Returned — RHI due" in out and "1 child at" in out


def test_console_script_entry_point_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "new.sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "lac_monitor", "db", "upgrade", "--database", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    from lac_monitor.storage.migrate import head_revision

    assert f"schema at {head_revision()}" in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "lac_monitor", "board", "--database", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "0 children" in result.stdout


def test_it_can_set_up_teams_staff_and_children(db: Database, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with db.write_session() as s:
        s.add(Staff(username="it.admin", display_name="Ita Admintest", role="administrator"))
        s.commit()
    admin = functools.partial(run_cli, user="it.admin")
    assert (
        admin(capsys, "team", "add", "Eastgate Children in Care", "--locality", "Eastgate", "--database", db_url)[0]
        == 0
    )
    code, out, err = admin(
        capsys,
        "staff",
        "add",
        "jtestworker",
        "Jo Testworker",
        "--role",
        "social_worker",
        "--team",
        "1",
        "--database",
        db_url,
    )
    assert code == 0, err
    code, out, err = admin(
        capsys, "staff", "add", "jtestworker", "Jo Again", "--role", "social_worker", "--database", db_url
    )
    assert code == 2 and "username: 'jtestworker' already belongs" in err
    code, out, err = admin(
        capsys,
        "child",
        "add",
        "C900001",
        "--first-name",
        "Testy",
        "--last-name",
        "McTestface",
        "--dob",
        "2011-02-03",
        "--sex",
        "F",
        "--ethnicity",
        "WBRI",
        "--upn",
        "I12345678901",
        "--database",
        db_url,
    )
    assert code == 2 and "UPN: must be a letter (not I, O, S)" in err
    code, out, err = admin(
        capsys,
        "child",
        "add",
        "C900001",
        "--first-name",
        "Testy",
        "--last-name",
        "McTestface",
        "--dob",
        "2011-02-03",
        "--sex",
        "F",
        "--ethnicity",
        "WBRI",
        "--worker",
        "jtestworker",
        "--team",
        "1",
        "--database",
        db_url,
    )
    assert code == 0, err
    code, out, _ = admin(capsys, "board", "--format", "json", "--database", db_url)
    (row,) = json.loads(out)
    assert (row["child_id"], row["status"], row["social_worker"]) == ("C900001", "left_care", "Jo Testworker")
    code, out, err = admin(
        capsys,
        "care",
        "start",
        "C900001",
        "--on",
        "2026-01-05",
        "--ls",
        "C2",
        "--cin",
        "N1",
        "--place",
        "U4",
        "--database",
        db_url,
    )
    assert code == 2 and "PLACE_PROVIDER: is required" in err
    code, out, err = admin(
        capsys,
        "care",
        "start",
        "C900001",
        "--on",
        "2026-01-05",
        "--ls",
        "C2",
        "--cin",
        "N1",
        "--place",
        "U4",
        "--provider",
        "PR1",
        "--database",
        db_url,
    )
    assert code == 0, err
    code, out, _ = admin(capsys, "board", "--format", "json", "--database", db_url)
    assert json.loads(out)[0]["status"] == "in_placement"
    code, out, _ = admin(capsys, "staff", "list", "--database", db_url)
    assert "jtestworker" in out


def test_changes_since_for_scripts(live_world: World, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    child = live_world.add_child("C000530")
    code, out, _ = run_cli(capsys, "changes", "--format", "json", "--database", db_url)
    seen = json.loads(out)
    assert [e["kind"] for e in seen] == ["care.started"]
    live_world.episodes.report(child, "M", datetime.now(UTC) - timedelta(hours=1))
    code, out, _ = run_cli(capsys, "changes", "--since", str(seen[-1]["seq"]), "--format", "json", "--database", db_url)
    assert [(e["kind"], e["child_id"]) for e in json.loads(out)] == [("episode.reported", child)]


def test_board_uses_the_councils_rhi_window(live_world: World, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from dataclasses import replace

    from lac_monitor.domain.ladder import DEFAULT_LADDER
    from lac_monitor.services.settings import SettingsService
    from lac_monitor.services.uow import Actor

    child = live_world.add_child("C000540")
    start = datetime.now(UTC) - timedelta(hours=60)
    ep = live_world.episodes.report(child, "M", start)
    live_world.episodes.record_return(ep.id, ep.version, start + timedelta(hours=10))  # 50 h ago
    code, out, _ = run_cli(capsys, "board", "--format", "json", "--database", db_url)
    assert json.loads(out)[0]["status"] == "returned_rhi_due"  # default 72 h window
    admin = Actor("it.admin", None, "Test Admin", "administrator")
    SettingsService(live_world.db, admin, live_world.clock).save_ladder(replace(DEFAULT_LADDER, rhi_hours=48))
    code, out, _ = run_cli(capsys, "board", "--format", "json", "--database", db_url)
    assert json.loads(out)[0]["status"] == "rhi_overdue"


def test_acting_as_someone_else_is_refused_unless_allowed_and_then_audited(
    live_world: World, db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from lac_monitor.storage.schema import AuditLog

    child = live_world.add_child("C000550")
    monkeypatch.delenv("LAC_MONITOR_ALLOW_ACT_AS", raising=False)
    monkeypatch.setattr("lac_monitor.cli.common.os_username", lambda: "someone.else")
    code, _, err = run_cli(
        capsys, "episode", "report", child, "--category", "M", "--database", db_url, "--user", "sw.one"
    )
    assert code == 2 and "--user: acting as another staff member needs" in err
    monkeypatch.setenv("LAC_MONITOR_ALLOW_ACT_AS", "1")
    code, _, err = run_cli(
        capsys, "episode", "report", child, "--category", "M", "--database", db_url, "--user", "sw.one"
    )
    assert code == 0, err
    with live_world.db.read_session() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "episode.report")).one()
    assert audit.username == "sw.one" and '"os_login": "someone.else"' in (audit.detail or "")
