"""Hostile input at the intake form: a huge paste, an over-long name, NFD text."""

from __future__ import annotations

import unicodedata

from textual import events

from counter_app.desk import Desk
from counter_app.tui.messages import DossierSaved
from counter_app.tui.widgets.fields import MAX_FIELD_CHARS

from .conftest import OFFICIAL, SIZE, Seen, begin_intake, intake_screen, settle, sign_in, type_text


async def test_a_huge_paste_is_refused_with_a_message_and_nothing_is_lost(
    app, staffed_desk: Desk, seen: Seen
) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot, "Đặng ")
        name = intake_screen(app).field("applicant.name")
        name.input.post_message(events.Paste("Nguyễn Văn " * 50_000))  # a document pasted by mistake
        await settle(pilot)
        assert name.value == "Đặng "  # what was typed is kept, the paste is not taken
        assert "Quá dài" in name.error and f"{MAX_FIELD_CHARS:,}".replace(",", ".") in name.error

        # Longer than a name may be, but a paste the field takes: saving says what to fix.
        name.input.post_message(events.Paste("Thị Hoà " * 40))
        await settle(pilot)
        await pilot.press("tab")
        await type_text(pilot, "031190001234")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert seen.of(DossierSaved) == []
        assert "150" in name.error  # the desk's limit, in Vietnamese
        assert staffed_desk.list_view("recent") == []

        # Fixed (typed in NFD, as some keyboards send it), it saves, in NFC.
        name.value = ""
        name.input.focus()
        await type_text(pilot, unicodedata.normalize("NFD", "Đặng Thị Hoà"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = seen.of(DossierSaved)
        assert len(saved) == 1 and saved[0].dossier.applicant.name == "Đặng Thị Hoà"


async def test_a_damaged_file_is_said_as_damaged_not_as_data_unaffected(  # type: ignore[no-untyped-def]
    staffed_desk: Desk, make_desk, db_path
) -> None:
    """A page of the history overwritten (a disk fault): the TUI said "Lỗi không mong đợi … Dữ
    liệu đã lưu không bị ảnh hưởng" where every command says to restore the latest backup."""
    from counter_app.tui.app import make_app
    from tests.conftest import intake

    for _ in range(3):
        staffed_desk.receive(intake(), "A")
    conn = staffed_desk.store.conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    staffed_desk.close()
    with open(db_path, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xa5" * page_size)
    app = make_app(make_desk(configure=False))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await settle(pilot)
        shown = "\n".join(f"{n.title}: {n.message}" for n in app._notifications)
        assert "Tệp dữ liệu bị hỏng" in shown and "khôi phục" in shown, shown
        assert shown.count("Tệp dữ liệu bị hỏng") == 1  # each failed read said it again
        assert "không bị ảnh hưởng" not in shown


async def test_lines_pasted_into_a_one_line_field_are_joined_not_dropped(app) -> None:  # type: ignore[no-untyped-def]
    """Textual's Input keeps the first line of a paste: an address copied as three lines kept
    "Thôn Đông" and the rest vanished without a word."""
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot, "Đặng Thị Hoà")
        address = intake_screen(app).field("applicant.address")
        address.input.focus()
        address.input.post_message(events.Paste("Thôn Đông\r\n\n  xã Vĩnh Bảo,\nHải Phòng\tViệt Nam\n"))
        await settle(pilot)
        assert address.value == "Thôn Đông, xã Vĩnh Bảo, Hải Phòng Việt Nam"
        address.input.post_message(events.Paste(" số 5 "))  # one line: as it is
        await settle(pilot)
        assert address.value.endswith("Việt Nam số 5 ")
