"""How long a handover sheet takes: the demo council, and 10,000 children with 500 missing.

Each figure is printed beside the raw reportlab cost of the same missing-children table
(plain strings, built-in Helvetica, no escaping, no font fallback) measured in the same run,
so the overhead of our safety (escaping, per-character fonts, page x of y) is visible.

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
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4, landscape
from reportlab.platypus import SimpleDocTemplate, Table
from sqlalchemy import insert

from lac_monitor.domain.clock import FixedClock
from lac_monitor.domain.localtime import format_duration, format_local
from lac_monitor.reports.handover import render_handover
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


def raw_reportlab(data: HandoverData) -> float:
    """The same missing-children table, straight reportlab: the floor for what we do."""
    t0 = time.perf_counter()
    rows = [["Risk", "Child", "Status", "Since", "For", "Police ref", "Last seen", "Placement", "Worker", "Due"]]
    for m in data.missing:
        rows.append(
            [
                m.risk or "",
                f"{m.name}\n{m.child_id}",
                m.category,
                format_local(m.since),
                format_duration(data.printed_at - m.since),
                m.police_ref or "",
                (m.last_seen or "")[:40],
                (m.placement or "")[:30],
                m.worker or "",
                m.next_due or "",
            ]
        )
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=landscape(A4)).build([Table(rows, repeatRows=1)])
    return time.perf_counter() - t0


def measure(label: str, db: Database, target: float) -> tuple[float, float]:
    clock = FixedClock(NOW)
    start, end = last_shift(NOW, load_ladder(db))
    t0 = time.perf_counter()
    data = build_handover(db, clock, ACTOR, start, end)
    t1 = time.perf_counter()
    pdf = render_handover(data)
    t2 = time.perf_counter()
    raw = raw_reportlab(data)
    t3 = time.perf_counter()
    render_handover(replace(data, profiles=()))
    table_only = time.perf_counter() - t3
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
        f"  our sheet without profiles {table_only:6.3f} s   beside raw reportlab, same table: {raw:6.3f} s "
        f"({table_only / raw if raw else 0:.1f}x: escaping, font fallback, wrapping, page x of y)"
    )
    return total, raw


def demo_db(path: Path) -> Database:
    db = Database.open(f"sqlite:///{path}")
    try:
        from lac_monitor.services.demo import generate  # written concurrently; may not exist yet
    except ImportError:
        print("(services.demo not available: using the bench's own 650-child register, 25 missing)")
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
