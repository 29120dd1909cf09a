"""One open database: engines, dialect facts, and the local after-commit hook."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from lac_monitor.domain.errors import DatabaseUnavailableError
from lac_monitor.storage import migrate
from lac_monitor.storage.engine import (
    DEFAULT_LOCK_WAIT_S,
    PasswordPrompt,
    check_reachable,
    describe,
    make_engine,
)

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "lac_monitor_feed"
FEED_LOCK_KEY = 0x1AC0_FEED  # advisory lock: feed rows commit in sequence order

# What a read runs over: a Session, or (a desktop's LISTEN connection, storage/feed.py) a bare
# Connection, which skips the ORM's per-statement work (about 1 ms of Python a statement).
# Readers that run Core statements only (the feed, the board rows) accept either.
Reader = Session | Connection


@dataclass
class Database:
    engine: Engine
    after_commit: list[Callable[[list[int]], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.write_engine = self.engine.execution_options(write=True)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    def publish(self, seqs: list[int]) -> None:
        """Tell this process's listeners what was just committed. A listener's bug must not
        undo (or hide) a saved change, so it is logged, never raised."""
        for hook in list(self.after_commit):
            try:
                hook(seqs)
            except Exception:
                log.exception("after-commit hook failed")

    def read_session(self) -> Session:
        return self._read()

    def write_session(self) -> Session:
        return self._write()

    def describe(self) -> str:
        return describe(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    @classmethod
    def open(
        cls,
        url: str,
        prompt: PasswordPrompt | None = None,
        upgrade: bool = True,
        lock_wait_s: float = DEFAULT_LOCK_WAIT_S,
    ) -> Database:
        engine = make_engine(url, prompt, lock_wait_s)
        check_reachable(engine)
        try:
            if upgrade:
                migrate.upgrade(engine)
            else:
                migrate.check_not_newer(engine)
        except DBAPIError as exc:  # the server went away between the check and the schema
            engine.dispose()
            raise DatabaseUnavailableError(
                f"The database at {describe(engine)} stopped answering while opening "
                f"({exc.orig.__class__.__name__}). Try again in a moment; ask IT if it keeps happening."
            ) from exc
        log.info("opened database %s", describe(engine))
        return cls(engine)
