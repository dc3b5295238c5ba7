"""The half-typed intake survives a crash or a restart: saved as the counter's draft a moment after the
last change, put back after the next sign-in, dropped with the saved dossier or by Escape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from counter_app.desk import Desk
from counter_app.tui.app import CounterApp, make_app
from counter_app.tui.messages import DossierSaved
from counter_app.tui.screens import intake as intake_module
from counter_app.tui.screens.intake import IntakeScreen
from counter_app.tui.widgets.fields import Choice

from .conftest import (
    OFFICIAL,
    SIZE,
    SUPERVISOR,
    Seen,
    begin_intake,
    intake_screen,
    notifications,
    settle,
    sign_in,
    type_text,
)


async def half_intake(pilot: Pilot[Any]) -> IntakeScreen:
    """Procedure, name, ID number, a phone cut short, return by post, one paper changed."""
    await begin_intake(pilot)
    await pilot.press("tab")
    await type_text(pilot, "031190001234")
    await pilot.press("tab")
    await type_text(pilot, "0912")
    screen = intake_screen(pilot.app)  # type: ignore[arg-type]
    screen.query_one("#f-return", Choice).focus()
    await pilot.press("space")  # Tại quầy -> Qua bưu chính
    screen.checklist.focus()
    await pilot.pause()
    await pilot.press("down", "space")  # tick the second paper (1 original by the catalog)
    await pilot.press("right", "right", "right", "2")  # and two certified copies of it
    return screen


async def write_draft_now(pilot: Pilot[Any], screen: IntakeScreen) -> None:
    """What the timer does once the official stops typing (no test waits a real second)."""
    screen.flush_draft()
    await settle(pilot)


async def test_the_draft_is_written_once_typing_pauses_not_at_each_key(
    app: CounterApp, staffed_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[dict[str, Any]] = []
    save = staffed_desk.save_draft
    monkeypatch.setattr(staffed_desk, "save_draft", lambda data: (written.append(data), save(data)))
    # A pause of a minute, not a second: on a loaded machine typing the form took more than one.
    monkeypatch.setattr(intake_module, "DRAFT_DELAY", 60.0)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = await half_intake(pilot)
        await settle(pilot)
        # Dozens of keys, and not one write yet: the timer waits for a pause.
        assert screen.draft_pending
        assert written == [] and staffed_desk.load_draft() is None

        await write_draft_now(pilot, screen)
        assert not screen.draft_pending
        assert len(written) == 1
        draft = staffed_desk.load_draft()
        assert draft is not None
        # The desk's intake shape...
        assert draft["procedure"] == "1.004873"
        assert draft["applicant"] == {"name": "Đặng Thị Hoà", "id_number": "031190001234", "phone": "0912"}
        assert draft["return_method"] == "post"
        assert [(d["originals"], d["certified"]) for d in draft["documents"]] == [(1, 0), (1, 2)]
        # ...and what putting the form back needs.
        assert draft["form"]["fields"]["applicant.phone"] == "0912"
        assert [p["checked"] for p in draft["form"]["papers"]] == [True, True, False, False]


async def test_the_timer_writes_the_draft_by_itself(
    app: CounterApp, staffed_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake_module, "DRAFT_DELAY", 0.001)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        screen = intake_screen(app)
        for _ in range(50):  # idle passes, not sleeps: a 1 ms timer fires at the first one
            if not screen.draft_pending:
                break
            await pilot.pause()
        await settle(pilot)
        draft = staffed_desk.load_draft()
        assert draft is not None and draft["applicant"]["name"] == "Đặng Thị Hoà"


async def test_a_half_typed_intake_survives_a_restart(
    app: CounterApp, staffed_desk: Desk, make_desk: Callable[..., Desk], db_path: Path, seen: Seen
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = await half_intake(pilot)
        await write_draft_now(pilot, screen)
    # The first process "crashes": its desk is never closed. A new one opens the same file.
    restarted = make_app(make_desk(db_path, configure=False))
    async with restarted.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = intake_screen(restarted)
        assert any("Đã khôi phục hồ sơ đang nhập dở" in n for n in notifications(restarted))
        assert screen.procedure is not None and screen.procedure.code == "1.004873"
        assert screen.picker.input.value.startswith("1.004873 · ")
        assert screen.field("applicant.name").value == "Đặng Thị Hoà"
        assert screen.field("applicant.id_number").value == "031190001234"
        assert screen.field("applicant.phone").value == "0912"
        assert screen.field("sets").value == "1"
        assert screen.query_one("#f-return", Choice).value == "post"
        papers = [(p.checked, p.originals, p.certified, p.copies) for p in screen.checklist.papers]
        assert papers == [(True, 1, 0, 0), (True, 1, 2, 0), (False, 0, 0, 0), (False, 0, 0, 0)]
        assert restarted.focused is screen.field("applicant.address").input  # the first empty field

        # The official types the address (by post: it is where the result goes), finishes the
        # phone number and saves: the dossier is stored, the draft gone.
        await type_text(pilot, "Thôn Đông, xã Vĩnh Bảo")
        screen.field("applicant.phone").focus()
        await type_text(pilot, "345678")
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = seen.of(DossierSaved)
        assert len(saved) == 1
        dossier = restarted.desk.get(saved[0].dossier.code)
        assert dossier.applicant.phone == "0912345678"
        assert dossier.return_method == "post" and dossier.applicant.address == "Thôn Đông, xã Vĩnh Bảo"
        assert [(d.originals, d.certified) for d in dossier.documents] == [(1, 0), (1, 2)]
        assert restarted.desk.load_draft() is None
        # The emptied form writes nothing back once its timer fires.
        screen.flush_draft()
        await settle(pilot)
        assert restarted.desk.load_draft() is None


async def test_saving_the_dossier_drops_the_draft(app: CounterApp, staffed_desk: Desk, seen: Seen) -> None:
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = await half_intake(pilot)
        await write_draft_now(pilot, screen)
        assert staffed_desk.load_draft() is not None
        screen.field("applicant.address").focus()
        await type_text(pilot, "Thôn Đông, xã Vĩnh Bảo")  # by post: where the result goes
        screen.field("applicant.phone").focus()
        await type_text(pilot, "345678")  # a change whose draft write is still waiting
        assert screen.draft_pending
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(seen.of(DossierSaved)) == 1
        assert staffed_desk.load_draft() is None
        assert staffed_desk.count_view("today") == 1
        # Clearing the form counts as a change; its timer writes nothing back.
        await write_draft_now(pilot, screen)
        assert staffed_desk.load_draft() is None


async def test_a_refused_save_keeps_the_draft_up_to_date(app: CounterApp, staffed_desk: Desk) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        await pilot.press("tab")
        await type_text(pilot, "123")  # not an ID number
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = intake_screen(app)
        assert screen.field("applicant.id_number").error
        # The save cancelled the timer; its refusal set it again (on a loaded machine the second
        # may already have passed, the draft written: what it holds is checked below all the same).
        assert (
            screen.draft_pending
            or (staffed_desk.load_draft() or {}).get("applicant", {}).get("id_number") == "123"
        )
        await write_draft_now(pilot, screen)
        draft = staffed_desk.load_draft()
        assert draft is not None and draft["applicant"]["id_number"] == "123"


async def test_escape_discards_the_form_and_its_draft(app: CounterApp, staffed_desk: Desk) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = await half_intake(pilot)
        await write_draft_now(pilot, screen)
        assert staffed_desk.load_draft() is not None
        screen.field("applicant.name").focus()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("left", "enter")
        await settle(pilot)
        assert screen.procedure is None and screen.field("applicant.name").value == ""
        assert staffed_desk.load_draft() is None


async def test_quitting_keeps_the_draft_for_the_next_start(app: CounterApp, staffed_desk: Desk) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        assert staffed_desk.load_draft() is None  # typed less than a second ago
        await pilot.press("ctrl+q")
        await pilot.pause()
        # The footer names Esc as the button it is: "Ở lại", not the "Không" of no button there.
        shown = {key.key: key.description for key in app.screen.query(FooterKey)}
        assert shown.get("escape") == "Ở lại"
        await pilot.press("left", "enter")
        await settle(pilot)
        assert not app.is_running  # gone once the draft was written
    draft = staffed_desk.load_draft()
    assert draft is not None and draft["applicant"]["name"] == "Đặng Thị Hoà"


async def test_quitting_while_the_file_is_busy_stays_until_the_draft_is_kept(
    app: CounterApp, staffed_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program held the write lock: «Thoát» froze the screen for 20 s, then exited without
    the draft the question had promised to put back at the next start."""
    import sqlite3

    path = staffed_desk.store.conn.execute("PRAGMA database_list").fetchone()[2]
    monkeypatch.setattr(staffed_desk.store, "_patience_ms", 50)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot, OFFICIAL)
            # Held before the form is typed: on a loaded machine the draft's timer wrote it first.
            other.execute("BEGIN IMMEDIATE")
            await begin_intake(pilot)
            await pilot.press("ctrl+q")
            await pilot.pause()
            await pilot.press("left", "enter")
            await settle(pilot)
            assert app.is_running and staffed_desk.load_draft() is None
            assert any("Chưa thoát" in n for n in notifications(app))
            other.execute("ROLLBACK")
            await pilot.press("ctrl+q")
            await pilot.pause()
            await pilot.press("left", "enter")
            await settle(pilot)
            assert not app.is_running
    finally:
        other.close()
    draft = staffed_desk.load_draft()
    assert draft is not None and draft["applicant"]["name"] == "Đặng Thị Hoà"


