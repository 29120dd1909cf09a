"""SSDA903 import of large files: peak Python memory (tracemalloc) and time, beside floors
measured in the same run.

    .venv/bin/python bench/bench_import.py [--children 10000 40000]

Each child has a Header row, two episodes and two missing periods. The import reads the files
twice (check, then save in chunks inside one transaction) and keeps only ids and dates between
the readings. Floors: the peak of just holding every row of the same files in memory (what an
import that checks everything before saving must avoid), and the time to read the files once
with csv.reader.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
import tracemalloc
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


def measure(n: int) -> tuple[float, float, float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_files(folder, n)
        size = sum(p.stat().st_size for p in paths)
        tracemalloc.start()
        hold_rows(paths)
        _, floor_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        t = time.perf_counter()
        for p in paths:
            with p.open(newline="") as fh:
                for _ in csv.reader(fh):
                    pass
        t_floor = time.perf_counter() - t
        db = Database.open(f"sqlite:///{folder / 'bench.db'}", upgrade=True)
        tracemalloc.start()
        t = time.perf_counter()
        got = ssda903.import_files(db, ACTOR, *paths, clock=FixedClock(NOW))
        t_import = time.perf_counter() - t
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.dispose()
        assert got.children == n and got.care_episodes == 2 * n and got.missing_episodes == 2 * n
        return peak / 1e6, floor_peak / 1e6, t_import, t_floor, size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, nargs="+", default=[10000, 40000])
    args = ap.parse_args()
    first: tuple[int, float] | None = None
    for n in args.children:
        peak, floor_peak, t_import, t_floor, size = measure(n)
        print(f"  import {n:6d} children ({size / 1e6:5.1f} MB of CSV): peak {peak:6.1f} MB, "
              f"{t_import:6.1f} s (under tracemalloc)   floor: holding the rows {floor_peak:6.1f} MB, "
              f"reading them once {t_floor:4.2f} s")
        if first is None:
            first = (n, peak)
        else:
            print(f"    x{n / first[0]:.0f} children: peak x{peak / first[1]:.2f}")


if __name__ == "__main__":
    main()
