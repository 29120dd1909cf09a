"""`lac-monitor staff|team|child ...`: keep the register (council IT and team managers)."""

from __future__ import annotations

import argparse
from datetime import date

from sqlalchemy import select

from lac_monitor.cli.common import add_database, int_arg, open_as_person
from lac_monitor.domain.codes import StaffRole
from lac_monitor.domain.errors import ValidationError
from lac_monitor.services.access import AccessService
from lac_monitor.services.register import ChildInput, RegisterService
from lac_monitor.storage.queries import staff_list, team_list
from lac_monitor.storage.schema import Staff


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    staff = sub.add_parser("staff", help="list, add or deactivate staff (login -> staff record; on "
                                         "PostgreSQL also their login role)")
    ssub = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    ls = ssub.add_parser("list")
    add_database(ls)
    ls.set_defaults(func=run_staff_list)
    add = ssub.add_parser("add")
    add_database(add)
    add.add_argument("username", help="the person's Windows / OS login name")
    add.add_argument("display_name")
    add.add_argument("--role", required=True, choices=[r.value for r in StaffRole])
    add.add_argument("--team", type=int_arg("id"), help="team id (see `lac-monitor team list`)")
    add.add_argument("--email")
    add.add_argument("--phone")
    add.set_defaults(func=run_staff_add)
    off = ssub.add_parser("deactivate", help="a leaver: keeps their history, stops their alerts")
    add_database(off)
    off.add_argument("username")
    off.set_defaults(func=run_staff_deactivate)

    team = sub.add_parser("team", help="list or add teams")
    tsub = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    tl = tsub.add_parser("list")
    add_database(tl)
    tl.set_defaults(func=run_team_list)
    ta = tsub.add_parser("add")
    add_database(ta)
    ta.add_argument("name")
    ta.add_argument("--locality")
    ta.set_defaults(func=run_team_add)

    child = sub.add_parser("child", help="add a child to the register")
    csub = child.add_subparsers(dest="child_command", metavar="ACTION", required=True)
    ca = csub.add_parser("add")
    add_database(ca)
    ca.add_argument("child_id")
    ca.add_argument("--first-name", required=True)
    ca.add_argument("--last-name", required=True)
    ca.add_argument("--preferred-name")
    ca.add_argument("--dob", required=True, help="YYYY-MM-DD")
    ca.add_argument("--sex", required=True, choices=["M", "F", "U"])
    ca.add_argument("--ethnicity", required=True, help="SSDA903 ETHNIC code, e.g. WBRI")
    ca.add_argument("--upn")
    ca.add_argument("--locality")
    ca.add_argument("--worker", help="allocated worker's username")
    ca.add_argument("--team", type=int_arg("id"))
    ca.set_defaults(func=run_child_add)
    cr = csub.add_parser("restrict", help="only the people who need to see this child can (managers, "
                                          "administrators)")
    add_database(cr)
    cr.add_argument("child_id")
    cr.add_argument("--reason", required=True, help="why (a child of a member of staff, a high-profile case)")
    cr.set_defaults(func=run_child_restrict)
    cu = csub.add_parser("unrestrict", help="lift a restriction (managers, administrators)")
    add_database(cu)
    cu.add_argument("child_id")
    cu.set_defaults(func=run_child_unrestrict)


def _svc(args: argparse.Namespace) -> RegisterService:
    db, actor = open_as_person(args)
    return RegisterService(db, actor)


def run_staff_list(args: argparse.Namespace) -> int:
    db, _ = open_as_person(args)
    with db.read_session() as s:
        for sid, username, name, role, team in staff_list(s):
            print(f"{sid:>5}  {username:<24} {name:<30} {role:<16} {team or ''}")
    return 0


def run_staff_add(args: argparse.Namespace) -> int:
    saved = _svc(args).add_staff(args.username, args.display_name, args.role, args.team,
                                 args.email, args.phone)
    print(f"staff {saved.id}: {args.username} added")
    return 0


def run_staff_deactivate(args: argparse.Namespace) -> int:
    svc = _svc(args)
    with svc.db.read_session() as s:
        sid = s.scalar(select(Staff.id).where(Staff.username == args.username))
    if sid is None:
        raise ValidationError("username", f"no staff member has the login '{args.username}'")
    svc.set_staff_active(sid, False)
    print(f"staff {sid}: {args.username} deactivated")
    return 0


def run_team_list(args: argparse.Namespace) -> int:
    db, _ = open_as_person(args)
    with db.read_session() as s:
        for tid, name in team_list(s):
            print(f"{tid:>4}  {name}")
    return 0


def run_team_add(args: argparse.Namespace) -> int:
    saved = _svc(args).add_team(args.name, args.locality)
    print(f"team {saved.id}: {args.name} added")
    return 0


def run_child_add(args: argparse.Namespace) -> int:
    svc = _svc(args)
    try:
        dob = date.fromisoformat(args.dob)
    except ValueError:
        raise ValidationError("date of birth", "must be a date as YYYY-MM-DD") from None
    worker_id = None
    if args.worker:
        with svc.db.read_session() as s:
            worker_id = s.scalar(select(Staff.id).where(Staff.username == args.worker))
        if worker_id is None:
            raise ValidationError("allocated worker", f"no staff member has the login '{args.worker}'")
    saved = svc.add_child(ChildInput(
        id=args.child_id, first_name=args.first_name, last_name=args.last_name,
        preferred_name=args.preferred_name, dob=dob, sex=args.sex, ethnicity=args.ethnicity,
        upn=args.upn, locality=args.locality, social_worker_id=worker_id, team_id=args.team))
    print(f"child {saved.id} added; record a period of care to put them on the board")
    return 0


def _access(args: argparse.Namespace) -> AccessService:
    db, actor = open_as_person(args)
    return AccessService(db, actor)


def run_child_restrict(args: argparse.Namespace) -> int:
    _access(args).set_restricted(args.child_id, True, args.reason)
    print(f"child {args.child_id} restricted: only the allocated worker, the team's managers, the head "
          "of service, the duty team and administrators can see this child")
    return 0


def run_child_unrestrict(args: argparse.Namespace) -> int:
    _access(args).set_restricted(args.child_id, False)
    print(f"child {args.child_id}: restriction lifted")
    return 0
