"""the duty team sees restricted children out of office hours only

No table changes. On a PostgreSQL database that `db provision` has already set up, the
policies' functions are re-created so that `lac_hidden_children()` applies the new rule at
once (it reads the council's office hours through `lac_office_hours()`); a database never
provisioned is left alone (provisioning creates them).

Revision ID: 0009
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from lac_monitor.storage.provision import refresh_functions

        refresh_functions(bind)


def downgrade() -> None:
    # The earlier rule let the duty team see restricted children at all hours; nothing is
    # re-created on the way down (`db provision` from the older version restores its rule).
    pass
