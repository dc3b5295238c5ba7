"""Field checks for the intake form: names, ID numbers, phones, e-mail and the chip-ID QR.

Each ``check_*`` function returns a :class:`Check` holding the normalised value to store, an error
(the field cannot be saved as is) or a warning (saved, but the official should look again). Messages
are Vietnamese and say what to fix. Rules follow DOMAIN.md §7: the law only guarantees "12 digits"
for a căn cước, so everything beyond the shape is a soft warning, never a rejection.

Pure functions only: no I/O, standard library and ``counter_app.domain`` only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from counter_app.domain.printable import PRINTABLE_RANGES
from counter_app.domain.text import (
    clean,
    escape_control_chars,
    first_nonchar,
    fold,
    has_control_chars,
    nfc,
    replace_nonchars,
    thousands,
)

__all__ = [
    "Check",
    "ChipId",
    "ID_LABEL",
    "IdKind",
    "check_email",
    "check_id_number",
    "check_phone",
    "check_text",
    "id_kind",
    "is_name_label",
    "json_kind",
    "mask_id",
    "nonchar_error",
    "parse_chip_qr",
    "shown",
]

IdKind = Literal["cccd", "cmnd", "passport"]

PERIOD_BACKWARDS = "Ngày kết thúc không được trước ngày bắt đầu."
"""A period whose end comes before its start (the same day is a period of one day)."""
PERIOD_NOT_YET = "Ngày này chưa đến: sổ theo dõi chỉ ghi những hồ sơ đã tiếp nhận."
REPORT_NOT_YET = "Ngày bắt đầu chưa đến: báo cáo chỉ tính những ngày đã qua hoặc hôm nay."
"""A logbook asked from a day after today: it could only print an empty book."""
ID_LABEL = "Số căn cước/Hộ chiếu"
"""The label printed on forms and shown beside the ID field."""

PARTY_LABELS = {
    "name": "Họ và tên",
    "address": "Địa chỉ",
    "representative": "Người đại diện",
    "birth_date": "Ngày sinh",
    "id_number": ID_LABEL,
    "phone": "Số điện thoại",
    "email": "Email",
}
"""What an applicant's fields are called in messages."""

ID_FORMAT_ERROR = (
    "Số căn cước/Hộ chiếu phải gồm 12 chữ số (căn cước), 9 chữ số (CMND cũ) "
    "hoặc 1 chữ cái và 7 chữ số (hộ chiếu)."
)

# Birth-province prefixes of a căn cước: the 63 pre-2025 province codes (QĐ 124/2004/QĐ-TTg),
# zero-padded to three digits. Only used for a soft warning: the list is not in the ID law itself.
_CCCD_PROVINCES = frozenset(
    (
        "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 "
        "034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 "
        "067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"
    ).split()
)

# Separators an official may type inside an ID number: spaces, dots and dashes of any kind.
_ID_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015]+")
_PHONE_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015()]+")
_MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@dataclass(frozen=True)
class Check:
    """Outcome of checking one field."""

    value: str
    """The normalised value to store (also filled when there is an error, for redisplay)."""
    error: str | None = None
    """Why the value cannot be saved, in Vietnamese; None when it can."""
    warning: str | None = None
    """Something the official should look at again; never blocks saving."""

    @property
    def ok(self) -> bool:
        """True when there is no error (a warning still counts as ok)."""
        return self.error is None


_PICTOGRAPHS = (
    (0x2600, 0x27BF),  # miscellaneous symbols, dingbats (☺ ✂ ❤)
    (0x1F000, 0x1FAFF),  # mahjong and playing cards to symbols and pictographs (emoji, flags)
    (0xE000, 0xF8FF),  # private use: a phone's own pictures
    (0xFE00, 0xFE0F),  # variation selectors: "draw the character before as an emoji"
)


_PICTOGRAPH = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _PICTOGRAPHS) + "]")
"""An emoji or other picture: pasted from a chat into a name or an address, it is stored, but the
printed forms' typeface has no glyph for it and the receipt silently leaves it out. One character
class searched in C: a per-character test in Python was a tenth of a save's time."""


_UNPRINTABLE = re.compile(
    "[^\n\t"
    + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in PRINTABLE_RANGES)
    + "]"
)
"""A character the forms' typeface has no glyph for (Thai, Khmer, Chinese…): stored, it printed as a
blank in a name on the receipt and in the logbook."""


NAME_LABELS = frozenset(
    {
        "Họ và tên",
        "Người đại diện",
        "Người thực hiện",
        "Người đánh giá",
        "Cơ quan giải quyết",
    }
)
"""Labels of fields that hold the name of a person or a body; every label starting "Tên " does too
("Tên tổ chức", "Tên xã/phường", "Tên giấy tờ thứ 2"). Such a field needs at least one letter."""


def is_name_label(label: str) -> bool:
    """Whether a field of this label holds a name (see :data:`NAME_LABELS`)."""
    return label in NAME_LABELS or label.startswith("Tên ")


MAX_MARKS = 2
"""Marks one letter may carry (decomposed): a vowel's hat or horn or breve, and its tone."""


def _no_letter_error(value: str, label: str, *, name: bool) -> str | None:
    """Why a cleaned, non-empty text has nothing to read, or None.

    A name needs a letter: combining marks alone (a tone mark pasted with nothing under it, which
    NFC cannot attach to anything), punctuation or digits name nobody, and were saved as the name
    on the receipt and in the logbook. Any other text made of combining marks alone is refused too.
    """
    if name and not any(ch.isalpha() for ch in value):
        return (
            f"{label} phải có ít nhất một chữ cái (không chỉ gồm dấu thanh, dấu câu hay chữ số); "
            "hãy xóa và gõ lại."
        )
    if all(unicodedata.category(ch).startswith("M") or ch.isspace() for ch in value):
        return f"{label} chỉ có dấu thanh, không có chữ; hãy xóa và gõ lại."
    for i, ch in enumerate(value):
        # A mark sits on the letter before it: at the start, or after a space or a sign, it sits on
        # nothing and prints as a floating accent ("´A" on the receipt).
        if unicodedata.category(ch).startswith("M") and (i == 0 or not value[i - 1].isalnum()):
            if i and unicodedata.category(value[i - 1]).startswith("M"):
                continue  # the second mark of a letter's stack, or of a stray run already named
            return (
                f"{label} có dấu thanh đứng riêng ở ký tự thứ {i + 1}, không nằm trên chữ nào; "
                "hãy xóa dấu đó và gõ lại chữ có dấu."
            )
    # A Vietnamese letter carries at most two marks (ệ: the hat and the dot). Dozens stacked on one
    # letter (pasted "zalgo" text) were kept for good, on the receipt and at the hub.
    run = 0
    for ch in unicodedata.normalize("NFD", value):
        run = run + 1 if unicodedata.category(ch).startswith("M") else 0
        if run > MAX_MARKS:
            return f"{label} có chữ mang quá nhiều dấu chồng lên nhau; hãy xóa và gõ lại chữ đó."
    return None


def check_text(
    value: str | None,
    *,
    label: str,
    required: bool,
    max_len: int,
    multiline: bool = False,
    name: bool | None = None,
) -> Check:
    """Check a free-text field (name, address, note).

    Args:
        value: Raw input; None counts as empty.
        label: The Vietnamese field label used in messages, e.g. "Họ và tên".
        required: Whether an empty value is an error.
        max_len: Largest accepted length in characters, after cleaning.
        multiline: Keep line breaks (see :func:`counter_app.domain.text.clean`).
        name: The field holds a name, which needs a letter; None: decided by the label
            (:func:`is_name_label`).

    Returns:
        The cleaned value, with an error when it is empty but required, too long, holds control
        or invisible characters or code points that are no characters (lone surrogates), is a name
        without a letter, or is made of combining marks alone.
    """
    cleaned = clean(value or "", multiline=multiline)
    bad = nonchar_error(cleaned, label)
    if bad is not None:
        return Check(replace_nonchars(cleaned), bad)
    if has_control_chars(cleaned, multiline=multiline):
        return Check(
            cleaned,
            f"{label} có ký tự điều khiển hoặc ký tự ẩn; hãy xóa và gõ lại.",
        )
    pictograph = _PICTOGRAPH.search(cleaned)
    if pictograph is not None:
        return Check(
            cleaned,
            f"{label} có ký tự «{pictograph.group()}» (biểu tượng, hình vẽ), không in ra được trên giấy tờ; "
            "hãy xóa ký tự này.",
        )
    unprintable = _UNPRINTABLE.search(cleaned)
    if unprintable is not None:
        return Check(
            cleaned,
            f"{label} có ký tự «{unprintable.group()}» không in ra được trên giấy tờ (chữ viết khác "
            "chữ Quốc ngữ); hãy viết theo chữ Quốc ngữ như trên giấy tờ tùy thân, hoặc xóa ký tự này.",
        )
    if not cleaned:
        if required:
            return Check("", f"Chưa nhập {_lower_first(label)}.")
        return Check("")
    if len(cleaned) > max_len:
        return Check(
            cleaned,
            f"{label} dài {len(cleaned)} ký tự, tối đa {max_len} ký tự; hãy rút gọn.",
        )
    no_letter = _no_letter_error(cleaned, label, name=is_name_label(label) if name is None else name)
    if no_letter is not None:
        return Check(cleaned, no_letter)
    return Check(cleaned)


def nonchar_error(value: str, label: str) -> str | None:
    """Why ``value`` cannot be stored when it holds a code point that is no character (a lone
    surrogate from JSON ``"\\ud800"``, a noncharacter); None when it holds none.

    Such text cannot be written to the database, a PDF or the terminal, so every text check refuses
    it, naming the code point so the official can find it.
    """
    bad = first_nonchar(value)
    if bad is None:
        return None
    return (
        f"{label} có ký tự không hợp lệ (mã U+{ord(bad):04X}, không phải chữ; thường do dán từ tệp "
        "hỏng); hãy xóa và gõ lại."
    )


