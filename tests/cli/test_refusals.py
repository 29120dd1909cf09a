"""Every input a tester threw at the command line: refused with one line and exit 2, no
traceback, no child's data or SQL parameters in the output, and nothing in the database
changed — on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from lac_monitor.cli import main
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Base, MissingEpisode, Staff
from tests.factories import World

SECRET_FIRST, SECRET_LAST, SECRET_DOB = "Zebedee", "Quillfeather", date(2011, 2, 3)


def table_digest(db: Database) -> dict[str, str]:
    """Every row of every table, as one hash per table."""
    out = {}
    with db.engine.connect() as c:
        for t in Base.metadata.sorted_tables:
            rows = c.execute(select(t).order_by(*t.primary_key.columns)).all()
            out[t.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def scene(world: World) -> World:
    """A missing child with a name that must never appear in an error, and one in placement."""
    world.clock.set(datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1))
    world.add_child("C000700", first=SECRET_FIRST, last=SECRET_LAST, dob=SECRET_DOB)
    world.add_child("C000701", first=SECRET_FIRST, last=SECRET_LAST, dob=SECRET_DOB)
    world.episodes.report("C000700", "M", world.clock.now() - timedelta(hours=2), police_ref="REF1")
    with world.db.write_session() as s:  # staff and team commands are administrators' work
        s.add(Staff(id=9, username="adm.one", display_name="Ari Adminone", role="administrator"))
        s.commit()
    return world


def acting_user(argv: list[str]) -> str:
    return "adm.one" if argv[0] in ("staff", "team") else "sw.one"


def assert_refused(code: int, out: str, err: str, field: str | None = None) -> None:
    assert code == 2, (code, out, err)
    assert err.count("\n") == 1 and err.startswith("lac-monitor: "), err
    assert "Traceback" not in err and "[parameters" not in err and "SELECT " not in err
    for secret in (SECRET_FIRST, SECRET_LAST, SECRET_DOB.isoformat(), "INSERT", "UPDATE "):
        assert secret not in err and secret not in out, err
    assert len(err) < 700
    if field is not None:
        assert field in err, err


LONG = "x" * 300
HUGE = "99999999999999999999999"

CASES: list[tuple[str, list[str], str | None]] = [
    # dates at the edges (OverflowError before)
    ("report-year-1", ["episode", "report", "C000701", "--category", "M", "--at", "0001-01-01T00:00+01:00"], "--at"),
    ("return-year-9999", ["episode", "return", "C000700", "--at", "9999-12-31T23:59-05:00"], "--at"),
    ("board-year-1", ["board", "--at", "0001-01-01T00:00+01:00"], "--at"),
    (
        "handover-year-9999",
        [
            "report",
            "handover",
            "--from",
            "9999-12-31T23:59-05:00",
            "--to",
            "9999-12-31T23:59-05:00",
            "--out",
            "{tmp}/h.pdf",
        ],
        "--from",
    ),
    # the clock-change gap, and the hour that happens twice
    (
        "report-dst-gap",
        ["episode", "report", "C000701", "--category", "M", "--at", "2026-03-29T01:30"],
        "did not happen",
    ),
    (
        "report-dst-twice",
        ["episode", "report", "C000701", "--category", "M", "--at", "2025-10-26T01:30"],
        "happened twice",
    ),
    # huge numbers
    ("ack-huge", ["alerts", "ack", HUGE], "alert_id"),
    ("changes-since-huge", ["changes", "--since", HUGE], "--since"),
    ("changes-limit-huge", ["changes", "--limit", HUGE], "--limit"),
    ("changes-limit-negative", ["changes", "--limit", "-1"], "--limit"),
    ("staff-team-huge", ["staff", "add", "new.one", "New One", "--role", "social_worker", "--team", HUGE], "--team"),
    (
        "child-team-huge",
        [
            "child",
            "add",
            "C000799",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--dob",
            "2012-01-01",
            "--sex",
            "F",
            "--ethnicity",
            "WBRI",
            "--team",
            HUGE,
        ],
        "--team",
    ),
    ("handover-team-huge", ["report", "handover", "--team", HUGE, "--out", "{tmp}/h.pdf"], "team"),
    # text longer than its column (PostgreSQL refused with DataError, SQLite stored it)
    ("reported-by-long", ["episode", "report", "C000701", "--category", "M", "--reported-by", LONG], "reported by"),
    ("how-long", ["episode", "return", "C000700", "--how", LONG], "how returned"),
    (
        "email-long",
        ["staff", "add", "new.one", "New One", "--role", "social_worker", "--email", "a" * 250 + "@council.gov.uk"],
        "email",
    ),
    (
        "email-form",
        ["staff", "add", "new.one", "New One", "--role", "social_worker", "--email", "not-an-email"],
        "email",
    ),
    ("phone-long", ["staff", "add", "new.one", "New One", "--role", "social_worker", "--phone", "1" * 60], "phone"),
    ("locality-long", ["team", "add", "New Team", "--locality", LONG], "locality"),
    (
        "child-locality-long",
        [
            "child",
            "add",
            "C000799",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--dob",
            "2012-01-01",
            "--sex",
            "F",
            "--ethnicity",
            "WBRI",
            "--locality",
            LONG,
        ],
        "locality",
    ),
    (
        "postcode-long",
        [
            "care",
            "move",
            "C000701",
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
            "--reason",
            "CARPL",
            "--postcode",
            LONG,
        ],
        "postcode",
    ),
    (
        "urn-long",
        [
            "care",
            "move",
            "C000701",
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
            "--reason",
            "CARPL",
            "--urn",
            LONG,
        ],
        "URN",
    ),
    (
        "carer-phone-long",
        [
            "care",
            "move",
            "C000701",
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
            "--reason",
            "CARPL",
            "--carer-phone",
            "0" * 50,
        ],
        "carer phone",
    ),
    (
        "placement-name-120k",
        [
            "care",
            "move",
            "C000701",
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
            "--reason",
            "CARPL",
            "--placement-name",
            "P" * 120_000,
        ],
        "placement name",
    ),
    ("police-ref-long", ["episode", "update", "C000700", "--police-ref", "R" * 41], "police reference"),
    # duplicates that differ only in spaces or case (IntegrityError before)
    ("staff-duplicate-space", ["staff", "add", " sw.one", "Someone Else", "--role", "social_worker"], None),
    ("team-duplicate-space", ["team", "add", "Northfield Children in Care "], None),
    ("team-duplicate-case", ["team", "add", "northfield children in care"], None),
    (
        "child-id-case",
        [
            "child",
            "add",
            "c000700",
            "--first-name",
            "A",
            "--last-name",
            "B",
            "--dob",
            "2012-01-01",
            "--sex",
            "F",
            "--ethnicity",
            "WBRI",
        ],
        "child id",
    ),
    # blank and control characters
    ("police-ref-blank", ["episode", "report", "C000701", "--category", "M", "--police-ref", "   "], "--police-ref"),
    ("note-nul", ["episode", "update", "C000700", "--note", "before\x00after"], "control characters"),
    # SSDA903 export year and folder
    ("year-0", ["export", "ssda903", "--year", "0", "--out", "{tmp}/x"], "--year"),
    ("year-negative", ["export", "ssda903", "--year", "-5", "--out", "{tmp}/x"], "--year"),
    ("year-10000", ["export", "ssda903", "--year", "10000", "--out", "{tmp}/x"], "--year"),
    ("out-is-a-file", ["export", "ssda903", "--year", "2026", "--out", "{tmp}/afile"], "--out"),
    ("pdf-out-is-a-folder", ["report", "profile", "C000700", "--out", "{tmp}"], "--out"),
    ("pdf-out-no-folder", ["report", "profile", "C000700", "--out", "{tmp}/nowhere/p.pdf"], "--out"),
    # several changes in one update, the last one refused: nothing of the first is saved
    (
        "update-last-part-refused",
        ["episode", "update", "C000700", "--police-ref", "NEWREF2", "--category", "A"],
        "reason",
    ),
]


@pytest.mark.parametrize("name,argv,field", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_in_one_line_and_changes_nothing(
    scene: World,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    argv: list[str],
    field: str | None,
) -> None:
    (tmp_path / "afile").write_text("not a folder")
    before = table_digest(scene.db)
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, *args, "--database", db_url, "--user", acting_user(argv))
    assert_refused(code, out, err, field)
    assert table_digest(scene.db) == before, f"{name} changed the database"


def test_notes_file_of_a_megabyte_is_refused(
    scene: World, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("handover note line\n" * 60_000)
    code, out, err = run(
        capsys,
        "report",
        "handover",
        "--notes-file",
        str(notes),
        "--out",
        str(tmp_path / "h.pdf"),
        "--database",
        db_url,
        "--user",
        "sw.one",
    )
    assert_refused(code, out, err, "notes")
    assert not (tmp_path / "h.pdf").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/etc/passwd",
        "postgresql://@@@:::/",
        "postgresql://lac:secret@db.example/lac",
        "postgresql://lac@db.example:99999/lac",
    ],
)
def test_bad_database_urls_are_refused(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "board", "--database", url)
    assert code == 2 and err.count("\n") == 1, err
    assert "secret" not in err and "Traceback" not in err
    if "secret" in url:
        assert "db set-password" in err and err.startswith("lac-monitor: --database:")


def test_a_password_is_refused_from_every_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lac_monitor.storage import config

    url = "postgresql://lac:hunter2@db.example/lac"
    monkeypatch.setenv(config.ENV_DATABASE, url)
    code, _out, err = run(capsys, "board")
    assert code == 2 and "db set-password" in err and "LAC_MONITOR_DATABASE" in err and "hunter2" not in err
    monkeypatch.delenv(config.ENV_DATABASE)
    ini = tmp_path / "lac-monitor.ini"
    ini.write_text(f"[database]\nurl = {url}\n")
    monkeypatch.setattr(config, "user_config_file", lambda: ini)
    code, _out, err = run(capsys, "board")
    assert code == 2 and "db set-password" in err and str(ini) in err and "hunter2" not in err
    code, _out, err = run(capsys, "db", "use", url)
    assert code == 2 and "db set-password" in err and "hunter2" not in err


def test_several_changes_in_one_update_are_one_transaction(
    scene: World, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with scene.db.read_session() as s:
        ep = s.scalars(select(MissingEpisode).where(MissingEpisode.child_id == "C000700")).one()
    code, out, err = run(
        capsys,
        "episode",
        "update",
        "C000700",
        "--police-ref",
        "NEWREF3",
        "--risk",
        "high",
        "--category",
        "A",
        "--reason",
        "whereabouts known",
        "--note",
        "seen at station",
        "--database",
        db_url,
        "--user",
        "sw.one",
    )
    assert code == 0, err
    with scene.db.read_session() as s:
        after = s.get(MissingEpisode, ep.id)
        assert after is not None
        assert (after.police_ref, after.risk_grade, after.category) == ("NEWREF3", "high", "A")
        assert after.version == ep.version + 1  # one action, one version
        n_feed = s.execute(
            text("SELECT count(*) FROM change_feed WHERE entity = 'missing_episode' AND entity_id = :i"),
            {"i": str(ep.id)},
        ).scalar()
        assert n_feed == 1 + 4  # the report, then one row for each part of the update
    # the same update refused on its LAST part (risk already high) saves none of the others
    before = table_digest(scene.db)
    code, out, err = run(
        capsys,
        "episode",
        "update",
        "C000700",
        "--police-ref",
        "OTHER9",
        "--note",
        "x",
        "--risk",
        "high",
        "--database",
        db_url,
        "--user",
        "sw.one",
    )
    assert_refused(code, out, err, "risk grade")
    assert table_digest(scene.db) == before


def test_a_saved_write_is_reported_saved_when_what_follows_fails(
    scene: World, db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import lac_monitor.cli.episode as episode_cli

    def broken_format(*_a: object, **_k: object) -> str:
        raise RuntimeError(f"{SECRET_FIRST} {SECRET_LAST}")  # a bug after the commit

    monkeypatch.setattr(episode_cli, "format_local", broken_format)
    code, out, err = run(capsys, "episode", "return", "C000700", "--database", db_url, "--user", "sw.one")
    assert code == 0, err
    assert "saved (change" in err and err.count("\n") == 1 and SECRET_FIRST not in err
    with scene.db.read_session() as s:
        assert s.scalars(select(MissingEpisode.returned_at)).one() is not None


def test_a_bug_prints_one_line_without_data_and_logs_no_parameters(
    scene: World,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import lac_monitor.cli.board as board_cli

    def bug(*_a: object, **_k: object) -> None:
        raise KeyError(f"{SECRET_FIRST} {SECRET_LAST} {SECRET_DOB}")

    monkeypatch.setattr(board_cli, "load_board", bug)
    caplog.set_level("INFO")
    code, out, err = run(capsys, "board", "--database", db_url, "--user", "sw.one")
    assert code == 1 and err.count("\n") == 1 and "internal error (KeyError)" in err
    assert SECRET_FIRST not in err + out
    assert SECRET_FIRST not in "\n".join(r.getMessage() for r in caplog.records if r.levelno > 10)


def test_database_errors_never_show_parameters(
    scene: World,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Force the database's own refusal (our rule switched off): still one line, no data."""
    from lac_monitor.domain import fields

    monkeypatch.setitem(fields.FIELDS, "child.first_name", fields.Field("first name", 10_000, required=True))
    caplog.set_level("INFO")
    name = SECRET_FIRST * 20  # too long for the column on PostgreSQL
    code, out, err = run(
        capsys,
        "child",
        "add",
        "C000702",
        "--first-name",
        name,
        "--last-name",
        SECRET_LAST,
        "--dob",
        "2012-01-01",
        "--sex",
        "F",
        "--ethnicity",
        "WBRI",
        "--database",
        db_url,
        "--user",
        "sw.one",
    )
    if scene.db.is_postgresql:
        assert_refused(code, out, err)
    else:
        assert code == 0  # SQLite enforces no lengths: that is why the rule is the app's
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno > 10)
    assert SECRET_FIRST not in logged and SECRET_LAST not in logged


