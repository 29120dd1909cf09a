#!/usr/bin/env python3
"""Build the one-folder bundle and smoke-test the FROZEN program (not the source tree):

    python3 installer/build.py bundle            # dist/LAC Monitor/ for the platform it runs on
    python3 installer/build.py smoke             # run the smoke test on the built bundle
    python3 installer/build.py bundle --smoke    # both: what .ci/run does on Linux

The same steps on Windows (build_windows.ps1 calls this script, then Inno Setup).
Versions come from installer/constraints.txt. Standard library only.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dev  # the installer folder's own helper, beside this file

ROOT = dev.ROOT
DIST = ROOT / "dist" / "LAC Monitor"
WORK = ROOT / "build" / "pyinstaller"
SPEC = ROOT / "installer" / "lac_monitor.spec"
EXE_SUFFIX = ".exe" if os.name == "nt" else ""
CLI = DIST / f"lac-monitor-cli{EXE_SUFFIX}"
GUI = DIST / f"lac-monitor{EXE_SUFFIX}"
STEP_TIMEOUT = 180


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def cmd_bundle() -> int:
    dev.ensure_venv("pdf")
    dev.run(
        dev.PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c", dev.CONSTRAINTS, "pyinstaller"
    )
    started = time.monotonic()
    dev.run(
        dev.PY,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        ROOT / "dist",
        "--workpath",
        WORK,
        SPEC,
    )
    took = time.monotonic() - started
    print(
        f"bundle: {DIST.relative_to(ROOT)} built in {took:.0f} s, "
        f"{folder_size(DIST) / 1e6:.0f} MB in {sum(1 for _ in DIST.rglob('*'))} files",
        flush=True,
    )
    return 0


class Smoke:
    """Each step runs the frozen program in a scratch home, so nothing of the builder's leaks in."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.db = home / "smoke.sqlite"
        self.env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            HOME=str(home),
            USERPROFILE=str(home),
            APPDATA=str(home / "AppData" / "Roaming"),
            LOCALAPPDATA=str(home / "AppData" / "Local"),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            XDG_STATE_HOME=str(home / ".local" / "state"),
            XDG_CACHE_HOME=str(home / ".cache"),
            LAC_MONITOR_LOG_DIR=str(home / "log"),
        )  # Windows ignores XDG: name the log folder
        for key in ("LAC_MONITOR_DATABASE", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
            self.env.pop(key, None)
        self.failures: list[str] = []

    def run(self, what: str, exe: Path, *args: str, env: dict[str, str] | None = None) -> str:
        started = time.monotonic()
        try:
            done = subprocess.run(
                [str(exe), *args],
                cwd=self.home,
                env=env or self.env,
                capture_output=True,
                text=True,
                timeout=STEP_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            self.failures.append(f"{what}: no exit within {STEP_TIMEOUT} s")
            print(f"  FAIL {what}: timed out", flush=True)
            return ""
        took = time.monotonic() - started
        ok = done.returncode == 0
        print(f"  {'ok  ' if ok else 'FAIL'} {what} ({took:.1f} s)", flush=True)
        if not ok:
            self.failures.append(f"{what}: exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return done.stdout

    def logs(self) -> str:
        folder = self.home / "log"
        return "".join(p.read_text(errors="replace") for p in sorted(folder.glob("*.log*"))) if folder.exists() else ""

    def check(self, what: str, ok: bool, detail: str = "") -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}", flush=True)
        if not ok:
            self.failures.append(f"{what}: {detail}")


def wall_time(cmd: list[str], env: dict[str, str], runs: int = 3) -> float:
    """Median wall time of a command, start-up included."""
    times = []
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run(cmd, env=env, capture_output=True, check=True, timeout=STEP_TIMEOUT)
        times.append(time.monotonic() - started)
    return statistics.median(times)


def cmd_smoke() -> int:
    if not CLI.exists():
        print(f"smoke: {CLI} not found: run `python3 installer/build.py bundle` first")
        return 2
    dev.system_deps()  # Qt's libraries, for the window step

    with tempfile.TemporaryDirectory(prefix="lac-smoke-") as tmp:
        s = Smoke(Path(tmp))
        db = ["--database", str(s.db)]
        version = s.run("--version", CLI, "--version")
        s.check("version printed", version.startswith("lac-monitor "), version)
        out = s.run("db upgrade on a new SQLite file (migrations from the bundle)", CLI, *db, "db", "upgrade")
        s.check("schema at head", "schema at 0" in out, out)
        s.run("demo", CLI, *db, "demo", "--children", "300")
        board = s.run("board --format json", CLI, *db, "board", "--format", "json")
        try:
            rows = json.loads(board or "[]")
        except ValueError:
            rows = []
        s.check(f"board lists the demo council ({len(rows)} children)", len(rows) >= 300, board[:300])
        pdf = s.home / "handover.pdf"
        s.run("report handover", CLI, *db, "report", "handover", "--out", str(pdf))
        data = pdf.read_bytes() if pdf.exists() else b""
        s.check(
            "handover is a PDF with the bundled fonts",
            data.startswith(b"%PDF") and b"DejaVu" in data,
            f"{len(data)} bytes",
        )
        out = s.run("window opens offscreen and closes", GUI, *db, env=dict(s.env, LAC_MONITOR_QUIT_AFTER_MS="1500"))
        # The window program has no console on Windows: its log says it opened.
        s.check("window opened", "window opened" in out or "window opened" in s.logs(), out)
        out = s.run("service --once", CLI, *db, "service", "--once", "--name", "smoke")
        s.check("service evaluated", "alert(s) raised" in out, out)
        out = s.run("service --check", CLI, *db, "service", "--check")
        logs = s.logs()
        s.check("log written, no tracebacks", bool(logs) and "Traceback" not in logs, logs[-1000:])

        source_env = dict(s.env, PYTHONPATH=str(ROOT))
        for what, args in (("--version", ["--version"]), ("board --format json", [*db, "board", "--format", "json"])):
            frozen = wall_time([str(CLI), *args], s.env)
            source = wall_time([str(dev.PY), "-m", "lac_monitor", *args], source_env)
            print(f"start to exit, {what} (median of 3): frozen {frozen:.2f} s, from source {source:.2f} s", flush=True)
        print(f"bundle: {folder_size(DIST) / 1e6:.0f} MB", flush=True)
    if s.failures:
        print("\nsmoke test FAILED:\n" + "\n".join(s.failures))
        return 1
    print("smoke test: all steps passed")
    return 0


def main() -> int:
    args = sys.argv[1:]
    if not args or args[0] not in ("bundle", "smoke"):
        print(__doc__)
        return 2
    if args[0] == "smoke":
        return cmd_smoke()
    code = cmd_bundle()
    if code == 0 and "--smoke" in args:
        code = cmd_smoke()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
