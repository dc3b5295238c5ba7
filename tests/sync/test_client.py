"""The counter's sync client against the real reference hub on 127.0.0.1 (``hub`` fixture): two
counters of one commune, the city's own events, faults on the wire, and a hub that answers wrongly."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import ssl
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from counter_app.domain.codes import unseen_start
from counter_app.domain.dossier import new_event
from counter_app.domain.errors import RuleError, ValidationError
from sync import client as client_module
from sync.client import HubRefused, HubUnreachable, SyncClient, SyncError, SyncReport
from tests.conftest import FixedClock, intake
from tests.hubserver import serve_hub

COMMUNE = "11410"
AGENCY = "000.00.11.H26"
MINH = "Trần Văn Minh"


@pytest.fixture
def counters(make_desk: Callable[..., Desk], tmp_path: Path, hub: Any) -> tuple[Desk, Desk]:
    """Counters 1 and 2 of xã Vĩnh Bảo, each on its own database, each with its token at the hub."""
    first = make_desk(tmp_path / "counter1.db", counter_no=1)
    second = make_desk(tmp_path / "counter2.db", counter_no=2)
    for desk in (first, second):
        token = f"token-{desk.settings.counter_no}"
        hub.add_counter(token, COMMUNE, desk.settings.counter_id)
        desk.update_settings(hub_url=hub.url, hub_token=token)
    return first, second


def sync(desk: Desk, *, transport: httpx.BaseTransport | None = None) -> SyncReport:
    with SyncClient(desk, desk.settings.hub_url, desk.settings.hub_token, transport=transport) as client:
        return client.run()


def hub_events(hub: Any) -> list[tuple[str, str]]:
    with sqlite3.connect(hub.db) as conn:
        return conn.execute("SELECT uuid, dossier_code FROM events ORDER BY seq").fetchall()


def states(desk: Desk) -> dict[str, str]:
    return dict(desk.store.conn.execute("SELECT code, sync_state FROM dossiers").fetchall())


def city_post(hub: Any, events: list[dict[str, Any]]) -> httpx.Response:
    hub.add_city_token("city-token", COMMUNE)
    return httpx.post(
        f"{hub.url}/v1/events", json={"events": events}, headers={"Authorization": "Bearer city-token"}
    )


# -- two counters, one commune ------------------------------------------------------------------------


def test_what_one_counter_records_reaches_the_other_once(counters: tuple[Desk, Desk], hub: Any) -> None:
    first, second = counters
    codes = [first.receive(intake(), MINH).code for _ in range(3)]
    first.transfer(codes[0], MINH)
    assert set(states(first).values()) == {"pending"}

    report = sync(first)
    assert (report.pushed, report.waiting, report.conflicts) == (4, 0, [])
    assert first.unsent_events() == 0 and set(states(first).values()) == {"sent"}
    assert sorted(code for _, code in hub_events(hub)) == sorted([*codes, codes[0]])

    pulled = sync(second)
    assert (pulled.pulled, pulled.pushed) == (4, 0)
    assert [second.get(code).status for code in codes] == [4, 2, 2]
    assert {r.code for r in second.find("dang thi hoa")} == set(codes)
    assert second.unsent_events() == 0  # what it pulled is not sent back

    again = [sync(first), sync(second)]  # nothing new either way, nothing doubled
    assert [(r.pushed, r.pulled) for r in again] == [(0, 0), (0, 0)]
    assert len(hub_events(hub)) == 4
    assert first.last_sync() is not None and second.sync_cursor() != "0"


def test_a_step_taken_at_the_other_counter_comes_back(counters: tuple[Desk, Desk]) -> None:
    first, second = counters
    code = first.receive(intake(), MINH).code
    sync(first)
    sync(second)
    second.transfer(code, "Lê Thị Lan")  # the citizen came back to counter 2
    assert sync(second).pushed == 1
    report = sync(first)
    assert report.pulled == 1 and first.get(code).status == 4
    assert states(first)[code] == "sent"


def test_the_city_s_status_update_moves_the_dossier(counters: tuple[Desk, Desk], hub: Any) -> None:
    first, _ = counters
    code = first.receive(intake(), MINH).code
    first.transfer(code, MINH)
    sync(first)
    at = datetime(2026, 11, 26, 10, 0, tzinfo=VN_TZ)
    ready = new_event(code, "result_ready", at, "Phòng Tư pháp", "city", {})
    assert city_post(hub, [ready.to_json()]).status_code == 200
    report = sync(first)
    assert report.pulled == 1 and report.flagged == []
    assert first.get(code).status == 9


def test_an_event_the_lifecycle_refuses_here_is_kept_flagged_and_the_cursor_moves_on(
    counters: tuple[Desk, Desk], hub: Any
) -> None:
    first, _ = counters
    code = first.receive(intake(), MINH).code
    sync(first)
    at = datetime(2026, 11, 26, 10, 0, tzinfo=VN_TZ)
    returned = new_event(code, "returned", at, "Phòng Tư pháp", "city", {})  # no result yet: impossible
    later = new_event(code, "transferred", at, "Phòng Tư pháp", "city", {})
    assert city_post(hub, [returned.to_json(), later.to_json()]).status_code == 200
    report = sync(first)
    assert report.pulled == 1 and [c for c, _ in report.flagged] == [code]
    assert first.get(code).status == 4  # the later, possible one applied
    assert states(first)[code] == "conflict"
    assert [u for _, u, _ in first.store.flagged_events()] == [returned.uuid]
    assert sync(first).pulled == 0  # not asked for again
    status = first.sync_status()  # what `counter sync --status` shows the administrator
    assert status["conflicts"] == [code] and [f["uuid"] for f in status["flagged"]] == [returned.uuid]


def folded_rows(desk: Desk) -> list[tuple[Any, ...]]:
    """Every dossier row as this counter shows it, but its sync state (its own business)."""
    state = [r[1] for r in desk.store.conn.execute("PRAGMA table_info(dossiers)")].index("sync_state")
    return [r[:state] + r[state + 1 :] for r in desk.store.projection_rows()]


@pytest.mark.parametrize("first_to_sync", [0, 1])
def test_two_counters_that_stepped_one_dossier_apart_agree_once_both_have_synced(
    counters: tuple[Desk, Desk], hub: Any, first_to_sync: int
) -> None:
    """Counter 1 refuses a dossier while counter 2, cut off, records its result: the hub keeps both
    steps in the order they reached it, and both counters fold them in that order. The step that
    came second is left out on both (kept, flagged, the dossier in "conflict" for a person to
    settle), whichever counter synced first; before, each counter kept its own step and the two
    showed two statuses for one dossier for good."""
    first, second = counters
    code = first.receive(intake(), MINH).code
    first.transfer(code, MINH)
    sync(first)
    sync(second)
    first.refuse(code, MINH, reason="Không thuộc thẩm quyền giải quyết của xã.")
    second.record_result(code, "Lê Thị Lan")
    earlier, later = (first, second) if first_to_sync == 0 else (second, first)
    sync(earlier)
    stepped_second = sync(later)
    sync(earlier)
    # The step the hub's order left out was taken into the file all the same: said, not "0 new".
    assert "1 giữ lại không áp dụng" in stepped_second.lines()[0]
    won = 3 if first_to_sync == 0 else 9
    assert first.get(code).status == second.get(code).status == won
    assert folded_rows(first) == folded_rows(second)
    flagged = [{u for _, u, _ in desk.store.flagged_events()} for desk in counters]
    assert flagged[0] == flagged[1] and len(flagged[0]) == 1
    assert states(first)[code] == states(second)[code] == "conflict"
    kinds = [e.kind for e in first.events(code)]
    assert kinds == ["received", "transferred", "refused" if won == 3 else "result_ready"]
    assert [e.kind for e in second.events(code)] == kinds
    assert first.store.projection_differs() is None and second.store.projection_differs() is None
    lost = "Có kết quả" if won == 3 else "Từ chối"  # the step that reached the hub second
    for desk in counters:  # shown on each counter, with the counter and why it no longer fits
        [step] = desk.left_out(code)
        assert (step.label, step.counter_id) == (lost, (second if won == 3 else first).settings.counter_id)
        assert "không thể" in step.reason.lower()
    again = [sync(first), sync(second)]  # settled: nothing moves any more
    assert [(r.pushed, r.pulled, r.flagged) for r in again] == [(0, 0, []), (0, 0, [])]
    for report in again:  # but the conflict is said at every run until a person has looked
        assert report.open_conflicts == [code]
        assert any(line.startswith("Còn 1 hồ sơ đang xung đột chờ xem") for line in report.lines())
    first.settle_conflict(code, MINH)
    assert sync(first).open_conflicts == [] and sync(second).open_conflicts == [code]


@pytest.mark.parametrize("first_to_sync", [0, 1])
@pytest.mark.parametrize("steps", ["transfer_refuse", "two_moves", "move_refuse"])
def test_steps_of_one_line_taken_apart_leave_the_second_out_even_where_both_would_fit(
    counters: tuple[Desk, Desk], hub: Any, first_to_sync: int, steps: str
) -> None:
    """A transfer on counter 1 and a refusal at counter 2 (form 03 handed over), both taken while
    apart: in sequence both fit, and both stood, the refusal turned into one "refused later", with
    no conflict, or the transfer left out, as the counters happened to sync. Two appointments moved
    apart (07/12 on one, 09/12 on the other): the later one stood, without a word to the citizen
    holding the other's apology. The one that reached the hub second is now left out, on both."""
    first, second = counters
    code = first.receive(intake(), MINH).code
    sync(first)
    sync(second)
    if steps == "transfer_refuse":
        first.transfer(code, MINH)
        second.refuse(code, "Lê Thị Lan", reason="Không thuộc thẩm quyền giải quyết của xã.")
    elif steps == "two_moves":
        for desk, day in ((first, 7), (second, 9)):
            due = datetime(2026, 12, day, 17, 0, tzinfo=VN_TZ)
            desk.move_appointment(code, MINH, new_due=due, reason="Cần xác minh thêm")
    else:  # a refusal at the counter (form 03) on one, an apology with a new date on the other
        due = datetime(2026, 12, 7, 17, 0, tzinfo=VN_TZ)
        first.move_appointment(code, MINH, new_due=due, reason="Cần xác minh thêm")
        second.refuse(code, "Lê Thị Lan", reason="Không thuộc thẩm quyền giải quyết của xã.")
    earlier, later = (first, second) if first_to_sync == 0 else (second, first)
    sync(earlier)
    assert sync(later).flagged  # said to the counter whose step was left out
    sync(earlier)
    assert folded_rows(first) == folded_rows(second)
    assert states(first)[code] == states(second)[code] == "conflict"
    kept = earlier.events(code)[-1]
    assert kept.counter_id == earlier.settings.counter_id
    for desk in counters:
        [step] = desk.left_out(code)
        assert step.counter_id == later.settings.counter_id
        # Why: the other counter's step came first (or, a refusal first, the lifecycle's own rule).
        assert "chưa biết hồ sơ đã được" in step.reason or "không thể «" in step.reason.lower()
        assert desk.store.projection_differs() is None
    if steps == "two_moves":
        due = first.get(code).due_at
        assert due.day == (7 if first_to_sync == 0 else 9)
    elif steps == "transfer_refuse":
        assert first.get(code).status == (4 if first_to_sync == 0 else 3)
    else:
        assert first.get(code).status == (2 if first_to_sync == 0 else 3)
        assert first_to_sync == 0 or first.get(code).refused_at_intake


