"""What a new official's first tour of the intake found: a second person's card mixed into the form, the
rating and checklist keys not doing what their hints say, the focus left in the scan box, names cut
without a mark, and a hint left over from the last dossier."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from counter_app.desk import Desk
from counter_app.tui.app import CounterApp
from counter_app.tui.messages import DossierSaved
from counter_app.tui.screens.dialogs import RATING_HINT, ConfirmDialog, PrintDialog, RatingLevels, StepDialog
from counter_app.tui.screens.dossier import DossierScreen
from counter_app.tui.screens.intake import CHECKLIST_HINT
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
    notifications,
    settle,
    sign_in,
    texts,
    type_text,
)

MAI = "031190001111|123456789|Trần Thị Mai|05031990|Nữ|Thôn Đông, xã Vĩnh Bảo, thành phố Hải Phòng|01072021"
AN = "031185002222||Nguyễn Văn An|01021985|Nam|Thôn Tây, xã Vĩnh Bảo, thành phố Hải Phòng|01072021"
WIDE = (160, 48)


async def scan(pilot: Pilot[Any], text: str) -> None:
    """A scanner: the whole text, then Enter, into whatever has the focus."""
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


async def mai_with_her_phone(pilot: Pilot[Any]) -> None:
    """Procedure 1.004873, Mai's card scanned into the name, her phone typed after it."""
    await type_text(pilot, "4873")
    await pilot.press("enter")
    await scan(pilot, MAI)
    await type_text(pilot, "0911222333")  # the focus went on to the phone
    await pilot.pause()


# -- 1. a second person's card -----------------------------------------------------------------------


async def test_another_persons_card_asks_and_replaces_the_whole_applicant(
    app: CounterApp, seen: Seen
) -> None:
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await mai_with_her_phone(pilot)
        screen = intake_screen(app)
        assert screen.field("applicant.phone").value == "0911222333"
        screen.field("applicant.email").value = "mai@example.vn"
        screen.query_one("#f-return", Choice).value = "post"
        screen.query_one("#f-owner", Choice).value = "other"
        screen.field("owner.name").value = "Trần Văn Tư"
        checklist = screen.checklist
        checklist.papers[1].checked = True  # a paper handed in with the dossier
        papers = checklist.state()

        await pilot.press("f4")  # the tour's path: another screen, then An's card
        await settle(pilot)
        assert isinstance(app.screen, ListsScreen)
        await pilot.press("f2")
        await scan(pilot, AN)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "Nguyễn Văn An" in dialog.question and "Trần Thị Mai" in dialog.question
        # Nothing is mixed while the question is open.
        assert screen.field("applicant.name").value == "Trần Thị Mai"

        await pilot.press("left", "enter")  # "Thay người nộp"
        await settle(pilot)
        assert intake_screen(app) is screen
        assert screen.field("applicant.name").value == "Nguyễn Văn An"
        assert screen.field("applicant.id_number").value == "031185002222"
        assert screen.field("applicant.birth_date").value == "01/02/1985"
        assert screen.field("applicant.address").value.startswith("Thôn Tây")
        # Mai's own data goes with her: contact, the owner she submitted for, her way of receiving.
        assert screen.field("applicant.phone").value == ""
        assert screen.field("applicant.email").value == ""
        assert not screen.has_owner and screen.field("owner.name").value == ""
        assert screen.query_one("#f-return", Choice).value == "counter"
        # The dossier's procedure and papers stay.
        assert screen.procedure is not None and screen.procedure.code == "1.004873"
        assert checklist.state() == papers
        assert app.focused is screen.field("applicant.phone").input

        await type_text(pilot, "0987654321")
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = seen.of(DossierSaved)[0].dossier
        assert (saved.applicant.name, saved.applicant.phone) == ("Nguyễn Văn An", "0987654321")
        assert saved.owner is None


