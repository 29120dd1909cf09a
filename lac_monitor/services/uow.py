"""Unit of work: owns the session, writes audit and feed rows, publishes after commit."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Integer, Table, func, insert, select, text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from lac_monitor.domain import access
from lac_monitor.domain.access import Permission
from lac_monitor.domain.changes import SUBJECT_OF, ChangeKind, Subject, wire
from lac_monitor.domain.clock import Clock
from lac_monitor.domain.codes import StaffRole
from lac_monitor.domain.errors import (
    AccessRefusedError,
    ConflictError,
    DatabaseUnavailableError,
    LacError,
    ServerFullError,
    UnknownLoginError,
    ValidationError,
)
from lac_monitor.storage import audit_chain
from lac_monitor.storage.database import FEED_LOCK_KEY, NOTIFY_CHANNEL, Database
from lac_monitor.storage.provision import database_login, whoami
from lac_monitor.storage.schema import ChangeFeed, Staff

log = logging.getLogger(__name__)

BULK_BATCH = 10_000  # rows per executemany in `UnitOfWork.insert_rows`


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
    """The login from the operating system's own account record: never from USER, LOGNAME or
    USERNAME, which anyone can set to an administrator's name."""
    if sys.platform == "win32":
        import ctypes

        size = ctypes.c_ulong(257)
        buf = ctypes.create_unicode_buffer(size.value)
        if ctypes.windll.advapi32.GetUserNameW(buf, ctypes.byref(size)):
            return str(buf.value)
        raise AccessRefusedError("Windows did not say which account is signed in; nothing can be shown.")
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        raise AccessRefusedError(
            f"This computer's account {os.getuid()} has no login name; nothing can be shown."
        ) from None


def _staff_actor(staff: Staff) -> Actor:
    return Actor(
        username=staff.username,
        staff_id=staff.id,
        display_name=staff.display_name,
        role=staff.role,
        team_id=staff.team_id,
    )


def resolve_actor(db: Database, username: str | None = None) -> Actor:
    """The acting person's active staff record, or a refusal naming the login.

    On PostgreSQL a person connects as their own database login, and that login decides who
    they are. Connected as the owner or a superuser (IT, the tests), the OS login (or the
    `username` asked for) decides, and the app warns about the connection elsewhere.
    """
    login = database_login(db)
    if login is not None and not login.privileged:
        if username and username.lower() != login.name.lower():
            raise AccessRefusedError(
                f"--user: on the shared database you act as your own database login "
                f"'{login.name}', never as '{username}'."
            )
        if login.provisioned:
            me = whoami(db)
            if me is None and login.service:
                # The escalation service (lac_service): not a person; may raise alerts only.
                return Actor(username=login.name, display_name="Escalation service")
            if me is None:
                raise UnknownLoginError(login.name)
            sid, name, display, role, team, active = me
            if not active:
                raise UnknownLoginError(name, deactivated=True)
            return Actor(username=name, staff_id=sid, display_name=display, role=role, team_id=team)
        username = login.name
    username = username or os_username()
    with db.read_session() as s:
        staff = s.scalars(select(Staff).where(func.lower(Staff.username) == username.lower())).first()
        if staff is None:
            raise UnknownLoginError(username)
        if not staff.active:
            raise UnknownLoginError(username, deactivated=True)
        return _staff_actor(staff)


def first_run_administrator(db: Database) -> Actor | None:
    """On an embedded database with no staff at all, the person running the app becomes its
    administrator (one desk, one person). Returns that person, or None if staff exist."""
    if db.is_postgresql:
        return None
    login = os_username()
    with db.write_session() as s:
        if s.scalar(select(func.count()).select_from(Staff)):
            return None
        staff = Staff(username=login, display_name=login, role=StaffRole.ADMINISTRATOR.value, active=True)
        s.add(staff)
        s.flush()
        now = datetime.now().astimezone().replace(microsecond=0)
        audit_chain.append(
            s,
            [
                dict(
                    at=now,
                    username=login,
                    staff_id=staff.id,
                    action="staff.first_admin",
                    entity="staff",
                    entity_id=str(staff.id),
                    child_id=None,
                    detail=json.dumps({"after": snapshot(staff)}),
                )
            ],
        )
        s.commit()
        return _staff_actor(staff)


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
        self._audit: list[dict[str, Any]] = []
        self.committed_seqs: list[int] = []

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
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

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: object,
        child_id: str | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        detail: dict[str, Any] = {}
        if before is not None:
            detail["before"] = before
        if after is not None:
            detail["after"] = after
        detail.update({k: _jsonable(v) for k, v in extra.items()})
        if self.actor.os_login and self.actor.os_login != self.actor.username:
            detail["os_login"] = self.actor.os_login  # who really sat at the keyboard
        # Appended at commit, under the writers' lock, so the hash chain follows commit order.
        self._audit.append(
            dict(
                at=self.now,
                username=self.actor.username,
                staff_id=self.actor.staff_id,
                action=action,
                entity=entity,
                entity_id=None if entity_id is None else str(entity_id),
                child_id=child_id,
                detail=json.dumps(detail, ensure_ascii=False) if detail else None,
            )
        )

    def changed(self, kind: ChangeKind, subject: Subject) -> None:
        """A change-feed row, written at commit: what happened, to which record (domain/changes.py)."""
        if not isinstance(subject, SUBJECT_OF[kind]):
            raise TypeError(f"{kind} names a {SUBJECT_OF[kind].__name__}, not a {type(subject).__name__}")
        self._feed.append(wire(kind, subject))

    def insert_rows(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        """The bulk path: many rows of one table (Core executemany in batches, no ORM objects),
        for a load such as the demo council. Rows that bring their own integer `id` move
        PostgreSQL's sequence past them, so the next ordinary action gets a fresh id. Audit and
        feed rows are still the caller's (`audit`, `changed`): one feed row for a whole load
        tells every desktop to reload once, not once per row."""
        for start in range(0, len(rows), BULK_BATCH):
            self.session.execute(insert(table), list(rows[start : start + BULK_BATCH]))
        if rows and self.db.is_postgresql and "id" in rows[0] and _has_serial_id(table):
            top = int(self.session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0)
            self.session.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v, false)"), {"t": table.name, "v": top + 1}
            )

    def commit(self) -> list[int]:
        s = self.session
        try:
            s.flush()
            audit_chain.append(s, self._audit)
            if self._feed:
                if self.db.is_postgresql:
                    # Held to commit: feed sequence numbers become visible in order,
                    # so a reader that has seen N never later finds an N-1.
                    s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})
                rows = [
                    ChangeFeed(at=self.now, kind=k, entity=e, entity_id=i, child_id=c, username=self.actor.username)
                    for k, e, i, c in self._feed
                ]
                s.add_all(rows)
                s.flush()
                seqs = [r.seq for r in rows]
                if self.db.is_postgresql:
                    s.execute(text("SELECT pg_notify(:ch, :payload)"), {"ch": NOTIFY_CHANNEL, "payload": str(seqs[-1])})
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


