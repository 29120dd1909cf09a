"""Files that hold children's data (PDF sheets, SSDA903 CSVs) are created for their owner only.

Written next to the target and renamed into place, so a scheduled reader never sees half a
file, and never with the umask's 0644: special-category data is 0600 on POSIX systems (on
Windows the user's profile folder already restricts access).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lac_monitor.domain.errors import LacError, ValidationError

PRIVATE = 0o600


def write_private(path: Path, data: bytes, field: str = "--out") -> None:
    """Write `data` to `path` atomically, readable by the owner only."""
    path = path.expanduser()
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ValidationError(field, f"folder {parent} does not exist")
    if path.is_dir():
        raise ValidationError(field, f"{path} is a folder: give a file name")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".lac-", suffix=path.suffix, dir=parent)
        os.chmod(tmp, PRIVATE)  # mkstemp already makes 0600; stated, not assumed
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise LacError(f"could not write {path}: {exc.strerror or type(exc).__name__}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def private_folder(path: Path, field: str = "--out") -> Path:
    """A folder for exported files: created 0700 if new; refused if the path is a file."""
    path = path.expanduser()
    if path.exists() and not path.is_dir():
        raise ValidationError(field, f"{path} is an existing file: give a folder for the exported files")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise LacError(f"could not create the folder {path}: {exc.strerror or type(exc).__name__}") from None
    return path
