"""Telling a scan from typing: dossier codes and chip-ID QR text inside what a field received.

A USB scanner types like a keyboard into whatever field has focus, after anything already typed
there. These functions find a dossier code or a chip-ID QR line at the end of a field's text and split
it from what the official had typed before, so the field can be given back its own content.

Pure functions: no Textual, no desk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from counter_app.domain.codes import DEFAULT_PATTERN, MAX_CODE_LENGTH, looks_like_code, normalise_code
from counter_app.domain.validation import ChipId, parse_chip_qr

_CHIP_START = re.compile(r"\d{12}\|")


@dataclass(frozen=True)
class Scanned:
    """What a field's text turned out to hold."""

    before: str
    """The text the field held before the scan (given back to the field)."""
    code: str = ""
    """A dossier code (normalised), when the scan was one."""
    chip: ChipId | None = None
    """The chip-ID card, when the scan was its QR code."""


def split_code(text: str, own_agency: str = "", pattern: str = DEFAULT_PATTERN) -> Scanned | None:
    """Find a dossier code at the end of ``text``.

    Several tails of ``...A000.00.11.H26-261125-2001`` are code-shaped (``A000.00.11.H26-…``,
    ``000.00.11.H26-…``, ``0.00.11.H26-…``): a tail starting with this counter's own agency
    identifier wins, then one starting after a space, then the longest.

    Args:
        text: The field's whole text.
        own_agency: This counter's agency identifier (first part of its codes).
        pattern: This counter's code pattern (codes in it, as well as national-shape ones).

    Returns:
        The code and the text before it, or None when the text does not end with a code.
    """
    stripped = text.rstrip()
    # A code holds no space: only the last word can end with one (a scanner types it straight
    # after what was typed before, or after a space).
    word = len(stripped) - len(re.split(r"\s", stripped)[-1])
    first = max(word, len(stripped) - MAX_CODE_LENGTH)
    candidates = [
        (i, stripped[i:]) for i in range(first, len(stripped)) if looks_like_code(stripped[i:], pattern)
    ]
    if not candidates:
        return None
    own = own_agency.upper()
    chosen = next((c for c in candidates if own and normalise_code(c[1]).startswith(own)), None)
    if chosen is None:
        chosen = next((c for c in candidates if c[0] == 0 or stripped[c[0] - 1].isspace()), candidates[0])
    start, code = chosen
    return Scanned(before=stripped[:start], code=normalise_code(code))


def split_chip(text: str) -> Scanned | None:
    """Find a chip-ID QR line (``CCCD|CMND|name|…``) in ``text``.

    Returns:
        The card and the text typed before the scan, or None when there is no QR line.
    """
    if "|" not in text:
        return None
    match = _CHIP_START.search(text)
    if match is None:
        return None
    chip = parse_chip_qr(text[match.start() :])
    if chip is None:
        return None
    return Scanned(before=text[: match.start()], chip=chip)


def split_scan(text: str, own_agency: str = "", pattern: str = DEFAULT_PATTERN) -> Scanned | None:
    """A chip-ID QR or a dossier code at the end of ``text``; None for ordinary typing."""
    return split_chip(text) or split_code(text, own_agency, pattern)


def chip_form_values(chip: ChipId) -> dict[str, str]:
    """What a chip-ID card fills of a person's fields, as the forms show them: the name, the ID
    number, the address and the birth date (dd/mm/yyyy; "" when the card's is unreadable)."""
    return {
        "name": chip.name,
        "id_number": chip.id_number,
        "address": chip.address,
        "birth_date": f"{chip.birth_date:%d/%m/%Y}" if chip.birth_date else "",
    }
