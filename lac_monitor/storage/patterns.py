"""Patterns in SQL: structured values kept beside the free text, notifications on an episode,
and the linked-children query. Reads run on the person's own connection, so on PostgreSQL
row-level security hides restricted children; `visible_children` applies the same rule in the
query itself (SQLite has no row-level security) and costs nothing on PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from lac_monitor.domain.access import Permission, may
from lac_monitor.domain.alerts import EpisodeFacts
from lac_monitor.domain.patterns import (
    ValueKind,
    episode_texts,
    profile_texts,
    value_rows,
)
from lac_monitor.domain.record import is_out_of_area
from lac_monitor.storage.queries import _council_la
from lac_monitor.storage.schema import (
    CareEpisode,
    Child,
    EpisodeNotification,
    MissingEpisode,
    PatternValue,
    PhilomenaProfile,
)

LINK_DAYS = 90
COMMON_LIMIT = 25  # a name or place recorded for more children than this is no lead


# -- structured values ---------------------------------------------------------------------------
def sync_episode_values(s: Session, ep: MissingEpisode) -> None:
    """Re-derive the episode's structured values from its free text (same transaction)."""
    s.execute(delete(PatternValue).where(PatternValue.episode_id == ep.id))
    s.add_all(
        PatternValue(**row)
        for row in value_rows(
            ep.child_id, ep.id, ep.started_at, episode_texts(ep.last_seen_with, ep.last_seen_where, ep.found_where)
        )
    )


def sync_profile_values(s: Session, prof: PhilomenaProfile) -> None:
    s.execute(delete(PatternValue).where(PatternValue.child_id == prof.child_id, PatternValue.episode_id.is_(None)))
    s.add_all(
        PatternValue(**row)
        for row in value_rows(prof.child_id, None, prof.updated_at, profile_texts(prof.associates, prof.places_likely))
    )


# -- who may see which child (the rule of lac_hidden_children, in the query) ----------------
def visible_children(role: str | None, staff_id: int | None, team_id: int | None) -> ColumnElement[bool]:
    """A condition on `Child`: unrestricted, or restricted and this person may see it."""
    if may(role, Permission.SEE_ALL_RESTRICTED):
        return true()
    allowed: list[ColumnElement[bool]] = [Child.restricted.is_(False)]
    if staff_id is not None:
        allowed.append(Child.social_worker_id == staff_id)
    if may(role, Permission.SEE_TEAM_RESTRICTED) and team_id is not None:
        allowed.append(Child.team_id == team_id)
    return or_(*allowed) if may(role, Permission.READ_REGISTER) else false()


# -- notifications ------------------------------------------------------------------------------
def attach_notification_facts(s: Session, episodes: list[EpisodeFacts]) -> list[EpisodeFacts]:
    """The alert rules' view of notifications made and of out-of-area placements."""
    if not episodes:
        return episodes
    ids = [e.id for e in episodes]
    council = _council_la(s)
    notices: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    hosts: dict[int, str | None] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for eid, party, at in s.execute(
            select(EpisodeNotification.episode_id, EpisodeNotification.party, EpisodeNotification.notified_at).where(
                EpisodeNotification.episode_id.in_(chunk)
            )
        ):
            notices[eid].append((party, at))
        for eid, host in s.execute(
            select(MissingEpisode.id, CareEpisode.host_la)
            .join(CareEpisode, CareEpisode.id == MissingEpisode.care_episode_id)
            .where(MissingEpisode.id.in_(chunk))
        ):
            hosts[eid] = host
    return [
        replace(e, out_of_area=bool(is_out_of_area(hosts.get(e.id), council)), notices=tuple(notices.get(e.id, ())))
        for e in episodes
    ]


# -- linked children ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LinkedChild:
    child_id: str
    name: str
    reasons: tuple[str, ...] = field(default=())  # plain sentences, newest first


