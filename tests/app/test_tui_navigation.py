"""Moving between the counter's screens: F3 is always the intake form, F4 always the lists, and the
next official never inherits the previous one's open dossier or search."""

from __future__ import annotations

from counter_app.desk import Desk
from counter_app.tui.screens.dossier import DossierScreen
from counter_app.tui.screens.intake import IntakeScreen
from counter_app.tui.screens.lists import ListsScreen
from tests.conftest import intake

from .conftest import OFFICIAL, SIZE, SUPERVISOR, notifications, scan, search_for, settle, sign_in, type_text

ACTOR = "Trần Văn Minh"


def dossiers_open(app) -> list[DossierScreen]:  # type: ignore[no-untyped-def]
    return [s for stack in app._screen_stacks.values() for s in stack if isinstance(s, DossierScreen)]


async def test_f3_and_f4_show_their_own_screen_not_a_dossier_left_open(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """A dossier scanned on the intake, then F4, then F3: the form, where letters typed for a
    procedure used to run the dossier's steps ("k" recorded a result)."""
    code = staffed_desk.receive(intake(), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, ListsScreen)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert dossiers_open(app) == []
        await type_text(pilot, "khai sinh")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)  # no step dialog opened
        assert staffed_desk.get(code).status == 2

        # The same from the lists: a dossier opened from a row is gone once the official leaves.
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("enter")  # today's first row
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, ListsScreen) and dossiers_open(app) == []


async def test_the_next_official_starts_clean(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """Signing out closes the open dossier and forgets the lists' search: the next official sees
    neither (someone else's personal data), and lands on the intake."""
    code = staffed_desk.receive(intake(), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR)
        await search_for(pilot, "hoa")
        await scan(pilot, code)
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("f10")
        await settle(pilot)
        await sign_in(pilot, OFFICIAL)
        assert isinstance(app.screen, IntakeScreen)
        assert app.official is not None and app.official.username == OFFICIAL[0]
        assert dossiers_open(app) == []
        await pilot.press("f5")
        await settle(pilot)
        lists = app.screen
        assert isinstance(lists, ListsScreen)
        assert lists.search_input.value == "" and lists.table.row_count == 0


async def test_an_official_is_not_offered_the_supervisor_key(app) -> None:  # type: ignore[no-untyped-def]
    """F6 is not in an official's footer (a key shown must work); pressed anyway, it says why."""
    from textual.widgets._footer import FooterKey

    def footer_keys() -> set[str]:
        return {key.key for key in app.screen.query(FooterKey)}

    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        assert "f6" not in footer_keys() and "f4" in footer_keys()
        await pilot.press("f6")
        await settle(pilot)
        assert any("chỉ dành cho cán bộ có vai trò giám sát" in n for n in notifications(app))
        await pilot.press("f10")
        await settle(pilot)
        await sign_in(pilot, SUPERVISOR)
        # At 80 columns a supervisor's F6 gives way to F10 (sign out); a wider screen shows both.
        assert "f10" in footer_keys() and "f6" in app.active_bindings
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        assert {"f6", "f10"} <= footer_keys()


async def test_signing_out_over_a_dossier_opened_from_any_screen(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    code = staffed_desk.receive(intake(), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR)
        for key in ("f3", "f4", "f6"):
            await pilot.press(key)
            await settle(pilot)
            await scan(pilot, code)
            assert isinstance(app.screen, DossierScreen)
            await pilot.press("f10")
            await settle(pilot)
            await sign_in(pilot, SUPERVISOR)
            assert isinstance(app.screen, IntakeScreen) and dossiers_open(app) == []


async def test_text_left_in_the_scan_box_goes_when_the_box_is_left(app) -> None:  # type: ignore[no-untyped-def]
    """What is typed into the header's box and not sent is no scan: it piled up there (citizens' ID
    numbers and names, in the header all day) until someone cleared it."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f2")
        await type_text(pilot, "031190099999")
        box = app.screen.query_one("#scan")
        assert box.value == "031190099999"
        await pilot.press("tab")
        await settle(pilot)
        assert app.focused is not box and box.value == ""
