"""The intake screen, driven with the keyboard: procedure by type-ahead, applicant, save, receipt."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from textual import events
from textual.worker import WorkerFailed

from counter_app.desk import Desk
from counter_app.tui.messages import ChipScanned, DossierSaved, OpenDossier
from counter_app.tui.screens.dialogs import ConfirmDialog
from counter_app.tui.screens.dossier import DossierScreen
from counter_app.tui.screens.intake import IntakeScreen
from counter_app.tui.screens.lists import ListsScreen
from counter_app.tui.widgets.checklist import COUNT_JOIN
from counter_app.tui.widgets.fields import Choice
from tests.conftest import intake

from .conftest import (
    OFFICIAL,
    SIZE,
    Seen,
    a_while_ago,
    begin_intake,
    digit_at,
    intake_screen,
    key_name,
    notifications,
    settle,
    sign_in,
    texts,
    type_text,
)

CHIP_QR = (
    "031190001234|123456789|Đặng Thị Hoà|05031990|Nữ|Thôn Đông, xã Vĩnh Bảo, thành phố Hải Phòng|01072021"
)


async def on_the_checklist(pilot) -> IntakeScreen:  # type: ignore[no-untyped-def]
    """Signed in, procedure 1.004873 chosen, the focus on its documents checklist."""
    await sign_in(pilot, OFFICIAL)
    await type_text(pilot, "4873")
    await pilot.press("enter")
    screen = intake_screen(pilot.app)
    screen.checklist.focus()
    await pilot.pause()
    return screen


async def fill_standard(pilot) -> None:  # type: ignore[no-untyped-def]
    """Procedure 1.004873 by four digits, then name, ID, phone, address with Tab."""
    await begin_intake(pilot)
    await pilot.press("tab")
    await type_text(pilot, "031190001234")
    await pilot.press("tab")
    await type_text(pilot, "0912 345 678")
    await pilot.press("tab")
    await type_text(pilot, "Thôn Đông, xã Vĩnh Bảo")


async def test_intake_saves_the_dossier_prints_the_receipt_and_clears_the_form(
    app, staffed_desk: Desk, output_dir: Path, seen: Seen
) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

        saved = seen.of(DossierSaved)
        assert len(saved) == 1
        dossier = saved[0].dossier
        assert dossier.code == "000.00.11.H26-261125-2001"
        stored = staffed_desk.get(dossier.code)
        assert stored.applicant.name == "Đặng Thị Hoà"
        assert stored.applicant.phone == "0912345678"
        assert stored.procedure_code == "1.004873"
        assert stored.documents[0].name.startswith("Tờ khai")
        assert stored.received_at.isoformat() == "2026-11-25T09:30:00+07:00"
        assert [step.actor for step in staffed_desk.history(dossier.code)] == ["Trần Văn Minh"]

        receipt = output_dir / f"receipt_{dossier.code}.pdf"
        assert receipt.exists() and receipt.read_bytes().startswith(b"%PDF")

        screen = intake_screen(app)
        assert screen.procedure is None
        assert all(f.value in ("", "1") for f in screen.fields)
        assert app.focused is screen.picker.input
        assert dossier.code in texts(app, "#last-saved")
        assert any(dossier.code in n for n in notifications(app))
        assert app.unsent == 1  # the status line counts the event waiting for the hub


async def test_the_last_saved_line_follows_a_step_taken_since(app, staffed_desk: Desk, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    """The appointment moved on the dossier screen, the intake's line still promised the old one."""
    from datetime import datetime

    from counter_app.domain.calendar import VN_TZ

    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        code = seen.of(DossierSaved)[0].dossier.code
        assert "hẹn trả 09:30 Thứ Hai" in texts(app, "#last-saved")
        await pilot.press("f4")
        await settle(pilot)
        later = datetime(2026, 12, 4, 9, 0, tzinfo=VN_TZ)
        staffed_desk.move_appointment(code, "Trần Văn Minh", new_due=later, reason="Chờ xác minh")
        await pilot.press("f3")
        await settle(pilot)
        line = texts(app, "#last-saved")
        assert "hẹn trả 09:00 Thứ Sáu" in line and code in line
        await pilot.press("f4")
        await settle(pilot)
        staffed_desk.withdraw(code, "Trần Văn Minh", reason="Công dân xin rút")
        await pilot.press("f3")
        await settle(pilot)
        line = texts(app, "#last-saved")
        assert "hẹn trả" not in line and staffed_desk.get(code).status_name in line


