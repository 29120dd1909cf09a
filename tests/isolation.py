"""Imported first by conftest: tests never touch the user's real folders.

Every per-user and machine-wide folder platformdirs resolves (config, database, log,
cache) points into one temp tree, inherited by the CLI subprocesses the tests start.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ISOLATED_HOME = Path(tempfile.mkdtemp(prefix="lac-monitor-tests-"))
for _var in (
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_DIRS",
    "XDG_DATA_DIRS",
):
    os.environ[_var] = str(ISOLATED_HOME / _var.lower())
os.environ.pop("LAC_MONITOR_DATABASE", None)
