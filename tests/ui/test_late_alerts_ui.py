"""What a manager sees of an alert the escalation service raised late: the inbox and the banner
say "Raised late: due at …", so nobody mistakes a 03:00 threshold for one that just fell due."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from lac_monitor.services.alerts import AlertService
from lac_monitor.services.escalation import EscalationService
from lac_monitor.services.uow import Actor, resolve_actor
from lac_monitor.ui.alert_banner import AlertBanner
from lac_monitor.ui.alert_inbox_view import AlertInboxView
from lac_monitor.ui.alerts_model import AlertCol
from tests.factories import World

NAMES = {"C000100": "Testa Childone"}
MANAGER = 2


def test_a_late_alert_says_when_it_was_due_in_the_inbox_and_the_banner(
    qtbot: Any, world: World, tmp_path: Path
) -> None:
    world.add_child("C000100")
    world.episodes.report("C000100", "M", world.clock.now() - timedelta(hours=30), police_ref="LOG-1", risk="medium")
    EscalationService(lambda: world.db, lambda _db: Actor("svc.lac"), world.clock, name="svc").run_pass()

    service = AlertService(world.db, resolve_actor(world.db, "tm.one"), world.clock)
    inbox = AlertInboxView(service, MANAGER, NAMES.get)
    qtbot.addWidget(inbox)
    inbox.reload()
    model = inbox.model
    rows = {model.alert_at(r).rule: r for r in range(model.rowCount())}  # type: ignore[union-attr]
    details = model.index(rows["missing_24h"], AlertCol.MESSAGE).data()
    assert details.endswith("Raised late: due at 06:00.")
    assert model.index(rows["missing_24h"], AlertCol.RAISED).data() == "25/11/2026 12:00 (late, due 06:00)"
    assert model.index(rows["reported"], AlertCol.RAISED).data() == "25/11/2026 12:00"  # on time

    banner = AlertBanner(NAMES.get)
    qtbot.addWidget(banner)
    late = model.alert_at(rows["missing_24h"])
    assert late is not None
    banner.show_alert(late)
    assert "Raised late: due at 06:00." in banner.text.text()
    inbox.resize(1100, 300)
    inbox.show()
    if os.environ.get("LAC_MONITOR_SHOTS"):
        inbox.grab().save(str(Path(os.environ["LAC_MONITOR_SHOTS"]) / "late-inbox.png"))
