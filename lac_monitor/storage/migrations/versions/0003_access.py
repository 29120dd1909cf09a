"""access: restricted children, a hash-chained append-only audit trail

- child.restricted (+ reason, by, at): row-level security hides a restricted child from
  everyone but the people who need them (policies: `lac-monitor db provision`).
- audit_log.prev_hash / hash: the chain; existing rows are chained in id order here.
  audit_log.staff_id loses its foreign key, so the trail outlives any register.
- PostgreSQL: the chain is computed by a trigger; audit_log and change_feed refuse UPDATE,
  DELETE and TRUNCATE from every role but the owner; setting.updated_by is filled in from
  the connected login's staff record.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lac_monitor.storage.audit_chain import GENESIS, PG_FUNCTIONS, row_hash
from lac_monitor.storage.database import FEED_LOCK_KEY
from lac_monitor.storage.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("child") as batch:
        batch.add_column(sa.Column("restricted", sa.Boolean(), nullable=False,
                                   server_default=sa.text("false")))
        batch.add_column(sa.Column("restricted_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("restricted_by", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("restricted_at", sa.DateTime(timezone=True), nullable=True))
    # The few restricted children, found without reading the register (row-level security
    # asks for them in every query a person makes).
    op.create_index("ix_child_restricted", "child", ["id"], unique=False,
                    sqlite_where=sa.text("restricted"), postgresql_where=sa.text("restricted"))
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_constraint("fk_audit_log_staff_id_staff", type_="foreignkey")
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    audit = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("at", UtcDateTime()),
                     sa.column("username", sa.String), sa.column("staff_id", sa.Integer),
                     sa.column("action", sa.String), sa.column("entity", sa.String),
                     sa.column("entity_id", sa.String), sa.column("child_id", sa.String),
                     sa.column("detail", sa.Text), sa.column("prev_hash", sa.String),
                     sa.column("hash", sa.String))
    prev = GENESIS
    for row in bind.execute(sa.select(audit).order_by(audit.c.id)).mappings().all():
        digest = row_hash(row, prev)
        bind.execute(audit.update().where(audit.c.id == row["id"]).values(prev_hash=prev, hash=digest))
        prev = digest

    if bind.dialect.name == "postgresql":
        schema = bind.exec_driver_sql("SELECT current_schema()").scalar()
        sql = (PG_FUNCTIONS.replace("{schema}", str(schema)).replace("{lock_key}", str(FEED_LOCK_KEY))
               .replace("{genesis}", GENESIS))
        bind.exec_driver_sql(sql.replace("%", "%%"))  # no parameters: a literal % in plpgsql


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(
            "DROP TRIGGER IF EXISTS audit_log_chain ON audit_log;"
            "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;"
            "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;"
            "DROP TRIGGER IF EXISTS change_feed_append_only ON change_feed;"
            "DROP TRIGGER IF EXISTS change_feed_no_truncate ON change_feed;"
            "DROP TRIGGER IF EXISTS setting_author ON setting;"
            "ALTER TABLE audit_log ALTER COLUMN id SET DEFAULT "
            "nextval(pg_get_serial_sequence('audit_log', 'id'));")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
    op.drop_index("ix_child_restricted", table_name="child")
    with op.batch_alter_table("child") as batch:
        for name in ("restricted_at", "restricted_by", "restricted_reason", "restricted"):
            batch.drop_column(name)