async def test_a_procedure_typed_over_and_not_chosen_is_not_saved_as_the_old_one(
    app, staffed_desk: Desk, seen: Seen
) -> None:  # type: ignore[no-untyped-def]
    """The official changes their mind: types another procedure over the chosen one and Tabs away.
    The head previewed the new one (its appointment, its fee) while Ctrl+S saved the old one, and
    the citizen's receipt was for a procedure the screen no longer showed."""
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        screen = intake_screen(app)
        assert screen.procedure is not None and screen.procedure.code == "1.004873"
        screen.picker.focus()
        await pilot.pause()
        await type_text(pilot, "chung thuc di chuc")
        await pilot.press("tab")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert seen.of(DossierSaved) == []
        said = " ".join(texts(app, "#procedure-error").split())
        assert said.startswith("Chưa chọn thủ tục «chung thuc di chuc»: Enter để chọn trong danh sách")
        assert app.focused is screen.picker.input
        await pilot.press("enter")  # the highlighted one of the list: now chosen
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = seen.of(DossierSaved)
        assert len(saved) == 1 and saved[0].dossier.procedure_code == "2.001019"
        assert staffed_desk.get(saved[0].dossier.code).procedure_code == "2.001019"


async def test_enter_goes_down_the_form_past_the_choices_without_changing_them(app) -> None:  # type: ignore[no-untyped-def]
    """Enter moves on from a text field; on a choice it changed the value instead ("Nhận kết quả"
    became "Trực tuyến", saved so). Space and the arrows change a choice."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        screen = intake_screen(app)
        screen.field("sets").focus()
        await pilot.pause()
        before = {c.id: c.value for c in screen.query(Choice)}
        await pilot.press("enter", "enter", "enter")
        await settle(pilot)
        assert {c.id: c.value for c in screen.query(Choice)} == before
        assert app.focused is not None and app.focused.id == "f-owner"  # sets → return → digitised → owner
        await pilot.press("space")
        assert screen.query_one("#f-owner", Choice).value == "other"


async def test_without_a_printer_how_to_set_one_is_said_once_then_saves_say_it_short(
    app, output_dir: Path, seen: Seen
) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        said: list[list[str]] = []
        for _ in range(3):
            app.clear_notifications()
            await fill_standard(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            said.append([n for n in notifications(app) if n.startswith("Đã lưu PDF")])
        codes = [saved.dossier.code for saved in seen.of(DossierSaved)]
        assert len(codes) == 3 and all((output_dir / f"receipt_{c}.pdf").exists() for c in codes)
        assert len(said[0]) == 1 and "Chưa cấu hình máy in" in said[0][0]
        for notice, code in zip(said[1:], codes[1:], strict=True):
            assert notice == [f"Đã lưu PDF: {output_dir / f'receipt_{code}.pdf'}"]


async def test_due_time_shows_as_the_procedure_is_highlighted(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await type_text(pilot, "hon nhan")
        await pilot.pause()
        # 1.004873 (3 working days) from Wed 25/11 09:30 -> Mon 30/11 09:30.
        assert "09:30 Thứ Hai 30/11/2026" in texts(app, "#procedure-info")
        await pilot.press("escape")  # closes the list, keeps the query
        await pilot.press("ctrl+u")
        await type_text(pilot, "khai sinh")
        await pilot.pause()
        # 1.001193 is same-day (cut-off 15:00): due at closing time today.
        assert "17:00 Thứ Tư 25/11/2026" in texts(app, "#procedure-info")


async def test_a_chip_id_scan_fills_the_applicant(app, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await type_text(pilot, "4873")
        await pilot.press("enter")
        screen = intake_screen(app)
        await type_text(pilot, CHIP_QR)  # the scanner types into the focused name field
        await pilot.press("enter")
        await pilot.pause()
        assert len(seen.of(ChipScanned)) == 1
        assert screen.field("applicant.name").value == "Đặng Thị Hoà"
        assert screen.field("applicant.id_number").value == "031190001234"
        assert screen.field("applicant.birth_date").value == "05/03/1990"
        assert screen.field("applicant.address").value.startswith("Thôn Đông")
        assert app.focused is screen.field("applicant.phone").input
        await type_text(pilot, "0912345678")
        await pilot.press("ctrl+s")
        await settle(pilot)
        dossier = seen.of(DossierSaved)[0].dossier
        assert dossier.applicant.birth_date == "1990-03-05"


async def test_a_chip_scan_on_another_screen_starts_an_intake(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, ListsScreen)
        await pilot.press("f2")
        await type_text(pilot, CHIP_QR)
        await pilot.press("enter")
        await settle(pilot)
        screen = intake_screen(app)
        assert screen.field("applicant.id_number").value == "031190001234"


async def test_bad_input_is_shown_inline_and_nothing_is_saved(app, staffed_desk: Desk, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("ctrl+s")  # nothing chosen, nothing typed
        await settle(pilot)
        screen = intake_screen(app)
        assert "Chưa chọn thủ tục hành chính." in texts(app, "#procedure-error")
        assert screen.field("applicant.name").error == "Chưa nhập họ và tên."
        assert app.focused is screen.picker.input

        await begin_intake(pilot)
        await pilot.press("tab")
        await type_text(pilot, "03119000123")  # 11 digits
        await pilot.press("tab")  # leaving the field checks it at once
        assert "12 chữ số" in screen.field("applicant.id_number").error
        await type_text(pilot, "12")  # no phone number anywhere has 2 digits (09123 only gets a warning)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "12 chữ số" in screen.field("applicant.id_number").error
        assert "chữ số" in screen.field("applicant.phone").error
        assert screen.field("applicant.name").error == ""
        assert app.focused is screen.field("applicant.id_number").input
        assert seen.of(DossierSaved) == []
        assert staffed_desk.count_view("today") == 0
        assert staffed_desk.unsent_events() == 0
        # What was typed is still there to correct.
        assert screen.field("applicant.name").value == "Đặng Thị Hoà"


async def test_every_wrong_field_is_marked_at_the_first_save(app, staffed_desk: Desk, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    """A wrong birth date (checked on the screen) and a wrong ID number (checked by the desk) are
    marked by one Ctrl+S, not one per round; a field fixed loses its mark and the others keep theirs."""
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot, "Mai Văn Thử")
        screen = intake_screen(app)
        screen.field("applicant.id_number").value = "12345"
        screen.field("applicant.birth_date").value = "31/02/1990"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "12 chữ số" in screen.field("applicant.id_number").error
        assert "không có trên lịch" in screen.field("applicant.birth_date").error
        screen.field("applicant.birth_date").value = "28/02/1990"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.field("applicant.birth_date").error == ""
        assert "12 chữ số" in screen.field("applicant.id_number").error
        assert seen.of(DossierSaved) == [] and staffed_desk.count_view("today") == 0


async def test_a_warning_is_shown_before_the_save_and_a_second_save_keeps_what_was_typed(
    app, staffed_desk: Desk, seen: Seen
) -> None:  # type: ignore[no-untyped-def]
    """A phone of 5 digits typed and saved at once (the field never left): the warning is shown
    under it before anything is saved; Ctrl+S again saves the dossier as typed, and the warning
    is not said a second time after the save."""
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        await pilot.press("tab")
        await type_text(pilot, "031190001234")
        await pilot.press("tab")
        await type_text(pilot, "09123")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = intake_screen(app)
        assert screen.field("applicant.phone").error.startswith("Lưu ý:")
        assert app.focused is screen.field("applicant.phone").input
        assert seen.of(DossierSaved) == [] and staffed_desk.count_view("today") == 0
        app.clear_notifications()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(seen.of(DossierSaved)) == 1
        assert staffed_desk.find("Đặng Thị Hoà")[0].phone == "09123"
        assert not [n for n in notifications(app) if n.startswith("Lưu ý")]


async def test_a_database_held_by_another_program_keeps_the_form_and_says_why(
    app, staffed_desk: Desk, db_path: Path, seen: Seen
) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        await settle(pilot)
        # Another program (a second window, the nightly sync) holds the write lock past the wait.
        app.desk.store.conn.execute("PRAGMA busy_timeout = 200")
        app.desk.store._patience_ms = 200  # the save's own wait (ten seconds) cut short
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        await pilot.press("ctrl+s")
        with pytest.raises(WorkerFailed):  # the save's worker failed; the app reports it below
            await settle(pilot)
        await settle(pilot)
        assert seen.of(DossierSaved) == []
        assert any("Chưa lưu được: một chương trình khác đang ghi" in n for n in notifications(app))
        screen = intake_screen(app)
        assert screen.field("applicant.name").value == "Đặng Thị Hoà"  # nothing to type again
        assert screen.procedure is not None

        other.execute("ROLLBACK")  # the lock is released: the same form saves
        other.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [m.dossier.code for m in seen.of(DossierSaved)] == ["000.00.11.H26-261125-2001"]
        assert staffed_desk.count_view("today") == 1


async def test_a_half_filled_form_survives_switching_screens(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, ListsScreen)
        await pilot.press("f3")
        await settle(pilot)
        screen = intake_screen(app)
        assert screen.procedure is not None and screen.procedure.code == "1.004873"
        assert screen.field("applicant.name").value == "Đặng Thị Hoà"


def screen_footer_keys(screen):  # type: ignore[no-untyped-def]
    from textual.widgets._footer import FooterKey

    return list(screen.query(FooterKey))


async def test_a_receipt_scanned_into_a_question_answers_nothing(app, staffed_desk) -> None:  # type: ignore[no-untyped-def]
    code = staffed_desk.receive(intake(), OFFICIAL[2]).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        await pilot.press("escape")
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ConfirmDialog)
        await type_text(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is question  # not answered by the scanner's Enter
        assert any("Đang mở một hộp thoại" in n for n in notifications(app))
        await pilot.press("escape")  # "Không"
        await pilot.pause()
        assert intake_screen(app).field("applicant.name").value == "Đặng Thị Hoà"


async def test_escape_asks_before_clearing_the_form(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        # The intake's own key stays out of the footer under the dialog too.
        footer_keys = {key.key for key in screen_footer_keys(app.screen_stack[0])}
        assert "f4" in footer_keys and "f3" not in footer_keys
        # A chip-ID card scanned by mistake types letters ("c", "y"...) and Enter: it answers "no".
        await type_text(pilot, "031190001234|123456789|Lý Ngọc Thủy|15061990|Nữ|Xóm Chùa, xã Yên|20042021")
        await pilot.press("enter")
        await pilot.pause()
        assert intake_screen(app).field("applicant.name").value == "Đặng Thị Hoà"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # "Không": keep typing
        await pilot.pause()
        screen = intake_screen(app)
        assert screen.field("applicant.name").value == "Đặng Thị Hoà"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("left", "enter")
        await pilot.pause()
        assert screen.field("applicant.name").value == ""
        assert screen.procedure is None
        await pilot.press("escape")  # an empty form is cleared without asking
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)


async def test_a_code_scanned_into_a_form_field_opens_the_dossier_and_keeps_the_typing(
    app, staffed_desk: Desk, seen: Seen
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import intake

    dossier = staffed_desk.receive(intake(), "Trần Văn Minh")
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot, "Nguyễn Văn A")
        await type_text(pilot, dossier.code)  # a citizen in the queue hands a receipt over
        await pilot.press("enter")
        await settle(pilot)
        assert [m.code for m in seen.of(OpenDossier)] == [dossier.code]
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert intake_screen(app).field("applicant.name").value == "Nguyễn Văn A"


async def test_documents_checklist_counts_are_saved(app, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        screen = intake_screen(app)
        checklist = screen.checklist
        checklist.focus()
        await pilot.pause()
        await pilot.press("down", "space")  # tick the second paper (1 original by the catalog)
        await pilot.press("right", "right", "right", "2")  # and two certified copies of it
        await pilot.press("ctrl+s")
        await settle(pilot)
        docs = seen.of(DossierSaved)[0].dossier.documents
        assert len(docs) == 2
        assert (docs[1].originals, docs[1].certified, docs[1].copies) == (1, 2, 0)


async def test_enter_in_the_checklist_goes_on_and_leaves_the_ticks_as_they_are(app) -> None:  # type: ignore[no-untyped-def]
    """Enter moves on in every field of the form; in the checklist it unticked the paper under the
    cursor, which then went unrecorded."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        checklist = intake_screen(app).checklist
        checklist.focus()
        await pilot.pause()
        ticked = [p.checked for p in checklist.papers]
        assert any(ticked)
        await pilot.press("enter")
        await pilot.pause()
        assert [p.checked for p in checklist.papers] == ticked
        assert app.focused is not checklist


