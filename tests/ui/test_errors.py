"""Known errors become plain language; bugs go to the crash dialog with the log tail."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from lac_monitor.domain.errors import ConflictError, DatabaseTooNewError, DatabaseUnavailableError
from lac_monitor.ui import app, errors


def test_known_errors_are_plain_language(qtbot) -> None:  # type: ignore[no-untyped-def]
    box = errors.known_error_box(
        None,
        DatabaseTooNewError("This database was upgraded by a newer LAC Monitor. Ask IT to update this computer."),
        "Starting LAC Monitor",
    )
    assert box.windowTitle() == "LAC Monitor needs updating"
    assert box.text().startswith("Starting LAC Monitor did not work.")
    assert "Ask IT to update" in box.text()
    assert "Traceback" not in box.text() and not box.detailedText()
    conflict = errors.conflict_box(None, ConflictError("Missing episode 4", "Morgan Managerone", "14:02"))
    roles = {b.text(): conflict.buttonRole(b) for b in conflict.buttons()}
    assert roles["&Reload"] == QMessageBox.ButtonRole.AcceptRole


def test_crash_dialog_carries_the_trace_and_log_tail(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "lac-monitor.log"
    log.write_text("line one\nINFO opened database\nWARNING something odd\n", encoding="utf-8")
    shown: list[QMessageBox] = []
    old = sys.excepthook
    errors.install_excepthook(log, show=shown.append)
    try:
        try:
            raise KeyError("a bug")
        except KeyError:
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
        sys.excepthook(DatabaseUnavailableError, DatabaseUnavailableError("The server is down."), None)
    finally:
        sys.excepthook = old
    crash, known = shown
    assert crash.icon() == QMessageBox.Icon.Critical
    assert "fault in the program" in crash.text()
    assert "KeyError: 'a bug'" in crash.detailedText()
    assert "WARNING something odd" in crash.detailedText()
    assert known.windowTitle() == "Database unavailable" and known.text() == "The server is down."


def test_start_up_failure_is_a_message_not_a_traceback(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    class Box:
        def __init__(self, text: str) -> None:
            self.text = text

        def exec(self) -> int:
            seen.append(self.text)
            return 0

    monkeypatch.setattr(errors, "known_error_box", lambda parent, exc, doing=None: Box(f"{doing}: {exc}"))
    monkeypatch.setattr(errors, "install_excepthook", lambda *a, **k: None)
    asked: list[str] = []
    monkeypatch.setattr(errors, "ask_password", lambda parent, reason: asked.append(reason))  # no keyring here
    code = app.run_gui("postgresql://nobody@127.0.0.1:9/nowhere")
    assert code == 2
    assert seen and seen[0].startswith("Starting LAC Monitor: The database at")
    assert "cannot be reached" in seen[0]
