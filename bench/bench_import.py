"""SSDA903 import of large files: peak memory and time, beside floors measured in the same run.

    .venv/bin/python bench/bench_import.py [--children 10000 40000] [--tracemalloc]

Memory is the rise of the process's peak RSS over its size just before the import (each size
in a fresh process); with --tracemalloc, Python's own peak allocation instead (much slower).

Each child has a Header row, two episodes and two missing periods. The import reads the files
twice (check, then save in chunks inside one transaction) and keeps only ids and dates between
the readings. Floors: the peak of just holding every row of the same files in memory (what an
import that checks everything before saving must avoid), and the time to read the files once
with csv.reader.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lac_monitor.domain.clock import FixedClock
from lac_monitor.services import ssda903
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ACTOR = Actor("bench", None, "Bench", "administrator", None)


def write_files(folder: Path, n: int) -> list[Path]:
    paths = [folder / "header.csv", folder / "episodes.csv", folder / "missing.csv"]
    with paths[0].open("w") as h, paths[1].open("w") as e, paths[2].open("w") as m:
        h.write(",".join(ssda903.HEADER_COLS) + "\n")
        e.write(",".join(ssda903.EPISODE_COLS) + "\n")
        m.write(",".join(ssda903.MISSING_COLS) + "\n")
        for i in range(n):
            cid = f"B{i:07d}"
            h.write(f"{cid},M,01/05/2010,WBRI,UN4,,\n")
            e.write(f"{cid},01/01/2024,S,C2,N1,U4,PR1,01/06/2025,X1,CARPL,BD5 0WW,BD7 2RA,SC123456\n")
            e.write(f"{cid},01/06/2025,P,C2,N1,K2,PR4,,,,BD5 0WW,LS6 2AB,SC654321\n")
            m.write(f"{cid},01/05/2010,M,01/02/2025,02/02/2025\n")
            m.write(f"{cid},01/05/2010,A,03/08/2025,04/08/2025\n")
    return paths


def hold_rows(paths: list[Path]) -> int:
    kept = []
    for p in paths:
        with p.open(newline="") as fh:
            r = csv.reader(fh)
            cols = next(r)
            kept.extend(dict(zip(cols, row, strict=True)) for row in r)
    return len(kept)


def rss_now() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


def rss_peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_of(fn: Callable[[], object], traced: bool) -> float:
    """MB: the peak rise over the size now (RSS), or Python's traced peak."""
    if traced:
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak / 1e6
    base = rss_now()
    assert rss_peak() <= base + 4096 * 1024, "run each size in a fresh process"
    fn()
    return (rss_peak() - base) / 1e6


def measure(folder: Path, n: int, what: str, traced: bool) -> tuple[float, float]:
    paths = [folder / "header.csv", folder / "episodes.csv", folder / "missing.csv"]
    if what == "floor":
        t = time.perf_counter()
        for p in paths:
            with p.open(newline="") as fh:
                for _ in csv.reader(fh):
                    pass
        t_read = time.perf_counter() - t
        return peak_of(lambda: hold_rows(paths), traced), t_read
    db = Database.open(f"sqlite:///{folder / 'bench.db'}", upgrade=True)
    got: list[ssda903.ImportSummary] = []
    t = time.perf_counter()
    peak = peak_of(lambda: got.append(ssda903.import_files(db, ACTOR, *paths, clock=FixedClock(NOW))), traced)
    t_import = time.perf_counter() - t
    db.dispose()
    assert got[0].children == n and got[0].care_episodes == 2 * n and got[0].missing_episodes == 2 * n
    return peak, t_import


def in_child(folder: Path, n: int, what: str, traced: bool) -> tuple[float, float]:
    """Each measure in a fresh process: peak RSS only ever grows."""
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); import bench_import as b; "
        f"from pathlib import Path; print(*b.measure(Path({str(folder)!r}), {n}, {what!r}, {traced}))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    peak, secs = out.split()
    return float(peak), float(secs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, nargs="+", default=[10000, 40000])
    ap.add_argument("--tracemalloc", action="store_true", help="Python's traced peak instead of RSS (slow)")
    args = ap.parse_args()
    kind = "traced peak" if args.tracemalloc else "peak RSS rise"
    first: tuple[int, float, float] | None = None
    for n in args.children:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            size = sum(p.stat().st_size for p in write_files(folder, n))
            peak, t_import = in_child(folder, n, "import", args.tracemalloc)
            floor_peak, t_floor = in_child(folder, n, "floor", args.tracemalloc)
        print(
            f"  import {n:6d} children ({size / 1e6:5.1f} MB of CSV): {kind} {peak:6.1f} MB, {t_import:6.1f} s"
            f"   floor: holding the rows {floor_peak:6.1f} MB, reading them once {t_floor:4.2f} s"
        )
        if first is None:
            first = (n, peak, floor_peak)
        else:
            print(
                f"    x{n / first[0]:.0f} children: import x{peak / first[1]:.2f}, "
                f"holding the rows x{floor_peak / first[2]:.2f}"
            )


if __name__ == "__main__":
    main()
