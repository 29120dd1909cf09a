"""bank holidays are out of office hours, as weekends are

No table changes. On a PostgreSQL database that `db provision` has already set up,
`lac_office_hours()` is re-created so that it reads the bank holidays in the ladder setting
(and the England and Wales defaults when none are set), as `Ladder.is_office_hours` does.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from lac_monitor.storage.provision import refresh_functions

        refresh_functions(bind)


def downgrade() -> None:
    """The function from 0009 comes back with the next provisioning; nothing to undo in tables."""
