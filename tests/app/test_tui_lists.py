"""Lists page through the database; search shows results as the official types."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from textual import events

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from counter_app.tui.app import make_app
from counter_app.tui.screens.dossier import DossierScreen
from counter_app.tui.screens.intake import IntakeScreen
from counter_app.tui.screens.lists import ListsScreen
from counter_app.tui.widgets.dossier_table import PAGE_SIZE
from tests.conftest import intake

from .conftest import (
    OFFICIAL,
    SIZE,
    key_name,
    notifications,
    search_for,
    settle,
    sign_in,
    texts,
    type_text,
    wait_until,
)

ACTOR = "Trần Văn Minh"


def lists_screen(app) -> ListsScreen:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, ListsScreen)
    return screen


def applicant(name: str, id_number: str, phone: str) -> dict[str, str]:
    return {"name": name, "id_number": id_number, "phone": phone, "address": "Thôn Đông"}


def hoa_and_binh(desk: Desk) -> tuple[Any, Any]:
    """Two dossiers received today: Đặng Thị Hoà's, then Lê Văn Bình's (newest first in a list)."""
    first = desk.receive(intake(), ACTOR)
    binh = applicant("Lê Văn Bình", "031190005678", "0987654321")
    return first, desk.receive(intake(applicant=binh), ACTOR)


async def test_today_list_opens_a_dossier_with_enter(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    first, second = hoa_and_binh(staffed_desk)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        screen = lists_screen(app)
        assert screen.view == "today"
        assert screen.table.row_count == 2
        assert "Hồ sơ tiếp nhận hôm nay: 2 hồ sơ" in texts(app, "#list-title")
        assert [k.value for k in screen.table.rows] == [second.code, first.code]  # newest first
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        assert app.screen.dossier.code == first.code


async def test_a_dossier_refused_at_the_counter_shows_no_appointment_and_is_counted_apart(
    app, staffed_desk: Desk, clock
) -> None:  # type: ignore[no-untyped-def]
    """Refused at the counter, the citizen got the refusal form and no appointment: the list says
    "—" as the dossier screen does; one refused after being handed on keeps the time it had."""
    refused = staffed_desk.receive(intake(), ACTOR)
    staffed_desk.refuse(refused.code, ACTOR, reason="Không thuộc thẩm quyền")
    kept = staffed_desk.receive(intake(applicant=applicant("Lê Văn Bình", "031190005678", "")), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        table = lists_screen(app).table
        due = {row.value: str(table.get_row(row)[2]) for row in table.rows}
        assert due[refused.code] == "—"
        assert due[kept.code] == f"{kept.due_at:%d/%m %H:%M}"
        # The title counts as the day's figures do: one received, one refused at the counter.
        assert "Hồ sơ tiếp nhận hôm nay: 1 hồ sơ, 1 từ chối tiếp nhận" in texts(app, "#list-title")
        assert staffed_desk.period_report(clock().date(), clock().date())["received"] == 1


async def test_each_list_shows_its_dossiers(app, staffed_desk: Desk, clock) -> None:  # type: ignore[no-untyped-def]
    # Received a week ago (3 working days): overdue today.
    clock.set(datetime(2026, 11, 18, 9, 0, tzinfo=VN_TZ))
    late = staffed_desk.receive(intake(), ACTOR)
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=VN_TZ))
    waiting = staffed_desk.receive(intake(applicant=applicant("Phạm Thu", "031190000001", "")), ACTOR)
    staffed_desk.request_extra_papers(waiting.code, ACTOR, papers=["Giấy khai sinh"], reason="Thiếu")
    ready = staffed_desk.receive(intake(applicant=applicant("Vũ Hải", "031190000002", "")), ACTOR)
    staffed_desk.record_result(ready.code, ACTOR)
    clock.set(datetime(2026, 11, 25, 9, 30, tzinfo=VN_TZ))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        screen = lists_screen(app)
        expected = {
            "today": set(),
            "overdue": {late.code},
            "waiting_papers": {waiting.code},
            "ready": {ready.code},
        }
        for view, codes in expected.items():
            screen.view = view
            await settle(pilot)
            assert {k.value for k in screen.table.rows} == codes, view
        screen.view = "overdue"
        await settle(pilot)
        assert "trễ" in texts(app, "#list-table")


async def test_a_list_loads_one_page_then_the_next_as_the_cursor_goes_down(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    total = PAGE_SIZE + 30
    for i in range(total):
        staffed_desk.receive(intake(applicant=applicant(f"Người {i}", f"0311900{i:05d}", "")), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        table = lists_screen(app).table
        assert table.row_count == PAGE_SIZE
        assert not table.done
        table.focus()
        await pilot.press("end")  # the last row shown: the next page loads
        await settle(pilot)
        assert table.row_count == total
        assert table.done and table.cursor_row == PAGE_SIZE - 1
        await pilot.press("end")
        assert table.cursor_row == total - 1
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_search_shows_results_as_you_type(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    hoa = staffed_desk.receive(intake(), ACTOR)
    binh = staffed_desk.receive(
        intake(applicant=applicant("Lê Văn Bình", "031190005678", "0987654321")), ACTOR
    )
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f5")
        await settle(pilot)
        screen = lists_screen(app)
        assert screen.view == "search"
        assert app.focused is screen.search_input
        await type_text(pilot, "dang")  # folded: finds Đặng
        await settle(pilot)
        assert [k.value for k in screen.table.rows] == [hoa.code]
        await pilot.press("ctrl+u")
        await type_text(pilot, "0987 654 321")  # by phone
        await settle(pilot)
        assert [k.value for k in screen.table.rows] == [binh.code]
        await pilot.press("ctrl+u")
        await type_text(pilot, "031190005678")  # by ID number
        await settle(pilot)
        assert [k.value for k in screen.table.rows] == [binh.code]
        assert "Kết quả: 1 hồ sơ" in texts(app, "#list-title")


async def test_a_card_scanned_into_the_search_finds_its_holder_s_dossiers(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """A citizen asking where their dossier is hands over their card: scanned into the search box,
    it started a new intake with them as applicant instead of finding their dossier."""
    from .conftest import scanner_burst

    staffed_desk.receive(intake(applicant=applicant("Lê Văn Bình", "031190005678", "0987654321")), ACTOR)
    binh = staffed_desk.receive(intake(applicant=applicant("Lê Văn Bình", "031190005678", "")), ACTOR)
    staffed_desk.receive(intake(), ACTOR)
    card = "031190005678||Lê Văn Bình|05031990|Nam|Thôn Đông, xã Vĩnh Bảo|01072021"
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f5")
        await settle(pilot)
        await scanner_burst(pilot, card)
        screen = lists_screen(app)
        assert app.screen is screen and screen.view == "search"
        await wait_until(pilot, lambda: screen.table.row_count == 2)
        assert binh.code in [k.value for k in screen.table.rows]
        assert screen.search_input.value == "031190005678"


async def test_search_finds_a_dossier_by_its_owner(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """A daughter submitted her father's dossier; he comes asking under his own name."""
    owned = staffed_desk.receive(intake(owner={"name": "Phạm Văn Tư", "id_number": "031190005678"}), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await search_for(pilot, "pham van tu")
        screen = lists_screen(app)
        assert [k.value for k in screen.table.rows] == [owned.code]
        # The owner on a second line of the row: the name column stays narrow, the due time and
        # status stay on an 80-column screen.
        assert str(screen.table.get_row(owned.code)[1]) == "Đặng Thị Hoà\nchủ hồ sơ: Phạm Văn Tư"
        shown = texts(app, "#list-table")
        assert "chủ hồ sơ: Phạm Văn Tư" in shown and "Được tiếp nhận" in shown
        assert "Đặng Thị Hoà (chủ" not in shown
        await pilot.press("down")  # from the search box into the results, then Enter opens
        assert app.focused is screen.table
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen) and app.screen.dossier.code == owned.code
        await pilot.press("escape")
        await settle(pilot)
        screen.table.focus()
        await pilot.press("tab")  # the focus wanders off the search box and the table...
        await pilot.press("f5")  # ...F5 on the search tab brings it back to the box
        await settle(pilot)
        assert app.focused is screen.search_input
        await pilot.press("ctrl+f")
        assert app.focused is screen.search_input


