"""The demo council: believable on the board, obeying every rule the services enforce."""

from __future__ import annotations

import itertools
import re
import select as _select
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lac_monitor.demo import DemoSummary, generate
from lac_monitor.domain import codes
from lac_monitor.domain.clock import FixedClock
from lac_monitor.domain.errors import LacError
from lac_monitor.domain.localtime import local_date
from lac_monitor.domain.status import ChildStatus, age_on
from lac_monitor.services.episodes import EpisodeService
from lac_monitor.services.uow import resolve_actor
from lac_monitor.storage.board import load_board
from lac_monitor.storage.database import Database
from lac_monitor.storage.feed import FeedReader, PgListener
from lac_monitor.storage.schema import (
    AuditLog,
    CareEpisode,
    ChangeFeed,
    Child,
    EpisodeEvent,
    MissingEpisode,
    PhilomenaProfile,
    Rhi,
    RhiEpisode,
    RiskFlagRow,
    Staff,
    Team,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday, midday
USER = "sw.tester"
SIZE = 300


@pytest.fixture
def demo(db: Database) -> DemoSummary:
    return generate(db, children=SIZE, seed=7, now=NOW, current_username=USER)


def _count(db: Database, entity: type) -> int:
    with db.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(entity)) or 0)


def rule_breaks(db: Database, now: datetime) -> list[str]:
    """Every rule the services enforce, checked over the whole database."""
    out: list[str] = []
    today = local_date(now)
    with db.read_session() as s:
        children = {c.id: c for c in s.scalars(select(Child))}
        care: dict[str, list[CareEpisode]] = defaultdict(list)
        for ce in s.scalars(select(CareEpisode).order_by(CareEpisode.decom)):
            care[ce.child_id].append(ce)
        eps: dict[str, list[MissingEpisode]] = defaultdict(list)
        for ep in s.scalars(select(MissingEpisode).order_by(MissingEpisode.started_at)):
            eps[ep.child_id].append(ep)
        by_id = {e.id: e for es in eps.values() for e in es}
        for cid, child in children.items():
            if not re.fullmatch(r"C\d{6}", cid):
                out.append(f"{cid}: child id is not C + 6 digits")
            if child.upn is not None and not codes.is_valid_upn(child.upn):
                out.append(f"{cid}: invalid UPN {child.upn}")
            if child.sex not in codes.SEX or child.ethnicity not in codes.ETHNIC:
                out.append(f"{cid}: unknown sex or ethnicity code")
            ces = care[cid]
            if not ces:
                out.append(f"{cid}: no period of care")
                continue
            if sum(ce.dec is None for ce in ces) > 1:
                out.append(f"{cid}: more than one open care episode")
            if ces[0].rne != "S":
                out.append(f"{cid}: first episode does not start care (RNE {ces[0].rne})")
            for a, b in itertools.pairwise(ces):
                if a.dec != b.decom or a.rec != "X1":
                    out.append(f"{cid}: care episodes {a.id}->{b.id} not joined by X1 the same day")
                temporary = a.place in codes.TEMPORARY_OR_OTHER_PLACE or b.place in codes.TEMPORARY_OR_OTHER_PLACE
                needs_reason = b.rne in {"P", "B", "T", "U"} and not temporary
                if needs_reason != (a.reason_place_change in codes.REASON_PLACE_CHANGE):
                    out.append(f"{cid}: REASON_PLACE_CHANGE {a.reason_place_change!r} before RNE {b.rne}")
            for ce in ces:
                if ce.decom < child.dob or ce.decom > today or (ce.dec is not None and not ce.decom < ce.dec <= today):
                    out.append(f"{cid}: care episode {ce.id} dates out of order or in the future")
                if ce.place in codes.TEMPORARY_OR_OTHER_PLACE:
                    if ce.place_provider:
                        out.append(f"{cid}: PLACE_PROVIDER must be blank for {ce.place}")
                elif ce.place_provider not in codes.PLACE_PROVIDER:
                    out.append(f"{cid}: PLACE_PROVIDER missing for {ce.place}")
                for value, known in (
                    (ce.ls, codes.LS),
                    (ce.cin, codes.CIN),
                    (ce.place, codes.PLACE),
                    (ce.rne, codes.RNE),
                ):
                    if value not in known:
                        out.append(f"{cid}: unknown code {value}")
                if ce.rec is not None and ce.rec not in codes.REC:
                    out.append(f"{cid}: unknown REC {ce.rec}")
                if ce.dec is None and (ce.rec or ce.reason_place_change):
                    out.append(f"{cid}: open episode with REC or reason")
            es = eps[cid]
            if sum(e.returned_at is None for e in es) > 1:
                out.append(f"{cid}: more than one open missing episode")
            for prev, nxt in itertools.pairwise(es):
                if prev.returned_at is None or prev.returned_at > nxt.started_at:
                    out.append(f"{cid}: missing episodes {prev.id} and {nxt.id} overlap")
            for e in es:
                day = local_date(e.started_at)
                inside = [ce for ce in ces if ce.decom <= day and (ce.dec is None or day <= ce.dec)]
                if day < child.dob or not inside:
                    out.append(f"{cid}: episode {e.id} starts outside care or before birth")
                elif inside[-1].id != e.care_episode_id:
                    out.append(f"{cid}: episode {e.id} points at the wrong care episode")
                times = [e.started_at, e.reported_at, e.returned_at, e.police_reported_at, e.safe_well_at, e.updated_at]
                if any(t is not None and (t.tzinfo is None or t > now) for t in times):
                    out.append(f"{cid}: episode {e.id} has a time in the future or without zone")
                if e.reported_at < e.started_at or (e.returned_at and e.returned_at < e.started_at):
                    out.append(f"{cid}: episode {e.id} reported/returned before it started")
                if e.police_reported_at and e.police_reported_at < e.started_at:
                    out.append(f"{cid}: episode {e.id} reported to police before it started")
                if e.safe_well_at and (e.returned_at is None or e.safe_well_at < e.returned_at):
                    out.append(f"{cid}: episode {e.id} safe-and-well check before return")
                if e.category not in ("M", "A") or (
                    e.risk_grade and e.risk_grade not in {r.value for r in codes.RiskGrade}
                ):
                    out.append(f"{cid}: episode {e.id} has an unknown category or risk")
                if e.returned_at is None and ces[-1].dec is not None:
                    out.append(f"{cid}: missing now but no longer in care")
        for ev in s.scalars(select(EpisodeEvent)):
            if ev.episode_id not in by_id or not ev.at <= ev.recorded_at <= now:
                out.append(f"event {ev.id}: orphan, or recorded before it happened / in the future")
        for rhi in s.scalars(select(Rhi)):
            stamps = (rhi.offered_at, rhi.accepted_at, rhi.declined_at, rhi.completed_at, rhi.updated_at)
            if any(t is not None and t > now for t in stamps):
                out.append(f"rhi {rhi.id}: in the future")
            if rhi.accepted_at and rhi.declined_at:
                out.append(f"rhi {rhi.id}: both accepted and declined")
        for link in s.scalars(select(RhiEpisode)):
            rhi_row = s.get(Rhi, link.rhi_id)
            covered = by_id.get(link.episode_id)
            if (
                rhi_row is None
                or covered is None
                or covered.returned_at is None
                or rhi_row.child_id != covered.child_id
            ):
                out.append(f"rhi {link.rhi_id}: covers an episode that is not a returned one of the same child")
            elif rhi_row.offered_at is None or rhi_row.offered_at < covered.returned_at:
                out.append(f"rhi {link.rhi_id}: offered before the return")
        for flag in s.scalars(select(RiskFlagRow)):
            if flag.flag not in {f.value for f in codes.RiskFlag} or flag.since > today or flag.set_at > now:
                out.append(f"risk flag {flag.id}: unknown or in the future")
    return out


