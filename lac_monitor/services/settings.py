"""Council-wide settings in the shared database: every desktop uses the same ladder.

The escalation ladder is stored under the `setting` key "ladder" as JSON. Saving is an
administrator's action, validated (naming the field and the rule) and audited.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import select

from lac_monitor.domain import access
from lac_monitor.domain.access import Permission
from lac_monitor.domain.clock import Clock, SystemClock
from lac_monitor.domain.errors import AccessRefusedError, ValidationError
from lac_monitor.domain.ladder import DEFAULT_LADDER, Ladder, validate_ladder
from lac_monitor.services.uow import Actor, UnitOfWork
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Setting

log = logging.getLogger(__name__)

LADDER_KEY = "ladder"
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
                s.add(Setting(key=LADDER_KEY, value=value, updated_at=uow.now,
                              updated_by=self.actor.label))
            else:
                row.value, row.updated_at, row.updated_by = value, uow.now, self.actor.label
            uow.audit("setting.save", "setting", LADDER_KEY, None, before, ladder.to_json())
            uow.changed("setting.changed", "setting", LADDER_KEY, None)
            uow.commit()
        return ladder
