"""Snapshots of the main screens at 80x24 (the smallest terminal) and 160x48.

Review the HTML report before accepting a change with ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from counter_app.tui.app import make_app
from tests.conftest import FixedClock, intake

from .conftest import SUPERVISOR

SIZES = [(80, 24), (160, 48)]
ACTOR = "Nguyễn Thị Lan"


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # replaced by a newer one (a dashboard read again): no failure
            pass
        await pilot.pause()


async def still(pilot: Pilot[Any]) -> None:
    """No blinking cursor, no toast: the same picture every run."""
    await settle(pilot)
    for screen in pilot.app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False
    pilot.app.clear_notifications()
    await pilot.pause()


async def signed_in(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press(*SUPERVISOR[0], "enter", *SUPERVISOR[1], "enter")
    await settle(pilot)


def then(*steps: Callable[[Pilot[Any]], Awaitable[None]]) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        for step in steps:
            await step(pilot)
        await still(pilot)

    return run


def with_dossiers(desk: Desk, clock: FixedClock) -> str:
    people = [
        ("Đặng Thị Hoà", "031190001234", "0912345678"),
        ("Lê Văn Bình", "031190005678", "0987654321"),
        ("Phạm Thu Trang", "031195000111", "0901234567"),
    ]
    clock.set(datetime(2026, 11, 18, 9, 0, tzinfo=VN_TZ))
    late = desk.receive(intake(applicant={"name": "Vũ Minh Hải", "id_number": "031180000222"}), ACTOR)
    desk.transfer(late.code, ACTOR)
    clock.set(datetime(2026, 11, 25, 9, 30, tzinfo=VN_TZ))
    codes = []
    for name, id_number, phone in people:
        data = intake(
            applicant={"name": name, "id_number": id_number, "phone": phone, "address": "Thôn Đông"}
        )
        codes.append(desk.receive(data, ACTOR).code)
    desk.transfer(codes[0], ACTOR, note="Chuyển cán bộ tư pháp")
    return codes[0]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_setup_screen(snap_compare, make_desk, output_dir, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(make_desk(configure=False))
    assert snap_compare(app, terminal_size=size, run_before=then())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sign_in_screen(snap_compare, staffed_desk, size) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(staffed_desk), terminal_size=size, run_before=then())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_intake_screen_half_filled(snap_compare, staffed_desk, size) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[Any]) -> None:
        await pilot.press(*"4873", "enter", *"Đặng Thị Hoà", "tab", *"03119000123", "tab")
        await settle(pilot)

    app = make_app(staffed_desk)
    assert snap_compare(app, terminal_size=size, run_before=then(signed_in, fill))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_intake_screen_choosing_a_procedure(snap_compare, staffed_desk, size) -> None:  # type: ignore[no-untyped-def]
    async def search(pilot: Pilot[Any]) -> None:
        await pilot.press(*"khai sinh", "down")
        await settle(pilot)

    app = make_app(staffed_desk)
    assert snap_compare(app, terminal_size=size, run_before=then(signed_in, search))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_dossier_screen(snap_compare, staffed_desk, clock, size) -> None:  # type: ignore[no-untyped-def]
    code = with_dossiers(staffed_desk, clock)

    async def open_it(pilot: Pilot[Any]) -> None:
        pilot.app.open_dossier(code)  # type: ignore[attr-defined]
        await settle(pilot)

    app = make_app(staffed_desk)
    assert snap_compare(app, terminal_size=size, run_before=then(signed_in, open_it))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_lists_screen(snap_compare, staffed_desk, clock, size) -> None:  # type: ignore[no-untyped-def]
    with_dossiers(staffed_desk, clock)

    async def lists(pilot: Pilot[Any]) -> None:
        await pilot.press("f4")
        await settle(pilot)

    app = make_app(staffed_desk)
    assert snap_compare(app, terminal_size=size, run_before=then(signed_in, lists))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_supervisor_dashboard(snap_compare, staffed_desk, clock, size) -> None:  # type: ignore[no-untyped-def]
    with_dossiers(staffed_desk, clock)

    async def supervisor(pilot: Pilot[Any]) -> None:
        await pilot.press("f6")
        await settle(pilot)

    app = make_app(staffed_desk)
    assert snap_compare(app, terminal_size=size, run_before=then(signed_in, supervisor))
