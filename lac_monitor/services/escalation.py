"""The escalation service: raises alerts when no desktop is open, and catches up after a gap.

`lac-monitor service` runs `EscalationService.run()`: it follows the change feed (LISTEN on
PostgreSQL, `PRAGMA data_version` on SQLite) so a report made anywhere is alerted within a
second, and evaluates the ladder on a timer (default every 60 s) so time thresholds fire on
time. Every pass is the desktops' own evaluation (services/alerts.py) with its exactly-once
keys, so any number of services and desktops can run at once (failover needs no leader).

Nothing is lost to downtime: each timed pass writes this instance's `service_heartbeat` row;
a pass reaches back to the last evaluation by any service (if that is further back than the
ladder's look-back, at most `CATCH_UP_MAX`), and thresholds that fell due in the gap — also
of episodes closed since — are raised then, marked "raised late: due at 03:00".

A database outage is logged (exception class only: no SQL, no parameters, no names) and
retried with growing pauses; the process never exits for it.

Database access (for the `lac_service` role's grants):
  reads   setting, child, missing_episode, episode_event, rhi, rhi_episode,
          philomena_profile, staff, alert, change_feed, service_heartbeat, alembic_version
  inserts alert, alert_recipient, audit_log, change_feed (and their id sequences)
  inserts/updates service_heartbeat
  LISTEN  lac_monitor_feed; pg_advisory_xact_lock (feed order); pg_notify
It never updates or deletes anything else and never changes the schema on PostgreSQL.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from lac_monitor import __version__
from lac_monitor.domain.alerts import AlertRow
from lac_monitor.domain.changes import AlertChanged
from lac_monitor.domain.clock import Clock, SystemClock
from lac_monitor.domain.errors import DatabaseUnavailableError
from lac_monitor.services.alerts import AlertService
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database
from lac_monitor.storage.feed import FeedReader, PgListener, SqliteWatcher
from lac_monitor.storage.schema import ServiceHeartbeat

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 60.0  # seconds between timed evaluations
CATCH_UP_MAX = timedelta(days=31)  # a gap longer than this is caught up only this far back
BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
SQLITE_POLL = 0.5  # seconds between `PRAGMA data_version` checks
WAIT_SLICE = 0.5  # the longest a wait goes without looking at the stop flag


def default_name() -> str:
    return socket.gethostname() or "service"


@dataclass(frozen=True, slots=True)
class Heartbeat:
    name: str
    host: str
    pid: int
    version: str
    started_at: datetime
    evaluated_at: datetime | None
    interval_seconds: int
    raised_total: int
    stopped_at: datetime | None

    def age(self, now: datetime) -> timedelta | None:
        return None if self.evaluated_at is None else now - self.evaluated_at


def heartbeats(db: Database) -> list[Heartbeat]:
    """Every service instance that has run against this database, most recent first."""
    with db.read_session() as s:
        rows = s.scalars(select(ServiceHeartbeat)).all()
        out = [
            Heartbeat(
                r.name,
                r.host,
                r.pid,
                r.version,
                r.started_at,
                r.evaluated_at,
                r.interval_seconds,
                r.raised_total,
                r.stopped_at,
            )
            for r in rows
        ]
    return sorted(out, key=lambda h: (h.evaluated_at is None, -(h.evaluated_at.timestamp() if h.evaluated_at else 0)))


def last_evaluation(db: Database) -> datetime | None:
    """When any service last finished a timed evaluation: the start of the current gap."""
    with db.read_session() as s:
        at: datetime | None = s.scalar(select(func.max(ServiceHeartbeat.evaluated_at)))
    return at


def _transient_errors() -> tuple[type[BaseException], ...]:
    """What a database outage looks like from here: retried, never a crash."""
    errors: list[type[BaseException]] = [DatabaseUnavailableError, DBAPIError, sqlite3.Error, OSError]
    try:
        import psycopg

        errors.append(psycopg.Error)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pass
    return tuple(errors)


TRANSIENT = _transient_errors()


def _upsert(db: Database, values: dict[str, Any], update: dict[str, Any]) -> Any:
    if db.is_postgresql:
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return (
            pg_insert(ServiceHeartbeat)
            .values(**values)
            .on_conflict_do_update(index_elements=[ServiceHeartbeat.name], set_=update)
        )
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return (
        sqlite_insert(ServiceHeartbeat)
        .values(**values)
        .on_conflict_do_update(index_elements=[ServiceHeartbeat.name], set_=update)
    )


class EscalationService:
    """One service instance. `run_pass()` is one evaluation (what `service --once` does);
    `run(stop)` follows the feed and the timer until `stop` is set.

    `connect` opens the database (called again after an outage if the first open failed);
    `actor` says who raises the alerts (the service account's login).
    """

    def __init__(
        self,
        connect: Callable[[], Database],
        actor: Callable[[Database], Actor],
        clock: Clock | None = None,
        *,
        name: str | None = None,
        interval: float = DEFAULT_INTERVAL,
        poll: float = SQLITE_POLL,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self._connect = connect
        self._actor_for = actor
        self.clock = clock or SystemClock()
        self.name = name or default_name()
        self.interval = interval
        self.poll = poll
        self.db: Database | None = None
        self.actor: Actor | None = None
        self.started_at = self.clock.now().replace(microsecond=0)
        self.raised_total = 0
        self.passes = 0
        self.outages = 0
        self._backoff = BACKOFF_FIRST

    # -- one pass -----------------------------------------------------------------------
    def _open(self) -> tuple[Database, Actor]:
        if self.db is None:
            self.db = self._connect()
        if self.actor is None:
            self.actor = self._actor_for(self.db)
        return self.db, self.actor

    def catch_up_since(self, db: Database, now: datetime) -> datetime | None:
        last = last_evaluation(db)
        if last is None:
            return None  # never evaluated here: the ladder's look-back is the window
        return max(last, now - CATCH_UP_MAX)

    def run_pass(self, beat: bool = True) -> list[AlertRow]:
        """Evaluate once, reaching back to the last evaluation; then write the heartbeat."""
        db, actor = self._open()
        now = self.clock.now()
        since = self.catch_up_since(db, now)
        raised = AlertService(db, actor, self.clock).evaluate(since=since)
        self.passes += 1
        self.raised_total += len(raised)
        if beat:
            self.beat(evaluated_at=now.replace(microsecond=0))
        return raised

    def beat(self, evaluated_at: datetime | None = None, stopped: bool = False) -> None:
        """Upsert this instance's heartbeat row (its own short transaction; no feed row)."""
        db, _ = self._open()
        now = self.clock.now().replace(microsecond=0)
        values: dict[str, Any] = {
            "name": self.name,
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "version": __version__,
            "started_at": self.started_at,
            "evaluated_at": evaluated_at,
            "interval_seconds": round(self.interval),
            "raised_total": self.raised_total,
            "stopped_at": now if stopped else None,
        }
        update = {k: v for k, v in values.items() if k != "name"}
        if evaluated_at is None:
            update.pop("evaluated_at")  # keep the last evaluation time (the start of any gap)
        with db.write_session() as s:
            s.execute(_upsert(db, values, update))
            s.commit()

    # -- the long run -------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        """Follow the feed and the timer until `stop` is set; outages are waited out."""
        log.info("service %s starting: evaluates every %g s", self.name, self.interval)
        self._backoff = BACKOFF_FIRST
        while not stop.is_set():
            try:
                self._follow(stop)
                break
            except TRANSIENT as exc:
                self.outages += 1
                cause = getattr(exc, "orig", None) or exc.__cause__
                log.warning(
                    "service %s: database unavailable (%s%s); retrying in %g s",
                    self.name,
                    type(exc).__name__,
                    f": {type(cause).__name__}" if cause else "",
                    self._backoff,
                )
                self._drop_connection()
                stop.wait(self._backoff)
                self._backoff = min(self._backoff * 2, BACKOFF_MAX)
        try:
            if self.db is not None:
                self.beat(stopped=True)
        except TRANSIENT:
            log.warning("service %s: could not record the stop (database unavailable)", self.name)
        self._drop_connection()
        log.info("service %s stopped after %d pass(es), %d alert(s) raised", self.name, self.passes, self.raised_total)

    def _drop_connection(self) -> None:
        if self.db is not None:
            try:
                self.db.dispose()
            except Exception:  # noqa: BLE001 - disposing a broken engine
                pass
        self.db = None
        self.actor = None

    def _follow(self, stop: threading.Event) -> None:
        db, _ = self._open()
        watcher: PgListener | SqliteWatcher = PgListener(db) if db.is_postgresql else SqliteWatcher(db)
        try:
            reader = FeedReader(db)
            self.run_pass()  # catch up at once: on start, and after an outage
            log.info("service %s: following the change feed of %s", self.name, db.describe())
            self._backoff = BACKOFF_FIRST  # connected again: the next outage starts short
            next_tick = time.monotonic() + self.interval
            while not stop.is_set():
                woke = self._wait(watcher, stop, next_tick - time.monotonic())
                if stop.is_set():
                    break
                if woke and any(not isinstance(e.subject, AlertChanged) for e in reader.read()):
                    self.run_pass(beat=False)  # a report, a return, a new grade: alert it now
                if time.monotonic() >= next_tick:
                    self.run_pass()
                    next_tick = time.monotonic() + self.interval
        finally:
            watcher.close()

    def _wait(self, watcher: PgListener | SqliteWatcher, stop: threading.Event, timeout: float) -> bool:
        """Until the feed moves (True), the timeout passes or stop is set (False)."""
        import select as select_mod

        end = time.monotonic() + max(0.0, timeout)
        while not stop.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return False
            if isinstance(watcher, PgListener):
                ready, _, _ = select_mod.select([watcher.fileno()], [], [], min(left, WAIT_SLICE))
                if ready and watcher.drain():
                    return True
            else:
                if watcher.changed():
                    return True
                stop.wait(min(left, self.poll))
        return False