def test_board_shows_a_live_council(db: Database, demo: DemoSummary) -> None:
    assert demo.children == SIZE == _count(db, Child)
    assert demo.care_episodes == _count(db, CareEpisode) > SIZE
    assert demo.missing_episodes == _count(db, MissingEpisode) > 0
    assert demo.rhis == _count(db, Rhi) > 0
    assert demo.elapsed_seconds < 30
    with db.read_session() as s:
        rows = load_board(s, NOW)
        roles = Counter(s.scalars(select(Staff.role)))
        teams = list(s.scalars(select(Team).order_by(Team.id)))
    assert len(rows) == SIZE
    status = Counter(r.status for r in rows)
    assert status[ChildStatus.MISSING] >= 2 and status[ChildStatus.AWAY] >= 1
    assert status[ChildStatus.MISSING] == demo.currently_missing
    assert status[ChildStatus.AWAY] == demo.currently_away
    assert 3 <= demo.currently_missing + demo.currently_away <= 8  # about 1 % of 300
    assert status[ChildStatus.RETURNED_RHI_DUE] >= 2
    assert status[ChildStatus.RHI_OVERDUE] >= 2
    assert 0.05 <= status[ChildStatus.LEFT_CARE] / SIZE <= 0.12
    out = [r for r in rows if r.is_out]
    assert any(r.risk == codes.RiskGrade.HIGH for r in out)
    assert any(r.police_ref for r in out) and any(r.police_ref is None and r.category == "M" for r in out)
    assert all(r.missing_since is not None and r.missing_since <= NOW for r in out)
    due_unoffered = [r for r in rows if r.status is ChildStatus.RETURNED_RHI_DUE and r.rhi_id is None]
    assert due_unoffered and all(NOW - r.returned_at < timedelta(hours=72) for r in due_unoffered if r.returned_at)
    # Every role is staffed, and social workers hold believable caseloads.
    assert {r.value for r in codes.StaffRole} <= set(roles)
    assert roles["team_manager"] == len(teams) - 1  # every team but the duty team
    caseloads = Counter(r.social_worker_id for r in rows)
    assert 10 <= statistics.median(caseloads.values()) <= 20
    assert any("Duty" in t.name for t in teams) and len(teams) >= 3
    # The person at the keyboard is a social worker in the first team, with a child out now.
    actor = resolve_actor(db, USER)
    assert actor.staff_id is not None and actor.role == "social_worker" and actor.team_id == teams[0].id
    assert any(r.social_worker_id == actor.staff_id for r in out)


