"""`lac-monitor`: the window by default; subcommands for scripts and scheduled tasks.

Each command group lives in its own module with `register(subparsers)`.
Exit codes: 0 done, 1 bug, 2 bad input or a known problem (one-line reason on stderr).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from lac_monitor import __version__
from lac_monitor.domain.errors import LacError

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    from lac_monitor.cli import admin, board, care, changes, db, demo, episode, ssda903

    parser = argparse.ArgumentParser(
        prog="lac-monitor",
        description="Live status of looked-after children, missing episodes and alerts.")
    parser.add_argument("--version", action="version", version=f"lac-monitor {__version__}")
    parser.add_argument("--database", help="SQLAlchemy URL or SQLite file path")
    parser.add_argument("--user", help=argparse.SUPPRESS)  # act as this staff username (tests)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = sub.add_parser("gui", help="open the window (the default)")
    gui.add_argument("--database", help="SQLAlchemy URL or SQLite file path", default=argparse.SUPPRESS)
    for module in (board, episode, care, admin, changes, ssda903, demo, db):
        module.register(sub)
    for optional in ("alerts", "report", "service"):
        try:
            mod = __import__(f"lac_monitor.cli.{optional}", fromlist=["register"])
        except ImportError:
            continue
        mod.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from lac_monitor import logsetup

    parser = build_parser()
    args = parser.parse_args(argv)
    logsetup.configure()
    if args.command in (None, "gui"):
        from lac_monitor.ui.app import run_gui

        return run_gui(getattr(args, "database", None))
    try:
        return int(args.func(args) or 0)
    except LacError as exc:
        print(f"lac-monitor: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `lac-monitor board | head`: the reader left; that is not an error.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
