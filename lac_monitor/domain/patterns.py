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
    return tuple(
        sum(1 for s in starts if s > at - timedelta(days=d))  # type: ignore[return-value]
        for d in COUNT_WINDOWS
    )


def counts_text(counts: tuple[int, int, int]) -> str:
    """'1 in 30 days · 3 in 90 · 5 in 365'."""
    a, b, c = counts
    return f"{a} in 30 days · {b} in 90 · {c} in 365"


_NOISE = re.compile(r"[^a-z0-9 ]+")
# Words that name nobody and nowhere in particular: never a link between children.
NOT_A_NAME = frozenset(
    {
        "alone",
        "unknown",
        "not known",
        "nobody",
        "no one",
        "none",
        "n a",
        "friends",
        "a friend",
        "friend",
        "unknown male",
        "unknown female",
        "unknown person",
        "unknown persons",
        "others",
        "not recorded",
        "boyfriend",
        "girlfriend",
        "friend from school",
        "friends from school",
    }
)
# A description rather than a name ("a friend from school", "unknown adult in a car").
_DESCRIPTION = ("a ", "an ", "some ", "unknown ", "unnamed ", "group of ")


def _parts(text: str) -> list[str]:
    """Split on new lines, semicolons and commas that are not inside brackets."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        if depth == 0 and ch in "\n;,":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def split_values(text: str | None) -> list[str]:
    """Free text as the worker typed it ("Jay (older boy, about 17); Tyler, Kane") into separate
    values: one per line, semicolon or comma outside brackets. Blank parts and words that name
    nobody ("alone", "unknown") are dropped; duplicates kept once."""
    out: list[str] = []
    seen: set[str] = set()
    for part in _parts(text or ""):
        shown = " ".join(part.split()).strip(" .-")
        key = normalise_value(shown)
        if key and key not in seen and key not in NOT_A_NAME and not key.startswith(_DESCRIPTION):
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


class ValueKind:
    """Kinds of structured value. Associates match associates; places match places."""

    ASSOCIATE = "associate"  # profile: associates
    SEEN_WITH = "seen_with"  # episode: last seen with
    PLACE_LIKELY = "place_likely"  # profile: places likely to go
    SEEN_AT = "seen_at"  # episode: last seen where
    FOUND_AT = "found_at"  # episode: where found

    PEOPLE = (ASSOCIATE, SEEN_WITH)
    PLACES = (PLACE_LIKELY, SEEN_AT, FOUND_AT)


class NotifyParty:
    """Who must be told about a missing episode, beyond the police."""

    MPU = "mpu"  # UK Missing Persons Unit (the police notify it; we record who confirmed)
    HOST_AUTHORITY = "host_authority"
    HOST_POLICE = "host_police"
    PLACING_AUTHORITY = "placing_authority"  # when we are the host council

    ALL = (MPU, HOST_AUTHORITY, HOST_POLICE, PLACING_AUTHORITY)
    LABELS = {
        MPU: "UK Missing Persons Unit",
        HOST_AUTHORITY: "Host authority",
        HOST_POLICE: "Host police force",
        PLACING_AUTHORITY: "Placing authority",
    }


def checklist_parties(out_of_area: bool, we_are_host: bool = False) -> tuple[str, ...]:
    """Who the checklist on an episode asks about, in order."""
    parties: list[str] = []
    if out_of_area:
        parties += [NotifyParty.HOST_AUTHORITY, NotifyParty.HOST_POLICE]
    if we_are_host:
        parties.append(NotifyParty.PLACING_AUTHORITY)
    parties.append(NotifyParty.MPU)
    return tuple(parties)


# Philomena protocol: in supported and residential placements the carers take reasonable
# steps to find the child before reporting them missing, and log them with times.
# K1 secure home, K2 children's home, H5 semi-independent living, P2 independent living,
# R1 residential care home, S1 residential school, K3 supported accommodation.
STEPS_PLACES = frozenset({"K1", "K2", "K3", "H5", "P2", "R1", "S1"})


def steps_expected(place: str | None) -> bool:
    return (place or "") in STEPS_PLACES


def check_steps(steps: Iterable[tuple[datetime, str]], reported_at: datetime) -> list[tuple[datetime, str]]:
    """Steps taken before reporting: each has a time no later than the report and some text."""
    from lac_monitor.domain.errors import ValidationError

    out: list[tuple[datetime, str]] = []
    for i, (at, text) in enumerate(steps, start=1):
        what = " ".join((text or "").split())
        if not what:
            raise ValidationError(f"step {i} taken before reporting", "needs a description")
        if len(what) > 500:
            raise ValidationError(f"step {i} taken before reporting", "must be at most 500 characters")
        if at > reported_at:
            raise ValidationError(f"step {i} taken before reporting", "must be before the report")
        if at < reported_at - timedelta(days=2):
            raise ValidationError(f"step {i} taken before reporting", "must be within the two days before the report")
        out.append((at, what))
    return sorted(out)


def value_rows(
    child_id: str, episode_id: int | None, at: datetime, texts: Iterable[tuple[str, str | None]]
) -> list[dict[str, object]]:
    """pattern_value rows (as dicts) for some free text: one per person or place named."""
    out: list[dict[str, object]] = []
    for kind, text in texts:
        for value in split_values(text):
            norm = normalise_value(value)
            if norm:
                out.append(
                    {
                        "child_id": child_id,
                        "episode_id": episode_id,
                        "kind": kind,
                        "value": value,
                        "norm": norm,
                        "at": at,
                    }
                )
    return out


def episode_texts(
    last_seen_with: str | None, last_seen_where: str | None, found_where: str | None
) -> tuple[tuple[str, str | None], ...]:
    return (
        (ValueKind.SEEN_WITH, last_seen_with),
        (ValueKind.SEEN_AT, last_seen_where),
        (ValueKind.FOUND_AT, found_where),
    )


def profile_texts(associates: str | None, places_likely: str | None) -> tuple[tuple[str, str | None], ...]:
    return ((ValueKind.ASSOCIATE, associates), (ValueKind.PLACE_LIKELY, places_likely))


STEPS_FIELD = "steps taken before reporting"
_STEP_LINE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–:]?\s*(.*)$")


def parse_step_lines(text: str | None, now_local: datetime) -> list[tuple[datetime, str]]:
    """The report form's steps, one per line: "21:40 searched the garden". A time later than
    now is yesterday's. Times are the council's local time (`now_local` carries the zone)."""
    from lac_monitor.domain.errors import ValidationError

    out: list[tuple[datetime, str]] = []
    for i, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        m = _STEP_LINE.match(line)
        if not m or not m.group(3).strip():
            raise ValidationError(
                STEPS_FIELD, f"line {i} must be a time and what was done, like '21:40 searched the garden'"
            )
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour > 23 or minute > 59:
            raise ValidationError(STEPS_FIELD, f"line {i}: {hour}:{minute:02d} is not a time of day")
        at = now_local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if at > now_local:
            at -= timedelta(days=1)
        out.append((at, m.group(3).strip()))
    return out
