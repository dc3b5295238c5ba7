"""Shared fixtures: a fresh counter database per test, a fixed clock, the machine kept out.

Every test gets its own data folder under ``tmp_path`` (``COUNTER_DATA_DIR``, XDG folders), so no
test sees real data or another test's files.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from tests.hubserver import RunningHub, serve_hub

FIXED_NOW = datetime(2026, 11, 25, 9, 30, tzinfo=VN_TZ)
"""Wednesday 25 Nov 2026, 09:30 Vietnam time: a normal working morning."""


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Two workers per CPU for ``-n auto``: a Textual pilot test spends much of its time waiting for
    the screen, so on 2 CPUs 4 workers ran the supervisor and dossier pilots in 98 s against 127 s,
    for the same CPU time."""
    return 2 * (os.cpu_count() or 1)


@pytest.fixture(autouse=True)
def _stops_restored() -> Iterator[None]:
    """Ctrl+C and SIGTERM handled as before each test. A command that saved and answered leaves
    them ignored until its process exits (``cli._whole``); run in the test process, it would leave
    them so for every later test and every child process started (a stop test's child then
    ignored the SIGINT it sent itself)."""
    import signal

    before = {stop: signal.getsignal(stop) for stop in (signal.SIGINT, signal.SIGTERM)}
    yield
    for stop, handler in before.items():
        signal.signal(stop, handler)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("COUNTER_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("COUNTER_OUTPUT_DIR", str(home / "forms"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "xdg-cache"))
    for name in ("COUNTER_DB", "COUNTER_PRINTER", "COUNTER_ACTOR", "COUNTER_COUNTER_NO"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "counter.db"


def _set_up(desk: Desk, counter_no: int = 2) -> None:
    desk.setup(
        commune_code="11410",
        commune_name="xã Vĩnh Bảo",
        counter_no=counter_no,
        agency_id="000.00.11.H26",
        province_name="Thành phố Hải Phòng",
    )


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bool], Path]:
    """The test counter's database as ``make_desk`` sets it up (with the TUI tests' two officials,
    when ``staffed``), made once per test process and copied for each test: the schema, the
    catalog and two PIN hashes cost about 0.2 s a test, a copy a few milliseconds."""
    folder = tmp_path_factory.mktemp("templates")
    made: dict[bool, Path] = {}

    def template(staffed: bool) -> Path:
        if staffed not in made:
            path = folder / f"counter-{'staffed' if staffed else 'plain'}.db"
            desk = Desk.open(path, clock=FixedClock(), env={})
            _set_up(desk)
            if staffed:
                from tests.app.conftest import OFFICIAL, SUPERVISOR

                for (user, pin, name), role in ((SUPERVISOR, "supervisor"), (OFFICIAL, "official")):
                    desk.add_official(user, name, role, pin)
            desk.close()  # checkpointed: the one file holds it all
            made[staffed] = path
        return made[staffed]

    return template


@pytest.fixture
def make_desk(
    db_path: Path, clock: FixedClock, _templates: Callable[[bool], Path], request: pytest.FixtureRequest
) -> Iterator[Callable[..., Desk]]:
    """Open desks on the test's database (set up as counter 2 of xã Vĩnh Bảo); all closed after."""
    opened: list[Desk] = []
    staffed = "staffed_desk" in request.fixturenames and "tests/app/" in str(request.node.path)

    def factory(path: Path | None = None, counter_no: int = 2, configure: bool = True) -> Desk:
        target = path or db_path
        if configure and path is None and counter_no == 2 and clock.now == FIXED_NOW and not target.exists():
            shutil.copyfile(_templates(staffed), target)  # the same file, set up once (_templates)
            desk = Desk.open(target, clock=clock, env={})
        else:
            desk = Desk.open(target, clock=clock, env={})
            if configure:
                _set_up(desk, counter_no)
        opened.append(desk)
        return desk

    yield factory
    for desk in opened:
        desk.close()


@pytest.fixture
def desk(make_desk: Callable[..., Desk]) -> Desk:
    """A configured desk on a fresh file database, with the fixed clock."""
    return make_desk()


def intake(**overrides: Any) -> dict[str, Any]:
    """A valid intake for a 3-working-day procedure (Giấy xác nhận tình trạng hôn nhân)."""
    data: dict[str, Any] = {
        "procedure": "1.004873",
        "applicant": {
            "name": "Đặng Thị Hoà",
            "id_number": "031190001234",
            "phone": "0912345678",
            "address": "Thôn Đông, xã Vĩnh Bảo, thành phố Hải Phòng",
        },
    }
    data.update(overrides)
    return data


@pytest.fixture
def sample_intake() -> dict[str, Any]:
    return intake()


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    """The real reference hub on 127.0.0.1 (a free port), with an empty database in ``tmp_path``, the
    packaged catalog and no calendar file yet (``hub.calendar``: write it to publish one)."""
    with serve_hub(tmp_path / "hub.db", calendar=tmp_path / "hub-calendar.json") as running:
        yield running
