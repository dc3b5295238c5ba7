"""Sending a PDF to CUPS with ``lp``: printed, no printer set, lp missing, a stopped or unknown
queue, lp failing or hanging. The PDF is never lost. ``lp``/``lpstat`` are small fake programs on
PATH (external programs, not our code)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from counter_app.domain.errors import PrintingError
from counter_app.settings import Settings
from printing import Delivery, deliver
from printing import delivery as delivery_module
from tests.unit.test_printing_support import (
    LP_COPIES,
    LP_FAILS,
    LP_UNKNOWN,
    LPSTAT_IDLE,
    LPSTAT_STOPPED,
    LPSTAT_UNKNOWN,
    fake_cups,
    make_spool,
)

SETTINGS = replace(Settings(), printer="Quay2")


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "forms" / "receipt_000.00.11.H26-261125-2001.pdf"
    path.parent.mkdir()
    path.write_bytes(b"%PDF-1.4\n% a form\n%%EOF\n")
    path.chmod(0o600)
    return path


def use_path(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setenv("PATH", str(folder))


def test_printed_by_cups(pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spool = make_spool(tmp_path, monkeypatch)
    use_path(monkeypatch, fake_cups(tmp_path / "bin", lp=LP_COPIES, lpstat=LPSTAT_IDLE))
    result = deliver(pdf, SETTINGS)
    assert result == Delivery(True, pdf, result.message, "Quay2-42")
    assert "Quay2" in result.message and "Quay2-42" in result.message
    assert (spool / "job.pdf").read_bytes() == pdf.read_bytes()
    args = (spool / "args.txt").read_text().split()
    assert args[:2] == ["-d", "Quay2"] and args[-1] == str(pdf) and "--" in args
    assert pdf.exists(), "kept unless asked to remove"


def test_temporary_print_file_removed_after_printing(
    pdf: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spool = make_spool(tmp_path, monkeypatch)
    use_path(monkeypatch, fake_cups(tmp_path / "bin", lp=LP_COPIES))  # no lpstat: not needed
    result = deliver(pdf, SETTINGS, remove_after=True)
    assert result.printed and not pdf.exists()
    assert (spool / "job.pdf").exists()


def test_no_printer_configured(pdf: Path) -> None:
    result = deliver(pdf, Settings())
    assert not result.printed and result.path == pdf and pdf.exists()
    assert "Chưa cấu hình máy in" in result.message and str(pdf) in result.message


def test_lp_not_installed(pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    use_path(monkeypatch, empty)
    result = deliver(pdf, SETTINGS, remove_after=True)
    assert not result.printed and pdf.exists()
    assert "CUPS" in result.message and "lp" in result.message and str(pdf) in result.message


def test_lp_fails(pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_path(monkeypatch, fake_cups(tmp_path / "bin", lp=LP_FAILS, lpstat=LPSTAT_IDLE))
    result = deliver(pdf, SETTINGS, remove_after=True)
    assert not result.printed and pdf.exists()
    assert "Không gửi được tới máy in «Quay2»" in result.message
    assert "The printer or class is not shared" in result.message
    assert str(pdf) in result.message


def test_stopped_queue_is_not_sent(pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spool = make_spool(tmp_path, monkeypatch)
    use_path(monkeypatch, fake_cups(tmp_path / "bin", lp=LP_COPIES, lpstat=LPSTAT_STOPPED))
    result = deliver(pdf, SETTINGS, remove_after=True)
    assert not result.printed and pdf.exists()
    assert "đang tạm dừng" in result.message and str(pdf) in result.message
    assert not (spool / "job.pdf").exists(), "no job queued on a stopped printer"


@pytest.mark.parametrize(("lp", "lpstat"), [(LP_COPIES, LPSTAT_UNKNOWN), (LP_UNKNOWN, None)])
def test_unknown_printer(
    pdf: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lp: str,
    lpstat: str | None,
) -> None:
    make_spool(tmp_path, monkeypatch)  # the fake lp copies into it if ever run
    use_path(monkeypatch, fake_cups(tmp_path / "bin", lp=lp, lpstat=lpstat))
    result = deliver(pdf, SETTINGS)
    assert not result.printed and pdf.exists()
    assert "Không có máy in «Quay2»" in result.message


def test_lp_hangs(pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_path(monkeypatch, fake_cups(tmp_path / "bin", lp="exec /bin/sleep 5"))
    monkeypatch.setattr(delivery_module, "LP_TIMEOUT", 0.3)
    result = deliver(pdf, SETTINGS, remove_after=True)
    assert not result.printed and pdf.exists()
    assert "không phản hồi" in result.message


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PrintingError):
        deliver(tmp_path / "nothing.pdf", SETTINGS)
