"""Putting a backup back in place of the counter's database, without reusing a dossier code.

A backup is older than the database it replaces: dossiers recorded since were printed on receipts
with their codes. Restoring must not make the counter issue those codes again, so:

- when the current database can still be read, its sequences (codes and logbook numbers) are kept
  where they are ahead of the backup's, and what the backup lacks (dossiers, events, events not yet
  sent to the hub) is counted and shown before anything changes;
- when it cannot be read (damaged, lost) or holds another history (a new machine set up again),
  this counter's code sequence for each day from the backup's last event to today starts
  ``UNSEEN_CODES`` past what the backup had issued that day (2501 for counter 2 on a day the backup
  knows nothing of), and so does every day up to ``BACKDATE_LIMIT`` before (a paper dossier
  entered after the backup carries its own, earlier day); its logbook numbers skip
  ``UNSEEN_CODES`` for each day since the backup, in every volume such a receipt may be in:
  nothing issued after the backup is issued again unless the counter received 500 dossiers in a day
  after it. Codes pulled back from the hub move the sequence past them too (``Desk.apply_pulled``).

Nothing is deleted: the current file is first copied aside (``<name>.before-restore-<stamp>``, with
its ``-wal``), owner-only and synced. The backup is copied, migrated and checked in a staging file;
then its pages are written into the live database in one SQLite transaction (the backup API), so a
counter window left open sees the restored data instead of writing into a file that was replaced.
Only a file SQLite cannot open at all is replaced by a rename.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from counter_app.domain.calendar import to_vn
from counter_app.domain.codes import BACKDATE_LIMIT, UNSEEN_CODES, sequence_text
from counter_app.domain.errors import FieldError, StoreError, ValidationError
from counter_app.store.database import (
    BUSY_TIMEOUT_MS,
    SCHEMA_VERSION,
    configure,
    connect_read_only,
    create_private,
    explain,
    fsync_dir,
    fsync_file,
    open_database,
    read_only_uri,
    restore_gate,
)

LOCK_WAIT_MS = BUSY_TIMEOUT_MS
"""How long a restore waits for a counter window's save to end before it gives up."""

_NEEDED_TABLES = frozenset({"dossiers", "events", "site_settings"})


@dataclass
class Inspection:
    """What a database file holds, as far as restoring needs to know."""

    state: str
    """``missing``, ``readable`` or ``damaged``."""
    dossiers: int = 0
    schema: int = 0
    counter_no: int = 0
    commune_code: str = ""
    last_day: date | None = None
    sequences: list[tuple[str, str, int, int]] | None = None
    problem: str = ""
    foreign: bool = False
    """A SQLite database, but not a counter's: never overwritten."""


def _inspect(conn: sqlite3.Connection, *, now: datetime) -> Inspection:
    """Read a counter database's identity, contents and sequences (raises sqlite3.Error)."""
    if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        return Inspection("damaged", problem="tệp bị hỏng")
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not _NEEDED_TABLES <= tables:
        return Inspection("damaged", problem="không phải cơ sở dữ liệu của phần mềm Quầy", foreign=True)
    settings = dict(conn.execute("SELECT key, value FROM site_settings").fetchall())
    counter = str(settings.get("counter_no", "0"))
    last = conn.execute("SELECT max(max(occurred_at, recorded_at)) FROM events").fetchone()[0]
    sequences = (
        [tuple(row) for row in conn.execute("SELECT name, key, counter_no, last FROM sequences")]
        if "sequences" in tables
        else None
    )
    return Inspection(
        "readable",
        dossiers=int(conn.execute("SELECT count(*) FROM dossiers").fetchone()[0]),
        schema=int(conn.execute("PRAGMA user_version").fetchone()[0]),
        counter_no=int(counter) if counter.isdigit() else 0,
        commune_code=str(settings.get("commune_code", "")),
        last_day=to_vn(datetime.fromisoformat(last)).date() if last else to_vn(now).date(),
        sequences=sequences,  # type: ignore[arg-type]
    )


