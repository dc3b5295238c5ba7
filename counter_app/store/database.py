"""Opening the counter's SQLite file: durable pragmas, owner-only files, migrations.

"Saved" must survive a power cut: WAL journal with ``synchronous=FULL`` (the WAL is synced at every
commit). The connection runs in autocommit mode and each use case opens its own ``BEGIN IMMEDIATE``
transaction, so a write never waits half-way for a lock it cannot get.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from counter_app.domain.errors import StoreError

SCHEMA_VERSION = 6
"""Number of migrations in ``migrations.py``; bump with each new one."""

BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another process (a second counter window, the nightly sync)."""


def _touch_private(path: Path) -> None:
    """Create the database file owner-only (0600) before SQLite creates it with the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def _private_companions(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        companion = Path(str(path) + suffix)
        try:
            if companion.exists():
                companion.chmod(0o600)
        except OSError:
            pass


def configure(conn: sqlite3.Connection) -> None:
    """Apply the pragmas every connection to a counter database needs."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() not in ("wal", "memory"):
        raise StoreError(f"Không bật được chế độ ghi an toàn (WAL) cho cơ sở dữ liệu: {mode}.")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def migrate(conn: sqlite3.Connection) -> None:
    """Apply pending migrations through sqlite-utils (imported only when there is work to do)."""
    from sqlite_utils import Database

    from counter_app.store.migrations import migrations

    migrations.apply(Database(conn, execute_plugins=False))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def open_database(path: str | Path | None, *, migrate_schema: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) a counter database and bring its schema up to date.

    Args:
        path: The file; None for an in-memory database (unit tests).
        migrate_schema: Apply pending migrations (read-only tools may skip it).

    Returns:
        A connection in autocommit mode. sqlite-utils owns the schema (migrations); the hot path
        uses the connection directly, so a start-up with an up-to-date schema never imports it.

    Raises:
        StoreError: the file cannot be opened, is not a database, or was written by a newer
            version of the program.
    """
    try:
        if path is None:
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        else:
            file = Path(path)
            if file.is_dir():
                raise StoreError(f"«{file}» là một thư mục, không phải tệp cơ sở dữ liệu.")
            _touch_private(file)
            conn = sqlite3.connect(str(file), isolation_level=None, check_same_thread=False)
        configure(conn)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"Cơ sở dữ liệu thuộc phiên bản mới hơn (lược đồ {version} > {SCHEMA_VERSION}). "
                "Hãy cập nhật phần mềm trước khi mở tệp này."
            )
        if migrate_schema and version < SCHEMA_VERSION:
            migrate(conn)
        if path is not None:
            _private_companions(Path(path))
        return conn
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"Không mở được cơ sở dữ liệu «{path}»: {exc}. Tệp có thể bị hỏng hoặc không phải "
            "cơ sở dữ liệu của phần mềm."
        ) from exc
    except OSError as exc:
        raise StoreError(f"Không mở được cơ sở dữ liệu «{path}»: {exc.strerror}.") from exc
