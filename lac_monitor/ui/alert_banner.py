"""Noticing an alert: the in-window banner, the tray message, the taskbar flash, a sound.

Never a blocking modal. `AlertBanner` is a strip shown inside the main window; high
alerts cannot be dismissed, only acknowledged, so they stay until someone acts.
`notify()` adds the tray message (where a tray exists), flashes the taskbar and beeps.
`AlertNotifier` ties the service, the change feed, the inbox and the banner together for
one user, and evaluates the time-based rules on a timer so escalations fire on time even
when nothing else in the database changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSystemTrayIcon,
    QWidget,
)

from lac_monitor.domain.alerts import AlertRow, Severity, without_subject
from lac_monitor.domain.changes import AlertChanged, ChangeEvent, EpisodeChanged, ProfileChanged, RhiChanged
from lac_monitor.domain.errors import LacError
from lac_monitor.ui.alerts_model import SEVERITY_SYMBOLS, NameFor, child_text
from lac_monitor.ui.errors import as_known_error
from lac_monitor.ui.workers import Job, Workers

log = logging.getLogger(__name__)

EVALUATE_MS = 30_000
MAX_NOTIFY = 5  # tray messages and announcements per batch; the rest wait in the inbox
TRAY_MS = 15_000

_STYLE = {
    "high": ("#8b0000", "#ffffff"),
    "warning": ("#fff3cd", "#3d2e00"),
    "info": ("#e7f1fb", "#0b2940"),
}


def _rank(row: AlertRow) -> tuple[int, float, int]:
    try:
        sev = Severity(row.severity).rank
    except ValueError:
        sev = 0
    return (sev, row.raised_at.timestamp(), row.id)


def alert_title(alert: AlertRow) -> str:
    return f"{SEVERITY_SYMBOLS.get(alert.severity, '•')} {alert.label}"


class AlertBanner(QFrame):
    """A strip inside the main window for new alerts addressed to this user.

    Shows the most severe (then newest) pending alert and how many more are waiting.

    Signals:
        acknowledge_requested(int): the user clicked Acknowledge on this alert id.
        alert_did_dismiss(int): the user hid this (non-high) alert from the banner; it stays
            unacknowledged in the inbox.
    """

    acknowledge_requested = Signal(int)
    alert_did_dismiss = Signal(int)

    def __init__(self, name_for: NameFor | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Alert")
        self._name_for = name_for
        self._pending: dict[int, AlertRow] = {}
        self._total: int | None = None  # unacknowledged in the inbox, when known
        self.title = QLabel()
        self.title.setObjectName("alertBannerTitle")
        self.text = QLabel()
        self.text.setObjectName("alertBannerText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more = QLabel()
        self.more.setObjectName("alertBannerMore")
        self.ack_button = QPushButton("&Acknowledge…")
        self.ack_button.clicked.connect(self._on_ack)
        self.dismiss_button = QPushButton("&Dismiss")
        self.dismiss_button.setToolTip("Hide from the banner; the alert stays in your inbox")
        self.dismiss_button.clicked.connect(self._on_dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.more)
        layout.addWidget(self.ack_button)
        layout.addWidget(self.dismiss_button)
        self.hide()

    @property
    def current_alert(self) -> AlertRow | None:
        if not self._pending:
            return None
        return max(self._pending.values(), key=_rank)

    @property
    def pending_ids(self) -> list[int]:
        return sorted(self._pending)

    def set_total(self, unacknowledged: int) -> None:
        """The inbox's unacknowledged count: "+N more" is counted from it, so the two agree."""
        self._total = unacknowledged
        self._refresh()

    def show_alerts(self, alerts: Iterable[AlertRow]) -> None:
        """Many at once (start-up, a flood after an outage): one refresh."""
        for alert in alerts:
            if alert.is_open:
                self._pending[alert.id] = alert
            else:
                self._pending.pop(alert.id, None)
        self._refresh()

    def show_alert(self, alert: AlertRow) -> None:
        """Queue an alert (ignored if acknowledged or resolved) and show the most pressing one."""
        if alert.acknowledged or alert.resolved:
            self.remove_alert(alert.id)
            return
        self._pending[alert.id] = alert
        self._refresh()

    def remove_alert(self, alert_id: int) -> None:
        """Acknowledged (here or on another desktop): take it off the banner."""
        if self._pending.pop(alert_id, None) is not None:
            self._refresh()

    def names_did_change(self) -> None:
        """The board's rows arrived (or were read again): name the child, where the first
        alerts, shown before the board was in, could give only the child's id."""
        if self._pending:
            self._refresh()

    def _refresh(self) -> None:
        alert = self.current_alert
        if alert is None:
            self.hide()
            return
        bg, fg = _STYLE.get(alert.severity, _STYLE["info"])
        css = (
            f"QFrame#alertBanner {{ background: {bg}; border: 1px solid {fg}; border-radius: 4px; }}"
            f" QFrame#alertBanner QLabel {{ color: {fg}; }}"
        )
        if css != self.styleSheet():  # re-polishing costs ~1 ms a time: only on a change of colour
            self.setStyleSheet(css)
        self.title.setText(f"<b>{alert_title(alert)}</b>")
        who = child_text(alert.child_id, self._name_for)
        # The child once: "Evie Ashworth (C390647): graded high risk…", not "…: Child C390647 (episode 262)…".
        self.text.setText(f"{who}: {without_subject(alert.message)}" if who else alert.message)
        total = len(self._pending) if self._total is None else max(self._total, len(self._pending))
        extra = total - 1
        self.more.setText(f"+{extra} more unacknowledged" if extra else "")
        self.more.setVisible(extra > 0)
        # High alerts stay until acknowledged.
        self.dismiss_button.setVisible(not alert.is_high)
        self.setAccessibleDescription(f"{alert_title(alert)}. {self.text.text()}")
        self.show()

    def child_label(self, alert: AlertRow) -> str:
        return child_text(alert.child_id, self._name_for)

    def _on_ack(self) -> None:
        alert = self.current_alert
        if alert is not None:
            self.acknowledge_requested.emit(alert.id)

    def _on_dismiss(self) -> None:
        alert = self.current_alert
        if alert is None or alert.is_high:
            return
        del self._pending[alert.id]
        self._refresh()
        self.alert_did_dismiss.emit(alert.id)


