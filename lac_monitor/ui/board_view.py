"""The board table: status badges, column choice from the header, keyboard first.

Badges add colour to text and a symbol; they never replace them, and the text is drawn
in the palette's own text colour so large-font and high-contrast themes stay readable.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from lac_monitor.domain.status import ChildStatus
from lac_monitor.ui.board_model import COLUMNS, STATUS_ROLE, Col, status_text

AnyIndex = QModelIndex | QPersistentModelIndex

# Accent colours only (border and a light tint); the words and symbol carry the meaning.
BADGE_COLOURS: dict[ChildStatus, QColor] = {
    ChildStatus.MISSING: QColor(198, 40, 40),
    ChildStatus.AWAY: QColor(230, 120, 0),
    ChildStatus.RHI_OVERDUE: QColor(123, 31, 162),
    ChildStatus.RETURNED_RHI_DUE: QColor(21, 101, 192),
}


class StatusBadgeDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fonts: dict[str, tuple[QFont, QFontMetrics, int]] = {}  # by the cell font's key

    def _bold(self, font: QFont) -> tuple[QFont, QFontMetrics, int]:
        """The badge's bold font, its metrics and padding: made once per font, not per cell."""
        key = font.key()
        got = self._fonts.get(key)
        if got is None:
            bold = QFont(font)
            bold.setBold(True)
            fm = QFontMetrics(bold)
            got = self._fonts[key] = (bold, fm, max(3, fm.height() // 5))
        return got

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        value = index.data(STATUS_ROLE)  # Qt hands a StrEnum back as plain str
        accent = BADGE_COLOURS.get(ChildStatus(value)) if value else None
        if accent is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        font, fm, pad = self._bold(opt.font)
        rect: QRect = opt.rect.adjusted(pad, pad // 2 + 1, -pad, -(pad // 2) - 1)
        width = min(rect.width(), fm.horizontalAdvance(text) + 3 * pad)
        badge = QRect(rect.left(), rect.top(), width, rect.height())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        tint = QColor(accent)
        tint.setAlpha(40)
        painter.setBrush(tint)
        painter.setPen(QPen(accent, 2))
        radius = badge.height() / 2.5
        painter.drawRoundedRect(badge, radius, radius)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        # The group the row's background was drawn in: a selection in a window that is not
        # active is drawn light, and its text must be dark (the palette's own group may not say so).
        if not opt.state & QStyle.StateFlag.State_Enabled:
            group = QPalette.ColorGroup.Disabled
        elif opt.state & QStyle.StateFlag.State_Active:
            group = QPalette.ColorGroup.Active
        else:
            group = QPalette.ColorGroup.Inactive
        painter.setPen(opt.palette.color(group, role))
        painter.setFont(font)
        painter.drawText(
            badge.adjusted(pad + 2, 0, -pad, 0),
            int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
            fm.elidedText(text, Qt.TextElideMode.ElideRight, badge.width() - 2 * pad - 2),
        )
        painter.restore()


class BoardView(QTableView):
    """The table of children.

    Signals:
        child_was_activated(str): Enter or double-click on a row; argument is the child id.
        columns_did_change(): a column was shown, hidden, moved or resized.
    """

    child_was_activated = Signal(str)
    columns_did_change = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("board")
        self.setAccessibleName("Children board")
        self.setAccessibleDescription("Every child's status; missing and away children first")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table for the next control
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setSortingEnabled(True)
        self.setShowGrid(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        vh = self.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(int(self.fontMetrics().height() * 1.7))
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.sectionResized.connect(lambda *_: self.columns_did_change.emit())
        header.sectionMoved.connect(lambda *_: self.columns_did_change.emit())
        header.sortIndicatorChanged.connect(self._keep_status_urgent)
        self.setItemDelegateForColumn(Col.STATUS, StatusBadgeDelegate(self))
        self.doubleClicked.connect(self._activate)

    def _keep_status_urgent(self, section: int, order: Qt.SortOrder) -> None:
        """Status sorts one way only: most urgent (missing, high risk) first. A second click on
        the header must never sink the missing children under thousands of others."""
        if section == Col.STATUS and order != Qt.SortOrder.AscendingOrder:
            self.horizontalHeader().setSortIndicator(Col.STATUS, Qt.SortOrder.AscendingOrder)

    def sort_by_urgency(self) -> None:
        self.horizontalHeader().setSortIndicator(Col.STATUS, Qt.SortOrder.AscendingOrder)

    def reset_columns(self) -> None:
        """Columns back to their first-run order, widths and visibility."""
        header = self.horizontalHeader()
        for logical in range(header.count()):
            visual = header.visualIndex(logical)
            if visual != logical:
                header.moveSection(visual, logical)
        self.apply_default_columns()

    def apply_default_columns(self) -> None:
        """Widths in character widths, so large fonts get wider columns."""
        char = self.fontMetrics().averageCharWidth()
        header = self.horizontalHeader()
        for col, spec in COLUMNS.items():
            header.resizeSection(col, int(spec.width * char * 1.15) + 16)
            header.setSectionHidden(col, not spec.visible)
        # The status badge is bold and must never be cut: size it to the longest label.
        bold = QFont(self.font())
        bold.setBold(True)
        fm = QFontMetrics(bold)
        widest = max(fm.horizontalAdvance(status_text(s)) for s in ChildStatus)
        header.resizeSection(Col.STATUS, widest + 4 * max(3, fm.height() // 5) + 12)

    def set_column_visible(self, col: int, visible: bool) -> None:
        if not visible and self.visible_column_count() <= 1:
            return
        self.horizontalHeader().setSectionHidden(col, not visible)
        self.columns_did_change.emit()

    def visible_column_count(self) -> int:
        header = self.horizontalHeader()
        return sum(1 for c in range(header.count()) if not header.isSectionHidden(c))

    def column_menu(self, parent: QWidget | None = None) -> QMenu:
        menu = QMenu("Col&umns", parent or self)
        header = self.horizontalHeader()
        for col, spec in COLUMNS.items():
            action = menu.addAction(spec.title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(col))
            action.toggled.connect(lambda on, c=int(col): self.set_column_visible(c, on))
        menu.addSeparator()
        reset = menu.addAction("Reset to default columns")
        reset.triggered.connect(self._reset_columns)
        return menu

    def _reset_columns(self) -> None:
        header = self.horizontalHeader()
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            if logical != visual:
                header.moveSection(header.visualIndex(visual), visual)
        self.apply_default_columns()
        self.columns_did_change.emit()

    def _header_menu(self, pos: QPoint) -> None:
        menu = self.column_menu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.horizontalHeader().mapToGlobal(pos))

    def current_child_id(self) -> str | None:
        idx = self.currentIndex()
        if not idx.isValid():
            return None
        value = idx.siblingAtColumn(Col.CHILD_ID).data(Qt.ItemDataRole.DisplayRole)
        return str(value) if value else None

    def _activate(self, index: QModelIndex) -> None:
        cid = index.siblingAtColumn(Col.CHILD_ID).data(Qt.ItemDataRole.DisplayRole)
        if cid:
            self.child_was_activated.emit(str(cid))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._activate(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)
