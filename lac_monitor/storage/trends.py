"""The facts the monthly picture is made of, in three queries (episodes, found-at places,
open risk flags). Episodes are those that started in the period in the council's local
time, as Annex A List 8 counts them (services/statutory.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from lac_monitor.domain.codes import PLACE_SHORT
from lac_monitor.domain.localtime import council_tz, local_date, to_local, to_utc
from lac_monitor.domain.patterns import ValueKind
from lac_monitor.domain.record import is_out_of_area
from lac_monitor.domain.status import age_on
from lac_monitor.domain.trends import EpisodeFact, TrendsData, summarise
from lac_monitor.storage.queries import _council_la
from lac_monitor.storage.schema import (
    CareEpisode,
    Child,
    MissingEpisode,
    PatternValue,
    Rhi,
    RhiEpisode,
    RiskFlagRow,
)


def local_midnight(d: date) -> datetime:
    return to_utc(datetime.combine(d, time(), tzinfo=council_tz()))


def load_facts(s: Session, start: date, end: date, visible: ColumnElement[bool] | None = None) -> list[EpisodeFact]:
    first, after = local_midnight(start), local_midnight(end + timedelta(days=1))
    cond = visible if visible is not None else true()
    council = _council_la(s)
    q = (
        select(
            MissingEpisode.id,
            MissingEpisode.child_id,
            MissingEpisode.category,
            MissingEpisode.started_at,
            MissingEpisode.returned_at,
            Child.dob,
            Child.locality,
            CareEpisode.place,
            CareEpisode.host_la,
            Rhi.offered_at,
            Rhi.accepted_at,
            Rhi.completed_at,
        )
        .join(Child, Child.id == MissingEpisode.child_id)
        .outerjoin(CareEpisode, CareEpisode.id == MissingEpisode.care_episode_id)
        .outerjoin(RhiEpisode, RhiEpisode.episode_id == MissingEpisode.id)
        .outerjoin(Rhi, Rhi.id == RhiEpisode.rhi_id)
        .where(MissingEpisode.started_at >= first, MissingEpisode.started_at < after, cond)
    )
    found: dict[int, tuple[str | None, str | None]] = {}
    fq = (
        select(PatternValue.episode_id, PatternValue.norm, PatternValue.value)
        .join(MissingEpisode, MissingEpisode.id == PatternValue.episode_id)
        .join(Child, Child.id == PatternValue.child_id)
        .where(
            PatternValue.kind == ValueKind.FOUND_AT,
            MissingEpisode.started_at >= first,
            MissingEpisode.started_at < after,
            cond,
        )
        .order_by(PatternValue.id.desc())
    )
    for eid, norm, value in s.execute(fq):
        if eid is not None:
            found[eid] = (norm, value)  # the first value typed wins (ordered newest first)
    out = []
    for eid, cid, cat, started, returned, dob, loc, place, host, offered, accepted_at, completed in s.execute(q):
        local = to_local(started)
        found_norm, found_label = found.get(eid, (None, None))
        out.append(
            EpisodeFact(
                id=eid,
                child_id=cid,
                category=cat,
                started_at=started,
                start_month=f"{local:%Y-%m}",
                returned_at=returned,
                age=age_on(dob, local.date()),
                placement_type=place,
                out_of_area=is_out_of_area(host, council),
                locality=loc,
                rhi_offered_at=offered,
                rhi_accepted=accepted_at is not None or completed is not None,
                found_at=found_norm,
                found_label=found_label,
            )
        )
    return out


def open_flags(s: Session, on: date, visible: ColumnElement[bool] | None = None) -> dict[str, int]:
    cond = visible if visible is not None else true()
    q = (
        select(RiskFlagRow.flag, func.count(func.distinct(RiskFlagRow.child_id)))
        .join(Child, Child.id == RiskFlagRow.child_id)
        .where(RiskFlagRow.since <= on, or_(RiskFlagRow.ended_on.is_(None), RiskFlagRow.ended_on > on), and_(cond))
        .group_by(RiskFlagRow.flag)
    )
    return {flag: int(n) for flag, n in s.execute(q)}


def load_trends(
    s: Session,
    start: date,
    end: date,
    now: datetime,
    rhi_hours: float = 72.0,
    visible: ColumnElement[bool] | None = None,
) -> TrendsData:
    period_end = min(local_midnight(end + timedelta(days=1)), now)
    flags_on = min(end, local_date(now))
    return summarise(
        load_facts(s, start, end, visible),
        start,
        end,
        period_end,
        open_flags(s, flags_on, visible),
        rhi_hours,
        dict(PLACE_SHORT),
    )
