"""Dialogs: a yes/no question, a lifecycle step with its reason, and the choice of a form to print."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from counter_app.desk import FEE_REQUEST_MAX, AccessEntry, form_title
from counter_app.domain.calendar import VN_TZ
from counter_app.domain.dossier import RATING_LEVELS, TRANSITIONS, Dossier
from counter_app.domain.errors import CounterError, FieldError, ValidationError
from counter_app.domain.text import thousands
from counter_app.domain.validation import moment_problem, parse_amount
from counter_app.tui.formatting import birth_text, due_text, parse_day_time
from counter_app.tui.messages import ChipScanned
from counter_app.tui.scanning import chip_form_values
from counter_app.tui.screens.base import CounterModal, focus_first_error, pass_on_scan, show_field_errors
from counter_app.tui.widgets.bars import DialogFooter
from counter_app.tui.widgets.fields import ErrorLine, Field, focus_now


class ConfirmDialog(CounterModal):
    """A question with Đồng ý / Không; dismisses with True or False."""

    BINDINGS = [
        Binding("escape", "answer(False)", "Không", id="confirm.no"),
        # Left and right move between the two buttons, as in any dialog box; Enter presses one.
        # No letter answers "yes": a chip-ID card scanned by mistake types names full of them
        # ("Ngọc", "Thủy"), and would have confirmed clearing the form. The focus starts on "no".
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, question: str, *, yes: str = "Đồng ý", no: str = "Không") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no
        # The footer names Esc as the button it answers ("Ở lại"), not a "Không" no button says.
        keys = self._bindings.key_to_bindings
        keys["escape"] = [replace(b, description=no) for b in keys.get("escape", [])]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-question", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="error", id="yes")
                yield Button(self.no, id="no")
            yield Static(
                f"←: chọn «{self.yes}» rồi Enter · Esc: {self.no}", classes="dialog-hint", markup=False
            )
        yield DialogFooter()

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


STEP_FIELDS: dict[str, list[tuple[str, str]]] = {
    "transferred": [("to_agency_name", "Cơ quan nhận"), ("note", "Ghi chú")],
    "extra_papers_requested": [("papers", "Giấy tờ bổ sung"), ("reason", "Lý do")],
    "extra_papers_received": [("note", "Ghi chú")],
    "fee_requested": [("amount", "Số tiền (đồng)"), ("reason", "Nội dung")],
    "fee_paid": [],
    "refused": [("reason", "Lý do từ chối")],
    "withdrawn": [("reason", "Lý do rút")],
    "stopped": [("reason", "Lý do dừng"), ("legal_basis", "Căn cứ pháp lý")],
    "result_ready": [("note", "Ghi chú")],
    "returned": [("receiver", "Người nhận"), ("note", "Ghi chú")],
    "appointment_moved": [("new_due", "Hẹn trả mới"), ("reason", "Lý do")],
    "rated": [("comment", "Ý kiến"), ("rater", "Người đánh giá")],
    "corrected": [("reason", "Lý do sửa")],  # after the applicant's fields (``step_fields``)
}
"""The inputs each lifecycle step asks for, in order (key, label)."""


def step_fields(kind: str, dossier: Dossier) -> list[tuple[str, str]]:
    """The inputs of a step's dialog: a correction's start with the applicant's details as
    recorded, the fields of an organisation or of a person."""
    fields = STEP_FIELDS.get(kind, [])
    if kind != "corrected":
        return fields
    if dossier.applicant.kind == "organisation":
        party = [
            ("applicant.name", "Tên tổ chức"),
            ("applicant.id_number", "Mã số tổ chức"),
            ("applicant.representative", "Người đại diện"),
        ]
    else:
        party = [
            ("applicant.name", "Họ và tên"),
            ("applicant.id_number", "Số căn cước"),
            ("applicant.birth_date", "Ngày sinh"),
        ]
    party += [
        ("applicant.phone", "Số điện thoại"),
        ("applicant.email", "Email"),
        ("applicant.address", "Địa chỉ"),
    ]
    if dossier.owner is not None:  # what the national record and the forms carry of the owner
        party += [
            ("owner.name", "Chủ hồ sơ"),
            ("owner.id_number", "CCCD chủ hồ sơ"),
            ("owner.address", "Địa chỉ chủ hồ sơ"),
        ]
    return party + fields


PLACEHOLDERS = {
    "papers": "tên[: số bản chính/chứng thực/photo]; tên khác…",
    "amount": "ví dụ 50.000",
    "new_due": "dd/mm/yyyy hh:mm",
    "legal_basis": "không bắt buộc",
    "note": "không bắt buộc",
    "to_agency_name": "không bắt buộc",
    "comment": "không bắt buộc",
    "rater": "nếu không phải người nộp",
}

RATING_HINT = "Mức độ hài lòng: gõ số 1-5 hoặc ↑/↓, rồi Enter để sang ý kiến"
"""Over the levels of a rating: a digit or an arrow picks a level, Enter moves on to the comment."""

StepRunner = Callable[[dict[str, Any]], Dossier]
"""Calls the desk with the dialog's values; returns the updated dossier."""