def test_a_step_overruled_by_the_hub_s_order_is_taken_back_in_when_it_fits_after_all(
    counters: tuple[Desk, Desk], hub: Any
) -> None:
    """Counter 2 transfers a dossier it has not seen the city's step on; the city's step, first at
    the hub, still allows the transfer after it: nothing is left out and nothing is in conflict."""
    first, second = counters
    code = first.receive(intake(), MINH).code
    sync(first)
    sync(second)
    at = datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ)
    moved = new_event(code, "appointment_moved", at, "Phòng Tư pháp", "city", {
        "reason": "Cần xác minh thêm.", "due_at": "2026-12-04T10:00:00+07:00",
        "previous_due_at": first.get(code).due_at.isoformat(),
    })  # fmt: skip
    assert city_post(hub, [moved.to_json()]).status_code == 200
    second.transfer(code, "Lê Thị Lan")
    report = sync(second)
    assert report.flagged == [] and second.get(code).status == 4
    assert [e.kind for e in second.events(code)] == ["received", "appointment_moved", "transferred"]
    sync(first)
    assert folded_rows(first) == folded_rows(second)
    assert states(second)[code] == states(first)[code] == "sent"


def test_a_counter_restored_from_an_older_backup_pulls_again_and_doubles_nothing(
    counters: tuple[Desk, Desk],
) -> None:
    first, second = counters
    for _ in range(3):
        first.receive(intake(), MINH)
    sync(first)
    assert sync(second).pulled == 3
    second.store.write_settings({"_sync_cursor": "0"})  # the cursor of a backup made before
    report = sync(second)
    assert (report.pulled, report.known) == (0, 3)
    assert second.store.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 3


def test_a_received_event_with_a_payload_cut_short_is_kept_flagged(
    counters: tuple[Desk, Desk], hub: Any
) -> None:
    first, _ = counters
    at = datetime(2026, 11, 26, 10, 0, tzinfo=VN_TZ)
    broken = new_event(f"{AGENCY}-261126-9001", "received", at, "Phòng Tư pháp", "city", {"applicant": 5})
    assert city_post(hub, [broken.to_json()]).status_code == 200
    report = sync(first)
    assert report.pulled == 0 and [c for c, _ in report.flagged] == [broken.dossier_code]
    assert "không đọc được" in report.flagged[0][1]
    assert [u for _, u, _ in first.store.flagged_events()] == [broken.uuid]
    assert first.sync_cursor() != "0" and sync(first).flagged == []  # not stuck on it


def test_pulled_fields_of_a_type_no_counter_writes_are_left_out_not_coerced(
    counters: tuple[Desk, Desk], hub: Any
) -> None:
    """A transfer to agency 123 was taken (the dossier said "Đến: 123"), 1.5 sets were taken, a
    name given as a number was shown as one: str() and int() made them fit."""
    first, second = counters
    code = second.receive(intake(), MINH).code
    sync(second)
    sync(first)
    at = datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ)
    numbered = new_event(code, "transferred", at, "Phòng Tư pháp", "city", {"to_agency_name": 123})
    template = first.events(code)[0].to_json()
    halves = {**template, "uuid": str(uuid.uuid4()), "dossier_code": f"{AGENCY}-261125-9003"}
    halves["payload"] = {**template["payload"], "sets": 1.5}
    named = {**template, "uuid": str(uuid.uuid4()), "dossier_code": f"{AGENCY}-261125-9004"}
    named["payload"] = {**template["payload"], "applicant": {**template["payload"]["applicant"], "name": 42}}
    assert city_post(hub, [numbered.to_json(), halves, named]).status_code == 200
    report = sync(first)
    reasons = dict(report.flagged)
    assert set(reasons) == {code, halves["dossier_code"], named["dossier_code"]}
    assert "payload.to_agency_name" in reasons[code] and "payload.sets" in reasons[halves["dossier_code"]]
    assert "payload.applicant.name" in reasons[named["dossier_code"]]
    assert first.get(code).status == 2 and first.get(code).handled_by == ""
    assert first.store.projection_differs() is None
    # The hub's own fold (the look-up page, the national export) leaves the same steps out.
    from sync.lookup import fold_texts

    with sqlite3.connect(hub.db) as conn:
        texts = [
            t
            for (t,) in conn.execute(
                "SELECT canonical FROM events WHERE dossier_code = ? ORDER BY seq", (code,)
            )
        ]
    folded, kept = fold_texts(texts)
    assert folded is not None and folded.status == 2 and [e.kind for e in kept] == ["received"]


def test_a_pulled_event_with_terminal_escapes_in_a_name_is_kept_flagged_not_shown(
    counters: tuple[Desk, Desk], hub: Any
) -> None:
    first, second = counters
    code = second.receive(intake(), MINH).code
    hostile = {**next(e for e in second.outbox(10) if e["dossier_code"] == code)}
    sync(second)
    hostile["uuid"] = str(uuid.uuid4())
    hostile["dossier_code"] = f"{AGENCY}-261125-9002"
    hostile["payload"] = {**hostile["payload"]}
    hostile["payload"]["applicant"] = {**hostile["payload"]["applicant"], "name": "Nguyễn\x1b[2J Văn A"}
    assert city_post(hub, [hostile]).status_code == 200
    report = sync(first)
    assert [c for c, _ in report.flagged] == [
        hostile["dossier_code"]
    ] and "payload.applicant.name" in report.flagged[0][1]
    assert first.store.get(hostile["dossier_code"]) is None and report.pulled == 1  # the clean one applied


def test_events_the_counter_cannot_hold_are_kept_flagged_and_the_sync_goes_on(
    counters: tuple[Desk, Desk], hub: Any
) -> None:
    """A time in year 9999 inside the payload, a counter number past SQLite's integers: the hub
    takes them (it does not read payloads), every counter keeps them flagged, and takes the
    clean event beside them."""
    first, second = counters
    code = second.receive(intake(), MINH).code
    clean = next(e for e in second.outbox(10) if e["dossier_code"] == code)
    sync(second)
    hostile = []
    for n, change in enumerate(
        [
            {"due_at": "9999-12-31T23:00:00+00:00"},
            {"receiving": {**clean["payload"]["receiving"], "counter": 10**30}},
        ]
    ):
        hostile.append(
            {
                **clean,
                "uuid": str(uuid.uuid4()),
                "dossier_code": f"{AGENCY}-261125-90{n}1",
                "payload": {**clean["payload"], **change},
            }
        )
    assert city_post(hub, hostile).status_code == 200
    report = sync(first)
    assert sorted(c for c, _ in report.flagged) == sorted(e["dossier_code"] for e in hostile)
    reasons = dict(report.flagged)
    assert "không đọc được" in reasons[hostile[0]["dossier_code"]]
    assert "payload.receiving.counter" in reasons[hostile[1]["dossier_code"]]
    assert not [
        r for r in reasons.values() if "Error" in r
    ]  # said in Vietnamese; Python's words go to the log
    assert report.pulled == 1 and first.get(code).applicant.name == "Đặng Thị Hoà"
    assert sync(first).flagged == [] and first.check_projection()


def test_the_hub_refuses_an_event_outside_the_years_a_counter_takes(
    counters: tuple[Desk, Desk], hub: Any
) -> None:
    _, second = counters
    second.receive(intake(), MINH)
    event = second.outbox(10)[0]
    for when in ("9999-12-31T23:00:00+00:00", "1999-12-31T23:00:00+07:00", "2101-01-01T00:00:00+07:00"):
        answer = city_post(hub, [{**event, "uuid": str(uuid.uuid4()), "occurred_at": when}])
        assert answer.status_code == 400 and "2000-2100" in answer.json()["error"], answer.text
    assert city_post(hub, [event]).status_code == 200


def test_an_item_of_a_page_that_is_no_readable_event_is_skipped_said_and_the_page_taken(
    counters: tuple[Desk, Desk],
) -> None:
    """Another hub (or an edited one) serving an event in year 9999, or no event at all: the
    counter cannot store those, says which they were, and takes the rest of the page; the next
    run starts after it instead of failing on it for good."""
    first, second = counters
    code = second.receive(intake(), MINH).code
    clean = second.outbox(10)[0]
    far = {**clean, "uuid": str(uuid.uuid4()), "occurred_at": "9999-12-31T23:00:00+00:00"}
    # In range as written, 1999 in Vietnam time: it was stored, then failed every read of the
    # page (exit 9 at every run of every counter of the commune).
    edge = {**clean, "uuid": str(uuid.uuid4()), "occurred_at": "2000-01-01T00:00:00+14:00"}
    deep: Any = "x"
    for _ in range(600):  # stored, its canonical form hit the recursion limit: exit 1 at every run
        deep = [deep]
    nested = {**clean, "uuid": str(uuid.uuid4()), "payload": {**clean["payload"], "summary": deep}}
    # Codes no counter writes: kept as dossiers nobody could open, in every list and report.
    odd = [
        {**clean, "uuid": str(uuid.uuid4()), "dossier_code": c} for c in ("", "../../etc/passwd", "A" * 5000)
    ]
    # A lone surrogate (JSON "\ud800") cannot be written to the file: the page failed at every run.
    broken = [
        {**clean, "uuid": str(uuid.uuid4()), "actor": "Minh\ud800"},
        {**clean, "uuid": str(uuid.uuid4()), "payload": {**clean["payload"], "\udc00": 1}},
    ]
    pages = {
        "0": {"events": [far, clean, "nothing", edge, nested, *odd, *broken], "next": "4", "more": False}
    }
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/events":
            return httpx.Response(304)
        asked.append(request.url.params["after"])
        page = pages.get(request.url.params["after"], {"events": [], "next": "4", "more": False})
        body = json.dumps(page).encode()  # ASCII escapes, as JSON carries a lone surrogate
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    with SyncClient(first, "http://hub.invalid", "t", transport=wrong_hub(answer)) as client:
        report = SyncReport()
        client.pull(report)
        client.pull(SyncReport())
    assert asked == ["0", "4"] and first.sync_cursor() == "4"
    assert report.pulled == 1 and first.get(code).status == 2
    assert len(report.skipped) == 9 and far["uuid"] in report.skipped[0] and "thứ 3" in report.skipped[1]
    assert edge["uuid"] in report.skipped[2] and nested["uuid"] in report.skipped[3]
    assert all(o["uuid"] in said for o, said in zip(odd + broken, report.skipped[4:], strict=True))
    assert first.list_view("recent") and all(r.code == code for r in first.list_view("recent"))
    assert report.skipped[0] in report.problems() and report.to_json()["skipped"] == report.skipped


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # nested past the parser's recursion limit
        b'{"events": [], "next": "5", "more": false, "last": ' + b"9" * 5000 + b"}",  # too many digits
    ],
    ids=["deep", "long-number"],
)
def test_a_hostile_answer_is_said_as_not_json_not_an_unexpected_error(
    counters: tuple[Desk, Desk], body: bytes
) -> None:
    """Answers a JSON parser cannot take (nesting 100,000 deep, a 5,000-digit number) crashed the
    run as an unexpected error (exit 1); they are a hub answering wrongly (exit 9), nothing taken."""
    first, _ = counters
    first.receive(intake(), MINH)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    with SyncClient(first, "http://hub.invalid", "t", transport=wrong_hub(answer)) as client:
        with pytest.raises(SyncError, match="không phải JSON") as info:
            client.run()
    assert info.value.exit_code == 9
    assert first.unsent_events() == 1 and first.sync_cursor() == "0"