def inspect_backup(backup: Path, *, now: datetime) -> Inspection:
    """Check that ``backup`` is a whole counter database this program can open.

    Raises:
        ValidationError: missing, or a folder.
        StoreError: not a database, damaged, another program's file, or a newer schema.
    """
    # A wrong path is a wrong argument (exit 2); a file that is there but unusable, a database
    # problem (exit 5).
    if backup.is_dir():
        raise ValidationError(
            FieldError(
                "backup", f"«{backup}» là một thư mục; hãy chỉ ra tệp sao lưu trong đó (counter-….db)."
            )
        )
    if not backup.is_file():
        raise ValidationError(FieldError("backup", f"Không thấy tệp sao lưu «{backup}»."))
    try:
        with closing(connect_read_only(backup)) as conn:
            found = _inspect(conn, now=now)
    except (sqlite3.Error, OSError, ValueError) as exc:
        problem = explain(exc) if isinstance(exc, sqlite3.Error | OSError) else str(exc)
        if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_CORRUPT"):
            problem = "tệp bị hỏng; hãy chọn bản sao lưu khác"  # not "restore a backup": this is one
        raise StoreError(f"Không dùng được bản sao lưu «{backup}»: {problem}.") from exc
    if found.state != "readable":
        raise StoreError(f"Không dùng được bản sao lưu «{backup}»: {found.problem}.")
    if found.schema > SCHEMA_VERSION:
        raise StoreError(
            f"Bản sao lưu «{backup}» thuộc phiên bản phần mềm mới hơn (lược đồ {found.schema} > "
            f"{SCHEMA_VERSION}). Hãy cập nhật phần mềm trước."
        )
    return found


def inspect_current(live: Path, *, now: datetime) -> Inspection:
    """What the database about to be replaced holds (``damaged`` when it cannot be read)."""
    if not live.exists() or (live.is_file() and live.stat().st_size == 0):
        return Inspection("missing")
    if live.is_dir():
        raise StoreError(f"«{live}» là một thư mục, không phải tệp cơ sở dữ liệu.")
    try:
        with closing(connect_read_only(live)) as conn:
            return _inspect(conn, now=now)
    except (sqlite3.Error, OSError, ValueError) as exc:
        return Inspection("damaged", problem=explain(exc))


