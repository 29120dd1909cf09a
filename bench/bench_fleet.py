"""Fleet benchmark: N headless desktops (each its own process: the live bridge and the board
model, no window) follow one PostgreSQL server while another process commits changes.

For each N it prints commit -> model updated (p50, p99 over every desktop and change; the
LISTENing desktops and those that had to poll apart), beside the NOTIFY round trip measured
on the machine as it is at that moment; the connections the fleet holds while idle (by
application_name); the server's cost per change (transactions and new sessions from
pg_stat_database, CPU of the desktops' LISTEN backends from /proc when the bench runs on the
server's machine); each desktop's own CPU per change and its RSS. Stamps are CLOCK_MONOTONIC
(`time.monotonic`), taken by the committer as its commit returns and by each desktop once its
model is updated: comparable across processes on one machine. Two warm-up changes are not
counted (a desktop's first change compiles and prepares its reads). On one 2-core machine
the N desktops share the CPU with the server, so at large N the latency measures the
machine as much as the app: read it beside the CPU columns.

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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


WARM_UP = 2  # changes before measuring: a desktop's first change compiles and prepares its reads
MAX_STARTING = 4  # desktops starting at once: 100 Python processes starting together swamp 2 cores


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def desktop(url: str, out: str) -> int:
    """One headless desktop: what the window does on a change (main_window._flush_pending),
    without drawing it. Imports only the bridge, the board model and the storage they need
    (no widgets, no Alembic: the bench made the database, so the schema check is skipped).
    Stops when its stdin closes; writes `seq stamp` lines (CLOCK_MONOTONIC, comparable with
    the committer's on the same machine) and its CPU and RSS to `out`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QSocketNotifier

    from lac_monitor.storage.board import hidden_children, load_board
    from lac_monitor.storage.database import Database
    from lac_monitor.storage.engine import check_reachable, make_engine, retry_while_full
    from lac_monitor.ui.board_model import BoardModel
    from lac_monitor.ui.live import LiveBridge

    app = QCoreApplication([])
    now = datetime.now(UTC)

    def open_desk() -> tuple[Database, BoardModel, LiveBridge]:
        # As the window does (ui/app.py): a full server is waited for, with jittered backoff.
        db = Database(make_engine(url))
        try:
            check_reachable(db.engine)
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
    seen: list[tuple[int, float, float]] = []

    def on_changes(events: list) -> None:  # type: ignore[type-arg]
        ids = {e.child_id for e in events if e.child_id}
        if ids:
            with live.read_session() as s:  # over the LISTEN connection, as the window does
                hidden = hidden_children(s, "social_worker", 1, 1, False)
                fresh = load_board(s, now, child_ids=ids, hidden=hidden)
            model.apply(fresh, ids, now)
        t, cpu = time.monotonic(), time.process_time()
        seen.extend((e.seq, t, cpu) for e in events)

    live.changes_did_arrive.connect(on_changes)
    print(f"READY {type(live._watcher).__name__} {_rss_kb()}", flush=True)

    def stop() -> None:
        stdin.setEnabled(False)
        live.stop()
        Path(out).write_text(f"# {_rss_kb()}\n" + "".join(f"{seq} {t} {cpu}\n" for seq, t, cpu in seen))
        app.quit()

    stdin = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    stdin.activated.connect(stop)  # readable = closed by the bench (or a line): stop
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


def _start(url: str, n: int, tmp: Path) -> tuple[list[subprocess.Popen[str]], list[Path], list[str], float]:
    """Start n desktops, at most MAX_STARTING at a time (as desks are switched on through a
    morning, not in one instant); returns the processes, their output files, each one's
    READY line (or its failure) and the seconds it took."""
    t0 = time.monotonic()
    procs: list[subprocess.Popen[str]] = []
    outs = [tmp / f"d{n}-{i}.txt" for i in range(n)]
    lines: list[str] = []

    def wait_one() -> None:
        p = procs[len(lines)]
        assert p.stdout is not None
        line = p.stdout.readline()
        if not line.startswith("READY"):
            p.wait(timeout=30)
            line = "FAILED " + (p.stderr.read()[-300:] if p.stderr else "")
        lines.append(line.strip())

    for i in range(n):
        while len(procs) - len(lines) >= MAX_STARTING:
            wait_one()
        procs.append(
            subprocess.Popen(
                [sys.executable, __file__, "--desktop", url, str(outs[i])],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        )
    while len(lines) < len(procs):
        wait_one()
    return procs, outs, lines, time.monotonic() - t0


def _stop(procs: list[subprocess.Popen[str]]) -> None:
    for p in procs:
        if p.stdin is not None and not p.stdin.closed:
            p.stdin.close()  # the desktop writes its stamps and quits
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def run_fleet(url: str, admin_url: str, n: int, changes: int, tmp: Path) -> dict[str, Any]:
    import psycopg
    from sqlalchemy import create_engine, select

    from lac_monitor.domain.clock import SystemClock
    from lac_monitor.domain.errors import ServerFullError
    from lac_monitor.services.episodes import EpisodeService
    from lac_monitor.services.uow import Actor
    from lac_monitor.storage.database import Database
    from lac_monitor.storage.schema import MissingEpisode

    dbname = url.rsplit("/", 1)[1]
    # The bench's own connections are opened before the fleet, and held: a full server must
    # not refuse the committer (it is the bench, not a desk).
    admin = psycopg.connect(admin_url, autocommit=True)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), pool_size=1, max_overflow=0)
    with engine.connect():
        pass  # the committer's one connection, now in its pool
    db = Database(engine)
    committed: dict[int, float] = {}
    db.after_commit.append(lambda seqs: committed.update(dict.fromkeys(seqs, time.monotonic())))
    svc = EpisodeService(db, Actor("sw.one", 1, "Sasha Workerone", "social_worker", 1), SystemClock())
    with db.read_session() as s:
        ep_id = s.scalars(select(MissingEpisode.id)).first()
    assert ep_id is not None

    procs, outs, lines, start_s = _start(url, n, tmp)
    try:
        ready = [ln for ln in lines if ln.startswith("READY")]
        failed = [ln for ln in lines if not ln.startswith("READY")]
        polling = {i for i, ln in enumerate(lines) if "FeedPoller" in ln}
        rss_ready = [int(ln.split()[2]) for ln in ready]
        time.sleep(1.0)
        held = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name LIKE 'lac-monitor%%'",
            (dbname,),
        ).fetchone()
        idle_connections = int(held[0]) if held else -1
        rt = notify_round_trip(admin_url, 30)  # the floor, on the machine as it is now
        pids = _backend_pids(admin, dbname)  # the desktops' LISTEN backends (held throughout)
        for i in range(WARM_UP):  # each desktop compiles and prepares its statements on the first
            svc.add_update(ep_id, f"fleet warm-up {i}")
            time.sleep(0.5 if n < 50 else 1.0)
        committed.clear()
        cpu0, stat0 = _cpu(pids), _db_stats(admin, dbname)
        refused = 0
        for i in range(changes):
            try:
                svc.add_update(ep_id, f"fleet note {i}")
            except ServerFullError:  # cannot happen with the held connection; counted if it does
                refused += 1
            time.sleep(0.4 if n < 50 else 0.8)
        time.sleep(2.5 if polling else 1.0)
        cpu1, stat1 = _cpu(pids), _db_stats(admin, dbname)
    finally:
        _stop(procs)  # never leave N desktops behind
    changes -= refused
    lat: dict[bool, list[float]] = {False: [], True: []}
    desk_cpu: list[float] = []
    rss_end: list[int] = []
    for i, out in enumerate(outs):
        if not out.exists():
            continue
        head, *rows = out.read_text().splitlines()
        rss_end.append(int(head.split()[1]))
        cpu_from = cpu_to = None
        for line in rows:
            seq, t, cpu = line.split()
            if int(seq) in committed:
                lat[i in polling].append(float(t) - committed[int(seq)])
                cpu_to = float(cpu)
            elif cpu_to is None:
                cpu_from = float(cpu)  # the end of the warm-up
        if cpu_from is not None and cpu_to is not None:
            desk_cpu.append(cpu_to - cpu_from)
    db.dispose()
    admin.close()
    every = lat[False] + lat[True]
    return {
        "n": n,
        "ready": len(ready),
        "pollers": len(polling),
        "failed": failed,
        "refused": refused,
        "start_s": start_s,
        "idle_connections": idle_connections,
        "listen": _summary(lat[False]),
        "poll": _summary(lat[True]),
        "all": _summary(every),
        "received": len(every),
        "expected": len(ready) * changes,
        "notify": _summary(rt),
        # every transaction and new session on the bench's database, per change (the
        # committer's own write is a few transactions on its held connection)
        "xacts_per_change": (stat1[0] - stat0[0]) / changes,
        "sessions_per_change": (stat1[1] - stat0[1]) / changes,
        "backend_cpu_ms_per_change": (
            sum(cpu1[p] - cpu0[p] for p in cpu0 if p in cpu1) / changes * 1000 if cpu0 else float("nan")
        ),
        # each desktop's own CPU from the end of the warm-up to its last change, per change
        "desk_cpu_ms_per_change": statistics.median(desk_cpu) / changes * 1000 if desk_cpu else float("nan"),
        "rss_mb": (statistics.median(rss_ready) / 1024 if rss_ready else 0, max(rss_end, default=0) / 1024),
    }


