"""What assistive technology and low-vision users need beyond names: announcements of live
changes, and colours that meet WCAG 2.1 AA.

`Announcer.announce(text)` sends a QAccessibleAnnouncementEvent (Orca, NVDA and Narrator
speak it) for the changes that matter: a child gone missing, a high alert, a save.
`apply_palette(app)` gives the selection, the focus frame and placeholder text AA
contrast; `FocusRing(view)` makes a focused table look different from an unfocused one.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

log = logging.getLogger(__name__)

# White on SELECTION 7.0:1; TEXT on INACTIVE_SELECTION 13:1; PLACEHOLDER on white 6.4:1;
# FOCUS against white 7.0:1 (3:1 needed for indicators).
SELECTION = "#1a5e9a"
SELECTED_TEXT = "#ffffff"
INACTIVE_SELECTION = "#d3e1ee"
INACTIVE_SELECTED_TEXT = "#000000"
PLACEHOLDER = "#5f5f5f"
FOCUS = "#1a5e9a"
FOCUS_RING_PX = 2


def contrast(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast ratio of two colours."""

    def lum(c: str) -> float:
        q = QColor(c)

        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * ch(q.redF()) + 0.7152 * ch(q.greenF()) + 0.0722 * ch(q.blueF())

    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def apply_palette(app: QApplication) -> None:
    """AA colours for selection and placeholders, app-wide (idempotent)."""
    pal = app.palette()
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Normal):
        pal.setColor(group, QPalette.ColorRole.Highlight, QColor(SELECTION))
        pal.setColor(group, QPalette.ColorRole.HighlightedText, QColor(SELECTED_TEXT))
    pal.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, QColor(INACTIVE_SELECTION))
    pal.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.HighlightedText, QColor(INACTIVE_SELECTED_TEXT))
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Normal):
        pal.setColor(group, QPalette.ColorRole.PlaceholderText, QColor(PLACEHOLDER))
    app.setPalette(pal)


class Announcer(QObject):
    """Speaks live changes through the platform's accessibility bridge.

    Signals:
        did_announce(str, bool): the text, and whether it was assertive (interrupts).
    """

    did_announce = Signal(str, bool)

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.widget = widget

    def announce(self, text: str, assertive: bool = False) -> None:
        event = QAccessibleAnnouncementEvent(self.widget, text)
        event.setPoliteness(
            QAccessible.AnnouncementPoliteness.Assertive if assertive else QAccessible.AnnouncementPoliteness.Polite
        )
        QAccessible.updateAccessibility(event)
        self.did_announce.emit(text, assertive)


class FocusRing(QWidget):
    """Holds one view and draws a ring in the focus colour round it while it has focus.

    The ring is this container's own painting, not a style sheet on the view: a style
    sheet sends every cell the view paints through Qt's style-sheet style, which cost the
    board a sixth of each repaint (and so of every search keystroke)."""

    def __init__(self, view: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        box = QVBoxLayout(self)
        box.setContentsMargins(FOCUS_RING_PX, FOCUS_RING_PX, FOCUS_RING_PX, FOCUS_RING_PX)
        box.setSpacing(0)
        box.addWidget(view)
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() in (QEvent.Type.FocusIn, QEvent.Type.FocusOut):
            self.update()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.view.hasFocus():
            return
        painter = QPainter(self)
        half = FOCUS_RING_PX / 2
        painter.setPen(
            QPen(
                QColor(FOCUS), FOCUS_RING_PX, Qt.PenStyle.SolidLine, Qt.PenCapStyle.SquareCap, Qt.PenJoinStyle.MiterJoin
            )
        )
        painter.drawRect(self.rect().toRectF().adjusted(half, half, -half, -half))
        painter.end()
