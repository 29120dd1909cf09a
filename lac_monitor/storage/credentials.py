"""The PostgreSQL password lives only in the OS keyring (service `lac-monitor`).

On council PCs that is Windows Credential Manager. Where no keyring backend exists
(a bare Linux box), callers are told so and may ask the user instead.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors

from lac_monitor.domain.errors import ConfigurationError

SERVICE = "lac-monitor"
log = logging.getLogger(__name__)


class KeyringUnavailableError(ConfigurationError):
    pass


def account_for(username: str, host: str | None, database: str | None) -> str:
    return f"{username}@{host or 'localhost'}/{database or ''}"


def get_password(account: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, account)
    except keyring.errors.NoKeyringError as exc:
        raise KeyringUnavailableError(
            "No password store (keyring) is available on this computer, so the "
            "database password cannot be kept safely. You will be asked for it instead."
        ) from exc
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(
            f"The password store (keyring) could not be read: {exc}. Unlock it and try again."
        ) from exc


def set_password(account: str, password: str) -> None:
    try:
        keyring.set_password(SERVICE, account, password)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailableError(f"The password could not be saved in the keyring: {exc}") from exc