def _summary(values: list[float]) -> tuple[float, float]:
    """(p50, p99) in ms."""
    if not values:
        return (float("nan"), float("nan"))
    return (statistics.median(values) * 1000, pct(values, 99) * 1000)


def _backend_pids(admin, dbname: str) -> list[int]:  # type: ignore[no-untyped-def]
    rows = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = 'lac-monitor-listen'", (dbname,)
    ).fetchall()
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
        return desktop(*sys.argv[2:4])
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
        print(
            f"server max_connections {max_conn[0] if max_conn else '?'}; {os.cpu_count()} CPUs; load {os.getloadavg()}"
        )
        print(
            f"{'N':>4} {'ready':>5} {'poll':>4} {'start s':>7} {'idle conns':>10} {'LISTEN p50/p99 ms':>18} "
            f"{'polling p50/p99 ms':>19} {'received':>9} {'NOTIFY p50/p99 ms':>18} {'xacts/chg':>9} "
            f"{'sess/chg':>8} {'srv CPU ms/chg':>14} {'desk CPU ms/chg':>15} {'RSS MB':>11}"
        )
        with tempfile.TemporaryDirectory() as tmp:
            for n in [int(x) for x in args.sizes.split(",")]:
                r = run_fleet(url, args.pg, n, args.changes, Path(tmp))
                lp, pp, nt = r["listen"], r["poll"], r["notify"]
                print(
                    f"{r['n']:>4} {r['ready']:>5} {r['pollers']:>4} {r['start_s']:>7.0f} {r['idle_connections']:>10} "
                    f"{lp[0]:>8.1f} /{lp[1]:>8.1f} {pp[0]:>9.1f} /{pp[1]:>8.1f} {r['received']:>4}/{r['expected']:<4} "
                    f"{nt[0]:>8.2f} /{nt[1]:>8.2f} {r['xacts_per_change']:>9.1f} {r['sessions_per_change']:>8.1f} "
                    f"{r['backend_cpu_ms_per_change']:>14.1f} {r['desk_cpu_ms_per_change']:>15.1f} "
                    f"{r['rss_mb'][0]:>5.0f}/{r['rss_mb'][1]:<5.0f}  load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
                if r["refused"]:
                    print(f"     {r['refused']} change(s) refused: the server was full")
                if r["failed"]:
                    print(f"     {len(r['failed'])} desktop(s) failed to start: {r['failed'][0]!r}")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