def test_a_counter_put_back_from_an_older_copy_gets_back_the_dossiers_it_had_sent_since(
    counters: tuple[Desk, Desk], make_desk: Callable[..., Desk], tmp_path: Path
) -> None:
    first, _ = counters
    kept = first.receive(intake(), MINH).code
    sync(first)
    copy = tmp_path / "copy-of-counter1.db"
    with sqlite3.connect(copy) as target:
        first.store.conn.backup(target)  # last night's backup
    later = [first.receive(intake(), MINH).code for _ in range(2)]
    first.transfer(later[0], MINH)
    sync(first)  # the hub has them; then the disk dies
    restored = make_desk(copy, counter_no=1)
    assert {r.code for r in restored.find("dang thi hoa")} == {kept}
    report = sync(restored)
    assert (report.pulled, report.pushed) == (3, 0)
    assert {r.code for r in restored.find("dang thi hoa")} == {kept, *later}
    assert restored.get(later[0]).status == 4 and restored.unsent_events() == 0


# -- faults ---------------------------------------------------------------------------------------------


def test_offline_nothing_changes_and_the_next_sync_sends_everything(
    counters: tuple[Desk, Desk], hub: Any
) -> None:
    first, _ = counters
    code = first.receive(intake(), MINH).code
    first.update_settings(hub_url="http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(HubUnreachable, match="Không kết nối được máy chủ"):
        sync(first)
    assert first.unsent_events() == 1 and states(first)[code] == "pending" and first.last_sync() is None
    first.update_settings(hub_url=hub.url)
    assert sync(first).pushed == 1 and first.unsent_events() == 0


@pytest.mark.parametrize("waiting", [1, 0])
def test_a_server_that_hangs_up_is_said_as_such_not_as_out_of_reach(
    counters: tuple[Desk, Desk], waiting: int
) -> None:
    """A server that takes the connection and closes it read "cannot connect (RemoteProtocolError)":
    the admin looked for a network fault; the class name goes to the log. With nothing to send, it
    is the pull that was cut: "the events still wait to be sent" was said over an empty outbox."""
    import socket
    import threading

    first, _ = counters
    for _ in range(waiting):
        first.receive(intake(), MINH)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def hang_up() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.recv(65536)
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    try:
        first.update_settings(hub_url=f"http://127.0.0.1:{server.getsockname()[1]}")
        with pytest.raises(HubUnreachable) as info:
            sync(first)
    finally:
        server.close()
    assert "ngắt kết nối giữa chừng" in info.value.message and "Error" not in info.value.message
    assert first.unsent_events() == waiting
    said = "vẫn chờ gửi" if waiting else "chưa nhận hết sự kiện từ máy chủ; lần đồng bộ sau nhận tiếp"
    assert said in info.value.message and ("vẫn chờ gửi" in info.value.message) == bool(waiting)


def test_an_https_address_to_a_plain_http_hub_says_so(counters: tuple[Desk, Desk], hub: Any) -> None:
    """The reference hub speaks plain http on 127.0.0.1; an https address to it said only "cannot
    connect", and the admin looked for a network fault."""
    first, _ = counters
    first.receive(intake(), MINH)
    first.update_settings(hub_url=hub.url.replace("http://", "https://"))
    with pytest.raises(HubUnreachable) as info:
        sync(first)
    said = info.value.message
    assert "kết nối bảo mật (https)" in said and "thử địa chỉ bắt đầu bằng http://" in said
    assert first.unsent_events() == 1
    first.update_settings(hub_url=hub.url)
    assert sync(first).pushed == 1


@pytest.mark.parametrize("trickled", ["headers", "body"])
def test_a_hub_that_trickles_its_answer_is_given_up_at_the_deadline(
    counters: tuple[Desk, Desk], trickled: str
) -> None:
    """A byte every half second, of its headers or of its body: each read beat the read timeout,
    and the nightly run waited for days; the answer must be whole within the request's deadline."""
    import socket
    import threading
    import time

    first, _ = counters
    first.receive(intake(), MINH)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def trickle(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            data = head + b"1\r\n \r\n" * 100 if trickled == "body" else head[:-2] + b"X-Slow: " + b"a" * 100
            start = len(head) if trickled == "body" else 0
            with contextlib.suppress(OSError):
                conn.sendall(data[:start])
                for i in range(start, len(data)):
                    if stop.is_set():
                        return
                    conn.sendall(data[i : i + 1])
                    time.sleep(0.5)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=trickle, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        with SyncClient(first, url, "t", deadline=1.5) as client:
            with pytest.raises(HubUnreachable, match="quá chậm") as info:
                client.run()
    finally:
        stop.set()
        server.close()
    assert info.value.exit_code == 9 and first.unsent_events() == 1


class AnswerLost(httpx.HTTPTransport):
    """The request reaches the hub, which stores the events; the answer never comes back."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and not self.lost:
            response.read()
            self.lost += 1
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


class HubClockAhead(httpx.HTTPTransport):
    """The real hub, whose answers say a time ``ahead`` of this machine's: the counter's clock is slow."""

    def __init__(self, ahead: timedelta) -> None:
        super().__init__()
        self.ahead = ahead

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.headers["date"] = format_datetime(datetime.now(UTC) + self.ahead, usegmt=True)
        return response


def test_a_run_says_when_the_counter_clock_is_off_from_the_hubs(
    counters: tuple[Desk, Desk], hub: Any
) -> None:
    first, _ = counters
    first.receive(intake(), MINH)
    assert sync(first).clock_problem == ""  # the real hub, on this machine's clock
    report = sync(first, transport=HubClockAhead(timedelta(hours=2, minutes=5)))
    assert "Đồng hồ máy tính chậm 2 giờ 5 phút so với máy chủ thành phố" in report.clock_problem
    assert "chỉnh lại ngày giờ" in report.clock_problem
    assert report.clock_problem in report.problems() and report.to_json()["clock_problem"]
    assert sync(first, transport=HubClockAhead(timedelta(minutes=4))).clock_problem == ""  # within reach
    fast = sync(first, transport=HubClockAhead(-timedelta(days=1, minutes=3))).clock_problem
    assert "nhanh 1 ngày 3 phút" in fast


class PullDownWithClockAhead(HubClockAhead):
    """As ``HubClockAhead``, and the pull answers 503: a run that fails after the events went."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/events" and request.method == "GET":
            request.read()
            return httpx.Response(503, json={"error": "maintenance"}, request=request)
        return super().handle_request(request)


def test_a_run_that_fails_part_way_still_says_the_clock_is_off(counters: tuple[Desk, Desk], hub: Any) -> None:
    """The clock was only said in a whole run's report: a run that failed on the pull said "try
    later" and nothing of a clock two hours slow, which may be the cause and is in every code."""
    first, _ = counters
    first.receive(intake(), MINH)
    with pytest.raises(HubUnreachable) as info:
        sync(first, transport=PullDownWithClockAhead(timedelta(hours=2, minutes=5)))
    said = info.value.message
    assert said.startswith("Máy chủ đang lỗi (HTTP 503)")
    assert "Đồng hồ máy tính chậm 2 giờ 5 phút so với máy chủ thành phố" in said and str(info.value) == said
    assert first.unsent_events() == 0  # the push before it stands
    with pytest.raises(HubUnreachable) as info:
        sync(first, transport=PullDownWithClockAhead(timedelta(minutes=2)))  # a clock near enough
    assert "Đồng hồ" not in info.value.message


class HubGoneAfterOnePush(httpx.HTTPTransport):
    """The real hub, gone (connection refused) after it took the first batch of a push."""

    def __init__(self) -> None:
        super().__init__()
        self.pushes = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.pushes += 1
            if self.pushes > 1:
                raise httpx.ConnectError("connection refused", request=request)
        return super().handle_request(request)


def test_a_run_stopped_part_way_says_how_far_it_got(
    counters: tuple[Desk, Desk], hub: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The hub killed during a push of 1,201 events: 600 had gone up, and neither the message nor
    the log said so (the next run sent the rest, nothing lost)."""
    monkeypatch.setattr(client_module, "PUSH_BATCH", 2)
    first, _ = counters
    for _ in range(5):
        first.receive(intake(), MINH)
    with pytest.raises(HubUnreachable) as info:
        sync(first, transport=HubGoneAfterOnePush())
    said = "Lần này đã gửi 2 và nhận 0 sự kiện trước khi dừng; còn 3 sự kiện chờ gửi."
    assert said in info.value.message and str(info.value) == info.value.message
    assert any(said in record.getMessage() for record in caplog.records)
    assert sync(first).pushed == 3 and len(hub_events(hub)) == 5


def _certificate(folder: Path, not_before: datetime, not_after: datetime) -> tuple[Path, Path, Path]:
    """A certificate authority, and a certificate for 127.0.0.1 that it signed, valid between the two
    times: the CA's file, the server's certificate and its key (PEM)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Test city CA"))
        .issuer_name(name("Test city CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    files = folder / "ca.pem", folder / "hub.pem", folder / "hub.key"
    files[0].write_bytes(ca.public_bytes(pem))
    files[1].write_bytes(cert.public_bytes(pem))
    files[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files


@pytest.mark.parametrize("dates", ["valid", "not yet valid", "expired", "untrusted"])
def test_a_certificate_outside_its_dates_points_at_the_machine_s_clock(
    tmp_path: Path, counters: tuple[Desk, Desk], dates: str
) -> None:
    """The real hub over https, its certificate signed by a CA this counter trusts. A PC whose date
    went back (a flat board battery) finds the city's certificate "not yet valid": the admin was told
    the certificate was untrusted, expired or self-signed, and looked at the server."""
    first, _ = counters
    first.receive(intake(), MINH)
    now = datetime.now(UTC)
    not_before, not_after = {
        "valid": (now - timedelta(days=1), now + timedelta(days=90)),
        "not yet valid": (now + timedelta(days=400), now + timedelta(days=800)),
        "expired": (now - timedelta(days=800), now - timedelta(days=400)),
        "untrusted": (now - timedelta(days=1), now + timedelta(days=90)),
    }[dates]
    ca, cert, key = _certificate(tmp_path, not_before, not_after)
    with serve_hub(tmp_path / "tls-hub.db", calendar=tmp_path / "tls-calendar.json", tls=(cert, key)) as tls:
        tls.add_counter("t", COMMUNE, first.settings.counter_id)
        first.update_settings(hub_url=tls.url, hub_token="t")
        # The system's CAs only, for the untrusted one: as a hub whose certificate is self-made.
        trusting = httpx.HTTPTransport(
            verify=dates == "untrusted" or ssl.create_default_context(cafile=str(ca))
        )
        if dates == "valid":
            assert sync(first, transport=trusting).pushed == 1
            return
        with pytest.raises(HubUnreachable) as info:
            sync(first, transport=trusting)
    said = info.value.message
    assert first.unsent_events() == 1
    if dates == "untrusted":
        assert "chứng chỉ của máy chủ không được tin cậy (hết hạn, sai tên máy chủ hoặc tự cấp)" in said
        return
    when = "chưa có hiệu lực" if dates == "not yet valid" else "đã hết hạn"
    assert f"chứng chỉ của máy chủ {when} theo đồng hồ của máy tính này (đang là " in said
    assert "nếu ngày giờ của máy sai, hãy chỉnh lại" in said and "tự cấp" not in said


def test_an_answer_lost_after_the_hub_stored_the_batch_duplicates_nothing(
    counters: tuple[Desk, Desk], hub: Any
) -> None:
    first, second = counters
    codes = [first.receive(intake(), MINH).code for _ in range(2)]
    with pytest.raises(HubUnreachable):
        sync(first, transport=AnswerLost())
    assert len(hub_events(hub)) == 2 and first.unsent_events() == 2  # stored there, still waiting here
    assert sync(first).pushed == 2
    assert len(hub_events(hub)) == 2 and first.unsent_events() == 0
    assert sync(second).pulled == 2 and {r.code for r in second.find("dang thi hoa")} == set(codes)


def test_a_wrong_token_is_a_setting_to_fix(counters: tuple[Desk, Desk]) -> None:
    first, _ = counters
    first.receive(intake(), MINH)
    first.update_settings(hub_token="not-the-token")
    with pytest.raises(HubRefused, match="hub_token"):
        sync(first)
    assert first.unsent_events() == 1


def test_a_uuid_the_hub_holds_with_other_content_is_a_conflict_and_stays_waiting(
    counters: tuple[Desk, Desk], hub: Any
) -> None:
    first, _ = counters
    kept = first.receive(intake(), MINH).code
    clash = first.receive(intake(applicant={"name": "Lý Thị Xuân", "id_number": "031190009999"}), MINH).code
    theirs = next(e for e in first.outbox(10) if e["dossier_code"] == clash)
    altered = {**theirs, "actor": "Người khác"}
    assert city_post(hub, [altered]).status_code == 200
    report = sync(first)
    assert report.conflicts == [clash] and report.pushed == 1
    assert states(first) == {kept: "sent", clash: "conflict"}
    assert first.unsent_events() == 1
    assert sync(first).conflicts == [clash]  # said again on every run until someone looks at it


def test_pages_of_events_are_pulled_with_the_cursor(
    counters: tuple[Desk, Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = counters
    for _ in range(5):
        first.receive(intake(), MINH)
    sync(first)
    monkeypatch.setattr(client_module, "PULL_LIMIT", 2)
    assert sync(second).pulled == 5
    assert int(second.sync_cursor()) >= 5


# -- catalog and calendar --------------------------------------------------------------------------------


def test_a_newer_catalog_is_taken_once_and_an_older_one_is_reported(desk: Desk, tmp_path: Path) -> None:
    shipped = json.loads(
        (Path(client_module.__file__).parent.parent / "counter_app/data/procedures.json").read_text()
    )
    newer = {**shipped, "version": "2099.1.1"}
    newer["procedures"] = [
        {**shipped["procedures"][0], "name": "Thủ tục đăng ký khai sinh (mẫu mới)"},
        *shipped["procedures"][1:],
    ]
    older = {**shipped, "version": "2000.1.1"}
    for catalog, expected in ((newer, "2099.1.1"), (older, "")):
        path = tmp_path / f"catalog-{catalog['version']}.json"
        path.write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
        with serve_hub(tmp_path / f"hub-{catalog['version']}.db", catalog=path) as hub:
            hub.add_counter("t", COMMUNE, desk.settings.counter_id)
            desk.update_settings(hub_url=hub.url, hub_token="t")
            report = sync(desk)
            assert report.catalog == expected
            assert desk.catalog.version == "2099.1.1"
            if expected:
                assert desk.catalog.procedures[0].name.endswith("(mẫu mới)")
                assert sync(desk).catalog == ""  # the same version: not taken again
            else:
                assert "cũ hơn" in report.catalog_problem


def test_a_catalog_or_calendar_the_hub_cannot_serve_is_a_line_of_the_report_the_rest_done(
    desk: Desk, tmp_path: Path
) -> None:
    """A catalog file cut short, put on the hub while it serves: the hub answers 500 to every
    counter, and each run failed as "try later" (exit 9), its report of the events exchanged lost
    and the calendar not taken. It is now a line of the report (exit 10), the rest of the run done;
    the same for the calendar."""
    shipped = Path(client_module.__file__).parent.parent / "counter_app/data/procedures.json"
    catalog, calendar = tmp_path / "catalog.json", tmp_path / "calendar.json"
    catalog.write_bytes(shipped.read_bytes())
    days = {"version": "2026.12", "overrides": [{"day": "2026-12-31", "kind": "day_off", "label": "Nghỉ"}]}
    calendar.write_text(json.dumps(days), encoding="utf-8")
    with serve_hub(tmp_path / "hub.db", catalog=catalog, calendar=calendar) as hub:
        hub.add_counter("t", COMMUNE, desk.settings.counter_id)
        desk.update_settings(hub_url=hub.url, hub_token="t")
        catalog.write_bytes(shipped.read_bytes()[:5000])  # copied over while the hub serves
        desk.receive(intake(), MINH)
        report = sync(desk)
        assert report.pushed == 1 and desk.unsent_events() == 0
        assert "HTTP 500" in report.catalog_problem and report.calendar == "2026.12"
        assert any("Danh mục thủ tục" in line for line in report.problems())
        calendar.write_text('{"version": "2026.13", "overrides": [{"day": "2026-13-45"', encoding="utf-8")
        report = sync(desk)
        assert report.calendar_problem.startswith("Lịch của thành phố chưa nhận được") and not report.calendar
        assert not desk.calendar().is_working_day(date(2026, 12, 31))  # the calendar taken stays


def test_an_older_calendar_from_the_hub_is_not_taken(desk: Desk, hub: Any) -> None:
    """The hub restarted with its --calendar path mistyped serves an empty calendar, version 0:
    every counter took it and the city's days off were gone, the run saying "received"."""
    hub.add_counter("t", COMMUNE, desk.settings.counter_id)
    desk.update_settings(hub_url=hub.url, hub_token="t")
    assert hub.calendar is not None
    days = [{"day": "2026-12-31", "kind": "day_off", "label": "Nghỉ theo quyết định của thành phố"}]
    hub.calendar.write_text(json.dumps({"version": "2026.12", "overrides": days}), encoding="utf-8")
    assert sync(desk).calendar == "2026.12"
    hub.calendar.unlink()  # what a hub without its file serves: version 0, no day
    report = sync(desk)
    assert "phiên bản 0, cũ hơn phiên bản 2026.12" in report.calendar_problem and not report.calendar
    assert report.calendar_problem in report.problems()
    assert not desk.calendar().is_working_day(date(2026, 12, 31)) and desk.calendar_version() == "2026.12"
    hub.calendar.write_text(json.dumps({"version": "2027.1", "overrides": []}), encoding="utf-8")
    assert sync(desk).calendar_days == 1  # a newer one is taken, even emptier


def test_an_address_that_answers_a_web_page_says_to_check_hub_url(desk: Desk) -> None:
    page = b"<!DOCTYPE html><html><body>Welcome to nginx!</body></html>"
    transport = httpx.MockTransport(lambda _: httpx.Response(200, content=page))
    desk.receive(intake(), MINH)
    with pytest.raises(SyncError) as info:
        with SyncClient(desk, "http://10.0.0.9", "t", transport=transport) as client:
            client.run()
    said = info.value.message
    assert "http://10.0.0.9" in said and "trang web" in said and "hub_url" in said
    assert desk.unsent_events() == 1


def test_the_city_s_days_off_are_taken_but_not_over_the_past_or_the_commune_s_own(
    desk: Desk, hub: Any
) -> None:
    desk.set_override(date(2027, 1, 9), "working_day", "Làm bù do xã quyết định")  # a Saturday
    hub.add_counter("t", COMMUNE, desk.settings.counter_id)
    desk.update_settings(hub_url=hub.url, hub_token="t")
    days = [
        {"day": "2026-12-31", "kind": "day_off", "label": "Nghỉ theo quyết định của UBND thành phố"},
        {"day": "2027-01-09", "kind": "day_off", "label": "Thành phố cho nghỉ"},
        {"day": "2026-11-02", "kind": "day_off", "label": "Đã qua"},
    ]
    assert hub.calendar is not None
    hub.calendar.write_text(json.dumps({"version": "2026.12", "overrides": days}), encoding="utf-8")
    report = sync(desk)
    assert (report.calendar, report.calendar_days) == ("2026.12", 1)
    calendar = desk.calendar()
    assert not calendar.is_working_day(date(2026, 12, 31))
    assert calendar.is_working_day(date(2027, 1, 9))  # the commune's own decision stands
    assert calendar.is_working_day(date(2026, 11, 2))  # a Monday gone by keeps its calendar
    assert sync(desk).calendar == ""  # unchanged: the hub answers 304

    hub.calendar.write_text(json.dumps({"version": "2026.13", "overrides": []}), encoding="utf-8")
    assert sync(desk).calendar_days == 1  # the city took its day off back
    # A version that changes no day here is still said: the admin checks it reached every counter.
    hub.calendar.write_text(json.dumps({"version": "2026.14", "overrides": []}), encoding="utf-8")
    quiet = sync(desk)
    assert (quiet.calendar, quiet.calendar_days) == ("2026.14", 0)
    assert "Đã nhận lịch nghỉ, làm bù phiên bản 2026.14 (không ngày nào thay đổi ở đây)." in quiet.lines()
    assert desk.calendar().is_working_day(date(2026, 12, 31))
    assert desk.calendar().is_working_day(date(2027, 1, 9))


def test_a_day_the_city_closes_names_the_citizens_expected_on_it(desk: Desk, hub: Any) -> None:
    """A day off set on the counter named the appointments on it; the same day off from the city
    said only "Đã nhận lịch … (1 ngày thay đổi)", and the citizens came to a closed office."""
    hub.add_counter("t", COMMUNE, desk.settings.counter_id)
    desk.update_settings(hub_url=hub.url, hub_token="t")
    dossier = desk.receive(intake(), MINH)
    day = dossier.due_at.date()
    assert hub.calendar is not None
    days = [{"day": day.isoformat(), "kind": "day_off", "label": "Nghỉ do bão"}]
    hub.calendar.write_text(json.dumps({"version": "2026.12", "overrides": days}), encoding="utf-8")
    report = sync(desk)
    assert report.calendar_days == 1
    [said] = report.stranded
    assert f"{day:%d/%m/%Y}" in said and dossier.code in said and "hẹn lại" in said
    assert said in report.problems() and report.to_json()["stranded"] == [said]


@pytest.mark.parametrize(
    ("overrides", "said"),
    [
        ([{"day": "9999-12-31", "kind": "day_off"}], "từ năm 2000"),
        ([{"day": f"{2027 + i // 365}-01-01", "kind": "day_off"} for i in range(501)], "nhiều hơn 500"),
    ],
)
def test_a_city_calendar_no_city_publishes_is_refused_whole(
    desk: Desk, overrides: list[Any], said: str
) -> None:
    """A day in year 9999 was stored and listed; 800 days off in a row were taken silently, and a
    same-day procedure got its appointment two years later."""
    body = {"version": "2026.12", "overrides": overrides}
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json=body))
    report = SyncReport()
    with SyncClient(desk, "http://hub.invalid", "t", transport=transport) as client:
        client.fetch_calendar(report)
    assert said in report.calendar_problem
    assert desk.overrides() == [] and desk.calendar_version() == ""


@pytest.mark.parametrize(
    "overrides",
    [
        [{"day": "2026-12-31", "kind": "day_off", "label": "Nghỉ\x1b[31m"}],
        [{"day": "2026-12-31", "kind": "holiday"}],
        [{"day": "31/12/2026", "kind": "day_off"}],
        ["2026-12-31"],
        [{"day": "2026-12-31", "kind": "day_off", "label": 5}],
    ],
)
def test_a_wrong_city_calendar_changes_nothing(desk: Desk, overrides: list[Any]) -> None:
    """The reference hub refuses to serve such a file (500): another hub might serve it."""
    body = {"version": "2026.12", "overrides": [{"day": "2026-12-30", "kind": "day_off"}, *overrides]}
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json=body))
    report = SyncReport()
    with SyncClient(desk, "http://hub.invalid", "t", transport=transport) as client:
        client.fetch_calendar(report)
    # A report line, as a refused catalog is (the run exits 10): it failed the run as "try later".
    assert report.calendar_problem.startswith("Lịch của thành phố không hợp lệ")
    assert report.calendar_problem in report.problems() and report.to_json()["calendar_problem"]
    assert desk.overrides() == [] and desk.calendar_version() == ""


@pytest.mark.parametrize("version", ["bản-1", "1\r\nX-Evil: 1", "2026 12", "", "9" * 41])
def test_a_city_calendar_version_that_cannot_go_back_in_a_header_is_refused(desk: Desk, version: str) -> None:
    """The version goes back to the hub in If-None-Match: "bản-1" was taken, and every later sync
    failed before its request was sent (exit 1, 'ascii' codec), the hub fixed or not."""
    body = {"version": version, "overrides": [{"day": "2026-12-30", "kind": "day_off"}]}
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json=body))
    report = SyncReport()
    with SyncClient(desk, "http://hub.invalid", "t", transport=transport) as client:
        client.fetch_calendar(report)
    assert report.calendar_problem.startswith("Lịch của thành phố")
    assert desk.overrides() == [] and desk.calendar_version() == ""


def test_a_version_an_older_program_kept_is_not_sent_back_and_the_hub_s_file_replaces_it(desk: Desk) -> None:
    from counter_app.desk import CALENDAR_VERSION

    desk.store.write_settings({CALENDAR_VERSION: "bản-1"})
    asked: list[httpx.Request] = []
    body = {"version": "2026.12", "overrides": [{"day": "2026-12-30", "kind": "day_off"}]}

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, json=body)

    report = SyncReport()
    with SyncClient(desk, "http://hub.invalid", "t", transport=httpx.MockTransport(answer)) as client:
        client.fetch_calendar(report)
    assert "if-none-match" not in asked[0].headers
    assert (report.calendar, report.calendar_problem) == ("2026.12", "")
    assert desk.calendar_version() == "2026.12"


# -- a hub that answers wrongly -------------------------------------------------------------------------


def wrong_hub(answer: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    """A hub (not ours) that answers as ``answer`` says."""
    return httpx.MockTransport(answer)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, content=b"<html>proxy login</html>"),
        httpx.Response(200, json={"stored": "all"}),
        # An answer naming none of the batch took nothing out, and the run said a quiet night
        # (exit 0) with every event still waiting, night after night.
        httpx.Response(200, json={}),
        httpx.Response(200, json={"stored": [], "conflicts": []}),
        httpx.Response(409, json={"error": "conflict"}),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(500, json={"error": "boom"}),
        httpx.Response(418, content=b"\xff\xfe"),
    ],
)
def test_a_wrong_answer_to_a_push_takes_nothing_out_of_the_outbox(
    desk: Desk, response: httpx.Response
) -> None:
    desk.receive(intake(), MINH)
    with pytest.raises(SyncError):
        with SyncClient(desk, "http://hub.invalid", "t", transport=wrong_hub(lambda _: response)) as client:
            client.push(SyncReport())
    assert desk.unsent_events() == 1


