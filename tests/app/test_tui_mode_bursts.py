"""Keys in the same terminal read as the key that changes screens (F3, F4, F5): a fast typist, or
keys piled up while the app was busy. They belong to the screen asked for, not the one left."""

from __future__ import annotations

from textual import events

from counter_app.desk import Desk
from counter_app.tui.app import CounterApp
from counter_app.tui.screens.intake import IntakeScreen
from counter_app.tui.screens.lists import ListsScreen
from tests.conftest import intake

from .conftest import OFFICIAL, SIZE, key_name, scanner_burst, settle, sign_in

ACTOR = OFFICIAL[2]


def burst(app: CounterApp, *keys: str, text: str = "") -> None:
    """``keys`` (names), then ``text`` typed, all queued before the app handles the first."""
    for name in keys:
        app.post_message(events.Key(name, None))
    for character in text:
        app.post_message(events.Key(key_name(character), character))


async def test_a_name_typed_in_the_same_read_as_f5_is_searched(app: CounterApp, staffed_desk: Desk) -> None:
    staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        intake_screen = app.screen
        assert isinstance(intake_screen, IntakeScreen)
        for _ in range(2):  # the lists made by this F5, then shown again by the next
            burst(app, "f5", text="dang thi")
            await settle(pilot)
            assert isinstance(app.screen, ListsScreen)
            assert app.screen.search_input.value == "dang thi"
            assert intake_screen.query_one("#procedure-input").value == ""
            burst(app, "f3", text="4873")
            await settle(pilot)
            assert app.screen is intake_screen
            assert intake_screen.query_one("#procedure-input").value == "4873"
            assert app.screen.query_one("#procedure-input").has_focus
            intake_screen.query_one("#procedure-input").value = ""


async def test_a_name_typed_with_f5_from_a_dossier_is_searched_not_run_as_steps(
    app: CounterApp, staffed_desk: Desk
) -> None:
    """On a dossier, letters are its steps' keys: F5 and "chi" in one read ran the steps' keys
    on the dossier left ("c" transfers) instead of searching for the name."""
    code = staffed_desk.receive(intake(), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scanner_burst(pilot, code)
        assert type(app.screen).__name__ == "DossierScreen"
        received = staffed_desk.get(code).status
        burst(app, "f5", text="chi")
        await settle(pilot)
        assert isinstance(app.screen, ListsScreen) and app.screen.search_input.value == "chi"
        assert staffed_desk.get(code).status == received  # no step ran
        assert len(staffed_desk.history(code)) == 1


async def test_f5_after_a_dossier_opened_from_the_results_is_in_the_search_box(
    app: CounterApp, staffed_desk: Desk
) -> None:
    """A search, Enter to its results, Enter to a dossier, F3 to the intake: the next F5 went back
    to the results table (focused when the lists were left), and the next name typed was lost."""
    staffed_desk.receive(intake(), ACTOR)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press(*"dang", "enter")
        await settle(pilot)
        lists = app.screen
        assert isinstance(lists, ListsScreen) and lists.focused is lists.table
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "DossierScreen"
        await pilot.press("f3")
        await settle(pilot)
        for typed in ("tran", "hoa"):  # typed after F5, then in the same read as F5
            if typed == "tran":
                await pilot.press("f5")
                await settle(pilot)
                await pilot.press(*typed)
            else:
                await pilot.press("enter", "f3")  # the results, then away again
                await settle(pilot)
                burst(app, "f5", text=typed)
            await settle(pilot)
            assert app.screen is lists and lists.search_input.has_focus
            assert lists.search_input.value == typed


async def test_keys_typed_with_escape_from_a_dossier_go_to_the_screen_below(
    app: CounterApp, staffed_desk: Desk
) -> None:
    """Escape and the next citizen's procedure in one read: the digits were lost (queued on the
    dossier being closed), or read there as its steps' keys."""
    code = staffed_desk.receive(intake(), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scanner_burst(pilot, code)
        assert type(app.screen).__name__ == "DossierScreen"
        burst(app, "escape", text="khai sinh")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert app.screen.query_one("#procedure-input").value == "khai sinh"
        assert len(staffed_desk.history(code)) == 1  # "k" (result) and "h" (new date) ran nothing


async def test_arrows_and_enter_in_one_burst_choose_the_procedure_arrived_at(app: CounterApp) -> None:
    """Down, Down, Enter read together (piled up while the app was busy, after a save) chose the
    first match: the arrows were bindings, run only once each key had bubbled up to the app,
    after the Enter queued behind them. The official saw the list move, a wrong procedure saved."""
    from counter_app.tui.widgets.picker import search_procedures

    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        burst(app, text="ho kinh doanh")
        await settle(pilot)
        matches = search_procedures(app.desk.catalog, "ho kinh doanh")
        assert len(matches) >= 4
        burst(app, "down", "down", "down", "up", "enter")
        await settle(pilot)
        assert screen.procedure is not None and screen.procedure.code == matches[2].code
        burst(app, "pagedown", "enter")  # Enter on a chosen one moves on; the list opens again
        await settle(pilot)
        assert screen.procedure.code == matches[2].code
