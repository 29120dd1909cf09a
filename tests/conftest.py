"""Fixtures: every storage/service test runs on SQLite and on PostgreSQL.

PostgreSQL tests FAIL (never skip) when the server is unreachable, unless
LAC_MONITOR_SKIP_PG=1 is set explicitly on a developer machine without one.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.isolation import ISOLATED_HOME

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never into the user's real log file (platformdirs' user log folder lives under XDG_STATE_HOME).
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="lac-monitor-test-state-")
# The tests act as synthetic staff (`--user sw.one`) from whatever login runs them.
os.environ.setdefault("LAC_MONITOR_ALLOW_ACT_AS", "1")

from lac_monitor.domain.clock import FixedClock
from lac_monitor.storage.database import Database
from tests.factories import World, make_world

PG_ADMIN_URL = os.environ.get("LAC_MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _pg_admin():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server for this test session."""
    if os.environ.get("LAC_MONITOR_SKIP_PG") == "1":
        if os.environ.get("CI"):
            pytest.fail("LAC_MONITOR_SKIP_PG=1 is not allowed under CI: the PostgreSQL tests must run")
        pytest.skip("LAC_MONITOR_SKIP_PG=1: PostgreSQL tests skipped on purpose")
    try:
        admin = _pg_admin()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(
            f"PostgreSQL server at {PG_ADMIN_URL} is unreachable: {exc}. "
            "Start it (see README) or set LAC_MONITOR_SKIP_PG=1 locally."
        )
    name = f"lac_test_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def pg_migrated(pg_server: str) -> str:
    db = Database.open(pg_server)
    db.dispose()
    return pg_server


def _truncate_pg(url: str) -> None:
    from sqlalchemy import text

    from lac_monitor.storage.schema import Base

    db = Database.open(url, upgrade=False)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as c:
        c.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lac.sqlite'}"
    url: str = request.getfixturevalue("pg_migrated")
    _truncate_pg(url)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.open(db_url)
    yield database
    database.dispose()


@pytest.fixture
def other_db(db_url: str, db: Database) -> Iterator[Database]:
    """A second connection to the same database: another desktop."""
    database = Database.open(db_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def world(db: Database, clock: FixedClock) -> World:
    return make_world(db, clock)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import shutil

    shutil.rmtree(ISOLATED_HOME, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that needs the PostgreSQL server, so `-m "not postgres"` selects the rest."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_pg = callspec is not None and "postgresql" in callspec.params.values()
        if on_pg or "pg_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)