def test_names_and_codes_exercise_printing(db: Database, demo: DemoSummary) -> None:
    with db.read_session() as s:
        children = list(s.scalars(select(Child)))
        profiles = _count(db, PhilomenaProfile)
    preferred = [c.preferred_name for c in children if c.preferred_name]
    assert any(not p.isascii() for p in preferred), "some preferred names use another script"
    assert any(not c.last_name.isascii() or not c.first_name.isascii() for c in children)
    assert len({(c.first_name, c.last_name) for c in children}) > SIZE * 0.8
    teens = [c for c in children if 13 <= age_on(c.dob, local_date(NOW)) <= 17]
    assert len(teens) > SIZE * 0.3, "skewed to teenagers"
    assert profiles >= len(teens) * 0.6
    school_age = [c for c in children if 5 <= age_on(c.dob, local_date(NOW)) <= 17]
    assert all(c.upn for c in school_age)
    assert Counter(c.sex for c in children)["M"] > SIZE * 0.4


def test_demo_data_obeys_the_rules(db: Database, demo: DemoSummary) -> None:
    assert rule_breaks(db, NOW) == []


def test_history_has_realistic_patterns(db: Database, demo: DemoSummary) -> None:
    with db.read_session() as s:
        dob = dict(s.execute(select(Child.id, Child.dob)).all())
        eps = list(s.scalars(select(MissingEpisode)))
        links = Counter(s.scalars(select(RhiEpisode.rhi_id)))
        flagged = set(s.scalars(select(RiskFlagRow.child_id)))
    per_child = Counter(e.child_id for e in eps)
    assert len(per_child) < SIZE * 0.25, "most children are never missing"
    assert max(per_child.values()) >= 10, "a few children go missing often"
    teen_eps = [e for e in eps if age_on(dob[e.child_id], local_date(e.started_at)) >= 13]
    assert len(teen_eps) > len(eps) * 0.6
    away = sum(e.category == "A" for e in eps) / len(eps)
    assert 0.1 <= away <= 0.4
    hours = [(e.returned_at - e.started_at) / timedelta(hours=1) for e in eps if e.returned_at]
    assert 4 <= statistics.median(hours) <= 14
    assert any(24 <= h <= 72 for h in hours)
    grades = Counter(e.risk_grade for e in eps)
    assert grades["low"] + grades["medium"] > len(eps) * 0.6 and grades["high"] > 0
    refs = [e.police_ref for e in eps if e.category == "M" and e.police_ref]
    assert len(refs) > 0.8 * sum(e.category == "M" for e in eps)
    assert all(re.fullmatch(r"LOG-\d{4}-\d+", r) for r in refs)
    assert max(links.values()) >= 2, "one RHI may cover two episodes"
    frequent = {cid for cid, n in per_child.items() if n >= 6}
    never = set(dob) - set(per_child)
    assert frequent and never
    flagged_frequent = len(frequent & flagged) / len(frequent)
    assert flagged_frequent > 3 * len(never & flagged) / len(never), "flags gather on frequent missers"


