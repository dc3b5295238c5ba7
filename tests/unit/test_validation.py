"""Tests for counter_app.domain.validation: field checks and the chip-ID QR."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.validation import (
    ID_FORMAT_ERROR,
    ORG_ID_FORMAT_ERROR,
    Check,
    ChipId,
    check_birth_date,
    check_email,
    check_id_number,
    check_org_number,
    check_phone,
    check_text,
    day_problem,
    id_birth_warning,
    id_kind,
    mask_id,
    mask_numbers,
    parse_amount,
    parse_chip_qr,
)

# --- days ----------------------------------------------------------------------------------------

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize("typed", ["05/03/1990", "5/3/1990", "05-03-1990", "05.03.1990", "1990-03-05"])
def test_birth_date_accepts_the_usual_shapes(typed: str) -> None:
    assert check_birth_date(typed, today=TODAY) == Check("1990-03-05")
    assert day_problem(typed) == ""


@pytest.mark.parametrize("typed", ["31/02/1990", "29/02/2023", "05/13/1990", "00/01/1990", "2023-02-29"])
def test_a_day_the_calendar_lacks_is_named_as_such(typed: str) -> None:
    check = check_birth_date(typed, today=TODAY)
    assert check.error == f"Ngày sinh {typed} không có trên lịch: kiểm tra lại ngày và tháng."
    assert check.value == typed  # kept as typed, for the official to correct


@pytest.mark.parametrize("typed", ["5 tháng 3", "05/03", "1990", "05/03-1990", "ngày mai"])
def test_a_day_in_another_shape_gets_the_format(typed: str) -> None:
    error = check_birth_date(typed, today=TODAY).error
    assert error == "Ngày sinh phải có dạng dd/mm/yyyy, ví dụ 05/03/1990."


def test_birth_date_bounds_and_empty() -> None:
    assert check_birth_date("", today=TODAY) == Check("")
    assert (
        check_birth_date("26/11/2026", today=TODAY).error == "Ngày sinh 26/11/2026 ở tương lai: kiểm tra lại."
    )
    assert check_birth_date("31/12/1899", today=TODAY).error == (
        "Ngày sinh 31/12/1899 trước năm 1900: kiểm tra lại năm sinh."
    )
    # Two digits of a year read as this century's (2090): the message says to type all four.
    assert check_birth_date("1/2/90", today=TODAY).error == "Năm sinh cần đủ 4 chữ số, ví dụ 01/02/1990."
    empty = day_problem("  ", "Từ ngày", "01/11/2026")
    assert empty == "Từ ngày chưa nhập (dạng dd/mm/yyyy, ví dụ 01/11/2026)."


# --- check_text ------------------------------------------------------------------------------


def test_check_text_cleans() -> None:
    c = check_text("  Nguyễn   Văn An ", label="Họ và tên", required=True, max_len=100)
    assert c == Check("Nguyễn Văn An", None, None)
    assert c.ok


def test_check_text_required_empty() -> None:
    c = check_text("   ", label="Họ và tên", required=True, max_len=100)
    assert c.error == "Chưa nhập họ và tên."
    assert not c.ok
    assert check_text(None, label="Ghi chú", required=False, max_len=10) == Check("")


def test_check_text_keeps_acronym_label() -> None:
    c = check_text("", label="CMND", required=True, max_len=10)
    assert c.error == "Chưa nhập CMND."


def test_check_text_too_long() -> None:
    c = check_text("a" * 11, label="Địa chỉ", required=False, max_len=10)
    assert c.error is not None
    assert "tối đa 10 ký tự" in c.error
    assert c.value == "a" * 11


def test_check_text_length_counts_nfc_characters() -> None:
    decomposed = unicodedata.normalize("NFD", "Hoà")
    assert len(decomposed) == 4
    assert check_text(decomposed, label="Tên", required=True, max_len=3) == Check("Hoà")


@pytest.mark.parametrize("bad", ["An\x00", "An\u202e", "A\u200bn", "\ufeffAn", "\x1b[0m"])
def test_check_text_rejects_control_chars(bad: str) -> None:
    c = check_text(bad, label="Họ và tên", required=True, max_len=100)
    assert c.error is not None
    assert "ký tự điều khiển" in c.error


def test_check_text_multiline() -> None:
    c = check_text("Thôn 1\r\n\r\nxã A\t", label="Ghi chú", required=False, max_len=50, multiline=True)
    assert c == Check("Thôn 1\nxã A")
    single = check_text("Thôn 1\nxã A", label="Địa chỉ", required=False, max_len=50)
    assert single == Check("Thôn 1 xã A")


@pytest.mark.parametrize("label", ["Họ và tên", "Tên tổ chức", "Người đại diện", "Tên xã/phường"])
@pytest.mark.parametrize("typed", ["\u0301\u0301\u0301", "\u0301 \u0303\u0323", "...", "-", "12345"])
def test_a_name_needs_a_letter(label: str, typed: str) -> None:
    """Three combining acute accents were saved as an applicant's name (NFC attaches them to
    nothing); punctuation or digits alone name nobody either."""
    check = check_text(typed, label=label, required=True, max_len=100)
    assert check.error == (
        f"{label} phải có ít nhất một chữ cái (không chỉ gồm dấu thanh, dấu câu hay chữ số); "
        "hãy xóa và gõ lại."
    )


@pytest.mark.parametrize("typed", ["Đặng Thị Hoà", "Lê Văn A", "Công ty TNHH 3T", "Ý", "đ"])
def test_a_name_with_a_letter_passes(typed: str) -> None:
    decomposed = unicodedata.normalize("NFD", typed)  # a tone mark typed apart still makes a letter
    assert check_text(decomposed, label="Họ và tên", required=True, max_len=100) == Check(typed)


def test_other_text_needs_no_letter_but_not_marks_alone() -> None:
    assert check_text("12", label="Địa chỉ", required=False, max_len=100) == Check("12")
    assert check_text("-", label="Ghi chú", required=False, max_len=100) == Check("-")
    marks = check_text("\u0301\u0301", label="Địa chỉ", required=False, max_len=100)
    assert marks.error == "Địa chỉ chỉ có dấu thanh, không có chữ; hãy xóa và gõ lại."
    # A caller may say what the label does not.
    assert check_text("...", label="Mục", required=True, max_len=10, name=True).error is not None
    assert check_text("...", label="Họ và tên", required=True, max_len=10, name=False).ok


@pytest.mark.parametrize(
    ("typed", "where"),
    [("\u0301\u0301\u0301A", 1), ("Nguyễn \u0301Văn", 8), ("Thôn 3, \u0303xã Vĩnh Bảo", 9)],
)
def test_a_mark_on_no_letter_is_refused_where_it_stands(typed: str, where: int) -> None:
    """A tone mark at the start of a word sits on nothing and printed as a floating accent ("´A" on
    the receipt and the signature line). Marks on a letter, one or stacked, pass."""
    for label in ("Họ và tên", "Địa chỉ"):
        check = check_text(typed, label=label, required=True, max_len=100)
        assert check.error == (
            f"{label} có dấu thanh đứng riêng ở ký tự thứ {where}, không nằm trên chữ nào; "
            "hãy xóa dấu đó và gõ lại chữ có dấu."
        )
    for fine in ("A\u0323\u0302", "O\u031b\u0306n", unicodedata.normalize("NFD", "Đặng Thị Hoà")):
        assert check_text(fine, label="Họ và tên", required=True, max_len=100).ok


# --- ID numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "kind"),
    [
        ("001234567890", "001234567890", "cccd"),
        (" 001 234 567 890 ", "001234567890", "cccd"),
        ("001.234.567.890", "001234567890", "cccd"),
        ("001-234-567-890", "001234567890", "cccd"),
        ("123456789", "123456789", "cmnd"),
        ("123 456 789", "123456789", "cmnd"),
        ("b1234567", "B1234567", "passport"),
        ("C 123 4567", "C1234567", "passport"),
    ],
)
def test_check_id_number_accepts(raw: str, value: str, kind: str) -> None:
    c = check_id_number(raw)
    assert c.error is None
    assert c.value == value
    assert id_kind(raw) == kind


@pytest.mark.parametrize(
    "raw",
    [
        "12345",
        "0012345678901",
        "12345678",
        "1234567890",
        "AB123456",
        "B123456",
        "B12345678",
        "x" * 12,
    ],
)
def test_check_id_number_rejects(raw: str) -> None:
    c = check_id_number(raw)
    assert c.error == ID_FORMAT_ERROR
    assert id_kind(raw) is None


def test_check_id_number_empty() -> None:
    assert check_id_number("").error is not None
    assert check_id_number(None).error is not None
    assert check_id_number("  ", required=False) == Check("")


def test_cccd_plausible_has_no_warning() -> None:
    # 001 = Hà Nội, 0 = male born in the 1900s.
    assert check_id_number("001090123456").warning is None
    # 079 = TP Hồ Chí Minh, 3 = female born in the 2000s.
    assert check_id_number("079305123456").warning is None


@pytest.mark.parametrize("raw", ["003090123456", "099090123456", "001790123456", "000990123456"])
def test_cccd_implausible_is_only_warned(raw: str) -> None:
    c = check_id_number(raw)
    assert c.error is None
    assert c.value == raw
    assert c.warning is not None
    assert "kiểm tra" in c.warning or "đối chiếu" in c.warning


# --- phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("(091) 234-5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("(+84) 912.345.678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("0325 123 456", "0325123456"),
        ("024 3825 1234", "02438251234"),
        ("(0225) 3123 456", "02253123456"),
        ("+84 24 3825 1234", "02438251234"),
    ],
)
def test_check_phone_accepts(raw: str, value: str) -> None:
    assert check_phone(raw) == Check(value)


@pytest.mark.parametrize("raw", ["0123456789", "0612345678", "01234567890", "0412345678"])
def test_check_phone_unusual_prefix_is_warning(raw: str) -> None:
    c = check_phone(raw)
    assert c.error is None
    assert c.warning is not None
    assert c.value == raw


@pytest.mark.parametrize("raw", ["12", "0912345678901234", "0912abc678", "số 0912", "09#12"])
def test_check_phone_rejects(raw: str) -> None:
    c = check_phone(raw)
    assert c.error is not None


@pytest.mark.parametrize(
    ("raw", "value"),
    [("09123", "09123"), ("091234567", "091234567"), ("091234567890", "091234567890"),
     ("1900 1234", "19001234"), ("0061 2 9999 9999", "+61299999999"), ("113", "113")],
)  # fmt: skip
def test_check_phone_odd_lengths_hotlines_and_00_are_warnings(raw: str, value: str) -> None:
    """DOMAIN.md §7: warn, never reject (a digit missing, a hotline, a foreign number with 00)."""
    c = check_phone(raw)
    assert c.error is None and c.warning is not None and c.value == value


def test_check_phone_empty() -> None:
    assert check_phone("") == Check("")
    assert check_phone(None) == Check("")
    assert check_phone(" ", required=True).error is not None


def test_check_phone_foreign_number_is_warning() -> None:
    c = check_phone("+33 1 23 45 67 89")
    assert c.error is None
    assert c.warning is not None
    assert c.value == "+33123456789"


@pytest.mark.parametrize("raw", ["0" * 1000, "+" + "3" * 16, "00" + "1" * 16, "+12", "0012"])
def test_a_foreign_number_longer_than_any_or_too_short_is_an_error(raw: str) -> None:
    """1,000 zeros were taken as a foreign number with a warning and printed across the receipt."""
    assert check_phone(raw).error is not None


mobile = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(["03", "05", "07", "08", "09"]),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
separator = st.sampled_from(["", " ", ".", "-", " - ", ". "])


@given(mobile, separator, st.sampled_from(["0", "+84", "84", "+84 ", "(+84) ", "0084"]))
def test_phone_normalisation_round_trips(number: str, sep: str, prefix: str) -> None:
    national = number[1:]
    typed = prefix + sep.join([national[:2], national[2:5], national[5:]])
    c = check_phone(typed)
    assert c == Check(number)
    # Storing and re-checking the stored value changes nothing.
    assert check_phone(c.value) == c


@given(st.text(max_size=20))
def test_check_phone_never_raises(s: str) -> None:
    c = check_phone(s)
    assert isinstance(c.value, str)


# --- email -----------------------------------------------------------------------------------


def test_check_email() -> None:
    assert check_email("") == Check("")
    assert check_email(" An.Nguyen@Gmail.COM ") == Check("An.Nguyen@gmail.com")
    for bad in ["an", "an@", "@gmail.com", "an@gmail", "an @gmail.com", "a@b@c.vn", "an@gmail."]:
        assert check_email(bad).error is not None, bad
    assert check_email("", required=True).error is not None


# --- mask_id ---------------------------------------------------------------------------------


def test_mask_id() -> None:
    assert mask_id("001234566789") == "********6789"
    assert mask_id("001 234 566 789") == "********6789"
    assert mask_id("B1234567") == "****4567"
    assert mask_id("1234") == "****"
    assert mask_id("") == ""
    assert mask_id(None) == ""


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("001099012345", "********2345"),
        ("tran 001 099 012 345", "tran ********2345"),
        ("0912.345.678 hoa", "******5678 hoa"),
        ("2001", "2001"),  # a dossier number's tail is not personal data
        ("12345 và 987654", "12345 và **7654"),
        ("dang thi hoa", "dang thi hoa"),
        ("", ""),
    ],
)
def test_mask_numbers_hides_id_and_phone_numbers_inside_text(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked


@given(st.text(alphabet="0123456789", min_size=5, max_size=12))
def test_mask_id_keeps_only_last_four(s: str) -> None:
    masked = mask_id(s)
    assert masked.endswith(s[-4:])
    assert set(masked[:-4]) == {"*"}
    assert len(masked) == len(s)


# --- chip-ID QR ------------------------------------------------------------------------------

QR = "001090123456|123456789|Nguyễn Văn An|01021990|Nam|Thôn 1, xã Vĩnh Bảo, Hải Phòng|15062021"


def test_parse_chip_qr() -> None:
    assert parse_chip_qr(QR) == ChipId(
        id_number="001090123456",
        old_id="123456789",
        name="Nguyễn Văn An",
        birth_date=date(1990, 2, 1),
        gender="Nam",
        address="Thôn 1, xã Vĩnh Bảo, Hải Phòng",
        issue_date=date(2021, 6, 15),
    )


def test_parse_chip_qr_tolerates_variants() -> None:
    no_cmnd = parse_chip_qr("079305123456||Trần Thị Bình|31122005|Nữ|P. Bến Thành|01012024\r\n")
    assert no_cmnd is not None
    assert no_cmnd.old_id == ""
    assert no_cmnd.gender == "Nữ"
    assert no_cmnd.birth_date == date(2005, 12, 31)
    extra = parse_chip_qr(QR + "|extra|fields\n")
    assert extra is not None
    assert extra.id_number == "001090123456"


def test_parse_chip_qr_reads_a_card_without_its_day_of_issue() -> None:
    # Some cards and readers give six fields; saved as typed, the whole line became the name.
    chip = parse_chip_qr("031090001313||Lê Thị Bé|01021990|Nữ|Thôn Đông, xã Vĩnh Bảo\r\n")
    assert chip is not None
    assert (chip.name, chip.address, chip.issue_date) == ("Lê Thị Bé", "Thôn Đông, xã Vĩnh Bảo", None)


def test_parse_chip_qr_normalises_to_nfc() -> None:
    chip = parse_chip_qr(unicodedata.normalize("NFD", QR))
    assert chip is not None
    assert chip.name == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", chip.address)


def test_parse_chip_qr_impossible_date_kept_as_none() -> None:
    chip = parse_chip_qr(QR.replace("01021990", "31021990"))
    assert chip is not None
    assert chip.birth_date is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "Nguyễn Văn An",
        "001090123456",
        "001090123456|123456789|Nguyễn Văn An|01021990|Nam",  # five fields
        "00109012345|123456789|Nguyễn Văn An|01021990|Nam|Thôn 1|15062021",  # 11 digits
        "001090123456|12345|Nguyễn Văn An|01021990|Nam|Thôn 1|15062021",  # bad CMND
        "001090123456|123456789|Nguyễn Văn An|1/2/1990|Nam|Thôn 1|15062021",  # bad date
        "001090123456|123456789||01021990|Nam|Thôn 1|15062021",  # no name
        "a|b|c|d|e|f|g",
    ],
)
def test_parse_chip_qr_rejects_other_shapes(text: str | None) -> None:
    assert parse_chip_qr(text) is None


@given(st.text(max_size=80))
def test_parse_chip_qr_never_raises(s: str) -> None:
    parse_chip_qr(s)


# --- organisations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("0101234567", "0101234567"), (" 0101 234 567 ", "0101234567"), ("0101234567-001", "0101234567-001"),
     ("0101234567001", "0101234567-001"), ("1012345", "1012345")],
)  # fmt: skip
def test_org_number_shapes(typed: str, stored: str) -> None:
    assert check_org_number(typed) == Check(stored)


@pytest.mark.parametrize("typed", ["031190001234", "01012345678", "ABC1234567", "0101234567-01", "123"])
def test_org_number_refused_with_the_shapes_it_takes(typed: str) -> None:
    assert check_org_number(typed).error == ORG_ID_FORMAT_ERROR
    assert check_org_number(typed).value == typed


def test_org_number_optional_unless_asked() -> None:
    assert check_org_number("") == Check("")
    assert check_org_number("  ", required=True).error == "Chưa nhập mã số của tổ chức."


def test_a_chip_card_tells_its_holder_from_someone_else() -> None:
    card = parse_chip_qr("001099012345|123456789|Nguyễn Văn An|01011990|Nam|Hà Nội|15062021")
    assert card is not None
    assert not card.is_someone_else("", "")  # nobody typed yet
    assert not card.is_someone_else("Nguyen Van An", "")  # the same name, without diacritics
    assert not card.is_someone_else("Trần Thị Mai", "001 099 012 345")  # the ID decides
    assert not card.is_someone_else("", "123456789")  # the old CMND on the card
    assert card.is_someone_else("Trần Thị Mai", "")
    assert card.is_someone_else("", "001199054321")
    # The holder's name, and the card's number being typed when the card was scanned: the holder.
    assert not card.is_someone_else("Nguyễn Văn An", "0010")
    assert not card.is_someone_else("", "00109901")
    assert card.is_someone_else("Trần Thị Mai", "0010")  # another name: someone else
    assert card.is_someone_else("Nguyễn Văn An", "0020")  # a number the card's does not start with


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("12/03/1990", date(1990, 3, 12)),
        ("12031990", date(1990, 3, 12)),  # typed without the slashes, as the chip card writes it
        ("19901203", date(1990, 12, 3)),  # ISO's basic form
        ("1990-12-03", date(1990, 12, 3)),
        ("31021990", None),
        ("1203199", None),
    ],
)
def test_a_day_is_read_as_people_type_it(typed: str, read: date | None) -> None:
    from counter_app.domain.validation import parse_day

    assert parse_day(typed) == read


def test_a_birth_date_typed_without_slashes_is_taken() -> None:
    assert check_birth_date("12031990", today=date(2026, 11, 26)).value == "1990-03-12"


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("2.500.000", 2_500_000),
        ("2,500,000", 2_500_000),
        ("2500000", 2_500_000),
        ("2 500 000", 2_500_000),
        ("50.000 đồng", 50_000),
        ("50.000đ", 50_000),
        ("0", 0),
        ("", None),
    ],
)
def test_an_amount_is_read_as_a_person_writes_it(typed: str, amount: int | None) -> None:
    assert parse_amount(typed, limit=100_000_000) == (amount, None)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2.500.00", "viết sai nhóm số"),  # was read as 250000
        ("1.5", "viết sai nhóm số"),  # was read as 15
        ("2.500,000", "viết sai nhóm số"),
        ("abc", "chỉ gồm chữ số"),
        ("-5", "chỉ gồm chữ số"),
        ("100.000.001", "tối đa 100.000.000 đồng"),
    ],
)
def test_an_amount_written_wrong_says_how_to_write_it(typed: str, said: str) -> None:
    amount, problem = parse_amount(typed, limit=100_000_000)
    assert amount is None and problem is not None and said in problem


def test_pasted_terminal_colours_are_escaped_alone_in_the_message() -> None:
    """Coloured text pasted into the fee: only the escape character is written as a code; the
    Vietnamese beside it stays readable (it came out as \\u0111\\u1ecf…)."""
    amount, problem = parse_amount("\x1b[31m đỏ Thôn", limit=100_000_000)
    assert amount is None and problem is not None
    assert "\\x1b[31m đỏ Thôn" in problem and "\\u" not in problem


@pytest.mark.parametrize("picture", ["😀", "❤", "\u2764\ufe0f", "🇻🇳", "\ue001"])
def test_a_picture_pasted_into_text_is_refused_not_left_off_the_receipt(picture: str) -> None:
    """Stored, an emoji made the record differ from the receipt: the forms' typeface has no glyph."""
    check = check_text(f"Đặng Thị Hoà{picture}", label="Họ và tên", required=True, max_len=100)
    assert check.error is not None and "không in ra được" in check.error and picture[0] in check.error
    address = "Số 5, ngõ 12/3 (cạnh chợ) – xã Vĩnh Bảo"
    assert check_text(address, label="Địa chỉ", required=True, max_len=100).ok


