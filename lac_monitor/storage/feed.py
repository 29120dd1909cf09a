"""Reading the change feed, and knowing when to read it.

Desktops remember the last sequence they have seen and read everything after it, so a
missed notification (a reconnect, a sleeping laptop) is recovered, never lost.

- PostgreSQL: `PgListener` holds a dedicated autocommit connection that LISTENs; the UI
  watches its socket (`fileno()`) and calls `drain()` when it is readable. The same
  connection also carries the short reads a change causes (the feed, the touched board rows:
  `read_session()`), so a change costs a desktop no new connection. A notification that
  arrives while such a read runs is kept and reported by the next `drain()`.
- SQLite: `SqliteWatcher` holds a dedicated connection and compares `PRAGMA data_version`,
  which changes whenever another connection commits.
Neither uses a thread.
- PostgreSQL with no room left for another LISTEN connection (a big council on a server at
  its default max_connections): `FeedPoller` asks for the feed's latest sequence every few
  seconds over a short connection and holds none in between. `pg_watcher` chooses.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sqlalchemy import Connection, bindparam, create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from lac_monitor.domain.changes import ChangeEvent
from lac_monitor.storage.database import NOTIFY_CHANNEL, Database, Reader
from lac_monitor.storage.schema import ChangeFeed

log = logging.getLogger(__name__)


# Built once, with the sequence and the limit as parameters: every desktop runs this on every
# change, and building a statement afresh costs more Python than running it.
_LATEST = select(func.coalesce(func.max(ChangeFeed.seq), 0))
_SINCE = (
    select(
        ChangeFeed.seq,
        ChangeFeed.at,
        ChangeFeed.kind,
        ChangeFeed.entity,
        ChangeFeed.entity_id,
        ChangeFeed.child_id,
        ChangeFeed.username,
    )
    .where(ChangeFeed.seq > bindparam("after"))
    .order_by(ChangeFeed.seq)
    .limit(bindparam("limit"))
)


def latest_seq(session: Reader) -> int:
    return int(session.scalar(_LATEST) or 0)


def changes_since(session: Reader, seq: int, limit: int = 5000) -> list[ChangeEvent]:
    """The feed rows after `seq` (one indexed read of the primary key), oldest first, typed here
    where the feed is read: readers match on kinds and subjects, never on text."""
    return [ChangeEvent.read(*row) for row in session.execute(_SINCE, {"after": seq, "limit": limit})]


FEED_BATCH = 5000


class FeedReader:
    """Remembers the last sequence seen; `read()` returns what came after it."""

    def __init__(self, db: Database, start_seq: int | None = None) -> None:
        self.db = db
        if start_seq is None:
            with db.read_session() as s:
                start_seq = latest_seq(s)
        self.last_seq = start_seq

    def read(self, session: Callable[[], AbstractContextManager[Reader]] | None = None) -> list[ChangeEvent]:
        """`session`: where to read (the LISTEN connection's `read_session`); default a short
        connection of its own."""
        out: list[ChangeEvent] = []
        with (session or self.db.read_session)() as s:
            while True:
                batch = changes_since(s, self.last_seq, FEED_BATCH)
                if batch:
                    out.extend(batch)
                    self.last_seq = batch[-1].seq
                if len(batch) < FEED_BATCH:  # the end of the feed: one query for a usual change
                    break
        return out


# A read on the LISTEN connection is a few milliseconds (the feed after a sequence, a few
# children's board rows). One that runs this long is cut off (an error, so the desktop goes
# through its reconnect-and-catch-up path) rather than holding up notifications.
LISTEN_READ_TIMEOUT_MS = 10_000


class PgListener:
    """A dedicated LISTEN connection. Raises OSError-like psycopg errors if it drops.

    `read_session()` gives this same connection (autocommit, so each statement is its own
    short transaction and nothing is held open between notifications). Use it
    from the thread that drains the listener only; other threads read over their own
    connection (`Database.read_session`).
    """

    def __init__(self, db: Database) -> None:
        import psycopg

        url = db.engine.url
        params: dict[str, Any] = {
            "host": url.host,
            "port": url.port or 5432,
            "user": url.username,
            "dbname": url.database,
            "connect_timeout": 5,
            "application_name": "lac-monitor-listen",
            # A network path that dies silently (a laptop's VPN, a pulled cable) is noticed in
            # about a minute instead of never: the socket errors and the desktop reconnects.
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
            # The same few statements run here on every change (the feed, the touched board
            # rows): planned once, not per change. The board rows' plan alone is ~2 ms of
            # server CPU, paid by every desktop for every change if planned each time.
            "options": f"-c statement_timeout={LISTEN_READ_TIMEOUT_MS} -c plan_cache_mode=force_generic_plan",
        }
        if url.password:
            params["password"] = url.password
        self.conn = psycopg.connect(autocommit=True, **{k: v for k, v in params.items() if v is not None})
        self.conn.prepare_threshold = 0  # prepared on first use (the default waits for the 5th)
        # psycopg takes the notifications that arrive during a query off the socket itself;
        # count them here so `drain()` still reports them (else a change that lands while a
        # read runs would wait for the next one, or the 30 s safety read).
        self._heard = 0
        self.conn.add_notify_handler(self._on_notify)
        self._engine: Any = None
        self._sa: Any = None
        try:
            self.conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
            # SQLAlchemy over the same connection: StaticPool hands out this one connection,
            # and never resets it (a rollback on an autocommit connection has nothing to do).
            self._engine = create_engine(
                url,
                creator=lambda: self.conn,
                poolclass=StaticPool,
                pool_reset_on_return=None,
                isolation_level="AUTOCOMMIT",
                hide_parameters=True,
            )
            self._sa = self._engine.connect()  # the dialect's first-connect queries, now not on a change
        except Exception:
            self.close()
            raise

    def _on_notify(self, _n: Any) -> None:
        self._heard += 1

    def fileno(self) -> int:
        return int(self.conn.pgconn.socket)

    def drain(self) -> bool:
        """Consume pending input without blocking; True if any notification arrived since the
        last call (including any that came in during a `read_session()` read)."""
        import psycopg

        pg = self.conn.pgconn
        pg.consume_input()  # raises psycopg.OperationalError if the server went away
        while True:
            n = pg.notifies()
            if n is None:
                break
            self._heard += 1
        if pg.status != psycopg.pq.ConnStatus.OK:
            raise psycopg.OperationalError("listen connection lost")
        got = self._heard > 0
        self._heard = 0
        return got

    def read_session(self) -> AbstractContextManager[Connection]:
        """The LISTEN connection itself, for the reads a change causes (no new connection; each
        statement its own autocommit transaction). A bare Connection, not a Session: these
        reads are Core statements, and the ORM's per-statement work would be most of their
        cost on every desktop for every change."""
        return nullcontext(self._sa)

    def close(self) -> None:
        closers: tuple[Callable[[], object], ...] = (
            lambda: self._sa.close() if self._sa is not None else None,
            lambda: self._engine.dispose() if self._engine is not None else None,
            self.conn.close,
        )
        for closing in closers:
            try:
                closing()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass


class SqliteWatcher:
    """A dedicated connection whose `PRAGMA data_version` moves on others' commits."""

    def __init__(self, db: Database) -> None:
        path = make_url(str(db.engine.url)).database or ""
        self.conn = sqlite3.connect(path, timeout=5, isolation_level=None)
        self._version = self._read()

    def _read(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        v = self._read()
        if v != self._version:
            self._version = v
            return True
        return False

    def close(self) -> None:
        self.conn.close()


# Connection slots a desktop leaves free for everyone's short reads and writes: it LISTENs
# only while the server has more than this many slots free, else it polls (FeedPoller).
LISTEN_HEADROOM = 12
POLL_SECONDS = 2.0


def server_free_slots(db: Database) -> int:
    """Client connection slots the server has left (max_connections less the reserved and
    the open ones). Any login may count pg_stat_activity's rows."""
    from sqlalchemy import text

    with db.engine.connect() as c:
        return int(
            c.execute(
                text(
                    "SELECT current_setting('max_connections')::int "
                    "- current_setting('superuser_reserved_connections')::int "
                    "- (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')"
                )
            ).scalar()
            or 0
        )


class FeedPoller:
    """Knows a change happened by polling the feed's latest sequence every POLL_SECONDS over a
    short connection, and holds none in between. `changed()` is called often (by the same
    timer as SqliteWatcher) and asks the server only when the interval has passed. When it
    finds a change it keeps that connection for the reads the change causes
    (`read_session()`: the feed, the touched board rows) until `release()`, so a change
    costs a polling desktop one short connection, not one per read."""

    listening = False

    def __init__(self, db: Database, interval: float = POLL_SECONDS) -> None:
        self.db = db
        self.interval = interval
        self._next = 0.0
        self._held: Connection | None = None
        with db.read_session() as s:
            self._seq = latest_seq(s)

    def changed(self) -> bool:
        now = time.monotonic()
        if now < self._next:
            return False
        self._next = now + self.interval
        self.release()
        conn = self.db.engine.connect()
        try:
            seq = latest_seq(conn)
        except BaseException:
            conn.close()
            raise
        if seq != self._seq:
            self._seq = seq
            self._held = conn  # for this change's reads, until release()
            return True
        conn.close()
        return False

    def read_session(self) -> AbstractContextManager[Reader]:
        """The connection that found the change, while held; else a short one of its own."""
        if self._held is not None:
            return nullcontext(self._held)
        return self.db.read_session()

    def drain(self) -> bool:
        """Nothing is pushed to a poller: a change is found by the next poll."""
        return False

    def release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            try:
                held.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass

    def close(self) -> None:
        self.release()


def _too_many_clients(exc: BaseException) -> bool:
    text_ = str(exc).lower()
    return "too many clients" in text_ or "too many connections" in text_ or "remaining connection slots" in text_


def pg_watcher(db: Database, headroom: int = LISTEN_HEADROOM) -> PgListener | FeedPoller:
    """A LISTEN connection while the server has room for it, else a poller (see README,
    "Sizing the server"): a hundred desktops then still run on a server at its defaults."""
    import psycopg

    if server_free_slots(db) <= headroom:
        log.info("server nearly full: following the change feed by polling every %.0f s", POLL_SECONDS)
        return FeedPoller(db)
    try:
        return PgListener(db)
    except psycopg.OperationalError as exc:
        if _too_many_clients(exc):
            log.info("server full: following the change feed by polling every %.0f s", POLL_SECONDS)
            return FeedPoller(db)
        raise
