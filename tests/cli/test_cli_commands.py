"""Each command a person or a scheduled task types, run through the CLI's `main(argv)`: the
exit code, the line it prints, and whether the database changed."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import func, select

from lac_monitor.domain.localtime import parse_time
from lac_monitor.storage import migrate
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import AuditLog, CareEpisode, Child, MissingEpisode, Staff
from tests.cli.test_cli import run_cli
from tests.factories import World
from tests.services.test_ssda903_import import wipe


@pytest.fixture
def admin(world: World) -> str:
    """An administrator (the seeded world has none): staff and teams are theirs to keep."""
    with world.db.write_session() as s:
        s.add(Staff(id=9, username="admin.one", display_name="Ari Adminone", role="administrator", team_id=None))
        s.commit()
    return "admin.one"


def care_rows(db: Database, child: str) -> list[tuple[date, date | None, str | None]]:
    with db.read_session() as s:
        return [
            (c.decom, c.dec, c.rec)
            for c in s.scalars(select(CareEpisode).where(CareEpisode.child_id == child).order_by(CareEpisode.decom))
        ]


# -- care move | end | reopen ---------------------------------------------------------------------
MOVE_TO_HOME = ("--ls", "C2", "--cin", "N1", "--place", "K2", "--provider", "PR1", "--urn", "SC123456")


def test_care_move_closes_the_placement_and_opens_the_next(world: World, db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    child = world.add_child("C700001", in_care_since=date(2024, 1, 1))
    code, out, err = run_cli(
        capsys, "care", "move", child, "--on", "2025-02-03", "--reason", "CARPL", *MOVE_TO_HOME, "--database", db_url
    )
    assert code == 0, err
    assert f"{child} placement changed on 2025-02-03" in out
    assert care_rows(world.db, child) == [(date(2024, 1, 1), date(2025, 2, 3), "X1"), (date(2025, 2, 3), None, None)]


def test_care_move_without_the_reason_for_a_placement_change_saves_nothing(world: World, db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    child = world.add_child("C700002", in_care_since=date(2024, 1, 1))
    code, _out, err = run_cli(capsys, "care", "move", child, "--on", "2025-02-03", *MOVE_TO_HOME, "--database", db_url)
    assert code == 2
    assert "REASON_PLACE_CHANGE" in err and err.count("\n") == 1
    assert care_rows(world.db, child) == [(date(2024, 1, 1), None, None)]


def test_care_end_then_reopen_undoes_a_mistaken_end(world: World, db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    child = world.add_child("C700003", in_care_since=date(2024, 1, 1))
    code, out, err = run_cli(capsys, "care", "end", child, "--on", "2025-06-30", "--rec", "E4A", "--database", db_url)
    assert code == 0, err
    assert f"{child} left care on 2025-06-30 (E4A)" in out
    assert care_rows(world.db, child) == [(date(2024, 1, 1), date(2025, 6, 30), "E4A")]

    code, _out, err = run_cli(capsys, "care", "end", child, "--on", "2025-07-01", "--rec", "E4A", "--database", db_url)
    assert code == 2 and err.startswith("lac-monitor: ")  # no open episode to end

    code, out, err = run_cli(
        capsys, "care", "reopen", child, "--reason", "ended on the wrong child", "--database", db_url
    )
    assert code == 0, err
    assert "looked after again" in out
    assert care_rows(world.db, child) == [(date(2024, 1, 1), None, None)]
    with world.db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "care.reopen")) == 1


def test_care_reopen_refuses_an_open_episode_and_needs_a_reason(world: World, db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    child = world.add_child("C700004", in_care_since=date(2024, 1, 1))
    code, _out, err = run_cli(capsys, "care", "reopen", child, "--reason", "typo", "--database", db_url)
    assert code == 2 and "only the latest, ended episode can be reopened" in err
    code, _out, err = run_cli(capsys, "care", "reopen", child, "--database", db_url)
    assert code == 2 and "--reason" in err


def test_care_end_with_a_bad_date_is_refused_naming_the_field(world: World, db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    child = world.add_child("C700005", in_care_since=date(2024, 1, 1))
    code, _out, err = run_cli(capsys, "care", "end", child, "--on", "30/06/2025", "--rec", "E4A", "--database", db_url)
    assert code == 2 and "DEC" in err and "YYYY-MM-DD" in err
    assert care_rows(world.db, child) == [(date(2024, 1, 1), None, None)]


# -- staff deactivate, team list, child allocate --------------------------------------------------
def test_staff_deactivate_is_for_administrators_and_stops_the_login(  # type: ignore[no-untyped-def]
    world: World, admin: str, db_url: str, capsys
) -> None:
    code, _out, err = run_cli(capsys, "staff", "deactivate", "sw.two", "--database", db_url)  # as sw.one
    assert code == 2 and "administrator" in err
    code, out, err = run_cli(capsys, "staff", "deactivate", "sw.two", "--database", db_url, user=admin)
    assert code == 0, err
    assert "sw.two deactivated" in out
    with world.db.read_session() as s:
        assert s.scalar(select(Staff.active).where(Staff.username == "sw.two")) is False
    code, _out, err = run_cli(capsys, "board", "--database", db_url, user="sw.two")
    assert code == 2 and "sw.two" in err  # a leaver's login is refused, by name
    code, _out, err = run_cli(capsys, "staff", "deactivate", "no.such", "--database", db_url, user=admin)
    assert code == 2 and "no staff member has the login 'no.such'" in err


def test_team_list_prints_each_team_with_its_id(world: World, db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_cli(capsys, "team", "list", "--database", db_url)
    assert code == 0, err
    lines = [line.split(None, 1) for line in out.splitlines()]
    assert ["1", "Northfield Children in Care"] in lines and ["2", "Southbank Children in Care"] in lines


def test_child_allocate_moves_a_leavers_child_to_another_caseload(world: World, db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    child = world.add_child("C700006", worker_id=1, team_id=1)
    code, out, err = run_cli(capsys, "child", "allocate", child, "--worker", "sw.two", "--database", db_url)
    assert code == 0, err
    assert "allocated to sw.two" in out
    with world.db.read_session() as s:
        c = s.get(Child, child)
        assert c is not None and (c.social_worker_id, c.team_id) == (3, 1)  # the team was kept
    code, _out, err = run_cli(capsys, "child", "allocate", child, "--no-worker", "--team", "2", "--database", db_url)
    assert code == 0, err
    with world.db.read_session() as s:
        c = s.get(Child, child)
        assert c is not None and (c.social_worker_id, c.team_id) == (None, 2)
    code, _out, err = run_cli(capsys, "child", "allocate", child, "--worker", "nobody", "--database", db_url)
    assert code == 2 and "no staff member has the login 'nobody'" in err
    code, _out, err = run_cli(capsys, "child", "allocate", child, "--database", db_url)
    assert code == 2 and "--worker" in err


# -- episode safe-well | amend --------------------------------------------------------------------
def test_safe_and_well_check_is_recorded_after_the_return(world: World, db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    child = world.add_child("C700007")
    ep = world.episodes.report(child, "M", parse_time("2026-11-20T21:00"))
    code, _out, err = run_cli(capsys, "episode", "safe-well", child, "--by", "PC 1234", "--database", db_url)
    assert code == 2 and f"{child} has no return recorded" in err
    world.episodes.record_return(ep.id, ep.version, parse_time("2026-11-21T08:00"))
    code, out, err = run_cli(
        capsys,
        "episode",
        "safe-well",
        child,
        "--by",
        "PC 1234",
        "--at",
        "2026-11-21T10:30",
        "--notes",
        "seen at home",
        "--database",
        db_url,
    )
    assert code == 0, err
    assert "safe and well check recorded (21/11/2026 10:30" in out
    with world.db.read_session() as s:
        me = s.get(MissingEpisode, ep.id)
        assert me is not None
        assert (me.safe_well_by, me.safe_well_notes, me.safe_well_at) == (
            "PC 1234",
            "seen at home",
            parse_time("2026-11-21T10:30"),
        )
    code, _out, err = run_cli(
        capsys, "episode", "safe-well", child, "--by", "PC 1234", "--at", "2026-11-21T07:00", "--database", db_url
    )
    assert code == 2 and "before" in err  # before the return: refused, the recorded check is kept


def test_episode_amend_corrects_a_time_with_its_reason(world: World, db_url: str, capsys) -> None:  # type: ignore[no-untyped-def]
    child = world.add_child("C700008")
    ep = world.episodes.report(child, "M", parse_time("2026-11-20T21:00"))
    world.episodes.record_return(ep.id, ep.version, parse_time("2026-11-21T08:00"))
    code, out, err = run_cli(
        capsys,
        "episode",
        "amend",
        child,
        "--field",
        "returned_at",
        "--to",
        "2026-11-21T07:15",
        "--reason",
        "police log gives 07:15",
        "--database",
        db_url,
    )
    assert code == 0, err
    assert "returned time corrected to 21/11/2026 07:15" in out
    with world.db.read_session() as s:
        me = s.get(MissingEpisode, ep.id)
        assert me is not None and me.returned_at == parse_time("2026-11-21T07:15")
    code, _out, err = run_cli(
        capsys,
        "episode",
        "amend",
        child,
        "--field",
        "returned_at",
        "--to",
        "2026-11-20T20:00",
        "--reason",
        "x",
        "--database",
        db_url,
    )
    assert code == 2  # before the start: refused, and the corrected time stays
    with world.db.read_session() as s:
        me = s.get(MissingEpisode, ep.id)
        assert me is not None and me.returned_at == parse_time("2026-11-21T07:15")


# -- import | export ssda903 ----------------------------------------------------------------------
def test_export_then_import_ssda903_round_trips_through_the_command_line(  # type: ignore[no-untyped-def]
    world: World, db_url: str, tmp_path: Path, capsys
) -> None:
    child = world.add_child("C700009", in_care_since=date(2025, 6, 1))
    ep = world.episodes.report(child, "M", parse_time("2025-12-01T18:00"))
    world.episodes.record_return(ep.id, ep.version, parse_time("2025-12-02T09:00"))
    out_dir = tmp_path / "y26"
    code, out, err = run_cli(capsys, "export", "ssda903", "--year", "2026", "--out", str(out_dir), "--database", db_url)
    assert code == 0, err
    assert f"wrote 1 children, 1 episodes, 1 missing periods to {out_dir}" in out
    assert child in (out_dir / "header.csv").read_text()

    wipe(world.db)
    paths = ("--header", "header.csv", "--episodes", "episodes.csv", "--missing", "missing.csv")
    argv = [str(out_dir / p) if p.endswith(".csv") else p for p in paths]
    code, out, err = run_cli(capsys, "import", "ssda903", *argv, "--database", db_url)
    assert code == 0, err
    assert "imported 1 new children (0 already on the register: merged), 1 care episodes and 1 missing" in out
    assert care_rows(world.db, child) == [(date(2025, 6, 1), None, None)]


def test_import_ssda903_with_a_bad_row_names_it_and_saves_nothing(  # type: ignore[no-untyped-def]
    world: World, db_url: str, tmp_path: Path, capsys
) -> None:
    (tmp_path / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC700010,1,01/05/2012,WBRI,,,\nC700011,2,31/02/2012,WBRI,,,\n"
    )
    (tmp_path / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "C700010,01/06/2025,S,C2,N1,U4,PR1,,,,,,\n"
    )
    code, out, err = run_cli(
        capsys,
        "import",
        "ssda903",
        "--header",
        str(tmp_path / "header.csv"),
        "--episodes",
        str(tmp_path / "episodes.csv"),
        "--database",
        db_url,
    )
    assert code == 2 and out == ""
    assert "nothing was saved" in err
    assert "header.csv line 3, DOB: '31/02/2012' is not a date as DD/MM/YYYY" in err
    with world.db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Child)) == 0


def test_export_ssda903_refuses_a_year_out_of_range(world: World, db_url: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = run_cli(
        capsys, "export", "ssda903", "--year", "1850", "--out", str(tmp_path), "--database", db_url
    )
    assert code == 2 and "--year" in err
    assert not (tmp_path / "header.csv").exists()


# -- demo -----------------------------------------------------------------------------------------
def test_demo_fills_an_empty_database_once(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    code, out, err = run_cli(capsys, "demo", "--children", "12", "--seed", "3", "--database", url, user=None)
    assert code == 0, err
    assert "12 children" in out
    code, out, err = run_cli(capsys, "demo", "--children", "12", "--if-empty", "--database", url, user=None)
    assert code == 0, err
    assert "already holds 12 children; left as it is" in out
    code, _out, err = run_cli(capsys, "demo", "--children", "0", "--database", url, user=None)
    assert code == 2 and "lac-monitor: " in err


# -- db current | use | set-password --------------------------------------------------------------
@pytest.fixture
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own config folder: `db use` writes the user's config file."""
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.delenv("LAC_MONITOR_DATABASE", raising=False)
    return folder


