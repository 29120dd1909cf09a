"""Light flowables for long sheets: text that wraps itself and tables that split by slicing.

reportlab's `Paragraph` parses markup and lays out fragments for every cell; `Table`
re-measures every remaining row each time it splits over a page. A 10,000-child handover
has some 27,000 cells over 540 pages, and that was most of its ten seconds. Here a text is
a few spans (text, bold, colour), measured word by word with `stringWidth` (widths cached)
and drawn with plain canvas text; a table measures each row once and splits by slicing.

User text is never markup here: it is drawn as the characters it is (cleaned of control
characters, right-to-left runs put in visual order, each run in the shipped font that has
its glyphs), so there is nothing to escape and nothing that could be read as a tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, TypeAlias

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from lac_monitor.reports.text import SANS, SANS_BOLD, clean, font_runs, visual_order


class Span(NamedTuple):
    """A piece of one text: `colour` None takes the style's colour."""

    text: str
    bold: bool = False
    colour: Any = None


Runs = tuple[tuple[str, str, float], ...]  # (font, text, width)


@lru_cache(maxsize=65536)
def _runs(text: str, bold: bool, size: float) -> tuple[Runs, float]:
    """A word split into runs by the font that has its glyphs, each with its width."""
    out = []
    total = 0.0
    for fallback, run in font_runs(text):
        font = fallback or (SANS_BOLD if bold else SANS)
        width = stringWidth(run, font, size)
        out.append((font, run, width))
        total += width
    return tuple(out), total


@lru_cache(maxsize=64)
def _space(bold: bool, size: float) -> float:
    return stringWidth(" ", SANS_BOLD if bold else SANS, size)


# A drawn piece of a line: x offset, font, text, colour (None: the style's).
Op = tuple[float, str, str, Any]
Word = list[tuple[str, bool, Any]]  # fragments of one word (no space inside)


def _words(spans: Sequence[Span]) -> list[tuple[Word, bool] | None]:
    """Words in order, each with whether a space precedes it; None marks a hard line break."""
    out: list[tuple[Word, bool] | None] = []
    current: Word | None = None
    spaced = False
    for span in spans:
        for k, line in enumerate(clean(span.text).split("\n")):
            if k:
                out.append(None)
                current, spaced = None, False
            for j, part in enumerate(visual_order(line).split(" ")):
                if j:
                    current, spaced = None, True
                if not part:
                    continue
                if current is None:
                    current = []
                    out.append((current, spaced))
                    spaced = False
                current.append((part, span.bold, span.colour))
    return out


def _split_long(word: Word, size: float, width: float) -> list[Word]:
    """A word wider than the line, cut into pieces that fit (as reportlab's splitLongWords)."""
    pieces: list[Word] = []
    current: Word = []
    used = 0.0
    for text, bold, colour in word:
        start = 0
        for i, ch in enumerate(text):
            w = _runs(ch, bold, size)[1]
            if used + w > width and (current or i > start):
                if i > start:
                    current.append((text[start:i], bold, colour))
                pieces.append(current)
                current, used, start = [], 0.0, i
            used += w
        if start < len(text):
            current.append((text[start:], bold, colour))
    if current:
        pieces.append(current)
    return pieces


@lru_cache(maxsize=16384)
def lay_out(spans: tuple[Span, ...], size: float, width: float) -> tuple[tuple[Op, ...], ...]:
    """Lines of drawing operations, filled greedily as a paragraph is. Neighbouring words in
    the same font and colour share one operation, so a line is drawn in as few pieces as it can."""
    lines: list[tuple[Op, ...]] = []
    line: list[Op] = []
    x = 0.0
    end = 0.0  # where the last operation's text ends

    def put(text: str, font: str, colour: Any, w: float, gap: float) -> None:
        nonlocal x, end
        last = line[-1] if line else None
        if last is not None and last[1] == font and last[3] is colour and x == end:
            joined = last[2] + (" " if gap else "") + text
            if not gap or gap == _space(font == SANS_BOLD, size):
                line[-1] = (last[0], font, joined, colour)
                x += gap + w
                end = x
                return
        x += gap
        line.append((x, font, text, colour))
        x += w
        end = x

    for item in _words(spans):
        if item is None:
            lines.append(tuple(line))
            line, x, end = [], 0.0, 0.0
            continue
        word, spaced = item
        wwidth = sum(_runs(t, b, size)[1] for t, b, _ in word)
        gap = _space(word[0][1], size) if spaced and line else 0.0
        pieces = [word]
        if line and x + gap + wwidth > width:
            lines.append(tuple(line))
            line, x, end, gap = [], 0.0, 0.0, 0.0
        if wwidth > width:
            pieces = _split_long(word, size, width)
        for n, piece in enumerate(pieces):
            if n:
                lines.append(tuple(line))
                line, x, end = [], 0.0, 0.0
            for text, bold, colour in piece:
                for font, run, w in _runs(text, bold, size)[0]:
                    put(run, font, colour, w, gap)
                    gap = 0.0
    lines.append(tuple(line))
    return tuple(lines)


