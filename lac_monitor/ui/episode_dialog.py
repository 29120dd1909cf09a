"""Forms for missing-episode actions: report, update/sighting, risk, police reference,
return, RHI and the Philomena profile.

Every form validates as you type and shows the rule a value breaks next to its field.
A rejected save keeps what the user typed: a `ValidationError` is shown beside the field
it names, a `ConflictError` offers Reload (fetch the newer version, keep the input), and a
`DatabaseUnavailableError` keeps the form open so it can be saved once the connection is
back. Forms are opened with `open()` (non-blocking) and tests drive them through
`field()`, `submit()` and the `make_conflict_box` factory, never by clicking.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from lac_monitor.domain.clock import Clock
from lac_monitor.domain.codes import MissingCategory, RiskGrade
from lac_monitor.domain.errors import ConflictError, LacError, ValidationError
from lac_monitor.domain.localtime import check_local_time, format_local, local_candidates, to_local, to_utc, tzname
from lac_monitor.domain.patterns import STEPS_FIELD, parse_step_lines, steps_expected
from lac_monitor.domain.record import RHI_OFFERED, RHI_OUTCOMES
from lac_monitor.domain.records import ChildDetail, EpisodeView, RhiView
from lac_monitor.domain.validation import CLOCK_SKEW
from lac_monitor.services.episodes import PROFILE_FIELDS, EpisodeService, Saved
from lac_monitor.ui import errors

log = logging.getLogger(__name__)

MAX_TEXT = 20000


@dataclass
class DialogContext:
    """What a form needs: the service to save with and a way to reload the child's record."""

    service: EpisodeService
    clock: Clock
    detail: ChildDetail
    load_detail: Callable[[], ChildDetail]

    @property
    def child_label(self) -> str:
        d = self.detail
        name = f"{d.first_name} {d.last_name}"
        if d.preferred_name and d.preferred_name != d.first_name:
            name = f"{d.first_name} ({d.preferred_name}) {d.last_name}"
        return f"{name} ({d.id})"


