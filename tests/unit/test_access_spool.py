"""Access-log rows kept beside the database file for the next program (real files)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from counter_app.domain.calendar import VN_TZ
from counter_app.store import access_spool

AT = datetime(2026, 11, 25, 9, 30, tzinfo=VN_TZ)


def test_rows_kept_are_taken_once_then_released(tmp_path: Path) -> None:
    db = tmp_path / "counter.db"
    rows = [(AT, "Lan", "view", "000.00.11.H26-261125-2001", ""), (AT, "Lan", "search", "", "hoa")]
    access_spool.spool(db, rows[:1])
    access_spool.spool(db, rows[1:])  # a second program appends
    taken_rows, taken = access_spool.claim(db)
    assert taken_rows == rows and len(taken) == 1
    assert access_spool.claim(db) == ([], [])  # taken: another program finds nothing
    access_spool.release(taken)
    assert list(tmp_path.iterdir()) == []


def test_a_line_cut_off_or_hostile_is_skipped_and_the_rest_kept(tmp_path: Path) -> None:
    db = tmp_path / "counter.db"
    access_spool.spool(db, [(AT, "Lan", "view", "A", "")])
    with open(access_spool.spool_path(db), "ab") as file:
        file.write(b'["2026-11-25T09:31:00", "no zone", "view", "B", ""]\n')  # no offset
        file.write(b'{"not": "a row"}\n\xff\xfe\n')
        file.write(b'["2026-11-25T09:32:00+07:00", "Lan", "vi')  # cut off by a power cut
    rows, _ = access_spool.claim(db)
    assert [r[3] for r in rows] == ["A"]


def test_rows_a_program_took_and_never_wrote_are_taken_when_it_is_gone(tmp_path: Path) -> None:
    db = tmp_path / "counter.db"
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = int(gone.stdout)
    access_spool.spool(db, [(AT, "Lan", "view", "A", "")])
    access_spool.spool_path(db).rename(db.with_name(f"{db.name}.access-waiting.{dead}-1"))
    access_spool.spool(db, [(AT, "Lan", "view", "B", "")])
    access_spool.spool_path(db).rename(db.with_name(f"{db.name}.access-waiting.{os.getppid()}-1"))
    rows, taken = access_spool.claim(db)
    assert [r[3] for r in rows] == ["A"]  # the running parent's rows are its own to write
    access_spool.release(taken)
    assert [p.name for p in tmp_path.iterdir()] == [f"{db.name}.access-waiting.{os.getppid()}-1"]