def test_an_answer_with_a_byte_order_mark_is_read(desk: Desk) -> None:
    """A hub (or a proxy) writing a UTF-8 byte-order mark before its JSON was said to answer "not
    JSON", and the run failed, though `counter receive` takes a file with one."""
    desk.receive(intake(), MINH)

    def answer(request: httpx.Request) -> httpx.Response:
        sent = [e["uuid"] for e in json.loads(request.content)["events"]]
        body = b"\xef\xbb\xbf" + json.dumps({"stored": sent, "conflicts": []}).encode()
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    with SyncClient(desk, "http://hub.invalid", "t", transport=wrong_hub(answer)) as client:
        report = SyncReport()
        client.push(report)
    assert report.pushed == 1 and desk.unsent_events() == 0


def test_a_hub_naming_events_it_was_not_sent_takes_out_only_those_sent(desk: Desk) -> None:
    desk.receive(intake(), MINH)
    desk.receive(intake(), MINH)
    first_two = [e["uuid"] for e in desk.outbox(10)]

    def answer(request: httpx.Request) -> httpx.Response:
        sent = [e["uuid"] for e in json.loads(request.content)["events"]]
        return httpx.Response(200, json={"stored": [sent[0], str(uuid.uuid4())], "conflicts": []})

    with SyncClient(desk, "http://hub.invalid", "t", transport=wrong_hub(answer)) as client:
        report = SyncReport()
        with pytest.raises(SyncError, match="nêu sự kiện quầy không gửi"):  # not a quiet night
            client.push(report)
    assert report.pushed == 1 and [e["uuid"] for e in desk.outbox(10)] == first_two[1:]


