"""The supervisor screen's defects found driving it by hand (/tmp/explore/sup.md): each test fails on
the screen as it was, and drives the fixed one the way a supervisor does."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import DataTable, Select, Static
from textual.widgets._footer import FooterKey

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from counter_app.tui.app import CounterApp
from counter_app.tui.screens.dialogs import ConfirmDialog
from counter_app.tui.screens.first_run import SignInScreen
from counter_app.tui.screens.intake import IntakeScreen
from counter_app.tui.screens.supervisor import SupervisorScreen
from counter_app.tui.widgets.fields import Field
from tests.conftest import FixedClock, intake

from .conftest import (
    SIZE,
    SUPERVISOR,
    key_name,
    notifications,
    open_supervisor,
    settle,
    sign_in,
    texts,
    type_text,
    wait_until,
)

SECOND = ("hoa", "8642", "Phạm Thị Hoa")
"""A second supervisor: demoting or locking one of two is allowed."""


@pytest.fixture
def two_supervisors(staffed_desk: Desk) -> Desk:
    staffed_desk.add_official(SECOND[0], SECOND[2], "supervisor", SECOND[1])
    return staffed_desk


async def officials_tab(pilot) -> SupervisorScreen:  # type: ignore[no-untyped-def]
    return await open_supervisor(pilot, "officials")


async def pick(pilot, screen: SupervisorScreen, username: str) -> None:  # type: ignore[no-untyped-def]
    """The official's row under the cursor, and Enter on it."""
    table = screen.query_one("#officials-table", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(username), animate=False)
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


def account(desk: Desk, username: str) -> dict[str, object]:
    return next(o for o in desk.officials() if o["username"] == username)


def known_line(app: CounterApp) -> str:
    """The text of the line under the officials form (whole, however it wraps on the screen)."""
    return str(app.screen.query_one("#official-known", Static).content)


def footer_keys(app: CounterApp) -> set[str]:
    return {key.key for key in app.screen.query(FooterKey)}


# -- 1. the same official picked again ---------------------------------------------------------------


async def test_picking_the_same_official_again_puts_back_the_stored_name_and_role(  # type: ignore[no-untyped-def]
    app, two_supervisors: Desk
) -> None:
    """A role changed and not saved, the same row picked again: the form showed a blank name and the
    unsaved "Cán bộ" under a hint saying "Giám sát", and a new PIN then saved the demotion."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await officials_tab(pilot)
        await pick(pilot, screen, "hoa")
        name = screen.query_one("#official-name", Field)
        role = screen.query_one("#official-role", Select)
        assert (name.value, role.value) == ("Phạm Thị Hoa", "supervisor")
        role.value = "official"  # a change of mind, not saved
        await settle(pilot)
        # The form says what Ctrl+S would save, beside what is stored.
        assert "Ctrl+S sẽ lưu: vai trò Giám sát → Cán bộ." in known_line(app)

        await pick(pilot, screen, "hoa")
        assert (name.value, role.value) == ("Phạm Thị Hoa", "supervisor")
        assert "sẽ lưu" not in known_line(app)
        assert app.focused is screen.query_one("#official-pin-input")
        for _ in range(2):
            await type_text(pilot, "4193")
            await pilot.press("enter")
        await settle(pilot)
        hoa = account(two_supervisors, "hoa")
        assert (hoa["full_name"], hoa["role"]) == ("Phạm Thị Hoa", "supervisor")
        assert two_supervisors.sign_in("hoa", "4193").role == "supervisor"
        assert any("«hoa»" in n and "đã đổi mã PIN" in n and "vai trò" not in n for n in notifications(app))


async def test_a_row_picked_reads_the_account_as_stored_now(app, two_supervisors: Desk) -> None:  # type: ignore[no-untyped-def]
    """Changed from the command line since the table was read: the form shows the stored account."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await officials_tab(pilot)
        two_supervisors.add_official("minh", "Trần Văn Minh Anh", "supervisor")
        await pick(pilot, screen, "minh")
        assert screen.query_one("#official-name", Field).value == "Trần Văn Minh Anh"
        assert screen.query_one("#official-role", Select).value == "supervisor"


# -- 3. a make-up day removed -------------------------------------------------------------------------


async def test_removing_a_make_up_day_names_the_appointments_on_it(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 12, 2, 9, 30, tzinfo=VN_TZ))
    staffed_desk.set_override(date(2026, 12, 5), "working_day", "Làm bù")
    code = staffed_desk.receive(intake(), "Nguyễn Thị Lan").code  # 3 working days: due Sat 05/12 09:30
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot, "calendar")
        screen.query_one("#overrides", DataTable).focus()
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("left", "enter")
        await settle(pilot)
        assert staffed_desk.overrides() == []
        shown = notifications(app)
        assert any("Đã xóa ngày làm bù Thứ Bảy 05/12/2026" in n for n in shown)
        assert any(n.startswith("Hẹn trả vào ngày nghỉ") and code in n for n in shown)


