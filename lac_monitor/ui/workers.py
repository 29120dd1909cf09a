"""Background work: slow reads, alert evaluation, report building and rendering off the GUI thread.

In the style of Anki's background operations: `Workers.run(fn, done=..., failed=...)` runs
`fn(job)` on a QThreadPool thread and calls `done(result)` or `failed(exc)` back on the GUI
thread. `fn` must not touch widgets; it may call `job.report(n, total)` for progress and
should look at `job.cancelled` between steps. A job with a `key` replaces nothing: while a
job with the same key is running, a second `run` is coalesced (it runs once more after the
first ends, so the last request is always honoured).

Error tiers: an environmental error (database or file) reaches `failed` as a `LacError`
with a plain message; anything else is a bug and goes to `sys.excepthook` (the crash
dialog), on the GUI thread, even when a `failed` callback is given.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from lac_monitor.domain.errors import LacError
from lac_monitor.ui.errors import as_known_error

log = logging.getLogger(__name__)

Done = Callable[[Any], object]
Failed = Callable[[LacError], object]
Progress = Callable[[int, int], object]


class JobCancelled(Exception):
    """Raised inside a job's function when it sees `job.cancelled` (optional; returning early works too)."""


class Job(QObject):
    """One piece of background work, owned by the GUI thread.

    Signals:
        did_finish(object): the result (GUI thread).
        did_fail(object): the exception (GUI thread).
        did_progress(int, int): steps done, steps in all (GUI thread).
    """

    did_finish = Signal(object)
    did_fail = Signal(object)
    did_progress = Signal(int, int)
    _finished_in_worker = Signal(object, object)  # result, exception
    _progress_in_worker = Signal(int, int)

    def __init__(self, fn: Callable[[Job], Any], key: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn = fn
        self.key = key
        self.cancelled = False
        self.running = True
        self.result: Any = None
        self.error: BaseException | None = None
        # Queued: the worker thread emits, the slot runs on this object's (the GUI) thread.
        self._finished_in_worker.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._progress_in_worker.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

    def cancel(self) -> None:
        self.cancelled = True

    def report(self, done: int, total: int) -> None:
        """From the worker: progress so far."""
        self._progress_in_worker.emit(done, total)
        if self.cancelled:
            raise JobCancelled()

    def _on_progress(self, done: int, total: int) -> None:
        self.did_progress.emit(done, total)

    def _on_finished(self, result: object, exc: object) -> None:
        self.running = False
        if exc is None:
            self.result = result
            self.did_finish.emit(result)
        else:
            assert isinstance(exc, BaseException)
            self.error = exc
            self.did_fail.emit(exc)


class _Runnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        job = self.job
        try:
            result = job.fn(job)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, which sorts bug from environment
            job._finished_in_worker.emit(None, exc)
            return
        job._finished_in_worker.emit(result, None)


class Workers(QObject):
    """The window's background workers (a private QThreadPool, so shutdown waits only for ours).

    Signals:
        busy_did_change(bool): some job is (or no job is any longer) running.
    """

    busy_did_change = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._jobs: set[Job] = set()
        self._running_keys: dict[str, Job] = {}
        self._again: dict[str, tuple[Callable[[Job], Any], Done | None, Failed | None, Progress | None]] = {}
        self.stopped = False

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
        job = Job(fn, key, self)
        was_busy = self.busy
        self._jobs.add(job)
        if key is not None:
            self._running_keys[key] = job
        job.did_finish.connect(lambda result, j=job: self._finish(j, done, None, result))
        job.did_fail.connect(lambda exc, j=job: self._finish(j, None, failed, exc))
        if progress is not None:
            job.did_progress.connect(progress)
        self.pool.start(_Runnable(job))
        if not was_busy:
            self.busy_did_change.emit(True)
        return job

    def _finish(self, job: Job, done: Done | None, failed: Failed | None, value: object) -> None:
        self._jobs.discard(job)
        if self.stopped:  # the window is closing: its widgets may be gone, so nothing is delivered
            job.deleteLater()
            return
        if job.key is not None and self._running_keys.get(job.key) is job:
            del self._running_keys[job.key]
        try:
            if job.error is None:
                if done is not None and not job.cancelled:
                    done(value)
            else:
                self._handle_error(job, failed)
        finally:
            job.deleteLater()
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
        """Block until the pool is idle (tests, shutdown). Results still arrive by the event loop."""
        return bool(self.pool.waitForDone(msecs))

    def stop(self) -> None:
        """At shutdown: cancel what runs, forget what was queued, wait briefly."""
        self.stopped = True
        self._again.clear()
        for job in list(self._jobs):
            job.cancel()
        self.pool.clear()
        # Jobs look at `cancelled` between steps and database reads time out, so this is short;
        # a job must not outlive the window whose objects it reports to.
        self.pool.waitForDone(30_000)
