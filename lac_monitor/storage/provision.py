"""PostgreSQL roles, grants and row-level security, made from domain/access.py.

`provision` is run by IT as the database owner (`lac-monitor db provision`) and is
idempotent: group roles belong to the server, not the database, so another database on
the same server (training beside live) or another session may have created them already.

Who is who: every person connects as their own login, which is a member of one group role
(`lac_social_worker`, ...) and maps to a staff record by `staff.username = session_user`.
The policies key off both, so a later regional mode is an `authority` column on child and
staff plus one more condition in `lac_hidden_children` / `lac_police_children`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from lac_monitor.domain.access import (
    APPEND_ONLY_TABLES,
    POLICE_RECENT_DAYS,
    REGISTER_TABLES,
    RESTRICTION_COLUMNS,
    ROLE_PERMISSIONS,
    SERVICE_GROUP_ROLE,
    TABLE_GRANTS,
    Permission,
    group_role,
    roles_with,
)
from lac_monitor.domain.codes import StaffRole
from lac_monitor.domain.errors import AccessRefusedError, ValidationError
from lac_monitor.domain.ladder import DEFAULT_LADDER, LADDER_KEY
from lac_monitor.domain.localtime import DEFAULT_TZ
from lac_monitor.storage.database import Database
from lac_monitor.storage.schema import Base

log = logging.getLogger(__name__)

LOGIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@\\-]{0,62}$")
# Tables whose rows belong to one child (column child_id), and those that hang off another.
CHILD_TABLES = (
    "care_episode",
    "risk_flag",
    "philomena_profile",
    "missing_episode",
    "rhi",
    "alert",
    "audit_log",
    "change_feed",
    "pattern_value",
)
NULLABLE_CHILD = ("alert", "audit_log", "change_feed")
# Tables that hang off another: the column, and the function listing the parent rows hidden.
DERIVED = {
    "episode_event": ("episode_id", "lac_hidden_episodes"),
    "episode_notification": ("episode_id", "lac_hidden_episodes"),
    "rhi_episode": ("rhi_id", "lac_hidden_rhis"),
    "alert_recipient": ("alert_id", "lac_hidden_alerts"),
}
SHARED_TABLES = ("staff", "team", "setting", "host_authority_contact")
SERVICE_WRITES = {
    "alert": ("INSERT", "UPDATE"),
    "alert_recipient": ("INSERT", "UPDATE"),
    "audit_log": ("INSERT",),
    "change_feed": ("INSERT",),
    "service_heartbeat": ("INSERT", "UPDATE"),
}


@dataclass(frozen=True)
class DbLogin:
    name: str
    superuser: bool
    owner: bool
    provisioned: bool = False
    service: bool = False  # a member of lac_service (the headless escalation service)

    @property
    def privileged(self) -> bool:
        return self.superuser or self.owner


def whoami(db: Database) -> tuple[int, str, str, str, int | None, bool] | None:
    """The connected login's staff record on a provisioned database, whatever its grants
    (None if it has none)."""
    with db.engine.connect() as c:
        row = c.execute(text("SELECT id, username, display_name, role, team_id, active FROM lac_whoami()")).first()
    return None if row is None else (row[0], row[1], row[2], row[3], row[4], bool(row[5]))


def database_login(db: Database) -> DbLogin | None:
    """Who this connection is on PostgreSQL (None on SQLite)."""
    if not db.is_postgresql:
        return None
    with db.engine.connect() as c:
        name, superuser, owner, provisioned, service = c.execute(
            text(
                "SELECT session_user, coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false), "
                "coalesce((SELECT pg_has_role(session_user, relowner, 'MEMBER') FROM pg_class "
                "WHERE oid = to_regclass('child')), false), "
                "to_regprocedure('lac_whoami()') IS NOT NULL, "
                "EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :svc) AND pg_has_role(session_user, :svc, 'MEMBER')"
            ),
            {"svc": SERVICE_GROUP_ROLE},
        ).one()
    return DbLogin(str(name), bool(superuser), bool(owner), bool(provisioned), bool(service))


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def check_login(login: str) -> None:
    if not LOGIN.match(login or ""):
        raise ValidationError(
            "login",
            "must be 1 to 63 letters, digits or . _ @ \\ - (a Windows or "
            "directory login), starting with a letter or digit",
        )


def _role_exists(c: Connection, name: str) -> bool:
    return bool(c.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar())


def _create_role(c: Connection, name: str, options: str) -> bool:
    """CREATE ROLE unless it exists; another session creating it at the same moment is fine."""
    if _role_exists(c, name):
        return False
    try:
        with c.begin_nested():
            c.exec_driver_sql(f"CREATE ROLE {quote(name)} {options}")
    except DBAPIError as exc:
        code = getattr(exc.orig, "sqlstate", None)
        if code in ("42710", "23505"):  # duplicate_object / unique_violation: created meanwhile
            return False
        if code == "42501":
            raise AccessRefusedError(
                f"This database login may not create the login role '{name}'. Ask IT to run "
                f"lac-monitor db provision (or CREATE ROLE) as the database owner."
            ) from exc
        raise
    return True


def is_provisioned(c: Connection) -> bool:
    """Whether `db provision` has put row-level security on this database."""
    return bool(c.execute(text("SELECT relrowsecurity FROM pg_class WHERE oid = to_regclass('child')")).scalar())


def ensure_login(c: Connection, login: str, role: str, active: bool = True) -> bool:
    """The person's own login role, a member of exactly their staff role's group (PostgreSQL).
    No password: with directory sign-in (GSSAPI/SSPI) there is none; IT sets one otherwise.
    Does nothing (False) on a database that was never provisioned."""
    if not is_provisioned(c):
        return False
    check_login(login)
    _create_role(c, login, "LOGIN")
    groups = {group_role(r) for r in StaffRole}
    member_of = {
        str(r[0])
        for r in c.execute(
            text(
                "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = :u"
            ),
            {"u": login},
        )
    }
    for g in sorted(member_of & groups):
        if g != group_role(role) or not active:  # a change of role, or a leaver
            c.exec_driver_sql(f"REVOKE {quote(g)} FROM {quote(login)}")
    if active:
        try:
            with c.begin_nested():
                c.exec_driver_sql(f"GRANT {quote(group_role(role))} TO {quote(login)}")
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == "42501":
                raise AccessRefusedError(
                    f"This database login may not grant '{group_role(role)}' to '{login}'. Ask IT to "
                    "add the person with lac-monitor staff add as the database owner."
                ) from exc
            raise
    return True


# -- provisioning ----------------------------------------------------------------------------
@dataclass
class Provisioned:
    created_roles: list[str] = field(default_factory=list)
    schema: str = "public"


def _functions(schema: str) -> str:
    see_all = " OR ".join(
        f"pg_has_role(session_user, '{group_role(r)}', 'MEMBER')" for r in roles_with(Permission.SEE_ALL_RESTRICTED)
    )
    see_team = " OR ".join(
        f"pg_has_role(session_user, '{group_role(r)}', 'MEMBER')" for r in roles_with(Permission.SEE_TEAM_RESTRICTED)
    )
    out_of_hours = (
        " OR ".join(
            f"pg_has_role(session_user, '{group_role(r)}', 'MEMBER')"
            for r in roles_with(Permission.SEE_RESTRICTED_OUT_OF_HOURS)
        )
        or "false"
    )
    definer = f"SECURITY DEFINER SET search_path = {schema}, pg_temp"
    d = DEFAULT_LADDER
    start, end = d.office_start.strftime("%H:%M"), d.office_end.strftime("%H:%M")
    days = "{" + ",".join(str(x) for x in d.office_days) + "}"
    holidays = "{" + ",".join(h.isoformat() for h in d.bank_holidays) + "}"
    return f"""