async def test_a_draft_of_a_procedure_no_longer_in_the_catalog_keeps_the_rest(
    app: CounterApp, staffed_desk: Desk
) -> None:
    staffed_desk.save_draft(
        {
            "procedure": "9.999999",
            "applicant": {"name": "Lê Văn Bình", "birth_date": "1990-03-05"},
            "return_method": "online",
        }
    )
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = intake_screen(app)
        assert screen.procedure is None
        assert screen.picker.input.value == "9.999999"  # left for the official to choose again
        assert screen.field("applicant.name").value == "Lê Văn Bình"
        assert screen.field("applicant.birth_date").value == "05/03/1990"
        assert screen.query_one("#f-return", Choice).value == "online"
        assert app.focused is screen.picker.input


async def test_a_draft_in_the_bare_intake_shape_is_restored_as_far_as_it_goes(
    app: CounterApp, staffed_desk: Desk
) -> None:
    second = staffed_desk.procedure("1.004873").documents[1].name
    staffed_desk.save_draft(
        {
            "procedure": "1.004873",
            "applicant": {"name": "Lê Văn Bình"},
            "documents": [{"name": second, "originals": 1, "certified": 1, "copies": 0}],
            "sets": 2,
        }
    )
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = intake_screen(app)
        assert screen.procedure is not None and screen.procedure.code == "1.004873"
        assert screen.field("sets").value == "2"
        papers = [(p.checked, p.originals, p.certified) for p in screen.checklist.papers]
        assert papers[:2] == [(False, 1, 0), (True, 1, 1)]
        assert app.focused is screen.field("applicant.id_number").input


