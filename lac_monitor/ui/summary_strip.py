"""The counts a duty officer reads first: missing, away, high risk, RHIs due and overdue.

Each count is a button that filters the board to those children (click again to clear).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QWidget

from lac_monitor.domain.codes import RiskGrade
from lac_monitor.domain.status import ChildStatus
from lac_monitor.ui.board_model import OUT, STATUS_SYMBOLS, Entry
from lac_monitor.ui.flow_layout import FlowLayout


@dataclass(frozen=True)
class Chip:
    key: str
    label: str
    symbol: str
    statuses: frozenset[ChildStatus]
    risks: frozenset[str]
    help: str


CHIPS: tuple[Chip, ...] = (
    Chip(
        "missing",
        "Missing",
        STATUS_SYMBOLS[ChildStatus.MISSING],
        frozenset({ChildStatus.MISSING}),
        frozenset(),
        "Children missing now (whereabouts unknown)",
    ),
    Chip(
        "away",
        "Away",
        STATUS_SYMBOLS[ChildStatus.AWAY],
        frozenset({ChildStatus.AWAY}),
        frozenset(),
        "Children away from placement without authorisation (whereabouts known)",
    ),
    Chip(
        "high_risk",
        "High risk",
        "▲",
        frozenset(OUT),
        frozenset({RiskGrade.HIGH.value}),
        "Missing or away children graded high risk by the police",
    ),
    Chip(
        "rhi_due",
        "RHIs due",
        STATUS_SYMBOLS[ChildStatus.RETURNED_RHI_DUE],
        frozenset({ChildStatus.RETURNED_RHI_DUE}),
        frozenset(),
        "Returned children whose return-home interview is still to do",
    ),
    Chip(
        "rhi_overdue",
        "RHIs overdue",
        STATUS_SYMBOLS[ChildStatus.RHI_OVERDUE],
        frozenset({ChildStatus.RHI_OVERDUE}),
        frozenset(),
        "Returned children whose return-home interview was not offered within 72 hours",
    ),
)
CHIP_BY_KEY = {c.key: c for c in CHIPS}


def count(entries: Iterable[Entry], in_scope: Callable[[Entry], bool]) -> dict[str, int]:
    out = dict.fromkeys(CHIP_BY_KEY, 0)
    for e in entries:
        st = e.status
        if st is ChildStatus.IN_PLACEMENT or st is ChildStatus.LEFT_CARE or not in_scope(e):
            continue
        if st is ChildStatus.MISSING:
            out["missing"] += 1
        elif st is ChildStatus.AWAY:
            out["away"] += 1
        elif st is ChildStatus.RETURNED_RHI_DUE:
            out["rhi_due"] += 1
        elif st is ChildStatus.RHI_OVERDUE:
            out["rhi_overdue"] += 1
        if st in OUT and e.row.risk == RiskGrade.HIGH.value:
            out["high_risk"] += 1
    return out


class SummaryStrip(QWidget):
    """Clickable counts.

    Signals:
        chip_did_toggle(str, bool): a count was clicked; its key and whether it is now on.
    """

    chip_did_toggle = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryStrip")
        layout = FlowLayout(self)  # wraps on a narrow or magnified screen
        self.scope_label = QLabel(self)
        self.scope_label.setObjectName("summaryScope")
        layout.addWidget(self.scope_label)
        self.buttons: dict[str, QPushButton] = {}
        self.counts: dict[str, int] = dict.fromkeys(CHIP_BY_KEY, 0)
        for chip in CHIPS:
            b = QPushButton(self)
            b.setObjectName(f"chip_{chip.key}")
            b.setCheckable(True)
            b.setToolTip(f"{chip.help}. Click to show only these; click again to show all.")
            b.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
            font = QFont(b.font())
            font.setBold(True)
            b.setFont(font)
            b.clicked.connect(lambda checked, k=chip.key: self.chip_did_toggle.emit(k, checked))
            layout.addWidget(b)
            self.buttons[chip.key] = b
        self.set_counts(self.counts)

    def add_widget(self, widget: QWidget) -> None:
        """Another count beside the chips (the alerts' count), wrapping with them."""
        layout = self.layout()
        assert layout is not None
        layout.addWidget(widget)

    def set_scope_text(self, text: str) -> None:
        self.scope_label.setText(text)

    def set_counts(self, counts: dict[str, int]) -> None:
        self.counts = dict(counts)
        for chip in CHIPS:
            n = counts.get(chip.key, 0)
            b = self.buttons[chip.key]
            b.setText(f"{chip.symbol} {n} {chip.label}")
            b.setAccessibleName(f"{chip.label}: {n}")
            b.setAccessibleDescription(chip.help)
            # Weight, not colour alone, marks a count that needs attention.
            b.setProperty("attention", n > 0 and chip.key in ("missing", "high_risk", "rhi_overdue"))

    def set_active(self, key: str | None) -> None:
        for k, b in self.buttons.items():
            b.blockSignals(True)
            b.setChecked(k == key)
            b.blockSignals(False)

    def active(self) -> str | None:
        return next((k for k, b in self.buttons.items() if b.isChecked()), None)

    def chip_for(self, statuses: frozenset[ChildStatus], risks: frozenset[str]) -> str | None:
        for chip in CHIPS:
            if chip.statuses == statuses and chip.risks == risks:
                return chip.key
        return None
