"""`lac-monitor demo`: fill a database with a synthetic council (invented people only)."""

from __future__ import annotations

import argparse

from lac_monitor.cli.common import add_database, int_arg, open_database


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("demo", help="fill the database with synthetic demo data")
    add_database(p)
    p.add_argument("--children", type=int_arg("demo.children"), default=650)
    p.add_argument("--seed", type=int_arg("demo.seed"), default=1)
    p.add_argument("--replace", action="store_true", help="wipe the database first")
    p.add_argument("--if-empty", action="store_true", help="do nothing if the database already holds children")
    p.add_argument("--open", action="store_true", help="open the window afterwards")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lac_monitor.demo import generate

    db = open_database(args)
    if args.if_empty and not args.replace:
        from sqlalchemy import func, select

        from lac_monitor.storage.schema import Child

        with db.read_session() as s:
            existing = s.scalar(select(func.count()).select_from(Child)) or 0
        if existing:
            print(f"{db.describe()} already holds {existing} children; left as it is")
            return 0
    summary = generate(
        db, children=args.children, seed=args.seed, replace=args.replace, current_username=getattr(args, "user", None)
    )
    print(
        f"demo council in {db.describe()}: {summary.children} children, {summary.staff} staff, "
        f"{summary.missing_episodes} missing episodes, {summary.currently_missing} missing and "
        f"{summary.currently_away} away now ({summary.elapsed_seconds:.1f} s)"
    )
    if args.open:
        from lac_monitor.ui.app import run_gui

        return run_gui(str(db.engine.url.render_as_string(hide_password=False)))
    return 0
