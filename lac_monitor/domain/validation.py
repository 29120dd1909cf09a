"""Rules that protect the data. Each raises ValidationError naming field and rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.localtime import format_local

# Desktops' clocks drift; a report stamped a minute "in the future" is not an error.
CLOCK_SKEW = timedelta(minutes=5)


def require_code(
    field: str, value: str | None, codes: Mapping[str, str] | Iterable[str], required: bool = True
) -> None:
    if value is None or value == "":
        if required:
            raise ValidationError(field, "is required")
        return
    if value not in codes:
        allowed = ", ".join(sorted(codes))
        raise ValidationError(field, f"'{value}' is not a known code (allowed: {allowed})")


def require_text(field: str, value: str | None, max_len: int = 2000) -> None:
    if value is None or not value.strip():
        raise ValidationError(field, "is required")
    if len(value) > max_len:
        raise ValidationError(field, f"must be at most {max_len} characters")


def limit_text(field: str, value: str | None, max_len: int = 20000) -> None:
    if value is not None and len(value) > max_len:
        raise ValidationError(field, f"must be at most {max_len} characters")


def not_in_future(field: str, at: datetime | None, now: datetime) -> None:
    if at is not None and at > now + CLOCK_SKEW:
        raise ValidationError(field, f"cannot be in the future ({format_local(at)} is after now, {format_local(now)})")


def not_before(field: str, at: datetime | None, other_field: str, other: datetime | None) -> None:
    if at is not None and other is not None and at < other:
        raise ValidationError(
            field, f"cannot be before {other_field} ({format_local(at)} is before {format_local(other)})"
        )


def date_not_before(field: str, value: date | None, other_field: str, other: date | None) -> None:
    if value is not None and other is not None and value < other:
        raise ValidationError(field, f"cannot be before {other_field} ({value:%d/%m/%Y} is before {other:%d/%m/%Y})")


def no_overlap(
    start: datetime,
    end: datetime | None,
    others: Iterable[tuple[datetime, datetime | None]],
) -> None:
    """Missing episodes of one child never overlap; touching end-to-start is fine."""
    for o_start, o_end in others:
        ends_before = end is not None and end <= o_start
        starts_after = o_end is not None and start >= o_end
        if not (ends_before or starts_after):
            if o_end is None:
                raise ValidationError(
                    "start",
                    f"child is already missing since {format_local(o_start)}; record the return of that episode first",
                )
            raise ValidationError(
                "start", f"overlaps another missing episode ({format_local(o_start)} to {format_local(o_end)})"
            )