# -- widgets ---------------------------------------------------------------------------
class LocalTimeEdit(QDateTimeEdit):
    """A date and time in the council's local time; `value()` is aware UTC.

    The widget itself runs in UTC so the desktop's own time zone never shifts what the
    user typed; the fields are read as council-local wall time.

    Clock changes: a wall time the clocks skipped (spring, 01:00–01:59 in London) is a
    problem `clock_rule()` names; one that happened twice (autumn) shows `which`, a choice
    between the first and the second time, which the form places under the field, and
    `clock_rule()` asks for it until it is made.
    """

    def __init__(self, at: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._advanced = False  # the last digit completed a section and moved to the next
        self.setTimeZone(QTimeZone(QTimeZone.Initialization.UTC))
        self.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.setCalendarPopup(True)
        self.which = QComboBox(self)  # hidden inside the field until a form places it (`place_choice`)
        self._placed = False
        self.which.setObjectName("whichTime")
        self.which.hide()
        self._candidates: list[datetime] = []
        self.dateTimeChanged.connect(self._clock_changed)
        self.set_value(at)
        self._clock_changed()

    def _wall(self) -> datetime:
        d, t = self.date(), self.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())

    def _clock_changed(self, *_: object) -> None:
        """Offer the choice only while the wall time happened twice."""
        candidates = local_candidates(self._wall())
        if candidates == self._candidates:
            return
        self._candidates = candidates
        self.which.blockSignals(True)
        self.which.clear()
        if len(candidates) == 2:
            shown = f"{self._wall():%H:%M}"
            self.which.addItem(f"Which {shown}? Choose one", None)
            first, second = candidates
            self.which.addItem(f"{shown} {tzname(first)}, the first time (before the clocks went back)", 0)
            self.which.addItem(f"{shown} {tzname(second)}, the second time (after the clocks went back)", 1)
            self.which.setAccessibleName(f"Which {shown}: the clocks went back")
        self.which.blockSignals(False)
        self.which.setVisible(len(candidates) == 2 and self._placed)
        self.which.currentIndexChanged.emit(self.which.currentIndex())

    def place_choice(self, layout: QVBoxLayout | QFormLayout) -> None:
        """Put the "which one" choice under the field (hidden until a time happened twice)."""
        if isinstance(layout, QFormLayout):
            layout.addRow("", self.which)
        else:
            layout.addWidget(self.which)
        self._placed = True
        self.which.setVisible(len(self._candidates) == 2)

    def clock_rule(self) -> str | None:
        """What is wrong with the wall time because of a clock change, if anything."""
        if not self._candidates:
            try:
                check_local_time(self._wall())
            except ValueError as exc:
                return str(exc).split(": the clocks", 1)[0] + ": the clocks went forward an hour then"
        if len(self._candidates) == 2 and self.which.currentData() is None:
            return f"happened twice (the clocks went back an hour): choose the first or the second {self._wall():%H:%M}"
        return None

    def set_value(self, at: datetime) -> None:
        local = to_local(at)
        self.setDateTime(
            QDateTime(
                QDate(local.year, local.month, local.day),
                QTime(local.hour, local.minute),
                QTimeZone(QTimeZone.Initialization.UTC),
            )
        )
        self._clock_changed()
        if len(self._candidates) == 2:  # a time read back from the record: it says which
            self.which.setCurrentIndex(1 + self._candidates.index(min(self._candidates, key=lambda c: abs(c - at))))

    def value(self, later: bool = False) -> datetime:
        """UTC. A time that happened twice is the one chosen (else the first, or with `later` the
        second); one the clocks skipped is read with the offset before the change (see `clock_rule`)."""
        candidates = local_candidates(self._wall())
        if len(candidates) == 2:
            chosen = self.which.currentData()
            return candidates[chosen if chosen is not None else (1 if later else 0)]
        if candidates:
            return candidates[0]
        return to_utc(self._wall())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Typing over the whole field (Ctrl+A, then "25/11/2026 14:30") fills it from the day
        on, section by section, as it reads; Qt alone would put the first digits elsewhere."""
        line = self.lineEdit()
        typed = event.text()
        if typed and typed in "/:.- " and self._advanced:
            self._advanced = False  # the digits already moved on: "25/" is day 25, then the month
            return
        if typed.isdigit() and line.hasSelectedText() and line.selectedText() == line.text():
            self.setSelectedSection(QDateTimeEdit.Section.DaySection)
        before = self.currentSectionIndex()
        super().keyPressEvent(event)
        self._advanced = typed.isdigit() and self.currentSectionIndex() != before

    def focusNextPrevChild(self, forward: bool) -> bool:
        """Tab leaves the field (arrow keys and "/", ":" move between day, month, year, time)."""
        return QWidget.focusNextPrevChild(self, forward)


class OptionalTime(QWidget):
    """A time that may be left out (e.g. safe-and-well check not done yet)."""

    def __init__(self, text: str, at: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox(text, self)
        self.edit = LocalTimeEdit(at, self)
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        layout.addWidget(self.check)
        layout.addWidget(self.edit, 1)
        self.setFocusProxy(self.check)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # so its label's Alt+letter reaches the check box
        self.check.setAccessibleName(text)
        self.edit.setAccessibleName(f"{text} (time)")

    def value(self) -> datetime | None:
        return self.edit.value() if self.check.isChecked() else None

    def set_value(self, at: datetime | None) -> None:
        self.check.setChecked(at is not None)
        if at is not None:
            self.edit.set_value(at)


def _time_edit(widget: QWidget) -> LocalTimeEdit | None:
    """The local-time field inside a form field, if it has one."""
    if isinstance(widget, OptionalTime):
        return widget.edit
    return widget if isinstance(widget, LocalTimeEdit) else None


def _text(w: QWidget) -> str:
    if isinstance(w, QLineEdit):
        return w.text()
    if isinstance(w, QPlainTextEdit):
        return w.toPlainText()
    if isinstance(w, QComboBox):
        return w.currentText()
    raise TypeError(type(w).__name__)


def _opt(text: str) -> str | None:
    text = text.strip()
    return text or None


def risk_combo(parent: QWidget, allow_none: bool, current: str | None = None) -> QComboBox:
    combo = QComboBox(parent)
    if allow_none:
        combo.addItem("Not graded yet", None)
    for grade in sorted(RiskGrade, key=lambda g: -g.rank):
        combo.addItem(grade.label, grade.value)
    if current is not None:
        combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


# -- the form base ------------------------------------------------------------------------
class FormDialog(QDialog):
    """A form that saves through one service call.

    Signals:
        form_did_save(object): the `Saved` record after a successful save.
    """

    form_did_save = Signal(object)
    title = "Form"
    save_text = "&Save"

    def __init__(self, ctx: DialogContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"{self.title} — {ctx.child_label}")
        self.setAccessibleName(self.title)
        self.setModal(True)
        self._fields: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self._names: dict[str, str] = {}  # service field name -> key
        self._touched: set[str] = set()
        self._server_errors: dict[str, str] = {}  # rules the service named, until edited
        self._submitted = False
        self.last_box: QMessageBox | None = None
        self.make_conflict_box: Callable[[QWidget | None, ConflictError], QMessageBox] = errors.conflict_box
        outer = QVBoxLayout(self)
        self.notice = QLabel(self)
        self.notice.setObjectName("formNotice")
        self.notice.setWordWrap(True)
        self.notice.setAutoFillBackground(True)
        self.notice.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.notice.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.notice.setMargin(6)
        self.notice.hide()
        outer.addWidget(self.notice)
        heading = QLabel(f"<b>{_html(ctx.child_label)}</b>", self)
        outer.addWidget(heading)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAutoDefault(False)  # Enter on Cancel saves; only a click or Space cancels
        self.save_button = self.buttons.addButton(self.save_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.make_discard_box: Callable[[QWidget], QMessageBox] = discard_box
        self._discarding = False
        self.build()
        self._order_tabs()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        self.revalidate()

    def _order_tabs(self) -> None:
        """Fields top to bottom, then Cancel, then the default button last: Tab, Tab, Enter saves."""
        chain: list[QWidget] = []
        for widget in self._fields.values():
            if isinstance(widget, OptionalTime):
                chain += [widget.check, widget.edit, widget.edit.which]
            elif isinstance(widget, LocalTimeEdit):
                chain += [widget, widget.which]
            else:
                chain.append(widget)
        self._tab_chain = [*chain, self.cancel_button, self.save_button]
        for a, b in itertools.pairwise(self._stops()):
            QWidget.setTabOrder(a, b)

    def _stops(self) -> list[QWidget]:
        out: list[QWidget] = []
        for w in self._tab_chain:
            radios = w.findChildren(QRadioButton)
            if radios:  # a group of options is one stop: the chosen one (arrows move within)
                w = next((r for r in radios if r.isChecked()), radios[0])
            if w.isEnabled() and w.isVisibleTo(self) and w.focusPolicy() != Qt.FocusPolicy.NoFocus:
                out.append(w)
        return out

    def focusNextPrevChild(self, forward: bool) -> bool:
        """Tab walks the form's own order and wraps: never into the window behind, never stuck."""
        stops = self._stops()
        current = QApplication.focusWidget()
        at = next(
            (i for i, w in enumerate(stops) if current is not None and (w is current or w.isAncestorOf(current))), None
        )
        if at is None or not stops:
            return super().focusNextPrevChild(forward)
        target = stops[(at + (1 if forward else -1)) % len(stops)]
        target.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
        return True

    def first_field(self) -> QWidget | None:
        for widget in self._fields.values():
            target = widget.focusProxy() or widget
            if target.isEnabled() and target.focusPolicy() != Qt.FocusPolicy.NoFocus:
                return target
        return None

    def showEvent(self, event: QShowEvent) -> None:
        """Forms open on their first field, not on a button."""
        super().showEvent(event)
        first = self.first_field()
        if first is not None:
            first.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    @property
    def has_typed(self) -> bool:
        """The user changed something: closing now would lose it."""
        return bool(self._touched)

    def reject(self) -> None:
        """Escape, Cancel or the window's close button: with typed content, ask first."""
        if self._discarding or not self.has_typed:
            super().reject()
            return
        box = self.make_discard_box(self)
        self.last_box = box

        def answered(button: object) -> None:
            if box.buttonRole(button) == QMessageBox.ButtonRole.DestructiveRole:  # type: ignore[arg-type]
                self._discarding = True
                super(FormDialog, self).reject()

        box.buttonClicked.connect(answered)
        box.open()

    # subclasses ----------------------------------------------------------------------
    def build(self) -> None:
        raise NotImplementedError

    def check(self) -> dict[str, str]:
        """Client-side rules: key -> the rule broken. The service re-checks everything."""
        return {}

    def notes(self) -> dict[str, str]:
        """Things worth saying beside a field that do not stop the save: key -> text."""
        return {}

    def save(self) -> Saved:
        raise NotImplementedError

    def refresh(self, detail: ChildDetail) -> None:
        """After Reload: take the newer version numbers, keep what the user typed."""

    # building ------------------------------------------------------------------------
    def add_field(
        self, key: str, label: str, widget: QWidget, names: tuple[str, ...] = (), help_text: str | None = None
    ) -> QWidget:
        widget.setObjectName(f"field_{key}")
        lab = QLabel(label, self)
        lab.setBuddy(widget)
        plain = label.replace("&", "")
        widget.setAccessibleName(plain)
        if help_text:
            widget.setToolTip(help_text)
            widget.setAccessibleDescription(help_text)
        err = QLabel(self)
        err.setObjectName(f"error_{key}")
        err.setWordWrap(True)
        err.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        err.hide()
        box = QWidget(self)
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(widget)
        edit = _time_edit(widget)
        if edit is not None:
            edit.place_choice(v)
        v.addWidget(err)
        self.form.addRow(lab, box)
        self._fields[key] = widget
        self._errors[key] = err
        for n in (key, plain.lower().rstrip(":"), *names):
            self._names[n] = key
        self._watch(key, widget)
        return widget

    def _watch(self, key: str, widget: QWidget) -> None:
        def touched(*_: object) -> None:
            self._touched.add(key)
            self._server_errors.pop(key, None)
            self.revalidate()

        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(touched)
        elif isinstance(widget, QPlainTextEdit):
            widget.setTabChangesFocus(True)  # Tab moves on; the keyboard never gets stuck
            widget.textChanged.connect(touched)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(touched)
        elif isinstance(widget, QDateTimeEdit):
            widget.dateTimeChanged.connect(touched)
        elif isinstance(widget, OptionalTime):
            widget.check.toggled.connect(touched)
            widget.edit.dateTimeChanged.connect(touched)
        edit = _time_edit(widget)
        if edit is not None:
            edit.which.currentIndexChanged.connect(touched)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(touched)

    # reading -------------------------------------------------------------------------
    def field(self, key: str) -> Any:
        return self._fields[key]

    def error_text(self, key: str) -> str:
        lab = self._errors[key]
        return "" if lab.isHidden() or lab.text().startswith("ℹ") else lab.text()

    def note_text(self, key: str) -> str:
        lab = self._errors[key]
        return lab.text() if not lab.isHidden() and lab.text().startswith("ℹ") else ""

    def notice_text(self) -> str:
        return "" if self.notice.isHidden() else self.notice.text()

    def text(self, key: str) -> str | None:
        return _opt(_text(self._fields[key]))

    def now(self) -> datetime:
        return self.ctx.clock.now()

    # validation ------------------------------------------------------------------------
    def revalidate(self) -> dict[str, str]:
        problems = self.check()
        for key, widget in self._fields.items():
            edit = _time_edit(widget)
            rule = edit.clock_rule() if edit is not None and edit.isEnabled() else None
            if rule is not None:
                problems.setdefault(key, rule)
        notes = self.notes()
        for key in self._errors:
            rule = problems.get(key)
            shown = rule is not None and (self._submitted or key in self._touched)
            self._set_error(key, rule if shown else self._server_errors.get(key))
            if key in notes and self.error_text(key) == "":
                self._set_note(key, notes[key])
        return problems

    def _set_note(self, key: str, text: str) -> None:
        lab = self._errors[key]
        lab.setText(f"ℹ {text}")
        lab.show()
        self._fields[key].setAccessibleDescription(f"Note: {text}")

    def _set_error(self, key: str, rule: str | None) -> None:
        lab = self._errors[key]
        widget = self._fields[key]
        if rule:
            lab.setText(f"⚠ {rule}")
            lab.show()
            widget.setAccessibleDescription(f"Problem: {rule}")
        else:
            lab.clear()
            lab.hide()
            widget.setAccessibleDescription(widget.toolTip())

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()
        self.notice.setAccessibleName(text)

    def too_long(self, key: str, limit: int = MAX_TEXT) -> str | None:
        value = _text(self._fields[key])
        return f"must be at most {limit} characters (now {len(value)})" if len(value) > limit else None

    def future(self, at: datetime | None) -> str | None:
        now = self.now()
        if at is not None and at > now + CLOCK_SKEW:
            return f"cannot be in the future ({format_local(at)} is after now, {format_local(now)})"
        return None

    # saving -------------------------------------------------------------------------------
    def submit(self) -> bool:
        """Save if the form is valid; on any known error keep the form and the input."""
        self._submitted = True
        problems = self.revalidate()
        if problems:
            first = next(iter(problems))
            self._fields[first].setFocus()
            return False
        self.save_button.setEnabled(False)
        try:
            saved = self.save()
        except ValidationError as exc:
            key = self._names.get(exc.field) or self._names.get(exc.field.lower())
            if key is not None:
                self._server_errors[key] = exc.rule
                self._set_error(key, exc.rule)
                self._fields[key].setFocus()
            else:
                self.show_notice(f"Not saved: {exc.field} {exc.rule}")
            return False
        except ConflictError as exc:
            # The notice says who and when; the box only asks (the same words once, not twice).
            self.show_notice(f"Not saved: {exc}")
            box = self.make_conflict_box(self, exc)
            self.last_box = box
            box.buttonClicked.connect(
                lambda b: self.reload() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole else None
            )
            box.open()
            return False
        except LacError as exc:
            # Database unavailable and the like: keep everything; save again later.
            self.show_notice(f"Not saved. {exc}")
            return False
        finally:
            self.save_button.setEnabled(True)
        log.info("%s saved: %s %s", type(self).__name__, saved.entity, saved.id)
        self.form_did_save.emit(saved)
        self.accept()
        return True

    def reload(self) -> None:
        try:
            detail = self.ctx.load_detail()
        except LacError as exc:
            self.show_notice(f"Could not reload. {exc}")
            return
        self.ctx.detail = detail
        self.refresh(detail)
        self.show_notice("Reloaded the latest version. What you typed is kept: check it and save again.")


