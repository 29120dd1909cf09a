"""Lint, types and layer contracts run with the tests, so a break fails CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "tool, args",
    [
        ("ruff", ["check", "lac_monitor", "tests", "bench", "installer"]),
        ("ruff", ["format", "--check", "lac_monitor", "tests", "bench", "installer"]),
        ("mypy", []),
        ("lint-imports", []),
    ],
)
def test_tool_passes(tool: str, args: list[str]) -> None:
    exe = BIN / tool
    result = subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{tool} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
