"""Where the counter keeps its files: the database, printed PDFs, logs.

This module alone knows the locations (through platformdirs), so tests can redirect everything at
once with ``COUNTER_DATA_DIR`` or the XDG variables. Folders are created owner-only (0700): they hold
personal data (Law 91/2025/QH15).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "counter"


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    try:
        path.chmod(0o700)
    except OSError:  # a folder we do not own (e.g. a shared mount): leave its mode alone
        pass
    return path


def data_dir() -> Path:
    """The folder of the database and its companions (``COUNTER_DATA_DIR`` overrides it)."""
    override = os.environ.get("COUNTER_DATA_DIR")
    if override:
        return _private_dir(Path(override))
    return _private_dir(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))


def default_db_path() -> Path:
    """The embedded default database (``COUNTER_DB`` overrides it)."""
    override = os.environ.get("COUNTER_DB")
    if override:
        return Path(override)
    return data_dir() / "counter.db"


def output_dir() -> Path:
    """Where printed forms are saved when they are not sent to a printer (``COUNTER_OUTPUT_DIR``)."""
    override = os.environ.get("COUNTER_OUTPUT_DIR")
    if override:
        return _private_dir(Path(override))
    return _private_dir(data_dir() / "forms")


def backup_dir() -> Path:
    """Where ``counter backup`` puts its copies unless told otherwise (``COUNTER_BACKUP_DIR``)."""
    override = os.environ.get("COUNTER_BACKUP_DIR")
    if override:
        return _private_dir(Path(override))
    return _private_dir(data_dir() / "backups")


def log_dir() -> Path:
    """Where the log file lives (tracebacks go here, never to the screen)."""
    return _private_dir(data_dir() / "logs")
