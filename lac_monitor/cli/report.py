"""`lac-monitor report`: handover sheets and missing-person profiles as PDF, for scheduled tasks.

    lac-monitor report handover [--from TIME --to TIME] [--team T] [--locality L] --out FILE.pdf
    lac-monitor report profile CHILD_ID --out FILE.pdf
    lac-monitor report trends [--from DATE --to DATE] --out FILE.pdf

Without --from/--to the handover covers the window since this user's previous handover
(if printed within 72 hours), else the last shift (e.g. 17:00 yesterday to 08:45 today).
Every sheet written is audited (report.handover / report.profile) with the child ids on it.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

from lac_monitor.cli.common import actor_for, add_database, clock_for, open_database, time_arg
from lac_monitor.domain.errors import ValidationError
from lac_monitor.domain.localtime import format_local
from lac_monitor.storage.files import write_private


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("report", help="print a handover sheet or a missing-person profile to PDF")
    rsub = p.add_subparsers(dest="report", metavar="REPORT", required=True)

    h = rsub.add_parser("handover", help="handover sheet for a shift window")
    add_database(h)
    h.add_argument("--from", dest="start", help="window start (ISO 8601; local time if no offset)")
    h.add_argument("--to", dest="end", help="window end (default: now, or the end of the last shift)")
    h.add_argument("--team", help="only this team (name or id)")
    h.add_argument("--locality", help="only children in this locality")
    h.add_argument("--notes", help="notes from the person handing over")
    h.add_argument("--notes-file", type=Path, help="read the notes from this UTF-8 text file")
    h.add_argument("--no-profiles", action="store_true", help="leave out the profiles of high-risk missing children")
    h.add_argument("--at", help=argparse.SUPPRESS)  # print as if at this time (tests, reruns)
    h.add_argument("--out", required=True, type=Path, help="PDF file to write")
    h.set_defaults(func=run_handover)

    pr = rsub.add_parser("profile", help="missing-person (Philomena) profile of one child")
    add_database(pr)
    pr.add_argument("child_id")
    pr.add_argument("--at", help=argparse.SUPPRESS)
    pr.add_argument("--out", required=True, type=Path, help="PDF file to write")
    pr.set_defaults(func=run_profile)

    tr = rsub.add_parser(
        "trends", help="the monthly picture: episodes, repeat missing, RHIs, breakdowns, places found, risk flags"
    )
    add_database(tr)
    tr.add_argument("--from", dest="start", help="first day (YYYY-MM-DD; default: 12 months back)")
    tr.add_argument("--to", dest="end", help="last day (YYYY-MM-DD; default: today)")
    tr.add_argument("--at", help=argparse.SUPPRESS)
    tr.add_argument("--out", required=True, type=Path, help="PDF file to write")
    tr.set_defaults(func=run_trends)


def write_atomically(path: Path, data: bytes) -> None:
    """Owner-only, written beside the target and renamed: a reader never sees half a PDF."""
    write_private(path, data)


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def run_handover(args: argparse.Namespace) -> int:
    from lac_monitor.reports.handover import render_handover
    from lac_monitor.services.handover import build_handover, default_window, record_print, resolve_team

    db = open_database(args)
    clock = clock_for(args.at)
    actor = actor_for(db, args)
    now = clock.now()
    start, end = time_arg("--from", args.start), time_arg("--to", args.end)
    if start is None and end is None:
        window = default_window(db, actor, now)
        start, end, reason = window.start, window.end, window.reason
    elif start is None:
        raise ValidationError("--from", "give --from with --to (or neither, for the last shift)")
    else:
        end, reason = end or now, "as asked"
    notes = args.notes
    if args.notes_file is not None:
        try:
            notes = args.notes_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError("--notes-file", f"cannot be read: {exc}") from None
    team_id = resolve_team(db, args.team) if args.team else None
    data = build_handover(
        db,
        clock,
        actor,
        start,
        end,
        team_id=team_id,
        locality=args.locality,
        notes=notes,
        profiles=not args.no_profiles,
    )
    pdf = render_handover(data)
    write_atomically(args.out, pdf)
    pages = _page_count(pdf)
    record_print(db, clock, actor, data, output=f"pdf:{args.out.name}", pages=pages)
    print(
        f"handover sheet ({reason}: {format_local(start)} to {format_local(end)}, {data.scope}): "
        f"{len(data.missing)} missing or away, {len(data.profiles)} profile{'' if len(data.profiles) == 1 else 's'}, "
        f"{pages} page{'' if pages == 1 else 's'} -> {args.out}"
    )
    return 0


def run_profile(args: argparse.Namespace) -> int:
    from lac_monitor.reports.profile import render_profile
    from lac_monitor.services.handover import build_profile, record_print

    db = open_database(args)
    clock = clock_for(args.at)
    actor = actor_for(db, args)
    data = build_profile(db, clock, actor, args.child_id)
    pdf = render_profile(data)
    write_atomically(args.out, pdf)
    pages = _page_count(pdf)
    record_print(db, clock, actor, data, output=f"pdf:{args.out.name}", pages=pages)
    print(
        f"missing-person profile of {data.child_id}: {pages} page{'s' if pages != 1 else ''} -> {args.out}",
        file=sys.stdout,
    )
    return 0


def _date_arg(name: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(name, f"'{text}' is not a date like 2026-04-01") from None


def run_trends(args: argparse.Namespace) -> int:
    from lac_monitor.domain.localtime import local_date
    from lac_monitor.reports.trends import render_trends
    from lac_monitor.services.trends import TrendsService, default_period

    db = open_database(args)
    clock = clock_for(args.at)
    actor = actor_for(db, args)
    start, end = default_period(local_date(clock.now()))
    start = _date_arg("--from", args.start) or start
    end = _date_arg("--to", args.end) or end
    svc = TrendsService(db, actor, clock)
    data = svc.trends(start, end)
    pdf = render_trends(data, actor.label, clock.now())
    write_atomically(args.out, pdf)
    pages = _page_count(pdf)
    svc.record_print(data, output=f"pdf:{args.out.name}", pages=pages)
    print(
        f"trends {start:%d/%m/%Y} to {end:%d/%m/%Y}: {data.episodes} episodes "
        f"({data.missing} missing, {data.away} away), {data.repeat_children} children with 3 or more, "
        f"{pages} page{'s' if pages != 1 else ''} -> {args.out}"
    )
    return 0
