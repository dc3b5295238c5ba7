"""The reference city hub, over HTTP, against the real server (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync import hub as hub_module
from tests.conftest import intake

COMMUNE = "11410"
OTHER_COMMUNE = "11411"
COUNTER_1 = "000.00.11.H26#1"
COUNTER_2 = "000.00.11.H26#2"
FAR_COUNTER = "000.00.12.H26#1"
TOKENS = {"c1": "token-counter-1", "c2": "token-counter-2", "far": "token-far-away", "city": "token-city"}
OPENAPI = Path(hub_module.__file__).with_name("openapi.json")
ROOT = Path(hub_module.__file__).resolve().parent.parent


def make_event(counter_id: str = COUNTER_1, **changes: Any) -> dict[str, Any]:
    """A valid event as the counter's ``Event.to_json()`` gives it."""
    event: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "dossier_code": "H26.11-251125-0001",
        "kind": "received",
        "occurred_at": "2026-11-25T09:30:00+07:00",
        "actor": "Nguyễn Văn Minh",
        "counter_id": counter_id,
        "payload": {"procedure": "1.001193", "documents": [{"name": "Tờ khai", "originals": 1}]},
    }
    event.update(changes)
    return event


def canonical(event: dict[str, Any]) -> str:
    return json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def hub_rows(hub: Any) -> list[tuple[str, str, str, str, str]]:
    """The stored events, in hub order: (uuid, commune, source, dossier code, canonical text)."""
    with sqlite3.connect(hub.db) as conn:
        return conn.execute(
            "SELECT uuid, commune_code, source, dossier_code, canonical FROM events ORDER BY seq"
        ).fetchall()


@pytest.fixture
def tokens(hub: Any) -> dict[str, str]:
    """Counters 1 and 2 of the commune, a counter of another commune, and the city's token for the commune."""
    hub.add_counter(TOKENS["c1"], COMMUNE, COUNTER_1)
    hub.add_counter(TOKENS["c2"], COMMUNE, COUNTER_2)
    hub.add_counter(TOKENS["far"], OTHER_COMMUNE, FAR_COUNTER)
    hub.add_city_token(TOKENS["city"], COMMUNE)
    return TOKENS


@pytest.fixture
def as_who(hub: Any, tokens: dict[str, str]) -> Iterator[dict[str, httpx.Client]]:
    """One HTTP client per token holder."""
    clients = {
        who: httpx.Client(base_url=hub.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        for who, token in tokens.items()
    }
    yield clients
    for client in clients.values():
        client.close()


def push(client: httpx.Client, events: list[dict[str, Any]]) -> httpx.Response:
    return client.post("/v1/events", json={"events": events})


def pull_all(client: httpx.Client, after: str = "0", limit: int = 500) -> tuple[list[dict[str, Any]], str]:
    """Pull page after page until the hub says there is no more; every page must advance the cursor."""
    events: list[dict[str, Any]] = []
    for _ in range(100):
        response = client.get("/v1/events", params={"after": after, "limit": limit})
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["events"]) <= limit
        events.extend(page["events"])
        if not page["more"]:
            return events, page["next"]
        assert int(page["next"]) > int(after)
        after = page["next"]
    raise AssertionError("the hub kept saying there was more")


# -- open routes, unknown routes, tokens ------------------------------------------------------------


def test_health_needs_no_token(hub: Any) -> None:
    response = httpx.get(f"{hub.url}/v1/health")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_unknown_route_is_404_and_wrong_method_405(hub: Any) -> None:
    missing = httpx.get(f"{hub.url}/v2/events")
    assert missing.status_code == 404
    assert "error" in missing.json()
    wrong = httpx.delete(f"{hub.url}/v1/events", headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 405
    assert "error" in wrong.json()
    assert wrong.headers["allow"] == "GET, POST"
    assert httpx.post(f"{hub.url}/v1/catalog").status_code == 405


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": f"Basic {TOKENS['c1']}"}],
    ids=["none", "wrong", "not-bearer"],
)
@pytest.mark.parametrize(
    "method,path",
    [("GET", "/v1/events"), ("POST", "/v1/events"), ("GET", "/v1/catalog"), ("GET", "/v1/calendar")],
)
def test_missing_or_wrong_token_is_401(
    hub: Any, tokens: dict[str, str], headers: dict[str, str], method: str, path: str
) -> None:
    body = json.dumps({"events": [make_event()]}).encode() if method == "POST" else None
    response = httpx.request(method, f"{hub.url}{path}", headers=headers, content=body)
    assert response.status_code == 401
    assert response.json()["error"]
    assert hub_rows(hub) == []


def test_tokens_are_stored_only_as_sha256(hub: Any, tokens: dict[str, str]) -> None:
    with sqlite3.connect(hub.db) as conn:
        digests = {row[0] for row in conn.execute("SELECT token_sha256 FROM tokens")}
    assert digests == {hub_module.token_digest(token) for token in tokens.values()}
    assert all(token.encode() not in hub.db.read_bytes() for token in tokens.values())


# -- push -------------------------------------------------------------------------------------------


