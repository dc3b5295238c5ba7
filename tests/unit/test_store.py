"""The store: durable pragmas, owner-only files, migrations from every earlier version."""

from __future__ import annotations

import json
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from counter_app.desk import Desk
from counter_app.domain.errors import StoreError
from counter_app.store import DossierStore, open_database
from counter_app.store.migrations import SCHEMA_VERSION, migrations
from tests.conftest import intake


def test_durable_pragmas_and_private_file(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    db = open_database(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    db.close()


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    open_database(path).close()
    db = open_database(path)
    names = [m.name for m in migrations.applied(Database(db))]
    assert len(names) == len(set(names)) == SCHEMA_VERSION
    db.close()


@pytest.mark.parametrize("applied", range(1, SCHEMA_VERSION))
def test_upgrade_from_every_earlier_version(tmp_path: Path, applied: int) -> None:
    """A database left at any earlier schema upgrades and keeps its data."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    db = Database(conn)
    all_names = [m.name for m in migrations.pending(db)]
    migrations.apply(db, stop_before=all_names[applied])
    conn.execute(f"PRAGMA user_version = {applied}")
    conn.execute("INSERT INTO site_settings (key, value) VALUES ('commune_code', '11410')")
    conn.close()
    upgraded = open_database(path)
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert DossierStore(upgraded).read_settings()["commune_code"] == "11410"
    assert {m.name for m in migrations.applied(Database(upgraded))} == set(all_names)
    upgraded.close()


def at_version(source: Desk, path: Path, version: int) -> sqlite3.Connection:
    """A database file left at an earlier schema, holding the events, dossiers (the columns that
    version had) and settings of ``source``; open, for the caller to add what else it needs."""
    conn = sqlite3.connect(path, isolation_level=None)
    db = Database(conn)
    migrations.apply(db, stop_before=[m.name for m in migrations.pending(db)][version])
    conn.execute(f"PRAGMA user_version = {version}")
    kept = ", ".join(c[1] for c in conn.execute("PRAGMA table_info(events)").fetchall())
    events = source.store.conn.execute(f"SELECT {kept} FROM events ORDER BY seq").fetchall()
    conn.executemany(f"INSERT INTO events VALUES ({', '.join('?' * len(events[0]))})", events)
    columns = ", ".join(c[1] for c in conn.execute("PRAGMA table_info(dossiers)").fetchall())
    rows = source.store.conn.execute(f"SELECT {columns} FROM dossiers ORDER BY rowid").fetchall()
    conn.executemany(f"INSERT INTO dossiers VALUES ({', '.join('?' * len(rows[0]))})", rows)
    conn.executemany(
        "INSERT INTO site_settings (key, value) VALUES (?, ?)", source.store.read_settings().items()
    )
    return conn


def as_stored_by(
    source: Desk, path: Path, version: int, code: str, change: Callable[[dict[str, Any]], None]
) -> None:
    """``source`` copied into a file at ``version``, with its sequences, and the stored data of
    dossier ``code`` changed by ``change`` to what that version wrote."""
    conn = at_version(source, path, version)
    conn.executemany(
        "INSERT INTO sequences VALUES (?, ?, ?, ?)", source.store.conn.execute("SELECT * FROM sequences")
    )
    data = json.loads(conn.execute("SELECT data FROM dossiers WHERE code = ?", (code,)).fetchone()[0])
    change(data)
    conn.execute(
        "UPDATE dossiers SET data = ? WHERE code = ?",
        (json.dumps(data, ensure_ascii=False, sort_keys=True), code),
    )
    conn.close()


def rated_again_at(source: Desk, path: Path, version: int, code: str) -> sqlite3.Connection:
    """``source`` at ``version`` (with its sequences) plus a second rating of dossier ``code`` ("Rất
    hài lòng"), as versions 8 to 12 stored one; open, for the caller to add to."""
    from counter_app.domain.dossier import new_event

    conn = at_version(source, path, version)
    conn.executemany(
        "INSERT INTO sequences VALUES (?, ?, ?, ?)", source.store.conn.execute("SELECT * FROM sequences")
    )
    second = new_event(code, "rated", source.now(), "Cán bộ A", "x#2", {"level": 5})
    conn.execute(
        "INSERT INTO events (uuid, dossier_code, kind, occurred_at, actor, counter_id, body, recorded_at)"
        " VALUES (?, ?, 'rated', ?, 'Cán bộ A', 'x#2', ?, ?)",
        (second.uuid, code, "2026-11-25T09:40:00+07:00", second.canonical(), "2026-11-25T09:40:00+07:00"),
    )
    return conn


def test_upgrade_to_lean_writes_keeps_queue_sequences_and_search(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """Migration 5 rebuilds the outbox, the sequences and the name index from a version-4 file:
    the unacknowledged events stay queued, the acknowledged ones leave the queue, codes and
    logbook entries continue where they were (never reused) and names are still found."""
    source = make_desk(tmp_path / "source.db")
    first = source.receive(intake(), "Cán bộ A")
    second = source.receive(intake(applicant={**intake()["applicant"], "name": "Lê Văn Bình"}), "Cán bộ A")
    path = tmp_path / "v4.db"
    conn = at_version(source, path, 4)
    uuids = [e[0] for e in conn.execute("SELECT uuid FROM events ORDER BY seq")]
    conn.execute(
        "INSERT INTO outbox (event_uuid, queued_at, sent_at) VALUES (?, 'q', 'sent'), (?, 'q', NULL)",
        uuids,
    )
    conn.execute("INSERT INTO code_sequences (day, counter_no, last) VALUES ('2026-11-25', 2, 2)")
    conn.execute("INSERT INTO logbook_sequences (volume, counter_no, last) VALUES ('2026', 2, 2)")
    conn.close()

    upgraded = make_desk(path, configure=False)
    assert upgraded.store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    queued = upgraded.store.conn.execute("SELECT e.uuid FROM outbox JOIN events e USING (seq)").fetchall()
    assert queued == [(uuids[1],)]
    assert upgraded.unsent_events() == 1
    assert [r.code for r in upgraded.store.by_name("le van b")] == [second.code]
    assert [r.code for r in upgraded.store.by_name("hoa")] == [first.code]
    third = upgraded.receive(intake(), "Cán bộ A")
    assert third.code.endswith("-2003") and third.logbook_entry == 3
    assert upgraded.unsent_events() == 2
    assert upgraded.check_projection() is True


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="phiên bản mới hơn"):
        open_database(path)


def test_garbage_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="không phải"):
        open_database(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("their_version", [0, 3, SCHEMA_VERSION + 1])
def test_another_programs_database_is_refused_and_left_alone(tmp_path: Path, their_version: int) -> None:
    # A --db typed wrong, onto another program's SQLite file: even a command that only reads
    # migrated it in place (48 tables added, WAL switched on, owner-only rights) and said nothing.
    path = tmp_path / "accounts.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)")
    conn.execute("INSERT INTO accounts (owner) VALUES ('Kế toán')")
    conn.execute(f"PRAGMA user_version = {their_version}")
    conn.commit()
    conn.close()
    path.chmod(0o644)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="của một phần mềm khác"):
        open_database(path)
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.db"]


def test_ours_stopped_between_two_migrations_is_still_ours(tmp_path: Path) -> None:
    # Each migration is its own transaction: a power cut between two leaves tables and no
    # user_version; the next start finishes the upgrade.
    path = tmp_path / "c.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.apply(Database(conn), stop_before="m002_officials")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()
    upgraded = open_database(path)
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    upgraded.close()


def test_ours_stopped_before_its_first_migration_is_still_ours(tmp_path: Path) -> None:
    # Killed between sqlite-utils making its (empty) _sqlite_migrations table and the first
    # migration: the crash test caught the next start refusing the file as another program's.
    path = tmp_path / "c.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.ensure_migrations_table(Database(conn))
    conn.close()
    upgraded = open_database(path)
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    upgraded.close()


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_database(tmp_path)


def test_a_path_through_a_file_is_refused_in_vietnamese(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a folder")
    with pytest.raises(StoreError) as caught:
        open_database(tmp_path / "notes.txt" / "counter.db")
    assert "một phần của đường dẫn là tệp, không phải thư mục" in caught.value.message
    assert "Not a directory" not in caught.value.message


def test_a_full_disk_saves_nothing_and_says_so(desk: Desk) -> None:
    """SQLite's own SQLITE_FULL (the file may not grow), not a stand-in: the receipt is refused,
    no code or logbook entry is used, and the counter carries on once there is room again."""
    first = desk.receive(intake(), "Cán bộ A")
    conn = desk.store.conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    big = intake(summary="x" * 500)  # fills pages fast
    with pytest.raises(StoreError) as caught:
        for _ in range(200):
            desk.receive(big, "Cán bộ A")
    assert caught.value.message == "Chưa lưu được: ổ đĩa đã đầy; hãy giải phóng chỗ trống rồi thử lại."
    assert caught.value.exit_code == 5
    assert not conn.in_transaction
    saved = conn.execute("SELECT count(*) FROM dossiers").fetchone()[0]
    conn.execute("PRAGMA max_page_count = 1073741823")
    later = desk.receive(intake(), "Cán bộ A")
    assert conn.execute("SELECT count(*) FROM dossiers").fetchone()[0] == saved + 1
    # Codes and logbook entries continue from the last saved dossier: the failed one used none.
    assert int(later.code[-4:]) == int(first.code[-4:]) + saved
    assert later.logbook_entry == first.logbook_entry + saved
    assert desk.check_projection() is True
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_read_only_database_refuses_a_save_in_vietnamese(desk: Desk) -> None:
    desk.store.conn.execute("PRAGMA query_only = ON")  # SQLite answers as for a read-only file
    with pytest.raises(StoreError) as caught:
        desk.receive(intake(), "Cán bộ A")
    assert caught.value.message.startswith("Chưa lưu được: tệp hoặc thư mục chỉ cho phép đọc")
    desk.store.conn.execute("PRAGMA query_only = OFF")
    assert desk.receive(intake(), "Cán bộ A").code.endswith("-2001")


def test_transaction_rolls_back_everything(tmp_path: Path) -> None:
    store = DossierStore(open_database(tmp_path / "c.db"))
    with pytest.raises(RuntimeError), store.transaction():
        store.write_settings({"commune_code": "11410"})
        raise RuntimeError("power cut in the middle")
    assert "commune_code" not in store.read_settings()
    store.close()


def test_sequences_only_inside_transactions(tmp_path: Path) -> None:
    from datetime import date

    store = DossierStore(open_database(tmp_path / "c.db"))
    with pytest.raises(RuntimeError):
        store.next_code_number(date(2026, 11, 25), 2)
    with store.transaction():
        assert store.next_code_number(date(2026, 11, 25), 2) == 1
        assert store.next_code_number(date(2026, 11, 25), 2) == 2
        assert store.next_code_number(date(2026, 11, 25), 3) == 1
    store.close()


def test_logbook_stream_never_shows_a_save_that_is_not_committed(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """The logbook is read on a connection of its own (it runs in a worker while the counter
    saves): a dossier in the middle of its save, which may still roll back, is not in it."""
    desk = make_desk(tmp_path / "c.db")
    kept = desk.receive(intake(), "A").code
    day = desk.now().date()

    class Abort(Exception):
        pass

    seen: list[str] = []
    with pytest.raises(Abort), desk.store.transaction():
        desk.store.conn.execute("DELETE FROM dossiers")  # half a save, about to be rolled back
        seen = [d.code for d in desk.store.iter_received(day, day)]
        raise Abort
    assert seen == [kept]
    assert [d.code for d in desk.store.iter_received(day, day)] == [kept]


def test_upgrade_to_owner_search_indexes_the_owners_already_stored(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """Migration 7 fills the owner's folded name from each stored dossier and indexes it; the
    projection still rebuilds identically from the events."""
    source = make_desk(tmp_path / "source.db")
    owned = source.receive(intake(owner={"name": "Phạm Văn Tư", "id_number": "031190005678"}), "Cán bộ A")
    plain = source.receive(intake(), "Cán bộ A")
    path = tmp_path / "v6.db"
    conn = at_version(source, path, 6)
    conn.executemany(
        "INSERT INTO sequences VALUES (?, ?, ?, ?)", source.store.conn.execute("SELECT * FROM sequences")
    )
    conn.close()

    upgraded = make_desk(path, configure=False)
    owners = upgraded.store.conn.execute("SELECT code, owner_folded, owner_id FROM dossiers").fetchall()
    assert {code: (name, id_number) for code, name, id_number in owners} == {
        owned.code: ("pham van tu", "031190005678"),
        plain.code: (None, None),
    }
    assert [r.code for r in upgraded.find("031190005678")] == [owned.code]
    found = upgraded.store.by_name("pham van tu")
    assert [r.code for r in found] == [owned.code] and found[0].owner_name == "Phạm Văn Tư"
    assert upgraded.check_projection() is True
    later = upgraded.receive(intake(owner={"name": "Trần Thị Út"}), "Cán bộ A")
    assert [r.code for r in upgraded.store.by_name("tran thi ut")] == [later.code]


def test_upgrade_to_14_finds_the_representatives_already_stored(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """Migration 14 puts each stored organisation's representative in the second name index; the
    projection still rebuilds identically from the events."""
    company = {"kind": "organisation", "name": "Công ty TNHH An Phát", "id_number": "0101234567"}
    source = make_desk(tmp_path / "source.db")
    alone = source.receive(intake(applicant={**company, "representative": "Trần Văn Phúc"}), "Cán bộ A")
    owned = source.receive(
        intake(applicant={**company, "representative": "Đỗ Thị Hạnh"}, owner={"name": "Phạm Văn Tư"}),
        "Cán bộ A",
    )
    path = tmp_path / "v13.db"
    conn = at_version(source, path, 13)
    conn.executemany(
        "INSERT INTO sequences VALUES (?, ?, ?, ?)", source.store.conn.execute("SELECT * FROM sequences")
    )
    # What version 13 stored: the owner's name alone.
    conn.execute("UPDATE dossiers SET owner_folded = NULL WHERE code = ?", (alone.code,))
    conn.execute("UPDATE dossiers SET owner_folded = 'pham van tu' WHERE code = ?", (owned.code,))
    assert conn.execute("SELECT count(*) FROM owners_fts WHERE owners_fts MATCH 'phuc'").fetchone()[0] == 0
    conn.close()

    upgraded = make_desk(path, configure=False)
    assert [r.code for r in upgraded.find("tran van phuc")] == [alone.code]
    assert [r.code for r in upgraded.find("do thi hanh")] == [owned.code]
    found = upgraded.find("pham van tu")
    assert [r.code for r in found] == [owned.code] and found[0].owner_name == "Phạm Văn Tư"
    assert upgraded.find("tran van phuc")[0].owner_name == ""  # a representative is no owner
    assert upgraded.check_projection() is True


def test_a_damaged_page_is_explained_with_the_way_out(tmp_path: Path) -> None:
    from counter_app.store.database import explain

    path = tmp_path / "damaged.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,) for _ in range(200)])
    data = bytearray(path.read_bytes())
    data[4096 * 2 : 4096 * 3] = b"\xff" * 4096  # a page in the middle of the table, not the header
    path.write_bytes(bytes(data))
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError) as caught:
        conn.execute("SELECT count(*), max(length(x)) FROM t").fetchall()
    conn.close()
    assert "counter restore" in explain(caught.value)


def test_upgrade_keeps_the_time_limit_of_appointments_already_moved(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """Migration 11 folds again the dossiers whose appointment was moved, so that they are judged
    against their time limit; the others are left byte for byte."""
    source = make_desk(tmp_path / "source.db")
    kept = source.receive(intake(), "Cán bộ A")
    moved = source.receive(intake(), "Cán bộ A")
    source.move_appointment(
        moved.code, "Cán bộ A", new_due=moved.due_at + timedelta(days=7), reason="Xác minh"
    )
    path = tmp_path / "v10.db"
    before = source.store.conn.execute("SELECT * FROM dossiers WHERE code = ?", (kept.code,)).fetchone()
    as_stored_by(source, path, 10, moved.code, lambda data: data.pop("statutory_due"))

    upgraded = make_desk(path, configure=False)
    assert upgraded.get(moved.code).rule_due_at == moved.due_at
    assert (
        upgraded.store.conn.execute("SELECT * FROM dossiers WHERE code = ?", (kept.code,)).fetchone()
        == before
    )
    assert upgraded.check_projection() is True


def test_upgrade_marks_the_dossiers_refused_at_the_counter(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """Migration 16: a refusal at the counter is marked in the row. Version 15 judged it by the day
    alone, so the dossier refused that day after extra papers stays received."""
    source = make_desk(tmp_path / "source.db")
    at_counter = source.receive(intake(), "Cán bộ A")
    source.refuse(at_counter.code, "Cán bộ A", reason="Không thuộc thẩm quyền")
    later = source.receive(intake(), "Cán bộ A")
    source.request_extra_papers(later.code, "Cán bộ A", papers=["Giấy A"], reason="Thiếu")
    source.receive_extra_papers(later.code, "Cán bộ A")
    source.refuse(later.code, "Cán bộ A", reason="Giấy tờ giả mạo")
    path = tmp_path / "v15.db"
    as_stored_by(source, path, 15, at_counter.code, lambda data: data.pop("refused_at_counter"))

    upgraded = make_desk(path, configure=False)
    assert upgraded.get(at_counter.code).refused_at_intake
    assert not upgraded.get(later.code).refused_at_intake
    day = at_counter.received_at.date()
    report = upgraded.period_report(day, day)
    assert (report["received"], report["refused"], report["refused_later"]) == (1, 1, 1)
    assert upgraded.check_projection() is True


def test_upgrade_gives_back_the_deciding_authority_a_transfer_replaced(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """Migration 12: a transfer to a named office had replaced the deciding authority stored at
    receipt; the dossiers so transferred get it back, the office becomes ``handled_by``."""
    source = make_desk(tmp_path / "source.db")
    named = source.receive(intake(), "Cán bộ A")
    source.transfer(named.code, "Cán bộ A", to_agency_name="Công chức Tư pháp - Hộ tịch")
    path = tmp_path / "v11.db"

    def as_version_11(data: dict[str, Any]) -> None:
        del data["handled_by"]
        data["deciding_agency"] = {"id": "", "name": "Công chức Tư pháp - Hộ tịch"}

    as_stored_by(source, path, 11, named.code, as_version_11)

    upgraded = make_desk(path, configure=False)
    d = upgraded.get(named.code)
    assert d.deciding_agency_name == "Ủy ban nhân dân xã Vĩnh Bảo"
    assert d.handled_by == "Công chức Tư pháp - Hộ tịch"
    assert upgraded.check_projection() is True


def test_upgrade_flags_a_second_rating_and_counts_the_first(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """Migration 13: an earlier version let a dossier be rated again, counting the last rating (a
    "Không hài lòng" could become "Rất hài lòng"). The later rating is flagged: it stays in the file,
    the first counts, and the projection rebuilds equal."""
    source = make_desk(tmp_path / "source.db")
    d = source.receive(intake(), "Cán bộ A")
    d = source.refuse(d.code, "Cán bộ A", reason="Không thuộc thẩm quyền")
    source.rate(d.code, "Cán bộ A", level=2, comment="Chờ lâu")
    path = tmp_path / "v12.db"
    conn = rated_again_at(source, path, 12, d.code)
    conn.execute(
        "INSERT INTO ratings VALUES (?, 5, '2026-11-25T09:40:00+07:00', '', '', 'Cán bộ A')", (d.code,)
    )
    conn.close()

    upgraded = make_desk(path, configure=False)
    flagged = upgraded.store.conn.execute("SELECT count(*) FROM events WHERE flagged = 1").fetchone()[0]
    assert flagged == 1
    rating = upgraded.get(d.code).rating
    assert rating is not None and (rating.level, rating.comment) == (2, "Chờ lâu")
    assert upgraded.period_report(date(2026, 11, 1), date(2026, 11, 30))["ratings"]["2"] == 1
    assert upgraded.check_projection() is True


def test_upgrade_from_11_of_a_dossier_transferred_and_rated_twice(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """Versions 8 to 12 let a dossier be rated twice. Migration 12 folds the dossiers transferred to a
    named office again, and today's fold refuses a second rating: such a file (a normal transfer, a
    citizen who rated twice) could not be opened at all after the upgrade, nor its backups restored.
    The later rating is flagged before any fold; the first one counts."""
    source = make_desk(tmp_path / "source.db")
    d = source.receive(intake(), "Cán bộ A")
    source.transfer(d.code, "Cán bộ A", to_agency_name="Công chức Tư pháp - Hộ tịch")
    source.refuse(d.code, "Cán bộ A", reason="Không thuộc thẩm quyền")
    source.rate(d.code, "Cán bộ A", level=2, comment="Chờ lâu")
    path = tmp_path / "v11.db"
    rated_again_at(source, path, 11, d.code).close()

    upgraded = make_desk(path, configure=False)
    assert upgraded.store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    rating = upgraded.get(d.code).rating
    assert rating is not None and rating.level == 2
    assert upgraded.get(d.code).handled_by == "Công chức Tư pháp - Hộ tịch"
    assert upgraded.check_projection() is True


def test_an_upgrade_that_cannot_be_done_says_so_and_leaves_the_file(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """Data a migration cannot bring up to date (here a transfer recorded before the dossier was
    received: no program wrote it, but a file may hold anything) fails as an upgrade, with the
    schema versions named, and the file keeps its version and its bytes."""
    source = make_desk(tmp_path / "source.db")
    d = source.receive(intake(), "Cán bộ A")
    source.transfer(d.code, "Cán bộ A", to_agency_name="Công chức Tư pháp - Hộ tịch")
    path = tmp_path / "v11.db"
    conn = at_version(source, path, 11)
    conn.execute("UPDATE events SET seq = seq + 1000 WHERE kind = 'received'")  # received after transfer
    conn.close()

    def content() -> tuple[Any, ...]:
        with sqlite3.connect(path) as look:
            return tuple(
                look.execute(sql).fetchall()
                for sql in ("PRAGMA user_version", "SELECT * FROM events", "SELECT * FROM dossiers")
            )

    before = content()
    with pytest.raises(StoreError) as info:
        make_desk(path, configure=False)
    assert f"Không nâng cấp được cơ sở dữ liệu (lược đồ 11 → {SCHEMA_VERSION})" in info.value.message
    assert content() == before and before[0] == [(11,)]


def test_a_write_waiting_for_another_program_leaves_the_connection_to_readers(
    desk: Desk, db_path: Path
) -> None:
    """Another program (the nightly backup, the command line) holds the write lock; a worker's
    write (the intake's draft) waits for it. Meanwhile the UI thread still reads through the same
    connection: it froze until the worker gave up, ten seconds, at the next key it handled."""
    import threading

    code = desk.receive(intake(), "A").code
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    outcome: list[str] = []
    waiting = threading.Thread(
        target=lambda: outcome.append(desk.save_draft({"procedure": "1.004873"}) or "saved"), daemon=True
    )
    try:
        waiting.start()
        threading.Event().wait(0.3)  # the worker is inside its write by now, waiting for the lock
        for _ in range(20):  # reads on this thread, many times over: each one goes through
            assert desk.get(code) is not None and desk.settings.commune_code == "11410"
        assert waiting.is_alive() and not outcome  # ... while the write still waits
    finally:
        holder.execute("COMMIT")
        holder.close()
    waiting.join(timeout=30)
    assert outcome == ["saved"] and desk.load_draft() is not None


def test_upgrade_to_the_hub_order_keeps_the_recorded_order_and_rewrites_no_event(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """Migration 15 gives events a place in the hub's order. The events already there keep their
    recorded one without being rewritten (setting the column on each took a minute at a million
    dossiers), and a step pulled later still comes after them."""
    from counter_app.domain.calendar import VN_TZ
    from counter_app.domain.dossier import new_event

    source = make_desk(tmp_path / "source.db")
    code = source.receive(intake(), "Cán bộ A").code
    source.transfer(code, "Cán bộ A")
    conn = at_version(source, tmp_path / "v14.db", 14)
    conn.close()
    upgraded = make_desk(tmp_path / "v14.db", configure=False)
    store = upgraded.store
    assert store.conn.execute("SELECT count(*) FROM events WHERE hub_seq IS NOT NULL").fetchone()[0] == 0
    assert store.read_settings()["_hub_pivot"] == store.read_settings()["_hub_position"] == "2"
    assert [e.kind for e in upgraded.events(code)] == ["received", "transferred"]
    assert upgraded.check_projection() is True
    at = datetime(2026, 11, 26, 10, 0, tzinfo=VN_TZ)
    ready = new_event(code, "result_ready", at, "Phòng Tư pháp", "city", {})
    page = upgraded.apply_pulled([ready.to_json()], "7")
    assert (page.applied, page.flagged) == (1, [])
    assert [e.kind for e in upgraded.events(code)] == ["received", "transferred", "result_ready"]
    assert upgraded.get(code).status == 9 and upgraded.check_projection() is True


def test_saves_beside_unlocked_reads_while_another_program_holds_the_lock_fail_cleanly(
    desk: Desk, db_path: Path
) -> None:
    """The UI reads (counts, lists) on the shared connection while a worker saves and another
    program takes and drops the write lock. Python's sqlite3 reads a statement's outcome from the
    connection's last error code, which such a read can reset: a BEGIN refused as busy then looked
    like a success, and the save failed with "sequences advance only inside the saving
    transaction" (the official saw an unexpected error). Every save must now either land or be
    refused in Vietnamese."""
    import random
    import threading
    import time

    desk.store._patience_ms = 300  # a save gives up soon: many tries in the time the test runs
    unexpected: list[BaseException] = []
    saved: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            desk.count_view("today")
            desk.unsent_events()

    def save() -> None:
        while not stop.is_set():
            try:
                saved.append(desk.receive(intake(), "Trần Văn Minh").code)
            except StoreError:
                pass  # "Chưa lưu được: một chương trình khác đang ghi…": said, nothing written
            except BaseException as exc:  # noqa: BLE001 - what the test is looking for
                unexpected.append(exc)

    threads = [threading.Thread(target=f, daemon=True) for f in (read, read, save)]
    for thread in threads:
        thread.start()
    other = sqlite3.connect(db_path, isolation_level=None, timeout=10)
    rng = random.Random(7)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        other.execute("BEGIN IMMEDIATE")
        time.sleep(rng.random() * 0.1)
        other.execute("ROLLBACK")
        time.sleep(rng.random() * 0.01)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    other.close()
    assert unexpected == []
    assert saved and desk.count_view("today") == len(saved) == len(set(saved))
    assert desk.store.integrity_ok()


def test_a_refused_statement_is_reported_refused_while_another_thread_reads(desk: Desk) -> None:
    """Python's sqlite3 runs a statement with the GIL released, then reads its outcome from the
    connection's last error code; a read on another thread in between overwrote it. About 2 in 100
    refused inserts then returned as if they had been written, or raised the wrong error. Every
    call on the shared connection now reports its own outcome."""
    import threading
    import time

    conn = desk.store.conn
    conn.execute("CREATE TABLE probe (k INTEGER PRIMARY KEY)")
    conn.execute("INSERT INTO probe VALUES (1)")
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            desk.store.exists("000.00.11.H26-261125-0001")

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    outcomes: dict[str, int] = {}
    tries = 0
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline or tries < 2_000:
        tries += 1
        try:
            conn.execute("INSERT INTO probe VALUES (1)")
            outcome = "written"
        except sqlite3.IntegrityError:
            outcome = "refused"
        except sqlite3.Error as exc:
            outcome = type(exc).__name__
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    stop.set()
    reader.join(timeout=10)
    assert outcomes == {"refused": tries}
    assert conn.execute("SELECT count(*) FROM probe").fetchone()[0] == 1


def test_the_screen_reads_while_a_save_waits_for_another_programs_lock(desk: Desk, db_path: Path) -> None:
    """A save (a worker) waits in short tries while another program (the nightly sync, a backup)
    holds the write lock; between tries the screen must read. A read made then returns before the
    other program lets go, for a dossier and for a step alike."""
    import threading

    code = desk.receive(intake(), "Trần Văn Minh").code
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)

    def read_while_waiting(use_case: Callable[[], object]) -> None:
        other.execute("BEGIN IMMEDIATE")
        released = threading.Event()
        done: list[object] = []
        saver = threading.Thread(target=lambda: done.append(use_case()), daemon=True)
        saver.start()
        saver.join(timeout=0.3)  # the save is now waiting for the lock
        assert saver.is_alive() and not done

        def let_go() -> None:
            released.set()
            other.execute("COMMIT")

        timer = threading.Timer(3, let_go)
        timer.start()
        assert desk.count_view("today") >= 1
        read_before_release = not released.is_set()
        timer.join()
        saver.join(timeout=15)
        assert read_before_release
        assert done  # and the save went through once the lock was free

    read_while_waiting(lambda: desk.receive(intake(), "Trần Văn Minh"))
    read_while_waiting(lambda: desk.transfer(code, "Trần Văn Minh"))
    other.close()


def test_another_thread_never_reads_a_transaction_that_is_rolled_back(desk: Desk) -> None:
    """A worker's transaction and the UI's reads share one connection. A read made while the
    transaction was open saw its rows, which the rollback then took away: the screen showed a
    dossier that was never saved. The read now waits for the transaction to end."""
    import threading

    from counter_app.domain.dossier import new_event

    template = desk.receive(intake(), "Trần Văn Minh")
    code = template.code[:-4] + "9999"
    begun, seen = threading.Event(), threading.Event()
    got: list[object] = []

    def read() -> None:
        begun.wait(10)
        got.append(desk.store.get(code))
        got.append(desk.store.exists(code))
        seen.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    with pytest.raises(RuntimeError), desk.store.transaction():
        event = new_event(code, "received", template.received_at, "Trần Văn Minh", "c2", {})
        desk.store.append(event, replace(template, code=code))
        assert desk.store.exists(code)  # the transaction sees its own row
        begun.set()
        seen.wait(0.5)  # a reader that does not wait reads now
        raise RuntimeError("the save fails after its rows were written")
    reader.join(timeout=10)
    assert got == [None, False]
    assert desk.get(template.code) is not None


@pytest.mark.parametrize("how", ["deleted", "moved", "replaced"])
def test_a_file_taken_away_under_a_running_counter_takes_no_more_saves(
    desk: Desk, db_path: Path, how: str
) -> None:
    """Deleted, moved or replaced while the counter was open, the file went on taking saves: "Đã
    lưu" and a receipt for a dossier in an unlinked file, gone when the program closed."""
    kept = desk.receive(intake(), "A").code
    moved = db_path.with_name("moved.db")
    companions = [Path(f"{db_path}{suffix}") for suffix in ("", "-wal", "-shm")]
    if how == "deleted":
        for file in companions:
            file.unlink(missing_ok=True)
    else:
        db_path.rename(moved)  # the WAL stays beside the old name: the open connection keeps its own
        if how == "replaced":
            other = sqlite3.connect(db_path)
            other.execute("CREATE TABLE t (x)")
            other.close()
    with pytest.raises(StoreError, match="đã bị xóa, đổi tên hoặc thay bằng tệp khác"):
        desk.receive(intake(), "A")
    assert desk.get(kept).code == kept  # reads go on: a dossier can still be looked up


def test_upgrade_folds_in_the_corrections_an_older_version_kept_aside(
    tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """A counter of an older version keeps a correction pulled from the hub aside as a step it
    does not know (flagged, the dossier in conflict). Upgraded, the correction is folded in and
    the dossier comes out of conflict; one that no longer fits stays aside, for why it does not."""
    source = make_desk(tmp_path / "source.db")
    fits = source.receive(intake(), "Cán bộ A").code
    stale = source.receive(intake(), "Cán bộ A").code
    source.correct(fits, "Cán bộ B", changes={"name": "Đặng Thị Hoa"}, reason="Sai dấu")
    source.correct(stale, "Cán bộ B", changes={"name": "Đặng Thị Hoa"}, reason="Sai dấu")
    conn = at_version(source, tmp_path / "v16.db", 16)
    conn.executemany(
        "INSERT INTO sequences VALUES (?, ?, ?, ?)", source.store.conn.execute("SELECT * FROM sequences")
    )
    conn.execute(  # as the older version left them: aside, the dossiers as received, in conflict
        "UPDATE events SET flagged = 1, flag_reason = 'Không có bước xử lý «corrected».'"
        " WHERE kind = 'corrected'"
    )
    received = {c: source.store.conn.execute("SELECT data FROM dossiers WHERE code = ?", (c,)).fetchone()[0]
                for c in (fits, stale)}  # fmt: skip
    for code in (fits, stale):
        data = json.loads(received[code])
        data.pop("corrections")
        data["applicant"]["name"] = "Đặng Thị Hoà"
        data["events"] = 1
        conn.execute(
            "UPDATE dossiers SET applicant_name = 'Đặng Thị Hoà', events = 1, sync_state = 'conflict',"
            " data = ? WHERE code = ?",
            (json.dumps(data, ensure_ascii=False, sort_keys=True), code),
        )
    # On the second, the name was corrected otherwise since (a step this correction never saw).
    row = conn.execute("SELECT seq, body FROM events WHERE dossier_code = ? AND kind = 'corrected'", (stale,))
    seq, body = row.fetchone()
    event = json.loads(body)
    event["payload"]["applicant"]["name"]["from"] = "Đặng Thị Hòa"
    conn.execute("UPDATE events SET body = ? WHERE seq = ?", (json.dumps(event, ensure_ascii=False), seq))
    conn.close()

    upgraded = make_desk(tmp_path / "v16.db", configure=False)
    assert upgraded.get(fits).applicant.name == "Đặng Thị Hoa"
    assert upgraded.store.stored_sync_state(fits) != "conflict"
    assert upgraded.get(stale).applicant.name == "Đặng Thị Hoà"
    [(_code, _uuid, why)] = upgraded.store.flagged_events()
    assert _code == stale and "không phải «Đặng Thị Hòa»" in why
    assert upgraded.store.projection_differs() is None
