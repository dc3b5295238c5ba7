"""Hostile input at the intake form: a huge paste, an over-long name, NFD text."""

from __future__ import annotations

import unicodedata

from textual import events

from counter_app.desk import Desk
from counter_app.tui.messages import DossierSaved
from counter_app.tui.widgets.fields import MAX_FIELD_CHARS

from .conftest import (
    OFFICIAL,
    SIZE,
    SUPERVISOR,
    Seen,
    begin_intake,
    intake_screen,
    settle,
    sign_in,
    type_text,
)


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


MARKUP = "[/x] [b]đậm[/b] :smile:"
"""Text that Rich and Textual markup would read: an unmatched closing tag ends the program with a
MarkupError, a matched one is eaten, and ":smile:" becomes an emoji."""


async def test_markup_like_text_from_people_and_the_city_shows_as_typed(  # type: ignore[no-untyped-def]
    staffed_desk: Desk, output_dir, seen: Seen
) -> None:
    """Every place a person or the city's hub puts text: the catalog's names and papers, an
    official's and the commune's names, the applicant, a reason, a note of a day off. Each shows
    as typed, on every screen that shows it, and nothing ends the program."""
    import json
    from datetime import date
    from pathlib import Path

    from counter_app.tui.app import make_app
    from tests.conftest import intake

    from .conftest import notifications, open_supervisor, scan, search_for, texts

    desk = staffed_desk
    catalog = json.loads(Path("counter_app/data/procedures.json").read_text(encoding="utf-8"))
    catalog["version"] = "2099.1"
    procedure = catalog["procedures"][0]
    procedure["name"] = f"Đăng ký khai sinh {MARKUP}"
    procedure["documents"][0]["name"] = f"Tờ khai {MARKUP}"
    desk.import_catalog(catalog)
    desk.update_settings(commune_name=f"xã Vĩnh {MARKUP}")
    desk.add_official("hoa", f"Lê Hoa {MARKUP}", "official", "1357")
    desk.set_override(date(2026, 12, 31), "day_off", f"Nghỉ {MARKUP}")
    data = intake()
    data["procedure"] = procedure["code"]
    data["applicant"].update(name=f"Đặng Thị Hoà {MARKUP}", address=f"Thôn A {MARKUP}")
    code = desk.receive(data, "Lê Hoa").code
    desk.request_extra_papers(code, "Lê Hoa", papers=[f"Giấy {MARKUP}"], reason=f"Thiếu {MARKUP}")

    app = make_app(desk)
    async with app.run_test(size=(160, 48), message_hook=seen.append, notifications=True) as pilot:
        await sign_in(pilot, ("hoa", "1357", ""))
        assert f"Lê Hoa {MARKUP}" in texts(app, "#status-line")
        await type_text(pilot, procedure["code"])
        await pilot.press("enter")
        await settle(pilot)
        assert f"Tờ khai {MARKUP}" in texts(app, "#checklist")
        app.screen.query_one("#checklist").focus()
        await settle(pilot)
        assert f"Tờ khai {MARKUP}" in texts(app, "#checklist-hint")

        await scan(pilot, code)
        facts = texts(app, "#dossier-facts")
        for said in (f"Đặng Thị Hoà {MARKUP}", f"Thôn A {MARKUP}", f"Thiếu {MARKUP}", f"Giấy {MARKUP}"):
            assert said in facts
        await pilot.press("escape")
        await settle(pilot)

        await search_for(pilot, "dang thi hoa")
        assert "Đặng Thị Hoà [/x] [b]" in texts(app, "DossierTable")  # cut to its column
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "dang thi hoa")
        await pilot.pause(0.5)
        await settle(pilot)
        assert f"Đăng ký khai sinh {MARKUP}" in texts(app, "CommandList")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)

        await sign_in(pilot, SUPERVISOR)
        # The form Lê Hoa left half typed: the notice names who typed it, as typed.
        assert any(f"Lê Hoa {MARKUP}" in notice for notice in notifications(app))
        await pilot.pause(0.2)
        assert f"Lê Hoa {MARKUP}" in " ".join(texts(app, "Toast").replace("▌", " ").split())
        screen = await open_supervisor(pilot, "officials", who=None)
        assert f"Lê Hoa {MARKUP}" in texts(app, "#officials-table")
        screen.tabs.active = "calendar"
        await settle(pilot)
        assert f"Nghỉ {MARKUP}" in texts(app, "#overrides")
        assert isinstance(app.screen, type(screen))
