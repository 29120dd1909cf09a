"""What a user notices: the banner, the inbox and its count, the settings screen."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from lac_monitor.domain.alerts import AlertRow
from lac_monitor.domain.errors import LacError
from lac_monitor.domain.ladder import DEFAULT_LADDER, Ladder
from lac_monitor.services.alerts import AlertService
from lac_monitor.storage.database import Database
from lac_monitor.storage.feed import FeedReader
from lac_monitor.ui import alert_banner
from lac_monitor.ui.alert_banner import AlertBanner, AlertNotifier, notify
from lac_monitor.ui.alert_inbox_view import AlertInboxView
from lac_monitor.ui.alerts_model import ROW_ROLE, AlertCol, AlertsModel
from lac_monitor.ui.settings_dialog import SettingsDialog
from tests.factories import World

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
NAMES = {"C000100": "Testa Childone"}


def alert(
    aid: int,
    severity: str = "warning",
    rule: str = "missing_24h",
    minutes: int = 0,
    acknowledged: bool = False,
    child: str = "C000100",
) -> AlertRow:
    return AlertRow(
        id=aid,
        rule=rule,
        unique_key=f"{rule}:episode:{aid}",
        child_id=child,
        episode_id=aid,
        severity=severity,
        message=f"Child {child} (episode {aid}) missing for 24 h: manager review due.",
        audiences=("team_manager",),
        due_at=NOW,
        raised_at=NOW + timedelta(minutes=minutes),
        raised_by="sw.one",
        acknowledged_at=NOW + H if acknowledged else None,
        acknowledged_by="Morgan Managerone" if acknowledged else None,
    )


# -- the model --------------------------------------------------------------------------------
def test_model_passes_qtmodeltester_and_updates_per_row(qtmodeltester: Any, qtbot: Any) -> None:
    model = AlertsModel(NAMES.get)
    model.load([alert(1, minutes=1), alert(2, "high", "high_risk", minutes=5), alert(3, "info", "returned")])
    qtmodeltester.check(model)
    assert [model.alert_at(i).id for i in range(3)] == [2, 1, 3]  # type: ignore[union-attr]  # newest first
    assert model.index(0, AlertCol.SEVERITY).data() == "▲ High"
    assert model.index(0, AlertCol.CHILD).data() == "Testa Childone (C000100)"
    assert model.index(0, AlertCol.RULE).data() == "High risk"
    assert isinstance(model.index(0, AlertCol.RAISED).data(), str)
    assert model.index(0, AlertCol.RAISED).data(Qt.ItemDataRole.UserRole) == NOW + timedelta(minutes=5)

    with (
        qtbot.assertNotEmitted(model.modelReset),
        qtbot.waitSignal(model.rowsInserted),
        qtbot.waitSignal(model.unacknowledged_count_did_change) as count,
    ):
        model.apply([alert(4, minutes=10)])
    assert count.args == [4] and model.row_of(4) == 0
    with qtbot.assertNotEmitted(model.modelReset), qtbot.waitSignal(model.rowsRemoved):
        model.apply([alert(1, minutes=1, acknowledged=True)])  # acknowledged: leaves the inbox
    assert model.row_of(1) is None and model.unacknowledged_count == 3
    qtmodeltester.check(model)


def test_history_keeps_acknowledged_rows_and_changes_them_in_place(qtmodeltester: Any, qtbot: Any) -> None:
    model = AlertsModel(show_acknowledged=True)
    model.load([alert(1), alert(2, acknowledged=True, minutes=1)])
    qtmodeltester.check(model)
    assert model.unacknowledged_count == 1
    with qtbot.waitSignal(model.dataChanged), qtbot.assertNotEmitted(model.rowsRemoved):
        model.apply([alert(1, acknowledged=True)])
    assert model.index(model.row_of(1) or 0, AlertCol.ACKNOWLEDGED).data().endswith("Morgan Managerone")
    assert model.unacknowledged_count == 0


# -- the banner --------------------------------------------------------------------------------
def test_high_alerts_cannot_be_dismissed_only_acknowledged(qtbot: Any) -> None:
    banner = AlertBanner(NAMES.get)
    qtbot.addWidget(banner)
    banner.show_alert(alert(1, "warning"))
    assert banner.isVisible() and banner.dismiss_button.isVisible()
    banner.show_alert(alert(2, "high", "high_risk"))
    assert banner.current_alert is not None and banner.current_alert.id == 2  # most severe first
    assert not banner.dismiss_button.isVisible()
    assert banner.more.text() == "+1 more unacknowledged"
    assert "Testa Childone (C000100)" in banner.text.text()
    with qtbot.waitSignal(banner.acknowledge_requested) as ack:
        qtbot.mouseClick(banner.ack_button, Qt.MouseButton.LeftButton)
    assert ack.args == [2]
    banner.remove_alert(2)  # acknowledged
    assert banner.current_alert is not None and banner.current_alert.id == 1
    with qtbot.waitSignal(banner.alert_did_dismiss) as dismissed:
        qtbot.mouseClick(banner.dismiss_button, Qt.MouseButton.LeftButton)
    assert dismissed.args == [1]
    assert not banner.isVisible()


def test_notify_flashes_the_taskbar_and_beeps_when_asked(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(QApplication, "alert", lambda w, ms=0: calls.append(f"alert:{ms}"))
    monkeypatch.setattr(QApplication, "beep", lambda: calls.append("beep"))
    window = QWidget()
    qtbot.addWidget(window)
    assert notify(alert(1, "high"), None, window, sound=True) is False  # no tray here
    assert calls == ["alert:0", "beep"]


# -- end to end: two desktops, the feed, the banner ------------------------------------------------
class Desktop:
    """One user's desktop: notifier, banner, inbox and a feed reader standing in for LiveBridge."""

    def __init__(self, qtbot: Any, world: World, db: Database, staff_id: int, username: str) -> None:
        from lac_monitor.services.uow import resolve_actor

        self.service = AlertService(db, resolve_actor(db, username), world.clock)
        self.banner = AlertBanner(NAMES.get)
        self.inbox = AlertInboxView(self.service, staff_id, NAMES.get)
        qtbot.addWidget(self.banner)
        qtbot.addWidget(self.inbox)
        self.notified: list[int] = []
        # Owned by the banner, which qtbot closes and deletes at the end of the test: the notifier
        # and its timer go with it, at a known point, never later from a garbage collection.
        self.notifier = AlertNotifier(
            self.service,
            staff_id,
            self.banner,
            inbox=self.inbox,
            username=username,
            interval_ms=60_000,
            parent=self.banner,
        )
        self.notifier.notify = self._record
        self.feed = FeedReader(db)
        self.notifier.start()

    def _record(self, alert: AlertRow, *_args: object, **_kw: object) -> bool:
        self.notified.append(alert.id)
        return False

    def pump(self) -> None:
        self.notifier.on_changes(self.feed.read())


