"""Time, configuration, keyring, schema versions, live notification."""

from __future__ import annotations

import select as select_mod
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import keyring.errors
import pytest
from sqlalchemy import text

from lac_monitor.domain.errors import ConfigurationError, DatabaseTooNewError
from lac_monitor.domain.localtime import format_local, parse_time, to_local
from lac_monitor.domain.status import ChildStatus, StatusFacts, derive_status
from lac_monitor.storage import config, credentials, engine
from lac_monitor.storage.board import load_board
from lac_monitor.storage.database import Database
from lac_monitor.storage.feed import FeedReader, PgListener, SqliteWatcher
from lac_monitor.storage.migrate import head_revision
from tests.factories import World

H = timedelta(hours=1)


# -- time -------------------------------------------------------------------------
def test_local_times_are_london_across_clock_changes() -> None:
    assert parse_time("2026-07-01T12:00") == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)  # BST
    assert parse_time("2026-12-01T12:00") == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # GMT
    # 01:30 on 25 Oct 2026 happens twice: a bare local time is refused, saying which offset is which.
    with pytest.raises(ValueError, match=r"happened twice .* \+01:00 for the first time \(BST\) or \+00:00"):
        parse_time("2026-10-25T01:30")
    assert parse_time("2026-10-25T01:30+01:00") == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert parse_time("2026-10-25T01:30+00:00") == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert parse_time("2026-11-25T09:15Z") == datetime(2026, 11, 25, 9, 15, tzinfo=UTC)
    assert format_local(datetime(2026, 7, 1, 11, 0, tzinfo=UTC)) == "01/07/2026 12:00"
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time("yesterday teatime")


def test_episode_spanning_the_autumn_clock_change_lasts_25_hours(world: World) -> None:
    world.clock.set(parse_time("2026-10-26T00:00"))
    child = world.add_child("C000100")
    start, back = parse_time("2026-10-24T23:00"), parse_time("2026-10-25T23:00")
    ep = world.episodes.report(child, "M", start)
    world.episodes.record_return(ep.id, ep.version, back)
    assert back - start == timedelta(hours=25)
    with world.db.read_session() as s:
        (row,) = load_board(s, world.clock.now(), [child])
    assert row.missing_since == start and row.returned_at == back
    assert to_local(row.missing_since).hour == 23


# -- the SQL board agrees with the reference definition ------------------------------
def test_board_status_matches_reference_definition_at_every_time(world: World) -> None:
    now = world.clock.now()
    c1 = world.add_child("C000201")
    e1 = world.episodes.report(c1, "A", now - 100 * H)
    e1 = world.episodes.record_return(e1.id, e1.version, now - 90 * H)
    r1 = world.episodes.offer_rhi([e1.id], now - 20 * H)
    world.episodes.complete_rhi(r1.id, r1.version, "Interviewer", "done", now - 5 * H)
    c2 = world.add_child("C000202")
    world.episodes.report(c2, "M", now - 3 * H)
    c3 = world.add_child("C000203", in_care_since=date(2026, 11, 1))
    e3 = world.episodes.report(c3, "M", now - 50 * H)
    world.episodes.record_return(e3.id, e3.version, now - 30 * H)
    facts = {
        c1: StatusFacts(True, "A", now - 100 * H, now - 90 * H, now - 20 * H, now - 5 * H),
        c2: StatusFacts(True, "M", now - 3 * H, None, None, None),
        c3: StatusFacts(True, "M", now - 50 * H, now - 30 * H, None, None),
    }
    for hours_back in (120, 95, 80, 45, 21, 10, 2, 0, -50, -200):
        at = now - hours_back * H
        with world.db.read_session() as s:
            rows = {r.child_id: r for r in load_board(s, at)}
        for cid, f in facts.items():
            in_care = not (cid == c3 and to_local(at).date() < date(2026, 11, 1))
            started = f.episode_started_at is not None and f.episode_started_at <= at
            seen = replace(f, in_care=in_care) if started else StatusFacts(in_care, None, None, None, None, None)
            expected = derive_status(seen, at)
            assert rows[cid].status is expected, (cid, hours_back)
            assert rows[cid].status_at(at) is expected
    # spot checks a person would recognise
    with world.db.read_session() as s:
        rows = {r.child_id: r.status for r in load_board(s, now)}
    assert rows == {c1: ChildStatus.IN_PLACEMENT, c2: ChildStatus.MISSING, c3: ChildStatus.RETURNED_RHI_DUE}


