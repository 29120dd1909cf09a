"""Fleet benchmark: N headless desktops (each its own process: the live bridge and the board
model, no window) follow one PostgreSQL server while another process commits changes.

For each N it prints commit -> model updated (p50, p99, over every desktop and change), beside
the NOTIFY round trip measured in the same run, the connections the fleet holds while idle,
and the server's cost per change: transactions and new sessions (pg_stat_database) and the
CPU time of the desktops' backends (/proc, when the bench runs on the server's machine).
On one 2-core machine the N client processes compete for the same CPU, so the latency at
large N measures this machine as much as the app.

    .venv/bin/python bench/bench_fleet.py [--sizes 1,20,50,100] [--changes 20]
                                          [--pg postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


STAGGER = 0.1  # seconds between desktop starts


def desktop(url: str, out: str, stop: str) -> int:
    """One headless desktop: what the window does on a change, without drawing it."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QTimer

    from lac_monitor.storage.board import load_board
    from lac_monitor.storage.database import Database
    from lac_monitor.storage.engine import retry_while_full
    from lac_monitor.ui.board_model import BoardModel
    from lac_monitor.ui.live import LiveBridge

    app = QCoreApplication([])
    now = datetime.now(UTC)

    def open_desk() -> tuple[Database, BoardModel, LiveBridge]:
        # As the window does (ui/app.py): a full server is waited for, with jittered backoff.
        db = Database.open(url, upgrade=False)
        try:
            with db.read_session() as s:
                rows = load_board(s, now)
            model = BoardModel(now)
            model.load(rows, now)
            live = LiveBridge(db)
            live.start()
        except BaseException:
            db.dispose()
            raise
        return db, model, live

    db, model, live = retry_while_full(open_desk)
    seen: list[tuple[int, float]] = []

    def on_changes(events: list) -> None:  # type: ignore[type-arg]
        ids = {e.child_id for e in events if e.child_id}
        with live.read_session() as s:  # over the LISTEN connection, as the window does
            fresh = load_board(s, now, child_ids=ids)
        model.apply(fresh, ids, now)
        t = time.time()
        seen.extend((e.seq, t) for e in events)

    live.changes_did_arrive.connect(on_changes)
    print("READY " + type(live._watcher).__name__, flush=True)

    def maybe_stop() -> None:
        if os.path.exists(stop):
            live.stop()
            Path(out).write_text("".join(f"{seq} {t}\n" for seq, t in seen))
            app.quit()

    timer = QTimer()
    timer.timeout.connect(maybe_stop)
    timer.start(100)
    app.exec()
    db.dispose()
    return 0


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def notify_round_trip(admin_url: str, n: int = 50) -> list[float]:
    import psycopg

    listen = psycopg.connect(admin_url, autocommit=True)
    talk = psycopg.connect(admin_url, autocommit=True)
    listen.execute("LISTEN fleet_bench")
    out = []
    gen = listen.notifies(timeout=5)
    for i in range(n):
        t0 = time.perf_counter()
        talk.execute(f"NOTIFY fleet_bench, '{i}'")
        next(gen)
        out.append(time.perf_counter() - t0)
    gen.close()
    listen.close()
    talk.close()
    return out


