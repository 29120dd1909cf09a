"""UTC inside, the council's local time (Europe/London by default) outside."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Europe/London"
_tz = ZoneInfo(DEFAULT_TZ)


def set_council_timezone(name: str) -> None:
    global _tz
    _tz = ZoneInfo(name)


def council_tz() -> ZoneInfo:
    return _tz


def to_local(at: datetime) -> datetime:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(_tz)


def to_utc(at: datetime) -> datetime:
    """A naive time is the council's local time; an aware one keeps its offset."""
    if at.tzinfo is None:
        # fold=0: in the repeated autumn hour take the first (BST) instance.
        at = at.replace(tzinfo=_tz)
    return at.astimezone(UTC)


def parse_time(text: str) -> datetime:
    """ISO 8601; without an offset the time is the council's local time.

    A local time the clocks skip (spring forward) is refused; one they pass twice (autumn)
    is refused unless it carries an offset, and the message says which offset is which.
    Years outside FIRST_YEAR..LAST_YEAR are refused (no overflow at the edges).
    """
    from lac_monitor.domain.fields import FIRST_YEAR, LAST_YEAR

    text = text.strip()
    if len(text) > 40:
        raise ValueError("is not an ISO 8601 time (e.g. 2026-11-25T14:30)")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            raise ValueError(f"'{text}' is not an ISO 8601 time (e.g. 2026-11-25T14:30)") from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueError(f"the year {parsed.year} is outside {FIRST_YEAR}–{LAST_YEAR}")
    if parsed.tzinfo is None:
        check_local_time(parsed)
    try:
        utc = to_utc(parsed)
    except OverflowError:
        raise ValueError(f"'{text}' is outside the years {FIRST_YEAR}–{LAST_YEAR}") from None
    if not FIRST_YEAR <= utc.year <= LAST_YEAR:
        raise ValueError(f"the year {utc.year} is outside {FIRST_YEAR}–{LAST_YEAR}")
    return utc


def local_candidates(naive: datetime) -> list[datetime]:
    """The UTC instants a wall-clock time stands for: none (the clocks skipped it), one, or
    two (the clocks went back and it happened twice, earlier first). A form asks which."""
    first = naive.replace(tzinfo=_tz, fold=0)
    second = naive.replace(tzinfo=_tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return [first.astimezone(UTC)]
    exists = [
        c.astimezone(UTC) for c in (first, second) if c.astimezone(UTC).astimezone(_tz).replace(tzinfo=None) == naive
    ]
    return sorted(set(exists))


def _offset(at: datetime) -> str:
    off = to_local(at).utcoffset() or timedelta()
    minutes = int(off.total_seconds() // 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def check_local_time(naive: datetime) -> None:
    """Refuse a local time that did not happen, or happened twice, with what to type instead."""
    found = local_candidates(naive)
    shown = naive.strftime("%Y-%m-%dT%H:%M")
    zone = str(_tz.key)
    if not found:
        after = naive.replace(tzinfo=_tz, fold=0).astimezone(UTC).astimezone(_tz)
        raise ValueError(
            f"{shown} did not happen in {zone}: the clocks went forward an hour then. "
            f"Give the time the clock showed (e.g. {after:%H:%M}) or add an offset "
            f"({shown}{_offset(after - timedelta(hours=1))})"
        )
    if len(found) == 2:
        first, second = found
        raise ValueError(
            f"{shown} happened twice in {zone} (the clocks went back an hour): add "
            f"{_offset(first)} for the first time ({tzname(first)}) or {_offset(second)} "
            f"for the second ({tzname(second)})"
        )


def tzname(at: datetime) -> str:
    return to_local(at).tzname() or ""


def local_date(at: datetime) -> date:
    return to_local(at).date()


def format_local(at: datetime | None, with_date: bool = True) -> str:
    if at is None:
        return ""
    local = to_local(at)
    return local.strftime("%d/%m/%Y %H:%M" if with_date else "%H:%M")


def format_duration(delta: timedelta) -> str:
    """Compact and readable: '45m', '5h 12m', '3d 4h'."""
    total = int(delta.total_seconds())
    if total < 0:
        total = 0
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"
