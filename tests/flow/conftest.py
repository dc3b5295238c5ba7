"""Fixtures for the command-line flows: ``counter`` through click's CliRunner on a real database
file (the ``db_path`` of the top-level conftest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from counter_app.cli import main


@pytest.fixture
def run(db_path: Path) -> Any:
    """``run("show", CODE)``: the command on the test database (``input=`` for stdin, ``env=``)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None, env: dict[str, str] | None = None) -> Any:
        return runner.invoke(
            main, ["--db", str(db_path), *args], input=input, env=env, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def configured(run: Any) -> Any:
    """``run``, on a counter set up as counter 2 of xã Vĩnh Bảo."""
    result = run("setup", "--commune-code", "11410", "--commune-name", "xã Vĩnh Bảo", "--counter", "2")
    assert result.exit_code == 0, result.output
    return run
