"""Scan a dossier code from anywhere, then move it through the lifecycle with single keys."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, OptionList
from textual.worker import Worker, WorkerState

from counter_app.desk import Desk
from counter_app.tui.messages import OpenDossier, StepRecorded
from counter_app.tui.screens.dialogs import ConfirmDialog, PrintDialog, StepDialog
from counter_app.tui.screens.dossier import DossierScreen
from counter_app.tui.screens.lists import ListsScreen
from counter_app.tui.screens.supervisor import SupervisorScreen
from counter_app.tui.widgets.fields import Field, focus_now
from tests.conftest import FixedClock, intake

from .conftest import (
    OFFICIAL,
    SIZE,
    SUPERVISOR,
    Seen,
    notifications,
    scan,
    scanner_burst,
    settle,
    sign_in,
    texts,
    type_text,
    wait_until,
)

ACTOR = "Trần Văn Minh"


@pytest.fixture
def code(staffed_desk: Desk) -> str:
    return staffed_desk.receive(intake(), ACTOR).code


async def open_print_dialog(pilot, code: str) -> PrintDialog:  # type: ignore[no-untyped-def]
    """Signed in as an official, the dossier scanned, its print dialog opened (key i)."""
    await sign_in(pilot, OFFICIAL)
    await scan(pilot, code)
    await pilot.press("i")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, PrintDialog)
    return dialog


def dossier_screen(app) -> DossierScreen:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, DossierScreen)
    return screen


async def test_scanning_a_code_opens_the_dossier(app, code: str, seen: Seen) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        screen = dossier_screen(app)
        assert [m.code for m in seen.of(OpenDossier)] == [code]
        head = texts(app, "#dossier-head")
        assert code in head and "[2] Được tiếp nhận" in head
        assert "Còn 3 ngày làm việc" in head
        facts = texts(app, "#dossier-facts")
        assert "Đặng Thị Hoà" in facts and "09:30 Thứ Hai 30/11/2026" in facts
        assert texts(app, "#history").count("Tiếp nhận hồ sơ [2]") == 1
        assert app.focused is not screen.scan_input  # the step keys are live


async def test_a_code_in_the_counters_own_pattern_opens_the_dossier(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    # With a code pattern without dashes the scan was searched as a name: "Không có hồ sơ nào".
    staffed_desk.update_settings(code_pattern="{agency}{date}{seq}")
    code = staffed_desk.receive(intake(), "Trần Văn Minh").code
    assert "-" not in code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        assert code in texts(app, "#dossier-head")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        # Into the form's first field: a scan there opens the dossier too.
        assert not isinstance(app.screen, DossierScreen) and isinstance(app.focused, Input)
        await type_text(pilot, code.lower())
        await pilot.press("enter")
        await settle(pilot)
        assert code in texts(app, "#dossier-head")


async def test_the_birth_date_reads_as_the_official_typed_it(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    data = intake()
    data["applicant"]["birth_date"] = "28/02/1990"
    code = staffed_desk.receive(data, ACTOR).code
    assert staffed_desk.get(code).applicant.birth_date == "1990-02-28"  # stored ISO
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        facts = texts(app, "#dossier-facts")
        assert "Đặng Thị Hoà · sinh 28/02/1990" in facts
        assert "1990-02-28" not in facts


async def test_an_organisation_shows_its_code_representative_and_the_owner(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    applicant = {
        "kind": "organisation",
        "name": "Hợp tác xã Đông Hưng",
        "id_number": "0201234567",
        "representative": "Lê Văn Ước",
        "address": "Thôn Đông Hưng",
    }
    owner = {"name": "Đỗ Thị Hằng", "id_number": "031190001299"}
    code = staffed_desk.receive(intake(applicant=applicant, owner=owner), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        facts = texts(app, "#dossier-facts")
        for line in ("Tổ chức nộp", "Hợp tác xã Đông Hưng", "Mã số thuế", "0201234567", "Lê Văn Ước"):
            assert line in facts
        assert "Chủ hồ sơ" in facts and "Đỗ Thị Hằng, 031190001299" in facts
        assert "Số căn cước" not in facts


async def test_a_scanner_typing_while_a_list_has_focus_opens_the_dossier(app, code: str) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, ListsScreen)
        assert app.focused is app.screen.table
        await type_text(pilot, code.lower())  # no F2: the first digit jumps to the scan box
        await pilot.press("enter")
        await settle(pilot)
        assert dossier_screen(app).dossier.code == code


async def test_dossier_after_dossier_opens_when_each_scan_arrives_in_one_read(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """The counter's loop: scan, a step, scan the next receipt. A code and its Enter in one read
    from the dossier screen opened nothing every other time (the step key then went to the scan
    box); each scan, before and after a step, opens its dossier."""
    codes = [staffed_desk.receive(intake(), ACTOR).code for _ in range(4)]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scanner_burst(pilot, codes[0])
        for code in [*codes[1:], codes[0]]:
            await scanner_burst(pilot, code)
            assert dossier_screen(app).dossier.code == code
            assert app.focused is not dossier_screen(app).scan_input  # the step keys go to the dossier
        await pilot.press("c")  # transfer, confirmed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert staffed_desk.get(codes[0]).status == 4  # in processing
        await scanner_burst(pilot, codes[1])
        assert dossier_screen(app).dossier.code == codes[1]


async def test_a_stray_key_left_in_the_scan_box_does_not_spoil_the_next_scan(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """A key meant for the dossier landed in the scan box, then the next receipt was scanned:
    "c000.00.11.H26-…" was looked up whole and said "not found"."""
    first, second = (staffed_desk.receive(intake(), ACTOR).code for _ in range(2))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scanner_burst(pilot, first)
        await pilot.press("f2", "c")
        await scanner_burst(pilot, second)
        assert dossier_screen(app).dossier.code == second
        assert not notifications(app)


async def test_an_unknown_code_is_reported_without_leaving_the_screen(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, "000.00.11.H26-261125-2999")
        assert not isinstance(app.screen, DossierScreen)
        assert any("Không có hồ sơ mã 000.00.11.H26-261125-2999" in n for n in notifications(app))


async def open_step(pilot, code: str, key: str) -> StepDialog:  # type: ignore[no-untyped-def]
    """Signed in as the official, the dossier scanned, the step's dialog opened by its key."""
    await sign_in(pilot, OFFICIAL)
    await scan(pilot, code)
    await pilot.press(key)
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, StepDialog), f"no dialog for {key!r}"
    return dialog


