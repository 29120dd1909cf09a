"""The clock is injected so the app, the rules and the tests agree on "now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A settable clock for tests and for `--at` on the command line."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at = self._at + delta


class OffsetClock:
    """Real time shifted to start at `at`: a long-running process (the escalation service)
    run "as of" another time in tests and rehearsals, still ticking second by second."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime")
        self._offset = at.astimezone(UTC) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset
