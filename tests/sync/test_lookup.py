"""The citizens' look-up page on the real hub: what a receipt's QR code opens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from counter_app.domain.dossier import new_event
from sync.client import SyncClient
from sync.lookup import MAX_TRIES, Tries
from tests.conftest import intake

MINH = "Trần Văn Minh"


@pytest.fixture
def synced(make_desk: Callable[..., Desk], tmp_path: Path, hub: Any) -> tuple[Desk, str]:
    """Counter 1 with one dossier received (ID number ending 1234), sent to the hub."""
    desk = make_desk(tmp_path / "counter1.db", counter_no=1)
    hub.add_counter("t1", "11410", desk.settings.counter_id)
    code = desk.receive(intake(), MINH).code
    with SyncClient(desk, hub.url, "t1") as client:
        client.run()
    return desk, code


def look(hub: Any, **params: str) -> httpx.Response:
    return httpx.get(f"{hub.url}/tra-cuu", params=params)


def test_the_page_asks_for_the_id_digits_before_saying_anything(hub: Any, synced: tuple[Desk, str]) -> None:
    _, code = synced
    answer = look(hub, ma=code)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "4 số cuối số căn cước" in answer.text and code in answer.text
    assert "Đặng Thị Hoà" not in answer.text and "Được tiếp nhận" not in answer.text


def test_the_right_digits_show_the_status_and_the_steps_as_they_sync(
    hub: Any, synced: tuple[Desk, str]
) -> None:
    desk, code = synced
    answer = look(hub, ma=code, cccd="1234")
    assert answer.status_code == 200
    assert "Được tiếp nhận" in answer.text and "Giấy xác nhận tình trạng hôn nhân" in answer.text
    assert "031190001234" not in answer.text and "Đặng Thị Hoà" not in answer.text  # no personal data
    desk.transfer(code, MINH)
    with SyncClient(desk, hub.url, "t1") as client:
        client.run()
    assert "Chuyển xử lý" in look(hub, ma=code, cccd="1234").text


def test_wrong_digits_and_unknown_codes_get_the_same_answer_and_a_lock(
    hub: Any, synced: tuple[Desk, str]
) -> None:
    _, code = synced
    wrong = look(hub, ma=code, cccd="9999")
    unknown = look(hub, ma=code[:-1] + "9", cccd="1234")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.text.replace(code, "X") == unknown.text.replace(code[:-1] + "9", "X")
    for _ in range(MAX_TRIES - 1):
        look(hub, ma=code, cccd="0000")
    locked = look(hub, ma=code, cccd="1234")  # even the right digits, for a while
    assert locked.status_code == 429 and "15 phút" in locked.text and "Được tiếp nhận" not in locked.text


def test_another_commune_s_counter_cannot_write_on_the_page(
    hub: Any, synced: tuple[Desk, str], make_desk: Callable[..., Desk], tmp_path: Path
) -> None:
    _, code = synced
    other = make_desk(tmp_path / "other.db", counter_no=1)
    other.update_settings(agency_id="000.00.99.H99")
    hub.add_counter("t9", "99999", other.settings.counter_id)
    at = datetime(2026, 11, 26, 10, 0, tzinfo=VN_TZ)
    forged = new_event(code, "refused", at, "Ai đó", other.settings.counter_id, {"reason": "Giả mạo"})
    pushed = httpx.post(
        f"{hub.url}/v1/events", json={"events": [forged.to_json()]}, headers={"Authorization": "Bearer t9"}
    )
    assert pushed.status_code == 200
    page = look(hub, ma=code, cccd="1234")
    assert "Được tiếp nhận" in page.text and "Từ chối" not in page.text


def test_a_step_the_lifecycle_refuses_is_left_out_of_the_page(hub: Any, synced: tuple[Desk, str]) -> None:
    _, code = synced
    hub.add_city_token("city", "11410")
    at = datetime(2026, 11, 26, 10, 0, tzinfo=VN_TZ)
    too_soon = new_event(code, "returned", at, "Phòng Tư pháp", "city", {})  # no result yet
    pushed = httpx.post(
        f"{hub.url}/v1/events",
        json={"events": [too_soon.to_json()]},
        headers={"Authorization": "Bearer city"},
    )
    assert pushed.status_code == 200
    page = look(hub, ma=code, cccd="1234")
    assert page.status_code == 200 and "Được tiếp nhận" in page.text and "Trả kết quả" not in page.text


@pytest.mark.parametrize("code", ["<script>alert(1)</script>", "x" * 61, "' onmouseover='alert(1)"])
def test_a_hostile_code_is_never_echoed_as_markup(hub: Any, code: str) -> None:
    answer = look(hub, ma=code, cccd="1234")
    assert answer.status_code in (400, 404)
    assert "<script>" not in answer.text and "' onmouseover='" not in answer.text


def test_the_lock_is_forgotten_after_its_time() -> None:
    tries = Tries()
    for _ in range(MAX_TRIES):
        tries.failed("A", now=100.0)
    assert tries.locked("A", now=101.0)
    assert not tries.locked("A", now=100.0 + 15 * 60 + 1)


def test_a_flood_of_made_up_codes_gives_no_locked_code_its_tries_back() -> None:
    """Wrong tries are followed for a bounded number of codes. Filling that table with made-up codes
    used to forget every code followed, a locked one included: five more guesses at its four
    digits. A full table now keeps what it holds and counts no new code until one runs out its time."""
    tries = Tries(limit=3)
    for _ in range(MAX_TRIES):
        tries.failed("A", now=100.0)
    for made_up in ("B", "C", "D", "E"):
        if not tries.busy(made_up, now=200.0):
            tries.failed(made_up, now=200.0)
    assert tries.locked("A", now=300.0)
    assert sorted(tries.wrong) == ["A", "B", "C"]
    assert tries.busy("D", now=300.0) and not tries.busy("B", now=300.0)
    # Once A's time has run out it is forgotten, and there is room again.
    assert not tries.busy("D", now=100.0 + 15 * 60 + 1)
    assert not tries.locked("A", now=100.0 + 15 * 60 + 1)


def test_a_full_table_answers_busy_and_says_nothing_of_the_dossier(
    hub: Any, synced: tuple[Desk, str]
) -> None:
    _, code = synced
    assert hub.app is not None
    hub.app.tries.limit = 2
    for made_up in ("X-1", "X-2"):
        assert look(hub, ma=made_up, cccd="0000").status_code == 404
    busy = look(hub, ma=code, cccd="1234")  # even the right digits: this code's tries cannot be counted
    assert busy.status_code == 503 and "quá tải" in busy.text and "Được tiếp nhận" not in busy.text
    assert look(hub, ma="X-1", cccd="0000").status_code == 404  # a code followed is still answered


def test_the_receipt_s_qr_code_opens_this_page_for_the_citizen(
    hub: Any, synced: tuple[Desk, str], tmp_path: Path
) -> None:
    """The whole path: the counter prints the receipt, the citizen's phone reads its QR code, opens
    the hub's page and types the four digits printed on the receipt."""
    from printing import render_form
    from tests.unit.test_printing_support import decode, render_page

    desk, code = synced
    desk.update_settings(lookup_url=f"{hub.url}/tra-cuu?ma={{code}}")
    pdf = render_form(desk, "receipt", code, tmp_path / "receipt.pdf", "cb1")
    address = decode(render_page(pdf, dpi=150))["QRCode"]
    assert address == f"{hub.url}/tra-cuu?ma={code}"
    form = httpx.get(address)
    assert form.status_code == 200 and "4 số cuối" in form.text
    page = httpx.get(address, params={"ma": code, "cccd": "1234"})
    assert "Được tiếp nhận" in page.text and code in page.text


def test_the_id_digits_printed_before_a_correction_still_open_the_page(
    hub: Any, synced: tuple[Desk, str]
) -> None:
    """The citizen's receipt prints the ID number as it was when it was given: a correction of the
    number made the page refuse the digits on it."""
    desk, code = synced
    desk.correct(code, MINH, changes={"id_number": "031190005555"}, reason="Sai số")
    with SyncClient(desk, hub.url, "t1") as client:
        client.run()
    assert look(hub, ma=code, cccd="1234").status_code == 200
    assert look(hub, ma=code, cccd="5555").status_code == 200
    assert look(hub, ma=code, cccd="9999").status_code == 404
