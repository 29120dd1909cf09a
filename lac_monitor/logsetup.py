"""Rotating log file in the user log folder. Ids, never names, above DEBUG."""

from __future__ import annotations

import logging
import logging.handlers
import os
import traceback
from pathlib import Path

LOG_DIR_ENV = "LAC_MONITOR_LOG_DIR"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """The log is for the owner only (0600), whatever the umask; so is each rotated file."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.chmod(self.baseFilename, 0o600)
        except OSError:
            pass
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def log_safely(logger: logging.Logger, what: str, exc: BaseException, bug: bool) -> None:
    """Log an error without its message: a database error's text can hold SQL parameters (a
    child's name, a date of birth). Above DEBUG only the exception types and, for a bug, the
    code path; the full text only at DEBUG, which is off unless IT turns it on."""
    if bug:
        logger.error("%s: %s", what, safe_traceback(exc))
    else:
        logger.warning("%s: %s", what, error_chain(exc))
    logger.debug("%s (full text)", what, exc_info=exc)


def error_chain(exc: BaseException) -> str:
    """`OperationalError[57P01] <- AdminShutdown`: types and SQLSTATEs, never messages."""
    chain: list[str] = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 5:
        code = getattr(getattr(cur, "orig", None), "sqlstate", None) or getattr(cur, "sqlstate", None)
        chain.append(type(cur).__name__ + (f"[{code}]" if code else ""))
        cur = cur.__cause__ or cur.__context__
    return " <- ".join(chain)


def safe_traceback(exc: BaseException) -> str:
    """A traceback for IT without the exception's message (which may hold a child's name or
    SQL parameters): the exception types, then the code path. For logs and crash dialogs."""
    return error_chain(exc) + "\n" + "".join(traceback.format_tb(exc.__traceback__))


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
        handler: logging.Handler = PrivateRotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s [{os.getpid()}] %(name)s: %(message)s"))
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
