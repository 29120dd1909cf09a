"""Trends and linked children on a large council, beside floors measured in the same run.

    .venv/bin/python bench/bench_patterns.py [--children 10000] [--database URL]

Trends: the query layer for 12 months (what the Trends view waits for) and the PDF built from
it (what `report trends` waits for); floor: one plain SELECT of the same episodes.
Linked children: the record's tab for the 20 children with most episodes (median and worst);
floor: a plain SELECT of that child's own episodes and named values.
Targets (issue 11): trends under 3 s, linked children under 200 ms, at 10,000 children.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from lac_monitor.demo import generate
from lac_monitor.domain.clock import FixedClock
from lac_monitor.reports.trends import render_trends
from lac_monitor.services.patterns import PatternService
from lac_monitor.services.trends import TrendsService
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import MissingEpisode

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
HEAD = Actor("bench.head", None, "Bench Head", "head_of_service", None)


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=10000)
    ap.add_argument("--database", help="a PostgreSQL URL to fill (default: a temporary SQLite file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.open(args.database or f"sqlite:///{Path(tmp) / 'bench.db'}")
        summary, t_gen = timed(lambda: generate(db, children=args.children, seed=7, now=NOW, replace=True))
        print(
            f"{db.dialect}: {summary.children} children, {summary.missing_episodes} missing episodes "
            f"(generated in {t_gen:.1f} s)"
        )
        clock = FixedClock(NOW)
        start, end = date(2025, 12, 1), date(2026, 11, 25)
        trends = TrendsService(db, HEAD, clock)
        trends.trends(start, end)  # warm the caches, as a desktop would be
        data, t_trends = timed(lambda: trends.trends(start, end))
        _, t_pdf = timed(lambda: render_trends(data, "bench", NOW))

        def floor_trends() -> int:
            with db.engine.connect() as c:
                return len(
                    c.execute(
                        text("SELECT * FROM missing_episode WHERE started_at >= :a"),
                        {"a": datetime(2025, 12, 1, tzinfo=UTC)},
                    ).fetchall()
                )

        n_floor, t_floor = timed(floor_trends)
        print(
            f"trends 12 months: {data.episodes} episodes: query layer {t_trends * 1000:.0f} ms, "
            f"+ PDF {t_pdf * 1000:.0f} ms = {(t_trends + t_pdf):.2f} s (target < 3 s); "
            f"floor: plain SELECT of {n_floor} episode rows {t_floor * 1000:.0f} ms"
        )

        with db.read_session() as s:
            busiest = [
                c
                for (c,) in s.execute(
                    select(MissingEpisode.child_id)
                    .group_by(MissingEpisode.child_id)
                    .order_by(func.count().desc(), MissingEpisode.child_id)
                    .limit(20)
                )
            ]
        patterns = PatternService(db, HEAD, clock)
        times, floors, links = [], [], []
        for cid in busiest:
            linked, t = timed(lambda cid=cid: patterns.linked(cid))
            times.append(t)
            links.append(len(linked))

            def floor(cid: str = cid) -> int:
                with db.engine.connect() as c:
                    a = c.execute(text("SELECT * FROM missing_episode WHERE child_id = :c"), {"c": cid}).fetchall()
                    b = c.execute(text("SELECT * FROM pattern_value WHERE child_id = :c"), {"c": cid}).fetchall()
                    return len(a) + len(b)

            floors.append(timed(floor)[1])
        print(
            f"linked children ({len(busiest)} busiest children, {statistics.median(links):.0f} links "
            f"median): median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms "
            f"(target < 200 ms); floor: plain SELECT of the child's rows "
            f"{statistics.median(floors) * 1000:.1f} ms median"
        )
        db.dispose()


if __name__ == "__main__":
    main()
