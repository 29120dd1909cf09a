"""Seeing the pattern: notifications on an episode (UK Missing Persons Unit, out of area),
host authority contacts, and children linked to a child. Each action is one transaction with
its audit and change-feed rows (services/uow.py)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lac_monitor.domain import fields
from lac_monitor.domain.access import Permission
from lac_monitor.domain.changes import ChangeKind, EpisodeChanged, HostContactsChanged
from lac_monitor.domain.errors import NotFoundError, ValidationError
from lac_monitor.domain.patterns import NotifyParty, checklist_parties
from lac_monitor.domain.record import check_host_la, is_out_of_area
from lac_monitor.services.uow import ActionService, snapshot
from lac_monitor.storage.patterns import LinkedChild, linked_children, visible_children
from lac_monitor.storage.queries import _council_la
from lac_monitor.storage.schema import (
    CareEpisode,
    Child,
    EpisodeNotification,
    HostAuthorityContact,
    MissingEpisode,
)

CONTACT_COLUMNS = (
    "la_code",
    "name",
    "missing_contact",
    "email",
    "phone",
    "out_of_hours_phone",
    "police_force",
    "police_phone",
)


@dataclass(frozen=True, slots=True)
class NoticeRow:
    id: int
    party: str
    notified_at: datetime
    notified_by: str
    notified_whom: str
    method: str | None
    note: str | None
    recorded_by: str


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    party: str
    label: str
    done: tuple[NoticeRow, ...]
    contact: HostContact | None = None

    @property
    def is_done(self) -> bool:
        return bool(self.done)


@dataclass(frozen=True, slots=True)
class HostContact:
    la_code: str
    name: str
    missing_contact: str | None = None
    email: str | None = None
    phone: str | None = None
    out_of_hours_phone: str | None = None
    police_force: str | None = None
    police_phone: str | None = None

    def line(self) -> str:
        return " · ".join(
            filter(
                None,
                (
                    self.name,
                    self.missing_contact,
                    self.phone,
                    self.email,
                    self.out_of_hours_phone and f"out of hours {self.out_of_hours_phone}",
                ),
            )
        )

    def police_line(self) -> str:
        return " · ".join(filter(None, (self.police_force, self.police_phone))) or "not recorded"


@dataclass(frozen=True, slots=True)
class Checklist:
    episode_id: int
    child_id: str
    out_of_area: bool
    host_la: str | None
    items: tuple[ChecklistItem, ...]


class PatternService(ActionService):
    requires = Permission.READ_REGISTER

    # -- notifications on an episode --------------------------------------------------------
    def record_notification(
        self,
        episode_id: int,
        party: str,
        notified_at: datetime | None,
        *,
        notified_by: str,
        notified_whom: str,
        method: str | None = None,
        note: str | None = None,
    ) -> int:
        """Record that `notified_by` told `notified_whom` (of `party`) at `notified_at`.
        For the UK Missing Persons Unit: who confirmed the police had notified it."""
        if party not in NotifyParty.ALL:
            raise ValidationError("party", "must be one of " + ", ".join(NotifyParty.ALL))
        by = fields.clean("episode_notification.notified_by", notified_by)
        whom = fields.clean("episode_notification.notified_whom", notified_whom)
        how = fields.clean("episode_notification.method", method)
        what = fields.clean("episode_notification.note", note)
        with self._uow(Permission.RECORD_EPISODES) as uow:
            s = uow.session
            ep = s.get(MissingEpisode, episode_id)
            if ep is None:
                raise NotFoundError("episode", str(episode_id))
            notified_at = notified_at or uow.now
            if notified_at > uow.now:
                raise ValidationError("notified at", "is in the future")
            if notified_at < ep.started_at:
                raise ValidationError("notified at", "is before the child went missing")
            row = EpisodeNotification(
                episode_id=ep.id,
                party=party,
                notified_at=notified_at,
                notified_by=by or "",
                notified_whom=whom or "",
                method=how,
                note=what,
                recorded_at=uow.now,
                recorded_by=self.actor.label,
            )
            s.add(row)
            s.flush()
            uow.audit("episode.notify", "episode_notification", row.id, ep.child_id, after=snapshot(row))
            uow.changed(ChangeKind.EPISODE_NOTIFIED, EpisodeChanged(ep.id, ep.child_id))
            uow.commit()
            return int(row.id)

    def checklist(self, episode_id: int) -> Checklist:
        self.require(Permission.READ_REGISTER)
        with self.db.read_session() as s:
            ep = s.get(MissingEpisode, episode_id)
            if ep is None:
                raise NotFoundError("episode", str(episode_id))
            host = (
                s.scalar(select(CareEpisode.host_la).where(CareEpisode.id == ep.care_episode_id))
                if ep.care_episode_id
                else None
            )
            out = bool(is_out_of_area(host, _council_la(s)))
            rows = s.scalars(
                select(EpisodeNotification)
                .where(EpisodeNotification.episode_id == ep.id)
                .order_by(EpisodeNotification.notified_at, EpisodeNotification.id)
            ).all()
            contact_row = s.get(HostAuthorityContact, host) if host else None
            contact = _contact(contact_row) if contact_row else None
            notices = [
                NoticeRow(r.id, r.party, r.notified_at, r.notified_by, r.notified_whom, r.method, r.note, r.recorded_by)
                for r in rows
            ]
            parties = list(checklist_parties(out))
            parties += [p for p in NotifyParty.ALL if p not in parties and any(n.party == p for n in notices)]
            items = tuple(
                ChecklistItem(
                    p,
                    NotifyParty.LABELS[p],
                    tuple(n for n in notices if n.party == p),
                    contact if p in (NotifyParty.HOST_AUTHORITY, NotifyParty.HOST_POLICE) else None,
                )
                for p in parties
            )
            return Checklist(ep.id, ep.child_id, out, host, items)

    # -- host authority contacts (administrators) ---------------------------------------------
    def host_contacts(self) -> list[HostContact]:
        with self.db.read_session() as s:
            return [_contact(r) for r in s.scalars(select(HostAuthorityContact).order_by(HostAuthorityContact.name))]

    def save_host_contacts(self, contacts: list[HostContact]) -> int:
        """Add or update contacts, all or none (one transaction)."""
        cleaned = [_clean_contact(c, i) for i, c in enumerate(contacts, start=1)]
        with self._uow(Permission.CHANGE_SETTINGS) as uow:
            s = uow.session
            for c in cleaned:
                row = s.get(HostAuthorityContact, c.la_code)
                before = snapshot(row) if row else None
                if row is None:
                    row = HostAuthorityContact(la_code=c.la_code)
                    s.add(row)
                for name in CONTACT_COLUMNS[1:]:
                    setattr(row, name, getattr(c, name))
                row.updated_at, row.updated_by = uow.now, self.actor.label
                uow.audit("host_contact.save", "host_authority_contact", c.la_code, None, before, snapshot(row))
            uow.changed(ChangeKind.HOST_CONTACT_SAVED, HostContactsChanged())
            uow.commit()
        return len(cleaned)

    def import_host_contacts_csv(self, text: str) -> int:
        """CSV with a header row naming the columns (la_code and name required)."""
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        for needed in ("la_code", "name"):
            if needed not in header:
                raise ValidationError(
                    "CSV header", f"needs a column '{needed}' (columns: {', '.join(CONTACT_COLUMNS)})"
                )
        contacts = []
        for line, raw in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            try:
                contacts.append(_clean_contact(HostContact(**{k: (row.get(k) or None) for k in CONTACT_COLUMNS}), line))  # type: ignore[arg-type]
            except ValidationError as exc:
                raise ValidationError(f"CSV line {line}: {exc.field}", exc.rule) from None
        return self.save_host_contacts(contacts)

    # -- linked children -------------------------------------------------------------------
    def linked(self, child_id: str, at: datetime | None = None) -> list[LinkedChild]:
        """Children linked to this one; restricted children the person may not see never appear."""
        self.require(Permission.READ_REGISTER)
        visible = visible_children(self.actor.role, self.actor.staff_id, self.actor.team_id)
        with self.db.read_session() as s:
            if s.scalar(select(Child.id).where(Child.id == child_id, visible)) is None:
                raise NotFoundError("child", child_id)
            return linked_children(s, child_id, at or self.clock.now(), visible)


def _contact(r: HostAuthorityContact) -> HostContact:
    return HostContact(**{k: getattr(r, k) for k in CONTACT_COLUMNS})


def _clean_contact(c: HostContact, line: int) -> HostContact:
    code = check_host_la((c.la_code or "").strip().upper() or None)
    if code is None:
        raise ValidationError("la_code", "is required (the council's ONS code, like E08000025)")
    values = {k: fields.clean(f"host_authority_contact.{k}", getattr(c, k)) for k in CONTACT_COLUMNS[1:]}
    return HostContact(la_code=code, **values)  # type: ignore[arg-type]
