"""change_feed.seq never reused on SQLite (AUTOINCREMENT)

Without it SQLite may hand out a deleted row's number again, and a desktop reading
"after the last sequence I saw" would miss the change.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL sequences never go backwards
    with op.batch_alter_table("change_feed", recreate="always",
                              table_kwargs={"sqlite_autoincrement": True}):
        pass


def downgrade() -> None:
    pass
