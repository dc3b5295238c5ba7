"""``counter receipt``, ``counter form`` and ``counter logbook`` end to end: CliRunner on a real
database file, real PDFs read back, a fake ``lp`` on PATH for the printer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from counter_app.desk import Desk
from tests.conftest import intake
from tests.unit.test_printing_support import (
    LP_COPIES,
    LP_FAILS,
    decode,
    fake_cups,
    file_mode,
    make_spool,
    pdf_files,
    pdf_text,
    render_page,
)


@pytest.fixture
def code(desk: Desk) -> str:
    return desk.receive(intake(), "cb1").code


@pytest.fixture
def output_dir() -> Path:
    import os

    return Path(os.environ["COUNTER_OUTPUT_DIR"])


def test_receipt_to_a_file(run: Any, code: str, tmp_path: Path, desk: Desk) -> None:
    target = tmp_path / "out" / "bien-nhan.pdf"
    target.parent.mkdir()
    result = run("receipt", code, "-o", str(target), "--actor", "Vũ Thị Lan")
    assert result.exit_code == 0, result.output
    assert str(target) in result.output
    assert f"Mã hồ sơ: {code}" in pdf_text(target)
    assert decode(render_page(target)).get("Code128") == code
    assert file_mode(target) == 0o600
    assert any(e.actor == "Vũ Thị Lan" and e.detail == "receipt" for e in desk.access_log(code))


def test_a_pdf_path_that_cannot_be_written_says_why_in_vietnamese(run: Any, code: str) -> None:
    # /proc refuses new files with ENOENT: the reason was the system's English.
    result = run("receipt", code, "-o", "/proc/bien-nhan.pdf")
    assert result.exit_code == 7
    assert "Không ghi được tệp PDF «/proc/bien-nhan.pdf»: thư mục không tồn tại." in result.output
    assert "No such file" not in result.output


def test_receipt_into_the_output_folder_on_a5_as_json(run: Any, code: str, output_dir: Path) -> None:
    result = run("receipt", code, "--paper", "A5", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["form"] == "receipt" and data["printed"] is False
    path = Path(data["path"])
    assert path.parent == output_dir and path.exists()
    assert "Đã lưu tệp PDF" in data["message"]


def test_receipt_printed(
    run: Any,
    code: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    output_dir: Path,
) -> None:
    spool = make_spool(tmp_path, monkeypatch)
    monkeypatch.setenv("PATH", str(fake_cups(tmp_path / "bin", lp=LP_COPIES)))
    monkeypatch.setenv("COUNTER_PRINTER", "Quay2")
    result = run("receipt", code, "--print")
    assert result.exit_code == 0, result.output
    assert "Quay2" in result.output
    assert f"Mã hồ sơ: {code}" in pdf_text(spool / "job.pdf")
    assert list(pdf_files(output_dir)) == [], "the temporary print file is removed once printed"


def test_print_failure_exits_7_and_keeps_the_pdf(
    run: Any, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_dir: Path
) -> None:
    monkeypatch.setenv("PATH", str(fake_cups(tmp_path / "bin", lp=LP_FAILS)))
    monkeypatch.setenv("COUNTER_PRINTER", "Quay2")
    result = run("receipt", code, "--print")
    assert result.exit_code == 7
    kept = list(pdf_files(output_dir))
    assert len(kept) == 1 and f"Mã hồ sơ: {code}" in pdf_text(kept[0])
    assert "Không gửi được tới máy in «Quay2»" in result.stderr
    assert str(kept[0]) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, "one line, no traceback"


def test_print_without_printer_or_cups(
    run: Any, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_dir: Path
) -> None:
    result = run("receipt", code, "--print")
    assert result.exit_code == 7 and "Chưa cấu hình máy in" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("COUNTER_PRINTER", "Quay2")
    result = run("receipt", code, "--print", "--json")
    assert result.exit_code == 7 and "CUPS" in result.stderr
    assert json.loads(result.stdout)["printed"] is False
    assert len(list(pdf_files(output_dir))) == 1


def test_forms(run: Any, desk: Desk, code: str, tmp_path: Path) -> None:
    desk.request_extra_papers(code, "cb1", papers=["Bản sao Giấy khai sinh"], reason="Thiếu giấy tờ.")
    out = tmp_path / "extra.pdf"
    result = run("form", "extra_papers", code, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Lý do: Thiếu giấy tờ." in pdf_text(out)
    slip = tmp_path / "slip.pdf"
    assert run("form", "control_slip", code, "-o", str(slip)).exit_code == 0
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in pdf_text(slip)
    refused = run("form", "refusal", code, "-o", str(tmp_path / "no.pdf"))
    assert refused.exit_code == 3 and "không bị từ chối" in refused.stderr
    assert not (tmp_path / "no.pdf").exists()
    assert run("form", "nonsense", code).exit_code == 2
    assert run("form", "refusal", "000.00.11.H26-261125-2999").exit_code == 4


def test_logbook_commands(run: Any, desk: Desk, code: str, tmp_path: Path, output_dir: Path) -> None:
    day = tmp_path / "day.pdf"
    result = run("logbook", "--date", "2026-11-25", "-o", str(day))
    assert result.exit_code == 0, result.output
    text = pdf_text(day)
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Ngày 25/11/2026" in text
    assert code in text.replace(" ", "")
    week = run("logbook", "--from", "19/11/2026", "--to", "2026-11-25", "--status", "2", "--json")
    assert week.exit_code == 0, week.output
    data = json.loads(week.output)
    assert (data["from"], data["to"]) == ("2026-11-19", "2026-11-25")
    week_text = pdf_text(Path(data["path"]))
    assert "Từ ngày 19/11/2026 đến ngày 25/11/2026" in week_text
    assert "Chỉ gồm hồ sơ có trạng thái: 2 – Được tiếp nhận" in week_text
    today = run("logbook")
    assert today.exit_code == 0 and "logbook_" in today.output


@pytest.mark.parametrize(
    "args",
    [
        ("--date", "2026-11-25", "--from", "2026-11-20", "--to", "2026-11-25"),
        ("--from", "2026-11-20"),
        ("--from", "2026-11-25", "--to", "2026-11-20"),
        ("--date", "25-11-2026"),
        ("--date", "2026-11-25", "--status", "12"),
    ],
)
def test_logbook_bad_arguments(run: Any, desk: Desk, args: tuple[str, ...]) -> None:
    result = run("logbook", *args)
    assert result.exit_code == 2, result.output


def test_an_output_path_never_destroys_what_is_there(
    run: Any, code: str, tmp_path: Path, db_path: Path
) -> None:
    """-o replaces a PDF (a form printed again) and nothing else: not the counter's own database
    (nor through a link), a document, a folder or a device."""
    letter = tmp_path / "thu.txt"
    letter.write_text("Kính gửi ...", encoding="utf-8")
    (tmp_path / "db-link.pdf").symlink_to(db_path)
    refused = {
        str(db_path): "là tệp cơ sở dữ liệu của quầy",
        f"{db_path}-wal": "là tệp cơ sở dữ liệu của quầy",
        str(tmp_path / "db-link.pdf"): "là tệp cơ sở dữ liệu của quầy",
        str(letter): "đã có và không phải tệp PDF",
        str(tmp_path): "là một thư mục",
        "/dev/null": "không phải là một tệp thông thường",
        str(tmp_path / "no" / "such" / "r.pdf"): "không tồn tại",
        "": "đường dẫn đang để trống",
    }
    before = db_path.read_bytes()
    for target, needle in refused.items():
        for args in (["receipt", code], ["logbook"]):
            result = run(*args, "-o", target)
            assert result.exit_code == 2 and needle in result.output, (target, result.output)
    assert letter.read_text(encoding="utf-8") == "Kính gửi ..."
    assert Desk.open(db_path).get(code).code == code  # the database is still a database
    assert db_path.read_bytes()[:16] == before[:16] == b"SQLite format 3\x00"

    again = tmp_path / "bien-nhan.pdf"
    assert run("receipt", code, "-o", str(again)).exit_code == 0
    assert run("receipt", code, "-o", str(again)).exit_code == 0  # an existing PDF is replaced
    link = tmp_path / "moi-nhat.pdf"
    link.symlink_to(again)
    assert run("logbook", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and "SỔ THEO DÕI" in pdf_text(again).upper()  # written through the link


def test_a_logbook_of_days_not_yet_come_is_refused(run: Any, desk: Desk) -> None:
    """It printed an empty book, "Không có hồ sơ nào", as if the day had passed with no citizen."""
    from datetime import datetime, timedelta

    from counter_app.domain.calendar import VN_TZ
    from counter_app.domain.validation import PERIOD_NOT_YET

    tomorrow = (datetime.now(VN_TZ) + timedelta(days=1)).date()
    for args in (
        ("--date", tomorrow.isoformat()),
        ("--from", tomorrow.isoformat(), "--to", tomorrow.isoformat()),
    ):
        result = run("logbook", *args)
        assert result.exit_code == 2 and PERIOD_NOT_YET in result.output, result.output
    yesterday = tomorrow - timedelta(days=2)
    assert run("logbook", "--from", yesterday.isoformat(), "--to", tomorrow.isoformat()).exit_code == 0
