"""Times typed in the hours the clocks change: refused when they never happened, asked about
when they happened twice (Europe/London: 29 March 2026 01:00–01:59 skipped, 25 October 2026
01:00–01:59 passed twice)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone
from sqlalchemy import func, select

from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import MissingEpisode
from lac_monitor.ui.episode_dialog import LocalTimeEdit, ReportDialog
from lac_monitor.ui.main_window import MainWindow
from tests.ui.test_main_window import _open


def _type_wall_time(edit: LocalTimeEdit, y: int, mo: int, d: int, h: int, mi: int) -> None:
    edit.setDateTime(QDateTime(QDate(y, mo, d), QTime(h, mi), QTimeZone(QTimeZone.Initialization.UTC)))


def _episodes(db: Database, child_id: str) -> int:
    with db.read_session() as s:
        return int(s.scalar(select(func.count()).where(MissingEpisode.child_id == child_id)) or 0)


def test_a_time_the_clocks_skipped_is_refused_beside_the_field(window: MainWindow, db: Database) -> None:
    dialog = _open(window, "C000002", window.report_missing)
    assert isinstance(dialog, ReportDialog)
    before = _episodes(db, "C000002")
    start = dialog.field("started_at")
    _type_wall_time(start, 2026, 3, 29, 1, 30)
    assert "did not happen" in dialog.error_text("started_at")
    assert "clocks went forward" in dialog.error_text("started_at")
    assert not start.which.isVisibleTo(dialog)  # nothing to choose: it never happened
    assert not dialog.submit()
    assert dialog.isVisible() and _episodes(db, "C000002") == before
    _type_wall_time(start, 2026, 3, 29, 2, 30)  # the time the clock showed: fine
    assert "did not happen" not in dialog.error_text("started_at")


def test_a_time_that_happened_twice_asks_which_and_saves_the_one_chosen(
    qtbot: Any, window: MainWindow, db: Database
) -> None:
    dialog = _open(window, "C000002", window.report_missing)
    assert isinstance(dialog, ReportDialog)
    start = dialog.field("started_at")
    _type_wall_time(start, 2026, 10, 25, 1, 30)
    assert start.which.isVisibleTo(dialog)  # the question appears under the field
    assert "happened twice" in dialog.error_text("started_at")
    assert not dialog.submit()  # not saved until the user says which
    assert _episodes(db, "C000002") == 0
    texts = [start.which.itemText(i) for i in range(start.which.count())]
    assert any("01:30 BST, the first time" in t for t in texts)
    assert any("01:30 GMT, the second time" in t for t in texts)
    start.which.setCurrentIndex(start.which.findData(1))  # the second 01:30 (GMT)
    assert dialog.error_text("started_at") == ""
    assert start.value() == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    # The choice is one stop in the Tab order, right after the time.
    stops = dialog._stops()
    assert stops[stops.index(start) + 1] is start.which
    assert dialog.submit()
    with db.read_session() as s:
        started = s.scalars(select(MissingEpisode.started_at).where(MissingEpisode.child_id == "C000002")).one()
    assert started.replace(tzinfo=UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    _type_wall_time(start, 2026, 10, 25, 3, 0)  # an ordinary time: the question goes away
    assert not start.which.isVisibleTo(dialog)


def test_the_first_of_the_two_is_an_hour_earlier(window: MainWindow) -> None:
    dialog = _open(window, "C000002", window.report_missing)
    start = dialog.field("started_at")
    _type_wall_time(start, 2026, 10, 25, 1, 30)
    start.which.setCurrentIndex(start.which.findData(0))
    assert start.value() == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    # Read back from the record, the time keeps its own instance.
    start.set_value(datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert start.which.currentData() == 1 and start.value() == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_screenshot_of_the_question(window: MainWindow, tmp_path: Any) -> None:
    import os

    dialog = _open(window, "C000002", window.report_missing)
    _type_wall_time(dialog.field("started_at"), 2026, 10, 25, 1, 30)
    dialog.adjustSize()
    out = os.environ.get("LAC_SHOT_DIR")
    assert not dialog.grab().isNull()
    if out:
        dialog.grab().save(os.path.join(out, "clock_change.png"))


def test_a_handover_window_boundary_in_the_repeated_hour_covers_both_and_a_skipped_one_is_named(
    qtbot: Any, db: Database, council: Any, settings: Any
) -> None:
    import pytest

    from lac_monitor.domain.errors import ValidationError
    from lac_monitor.ui.app_window import AppWindow

    win = AppWindow(db, council.actor, council.clock, settings, tray=False)
    qtbot.addWidget(win)
    try:
        dlg = win.printing.ask_handover()
        _type_wall_time(dlg.start_edit, 2026, 10, 25, 1, 30)
        _type_wall_time(dlg.end_edit, 2026, 10, 25, 1, 30)
        assert not dlg.start_edit.which.isVisible()  # no question here: the window takes both
        start, end, *_ = dlg.options()
        assert (start, end) == (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
        _type_wall_time(dlg.start_edit, 2026, 3, 29, 1, 30)
        with pytest.raises(ValidationError) as refused:
            dlg.options()
        assert refused.value.field == "From" and "did not happen" in refused.value.rule
    finally:
        win.shut_down()
