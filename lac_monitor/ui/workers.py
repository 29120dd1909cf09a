"""Background work: slow reads, alert evaluation, report building and rendering off the GUI thread.

In the style of Anki's background operations: `Workers.run(fn, done=..., failed=...)` runs
`fn(job)` on a worker thread and calls `done(result)` or `failed(exc)` back on the GUI
thread. `fn` must not touch widgets; it may call `job.report(n, total)` for progress and
should look at `job.cancelled` between steps. A job with a `key` replaces nothing: while a
job with the same key is running, a second `run` is coalesced (it runs once more after the
first ends, so the last request is always honoured).

Threads and lifetimes: the work runs on plain Python threads (`concurrent.futures`), not on
Python subclasses of `QRunnable`, and only integers cross from a worker to the GUI thread (a
job's number, by a queued signal of the long-lived `Workers`). A job, its result and its
error are Python objects that the GUI thread holds until the job is delivered, so no Qt
object is ever created, deleted or garbage-collected on one thread while another uses it
(the cause of a segfault seen when Python QRunnables were deleted by the pool's thread).

Error tiers: an environmental error (database or file) reaches `failed` as a `LacError`
with a plain message; anything else is a bug and goes to `sys.excepthook` (the crash
dialog), on the GUI thread, even when a `failed` callback is given.
"""

from __future__ import annotations

import gc
import itertools
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from lac_monitor.domain.errors import LacError
from lac_monitor.ui.errors import as_known_error

log = logging.getLogger(__name__)

