"""The whole window as the app builds it: alerts, escalation settings and printing wired in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lac_monitor.domain.ladder import DEFAULT_LADDER
from lac_monitor.domain.status import ChildStatus
from lac_monitor.services.alerts import AlertService
from lac_monitor.services.settings import SettingsService
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import AuditLog
from lac_monitor.ui import print_preview
from lac_monitor.ui.app_window import AppWindow
from lac_monitor.ui.settings_store import SettingsStore
from tests.factories import World


@pytest.fixture
def app_window(qtbot, db: Database, council: World, settings: SettingsStore) -> Iterator[AppWindow]:  # type: ignore[no-untyped-def]
    win = AppWindow(db, council.actor, council.clock, settings, tray=False)
    qtbot.addWidget(win)
    yield win
    win.shut_down()


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return "\n".join(p.extract_text() for p in PdfReader(path).pages)


def test_new_alert_for_me_shows_banner_count_and_inbox(app_window: AppWindow, council: World, qtbot) -> None:  # type: ignore[no-untyped-def]
    alerts = app_window.alerts
    # On start the window evaluated the ladder: the high-risk report on my caseload is an alert for me.
    svc = AlertService(council.db, council.actor, council.clock)
    # The start-up evaluation runs in a worker and its alerts arrive together: wait until the
    # window's count has settled on what the database holds for me.
    qtbot.waitUntil(lambda: 0 < alerts.count == svc.unacknowledged_count(council.actor.staff_id), timeout=10_000)
    assert "unacknowledged alert" in app_window.windowTitle()
    assert not alerts.banner.isHidden()
    assert alerts.banner.current_alert is not None
    before = alerts.count
    first = alerts.inbox.model.index(0, 0)
    assert first.isValid()
    # Acknowledge on another desktop (connection): the count here follows via the feed.
    row = svc.inbox(council.actor.staff_id)[0]
    svc.acknowledge(row.id, "Spoken to carer")
    qtbot.waitUntil(lambda: alerts.count == before - 1, timeout=10_000)


def test_ladder_change_on_another_desktop_moves_the_board(
    app_window: AppWindow, council: World, other_db: Database, qtbot
) -> None:  # type: ignore[no-untyped-def]
    # C000004 returned 10 h ago: RHI due under the default 72 h window.
    assert app_window.board_model.status_of("C000004") is ChildStatus.RETURNED_RHI_DUE
    admin = Actor("it.admin", None, "Test Admin", "administrator")
    SettingsService(other_db, admin, council.clock).save_ladder(replace(DEFAULT_LADDER, rhi_hours=8))
    qtbot.waitUntil(lambda: app_window.board_model.status_of("C000004") is ChildStatus.RHI_OVERDUE, timeout=5000)


def test_escalation_settings_are_read_only_for_a_social_worker(app_window: AppWindow) -> None:
    dlg = app_window.alerts.open_settings()
    assert not dlg.isHidden()
    assert "read only" in app_window.alerts.settings_action.toolTip()
    dlg.reject()


def test_profile_of_the_selected_child_in_two_clicks_and_audited(
    app_window: AppWindow, council: World, tmp_path: Path, monkeypatch, qtbot
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "profile.pdf"
    monkeypatch.setattr(print_preview, "ask_save_path", lambda parent, suggested: str(target))
    assert app_window.select_child("C000001")
    job = app_window.printing.preview_profile(save=True)
    assert job is not None
    qtbot.waitUntil(target.exists, timeout=30_000)  # built and rendered in a worker
    pdf = job.result[1]
    assert target.read_bytes() == pdf
    text = _text(pdf, tmp_path)
    assert "Amira" in text and "OFFICIAL-SENSITIVE" in text and "LOG-0101" in text
    with council.db.read_session() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "report.profile")).one()
    assert "C000001" in (audit.detail or "") and audit.username == council.actor.username


def test_handover_dialog_rejects_a_reversed_window_and_saves_a_sheet(
    app_window: AppWindow, council: World, tmp_path: Path, monkeypatch, qtbot
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "handover.pdf"
    monkeypatch.setattr(print_preview, "ask_save_path", lambda parent, suggested: str(target))
    dlg = app_window.printing.ask_handover()
    dlg.end_edit.setDateTime(dlg.start_edit.dateTime().addSecs(-3600))
    dlg.save_button.click()
    assert "To: must be after From" in dlg.error.text()
    assert not target.exists()
    dlg.end_edit.setDateTime(dlg.start_edit.dateTime().addSecs(16 * 3600))
    dlg.notes.setPlainText("Amira's mum called at 21:00 <b>&</b>")
    dlg.save_button.click()
    qtbot.waitUntil(target.exists, timeout=30_000)
    text = _text(target.read_bytes(), tmp_path)
    assert "Amira" in text and "Cara" in text  # missing and away now
    assert "Bilal" not in text  # at home
    assert "<b>&</b>" in text


def test_alert_evaluation_fires_on_time_with_no_other_change(app_window: AppWindow, council: World, qtbot) -> None:  # type: ignore[no-untyped-def]
    alerts = app_window.alerts
    qtbot.waitUntil(lambda: alerts.count > 0, timeout=5000)
    svc = AlertService(council.db, council.actor, council.clock)
    assert "missing_24h" not in {r.rule for r in svc.open_alerts()}
    council.clock.advance(timedelta(hours=19))  # C000001: exactly 24 h missing
    alerts.notifier.evaluate_now()
    qtbot.waitUntil(lambda: "missing_24h" in {r.rule for r in svc.open_alerts()}, timeout=10000)
    rules = [r.rule for r in svc.open_alerts()]
    assert rules.count("missing_24h") == 1  # for the team manager
    alerts.notifier.evaluate_now()  # noticed again: still exactly one
    app_window.workers.wait()
    qtbot.waitUntil(lambda: not app_window.workers.busy, timeout=10000)
    assert [r.rule for r in svc.open_alerts()].count("missing_24h") == 1


def test_alert_count_in_the_summary_strip_and_sound_preference(
    app_window: AppWindow,
    qtbot,  # type: ignore[no-untyped-def]
    settings: SettingsStore,
) -> None:
    alerts = app_window.alerts
    qtbot.waitUntil(lambda: alerts.count > 0, timeout=5000)
    assert alerts.count_button.text() == f"⚑ {alerts.count} unacknowledged alert{'s' if alerts.count != 1 else ''}"
    alerts.dock.hide()
    alerts.count_button.click()
    assert not alerts.dock.isHidden()
    assert not alerts.notifier.sound
    alerts.sound_action.trigger()
    assert alerts.notifier.sound and settings.alert_sound()


def test_handover_at_night_defaults_to_the_shift_on_now_and_offers_a_reprint(
    app_window: AppWindow, council: World
) -> None:
    from datetime import UTC, datetime

    from lac_monitor.services.handover import build_handover, record_print

    council.clock.set(datetime(2026, 11, 26, 1, 34, tzinfo=UTC))
    dlg = app_window.printing.ask_handover()
    assert dlg.start_edit.value() == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    assert dlg.end_edit.value() == datetime(2026, 11, 26, 8, 45, tzinfo=UTC)
    assert dlg.last_button is None
    dlg.reject()
    start, end = datetime(2026, 11, 25, 20, 0, tzinfo=UTC), datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    data = build_handover(council.db, council.clock, council.actor, start, end)
    record_print(council.db, council.clock, council.actor, data, output="printer:EDT")  # then the paper jams
    again = app_window.printing.ask_handover()
    assert again.start_edit.value() == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # still the shift
    assert again.last_button is not None
    again.last_button.click()
    assert (again.start_edit.value(), again.end_edit.value()) == (start, end)
    again.reject()
