"""`lac-monitor changes --since N`: the change feed, for scripts that follow the register."""

from __future__ import annotations

import argparse
import json
import sys

from lac_monitor.cli.common import add_database, int_arg, open_as_person, require
from lac_monitor.domain.access import Permission
from lac_monitor.storage.feed import changes_since


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("changes", help="list committed changes after a sequence number")
    add_database(p)
    p.add_argument("--since", type=int_arg("changes.since"), default=0, help="last sequence number already seen")
    p.add_argument("--limit", type=int_arg("changes.limit"), default=1000)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    db, actor = open_as_person(args)
    require(actor, Permission.READ_REGISTER)
    with db.read_session() as s:
        events = changes_since(s, args.since, args.limit)
    if args.format == "json":
        json.dump(
            [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "kind": e.kind,
                    "entity": e.entity,
                    "entity_id": e.entity_id,
                    "child_id": e.child_id,
                    "user": e.username,
                }
                for e in events
            ],
            sys.stdout,
            indent=1,
        )
        print()
    else:
        for e in events:
            print(f"{e.seq:>8}  {e.at:%Y-%m-%d %H:%M:%S}Z  {e.kind:<24} {e.child_id or '':<10} {e.username}")
    return 0