Done = Callable[[Any], object]
Failed = Callable[[LacError], object]
Progress = Callable[[int, int], object]


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a bulk read builds its rows.

    Reading 10k children allocates some 200k objects; partway through, Python would run a
    full collection over the whole heap in the worker (100 ms at 10k children, measured),
    and the GUI thread, which needs the interpreter for every paint, waits all that time.
    Plain reference counting still frees what the read drops. At the end what was built
    is frozen (the board keeps it), as a young collection of 200k new objects would be a
    30 ms stall of its own; the cost is that whatever cyclic garbage exists at that moment
    (chiefly the read's database session, a few kB) is never collected. Nests, and
    overlaps across threads."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                gc.freeze()
                if _gc_was_enabled:
                    gc.enable()


def settle_memory() -> None:
    """Once a board is loaded: move what is loaded out of the cyclic GC's way, so a full
    collection (tens of ms over 10k board rows) never lands on a keystroke or a sort.

    Runs on the GUI thread, so it must be quick: the young generations are collected (a
    few ms), not the whole heap (over 100 ms at 10k children: a stall of its own); what
    is left of start-up's cyclic garbage is a one-off of a few hundred kB, kept frozen."""
    gc.collect(1)
    gc.freeze()


class JobCancelled(Exception):
    """Raised inside a job's function when it sees `job.cancelled` (optional; returning early works too)."""


class Job:
    """One piece of background work: what the worker sees (`cancelled`, `report`) and what the
    GUI thread gets back (`result` or `error`, then `did_finish` / `did_fail`).

    `did_finish(result)`, `did_fail(exc)` and `did_progress(done, total)` are lists of
    callbacks, called on the GUI thread (connect with `job.did_finish.connect(f)`).
    """

    def __init__(self, fn: Callable[[Job], Any], key: str | None, number: int, relay: _Relay) -> None:
        self.fn = fn
        self.key = key
        self.number = number
        self.cancelled = False
        self.running = True
        self.result: Any = None
        self.error: BaseException | None = None
        self.did_finish = _Callbacks()
        self.did_fail = _Callbacks()
        self.did_progress = _Callbacks()
        self._relay = relay

    def cancel(self) -> None:
        self.cancelled = True

    def report(self, done: int, total: int) -> None:
        """From the worker: progress so far."""
        self._relay.progress(self.number, done, total)
        if self.cancelled:
            raise JobCancelled()

    def _run(self) -> None:
        """On the worker thread."""
        try:
            self.result = self.fn(self)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, which sorts bug from environment
            self.error = exc
        self._relay.finished(self.number)


class _Callbacks:
    """A tiny signal for plain Python objects: called on the GUI thread only."""

    def __init__(self) -> None:
        self._slots: list[Callable[..., object]] = []

    def connect(self, slot: Callable[..., object]) -> None:
        self._slots.append(slot)

    def emit(self, *args: object) -> None:
        for slot in list(self._slots):
            slot(*args)


class _Relay:
    """What a worker thread may call: posts a job's number to the GUI thread, unless the
    `Workers` behind it has been closed (then nothing reaches a window that is gone)."""

    def __init__(self, workers: Workers) -> None:
        self._workers: Workers | None = workers
        self._lock = threading.Lock()

    def finished(self, number: int) -> None:
        with self._lock:
            if self._workers is not None:
                self._workers._finished_in_worker.emit(number)

    def progress(self, number: int, done: int, total: int) -> None:
        with self._lock:
            if self._workers is not None:
                self._workers._progress_in_worker.emit(number, done, total)

    def close(self) -> None:
        with self._lock:
            self._workers = None


class Workers(QObject):
    """The window's background workers (a private QThreadPool, so shutdown waits only for ours).

    Signals:
        busy_did_change(bool): some job is (or no job is any longer) running.
    """

    busy_did_change = Signal(bool)
    _finished_in_worker = Signal(int)  # a job's number; queued to the GUI thread
    _progress_in_worker = Signal(int, int, int)  # number, done, total

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=max_threads, thread_name_prefix="lac-worker")
        self._relay = _Relay(self)
        self._numbers = itertools.count(1)
        self._jobs: dict[int, Job] = {}
        self._futures: dict[int, Future[None]] = {}
        self._running_keys: dict[str, Job] = {}
        self._again: dict[str, tuple[Callable[[Job], Any], Done | None, Failed | None, Progress | None]] = {}
        self._callbacks: dict[int, tuple[Done | None, Failed | None]] = {}
        self.stopped = False
        self._finished_in_worker.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._progress_in_worker.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        # Deleted with its parent before `stop`: a worker still running then reports to nobody.
        self.destroyed.connect(self._relay.close)

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def is_running(self, key: str) -> bool:
        return key in self._running_keys

    def run(
        self,
        fn: Callable[[Job], Any],
        *,
        done: Done | None = None,
        failed: Failed | None = None,
        progress: Progress | None = None,
        key: str | None = None,
    ) -> Job | None:
        """Run `fn(job)` in the pool; None if coalesced into a running job with the same key."""
        if self.stopped:
            return None
        if key is not None and key in self._running_keys:
            self._again[key] = (fn, done, failed, progress)
            return None
        job = Job(fn, key, next(self._numbers), self._relay)
        was_busy = self.busy
        self._jobs[job.number] = job
        self._callbacks[job.number] = (done, failed)
        if key is not None:
            self._running_keys[key] = job
        if progress is not None:
            job.did_progress.connect(progress)
        self._futures[job.number] = self._pool.submit(job._run)
        if not was_busy:
            self.busy_did_change.emit(True)
        return job

    def _on_progress(self, number: int, done: int, total: int) -> None:
        job = self._jobs.get(number)
        if job is not None and not self.stopped:
            job.did_progress.emit(done, total)

    def _on_finished(self, number: int) -> None:
        job = self._jobs.pop(number, None)
        self._futures.pop(number, None)
        done, failed = self._callbacks.pop(number, (None, None))
        if job is None:
            return
        job.running = False
        if self.stopped:  # the window is closing: its widgets may be gone, so nothing is delivered
            return
        if job.key is not None and self._running_keys.get(job.key) is job:
            del self._running_keys[job.key]
        try:
            if job.error is None:
                if done is not None and not job.cancelled:
                    done(job.result)
                job.did_finish.emit(job.result)
            else:
                self._handle_error(job, failed)
                job.did_fail.emit(job.error)
        finally:
            if job.key is not None and job.key in self._again and not self.stopped:
                fn, d, f, p = self._again.pop(job.key)
                self.run(fn, done=d, failed=f, progress=p, key=job.key)
            if not self.busy:
                self.busy_did_change.emit(False)

    @staticmethod
    def _handle_error(job: Job, failed: Failed | None) -> None:
        exc = job.error
        assert exc is not None
        if isinstance(exc, JobCancelled) or job.cancelled:
            return
        known = as_known_error(exc)
        if known is None:  # a bug: the crash dialog, with the worker's traceback
            sys.excepthook(type(exc), exc, exc.__traceback__)
            return
        log.warning("background job %s failed: %s", job.key or "-", type(exc).__name__)
        if failed is not None:
            failed(known)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every job's work has ended (tests, shutdown). Results still arrive by the event loop."""
        _, pending = wait_for_futures(list(self._futures.values()), timeout=msecs / 1000)
        return not pending

    def stop(self) -> None:
        """At shutdown: cancel what runs, forget what was queued, wait for the rest to end."""
        self.stopped = True
        self._again.clear()
        for number, job in list(self._jobs.items()):
            job.cancel()
            future = self._futures.get(number)
            if future is not None:
                future.cancel()  # not started yet: never starts
        # Jobs look at `cancelled` between steps and database reads time out, so this is short;
        # a job must not outlive the window whose objects it reports to: after this, whatever a
        # late worker says goes nowhere.
        self.wait(30_000)
        self._relay.close()
        self._pool.shutdown(wait=False, cancel_futures=True)