async def test_a_paper_only_shown_is_ticked_with_no_copy(app, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        checklist = intake_screen(app).checklist
        checklist.focus()
        await pilot.pause()
        await pilot.press("down", "down", "x")  # the divorce ruling: shown, not handed in
        paper = checklist.papers[2]
        assert paper.checked and paper.shown_only and paper.total == 0
        row = texts(app, "#checklist").splitlines()[3]
        assert row.startswith(" [x]  Thông tin bản án") and row.split()[-3:] == ["XT", "·", "·"]
        assert "(chỉ xuất trình)" in texts(app, "#checklist-hint").replace("\n", " ")
        await pilot.press("up", "x")  # a paper with a copy by the catalog becomes shown only too
        assert checklist.papers[1].shown_only
        await pilot.press("x")  # and x again: not received
        assert not checklist.papers[1].checked
        await pilot.press("ctrl+s")
        await settle(pilot)
        docs = seen.of(DossierSaved)[0].dossier.documents
        assert [(d.originals, d.certified, d.copies) for d in docs] == [(1, 0, 0), (0, 0, 0)]
        assert docs[1].name.startswith("Thông tin bản án")


async def test_an_organisation_with_its_representative_and_another_owner(
    app, staffed_desk: Desk, seen: Seen
) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot, "Hợp tác xã Nông nghiệp Đông Hưng")
        screen = intake_screen(app)
        await pilot.press("tab")
        await type_text(pilot, "0201234567")  # a tax code typed while the applicant is a person
        await pilot.press("tab")
        assert "12 chữ số" in screen.field("applicant.id_number").error
        assert not screen.field("applicant.representative").display  # a person has none

        await pilot.press("shift+tab", "shift+tab", "shift+tab")  # back up to "Người nộp là"
        assert app.focused is screen.query_one("#f-kind", Choice)
        await pilot.press("right")  # Cá nhân -> Tổ chức
        await pilot.pause()
        assert screen.kind == "organisation"
        assert screen.field("applicant.name").label == "Tên tổ chức"
        assert screen.field("applicant.id_number").error == ""  # a tax code is right for a body
        assert not screen.field("applicant.birth_date").display
        await pilot.press("tab", "tab", "tab")  # name, tax code, then the representative
        assert app.focused is screen.field("applicant.representative").input
        await type_text(pilot, "Lê Văn Ước")
        await pilot.press("tab")
        await type_text(pilot, "0225 3888 999")

        owner = screen.query_one("#f-owner", Choice)
        assert not screen.field("owner.name").display
        owner.focus()
        await pilot.press("space")  # Là người nộp -> Người khác
        await pilot.press("tab")
        assert app.focused is screen.field("owner.name").input
        await type_text(pilot, "Đỗ Thị Hằng")
        await pilot.press("tab")
        await type_text(pilot, "031190001299")
        await pilot.press("ctrl+s")
        await settle(pilot)

        saved = seen.of(DossierSaved)
        assert len(saved) == 1
        stored = staffed_desk.get(saved[0].dossier.code)
        assert stored.applicant.kind == "organisation"
        assert stored.applicant.name == "Hợp tác xã Nông nghiệp Đông Hưng"
        assert stored.applicant.id_number == "0201234567"
        assert stored.applicant.representative == "Lê Văn Ước"
        assert stored.owner is not None and stored.owner.name == "Đỗ Thị Hằng"
        assert stored.owner.id_number == "031190001299"
        # The next citizen starts as a person with no other owner.
        assert screen.kind == "person" and not screen.has_owner
        assert screen.field("applicant.name").label == "Họ và tên"