async def test_the_question_keeps_the_applicant_unless_yes_is_pressed(app: CounterApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await mai_with_her_phone(pilot)
        screen = intake_screen(app)
        screen.field("applicant.address").focus()
        await scan(pilot, AN)
        assert isinstance(app.screen, ConfirmDialog)
        await type_text(pilot, "y")  # no letter answers yes
        await pilot.press("enter")  # the focus starts on "no"
        await settle(pilot)
        assert app.screen is screen
        assert screen.field("applicant.name").value == "Trần Thị Mai"
        assert screen.field("applicant.id_number").value == "031190001111"
        assert screen.field("applicant.phone").value == "0911222333"
        assert screen.field("applicant.address").value.startswith("Thôn Đông")


async def test_the_same_persons_card_or_an_empty_form_just_fills(app: CounterApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await mai_with_her_phone(pilot)
        screen = intake_screen(app)
        screen.field("applicant.name").focus()
        await scan(pilot, MAI)  # her card again
        assert app.screen is screen
        assert screen.field("applicant.phone").value == "0911222333"

        # Her ID typed with spaces, or her old CMND number, is her too.
        screen.field("applicant.id_number").value = "123 456 789"
        screen.field("applicant.name").focus()
        await scan(pilot, MAI)
        assert app.screen is screen
        assert screen.field("applicant.id_number").value == "031190001111"

        # No ID yet: a name typed differently (no accents) is the same person, another name is not.
        screen.field("applicant.id_number").value = ""
        screen.field("applicant.name").value = "tran thi mai"
        await scan(pilot, MAI)
        assert app.screen is screen and screen.field("applicant.name").value == "Trần Thị Mai"
        screen.field("applicant.id_number").value = ""
        screen.field("applicant.name").value = "Lê Thị Hồng"
        await scan(pilot, MAI)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await settle(pilot)

        # A phone typed before any name is the card holder's: kept.
        screen.clear_form()
        await type_text(pilot, "4873")
        await pilot.press("enter")
        screen.field("applicant.phone").value = "0911222333"
        screen.field("applicant.name").focus()
        await scan(pilot, AN)
        assert app.screen is screen
        assert screen.field("applicant.name").value == "Nguyễn Văn An"
        assert screen.field("applicant.phone").value == "0911222333"


# -- 2. the rating dialog ------------------------------------------------------------------------------


async def test_the_rating_keys_do_what_the_hint_says(app: CounterApp, staffed_desk: Desk) -> None:
    code = staffed_desk.receive(intake(), OFFICIAL[2]).code
    staffed_desk.refuse(code, OFFICIAL[2], reason="Hồ sơ không thuộc thẩm quyền")  # closed: rated next
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f2")
        await scan(pilot, code)
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("g")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StepDialog)
        hint = " ".join(texts(app, ".dialog-subtitle").split())
        assert RATING_HINT in hint and "rồi Enter" in hint
        # Exactly what the hint says: a digit (a second one corrects it), then Enter, then the comment.
        await pilot.press("5")
        await pilot.press("4")
        assert dialog.focused is dialog.query_one("#step-level")
        await pilot.press("enter")
        assert dialog.focused is dialog.query_one("#step-comment-input")
        await type_text(pilot, "Cán bộ hướng dẫn tận tình")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        rating = staffed_desk.get(code).rating
        assert rating is not None
        assert (rating.level, rating.comment, rating.rater) == (4, "Cán bộ hướng dẫn tận tình", "")


async def test_a_receipt_scanned_into_the_rating_or_print_dialog_chooses_nothing(
    app: CounterApp, staffed_desk: Desk, output_dir: Any
) -> None:
    """A scanner types a code and Enter into whatever has focus: on the rating levels its digits
    picked "1 Rất không hài lòng" and the rest became the comment; on the forms its Enter printed.
    Now the dialog stays as it was and the app says to close it first."""
    code = staffed_desk.receive(intake(), OFFICIAL[2]).code
    other = staffed_desk.receive(intake(), OFFICIAL[2]).code
    staffed_desk.refuse(code, OFFICIAL[2], reason="Hồ sơ không thuộc thẩm quyền")
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f2")
        await scan(pilot, code)
        await pilot.press("g")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StepDialog)
        levels = dialog.query_one("#step-level", RatingLevels)
        await scan(pilot, other)
        assert app.screen is dialog and levels.highlighted is None
        assert dialog.query_one("#step-comment-input", Input).value == ""
        assert any("Đang mở một hộp thoại" in n for n in notifications(app))
        await pilot.press("enter")  # the Enter an official presses to be rid of it: still nothing
        await settle(pilot)
        assert app.screen is dialog and staffed_desk.get(code).rating is None
        await pilot.press("escape")
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, PrintDialog)
        await scan(pilot, other)
        assert isinstance(app.screen, PrintDialog) and list(output_dir.iterdir()) == []
        await pilot.press("enter")  # a person's Enter prints the highlighted form
        await settle(pilot)
        # The form highlighted first: the refusal, the paper the last step gives the citizen.
        assert [p.name for p in output_dir.iterdir()] == [f"refusal_{code}.pdf"]


