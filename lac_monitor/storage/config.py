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


PASSWORD_REFUSED = (
    "{source}: the database URL contains a password, which would show in files, process lists "
    "and logs. Remove it from the URL and store it with `lac-monitor db set-password`, so that it "
    "lives only in the keyring."
)


def resolve_database_url(cli_value: str | None = None) -> ResolvedDatabase:
    if cli_value:
        return ResolvedDatabase(checked_url(cli_value, "--database"), "--database")
    env = os.environ.get(ENV_DATABASE, "").strip()
    if env:
        return ResolvedDatabase(checked_url(env, ENV_DATABASE), "environment")
    found = config_value("database", "url")
    if found:
        return ResolvedDatabase(checked_url(found[0], found[1]), found[1])
    return ResolvedDatabase(f"sqlite:///{default_sqlite_path()}", "default")


def checked_url(url: str, source: str) -> str:
    """The URL in SQLAlchemy form, refused (naming where it came from) if it is malformed or
    carries a password. The same rule for --database, the environment, every ini file and
    `db use`."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if len(url) > 2000 or "\x00" in url:
        raise ConfigurationError(f"{source}: is not a database URL or file path")
    normal = normalise_url(url)
    try:
        parsed = make_url(normal)
        _ = parsed.port  # a port that is not a number fails here
    except (ArgumentError, ValueError):
        raise ConfigurationError(
            f"{source}: is not a database URL (e.g. postgresql://lac_app@dbserver/lac_monitor) or a SQLite file path"
        ) from None
    if parsed.password:
        raise ConfigurationError(PASSWORD_REFUSED.format(source=source))
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise ConfigurationError(f"{source}: the port must be from 1 to 65535")
    return normal


def normalise_url(url: str) -> str:
    """Accept a plain path as a SQLite file; use psycopg 3 for postgresql://."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def write_user_config(url: str) -> Path:
    """Save the database URL (a password in it is refused: it belongs in the keyring)."""
    checked_url(url, "db use")
    path = user_config_file()
    parser = _read_config(path) or configparser.ConfigParser()
    if not parser.has_section("database"):
        parser.add_section("database")
    parser.set("database", "url", url)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        parser.write(fh)
    return path
