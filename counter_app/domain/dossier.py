"""Dossiers, their events and the national lifecycle.

A dossier is never edited in place: every change is an immutable :class:`Event`, and the
:class:`Dossier` is what :func:`fold` makes of the events, in order. The same events always fold into
the same dossier, on the counter and on the hub, so sync only exchanges events.

Each event has one canonical serialisation (:meth:`Event.canonical`): JSON with sorted keys, NFC text
and ISO 8601 times with the Vietnam offset. The hub compares events by content, so the bytes of an
event must not depend on who serialised it.

Due times are computed by the desk (with the working calendar) and carried in the event payloads, so
folding needs no calendar and a later change of holidays never rewrites a past appointment.

This module does no I/O.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import time
import unicodedata
import uuid as uuid_module
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from counter_app.domain.calendar import FIRST_YEAR, LAST_YEAR, VN_TZ, to_vn
from counter_app.domain.errors import RuleError, ValidationError
from counter_app.domain.text import money
from counter_app.domain.validation import CORRECTABLE, PARTY_LABELS, mask_id, parse_day, party_field_check

# ---------------------------------------------------------------------------------------------------
# National statuses (DVCQG TrangThaiHoSo)
# ---------------------------------------------------------------------------------------------------

STATUS_NAMES: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
"""National status codes and their official names."""

CLOSED_STATUSES = frozenset({3, 7, 8, 10})
"""Statuses after which nothing more happens to a dossier."""
OPEN_STATUSES = frozenset({1, 2, 4, 5, 6})
"""Statuses in which the dossier is still being handled (the due time matters)."""
PAUSED_STATUSES = frozenset({5})
"""Statuses in which the clock is stopped (waiting for extra papers)."""

EventKind = Literal[
    "received",
    "transferred",
    "extra_papers_requested",
    "extra_papers_received",
    "fee_requested",
    "fee_paid",
    "refused",
    "withdrawn",
    "stopped",
    "result_ready",
    "returned",
    "appointment_moved",
    "rated",
    "corrected",
]


@dataclass(frozen=True)
class Transition:
    """What one kind of event does to the status."""

    to_status: int | None
    """The status after the event; None keeps the current one."""
    allowed_from: frozenset[int]
    """Statuses in which the event may happen (empty: only as the first event)."""
    label: str
    """Vietnamese name of the step, as the official sees it."""
    needs_reason: bool = False
    """The step is refused without a reason (it is printed on a form)."""


TRANSITIONS: dict[str, Transition] = {
    "received": Transition(2, frozenset(), "Tiếp nhận hồ sơ"),
    "transferred": Transition(4, frozenset({2, 4}), "Chuyển xử lý"),
    "extra_papers_requested": Transition(5, frozenset({2, 4}), "Yêu cầu bổ sung hồ sơ", needs_reason=True),
    "extra_papers_received": Transition(4, frozenset({5}), "Nhận hồ sơ bổ sung"),
    "fee_requested": Transition(6, frozenset({2, 4}), "Yêu cầu nộp phí, lệ phí"),
    "fee_paid": Transition(4, frozenset({6}), "Đã nộp phí, lệ phí"),
    "refused": Transition(3, frozenset({2, 4, 5}), "Từ chối", needs_reason=True),
    "withdrawn": Transition(7, frozenset({2, 4, 5, 6}), "Rút hồ sơ", needs_reason=True),
    "stopped": Transition(8, frozenset({2, 4, 5, 6}), "Dừng xử lý", needs_reason=True),
    "result_ready": Transition(9, frozenset({2, 4}), "Có kết quả"),
    "returned": Transition(10, frozenset({9}), "Trả kết quả"),
    "appointment_moved": Transition(None, frozenset({2, 4, 5, 6}), "Hẹn lại ngày trả", needs_reason=True),
    # The citizen's satisfaction (DOMAIN.md §10), asked once the service is over; a later rating of
    # the same dossier replaces the earlier one (both stay in the history).
    "rated": Transition(None, CLOSED_STATUSES, "Đánh giá mức độ hài lòng"),
    # The applicant's details typed wrong at the counter (a name's mark, a digit of the ID number
    # or phone), put right while the dossier is handled or its result waits: every later form and
    # the national record carry the corrected details; the history keeps both.
    "corrected": Transition(None, frozenset({2, 4, 5, 6, 9}), "Sửa thông tin người nộp", needs_reason=True),
}
"""The lifecycle as a data table: event kind -> status change (DOMAIN.md §4)."""

STATUS_STEPS = frozenset(k for k, rule in TRANSITIONS.items() if rule.to_status is not None) - {"received"}
"""Steps that change a dossier's status."""

CONCURRENT_STEPS = STATUS_STEPS | {"appointment_moved"}
"""Steps that change where a dossier stands, in two lines that do not cross: its status, and the
appointment given to the citizen. Each carries, as ``after``, the uuid of the last step of its
line (or the receipt) the counter had folded when the official took it (:func:`step_line`). In a
fold in the hub's order, a step whose ``after`` is not the last of its line was taken on a dossier
another counter had meanwhile moved on along that line (the two apart): it is left out, on every
counter, as the one that reached the hub second. Before, it was left out only when the lifecycle
forbade it there: a transfer on one counter and a refusal at the counter on the other both stood
(the citizen held form 03, the fold said refused later), and of two appointments moved apart the
later one stood without a word to the citizen holding the other's apology. Steps of different
lines still both stand (papers asked for on one counter, the appointment moved on the other)."""


