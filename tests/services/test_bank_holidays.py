"""Bank holidays are weekend days for office hours: the handover's default window and the
duty team's out-of-hours view follow them. England and Wales 2026-2027 ship as the default;
an administrator keeps the list (`lac-monitor council bank-holidays`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.ladder import DEFAULT_BANK_HOLIDAYS
from lac_monitor.services.handover import default_window
from lac_monitor.services.settings import SettingsService, load_ladder
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Staff
from tests.cli.test_cli import run_cli
from tests.factories import World

ADMIN = Actor("admin.bh", 931, "Ada Adminbh", "administrator")
EDT = Actor("edt.one", 4, "Dana Dutyone", "duty_officer")


def _local(y: int, m: int, d: int, hh: int, mm: int = 0, bst: bool = False) -> datetime:
    return datetime(y, m, d, hh - (1 if bst else 0), mm, tzinfo=UTC)


@pytest.fixture
def admin(db: Database) -> Actor:
    with db.write_session() as s:
        s.add(Staff(id=931, username="admin.bh", display_name="Ada Adminbh", role="administrator"))
        s.commit()
    return ADMIN


def test_on_a_bank_holiday_at_eleven_the_window_is_the_weekend_one(world: World) -> None:
    early_may = _local(2026, 5, 4, 11, bst=True)  # Monday 4 May 2026, early May bank holiday
    window = default_window(world.db, EDT, early_may)
    assert window.start == _local(2026, 5, 1, 17, bst=True)  # Friday 17:00
    assert window.end == _local(2026, 5, 5, 8, 45, bst=True)  # Tuesday 08:45
    assert window.reason == "current shift"
    assert not load_ladder(world.db).is_office_hours(early_may)  # the duty team is on
    # an ordinary Monday at 11:00 hands over the weekend that ended at 08:45
    ordinary = default_window(world.db, EDT, _local(2026, 5, 11, 11, bst=True))
    assert (ordinary.start, ordinary.end) == (_local(2026, 5, 8, 17, bst=True), _local(2026, 5, 11, 8, 45, bst=True))
    assert ordinary.reason == "last shift"


def test_the_default_list_is_england_and_wales_2026_and_2027() -> None:
    assert len(DEFAULT_BANK_HOLIDAYS) == 16
    assert date(2026, 12, 28) in DEFAULT_BANK_HOLIDAYS and date(2027, 3, 26) in DEFAULT_BANK_HOLIDAYS


def test_an_administrator_adds_a_date_from_the_command_line_and_it_takes_effect(
    world: World, admin: Actor, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    thursday = _local(2026, 11, 26, 14)  # an ordinary Thursday: the day shift is on
    before = default_window(world.db, EDT, thursday)
    assert (before.start, before.end) == (_local(2026, 11, 26, 8, 45), _local(2026, 11, 26, 17))
    code, out, err = run_cli(
        capsys, "council", "bank-holidays", "add", "2026-11-26", "--database", db_url, user="admin.bh"
    )
    assert code == 0, err
    assert "2026-11-26  Thursday 26 November 2026" in out
    after = default_window(world.db, EDT, thursday)
    assert (after.start, after.end) == (_local(2026, 11, 25, 17), _local(2026, 11, 27, 8, 45))
    assert not load_ladder(world.db).is_office_hours(thursday)
    code, out, _ = run_cli(
        capsys, "council", "bank-holidays", "remove", "2026-11-26", "--database", db_url, user="admin.bh"
    )
    assert code == 0 and "2026-11-26" not in out
    assert load_ladder(world.db).is_office_hours(thursday)


def test_a_bad_date_is_refused_naming_the_field_and_the_rule(
    world: World, admin: Actor, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValidationError) as refused:
        SettingsService(world.db, ADMIN, world.clock).save_bank_holidays(["2026-02-30"])
    assert refused.value.field == "bank holidays"
    assert "YYYY-MM-DD" in str(refused.value)
    code, _, err = run_cli(
        capsys, "council", "bank-holidays", "add", "25/12/2026", "--database", db_url, user="admin.bh"
    )
    assert code == 2
    assert "bank holidays" in err and "YYYY-MM-DD" in err
    assert load_ladder(world.db).bank_holidays == DEFAULT_BANK_HOLIDAYS  # nothing saved


def test_a_non_administrator_cannot_change_them(world: World) -> None:
    with pytest.raises(Exception, match="administrator"):
        SettingsService(world.db, EDT, world.clock).save_bank_holidays(["2026-11-26"])
