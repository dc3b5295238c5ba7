"""Where the counter keeps its files: the database, printed PDFs, logs.

This module alone knows the locations (through platformdirs), so tests can redirect everything at
once with ``COUNTER_DATA_DIR`` or the XDG variables. Folders are created owner-only (0700): they hold
personal data (Law 91/2025/QH15).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from pathlib import Path

import platformdirs

from counter_app.domain.errors import ConfigError

APP_NAME = "counter"

log = logging.getLogger(__name__)

SAVED_FORM = re.compile(
    r"(?:receipt|extra_papers|refusal|apology|stop_notice|control_slip)_[\w.-]*\d{6}[\w.-]*\d{4,5}[\w.-]*\.pdf"
    r"|logbook_\d{4}-\d{2}-\d{2}(?:_\d{4}-\d{2}-\d{2})?(?:_status-[\d-]+)?\.pdf"
)
"""Names the printing package gives the forms it saves (a test holds it to every form): the form,
then the dossier code, whose pattern (a setting) puts its 6-digit day before its 4-digit number."""
UNFINISHED_FORM = re.compile(r"\.tmp-[\w.-]*\.pdf")
"""A form being written (renamed when complete): one left behind was cut off by a crash."""


def _private_dir(path: Path, variable: str = "") -> Path:
    """The folder, made owner-only when the counter creates it (an existing one keeps its mode: a
    shared print folder is the admin's choice).

    Args:
        path: The folder.
        variable: The ``COUNTER_*`` variable that named it: its parent must exist then (a mistyped
            path is refused, not created), and the message names the variable.

    Raises:
        ConfigError: the path is a file, or cannot be created.
    """
    if path.is_dir():
        return path
    where = f"«{path}»" + (f" (biến môi trường {variable})" if variable else "")
    if path.exists():
        raise ConfigError(f"Thư mục {where} là một tệp, không phải thư mục.")
    try:
        path.mkdir(mode=0o700, parents=not variable)
    except FileNotFoundError as exc:
        raise ConfigError(f"Không tạo được thư mục {where}: thư mục chứa nó không tồn tại.") from exc
    except OSError as exc:
        from counter_app.store.database import explain

        raise ConfigError(f"Không tạo được thư mục {where}: {explain(exc)}.") from exc
    with contextlib.suppress(OSError):
        path.chmod(0o700)  # mkdir's mode is masked by the umask
    return path


def data_dir() -> Path:
    """The folder of the database and its companions (``COUNTER_DATA_DIR`` overrides it)."""
    override = os.environ.get("COUNTER_DATA_DIR")
    if override:
        return _private_dir(Path(override), "COUNTER_DATA_DIR")
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
        return _private_dir(Path(override), "COUNTER_OUTPUT_DIR")
    return _private_dir(data_dir() / "forms")


def backup_dir() -> Path:
    """Where ``counter backup`` puts its copies unless told otherwise (``COUNTER_BACKUP_DIR``)."""
    override = os.environ.get("COUNTER_BACKUP_DIR")
    if override:
        return _private_dir(Path(override), "COUNTER_BACKUP_DIR")
    return _private_dir(data_dir() / "backups")


def cache_dir() -> Path:
    """Where the counter keeps what it can compute again (``COUNTER_CACHE_DIR`` overrides it)."""
    override = os.environ.get("COUNTER_CACHE_DIR")
    if override:
        return _private_dir(Path(override), "COUNTER_CACHE_DIR")
    return _private_dir(Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)))


def log_dir() -> Path:
    """Where the log file lives (tracebacks go here, never to the screen)."""
    return _private_dir(data_dir() / "logs")


def purge_saved_forms(days: int, *, folder: Path | None = None, now: float | None = None) -> list[str]:
    """Delete the forms saved in the output folder more than ``days`` days ago (0: none).

    Only files named as the printing package names its forms are touched, so an output folder
    pointed at a shared place loses nothing else; a form cut off by a crash goes after a day.

    Returns:
        The names removed.
    """
    folder = folder or output_dir()
    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        if days > 0 and SAVED_FORM.fullmatch(path.name):
            limit = days * 86_400
        elif UNFINISHED_FORM.fullmatch(path.name):
            limit = 86_400
        else:
            continue
        try:
            if path.is_file() and now - path.stat().st_mtime > limit:
                path.unlink()
                removed.append(path.name)
        except OSError as exc:
            log.warning("could not remove old form %s: %s", path.name, exc)
    if removed:
        log.info("removed %d saved forms older than their retention", len(removed))
    return removed
