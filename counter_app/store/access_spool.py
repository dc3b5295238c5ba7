"""Access-log rows kept beside the database when a program must close before the file takes them.

A command (``counter show``, ``find``, a print) reads while another program holds the write lock
(the nightly sync, a backup): its answer is printed at once, and the rows saying who read which
dossier wait. The command cannot wait for ever, and the privacy record (Law 91/2025) must not be
lost in silence: the rows go to a small file next to the database, ``<db>.access-waiting`` (JSON
lines, owner-only, synced), and the next program that opens the database takes them in and writes
them with its own rows.

A program taking the file renames it to ``<db>.access-waiting.<pid>-<n>`` first, so two programs
never take the same rows; the renamed file is removed once its rows are written, or spooled again.
A renamed file whose program is gone (killed before it wrote them) is taken again by the next one.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from counter_app.store.database import fsync_dir

log = logging.getLogger(__name__)

SUFFIX = ".access-waiting"
"""After the database's name: the file of the rows waiting."""

Row = tuple[datetime, str, str, str, str]
"""One access-log row: when, who, what (view, search, print), the dossier code, detail."""

_claims = itertools.count(1)


def spool_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX)


def spool(db: Path, rows: Iterable[Row]) -> None:
    """Append ``rows`` to the file of waiting rows, durably.

    Raises:
        OSError: the folder cannot be written (a full or read-only disk).
    """
    lines = "".join(
        json.dumps([at.isoformat(), actor, action, code, detail], ensure_ascii=False) + "\n"
        for at, actor, action, code, detail in rows
    )
    if not lines:
        return
    path = spool_path(db)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, lines.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(path.parent)


def claim(db: Path) -> tuple[list[Row], list[Path]]:
    """Take the rows waiting for ``db``: the spool file, and the ones a program gone took and
    never wrote. Lines that cannot be read (a file cut off mid-line) are skipped and logged.

    Returns:
        The rows, and the taken files to :func:`release` once the rows are written or spooled.
    """
    rows: list[Row] = []
    taken: list[Path] = []
    prefix = db.name + SUFFIX
    try:
        candidates = [p for p in db.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return rows, taken
    for path in sorted(candidates):
        owner = path.name[len(prefix) + 1 :].split("-", 1)[0]
        if path.name != prefix and (not owner.isdigit() or _alive(int(owner))):
            continue  # another program's, still running (it writes them), or not ours at all
        mine = path.with_name(f"{prefix}.{os.getpid()}-{next(_claims)}")
        try:
            os.rename(path, mine)
        except OSError:
            continue  # taken by another program first
        taken.append(mine)
        rows.extend(_read(mine))
    return rows, taken


def release(taken: Iterable[Path]) -> None:
    """Remove taken files whose rows are now written (or spooled again)."""
    for path in taken:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove %s: %s", path.name, exc)


def _read(path: Path) -> list[Row]:
    rows: list[Row] = []
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        log.warning("could not read waiting access-log rows in %s: %s", path.name, exc)
        return rows
    for number, line in enumerate(text.splitlines(), 1):
        try:
            at, actor, action, code, detail = json.loads(line)
            when = datetime.fromisoformat(at)
            if when.tzinfo is None or not all(isinstance(v, str) for v in (actor, action, code, detail)):
                raise ValueError("not a row")
        except (ValueError, TypeError) as exc:
            log.warning("skipped line %d of %s: %s", number, path.name, exc)
            continue
        rows.append((when, actor, action, code, detail))
    return rows


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