def run_fleet(url: str, n: int, changes: int, tmp: Path) -> dict[str, float]:
    import psycopg

    from lac_monitor.domain.clock import SystemClock
    from lac_monitor.domain.errors import ServerFullError
    from lac_monitor.services.episodes import EpisodeService
    from lac_monitor.services.uow import Actor
    from lac_monitor.storage.database import Database

    stop = tmp / f"stop-{n}"
    outs = [tmp / f"d{n}-{i}.txt" for i in range(n)]
    procs = []
    for i in range(n):  # staggered, as desks are switched on: 100 at one instant run a server out of slots
        procs.append(
            subprocess.Popen(
                [sys.executable, __file__, "--desktop", url, str(outs[i]), str(stop)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        )
        time.sleep(STAGGER)
    ready = 0
    pollers = 0
    failed = []
    for p in procs:
        assert p.stdout is not None
        line = p.stdout.readline()
        if line.startswith("READY"):
            ready += 1
            pollers += "FeedPoller" in line
        else:
            failed.append(p.stderr.read()[-300:] if p.stderr else "")
    dbname = url.rsplit("/", 1)[1]
    admin = psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres", autocommit=True
    )
    time.sleep(1.0)
    held = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (dbname,)).fetchone()
    idle_connections = int(held[0]) if held else -1
    db = Database.open(url, upgrade=False)
    svc = EpisodeService(db, Actor("sw.one", 1, "Sasha Workerone", "social_worker", 1), SystemClock())
    from sqlalchemy import select

    from lac_monitor.storage.schema import MissingEpisode

    with db.read_session() as s:
        ep_id = s.scalars(select(MissingEpisode.id)).first()
    assert ep_id is not None
    committed: dict[int, float] = {}
    pids = _backend_pids(admin, dbname)  # the desktops' LISTEN backends (held throughout)
    cpu0, stat0 = _cpu(pids), _db_stats(admin, dbname)
    refused = 0
    try:
        for i in range(changes):
            try:
                saved = svc.add_update(ep_id, f"fleet note {i}")
            except ServerFullError:  # the shared server is full this moment: that change is lost
                refused += 1
                continue
            committed[saved.seqs[-1]] = time.time()
            time.sleep(0.4 if n < 50 else 0.8)
        time.sleep(1.5)
        cpu1, stat1 = _cpu(pids), _db_stats(admin, dbname)
    finally:
        stop.write_text("stop")  # never leave N desktops behind
    changes -= refused
    lat = []
    for p, out in zip(procs, outs, strict=True):
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
        if out.exists():
            for line in out.read_text().splitlines():
                seq, t = line.split()
                if int(seq) in committed:
                    lat.append(float(t) - committed[int(seq)])
    db.dispose()
    admin.close()
    expected = ready * changes
    return {
        "n": n,
        "ready": ready,
        "pollers": pollers,
        "failed": len(failed),
        "refused": refused,
        "idle_connections": idle_connections,
        "p50": statistics.median(lat) if lat else float("nan"),
        "p99": pct(lat, 99) if lat else float("nan"),
        "received": len(lat),
        "expected": expected,
        # every transaction and new session on the bench's database, per change (the
        # committer's own write is 1 session + its transactions)
        "xacts_per_change": (stat1[0] - stat0[0]) / changes,
        "sessions_per_change": (stat1[1] - stat0[1]) / changes,
        "backend_cpu_ms_per_change": (
            sum(cpu1[p] - cpu0[p] for p in cpu0 if p in cpu1) / changes * 1000 if cpu0 else float("nan")
        ),
        "first_failure": failed[0] if failed else "",
    }  # type: ignore[dict-item]


def _backend_pids(admin, dbname: str) -> list[int]:  # type: ignore[no-untyped-def]
    rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (dbname,)).fetchall()
    return [int(r[0]) for r in rows]


def _cpu(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of these server processes (/proc, on the server's machine);
    a process that has gone (or cannot be read from here) is left out."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return out


def _db_stats(admin, dbname: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(transactions, sessions started) on this database so far (PostgreSQL 14+)."""
    admin.execute("SELECT pg_stat_clear_snapshot()")
    row = admin.execute(
        "SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database WHERE datname = %s", (dbname,)
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--desktop":
        return desktop(*sys.argv[2:5])
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1,20,50,100")
    ap.add_argument("--changes", type=int, default=20)
    ap.add_argument("--pg", default=os.environ.get("LAC_MONITOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args()
    import psycopg

    from lac_monitor.domain.clock import FixedClock
    from lac_monitor.storage.database import Database
    from tests.factories import make_world

    name = f"lac_fleet_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(args.pg, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    url = args.pg.rsplit("/", 1)[0] + "/" + name
    max_conn = admin.execute("SHOW max_connections").fetchone()
    try:
        db = Database.open(url)
        world = make_world(db, FixedClock(datetime.now(UTC) - timedelta(minutes=5)))
        for i in range(50):
            world.add_child(f"C00{i:05d}")
        world.episodes.report("C0000000", "M", world.clock.now() - timedelta(hours=1))
        db.dispose()
        rt = notify_round_trip(args.pg)
        print(
            f"server max_connections {max_conn[0] if max_conn else '?'}; NOTIFY round trip "
            f"p50 {statistics.median(rt) * 1000:.2f} ms, p99 {pct(rt, 99) * 1000:.2f} ms"
        )
        print(
            f"{'N':>4} {'ready':>5} {'polling':>7} {'idle conns':>10} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'received':>10} {'xacts/chg':>9} {'sessions/chg':>12} {'desk backends CPU ms/chg':>24}"
        )
        with tempfile.TemporaryDirectory() as tmp:
            for n in [int(x) for x in args.sizes.split(",")]:
                r = run_fleet(url, n, args.changes, Path(tmp))
                print(
                    f"{r['n']:>4} {r['ready']:>5} {r['pollers']:>7} {r['idle_connections']:>10} "
                    f"{r['p50'] * 1000:>8.1f} {r['p99'] * 1000:>8.1f} {r['received']:>5}/{r['expected']:<4} "
                    f"{r['xacts_per_change']:>9.1f} {r['sessions_per_change']:>12.1f} "
                    f"{r['backend_cpu_ms_per_change']:>24.1f}",
                    flush=True,
                )
                if r["refused"]:
                    print(f"     {r['refused']} change(s) refused: the server was full")
                if r["failed"]:
                    print(f"     {r['failed']} desktop(s) failed to start: {r['first_failure']!r}")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
