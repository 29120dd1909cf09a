"""Who may do what, checked by the services (plain refusals) on SQLite and PostgreSQL; the
audit chain; the embedded file's permissions; destructive commands that refuse real data."""

from __future__ import annotations

import os
import pwd
import stat
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from lac_monitor.cli import main
from lac_monitor.demo import generate
from lac_monitor.domain import access
from lac_monitor.domain.access import Permission
from lac_monitor.domain.codes import StaffRole
from lac_monitor.domain.errors import AccessRefusedError, LacError, UnknownLoginError
from lac_monitor.domain.ladder import DEFAULT_LADDER
from lac_monitor.services.access import AccessService
from lac_monitor.services.alerts import AlertService
from lac_monitor.services.episodes import EpisodeService
from lac_monitor.services.handover import build_handover, build_profile
from lac_monitor.services.register import RegisterService
from lac_monitor.services.settings import SettingsService
from lac_monitor.services.uow import Actor, os_username, resolve_actor
from lac_monitor.storage import audit_chain
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import AuditLog, Child, Staff
from tests.conftest import NOW
from tests.factories import World

POLICE = Actor("pol.one", 920, "Pat Liaisonone", "police_liaison")
AUDITOR = Actor("ig.one", 921, "Ira Auditone", "auditor")
ADMIN = Actor("admin.one", 922, "Ada Adminone", "administrator")


def _add_partners(db: Database) -> None:
    with db.write_session() as s:
        s.add_all(
            [
                Staff(id=920, username="pol.one", display_name="Pat Liaisonone", role="police_liaison"),
                Staff(id=921, username="ig.one", display_name="Ira Auditone", role="auditor"),
                Staff(id=922, username="admin.one", display_name="Ada Adminone", role="administrator"),
                Staff(id=923, username="gone.one", display_name="Lee Leaverone", role="social_worker", active=False),
            ]
        )
        s.commit()


def test_every_role_has_its_permissions_and_a_group_role() -> None:
    assert set(access.ROLE_PERMISSIONS) == set(StaffRole)
    assert access.group_role("police_liaison") == "lac_police_liaison"
    assert access.roles_with(Permission.CHANGE_SETTINGS) == (StaffRole.ADMINISTRATOR,)
    assert "Only administrators can change" in access.refusal("social_worker", Permission.CHANGE_SETTINGS)


def test_service_actions_check_the_role_before_writing(world: World) -> None:
    db, sw, tm = world.db, world.actor, world.manager
    world.add_child("C1")
    _add_partners(db)
    refused = [
        lambda: RegisterService(db, sw).add_staff("new.one", "New One", "administrator"),
        lambda: RegisterService(db, sw).add_team("Rogue team"),
        lambda: RegisterService(db, sw).set_staff_active(5, False),
        lambda: SettingsService(db, sw).save_ladder(DEFAULT_LADDER),
        lambda: AccessService(db, sw).set_restricted("C1", True, "test"),
        lambda: EpisodeService(db, POLICE).report("C1", "M", NOW),
        lambda: EpisodeService(db, AUDITOR).report("C1", "M", NOW),
        lambda: AccessService(db, POLICE).views("C1"),
        lambda: AccessService(db, sw).verify(),
        lambda: build_handover(db, world.clock, AUDITOR, NOW - timedelta(hours=8), NOW),
        lambda: build_profile(db, world.clock, AUDITOR, "C1"),
        lambda: EpisodeService(db, Actor("j.bloggs")).report("C1", "M", NOW),
    ]
    for attempt in refused:
        with pytest.raises(AccessRefusedError):
            attempt()
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Staff)) == 9  # nothing was written
    AccessService(db, tm).set_restricted("C1", True, "child of a member of staff")
    with db.read_session() as s:
        child = s.get(Child, "C1")
        assert child is not None and child.restricted and child.restricted_by == "Morgan Managerone"
    AccessService(db, ADMIN).set_restricted("C1", False)
    RegisterService(db, ADMIN).add_team("Eastgate")
    EpisodeService(db, POLICE).record_view("C1", "profile")  # the police liaison's reads are audited
    with pytest.raises(AccessRefusedError, match="police liaison sees only"):
        build_profile(db, world.clock, POLICE, "C1")  # at home: not theirs to print
    world.episodes.report("C1", "A", NOW - timedelta(hours=1))
    assert build_profile(db, world.clock, POLICE, "C1").child_id == "C1"


def test_only_recipients_their_managers_and_the_duty_team_acknowledge(world: World) -> None:
    world.add_child("C2")
    world.episodes.report("C2", "M", NOW - timedelta(hours=2))
    raised = AlertService(world.db, world.actor, world.clock).evaluate()
    target = next(a for a in raised if a.rule == "reported")
    other_team_worker = Actor("sw.two", 3, "Robin Workertwo", "social_worker", 2)
    with pytest.raises(AccessRefusedError, match="not addressed to you"):
        AlertService(world.db, other_team_worker, world.clock).acknowledge(target.id)
    edt = Actor("edt.one", 4, "Dana Dutyone", "duty_officer")
    assert AlertService(world.db, edt, world.clock).acknowledge(target.id).acknowledged


def test_unknown_and_deactivated_logins_are_refused(db: Database, world: World) -> None:
    _add_partners(db)
    with pytest.raises(UnknownLoginError, match=r"'j\.bloggs' has no staff record"):
        resolve_actor(db, "j.bloggs")
    with pytest.raises(UnknownLoginError, match="deactivated"):
        resolve_actor(db, "gone.one")
    assert resolve_actor(db, "SW.ONE").username == "sw.one"


def test_the_os_login_comes_from_the_account_record_not_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name in ("USER", "LOGNAME", "USERNAME"):
        monkeypatch.setenv(name, "admin.eze")
    assert os_username() == pwd.getpwuid(os.getuid()).pw_name != "admin.eze"