def linked_children(
    s: Session, child_id: str, at: datetime, visible: ColumnElement[bool] | None = None, days: int = LINK_DAYS
) -> list[LinkedChild]:
    """Children linked to `child_id`: missing at overlapping times in the last `days` days,
    sharing an associate (profile or last seen with), or found at the same place (last `days`).
    Three indexed queries; restricted children the person may not see never appear."""
    since = at - timedelta(days=days)
    cond = visible if visible is not None else true()
    reasons: dict[str, list[tuple[datetime, str]]] = defaultdict(list)

    mine = aliased(MissingEpisode)
    other = aliased(MissingEpisode)
    mine_end = func.coalesce(mine.returned_at, at)
    other_end = func.coalesce(other.returned_at, at)
    q = (
        select(
            other.child_id,
            func.max(
                func.max(mine.started_at, other.started_at)
                if s.bind is not None and s.bind.dialect.name == "sqlite"
                else func.greatest(mine.started_at, other.started_at)
            ),
            func.count(),
        )
        .select_from(mine)
        .join(other, and_(other.child_id != mine.child_id, other.started_at < mine_end, other_end > mine.started_at))
        .join(Child, Child.id == other.child_id)
        .where(
            mine.child_id == child_id,
            or_(mine.returned_at.is_(None), mine.returned_at > since),
            mine.started_at <= at,
            other.started_at <= at,
            cond,
        )
        .group_by(other.child_id)
    )
    for cid, when, n in s.execute(q):
        reasons[cid].append(
            (when, f"missing at the same time ({n} overlapping episode{'s' if n != 1 else ''}, last {_day(when)})")
        )

    # The child's own names and places, then only those specific enough to be a lead.
    mine_rows = s.execute(
        select(PatternValue.kind, PatternValue.norm, PatternValue.value, PatternValue.at).where(
            PatternValue.child_id == child_id
        )
    ).all()
    people = {n: v for k, n, v, _ in mine_rows if k in ValueKind.PEOPLE}
    places = {n: v for k, n, v, when in mine_rows if k == ValueKind.FOUND_AT and since < when <= at}
    people = _specific(s, people, ValueKind.PEOPLE, None)
    places = _specific(s, places, (ValueKind.FOUND_AT,), since)
    if people:
        pq = (
            select(PatternValue.child_id, PatternValue.norm, func.max(PatternValue.at))
            .join(Child, Child.id == PatternValue.child_id)
            .where(
                PatternValue.norm.in_(list(people)),
                PatternValue.kind.in_(ValueKind.PEOPLE),
                PatternValue.child_id != child_id,
                cond,
            )
            .group_by(PatternValue.child_id, PatternValue.norm)
        )
        for cid, norm, when in s.execute(pq):
            reasons[cid].append((when, f"shares an associate: {people[norm]}"))
    if places:
        fq = (
            select(PatternValue.child_id, PatternValue.norm, func.max(PatternValue.at))
            .join(Child, Child.id == PatternValue.child_id)
            .where(
                PatternValue.norm.in_(list(places)),
                PatternValue.kind == ValueKind.FOUND_AT,
                PatternValue.at > since,
                PatternValue.at <= at,
                PatternValue.child_id != child_id,
                cond,
            )
            .group_by(PatternValue.child_id, PatternValue.norm)
        )
        for cid, norm, when in s.execute(fq):
            reasons[cid].append((when, f"found at the same place: {places[norm]}"))

    if not reasons:
        return []
    names = dict(
        s.execute(
            select(Child.id, Child.first_name + " " + Child.last_name).where(Child.id.in_(list(reasons)), cond)
        ).all()
    )
    out = [
        LinkedChild(cid, names[cid], tuple(r for _, r in sorted(rs, key=_when, reverse=True)))
        for cid, rs in reasons.items()
        if cid in names
    ]
    out.sort(key=lambda c: (-len(c.reasons), c.name, c.child_id))
    return out


def _specific(s: Session, values: dict[str, str], kinds: tuple[str, ...], since: datetime | None) -> dict[str, str]:
    """Leave out names and places recorded for more than COMMON_LIMIT children: "the high
    street" or "returned of own accord" link everyone, so they are no lead (one grouped,
    indexed query over the child's few values)."""
    if not values:
        return values
    q = (
        select(PatternValue.norm, func.count(func.distinct(PatternValue.child_id)))
        .where(PatternValue.norm.in_(list(values)), PatternValue.kind.in_(kinds))
        .group_by(PatternValue.norm)
    )
    if since is not None:
        q = q.where(PatternValue.at > since)
    common = {n for n, count in s.execute(q) if count > COMMON_LIMIT}
    return {n: v for n, v in values.items() if n not in common}


def _when(item: tuple[datetime | Any, str]) -> Any:
    return str(item[0])


def _day(when: Any) -> str:
    return str(when)[:10]
