"""`lac-monitor staff|team|child ...`: keep the register (council IT and team managers)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from sqlalchemy import select

from lac_monitor.cli.common import add_database, int_arg, open_as_person
from lac_monitor.domain.codes import StaffRole
from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.ladder import parse_bank_holidays
from lac_monitor.services.access import AccessService
from lac_monitor.services.care import CareService
from lac_monitor.services.register import ChildInput, RegisterService
from lac_monitor.services.settings import SettingsService, load_risk_flags, save_council_la_code, save_risk_flags
from lac_monitor.storage.queries import staff_list, team_list
from lac_monitor.storage.schema import Child, Staff


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    staff = sub.add_parser(
        "staff", help="list, add or deactivate staff (login -> staff record; on PostgreSQL also their login role)"
    )
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

    child = sub.add_parser("child", help="add a child, correct the record, photo, risk flags")
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
    cw = csub.add_parser("allocate", help="change the allocated worker or team (a leaver's caseload, a transfer)")
    add_database(cw)
    cw.add_argument("child_id")
    wg = cw.add_mutually_exclusive_group()
    wg.add_argument("--worker", help="the allocated worker's username")
    wg.add_argument("--no-worker", action="store_true", help="no allocated worker (unallocated)")
    tg = cw.add_mutually_exclusive_group()
    tg.add_argument("--team", type=int_arg("id"), help="team id (see `lac-monitor team list`)")
    tg.add_argument("--no-team", action="store_true")
    cw.set_defaults(func=run_child_allocate)
    cr = csub.add_parser("restrict", help="only the people who need to see this child can (managers, administrators)")
    add_database(cr)
    cr.add_argument("child_id")
    cr.add_argument("--reason", required=True, help="why (a child of a member of staff, a high-profile case)")
    cr.set_defaults(func=run_child_restrict)
    cu = csub.add_parser("unrestrict", help="lift a restriction (managers, administrators)")
    add_database(cu)
    cu.add_argument("child_id")
    cu.set_defaults(func=run_child_unrestrict)
    cu = csub.add_parser("update", help="correct the UPN (or UN code) and the mother fields")
    add_database(cu)
    cu.add_argument("child_id")
    cu.add_argument("--upn", help="UPN, or UN1-UN5; '' clears it")
    mg = cu.add_mutually_exclusive_group()
    mg.add_argument("--mother-child-dob", metavar="DATE", help="she is a mother; her first child's date of birth")
    mg.add_argument("--not-mother", action="store_true", help="she is not a mother")
    cu.set_defaults(func=run_child_update)
    cp = csub.add_parser("photo", help="load, replace or remove the child's photo")
    add_database(cp)
    cp.add_argument("child_id")
    pg = cp.add_mutually_exclusive_group(required=True)
    pg.add_argument("--file", type=Path, help="an image file (JPEG, PNG, GIF, BMP, WebP)")
    pg.add_argument("--remove", action="store_true")
    cp.set_defaults(func=run_child_photo)
    cf = csub.add_parser("flag", help="set (or end) a risk flag")
    add_database(cf)
    cf.add_argument("child_id")
    cf.add_argument("flag", help="flag code from the council's list (see `child flags`)")
    cf.add_argument("--since", help="YYYY-MM-DD (needed to set a flag)")
    cf.add_argument("--end", help="YYYY-MM-DD: the flag ended on this day")
    cf.add_argument("--note")
    cf.set_defaults(func=run_child_flag)
    cl = csub.add_parser("flags", help="the council's list of risk flags")
    add_database(cl)
    cl.set_defaults(func=run_child_flags)

    council = sub.add_parser(
        "council", help="the council's code for the returns and its own risk flags (administrators)"
    )
    ksub = council.add_subparsers(dest="council_command", metavar="ACTION", required=True)
    kl = ksub.add_parser("la-code", help="set the council's ONS code (placements elsewhere are out of area)")
    add_database(kl)
    kl.add_argument("code", help="e.g. E08000032")
    kl.set_defaults(func=run_council_la)
    kf = ksub.add_parser("flags", help="set the council's own risk flags (the national ones always stay)")
    add_database(kf)
    kf.add_argument("flags", nargs="*", metavar="CODE=LABEL", help="e.g. school_exclusion='Excluded from school'")
    kf.set_defaults(func=run_council_flags)
    kb = ksub.add_parser(
        "bank-holidays",
        help="list, add or remove bank holidays: out of office hours all day, as a weekend (administrators)",
    )
    add_database(kb)
    kb.add_argument("action", choices=["list", "add", "remove"])
    kb.add_argument("dates", nargs="*", metavar="YYYY-MM-DD")
    kb.set_defaults(func=run_council_bank_holidays)


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
    saved = _svc(args).add_staff(args.username, args.display_name, args.role, args.team, args.email, args.phone)
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


def _iso(field: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(field, "must be a date as YYYY-MM-DD") from None


def run_child_update(args: argparse.Namespace) -> int:
    kw: dict[str, object] = {}
    if args.upn is not None:
        kw["upn"] = args.upn or None
    if args.not_mother:
        kw["mother"], kw["mc_dob"] = False, None
    elif args.mother_child_dob:
        kw["mother"], kw["mc_dob"] = True, _iso("mother's child's date of birth", args.mother_child_dob)
    if not kw:
        raise ValidationError("child update", "give --upn, --mother-child-dob or --not-mother")
    saved = _svc(args).update_child(args.child_id, None, **kw)  # type: ignore[arg-type]
    print(f"child {saved.id} updated")
    return 0


def run_child_photo(args: argparse.Namespace) -> int:
    data = None
    if args.file is not None:
        try:
            data = args.file.read_bytes()
        except OSError as exc:
            raise ValidationError("--file", f"cannot be read ({exc.strerror})") from None
    saved = _svc(args).set_photo(args.child_id, data)
    print(f"child {saved.id}: photo {'removed' if data is None else 'stored'}")
    return 0


def run_child_flag(args: argparse.Namespace) -> int:
    db, actor = open_as_person(args)
    care = CareService(db, actor)
    since, end = _iso("--since", args.since), _iso("--end", args.end)
    if since is None and end is None:
        raise ValidationError("--since", "is required to set a flag (or give --end to end one)")
    if since is None:
        assert end is not None
        care.end_risk_flag(args.child_id, args.flag, end)
        print(f"child {args.child_id}: {args.flag} ended on {end:%Y-%m-%d}")
    else:
        care.set_risk_flag(args.child_id, args.flag, since, args.note, end=end)
        print(f"child {args.child_id}: {args.flag} set since {since:%Y-%m-%d}")
    return 0


def run_council_la(args: argparse.Namespace) -> int:
    db, actor = open_as_person(args)
    save_council_la_code(db, actor, args.code.strip().upper())
    print(f"council LA code set to {args.code.strip().upper()}")
    return 0


def run_council_flags(args: argparse.Namespace) -> int:
    extra: dict[str, str] = {}
    for item in args.flags:
        code, sep, label = item.partition("=")
        if not sep:
            raise ValidationError("risk flag", f"'{item}' must be CODE=LABEL")
        extra[code.strip()] = label.strip()
    db, actor = open_as_person(args)
    save_risk_flags(db, actor, extra)
    print(f"council risk flags: {len(extra)} of the council's own, besides the national list")
    return 0


def run_council_bank_holidays(args: argparse.Namespace) -> int:
    db, actor = open_as_person(args)
    service = SettingsService(db, actor)
    days = service.ladder().bank_holidays
    if args.action != "list":
        if not args.dates:
            raise ValidationError("bank holidays", f"give at least one date to {args.action} (YYYY-MM-DD)")
        given = parse_bank_holidays(args.dates)
        if args.action == "add":
            days = service.save_bank_holidays([*days, *given]).bank_holidays
        else:
            days = service.save_bank_holidays([d for d in days if d not in given]).bank_holidays
        print(f"bank holidays: {len(days)} set")
    for d in days:
        print(f"{d:%Y-%m-%d}  {d:%A %d %B %Y}")
    return 0


def run_child_flags(args: argparse.Namespace) -> int:
    db, _ = open_as_person(args)
    for code, label in load_risk_flags(db).items():
        print(f"{code:<26} {label}")
    return 0


def run_child_add(args: argparse.Namespace) -> int:
    svc = _svc(args)
    try:
        dob = date.fromisoformat(args.dob)
    except ValueError:
        raise ValidationError("date of birth", "must be a date as YYYY-MM-DD") from None
    worker_id = _staff_id(svc, args.worker) if args.worker else None
    saved = svc.add_child(
        ChildInput(
            id=args.child_id,
            first_name=args.first_name,
            last_name=args.last_name,
            preferred_name=args.preferred_name,
            dob=dob,
            sex=args.sex,
            ethnicity=args.ethnicity,
            upn=args.upn,
            locality=args.locality,
            social_worker_id=worker_id,
            team_id=args.team,
        )
    )
    print(f"child {saved.id} added; record a period of care to put them on the board")
    return 0


def _staff_id(svc: RegisterService, username: str) -> int:
    with svc.db.read_session() as s:
        worker_id = s.scalar(select(Staff.id).where(Staff.username == username))
    if worker_id is None:
        raise ValidationError("allocated worker", f"no staff member has the login '{username}'")
    return worker_id


def run_child_allocate(args: argparse.Namespace) -> int:
    """What is not given is kept: --worker alone moves the child to another worker's caseload."""
    if not (args.worker or args.no_worker or args.team is not None or args.no_team):
        raise ValidationError("child allocate", "give --worker, --no-worker, --team or --no-team")
    svc = _svc(args)
    with svc.db.read_session() as s:
        child = s.get(Child, args.child_id)
        if child is None:
            raise ValidationError("child", f"there is no child {args.child_id}")
        worker_id, team_id, version = child.social_worker_id, child.team_id, child.version
    if args.worker:
        worker_id = _staff_id(svc, args.worker)
    elif args.no_worker:
        worker_id = None
    if args.team is not None or args.no_team:
        team_id = args.team
    saved = svc.allocate(args.child_id, version, worker_id, team_id)
    who = args.worker or ("no worker" if worker_id is None else "the same worker")
    print(f"child {saved.id}: allocated to {who}, team {team_id if team_id is not None else '(none)'}")
    return 0


def _access(args: argparse.Namespace) -> AccessService:
    db, actor = open_as_person(args)
    return AccessService(db, actor)


def run_child_restrict(args: argparse.Namespace) -> int:
    _access(args).set_restricted(args.child_id, True, args.reason)
    print(
        f"child {args.child_id} restricted: only the allocated worker, the team's managers, the head "
        "of service, the duty team and administrators can see this child"
    )
    return 0


def run_child_unrestrict(args: argparse.Namespace) -> int:
    _access(args).set_restricted(args.child_id, False)
    print(f"child {args.child_id}: restriction lifted")
    return 0
