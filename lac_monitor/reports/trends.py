"""The monthly picture as a PDF: reportlab's own charts, each with its numbers beside it
for people who read rather than look. Qt-free: TrendsData in, PDF bytes out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from lac_monitor.domain.trends import TrendsData, hours_text
from lac_monitor.reports.common import (
    HEAD,
    HEAD_BG,
    LANDSCAPE,
    MARGIN,
    RULE,
    SMALL,
    SUBTITLE,
    TITLE,
    Furniture,
    build_pdf,
)
from lac_monitor.reports.profile import flag_label
from lac_monitor.reports.text import register_fonts

MISSING_COLOUR = colors.HexColor("#b3261e")  # missing: whereabouts unknown
AWAY_COLOUR = colors.HexColor("#d9a21b")  # away: whereabouts known
BAR_COLOUR = colors.HexColor("#3b5b92")
FONT = "LacSans"
WIDTH = LANDSCAPE[0] - 2 * MARGIN
H2 = TITLE.clone("lac-trends-h2", fontSize=11.5, leading=14, spaceBefore=4, spaceAfter=2)


def _month_label(key: str) -> str:
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    y, m = key.split("-")
    return f"{names[int(m) - 1]} {y[2:]}"


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float]) -> Table:
    data: list[list[object]] = [[Paragraph(h, HEAD) for h in head]]
    data += [[Paragraph(str(c), SMALL) for c in r] for r in rows]
    t = Table(data, colWidths=list(widths), repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("GRID", (0, 0), (-1, -1), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return t


def monthly_chart(data: TrendsData, width: float, height: float) -> Drawing:
    d = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 28, width - 40, height - 48
    chart.data = [[m for _, m, _ in data.months], [a for _, _, a in data.months]]
    chart.categoryAxis.categoryNames = [_month_label(k) for k, _, _ in data.months]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 30 if len(data.months) > 12 else 0
    chart.categoryAxis.labels.dy = -4
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.bars[0].fillColor = MISSING_COLOUR
    chart.bars[1].fillColor = AWAY_COLOUR
    chart.bars.strokeColor = None
    d.add(chart)
    d.add(String(30, height - 10, "■ Missing", fontName=FONT, fontSize=8, fillColor=MISSING_COLOUR))
    d.add(String(90, height - 10, "■ Away", fontName=FONT, fontSize=8, fillColor=AWAY_COLOUR))
    return d


def bar_chart(pairs: Sequence[tuple[str, int]], width: float, height: float, label_width: float = 70) -> Drawing:
    d = Drawing(width, height)
    if not pairs:
        return d
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 14
    chart.width, chart.height = width - label_width - 10, height - 20
    chart.data = [[n for _, n in reversed(pairs)]]
    chart.categoryAxis.categoryNames = [k[:22] for k, _ in reversed(pairs)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    chart.bars[0].fillColor = BAR_COLOUR
    chart.bars.strokeColor = None
    d.add(chart)
    return d


def _beside(chart: Flowable, numbers: Flowable, chart_width: float) -> Table:
    t = Table([[chart, numbers]], colWidths=[chart_width, WIDTH / 2 - chart_width - 4 * mm])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return t


def _breakdown(title: str, pairs: Sequence[tuple[str, int]], total: int, what: str = "Episodes") -> list[Flowable]:
    rows_h = max(1, len(pairs))
    chart = bar_chart(pairs, 64 * mm, min(62 * mm, 16 + 12 * rows_h), label_width=78)
    if total:
        rows: list[tuple[object, ...]] = [(k, n, f"{100 * n / total:.0f}%") for k, n in pairs]
        numbers: Flowable = _table(("", what, "%"), rows, (38 * mm, 18 * mm, 11 * mm))
    else:
        numbers = _table(("", what), [(k, n) for k, n in pairs], (46 * mm, 18 * mm))
    if not pairs:
        numbers = Paragraph("None in this period", SMALL)
    return [Paragraph(title, H2), _beside(chart, numbers, 66 * mm)]


def trends_story(data: TrendsData) -> list[Flowable]:
    register_fonts()  # paragraphs resolve their fonts when made
    story: list[Flowable] = [
        Paragraph("Missing from care: the monthly picture", TITLE),
        Paragraph(
            f"Episodes that started from {data.start:%d/%m/%Y} to {data.end:%d/%m/%Y} "
            "(as Annex A List 8 counts them). Missing: whereabouts unknown; away: whereabouts known.",
            SUBTITLE,
        ),
    ]
    headline = [
        ("Episodes", f"{data.episodes} ({data.missing} missing, {data.away} away)"),
        ("Children with an episode", str(data.children)),
        ("Children with 3 or more episodes", str(data.repeat_children)),
        ("Median time missing", hours_text(data.median_hours)),
        ("Longest time missing", hours_text(data.longest_hours)),
        ("Not ended by the end of the period", str(data.still_open)),
        (f"RHI offered within {data.rhi_hours:g} h of return", data.rhi_offered_72h.text()),
        ("RHI accepted", data.rhi_accepted.text()),
    ]
    month_rows = [(_month_label(k), m, a, m + a) for k, m, a in data.months]
    months = _table(("Month", "Missing", "Away", "All"), month_rows, (20 * mm, 16 * mm, 14 * mm, 12 * mm))
    chart = monthly_chart(data, 128 * mm, 80 * mm)
    top = Table(
        [[chart, months, _table(("Figure", "Value"), headline, (42 * mm, 40 * mm))]],
        colWidths=[130 * mm, 64 * mm, WIDTH - 194 * mm],
    )
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story += [Paragraph("Episodes per month", H2), top, Spacer(1, 3 * mm)]
    blocks = [
        _breakdown("By placement type", data.by_placement, data.episodes),
        _breakdown("In or out of the council's area", data.by_area, data.episodes),
        _breakdown("By locality", data.by_locality, data.episodes),
        _breakdown("By age at the start", data.by_age, data.episodes),
        _breakdown("Top places children were found", data.top_found, data.episodes, "Found there"),
        _breakdown(
            "Open risk flags (children, at the end of the period)",
            [(flag_label(k), n) for k, n in data.open_flags],
            0,
            "Children",
        ),
    ]
    for i in range(0, len(blocks), 2):
        pair = Table([blocks[i : i + 2]], colWidths=[WIDTH / 2, WIDTH / 2])
        pair.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story.append(pair)
    return story


def render_trends(data: TrendsData, printed_by: str, printed_at: datetime) -> bytes:
    furniture = Furniture(
        title="Trends",
        printed_by=printed_by,
        printed_at=printed_at,
        window=f"Episodes started {data.start:%d/%m/%Y} to {data.end:%d/%m/%Y}",
    )
    return build_pdf(trends_story(data), furniture, first="landscape")
