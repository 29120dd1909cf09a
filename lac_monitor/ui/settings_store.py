"""Per-user window settings (QSettings): geometry, splitter, columns, sort and scope.

Typed accessors over versioned keys, so a later layout change can upgrade or drop old
values instead of restoring something that no longer fits. Never secrets: the database
password lives only in the keyring.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

VERSION = 1


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
    def board_header(self) -> QByteArray | None:
        """QHeaderView state: column order, widths, hidden columns."""
        return self._bytes("board/header")

    def set_board_header(self, value: QByteArray) -> None:
        self.q.setValue("board/header", value)

    def board_sort(self) -> tuple[int, int] | None:
        col, order = self._int("board/sort_column", -1), self._int("board/sort_order", 0)
        return None if col < 0 else (col, order)

    def set_board_sort(self, column: int, order: int) -> None:
        self.q.setValue("board/sort_column", column)
        self.q.setValue("board/sort_order", order)

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
