"""Patterns across episodes and children: counts in trailing windows, names matched across
records. Pure functions; storage/patterns.py computes the same in SQL (tests compare)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

# Episodes in the last 30 / 90 / 365 days: on the record, the board and the profile.
COUNT_WINDOWS: tuple[int, int, int] = (30, 90, 365)


def episode_counts(starts: Iterable[datetime], at: datetime) -> tuple[int, int, int]:
    """Episodes started in the last 30, 90 and 365 days before `at` (start in (at - D, at])."""
    starts = [s for s in starts if s <= at]
    return tuple(sum(1 for s in starts if s > at - timedelta(days=d))  # type: ignore[return-value]
                 for d in COUNT_WINDOWS)


def counts_text(counts: tuple[int, int, int]) -> str:
    """'1 in 30 days · 3 in 90 · 5 in 365'."""
    a, b, c = counts
    return f"{a} in 30 days · {b} in 90 · {c} in 365"


_SPLIT = re.compile(r"[\n;]+|,(?!\d)")
_NOISE = re.compile(r"[^a-z0-9 ]+")


def split_values(text: str | None) -> list[str]:
    """Free text as the worker typed it ("Jay (older boy); Tyler, Kane") into separate values:
    one per line, semicolon or comma. Blank parts are dropped; duplicates kept once."""
    out: list[str] = []
    seen: set[str] = set()
    for part in _SPLIT.split(text or ""):
        shown = " ".join(part.split()).strip(" .-")
        key = normalise_value(shown)
        if key and key not in seen:
            seen.add(key)
            out.append(shown[:200])
    return out


def normalise_value(text: str) -> str:
    """The key two mentions of the same person or place match on: case, accents, punctuation
    and bracketed notes ignored, a leading "the" dropped ("The Arndale Centre" = "arndale centre")."""
    text = re.sub(r"\([^)]*\)", " ", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    words = _NOISE.sub(" ", text).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)[:200]
