"""How long a handover sheet takes: the demo council, and 10,000 children with 500 missing.

Each figure is printed beside the raw reportlab cost of the same sheet (every section and every
profile, drawn with plain canvas calls in the shipped font: no layout engine, no wrapping, no
font fallback) measured in the same run, so the cost of our layout and safety is visible.

    .venv/bin/python bench/bench_reports.py            # both sizes
    .venv/bin/python bench/bench_reports.py --quick    # demo council only
Targets: demo council under 1 s; 10,000 children with 500 missing (500 profiles) under 3 s
and within 10x raw reportlab (issue #10). Needs reportlab's C accelerator (reportlab[accel]).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import insert

from lac_monitor.domain.clock import FixedClock
from lac_monitor.domain.localtime import format_duration, format_local
from lac_monitor.reports.handover import render_handover
from lac_monitor.reports.text import SANS, SANS_BOLD, register_fonts
from lac_monitor.services.handover import HandoverData, build_handover, last_shift
from lac_monitor.services.settings import load_ladder
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import (
    CareEpisode,
    Child,
    MissingEpisode,
    PhilomenaProfile,
    Staff,
    Team,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ACTOR = Actor("bench.user", None, "Bench User", "duty_officer", None)
FIRST = [
    "Amira",
    "Ben",
    "Chloe",
    "Dmitri",
    "Ewa",
    "Femi",
    "Grace",
    "Hassan",
    "Ines",
    "Jun",
    "Kofi",
    "Lena",
    "Zoë",
    "李娜",
    "שרה",
    "محمد",
]
LAST = ["Testfield", "Example", "Sampleton", "Mockridge", "Placeholder", "Fictive", "Петрова", "김"]


def synthetic(db: Database, children: int, missing: int, seed: int = 1) -> None:
    """A bulk-inserted register (invented people): `missing` of them missing now, all high risk."""
    rnd = random.Random(seed)
    with db.write_session() as s:
        s.add_all([Team(id=t, name=f"Bench team {t}", locality=f"Locality {t}") for t in range(1, 9)])
        s.flush()
        s.add_all(
            [
                Staff(
                    id=i,
                    username=f"sw{i}",
                    display_name=f"Worker {i} Testname",
                    role="social_worker",
                    team_id=1 + i % 8,
                    phone="0100 000 000",
                )
                for i in range(1, 81)
            ]
        )
        s.flush()
        ids = [f"B{i:06d}" for i in range(children)]
        s.execute(
            insert(Child),
            [
                dict(
                    id=cid,
                    first_name=rnd.choice(FIRST),
                    last_name=rnd.choice(LAST),
                    preferred_name=None,
                    dob=date(2008 + i % 9, 1 + i % 12, 1 + i % 28),
                    sex="F" if i % 2 else "M",
                    ethnicity="WBRI",
                    locality=f"Locality {1 + i % 8}",
                    social_worker_id=1 + i % 80,
                    team_id=1 + i % 8,
                    version=1,
                )
                for i, cid in enumerate(ids)
            ],
        )
        s.execute(
            insert(CareEpisode),
            [
                dict(
                    child_id=cid,
                    decom=date(2024, 1, 1),
                    rne="S",
                    ls="C2",
                    cin="N1",
                    place="U4",
                    place_provider="PR1",
                    pl_post="ZZ1 1ZZ",
                    placement_name=f"Foster home {i % 300}",
                    placement_address="1 Test Street",
                    carer_name="Testcarer",
                    carer_phone="07700 900000",
                    version=1,
                )
                for i, cid in enumerate(ids)
            ],
        )
        gone = rnd.sample(ids, missing)
        rows = []
        for cid in ids[: children // 3]:  # history: a third of the children went missing before
            for k in range(rnd.randint(1, 4)):
                start = NOW - timedelta(days=20 + 25 * k, hours=rnd.randint(0, 23))
                rows.append(
                    dict(
                        child_id=cid,
                        category="M",
                        started_at=start,
                        reported_at=start,
                        returned_at=start + timedelta(hours=rnd.randint(2, 60)),
                        risk_grade="medium",
                        found_where="Friend's address",
                        updated_at=start,
                        updated_by="bench",
                        version=1,
                    )
                )
        for cid in gone:
            start = NOW - timedelta(minutes=rnd.randint(30, 60 * 24 * 5))
            rows.append(
                dict(
                    child_id=cid,
                    category=rnd.choice("MMMA"),
                    started_at=start,
                    reported_at=start,
                    police_ref=f"LOG-{rnd.randint(1000, 9999)}" if rnd.random() < 0.8 else None,
                    risk_grade="high",
                    last_seen_where="Near the bus station, with two older males",
                    last_seen_wearing="Black coat, white trainers",
                    circumstances="Left after an argument",
                    updated_at=start,
                    updated_by="bench",
                    version=1,
                )
            )
        s.execute(insert(MissingEpisode), rows)
        s.execute(
            insert(PhilomenaProfile),
            [
                dict(
                    child_id=cid,
                    description="Slim build, about 160 cm, dark hair, scar on left hand",
                    associates="Spends time with older males in the city centre",
                    places_likely="Bus station; retail park",
                    phone="07700 900123",
                    social_media="@example_handle",
                    medical_needs="Asthma: inhaler",
                    updated_at=NOW - timedelta(days=30),
                    updated_by="bench",
                    version=1,
                )
                for cid in gone
            ],
        )
        s.commit()


def raw_reportlab(data: HandoverData) -> tuple[float, int]:
    """The floor: the same sheet (every section's rows, every profile's fields, the page
    furniture with page x of y) drawn with plain canvas calls: drawString, line and rect, in the
    shipped DejaVu Sans (embedded, as ours is) with no font fallback, no escaping, no wrapping
    (cells cut to a fixed length), fixed row heights, and no flowables or layout engine."""
    register_fonts()
    t0 = time.perf_counter()
    land, port = landscape(A4), A4
    top, bottom, left = 17 * mm, 15 * mm, 12 * mm
    pages: list[tuple[tuple[float, float], list[tuple[float, float, str, float, bool]], list[float]]] = []
    # layout pass: each page is its size, its strings (x, y, text, size, bold) and its row rules (y)
    row_h, size = 30.0, 7.6

    def table(head: list[str], rows: list[list[str]], title: str) -> None:
        widths = (land[0] - 2 * left) / len(head)
        y = 0.0
        page: list[tuple[float, float, str, float, bool]] = []
        rules: list[float] = []
        for i, row in enumerate([head, *rows]):
            if i == 0 or y - row_h < bottom:
                if page:
                    pages.append((land, page, rules))
                page, rules = [(left, land[1] - top - 12, title, 11.5, True)], []
                y = land[1] - top - 20
                if i:
                    for k, h in enumerate(head):
                        page.append((left + 2 + k * widths, y - 9, h, size, True))
                    y -= 12
            for k, cell in enumerate(row):
                for n, part in enumerate(cell.split("\n")[:3]):
                    page.append((left + 2 + k * widths, y - 9 - n * 9.3, part[: int(widths / 4)], size, i == 0))
            y -= row_h if i else 12
            rules.append(y)
        pages.append((land, page, rules))

    now = data.printed_at
    table(
        ["Risk", "Child", "Status", "Since", "For", "Police ref", "Last seen", "Placement", "Worker", "Due"],
        [
            [
                m.risk or "",
                f"{m.name}\n{m.child_id}",
                m.category,
                format_local(m.since),
                format_duration(now - m.since),
                m.police_ref or "",
                m.last_seen or "",
                m.placement or "",
                f"{m.worker or ''}\n{m.team or ''}",
                m.next_due or "",
            ]
            for m in data.missing
        ],
        "Missing or away now",
    )
    table(
        ["Child", "Status", "Started", "Ended", "Risk", "Where found"],
        [
            [
                f"{e.name}\n{e.child_id}",
                e.category,
                format_local(e.started_at),
                format_local(e.returned_at),
                e.risk or "",
                e.found_where or "",
            ]
            for e in data.ended
        ],
        "Started and ended",
    )
    table(
        ["Child", "Returned", "Where found", "RHI due", "RHI", "Worker"],
        [
            [
                f"{r.name}\n{r.child_id}",
                format_local(r.returned_at),
                r.found_where or "",
                format_local(r.rhi_due_at),
                r.rhi_status,
                r.worker or "",
            ]
            for r in data.returns
        ],
        "Returns",
    )
    table(
        ["Due", "What", "Child", "Worker"],
        [[format_local(e.due_at), e.what, f"{e.name}\n{e.child_id}", e.worker or ""] for e in data.escalations],
        "Escalations",
    )
    table(
        ["Raised", "Severity", "Alert", "Child"],
        [
            [format_local(a.raised_at), a.severity, a.message, f"{a.name or ''}\n{a.child_id or ''}"]
            for a in data.alerts
        ],
        "Alerts",
    )
    for p in data.profiles:
        items: list[tuple[float, float, str, float, bool]] = [
            (left, port[1] - top - 20, f"{p.first_name} {p.last_name}", 20, True)
        ]
        y = port[1] - top - 60
        ep = p.episode
        said = p.profile  # the Philomena profile, if one was saved
        fields = [
            ("Date of birth", f"{p.dob:%d/%m/%Y} (age {p.age})"),
            ("Sex", p.sex),
            ("Ethnicity", p.ethnicity),
            ("Child ID", p.child_id),
            ("Phone", said and said.phone),
            ("Locality", p.locality),
            ("Social worker", p.worker),
            ("Team", p.team),
            ("Risk flags", ", ".join(f.flag for f in p.flags)),
            ("Last seen where", ep and ep.last_seen_where),
            ("Last seen with", ep and ep.last_seen_with),
            ("Wearing", ep and ep.last_seen_wearing),
            ("Circumstances", ep and ep.circumstances),
            ("Reported by", ep and ep.reported_by),
            ("Description", said and said.description),
            ("Associates", said and said.associates),
            ("Places likely to go", said and said.places_likely),
            ("Social media", said and said.social_media),
            ("Medical needs", said and said.medical_needs),
            ("Other information", said and said.other_info),
            ("Placement", p.placement_name),
            ("Address", p.placement_address),
            ("Carer", p.carer_name),
        ]
        for label, value in fields:
            items.append((left, y, f"{label}:", 9.5, True))
            items.append((left + 90, y, (value or "not recorded")[:100], 9.5, False))
            y -= 14
        for h in p.history[:10]:
            items.append(
                (
                    left,
                    y,
                    f"{format_local(h.started_at)}  {h.category}  {h.risk or ''}  {h.found_where or ''}",
                    size,
                    False,
                )
            )
            y -= 10
        pages.append((port, items, []))
    # drawing pass
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=land, invariant=1)
    total = len(pages)
    for number, (pagesize, items, rules) in enumerate(pages, start=1):
        c.setPageSize(pagesize)
        w, h = pagesize
        c.setFont(SANS_BOLD, 11)
        c.drawCentredString(w / 2, h - 8 * mm, "OFFICIAL-SENSITIVE")
        c.drawCentredString(w / 2, 5 * mm, "OFFICIAL-SENSITIVE")
        c.setFont(SANS, 8)
        c.drawString(left, h - 13.5 * mm, "LAC Monitor · Handover sheet")
        c.drawRightString(w - left, h - 13.5 * mm, f"Window {format_local(data.start)} to {format_local(data.end)}")
        c.drawString(left, 9 * mm, f"Printed by {data.printed_by} on {format_local(now)}")
        c.drawRightString(w - left, 9 * mm, f"Page {number} of {total}")
        c.line(left, h - 15 * mm, w - left, h - 15 * mm)
        c.line(left, 12.5 * mm, w - left, 12.5 * mm)
        for y in rules:
            c.line(left, y, w - left, y)
        for x, y, text, sz, bold in items:
            c.setFont(SANS_BOLD if bold else SANS, sz)
            c.drawString(x, y, text)
        c.showPage()
    c.save()
    return time.perf_counter() - t0, total


def measure(label: str, db: Database, target: float) -> tuple[float, float]:
    clock = FixedClock(NOW)
    start, end = last_shift(NOW, load_ladder(db))
    register_fonts()  # once per process, for ours and the floor alike
    t0 = time.perf_counter()
    data = build_handover(db, clock, ACTOR, start, end)
    t1 = time.perf_counter()
    pdf = render_handover(data)
    t2 = time.perf_counter()
    raw, raw_pages = raw_reportlab(data)
    pages = pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ")
    total = t2 - t0
    print(
        f"{label}: {len(data.missing)} missing or away, {len(data.profiles)} profiles, {pages} pages, "
        f"{len(pdf) / 1024:.0f} KiB"
    )
    print(
        f"  gather {t1 - t0:6.3f} s   render {t2 - t1:6.3f} s   total {total:6.3f} s "
        f"(target {target:g} s: {'met' if total < target else 'MISSED'})"
    )
    print(
        f"  raw reportlab, the same sheet drawn with plain canvas calls: {raw:6.3f} s, {raw_pages} pages; "
        f"our render {(t2 - t1) / raw if raw else 0:.1f}x, gather and render {total / raw if raw else 0:.1f}x "
        f"(target 10x: {'met' if total < 10 * raw else 'MISSED'})"
    )
    return total, raw


def demo_db(path: Path) -> Database:
    db = Database.open(f"sqlite:///{path}")
    try:
        from lac_monitor.demo import generate  # written concurrently; may not exist yet
    except ImportError:
        print("(lac_monitor.demo not available: using the bench's own 650-child register, 25 missing)")
        synthetic(db, 650, 25)
        return db
    generate(db, children=650, seed=1, now=NOW)
    return db


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the demo council")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = demo_db(Path(tmp) / "demo.sqlite")
        measure("demo council (650 children)", db, 1.0)
        db.dispose()
        if not args.quick:
            big = Database.open(f"sqlite:///{Path(tmp) / 'big.sqlite'}")
            synthetic(big, 10_000, 500)
            total, raw = measure("10,000 children, 500 missing (all high risk)", big, 3.0)
            big.dispose()
            # The target: under 3 s and within 10x raw reportlab (the same table, plain).
            print(f"handover 10k: {total:.2f} s, raw reportlab: {raw:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