def step_line(kind: str) -> frozenset[str]:
    """The kinds whose last one a step of ``kind`` must follow (its line, with the receipt)."""
    return (
        frozenset({"appointment_moved", "received"})
        if kind == "appointment_moved"
        else STATUS_STEPS | {"received"}
    )


def followed_lines(kind: str) -> list[tuple[str, str]]:
    """``(payload key, line)`` of the steps a step of ``kind`` names as followed, a line being
    named by one of its kinds (see :func:`step_line`): its own line as ``after``; a refusal also
    the appointment's, as ``after_move``, since whether it was made at the counter (form 03, no
    receipt) depends on every step before it, a moved appointment included."""
    if kind not in CONCURRENT_STEPS:
        return []
    follows = [("after", kind)]
    if kind == "refused":
        follows.append(("after_move", "appointment_moved"))
    return follows


RATING_LEVELS: dict[int, str] = {
    5: "Rất hài lòng",
    4: "Hài lòng",
    3: "Bình thường",
    2: "Không hài lòng",
    1: "Rất không hài lòng",
}
"""The five satisfaction levels (DOMAIN.md §10), best first; the number is what is stored."""

SATISFIED_LEVELS = frozenset({4, 5})
"""Levels counted as satisfied in the supervisor's satisfaction rate."""


def rating_level(value: Any) -> int | None:
    """The level 1-5 in ``value`` (an int or its digits), or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in RATING_LEVELS else None
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) == 1 and int(text) in RATING_LEVELS else None


def status_name(code: int) -> str:
    """The official Vietnamese name of a national status code."""
    return STATUS_NAMES.get(code, f"Trạng thái {code}")


# ---------------------------------------------------------------------------------------------------
# Value objects
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """A person or an organisation: the applicant who submits, or the owner of the dossier."""

    name: str
    kind: Literal["person", "organisation"] = "person"
    id_number: str = ""
    """Căn cước (12 digits), old CMND (9), passport, or an organisation's tax/registration number."""
    phone: str = ""
    email: str = ""
    address: str = ""
    birth_date: str = ""
    """ISO date (yyyy-mm-dd) when known, e.g. from the chip-ID QR."""
    representative: str = ""
    """For an organisation: the person who represents it at the counter."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "id_number": self.id_number,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
            "birth_date": self.birth_date,
            "representative": self.representative,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Party:
        return cls(
            name=str(data.get("name", "")),
            kind="organisation" if data.get("kind") == "organisation" else "person",
            id_number=str(data.get("id_number", "")),
            phone=str(data.get("phone", "")),
            email=str(data.get("email", "")),
            address=str(data.get("address", "")),
            birth_date=str(data.get("birth_date", "")),
            representative=str(data.get("representative", "")),
        )


@dataclass(frozen=True)
class DocumentItem:
    """One paper handed in, with how many originals, certified copies and photocopies."""

    name: str
    originals: int = 0
    certified: int = 0
    copies: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "originals": self.originals,
            "certified": self.certified,
            "copies": self.copies,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> DocumentItem:
        if isinstance(data, str):
            return cls(name=data, originals=1)
        return cls(
            name=str(data.get("name", "")),
            originals=int(data.get("originals", 0) or 0),
            certified=int(data.get("certified", 0) or 0),
            copies=int(data.get("copies", 0) or 0),
        )


RETURN_METHODS: dict[str, str] = {
    "counter": "Tại Bộ phận Một cửa",
    "post": "Qua dịch vụ bưu chính công ích",
    "online": "Trực tuyến",
}
"""Where the citizen collects the result (receipt field 8)."""


# ---------------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    """A citizen's satisfaction with one dossier's service."""

    level: int
    """1-5, see :data:`RATING_LEVELS`."""
    at: datetime
    rater: str = ""
    """Who gave it (the applicant, or whoever collected the result)."""
    comment: str = ""
    official: str = ""
    """The official who recorded it."""

    @property
    def label(self) -> str:
        return RATING_LEVELS.get(self.level, str(self.level))

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "label": self.label,
            "at": format_time(self.at),
            "rater": self.rater,
            "comment": self.comment,
            "official": self.official,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rating:
        return cls(
            level=int(data["level"]),
            at=parse_time(str(data["at"])),
            rater=str(data.get("rater", "")),
            comment=str(data.get("comment", "")),
            official=str(data.get("official", "")),
        )


@dataclass(frozen=True)
class FeeRequest:
    """A fee or tax the office asked the citizen to pay while handling the dossier (status 6),
    apart from the fee taken at the counter; paid once the citizen has paid it."""

    amount: int
    requested_at: datetime
    paid_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "amount": self.amount,
            "requested_at": format_time(self.requested_at),
            "paid_at": format_time(self.paid_at) if self.paid_at else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeeRequest:
        paid = data.get("paid_at")
        return cls(
            amount=int(data["amount"]),
            requested_at=parse_time(str(data["requested_at"])),
            paid_at=parse_time(str(paid)) if paid else None,
        )

    def describe_vi(self) -> str:
        """``500.000 đồng, đã nộp 15:20 25/11/2026`` or ``…, chưa nộp``."""
        paid = f"đã nộp {to_vn(self.paid_at):%H:%M %d/%m/%Y}" if self.paid_at else "chưa nộp"
        return f"{money(self.amount)}, {paid}"


def format_time(dt: datetime) -> str:
    """Canonical time text: ISO 8601, seconds, Vietnam offset (``2025-04-24T09:00:00+07:00``)."""
    return to_vn(dt).replace(microsecond=0).isoformat()


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 time with an offset into Vietnam time.

    Raises:
        ValueError: no offset, not a time, or outside the years a counter's time may fall in
            (``FIRST_YEAR``-``LAST_YEAR``; year 9999 would overflow on its way to Vietnam time).
    """
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise ValueError(f"time without offset: {text!r}")
    if not FIRST_YEAR <= dt.year <= LAST_YEAR:
        raise ValueError(f"time outside {FIRST_YEAR}-{LAST_YEAR}: {text!r}")
    vn = dt.astimezone(VN_TZ)
    if not FIRST_YEAR <= vn.year <= LAST_YEAR:
        # In range as written, not in Vietnam time (2000-01-01T00:00+14:00): stored as Vietnam
        # time, it would fail this very check when read back, and every later read with it.
        raise ValueError(f"time outside {FIRST_YEAR}-{LAST_YEAR} in Vietnam time: {text!r}")
    return vn