async def test_an_owner_chosen_but_not_named_is_asked_for(app, staffed_desk: Desk, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        screen = intake_screen(app)
        screen.query_one("#f-owner", Choice).focus()
        await pilot.press("space")
        await pilot.press("tab")
        await type_text(pilot, "")
        await pilot.press("tab")
        await type_text(pilot, "12345")  # a wrong ID for the owner, shown when the field is left
        await pilot.press("tab")
        assert "12 chữ số" in screen.field("owner.id_number").error
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert seen.of(DossierSaved) == []
        assert screen.field("owner.name").error  # the owner's name is needed
        assert app.focused is screen.field("owner.name").input
        assert staffed_desk.count_view("today") == 0


async def test_an_owner_chosen_and_left_blank_is_asked_for(app, staffed_desk: Desk, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    """ "Người khác" chosen and nothing typed for the owner saved the dossier with no owner at all."""
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        screen = intake_screen(app)
        screen.query_one("#f-owner", Choice).focus()
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert seen.of(DossierSaved) == []
        assert screen.field("owner.name").error
        assert staffed_desk.count_view("today") == 0


async def test_a_chip_scanned_into_the_owner_fields_fills_the_owner(app, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    """The submitter was typed; the owner's card, scanned with the cursor in the owner's name,
    fills the owner and leaves the submitter alone. For an organisation a card is its
    representative's."""
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        screen = intake_screen(app)
        screen.query_one("#f-owner", Choice).focus()
        await pilot.press("space", "tab")
        assert app.focused is screen.field("owner.name").input
        owner_card = CHIP_QR.replace("031190001234", "031190005678").replace("Đặng Thị Hoà", "Phạm Văn Tư")
        await type_text(pilot, owner_card)
        await pilot.press("enter")
        await pilot.pause()
        assert seen.of(ChipScanned)[-1].field == "owner.name"
        assert screen.field("owner.name").value == "Phạm Văn Tư"
        assert screen.field("owner.id_number").value == "031190005678"
        assert screen.field("owner.address").value.startswith("Thôn Đông")
        assert screen.field("applicant.name").value == "Đặng Thị Hoà"  # the submitter is unchanged

        screen.query_one("#f-kind", Choice).value = "organisation"
        await pilot.pause()
        screen.field("applicant.phone").focus()
        await type_text(pilot, CHIP_QR)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.field("applicant.representative").value == "Đặng Thị Hoà"
        assert screen.field("applicant.phone").value == "0912 345 678"  # what was typed stays


async def test_the_fields_a_procedure_requires_are_starred_and_asked_for(
    app, staffed_desk: Desk, seen: Seen
) -> None:  # type: ignore[no-untyped-def]
    from counter_app.domain.procedures import catalog_to_json

    data = catalog_to_json(staffed_desk.catalog)
    entry = next(p for p in data["procedures"] if p["code"] == "1.004873")
    entry["required_fields"] = ["name", "id_number", "phone", "birth_date"]
    data["version"] = "9999.1"
    staffed_desk.import_catalog(data)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = intake_screen(app)

        def starred(party: str = "applicant") -> set[str]:
            return {
                f.key
                for f in screen.fields
                if f.key.startswith(party + ".") and str(f.query_one(".field-label").render()).endswith("*")
            }

        # Before a procedure: what the desk asks for then, the name and the ID number.
        assert starred() == {"applicant.name", "applicant.id_number"}
        assert starred("owner") == {"owner.name"}  # asked for whenever the owner is someone else
        await begin_intake(pilot)
        assert starred() == {f"applicant.{k}" for k in ("name", "id_number", "phone", "birth_date")}
        await pilot.press("tab")
        await type_text(pilot, "031190001234")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not seen.of(DossierSaved)
        assert "điện thoại" in screen.field("applicant.phone").error.lower()
        assert "ngày sinh" in screen.field("applicant.birth_date").error
        screen.query_one("#f-kind", Choice).value = "organisation"
        await pilot.pause()
        assert starred() == {"applicant.name", "applicant.phone", "applicant.representative"}  # no birth date


async def test_a_scan_while_a_count_is_selected_leaves_the_counts_and_fills_the_form(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await type_text(pilot, "4873")
        await pilot.press("enter")
        screen = intake_screen(app)
        checklist = screen.checklist
        checklist.focus()
        await pilot.pause()
        await pilot.press("right", "right", "right")  # on the "certified copies" count
        start = a_while_ago()
        await digit_at(pilot, "2", start)  # a hand sets a count...
        assert checklist.papers[0].certified == 2
        await digit_at(pilot, "0", start + 0.1)  # a hand's pace between two keys
        assert checklist.papers[0].certified == 20  # ...of two digits
        before = [(p.checked, p.originals, p.certified, p.copies) for p in checklist.papers]
        # ...a chip-ID card scanned here (digits first, as fast as a scanner) sets none.
        await type_text(pilot, "031190001234|123456789|Lý Thị Xuân|15061990|Nữ|Xóm Chùa, xã Yên|20042021")
        await pilot.press("enter")
        await settle(pilot)
        assert [(p.checked, p.originals, p.certified, p.copies) for p in checklist.papers] == before
        assert screen.field("applicant.name").value == "Lý Thị Xuân"
        assert screen.field("applicant.id_number").value == "031190001234"


@pytest.mark.parametrize("chunk", [3, 4])
async def test_a_chip_card_scanned_at_a_scanner_s_pace_over_the_checklist_keeps_its_digits_in_order(  # type: ignore[no-untyped-def]
    app, chunk: int
) -> None:
    # The terminal hands the app a few keys at a time: some reach the checklist while it still
    # handles earlier ones. The ID number came out shuffled ("030119001234"), or went missing, when
    # the focus moved to the scan box in the middle of the burst.
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_the_checklist(pilot)
        before = [(p.checked, p.originals, p.certified, p.copies) for p in screen.checklist.papers]
        start = a_while_ago()
        for i, character in enumerate(CHIP_QR, 1):
            key = events.Key(key_name(character), character)
            key.time = start + i * 0.002  # a scanner's pace, whatever the machine's load delays
            app.post_message(key)
            if i % chunk == 0:
                await asyncio.sleep(0.001)
        app.post_message(events.Key("enter", None))
        await settle(pilot)
        assert screen.field("applicant.id_number").value == "031190001234"
        assert screen.field("applicant.name").value == "Đặng Thị Hoà"
        assert screen.field("applicant.address").value.startswith("Thôn Đông")
        assert [(p.checked, p.originals, p.certified, p.copies) for p in screen.checklist.papers] == before
        assert screen.scan_input.value == ""


async def test_a_scan_without_enter_over_the_checklist_lands_in_the_scan_box(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_the_checklist(pilot)
        await type_text(pilot, "000.00.11.H26-261125-2001")  # a scanner set up to send no Enter
        await pilot.pause(0.5)
        assert screen.scan_input.value == "000.00.11.H26-261125-2001"
        assert app.focused is screen.scan_input
        assert all(p.total == 0 or p.originals == 1 for p in screen.checklist.papers)


async def test_escape_on_the_procedure_list_takes_back_the_preview(app) -> None:  # type: ignore[no-untyped-def]
    # The list closed, but the highlighted procedure's due time stayed, as if it had been chosen.
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await type_text(pilot, "ket hon")
        await settle(pilot)
        assert "Hẹn trả" in texts(app, "#procedure-info")
        await pilot.press("escape")
        await settle(pilot)
        screen = intake_screen(app)
        assert screen.procedure is None
        assert "Hẹn trả" not in texts(app, "#procedure-info")
        assert "Chọn thủ tục" in texts(app, "#procedure-info")
        # Enter on the text left shows the list again (it said nothing matched), a second one chooses.
        await pilot.press("enter")
        await settle(pilot)
        assert screen.picker.is_open and not any("Không có thủ tục" in n for n in notifications(app))
        await pilot.press("enter")
        await settle(pilot)
        assert screen.procedure is not None and screen.procedure.name == "Thủ tục đăng ký kết hôn"


async def test_escape_on_an_untouched_form_takes_away_the_messages_of_a_save_tried_on_it(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = intake_screen(app)
        assert "Chưa nhập họ và tên" in texts(app, ".field-error")
        await pilot.press("escape")
        await settle(pilot)
        assert texts(app, ".field-error").strip() == ""
        assert not isinstance(app.screen, ConfirmDialog)  # nothing typed: nothing to ask
        assert app.focused is screen.picker.input


async def on_a_procedure_with_a_fee(pilot) -> IntakeScreen:  # type: ignore[no-untyped-def]
    """Signed in, procedure 1.004222 (20.000 đồng) chosen by four of its digits."""
    await sign_in(pilot, OFFICIAL)
    await type_text(pilot, "4222")
    await pilot.press("enter")
    await settle(pilot)
    return intake_screen(pilot.app)


async def test_the_fee_is_written_with_thousands_dots_and_saved_as_its_amount(app, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        screen = await on_a_procedure_with_a_fee(pilot)
        assert screen.field("fee").value == "20.000"
        await type_text(pilot, "Đặng Thị Hoà")
        screen.field("applicant.id_number").value = "031190001234"
        screen.field("applicant.phone").value = "0912345678"
        screen.field("applicant.address").value = "Thôn Đông, xã Vĩnh Bảo"
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = seen.of(DossierSaved)
        assert saved and saved[0].dossier.fee_amount == 20000


async def test_papers_digitised_at_the_counter_are_recorded_and_kept_in_the_draft(app, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    """Số hóa (Decree 118/2025): chosen with Space, it survives a switch of screens, is saved
    with the dossier, shown on its screen, and the form for the next citizen starts unticked."""
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        screen = intake_screen(app)
        choice = screen.query_one("#f-digitised", Choice)
        choice.focus()
        await pilot.press("space")
        assert choice.value == "yes"
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        screen = intake_screen(app)
        assert screen.query_one("#f-digitised", Choice).value == "yes"
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = seen.of(DossierSaved)
        assert saved and saved[0].dossier.digitised
        assert app.desk.get(saved[0].dossier.code).digitised
        assert screen.query_one("#f-digitised", Choice).value == "no"
        app.post_message(OpenDossier(saved[0].dossier.code))
        await settle(pilot)
        assert "Đã số hóa khi tiếp nhận" in texts(app, "#dossier-facts")


async def test_a_fee_typed_wrong_or_emptied_is_refused_saying_how_to_write_it(app, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    """ "2.500.00" (a zero missed) was saved as 250.000, and a fee emptied to waive it saved the
    catalog's amount: the receipt then asks the citizen for money nobody meant."""
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        screen = await on_a_procedure_with_a_fee(pilot)
        await type_text(pilot, "Đặng Thị Hoà")
        screen.field("applicant.id_number").value = "031190001234"
        fee = screen.field("fee")
        for typed, said in (("2.500.00", "viết sai nhóm số"), ("", "gõ số đồng phải nộp, hoặc 0")):
            fee.value = typed
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert said in fee.error and not seen.of(DossierSaved)
            assert app.focused is fee.input
        await type_text(pilot, "2,500,000đ")
        await pilot.press("tab")  # left, the field says what it will save
        await settle(pilot)
        assert fee.value == "2.500.000" and fee.error == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = seen.of(DossierSaved)
        assert saved and saved[0].dossier.fee_amount == 2_500_000


async def test_fields_filled_from_a_card_show_the_start_of_their_text(app) -> None:  # type: ignore[no-untyped-def]
    # Scanned with the focus elsewhere, the address showed its end ("g, xã Vĩnh Bảo…").
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_the_checklist(pilot)
        await type_text(pilot, CHIP_QR)
        await pilot.press("enter")
        await settle(pilot)
        address = screen.field("applicant.address")
        assert address.value.startswith("Thôn Đông")
        assert address.input is not app.focused
        assert address.input.cursor_position == 0 and address.input.scroll_x == 0
        address.input.focus()  # the official goes on typing at its end
        await pilot.pause()
        assert address.input.cursor_position == len(address.value)
        await type_text(pilot, " (gần chợ)")
        assert address.value.endswith("thành phố Hải Phòng (gần chợ)")


async def test_shift_tab_from_the_first_applicant_row_goes_back_to_the_procedure(app) -> None:  # type: ignore[no-untyped-def]
    # The scrolling column around the applicant's fields took a Tab stop of its own, where
    # typing went nowhere.
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        screen = intake_screen(app)
        screen.query_one("#f-kind", Choice).focus()
        await pilot.pause()
        await pilot.press("shift+tab")
        await pilot.pause()
        assert app.focused is screen.picker.input


async def test_editing_keys_in_a_burst_keep_their_order(app) -> None:  # type: ignore[no-untyped-def]
    """Backspace and Ctrl+U are bindings in Textual, run after the characters typed behind them when
    keys come faster than the app takes them (key repeat, a macro, a remote session): Backspace ×8
    then "2.500.000" left "50.0002" in the fee."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_a_procedure_with_a_fee(pilot)
        fee = screen.field("fee")
        fee.focus()
        await pilot.pause()
        for key in ["backspace"] * 8:
            app.post_message(events.Key(key, None))
        await type_text(pilot, "2.500.000")
        assert fee.value == "2.500.000"
        app.post_message(events.Key("ctrl+u", None))
        await type_text(pilot, "75.000")
        for key in ("left", "left", "left", "backspace"):
            app.post_message(events.Key(key, None))
        await type_text(pilot, "1")
        assert fee.value == "751000"  # the dot after "75" deleted, then "1" typed in its place


async def test_text_typed_past_a_field_s_limit_is_said_to_be_left_out(app) -> None:  # type: ignore[no-untyped-def]
    """Keys past the limit are dropped, those before it kept: the message said the whole paste was
    refused, and an official who believed it typed the name after 1,000 characters of junk."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot, "")
        await settle(pilot)
        name = intake_screen(app).field("applicant.name")
        limit = name.input.max_length
        assert limit
        await type_text(pilot, "Nguyễn " * (limit // 7 + 2))
        assert len(name.value) == limit
        assert "phần gõ thêm không được nhận" in name.error and "vừa dán" not in name.error


async def test_a_late_chosen_procedure_does_not_move_the_focus_mid_scan(app) -> None:  # type: ignore[no-untyped-def]
    """Enter pressed twice on the procedure chose it a second time after the first moved on: it
    took the focus from the name to the ID number in the middle of a chip-ID card's text."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot, "")
        await settle(pilot)
        screen = intake_screen(app)
        name = screen.field("applicant.name")
        assert app.focused is name.input
        await type_text(pilot, "0311900")  # the start of a card's text
        screen.picker.submit(screen.picker.input.value)  # Enter again on the chosen procedure
        await settle(pilot)
        assert app.focused is name.input and name.value == "0311900"


async def test_two_digits_typed_on_a_count_make_a_two_digit_count(app) -> None:  # type: ignore[no-untyped-def]
    """Twelve originals: "1" then "2" at a hand's pace (a count was one digit, 12 took "+" ×11);
    a digit typed later replaces the count."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_the_checklist(pilot)
        paper = screen.checklist.papers[screen.checklist.cursor_row]
        start = a_while_ago()
        await digit_at(pilot, "1", start)
        await digit_at(pilot, "2", start + 0.1)  # slower than a scanner, as a hand types
        assert paper.originals == 12 and paper.checked
        await digit_at(pilot, "3", start + 0.1 + COUNT_JOIN + 0.1)
        assert paper.originals == 3


async def test_keys_typed_while_a_save_waits_are_not_lost_in_a_cleared_form(
    app, staffed_desk: Desk, db_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Another program holds the write lock: the save waits (up to ten seconds). The screen says it
    is saving, and what the official types meanwhile does not go into the form the save clears."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        screen = intake_screen(app)
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("ctrl+s")
            for _ in range(100):  # the worker has reached the lock (a loaded machine is slow)
                await pilot.pause(0.05)
                if screen.saving:
                    break
            assert screen.saving and "Đang lưu hồ sơ" in texts(app, "#last-saved")
            address = screen.field("applicant.address")
            before = address.value
            await type_text(pilot, " số 5")
            assert address.value == before
            assert any("Đang lưu hồ sơ, chờ giây lát" in n for n in notifications(app))
        finally:
            holder.execute("COMMIT")
            holder.close()
        await settle(pilot)
        assert not screen.saving and screen.field("applicant.name").value == ""
        saved = staffed_desk.find("Đặng Thị Hoà")
        stored = staffed_desk.get(saved[0].code)
        assert len(saved) == 1 and stored is not None and stored.applicant.address == "Thôn Đông, xã Vĩnh Bảo"
        assert "Đã lưu" in texts(app, "#last-saved") and saved[0].code in texts(app, "#last-saved")


async def test_keys_typed_straight_after_enter_on_the_procedure_go_to_the_next_fields(app) -> None:  # type: ignore[no-untyped-def]
    """A quick official types the procedure, Enter, the name, Tab, the ID number… without a pause:
    the keys after Enter reached the picker before the choice had moved the focus (the name was
    lost, or un-chose the procedure, and every later field got the one before's text)."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        for character in "khai tu":
            pilot.app.post_message(events.Key(key_name(character), character))
        pilot.app.post_message(events.Key("enter", "\r"))
        for part in ("Trần Thị Bích", "tab", "031090000102", "tab", "0912000102"):
            if part == "tab":
                pilot.app.post_message(events.Key("tab", None))
            else:
                for character in part:
                    pilot.app.post_message(events.Key(key_name(character), character))
        await settle(pilot)
        screen = intake_screen(app)
        assert screen.procedure is not None and screen.procedure.code == "1.000656"
        assert screen.field("applicant.name").value == "Trần Thị Bích"
        assert screen.field("applicant.id_number").value == "031090000102"
        assert screen.field("applicant.phone").value == "0912000102"


async def test_the_next_citizen_s_procedure_typed_and_entered_in_one_burst_is_chosen(app, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    """Two citizens in a row for the same procedure: the second time the official types "4873"
    and Enter without a pause, the procedure is chosen and the name goes to the name field (the
    picker remembered it had listed "4873" for the first citizen and only showed the list)."""
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(seen.of(DossierSaved)) == 1
        screen = intake_screen(app)
        assert screen.procedure is None
        for character in "4873":
            pilot.app.post_message(events.Key(key_name(character), character))
        pilot.app.post_message(events.Key("enter", "\r"))
        for character in "Lê Văn Nam":
            pilot.app.post_message(events.Key(key_name(character), character))
        await settle(pilot)
        assert screen.procedure is not None and screen.procedure.code == "1.004873"
        assert screen.field("applicant.name").value == "Lê Văn Nam"


async def test_the_notices_of_the_last_save_go_when_the_next_citizen_s_procedure_is_chosen(
    app, seen: Seen
) -> None:  # type: ignore[no-untyped-def]
    """At 80x24 the notices of a save (its code and due time, where the receipt went) covered the
    documents checklist of the next citizen's procedure for their whole time on screen. They are
    read by then (the status line keeps the last save): choosing the next procedure takes them
    away, as opening a dialog does."""
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await fill_standard(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(seen.of(DossierSaved)) == 1 and notifications(app)
        await type_text(pilot, "khai tu")
        assert notifications(app)  # still there while the official only types
        await pilot.press("enter")
        await settle(pilot)
        assert intake_screen(app).procedure is not None and notifications(app) == []