@pytest.mark.parametrize("other", [{"x": 1}, [1], 5, None])
def test_a_hub_naming_something_that_is_no_uuid_is_a_wrong_answer_not_a_crash(desk: Desk, other: Any) -> None:
    """An object or a list among the uuids ended the run with a TypeError (exit 1, unrecorded)."""
    desk.receive(intake(), MINH)
    desk.receive(intake(), MINH)
    first_two = [e["uuid"] for e in desk.outbox(10)]

    def answer(request: httpx.Request) -> httpx.Response:
        sent = [e["uuid"] for e in json.loads(request.content)["events"]]
        return httpx.Response(200, json={"stored": [sent[0], other], "conflicts": [other]})

    with SyncClient(desk, "http://hub.invalid", "t", transport=wrong_hub(answer)) as client:
        report = SyncReport()
        with pytest.raises(SyncError, match="nêu sự kiện quầy không gửi"):
            client.push(report)
    assert report.pushed == 1 and [e["uuid"] for e in desk.outbox(10)] == first_two[1:]


@pytest.mark.parametrize("header", ["Fri, 31 Dec 9999 23:59:59 GMT", "Fri, 31 Dec 9999 20:59:59 -2359"])
def test_a_date_no_clock_shows_from_the_hub_is_no_reading(header: str) -> None:
    """A hub's answers dated year 9999: push and pull done, then the run ended on an
    OverflowError (exit 1, the last sync not recorded)."""
    from sync.client import _clock_offset, clock_skew_problem

    assert _clock_offset(header) is None
    assert clock_skew_problem(_clock_offset(header)) == ""


@pytest.mark.parametrize(
    "body",
    [
        {"events": "none", "next": "5", "more": False},
        {"events": [], "next": "²", "more": False},  # str.isdigit() says yes; int() says no
        {"events": [], "next": "１２", "more": True},
        {"events": [], "next": "9" * 19, "more": False},  # past SQLite's integers
        {"events": [], "next": "-1", "more": False},
        {"events": [], "next": "5"},
        [{"events": []}],
    ],
)
def test_a_wrong_page_of_events_stores_nothing(desk: Desk, body: Any) -> None:
    before = desk.sync_cursor()
    transport = wrong_hub(lambda _: httpx.Response(200, json=body))
    with pytest.raises(SyncError):
        with SyncClient(desk, "http://hub.invalid", "t", transport=transport) as client:
            client.pull(SyncReport())
    assert desk.sync_cursor() == before
    assert desk.store.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_a_hub_that_keeps_saying_more_without_moving_is_stopped(desk: Desk) -> None:
    transport = wrong_hub(lambda _: httpx.Response(200, json={"events": [], "next": "0", "more": True}))
    with pytest.raises(SyncError, match="con trỏ"):
        with SyncClient(desk, "http://hub.invalid", "t", transport=transport) as client:
            client.pull(SyncReport())


def test_a_huge_answer_is_refused_unread(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "MAX_ANSWER", 1000)
    transport = wrong_hub(lambda _: httpx.Response(200, content=b"[" + b" " * 5000 + b"]"))
    with pytest.raises(SyncError, match="quá lớn"):
        with SyncClient(desk, "http://hub.invalid", "t", transport=transport) as client:
            client.pull(SyncReport())


@pytest.mark.parametrize("token", ["mã-quầy-2", "two words", "tab\there"])
def test_a_token_that_cannot_travel_in_a_header_is_said_before_any_request(desk: Desk, token: str) -> None:
    with pytest.raises(HubRefused, match="không dấu"):
        SyncClient(desk, "http://127.0.0.1:1", token)


def test_no_hub_address_or_token_is_said_before_any_request(desk: Desk) -> None:
    with pytest.raises(HubRefused, match="hub_url"):
        SyncClient(desk, "", "t")
    with pytest.raises(HubRefused, match="hub_token"):
        SyncClient(desk, "http://127.0.0.1:1", "")


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (403, "không dành cho xã hoặc số quầy"),
        (404, "hub_url"),
        (405, "hub_url"),
        (501, "hub_url"),  # a plain web server asked to POST: no hub, not a hub that is down
        (400, "HTTP 400"),
        (422, "HTTP 422"),
    ],
)
def test_a_hub_s_refusal_is_said_in_vietnamese_and_its_own_words_go_to_the_log(
    desk: Desk, status: int, said: str, caplog: pytest.LogCaptureFixture
) -> None:
    desk.receive(intake(), MINH)
    words = "events[0] has counter_id 'X#2'; this token may only push events of 'X#1'"
    transport = wrong_hub(lambda _: httpx.Response(status, json={"error": words}))
    with pytest.raises(SyncError) as raised:
        with SyncClient(desk, "http://hub.invalid", "t", transport=transport) as client:
            client.push(SyncReport())
    assert said in raised.value.message and "token may only" not in raised.value.message
    assert words in caplog.text and desk.unsent_events() == 1


# -- a counter's own codes, back from the hub -----------------------------------------------------------


def replacement(make_desk: Callable[..., Desk], tmp_path: Path, hub: Any, counter_no: int = 2) -> Desk:
    """Counter ``counter_no`` set up again on a new machine (the old disk died, no backup), with the
    same token."""
    desk = make_desk(tmp_path / "replacement.db", counter_no=counter_no)
    desk.update_settings(hub_url=hub.url, hub_token=f"token-{counter_no}")
    return desk


def test_a_counter_set_up_again_never_reissues_the_codes_it_pulls_back(
    counters: tuple[Desk, Desk], make_desk: Callable[..., Desk], tmp_path: Path, hub: Any
) -> None:
    """Its own receipts come back from the hub with their codes and logbook numbers: the next
    citizen gets the next ones (it was refused for the rest of the day: «Mã hồ sơ … đã tồn tại»)."""
    _, second = counters
    sync(second)  # heard the whole hub: its codes start at 2001
    issued = [second.receive(intake(), MINH) for _ in range(3)]
    sync(second)

    again = replacement(make_desk, tmp_path, hub)
    assert sync(again).pulled == 3
    fresh = again.receive(intake(), MINH)
    assert fresh.code.endswith("-2004")
    assert fresh.logbook_entry == issued[-1].logbook_entry + 1
    assert sync(again).pushed == 1
    assert sorted(code for _, code in hub_events(hub)) == sorted([d.code for d in issued] + [fresh.code])


