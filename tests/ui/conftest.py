"""UI fixtures: a window on a small synthetic council, settings in a temp file."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QSettings

from lac_monitor.domain.clock import FixedClock
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.settings_store import SettingsStore
from tests.factories import World


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Collect a test's garbage here, once its widgets are closed and deleted.

    A Qt object left in a reference cycle (a test's helper holding a notifier that holds it
    back) is otherwise deleted by whichever cyclic garbage collection comes next, perhaps in
    the middle of a later test's event processing, from inside that object's own timer or
    signal: the interpreter then crashes (seen as a segfault in pytest-qt's event processing).
    """
    gc.collect()


@pytest.fixture
def settings(tmp_path) -> SettingsStore:  # type: ignore[no-untyped-def]
    return SettingsStore(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def live_clock(world: World) -> FixedClock:
    """Real time (a minute ago), so another process's "now" is not in the window's future."""
    world.clock.set(datetime.now(UTC) - timedelta(minutes=1))
    return world.clock


@pytest.fixture
def council(world: World) -> World:
    """Six children in two teams: one missing (high risk), one away, one returned, three at home."""
    w = world
    w.add_child("C000001", first="Amira", last="Testone", preferred="Mimi", locality="Northfield")
    w.add_child("C000002", first="Bilal", last="Testtwo", locality="Northfield")
    w.add_child("C000003", first="Cara", last="Testthree", team_id=2, worker_id=3, locality="Southbank")
    w.add_child("C000004", first="Dylan", last="Testfour", team_id=2, worker_id=3, locality="Southbank")
    w.add_child("C000005", first="Erin", last="Testfive", locality="Northfield")
    w.add_child("C000006", first="Femi", last="Testsix", team_id=2, worker_id=3, locality="Southbank")
    now = w.clock.now()
    svc = w.episodes
    svc.report(
        "C000001", "M", now - timedelta(hours=5), risk="high", police_ref="LOG-0101", last_seen_where="Bus station"
    )
    svc.report("C000003", "A", now - timedelta(hours=2), risk="low", last_seen_where="Friend's house")
    ep = svc.report("C000004", "M", now - timedelta(hours=30), risk="medium")
    svc.record_return(int(ep.id), None, now - timedelta(hours=10), found_where="Park")
    return w


@pytest.fixture
def window(qtbot, db, council: World, settings: SettingsStore) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    win = MainWindow(db, council.actor, council.clock, settings)
    qtbot.addWidget(win)
    yield win
    win.shut_down()
