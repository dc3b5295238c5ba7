"""Benchmark of ``counter backup`` against a plain file copy of the same database, in the same run.

Run from the repository root::

    .venv/bin/python bench/bench_backup.py                 # the 1M-dossier file of bench_core.py
    .venv/bin/python bench/bench_backup.py --db FILE       # any counter database

The backup reads the database through SQLite's online backup (a consistent snapshot while the
counter keeps saving), checks the copy (``quick_check``), makes it a single file and syncs it. The
baseline is ``shutil.copyfile`` of the same file followed by one ``fsync``: what a copy costs when
nothing is checked and the counter is closed. Both are timed on a warm OS cache, alternately.
The source is never written to (the backup opens it read-only).

No target is set by an issue: the figure says what an evening backup costs on this machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DB = ROOT / "bench" / ".cache" / "core-1000000-s2026-g1-b2.db"


def plain_copy(source: Path, target: Path) -> float:
    start = time.perf_counter()
    shutil.copyfile(source, target)
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return time.perf_counter() - start


def backup(source: Path, folder: Path) -> tuple[float, dict[str, object]]:
    from counter_app.store.database import open_database
    from counter_app.store.dossiers import DossierStore

    store = DossierStore(open_database(source, migrate_schema=False))
    try:
        start = time.perf_counter()
        result = store.backup(folder / "backup.db")
        return time.perf_counter() - start, result
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    if not args.db.exists():
        raise SystemExit(f"No database at {args.db}: build one with bench/bench_core.py --build-only.")
    size = args.db.stat().st_size
    with tempfile.TemporaryDirectory(prefix="counter-bench-backup-", dir=args.db.parent) as tmp:
        work = Path(tmp)
        copies: list[float] = []
        backups: list[float] = []
        result: dict[str, object] = {}
        for _ in range(args.runs):
            copies.append(plain_copy(args.db, work / "plain.db"))
            (work / "plain.db").unlink()
            seconds, result = backup(args.db, work)
            backups.append(seconds)
            (work / "backup.db").unlink()
    best_copy, best_backup = min(copies), min(backups)
    print(f"database: {args.db} ({size / 2**30:.2f} GiB, {result.get('dossiers')} dossiers)")
    mib = size / 2**20
    rows = [
        ("figure", "value", "baseline", "ratio"),
        (
            f"backup, best of {args.runs}",
            f"{best_backup:.1f} s",
            f"{best_copy:.1f} s (copy + fsync)",
            f"{best_backup / best_copy:.2f}x",
        ),
        ("throughput", f"{mib / best_backup:.0f} MiB/s", f"{mib / best_copy:.0f} MiB/s", ""),
    ]
    for row in rows:
        print(" | ".join(f"{cell:<24}" for cell in row).rstrip())


if __name__ == "__main__":
    main()