# -- configuration and secrets --------------------------------------------------------
def test_database_url_resolution_order(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    user_cfg = tmp_path / "user" / "lac-monitor.ini"
    site_cfg = tmp_path / "site" / "lac-monitor.ini"
    monkeypatch.setattr(config, "user_config_file", lambda: user_cfg)
    monkeypatch.setattr(config, "site_config_file", lambda: site_cfg)
    monkeypatch.setattr(config, "default_sqlite_path", lambda: tmp_path / "data" / "default.sqlite")
    monkeypatch.delenv(config.ENV_DATABASE, raising=False)
    assert config.resolve_database_url().url == f"sqlite:///{tmp_path / 'data' / 'default.sqlite'}"
    site_cfg.parent.mkdir()
    site_cfg.write_text("[database]\nurl = postgresql://lac@db.example.invalid/lac\n")
    got = config.resolve_database_url()
    assert (got.url, got.source) == ("postgresql+psycopg://lac@db.example.invalid/lac", str(site_cfg))
    config.write_user_config("sqlite:////tmp/user-choice.sqlite")
    assert config.resolve_database_url().source == str(user_cfg)
    monkeypatch.setenv(config.ENV_DATABASE, "sqlite:////tmp/env.sqlite")
    assert config.resolve_database_url().url == "sqlite:////tmp/env.sqlite"
    assert config.resolve_database_url("/tmp/cli.sqlite").url == "sqlite:////tmp/cli.sqlite"
    with pytest.raises(ConfigurationError, match="keyring"):
        config.write_user_config("postgresql://lac:secret@db/lac")
    assert "secret" not in user_cfg.read_text()


def test_no_keyring_backend_asks_instead_of_crashing(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def no_backend(*_a: object) -> None:
        raise keyring.errors.NoKeyringError("no backend")

    monkeypatch.setattr(credentials.keyring, "get_password", no_backend)
    monkeypatch.setattr(engine, "_asks_for_password", lambda exc: True)  # as a server that wants one
    asked: list[str] = []
    eng = engine.make_engine(
        "postgresql://lac_app@127.0.0.1:1/none", prompt=lambda why: asked.append(why) or "typed-secret"
    )
    assert asked and "No password store" in asked[0]
    assert "127.0.0.1:1" in asked[0] and "lac_app" in asked[0] and "none" in asked[0]  # which server, account
    assert eng.url.password == "typed-secret"
    assert "typed-secret" not in engine.describe(eng)


def test_no_password_is_asked_for_when_the_server_needs_none(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    if os.environ.get("LAC_MONITOR_SKIP_PG") == "1":
        pytest.skip("no PostgreSQL server")

    def no_backend(*_a: object) -> None:
        raise keyring.errors.NoKeyringError("no backend")

    monkeypatch.setattr(credentials.keyring, "get_password", no_backend)
    asked: list[str] = []
    url = os.environ.get("LAC_MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
    eng = engine.make_engine(url, prompt=lambda why: asked.append(why) or "typed-secret")
    try:
        assert asked == [] and eng.url.password is None  # trust auth: straight in
    finally:
        eng.dispose()


def test_password_comes_from_keyring(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = {("lac-monitor", "lac_app@dbhost/lac"): "from-keyring"}
    monkeypatch.setattr(credentials.keyring, "get_password", lambda svc, acct: store.get((svc, acct)))
    eng = engine.make_engine("postgresql://lac_app@dbhost/lac")
    assert eng.url.password == "from-keyring"


def test_refuses_a_database_newer_than_itself(db: Database, db_url: str) -> None:
    with db.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseTooNewError, match="newer LAC Monitor"):
        Database.open(db_url)
    with db.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head_revision()})


# -- live notification -----------------------------------------------------------------
def test_notify_reaches_a_listening_desktop(world: World, other_db: Database) -> None:
    child = world.add_child("C000300")
    if not world.db.is_postgresql:
        watcher = SqliteWatcher(other_db)
        assert not watcher.changed()
        world.episodes.report(child, "M", world.clock.now() - H)
        assert watcher.changed()
        assert not watcher.changed()
        watcher.close()
        return
    listener = PgListener(other_db)
    reader = FeedReader(other_db)
    try:
        assert not listener.drain()
        world.episodes.report(child, "M", world.clock.now() - H)
        deadline = time.monotonic() + 5
        got = False
        while not got and time.monotonic() < deadline:
            select_mod.select([listener.fileno()], [], [], 0.5)
            got = listener.drain()
        assert got
        assert [e.kind for e in reader.read()] == ["episode.reported"]
    finally:
        listener.close()


def test_feed_sequence_numbers_are_never_reused(world: World, other_db: Database) -> None:
    """Even if old feed rows are pruned, a desktop that saw N never misses N+1."""
    world.add_child("C000400")
    reader = FeedReader(other_db)
    world.add_child("C000401")
    (seen,) = reader.read()
    with world.db.engine.begin() as c:
        c.execute(text("DELETE FROM change_feed WHERE seq >= :s"), {"s": seen.seq})
    world.add_child("C000402")
    (after,) = reader.read()
    assert after.seq > seen.seq and after.child_id == "C000402"


def test_the_test_suite_never_logs_into_the_users_real_log_folder() -> None:
    import os

    from lac_monitor.storage.config import log_dir

    assert str(log_dir()).startswith(os.environ["XDG_STATE_HOME"])
    assert "lac-monitor-test-state-" in str(log_dir())


def test_a_window_write_waits_seconds_not_a_quarter_minute_for_a_lock(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from lac_monitor.domain.changes import ChangeKind, TeamChanged
    from lac_monitor.domain.clock import FixedClock
    from lac_monitor.domain.errors import DatabaseUnavailableError
    from lac_monitor.services.uow import Actor, UnitOfWork

    path = tmp_path / "lock.sqlite"
    db = Database.open(f"sqlite:///{path}", lock_wait_s=0.3)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another desktop is saving
    try:
        t = time.perf_counter()
        with (
            pytest.raises(DatabaseUnavailableError, match="busy"),
            UnitOfWork(db, Actor("sw.one", None, "Sasha Workerone"), FixedClock(datetime.now(UTC))) as uow,
        ):
            uow.audit("test.write", "test", 1, None)
            uow.changed(ChangeKind.TEAM_ADDED, TeamChanged(1))
            uow.commit()
        assert time.perf_counter() - t < 3
    finally:
        other.execute("ROLLBACK")
        other.close()
        db.dispose()
