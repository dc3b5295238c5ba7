"""First run and sign-in: name the commune and the counter, create the first supervisor, sign in.

Each screen dismisses with its result once the desk accepted it; bad input stays on the screen, shown
under its field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Static
from textual.worker import Worker, WorkerState

from counter_app.desk import SCANNED_BEFORE_SIGN_IN, WRONG_SIGN_IN_TITLE
from counter_app.domain.errors import CounterError, FieldError, RuleError, ValidationError
from counter_app.domain.text import without_diacritics
from counter_app.settings import Settings, coerce_setting, validate
from counter_app.tui.screens.base import KeepsStyles, Reporting, focus_first_error, show_field_errors
from counter_app.tui.widgets.bars import CounterFooter
from counter_app.tui.widgets.fields import ErrorLine, Field, SubmitButton, focus_now, new_pin_field

LATER_CHECKED = ("province_name", "hub_url", "hub_token")
"""Setup values the desk's ``setup`` checks only once the commune and counter are right."""

SETTING_FIELDS = {"counter_no": "counter"}
"""A setting's name where the setup form's field is called otherwise."""


def setting_problems(values: dict[str, str]) -> list[FieldError]:
    """What the settings' own check says of each value, one at a time (no other setting's problem)."""
    problems: list[FieldError] = []
    for name, value in values.items():
        try:
            validate(replace(Settings(), **{name: coerce_setting(name, value)}))
        except ValidationError as error:
            problems.extend(e for e in error.errors if e.field == name)
    return problems


class FormScreen(KeepsStyles, Reporting, Screen[Any]):
    """A centred form: Enter moves to the next field, Enter on the last one (or Ctrl+S) submits."""

    BINDINGS = [Binding("ctrl+s", "submit", "Tiếp tục", id="form.submit")]

    TITLE_TEXT = ""
    INTRO = ""
    SUBMIT_LABEL = "Tiếp tục"

    def compose(self) -> ComposeResult:
        # Scrolls when every field shows an error on a small terminal (the title would be cut off).
        page = VerticalScroll(classes="form-page")
        page.can_focus = False  # not a stop of Tab: the fields are
        with page:
            with Vertical(classes="form-box"):
                yield Static(self.TITLE_TEXT, classes="form-title", markup=False)
                if self.INTRO:
                    yield Static(self.INTRO, classes="form-intro", markup=False)
                yield from self.compose_fields()
                yield ErrorLine(id="form-error", classes="dialog-error")
                with Horizontal(classes="dialog-buttons"):
                    yield SubmitButton(self.SUBMIT_LABEL, id="submit")
        yield CounterFooter()

    def compose_fields(self) -> ComposeResult:
        yield from ()

    @property
    def fields(self) -> list[Field]:
        return list(self.query(Field))

    def on_mount(self) -> None:
        for field in self.fields[:-1]:
            field.input.enter_advances = True
        if self.fields:
            self.fields[0].focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = [f.input for f in self.fields]
        if event.input in inputs and inputs.index(event.input) < len(inputs) - 1:
            focus_now(inputs[inputs.index(event.input) + 1])
        else:
            self.action_submit()

    @on(Input.Changed)
    def _field_edited(self, event: Input.Changed) -> None:
        """A field being typed into loses the message about what it held ("Chưa nhập số quầy"
        stayed under the 2 typed since, until the next Enter), as on the supervisor's forms. A
        field the screen empties itself (the PIN after a wrong one) keeps the message set with it."""
        field = event.input.parent
        if isinstance(field, Field) and field.edited_away(event.value, event.input.has_focus):
            field.error = ""

    @on(Button.Pressed, "#submit")
    def _pressed(self) -> None:
        self.action_submit()

    def values(self) -> dict[str, str]:
        return {f.key: f.value.strip() for f in self.fields}

    def action_submit(self) -> None:
        for field in self.fields:
            field.error = ""
        self.query_one("#form-error", ErrorLine).update("")
        self.query_one("#submit", Button).disabled = True
        self._run(self.values())

    def perform(self, values: dict[str, str]) -> Any:
        """Call the desk (in a thread); return what the screen dismisses with."""
        raise NotImplementedError

    @work(thread=True, exit_on_error=False, group="form")
    def _run(self, values: dict[str, str]) -> tuple[Any, CounterError | None]:
        # The outcome is handled once the worker has finished (on_worker_state_changed): closing
        # the screen from inside the worker cancelled the worker it was still running in.
        try:
            return self.perform(values), None
        except CounterError as error:
            return None, error

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Reporting (the base) shows unexpected failures.
        if event.worker.group != "form" or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self._enable()
        if event.state != WorkerState.SUCCESS:
            return
        result, error = cast(tuple[Any, CounterError | None], event.worker.result)
        if isinstance(error, ValidationError):
            self._show_errors(error)
        elif error is not None:
            self._show_message(error)
        else:
            self.dismiss(result)

    def _enable(self) -> None:
        if self.is_mounted:
            self.query_one("#submit", Button).disabled = False

    def _show_errors(self, error: ValidationError) -> None:
        leftovers = show_field_errors(self.fields, error)
        self.query_one("#form-error", ErrorLine).update("\n".join(leftovers))
        focus_first_error(self.fields)

    def _show_message(self, error: CounterError) -> None:
        self.query_one("#form-error", ErrorLine).update(error.message)


