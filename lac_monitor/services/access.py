"""Access: restricting a child, who viewed a record, verifying the audit chain, provisioning."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from lac_monitor.domain import fields
from lac_monitor.domain.access import Permission
from lac_monitor.domain.changes import ChangeKind, ChildChanged
from lac_monitor.domain.codes import StaffRole
from lac_monitor.domain.errors import NotFoundError
from lac_monitor.services.episodes import Saved
from lac_monitor.services.uow import ActionService, snapshot
from lac_monitor.storage import audit_chain, provision
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import AuditLog, Child, Staff

# Audit actions that mean "a person looked at this child" (views on purpose and prints).
VIEW_ACTIONS = ("child.view", "report.profile", "report.handover")
RESTRICTION_FIELDS = ["restricted", "restricted_reason", "restricted_by", "restricted_at"]


@dataclass(frozen=True)
class ViewRow:
    at: datetime
    username: str
    name: str | None
    what: str
    os_login: str | None = None


class AccessService(ActionService):
    def set_restricted(self, child_id: str, restricted: bool, reason: str | None = None) -> Saved:
        """Restrict a child (visible only to the allocated worker, that team's managers, the
        head of service, the duty team and administrators) or lift the restriction."""
        self.require(Permission.RESTRICT_CHILD)
        reason = fields.clean("child.restricted_reason", reason) if restricted else None
        with self._uow(Permission.RESTRICT_CHILD) as uow:
            child = uow.session.get(Child, child_id, with_for_update=True)
            if child is None:
                raise NotFoundError("Child", child_id)
            before = snapshot(child, RESTRICTION_FIELDS)
            child.restricted = restricted
            child.restricted_reason = reason
            child.restricted_by = self.actor.label if restricted else None
            child.restricted_at = uow.now if restricted else None
            child.version += 1
            uow.audit(
                "child.restrict" if restricted else "child.unrestrict",
                "child",
                child_id,
                child_id,
                before,
                snapshot(child, RESTRICTION_FIELDS),
            )
            uow.changed(ChangeKind.CHILD_UPDATED, ChildChanged(child_id))
            seqs = uow.commit()
            return Saved("child", child_id, child_id, child.version, tuple(seqs))

    def restriction(self, child_id: str) -> tuple[bool, str | None]:
        """Whether the child is restricted, and why."""
        with self.db.read_session() as s:
            row = s.execute(select(Child.restricted, Child.restricted_reason).where(Child.id == child_id)).first()
        if row is None:
            raise NotFoundError("Child", child_id)
        return bool(row[0]), row[1]

    def views(self, child_id: str, limit: int = 500) -> list[ViewRow]:
        """Who has viewed (or printed) this child's record, newest first, from the audit."""
        self.require(Permission.READ_VIEWS)
        with self.db.read_session() as s:
            q = (
                select(AuditLog.at, AuditLog.username, Staff.display_name, AuditLog.action, AuditLog.detail)
                .outerjoin(Staff, Staff.id == AuditLog.staff_id)
                .where(AuditLog.child_id == child_id, AuditLog.action.in_(VIEW_ACTIONS))
                .order_by(AuditLog.at.desc(), AuditLog.id.desc())
                .limit(limit)
            )
            out = []
            for at, username, name, action, detail in s.execute(q):
                extra = json.loads(detail) if detail else {}
                what = str(
                    extra.get("what")
                    or {"report.profile": "printed profile", "report.handover": "printed handover"}.get(action, action)
                )
                out.append(ViewRow(at, username, name, what, extra.get("os_login")))
            return out

    def verify(self) -> audit_chain.Verdict:
        self.require(Permission.READ_AUDIT)
        with self.db.read_session() as s:
            return audit_chain.verify(s)


@dataclass(frozen=True)
class ProvisionSummary:
    created_roles: list[str]
    admin_login: str
    admin_created: bool


def provision_database(db: Database, admin_login: str | None = None) -> ProvisionSummary:
    """`db provision`: roles, grants and policies, then (the first time) the first
    administrator's staff record and login. Idempotent; run by IT as the owner."""
    done = provision.provision(db)
    login = provision.database_login(db)
    assert login is not None
    admin = admin_login or login.name
    provision.check_login(admin)
    created = False
    with db.write_session() as s:
        has_admin = s.scalar(
            select(func.count())
            .select_from(Staff)
            .where(Staff.role == StaffRole.ADMINISTRATOR.value, Staff.active.is_(True))
        )
        if not has_admin:
            staff = s.scalars(select(Staff).where(func.lower(Staff.username) == admin.lower())).first()
            if staff is None:
                staff = Staff(username=admin, display_name=admin, role=StaffRole.ADMINISTRATOR.value, active=True)
                s.add(staff)
            else:
                staff.role, staff.active = StaffRole.ADMINISTRATOR.value, True
            s.flush()
            now = datetime.now().astimezone().replace(microsecond=0)
            audit_chain.append(
                s,
                [
                    dict(
                        at=now,
                        username=login.name,
                        staff_id=None,
                        action="staff.first_admin",
                        entity="staff",
                        entity_id=str(staff.id),
                        child_id=None,
                        detail=json.dumps({"after": snapshot(staff)}),
                    )
                ],
            )
            created = True
            admin = staff.username
        if admin != login.name or created:
            provision.ensure_login(s.connection(), admin, StaffRole.ADMINISTRATOR.value)
        s.commit()
    return ProvisionSummary(done.created_roles, admin, created)
