"""Handover sheet for a shift window. Landscape A4, then a portrait profile per high-risk child."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from lac_monitor.domain.alerts import Severity, without_subject
from lac_monitor.domain.codes import MissingCategory, RiskGrade
from lac_monitor.domain.localtime import format_duration, format_local, local_date
from lac_monitor.domain.record import RHI_OUTCOMES
from lac_monitor.domain.report_data import HandoverData, MissingLine
from lac_monitor.domain.status import age_on
from lac_monitor.domain.urgency import line_urgency
from lac_monitor.reports.common import (
    AWAY_BG,
    BODY,
    EMPTY,
    H2,
    HEAD,
    HEAD_BG,
    HIGH_BG,
    LANDSCAPE,
    MARGIN,
    RULE,
    SMALL,
    SUBTITLE,
    TITLE,
    Furniture,
    build_pdf,
    window_text,
)
from lac_monitor.reports.layout import Cell, Grid, GridStyle, Span, Text
from lac_monitor.reports.profile import category_label, flag_label, profile_story, risk_label
from lac_monitor.reports.text import register_fonts, shorten

WIDTH = LANDSCAPE[0] - 2 * MARGIN
FIGURE = ParagraphStyle("lac-figure", parent=BODY, fontSize=15, leading=18)


TABLE = GridStyle(text=SMALL, head=HEAD, head_bg=HEAD_BG, rule=RULE, grid=0.25)


def _table(
    head: Sequence[str],
    rows: list[list[Cell]],
    widths: Sequence[float],
    shade: Callable[[int], object | None] | None = None,
) -> Grid:
    """A ruled table with its heading on every page; cells are shortened, so no row outgrows a page."""
    scale = WIDTH / sum(widths)
    shading = [shade(i) for i in range(len(rows))] if shade is not None else None
    return Grid(rows, [w * scale for w in widths], TABLE, head=head, shading=shading)


def _cell(text: str | None, limit: int = 200) -> Span:
    """User text in a cell: one line of at most `limit` characters, wrapped to the column."""
    return Span(shorten(text, limit))


def _name_cell(name: str, child_id: str, extra: str = "") -> list[Span]:
    return [Span(shorten(name, 120), bold=True), Span(f"\n{child_id}{extra}")]


def _summary(d: HandoverData) -> Table:
    missing = sum(1 for m in d.missing if m.category != MissingCategory.AWAY)
    away = len(d.missing) - missing
    high = sum(1 for m in d.missing if m.risk == RiskGrade.HIGH)
    overdue = sum(1 for r in d.returns if r.rhi_status in ("not_offered",) and r.rhi_due_at <= d.printed_at)
    figures = [
        ("Missing now", missing),
        ("Away now", away),
        ("High risk", high),
        ("Started in window", d.started_count),
        ("Started and ended", len(d.ended)),
        ("Returns in window", len(d.returns)),
        ("RHI overdue", overdue),
        ("Escalations next shift", len(d.escalations)),
        ("Unacknowledged alerts", len(d.alerts) + d.info_alert_count),
    ]
    big = [Paragraph(f"<b>{n}</b>", FIGURE) for _, n in figures]
    labels = [Paragraph(label, SMALL) for label, _ in figures]
    t = Table([big, labels], colWidths=[WIDTH / len(figures)] * len(figures))
    t.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.25, RULE),
                ("LINEBELOW", (0, 0), (-1, 0), 0, HEAD_BG),
                ("BACKGROUND", (0, 0), (2, -1), HIGH_BG if high else HEAD_BG),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return t


def _missing(d: HandoverData, lines: Sequence[MissingLine]) -> list[Flowable]:
    out: list[Flowable] = [Text(f"Missing or away now ({len(lines)}) · as at {format_local(d.printed_at)}", H2)]
    if not lines:
        return [*out, Text("Nobody in this sheet's scope is missing or away.", EMPTY)]
    today = local_date(d.printed_at)
    rows: list[list[Cell]] = []
    for m in lines:
        due = ""
        if m.next_due:
            when = format_local(m.next_due_at) if m.next_due_at else ""
            overdue = m.next_due_at is not None and m.next_due_at <= d.printed_at
            due = f"{m.next_due}\n{'OVERDUE since ' if overdue else ''}{when}"
        flags = ", ".join(flag_label(f) for f in m.flags)
        age = f" · age {age_on(m.dob, today)}" if m.dob else ""
        risk = risk_label(m.risk) + ("\n+ profile" if m.profile_included else "")
        rows.append(
            [
                Span(risk, bold=True),
                _name_cell(m.name, m.child_id, age + (f"\n{flags}" if flags else "")),
                Span(category_label(m.category), bold=True),
                format_local(m.since),
                format_duration(d.printed_at - m.since),
                _cell(m.police_ref or "NONE YET", 60),
                _cell(m.last_seen, 220),
                _cell(m.placement, 120),
                _cell("\n".join(x for x in (m.worker, m.team) if x), 160),
                Span(due, bold="OVERDUE" in due),
            ]
        )

    def shade(i: int) -> object | None:
        m = lines[i]
        if m.risk == RiskGrade.HIGH:
            return HIGH_BG
        return AWAY_BG if m.category == MissingCategory.AWAY else None

    head = [
        "Risk",
        "Child",
        "Status",
        "Since",
        "For",
        "Police ref",
        "Last seen",
        "Placement",
        "Worker / team",
        "Due next",
    ]
    out.append(_table(head, rows, [44, 110, 38, 72, 36, 80, 92, 80, 80, 92], shade))
    return out


def _ended(d: HandoverData) -> list[Flowable]:
    out: list[Flowable] = [
        CondPageBreak(30 * mm),
        Text(f"Started and ended within the window ({len(d.ended)})", H2),
    ]
    if not d.ended:
        return [*out, Text("No episode both started and ended within the window.", EMPTY)]
    rows: list[list[Cell]] = [
        [
            _name_cell(e.name, e.child_id),
            category_label(e.category),
            format_local(e.started_at),
            format_local(e.returned_at),
            format_duration(e.returned_at - e.started_at),
            risk_label(e.risk),
            _cell(e.police_ref, 60),
            _cell(e.found_where, 200),
        ]
        for e in d.ended
    ]
    head = ["Child", "Status", "Started", "Ended", "For", "Risk", "Police ref", "Where found"]
    out.append(_table(head, rows, [130, 45, 72, 72, 40, 55, 70, 200]))
    return out


_RHI = {
    "not_offered": "Not yet offered",
    "offered": "Offered",
    "accepted": "Accepted",
    "declined": "Declined",
    "completed": "Completed",
    **{k: v for k, v in RHI_OUTCOMES.items() if k not in ("accepted", "declined")},
}


def _returns(d: HandoverData) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(30 * mm), Text(f"Returns in the window ({len(d.returns)})", H2)]
    if not d.returns:
        return [*out, Text("Nobody returned within the window.", EMPTY)]
    rows: list[list[Cell]] = []
    overdue_rows: list[bool] = []
    for r in d.returns:
        status = _RHI.get(r.rhi_status, r.rhi_status)
        late = r.rhi_status == "not_offered" and r.rhi_due_at <= d.printed_at
        if r.rhi_at is not None:
            status = f"{status} {format_local(r.rhi_at)}"
        if late:
            status = "OVERDUE: not offered"
        overdue_rows.append(late)
        rows.append(
            [
                _name_cell(r.name, r.child_id),
                category_label(r.category),
                format_local(r.returned_at),
                _cell(r.found_where, 160),
                format_local(r.safe_well_at) if r.safe_well_at else "not recorded",
                format_local(r.rhi_due_at),
                Span(status, bold=late),
                _cell(r.worker, 80),
            ]
        )
    head = ["Child", "Episode", "Returned", "Where found", "Safe and well", "RHI due by", "RHI", "Worker"]
    out.append(_table(head, rows, [125, 45, 72, 130, 72, 72, 90, 80], lambda i: HIGH_BG if overdue_rows[i] else None))
    return out


def _escalations(d: HandoverData) -> list[Flowable]:
    title = (
        f"Escalations falling due next shift ({len(d.escalations)}) · "
        f"{format_local(d.end)} to {format_local(d.next_shift_end)}"
    )
    out: list[Flowable] = [CondPageBreak(30 * mm), Text(title, H2)]
    if not d.escalations:
        return [*out, Text("Nothing falls due in the next shift.", EMPTY)]
    rows: list[list[Cell]] = [
        [
            format_local(e.due_at),
            Span(e.what, bold=True),
            _name_cell(e.name, e.child_id),
            category_label(e.category),
            risk_label(e.risk) if e.category else "",
            _cell(e.worker, 80),
        ]
        for e in sorted(d.escalations, key=lambda e: (e.due_at, e.child_id))
    ]
    out.append(_table(["Due", "What", "Child", "Status", "Risk", "Worker"], rows, [72, 160, 150, 50, 60, 100]))
    return out


def _alerts(d: HandoverData) -> list[Flowable]:
    out: list[Flowable] = [
        CondPageBreak(30 * mm),
        Text(f"Unacknowledged alerts — warning and high ({len(d.alerts)})", H2),
    ]
    if d.info_alert_count:
        n = d.info_alert_count
        out.append(
            Text(
                f"Plus {n} unacknowledged information alert{'s' if n != 1 else ''} "
                "(returns, RHI reminders): not listed here; see the alert inbox.",
                SMALL,
            )
        )
    if not d.alerts:
        return [*out, Text("No warning or high alert is waiting.", EMPTY)]

    def rank(sev: str) -> int:
        try:
            return -Severity(sev).rank
        except ValueError:
            return 0

    alerts = sorted(d.alerts, key=lambda a: (rank(a.severity), a.raised_at), reverse=False)
    rows: list[list[Cell]] = []
    for a in alerts:
        try:
            sev = Severity(a.severity).label
        except ValueError:
            sev = a.severity
        child: Cell = _name_cell(a.name or "", a.child_id) if a.child_id else ""
        text = without_subject(a.message) if a.child_id else a.message  # the child has its own column
        rows.append(
            [format_local(a.raised_at), sev, _cell(text, 300), child, format_local(a.due_at) if a.due_at else ""]
        )
    out.append(
        _table(
            ["Raised", "Severity", "Alert", "Child", "Due"],
            rows,
            [72, 45, 320, 140, 72],
            lambda i: HIGH_BG if alerts[i].severity == Severity.HIGH else None,
        )
    )
    return out


def _notes(d: HandoverData) -> list[Flowable]:
    out: list[Flowable] = [CondPageBreak(40 * mm), Text("Notes from the person handing over", H2)]
    if d.notes and d.notes.strip():
        # One paragraph per block, so very long notes flow on across pages.
        for block in d.notes.replace("\r\n", "\n").split("\n\n"):
            if block.strip():
                out += [Text(block, BODY), Spacer(0, 2 * mm)]
        return out
    lines = Table([[""] for _ in range(7)], colWidths=[WIDTH], rowHeights=[8 * mm] * 7)
    lines.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE)]))
    return [*out, lines]


def handover_story(d: HandoverData) -> list[Flowable]:
    register_fonts()  # the story measures its text as it is built
    lines = sorted(d.missing, key=line_urgency)
    story: list[Flowable] = [
        Text(f"Handover sheet · {d.scope}", TITLE),
        Text(f"{window_text(d.start, d.end)} · printed {format_local(d.printed_at)} by {d.printed_by}", SUBTITLE),
        _summary(d),
        Spacer(0, 1 * mm),
        Text(
            "Most urgent first, as on the board: missing, then away (whereabouts known: shown, "
            "never left out); within each, risk (high first; not yet graded next), then longest first.",
            SMALL,
        ),
    ]
    story += _missing(d, lines)
    story += _ended(d) + _returns(d) + _escalations(d) + _alerts(d) + _notes(d)
    position = {m.child_id: i for i, m in enumerate(lines)}
    for p in sorted(d.profiles, key=lambda p: position.get(p.child_id, len(position))):
        story += [NextPageTemplate("portrait"), PageBreak(), *profile_story(p)]
    return story


def render_handover(data: HandoverData) -> bytes:
    furniture = Furniture(
        title=f"Handover sheet · {data.scope}",
        printed_by=data.printed_by,
        printed_at=data.printed_at,
        window=window_text(data.start, data.end),
    )
    return build_pdf(handover_story(data), furniture, first="landscape")
