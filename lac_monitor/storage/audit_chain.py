"""The audit trail's hash chain: append, and verify.

Each row's `hash` is SHA-256 over its content and `prev_hash` (the hash of the row before
it, by id). On PostgreSQL the database computes it in a trigger (`lac_audit_chain`, created
by migration 0003) under the feed's advisory lock, so concurrent writers chain in commit
order and a raw INSERT from any SQL tool is chained too. On SQLite the writer holds the
database's write lock (BEGIN IMMEDIATE) and `append` computes the same hash here.

Anyone who edits, inserts or removes a row without recomputing every later hash is caught
by `verify`; the table's owner could recompute them, which is why the trail is also
append-only for every other role and why a copy of the last hash belongs in IT's records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select
from sqlalchemy.orm import Session

from lac_monitor.storage.schema import AuditLog

GENESIS = "0" * 64
CONTENT = ("at", "username", "staff_id", "action", "entity", "entity_id", "child_id", "detail")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _field(value: str | None) -> str:
    # Length-prefixed, so no choice of text can make two different rows read the same.
    return "~" if value is None else f"{len(value)}:{value}"


def _micros(at: datetime) -> str:
    return str((at.astimezone(UTC) - _EPOCH) // timedelta(microseconds=1))


def row_hash(row: Mapping[str, Any] | RowMapping, prev_hash: str) -> str:
    """The same formula as the SQL function `lac_audit_row_hash` (migration 0003)."""
    parts = [
        _field(_micros(row["at"])),
        _field(row["username"]),
        _field(None if row["staff_id"] is None else str(row["staff_id"])),
        _field(row["action"]),
        _field(row["entity"]),
        _field(row["entity_id"]),
        _field(row["child_id"]),
        _field(row["detail"]),
    ]
    return hashlib.sha256(("|".join(parts) + "|" + prev_hash).encode("utf-8")).hexdigest()


# The SQL twin of row_hash, for PostgreSQL (created by migration 0003).
PG_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION lac_audit_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN v IS NULL THEN '~' ELSE length(v)::text || ':' || v END $$;

CREATE OR REPLACE FUNCTION lac_audit_row_hash(r audit_log, prev text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(
    lac_audit_field(floor(extract(epoch FROM r.at) * 1000000)::bigint::text) || '|' ||
    lac_audit_field(r.username) || '|' || lac_audit_field(r.staff_id::text) || '|' ||
    lac_audit_field(r.action) || '|' || lac_audit_field(r.entity) || '|' ||
    lac_audit_field(r.entity_id) || '|' || lac_audit_field(r.child_id) || '|' ||
    lac_audit_field(r.detail) || '|' || prev, 'UTF8')), 'hex')
$$;

CREATE OR REPLACE FUNCTION lac_audit_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
  last_hash text;
  who record;
BEGIN
  -- One writer at a time appends (the same lock orders the change feed), so ids and
  -- the chain follow commit order whatever the number of desktops.
  PERFORM pg_advisory_xact_lock({lock_key});
  NEW.id := nextval(pg_get_serial_sequence('{schema}.audit_log', 'id'));
  -- A person connected as their own login is recorded as that login, whatever the client says.
  SELECT id, username INTO who FROM staff WHERE username = session_user;
  IF FOUND THEN
    NEW.username := who.username;
    NEW.staff_id := who.id;
  END IF;
  SELECT hash INTO last_hash FROM audit_log ORDER BY id DESC LIMIT 1;
  NEW.prev_hash := coalesce(last_hash, '{genesis}');
  NEW.hash := lac_audit_row_hash(NEW, NEW.prev_hash);
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION lac_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'lac-monitor: % is append-only; % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION lac_setting_author() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
  who text;
BEGIN
  SELECT display_name INTO who FROM staff WHERE username = session_user;
  IF who IS NOT NULL THEN NEW.updated_by := who; END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS audit_log_chain ON audit_log;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION lac_audit_chain();
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION lac_append_only();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION lac_append_only();
DROP TRIGGER IF EXISTS change_feed_append_only ON change_feed;
CREATE TRIGGER change_feed_append_only BEFORE UPDATE OR DELETE ON change_feed
  FOR EACH ROW EXECUTE FUNCTION lac_append_only();
DROP TRIGGER IF EXISTS change_feed_no_truncate ON change_feed;
CREATE TRIGGER change_feed_no_truncate BEFORE TRUNCATE ON change_feed
  FOR EACH STATEMENT EXECUTE FUNCTION lac_append_only();
DROP TRIGGER IF EXISTS setting_author ON setting;
CREATE TRIGGER setting_author BEFORE INSERT OR UPDATE ON setting
  FOR EACH ROW EXECUTE FUNCTION lac_setting_author();
ALTER TABLE audit_log ALTER COLUMN id DROP DEFAULT;
"""


def append(conn: Connection | Session, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert audit rows at the end of the chain, in the caller's transaction."""
    batch: list[dict[str, Any]] = [dict(r) for r in rows]
    if not batch:
        return
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    if bind.dialect.name == "postgresql":
        conn.execute(insert(AuditLog), batch)  # the trigger chains them
        return
    prev = conn.execute(select(AuditLog.hash).order_by(AuditLog.id.desc()).limit(1)).scalar()
    prev = prev or GENESIS
    for r in batch:
        r["prev_hash"] = prev
        r["hash"] = prev = row_hash(r, prev)
    conn.execute(insert(AuditLog), batch)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rows: int
    last_hash: str
    bad_id: int | None = None
    reason: str = ""


def verify(conn: Connection | Session, batch: int = 5000) -> Verdict:
    """Walk the whole chain in id order; stop at the first row that does not hold."""
    prev, prev_id, count, after = GENESIS, None, 0, 0
    cols = [AuditLog.id, AuditLog.prev_hash, AuditLog.hash] + [getattr(AuditLog, c) for c in CONTENT]
    while True:
        chunk = (
            conn.execute(select(*cols).where(AuditLog.id > after).order_by(AuditLog.id).limit(batch)).mappings().all()
        )
        if not chunk:
            return Verdict(True, count, prev)
        for r in chunk:
            if r["prev_hash"] != prev:
                where = f"after row {prev_id}" if prev_id is not None else "at the start of the trail"
                return Verdict(
                    False,
                    count,
                    prev,
                    r["id"],
                    f"row {r['id']} does not follow on from the row before it: a row was removed or inserted {where}",
                )
            if r["hash"] != row_hash(r, prev):
                return Verdict(False, count, prev, r["id"], f"row {r['id']} was changed after it was written")
            prev, prev_id, count = r["hash"], r["id"], count + 1
        after = chunk[-1]["id"]
