"""Missing-person (Philomena) profile: the grab sheet handed to the police. Portrait A4."""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, KeepTogether, Spacer

from lac_monitor.domain.codes import RISK_FLAG_LABELS, RISK_LABELS, MissingCategory, RiskFlag, RiskGrade
from lac_monitor.domain.localtime import format_duration, format_local
from lac_monitor.domain.patterns import counts_text, episode_counts
from lac_monitor.domain.records import PROFILE_TEXT_FIELDS
from lac_monitor.domain.report_data import ProfileData
from lac_monitor.reports.common import (
    AWAY_BG,
    EMPTY,
    FIELD,
    H2,
    HEAD,
    HEAD_BG,
    HIGH_BG,
    LABEL,
    MARGIN,
    NAME,
    PORTRAIT,
    RULE,
    SMALL,
    SUBTITLE,
    Furniture,
    build_pdf,
    labelled,
)
from lac_monitor.reports.layout import Cell, Grid, GridStyle, Span, Text
from lac_monitor.reports.text import register_fonts, shorten

log = logging.getLogger(__name__)

HISTORY_ROWS = 10
RECENT_DAYS = 90
WIDTH = PORTRAIT[0] - 2 * MARGIN
PLACEHOLDER = GridStyle(text=EMPTY, rule=RULE, box=0.5, middle=True, left=6, right=6, top=3, bottom=3)
FACTS = GridStyle(text=FIELD, rule=RULE, between=0.25, left=2, right=2, top=1, bottom=1)
BANNER = GridStyle(text=FIELD, rule=RULE, box=0.6, left=6, right=6, top=4, bottom=4)
TOP = GridStyle(text=FIELD, left=0, right=0, top=3, bottom=3)
HISTORY = GridStyle(text=SMALL, head=HEAD, head_bg=HEAD_BG, rule=RULE, grid=0.25, left=6, right=6, top=1.5, bottom=1.5)


def risk_label(code: str | None) -> str:
    try:
        return RISK_LABELS[RiskGrade(code)] if code else "Not graded"
    except ValueError:
        return code or "Not graded"


def flag_label(code: str) -> str:
    try:
        return RISK_FLAG_LABELS[RiskFlag(code)]
    except ValueError:
        return code


def category_label(code: str | None) -> str:
    try:
        return MissingCategory(code).label if code else ""
    except ValueError:
        return code or ""


def _photo(data: bytes | None) -> Flowable:
    box_w, box_h = 38 * mm, 48 * mm
    if data:
        try:
            reader = ImageReader(io.BytesIO(data))
            iw, ih = reader.getSize()
            scale = min(box_w / iw, box_h / ih)
            return Image(io.BytesIO(data), width=iw * scale, height=ih * scale)
        except Exception:  # noqa: BLE001 - a damaged photo must not stop the sheet
            log.warning("photo could not be read; printing the sheet without it")
    return Grid([[Span("No photo on record")]], [box_w], PLACEHOLDER, min_height=box_h, centre=True)


def _facts(p: ProfileData) -> Grid:
    flags = ", ".join(f"{flag_label(f.flag)} (since {f.since:%d/%m/%Y})" for f in p.flags) or "None recorded"
    worker = p.worker or "Not allocated"
    if p.worker_phone:
        worker = f"{worker}, {p.worker_phone}"
    rows = [
        ("Date of birth", f"{p.dob:%d/%m/%Y} (age {p.age})"),
        ("Sex", p.sex),
        ("Ethnicity", p.ethnicity),
        ("Child ID", p.child_id),
        ("Phone", (p.profile.phone if p.profile else None) or "not recorded"),
        ("Locality", p.locality or "not recorded"),
        ("Social worker", worker),
        ("Team", p.team or "not recorded"),
        ("Risk flags", flags),
    ]
    label_w = 30 * mm
    value_w = WIDTH - 42 * mm - label_w
    return Grid([[Text(k, LABEL), Span(v)] for k, v in rows], [label_w, value_w], FACTS)


def _banner(p: ProfileData) -> Grid | None:
    ep = p.episode
    if ep is None:
        return None
    what = "AWAY FROM PLACEMENT" if ep.category == MissingCategory.AWAY else "MISSING"
    text = [
        Span(what, bold=True),
        Span(f" since {format_local(ep.started_at)} ({format_duration(p.printed_at - ep.started_at)}) · "),
        Span(f"Risk: {risk_label(ep.risk)}", bold=True),
        Span(" · Police ref: "),
        Span(ep.police_ref or "NOT YET RECORDED", bold=True),
    ]
    bg = HIGH_BG if ep.risk == RiskGrade.HIGH or ep.category == MissingCategory.MISSING else AWAY_BG
    return Grid([[text]], [WIDTH], BANNER, shading=[bg])


