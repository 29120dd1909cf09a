"""Soak benchmark: the window left open against PostgreSQL while another process makes a
steady trickle of changes. Prints RSS and Python heap (traced allocations) every sample and
the growth per hour after warm-up (target: flat, under 1 MB/hour).

    .venv/bin/python bench/bench_soak.py [--minutes 10] [--warmup 2] [--every 3] [--children 650]
                                         [--pg postgresql://postgres@127.0.0.1:5432/test]

A duty desk runs for weeks: run it for an hour or more before trusting a slope; a few minutes
only shows the warm-up.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def trickle(url: str, every: float) -> int:
    """Another desktop: a note, a risk change, a report or a return every `every` seconds."""
    import random

    from sqlalchemy import select

    from lac_monitor.domain.clock import SystemClock
    from lac_monitor.domain.errors import LacError
    from lac_monitor.services.episodes import EpisodeService
    from lac_monitor.services.uow import resolve_actor
    from lac_monitor.storage.database import Database
    from lac_monitor.storage.schema import Child, MissingEpisode, Staff

    db = Database.open(url, upgrade=False)
    with db.read_session() as s:
        username = s.scalar(select(Staff.username).limit(1)) or "unknown"
        kids = list(s.scalars(select(Child.id).limit(200)))
    svc = EpisodeService(db, resolve_actor(db, username), SystemClock())
    rng = random.Random(7)
    while True:
        child = rng.choice(kids)
        try:
            with db.read_session() as s:
                ep = s.scalars(
                    select(MissingEpisode).where(MissingEpisode.child_id == child, MissingEpisode.returned_at.is_(None))
                ).first()
            if ep is None:
                svc.report(child, rng.choice("MA"), datetime.now(UTC) - timedelta(minutes=1))
            elif rng.random() < 0.3:
                svc.record_return(ep.id, ep.version)
            else:
                svc.update(
                    ep.id,
                    ep.version,
                    note="soak note",
                    risk=rng.choice(["low", "medium", "high"]) if rng.random() < 0.3 else None,
                )
        except LacError:
            pass
        time.sleep(every)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--trickle":
        return trickle(sys.argv[2], float(sys.argv[3]))
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("--every", type=float, default=3.0, help="seconds between changes")
    ap.add_argument("--children", type=int, default=650)
    ap.add_argument("--top", type=int, default=0, help="print the N lines whose allocations grew most")
    ap.add_argument("--pg", default=os.environ.get("LAC_MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args()

    import psycopg
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from lac_monitor.demo import generate
    from lac_monitor.domain.clock import SystemClock
    from lac_monitor.services.uow import resolve_actor
    from lac_monitor.storage.database import Database
    from lac_monitor.ui.main_window import MainWindow
    from lac_monitor.ui.settings_store import SettingsStore

    name = f"lac_soak_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(args.pg, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = args.pg.rsplit("/", 1)[0] + "/" + name
    trick = None
    try:
        db = Database.open(url)
        generate(db, children=args.children, seed=1, replace=True)
        app = QApplication([])
        from sqlalchemy import select

        from lac_monitor.storage.schema import Staff

        with db.read_session() as s:
            username = s.scalar(select(Staff.username).where(Staff.role == "duty_officer").limit(1)) or "unknown"
        settings = SettingsStore(QSettings(str(Path("/tmp") / f"{name}.ini"), QSettings.Format.IniFormat))
        win = MainWindow(db, resolve_actor(db, username), SystemClock(), settings)
        win.show()
        trick = subprocess.Popen([sys.executable, __file__, "--trickle", url, str(args.every)], cwd=ROOT)
        tracemalloc.start(8 if args.top else 1)
        base = None
        start = time.monotonic()
        samples: list[tuple[float, float, float]] = []
        next_sample = start
        print(f"{'min':>6} {'RSS MB':>8} {'heap MB':>8}", flush=True)
        while time.monotonic() - start < args.minutes * 60:
            app.processEvents()
            time.sleep(0.02)
            if time.monotonic() >= next_sample:
                gc.collect()
                heap = tracemalloc.get_traced_memory()[0] / 2**20
                t = (time.monotonic() - start) / 60
                samples.append((t, rss_mb(), heap))
                if base is None and t >= args.warmup and args.top:
                    base = tracemalloc.take_snapshot()
                print(f"{t:>6.1f} {samples[-1][1]:>8.1f} {heap:>8.2f}", flush=True)
                next_sample += 30
        after = [s for s in samples if s[0] >= args.warmup]
        if len(after) >= 2:

            def slope(i: int) -> float:
                xs = [s[0] for s in after]
                ys = [s[i] for s in after]
                mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
                den = sum((x - mx) ** 2 for x in xs) or 1.0
                return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den * 60

            print(
                f"after {args.warmup:g} min warm-up, over {after[-1][0] - after[0][0]:.1f} min: "
                f"RSS {slope(1):+.2f} MB/hour, Python heap {slope(2):+.2f} MB/hour (target < 1 MB/hour)"
            )
        if base is not None:
            for stat in tracemalloc.take_snapshot().compare_to(base, "traceback")[: args.top]:
                print(f"{stat.size_diff / 1024:+8.1f} KiB {stat.count_diff:+6d} blocks")
                for frame in stat.traceback.format()[-6:]:
                    print("    " + frame)
        win.close()
        db.dispose()
    finally:
        if trick is not None:
            trick.kill()
            trick.wait()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
