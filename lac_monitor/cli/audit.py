"""`lac-monitor audit verify|views`: for information governance and managers."""

from __future__ import annotations

import argparse
import json
import sys

from lac_monitor.cli.common import add_database, open_as_person
from lac_monitor.domain.localtime import format_local
from lac_monitor.services.access import AccessService


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("audit", help="check the audit trail; who has viewed a child's record")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = asub.add_parser("verify", help="walk the hash chain; exit 3 naming the first row that fails")
    add_database(v)
    v.set_defaults(func=run_verify)
    w = asub.add_parser("views", help="who has viewed or printed a child's record")
    add_database(w)
    w.add_argument("child_id")
    w.add_argument("--format", choices=("table", "json"), default="table")
    w.set_defaults(func=run_views)


def _svc(args: argparse.Namespace) -> AccessService:
    db, actor = open_as_person(args)
    return AccessService(db, actor)


def run_verify(args: argparse.Namespace) -> int:
    verdict = _svc(args).verify()
    if verdict.ok:
        print(f"audit trail intact: {verdict.rows} rows, last hash {verdict.last_hash}")
        return 0
    print(f"lac-monitor: audit trail broken: {verdict.reason} ({verdict.rows} rows before it hold)", file=sys.stderr)
    return 3


def run_views(args: argparse.Namespace) -> int:
    rows = _svc(args).views(args.child_id)
    if args.format == "json":
        json.dump(
            [
                {"at": r.at.isoformat(), "user": r.username, "name": r.name, "what": r.what, "os_login": r.os_login}
                for r in rows
            ],
            sys.stdout,
            indent=1,
        )
        print()
        return 0
    if not rows:
        print(f"nobody has viewed child {args.child_id}'s record")
    for r in rows:
        print(f"{format_local(r.at)}  {r.username:<20} {r.name or '':<28} {r.what}")
    return 0