def test_a_birth_year_the_id_number_contradicts_is_warned() -> None:
    """Digits 4 to 6 of a căn cước give the gender and century and the birth year: a birth date of
    another year means one of the two was mistyped (a warning; the number's law is "12 digits")."""
    assert id_birth_warning("001190012345", date(1985, 6, 15)) == (
        "Số căn cước 001 190… ghi năm sinh 1990, khác ngày sinh đã nhập (15/06/1985): "
        "kiểm tra lại số căn cước hoặc ngày sinh."
    )
    assert id_birth_warning("001190012345", date(1990, 1, 1)) is None
    assert id_birth_warning("001305012345", date(2005, 3, 1)) is None  # a girl born in 2005
    assert "năm sinh 2005" in (id_birth_warning("001205012345", date(1905, 3, 1)) or "")
    for no_year in ("001990012345", "123456789", "B1234567"):  # no century digit, CMND, passport
        assert id_birth_warning(no_year, date(1985, 6, 15)) is None


def test_letters_with_marks_stacked_past_two_are_refused_every_vietnamese_letter_kept() -> None:
    """A name pasted with fifty accents on one letter was saved, printed and sent to the hub."""
    import unicodedata

    from counter_app.domain.validation import check_text

    stacked = check_text("Hoà" + "\u0301" * 50 + " Nguyễn", label="Họ và tên", required=True, max_len=120)
    assert stacked.error and "quá nhiều dấu" in stacked.error
    tones = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
    vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
    every = " ".join(unicodedata.normalize("NFC", v + t) for v in vowels for t in tones)
    for text in (every, every.upper(), unicodedata.normalize("NFD", every)):
        assert check_text(text, label="Họ và tên", required=True, max_len=1000).error is None