KHAC = {"name": "Vũ Văn Khác", "id_number": "031190007777", "phone": "0912345679"}


def test_a_machine_set_up_again_gives_no_old_code_before_its_first_whole_pull(
    counters: tuple[Desk, Desk], make_desk: Callable[..., Desk], tmp_path: Path, hub: Any
) -> None:
    """The old machine's codes come back only with the pull. A citizen received before it (the hub
    out of reach, or an official quicker than the first sync), today or on a paper day, gets a code
    past them; after the sync both citizens' dossiers are whole on every counter. Before, the new
    one was given the first citizen's code, and the fold hid it everywhere behind the first."""
    _, second = counters
    sync(second)  # heard the whole (empty) hub: its codes start at 2001
    old = [second.receive(intake(), MINH) for _ in range(2)]
    paper_day = "2026-11-20T09:00:00+07:00"
    old.append(second.receive(intake(received_at=paper_day), MINH))
    sync(second)
    assert [d.code[-4:] for d in old] == ["2001", "2002", "2001"]

    again = replacement(make_desk, tmp_path, hub)
    today = again.receive(intake(applicant=KHAC), MINH)
    paper = again.receive(intake(applicant=KHAC, received_at=paper_day), MINH)
    start = 2000 + unseen_start(again.now()) + 1  # past 2500, further as the day goes
    assert int(today.code[-4:]) == int(paper.code[-4:]) == start
    assert {today.code, paper.code}.isdisjoint(d.code for d in old)

    report = sync(again)
    assert (report.pulled, report.pushed, report.flagged) == (3, 2, [])
    assert {row.code for row in again.find("vu van khac")} == {today.code, paper.code}
    sync(second)
    for desk in (again, second):
        assert all(desk.get(d.code).applicant.name == "Đặng Thị Hoà" for d in old)
        assert all(desk.get(d.code).applicant.name == "Vũ Văn Khác" for d in (today, paper))


def test_a_second_machine_set_up_again_the_same_day_starts_past_the_first_one(
    make_desk: Callable[..., Desk], tmp_path: Path, hub: Any, clock: FixedClock
) -> None:
    """A PC set up new in the morning (it has not heard the whole hub: it starts past 2500), synced,
    died; its replacement, set up with the hub out of reach, printed 2501 again for another citizen.
    The later machine starts further on, past what the first could have given since."""
    first = replacement(make_desk, tmp_path, hub)
    hub.add_counter("token-2", COMMUNE, first.settings.counter_id)
    morning = [first.receive(intake(), MINH) for _ in range(5)]
    assert sync(first).pushed == 5  # it reached the hub, then the disk died
    clock.set(clock.now + timedelta(minutes=20))  # 5 citizens in 20 minutes, a busy morning
    again = make_desk(tmp_path / "third.db", counter_no=2)
    again.update_settings(hub_url="http://127.0.0.1:9", hub_token="token-2")  # out of reach
    late = again.receive(intake(applicant=KHAC), MINH)
    assert late.code not in {d.code for d in morning}
    assert int(late.code[-4:]) > max(int(d.code[-4:]) for d in morning)


def test_codes_skip_ahead_until_a_pull_reaches_the_end_of_the_hub(
    make_desk: Callable[..., Desk], tmp_path: Path, hub: Any
) -> None:
    """A page with more to come does not lift the skip (the day's last codes are on the pages after
    it); the page the hub ends with does. A counter with no hub skips nothing: it has nothing to
    hear (a machine set up again without a hub must be restored from its backup)."""
    alone = make_desk(tmp_path / "alone.db")
    assert alone.receive(intake(), MINH).code.endswith("-2001")

    desk = replacement(make_desk, tmp_path, hub)
    desk.apply_pulled([], "0")  # a first page, more to come
    start = 2000 + unseen_start(desk.now()) + 1
    assert desk.receive(intake(), MINH).code.endswith(f"-{start}")
    desk.apply_pulled([], "0", last=True)
    assert desk.receive(intake(), MINH).code.endswith(f"-{start + 1}")  # the day goes on where it was
    paper = desk.receive(intake(received_at="2026-11-19T09:00:00+07:00"), MINH)
    assert paper.code.endswith("-261119-2001")  # a day it now knows all of


def test_a_file_whose_sequence_is_behind_its_own_codes_skips_them(
    counters: tuple[Desk, Desk], make_desk: Callable[..., Desk], tmp_path: Path, hub: Any
) -> None:
    """A file that pulled its codes back before the sequences followed them (a restore synced by an
    earlier release) heals: the codes it holds are skipped, none is issued twice."""
    _, second = counters
    sync(second)  # heard the whole hub: its codes start at 2001
    issued = {second.receive(intake(), MINH).code for _ in range(2)}
    sync(second)
    again = replacement(make_desk, tmp_path, hub)
    sync(again)
    with again.store.transaction():  # as an earlier release left it
        again.store.conn.execute("DELETE FROM sequences WHERE name = 'code'")

    fresh = again.receive(intake(), MINH)
    assert fresh.code not in issued and fresh.code.endswith("-2003")


def test_a_code_of_another_counter_with_the_same_number_is_refused_with_the_reason(
    make_desk: Callable[..., Desk], tmp_path: Path
) -> None:
    """A code of this counter's block that another counter issued (two machines set up with the
    same number) is not skipped in silence: the set-up is wrong, and the message says so."""
    desk = make_desk()
    code = desk.receive(intake(), MINH).code
    with desk.store.transaction():
        desk.store.conn.execute(
            "UPDATE events SET counter_id = '000.00.11.H26#9' WHERE dossier_code = ?", (code,)
        )
        desk.store.conn.execute("DELETE FROM sequences WHERE name = 'code'")
    with pytest.raises(RuleError, match="hai quầy đang dùng chung số quầy 2"):
        desk.receive(intake(), MINH)
    assert desk.store.conn.execute("SELECT count(*) FROM dossiers").fetchone()[0] == 1


# -- the wrong hub, the wrong commune, a hub gone back ------------------------------------------------


def test_a_token_of_another_commune_takes_nothing_and_loses_nothing(
    counters: tuple[Desk, Desk], make_desk: Callable[..., Desk], tmp_path: Path, hub: Any
) -> None:
    """A token of xã Tân Hưng pasted into counter 1 of xã Vĩnh Bảo, with nothing to push (so no
    push was refused first): the hub refuses the pull; no citizen of Tân Hưng is copied in and the
    cursor does not move past Vĩnh Bảo's own events."""
    first, second = counters
    other = make_desk(tmp_path / "tan-hung.db", counter_no=1)
    other.update_settings(commune_code="11413", agency_id="000.00.11.H27")
    hub.add_counter("tan-hung-1", "11413", other.settings.counter_id)
    other.update_settings(hub_url=hub.url, hub_token="tan-hung-1")
    other.receive(intake(), MINH)
    sync(other)
    mine = second.receive(intake(), MINH).code
    sync(second)
    cursor = first.sync_cursor()

    first.update_settings(hub_token="tan-hung-1")
    with pytest.raises(HubRefused, match="không dành cho xã hoặc số quầy"):
        sync(first)
    assert first.store.conn.execute("SELECT count(*) FROM dossiers").fetchone()[0] == 0
    assert first.sync_cursor() == cursor

    first.update_settings(hub_token="token-1")
    sync(first)
    assert first.get(mine).code == mine


def test_a_page_holding_another_communes_receipt_is_refused_whole(desk: Desk) -> None:
    """A hub that does not check whose token it is (the city's may not): the counter itself refuses
    a page with a receipt of another commune, stores none of it and keeps its cursor."""
    other = new_event("000.00.11.H27-261125-1001", "received", datetime(2026, 11, 25, 9, tzinfo=VN_TZ),
                      MINH, "000.00.11.H27#1", {"receiving": {"commune_code": "11413"}})  # fmt: skip
    with pytest.raises(ValidationError, match="hồ sơ của xã khác \\(mã xã 11413"):
        desk.apply_pulled([other.to_json()], "7")
    assert desk.sync_cursor() == "0"
    assert not desk.store.has_event(other.uuid)


def copy_hub(hub: Any, folder: Path) -> Path:
    """The hub's backup command, run while the hub serves."""
    copy = folder / "hub-copy.db"
    done = subprocess.run(
        [sys.executable, "-m", "sync.hub", "backup", "--db", str(hub.db), "--to", str(copy)],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "path": str(copy),
        "bytes": copy.stat().st_size,
        "events": len(hub_events(hub)),
    }
    assert copy.stat().st_mode & 0o077 == 0
    return copy


def put_hub_back(hub: Any, copy: Path) -> None:
    """The hub's database put back to ``copy`` (its disk died), the hub still serving."""
    with sqlite3.connect(copy) as kept, sqlite3.connect(hub.db) as live:
        kept.backup(live)


def test_a_hub_put_back_to_an_older_copy_gets_everything_again(
    counters: tuple[Desk, Desk], hub: Any, tmp_path: Path
) -> None:
    """The hub's disk died and it was restored from last week's copy: what each counter pushed
    since is sent again at its next run (said in the report), and the other counters get it."""
    first, second = counters
    early = first.receive(intake(), MINH).code
    sync(first)
    sync(second)
    copy = copy_hub(hub, tmp_path)
    lost_first = first.receive(intake(), MINH).code
    sync(first)
    lost_second = second.receive(intake(), MINH).code
    sync(second)
    sync(first)
    assert first.get(lost_second).code == lost_second
    put_hub_back(hub, copy)
    assert {code for _, code in hub_events(hub)} == {early}

    report = sync(first)
    assert report.hub_went_back == 2  # its two receipts (the hub takes the one it has as stored)
    assert any("Máy chủ đã bị đưa về một bản cũ" in line for line in report.lines())
    assert {code for _, code in hub_events(hub)} == {early, lost_first}
    assert set(states(first).values()) == {"sent"}
    sync(second)
    assert {code for _, code in hub_events(hub)} == {early, lost_first, lost_second}
    assert len(hub_events(hub)) == len({u for u, _ in hub_events(hub)}) == 3
    again = sync(first)
    assert (again.hub_went_back, again.pulled) == (0, 0)  # it had lost_second already


def test_a_put_back_hub_found_by_a_run_cut_off_is_said_by_the_next_run(
    counters: tuple[Desk, Desk], hub: Any, tmp_path: Path
) -> None:
    """The run that found the hub put back queued this counter's events again and set its cursor
    to 0, then the cable was pulled: the next run pushed and pulled as on a quiet night, exit 0,
    and the put-back was said nowhere but in the log."""
    first, _ = counters
    first.receive(intake(), MINH)
    sync(first)
    copy = copy_hub(hub, tmp_path)
    first.receive(intake(), MINH)
    sync(first)
    put_hub_back(hub, copy)
    with SyncClient(first, hub.url, first.settings.hub_token) as client:
        held = first.hub_should_hold()
        cut = SyncReport()
        client.push(cut)
        assert client.pull(cut, should_hold=held)  # found it; then the run stopped
    report = sync(first)
    assert report.hub_put_back and report.hub_went_back == cut.hub_went_back >= 1
    assert any("Máy chủ đã bị đưa về một bản cũ" in line for line in report.lines())
    assert not sync(first).hub_put_back  # said once, by the run that went through