class DialogOptions(OptionList):
    """The choices of a dialog, guarded against a scanner.

    A scanner types a dossier code and Enter into whatever has focus. Characters are not how a list
    is used (except what :meth:`takes` accepts), so those typed here are kept aside, and the Enter that
    ends them chooses nothing: a receipt scanned while the dialog is open must not print a form or
    record a rating. When they hold a dossier code, the app says to close the dialog first, as it
    does for a code scanned into a dialog's field.
    """

    def __init__(self, *options: Option, id: str | None = None) -> None:
        super().__init__(*options, id=id)
        self._typed = ""
        """Printable keys typed since the last Enter or move (a scan when more than one)."""

    def takes(self, typed: str) -> bool:
        """Whether ``typed`` (all the keys typed since the last Enter) is a choice here."""
        return False

    def on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            typed, self._typed = self._typed, ""
            if typed and not self.takes(typed):
                event.stop()
                event.prevent_default()
                self._not_a_choice(typed)
        elif event.is_printable:
            self._typed += event.character or ""
            if not self.takes(self._typed):
                event.stop()
                event.prevent_default()
                self._typing(self._typed)
        else:
            self._typed = ""

    def _typing(self, typed: str) -> None:
        """Keys typed that are not a choice (a scan under way): nothing by default."""

    def _not_a_choice(self, typed: str) -> None:
        pass_on_scan(self, typed)


class RatingLevels(DialogOptions):
    """The satisfaction levels: a digit 1-5 picks one (the citizen says a word, the official types
    its number) and the focus stays, to correct it, until Enter moves on (the dialog does that, on
    ``OptionSelected``). A letter typed on a chosen level is the comment begun without that Enter:
    it goes to :attr:`then`. Anything else (a scanned code starts with digits and dots) unpicks."""

    def __init__(self, *options: Option, id: str | None = None) -> None:
        super().__init__(*options, id=id)
        self.then: Input | None = None
        """The input the text typed here goes to (the comment)."""

    def takes(self, typed: str) -> bool:
        # Digits 1-5 only: the last one is the level (typing another corrects it). A dossier code
        # always holds a dot or a hyphen.
        return bool(typed) and all(c in "12345" for c in typed)

    def on_key(self, event: events.Key) -> None:
        character = event.character or ""
        focused = self.screen.focused
        if focused is not self:
            # Keys of a burst queued here before the focus moved on: the input now focused gets them.
            if focused is not None and event.is_printable:
                event.stop()
                event.prevent_default()
                focused.post_message(events.Key(event.key, character))
            return
        if self.takes(self._typed) and event.is_printable and character.isalpha() and self.then:
            event.stop()
            event.prevent_default()
            self._typed = ""
            focus_now(self.then)
            self.then.insert_text_at_cursor(character)
            return
        super().on_key(event)
        if self.takes(self._typed):
            self.highlighted = self.get_option_index(self._typed[-1])

    def _typing(self, typed: str) -> None:
        self.highlighted = None  # a digit of a scanned code picked nothing for the citizen


