"""Council-wide settings in the shared database: every desktop uses the same ladder.

The escalation ladder is stored under the `setting` key "ladder" as JSON. Saving is an
administrator's action, validated (naming the field and the rule) and audited.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from sqlalchemy import select

from lac_monitor.domain import access
from lac_monitor.domain.access import Permission
from lac_monitor.domain.changes import ChangeKind, SettingChanged
from lac_monitor.domain.clock import Clock, SystemClock
from lac_monitor.domain.codes import RiskFlag
from lac_monitor.domain.errors import AccessRefusedError, ValidationError
from lac_monitor.domain.ladder import DEFAULT_LADDER, LADDER_KEY, Ladder, parse_bank_holidays, validate_ladder
from lac_monitor.services.uow import Actor, UnitOfWork
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Setting

log = logging.getLogger(__name__)

RISK_FLAGS_KEY = "risk_flags"  # JSON {code: label}: the council's list of risk flags
COUNCIL_KEY = "council"  # JSON {"la_code": "E08000035", "name": "..."}: who we are for the returns
NotAllowedError = AccessRefusedError  # the name callers used before access had its own module


def load_ladder(db: Database) -> Ladder:
    """The council's ladder; the defaults if none was saved or the stored one is unreadable."""
    with db.read_session() as s:
        raw = s.scalar(select(Setting.value).where(Setting.key == LADDER_KEY))
    if raw is None:
        return DEFAULT_LADDER
    try:
        ladder = Ladder.from_json(json.loads(raw))
        validate_ladder(ladder)
    except (ValueError, TypeError, ValidationError):
        log.warning("stored escalation ladder is unreadable; using the defaults")
        return DEFAULT_LADDER
    return ladder


class SettingsService:
    def __init__(self, db: Database, actor: Actor, clock: Clock | None = None) -> None:
        self.db = db
        self.actor = actor
        self.clock = clock or SystemClock()

    @property
    def can_edit(self) -> bool:
        return access.may(self.actor.role, Permission.CHANGE_SETTINGS)

    def ladder(self) -> Ladder:
        return load_ladder(self.db)

    def save_bank_holidays(self, days: Iterable[str | date]) -> Ladder:
        """Replace the bank holidays (the rest of the ladder kept): each is a weekend day for
        office hours, the handover window and the escalation labels that follow them."""
        return self.save_ladder(replace(self.ladder(), bank_holidays=parse_bank_holidays(list(days))))

    def save_ladder(self, ladder: Ladder) -> Ladder:
        """Validate, store and audit; every desktop picks it up from the change feed."""
        if not self.can_edit:
            raise AccessRefusedError(access.refusal(self.actor.role, Permission.CHANGE_SETTINGS))
        validate_ladder(ladder)
        with UnitOfWork(self.db, self.actor, self.clock) as uow:
            s = uow.session
            row = s.get(Setting, LADDER_KEY, with_for_update=True)
            before = json.loads(row.value) if row is not None else None
            value = json.dumps(ladder.to_json(), sort_keys=True)
            if row is None:
                s.add(Setting(key=LADDER_KEY, value=value, updated_at=uow.now, updated_by=self.actor.label))
            else:
                row.value, row.updated_at, row.updated_by = value, uow.now, self.actor.label
            uow.audit("setting.save", "setting", LADDER_KEY, None, before, ladder.to_json())
            uow.changed(ChangeKind.SETTING_CHANGED, SettingChanged(LADDER_KEY))
            uow.commit()
        return ladder


def _load_json(db: Database, key: str) -> object:
    with db.read_session() as s:
        raw = s.scalar(select(Setting.value).where(Setting.key == key))
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        log.warning("stored setting %s is unreadable; using the defaults", key)
        return None


def load_risk_flags(db: Database) -> dict[str, str]:
    """The council's risk flags, code -> label: the national list plus the council's own."""
    flags = {f.value: f.label for f in RiskFlag}
    stored = _load_json(db, RISK_FLAGS_KEY)
    if isinstance(stored, dict):
        flags.update({str(k): str(v) for k, v in stored.items() if str(k).strip() and str(v).strip()})
    return flags


def council_la_code(db: Database) -> str | None:
    """The council's own ONS code: a placement elsewhere is out of area."""
    stored = _load_json(db, COUNCIL_KEY)
    return str(stored.get("la_code")) if isinstance(stored, dict) and stored.get("la_code") else None


def _save(uow: UnitOfWork, key: str, value: object, label: str) -> None:
    s = uow.session
    row = s.get(Setting, key, with_for_update=True)
    before = json.loads(row.value) if row is not None else None
    text = json.dumps(value, sort_keys=True)
    if row is None:
        s.add(Setting(key=key, value=text, updated_at=uow.now, updated_by=label))
    else:
        row.value, row.updated_at, row.updated_by = text, uow.now, label
    uow.audit("setting.save", "setting", key, None, before, value)  # type: ignore[arg-type]
    uow.changed(ChangeKind.SETTING_CHANGED, SettingChanged(key))


def _require_settings(actor: Actor) -> None:
    if not access.may(actor.role, Permission.CHANGE_SETTINGS):
        raise AccessRefusedError(access.refusal(actor.role, Permission.CHANGE_SETTINGS))


def save_risk_flags(db: Database, actor: Actor, extra: dict[str, str], clock: Clock | None = None) -> None:
    """Add (or relabel) the council's own risk flags; the national ones always stay."""
    _require_settings(actor)
    for code, label in extra.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]{1,29}", code):
            raise ValidationError("risk flag code", f"'{code}' must be 2-30 lower-case letters, digits or _")
        if not label.strip() or len(label) > 60:
            raise ValidationError("risk flag label", "is required, at most 60 characters")
    with UnitOfWork(db, actor, clock or SystemClock()) as uow:
        _save(uow, RISK_FLAGS_KEY, extra, actor.label)
        uow.commit()


def save_council_la_code(db: Database, actor: Actor, la_code: str, clock: Clock | None = None) -> None:
    _require_settings(actor)
    if not re.fullmatch(r"E0[6-9]\d{6}|E10\d{6}", la_code):
        raise ValidationError("council LA code", f"'{la_code}' must be an English council's ONS code (like E08000035)")
    with UnitOfWork(db, actor, clock or SystemClock()) as uow:
        _save(uow, COUNCIL_KEY, {"la_code": la_code}, actor.label)
        uow.commit()
