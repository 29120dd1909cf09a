"""Which children a person may see, by the app's own check (domain.access.may_see_restricted).

On PostgreSQL row-level security (`lac_hidden_children()`) applies the same rule whatever the
client; this is the check for the embedded database and for a connection that bypasses the
policies (the tables' owner). "Now" is the service's clock, and office hours are the council's
one definition (the ladder setting, `Ladder.is_office_hours`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lac_monitor.domain.errors import NotFoundError
from lac_monitor.domain.ladder import Ladder
from lac_monitor.services.uow import Actor
from lac_monitor.storage.board import hidden_children
from lac_monitor.storage.database import Reader
from lac_monitor.storage.schema import Child


def hidden_for(session: Reader, actor: Actor, at: datetime, ladder: Ladder) -> frozenset[str]:
    """The restricted children `actor` may not see at `at`."""
    return hidden_children(session, actor.role, actor.staff_id, actor.team_id, ladder.is_office_hours(at))


def require_visible(session: Session, actor: Actor, child_id: str, at: datetime, ladder: Ladder) -> None:
    """NotFoundError for a child this person may not see, as PostgreSQL's policies answer."""
    if session.scalar(select(Child.restricted).where(Child.id == child_id)) and child_id in hidden_for(
        session, actor, at, ladder
    ):
        raise NotFoundError("Child", child_id)