UNACCENTED_COMMUNE_FORM = (
    "Tên xã chưa có dấu tiếng Việt (được in trên mọi giấy tờ): hãy gõ có dấu như trên giấy tờ, hoặc "
    "lưu lần nữa nếu tên đúng là như vậy."
)


class SetupScreen(FormScreen):
    """First run: the commune, this counter's number, and (optionally) the city hub."""

    TITLE_TEXT = "CÀI ĐẶT QUẦY MỘT CỬA"
    INTRO = (
        "Lần chạy đầu tiên: nhập thông tin xã/phường và số quầy, có dấu như in trên giấy tờ "
        "(«xã Vĩnh Bảo»). Sửa lại sau bằng lệnh counter setup."
    )
    SUBMIT_LABEL = "Lưu và tiếp tục"

    def compose_fields(self) -> ComposeResult:
        yield Field("Mã xã", key="commune_code", placeholder="5 chữ số, ví dụ 11410", id="setup-commune-code")
        yield Field(
            "Tên xã/phường", key="commune_name", placeholder="ví dụ xã Vĩnh Bảo", id="setup-commune-name"
        )
        yield Field(
            "Tỉnh/thành phố",
            key="province_name",
            placeholder="ví dụ Thành phố Hải Phòng",
            id="setup-province",
        )
        yield Field("Số quầy", key="counter", placeholder="1 đến 9", id="setup-counter", scan_aware=False)
        yield Field(
            "Mã định danh",
            key="agency_id",
            placeholder="ví dụ 000.17.22.H56 (trống: mã tạm)",
            id="setup-agency",
        )
        yield Field("Máy chủ", key="hub_url", placeholder="không bắt buộc, https://…", id="setup-hub")
        yield Field(
            "Mã truy cập", key="hub_token", placeholder="không bắt buộc", password=True, id="setup-token"
        )

    def perform(self, values: dict[str, str]) -> Any:
        # Every problem at once, each under its field: the number is read here, the rest checked by
        # the desk, which stops after its own checks (commune, counter, agency, hub address) before
        # the settings' own check of the other values; those are checked here as well.
        errors: list[FieldError] = []
        counter = values["counter"]
        counter_no = 0  # refused by the desk too, which then checks every other field
        if not counter:
            errors.append(FieldError("counter", "Chưa nhập số quầy (một số từ 1 đến 9)."))
        elif not (counter.isascii() and counter.isdigit()):
            errors.append(FieldError("counter", "Số quầy phải là một số từ 1 đến 9."))
        else:
            counter_no = int(counter)
        name = values["commune_name"]
        if without_diacritics(name) and name != getattr(self, "_unaccented_kept", None):
            # Printed on every form: asked once; saved as typed when saved again unchanged.
            self._unaccented_kept = name
            raise ValidationError([*errors, FieldError("commune_name", UNACCENTED_COMMUNE_FORM)])
        desk = self.app.desk  # type: ignore[attr-defined]
        others = {name: values[name] for name in LATER_CHECKED if values[name]}
        try:
            return desk.setup(
                commune_code=values["commune_code"],
                commune_name=values["commune_name"],
                counter_no=counter_no,
                agency_id=values["agency_id"] or None,
                hub_url=values["hub_url"] or None,
                hub_token=values["hub_token"] or None,
                **{k: v for k, v in others.items() if k == "province_name"},
            )
        except ValidationError as error:
            errors.extend(FieldError(SETTING_FIELDS.get(e.field, e.field), e.message) for e in error.errors)
            errors.extend(setting_problems(others))
            raise ValidationError(errors) from None


class FirstSupervisorScreen(FormScreen):
    """First run: the supervisor account that will create the other officials."""

    TITLE_TEXT = "TẠO TÀI KHOẢN GIÁM SÁT"
    INTRO = "Chưa có cán bộ nào. Tạo tài khoản giám sát đầu tiên; người này sẽ thêm các cán bộ khác."
    SUBMIT_LABEL = "Tạo tài khoản"

    def compose_fields(self) -> ComposeResult:
        yield Field(
            "Tên đăng nhập", key="username", placeholder="ví dụ lan.nt", id="first-username", scan_aware=False
        )
        yield Field(
            "Họ và tên",
            key="full_name",
            placeholder="ví dụ Nguyễn Thị Lan",
            id="first-full-name",
            scan_aware=False,
        )
        yield new_pin_field("Mã PIN", key="pin", placeholder="4 đến 8 chữ số", id="first-pin")
        yield new_pin_field("Nhập lại PIN", key="pin_again", id="first-pin-again")

    def perform(self, values: dict[str, str]) -> Any:
        errors: list[FieldError] = []
        if values["pin"] and not values["pin_again"]:
            errors.append(FieldError("pin_again", "Chưa nhập lại mã PIN."))
        elif values["pin"] != values["pin_again"]:
            errors.append(FieldError("pin_again", "Hai lần nhập mã PIN không khớp."))
        desk = self.app.desk  # type: ignore[attr-defined]
        account = (values["username"], values["full_name"], "supervisor", values["pin"])
        errors += desk.official_problems(*account)  # every problem at once, the PINs' too
        if errors:
            raise ValidationError(errors)
        return desk.add_official(*account)


