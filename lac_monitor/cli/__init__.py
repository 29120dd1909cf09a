"""`lac-monitor`: the window by default; subcommands for scripts and scheduled tasks.

Each command group lives in its own module with `register(subparsers)`.
Exit codes: 0 done, 1 bug, 2 bad input or a known problem (one-line reason on stderr).
`main` is the one error boundary: whatever goes wrong, the person sees one line that
never quotes SQL parameters or a child's data, and a write that committed is reported as
saved even if something after it failed.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from lac_monitor import __version__
from lac_monitor.domain.errors import LacError

log = logging.getLogger(__name__)


class Parser(argparse.ArgumentParser):
    """argparse whose refusals are one line (exit 2), like every other refusal."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"lac-monitor: {one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from lac_monitor.cli import (
        admin,
        alerts,
        audit,
        board,
        care,
        changes,
        db,
        demo,
        episode,
        patterns,
        report,
        service,
        ssda903,
    )

    parser = Parser(
        prog="lac-monitor", description="Live status of looked-after children, missing episodes and alerts."
    )
    parser.add_argument("--version", action="version", version=f"lac-monitor {__version__}")
    parser.add_argument("--database", help="SQLAlchemy URL or SQLite file path")
    parser.add_argument("--user", help=argparse.SUPPRESS)  # act as this staff username (tests)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = sub.add_parser("gui", help="open the window (the default)")
    gui.add_argument("--database", help="SQLAlchemy URL or SQLite file path", default=argparse.SUPPRESS)
    # Imported plainly: a broken import is a bug to see, not a command to lose quietly.
    for module in (board, episode, care, admin, changes, ssda903, demo, db, patterns, alerts, report, audit, service):
        module.register(sub)
    return parser


MAX_MESSAGE = 600


def one_line(message: str) -> str:
    """Messages are one line and of a readable length, whatever a person typed."""
    text = " ".join(part.strip() for part in str(message).splitlines() if part.strip())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def main(argv: Sequence[str] | None = None) -> int:
    from lac_monitor import logsetup
    from lac_monitor.cli import common

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a refused argument (one line, exit 2)
        return exc.code if isinstance(exc.code, int) else 0
    log_path = logsetup.configure()
    if args.command in (None, "gui"):
        from lac_monitor.ui.app import run_gui

        return run_gui(getattr(args, "database", None))
    common.COMMITTED.clear()
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `lac-monitor board | head`: the reader left; that is not an error.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the one boundary: every failure ends here
        return _refuse(exc, common.COMMITTED, log_path)


def _refuse(exc: BaseException, committed: list[int], log_path: object) -> int:
    from lac_monitor.domain.errors import ValidationError
    from lac_monitor.logsetup import log_safely
    from lac_monitor.services.uow import translate_db_error

    known = translate_db_error(exc, saving=False) if not isinstance(exc, LacError) else exc
    if known is None and isinstance(exc, OSError):
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        known = LacError(f"could not read or write{where}: {exc.strerror or type(exc).__name__}")
    if known is None and isinstance(exc, RecursionError | MemoryError):
        known = ValidationError("input", "is too large to handle")
    if committed:
        # The change is in the database: say so, so nobody enters it twice.
        reason = one_line(str(known)) if known is not None else f"an internal error ({type(exc).__name__})"
        log_safely(log, f"saved (change {committed[-1]}), then failed", exc, bug=known is None)
        print(f"lac-monitor: saved (change {committed[-1]}), but what came after failed: {reason}", file=sys.stderr)
        return 0
    if known is not None:
        log_safely(log, "refused", exc, bug=False)
        print(f"lac-monitor: {one_line(str(known))}", file=sys.stderr)
        return 2
    log_safely(log, "internal error", exc, bug=True)
    where = f"; details are in {log_path}" if log_path else ""
    print(
        f"lac-monitor: internal error ({type(exc).__name__}): nothing more was saved{where}. Please tell IT.",
        file=sys.stderr,
    )
    return 1