def notify(
    alert: AlertRow,
    tray: QSystemTrayIcon | None,
    window: QWidget | None,
    *,
    sound: bool = False,
    child_label: str | None = None,
) -> bool:
    """Tray message where a tray exists, taskbar flash, optional beep. True if the tray showed it.

    The in-window banner is always shown as well (by the caller): a tray may be hidden.
    """
    shown = False
    if tray is not None and QSystemTrayIcon.isSystemTrayAvailable() and tray.isVisible():
        icon = (
            QSystemTrayIcon.MessageIcon.Critical
            if alert.is_high
            else QSystemTrayIcon.MessageIcon.Warning
            if alert.severity == Severity.WARNING
            else QSystemTrayIcon.MessageIcon.Information
        )
        body = f"{child_label}: {without_subject(alert.message)}" if child_label else alert.message
        # High alerts: as long as the platform allows (the banner keeps them anyway).
        tray.showMessage(alert_title(alert), body, icon, 0 if alert.is_high else TRAY_MS)
        shown = True
    if window is not None:
        QApplication.alert(window, 0)  # flash the taskbar entry until the window is active
    if sound:
        QApplication.beep()
    return shown


class AlertFeed(Protocol):
    """What the notifier needs from AlertService."""

    def evaluate(self) -> list[AlertRow]: ...

    def inbox(self, staff_id: int | None, include_acknowledged: bool = False) -> list[AlertRow]: ...

    def for_staff(self, staff_id: int | None, alert_ids: Iterable[int]) -> list[AlertRow]: ...

    def acknowledge(self, alert_id: int, note: str | None = None) -> AlertRow: ...

    def get_many(self, alert_ids: Iterable[int]) -> list[AlertRow]: ...


