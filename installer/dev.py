#!/usr/bin/env python3
"""The newcomer's two commands (see README):

    python3 installer/dev.py demo   # install, fill the embedded database with demo data, open the app
    python3 installer/dev.py test   # install with test tools, then run the whole suite
    python3 installer/dev.py validator  # the sector's SSDA903 validator in its own .venv-903

Creates ./.venv on first use. Standard library only, so it runs before anything is installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def run(*cmd: str | Path, check: bool = True, env: dict[str, str] | None = None) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=ROOT, check=check, env=env).returncode


def ensure_venv(extras: str) -> None:
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f".[{extras}]")


def system_deps() -> None:
    if sys.platform.startswith("linux") and shutil.which("bash"):
        run("bash", ROOT / "installer" / "system-deps.sh")


def postgres_up(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def ensure_postgres() -> None:
    """Start the local test server if it is installed but stopped (CI machines)."""
    if postgres_up() or not shutil.which("pg_ctlcluster"):
        return
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    for v in versions:
        run("pg_ctlcluster", "--skip-systemctl-redirect", v, "main", "start", check=False)
    for _ in range(20):
        if postgres_up():
            return
        time.sleep(0.5)


def cmd_demo() -> int:
    system_deps()
    ensure_venv("pdf")
    exe = BIN / ("lac-monitor.exe" if os.name == "nt" else "lac-monitor")
    run(exe, "demo", "--if-empty")
    return run(exe, check=False)


def cmd_test(args: list[str]) -> int:
    system_deps()
    ensure_venv("test,pdf")
    ensure_postgres()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return run(PY, "-m", "pytest", *args, check=False, env=env)


def cmd_validator() -> int:
    """csc-validator-be-903 pins pandas 1.5 / numpy 1.24, so it never joins the app's venv;
    tests/test_ssda903_rules.py finds it here (or through LAC_MONITOR_903_VALIDATOR)."""
    v903 = ROOT / ".venv-903"
    py = v903 / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not py.exists():
        venv.EnvBuilder(with_pip=True).create(v903)
    return run(py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "csc-validator-be-903",
               check=False)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("demo", "test", "validator"):
        print(__doc__)
        return 2
    if sys.argv[1] == "demo":
        return cmd_demo()
    if sys.argv[1] == "validator":
        return cmd_validator()
    return cmd_test(sys.argv[2:])


if __name__ == "__main__":
    raise SystemExit(main())
