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
    """ISO 8601; without an offset the time is the council's local time."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(text), time())
        except ValueError:
            raise ValueError(
                f"'{text}' is not an ISO 8601 time (e.g. 2026-11-25T14:30)"
            ) from None
    return to_utc(parsed)


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
