"""The status board in one SQL query: every child's status at a clock time.

Mirrors domain.status.derive_status exactly (tests compare the two).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import fields
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, Date, Select, Subquery, and_, bindparam, case, func, literal, or_, select

from lac_monitor.domain.access import may_see_restricted
from lac_monitor.domain.localtime import local_date
from lac_monitor.domain.patterns import COUNT_WINDOWS
from lac_monitor.domain.status import DEFAULT_RHI_HOURS, ChildStatus
from lac_monitor.domain.values import BoardRow
from lac_monitor.storage.database import Reader
from lac_monitor.storage.schema import (
    CareEpisode,
    Child,
    MissingEpisode,
    Rhi,
    RhiEpisode,
    RiskFlagRow,
    Staff,
    Team,
)
from lac_monitor.storage.types import UtcDateTime

_RESTRICTED = select(Child.id, Child.social_worker_id, Child.team_id).where(Child.restricted.is_(True))


def hidden_children(
    session: Reader, role: str | None, staff_id: int | None, team_id: int | None, office_hours: bool
) -> frozenset[str]:
    """The restricted children this person may not see (domain.access.may_see_restricted):
    the app's own filter, for SQLite and any connection that bypasses row-level security.
    Reads only the few restricted children (partial index ix_child_restricted)."""
    return frozenset(
        cid
        for cid, worker, team in session.execute(_RESTRICTED)
        if not may_see_restricted(role, staff_id, team_id, worker, team, office_hours)
    )


FLAG_SEP = "\x1f"


def load_board(
    session: Reader,
    at: datetime,
    child_ids: Iterable[str] | None = None,
    rhi_hours: float = DEFAULT_RHI_HOURS,
    hidden: Collection[str] = (),
) -> list[BoardRow]:
    """Every child's row (or those of `child_ids`), leaving out the children in `hidden`."""
    day = local_date(at)
    ids = None if child_ids is None else list(child_ids)
    if ids is not None and not ids:
        return []
    params: dict[str, object] = {"at": at, "day": day, "overdue_before": at - timedelta(hours=rhi_hours)}
    params.update({f"after_{d}": at - timedelta(days=d) for d in COUNT_WINDOWS})
    if ids is not None:
        params["ids"] = ids
    rows = []
    for r in session.execute(_board_statement(ids is not None), params):
        if r[0] in hidden:
            continue
        # Columns come in BoardRow's field order, labelled with its names (test_board_columns_
        # follow_the_record checks it): plain values up to `locality`, then counts and flags.
        values: list[Any] = list(r[:_PLAIN])
        values[_STATUS] = ChildStatus(values[_STATUS])
        values[_STATUS + 1] = bool(values[_STATUS + 1])  # in_care
        n30, n90, n365, flags = r[_PLAIN:]
        values.append(tuple(sorted(flags.split(FLAG_SEP))) if flags else ())  # flags
        values.append((int(n30 or 0), int(n90 or 0), int(n365 or 0)))  # episode_counts
        rows.append(BoardRow(*values))
    return rows


# The board statement's plain columns are BoardRow's fields in order, up to these computed ones.
PLAIN_FIELDS = tuple(f.name for f in fields(BoardRow) if f.name not in ("flags", "episode_counts"))
_PLAIN = len(PLAIN_FIELDS)
_STATUS = PLAIN_FIELDS.index("status")