def test_db_use_saves_the_database_that_db_current_then_reports(  # type: ignore[no-untyped-def]
    user_config: Path, tmp_path: Path, capsys
) -> None:
    target = tmp_path / "chosen.sqlite"
    code, out, err = run_cli(capsys, "db", "upgrade", "--database", str(target), user=None)
    assert code == 0, err
    code, out, err = run_cli(capsys, "db", "use", f"sqlite:///{target}", user=None)
    assert code == 0, err
    assert out.startswith("saved to ") and str(user_config) in out
    code, out, err = run_cli(capsys, "db", "current", user=None)
    assert code == 0, err
    assert "chosen.sqlite" in out and "(from " in out
    head = migrate.head_revision()
    assert f"schema:   {head} (this program: {head})" in out  # upgraded, and told so


def test_db_use_refuses_a_url_with_a_password(user_config: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_cli(capsys, "db", "use", "postgresql://lac_app:secret@dbhost/lac", user=None)
    assert code == 2 and out == ""
    assert "secret" not in err
    assert not any(user_config.rglob("*.ini"))


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this test only (the OS keyring is never touched)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring  # type: ignore[misc]
    keyring.set_keyring(before)


def test_db_set_password_stores_it_in_the_keyring_and_never_prints_it(  # type: ignore[no-untyped-def]
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-Pw\n"))
    code, out, err = run_cli(
        capsys, "db", "set-password", "--password-stdin", "--database", "postgresql://lac_app@dbhost/lac", user=None
    )
    assert code == 0, err
    assert memory_keyring.store == {("lac-monitor", "lac_app@dbhost/lac"): "s3cret-Pw"}
    assert "s3cret" not in out + err
    assert "lac_app@dbhost/lac" in out


def test_db_set_password_is_for_a_postgresql_login(memory_keyring: MemoryKeyring, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = run_cli(
        capsys, "db", "set-password", "--password-stdin", "--database", str(tmp_path / "x.sqlite"), user=None
    )
    assert code == 2 and "postgresql://" in err
    assert memory_keyring.store == {}
