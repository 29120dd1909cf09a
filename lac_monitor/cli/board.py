"""`lac-monitor board`: every child's status, as a table or as JSON for scripts.

JSON contract (a list, one object per child, most urgent first):
child_id, name, preferred_name, status (in_placement | missing | away | returned_rhi_due |
rhi_overdue | left_care), status_label, category (M | A | null), missing_since (ISO 8601
UTC or null), risk (none | low | medium | high | null), police_ref, last_seen, returned_at,
rhi_due (ISO 8601 UTC, when the RHI falls due, or null), social_worker, team,
placement_type (SSDA903 PLACE code), locality, flags (list of risk flag codes).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from lac_monitor.cli.common import add_database, clock_for, open_as_person, require
from lac_monitor.domain import access
from lac_monitor.domain.access import Permission
from lac_monitor.domain.codes import RiskGrade
from lac_monitor.domain.localtime import format_duration, format_local
from lac_monitor.domain.status import ChildStatus, rhi_due_at
from lac_monitor.domain.urgency import row_urgency
from lac_monitor.domain.values import BoardRow
from lac_monitor.services.settings import load_ladder
from lac_monitor.services.visibility import hidden_for
from lac_monitor.storage.board import load_board


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("board", help="print every child's current status")
    add_database(p)
    p.add_argument("--at", help="status at this time (ISO 8601; local time if no offset)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument(
        "--status", action="append", choices=[s.value for s in ChildStatus], help="only these statuses (repeatable)"
    )
    p.set_defaults(func=run)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def to_json(row: BoardRow, rhi_hours: float = 72) -> dict[str, object]:
    due = (
        rhi_due_at(row.returned_at, rhi_hours)
        if row.status in (ChildStatus.RETURNED_RHI_DUE, ChildStatus.RHI_OVERDUE)
        else None
    )
    return {
        "child_id": row.child_id,
        "name": row.name,
        "preferred_name": row.preferred_name,
        "status": row.status.value,
        "status_label": row.status.label,
        "category": row.category if row.is_out else None,
        "missing_since": _iso(row.missing_since) if row.is_out else None,
        "risk": row.risk if row.is_out else None,
        "police_ref": row.police_ref if row.is_out else None,
        "last_seen": row.last_seen if row.is_out else None,
        "returned_at": None if row.is_out else _iso(row.returned_at),
        "rhi_due": _iso(due),
        "social_worker": row.social_worker,
        "team": row.team,
        "placement_type": row.placement_type,
        "locality": row.locality,
        "flags": list(row.flags),
    }


def run(args: argparse.Namespace) -> int:
    clock = clock_for(args.at)
    db, actor = open_as_person(args)
    police_only = not access.may(actor.role, Permission.READ_REGISTER)
    if police_only:
        require(actor, Permission.READ_MISSING)
    now = clock.now()
    ladder = load_ladder(db)
    rhi_hours = ladder.rhi_hours  # the council's configured RHI window
    with db.read_session() as s:
        hidden = hidden_for(s, actor, now, ladder)  # restricted children not theirs to see
        rows = sorted(load_board(s, now, rhi_hours=rhi_hours, hidden=hidden), key=row_urgency)
    if police_only:  # the police liaison: out now, or back in the last 7 days (as on PostgreSQL)
        rows = [r for r in rows if access.police_may_see(r.status.value, r.returned_at, now)]
    if args.status:
        rows = [r for r in rows if r.status.value in args.status]
    if args.format == "json":
        json.dump([to_json(r, rhi_hours) for r in rows], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    header = ("CHILD", "NAME", "STATUS", "SINCE", "FOR", "RISK", "POLICE REF", "WORKER", "TEAM")
    table = [header]
    for r in rows:
        out = r.is_out
        table.append(
            (
                r.child_id,
                r.display_name,
                r.status.label,
                format_local(r.missing_since) if out else "",
                format_duration(now - r.missing_since) if out and r.missing_since else "",
                RiskGrade(r.risk).label if out and r.risk else "",
                (r.police_ref or "") if out else "",
                r.social_worker or "",
                r.team or "",
            )
        )
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    counts = {s: sum(1 for r in rows if r.status is s) for s in ChildStatus}
    noun = "child" if len(rows) == 1 else "children"
    print(
        f"\n{len(rows)} {noun} at {format_local(now)}: "
        + ", ".join(f"{s.label}: {counts[s]}" for s in ChildStatus if counts[s])
    )
    return 0
