"""Fixtures for the snapshot tests: the test counter with officials and a few dossiers."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.desk import Desk

SUPERVISOR = ("lan", "2468", "Nguyễn Thị Lan")


@pytest.fixture
def output_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("forms")
    monkeypatch.setenv("COUNTER_OUTPUT_DIR", str(folder))
    return folder


@pytest.fixture
def staffed_desk(desk: Desk, output_dir: Path) -> Desk:
    desk.add_official(SUPERVISOR[0], SUPERVISOR[2], "supervisor", SUPERVISOR[1])
    return desk
