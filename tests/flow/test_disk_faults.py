"""A disk that is full, or a database another program holds: what the counter says and still does.

The full disk is a real one: a 2 MB tmpfs mounted for the test (root only; skipped elsewhere).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from counter_app.desk import Desk
from counter_app.domain.errors import StoreError
from tests.conftest import FixedClock, intake

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the disk to the last byte; return the filler file."""
    filler = folder / "fill"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_disk_full_before_the_counter_opens_is_said_to_be_full(small_disk: Path, clock: FixedClock) -> None:
    """The morning case: the disk filled overnight, nothing had the database open. SQLite fails the
    shared-memory file with a bare I/O error, which read "the disk may be unplugged or damaged"."""
    db = small_disk / "counter.db"
    desk = Desk.open(db, clock=clock, env={})
    desk.setup(commune_code="11410", commune_name="xã Vĩnh Bảo", counter_no=2, agency_id="000.00.11.H26")
    code = desk.receive(intake(), "Cán bộ A").code
    desk.close()
    filler = fill(small_disk)
    with pytest.raises(StoreError) as info:
        Desk.open(db, clock=clock, env={})
    assert "ổ đĩa đã đầy" in info.value.message and "rút ra" not in info.value.message
    filler.unlink()
    again = Desk.open(db, clock=clock, env={})
    try:
        assert again.get(code).code == code and again.check_projection()
    finally:
        again.close()


