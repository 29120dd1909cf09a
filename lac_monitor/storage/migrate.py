"""Alembic migrations, applied on start and by `lac-monitor db upgrade`.

Alembic is imported when a function here runs, not with the module: a process that never
opens a database this way (the live bridge's own connections, a headless desktop in the
fleet bench) does not carry it (about 15 MB a process)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from lac_monitor import __version__
from lac_monitor.domain.errors import DatabaseTooNewError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "lac_monitor.storage:migrations")
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def check_not_newer(engine: Engine) -> None:
    rev = current_revision(engine)
    if rev is None:
        return
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = {s.revision for s in script.walk_revisions()}
    if rev not in known:
        raise DatabaseTooNewError(
            f"This database has been upgraded by a newer LAC Monitor (schema {rev}). "
            f"This copy ({__version__}) cannot open it safely. Install the newer version "
            "or ask IT to update this computer."
        )


def upgrade(engine: Engine) -> str:
    """Bring the schema to head. Refuses a database newer than this program."""
    check_not_newer(engine)
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    rev = head_revision()
    log.info("database schema at %s", rev)
    return rev