def test_cli_refuses_an_unknown_or_deactivated_login_with_exit_2(
    db: Database, db_url: str, world: World, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    _add_partners(db)
    monkeypatch.delenv("LAC_MONITOR_ALLOW_ACT_AS", raising=False)
    for login, words in (("j.bloggs", "has no staff record"), ("gone.one", "deactivated")):
        monkeypatch.setattr("lac_monitor.cli.common.os_username", lambda login=login: login)
        for argv in (["board"], ["alerts", "ack", "1"], ["staff", "list"], ["audit", "verify"]):
            code = main([*argv, "--database", db_url])
            err = capsys.readouterr().err
            assert code == 2 and words in err and err.count("\n") == 1, (argv, err)
    # --user as someone on the staff list only; a social worker may not act as an administrator
    monkeypatch.setattr("lac_monitor.cli.common.os_username", lambda: "sw.one")
    code = main(["team", "add", "Rogue", "--database", db_url, "--user", "admin.one"])
    assert code == 2 and "--user" in capsys.readouterr().err
    monkeypatch.setattr("lac_monitor.cli.common.os_username", lambda: "admin.one")
    code = main(["board", "--database", db_url, "--user", "j.bloggs"])
    assert code == 2 and "j.bloggs" in capsys.readouterr().err


def test_police_liaison_board_on_the_command_line_shows_only_who_is_out(
    db: Database, db_url: str, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    _add_partners(db)
    world.add_child("C3")
    world.add_child("C4")
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    world.clock.set(now - timedelta(minutes=1))
    world.episodes.report("C4", "A", now - timedelta(hours=1))
    assert main(["board", "--format", "json", "--database", db_url, "--user", "pol.one"]) == 0
    assert [r["child_id"] for r in json.loads(capsys.readouterr().out)] == ["C4"]
    assert main(["board", "--database", db_url, "--user", "ig.one"]) == 2


def test_first_run_on_an_empty_embedded_database_makes_you_administrator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LAC_MONITOR_ALLOW_ACT_AS", raising=False)
    url = f"sqlite:///{tmp_path / 'desk' / 'lac.sqlite'}"
    assert main(["board", "--database", url]) == 0
    captured = capsys.readouterr()
    me = pwd.getpwuid(os.getuid()).pw_name
    assert f"'{me}' is now its administrator" in captured.err and "0 children" in captured.out
    db = Database.open(url)
    try:
        assert resolve_actor(db, me).role == "administrator"
    finally:
        db.dispose()
    assert main(["board", "--database", url]) == 0
    assert "administrator" not in capsys.readouterr().err  # said once


def test_the_embedded_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "lac.sqlite"
    db = Database.open(f"sqlite:///{path}")
    db.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def _audit_cli(db_url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["audit", "verify", "--database", db_url, "--user", "ig.one"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _owner_tamper(db: Database, statement) -> None:  # type: ignore[no-untyped-def]
    with db.write_engine.begin() as c:
        c.execute(statement)


def test_audit_verify_passes_on_a_demo_council_and_names_the_row_changed_or_removed(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    generate(db, children=40, seed=3, now=NOW, current_username="sw.demo")
    _add_partners(db)
    svc = EpisodeService(db, resolve_actor(db, "sw.demo"))
    with db.read_session() as s:
        some = list(s.scalars(select(Child.id).order_by(Child.id).limit(5)))
    for cid in some:
        svc.record_view(cid)
    code, out = _audit_cli(db_url, capsys)
    assert code == 0 and "audit trail intact: 6 rows" in out
    with db.read_session() as s:
        ids = list(s.scalars(select(AuditLog.id).order_by(AuditLog.id)))
    _owner_tamper(db, update(AuditLog).where(AuditLog.id == ids[2]).values(username="someone.else"))
    code, out = _audit_cli(db_url, capsys)
    assert code == 3 and f"row {ids[2]} was changed" in out
    _owner_tamper(db, update(AuditLog).where(AuditLog.id == ids[2]).values(username="sw.demo"))
    assert _audit_cli(db_url, capsys)[0] == 0
    _owner_tamper(db, delete(AuditLog).where(AuditLog.id == ids[3]))
    code, out = _audit_cli(db_url, capsys)
    assert code == 3 and f"row {ids[4]} does not follow on" in out and f"after row {ids[2]}" in out


def test_the_chain_holds_under_concurrent_writers(db: Database, other_db: Database, world: World) -> None:
    world.add_child("C5")
    errors: list[BaseException] = []

    def views(database: Database) -> None:
        try:
            for _ in range(15):
                EpisodeService(database, world.actor, world.clock).record_view("C5")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=views, args=(d,)) for d in (db, other_db, db)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with db.read_session() as s:
        verdict = audit_chain.verify(s)
    assert verdict.ok and verdict.rows == 46, verdict


def test_demo_replace_refuses_real_records_and_never_removes_audit_rows(db: Database, world: World) -> None:
    world.add_child("C6")
    with db.read_session() as s:
        audits = s.scalar(select(func.count()).select_from(AuditLog))
    with pytest.raises(LacError, match="not a demo council"):
        generate(db, children=20, seed=1, now=NOW, replace=True, current_username="sw.one")
    with db.read_session() as s:
        assert s.get(Child, "C6") is not None
        assert s.scalar(select(func.count()).select_from(AuditLog)) == audits


def test_a_refusal_reads_as_plain_english() -> None:
    text = access.refusal("auditor", Permission.RESTRICT_CHILD)
    assert "heads of service" in text and " and administrators can " in text
    assert text.endswith("you are signed in as an auditor.")
    assert access.refusal("social_worker", Permission.MANAGE_STAFF).endswith("signed in as a social worker.")
