"""The supervisors' screen: figures, the logbook, working days, officials."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual import events
from textual.widgets import DataTable, Select, Sparkline

from counter_app.desk import Desk
from counter_app.domain.errors import RuleError
from counter_app.tui.screens.dialogs import ConfirmDialog
from counter_app.tui.screens.supervisor import SPARK_DAYS, SupervisorScreen
from counter_app.tui.widgets.fields import Field
from tests.conftest import FixedClock, intake

from .conftest import (
    SIZE,
    SUPERVISOR,
    begin_intake,
    notifications,
    open_supervisor,
    settle,
    sign_in,
    texts,
    type_text,
    wait_until,
)

ACTOR = "Nguyễn Thị Lan"


async def declare_day_off(pilot, screen: SupervisorScreen, day: str, label: str) -> None:  # type: ignore[no-untyped-def]
    """On the calendar tab, the day and its note typed, Enter: the day off is stored."""
    screen.tabs.active = "calendar"
    await pilot.pause()
    screen.query_one("#override-day-input").focus()
    await type_text(pilot, day)
    await pilot.press("enter")  # on to the note: the kind keeps "Ngày nghỉ"
    await type_text(pilot, label)
    await pilot.press("enter")
    await settle(pilot)


async def test_dashboard_shows_the_day_the_month_and_30_days(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    codes = [staffed_desk.receive(intake(), ACTOR).code for _ in range(3)]
    for code, level in zip(codes[:2], (5, 2), strict=True):
        staffed_desk.transfer(code, ACTOR)  # refused once in processing: received all the same
        staffed_desk.refuse(code, ACTOR, reason="Không thuộc thẩm quyền")
        staffed_desk.rate(code, ACTOR, level=level)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        figures = texts(app, "#dashboard-figures")
        assert "Hôm nay 25/11" in figures and "Tháng 11/2026" in figures

        def row(label: str) -> list[str]:
            line = next(line for line in figures.splitlines() if line.strip().startswith(label))
            return line.split()[-2:]

        assert row("Tiếp nhận") == ["3", "3"]
        refused = next(line for line in figures.splitlines() if "Từ chối" in line).split()
        assert refused[-6:] == ["0", "/", "2", "0", "/", "2"]  # none at the counter, 2 after receipt
        assert row("Lượt đánh giá") == ["2", "2"]
        assert row("Tỷ lệ hài lòng") == ["50,0%", "50,0%"]
        spark = screen.query_one("#spark", Sparkline)
        assert len(spark.data) == SPARK_DAYS and spark.data[-1] == 3 and sum(spark.data) == 3
        assert "tổng 3" in texts(app, "#spark-title")
        # At 80x24 the whole chart shows (two rows, nothing below the fold), its ends dated.
        pane = screen.query_one("#dashboard VerticalScroll")
        assert spark.region.height >= 2 and pane.max_scroll_y == 0
        assert texts(app, "#spark-days").split() == ["27/10", "hôm", "nay", "25/11"]


async def test_a_supervisor_prints_the_logbook(app, staffed_desk: Desk, output_dir: Path) -> None:  # type: ignore[no-untyped-def]
    staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "logbook"
        await pilot.pause()
        await pilot.press("f8")
        await settle(pilot)
        pdf = output_dir / "logbook_2026-11-25.pdf"
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
        assert str(pdf) in texts(app, "#logbook-result").replace("\n", "")


async def test_the_logbook_is_printed_for_one_status_as_domain_md_asks(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, output_dir: Path
) -> None:
    """DOMAIN.md §2: the logbook filters by date range and status; the screen had dates only."""
    import pypdf
    from textual.widgets import Select

    kept = staffed_desk.receive(intake(), ACTOR)
    refused = staffed_desk.receive(intake(), ACTOR)
    staffed_desk.refuse(refused.code, ACTOR, reason="Không thuộc thẩm quyền")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot, "logbook")
        choice = screen.query_one("#logbook-status", Select)
        choice.value = 3
        await pilot.pause()
        await pilot.press("f8")
        await settle(pilot)
        pdf = output_dir / "logbook_2026-11-25_status-3.pdf"
        assert pdf.exists(), texts(app, "#logbook-result")
        text = "".join(page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages)
        tail = lambda code: code.split("-", 1)[1]  # noqa: E731  (the code wraps after the agency)
        assert tail(refused.code) in text and tail(kept.code) not in text
        assert "Chỉ gồm hồ sơ có trạng thái: 3 – Không được tiếp nhận" in text


async def test_f8_again_while_the_logbook_is_made_starts_no_second_one(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, output_dir: Path
) -> None:
    """A year's book takes a minute: F8 pressed again started a second render beside the first
    (twice the memory, and a second print job)."""
    staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "logbook"
        await pilot.pause()
        for _ in range(2):
            app.post_message(events.Key("f8", None))
        await settle(pilot)
        said = notifications(app)
        assert len([n for n in said if n.startswith("Đã lưu PDF")]) == 1
        assert any("đang được tạo" in n for n in said)
        await pilot.press("f8")  # once done, the next is made
        await settle(pilot)
        assert len([n for n in notifications(app) if n.startswith("Đã lưu PDF")]) == 2


@pytest.mark.parametrize("field", ["#logbook-from-input", "#override-day-input", "#official-name-input"])
async def test_a_code_scanned_into_a_supervisor_field_opens_the_dossier(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, field: str
) -> None:
    """Scan anywhere: a receipt scanned into a date, a note or a name opens its dossier, and the
    field keeps what it held (the code was left glued to the date: «26/11/2026000.00…»)."""
    from counter_app.tui.screens.dossier import DossierScreen

    code = staffed_desk.receive(intake(), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = {"#logbook-from-input": "logbook", "#official-name-input": "officials"}.get(
            field, "calendar"
        )
        await pilot.pause()
        target = screen.query_one(field)
        target.focus()
        await pilot.pause()
        held = target.value  # type: ignore[attr-defined]
        await type_text(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen) and app.screen.dossier.code == code
        assert target.value == held  # type: ignore[attr-defined]


async def test_a_logbook_range_with_bad_dates_is_refused_inline(app, output_dir: Path) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "logbook"
        await pilot.pause()
        screen.query_one("#logbook-from-input").focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "30/11/2026")
        await pilot.press("f8")
        await settle(pilot)
        assert "Ngày kết thúc không được trước ngày bắt đầu." in texts(app, ".field-error")
        await pilot.press("ctrl+u")
        await type_text(pilot, "31/11/2026")  # the error focused the end field; November has 30 days
        await pilot.press("f8")
        await settle(pilot)
        shown = texts(app, ".field-error").replace("\n", " ")
        assert "Đến ngày 31/11/2026 không có trên lịch: kiểm tra lại ngày và tháng." in shown
        await pilot.press("ctrl+u")
        await type_text(pilot, "30/11/2026")  # both days after today (25/11): an empty book
        await pilot.press("f8")
        await settle(pilot)
        assert "Ngày này chưa đến" in texts(app, ".field-error").replace("\n", " ")
        assert list(output_dir.glob("logbook_*")) == []


async def test_dates_and_hours_given_in_advance_are_replaced_by_what_is_typed(app) -> None:  # type: ignore[no-untyped-def]
    """The logbook's dates (today) and the office hours: a date typed over today's ran on after
    it ("28/11/202629/11/2026") and was refused; the same with the hours."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot, "logbook")
        assert app.focused is screen.query_one("#logbook-from-input")
        await type_text(pilot, "20/11/2026")
        await pilot.press("tab")
        await type_text(pilot, "27/11/2026")
        await settle(pilot)
        assert screen.query_one("#logbook-from", Field).value == "20/11/2026"
        assert screen.query_one("#logbook-to", Field).value == "27/11/2026"
        screen.tabs.active = "calendar"
        await settle(pilot)
        hours = screen.query_one("#office-hours", Field)
        hours.input.focus()
        await pilot.pause()
        await type_text(pilot, "07:30-11:30,13:30-17:00")
        assert hours.value == "07:30-11:30,13:30-17:00"