MAX_NESTING = 32
"""How deep lists and objects may nest in an event's payload (a counter's own go 4 levels deep)."""


def nesting(value: Any) -> int:
    """How deep lists and objects nest in ``value`` (0 for a scalar), counted without recursion:
    a hostile payload nested 100,000 deep is measured, not a crash."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            return deepest  # deep enough to refuse: the rest need not be walked
        stack.extend((child, depth) for child in children)
    return deepest


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(value: Any) -> bool:
    """Whether a lone UTF-16 surrogate (JSON ``"\\ud800"``) is in any text of ``value``, keys
    included. Such text cannot be encoded: an event holding one can be neither stored nor sent."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def _canonical_value(value: Any) -> Any:
    # Exact types first (the common case, no ABC checks), then the general ones.
    kind = type(value)
    if kind is str:
        return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    if kind is dict:
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_canonical_value(v) for v in value]
    if value is None or kind is int or kind is bool:
        return value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", str(value))
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, Mapping):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):  # an IntEnum, say: its number
        return int(value)
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        return value
    raise TypeError(f"cannot serialise {type(value).__name__} in an event")


@dataclass(frozen=True)
class Event:
    """One immutable change to one dossier."""

    uuid: str
    dossier_code: str
    kind: str
    occurred_at: datetime
    actor: str
    """Who did it (the official's name, or the hub's department)."""
    counter_id: str
    """Which counter recorded it: ``<agency id>#<counter number>``."""
    payload: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON-ready form (NFC text, Vietnam times)."""
        return {
            "uuid": self.uuid,
            "dossier_code": _canonical_value(self.dossier_code),
            "kind": self.kind,
            "occurred_at": format_time(self.occurred_at),
            "actor": _canonical_value(self.actor),
            "counter_id": _canonical_value(self.counter_id),
            "payload": _canonical_value(dict(self.payload)),
        }

    def canonical(self) -> str:
        """The one serialisation of this event: sorted keys, no spaces, UTF-8 text."""
        return json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Event:
        """Read an event (from the store or the wire).

        Raises:
            ValidationError: a field is missing or of the wrong type.
        """
        from counter_app.domain.errors import FieldError

        try:
            payload = data.get("payload") or {}
            if not isinstance(payload, Mapping):
                raise ValueError("payload is not an object")
            if nesting(payload) > MAX_NESTING:
                # No counter writes one so deep; storing it would fail its canonical form (the
                # recursion limit) at every read, on every counter of the commune.
                raise ValueError(f"payload nested deeper than {MAX_NESTING} levels")
            if has_surrogate(data):
                # It could not be written (SQLite takes UTF-8): pulled, the page failed at every run.
                raise ValueError("text holding a lone surrogate (U+D800-DFFF)")
            return cls(
                uuid=str(uuid_module.UUID(str(data["uuid"]))),
                dossier_code=str(data["dossier_code"]),
                kind=str(data["kind"]),
                occurred_at=parse_time(str(data["occurred_at"])),
                actor=str(data.get("actor", "")),
                counter_id=str(data.get("counter_id", "")),
                payload=dict(payload),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise ValidationError(FieldError("event", f"Sự kiện không hợp lệ ({exc}).")) from exc


def uuid7() -> uuid_module.UUID:
    """A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then 74 random bits.

    Events are appended in time order, so their uuids land at the end of the unique index instead
    of on a random page (a measurably cheaper save on a large database). The standard library has
    ``uuid.uuid7`` only from Python 3.14.
    """
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits, 74 used
    value = (millis & (1 << 48) - 1) << 80 | 0x7 << 76 | (rand >> 62 & 0xFFF) << 64 | 0b10 << 62
    return uuid_module.UUID(int=value | rand & (1 << 62) - 1)


def new_event(
    dossier_code: str,
    kind: str,
    occurred_at: datetime,
    actor: str,
    counter_id: str,
    payload: Mapping[str, Any] | None = None,
) -> Event:
    """Make a new event with a fresh uuid (version 7: unique, and ordered by creation time)."""
    return Event(
        uuid=str(uuid7()),
        dossier_code=dossier_code,
        kind=kind,
        occurred_at=to_vn(occurred_at),
        actor=actor,
        counter_id=counter_id,
        payload=dict(payload or {}),
    )


# ---------------------------------------------------------------------------------------------------
# The dossier: a projection of its events
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryStep:
    """One line of the dossier's timeline."""

    at: datetime
    kind: str
    label: str
    actor: str
    status: int
    detail: str = ""