async def test_removing_a_day_off_says_so_without_a_warning(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    staffed_desk.set_override(date(2026, 12, 31), "day_off", "Nghỉ theo quyết định")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot, "calendar")
        screen.query_one("#overrides", DataTable).focus()
        await pilot.press("delete", "left", "enter")
        await settle(pilot)
        shown = notifications(app)
        assert any("Đã xóa ngày nghỉ Thứ Năm 31/12/2026" in n for n in shown)
        assert not any("Hẹn trả vào ngày nghỉ" in n for n in shown)


# -- 5. office hours shorter than a working day -------------------------------------------------------


async def test_office_hours_under_eight_hours_are_saved_with_a_warning(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot, "calendar")
        screen.query_one("#office-hours-input").focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "08:00-12:00,13:00-15:00")
        await pilot.press("enter")
        await settle(pilot)
        assert staffed_desk.settings.office_hours == "08:00-12:00,13:00-15:00"
        warned = [n for n in notifications(app) if n.startswith("Lưu ý về giờ làm việc mới")]
        assert len(warned) == 1 and "6 giờ" in warned[0] and "8 giờ làm việc" in warned[0]
        assert "giữ nguyên hạn trả" in warned[0]

        app.clear_notifications()
        await pilot.press("ctrl+u")
        await type_text(pilot, "07:00-11:30,13:30-17:00")  # a full day: no warning
        await pilot.press("enter")
        await settle(pilot)
        assert not any(n.startswith("Lưu ý về giờ làm việc mới") for n in notifications(app))


# -- 6. every tab in the palette ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "tab"),
    [
        ("cai dat", "settings"),
        ("may in", "settings"),
        ("tu khoa", "settings"),
        ("so lieu", "dashboard"),
        ("in so theo doi", "logbook"),
        ("ngay nghi", "calendar"),
        ("can bo", "officials"),
    ],
)
async def test_every_supervisor_tab_is_in_the_palette(app, query: str, tab: str) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, query)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        assert screen.tabs.active == tab


# -- 7. F10 in the footer, Esc on the supervisor screen -----------------------------------------------


@pytest.mark.parametrize("size", [SIZE, (160, 48)])
async def test_sign_out_is_in_the_footer_of_every_main_screen(app, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=size) as pilot:
        await sign_in(pilot, SUPERVISOR)
        assert "f10" in footer_keys(app)  # the intake
        for key in ("f4", "f6"):
            await pilot.press(key)
            await settle(pilot)
            assert "f10" in footer_keys(app), key
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        assert "f3" in footer_keys(app)
        for tab in ("logbook", "calendar", "officials", "settings"):
            screen.tabs.active = tab
            await settle(pilot)
            assert {"f3", "f10"} <= footer_keys(app), tab
        if size[0] >= 120:
            assert "escape" in footer_keys(app)  # "Quay lại", shown where there is room


async def test_escape_empties_the_officials_form_then_goes_back(app, two_supervisors: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await officials_tab(pilot)
        await pick(pilot, screen, "hoa")
        screen.query_one("#official-role", Select).value = "official"
        await type_text(pilot, "4193")
        await pilot.press("escape")  # the change is dropped, nothing saved
        await settle(pilot)
        assert all(f.value == "" for f in screen.query(Field) if f.id and f.id.startswith("official-"))
        assert screen.query_one("#official-role", Select).value == "official"  # a new account's default
        assert known_line(app) == ""
        assert app.focused is screen.query_one("#officials-table")
        assert account(two_supervisors, "hoa")["role"] == "supervisor"
        await pilot.press("escape")  # nothing typed: back to the intake
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)


# -- 8. one's own account ----------------------------------------------------------------------------


