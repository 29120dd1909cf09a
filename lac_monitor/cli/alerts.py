"""`lac-monitor alerts`: raise what is due (as any desktop would), list open alerts; `ack`.

JSON contract (a list, newest first): id, rule (stable key, e.g. missing_24h, rhi_overdue),
severity (info | warning | high), child_id, episode_id, message, due_at, raised_at (ISO 8601
UTC), raised_by, audiences (list), acknowledged (bool), acknowledged_at, acknowledged_by,
ack_note, late (bool: raised well after due_at because nobody was evaluating; the message then
ends "Raised late: due at 03:00.").
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from lac_monitor.cli.common import actor_for, add_database, clock_for, int_arg, open_database, text_arg
from lac_monitor.domain.alerts import AlertRow, Severity, audience_label
from lac_monitor.domain.localtime import format_local
from lac_monitor.services.alerts import AlertService


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "alerts",
        help="raise due alerts and list open ones; acknowledge one",
        description="Evaluates the time-based rules as any desktop would, then lists open (unacknowledged) alerts.",
    )
    add_database(p)
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--all", action="store_true", help="include acknowledged alerts (history)")
    p.add_argument("--no-evaluate", action="store_true", help="only list; raise nothing")
    p.add_argument("--at", help=argparse.SUPPRESS)  # evaluate as of this time (tests)
    p.set_defaults(func=run_list)
    asub = p.add_subparsers(dest="alerts_command", metavar="ACTION")
    a = asub.add_parser("ack", help="acknowledge an alert")
    add_database(a)
    a.add_argument("alert_id", type=int_arg("id"))
    a.add_argument("--note", help="optional note, e.g. what was done", type=text_arg)
    a.add_argument("--at", help=argparse.SUPPRESS)
    a.set_defaults(func=run_ack)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def to_json(a: AlertRow) -> dict[str, object]:
    return {
        "id": a.id,
        "rule": a.rule,
        "severity": a.severity,
        "child_id": a.child_id,
        "episode_id": a.episode_id,
        "message": a.message,
        "due_at": _iso(a.due_at),
        "raised_at": _iso(a.raised_at),
        "raised_by": a.raised_by,
        "audiences": list(a.audiences),
        "acknowledged": a.acknowledged,
        "acknowledged_at": _iso(a.acknowledged_at),
        "acknowledged_by": a.acknowledged_by,
        "ack_note": a.ack_note,
        "late": a.late,
    }


def _service(args: argparse.Namespace) -> AlertService:
    db = open_database(args)
    return AlertService(db, actor_for(db, args), clock_for(getattr(args, "at", None)))


def _severity(code: str) -> str:
    try:
        return Severity(code).label
    except ValueError:
        return code


def run_list(args: argparse.Namespace) -> int:
    svc = _service(args)
    raised = [] if args.no_evaluate else svc.evaluate()
    rows = svc.open_alerts(include_acknowledged=args.all)
    if args.format == "json":
        json.dump([to_json(a) for a in rows], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if raised:
        print(f"{len(raised)} new alert(s) raised", file=sys.stderr)
    # Words for people; the JSON keeps the stable keys for scripts.
    header = ("ID", "ALERT", "SEVERITY", "CHILD", "EPISODE", "RAISED", "LATE", "FOR", "ACKNOWLEDGED")
    table = [header]
    for a in rows:
        ack = f"{format_local(a.acknowledged_at)} {a.acknowledged_by or ''}".strip() if a.acknowledged else "no"
        if a.resolved:
            ack = f"resolved: {a.resolved_reason or 'condition ended'}"
        table.append(
            (
                str(a.id),
                a.label,
                _severity(a.severity),
                a.child_id or "",
                "" if a.episode_id is None else str(a.episode_id),
                format_local(a.raised_at),
                f"due {format_local(a.due_at)}" if a.late else "",
                ", ".join(audience_label(x) for x in a.audiences),
                ack,
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    if len(table) == 1:
        print("no open alerts")
    return 0


def run_ack(args: argparse.Namespace) -> int:
    svc = _service(args)
    done = svc.acknowledge(args.alert_id, args.note)
    print(
        f"alert {done.id} ({done.label}) acknowledged by {done.acknowledged_by} at {format_local(done.acknowledged_at)}"
    )
    return 0
