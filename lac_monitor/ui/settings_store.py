"""Per-user window settings (QSettings): geometry, splitter, columns, sort and scope.

Typed accessors over versioned keys, so a later layout change can upgrade or drop old
values instead of restoring something that no longer fits. Never secrets: the database
password lives only in the keyring.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

VERSION = 2


@dataclass(frozen=True)
class BoardColumn:
    """One board column as a user left it, saved under the column's name."""

    pos: int  # visual position, left to right
    width: int
    hidden: bool


class SettingsStore:
    def __init__(self, settings: QSettings | None = None) -> None:
        self.q = settings if settings is not None else QSettings()
        stored = self._int("settings/version", 0)
        if stored != VERSION:
            self._upgrade(stored)

    def _upgrade(self, stored: int) -> None:
        if stored > VERSION:
            return  # written by a newer version: leave it alone, read what we understand
        # v0 -> v1: nothing to carry over; start clean.
        # v1 -> v2: the board's columns were saved by position (a QHeaderView state, and the sort
        # column as a number), so a new column would shift them: dropped, the defaults return.
        for old in ("board/header", "board/sort_column", "board/sort_order"):
            self.q.remove(old)
        self.q.setValue("settings/version", VERSION)

    def _int(self, key: str, default: int) -> int:
        value = self.q.value(key, default)
        try:
            return int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return default

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.q.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def _str(self, key: str) -> str | None:
        value = self.q.value(key)
        return str(value) if value not in (None, "") else None

    # -- window ----------------------------------------------------------------
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def set_geometry(self, value: QByteArray) -> None:
        self.q.setValue("window/geometry", value)

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def set_window_state(self, value: QByteArray) -> None:
        self.q.setValue("window/state", value)

    def splitter(self) -> QByteArray | None:
        return self._bytes("window/splitter")

    def set_splitter(self, value: QByteArray) -> None:
        self.q.setValue("window/splitter", value)

    # -- board -------------------------------------------------------------------
    def board_columns(self) -> dict[str, BoardColumn]:
        """The board's columns by name (never by position, so a new column in a later version
        moves nothing a user arranged): where each stands, its width, whether it is hidden."""
        text = self._str("board/columns")
        if not text:
            return {}
        try:
            raw = json.loads(text)
            return {
                str(name): BoardColumn(int(v["pos"]), int(v["width"]), bool(v["hidden"])) for name, v in raw.items()
            }
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("saved board columns unreadable; using the defaults")
            return {}

    def set_board_columns(self, columns: dict[str, BoardColumn]) -> None:
        self.q.setValue(
            "board/columns",
            json.dumps({n: {"pos": c.pos, "width": c.width, "hidden": c.hidden} for n, c in columns.items()}),
        )

    def scope(self) -> str | None:
        return self._str("board/scope")

    def set_scope(self, value: str) -> None:
        self.q.setValue("board/scope", value)

    # -- alerts ------------------------------------------------------------------
    def alert_sound(self) -> bool:
        return self._int("alerts/sound", 0) == 1

    def set_alert_sound(self, on: bool) -> None:
        self.q.setValue("alerts/sound", 1 if on else 0)

    def sync(self) -> None:
        self.q.sync()