def test_a_hub_put_back_gets_again_a_counter_s_own_events_it_had_pulled_back(
    counters: tuple[Desk, Desk], hub: Any, tmp_path: Path, make_desk: Callable[..., Desk]
) -> None:
    """A PC replaced without a backup pulls its counter's history from the hub; the hub is then
    put back to a copy older than those dossiers. Only the events recorded on this PC were sent
    again: the ones of its counter it had pulled back were lost for good, while it read "sent"."""
    first, _ = counters
    copy = copy_hub(hub, tmp_path)
    codes = [first.receive(intake(), MINH).code for _ in range(2)]
    first.transfer(codes[0], MINH)
    sync(first)
    first.close()  # the disk dies; a new PC takes counter 1 and its token
    new_pc = make_desk(tmp_path / "new-pc.db", counter_no=1)
    new_pc.update_settings(hub_url=hub.url, hub_token="token-1")
    assert sync(new_pc).pulled == 3
    put_hub_back(hub, copy)
    assert hub_events(hub) == []

    report = sync(new_pc)
    assert report.hub_went_back == 3 and report.pushed == 3
    assert sorted(code for _, code in hub_events(hub)) == sorted([*codes, codes[0]])
    assert set(states(new_pc).values()) == {"sent"} and new_pc.unsent_events() == 0


def test_a_hub_put_back_and_written_past_a_counter_s_cursor_is_still_noticed(
    counters: tuple[Desk, Desk], hub: Any, tmp_path: Path
) -> None:
    """The hub put back to an older copy, then another counter syncs first and its new events
    carry the hub's numbering past this counter's cursor: "the hub is behind my cursor" no longer
    shows it. The counter asks whether the hub still holds the last event it acknowledged, and
    sends again what the hub lost (before, that receipt never reached the city)."""
    first, second = counters
    early = first.receive(intake(), MINH).code
    sync(first)
    sync(second)
    copy = copy_hub(hub, tmp_path)
    lost = first.receive(intake(), MINH).code
    first.record_result(lost, MINH)
    sync(first)
    assert first.unsent_events() == 0
    put_hub_back(hub, copy)
    later = [second.receive(intake(), MINH).code for _ in range(4)]
    sync(second)
    assert int(first.sync_cursor()) <= max(seq for seq, in sqlite3.connect(hub.db).execute(
        "SELECT max(seq) FROM events"))  # fmt: skip
    today = first.receive(intake(), MINH).code  # pushed first in the run, and held: not the question

    report = sync(first)
    assert report.hub_went_back == 4  # the lost receipt and its result, today's; the early one is known
    assert {code for _, code in hub_events(hub)} == {early, lost, today, *later}
    assert set(states(first).values()) == {"sent"}
    sync(second)
    assert second.get(lost).status == first.get(lost).status
    again = sync(first)
    assert (again.hub_went_back, again.pushed) == (0, 0)


def test_a_hub_put_back_and_numbered_again_under_another_counter_s_cursor_is_noticed(
    counters: tuple[Desk, Desk], hub: Any, tmp_path: Path
) -> None:
    """The hub put back to an older copy, and the numbers past the copy given again to other
    events: this counter's cursor still holds a number, now of another event, and the events
    numbered again below it were never pulled. The counter asks whether the event it last
    pulled is still the one at its cursor, and pulls from the start when it is not."""
    first, second = counters
    early = second.receive(intake(), MINH).code
    sync(second)
    sync(first)
    copy = copy_hub(hub, tmp_path)
    pulled = [second.receive(intake(), MINH).code for _ in range(2)]
    sync(second)
    sync(first)  # its cursor on the second of them
    put_hub_back(hub, copy)
    unseen = second.receive(intake(), MINH).code  # numbered where the lost ones were
    assert sync(second).hub_went_back == 4
    assert {code for _, code in hub_events(hub)} == {early, *pulled, unseen}

    report = sync(first)
    assert report.hub_went_back == 0  # it had pushed nothing: nothing of its own to send again
    assert first.get(unseen).code == unseen
    assert sync(first).pulled == 0


def test_a_hub_put_back_and_sent_again_in_another_order_is_folded_in_that_order_everywhere(
    counters: tuple[Desk, Desk], make_desk: Callable[..., Desk], hub: Any, tmp_path: Path
) -> None:
    """Counter 1 recorded a withdrawal, counter 2 a transfer and a result, apart: the hub took the
    withdrawal first, and both showed it. The hub was then put back to a copy from before, and
    counter 2 sent its steps again before counter 1: the hub's order is now the other way round.
    Both counters kept the old outcome (the events came back known, their places unchanged) while
    the hub, its export and any counter set up since showed the result: a dossier with two
    statuses in one commune."""
    first, second = counters
    code = first.receive(intake(), MINH).code
    sync(first)
    sync(second)
    copy = copy_hub(hub, tmp_path)
    first.withdraw(code, MINH, reason="Công dân xin rút")
    second.transfer(code, MINH)
    second.record_result(code, MINH)
    for desk in (first, second, first):
        sync(desk)
    assert first.get(code).status == second.get(code).status == 7

    put_hub_back(hub, copy)
    for desk in (second, first, second, first):
        sync(desk)
    third = make_desk(tmp_path / "counter3.db", counter_no=3)
    hub.add_counter("token-3", COMMUNE, third.settings.counter_id)
    third.update_settings(hub_url=hub.url, hub_token="token-3")
    sync(third)
    assert third.get(code).status == 9  # the hub's order now: transfer, result, then the withdrawal
    for desk in (first, second):
        assert desk.get(code).status == 9
        assert [step.label for step in desk.left_out(code)] == ["Rút hồ sơ"]
    assert first.store.projection_differs() is None


