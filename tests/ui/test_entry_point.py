"""`lac-monitor` with no command (or `gui`) opens the window: started as a person would, in its
own process, offscreen, told to close itself after a moment (the bundle's smoke-test switch)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from lac_monitor.services.uow import os_username
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Staff
from lac_monitor.ui.app import SMOKE_QUIT_ENV


def start(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **{SMOKE_QUIT_ENV: "400"})
    return subprocess.run(
        [sys.executable, "-m", "lac_monitor", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize("command", [(), ("gui",)], ids=["no-command", "gui"])
def test_the_window_opens_on_a_new_database_and_closes_cleanly(tmp_path: Path, command: tuple[str, ...]) -> None:
    path = tmp_path / "new.sqlite"
    result = start(*command, "--database", str(path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "window opened; closing in 400 ms" in result.stdout
    assert "Traceback" not in result.stderr
    db = Database.open(f"sqlite:///{path}")
    try:
        with db.read_session() as s:  # first run: whoever opened it is its administrator
            staff = s.execute(select(Staff.username, Staff.role)).all()
    finally:
        db.dispose()
    assert [tuple(r) for r in staff] == [(os_username(), "administrator")]


def test_a_mistyped_option_is_refused_in_one_line_without_a_window(tmp_path: Path) -> None:
    result = start("--databse", str(tmp_path / "x.sqlite"))
    assert result.returncode == 2
    assert result.stderr.startswith("lac-monitor: ") and result.stderr.count("\n") == 1
    assert "window opened" not in result.stdout
    assert not (tmp_path / "x.sqlite").exists()