@lru_cache(maxsize=2)
def _board_statement(by_ids: bool) -> Select[Any]:
    """The board query, built once (building it costs milliseconds of Python, paid by every
    desktop on every change otherwise); the clock time and the children are parameters:
    `at`, `day` (the local date at `at`), `overdue_before`, `after_30`/`after_90`/`after_365`
    (the episode-count windows) and, if `by_ids`, `ids`."""
    at = bindparam("at", type_=UtcDateTime)
    day = bindparam("day", type_=Date)
    overdue_before = bindparam("overdue_before", type_=UtcDateTime)
    ids: BindParameter[Any] | None = bindparam("ids", expanding=True) if by_ids else None

    ep_ranked = select(
        MissingEpisode.id,
        MissingEpisode.child_id,
        MissingEpisode.category,
        MissingEpisode.started_at,
        MissingEpisode.returned_at,
        MissingEpisode.risk_grade,
        MissingEpisode.police_ref,
        MissingEpisode.last_seen_where,
        MissingEpisode.version,
        func.row_number()
        .over(partition_by=MissingEpisode.child_id, order_by=MissingEpisode.started_at.desc())
        .label("rn"),
    ).where(MissingEpisode.started_at <= at)
    if ids is not None:
        ep_ranked = ep_ranked.where(MissingEpisode.child_id.in_(ids))
    ep_sub = ep_ranked.subquery("ep_ranked")
    ep = select(ep_sub).where(ep_sub.c.rn == 1).subquery("ep")

    care_ranked = select(
        CareEpisode.child_id,
        CareEpisode.place,
        func.row_number().over(partition_by=CareEpisode.child_id, order_by=CareEpisode.decom.desc()).label("rn"),
    ).where(CareEpisode.decom <= day, or_(CareEpisode.dec.is_(None), CareEpisode.dec > day))
    if ids is not None:
        care_ranked = care_ranked.where(CareEpisode.child_id.in_(ids))
    care_sub = care_ranked.subquery("care_ranked")
    care = select(care_sub).where(care_sub.c.rn == 1).subquery("care")

    counts = episode_count_subquery(at, ids)

    # The flags in force, one string per child, in this same statement (not one more read per
    # change): joined by a separator no flag can hold (control characters are refused).
    flags_q = (
        select(RiskFlagRow.child_id, func.aggregate_strings(RiskFlagRow.flag, FLAG_SEP).label("flags"))
        .where(RiskFlagRow.since <= day, or_(RiskFlagRow.ended_on.is_(None), RiskFlagRow.ended_on > day))
        .group_by(RiskFlagRow.child_id)
    )
    if ids is not None:
        flags_q = flags_q.where(RiskFlagRow.child_id.in_(ids))
    flags = flags_q.subquery("flags")

    open_now = and_(ep.c.id.is_not(None), or_(ep.c.returned_at.is_(None), ep.c.returned_at > at))
    done = or_(
        and_(Rhi.completed_at.is_not(None), Rhi.completed_at <= at),
        and_(Rhi.declined_at.is_not(None), Rhi.declined_at <= at),
    )
    offered = and_(Rhi.offered_at.is_not(None), Rhi.offered_at <= at)
    status = case(
        (and_(open_now, ep.c.category == "A"), literal(ChildStatus.AWAY.value)),
        (open_now, literal(ChildStatus.MISSING.value)),
        (care.c.child_id.is_(None), literal(ChildStatus.LEFT_CARE.value)),
        (
            and_(ep.c.returned_at.is_not(None), ~done),
            case(
                (or_(offered, ep.c.returned_at > overdue_before), literal(ChildStatus.RETURNED_RHI_DUE.value)),
                else_=literal(ChildStatus.RHI_OVERDUE.value),
            ),
        ),
        else_=literal(ChildStatus.IN_PLACEMENT.value),
    )
    done_at = func.coalesce(Rhi.completed_at, Rhi.declined_at)
    q = (
        select(
            Child.id.label("child_id"),
            Child.first_name.label("first_name"),
            Child.last_name.label("last_name"),
            Child.preferred_name.label("preferred_name"),
            Child.dob.label("dob"),
            status.label("status"),
            care.c.child_id.is_not(None).label("in_care"),
            ep.c.category.label("category"),
            ep.c.id.label("episode_id"),
            ep.c.version.label("episode_version"),
            ep.c.started_at.label("missing_since"),
            ep.c.returned_at.label("returned_at"),
            ep.c.risk_grade.label("risk"),
            ep.c.police_ref.label("police_ref"),
            ep.c.last_seen_where.label("last_seen"),
            Rhi.id.label("rhi_id"),
            Rhi.offered_at.label("rhi_offered_at"),
            done_at.label("rhi_done_at"),
            Child.social_worker_id.label("social_worker_id"),
            Staff.display_name.label("social_worker"),
            Child.team_id.label("team_id"),
            Team.name.label("team"),
            care.c.place.label("placement_type"),
            Child.locality.label("locality"),
            counts.c.n30,
            counts.c.n90,
            counts.c.n365,
            flags.c.flags,
        )
        .select_from(Child)
        .outerjoin(ep, ep.c.child_id == Child.id)
        .outerjoin(care, care.c.child_id == Child.id)
        .outerjoin(RhiEpisode, RhiEpisode.episode_id == ep.c.id)
        .outerjoin(Rhi, Rhi.id == RhiEpisode.rhi_id)
        .outerjoin(Staff, Staff.id == Child.social_worker_id)
        .outerjoin(Team, Team.id == Child.team_id)
        .outerjoin(counts, counts.c.child_id == Child.id)
        .outerjoin(flags, flags.c.child_id == Child.id)
    )
    if ids is not None:
        q = q.where(Child.id.in_(ids))
    return q


def episode_count_subquery(at: BindParameter[Any], ids: BindParameter[Any] | None) -> Subquery:
    """Per child: episodes started in the last 30 / 90 / 365 days (domain.patterns.episode_counts);
    the window starts are the parameters `after_30`, `after_90`, `after_365`."""

    def n(days: int) -> Any:
        after = bindparam(f"after_{days}", type_=UtcDateTime)
        return func.sum(case((MissingEpisode.started_at > after, 1), else_=0))

    q = (
        select(MissingEpisode.child_id, n(30).label("n30"), n(90).label("n90"), n(365).label("n365"))
        .where(
            MissingEpisode.started_at <= at,
            MissingEpisode.started_at > bindparam(f"after_{COUNT_WINDOWS[-1]}", type_=UtcDateTime),
        )
        .group_by(MissingEpisode.child_id)
    )
    if ids is not None:
        q = q.where(MissingEpisode.child_id.in_(ids))
    return q.subquery("episode_counts")