def test_a_conflict_settled_before_the_hub_was_put_back_stays_settled_and_is_not_counted_again(
    counters: tuple[Desk, Desk], hub: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub put back to a copy that holds both sides of a conflict already settled: the pull
    from the start, page by page, folded the dossier with half its events placed, took the step
    left out back in and left the other out, then the other way round: the conflict came back on
    every run until settled again, and the report counted each event left out twice."""
    import sync.client as client

    first, second = counters
    code = first.receive(intake(), MINH).code
    for desk in (first, second):
        sync(desk)
    second.withdraw(code, MINH, reason="Công dân xin rút")
    sync(second)
    first.transfer(code, MINH)  # apart: the hub has the withdrawal first
    assert [c for c in sync(first).open_conflicts] == [code]
    first.settle_conflict(code, MINH)
    copy = copy_hub(hub, tmp_path)
    first.receive(intake(), MINH)  # past the copy: the hub will have lost it
    sync(first)

    put_hub_back(hub, copy)
    monkeypatch.setattr(client, "PULL_LIMIT", 1)  # one event a page: a dossier's events in several
    report = sync(first)
    assert report.hub_put_back
    assert report.open_conflicts == [] and report.flagged == []  # nothing new left out
    assert states(first)[code] != "conflict"
    assert first.get(code).status == 7
    assert [step.label for step in first.left_out(code)] == ["Chuyển xử lý"]
    assert first.store.projection_differs() is None


def test_a_restore_says_what_the_hub_will_give_back_and_the_sync_does(
    counters: tuple[Desk, Desk], tmp_path: Path
) -> None:
    """Events missing from the backup but already on the hub are not "lost": the preview says the
    next sync brings them back, and it does."""
    from counter_app.store.restore import plan_restore, restore

    _, second = counters
    second.receive(intake(), MINH)
    backup = Path(second.backup(tmp_path / "backups")["path"])
    later = second.receive(intake(), MINH).code
    sync(second)
    path, now = second.store.path, second.now()
    assert path is not None
    second.close()

    plan = plan_restore(path, backup, now=now)
    said = " ".join(plan.describe())
    assert "đều đã gửi lên máy chủ: lần đồng bộ sau khi khôi phục sẽ nhận lại" in said
    assert "MẤT" not in said
    restore(plan, now=now)
    again = Desk.open(path, clock=lambda: now, env={})
    try:
        assert sync(again).pulled == 1
        assert again.get(later).code == later
    finally:
        again.close()


def test_a_code_issued_twice_is_said_with_both_citizens_and_the_cause(
    counters: tuple[Desk, Desk], make_desk: Callable[..., Desk], tmp_path: Path, hub: Any
) -> None:
    """Two machines set up with one counter number, both caught up with the hub, give the same
    code to two citizens. The receipt the hub took second is kept aside on every counter, and the
    report names the code, both citizens and what to do, not only "received before"."""
    _, second = counters
    twin = replacement(make_desk, tmp_path, hub)
    sync(second)
    sync(twin)
    first = second.receive(intake(), MINH)
    other = twin.receive(intake(applicant=KHAC), MINH)
    assert first.code == other.code
    sync(second)
    report = sync(twin)
    assert [code for code, _ in report.flagged] == [first.code]
    said = report.flagged[0][1]
    for words in ("đã được cấp hai lần", "Đặng Thị Hoà", "Vũ Văn Khác", "cùng một số quầy", "tiếp nhận lại"):
        assert words in said, words
    assert twin.get(first.code).applicant.name == "Đặng Thị Hoà"  # the hub's order decides
    assert any("cấp hai lần" in line for line in report.problems())


def test_a_receipt_left_out_for_a_code_issued_twice_is_received_again_once_under_a_new_code(
    counters: tuple[Desk, Desk], make_desk: Callable[..., Desk], tmp_path: Path, hub: Any, clock: Any
) -> None:
    """The citizen whose receipt the hub took second holds a code that opens another citizen's
    dossier. A supervisor on a counter with a number of its own receives it again: a new code, the
    same time of receipt, papers and appointment; every counter then knows it was done and refuses
    to do it again, and a counter still using the shared number refuses to make a code that could
    clash again."""
    from counter_app.domain.dossier import received_again_said

    first, second = counters
    twin = replacement(make_desk, tmp_path, hub)
    for desk in (second, twin):
        sync(desk)
    kept = second.receive(intake(), MINH)
    clock.set(clock.now + timedelta(minutes=7))
    papers = [{"name": "Tờ khai đăng ký kết hôn", "originals": 1}]
    khac = twin.receive(intake(applicant=KHAC, documents=papers), "Lê Thị Nhận")
    assert khac.code == kept.code
    for desk in (second, twin, first):
        sync(desk)
    [left] = first.left_out(kept.code)
    assert left.can_receive_again and not left.received_again
    assert "receive-again" in left.reason

    with pytest.raises(RuleError, match="số quầy 2"):
        twin.receive_again(kept.code, "Giám sát Lan")
    with pytest.raises(RuleError, match="không có lần tiếp nhận nào bị trùng mã"):
        first.receive_again(kept.code, "Giám sát Lan", event_uuid=str(uuid.uuid4()))

    clock.set(clock.now + timedelta(hours=1))
    again = first.receive_again(kept.code, "Giám sát Lan")
    assert again.code != kept.code and again.counter_no == 1
    assert (again.applicant.name, again.received_at, again.due_at) == (
        "Vũ Văn Khác",
        khac.received_at,
        khac.due_at,
    )
    assert [d.name for d in again.documents] == ["Tờ khai đăng ký kết hôn"]
    assert again.code.split("-")[1] == kept.code.split("-")[1]  # the day of receipt
    [received] = first.history(again.code)
    assert received.actor == "Lê Thị Nhận"  # who took the papers; the supervisor is in the detail
    assert f"thay mã {kept.code}" in received.detail and "Giám sát Lan" in received.detail
    assert first.left_out(kept.code)[0].received_again == again.code
    with pytest.raises(RuleError, match=f"đã được tiếp nhận lại với mã {again.code}"):
        first.receive_again(kept.code, "Giám sát Lan")

    sync(first)
    for desk in (second, twin):
        sync(desk)
        assert desk.get(again.code).applicant.name == "Vũ Văn Khác"
        [seen] = desk.left_out(kept.code)
        assert (seen.received_again, seen.can_receive_again) == (again.code, False)
        assert f"Đã tiếp nhận lại với mã {again.code}" in seen.reason
        with pytest.raises(RuleError, match=f"mã {again.code}"):
            desk.receive_again(kept.code, "Giám sát Lan")
    assert first.get(kept.code).applicant.name == "Đặng Thị Hoà"  # the first citizen's code stays
    assert sorted(code for _, code in hub_events(hub)) == sorted([kept.code, kept.code, again.code])
    assert "thay mã X" in received_again_said({"code": "X", "at": "not a time"})


def test_receive_again_from_the_command_line(
    counters: tuple[Desk, Desk], make_desk: Callable[..., Desk], tmp_path: Path, hub: Any
) -> None:
    """`counter show` names the command on the receipt left out; `counter receive-again` answers
    the new code (JSON with what it replaces), and refuses a second time (exit 3) and an unknown
    code (exit 4), in one line on stderr."""
    from click.testing import CliRunner

    from counter_app.cli import main

    first, second = counters
    twin = replacement(make_desk, tmp_path, hub)
    for desk in (second, twin):
        sync(desk)
    kept = second.receive(intake(), MINH)
    twin.receive(intake(applicant=KHAC), MINH)
    for desk in (second, twin, first):
        sync(desk)
    assert first.store.path is not None
    db = str(first.store.path)

    def run(*args: str) -> Any:
        args = ("--db", db, *args, "--actor", "Giám sát Lan")
        return CliRunner().invoke(main, args, catch_exceptions=False)

    shown = run("show", kept.code)
    assert shown.exit_code == 0 and f"counter receive-again {kept.code}" in shown.stdout
    made = run("receive-again", kept.code, "--json")
    assert made.exit_code == 0, made.output
    answer = json.loads(made.stdout)
    assert answer["replaces"] == kept.code and answer["code"].endswith("-1001")
    assert answer["applicant"]["name"] == "Vũ Văn Khác"
    [left] = json.loads(run("show", kept.code, "--json").stdout)["left_out"]
    assert left["received_again"] == answer["code"]
    twice = run("receive-again", kept.code)
    assert twice.exit_code == 3 and twice.stderr.count("\n") == 1
    assert f"đã được tiếp nhận lại với mã {answer['code']}" in twice.stderr
    assert run("receive-again", "NOPE").exit_code == 4


def test_a_receipt_that_is_not_left_out_or_unreadable_cannot_be_received_again(
    counters: tuple[Desk, Desk],
) -> None:
    first, _ = counters
    dossier = first.receive(intake(), MINH)
    with pytest.raises(RuleError, match="không có lần tiếp nhận nào bị trùng mã"):
        first.receive_again(dossier.code, "Giám sát Lan")
    assert first.left_out(dossier.code) == []


def test_a_correction_reaches_the_other_counter_and_its_search(counters: tuple[Desk, Desk], hub: Any) -> None:
    first, second = counters
    code = first.receive(intake(), MINH).code
    sync(first)
    sync(second)
    first.correct(code, MINH, changes={"name": "Đặng Thị Hoa", "id_number": "031190009876"}, reason="Sai")
    assert sync(first).pushed == 1
    assert sync(second).pulled == 1
    d = second.get(code)
    assert (d.applicant.name, d.applicant.id_number) == ("Đặng Thị Hoa", "031190009876")
    assert [r.applicant_name for r in second.find("dang thi hoa")] == ["Đặng Thị Hoa"]
    assert [r.code for r in second.by_id_number("031190009876")] == [code]
    assert second.store.projection_differs() is None
    assert states(second)[code] == "sent"


def test_papers_received_apart_never_pull_back_an_appointment_moved_on_the_other_counter(
    counters: tuple[Desk, Desk], clock: Any
) -> None:
    """Counter 2 moves the appointment (the citizen takes the apology with 10/12) while counter 1,
    cut off, asks for papers and takes them a day later: folded as sent, the papers' new due
    (worked from the appointment before the move) pulled the appointment back a week, with no
    word to anyone."""
    first, second = counters
    code = first.receive(intake(), MINH).code
    sync(first)
    sync(second)
    promised = datetime(2026, 12, 10, 17, 0, tzinfo=VN_TZ)
    clock.set(clock.now + timedelta(minutes=30))
    second.move_appointment(code, "Lê Thị Lan", new_due=promised, reason="Cần xác minh thêm")
    first.request_extra_papers(code, MINH, papers=["Bản sao giấy khai sinh"], reason="Thiếu giấy tờ")
    clock.set(clock.now + timedelta(days=1))
    first.receive_extra_papers(code, MINH)
    waited_due = first.get(code).due_at  # a working day later than the first appointment
    assert waited_due < promised
    for desk in (second, first, second):
        sync(desk)
    for desk in counters:
        d = desk.get(code)
        assert d.due_at == promised and d.status == 4
        assert d.statutory_due_at == waited_due  # the time limit moves by the wait
        assert desk.store.projection_differs() is None


# -- corrections made apart ---------------------------------------------------------------------------


def corrected_apart(
    counters: tuple[Desk, Desk],
    here: dict[str, str],
    there: dict[str, str],
    why_here: str,
    why_there: str = "Sai dấu",
) -> str:
    """A dossier of counter 1, known to both; corrected by ``here`` on counter 1 and by ``there``
    on counter 2 while the two were apart; then both synced (counter 1 first to the hub)."""
    first, second = counters
    code = first.receive(intake(), MINH).code
    sync(first)
    sync(second)
    first.correct(code, MINH, changes=here, reason=why_here)
    second.correct(code, "Lê Thị Lan", changes=there, reason=why_there)
    for desk in (first, second, first):
        sync(desk)
    return code


def test_corrections_of_different_fields_made_apart_both_stand(counters: tuple[Desk, Desk]) -> None:
    """Counter 1 corrects the phone while counter 2, cut off, corrects the name: each correction
    carries only the fields it changed, with the value it replaced, so both stand everywhere.
    Before, each carried the whole applicant, and the later one undid the other's without a word."""
    code = corrected_apart(counters, {"phone": "0977111222"}, {"name": "Đặng Thị Hoa"}, "Sai số điện thoại")
    for desk in counters:
        d = desk.get(code)
        assert (d.applicant.name, d.applicant.phone) == ("Đặng Thị Hoa", "0977111222")
        assert states(desk)[code] == "sent" and desk.left_out(code) == []
        said = [s.detail for s in desk.history(code) if s.kind == "corrected"]
        assert sorted(said) == sorted(
            [
                "Đã sửa Số điện thoại: 0912345678 → 0977111222; Lý do: Sai số điện thoại",
                "Đã sửa Họ và tên: Đặng Thị Hoà → Đặng Thị Hoa; Lý do: Sai dấu",
            ]
        )
        assert desk.store.projection_differs() is None


def test_one_field_corrected_two_ways_apart_leaves_the_second_out_and_says_what_it_wanted(
    counters: tuple[Desk, Desk],
) -> None:
    code = corrected_apart(counters, {"name": "Đặng Thị Hoa"}, {"name": "Đặng Thị Hòa"}, "Sai dấu", "Dấu cũ")
    for desk in counters:
        assert desk.get(code).applicant.name == "Đặng Thị Hoa"  # the one the hub took first
        assert states(desk)[code] == "conflict"
        [left] = desk.left_out(code)
        assert left.label == "Sửa thông tin người nộp"
        assert "Đặng Thị Hoà → Đặng Thị Hòa" in left.reason  # what the official there meant
        assert "đang là «Đặng Thị Hoa»" in left.reason


def test_a_correction_of_a_receipt_left_out_for_a_code_issued_twice_stays_with_its_citizen(
    counters: tuple[Desk, Desk], make_desk: Callable[..., Desk], tmp_path: Path, hub: Any
) -> None:
    """The citizen whose receipt the hub took second had her name corrected on her counter: that
    correction rewrote the first citizen's dossier on every counter. It is left out with her
    receipt now, and her receipt made again under a new code carries it."""
    first, second = counters
    twin = replacement(make_desk, tmp_path, hub)
    for desk in (second, twin):
        sync(desk)
    kept = second.receive(intake(), MINH)
    other = twin.receive(intake(applicant=KHAC), MINH)
    assert other.code == kept.code
    twin.correct(other.code, MINH, changes={"name": "Vũ Văn Khắc"}, reason="Sai dấu")
    for desk in (second, twin, first):
        sync(desk)
    for desk in (first, second, twin):
        assert desk.get(kept.code).applicant.name == "Đặng Thị Hoà"
        assert desk.store.projection_differs() is None
    again = first.receive_again(kept.code, "Giám sát Lan")
    assert again.applicant.name == "Vũ Văn Khắc" and again.code != kept.code


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": {"from": "person", "to": "organisation"}},
        {"name": {"from": "Đặng Thị Hoà", "to": "H" * 3000}},
        {"name": {"from": "Đặng Thị Hoà", "to": ""}},
        {"id_number": {"from": "031190001234", "to": "ABC"}},
        {"name": "Chỉ tên"},
    ],
)
def test_a_correction_from_the_hub_that_no_counter_would_write_is_left_out(
    counters: tuple[Desk, Desk], hub: Any, fields: dict[str, Any]
) -> None:
    first, _ = counters
    code = first.receive(intake(), MINH).code
    sync(first)
    at = datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ)
    event = new_event(code, "corrected", at, "Phòng Tư pháp", "city", {"applicant": fields, "reason": "x"})
    assert city_post(hub, [event.to_json()]).status_code == 200
    report = sync(first)
    assert [c for c, _ in report.flagged] == [code]
    d = first.get(code)
    assert (d.applicant.kind, d.applicant.name, d.applicant.id_number) == (
        "person",
        "Đặng Thị Hoà",
        "031190001234",
    )
    assert d.corrections == 0


def test_a_new_hub_address_that_lacks_the_counter_s_events_is_a_new_hub_not_a_put_back(
    counters: tuple[Desk, Desk], tmp_path: Path
) -> None:
    """The admin moved the counter to the city's new hub: it was told the hub had been put back
    to an older copy, and the run ended as one needing a person (exit 10)."""
    first, _ = counters
    code = first.receive(intake(), MINH).code
    sync(first)
    with serve_hub(tmp_path / "new-hub.db") as new:
        new.add_counter("token-1", COMMUNE, first.settings.counter_id)
        first.update_settings(hub_url=new.url)
        report = sync(first)
        assert report.hub_put_back and report.hub_new and report.problems() == []
        assert any(line.startswith("Máy chủ mới") for line in report.lines())
        with sqlite3.connect(new.db) as conn:
            assert [c for (c,) in conn.execute("SELECT dossier_code FROM events")] == [code]