async def step(pilot, key: str, *answers: str) -> None:  # type: ignore[no-untyped-def]
    """Press a step key, answer the dialog's inputs in order, confirm."""
    await pilot.press(key)
    await pilot.pause()
    assert isinstance(pilot.app.screen, StepDialog), f"no dialog for {key!r}"
    for answer in answers:
        await pilot.press("ctrl+u")
        await type_text(pilot, answer)
        await pilot.press("enter")
    if not answers:
        await pilot.press("ctrl+s")
    await settle(pilot)


async def test_each_lifecycle_step_with_confirm_and_reason(
    app, staffed_desk: Desk, code: str, seen: Seen
) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)

        await step(pilot, "c", "Ủy ban nhân dân xã Vĩnh Bảo", "")
        assert staffed_desk.get(code).status == 4
        await step(pilot, "b", "Giấy khai sinh bản sao; Sổ hộ khẩu", "Thiếu giấy tờ chứng minh")
        d = staffed_desk.get(code)
        assert d.status == 5 and [p.name for p in d.extra_papers] == ["Giấy khai sinh bản sao", "Sổ hộ khẩu"]
        assert "Tạm dừng" in texts(app, "#dossier-head")
        # The paper the citizen takes away is offered with the step (nothing said so).
        assert any("giao công dân: phím i" in n and "bổ sung" in n.lower() for n in notifications(app))
        # The reason is in the timeline, wrapped to the pane (80x24), not in a column scrolled away.
        timeline = texts(app, "#history")
        assert "Yêu cầu bổ sung hồ sơ [5]" in timeline and "Thiếu giấy tờ" in timeline
        assert all(len(line) <= app.screen.query_one("#history").size.width for line in timeline.splitlines())
        await step(pilot, "n", "")
        assert staffed_desk.get(code).status == 4
        await step(pilot, "p", "50.000", "Lệ phí cấp giấy")
        assert staffed_desk.get(code).status == 6
        assert "Phí nộp thêm 50.000 đồng, chưa nộp" in " ".join(texts(app, "#dossier-facts").split())
        await pilot.press("d")  # the fee paid: the dialog says what was asked, to check the receipt
        await pilot.pause()
        assert "Số tiền: 50.000 đồng" in texts(app, "#step-context")
        await pilot.press("escape")
        await pilot.pause()
        await step(pilot, "d")
        assert staffed_desk.get(code).status == 4
        assert "50.000 đồng, đã nộp" in " ".join(texts(app, "#dossier-facts").split())
        await step(pilot, "h", "04/12/2026 16:00", "Cần xác minh thêm")
        assert staffed_desk.get(code).due_at.isoformat() == "2026-12-04T16:00:00+07:00"
        await step(pilot, "k", "")
        assert staffed_desk.get(code).status == 9
        await step(pilot, "t", "", "")  # the receiver defaults to the applicant
        final = staffed_desk.get(code)
        assert final.status == 10

        kinds = [m.kind for m in seen.of(StepRecorded)]
        assert kinds == [
            "transferred",
            "extra_papers_requested",
            "extra_papers_received",
            "fee_requested",
            "fee_paid",
            "appointment_moved",
            "result_ready",
            "returned",
        ]
        assert {s.actor for s in staffed_desk.history(code)} == {ACTOR}
        # Each dialog closes once its worker has finished, never cancelling the worker it ran in.
        states = [m.state for m in seen.of(Worker.StateChanged) if m.worker.group in ("step", "form")]
        assert WorkerState.SUCCESS in states and WorkerState.CANCELLED not in states
        screen = dossier_screen(app)
        timeline = texts(app, "#history").splitlines()
        assert len([line for line in timeline if re.match(r"\s*\d\d:\d\d \d\d/\d\d/\d{4}", line)]) == 9
        # Newest first: at 80x24 the pane shows the history's first row, the step just taken.
        assert "Trả kết quả" in timeline[1] and "Tiếp nhận hồ sơ" in " ".join(timeline[-3:])
        assert screen.dossier.status == 10
        assert "[10] Đã trả kết quả" in texts(app, "#dossier-head")
        assert "Giải quyết trước hạn" in texts(app, "#dossier-head")  # result before the due day
        assert any("Mời công dân đánh giá" in n for n in notifications(app))
        # A closed dossier offers no step: the keys do nothing.
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, DossierScreen)

        # Only the citizen's rating is left: nothing is chosen for them, a digit picks the level.
        await pilot.press("g")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StepDialog) and "Rất không hài lòng" in texts(app, "#step-level")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and "Chọn mức độ hài lòng" in texts(app, "#step-error")
        assert staffed_desk.get(code).rating is None
        await pilot.press("4", "enter")  # Hài lòng; Enter goes on to the comment
        await type_text(pilot, "Cán bộ hướng dẫn tận tình")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        rating = staffed_desk.get(code).rating
        assert rating is not None and (rating.level, rating.comment) == (4, "Cán bộ hướng dẫn tận tình")
        facts = " ".join(texts(app, "#dossier-facts").split())  # read as words: the pane wraps it
        assert "Đánh giá Hài lòng · «Cán bộ hướng dẫn tận tình»" in facts
        assert "Đánh giá mức độ hài lòng [10]" in texts(app, "#history")
        # Rated once: the key is no longer offered, and pressed it opens nothing.
        assert "Đánh giá" not in texts(app, "Footer")
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, DossierScreen)
        assert staffed_desk.get(code).rating.level == 4  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("key", "status", "kind"),
    [("x", 3, "refused"), ("r", 7, "withdrawn"), ("s", 8, "stopped")],
)
async def test_closing_steps_need_a_reason(
    app, staffed_desk: Desk, code: str, key: str, status: int, kind: str
) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        await pilot.press(key)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StepDialog)
        await pilot.press("ctrl+s")  # no reason
        await settle(pilot)
        assert app.screen is dialog
        assert "lý do" in texts(app, ".field-error").lower()
        assert staffed_desk.get(code).status == 2
        await type_text(pilot, "Hồ sơ không thuộc thẩm quyền")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        d = staffed_desk.get(code)
        assert d.status == status and d.last_reason == "Hồ sơ không thuộc thẩm quyền"
        assert staffed_desk.history(code)[-1].kind == kind


