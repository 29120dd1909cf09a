"""Who may do what: the one definition of the staff roles and their permissions.

The services check these before they write (for a plain refusal); `storage/provision.py`
turns the same table into PostgreSQL group roles, GRANTs and row-level security policies
(for safety, whatever client connects). Change a rule here and both follow.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from lac_monitor.domain.codes import StaffRole


class Permission(StrEnum):
    READ_REGISTER = "read_register"  # the board and every (unrestricted) record
    READ_MISSING = "read_missing"  # only children missing or away now, or back in the last 7 days
    RECORD_EPISODES = "record_episodes"  # report, update, return, RHI, profile, risk flags, alerts
    KEEP_REGISTER = "keep_register"  # add a child, allocate, photo, periods of care
    MANAGE_STAFF = "manage_staff"  # staff records and teams (and their database logins)
    CHANGE_SETTINGS = "change_settings"  # the escalation ladder and council settings
    RESTRICT_CHILD = "restrict_child"  # mark a child restricted / lift it
    SEE_ALL_RESTRICTED = "see_all_restricted"  # every restricted child, not only one's own
    SEE_TEAM_RESTRICTED = "see_team_restricted"  # restricted children of one's own team
    # Every restricted child, but only outside the council's office hours (the duty team).
    SEE_RESTRICTED_OUT_OF_HOURS = "see_restricted_out_of_hours"
    ACK_ANY_ALERT = "ack_any_alert"  # acknowledge alerts not addressed to oneself
    READ_VIEWS = "read_views"  # "who has viewed this record"
    READ_AUDIT = "read_audit"  # the whole audit trail, `audit verify`


P = Permission
_WORKER = frozenset({P.READ_REGISTER, P.RECORD_EPISODES, P.KEEP_REGISTER})

ROLE_PERMISSIONS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.SOCIAL_WORKER: _WORKER,
    StaffRole.TEAM_MANAGER: _WORKER | {P.RESTRICT_CHILD, P.SEE_TEAM_RESTRICTED, P.READ_VIEWS},
    StaffRole.HEAD_OF_SERVICE: _WORKER | {P.RESTRICT_CHILD, P.SEE_ALL_RESTRICTED, P.ACK_ANY_ALERT, P.READ_VIEWS},
    # The duty team covers the whole city out of hours: restricted children too, then only.
    StaffRole.DUTY_OFFICER: _WORKER | {P.SEE_RESTRICTED_OUT_OF_HOURS, P.ACK_ANY_ALERT},
    StaffRole.ADMINISTRATOR: _WORKER
    | {
        P.MANAGE_STAFF,
        P.CHANGE_SETTINGS,
        P.RESTRICT_CHILD,
        P.SEE_ALL_RESTRICTED,
        P.ACK_ANY_ALERT,
        P.READ_VIEWS,
        P.READ_AUDIT,
    },
    StaffRole.POLICE_LIAISON: frozenset({P.READ_MISSING}),
    StaffRole.AUDITOR: frozenset({P.READ_VIEWS, P.READ_AUDIT}),
}

# What each permission needs in the database: table -> privileges. The audit trail and the
# change feed are INSERT-only for every person (every action writes them); no person's role
# gets UPDATE, DELETE or TRUNCATE on either.
REGISTER_TABLES = (
    "team",
    "staff",
    "child",
    "care_episode",
    "risk_flag",
    "philomena_profile",
    "missing_episode",
    "episode_event",
    "rhi",
    "rhi_episode",
    "alert",
    "alert_recipient",
    "setting",
    "change_feed",
    "audit_log",
    "episode_notification",
    "host_authority_contact",
    "pattern_value",
)
# rhi and rhi_episode only so the board's joins run: no policy lets the police liaison see a row.
MISSING_TABLES = (
    "team",
    "staff",
    "child",
    "care_episode",
    "risk_flag",
    "philomena_profile",
    "missing_episode",
    "episode_event",
    "setting",
    "rhi",
    "rhi_episode",
)
# Columns of `child` that only RESTRICT_CHILD may change.
RESTRICTION_COLUMNS = ("restricted", "restricted_reason", "restricted_by", "restricted_at")

TABLE_GRANTS: dict[Permission, dict[str, tuple[str, ...]]] = {
    P.READ_REGISTER: {t: ("SELECT",) for t in REGISTER_TABLES},
    P.READ_MISSING: {t: ("SELECT",) for t in MISSING_TABLES},
    P.RECORD_EPISODES: {
        **{
            t: ("INSERT", "UPDATE")
            for t in (
                "missing_episode",
                "episode_event",
                "rhi",
                "rhi_episode",
                "philomena_profile",
                "risk_flag",
                "alert",
                "alert_recipient",
                "episode_notification",
            )
        },
        # Structured values are re-derived from the free text each time it is saved.
        "pattern_value": ("INSERT", "UPDATE", "DELETE"),
    },
    P.KEEP_REGISTER: {"care_episode": ("INSERT", "UPDATE"), "child": ("INSERT", "UPDATE:register")},
    P.MANAGE_STAFF: {"staff": ("INSERT", "UPDATE"), "team": ("INSERT", "UPDATE")},
    P.CHANGE_SETTINGS: {"setting": ("INSERT", "UPDATE"), "host_authority_contact": ("INSERT", "UPDATE")},
    P.RESTRICT_CHILD: {"child": ("SELECT", "UPDATE:restriction")},
    P.READ_VIEWS: {"audit_log": ("SELECT",), "staff": ("SELECT",)},
    P.READ_AUDIT: {"audit_log": ("SELECT",), "staff": ("SELECT",), "team": ("SELECT",)},
}
APPEND_ONLY_TABLES = ("audit_log", "change_feed")

GROUP_ROLE_PREFIX = "lac_"
SERVICE_GROUP_ROLE = "lac_service"  # the headless escalation service (not a person)


def group_role(role: StaffRole | str) -> str:
    """The PostgreSQL group role of a staff role: `lac_social_worker`, ..."""
    return GROUP_ROLE_PREFIX + StaffRole(role).value


def permissions(role: str | None) -> frozenset[Permission]:
    if role is None:
        return frozenset()
    try:
        return ROLE_PERMISSIONS[StaffRole(role)]
    except ValueError:
        return frozenset()


def may(role: str | None, permission: Permission) -> bool:
    return permission in permissions(role)


def roles_with(permission: Permission) -> tuple[StaffRole, ...]:
    return tuple(r for r, perms in ROLE_PERMISSIONS.items() if permission in perms)


ROLE_LABELS: dict[StaffRole, str] = {
    StaffRole.SOCIAL_WORKER: "social worker",
    StaffRole.TEAM_MANAGER: "team manager",
    StaffRole.HEAD_OF_SERVICE: "head of service",
    StaffRole.DUTY_OFFICER: "duty officer",
    StaffRole.ADMINISTRATOR: "administrator",
    StaffRole.POLICE_LIAISON: "police liaison",
    StaffRole.AUDITOR: "auditor",
}

_WHAT: dict[Permission, str] = {
    P.READ_REGISTER: "read the register",
    P.READ_MISSING: "read missing children",
    P.RECORD_EPISODES: "record missing episodes, returns, interviews and profiles",
    P.KEEP_REGISTER: "change children's records and periods of care",
    P.MANAGE_STAFF: "manage staff and teams",
    P.CHANGE_SETTINGS: "change the council's settings and escalation ladder",
    P.RESTRICT_CHILD: "restrict a child's record or lift a restriction",
    P.ACK_ANY_ALERT: "acknowledge alerts addressed to other people",
    P.READ_VIEWS: "see who has viewed a record",
    P.READ_AUDIT: "read the audit trail",
}


def may_see_restricted(
    role: str | None,
    staff_id: int | None,
    team_id: int | None,
    child_worker_id: int | None,
    child_team_id: int | None,
    office_hours: bool,
) -> bool:
    """Whether this person may see a restricted child: the allocated worker, that team's
    managers, the head of service, the duty team out of hours, and administrators.

    `office_hours` is the council's one definition (`Ladder.is_office_hours` at the time of
    the request); `storage/provision.py` puts the same rule in `lac_hidden_children()`.
    """
    perms = permissions(role)
    if P.SEE_ALL_RESTRICTED in perms:
        return True
    if P.SEE_RESTRICTED_OUT_OF_HOURS in perms and not office_hours:
        return True
    if staff_id is not None and child_worker_id == staff_id:
        return True
    return P.SEE_TEAM_RESTRICTED in perms and team_id is not None and child_team_id == team_id


POLICE_RECENT_DAYS = 7
_OUT = ("missing", "away")
_BACK = ("returned_rhi_due", "rhi_overdue")


def police_may_see(status: str, returned_at: datetime | None, now: datetime) -> bool:
    """The police liaison's view: missing or away now, or back in the last 7 days."""
    if status in _OUT:
        return True
    return status in _BACK and returned_at is not None and returned_at > now - timedelta(days=POLICE_RECENT_DAYS)


def refusal(role: str | None, permission: Permission) -> str:
    """A plain sentence: who may do this, and that you may not."""
    who = [_plural(ROLE_LABELS[r]) for r in roles_with(permission)]
    allowed = who[0] if len(who) == 1 else ", ".join(who[:-1]) + " and " + who[-1]
    try:
        mine = ROLE_LABELS[StaffRole(role)] if role else "person without a staff role"
    except ValueError:
        mine = f"'{role}'"
    article = "an" if mine[:1].lower() in "aeiou" else "a"
    return f"Only {allowed} can {_WHAT.get(permission, permission.value)}; you are signed in as {article} {mine}."


def _plural(label: str) -> str:
    """'heads of service', 'duty officers'."""
    head, sep, rest = label.partition(" of ")
    return f"{head}s{sep}{rest}" if sep else f"{label}s"