async def test_locking_ones_own_account_says_so_and_signs_out_at_once(app, two_supervisors: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await officials_tab(pilot)
        table = screen.query_one("#officials-table", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index("lan"), animate=False)
        await pilot.press("ctrl+t")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "Đây là tài khoản của bạn" in dialog.question and "đăng xuất ngay" in dialog.question
        await pilot.press("escape")  # no: nothing changes
        await settle(pilot)
        assert account(two_supervisors, "lan")["active"]
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("left", "enter")
        # Signed out now, not at the next account check seconds later (keys went to the sign-in form).
        await wait_until(pilot, lambda: app.official is None, timeout=2.0)
        assert not account(two_supervisors, "lan")["active"]
        assert isinstance(app.screen, SignInScreen)


async def test_giving_up_ones_own_supervisor_role_asks_first(app, two_supervisors: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await officials_tab(pilot)
        await pick(pilot, screen, "lan")
        screen.query_one("#official-role", Select).value = "official"
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "Đây là tài khoản của bạn" in dialog.question
        await pilot.press("escape")
        await settle(pilot)
        assert account(two_supervisors, "lan")["role"] == "supervisor"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("left", "enter")
        await wait_until(pilot, lambda: app.official is not None and app.official.role == "official", 2.0)
        assert account(two_supervisors, "lan")["role"] == "official"
        assert isinstance(app.screen, IntakeScreen)  # off the supervisor screen at once


async def test_the_last_supervisor_s_own_lock_is_refused_without_a_question(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await officials_tab(pilot)
        screen.query_one("#officials-table", DataTable).focus()  # on lan, the only supervisor
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert any("Phải còn ít nhất một tài khoản giám sát" in n for n in notifications(app))
        assert account(staffed_desk, "lan")["active"] and app.official is not None


# -- 12. a new PIN typed twice -----------------------------------------------------------------------


async def test_a_new_pin_is_typed_twice(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await officials_tab(pilot)
        await pick(pilot, screen, "minh")
        await type_text(pilot, "8264")
        await pilot.press("ctrl+s")  # typed once: not saved
        await settle(pilot)
        again = screen.query_one("#official-pin-again", Field)
        assert "nhập lại mã PIN" in again.error and app.focused is again.input
        assert "sẽ lưu: mã PIN mới" in known_line(app)
        staffed_desk.sign_in("minh", "3579")  # the PIN on record still works
        await type_text(pilot, "8246")  # a slip
        await pilot.press("enter")
        await settle(pilot)
        pin = screen.query_one("#official-pin", Field)
        assert "không khớp" in pin.error and app.focused is pin.input
        assert pin.value == again.value == ""  # both typed again
        assert "sẽ lưu" not in known_line(app)  # no PIN left to save
        staffed_desk.sign_in("minh", "3579")
        # Typed in one burst, as a quick hand does: the second PIN goes into its own field.
        for key in [*"8264", "enter", *"8264", "enter"]:
            app.post_message(events.Key(key, key if len(key) == 1 else "\r"))
        await settle(pilot)
        assert staffed_desk.sign_in("minh", "8264").full_name == "Trần Văn Minh"


# -- 13. stale messages ------------------------------------------------------------------------------


async def test_a_corrected_officials_field_loses_its_message(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await officials_tab(pilot)
        screen.query_one("#official-username-input").focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        username = screen.query_one("#official-username", Field)
        name = screen.query_one("#official-name", Field)
        assert username.error and name.error
        await type_text(pilot, "moi")
        await settle(pilot)
        assert username.error == "" and name.error  # only the field typed in
        name.focus()
        await type_text(pilot, "Người Mới")
        await settle(pilot)
        assert name.error == "" and "Chưa nhập" not in texts(app, ".field-error")
        # A refused PIN is emptied by the screen, and its message stays.
        screen.query_one("#official-pin-input").focus()
        await type_text(pilot, "1234")  # too easy
        await pilot.press("enter")
        await type_text(pilot, "1234")
        await pilot.press("enter")
        await settle(pilot)
        pin = screen.query_one("#official-pin", Field)
        assert pin.value == "" and pin.error


async def test_a_logbook_date_error_does_not_show_the_last_pdf_saved(app, output_dir) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot, "logbook")
        await pilot.press("f8")
        await settle(pilot)
        assert texts(app, "#logbook-result").strip()  # where the PDF went
        end = screen.query_one("#logbook-to", Field)
        end.focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "31/02/2026")
        await pilot.press("f8")
        await settle(pilot)
        assert "không có trên lịch" in end.error
        assert texts(app, "#logbook-result").strip() == ""


# -- 2. a supervisor demoted meanwhile ---------------------------------------------------------------


async def test_a_supervisor_demoted_meanwhile_changes_nothing_before_the_screen_knows(  # type: ignore[no-untyped-def]
    app, two_supervisors: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Demoted from the command line while on the officials tab: the screen learns it at its next
    account check, seconds later; a lock typed meanwhile was carried out. The desk refuses it now."""
    from counter_app.tui import app as app_module

    monkeypatch.setattr(app_module, "ACCOUNT_CHECK_SECONDS", 3600)  # the check comes too late here
    async with app.run_test(size=SIZE) as pilot:
        screen = await officials_tab(pilot)
        two_supervisors.add_official(SUPERVISOR[0], SUPERVISOR[2], "official")  # the admin, elsewhere
        table = screen.query_one("#officials-table", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index(SECOND[0]), animate=False)
        await pilot.press("ctrl+t")
        await settle(pilot)
        if isinstance(app.screen, ConfirmDialog):
            await pilot.press("left", "enter")
            await settle(pilot)
        await wait_until(pilot, lambda: any("không còn quyền giám sát" in n for n in notifications(app)), 2.0)
        assert account(two_supervisors, SECOND[0])["active"]


async def test_a_new_official_with_several_wrong_fields_hears_of_all_of_them(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """A user name with a diacritic, no name and two PINs that differ: the form said only the PINs,
    then, once they were typed twice again, the user name, then the name."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await officials_tab(pilot)
        fields = {
            key: screen.query_one(f"#official-{key}", Field)
            for key in ("username", "name", "pin", "pin-again")
        }
        fields["username"].value = "Bình TV"
        fields["pin"].value = "3691"
        fields["pin-again"].value = "3692"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert fields["username"].error and fields["name"].error and "không khớp" in fields["pin"].error
        assert app.focused is fields["username"].input  # the first wrong field, from the top
        assert (
            staffed_desk.store.official("bình tv") is None and staffed_desk.store.official("binh tv") is None
        )


@pytest.mark.parametrize("on_the_table", [False, True], ids=["tab-opened", "table-focused"])
async def test_a_new_official_typed_as_the_hint_says_never_changes_another_s_pin(  # type: ignore[no-untyped-def]
    app, two_supervisors: Desk, on_the_table: bool
) -> None:
    """ "Thêm cán bộ: nhập tên đăng nhập mới": the tab opened on the table, the name typed there
    was lost, its Enter opened the first official's account with the cursor in the PIN, and the
    new PIN typed twice became that official's. The name now goes to the user-name field,
    opened there or typed on the table."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await officials_tab(pilot)
        if on_the_table:
            screen.query_one("#officials-table", DataTable).focus()
            await pilot.pause()
        await type_text(pilot, "binh.lt")
        await pilot.press("enter")
        await type_text(pilot, "Lê Thị Bình")
        await pilot.press("enter")  # past the role
        await type_text(pilot, "2468")
        await pilot.press("enter")
        await type_text(pilot, "2468")
        await pilot.press("enter")
        await settle(pilot)
        assert two_supervisors.sign_in("binh.lt", "2468").full_name == "Lê Thị Bình"
        for username, pin, _ in (SUPERVISOR, SECOND):
            two_supervisors.sign_in(username, pin)  # their PINs as they were


async def burst(pilot, *parts: str) -> None:  # type: ignore[no-untyped-def]
    """Text and keys ("\t" a Tab) typed in one burst, all queued before the app handles the first,
    as a fast typist's keys arrive in one terminal read."""
    for part in parts:
        if part == "\t":
            pilot.app.post_message(events.Key("tab", None))
        else:
            for character in part:
                pilot.app.post_message(events.Key(key_name(character), character))
    await settle(pilot)


async def test_a_note_typed_past_the_kind_of_day_in_one_burst_reaches_the_note(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """Tab, Tab across the drop-down of the kind of day, typed at once: the note was lost (the
    second Tab reached the app only after the letters behind it had gone nowhere)."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot, "calendar")
        assert app.focused is screen.query_one("#override-day-input")
        await burst(pilot, "02/12/2026", "\t", "\t", "Kiểm tra")
        assert screen.query_one("#override-day", Field).value == "02/12/2026"
        assert screen.query_one("#override-label", Field).value == "Kiểm tra"
        assert app.focused is screen.query_one("#override-label-input")
        assert screen.scan_input.value == ""


async def test_a_new_official_typed_in_one_burst_past_the_role_keeps_every_field(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot, "officials")
        screen.query_one("#official-username-input").focus()
        await settle(pilot)
        await burst(pilot, "ha.pt", "\t", "Phạm Thu Hà", "\t", "\t", "7391", "\t", "7391")
        values = {
            key: screen.query_one(f"#official-{key}", Field).value
            for key in ("username", "name", "pin", "pin-again")
        }
        assert values == {"username": "ha.pt", "name": "Phạm Thu Hà", "pin": "7391", "pin-again": "7391"}
        assert screen.query_one("#official-role", Select).value == "official"
        assert screen.scan_input.value == ""  # the PIN never went to the header in clear


async def test_a_new_official_s_pin_takes_digits_only_and_says_so(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """A name typed into the PIN by mistake showed as a row of dots, refused only on saving."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot, "officials")
        for key in ("pin", "pin-again"):
            screen.query_one(f"#official-{key}-input").focus()
            await settle(pilot)
            await type_text(pilot, "73a91")
            await settle(pilot)
            field = screen.query_one(f"#official-{key}", Field)
            assert field.value == "7391"
            assert field.error == "Mã PIN chỉ gồm chữ số (4 đến 8 số)."
