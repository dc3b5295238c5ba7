"""``counter backup``: a checked, owner-only copy taken while the counter keeps working."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from counter_app.cli import main
from counter_app.desk import Desk
from counter_app.domain.errors import StoreError
from tests.conftest import FixedClock, intake

ROOT = Path(__file__).resolve().parents[2]


def test_a_backup_is_a_whole_checked_private_copy(desk: Desk, tmp_path: Path) -> None:
    codes = [desk.receive(intake(), "Cán bộ A").code for _ in range(3)]
    desk.record_result(codes[0], "Cán bộ A")
    # Another program holds the write lock, half-way through its own transaction: the backup
    # neither waits for it nor copies its unfinished work.
    path = desk.store.conn.execute("PRAGMA database_list").fetchone()[2]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("DELETE FROM dossiers")
    try:
        result = desk.backup(tmp_path / "backups")
    finally:
        other.execute("ROLLBACK")
        other.close()

    copy = Path(result["path"])
    assert copy.parent == tmp_path / "backups" and copy.name.startswith("counter-11410-02-20261125-")
    assert result["dossiers"] == 3 and result["bytes"] == copy.stat().st_size
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]  # one file: no WAL, no partial
    restored = Desk.open(copy, env={})
    assert restored.get(codes[0]) == desk.get(codes[0])
    assert restored.store.integrity_ok() and restored.check_projection()
    assert restored.settings.counter_id == desk.settings.counter_id
    restored.close()


def test_rotation_keeps_the_newest_and_never_touches_other_files(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "notes.db").write_text("not ours")
    names = []
    for _ in range(3):
        clock.set(clock.now + timedelta(days=1))
        names.append(Path(desk.backup(folder)["path"]).name)
    same_second = desk.backup(folder)  # twice in one second: a second name, never an overwrite
    assert Path(same_second["path"]).name.endswith("-2.db")
    result = desk.backup(folder, keep=2)
    kept = sorted(p.name for p in folder.iterdir())
    assert "notes.db" in kept and len(kept) == 3
    assert sorted(result["removed"]) == sorted([*names, Path(same_second["path"]).name][:3])
    with pytest.raises(Exception, match="không âm"):
        desk.backup(folder, keep=-1)


def test_a_clock_set_back_never_rotates_out_the_copy_just_made(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    """The machine's clock went back a day (a dead CMOS battery, a wrong time zone): the new copy's
    name sorts before the old ones, and "keep the newest by name" deleted the copy just made, the
    only one holding today's dossiers. It stays, with the newest of the others."""
    folder = tmp_path / "b"
    older = [Path(desk.backup(folder)["path"]).name]
    clock.set(clock.now + timedelta(days=1))
    older.append(Path(desk.backup(folder)["path"]).name)
    clock.set(clock.now - timedelta(days=3))
    code = desk.receive(intake(), "Cán bộ A").code
    result = desk.backup(folder, keep=2)
    made = Path(result["path"])
    assert made.exists() and sorted(p.name for p in folder.iterdir()) == sorted([made.name, older[1]])
    assert result["removed"] == [older[0]]
    copy = Desk.open(made, env={})
    assert copy.get(code).code == code
    copy.close()
    result = desk.backup(folder, keep=1)
    assert sorted(p.name for p in folder.iterdir()) == [Path(result["path"]).name]


def two_counters(make_desk: Callable[..., Desk], tmp_path: Path) -> tuple[Path, Desk, Desk]:
    """A shared backup folder, and counters 1 and 2 of one commune, each on its own database."""
    first = make_desk(tmp_path / "first.db", counter_no=1)
    return tmp_path / "shared", first, make_desk(tmp_path / "second.db", counter_no=2)