async def test_escape_cancels_a_step(app, staffed_desk: Desk, code: str) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DossierScreen)
        assert staffed_desk.get(code).status == 2


async def test_escape_asks_before_throwing_away_a_typed_reason(app, staffed_desk: Desk, code: str) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_step(pilot, code, "s")
        await type_text(pilot, "Công dân chưa bổ sung đủ giấy tờ")
        await pilot.press("escape")  # by reflex: asked, "no" is where the focus starts
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.query_one("#step-reason", Field).value == "Công dân chưa bổ sung đủ giấy tờ"
        await pilot.press("escape", "left", "enter")  # "Bỏ": now it goes, and nothing is recorded
        await pilot.pause()
        assert isinstance(app.screen, DossierScreen) and staffed_desk.get(code).status == 2


async def test_escape_in_the_scan_box_clears_it_and_stays_on_the_dossier(app, code: str) -> None:  # type: ignore[no-untyped-def]
    """A stray digit goes to the scan box (a scanner's first key), and the step keys after it too:
    Escape clears the box and gives the keys back to the dossier; only a second Escape leaves."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        dossier = app.screen
        assert isinstance(dossier, DossierScreen)
        await pilot.press("5", "c")
        await pilot.pause()
        assert dossier.scan_input.value == "5c"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is dossier and dossier.scan_input.value == ""
        assert app.focused is not dossier.scan_input
        await pilot.press("c")  # the transfer step again
        await pilot.pause()
        assert isinstance(app.screen, StepDialog)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DossierScreen)


async def test_a_new_appointment_on_a_day_the_calendar_lacks_is_named_as_such(app, code: str) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        await pilot.press("h")
        await pilot.pause()
        for typed, said in [
            ("31/02/2027 09:00", "Ngày 31/02/2027 không có trên lịch"),
            ("sáng mai", "phải có dạng dd/mm/yyyy hh:mm"),
        ]:
            field = app.screen.query_one("#step-new_due", Field)
            field.value = typed
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert said in field.error, typed


async def test_a_form_is_printed_from_the_dossier_screen(app, code: str, output_dir: Path) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await open_print_dialog(pilot, code)
        await pilot.press("down", "enter")  # the control slip
        await settle(pilot)
        pdf = output_dir / f"control_slip_{code}.pdf"
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
        assert any(str(pdf) in n for n in notifications(app))


async def test_a_form_printed_on_paper_leaves_no_pdf_behind(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, code: str, output_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    """With a printer, the PDF is only the print job: once CUPS has it, the file (name, ID number,
    address) is gone from the counter's folder, from the dossier screen as from the intake."""
    from tests.unit.test_printing_support import LP_COPIES, fake_cups, make_spool, pdf_files, pdf_text

    spool = make_spool(tmp_path, monkeypatch)
    monkeypatch.setenv("PATH", str(fake_cups(tmp_path / "bin", lp=LP_COPIES)))
    staffed_desk.update_settings(printer="Quay2")
    async with app.run_test(size=SIZE) as pilot:
        await open_print_dialog(pilot, code)
        await pilot.press("down", "enter")  # the control slip
        await settle(pilot)
        assert any("Quay2" in n for n in notifications(app))
        assert code in pdf_text(spool / "job.pdf")
        assert list(pdf_files(output_dir)) == []
        (spool / "job.pdf").unlink()
        await pilot.press("escape", "f3")
        await settle(pilot)
        await type_text(pilot, "4873")
        await pilot.press("enter")
        for text in ("Lê Văn Bình", "031085009876", "0987654321", "Thôn Đông"):
            await type_text(pilot, text)
            await pilot.press("tab")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert "Lê Văn Bình" in pdf_text(spool / "job.pdf")  # the receipt went to the printer
        assert list(pdf_files(output_dir)) == []


async def test_escape_returns_to_the_screen_the_dossier_was_opened_from(app, code: str) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR)
        await pilot.press("f6")
        await settle(pilot)
        await scan(pilot, code)
        assert isinstance(app.screen, DossierScreen)
        await scan(pilot, code)  # a second scan replaces it, no pile of screens
        assert len(app.screen_stack) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SupervisorScreen)


async def test_the_footer_fits_80_columns_and_shows_the_daily_steps_when_wide(app, code: str) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets._footer import FooterKey

    def shown() -> dict[str, str]:
        """The footer's keys drawn whole inside the terminal."""
        width = app.size.width
        return {
            key.key: key.description
            for key in app.screen.query(FooterKey)
            if key.region.area and key.region.right <= width
        }

    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        await wait_until(pilot, lambda: "f4" in shown())
        keys = shown()
        # Every place to go is on the footer, none cut at the edge; the steps give way to them,
        # since the panel beside the dossier shows each step with its key.
        assert {"escape", "f2", "f3", "f4", "f5", "ctrl+p"} <= set(keys)
        assert keys["escape"] == "Quay lại" and keys["f3"] == "Tiếp nhận"
        assert len(app.screen.query(FooterKey)) == len(keys)  # nothing hidden past the edge
        assert dossier_screen(app).query_one("#step-transferred").display
        await pilot.press("c")  # the step key still works without its place in the footer
        await pilot.pause()
        assert app.screen.is_modal
        await pilot.press("escape")
        await pilot.pause()

        await pilot.resize_terminal(160, 48)
        await wait_until(pilot, lambda: "c" in shown())
        keys = shown()
        assert keys.get("c") == "Chuyển xử lý"
        assert keys.get("b") == "Yêu cầu bổ sung"
        assert keys.get("k") == "Có kết quả"
        assert "f4" in keys and "f3" in keys
        # Rare steps keep their key and their button, not a place in the footer.
        assert "x" not in keys and "s" not in keys
        assert dossier_screen(app).query_one("#step-refused").display

        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: "c" not in shown())
        assert {"f3", "f4", "f5"} <= set(shown())


