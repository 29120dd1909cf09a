"""Faults, kept short: writers SIGKILLed at random points (SQLite and PostgreSQL) and
backends terminated under load (PostgreSQL). After each: one open episode per child, an
audit and a feed row for every write, nothing acknowledged lost, nothing half-applied."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import AuditLog, ChangeFeed, EpisodeEvent, MissingEpisode
from tests.conftest import PG_ADMIN_URL
from tests.factories import World
from tests.fault_writer import CHILDREN

ROOT = Path(__file__).resolve().parents[2]


def _writer(url: str, seconds: float, seed: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.fault_writer", url, str(seconds), str(seed)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _acks(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split()[1:3]) for line in text.splitlines() if line.startswith("ACK ")]  # type: ignore[misc]


def check_invariants(db: Database, acked: list[tuple[str, str]]) -> None:
    with db.read_session() as s:
        open_per_child = Counter(s.scalars(select(MissingEpisode.child_id).where(MissingEpisode.returned_at.is_(None))))
        assert all(n == 1 for n in open_per_child.values()), open_per_child
        refs = {v for (v,) in s.execute(select(EpisodeEvent.new_value).where(EpisodeEvent.kind == "police_ref"))}
        notes = {
            t.removeprefix("note ")
            for (t,) in s.execute(select(EpisodeEvent.text).where(EpisodeEvent.kind == "update"))
        }
        reported = {r for (r,) in s.execute(select(MissingEpisode.police_ref))}
        # nothing half-applied: an update's police reference and its note are both there or neither
        update_refs = refs - {r for r in reported if r is not None} | (refs & notes)
        assert notes <= refs, notes - refs
        assert {r for r in update_refs if r in notes} == notes
        # nothing acknowledged lost
        for kind, token in acked:
            if kind == "update":
                assert token in refs and token in notes, token
            elif kind == "report":
                assert token in refs, token
        # an audit row and a feed row for every write
        n_eps = s.scalar(select(func.count()).select_from(MissingEpisode))
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "episode.report")) == n_eps
        assert (
            s.scalar(select(func.count()).select_from(ChangeFeed).where(ChangeFeed.kind == "episode.reported")) == n_eps
        )
        n_ref_events = s.scalar(select(func.count()).select_from(EpisodeEvent).where(EpisodeEvent.kind == "police_ref"))
        assert (
            s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "episode.police_ref"))
            == n_ref_events - n_eps
        )
        assert s.scalar(
            select(func.count()).select_from(ChangeFeed).where(ChangeFeed.kind == "episode.timeline")
        ) == len(notes)
        n_returns = s.scalar(
            select(func.count()).select_from(MissingEpisode).where(MissingEpisode.returned_at.is_not(None))
        )
        assert (
            s.scalar(select(func.count()).select_from(ChangeFeed).where(ChangeFeed.kind == "episode.returned"))
            == n_returns
        )


@pytest.fixture
def fault_world(world: World) -> World:
    for cid in CHILDREN:
        world.add_child(cid)
    return world


def test_writers_killed_at_random_points_lose_nothing_acknowledged(fault_world: World, db_url: str) -> None:
    rng = random.Random(13)
    acked: list[tuple[str, str]] = []
    kills = 4
    for i in range(kills):
        proc = _writer(db_url, 30, seed=i)
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.strip() == "READY", first
        time.sleep(rng.uniform(0.3, 1.2))  # a random point mid-write
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=20)
        assert "Traceback" not in err, err
        acked += _acks(out)
    assert acked, "the writers never got going"
    check_invariants(fault_world.db, acked)


def test_backends_terminated_under_load_lose_nothing_acknowledged(fault_world: World, db_url: str) -> None:
    if not fault_world.db.is_postgresql:
        pytest.skip("server backends exist on PostgreSQL only")
    dbname = db_url.rsplit("/", 1)[1]
    writers = [_writer(db_url, 6, seed=100 + i) for i in range(3)]
    stop = threading.Event()
    terminated = 0

    def killer() -> None:
        nonlocal terminated
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            time.sleep(1.5)
            while not stop.is_set():
                n = admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = %s AND application_name = 'lac-monitor' AND pid <> pg_backend_pid()",
                    (dbname,),
                ).fetchone()
                terminated += int(n[0]) if n else 0
                time.sleep(0.05)

    t = threading.Thread(target=killer)
    t.start()
    outs = []
    try:
        for w in writers:
            out, err = w.communicate(timeout=60)
            assert w.returncode == 0 and "Traceback" not in err, err[-2000:]
            outs.append(out)
    finally:
        stop.set()
        t.join()
    acked = [a for out in outs for a in _acks(out)]
    refused = sum(out.count("REFUSED DatabaseUnavailableError") for out in outs)
    assert acked and terminated > 0, (len(acked), terminated)
    assert refused > 0  # the faults really hit writes, and each was refused whole
    check_invariants(fault_world.db, acked)
