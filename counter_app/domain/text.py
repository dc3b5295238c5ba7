"""Vietnamese text handling: normalisation, cleaning, search folding and name sorting.

Every string the counter stores goes through :func:`clean` (NFC, trimmed, whitespace collapsed), and
every string it searches goes through :func:`fold`. SQLite FTS5 ``unicode61 remove_diacritics`` does
not fold "đ" to "d" ("dang" would miss "Đặng"), so the store indexes a folded column and queries are
folded alike with :func:`fts_query` (DOMAIN.md §8).

Pure functions only: no I/O, no database, standard library only.
"""

from __future__ import annotations

import math
import re
import unicodedata

__all__ = [
    "clean",
    "fold",
    "fts_query",
    "first_nonchar",
    "has_control_chars",
    "money",
    "name_sort_key",
    "nfc",
    "replace_nonchars",
    "thousands",
]

# Invisible characters that can hide or reorder text: bidi embeddings/overrides (U+202A-202E),
# bidi isolates (U+2066-2069), zero-width spaces/joiners and direction marks (U+200B-200F) and the
# byte-order mark (U+FEFF). A name or an ID number never needs them, and they make two records look
# identical on screen while differing in the database.
_INVISIBLE = (
    r"\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    r"\U000e0001\U000e0020-\U000e007f"
)
"""Every invisible formatting character (Unicode category Cf) a Vietnamese text can do without, as
a regex class body: the soft hyphen, bidi marks, overrides and isolates, zero-width characters and
the word joiner, the BOM, annotation marks and tag characters. Pasted inside a code or an ID number
they make it look right and match nothing."""
# Code points that are not characters at all. A lone UTF-16 surrogate (U+D800-DFFF) comes from JSON
# such as "\ud800" or a damaged paste; no UTF-8 encoder can write it, so it would crash the database
# write, the printout or the terminal long after the check. The 66 noncharacters (U+FDD0-FDEF and the
# last two code points of every plane) are reserved for a program's internal use and never typed.
_NONCHARS = "\ud800-\udfff\ufdd0-\ufdef" + "".join(
    chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17)
)
"""Surrogates and noncharacters (a regex class body)."""
_NONCHAR = re.compile(f"[{_NONCHARS}]")
_CONTROL = re.compile(rf"[\x00-\x1f\x7f-\x9f{_INVISIBLE}{_NONCHARS}]")
_CONTROL_MULTILINE = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}{_NONCHARS}]")
"""The same, allowing tabs and line breaks."""

_TOKEN = re.compile(r"[^\W_]+")


def nfc(s: str) -> str:
    """Return ``s`` in Unicode normalisation form C.

    Vietnamese keyboards and scanners produce both precomposed ("ặ") and decomposed ("a" + marks)
    text; the counter stores NFC only so equal names compare equal.

    Args:
        s: Any text.

    Returns:
        The NFC form of ``s``.
    """
    return unicodedata.normalize("NFC", s)


def clean(s: str, *, multiline: bool = False) -> str:
    """Normalise user input for storage.

    NFC, strip both ends, collapse every run of whitespace (including tabs and no-break spaces) to
    one space. With ``multiline`` a run of whitespace that contains a line break becomes a single
    ``"\\n"`` instead, so lines are kept but blank lines and trailing spaces are dropped.

    Args:
        s: Raw text as typed, pasted or scanned.
        multiline: Keep line breaks (notes, addresses typed on several lines).

    Returns:
        The cleaned text; ``""`` for blank input.
    """
    s = nfc(s)
    if not multiline:
        return " ".join(s.split())
    lines = (" ".join(line.split()) for line in s.splitlines())
    return "\n".join(line for line in lines if line)


