"""Dossier codes: national shape, per-counter blocks, overflow, parsing."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.domain import codes
from counter_app.domain.errors import ValidationError

AGENCY = "000.17.22.H56"


def test_national_example_shape() -> None:
    code = codes.make_code(AGENCY, date(2021, 5, 31), 1, 1)
    assert code == "000.17.22.H56-210531-1001"
    parts = codes.parse_code(code)
    assert parts is not None
    assert parts.day == date(2021, 5, 31)
    assert parts.counter_no == 1


def test_block_and_overflow() -> None:
    assert codes.sequence_text(2, 1) == "2001"
    assert codes.sequence_text(2, 999) == "2999"
    assert codes.sequence_text(2, 1000) == "20001"
    assert codes.sequence_text(9, 999 + 9999) == "99999"
    with pytest.raises(ValidationError):
        codes.sequence_text(9, 999 + 10000)


@pytest.mark.parametrize("bad", [0, 10, -1])
def test_counter_number_range(bad: int) -> None:
    with pytest.raises(ValidationError):
        codes.sequence_text(bad, 1)


@settings(max_examples=300, derandomize=True)
@given(
    a=st.tuples(st.integers(1, 9), st.integers(1, 999 + 9999)),
    b=st.tuples(st.integers(1, 9), st.integers(1, 999 + 9999)),
)
def test_codes_never_collide_between_counters(a: tuple[int, int], b: tuple[int, int]) -> None:
    day = date(2026, 11, 25)
    ca = codes.make_code(AGENCY, day, *a)
    cb = codes.make_code(AGENCY, day, *b)
    assert (ca == cb) == (a == b)
    parsed = codes.parse_code(ca)
    assert parsed is not None and parsed.counter_no == a[0]


def test_codes_fit_code128_and_read_aloud() -> None:
    code = codes.make_code(AGENCY, date(2026, 11, 25), 3, 12)
    assert len(code) <= 30
    assert all(32 <= ord(c) < 127 for c in code)


def test_parse_tolerates_scanner_noise() -> None:
    assert codes.looks_like_code("  000.17.22.h56-210531-1001\r\n")
    assert not codes.looks_like_code("000.17.22.H56-211331-1001")  # month 13
    assert not codes.looks_like_code("Nguyễn Văn A")


def test_agency_id_validation() -> None:
    assert codes.check_agency_id(" 000.17.22.h56 ") == "000.17.22.H56"
    with pytest.raises(ValidationError):
        codes.check_agency_id("000-17-22-H56")
    assert codes.default_agency_id("11410") == "000.00.00.X11410"


def test_a_code_typed_with_full_width_digits_or_typographic_dashes_is_the_code() -> None:
    """An East Asian input method types full-width digits, a word processor puts en dashes: the
    code looked up was another ("Không có hồ sơ mã ***…"), though every character reads the same."""
    from counter_app.domain.codes import foreign_code_chars, normalise_code

    code = "000.17.22.H56-261125-1003"
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in code)
    assert normalise_code(wide) == code
    assert normalise_code(" 000.17.22.h56\u2013261125\u22121003 ") == code
    assert foreign_code_chars(code) == ""
    assert foreign_code_chars(code + "\\n") == "\\"  # a stray escape at the end, said in clear
