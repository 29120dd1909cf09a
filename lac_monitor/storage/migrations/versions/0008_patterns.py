"""patterns: notifications on an episode (UK Missing Persons Unit, out of area), host
authority contacts, and structured associates / places for linked children

Revision ID: 0008
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lac_monitor.storage.types import UtcDateTime

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "episode_notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), sa.ForeignKey("missing_episode.id",
                  name="fk_episode_notification_episode_id_missing_episode"), nullable=False),
        sa.Column("party", sa.String(30), nullable=False),
        sa.Column("notified_at", UtcDateTime(), nullable=False),
        sa.Column("notified_by", sa.String(200), nullable=False),
        sa.Column("notified_whom", sa.String(200), nullable=False),
        sa.Column("method", sa.String(60), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_episode_notification"),
    )
    op.create_index("ix_episode_notification_episode_id", "episode_notification", ["episode_id"])
    op.create_table(
        "host_authority_contact",
        sa.Column("la_code", sa.String(9), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("missing_contact", sa.String(200), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("out_of_hours_phone", sa.String(40), nullable=True),
        sa.Column("police_force", sa.String(120), nullable=True),
        sa.Column("police_phone", sa.String(40), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("la_code", name="pk_host_authority_contact"),
    )
    op.create_table(
        "pattern_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.String(10), sa.ForeignKey("child.id",
                  name="fk_pattern_value_child_id_child"), nullable=False),
        sa.Column("episode_id", sa.Integer(), sa.ForeignKey("missing_episode.id",
                  name="fk_pattern_value_episode_id_missing_episode"), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("norm", sa.String(200), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pattern_value"),
    )
    op.create_index("ix_pattern_value_child_id", "pattern_value", ["child_id"])
    op.create_index("ix_pattern_value_episode_id", "pattern_value", ["episode_id"])
    op.create_index("ix_pattern_value_norm", "pattern_value", ["norm", "kind"])


def downgrade() -> None:
    op.drop_table("pattern_value")
    op.drop_table("host_authority_contact")
    op.drop_table("episode_notification")
