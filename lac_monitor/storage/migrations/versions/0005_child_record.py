"""The complete child record: host authority of a placement (PL_LA) and coded RHI outcomes

Revision ID: 0005
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("care_episode") as batch:
        batch.add_column(sa.Column("host_la", sa.String(9), nullable=True))
    with op.batch_alter_table("rhi") as batch:
        batch.add_column(sa.Column("outcome_code", sa.String(30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rhi") as batch:
        batch.drop_column("outcome_code")
    with op.batch_alter_table("care_episode") as batch:
        batch.drop_column("host_la")