def json_kind(value: Any) -> str:
    """What a decoded JSON value is, in Vietnamese, for "… phải là chuỗi ký tự, không phải số"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "số"
    if isinstance(value, str):
        return "chuỗi ký tự"
    if isinstance(value, Mapping):
        return "đối tượng"
    if isinstance(value, list | tuple):
        return "danh sách"
    return type(value).__name__


def shown(value: Any, limit: int = 40) -> str:
    """A key or value from a file, safe to put in a message or a field path: its control
    characters and non-characters escaped (a lone surrogate cannot even be printed), the rest as
    typed (``\\x1b[31m đỏ``, not ``\\u0111\\u1ecf``), cut short."""
    text = escape_control_chars(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lower_first(label: str) -> str:
    # "Chưa nhập họ và tên." reads naturally; keep acronyms such as "CMND" or "Email" intact.
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _strip_id(value: str) -> str:
    return _ID_SEPARATORS.sub("", nfc(value))


def id_kind(value: str) -> IdKind | None:
    """Classify an ID number by its shape.

    Args:
        value: The ID as typed; spaces, dots and dashes are ignored, letters may be lower case.

    Returns:
        "cccd" for 12 digits, "cmnd" for 9 digits, "passport" for one letter and 7 digits, None
        for anything else.
    """
    return _classify(_strip_id(value).upper())


def _classify(s: str) -> IdKind | None:
    if re.fullmatch(r"[0-9]{12}", s):
        return "cccd"
    if re.fullmatch(r"[0-9]{9}", s):
        return "cmnd"
    if re.fullmatch(r"[A-Z][0-9]{7}", s):
        return "passport"
    return None


def check_id_number(value: str | None, *, required: bool = True) -> Check:
    """Check a "Số căn cước/Hộ chiếu".

    Spaces, dots and dashes are removed and a passport letter is upper-cased. A căn cước whose
    birth-province prefix is not on the pre-2025 list, or whose fourth digit (gender and century)
    points after 2099, gets a warning only: the law guarantees no more than "12 digits".

    Args:
        value: The ID as typed or scanned.
        required: Whether an empty value is an error.

    Returns:
        The normalised ID, or an error explaining the three accepted shapes.
    """
    raw = nfc(value or "").strip()
    if not raw:
        return Check("", f"Chưa nhập {ID_LABEL.lower()}." if required else None)
    normalised = _strip_id(raw).upper()
    kind = _classify(normalised)
    if kind is None:
        return Check(normalised, ID_FORMAT_ERROR)
    if kind == "cccd":
        return Check(normalised, None, _cccd_warning(normalised))
    return Check(normalised)


ORG_ID_FORMAT_ERROR = (
    "Mã số của tổ chức phải là mã số doanh nghiệp (mã số thuế) gồm 10 chữ số, mã đơn vị phụ thuộc "
    "gồm 13 chữ số (ví dụ 0101234567-001), hoặc mã đơn vị có quan hệ với ngân sách gồm 7 chữ số."
)


def check_org_number(value: str | None, *, required: bool = False) -> Check:
    """Check an organisation's identifier: its enterprise code, which is also its tax code.

    Ten digits for an enterprise or cooperative; thirteen, written ``0101234567-001``, for a branch
    or other dependent unit (the parent's ten digits and three of its own); seven for a public body
    identified by its budget-relation code. Spaces, dots and dashes are ignored when typed and the
    thirteen-digit form is stored with its dash, as the registration certificate prints it.
    """
    raw = nfc(value or "").strip()
    if not raw:
        return Check("", "Chưa nhập mã số của tổ chức." if required else None)
    digits = _strip_id(raw)
    if not digits.isdigit() or len(digits) not in (7, 10, 13):
        return Check(raw, ORG_ID_FORMAT_ERROR)
    if len(digits) == 13:
        return Check(f"{digits[:10]}-{digits[10:]}")
    return Check(digits)


def _cccd_warning(number: str) -> str | None:
    problems = []
    if number[:3] not in _CCCD_PROVINCES:
        problems.append(f"3 số đầu ({number[:3]}) không phải mã tỉnh nơi đăng ký khai sinh")
    # Fourth digit: 0/1 born 1900-1999, 2/3 born 2000-2099, 4 and above are later centuries.
    if number[3] not in "0123":
        problems.append(f"số thứ tư ({number[3]}) không khớp giới tính và thế kỷ sinh")
    if not problems:
        return None
    return "Số căn cước có " + "; ".join(problems) + ". Hãy đối chiếu lại với thẻ."


def id_birth_warning(number: str, born: date) -> str | None:
    """A căn cước whose digits 4 to 6 (gender and century, two digits of the year) give another
    birth year than the birth date typed: one of the two was mistyped (a warning, as every check
    of the number's inner digits is). None when they agree or the number says no year."""
    if len(number) != 12 or not number.isdigit() or number[3] not in "0123":
        return None
    year = (1900 if number[3] in "01" else 2000) + int(number[4:6])
    if year == born.year:
        return None
    return (
        f"Số căn cước {number[:3]} {number[3:6]}… ghi năm sinh {year}, khác ngày sinh đã nhập "
        f"({born:%d/%m/%Y}): kiểm tra lại số căn cước hoặc ngày sinh."
    )


def check_phone(value: str | None, *, required: bool = False) -> Check:
    """Check and normalise a Vietnamese phone number.

    Spaces, dots, dashes and parentheses are ignored; "+84", "84" and "0084" become a leading "0",
    so the stored form is always "0xxxxxxxxx". A mobile has 10 digits and starts 03, 05, 07, 08 or
    09; a landline has 11 digits and starts 02. Any other number of 3 to 15 digits (a hotline, a
    foreign number dialled with 00, a digit missing) only gets a warning: DOMAIN.md §7 says warn,
    never reject, since the citizen knows their number better than the rule. Letters, or fewer than
    3 or more than 15 digits (no phone number anywhere has them), are errors.

    Args:
        value: The phone as typed.
        required: Whether an empty value is an error.

    Returns:
        The normalised number with an error or a warning if needed.
    """
    raw = nfc(value or "").strip()
    if not raw:
        return Check("", "Chưa nhập số điện thoại." if required else None)
    compact = _PHONE_SEPARATORS.sub("", raw)
    if any(ch.isalpha() for ch in compact):
        return Check(compact, "Số điện thoại chỉ được gồm chữ số; hãy xóa chữ cái.")
    plus = compact.startswith("+")
    digits = compact[1:] if plus else compact
    if not digits or not re.fullmatch(r"[0-9]+", digits):
        return Check(
            compact,
            "Số điện thoại chỉ được gồm chữ số, dấu cách, dấu chấm, gạch nối, ngoặc đơn và tiền tố +84.",
        )
    foreign = digits if plus and not digits.startswith("84") else None
    if foreign is None and digits.startswith("00") and not digits.startswith("0084"):
        foreign = digits[2:]
    if foreign is not None:
        # A foreign number: kept as typed, the counter cannot judge it beyond its length (an
        # international number has at most 15 digits; a thousand zeros printed over the receipt).
        if not 3 <= len(foreign) <= 15:
            return Check(
                "+" + foreign,
                f"Số điện thoại nước ngoài có {len(foreign)} chữ số; số quốc tế có từ 3 đến 15 chữ số "
                "(kể cả mã nước).",
            )
        return Check("+" + foreign, None, "Số điện thoại nước ngoài; hãy kiểm tra lại.")
    if digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif plus or (digits.startswith("84") and len(digits) in (11, 12)):
        digits = "0" + digits[2:]
    if len(digits) == 10 and digits.startswith(_MOBILE_PREFIXES):
        return Check(digits)
    if len(digits) == 11 and digits.startswith("02"):
        return Check(digits)
    if len(digits) in (10, 11):
        return Check(
            digits,
            None,
            "Số điện thoại không giống số di động (10 số, đầu 03, 05, 07, 08, 09) hay số cố định "
            "(11 số, đầu 02); hãy kiểm tra lại.",
        )
    if 3 <= len(digits) <= 15:
        return Check(
            digits,
            None,
            f"Số điện thoại có {len(digits)} chữ số, không giống số di động (10 chữ số, ví dụ "
            "0912 345 678) hay số cố định (11 chữ số); hãy kiểm tra lại.",
        )
    return Check(
        digits,
        f"Số điện thoại có {len(digits)} chữ số; số di động có 10 chữ số (ví dụ 0912 345 678), "
        "số cố định 11 chữ số.",
    )


_CURRENCY = re.compile(r"\s*(?:đồng|đ|vnđ|vnd)\.?$", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


def parse_amount(
    text: str, *, label: str = "Phí, lệ phí", limit: int, free: bool = True
) -> tuple[int | None, str | None]:
    """An amount of đồng as a person types it: ``2500000``, ``2.500.000`` (or with commas, or
    spaces), an ``đ``/``đồng`` after it allowed.

    A separator stands between groups of three digits: ``2.500.00`` (a zero missed) is refused,
    where reading it without its dots gave 250.000 without a word.

    Args:
        free: The amount may be 0 (a fee waived), and the message says so; not for a fee asked for.

    Returns:
        ``(amount, None)``; ``(None, None)`` for empty text; ``(None, message)`` when it is wrong,
        the message saying how to write it, in Vietnamese.
    """
    raw = clean(text)
    bare = _CURRENCY.sub("", raw).replace(" ", "")
    if not bare:
        return None, None
    if not (bare.isascii() and (bare.isdigit() or _GROUPED.fullmatch(bare))):
        grouping = any(c in ".," for c in bare) and bare.replace(".", "").replace(",", "").isdigit()
        why = "viết sai nhóm số" if grouping else "chỉ gồm chữ số"
        return None, (
            f"{label} {why}: «{shown(raw)}». Gõ số đồng, dấu chấm giữa các nhóm 3 chữ số, "
            f"ví dụ 2.500.000{' (gõ 0 nếu được miễn)' if free else ''}."
        )
    amount = int(bare.replace(".", "").replace(",", ""))
    if amount > limit:
        return None, f"{label} tối đa {thousands(limit)} đồng, không phải «{shown(raw)}»."
    return amount, None


def check_email(value: str | None, *, required: bool = False) -> Check:
    """Check an e-mail address (a simple sanity check, not RFC 5322).

    Args:
        value: The address as typed.
        required: Whether an empty value is an error.

    Returns:
        The trimmed address with its domain in lower case, or an error.
    """
    raw = clean(value or "")
    if not raw:
        return Check("", "Chưa nhập email." if required else None)
    if len(raw) > 254 or has_control_chars(raw) or not _EMAIL.fullmatch(raw):
        return Check(raw, "Email không đúng dạng; hãy nhập dạng ten@vidu.vn.")
    local, _, domain = raw.rpartition("@")
    return Check(f"{local}@{domain.lower()}")


def mask_id(value: str | None) -> str:
    """Mask an ID number for logs, exports and diagnostics (DOMAIN.md §9).

    Args:
        value: The ID number; separators are removed first.

    Returns:
        Stars for every character but the last four, e.g. "********6789"; all stars when the
        value has four characters or fewer; "" for an empty value.
    """
    s = _strip_id(value or "")
    if len(s) <= 4:
        return "*" * len(s)
    return "*" * (len(s) - 4) + s[-4:]


_NUMBER_RUN = re.compile(r"\d(?:[\d .-]*\d)?")
"""A run of digits, with the separators people type inside ID and phone numbers."""


def mask_numbers(text: str) -> str:
    """Mask every ID- or phone-length number inside free text ("tran 001099012345" gives
    "tran ********2345"); runs of fewer than six digits (a dossier number's tail) stay as typed."""

    def masked(match: re.Match[str]) -> str:
        run = match.group()
        return mask_id(run) if sum(c.isdigit() for c in run) >= 6 else run

    return _NUMBER_RUN.sub(masked, text)


@dataclass(frozen=True)
class ChipId:
    """What the QR code on a chip căn cước holds (DOMAIN.md §7)."""

    id_number: str
    """The 12-digit căn cước number."""
    old_id: str
    """The old CMND number, "" when the card does not carry one."""
    name: str
    """Full name, NFC."""
    birth_date: date | None
    """Date of birth; None when the field is empty or not a real date."""
    gender: str
    """"Nam" or "Nữ" as printed on the card."""
    address: str
    """Place of residence; may name pre-2025 units, so it only prefills the form."""
    issue_date: date | None
    """Date of issue; None when empty or not a real date."""

    def is_someone_else(self, name: str, id_number: str) -> bool:
        """Whether a person typed so far (``name``, ``id_number``) is not this card's holder: told
        apart by ID number (the card's or its old CMND, spaces ignored), by name (diacritics and
        case ignored) while no ID number is typed. Nobody typed yet is nobody else, and neither is
        the holder's own name with the start of the card's number: the official was typing it when
        the card was scanned (it was said to be someone else, and "replace" cleared the phone)."""
        typed_id = "".join(id_number.split())
        same_name = not name.strip() or fold(name) == fold(self.name)
        if typed_id:
            if typed_id in {self.id_number, self.old_id}:
                return False
            started = any(n and n.startswith(typed_id) for n in (self.id_number, self.old_id))
            return not (started and same_name)
        return not same_name


def parse_chip_qr(text: str | None) -> ChipId | None:
    """Parse the line a QR scanner types when it reads a chip căn cước.

    Shape: ``CCCD|CMND (may be empty)|full name|ddMMyyyy|gender|address|ddMMyyyy``, extra fields
    accepted and ignored, trailing CR/LF tolerated; the last (the day of issue) may be missing, as
    some cards and readers give six fields. Anything else returns None, so the intake form
    can tell a scan from ordinary typing.

    Args:
        text: The raw field content.

    Returns:
        The parsed card, or None when ``text`` does not have the QR shape.
    """
    if not text:
        return None
    fields = nfc(text).strip().split("|")
    if len(fields) < 6:
        return None
    fields += [""] * (7 - len(fields))
    id_number, old_id, name, born, gender, address, issued = (f.strip() for f in fields[:7])
    if not re.fullmatch(r"[0-9]{12}", id_number):
        return None
    if old_id and not re.fullmatch(r"[0-9]{9}|[0-9]{12}", old_id):
        return None
    if not re.fullmatch(r"(?:[0-9]{8})?", born) or not re.fullmatch(r"(?:[0-9]{8})?", issued):
        return None
    name = clean(name)
    if not name or has_control_chars(name):
        return None
    return ChipId(
        id_number=id_number,
        old_id=old_id,
        name=name,
        birth_date=_ddmmyyyy(born),
        gender=clean(gender),
        address=clean(address),
        issue_date=_ddmmyyyy(issued),
    )


def _ddmmyyyy(s: str) -> date | None:
    if len(s) != 8:
        return None
    try:
        return date(int(s[4:]), int(s[2:4]), int(s[:2]))
    except ValueError:
        return None


def parse_day(text: str) -> date | None:
    """Read a date typed as ``dd/mm/yyyy`` (also ``dd-mm-yyyy``, ``dd.mm.yyyy``, ``ddmmyyyy`` as the
    chip card writes it, ISO); None if not."""
    raw = text.strip()
    if not raw:
        return None
    if len(raw) == 8 and raw.isascii() and raw.isdigit() and 1900 <= int(raw[4:]) <= 2100:
        try:  # 12031990: typed without the slashes
            return date(int(raw[4:]), int(raw[2:4]), int(raw[:2]))
        except ValueError:
            pass  # 19901203 is ISO's basic form, read below
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    for sep in "/-.":
        parts = raw.split(sep)
        if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
            d, m, y = (int(p) for p in parts)
            if y < 100:
                y += 2000
            try:
                return date(y, m, d)
            except ValueError:
                return None
    return None


def parse_day_time(text: str) -> tuple[date, int, int] | None:
    """Read ``dd/mm/yyyy hh:mm`` (time optional, default 17:00); None if it is not that shape."""
    raw = text.strip()
    if not raw:
        return None
    day_part, _, time_part = raw.partition(" ")
    day = parse_day(day_part)
    if day is None:
        return None
    time_part = time_part.strip().lower().replace("h", ":").replace("giờ", ":").replace(" ", "")
    if not time_part:
        return day, 17, 0
    hour_text, _, minute_text = time_part.partition(":")
    if not hour_text.isdigit() or (minute_text and not minute_text.isdigit()):
        return None
    hour, minute = int(hour_text), int(minute_text or 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return day, hour, minute


def missing_day(text: str) -> str:
    """When the day of a moment (``dd/mm/yyyy hh:mm`` or ISO ``yyyy-mm-ddThh:mm``) is written right
    but the calendar lacks it (31/02): a message naming it; "" otherwise."""
    day = re.split(r"[\sT]", text.strip(), maxsplit=1)[0]
    if day and _DAY_SHAPE.fullmatch(day) and parse_day(day) is None:
        return f"Ngày {day} không có trên lịch: kiểm tra lại ngày và tháng."
    return ""


def moment_problem(text: str, what: str = "Thời điểm") -> str:
    """Why ``text`` is not a moment :func:`parse_day_time` reads: a day the calendar lacks (31/02)
    is named as such, anything else gets the shape to write."""
    return missing_day(text) or f"{what} phải có dạng dd/mm/yyyy hh:mm, ví dụ 04/12/2026 16:00."


def day_problem(text: str, what: str = "Ngày", example: str = "05/03/1990") -> str:
    """Why ``text`` is not a day :func:`parse_day` reads ("" when it is one).

    A day in the right shape that the calendar does not have (31/02, 29/02 of a common year, month
    13) is named as such: telling the official to use dd/mm/yyyy when they did would mislead.
    """
    raw = text.strip()
    if parse_day(raw) is not None:
        return ""
    if not raw:
        return f"{what} chưa nhập (dạng dd/mm/yyyy, ví dụ {example})."
    if _DAY_SHAPE.fullmatch(raw):
        return f"{what} {raw} không có trên lịch: kiểm tra lại ngày và tháng."
    return f"{what} phải có dạng dd/mm/yyyy, ví dụ {example}."


_DAY_SHAPE = re.compile(r"\d{1,2}([/.-])\d{1,2}\1\d{2,4}|\d{4}-\d{2}-\d{2}")
"""A typed day in a shape :func:`parse_day` knows, whether or not the calendar has it."""


def check_birth_date(value: str | None, *, today: date) -> Check:
    """A birth date typed as dd/mm/yyyy (or ISO, or from the chip-ID QR), stored as ISO.

    Empty is allowed (the field is optional); a date in the future or before 1900 is refused.
    """
    raw = (value or "").strip()
    if not raw:
        return Check("")
    day = parse_day(raw)
    if day is None:
        return Check(raw, day_problem(raw, "Ngày sinh"))
    if day > today or day.year < 1900:
        two_digit_year = re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}", raw) is not None
        if two_digit_year:  # 1/2/90 read as 2090: say what to type, not that the year is wrong
            return Check(raw, f"Năm sinh cần đủ 4 chữ số, ví dụ {day.day:02d}/{day.month:02d}/19{raw[-2:]}.")
        if day > today:
            return Check(raw, f"Ngày sinh {day:%d/%m/%Y} ở tương lai: kiểm tra lại.")
        return Check(raw, f"Ngày sinh {day:%d/%m/%Y} trước năm 1900: kiểm tra lại năm sinh.")
    return Check(day.isoformat())


# --- a party's fields -------------------------------------------------------------------------

NAME_MAX = 150
"""Longest applicant name (a person's or an organisation's)."""
ADDRESS_MAX = 300
"""Longest address."""
CORRECTABLE = frozenset({"name", "id_number", "phone", "email", "address", "birth_date", "representative"})
"""The applicant's fields a correction may change (not the kind: a person is not made an organisation)."""

_PARTY_TEXT = {
    "name": ("Họ và tên", NAME_MAX),
    "representative": ("Người đại diện", NAME_MAX),
    "address": ("Địa chỉ", ADDRESS_MAX),
}
"""Free-text fields of a party: label in messages, longest length."""


def party_field_check(
    key: str, value: str, today: date, kind: str = "person", *, required: bool = False
) -> Check | None:
    """The rule for one field of an applicant or owner; None for a key without one.

    The one place these rules live: :meth:`Desk.parse_intake` applies them to a whole intake and
    :func:`check_party_field` to one field as the form's field is left.

    Args:
        kind: ``person`` or ``organisation`` (whose identifier is an enterprise code, never
            required here, and whose name is a "Tên tổ chức").
    """
    if key == "id_number":
        return (
            check_org_number(value) if kind == "organisation" else check_id_number(value, required=required)
        )
    if key == "phone":
        return check_phone(value, required=required)
    if key == "email":
        return check_email(value, required=required)
    if key == "birth_date":
        if required and not value.strip():
            return Check("", "Chưa nhập ngày sinh (thủ tục này cần ngày sinh).")
        return check_birth_date(value, today=today)
    if key in _PARTY_TEXT:
        label, limit = _PARTY_TEXT[key]
        if key == "name" and kind == "organisation":
            label = "Tên tổ chức"
        if "|" in value:  # a chip card's QR text the form could not read as one, kept as typed
            return Check(
                "",
                f"{label} có ký tự «|»: đây là chữ quét từ mã QR căn cước chưa đọc được; "
                "hãy xóa ô này rồi quét lại, hoặc gõ tay.",
            )
        return check_text(value, label=label, required=required, max_len=limit)
    return None