CREATE OR REPLACE FUNCTION lac_is_known() RETURNS boolean LANGUAGE sql STABLE {definer} AS $$
  SELECT EXISTS (SELECT 1 FROM staff WHERE username = session_user AND active)
      OR pg_has_role(session_user, '{SERVICE_GROUP_ROLE}', 'MEMBER')
$$;
-- Who am I: readable by any login, even one with no group role (a leaver is told so).
CREATE OR REPLACE FUNCTION lac_whoami()
  RETURNS TABLE (id integer, username varchar, display_name varchar, role varchar, team_id integer,
                 active boolean)
  LANGUAGE sql STABLE {definer} AS $$
  SELECT id, username, display_name, role, team_id, active FROM staff WHERE username = session_user
$$;
-- Whether it is office hours now, by the council's one definition (the ladder setting:
-- office_start, office_end, office_days 0 = Monday, bank_holidays; Ladder.is_office_hours), in
-- {DEFAULT_TZ} local time. A missing, unreadable or invalid setting means the defaults, as
-- services/settings.py load_ladder does.
CREATE OR REPLACE FUNCTION lac_office_hours() RETURNS boolean LANGUAGE plpgsql STABLE {definer} AS $$
DECLARE
  j jsonb;
  t timestamp := now() AT TIME ZONE '{DEFAULT_TZ}';
  s time := '{start}';
  e time := '{end}';
  d integer[] := '{days}';
  h date[] := '{holidays}';
