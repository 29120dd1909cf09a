"""Read-side queries that return plain frozen values."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lac_monitor.domain.errors import NotFoundError
from lac_monitor.domain.record import is_out_of_area
from lac_monitor.domain.records import (
    PROFILE_VIEW_FIELDS,
    CareEpisodeView,
    ChildDetail,
    EpisodeView,
    EventView,
    FlagView,
    ProfileView,
    RhiView,
)
from lac_monitor.storage.schema import (
    CareEpisode,
    Child,
    EpisodeEvent,
    MissingEpisode,
    PhilomenaProfile,
    Rhi,
    RhiEpisode,
    RiskFlagRow,
    Setting,
    Staff,
    Team,
)


def _cols(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names}


def child_detail(session: Session, child_id: str) -> ChildDetail:
    child = session.get(Child, child_id)
    if child is None:
        raise NotFoundError("Child", child_id)
    sw = session.get(Staff, child.social_worker_id) if child.social_worker_id else None
    team = session.get(Team, child.team_id) if child.team_id else None
    care = session.scalars(
        select(CareEpisode)
        .where(CareEpisode.child_id == child_id)
        .order_by(CareEpisode.decom.desc(), CareEpisode.id.desc())
    ).all()
    flags = session.scalars(
        select(RiskFlagRow).where(RiskFlagRow.child_id == child_id).order_by(RiskFlagRow.since)
    ).all()
    prof = session.get(PhilomenaProfile, child_id)
    eps = session.scalars(
        select(MissingEpisode).where(MissingEpisode.child_id == child_id).order_by(MissingEpisode.started_at.desc())
    ).all()
    ep_ids = [e.id for e in eps]
    events: dict[int, list[EventView]] = defaultdict(list)
    rhi_of: dict[int, int] = {}
    if ep_ids:
        for ev in session.scalars(
            select(EpisodeEvent).where(EpisodeEvent.episode_id.in_(ep_ids)).order_by(EpisodeEvent.at, EpisodeEvent.id)
        ):
            events[ev.episode_id].append(
                EventView(ev.id, ev.kind, ev.at, ev.recorded_at, ev.recorded_by, ev.text, ev.old_value, ev.new_value)
            )
        for link in session.scalars(select(RhiEpisode).where(RhiEpisode.episode_id.in_(ep_ids))):
            rhi_of[link.episode_id] = link.rhi_id
    owners = {
        s.id: s.display_name
        for s in session.scalars(select(Staff).where(Staff.id.in_({e.owner_id for e in eps if e.owner_id})))
    }
    rhis = session.scalars(select(Rhi).where(Rhi.child_id == child_id).order_by(Rhi.offered_at.desc())).all()
    rhi_eps: dict[int, list[int]] = defaultdict(list)
    for ep_id, rid in rhi_of.items():
        rhi_eps[rid].append(ep_id)

    ep_fields = (
        "id",
        "child_id",
        "category",
        "started_at",
        "reported_at",
        "reported_by",
        "police_reported_at",
        "police_ref",
        "risk_grade",
        "last_seen_where",
        "last_seen_with",
        "last_seen_wearing",
        "circumstances",
        "returned_at",
        "found_where",
        "return_method",
        "safe_well_at",
        "safe_well_by",
        "safe_well_notes",
        "updated_at",
        "updated_by",
        "version",
    )
    care_fields = (
        "id",
        "decom",
        "rne",
        "ls",
        "cin",
        "place",
        "place_provider",
        "pl_post",
        "urn",
        "dec",
        "rec",
        "reason_place_change",
        "placement_name",
        "placement_address",
        "carer_name",
        "carer_phone",
        "version",
        "home_post",
        "host_la",
    )
    council = _council_la(session)
    prof_fields = PROFILE_VIEW_FIELDS
    return ChildDetail(
        id=child.id,
        first_name=child.first_name,
        last_name=child.last_name,
        preferred_name=child.preferred_name,
        dob=child.dob,
        sex=child.sex,
        ethnicity=child.ethnicity,
        upn=child.upn,
        locality=child.locality,
        photo=child.photo,
        mother=child.mother,
        mc_dob=child.mc_dob,
        version=child.version,
        social_worker=sw.display_name if sw else None,
        social_worker_phone=sw.phone if sw else None,
        team=team.name if team else None,
        care_episodes=tuple(
            CareEpisodeView(**_cols(c, care_fields), out_of_area=is_out_of_area(c.host_la, council)) for c in care
        ),
        flags=tuple(FlagView(f.flag, f.since, f.set_by, f.ended_on, f.note) for f in flags),
        profile=ProfileView(**_cols(prof, prof_fields)) if prof else None,
        episodes=tuple(
            EpisodeView(
                **_cols(e, ep_fields),
                owner=owners.get(e.owner_id or -1),
                events=tuple(events.get(e.id, ())),
                rhi_id=rhi_of.get(e.id),
            )
            for e in eps
        ),
        rhis=tuple(
            RhiView(
                r.id,
                r.offered_at,
                r.offered_by,
                r.accepted_at,
                r.declined_at,
                r.completed_at,
                r.completed_by,
                r.outcome,
                r.version,
                tuple(sorted(rhi_eps.get(r.id, ()))),
                r.outcome_code,
            )
            for r in rhis
        ),
    )


def staff_list(session: Session) -> list[tuple[int, str, str, str, int | None]]:
    query = select(Staff.id, Staff.username, Staff.display_name, Staff.role, Staff.team_id)
    rows = session.execute(query.order_by(Staff.display_name))
    return [(sid, username, name, role, team) for sid, username, name, role, team in rows]


def team_list(session: Session) -> list[tuple[int, str]]:
    return [(i, n) for i, n in session.execute(select(Team.id, Team.name).order_by(Team.name))]


def _council_la(session: Session) -> str | None:
    """The council's own ONS code (setting "council"), for the out-of-area flag."""
    raw = session.scalar(select(Setting.value).where(Setting.key == "council"))
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return None
    return str(value["la_code"]) if isinstance(value, dict) and value.get("la_code") else None
