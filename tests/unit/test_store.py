"""The store: durable pragmas, owner-only files, migrations from every earlier version."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from sqlite_utils import Database

from counter_app.domain.errors import StoreError
from counter_app.store import DossierStore, open_database
from counter_app.store.migrations import SCHEMA_VERSION, migrations


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


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_database(tmp_path)


def test_transaction_rolls_back_everything(tmp_path: Path) -> None:
    store = DossierStore(open_database(tmp_path / "c.db"))
    with pytest.raises(RuntimeError), store.transaction():
        store.write_settings({"commune_code": "11410"})
        raise RuntimeError("power cut in the middle")
    assert store.read_settings() == {}
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