@dataclass
class RestorePlan:
    """What a restore would do; ``describe()`` says it in Vietnamese for the IT admin."""

    live: Path
    backup: Path
    source: Inspection
    current: Inspection
    skip_days: list[date]
    """The days from the backup's last event to today: receipts may have been recorded on each."""
    lost_dossiers: int = 0
    lost_events: int = 0
    lost_unsent: int = 0
    kept_readings: int = 0
    """Access-log entries only in the current database, carried into the restored one."""
    backup_only_events: int = 0
    """Events of the backup the current database never had: the backup is not an earlier copy of
    this file's own history (another machine's, or the counter set up again since)."""

    def summary(self) -> dict[str, Any]:
        """What the plan found, as the command line prints it in JSON (with or without --yes)."""
        return {
            "database": str(self.live),
            "backup": str(self.backup),
            "current": self.current.state,
            "lost_dossiers": self.lost_dossiers,
            "lost_events": self.lost_events,
            "lost_unsent": self.lost_unsent,
            "kept_readings": self.kept_readings,
            "backup_only_events": self.backup_only_events,
            "skip_days": [day.isoformat() for day in self.skip_days],
            "backdated_from": self.backdated_days[0].isoformat() if self.backdated_days else None,
        }

    @property
    def backdated_days(self) -> list[date]:
        """The days before :attr:`skip_days` a paper dossier recorded after the backup may carry
        (``BACKDATE_LIMIT`` back): their codes skip ahead too, or a paper dossier entered for last
        week after the backup would have its code given again."""
        if not self.skip_days:
            return []
        first = self.skip_days[0]
        return [first - timedelta(days=n) for n in range(BACKDATE_LIMIT.days, 0, -1)]

    def first_code_numbers(self) -> dict[date, int]:
        """The sequence number of the first code issued after the restore, per day a receipt
        recorded since the backup may carry: past ``UNSEEN_CODES`` more than the backup had
        issued that day. Not "at least 500": a backup taken after the 510th code of a busy day
        would have given the 511th again."""
        counter = self.source.counter_no
        issued = {
            key: last
            for name, key, number, last in self.source.sequences or ()
            if name == "code" and number == counter
        }
        return {
            day: issued.get(day.isoformat(), 0) + UNSEEN_CODES + 1
            for day in (*self.backdated_days, *self.skip_days)
        }

    @property
    def skip_volumes(self) -> dict[str, int]:
        """Logbook volumes (years) a receipt recorded since the backup may be numbered in (its
        day's year, back to ``BACKDATE_LIMIT``), each with the days such receipts may have been
        recorded on: each of those days may have used up to ``UNSEEN_CODES`` numbers of any
        volume."""
        years = sorted({day.year for day in (*self.backdated_days, *self.skip_days)})
        return {str(year): len(self.skip_days) for year in years}

    def describe(self) -> list[str]:
        source, current = self.source, self.current
        lines = [
            f"Bản sao lưu «{self.backup}»: {source.dossiers} hồ sơ, "
            f"sự kiện cuối ngày {source.last_day:%d/%m/%Y}."
        ]
        if current.state == "missing":
            lines.append(f"Chưa có cơ sở dữ liệu «{self.live}»: bản sao lưu sẽ được đặt vào đó.")
        elif current.state == "damaged":
            lines.append(
                f"Cơ sở dữ liệu hiện tại «{self.live}» không đọc được ({current.problem}); "
                "nó được giữ lại một bản bên cạnh."
            )
        else:
            lines.append(
                f"Cơ sở dữ liệu hiện tại «{self.live}»: {current.dossiers} hồ sơ; "
                "nó được giữ lại một bản bên cạnh."
            )
            sent = self.lost_events - self.lost_unsent
            if self.lost_events and not sent:
                lines.append(
                    f"Sẽ MẤT {self.lost_dossiers} hồ sơ và {self.lost_events} sự kiện không có trong bản "
                    f"sao lưu ({self.lost_unsent} sự kiện chưa gửi lên hệ thống)."
                )
            elif self.lost_events and not self.lost_unsent:
                # Pulled back by the next sync (own=1): not lost, only out of this file until then.
                lines.append(
                    f"Bản sao lưu thiếu {self.lost_dossiers} hồ sơ và {self.lost_events} sự kiện, đều đã "
                    "gửi lên máy chủ: lần đồng bộ sau khi khôi phục sẽ nhận lại."
                )
            elif self.lost_events:
                lines.append(
                    f"Sẽ MẤT {self.lost_unsent} sự kiện chưa gửi lên hệ thống; {sent} sự kiện khác thiếu "
                    f"trong bản sao lưu (của {self.lost_dossiers} hồ sơ) đã gửi lên máy chủ, lần đồng bộ "
                    "sau khi khôi phục sẽ nhận lại."
                )
            if self.backup_only_events:
                lines.append(
                    f"CHÚ Ý: bản sao lưu có {self.backup_only_events} sự kiện mà cơ sở dữ liệu hiện tại "
                    "chưa từng có: đây không phải bản sao lưu trước đây của chính tệp này (của máy khác, "
                    "hoặc quầy đã được cài đặt lại). Hồ sơ cùng mã sẽ mang nội dung của bản sao lưu."
                )
            lines.append("Số thứ tự mã hồ sơ và sổ theo dõi giữ mức cao hơn của hai bên.")
            if self.kept_readings:
                lines.append(
                    f"Nhật ký truy cập dữ liệu cá nhân: {self.kept_readings} lượt xem, in, tìm kiếm "
                    "ghi sau bản sao lưu được giữ lại."
                )
        if self.skip_days:
            first, last = self.skip_days[0], self.skip_days[-1]
            starts = self.first_code_numbers()
            plain = sequence_text(source.counter_no, UNSEEN_CODES + 1)
            lines.append(
                f"Không biết quầy đã cấp bao nhiêu mã sau bản sao lưu: từ {first:%d/%m/%Y} "
                f"đến {last:%d/%m/%Y}, mã mới của quầy {source.counter_no} bắt đầu từ số {plain}"
                + "".join(
                    f"; ngày {day:%d/%m/%Y} từ số {sequence_text(source.counter_no, n)}"
                    for day, n in starts.items()
                    if n != UNSEEN_CODES + 1 and day >= first
                )
                + "."
            )
            lines.append(
                f"Hồ sơ giấy nhập bù mang ngày từ {self.backdated_days[0]:%d/%m/%Y} đến "
                f"{first - timedelta(days=1):%d/%m/%Y}: mã mới của mỗi ngày bắt đầu sau số bản sao lưu "
                f"đã cấp ngày đó {UNSEEN_CODES} số."
            )
            for volume, days in self.skip_volumes.items():
                lines.append(f"Số thứ tự sổ theo dõi quyển {volume} tăng thêm {UNSEEN_CODES * days}.")
        return lines


