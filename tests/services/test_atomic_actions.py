"""Each action that changes several things, made to fail on its LAST part (the change-feed
row, written at commit): nothing of its first parts is saved, and the error is plain."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from lac_monitor.domain.errors import DatabaseUnavailableError
from lac_monitor.storage.database import Database
from tests.cli.test_refusals import table_digest
from tests.factories import FOSTER, World


@contextmanager
def last_part_fails(db: Database) -> Iterator[None]:
    def fail(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CHANGE_FEED"):
            dbapi = db.engine.dialect.dbapi
            raise (dbapi.OperationalError if dbapi else sqlite3.OperationalError)("I/O error (injected)")

    event.listen(db.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", fail)


def _episode(world: World, child: str, returned: bool = False) -> tuple[int, int]:
    saved = world.episodes.report(child, "M", world.clock.now() - timedelta(hours=5), police_ref="R1")
    if returned:
        saved = world.episodes.record_return(int(saved.id), saved.version, world.clock.now() - timedelta(hours=1))
    return int(saved.id), saved.version


ACTIONS = [
    "episode update (ref, risk, category, note, sighting)",
    "return with safe and well check",
    "placement change (close one episode, open the next)",
    "RHI offer covering an episode",
]


@pytest.mark.parametrize("name", ACTIONS)
def test_an_action_failing_on_its_last_part_saves_nothing(world: World, name: str) -> None:
    child = world.add_child("C000960")
    action: Callable[[World, str], object]
    if "placement" in name:

        def action(w: World, c: str) -> object:
            return w.care.change_placement(c, None, date(2026, 11, 1), FOSTER, rne="P", reason_place_change="CARPL")
    elif "RHI" in name:
        ep_id, _v = _episode(world, child, returned=True)

        def action(w: World, c: str) -> object:
            return w.episodes.offer_rhi([ep_id])
    else:
        ep_id, version = _episode(world, child)  # set up before the action itself

        def action(w: World, c: str) -> object:
            if "update" in name:
                return w.episodes.update(
                    ep_id, version, police_ref="NEW", risk="high", category="A", reason="known", note="n", sighting="s"
                )
            return w.episodes.record_return(
                ep_id,
                version,
                w.clock.now() - timedelta(hours=1),
                found_where="home",
                safe_well_at=w.clock.now() - timedelta(minutes=30),
                safe_well_by="Sasha",
            )

    before = table_digest(world.db)
    with last_part_fails(world.db), pytest.raises(DatabaseUnavailableError, match="Nothing was saved"):
        action(world, child)
    assert table_digest(world.db) == before
    action(world, child)  # and the same action saves whole once the fault is gone
    assert table_digest(world.db) != before