async def test_the_footer_follows_the_steps_and_is_not_rebuilt_for_nothing(app, code: str) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets._footer import FooterKey

    from counter_app.tui.widgets.bars import CounterFooter

    def keys() -> set[str]:
        return {key.key for key in app.screen.query(FooterKey)}

    async with app.run_test(size=(160, 48)) as pilot:  # wide: the daily steps are on it
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        assert {"b", "k"} <= keys()  # in processing: papers may be asked, the result recorded
        footer = app.screen.query_one(CounterFooter)
        built: list[int] = []
        original = footer.recompose

        async def counting() -> None:
            built.append(1)
            await original()

        footer.recompose = counting  # type: ignore[method-assign]
        for _ in range(4):  # focus moves alone show the same keys
            await pilot.press("tab")
            await pilot.pause()
        assert not built
        await step(pilot, "k", "")
        assert built and not {"b", "k"} & keys()  # result ready: those keys have gone


async def test_a_dialog_opens_clear_of_the_notices_before_it(app, staffed_desk: Desk, code: str) -> None:  # type: ignore[no-untyped-def]
    staffed_desk.record_result(code, "Cán bộ A")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        await step(pilot, "t", "", "")
        assert any("Mời công dân đánh giá" in n for n in notifications(app))
        await pilot.press("g")  # the invitation answered: it no longer covers the dialog's buttons
        await pilot.pause()
        assert isinstance(app.screen, StepDialog) and notifications(app) == []
        await pilot.press("escape")
        await pilot.pause()
        app.notify("Một thông báo")
        await pilot.press("i")  # the print dialog has an on_mount of its own: both run
        await pilot.pause()
        assert isinstance(app.screen, PrintDialog) and notifications(app) == []


async def test_an_official_is_not_offered_the_access_log(app, code: str) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)  # a supervisor's question
        assert not app.screen.query_one("#access-button").display


async def test_a_supervisor_reads_who_saw_or_printed_a_dossier(app, staffed_desk: Desk, code: str) -> None:  # type: ignore[no-untyped-def]
    from counter_app.tui.screens.dialogs import AccessLogDialog

    staffed_desk.record_print(code, "Cán bộ A", "receipt")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, SUPERVISOR)
        await scan(pilot, code)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AccessLogDialog)
        shown = " ".join(texts(app, "#access-table").split())
        assert "In / lưu" in shown and "Giấy tiếp nhận hồ sơ" in shown
        assert "Xem" in shown  # the supervisor's own scan is a view too
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DossierScreen)
        # The key is listed with the steps, for a supervisor new to the program to find, and works
        # by the mouse too.
        button = app.screen.query_one("#access-button")
        assert button.display and "a Nhật ký truy cập" in texts(app, "#access-button")
        await pilot.click("#access-button")
        await settle(pilot)
        assert isinstance(app.screen, AccessLogDialog)


async def test_a_code_scanned_into_a_dialog_confirms_nothing(app, staffed_desk: Desk, code: str) -> None:  # type: ignore[no-untyped-def]
    other = staffed_desk.receive(intake(), ACTOR).code
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_step(pilot, code, "c")
        await pilot.press("tab")  # the note field
        await type_text(pilot, other)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog  # the scanner's Enter confirmed nothing...
        assert staffed_desk.get(code).status == 2
        assert dialog.query_one("#step-note-input").value == ""  # ...and left no code as the note
        assert any("hãy hoàn tất hoặc đóng nó (Esc) rồi quét lại" in n for n in notifications(app))
        assert staffed_desk.access_log(other) == []  # not shown, so not logged as seen


async def test_a_chip_card_scanned_on_the_dossier_screen_starts_an_intake(
    app, staffed_desk: Desk, code: str
) -> None:  # type: ignore[no-untyped-def]
    from counter_app.tui.screens.intake import IntakeScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        # The name is full of step keys (c, t, h, k, s...): none may fire.
        await type_text(
            pilot, "031190001234|123456789|Lý Ngọc Thủy Châu|15061990|Nữ|Xóm Chùa, xã Yên|20042021"
        )
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert app.screen.field("applicant.name").value == "Lý Ngọc Thủy Châu"
        assert [s.kind for s in staffed_desk.history(code)] == ["received"]


async def test_a_reason_shows_while_it_explains_the_status(app, staffed_desk: Desk, code: str) -> None:  # type: ignore[no-untyped-def]
    """The request's reason while the dossier waits for the papers; once they are in, it is
    history (it stayed as "Lý do gần nhất" beside a dossier being processed)."""
    staffed_desk.request_extra_papers(
        code, "Trần Văn Minh", papers=["Giấy xác nhận cư trú"], reason="Thiếu giấy cư trú"
    )
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        assert "Thiếu giấy cư trú" in texts(app, "#dossier-facts")
        staffed_desk.receive_extra_papers(code, "Trần Văn Minh")
        await pilot.press("escape")
        await settle(pilot)
        await scan(pilot, code)
        assert "Thiếu giấy cư trú" not in texts(app, "#dossier-facts")
        assert "Thiếu giấy" in texts(app, "#history")  # in the timeline still