def plan_restore(live: Path, backup: Path, *, now: datetime) -> RestorePlan:
    """Inspect both files; refuse a backup of another commune or counter over a set-up database.

    Raises:
        StoreError: the backup cannot be used, or belongs to another counter.
    """
    if backup.exists() and live.exists() and backup.resolve() == live.resolve():
        raise StoreError(f"«{backup}» chính là cơ sở dữ liệu đang dùng; hãy chọn một bản sao lưu.")
    source = inspect_backup(backup, now=now)
    current = inspect_current(live, now=now)
    if current.state == "readable" and current.counter_no and source.counter_no:
        if (current.commune_code, current.counter_no) != (source.commune_code, source.counter_no):
            raise StoreError(
                f"Bản sao lưu là của quầy {source.counter_no} (mã xã {source.commune_code}), "
                f"còn cơ sở dữ liệu này là của quầy {current.counter_no} (mã xã "
                f"{current.commune_code}): khôi phục sẽ làm hai quầy cấp trùng mã hồ sơ. Hãy khôi "
                "phục vào đúng máy của quầy đó (hoặc dùng --db tệp mới)."
            )
    if current.foreign:
        raise StoreError(
            f"«{live}» là cơ sở dữ liệu của chương trình khác, không phải của Quầy; không ghi đè lên nó."
        )
    lost = (0, 0, 0)
    backup_only = 0
    readings = 0
    if current.state == "readable":
        try:
            lost, backup_only, readings = _compare(live, backup)
        except sqlite3.Error as exc:
            raise StoreError(f"Không so sánh được «{live}» với bản sao lưu: {explain(exc)}.") from exc
    continuation = current.state == "readable" and backup_only == 0
    skip_days: list[date] = []
    if not continuation and source.counter_no and source.last_day is not None:
        # Nothing tells how many codes were issued after the backup (the database is lost,
        # damaged, or another history, such as a new machine set up again): skip ahead.
        # Both ends count, whichever comes first: a machine clock set back must not skip nothing.
        day, last = sorted((source.last_day, to_vn(now).date()))
        while day <= last:
            skip_days.append(day)
            day += timedelta(days=1)
    return RestorePlan(
        live,
        backup,
        source,
        current,
        skip_days,
        *lost,
        kept_readings=readings,
        backup_only_events=backup_only,
    )


_READINGS = "SELECT at, actor, action, dossier_code, detail FROM {db}.access_log"
"""An access-log entry as it is compared between two databases (its row id is not)."""


def _compare(live: Path, backup: Path) -> tuple[tuple[int, int, int], int, int]:
    """What the live database holds that the backup lacks, and the other way round.

    Returns:
        ``(dossiers, events, unsent events)`` only in the live database, a dossier counted as its
        receipt (a backup of another history may hold another dossier under the same code: the
        live one is lost all the same); how many events of the backup the live database lacks
        (none: the live database continues the backup's history, so its sequences are the
        truth); and how many access-log entries only the live database holds (a restore carries
        them over: who saw whose data stays on record).
    """
    with closing(connect_read_only(live)) as conn:
        conn.execute("ATTACH DATABASE ? AS b", (read_only_uri(backup),))
        lost = conn.execute(
            "SELECT"
            " (SELECT count(DISTINCT c.dossier_code) FROM main.events c WHERE c.kind = 'received'"
            "   AND NOT EXISTS (SELECT 1 FROM b.events e WHERE e.uuid = c.uuid)),"
            " (SELECT count(*) FROM main.events c WHERE NOT EXISTS"
            "   (SELECT 1 FROM b.events e WHERE e.uuid = c.uuid)),"
            " (SELECT count(*) FROM main.outbox o JOIN main.events c ON c.seq = o.seq WHERE NOT EXISTS"
            "   (SELECT 1 FROM b.events e WHERE e.uuid = c.uuid))"
        ).fetchone()
        backup_only = conn.execute(
            "SELECT count(*) FROM b.events e"
            " WHERE NOT EXISTS (SELECT 1 FROM main.events c WHERE c.uuid = e.uuid)"
        ).fetchone()[0]
        readings = conn.execute(
            f"SELECT count(*) FROM ({_READINGS.format(db='main')} EXCEPT {_READINGS.format(db='b')})"
        ).fetchone()[0]
    return (int(lost[0]), int(lost[1]), int(lost[2])), int(backup_only), int(readings)


