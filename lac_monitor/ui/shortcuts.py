"""Every keyboard shortcut of the main window, in one table: the command, its keys and what it
does. Actions, tooltips, status tips and help text all read them from here, so a shortcut is
changed in one place and two commands can never share keys (tests/ui/test_keyboard.py).

Keys are written in Qt's portable form ("Ctrl+Shift+A"); people read them in the platform's
own form (`key_text`: "⌘⇧A" on a Mac).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence


class Command(StrEnum):
    REPORT = "report"
    UPDATE = "update"
    RISK = "risk"
    POLICE_REF = "police_ref"
    RETURN = "return"
    RHI = "rhi"
    PROFILE = "profile"
    FIND = "find"
    BOARD = "board"
    CLEAR_FILTERS = "clear_filters"
    QUIT = "quit"
    ALERTS = "alerts"
    PRINT_HANDOVER = "print_handover"
    PRINT_PROFILE = "print_profile"
    WHO_VIEWED = "who_viewed"


@dataclass(frozen=True, slots=True)
class Shortcut:
    keys: str  # portable form, e.g. "Ctrl+Shift+A"
    description: str  # the tooltip, without the keys


SHORTCUTS: dict[Command, Shortcut] = {
    # Child menu and toolbar: the episode, in the order a duty officer works through it.
    Command.REPORT: Shortcut("Ctrl+N", "Report the selected child missing or away"),
    Command.UPDATE: Shortcut("Ctrl+U", "Add an update or a sighting to the open episode"),
    Command.RISK: Shortcut("Ctrl+G", "Change the police risk grade"),
    Command.POLICE_REF: Shortcut("Ctrl+L", "Record the police reference (log number)"),
    Command.RETURN: Shortcut("Ctrl+R", "Record that the child has returned or been found"),
    Command.RHI: Shortcut("Ctrl+I", "Offer a return-home interview or record its outcome"),
    Command.PROFILE: Shortcut("Ctrl+E", "Edit the Philomena profile given to the police"),
    Command.PRINT_PROFILE: Shortcut("Ctrl+Shift+P", "Philomena profile of the selected child, to give to the police"),
    Command.WHO_VIEWED: Shortcut("Ctrl+Shift+V", "Who viewed or printed the selected child's record"),
    # View menu
    Command.FIND: Shortcut("Ctrl+F", "Search by name, child ID or police reference"),
    Command.BOARD: Shortcut("Ctrl+B", "Move the focus to the board"),
    Command.CLEAR_FILTERS: Shortcut("Ctrl+Shift+X", "Show every child in the scope, most urgent first"),
    Command.ALERTS: Shortcut("Ctrl+Shift+A", "Show the alert inbox"),
    # File menu
    Command.PRINT_HANDOVER: Shortcut("Ctrl+P", "Handover sheet for a shift: preview, print or save as PDF"),
    Command.QUIT: Shortcut("Ctrl+Q", "Close LAC Monitor"),
}


def key_sequence(command: Command) -> QKeySequence:
    return QKeySequence(SHORTCUTS[command].keys)


def key_text(command: Command) -> str:
    """The keys as people read them on this platform."""
    return key_sequence(command).toString(QKeySequence.SequenceFormat.NativeText)


def tip(command: Command, text: str | None = None) -> str:
    """ "What it does (keys)": `text` instead of the table's description where the tip says more."""
    return f"{text or SHORTCUTS[command].description} ({key_text(command)})"


def make_action(command: Command, text: str, parent: QObject, slot: Callable[[], object] | None = None) -> QAction:
    """A window-wide action with the command's keys, tooltip and status tip."""
    action = QAction(text, parent)
    action.setShortcut(key_sequence(command))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setToolTip(tip(command))
    action.setStatusTip(tip(command))
    if slot is not None:
        action.triggered.connect(slot)
    return action
