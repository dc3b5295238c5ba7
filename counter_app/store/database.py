"""Opening the counter's SQLite file: durable pragmas, owner-only files, migrations.

"Saved" must survive a power cut: WAL journal with ``synchronous=FULL`` (the WAL is synced at every
commit). The connection runs in autocommit mode and each use case opens its own ``BEGIN IMMEDIATE``
transaction, so a write never waits half-way for a lock it cannot get.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import sqlite3
import stat
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from counter_app.domain.errors import CounterError, StoreError

SCHEMA_VERSION = 17
"""Number of migrations in ``migrations.py``; bump with each new one."""

BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another process (a second counter window, the nightly sync)."""


_SQLITE_PROBLEMS = {
    "SQLITE_FULL": "ổ đĩa đã đầy; hãy giải phóng chỗ trống rồi thử lại",
    "SQLITE_READONLY": "tệp hoặc thư mục chỉ cho phép đọc; hãy kiểm tra quyền ghi",
    "SQLITE_CANTOPEN": (
        "không mở được tệp để ghi (thư mục chỉ đọc, không có quyền, hoặc ổ đĩa đã bị rút ra); "
        "hãy kiểm tra quyền ghi hoặc chọn tệp khác bằng --db"
    ),
    "SQLITE_PERM": "không có quyền truy cập tệp; hãy kiểm tra quyền của tệp và thư mục",
    "SQLITE_BUSY": "một chương trình khác đang ghi vào cơ sở dữ liệu quá lâu; hãy thử lại sau ít phút",
    "SQLITE_LOCKED": "một chương trình khác đang khóa cơ sở dữ liệu; hãy thử lại sau ít phút",
    "SQLITE_IOERR": "lỗi đọc/ghi ổ đĩa; hãy kiểm tra ổ đĩa (có thể đã bị rút ra hoặc hỏng)",
    "SQLITE_NOTADB": "tệp không phải cơ sở dữ liệu của phần mềm",
    "SQLITE_CORRUPT": "tệp cơ sở dữ liệu bị hỏng; hãy khôi phục bản sao lưu gần nhất (counter restore TỆP)",
}
"""What a SQLite failure means for the official, by its primary result code's name."""

_OS_PROBLEMS = {
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho phép đọc",
    errno.EACCES: "không có quyền ghi vào thư mục này",
    errno.EPERM: "không có quyền ghi vào thư mục này",
    errno.ENOTDIR: "một phần của đường dẫn là tệp, không phải thư mục",
    errno.EEXIST: "một phần của đường dẫn là tệp, không phải thư mục",  # mkdir meets a file
    errno.ENAMETOOLONG: "đường dẫn quá dài",
    errno.ENOENT: "thư mục không tồn tại",
    errno.EISDIR: "đó là một thư mục, không phải tệp",
}
"""The same for the operating system's errors around the file (their own text is in English)."""


def explain(exc: BaseException) -> str:
    """One Vietnamese phrase for a database or file failure (the exception's own text otherwise)."""
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "") or ""
        primary = name if name in _SQLITE_PROBLEMS else "_".join(name.split("_")[:2])
        return _SQLITE_PROBLEMS.get(primary, str(exc))
    if isinstance(exc, OSError):
        return _OS_PROBLEMS.get(exc.errno or 0, exc.strerror or str(exc))
    return str(exc)