async def test_a_day_off_names_the_appointments_given_for_it(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    code = staffed_desk.receive(intake(), ACTOR).code  # due Mon 30/11/2026 09:30
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        await declare_day_off(pilot, screen, "30/11/2026", "Nghỉ đột xuất")
        shown = " ".join(notifications(app))
        assert "1 hồ sơ đang có hẹn trả vào ngày này" in shown and code in shown


async def test_working_day_overrides_and_office_hours(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "calendar"
        await pilot.pause()
        screen.query_one("#override-day-input").focus()
        await type_text(pilot, "02/01/2027")  # a Saturday: already a day off
        await pilot.press("enter")  # past the kind (Ngày nghỉ)
        await type_text(pilot, "Nghỉ bù Tết Dương lịch")
        await pilot.press("enter")
        await settle(pilot)
        assert "đã là ngày nghỉ (Thứ Bảy)" in screen.query_one("#override-day", Field).error
        assert staffed_desk.overrides() == [] and app.focused is screen.query_one("#override-day-input")
        await pilot.press("ctrl+u")
        await type_text(pilot, "04/01/2027")
        screen.query_one("#override-label-input").focus()
        await pilot.press("enter")
        await settle(pilot)
        overrides = staffed_desk.overrides()
        assert [(o.day, o.kind, o.label) for o in overrides] == [
            (date(2027, 1, 4), "day_off", "Nghỉ bù Tết Dương lịch")
        ]
        assert screen.query_one("#overrides").row_count == 1
        # The next day typed goes into "Ngày", not onto the end of the note just saved.
        assert app.focused is screen.query_one("#override-day-input")
        # The days ahead that due times skip or count, the package's and the commune's together.
        ahead = texts(app, "#upcoming-days")
        assert "Thứ Sáu 01/01/2027" in ahead and "Tết Dương lịch" in ahead
        assert "Thứ Hai 04/01/2027" in ahead and "Nghỉ bù Tết Dương lịch" in ahead

        hours = screen.query_one("#office-hours-input")
        hours.focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "7:30-11:30,13:30-17:30")
        await pilot.press("enter")
        await settle(pilot)
        assert staffed_desk.settings.office_hours.endswith("17:30")

        await pilot.press("ctrl+u")
        await type_text(pilot, "sáng thứ hai")
        await pilot.press("enter")
        await settle(pilot)
        hours_field = screen.query_one("#office-hours", Field)
        assert "07:00-11:30,13:30-17:00" in hours_field.error  # it shows the expected shape
        assert staffed_desk.settings.office_hours.endswith("17:30")
        # Corrected, the field loses the message at once (it stayed until the next save).
        await pilot.press("ctrl+u")
        await type_text(pilot, "7:00-11:30")
        await settle(pilot)
        assert hours_field.error == ""


async def test_a_supervisor_adds_an_official_and_changes_a_pin(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "officials"
        await pilot.pause()
        screen.query_one("#official-username-input").focus()
        await type_text(pilot, "hoa.pt")
        await pilot.press("enter")
        await type_text(pilot, "Phạm Thị Hoa")
        await pilot.press("enter")  # past the role (Cán bộ)
        await type_text(pilot, "12")  # PIN too short
        await pilot.press("enter")  # on to "Nhập lại mã PIN"
        await type_text(pilot, "12")
        await pilot.press("enter")
        await settle(pilot)
        assert "4 đến 8 chữ số" in texts(app, ".field-error")
        assert "hoa.pt" not in {o["username"] for o in staffed_desk.officials()}
        # The refused PIN is not kept under its dots, to run on into the next one typed.
        assert screen.query_one("#official-pin", Field).value == ""
        assert app.focused is screen.query_one("#official-pin-input")
        await type_text(pilot, "124680")
        await pilot.press("enter")
        await type_text(pilot, "124680")
        await pilot.press("enter")
        await settle(pilot)
        assert staffed_desk.sign_in("hoa.pt", "124680").full_name == "Phạm Thị Hoa"
        assert screen.query_one("#officials-table").row_count == 3
        assert app.focused is screen.query_one("#official-username-input")  # ready for the next one
        assert any("Phạm Thị Hoa" in n for n in notifications(app))


async def test_a_supervisor_locks_and_unlocks_an_official(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]

    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "officials"
        await pilot.pause()
        table = screen.query_one("#officials-table", DataTable)
        table.focus()
        await pilot.press("down")  # lan, then minh
        assert "«minh»" in str(screen.query_one("#official-toggle").label)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Trần Văn Minh" in app.screen.question
        await pilot.press("left", "enter")
        await settle(pilot)
        assert {o["username"]: o["active"] for o in staffed_desk.officials()} == {"lan": True, "minh": False}
        assert "đã khóa" in table.get_row("minh")[3]
        assert any("Đã khóa tài khoản «minh»" in n for n in notifications(app))
        with pytest.raises(RuleError):
            staffed_desk.sign_in("minh", "3579")

        # Escape on the question changes nothing.
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert not next(o for o in staffed_desk.officials() if o["username"] == "minh")["active"]

        # The same key (or the button) unlocks it; the arrows move between the dialog's buttons.
        await pilot.click("#official-toggle")
        await pilot.pause()
        await pilot.press("enter")  # on "Không", the safe answer: nothing changes
        await settle(pilot)
        assert not next(o for o in staffed_desk.officials() if o["username"] == "minh")["active"]
        await pilot.click("#official-toggle")
        await pilot.pause()
        await pilot.press("left", "enter")
        await settle(pilot)
        assert all(o["active"] for o in staffed_desk.officials())
        assert any("Đã mở lại tài khoản «minh»" in n for n in notifications(app))


async def test_the_last_supervisor_cannot_be_locked(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "officials"
        await pilot.pause()
        screen.query_one("#officials-table", DataTable).focus()  # on lan, the only supervisor
        await pilot.press("ctrl+t", "left", "enter")
        await settle(pilot)
        # Refused by the desk, shown by the app's one error handler, nothing changed.
        assert any("Phải còn ít nhất một tài khoản giám sát" in n for n in notifications(app))
        assert all(o["active"] for o in staffed_desk.officials())
        assert isinstance(app.screen, SupervisorScreen)


async def test_the_lock_key_is_offered_on_the_officials_tab_only(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        assert screen.check_action("toggle_official", ()) is False
        screen.tabs.active = "officials"
        await pilot.pause()
        assert screen.check_action("toggle_official", ()) is True


async def test_a_supervisor_backs_up_from_the_palette_and_an_official_cannot(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.command import CommandPalette

    from counter_app.desk import Desk as DeskType

    from .conftest import OFFICIAL

    folder = tmp_path / "usb-backups"
    monkeypatch.setenv("COUNTER_BACKUP_DIR", str(folder))
    code = staffed_desk.receive(intake(), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await app.action_supervisor("logbook", "backup")  # an official is refused it
        await settle(pilot)
        assert not isinstance(app.screen, SupervisorScreen) and not folder.exists()
        await pilot.press("f10")
        await settle(pilot)
        await sign_in(pilot, SUPERVISOR)

        async def back_up_from_the_palette() -> None:
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            await type_text(pilot, "sao luu")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await app.workers.wait_for_complete()
            await settle(pilot)

        await back_up_from_the_palette()
        screen = app.screen
        assert isinstance(screen, SupervisorScreen) and screen.tabs.active == "logbook"
        copies = list(folder.iterdir())
        assert len(copies) == 1 and copies[0].name.startswith("counter-11410-02-20261125-")
        result = " ".join(texts(app, "#backup-result").split())
        assert result.startswith("Đã sao lưu 1 hồ sơ") and copies[0].name in result.replace(" ", "")
        copy = DeskType.open(copies[0], env={})
        assert copy.get(code) == staffed_desk.get(code)
        copy.close()
        # The button does the same; a second copy gets its own name.
        await pilot.click("#backup-now")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert len(list(folder.iterdir())) == 2
        # The palette's command run from the supervisor screen itself: it did nothing.
        await back_up_from_the_palette()
        assert len(list(folder.iterdir())) == 3


async def test_a_supervisor_sees_an_account_waiting_after_wrong_pins(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    from counter_app.desk import SIGN_IN_TRIES

    for _ in range(SIGN_IN_TRIES):
        with pytest.raises(RuleError):
            staffed_desk.sign_in("minh", "0000")
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "officials"
        await pilot.pause()
        rows = texts(app, "#officials-table")
        assert "chờ đến 09:35 (sai PIN; đặt PIN mới để mở)" in rows
        staffed_desk.add_official("minh", "Trần Văn Minh", "official", "9753")  # a new PIN
        screen.action_reload()
        await settle(pilot)
        assert "chờ đến" not in texts(app, "#officials-table")


async def test_ctrl_n_puts_the_focus_in_the_tab_it_shows(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        for tab in ("logbook", "calendar"):
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert screen.tabs.active == tab
            assert screen.focused is not None and screen.tabs.active_pane in screen.focused.ancestors
        # No day yet: the empty table is passed over, the typing goes into the day field.
        assert screen.focused is screen.query_one("#override-day-input")
        await type_text(pilot, "31/12/2026")
        await pilot.press("enter")
        await type_text(pilot, "Nghỉ theo quyết định của UBND")
        await pilot.press("enter")
        await settle(pilot)
        assert [(o.day, o.label) for o in staffed_desk.overrides()] == [
            (date(2026, 12, 31), "Nghỉ theo quyết định của UBND")
        ]


async def test_the_days_ahead_are_reached_with_tab_and_scrolled_on_80x24(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "calendar"
        await settle(pilot)
        screen.query_one("#hours-save").focus()
        await pilot.pause()
        await pilot.press("tab")  # it wrapped back to the top bar: the list below was out of reach
        await settle(pilot)
        upcoming = screen.query_one("#upcoming-days", DataTable)
        assert screen.focused is upcoming
        pane = screen.tabs.active_pane
        assert pane is not None and upcoming.region.height >= 5
        assert pane.region.contains_region(upcoming.region)  # scrolled into view, not under the footer
        assert "Tết Dương lịch" in texts(app, "#upcoming-days")
        await pilot.press("down")  # the arrows, PageDown and Ctrl+End move through the days
        assert upcoming.cursor_row == 1
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert upcoming.cursor_row == upcoming.row_count - 1
        last = str(upcoming.get_row_at(upcoming.row_count - 1)[0])
        assert last in texts(app, "#upcoming-days")


async def test_a_tall_terminal_shows_every_day_ahead(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "calendar"
        await settle(pilot)
        upcoming = screen.query_one("#upcoming-days", DataTable)
        assert upcoming.row_count > 5
        shown = texts(app, "#upcoming-days")
        assert all(str(upcoming.get_row_at(i)[0]) in shown for i in range(upcoming.row_count))


async def test_an_existing_username_fills_in_the_official_and_changes_only_the_pin(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    staffed_desk.set_official_active("minh", False)  # a new PIN opens a locked account again: say so
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "officials"
        await pilot.pause()
        screen.query_one("#official-username-input").focus()
        await type_text(pilot, "minh")
        await settle(pilot)
        assert screen.query_one("#official-name", Field).value == "Trần Văn Minh"
        assert "Đã có: Trần Văn Minh, Cán bộ" in texts(app, "#official-known")
        screen.query_one("#official-pin-input").focus()
        await type_text(pilot, "2468")
        await pilot.press("enter")
        await type_text(pilot, "2468")
        await pilot.press("ctrl+s")  # was: "Chưa nhập họ và tên."
        await settle(pilot)
        assert texts(app, ".field-error") == ""
        assert staffed_desk.sign_in("minh", "2468").full_name == "Trần Văn Minh"
        assert any(
            "minh" in n and "đã đổi mã PIN" in n and "tài khoản đã được mở lại" in n and "vai trò" not in n
            for n in notifications(app)
        )
        assert screen.query_one("#official-username", Field).value == ""


async def test_enter_on_an_official_changes_the_role_and_an_empty_name_is_kept(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "officials"
        await settle(pilot)
        # The tab opens on the user name of a new account; the table is a Shift+Tab away.
        assert screen.focused is screen.query_one("#official-username-input")
        await pilot.press("shift+tab", "shift+tab")  # past the lock button, onto the table
        assert screen.focused is screen.query_one("#officials-table", DataTable)
        await pilot.press("down", "enter")  # minh: the form is his, the cursor in the PIN
        await settle(pilot)
        assert screen.query_one("#official-username", Field).value == "minh"
        assert screen.focused is screen.query_one("#official-pin-input")
        name = screen.query_one("#official-name", Field)
        name.value = ""  # an empty name keeps the one on record
        screen.query_one("#official-role").value = "supervisor"
        await type_text(pilot, "1357")
        await pilot.press("enter")
        await type_text(pilot, "1357")
        await pilot.press("enter")
        await settle(pilot)
        minh = next(o for o in staffed_desk.officials() if o["username"] == "minh")
        assert (minh["full_name"], minh["role"]) == ("Trần Văn Minh", "supervisor")
        assert any("đã đổi mã PIN" in n and "vai trò mới: Giám sát" in n for n in notifications(app))
        # A spelling fixed without a new PIN: the PIN stays as it was.
        screen.query_one("#official-username", Field).value = "minh"
        await settle(pilot)
        name.value = "Trần Văn Mịnh"
        screen.query_one("#official-pin-input").focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        minh = next(o for o in staffed_desk.officials() if o["username"] == "minh")
        assert minh["full_name"] == "Trần Văn Mịnh"
        assert staffed_desk.sign_in("minh", "1357").full_name == "Trần Văn Mịnh"
        assert any("họ tên mới: Trần Văn Mịnh" in n and "PIN" not in n for n in notifications(app))


async def test_the_last_supervisor_keeps_the_role(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "officials"
        await settle(pilot)
        screen.query_one("#officials-table", DataTable).focus()
        await pilot.pause()
        await pilot.press("enter")  # lan, the only supervisor
        await settle(pilot)
        screen.query_one("#official-role").value = "official"
        await type_text(pilot, "9731")
        await pilot.press("enter")
        await type_text(pilot, "9731")
        await pilot.press("enter")
        await settle(pilot)
        assert any("giám sát cuối cùng" in n for n in notifications(app))
        lan = next(o for o in staffed_desk.officials() if o["username"] == "lan")
        assert lan["role"] == "supervisor"
        staffed_desk.sign_in("lan", SUPERVISOR[1])  # the PIN did not change either


async def test_a_new_longer_name_shows_whole_at_once(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "officials"
        await settle(pilot)
        staffed_desk.add_official("binh.tt", "Trần Thanh Bình", "official", "2468")
        screen.action_reload()
        texts(app, "#officials-table")  # the screen is drawn before the table measures new rows
        await settle(pilot)
        rows = texts(app, "#officials-table").splitlines()
        assert "Trần Thanh Bình " in rows[1]  # was cut to "Trần Thanh Bìn" until a restart
        assert len({row.index(" Cán bộ") for row in rows[1:] if " Cán bộ" in row}) == 1  # aligned


async def test_ctrl_s_is_offered_only_on_tabs_where_it_does_something(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        assert screen.tabs.active == "dashboard"
        assert "ctrl+s" not in app.active_bindings and "f8" in app.active_bindings
        for tab in ("logbook", "calendar", "officials"):
            screen.tabs.active = tab
            await settle(pilot)
            assert "ctrl+s" in app.active_bindings
        assert "f8" not in app.active_bindings  # the logbook's key where its dates are not shown


async def test_the_last_day_removed_leaves_a_note_and_the_focus_in_the_form(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    staffed_desk.set_override(date(2026, 12, 31), "day_off", "Nghỉ theo quyết định của UBND")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "calendar"
        await settle(pilot)
        table = screen.query_one("#overrides", DataTable)
        assert table.display and "Chưa có ngày nào." not in texts(app, "#overrides-empty")
        table.focus()
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("left", "enter")
        await settle(pilot)
        assert staffed_desk.overrides() == []
        assert not table.display and texts(app, "#overrides-empty") == "Chưa có ngày nào."
        assert screen.focused is screen.query_one("#override-day-input")


async def test_an_open_list_s_escape_key_is_named_in_vietnamese(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """Textual's Select binds Esc as "Dismiss menu"; the footer says it in the counter's language."""
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "officials"
        await pilot.pause()
        screen.query_one("#official-role", Select).focus()
        await pilot.press("enter")  # the list opens
        await settle(pilot)
        footer = [getattr(key, "description", "") for key in app.screen.query("CounterFooter *")]
        assert "Đóng danh sách" in footer and "Dismiss menu" not in footer


async def test_the_running_counter_follows_what_the_admin_changes_beside_it(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, db_path: Path, clock: FixedClock
) -> None:
    """The admin's command line changes the calendar and the office hours of the file the UI has
    open (another connection, as another process): the next appointment and the supervisor's form
    show them, where the UI went on with what it read at start-up."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        assert screen.query_one("#office-hours", Field).value == "07:00-11:30,13:30-17:00"
        await pilot.press("f3")
        await settle(pilot)
        admin = Desk.open(db_path, clock=clock, env={})
        try:
            admin.set_override(date(2026, 11, 26), "day_off", "Nghỉ đột xuất")
            admin.update_settings(office_hours="07:30-11:30,13:30-17:30")
        finally:
            admin.close()
        await begin_intake(pilot)
        await settle(pilot)
        assert "01/12/2026" in texts(app, "#procedure-info")  # 3 working days past the new day off
        await pilot.press("f6")
        await settle(pilot)
        assert screen.query_one("#office-hours", Field).value == "07:30-11:30,13:30-17:30"


async def test_a_supervisor_sets_the_agency_identifier_and_the_printer_on_the_screen(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """Setup leaves the agency identifier for later and the app then asks for the real one before
    any dossier: the supervisor sets it (and the printer) in F6 › Cài đặt, not in a shell."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        for _ in range(4):
            await pilot.press("ctrl+n")
            await settle(pilot)
        assert screen.tabs.active == "settings"
        agency = screen.query_one("#setting-agency_id", Field)
        assert screen.focused is agency.input and agency.value == staffed_desk.settings.agency_id
        await pilot.press("ctrl+u")
        await type_text(pilot, "000.17.22-H56")  # a typo: refused where it was typed, nothing stored
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert agency.error and screen.focused is agency.input
        assert "4 nhóm" in agency.error and staffed_desk.settings.agency_id != "000.17.22-H56"
        await pilot.press("ctrl+u")
        await type_text(pilot, "000.17.22.H56")
        await pilot.press("tab", "ctrl+u")
        await type_text(pilot, "0225 3888 999")  # the counter's phone, for form 02
        await pilot.press("tab", "ctrl+u")
        await type_text(pilot, "Quay2")
        await pilot.press("enter", "ctrl+u")
        await type_text(pilot, "abc")  # minutes that are no number
        await pilot.press("ctrl+s")
        await settle(pilot)
        idle = screen.query_one("#setting-idle_lock_minutes", Field)
        assert idle.error and staffed_desk.settings.printer == ""  # all or nothing
        await pilot.press("ctrl+u")
        await type_text(pilot, "10")
        await pilot.press("ctrl+s")
        await settle(pilot)
        settings = staffed_desk.settings
        assert (settings.agency_id, settings.printer, settings.idle_lock_minutes) == (
            "000.17.22.H56",
            "Quay2",
            10,
        )
        assert settings.counter_phone.replace(" ", "") == "02253888999"
        assert any("Đã lưu cài đặt" in n for n in notifications(app))
        receipt = staffed_desk.receive(intake(), "A")
        assert receipt.code.startswith("000.17.22.H56-")


async def test_the_intake_shows_the_appointment_again_after_a_day_off_is_declared(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """A form half typed, the supervisor declares the appointment's day off in F6: back on F3, the
    appointment shown is the new one at once (it stayed on the closed day until a key was typed)."""
    from counter_app.tui.screens.intake import IntakeScreen

    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR)
        await begin_intake(pilot)  # procedure 1.004873: due Mon 30/11/2026 at the test's clock
        assert "30/11/2026" in texts(app, "#procedure-info")
        screen = await open_supervisor(pilot, who=None)
        await declare_day_off(pilot, screen, "30/11/2026", "Nghỉ đột xuất")
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        shown = texts(app, "#procedure-info")
        assert "30/11/2026" not in shown and "01/12/2026" in shown


async def test_enter_goes_on_to_the_next_field_to_type_in_past_a_choice(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    # Enter stopped on the role (or the kind of day): a PIN typed next went to the scan box, in
    # clear in the header, and a note typed next was lost.
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "officials"
        await settle(pilot)
        screen.query_one("#official-username", Field).input.focus()
        for text in ("binh", "Lê Văn Bình"):
            await type_text(pilot, text)
            await pilot.press("enter")
        await type_text(pilot, "2469")
        await settle(pilot)
        assert screen.scan_input.value == ""
        assert screen.query_one("#official-pin", Field).value == "2469"
        await pilot.press("enter")
        await type_text(pilot, "2469")
        await pilot.press("enter")
        await settle(pilot)
        assert staffed_desk.sign_in("binh", "2469").full_name == "Lê Văn Bình"

        await declare_day_off(pilot, screen, "04/01/2027", "Nghỉ bù")  # Enter after the day, then the note
        assert [(o.day.isoformat(), o.label) for o in staffed_desk.overrides()] == [("2027-01-04", "Nghỉ bù")]


async def test_days_off_set_beside_the_open_screen_appear_and_the_cursor_stays_on_its_day(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, make_desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day off set at the command line while F6 › Ngày làm việc stayed open went unseen until the
    screen was left; read again, the list must not slide another day under the cursor of a
    supervisor about to delete one."""
    from counter_app.tui.screens import supervisor

    monkeypatch.setattr(supervisor, "DASHBOARD_CHECK_SECONDS", 0.05)
    staffed_desk.set_override(date(2026, 12, 24), "day_off", "Nghỉ A")
    staffed_desk.set_override(date(2026, 12, 31), "day_off", "Nghỉ B")
    other = make_desk(configure=False)  # another process on the same file (`counter calendar set`)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "calendar"
        await settle(pilot)
        table = screen.query_one("#overrides", DataTable)
        table.focus()
        await pilot.press("down")
        await settle(pilot)
        assert table.cursor_row == 1  # on 31/12
        other.set_override(date(2026, 12, 1), "day_off", "Nghỉ đột xuất")
        await wait_until(pilot, lambda: table.row_count == 3)
        assert "01/12/2026" in texts(app, "#overrides")
        assert table.cursor_row == 2  # still 31/12
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("left", "enter")
        await settle(pilot)
        assert [o.day for o in staffed_desk.overrides()] == [date(2026, 12, 1), date(2026, 12, 24)]