def _has_serial_id(table: Table) -> bool:
    col = table.c.get("id")
    return col is not None and col.primary_key and isinstance(col.type, Integer)


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
        return _integrity_error(str(exc.orig))
    if isinstance(exc, DataError | OverflowError):
        # Our own rules (domain/fields.py) should refuse first; this is the last line.
        return ValidationError("value", "is too long or out of range for the database. Nothing was saved.")
    if isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return _connection_error(str(getattr(exc, "orig", exc)).lower(), saving)
    if isinstance(exc, DBAPIError):
        sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
        if sqlstate.startswith(("57", "08", "53")):
            return DatabaseUnavailableError(
                "The database server stopped the request (it is shutting down, restarting or out "
                "of resources). Nothing was saved; try again in a moment."
            )
    return None


def _integrity_error(msg: str) -> LacError | None:
    """Another desktop saved the same a moment ago (a unique rule held), in plain words."""
    if "uq_missing_episode_open" in msg or "missing_episode.child_id" in msg:
        return ValidationError("start", "child is already missing (another desktop recorded it a moment ago)")
    if "uq_care_episode_open" in msg or "care_episode.child_id" in msg:
        return ValidationError("decom", "child already has an open care episode")
    if "pk_setting" in msg or "setting.key" in msg:
        return ConflictError("The council settings", "another administrator", None)
    if "rhi_episode" in msg:
        return ValidationError("episodes", "an episode is already covered by another RHI")
    if "unique" in msg.lower() or "duplicate" in msg.lower():
        return ValidationError(
            "record", "is already on the register (another desktop saved the same a moment ago). Nothing was saved."
        )
    return None


def _connection_error(text_: str, saving: bool) -> LacError:
    """The server full, the file locked or read-only, or the connection gone."""
    if "too many clients" in text_ or "too many connections" in text_ or "remaining connection slots" in text_:
        return ServerFullError(TOO_MANY_CLIENTS)
    if "locked" in text_ or "busy" in text_:
        return DatabaseUnavailableError(
            "The database is busy (another desktop is saving). Nothing was saved; try again in a moment."
        )
    if "readonly" in text_ or "read-only" in text_ or "disk is full" in text_:
        return DatabaseUnavailableError(
            "The database file cannot be written (read-only, or the disk is full). Nothing "
            "was saved: ask IT to check the disk and the file's permissions."
        )
    if saving:
        return DatabaseUnavailableError(
            "The connection to the database was lost while saving. Nothing was saved and "
            "your entry is kept: save again once the connection is back."
        )
    return DatabaseUnavailableError(
        "The database cannot be reached (the server is down or the connection was lost). "
        "Try again once it is back; ask IT if it stays away."
    )


class ActionService:
    """Base of the action services: who acts, on which database, by which clock."""

    def __init__(self, db: Database, actor: Actor, clock: Clock | None = None) -> None:
        from lac_monitor.domain.clock import SystemClock

        self.db = db
        self.actor = actor
        self.clock = clock or SystemClock()

    # What every action of this service needs; a method may ask for more with `require`.
    requires: Permission | None = None

    def require(self, permission: Permission) -> None:
        """Refuse, in plain words, an action the acting person's role does not allow.
        The database's grants and policies back the same rule (domain/access.py)."""
        if not access.may(self.actor.role, permission):
            raise AccessRefusedError(access.refusal(self.actor.role, permission))

    def _uow(self, permission: Permission | None = None) -> UnitOfWork:
        needed = permission or self.requires
        if needed is not None:
            self.require(needed)
        return UnitOfWork(self.db, self.actor, self.clock)
