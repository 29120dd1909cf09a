"""Rotating log file in the user log folder. Ids, never names, above DEBUG."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

LOG_DIR_ENV = "LAC_MONITOR_LOG_DIR"


def configure(log_dir: Path | None = None, level: int = logging.INFO) -> Path | None:
    root = logging.getLogger()
    if any(getattr(h, "_lac_monitor", False) for h in root.handlers):
        return None
    root.setLevel(level)
    if log_dir is None and os.environ.get(LOG_DIR_ENV):
        log_dir = Path(os.environ[LOG_DIR_ENV])  # a service's log folder (the systemd unit sets it)
    if log_dir is None:
        from lac_monitor.storage.config import log_dir as default_dir

        log_dir = default_dir()
    path: Path | None = None
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "lac-monitor.log"
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(
        f"%(asctime)s %(levelname)s [{os.getpid()}] %(name)s: %(message)s"))
    handler._lac_monitor = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return path


def log_tail(path: Path | None, lines: int = 60) -> str:
    if path is None or not path.is_file():
        return ""
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
