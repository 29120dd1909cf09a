"""Fonts shipped with the package and safe text for reportlab.

Every name must print, whatever its script: DejaVu Sans covers Latin, Greek, Cyrillic,
Arabic, Hebrew and more; Droid Sans Fallback covers CJK. Text is split into runs by the
font that has the glyph (per character), so a mixed-script name prints in one line.

User text never reaches reportlab's paragraph markup unescaped: `markup()` is the only
way a user string becomes paragraph text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import textobject

FONT_DIR = Path(__file__).with_name("fonts")
SANS = "LacSans"
SANS_BOLD = "LacSans-Bold"
FALLBACK = "LacFallback"  # CJK ideographs, kana
HANGUL = "LacHangul"  # Korean
FONT_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    FALLBACK: "DroidSansFallbackFull.ttf",
    HANGUL: "NanumSquareR.ttf",
}
FALLBACKS = (FALLBACK, HANGUL)  # tried in this order for a character DejaVu Sans lacks

_main_cover: frozenset[int] = frozenset()
_covers: tuple[tuple[str, frozenset[int]], ...] = ()


def register_fonts() -> None:
    """Idempotent; cheap after the first call (about 100 ms the first time)."""
    global _main_cover, _covers
    if _main_cover:
        return
    fonts = {name: TTFont(name, str(FONT_DIR / file)) for name, file in FONT_FILES.items()}
    for font in fonts.values():
        pdfmetrics.registerFont(font)
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(SANS, bold, italic, SANS_BOLD if bold else SANS)
            for name in FALLBACKS:
                addMapping(name, bold, italic, name)
    _covers = tuple((name, frozenset(fonts[name].face.charToGlyph)) for name in FALLBACKS)
    _main_cover = frozenset(fonts[SANS].face.charToGlyph) & frozenset(fonts[SANS_BOLD].face.charToGlyph)


# -- cleaning -----------------------------------------------------------------------------
_KEEP_CONTROLS = {"\n", "\t"}


def clean(text: str | None) -> str:
    """Drop control and format characters (a stray RLO, NUL or BEL must not reach the PDF)."""
    if not text:
        return ""
    if text.isascii() and text.isprintable():
        return text  # the common case, and nothing to drop
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn") and ch not in _KEEP_CONTROLS:
            continue
        if cat == "Cf" and ch not in ("\u200d", "\u200c"):  # keep joiners
            continue
        out.append(" " if ch == "\t" else ch)
    return "".join(out)


def shorten(text: str | None, limit: int) -> str:
    """For table cells: one line of at most `limit` characters (the full text prints elsewhere)."""
    text = " ".join(clean(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- right-to-left ------------------------------------------------------------------------
_MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")


def _is_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def _is_strong_ltr(ch: str) -> bool:
    return unicodedata.bidirectional(ch) == "L"


def visual_order(line: str) -> str:
    """A small stand-in for the Unicode bidi algorithm, for one line of text.

    reportlab draws characters in logical order unless the optional `rlbidi` package is
    installed. Without it, runs of right-to-left text (with the spaces and punctuation
    between them) are reversed so Hebrew and Arabic names read correctly on paper; digits
    inside a run keep their left-to-right order. Arabic letters print unjoined.
    """
    if line.isascii() or textobject.rtlSupport or not any(_is_rtl(c) for c in line):
        return line
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        if not _is_rtl(line[i]):
            out.append(line[i])
            i += 1
            continue
        j = i
        last_rtl = i
        while j < n and not _is_strong_ltr(line[j]):
            if _is_rtl(line[j]):
                last_rtl = j
            j += 1
        run = line[i : last_rtl + 1]
        # keep digit groups left-to-right inside the reversed run
        parts = re.findall(r"\d+(?:[.,:/]\d+)*|\D", run)
        out.append("".join(p if p[0].isdigit() else p.translate(_MIRROR) for p in reversed(parts)))
        i = last_rtl + 1
    return "".join(out)


# -- font runs ----------------------------------------------------------------------------
def _font_for(cp: int) -> str | None:
    """None: the main font (DejaVu Sans); else the first fallback that has the glyph."""
    if cp in _main_cover:
        return None
    for name, cover in _covers:
        if cp in cover:
            return name
    return None  # nobody has it: prints the main font's box


def font_runs(text: str) -> Iterator[tuple[str | None, str]]:
    """(fallback font or None for the main font, run); spaces, punctuation and digits stay in their run."""
    register_fonts()
    if text.isascii():  # DejaVu Sans has every ASCII character
        if text:
            yield None, text
        return
    current: str | None = None
    buf: list[str] = []
    for ch in text:
        if buf and (ch.isspace() or unicodedata.category(ch)[0] in "ZPN"):
            cover = _main_cover if current is None else dict(_covers)[current]
            if ch.isspace() or ord(ch) in cover:
                buf.append(ch)
                continue
        font = _font_for(ord(ch))
        if buf and font != current:
            yield current, "".join(buf)
            buf = []
        current = font
        buf.append(ch)
    if buf:
        yield current, "".join(buf)


@lru_cache(maxsize=4096)
def markup(text: str | None) -> str:
    """User text as safe paragraph markup: cleaned, visually ordered, escaped, font-switched."""
    out = []
    for line in clean(text).split("\n"):
        pieces = []
        for font, run in font_runs(visual_order(line)):
            esc = escape(run)
            pieces.append(f'<font face="{font}">{esc}</font>' if font else esc)
        out.append("".join(pieces))
    return "<br/>".join(out)


def string_width(text: str, size: float, bold: bool = False) -> float:
    return sum(
        pdfmetrics.stringWidth(run, font or (SANS_BOLD if bold else SANS), size) for font, run in font_runs(text)
    )


def draw_string(
    canvas: object, x: float, y: float, text: str, size: float, *, bold: bool = False, align: str = "left"
) -> None:
    """Draw one line on a canvas with per-character font fallback (headers and footers)."""
    text = visual_order(" ".join(clean(text).split()))
    width = string_width(text, size, bold)
    if align == "right":
        x -= width
    elif align == "centre":
        x -= width / 2
    for fallback, run in font_runs(text):
        font = fallback or (SANS_BOLD if bold else SANS)
        canvas.setFont(font, size)  # type: ignore[attr-defined]
        canvas.drawString(x, y, run)  # type: ignore[attr-defined]
        x += pdfmetrics.stringWidth(run, font, size)