def damaged(exc: BaseException) -> bool:
    """Whether a SQLite failure says the file itself is damaged (a page overwritten, text that is
    no longer UTF-8): a restore is the way back, not trying again."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    return (
        name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
        or "malformed" in text
        or "Could not decode to UTF-8" in text
    )


def damaged_problem() -> str:
    """The one message for a damaged file, wherever it shows."""
    return f"Cơ sở dữ liệu: {_SQLITE_PROBLEMS['SQLITE_CORRUPT']}."


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable (a no-op where folders cannot be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Make a file's content durable before it is renamed or reported as done."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SharedConnection(sqlite3.Connection):
    """A connection the UI thread and the workers share: every call into SQLite holds :attr:`lock`.

    Python's ``sqlite3`` runs a statement with the GIL released, then reads its outcome from the
    connection's last error code. A statement another thread ran in between overwrites that code:
    a refused ``INSERT`` then returned as if it had succeeded (about 2 in 100 while another thread
    read in a loop), or raised the wrong class of error. Holding one reentrant lock around each
    call (``execute`` and every fetch) makes the outcome a statement reports its own. A transaction
    (:meth:`DossierStore.transaction`) holds the same lock from ``BEGIN`` to ``COMMIT``, so another
    thread's read waits for it and never sees rows that may yet be rolled back.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.RLock()
        self.frozen = False
        """Opened read-only on a read-only disk (see :func:`_open_frozen`): reads only."""

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # type: ignore[override]
        with self.lock:
            return super().cursor(factory or SharedCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        cursor = self.cursor()
        cursor.execute(sql, parameters)
        return cursor

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:  # type: ignore[override]
        cursor = self.cursor()
        cursor.executemany(sql, parameters)
        return cursor

    def executescript(self, script: str, /) -> sqlite3.Cursor:  # type: ignore[override]
        cursor = self.cursor()
        cursor.executescript(script)
        return cursor

    def commit(self) -> None:
        with self.lock:
            super().commit()

    def rollback(self) -> None:
        with self.lock:
            super().rollback()

    def close(self) -> None:
        with self.lock:
            super().close()


class SharedCursor(sqlite3.Cursor):
    """A cursor of :class:`SharedConnection`: each step into SQLite holds the connection's lock."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        with self.connection.lock:  # type: ignore[attr-defined]
            return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:  # type: ignore[override]
        with self.connection.lock:  # type: ignore[attr-defined]
            return super().executemany(sql, parameters)

    def executescript(self, script: str, /) -> sqlite3.Cursor:  # type: ignore[override]
        with self.connection.lock:  # type: ignore[attr-defined]
            return super().executescript(script)

    def fetchone(self) -> Any:
        with self.connection.lock:  # type: ignore[attr-defined]
            return super().fetchone()

    def fetchmany(self, size: int | None = None) -> list[Any]:
        with self.connection.lock:  # type: ignore[attr-defined]
            return super().fetchmany(self.arraysize if size is None else size)

    def fetchall(self) -> list[Any]:
        with self.connection.lock:  # type: ignore[attr-defined]
            return super().fetchall()

    def __next__(self) -> Any:
        with self.connection.lock:  # type: ignore[attr-defined]
            return super().__next__()


def create_private(path: Path) -> None:
    """Create a new, empty owner-only (0600) file; fails if it exists."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def read_only_uri(path: Path) -> str:
    """The URI that opens ``path`` for reading only: ``mode=ro``, or ``immutable=1`` on a read-only
    disk, where SQLite cannot make the shared-memory file a WAL database needs even to be read
    (unless a ``-wal`` file holds writes not yet in the main file: it would read without them)."""
    uri = path.resolve().as_uri()
    return f"{uri}?immutable=1" if _frozen_file(path) else f"{uri}?mode=ro"


def _frozen_file(path: Path) -> bool:
    """A database file on a read-only disk, all of its writes in the main file."""
    if not path.is_file() or not on_read_only_disk(path):
        return False
    wal = Path(f"{path}-wal")
    return not (wal.exists() and wal.stat().st_size > 0)


def _journal_stranded(path: Path) -> bool:
    """A database file on a read-only disk whose ``-wal`` holds writes not yet in the main file:
    SQLite cannot read them without making a ``-shm`` file there, and the file alone lacks them."""
    return path.is_file() and on_read_only_disk(path) and not _frozen_file(path)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a database file (it never creates or changes one).

    Raises:
        sqlite3.Error: the file cannot be opened.
    """
    conn = sqlite3.connect(read_only_uri(path), uri=True, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _touch_private(path: Path) -> None:
    """Create the database file owner-only (0600) before SQLite creates it with the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def _private_companions(path: Path) -> None:
    """Take the group's and others' rights off the database and its companions; the owner's stay
    as they are (a file the admin made read-only stays read-only)."""
    for suffix in ("", "-wal", "-shm"):
        companion = Path(str(path) + suffix)
        try:
            if companion.exists():
                companion.chmod(stat.S_IMODE(companion.stat().st_mode) & 0o700)
        except OSError:
            pass


UI_LOCK_SUFFIX = ".ui-lock"
"""Beside the database: the lock file of the one terminal UI working on it (see :func:`hold_ui_lock`)."""


def hold_ui_lock(path: Path) -> IO[str] | None:
    """Take the lock that lets one terminal UI at a time work on the database at ``path``.

    A database is one counter: two windows on it would share the counter's half-typed draft and
    could each save the citizen in front of the official, two dossiers for one. The lock is an OS
    file lock (``flock``), so a UI that crashed or was killed holds nothing: no stale lock to clear.

    Returns:
        The open lock file, to keep open for as long as the UI runs (closing it releases the lock);
        None where locking is not available (no ``fcntl``, a folder that takes no new file): the
        UI then runs unguarded rather than not at all.

    Raises:
        StoreError: another UI holds the lock; the message names its process.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux
        return None
    lock_path = Path(str(path) + UI_LOCK_SUFFIX)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    handle = os.fdopen(fd, "r+", encoding="ascii", errors="replace")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        holder = handle.read(20).strip()
        handle.close()
        if exc.errno not in (errno.EWOULDBLOCK, errno.EACCES, errno.EAGAIN):
            return None
        process = f" (tiến trình {holder})" if holder.isdigit() else ""
        raise StoreError(
            f"Giao diện Counter đã đang mở với cơ sở dữ liệu «{path}» trên máy này{process}: hãy "
            "dùng cửa sổ đó (hoặc đóng nó rồi mở lại). Hai cửa sổ của cùng một quầy dùng chung "
            "một bản nháp và có thể ghi một hồ sơ hai lần."
        ) from exc
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def configure(conn: sqlite3.Connection) -> None:
    """Apply the pragmas every connection to a counter database needs."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() not in ("wal", "memory"):
        raise StoreError(f"Không bật được chế độ ghi an toàn (WAL) cho cơ sở dữ liệu: {mode}.")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")


def migrate(conn: sqlite3.Connection) -> None:
    """Apply pending migrations through sqlite-utils (imported only when there is work to do).

    Raises:
        StoreError: a migration met data it cannot bring up to date; the file is left as it was
            (each migration is one transaction) and the message says it is the upgrade that failed.
    """
    from sqlite_utils import Database

    from counter_app.store.migrations import migrations

    version = conn.execute("PRAGMA user_version").fetchone()[0]
    try:
        migrations.apply(Database(conn, execute_plugins=False))
    except CounterError as exc:  # a rule of today's program refused data an older one stored
        raise StoreError(
            f"Không nâng cấp được cơ sở dữ liệu (lược đồ {version} → {SCHEMA_VERSION}): {exc.message} "
            "Dữ liệu chưa bị thay đổi; hãy dùng lại phiên bản phần mềm trước và báo cho bộ phận kỹ thuật."
        ) from exc
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
            conn = sqlite3.connect(
                ":memory:", isolation_level=None, check_same_thread=False, factory=SharedConnection
            )
        else:
            file = Path(path)
            if file.is_dir():
                raise StoreError(f"«{file}» là một thư mục, không phải tệp cơ sở dữ liệu.")
            _touch_private(file)
            conn = sqlite3.connect(
                str(file), isolation_level=None, check_same_thread=False, factory=SharedConnection
            )
            if _foreign(conn):  # before WAL is switched on: that alone would change the file
                conn.close()
                raise StoreError(
                    f"«{path}» là cơ sở dữ liệu SQLite của một phần mềm khác, không phải của quầy "
                    "tiếp nhận; phần mềm không mở (và không sửa) tệp này. Hãy kiểm tra lại đường dẫn "
                    "(--db, COUNTER_DB)."
                )
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
    except (sqlite3.Error, OSError) as exc:
        frozen = _open_frozen(Path(path)) if path is not None else None
        if frozen is not None:
            return frozen
        if path is not None and _journal_stranded(Path(path)):
            raise StoreError(
                f"«{path}» nằm trên ổ đĩa chỉ cho đọc, và những thay đổi cuối của nó còn trong tệp "
                f"«{path}-wal», chưa gộp vào tệp chính: đọc ở đây sẽ thiếu chúng. Hãy chép cả hai tệp "
                "(.db và -wal) sang ổ đĩa ghi được rồi mở bằng --db."
            ) from exc
        why = explain(exc)
        if path is not None and why == _SQLITE_PROBLEMS["SQLITE_IOERR"] and _nearly_full(Path(path).parent):
            # A disk that filled overnight fails the shared-memory file with a bare I/O error.
            why = _SQLITE_PROBLEMS["SQLITE_FULL"]
        raise StoreError(f"Không mở được cơ sở dữ liệu «{path}»: {why}.") from exc


def on_read_only_disk(path: Path) -> bool:
    """Whether the folder of ``path`` is on a file system mounted read-only (a disk remounted so
    after an error, a write-protected USB stick or share)."""
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _open_frozen(path: Path) -> SharedConnection | None:
    """A read-only connection to a counter database on a read-only disk; None when that is not
    the case (the first error stands).

    SQLite cannot read a WAL database in a folder it cannot write (no ``-shm`` file): ``check``,
    ``backup``, ``find`` and ``show`` were all refused, when the disk turning read-only is when
    the admin needs a backup and the counter a look-up. Nothing can write there, so the file is
    opened ``immutable`` (no locks, no shared memory; see :func:`read_only_uri`).

    Raises:
        StoreError: the file is another program's, needs an upgrade (impossible there), or was
            written by a newer version.
    """
    if not _frozen_file(path):
        return None
    conn = sqlite3.connect(
        read_only_uri(path),
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        factory=SharedConnection,
    )
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        problem = ""
        if _foreign(conn):
            problem = "không phải cơ sở dữ liệu của quầy tiếp nhận"
        elif version > SCHEMA_VERSION:
            problem = f"thuộc phiên bản mới hơn (lược đồ {version} > {SCHEMA_VERSION}); hãy cập nhật phần mềm"
        elif version < SCHEMA_VERSION:
            problem = (
                f"cần nâng cấp lược đồ ({version} → {SCHEMA_VERSION}), việc không làm được trên ổ chỉ "
                "đọc; hãy chép tệp sang ổ ghi được rồi mở bằng --db"
            )
        if problem:
            raise StoreError(f"«{path}» nằm trên ổ đĩa chỉ cho đọc và {problem}.")
        conn.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error:
        conn.close()
        return None
    except StoreError:
        conn.close()
        raise
    conn.frozen = True
    return conn


def _foreign(conn: sqlite3.Connection) -> bool:
    """A database that holds tables but none of our migrations: another program's. Ours holds
    nothing but sqlite-utils' ``_sqlite_migrations`` (maybe still empty: stopped right after
    making it) before its first migration, and from then on records each one there under the set
    "counter" (whatever its ``user_version``, which any program may set)."""
    tables = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        )
    }
    if not tables - {"_sqlite_migrations"}:
        return False
    try:
        ours = conn.execute(
            "SELECT 1 FROM _sqlite_migrations WHERE migration_set = 'counter' LIMIT 1"
        ).fetchone()
    except sqlite3.OperationalError:  # no such table (or not with these columns)
        return True
    return ours is None


