"""Restoring a backup: nothing lost without being told, the old file kept, no code issued twice."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import now_vn
from counter_app.domain.errors import NotFoundError, StoreError, ValidationError
from counter_app.store.restore import plan_restore, restore
from tests.conftest import FixedClock, intake


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def codes(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT code FROM dossiers")}


def take_backup(desk: Desk, tmp_path: Path) -> Path:
    return Path(desk.backup(tmp_path / "backups")["path"])


def test_over_a_readable_database_it_says_what_would_go_then_keeps_every_number(
    desk: Desk, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    first = desk.receive(intake(), "A")
    backup = take_backup(desk, tmp_path)
    later = desk.receive(intake(), "A")  # printed on a receipt after the backup
    desk.close()
    before = digest(db_path)

    plan = plan_restore(db_path, backup, now=clock.now)
    assert (plan.lost_dossiers, plan.lost_events, plan.lost_unsent) == (1, 1, 1)
    assert plan.skip_days == []  # the current database continues the backup: its numbers are known
    assert any("Sẽ MẤT 1 hồ sơ" in line for line in plan.describe())
    assert digest(db_path) == before  # planning changes nothing

    result = restore(plan, now=clock.now)
    assert codes(db_path) == {first.code}
    aside = Path(result["kept_aside"])
    assert codes(aside) == {first.code, later.code}  # what the restore dropped is still there
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    again = Desk.open(db_path, clock=clock, env={})
    with pytest.raises(NotFoundError):
        again.get(later.code)
    assert again.receive(intake(), "A").code.endswith("-2003")  # 2002 is never issued again
    assert again.check_projection()
    again.close()


def test_a_backup_of_another_history_counts_the_dossiers_it_replaces_under_the_same_codes(
    make_desk: Any, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    """The same counter set up again on a new file gave the same codes to other citizens: the
    preview counts those dossiers as lost (they were counted present, by code), and says the
    backup is not an earlier copy of this file."""
    other = make_desk(tmp_path / "earlier-install.db")
    other.receive(intake(applicant={**intake()["applicant"], "name": "Trần Văn Bê"}), "A")
    backup = take_backup(other, tmp_path)
    other.close()
    desk = make_desk()
    mine = desk.receive(intake(), "A")
    desk.close()
    assert codes(backup) == codes(db_path) == {mine.code}  # one code, two citizens

    plan = plan_restore(db_path, backup, now=clock.now)
    assert (plan.lost_dossiers, plan.lost_events) == (1, 1) and plan.backup_only_events == 1
    said = " ".join(plan.describe())
    assert "Sẽ MẤT 1 hồ sơ" in said and "không phải bản sao lưu trước đây của chính tệp này" in said
    assert plan.summary()["backup_only_events"] == 1


def test_a_lost_database_skips_ahead_for_every_day_since_the_backup(
    make_desk: Any, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    # Events carry the wall clock's recording time: the test's clock follows it here.
    clock.now = now_vn().replace(microsecond=0)
    desk = make_desk()
    entry = desk.receive(intake(), "A").logbook_entry
    backup = take_backup(desk, tmp_path)
    desk.close()
    for suffix in ("", "-wal", "-shm"):  # the disk died
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    day = clock.now.date()
    clock.now += timedelta(days=2)  # the backup's day and the two after: codes issued unknown

    plan = plan_restore(db_path, backup, now=clock.now)
    assert plan.skip_days == [day, day + timedelta(days=1), day + timedelta(days=2)]
    restore(plan, now=clock.now)
    again = Desk.open(db_path, clock=clock, env={})
    first = again.receive(intake(), "A")
    assert first.code.endswith(f"-{clock.now:%y%m%d}-2501")
    paper_day = clock.now - timedelta(days=1)  # a paper dossier entered after the fact
    paper = again.receive(intake(received_at=paper_day.isoformat()), "A")
    assert paper.code.endswith(f"-{paper_day:%y%m%d}-2501")
    # The logbook numbers skip too: 500 for each unknown day of the volume (the year).
    volume = str(clock.now.year)
    before = entry if day.year == clock.now.year else 0
    assert first.logbook_entry == before + 500 * plan.skip_volumes[volume] + 1
    assert set(plan.skip_volumes.values()) == {3}  # three days recorded on, in every volume
    assert any(f"sổ theo dõi quyển {volume} tăng thêm" in line for line in plan.describe())
    again.close()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_a_paper_dossier_entered_after_the_backup_for_an_earlier_day_keeps_its_code(
    make_desk: Any, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    """A paper dossier of last week (or last year) entered after the backup, then the disk died:
    after the restore, the next paper dossier of that day gets a new code, not its printed one
    (the skip covered only the backup's last day to today)."""
    clock.now = now_vn().replace(microsecond=0)
    desk = make_desk()
    last_week = clock.now - timedelta(days=8)
    last_year = clock.now - timedelta(days=360)
    desk.receive(intake(received_at=last_week.isoformat()), "A")  # in the backup
    backup = take_backup(desk, tmp_path)
    printed = [desk.receive(intake(received_at=at.isoformat()), "A") for at in (last_week, last_year)]
    desk.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)

    plan = plan_restore(db_path, backup, now=clock.now)
    said = " ".join(plan.describe())
    assert "Hồ sơ giấy nhập bù" in said and plan.summary()["backdated_from"]
    restore(plan, now=clock.now)
    again = Desk.open(db_path, clock=clock, env={})
    fresh = [again.receive(intake(received_at=at.isoformat()), "A") for at in (last_week, last_year)]
    assert {d.code for d in fresh}.isdisjoint(d.code for d in printed)
    assert fresh[0].code.endswith(f"-{last_week:%y%m%d}-2502")  # the backup had issued 1 that day
    entries = {d.logbook_entry for d in printed}
    assert {d.logbook_entry for d in fresh}.isdisjoint(entries)
    again.close()


