"""`lac-monitor alerts`: what a scheduled task or a script on a council server would run."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from lac_monitor.cli import main
from lac_monitor.services.alerts import AlertService
from tests.factories import World


def run_cli(capsys: pytest.CaptureFixture[str], *args: str, user: str | None = "sw.one") -> tuple[int, str, str]:
    """Run a command as `user` (a synthetic staff member): the OS login running the tests is
    not on any test register, and an unknown login is refused."""
    argv = list(args)
    if user is not None and "--user" not in argv and argv[:1] not in (["db"], ["demo"]):
        argv += ["--user", user]
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_alerts_evaluates_time_rules_then_lists_open_alerts_as_json(
    world: World, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    world.add_child("C000300")
    start = world.clock.now() - timedelta(hours=23)
    world.episodes.report("C000300", "M", start, police_ref="LOG-3", risk="low")
    at_23h = world.clock.now().isoformat()
    code, out, err = run_cli(capsys, "alerts", "--format", "json", "--database", db_url, "--at", at_23h)
    assert code == 0, err
    rows = json.loads(out)
    assert "missing_24h" not in {r["rule"] for r in rows}
    assert {"reported", "profile_missing"} <= {r["rule"] for r in rows}
    first = rows[0]
    for key in (
        "id",
        "rule",
        "child_id",
        "episode_id",
        "raised_at",
        "audiences",
        "acknowledged",
        "severity",
        "message",
    ):
        assert key in first
    assert first["acknowledged"] is False and isinstance(first["audiences"], list)

    at_24h = (start + timedelta(hours=24)).isoformat()
    code, out, err = run_cli(capsys, "alerts", "--format", "json", "--database", db_url, "--at", at_24h)
    assert code == 0, err
    escalation = next(r for r in json.loads(out) if r["rule"] == "missing_24h")
    assert escalation["child_id"] == "C000300" and escalation["audiences"] == ["team_manager"]

    # Running again (another desktop, another scheduled task) raises nothing twice.
    code, out, _ = run_cli(capsys, "alerts", "--format", "json", "--database", db_url, "--at", at_24h)
    assert [r["rule"] for r in json.loads(out)].count("missing_24h") == 1


def test_ack_records_who_and_the_note_and_refuses_a_second_time(
    world: World, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    world.add_child("C000301")
    world.episodes.report("C000301", "A", world.clock.now() - timedelta(hours=1), police_ref="LOG-4")
    raised = AlertService(world.db, world.actor, world.clock).evaluate()
    target = raised[0].id
    code, out, err = run_cli(
        capsys, "alerts", "ack", str(target), "--note", "Called the carer", "--database", db_url, "--user", "tm.one"
    )
    assert code == 0, err
    assert f"alert {target}" in out and "Morgan Managerone" in out

    code, out, _ = run_cli(capsys, "alerts", "--format", "json", "--database", db_url, "--no-evaluate")
    assert target not in {r["id"] for r in json.loads(out)}
    code, out, _ = run_cli(capsys, "alerts", "--all", "--format", "json", "--database", db_url, "--no-evaluate")
    done = next(r for r in json.loads(out) if r["id"] == target)
    assert (done["acknowledged"], done["acknowledged_by"], done["ack_note"]) == (
        True,
        "Morgan Managerone",
        "Called the carer",
    )

    code, _, err = run_cli(capsys, "alerts", "ack", str(target), "--database", db_url, "--user", "sw.one")
    assert code == 2
    assert "already acknowledged by Morgan Managerone" in err


def test_table_lists_rule_keys_and_an_unknown_alert_is_a_plain_error(
    world: World, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    world.add_child("C000302")
    world.episodes.report("C000302", "M", world.clock.now() - timedelta(hours=2))
    an_hour_later = (world.clock.now() + timedelta(hours=1)).isoformat()
    code, out, err = run_cli(capsys, "alerts", "--database", db_url, "--at", an_hour_later)
    assert code == 0, err
    assert out.splitlines()[0].split()[:3] == ["ID", "ALERT", "SEVERITY"]
    assert "No police reference" in out and "C000302" in out
    assert "police_ref_missing" not in out and "allocated_worker" not in out  # words, not keys
    assert "Testa" not in out  # ids, never names
    code, _, err = run_cli(capsys, "alerts", "ack", "9999", "--database", db_url)
    assert code == 2 and "Alert 9999 was not found" in err