def test_open_desktops_hear_about_the_new_council(db: Database) -> None:
    reader = FeedReader(db)
    listener = PgListener(db) if db.is_postgresql else None
    try:
        generate(db, children=40, seed=3, now=NOW, current_username=USER)
        events = reader.read()
        assert [(e.kind, e.entity) for e in events] == [("demo.generated", "database")]
        if listener is not None:
            _select.select([listener], [], [], 5)
            assert listener.drain()
    finally:
        if listener is not None:
            listener.close()
    with db.read_session() as s:
        audit = list(s.scalars(select(AuditLog)))
    assert [(a.action, a.entity, a.username) for a in audit] == [("demo.generate", "database", USER)]


def test_second_run_is_refused_and_replace_starts_again(db: Database, demo: DemoSummary) -> None:
    with pytest.raises(LacError, match="already holds 300 children"):
        generate(db, children=50, seed=2, now=NOW, current_username=USER)
    assert _count(db, Child) == SIZE
    with db.read_session() as s:
        first_seq = s.scalar(select(func.max(ChangeFeed.seq)))
    again = generate(db, children=120, seed=2, now=NOW, current_username=USER, replace=True)
    assert again.children == _count(db, Child) == 120
    assert rule_breaks(db, NOW) == []
    with db.read_session() as s:
        feed = list(s.scalars(select(ChangeFeed)))
        audits = list(s.scalars(select(AuditLog.action)))
        child_id = next(
            r.child_id
            for r in load_board(s, NOW)
            if r.status is ChildStatus.IN_PLACEMENT and age_on(r.dob, local_date(NOW)) >= 12
        )
    # The audit trail and the change feed are never wiped: the first demo's rows stay.
    assert [f.kind for f in feed if f.seq > (first_seq or 0)] == ["demo.generated"]
    assert audits == ["demo.generate", "demo.generate"]
    # Ordinary actions still work on top (ids continue after the demo's explicit ids).
    svc = EpisodeService(db, resolve_actor(db, USER), FixedClock(NOW + timedelta(minutes=5)))
    saved = svc.report(child_id, "M", NOW, risk="medium", police_ref="LOG-2026-123")
    assert saved.id == again.missing_episodes + 1
    svc.record_return(saved.id, saved.version, NOW + timedelta(minutes=4))


def test_same_seed_gives_the_same_council(tmp_path: Path) -> None:
    def council(name: str, seed: int) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        db = Database.open(f"sqlite:///{tmp_path / name}")
        try:
            generate(db, children=80, seed=seed, now=NOW, current_username=USER)
            with db.read_session() as s:
                kids = s.execute(
                    select(Child.id, Child.first_name, Child.last_name, Child.preferred_name, Child.dob).order_by(
                        Child.id
                    )
                ).all()
                eps = s.execute(
                    select(MissingEpisode.child_id, MissingEpisode.started_at, MissingEpisode.returned_at).order_by(
                        MissingEpisode.id
                    )
                ).all()
            return [tuple(k) for k in kids], [tuple(e) for e in eps]
        finally:
            db.dispose()

    first = council("a.sqlite", 11)
    assert council("b.sqlite", 11) == first
    assert council("c.sqlite", 12)[0] != first[0]


def test_what_is_written_about_a_child_matches_their_sex(db: Database, demo: DemoSummary) -> None:
    """A duty officer reads 'carer reports he seems fine' about a girl as a wrong record."""
    wrong = {"F": re.compile(r"\b(he|him|his|himself)\b", re.I), "M": re.compile(r"\b(she|her|hers|herself)\b", re.I)}
    own = {"F": re.compile(r"\bshe\b", re.I), "M": re.compile(r"\bhe\b", re.I)}
    with db.read_session() as s:
        sex = dict(s.execute(select(Child.id, Child.sex)).all())
        texts: list[tuple[str, str | None]] = []
        for e in s.scalars(select(MissingEpisode)):
            texts += [(e.child_id, t) for t in (e.circumstances, e.safe_well_notes, e.last_seen_where, e.found_where)]
        texts += s.execute(
            select(MissingEpisode.child_id, EpisodeEvent.text).join(
                MissingEpisode, MissingEpisode.id == EpisodeEvent.episode_id
            )
        ).all()
        texts += s.execute(select(Rhi.child_id, Rhi.outcome)).all()
        for p in s.scalars(select(PhilomenaProfile)):
            texts += [(p.child_id, p.description), (p.child_id, p.other_info)]
    said = [(sex[cid], t) for cid, t in texts if t]
    assert [t for sx, t in said if wrong[sx].search(t)] == []
    assert any(own["F"].search(t) for sx, t in said if sx == "F")
    assert any(own["M"].search(t) for sx, t in said if sx == "M")
