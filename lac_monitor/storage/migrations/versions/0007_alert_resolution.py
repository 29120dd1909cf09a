"""alerts resolve themselves when their condition ends; the duty team's own acknowledgement

`alert.resolved_at` / `resolved_reason`: a returned child's "missing 24 h" alert, or a
"no police reference" alert once the reference is recorded, leaves the banner and the
open lists and stays in history. `duty_acknowledged_at` / `_by`: an alert addressed to the
duty team stays open for the duty team until a duty officer acknowledges it, even if a day
worker acknowledged it first.

Revision ID: 0007
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolved_reason", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("duty_acknowledged_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("duty_acknowledged_by", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert") as batch:
        batch.drop_column("duty_acknowledged_by")
        batch.drop_column("duty_acknowledged_at")
        batch.drop_column("resolved_reason")
        batch.drop_column("resolved_at")