def stored_identity(path: Path) -> tuple[str, int]:
    """The commune code and counter number stored in a counter database or backup, read only
    ("", 0 when it cannot be read)."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            stored = dict(
                conn.execute(
                    "SELECT key, value FROM site_settings WHERE key IN ('commune_code', 'counter_no')"
                ).fetchall()
            )
        finally:
            conn.close()
        return str(stored.get("commune_code", "")), int(stored.get("counter_no", 0))
    except (sqlite3.Error, ValueError):
        return "", 0


DATABASE_ID = "_database_id"
"""A database's own identifier (site setting): its backups carry it, and a copy of another
database with the same counter's name is told apart from them."""


def stored_lineage(path: Path) -> tuple[str, int] | None:
    """The database identifier (``DATABASE_ID``, "" for a file made before it) and the number of
    events stored in a backup (a whole file no one writes: read as immutable, which leaves no
    ``-wal`` or ``-shm`` file beside it); None when it cannot be read."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
        try:
            row = conn.execute("SELECT value FROM site_settings WHERE key = ?", (DATABASE_ID,)).fetchone()
            events = int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
        finally:
            conn.close()
        return (str(row[0]) if row else ""), events
    except (sqlite3.Error, ValueError):
        return None


FULL_BELOW = 1 << 20
"""Free bytes under which a disk counts as full (SQLite needs room for its WAL and index files)."""


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < FULL_BELOW
    except OSError:
        return False


RESTORING = (
    "đang khôi phục cơ sở dữ liệu từ bản sao lưu (lệnh counter restore); hãy chờ xong rồi làm lại, "
    "không có gì bị mất"
)
"""Why a write waits, then gives up, while a restore runs (see :func:`writers_gate`)."""


def gate_path(database: Path) -> Path:
    """The file whose lock keeps writers out while a backup is put in place (``<db>.lock``),
    beside the real file: reached through a symlink, the restore locked ``link.db.lock`` while
    the saves took the real file's, and a save went on during the restore."""
    real = Path(os.path.realpath(database))
    return real.with_name(real.name + ".lock")