def test_rotation_removes_only_this_counters_backups(
    make_desk: Callable[..., Desk], clock: FixedClock, tmp_path: Path
) -> None:
    # Two counters (or a training database) backed up into the one default folder: each one's
    # rotation keeps its own newest copies and never deletes the other's.
    folder, first, second = two_counters(make_desk, tmp_path)
    theirs = [Path(second.backup(folder)["path"]).name]
    for _ in range(3):
        clock.set(clock.now + timedelta(minutes=1))
        first.backup(folder, keep=1)
        theirs.append(Path(second.backup(folder, keep=5)["path"]).name)
    names = sorted(p.name for p in folder.iterdir())
    assert [n for n in names if n.startswith("counter-11410-01-")] == ["counter-11410-01-20261125-093300.db"]
    assert [n for n in names if n.startswith("counter-11410-02-")] == sorted(theirs)
    assert len(names) == 5


def test_copies_named_before_backups_carried_their_counter_are_rotated_by_what_they_hold(
    make_desk: Callable[..., Desk], clock: FixedClock, tmp_path: Path
) -> None:
    # Upgraded from a version that named copies counter-<stamp>.db: without this, a nightly
    # --keep never removed them again, and the folder grew until the disk was full.
    folder, first, second = two_counters(make_desk, tmp_path)
    legacy = {}
    for desk, stamp in ((first, "20261101-200000"), (second, "20261102-200000")):
        made = Path(desk.backup(folder)["path"])
        legacy[desk] = made.rename(folder / f"counter-{stamp}.db")
    (folder / "counter-20261103-200000.db").write_bytes(b"not a database")  # unreadable: kept
    clock.set(clock.now + timedelta(minutes=1))
    result = first.backup(folder, keep=1)
    assert result["removed"] == ["counter-20261101-200000.db"]
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "counter-11410-01-20261125-093100.db",
        "counter-20261102-200000.db",
        "counter-20261103-200000.db",
    ]
    assert legacy[second].read_bytes()[:16] == b"SQLite format 3\x00"  # read, never changed


def test_rotation_never_removes_the_database_in_use(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    # After a crash the admin worked on from an old backup, in the backup folder itself.
    folder = tmp_path / "b"
    live = Path(desk.backup(folder)["path"])
    working = Desk.open(live, clock=clock, env={})
    try:
        code = working.receive(intake(), "Cán bộ A").code
        for _ in range(2):
            clock.set(clock.now + timedelta(days=1))
            result = working.backup(folder, keep=1)
        assert live.name not in result["removed"] and live.exists()
        assert working.get(code).code == code
        assert len([p for p in folder.iterdir() if p.suffix == ".db"]) == 2  # the live one, the newest
    finally:
        working.close()


def test_a_backup_that_cannot_be_written_says_why_and_leaves_nothing(desk: Desk, tmp_path: Path) -> None:
    (tmp_path / "usb").mkdir()
    blocker = tmp_path / "usb" / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="thư mục sao lưu"):
        desk.backup(blocker / "sub")
    assert sorted(p.name for p in (tmp_path / "usb").iterdir()) == ["file"]


