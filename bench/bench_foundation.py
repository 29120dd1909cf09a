"""Foundation benchmark: demo generation and the one-query status board, beside their floors.

    .venv/bin/python bench/bench_foundation.py [--children 10000] [--pg URL] [--no-pg]

Targets (issue #2): `lac-monitor demo --children 10000` with two years of history in under a
minute. The board (every child's status at a time) is one SQL query; its comparison, measured
in the same run, is the naive way: load every child, care episode, missing episode and RHI as
ORM objects and derive each status in Python (CONVENTIONS habit 4).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select
from sqlalchemy.engine import make_url

from lac_monitor.demo import generate
from lac_monitor.domain.localtime import local_date
from lac_monitor.domain.status import StatusFacts, derive_status
from lac_monitor.storage.board import load_board
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import CareEpisode, Child, MissingEpisode, Rhi, RhiEpisode

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def naive_board(db: Database) -> dict[str, str]:
    """Every row as an ORM object, status derived in Python."""
    day = local_date(NOW)
    with db.read_session() as s:
        children = s.scalars(select(Child)).all()
        care = defaultdict(list)
        for ce in s.scalars(select(CareEpisode)):
            care[ce.child_id].append(ce)
        eps = defaultdict(list)
        for ep in s.scalars(select(MissingEpisode)):
            eps[ep.child_id].append(ep)
        rhi_of = {link.episode_id: link.rhi_id for link in s.scalars(select(RhiEpisode))}
        rhis = {r.id: r for r in s.scalars(select(Rhi))}
        out = {}
        for c in children:
            in_care = any(ce.decom <= day and (ce.dec is None or ce.dec > day) for ce in care[c.id])
            started = [e for e in eps[c.id] if e.started_at <= NOW]
            latest = max(started, key=lambda e: e.started_at, default=None)
            rhi = rhis.get(rhi_of.get(latest.id, -1)) if latest else None
            facts = StatusFacts(
                in_care,
                latest.category if latest else None,
                latest.started_at if latest else None,
                latest.returned_at if latest else None,
                rhi.offered_at if rhi else None,
                (rhi.completed_at or rhi.declined_at) if rhi else None,
            )
            out[c.id] = derive_status(facts, NOW).value
        return out


def timed(fn, repeat: int = 5) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


@contextmanager
def scratch_pg(admin_url: str) -> Iterator[str]:
    """A database of its own for the run (dropped after), so the bench never touches another
    run's tables and can run beside the tests."""
    import psycopg

    name = f"lac_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(label: str, url: str, children: int) -> None:
    db = Database.open(url)
    t0 = time.perf_counter()
    summary = generate(db, children=children, seed=7, now=NOW, years=2)
    gen = time.perf_counter() - t0
    print(
        f"[{label}] demo --children {children} (2 years): {gen:6.2f} s   target < 60 s   "
        f"({summary.missing_episodes} missing episodes, {summary.care_episodes} care episodes)"
    )

    def sql() -> dict[str, str]:
        with db.read_session() as s:
            return {r.child_id: r.status.value for r in load_board(s, NOW)}

    t_sql, a = timed(sql)
    t_orm, b = timed(lambda: naive_board(db), repeat=3)
    assert a == b, "the SQL board and the reference derivation disagree"
    print(
        f"[{label}] board of {children} children: one SQL query {t_sql * 1000:7.1f} ms   "
        f"beside ORM objects + Python {t_orm * 1000:7.1f} ms   (same statuses: yes)"
    )
    db.dispose()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--children", type=int, default=10_000)
    p.add_argument(
        "--pg",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="admin URL: the run makes its own database there",
    )
    p.add_argument("--no-pg", action="store_true")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{tmp}/bench.sqlite", args.children)
    if not args.no_pg:
        with scratch_pg(args.pg) as url:
            run("postgresql", url, args.children)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
