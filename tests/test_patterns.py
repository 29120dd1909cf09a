"""Patterns across episodes and children, built through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lac_monitor.domain.patterns import episode_counts, normalise_value, split_values
from lac_monitor.storage.board import load_board
from lac_monitor.storage.queries import child_detail
from tests.factories import World

H = timedelta(hours=1)


def past_episode(world: World, child: str, days_ago: float, found: str | None = None) -> int:
    start = world.clock.now() - timedelta(days=days_ago)
    ep = int(world.episodes.report(child, "M", start, police_ref="LOG-1", risk="medium").id)
    world.episodes.record_return(ep, None, start + 3 * H, found_where=found)
    return ep


def test_episodes_in_the_last_30_90_365_days_on_board_and_record(world: World) -> None:
    world.add_child("C000100")
    world.add_child("C000200")
    for days in (400, 200, 60, 10):
        past_episode(world, "C000100", days)
    now = world.clock.now()
    with world.db.read_session() as s:
        board = {r.child_id: r for r in load_board(s, now)}
        detail = child_detail(s, "C000100")
    assert board["C000100"].episode_counts == (1, 2, 3)
    assert board["C000200"].episode_counts == (0, 0, 0)
    assert episode_counts((e.started_at for e in detail.episodes), now) == (1, 2, 3)


def test_episode_counts_window_edges() -> None:
    at = datetime(2026, 6, 1, 12, tzinfo=UTC)
    starts = [at - timedelta(days=30), at - timedelta(days=30) + H, at + H]
    assert episode_counts(starts, at) == (1, 2, 2)  # exactly 30 days ago is outside 30 days


def test_free_text_names_are_split_and_matched() -> None:
    assert split_values("Jay (older boy); Tyler,\nKane") == ["Jay (older boy)", "Tyler", "Kane"]
    assert normalise_value("The Arndale Centre.") == normalise_value("arndale  centre") == "arndale centre"
    assert normalise_value("Jay (older boy)") == "jay"
    assert split_values("  ;, ") == []