def discard_box(parent: QWidget) -> QMessageBox:
    """ "Discard what you typed?" — Keep editing is the default (Enter and Escape keep it)."""
    box = errors.message_box(
        parent,
        "Discard this form?",
        "You have typed into this form. Close it and lose what you typed?",
        QMessageBox.Icon.Question,
        QMessageBox.StandardButton.NoButton,
    )
    keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
    box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    return box


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _episode(detail: ChildDetail, episode_id: int) -> EpisodeView | None:
    return next((e for e in detail.episodes if e.id == episode_id), None)


# -- the forms ------------------------------------------------------------------------------
class ReportDialog(FormDialog):
    title = "Report missing or away"
    save_text = "&Report"

    def build(self) -> None:
        cat = QWidget(self)
        row = QHBoxLayout(cat)
        row.setContentsMargins(0, 0, 0, 0)
        self.missing = QRadioButton("&Missing (whereabouts unknown)", cat)
        self.away = QRadioButton("&Away (whereabouts known, not authorised)", cat)
        self.missing.setChecked(True)
        self.category_group = QButtonGroup(self)
        self.category_group.addButton(self.missing)
        self.category_group.addButton(self.away)
        row.addWidget(self.missing)
        row.addWidget(self.away)
        row.addStretch(1)
        cat.setFocusProxy(self.missing)
        self.add_field("category", "Category:", cat)
        self.add_field(
            "started_at",
            "Missing &since:",
            LocalTimeEdit(self.now(), self),
            ("start",),
            "When the child was last known to be where they should be",
        )
        self.add_field("risk", "Police risk &grade:", risk_combo(self, allow_none=True), ("risk grade",))
        self.add_field(
            "police_ref",
            "&Police reference:",
            QLineEdit(self),
            ("police reference",),
            "The police log number, if the police have been told",
        )
        self.add_field(
            "reported_by", "Reported &by:", QLineEdit(self), ("reported by",), "Who told us, e.g. foster carer"
        )
        self.add_field("last_seen_where", "Last seen &where:", QLineEdit(self), ("last seen where",))
        self.add_field("last_seen_with", "Last seen wi&th:", QLineEdit(self), ("last seen with",))
        self.add_field("last_seen_wearing", "Last seen w&earing:", QLineEdit(self), ("last seen wearing",))
        self.add_field("circumstances", "&Circumstances:", QPlainTextEdit(self), ("circumstances",))
        place = self.ctx.detail.current_placement
        expected = steps_expected(place.place if place else None)
        steps = QPlainTextEdit(self)
        steps.setPlaceholderText("One per line, with the time: 21:40 searched the house and garden")
        steps.setMaximumHeight(90)
        self.add_field(
            "steps",
            "Steps ta&ken before reporting:"
            if not expected
            else "Steps ta&ken before reporting (Philomena, this placement):",
            steps,
            (STEPS_FIELD, *(f"step {i} taken before reporting" for i in range(1, 31))),
            "What the carers did to find the child before calling the police, with times",
        )

    def steps(self) -> list[tuple[datetime, str]]:
        return parse_step_lines(self.text("steps"), to_local(self.now()))

    def category(self) -> str:
        return MissingCategory.AWAY.value if self.away.isChecked() else MissingCategory.MISSING.value

    def check(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if rule := self.future(self.field("started_at").value()):
            out["started_at"] = rule
        if rule := self.too_long("police_ref", 40):
            out["police_ref"] = rule
        for key in ("last_seen_where", "last_seen_with", "last_seen_wearing", "circumstances"):
            if rule := self.too_long(key):
                out[key] = rule
        try:
            self.steps()
        except ValidationError as exc:
            out["steps"] = exc.rule
        return out

    def save(self) -> Saved:
        return self.ctx.service.report(
            self.ctx.detail.id,
            self.category(),
            self.field("started_at").value(),
            risk=self.field("risk").currentData(),
            police_ref=self.text("police_ref"),
            reported_by=self.text("reported_by"),
            last_seen_where=self.text("last_seen_where"),
            last_seen_with=self.text("last_seen_with"),
            last_seen_wearing=self.text("last_seen_wearing"),
            circumstances=self.text("circumstances"),
            steps_taken=self.steps(),
        )


class EpisodeDialog(FormDialog):
    """A form about one missing episode (carries its version for the optimistic check)."""

    def __init__(self, ctx: DialogContext, episode: EpisodeView, parent: QWidget | None = None) -> None:
        self.episode = episode
        super().__init__(ctx, parent)

    def refresh(self, detail: ChildDetail) -> None:
        fresh = _episode(detail, self.episode.id)
        if fresh is not None:
            self.episode = fresh


class UpdateDialog(EpisodeDialog):
    title = "Add update or sighting"

    def build(self) -> None:
        kind = QWidget(self)
        row = QHBoxLayout(kind)
        row.setContentsMargins(0, 0, 0, 0)
        self.update_radio = QRadioButton("&Update", kind)
        self.sighting_radio = QRadioButton("S&ighting", kind)
        self.update_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.update_radio)
        group.addButton(self.sighting_radio)
        row.addWidget(self.update_radio)
        row.addWidget(self.sighting_radio)
        row.addStretch(1)
        kind.setFocusProxy(self.update_radio)
        self.add_field("kind", "Kind:", kind)
        self.add_field("at", "&When:", LocalTimeEdit(self.now(), self), ("time of update",))
        self.add_field(
            "text", "&Details:", QPlainTextEdit(self), ("update",), "What happened, who said it, what is planned"
        )

    def check(self) -> dict[str, str]:
        out: dict[str, str] = {}
        at = self.field("at").value()
        if rule := self.future(at):
            out["at"] = rule
        elif at < self.episode.started_at:
            out["at"] = f"cannot be before the start ({format_local(self.episode.started_at)})"
        if not (self.text("text") or ""):
            out["text"] = "is required"
        elif rule := self.too_long("text"):
            out["text"] = rule
        return out

    def save(self) -> Saved:
        return self.ctx.service.add_update(
            self.episode.id,
            _text(self.field("text")).strip(),
            sighting=self.sighting_radio.isChecked(),
            at=self.field("at").value(),
        )


