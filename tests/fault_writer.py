"""A writer for the fault tests: reports, multi-part updates and returns in a loop.

Prints `ACK <token>` (flushed) only after an action's commit returned, so the test knows
what was acknowledged when it kills this process or the server kills its connection.
Usage: python -m tests.fault_writer URL SECONDS SEED
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from lac_monitor.domain.clock import SystemClock
from lac_monitor.domain.errors import LacError
from lac_monitor.services.episodes import EpisodeService
from lac_monitor.services.uow import Actor
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import MissingEpisode

CHILDREN = [f"C0009{i:02d}" for i in range(6)]


def main() -> int:
    url, seconds, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    for _attempt in range(50):  # the server may be killing connections already: retry, as a desktop does
        try:
            db = Database.open(url, upgrade=False)
            break
        except LacError:
            time.sleep(0.1)
    else:
        return 3
    svc = EpisodeService(db, Actor("sw.one", 1, "Sasha Workerone", "social_worker", 1), SystemClock())
    print("READY", flush=True)
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
        child = rng.choice(CHILDREN)
        token = f"T{seed}-{n}"
        try:  # the read before the write: its failure is the CLI boundary's to translate
            with db.read_session() as s:
                ep = s.scalars(
                    select(MissingEpisode).where(MissingEpisode.child_id == child, MissingEpisode.returned_at.is_(None))
                ).first()
        except DBAPIError:
            print("REFUSED read", flush=True)
            continue
        try:  # the write: the unit of work must turn every database failure into a LacError
            if ep is None:
                started = datetime.now(UTC) - timedelta(seconds=rng.randint(1, 50))
                svc.report(child, "M", started, police_ref=token)
                print(f"ACK report {token}", flush=True)
            elif rng.random() < 0.25:
                svc.record_return(ep.id, ep.version)
                print(f"ACK return {token}", flush=True)
            else:
                svc.update(
                    ep.id,
                    ep.version,
                    police_ref=token,
                    note=f"note {token}",
                    risk=rng.choice(["low", "medium", "high"]) if rng.random() < 0.3 else None,
                )
                print(f"ACK update {token}", flush=True)
        except LacError as exc:  # conflicts, lost connections: refused whole, try again
            print(f"REFUSED {type(exc).__name__}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
