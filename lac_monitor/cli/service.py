"""`lac-monitor service`: the headless escalation service (systemd unit, Windows task).

    lac-monitor service [--interval SECONDS] [--name NAME]   # run until SIGTERM / Ctrl+C
    lac-monitor service --once                                # one pass (a scheduled task)
    lac-monitor service --check [--max-age MINUTES] [--name NAME]
                                                              # 0 if a service evaluated lately

It raises alerts with the same exactly-once keys as the desktops, so two services (two
machines) can run at once. On PostgreSQL it never changes the schema: run
`lac-monitor db upgrade` as the database owner after installing a new version.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import UTC, datetime
from types import FrameType

from lac_monitor.cli.common import add_database, open_database, service_actor, time_arg
from lac_monitor.domain import fields
from lac_monitor.domain.clock import Clock, OffsetClock, SystemClock
from lac_monitor.domain.errors import DatabaseUnavailableError, ValidationError
from lac_monitor.domain.localtime import format_duration, format_local
from lac_monitor.services.escalation import DEFAULT_INTERVAL, EscalationService, heartbeats
from lac_monitor.storage import migrate
from lac_monitor.storage.config import resolve_database_url
from lac_monitor.storage.database import Database

log = logging.getLogger(__name__)

DEFAULT_MAX_AGE = 5.0  # minutes, for --check


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "service",
        help="run the escalation service (alerts fire with no desktop open)",
        description="Follows the change feed and evaluates the escalation ladder on a timer, "
        "raising each alert once however many services and desktops run; after a "
        "gap it raises what fell due meanwhile, marked late.",
    )
    add_database(p)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="evaluate once and exit (for a scheduled task)")
    mode.add_argument(
        "--check", action="store_true", help="exit 0 if a service has evaluated within --max-age minutes, else 2"
    )
    p.add_argument(
        "--interval",
        type=float,
        default=DEFAULT_INTERVAL,
        metavar="SECONDS",
        help=f"seconds between timed evaluations (default {DEFAULT_INTERVAL:g})",
    )
    p.add_argument(
        "--max-age",
        type=float,
        default=DEFAULT_MAX_AGE,
        metavar="MINUTES",
        help=f"for --check: how recent the last evaluation must be (default {DEFAULT_MAX_AGE:g})",
    )
    p.add_argument(
        "--name",
        help="this instance's name in the heartbeat table (default: the host "
        "name); with --check, check only this instance",
    )
    p.add_argument("--at", help=argparse.SUPPRESS)  # run as if the clock started at this time (tests)
    p.set_defaults(func=run)


def _clock(args: argparse.Namespace) -> Clock:
    at = time_arg("--at", args.at)
    return OffsetClock(at) if at else SystemClock()


def connect(args: argparse.Namespace) -> Database:
    """SQLite (the service account owns the file): migrate like any command. PostgreSQL: the
    service role has no DDL rights, so the schema must already be current."""
    url = resolve_database_url(getattr(args, "database", None)).url
    if not url.startswith("postgresql"):
        return open_database(args, upgrade=True)
    return require_current_schema(open_database(args, upgrade=False))


def require_current_schema(db: Database) -> Database:
    current, head = migrate.current_revision(db.engine), migrate.head_revision()
    if current != head:
        db.dispose()
        raise DatabaseUnavailableError(
            f"The database schema is at {current or 'none'} but this program needs {head}: run "
            "`lac-monitor db upgrade` as the database owner, then the service carries on."
        )
    return db


def run(args: argparse.Namespace) -> int:
    if args.interval <= 0:
        raise ValidationError("--interval", "must be a positive number of seconds")
    if args.max_age <= 0:
        raise ValidationError("--max-age", "must be a positive number of minutes")
    if args.name is not None:
        args.name = fields.clean("service_heartbeat.name", args.name)
    if args.check:
        return run_check(args)
    clock = _clock(args)
    service = EscalationService(lambda: connect(args), service_actor, clock, name=args.name, interval=args.interval)
    if args.once:
        raised = service.run_pass()
        late = sum(1 for a in raised if a.late)
        print(f"service {service.name}: {len(raised)} alert(s) raised, {late} late")
        if service.db is not None:
            service.db.dispose()
        return 0
    _log_to_stderr()
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("service %s: signal %d received, stopping", service.name, signum)
        stop.set()

    for name in ("SIGTERM", "SIGINT", "SIGBREAK", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), on_signal)
    service.run(stop)
    return 0


def _log_to_stderr() -> None:
    """Also log to stderr: journald (systemd) and the Windows task history keep it."""
    root = logging.getLogger()
    if not any(isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)


def run_check(args: argparse.Namespace) -> int:
    db = require_current_schema(open_database(args, upgrade=False))  # a check never migrates
    try:
        beats = [h for h in heartbeats(db) if args.name is None or h.name == args.name]
    finally:
        db.dispose()
    now = _clock(args).now() if args.at else datetime.now(UTC)
    max_age = args.max_age * 60
    fresh = False
    for h in beats:
        age = h.age(now)
        ok = age is not None and age.total_seconds() <= max_age and h.stopped_at is None
        fresh = fresh or ok
        when = (
            f"last evaluation {format_local(h.evaluated_at)} ({format_duration(age)} ago)"
            if h.evaluated_at and age is not None
            else "never evaluated"
        )
        state = "OK" if ok else (f"stopped {format_local(h.stopped_at)}" if h.stopped_at else "LATE")
        print(
            f"{h.name} on {h.host} (pid {h.pid}, {h.version}): {when}, every {h.interval_seconds} s, "
            f"{h.raised_total} alert(s) raised since {format_local(h.started_at)} — {state}"
        )
    if fresh:
        return 0
    which = f"service '{args.name}'" if args.name else "escalation service"
    print(
        f"lac-monitor: service: no {which} is running and has evaluated in the last {args.max_age:g} minutes",
        file=sys.stderr,
    )
    return 2
