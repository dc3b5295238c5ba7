"""Conventions: keystrokes per intake, described bindings, one error path, layout at 80x24."""

from __future__ import annotations

from typing import Any

import pytest
from textual.binding import Binding
from textual.widget import Widget

from counter_app.desk import Desk
from counter_app.tui.app import CounterApp, make_app
from counter_app.tui.messages import DossierSaved
from counter_app.tui.screens.dossier import DossierScreen
from counter_app.tui.screens.intake import IntakeScreen
from counter_app.tui.screens.lists import ListsScreen
from counter_app.tui.screens.supervisor import SupervisorScreen
from tests.conftest import intake

from .conftest import OFFICIAL, SIZE, SUPERVISOR, Seen, notifications, settle, sign_in, type_text

MAX_EXTRA_KEYS = 15
"""The issue's budget: keys a standard intake needs beyond the applicant's data."""

APPLICANT = ("Đặng Thị Hoà", "031190001234", "0912345678", "Thôn Đông, xã Vĩnh Bảo")


async def test_a_standard_intake_needs_at_most_15_keys_beyond_the_data(
    app: CounterApp, staffed_desk: Desk, seen: Seen
) -> None:
    extra: list[str] = []

    async def key(*keys: str) -> None:
        extra.extend(keys)
        await pilot.press(*keys)

    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        for character in "4873":  # the procedure by four digits of its code
            await key(character)
        await key("enter")
        name, id_number, phone, address = APPLICANT
        await type_text(pilot, name)
        await key("tab")
        await type_text(pilot, id_number)
        await key("tab")
        await type_text(pilot, phone)
        await key("tab")
        await type_text(pilot, address)
        await key("ctrl+s")
        await settle(pilot)
        assert len(seen.of(DossierSaved)) == 1
        assert len(extra) <= MAX_EXTRA_KEYS, extra
        # The form is empty again and the next citizen can start at once.
        screen = app.screen
        assert isinstance(screen, IntakeScreen) and app.focused is screen.picker.input


SCREENS = (IntakeScreen, ListsScreen, SupervisorScreen, DossierScreen, CounterApp)


@pytest.mark.parametrize("cls", SCREENS, ids=lambda c: c.__name__)
def test_every_binding_is_named_and_described(cls: type[Any]) -> None:
    for binding in cls.BINDINGS:
        assert isinstance(binding, Binding)
        assert binding.description, binding
        assert binding.id, binding


async def test_an_unexpected_failure_is_one_sentence_and_the_app_carries_on(
    app: CounterApp, staffed_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(staffed_desk, "list_view", broken)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, ListsScreen)
        shown = notifications(app)
        assert any("Lỗi không mong đợi" in n for n in shown)
        assert not any("disk on fire" in n or "Traceback" in n for n in shown)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)


async def test_quitting_with_a_draft_asks_first(app: CounterApp) -> None:
    from counter_app.tui.screens.dialogs import ConfirmDialog

    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await type_text(pilot, "4873")
        await pilot.press("enter")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running


def visible_overflow(screen: Widget) -> list[str]:
    """Widgets drawn outside the terminal (what would be cut off at this size)."""
    width, height = screen.app.size
    problems = []
    for widget in screen.query("*"):
        if not widget.display or not widget.region.area:
            continue
        if any(
            a is not screen and a.styles.overflow_y in ("auto", "scroll")
            for a in widget.ancestors
            if isinstance(a, Widget)
        ):
            continue  # inside a scrolling pane: reachable by scrolling
        region = widget.region
        if region.right > width or region.bottom > height:
            problems.append(f"{widget!r} at {region}")
    return problems


async def test_every_main_screen_fits_80x24(app: CounterApp, staffed_desk: Desk) -> None:
    code = staffed_desk.receive(intake(), "Trần Văn Minh").code
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, SUPERVISOR)
        for key in ("f3", "f4", "f6"):
            await pilot.press(key)
            await settle(pilot)
            assert visible_overflow(app.screen) == [], key
        app.open_dossier(code)
        await settle(pilot)
        assert visible_overflow(app.screen) == []


async def test_make_app_is_the_only_way_in(staffed_desk: Desk) -> None:
    app = make_app(staffed_desk)
    assert isinstance(app, CounterApp) and app.desk is staffed_desk
    assert app.official is None