def writers_gate(database: Path) -> int | None:
    """An open file descriptor of ``database``'s gate file (made owner-only when missing), or None
    where it cannot be opened (a read-only folder: no restore can run there either).

    Every write transaction holds a shared ``flock`` on it from before ``BEGIN`` to after its end;
    ``counter restore`` holds it exclusively while it reads what the live file holds and puts the
    backup in its place. SQLite's own lock could not do this: the copy of the backup's pages takes
    that lock itself, so the restore had to let go of it for an instant, and a save that came in
    then was in neither file; and a receive between the restore's reading of the sequences and
    its copy got a code the restored file then issued again. The system drops the lock of a
    process that dies, so a restore cut off never leaves the counter unable to save.
    """
    # Read-only: a lock needs no write access, and a file open for writing would keep the disk
    # from being remounted read-only (as the kernel does after an error) with the counter open.
    path = gate_path(database)
    for flags in (os.O_RDONLY | os.O_CREAT, os.O_RDONLY):
        try:
            return os.open(path, flags | os.O_CLOEXEC, 0o600)
        except OSError:
            continue
    return None


def take_gate(fd: int, mode: int, deadline: float) -> bool:
    """``flock(fd, mode)`` tried until ``deadline`` (``time.monotonic()``); False if never got."""
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        except OSError:
            return True  # a file system without locks: nothing to keep out, as before


@contextmanager
def restore_gate(database: Path, wait_ms: int) -> Iterator[None]:
    """Hold ``database``'s gate exclusively: no write transaction of this program starts, and
    every one under way has ended (see :func:`writers_gate`).

    Raises:
        StoreError: writes kept the gate for ``wait_ms``.
    """
    fd = writers_gate(database)
    if fd is None:
        yield
        return
    try:
        if not take_gate(fd, fcntl.LOCK_EX, time.monotonic() + wait_ms / 1000):
            raise StoreError(
                f"Chưa khôi phục được «{database}»: chương trình Quầy đang ghi vào nó; hãy thử lại sau "
                "ít phút. Cơ sở dữ liệu vẫn như cũ."
            )
        yield
    finally:
        os.close(fd)  # drops the lock
