"""The Trends view and the Linked children tab, offscreen, on the demo council."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QSettings
from sqlalchemy import select

from lac_monitor.demo import generate
from lac_monitor.domain.clock import FixedClock
from lac_monitor.services.trends import TrendsService
from lac_monitor.services.uow import resolve_actor
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Staff
from lac_monitor.ui.app_window import AppWindow
from lac_monitor.ui.patterns_view import linked_html
from lac_monitor.ui.settings_store import SettingsStore

OUT = Path(__file__).resolve().parents[2] / "resources" / "screenshots"
AT = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def test_trends_view_shows_the_same_figures_as_the_query_layer(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = Database.open(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    try:
        generate(db, children=650, seed=1, now=AT)
        with db.read_session() as s:
            head = s.scalar(select(Staff.username).where(Staff.role == "head_of_service").limit(1))
        actor = resolve_actor(db, head)
        settings = SettingsStore(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        win = AppWindow(db, actor, FixedClock(AT), settings, tray=False)
        qtbot.addWidget(win)
        win.alerts.dock.hide()
        feature = win.patterns
        view = feature.trends
        view.start_edit.setDate(date(2025, 12, 1))
        view.end_edit.setDate(date(2026, 11, 25))
        view.refresh(wait=True)
        expected = TrendsService(db, actor, FixedClock(AT)).trends(date(2025, 12, 1), date(2026, 11, 25))
        assert view.data == expected
        assert f"{expected.episodes} ({expected.missing} missing, {expected.away} away)" in view.headline.text()
        assert len(view.monthly.months) == 12
        feature.dock.setFloating(True)
        feature.dock.show()
        feature.dock.resize(1400, 1000)
        qtbot.waitExposed(view)
        qtbot.wait(20)
        shot = view.grab()
        assert shot.width() > 1000
        if os.environ.get("LAC_MONITOR_SCREENSHOTS") == "1":
            OUT.mkdir(parents=True, exist_ok=True)
            shot.save(str(OUT / "trends.png"))
        # The record's Linked children tab follows the child opened.
        row = win.board_model.entries[0].row
        assert win.select_child(row.child_id)
        qtbot.wait(20)
        assert feature.linked.toPlainText()
        if os.environ.get("LAC_MONITOR_SCREENSHOTS") == "1":
            feature.dock.hide()
            win.resize(1600, 900)
            win.show()
            qtbot.waitExposed(win)
            tabs = win.detail_view.tabs
            for i, name in ((tabs.indexOf(feature.linked), "linked"), (tabs.indexOf(feature.notices), "notifications")):
                tabs.setCurrentIndex(i)
                qtbot.wait(20)
                win.grab().save(str(OUT / f"record_{name}.png"))
    finally:
        db.dispose()


def test_linked_html_escapes_and_says_when_there_are_none() -> None:
    from lac_monitor.storage.patterns import LinkedChild

    assert "No linked children" in linked_html([])
    out = linked_html([LinkedChild("C1", "A <b>", ("shares an associate: Jay & co",))])
    assert "&lt;b&gt;" in out and "Jay &amp; co" in out


def test_report_form_keeps_the_steps_taken_before_reporting(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    from lac_monitor.domain.localtime import to_local
    from tests.ui.test_main_window import _open

    dialog = _open(window, "C000002", window.report_missing)
    local = to_local(window.clock.now())
    dialog.field("started_at").set_value(window.clock.now() - timedelta(hours=3))
    dialog.field("steps").setPlainText("nonsense")
    assert not dialog.submit()
    assert "line 1 must be a time" in dialog.error_text("steps")
    early = local - timedelta(hours=2)
    later = early + timedelta(minutes=20)
    dialog.field("steps").setPlainText(f"{early:%H:%M} searched the garden\n{later:%H:%M} rang her phone")
    assert dialog.submit()
    qtbot.waitUntil(lambda: "Step taken before reporting" in window.detail_view.timeline.toPlainText())
    assert "searched the garden" in window.detail_view.timeline.toPlainText()


def test_notifications_tab_shows_the_checklist_and_records_who_told_whom(qtbot, window, council) -> None:  # type: ignore[no-untyped-def]
    from lac_monitor.ui.patterns_view import PatternsFeature

    ep = int(council.episodes.report("C000002", "M", council.clock.now() - timedelta(hours=2)).id)
    feature = PatternsFeature(window)
    assert window.select_child("C000002")
    qtbot.waitUntil(lambda: feature.episode_id == ep)
    assert "✘ to do UK Missing Persons Unit" in feature.checklist.toPlainText()
    dlg = feature.ask_notify()
    assert dlg is not None
    dlg.party.setCurrentIndex(dlg.party.findData("mpu"))
    assert not dlg.submit() and "Not saved" in dlg.error.text()  # nobody named
    dlg.by.setText("PC Testone")
    dlg.whom.setText("UK Missing Persons Unit")
    dlg.at.setDateTime(dlg.at.dateTime().addSecs(-600))
    assert dlg.submit()
    qtbot.waitUntil(lambda: "✔ UK Missing Persons Unit" in feature.checklist.toPlainText())
    assert "PC Testone told UK Missing Persons Unit" in feature.checklist.toPlainText()
