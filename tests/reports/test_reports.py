"""Printed sheets, read back as text: marking, page numbers, order, hostile and any-script text."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader

from lac_monitor.domain.records import ProfileView
from lac_monitor.reports.handover import render_handover
from lac_monitor.reports.profile import render_profile
from lac_monitor.reports.text import clean, markup, visual_order
from lac_monitor.services.handover import (
    AlertLine,
    CurrentEpisode,
    EndedLine,
    EscalationLine,
    FlagLine,
    HandoverData,
    HistoryLine,
    MissingLine,
    ProfileData,
    ReturnLine,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
HOSTILE = "<b>bold?</b> & <para>x</para> <font name='Courier'>f</font> &amp; <br/> ]]>"


def pages_text(pdf: bytes) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def missing(
    cid: str, risk: str | None, hours: float, *, name: str | None = None, category: str = "M", **kw: object
) -> MissingLine:
    args: dict[str, object] = dict(
        child_id=cid,
        name=name or f"Testname {cid}",
        dob=date(2010, 5, 1),
        category=category,
        since=NOW - hours * H,
        risk=risk,
        police_ref=f"REF-{cid}",
        last_seen="Bus station",
        placement="Test home",
        worker="Sasha Workerone",
        team="Northfield",
        next_due="24 h: manager review",
        next_due_at=NOW + H,
        flags=("cce",),
        profile_included=False,
    )
    args.update(kw)
    return MissingLine(**args)  # type: ignore[arg-type]


def profile(cid: str = "C9", **kw: object) -> ProfileData:
    args: dict[str, object] = dict(
        child_id=cid,
        first_name="Testa",
        last_name="Profileone",
        preferred_name="Tess",
        dob=date(2010, 5, 1),
        age=16,
        sex="Female",
        ethnicity="White British",
        photo=None,
        flags=(FlagLine("cse", date(2026, 1, 5)), FlagLine("county_lines", date(2026, 3, 1))),
        placement_name="Test foster home",
        placement_type="Foster carer: long term",
        placement_address="1 Test Street",
        placement_postcode="ZZ1 1ZZ",
        carer_name="Testcarer One",
        carer_phone="07700 900001",
        worker="Sasha Workerone",
        worker_phone="0100 000 0000",
        team="Northfield",
        locality="Northfield",
        episode=CurrentEpisode(
            "M",
            NOW - 5 * H,
            "foster carer",
            "LOG-9",
            "high",
            "Retail park",
            "Two friends",
            "Black coat",
            "Left after an argument",
        ),
        history=tuple(
            HistoryLine(NOW - (i + 2) * 24 * 7 * H, NOW - (i + 2) * 24 * 7 * H + 10 * H, "M", "medium", "At a friend's")
            for i in range(4)
        ),
        printed_at=NOW,
        printed_by="Dana Dutyone",
    )
    texts: dict[str, object] = dict(
        description="Slim, 160 cm, dark hair",
        associates="Known to spend time with older males",
        places_likely="City centre bus station",
        phone="07700 900123",
        social_media="@testa_example",
        medical_needs="Asthma: carries an inhaler",
        other_info=None,
    )
    texts.update({k: kw.pop(k) for k in list(kw) if k in texts})
    args["profile"] = ProfileView(**texts, updated_at=NOW - 24 * H, updated_by="Sasha Workerone", version=3)  # type: ignore[arg-type]
    args.update(kw)
    return ProfileData(**args)  # type: ignore[arg-type]


def handover(lines: tuple[MissingLine, ...] = (), **kw: object) -> HandoverData:
    args: dict[str, object] = dict(
        printed_at=NOW,
        printed_by="Dana Dutyone",
        start=NOW - 19 * H,
        end=NOW - 3 * H,
        next_shift_end=NOW + 5 * H,
        scope="All children",
        notes=None,
        started_count=len(lines),
        missing=lines,
        ended=(),
        returns=(),
        escalations=(),
        alerts=(),
    )
    args.update(kw)
    return HandoverData(**args)  # type: ignore[arg-type]


def assert_furniture(pdf: bytes, printed_by: str = "Dana Dutyone") -> list[str]:
    texts = pages_text(pdf)
    assert texts
    for number, text in enumerate(texts, start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks the marking top and bottom"
        assert f"Page {number} of {len(texts)}" in text
        assert f"Printed by {printed_by} on 25/11/2026 12:00" in text
    return texts


def test_missing_children_print_most_urgent_first_with_every_column() -> None:
    lines = (
        missing("C1", "low", 30),
        missing("C2", "high", 2),
        missing("C3", None, 1),
        missing("C4", "high", 40, category="A"),
        missing("C5", "medium", 5),
        missing("C6", "none", 90),
    )
    texts = assert_furniture(render_handover(handover(lines)))
    text = texts[0]
    order = list(dict.fromkeys(re.findall(r"\bC\d\b", text)))
    # As on the board: missing by risk (high, not graded, medium, low, none), then away.
    assert order == ["C2", "C3", "C5", "C1", "C6", "C4"]
    assert "Window 24/11/2026 17:00 to 25/11/2026 09:00" in text  # the window, local time (GMT here)
    for expected in (
        "Away",
        "Missing",
        "REF-C4",
        "1d 16h",
        "Bus station",
        "Test home",
        "Sasha Workerone",
        "24 h: manager review",
        "CCE",
        "Not graded",
        "No apparent risk",
        "age 16",
    ):
        assert squash(expected) in squash(text), expected


def test_many_missing_children_run_over_pages_each_with_marking_and_page_x_of_y() -> None:
    lines = tuple(missing(f"X{i:04d}", "medium", i + 1) for i in range(120))
    pdf = render_handover(handover(lines, notes="See the board."))
    texts = assert_furniture(pdf)
    assert len(texts) >= 4
    found = list(dict.fromkeys(re.findall(r"X\d{4}", "\n".join(texts))))
    assert found == [f"X{i:04d}" for i in range(119, -1, -1)]  # longest missing first, each exactly once


def test_hostile_text_prints_literally_and_never_breaks_the_layout() -> None:
    long_note = ("A very long handover note that goes on. " * 4000) + ("W" * 30000)
    lines = (
        missing(
            "C1",
            "high",
            3,
            name=HOSTILE,
            police_ref="<b>&",
            last_seen=HOSTILE * 20,
            placement="x" * 5000,
            worker="\x00\x07bell\u202eevil",
        ),
    )
    data = handover(
        lines,
        scope="Team: <i>Nasty & Co</i>",
        notes=HOSTILE + "\n\n" + long_note,
        printed_by="Ann <b>O'Brien</b> & Co",
        alerts=(AlertLine(NOW - H, "high", "reported", HOSTILE, "C1", HOSTILE, None),),
        profiles=(profile("C1", first_name=HOSTILE, description=long_note, other_info=HOSTILE),),
    )
    pdf = render_handover(data)
    texts = assert_furniture(pdf, printed_by="Ann <b>O'Brien</b> & Co")
    joined = "\n".join(texts)
    assert "<b>bold?</b> & <para>x</para>" in joined  # escaped: printed as typed, not obeyed
    assert "Team: <i>Nasty & Co</i>" in joined
    assert len(texts) > 20  # the long note flowed on across pages
    assert "bellevil" in squash(joined) and "\u202e" not in joined


def test_names_in_any_script_print_with_embedded_fonts() -> None:
    names = {
        "C1": "李小龍 Chen",
        "C2": "שרה כהן",
        "C3": "محمد العلي",
        "C4": "Ζωή Παπαδοπούλου",
        "C5": "Анна Петрова",
        "C6": "Nguyễn Thị Ánh",
        "C7": "佐藤 さくら",
        "C8": "김민지",
    }
    lines = tuple(missing(cid, "medium", i + 1, name=n) for i, (cid, n) in enumerate(names.items()))
    pdf = render_handover(handover(lines))
    text = squash(pages_text(pdf)[0])
    for cid, name in names.items():
        assert cid in text
        assert set(squash(name)) <= set(text), f"characters of {name} missing"
    base = " ".join(
        str(f.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for f in page["/Resources"]["/Font"].values()
    )  # type: ignore[index]
    assert "DejaVuSans" in base and "DroidSansFallback" in base and "NanumSquareR" in base


def test_right_to_left_runs_are_laid_out_right_to_left() -> None:
    assert visual_order("Name: שרה כהן (12)") == "Name: ןהכ הרש (12)"
    assert visual_order("abc") == "abc"
    assert markup("<b>&") == "&lt;b&gt;&amp;"
    assert "LacFallback" in markup("李")
    assert clean("a\x00b\u202ec\r\nd") == "abc\nd"


def test_profile_is_one_page_with_everything_the_police_ask_for() -> None:
    pdf = render_profile(profile())
    texts = assert_furniture(pdf)
    assert len(texts) == 1
    text = texts[0]
    for expected in (
        "Testa Profileone",
        "Known as Tess",
        "01/05/2010 (age 16)",
        "MISSING since 25/11/2026 07:00",
        "Risk: High",
        "LOG-9",
        "Retail park",
        "Two friends",
        "Black coat",
        "Slim, 160 cm",
        "older males",
        "City centre bus station",
        "07700 900123",
        "@testa_example",
        "Asthma",
        "CSE (since 05/01/2026)",
        "County lines",
        "Test foster home",
        "1 Test Street, ZZ1 1ZZ",
        "Testcarer One, 07700 900001",
        "Sasha Workerone",
        "4 earlier episodes",
        "As at 25/11/2026 12:00",
    ):
        assert expected in text, expected


def test_profile_prints_the_photo_and_survives_a_damaged_one() -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 160), (200, 120, 80)).save(buf, format="PNG")
    with_photo = render_profile(profile(photo=buf.getvalue()))
    page = PdfReader(io.BytesIO(with_photo)).pages[0]
    assert len(page.images) == 1
    damaged = render_profile(profile(photo=b"\x89PNG not really", episode=None))
    text = pages_text(damaged)[0]
    assert "No photo on record" in text and "MISSING since" not in text


def test_empty_sheet_says_so_and_leaves_room_for_notes() -> None:
    pdf = render_handover(handover())
    text = assert_furniture(pdf)[0]
    assert "Nobody in this sheet's scope is missing or away." in text
    assert "Notes from the person handing over" in text


def test_returns_escalations_and_alerts_sections() -> None:
    data = handover(
        ended=(EndedLine("C5", "Testname Ended", "A", NOW - 10 * H, NOW - 8 * H, "low", None, "Friend's house"),),
        returns=(
            ReturnLine(
                "C6",
                "Testname Late",
                "M",
                NOW - 80 * H,
                "Park",
                NOW - 8 * H,
                "not_offered",
                None,
                None,
                "Sasha Workerone",
            ),
            ReturnLine(
                "C7", "Testname Done", "M", NOW - 6 * H, "Home", NOW + 66 * H, "offered", NOW - H, NOW - 5 * H, None
            ),
        ),
        escalations=(EscalationLine("C8", "Testname Esc", NOW + 2 * H, "48 h: strategy meeting", "M", "high", None),),
        alerts=(
            AlertLine(NOW - H, "warning", "missing_24h", "Missing 24 h: manager review due", "C8", "Testname Esc", NOW),
        ),
    )
    text = squash("\n".join(pages_text(render_handover(data))))
    for expected in (
        "Friend's house",
        "2h 00m",
        "OVERDUE: not offered",
        "Offered 25/11/2026 11:00",
        "48 h: strategy meeting",
        "25/11/2026 14:00",
        "Missing 24 h: manager review due",
        "Warning",
    ):
        assert squash(expected) in text, expected


@pytest.mark.parametrize("text", ["", " ", "\n\n\n", "\x00", "&&&&", "<" * 500, "\u202e" * 10, "😀 emoji"])
def test_odd_strings_anywhere_never_crash(text: str) -> None:
    lines = (
        missing(
            "C1",
            "high",
            1,
            name=text or "x",
            police_ref=text,
            last_seen=text,
            placement=text,
            worker=text,
            team=text,
            next_due=text,
        ),
    )
    pdf = render_handover(
        handover(
            lines,
            notes=text,
            scope=text or "All",
            profiles=(
                profile("C1", first_name=text, last_name=text, preferred_name=text, description=text, phone=text),
            ),
        )
    )
    assert_furniture(pdf)