def test_push_stores_the_batch_in_order(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    events = [make_event(dossier_code=f"H26.11-251125-000{i}") for i in range(1, 4)]
    response = push(as_who["c1"], events)
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": [e["uuid"] for e in events], "conflicts": []}
    assert hub_rows(hub) == [(e["uuid"], COMMUNE, COUNTER_1, e["dossier_code"], canonical(e)) for e in events]


def test_the_same_batch_again_is_stored_once(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    events = [make_event() for _ in range(3)]
    first = push(as_who["c1"], events)
    again = push(as_who["c1"], events)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() == {"stored": [e["uuid"] for e in events], "conflicts": []}
    assert [row[0] for row in hub_rows(hub)] == [e["uuid"] for e in events]


def test_a_known_uuid_with_another_text_is_a_conflict_and_the_rest_is_stored(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    original = make_event()
    assert push(as_who["c1"], [original]).status_code == 200
    before, changed, after = make_event(), {**original, "payload": {"note": "sửa"}}, make_event()
    response = push(as_who["c1"], [before, changed, after])
    assert response.status_code == 409
    assert response.json() == {"stored": [before["uuid"], after["uuid"]], "conflicts": [original["uuid"]]}
    rows = hub_rows(hub)
    assert [row[0] for row in rows] == [original["uuid"], before["uuid"], after["uuid"]]
    assert rows[0][4] == canonical(original)


def test_one_uuid_twice_in_a_batch_with_other_text_is_a_conflict_and_not_also_stored(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    first, other = make_event(), make_event()
    changed = {**first, "payload": {"note": "khác"}}
    response = push(as_who["c1"], [first, other, changed, first])
    assert response.status_code == 409
    assert response.json() == {"stored": [other["uuid"]], "conflicts": [first["uuid"]]}
    assert [(row[0], row[4]) for row in hub_rows(hub)] == [
        (first["uuid"], canonical(first)),
        (other["uuid"], canonical(other)),
    ]


def test_one_uuid_twice_in_a_batch_with_the_same_text_is_stored_and_named_once(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    event = make_event()
    response = push(as_who["c1"], [event, dict(event)])
    assert response.status_code == 200
    assert response.json() == {"stored": [event["uuid"]], "conflicts": []}
    assert [row[0] for row in hub_rows(hub)] == [event["uuid"]]


def test_a_receipt_of_another_commune_is_refused(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    """Stored, it stopped the pull of every counter of the commune at every run: a counter refuses
    a page holding another commune's receipt (a token pasted from another commune)."""
    foreign = make_event(payload={"receiving": {"commune_code": "99999", "counter": 1}})
    for who in ("c1", "city"):
        response = push(as_who[who], [make_event(), foreign])
        assert response.status_code == 403, who
        assert foreign["uuid"] in response.json()["error"] and "99999" in response.json()["error"]
    assert hub_rows(hub) == []
    own = make_event(payload={"receiving": {"commune_code": COMMUNE, "counter": 1}})
    assert push(as_who["c1"], [own]).status_code == 200


def test_a_counters_receipt_with_another_agencys_code_is_refused(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    """A counter of commune 11411 took over a code of 11410 on the citizens' look-up page."""
    taken = make_event(counter_id=FAR_COUNTER, dossier_code="000.00.11.H26-251125-2002")
    response = push(as_who["far"], [taken])
    assert response.status_code == 403
    assert taken["uuid"] in response.json()["error"] and "000.00.11.H26" in response.json()["error"]
    assert hub_rows(hub) == []
    # Its own codes, codes of another pattern, and steps of a dossier received before its agency
    # identifier changed are all its own.
    allowed = [
        make_event(counter_id=FAR_COUNTER, dossier_code="000.00.12.H26-251125-1001"),
        make_event(counter_id=FAR_COUNTER, dossier_code="H26.12-251125-1002"),
        make_event(counter_id=FAR_COUNTER, dossier_code="000.00.00.X11411-251125-1003", kind="transferred"),
    ]
    assert push(as_who["far"], allowed).status_code == 200


def test_the_look_up_page_belongs_to_the_commune_of_the_codes_agency(
    hub: Any, as_who: dict[str, httpx.Client], make_desk: Callable[..., Any]
) -> None:
    """Another commune that pushed a step of a code before the code's own commune pushed its
    receipt took the citizen's page over: "no such dossier" for the right digits."""
    desk = make_desk()  # counter 2 of 11410, agency 000.00.11.H26
    assert desk.settings.counter_id == COUNTER_2
    code = desk.receive(intake(), "Trần Văn Minh").code
    first = make_event(counter_id=FAR_COUNTER, dossier_code=code, kind="refused", payload={"reason": "x"})
    assert push(as_who["far"], [first]).status_code == 200
    assert push(as_who["c2"], desk.outbox(10)).status_code == 200
    page = httpx.get(f"{hub.url}/tra-cuu", params={"ma": code, "cccd": "1234"})
    assert page.status_code == 200
    assert "Được tiếp nhận" in page.text and "Từ chối" not in page.text


def test_a_counter_cannot_push_another_counters_events(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    own, foreign = make_event(), make_event(counter_id=COUNTER_2)
    response = push(as_who["c1"], [own, foreign])
    assert response.status_code == 403
    assert foreign["uuid"] in response.json()["error"]
    assert hub_rows(hub) == []


def test_the_city_pushes_any_counters_events_but_not_without_a_dossier(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    no_dossier = push(as_who["city"], [make_event(), make_event(dossier_code="")])
    assert no_dossier.status_code == 400
    assert "events[1].dossier_code" in no_dossier.json()["error"]
    assert hub_rows(hub) == []
    events = [make_event(counter_id=COUNTER_2), make_event(counter_id="Sở Tư pháp")]
    assert push(as_who["city"], events).status_code == 200
    assert [(row[0], row[2]) for row in hub_rows(hub)] == [(e["uuid"], "city") for e in events]


def _valid_body() -> bytes:
    return json.dumps({"events": [make_event(), make_event()]}, ensure_ascii=False).encode()


def _body_with_second_event(**changes: Any) -> bytes:
    second = make_event(**changes)
    return json.dumps({"events": [make_event(), second]}).encode()


def _body_without(key: str) -> bytes:
    second = make_event()
    del second[key]
    return json.dumps({"events": [make_event(), second]}).encode()


def _body_with_raw_second_event(raw: bytes, **changes: Any) -> bytes:
    """A body whose second event has ``raw`` JSON text where ``"@@"`` stands (in a field, a payload
    value or a key): what ``json.dumps`` never writes, as ``1e400`` or a lone ``\\ud800``."""
    changes.setdefault("payload", {"summary": "@@"})
    body = _body_with_second_event(**changes)
    assert body.count(b'"@@"') == 1
    return body.replace(b'"@@"', raw)


def nested(levels: int) -> dict[str, Any]:
    """A payload of ``levels`` containers one in another: the payload object, then arrays."""
    inner: Any = []
    for _ in range(levels - 2):
        inner = [inner]
    return {"n": inner}


BAD_BODIES = {
    "malformed-json": (b'{"events": [}', "not valid JSON"),
    "cut-off": (_valid_body()[: len(_valid_body()) // 2], "not valid JSON"),
    "not-utf8": (_valid_body().replace("ễ".encode(), b"\xff\xfe"), "UTF-8"),
    "nan": (_valid_body().replace(b'"originals": 1', b'"originals": NaN'), "not valid JSON"),
    "repeated-key": (
        _valid_body().replace(b'"kind": ', b'"kind": "withdrawn", "kind": ', 1),
        "appears twice",
    ),
    "not-an-object": (b"[]", "JSON object"),
    "events-not-array": (b'{"events": {}}', "'events' must be an array"),
    "unknown-top-field": (b'{"events": [], "x": 1}', "unknown field"),
    "event-not-object": (b'{"events": [1]}', "events[0] is not an object"),
    "missing-key": (_body_without("actor"), "events[1].actor is missing"),
    "missing-payload": (_body_without("payload"), "events[1].payload is missing"),
    "extra-key": (_body_with_second_event(extra="x"), "events[1] has unknown field(s): extra"),
    "wrong-type": (_body_with_second_event(kind=3), "events[1].kind must be a string"),
    "payload-not-object": (_body_with_second_event(payload=[]), "events[1].payload must be a object"),
    "bad-uuid": (_body_with_second_event(uuid="not-a-uuid"), "events[1].uuid"),
    "uppercase-uuid": (_body_with_second_event(uuid=str(uuid.uuid4()).upper()), "events[1].uuid"),
    "naive-time": (_body_with_second_event(occurred_at="2026-11-25T09:30:00"), "events[1].occurred_at"),
    "date-only": (_body_with_second_event(occurred_at="2026-11-25"), "events[1].occurred_at"),
    "impossible-time": (
        _body_with_second_event(occurred_at="2026-02-30T09:30:00+07:00"),
        "events[1].occurred_at",
    ),
    "long-string": (_body_with_second_event(actor="a" * 10_001), "events[1].actor is longer than 10000"),
    "long-string-in-payload": (_body_with_second_event(payload={"n": ["b" * 10_001]}), "events[1].payload"),
    "payload-over-100kb": (
        _body_with_second_event(payload={f"k{i}": "x" * 9_000 for i in range(12)}),
        "events[1].payload is",
    ),
    # A tester's findings: each was stored, and then stopped, crashed or misled the counters.
    "year-1999-in-vietnam": (  # 1999-12-31T17:00:00+07:00
        _body_with_second_event(occurred_at="2000-01-01T00:00:00+14:00"),
        "events[1].occurred_at is outside the years 2000-2100",
    ),
    "year-2101-in-vietnam": (  # 2101-01-01T18:59:59+07:00
        _body_with_second_event(occurred_at="2100-12-31T23:59:59-12:00"),
        "events[1].occurred_at is outside the years 2000-2100",
    ),
    "nested-33-levels": (_body_with_second_event(payload=nested(33)), "events[1].payload is nested deeper"),
    "nested-600-levels": (_body_with_second_event(payload=nested(600)), "events[1].payload is nested deeper"),
    "empty-code": (_body_with_second_event(dossier_code=""), "events[1].dossier_code"),
    "path-as-code": (_body_with_second_event(dossier_code="../../etc/passwd"), "events[1].dossier_code"),
    "lower-case-code": (_body_with_second_event(dossier_code="h26.11-251125-0001"), "events[1].dossier_code"),
    "code-over-60": (_body_with_second_event(dossier_code="A" * 61), "events[1].dossier_code"),
    "code-with-nul": (
        _body_with_second_event(dossier_code="H26.11-251125-0001\x00"),
        "events[1].dossier_code",
    ),
    "code-with-space": (_body_with_second_event(dossier_code="H26.11 251125-0001"), "events[1].dossier_code"),
    "unknown-kind": (_body_with_second_event(kind="returned_by_department"), "events[1].kind"),
    "empty-kind": (_body_with_second_event(kind=""), "events[1].kind"),
    "empty-actor": (_body_with_second_event(actor=""), "events[1].actor must not be empty"),
    "blank-actor": (_body_with_second_event(actor=" \t"), "events[1].actor must not be empty"),
    "number-past-float": (
        _body_with_raw_second_event(b"1e400"),
        "events[1].payload holds a number that is not",
    ),
    "negative-past-float": (_body_with_raw_second_event(b"-1e400"), "events[1].payload holds a number"),
    "surrogate-in-payload": (
        _body_with_raw_second_event(b'"\\ud800"'),
        "events[1].payload holds text that is not valid UTF-8",
    ),
    "surrogate-in-key": (
        _body_with_raw_second_event(b'"\\udfff"', payload={"@@": 1}),
        "events[1].payload holds text that is not valid UTF-8",
    ),
    "surrogate-in-actor": (
        _body_with_raw_second_event(b'"Minh \\ud800"', actor="@@", payload={}),
        "events[1].actor holds text that is not valid UTF-8",
    ),
}


@pytest.mark.parametrize("body,message", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_bad_body_is_400_and_stores_nothing(
    hub: Any, as_who: dict[str, httpx.Client], body: bytes, message: str
) -> None:
    response = as_who["c1"].post("/v1/events", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]
    assert hub_rows(hub) == []


def test_the_limits_themselves_are_accepted(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    big = {f"k{i}": "x" * 10_000 for i in range(10)}
    big["pad"] = "y" * (100 * 1024 - len(canonical(big)) - len(',"pad":""'))
    assert len(canonical(big).encode()) == 100 * 1024
    events = [make_event(payload=big)] + [make_event() for _ in range(499)]
    response = push(as_who["c1"], events)
    assert response.status_code == 200, response.text
    assert len(hub_rows(hub)) == 500


def test_what_a_counter_writes_at_the_edges_is_accepted(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    """The checks that refuse what no counter writes leave every counter's event through."""
    kinds = ["received", "transferred", "extra_papers_requested", "extra_papers_received", "fee_requested"]
    kinds += ["fee_paid", "refused", "withdrawn", "stopped", "result_ready", "returned"]
    kinds += ["appointment_moved", "rated"]
    events = [make_event(kind=kind) for kind in kinds]
    events += [
        make_event(occurred_at="2000-01-01T00:00:00+07:00"),
        make_event(occurred_at="2100-12-31T23:59:59.999999+07:00"),
        make_event(occurred_at="2000-01-01T00:00:00Z"),  # 07:00 in Vietnam
        make_event(payload=nested(32)),
        make_event(payload={"amount": 1.5, "big": 1e308, "small": -1e-308}),
        make_event(dossier_code="A" * 60),
        make_event(dossier_code="HS/000.00.11.H26_251125/20001"),  # a code_pattern's literals
        make_event(dossier_code="000.00.11.H26-251125-2001"),  # the counter's own agency
    ]
    response = push(as_who["c1"], events)
    assert response.status_code == 200, response.text
    assert len(hub_rows(hub)) == len(events)


def test_501_events_is_413(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    response = push(as_who["c1"], [make_event() for _ in range(501)])
    assert response.status_code == 413
    assert "501" in response.json()["error"]
    assert hub_rows(hub) == []


def refused_while_sending(client: httpx.Client, content: Any) -> int | None:
    """Post an oversized body: the hub's 413, or None when the hub, having answered, closed the
    connection before the client finished sending (a loaded machine sends slower; the raw-socket
    test below pins the 413 itself)."""
    try:
        return client.post("/v1/events", content=content).status_code
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        return None


def test_a_body_over_5_mb_is_413(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    body = json.dumps({"events": [make_event(payload={"x": "y" * (5 * 1024 * 1024)})]}).encode()
    assert refused_while_sending(as_who["c1"], body) in (413, None)
    assert hub_rows(hub) == []
    assert as_who["c1"].get("/v1/health").status_code == 200  # and the hub serves on


def test_a_streamed_body_is_cut_off_at_5_mb(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    """Without a Content-Length the hub reads chunks and stops once past the limit."""

    def chunks() -> Iterator[bytes]:
        yield b'{"events": [{"payload": "'
        for _ in range(6 * 16):
            yield b"z" * 65_536

    assert refused_while_sending(as_who["c1"], chunks()) in (413, None)
    assert hub_rows(hub) == []
    assert as_who["c1"].get("/v1/health").status_code == 200


def test_a_declared_length_over_5_mb_is_refused_before_the_body_is_sent(
    hub: Any, tokens: dict[str, str]
) -> None:
    """Over a raw socket: the hub answers 413 from the header alone, without waiting for the body."""
    port = int(hub.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = (
            "POST /v1/events HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {tokens['c1']}\r\nContent-Length: {5 * 1024 * 1024 + 1}\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"events": [')
        answer = sock.recv(65_536)
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_nfd_text_is_stored_and_returned_unchanged(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    actor = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    assert actor != unicodedata.normalize("NFC", actor)
    event = make_event(actor=actor)
    assert push(as_who["c1"], [event]).status_code == 200
    assert hub_rows(hub)[0][4] == canonical(event)
    pulled, _ = pull_all(as_who["c2"])
    assert pulled == [event]
    assert pulled[0]["actor"] == actor


def test_a_body_that_never_arrives_in_full_is_408(
    hub: Any, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Content-Length larger than what is sent held the connection for ever (the hub runs in
    this process: the time limit is lowered for the test)."""
    monkeypatch.setattr(hub_module, "BODY_SECONDS", 0.5, raising=False)
    port = int(hub.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = (
            "POST /v1/events HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {tokens['c1']}\r\nContent-Length: 100\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"events":')
        answer = b""
        try:
            while chunk := sock.recv(65_536):  # to the end: the hub closes the connection
                answer += chunk
        except TimeoutError:
            answer += b"(no end in 10 s)"
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert answer.endswith(b's"}'), answer  # the whole error body, then the connection closed
    assert b"did not arrive in full within 0.5 s" in answer
    assert hub_rows(hub) == []


# -- pull -------------------------------------------------------------------------------------------


def _strict_json(text: str) -> Any:
    """Parse as a strict JSON parser (JavaScript's JSON.parse) does: NaN and Infinity are not JSON."""

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_an_infinity_stored_by_an_older_hub_is_never_served(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    """An older hub stored 1e400 as Infinity and served it: a strict parser refused the whole page."""
    poisoned = make_event(payload={"summary": float("inf")})
    with sqlite3.connect(hub.db) as conn:
        conn.execute(
            "INSERT INTO events (uuid, commune_code, source, dossier_code, canonical, received_at)"
            " VALUES (?, ?, ?, ?, ?, '2026-11-25T02:30:00+00:00')",
            (poisoned["uuid"], COMMUNE, COUNTER_1, poisoned["dossier_code"], canonical(poisoned)),
        )
    assert "Infinity" in hub_rows(hub)[0][4]
    clean = make_event()
    assert push(as_who["c1"], [clean]).status_code == 200
    page = as_who["c2"].get("/v1/events")
    assert page.status_code == 200
    assert _strict_json(page.text) == {
        "events": [clean], "next": "2", "more": False, "last": "2", "next_uuid": clean["uuid"]
    }  # fmt: skip
    export = as_who["city"].get("/v1/national")
    assert export.status_code == 200
    assert "Infinity" not in export.text


def test_another_counter_pulls_every_event_once_in_order_by_pages(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    events = [make_event(dossier_code=f"H26.11-251125-{i:04}") for i in range(5)]
    assert push(as_who["c1"], events[:3]).status_code == 200
    assert push(as_who["c1"], events[3:]).status_code == 200
    pages = []
    after = "0"
    while True:
        page = as_who["c2"].get("/v1/events", params={"after": after, "limit": 2}).json()
        pages.append([e["uuid"] for e in page["events"]])
        after = page["next"]
        if not page["more"]:
            break
    assert pages == [[e["uuid"] for e in events[0:2]], [e["uuid"] for e in events[2:4]], [events[4]["uuid"]]]
    assert after == "5"
    nothing_new = as_who["c2"].get("/v1/events", params={"after": after}).json()
    assert nothing_new == {
        "events": [],
        "next": "5",
        "more": False,
        "last": "5",
        "next_uuid": events[4]["uuid"],
    }
    later = make_event()
    assert push(as_who["c1"], [later]).status_code == 200
    assert pull_all(as_who["c2"], after=after) == ([later], "6")


def test_a_counter_does_not_get_its_own_events_back_but_its_cursor_advances(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    own = [make_event() for _ in range(3)]
    assert push(as_who["c1"], own).status_code == 200
    page = as_who["c1"].get("/v1/events", params={"after": "0", "limit": 2}).json()
    assert page == {"events": [], "next": "3", "more": False, "last": "3", "next_uuid": own[2]["uuid"]}
    theirs = make_event(counter_id=COUNTER_2)
    mine = make_event()
    assert push(as_who["c2"], [theirs]).status_code == 200
    assert push(as_who["c1"], [mine]).status_code == 200
    page = as_who["c1"].get("/v1/events", params={"after": "0", "limit": 1}).json()
    assert page == {"events": [theirs], "next": "4", "more": True, "last": "5", "next_uuid": theirs["uuid"]}
    page = as_who["c1"].get("/v1/events", params={"after": "4", "limit": 1}).json()
    assert page == {"events": [], "next": "5", "more": False, "last": "5", "next_uuid": mine["uuid"]}


def test_a_pull_reads_a_bounded_number_of_rows_however_many_are_the_callers_own(
    hub: Any, as_who: dict[str, httpx.Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_module, "MAX_SCAN", 4)  # the hub runs in this process (a thread)
    own = [make_event() for _ in range(9)]
    assert push(as_who["c1"], own).status_code == 200
    theirs = make_event(counter_id=COUNTER_2)
    assert push(as_who["c2"], [theirs]).status_code == 200
    pages = []
    after = "0"
    while True:
        page = as_who["c1"].get("/v1/events", params={"after": after}).json()
        pages.append((len(page["events"]), page["next"], page["more"]))
        after = page["next"]
        if not page["more"]:
            break
    assert pages == [(0, "4", True), (0, "8", True), (1, "10", False)]


def test_with_own_1_a_counter_gets_its_own_events_too(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    """What a counter put back from an older backup asks for: what it had sent since."""
    own = [make_event() for _ in range(2)]
    theirs = make_event(counter_id=COUNTER_2)
    assert push(as_who["c1"], own).status_code == 200
    assert push(as_who["c2"], [theirs]).status_code == 200
    page = as_who["c1"].get("/v1/events", params={"after": "0", "own": "1"}).json()
    assert page == {
        "events": [*own, theirs], "next": "3", "more": False, "last": "3", "next_uuid": theirs["uuid"]
    }  # fmt: skip
    for wrong in ("2", "yes", ""):
        assert as_who["c1"].get("/v1/events", params={"own": wrong}).status_code == 400


def test_a_counter_of_another_commune_sees_none(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    assert push(as_who["c1"], [make_event()]).status_code == 200
    assert push(as_who["city"], [make_event(counter_id=COUNTER_2)]).status_code == 200
    assert as_who["far"].get("/v1/events").json() == {"events": [], "next": "0", "more": False, "last": "0"}
    far_event = make_event(counter_id=FAR_COUNTER)
    assert push(as_who["far"], [far_event]).status_code == 200
    assert [row[1] for row in hub_rows(hub)] == [COMMUNE, COMMUNE, OTHER_COMMUNE]

    assert pull_all(as_who["c2"])[0] == pull_all(as_who["c2"])[0]
    assert far_event["uuid"] not in {e["uuid"] for e in pull_all(as_who["c2"])[0]}


def test_the_citys_events_reach_both_counters_and_the_city_reads_the_whole_commune(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    from_counter = make_event()
    from_city = make_event(counter_id="Sở Tư pháp", kind="returned_by_department")
    assert push(as_who["c1"], [from_counter]).status_code == 200
    assert push(as_who["city"], [from_city]).status_code == 200
    assert pull_all(as_who["c1"]) == ([from_city], "2")
    assert pull_all(as_who["c2"]) == ([from_counter, from_city], "2")
    assert pull_all(as_who["city"]) == ([from_counter, from_city], "2")


@pytest.mark.parametrize(
    "params,message",
    [
        ({"after": "-1"}, "after"),
        ({"after": "abc"}, "after"),
        ({"after": "1.5"}, "after"),
        ({"after": ""}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_a_bad_cursor_or_limit_is_400(
    hub: Any, as_who: dict[str, httpx.Client], params: dict[str, str], message: str
) -> None:
    response = as_who["c2"].get("/v1/events", params=params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_the_limit_caps_a_page_at_1000(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    for _ in range(3):
        assert push(as_who["c1"], [make_event() for _ in range(400)]).status_code == 200
    default = as_who["c2"].get("/v1/events").json()
    assert (len(default["events"]), default["next"], default["more"]) == (500, "500", True)
    biggest = as_who["c2"].get("/v1/events", params={"limit": 1000}).json()
    assert (len(biggest["events"]), biggest["next"], biggest["more"]) == (1000, "1000", True)


def test_concurrent_pushes_are_all_stored_and_pulled_once_in_seq_order(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    batches = [[make_event(counter_id=COUNTER_2) for _ in range(50)] for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda batch: push(as_who["c2"], batch).status_code, batches))
    assert answers == [200] * 8
    pulled, cursor = pull_all(as_who["c1"], limit=37)
    assert cursor == "400"
    assert [e["uuid"] for e in pulled] == [row[0] for row in hub_rows(hub)]
    assert {e["uuid"] for e in pulled} == {e["uuid"] for batch in batches for e in batch}


# -- catalog and calendar ---------------------------------------------------------------------------


def test_the_catalog_is_served_with_its_version_as_etag(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    response = as_who["c1"].get("/v1/catalog")
    assert response.status_code == 200
    on_disk = json.loads(hub_module.DEFAULT_CATALOG.read_text(encoding="utf-8"))
    assert response.json() == on_disk
    assert response.headers["etag"] == f'"{on_disk["version"]}"'
    again = as_who["c1"].get("/v1/catalog", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    stale = as_who["c1"].get("/v1/catalog", headers={"If-None-Match": '"2020.1.1"'})
    assert stale.status_code == 200
    assert stale.json()["version"] == on_disk["version"]


def test_the_calendar_is_empty_until_its_file_exists_then_read_at_each_request(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    empty = as_who["c1"].get("/v1/calendar")
    assert empty.status_code == 200
    assert empty.json() == {"version": "0", "overrides": []}
    assert empty.headers["etag"] == '"0"'
    calendar = {
        "version": "2026.2",
        "overrides": [
            {"day": "2026-12-31", "kind": "day_off", "label": "Nghỉ bù"},
            {"day": "2027-01-09", "kind": "working_day", "label": "Làm bù"},
        ],
    }
    hub.calendar.write_text(json.dumps(calendar, ensure_ascii=False), encoding="utf-8")
    response = as_who["c2"].get("/v1/calendar")
    assert response.status_code == 200
    assert response.json() == calendar
    assert response.headers["etag"] == '"2026.2"'
    assert as_who["c2"].get("/v1/calendar", headers={"If-None-Match": '"2026.2"'}).status_code == 304
    assert as_who["c2"].get("/v1/calendar", headers={"If-None-Match": '"0"'}).status_code == 200


def test_a_broken_calendar_file_is_a_500_not_served(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    hub.calendar.write_text(
        json.dumps({"version": "3", "overrides": [{"day": "31/12/2026"}]}), encoding="utf-8"
    )
    response = as_who["c1"].get("/v1/calendar")
    assert response.status_code == 500
    assert "error" in response.json()


def test_create_app_without_a_calendar_serves_version_0(tmp_path: Path) -> None:
    version, raw = hub_module.load_calendar(None)
    assert (version, json.loads(raw)) == ("0", {"version": "0", "overrides": []})


# -- contract document and command line -------------------------------------------------------------


def test_the_openapi_document_lists_exactly_the_hubs_routes() -> None:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1")
    routes = {path: sorted(m.upper() for m in item) for path, item in document["paths"].items()}
    assert routes == {path: sorted(methods) for path, methods in hub_module.Hub.ROUTES.items()}


def test_the_openapi_document_names_the_kinds_and_limits_the_hub_holds_to() -> None:
    from counter_app.domain.dossier import TRANSITIONS

    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    event = document["components"]["schemas"]["Event"]["properties"]
    assert event["kind"]["x-counter-kinds"] == list(TRANSITIONS) and "enum" not in event["kind"]
    assert event["dossier_code"]["pattern"] == f"^{hub_module._DOSSIER_CODE.pattern}$"
    assert f"nested at most {hub_module.MAX_DEPTH} levels" in event["payload"]["description"]
    push_route = document["paths"]["/v1/events"]["post"]
    assert "408" in push_route["responses"]
    assert f"within {hub_module.BODY_SECONDS:g} seconds" in push_route["description"]


def test_python_m_sync_hub_runs_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    command = [
        sys.executable,
        "-m",
        "sync.hub",
        "add-city",
        "--db",
        str(db),
        "--token",
        "T",
        "--commune-code",
    ]
    done = subprocess.run([*command, COMMUNE], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert (done.returncode, done.stderr) == (0, "")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT kind, commune_code FROM tokens").fetchall() == [("city", COMMUNE)]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1


def test_the_command_line_adds_tokens(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "hub.db"
    add_counter = ["add-counter", "--db", str(db), "--token", "T1", "--commune-code", COMMUNE]
    assert hub_module.main([*add_counter, "--counter-id", COUNTER_1]) == 0
    assert hub_module.main(["add-city", "--db", str(db), "--token", "T2", "--commune-code", COMMUNE]) == 0
    with sqlite3.connect(db) as conn:
        rows = set(conn.execute("SELECT token_sha256, kind, commune_code, counter_id FROM tokens"))
    assert rows == {
        (hub_module.token_digest("T1"), "counter", COMMUNE, COUNTER_1),
        (hub_module.token_digest("T2"), "city", COMMUNE, None),
    }
    assert hub_module.main(["add-city", "--db", str(db), "--token", "", "--commune-code", COMMUNE]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    with pytest.raises(SystemExit) as exit_info:
        hub_module.main(["add-city", "--db", str(db)])
    assert exit_info.value.code == 2


def test_serving_without_uvicorn_says_what_to_install(tmp_path: Path) -> None:
    hidden = (
        "import sys; sys.modules['uvicorn'] = None; from sync.hub import main; "
        f"sys.exit(main(['serve', '--db', {str(tmp_path / 'hub.db')!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", hidden], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 2
    assert "pip install" in done.stderr and "Traceback" not in done.stderr


def test_a_pull_naming_another_counter_than_the_tokens_is_refused(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    """The counter says who it is set up as: a token of another commune (or the city's) pasted
    into its settings gets a 403, not that commune's citizens."""
    assert push(as_who["c1"], [make_event()]).status_code == 200
    for who in ("far", "city", "c2"):
        answer = as_who[who].get("/v1/events", params={"counter": COUNTER_1})
        assert answer.status_code == 403, who
        assert COUNTER_1 in answer.json()["error"]
    assert as_who["c1"].get("/v1/events", params={"counter": COUNTER_1}).status_code == 200
    twice = as_who["c1"].get("/v1/events", params=[("counter", COUNTER_1), ("counter", COUNTER_1)])
    assert twice.status_code == 400


def test_a_pull_says_whether_the_commune_holds_an_event(hub: Any, as_who: dict[str, httpx.Client]) -> None:
    """``holds``: a counter asks whether the hub still holds the last event it acknowledged (a hub
    put back to an older copy does not); another commune's event is not this commune's to hold."""
    mine = make_event()
    theirs = make_event(counter_id=FAR_COUNTER, dossier_code="000.00.12.H26-251125-1001")
    assert push(as_who["c1"], [mine]).status_code == 200
    assert push(as_who["far"], [theirs]).status_code == 200

    def asked(uuid: object) -> httpx.Response:
        return as_who["c1"].get("/v1/events", params={"own": 1, "holds": uuid})

    assert asked(mine["uuid"]).json()["holds"] is True
    assert asked(theirs["uuid"]).json()["holds"] is False
    assert asked(str(uuid.uuid4())).json()["holds"] is False
    assert "holds" not in as_who["c1"].get("/v1/events").json()
    for wrong in (mine["uuid"].upper(), "x' OR 1=1 --", ""):
        answer = asked(wrong)
        assert answer.status_code == 400 and "holds" in answer.json()["error"]
    twice = as_who["c1"].get("/v1/events", params=[("holds", mine["uuid"]), ("holds", mine["uuid"])])
    assert twice.status_code == 400


def test_a_pull_says_whether_the_event_at_the_cursor_is_still_the_one_pulled_there(
    hub: Any, as_who: dict[str, httpx.Client]
) -> None:
    """``next_uuid`` names the event at ``next``; ``expect`` asks whether the event at ``after`` is
    still that one (a hub put back to an older copy gives the numbers past it to other events)."""
    first, second = make_event(), make_event()
    assert push(as_who["c1"], [first, second]).status_code == 200
    page = as_who["c2"].get("/v1/events", params={"limit": 1}).json()
    assert (page["next"], page["next_uuid"]) == ("1", first["uuid"])
    again = as_who["c2"].get("/v1/events", params={"after": "1", "expect": first["uuid"]}).json()
    assert again["expected"] is True and again["next_uuid"] == second["uuid"]
    other = as_who["c2"].get("/v1/events", params={"after": "1", "expect": second["uuid"]}).json()
    assert other["expected"] is False
    past = as_who["c2"].get("/v1/events", params={"after": "9", "expect": first["uuid"]}).json()
    assert past["expected"] is False and "next_uuid" not in past  # no event numbered 9
    assert "expected" not in as_who["c2"].get("/v1/events", params={"after": "1"}).json()
    assert as_who["c2"].get("/v1/events", params={"expect": "nope"}).status_code == 400


def test_a_backup_of_the_hub_is_refused_over_a_file_or_without_a_hub(
    hub: Any, as_who: dict[str, httpx.Client], tmp_path: Path
) -> None:
    """``backup`` never writes over a file (yesterday's copy), and says so in one line."""
    assert push(as_who["c1"], [make_event()]).status_code == 200
    there = tmp_path / "yesterday.db"
    there.write_bytes(b"yesterday")

    def backup(db: Path, to: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sync.hub", "backup", "--db", str(db), "--to", str(to)],
            capture_output=True, text=True, timeout=60, cwd=ROOT,
        )  # fmt: skip

    for db, to, said in (
        (hub.db, there, "exists already"),
        (tmp_path / "none.db", tmp_path / "new.db", "no hub"),
    ):
        done = backup(db, to)
        assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr
    assert there.read_bytes() == b"yesterday" and not (tmp_path / "new.db").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")) == []


@pytest.mark.parametrize(
    "content",
    ['{"version": "1", "procedures": [{"code": "x"}]}', '{"version": "1", "procedures": [}'],
    ids=["refused-by-counters", "not-json"],
)
def test_serving_a_catalog_the_counters_would_refuse_is_refused_at_start(
    tmp_path: Path, content: str
) -> None:
    """Served, every counter's run said the catalog could not be taken (exit 10), every night; a
    file that was no JSON was refused without its name."""
    bad = tmp_path / "catalog.json"
    bad.write_text(content)
    command = ["serve", "--db", str(tmp_path / "hub.db"), "--port", "0", "--catalog", str(bad)]
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; from sync.hub import main; sys.exit(main({command!r}))"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "catalog.json" in done.stderr and "Traceback" not in done.stderr


def test_serving_a_calendar_file_the_counters_cannot_read_is_refused_at_start(tmp_path: Path) -> None:
    """It failed every counter's run with HTTP 500, night after night, from the first request.
    (A process of its own, with a time limit: a hub that starts serving does not return.)"""
    bad = tmp_path / "calendar.json"
    bad.write_text('{"version": "1", "overrides": [{"day": "2026-13-01", "kind": "day_off"}]}')
    command = ["serve", "--db", str(tmp_path / "hub.db"), "--port", "0", "--calendar", str(bad)]
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; from sync.hub import main; sys.exit(main({command!r}))"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 2
    assert "calendar.json" in done.stderr and "Traceback" not in done.stderr


def test_serving_with_a_calendar_file_that_is_not_there_says_so(tmp_path: Path) -> None:
    """Allowed (the city drops its first calendar in later), but a mistyped --calendar path looked
    the same and served an empty calendar without a word to the administrator."""
    missing = tmp_path / "no-such-calendar.json"
    command = ["serve", "--db", str(tmp_path / "hub.db"), "--port", "0", "--calendar", str(missing)]
    with subprocess.Popen(
        [sys.executable, "-c", f"import sys; from sync.hub import main; sys.exit(main({command!r}))"],
        stderr=subprocess.PIPE, text=True, cwd=ROOT,
    ) as hub:  # fmt: skip
        assert hub.stderr is not None
        try:
            said = [hub.stderr.readline() for _ in range(1)]
        finally:
            hub.terminate()
        rest, _ = hub.communicate(timeout=30)
    assert "no-such-calendar.json does not exist" in "".join(said), (said, rest)
    assert "empty calendar" in "".join(said)


def test_the_hub_s_database_is_created_owner_only(tmp_path: Path) -> None:
    """It holds the commune's citizens (names, ID numbers); `add-counter` created it readable by
    every user of the machine (0644), where every counter file and the hub's backups are 0600."""
    path = tmp_path / "hub.db"
    hub_module.open_hub_db(path).close()
    assert path.stat().st_mode & 0o777 == 0o600
