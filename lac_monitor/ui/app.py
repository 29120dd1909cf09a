"""Placeholder until the status board lands: opens a window on the database."""

from __future__ import annotations

import sys


def run_gui(database: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    from lac_monitor.storage.config import resolve_database_url
    from lac_monitor.storage.database import Database

    app = QApplication.instance() or QApplication(sys.argv)
    db = Database.open(resolve_database_url(database).url)
    label = QLabel(f"LAC Monitor — {db.describe()}")
    label.resize(600, 200)
    label.show()
    return int(app.exec())