def escape_control_chars(s: str) -> str:
    """``s`` with each control or invisible character written as its escape (``\\x1b``,
    ``\\u200b``, ``\\ud800``), every other letter as it is: a message quoting pasted text keeps
    its Vietnamese readable."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), s)


def has_control_chars(s: str, *, multiline: bool = False) -> bool:
    """Tell whether ``s`` holds control or invisible formatting characters.

    Counted: C0 controls (U+0000-001F), DEL, C1 controls (U+0080-009F), bidi overrides and isolates,
    zero-width characters and the BOM, and code points that are no characters (lone surrogates,
    noncharacters: see :func:`first_nonchar`). ``"\\n"`` and ``"\\t"`` are allowed when
    ``multiline``.

    Args:
        s: Text to inspect (usually already :func:`clean`-ed).
        multiline: Whether line breaks and tabs are legitimate in this field.

    Returns:
        True when at least one such character is present.
    """
    return (_CONTROL_MULTILINE if multiline else _CONTROL).search(s) is not None


def first_nonchar(s: str) -> str | None:
    """The first code point of ``s`` that is not a character, or None.

    Lone UTF-16 surrogates (U+D800-DFFF: JSON ``"\\ud800"``, a damaged paste) cannot be encoded,
    so storing or printing them fails; noncharacters (U+FDD0-FDEF, U+xxFFFE, U+xxFFFF) are never
    text. Both are refused wherever text is checked.

    Args:
        s: Text to inspect.

    Returns:
        The offending code point, for a message such as "U+D800"; None when there is none.
    """
    match = _NONCHAR.search(s)
    return match.group() if match else None


def replace_nonchars(s: str) -> str:
    """``s`` with every surrogate and noncharacter replaced by U+FFFD (for logs and drafts, which
    keep what they can rather than refuse)."""
    return _NONCHAR.sub("\ufffd", s)


def _is_mark(ch: str) -> bool:
    return unicodedata.combining(ch) != 0 or unicodedata.category(ch) in ("Mn", "Me")


def fold(s: str) -> str:
    """Fold text for search: case, diacritics and "đ" removed, whitespace collapsed.

    casefold → NFD → drop combining marks → "đ"/"Đ" → "d" → collapse whitespace → strip. The input
    is decomposed once before case folding as well, so NFC and NFD input fold identically (the
    Unicode "canonical caseless match" recipe).

    Example:
        ``fold("Đặng  Thị Hoà") == "dang thi hoa"``

    Args:
        s: Any text.

    Returns:
        The folded text, suitable for a search column and for queries.
    """
    s = unicodedata.normalize("NFD", s).casefold()
    s = unicodedata.normalize("NFD", s)
    s = "".join(ch for ch in s if not _is_mark(ch))
    s = s.replace("đ", "d").replace("Đ", "d")
    return " ".join(s.split())


def fts_query(q: str) -> str | None:
    """Build a safe SQLite FTS5 MATCH expression for type-ahead search.

    The query is folded and split on every non-alphanumeric character; each token becomes a quoted
    FTS5 string and the last one a prefix query, e.g. ``"Đặng Thị Ho"`` → ``"dang" "thi" "ho"*``.
    Quotes, ``*``, ``-``, parentheses, ``NEAR``, ``AND``/``OR``/``NOT`` and column filters can never
    reach FTS5 as syntax: tokens hold only letters and digits and are always quoted.

    Args:
        q: What the official typed.

    Returns:
        The MATCH expression, or None when the query holds no token (search nothing, list all).
    """
    tokens = _TOKEN.findall(fold(q))
    if not tokens:
        return None
    quoted = [f'"{token}"' for token in tokens]
    quoted[-1] += "*"
    return " ".join(quoted)


def name_sort_key(full_name: str) -> tuple[str, str, str, str]:
    """Sort key for Vietnamese personal names: given name first, then family name.

    Vietnamese names run family name, middle name(s), given name ("Nguyễn Văn An"); people are
    looked up and listed by the given name. The key is (given, family, middle, full name in NFC),
    all but the last folded, so "An" sorts with "an" and the last element keeps the order stable.

    Args:
        full_name: The full name as stored.

    Returns:
        A tuple usable as ``key=`` in :func:`sorted`.
    """
    words = fold(full_name).split()
    if not words:
        return ("", "", "", clean(full_name))
    given = words[-1]
    family = words[0] if len(words) > 1 else ""
    middle = " ".join(words[1:-1])
    return (given, family, middle, clean(full_name))


def without_diacritics(s: str) -> bool:
    """Whether a Vietnamese name was typed without its marks: it has letters, all of them plain
    ASCII ("xa Vinh Bao" for "xã Vĩnh Bảo"). A place name printed on every form is worth a word."""
    letters = [ch for ch in s if ch.isalpha()]
    return bool(letters) and all(ch.isascii() for ch in letters)


def thousands(n: int) -> str:
    """``1.234.567``: dots between thousands, as Vietnamese writes numbers and amounts."""
    return f"{n:,}".replace(",", ".")


def percent(share: float) -> str:
    """``87,5%``: a share (0-1) to one decimal, with the Vietnamese decimal comma, rounded half up
    as the figures sent up the chain are (7 of 9 is 77,8%). Only a share of exactly 1 reads 100%
    and only exactly 0 reads 0%: 1,999 of 2,000 is 99,9%, never "all", and 1 of 2,000 is 0,1%."""
    tenths = math.floor(share * 1000 + 0.5 + 1e-9)
    if share < 1:
        tenths = min(tenths, 999)
    if share > 0:
        tenths = max(tenths, 1)
    return f"{tenths // 10},{tenths % 10}%"


def money(amount: int) -> str:
    """``50.000 đồng``."""
    return f"{thousands(amount)} đồng"
