"""`lac-monitor care start|move|end CHILD_ID`: periods of care (SSDA903 episodes)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from sqlalchemy import select

from lac_monitor.cli.common import actor_for, add_database, open_database
from lac_monitor.domain import record
from lac_monitor.domain.errors import ValidationError
from lac_monitor.services.care import CareService, Placement
from lac_monitor.storage.schema import CareEpisode


def _placement_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ls", required=True, help="legal status, e.g. C2")
    p.add_argument("--cin", required=True, help="category of need, e.g. N1")
    p.add_argument("--place", required=True, help="placement type, e.g. U4")
    p.add_argument("--provider", help="placement provider, e.g. PR1")
    p.add_argument("--postcode", help="placement postcode (PL_POST), e.g. 'LS6 2AB'")
    p.add_argument("--home-postcode", help="postcode of the home the child was taken from (HOME_POST)")
    p.add_argument("--urn", help="Ofsted URN of the placement, or XXXXXXX where the provider has none")
    p.add_argument("--host-la", help="council area the placement is in (PL_LA): ONS code, or WAL/SCO/NIR/NUK")
    p.add_argument("--placement-name")
    p.add_argument("--address")
    p.add_argument("--carer")
    p.add_argument("--carer-phone")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    care = sub.add_parser("care", help="start, change or end a period of care")
    csub = care.add_subparsers(dest="care_command", metavar="ACTION", required=True)
    start = csub.add_parser("start", help="the child starts to be looked after")
    add_database(start)
    start.add_argument("child_id")
    start.add_argument("--on", required=True, help="DECOM, YYYY-MM-DD")
    _placement_args(start)
    start.set_defaults(func=run_start)
    move = csub.add_parser("move", help="placement or legal status change (closes with X1)")
    add_database(move)
    move.add_argument("child_id")
    move.add_argument("--on", required=True, help="date of the change, YYYY-MM-DD")
    move.add_argument("--rne", default="P", choices=["L", "P", "T", "B", "U"])
    move.add_argument("--reason", help="REASON_PLACE_CHANGE code, e.g. CARPL")
    _placement_args(move)
    move.set_defaults(func=run_move)
    end = csub.add_parser("end", help="the child leaves care")
    add_database(end)
    end.add_argument("child_id")
    end.add_argument("--on", required=True, help="DEC, YYYY-MM-DD")
    end.add_argument("--rec", required=True, help="reason episode ceased, e.g. E4A")
    end.set_defaults(func=run_end)
    reopen = csub.add_parser("reopen", help="undo a mistaken end of care: the latest episode is open again")
    add_database(reopen)
    reopen.add_argument("child_id")
    reopen.add_argument("--reason", required=True, help="why (kept in the audit trail)")
    reopen.set_defaults(func=run_reopen)


def _date(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(field, "must be a date as YYYY-MM-DD") from None


def _placement(args: argparse.Namespace) -> Placement:
    return Placement(
        ls=args.ls,
        cin=args.cin,
        place=args.place,
        place_provider=args.provider,
        pl_post=args.postcode,
        home_post=args.home_postcode,
        urn=args.urn,
        host_la=args.host_la,
        placement_name=args.placement_name,
        placement_address=args.address,
        carer_name=args.carer,
        carer_phone=args.carer_phone,
    )


def _note_gaps(args: argparse.Namespace) -> None:
    """A URN the return needs but not given: saved all the same (the DfE's XXXXXXX is for a
    provider with none; an unknown one is added later) and said, as the window does."""
    if record.urn_needed(args.place) and not (args.urn or "").strip():
        print(
            f"lac-monitor: note: no URN for placement type {args.place}: the SSDA903 return lists it as "
            f"missing until it is recorded (--urn URN, or {record.URN_NONE} if the provider has none)",
            file=sys.stderr,
        )


def _svc(args: argparse.Namespace) -> CareService:
    db = open_database(args)
    return CareService(db, actor_for(db, args))


def run_start(args: argparse.Namespace) -> int:
    saved = _svc(args).start_care(args.child_id, _date("DECOM", args.on), _placement(args))
    _note_gaps(args)
    print(f"care episode {saved.id}: {args.child_id} looked after from {args.on}")
    return 0


def run_move(args: argparse.Namespace) -> int:
    saved = _svc(args).change_placement(
        args.child_id,
        None,
        _date("date of change", args.on),
        _placement(args),
        rne=args.rne,
        reason_place_change=args.reason,
    )
    _note_gaps(args)
    print(f"care episode {saved.id}: {args.child_id} placement changed on {args.on}")
    return 0


def run_end(args: argparse.Namespace) -> int:
    saved = _svc(args).end_care(args.child_id, None, _date("DEC", args.on), args.rec)
    print(f"care episode {saved.id}: {args.child_id} left care on {args.on} ({args.rec})")
    return 0


def run_reopen(args: argparse.Namespace) -> int:
    svc = _svc(args)
    with svc.db.read_session() as s:
        latest = s.scalar(
            select(CareEpisode.id).where(CareEpisode.child_id == args.child_id).order_by(CareEpisode.decom.desc())
        )
    if latest is None:
        raise ValidationError("child", f"{args.child_id} has no period of care")
    saved = svc.reopen_care(args.child_id, latest, args.reason)
    print(f"care episode {saved.id}: {args.child_id} is looked after again (the end of care was undone)")
    return 0