def test_the_command_line_backup_with_a_full_disk(db_path: Path, tmp_path: Path) -> None:
    """The copy hits a file-size limit (as a full USB stick would): one clear line, exit 5, no file."""
    runner = CliRunner()
    setup = ["--db", str(db_path), "setup", "--commune-code", "11410", "--commune-name", "xã Vĩnh Bảo"]
    assert runner.invoke(main, [*setup, "--counter", "2"]).exit_code == 0
    (tmp_path / "ok").mkdir()
    ok = runner.invoke(main, ["--db", str(db_path), "backup", "--to", str(tmp_path / "ok"), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["dossiers"] == 0

    size = db_path.stat().st_size

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size // 3, size // 3))

    folder = tmp_path / "full"
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", "from counter_app.cli import main; main()"]
        + ["--db", str(db_path), "backup", "--to", str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        preexec_fn=limit,  # noqa: PLW1509 - a test child, no threads at fork time
        env={**os.environ},
        timeout=60,
    )
    assert done.returncode == 5, done.stderr
    assert done.stderr.startswith("Lỗi: Chưa sao lưu được") and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert list(folder.iterdir()) == []


def test_backup_help_says_how_to_restore() -> None:
    result = CliRunner().invoke(main, ["backup", "--help"])
    assert result.exit_code == 0 and "restore" in result.output


def test_a_backup_folder_that_is_not_there_is_not_made(desk: Desk, db_path: Path, tmp_path: Path) -> None:
    """``--to /media/usb/backups`` with the drive not plugged in made the folder on this machine's
    disk and said the copy was done: the one copy meant to leave the machine stayed on it."""
    desk.close()
    missing = tmp_path / "usb" / "backups"
    done = CliRunner().invoke(main, ["--db", str(db_path), "backup", "--to", str(missing)])
    assert done.exit_code == 2
    assert f"Không có thư mục «{missing}»" in done.output and "cắm ổ USB" in done.output
    assert not (tmp_path / "usb").exists()


def test_a_backup_cut_off_earlier_leaves_no_copy_behind_the_next_one(
    make_desk: Callable[..., Desk], tmp_path: Path
) -> None:
    """The PC switched off during the nightly backup left ``….db.partial`` (and its -wal, -shm):
    a full copy of every citizen's data that no later backup or rotation removed. The next backup
    removes this counter's cut-off copies; one being written now, and another counter's, stay."""
    folder, first, _ = two_counters(make_desk, tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    hours_ago = os.path.getmtime(folder) - 3 * 3600
    cut_off = [f"counter-11410-01-20261124-223012.db.partial{s}" for s in ("", "-wal", "-shm")]
    writing = "counter-11410-01-20261125-093000-2.db.partial"  # another backup, running now
    theirs = "counter-11410-02-20261124-223012.db.partial"
    for name in (*cut_off, writing, theirs):
        (folder / name).write_bytes(b"SQLite format 3\0" + b"x" * 4096)
    for name in (*cut_off, theirs):
        os.utime(folder / name, (hours_ago, hours_ago))
    done = first.backup(folder)
    assert done["removed"] == sorted(cut_off)
    left = {p.name for p in folder.iterdir()}
    assert not left & set(cut_off)
    assert {writing, theirs, Path(done["path"]).name} <= left


def test_the_copies_of_another_database_with_the_counter_s_name_are_never_rotated_out(
    desk: Desk, make_desk: Callable[..., Desk], clock: FixedClock, tmp_path: Path
) -> None:
    """A training file set up as the same counter (or a machine set up again without its backup)
    backing up into the same folder: its copy, holding nothing, removed every good copy of the
    counter's real database with --keep 1."""
    folder = tmp_path / "b"
    for _ in range(3):
        desk.receive(intake(), "Cán bộ A")
        clock.set(clock.now + timedelta(days=1))
        desk.backup(folder)
    real = sorted(p.name for p in folder.iterdir())
    training = make_desk(tmp_path / "training.db")  # counter 2 of xã Vĩnh Bảo too, empty
    clock.set(clock.now + timedelta(days=1))
    result = training.backup(folder, keep=1)
    assert result["removed"] == [] and sorted(result["kept_other"]) == real
    assert sorted(p.name for p in folder.iterdir()) == sorted([*real, Path(result["path"]).name])
    # The real database's own rotation removes its own old copies, never the training one's.
    clock.set(clock.now + timedelta(days=1))
    again = desk.backup(folder, keep=2)
    assert sorted(again["removed"]) == real[:2] and again["kept_other"] == [Path(result["path"]).name]
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted([real[2], Path(again["path"]).name, Path(result["path"]).name])


def test_a_copy_made_before_copies_carried_their_database_is_rotated_only_if_it_holds_no_more(
    desk: Desk, make_desk: Callable[..., Desk], clock: FixedClock, tmp_path: Path
) -> None:
    folder = tmp_path / "b"
    for _ in range(2):
        desk.receive(intake(), "Cán bộ A")
    old = Path(desk.backup(folder)["path"])
    with sqlite3.connect(old) as conn:  # as an older version made it: no identifier
        conn.execute("DELETE FROM site_settings WHERE key = '_database_id'")
    training = make_desk(tmp_path / "training.db")
    clock.set(clock.now + timedelta(days=1))
    assert training.backup(folder, keep=1)["kept_other"] == [old.name]  # it holds more
    clock.set(clock.now + timedelta(days=1))
    assert desk.backup(folder, keep=1)["removed"] == [old.name]  # the real one holds as much
