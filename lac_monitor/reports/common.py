"""Page furniture shared by every printed sheet: marking, who printed it, window, page x of y."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from lac_monitor.domain.localtime import format_local
from lac_monitor.reports.layout import Span, Text
from lac_monitor.reports.text import SANS, SANS_BOLD, draw_string, register_fonts

MARKING = "OFFICIAL-SENSITIVE"
PORTRAIT = A4
LANDSCAPE = landscape(A4)
MARGIN = 12 * mm
TOP_BAND = 17 * mm  # marking and running header
BOTTOM_BAND = 15 * mm  # printed by, marking, page x of y

INK = colors.HexColor("#1a1a1a")
GREY = colors.HexColor("#5c5c5c")
RULE = colors.HexColor("#9a9a9a")
HEAD_BG = colors.HexColor("#e4e4e4")
HIGH_BG = colors.HexColor("#f6d5d5")
AWAY_BG = colors.HexColor("#fbefd2")


@dataclass(frozen=True)
class Furniture:
    title: str
    printed_by: str
    printed_at: datetime
    window: str  # e.g. "Window 24/11/2026 17:00 to 25/11/2026 08:45"


def window_text(start: datetime, end: datetime) -> str:
    return f"Window {format_local(start)} to {format_local(end)}"


def _decorate(c: Canvas, f: Furniture, page: int, pages: int) -> None:
    width, height = c._pagesize
    c.saveState()
    c.setFillColor(INK)
    # Marking, top and bottom, centred and bold: the first and last thing anyone sees.
    draw_string(c, width / 2, height - 8 * mm, MARKING, 11, bold=True, align="centre")
    draw_string(c, width / 2, 5 * mm, MARKING, 11, bold=True, align="centre")
    c.setFillColor(GREY)
    draw_string(c, MARGIN, height - 13.5 * mm, f"LAC Monitor · {f.title}", 8)
    draw_string(c, width - MARGIN, height - 13.5 * mm, f.window, 8, align="right")
    c.setStrokeColor(RULE)
    c.setLineWidth(0.5)
    c.line(MARGIN, height - 15 * mm, width - MARGIN, height - 15 * mm)
    c.line(MARGIN, 12.5 * mm, width - MARGIN, 12.5 * mm)
    draw_string(c, MARGIN, 9 * mm, f"Printed by {f.printed_by} on {format_local(f.printed_at)}", 8)
    draw_string(c, width - MARGIN, 9 * mm, f"Page {page} of {pages}", 8, bold=True, align="right")
    c.restoreState()


def canvas_maker(furniture: Furniture) -> type[Canvas]:
    """A canvas that holds pages back until the end, so each can say 'page x of y'."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                _decorate(self, furniture, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def build_pdf(story: Sequence[Flowable], furniture: Furniture, first: str = "landscape") -> bytes:
    """Lay out the story on A4 (landscape and portrait templates, switchable mid-story)."""
    register_fonts()
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=LANDSCAPE if first == "landscape" else PORTRAIT,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_BAND,
        bottomMargin=BOTTOM_BAND,
        title=f"{furniture.title} — {MARKING}",
        author=furniture.printed_by,
        subject=MARKING,
        creator="LAC Monitor",
        invariant=1,
    )
    templates = []
    for name, size in (("landscape", LANDSCAPE), ("portrait", PORTRAIT)):
        frame = Frame(
            MARGIN,
            BOTTOM_BAND,
            size[0] - 2 * MARGIN,
            size[1] - TOP_BAND - BOTTOM_BAND,
            id=f"{name}-frame",
            leftPadding=0,
            rightPadding=0,
            topPadding=2 * mm,
            bottomPadding=0,
        )
        templates.append(PageTemplate(id=name, frames=[frame], pagesize=size))
    if first != "landscape":
        templates.reverse()
    doc.addPageTemplates(templates)
    doc.build(list(story), canvasmaker=canvas_maker(furniture))
    return buf.getvalue()


# -- styles ---------------------------------------------------------------------------------
def _style(
    name: str,
    size: float,
    *,
    bold: bool = False,
    leading: float | None = None,
    colour: Any = INK,
    space_before: float = 0,
    space_after: float = 0,
) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=SANS_BOLD if bold else SANS,
        fontSize=size,
        leading=leading or size * 1.22,
        textColor=colour,
        alignment=TA_LEFT,
        spaceBefore=space_before,
        spaceAfter=space_after,
        splitLongWords=1,
        allowWidows=1,
        allowOrphans=1,
    )


TITLE = _style("lac-title", 16, bold=True, space_after=2)
SUBTITLE = _style("lac-subtitle", 9.5, colour=GREY, space_after=4)
H2 = _style("lac-h2", 11.5, bold=True, space_before=9, space_after=4)
BODY = _style("lac-body", 9)
SMALL = _style("lac-small", 7.6)
SMALL_BOLD = _style("lac-small-bold", 7.6, bold=True)
HEAD = _style("lac-head", 7.6, bold=True)
LABEL = _style("lac-label", 8, bold=True, colour=GREY)
FIELD = _style("lac-field", 9.5, space_after=3)
NAME = _style("lac-name", 20, bold=True, leading=24)
EMPTY = _style("lac-empty", 9, colour=GREY)


def para(text: str | None, style: ParagraphStyle = SMALL) -> Text:
    """A paragraph of user text: drawn as the characters it is, never read as markup."""
    return Text(text, style)


def labelled(label: str, text: str | None, style: ParagraphStyle = FIELD) -> Text:
    """'Label: value' in one paragraph; the label is ours and bold, the value is user text."""
    value = Span(text) if text and text.strip() else Span("not recorded", colour=GREY)
    return Text([Span(f"{label}:", bold=True), Span(" "), value], style)
