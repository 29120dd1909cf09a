"""patterns: notifications on an episode (UK Missing Persons Unit, out of area), host
authority contacts, and structured associates / places for linked children

Revision ID: 0008
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lac_monitor.domain.patterns import episode_texts, profile_texts, value_rows
from lac_monitor.storage.types import UtcDateTime

revision = "0008"
down_revision = "0007"
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
    op.create_index("ix_missing_episode_started_at", "missing_episode", ["started_at"])
    _backfill()


def _backfill() -> None:
    """Structured values from the free text already recorded (same rules as the services)."""
    bind = op.get_bind()
    ep = sa.table("missing_episode", sa.column("id", sa.Integer), sa.column("child_id", sa.String),
                  sa.column("started_at", UtcDateTime()), sa.column("last_seen_with", sa.Text),
                  sa.column("last_seen_where", sa.Text), sa.column("found_where", sa.Text))
    prof = sa.table("philomena_profile", sa.column("child_id", sa.String),
                    sa.column("updated_at", UtcDateTime()), sa.column("associates", sa.Text),
                    sa.column("places_likely", sa.Text))
    pv = sa.table("pattern_value", sa.column("child_id", sa.String), sa.column("episode_id", sa.Integer),
                  sa.column("kind", sa.String), sa.column("value", sa.String), sa.column("norm", sa.String),
                  sa.column("at", UtcDateTime()))
    rows: list[dict[str, object]] = []
    for r in bind.execute(sa.select(ep)).mappings():
        rows += value_rows(r["child_id"], r["id"], r["started_at"],
                           episode_texts(r["last_seen_with"], r["last_seen_where"], r["found_where"]))
    for r in bind.execute(sa.select(prof)).mappings():
        rows += value_rows(r["child_id"], None, r["updated_at"],
                           profile_texts(r["associates"], r["places_likely"]))
    for i in range(0, len(rows), 1000):
        bind.execute(pv.insert(), rows[i:i + 1000])


def downgrade() -> None:
    op.drop_index("ix_missing_episode_started_at", "missing_episode")
    op.drop_table("pattern_value")
    op.drop_table("host_authority_contact")
    op.drop_table("episode_notification")
