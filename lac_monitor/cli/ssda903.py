"""`lac-monitor import|export ssda903`: seed a register from, or write, the annual return files."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from lac_monitor.cli.common import actor_for, add_database, int_arg, open_as_person, open_database, require
from lac_monitor.domain.access import Permission
from lac_monitor.domain.errors import ValidationError
from lac_monitor.services import ssda903, statutory


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    imp = sub.add_parser("import", help="import SSDA903 files to seed the register")
    isub = imp.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    i = isub.add_parser("ssda903", help="Header + Episodes (+ Missing) CSV files")
    add_database(i)
    i.add_argument("--header", type=Path, required=True)
    i.add_argument("--episodes", type=Path, required=True)
    i.add_argument("--missing", type=Path)
    i.add_argument("--names", type=Path, help="CSV with CHILD,FIRST_NAME,LAST_NAME,PREFERRED_NAME")
    i.set_defaults(func=run_import)

    exp = sub.add_parser("export", help="export the SSDA903 Header, Episodes and Missing files")
    esub = exp.add_subparsers(dest="export_kind", metavar="KIND", required=True)
    e = esub.add_parser("ssda903")
    add_database(e)
    e.add_argument(
        "--year", type=int_arg("export.year"), required=True, help='collection year: "2026" = April 2025–March 2026'
    )
    e.add_argument("--out", type=Path, required=True, help="folder for header.csv, episodes.csv, missing.csv")
    e.add_argument(
        "--codes-year",
        type=int,
        help="write the codes of this later year's return (for last year's files sent beside this year's)",
    )
    e.set_defaults(func=run_export)
    a = esub.add_parser("annex-a", help="Ofsted Annex A List 8 (children in care) as an .xlsx workbook")
    add_database(a)
    a.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD (usually 12 months ago)")
    a.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
    a.add_argument("--out", type=Path, required=True, help="FILE.xlsx")
    a.set_defaults(func=run_annex_a)
    m = esub.add_parser("ssd-missing", help="the Standard Safeguarding Dataset's ssd_missing table (CSV)")
    add_database(m)
    m.add_argument("--out", type=Path, required=True, help="FILE.csv")
    m.set_defaults(func=run_ssd_missing)


def run_import(args: argparse.Namespace) -> int:
    db = open_database(args)
    summary = ssda903.import_files(db, actor_for(db, args), args.header, args.episodes, args.missing, args.names)
    print(
        f"imported {summary.children} new children ({summary.skipped_existing} already on the register: "
        f"merged), {summary.care_episodes} care episodes and {summary.missing_episodes} missing periods added"
    )
    if summary.urn_missing:
        print(
            f"note: {summary.urn_missing} episodes have no URN where the placement type needs one: the return "
            f"lists them as missing until each is recorded (the provider's URN, or XXXXXXX if it has none)",
            file=sys.stderr,
        )
    return 0


def run_export(args: argparse.Namespace) -> int:
    db, actor = open_as_person(args)
    require(actor, Permission.READ_REGISTER)
    summary = ssda903.export(db, args.year, args.out, args.codes_year)
    print(
        f"wrote {summary.children} children, {summary.episodes} episodes, {summary.missing} missing "
        f"periods to {args.out}"
    )
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _day(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(field, "must be a date as YYYY-MM-DD") from None


def run_annex_a(args: argparse.Namespace) -> int:
    start, end = _day("--from", args.start), _day("--to", args.end)
    if end < start:
        raise ValidationError("--to", "cannot be before --from")
    if args.out.suffix.lower() != ".xlsx":
        raise ValidationError("--out", "must be an .xlsx file")
    db, actor = open_as_person(args)
    require(actor, Permission.READ_REGISTER)
    n = statutory.export_annex_a(db, start, end, args.out)
    print(f"Annex A List 8: {n} children -> {args.out}")
    return 0


def run_ssd_missing(args: argparse.Namespace) -> int:
    db, actor = open_as_person(args)
    require(actor, Permission.READ_REGISTER)
    n = statutory.export_ssd_missing(db, args.out)
    print(f"ssd_missing: {n} episodes -> {args.out}")
    return 0