def test_banner_appears_for_an_alert_addressed_to_me_and_not_for_another(
    qtbot: Any, world: World, other_db: Database
) -> None:
    worker = Desktop(qtbot, world, world.db, 1, "sw.one")
    elsewhere = Desktop(qtbot, world, other_db, 3, "sw.two")  # another team's worker
    world.add_child("C000100")
    world.episodes.report("C000100", "M", world.clock.now() - H, police_ref="LOG-1", risk="medium")
    worker.pump()  # the writer's desktop sees its own change and evaluates at once
    qtbot.waitUntil(lambda: worker.banner.isVisible())
    worker.pump()
    elsewhere.pump()
    assert worker.banner.current_alert is not None
    assert worker.banner.current_alert.child_id == "C000100"
    assert {a.rule for a in worker.inbox.model.rows()} >= {"reported"}
    assert worker.notified and len(worker.notified) == len(set(worker.notified))  # once each
    assert not elsewhere.banner.isVisible()
    assert elsewhere.notified == [] and elsewhere.inbox.unacknowledged_count == 0


def test_escalation_fires_on_the_timer_with_no_other_change(qtbot: Any, world: World) -> None:
    world.add_child("C000100")
    world.episodes.report("C000100", "M", world.clock.now() - 23 * H, police_ref="LOG-1")
    manager = Desktop(qtbot, world, world.db, 2, "tm.one")
    manager.notifier.timer.setInterval(20)
    assert all(a.rule != "missing_24h" for a in manager.inbox.model.rows())
    world.clock.advance(H)  # nothing in the database changes; only the clock moves
    qtbot.waitUntil(lambda: any(a.rule == "missing_24h" for a in manager.inbox.model.rows()), timeout=3000)
    escalation = next(a for a in manager.inbox.model.rows() if a.rule == "missing_24h")
    assert escalation.id in manager.banner.pending_ids and manager.banner.isVisible()
    assert escalation.id in manager.notified


def test_acknowledging_from_the_inbox_updates_the_count_and_the_other_desktop(
    qtbot: Any, world: World, other_db: Database
) -> None:
    world.add_child("C000100")
    world.episodes.report("C000100", "M", world.clock.now() - H, police_ref="LOG-1", risk="high")
    here = Desktop(qtbot, world, world.db, 2, "tm.one")
    there = Desktop(qtbot, world, other_db, 2, "tm.one")
    there.pump()
    assert here.inbox.unacknowledged_count == there.inbox.unacknowledged_count > 0
    before = here.inbox.unacknowledged_count
    high = next(a for a in here.inbox.model.rows() if a.rule == "high_risk")
    assert high.id in there.banner.pending_ids and there.banner.isVisible()
    assert not there.banner.dismiss_button.isVisible()  # high alerts stay until acknowledged

    AlertInboxView.ask_note = staticmethod(lambda _p, _a, _c: "Spoke to police")  # type: ignore[assignment]
    try:
        here.inbox.select_alert(high.id)
        assert here.inbox.ack_button.isEnabled()
        with (
            qtbot.waitSignal(here.inbox.unacknowledged_count_did_change) as count,
            qtbot.waitSignal(here.inbox.alert_did_acknowledge),
        ):
            qtbot.mouseClick(here.inbox.ack_button, Qt.MouseButton.LeftButton)
    finally:
        del AlertInboxView.ask_note
    assert count.args == [before - 1]
    assert here.service.get(high.id).ack_note == "Spoke to police"
    assert high.id not in here.banner.pending_ids
    there.pump()  # the other desktop hears about it through the feed
    assert there.inbox.unacknowledged_count == before - 1
    assert high.id not in there.banner.pending_ids
    there.inbox.show_acknowledged.setChecked(True)  # history
    assert high.id in {a.id for a in there.inbox.model.rows()}