def test_a_backup_of_a_busy_day_skips_past_what_it_had_issued(
    make_desk: Any, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    """A backup taken after the 600th code of the day: the codes after it start 500 further on,
    not at 501 of the block (which gave the 601st again, a code printed after the backup)."""
    clock.now = now_vn().replace(microsecond=0)
    desk = make_desk()
    with desk.store.transaction():  # a busy day: 599 codes issued before these
        desk.store.advance_code_number(clock.now.date(), 2, 599)
    issued = [desk.receive(intake(), "A").code]
    backup = take_backup(desk, tmp_path)
    issued.append(desk.receive(intake(), "A").code)  # printed after the backup, then the disk died
    desk.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)

    plan = plan_restore(db_path, backup, now=clock.now)
    starts = plan.first_code_numbers()
    assert starts[clock.now.date()] == 1101
    assert set(starts.values()) == {501, 1101}  # the other days: nothing issued in the backup
    assert f"ngày {clock.now:%d/%m/%Y} từ số 20102" in " ".join(plan.describe())
    restore(plan, now=clock.now)
    again = Desk.open(db_path, clock=clock, env={})
    fresh = again.receive(intake(), "A").code
    assert fresh not in issued and fresh.endswith("-20102")
    again.close()


def test_a_damaged_file_is_kept_byte_for_byte_and_replaced(
    desk: Desk, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    kept = desk.receive(intake(), "A")
    backup = take_backup(desk, tmp_path)
    desk.close()
    db_path.write_bytes(b"\x00garbage after a power cut" * 100)
    plan = plan_restore(db_path, backup, now=clock.now)
    assert plan.current.state == "damaged" and plan.skip_days
    result = restore(plan, now=clock.now)
    assert Path(result["kept_aside"]).read_bytes() == b"\x00garbage after a power cut" * 100
    assert codes(db_path) == {kept.code}


def test_a_counter_window_left_open_sees_the_restore_and_loses_nothing_after_it(
    desk: Desk, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    desk.receive(intake(), "A")
    backup = take_backup(desk, tmp_path)
    dropped = desk.receive(intake(), "A")
    restore(plan_restore(db_path, backup, now=clock.now), now=clock.now)
    # The open desk reads the restored data: the file was written in place, not swapped under it.
    with pytest.raises(NotFoundError):
        desk.get(dropped.code)
    saved = desk.receive(intake(), "A")
    assert saved.code.endswith("-2003")
    other = Desk.open(db_path, clock=clock, env={})
    assert other.get(saved.code) == saved  # in the live file, for every later reader
    other.close()


def test_another_counters_backup_and_another_programs_file_are_refused(
    make_desk: Any, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    other = make_desk(tmp_path / "other.db", counter_no=3)
    other.receive(intake(), "B")
    backup = take_backup(other, tmp_path)
    here = make_desk()
    here.receive(intake(), "A")
    here.close()
    before = digest(db_path)
    with pytest.raises(StoreError, match="quầy 3.*quầy 2.*trùng mã"):
        plan_restore(db_path, backup, now=clock.now)
    assert digest(db_path) == before

    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(StoreError, match="chương trình khác"):
        plan_restore(foreign, backup, now=clock.now)
    with pytest.raises(StoreError, match="không phải cơ sở dữ liệu của phần mềm"):
        plan_restore(db_path, foreign, now=clock.now)
    with pytest.raises(StoreError, match="chính là cơ sở dữ liệu đang dùng"):
        plan_restore(db_path, db_path.parent / "." / db_path.name, now=clock.now)
    with pytest.raises(ValidationError, match="là một thư mục"):
        plan_restore(db_path, tmp_path, now=clock.now)
    cut = tmp_path / "cut.db"
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])  # copied half-way
    with pytest.raises(StoreError, match="Không dùng được bản sao lưu"):
        plan_restore(db_path, cut, now=clock.now)
    assert digest(db_path) == before


def test_an_older_schema_backup_is_migrated_before_anything_changes(
    desk: Desk, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    from tests.unit.test_store import at_version

    d = desk.receive(intake(), "A")
    old = tmp_path / "old-backup.db"
    at_version(desk, old, 7).close()  # before ratings and sign-in throttling
    desk.close()
    restore(plan_restore(db_path, old, now=clock.now), now=clock.now)
    again = Desk.open(db_path, clock=clock, env={})
    assert again.get(d.code).code == d.code
    assert again.store.conn.execute("PRAGMA user_version").fetchone()[0] >= 9
    again.close()


def test_the_command_line_asks_for_yes_and_speaks_one_line_on_error(
    desk: Desk, db_path: Path, tmp_path: Path
) -> None:
    desk.receive(intake(), "A")
    backup = take_backup(desk, tmp_path)
    desk.receive(intake(), "A")
    desk.close()
    before = digest(db_path)

    def counter(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from counter_app.cli import main; main()", *args, "--db", str(db_path)],
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg")},
            check=False,
        )

    dry = counter("restore", str(backup))
    assert dry.returncode == 0 and "Sẽ MẤT 1 hồ sơ" in dry.stdout and "--yes" in dry.stdout
    assert digest(db_path) == before
    missing = counter("restore", str(tmp_path / "none.db"), "--yes")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
    assert missing.stderr.startswith("Lỗi: Không thấy tệp sao lưu") and digest(db_path) == before
    done = counter("restore", str(backup), "--yes", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["done"] and result["dossiers"] == 1 and result["lost_dossiers"] == 1
    assert Path(result["kept_aside"]).exists()


def test_a_restore_waits_for_no_writer_and_changes_nothing_under_one(
    desk: Desk, db_path: Path, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import counter_app.store.restore as restoring

    desk.receive(intake(), "A")
    backup = take_backup(desk, tmp_path)
    desk.receive(intake(), "A")
    plan = plan_restore(db_path, backup, now=clock.now)
    monkeypatch.setattr(restoring, "LOCK_WAIT_MS", 50)  # the counter's own wait is ten seconds
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a save in progress in another window
    try:
        with pytest.raises(StoreError, match="một chương trình khác đang ghi"):
            restore(plan, now=clock.now)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert len(codes(db_path)) == 2
    assert not list(tmp_path.glob("*.restoring*")) and not list(tmp_path.glob("*before-restore*"))


def test_a_backup_whose_rows_disagree_with_its_events_is_restored_from_the_events(
    desk: Desk, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    """A byte changed in a backup's dossier row (not in its events) was restored as it was, and only
    the next ``counter check`` said so. The events are the record: the rows are rebuilt from them,
    and the restore says how many."""
    d = desk.receive(intake(), "A")
    backup = take_backup(desk, tmp_path)
    with sqlite3.connect(backup) as conn:
        conn.execute("UPDATE dossiers SET applicant_name = 'Đặng Thị XYZ' WHERE code = ?", (d.code,))
    desk.close()
    result = restore(plan_restore(db_path, backup, now=clock.now), now=clock.now)
    assert result["rebuilt_rows"] == 1
    again = Desk.open(db_path, clock=clock, env={})
    try:
        assert again.check_projection() and again.find("Đặng Thị Hoà")[0].code == d.code
    finally:
        again.close()


def test_a_backup_whose_events_cannot_be_read_is_refused(
    desk: Desk, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    desk.receive(intake(), "A")
    backup = take_backup(desk, tmp_path)
    with sqlite3.connect(backup) as conn:
        conn.execute("UPDATE events SET body = '{\"kind\": ' WHERE seq = 1")
    desk.close()
    before = digest(db_path)
    with pytest.raises(StoreError) as info:
        restore(plan_restore(db_path, backup, now=clock.now), now=clock.now)
    assert "lịch sử sự kiện" in info.value.message and "hãy chọn bản sao lưu khác" in info.value.message
    assert digest(db_path) == before


def test_readings_made_after_the_backup_stay_in_the_access_log(
    desk: Desk, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    """Who saw whose data is a record the citizen may ask for: a restore puts the dossiers back as
    they were, not the access log (the views, prints and searches made since are kept, and said)."""
    code = desk.receive(intake(), "A").code
    desk.get(code, viewer="Trần Văn Minh")
    backup = take_backup(desk, tmp_path)
    clock.now += timedelta(minutes=5)
    desk.get(code, viewer="Lê Thị Soi")  # after the backup
    desk.log_search("Lê Thị Soi", "031190001234", [code])
    before = [(e.at, e.actor, e.action, e.detail) for e in desk.access_log(code)]
    desk.close()

    plan = plan_restore(db_path, backup, now=clock.now)
    assert plan.kept_readings == 2
    assert any("2 lượt xem, in, tìm kiếm" in line for line in plan.describe())
    restore(plan, now=clock.now)
    again = Desk.open(db_path, clock=clock, env={})
    after = [(e.at, e.actor, e.action, e.detail) for e in again.access_log(code)]
    assert after == before and [a for _, a, _, _ in after].count("Lê Thị Soi") == 2
    again.close()


def test_a_dossier_saved_between_the_plan_and_the_restore_is_counted_and_its_code_never_reissued(
    desk: Desk, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    """`counter restore --yes` while a counter window kept receiving: the sequences were read with
    the plan, before the restore took the file, and a code printed in between was issued again to
    the next citizen after the restore (found by a tester with four receive loops running)."""
    first = desk.receive(intake(), "A")
    backup = take_backup(desk, tmp_path)
    plan = plan_restore(db_path, backup, now=clock.now)
    assert plan.lost_dossiers == 0
    between = desk.receive(intake(), "A")  # the counter saved while the restore was being asked
    result = restore(plan, now=clock.now)
    assert result["lost_dossiers"] == 1  # said: the dossier is in the file kept aside
    assert codes(Path(result["kept_aside"])) == {first.code, between.code}
    after = desk.receive(intake(), "A")  # the same window, still open, receives the next citizen
    assert after.code != between.code and after.code.endswith("-2003")


def test_a_save_waits_for_a_restore_and_then_gives_up_with_a_reason(
    desk: Desk, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import counter_app.store.database as database

    desk.receive(intake(), "A")
    with database.restore_gate(db_path, 1000):  # a restore putting a backup in place
        with desk.store.waiting_at_most(100), pytest.raises(StoreError, match="đang khôi phục"):
            desk.receive(intake(), "A")
    assert len(codes(db_path)) == 1
    assert desk.receive(intake(), "A").code.endswith("-2002")  # after it, saves go on


def test_a_restore_reached_through_a_symlink_keeps_the_saves_out_too(
    desk: Desk, db_path: Path, tmp_path: Path
) -> None:
    """The admin's COUNTER_DB a symlink to the real file: the restore locked a file beside the
    link, the saves one beside the real file, and a save went on during the restore."""
    import counter_app.store.database as database

    link = tmp_path / "link.db"
    link.symlink_to(db_path)
    desk.receive(intake(), "A")
    with database.restore_gate(link, 1000):
        with desk.store.waiting_at_most(100), pytest.raises(StoreError, match="đang khôi phục"):
            desk.receive(intake(), "A")
    assert len(codes(db_path)) == 1 and not (tmp_path / "link.db.lock").exists()
