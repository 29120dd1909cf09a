"""Unit of work: owns the session, writes audit and feed rows, publishes after commit."""

from __future__ import annotations

import getpass
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from lac_monitor.domain.clock import Clock
from lac_monitor.domain.errors import (
    ConflictError,
    DatabaseUnavailableError,
    LacError,
    ValidationError,
)
from lac_monitor.storage.database import FEED_LOCK_KEY, NOTIFY_CHANNEL, Database
from lac_monitor.storage.schema import AuditLog, ChangeFeed, Staff

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who is acting: the OS login, mapped to a staff record where one exists."""

    username: str
    staff_id: int | None = None
    display_name: str | None = None
    role: str | None = None
    team_id: int | None = None
    os_login: str | None = None  # set when acting as someone other than the OS login

    @property
    def label(self) -> str:
        return self.display_name or self.username


def os_username() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some service accounts
        return "unknown"


def resolve_actor(db: Database, username: str | None = None) -> Actor:
    username = username or os_username()
    with db.read_session() as s:
        staff = s.scalars(
            select(Staff).where(func.lower(Staff.username) == username.lower())
        ).first()
        if staff is None:
            return Actor(username=username)
        return Actor(username=staff.username, staff_id=staff.id, display_name=staff.display_name,
                     role=staff.role, team_id=staff.team_id)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def snapshot(obj: Any, fields: list[str] | None = None) -> dict[str, Any]:
    """Column values of an ORM row, for the audit's before/after."""
    cols = fields or [c.key for c in obj.__table__.columns]
    return {c: _jsonable(getattr(obj, c)) for c in cols}


class UnitOfWork:
    """`with UnitOfWork(db, actor, clock) as uow:` ... `uow.commit()`.

    Leaving the block without commit rolls back. Errors from the database are
    translated into known errors (unreachable, conflict, rule) before they leave.
    """

    def __init__(self, db: Database, actor: Actor, clock: Clock) -> None:
        self.db = db
        self.actor = actor
        self.clock = clock
        # Whole seconds: what people read and type; no stray microseconds in exports.
        self.now = clock.now().replace(microsecond=0)
        self.session: Session = db.write_session()
        self._feed: list[tuple[str, str, str | None, str | None]] = []
        self.committed_seqs: list[int] = []

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.session.rollback()
        except DBAPIError:
            pass
        finally:
            self.session.close()
        if exc is not None and not isinstance(exc, LacError):
            translated = translate_db_error(exc)
            if translated is not None:
                raise translated from exc

    def audit(self, action: str, entity: str, entity_id: object, child_id: str | None,
              before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
              **extra: Any) -> None:
        detail: dict[str, Any] = {}
        if before is not None:
            detail["before"] = before
        if after is not None:
            detail["after"] = after
        detail.update({k: _jsonable(v) for k, v in extra.items()})
        if self.actor.os_login and self.actor.os_login != self.actor.username:
            detail["os_login"] = self.actor.os_login  # who really sat at the keyboard
        self.session.add(AuditLog(
            at=self.now, username=self.actor.username, staff_id=self.actor.staff_id,
            action=action, entity=entity, entity_id=None if entity_id is None else str(entity_id),
            child_id=child_id, detail=json.dumps(detail, ensure_ascii=False) if detail else None,
        ))

    def changed(self, kind: str, entity: str, entity_id: object, child_id: str | None) -> None:
        self._feed.append((kind, entity, None if entity_id is None else str(entity_id), child_id))

    def commit(self) -> list[int]:
        s = self.session
        try:
            s.flush()
            if self._feed:
                if self.db.is_postgresql:
                    # Held to commit: feed sequence numbers become visible in order,
                    # so a reader that has seen N never later finds an N-1.
                    s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})
                rows = [ChangeFeed(at=self.now, kind=k, entity=e, entity_id=i, child_id=c,
                                   username=self.actor.username) for k, e, i, c in self._feed]
                s.add_all(rows)
                s.flush()
                seqs = [r.seq for r in rows]
                if self.db.is_postgresql:
                    s.execute(text("SELECT pg_notify(:ch, :payload)"),
                              {"ch": NOTIFY_CHANNEL, "payload": str(seqs[-1])})
            else:
                seqs = []
            s.commit()
        except LacError:
            raise
        except Exception as exc:
            translated = translate_db_error(exc)
            if translated is not None:
                raise translated from exc
            raise
        self.committed_seqs = seqs
        self.db.publish(seqs)
        return seqs


