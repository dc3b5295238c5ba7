"""The dossier store: events, the projection rebuilt from them, the outbox, search and lists.

One connection owns the writes (a lock serialises the desk's threads). Every public write method
expects to run inside :meth:`DossierStore.transaction`, which the desk opens once per use case.
Reads never load a whole table: lists page, the logbook streams.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from counter_app.domain.calendar import VN_TZ, Override, to_vn
from counter_app.domain.dossier import (
    RATING_LEVELS,
    SATISFIED_LEVELS,
    Dossier,
    Event,
    dossier_from_json,
    fold,
    format_time,
    parse_time,
)
from counter_app.domain.errors import StoreError
from counter_app.domain.text import fold as fold_text
from counter_app.domain.text import fts_query
from counter_app.store.database import (
    BUSY_TIMEOUT_MS,
    RESTORING,
    connect_read_only,
    create_private,
    damaged,
    damaged_problem,
    explain,
    fsync_dir,
    fsync_file,
    open_database,
    take_gate,
    writers_gate,
)

BEGIN_TRY_MS = 20
"""How long one try to begin a write waits inside SQLite for another program's lock (see
``DossierStore._begin``): the longest a read on the UI thread waits for a worker's write."""

HUB_POSITION = "_hub_position"
"""Settings key: the place in the hub's order given to the last event pulled."""
HUB_CAUGHT_UP = "_hub_caught_up"
"""Settings key: when a pull last reached the end of the hub's events (absent: never, so codes
this counter's number was given on another machine may still be on the hub)."""
HUB_PIVOT = "_hub_pivot"
"""Settings key: the last event recorded before migration 15, the last to take its recorded order
as its place in the hub's order."""


def fold_order(pivot: int = 0) -> str:
    """The ``ORDER BY`` a dossier's events are folded in: the hub's order for the events the hub
    has (the same on every counter of the commune, and on the citizens' look-up page), then this
    counter's events not yet back from the hub, as recorded; without a hub, the order recorded.
    The events up to ``pivot`` (recorded before migration 15) take their recorded order as their
    place."""
    place = f"coalesce(hub_seq, CASE WHEN seq <= {int(pivot)} THEN seq END)" if pivot else "hub_seq"
    return f"{place} IS NULL, {place}, seq"


@dataclass(frozen=True)
class FoldRow:
    """One event of a dossier as it is folded again (see :meth:`DossierStore.fold_rows`)."""

    seq: int
    origin: str
    flagged: bool
    event: Event


@dataclass(frozen=True)
class DossierRow:
    """A dossier as a list shows it: no documents, no history."""

    code: str
    status: int
    procedure_code: str
    procedure_name: str
    applicant_name: str
    id_number: str
    phone: str
    received_at: datetime
    due_at: datetime
    paused_at: datetime | None
    result_at: datetime | None
    returned_at: datetime | None
    sync_state: str
    owner_name: str = ""
    """The dossier's owner when someone else submitted it ("" otherwise)."""
    transferred_at: datetime | None = None
    closed_at: datetime | None = None
    refused_at_intake: bool = False
    """Refused at the counter (:attr:`Dossier.refused_at_intake`)."""

    @property
    def appointment_at(self) -> datetime | None:
        """The appointment given to the citizen; None for a dossier refused at the counter."""
        return None if self.refused_at_intake else self.due_at

    @property
    def who(self) -> str:
        """The applicant, and the owner when it is someone else: "Lê Văn A (chủ hồ sơ: Lê Thị B)"."""
        if self.owner_name and self.owner_name != self.applicant_name:
            return f"{self.applicant_name} (chủ hồ sơ: {self.owner_name})"
        return self.applicant_name


def _row_columns(table: str = "") -> str:
    """The columns of a :class:`DossierRow`, optionally qualified by a table alias."""
    t = f"{table}." if table else ""
    plain = (
        "code, status, procedure_code, procedure_name, applicant_name, id_number, phone, "
        "received_at, due_at, paused_at, result_at, returned_at, sync_state"
    ).split(", ")
    owner = f"CASE WHEN {t}owner_folded IS NULL THEN '' ELSE json_extract({t}data, '$.owner.name') END"
    # CASE, not AND: SQLite evaluates both sides of an AND in a result column, so every row read
    # parsed its JSON copy (half the time of a page of name-search results).
    refused = f"CASE WHEN {t}status = 3 THEN json_extract({t}data, '$.refused_at_counter') IS 1 ELSE 0 END"
    return ", ".join([*(t + c for c in plain), owner, f"{t}transferred_at", f"{t}closed_at", refused])


_ROW_COLUMNS = _row_columns()


def _row(r: tuple[Any, ...]) -> DossierRow:
    def t(v: str | None) -> datetime | None:
        return datetime.fromisoformat(v) if v else None

    return DossierRow(
        code=r[0],
        status=r[1],
        procedure_code=r[2],
        procedure_name=r[3],
        applicant_name=r[4],
        id_number=r[5],
        phone=r[6],
        received_at=datetime.fromisoformat(r[7]),
        due_at=datetime.fromisoformat(r[8]),
        paused_at=t(r[9]),
        result_at=t(r[10]),
        returned_at=t(r[11]),
        sync_state=r[12],
        owner_name=r[13] or "",
        transferred_at=t(r[14]),
        closed_at=t(r[15]),
        refused_at_intake=bool(r[16]),
    )


_PROJECTION_COLUMNS = (
    "code", "status", "procedure_code", "procedure_name", "field", "applicant_name", "name_folded",
    "id_number", "phone", "address", "received_at", "received_day", "due_at", "paused_at",
    "transferred_at", "result_at", "returned_at", "closed_at", "counter_no", "events", "updated_at",
    "sync_state", "data", "owner_folded", "owner_id",
)  # fmt: skip
"""Columns of a dossier row, in table order."""
_STEP_COLUMNS = (
    "status", "due_at", "paused_at", "transferred_at", "result_at", "returned_at", "closed_at",
    "events", "updated_at", "sync_state", "data",
)  # fmt: skip
"""Columns a lifecycle step may change."""
_FIXED_COLUMNS = tuple(c for c in _PROJECTION_COLUMNS if c not in _STEP_COLUMNS and c != "received_day")
"""Columns fixed at receipt (received_day follows received_at)."""
_UPSERT = (
    f"INSERT INTO dossiers ({', '.join(_PROJECTION_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_PROJECTION_COLUMNS))})"
    " ON CONFLICT (code) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _PROJECTION_COLUMNS[1:])
)
_STEP_UPDATE = (
    f"UPDATE dossiers SET {', '.join(f'{c} = ?' for c in _STEP_COLUMNS)}"
    " WHERE code = ? AND " + " AND ".join(f"{c} IS ?" for c in _FIXED_COLUMNS[1:])
)
"""The narrow update of a lifecycle step. ``IS``, not ``=``, for the columns it checks unchanged:
most dossiers have no owner, and ``NULL = NULL`` is not true, so with ``=`` the check failed for
them and every step fell through to the upsert, rewriting every index of the row."""


_REFUSED_AT_COUNTER = "status = 3 AND json_extract(data, '$.refused_at_counter') IS 1"
"""A row refused at the counter (:attr:`Dossier.refused_at_intake`): not counted as received. The
status first: SQLite reads the JSON of refused rows only."""

LOCAL_TIME_WINDOW = 2000
"""How many of the file's last events :meth:`DossierStore.latest_local_time` looks through."""


_VIEW_INDEX = {"waiting_papers": "dossiers_waiting", "ready": "dossiers_ready"}
"""Lists read in the order of an index of their own (migration 10). Named, because without the
statistics of ``ANALYZE`` (which the counter does not run) SQLite prefers the status index and then
sorts every such dossier."""
LIST_VIEWS = ("today", "due_today", "overdue", "waiting_papers", "ready", "open", "recent")
"""Named lists the TUI pages through."""


