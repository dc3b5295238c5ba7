"""Telling a scan from typing (pure functions of the TUI)."""

from __future__ import annotations

from datetime import date

from counter_app.tui.formatting import due_text, money, parse_day, parse_day_time
from counter_app.tui.scanning import split_chip, split_code, split_scan

CODE = "000.00.11.H26-261125-2001"
QR = "031190001234|123456789|Đặng Thị Hoà|05031990|Nữ|Thôn Đông, xã Vĩnh Bảo|01072021"


def test_a_code_alone_is_a_scan() -> None:
    scanned = split_code(CODE)
    assert scanned is not None and scanned.code == CODE and scanned.before == ""


def test_a_code_after_typed_text_gives_the_text_back() -> None:
    scanned = split_code("Nguyễn Văn " + CODE, "000.00.11.H26")
    assert scanned is not None and (scanned.before, scanned.code) == ("Nguyễn Văn ", CODE)


def test_the_own_agency_wins_when_typed_text_runs_into_the_code() -> None:
    # "A" + "000.00.11.H26-…": "A000.00.11.H26-…" is code-shaped too.
    scanned = split_code("Nguyễn Văn A" + CODE, "000.00.11.H26")
    assert scanned is not None and (scanned.before, scanned.code) == ("Nguyễn Văn A", CODE)


def test_lower_case_and_overflow_codes() -> None:
    assert split_code(CODE.lower()).code == CODE  # type: ignore[union-attr]
    assert split_code("000.00.11.H26-261125-20001").code == "000.00.11.H26-261125-20001"  # type: ignore[union-attr]


def test_ordinary_text_is_not_a_scan() -> None:
    for text in ("Nguyễn Văn A", "0912345678", "Số 12/3, thôn Đông", "2026-11-25", ""):
        assert split_scan(text) is None


def test_a_chip_qr_after_typed_text() -> None:
    scanned = split_chip("Ng" + QR)
    assert scanned is not None and scanned.before == "Ng"
    assert scanned.chip is not None
    assert scanned.chip.name == "Đặng Thị Hoà"
    assert scanned.chip.birth_date == date(1990, 3, 5)


def test_text_with_bars_that_is_not_a_qr() -> None:
    assert split_chip("a|b|c") is None
    assert split_chip("031190001234|x") is None


def test_dates_typed_the_vietnamese_way() -> None:
    assert parse_day("02/01/2027") == date(2027, 1, 2)
    assert parse_day("2-1-27") == date(2027, 1, 2)
    assert parse_day("2027-01-02") == date(2027, 1, 2)
    assert parse_day("31/02/2027") is None
    assert parse_day_time("04/12/2026 16:00") == (date(2026, 12, 4), 16, 0)
    assert parse_day_time("04/12/2026 16h30") == (date(2026, 12, 4), 16, 30)
    assert parse_day_time("04/12/2026") == (date(2026, 12, 4), 17, 0)
    assert parse_day_time("04/12/2026 25:00") is None


def test_money_and_due_text() -> None:
    from datetime import datetime

    from counter_app.domain.calendar import VN_TZ

    assert money(1250000) == "1.250.000 đồng"
    assert due_text(datetime(2026, 11, 30, 9, 30, tzinfo=VN_TZ)) == "09:30 Thứ Hai 30/11/2026"


def test_codes_in_the_counters_own_pattern_are_scans() -> None:
    # A commune that set another code pattern: its codes were taken for a name to search for.
    for pattern, code in (
        ("{agency}{date}{seq}", "000.00.11.H26261125" + "2001"),
        ("HS/{agency}/{date}/{seq}", "HS/000.00.11.H26/261125/2001"),
        ("{agency}-{counter}{date}-{seq}", "000.00.11.H26-2261125-2001"),
    ):
        assert split_code(code) is None  # not in the national shape
        scanned = split_code("Nguyễn Văn A" + code.lower(), "000.00.11.H26", pattern)
        assert scanned is not None and (scanned.before, scanned.code) == ("Nguyễn Văn A", code)
        assert split_code(CODE, "000.00.11.H26", pattern).code == CODE  # type: ignore[union-attr]
        for text in ("Nguyễn Văn A", "0912345678", "Số 12/3, thôn Đông", "HS/ 000.00.11.H26"):
            assert split_scan(text, "000.00.11.H26", pattern) is None
