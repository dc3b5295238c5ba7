"""The supervisors' screen: figures, the logbook, working days, officials."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Sparkline

from counter_app.desk import Desk
from counter_app.domain.errors import RuleError
from counter_app.tui.screens.dialogs import ConfirmDialog
from counter_app.tui.screens.supervisor import SPARK_DAYS, SupervisorScreen
from counter_app.tui.widgets.fields import Field
from tests.conftest import intake

from .conftest import SIZE, SUPERVISOR, notifications, settle, sign_in, texts, type_text

ACTOR = "Nguyễn Thị Lan"


async def open_supervisor(pilot) -> SupervisorScreen:  # type: ignore[no-untyped-def]
    await sign_in(pilot, SUPERVISOR)
    await pilot.press("f6")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SupervisorScreen)
    return screen


async def test_dashboard_shows_the_day_the_month_and_30_days(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    codes = [staffed_desk.receive(intake(), ACTOR).code for _ in range(3)]
    for code, level in zip(codes[:2], (5, 2), strict=True):
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
        assert row("Lượt đánh giá") == ["2", "2"]
        assert row("Tỉ lệ hài lòng") == ["50%", "50%"]
        spark = screen.query_one("#spark", Sparkline)
        assert len(spark.data) == SPARK_DAYS and spark.data[-1] == 3 and sum(spark.data) == 3
        assert "tổng 3" in texts(app, "#spark-title")


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
        assert "Ngày kết thúc phải sau ngày bắt đầu." in texts(app, ".field-error")
        await pilot.press("ctrl+u")
        await type_text(pilot, "31/11/2026")  # the error focused the end field; November has 30 days
        await pilot.press("f8")
        await settle(pilot)
        shown = texts(app, ".field-error").replace("\n", " ")
        assert "Đến ngày 31/11/2026 không có trên lịch: kiểm tra lại ngày và tháng." in shown
        assert list(output_dir.glob("logbook_*")) == []


async def test_working_day_overrides_and_office_hours(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "calendar"
        await pilot.pause()
        screen.query_one("#override-day-input").focus()
        await type_text(pilot, "02/01/2027")
        await pilot.press("enter", "tab")  # past the kind (Ngày nghỉ)
        await type_text(pilot, "Nghỉ bù Tết Dương lịch")
        await pilot.press("enter")
        await settle(pilot)
        overrides = staffed_desk.overrides()
        assert [(o.day, o.kind, o.label) for o in overrides] == [
            (date(2027, 1, 2), "day_off", "Nghỉ bù Tết Dương lịch")
        ]
        assert screen.query_one("#overrides").row_count == 1
        # The days ahead that due times skip or count, the package's and the commune's together.
        ahead = texts(app, "#upcoming-days")
        assert "Thứ Sáu 01/01/2027" in ahead and "Tết Dương lịch" in ahead
        assert "Thứ Bảy 02/01/2027" in ahead and "Nghỉ bù Tết Dương lịch" in ahead

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


async def test_a_supervisor_adds_an_official_and_changes_a_pin(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        screen.tabs.active = "officials"
        await pilot.pause()
        screen.query_one("#official-username-input").focus()
        await type_text(pilot, "hoa.pt")
        await pilot.press("enter")
        await type_text(pilot, "Phạm Thị Hoa")
        await pilot.press("enter", "tab")  # role: Cán bộ
        await type_text(pilot, "12")  # PIN too short
        await pilot.press("enter")
        await settle(pilot)
        assert "4 đến 8 chữ số" in texts(app, ".field-error")
        assert "hoa.pt" not in {o["username"] for o in staffed_desk.officials()}
        await type_text(pilot, "3456")
        await pilot.press("enter")
        await settle(pilot)
        assert staffed_desk.sign_in("hoa.pt", "123456").full_name == "Phạm Thị Hoa"
        assert screen.query_one("#officials-table").row_count == 3
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
            staffed_desk.sign_in("minh", "5678")

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
        app.action_supervisor("logbook", "backup")  # an official is refused it
        await settle(pilot)
        assert not isinstance(app.screen, SupervisorScreen) and not folder.exists()
        await pilot.press("f10")
        await settle(pilot)
        await sign_in(pilot, SUPERVISOR)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "sao luu")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen) and screen.tabs.active == "logbook"
        copies = list(folder.iterdir())
        assert len(copies) == 1 and copies[0].name.startswith("counter-20261125-")
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
        await pilot.press("enter", "tab")
        await type_text(pilot, "Nghỉ theo quyết định của UBND")
        await pilot.press("enter")
        await settle(pilot)
        assert [(o.day, o.label) for o in staffed_desk.overrides()] == [
            (date(2026, 12, 31), "Nghỉ theo quyết định của UBND")
        ]