def _day_span(first: date, last: date) -> tuple[str, str]:
    """Canonical times from the start of Vietnam day ``first`` to the start of the day after ``last``."""
    midnight = datetime.min.time()
    return (
        format_time(datetime.combine(first, midnight, VN_TZ)),
        format_time(datetime.combine(last + timedelta(days=1), midnight, VN_TZ)),
    )


def _projection_row(d: Dossier, sync_state: str) -> dict[str, Any]:
    """A dossier's row in ``dossiers``, column by column (the projection of its events)."""

    def t(v: datetime | None) -> str | None:
        return format_time(v) if v else None

    owner = d.owner if d.owner is not None and d.owner.name else None
    row = {
        "code": d.code,
        "status": d.status,
        "procedure_code": d.procedure_code,
        "procedure_name": d.procedure_name,
        "field": d.field,
        "applicant_name": d.applicant.name,
        "name_folded": fold_text(d.applicant.name),
        "id_number": d.applicant.id_number,
        "phone": d.applicant.phone,
        "address": d.applicant.address,
        "received_at": format_time(d.received_at),
        "received_day": to_vn(d.received_at).date().isoformat(),
        "due_at": format_time(d.due_at),
        "paused_at": t(d.paused_at),
        "transferred_at": t(d.transferred_at),
        "result_at": t(d.result_at),
        "returned_at": t(d.returned_at),
        "closed_at": t(d.closed_at),
        "counter_no": d.counter_no,
        "events": d.events,
        "updated_at": t(d.updated_at) or format_time(d.received_at),
        "sync_state": sync_state,
        "data": json.dumps(d.to_json(), ensure_ascii=False, sort_keys=True),
        "owner_folded": other_names_folded(owner.name if owner else None, d.applicant.representative),
        "owner_id": (owner.id_number or None) if owner else None,
    }
    return row


def _rating_row(d: Dossier) -> tuple[Any, ...] | None:
    """A dossier's row in ``ratings`` (None when it was not rated)."""
    r = d.rating
    return None if r is None else (d.code, r.level, format_time(r.at), r.rater, r.comment, r.official)


