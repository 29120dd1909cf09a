"""Statutory exports on a large council, beside floors measured in the same run.

    .venv/bin/python bench/bench_returns.py [--children 10000]

SSDA903 export (Header, Episodes, Missing for 2025-26), Annex A List 8 (.xlsx) and ssd_missing
(.csv). Floors: reading the same tables with one plain SELECT each, writing the same number of
rows with csv.writer, and writing the same cells with openpyxl's write-only mode.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from lac_monitor.demo import generate
from lac_monitor.services import ssda903, statutory
from lac_monitor.storage.database import Database

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def timed(fn):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=10000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        db = Database.open(f"sqlite:///{out / 'bench.db'}")
        generate(db, children=args.children, seed=7, now=NOW)
        summary, t_export = timed(lambda: ssda903.export(db, 2026, out / "y26"))
        n_annex, t_annex = timed(
            lambda: statutory.export_annex_a(db, date(2025, 11, 26), date(2026, 11, 25), out / "annex.xlsx")
        )
        n_ssd, t_ssd = timed(lambda: statutory.export_ssd_missing(db, out / "ssd.csv"))

        def floor_read() -> int:
            with db.engine.connect() as c:
                return sum(
                    len(c.execute(text(f"SELECT * FROM {t}")).fetchall())
                    for t in ("child", "care_episode", "missing_episode", "rhi", "rhi_episode")
                )

        _, t_read = timed(floor_read)
        rows = summary.children + summary.episodes + summary.missing

        def floor_csv() -> None:
            with (out / "floor.csv").open("w", newline="") as fh:
                w = csv.writer(fh)
                for i in range(rows):
                    w.writerow([f"C{i}", "01/01/2010", "M", "01/04/2025", ""])

        _, t_csv = timed(floor_csv)

        def floor_xlsx() -> None:
            from openpyxl import Workbook

            wb = Workbook(write_only=True)
            ws = wb.create_sheet("x")
            for i in range(n_annex):
                ws.append([f"C{i}"] * len(statutory.LIST8_COLUMNS))
            wb.save(out / "floor.xlsx")

        _, t_xlsx = timed(floor_xlsx)
        db.dispose()
    print(f"{args.children} children (SQLite)")
    print(
        f"  export ssda903 2025-26: {t_export:6.2f} s  ({summary.children} children, {summary.episodes} episodes,"
        f" {summary.missing} missing)   floor: read tables {t_read:.2f} s + write {rows} csv rows {t_csv:.2f} s"
    )
    print(
        f"  export annex-a:         {t_annex:6.2f} s  ({n_annex} rows)   floor: write-only xlsx of the same cells "
        f"{t_xlsx:.2f} s"
    )
    print(f"  export ssd-missing:     {t_ssd:6.2f} s  ({n_ssd} rows)")


if __name__ == "__main__":
    main()
