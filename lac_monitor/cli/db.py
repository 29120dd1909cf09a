"""`lac-monitor db upgrade|current|use|set-password`: for council IT."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.engine import make_url

from lac_monitor.cli.common import add_database, open_database
from lac_monitor.domain.errors import ConfigurationError
from lac_monitor.storage import credentials, migrate
from lac_monitor.storage.config import normalise_url, resolve_database_url, write_user_config


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("db", help="database administration")
    dsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = dsub.add_parser("upgrade", help="apply database migrations")
    add_database(up)
    up.set_defaults(func=run_upgrade)
    cur = dsub.add_parser("current", help="show which database is used and its schema version")
    add_database(cur)
    cur.set_defaults(func=run_current)
    use = dsub.add_parser("use", help="save a database URL in this user's config file")
    use.add_argument("url")
    use.set_defaults(func=run_use)
    pw = dsub.add_parser("set-password", help="store the PostgreSQL password in the OS keyring")
    add_database(pw)
    pw.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    pw.set_defaults(func=run_set_password)
    pr = dsub.add_parser(
        "provision",
        help="PostgreSQL: group roles, grants, row-level security and "
        "the first administrator (run by IT as the database owner)",
    )
    add_database(pr)
    pr.add_argument(
        "--admin", metavar="LOGIN", help="the first administrator's login (default: the login running this)"
    )
    pr.set_defaults(func=run_provision)


def run_upgrade(args: argparse.Namespace) -> int:
    db = open_database(args, upgrade=True)
    print(f"{db.describe()}: schema at {migrate.current_revision(db.engine)}")
    return 0


def run_current(args: argparse.Namespace) -> int:
    resolved = resolve_database_url(getattr(args, "database", None))
    db = open_database(args, upgrade=False)
    print(f"database: {db.describe()} (from {resolved.source})")
    print(f"schema:   {migrate.current_revision(db.engine) or 'empty'} (this program: {migrate.head_revision()})")
    return 0


def run_use(args: argparse.Namespace) -> int:
    path = write_user_config(args.url)
    print(f"saved to {path}")
    return 0


def run_set_password(args: argparse.Namespace) -> int:
    url = make_url(normalise_url(resolve_database_url(getattr(args, "database", None)).url))
    if url.get_backend_name() != "postgresql" or not url.username:
        raise ConfigurationError("set-password is for a postgresql:// URL that names a user")
    password = (
        sys.stdin.readline().rstrip("\n")
        if args.password_stdin
        else getpass.getpass(f"Password for {url.username}@{url.host}: ")
    )
    account = credentials.account_for(url.username, url.host, url.database)
    credentials.set_password(account, password)
    print(f"password for {account} stored in the keyring (service '{credentials.SERVICE}')")
    return 0


def run_provision(args: argparse.Namespace) -> int:
    from lac_monitor.services.access import provision_database

    db = open_database(args, upgrade=True)
    done = provision_database(db, args.admin)
    made = ", ".join(done.created_roles) if done.created_roles else "none (they already exist on this server)"
    print(f"{db.describe()}: group roles created: {made}; grants and row-level security policies in place")
    if done.admin_created:
        print(f"first administrator: '{done.admin_login}' (add everyone else with lac-monitor staff add)")
    return 0