def _address(address: str | None, postcode: str | None) -> str | None:
    if postcode and address and postcode.replace(" ", "").upper() in address.replace(" ", "").upper():
        return address
    return ", ".join(x for x in (address, postcode) if x) or None


def _history(p: ProfileData) -> list[Flowable]:
    hist = list(p.history)
    recent = sum(1 for h in hist if h.started_at >= p.printed_at - timedelta(days=RECENT_DAYS))
    if not hist:
        return [Text("No earlier missing or away episodes recorded.", EMPTY)]
    starts = [h.started_at for h in hist] + ([p.episode.started_at] if p.episode else [])
    out: list[Flowable] = [
        Text(
            f"{len(hist)} earlier episode{'s' if len(hist) != 1 else ''}, {recent} in the last {RECENT_DAYS} days"
            + (f"; the latest {HISTORY_ROWS} are shown." if len(hist) > HISTORY_ROWS else ".")
            + f" All episodes: {counts_text(episode_counts(starts, p.printed_at))}.",
            FIELD,
        )
    ]
    head = ["Started", "Returned", "For", "Status", "Risk", "Where found"]
    rows: list[list[Cell]] = []
    for h in hist[:HISTORY_ROWS]:
        rows.append(
            [
                format_local(h.started_at),
                format_local(h.returned_at) if h.returned_at else "open",
                format_duration(h.returned_at - h.started_at) if h.returned_at else "",
                category_label(h.category),
                risk_label(h.risk),
                Span(shorten(h.found_where, 120)),
            ]
        )
    widths = [27 * mm, 27 * mm, 17 * mm, 17 * mm, 28 * mm]  # "No apparent risk" fits
    widths.append(WIDTH - sum(widths))
    out.append(Grid(rows, widths, HISTORY, head=head))
    return out


def profile_story(p: ProfileData) -> list[Flowable]:
    """The flowables of one profile; also used for the profiles inside a handover sheet."""
    register_fonts()  # the story measures its text as it is built
    name = f"{p.first_name} {p.last_name}"
    story: list[Flowable] = [Text(name, NAME)]
    known = f"Known as {p.preferred_name} · " if p.preferred_name and p.preferred_name != p.first_name else ""
    story.append(Text(f"{known}Missing-person profile (Philomena) · as at {format_local(p.printed_at)}", SUBTITLE))
    banner = _banner(p)
    if banner is not None:
        story += [banner, Spacer(0, 3 * mm)]
    story.append(Grid([[_photo(p.photo), _facts(p)]], [42 * mm, WIDTH - 42 * mm], TOP))
    ep = p.episode
    if ep is not None:
        story.append(Text("This episode", H2))
        story += [
            labelled("Last seen where", ep.last_seen_where),
            labelled("Last seen with", ep.last_seen_with),
            labelled("Wearing", ep.last_seen_wearing),
            labelled("Circumstances", ep.circumstances),
            labelled("Reported by", ep.reported_by),
        ]
    story.append(Text("Description and contacts", H2))
    for name, label in PROFILE_TEXT_FIELDS:
        story.append(labelled(label, getattr(p.profile, name) if p.profile else None))
    placement = [
        labelled("Placement", ", ".join(x for x in (p.placement_name, p.placement_type) if x) or None),
        labelled("Address", _address(p.placement_address, p.placement_postcode)),
        labelled("Carer", ", ".join(x for x in (p.carer_name, p.carer_phone) if x) or None),
    ]
    story.append(KeepTogether([Text("Placement and carer", H2), *placement]))
    story.append(Text("Previous missing history", H2))
    story += _history(p)
    if p.profile is not None:
        note = f"Profile last updated {format_local(p.profile.updated_at)} by {p.profile.updated_by or 'unknown'}."
    else:
        note = "No Philomena profile has been recorded for this child: complete one as soon as possible."
    story += [Spacer(0, 3 * mm), Text(note, SMALL)]
    return story


def render_profile(data: ProfileData) -> bytes:
    furniture = Furniture(
        title=f"Missing-person profile · {data.child_id}",
        printed_by=data.printed_by,
        printed_at=data.printed_at,
        window=f"As at {format_local(data.printed_at)}",
    )
    return build_pdf(profile_story(data), furniture, first="portrait")


__all__ = ["category_label", "flag_label", "profile_story", "render_profile", "risk_label"]
