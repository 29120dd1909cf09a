"""Keeping the register: children, staff and teams (for workers and council IT)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select

from lac_monitor.domain import codes, fields, record
from lac_monitor.domain import validation as rules
from lac_monitor.domain.access import Permission
from lac_monitor.domain.changes import ChangeKind, ChildChanged, StaffChanged, TeamChanged
from lac_monitor.domain.errors import ConflictError, NotFoundError, ValidationError
from lac_monitor.domain.localtime import local_date
from lac_monitor.services import photos
from lac_monitor.services.episodes import Saved
from lac_monitor.services.uow import ActionService, UnitOfWork, snapshot
from lac_monitor.storage.provision import ensure_login
from lac_monitor.storage.schema import Child, Staff, Team

KEEP: object = object()  # update_child: leave this field as it is
CHILD_ID = re.compile(r"^[A-Za-z0-9]{1,10}$")


@dataclass(frozen=True)
class ChildInput:
    id: str
    first_name: str
    last_name: str
    dob: date
    sex: str
    ethnicity: str
    preferred_name: str | None = None
    upn: str | None = None
    locality: str | None = None
    social_worker_id: int | None = None
    team_id: int | None = None
    mother: bool | None = None
    mc_dob: date | None = None
    photo: bytes | None = None

    def cleaned(self, today: date) -> ChildInput:
        """Checked against every rule and tidied (outer spaces, blanks as None)."""
        text = fields.clean_all(
            "child",
            {
                "id": self.id,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "preferred_name": self.preferred_name,
                "upn": self.upn,
                "locality": self.locality,
            },
        )
        tidy = replace(self, **text)  # type: ignore[arg-type]
        tidy.validate(today)
        return tidy

    def validate(self, today: date) -> None:
        if not CHILD_ID.match(self.id or ""):
            raise ValidationError("child id", "must be 1 to 10 letters or digits (SSDA903 CHILD)")
        fields.clean_all(
            "child",
            {
                "first_name": self.first_name,
                "last_name": self.last_name,
                "preferred_name": self.preferred_name,
                "upn": self.upn,
                "locality": self.locality,
            },
        )
        fields.check_year("date of birth", self.dob)
        if self.dob > today:
            raise ValidationError("date of birth", "cannot be in the future")
        if self.dob.year < today.year - 26:
            raise ValidationError("date of birth", "gives an age over 25: check the year")
        rules.require_code("sex", self.sex, codes.SEX)
        rules.require_code("ethnicity", self.ethnicity, codes.ETHNIC)
        record.check_upn(self.upn, self.dob, today)
        record.check_mother(self.sex, self.dob, self.mother, self.mc_dob, today)


class RegisterService(ActionService):
    """Children, staff and teams."""

    requires = Permission.KEEP_REGISTER

    def add_team(self, name: str, locality: str | None = None) -> Saved:
        self.require(Permission.MANAGE_STAFF)
        name = fields.clean("team.name", name) or ""
        locality = fields.clean("team.locality", locality)
        with self._uow(Permission.MANAGE_STAFF) as uow:
            s = uow.session
            if s.scalar(select(func.count()).select_from(Team).where(func.lower(func.trim(Team.name)) == name.lower())):
                raise ValidationError("team name", f"'{name}' already exists")
            team = Team(name=name, locality=locality)
            s.add(team)
            s.flush()
            uow.audit("team.add", "team", team.id, None, after=snapshot(team))
            uow.changed(ChangeKind.TEAM_ADDED, TeamChanged(team.id))
            seqs = uow.commit()
            return Saved("team", team.id, "", 1, tuple(seqs))

    def add_staff(
        self,
        username: str,
        display_name: str,
        role: str,
        team_id: int | None = None,
        email: str | None = None,
        phone: str | None = None,
    ) -> Saved:
        """A new member of staff; on PostgreSQL also their own login role, in their role's
        group (created if the server has none yet: no password, for directory sign-in)."""
        self.require(Permission.MANAGE_STAFF)
        username = fields.clean("staff.username", username) or ""
        display_name = fields.clean("staff.display_name", display_name) or ""
        email = fields.clean("staff.email", email)
        phone = fields.clean("staff.phone", phone)
        rules.require_code("role", role, {r.value for r in codes.StaffRole})
        if team_id is not None:
            fields.check_int("id", team_id, "team")
        with self._uow(Permission.MANAGE_STAFF) as uow:
            s = uow.session
            if s.scalar(
                select(func.count()).select_from(Staff).where(func.lower(func.trim(Staff.username)) == username.lower())
            ):
                raise ValidationError("username", f"'{username}' already belongs to a staff member")
            if team_id is not None and s.get(Team, team_id) is None:
                raise ValidationError("team", f"there is no team {team_id}")
            staff = Staff(
                username=username.strip(),
                display_name=display_name.strip(),
                role=role,
                team_id=team_id,
                email=email,
                phone=phone,
                active=True,
            )
            s.add(staff)
            s.flush()
            if self.db.is_postgresql:
                ensure_login(s.connection(), staff.username, role)
            uow.audit("staff.add", "staff", staff.id, None, after=snapshot(staff))
            uow.changed(ChangeKind.STAFF_ADDED, StaffChanged(staff.id))
            seqs = uow.commit()
            return Saved("staff", staff.id, "", 1, tuple(seqs))

    def set_staff_active(self, staff_id: int, active: bool) -> Saved:
        """A leaver keeps their history; on PostgreSQL their login loses its group role."""
        self.require(Permission.MANAGE_STAFF)
        with self._uow(Permission.MANAGE_STAFF) as uow:
            staff = uow.session.get(Staff, staff_id)
            if staff is None:
                raise NotFoundError("Staff member", staff_id)
            if not active and staff.id == self.actor.staff_id:
                raise ValidationError("staff", "you cannot deactivate your own record")
            before = snapshot(staff)
            staff.active = active
            if self.db.is_postgresql:
                ensure_login(uow.session.connection(), staff.username, staff.role, active=active)
            uow.audit("staff.active" if active else "staff.inactive", "staff", staff.id, None, before, snapshot(staff))
            uow.changed(ChangeKind.STAFF_CHANGED, StaffChanged(staff.id))
            seqs = uow.commit()
            return Saved("staff", staff.id, "", 1, tuple(seqs))

    def add_child(self, data: ChildInput) -> Saved:
        with self._uow() as uow:
            data = data.cleaned(local_date(uow.now))
            s = uow.session
            same = s.scalar(select(Child.id).where(func.upper(Child.id) == data.id.upper()))
            if same is not None:
                raise ValidationError(
                    "child id", f"{data.id} is already on the register" + ("" if same == data.id else f" as {same}")
                )
            self._check_allocation(uow, data.social_worker_id, data.team_id)
            child = Child(
                id=data.id,
                first_name=data.first_name,
                last_name=data.last_name,
                preferred_name=data.preferred_name,
                dob=data.dob,
                sex=data.sex,
                ethnicity=data.ethnicity,
                upn=record.check_upn(data.upn, data.dob, local_date(uow.now)),
                locality=data.locality,
                social_worker_id=data.social_worker_id,
                team_id=data.team_id,
                mother=data.mother,
                mc_dob=data.mc_dob,
                photo=photos.reencode(data.photo) if data.photo else None,
                version=1,
            )
            s.add(child)
            s.flush()
            uow.audit("child.add", "child", child.id, child.id, after=snapshot(child))
            uow.changed(ChangeKind.CHILD_ADDED, ChildChanged(child.id))
            seqs = uow.commit()
            return Saved("child", child.id, child.id, 1, tuple(seqs))

    @staticmethod
    def _check_allocation(uow: UnitOfWork, worker_id: int | None, team_id: int | None) -> None:
        if worker_id is not None:
            fields.check_int("id", worker_id, "allocated worker")
        if team_id is not None:
            fields.check_int("id", team_id, "team")
        if worker_id is not None and uow.session.get(Staff, worker_id) is None:
            raise ValidationError("allocated worker", f"there is no staff member {worker_id}")
        if team_id is not None and uow.session.get(Team, team_id) is None:
            raise ValidationError("team", f"there is no team {team_id}")

    def allocate(
        self, child_id: str, expected_version: int | None, social_worker_id: int | None, team_id: int | None
    ) -> Saved:
        """Change the allocated worker and team (the board row moves between caseloads)."""
        with self._uow() as uow:
            s = uow.session
            child = s.get(Child, child_id, with_for_update=True)
            if child is None:
                raise NotFoundError("Child", child_id)
            if expected_version is not None and child.version != expected_version:
                raise ConflictError(f"Child {child_id}", None, None)
            self._check_allocation(uow, social_worker_id, team_id)
            before = snapshot(child, ["social_worker_id", "team_id"])
            child.social_worker_id, child.team_id = social_worker_id, team_id
            child.version += 1
            uow.audit(
                "child.allocate", "child", child_id, child_id, before, snapshot(child, ["social_worker_id", "team_id"])
            )
            uow.changed(ChangeKind.CHILD_UPDATED, ChildChanged(child_id))
            seqs = uow.commit()
            return Saved("child", child_id, child_id, child.version, tuple(seqs))

    def update_child(
        self,
        child_id: str,
        expected_version: int | None,
        *,
        upn: str | object | None = KEEP,
        mother: bool | object | None = KEEP,
        mc_dob: date | object | None = KEEP,
    ) -> Saved:
        """Correct the statutory fields of the record (UPN or UN code, MOTHER and MC_DOB).
        A field left as KEEP is not touched; None clears it."""
        with self._uow() as uow:
            child = uow.session.get(Child, child_id, with_for_update=True)
            if child is None:
                raise NotFoundError("Child", child_id)
            if expected_version is not None and child.version != expected_version:
                raise ConflictError(f"Child {child_id}", None, None)
            today = local_date(uow.now)
            fields = ["upn", "mother", "mc_dob"]
            before = snapshot(child, fields)
            new_upn = child.upn if upn is KEEP else record.check_upn(upn, child.dob, today)  # type: ignore[arg-type]
            new_mother = child.mother if mother is KEEP else mother
            new_mc_dob = child.mc_dob if mc_dob is KEEP else mc_dob
            if mother is False or mother is None:
                new_mc_dob = None if mc_dob is KEEP else new_mc_dob
            record.check_mother(child.sex, child.dob, new_mother, new_mc_dob, today)  # type: ignore[arg-type]
            child.upn, child.mother, child.mc_dob = new_upn, new_mother, new_mc_dob  # type: ignore[assignment]
            child.version += 1
            uow.audit("child.update", "child", child_id, child_id, before, snapshot(child, fields))
            uow.changed(ChangeKind.CHILD_UPDATED, ChildChanged(child_id))
            seqs = uow.commit()
            return Saved("child", child_id, child_id, child.version, tuple(seqs))

    def set_photo(self, child_id: str, photo: bytes | None) -> Saved:
        """Load, replace (photo bytes of any common image format) or remove (None) the photo.
        It is checked, shrunk and re-encoded as a JPEG without metadata before it is stored."""
        stored = photos.reencode(photo) if photo is not None else None
        with self._uow() as uow:
            child = uow.session.get(Child, child_id, with_for_update=True)
            if child is None:
                raise NotFoundError("Child", child_id)
            had = child.photo is not None
            child.photo = stored
            child.version += 1
            uow.audit(
                "child.photo",
                "child",
                child_id,
                child_id,
                before={"photo": had},
                after={"photo": stored is not None, "bytes": len(stored) if stored else 0},
            )
            uow.changed(ChangeKind.CHILD_UPDATED, ChildChanged(child_id))
            seqs = uow.commit()
            return Saved("child", child_id, child_id, child.version, tuple(seqs))
