"""One child's record: photo, names, placement and contacts, risk flags, the Philomena
profile and the timeline of missing episodes with updates, returns and RHIs.

Plain values in (`ChildDetail`, `BoardRow`), no database access here; the window loads
the record (and audits the opening) and hands it over.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QAction, QFont, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from lac_monitor.domain.codes import ETHNIC, PLACE, SEX, MissingCategory
from lac_monitor.domain.localtime import format_duration, format_local, local_date
from lac_monitor.domain.patterns import counts_text, episode_counts
from lac_monitor.domain.record import RHI_OUTCOMES
from lac_monitor.domain.records import PROFILE_TEXT_FIELDS, ChildDetail, EpisodeView, RhiView
from lac_monitor.domain.status import DEFAULT_RHI_HOURS, ChildStatus, age_on, rhi_due_at
from lac_monitor.domain.values import BoardRow
from lac_monitor.ui.board_model import OUT, flag_label, risk_label, status_text
from lac_monitor.ui.shortcuts import Command, key_text

EVENT_LABELS = {
    "reported": "Reported",
    "risk": "Risk grade",
    "police_ref": "Police reference",
    "update": "Update",
    "sighting": "Sighting",
    "reclassified": "Category changed",
    "amended": "Time amended",
    "returned": "Returned",
    "safe_well": "Safe and well check",
    "rhi_offered": "RHI offered",
    "rhi_not_offered": "RHI not offered",
    "step_before_report": "Step taken before reporting",
}


def _e(text: str | None) -> str:
    return escape(text or "").replace("\n", "<br>")


def _event_value(kind: str, value: str | None) -> str:
    if not value:
        return ""
    if kind == "risk":
        return risk_label(value)
    if kind in ("reported", "reclassified"):
        try:
            return MissingCategory(value).label
        except ValueError:
            return value
    return value


def timeline_html(detail: ChildDetail, now: datetime, rhi_hours: float = DEFAULT_RHI_HOURS) -> str:
    if not detail.episodes:
        return "<p>No missing episodes recorded.</p>"
    rhis = {r.id: r for r in detail.rhis}
    parts: list[str] = []
    for ep in detail.episodes:
        parts.append(_episode_html(ep, rhis.get(ep.rhi_id) if ep.rhi_id else None, now, rhi_hours))
    return "<hr>".join(parts)


def _episode_html(ep: EpisodeView, rhi: RhiView | None, now: datetime, rhi_hours: float = DEFAULT_RHI_HOURS) -> str:
    cat = MissingCategory(ep.category).label
    if ep.returned_at is None:
        head = (
            f"{'⚠' if ep.category == 'M' else '◐'} {cat} since {format_local(ep.started_at)} — "
            f"open, {format_duration(now - ep.started_at)}"
        )
    else:
        head = (
            f"{cat} {format_local(ep.started_at)} to {format_local(ep.returned_at)} "
            f"({format_duration(ep.returned_at - ep.started_at)})"
        )
    facts = [
        ("Police risk", risk_label(ep.risk_grade) or "Not graded"),
        ("Police reference", ep.police_ref or "None yet"),
        ("Reported to police", format_local(ep.police_reported_at)),
        ("Reported by", ep.reported_by),
        ("Last seen where", ep.last_seen_where),
        ("Last seen with", ep.last_seen_with),
        ("Wearing", ep.last_seen_wearing),
        ("Circumstances", ep.circumstances),
        ("Owner", ep.owner),
    ]
    if ep.returned_at is not None:
        facts += [
            ("Where found", ep.found_where),
            ("How returned", ep.return_method),
            (
                "Safe and well check",
                f"{format_local(ep.safe_well_at)} by {ep.safe_well_by or '?'}" if ep.safe_well_at else "Not recorded",
            ),
        ]
        if rhi is None:
            due = rhi_due_at(ep.returned_at, rhi_hours)
            facts.append(("RHI", f"Not offered yet (due {format_local(due)})"))
        else:
            facts.append(("RHI", _rhi_text(rhi)))
    rows = "".join(f"<tr><td><b>{escape(k)}</b>&nbsp;&nbsp;</td><td>{_e(v)}</td></tr>" for k, v in facts if v)
    events = "".join(
        f"<li><b>{format_local(ev.at)}</b> {escape(EVENT_LABELS.get(ev.kind, ev.kind))}"
        f"{': ' + _e(_event_value(ev.kind, ev.new_value)) if ev.new_value and ev.kind in ('risk', 'police_ref', 'reclassified') else ''}"  # noqa: E501
        f"{' — ' + _e(ev.text) if ev.text else ''} <i>({escape(ev.recorded_by)})</i></li>"
        for ev in reversed(ep.events)
    )
    return f"<h3>{escape(head)}</h3><table>{rows}</table>" + (
        f"<p><b>Timeline</b> (newest first)</p><ul>{events}</ul>" if events else ""
    )


def _rhi_text(r: RhiView) -> str:
    if r.offered_at is None and r.outcome_code in RHI_OUTCOMES:
        when = f" (recorded {format_local(r.completed_at)} by {r.completed_by or '?'})" if r.completed_at else ""
        return RHI_OUTCOMES[r.outcome_code] + when + (f"; {r.outcome}" if r.outcome else "")
    bits = []
    if r.offered_at:
        bits.append(f"offered {format_local(r.offered_at)} by {r.offered_by or '?'}")
    if r.declined_at:
        bits.append(f"declined by the young person {format_local(r.declined_at)}")
    elif r.completed_at:
        bits.append(f"completed {format_local(r.completed_at)} by {r.completed_by or '?'}")
        if r.outcome:
            bits.append(f"outcome: {r.outcome}")
    elif r.accepted_at:
        bits.append(f"accepted {format_local(r.accepted_at)}")
    return "; ".join(bits) or "recorded"


def profile_html(detail: ChildDetail) -> str:
    prof = detail.profile
    if prof is None:
        return (
            "<p><b>No Philomena profile yet.</b> Fill one in before any episode so it can be "
            f"given to the police straight away (Edit Philomena profile, {key_text(Command.PROFILE)}).</p>"
        )
    rows = "".join(
        f"<tr><td valign='top'><b>{escape(label)}</b>&nbsp;&nbsp;</td>"
        f"<td>{_e(getattr(prof, key)) or '<i>not recorded</i>'}</td></tr>"
        for key, label in PROFILE_TEXT_FIELDS
    )
    return f"<table>{rows}</table><p><i>Updated {format_local(prof.updated_at)} by {escape(prof.updated_by)}</i></p>"


def initials_pixmap(detail: ChildDetail, size: int, palette: QPalette) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(palette.color(QPalette.ColorRole.Mid))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(0, 0, size, size)
    p.setPen(palette.color(QPalette.ColorRole.Light))
    font = QFont()
    font.setPixelSize(size // 3)
    font.setBold(True)
    p.setFont(font)
    p.drawText(
        QRectF(0, 0, size, size),
        int(Qt.AlignmentFlag.AlignCenter),
        (detail.first_name[:1] + detail.last_name[:1]).upper(),
    )
    p.end()
    return pix


class DetailView(QWidget):
    """The child detail pane. No signals: actions are the window's QActions."""

    def __init__(self, actions: Iterable[tuple[QAction, str]] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detail")
        self.setAccessibleName("Child record")
        self.detail: ChildDetail | None = None
        self.row: BoardRow | None = None
        self.rhi_hours: float = DEFAULT_RHI_HOURS  # the council's RHI window, set by the window
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 0, 0, 0)

        self.placeholder = QLabel("Choose a child on the board to see their record.", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        outer.addWidget(self.placeholder)

        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.photo = QLabel(self.body)
        self.photo.setObjectName("detailPhoto")
        self.photo_size = self.fontMetrics().height() * 6
        self.photo.setFixedSize(self.photo_size, self.photo_size)
        self.photo.setAccessibleName("Photo")
        top.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        names = QVBoxLayout()
        self.name = QLabel(self.body)
        self.name.setObjectName("detailName")
        f = QFont(self.name.font())
        f.setPointSizeF(f.pointSizeF() * 1.5)
        f.setBold(True)
        self.name.setFont(f)
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel(self.body)
        self.facts.setObjectName("detailFacts")
        self.facts.setWordWrap(True)
        self.status = QLabel(self.body)
        self.status.setObjectName("detailStatus")
        sf = QFont(self.status.font())
        sf.setBold(True)
        sf.setPointSizeF(sf.pointSizeF() * 1.15)
        self.status.setFont(sf)
        self.status.setWordWrap(True)
        names.addWidget(self.name)
        names.addWidget(self.facts)
        names.addWidget(self.status)
        names.addStretch(1)
        top.addLayout(names, 1)
        body.addLayout(top)

        # Short labels in a grid, so they fit a narrow pane; the full name is the
        # accessible name and tooltip, and the button follows its action's enabled state.
        self.buttons = QWidget(self.body)
        grid = QGridLayout(self.buttons)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        self.action_buttons: list[QPushButton] = []
        for i, (action, short) in enumerate(actions):
            b = QPushButton(short, self.buttons)
            b.setObjectName(f"detailAction{i}")
            b.setAccessibleName(action.text().replace("&", "").rstrip("…"))
            b.setToolTip(action.toolTip())
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            b.clicked.connect(action.trigger)
            b.setEnabled(action.isEnabled())
            action.changed.connect(lambda b=b, a=action: b.setEnabled(a.isEnabled()))
            grid.addWidget(b, i // 4, i % 4)
            self.action_buttons.append(b)
        body.addWidget(self.buttons)

        self.info = QFormLayout()
        self.info.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.info_labels: dict[str, QLabel] = {}
        for key, title in (
            ("placement", "Placement"),
            ("carer", "Carer"),
            ("worker", "Social worker"),
            ("team", "Team"),
            ("flags", "Risk flags"),
            ("episodes", "Missing episodes"),
        ):
            value = QLabel(self.body)
            value.setObjectName(f"detail_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lab = QLabel(f"<b>{title}</b>", self.body)
            lab.setBuddy(value)
            value.setAccessibleName(title)
            self.info.addRow(lab, value)
            self.info_labels[key] = value
        body.addLayout(self.info)

        self.tabs = QTabWidget(self.body)
        self.tabs.setObjectName("detailTabs")
        self.timeline = QTextBrowser(self.tabs)
        self.timeline.setObjectName("timeline")
        self.timeline.setAccessibleName("Missing episodes timeline")
        self.timeline.setOpenLinks(False)
        self.profile = QTextBrowser(self.tabs)
        self.profile.setObjectName("profile")
        self.profile.setAccessibleName("Philomena profile")
        self.tabs.addTab(self.timeline, "Epi&sodes and timeline")
        self.tabs.addTab(self.profile, "&Philomena profile")
        body.addWidget(self.tabs, 1)
        outer.addWidget(self.body, 1)
        self.body.hide()

    @property
    def child_id(self) -> str | None:
        return self.detail.id if self.detail else None

    def clear(self) -> None:
        self.detail = None
        self.row = None
        self.body.hide()
        self.placeholder.show()

    def show_child(self, detail: ChildDetail, row: BoardRow | None, now: datetime) -> None:
        same = self.detail is not None and self.detail.id == detail.id
        scroll = self.timeline.verticalScrollBar().value() if same else 0
        self.detail, self.row = detail, row
        d = detail
        name = f"{d.first_name} {d.last_name}"
        if d.preferred_name and d.preferred_name != d.first_name:
            name += f"  (known as {d.preferred_name})"
        self.name.setText(name)
        age = age_on(d.dob, local_date(now))
        self.facts.setText(
            f"Age {age} (born {d.dob:%d/%m/%Y}) · {SEX.get(d.sex, d.sex)} · "
            f"{ETHNIC.get(d.ethnicity, d.ethnicity)} · Child ID {d.id}"
            + (f" · UPN {d.upn}" if d.upn else "")
            + (f" · {d.locality}" if d.locality else "")
        )
        self._set_photo(d)
        place = d.current_placement
        if place is not None:
            where = ", ".join(filter(None, (place.placement_name, place.placement_address)))
            self.info_labels["placement"].setText(
                f"{PLACE.get(place.place, place.place)}"
                + (f" — {where}" if where else "")
                + f" (since {place.decom:%d/%m/%Y})"
                + "".join(
                    f" · {k} {v}"
                    for k, v in (("postcode", place.pl_post), ("URN", place.urn), ("host council", place.host_la))
                    if v
                )
                + (" (out of area)" if place.out_of_area else "")
            )
            carer = " · ".join(filter(None, (place.carer_name, place.carer_phone)))
            self.info_labels["carer"].setText(carer or "Not recorded")
        else:
            self.info_labels["placement"].setText("No open placement (left care)")
            self.info_labels["carer"].setText("—")
        worker = " · ".join(filter(None, (d.social_worker, d.social_worker_phone)))
        self.info_labels["worker"].setText(worker or "Unallocated")
        self.info_labels["team"].setText(d.team or "—")
        flags = d.active_flags
        self.info_labels["flags"].setText(
            ", ".join(f"{flag_label(f.flag)} (since {f.since:%d/%m/%Y})" for f in flags) if flags else "None recorded"
        )
        self.info_labels["episodes"].setText(counts_text(episode_counts((e.started_at for e in d.episodes), now)))
        self.profile.setHtml(profile_html(d))
        self.retime(now)
        self.timeline.verticalScrollBar().setValue(scroll)
        self.placeholder.hide()
        self.body.show()

    def set_row(self, row: BoardRow | None, now: datetime) -> None:
        self.row = row
        self.retime(now)

    def retime(self, now: datetime) -> None:
        """Status line and open-episode duration, from the clock alone."""
        if self.detail is None:
            return
        row = self.row
        status = row.status_at(now, self.rhi_hours) if row is not None else None
        if status is None:
            self.status.setText("")
        else:
            text = status_text(status)
            if status in OUT and row is not None and row.missing_since is not None:
                text += f" for {format_duration(now - row.missing_since)} (since {format_local(row.missing_since)})"
                if row.risk:
                    text += f" · Police risk: {risk_label(row.risk)}"
                text += f" · Police ref: {row.police_ref or 'none yet'}"
            elif status in (ChildStatus.RETURNED_RHI_DUE, ChildStatus.RHI_OVERDUE) and row is not None:
                due = rhi_due_at(row.returned_at, self.rhi_hours)
                text += f" · RHI due {format_local(due)}"
            self.status.setText(text)
            self.status.setAccessibleName(f"Status: {text}")
        bar = self.timeline.verticalScrollBar().value()
        self.timeline.setHtml(timeline_html(self.detail, now, self.rhi_hours))
        self.timeline.verticalScrollBar().setValue(bar)

    def _set_photo(self, d: ChildDetail) -> None:
        size = self.photo_size
        pix = QPixmap()
        if d.photo and pix.loadFromData(QByteArray(d.photo)):
            pix = pix.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            self.photo.setToolTip("Photo")
        else:
            pix = initials_pixmap(d, size, self.palette())
            self.photo.setToolTip("No photo on file")
        self.photo.setPixmap(pix)
