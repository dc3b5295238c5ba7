"""Fixtures for the Pilot tests of the TUI: a counter with officials, an app, and helpers that drive
it the way an official does (keys, and waiting for workers instead of sleeping).
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.geometry import Region
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from counter_app.desk import Desk
from counter_app.tui.app import CounterApp, make_app
from counter_app.tui.screens.intake import IntakeScreen
from counter_app.tui.screens.supervisor import SupervisorScreen

SUPERVISOR = ("lan", "2468", "Nguyễn Thị Lan")
OFFICIAL = ("minh", "3579", "Trần Văn Minh")
SIZE = (80, 24)


@pytest.fixture
def staffed_desk(desk: Desk) -> Desk:
    """The configured test counter with one supervisor and one official (already in the file when
    it was copied from the set-up template: see ``_templates``)."""
    for (user, pin, name), role in ((SUPERVISOR, "supervisor"), (OFFICIAL, "official")):
        if desk.store.official(user) is None:
            desk.add_official(user, name, role, pin)
    return desk


@pytest.fixture
def output_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where forms are saved (no printer is configured in tests)."""
    folder = tmp_path_factory.mktemp("forms")
    monkeypatch.setenv("COUNTER_OUTPUT_DIR", str(folder))
    return folder


class Seen(list[Message]):
    """Messages posted in the app (``message_hook``), with a helper to pick one kind."""

    def of(self, kind: type[Message]) -> list[Any]:
        """Each message of that kind once (the hook sees a message at every node it bubbles to)."""
        unique: dict[int, Message] = {}
        for message in self:
            if isinstance(message, kind):
                unique.setdefault(id(message), message)
        return list(unique.values())


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
def app(staffed_desk: Desk, output_dir: Path) -> CounterApp:
    return make_app(staffed_desk)


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and the screen catch up (never a sleep).

    An exclusive worker replaced by a newer one (the account check, every 50 ms in one test) ends
    cancelled, which is no failure: its successor is waited for on the next round.
    """
    for round_ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()
        if round_ and all(worker.is_finished for worker in pilot.app.workers):
            break  # a second round started no work: the third only waited (a tenth of the suite)


def key_name(character: str) -> str:
    """Textual's name for the key that types ``character`` ("a", "space", "full_stop")."""
    if character.isalnum():
        return character
    name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    return {"space": "space"}.get(name, name)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type text as a burst of key events, the way a scanner (or a quick typist) does.

    ``pilot.press`` waits for the app to go idle after every key (about 60 ms each); the app must
    keep the order of keys that arrive faster than it handles them anyway, so the test sends them
    all and waits once.
    """
    for character in text:
        pilot.app.post_message(events.Key(key_name(character), character))
    await pilot.pause()


async def scanner_burst(pilot: Pilot[Any], code: str) -> None:
    """A scanner's code and its Enter arriving in one terminal read (a fast scanner, or keys piled
    up while the app was busy): every key is queued before the app handles the first."""
    for character in code:
        pilot.app.post_message(events.Key(key_name(character), character))
    pilot.app.post_message(events.Key("enter", "\r"))
    await settle(pilot)


async def wait_until(pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds (a timer of the app has fired), at most
    ``timeout`` seconds: a loaded machine runs timers late, and a fixed pause would fail there."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.02)
    await settle(pilot)
    assert condition(), f"still not so after {timeout} s"


def a_while_ago() -> float:
    """A key time a few seconds back: keys stamped from it (``digit_at``) come before any key
    typed now, so no real key joins them."""
    return events.Key("x", "x").time - 5.0


async def digit_at(pilot: Pilot[Any], digit: str, at: float) -> None:
    """A digit key stamped with the time it was typed. Two digits make one count when typed
    within a second, and a scanner types faster than a hand: the tests of those rules give the
    keys their own times, so a loaded machine that delivers keys late does not change them."""
    key = events.Key(digit, digit)
    key.time = at
    pilot.app.post_message(key)
    await pilot.pause()


async def scan(pilot: Pilot[Any], code: str) -> None:
    """F2, then a dossier code and Enter as the scanner types them; wait for the dossier."""
    await pilot.press("f2")
    await type_text(pilot, code)
    await pilot.press("enter")
    await settle(pilot)


async def sign_in(pilot: Pilot[Any], who: tuple[str, str, str] = SUPERVISOR) -> None:
    await settle(pilot)
    await type_text(pilot, who[0])
    await pilot.press("enter")
    await type_text(pilot, who[1])
    await pilot.press("enter")
    await settle(pilot)


async def open_supervisor(
    pilot: Pilot[Any], tab: str | None = None, *, who: tuple[str, str, str] | None = SUPERVISOR
) -> SupervisorScreen:
    """Signed in (as ``who``; None: already signed in), F6, on ``tab`` when one is named."""
    if who is not None:
        await sign_in(pilot, who)
    await pilot.press("f6")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SupervisorScreen)
    if tab is not None:
        screen.tabs.active = tab
        await settle(pilot)
    return screen


async def search_for(pilot: Pilot[Any], text: str) -> None:
    """F5, then ``text`` typed into the search box, its results shown."""
    await pilot.press("f5")
    await settle(pilot)
    await type_text(pilot, text)
    await settle(pilot)


def intake_screen(app: CounterApp) -> IntakeScreen:
    """The screen on top, which must be the intake screen."""
    screen = app.screen
    assert isinstance(screen, IntakeScreen)
    return screen


async def begin_intake(pilot: Pilot[Any], name: str = "Đặng Thị Hoà") -> None:
    """Pick procedure 1.004873 by four of its digits, then type the applicant's name."""
    await type_text(pilot, "4873")
    await pilot.press("enter")
    await type_text(pilot, name)


def no_blink(app: CounterApp) -> None:
    for widget in app.screen.query(Input):
        widget.cursor_blink = False


def notifications(app: CounterApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def texts(app: CounterApp, selector: str) -> str:
    """The visible text of the widgets matching ``selector`` on the active screen."""
    out = []
    for widget in app.screen.query(selector):
        if not widget.display or not widget.size.area:
            continue
        # outer_size: the lines hold the padding too (size alone cut the end of a padded line)
        lines = widget.render_lines(Region(0, 0, widget.outer_size.width, widget.outer_size.height))
        out.extend(strip.text.rstrip() for strip in lines)
    return "\n".join(out)


def press_all(keys: Iterable[str]) -> list[str]:
    return list(keys)


Runner = Callable[..., Any]
