"""Shared command-line plumbing: open the database, who is acting, what time it is."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from lac_monitor.domain import access, fields
from lac_monitor.domain.access import SERVICE_GROUP_ROLE, Permission
from lac_monitor.domain.clock import Clock, FixedClock, SystemClock
from lac_monitor.domain.codes import StaffRole
from lac_monitor.domain.errors import (
    AccessRefusedError,
    ConfigurationError,
    UnknownLoginError,
    ValidationError,
)
from lac_monitor.domain.localtime import parse_time
from lac_monitor.services.uow import Actor, first_run_administrator, os_username, resolve_actor
from lac_monitor.storage.config import resolve_database_url
from lac_monitor.storage.database import Database
from lac_monitor.storage.provision import DbLogin, database_login


def add_database(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database", help="SQLAlchemy URL or SQLite file path", default=argparse.SUPPRESS)
    # Act as this staff username instead of the OS login (scripts, tests, service accounts).
    p.add_argument("--user", help=argparse.SUPPRESS, default=argparse.SUPPRESS)


def prompt_password(reason: str) -> str | None:
    if not sys.stdin or not sys.stdin.isatty():
        return None
    print(reason, file=sys.stderr)
    return getpass.getpass("Database password: ") or None


# Change-feed sequence numbers this command has committed: the error boundary (cli.main)
# reports a later failure as "saved, but ..." so that nobody enters the change twice.
COMMITTED: list[int] = []


def _note_commit(seqs: list[int]) -> None:
    COMMITTED.extend(seqs or [0])


def open_database(args: argparse.Namespace, upgrade: bool = True) -> Database:
    resolved = resolve_database_url(getattr(args, "database", None))
    db = Database.open(resolved.url, prompt=prompt_password, upgrade=upgrade)
    db.after_commit.append(_note_commit)
    return db


def int_arg(key: str) -> Callable[[str], int]:
    """An argparse type for a whole number within the range domain/fields.py gives `key`."""

    def parse(text: str) -> int:
        try:
            return fields.parse_int(key, text)
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(exc.rule) from None

    parse.__name__ = "number"
    return parse


def text_arg(text: str) -> str:
    """A text option given on the command line must say something: a blank one is a mistake."""
    if text and not text.strip():
        raise argparse.ArgumentTypeError("is blank: leave the option out instead")
    return text


ACT_AS_ENV = "LAC_MONITOR_ALLOW_ACT_AS"
log = logging.getLogger(__name__)


def privileged_warning(login: DbLogin) -> str:
    what = "a superuser" if login.superuser else "the owner of the tables"
    return (
        f"connected to the database as '{login.name}', {what}: the database's own access "
        "rules do not apply to this connection. People should connect as their own login."
    )


def actor_for(db: Database, args: argparse.Namespace) -> Actor:
    """The acting person's active staff record, or a refusal (exit 2) before anything is shown.

    PostgreSQL, as one's own login: that login is the person. Otherwise (SQLite; IT or a
    scheduled task connected as the owner) the OS login is, from the OS account record;
    `--user` acts as someone else on the staff list only for an administrator or where IT
    allows it, and the audit then records the real OS login as well.
    """
    wanted = getattr(args, "user", None)
    login = database_login(db)
    if login is not None and not login.privileged:
        return resolve_actor(db, wanted)
    if login is not None:
        # A person at a terminal is told; a scheduled task's stderr stays one line per error.
        if sys.stderr is not None and sys.stderr.isatty():
            print(f"lac-monitor: warning: {privileged_warning(login)}", file=sys.stderr)
        log.warning("connected as a superuser or the tables' owner: database access rules do not apply")
    first = first_run_administrator(db)
    if first is not None:
        print(
            f"lac-monitor: first run on an empty database: '{first.username}' is now its administrator", file=sys.stderr
        )
    me_login = os_username()
    if not wanted or wanted.lower() == me_login.lower():
        return resolve_actor(db, me_login)
    try:
        me: Actor | None = resolve_actor(db, me_login)
    except UnknownLoginError:
        me = None
    if os.environ.get(ACT_AS_ENV) != "1" and (me is None or me.role != StaffRole.ADMINISTRATOR):
        raise ConfigurationError(
            f"--user: acting as another staff member needs an administrator login or {ACT_AS_ENV}=1 "
            "(set by IT for a scheduled task's service account)"
        )
    return replace(resolve_actor(db, wanted), os_login=me_login)


def service_actor(db: Database) -> Actor:
    """Who raises the escalation service's alerts. It is not a person, so it has no staff
    record: on PostgreSQL it must connect as a login in the `lac_service` group (or as the
    owner, with a warning); on SQLite it is the OS account that runs it."""
    login = database_login(db)
    if login is not None and not login.privileged:
        if not login.service:
            raise AccessRefusedError(
                f"The login '{login.name}' is not the escalation service's: IT runs the service as a "
                f"login in the {SERVICE_GROUP_ROLE} group (see README, 'The escalation service')."
            )
        return Actor(username=login.name, display_name="Escalation service")
    if login is not None:
        log.warning("escalation service connected as a superuser or the tables' owner")
    return Actor(username=os_username(), display_name="Escalation service")


def open_as_person(args: argparse.Namespace) -> tuple[Database, Actor]:
    """Open the database and refuse an unknown or deactivated login before anything is read."""
    db = open_database(args)
    return db, actor_for(db, args)


def require(actor: Actor, permission: Permission) -> None:
    if not access.may(actor.role, permission):
        raise AccessRefusedError(access.refusal(actor.role, permission))


def time_arg(field: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError as exc:
        raise ValidationError(field, str(exc)) from None


def clock_for(at: str | None) -> Clock:
    when = time_arg("--at", at)
    return FixedClock(when) if when else SystemClock()
