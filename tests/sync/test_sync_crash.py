"""Kill a counter with SIGKILL while it syncs: no event is lost, none is doubled, here or at the hub.

A child process (``sync_child.py``) pushes (receiving a dossier before each push) or pulls in pages
of two from the real hub; the parent kills it at random moments (seeded), several rounds on the same
file, then finishes the sync in-process and compares both sides event by event.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from counter_app.desk import Desk
from sync.client import SyncClient, SyncReport
from tests.conftest import intake

pytestmark = [pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL"), pytest.mark.slow]

CHILD = Path(__file__).with_name("sync_child.py")
ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 6


def run_and_kill(args: list[str], delay: float) -> list[str]:
    """Start the child, let it work ``delay`` seconds after its first line, SIGKILL it; its lines."""
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline().decode().strip()]  # working: the first dossier saved, or a pull done
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert lines[0], err.decode()[-2000:]
    return lines + out.decode().split()


def hub_uuids(hub: Any) -> list[str]:
    with sqlite3.connect(hub.db) as conn:
        return [r[0] for r in conn.execute("SELECT uuid FROM events ORDER BY seq")]


def local_uuids(desk: Desk) -> list[str]:
    return [r[0] for r in desk.store.conn.execute("SELECT uuid FROM events ORDER BY seq")]


@pytest.fixture
def counter(make_desk: Callable[..., Desk], tmp_path: Path, hub: Any) -> Callable[[int], Desk]:
    def made(no: int) -> Desk:
        desk = make_desk(tmp_path / f"counter{no}.db", counter_no=no)
        hub.add_counter(f"t{no}", "11410", desk.settings.counter_id)
        desk.update_settings(hub_url=hub.url, hub_token=f"t{no}")
        return desk

    return made


def test_killed_while_pushing_every_saved_dossier_reaches_the_hub_once(
    counter: Callable[[int], Desk], hub: Any, tmp_path: Path
) -> None:
    counter(1)
    db = str(tmp_path / "counter1.db")
    rng = random.Random(2026)
    saved: list[str] = []
    for _ in range(ROUNDS):
        saved += run_and_kill([db, hub.url, "t1", "push"], rng.uniform(0.05, 0.6))
    desk = Desk.open(Path(db), env={})
    try:
        with SyncClient(desk, hub.url, "t1") as client:
            client.push(SyncReport())
        assert desk.unsent_events() == 0
        mine = local_uuids(desk)
        assert sorted(hub_uuids(hub)) == sorted(mine) and len(set(mine)) == len(mine)
        codes = {r[0] for r in desk.store.conn.execute("SELECT code FROM dossiers")}
        assert set(saved) <= codes  # every code the child reported as saved
        assert desk.store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        desk.close()


def test_killed_while_pulling_the_counter_ends_with_each_event_once(
    counter: Callable[[int], Desk], hub: Any, tmp_path: Path
) -> None:
    first = counter(1)
    counter(2)
    for n in range(40):
        code = first.receive(
            intake(
                applicant={**intake()["applicant"], "name": f"Lê Thị {('An', 'Bình', 'Chi', 'Lan')[n % 4]}"}
            ),
            "Trần Văn Minh",
        ).code
        if n % 2:
            first.transfer(code, "Trần Văn Minh")
    with SyncClient(first, hub.url, "t1") as client:
        client.push(SyncReport())
    expected = hub_uuids(hub)
    assert len(expected) == 60
    db = str(tmp_path / "counter2.db")
    rng = random.Random(1125)
    for _ in range(ROUNDS):
        run_and_kill([db, hub.url, "t2", "pull"], rng.uniform(0.0, 0.3))
    desk = Desk.open(Path(db), env={})
    try:
        with SyncClient(desk, hub.url, "t2") as client:
            client.pull(SyncReport())
        assert sorted(local_uuids(desk)) == sorted(expected)
        assert desk.store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        before = desk.store.projection_rows()
        desk.store.rebuild_projection()
        assert desk.store.projection_rows() == before
        codes = [r[0] for r in first.store.conn.execute("SELECT code FROM dossiers ORDER BY code")]
        assert [desk.get(c).status for c in codes] == [first.get(c).status for c in codes]
    finally:
        desk.close()