@pytest.mark.parametrize(
    ("basis", "title"),
    [
        ("03/2025", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
        ("01/2018", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    ],
)
async def test_the_print_menu_names_each_form_as_it_is_printed(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, code: str, basis: str, title: str
) -> None:
    staffed_desk.update_settings(forms_basis=basis)
    due = staffed_desk.get(code).due_at
    staffed_desk.move_appointment(code, ACTOR, new_due=due + timedelta(days=7), reason="Cần xác minh thêm")
    async with app.run_test(size=SIZE) as pilot:
        options = (await open_print_dialog(pilot, code)).query_one("#forms", OptionList)
        names = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert names[-1] == title
        assert names[0] == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"


async def test_a_refused_dossier_offers_the_refusal_and_no_receipt(
    app, staffed_desk: Desk, code: str
) -> None:  # type: ignore[no-untyped-def]
    staffed_desk.refuse(code, ACTOR, reason="Hồ sơ không thuộc thẩm quyền giải quyết của xã")
    async with app.run_test(size=SIZE) as pilot:
        options = (await open_print_dialog(pilot, code)).query_one("#forms", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert "receipt" not in ids and "refusal" in ids
        # No appointment was given, as the logbook says (the screen showed one).
        await pilot.press("escape")
        await settle(pilot)
        facts = " ".join(texts(app, "#dossier-facts").split())
        assert "Hẹn trả — (không tiếp nhận, không hẹn trả)" in facts


async def test_a_dossier_refused_after_extra_papers_offers_its_receipt_again(
    app, staffed_desk: Desk, code: str
) -> None:  # type: ignore[no-untyped-def]
    """Refused on its day, but after the citizen brought extra papers: it had been received."""
    staffed_desk.request_extra_papers(code, ACTOR, papers=["Giấy A"], reason="Thiếu")
    staffed_desk.receive_extra_papers(code, ACTOR)
    staffed_desk.refuse(code, ACTOR, reason="Giấy tờ giả mạo")
    async with app.run_test(size=SIZE) as pilot:
        options = (await open_print_dialog(pilot, code)).query_one("#forms", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert "receipt" in ids and "refusal" in ids
        await pilot.press("escape")
        await settle(pilot)
        assert "không tiếp nhận" not in texts(app, "#dossier-facts")


async def test_after_a_step_that_gives_a_paper_the_print_menu_starts_on_it(
    app, staffed_desk: Desk, code: str, output_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """ "In «Phiếu yêu cầu bổ sung…» giao công dân: phím i" — and i, Enter prints that paper, not
    the receipt at the top of the list (which was printed again, over the first one)."""
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, code, "b")
        for answer in ("Bản sao giấy khai sinh", "Thiếu giấy tờ"):
            await pilot.press("ctrl+u")
            await type_text(pilot, answer)
            await pilot.press("enter")
        await settle(pilot)
        assert staffed_desk.get(code).status == 5
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, PrintDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert [p.name for p in output_dir.glob("*.pdf")] == [f"extra_papers_{code}.pdf"]


async def test_after_a_refusal_and_the_citizen_s_rating_the_print_menu_starts_on_the_refusal(
    app, staffed_desk: Desk, code: str, output_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """The rating asked after a refusal gives no paper and moves nothing: i, Enter still prints
    the refusal the citizen is to be handed, not the first form of the list."""
    staffed_desk.refuse(code, ACTOR, reason="Hồ sơ không thuộc thẩm quyền giải quyết của xã")
    staffed_desk.rate(code, ACTOR, level=4)
    async with app.run_test(size=SIZE) as pilot:
        await open_print_dialog(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        assert [p.name for p in output_dir.glob("*.pdf")] == [f"refusal_{code}.pdf"]


async def test_a_problem_in_a_step_s_second_field_is_shown_and_fixed_there(
    app, staffed_desk: Desk, code: str
) -> None:  # type: ignore[no-untyped-def]
    """An emoji in the transfer's note put the message and the cursor in "Cơ quan nhận": two
    Backspaces meant for the emoji cut the agency's name, and the control slip printed it cut."""
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_step(pilot, code, "c")
        agency = dialog.query_one("#step-to_agency_name", Field)
        note = dialog.query_one("#step-note", Field)
        named = agency.value
        note.focus()
        await type_text(pilot, "Gấp 🙏")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "🙏" in note.error and agency.error == ""
        assert dialog.focused is note.input
        await pilot.press("backspace", "backspace", "ctrl+s")
        await settle(pilot)
        d = staffed_desk.get(code)
        transfer = staffed_desk.store.events_of(code)[-1]
        assert d.status == 4 and transfer.payload.get("to_agency_name", "") == named
        assert transfer.payload.get("note") == "Gấp"


async def test_a_step_refused_keeps_its_dialog_and_reads_the_dossier_again(
    app, staffed_desk: Desk, code: str, db_path: Path, clock: FixedClock
) -> None:  # type: ignore[no-untyped-def]
    """The dossier was withdrawn from the command line while its transfer dialog was open: the
    dialog closed (what was typed lost) and the screen went on showing status 2 and its steps."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        screen = app.screen
        assert isinstance(screen, DossierScreen)
        await pilot.press("c")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StepDialog)
        dialog.query_one("#step-note", Field).value = "Chuyển gấp cho công chức tư pháp"
        elsewhere = Desk.open(db_path, clock=clock, env={})
        try:
            elsewhere.withdraw(code, "Phạm Văn Hùng", reason="Rút qua dòng lệnh")
        finally:
            elsewhere.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert "Công dân yêu cầu rút hồ sơ" in " ".join(texts(app, "#step-error").split())
        assert dialog.query_one("#step-note", Field).value == "Chuyển gấp cho công chức tư pháp"
        assert screen.dossier is not None and screen.dossier.status == 7


async def test_the_fee_asked_for_is_read_as_the_intake_reads_a_fee(
    app, staffed_desk: Desk, code: str
) -> None:  # type: ignore[no-untyped-def]
    """ "2.500.00" (a zero missed) was read as 250.000 without a word; "50.000" is 50,000 đồng."""
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_step(pilot, code, "p")
        amount = dialog.query_one("#step-amount", Field)
        amount.value = "2.500.00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "viết sai nhóm số" in amount.error and staffed_desk.get(code).status == 2
        assert "miễn" not in amount.error  # a fee asked for is never 0
        amount.value = "99999999999999999999"  # said with the desk's ceiling, not 2**63 - 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        said = " ".join(amount.error.split())
        assert said.startswith("Số tiền tối đa 10.000.000.000 đồng") and "9.223" not in said
        amount.value = "50.000 đ"
        await pilot.press("ctrl+s")
        await settle(pilot)
        fee = staffed_desk.get(code)
        assert fee.status == 6 and fee.fee_requests[-1].amount == 50_000


async def test_the_time_left_goes_whole_to_the_next_line_when_the_status_is_long(
    app, staffed_desk: Desk, code: str, clock
) -> None:  # type: ignore[no-untyped-def]
    """At 80 columns "[6] Yêu cầu thực hiện nghĩa vụ tài chính" and the working time left do not
    fit beside the code: the time left went on the next line cut in the middle ("… Còn 0" /
    "phút làm việc"). It goes whole to the next line, and beside the status when there is room."""
    staffed_desk.request_fee(code, ACTOR, amount=50_000)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        await settle(pilot)
        left = staffed_desk.time_left(staffed_desk.get(code)).describe_vi()
        lines = [line.strip() for line in texts(app, "#dossier-head").splitlines() if line.strip()]
        assert lines[-1] == left and lines[0].endswith("Yêu cầu thực hiện nghĩa vụ tài chính")
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        lines = [line.strip() for line in texts(app, "#dossier-head").splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].endswith(left)


async def test_enter_on_a_missing_required_input_of_a_step_says_so_there(
    app, staffed_desk: Desk, code: str
) -> None:  # type: ignore[no-untyped-def]
    """Enter on the papers asked for, left empty, moved on to the reason without a word; the
    message came only at the end. It is said under the papers, where the cursor stays."""
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_step(pilot, code, "b")
        papers = dialog.query_one("#step-papers", Field)
        await pilot.press("enter")
        await settle(pilot)
        assert papers.error == "Chưa nhập giấy tờ bổ sung." and app.focused is papers.input
        await type_text(pilot, "Bản sao giấy khai sinh")
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is dialog.query_one("#step-reason", Field).input
        assert papers.error == ""  # typed since: the message no longer stays under the text
        assert staffed_desk.get(code).status == 2


async def test_enter_on_an_optional_input_of_a_step_left_empty_moves_on(
    app, staffed_desk: Desk, code: str
) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_step(pilot, code, "c")
        agency = dialog.query_one("#step-to_agency_name", Field)
        agency.value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert agency.error == "" and app.focused is dialog.query_one("#step-note", Field).input


async def test_a_history_that_cannot_be_read_is_said_and_the_program_goes_on(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, code: str
) -> None:
    """A receipt event edited by hand (or a damaged page) so the fold cannot read it: opening the
    dossier ended the whole program with a traceback (exit status 0); its facts stay on screen
    and the history says it cannot be read."""
    staffed_desk.store.conn.execute(
        "UPDATE events SET body = json_set(body, '$.payload', json('{\"bench\": true}'))"
        " WHERE dossier_code = ?",
        (code,),
    )
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        dossier_screen(app)
        assert "Không đọc được lịch sử hồ sơ này" in texts(app, "#history")
        assert "Đặng Thị Hoà" in texts(app, "#dossier-facts")
        await pilot.press("f3")
        await settle(pilot)
        assert app.is_running


async def test_a_transfer_of_a_dossier_handed_on_asks_for_the_next_agency(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, code: str
) -> None:
    """Once handed on, the dialog offered the agency holding it (typed in already) as "không bắt
    buộc"; confirmed, it printed a hand-over from that agency to itself. It now says where the
    dossier is, asks for the next one, and refuses the holder under the field."""
    holder = staffed_desk.get(code).deciding_agency_name
    staffed_desk.transfer(code, ACTOR)  # the first hop, to the deciding agency
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        await pilot.press("c")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StepDialog)
        agency = dialog.query_one("#step-to_agency_name", Field)
        assert agency.value == "" and agency.input.placeholder == "bắt buộc: cơ quan nhận tiếp theo"
        assert f"Hồ sơ đang ở «{holder}»: ghi cơ quan nhận tiếp theo." in " ".join(
            texts(app, "Static").split()
        )
        agency.input.focus()
        await type_text(pilot, holder)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and "không chuyển lại cho chính cơ quan này" in " ".join(
            agency.error.split()
        )
        assert staffed_desk.get(code).events == 2


async def test_an_agency_typed_in_the_transfer_dialog_replaces_the_one_given(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, code: str
) -> None:
    """The deciding agency is given in the field; typed at once, the new name ran on after it
    ("Ủy ban nhân dân xã Vĩnh BảoPhòng Tư pháp") and the control slip said so."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, StepDialog)
        await type_text(pilot, "Phòng Tư pháp")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert staffed_desk.get(code).handled_by == "Phòng Tư pháp"


async def test_a_key_refused_says_why(app, staffed_desk: Desk, code: str) -> None:  # type: ignore[no-untyped-def]
    """A step key the status does not allow (k while waiting for papers), and the access log's key
    pressed by an official, did nothing without a word."""
    staffed_desk.request_extra_papers(code, ACTOR, papers=["Bản sao giấy khai sinh"], reason="Thiếu")
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        screen = app.screen
        assert isinstance(screen, DossierScreen)
        app.clear_notifications()
        await pilot.press("k")
        await pilot.pause()
        assert app.screen is screen
        said = notifications(app)
        assert said == [
            "Không làm được: Bước «Có kết quả» không làm được khi hồ sơ đang ở trạng thái "
            "«Yêu cầu bổ sung giấy tờ»."
        ]
        app.clear_notifications()
        await pilot.press("a")
        await pilot.pause()
        assert notifications(app) == ["Không có quyền: Nhật ký truy cập chỉ dành cho cán bộ giám sát."]
        app.clear_notifications()
        await pilot.press("n")  # allowed: its dialog, no notice
        await pilot.pause()
        assert isinstance(app.screen, StepDialog) and notifications(app) == []


async def test_a_reason_cut_at_its_limit_is_said_before_it_is_recorded(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, code: str
) -> None:
    """A pasted reason of 1,200 characters kept its first 1,000, cut mid-word, and the refusal form
    printed it so; the official had no word of it at Ctrl+S. Said once, the next Ctrl+S records."""
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_step(pilot, code, "x")
        reason = dialog.query_one("#step-reason", Field)
        reason.input.focus()
        await type_text(pilot, "Không đủ điều kiện " * 63)  # 1,197 characters, typed in one burst
        await settle(pilot)
        assert len(reason.value) == 1000
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and staffed_desk.get(code).status == 2
        assert " ".join(reason.error.split()).startswith("Chỉ giữ 1.000 ký tự đầu, phần sau không được nhận")
        await pilot.press("ctrl+s")
        await settle(pilot)
        refused = staffed_desk.get(code)
        assert refused.status == 3 and len(refused.last_reason) == 1000


async def test_a_reason_typed_in_decomposed_letters_is_cut_at_1000_letters_not_marks(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, code: str
) -> None:
    """A reason pasted as keys in NFD (each tone and vowel mark a key of its own): the limit
    counted the marks, kept 751 letters and cut "của" to "cu" on the printed form. Letters are
    kept composed as they are typed, so the limit counts letters and no letter loses its mark."""
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_step(pilot, code, "x")
        reason = dialog.query_one("#step-reason", Field)
        reason.input.focus()
        words = "Thiếu giấy tờ hợp pháp của người nộp "  # 37 letters
        await type_text(pilot, unicodedata.normalize("NFD", words * 30))
        await settle(pilot)
        assert reason.value == unicodedata.normalize("NFC", (words * 30)[:1000])
        assert reason.value.endswith("Thiếu giấy tờ hợp pháp của người nộp "[: 1000 % 37])
        await pilot.press("ctrl+s", "ctrl+s")
        await settle(pilot)
        assert staffed_desk.get(code).last_reason == reason.value.strip()


async def test_a_reason_cut_then_shortened_by_hand_is_recorded_at_once(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, code: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_step(pilot, code, "x")
        reason = dialog.query_one("#step-reason", Field)
        reason.input.focus()
        await type_text(pilot, "Không đủ điều kiện " * 63)
        await settle(pilot)
        await pilot.press("backspace")  # the official reads the end and mends it
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        refused = staffed_desk.get(code)
        assert refused.status == 3 and len(refused.last_reason) == 999


async def transfer_then_scan(pilot, desk: Desk, *, withdrawn_meanwhile: bool = False) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Two receipts; the first opened, its transfer dialog confirmed with Ctrl+S and, in the same
    breath, the second scanned (the first withdrawn at another counter just before, if asked)."""
    first, second = (desk.receive(intake(), ACTOR).code for _ in range(2))
    await sign_in(pilot, OFFICIAL)
    await scanner_burst(pilot, first)
    await pilot.press("c")  # transfer
    await pilot.pause()
    assert isinstance(pilot.app.screen, StepDialog)
    if withdrawn_meanwhile:
        desk.withdraw(first, ACTOR, reason="Công dân rút hồ sơ")
    pilot.app.post_message(events.Key("ctrl+s", None))
    await scanner_burst(pilot, second)
    return first, second


async def test_the_next_receipt_scanned_straight_after_confirming_a_step_opens(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """Ctrl+S on a step, then the next citizen's receipt scanned at once: the scan's keys reached
    the dialog before it closed and were refused as "a dialog is open", with the dialog gone by
    the time the official read it. The step is recorded and the next dossier opens."""
    async with app.run_test(size=SIZE) as pilot:
        first, second = await transfer_then_scan(pilot, staffed_desk)
        await wait_until(
            pilot, lambda: isinstance(app.screen, DossierScreen) and app.screen.dossier.code == second
        )
        assert staffed_desk.get(first).status == 4
        assert not any("Đang mở một hộp thoại" in n for n in notifications(app))


async def test_a_receipt_scanned_after_a_step_the_desk_refuses_is_said_behind_the_dialog(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """The same breath, but the step is refused (the dossier moved on at another counter): the
    dialog stays with its reason, and the scan is said to be behind it, not opened over it."""
    async with app.run_test(size=SIZE) as pilot:
        first, _ = await transfer_then_scan(pilot, staffed_desk, withdrawn_meanwhile=True)
        await wait_until(pilot, lambda: any("Đang mở một hộp thoại" in n for n in notifications(app)))
        assert isinstance(app.screen, StepDialog) and texts(app, "#step-error")
        assert staffed_desk.get(first).status != 4


async def test_the_applicant_s_details_are_corrected_where_they_are_wrong(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, code: str
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_step(pilot, code, "e")
        name = dialog.query_one("#step-applicant-name", Field)
        assert name.value == "Đặng Thị Hoà" and app.focused is name.input
        # The cursor is at the end of the name as recorded: the wrong mark is mended, not retyped.
        await pilot.press("backspace")
        await type_text(pilot, "a")
        await pilot.press("enter", "enter")  # past the ID number to the birth date
        await type_text(pilot, "31/02/1990")  # no such day
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and staffed_desk.get(code).events == 1
        errors = texts(app, ".field-error")
        assert "ngày sinh" in errors.lower() and "lý do" in errors.lower()
        assert app.focused is dialog.query_one("#step-applicant-birth_date", Field).input
        await pilot.press("ctrl+u")
        await type_text(pilot, "05/03/1990")
        dialog.query_one("#step-reason", Field).input.focus()
        await type_text(pilot, "Gõ sai dấu tên")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        d = staffed_desk.get(code)
        assert (d.applicant.name, d.applicant.birth_date, d.applicant.phone) == (
            "Đặng Thị Hoa",
            "1990-03-05",
            "0912345678",
        )
        assert "Đặng Thị Hoa" in texts(app, "#dossier-facts")
        history = " ".join(texts(app, "#history").split())
        assert "Sửa thông tin người nộp [2]" in history and "Đặng Thị Hoà → Đặng Thị Hoa" in history
        assert any("Đã sửa thông tin người nộp" in n for n in notifications(app))

        # Opened again unchanged: nothing to correct is said under the form, nothing recorded.
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#step-reason", Field).input.focus()
        await type_text(pilot, "Kiểm tra")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog and "không có gì để sửa" in texts(app, "#step-error")
        assert staffed_desk.get(code).events == 2


async def test_an_owner_other_than_the_applicant_is_corrected_in_the_same_dialog(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    owner = {"name": "Nguyễn Văn Tuân", "id_number": "031160004321"}
    code = staffed_desk.receive(intake(owner=owner), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_step(pilot, code, "e")
        field = dialog.query_one("#step-owner-name", Field)
        assert field.value == "Nguyễn Văn Tuân"
        field.input.focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "Nguyễn Văn Tuấn")
        # The owner's address too (it was correctable from the command line only).
        dialog.query_one("#step-owner-address", Field).input.focus()
        await type_text(pilot, "Thôn Tây, xã Vĩnh Bảo")
        dialog.query_one("#step-reason", Field).input.focus()
        await type_text(pilot, "Sai dấu")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        d = staffed_desk.get(code)
        assert (
            d.owner is not None and d.owner.name == "Nguyễn Văn Tuấn" and d.applicant.name == "Đặng Thị Hoà"
        )
        assert d.owner.address == "Thôn Tây, xã Vĩnh Bảo"


async def test_a_correction_dialog_with_its_errors_scrolls_to_the_field_in_hand_at_80x24(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """A person with an owner: ten fields; with their error lines the reason and the buttons went
    below the screen, and the focus with them."""
    owner = {"name": "Nguyễn Văn Tuân", "id_number": "031160004321"}
    code = staffed_desk.receive(intake(owner=owner), ACTOR).code
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_step(pilot, code, "e")
        typed = {"applicant-name": "", "applicant-birth_date": "31/02/1990", "applicant-phone": "12"}
        for key, text in {**typed, "owner-name": ""}.items():
            dialog.query_one(f"#step-{key}", Field).input.focus()
            await pilot.press("ctrl+u")
            await type_text(pilot, text)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len([f for f in dialog.query(Field) if f.error]) == 5  # and the reason
        reason = dialog.query_one("#step-reason", Field)
        focus_now(reason.input)
        await settle(pilot)
        box = dialog.query_one(".step-dialog")
        assert box.max_scroll_y > 0  # it scrolls: the buttons below are reached
        assert box.region.contains_region(reason.input.region)
        confirm = dialog.query_one("#confirm")
        focus_now(confirm)  # scrolled into view (animated: waited for, a loaded machine is slow)
        await wait_until(pilot, lambda: box.scroll_y > 0 and box.region.contains_region(confirm.region))
        focus_now(reason.input)
        await wait_until(pilot, lambda: box.region.contains_region(reason.input.region))
        # Only what the official changed is sent: the details left as recorded are not.
        await type_text(pilot, "Sai")
        for key in ("applicant-name", "applicant-birth_date", "applicant-phone", "owner-name"):
            field = dialog.query_one(f"#step-{key}", Field)
            field.value = dialog._default(field.key)
        dialog.query_one("#step-applicant-name", Field).value = "Đặng Thị Hoa"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DossierScreen)
        [said] = [s.detail for s in staffed_desk.history(code) if s.kind == "corrected"]
        assert said == "Đã sửa Họ và tên: Đặng Thị Hoà → Đặng Thị Hoa; Lý do: Sai"


async def test_a_chip_card_scanned_into_the_correction_dialog_fills_the_details(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk
) -> None:
    """The card was thrown away with "close the dialog first", and closed, the scan started an
    intake: the correction is the one dialog made of the applicant's details."""
    code = staffed_desk.receive(
        intake(applicant={"name": "Dang Thi Hoa", "id_number": "031190001234"}), ACTOR
    ).code
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_step(pilot, code, "e")
        dialog.query_one("#step-applicant-email", Field).input.focus()
        await scanner_burst(
            pilot, "031190001234|123456789|Đặng Thị Hoà|05031990|Nữ|Thôn Đông, xã Vĩnh Bảo|01072021"
        )
        assert app.screen is dialog
        assert dialog.query_one("#step-applicant-name", Field).value == "Đặng Thị Hoà"
        assert dialog.query_one("#step-applicant-birth_date", Field).value == "05/03/1990"
        assert dialog.query_one("#step-applicant-address", Field).value == "Thôn Đông, xã Vĩnh Bảo"
        assert dialog.query_one("#step-applicant-email", Field).value == ""
        dialog.query_one("#step-reason", Field).input.focus()
        await type_text(pilot, "Theo căn cước")
        await pilot.press("ctrl+s")
        await settle(pilot)
        d = staffed_desk.get(code)
        assert (d.applicant.name, d.applicant.birth_date) == ("Đặng Thị Hoà", "1990-03-05")


async def test_text_typed_like_markup_shows_as_typed(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """Square brackets and colons an official types (a reason, a paper asked for, a rating's
    comment) are text: read as Rich markup, "[/x]" ended the program with a MarkupError and
    "[b]" or ":smile:" changed what the screen said."""
    reason = "Thiếu bản sao [/x] [b]chứng thực[/b] :smile:"
    papers = staffed_desk.receive(intake(), ACTOR).code
    staffed_desk.request_extra_papers(papers, ACTOR, papers=["Giấy [/i] xác nhận :+1:"], reason=reason)
    refused = staffed_desk.receive(intake(), ACTOR).code
    staffed_desk.transfer(refused, ACTOR)
    staffed_desk.refuse(refused, ACTOR, reason=reason)
    staffed_desk.rate(refused, ACTOR, level=2, comment="Chờ lâu [/red] :x:")
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, papers)
        facts = texts(app, "#dossier-facts")
        assert "Giấy [/i] xác nhận :+1:" in facts and reason in facts
        await pilot.press("escape")
        await settle(pilot)
        await scan(pilot, refused)
        facts = texts(app, "#dossier-facts")
        assert reason in facts and "Chờ lâu [/red] :x:" in facts
        assert isinstance(app.screen, DossierScreen)


async def test_a_step_taken_by_another_program_shows_on_the_open_dossier(  # type: ignore[no-untyped-def]
    app, staffed_desk: Desk, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`counter result CODE` run while the dossier was open: the screen kept showing "[2]" and
    offered steps no longer allowed, until one was refused."""
    monkeypatch.setattr(DossierScreen, "CLOCK_SECONDS", 0.2)
    code = staffed_desk.receive(intake(), ACTOR).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await scan(pilot, code)
        screen = app.screen
        assert isinstance(screen, DossierScreen) and "[2]" in texts(app, "#dossier-head")
        other = Desk.open(db_path)  # another program on the same file
        try:
            other.record_result(code, "Lê Thị Lan")
        finally:
            other.close()
        await wait_until(pilot, lambda: screen.dossier is not None and screen.dossier.status == 9)
        await settle(pilot)
        assert "[9]" in texts(app, "#dossier-head")
