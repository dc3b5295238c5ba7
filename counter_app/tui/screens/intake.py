"""The intake screen: one citizen's dossier in under a minute.

Procedure by type-ahead (Enter), applicant fields (Tab or Enter between them), documents prefilled
from the catalog, Ctrl+S saves, prints (or saves) the receipt, shows the code and clears the form for
the next citizen. A chip-ID QR scan fills name, ID number, birth date and address; a card of someone
other than the applicant already typed asks first, and replaces that person entirely.

The form lives as long as the app (switching screens keeps what was typed) and longer: a second after
the last change it is saved as the counter's draft, in a thread, and the first time the screen opens
(after sign-in) a draft left by a crash or a restart is put back. Saving the dossier drops the draft
in the same transaction; Escape asks before clearing the form and drops the draft too.

Shown again (back from a dossier, another screen or a dialog), the screen puts the focus back in the
form, never in the scan box a code was scanned into on the way out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import date
from time import monotonic
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static

from counter_app.desk import (
    OWNER_REQUIRED,
    UNCHOSEN_REQUIRED,
    Desk,
    Intake,
    check_party_field,
    required_party_fields,
)
from counter_app.domain.dossier import RETURN_METHODS, Dossier
from counter_app.domain.errors import CounterError, FieldError, ValidationError
from counter_app.domain.procedures import MAX_FEE, Procedure
from counter_app.domain.text import thousands
from counter_app.domain.validation import ChipId, parse_amount
from counter_app.tui.formatting import CLOCK_SECONDS, due_text, money, parse_day
from counter_app.tui.messages import ChipScanned, DossierSaved
from counter_app.tui.scanning import chip_form_values
from counter_app.tui.screens.base import (
    TALL_ROWS,
    CounterScreen,
    classed_tall,
    focus_first_error,
    show_field_errors,
)
from counter_app.tui.widgets.checklist import DocumentChecklist
from counter_app.tui.widgets.dossier_table import DossierTable
from counter_app.tui.widgets.fields import Choice, ErrorLine, Field, focus_now
from counter_app.tui.widgets.picker import ProcedurePicker

RETURN_LABELS = {"counter": "Tại quầy", "post": "Qua bưu chính", "online": "Trực tuyến"}
"""Short labels of the return methods for the narrow select (RETURN_METHODS has the full text)."""
DRAFT_DELAY = 1.0
"""Seconds after the last change before the form is saved as the counter's draft."""
DRAFT_RETRY = 5.0
"""Seconds before a draft write that failed (the file busy) is tried again."""
CHECKLIST_HINT = "Space: đánh dấu · x: chỉ xuất trình · gõ số: số bản chính/chứng thực/photo"

INFO_INDENT = 13
"""Cells before the lines under the procedure (the labels' width, #procedure-info's padding)."""
INFO_LINES = 2
"""The lines under the procedure: the due time, the fee (one more when the due time wraps)."""
"""Under the checklist while it lists no paper (two lines at 80 columns); then the highlighted paper's
full name, cut short in its column."""


KIND_LABELS = {"person": "Cá nhân", "organisation": "Tổ chức"}
"""Who submits: a citizen, or an organisation through its representative."""
DIGITISED_LABELS = {"no": "Chưa số hóa", "yes": "Đã số hóa"}
"""Whether the papers were scanned into the system at the counter (số hóa, Decree 118/2025)."""
OWNER_LABELS = {"same": "Là người nộp", "other": "Người khác"}
"""Whether the dossier's owner is the person submitting it (most often) or someone else."""
OWNER_FIELDS = (("Chủ: họ tên", "name"), ("Chủ: số CC", "id_number"), ("Chủ: địa chỉ", "address"))
"""The owner's fields, shown when the owner is someone else (a person)."""
FIELD_LABELS = {
    "person": {"applicant.name": "Họ và tên", "applicant.id_number": "Số căn cước"},
    "organisation": {"applicant.name": "Tên tổ chức", "applicant.id_number": "Mã số thuế"},
}
"""Labels that follow the kind of applicant."""


def check_field(key: str, value: str, today: date, kind: str = "person") -> tuple[str, str]:
    """Check one applicant or owner field as it is left: (error, warning), each "" when none.

    Args:
        kind: The applicant's kind (``person`` or ``organisation``); the owner is a person.
    """
    party, _, name = key.partition(".")
    if party == "applicant":
        return check_party_field(name, value, today, kind)
    if party == "owner":
        return check_party_field(name, value, today)
    return "", ""


def choice_row(label: str, options: Mapping[str, str], value: str, *, id: str, tooltip: str) -> Horizontal:
    """A labelled :class:`Choice` on one line of the form (``options``: value -> label, in order)."""
    choice = Choice([(text, key) for key, text in options.items()], value=value, id=id, tooltip=tooltip)
    return Horizontal(Static(label, classes="field-label"), choice, classes="field-row", id=f"{id}-row")


