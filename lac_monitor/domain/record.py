"""Rules for the child's record as the SSDA903 return needs it: postcodes, URNs, host
authority, UPN and mother fields. Facts in shared/reference/ssda903.md; each rule raises a
ValidationError naming the field and the rule."""

from __future__ import annotations

import re
from datetime import date

from lac_monitor.domain import codes
from lac_monitor.domain.errors import ValidationError

# Outward code (area letters, district) and inward code (sector digit, unit letters).
# The inward code never uses C I K M O V.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})$")

# DfE: placements that never have an Ofsted URN (rule 218 / 222).
URN_NOT_APPLICABLE_PLACE = frozenset(
    {"P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"}
)
# DfE's code for "a URN would be needed but the provider has none" (e.g. placed in Wales,
# Scotland or Northern Ireland, or a provider not registered with Ofsted).
URN_NONE = "XXXXXXX"
_URN = re.compile(r"^(?:SC\d{6}|\d{6,7})$")
# Host authority: an English council's ONS code, or DfE's codes for outside England.
OUTSIDE_ENGLAND = {
    "WAL": "Wales",
    "SCO": "Scotland",
    "NIR": "Northern Ireland",
    "NUK": "Outside the UK",
    "CON": "Continuously away (no fixed placement)",
}
_ONS_LA = re.compile(r"^E0[6-9]\d{6}$|^E10\d{6}$")
TEMPORARY_PLACE = frozenset({"T0", "T1", "T2", "T3", "T4"})
# K3 supported accommodation is for young people aged 16 or over (rule 371).
MIN_AGE_FOR_PLACE = {"K3": 16}


def normalise_postcode(field: str, text: str | None) -> str | None:
    """Upper case, one space before the inward code; blank stays blank."""
    if text is None or not text.strip():
        return None
    compact = re.sub(r"\s+", "", text.upper())
    m = _POSTCODE.match(compact)
    if not m:
        raise ValidationError(field, f"'{text.strip()}' is not a UK postcode (like LS1 4AP or SW1A 1AA)")
    return f"{m.group(1)} {m.group(2)}"


def urn_needed(place: str) -> bool:
    return place not in URN_NOT_APPLICABLE_PLACE


def check_urn(place: str, urn: str | None, required: bool = False) -> str | None:
    """The URN the return needs for this placement type: blank where none applies,
    otherwise an Ofsted URN (SC123456 or 6-7 digits) or XXXXXXX where the provider has none.
    A placement may be recorded before its URN is known (`required=False`); the return then
    lists it as missing."""
    value = (urn or "").strip().upper() or None
    if place in URN_NOT_APPLICABLE_PLACE:
        if value not in (None, URN_NONE):
            raise ValidationError("URN", f"is not recorded for placement type {place} (leave it blank)")
        return None
    if value is None:
        if not required:
            return None
        raise ValidationError(
            "URN",
            f"is required for placement type {place}: the provider's Ofsted "
            f"URN, or {URN_NONE} if the provider has none",
        )
    if value != URN_NONE and not _URN.match(value):
        raise ValidationError("URN", f"'{value}' must be an Ofsted URN (SC and 6 digits, or 6-7 digits) or {URN_NONE}")
    return value


def check_host_la(code: str | None) -> str | None:
    """Where the placement is: an English council's ONS code (E06/E08/E09/E10…) or WAL, SCO,
    NIR, NUK."""
    value = (code or "").strip().upper() or None
    if value is None or value in OUTSIDE_ENGLAND or _ONS_LA.match(value):
        return value
    raise ValidationError(
        "host LA", f"'{value}' must be a council's ONS code (like E08000035) or one of {', '.join(OUTSIDE_ENGLAND)}"
    )


def is_out_of_area(host_la: str | None, council_la: str | None) -> bool | None:
    """The out-of-area flag: placed outside the council's own area (None when unknown)."""
    if not host_la or not council_la:
        return None
    return host_la != council_la


def check_upn(upn: str | None, dob: date, on: date) -> str | None:
    """A UPN, or the right UN code. UN1 (not yet known) is wrong for a child of school age
    (rule 209): use UN2-UN5 instead."""
    value = (upn or "").strip().upper() or None
    if value is None:
        return None
    if not codes.is_valid_upn(value):
        raise ValidationError("UPN", "must be a letter (not I, O, S) and 12 digits, 11 digits and a letter, or UN1-UN5")
    if value == "UN1" and _age(dob, on) >= 5:
        raise ValidationError(
            "UPN",
            "UN1 is for children not yet of school age; use UN2-UN5 "
            "(UN2 never at school, UN3 abroad, UN4 refused, UN5 source lost)",
        )
    return value


def check_mother(sex: str, dob: date, mother: bool | None, mc_dob: date | None, today: date) -> None:
    """MOTHER is recorded for girls only; MC_DOB goes with MOTHER = 1 and follows her birth."""
    if mother is not None and sex != "F":
        raise ValidationError("mother", "is recorded for girls only")
    if mc_dob is not None:
        if not mother:
            raise ValidationError("mother's child's date of birth", "is only recorded when she is a mother")
        if mc_dob > today:
            raise ValidationError("mother's child's date of birth", "cannot be in the future")
        if _age(dob, mc_dob) < 11:
            raise ValidationError("mother's child's date of birth", "gives a mother under 11: check the dates")
    elif mother:
        raise ValidationError("mother's child's date of birth", "is required when she is a mother")


def check_age_for_place(place: str, dob: date, decom: date) -> None:
    need = MIN_AGE_FOR_PLACE.get(place)
    if need is not None and _age(dob, decom) < need:
        raise ValidationError("PLACE (placement type)", f"{place} is for young people aged {need} or over")


def add_years(d: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February (as birthdays do)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def _age(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


# -- return-home interview outcomes, in the words councils report -----------------------------
RHI_OUTCOMES: dict[str, str] = {
    "accepted": "Offered and accepted",
    "declined": "Offered and declined by the young person",
    "not_offered_missing_again": "Not offered (missing again)",
    "not_offered_no_contact": "Not offered (unable to make contact)",
    "not_offered_other": "Not offered (other)",
    "not_applicable": "Not applicable",
}
RHI_OFFERED = frozenset({"accepted", "declined"})