async def test_text_typed_in_the_scan_box_searches(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    hoa = staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f2")
        await type_text(pilot, "Hoà")
        await pilot.press("enter")
        await settle(pilot)
        screen = lists_screen(app)
        assert screen.view == "search"
        assert screen.search_input.value == "Hoà"
        assert [k.value for k in screen.table.rows] == [hoa.code]


async def test_a_search_from_the_scan_box_on_the_search_itself_gives_the_keys_to_it(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """F2 and a part of a code on the lists screen already showing the search: the results came,
    the focus stayed in the scan box, and Down and Enter did not reach them."""
    hoa = staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f5")
        await settle(pilot)
        screen = lists_screen(app)
        assert screen.view == "search"
        await pilot.press("f2")
        await type_text(pilot, hoa.code[-4:])
        await pilot.press("enter")
        await settle(pilot)
        assert [k.value for k in screen.table.rows] == [hoa.code]
        assert app.focused is screen.search_input
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen) and app.screen.dossier.code == hoa.code


async def test_lists_come_back_up_to_date_after_a_step(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    code = staffed_desk.receive(intake(), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        screen = lists_screen(app)
        screen.view = "ready"
        await settle(pilot)
        assert screen.table.row_count == 0
        staffed_desk.record_result(code, ACTOR)  # e.g. from another window
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert [k.value for k in screen.table.rows] == [code]
        # The list for calling citizens to collect: the highlighted one's phone under the table.
        assert texts(app, "#list-detail").strip().startswith("ĐT 0912345678 · ")


async def test_a_long_company_name_is_clipped_so_the_due_time_stays_in_view(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    name = "Công ty TNHH Thương mại và Dịch vụ Xuất nhập khẩu Hải Phòng"
    code = staffed_desk.receive(
        intake(applicant={"kind": "organisation", "name": name, "representative": "Vũ Văn Nam"}), ACTOR
    ).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        shown = texts(app, "#list-table")
        assert "Công ty TNHH Thương mại và …" in shown and name not in shown  # cut, and said so
        assert "30/11 09:30" in shown  # the due time is on the 80-column screen
        await pilot.press("enter")
        await settle(pilot)
        assert name in " ".join(texts(app, "#dossier-facts").split())  # whole, wrapped, on the dossier
        assert app.screen.dossier.code == code


async def test_a_search_seen_on_screen_goes_into_the_access_log(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """Who looked up whose data (personal data law): a search whose results stayed on screen is
    logged, with the ID number masked; the queries passed through while typing are not."""
    hoa = staffed_desk.receive(intake(), ACTOR)
    other = staffed_desk.receive(intake(applicant=applicant("Lê Văn Bình", "031190005678", "")), ACTOR)

    def searches() -> list[tuple[str, str, str]]:
        entries = staffed_desk.access_log()
        return [(e.dossier_code, e.actor, e.detail) for e in entries if e.action == "search"]

    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f5")
        await settle(pilot)
        screen = lists_screen(app)
        screen.seen_after = 3600  # nothing counts as seen by waiting, in this part
        await type_text(pilot, "le van")
        await settle(pilot)
        assert [k.value for k in screen.table.rows] == [other.code]
        screen.search_input.value = ""  # changed its mind before the results counted as seen
        await type_text(pilot, "031190001234")
        await settle(pilot)
        assert [k.value for k in screen.table.rows] == [hoa.code]
        assert searches() == []
        await pilot.press("f3")  # leaving the screen: what is on it was seen
        await settle(pilot)
        name = app.official.full_name
        assert searches() == [(hoa.code, name, "1 ********1234")]

        await pilot.press("f5")  # the same results again: not logged twice
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert len(searches()) == 1

        await pilot.press("f5")
        await settle(pilot)
        screen.seen_after = 0.05  # results that stay on screen count as seen after a while
        screen.search_input.value = ""
        await type_text(pilot, "binh")
        await settle(pilot)
        await wait_until(pilot, lambda: searches() and searches()[0][2] == "1 binh")
        assert searches()[0] == (other.code, name, "1 binh")


async def test_a_list_seen_on_screen_goes_into_the_access_log(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """A list is a page of citizens' names (and phones, for "Chờ trả"): who saw it is logged, as
    the command line's ``list`` is; the same list shown again to the same official is not."""
    first = staffed_desk.receive(intake(), ACTOR)
    second = staffed_desk.receive(intake(applicant=applicant("Lê Văn Bình", "031190005678", "")), ACTOR)

    def lists_seen() -> list[tuple[str, str, str]]:
        entries = staffed_desk.access_log()
        return sorted((e.dossier_code, e.actor, e.detail) for e in entries if "danh sách" in e.detail)

    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        assert lists_seen() == []  # not yet: a list passed through on the way counts when left
        await pilot.press("f3")
        await settle(pilot)
        name = app.official.full_name
        seen = [(code, name, "2 danh sách tiếp nhận hôm nay") for code in sorted((first.code, second.code))]
        assert lists_seen() == seen
        await pilot.press("f4")  # the same page again
        await settle(pilot)
        lists_screen(app).seen_after = 0.05
        await pilot.pause(0.3)
        await settle(pilot)
        assert lists_seen() == seen


async def test_the_highlighted_dossier_is_read_in_full_under_the_list(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """On 80 columns the procedure column is out of view: the line under the table names the
    highlighted dossier's procedure and applicant in full."""
    first = staffed_desk.receive(intake(), ACTOR)
    second = staffed_desk.receive(intake(applicant=applicant("Lê Văn Bình", "031190005678", "")), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        detail = texts(app, "#list-detail")
        assert second.procedure_name[:30] in detail and "Lê Văn Bình" in detail
        assert f"({second.procedure_code})" in detail
        await pilot.press("down")
        await settle(pilot)
        assert "Đặng Thị Hoà" in texts(app, "#list-detail")
        screen = lists_screen(app)
        screen.view = "ready"  # an empty list: no detail left from the other one
        await settle(pilot)
        assert texts(app, "#list-detail").strip() == ""
        assert first.code


async def test_back_from_a_dossier_the_list_is_where_it_was(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    # Working down a list one dossier at a time: Esc, then Enter opened the first row's citizen.
    people = [applicant(f"Nguyễn Văn An {i}", f"03119000{i:04d}", "") for i in range(1, PAGE_SIZE + 8)]
    codes = [staffed_desk.receive(intake(applicant=who), ACTOR).code for who in people]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        screen = lists_screen(app)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        opened = app.screen.dossier.code
        assert opened == codes[-3]  # newest first
        await pilot.press("escape")
        await settle(pilot)
        assert screen.table.cursor_row == 2 and app.focused is screen.table
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.dossier.code == opened
        # Further down than the first page: the list reads on to it.
        await pilot.press("escape")
        await settle(pilot)
        for burst in (PAGE_SIZE - 3, 5):  # to the first page's end (the next loads), then past it
            for _ in range(burst):
                app.post_message(events.Key("down", None))
            await settle(pilot)
        deep = screen.table.cursor_row
        assert deep > PAGE_SIZE  # on the page read on to
        await pilot.press("enter")
        await settle(pilot)
        deep_code = app.screen.dossier.code
        await pilot.press("escape")
        await settle(pilot)
        assert screen.table.cursor_row == deep
        cursor = screen.table.coordinate_to_cell_key(screen.table.cursor_coordinate)
        assert str(cursor.row_key.value) == deep_code

        # In the search, back in the results table on the same dossier.
        await pilot.press("f5")
        await type_text(pilot, "nguyen van an")
        await settle(pilot)
        await pilot.press("down", "down", "down")  # into the results, then two rows down
        await settle(pilot)
        assert app.focused is screen.table
        await pilot.press("enter")
        await settle(pilot)
        found = app.screen.dossier.code
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is screen.table
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.dossier.code == found


async def test_a_search_typed_right_after_f5_reaches_the_search_box(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    # The first F5 since signing in made the lists on "today", table focused, then moved to the
    # search: letters typed meanwhile went to the scan box or nowhere.
    staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        app.post_message(events.Key("f5", None))
        await asyncio.sleep(0.05)  # a quick typist starts within a tenth of a second
        for character in "dang thi":
            app.post_message(events.Key(key_name(character), character))
        await settle(pilot)
        screen = lists_screen(app)
        assert screen.view == "search"
        assert screen.search_input.value == "dang thi"
        assert screen.scan_input.value == ""
        assert screen.table.row_count == 1


async def test_f5_again_starts_a_new_search_and_f3_again_goes_back_to_the_procedure(
    app, staffed_desk: Desk
) -> None:  # type: ignore[no-untyped-def]
    """F5 after a search: the next name typed replaces the last one (it was added to it, and found
    nothing). F3 on the intake form itself: the cursor goes back to the procedure, where an
    intake starts (the words typed for a procedure flipped a switch of the form)."""
    staffed_desk.receive(intake(), ACTOR)
    staffed_desk.receive(intake(applicant=applicant("Lê Văn Bình", "031190005678", "")), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        for press in ("f5", "f3", "f5"):
            await pilot.press(press)
            await settle(pilot)
            if press == "f5":
                await type_text(pilot, "le van binh" if lists_screen(app).search_input.value else "dang thi")
                await settle(pilot)
        screen = lists_screen(app)
        assert screen.search_input.value == "le van binh" and screen.table.row_count == 1
        await pilot.press("f3")
        await settle(pilot)
        intake_form = app.screen
        assert isinstance(intake_form, IntakeScreen)
        intake_form.field("applicant.address").focus()
        await pilot.press("f3")
        await settle(pilot)
        assert app.focused is intake_form.picker.input


async def test_ctrl_c_on_a_list_says_how_to_quit_in_vietnamese(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        said = notifications(app)
        assert any("nhấn Ctrl+Q để thoát" in n for n in said)
        assert not any("quit" in n.lower() for n in said)
        assert isinstance(app.screen, ListsScreen)


async def test_escape_clears_the_search_then_goes_back_to_the_intake(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f5")
        await type_text(pilot, "dang thi")
        await settle(pilot)
        screen = lists_screen(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.search_input.value == ""
        assert app.focused is screen.search_input
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)


async def test_a_search_by_too_few_digits_of_a_phone_says_how_many_to_type(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """ "0912" finds nothing (four digits are a code's last ones): the title says a phone is looked
    up from six digits, and the detail line no longer names the dossier highlighted before."""
    staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await search_for(pilot, "dang thi")
        await pilot.press("down")
        await settle(pilot)
        assert "Đặng Thị Hoà" in texts(app, "#list-detail")
        screen = lists_screen(app)
        screen.search_input.value = ""
        screen.search_input.focus()
        await type_text(pilot, "0912")
        await settle(pilot)
        assert "gõ từ 6 chữ số" in texts(app, "#list-title") and texts(app, "#list-detail").strip() == ""
        await type_text(pilot, "34")
        await settle(pilot)
        assert "Kết quả: 1 hồ sơ" in texts(app, "#list-title") and "chữ số" not in texts(app, "#list-title")


async def test_f5_from_the_intake_opens_the_search_on_lists_left_on_a_tab(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    # The lists were left on "today" with the table focused; F5 from the intake came back to them
    # on "today" with no search box and an empty table, and the arrow up then crashed the app.
    staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        screen = lists_screen(app)
        assert screen.view == "search"
        assert screen.query_one("#search-row").display
        assert app.focused is screen.search_input
        await pilot.press("up", "down", "up")
        await settle(pilot)
        await type_text(pilot, "dang thi")
        await settle(pilot)
        assert screen.table.row_count == 1


async def test_two_quick_next_list_keys_land_on_the_second_list_after_and_stay(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """Ctrl+N twice before the first list was shown: the tab message of the list passed over came
    late, set the view back, and the two lists chased each other for good (an empty table, the
    CPU busy until sign-out)."""
    staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        screen = lists_screen(app)
        shown: list[str] = []
        original = screen._show_view

        def counting(view: str, *, again: bool = False) -> None:
            shown.append(view)
            original(view, again=again)

        screen._show_view = counting  # type: ignore[method-assign]
        for _ in range(2):  # as a quick hand types them: the second before the first is handled
            app.post_message(events.Key("ctrl+n", None))
        views = []
        for _ in range(10):
            await pilot.pause(0.05)
            views.append(screen.view)
        await settle(pilot)
        assert set(views[2:]) == {"overdue"} and screen.view == "overdue"
        assert screen.query_one("#list-tabs").active == "overdue"
        assert shown.count("overdue") == 1 and len(shown) <= 2, shown


async def test_an_open_list_and_dossier_follow_the_clock_past_the_due_time(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, clock, monkeypatch
) -> None:
    """Left open at 09:29 on a dossier due at 09:30, the due list and the dossier went on saying
    "Còn 0 phút" and no "trễ" until they were opened again."""
    from counter_app.tui.widgets.dossier_table import DossierTable

    monkeypatch.setattr(DossierTable, "CLOCK_SECONDS", 0.05, raising=False)
    monkeypatch.setattr(DossierScreen, "CLOCK_SECONDS", 0.05, raising=False)
    code = staffed_desk.receive(intake(), ACTOR).code  # Wed 25/11 09:30, due Mon 30/11 09:30
    clock.set(datetime(2026, 11, 30, 9, 29, tzinfo=VN_TZ))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        screen = lists_screen(app)
        screen.view = "due_today"
        await settle(pilot)
        assert code in {k.value for k in screen.table.rows}
        assert "trễ" not in texts(app, "#list-table")
        clock.set(datetime(2026, 11, 30, 9, 31, tzinfo=VN_TZ))
        await wait_until(pilot, lambda: "trễ" in texts(app, "#list-table"))
        clock.set(datetime(2026, 11, 30, 9, 29, 30, tzinfo=VN_TZ))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        assert "Còn dưới 1 phút làm việc" in texts(app, "#dossier-head")
        # Ten minutes on, inside the 15 idle minutes that lock the counter: at 09:45 the lock
        # screen could come first on a loaded machine, over the dossier.
        clock.set(datetime(2026, 11, 30, 9, 40, tzinfo=VN_TZ))
        await wait_until(pilot, lambda: "Trễ 10 phút làm việc" in texts(app, "#dossier-head"))


async def test_a_new_search_replaces_the_last_query_it_is_not_typed_on_to(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """F5 for the next citizen, from the dossier the last search opened: the last query stayed in
    the box and "dang thi hoa" was searched as "2005dang thi hoa" (nothing found, and written to
    the access log so)."""
    hoa = staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f5")
        await type_text(pilot, hoa.code[-4:])  # the end of a code read aloud
        await settle(pilot)
        await pilot.press("down", "enter")  # the dossier found, opened
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("f5")  # the next citizen's search, from the dossier
        await settle(pilot)
        await type_text(pilot, "dang thi hoa")
        await settle(pilot)
        screen = lists_screen(app)
        assert screen.search_input.value == "dang thi hoa"
        assert [k.value for k in screen.table.rows] == [hoa.code]


async def test_a_code_with_a_longer_agency_identifier_is_shown_whole_or_by_its_number(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """The placeholder agency identifier (16 characters, not QCVN 102's 13) made every code on a
    wide terminal end in "…": the sequence number, the part that tells dossiers apart, was cut."""
    staffed_desk.update_settings(agency_id="000.00.00.X11410")
    first = staffed_desk.receive(intake(), ACTOR)
    second = staffed_desk.receive(intake(), ACTOR)
    for size in ((160, 48), SIZE):
        async with make_app(staffed_desk).run_test(size=size) as pilot:
            await sign_in(pilot, OFFICIAL)
            await pilot.press("f4")
            await settle(pilot)
            shown = texts(pilot.app, "#list-table")  # type: ignore[arg-type]
            for d in (first, second):
                assert (d.code if size == (160, 48) else "…" + d.code.split("-", 1)[1]) in shown


async def test_f4_after_a_search_shows_a_list_not_the_last_citizen_s_search(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    staffed_desk.receive(intake(applicant=applicant("Phan Thị Ngọc", "031190005678", "0987654321")), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await search_for(pilot, "ngoc")
        assert lists_screen(app).table.row_count == 1
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        screen = lists_screen(app)
        assert screen.view == "today"
        assert app.focused is screen.table
        await pilot.press("f5")  # the search is still F5's, ready to be typed over
        await settle(pilot)
        assert screen.view == "search" and app.focused is screen.search_input


async def test_keys_typed_while_a_dossier_opens_go_to_it_not_to_the_screen_under_it(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """Enter, Esc, Down, Enter in one burst on a list (open one, close it, open the next): the Esc
    reached the list before the dossier was up and went back to the intake, where Down and Enter
    chose a procedure no one asked for."""
    first, second = hoa_and_binh(staffed_desk)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        screen = lists_screen(app)
        for key in ("enter", "escape", "down", "enter"):
            app.post_message(events.Key(key, None))
        await settle(pilot)
        # Still on the lists (the last Enter's dossier open over them, or about to be, on a
        # loaded machine), never back on the intake.
        assert screen in app.screen_stack and not isinstance(app.screen, IntakeScreen)
        if isinstance(app.screen, DossierScreen):
            assert app.screen.dossier.code in (first.code, second.code)
        intake_screen = next(s for s in app._screen_stacks.get("intake", []) if isinstance(s, IntakeScreen))
        assert intake_screen.procedure is None and not intake_screen.is_dirty
