"""Where the database is: --database, then LAC_MONITOR_DATABASE, then a config file,
then a SQLite file in the user's data folder (the embedded default).

Config file (INI), user's first, then machine-wide (so IT can push one for every user):
    [database]
    url = postgresql://lac_app@db.council.local/lac_monitor
Times are shown in the council's time, Europe/London (domain/clock.py); there is no
setting for it. The password never goes in this file: it lives in the OS keyring (see credentials.py).
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from lac_monitor.domain.errors import ConfigurationError

APP = "lac-monitor"
ENV_DATABASE = "LAC_MONITOR_DATABASE"
CONFIG_NAME = "lac-monitor.ini"


def user_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / CONFIG_NAME


def site_config_file() -> Path:
    return Path(platformdirs.site_config_dir(APP, appauthor=False)) / CONFIG_NAME


def default_sqlite_path() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False)) / "lac-monitor.sqlite"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP, appauthor=False))


@dataclass(frozen=True)
class ResolvedDatabase:
    url: str
    source: str  # "--database", "environment", config path, or "default"


def _read_config(path: Path) -> configparser.ConfigParser | None:
    if not path.is_file():
        return None
    parser = configparser.ConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"The config file {path} cannot be read: {exc}") from exc
    return parser


def config_value(section: str, key: str) -> tuple[str, str] | None:
    for path in (user_config_file(), site_config_file()):
        parser = _read_config(path)
        if parser is not None and parser.has_option(section, key):
            value = parser.get(section, key).strip()
            if value:
                return value, str(path)
    return None


def resolve_database_url(cli_value: str | None = None) -> ResolvedDatabase:
    if cli_value:
        return ResolvedDatabase(normalise_url(cli_value), "--database")
    env = os.environ.get(ENV_DATABASE, "").strip()
    if env:
        return ResolvedDatabase(normalise_url(env), "environment")
    found = config_value("database", "url")
    if found:
        return ResolvedDatabase(normalise_url(found[0]), found[1])
    return ResolvedDatabase(f"sqlite:///{default_sqlite_path()}", "default")


def normalise_url(url: str) -> str:
    """Accept a plain path as a SQLite file; use psycopg 3 for postgresql://."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def write_user_config(url: str) -> Path:
    """Save the database URL (a password in it is refused: it belongs in the keyring)."""
    from sqlalchemy.engine import make_url

    if make_url(normalise_url(url)).password:
        raise ConfigurationError(
            "The database URL contains a password. Remove it from the URL and store it "
            "with `lac-monitor db set-password` so that it lives only in the keyring."
        )
    path = user_config_file()
    parser = _read_config(path) or configparser.ConfigParser()
    if not parser.has_section("database"):
        parser.add_section("database")
    parser.set("database", "url", url)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        parser.write(fh)
    return path
