"""The administrator's escalation-ladder screen (stored in the shared database).

Bad values are refused inline, naming the field and the rule; the dialog stays open and
nothing typed is lost. Saving goes through a callable (SettingsService.save_ladder) so
tests need no database; without one the dialog is read-only (non-administrators).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import time
from typing import Any

from PySide6.QtCore import QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from lac_monitor.domain.errors import LacError, ValidationError
from lac_monitor.domain.ladder import FIELD_LABELS, Ladder, parse_bank_holidays, validate_ladder

HOUR_FIELDS = (
    "police_ref_chase_hours",
    "manager_review_hours",
    "strategy_meeting_hours",
    "head_of_service_hours",
    "rhi_hours",
    "mpu_hours",
    "host_notify_hours",
)
INT_FIELDS = {
    "repeat_count": (2, 50),
    "repeat_days": (1, 365),
    "profile_max_age_days": (1, 3650),
    "lookback_days": (1, 365),
}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class SettingsDialog(QDialog):
    """Edit the escalation ladder.

    Signals:
        ladder_did_save(object): the Ladder as saved.
    """

    ladder_did_save = Signal(object)

    def __init__(
        self, ladder: Ladder, save: Callable[[Ladder], Ladder] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Escalation ladder and office hours")
        self.setObjectName("settingsDialog")
        self._save = save
        self._original = ladder
        self.saved: Ladder | None = None
        self.hours: dict[str, QDoubleSpinBox] = {}
        self.counts: dict[str, QSpinBox] = {}

        ladder_box = QGroupBox("Escalation thresholds")
        form = QFormLayout(ladder_box)
        for name in HOUR_FIELDS:
            spin = QDoubleSpinBox()
            spin.setObjectName(name)
            spin.setRange(0.0, 24 * 30)
            spin.setDecimals(2)
            spin.setSingleStep(1.0)
            spin.setSuffix(" h")
            spin.setValue(float(getattr(ladder, name)))
            spin.setAccessibleName(FIELD_LABELS[name])
            self.hours[name] = spin
            form.addRow(_sentence(FIELD_LABELS[name]), spin)
        for name, (low, high) in INT_FIELDS.items():
            ispin = QSpinBox()
            ispin.setObjectName(name)
            ispin.setRange(low - 1 if name == "repeat_count" else 0, high)
            ispin.setValue(int(getattr(ladder, name)))
            ispin.setAccessibleName(FIELD_LABELS[name])
            self.counts[name] = ispin
            form.addRow(_sentence(FIELD_LABELS[name]), ispin)

        office = QGroupBox("Office hours (outside them the duty team sees every alert and restricted child)")
        oform = QFormLayout(office)
        self.office_start = QTimeEdit(QTime(ladder.office_start.hour, ladder.office_start.minute))
        self.office_start.setDisplayFormat("HH:mm")
        self.office_start.setAccessibleName(FIELD_LABELS["office_start"])
        self.office_end = QTimeEdit(QTime(ladder.office_end.hour, ladder.office_end.minute))
        self.office_end.setDisplayFormat("HH:mm")
        self.office_end.setAccessibleName(FIELD_LABELS["office_end"])
        oform.addRow("Start", self.office_start)
        oform.addRow("End", self.office_end)
        days = QHBoxLayout()
        self.days: list[QCheckBox] = []
        for i, label in enumerate(DAYS):
            box = QCheckBox(label)
            box.setChecked(i in ladder.office_days)
            self.days.append(box)
            days.addWidget(box)
        oform.addRow("Days", days)
        self.bank_holidays = QPlainTextEdit("\n".join(d.isoformat() for d in ladder.bank_holidays))
        self.bank_holidays.setObjectName("bank_holidays")
        self.bank_holidays.setTabChangesFocus(True)
        self.bank_holidays.setAccessibleName(FIELD_LABELS["bank_holidays"])
        self.bank_holidays.setToolTip(
            "One date a line, YYYY-MM-DD: the office is closed all day, so these count as weekend days"
        )
        self.bank_holidays.setFixedHeight(self.bank_holidays.fontMetrics().lineSpacing() * 6)
        oform.addRow("Bank holidays\n(one a line)", self.bank_holidays)

        self.error = QLabel()
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a00000; font-weight: bold;")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        if save is None:
            note = QLabel("Only an administrator can change these settings.")
            note.setObjectName("settingsReadOnly")
            layout.addWidget(note)
        layout.addWidget(ladder_box)
        layout.addWidget(office)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        if save is None:
            for w in (ladder_box, office):
                w.setEnabled(False)
            save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
            if save_button is not None:
                save_button.setEnabled(False)

    def ladder(self) -> Ladder:
        """The ladder as typed (not yet validated); fields not on this screen are kept."""
        values: dict[str, Any] = {n: round(s.value(), 2) for n, s in self.hours.items()}
        values.update({n: s.value() for n, s in self.counts.items()})
        start, end = self.office_start.time(), self.office_end.time()
        return replace(
            self._original,
            **values,
            office_start=time(start.hour(), start.minute()),
            office_end=time(end.hour(), end.minute()),
            office_days=tuple(i for i, box in enumerate(self.days) if box.isChecked()),
            bank_holidays=parse_bank_holidays(
                [line for line in self.bank_holidays.toPlainText().split() if line.strip()]
            ),
        )

    def try_save(self) -> bool:
        """Validate and save; on a problem show it inline and stay open."""
        if self._save is None:
            return False
        try:
            ladder = self.ladder()
            validate_ladder(ladder)
            saved = self._save(ladder)
        except ValidationError as exc:
            self._show_error(f"{_sentence(exc.field)}: {exc.rule}.", exc.field)
            return False
        except LacError as exc:
            self._show_error(str(exc), None)
            return False
        self.saved = saved
        self.error.hide()
        self.ladder_did_save.emit(saved)
        self.accept()
        return True

    def _show_error(self, text: str, field_label: str | None) -> None:
        self.error.setText(text)
        self.error.show()
        for name, label in FIELD_LABELS.items():
            widget = (
                self.hours.get(name)
                or self.counts.get(name)
                or {"office_end": self.office_end, "bank_holidays": self.bank_holidays}.get(name)
            )
            if widget is not None and label == field_label:
                widget.setFocus()
