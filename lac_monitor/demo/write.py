"""Putting the demo council in the database: one transaction through the same unit of work
as every user action, so its audit row, its change-feed row and the notification to open
desktops are the ones every other change makes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lac_monitor.demo.records import Rows
from lac_monitor.domain.access import APPEND_ONLY_TABLES
from lac_monitor.domain.changes import ChangeKind, RegisterChanged
from lac_monitor.domain.clock import FixedClock
from lac_monitor.domain.errors import LacError
from lac_monitor.services.uow import Actor, UnitOfWork
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Base, Setting

DEMO_MARK = "demo_council"  # a `setting` row: this register is synthetic, --replace may wipe it


def occupied(s: Session) -> LacError | None:
    """Refuse to mix invented people with a register that is already in use."""
    for name, what in (("child", "children"), ("staff", "staff records"), ("team", "teams")):
        table = Base.metadata.tables[name]
        count = int(s.scalar(select(func.count()).select_from(table)) or 0)
        if count:
            return LacError(
                f"This database already holds {count} {what}, so no demo council was made. To wipe it "
                "and make a new demo council, run the demo again with --replace; or choose an empty "
                "database."
            )
    return None


def not_demo(s: Session) -> LacError | None:
    """--replace wipes only a demo council (or an empty register), never real records."""
    if s.scalar(select(Setting.key).where(Setting.key == DEMO_MARK)) is not None:
        return None
    if occupied(s) is None:
        return None
    return LacError(
        "This database holds records that are not a demo council, so --replace refused to wipe "
        "it. Use an empty database for a demo; a live register is never replaced."
    )


def refusal(s: Session, replace: bool) -> LacError | None:
    return not_demo(s) if replace else occupied(s)


def write(db: Database, rows: Rows, actor: Actor, now: datetime, detail: Mapping[str, Any], replace: bool) -> None:
    """Wipe (with `replace`) and fill the register in one transaction; the audit trail and the
    change feed are never wiped. Open desktops hear one 'demo.generated' change."""
    with UnitOfWork(db, actor, FixedClock(now)) as uow:
        refused = refusal(uow.session, replace)  # again, inside the write lock
        if refused is not None:
            raise refused
        if replace:
            for table in reversed(Base.metadata.sorted_tables):  # children before parents
                if table.name not in APPEND_ONLY_TABLES:
                    uow.session.execute(table.delete())
        rows["setting"].append(
            {"key": DEMO_MARK, "value": json.dumps(dict(detail)), "updated_at": now, "updated_by": actor.username}
        )
        for table in Base.metadata.sorted_tables:
            if table.name not in APPEND_ONLY_TABLES:
                uow.insert_rows(table, rows[table.name])
        uow.audit("demo.generate", "database", None, None, **detail)
        uow.changed(ChangeKind.DEMO_GENERATED, RegisterChanged())
        uow.commit()
