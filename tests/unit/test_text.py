"""Tests for counter_app.domain.text: cleaning, folding, FTS5 queries and name sorting."""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from counter_app.domain.text import clean, fold, fts_query, has_control_chars, name_sort_key, nfc, percent

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
vietnamese_text = st.text(
    alphabet=st.sampled_from(VIETNAMESE + VIETNAMESE.upper() + " \t\n0123456789-'\"*()"),
    max_size=40,
)
any_text = st.text(max_size=40)


# --- nfc / clean -----------------------------------------------------------------------------


def test_nfc_composes() -> None:
    decomposed = unicodedata.normalize("NFD", "Hoà")
    assert decomposed != "Hoà"
    assert nfc(decomposed) == "Hoà"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Nguyễn   Văn\tAn  ", "Nguyễn Văn An"),
        ("a\nb", "a b"),
        ("\u00a0x\u00a0 y ", "x y"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_clean_single_line(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_clean_multiline_keeps_single_newlines() -> None:
    assert clean("  Thôn 1 \r\n\r\n  xã  Vĩnh Bảo \n\n", multiline=True) == "Thôn 1\nxã Vĩnh Bảo"


def test_clean_normalises_to_nfc() -> None:
    assert clean(unicodedata.normalize("NFD", " Đặng Thị Hoà ")) == "Đặng Thị Hoà"


@given(any_text, st.booleans())
def test_clean_is_idempotent(s: str, multiline: bool) -> None:
    once = clean(s, multiline=multiline)
    assert clean(once, multiline=multiline) == once
    assert once == once.strip()


# --- has_control_chars -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "s",
    [
        "a\x00b",
        "\x1b[31m",
        "a\x7f",
        "\x85",
        "abc\u202edcba",
        "x\u2066y",
        "zero\u200bwidth",
        "\ufeffA",
        "000.00.00.X11410\u2060-261127-2001",  # word joiner: the code looked right, matched nothing
        "031\u00ad190001234",  # soft hyphen, from a word processor
        "Hoa\U000e0041",  # a tag character
    ],
)
def test_control_chars_detected(s: str) -> None:
    assert has_control_chars(s)
    assert has_control_chars(s, multiline=True)


def test_newline_and_tab_allowed_only_in_multiline() -> None:
    assert has_control_chars("a\nb")
    assert has_control_chars("a\tb")
    assert not has_control_chars("a\nb\tc", multiline=True)
    assert has_control_chars("a\rb", multiline=True)


def test_plain_vietnamese_has_no_control_chars() -> None:
    assert not has_control_chars("Nguyễn Thị Ánh – số 5/12, ngõ 3")


# --- fold ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đặng  Thị Hoà", "dang thi hoa"),
        (unicodedata.normalize("NFD", "Đặng  Thị Hoà"), "dang thi hoa"),
        ("ĐỖ ĐỨC ĐẠT", "do duc dat"),
        ("Chứng thực", "chung thuc"),
        ("  Trường   Sa ", "truong sa"),
        ("Hòa", "hoa"),
        ("Hoà", "hoa"),
        ("", ""),
    ],
)
def test_fold_examples(raw: str, expected: str) -> None:
    assert fold(raw) == expected


