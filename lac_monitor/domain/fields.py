"""Every field a person or a file can fill in: its label, length, range and form, in ONE table.

The CLI, the window's forms, the services and the SSDA903 import all check a value here, so
the embedded SQLite file (which enforces no lengths) and PostgreSQL refuse exactly the same
input with the same message. A new field is one line in FIELDS; a test checks every String
column of the schema has a line whose length fits the column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from lac_monitor.domain.errors import ValidationError

# Forms: (pattern, what a person is told). Checked after stripping outer spaces.
FORMS: dict[str, tuple[re.Pattern[str], str]] = {
    "child_id": (re.compile(r"[A-Za-z0-9]{1,10}"), "must be 1 to 10 letters or digits (SSDA903 CHILD)"),
    "login": (re.compile(r"[^\s]+"), "must be a login name without spaces"),
    "email": (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), "must be an email address like name@council.gov.uk"),
    "phone": (
        re.compile(r"\+?[0-9][0-9 ()\-]{4,30}[0-9](\s*(ext|x)\.?\s*[0-9]{1,6})?", re.I),
        "must be a phone number (digits, spaces, +, brackets and dashes)",
    ),
    "postcode": (
        re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?( ?[0-9][A-Z]{2})?", re.I),
        "must be a UK postcode like LS1 4AB (or its first half)",
    ),
    "urn": (
        re.compile(r"(SC)?[0-9]{6,7}|XXXXXXX", re.I),
        "must be an Ofsted URN: SC and 6 digits, 6 or 7 digits, or XXXXXXX",
    ),
}

# Control characters other than tab and newline are never wanted in a record (NUL breaks
# PostgreSQL text, others break printing and CSV files).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Field:
    """One field's rules. `multiline` allows line breaks; `form` names a FORMS entry."""

    label: str
    max_len: int
    required: bool = False
    multiline: bool = False
    form: str | None = None


NOTES = 20_000  # a free-text box: long enough for any real note, short enough to print

# key: "table.column" for stored fields; other keys for inputs that are not stored as typed.
FIELDS: dict[str, Field] = {
    # register
    "team.name": Field("team name", 120, required=True),
    "team.locality": Field("locality", 80),
    "staff.username": Field("username", 80, required=True, form="login"),
    "staff.display_name": Field("display name", 120, required=True),
    "staff.email": Field("email", 200, form="email"),
    "staff.phone": Field("phone", 40, form="phone"),
    "child.id": Field("child id", 10, required=True, form="child_id"),
    "child.first_name": Field("first name", 100, required=True),
    "child.last_name": Field("last name", 100, required=True),
    "child.preferred_name": Field("preferred name", 100),
    "child.upn": Field("UPN", 13),
    "child.locality": Field("locality", 80),
    "child.restricted_reason": Field("reason", 500, required=True, multiline=True),
    # periods of care
    "care_episode.home_post": Field("home postcode", 8, form="postcode"),
    "care_episode.pl_post": Field("placement postcode", 8, form="postcode"),
    "care_episode.urn": Field("URN", 10, form="urn"),
    "care_episode.placement_name": Field("placement name", 200),
    "care_episode.placement_address": Field("placement address", 1000, multiline=True),
    "care_episode.carer_name": Field("carer name", 200),
    "care_episode.carer_phone": Field("carer phone", 40, form="phone"),
    "risk_flag.note": Field("note", NOTES, multiline=True),
    # missing episodes
    "missing_episode.reported_by": Field("reported by", 200),
    "missing_episode.police_ref": Field("police reference", 40),
    "missing_episode.last_seen_where": Field("last seen where", NOTES, multiline=True),
    "missing_episode.last_seen_with": Field("last seen with", NOTES, multiline=True),
    "missing_episode.last_seen_wearing": Field("last seen wearing", NOTES, multiline=True),
    "missing_episode.circumstances": Field("circumstances", NOTES, multiline=True),
    # notifications on an episode, host authority contacts (issue 11)
    "episode_notification.notified_by": Field("notified by", 200, required=True),
    "episode_notification.notified_whom": Field("notified whom", 200, required=True),
    "episode_notification.method": Field("method", 60),
    "episode_notification.note": Field("note", NOTES, multiline=True),
    "host_authority_contact.name": Field("name", 120, required=True),
    "host_authority_contact.missing_contact": Field("missing contact", 200),
    "host_authority_contact.email": Field("email", 200, form="email"),
    "host_authority_contact.phone": Field("phone", 40, form="phone"),
    "host_authority_contact.out_of_hours_phone": Field("out of hours phone", 40, form="phone"),
    "host_authority_contact.police_force": Field("police force", 120),
    "host_authority_contact.police_phone": Field("police phone", 40),  # "101" is a police number
    "missing_episode.found_where": Field("where found", NOTES, multiline=True),
    "missing_episode.return_method": Field("how returned", 200),
    "missing_episode.safe_well_by": Field("safe and well by", 120),
    "missing_episode.safe_well_notes": Field("safe and well notes", NOTES, multiline=True),
    "episode_event.text": Field("update", NOTES, multiline=True),
    "episode.reason": Field("reason", 2000, multiline=True),
    # return-home interviews
    "rhi.offered_by": Field("offered by", 120),
    "rhi.completed_by": Field("completed by", 120),
    "rhi.outcome": Field("outcome", NOTES, multiline=True),
    # Philomena profile
    "philomena_profile.description": Field("description", NOTES, multiline=True),
    "philomena_profile.associates": Field("associates", NOTES, multiline=True),
    "philomena_profile.places_likely": Field("places likely", NOTES, multiline=True),
    "philomena_profile.phone": Field("phone", 80),
    "philomena_profile.social_media": Field("social media", NOTES, multiline=True),
    "philomena_profile.medical_needs": Field("medical needs", NOTES, multiline=True),
    "philomena_profile.other_info": Field("other information", NOTES, multiline=True),
    # the escalation service's instance name (--name; the host name by default)
    "service_heartbeat.name": Field("--name", 120, form="login"),
    # alerts and printing
    "alert.ack_note": Field("note", 2000, multiline=True),
    "handover.notes": Field("notes", 10_000, multiline=True),
    "handover.locality": Field("locality", 80),
}


