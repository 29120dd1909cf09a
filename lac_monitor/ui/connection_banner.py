"""A visible banner while live updates are lost: "Connection lost — retrying, last update 14:02".

It says what is happening and what the user can do (nothing: it retries by itself;
or "Retry now"). Open forms keep their content and can be saved once the connection is back.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class ConnectionBanner(QFrame):
    """Hidden while connected.

    Signals:
        retry_was_requested(): the user pressed "Retry now".
    """

    retry_was_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFrameShadow(QFrame.Shadow.Raised)
        # Palette roles, not fixed colours, so high-contrast themes still read well.
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.icon = QLabel("⚠", self)
        self.icon.setAccessibleName("Warning")
        self.text = QLabel(self)
        self.text.setObjectName("connectionBannerText")
        self.text.setForegroundRole(QPalette.ColorRole.ToolTipText)
        font = self.text.font()
        font.setBold(True)
        self.text.setFont(font)
        self.icon.setFont(font)
        self.hint = QLabel("Changes made here are kept; save again once it is back.", self)
        self.hint.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.hint.setWordWrap(True)
        self.retry = QPushButton("Retr&y now", self)
        self.retry.setObjectName("connectionRetry")
        self.retry.clicked.connect(self.retry_was_requested)
        layout.addWidget(self.icon)
        layout.addWidget(self.text)
        layout.addWidget(self.hint, 1)
        layout.addWidget(self.retry)
        self.setAccessibleName("Connection status")
        self.hide()

    def show_lost(self, message: str) -> None:
        self.text.setText(message)
        self.setAccessibleDescription(message)
        self.show()

    def clear(self) -> None:
        self.text.setText("")
        self.hide()

    @property
    def message(self) -> str:
        return "" if self.isHidden() else self.text.text()