# -- 3. a digit in the checklist -----------------------------------------------------------------------


async def tab_into_the_checklist(pilot: Pilot[Any]) -> DataTable[Any]:
    screen = intake_screen(pilot.app)  # type: ignore[arg-type]
    screen.query_one("#f-owner", Choice).focus()
    await pilot.press("tab")
    assert pilot.app.focused is screen.checklist
    assert screen.checklist.cursor_coordinate.column == 0  # on the tick
    return screen.checklist


async def test_a_digit_on_the_tick_or_the_name_sets_the_originals(app: CounterApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        screen = intake_screen(app)
        checklist = await tab_into_the_checklist(pilot)
        start = a_while_ago()
        await pilot.press("down")
        await digit_at(pilot, "2", start)
        paper = screen.checklist.papers[1]
        assert (paper.checked, paper.originals) == (True, 2)
        assert app.focused is checklist
        assert screen.scan_input.value == ""
        await pilot.press("right")
        await digit_at(pilot, "3", start + 0.1)  # on the name, at a hand's pace
        assert paper.originals == 3 and app.focused is checklist
        await pilot.press("down", "down", "left")
        await digit_at(pilot, "1", start + 0.2)  # a paper not needed by the catalog: ticked
        third = screen.checklist.papers[3]
        assert (third.checked, third.originals) == (True, 1)
        await digit_at(pilot, "0", start + 0.3)  # a second digit at a hand's pace: ten
        assert (third.checked, third.originals) == (True, 10)
        await digit_at(pilot, "0", start + 0.3 + COUNT_JOIN + 0.1)  # a digit of its own: none after all
        assert (third.checked, third.originals) == (False, 0)
        assert app.focused is checklist and screen.scan_input.value == ""


async def test_a_scan_on_the_tick_column_still_reaches_the_scan_box(
    app: CounterApp, staffed_desk: Desk
) -> None:
    code = staffed_desk.receive(intake(), OFFICIAL[2]).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        screen = intake_screen(app)
        await tab_into_the_checklist(pilot)
        before = screen.checklist.state()
        await scan(pilot, code)  # a receipt handed over while the cursor is on a tick
        assert isinstance(app.screen, DossierScreen) and app.screen.dossier.code == code
        assert screen.checklist.state() == before  # its first digit set no count


# -- 4. the focus when the intake shows again ------------------------------------------------------------


async def test_back_from_a_dossier_opened_with_f2_the_focus_is_in_the_form(
    app: CounterApp, staffed_desk: Desk
) -> None:
    code = staffed_desk.receive(intake(), OFFICIAL[2]).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        screen = intake_screen(app)
        await pilot.press("f2")
        await scan(pilot, code)
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert app.focused is screen.picker.input  # an empty form: the procedure
        await type_text(pilot, "4873")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.procedure is not None and screen.procedure.code == "1.004873"
        assert screen.scan_input.value == ""

        # Half typed, the address field had the focus: it gets it back, through F4 and F3 too.
        await type_text(pilot, "Đặng Thị Hoà")
        screen.field("applicant.address").focus()
        await pilot.pause()
        await pilot.press("f2")
        await scan(pilot, code)
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert intake_screen(app) is screen
        assert app.focused is screen.field("applicant.address").input
        await type_text(pilot, "Thôn Đông")
        assert screen.field("applicant.address").value == "Thôn Đông"
        assert screen.scan_input.value == ""


async def test_a_code_scanned_over_the_checklist_gives_the_checklist_its_focus_back(
    app: CounterApp, staffed_desk: Desk
) -> None:
    code = staffed_desk.receive(intake(), OFFICIAL[2]).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        checklist = await tab_into_the_checklist(pilot)
        await scan(pilot, code)
        assert isinstance(app.screen, DossierScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is checklist


# -- 5. cut text ends with "…" ---------------------------------------------------------------------------


async def test_cut_names_end_with_an_ellipsis_and_the_highlighted_one_reads_in_full(app: CounterApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await type_text(pilot, "2.000884")  # a procedure whose name is three lines long
        await pilot.press("enter")
        await settle(pilot)
        screen = intake_screen(app)
        assert screen.procedure is not None
        picker_line = texts(app, "#procedure-input")
        assert picker_line.startswith("2.000884 · Chứng thực chữ ký") and picker_line.endswith("…")
        assert len(picker_line) == screen.picker.input.scrollable_content_region.width
        assert str(screen.picker.input.tooltip) == f"2.000884 · {screen.procedure.name}"

        await type_text(pilot, "Đặng Thị Hoà")
        screen.picker.focus()  # back on the picker: still marked as cut
        await pilot.pause()
        assert app.focused is screen.picker.input
        assert texts(app, "#procedure-input").endswith("…")

        screen.clear_form()
        await type_text(pilot, "khai sinh")
        await pilot.press("enter")
        await settle(pilot)
        rows = texts(app, "#checklist").splitlines()[1:]
        names = [paper.name for paper in screen.checklist.papers]
        assert "Tờ khai đăng ký" in rows[0] and "…" in rows[0]  # was "Tờ khai đăng ký kha"
        for row, name in zip(rows, names, strict=False):
            assert name in row or "…" in row  # never cut without the mark
        checklist = await tab_into_the_checklist(pilot)
        await pilot.press("down", "down")
        hint = " ".join(texts(app, "#checklist-hint").split())
        assert hint.startswith(f"3. {names[2]}")
        assert app.focused is checklist


async def test_a_wide_terminal_shows_every_paper_name_in_full(app: CounterApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await type_text(pilot, "khai sinh")
        await pilot.press("enter")
        await settle(pilot)
        screen = intake_screen(app)
        assert screen.query_one("#applicant").size.width <= 64  # the rest goes to the papers
        table = " ".join(texts(app, "#checklist").split())
        for paper in screen.checklist.papers:
            assert " ".join(paper.name.split()) in table
        assert "…" not in table
        assert texts(app, "#procedure-input") == "1.001193 · Thủ tục đăng ký khai sinh"


# -- 6. the hint after saving ------------------------------------------------------------------------------


async def test_saving_clears_the_paper_hint_with_the_form(app: CounterApp, seen: Seen) -> None:
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await type_text(pilot, "khai sinh")
        await pilot.press("enter")
        await type_text(pilot, "Đặng Thị Bé")
        await pilot.press("tab")
        await type_text(pilot, "031190001234")
        await settle(pilot)
        assert texts(app, "#checklist-hint").startswith("1. Tờ khai đăng ký khai sinh")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(seen.of(DossierSaved)) == 1
        assert " ".join(texts(app, "#checklist-hint").split()) == CHECKLIST_HINT
        # Discarding a form clears it the same way.
        await type_text(pilot, "khai sinh")
        await pilot.press("enter")
        await settle(pilot)
        assert texts(app, "#checklist-hint").startswith("1. ")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("left", "enter")
        await settle(pilot)
        assert " ".join(texts(app, "#checklist-hint").split()) == CHECKLIST_HINT


async def test_a_code_scanned_into_the_fee_or_sets_opens_the_dossier(
    app: CounterApp, staffed_desk: Desk
) -> None:
    code = staffed_desk.receive(intake(), OFFICIAL[2]).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        screen = intake_screen(app)
        for key in ("sets", "fee"):
            held = screen.field(key).value
            screen.field(key).input.focus()
            await pilot.pause()
            await scan(pilot, code)
            assert isinstance(app.screen, DossierScreen) and app.screen.dossier.code == code, key
            assert screen.field(key).value == held  # not «1000.00.11.H26-…»
            await pilot.press("f3")
            await settle(pilot)
