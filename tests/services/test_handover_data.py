"""What the handover sheet gathers from the register (SQLite and PostgreSQL), and the print audit."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from lac_monitor.domain.ladder import DEFAULT_LADDER
from lac_monitor.reports.handover import render_handover
from lac_monitor.reports.profile import render_profile
from lac_monitor.services.handover import (
    build_handover,
    build_profile,
    default_window,
    last_printed_window,
    last_shift,
    record_print,
)
from lac_monitor.storage.schema import Alert, AuditLog
from tests.factories import World

H = timedelta(hours=1)


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)


def shift(world: World) -> tuple[datetime, datetime]:
    now = world.clock.now()  # 2026-11-25 12:00 UTC, a Wednesday
    return now - 19 * H, now - 3.25 * H  # 17:00 yesterday to 08:45 today


def add_alert(world: World, key: str, child: str | None, acknowledged: bool, message: str) -> None:
    now = world.clock.now()
    with world.db.write_session() as s:
        s.add(
            Alert(
                rule="reported",
                unique_key=key,
                child_id=child,
                episode_id=None,
                severity="high",
                message=message,
                audiences="[]",
                due_at=None,
                raised_at=now - H,
                raised_by="test",
                acknowledged_at=now if acknowledged else None,
                acknowledged_by="x" if acknowledged else None,
            )
        )
        s.commit()


def populate(world: World) -> None:
    """A small register: missing, away, returned, ended in the window, in placement, another team."""
    c, ep = world.clock, world.episodes
    now = c.now()
    for cid, first, team in (
        ("C1", "Alpha", 1),
        ("C2", "Bravo", 1),
        ("C3", "Charlie", 1),
        ("C4", "Delta", 1),
        ("C5", "Echo", 1),
        ("C6", "Foxtrot", 2),
        ("C7", "Golf", 1),
    ):
        world.add_child(
            cid,
            first=first,
            last="Testchild",
            team_id=team,
            locality="Northfield" if team == 1 else "Southbank",
            worker_id=1 if team == 1 else 3,
        )
    c.set(now - 60 * H)
    ep.report("C1", "M", risk="medium", police_ref="LOG-1", last_seen_where="Retail park")
    c.set(now - 10 * H)
    ended = ep.report("C3", "M", risk="low", police_ref="LOG-3")
    c.set(now - 8 * H)
    ep.record_return(int(ended.id), ended.version, found_where="Friend's flat")
    c.set(now - 5 * H)
    ep.report("C2", "M", risk="high", police_ref="LOG-2", last_seen_where="Bus station")
    ep.report("C4", "A", last_seen_where="Known address")
    ep.report("C6", "M", risk="high", police_ref="LOG-6")
    c.set(now)
    ep.save_profile("C2", None, description="Tall, dark coat", associates="Older males", medical_needs="Asthma")
    add_alert(world, "a1", "C2", False, "C2 reported missing")
    add_alert(world, "a2", "C1", True, "C1 acknowledged already")
    add_alert(world, "a3", "C6", False, "C6 other team")


def test_sheet_lists_exactly_the_children_missing_at_print_time_in_order(world: World) -> None:
    populate(world)
    start, end = shift(world)
    data = build_handover(world.db, world.clock, world.actor, start, end)
    assert {m.child_id for m in data.missing} == {"C1", "C2", "C4", "C6"}  # C3 returned, C5/C7 in placement
    text = text_of(render_handover(data))
    section = text.split("Missing or away now")[1].split("Started and ended")[0]
    order = list(dict.fromkeys(re.findall(r"\bC\d\b", section)))
    # As on the board: missing (high: C2 and C6 same start, by name; then medium), then away.
    assert order == ["C2", "C6", "C1", "C4"]
    assert "OFFICIAL-SENSITIVE" in text and "Page 1 of" in text


def test_window_sections_returns_rhi_escalations_and_unacknowledged_alerts(world: World) -> None:
    populate(world)
    start, end = shift(world)
    data = build_handover(world.db, world.clock, world.actor, start, end)
    assert [e.child_id for e in data.ended] == ["C3"]
    assert [(r.child_id, r.rhi_status) for r in data.returns] == [("C3", "not_offered")]
    assert data.returns[0].rhi_due_at == data.returns[0].returned_at + 72 * H
    assert data.started_count == 4  # C3, C2, C4 and C6 started within the window; C1 before it
    # Next shift runs 08:45 to 17:00: C4 (away, no police ref) has its chase due at 08:00 - not in it;
    # C1 (started 60 h before noon) reaches 72 h at 00:00 - not in it either.
    assert data.next_shift_end == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    assert {(e.child_id, e.what) for e in data.escalations} == set()
    later = build_handover(world.db, world.clock, world.actor, end, end + 8.25 * H)  # 08:45-17:00 -> to 08:45
    assert {(e.child_id, e.what) for e in later.escalations} >= {
        ("C1", "72 h: head of service informed"),
        ("C2", "24 h: manager review"),
    }
    assert {a.message for a in data.alerts} == {"C6 other team", "C2 reported missing"}  # not the acknowledged
    chase = next(m for m in data.missing if m.child_id == "C4")
    assert chase.next_due == "Chase police reference" and chase.next_due_at is not None
    assert chase.next_due_at < world.clock.now()  # overdue: shows as overdue on the sheet


def test_team_and_locality_scope(world: World) -> None:
    populate(world)
    start, end = shift(world)
    team = build_handover(world.db, world.clock, world.actor, start, end, team_id=1)
    assert {m.child_id for m in team.missing} == {"C1", "C2", "C4"}
    assert team.scope == "Team: Northfield Children in Care"
    assert {a.child_id for a in team.alerts} == {"C2"}
    south = build_handover(world.db, world.clock, world.actor, start, end, locality="southbank")
    assert {m.child_id for m in south.missing} == {"C6"} and south.returns == ()


def test_profiles_only_for_high_risk_missing_children(world: World) -> None:
    populate(world)
    start, end = shift(world)
    data = build_handover(world.db, world.clock, world.actor, start, end)
    assert {p.child_id for p in data.profiles} == {"C2", "C6"}
    assert {m.child_id for m in data.missing if m.profile_included} == {"C2", "C6"}
    text = text_of(render_handover(data))
    assert text.count("Missing-person profile (Philomena)") == 2
    assert "Tall, dark coat" in text and "Older males" in text


def test_profile_sheet_has_history_placement_and_carer(world: World) -> None:
    populate(world)
    data = build_profile(world.db, world.clock, world.actor, "C3")
    assert data.episode is None and len(data.history) == 1
    assert (data.carer_name, data.carer_phone) == ("Testcarer One", "07700 900001")
    text = text_of(render_profile(build_profile(world.db, world.clock, world.actor, "C2")))
    for expected in (
        "Bravo Testchild",
        "MISSING since",
        "Risk: High",
        "LOG-2",
        "Bus station",
        "Asthma",
        "Test foster home",
        "Testcarer One, 07700 900001",
        "Sasha Workerone",
        "No earlier missing or away episodes recorded.",
    ):
        assert expected in text, expected


def test_printing_is_audited_with_the_child_ids(world: World) -> None:
    populate(world)
    start, end = shift(world)
    data = build_handover(world.db, world.clock, world.actor, start, end)
    record_print(world.db, world.clock, world.actor, data, output="pdf:handover.pdf", pages=3)
    record_print(
        world.db,
        world.clock,
        world.actor,
        build_profile(world.db, world.clock, world.actor, "C2"),
        output="printer:Office",
    )
    with world.db.read_session() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.action.like("report.%")).order_by(AuditLog.id)).all()
        assert [(r.action, r.username, r.child_id) for r in rows] == [
            ("report.handover", "sw.one", None),
            ("report.profile", "sw.one", "C2"),
        ]
        detail = json.loads(rows[0].detail or "{}")
    assert set(detail["children"]) == {"C1", "C2", "C3", "C4", "C6"}
    assert set(detail["missing"]) == {"C1", "C2", "C4", "C6"} and set(detail["profiles"]) == {"C2", "C6"}
    assert detail["window"] == {"from": start.isoformat(), "to": end.isoformat()}


def test_default_window_is_the_shift_and_a_reprint_offers_the_last_sheets_window(world: World) -> None:
    now = world.clock.now()
    window = default_window(world.db, world.actor, now)
    assert (window.start, window.end, window.reason) == (
        datetime(2026, 11, 24, 17, 0, tzinfo=UTC),
        datetime(2026, 11, 25, 8, 45, tzinfo=UTC),
        "last shift",
    )
    data = build_handover(world.db, world.clock, world.actor, window.start, window.end)
    world.clock.set(now - 2 * H)
    record_print(world.db, world.clock, world.actor, data, output="pdf:x.pdf")
    world.clock.set(now)
    again = default_window(world.db, world.actor, now)  # a print does not shrink the next default
    assert (again.start, again.end) == (window.start, window.end)
    last = last_printed_window(world.db, world.actor, now)
    assert last is not None and (last.start, last.end, last.reason) == (window.start, window.end, "your last sheet")
    assert last_printed_window(world.db, world.manager, now) is None  # someone else's print


def test_last_shift_around_the_clock_and_the_weekend() -> None:
    def at(day: int, hh: int, mm: int = 0) -> datetime:
        return datetime(2026, 11, day, hh, mm, tzinfo=UTC)  # November: London is on GMT

    assert last_shift(at(25, 8, 30), DEFAULT_LADDER) == (at(24, 17), at(25, 8, 45))  # printed before handover
    assert last_shift(at(25, 16, 30), DEFAULT_LADDER) == (at(25, 8, 45), at(25, 17))
    assert last_shift(at(25, 18), DEFAULT_LADDER) == (at(25, 8, 45), at(25, 17))
    assert last_shift(at(30, 8, 30), DEFAULT_LADDER) == (at(27, 17), at(30, 8, 45))  # Monday: since Friday
    assert last_shift(at(26, 1, 34), DEFAULT_LADDER) == (at(25, 17), at(26, 8, 45))  # the night shift on now
    assert last_shift(at(28, 14), DEFAULT_LADDER) == (at(27, 17), at(30, 8, 45))  # Saturday: the weekend
