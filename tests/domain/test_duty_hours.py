"""The duty team sees restricted children out of office hours only, by the app's own check
(the board, the record, the profile and the handover), on SQLite and PostgreSQL alike.

Office hours are the council's ladder setting (Ladder.is_office_hours); the default is
Monday to Friday 08:45-17:00 Europe/London. NOW (tests.conftest) is Wednesday 25 November
2026, 12:00 UTC = 12:00 in London: office hours.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from lac_monitor.domain import access
from lac_monitor.domain.errors import NotFoundError
from lac_monitor.domain.ladder import DEFAULT_LADDER
from lac_monitor.services.access import AccessService
from lac_monitor.services.alerts import AlertService
from lac_monitor.services.handover import build_handover, build_profile
from lac_monitor.services.settings import SettingsService, load_ladder
from lac_monitor.services.uow import Actor
from lac_monitor.services.visibility import hidden_for, require_visible
from lac_monitor.storage.board import load_board
from lac_monitor.storage.schema import Staff
from tests.conftest import NOW
from tests.factories import World

EDT = Actor("edt.one", 4, "Dana Dutyone", "duty_officer")
HOS = Actor("hos.one", 5, "Alex Headone", "head_of_service")
SW2 = Actor("sw.two", 3, "Robin Workertwo", "social_worker", 2)
ADMIN = Actor("admin.one", 922, "Ada Adminone", "administrator")
SATURDAY_NOON = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
WEDNESDAY_NIGHT = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
MONDAY_MORNING = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
SUMMER_EVENING = datetime(2026, 7, 1, 16, 30, tzinfo=UTC)  # 17:30 BST: out of hours


@pytest.fixture
def council(world: World) -> World:
    """C1 restricted (Northfield, worker 1), C2 not, C3 restricted (Southbank, worker 3) and missing."""
    with world.db.write_session() as s:
        s.add(Staff(id=922, username="admin.one", display_name="Ada Adminone", role="administrator"))
        s.commit()
    for cid, team, worker in (("C1", 1, 1), ("C2", 1, 1), ("C3", 2, 3)):
        world.add_child(cid, team_id=team, worker_id=worker)
    AccessService(world.db, world.manager, world.clock).set_restricted("C1", True, "child of a member of staff")
    AccessService(world.db, ADMIN, world.clock).set_restricted("C3", True, "high-profile case")
    world.as_(SW2).report("C3", "M", NOW - timedelta(hours=3))
    return world


def _board(world: World, actor: Actor) -> set[str]:
    now = world.clock.now()
    ladder = load_ladder(world.db)
    with world.db.read_session() as s:
        return {r.child_id for r in load_board(s, now, hidden=hidden_for(s, actor, now, ladder))}


def test_the_rule_in_one_place() -> None:
    see = access.may_see_restricted
    assert see("duty_officer", 4, None, 1, 1, office_hours=False)
    assert not see("duty_officer", 4, None, 1, 1, office_hours=True)
    assert see("duty_officer", 4, None, 4, 1, office_hours=True)  # allocated to them
    assert see("head_of_service", 5, None, 1, 1, office_hours=True)
    assert see("administrator", 9, None, 1, 1, office_hours=True)
    assert see("team_manager", 2, 1, 1, 1, office_hours=True)
    assert not see("team_manager", 2, 1, 3, 2, office_hours=False)
    assert not see("social_worker", 3, 2, 1, 1, office_hours=False)
    assert not see(None, None, None, 1, 1, office_hours=False)
    assert not access.may("duty_officer", access.Permission.SEE_ALL_RESTRICTED)


@pytest.mark.parametrize("out_of_hours", [SATURDAY_NOON, WEDNESDAY_NIGHT, SUMMER_EVENING])
def test_the_duty_officer_sees_restricted_children_out_of_hours(council: World, out_of_hours: datetime) -> None:
    assert not DEFAULT_LADDER.is_office_hours(out_of_hours)
    council.clock.set(out_of_hours)
    assert _board(council, EDT) == {"C1", "C2", "C3"}
    with council.db.read_session() as s:
        require_visible(s, EDT, "C3", out_of_hours, DEFAULT_LADDER)
    assert build_profile(council.db, council.clock, EDT, "C3").child_id == "C3"


def test_in_office_hours_the_duty_officer_sees_no_restricted_child(council: World) -> None:
    assert DEFAULT_LADDER.is_office_hours(NOW)
    council.clock.set(NOW)
    assert _board(council, EDT) == {"C2"}
    with pytest.raises(NotFoundError):
        build_profile(council.db, council.clock, EDT, "C3")
    sheet = build_handover(council.db, council.clock, EDT, NOW - timedelta(hours=12), NOW)
    assert [m.child_id for m in sheet.missing] == []
    # Everyone else who may see them does so at any hour.
    assert _board(council, HOS) == {"C1", "C2", "C3"}
    assert _board(council, ADMIN) == {"C1", "C2", "C3"}
    assert _board(council, council.manager) == {"C1", "C2"}
    assert _board(council, council.actor) == {"C1", "C2"}  # C1 is theirs
    assert _board(council, SW2) == {"C2", "C3"}
    council.clock.set(SATURDAY_NOON)
    sheet = build_handover(council.db, council.clock, EDT, SATURDAY_NOON - timedelta(hours=12), SATURDAY_NOON)
    assert [m.child_id for m in sheet.missing] == ["C3"]


def test_office_hours_are_the_councils_setting(council: World) -> None:
    """Change the council's office hours and the duty team's view follows at once."""
    council.clock.set(NOW)  # Wednesday 12:00
    settings = SettingsService(council.db, ADMIN, council.clock)
    settings.save_ladder(replace(settings.ladder(), office_start=time(7, 0), office_end=time(11, 0)))
    assert _board(council, EDT) == {"C1", "C2", "C3"}
    settings.save_ladder(
        replace(settings.ladder(), office_days=(0, 1, 2, 3, 4, 5, 6), office_start=time(0, 0), office_end=time(23, 59))
    )
    council.clock.set(SATURDAY_NOON)
    assert _board(council, EDT) == {"C2"}


def test_the_duty_officers_alerts_about_a_restricted_child_follow_office_hours(council: World) -> None:
    council.clock.set(SATURDAY_NOON)  # C3 has been missing three days: the duty team is told
    AlertService(council.db, ADMIN, council.clock).evaluate()
    duty = AlertService(council.db, EDT, council.clock)
    assert "C3" in {a.child_id for a in duty.inbox(EDT.staff_id)}
    council.clock.set(MONDAY_MORNING)  # office hours: still addressed to them, no longer shown
    assert "C3" not in {a.child_id for a in duty.inbox(EDT.staff_id)}
    assert duty.unacknowledged_count(EDT.staff_id) == 0
    assert "C3" in {a.child_id for a in AlertService(council.db, SW2, council.clock).inbox(SW2.staff_id)}


def test_in_office_hours_the_duty_officer_cannot_act_on_a_restricted_child(council: World) -> None:
    council.clock.set(NOW)
    with pytest.raises(NotFoundError):
        council.as_(EDT).report("C1", "M", NOW - timedelta(hours=1))
    with pytest.raises(NotFoundError):
        council.as_(EDT).save_profile("C1", None, description="Tall")
    council.clock.set(SATURDAY_NOON)
    assert council.as_(EDT).report("C1", "M", SATURDAY_NOON - timedelta(hours=1)).child_id == "C1"
