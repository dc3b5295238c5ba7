"""The command palette offers every task by name (diacritics optional) and finds dossiers."""

from __future__ import annotations

from textual import events
from textual.command import CommandPalette

from counter_app.desk import Desk
from counter_app.tui.commands import score
from counter_app.tui.screens.dossier import DossierScreen
from counter_app.tui.screens.lists import ListsScreen
from tests.conftest import intake

from .conftest import OFFICIAL, SIZE, SUPERVISOR, key_name, scan, settle, sign_in, type_text, wait_until


def test_folded_scoring() -> None:
    assert score("tiep nhan", "Tiếp nhận hồ sơ") == 1.0
    assert score("ho so qua", "Danh sách: quá hạn hồ sơ") > 0
    assert score("đăng xuất", "Đăng xuất") == 1.0
    assert score("in so", "Tiếp nhận hồ sơ") == 0.0


async def run_palette(pilot, query: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    await type_text(pilot, query)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_the_palette_runs_a_task_found_without_diacritics(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await run_palette(pilot, "qua han")
        screen = app.screen
        assert isinstance(screen, ListsScreen)
        assert screen.view == "overdue"


async def test_the_palette_finds_a_dossier_by_applicant(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    code = staffed_desk.receive(intake(), "Trần Văn Minh").code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await run_palette(pilot, "Đặng Thị")
        assert isinstance(app.screen, DossierScreen)
        assert app.screen.dossier.code == code


async def test_a_dossier_found_with_the_palette_goes_into_the_access_log(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """Whose ID number this is, and which dossiers that person has: the palette shows it, so the
    access log says who asked (the number masked), as a search of the lists screen does."""
    code = staffed_desk.receive(intake(), "Trần Văn Minh").code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "031190001234")
        await settle(pilot)
        assert [e for e in staffed_desk.access_log() if e.action == "search"] == []  # still typing
        await pilot.press("escape")  # closed without opening anything: it was seen all the same
        await settle(pilot)
        found = [(e.dossier_code, e.actor, e.detail) for e in staffed_desk.access_log()]
        assert [f for f in found if "1234" in f[2]] == [(code, OFFICIAL[2], "1 ********1234")]


async def test_the_palette_offers_the_screen_s_own_keys(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    code = staffed_desk.receive(intake(), "Trần Văn Minh").code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        await run_palette(pilot, "chuyen xu ly")  # the dossier screen's "c" step
        await type_text(pilot, "Ủy ban nhân dân xã")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert staffed_desk.get(code).status == 4


def test_supervisor_tasks_are_offered_to_supervisors_only(app) -> None:  # type: ignore[no-untyped-def]
    from counter_app.desk import Official

    app.official = Official(OFFICIAL[0], OFFICIAL[2], "official")
    titles = [c.title for c in app.palette_commands()]
    assert not any(t.startswith("Giám sát") for t in titles)
    app.official = Official(SUPERVISOR[0], SUPERVISOR[2], "supervisor")
    titles = [c.title for c in app.palette_commands()]
    assert "Giám sát: in sổ theo dõi hồ sơ" in titles


async def test_the_palette_speaks_vietnamese_only(app) -> None:  # type: ignore[no-untyped-def]
    """Only the counter's tasks, never Textual's own widget keys (English: "Delete all to the
    right", "Paste text from the clipboard"); "nothing matches" in Vietnamese."""
    from textual.command import CommandList

    from counter_app.tui.commands import NO_MATCH, CounterCommands

    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)  # the focus in the intake's procedure box, an Input
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        titles = [c.title for c in CounterCommands(app.screen_stack[-2], None).commands()]
        assert any(t.startswith("Lưu") for t in titles), titles  # the intake's own Ctrl+S
        english = {"Delete all to the right", "Paste text from the clipboard", "Submit", "Scroll Up"}
        assert not english & set(titles)
        await type_text(pilot, "zzqxw")
        await settle(pilot)
        options = palette.query_one(CommandList)

        def prompts() -> list[str]:
            found = (options.get_option_at_index(i) for i in range(options.option_count))
            return [str(option.prompt.renderable) for option in found]

        # the palette waits half a second before saying nothing matched
        await wait_until(pilot, lambda: any(NO_MATCH in text for text in prompts()))
        shown = prompts()
        assert any(NO_MATCH in text for text in shown), shown
        assert not any("No matches" in text for text in shown)


async def test_a_code_scanned_into_the_palette_opens_the_dossier(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    # The scanner's code and Enter come before the palette's search has shown any hit.
    code = staffed_desk.receive(intake(), "Trần Văn Minh").code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        for character in code:  # one burst, Enter included
            app.post_message(events.Key(key_name(character), character))
        app.post_message(events.Key("enter", None))
        # The dossier is read in a worker: on a loaded machine it opens after the first settle.
        await wait_until(pilot, lambda: isinstance(app.screen, DossierScreen))
        assert isinstance(app.screen, DossierScreen)
        assert app.screen.dossier.code == code
