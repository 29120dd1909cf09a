"""`lac-monitor episode report|return|update CHILD_ID`: record from a script or a terminal."""

from __future__ import annotations

import argparse
from datetime import datetime

from sqlalchemy import select

from lac_monitor.cli.common import actor_for, add_database, clock_for, open_database, text_arg, time_arg
from lac_monitor.domain.codes import RiskGrade
from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.localtime import format_local
from lac_monitor.domain.record import RHI_OUTCOMES
from lac_monitor.services.episodes import AMENDABLE, EpisodeService
from lac_monitor.services.settings import load_ladder
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import MissingEpisode, Rhi, RhiEpisode

RISKS = [r.value for r in RiskGrade]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("episode", help="report, update or close a missing episode")
    esub = p.add_subparsers(dest="episode_command", metavar="ACTION", required=True)

    r = esub.add_parser("report", help="report a child missing (M) or away (A)")
    add_database(r)
    r.add_argument("child_id")
    r.add_argument("--category", required=True, choices=["M", "A"])
    r.add_argument("--at", help="when the child went missing (default now)")
    r.add_argument("--risk", choices=RISKS)
    r.add_argument("--police-ref", type=text_arg)
    r.add_argument("--last-seen", help="where last seen", type=text_arg)
    r.add_argument("--with", dest="last_seen_with", help="last seen with", type=text_arg)
    r.add_argument("--wearing", help="last seen wearing", type=text_arg)
    r.add_argument("--reported-by", help="who reported it, e.g. foster carer", type=text_arg)
    r.add_argument("--circumstances", type=text_arg)
    r.add_argument(
        "--step",
        action="append",
        default=[],
        metavar="TIME=WHAT",
        help="a step the carers took before reporting, e.g. '21:40=searched the garden' "
        "(Philomena; repeat for each step; supported and residential placements)",
    )
    r.set_defaults(func=run_report)

    t = esub.add_parser("return", help="record that a missing child has returned or been found")
    add_database(t)
    t.add_argument("child_id")
    t.add_argument("--at", help="when the child returned (default now)")
    t.add_argument("--found-at", help="where the child was found", type=text_arg)
    t.add_argument("--how", help="how the child returned", type=text_arg)
    t.set_defaults(func=run_return)

    u = esub.add_parser("update", help="change risk, police reference or category; add a note")
    add_database(u)
    u.add_argument("child_id")
    u.add_argument("--risk", choices=RISKS)
    u.add_argument("--police-ref", type=text_arg)
    u.add_argument("--category", choices=["M", "A"])
    u.add_argument("--reason", help="why (needed for a change of category)", type=text_arg)
    u.add_argument("--note", help="add an update to the timeline", type=text_arg)
    u.add_argument("--sighting", help="add a sighting to the timeline", type=text_arg)
    u.set_defaults(func=run_update)

    a = esub.add_parser("amend", help="correct a time of the child's latest episode (with the reason)")
    add_database(a)
    a.add_argument("child_id")
    a.add_argument("--field", required=True, choices=list(AMENDABLE), help="which time to correct")
    a.add_argument("--to", required=True, help="the right time (ISO 8601; local time without an offset)")
    a.add_argument("--reason", required=True, help="why (kept on the timeline and in the audit trail)", type=text_arg)
    a.set_defaults(func=run_amend)

    w = esub.add_parser(
        "safe-well", help="record the safe and well check of the child's latest return, made after it was recorded"
    )
    add_database(w)
    w.add_argument("child_id")
    w.add_argument("--by", required=True, help="who did the check (e.g. PC 1234, the duty worker)", type=text_arg)
    w.add_argument("--at", help="when the check was done (default now)")
    w.add_argument("--notes", type=text_arg)
    w.set_defaults(func=run_safe_well)

    h = esub.add_parser("rhi", help="return-home interview for the child's returned episodes not yet covered")
    add_database(h)
    h.add_argument("child_id")
    h.add_argument(
        "--outcome",
        required=True,
        choices=["offered", *RHI_OUTCOMES],
        help="offered; accepted / declined (by the young person); not_offered_missing_again, "
        "not_offered_no_contact, not_offered_other; not_applicable",
    )
    h.add_argument("--at", help="when (default now)")
    h.add_argument("--note")
    h.set_defaults(func=run_rhi)


def _service(args: argparse.Namespace) -> tuple[Database, EpisodeService]:
    db = open_database(args)
    return db, EpisodeService(db, actor_for(db, args), clock_for(None))


def _open_episode(db: Database, child_id: str) -> MissingEpisode:
    with db.read_session() as s:
        ep = s.scalars(
            select(MissingEpisode).where(MissingEpisode.child_id == child_id, MissingEpisode.returned_at.is_(None))
        ).first()
    if ep is None:
        raise ValidationError("child", f"{child_id} has no open missing episode")
    return ep


def run_report(args: argparse.Namespace) -> int:
    _db, svc = _service(args)
    saved = svc.report(
        args.child_id,
        args.category,
        time_arg("--at", args.at),
        risk=args.risk,
        police_ref=args.police_ref,
        last_seen_where=args.last_seen,
        last_seen_with=args.last_seen_with,
        last_seen_wearing=args.wearing,
        reported_by=args.reported_by,
        circumstances=args.circumstances,
        steps_taken=[_step(i, text) for i, text in enumerate(args.step, start=1)],
    )
    label = "missing" if args.category == "M" else "away"
    print(f"episode {saved.id}: {args.child_id} reported {label}")
    return 0