class RiskDialog(EpisodeDialog):
    title = "Change police risk grade"

    def build(self) -> None:
        self.add_field("risk", "Police risk &grade:", risk_combo(self, False, self.episode.risk_grade), ("risk grade",))
        self.add_field(
            "reason",
            "&Reason:",
            QPlainTextEdit(self),
            ("reason",),
            "Why the grade changed (e.g. police re-graded after a sighting)",
        )

    def check(self) -> dict[str, str]:
        out: dict[str, str] = {}
        current = self.episode.risk_grade
        if current is not None and self.field("risk").currentData() == current:
            out["risk"] = f"is already {RiskGrade(current).label}"
        if rule := self.too_long("reason"):
            out["reason"] = rule
        return out

    def save(self) -> Saved:
        return self.ctx.service.change_risk(
            self.episode.id, self.episode.version, self.field("risk").currentData(), self.text("reason")
        )


class PoliceRefDialog(EpisodeDialog):
    title = "Record police reference"

    def build(self) -> None:
        ref = QLineEdit(self.episode.police_ref or "", self)
        self.add_field("police_ref", "&Police reference:", ref, ("police reference",), "The police log number")
        self.add_field(
            "reported_at",
            "Reported to police &at:",
            LocalTimeEdit(self.episode.police_reported_at or self.now(), self),
            ("reported to police",),
        )

    def check(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if not self.text("police_ref"):
            out["police_ref"] = "is required"
        elif rule := self.too_long("police_ref", 40):
            out["police_ref"] = rule
        at = self.field("reported_at").value()
        if rule := self.future(at):
            out["reported_at"] = rule
        elif at < self.episode.started_at:
            out["reported_at"] = f"cannot be before the start ({format_local(self.episode.started_at)})"
        return out

    def save(self) -> Saved:
        return self.ctx.service.record_police_ref(
            self.episode.id, self.episode.version, self.text("police_ref") or "", self.field("reported_at").value()
        )


class ReturnDialog(EpisodeDialog):
    title = "Record return"
    save_text = "Record re&turn"

    def build(self) -> None:
        self.add_field("returned_at", "&Returned or found at:", LocalTimeEdit(self.now(), self), ("returned", "start"))
        self.add_field("found_where", "&Where found:", QLineEdit(self), ("where found",))
        self.add_field(
            "return_method",
            "&How returned:",
            QLineEdit(self),
            ("how returned",),
            "e.g. returned by police, came back on own",
        )
        self.add_field(
            "safe_well_at", "Safe and well chec&k:", OptionalTime("Done at", self.now(), self), ("safe and well check",)
        )
        self.add_field("safe_well_by", "Check done &by:", QLineEdit(self), ("safe and well by",))
        self.add_field("safe_well_notes", "Check &notes:", QPlainTextEdit(self), ("safe and well notes",))

    def check(self) -> dict[str, str]:
        out: dict[str, str] = {}
        at = self.field("returned_at").value()
        if rule := self.future(at):
            out["returned_at"] = rule
        elif at < self.episode.started_at:
            out["returned_at"] = f"cannot be before the start ({format_local(self.episode.started_at)})"
        sw = self.field("safe_well_at").value()
        if rule := self.future(sw):
            out["safe_well_at"] = rule
        elif sw is not None and sw < at:
            out["safe_well_at"] = "cannot be before the return"
        for key in ("found_where", "safe_well_notes"):
            if rule := self.too_long(key):
                out[key] = rule
        return out

    def save(self) -> Saved:
        return self.ctx.service.record_return(
            self.episode.id,
            self.episode.version,
            self.field("returned_at").value(),
            found_where=self.text("found_where"),
            return_method=self.text("return_method"),
            safe_well_at=self.field("safe_well_at").value(),
            safe_well_by=self.text("safe_well_by"),
            safe_well_notes=self.text("safe_well_notes"),
        )


class RhiDialog(FormDialog):
    """Offer an RHI (covering one or more returned episodes) or record its outcome."""

    title = "Return-home interview"

    def __init__(self, ctx: DialogContext, rhi: RhiView | None, parent: QWidget | None = None) -> None:
        self.rhi = rhi
        super().__init__(ctx, parent)

    def uncovered(self) -> list[EpisodeView]:
        return [e for e in self.ctx.detail.episodes if e.returned_at is not None and e.rhi_id is None]

    def build(self) -> None:
        if self.rhi is None:
            self.save_button.setText("O&ffer RHI")
            episodes = QListWidget(self)
            for e in self.uncovered():
                item = QListWidgetItem(
                    f"{MissingCategory(e.category).label} {format_local(e.started_at)} – "
                    f"returned {format_local(e.returned_at)}",
                    episodes,
                )
                item.setData(Qt.ItemDataRole.UserRole, e.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if episodes.count() == 1 else Qt.CheckState.Unchecked)
            episodes.setMaximumHeight(self.fontMetrics().height() * 6)
            self.add_field("episodes", "&Episodes covered:", episodes, ("episodes",))
            episodes.itemChanged.connect(lambda *_: self.revalidate())
            offer = QComboBox(self)
            offer.addItem("Offered", "offered")
            for code, label in RHI_OUTCOMES.items():
                if code not in RHI_OFFERED:
                    offer.addItem(label, code)
            self.add_field(
                "offer", "&What happened:", offer, ("RHI outcome",), "Offered, or why no interview was offered"
            )
            self.add_field("offered_at", "Whe&n:", LocalTimeEdit(self.now(), self), ("offered at", "recorded at"))
            self.add_field("offered_by", "Offered &by:", QLineEdit(self.ctx.service.actor.label, self))
            offer.currentIndexChanged.connect(
                lambda *_: self.field("offered_by").setEnabled(offer.currentData() == "offered")
            )
            return
        outcome = QComboBox(self)
        outcome.addItem("Completed", "completed")
        outcome.addItem("Accepted (to be held)", "accepted")
        outcome.addItem("Declined by the young person", "declined")
        self.add_field("action", "&What happened:", outcome)
        self.add_field("at", "Whe&n:", LocalTimeEdit(self.now(), self), ("response at", "completed at"))
        self.add_field(
            "completed_by",
            "Completed &by:",
            QLineEdit(self),
            ("completed by",),
            "The independent person who held the interview",
        )
        self.add_field("outcome", "&Outcome:", QPlainTextEdit(self), ("outcome",))
        outcome.currentIndexChanged.connect(self._mode)
        self._mode()

    def _mode(self) -> None:
        completed = self.field("action").currentData() == "completed"
        for key in ("completed_by", "outcome"):
            self.field(key).setEnabled(completed)

    def checked_episodes(self) -> list[int]:
        lw: QListWidget = self.field("episodes")
        return [
            int(lw.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(lw.count())
            if lw.item(i).checkState() == Qt.CheckState.Checked
        ]

    def check(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.rhi is None:
            if not self.checked_episodes():
                out["episodes"] = "choose at least one returned episode"
            if rule := self.future(self.field("offered_at").value()):
                out["offered_at"] = rule
            return out
        if rule := self.future(self.field("at").value()):
            out["at"] = rule
        if self.field("action").currentData() == "completed":
            if not self.text("completed_by"):
                out["completed_by"] = "is required"
            if not self.text("outcome"):
                out["outcome"] = "is required"
        return out

    def refresh(self, detail: ChildDetail) -> None:
        if self.rhi is not None:
            self.rhi = next((r for r in detail.rhis if r.id == self.rhi.id), self.rhi)

    def save(self) -> Saved:
        svc = self.ctx.service
        if self.rhi is None:
            what = self.field("offer").currentData()
            if what != "offered":
                return svc.record_rhi_not_offered(self.checked_episodes(), what, None, self.field("offered_at").value())
            return svc.offer_rhi(self.checked_episodes(), self.field("offered_at").value(), self.text("offered_by"))
        action = self.field("action").currentData()
        at = self.field("at").value()
        if action == "completed":
            return svc.complete_rhi(
                self.rhi.id, self.rhi.version, self.text("completed_by") or "", self.text("outcome") or "", at
            )
        return svc.respond_rhi(self.rhi.id, self.rhi.version, action == "accepted", at)


PROFILE_LABELS = {
    "description": ("&Description:", "Height, build, hair, eyes, marks, usual clothing"),
    "associates": ("&Associates:", "Friends, family and adults of concern; where they live"),
    "places_likely": ("&Places likely to go:", "Addresses, areas, towns"),
    "phone": ("P&hone:", "The child's mobile number(s)"),
    "social_media": ("Social &media:", "Accounts and user names"),
    "medical_needs": ("Medical &needs:", "Medication, conditions, allergies"),
    "other_info": ("&Other information:", "Previous missing history, triggers, anything else"),
}


class ProfileDialog(FormDialog):
    title = "Philomena profile"

    def build(self) -> None:
        prof = self.ctx.detail.profile
        self.version = prof.version if prof else 0
        for key in PROFILE_FIELDS:
            label, tip = PROFILE_LABELS[key]
            value = getattr(prof, key) if prof else None
            widget: QWidget
            if key == "phone":
                widget = QLineEdit(value or "", self)
            else:
                widget = QPlainTextEdit(value or "", self)
                widget.setMaximumHeight(self.fontMetrics().height() * 4)
            self.add_field(key, label, widget, (key.replace("_", " "),), tip)

    def check(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key in PROFILE_FIELDS:
            if rule := self.too_long(key, 80 if key == "phone" else MAX_TEXT):
                out[key] = rule
        return out

    def refresh(self, detail: ChildDetail) -> None:
        self.version = detail.profile.version if detail.profile else 0

    def save(self) -> Saved:
        values = {key: self.text(key) for key in PROFILE_FIELDS}
        return self.ctx.service.save_profile(self.ctx.detail.id, self.version, **values)