def _identity(path: Path) -> tuple[int, int] | None:
    """The device and inode of the file at ``path`` (None when there is none)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def other_names_folded(owner: str | None, representative: str | None) -> str | None:
    """What the second name index holds for a dossier: the names of the other people on it, the
    owner (when not the applicant) and an organisation's representative (the person at the
    counter, found by their own name); None when there is neither. One column for both: a search
    whose words come from the two names ("le thi hung") finds the dossier too, a near miss the
    official sees at once in the list."""
    return " ".join(fold_text(name) for name in (owner, representative) if name) or None


class DossierStore:
    """Persistence of dossiers and everything around them, on one SQLite connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._lock: threading.RLock = getattr(conn, "lock", None) or threading.RLock()
        """The connection's own lock when it has one (:class:`SharedConnection`): every call into
        SQLite holds it, and a transaction holds it from ``BEGIN`` to ``COMMIT``."""
        self._patience_ms = BUSY_TIMEOUT_MS
        """How long a write waits for another program's lock (see :meth:`_begin`)."""
        self._fold_order = self._read_fold_order()
        """:func:`fold_order` for this file (see :meth:`_read_fold_order`)."""
        main = next((row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"), "")
        self._file = Path(main) if main else None
        self._identity = _identity(self._file) if self._file is not None else None
        """The opened file's device and inode: a save checks that its path still names it."""
        self._gate: int | None = None
        """The restore's gate (:func:`writers_gate`), held shared by each write transaction;
        opened at the first one (a copy only read, a backup checked, makes no gate file)."""

    def _read_fold_order(self) -> str:
        """:func:`fold_order` with this file's ``HUB_PIVOT``; the order recorded for a migration
        that folds before migration 15 gave events their place in the hub's order."""
        columns = {row[1] for row in self.conn.execute("PRAGMA table_info(events)")}
        if "hub_seq" not in columns:
            return "seq"
        row = self.conn.execute("SELECT value FROM site_settings WHERE key = ?", (HUB_PIVOT,)).fetchone()
        return fold_order(int(row[0]) if row and str(row[0]).isdigit() else 0)

    @property
    def read_only(self) -> bool:
        """Opened read-only, the file being on a read-only disk: reads work, every save is refused."""
        return bool(getattr(self.conn, "frozen", False))

    @property
    def db(self) -> Any:
        """A sqlite-utils view of the same connection, for tools that want its table API."""
        from sqlite_utils import Database

        return Database(self.conn, execute_plugins=False)

    # -- transactions --------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One all-or-nothing write: ``BEGIN IMMEDIATE`` ... ``COMMIT`` (durable on return)."""
        with self._lock:
            if self.conn.in_transaction:  # nested: the outer transaction decides
                yield
                return
        try:
            self._begin()  # returns holding the lock, in the transaction
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Chưa lưu được: {explain(exc)}.") from exc
        try:
            try:
                self._check_still_there()
                yield
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError)):
                raise  # our own bug, not the machine's: logged as unexpected
            # Disk full, read-only file, I/O error: nothing of this use case was written, and the
            # official is told why in plain words.
            with suppress(sqlite3.Error):
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
            raise StoreError(f"Chưa lưu được: {explain(exc)}.") from exc
        finally:
            self._leave_gate()
            self._lock.release()

    def _leave_gate(self) -> None:
        """Give back this transaction's share of the restore's gate (see :func:`writers_gate`)."""
        if self._gate is not None:
            with suppress(OSError):
                fcntl.flock(self._gate, fcntl.LOCK_UN)

    def _check_still_there(self) -> None:
        """Refuse to write when the path no longer names the file this connection has open.

        Deleted or moved away under a running counter (a clean-up of the data folder, a copy back
        "by hand", a network folder remounted), the file took every save that followed: "Đã lưu"
        and a receipt, for a dossier in an unlinked file gone when the program closed.

        Raises:
            StoreError: the file at the path is gone or is another file.
        """
        if self._file is None or self._identity is None:
            return
        if _identity(self._file) != self._identity:
            raise StoreError(
                f"Chưa lưu được: tệp cơ sở dữ liệu «{self._file}» đã bị xóa, đổi tên hoặc thay bằng tệp "
                "khác trong lúc chương trình đang mở. Hãy thoát chương trình, kiểm tra tệp (hoặc khôi "
                "phục bản sao lưu gần nhất: counter restore TỆP) rồi mở lại."
            )

    def _begin(self) -> None:
        """``BEGIN IMMEDIATE``, waiting for another program's write lock (the nightly job, the
        command line) in short tries, with the connection free between them.

        SQLite waits for a lock inside the call, holding the connection; a worker writing the
        draft while ``counter backup`` wrote held it, and the screen froze for up to ten seconds at
        the next read it made (a key pressed, a field checked). Between tries the UI thread reads.

        Returns holding :attr:`lock`. Raises the last ``sqlite3`` error once the patience is spent
        (``BUSY_TIMEOUT_MS``, or :meth:`waiting_at_most`'s).
        """
        deadline = time.monotonic() + self._patience_ms / 1000
        while True:
            self._lock.acquire()
            if self._gate is None and self._file is not None and not self.read_only:
                self._gate = writers_gate(self._file)
            # One try at a time, as for SQLite's lock: a restore holds the gate for seconds, and
            # the UI thread reads between tries.
            if self._gate is not None and not take_gate(self._gate, fcntl.LOCK_SH, time.monotonic()):
                self._lock.release()
                if time.monotonic() >= deadline:
                    raise StoreError(f"Chưa lưu được: {RESTORING}.")
                time.sleep(BEGIN_TRY_MS / 2000)
                continue
            try:
                self.conn.execute(f"PRAGMA busy_timeout = {BEGIN_TRY_MS}")
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                finally:
                    self.conn.execute(f"PRAGMA busy_timeout = {self._patience_ms}")
                return
            except sqlite3.OperationalError as exc:
                self._leave_gate()
                self._lock.release()
                busy = getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
                if not busy or time.monotonic() >= deadline:
                    raise
            except BaseException:
                self._leave_gate()
                self._lock.release()
                raise
            time.sleep(BEGIN_TRY_MS / 2000)

    @contextmanager
    def waiting_at_most(self, milliseconds: int) -> Iterator[None]:
        """Wait at most ``milliseconds`` for another connection's lock inside the block (the
        connection's usual patience is ``BUSY_TIMEOUT_MS``)."""
        with self._lock:
            self.conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
            self._patience_ms = int(milliseconds)
            try:
                yield
            finally:
                self._patience_ms = BUSY_TIMEOUT_MS
                self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with self._lock:
            self.conn.close()
            if self._gate is not None:
                with suppress(OSError):
                    os.close(self._gate)
                self._gate = None

    # -- settings ------------------------------------------------------------------------------

    @property
    def lock(self) -> threading.RLock:
        """The lock every use of the connection from several threads holds (reentrant)."""
        return self._lock

    def data_version(self) -> int:
        """SQLite's ``data_version``: it moves when another connection (another process) commits."""
        with self._lock:
            return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def read_settings(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM site_settings").fetchall())

    def write_settings(self, values: Mapping[str, str]) -> None:
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO site_settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [(k, str(v)) for k, v in values.items()],
            )

    # -- sequences -----------------------------------------------------------------------------

    def next_code_number(self, day: date, counter_no: int) -> int:
        """Advance and return this counter's code sequence for a Vietnam day (in a transaction)."""
        return self._next("code", day.isoformat(), counter_no)

    def next_logbook_entry(self, volume: str, counter_no: int) -> int:
        """Advance and return this counter's logbook entry number in a volume."""
        return self._next("logbook", volume, counter_no)

    def advance_code_number(self, day: date, counter_no: int, at_least: int) -> None:
        """Move this counter's code sequence of a day to at least ``at_least`` (a code of its own
        pulled back from the hub: the next one it issues comes after it)."""
        self._advance("code", day.isoformat(), counter_no, at_least)

    def skip_unseen_codes(self, day: date, counter_no: int, skip: int) -> None:
        """Until a pull has reached the end of the hub's events, move this counter's code sequence
        of a day to at least ``skip``: the hub may hold that day's codes of this counter number,
        issued on a machine this file replaced (one statement, in the receipt's transaction)."""
        if not self.conn.in_transaction:
            raise RuntimeError("sequences advance only inside the saving transaction")
        self.conn.execute(
            "INSERT INTO sequences (name, key, counter_no, last) SELECT 'code', ?, ?, ?"
            " WHERE NOT EXISTS (SELECT 1 FROM site_settings WHERE key = ?)"
            " ON CONFLICT (name, key, counter_no) DO UPDATE SET last = max(last, excluded.last)",
            (day.isoformat(), counter_no, skip, HUB_CAUGHT_UP),
        )

    def advance_logbook_entry(self, volume: str, counter_no: int, at_least: int) -> None:
        self._advance("logbook", volume, counter_no, at_least)

    def _advance(self, name: str, key: str, counter_no: int, at_least: int) -> None:
        if not self.conn.in_transaction:
            raise RuntimeError("sequences advance only inside the saving transaction")
        self.conn.execute(
            "INSERT INTO sequences (name, key, counter_no, last) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name, key, counter_no) DO UPDATE SET last = max(last, excluded.last)",
            (name, key, counter_no, at_least),
        )

    def code_issuer(self, code: str) -> str | None:
        """Who issued a code this file knows of: the counter id of its receipt event ("" when only
        later events of it are here), or None when the code is unknown (no dossier, no event)."""
        issuer, known = self.conn.execute(  # one statement: it runs in every receipt's transaction
            "SELECT (SELECT counter_id FROM events WHERE dossier_code = ?1"
            " ORDER BY kind != 'received', seq LIMIT 1), EXISTS (SELECT 1 FROM dossiers WHERE code = ?1)",
            (code,),
        ).fetchone()
        if issuer is None:
            return "" if known else None
        return str(issuer)

    def _next(self, name: str, key: str, counter_no: int) -> int:
        if not self.conn.in_transaction:
            raise RuntimeError("sequences advance only inside the saving transaction")
        row = self.conn.execute(
            "INSERT INTO sequences (name, key, counter_no, last) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (name, key, counter_no) DO UPDATE SET last = last + 1 RETURNING last",
            (name, key, counter_no),
        ).fetchone()
        return int(row[0])

    # -- events and projection -----------------------------------------------------------------

    def _insert_event(self, event: Event, origin: str, now: str, hub_seq: int | None = None) -> int:
        """One row of the event log; ``hub_seq`` is its place in the hub's order when known."""
        seq = self.conn.execute(
            "INSERT INTO events (uuid, dossier_code, kind, occurred_at, actor, counter_id, body,"
            " origin, recorded_at, hub_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.uuid,
                event.dossier_code,
                event.kind,
                format_time(event.occurred_at),
                event.actor,
                event.counter_id,
                event.canonical(),
                origin,
                now,
                hub_seq,
            ),
        ).lastrowid
        assert seq is not None
        return seq

    def append(self, event: Event, dossier: Dossier, *, origin: str = "local") -> None:
        """Store one event, queue it for the hub if it is ours, and update the projection."""
        now = format_time(datetime.now().astimezone())
        seq = self._insert_event(event, origin, now)
        if origin == "local":
            self.conn.execute("INSERT INTO outbox (seq, queued_at) VALUES (?, ?)", (seq, now))
            state = "pending"
        else:  # from the hub: the dossier is as sent as its own events waiting here let it be
            state = self.dossier_sync_state(event.dossier_code)
        self._project(dossier, sync_state=state)
        if event.kind == "rated":
            self._project_rating(dossier)

    def _project_rating(self, d: Dossier) -> None:
        """Keep the dossier's latest rating in ``ratings`` (the supervisor's figures read it)."""
        rating = _rating_row(d)
        if rating is None:
            return
        self.conn.execute(
            "INSERT INTO ratings (code, level, rated_at, rater, comment, official) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (code) DO UPDATE SET level = excluded.level, rated_at = excluded.rated_at,"
            " rater = excluded.rater, comment = excluded.comment, official = excluded.official",
            rating,
        )

    def _project(self, d: Dossier, *, sync_state: str) -> None:
        row = _projection_row(d, sync_state)
        if d.events > 1:
            # A lifecycle step changes only the status and dates: update just those columns so the
            # name, ID, phone and code indexes (and the FTS trigger) are not rewritten. The WHERE
            # checks the other columns really are unchanged; otherwise fall through to the upsert.
            params = [row[c] for c in _STEP_COLUMNS] + [row[c] for c in _FIXED_COLUMNS]
            if self.conn.execute(_STEP_UPDATE, params).rowcount == 1:
                return
        self.conn.execute(_UPSERT, [row[c] for c in _PROJECTION_COLUMNS])

    def projection_differs(self) -> str | None:
        """Fold every dossier from its events and compare with its stored row and rating, in one
        read snapshot: the code of the first dossier that differs (or "" for a row missing or
        left over), None when all agree. Writes nothing and takes no write lock (WAL): the
        counter goes on saving while the check reads."""
        with self._lock:
            self.conn.execute("BEGIN")  # deferred: a snapshot, released by the ROLLBACK below
            try:
                folded = self.conn.execute(
                    "SELECT count(DISTINCT dossier_code) FROM events WHERE flagged = 0"
                ).fetchone()[0]
                rows = self.conn.execute(
                    "SELECT d.*, r.* FROM dossiers d LEFT JOIN ratings r ON r.code = d.code ORDER BY d.code"
                )
                count = 0
                for stored in rows:
                    count += 1
                    code, state = stored[0], stored[_PROJECTION_COLUMNS.index("sync_state")]
                    events = self.events_of(code)
                    if not events:
                        return code
                    dossier = fold(events)
                    row = _projection_row(dossier, state)
                    rating = _rating_row(dossier) or (None,) * 6
                    if tuple(row[c] for c in _PROJECTION_COLUMNS) + rating != tuple(stored):
                        return code
                return None if count == folded else ""
            finally:
                self.conn.execute("ROLLBACK")

    def fold_again(self, code: str) -> None:
        """Fold one dossier again from its events (flagged ones left out) and rewrite its row and
        rating, keeping its sync state: for a migration whose rule changed what a fold gives."""
        self.put_folded(code, fold(self.events_of(code)), self.stored_sync_state(code))

    def events_of(self, code: str) -> list[Event]:
        """A dossier's events in the order they are folded (flagged ones excluded): see
        :func:`fold_order`.

        Raises:
            StoreError: an event's stored text cannot be read (the file was damaged or edited).
        """
        rows = self.conn.execute(
            "SELECT seq, body FROM events WHERE dossier_code = ? AND flagged = 0"
            f" ORDER BY {self._fold_order}",
            (code,),
        ).fetchall()
        return [_read_event(code, seq, body) for seq, body in rows]

    def fold_rows(self, code: str) -> list[FoldRow]:
        """Every event of a dossier, flagged ones too, in the order they are folded."""
        rows = self.conn.execute(
            "SELECT seq, origin, flagged, body FROM events WHERE dossier_code = ?"
            f" ORDER BY {self._fold_order}",
            (code,),
        ).fetchall()
        return [
            FoldRow(seq, origin, bool(flagged), _read_event(code, seq, body))
            for seq, origin, flagged, body in rows
        ]

    def step_uuids(self, code: str, kinds: Iterable[str]) -> list[tuple[str, str]]:
        """``(uuid, kind)`` of the dossier's events folded in (not left out) among ``kinds``, in
        the order its events are folded (a dossier has a handful)."""
        wanted = sorted(kinds)
        rows = self.conn.execute(
            f"SELECT uuid, kind FROM events WHERE dossier_code = ? AND flagged = 0"
            f" AND kind IN ({', '.join('?' * len(wanted))}) ORDER BY {self._fold_order}",
            (code, *wanted),
        ).fetchall()
        return [(str(uuid), str(kind)) for uuid, kind in rows]

    def flagged_of(self, code: str) -> list[tuple[Event, str]]:
        """A dossier's events left out of its folds, with why, in the order they were recorded."""
        rows = self.conn.execute(
            "SELECT seq, body, flag_reason FROM events WHERE dossier_code = ? AND flagged = 1 ORDER BY seq",
            (code,),
        ).fetchall()
        return [(_read_event(code, seq, body), reason) for seq, body, reason in rows]

    def set_flag(self, seq: int, reason: str) -> None:
        """Leave an event out of its dossier's folds (with the reason), or take it back in ("")."""
        self.conn.execute(
            "UPDATE events SET flagged = ?, flag_reason = ? WHERE seq = ?", (int(bool(reason)), reason, seq)
        )

    def put_folded(self, code: str, dossier: Dossier | None, sync_state: str) -> None:
        """Write a dossier folded again: its row and its rating (none left when nothing folds)."""
        if dossier is None:
            self.conn.execute("DELETE FROM dossiers WHERE code = ?", (code,))
            self.conn.execute("DELETE FROM ratings WHERE code = ?", (code,))
            return
        self._project(dossier, sync_state=sync_state)
        if dossier.rating is None:
            self.conn.execute("DELETE FROM ratings WHERE code = ?", (code,))
        else:
            self._project_rating(dossier)

    def insert_pulled(self, event: Event, hub_seq: int) -> None:
        """Store an event from the hub at its place in the hub's order, not folded yet (the caller
        folds its dossier again)."""
        self._insert_event(event, "hub", format_time(datetime.now().astimezone()), hub_seq)

    def place_event(self, uuid: str, hub_seq: int) -> str | None:
        """Give an event this counter has (its own, back from the hub; any, pulled again after the
        hub was put back) its place in the hub's order. Returns its dossier's code when the place
        changed (the dossier is to be folded again), else None."""
        row = self.conn.execute(
            "UPDATE events SET hub_seq = ? WHERE uuid = ? AND hub_seq IS NOT ? RETURNING dossier_code",
            (hub_seq, uuid, hub_seq),
        ).fetchone()
        return str(row[0]) if row else None

    def forget_hub_order(self) -> None:
        """The hub's order is to be learned again (it was put back to an older copy and numbers
        the events sent again in the order they come back): no event keeps its old place. Until
        an event is pulled again it folds after those placed anew, in the order recorded here."""
        self.conn.execute("UPDATE events SET hub_seq = NULL WHERE hub_seq IS NOT NULL")

    def latest_local_time(self, recent: int = 50, window: int = LOCAL_TIME_WINDOW) -> datetime | None:
        """The latest time among this counter's last ``recent`` events (a step entered afterwards
        with its paper time comes last yet happened earlier), looked for among the last ``window``
        events of the file; None when none of those is this counter's own.

        Bounded: ``origin`` has no index, and a counter set up anew pulls the commune's history
        (a million events from the hub, none its own). The unbounded query read them all, 0.25 s
        holding the shared connection at every sign-in while the intake screen waited for it.
        """
        rows = self.conn.execute(
            "SELECT occurred_at FROM (SELECT seq, occurred_at, origin FROM events ORDER BY seq DESC LIMIT ?)"
            " WHERE origin = 'local' ORDER BY seq DESC LIMIT ?",
            (window, recent),
        ).fetchall()
        return max((parse_time(row[0]) for row in rows), default=None)

    def has_event(self, uuid: str) -> bool:
        return self.conn.execute("SELECT 1 FROM events WHERE uuid = ?", (uuid,)).fetchone() is not None

    def received_again_as(self, left_out: str) -> str | None:
        """The code of the receipt that received the left-out receipt ``left_out`` (a uuid) again
        (``Desk.receive_again``), None when none did. Such a receipt is made after the left-out one
        was known here, so only the events recorded since are read."""
        row = self.conn.execute(
            "SELECT dossier_code FROM events WHERE seq > (SELECT seq FROM events WHERE uuid = ?)"
            " AND kind = 'received' AND flagged = 0"
            " AND json_extract(body, '$.payload.received_again.event') = ? ORDER BY seq LIMIT 1",
            (left_out, left_out),
        ).fetchone()
        return None if row is None else str(row[0])

    def get(self, code: str) -> Dossier | None:
        """The stored projection of one dossier, or None."""
        row = self.conn.execute("SELECT data FROM dossiers WHERE code = ?", (code,)).fetchone()
        return _read_dossier(code, row[0]) if row else None

    def rebuild_projection(self) -> int:
        """Rebuild every dossier row from the events (in a transaction). Returns the count."""
        with self.transaction():
            states = {
                r[0]: r[1] for r in self.conn.execute("SELECT code, sync_state FROM dossiers").fetchall()
            }
            self.conn.execute("DELETE FROM dossiers")
            self.conn.execute("DELETE FROM ratings")
            codes = [
                r[0]
                for r in self.conn.execute(
                    "SELECT dossier_code FROM events WHERE flagged = 0 GROUP BY dossier_code"
                    " ORDER BY MIN(seq)"
                ).fetchall()
            ]
            for code in codes:
                dossier = fold(self.events_of(code))
                self._project(dossier, sync_state=states.get(code, "pending"))
                self._project_rating(dossier)
            return len(codes)

    def projection_rows(self) -> list[tuple[Any, ...]]:
        """Every dossier row (all columns, with its rating if any), in code order (to compare a rebuild
        with the original)."""
        return self.conn.execute(
            "SELECT d.*, r.* FROM dossiers d LEFT JOIN ratings r ON r.code = d.code ORDER BY d.code"
        ).fetchall()

    # -- outbox and sync --------------------------------------------------------------------------

    def outbox_events(self, limit: int) -> list[str]:
        """The oldest events waiting for the hub, as their canonical text, in recorded order."""
        rows = self.conn.execute(
            "SELECT e.body FROM outbox o JOIN events e ON e.seq = o.seq ORDER BY o.seq LIMIT ?", (limit,)
        ).fetchall()
        return [r[0] for r in rows]

    def dossier_sync_state(self, code: str) -> str:
        """The sync state a dossier should have now: "conflict" once the hub refused one of its
        events, "pending" while one of its events waits in the outbox, "sent" otherwise."""
        if self.stored_sync_state(code) == "conflict":
            return "conflict"
        return self._unsettled_state(code)

    def _unsettled_state(self, code: str) -> str:
        """ "pending" while one of the dossier's events waits in the outbox, else "sent"."""
        waiting = self.conn.execute(
            "SELECT 1 FROM events e JOIN outbox o ON o.seq = e.seq WHERE e.dossier_code = ? LIMIT 1", (code,)
        ).fetchone()
        return "pending" if waiting else "sent"

    def queue_all_own(self, counter_id: str) -> int:
        """Put every event of this counter back in the outbox (inside the caller's transaction):
        the hub lost them. Those recorded here, and those of ``counter_id`` the hub gave back (a PC
        replaced, or restored from an older backup, pulled its own history): no other counter
        sends another's events, so left out they were lost for good. The hub takes an event it
        holds already as stored, so nothing doubles. Their dossiers read "pending" again. Returns
        how many were queued (not there already)."""
        now = format_time(datetime.now().astimezone())
        own = "origin = 'local' OR counter_id = ?"
        queued = self.conn.execute(
            f"INSERT OR IGNORE INTO outbox (seq, queued_at) SELECT seq, ? FROM events WHERE {own}",
            (now, counter_id),
        ).rowcount
        self.conn.execute(
            "UPDATE dossiers SET sync_state = 'pending' WHERE sync_state = 'sent' AND code IN"
            f" (SELECT dossier_code FROM events WHERE {own})",
            (counter_id,),
        )
        return int(queued)

    def mark_sent(self, uuids: Sequence[str], *, newest_key: str | None = None) -> int:
        """Take the events the hub named as stored out of the outbox (one transaction); their
        dossiers become "sent" when nothing of theirs waits any more. Returns how many left it.

        Args:
            uuids: The events the hub named as stored.
            newest_key: A setting that takes the uuid of the newest of them (recorded here last),
                in the same transaction.
        """
        if not uuids:
            return 0
        with self.transaction():
            taken = 0
            codes: set[str] = set()
            newest: tuple[int, str] | None = None
            for uuid in uuids:
                row = self.conn.execute(
                    "SELECT seq, dossier_code FROM events WHERE uuid = ?", (uuid,)
                ).fetchone()
                if row is None:
                    continue  # the hub named an event this counter does not have: nothing to take out
                taken += self.conn.execute("DELETE FROM outbox WHERE seq = ?", (row[0],)).rowcount
                codes.add(row[1])
                if newest is None or row[0] > newest[0]:
                    newest = (row[0], uuid)
            for code in codes:
                self.set_sync_state(code, self.dossier_sync_state(code))
            if newest_key is not None and newest is not None:
                self.write_settings({newest_key: newest[1]})
            return taken

    def mark_conflict(self, uuids: Sequence[str]) -> list[str]:
        """The dossiers of events the hub holds with other content: marked "conflict" (their events
        stay in the outbox, for an administrator to look at). Returns their codes."""
        codes: list[str] = []
        with self.transaction():
            for uuid in uuids:
                row = self.conn.execute("SELECT dossier_code FROM events WHERE uuid = ?", (uuid,)).fetchone()
                if row and row[0] not in codes:
                    codes.append(row[0])
                    self.set_sync_state(row[0], "conflict")
        return codes

    def clear_conflict(self, code: str) -> str:
        """Take a dossier out of "conflict" (a person has looked at it): "pending" while one of its
        events waits in the outbox, else "sent". Returns the new state."""
        state = self._unsettled_state(code)
        self.set_sync_state(code, state)
        return state

    def stored_sync_state(self, code: str) -> str:
        """The sync state in a dossier's row ("pending" for a dossier not here)."""
        row = self.conn.execute("SELECT sync_state FROM dossiers WHERE code = ?", (code,)).fetchone()
        return str(row[0]) if row else "pending"

    def set_sync_state(self, code: str, state: str) -> None:
        """Set a dossier's sync state in its row (inside the caller's transaction)."""
        self.conn.execute("UPDATE dossiers SET sync_state = ? WHERE code = ?", (state, code))

    def codes_in_sync_state(self, state: str, limit: int = 100) -> list[str]:
        """Dossiers in one sync state (an administrator's list of conflicts), newest first."""
        rows = self.conn.execute(
            "SELECT code FROM dossiers WHERE sync_state = ? ORDER BY received_at DESC LIMIT ?", (state, limit)
        )
        return [r[0] for r in rows]

    def flagged_events(self) -> list[tuple[str, str, str]]:
        """Events kept but left out of the folds: (dossier code, uuid, reason), oldest first. Those
        from the hub that cannot apply, and this counter's own steps that the hub's order overruled
        (another counter's step on the same dossier reached the hub first)."""
        return self.conn.execute(
            "SELECT dossier_code, uuid, flag_reason FROM events WHERE flagged = 1 ORDER BY seq"
        ).fetchall()

    def unsent_count(self) -> int:
        """Events recorded here that the hub has not acknowledged yet (the outbox holds only those)."""
        return int(self.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])

    # -- look-ups and search ---------------------------------------------------------------------

    def exists(self, code: str) -> bool:
        return self.conn.execute("SELECT 1 FROM dossiers WHERE code = ?", (code,)).fetchone() is not None

    def by_code_prefix(self, prefix: str, limit: int = 20, offset: int = 0) -> list[DossierRow]:
        upper = prefix + "\uffff"
        rows = self.conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM dossiers WHERE code >= ? AND code < ? "
            "ORDER BY received_at DESC LIMIT ? OFFSET ?",
            (prefix, upper, limit, offset),
        ).fetchall()
        return [_row(r) for r in rows]

    def by_code_suffix(
        self, digits: str, since: date, limit: int = 20, offset: int = 0, *, until: date | None = None
    ) -> list[DossierRow]:
        """Codes received since a day (up to ``until``) whose sequence is the typed 4 or 5 digits
        ("…-2001")."""
        if not (digits.isdigit() and len(digits) in (4, 5)):
            return []
        tail = digits if len(digits) == 5 else "-" + digits
        rows = self.conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM dossiers WHERE substr(code, -5) = ? AND received_day >= ? "
            "AND received_day <= ? ORDER BY received_at DESC LIMIT ? OFFSET ?",
            (tail, since.isoformat(), (until or date.max).isoformat(), limit, offset),
        ).fetchall()
        return [_row(r) for r in rows]

    def by_number_prefix(self, digits: str, limit: int = 50, offset: int = 0) -> list[DossierRow]:
        """Dossiers whose applicant's ID number or phone starts with ``digits``, newest first.

        Two index range scans (SQLite unions the OR); the first digits of an ID number are a
        province and a birth year, so a short prefix can match thousands: callers ask for six
        digits or more.
        """
        if not digits.isdigit():
            return []
        high = digits[:-1] + chr(ord(digits[-1]) + 1)  # "…9" gives "…:", the next string up
        rows = self.conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM dossiers WHERE (id_number >= ? AND id_number < ?)"
            " OR (phone >= ? AND phone < ?) ORDER BY received_at DESC LIMIT ? OFFSET ?",
            (digits, high, digits, high, limit, offset),
        ).fetchall()
        return [_row(r) for r in rows]

    def by_column(self, column: str, value: str, limit: int = 50, offset: int = 0) -> list[DossierRow]:
        if column not in ("id_number", "phone", "code", "owner_id"):
            raise ValueError(column)
        rows = self.conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM dossiers WHERE {column} = ? "
            "ORDER BY received_at DESC LIMIT ? OFFSET ?",
            (value, limit, offset),
        ).fetchall()
        return [_row(r) for r in rows]

    def by_name(self, query: str, limit: int = 50, offset: int = 0) -> list[DossierRow]:
        """Folded search on applicants' and owners' names, ranked: the applicant's exact name
        first, then every name that contains the typed words (the last one as a prefix), all of
        them in the applicant's name or all in the owner's; newest first within each group.

        bm25 ranking was dropped: on common family names ("nguyen thi": 140k of 1M rows) it scores
        and sorts every match (about 1 s), and for names it mostly favoured shorter ones. Walking
        the index backwards by rowid stops after one page (see bench/bench_core.py).
        """
        match = fts_query(query)
        if match is None:
            return []
        name = fold_text(query)
        columns = _row_columns("d")
        try:
            rows = self.conn.execute(
                f"SELECT {columns} FROM dossiers d WHERE d.name_folded = ? "
                "ORDER BY d.received_at DESC LIMIT ? OFFSET ?",
                (name, limit, offset),
            ).fetchall()
            if len(rows) < limit:
                # Applicants' and owners' names have an index each; both are walked newest first
                # for as many rows as this page needs, and merged (a dossier found both ways once).
                exact_total = (
                    self.conn.execute("SELECT count(*) FROM dossiers WHERE name_folded = ?", (name,))
                    .fetchone()[0] if offset else len(rows)
                )  # fmt: skip
                want, skip = limit - len(rows), max(0, offset - exact_total)
                found: dict[int, tuple[Any, ...]] = {}
                for index in ("dossiers_fts", "owners_fts"):
                    for rowid, *row in self.conn.execute(
                        f"SELECT f.rowid, {columns} FROM {index} f JOIN dossiers d ON d.rowid = f.rowid "
                        f"WHERE {index} MATCH ? AND d.name_folded <> ? ORDER BY f.rowid DESC LIMIT ?",
                        (match, name, skip + want),
                    ):
                        found[rowid] = tuple(row)
                rows += [found[rowid] for rowid in sorted(found, reverse=True)][skip : skip + want]
        except sqlite3.Error as exc:  # an FTS5 syntax error must never reach the official
            if damaged(exc):
                raise StoreError(damaged_problem()) from exc
            raise StoreError("Không tìm được theo tên này; hãy thử gõ lại.") from exc
        return [_row(r) for r in rows]

    # -- lists -----------------------------------------------------------------------------------

    def list_view(self, view: str, now: datetime, limit: int = 50, offset: int = 0) -> list[DossierRow]:
        """One page of a named list (see LIST_VIEWS).

        The page is chosen from the indexes alone, then only its rows are read: sorting every
        overdue dossier by its due time would read each of their rows (thousands of pages in a
        database of years). Ties are broken by the row's number, so that paging with ``offset``
        neither repeats nor skips a dossier of the same due time.
        """
        where, params = self._view_filter(view, now)
        order = {
            "today": "received_at DESC, rowid DESC",
            "recent": "received_at DESC, rowid DESC",
            "due_today": "due_at, rowid",
            "overdue": "due_at, rowid",
            "waiting_papers": "paused_at, rowid",
            "ready": "result_at, rowid",
            "open": "due_at, rowid",
        }[view]
        index = f" INDEXED BY {_VIEW_INDEX[view]}" if view in _VIEW_INDEX else ""
        rows = self.conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM dossiers WHERE rowid IN"
            f" (SELECT rowid FROM dossiers{index} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?)"
            f" ORDER BY {order}",
            (*params, limit, offset),
        ).fetchall()
        return [_row(r) for r in rows]

    def due_on(self, day: date, limit: int = 1000) -> list[DossierRow]:
        """Dossiers whose citizen is expected on a Vietnam day, by due time: open ones (not paused)
        and results ready to hand back on their appointment day."""
        start, end = _day_span(day, day)
        return self._expected(start, end, limit)

    def due_from(self, moment: datetime, limit: int = 1000) -> list[DossierRow]:
        """Dossiers whose citizen is expected from ``moment`` on, by due time (as :meth:`due_on`)."""
        return self._expected(format_time(moment), "9999", limit)

    def _expected(self, start: str, end: str, limit: int) -> list[DossierRow]:
        rows = self.conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM dossiers WHERE status IN (1, 2, 4, 6, 9)"
            " AND due_at >= ? AND due_at < ?"
            " ORDER BY due_at, rowid LIMIT ?",
            (start, end, limit),
        ).fetchall()
        return [_row(r) for r in rows]

    def dossier_count(self) -> int:
        """How many dossiers the database holds: the rowid's maximum, without a count over every
        row (a dossier is never deleted; a projection rebuild inserts them all again from 1)."""
        return int(self.conn.execute("SELECT coalesce(max(rowid), 0) FROM dossiers").fetchone()[0])

    def count_refused_at_counter(self, day: date) -> int:
        """Dossiers entered on ``day`` and refused at the counter (form 03, no receipt)."""
        return int(
            self.conn.execute(
                f"SELECT count(*) FROM dossiers WHERE received_day = ? AND {_REFUSED_AT_COUNTER}",
                (day.isoformat(),),
            ).fetchone()[0]
        )

    def count_view(self, view: str, now: datetime) -> int:
        where, params = self._view_filter(view, now)
        return int(self.conn.execute(f"SELECT count(*) FROM dossiers WHERE {where}", params).fetchone()[0])

    @staticmethod
    def _view_filter(view: str, now: datetime) -> tuple[str, tuple[Any, ...]]:
        now_vn = to_vn(now)
        today = now_vn.date()
        day_start, day_end = _day_span(today, today)
        if view == "today":
            return "received_day = ?", (today.isoformat(),)
        if view == "recent":
            return "1 = 1", ()
        if view == "due_today":
            return "status IN (2, 4, 6) AND due_at >= ? AND due_at < ?", (day_start, day_end)
        if view == "overdue":
            return "status IN (2, 4, 6) AND due_at < ?", (format_time(now_vn),)
        if view == "waiting_papers":
            return "status = 5", ()
        if view == "ready":
            return "status = 9", ()
        if view == "open":
            return "status IN (1, 2, 4, 5, 6)", ()
        raise ValueError(f"unknown list {view!r}")

    # -- reports -------------------------------------------------------------------------------

    def iter_received(
        self, first: date, last: date, statuses: tuple[int, ...] | None = None, batch: int = 500
    ) -> Iterator[Dossier]:
        """Dossiers received between two Vietnam days (inclusive), day by day, streamed; within a day
        in the order they were entered in the logbook (the "STT" a receipt prints), so the book reads
        1, 2, 3 down each day's rows. A paper dossier entered later for an earlier day comes last in
        that day, with its higher number: the order says when it was entered.

        A file database is read through a connection of its own, in one read transaction: a long
        logbook printed in a worker sees one consistent snapshot while the counter goes on saving
        on the main connection (WAL readers never block the writer, nor see its half-done work).
        """
        sql = "SELECT data, code FROM dossiers WHERE received_day >= ? AND received_day <= ?"
        params: list[Any] = [first.isoformat(), last.isoformat()]
        if statuses:
            sql += f" AND status IN ({', '.join('?' * len(statuses))})"
            params.extend(statuses)
        sql += (
            " ORDER BY received_day, counter_no, json_extract(data, '$.logbook.volume'),"
            " json_extract(data, '$.logbook.entry'), received_at, code"
        )
        reader = self._snapshot_reader()
        try:
            cursor = (reader or self.conn).cursor()
            if reader is not None:
                reader.execute("BEGIN")
            cursor.execute(sql, params)
            while True:
                rows = cursor.fetchmany(batch)
                if not rows:
                    break
                for r in rows:
                    yield _read_dossier(r[1], r[0])
        finally:
            if reader is not None:
                reader.close()

    def backup(self, target: Path) -> dict[str, Any]:
        """Copy the database, as it is at one moment, into a new file ``target`` (never replaced).

        The copy is read through a connection of its own (the counter goes on saving meanwhile),
        written to ``<target>.partial`` (owner-only), checked with ``quick_check``, made a single
        self-contained file (no WAL), synced, and only then renamed to ``target``: a cut-off backup
        never looks like a good one.

        Returns:
            ``path``, ``bytes`` and ``dossiers`` of the copy.

        Raises:
            StoreError: in-memory database, ``target`` exists, or the copy failed (disk full, no
                right to write...): said in Vietnamese, with nothing left behind.
        """
        reader = self._snapshot_reader("sao lưu")
        if reader is None:
            raise StoreError("Cơ sở dữ liệu trong bộ nhớ không sao lưu được.")
        partial = target.with_name(target.name + ".partial")
        copy: sqlite3.Connection | None = None
        try:
            if target.exists():
                raise StoreError(f"Đã có tệp «{target}»; bản sao lưu không ghi đè tệp có sẵn.")
            target.parent.mkdir(parents=True, exist_ok=True)
            partial.unlink(missing_ok=True)  # left by a backup cut off earlier
            create_private(partial)
            copy = sqlite3.connect(partial, isolation_level=None)
            reader.backup(copy)
            if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise StoreError("Bản sao lưu không đọc lại được; hãy kiểm tra ổ đĩa đích.")
            copy.execute("PRAGMA journal_mode = DELETE")
            dossiers = int(copy.execute("SELECT count(*) FROM dossiers").fetchone()[0])
            copy.close()
            copy = None
            fsync_file(partial)
            os.replace(partial, target)
            fsync_dir(target.parent)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"Chưa sao lưu được vào «{target}»: {explain(exc)}.") from exc
        finally:
            reader.close()
            if copy is not None:
                copy.close()
            if not target.exists() or partial.exists():
                for leftover in ("", "-journal", "-wal", "-shm"):
                    with suppress(OSError):
                        Path(f"{partial}{leftover}").unlink()
        return {"path": str(target), "bytes": target.stat().st_size, "dossiers": dossiers}

    @property
    def path(self) -> Path | None:
        """The database file, or None for an in-memory database."""
        return self._file

    def _snapshot_reader(self, purpose: str = "đọc sổ theo dõi") -> sqlite3.Connection | None:
        """A read-only connection to the same file, or None for an in-memory database."""
        path = self.path
        if path is None:
            return None
        try:
            reader = connect_read_only(path)
        except sqlite3.Error as exc:
            raise StoreError(f"Không mở được cơ sở dữ liệu để {purpose}.") from exc
        return reader

    def period_counts(self, first: date, last: date, now: datetime) -> dict[str, Any]:
        """Indicator counts for a period (QĐ 766 group "processing progress")."""
        start, end = _day_span(first, last)
        c = self.conn
        # Received: entered in the period, less those refused at the counter (status 3 the day of
        # receipt, never transferred: Dossier.refused_at_intake), counted under refused.
        taken = f"NOT ({_REFUSED_AT_COUNTER})"
        received, digitised = c.execute(
            "SELECT count(*), coalesce(sum(json_extract(data, '$.digitised') IS 1), 0)"
            f" FROM dossiers WHERE received_day BETWEEN ? AND ? AND {taken}",
            (first.isoformat(), last.isoformat()),
        ).fetchone()
        returned = c.execute(
            "SELECT count(*) FROM dossiers WHERE returned_at >= ? AND returned_at < ?", (start, end)
        ).fetchone()[0]
        # Finished in the period: early = before the due day, on time = on the due day, late after,
        # against the time limit (a moved appointment does not extend it: Dossier.rule_due_at).
        early, on_time, late = c.execute(
            "SELECT"
            " coalesce(sum(substr(result_at, 1, 10) < substr(due, 1, 10)), 0),"
            " coalesce(sum(result_at <= due AND substr(result_at, 1, 10) = substr(due, 1, 10)), 0),"
            " coalesce(sum(result_at > due), 0)"
            " FROM (SELECT result_at, coalesce(json_extract(data, '$.statutory_due'), due_at) AS due"
            " FROM dossiers WHERE result_at >= ? AND result_at < ?)",
            (start, end),
        ).fetchone()
        overdue = c.execute(
            "SELECT count(*) FROM dossiers WHERE status IN (2, 4, 6) AND due_at < ?",
            (format_time(to_vn(now)),),
        ).fetchone()[0]
        # Closed without a result in the period, by how: refused (3), withdrawn (7), stopped (8).
        closed = dict(
            c.execute(
                "SELECT status, count(*) FROM dossiers WHERE status IN (3, 7, 8)"
                " AND closed_at >= ? AND closed_at < ? GROUP BY status",
                (start, end),
            ).fetchall()
        )
        # Refused at the counter (form 03, never received: the day's intake counts it apart) and
        # refused after being received (counted in "received" of its day): two figures, one rule
        # for the dashboard, ``counter report`` and the logbook.
        refused = c.execute(
            f"SELECT count(*) FROM dossiers WHERE {_REFUSED_AT_COUNTER} AND closed_at >= ? AND closed_at < ?",
            (start, end),
        ).fetchone()[0]
        refused_later = closed.get(3, 0) - refused
        by_field = c.execute(
            f"SELECT field, count(*) FROM dossiers WHERE received_day BETWEEN ? AND ? AND {taken}"
            " GROUP BY field ORDER BY count(*) DESC, field",
            (first.isoformat(), last.isoformat()),
        ).fetchall()
        per_day = c.execute(
            f"SELECT received_day, count(*) FROM dossiers WHERE received_day BETWEEN ? AND ? AND {taken}"
            " GROUP BY received_day ORDER BY received_day",
            (first.isoformat(), last.isoformat()),
        ).fetchall()
        levels = dict(
            c.execute(
                "SELECT level, count(*) FROM ratings WHERE rated_at >= ? AND rated_at < ? GROUP BY level",
                (start, end),
            ).fetchall()
        )
        rated = sum(levels.values())
        satisfied = sum(n for level, n in levels.items() if level in SATISFIED_LEVELS)
        finished = early + on_time + late
        return {
            "received": received,
            "returned": returned,
            "finished": finished,
            "early": early,
            "on_time": on_time,
            "late": late,
            "overdue": overdue,
            "refused": refused,
            "refused_later": refused_later,
            "withdrawn": closed.get(7, 0),
            "stopped": closed.get(8, 0),
            "on_time_rate": (early + on_time) / finished if finished else None,
            "ratings": {str(level): levels.get(level, 0) for level in sorted(RATING_LEVELS, reverse=True)},
            "rated": rated,
            "satisfaction_rate": satisfied / rated if rated else None,
            "digitised": digitised,
            "digitised_rate": digitised / received if received else None,
            "by_field": [(f, n) for f, n in by_field],
            "per_day": [(d, n) for d, n in per_day],
        }

    # -- calendar overrides ----------------------------------------------------------------------

    def overrides(self) -> list[Override]:
        rows = self.conn.execute("SELECT day, kind, label FROM calendar_overrides ORDER BY day")
        return [Override(date.fromisoformat(d), k, lbl) for d, k, lbl in rows.fetchall()]

    def put_override(self, override: Override, scope: str = "local", version: int = 0) -> None:
        self.conn.execute(
            "INSERT INTO calendar_overrides (day, kind, label, scope, version, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET kind = excluded.kind,"
            " label = excluded.label, scope = excluded.scope, version = excluded.version,"
            " updated_at = excluded.updated_at",
            (
                override.day.isoformat(),
                override.kind,
                override.label,
                scope,
                version,
                format_time(datetime.now().astimezone()),
            ),
        )

    def override_scopes(self) -> dict[date, str]:
        """Who decided each overridden day: "local" (this commune) or "city" (synced from the hub)."""
        rows = self.conn.execute("SELECT day, scope FROM calendar_overrides").fetchall()
        return {date.fromisoformat(d): scope for d, scope in rows}

    def delete_override(self, day: date) -> bool:
        cur = self.conn.execute("DELETE FROM calendar_overrides WHERE day = ?", (day.isoformat(),))
        return cur.rowcount > 0

    # -- catalog ---------------------------------------------------------------------------------

    def stored_catalog(self) -> tuple[str, list[dict[str, Any]]]:
        """The catalog version and entries stored in the database ("" and [] when none)."""
        version = self.read_settings().get("_catalog_version", "")
        rows = self.conn.execute("SELECT data FROM procedures ORDER BY code").fetchall()
        return version, [json.loads(r[0]) for r in rows]

    def procedures_in_use(self) -> dict[str, int]:
        """How many dossiers not yet closed (statuses 1, 2, 4, 5, 6, 9) each procedure has."""
        rows = self.conn.execute(
            "SELECT procedure_code, count(*) FROM dossiers WHERE status IN (1, 2, 4, 5, 6, 9)"
            " GROUP BY procedure_code"
        ).fetchall()
        return {str(code): int(n) for code, n in rows}

    def replace_catalog(self, version: str, entries: list[dict[str, Any]]) -> None:
        """Replace the stored catalog with another version (in a transaction). Each replacement
        counts in ``_catalog_stamp``: a corrected catalog imported under the same version number
        reaches a counter already running too."""
        with self.transaction():
            self.conn.execute("DELETE FROM procedures")
            self.conn.executemany(
                "INSERT INTO procedures (code, name, field, data) VALUES (?, ?, ?, ?)",
                [(e["code"], e["name"], e["field"], json.dumps(e, ensure_ascii=False)) for e in entries],
            )
            self.conn.execute(
                "INSERT INTO site_settings (key, value) VALUES ('_catalog_version', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (version,),
            )
            self.conn.execute(
                "INSERT INTO site_settings (key, value) VALUES ('_catalog_stamp', '1')"
                " ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )

    # -- access log (Law 91/2025: who saw, printed or exported whose data) -----------------------

    def log_access(
        self, actor: str, action: str, dossier_code: str = "", detail: str = "", *, at: datetime | None = None
    ) -> None:
        """One access-log row; ``at``: when the reading happened (default now), for a row written
        late because the database could not take it then."""
        self.conn.execute(
            "INSERT INTO access_log (at, actor, action, dossier_code, detail) VALUES (?, ?, ?, ?, ?)",
            (format_time(at or datetime.now().astimezone()), actor, action, dossier_code, detail),
        )

    def access_entries(
        self, *, dossier_code: str | None, first: date | None, last: date | None, limit: int
    ) -> list[tuple[str, str, str, str, str]]:
        """Access log rows ``(at, actor, action, dossier_code, detail)``, newest first.

        ``first`` and ``last`` are Vietnam days, both included (None: open-ended). A period
        without a dossier reads the whole log (it grows by a row per view or print: a few hundred
        thousand rows in years, scanned in well under a second); a dossier's entries use its index.
        """
        start, end = _day_span(first or date(1970, 1, 1), last or date(9998, 12, 30))
        where, args = "at >= ? AND at < ?", [start, end]
        if dossier_code is not None:
            where += " AND dossier_code = ?"
            args.append(dossier_code)
        return self.conn.execute(
            f"SELECT at, actor, action, dossier_code, detail FROM access_log WHERE {where}"
            " ORDER BY id DESC LIMIT ?",
            (*args, limit),
        ).fetchall()

    # -- officials -------------------------------------------------------------------------------

    def officials(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT username, full_name, role, active, locked_until FROM officials ORDER BY username"
        ).fetchall()
        return [
            {"username": u, "full_name": n, "role": r, "active": bool(a), "locked_until": lock}
            for u, n, r, a, lock in rows
        ]

    def official(self, username: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT username, full_name, role, pin_salt, pin_hash, active, failed_sign_ins, locked_until"
            " FROM officials WHERE username = ?",
            (username,),
        ).fetchone()
        if row is None:
            return None
        keys = (
            "username",
            "full_name",
            "role",
            "pin_salt",
            "pin_hash",
            "active",
            "failed_sign_ins",
            "locked_until",
        )
        return dict(zip(keys, row, strict=True))

    def record_sign_in(self, username: str, *, failed: bool, locked_until: datetime | None = None) -> None:
        """Count a failed sign-in (and lock the account until a time), or clear the count."""
        with self.transaction():
            if failed:
                self.conn.execute(
                    "UPDATE officials SET failed_sign_ins = failed_sign_ins + 1, locked_until = ?"
                    " WHERE username = ?",
                    (format_time(locked_until) if locked_until else None, username),
                )
            else:
                self.conn.execute(
                    "UPDATE officials SET failed_sign_ins = 0, locked_until = NULL WHERE username = ?",
                    (username,),
                )

    def put_official(
        self, username: str, full_name: str, role: str, salt: str, pin_hash: str, active: bool
    ) -> None:
        self.conn.execute(
            "INSERT INTO officials (username, full_name, role, pin_salt, pin_hash, active,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET"
            " full_name = excluded.full_name, role = excluded.role, pin_salt = excluded.pin_salt,"
            " pin_hash = excluded.pin_hash, active = excluded.active, failed_sign_ins = 0,"
            " locked_until = NULL",
            (
                username,
                full_name,
                role,
                salt,
                pin_hash,
                int(active),
                format_time(datetime.now().astimezone()),
            ),
        )

    # -- drafts ----------------------------------------------------------------------------------

    def put_draft(self, counter_no: int, data: str, saved_at: datetime) -> None:
        self.conn.execute(
            "INSERT INTO drafts (counter_no, data, saved_at) VALUES (?, ?, ?) ON CONFLICT (counter_no)"
            " DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at",
            (counter_no, data, format_time(saved_at)),
        )

    def draft(self, counter_no: int) -> str | None:
        row = self.conn.execute("SELECT data FROM drafts WHERE counter_no = ?", (counter_no,)).fetchone()
        return row[0] if row else None

    def delete_draft(self, counter_no: int) -> None:
        self.conn.execute("DELETE FROM drafts WHERE counter_no = ?", (counter_no,))

    def integrity_ok(self) -> bool:
        """SQLite's own check of the file (see :meth:`missing_tables` for the schema's tables);
        a file too damaged for the check itself to run (a table's root page lost) is not ok."""
        try:
            return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError as exc:
            if not damaged(exc):
                raise
            return False

    def missing_tables(self) -> list[str]:
        """Tables a database migrated today has and this one lacks (dropped by hand or a tool):
        the migrations, already recorded as applied, would never make them again."""
        fresh = open_database(None)
        try:
            expected = {r[0] for r in fresh.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            fresh.close()
        present = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return sorted(expected - present)


_DAMAGED = (ValueError, KeyError, TypeError, AttributeError)
"""What reading a stored JSON text that was damaged or edited by hand raises."""


def _read_event(code: str, seq: int, body: str) -> Event:
    try:
        return Event.from_json(json.loads(body))
    except _DAMAGED as exc:
        raise StoreError(
            f"Sự kiện số {seq} của hồ sơ {code} bị hỏng trong cơ sở dữ liệu (không đọc được). "
            "Không sửa tay: báo quản trị, khôi phục bản sao lưu gần nhất bằng «counter restore»."
        ) from exc


def _read_dossier(code: str, data: str) -> Dossier:
    try:
        return dossier_from_json(json.loads(data))
    except _DAMAGED as exc:
        raise StoreError(
            f"Dòng hồ sơ {code} bị hỏng trong cơ sở dữ liệu: «counter check --repair» dựng lại nó "
            "từ các sự kiện."
        ) from exc
