"""The reference city hub: a small HTTP server that relays dossier events between a commune's counters.

It is a raw ASGI 3 application (no web framework) over one SQLite file, so it runs anywhere Python and
uvicorn do, and so the counter's sync client can be tested against the real thing. The wire contract
(v1) is described in ``sync/openapi.json``; this module is its reference implementation.

Tokens are stored as SHA-256 hex digests only: a copy of the hub database does not hand out access.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import math
import os
import re
import sqlite3
import sys
import uuid as uuid_module
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from counter_app.domain.calendar import FIRST_YEAR, LAST_YEAR, VN_TZ
from counter_app.domain.codes import AGENCY_IN_CODE, WRITTEN_CODE
from counter_app.domain.dossier import MAX_NESTING, TRANSITIONS
from sync.lookup import MAX_CODE, Tries, answer, fold_texts
from sync.national import dossier_record, progress_steps

__all__ = [
    "DEFAULT_CATALOG",
    "add_city_token",
    "add_counter",
    "canonical_text",
    "create_app",
    "export_national",
    "main",
    "open_hub_db",
]

log = logging.getLogger("sync.hub")

DEFAULT_CATALOG = Path(__file__).resolve().parent.parent / "counter_app" / "data" / "procedures.json"

MAX_EVENTS = 500
MAX_BODY_BYTES = 5 * 1024 * 1024
MAX_STRING_CHARS = 10_000
MAX_PAYLOAD_BYTES = 100 * 1024
MAX_DEPTH = MAX_NESTING
"""How deep arrays and objects may nest in a payload, the counter's own bound: a counter's is a few
levels deep, and one 600 levels deep, stored, crashed every counter of the commune (RecursionError)
at every pull."""
BODY_SECONDS = 30.0
"""How long a request body may take to arrive in full; then 408. A body shorter than its
Content-Length held its connection (and a task) for ever."""
DEFAULT_LIMIT = 500
MAX_LIMIT = 1000
MAX_SCAN = 5000
"""Rows one pull reads at most, the caller's own skipped ones included: a counter that pushed a year
of events and pulls without ``own`` gets an empty page with the cursor moved on (``more``), not one
request that reads the whole year."""
CITY_SOURCE = "city"
"""The ``source`` of events pushed with a city token (a counter id can never be this word)."""

EVENT_FIELDS: dict[str, type] = {
    "uuid": str,
    "dossier_code": str,
    "kind": str,
    "occurred_at": str,
    "actor": str,
    "counter_id": str,
    "payload": dict,
}

_ISO_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DOSSIER_CODE = WRITTEN_CODE
"""What a counter writes as a dossier code (the counter's own rule: it skips any other it pulls)."""
_SURROGATE = re.compile("[\ud800-\udfff]")
"""A lone surrogate: what ``"\\ud800"`` in JSON decodes to; it cannot be encoded as UTF-8."""
_DIGITS = re.compile(r"[0-9]{1,18}")
"""A cursor or a limit: plain decimal digits, short enough to stay inside SQLite's 64-bit integers."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE,
    commune_code TEXT NOT NULL,
    source TEXT NOT NULL,
    dossier_code TEXT NOT NULL,
    canonical TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_commune ON events (commune_code, seq);
CREATE INDEX IF NOT EXISTS events_by_dossier ON events (dossier_code, seq);
CREATE TABLE IF NOT EXISTS tokens (
    token_sha256 TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('counter', 'city')),
    commune_code TEXT NOT NULL,
    counter_id TEXT
);
"""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


# --- storage ---------------------------------------------------------------------------------------


def open_hub_db(db_path: Path | str) -> sqlite3.Connection:
    """Open the hub database (creating the schema if missing) in autocommit mode.

    Autocommit lets callers write explicit ``BEGIN IMMEDIATE`` transactions: a push batch is all or
    nothing, and writers are serialised so hub sequence numbers become visible in order (a puller never
    sees seq N+1 before N and skips N forever).
    """
    path = Path(db_path)
    if not path.exists():
        # Owner-only, as every counter file is: it holds the commune's citizens (names, ID numbers).
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    conn = connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(SCHEMA)
    return conn


def connect(db_path: Path | str) -> sqlite3.Connection:
    """A connection to an existing hub database; synchronous=FULL so a 200 means the batch is on disk."""
    conn = sqlite3.connect(str(db_path), isolation_level=None, timeout=30)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def token_digest(token: str) -> str:
    """SHA-256 hex of a token: the only form the hub keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _store_token(
    db_path: Path | str, token: str, kind: str, commune_code: str, counter_id: str | None
) -> None:
    """Insert or replace one token (re-issuing a token moves it to its new holder)."""
    if not token:
        raise ValueError("the token must not be empty")
    if not commune_code:
        raise ValueError("the commune code must not be empty")
    conn = open_hub_db(db_path)
    try:
        conn.execute(
            "INSERT INTO tokens (token_sha256, kind, commune_code, counter_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (token_sha256) DO UPDATE SET kind = excluded.kind,"
            " commune_code = excluded.commune_code, counter_id = excluded.counter_id",
            (token_digest(token), kind, commune_code, counter_id),
        )
    finally:
        conn.close()


def add_counter(db_path: Path | str, token: str, commune_code: str, counter_id: str) -> None:
    """Give a counter of a commune a token; its pushes must carry its own counter id."""
    if not counter_id or counter_id == CITY_SOURCE:
        raise ValueError(f"the counter id must not be empty or {CITY_SOURCE!r}")
    _store_token(db_path, token, "counter", commune_code, counter_id)


def add_city_token(db_path: Path | str, token: str, commune_code: str) -> None:
    """Give the city a token for one commune; it may push events of any counter and reads them all."""
    _store_token(db_path, token, "city", commune_code, None)


@dataclass(frozen=True)
class Caller:
    """Who a valid token belongs to."""

    commune_code: str
    counter_id: str | None
    """None for a city token."""

    @property
    def source(self) -> str:
        """What the hub records as the origin of this caller's events."""
        return self.counter_id if self.counter_id is not None else CITY_SOURCE


def find_caller(conn: sqlite3.Connection, token: str) -> Caller | None:
    """The holder of a token, or None when the hub does not know it."""
    row = conn.execute(
        "SELECT kind, commune_code, counter_id FROM tokens WHERE token_sha256 = ?", (token_digest(token),)
    ).fetchone()
    if row is None:
        return None
    kind, commune_code, counter_id = row
    return Caller(commune_code=commune_code, counter_id=counter_id if kind == "counter" else None)


# --- events: validation ----------------------------------------------------------------------------


class BadRequest(Exception):
    """A request the hub refuses; carries the HTTP status and the English message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def canonical_text(value: Any) -> str:
    """The one serialisation of an event (and of a payload, to measure it): sorted keys, no spaces."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _reject_constant(name: str) -> Any:
    """Refuse NaN and Infinity: they are not JSON, and the canonical text would not be either."""
    raise ValueError(f"{name} is not allowed in JSON")


def _one_of_each_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys come once each. ``{"kind": "received", "kind": "withdrawn"}`` was
    judged on the last value, where a counter reading the same text refuses it: the two would
    disagree on what the event is."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"key {key[:40]!r} appears twice in one object")
        data[key] = value
    return data


def parse_json_body(body: bytes) -> Any:
    """Decode a request body strictly (UTF-8, standard JSON, each key once), or raise a 400."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, f"body is not valid UTF-8 (byte {exc.start})") from exc
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_one_of_each_key)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(400, f"body is not valid JSON: {exc}") from exc


def _hostile_value_in(value: Any) -> str | None:
    """What is wrong inside a decoded JSON value (keys included), or None: a string over the limit,
    text that is not valid UTF-8 (a lone surrogate, which ``\\ud800`` decodes to), a number that is
    not finite (``1e400`` decodes to infinity) or nesting deeper than :data:`MAX_DEPTH`.

    Walks with an explicit stack: the JSON decoder accepts nesting deep enough to exhaust recursion.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_STRING_CHARS:
                return f"holds a string longer than {MAX_STRING_CHARS} characters"
            if _SURROGATE.search(item) is not None:
                return "holds text that is not valid UTF-8 (a lone surrogate)"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "holds a number that is not finite (NaN or Infinity, or past the float range)"
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return f"is nested deeper than {MAX_DEPTH} levels"
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def _type_name(value: Any) -> str:
    """The JSON name of a decoded value's type, for error messages."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def validate_event(index: int, event: Any) -> dict[str, Any]:
    """Check one event's shape and limits; raise a 400 naming the index and the field."""
    where = f"events[{index}]"
    if not isinstance(event, dict):
        raise BadRequest(400, f"{where} is not an object")
    for name, expected in EVENT_FIELDS.items():
        if name not in event:
            raise BadRequest(400, f"{where}.{name} is missing")
        if not isinstance(event[name], expected):
            wanted = "object" if expected is dict else "string"
            raise BadRequest(400, f"{where}.{name} must be a {wanted}, not {_type_name(event[name])}")
    extra = sorted(set(event) - set(EVENT_FIELDS))
    if extra:
        raise BadRequest(400, f"{where} has unknown field(s): {', '.join(extra)}")
    for name, value in event.items():
        if name != "payload" and len(value) > MAX_STRING_CHARS:
            raise BadRequest(400, f"{where}.{name} is longer than {MAX_STRING_CHARS} characters")
        problem = _hostile_value_in(value)
        if problem is not None:
            raise BadRequest(400, f"{where}.{name} {problem}")
    _check_uuid(where, event["uuid"])
    _check_occurred_at(where, event["occurred_at"])
    _check_written_by_a_counter(where, event)
    _check_payload(where, event["payload"])
    return event


def _check_written_by_a_counter(where: str, event: dict[str, Any]) -> None:
    """The dossier code, the kind and the actor as a counter writes them. A counter stored what
    no counter writes as a dossier nobody could open (an empty or a 5000-character code) and
    passed it on to the national export."""
    code = event["dossier_code"]
    if _DOSSIER_CODE.fullmatch(code) is None:
        raise BadRequest(
            400,
            f"{where}.dossier_code is not a dossier code (1-{MAX_CODE} characters: upper-case letters,"
            f" digits and . - _ /, starting with a letter or a digit): {code[:MAX_CODE]!r}",
        )
    if not event["actor"].strip():
        raise BadRequest(400, f"{where}.actor must not be empty")


def _check_uuid(where: str, text: str) -> None:
    """Accept only the lowercase hyphenated form, so one UUID can never be stored under two spellings."""
    try:
        parsed = uuid_module.UUID(text)
    except ValueError:
        parsed = None
    if parsed is None or str(parsed) != text:
        raise BadRequest(400, f"{where}.uuid is not a UUID in lowercase hyphenated form: {text[:60]!r}")


OCCURRED_YEARS = (FIRST_YEAR, LAST_YEAR)
"""The years an event may have happened in: what a counter accepts (a time in year 9999 cannot
even be turned into Vietnam time)."""


def _check_occurred_at(where: str, text: str) -> None:
    """An ISO 8601 date-time with seconds and an explicit offset (a naive time is ambiguous), in
    :data:`OCCURRED_YEARS` both as written and in Vietnam time: the counter checks the year as
    written, then reads the time in Vietnam time, so ``2000-01-01T00:00:00+14:00`` (1999 in Vietnam)
    stored here stopped every counter of the commune at every pull."""
    valid = _ISO_WITH_OFFSET.fullmatch(text) is not None
    if valid:
        try:
            written = datetime.fromisoformat(text)
        except ValueError:
            valid = False
        else:
            in_range = OCCURRED_YEARS[0] <= written.year <= OCCURRED_YEARS[1]
            if not in_range or not OCCURRED_YEARS[0] <= written.astimezone(VN_TZ).year <= OCCURRED_YEARS[1]:
                raise BadRequest(
                    400,
                    f"{where}.occurred_at is outside the years {OCCURRED_YEARS[0]}-{OCCURRED_YEARS[1]}"
                    " (as written or in Vietnam time, UTC+07:00)",
                )
    if not valid:
        raise BadRequest(
            400, f"{where}.occurred_at is not an ISO 8601 time with an offset (YYYY-MM-DDTHH:MM:SS+07:00)"
        )


def _check_payload(where: str, payload: dict[str, Any]) -> None:
    """Bound the payload's canonical size (what is inside it was checked by :func:`validate_event`)."""
    size = len(canonical_text(payload).encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise BadRequest(400, f"{where}.payload is {size} bytes, over the {MAX_PAYLOAD_BYTES} byte limit")


def parse_push_body(body: bytes, caller: Caller) -> list[dict[str, Any]]:
    """The events of a push request, all checked before anything is stored."""
    data = parse_json_body(body)
    if not isinstance(data, dict):
        raise BadRequest(400, "body must be a JSON object with an 'events' array")
    if "events" not in data:
        raise BadRequest(400, "body has no 'events' field")
    extra = sorted(set(data) - {"events"})
    if extra:
        raise BadRequest(400, f"body has unknown field(s): {', '.join(extra)}")
    raw_events = data["events"]
    if not isinstance(raw_events, list):
        raise BadRequest(400, f"'events' must be an array, not {_type_name(raw_events)}")
    if len(raw_events) > MAX_EVENTS:
        raise BadRequest(413, f"{len(raw_events)} events in one batch; at most {MAX_EVENTS} are accepted")
    events = [validate_event(i, event) for i, event in enumerate(raw_events)]
    for i, event in enumerate(events):
        _check_permission(i, event, caller)
    return events


def _check_permission(index: int, event: dict[str, Any], caller: Caller) -> None:
    """A counter pushes only its own events; the city pushes any counter's. A receipt (``received``)
    is of the token's commune, and a counter's names no other agency in its code."""
    where = f"events[{index}] (uuid {event['uuid']})"
    if caller.counter_id is not None and event["counter_id"] != caller.counter_id:
        raise BadRequest(
            403,
            f"{where} has counter_id {event['counter_id']!r};"
            f" this token may only push events of {caller.counter_id!r}",
        )
    if caller.counter_id is not None and event["kind"] not in TRANSITIONS:
        # A counter writes only the kinds it knows; the city may send kinds of its own (a
        # department's), which the counters keep and flag until they learn them.
        raise BadRequest(
            400, f"events[{index}].kind {event['kind'][:60]!r} is not an event kind the counter knows"
        )
    if event["kind"] != "received":
        return
    # A counter refuses a whole page holding another commune's receipt (a token pasted from
    # another commune): one such receipt stored here stopped every counter of the commune.
    receiving = event["payload"].get("receiving")
    if isinstance(receiving, dict) and "commune_code" in receiving:
        if receiving["commune_code"] != caller.commune_code:
            raise BadRequest(
                403,
                f"{where} is a receipt of commune {str(receiving['commune_code'])[:20]!r};"
                f" this token is of commune {caller.commune_code!r}",
            )
    if caller.counter_id is not None:
        _check_agency(where, event["dossier_code"], caller.counter_id)


def _check_agency(where: str, code: str, counter_id: str) -> None:
    """A counter makes a dossier's code and its own id (``<agency>#<n>``) from the same agency
    identifier, so a receipt whose code names another agency is not its own: another commune
    taking over a citizen's code on the look-up page. A code with no agency in it (another code
    pattern) is let through; later steps are not checked, since a counter whose agency identifier
    changed still steps the dossiers received under the old one."""
    if _agency_of_code_is(code, counter_id):
        return
    agency = counter_id.partition("#")[0]
    named = AGENCY_IN_CODE.search(code)
    if named is not None:
        raise BadRequest(
            403,
            f"{where} has dossier_code {code!r} of agency {named.group()!r};"
            f" this token's counter is of agency {agency!r}",
        )


# --- events: storing and reading -------------------------------------------------------------------


def store_events(
    conn: sqlite3.Connection, caller: Caller, events: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """Store a checked batch in one transaction; known identical events count as stored.

    A uuid already stored with another canonical text is a conflict: it is reported and left as it was,
    while the rest of the batch is still stored (the counter needs to know which ones are safe). A uuid
    given twice in one batch is named once: as stored when both texts are the same, else as a
    conflict only (the first text is kept), never in both lists.
    """
    received_at = datetime.now(UTC).isoformat(timespec="seconds")
    stored: list[str] = []
    conflicts: list[str] = []
    in_batch: dict[str, str] = {}
    conn.execute("BEGIN IMMEDIATE")
    try:
        for event in events:
            text = canonical_text(event)
            earlier = in_batch.get(event["uuid"])
            if earlier is not None:  # given before in this batch: named once, other text conflicts
                if earlier != text and event["uuid"] not in conflicts:
                    stored.remove(event["uuid"])
                    conflicts.append(event["uuid"])
                continue
            in_batch[event["uuid"]] = text
            row = conn.execute("SELECT canonical FROM events WHERE uuid = ?", (event["uuid"],)).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO events (uuid, commune_code, source, dossier_code, canonical, received_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        event["uuid"],
                        caller.commune_code,
                        caller.source,
                        event["dossier_code"],
                        text,
                        received_at,
                    ),
                )
                stored.append(event["uuid"])
            elif row[0] == text:
                stored.append(event["uuid"])
            else:
                conflicts.append(event["uuid"])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return {"stored": stored, "conflicts": conflicts}


def _stored_event(text: str) -> Any:
    """A stored event, or None when it holds NaN or Infinity: a hub before the check stored
    ``1e400`` as ``Infinity``, which is not JSON and which no answer of the hub may carry."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return None


def read_events(
    conn: sqlite3.Connection,
    caller: Caller,
    after: int,
    limit: int,
    *,
    own: bool = False,
    holds: str | None = None,
    expect: str | None = None,
) -> dict[str, Any]:
    """One page of the commune's events after a cursor, leaving out the caller's own unless ``own``
    (a counter restored from an older backup gets back what it had pushed since).

    The cursor advances over skipped own events too (it is the seq of the last row scanned), so a
    counter that only ever pushes does not rescan its own events on every pull.

    ``holds`` (an event uuid) adds ``"holds"``: whether the commune's events include it. A counter
    names the last event this hub acknowledged to it: a hub put back to an older copy no longer
    holds it, even once other counters' new events have carried its numbering past the counter's
    cursor (where comparing ``last`` with the cursor no longer shows the loss).

    ``next_uuid`` names the event at ``next`` (when there is one): the counter keeps it with its
    cursor and sends it back as ``expect``, which adds ``"expected"``: whether the event at ``after``
    is still that one. Numbers past an older copy are given again to other events, and those
    below the counter's cursor would never be pulled.
    """
    events: list[Any] = []
    next_seq = after
    conn.execute("BEGIN")
    try:
        rows = conn.execute(
            "SELECT seq, source, canonical FROM events WHERE commune_code = ? AND seq > ? ORDER BY seq",
            (caller.commune_code, after),
        )
        for scanned, (seq, source, text) in enumerate(rows):
            if len(events) >= limit or scanned >= MAX_SCAN:
                break
            next_seq = seq
            if not own and caller.counter_id is not None and source == caller.counter_id:
                continue
            event = _stored_event(text)
            if event is None:
                log.warning("event %s holds NaN or Infinity: left out of the page", seq)
                continue
            events.append(event)
        rows.close()
        more = (
            conn.execute(
                "SELECT 1 FROM events WHERE commune_code = ? AND seq > ? LIMIT 1",
                (caller.commune_code, next_seq),
            ).fetchone()
            is not None
        )
        last = conn.execute(
            "SELECT max(seq) FROM events WHERE commune_code = ?", (caller.commune_code,)
        ).fetchone()[0]
        held = (
            None
            if holds is None
            else conn.execute(
                "SELECT 1 FROM events WHERE uuid = ? AND commune_code = ?", (holds, caller.commune_code)
            ).fetchone()
            is not None
        )
        at_next = _uuid_at(conn, caller, next_seq)
        expected = None if expect is None else _uuid_at(conn, caller, after) == expect
    finally:
        conn.execute("COMMIT")
    page = {"events": events, "next": str(next_seq), "more": more, "last": str(last or 0)}
    if at_next is not None:
        page["next_uuid"] = at_next
    if held is not None:
        page["holds"] = held
    if expected is not None:
        page["expected"] = expected
    return page


def _uuid_at(conn: sqlite3.Connection, caller: Caller, seq: int) -> str | None:
    """The uuid of the commune's event numbered ``seq``, None when there is none."""
    row = conn.execute(
        "SELECT uuid FROM events WHERE seq = ? AND commune_code = ?", (seq, caller.commune_code)
    ).fetchone()
    return None if row is None else str(row[0])


def dossier_commune(conn: sqlite3.Connection, code: str, communes: list[str]) -> str | None:
    """The commune a dossier code belongs to, of the communes holding events with it (in hub order).

    The one whose counters are of the agency the code names, when one is: a commune that pushed
    a step for a code of another before its own receipt arrived does not take the citizen's page
    over. Otherwise the commune that pushed the first event.
    """
    ordered = list(dict.fromkeys(communes))
    if len(ordered) <= 1:
        return ordered[0] if ordered else None
    marks = ",".join("?" * len(ordered))
    agencies = conn.execute(
        f"SELECT commune_code, counter_id FROM tokens WHERE kind = 'counter' AND commune_code IN ({marks})"
        " UNION SELECT DISTINCT commune_code, source FROM events WHERE dossier_code = ? AND source != ?",
        (*ordered, code, CITY_SOURCE),
    ).fetchall()
    named = {commune for commune, counter_id in agencies if _agency_of_code_is(code, counter_id)}
    return next((commune for commune in ordered if commune in named), ordered[0])


def _agency_of_code_is(code: str, counter_id: str) -> bool:
    """Whether a dossier code names the agency of a counter (``<agency>#<n>``)."""
    agency = counter_id.partition("#")[0]
    return AGENCY_IN_CODE.fullmatch(agency) is not None and agency in code


def _query(query_string: bytes) -> dict[str, list[str]]:
    """The parameters of a query string, or a 400 when it is not ASCII."""
    try:
        return parse_qs(query_string.decode("ascii"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError as exc:
        raise BadRequest(400, "query string is not ASCII") from exc


def check_caller_is(caller: Caller, query_string: bytes) -> None:
    """A 403 when the pull names the counter it comes from (``counter``) and the token is not that
    counter's: a token of another commune pasted into a counter's settings would otherwise copy
    that commune's citizens in (nothing to push, so no push was refused first)."""
    named = _query(query_string).get("counter")
    if named is None:
        return
    if len(named) != 1:
        raise BadRequest(400, "counter is given more than once")
    if named[0] != caller.counter_id:
        whose = f"counter {caller.counter_id!r}'s" if caller.counter_id else "the city's"
        raise BadRequest(
            403,
            f"this token is {whose} (commune {caller.commune_code}), not counter {named[0][:60]!r}'s",
        )


def parse_pull_query(query_string: bytes) -> tuple[int, int, bool]:
    """The ``after`` cursor, the ``limit`` and ``own`` (0 or 1: the caller's own events too) of a
    pull, or a 400 saying which is wrong (``counter`` is checked by :func:`check_caller_is`)."""
    params = _query(query_string)
    after = _one_number(params, "after", 0)
    limit = _one_number(params, "limit", DEFAULT_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(400, f"limit must be between 1 and {MAX_LIMIT}")
    own = _one_number(params, "own", 0)
    if own not in (0, 1):
        raise BadRequest(400, "own must be 0 or 1")
    return after, limit, own == 1


def parse_uuid_param(query_string: bytes, name: str) -> str | None:
    """A uuid parameter of a pull (``holds``, ``expect``: see :func:`read_events`), None when not
    given, or a 400."""
    values = _query(query_string).get(name)
    if values is None:
        return None
    if len(values) != 1:
        raise BadRequest(400, f"{name} is given more than once")
    _check_uuid(name, values[0])
    return values[0]


def _one_number(params: dict[str, list[str]], name: str, default: int) -> int:
    """A non-negative integer query parameter given at most once."""
    values = params.get(name)
    if values is None:
        return default
    if len(values) != 1:
        raise BadRequest(400, f"{name} is given more than once")
    if _DIGITS.fullmatch(values[0]) is None:
        raise BadRequest(400, f"{name} must be a non-negative integer, not {values[0][:40]!r}")
    return int(values[0])


# --- national export -------------------------------------------------------------------------------


def export_national(conn: sqlite3.Connection, commune_code: str, after: int, limit: int) -> dict[str, Any]:
    """One page of the commune's dossiers in the national sync shape (``sync/national.py``).

    The page covers the commune's next ``limit`` events after the cursor ``after``: each dossier
    they touch is folded from its events up to the page's end and given as a ``DongBoHoSoMC``
    record (``isUpdating`` when an earlier page already gave it), and each of those events as a
    ``CapNhatTienDoHoSoMC`` step. A dossier whose events fold to nothing (its first event missing)
    is named in ``unreadable`` rather than sent half made.
    """
    conn.execute("BEGIN")
    try:
        rows = conn.execute(
            "SELECT seq, dossier_code, uuid FROM events WHERE commune_code = ? AND seq > ? "
            "ORDER BY seq LIMIT ?",
            (commune_code, after, limit),
        ).fetchall()
        last = rows[-1][0] if rows else after
        touched: dict[str, set[str]] = {}
        for _seq, code, event_uuid in rows:
            touched.setdefault(code, set()).add(event_uuid)
        records: list[dict[str, Any]] = []
        progress: list[dict[str, Any]] = []
        unreadable: list[str] = []
        for code, new in touched.items():
            texts = conn.execute(
                "SELECT seq, canonical FROM events WHERE dossier_code = ? AND commune_code = ? AND seq <= ? "
                "ORDER BY seq",
                (code, commune_code, last),
            ).fetchall()
            dossier, kept = fold_texts(text for _seq, text in texts if _stored_event(text) is not None)
            if dossier is None:
                unreadable.append(code)
                continue
            records.append(dossier_record(dossier, kept, updating=texts[0][0] <= after))
            progress.extend(progress_steps(dossier, kept, new))
        more = (
            conn.execute(
                "SELECT 1 FROM events WHERE commune_code = ? AND seq > ? LIMIT 1", (commune_code, last)
            ).fetchone()
            is not None
        )
    finally:
        conn.execute("COMMIT")
    return {
        "DongBoHoSoMC": records,
        "CapNhatTienDoHoSoMC": progress,
        "unreadable": unreadable,
        "next": str(last),
        "more": more,
    }


def parse_export_query(query_string: bytes) -> tuple[int, int]:
    """The ``after`` cursor and the ``limit`` of a national export page, or a 400 saying which is wrong."""
    after, limit, own = parse_pull_query(query_string)
    if own:
        raise BadRequest(400, "own is not a parameter of the national export")
    return after, limit


# --- catalog and calendar --------------------------------------------------------------------------


def load_catalog(path: Path) -> tuple[str, bytes]:
    """The catalog's version and its file bytes, served as the file holds them."""
    raw = path.read_bytes()
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("procedures"), list):
        raise ValueError(f"{path} is not a catalog (an object with a 'procedures' array)")
    return _version_of(data, path), raw


def load_calendar(path: Path | None) -> tuple[str, bytes]:
    """The calendar's version and bytes; no file (or none yet at the given path) is an empty calendar.

    A missing file is not an error so the city can publish the first calendar by dropping the file in.
    """
    if path is None or not path.exists():
        return "0", json.dumps({"version": "0", "overrides": []}).encode("utf-8")
    raw = path.read_bytes()
    data = json.loads(raw.decode("utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("overrides"), list):
        raise ValueError(f"{path} is not a calendar (an object with an 'overrides' array)")
    for i, item in enumerate(data["overrides"]):
        _check_override(path, i, item)
    return _version_of(data, path), raw


def _check_override(path: Path, index: int, item: Any) -> None:
    """Refuse to serve a calendar the counters could not read."""
    ok = (
        isinstance(item, dict)
        and isinstance(item.get("day"), str)
        and _DAY.fullmatch(item["day"]) is not None
        and item.get("kind") in ("day_off", "working_day")
        and isinstance(item.get("label"), str)
    )
    if ok:
        try:
            datetime.strptime(item["day"], "%Y-%m-%d")
        except ValueError:
            ok = False
    if not ok:
        raise ValueError(f"{path}: overrides[{index}] is not {{day: YYYY-MM-DD, kind, label}}")


def _version_of(data: dict[str, Any], path: Path) -> str:
    """The version string, which must fit inside a quoted ETag."""
    version = data.get("version")
    if not isinstance(version, str) or not version or '"' in version:
        raise ValueError(f"{path} has no usable 'version' string")
    return version


def etag_matches(if_none_match: str | None, version: str) -> bool:
    """Whether an If-None-Match header names this version (weak or strong, or ``*``)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == f'"{version}"':
            return True
    return False


# --- HTTP plumbing ---------------------------------------------------------------------------------


@dataclass
class Response:
    """What a handler answers: a status, a body and any extra headers."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()


def json_response(status: int, value: Any, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Response:
    """A JSON answer in UTF-8 (Vietnamese text is sent as text, not escapes), never NaN or Infinity."""
    return Response(status, json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8"), headers)


def error_response(status: int, message: str) -> Response:
    """The one error shape of the contract: ``{"error": "..."}``."""
    return json_response(status, {"error": message})


async def send_response(send: Send, response: Response) -> None:
    """Write a full response; a 304 carries no body and no content type."""
    headers = [(b"content-length", str(len(response.body)).encode("ascii"))]
    if response.body and not any(name == b"content-type" for name, _ in response.headers):
        headers.append((b"content-type", b"application/json"))
    headers.extend(response.headers)
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


def header(scope: Scope, name: bytes) -> str | None:
    """One request header as text (latin-1, as HTTP/1.1 carries it), or None."""
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def bearer_token(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    value = header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The request body, refusing (413) as soon as it is known to exceed the limit.

    A declared Content-Length over the limit is refused before reading anything; otherwise chunks are
    read until the limit is crossed, and nothing past that is read. A body not in full within
    :data:`BODY_SECONDS` is a 408 (uvicorn then closes the connection).
    """
    declared = header(scope, b"content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise BadRequest(413, f"body is {int(declared)} bytes; at most {limit} are accepted")
    chunks: list[bytes] = []
    size = 0
    seconds = BODY_SECONDS
    try:
        async with asyncio.timeout(seconds):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ConnectionAbortedError("client went away while sending the body")
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise BadRequest(413, f"body is over {limit} bytes")
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
    except TimeoutError as exc:
        raise BadRequest(408, f"the body did not arrive in full within {seconds:g} s") from exc


class Hub:
    """The routes of the hub, bound to its database and its published files."""

    ROUTES: dict[str, tuple[str, ...]] = {
        "/v1/events": ("GET", "POST"),
        "/v1/catalog": ("GET",),
        "/v1/calendar": ("GET",),
        "/v1/health": ("GET",),
        "/v1/national": ("GET",),
        "/tra-cuu": ("GET",),
    }

    def __init__(self, db_path: Path, catalog_path: Path, calendar_path: Path | None) -> None:
        self.db_path = db_path
        self.catalog_path = catalog_path
        self.calendar_path = calendar_path
        self.tries = Tries()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            response = await self.handle(scope, receive)
        except BadRequest as exc:
            response = error_response(exc.status, exc.message)
            if exc.status == 408:  # the rest of the body may still come: the connection is done
                response.headers += ((b"connection", b"close"),)
        except ConnectionAbortedError:
            return
        except Exception:
            log.exception("error while answering %s %s", scope.get("method"), scope.get("path"))
            response = error_response(500, "internal error in the hub")
        await send_response(send, response)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        """Answer uvicorn's start-up and shut-down: there is nothing to set up or tear down."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def handle(self, scope: Scope, receive: Receive) -> Response:
        """Route a request: 404 and 405 first, then health (open), then the token, then the handler."""
        path, method = scope["path"], scope["method"]
        allowed = self.ROUTES.get(path)
        if allowed is None:
            return error_response(404, f"no route {path}")
        if method not in allowed:
            allow = ", ".join(allowed).encode("ascii")
            return json_response(405, {"error": f"{method} is not allowed on {path}"}, ((b"allow", allow),))
        if path == "/v1/health":
            return json_response(200, {"ok": True})
        if path == "/tra-cuu":  # the citizens' page: open, guarded by the ID number's last digits
            return await self.lookup(scope)
        caller = await self.authenticate(scope)
        if path == "/v1/events" and method == "POST":
            body = await read_body(scope, receive, MAX_BODY_BYTES)
            return await self.push(caller, body)
        if path == "/v1/events":
            after, limit, own = parse_pull_query(scope.get("query_string", b""))
            holds = parse_uuid_param(scope.get("query_string", b""), "holds")
            expect = parse_uuid_param(scope.get("query_string", b""), "expect")
            check_caller_is(caller, scope.get("query_string", b""))
            return await asyncio.to_thread(
                self._with_db,
                lambda conn: json_response(
                    200, read_events(conn, caller, after, limit, own=own, holds=holds, expect=expect)
                ),
            )
        if path == "/v1/national":
            if caller.counter_id is not None:
                raise BadRequest(403, "the national export is the city's: use the city token of the commune")
            after, limit = parse_export_query(scope.get("query_string", b""))
            return await asyncio.to_thread(
                self._with_db,
                lambda conn: json_response(200, export_national(conn, caller.commune_code, after, limit)),
            )
        if path == "/v1/catalog":
            return await self.published(scope, lambda: load_catalog(self.catalog_path))
        return await self.published(scope, lambda: load_calendar(self.calendar_path))

    async def authenticate(self, scope: Scope) -> Caller:
        """The caller behind the bearer token, or a 401."""
        token = bearer_token(scope)
        if token is None:
            raise BadRequest(401, "missing bearer token (Authorization: Bearer <token>)")
        caller = await asyncio.to_thread(self._with_db, lambda conn: find_caller(conn, token))
        if caller is None:
            raise BadRequest(401, "unknown token")
        return caller

    async def push(self, caller: Caller, body: bytes) -> Response:
        """Check the whole batch, then store it; 409 when some uuids were already stored differently."""
        events = parse_push_body(body, caller)
        result = await asyncio.to_thread(self._with_db, lambda conn: store_events(conn, caller, events))
        return json_response(409 if result["conflicts"] else 200, result)

    async def lookup(self, scope: Scope) -> Response:
        """The status look-up page a receipt's QR code opens (see ``sync/lookup.py``)."""
        query = bytes(scope.get("query_string", b"")).decode("utf-8", "replace")
        params = parse_qs(query, keep_blank_values=True)
        code = (params.get("ma") or [""])[0]
        digits = (params.get("cccd") or [""])[0].strip()

        def texts(conn: sqlite3.Connection) -> list[str]:
            if not code.strip() or len(code.strip()) > MAX_CODE:
                return []
            rows = conn.execute(
                "SELECT canonical, commune_code FROM events WHERE dossier_code = ? ORDER BY seq",
                (code.strip(),),
            ).fetchall()
            # One commune owns the dossier: another commune's counter naming the same code (by
            # mistake or not) never writes on this citizen's page.
            owner = dossier_commune(conn, code.strip(), [commune for _text, commune in rows])
            return [text for text, commune in rows if commune == owner]

        found = await asyncio.to_thread(self._with_db, texts) if digits else []
        status, body = answer(code, digits, found, self.tries)
        return Response(status, body, ((b"content-type", b"text/html; charset=utf-8"),))

    async def published(self, scope: Scope, load: Callable[[], tuple[str, bytes]]) -> Response:
        """Serve a published file read now, with its version as ETag (304 when the counter has it)."""
        version, raw = await asyncio.to_thread(load)
        etag = ((b"etag", f'"{version}"'.encode()),)
        if etag_matches(header(scope, b"if-none-match"), version):
            return Response(304, b"", etag)
        return Response(200, raw, etag)

    def _with_db(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run database work on a connection of its own (each request runs in a worker thread)."""
        conn = connect(self.db_path)
        try:
            return work(conn)
        finally:
            conn.close()


def create_app(db_path: Path, catalog_path: Path | None = None, calendar_path: Path | None = None) -> Hub:
    """The hub as an ASGI 3 application; creates the database schema now so a bad path fails early."""
    open_hub_db(db_path).close()
    return Hub(Path(db_path), Path(catalog_path) if catalog_path else DEFAULT_CATALOG, calendar_path)


# --- command line ----------------------------------------------------------------------------------


class _ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line on stderr (exit 2), without the usage block."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m sync.hub`` commands: serve, add-counter, add-city, export, backup."""
    parser = _ArgumentParser(prog="python -m sync.hub", description="The reference city hub.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_ArgumentParser)
    serve = commands.add_parser("serve", help="run the hub over HTTP")
    serve.add_argument("--db", type=Path, required=True)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument(
        "--catalog",
        type=Path,
        default=None,
        help="the procedure catalog to publish (JSON as counter_app/data/procedures.json: "
        '{"version", "procedures": [...]}); default: the packaged one. Read at each request',
    )
    serve.add_argument(
        "--calendar",
        type=Path,
        default=None,
        help='the city\'s days off and make-up days to publish: {"version": "2026.1", "overrides": '
        '[{"day": "YYYY-MM-DD", "kind": "day_off"|"working_day", "label": "..."}]}; a missing file is '
        "an empty calendar (drop the file in later). Read at each request",
    )
    counter = commands.add_parser("add-counter", help="give a counter a token")
    counter.add_argument("--db", type=Path, required=True)
    counter.add_argument("--token", required=True)
    counter.add_argument("--commune-code", required=True)
    counter.add_argument("--counter-id", required=True)
    city = commands.add_parser("add-city", help="give the city a token for one commune")
    city.add_argument("--db", type=Path, required=True)
    city.add_argument("--token", required=True)
    city.add_argument("--commune-code", required=True)
    export = commands.add_parser(
        "export",
        help="write a commune's dossiers in the national sync shape (DongBoHoSoMC), one page a line",
    )
    export.add_argument("--db", type=Path, required=True)
    export.add_argument("--commune-code", required=True)
    export.add_argument("--after", type=_cursor, default=0, help="the cursor of the last export (its 'next')")
    export.add_argument("--out", type=Path, default=None, help="file to write (default: standard output)")
    backup = commands.add_parser(
        "backup",
        help="copy the hub database to a new file while the hub keeps serving (SQLite's backup); "
        "to put it back, stop the hub and copy the file over the database (remove its -wal and -shm)",
    )
    backup.add_argument("--db", type=Path, required=True)
    backup.add_argument("--to", type=Path, required=True, help="the new file (refused if it exists)")
    return parser


def _cursor(text: str) -> int:
    if _DIGITS.fullmatch(text) is None:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, not {text[:40]!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    """Run one command; errors are one line on stderr and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "add-counter":
            add_counter(args.db, args.token, args.commune_code, args.counter_id)
        elif args.command == "add-city":
            add_city_token(args.db, args.token, args.commune_code)
        elif args.command == "export":
            _export(args)
        elif args.command == "backup":
            print(json.dumps(backup_hub(args.db, args.to)))
        else:
            _serve(args)
    except (ValueError, OSError, sqlite3.Error) as exc:
        print(f"python -m sync.hub: error: {exc}", file=sys.stderr)
        return 2
    return 0


def backup_hub(db: Path, target: Path) -> dict[str, Any]:
    """Copy the hub database to ``target`` while the hub serves: a consistent copy (SQLite's
    online backup), checked, owner-only, made durable, and named ``target`` only once whole.

    A hub put back to such a copy is noticed by every counter at its next run (``holds`` and
    ``expect`` of the pull): each sends again what the copy lacks of its own and pulls again.

    Returns:
        ``path``, ``bytes`` and ``events`` (how many the copy holds).

    Raises:
        ValueError: no hub database at ``db``, ``target`` exists, or the copy failed its check.
    """
    if not Path(db).is_file():
        raise ValueError(f"no hub database at {db}")
    if target.exists():
        raise ValueError(f"{target} exists already: give a new file")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        source = connect(db)
        copy = sqlite3.connect(str(partial), isolation_level=None)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
            if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise ValueError(f"the copy of {db} failed its check")
            events = int(copy.execute("SELECT count(*) FROM events").fetchone()[0])
        finally:
            copy.close()
            source.close()
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        partial.replace(target)
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return {"path": str(target), "bytes": target.stat().st_size, "events": events}


def _export(args: argparse.Namespace) -> None:
    """Every page of the export after ``--after``, one JSON object a line (JSON Lines), each as
    ``GET /v1/national`` gives it; memory holds one page, whatever the history's length. A dossier
    on several pages comes again as an update (``isUpdating``); the last line's ``next`` is the
    cursor for the next run. With ``--out`` the file appears whole or not at all."""
    if not Path(args.db).is_file():
        raise ValueError(f"no hub database at {args.db}")
    partial = args.out.with_name(args.out.name + ".partial") if args.out is not None else None
    conn = connect(args.db)
    try:
        out = partial.open("w", encoding="utf-8") if partial is not None else sys.stdout
        try:
            after = args.after
            while True:
                page = export_national(conn, args.commune_code, after, MAX_LIMIT)
                out.write(json.dumps(page, ensure_ascii=False, separators=(",", ":")) + "\n")
                after = int(page["next"])
                if not page["more"]:
                    break
            out.flush()
            if partial is not None:
                os.fsync(out.fileno())
        finally:
            if partial is not None:
                out.close()
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    finally:
        conn.close()
    if partial is not None:
        partial.replace(args.out)


def _check_catalog_file(path: Path) -> None:
    """A catalog the counters would take: read, then checked with the counters' own rules (a file
    they refuse was served all the same, and every counter's run said so, night after night).

    Raises:
        ValueError: naming the file and what is wrong with it.
    """
    from counter_app.domain.errors import ValidationError
    from counter_app.domain.procedures import parse_catalog

    try:
        load_catalog(path)
        parse_catalog(json.loads(path.read_bytes().decode("utf-8")))
    except ValidationError as exc:
        raise ValueError(f"{path}: the counters would refuse this catalog: {exc.message}") from exc
    except (OSError, ValueError) as exc:
        if str(path) in str(exc):
            raise
        raise ValueError(f"{path}: {exc}") from exc


def _serve(args: argparse.Namespace) -> None:
    """Run the hub with uvicorn (imported here: only serving needs it)."""
    try:
        import uvicorn
    except ImportError as exc:
        raise ValueError("serving needs uvicorn: pip install -e '.[hub]' (or pip install uvicorn)") from exc

    if args.catalog is not None:
        _check_catalog_file(args.catalog)  # fail now, not on the first counter's request
    load_calendar(args.calendar)  # the same: a bad file failed every counter's run with HTTP 500
    if args.calendar is not None and not args.calendar.exists():
        # Allowed (the city publishes its first calendar by dropping the file in), but a mistyped
        # path looks the same: said, since the counters then hear of no day off from the city.
        log.warning("calendar file %s does not exist (yet): an empty calendar, version 0", args.calendar)
    app = create_app(args.db, args.catalog, args.calendar)
    uvicorn.run(app, host=args.host, port=args.port)


if __name__ == "__main__":
    sys.exit(main())