class SignInScreen(FormScreen):
    """Sign in with a user name and a PIN; dismisses with the Official."""

    TITLE_TEXT = "ĐĂNG NHẬP"
    SUBMIT_LABEL = "Đăng nhập"

    def __init__(self, *, on_signed_in: Callable[[Any], None] | None = None) -> None:
        super().__init__()
        self._on_signed_in = on_signed_in

    @property
    def INTRO(self) -> str:  # type: ignore[override]  # noqa: N802 - read like the class constant
        settings = cast(Any, self.app).desk.settings
        return f"{settings.agency_name or settings.commune_name} · Quầy {settings.counter_no}"

    def compose_fields(self) -> ComposeResult:
        yield Field("Tên đăng nhập", key="username", id="signin-username", scan_aware=False)
        yield Field(
            "Mã PIN",
            key="pin",
            password=True,
            id="signin-pin",
        )

    def perform(self, values: dict[str, str]) -> Any:
        desk = self.app.desk  # type: ignore[attr-defined]
        return desk.sign_in(values["username"], values["pin"])

    def on_mount(self) -> None:  # after FormScreen's (Textual calls each class's handler)
        # A receipt scanned into the name ends with Enter, which moved on to the PIN and left the
        # code in the name, said only after the PIN (the lock screen says it at once): said there.
        for name in self.query("#signin-username").results(Field):
            name.input.code_refused = SCANNED_BEFORE_SIGN_IN

    def _show_errors(self, error: ValidationError) -> None:
        # A receipt scanned into the name or the PIN: said under its field and taken out of it, with
        # the PIN (left there, the code spoilt the next scan and the PIN typed after it).
        scanned = {e.field for e in error.errors if e.message == SCANNED_BEFORE_SIGN_IN}
        for field in self.fields:
            if field.key in scanned or field.key == "pin":
                field.value = ""
        super()._show_errors(error)

    def _show_message(self, error: CounterError) -> None:
        if isinstance(error, RuleError):
            pin = self.query_one("#signin-pin", Field)
            pin.value = ""
            pin.error = error.message
            pin.focus()
        else:
            super()._show_message(error)


class UnlockScreen(SignInScreen):
    """The counter locked after the idle minutes, over whatever the official was doing.

    Nothing of the screens below shows (a screen, not a see-through dialog: personal data). The
    official who was signed in types the PIN and is back where the work stopped: the dossier open,
    the reason half typed in its dialog. Someone else signs the first one out (F10), which closes
    what was open, as a sign-out does. Dismisses with the Official.
    """

    TITLE_TEXT = "QUẦY ĐÃ TỰ KHÓA"
    SUBMIT_LABEL = "Mở khóa"
    CLOSES_AT_SIGN_OUT = True
    """Taken away with the dialogs when the official is signed out (F10 here, or the account locked)."""

    BINDINGS = [Binding("f10", "app.sign_out", "Người khác đăng nhập", id="unlock.other")]

    def __init__(self, official: Any, minutes: int) -> None:
        super().__init__()
        self.official = official
        self.minutes = minutes

    @property
    def INTRO(self) -> str:  # type: ignore[override]  # noqa: N802 - read like the class constant
        return (
            f"{self.official.full_name} ({self.official.username}): nhập mã PIN để làm tiếp đúng chỗ "
            f"đang làm (quầy tự khóa sau {self.minutes} phút không thao tác). "
            "Cán bộ khác: F10 để đăng nhập."
        )

    def compose_fields(self) -> ComposeResult:
        yield Field(
            "Mã PIN",
            key="pin",
            password=True,
            id="signin-pin",
        )

    def perform(self, values: dict[str, str]) -> Any:
        desk = self.app.desk  # type: ignore[attr-defined]
        return desk.sign_in(self.official.username, values["pin"])

    def _show_message(self, error: CounterError) -> None:
        if error.title == WRONG_SIGN_IN_TITLE:  # the name is not typed here: only the PIN can be wrong
            error = RuleError("Mã PIN không đúng; hãy gõ lại (cán bộ khác: F10).", error.title)
        super()._show_message(error)
