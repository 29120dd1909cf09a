"""Which errors are the environment's fault (a plain message) and which are bugs: the first
of the two tiers in `ui/errors.py`, kept free of Qt so the live bridge can use it without
loading the widgets (a headless desktop, the fleet bench)."""

from __future__ import annotations

from lac_monitor.domain.errors import DatabaseUnavailableError, LacError


class FileProblemError(LacError):
    """A file could not be written or read: disk full, no permission, folder gone."""


def as_known_error(exc: BaseException) -> LacError | None:
    """The plain-language error for anything the environment caused; None for a bug.

    Database errors (server gone, file locked, connection dropped) and file errors (disk
    full, no permission) are the environment's fault: the user gets a message saying what
    to do, never the crash dialog. Programming errors (a bad SQL statement, a TypeError)
    stay bugs.
    """
    import sqlite3

    from sqlalchemy.exc import DBAPIError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, LacError):
        return exc
    try:  # the LISTEN connection speaks psycopg directly
        import psycopg

        driver_down: tuple[type[BaseException], ...] = (psycopg.OperationalError, psycopg.InterfaceError)
    except ImportError:  # pragma: no cover - psycopg is a dependency
        driver_down = ()
    if isinstance(exc, (OperationalError, PoolTimeout, sqlite3.OperationalError, *driver_down)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        text = str(getattr(exc, "orig", exc)).lower()
        if "locked" in text or "busy" in text:
            return DatabaseUnavailableError("The database is busy (another desktop is saving). Try again in a moment.")
        return DatabaseUnavailableError(
            "The database cannot be reached just now. LAC Monitor keeps trying; anything "
            "already saved is safe. If this lasts, ask IT whether the server is running."
        )
    if isinstance(exc, OSError):
        import errno

        reason = {
            errno.ENOSPC: "the disk is full",
            errno.EACCES: "you do not have permission there",
            errno.EPERM: "you do not have permission there",
            errno.ENOENT: "the folder does not exist",
            errno.EROFS: "the place is read-only",
        }.get(exc.errno or 0, exc.strerror or "it failed")
        where = f" ({exc.filename})" if exc.filename else ""
        return FileProblemError(f"The file could not be written{where}: {reason}. Choose another place, or ask IT.")
    return None