def test_exported_files_and_the_log_are_for_the_owner_only(
    scene: World, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = os.umask(0o022)
    try:
        code, _out, err = run(
            capsys,
            "export",
            "ssda903",
            "--year",
            "2026",
            "--out",
            str(tmp_path / "ret"),
            "--database",
            db_url,
            "--user",
            "sw.one",
        )
        assert code == 0, err
        code, _out, err = run(
            capsys,
            "report",
            "profile",
            "C000700",
            "--out",
            str(tmp_path / "p.pdf"),
            "--database",
            db_url,
            "--user",
            "sw.one",
        )
        assert code == 0, err
        from lac_monitor.logsetup import PrivateRotatingFileHandler

        handler = PrivateRotatingFileHandler(tmp_path / "t.log")
        handler.close()
    finally:
        os.umask(old)
    for f in [*(tmp_path / "ret").iterdir(), tmp_path / "p.pdf", tmp_path / "t.log"]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert stat.S_IMODE((tmp_path / "ret").stat().st_mode) == 0o700


# Columns a person never types (codes chosen from lists, names of the system's own making).
NOT_TYPED = {
    "staff.role",
    "child.sex",
    "child.ethnicity",
    "care_episode.rne",
    "care_episode.ls",
    "care_episode.cin",
    "care_episode.place",
    "care_episode.place_provider",
    "care_episode.rec",
    "care_episode.reason_place_change",
    "risk_flag.flag",
    "risk_flag.set_by",
    "philomena_profile.updated_by",
    "missing_episode.category",
    "missing_episode.risk_grade",
    "missing_episode.updated_by",
    "episode_event.kind",
    "episode_event.recorded_by",
    "episode_event.old_value",
    "episode_event.new_value",
    "rhi.updated_by",
    "audit_log.username",
    "audit_log.action",
    "audit_log.entity",
    "audit_log.entity_id",
    "audit_log.child_id",
    "change_feed.kind",
    "change_feed.entity",
    "change_feed.entity_id",
    "change_feed.child_id",
    "change_feed.username",
    "setting.key",
    "setting.updated_by",
    "audit_log.prev_hash",
    "audit_log.hash",
    "child.restricted_by",
    "alert.rule",
    "alert.unique_key",
    "alert.severity",
    "alert.raised_by",
    "alert.acknowledged_by",
    "alert.child_id",
    "setting.value",
    "audit_log.detail",
    "alert.message",
    "alert.audiences",
    "care_episode.host_la",
    "rhi.outcome_code",  # codes, checked against their lists
    "service_heartbeat.host",
    "service_heartbeat.version",  # the machine's own words
    # issue 11: codes (checked against their lists), who saved it, and values derived from text
    "host_authority_contact.la_code",
    "host_authority_contact.updated_by",
    "episode_notification.party",
    "episode_notification.recorded_by",
    "pattern_value.kind",
    "pattern_value.value",
    "pattern_value.norm",
    "alert.resolved_reason",
    "alert.duty_acknowledged_by",  # the app's own words / the acting login
}


def test_every_typed_column_has_one_rule_that_fits_it() -> None:
    """The app's rules, not the database's, decide: so SQLite and PostgreSQL refuse alike."""
    from sqlalchemy import String

    from lac_monitor.domain.fields import FIELDS

    missing, too_long = [], []
    for t in Base.metadata.sorted_tables:
        for col in t.columns:
            key = f"{t.name}.{col.name}"
            if not isinstance(col.type, String) or key in NOT_TYPED or col.foreign_keys:
                continue
            rule = FIELDS.get(key)
            if rule is None:
                missing.append(key)
            elif col.type.length is not None and rule.max_len > col.type.length:
                too_long.append(key)
    assert not missing, f"add these to domain/fields.py FIELDS (or NOT_TYPED): {missing}"
    assert not too_long, too_long


@pytest.mark.parametrize(
    "where",
    ["FROM alembic_version", "FROM staff", "FROM missing_episode"],
    ids=["running migrations", "resolving the user", "the read before the write"],
)
def test_database_lost_outside_the_write_is_one_line(
    scene: World, db_url: str, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server goes away at each step before the write: exit 2, one line, nothing saved."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def cut(conn: object, cursor: object, statement: str, *args: object) -> None:
        if where in statement:
            dbapi = getattr(getattr(conn, "dialect", None), "dbapi", None)
            raise (dbapi.OperationalError if dbapi else sqlite3.OperationalError)("server closed the connection")

    before = table_digest(scene.db)
    event.listen(Engine, "before_cursor_execute", cut)
    try:
        code, out, err = run(
            capsys,
            "episode",
            "update",
            "C000700",
            "--police-ref",
            "LOST1",
            "--note",
            "x",
            "--database",
            db_url,
            "--user",
            "sw.one",
        )
    finally:
        event.remove(Engine, "before_cursor_execute", cut)
    assert_refused(code, out, err)
    assert "database" in err.lower()
    assert table_digest(scene.db) == before