class StepDialog(CounterModal):
    """Confirm one lifecycle step, with the reason (and other inputs) the step needs.

    Dismisses with the updated dossier once the desk recorded the step, or None if cancelled. Bad
    input stays in the dialog, shown under its field.
    """

    BINDINGS = [
        Binding("ctrl+s", "confirm", "Xác nhận", id="step.confirm", tooltip="Ghi nhận bước xử lý"),
        Binding("escape", "cancel", "Hủy", id="step.cancel", tooltip="Đóng, không ghi gì"),
    ]

    def __init__(
        self,
        dossier: Dossier,
        kind: str,
        run: StepRunner,
        *,
        context: str = "",
        refused: Callable[[], None] | None = None,
        holder: str | None = None,
    ) -> None:
        super().__init__()
        self.holder = holder
        """For a transfer: who holds the dossier the centre handed on (the next hop must name
        another agency), None while it is at the centre."""
        self.dossier = dossier
        self.kind = kind
        self.run = run
        self.context = context
        """What the official confirms against, from the dossier's history (the amount asked for
        when recording the fee paid)."""
        self.refused = refused
        """Called when the desk refuses the step: the dossier may have moved on elsewhere, and the
        screen behind reads it again."""
        self.recording = False
        """The step is being recorded (Ctrl+S pressed, the desk not answered yet)."""
        self.scanned_after: str | None = None
        """A receipt scanned while the step was being recorded (the next citizen's, in the same
        breath as Ctrl+S): opened once the dialog has closed (see :meth:`hold_scan`)."""

    def hold_scan(self, code: str) -> bool:
        """Keep a code scanned while the step is being recorded, to be opened when the dialog
        closes; False when the dialog is not recording (the scan is refused as usual)."""
        if not self.recording:
            return False
        self.scanned_after = code
        return True

    def action_cancel(self) -> None:
        """Close; when something was typed (a reason, papers), ask first, as the intake form does:
        Escape is also the key for "back", pressed by reflex."""
        typed = any(f.value.strip() and f.value != self._default(f.key) for f in self.query(Field))
        if not typed:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog("Bỏ nội dung đã nhập trong hộp thoại này?", yes="Bỏ", no="Không, nhập tiếp"),
            answered,
        )

    def _default(self, key: str) -> str:
        role, _, field = key.partition(".")
        party = {"applicant": self.dossier.applicant, "owner": self.dossier.owner}.get(role)
        if party is not None:  # a correction starts from the details as recorded
            value = str(getattr(party, field))
            return birth_text(value) if field == "birth_date" else value
        if key == "to_agency_name":  # handed on: the next hop is another agency, typed
            return "" if self.holder else self.dossier.handled_by or self.dossier.deciding_agency_name
        if key == "receiver":
            return self.dossier.applicant.name
        return ""

    def compose(self) -> ComposeResult:
        rule = TRANSITIONS[self.kind]
        with Vertical(classes="dialog step-dialog"):
            yield Static(f"{rule.label}", classes="dialog-title", markup=False)
            yield Static(
                f"Hồ sơ {self.dossier.code} · {self.dossier.applicant.name}",
                classes="dialog-subtitle",
                markup=False,
            )
            if self.kind == "appointment_moved":
                yield Static(
                    f"Hẹn trả hiện tại: {due_text(self.dossier.due_at)}",
                    classes="dialog-subtitle",
                    markup=False,
                )
            if self.context:
                yield Static(self.context, classes="dialog-subtitle", id="step-context", markup=False)
            if self.holder:
                yield Static(
                    f"Hồ sơ đang ở «{self.holder}»: ghi cơ quan nhận tiếp theo.",
                    classes="dialog-subtitle",
                    markup=False,
                )
            if self.kind == "rated":
                yield Static(RATING_HINT, classes="dialog-subtitle", markup=False)
                yield RatingLevels(
                    *(Option(f"{n}  {label}", id=str(n)) for n, label in RATING_LEVELS.items()),
                    id="step-level",
                )
            # Scan-aware: a receipt scanned into a reason (the scanner ends with Enter) must not
            # confirm the step with the code as its reason; the code is taken out and the app says
            # to close the dialog first. Ctrl+S confirms a text that really ends with a code.
            for key, label in step_fields(self.kind, self.dossier):
                yield Field(
                    label,
                    key=key,
                    value=self._default(key),
                    # Given in advance (the deciding agency, today's date): typing replaces it, as
                    # in every such field; "Chuyển cô Hà" typed ran on after the agency's name. A
                    # detail to correct is mended where it is wrong, not typed again.
                    select_on_focus=bool(self._default(key)) and "." not in key,
                    placeholder=(
                        "bắt buộc: cơ quan nhận tiếp theo"
                        if key == "to_agency_name" and self.holder
                        else PLACEHOLDERS.get(key, "")
                    ),
                    id=f"step-{key.replace('.', '-')}",
                )
            yield ErrorLine(classes="dialog-error", id="step-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"Xác nhận: {rule.label}", variant="primary", id="confirm")
                yield Button("Hủy (Esc)", id="cancel")
        yield DialogFooter()

    def on_mount(self) -> None:
        fields = list(self.query(Field))
        for field in fields[:-1]:
            field.input.enter_advances = True
            if field.key in self._required():  # said at its Enter, not after the last field's
                field.input.missing = f"Chưa nhập {field.label.lower()}."
        if self.kind == "rated":
            levels = self.query_one("#step-level", RatingLevels)
            levels.highlighted = None  # nothing chosen for the citizen
            levels.then = fields[0].input if fields else None
            levels.focus()
        elif fields:
            fields[0].focus()
        else:
            self.query_one("#confirm", Button).focus()

    @on(ChipScanned)
    def _chip(self, message: ChipScanned) -> None:
        """A correction is the one dialog made of the applicant's details: the card scanned into
        it fills them (the owner's, scanned into the owner's fields; an organisation's
        representative). Any other dialog leaves it to the app (close the dialog first)."""
        if self.kind != "corrected":
            return
        message.stop()
        chip = message.chip
        role = "owner" if message.field.startswith("owner.") else "applicant"
        party = self.dossier.owner if role == "owner" else self.dossier.applicant
        if party is None:  # no owner to correct: the scan fills nothing
            return
        if role == "applicant" and party.kind == "organisation":
            filled = {"representative": chip.name}
        else:
            filled = chip_form_values(chip)  # the fields the dialog lacks are skipped below
        for key, value in filled.items():
            for field in self.query(Field):
                if field.key == f"{role}.{key}" and value:
                    field.value = value
                    field.error = ""
        self.notify(
            f"Đã điền thông tin của {chip.name} từ căn cước: kiểm tra lại rồi Ctrl+S.", title="Quét căn cước"
        )

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        fields = list(self.query(Field))
        inputs = [f.input for f in fields]
        if event.input in inputs and inputs.index(event.input) < len(inputs) - 1:
            focus_now(inputs[inputs.index(event.input) + 1])
        else:
            self.action_confirm()

    def _required(self) -> set[str]:
        """The inputs this step cannot do without: what it is about (the papers asked for, the
        amount, the new appointment) and, for a step that needs one, its reason."""
        required = {"papers", "amount", "new_due"}
        if TRANSITIONS[self.kind].needs_reason:
            required.add("reason")
        if self.holder:
            required.add("to_agency_name")
        if self.kind == "corrected":
            required |= {"applicant.name", "owner.name"}
        return required

    @on(RatingLevels.OptionHighlighted, "#step-level")
    def _level_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.query_one("#step-error", ErrorLine).update("")

    @on(OptionList.OptionSelected, "#step-level")
    def _level_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._level_chosen()

    def _level_chosen(self) -> None:
        self.query_one("#step-error", ErrorLine).update("")
        fields = list(self.query(Field))
        if fields:
            focus_now(fields[0].input)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "confirm":
            self.action_confirm()
        else:
            self.dismiss(None)

    def _values(self) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        ok = True
        if self.kind == "rated":
            levels = self.query_one("#step-level", OptionList)
            chosen = levels.highlighted
            if chosen is None:
                self.query_one("#step-error", ErrorLine).update("Chọn mức độ hài lòng của công dân (1-5).")
                levels.focus()
                return None
            values["level"] = levels.get_option_at_index(chosen).id
        for field in self.query(Field):
            field.error = ""
            text = field.value.strip()
            if field.key == "amount":
                # Read as the intake reads its fee: a dot missed in "2.500.00" is said, not read
                # as 250.000; the ceiling is the desk's (a land levy reaches billions, a procedure's
                # fee at the intake does not).
                amount, problem = parse_amount(text, label="Số tiền", limit=FEE_REQUEST_MAX, free=False)
                if problem or amount is None:
                    field.error = problem or "Chưa nhập số tiền: gõ số đồng, ví dụ 50.000."
                    ok = False
                    continue
                values["amount"] = amount
            elif field.key == "new_due":
                parsed = parse_day_time(text)
                if parsed is None:
                    # A day the calendar lacks (31/02) is named as such, not as a wrong shape.
                    field.error = moment_problem(text, "Ngày hẹn mới")
                    ok = False
                    continue
                day, hour, minute = parsed
                values["new_due"] = datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ)
            elif field.key == "papers":
                values["papers"] = [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]
            elif "." in field.key and text == self._default(field.key).strip():
                # A detail left as recorded is not sent: sent, it put back a value corrected
                # meanwhile elsewhere (the sync, another window) under the official's name.
                continue
            else:
                values[field.key] = text
        return values if ok else None

    def action_confirm(self) -> None:
        values = self._values()
        if values is None:
            focus_first_error(self.query(Field))
            return
        cut = [f for f in self.query(Field) if f.input.cut]
        if cut:
            # A long paste kept only its start: printed so on the form unless the official sees it
            # first. Said once; the next Ctrl+S records the text as it stands.
            for field in cut:
                field.input.cut = False
                field.error = (
                    f"Chỉ giữ {thousands(len(field.value))} ký tự đầu, phần sau không được nhận: "
                    "đọc lại đoạn cuối, rồi Ctrl+S để ghi."
                )
            focus_first_error(cut)
            return
        self.query_one("#confirm", Button).disabled = True
        self.recording = True
        self._record(values)

    @work(thread=True, exit_on_error=False, group="step")
    def _record(self, values: dict[str, Any]) -> Dossier | CounterError:
        # The outcome is handled once the worker has finished (on_worker_state_changed): closing
        # the dialog from inside the worker cancelled the worker it was still running in.
        try:
            return self.run(values)
        except CounterError as error:
            return error

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Reporting (the base) shows unexpected failures; the confirm button comes back for a retry.
        if event.worker.group != "step":
            return
        if event.state == WorkerState.ERROR and self.is_mounted:
            self.query_one("#confirm", Button).disabled = False
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.recording = False
        scanned, self.scanned_after = self.scanned_after, None
        outcome = event.worker.result if event.state == WorkerState.SUCCESS else None
        if event.state == WorkerState.SUCCESS and not isinstance(outcome, CounterError):
            self.dismiss(outcome)
            if scanned is not None:
                self.counter_app.open_after_dialog(scanned, self)
            return
        if scanned is not None:  # the dialog stays open: the scan is refused as it would have been
            self.counter_app.scan_behind_dialog()
        if isinstance(outcome, ValidationError):
            self._show_errors(outcome)
        elif isinstance(outcome, CounterError):
            self._failed(outcome)

    def _show_errors(self, error: ValidationError) -> None:
        self.query_one("#confirm", Button).disabled = False
        fields = list(self.query(Field))
        remapped = ValidationError(
            [FieldError(self._field_for(p.field, fields), p.message) for p in error.errors]
        )
        leftovers = show_field_errors(fields, remapped)
        self.query_one("#step-error", ErrorLine).update("\n".join(leftovers))
        focus_first_error(fields)

    @staticmethod
    def _field_for(name: str, fields: list[Field]) -> str:
        keys = [f.key for f in fields]
        if name in keys:
            return name
        head = name.split("[")[0].split(".")[0]
        if head in ("documents", "papers") and "papers" in keys:
            return "papers"
        return name  # the desk names each free text's own field; anything else shows under the form

    def _failed(self, error: CounterError) -> None:
        """The step refused (the dossier changed elsewhere, or a rule says no): the dialog stays,
        with what was typed and the reason under it, for the official to read, change or Esc; the
        dossier behind is read again, so its status and steps are current. (The dialog closed, and
        the date and reason typed for it were lost; the screen kept the old status.)"""
        self.query_one("#confirm", Button).disabled = False
        self.query_one("#step-error", ErrorLine).update(f"{error.title}: {error.message}")
        if self.refused is not None:
            self.refused()