BEGIN
  BEGIN
    SELECT value::jsonb INTO j FROM setting WHERE key = '{LADDER_KEY}';
    IF j IS NOT NULL THEN
      s := coalesce((j->>'office_start')::time, s);
      e := coalesce((j->>'office_end')::time, e);
      IF jsonb_typeof(j->'office_days') = 'array' THEN
        d := ARRAY(SELECT x::integer FROM jsonb_array_elements_text(j->'office_days') x);
      END IF;
      IF jsonb_typeof(j->'bank_holidays') = 'array' THEN
        h := ARRAY(SELECT x::date FROM jsonb_array_elements_text(j->'bank_holidays') x);
      END IF;
      IF NOT s < e OR EXISTS (SELECT 1 FROM unnest(d) x WHERE x NOT BETWEEN 0 AND 6) THEN
        RAISE EXCEPTION 'invalid office hours';
      END IF;
    END IF;
  EXCEPTION WHEN others THEN
    s := '{start}'; e := '{end}'; d := '{days}'; h := '{holidays}';
  END;
  RETURN (extract(isodow FROM t)::integer - 1) = ANY (d) AND NOT t::date = ANY (h)
    AND t::time >= s AND t::time < e;
END
$$;
-- Children the connected person may not see: restricted ones not theirs to see, or every
-- child for a login with no active staff record. An array (small: computed once per query),
-- so the policies below read `child_id <> ALL (...)`, which the planner estimates well.
CREATE OR REPLACE FUNCTION lac_hidden_children() RETURNS varchar[] LANGUAGE sql STABLE {definer} AS $$
  WITH me AS (
    SELECT s.id, s.team_id,
           ({see_all}) OR CASE WHEN ({out_of_hours}) THEN NOT lac_office_hours() ELSE false END
             AS sees_all,
           ({see_team}) AS sees_team
    FROM staff s WHERE s.username = session_user AND s.active)
  SELECT CASE
    WHEN NOT EXISTS (SELECT 1 FROM me) THEN (SELECT coalesce(array_agg(id), '{{}}') FROM child)
    WHEN (SELECT sees_all FROM me) THEN '{{}}'::varchar[]
    ELSE (SELECT coalesce(array_agg(c.id), '{{}}') FROM child c, me
          WHERE c.restricted AND c.social_worker_id IS DISTINCT FROM me.id
            AND NOT coalesce(me.sees_team AND c.team_id = me.team_id, false))
  END
$$;
CREATE OR REPLACE FUNCTION lac_hidden_episodes() RETURNS integer[] LANGUAGE sql STABLE {definer} AS $$
  SELECT coalesce(array_agg(m.id), '{{}}') FROM missing_episode m
  JOIN unnest(lac_hidden_children()) h(id) ON h.id = m.child_id
$$;
CREATE OR REPLACE FUNCTION lac_hidden_rhis() RETURNS integer[] LANGUAGE sql STABLE {definer} AS $$
  SELECT coalesce(array_agg(r.id), '{{}}') FROM rhi r JOIN unnest(lac_hidden_children()) h(id) ON h.id = r.child_id