class AlertNotifier(QObject):
    """One user's alerts: evaluate on a timer, react to the feed, banner + tray + flash.

    Wire `LiveBridge.changes_did_arrive` to `on_changes`. Alert ids seen are remembered so
    an alert is announced once, whether it came from this desktop's evaluation or the feed.

    Signals:
        alert_did_arrive(object): a new AlertRow addressed to this user (after notifying).
        evaluation_did_fail(str): evaluate() hit a known error (e.g. database unavailable).
    """

    alert_did_arrive = Signal(object)
    evaluation_did_fail = Signal(str)

    def __init__(
        self,
        service: AlertFeed,
        staff_id: int | None,
        banner: AlertBanner,
        *,
        inbox: QObject | None = None,
        window: QWidget | None = None,
        tray: QSystemTrayIcon | None = None,
        sound: bool = False,
        username: str | None = None,
        name_for: NameFor | None = None,
        interval_ms: int = EVALUATE_MS,
        workers: Workers | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.workers = workers  # None: evaluate on the calling thread (small councils, tests)
        self.staff_id = staff_id
        self.banner = banner
        self.inbox = inbox
        self.window = window
        self.tray = tray
        self.sound = sound
        self.username = username
        self._name_for = name_for
        self._seen: set[int] = set()
        self._evaluate_pending = False
        self._stopped = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.evaluate_now)
        banner.acknowledge_requested.connect(self.acknowledge)
        did_ack = getattr(inbox, "alert_did_acknowledge", None)
        if did_ack is not None:
            did_ack.connect(banner.remove_alert)
        self.notify: Callable[..., bool] = notify  # replaceable in tests

    def start(self) -> None:
        """Load the inbox, put open high alerts back on the banner, then evaluate now and every 30 s."""
        service, staff_id = self.service, self.staff_id

        def loaded(rows: list[AlertRow]) -> None:
            load_rows = getattr(self.inbox, "load_rows", None)
            if load_rows is not None:
                load_rows(rows)
            elif (reload := getattr(self.inbox, "reload", None)) is not None:
                reload()
            self._seen.update(a.id for a in rows)
            high = [a for a in rows if a.is_high]
            if high:
                self.banner.show_alerts(high)
            self.timer.start()
            self.evaluate_now()

        def failed(exc: LacError) -> None:
            self._evaluation_failed(exc)
            self.timer.start()  # the timer tries again

        self._run(lambda _job: service.inbox(staff_id), loaded, failed, key="alerts.inbox")

    def stop(self) -> None:
        """At shutdown: no more evaluations, and nothing late (a queued evaluation, a worker's
        result) reaches the inbox after its window is gone."""
        self._stopped = True
        self.timer.stop()

    def evaluate_now(self) -> None:
        """Evaluate the ladder (in a worker when there is one); announce what was raised here."""
        self._evaluate_pending = False
        if self._stopped:
            return
        service, staff_id = self.service, self.staff_id

        def work(_job: Job | None) -> list[AlertRow]:
            raised = service.evaluate()
            return service.for_staff(staff_id, [a.id for a in raised]) if raised else []

        self._run(work, self._announce, self._evaluation_failed, key="alerts.evaluate")

    def _evaluation_failed(self, exc: LacError) -> None:
        log.warning("alert evaluation failed: %s", type(exc).__name__)
        self.evaluation_did_fail.emit(str(exc))

    def _run(
        self,
        fn: Callable[[Job | None], object],
        done: Callable[[Any], object],
        failed: Callable[[LacError], object],
        key: str | None = None,
    ) -> None:
        """Database work off the GUI thread when a worker pool is given; errors in two tiers."""
        if self.workers is not None:
            self.workers.run(fn, done=done, failed=failed, key=key)
            return
        try:
            result = fn(None)
        except Exception as exc:
            known = as_known_error(exc)
            if known is None:
                raise  # a bug: the crash dialog
            failed(known)
            return
        done(result)

    def on_changes(self, events: list[ChangeEvent]) -> None:
        """Slot for LiveBridge.changes_did_arrive. Listens to alerts (to show them) and to this
        person's own episode, RHI and profile changes (to raise their alerts at once)."""
        ids: list[int] = []
        for e in events:
            match e.subject:
                case AlertChanged(alert_id=alert_id):
                    ids.append(alert_id)
                case EpisodeChanged() | RhiChanged() | ProfileChanged() if e.username == self.username:
                    # The writer's desktop raises event alerts at once; others within 30 s.
                    self._schedule_evaluation()
        if ids:
            service, staff_id, wanted = self.service, self.staff_id, sorted(set(ids))
            self._run(
                lambda _job: service.for_staff(staff_id, wanted),
                self._announce,
                lambda exc: log.warning("reading alerts failed: %s", type(exc).__name__),
            )

    def acknowledge(self, alert_id: int) -> None:
        """From the banner: the inbox asks for the note; without an inbox, no note."""
        ack = getattr(self.inbox, "acknowledge", None)
        if ack is not None:
            ack(alert_id)
            return
        try:
            done = self.service.acknowledge(alert_id, None)
        except Exception as exc:
            if as_known_error(exc) is None:
                raise
            log.info("acknowledge refused: %s", exc)
            self.banner.remove_alert(alert_id)
            return
        self.banner.remove_alert(done.id)

    def _schedule_evaluation(self) -> None:
        if not self._evaluate_pending:
            self._evaluate_pending = True
            QTimer.singleShot(0, self.evaluate_now)

    def _announce(self, rows: list[AlertRow]) -> None:
        if self._stopped:
            return
        if not rows:
            return
        apply = getattr(self.inbox, "apply", None)
        if apply is not None and rows:
            apply(rows)
        fresh: list[AlertRow] = []
        for alert in rows:
            if alert.acknowledged or alert.resolved:
                self.banner.remove_alert(alert.id)
                continue
            if alert.id in self._seen:
                continue
            self._seen.add(alert.id)
            fresh.append(alert)
        # A flood (first start, after an outage): the banner and one message for the most
        # pressing few; the inbox and the count carry the rest.
        fresh.sort(key=_rank, reverse=True)
        for alert in fresh[:MAX_NOTIFY]:
            self.banner.show_alert(alert)
            self.notify(
                alert, self.tray, self.window, sound=self.sound, child_label=child_text(alert.child_id, self._name_for)
            )
            self.alert_did_arrive.emit(alert)
        later_high = [a for a in fresh[MAX_NOTIFY:] if a.is_high]
        if later_high:
            self.banner.show_alerts(later_high)