def _spans(content: str | Span | Sequence[Span] | None) -> tuple[Span, ...]:
    if content is None:
        return ()
    if isinstance(content, str):
        return (Span(content),)
    if isinstance(content, Span):
        return (content,)
    return tuple(content)


class Text(Flowable):  # type: ignore[misc]
    """A paragraph of plain spans in a `ParagraphStyle`'s font size, leading, colour and spacing.

    A bold style makes every span bold; alignment is left or centre. Splits between lines
    over a page, as a paragraph does.
    """

    def __init__(
        self,
        content: str | Span | Sequence[Span] | None,
        style: ParagraphStyle,
        *,
        centre: bool = False,
        wrap: bool = True,
    ) -> None:
        super().__init__()
        self.style = style
        self.spans = _spans(content)
        self.wraps = wrap
        if style.fontName == SANS_BOLD:
            self.spans = tuple(s if s.bold else Span(s.text, True, s.colour) for s in self.spans)
        self.centre = centre
        self.size = float(style.fontSize)
        self.leading = float(style.leading)
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        self._lines: tuple[tuple[Op, ...], ...] = ()
        self._laid_width: float | None = None  # None: not laid out yet; a part of a split keeps its lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._laid_width is None or (self._laid_width != availWidth and self.spans):
            self._lines = lay_out(self.spans, self.size, availWidth if self.wraps else float("inf"))
            self._laid_width = availWidth
        self.width = availWidth
        self.height = len(self._lines) * self.leading
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        fit = int(availHeight // self.leading)
        if fit <= 0:
            return []
        if fit >= len(self._lines):
            return [self]
        parts = []
        for lines in (self._lines[:fit], self._lines[fit:]):
            part = Text((), self.style, centre=self.centre)
            part._lines, part._laid_width = lines, availWidth
            parts.append(part)
        parts[0].spaceAfter = 0
        parts[1].spaceBefore = 0
        return parts

    def draw(self) -> None:
        if not any(self._lines):
            return
        t = self.canv.beginText()
        self.emit(t, 0.0, self.height, None)
        self.canv.drawText(t)

    def emit(self, t: Any, x0: float, top: float, current: Any) -> Any:
        """Put the lines into text object `t`, the first line's top at (x0, top); returns the
        fill colour `t` is left with (so a table can put many cells in one text object)."""
        colour = self.style.textColor
        font = None
        y = top - self.size
        for line in self._lines:
            shift = x0
            if self.centre and line:
                x, f, run, _ = line[-1]
                shift += (self.width - x - stringWidth(run, f, self.size)) / 2
            for x, f, run, col in line:
                want = col if col is not None else colour
                if want is not current:
                    t.setFillColor(want)
                    current = want
                if f != font:
                    t.setFont(f, self.size)
                    font = f
                t.setTextOrigin(x + shift, y)
                t.textOut(run)
            y -= self.leading
        return current


# A table cell: a plain string (not wrapped, as reportlab draws one), spans (wrapped), a flowable.
Cell: TypeAlias = "str | Span | Sequence[Span] | Flowable | None"


@dataclass(frozen=True)
class GridStyle:
    """How a `Grid` looks: the padding round each cell and its lines (widths in points, 0 for none)."""

    text: ParagraphStyle
    head: ParagraphStyle | None = None
    head_bg: Any = None
    rule: Any = None
    grid: float = 0.0  # every line, inside and round
    box: float = 0.0  # the outline only
    between: float = 0.0  # a line below every row but the last
    top: float = 1.5
    bottom: float = 2.0
    left: float = 2.5
    right: float = 2.5
    middle: bool = False  # cells centred vertically (else top)


Placed = list[tuple[Flowable, float]]  # a row's cells, each with its measured height


class Grid(Flowable):  # type: ignore[misc]
    """A table of text and flowables whose rows are measured once; splits between rows
    over pages by slicing, repeating its heading row."""

    def __init__(
        self,
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[float],
        style: GridStyle,
        *,
        head: Sequence[str] | None = None,
        shading: Sequence[Any] | None = None,
        min_height: float = 0.0,
        centre: bool = False,
    ) -> None:
        super().__init__()
        self.widths = list(widths)
        self.style = style
        self.shading = list(shading) if shading is not None else [None] * len(rows)
        self._head: Placed | None = None
        self._head_h = 0.0
        if head is not None:
            self._head, self._head_h = self._measure([Text(h, style.head or style.text) for h in head])
        self._rows: list[Placed] = []
        self._heights: list[float] = []
        for row in rows:
            placed, h = self._measure([self._flowable(c, centre) for c in row])
            self._rows.append(placed)
            self._heights.append(max(h, min_height))

    def _flowable(self, cell: Cell, centre: bool) -> Flowable:
        """A plain string breaks only at its newlines, as in a reportlab table; spans wrap."""
        if isinstance(cell, Flowable):
            return cell
        return Text(cell, self.style.text, centre=centre, wrap=not isinstance(cell, str))

    def _measure(self, row: Sequence[Flowable]) -> tuple[Placed, float]:
        st = self.style
        placed = [(cell, cell.wrap(w - st.left - st.right, 1e6)[1]) for cell, w in zip(row, self.widths, strict=True)]
        return placed, max((h for _, h in placed), default=0.0) + st.top + st.bottom

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = self._head_h + sum(self._heights)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        room = availHeight - self._head_h
        used, fit = 0.0, 0
        for h in self._heights:
            if used + h > room:
                break
            used += h
            fit += 1
        if fit == 0:
            return []
        if fit == len(self._rows):
            return [self]
        return [self._part(0, fit), self._part(fit, len(self._rows))]

    def _part(self, a: int, b: int) -> Grid:
        part = Grid((), self.widths, self.style, shading=self.shading[a:b])
        part._head, part._head_h = self._head, self._head_h
        part._rows, part._heights = self._rows[a:b], self._heights[a:b]
        return part

    def draw(self) -> None:
        c = self.canv
        st = self.style
        width = sum(self.widths)
        rows: list[tuple[Placed, float, Any]] = []
        if self._head is not None:
            rows.append((self._head, self._head_h, st.head_bg))
        rows += list(zip(self._rows, self._heights, self.shading, strict=True))
        c.saveState()
        y = self.height
        for _, h, bg in rows:  # backgrounds first, then the text over them
            if bg is not None:
                c.setFillColor(bg)
                c.rect(0, y - h, width, h, stroke=0, fill=1)
            y -= h
        y = self.height
        t = c.beginText()
        colour: Any = None
        for row, h, _ in rows:
            x = 0.0
            for (cell, ch), w in zip(row, self.widths, strict=True):
                top = y - (h - ch) / 2 if st.middle else y - st.top
                if isinstance(cell, Text):  # all the table's text in one text object
                    colour = cell.emit(t, x + st.left, top, colour)
                else:
                    cell.drawOn(c, x + st.left, top - ch)
                x += w
            y -= h
        c.drawText(t)
        if st.rule is not None and (st.grid or st.box or st.between):
            c.setStrokeColor(st.rule)
            if st.grid or st.between:
                c.setLineWidth(st.grid or st.between)
                y = self.height
                for _, h, _ in rows[:-1]:
                    y -= h
                    c.line(0, y, width, y)
            if st.grid:
                x = 0.0
                for w in self.widths[:-1]:
                    x += w
                    c.line(x, 0, x, self.height)
            if st.grid or st.box:
                c.setLineWidth(st.grid or st.box)
                c.rect(0, 0, width, self.height, stroke=1, fill=0)
        c.restoreState()
