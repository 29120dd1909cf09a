"""Row-level security cost: the one-query board as a social worker (policies on) beside the
same query as the tables' owner (no policies), in the same run, on the same database.

    .venv/bin/python bench/bench_access.py [--children 10000] [--samples 15]
                                           [--pg postgresql://postgres@127.0.0.1:5432/lac_bench_access_10k]

The database is made once with the demo generator, provisioned (`db provision`) and 1% of
the children restricted; it is reused. Each run makes a uniquely named login role for one
demo social worker and drops it at the end. Target (issue #8): RLS within 1.3x of the owner.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy import func, select, update

from lac_monitor.demo import generate
from lac_monitor.services.access import provision_database
from lac_monitor.storage.board import load_board
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Child, Staff

PG_ADMIN = os.environ.get("LAC_MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
TARGET = 1.3


def ensure(url: str, children: int) -> Database:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    db = Database.open(url)
    with db.read_session() as s:
        have = s.scalar(select(func.count()).select_from(Child)) or 0
    if have != children:
        print(f"generating a demo council of {children} children ...", flush=True)
        generate(db, children=children, seed=8, replace=True, current_username="sw.bench")
    provision_database(db)
    with db.write_engine.begin() as c:
        ids = [r[0] for r in c.execute(select(Child.id).order_by(Child.id))]
        restricted = set(ids[::100])
        c.execute(update(Child).values(restricted=False))
        c.execute(update(Child).where(Child.id.in_(restricted)).values(restricted=True, restricted_reason="bench"))
    with db.engine.connect() as c:  # as autovacuum would have by now on a live server
        c.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return db


def timed(db: Database, now: datetime) -> tuple[float, int]:
    with db.read_session() as s:
        t0 = time.perf_counter()
        rows = load_board(s, now)
        return time.perf_counter() - t0, len(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, default=10_000)
    ap.add_argument("--samples", type=int, default=15)
    ap.add_argument(
        "--role",
        default="social_worker",
        choices=("social_worker", "duty_officer"),
        help="whose login reads the board (the duty officer's policy also reads office hours)",
    )
    ap.add_argument("--pg", default=PG_ADMIN.rsplit("/", 1)[0] + "/lac_bench_access_10k")
    args = ap.parse_args()
    owner = ensure(args.pg, args.children)
    login = f"bench_{args.role}_{uuid.uuid4().hex[:8]}"
    with owner.write_engine.begin() as c:
        sw = c.execute(
            select(Staff.id, Staff.username).where(Staff.role == args.role).order_by(Staff.id).limit(1)
        ).one()
        c.execute(update(Staff).where(Staff.id == sw.id).values(username=login))
        c.exec_driver_sql(f'CREATE ROLE "{login}" LOGIN IN ROLE lac_{args.role}')
    person = Database.open(f"postgresql://{login}@{args.pg.split('@', 1)[1]}", upgrade=False)
    try:
        now = datetime.now(UTC)
        timed(owner, now), timed(person, now)  # warm caches and plans
        own: list[float] = []
        rls: list[float] = []
        n_own = n_rls = 0
        for _ in range(args.samples):  # interleaved, so drift hits both alike
            t, n_own = timed(owner, now)
            own.append(t)
            t, n_rls = timed(person, now)
            rls.append(t)
        m_own, m_rls = statistics.median(own), statistics.median(rls)
        ratio = m_rls / m_own
        print(f"board query, {args.children} children, PostgreSQL, median of {args.samples}:")
        print(f"  as the owner (no policies)     {m_own * 1000:8.1f} ms   {n_own} rows")
        who = "a social worker" if args.role == "social_worker" else "a duty officer"
        print(
            f"  as {who} (RLS on){' ' * (19 - len(who))}{m_rls * 1000:8.1f} ms   {n_rls} rows "
            f"(restricted children of other workers hidden)"
        )
        print(f"  ratio {ratio:.2f}x   target <= {TARGET}x   {'ok' if ratio <= TARGET else 'MISSED'}")
    finally:
        person.dispose()
        with owner.write_engine.begin() as c:
            c.execute(update(Staff).where(Staff.id == sw.id).values(username=sw.username))
        owner.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{login}"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