def _has_mark(s: str) -> bool:
    return any(unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me") for ch in s)


@settings(max_examples=300)
@given(st.one_of(any_text, vietnamese_text))
def test_fold_properties(s: str) -> None:
    folded = fold(s)
    assert fold(folded) == folded
    assert fold(unicodedata.normalize("NFD", s)) == fold(unicodedata.normalize("NFC", s))
    assert not _has_mark(unicodedata.normalize("NFD", folded))
    assert "đ" not in folded
    assert "Đ" not in folded
    assert folded == " ".join(folded.split())


# --- fts_query -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(n)")
    rows = ["Đặng Thị Hoà", "Nguyễn Văn An", "Trần Đức Hoàng", "near and or not"]
    conn.executemany("INSERT INTO t(n) VALUES (?)", [(fold(r),) for r in rows])
    return conn


def _match(conn: sqlite3.Connection, q: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT n FROM t WHERE t MATCH ? ORDER BY rowid", (q,))]


def test_fts_query_shape() -> None:
    assert fts_query("Đặng Thị Ho") == '"dang" "thi" "ho"*'
    assert fts_query("1.001") == '"1" "001"*'
    assert fts_query("") is None
    assert fts_query('  "*()- ') is None


def test_fts_query_finds_dj_without_diacritics(fts: sqlite3.Connection) -> None:
    assert _match(fts, fts_query("dang thi ho") or "") == ["dang thi hoa"]
    assert _match(fts, fts_query("ĐẶNG") or "") == ["dang thi hoa"]
    assert _match(fts, fts_query("hoa") or "") == ["dang thi hoa", "tran duc hoang"]


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        'a"b',
        "*",
        "a*",
        "NEAR(a b)",
        "a NEAR b",
        "-a",
        "a - b",
        "(a OR b)",
        "NOT",
        "AND",
        "n:a",
        "^a",
        "a + b",
        "{n}: x",
        "'; DROP TABLE t; --",
    ],
)
def test_fts_query_hostile_input_is_valid_fts5(fts: sqlite3.Connection, hostile: str) -> None:
    q = fts_query(hostile)
    if q is not None:
        _match(fts, q)


def _name_index() -> sqlite3.Connection:
    """An in-memory index with the store's FTS5 options (no phrase queries with detail=column)."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(n, tokenize='unicode61 remove_diacritics 2',"
        " prefix='1 2 3', detail=column, columnsize=0)"
    )
    return conn


@settings(max_examples=400)
@given(st.one_of(any_text, vietnamese_text, st.text(alphabet='"*()-:^+{} NEARORNOTand', max_size=30)))
def test_fts_query_never_breaks_fts5(s: str) -> None:
    q = fts_query(s)
    if q is None:
        assert not fold(s) or not any(ch.isalnum() for ch in fold(s))
        return
    conn = _name_index()
    conn.execute("INSERT INTO t(n) VALUES (?)", (fold(s),))
    conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (q,)).fetchone()


@settings(max_examples=300)
@given(vietnamese_text)
def test_a_name_is_found_by_itself_typed_again(s: str) -> None:
    q = fts_query(s)
    assume(q is not None)
    conn = _name_index()
    conn.execute("INSERT INTO t(n) VALUES (?)", (fold(s),))
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (q,)).fetchone()[0] == 1


# --- name_sort_key ---------------------------------------------------------------------------


def test_name_sort_key_orders_by_given_name_then_family() -> None:
    names = ["Nguyễn Văn Bình", "Trần Thị An", "Đặng Văn An", "Lê Ánh"]
    assert sorted(names, key=name_sort_key) == [
        "Đặng Văn An",
        "Trần Thị An",
        "Lê Ánh",
        "Nguyễn Văn Bình",
    ]


def test_name_sort_key_edge_cases() -> None:
    assert name_sort_key("")[0] == ""
    assert name_sort_key("  Hoà ")[:2] == ("hoa", "")
    assert name_sort_key("Hoà") < name_sort_key("Hùng")


@pytest.mark.parametrize(
    ("share", "text"),
    [
        (0.0, "0,0%"),
        (0.125, "12,5%"),
        (0.625, "62,5%"),
        (7 / 8, "87,5%"),
        (2 / 3, "66,7%"),
        (7 / 9, "77,8%"),  # rounded half up, as figures sent up the chain are (it read 77,7%)
        (0.995, "99,5%"),
        (0.9999, "99,9%"),
        (1999 / 2000, "99,9%"),
        (1 / 2000, "0,1%"),
        (1 / 20000, "0,1%"),
        (1.0, "100,0%"),
    ],
)
def test_a_share_reads_to_one_decimal_and_only_all_reads_100(share: float, text: str) -> None:
    assert percent(share) == text
