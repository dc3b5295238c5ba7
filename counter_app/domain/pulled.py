"""What a counter accepts in an event relayed by the hub: another machine's, or the city's.

The hub relays every counter's events; a counter shows them on screen and paper and stores them in
SQLite. Each fold of events in the hub's order (a counter's, and the hub's own for the citizens'
look-up page and the national export) leaves out an event whose content no counter writes, so that
all of them end with the same dossier.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from counter_app.domain.dossier import Event
from counter_app.domain.errors import FieldError, ValidationError
from counter_app.domain.text import has_control_chars
from counter_app.domain.validation import shown

__all__ = ["MAX_PULLED_NUMBER", "check_pulled_content"]


MAX_PULLED_NUMBER = 2**53
"""The largest number a pulled event may carry (amounts, counts, counter numbers are far below)."""


def check_pulled_content(event: Event) -> None:
    """Refuse text no counter writes (control or invisible characters; notes keep their line
    breaks), and numbers none writes: the hub relays other machines' events, and this counter
    shows them on screen and paper and stores them in SQLite.

    Raises:
        ValidationError: naming the first field that holds such text.
    """

    def walk(value: Any, where: str) -> None:
        if isinstance(value, str):
            if has_control_chars(value, multiline=True) or len(value) > 10_000:
                raise ValidationError(FieldError(where, f"«{where}» chứa ký tự không hợp lệ hoặc quá dài."))
        elif isinstance(value, int | float) and not -MAX_PULLED_NUMBER <= value <= MAX_PULLED_NUMBER:
            # No counter writes such a number, and SQLite cannot hold one past 2**63 (nor ``inf``).
            raise ValidationError(FieldError(where, f"«{where}» là một số quá lớn."))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{where}.{key}")
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                walk(item, f"{where}[{i}]")

    walk(event.actor, "actor")
    walk(event.dossier_code, "dossier_code")
    walk(dict(event.payload), "payload")
    wrong = _mistyped(event.kind, event.payload)
    if wrong:
        raise ValidationError(
            FieldError(
                wrong,
                f"Nội dung sự kiện «{shown(event.kind)}» không đọc được: «{wrong}» không đúng kiểu dữ liệu "
                "quầy ghi.",
            )
        )


_TEXT = (str,)
_PAYLOAD_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(
        (
            "reason",
            "note",
            "to_agency_name",
            "to_agency_id",
            "due_at",
            "previous_due_at",
            "statutory_due_at",
            "after",
            "after_move",
            "comment",
            "rater",
            "summary",
            "return_method",
        ),
        _TEXT,
    ),  # fmt: skip
    **dict.fromkeys(("amount", "sets", "level"), (int,)),
    **dict.fromkeys(("papers", "documents"), (list,)),
    **dict.fromkeys(("applicant", "procedure", "fee", "receiving", "deciding"), (Mapping,)),
    "owner": (Mapping, type(None)),
}
"""The types counters write for a payload's known keys (others are not checked: a newer version's)."""
_PARTY_TYPES = dict.fromkeys(
    ("name", "kind", "id_number", "phone", "email", "address", "birth_date", "representative"), _TEXT
)
_ITEM_TYPES: dict[str, tuple[type, ...]] = {
    "name": _TEXT,
    **dict.fromkeys(("originals", "certified", "copies"), (int,)),
}


def _mistyped(kind: str, payload: Mapping[str, Any]) -> str:
    """The path of the first known field of a pulled payload not of the type counters write ("" for
    none): str() made a transfer to agency ``123`` read "Đến: 123", and 1.5 sets were taken."""

    def wrong(value: Any, types: tuple[type, ...]) -> bool:
        if bool in types:
            return not isinstance(value, types)
        return isinstance(value, bool) or not isinstance(value, types)

    for key, types in _PAYLOAD_TYPES.items():
        if key in payload and wrong(payload[key], types):
            return f"payload.{key}"
    for role in ("applicant", "owner") if kind != "corrected" else ():  # a correction's are {from, to}
        party = payload.get(role)
        if isinstance(party, Mapping):
            for key, types in _PARTY_TYPES.items():
                if key in party and wrong(party[key], types):
                    return f"payload.{role}.{key}"
    for key in ("papers", "documents"):
        for i, item in enumerate(payload.get(key) or []):
            if isinstance(item, str):
                continue
            if not isinstance(item, Mapping):
                return f"payload.{key}[{i}]"
            for field_name, types in _ITEM_TYPES.items():
                if field_name in item and wrong(item[field_name], types):
                    return f"payload.{key}[{i}].{field_name}"
    return ""
