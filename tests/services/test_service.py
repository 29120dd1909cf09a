"""The escalation service, on SQLite and PostgreSQL: alerts fire with no desktop open, once,
however many services run, and nothing due during downtime is lost (it is raised late)."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lac_monitor.cli import main
from lac_monitor.domain.alerts import AlertRow
from lac_monitor.domain.clock import FixedClock
from lac_monitor.domain.errors import DatabaseUnavailableError
from lac_monitor.services import escalation
from lac_monitor.services.alerts import AlertService
from lac_monitor.services.escalation import EscalationService, heartbeats
from lac_monitor.services.handover import build_handover
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import AuditLog
from tests.conftest import NOW
from tests.factories import World

H = timedelta(hours=1)
SERVICE = Actor("svc.lac")  # the service account: no staff record
ROOT = Path(__file__).resolve().parents[2]


def wait_for(what: Callable[[], object], timeout: float = 10.0) -> object:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = what()
        if got:
            return got
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


def alerts(db: Database) -> list[AlertRow]:
    return AlertService(db, SERVICE).open_alerts(include_acknowledged=True)


def by_rule(db: Database, rule: str) -> list[AlertRow]:
    return [a for a in alerts(db) if a.rule == rule]


def report(world: World, child: str, start: datetime) -> int:
    world.add_child(child)
    return int(world.episodes.report(child, "M", start, police_ref="LOG-9", risk="medium").id)


class Running:
    """An EscalationService in a thread, stopped (and joined) at the end of the test."""

    def __init__(self, url: str, clock: FixedClock, name: str, interval: float = 1.0) -> None:
        self.service = EscalationService(
            lambda: Database.open(url), lambda _db: SERVICE, clock, name=name, interval=interval, poll=0.1
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.service.run, args=(self.stop,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(30)
        assert not self.thread.is_alive()


@pytest.fixture
def running(db_url: str, world: World) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(name: str, interval: float = 1.0) -> Running:
        r = Running(db_url, world.clock, name, interval)
        started.append(r)
        return r

    yield start
    for r in started:
        r.close()


def test_a_child_missing_30_hours_is_escalated_once_marked_late_within_one_tick(
    world: World, running: Callable[..., Running], other_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    first = running("svc-a")
    wait_for(lambda: first.service.passes >= 1)  # started and caught up: nothing to raise yet
    assert alerts(world.db) == []
    # Nobody else evaluates: the report writes the episode and its feed row, nothing more.
    ep = report(world, "C000501", NOW - 30 * H)
    started = time.monotonic()
    [m24] = wait_for(lambda: by_rule(world.db, "missing_24h"), timeout=10)  # type: ignore[misc]
    # Within one tick (the feed wakes it at once; the slack is for a loaded CI machine).
    assert time.monotonic() - started < first.service.interval + 3
    assert (m24.episode_id, m24.raised_by, m24.late) == (ep, "svc.lac", True)
    assert m24.due_at == NOW - 6 * H
    assert m24.message.endswith("Raised late: due at 06:00.")  # local time (GMT in November)
    reported = by_rule(world.db, "reported")[0]
    assert not reported.late and "Raised late" not in reported.message  # raised as it happened
    sheet = build_handover(world.db, world.clock, world.actor, NOW - 8 * H, NOW)  # the printed sheet too
    assert [a.message for a in sheet.alerts if a.rule == "missing_24h"] == [m24.message]

    # A second service beside it (another machine) raises nothing twice.
    before = {a.unique_key: a.id for a in alerts(world.db)}
    second = running("svc-b")
    wait_for(lambda: second.service.passes >= 3, timeout=20)
    assert {a.unique_key: a.id for a in alerts(other_db)} == before
    assert second.service.raised_total == 0
    with world.db.read_session() as s:
        raises = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "alert.raise"))
    assert raises == len(before)
    # Both services keep a heartbeat; no names in the log.
    assert {h.name for h in heartbeats(world.db)} == {"svc-a", "svc-b"}
    assert "Testa" not in caplog.text and "Childone" not in caplog.text


def test_two_service_passes_at_once_raise_each_alert_once(world: World, db_url: str, other_db: Database) -> None:
    for i in range(6):
        report(world, f"C00060{i}", NOW - (30 + i) * H)
    services = [
        EscalationService(lambda d=d: d, lambda _db: SERVICE, world.clock, name=n)  # type: ignore[misc]
        for d, n in ((world.db, "one"), (other_db, "two"))
    ]
    barrier = threading.Barrier(2)
    raised: dict[str, list[AlertRow]] = {}
    errors: list[BaseException] = []

    def go(svc: EscalationService) -> None:
        try:
            barrier.wait()
            raised[svc.name] = svc.run_pass()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(s,)) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    ids = [a.id for rows in raised.values() for a in rows]
    stored = alerts(world.db)
    assert sorted(ids) == sorted(a.id for a in stored)  # every alert raised by exactly one pass
    assert len({a.unique_key for a in stored}) == len(stored)
    assert {a.rule for a in stored} >= {"reported", "missing_24h"}
    assert len([a for a in stored if a.rule == "missing_24h"]) == 6


def test_thresholds_that_fell_in_a_gap_are_raised_late_even_after_the_return(world: World, db_url: str) -> None:
    clock = world.clock
    ep = report(world, "C000701", NOW - H)
    svc = EscalationService(lambda: world.db, lambda _db: SERVICE, clock, name="svc")
    assert {a.rule for a in svc.run_pass()} >= {"reported"}
    # The service is down for 9 days (longer than the 7-day look-back); the child was missing
    # for 50 hours in the middle of it and has long come back.
    clock.set(NOW + 49 * H)
    world.episodes.record_return(ep, None, NOW + 49 * H)
    clock.set(NOW + 9 * 24 * H)
    caught = {a.rule: a for a in svc.run_pass()}
    assert {"missing_24h", "missing_48h", "returned", "rhi_due"} <= set(caught)
    assert "missing_72h" not in caught  # the child was back before 72 hours
    assert all(a.late for a in caught.values())
    assert caught["missing_24h"].message.endswith("Raised late: due at 26/11/2026 11:00.")
    assert svc.run_pass() == []  # caught up: nothing twice


def test_a_database_outage_is_retried_with_growing_pauses_never_a_crash(
    world: World, db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(escalation, "BACKOFF_FIRST", 0.05)
    caplog.set_level(logging.WARNING)
    attempts: list[float] = []

    def flaky() -> Database:
        attempts.append(time.monotonic())
        if len(attempts) <= 3:
            raise DatabaseUnavailableError("The database at test cannot be reached.")
        return Database.open(db_url)

    report(world, "C000801", NOW - 30 * H)
    svc = EscalationService(flaky, lambda _db: SERVICE, world.clock, name="flaky", interval=0.5, poll=0.05)
    stop = threading.Event()
    t = threading.Thread(target=svc.run, args=(stop,))
    t.start()
    try:
        wait_for(lambda: by_rule(world.db, "missing_24h"), timeout=10)
    finally:
        stop.set()
        t.join(10)
    assert svc.outages == 3 and not t.is_alive()
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    assert gaps[0] < gaps[1] < gaps[2]  # backoff grows
    assert caplog.text.count("database unavailable") == 3
    assert "Testa" not in caplog.text


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_reads_the_heartbeat(world: World, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, "service", "--check", "--database", db_url)
    assert code == 2 and "no escalation service is running and has evaluated in the last 5 minutes" in err
    report(world, "C000901", NOW - 30 * H)
    at = NOW.isoformat()
    code, out, err = _cli(capsys, "service", "--once", "--name", "box1", "--database", db_url, "--at", at)
    assert code == 0, err
    assert "late" in out
    soon = (NOW + timedelta(minutes=2)).isoformat()
    code, out, _ = _cli(capsys, "service", "--check", "--database", db_url, "--at", soon)
    assert code == 0 and "box1" in out and "OK" in out
    late = (NOW + timedelta(minutes=10)).isoformat()
    code, out, err = _cli(capsys, "service", "--check", "--database", db_url, "--at", late)
    assert code == 2 and "LATE" in out
    code, out, _ = _cli(capsys, "service", "--check", "--max-age", "15", "--database", db_url, "--at", late)
    assert code == 0
    code, _, err = _cli(capsys, "service", "--check", "--name", "box2", "--database", db_url, "--at", late)
    assert code == 2 and "service 'box2'" in err
    code, _, err = _cli(capsys, "service", "--interval", "0", "--database", db_url)
    assert code == 2 and "--interval" in err
    code, out, err = _cli(
        capsys, "alerts", "--no-evaluate", "--format", "json", "--database", db_url, "--user", "sw.one"
    )
    assert '"late": true' in out


# -- the real process: started, killed, restarted -------------------------------------------------
def _start(db_url: str, at: datetime, name: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lac_monitor",
            "--database",
            db_url,
            "service",
            "--interval",
            "1",
            "--name",
            name,
            "--at",
            at.isoformat(),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=45)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err


@pytest.mark.slow
def test_a_service_killed_and_restarted_after_the_threshold_catches_up(world: World, db_url: str) -> None:
    ep = report(world, "C001001", NOW - H)
    first = _start(db_url, NOW, "box1")
    try:
        wait_for(lambda: by_rule(world.db, "reported"), timeout=60)  # generous: a loaded machine
        wait_for(lambda: any(h.evaluated_at for h in heartbeats(world.db)), timeout=30)
    finally:
        first.kill()  # no clean stop: the heartbeat still says "running"
        first.wait(10)
    assert by_rule(world.db, "missing_24h") == []
    # 26 hours later, with no service running, the child comes back.
    world.clock.set(NOW + 26 * H)
    world.episodes.record_return(ep, None, NOW + 26 * H)
    # 30 hours on, two services start at once (the restarted one and another machine's).
    procs = [_start(db_url, NOW + 30 * H, "box1"), _start(db_url, NOW + 30 * H, "box2")]
    try:
        [m24] = wait_for(lambda: by_rule(world.db, "missing_24h"), timeout=60)  # type: ignore[misc]
        wait_for(
            lambda: len([h for h in heartbeats(world.db) if h.evaluated_at and h.evaluated_at >= NOW + 30 * H]) == 2,
            timeout=60,
        )
    finally:
        results = [_stop(p) for p in procs]
    for code, err in results:
        assert code == 0, err
        assert "Traceback" not in err and "Testa" not in err
    assert m24.late and m24.due_at == NOW + 23 * H
    assert m24.message.endswith("Raised late: due at 11:00.")
    assert by_rule(world.db, "missing_48h") == []  # back before 48 hours
    keys = [a.unique_key for a in alerts(world.db)]
    assert len(keys) == len(set(keys))
    assert all(h.stopped_at is not None for h in heartbeats(world.db))  # SIGTERM: a clean stop


def test_check_on_a_database_never_upgraded_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, "service", "--check", "--database", str(tmp_path / "new.sqlite"))
    assert code == 2 and "db upgrade" in err and "Traceback" not in err


def test_an_outage_while_running_is_waited_out_and_the_service_carries_on(
    world: World, db_url: str, running: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(escalation, "BACKOFF_FIRST", 0.1)
    svc = running("svc-out")
    wait_for(lambda: svc.service.passes >= 1)
    if world.db.is_postgresql:
        import psycopg

        # The server restarts under it: every connection to this database is cut.
        with psycopg.connect(db_url.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    else:
        # SQLite: the file stays locked past the busy timeout, twice (what the unit of work reports).
        real = AlertService.evaluate
        failures = iter([True, True])

        def busy(self: AlertService, since: datetime | None = None) -> list[AlertRow]:
            if next(failures, False):
                raise DatabaseUnavailableError("The database is busy (another desktop is saving).")
            return real(self, since)

        monkeypatch.setattr(AlertService, "evaluate", busy)
    wait_for(lambda: svc.service.outages >= 1, timeout=10)
    report(world, "C001101", NOW - 30 * H)
    wait_for(lambda: by_rule(world.db, "missing_24h"), timeout=15)
    assert svc.thread.is_alive()
