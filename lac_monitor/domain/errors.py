"""One root for every error a user can be told about in plain language.

Anything that is not a LacError is a bug and goes to the crash dialog / traceback.
"""

from __future__ import annotations


class LacError(Exception):
    """A known error: the message says what happened and what to do."""


class ValidationError(LacError):
    """Bad input: names the field and the rule it breaks. Nothing was saved."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class ConflictError(LacError):
    """Someone else changed the record since it was loaded (optimistic check)."""

    def __init__(self, what: str, by: str | None, at: str | None) -> None:
        self.what = what
        self.by = by
        self.at = at
        who = by or "another user"
        when = f" at {at}" if at else ""
        super().__init__(
            f"{what} was changed by {who}{when} since you opened it. Reload to see their change, then make yours again."
        )


class NotFoundError(LacError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} was not found")


class DatabaseUnavailableError(LacError):
    """The environment's fault: server down, file locked, network gone."""


class ServerFullError(DatabaseUnavailableError):
    """The database server refused a connection: it has no free slots (too many clients)."""


class DatabaseTooNewError(LacError):
    """The database was upgraded by a newer LAC Monitor than this one."""


class ConfigurationError(LacError):
    """Settings, keyring or config file problem the administrator can fix."""


class AccessRefusedError(LacError):
    """The acting person may not do this (their role, or no active staff record at all)."""


class UnknownLoginError(AccessRefusedError):
    """A login with no active staff record: refused before anything is shown."""

    def __init__(self, login: str, deactivated: bool = False) -> None:
        self.login = login
        self.deactivated = deactivated
        if deactivated:
            what = (
                "belongs to a deactivated member of staff, so nothing can be shown. An administrator must reactivate it"
            )
        else:
            what = (
                "has no staff record in LAC Monitor, so nothing can be shown. "
                "An administrator must add it (lac-monitor staff add)"
            )
        super().__init__(f"The login '{login}' {what} before you can use LAC Monitor.")
