"""The monthly picture: pure aggregation of episode facts into the figures managers read.

storage/trends.py fetches the facts in a few queries; the PDF (reports/trends.py) and the
window's Trends view both draw `TrendsData`, so every figure has one definition (here)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("Under 10", 0, 9),
    ("10 to 12", 10, 12),
    ("13 to 15", 13, 15),
    ("16 to 17", 16, 17),
    ("18 and over", 18, 200),
)
REPEAT_THRESHOLD = 3  # children with this many episodes or more in the period
TOP_PLACES = 10


@dataclass(frozen=True, slots=True)
class EpisodeFact:
    """One missing or away episode that started in the period."""

    id: int
    child_id: str
    category: str  # M or A
    started_at: datetime
    start_month: str  # "2026-03", in the council's local time
    returned_at: datetime | None
    age: int  # at the start
    placement_type: str | None
    out_of_area: bool | None  # None: unknown (no host council or council code)
    locality: str | None
    rhi_offered_at: datetime | None
    rhi_accepted: bool
    found_at: str | None = None  # normalised place (pattern_value), for the top places
    found_label: str | None = None  # as typed


@dataclass(frozen=True, slots=True)
class Share:
    """A percentage with its counts, e.g. RHI offered within 72 h: 41 of 50 (82%)."""

    count: int
    of: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.count / self.of if self.of else None

    def text(self) -> str:
        pct = self.percent
        return f"{self.count} of {self.of}" + (f" ({pct:.0f}%)" if pct is not None else "")


@dataclass(frozen=True, slots=True)
class TrendsData:
    start: date
    end: date
    months: tuple[tuple[str, int, int], ...]  # (month "2026-03", missing, away)
    episodes: int
    missing: int
    away: int
    children: int  # children with at least one episode
    repeat_children: int  # children with REPEAT_THRESHOLD+ episodes
    median_hours: float | None  # of episodes ended by the end of the period
    longest_hours: float | None
    still_open: int  # episodes not ended by the end of the period
    rhi_offered_72h: Share  # of returns in the period
    rhi_accepted: Share
    by_placement: tuple[tuple[str, int], ...]
    by_area: tuple[tuple[str, int], ...]
    by_locality: tuple[tuple[str, int], ...]
    by_age: tuple[tuple[str, int], ...]
    top_found: tuple[tuple[str, int], ...]
    open_flags: tuple[tuple[str, int], ...]  # flag code, children with it open at the end
    rhi_hours: float = 72.0
    notes: tuple[str, ...] = field(default=())


def month_keys(start: date, end: date) -> list[str]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def age_band(age: int) -> str:
    for label, lo, hi in AGE_BANDS:
        if lo <= age <= hi:
            return label
    return AGE_BANDS[-1][0]


def _ranked(counter: Counter[str], order: Iterable[str] | None = None) -> tuple[tuple[str, int], ...]:
    if order is not None:
        return tuple((k, counter.get(k, 0)) for k in order)
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def summarise(
    facts: Iterable[EpisodeFact],
    start: date,
    end: date,
    period_end: datetime,
    open_flags: dict[str, int],
    rhi_hours: float = 72.0,
    place_label: dict[str, str] | None = None,
) -> TrendsData:
    """Every figure of the picture from the episodes that started in the period.

    `period_end`: the instant the period ends (end date's local midnight + 1 day, or now if
    earlier); an episode not ended by then counts as still open, not in the durations."""
    facts = list(facts)
    months = month_keys(start, end)
    per_month: dict[str, list[int]] = {m: [0, 0] for m in months}
    per_child: Counter[str] = Counter()
    durations: list[float] = []
    still_open = 0
    offered = accepted = returns = 0
    placement: Counter[str] = Counter()
    area: Counter[str] = Counter()
    locality: Counter[str] = Counter()
    ages: Counter[str] = Counter()
    found: Counter[str] = Counter()
    found_label: dict[str, Counter[str]] = defaultdict(Counter)
    for f in facts:
        slot = per_month.setdefault(f.start_month, [0, 0])
        slot[0 if f.category == "M" else 1] += 1
        per_child[f.child_id] += 1
        if f.returned_at is not None and f.returned_at <= period_end:
            durations.append((f.returned_at - f.started_at).total_seconds() / 3600)
            returns += 1
            if f.rhi_offered_at is not None and f.rhi_offered_at <= f.returned_at + timedelta(hours=rhi_hours):
                offered += 1
            if f.rhi_accepted:
                accepted += 1
        else:
            still_open += 1
        code = f.placement_type or "Not recorded"
        placement[(place_label or {}).get(code, code)] += 1
        area["Out of area" if f.out_of_area else "In area" if f.out_of_area is False else "Not known"] += 1
        locality[f.locality or "Not recorded"] += 1
        ages[age_band(f.age)] += 1
        if f.found_at:
            found[f.found_at] += 1
            found_label[f.found_at][f.found_label or f.found_at] += 1
    top = [(found_label[k].most_common(1)[0][0], n) for k, n in _ranked(found)[:TOP_PLACES]]
    missing = sum(1 for f in facts if f.category == "M")
    return TrendsData(
        start=start,
        end=end,
        months=tuple((m, per_month[m][0], per_month[m][1]) for m in months),
        episodes=len(facts),
        missing=missing,
        away=len(facts) - missing,
        children=len(per_child),
        repeat_children=sum(1 for n in per_child.values() if n >= REPEAT_THRESHOLD),
        median_hours=statistics.median(durations) if durations else None,
        longest_hours=max(durations) if durations else None,
        still_open=still_open,
        rhi_offered_72h=Share(offered, returns),
        rhi_accepted=Share(accepted, returns),
        by_placement=_ranked(placement),
        by_area=_ranked(area, ("In area", "Out of area", "Not known")),
        by_locality=_ranked(locality),
        by_age=_ranked(ages, [b[0] for b in AGE_BANDS]),
        top_found=tuple(top),
        open_flags=tuple(sorted(open_flags.items(), key=lambda kv: (-kv[1], kv[0]))),
        rhi_hours=rhi_hours,
    )


def hours_text(hours: float | None) -> str:
    if hours is None:
        return "none ended"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"
