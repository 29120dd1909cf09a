"""Seeing the pattern in the window: the Trends view (the monthly picture) and the Linked
children tab on the record.

Charts are drawn with QPainter rather than QtCharts: QtCharts lives in PySide6-Addons, which
the app only needs for the optional PDF preview, so the Trends view works on every install
(Essentials only), the bundle stays small, and two simple bar charts are ~100 lines. The
figures come from services/trends.py, the same query layer as the PDF; each chart has its
numbers beside it as text (screen readers read those).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime

from PySide6.QtCore import QDate, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from lac_monitor.domain.errors import LacError
from lac_monitor.domain.localtime import format_local, local_date
from lac_monitor.domain.patterns import NotifyParty
from lac_monitor.domain.trends import TrendsData, hours_text
from lac_monitor.reports.profile import flag_label
from lac_monitor.services.patterns import PatternService
from lac_monitor.services.trends import TrendsService, default_period
from lac_monitor.ui import errors
from lac_monitor.ui.episode_dialog import LocalTimeEdit
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.workers import Workers

log = logging.getLogger(__name__)

MISSING = QColor("#b3261e")
AWAY = QColor("#d9a21b")
BAR = QColor("#3b5b92")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def month_label(key: str) -> str:
    y, m = key.split("-")
    return f"{MONTHS[int(m) - 1]} {y[2:]}"


class MonthlyChart(QWidget):
    """Stacked bars: missing (red) and away (amber) episodes per month."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.months: tuple[tuple[str, int, int], ...] = ()
        self.setMinimumSize(QSize(420, 220))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Episodes per month chart (numbers in the table beside it)")

    def set_months(self, months: tuple[tuple[str, int, int], ...]) -> None:
        self.months = months
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = p.fontMetrics()
        w, h = self.width(), self.height()
        left, bottom, top = fm.horizontalAdvance("000") + 8, fm.height() + 8, fm.height() + 8
        plot_h = h - bottom - top
        top_value = max([m + a for _, m, a in self.months] + [1])
        step = max(1, round(top_value / 5))
        pal = self.palette()
        p.setPen(pal.color(pal.ColorRole.Text))
        p.fillRect(QRectF(left, 2, 10, 10), MISSING)
        p.drawText(int(left + 14), 11, "Missing")
        x2 = left + 24 + fm.horizontalAdvance("Missing")
        p.fillRect(QRectF(x2, 2, 10, 10), AWAY)
        p.drawText(int(x2 + 14), 11, "Away")
        for v in range(0, top_value + 1, step):
            y = top + plot_h - plot_h * v / top_value
            p.setPen(pal.color(pal.ColorRole.Mid))
            p.drawLine(int(left), int(y), w - 4, int(y))
            p.setPen(pal.color(pal.ColorRole.Text))
            p.drawText(
                QRectF(0, y - fm.height() / 2, left - 4, fm.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                str(v),
            )
        if not self.months:
            return
        slot = (w - left - 8) / len(self.months)
        bar = slot * 0.65
        for i, (key, m, a) in enumerate(self.months):
            x = left + 4 + i * slot + (slot - bar) / 2
            hm, ha = plot_h * m / top_value, plot_h * a / top_value
            base = top + plot_h
            p.fillRect(QRectF(x, base - hm, bar, hm), MISSING)
            p.fillRect(QRectF(x, base - hm - ha, bar, ha), AWAY)
            p.drawText(
                QRectF(x - slot * 0.2, base + 2, bar + slot * 0.4, fm.height()),
                int(Qt.AlignmentFlag.AlignHCenter),
                month_label(key),
            )
        p.end()


class BarList(QWidget):
    """Horizontal bars with their labels: a breakdown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pairs: Sequence[tuple[str, int]] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_pairs(self, pairs: Sequence[tuple[str, int]]) -> None:
        self.pairs = pairs
        row = self.fontMetrics().height() + 4
        self.setFixedHeight(max(row, row * len(pairs)) + 4)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        fm = p.fontMetrics()
        row = fm.height() + 4
        label_w = min(self.width() // 2, max([fm.horizontalAdvance(k[:28]) for k, _ in self.pairs] + [40]) + 8)
        top = max([n for _, n in self.pairs] + [1])
        avail = self.width() - label_w - fm.horizontalAdvance("0000") - 8
        pal = self.palette()
        for i, (k, n) in enumerate(self.pairs):
            y = 2 + i * row
            p.setPen(pal.color(pal.ColorRole.Text))
            shown = fm.elidedText(k, Qt.TextElideMode.ElideRight, label_w - 8)
            p.drawText(
                QRectF(0, y, label_w - 6, row), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), shown
            )
            bw = avail * n / top
            p.fillRect(QRectF(label_w, y + 2, bw, row - 4), BAR)
            p.drawText(QRectF(label_w + bw + 4, y, 60, row), int(Qt.AlignmentFlag.AlignVCenter), str(n))
        p.end()


def _numbers(rows: Sequence[tuple[str, str]]) -> QLabel:
    text = (
        "<table cellspacing=0 cellpadding=2>"
        + "".join(f"<tr><td>{html.escape(k)}</td><td align=right><b>{html.escape(v)}</b></td></tr>" for k, v in rows)
        + "</table>"
    )
    lab = QLabel(text)
    lab.setTextFormat(Qt.TextFormat.RichText)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lab.setAlignment(Qt.AlignmentFlag.AlignTop)
    return lab


class TrendsView(QWidget):
    """The monthly picture: pick the period, the figures load off the GUI thread.

    Signals:
        trends_did_load(object): TrendsData shown.
    """

    trends_did_load = Signal(object)

    def __init__(
        self,
        load: Callable[[date, date], TrendsData],
        start: date,
        end: date,
        on_error: Callable[[LacError], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("trendsView")
        self._load, self._on_error = load, on_error
        self.data: TrendsData | None = None
        self.workers = Workers(self, max_threads=1)  # a second refresh waits for the first
        outer = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.start_edit, self.end_edit = (
            QDateEdit(QDate(start.year, start.month, start.day)),
            QDateEdit(QDate(end.year, end.month, end.day)),
        )
        for label, edit in (("Fro&m", self.start_edit), ("Throu&gh", self.end_edit)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            lab = QLabel(label)
            lab.setBuddy(edit)
            bar.addWidget(lab)
            bar.addWidget(edit)
        self.refresh_button = QPushButton("Sho&w")
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)
        self.status = QLabel("")
        bar.addWidget(self.status, 1)
        outer.addLayout(bar)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.grid = QGridLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.monthly = MonthlyChart()
        self.month_numbers = _numbers([])
        self.headline = _numbers([])
        self.grid.addWidget(self._title("Episodes per month"), 0, 0, 1, 4)
        self.grid.addWidget(self.monthly, 1, 0, 1, 2)
        self.grid.addWidget(self.month_numbers, 1, 2)
        self.grid.addWidget(self.headline, 1, 3)
        self.breakdowns: dict[str, tuple[BarList, QLabel]] = {}
        titles = (
            "By placement type",
            "In or out of the council's area",
            "By locality",
            "By age at the start",
            "Top places children were found",
            "Open risk flags (children)",
        )
        for i, title in enumerate(titles):
            r, c = 2 + (i // 2) * 2, (i % 2) * 2
            chart, numbers = BarList(), _numbers([])
            self.grid.addWidget(self._title(title), r, c, 1, 2)
            self.grid.addWidget(chart, r + 1, c, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(numbers, r + 1, c + 1, Qt.AlignmentFlag.AlignTop)
            self.breakdowns[title] = (chart, numbers)
        self.grid.setRowStretch(self.grid.rowCount(), 1)
        self.grid.setColumnStretch(0, 2)
        self.grid.setColumnStretch(2, 2)

    @staticmethod
    def _title(text: str) -> QLabel:
        lab = QLabel(text)
        f = QFont(lab.font())
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.15)
        lab.setFont(f)
        return lab

    def period(self) -> tuple[date, date]:
        return self.start_edit.date().toPython(), self.end_edit.date().toPython()  # type: ignore[return-value]

    def refresh(self, wait: bool = False) -> None:
        start, end = self.period()
        self.status.setText("Loading…")
        self.refresh_button.setEnabled(False)
        if wait:  # tests and screenshots: the same work, on this thread
            try:
                data = self._load(start, end)
            except LacError as exc:
                self._failed(exc)
            else:
                self._show(data)
            return
        self.workers.run(lambda _job: self._load(start, end), done=self._show, failed=self._failed, key="trends")

    def _failed(self, exc: object) -> None:
        self.refresh_button.setEnabled(True)
        self.status.setText("Could not load the figures.")
        if isinstance(exc, LacError) and self._on_error is not None:
            self._on_error(exc)
        elif not isinstance(exc, LacError):
            log.error("trends failed: %s", type(exc).__name__)

    def _show(self, data: object) -> None:
        assert isinstance(data, TrendsData)
        self.data = data
        self.refresh_button.setEnabled(True)
        self.status.setText(f"Episodes that started {data.start:%d/%m/%Y} to {data.end:%d/%m/%Y}")
        self.monthly.set_months(data.months)
        self.month_numbers.setText(
            _numbers([("Month", "missing / away")] + [(month_label(k), f"{m} / {a}") for k, m, a in data.months]).text()
        )
        self.headline.setText(
            _numbers(
                [
                    ("Episodes", f"{data.episodes} ({data.missing} missing, {data.away} away)"),
                    ("Children with an episode", str(data.children)),
                    ("Children with 3 or more", str(data.repeat_children)),
                    ("Median time missing", hours_text(data.median_hours)),
                    ("Longest time missing", hours_text(data.longest_hours)),
                    ("Not ended by the end", str(data.still_open)),
                    (f"RHI offered within {data.rhi_hours:g} h", data.rhi_offered_72h.text()),
                    ("RHI accepted", data.rhi_accepted.text()),
                ]
            ).text()
        )
        sets = {
            "By placement type": data.by_placement,
            "In or out of the council's area": data.by_area,
            "By locality": data.by_locality,
            "By age at the start": data.by_age,
            "Top places children were found": data.top_found,
            "Open risk flags (children)": tuple((flag_label(k), n) for k, n in data.open_flags),
        }
        for title, pairs in sets.items():
            chart, numbers = self.breakdowns[title]
            chart.set_pairs(pairs)
            numbers.setText(_numbers([(k, str(n)) for k, n in pairs] or [("None in this period", "")]).text())
        self.trends_did_load.emit(data)


def linked_html(linked: Sequence[object]) -> str:
    """The Linked children tab: each child with why they are linked."""
    if not linked:
        return (
            "<p>No linked children: nobody missing at the same time in the last 90 days, "
            "no shared associate, no shared found-at place.</p>"
        )
    parts = []
    for c in linked:
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in getattr(c, "reasons", ()))
        parts.append(
            f"<p><b>{html.escape(getattr(c, 'name', ''))}</b> "
            f"({html.escape(getattr(c, 'child_id', ''))})</p><ul>{reasons}</ul>"
        )
    return "".join(parts)


def make_linked_tab(parent: QWidget) -> QTextBrowser:
    tab = QTextBrowser(parent)
    tab.setObjectName("linkedChildren")
    tab.setAccessibleName("Linked children")
    return tab


def checklist_html(check: object | None) -> str:
    """The notification checklist of an episode, as the record shows it."""
    if check is None:
        return "<p>No missing episode recorded.</p>"
    items = getattr(check, "items", ())
    where = "placed out of area" if getattr(check, "out_of_area", False) else "placed in area (or not known)"
    host = getattr(check, "host_la", None)
    parts = [
        f"<p>Episode {getattr(check, 'episode_id', '')}: {where}"
        + (f", host council {html.escape(host)}" if host else "")
        + ".</p><ul>"
    ]
    for item in items:
        mark = "✔" if item.is_done else "✘ to do"
        parts.append(f"<li><b>{mark} {html.escape(item.label)}</b>")
        if item.contact is not None:
            line = item.contact.police_line() if item.party == NotifyParty.HOST_POLICE else item.contact.line()
            parts.append(f"<br>Contact: {html.escape(line)}")
        for d in item.done:
            parts.append(
                f"<br>{format_local(d.notified_at)}: {html.escape(d.notified_by)} told "
                f"{html.escape(d.notified_whom)}"
                + (f" ({html.escape(d.method)})" if d.method else "")
                + f"; recorded by {html.escape(d.recorded_by)}"
            )
        parts.append("</li>")
    parts.append("</ul>")
    return "".join(parts)


class NotifyDialog(QDialog):
    """Record who told whom, and when, for one episode."""

    def __init__(
        self,
        save: Callable[[str, datetime, str, str, str | None], object],
        now: datetime,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record a notification")
        self.setObjectName("notifyDialog")
        self._save = save
        form = QFormLayout(self)
        self.party = QComboBox(self)
        for code in NotifyParty.ALL:
            self.party.addItem(NotifyParty.LABELS[code], code)
        self.at = LocalTimeEdit(now, self)  # council time; asks which when the clocks went back
        self.by, self.whom, self.method = QLineEdit(self), QLineEdit(self), QLineEdit(self)
        self.by.setPlaceholderText("who told them (for the UK Missing Persons Unit: who confirmed)")
        self.whom.setPlaceholderText("who was told: name, team")
        self.method.setPlaceholderText("phone, email, secure email")
        for label, w in (
            ("&Told:", self.party),
            ("&When:", self.at),
            ("&By:", self.by),
            ("&Whom:", self.whom),
            ("&How:", self.method),
        ):
            form.addRow(label, w)
            w.setAccessibleName(label.replace("&", "").rstrip(":"))
            if w is self.at:
                self.at.place_choice(form)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def submit(self) -> bool:
        rule = self.at.clock_rule()
        if rule is not None:
            self.error.setText(f"Not saved: When {rule}")
            return False
        at = self.at.value()
        try:
            self._save(self.party.currentData(), at, self.by.text(), self.whom.text(), self.method.text() or None)
        except LacError as exc:
            self.error.setText(f"Not saved: {exc}")
            return False
        self.accept()
        return True


class PatternsFeature:
    """View ▸ Trends (a dock, loaded when first shown) and the record's Linked children tab."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        w = window
        self.trends_service = TrendsService(w.db, w.actor, w.clock)
        self.patterns = PatternService(w.db, w.actor, w.clock)
        start, end = default_period(local_date(w.clock.now()))
        self.trends = TrendsView(self.trends_service.trends, start, end, self._error)
        self.dock = w.add_dock(self.trends, "Trends", Qt.DockWidgetArea.RightDockWidgetArea, "trendsDock")
        self.dock.hide()
        self.dock.visibilityChanged.connect(self._first_show)
        detail = w.detail_view
        self.linked = make_linked_tab(detail.tabs)
        detail.tabs.addTab(self.linked, "Linked children")  # Ctrl+Tab: every Alt letter here is taken
        self.notices = QWidget(detail.tabs)
        box = QVBoxLayout(self.notices)
        self.checklist = QTextBrowser(self.notices)
        self.checklist.setObjectName("notificationChecklist")
        self.checklist.setAccessibleName("Notification checklist")
        self.notify_button = QPushButton("Record a notification…", self.notices)  # Tab reaches it
        self.notify_button.clicked.connect(self.ask_notify)
        box.addWidget(self.checklist)
        box.addWidget(self.notify_button)
        detail.tabs.addTab(self.notices, "&Notifications")
        self.episode_id: int | None = None
        self.notify_dialog: NotifyDialog | None = None
        w.child_did_open.connect(self.show_linked)
        w.child_did_open.connect(self.show_checklist)

    def _first_show(self, visible: bool) -> None:
        if visible and self.trends.data is None:
            self.trends.refresh()

    def _error(self, exc: LacError) -> None:
        self.window.show_box(errors.known_error_box(self.window, exc, "loading the trends"))

    def show_checklist(self, child_id: str) -> None:
        detail = self.window.detail_view.detail
        episodes = detail.episodes if detail is not None and detail.id == child_id else ()
        self.episode_id = episodes[0].id if episodes else None  # newest first
        self.notify_button.setEnabled(self.episode_id is not None)
        try:
            check = self.patterns.checklist(self.episode_id) if self.episode_id is not None else None
            self.checklist.setHtml(checklist_html(check))
        except LacError as exc:
            self.checklist.setHtml(f"<p>{html.escape(str(exc))}</p>")

    def ask_notify(self) -> NotifyDialog | None:
        if self.episode_id is None:
            return None
        episode_id = self.episode_id

        def save(party: str, at: datetime, by: str, whom: str, method: str | None) -> object:
            return self.patterns.record_notification(
                episode_id, party, at, notified_by=by, notified_whom=whom, method=method
            )

        dlg = NotifyDialog(save, self.patterns.clock.now(), self.window)

        def refresh() -> None:
            shown = self.window.detail_view.child_id
            if shown is not None:
                self.show_checklist(shown)

        dlg.accepted.connect(refresh)
        self.notify_dialog = dlg
        dlg.open()
        return dlg

    def show_linked(self, child_id: str) -> None:
        try:
            self.linked.setHtml(linked_html(self.patterns.linked(child_id)))
        except LacError as exc:
            self.linked.setHtml(f"<p>{html.escape(str(exc))}</p>")