def _step(i: int, text: str) -> tuple[datetime, str]:
    when, sep, what = text.partition("=")
    if not sep:
        raise ValidationError(f"--step {i}", "give it as TIME=WHAT, e.g. '21:40=searched the garden'")
    at = time_arg(f"--step {i}", when.strip())
    assert at is not None
    return at, what


def _latest_return(db: Database, child_id: str) -> MissingEpisode:
    with db.read_session() as s:
        ep = s.scalars(
            select(MissingEpisode)
            .where(MissingEpisode.child_id == child_id, MissingEpisode.returned_at.is_not(None))
            .order_by(MissingEpisode.returned_at.desc())
        ).first()
    if ep is None:
        raise ValidationError("child", f"{child_id} has no return recorded")
    return ep


def run_amend(args: argparse.Namespace) -> int:
    db, svc = _service(args)
    to = time_arg("--to", args.to)
    assert to is not None
    with db.read_session() as s:
        ep = s.scalars(
            select(MissingEpisode)
            .where(MissingEpisode.child_id == args.child_id)
            .order_by(MissingEpisode.started_at.desc())
        ).first()
    if ep is None:
        raise ValidationError("child", f"{args.child_id} has no missing episode")
    saved = svc.amend_time(ep.id, ep.version, args.field, to, args.reason)
    print(f"episode {saved.id}: {args.child_id} {AMENDABLE[args.field]} time corrected to {format_local(to)}")
    return 0


def run_safe_well(args: argparse.Namespace) -> int:
    db, svc = _service(args)
    ep = _latest_return(db, args.child_id)
    at = time_arg("--at", args.at) or svc.clock.now()
    saved = svc.record_safe_and_well(ep.id, ep.version, at, args.by, args.notes)
    print(f"episode {saved.id}: {args.child_id} safe and well check recorded ({format_local(at)})")
    return 0


def run_return(args: argparse.Namespace) -> int:
    db, svc = _service(args)
    ep = _open_episode(db, args.child_id)
    hours = load_ladder(db).rhi_hours  # read before the write: after it, only the saved message
    saved = svc.record_return(
        ep.id, ep.version, time_arg("--at", args.at), found_where=args.found_at, return_method=args.how
    )
    print(
        f"episode {saved.id}: {args.child_id} returned at {format_local(saved.at)}; "
        f"RHI to be offered within {hours:g} hours"
    )
    return 0


def run_update(args: argparse.Namespace) -> int:
    """All the options are ONE action: every change is saved, or none is."""
    if not any(v is not None for v in (args.risk, args.police_ref, args.category, args.note, args.sighting)):
        raise ValidationError("update", "give at least one of --risk, --police-ref, --category, --note, --sighting")
    db, svc = _service(args)
    ep = _open_episode(db, args.child_id)
    svc.update(
        ep.id,
        ep.version,
        police_ref=args.police_ref,
        risk=args.risk,
        category=args.category,
        reason=args.reason,
        note=args.note,
        sighting=args.sighting,
    )
    done = [
        name
        for name, value in (
            ("police reference", args.police_ref),
            ("risk grade", args.risk),
            ("category", args.category),
            ("update", args.note),
            ("sighting", args.sighting),
        )
        if value is not None
    ]
    print(f"episode {ep.id}: recorded {', '.join(done)}")
    return 0


def run_rhi(args: argparse.Namespace) -> int:
    """Offered / accepted / declined act on the open RHI (offering one first if none is open);
    a not-offered outcome closes the episodes' RHI as not offered."""
    db, svc = _service(args)
    at = time_arg("--at", args.at)
    with db.read_session() as s:
        covered = select(RhiEpisode.episode_id)
        waiting = s.scalars(
            select(MissingEpisode.id)
            .where(
                MissingEpisode.child_id == args.child_id,
                MissingEpisode.returned_at.is_not(None),
                MissingEpisode.id.not_in(covered),
            )
            .order_by(MissingEpisode.started_at)
        ).all()
        open_rhi = s.scalars(
            select(Rhi)
            .where(
                Rhi.child_id == args.child_id,
                Rhi.offered_at.is_not(None),
                Rhi.completed_at.is_(None),
                Rhi.declined_at.is_(None),
            )
            .order_by(Rhi.offered_at.desc())
        ).first()
    if args.outcome in ("offered", "accepted", "declined"):
        if waiting:
            saved = svc.offer_rhi(list(waiting), at)
            rhi_id, version = saved.id, saved.version
        elif open_rhi is not None:
            rhi_id, version = open_rhi.id, open_rhi.version
        else:
            raise ValidationError("child", f"{args.child_id} has no returned episode waiting for an RHI")
        if args.outcome != "offered":
            svc.respond_rhi(int(rhi_id), version, args.outcome == "accepted", at)
    else:
        if not waiting:
            raise ValidationError("child", f"{args.child_id} has no returned episode waiting for an RHI")
        saved = svc.record_rhi_not_offered(list(waiting), args.outcome, args.note, at)
        rhi_id = saved.id
    print(f"RHI {rhi_id}: {args.child_id} {RHI_OUTCOMES.get(args.outcome, 'Offered').lower()}")
    return 0
