"""How long the window's event loop is blocked while slow work runs, on 10,000 children.

    .venv/bin/python bench/bench_responsiveness.py [--children 10000] [--sqlite /tmp/lac_resp_10k.sqlite]

A 5 ms QTimer ticks through each action; a stall is the longest gap between two ticks
(minus the 5 ms). Beside each stall, its floor: the same work measured without the window
(what the user would wait for if it ran on the GUI thread). Target (issue #10): no stall
over 100 ms. The last line reads `worst stall: N ms`.

Actions: first load (window open), full reload (every child changed), alert evaluation
after the demo (alerts cleared first, so every one is raised again), handover build and
render (into the print preview), scrolling the preview of the 50-page handover.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QSettings, QSize, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import delete, select

from lac_monitor.domain.clock import SystemClock
from lac_monitor.reports.handover import render_handover
from lac_monitor.services.alerts import AlertService
from lac_monitor.services.handover import build_handover, last_shift
from lac_monitor.services.settings import load_ladder
from lac_monitor.storage.board import load_board
from lac_monitor.storage.schema import Alert, AlertRecipient, Team
from lac_monitor.ui.app import configure_application, settle_memory
from lac_monitor.ui.app_window import AppWindow
from lac_monitor.ui.print_preview import PdfSource
from lac_monitor.ui.settings_store import SettingsStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_board import actor_for, ensure, rss_mb

TICK_MS = 5
TARGET_MS = 100.0


class StallWatch:
    """The longest gap between ticks of a 5 ms timer while it runs."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.worst = 0.0
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return max(0.0, self.worst * 1000 - TICK_MS)


def run_until(app: QApplication, done: Callable[[], bool], timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > end:
            raise TimeoutError("action did not finish")
        app.processEvents()
        time.sleep(0.001)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t) * 1000, out


def rename_teams(db, suffix: str | None) -> None:  # type: ignore[no-untyped-def]
    """Every team renamed (suffix added), or back (suffix None)."""
    with db.write_session() as s:
        for team in s.scalars(select(Team)):
            base = team.name.removesuffix(" (renamed)")
            team.name = base if suffix is None else base + suffix
        s.commit()


def clear_alerts(db) -> None:  # type: ignore[no-untyped-def]
    with db.write_session() as s:
        s.execute(delete(AlertRecipient))
        s.execute(delete(Alert))
        s.commit()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=10_000)
    ap.add_argument("--sqlite", default="/tmp/lac_resp_10k.sqlite")
    args = ap.parse_args()
    app = configure_application(["bench"])
    db = ensure(f"sqlite:///{args.sqlite}", args.children)
    actor = actor_for(db)
    clock = SystemClock()
    ladder = load_ladder(db)
    now = clock.now()
    results: list[tuple[str, float, float]] = []
    watch = StallWatch()

    # First load, first, as the app starts: the window opens and paints the board in a
    # process that has done nothing else yet (the floors below fill the heap).
    settings = SettingsStore(QSettings(str(Path(args.sqlite).with_suffix(".ini")), QSettings.Format.IniFormat))
    watch.start()
    win = AppWindow(db, actor, clock, settings, tray=False, background_load=True)
    win.resize(1500, 900)
    win.show()
    run_until(app, lambda: win.board_model.rowCount() >= args.children * 0.9 and not win.workers.busy)
    settle_memory()  # as the app does, on the GUI thread, once the board is in
    app.processEvents()
    first_load = watch.stop()

    # Floors: the same work, no window.
    floor_load, _ = timed(lambda: load_board(db.read_session(), now, rhi_hours=ladder.rhi_hours))
    clear_alerts(db)
    floor_eval, _ = timed(lambda: AlertService(db, actor, clock).evaluate())
    start, end = last_shift(now, ladder)
    start = end - timedelta(days=3)  # a long weekend: a long sheet
    floor_handover, pdf = timed(lambda: render_handover(build_handover(db, clock, actor, start, end)))
    assert isinstance(pdf, bytes)
    source = PdfSource(pdf)
    pages = source.page_count
    floor_page, _ = timed(lambda: source.document.render(0, QSize(1100, 780)))

    results.append(("first load (open + paint)", first_load, floor_load))

    # Alert evaluation after the demo (started by the window; wait for it to finish).
    alerts = win.alerts
    clear_alerts(db)  # as after the demo: every alert is new
    watch.start()
    alerts.notifier.evaluate_now()
    run_until(app, lambda: not win.workers.busy)
    app.processEvents()
    results.append(("alert evaluation after the demo", watch.stop(), floor_eval))

    # Full reload after every team was renamed: every child's row differs.
    rename_teams(db, " (renamed)")
    try:
        watch.start()
        win._pending_all = True  # what a "staff"/"team" change does
        win._flush_pending()
        run_until(app, lambda: not win.workers.busy)
        app.processEvents()
        results.append(("full reload, every row changed", watch.stop(), floor_load))
        renamed = sum(1 for e in win.board_model.entries if (e.row.team or "").endswith(" (renamed)"))
    finally:
        rename_teams(db, None)

    # Handover build + render, into the preview.
    printing = win.printing
    printing.preview = None
    watch.start()
    printing.handover(start, end)
    run_until(app, lambda: printing.preview is not None and printing.preview.isVisible())
    app.processEvents()
    results.append(("handover build + render", watch.stop(), floor_handover))

    # Scrolling through the preview of the long sheet.
    preview = printing.preview
    watch.start()
    for page in range(1, pages + 1, max(1, pages // 25)):
        preview.page_spin.setValue(page)
        app.processEvents()
    run_until(app, lambda: True)
    results.append((f"preview scroll ({pages} pages)", watch.stop(), floor_page))
    rss = rss_mb()
    preview.close()
    win.shut_down()

    print(f"responsiveness, {args.children} children (SQLite), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    for label, stall, floor in results:
        ok = "ok" if stall <= TARGET_MS else "MISSED"
        print(f"  {label:<34} stall {stall:8.1f} ms   floor {floor:8.1f} ms   target < {TARGET_MS:.0f} ms  {ok}")
    print(f"  (the full reload changed {renamed} of {win.board_model.rowCount()} rows)")
    print(f"  RSS with the preview open: {rss:.0f} MB (target < 400 MB)")
    worst = max(stall for _, stall, _ in results)
    print(f"worst stall: {worst:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