def _private_copy(source: Path, target: Path) -> None:
    create_private(target)
    with target.open("wb") as out, source.open("rb") as src:
        shutil.copyfileobj(src, out, 1024 * 1024)
    fsync_file(target)


@contextmanager
def _write_locked(live: Path) -> Iterator[sqlite3.Connection | None]:
    """A connection holding the live database's write lock, or None when SQLite cannot open it."""
    try:
        conn = sqlite3.connect(str(live), isolation_level=None)
        configure(conn)
        conn.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT_MS)}")
        conn.execute("BEGIN IMMEDIATE")
    except (sqlite3.Error, StoreError):
        yield None
        return
    try:
        yield conn
    finally:
        with suppress(sqlite3.Error):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        conn.close()


def _rebuild_rows(conn: sqlite3.Connection, backup: Path) -> int:
    """Rebuild the staged copy's dossier rows from its events, as ``counter check --repair`` does;
    return how many rows differed (0: the backup was consistent). The events are the record: a row
    damaged in the backup (a flipped byte in a name) was restored as it was, and only the next
    ``counter check`` told.

    Raises:
        StoreError: the events themselves cannot be folded (the backup is damaged there).
    """
    from counter_app.domain.errors import CounterError
    from counter_app.store.dossiers import DossierStore

    store = DossierStore(conn)
    try:
        with store.transaction():
            before = store.projection_rows()
            store.rebuild_projection()
            after = store.projection_rows()
    except (CounterError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(
            f"Không dùng được bản sao lưu «{backup}»: lịch sử sự kiện của hồ sơ trong đó không đọc được "
            f"({exc}); hãy chọn bản sao lưu khác."
        ) from exc
    return len(set(after) - set(before))


def _stage(plan: RestorePlan, staging: Path) -> int:
    """Copy the backup into ``staging``, bring it to this schema, carry the sequences forward;
    return how many dossier rows had to be rebuilt from their events (see :func:`_rebuild_rows`)."""
    create_private(staging)
    with closing(connect_read_only(plan.backup)) as source, closing(sqlite3.connect(str(staging))) as target:
        source.backup(target)
    conn = open_database(staging)  # migrations of an older backup run here, before anything changes
    try:
        carry = plan.current.state == "readable" and plan.kept_readings > 0
        if carry:
            conn.execute("ATTACH DATABASE ? AS live", (read_only_uri(plan.live),))
        conn.execute("BEGIN IMMEDIATE")
        if carry:
            # Readings made after the backup happened all the same: the access log is a record
            # the citizen may ask for, not data a restore may take back.
            conn.execute(
                "INSERT INTO main.access_log (at, actor, action, dossier_code, detail)"
                f" {_READINGS.format(db='live')} WHERE (at, actor, action, dossier_code, detail) IN"
                f" ({_READINGS.format(db='live')} EXCEPT {_READINGS.format(db='main')}) ORDER BY id"
            )
        upsert = (
            "INSERT INTO sequences (name, key, counter_no, last) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (name, key, counter_no) DO UPDATE SET last = max(last, excluded.last)"
        )
        if plan.current.sequences:
            conn.executemany(upsert, plan.current.sequences)
        counter = plan.source.counter_no
        conn.executemany(
            upsert, [("code", d.isoformat(), counter, n - 1) for d, n in plan.first_code_numbers().items()]
        )
        # The logbook numbers a year's receipts in one run: each unknown day may have used up to
        # UNSEEN_CODES of them. A gap in the logbook is explained; a number printed twice is not.
        conn.executemany(
            "INSERT INTO sequences (name, key, counter_no, last) VALUES ('logbook', ?, ?, ?)"
            " ON CONFLICT (name, key, counter_no) DO UPDATE SET last = last + excluded.last",
            [(volume, counter, UNSEEN_CODES * days) for volume, days in plan.skip_volumes.items()],
        )
        conn.execute("COMMIT")
        if carry:
            conn.execute("DETACH DATABASE live")
        rebuilt = _rebuild_rows(conn, plan.backup)
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreError("Bản sao lưu không đọc lại được sau khi chép; hãy kiểm tra ổ đĩa.")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    fsync_file(staging)
    return rebuilt


def restore(plan: RestorePlan, *, now: datetime) -> dict[str, Any]:
    """Carry out ``plan``: keep the current file aside, then put the backup in its place.

    Returns:
        The plan's :meth:`RestorePlan.summary`, with ``dossiers`` (restored) and ``kept_aside``
        (the path of the file kept aside, or None).

    Raises:
        StoreError: any step failed; the live database is then as it was.
    """
    with restore_gate(plan.live, LOCK_WAIT_MS):
        # No save starts from here to the end, and none is under way: what the live file holds is
        # read again now (the plan was read while the counter may still have been saving), so the
        # sequences carried over include every code issued, and the summary counts every dossier.
        if plan.current.state == "readable":
            plan = plan_restore(plan.live, plan.backup, now=now)
        return _restore(plan, now=now)


def _restore(plan: RestorePlan, *, now: datetime) -> dict[str, Any]:
    live = plan.live
    staging = live.with_name(live.name + ".restoring")
    stamp = f"{to_vn(now):%Y%m%d-%H%M%S}"
    aside: Path | None = None
    rebuilt = 0
    try:
        for leftover in ("", "-wal", "-shm", "-journal"):  # a restore cut off earlier
            Path(f"{staging}{leftover}").unlink(missing_ok=True)
        live.parent.mkdir(parents=True, exist_ok=True)
        rebuilt = _stage(plan, staging)
        if plan.current.state == "readable":
            # In place, under the write lock: a counter window left open reads the restored data.
            with _write_locked(live) as conn:
                if conn is None:
                    raise StoreError(
                        f"Chưa khôi phục được «{live}»: một chương trình khác đang ghi vào nó; hãy "
                        "đóng chương trình Quầy (mọi cửa sổ) rồi thử lại. Cơ sở dữ liệu vẫn như cũ."
                    )
                aside = _keep_aside(live, stamp)
                # The backup API takes the write lock itself; the gate keeps this program's saves
                # out of the instant between.
                conn.execute("ROLLBACK")
                with closing(sqlite3.connect(str(staging))) as source:
                    source.backup(conn)
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            # Lost or damaged: nothing can be using it; a damaged file may not even take pages.
            if plan.current.state == "damaged":
                aside = _keep_aside(live, stamp)
            for companion in ("-wal", "-shm"):
                Path(f"{live}{companion}").unlink(missing_ok=True)
            os.replace(staging, live)
            fsync_dir(live.parent)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"Chưa khôi phục được «{live}»: {explain(exc)}. Cơ sở dữ liệu vẫn như cũ.") from exc
    finally:
        for leftover in ("", "-wal", "-shm", "-journal", ".lock"):
            with suppress(OSError):
                Path(f"{staging}{leftover}").unlink()
    with closing(open_database(live)) as check:
        dossiers = int(check.execute("SELECT count(*) FROM dossiers").fetchone()[0])
    return {
        **plan.summary(),
        "dossiers": dossiers,
        "rebuilt_rows": rebuilt,
        "kept_aside": str(aside) if aside else None,
    }


def _keep_aside(live: Path, stamp: str) -> Path:
    """Copy the database (and its ``-wal``) to ``<name>.before-restore-<stamp>``, owner-only, synced."""
    aside = live.with_name(f"{live.name}.before-restore-{stamp}")
    _private_copy(live, aside)
    wal = Path(f"{live}-wal")
    if wal.exists() and wal.stat().st_size:
        _private_copy(wal, Path(f"{aside}-wal"))
    fsync_dir(live.parent)
    return aside
