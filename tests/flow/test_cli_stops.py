"""Ctrl+C (SIGINT) and SIGTERM around a save on the command line: a save is whole or not made, and
the exit status says which. Each case runs ``counter`` in a child process that sends itself the
signal at one moment of the real command (just after the commit, or before the save), so the
signal is delivered and handled as it is at a terminal or by a service manager."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from counter_app.desk import Desk
from tests.conftest import intake

CHILD = r"""
import os, signal, sys
from counter_app import desk as desk_module
from counter_app.cli import main

stop, method, moment = getattr(signal, sys.argv[1]), sys.argv[2], sys.argv[3]
real = getattr(desk_module.Desk, method)

def stopped(self, *args, **kwargs):
    if moment == "before":
        os.kill(os.getpid(), stop)  # delivered at once: nothing is saved
    result = real(self, *args, **kwargs)
    if moment == "after":
        os.kill(os.getpid(), stop)  # the commit is done, the answer not yet written
    return result

setattr(desk_module.Desk, method, stopped)
main(sys.argv[4:])
"""


def run(stop: str, method: str, moment: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, stop, method, moment, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def dossiers(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM dossiers").fetchone()[0])


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("stop", "moment"), [("SIGINT", "after"), ("SIGTERM", "after"), ("SIGINT", "before")]
)
def test_a_stop_during_or_just_after_the_save_still_says_it_whole_and_exits_0(
    db_path: Path, desk: Desk, source: Path, stop: str, moment: str
) -> None:
    """A script retrying on a non-zero status made a second dossier: it was told 130 (or 143) over
    a whole answer. A stop during the save or its answer waits for both, then is dropped."""
    desk.close()
    done = run(stop, "receive", moment, "--db", str(db_path), "receive", "--json", str(source))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["code"].endswith("-2001")
    assert "Traceback" not in done.stderr and "Đã dừng" not in done.stderr
    assert dossiers(db_path) == 1


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_a_stop_while_the_command_closes_after_its_answer_still_exits_0(
    db_path: Path, desk: Desk, source: Path, stop: str
) -> None:
    """The answer written, the command closing the file: a SIGTERM there gave 143 over the whole
    answer, and a script retrying on it made a second dossier."""
    desk.close()
    done = run(stop, "close", "before", "--db", str(db_path), "receive", "--json", str(source))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["code"].endswith("-2001")
    assert dossiers(db_path) == 1


def test_a_stop_before_the_save_saves_nothing_and_says_so(db_path: Path, desk: Desk, source: Path) -> None:
    desk.close()
    done = run("SIGINT", "parse_intake", "before", "--db", str(db_path), "receive", "--json", str(source))
    assert done.returncode == 130 and done.stdout == "", (done.returncode, done.stdout, done.stderr)
    assert done.stderr.strip().endswith("Đã dừng.")
    assert dossiers(db_path) == 0


def test_a_step_stopped_after_its_save_says_it_and_exits_0(db_path: Path, desk: Desk) -> None:
    code = desk.receive(intake(), "Cán bộ Lan").code
    desk.close()
    done = run("SIGTERM", "transfer", "after", "--db", str(db_path), "transfer", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{code}: ")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT status FROM dossiers").fetchone()[0] == 4


def test_a_stop_while_the_program_starts_is_one_line_too() -> None:
    """Ctrl+C in the first tenth of a second (the command line still importing) printed a Python
    traceback. The stop is made to land inside that import, where a hand would."""
    child = (
        "import sys\n"
        "class Stop:\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'click':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n"
        "from counter_app.__main__ import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", child, "--help"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "Đã dừng.\n")
    ran = subprocess.run([sys.executable, "-m", "counter_app", "--version"], capture_output=True, text=True)
    assert ran.returncode == 0 and ", version " in ran.stdout