def test_cancelling_the_note_acknowledges_nothing_and_a_late_ack_explains_who(
    qtbot: Any, world: World, other_db: Database
) -> None:
    world.add_child("C000100")
    world.episodes.report("C000100", "M", world.clock.now() - H, police_ref="LOG-1")
    desk = Desktop(qtbot, world, world.db, 1, "sw.one")
    target = desk.inbox.model.rows()[0]
    boxes: list[QMessageBox] = []

    def capture(parent: QWidget | None, exc: LacError) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, "t", str(exc), QMessageBox.StandardButton.Ok, parent)
        boxes.append(box)
        box.open = lambda: None  # type: ignore[method-assign,assignment]
        return box

    AlertInboxView.ask_note = staticmethod(lambda _p, _a, _c: None)  # type: ignore[assignment]
    AlertInboxView.error_box = staticmethod(capture)  # type: ignore[assignment]
    try:
        with qtbot.assertNotEmitted(desk.inbox.alert_did_acknowledge):
            assert desk.inbox.acknowledge(target.id) is None
        assert desk.inbox.unacknowledged_count == len(desk.inbox.model.rows())
        from lac_monitor.services.uow import resolve_actor

        AlertService(other_db, resolve_actor(other_db, "tm.one"), world.clock).acknowledge(target.id)
        AlertInboxView.ask_note = staticmethod(lambda _p, _a, _c: "")  # type: ignore[assignment]
        assert desk.inbox.acknowledge(target.id) is None
    finally:
        del AlertInboxView.ask_note
        del AlertInboxView.error_box
    assert boxes and "already acknowledged by Morgan Managerone" in boxes[0].text()
    assert desk.inbox.model.row_of(target.id) is None  # refreshed: it left my open list


# -- the settings screen ------------------------------------------------------------------------
def test_settings_refuse_a_bad_ladder_inline_and_save_a_good_one(qtbot: Any) -> None:
    saved: list[Ladder] = []

    def save(ladder: Ladder) -> Ladder:
        saved.append(ladder)
        return ladder

    dialog = SettingsDialog(DEFAULT_LADDER, save=save)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.hours["strategy_meeting_hours"].setValue(20)  # before the 24 h manager review
    assert dialog.try_save() is False
    assert dialog.error.isVisible() and "Strategy meeting" in dialog.error.text()
    assert saved == [] and dialog.isVisible()
    dialog.hours["strategy_meeting_hours"].setValue(36)
    dialog.counts["lookback_days"].setValue(3)
    with qtbot.waitSignal(dialog.ladder_did_save) as done:
        assert dialog.try_save() is True
    assert saved == [replace(DEFAULT_LADDER, strategy_meeting_hours=36, lookback_days=3)]
    assert done.args == [saved[0]]


def test_bank_holidays_are_edited_one_a_line_and_a_bad_date_is_named(qtbot: Any) -> None:
    from datetime import date

    saved: list[Ladder] = []
    dialog = SettingsDialog(DEFAULT_LADDER, save=lambda ladder: saved.append(ladder) or ladder)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "2026-12-25" in dialog.bank_holidays.toPlainText()  # England and Wales by default
    dialog.bank_holidays.setPlainText(dialog.bank_holidays.toPlainText() + "\n2026-02-30")
    assert dialog.try_save() is False
    assert "Bank holidays" in dialog.error.text() and "2026-02-30" in dialog.error.text()
    assert saved == [] and dialog.isVisible()
    dialog.bank_holidays.setPlainText("2026-12-24\n2026-12-25\n")
    assert dialog.try_save() is True
    assert saved[0].bank_holidays == (date(2026, 12, 24), date(2026, 12, 25))
    assert not saved[0].is_office_day(date(2026, 12, 24))  # a Thursday, closed all day


def test_settings_are_read_only_without_a_save(qtbot: Any) -> None:
    dialog = SettingsDialog(DEFAULT_LADDER)
    qtbot.addWidget(dialog)
    assert not dialog.hours["manager_review_hours"].isEnabled()
    assert dialog.try_save() is False


def test_model_rows_carry_the_plain_alert(qtbot: Any) -> None:
    model = AlertsModel()
    model.load([alert(7)])
    assert model.index(0, 0).data(ROW_ROLE) == alert(7)
    assert alert_banner.alert_title(alert(7)) == "● 24 h: manager review"
