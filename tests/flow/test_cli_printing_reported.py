"""``counter logbook --date`` and ``-o -``: slips of the printing commands found by exploratory
testing (CliRunner on a real database file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from counter_app.desk import Desk
from tests.conftest import intake


def test_a_date_out_of_range_is_named_as_the_date_given(run: Any, desk: Desk) -> None:
    # Only --date was given: the message spoke of "Ngày bắt đầu" (the start of a range).
    result = run("logbook", "--date", "9999-12-31")
    assert result.exit_code == 2
    assert "Ngày (--date) 31/12/9999 nằm ngoài khoảng cho phép" in result.output
    assert "Ngày bắt đầu" not in result.output


@pytest.mark.parametrize("args", [["receipt", "{code}"], ["form", "control_slip", "{code}"], ["logbook"]])
def test_output_dash_is_refused_and_writes_no_file_named_dash(
    run: Any, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    code = desk.receive(intake(), "cb1").code
    monkeypatch.chdir(tmp_path)
    result = run(*[a.format(code=code) for a in args], "-o", "-")
    assert result.exit_code == 2
    assert "«-o -» không ghi PDF ra màn hình" in result.output
    assert not (tmp_path / "-").exists()