class IntakeScreen(CounterScreen):
    """Receive a dossier: procedure, applicant, documents, fee, due time; save and print."""

    SCREEN_TITLE = "Tiếp nhận hồ sơ"
    MODE = "intake"
    AUTO_FOCUS = "#procedure-input"
    FOOTER_OPTIONAL = frozenset({"supervisor"})
    """Gives way when the footer is too narrow: at 80 columns a supervisor's footer has room for
    F10 (sign out, which every official at a shared PC needs) or F6, not both; F6 is in Ctrl+P."""

    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Lưu & in",
            id="intake.save",
            tooltip="Lưu hồ sơ, cấp mã, in (hoặc lưu) giấy biên nhận và để trống form cho người sau",
        ),
        Binding(
            "escape",
            "discard",
            "Xóa form",
            id="intake.discard",
            tooltip="Bỏ hồ sơ đang nhập (có hỏi lại trước khi xóa)",
        ),
        Binding(
            "ctrl+r",
            "reprint",
            "In lại biên nhận",
            id="intake.reprint",
            show=False,
            tooltip="In lại giấy biên nhận của hồ sơ vừa lưu",
        ),
        # F3 is "Tiếp nhận" everywhere; on this form it starts the intake again at its first
        # field (the words typed for a procedure elsewhere flip the form's switches).
        Binding(
            "f3",
            "focus_procedure",
            "Tiếp nhận",
            id="intake.restart",
            show=False,
            tooltip="Đưa con trỏ về ô thủ tục (giữ nguyên nội dung đang nhập)",
        ),
    ]

    procedure: reactive[Procedure | None] = reactive(None, init=False)
    """The chosen procedure."""
    saving: reactive[bool] = reactive(False, init=False)
    """True while the desk is storing the dossier (Ctrl+S is ignored meanwhile)."""
    last_saved: reactive[Dossier | None] = reactive(None, init=False)
    """The dossier saved last (its code stays on screen for the official to read out)."""

    def __init__(self) -> None:
        super().__init__()
        self._draft_timer: Timer | None = None
        self._draft_due = 0.0
        self._draft_lock = threading.Lock()
        """Held while the draft is written or a dossier received: one of them at a time."""
        self._draft_epoch = 0
        """Bumped by each draft write, save and discard; a write started before a later one is dropped."""
        self._draft_stored = False
        """True when the database holds a draft of this form (written or restored)."""
        self._draft_checked = False
        """Whether the draft left by the last session was looked for (once, at the first sign-in)."""
        self._told_saving = False
        """The official was told that keys wait while this save goes on."""
        self._warned_for: dict[str, Any] | None = None
        """The form's data when its warnings were last shown: a Ctrl+S on the same data saves."""
        self._receipt_said = ""
        """What the last-saved line says of the receipt (printed, saved as PDF, not printed)."""
        self._form_focus: Widget | None = None
        """The widget of the form that had the focus last (the scan box is not part of the form)."""
        self._info_for: Procedure | None = None
        """The procedure whose due time and fee are shown under the picker (None: the hint)."""
        self.typed_by = ""
        """The official who began typing the form now on screen ("" while it is empty)."""

    def compose_body(self) -> ComposeResult:
        tall = classed_tall(self)
        with Vertical(id="intake"):
            yield ProcedurePicker(self.counter_app.desk.catalog, on_chosen=self._chosen, id="picker")
            yield ErrorLine(id="procedure-error", classes="field-error")
            yield Static(
                "Chọn thủ tục: gõ vài chữ của tên (không cần dấu) hoặc vài số của mã, rồi Enter.",
                id="procedure-info",
            )
            with Horizontal(id="intake-columns"):
                with VerticalScroll(id="applicant", can_focus=False):  # a Tab stop typing went nowhere
                    yield Static("NGƯỜI NỘP HỒ SƠ", classes="section-title")
                    yield choice_row(
                        "Người nộp là",
                        KIND_LABELS,
                        "person",
                        id="f-kind",
                        tooltip="Cá nhân, hoặc tổ chức nộp qua người đại diện (Space hoặc ←/→ để đổi)",
                    )
                    yield Field("Họ và tên", key="applicant.name", id="f-name")
                    yield Field(
                        "Số căn cước",
                        key="applicant.id_number",
                        id="f-id",
                        tooltip="Số căn cước/Hộ chiếu: 12 số (căn cước), 9 số (CMND cũ) "
                        "hoặc 1 chữ cái + 7 số (hộ chiếu). Quét mã QR trên thẻ để điền sẵn.",
                    )
                    yield Field(
                        "Đại diện",
                        key="applicant.representative",
                        id="f-representative",
                        classes="org-only",
                        tooltip="Người đại diện theo pháp luật hoặc theo ủy quyền của tổ chức",
                    )
                    yield Field("Điện thoại", key="applicant.phone", id="f-phone")
                    yield Field("Địa chỉ", key="applicant.address", id="f-address")
                    yield Field(
                        "Ngày sinh",
                        key="applicant.birth_date",
                        id="f-birth",
                        placeholder="dd/mm/yyyy",
                        classes="person-only",
                    )
                    yield Field("Email", key="applicant.email", id="f-email")
                    yield Field("Phí (đồng)", key="fee", id="f-fee")
                    yield Field("Số bộ", key="sets", id="f-sets", value="1")
                    yield choice_row(
                        "Nhận kết quả",
                        {k: RETURN_LABELS[k] for k in RETURN_METHODS},
                        "counter",
                        id="f-return",
                        tooltip="Nơi công dân nhận kết quả (Space hoặc ←/→ để đổi)",
                    )
                    yield choice_row(
                        "Số hóa",
                        DIGITISED_LABELS,
                        "no",
                        id="f-digitised",
                        tooltip="Giấy tờ đã được quét, số hóa vào hệ thống khi tiếp nhận "
                        "(Space hoặc ←/→ để đổi)",
                    )
                    yield choice_row(
                        "Chủ hồ sơ",
                        OWNER_LABELS,
                        "same",
                        id="f-owner",
                        tooltip="Chủ hồ sơ khác người nộp (nộp thay, theo ủy quyền): "
                        "Space hoặc ←/→ để nhập thông tin chủ hồ sơ",
                    )
                    for label, key in OWNER_FIELDS:
                        yield Field(label, key=f"owner.{key}", id=f"f-owner-{key}", classes="owner-only")
                with Vertical(id="documents"):
                    yield Static("THÀNH PHẦN HỒ SƠ", classes="section-title")
                    yield DocumentChecklist(id="checklist", full_names=tall)
                    yield Static(CHECKLIST_HINT, id="checklist-hint", markup=False)
                    yield ErrorLine(id="documents-error", classes="field-error")
            # Filled the first time the terminal is tall enough to show it (see _show_today).
            yield Vertical(id="intake-today")
            yield Static("", id="last-saved")

    # -- parts --------------------------------------------------------------------------------------

    @property
    def picker(self) -> ProcedurePicker:
        return self.query_one("#picker", ProcedurePicker)

    @property
    def checklist(self) -> DocumentChecklist:
        return self.query_one("#checklist", DocumentChecklist)

    @property
    def fields(self) -> list[Field]:
        return list(self.query(Field))

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    @property
    def kind(self) -> str:
        """``person`` or ``organisation``: who submits the dossier."""
        return self.query_one("#f-kind", Choice).value

    @property
    def has_owner(self) -> bool:
        """True when the dossier's owner is someone other than the person submitting it."""
        return self.query_one("#f-owner", Choice).value == "other"

    def in_use(self, field: Field) -> bool:
        """Whether a field belongs to the form as it stands (not hidden by the kind or owner choice)."""
        if field.has_class("org-only"):
            return self.kind == "organisation"
        if field.has_class("person-only"):
            return self.kind == "person"
        if field.has_class("owner-only"):
            return self.has_owner
        return True

    @on(Choice.Changed, "#f-kind")
    def _kind_changed(self, event: Choice.Changed) -> None:
        kind = event.value
        self.query_one("#applicant").set_class(kind == "organisation", "-org")
        for key, label in FIELD_LABELS.get(kind, FIELD_LABELS["person"]).items():
            self.field(key).label = label
        self._mark_required()
        # What was typed stays; its check may no longer hold (a tax code is not a căn cước).
        field = self.field("applicant.id_number")
        if field.value.strip():
            self._check_inline(field, field.value)

    @on(Choice.Changed, "#f-owner")
    def _owner_changed(self, event: Choice.Changed) -> None:
        self.query_one("#applicant").set_class(event.value == "other", "-owner")

    def on_mount(self) -> None:
        for field in self.fields:
            field.input.enter_advances = True
        self._mark_required()
        self.set_interval(CLOCK_SECONDS, self._refresh_info)

    def on_screen_resume(self) -> None:
        if self.counter_app.official is None:
            return  # no dossier and no draft is read before an official signs in
        if not self._draft_checked:
            self._draft_checked = True
            self._restore_draft()
        self._refresh_info()  # back from F6: a day declared off there moves the appointment shown
        if self.last_saved is not None:  # a step since (a new appointment, a refusal) changed it
            self._read_last_saved(self.last_saved.code)
        self._focus_form()
        self.call_after_refresh(self._show_today)
        self.counter_app.intake_ready()

    @on(events.DescendantFocus)
    def _focus_moved(self, event: events.DescendantFocus) -> None:
        if event.widget.id != "scan":
            self._form_focus = event.widget

    def _focus_form(self) -> None:
        """Put the focus back in the form when the screen shows again with it in the scan box (F2,
        or a code scanned over a list, before the official left): the next key typed belongs to the
        form. The field that had it before, else the procedure or the first empty field."""
        focused = self.focused
        if focused is not None and focused.id != "scan":
            return
        last = self._form_focus
        if last is not None and last.is_attached and last.focusable and last.screen is self:
            focus_now(last)
        else:
            self._focus_next_empty()

    def on_resize(self, event: events.Resize) -> None:
        if self.is_mounted:
            self._show_info(self._info_for)  # wrapped for the new width
        # A class set only on a tall terminal, rather than Textual's breakpoints: those mark every
        # screen "-short" on a small one too, and each class change restyles the whole screen.
        tall = event.size.height >= TALL_ROWS
        if tall != self.has_class("-tall"):
            self.set_class(tall, "-tall")
            self.checklist.full_names = tall  # rows to spare: every paper's name in full
            if self.is_attached and self.app.screen is self:
                self.call_after_refresh(self._show_today)

    async def _show_today(self) -> None:
        """Today's intake under the form, when the terminal is tall enough to show it.

        The table is built the first time it shows: most counters run at 80x24, where it never does,
        and the form opens faster without it.
        """
        table = next(iter(self.query("#today-table").results(DossierTable)), None)
        if not self.has_class("-tall"):
            if table is not None:
                table.show(None)
            return
        if table is None:
            table = DossierTable(now=self.counter_app.now, id="today-table")
            await self.query_one("#intake-today", Vertical).mount(
                Static("HỒ SƠ TIẾP NHẬN HÔM NAY (Enter: mở)", classes="section-title"), table
            )
        desk = self.counter_app.desk
        table.show(lambda limit, offset: desk.list_view("today", limit, offset))

    # -- procedure ----------------------------------------------------------------------------------

    @on(ProcedurePicker.Highlighted)
    def _preview(self, event: ProcedurePicker.Highlighted) -> None:
        self._show_info(event.procedure)

    def _chosen(self, procedure: Procedure) -> None:
        """The picker's choice (Enter or a click), taken before the next key is handled."""
        if procedure is not self.procedure:
            # The notices of the last save (its code, where the receipt went) are read by now and
            # the status line keeps the last save: on an 80x24 screen they covered the checklist
            # of the procedure just chosen, as they would a dialog's buttons.
            self.app.clear_notifications()
        self._use_procedure(procedure)
        # On to the applicant only from the picker: a second Enter handed on to the name field
        # must not move the focus mid-scan (it split a chip-ID card's text between the name and
        # the ID number).
        focused = self.focused
        if focused is None or focused is self.picker.input or self.picker in focused.ancestors:
            self._focus_next_empty()
        self.form_changed()

    def _use_procedure(self, procedure: Procedure) -> None:
        """Set the form up for a procedure: its papers, fee and number of sets."""
        if procedure is not self.procedure:
            self.procedure = procedure
            self.checklist.load(procedure)
            self._show_paper_hint()
            # Written as every amount on screen is (50.000); the form reads the dots back out.
            self.field("fee").value = thousands(procedure.fee.amount) if procedure.fee.amount else ""
            self.field("sets").value = str(procedure.sets)
        self.query_one("#procedure-error", ErrorLine).update("")
        self._show_info(procedure)

    def _focus_next_empty(self) -> None:
        if self.procedure is None:
            self.picker.focus()
            return
        first = [f for f in self.fields if f.key.startswith("applicant.") and self.in_use(f)][:4]
        empty = next((f for f in first if not f.value.strip()), None)
        (empty or self.field("applicant.name")).focus()

    def watch_procedure(self, procedure: Procedure | None) -> None:
        if procedure is None:
            self.checklist.load(None)
            self._show_paper_hint()
            self.field("fee").value = ""
        self._show_info(procedure)
        self._mark_required()

    def _mark_required(self) -> None:
        """Star the applicant's fields the chosen procedure needs (the name always), as the desk
        will require them on save: an organisation has no birth date, a person no representative."""
        listed = self.procedure.required_fields if self.procedure is not None else UNCHOSEN_REQUIRED
        needed = required_party_fields(listed, self.kind)
        for field in self.fields:
            party, _, name = field.key.partition(".")
            if party == "applicant":
                field.required = name in needed
            elif party == "owner":
                field.required = name in OWNER_REQUIRED

    def _refresh_info(self) -> None:
        if self.procedure is not None:
            self._show_info(self.procedure)

    def _show_info(self, procedure: Procedure | None) -> None:
        info = self.query_one("#procedure-info", Static)
        if procedure is None:
            procedure = self.procedure
        self._info_for = procedure
        if procedure is None:
            info.update("Chọn thủ tục: gõ vài chữ của tên (không cần dấu) hoặc vài số của mã, rồi Enter.")
            self._info_lines(INFO_LINES)
            return
        try:
            due = self.counter_app.desk.preview_due(procedure.code)
        except CounterError as error:
            self.counter_app.show_error(error)
            return
        fee = procedure.fee.text or (money(procedure.fee.amount) if procedure.fee.amount else "Miễn")
        # The due time and its rule wrap, as the dossier screen's "Thời hạn" does: cut at 80
        # columns, "Trong ngày (sau 15 giờ 00: ngày…" lost the part read out to a citizen who comes
        # after 15:00. The fee stays on one line (the dossier screen has it whole).
        width = max(self.app.size.width - INFO_INDENT, 20)
        due_line = Text.assemble("Hẹn trả ", (due_text(due), "bold"), " · ", procedure.limit.describe_vi())
        if due_line.cell_len > width:  # the rule whole on its own line rather than split anywhere
            due_line = Text.assemble("Hẹn trả ", (due_text(due), "bold"), "\n", procedure.limit.describe_vi())
        fee_line = Text.assemble(("Phí, lệ phí: ", "dim"), fee, no_wrap=True, overflow="ellipsis")
        info.update(Group(due_line, fee_line))
        self._info_lines(len(due_line.wrap(self.app.console, width)) + 1)

    def _info_lines(self, lines: int) -> None:
        """Give the lines under the procedure their height; the list of procedures opens under
        them, so the due time of the one highlighted stays in view."""
        lines = max(lines, INFO_LINES)
        self.query_one("#procedure-info", Static).styles.height = lines
        self.picker.query_one("#procedure-options").styles.offset = (0, lines)

    @on(DocumentChecklist.CellHighlighted, "#checklist")
    @on(DocumentChecklist.Changed)
    def _paper_hint(self) -> None:
        self._show_paper_hint()

    def _show_paper_hint(self) -> None:
        """Under the checklist: the highlighted paper's full name (cut short in its column), or
        the keys while no paper is listed."""
        highlighted = self.checklist.paper_at_cursor()
        hint = self.query_one("#checklist-hint", Static)
        if highlighted is None:
            hint.update(CHECKLIST_HINT)
            return
        row, paper = highlighted
        note = " (chỉ xuất trình)" if paper.shown_only else f" ({paper.note})" if paper.note else ""
        hint.update(f"{row + 1}. {paper.name}{note}")

    # -- inline checks --------------------------------------------------------------------------------

    @on(Input.Blurred)
    def _left_field(self, event: Input.Blurred) -> None:
        field = next((f for f in self.fields if f.input is event.input), None)
        if field is not None and field.key.startswith(("applicant.", "owner.")):
            self._check_inline(field, event.value)
        elif field is not None and field.key == "fee":
            fee, problem = self._read_fee()
            field.error = problem or ""
            if fee is not None:
                field.value = thousands(fee)  # what will be saved, written as the receipt writes it

    def _check_inline(self, field: Field, value: str) -> None:
        """Show the desk's verdict on one field under it: an error, or a warning to look at."""
        error, warning = check_field(field.key, value, self.counter_app.now().date(), self.kind)
        field.error = error or (f"Lưu ý: {warning}" if warning else "")

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "scan":
            return
        event.stop()
        self.focus_next()

    # -- chip ID -------------------------------------------------------------------------------------

    @on(ChipScanned)
    def _chip(self, event: ChipScanned) -> None:
        event.stop()
        self.fill_from_chip(event.chip, owner=event.field.startswith("owner.") and self.has_owner)

    def fill_from_chip(self, chip: ChipId, *, owner: bool = False) -> None:
        """Fill the applicant from a chip-ID QR; the official checks it and adds the phone.

        For an organisation the card is its representative's: it fills the representative only.
        Scanned into one of the owner's fields, it fills the owner's name, ID number and address.
        The card of someone other than the applicant in the form (see :meth:`other_applicant`) is
        not mixed into that person's data: the official is asked, and a yes replaces the applicant
        whole (:meth:`replace_applicant`).
        """
        if owner:  # the owner's fields have no birth date
            for key, value in chip_form_values(chip).items():
                if key == "birth_date":
                    continue
                self.field(f"owner.{key}").value = value
                self.field(f"owner.{key}").error = ""
            self.notify(f"Chủ hồ sơ: {chip.name} (từ căn cước).", title="Quét căn cước")
            return
        if self.kind == "organisation":
            self.field("applicant.representative").value = chip.name
            self.field("applicant.representative").error = ""
            self.notify(f"Người đại diện: {chip.name} (từ căn cước).", title="Quét căn cước")
            return
        previous = self.other_applicant(chip)
        if previous:
            self._ask_to_replace(chip, previous)
            return
        self._fill_applicant(chip)

    def other_applicant(self, chip: ChipId) -> str:
        """Who the form's applicant is when that is not the card's holder ("" when it is, or when
        no one is typed yet; :meth:`ChipId.is_someone_else` tells). A phone or email typed alone
        is taken to be the card holder's."""
        name = self.field("applicant.name").value.strip()
        typed_id = "".join(self.field("applicant.id_number").value.split())
        if not chip.is_someone_else(name, typed_id):
            return ""
        return f"{name}, {typed_id}" if name and typed_id else typed_id or name

    def _ask_to_replace(self, chip: ChipId, previous: str) -> None:
        # The dialogs' module is imported when first needed: it is not part of start-up.
        from counter_app.tui.screens.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.replace_applicant(chip)
            else:
                self.notify(f"Giữ nguyên người nộp {previous}.", title="Quét căn cước")

        question = (
            f"Thẻ căn cước của {chip.name} ({chip.id_number}) không phải của người nộp đang nhập "
            f"({previous}).\n\nThay người nộp bằng {chip.name}? Điện thoại, email, chủ hồ sơ và "
            "nơi nhận kết quả đã nhập cho người trước sẽ bị xóa; thủ tục và giấy tờ giữ nguyên."
        )
        self.app.push_screen(
            ConfirmDialog(question, yes="Thay người nộp", no="Không, giữ người cũ"),
            answered,
        )

    def replace_applicant(self, chip: ChipId) -> None:
        """Put the card's holder in place of the applicant typed so far.

        Everything that was the previous person's goes: every applicant field the card does not
        fill (phone, email), the owner they submitted for (a mandate is given to one person), and
        where they wanted the result (their choice, by post to their address). The procedure, its
        papers, fee and number of sets stay: they are the dossier's, whoever hands it in.
        """
        for field in self.fields:
            if field.key.startswith(("applicant.", "owner.")):
                field.value = ""
                field.error = ""
        self.query_one("#f-owner", Choice).value = "same"
        self.query_one("#f-return", Choice).value = "counter"
        self.query_one("#f-digitised", Choice).value = "no"
        self._fill_applicant(chip)

    def _fill_applicant(self, chip: ChipId) -> None:
        for key, value in chip_form_values(chip).items():
            self.field(f"applicant.{key}").value = value
            self.field(f"applicant.{key}").error = ""
        self.notify(
            f"Đã điền thông tin của {chip.name} từ căn cước. Kiểm tra địa chỉ (có thể là địa danh cũ).",
            title="Quét căn cước",
        )
        if self.procedure is None:
            self.picker.focus()
        else:
            self.field("applicant.phone").focus()

    # -- save -----------------------------------------------------------------------------------------

    @property
    def is_dirty(self) -> bool:
        """True when something was typed or chosen that saving or Escape would drop."""
        defaults = {"sets": {"", "1", str(self.procedure.sets if self.procedure else 1)}}
        typed = any(
            f.value.strip() and f.value.strip() not in defaults.get(f.key, {""})
            for f in self.fields
            if f.key != "fee"
        )
        chosen = self.kind != "person" or self.has_owner
        return typed or chosen or self.procedure is not None or bool(self.picker.input.value.strip())

    def intake_data(self) -> dict[str, Any]:
        """The form in the desk's intake shape."""
        parties: dict[str, dict[str, str]] = {"applicant": {}, "owner": {}}
        for field in self.fields:
            party, _, key = field.key.partition(".")
            if party in parties and field.value.strip() and self.in_use(field):
                parties[party][key] = field.value.strip()
        applicant, owner = parties["applicant"], parties["owner"]
        if "birth_date" in applicant:
            day = parse_day(applicant["birth_date"])
            applicant["birth_date"] = day.isoformat() if day else applicant["birth_date"]
        if self.kind == "organisation":
            applicant["kind"] = "organisation"
        data: dict[str, Any] = {
            "procedure": self.procedure.code if self.procedure else "",
            "applicant": applicant,
            "return_method": self.query_one("#f-return", Choice).value,
            "digitised": self.query_one("#f-digitised", Choice).value == "yes",
        }
        if self.has_owner:
            data["owner"] = owner  # empty: the desk asks for the owner's name
        if self.procedure is not None:
            data["documents"] = self.checklist.items()
        sets = self.field("sets").value.strip()
        data["sets"] = int(sets) if sets.isdigit() else sets
        fee, _ = self._read_fee()
        if fee is not None:
            data["fee"] = fee
        return data

    def _local_errors(self) -> list[tuple[str, str]]:
        problems = []
        chosen = self.picker.procedure
        if self.procedure is not None and (chosen is None or chosen.code != self.procedure.code):
            # Typed over and left without Enter: the head previews what was typed, the form (its
            # papers, fee, appointment) is still the one chosen before; saving took that one.
            typed = self.picker.input.value.strip()
            problems.append(
                (
                    "procedure",
                    f"Chưa chọn thủ tục «{typed}»: Enter để chọn trong danh sách (hồ sơ vẫn đang theo "
                    "thủ tục chọn trước).",
                )
            )
        for field in self.fields:
            if field.key == "applicant.birth_date" and field.value.strip() and self.in_use(field):
                error, _ = check_field(field.key, field.value, self.counter_app.now().date())
                if error:
                    problems.append((field.key, error))
        _, fee_problem = self._read_fee()
        if fee_problem:
            problems.append(("fee", fee_problem))
        return problems

    def _read_fee(self) -> tuple[int | None, str | None]:
        """The fee as typed, or what is wrong with it: its grouping, or a fee emptied for a
        procedure that has one (saving put the catalog's amount back, on the receipt the citizen
        pays from). ``(None, None)``: empty, for a procedure without a fee."""
        fee, problem = parse_amount(self.field("fee").value, limit=MAX_FEE)
        if problem is None and fee is None and self.procedure is not None and self.procedure.fee.amount:
            problem = "Chưa nhập phí, lệ phí: gõ số đồng phải nộp, hoặc 0 nếu được miễn."
        return fee, problem

    def _field_checks(self) -> tuple[dict[str, str], dict[str, str]]:
        """Every applicant and owner field in use checked as it would be on leaving it, with the
        birth date and fee: (errors, warnings) by field key. The field being typed in was never
        left, so its check must not wait for a blur that a Ctrl+S does not give."""
        errors = dict(self._local_errors())
        warnings: dict[str, str] = {}
        today = self.counter_app.now().date()
        for field in self.fields:
            if field.key in errors or not field.key.startswith(("applicant.", "owner.")):
                continue
            if field.value.strip() and self.in_use(field):
                error, warning = check_field(field.key, field.value, today, self.kind)
                if error:
                    errors[field.key] = error
                elif warning:
                    warnings[field.key] = warning
        return errors, warnings

    def action_focus_procedure(self) -> None:
        self.picker.focus()

    def action_save(self) -> None:
        """Save the form, unless a field is wrong (every wrong field is marked at once, the ones the
        desk finds too), or a field has a warning not yet shown for what is typed now (a phone of 5
        digits): then the warnings are shown under their fields, and a second Ctrl+S saves as typed."""
        if self.saving:
            return
        for field in self.fields:
            field.error = ""
        self.query_one("#procedure-error", ErrorLine).update("")
        self.query_one("#documents-error", ErrorLine).update("")
        official = self.counter_app.official
        if official is None:
            return
        data = self.intake_data()
        errors, warnings = self._field_checks()
        found: list[FieldError] = []
        others: list[str] = []  # warnings of no one field (no papers ticked)
        parsed: Intake | None = None
        try:  # what the desk says of the whole form, so nothing is left for a next round
            parsed = self.counter_app.desk.parse_intake(data)
            others = [w for w in parsed.warnings if w not in warnings.values()]
        except ValidationError as error:
            found = [e for e in error.errors if e.field not in errors]
        except CounterError:
            pass  # not a problem of the form (the counter not set up): the save says it
        if errors or found:
            self._show_errors(ValidationError([FieldError(k, m) for k, m in errors.items()] + found))
            return
        if (warnings or others) and data != self._warned_for:
            self._warned_for = data
            for key, warning in warnings.items():
                self.field(key).error = f"Lưu ý: {warning}"
            focus_first_error(self.fields)
            self.notify(
                "\n".join([*others, "Sửa nếu cần, hoặc nhấn Ctrl+S lần nữa để lưu như đã nhập."]),
                title="Lưu ý trước khi lưu",
                severity="warning",
            )
            return
        self.saving = True
        # A draft write still waiting must not bring back the form once the dossier is saved.
        self._cancel_draft_timer()
        self._draft_epoch += 1
        # Parsed above: the worker only saves (unparsed when the desk refused to parse for a reason
        # that is not the form's, which the save then says).
        self._save(self.counter_app.desk, parsed or data, official.full_name)

    @work(thread=True, exit_on_error=False, group="intake")
    def _save(self, desk: Desk, intake: Intake | dict[str, Any], actor: str) -> None:
        try:
            with self._draft_lock:
                dossier = desk.receive(intake, actor, clear_draft=True)
        except ValidationError as error:
            self.app.call_from_thread(self._show_errors, error)
            return
        except BaseException:
            self.app.call_from_thread(self._not_saved)
            raise  # to the app's one error handler
        self.app.call_from_thread(self._saved, dossier)

    def _not_saved(self) -> None:
        """The dossier was not stored: the form stays, and so must its draft."""
        self.saving = False
        self.form_changed()

    def _show_errors(self, error: ValidationError) -> None:
        self._not_saved()
        leftovers = show_field_errors(self.fields, error)
        procedure_errors = [e.message for e in error.errors if e.field == "procedure"]
        document_errors = [e.message for e in error.errors if e.field.startswith("documents")]
        self.query_one("#procedure-error", ErrorLine).update("\n".join(procedure_errors))
        self.query_one("#documents-error", ErrorLine).update("\n".join(document_errors))
        rest = [m for m in leftovers if m not in procedure_errors and m not in document_errors]
        if rest:
            self.notify("\n".join(rest), title=error.title, severity="error")
        if procedure_errors:
            self.picker.focus()
        elif not focus_first_error(self.fields) and document_errors:
            self.checklist.focus()

    def _saved(self, dossier: Dossier) -> None:
        self.saving = False
        self._draft_stored = False  # dropped with the save, in the same transaction
        self.last_saved = dossier
        self.post_message(DossierSaved(dossier))
        self.clear_form()
        self.notify(
            f"Mã hồ sơ {dossier.code}\nHẹn trả: {due_text(dossier.due_at)}",
            title="Đã tiếp nhận hồ sơ",
        )
        self._warned_for = None  # its warnings, if any, were shown before the save
        self.counter_app.print_form(dossier.code, "receipt", on_done=self._receipt_done)
        self.call_later(self._show_today)

    def watch_saving(self, saving: bool) -> None:
        if saving:
            self.query_one("#last-saved", Static).update(Text("Đang lưu hồ sơ…", style="bold"))
        else:  # saved (the new code shows next) or not: the line says again what it said before
            self._told_saving = False
            self._show_last_saved(self.last_saved, self._receipt_said)

    def hold_key(self) -> None:
        """A key typed while a save waits for another program's lock (up to ten seconds): it would
        land in a form about to be cleared, saved nowhere. It is held back with a bell, and the
        official told once per save to wait."""
        self.app.bell()
        if not self._told_saving:
            self._told_saving = True
            self.notify("Đang lưu hồ sơ, chờ giây lát rồi gõ tiếp.", title="Đang lưu", timeout=3)

    def watch_last_saved(self, dossier: Dossier | None) -> None:
        self._show_last_saved(dossier, "đang in giấy biên nhận…")

    def _show_last_saved(self, dossier: Dossier | None, receipt: str) -> None:
        self._receipt_said = receipt
        if dossier is None:  # forgotten at sign-out: the next official sees no one's dossier
            self.query_one("#last-saved", Static).update("")
            return
        due = dossier.appointment_at if dossier.is_open else None  # withdrawn, handed back: none
        appointment = f"hẹn trả {due_text(due)}" if due is not None else dossier.status_name
        self.query_one("#last-saved", Static).update(
            Text.assemble(
                ("✔ Đã lưu ", "green"),
                (dossier.code, "bold reverse"),
                f"  {dossier.applicant.name} · {appointment} · {receipt}",
            )
        )

    @work(thread=True, exit_on_error=False, group="last-saved", exclusive=True)
    def _read_last_saved(self, code: str) -> None:
        try:
            dossier = self.counter_app.desk.get(code)  # no viewer: the official's own last save
        except CounterError:
            return  # gone (a file restored): the line keeps what it said
        self.app.call_from_thread(self._last_saved_read, dossier)

    def _last_saved_read(self, dossier: Dossier) -> None:
        last = self.last_saved
        if last is not None and last.code == dossier.code and last != dossier:
            self.set_reactive(IntakeScreen.last_saved, dossier)  # the line, not "printing" again
            self._show_last_saved(dossier, self._receipt_said)

    def _receipt_done(self, message: str) -> None:
        self._show_last_saved(self.last_saved, message)

    def action_reprint(self) -> None:
        if self.last_saved is not None:
            self.counter_app.print_form(self.last_saved.code, "receipt", on_done=self._receipt_done)

    # -- clear ----------------------------------------------------------------------------------------

    def clear_form(self) -> None:
        """Empty the form for the next citizen (the last saved code stays shown)."""
        for field in self.fields:
            field.value = "1" if field.key == "sets" else ""
            field.error = ""
        self.query_one("#f-return", Choice).value = "counter"
        self.query_one("#f-digitised", Choice).value = "no"
        self.query_one("#f-kind", Choice).value = "person"
        self.query_one("#f-owner", Choice).value = "same"
        self.query_one("#procedure-error", ErrorLine).update("")
        self.query_one("#documents-error", ErrorLine).update("")
        self.picker.clear()
        self.procedure = None
        self.typed_by = ""
        self.picker.focus()

    def action_discard(self) -> None:
        if not self.is_dirty:
            self.clear_form()  # nothing typed to lose: only the messages of a save tried on it
            return

        # The dialogs' module is imported when first needed: it is not part of start-up.
        from counter_app.tui.screens.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self.clear_form()
                self.discard_draft()

        self.app.push_screen(
            ConfirmDialog("Xóa toàn bộ nội dung đang nhập của hồ sơ này?", yes="Xóa", no="Không, nhập tiếp"),
            answered,
        )

    # -- draft ----------------------------------------------------------------------------------------

    @on(Input.Changed)
    @on(Choice.Changed)
    @on(DocumentChecklist.Changed)
    def _form_edited(self, event: Input.Changed | Choice.Changed | DocumentChecklist.Changed) -> None:
        if isinstance(event, Input.Changed) and event.input.id == "scan":
            return
        self.form_changed()

    def form_changed(self) -> None:
        """Save the draft :data:`DRAFT_DELAY` after the last change (a burst of keys saves once)."""
        official = self.counter_app.official
        if not self.is_dirty:
            # The changes of a form emptied (saved, discarded) arrive after it was emptied: they
            # named whoever saved last as the one typing the next citizen's form.
            self.typed_by = ""
        elif not self.typed_by and official is not None:
            self.typed_by = official.full_name
        self._draft_due = monotonic() + DRAFT_DELAY
        if self._draft_timer is None:
            self._draft_timer = self.set_timer(DRAFT_DELAY, self._draft_time, name="intake-draft")

    @property
    def draft_pending(self) -> bool:
        """True while a change waits for the delay before the draft is written."""
        return self._draft_timer is not None

    def _draft_time(self) -> None:
        # One timer for a burst: it fires a delay after the first change and waits out the rest.
        self._draft_timer = None
        left = self._draft_due - monotonic()
        if left > 0.05:
            self._draft_timer = self.set_timer(left, self._draft_time, name="intake-draft")
        else:
            self.flush_draft()

    def _cancel_draft_timer(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None

    def flush_draft(self) -> None:
        """Write the draft now, in a thread: the form as it is, or no draft once the form is empty."""
        self._cancel_draft_timer()
        if self.saving:
            return  # the save drops the draft, or its failure asks for a new one
        if self.is_dirty:
            self._draft_stored = True
            self._draft_epoch += 1
            self._write_draft(self.counter_app.desk, self.draft_data(), self._draft_epoch)
        elif self._draft_stored:
            self.discard_draft()

    def discard_draft(self) -> None:
        """Drop the counter's draft (in a thread), e.g. once the official cleared the form."""
        self._cancel_draft_timer()
        self._draft_stored = False
        self._draft_epoch += 1
        self._write_draft(self.counter_app.desk, None, self._draft_epoch)

    def keep_draft_then(self, kept: Callable[[], None]) -> None:
        """Write the draft now (in a thread: the screen answers meanwhile), then call ``kept``;
        not when the draft could not be written (the file busy past the wait, or not writable).

        Quitting under another program's write lock waited 20 s on a frozen screen, then exited
        without the draft the quit question had promised to put back.
        """
        self._cancel_draft_timer()
        if self.saving or not self.is_dirty:
            kept()
            return
        self._draft_stored = True
        self._draft_epoch += 1
        self._write_draft(self.counter_app.desk, self.draft_data(), self._draft_epoch, kept)

    @work(thread=True, exit_on_error=False, group="draft")
    def _write_draft(
        self, desk: Desk, data: dict[str, Any] | None, epoch: int, kept: Callable[[], None] | None = None
    ) -> None:
        try:
            self._store_draft(desk, data, epoch)
        except CounterError:
            # The file busy (another program writing) or not writable now: tried again, or the
            # form typed during a long write lock was in no draft once the lock was gone.
            self.app.call_from_thread(self._draft_failed, epoch)
            if kept is not None:
                self.app.call_from_thread(self._not_kept)
            raise
        if kept is not None:
            self.app.call_from_thread(kept)

    def _not_kept(self) -> None:
        self.app.notify(
            "Chương trình chưa thoát: hồ sơ đang nhập dở chưa giữ lại được (xem lỗi bên cạnh). "
            "Hãy lưu hồ sơ, hoặc đợi ít phút rồi thoát lại.",
            title="Chưa thoát",
            severity="warning",
            timeout=15,
        )

    def _draft_failed(self, epoch: int) -> None:
        if epoch == self._draft_epoch and self._draft_timer is None:
            self._draft_timer = self.set_timer(DRAFT_RETRY, self._draft_time, name="intake-draft")

    def _store_draft(self, desk: Desk, data: dict[str, Any] | None, epoch: int) -> None:
        with self._draft_lock:
            if epoch != self._draft_epoch:
                return  # a later write, a save or a discard came after this one
            if data is None:
                desk.clear_draft()
            else:
                desk.save_draft(data)

    def draft_data(self) -> dict[str, Any]:
        """The form as a draft: the desk's intake shape, plus what putting the form back needs."""
        data = self.intake_data()
        data["form"] = {
            "query": "" if self.procedure is not None else self.picker.input.value,
            "fields": {f.key: f.value for f in self.fields},
            "papers": self.checklist.state(),
            "kind": self.kind,
            "owner": "other" if self.has_owner else "same",
            "typed_by": self.typed_by,
        }
        return data

    def _restore_draft(self) -> None:
        # Read here, not in a worker: one row by key, and the form must be back before the first
        # key the official types lands in it.
        try:
            draft = self.counter_app.desk.load_draft()
        except CounterError as error:
            self.counter_app.show_error(error)
            return
        if draft and self.restore(draft):
            self._draft_stored = True
            official = self.counter_app.official
            by = (
                self.typed_by
                if official is not None and self.typed_by not in ("", official.full_name)
                else ""
            )
            whose = f" do {by} nhập: hãy kiểm tra lại trước khi lưu" if by else ""
            self.notify(f"Đã khôi phục hồ sơ đang nhập dở{whose}", title="Hồ sơ đang nhập dở")

    def restore(self, draft: Mapping[str, Any]) -> bool:
        """Fill the form from a draft (see :meth:`draft_data`); False if it held nothing.

        A draft in the bare intake shape (no ``form`` part) is restored as far as it goes. A procedure
        no longer in the catalog is left typed in the picker for the official to choose again.
        """
        form = draft.get("form")
        form = form if isinstance(form, Mapping) else {}
        code = draft.get("procedure")
        if isinstance(code, str) and code.strip():
            try:
                self._use_procedure(self.picker.choose(code, announce=False))
            except CounterError:
                self.picker.input.value = code
        elif isinstance(form.get("query"), str):
            self.picker.input.value = form["query"]
        applicant = draft.get("applicant")
        kind = form.get("kind") or (applicant.get("kind") if isinstance(applicant, Mapping) else None)
        if kind in KIND_LABELS:
            self.query_one("#f-kind", Choice).value = str(kind)
        owner = form.get("owner") or ("other" if isinstance(draft.get("owner"), Mapping) else None)
        if owner in OWNER_LABELS:
            self.query_one("#f-owner", Choice).value = str(owner)
        if isinstance(form.get("typed_by"), str):
            self.typed_by = form["typed_by"]
        values = form.get("fields")
        if not isinstance(values, Mapping):
            values = _fields_of_intake(draft)
        for field in self.fields:
            value = values.get(field.key)
            if isinstance(value, str):
                field.value = value
        method = draft.get("return_method")
        if isinstance(method, str) and method in RETURN_LABELS:
            self.query_one("#f-return", Choice).value = method
        self.query_one("#f-digitised", Choice).value = "yes" if draft.get("digitised") is True else "no"
        papers = form.get("papers")
        if self.procedure is not None:
            if isinstance(papers, list):
                self.checklist.restore(papers)
            elif isinstance(draft.get("documents"), list):
                listed: list[Mapping[str, Any]] = [d for d in draft["documents"] if isinstance(d, Mapping)]
                names = {d.get("name") for d in listed}
                unticked = [{"name": p.name, "checked": False} for p in self.checklist.papers]
                self.checklist.restore([*(e for e in unticked if e["name"] not in names), *listed])
        self._focus_next_empty()
        return self.is_dirty


def _fields_of_intake(draft: Mapping[str, Any]) -> dict[str, str]:
    """Field values from a draft in the desk's intake shape (the birth date back to dd/mm/yyyy)."""
    values: dict[str, str] = {}
    for party in ("applicant", "owner"):
        fields = draft.get(party)
        if isinstance(fields, Mapping):
            for key, value in fields.items():
                if isinstance(value, str) and key != "kind":
                    values[f"{party}.{key}"] = value
    if values:
        day = parse_day(values.get("applicant.birth_date", ""))
        if day is not None:
            values["applicant.birth_date"] = day.strftime("%d/%m/%Y")
    for key in ("sets", "fee"):
        if isinstance(draft.get(key), int | str):
            values[key] = str(draft[key])
    return values
