"""Engines for the embedded SQLite file and the shared PostgreSQL server."""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from lac_monitor.domain.errors import DatabaseUnavailableError, ServerFullError
from lac_monitor.storage import credentials
from lac_monitor.storage.config import normalise_url

log = logging.getLogger(__name__)

PasswordPrompt = Callable[[str], str | None]


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def create_private_file(path: Path) -> None:
    """A new embedded database is readable by its owner only: folder 0700, file 0600 (SQLite
    gives its -wal and -shm files the file's mode). On Windows the user's profile folder
    already keeps other users out."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        if os.name != "nt":
            os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)
        if os.name != "nt":
            os.chmod(path, 0o600)


DEFAULT_LOCK_WAIT_S = 15.0  # scripts and services can wait; a window passes less


def _sqlite_engine(url: URL, lock_wait_s: float = DEFAULT_LOCK_WAIT_S) -> Engine:
    if url.database and url.database != ":memory:":
        try:
            create_private_file(Path(url.database))
        except FileExistsError:
            pass  # another process created it a moment ago
    # hide_parameters: an error's text never carries a child's name or date of birth.
    engine = create_engine(url, connect_args={"timeout": lock_wait_s}, hide_parameters=True)
    busy_ms = int(lock_wait_s * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below) so SQLite's locking is predictable.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front (no deadlock on lock upgrade).
        if conn.get_execution_options().get("write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _create_pg(url: URL) -> Engine:
    # NullPool: a connection is opened for each short read or write and closed straight
    # after, so an idle desktop holds only its LISTEN connection (storage/feed.py). A council
    # with a hundred desks then needs ~100 connections, not 300 (see README, "Sizing").
    return create_engine(
        url,
        poolclass=NullPool,
        hide_parameters=True,
        connect_args={"connect_timeout": 5, "application_name": "lac-monitor"},
    )


def _asks_for_password(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "password" in text or "fe_sendauth" in text


def _pg_engine(url: URL, prompt: PasswordPrompt | None) -> Engine:
    if url.password is None and url.username:
        account = credentials.account_for(url.username, url.host, url.database)
        password: str | None = None
        try:
            password = credentials.get_password(account)
        except credentials.KeyringUnavailableError as exc:
            log.warning("keyring unavailable: %s", exc)
            if prompt is not None:
                # Ask only if the server wants a password (trust, Kerberos/SSPI need none),
                # and say for which server and account.
                engine = _create_pg(url)
                try:
                    with engine.connect():
                        return engine
                except OperationalError as failure:
                    if not _asks_for_password(failure):
                        return engine  # unreachable or refused: check_reachable says so
                engine.dispose()
                where = f"{url.host or 'localhost'}" + (f":{url.port}" if url.port else "")
                password = prompt(
                    f"The database server {where} (database {url.database}) asks for the "
                    f"password of the account {url.username}.\n\n{exc}"
                )
        if password:
            url = url.set(password=password)
    return _create_pg(url)


def make_engine(url: str, prompt: PasswordPrompt | None = None, lock_wait_s: float = DEFAULT_LOCK_WAIT_S) -> Engine:
    """`lock_wait_s`: how long an SQLite write waits for another writer's lock before
    "the database is busy" (a window the user is waiting on passes a few seconds)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, lock_wait_s)
    if parsed.get_backend_name() == "postgresql":
        return _pg_engine(parsed, prompt)
    raise DatabaseUnavailableError(
        f"Unsupported database '{parsed.get_backend_name()}': use a sqlite:/// file or a postgresql:// server"
    )


def describe(engine: Engine) -> str:
    """The URL without its password, for logs and messages."""
    return engine.url.render_as_string(hide_password=True)


def check_reachable(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        text = str(exc.orig).lower()
        if _says_full(text):
            raise ServerFullError(_full_message(describe(engine))) from exc
        if is_sqlite(engine):
            raise DatabaseUnavailableError(
                f"The database file {engine.url.database} cannot be opened: check that its folder "
                "exists and that you may write to it."
            ) from exc
        raise DatabaseUnavailableError(
            f"The database at {describe(engine)} cannot be reached. Check the network or "
            f"ask IT whether the server is running. ({exc.orig.__class__.__name__})"
        ) from exc
    except DBAPIError as exc:
        raise DatabaseUnavailableError(
            f"{describe(engine)} is not a database LAC Monitor can open ({exc.orig.__class__.__name__})."
        ) from exc


def _says_full(text: str) -> bool:
    text = text.lower()
    return "too many clients" in text or "too many connections" in text or "remaining connection slots" in text


def _full_message(where: str) -> str:
    return (
        f"The database server at {where} has no free connections (too many clients). Try "
        "again in a minute; if it keeps happening, ask IT to raise max_connections (see README)."
    )


def server_is_full(exc: BaseException) -> bool:
    """The server refused a connection for want of slots (not: down, wrong password)."""
    if isinstance(exc, ServerFullError):
        return True
    if isinstance(exc, OperationalError):  # SQLAlchemy's, around the driver's
        return _says_full(str(exc.orig))
    # psycopg's own (the LISTEN connection is opened without SQLAlchemy)
    return type(exc).__name__ == "OperationalError" and _says_full(str(exc))


T = TypeVar("T")

START_RETRY_S = 60.0  # how long a desk starting up waits for a free slot before saying so
START_FIRST_WAIT_S = 0.5
START_MAX_WAIT_S = 8.0


def retry_while_full(
    start: Callable[[], T],
    *,
    budget_s: float = START_RETRY_S,
    first_s: float = START_FIRST_WAIT_S,
    cap_s: float = START_MAX_WAIT_S,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
    where: str = "the database server",
) -> T:
    """Run `start` (a desk's opening: connect, check, first reads); while the server refuses
    for want of slots, wait and try again, doubling the wait up to `cap_s`, each wait jittered
    (x0.5-1.5) so a room of desks switched on together does not knock in step. After
    `budget_s` the last refusal is raised as ServerFullError with the plain message."""
    deadline = time.monotonic() + budget_s
    wait = first_s
    attempt = 0
    while True:
        try:
            return start()
        except Exception as exc:
            if not server_is_full(exc):
                raise
            pause = wait * (0.5 + jitter())
            attempt += 1
            if time.monotonic() + pause > deadline:
                if isinstance(exc, ServerFullError):
                    raise
                raise ServerFullError(_full_message(where)) from exc
            log.info("server has no free connections; try %d again in %.1f s", attempt + 1, pause)
            sleep(pause)
            wait = min(cap_s, wait * 2)
