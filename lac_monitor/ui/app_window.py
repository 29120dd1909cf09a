"""The composition root of the window: the board window with its features, each built here
with what it needs, each kept under a typed name (`window.alerts`, `window.printing`, ...).

The features reach the window only through its extension points (MainWindow's docstring);
the window itself knows nothing of them, so the import graph runs one way:
app -> app_window -> features -> main_window.
"""

from __future__ import annotations

from lac_monitor.domain.clock import Clock
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database
from lac_monitor.ui.access_view import AccessFeature
from lac_monitor.ui.features import AlertsFeature, PrintingFeature
from lac_monitor.ui.live import LiveBridge
from lac_monitor.ui.main_window import MainWindow
from lac_monitor.ui.patterns_view import PatternsFeature
from lac_monitor.ui.settings_store import SettingsStore


class AppWindow(MainWindow):
    """What the app (and the integration tests) open: the board with the alert inbox, banner
    and notifications, printing, who-viewed and restriction, trends and linked children.

    `background_load`: the window opens at once and the board arrives from a worker (the app).
    `tray`: a tray icon for notifications (tests turn it off).
    """

    def __init__(
        self,
        db: Database,
        actor: Actor,
        clock: Clock,
        settings: SettingsStore | None = None,
        *,
        live: LiveBridge | None = None,
        tray: bool = True,
        evaluate_ms: int | None = None,
        background_load: bool = False,
    ) -> None:
        super().__init__(db, actor, clock, settings, live=live, background_load=background_load)
        self.alerts = AlertsFeature(self, tray=tray, evaluate_ms=evaluate_ms)
        self.printing = PrintingFeature(self)
        self.access = AccessFeature(self)
        self.patterns = PatternsFeature(self)
