"""Message boxes, built by factory functions that return the box (tests never block).

Two tiers: a known error (`LacError`) becomes a plain-language message that says what
to do; anything else is a bug and goes to the crash dialog with the log tail.
Callers show boxes with `open()` (window-modal, non-blocking); only start-up, before
any window exists, uses `exec()`.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget

from lac_monitor.domain.errors import (
    AccessRefusedError,
    ConflictError,
    DatabaseTooNewError,
    DatabaseUnavailableError,
    LacError,
    UnknownLoginError,
)

# The two tiers' sorting is Qt-free (the live bridge needs it without the widgets).
from lac_monitor.ui.known_errors import FileProblemError as FileProblemError
from lac_monitor.ui.known_errors import as_known_error as as_known_error

log = logging.getLogger(__name__)


def message_box(
    parent: QWidget | None,
    title: str,
    text: str,
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
    details: str | None = None,
) -> QMessageBox:
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setObjectName("lacMessageBox")
    box.setAccessibleName(title)
    box.setAccessibleDescription(text)
    if details:
        box.setDetailedText(details)
    return box


def title_for(exc: LacError) -> str:
    if isinstance(exc, UnknownLoginError):
        return "Not on the staff list"
    if isinstance(exc, AccessRefusedError):
        return "Not allowed"
    if isinstance(exc, DatabaseUnavailableError):
        return "Database unavailable"
    if isinstance(exc, DatabaseTooNewError):
        return "LAC Monitor needs updating"
    if isinstance(exc, ConflictError):
        return "Changed by someone else"
    if isinstance(exc, FileProblemError):
        return "File not saved"
    return "LAC Monitor"


def known_error_box(parent: QWidget | None, exc: LacError, doing: str | None = None) -> QMessageBox:
    """A plain-language message for an error the user or IT can act on."""
    text = str(exc)
    if doing:
        text = f"{doing} did not work.\n\n{text}"
    return message_box(parent, title_for(exc), text)


def conflict_box(parent: QWidget | None, exc: ConflictError) -> QMessageBox:
    """Offers Reload: fetch their change, keep what this user typed, save again."""
    who = exc.by or "another user"
    box = message_box(
        parent,
        title_for(exc),
        f"Reload {who}'s change now? What you typed stays in the form; check it and save again.",
        QMessageBox.Icon.Information,
        QMessageBox.StandardButton.Cancel,
    )
    reload = box.addButton("&Reload", QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(reload)
    return box


def crash_box(
    parent: QWidget | None, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, log_tail: str
) -> QMessageBox:
    trace = "".join(traceback.format_exception(exc_type, exc, tb))
    details = f"{trace}\n--- recent log ---\n{log_tail}" if log_tail else trace
    box = message_box(
        parent,
        "LAC Monitor — unexpected error",
        "Something went wrong inside LAC Monitor. This is a fault in the program, not "
        "something you did. Anything already saved is safe.\n\n"
        "Please send the details below to IT (they contain no child's name), then carry on "
        "or restart the program.",
        QMessageBox.Icon.Critical,
        details=details,
    )
    return box


def ask_password(parent: QWidget | None, reason: str) -> str | None:
    """Shown when the keyring cannot supply the database password."""
    from PySide6.QtWidgets import QInputDialog

    text, ok = QInputDialog.getText(
        parent, "Database password", f"{reason}\n\nDatabase password:", QLineEdit.EchoMode.Password
    )
    return text if ok and text else None


def install_excepthook(log_path: Path | None, show: Callable[[QMessageBox], None] | None = None) -> None:
    """Route uncaught exceptions (bugs) to the crash dialog; known errors to a plain box."""
    from lac_monitor.logsetup import log_tail

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        app = QApplication.instance()
        parent = app.activeWindow() if isinstance(app, QApplication) else None
        known = as_known_error(exc)
        if known is not None:  # the environment's fault: a plain message, never the crash dialog
            log.warning("known error reached the top: %s", type(exc).__name__)
            box = known_error_box(parent, known)
        else:
            log.error("unexpected error", exc_info=(exc_type, exc, tb))
            box = crash_box(parent, exc_type, exc, tb, log_tail(log_path))
        if show is not None:
            show(box)
        elif app is not None:
            box.open()
        else:
            sys.__excepthook__(exc_type, exc, tb)

    sys.excepthook = hook