@dataclass(frozen=True)
class Range:
    label: str
    low: int
    high: int


# Whole numbers typed on the command line or in a form. Ids fit PostgreSQL's integer.
INT_MAX = 2**31 - 1
RANGES: dict[str, Range] = {
    "id": Range("id", 1, INT_MAX),
    "changes.since": Range("--since", 0, INT_MAX),
    "changes.limit": Range("--limit", 1, 100_000),
    "export.year": Range("--year", 1992, 2100),
    "demo.children": Range("--children", 1, 100_000),
    "demo.seed": Range("--seed", 0, INT_MAX),
}

# The years any date or time in the register may fall in (SSDA903 returns began in 1992).
FIRST_YEAR, LAST_YEAR = 1900, 2100


def field(key: str) -> Field:
    return FIELDS[key]


def clean(key: str, value: str | None, label: str | None = None) -> str | None:
    """The stored form of a typed value: outer spaces stripped, blank → None; refuses a
    value that breaks the field's rule with a message naming the field and the rule."""
    f = FIELDS[key]
    name = label or f.label
    if value is None or not value.strip():
        if f.required:
            raise ValidationError(name, "is required")
        return None
    value = value.strip()
    if len(value) > f.max_len:
        raise ValidationError(name, f"must be at most {f.max_len} characters (this one has {len(value)})")
    if _CONTROL.search(value):
        raise ValidationError(name, "must not contain control characters")
    if not f.multiline and ("\n" in value or "\r" in value):
        raise ValidationError(name, "must be on one line")
    if f.form is not None:
        pattern, rule = FORMS[f.form]
        if not pattern.fullmatch(value):
            raise ValidationError(name, rule)
    return value


def clean_all(table: str, values: Mapping[str, str | None]) -> dict[str, str | None]:
    """`clean` every value of one table's fields (keys are column names)."""
    return {col: clean(f"{table}.{col}", v) for col, v in values.items()}


def check_int(key: str, value: int, label: str | None = None) -> int:
    r = RANGES[key]
    if not r.low <= value <= r.high:
        raise ValidationError(label or r.label, f"must be a whole number from {r.low} to {r.high}")
    return value


def parse_int(key: str, text: str, label: str | None = None) -> int:
    r = RANGES[key]
    name = label or r.label
    try:
        value = int(text.strip()) if len(text) <= 30 else None
    except ValueError:
        value = None
    if value is None:
        raise ValidationError(name, f"must be a whole number from {r.low} to {r.high}")
    return check_int(key, value, name)


def check_year(label: str, d: date) -> None:
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        raise ValidationError(label, f"the year {d.year} is outside {FIRST_YEAR}–{LAST_YEAR}")
