"""The one bridge from the change feed to Qt signals.

PostgreSQL: a dedicated LISTEN connection whose socket a QSocketNotifier watches (no
thread, no polling). SQLite: a dedicated connection whose `PRAGMA data_version` a QTimer
reads every 40 ms. Either way the feed is then read after the last sequence seen, so a
change missed while disconnected is caught up, never lost. Commits made by this desktop
arrive through the same path (the database's after-commit hook).

On PostgreSQL the reads a change causes (the feed, then the touched board rows, through
`LiveBridge.read_session()`) go over the LISTEN connection itself, so an idle desktop holds
one connection and a change opens none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QObject, QSocketNotifier, Qt, QThread, QTimer, Signal

from lac_monitor.domain.clock import Clock, SystemClock
from lac_monitor.storage.database import Database, Reader
from lac_monitor.storage.feed import FeedReader, SqliteWatcher, pg_watcher
from lac_monitor.ui.known_errors import as_known_error

log = logging.getLogger(__name__)

POLL_MS = 40  # a PRAGMA data_version read costs microseconds; a change shows within ~40 ms
SAFETY_READ_MS = 30_000  # read the feed now and then even if no notification came
BACKOFF_MS = (500, 1000, 2000, 4000, 8000, 15000, 30000)


class Watcher(Protocol):
    def close(self) -> None: ...


WatcherFactory = Callable[[Database], Watcher]


def default_watcher(db: Database) -> Watcher:
    return pg_watcher(db) if db.is_postgresql else SqliteWatcher(db)


class LiveBridge(QObject):
    """Turns committed changes (from any desktop) into Qt signals.

    Signals:
        changes_did_arrive(list[ChangeEvent]): new feed rows, in sequence order.
        connection_did_drop(str): the feed cannot be read; argument is the plain-language
            message for a banner ("Connection lost — retrying, last update 14:02").
        connection_did_return(): reconnected; missed changes follow in changes_did_arrive.
    """

    changes_did_arrive = Signal(list)
    connection_did_drop = Signal(str)
    connection_did_return = Signal()
    _local_commit = Signal()  # internal: a commit on any thread of this process (queued to ours)

    def __init__(
        self,
        db: Database,
        clock: Clock | None = None,
        parent: QObject | None = None,
        *,
        start_seq: int | None = None,
        poll_ms: int = POLL_MS,
        watcher_factory: WatcherFactory = default_watcher,
        backoff_ms: tuple[int, ...] = BACKOFF_MS,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.clock = clock or SystemClock()
        self.reader = FeedReader(db, start_seq)
        self._factory = watcher_factory
        self._backoff = backoff_ms
        self._attempt = 0
        self._watcher: Watcher | None = None
        self._notifier: QSocketNotifier | None = None
        self._connected = False
        self._running = False
        self.last_update_at: datetime | None = self.clock.now()
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self._on_poll)
        self._safety = QTimer(self)
        self._safety.setInterval(SAFETY_READ_MS)
        self._safety.timeout.connect(self.read_now)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._reconnect)
        self._pending_read = False
        self._local_commit.connect(self._schedule_read, Qt.ConnectionType.QueuedConnection)

    # -- lifecycle --------------------------------------------------------------------
    @property
    def is_connected(self) -> bool:
        return self._connected

    @property
    def last_seq(self) -> int:
        return self.reader.last_seq

    def start(self) -> None:
        """Connect the watcher; raises the database's error if that fails at start-up."""
        if self._running:
            return
        self._running = True
        self.db.after_commit.append(self._on_local_commit)
        self._connect()
        self._safety.start()

    def stop(self) -> None:
        self._running = False
        self._poll.stop()
        self._safety.stop()
        self._retry.stop()
        if self._on_local_commit in self.db.after_commit:
            self.db.after_commit.remove(self._on_local_commit)
        self._close_watcher()

    # -- reading -----------------------------------------------------------------------
    @contextmanager
    def read_session(self) -> Iterator[Reader]:
        """A read session for what a change causes (the touched rows). On this bridge's thread
        with a LISTEN connection up, it runs over that connection (no new connection); from
        another thread, or when polling, over a short connection of its own. A notification
        that arrives while it runs is not lost: a feed read follows."""
        watcher = self._watcher
        if (
            not self._connected
            or watcher is None
            or not hasattr(watcher, "read_session")
            or QThread.currentThread() is not self.thread()
        ):
            with self.db.read_session() as s:
                yield s
            return
        with watcher.read_session() as s:
            yield s
        self._check_missed(watcher)

    def _check_missed(self, watcher: Watcher) -> None:
        try:
            heard = watcher.drain()  # type: ignore[attr-defined]
        except Exception as exc:
            if as_known_error(exc) is None:
                raise
            self.connection_failed(exc)
            return
        if heard:
            self._schedule_read()

    def read_now(self) -> None:
        """Read the feed now; emits changes_did_arrive if there is anything new."""
        self._pending_read = False
        if not self._connected:
            return
        try:
            events = self.reader.read(self.read_session)
        except Exception as exc:
            if as_known_error(exc) is None:
                raise  # a bug, not a lost connection: the crash dialog, not a banner
            self.connection_failed(exc)
            return
        self.last_update_at = self.clock.now()
        if events:
            log.debug("feed: %d change(s) up to seq %d", len(events), events[-1].seq)
            self.changes_did_arrive.emit(events)

    def connection_failed(self, exc: BaseException | None = None) -> None:
        """Also for consumers: a query failed, so go into reconnect-and-catch-up."""
        if not self._running or not self._connected:
            return
        log.warning("live updates lost: %s", type(exc).__name__ if exc else "unknown")
        self._connected = False
        self._close_watcher()
        self.connection_did_drop.emit(self.drop_message())
        self._attempt = 0
        self._schedule_retry()

    def drop_message(self) -> str:
        from lac_monitor.domain.localtime import format_local

        when = format_local(self.last_update_at, with_date=False) if self.last_update_at else "never"
        return f"Connection lost — retrying, last update {when}"

    def retry_now(self) -> None:
        if self._running and not self._connected:
            self._retry.stop()
            self._reconnect()

    # -- internals ------------------------------------------------------------------------
    def _connect(self) -> None:
        watcher = self._factory(self.db)
        self._watcher = watcher
        self._connected = True
        if hasattr(watcher, "fileno") and hasattr(watcher, "drain"):  # PgListener
            notifier = QSocketNotifier(watcher.fileno(), QSocketNotifier.Type.Read, self)  # type: ignore[attr-defined]
            notifier.activated.connect(self._on_readable)
            self._notifier = notifier
        else:
            self._poll.start()

    def _close_watcher(self) -> None:
        self._poll.stop()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._watcher is not None:
            try:
                self._watcher.close()
            except Exception:
                log.debug("closing watcher failed", exc_info=True)
            self._watcher = None

    def _on_readable(self) -> None:
        watcher = self._watcher
        if watcher is None:
            return
        try:
            got = watcher.drain()  # type: ignore[attr-defined]
        except Exception as exc:
            if as_known_error(exc) is None:
                raise
            self.connection_failed(exc)  # the listen connection dropped
            return
        if got:
            self.read_now()

    def _on_poll(self) -> None:
        watcher = self._watcher
        if watcher is None:
            return
        try:
            changed = watcher.changed()  # type: ignore[attr-defined]
        except Exception as exc:
            if as_known_error(exc) is None:
                raise
            self.connection_failed(exc)  # the file went away or is unreadable
            return
        if changed:
            try:
                self.read_now()  # the reads this change causes, on the poller's connection
            finally:
                release = getattr(watcher, "release", None)
                if release is not None:
                    release()  # a polling desktop holds nothing between polls

    def _on_local_commit(self, seqs: list[int]) -> None:
        # Called inside the service call, on the GUI thread or a worker's: read once control
        # is back in the GUI thread's event loop (a queued signal is safe from any thread).
        if seqs:
            self._local_commit.emit()

    def _schedule_read(self) -> None:
        if not self._pending_read:
            self._pending_read = True
            QTimer.singleShot(0, self.read_now)

    def _schedule_retry(self) -> None:
        delay = self._backoff[min(self._attempt, len(self._backoff) - 1)]
        self._attempt += 1
        self._retry.start(delay)

    def _reconnect(self) -> None:
        if not self._running or self._connected:
            return
        try:
            self._connect()
            events = self.reader.read(self.read_session)
        except Exception as exc:  # noqa: BLE001 - still down; try again later
            log.info("reconnect attempt %d failed: %s", self._attempt, type(exc).__name__)
            self._connected = False
            self._close_watcher()
            self._schedule_retry()
            return
        if not self._connected:
            return  # dropped again straight after the read: connection_failed has it in hand
        log.info("live updates restored")
        self.last_update_at = self.clock.now()
        self._attempt = 0
        self.connection_did_return.emit()
        if events:
            self.changes_did_arrive.emit(events)
