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
