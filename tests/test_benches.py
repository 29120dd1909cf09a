"""The benchmarks still run (at a toy size): a bench that no longer matches the code it
measures fails here, not on the day someone needs its figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "script, args, last_line",
    [
        ("bench_reports.py", ["--quick"], "raw reportlab"),
        ("bench_board.py", ["--children", "150", "--samples", "3", "--no-pg", "--sqlite", "{tmp}/board.sqlite"], "RSS"),
        ("bench_responsiveness.py", ["--children", "150", "--sqlite", "{tmp}/resp.sqlite"], "worst stall: "),
    ],
)
def test_a_bench_runs_at_a_toy_size(script: str, args: list[str], last_line: str, tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *(a.format(tmp=tmp_path) for a in args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert lines and last_line in lines[-1], run.stdout[-2000:]
