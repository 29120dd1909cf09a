"""The demo's one random source and the small draws every step makes.

One seeded `random.Random` feeds every step in a fixed order, so the same seed, clock and
username give the same council. A step that draws more or fewer numbers changes every
draw after it: keep the order when changing a step.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from lac_monitor.demo import names, phrases, places, rates
from lac_monitor.domain.localtime import council_tz

T = TypeVar("T")

LOCAL_AREA = places.COUNCIL_LA  # placements in the council's own area
AWAY_AREA = "away"  # placements in a neighbouring council's area
AWAY_LAS = sorted(places.NEIGHBOURS)
POOLS: dict[str, tuple[list[str], list[str], list[str]]] = {
    g: (m.split(), f.split(), last.split()) for g, (m, f, last) in names.NAMES.items()
}
_FOLD = {ord("Ł"): "L", ord("ł"): "l", ord("Đ"): "D", ord("đ"): "d", ord("ı"): "i", ord("ß"): "ss"}
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_WEIGHTS = range(2, 14)


def fold(s: str) -> str:
    """ASCII letters for usernames and handles."""
    s = s.translate(_FOLD)
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", s.lower())


def prettify(username: str) -> str:
    """A display name made from a login: 'jo.bloggs' → 'Jo Bloggs'."""
    parts = [p for p in re.split(r"[._\-\s\\@]+", username) if p]
    return " ".join(p[:1].upper() + p[1:] for p in parts) or username


def phone_number(n: int) -> str:
    """A mobile number in Ofcom's drama range (never a real line)."""
    return f"07700 900{n % 1000:03d}"


def floor_min(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def local(d: date, hour: int, minute: int) -> datetime:
    """A wall-clock time in the council's zone, as UTC."""
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=council_tz()).astimezone(UTC)


def upn_check(digits: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(digits, _UPN_WEIGHTS, strict=True))
    return _UPN_LETTERS[total % len(_UPN_LETTERS)]


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def pronouns(sex: str) -> dict[str, str]:
    """The words text about a child uses for them (`{they} {were}`), by sex."""
    return phrases.PRONOUNS.get(sex, phrases.PRONOUNS_OTHER)


class Draw:
    """Seeded draws: a choice, a weighted choice, a span of hours, a name, an address."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._phone_seq = self.rng.randrange(rates.PHONE_START)

    def pick(self, seq: Sequence[T]) -> T:
        return seq[self.rng.randrange(len(seq))]

    def weighted(self, weights: Mapping[str, float]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def between(self, span: tuple[int, int]) -> int:
        return self.rng.randint(*span)

    def uniform(self, span: tuple[float, float]) -> float:
        return self.rng.uniform(*span)

    def hours(self, lo: float, hi: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(lo, hi))

    def minute(self) -> int:
        return self.rng.randrange(0, 60, rates.MINUTE_STEP)

    def poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def phone(self) -> str:
        self._phone_seq += self.rng.randint(1, rates.PHONE_STEP_MAX)
        return phone_number(self._phone_seq)

    def name_in(self, group: str, sex: str) -> tuple[str, str]:
        boys, girls, last = POOLS[group]
        firsts = boys if sex == "M" else girls if sex == "F" else self.pick((boys, girls))
        return self.pick(firsts), self.pick(last)

    def adult(self) -> tuple[str, str]:
        return self.name_in(self.weighted(names.ADULT_GROUPS), self.pick("MF"))

    def adult_name(self) -> str:
        first, last = self.adult()
        return f"{first} {last}"

    def street(self) -> str:
        return f"{self.pick(phrases.STREETS)} {self.pick(phrases.STREET_KINDS)}"

    def street_address(self, district: str, postcode: str, town: str = phrases.CITY) -> str:
        place = f"{town} {postcode}" if town else postcode
        return f"{self.rng.randint(1, rates.HOUSE_NUMBER_MAX)} {self.street()}, {district}, {place}"

    def postcode(self, area: str = LOCAL_AREA) -> str:
        """A real postcode in the council's area, or (AWAY_AREA) in a neighbour's."""
        la = self.pick(AWAY_LAS) if area == AWAY_AREA else area
        return self.pick(places.POSTCODES[la])