@dataclass(frozen=True)
class Dossier:
    """The current state of one dossier, folded from its events."""

    code: str
    status: int
    procedure_code: str
    procedure_name: str
    field: str
    applicant: Party
    owner: Party | None
    documents: tuple[DocumentItem, ...]
    sets: int
    fee_amount: int
    fee_text: str
    legal_limit: str
    """The legal time limit as printed ("03 ngày làm việc")."""
    receiving_agency_id: str
    receiving_agency_name: str
    commune_code: str
    counter_no: int
    deciding_agency_id: str
    deciding_agency_name: str
    received_at: datetime
    due_at: datetime
    return_method: str
    logbook_volume: str
    logbook_entry: int
    summary: str = ""
    """Trích yếu: a short note of what is asked."""
    paused_at: datetime | None = None
    transferred_at: datetime | None = None
    result_at: datetime | None = None
    """When the deciding agency finished (status 9)."""
    returned_at: datetime | None = None
    closed_at: datetime | None = None
    """When the dossier reached a closed status (3, 7, 8, 10)."""
    last_reason: str = ""
    handled_by: str = ""
    """Who handles the dossier since its latest transfer (an office or official named then; "" if
    none was named). The deciding authority stays as it was on the day of receipt (DOMAIN §1)."""
    extra_papers: tuple[DocumentItem, ...] = ()
    """Papers asked for in the latest extra-papers request."""
    appointment_moves: int = 0
    original_due_at: datetime | None = None
    statutory_due_at: datetime | None = None
    """The due time by the procedure's time limit once an appointment was moved: the appointment
    in force before the first move, later shifted only by time waited for papers. An apology gives
    the citizen a new date; it does not extend the time limit. None while never moved (then it is
    ``due_at``)."""
    events: int = 0
    updated_at: datetime | None = None
    rating: Rating | None = None
    """The citizen's latest satisfaction rating, once given."""
    digitised: bool = False
    """The papers were scanned into the system at the counter (số hóa, Decree 118/2025)."""
    fee_requests: tuple[FeeRequest, ...] = ()
    """Fees asked for while the dossier was handled (status 6), oldest first."""
    corrections: int = 0
    """How many times the applicant's details were corrected (``corrected`` events)."""
    refused_at_intake: bool = False
    """Refused at the counter: the refusal was the first step after the receipt, on its day. The
    citizen left with the refusal form (form 03) instead of a receipt, so the dossier has no
    appointment and is not counted as received. One refused later (after extra papers, a fee, a
    transfer, or on another day) had been received, and had its receipt."""
    last_step: str = dataclasses.field(default="", compare=False, repr=False)
    """The uuid of the receipt or of the last of ``STATUS_STEPS`` folded in; "" for a dossier read
    from its stored projection, which does not keep it (nothing is then checked against it: a step
    taken here is taken on the dossier as it stands). See ``CONCURRENT_STEPS``."""
    last_move: str = dataclasses.field(default="", compare=False, repr=False)
    """The same for the appointment: the receipt or the last ``appointment_moved``."""

    @property
    def status_name(self) -> str:
        return status_name(self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status in PAUSED_STATUSES

    @property
    def appointment_at(self) -> datetime | None:
        """The appointment given to the citizen: the due time, or None for a dossier refused at
        the counter (form 03 given, no receipt: the logbook, the screen and ``counter show``
        print none)."""
        return None if self.refused_at_intake else self.due_at

    def is_overdue(self, now: datetime) -> bool:
        """Derived, never stored: open, not paused, and now is past the due time."""
        return self.is_open and not self.is_paused and now > self.due_at

    @property
    def rule_due_at(self) -> datetime:
        """The due time the time limit sets (see ``statutory_due_at``): what early, on time and
        late are judged against."""
        return self.statutory_due_at or self.due_at

    def timeliness(self) -> Literal["early", "on_time", "late"] | None:
        """For a finished dossier: early (before the due day), on time (the due day), or late,
        against the time limit: a dossier whose appointment was moved with an apology and finished
        after the first due time is late, whatever date the apology gave."""
        finished = self.result_at
        if finished is None:
            return None
        due = self.rule_due_at
        if finished > due:
            return "late"
        if finished.date() < due.date():
            return "early"
        return "on_time"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view for the CLI and exports (full ID number: callers mask it if needed)."""
        return {
            "code": self.code,
            "status": self.status,
            "status_name": self.status_name,
            "procedure": {"code": self.procedure_code, "name": self.procedure_name},
            "field": self.field,
            "applicant": self.applicant.to_json(),
            "owner": self.owner.to_json() if self.owner else None,
            "documents": [d.to_json() for d in self.documents],
            "sets": self.sets,
            "fee": self.fee_amount,
            "fee_text": self.fee_text,
            "legal_limit": self.legal_limit,
            "receiving_agency": {
                "id": self.receiving_agency_id,
                "name": self.receiving_agency_name,
                "commune_code": self.commune_code,
                "counter": self.counter_no,
            },
            "deciding_agency": {"id": self.deciding_agency_id, "name": self.deciding_agency_name},
            "received_at": format_time(self.received_at),
            "due": format_time(self.due_at),
            "original_due": format_time(self.original_due_at) if self.original_due_at else None,
            # Only once moved: projections of dossiers never moved stay byte-equal to a rebuild.
            **({"statutory_due": format_time(self.statutory_due_at)} if self.statutory_due_at else {}),
            "return_method": self.return_method,
            "logbook": {"volume": self.logbook_volume, "entry": self.logbook_entry},
            "summary": self.summary,
            "paused_at": format_time(self.paused_at) if self.paused_at else None,
            "transferred_at": format_time(self.transferred_at) if self.transferred_at else None,
            "result_at": format_time(self.result_at) if self.result_at else None,
            "returned_at": format_time(self.returned_at) if self.returned_at else None,
            "closed_at": format_time(self.closed_at) if self.closed_at else None,
            "last_reason": self.last_reason,
            # Only once named: projections of dossiers never transferred by name stay byte-equal.
            **({"handled_by": self.handled_by} if self.handled_by else {}),
            # Only when digitised: projections of dossiers of before stay byte-equal to a rebuild.
            **({"digitised": True} if self.digitised else {}),
            "extra_papers": [d.to_json() for d in self.extra_papers],
            "appointment_moves": self.appointment_moves,
            "events": self.events,
            "updated_at": format_time(self.updated_at) if self.updated_at else None,
            # Only once rated: projections stored before ratings existed stay byte-equal to a rebuild.
            **({"rating": self.rating.to_json()} if self.rating else {}),
            # Only once a fee was asked for, for the same reason.
            **({"fee_requests": [f.to_json() for f in self.fee_requests]} if self.fee_requests else {}),
            # Only when refused at the counter, for the same reason.
            **({"refused_at_counter": True} if self.refused_at_intake else {}),
            # Only once corrected, for the same reason.
            **({"corrections": self.corrections} if self.corrections else {}),
        }


def dossier_from_json(data: Mapping[str, Any]) -> Dossier:
    """Rebuild a :class:`Dossier` from :meth:`Dossier.to_json` (the stored projection)."""

    def opt(key: str) -> datetime | None:
        value = data.get(key)
        return parse_time(value) if value else None

    owner = data.get("owner")
    return Dossier(
        code=data["code"],
        status=int(data["status"]),
        procedure_code=data["procedure"]["code"],
        procedure_name=data["procedure"]["name"],
        field=data["field"],
        applicant=Party.from_json(data["applicant"]),
        owner=Party.from_json(owner) if owner else None,
        documents=tuple(DocumentItem.from_json(d) for d in data["documents"]),
        sets=int(data["sets"]),
        fee_amount=int(data["fee"]),
        fee_text=data["fee_text"],
        legal_limit=data["legal_limit"],
        receiving_agency_id=data["receiving_agency"]["id"],
        receiving_agency_name=data["receiving_agency"]["name"],
        commune_code=data["receiving_agency"]["commune_code"],
        counter_no=int(data["receiving_agency"]["counter"]),
        deciding_agency_id=data["deciding_agency"]["id"],
        deciding_agency_name=data["deciding_agency"]["name"],
        received_at=parse_time(data["received_at"]),
        due_at=parse_time(data["due"]),
        original_due_at=opt("original_due"),
        statutory_due_at=opt("statutory_due"),
        return_method=data["return_method"],
        logbook_volume=data["logbook"]["volume"],
        logbook_entry=int(data["logbook"]["entry"]),
        summary=data.get("summary", ""),
        paused_at=opt("paused_at"),
        transferred_at=opt("transferred_at"),
        result_at=opt("result_at"),
        returned_at=opt("returned_at"),
        closed_at=opt("closed_at"),
        last_reason=data.get("last_reason", ""),
        handled_by=data.get("handled_by", ""),
        extra_papers=tuple(DocumentItem.from_json(d) for d in data.get("extra_papers", [])),
        appointment_moves=int(data.get("appointment_moves", 0)),
        events=int(data.get("events", 0)),
        updated_at=opt("updated_at"),
        rating=Rating.from_json(data["rating"]) if data.get("rating") else None,
        digitised=data.get("digitised") is True,
        fee_requests=tuple(FeeRequest.from_json(f) for f in data.get("fee_requests", [])),
        refused_at_intake=data.get("refused_at_counter") is True,
        corrections=int(data.get("corrections", 0)),
    )


def check_transition(dossier: Dossier | None, event: Event) -> None:
    """Refuse an event the lifecycle does not allow, with a reason the official understands.

    Raises:
        RuleError: the event cannot happen to this dossier now.
    """
    rule = TRANSITIONS.get(event.kind)
    if rule is None:
        raise RuleError(f"Không có bước xử lý «{event.kind}».")
    if event.kind == "received":
        if dossier is not None:
            raise RuleError(f"Hồ sơ {event.dossier_code} đã được tiếp nhận trước đó.")
        return
    if dossier is None:
        raise RuleError(f"Không có hồ sơ {event.dossier_code}.")
    if dossier.status not in rule.allowed_from and event.kind == "rated":
        raise RuleError(
            f"Chưa đánh giá được hồ sơ {dossier.code}: công dân đánh giá khi việc giải quyết đã kết thúc "
            f"(đã trả kết quả, từ chối, rút hoặc dừng); hồ sơ đang ở trạng thái «{dossier.status_name}»."
        )
    if dossier.status not in rule.allowed_from:
        raise RuleError(
            f"Không thể «{rule.label.lower()}» hồ sơ {dossier.code}: "
            f"hồ sơ đang ở trạng thái «{dossier.status_name}»."
        )
    if rule.needs_reason and not str(event.payload.get("reason", "")).strip():
        raise RuleError(f"Cần ghi lý do để «{rule.label.lower()}».")
    if event.kind == "rated" and dossier.rating is not None:
        r = dossier.rating
        raise RuleError(
            f"Hồ sơ {dossier.code} đã được đánh giá lúc {r.at:%H:%M} "
            f"{r.at.day:02d}/{r.at.month:02d}/{r.at.year} («{RATING_LEVELS.get(r.level, r.level)}»); "
            "mỗi hồ sơ chỉ đánh giá một lần."
        )
    if event.kind == "rated" and rating_level(event.payload.get("level")) is None:
        raise RuleError("Mức độ hài lòng phải là một số từ 1 (rất không hài lòng) đến 5 (rất hài lòng).")
    if event.occurred_at < dossier.received_at:
        raise RuleError("Thời điểm xử lý không được trước thời điểm tiếp nhận hồ sơ.")


def _time(payload: Mapping[str, Any], key: str) -> datetime:
    return parse_time(str(payload[key]))


def _received(event: Event) -> Dossier:
    p = event.payload
    owner = p.get("owner")
    return Dossier(
        code=event.dossier_code,
        status=2,
        procedure_code=str(p["procedure"]["code"]),
        procedure_name=str(p["procedure"]["name"]),
        field=str(p["procedure"].get("field", "")),
        applicant=Party.from_json(p["applicant"]),
        owner=Party.from_json(owner) if owner else None,
        documents=tuple(DocumentItem.from_json(d) for d in p.get("documents", [])),
        sets=int(p.get("sets", 1)),
        fee_amount=int(p.get("fee", {}).get("amount", 0)),
        fee_text=str(p.get("fee", {}).get("text", "")),
        legal_limit=str(p["procedure"].get("legal_limit", "")),
        receiving_agency_id=str(p["receiving"]["agency_id"]),
        receiving_agency_name=str(p["receiving"].get("name", "")),
        commune_code=str(p["receiving"].get("commune_code", "")),
        counter_no=int(p["receiving"].get("counter", 0)),
        deciding_agency_id=str(p.get("deciding", {}).get("id", "")),
        deciding_agency_name=str(p.get("deciding", {}).get("name", "")),
        received_at=event.occurred_at,
        due_at=_time(p, "due_at"),
        original_due_at=_time(p, "due_at"),
        return_method=str(p.get("return_method", "counter")),
        logbook_volume=str(p.get("logbook", {}).get("volume", "")),
        logbook_entry=int(p.get("logbook", {}).get("entry", 0)),
        summary=str(p.get("summary", "")),
        events=1,
        updated_at=event.occurred_at,
        digitised=p.get("digitised") is True,
    )


def apply(dossier: Dossier | None, event: Event) -> Dossier:
    """Fold one event into the dossier.

    Raises:
        RuleError: the lifecycle does not allow this event now.
    """
    check_transition(dossier, event)
    if event.kind == "received":
        return replace(_received(event), last_step=event.uuid, last_move=event.uuid)
    assert dossier is not None
    rule = TRANSITIONS[event.kind]
    p = event.payload
    at = event.occurred_at
    changes: dict[str, Any] = {
        "events": dossier.events + 1,
        "updated_at": at,
        "status": rule.to_status if rule.to_status is not None else dossier.status,
    }
    kind = event.kind
    if kind in CONCURRENT_STEPS:
        line = "last_move" if kind == "appointment_moved" else "last_step"
        for key, of in followed_lines(kind):
            held = "last_move" if of == "appointment_moved" else "last_step"
            last, seen = getattr(dossier, held), p.get(key)
            if last and isinstance(seen, str) and seen != last:
                what = "hẹn lại ngày trả" if held == "last_move" else "chuyển bước"
                raise RuleError(
                    f"Bước «{rule.label}» được ghi khi nơi ghi chưa biết hồ sơ đã được {what} trước đó "
                    "(hai nơi cùng xử lý lúc chưa đồng bộ, hoặc máy được khôi phục từ bản sao lưu cũ): "
                    "không áp dụng, cán bộ giám sát xem lại."
                )
        changes[line] = event.uuid
    if "reason" in p and kind != "corrected":  # a correction's reason is not the dossier's
        changes["last_reason"] = str(p["reason"])
    if kind == "transferred":
        changes["transferred_at"] = dossier.transferred_at or at
        changes["handled_by"] = str(p.get("to_agency_name", ""))
    elif kind == "extra_papers_requested":
        changes["paused_at"] = at
        changes["extra_papers"] = tuple(DocumentItem.from_json(d) for d in p.get("papers", []))
    elif kind == "extra_papers_received":
        changes["paused_at"] = None
        worked = _time(p, "due_at")
        # Never earlier than the appointment in force: the papers' wait only moves it later. A
        # counter that had not yet heard of an appointment moved elsewhere (the two apart, then
        # synced) worked the new due from the appointment before the move: folded as sent, it
        # pulled the date the citizen was given with the apology back by days, with no word.
        changes["due_at"] = max(worked, dossier.due_at)
        if dossier.statutory_due_at is not None:  # the time limit moves by the wait too
            if p.get("statutory_due_at"):
                changes["statutory_due_at"] = _time(p, "statutory_due_at")
            elif worked < dossier.due_at:  # worked from the time limit, unaware of the move
                changes["statutory_due_at"] = max(worked, dossier.statutory_due_at)
            else:
                changes["statutory_due_at"] = dossier.statutory_due_at + (worked - dossier.due_at)
    elif kind == "appointment_moved":
        changes["due_at"] = _time(p, "due_at")
        changes["appointment_moves"] = dossier.appointment_moves + 1
        if dossier.statutory_due_at is None:
            changes["statutory_due_at"] = dossier.due_at
    elif kind == "fee_requested":
        amount = p.get("amount")
        if isinstance(amount, int) and not isinstance(amount, bool):
            changes["fee_requests"] = (*dossier.fee_requests, FeeRequest(amount, at))
    elif kind == "fee_paid" and dossier.fee_requests and dossier.fee_requests[-1].paid_at is None:
        changes["fee_requests"] = (*dossier.fee_requests[:-1], replace(dossier.fee_requests[-1], paid_at=at))
    elif kind == "refused":
        # The first step after the receipt (no other step but corrections yet), on the same day.
        changes["refused_at_intake"] = (
            dossier.events - dossier.corrections == 1
            and to_vn(at).date() == to_vn(dossier.received_at).date()
        )
    elif kind == "result_ready":
        changes["result_at"] = at
    elif kind == "returned":
        changes["returned_at"] = at
    elif kind == "corrected":
        changes["corrections"] = dossier.corrections + 1
        changes.update(_corrected(dossier, p, at))
    elif kind == "rated":
        changes["rating"] = Rating(
            level=int(p["level"]),
            at=at,
            rater=str(p.get("rater", "")),
            comment=str(p.get("comment", "")),
            official=event.actor,
        )
    if rule.to_status in CLOSED_STATUSES:
        changes["closed_at"] = at
        changes["paused_at"] = None
    return replace(dossier, **changes)


def fold(events: Iterable[Event]) -> Dossier:
    """Fold a dossier's events (in recorded order) into its current state.

    Raises:
        RuleError: no events, or one the lifecycle refuses.
    """
    state: Dossier | None = None
    for event in events:
        state = apply(state, event)
    if state is None:
        raise RuleError("Hồ sơ không có sự kiện nào.")
    return state


def holder_handed_on(dossier: Dossier, kinds: Iterable[str]) -> str | None:
    """Who holds a dossier the centre handed on, from its steps' kinds in order: None while it is at
    the centre (never handed on, or back with the extra papers received there). A further transfer
    must name another agency: a hop with no destination, or to the holder itself, would print a
    hand-over from an agency to itself on the control slip. A first hop that named no one went to
    the deciding agency."""
    moves = [kind for kind in kinds if kind in ("transferred", "extra_papers_received")]
    if not moves or moves[-1] != "transferred":
        return None
    return dossier.handled_by or dossier.deciding_agency_name or "cơ quan giải quyết"


def received_again_said(again: Mapping[str, Any]) -> str:
    """The history's words for a receipt made again under a new code (``Desk.receive_again``)."""
    said = f"Tiếp nhận lại với mã mới thay mã {again.get('code', '')} (mã đã cấp trùng cho hồ sơ khác)"
    try:
        at = to_vn(parse_time(str(again.get("at", ""))))
    except ValueError:
        return said
    return f"{said}; {again.get('by', '')} ghi lúc {at:%H:%M %d/%m/%Y}"


CORRECTED_ROLES = {"applicant": "", "owner": "chủ hồ sơ"}
"""The parties a correction may change, with how the history names the second's fields."""


def correction_fields(payload: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """A correction's changes as (role, field, from, to), in the payload's order.

    Raises:
        RuleError: not a correction a counter writes (a field it does not correct, values not
            text, nothing to change).
    """
    unreadable = RuleError("Bước sửa thông tin không đọc được (không phải do quầy ghi).")
    changes = []
    for role in CORRECTED_ROLES:
        given = payload.get(role)
        if given is None:
            continue
        if not isinstance(given, Mapping) or not given:
            raise unreadable
        for key, change in given.items():
            if key not in CORRECTABLE or not isinstance(change, Mapping):
                raise unreadable
            before, after = change.get("from"), change.get("to")
            if not isinstance(before, str) or not isinstance(after, str) or before == after:
                raise unreadable
            changes.append((role, key, before, after))
    if not changes:
        raise unreadable
    return changes


def _corrected(dossier: Dossier, p: Mapping[str, Any], at: datetime) -> dict[str, Party]:
    """The parties a correction makes: each field changed from what the official saw to what they
    typed, checked by the intake's rules (an event from the hub is checked as one typed here).

    Only the fields changed travel, each with the value it replaced: a correction made where
    another was not yet seen keeps that one's other fields; one made over a value it never saw
    (the same field corrected otherwise elsewhere, or the step of another citizen's receipt left
    out under a code issued twice) is refused, and so left out for a person to look at.

    Raises:
        RuleError: as above, naming the field.
    """
    parties: dict[str, Party] = {}
    values: dict[str, dict[str, Any]] = {}
    for role, key, before, after in correction_fields(p):
        party = dossier.applicant if role == "applicant" else dossier.owner
        if party is None:
            raise RuleError("Hồ sơ không ghi chủ hồ sơ khác người nộp: không có thông tin chủ hồ sơ để sửa.")
        label = _field_label(role, key, party.kind)
        current = getattr(party, key)
        if current == after:
            continue  # made already (the same correction made at two counters)
        if current != before:
            raise RuleError(
                f"«{label}» của hồ sơ đang là «{_said(key, current)}», không phải «{_said(key, before)}» "
                "như lúc sửa: bước sửa không áp dụng."
            )
        check = party_field_check(key, after, to_vn(at).date(), party.kind, required=key == "name")
        if check is not None and check.error:
            raise RuleError(f"{label}: {check.error}")
        values.setdefault(role, {})[key] = check.value if check is not None else after
    for role, changed in values.items():
        party = dossier.applicant if role == "applicant" else dossier.owner
        assert party is not None
        parties[role] = replace(party, **changed)
    return parties


def _field_label(role: str, key: str, kind: str) -> str:
    label = "Tên tổ chức" if key == "name" and kind == "organisation" else PARTY_LABELS[key]
    return f"{label} {CORRECTED_ROLES[role]}".strip()


def _said(key: str, value: str) -> str:
    """A field's value as the history says it: an ID number masked, a birth date as dd/mm/yyyy."""
    if not value:
        return "(trống)"
    if key == "id_number":
        return mask_id(value)
    day = parse_day(value) if key == "birth_date" else None
    return f"{day:%d/%m/%Y}" if day else value


def corrected_said(payload: Mapping[str, Any], kind: str = "person") -> str:
    """The history's words for a correction, from its event alone: each field as it was and as it
    is ("" when the event cannot be read)."""
    try:
        changes = correction_fields(payload)
    except RuleError:
        return ""
    return "Đã sửa " + "; ".join(
        f"{_field_label(role, key, kind)}: {_said(key, before)} → {_said(key, after)}"
        for role, key, before, after in changes
    )


def former_id_numbers(events: Iterable[Event]) -> set[str]:
    """The ID numbers corrections replaced: printed on a receipt given before the correction."""
    numbers = set()
    for event in events:
        if event.kind == "corrected":
            with contextlib.suppress(RuleError):
                changes = correction_fields(event.payload)
                numbers |= {before for _role, key, before, _after in changes if key == "id_number" and before}
    return numbers


def history(events: Iterable[Event]) -> list[HistoryStep]:
    """The timeline of a dossier, one step per event, for the dossier screen and the control slip."""
    steps: list[HistoryStep] = []
    state: Dossier | None = None
    for event in events:
        before = state
        state = apply(state, event)
        rule = TRANSITIONS[event.kind]
        p = event.payload
        detail_parts = []
        if event.kind == "corrected" and before is not None:
            detail_parts.append(corrected_said(p, before.applicant.kind))
        if p.get("to_agency_name"):
            detail_parts.append(f"Đến: {p['to_agency_name']}")
        again = p.get("received_again") if event.kind == "received" else None
        if isinstance(again, Mapping):
            detail_parts.append(received_again_said(again))
        if event.kind == "extra_papers_requested" and p.get("papers"):
            names = [str(d.get("name", d)) if isinstance(d, dict) else str(d) for d in p["papers"]]
            detail_parts.append("Cần bổ sung: " + ", ".join(names))
        if event.kind == "fee_requested" and isinstance(p.get("amount"), int):
            detail_parts.append(f"Số tiền: {money(p['amount'])}")
        if p.get("receiver"):
            detail_parts.append(f"Người nhận: {p['receiver']}")
        if p.get("reason"):
            detail_parts.append(f"Lý do: {p['reason']}")
        if p.get("legal_basis"):  # of a stop: recorded, and now shown where the reason is
            detail_parts.append(f"Căn cứ pháp lý: {p['legal_basis']}")
        if event.kind == "rated":
            detail_parts.append(f"Mức độ: {RATING_LEVELS.get(int(p['level']), p['level'])}")
            if p.get("rater"):
                detail_parts.append(f"Người đánh giá: {p['rater']}")
            if p.get("comment"):
                detail_parts.append(f"Ý kiến: {p['comment']}")
        if p.get("note"):
            detail_parts.append(str(p["note"]))
        if event.kind in ("appointment_moved", "extra_papers_received"):
            detail_parts.append("Hẹn trả mới: " + parse_time(str(p["due_at"])).strftime("%H:%M %d/%m/%Y"))
        steps.append(
            HistoryStep(
                at=event.occurred_at,
                kind=event.kind,
                label=rule.label,
                actor=event.actor,
                status=state.status,
                detail="; ".join(detail_parts),
            )
        )
    return steps


def allowed_steps(dossier: Dossier) -> list[str]:
    """Event kinds that may happen to this dossier now (for the screen's key hints)."""
    return [
        kind
        for kind, rule in TRANSITIONS.items()
        if kind != "received"
        and dossier.status in rule.allowed_from
        and not (kind == "rated" and dossier.rating is not None)  # once (Desk.rate)
    ]
