"""Defects a tester found driving the counter at 80x24 and 160x48 (an official's first morning, a
supervisor's end of day), each fixed and kept fixed here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from counter_app.tui import app as app_module
from counter_app.tui.app import CounterApp
from counter_app.tui.commands import CounterCommands
from counter_app.tui.screens import supervisor
from counter_app.tui.screens.dialogs import StepDialog
from counter_app.tui.screens.dossier import DossierScreen
from counter_app.tui.screens.intake import IntakeScreen
from counter_app.tui.screens.lists import ListsScreen
from counter_app.tui.widgets.dossier_table import STATUS_SHORT
from tests.conftest import FixedClock, intake

from .conftest import (
    OFFICIAL,
    SIZE,
    SUPERVISOR,
    open_supervisor,
    scan,
    settle,
    sign_in,
    texts,
    type_text,
    wait_until,
)

ACTOR = "Trần Văn Minh"
WIDE = (160, 48)
COMPANY = "Công ty TNHH Nông sản Vĩnh Bảo Xuất Nhập Khẩu"
OWNER = "Nguyễn Minh Khôi Nguyên Phương"


def footer(app: CounterApp) -> dict[str, str]:
    """The keys of the footer on top (the dialog's own, under a dialog) drawn whole on screen, in
    order: key -> description."""
    width = app.size.width
    keys = sorted(app.screen.query(FooterKey), key=lambda key: key.region.x)
    return {key.key: key.description for key in keys if key.region.area and key.region.right <= width}


def table_lines(app: CounterApp) -> list[str]:
    return [line for line in texts(app, "#list-table").splitlines() if line.strip()]


# -- 1 and 8: the lists' columns ------------------------------------------------------------------------


async def test_the_status_shows_whole_at_80_columns_and_the_owner_at_160(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    company = staffed_desk.receive(
        intake(applicant={"kind": "organisation", "name": COMPANY, "representative": "Phạm Văn Đức"}), ACTOR
    ).code
    owned = staffed_desk.receive(intake(owner={"name": OWNER}), ACTOR).code
    refused = staffed_desk.receive(intake(), ACTOR).code
    staffed_desk.refuse(refused, ACTOR, reason="Không thuộc thẩm quyền")
    async with app.run_test(size=WIDE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        # 160 columns: the whole code, and the owner's whole name on the line under the applicant.
        lines = table_lines(app)
        assert f"chủ hồ sơ: {OWNER}" in texts(app, "#list-table")
        assert any(line.lstrip().startswith(company) for line in lines)

        await pilot.resize_terminal(*SIZE)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ListsScreen)
        lines = table_lines(app)

        # Every row's status whole (it was "Được tiếp nhậ", cut without a sign), the due time too.
        def row(code: str) -> str:
            return next(line for line in lines if code.split("-", 1)[1] in line).rstrip()

        for code in (company, owned):
            assert row(code).endswith(STATUS_SHORT[2]), row(code)
            assert staffed_desk.get(code).appointment_at.strftime("%d/%m %H:%M") in row(code)
        assert row(refused).endswith(STATUS_SHORT[3])
        assert all(len(line) <= SIZE[0] for line in lines)
        # Names and codes cut with "…", never silently; the row's code and name in full below.
        assert "Công ty TNHH Nông sản Vĩnh …" in texts(app, "#list-table")
        assert "chủ hồ sơ: Nguyễn Minh Khôi…" in texts(app, "#list-table")
        assert [key.value for key in screen.table.rows][0] == refused  # the rows keep their keys


# -- 2. tabs of the supervisor screen at 80 columns -----------------------------------------------------


async def test_the_supervisor_tabs_change_from_the_keyboard_at_80_columns(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_supervisor(pilot)
        assert footer(app).get("ctrl+n") == "Thẻ sau"  # the key a new supervisor can find
        await pilot.press("right")  # on the tab strip, where F6 leaves the focus
        await settle(pilot)
        assert screen.tabs.active == "logbook"
        await pilot.press("left")
        await settle(pilot)
        assert screen.tabs.active == "dashboard"
        for tab in ("logbook", "calendar", "officials", "settings"):
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert screen.tabs.active == tab
            keys = footer(app)
            assert {"ctrl+n", "f3", "f10"} <= set(keys), (tab, keys)
            assert len(app.screen.query(FooterKey)) == len(keys)  # nothing past the edge


# -- 3. sign out on the dossier screen's footer -----------------------------------------------------


@pytest.mark.parametrize("who", [OFFICIAL, SUPERVISOR], ids=["official", "supervisor"])
async def test_the_dossier_footer_keeps_sign_out_at_80_columns(app, staffed_desk: Desk, who) -> None:  # type: ignore[no-untyped-def]
    code = staffed_desk.receive(intake(), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, who)
        await scan(pilot, code)
        assert isinstance(app.screen, DossierScreen)
        await wait_until(pilot, lambda: "f4" in footer(app))
        keys = footer(app)
        assert keys.get("f10") == "Đăng xuất"
        assert {"escape", "f2", "f3", "f4", "f5", "ctrl+p"} <= set(keys)
        assert len(app.screen.query(FooterKey)) == len(keys)  # none cut at the edge


# -- 4. a dialog's own keys ----------------------------------------------------------------------------


async def test_a_step_dialog_shows_its_own_keys_and_how_to_confirm(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    code = staffed_desk.receive(intake(), ACTOR).code
    staffed_desk.record_result(code, ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        await pilot.press("t")  # Trả kết quả: the receiver filled in, a note
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StepDialog)
        assert list(footer(app).items()) == [("ctrl+s", "Xác nhận"), ("escape", "Hủy")]
        # Enter goes field by field and confirms in the last, in every dialog; Ctrl+S, which the
        # footer names, confirms from any field.
        await pilot.press("enter")
        assert app.focused is dialog.query_one("#step-note-input", Input)
        await pilot.press("shift+tab")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        assert staffed_desk.get(code).status == 10
        assert "f10" in footer(app)  # the dossier's own footer again


# -- 5. one palette entry for F3 -------------------------------------------------------------------------


async def test_the_palette_lists_intake_once_and_it_does_what_f3_does(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        commands = list(CounterCommands(screen, None).commands())
        assert [c.title for c in commands if c.key.lower() == "f3"] == ["Tiếp nhận hồ sơ"]
        await type_text(pilot, "4873")  # a procedure typed, then the focus elsewhere in the form
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is not screen.picker.input
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "tiep nhan ho so")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and app.focused is screen.picker.input
        assert screen.procedure is not None and screen.procedure.code == "1.004873"  # kept


async def test_the_lists_search_key_is_listed_once(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        titles = [c.title for c in CounterCommands(app.screen, None).commands()]
        assert [t for t in titles if t.startswith("Tìm")] == ["Tìm hồ sơ"]
        assert "Thẻ sau" in titles  # the screen's own keys are still offered


# -- 6. the due time's rule under the procedure ----------------------------------------------------------


async def test_the_due_rule_wraps_under_the_procedure_at_80x24(app) -> None:  # type: ignore[no-untyped-def]
    rule = "Trong ngày (sau 15 giờ 00: ngày làm việc tiếp theo)"
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        await type_text(pilot, "khai sinh")  # the list open, its first the same-day procedure
        await settle(pilot)
        info = screen.query_one("#procedure-info")
        assert rule in texts(app, "#procedure-info")
        options = screen.query_one("#procedure-options")
        assert options.region.y >= info.region.bottom  # the list does not cover the rule
        await pilot.press("enter")
        await settle(pilot)
        shown = texts(app, "#procedure-info").splitlines()
        assert shown[1].strip() == rule and shown[2].strip().startswith("Phí, lệ phí:")
        # Nothing of the form pushed off the 24 rows: its last applicant row still in view.
        status = screen.query_one("#status-line")
        assert screen.query_one("#f-owner").region.bottom <= status.region.y
        assert screen.query_one("#applicant").max_scroll_y == 0


# -- 7. the supervisor's figures keep up by themselves ----------------------------------------------------


async def test_the_dashboard_reloads_when_the_database_or_the_day_changes(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, make_desk: Callable[..., Desk], clock: FixedClock, monkeypatch
) -> None:
    monkeypatch.setattr(supervisor, "DASHBOARD_CHECK_SECONDS", 0.05)
    # The clock jumps 14 hours below: the idle lock (checked every 5 s) would rightly cover the
    # screen if its check came first, as it did on a loaded machine. It is not what is tested here.
    monkeypatch.setattr(app_module, "IDLE_CHECK_SECONDS", 3600)
    staffed_desk.receive(intake(), ACTOR)
    reports: list[Any] = []
    period_report = staffed_desk.period_report

    def counted(*args: Any) -> Any:
        reports.append(args)
        return period_report(*args)

    monkeypatch.setattr(staffed_desk, "period_report", counted)
    other = make_desk(configure=False)  # another process on the same file (`counter receive`)

    def received_today() -> str:
        figures = texts(app, "#dashboard-figures")
        return next(line for line in figures.splitlines() if line.strip().startswith("Tiếp nhận")).split()[-2]

    async with app.run_test(size=WIDE) as pilot:
        await sign_in(pilot, SUPERVISOR)
        await pilot.press("f6")
        await settle(pilot)
        assert received_today() == "1"
        assert "(lúc 09:30)" in texts(app, "#dashboard-figures")  # when they were computed
        assert footer(app).get("ctrl+l") == "Tải lại"
        # Nothing changed: checked, not computed again.
        computed = len(reports)
        await pilot.pause(0.3)
        await settle(pilot)
        assert len(reports) == computed

        other.receive(intake(), ACTOR)
        await wait_until(pilot, lambda: received_today() == "2")

        clock.set(datetime(2026, 11, 26, 0, 5, tzinfo=VN_TZ))  # past midnight, the screen left open
        await wait_until(pilot, lambda: "Hôm nay 26/11" in texts(app, "#dashboard-figures"))
        assert received_today() == "0" and "(lúc 00:05)" in texts(app, "#dashboard-figures")
