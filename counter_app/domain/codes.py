"""Dossier codes (mã hồ sơ), issued offline and unique across every counter of a commune.

National shape: ``<agency identifier>-<yyMMdd>-<NNNN>`` (DOMAIN.md §3). Project decision for offline
uniqueness: counter *k* (1-9) owns the block ``k*1000+1 .. k*1000+999`` of each day's sequence; past
its block it continues with the 5-digit overflow ``k0001 .. k9999``, which clashes with nothing. The
per-day counter value ``n`` (1, 2, 3, ...) lives in the store and advances in the same transaction
that saves the dossier, so a code is never issued twice.

The pattern is a setting with tokens ``{agency}``, ``{date}``, ``{seq}`` (and ``{counter}``), as in
OpenCPS. This module does no I/O.
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from counter_app.domain.errors import FieldError, ValidationError

BACKDATE_LIMIT = timedelta(days=366)
"""How far back a paper dossier may be entered after the fact: a code's day may lie that far
before the day it is issued (a restore skips ahead on all of them)."""

UNSEEN_CODES = 500
"""Codes a counter is assumed to have issued on a day this file cannot know of, when nothing tells
how many: the days after a backup (a restore), and any day on a machine set up again that has not
yet heard the whole of its hub (the old machine's codes of that day are still to come)."""

UNSEEN_SECONDS_PER_CODE = 180
"""How a machine that has not yet heard the whole of its hub places its first code of a day: past
``UNSEEN_CODES``, one number further for every three minutes of the day gone (see
:func:`unseen_start`)."""


def unseen_start(now: datetime) -> int:
    """The number a day's codes start past on a machine that has not yet heard the whole of its hub
    (``now``: Vietnam time): ``UNSEEN_CODES`` plus one for every ``UNSEEN_SECONDS_PER_CODE`` of
    the day gone, 500 at midnight to 979 just before the next.

    A fixed start gave the same numbers to two such machines of one counter number: a PC set up
    new in the morning (it started at 501), synced, then died, and its replacement, set up with the
    hub out of reach, printed 501 again for another citizen. The later machine starts further on,
    past every code the earlier one could have given at up to one citizen per three minutes.
    """
    seconds = now.hour * 3600 + now.minute * 60 + now.second
    return UNSEEN_CODES + seconds // UNSEEN_SECONDS_PER_CODE


DEFAULT_PATTERN = "{agency}-{date}-{seq}"
"""The national pattern."""

BLOCK_SIZE = 999
"""Codes a counter issues per day before it overflows into 5 digits."""
OVERFLOW_SIZE = 9999
"""Further codes a counter may issue per day in the 5-digit overflow."""

MAX_CODE_LENGTH = 60
"""The longest dossier code a counter issues or looks up (a code pattern is held to it)."""
FIELD_LENGTHS = {"agency": 27, "date": 6, "seq": 5, "counter": 1}
"""The most characters each field of a code pattern puts in a code."""

_AGENCY = r"[0-9A-Z]{1,6}(?:\.[0-9A-Z]{1,6}){3}"
_FIELDS = {"agency": _AGENCY, "date": r"\d{6}", "seq": r"\d{4,5}", "counter": r"[1-9]"}
"""What each field of a code pattern stands for in a code (upper case)."""

AGENCY_ID_RE = re.compile(f"^{_AGENCY}$")
"""QCVN 102:2016: four dot-separated groups, the last one naming the province."""

CODE_RE = re.compile(f"^(?P<agency>{_AGENCY})-(?P<date>{_FIELDS['date']})-(?P<seq>{_FIELDS['seq']})$")
"""A dossier code in the national pattern (with the 5-digit overflow)."""


CODE_INSIDE = re.compile(rf"(?<![0-9A-Za-z.]){_AGENCY}-[0-9]{{6}}-[0-9]{{4,5}}(?![0-9])", re.IGNORECASE)
"""A dossier code in the national pattern standing inside a text (a receipt scanned into a field)."""


def code_inside(text: str) -> str | None:
    """The dossier code inside ``text`` (a scanner ending with Tab types it into whatever field
    has the focus), or None."""
    found = CODE_INSIDE.search(text)
    return found.group(0) if found else None


def check_agency_id(agency_id: str) -> str:
    """Normalise and validate an agency identifier.

    Raises:
        ValidationError: not four dot-separated groups of letters and digits.
    """
    value = agency_id.strip().upper()
    if not AGENCY_ID_RE.match(value):
        raise ValidationError(
            FieldError(
                "agency_id",
                "Mã định danh cơ quan phải gồm 4 nhóm chữ/số ngăn cách bởi dấu chấm, ví dụ 000.17.22.H56.",
            )
        )
    return value


def default_agency_id(commune_code: str) -> str:
    """An agency identifier derived from the 5-digit commune code, until the real one is set.

    The QCVN 102 identifier of a merged commune is not derivable from its code (DOMAIN.md §11.4), so
    this gives a recognisable placeholder in the same shape: ``000.00.00.X<commune code>``.
    """
    return check_agency_id(f"000.00.00.X{commune_code.strip()}")


def is_placeholder_agency(agency_id: str) -> bool:
    """Whether ``agency_id`` is the placeholder :func:`default_agency_id` gives."""
    return agency_id.startswith("000.00.00.X")


PLACEHOLDER_AGENCY_WARNING = (
    "Mã định danh cơ quan «{agency}» là mã tạm, suy từ mã xã; mã hồ sơ cấp ra mang mã này mãi mãi "
    "và hệ thống của tỉnh sẽ không nhận ra. Hãy đặt mã thật (QCVN 102) trước khi tiếp nhận hồ sơ: "
    "màn hình Giám sát (F6), thẻ Cài đặt, hoặc lệnh counter settings --set agency_id=…"
)
"""Said when a counter is set up, or starts, with the placeholder agency identifier."""

PLACEHOLDER_AGENCY_OFFICIAL = (
    "Mã định danh cơ quan «{agency}» là mã tạm: mã hồ sơ cấp ra mang mã này mãi mãi và hệ thống của "
    "tỉnh sẽ không nhận ra. Hãy báo cán bộ giám sát đặt mã thật trước khi tiếp nhận hồ sơ."
)
"""The same, said to an official, who cannot change it."""


def check_counter_no(counter_no: int) -> int:
    """Raises ValidationError unless 1 <= counter_no <= 9."""
    if not isinstance(counter_no, int) or not 1 <= counter_no <= 9:
        raise ValidationError(FieldError("counter", "Số quầy phải từ 1 đến 9."))
    return counter_no


def sequence_text(counter_no: int, n: int) -> str:
    """The sequence part for the n-th code (1-based) a counter issues on one day.

    Raises:
        ValidationError: the counter has used its block and the whole overflow for that day.
    """
    check_counter_no(counter_no)
    if n < 1:
        raise ValueError("n starts at 1")
    if n <= BLOCK_SIZE:
        return f"{counter_no * 1000 + n:04d}"
    overflow = n - BLOCK_SIZE
    if overflow <= OVERFLOW_SIZE:
        return f"{counter_no}{overflow:04d}"
    raise ValidationError(
        FieldError(
            "code",
            f"Quầy {counter_no} đã cấp hết mã hồ sơ của ngày hôm nay ({BLOCK_SIZE + OVERFLOW_SIZE} mã).",
        )
    )


def is_overflow(n: int) -> bool:
    """True when the n-th code of the day leaves the counter's 4-digit block."""
    return n > BLOCK_SIZE


@dataclass(frozen=True)
class CodeParts:
    """A dossier code split into its parts."""

    agency_id: str
    day: date
    sequence: str

    @property
    def counter_no(self) -> int:
        """The counter that issued the code (first digit of the sequence)."""
        return int(self.sequence[0])


def make_code(agency_id: str, day: date, counter_no: int, n: int, pattern: str = DEFAULT_PATTERN) -> str:
    """Build the code of the n-th dossier a counter receives on a (Vietnam) day."""
    return pattern.format(
        agency=agency_id,
        date=day.strftime("%y%m%d"),
        seq=sequence_text(counter_no, n),
        counter=counter_no,
    )


_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
"""Dashes a word processor or another keyboard layout puts for the code's hyphens."""


def normalise_code(text: str) -> str:
    """What a scanner or a person typed, made comparable: trimmed, upper case, no inner spaces;
    full-width digits and letters (an East Asian input method) and typographic dashes as the
    plain ones a code is written with (NFKC)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_DASHES)).upper()


def foreign_code_chars(text: str) -> str:
    """The characters of ``text`` no dossier code holds (see :data:`WRITTEN_CODE`), each once."""
    return "".join(dict.fromkeys(c for c in text if not (c.isascii() and (c.isalnum() or c in "._/-"))))


WRITTEN_CODE = re.compile(rf"[A-Z0-9][A-Z0-9._/-]{{0,{MAX_CODE_LENGTH - 1}}}")
"""A dossier code as a counter writes one, whatever its pattern: upper-case letters, digits and
the separators a pattern may hold (``. - _ /``, ``counter_app.settings``), starting with a letter
or a digit, at most ``MAX_CODE_LENGTH`` characters. The
counter skips a pulled event of any other; the hub refuses it (``sync.hub``)."""

AGENCY_IN_CODE = re.compile(_AGENCY)
"""An agency identifier somewhere in a dossier code."""


def is_written_code(text: str) -> bool:
    """Whether ``text`` is a dossier code as a counter writes one (:data:`WRITTEN_CODE`). An event
    from the hub for "", "../../etc/passwd" or 5,000 letters is no dossier a counter can open."""
    return WRITTEN_CODE.fullmatch(text) is not None


def parse_code(text: str) -> CodeParts | None:
    """Split a national-pattern code; None when the text is not one."""
    m = CODE_RE.match(normalise_code(text))
    if not m:
        return None
    raw = m.group("date")
    try:
        day = date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
    except ValueError:
        return None
    return CodeParts(m.group("agency"), day, m.group("seq"))


@functools.lru_cache(maxsize=8)
def pattern_regex(pattern: str) -> re.Pattern[str]:
    """What the codes a pattern (a valid ``code_pattern`` setting) makes look like, normalised."""
    parts = [
        re.escape(literal.upper()) + (_FIELDS.get(field, re.escape(field)) if field is not None else "")
        for literal, field, _spec, _conversion in string.Formatter().parse(pattern)
    ]
    return re.compile("".join(parts))


def looks_like_code(text: str, pattern: str = DEFAULT_PATTERN) -> bool:
    """True when the text is shaped like a dossier code (a scan, or a code typed in full): in the
    national shape, or in the counter's own ``pattern`` when it set another."""
    if parse_code(text) is not None:
        return True
    return pattern != DEFAULT_PATTERN and pattern_regex(pattern).fullmatch(normalise_code(text)) is not None
