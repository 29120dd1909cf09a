"""Seeing the pattern from the command line.

lac-monitor notify EPISODE --party mpu|host_authority|host_police|placing_authority
                   --at TIME --by WHO --whom WHOM [--method M] [--note N]
lac-monitor checklist EPISODE          who has been told, and who still must be
lac-monitor linked CHILD_ID            children linked to this one, and why
lac-monitor host-contacts list | import FILE.csv   (import: administrators)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lac_monitor.cli.common import actor_for, add_database, clock_for, open_database, text_arg, time_arg
from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.localtime import format_local
from lac_monitor.domain.patterns import NotifyParty
from lac_monitor.services.patterns import CONTACT_COLUMNS, PatternService


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    n = sub.add_parser(
        "notify",
        help="record who told whom about a missing episode, and when "
        "(UK Missing Persons Unit, host authority, host police)",
    )
    add_database(n)
    n.add_argument("episode_id", type=int)
    n.add_argument("--party", required=True, choices=NotifyParty.ALL)
    n.add_argument("--at", help="when they were told (default now)")
    n.add_argument("--by", required=True, type=text_arg, help="who told them (for the MPU: who confirmed)")
    n.add_argument("--whom", required=True, type=text_arg, help="who was told")
    n.add_argument("--method", type=text_arg, help="phone, email, secure email ...")
    n.add_argument("--note", type=text_arg)
    n.set_defaults(func=run_notify)

    c = sub.add_parser("checklist", help="the notification checklist of a missing episode")
    add_database(c)
    c.add_argument("episode_id", type=int)
    c.set_defaults(func=run_checklist)

    lk = sub.add_parser(
        "linked",
        help="children linked to this one: missing at the same time, a shared associate, found at the same place",
    )
    add_database(lk)
    lk.add_argument("child_id")
    lk.add_argument("--at", help=argparse.SUPPRESS)
    lk.set_defaults(func=run_linked)

    h = sub.add_parser("host-contacts", help="councils' contacts for children placed in their area")
    hsub = h.add_subparsers(dest="host_command", metavar="ACTION", required=True)
    hl = hsub.add_parser("list")
    add_database(hl)
    hl.set_defaults(func=run_host_list)
    hi = hsub.add_parser(
        "import",
        help=f"add or update from a CSV with columns {', '.join(CONTACT_COLUMNS)} "
        "(la_code and name required; administrators)",
    )
    add_database(hi)
    hi.add_argument("file", type=Path)
    hi.set_defaults(func=run_host_import)


def _service(args: argparse.Namespace, at: str | None = None) -> PatternService:
    db = open_database(args)
    return PatternService(db, actor_for(db, args), clock_for(at))


def run_notify(args: argparse.Namespace) -> int:
    svc = _service(args)
    at = time_arg("--at", args.at)
    svc.record_notification(
        args.episode_id,
        args.party,
        at,
        notified_by=args.by,
        notified_whom=args.whom,
        method=args.method,
        note=args.note,
    )
    print(
        f"episode {args.episode_id}: {NotifyParty.LABELS[args.party]} told"
        + (f" at {format_local(at)}" if at else " now")
    )
    return 0


def run_checklist(args: argparse.Namespace) -> int:
    check = _service(args).checklist(args.episode_id)
    where = "out of area" if check.out_of_area else "in area or not known"
    print(
        f"episode {check.episode_id} (child {check.child_id}, placement {where}"
        + (f", host {check.host_la}" if check.host_la else "")
        + ")"
    )
    for item in check.items:
        mark = "done" if item.is_done else "TO DO"
        print(f"  [{mark}] {item.label}")
        if item.contact is not None:
            line = item.contact.police_line() if item.party == NotifyParty.HOST_POLICE else item.contact.line()
            print(f"         contact: {line}")
        for d in item.done:
            print(
                f"         {format_local(d.notified_at)}: {d.notified_by} told {d.notified_whom}"
                + (f" ({d.method})" if d.method else "")
                + f"; recorded by {d.recorded_by}"
            )
    return 0


def run_linked(args: argparse.Namespace) -> int:
    svc = _service(args, args.at)
    linked = svc.linked(args.child_id)
    if not linked:
        print(f"{args.child_id}: no linked children")
    for c in linked:
        print(f"{c.child_id}  {c.name}")
        for r in c.reasons:
            print(f"    {r}")
    return 0


def run_host_list(args: argparse.Namespace) -> int:
    for c in _service(args).host_contacts():
        print(f"{c.la_code}  {c.line()}  | police: {c.police_line()}")
    return 0


def run_host_import(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError("file", f"cannot be read: {type(exc).__name__}") from None
    n = _service(args).import_host_contacts_csv(text)
    print(f"host authority contacts: {n} added or updated")
    return 0