def forms_for(dossier: Dossier) -> list[str]:
    """The forms that make sense for this dossier now, most used first."""
    forms = ["control_slip"] if dossier.refused_at_intake else ["receipt", "control_slip"]
    if dossier.extra_papers:
        forms.append("extra_papers")
    if dossier.status == 3:
        forms.append("refusal")
    if dossier.appointment_moves:
        forms.append("apology")
    if dossier.status == 8:
        forms.append("stop_notice")
    return forms


class PrintDialog(CounterModal):
    """Choose a form of the dossier to print (or save as PDF); dismisses with the form key."""

    BINDINGS = [Binding("escape", "cancel", "Hủy", id="print.cancel")]

    def __init__(self, dossier: Dossier, *, first: str | None = None) -> None:
        """Args:
        first: The form the cursor starts on (the paper the step just taken gives the citizen,
            which the step's notice says ``i`` prints); the first of the list otherwise.
        """
        super().__init__()
        self.dossier = dossier
        self.first = first

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            basis = self.counter_app.desk.settings.forms_basis
            yield Static("In biểu mẫu", classes="dialog-title")
            yield Static(f"Hồ sơ {self.dossier.code}", classes="dialog-subtitle", markup=False)
            yield DialogOptions(
                *(Option(form_title(f, basis), id=f) for f in forms_for(self.dossier)),
                id="forms",
            )
            yield Static("Enter: in · Esc: đóng", classes="dialog-hint")
        yield DialogFooter()

    def on_mount(self) -> None:
        options = self.query_one("#forms", OptionList)
        forms = forms_for(self.dossier)
        options.highlighted = forms.index(self.first) if self.first in forms else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class AccessLogDialog(CounterModal):
    """Who viewed or printed this dossier's data, newest first (supervisors only)."""

    BINDINGS = [Binding("escape", "cancel", "Đóng", id="access.close")]
    SHOWN = 200
    """Entries read: years of views of one dossier stay far below this."""

    def __init__(self, dossier: Dossier, entries: list[AccessEntry]) -> None:
        super().__init__()
        self.dossier = dossier
        self.entries = entries

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Nhật ký truy cập dữ liệu", classes="dialog-title")
            yield Static(
                f"Hồ sơ {self.dossier.code} · {self.dossier.applicant.name}",
                classes="dialog-subtitle",
                markup=False,
            )
            table = Table(box=None, expand=True, padding=(0, 1), show_edge=False, header_style="bold")
            table.add_column("Thời điểm", no_wrap=True, style="dim")
            table.add_column("Việc", no_wrap=True)
            table.add_column("Cán bộ · biểu mẫu", ratio=1)
            for entry in self.entries:
                who = entry.actor + (f" · {entry.detail_text}" if entry.detail else "")
                table.add_row(f"{entry.at:%H:%M %d/%m/%Y}", entry.action_name, Text(who))
            with VerticalScroll(id="access-entries", classes="dialog-scroll"):
                yield Static(
                    table if self.entries else "Chưa có ai xem hoặc in hồ sơ này.", id="access-table"
                )
            more = ""
            if len(self.entries) >= self.SHOWN:
                more = f"{self.SHOWN} lượt gần nhất; đủ cả: counter access-log {self.dossier.code} · "
            yield Static(f"{more}Esc: đóng · ↑/↓: cuộn", classes="dialog-hint", markup=False)
        yield DialogFooter()

    def on_mount(self) -> None:
        self.query_one("#access-entries", VerticalScroll).focus()