async def test_an_organisation_and_its_owner_come_back_with_the_draft(
    app: CounterApp, make_desk: Callable[..., Desk], db_path: Path
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot, "Hợp tác xã Đông Hưng")
        screen = intake_screen(app)
        screen.query_one("#f-kind", Choice).value = "organisation"
        screen.query_one("#f-owner", Choice).value = "other"
        await pilot.pause()
        screen.field("applicant.representative").value = "Lê Văn Ước"
        screen.field("owner.name").value = "Đỗ Thị Hằng"
        await write_draft_now(pilot, screen)
    restarted = make_app(make_desk(db_path, configure=False))
    async with restarted.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = intake_screen(restarted)
        assert screen.kind == "organisation" and screen.has_owner
        assert screen.field("applicant.name").label == "Tên tổ chức"
        assert screen.field("applicant.representative").display
        assert screen.field("applicant.representative").value == "Lê Văn Ước"
        assert screen.field("owner.name").value == "Đỗ Thị Hằng"
        data = screen.intake_data()
        assert data["applicant"]["kind"] == "organisation" and data["owner"] == {"name": "Đỗ Thị Hằng"}


async def test_a_draft_the_busy_file_refused_is_written_once_the_file_is_free(
    app: CounterApp, staffed_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program held the write lock while the form was typed: the draft write failed and was
    never tried again, so a crash after the lock was gone lost the form. It is tried again."""
    import asyncio
    import sqlite3

    monkeypatch.setattr(intake_module, "DRAFT_DELAY", 0.001)
    monkeypatch.setattr(intake_module, "DRAFT_RETRY", 0.05)
    path = staffed_desk.store.conn.execute("PRAGMA database_list").fetchone()[2]
    monkeypatch.setattr(staffed_desk.store, "_patience_ms", 50)  # not 10 s behind the lock
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await sign_in(pilot, OFFICIAL)
            await begin_intake(pilot)
            screen = intake_screen(app)
            for _ in range(100):  # the first write fails behind the lock, and a retry is set
                await pilot.pause()
                await asyncio.sleep(0.02)
                if screen.draft_pending:
                    break
            assert screen.draft_pending and staffed_desk.load_draft() is None
            other.execute("ROLLBACK")
            for _ in range(100):
                await asyncio.sleep(0.02)
                await pilot.pause()
                await asyncio.sleep(0.02)
                if staffed_desk.load_draft() is not None:
                    break
            draft = staffed_desk.load_draft()
            assert draft is not None and draft["applicant"]["name"] == "Đặng Thị Hoà"
    finally:
        other.close()


async def test_the_one_who_typed_a_half_form_is_named_not_the_one_who_saved_before(
    app: CounterApp, staffed_desk: Desk
) -> None:
    """The changes of the form emptied by a save arrive after it was emptied: they named whoever
    saved as the one typing the next citizen's form."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = await half_intake(pilot)
        screen.field("applicant.address").focus()
        await type_text(pilot, "Thôn Đông, xã Vĩnh Bảo")
        screen.field("applicant.phone").focus()
        await type_text(pilot, "345678")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert staffed_desk.count_view("today") == 1 and not screen.is_dirty
        await pilot.press("f10")
        await settle(pilot)
        await sign_in(pilot, SUPERVISOR)  # the supervisor starts the next citizen's form
        await begin_intake(pilot)
        assert screen.typed_by == SUPERVISOR[2]
        await pilot.press("f10")
        await settle(pilot)
        await sign_in(pilot, OFFICIAL)
        said = [n for n in notifications(app) if "đang nhập dở" in n]
        assert said and f"do {SUPERVISOR[2]} nhập" in said[-1]