def test_reading_goes_on_when_the_access_log_cannot_be_written(
    tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Another program holds the write lock (or the disk is full): the official still sees the
    dossier and the search results; the program's log names the reading not recorded yet, and
    the access log gets it, with its own time, as soon as the database takes a row again."""
    db = tmp_path / "counter.db"
    desk = Desk.open(db, clock=clock, env={})
    desk.setup(commune_code="11410", commune_name="xã Vĩnh Bảo", counter_no=2, agency_id="000.00.11.H26")
    code = desk.receive(intake(), "Cán bộ A").code
    desk.store.conn.execute("PRAGMA busy_timeout = 50")  # the test's patience, not ten seconds
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.WARNING, logger="counter"):
            assert desk.get(code, viewer="Cán bộ A").code == code
            found = desk.find("Đặng Thị Hoà")
            desk.log_search("Cán bộ A", "Đặng Thị Hoà", [r.code for r in found])
        assert [r.code for r in found] == [code]
        said = " ".join(r.getMessage() for r in caplog.records)
        assert "access log not written yet (view of" in said and "(search of" in said
        assert desk.access_log(code) == []
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    desk.get(code, viewer="Cán bộ B")
    entries = list(reversed(desk.access_log(code)))  # newest first: back in the order they happened
    assert [(e.actor, e.action) for e in entries] == [
        ("Cán bộ A", "view"),
        ("Cán bộ A", "search"),
        ("Cán bộ B", "view"),
    ]
    desk.close()


def test_readings_still_waiting_are_written_when_the_desk_closes(tmp_path: Path, clock: FixedClock) -> None:
    db = tmp_path / "counter.db"
    desk = Desk.open(db, clock=clock, env={})
    desk.setup(commune_code="11410", commune_name="xã Vĩnh Bảo", counter_no=2, agency_id="000.00.11.H26")
    code = desk.receive(intake(), "Cán bộ A").code
    desk.store.conn.execute("PRAGMA busy_timeout = 50")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    desk.get(code, viewer="Cán bộ A")
    holder.execute("ROLLBACK")
    holder.close()
    desk.close()  # the counter is closed before any other reading
    again = Desk.open(db, clock=clock, env={})
    assert [(e.actor, e.action) for e in again.access_log(code)] == [("Cán bộ A", "view")]
    again.close()


def test_a_reading_waits_a_moment_not_ten_seconds_for_another_program_s_lock(
    tmp_path: Path, clock: FixedClock
) -> None:
    """Under another program's write lock, opening a dossier took the ten seconds a save waits,
    only to keep its access-log row for later anyway: the row's write waits a moment."""
    from counter_app.desk import ACCESS_LOG_WAIT_MS
    from counter_app.store.database import BUSY_TIMEOUT_MS

    db = tmp_path / "counter.db"
    desk = Desk.open(db, clock=clock, env={})
    desk.setup(commune_code="11410", commune_name="xã Vĩnh Bảo", counter_no=2, agency_id="000.00.11.H26")
    code = desk.receive(intake(), "Cán bộ A").code
    said: list[str] = []
    desk.store.conn.set_trace_callback(said.append)
    desk.get(code, viewer="Cán bộ A")
    desk.store.conn.set_trace_callback(None)
    logged = next(i for i, sql in enumerate(said) if sql.startswith("INSERT INTO access_log"))
    waits = [sql for sql in said[:logged] if sql.startswith("PRAGMA busy_timeout")]
    assert waits[-1:] == [f"PRAGMA busy_timeout = {ACCESS_LOG_WAIT_MS}"]
    assert said[-1] == f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"  # a save waits as long as before
    assert ACCESS_LOG_WAIT_MS < BUSY_TIMEOUT_MS / 10
    desk.close()


def _counter(
    db: Path, *args: str, stdout: Any = subprocess.PIPE, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from counter_app.cli import main; main()", "--db", str(db), *args],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ},
        timeout=60,
        check=False,
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_an_answer_lost_on_a_full_disk_says_the_dossier_is_saved(tmp_path: Path) -> None:
    # `counter receive ... > answer.json` on a full disk: the dossier is saved, the answer is not.
    # It was "unexpected error" (exit 1), and a script retrying made the same dossier twice.
    db = tmp_path / "c.db"
    where = ("--commune-code", "11410", "--commune-name", "xã Vĩnh Bảo", "--counter", "1")
    set_up = _counter(db, "setup", *where)
    assert set_up.returncode == 0, set_up.stderr
    with open("/dev/full", "w") as full:
        received = _counter(db, "receive", "--json", "-", stdout=full, stdin=json.dumps(intake()))
        assert received.returncode == 8, received.stderr
        last = received.stderr.strip().splitlines()[-1]
        found = json.loads(_counter(db, "find", "Hoà", "--json").stdout)
        assert len(found) == 1
        code = found[0]["code"]
        assert last.startswith(f"Lỗi: Việc tiếp nhận hồ sơ {code} đã được lưu")
        assert "ổ đĩa đã đầy" in last
        assert f"counter show {code}" in last and "Traceback" not in received.stderr

        stepped = _counter(db, "transfer", code, stdout=full)
        assert stepped.returncode == 8 and f"hồ sơ {code} đã được lưu" in stepped.stderr
        assert "Bước «Chuyển xử lý» của hồ sơ" in stepped.stderr  # the step in words, not «transfer»
        listed = _counter(db, "procedures", "--export", stdout=full)
        assert listed.returncode == 8 and "Việc của lệnh đã làm xong" in listed.stderr
    shown = json.loads(_counter(db, "show", code, "--json").stdout)
    assert shown["status_name"] == "Đang xử lý" and len(shown["history"]) == 2  # received, transferred
    assert "8  done, but the answer" in _counter(db, "--help").stdout


def test_a_receive_from_a_closed_standard_input_says_so(tmp_path: Path) -> None:
    # `counter receive --json - <&-` from a cron line: it was "unexpected error" (exit 1).
    db = tmp_path / "c.db"
    where = ("--commune-code", "11410", "--commune-name", "xã Vĩnh Bảo", "--counter", "1")
    assert _counter(db, "setup", *where).returncode == 0
    done = subprocess.run(
        [sys.executable, "-c", "from counter_app.cli import main; main()", "--db", str(db)]
        + ["receive", "--json", "-"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        preexec_fn=lambda: os.close(0),  # noqa: PLW1509 - a test child, no threads at fork time
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "Lỗi: Không có đầu vào chuẩn để đọc: hãy đưa tên tệp JSON thay cho -."


def test_a_database_on_a_disk_turned_read_only_can_still_be_read_checked_and_backed_up(
    small_disk: Path, clock: FixedClock, tmp_path: Path
) -> None:
    """A disk remounted read-only after an error (or a write-protected stick): every command, the
    read-only ones too, said "cannot open the file to write". Reads, the check and a backup to
    another disk now work, each saying the disk is read-only; a save is refused, the UI does not
    open, and the file is as it was."""
    db = small_disk / "counter.db"
    desk = Desk.open(db, clock=clock, env={})
    desk.setup(commune_code="11410", commune_name="xã Vĩnh Bảo", counter_no=2, agency_id="000.00.11.H26")
    code = desk.receive(intake(), "Cán bộ Lan").code
    desk.close()
    before = db.read_bytes()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    backups = tmp_path / "usb"
    backups.mkdir()

    def counter(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "counter_app", "--db", str(db), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )

    for args in (["show", code], ["find", "dang thi hoa"], ["list", "today"], ["check"]):
        done = counter(*args)
        assert done.returncode == 0, (args, done.stderr)
        assert "chỉ cho đọc" in done.stderr
    assert code in counter("find", "dang thi hoa").stdout
    done = counter("backup", "--to", str(backups))
    assert done.returncode == 0, done.stderr
    (copy,) = backups.glob("*.db")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT code FROM dossiers").fetchall() == [(code,)]
    refused = counter("transfer", code)
    assert refused.returncode == 5 and "chỉ cho phép đọc" in refused.stderr
    reader = Desk.open(db, clock=clock, env={})
    try:
        with pytest.raises(StoreError, match="Giao diện tiếp nhận không mở"):
            reader.hold_ui()  # the UI, where each keystroke's draft would fail
    finally:
        reader.close()
    assert db.read_bytes() == before


def test_a_read_only_data_folder_without_its_logs_folder_still_reads(
    small_disk: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data folder on a disk turned read-only before the logs folder was ever made (the
    database copied there, or the folder cleaned): no log file can be opened, and every command,
    reads too, stopped with exit 6 and the system's English text. A log that cannot be written
    never stops a command; the reads work and say the disk is read-only."""
    data = small_disk / "data"
    data.mkdir()
    monkeypatch.setenv("COUNTER_DATA_DIR", str(data))
    db = data / "counter.db"
    desk = Desk.open(db, clock=clock, env={})
    desk.setup(commune_code="11410", commune_name="xã Vĩnh Bảo", counter_no=2, agency_id="000.00.11.H26")
    code = desk.receive(intake(), "Cán bộ Lan").code
    desk.close()
    assert not (data / "logs").exists()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    done = _counter(db, "show", code, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["code"] == code
    assert "chỉ cho đọc" in done.stderr and "Read-only" not in done.stderr


def test_a_read_only_disk_under_writes_still_in_the_journal_says_to_copy_the_folder(
    small_disk: Path, clock: FixedClock
) -> None:
    """The counter's machine lost power, the disk came back read-only, and the last writes are
    still in the -wal journal (no -shm beside it: copied, or cleaned away). SQLite cannot read
    them there, and the file without them would be missing the last dossiers: nothing is opened,
    and the message says what to do (copy the database with its -wal to a writable disk), not
    "cannot open the file to write"."""
    db = small_disk / "counter.db"
    desk = Desk.open(db, clock=clock, env={})
    desk.setup(commune_code="11410", commune_name="xã Vĩnh Bảo", counter_no=2, agency_id="000.00.11.H26")
    desk.close()
    script = (
        "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
        "c.execute('PRAGMA wal_autocheckpoint = 0');"
        "c.execute(\"INSERT INTO site_settings (key, value) VALUES ('_probe', 'x')\"); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", script, str(db)], check=True, timeout=60)
    assert Path(f"{db}-wal").stat().st_size > 0
    Path(f"{db}-shm").unlink(missing_ok=True)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    done = _counter(db, "list", "today")
    assert done.returncode == 5, done.stderr
    assert "-wal" in done.stderr and "chép" in done.stderr and "ổ đĩa chỉ cho đọc" in done.stderr


def test_a_log_that_cannot_be_written_costs_no_traceback_on_the_screen(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log on a full disk: every failed command printed 64 lines of "--- Logging error ---"
    and a traceback over its one line for the official."""
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    (data / "logs" / "counter.log").symlink_to("/dev/full")  # every write: no space left
    monkeypatch.setenv("COUNTER_DATA_DIR", str(data))
    db = data / "counter.db"
    desk = Desk.open(db, clock=clock, env={})
    desk.setup(commune_code="11410", commune_name="xã Vĩnh Bảo", counter_no=2, agency_id="000.00.11.H26")
    desk.close()
    done = _counter(db, "show", "000.00.11.H26-261125-9999")  # fails, and says so in the log
    assert done.returncode == 4
    assert "Logging error" not in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and done.stderr.startswith("Lỗi:")