TOO_MANY_CLIENTS = (
    "The database server has no free connections (too many clients). Nothing was saved; try "
    "again in a minute. If it keeps happening, ask IT to raise max_connections (see README)."
)


def translate_db_error(exc: BaseException, saving: bool = True) -> LacError | None:
    """A database error as a plain message, or None for a bug. Never quotes the driver's
    message: it can hold SQL parameters (a child's name, a date of birth)."""
    if isinstance(exc, LacError):
        return exc
    if isinstance(exc, StaleDataError):
        return ConflictError("This record", None, None)
    if isinstance(exc, IntegrityError):
        msg = str(exc.orig)
        if "uq_missing_episode_open" in msg or "missing_episode.child_id" in msg:
            return ValidationError(
                "start", "child is already missing (another desktop recorded it a moment ago)"
            )
        if "uq_care_episode_open" in msg or "care_episode.child_id" in msg:
            return ValidationError("decom", "child already has an open care episode")
        if "pk_setting" in msg or "setting.key" in msg:
            return ConflictError("The council settings", "another administrator", None)
        if "rhi_episode" in msg:
            return ValidationError("episodes", "an episode is already covered by another RHI")
        if "unique" in msg.lower() or "duplicate" in msg.lower():
            return ValidationError("record", "is already on the register (another desktop saved the same a "
                                             "moment ago). Nothing was saved.")
        return None
    if isinstance(exc, DataError | OverflowError):
        # Our own rules (domain/fields.py) should refuse first; this is the last line.
        return ValidationError("value", "is too long or out of range for the database. Nothing was saved.")
    if isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        text_ = str(getattr(exc, "orig", exc)).lower()
        if "too many clients" in text_ or "too many connections" in text_ or "remaining connection slots" in text_:
            return DatabaseUnavailableError(TOO_MANY_CLIENTS)
        if "locked" in text_ or "busy" in text_:
            return DatabaseUnavailableError(
                "The database is busy (another desktop is saving). Nothing was saved; "
                "try again in a moment."
            )
        if "readonly" in text_ or "read-only" in text_ or "disk is full" in text_:
            return DatabaseUnavailableError(
                "The database file cannot be written (read-only, or the disk is full). Nothing "
                "was saved: ask IT to check the disk and the file's permissions.")
        if saving:
            return DatabaseUnavailableError(
                "The connection to the database was lost while saving. Nothing was saved and "
                "your entry is kept: save again once the connection is back."
            )
        return DatabaseUnavailableError(
            "The database cannot be reached (the server is down or the connection was lost). "
            "Try again once it is back; ask IT if it stays away."
        )
    if isinstance(exc, DBAPIError):
        sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
        if sqlstate.startswith("57") or sqlstate.startswith("08") or sqlstate.startswith("53"):
            return DatabaseUnavailableError(
                "The database server stopped the request (it is shutting down, restarting or out "
                "of resources). Nothing was saved; try again in a moment.")
    return None


class ActionService:
    """Base of the action services: who acts, on which database, by which clock."""

    def __init__(self, db: Database, actor: Actor, clock: Clock | None = None) -> None:
        from lac_monitor.domain.clock import SystemClock

        self.db = db
        self.actor = actor
        self.clock = clock or SystemClock()

    def _uow(self) -> UnitOfWork:
        return UnitOfWork(self.db, self.actor, self.clock)
