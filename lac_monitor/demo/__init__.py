"""A believable, entirely synthetic council for demos, training and load tests
(`lac-monitor demo`).

Every person, place, phone number and reference is invented (phone numbers are in Ofcom's
drama range). Postcodes are real postcode units (`places.py`) so that the sector's validator
can place them; the streets at them are invented. The data obeys the rules the services
enforce and the DfE's SSDA903 rules, so the app behaves on it exactly as on recorded data.

The package reads top to bottom as the council is made:
`names`, `phrases`, `rates`, `places` are plain data (who, what is said, how often);
`draw` is the one seeded random source; `records` holds the council being made;
`council` → `children` → `care` → `missing` → `episodes` → `profiles` → `rows` are the steps;
`write` puts the rows in through the unit of work (one transaction, one audit row, one
change-feed row). 10,000 children take seconds.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from lac_monitor.demo import care, children, council, episodes, missing, profiles, rates, rows
from lac_monitor.demo.draw import Draw
from lac_monitor.demo.records import World
from lac_monitor.demo.write import DEMO_MARK, refusal, write
from lac_monitor.domain.errors import ValidationError
from lac_monitor.services.uow import Actor, os_username
from lac_monitor.storage.database import Database

__all__ = ["DEMO_MARK", "DemoSummary", "generate"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoSummary:
    children: int
    staff: int
    teams: int
    care_episodes: int
    missing_episodes: int
    currently_missing: int
    currently_away: int
    rhis: int
    elapsed_seconds: float


def build(seed: int, children_n: int, now: datetime, years: float, username: str) -> tuple[World, int, int]:
    """The whole council in memory: (the world with its rows, missing now, away now)."""
    w = World(Draw(seed), children_n, now, years, username)
    council.build_teams(w)
    children.build_children(w)
    council.build_staff(w)
    council.allocate_workers(w)
    council.add_partner_staff(w)
    care.build_homes(w)
    for kid in w.kids:
        care.build_care(w, kid)
    missing.ensure_frequent_missers(w)
    missing.choose_scenarios(w)
    for kid in w.kids:
        missing.build_missing(w, kid)
    missing.shape_current(w)
    rows.child_rows(w)
    rows.setting_rows(w)
    profiles.flag_rows(w)
    missing_now, away_now = episodes.episode_rows(w)
    profiles.profile_rows(w)
    rows.pattern_rows(w)
    return w, missing_now, away_now


def _check(children_n: int, now: datetime | None, years: float | None) -> tuple[datetime, float]:
    if not 1 <= children_n <= rates.MAX_CHILDREN:
        raise ValidationError("children", f"must be between 1 and {rates.MAX_CHILDREN}")
    if now is None:
        now = datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if years is None:
        years = rates.YEARS_SMALL if children_n <= rates.LARGE_COUNCIL else rates.YEARS_LARGE
    if not 0.1 <= years <= 10:
        raise ValidationError("years", "must be between 0.1 and 10")
    return now.astimezone(UTC), years


def generate(
    db: Database,
    *,
    children: int = 650,
    seed: int = 1,
    now: datetime | None = None,
    years: float | None = None,
    current_username: str | None = None,
    replace: bool = False,
) -> DemoSummary:
    """Fill `db` with a synthetic council of `children` looked-after children.

    Refuses a database that already holds children (or staff, or teams: their ids would
    clash) unless `replace`, which empties every table but the audit trail and the change
    feed first. The same seed, `now` and username give the same council. Prints nothing.
    """
    started = time.perf_counter()
    now, years = _check(children, now, years)
    username = (current_username or os_username()).strip() or "demo.user"
    with db.read_session() as s:
        refused = refusal(s, replace)
    if refused is not None:
        raise refused
    w, missing_now, away_now = build(seed, children, now, years, username)
    detail = {"children": children, "seed": seed, "years": years, "replace": replace, "at": now.isoformat()}
    write(db, w.rows, Actor(username=username, staff_id=w.current_user_id), now, detail, replace)
    elapsed = time.perf_counter() - started
    log.info(
        "demo council: %d children, %d missing episodes in %.1f s", children, len(w.rows["missing_episode"]), elapsed
    )
    return DemoSummary(
        children=len(w.rows["child"]),
        staff=len(w.rows["staff"]),
        teams=len(w.rows["team"]),
        care_episodes=len(w.rows["care_episode"]),
        missing_episodes=len(w.rows["missing_episode"]),
        currently_missing=missing_now,
        currently_away=away_now,
        rhis=w.rhi_count,
        elapsed_seconds=elapsed,
    )