$$;
CREATE OR REPLACE FUNCTION lac_hidden_alerts() RETURNS integer[] LANGUAGE sql STABLE {definer} AS $$
  SELECT coalesce(array_agg(a.id), '{{}}') FROM alert a
  WHERE a.child_id = ANY (lac_hidden_children()) OR (a.child_id IS NULL AND NOT lac_is_known())
$$;
-- What the police liaison sees: missing or away now, or back in the last {POLICE_RECENT_DAYS} days.
CREATE OR REPLACE FUNCTION lac_police_children() RETURNS SETOF varchar LANGUAGE sql STABLE {definer} AS $$
  SELECT DISTINCT m.child_id FROM missing_episode m JOIN child c ON c.id = m.child_id
  WHERE NOT c.restricted
    AND (m.returned_at IS NULL OR m.returned_at > now() - interval '{POLICE_RECENT_DAYS} days')
$$;
"""


def refresh_functions(c: Connection) -> bool:
    """Re-create the policies' functions on an already provisioned database (a migration that
    changes a rule, run by the owner); False, doing nothing, where `db provision` never ran."""
    if not c.exec_driver_sql("SELECT to_regprocedure('lac_hidden_children()') IS NOT NULL").scalar():
        return False
    schema = str(c.exec_driver_sql("SELECT current_schema()").scalar())
    c.exec_driver_sql(_functions(schema))
    return True


def _policy(c: Connection, table: str, name: str, body: str) -> None:
    c.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {table}")
    c.exec_driver_sql(f"CREATE POLICY {name} ON {table} {body}")


def _policies(c: Connection) -> None:
    people_roles = ", ".join(group_role(r) for r in roles_with(Permission.READ_REGISTER))
    police = group_role(StaffRole.POLICE_LIAISON)
    auditors = ", ".join(group_role(r) for r in roles_with(Permission.READ_VIEWS))
    known = "(SELECT lac_is_known())"
    police_ids = "IN (SELECT lac_police_children())"
    recent = f"(returned_at IS NULL OR returned_at > now() - interval '{POLICE_RECENT_DAYS} days')"

    def hidden(col: str, fn: str) -> str:
        # The cast makes the sub-select one array value (computed once), not a set of rows.
        kind = "varchar[]" if fn == "lac_hidden_children" else "integer[]"
        return f"{col} <> ALL ((SELECT {fn}())::{kind})"

    for t in ("child", *CHILD_TABLES, *DERIVED, *SHARED_TABLES):
        c.exec_driver_sql(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        _policy(c, t, "lac_service_all", f"TO {SERVICE_GROUP_ROLE} USING (true) WITH CHECK (true)")

    def people(t: str, cond: str) -> None:
        _policy(c, t, "lac_people", f"TO {people_roles} USING ({cond}) WITH CHECK ({cond})")

    people("child", hidden("id", "lac_hidden_children"))
    _policy(c, "child", "lac_police", f"FOR SELECT TO {police} USING ({known} AND id {police_ids})")
    for t in CHILD_TABLES:
        if t in NULLABLE_CHILD:
            people(t, f"{known} AND (child_id IS NULL OR {hidden('child_id', 'lac_hidden_children')})")
        else:
            people(t, hidden("child_id", "lac_hidden_children"))
    for t in ("care_episode", "risk_flag", "philomena_profile"):
        _policy(c, t, "lac_police", f"FOR SELECT TO {police} USING ({known} AND child_id {police_ids})")
    _policy(
        c,
        "missing_episode",
        "lac_police",
        f"FOR SELECT TO {police} USING ({known} AND child_id {police_ids} AND {recent})",
    )
    _policy(
        c,
        "episode_event",
        "lac_police",
        f"FOR SELECT TO {police} USING (episode_id IN (SELECT id FROM missing_episode))",
    )
    # Everyone's views and prints are audited, the police liaison's too; the auditor reads it all.
    _policy(c, "audit_log", "lac_police", f"FOR INSERT TO {police} WITH CHECK ({known})")
    _policy(c, "audit_log", "lac_readers", f"FOR SELECT TO {auditors} USING ({known})")
    for t, (col, fn) in DERIVED.items():
        people(t, hidden(col, fn))
    for t in SHARED_TABLES:
        _policy(c, t, "lac_people", f"TO PUBLIC USING ({known}) WITH CHECK ({known})")


def _grants(c: Connection, schema: str, tables: set[str]) -> None:
    every = [t for t in REGISTER_TABLES if t in tables]
    child_cols = [col.name for col in Base.metadata.tables["child"].columns]
    register_cols = [n for n in child_cols if n not in RESTRICTION_COLUMNS]
    for role, perms in ROLE_PERMISSIONS.items():
        g = quote(group_role(role))
        c.exec_driver_sql(f"REVOKE ALL ON {', '.join(every)} FROM {g}")
        c.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {g}")
        c.exec_driver_sql(f"GRANT SELECT ON alembic_version TO {g}")
        # Everyone's actions and views are audited; nobody's role may change the trail.
        c.exec_driver_sql(f"GRANT INSERT ON audit_log TO {g}")
        if Permission.READ_REGISTER in perms:
            c.exec_driver_sql(f"GRANT INSERT ON change_feed TO {g}")
            c.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {g}")
        for perm in sorted(perms):
            for table, privs in TABLE_GRANTS.get(perm, {}).items():
                for priv in privs:
                    if priv == "UPDATE:register":
                        cols = ", ".join(register_cols)
                        c.exec_driver_sql(f"GRANT UPDATE ({cols}) ON {table} TO {g}")
                    elif priv == "UPDATE:restriction":
                        cols = ", ".join((*RESTRICTION_COLUMNS, "version"))
                        c.exec_driver_sql(f"GRANT UPDATE ({cols}) ON {table} TO {g}")
                    else:
                        c.exec_driver_sql(f"GRANT {priv} ON {table} TO {g}")
        for table in APPEND_ONLY_TABLES:
            c.exec_driver_sql(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {g}")
    svc = quote(SERVICE_GROUP_ROLE)
    c.exec_driver_sql(f"REVOKE ALL ON {', '.join(every)} FROM {svc}")
    c.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {svc}")
    c.exec_driver_sql(f"GRANT SELECT ON alembic_version TO {svc}")
    c.exec_driver_sql(f"GRANT SELECT ON {', '.join(every)} TO {svc}")
    c.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {svc}")
    for table, privs in SERVICE_WRITES.items():
        if table in tables:
            if table not in every:
                c.exec_driver_sql(f"GRANT SELECT ON {table} TO {svc}")
            c.exec_driver_sql(f"GRANT {', '.join(privs)} ON {table} TO {svc}")
    c.exec_driver_sql(f"REVOKE ALL ON {', '.join(every)} FROM PUBLIC")
    # Any login may learn the schema version and who it is (to be refused in plain words).
    c.exec_driver_sql("GRANT SELECT ON alembic_version TO PUBLIC")
    c.exec_driver_sql("GRANT EXECUTE ON FUNCTION lac_whoami() TO PUBLIC")


def provision(db: Database) -> Provisioned:
    """Group roles, grants, functions and policies. Run as the owner of the tables."""
    from lac_monitor.domain.errors import ConfigurationError

    if not db.is_postgresql:
        raise ConfigurationError(
            "db provision is for a shared PostgreSQL database; the embedded database has one person and no roles"
        )
    login = database_login(db)
    if login is None or not login.privileged:
        raise AccessRefusedError(
            "db provision must be run by IT as the owner of the LAC Monitor tables (or a superuser)."
        )
    done = Provisioned()
    with db.write_engine.begin() as c:
        done.schema = str(c.exec_driver_sql("SELECT current_schema()").scalar())
        for name in [group_role(r) for r in StaffRole] + [SERVICE_GROUP_ROLE]:
            if _create_role(c, name, "NOLOGIN"):
                done.created_roles.append(name)
        tables = {
            str(r[0]) for r in c.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
        }
        c.exec_driver_sql(_functions(done.schema))
        _grants(c, done.schema, tables)
        _policies(c)
    log.info("provisioned roles and policies (%d group roles created)", len(done.created_roles))
    return done
