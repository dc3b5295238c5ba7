"""Form fields: an input that recognises scans, and a labelled field with its inline error.

Every text field of the counter is a :class:`FieldInput`: a scanner types into whatever field has
focus, so each field checks, on Enter, whether what it received ends with a dossier code or a chip-ID
QR line. If so it gives itself back what the official had typed before and posts the scan instead.
"""

from __future__ import annotations

import os
import unicodedata
from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from counter_app.domain.codes import DEFAULT_PATTERN, parse_code
from counter_app.domain.text import thousands
from counter_app.tui.messages import ChipScanned, OpenDossier
from counter_app.tui.scanning import split_scan

MAX_FIELD_CHARS = 1000
"""Most characters any one-line field takes: well above every limit of the desk (a name 150, an
address 300) plus a chip-ID QR scanned on top of what was typed. A longer paste (a whole document
copied by mistake) is refused with a message instead of freezing the form."""


def one_line(text: str) -> str:
    """Pasted text for a one-line field: its lines joined, with a comma where a line ends without
    punctuation ("Thôn Đông" / "xã Vĩnh Bảo" reads "Thôn Đông, xã Vĩnh Bảo"), tabs as spaces."""
    lines = text.replace("\t", " ").splitlines()
    if len(lines) == 1:
        return lines[0]  # one line pasted as it is, its spaces too
    joined = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if joined:
            joined += " " if joined[-1] in ",.;:-" else ", "
        joined += line
    return joined


def own_codes(widget: Widget) -> tuple[str, str]:
    """This counter's agency identifier (the first part of the codes it issues; "" before the
    counter is set up) and its code pattern."""
    desk = getattr(widget.app, "desk", None)
    if desk is None:
        return "", DEFAULT_PATTERN
    return desk.settings.agency_id, desk.settings.code_pattern


EDITING_KEYS = {
    b.key: b.action
    for b in Binding.make_bindings(Input.BINDINGS)
    if b.action not in ("submit", "cut", "copy", "paste")
}
"""Textual's editing and cursor keys of an Input (Backspace, Ctrl+U, the arrows…), by key."""


def pass_on_to_focus(widget: Widget, event: events.Key) -> bool:
    """Hand a key to the widget that now has the focus, when that is not ``widget``. True if so.

    The app hands each key to the widget focused when the key arrives. In a burst (a scanner, a
    paste of keys, a fast typist) the keys behind one that moved the focus are already queued on
    the widget that had it: passed on, they land where the official now types.
    """
    if getattr(event, "carried", False):
        return False  # handed to this widget on purpose (see carried)
    focused = widget.screen.focused if widget.is_attached else None
    if focused is None or focused is widget:
        return False
    event.stop()
    event.prevent_default()
    focused.post_message(events.Key(event.key, event.character))
    return True


def carried(event: events.Key) -> events.Key:
    """A copy of a burst's key to hand to the widget it was typed for, marked so that this widget
    keeps it (:func:`pass_on_to_focus` would send it on to whatever has the focus by then)."""
    key = events.Key(event.key, event.character)
    key.carried = True  # type: ignore[attr-defined]
    return key


class FieldInput(Input):
    """A one-line input that turns a scanned dossier code or chip-ID QR into a message."""

    def __init__(self, *args: object, scan_aware: bool = True, **kwargs: object) -> None:
        compact = bool(kwargs.pop("compact", True))
        if not kwargs.get("max_length"):
            kwargs["max_length"] = MAX_FIELD_CHARS
        # Select-on-focus would let the first scanned character replace what was typed.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Compact without Input setting it: its class toggle would style this input at once, before
        # it is even mounted (where it is styled anyway), a few ms per form.
        self.set_reactive(Input.compact, compact)
        self.set_class(compact, "-textual-compact", update=False)
        self.scan_aware = scan_aware
        """Whether Enter checks the text for a scan (off for PINs and numbers)."""
        self.code_refused = ""
        """Said under the field at once when Enter finds a dossier code in it (scanned where no code
        belongs: the sign-in's name; the screen takes it out when the form is sent)."""
        self.enter_advances = False
        """Enter moves to the next field at once (instead of posting Submitted to the screen)."""
        self.missing = ""
        """Said under the field when Enter would move on from it empty ("" for an optional input)."""
        self.cut = False
        """Keys past the limit were dropped (a long paste typed in): the text kept is its start."""
        self._dropped = False
        """The last key or paste was refused (a mark typed next belongs to the refused letter)."""
        self.restrict_said = ""
        """Said under the field when a character its ``restrict`` refuses is typed (a PIN's letter)."""
        self._overwritten = ""
        """What the field held before typing replaced it whole (``select_on_focus``): given back
        when what replaced it turns out to be a scan."""

    def replace(self, text: str, start: int, end: int) -> None:
        # Letters are kept composed (NFC) as they are typed or pasted: in decomposed text (NFD, a
        # key for each tone and vowel mark) the length limit counted the marks, kept 751 letters
        # of 1,000 and cut "của" to "cu". A mark typed after its letter joins it in place.
        if text and self._dropped and all(unicodedata.combining(c) for c in text):
            self.restricted()  # the marks of a letter dropped at the limit: not onto the one before
            return
        self._dropped = False
        value = self.value
        start, end = sorted((max(0, start), min(len(value), end)))
        if text and value and start == 0 and end >= len(value):
            self._overwritten = value  # selected on focus and typed over (maybe by a scanner)
        before = value[:start]
        joined = unicodedata.normalize("NFC", before + text)
        kept = len(os.path.commonprefix([before, joined]))
        super().replace(joined[kept:], kept, end)

    def _on_paste(self, event: events.Paste) -> None:
        # Input keeps the first line of a paste and drops the rest without a word: an address
        # copied as three lines kept "Thôn Đông", a reason its first sentence. The lines are joined.
        event.stop()
        event.prevent_default()  # Input's own handler, which would paste the first line again
        text = one_line(event.text)
        if not text:
            return
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)

    def on_input_changed(self, event: Input.Changed) -> None:
        # Not stopped: the form keeps its draft from every change. Shortened below its limit, the
        # text is the official's own again, nothing cut from it.
        if self.cut and len(self.value) < (self.max_length or 0):  # now, not as of a queued change
            self.cut = False

    def _on_focus(self, event: events.Focus) -> None:
        # Typing goes on at the end of what the field holds (a name, an address completed).
        self._overwritten = ""
        self.cursor_position = len(self.value)
        super()._on_focus(event)

    def _on_blur(self, event: events.Blur) -> None:
        # Left, a field shows the start of its text: an address filled from a chip-ID card read
        # "g, xã Vĩnh Bảo…", its end, which looks like another address.
        super()._on_blur(event)
        if self.app.screen_stack:  # not while the app closes (moving the cursor asks for a screen)
            self.cursor_position = 0

    async def _on_key(self, event: events.Key) -> None:
        # The keys after an Enter that moved the focus, already queued here.
        if pass_on_to_focus(self, event):
            return
        # Enter, Tab and the editing keys are bindings, run only once the key has bubbled up to the
        # app, after the keys typed behind them: Backspace ×8 then "2.500.000" in one burst gave
        # "50.0002", Ctrl+U then the digits "500.000". Handled here, they keep their order.
        action = EDITING_KEYS.get(event.key)
        if action is not None:
            event.stop()
            event.prevent_default()
            await self.run_action(action)
            return
        if event.key in ("enter", "tab", "shift+tab"):
            event.stop()
            event.prevent_default()
            if event.key == "enter":
                await self.action_submit()
            elif event.key == "tab":
                self.screen.focus_next()
            else:
                self.screen.focus_previous()

    def restricted(self) -> None:
        """A paste or key refused: say why under the field (no bell: the official sees it)."""
        self._dropped = True
        if isinstance(self.parent, Field):
            limit = thousands(self.max_length or 0)
            if self.restrict_said and len(self.value) < (self.max_length or 0):
                self.parent.error = self.restrict_said  # a character the field does not take
            elif len(self.value) >= (self.max_length or 0):  # full: the keys past the limit were dropped
                self.cut = True
                self.parent.error = f"Đã đủ {limit} ký tự (tối đa): phần gõ thêm không được nhận."
            else:  # a paste that would not fit is refused whole
                self.parent.error = f"Quá dài (tối đa {limit} ký tự): phần vừa dán không được nhận."
        else:
            super().restricted()

    async def action_submit(self) -> None:
        if self.scan_aware and self.value:
            scanned = split_scan(self.value, *own_codes(self))
            if scanned is not None:
                self.value = scanned.before or self._overwritten
                if scanned.chip is not None:
                    key = self.parent.key if isinstance(self.parent, Field) else ""
                    self.post_message(ChipScanned(scanned.chip, key))
                else:
                    self.post_message(OpenDossier(scanned.code))
                return
        refused = self.code_refused and parse_code(self.value.strip()) is not None
        if refused and isinstance(self.parent, Field):
            self.parent.error = self.code_refused  # and on as usual: the PIN typed next goes there
        if self.missing and not self.value.strip() and isinstance(self.parent, Field):
            self.parent.error = self.missing  # said where it is missing, the cursor kept there
            return
        if self.missing and isinstance(self.parent, Field) and self.parent.error == self.missing:
            self.parent.error = ""  # typed since: no longer missing (it stayed under the text)
        if self.enter_advances:
            # Synchronous, unlike reacting to Submitted: the next key already goes to the next field.
            self.screen.focus_next()
            return
        await self.enter()

    async def enter(self) -> None:
        """Enter on the field's own text (no scan in it): Input's Submitted, for the screen."""
        await super().action_submit()


class ErrorLine(Static):
    """An inline message (red) that takes no room while empty."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)

    def update(self, content: Any = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        self.set_class(bool(str(content)), "-shown")


class Field(Widget):
    """A label, a :class:`FieldInput` beside it and, once there is one, the inline message under it.

    Three widgets, not five: the label is docked left of the input (no row container), and the
    message line is mounted the first time the field has an error. A form has many fields and few
    errors; each widget less is less to build, style and lay out when the form opens.
    """

    error: reactive[str] = reactive("", init=False)
    """The message shown under the input ("" hides it)."""

    def __init__(
        self,
        label: str,
        *,
        key: str,
        placeholder: str = "",
        value: str = "",
        password: bool = False,
        tooltip: str | None = None,
        max_length: int = 0,
        scan_aware: bool = True,
        restrict: str | None = None,
        restrict_said: str = "",
        select_on_focus: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """
        Args:
            restrict: A regular expression the whole text must match; a key that breaks it is
                refused and ``restrict_said`` is shown under the field.
            select_on_focus: Select what the field holds when it gets the focus, so that typing
                replaces it: for a value given in advance (a date, the office hours), where what
                is typed is a new value, not more of it.
        """
        super().__init__(id=id, classes=classes)
        self.key = key
        """The desk's name for the field, e.g. ``applicant.id_number`` (matches FieldError.field)."""
        self._label = label
        self._input = FieldInput(
            value=value,
            placeholder=placeholder,
            password=password,
            max_length=max_length,
            scan_aware=scan_aware and not password,
            restrict=restrict,
            tooltip=tooltip,
            select_on_focus=select_on_focus,
            id=f"{id}-input" if id else None,
        )
        self._input.restrict_said = restrict_said
        self._error_line: ErrorLine | None = None
        self._composed = False
        self._required = False

    def compose(self) -> ComposeResult:
        yield Label(self._label_text(), classes="field-label")
        yield self._input
        self._composed = True
        if self._error_line is not None:
            yield self._error_line

    def edited_away(self, value: str, typed: bool) -> bool:
        """Whether an edit (to ``value``, ``typed`` by the official) takes away the message under
        the field: one about what it held, not the rule a refused key was just told ("Mã PIN chỉ
        gồm chữ số", which the next digit would otherwise wipe before it could be read)."""
        return bool(self.error and value and typed and self.error != self._input.restrict_said)

    @property
    def input(self) -> FieldInput:
        return self._input

    @property
    def label(self) -> str:
        return self._label

    @label.setter
    def label(self, text: str) -> None:
        """Rename the field (an organisation's name is not a "Họ và tên")."""
        self._label = text
        self._show_label()

    @property
    def required(self) -> bool:
        """Whether the chosen procedure needs this field: its label then ends with "*"."""
        return self._required

    @required.setter
    def required(self, flag: bool) -> None:
        if flag != self._required:
            self._required = flag
            self.set_class(flag, "-required")
            self._show_label()

    def _label_text(self) -> str:
        return f"{self._label}*" if self._required else self._label

    def _show_label(self) -> None:
        if self._composed:
            self.query_one(".field-label", Label).update(self._label_text())

    @property
    def value(self) -> str:
        return self._input.value

    @value.setter
    def value(self, text: str) -> None:
        self._input.value = text
        # At the end where the official types on; elsewhere the start of the text shows.
        self._input.cursor_position = len(text) if self._input.has_focus else 0

    def watch_error(self, error: str) -> None:
        line = self._error_line
        if line is None and error:
            line = self._error_line = ErrorLine(classes="field-error")
            if self._composed:
                self.mount(line)
        if line is not None:
            line.update(error)
        self.set_class(bool(error), "-error")
        self._input.set_class(bool(error), "-invalid")

    def focus(self, scroll_visible: bool = True) -> Field:
        focus_now(self._input, scroll_visible)
        return self


def focus_now(widget: Widget, scroll_visible: bool = True) -> None:
    """Focus a widget before the next key is handled.

    ``Widget.focus()`` waits for the message queue, so a fast typist's (or a scanner's) next key
    would still land in the old field; ``Screen.set_focus`` takes effect at once.
    """
    if widget.is_attached:
        widget.screen.set_focus(widget, scroll_visible)
    else:
        widget.focus(scroll_visible)


class Choice(Static, can_focus=True):
    """One of a few fixed values, changed with Space, arrows or a click (lighter than a Select).

    Enter moves on to the next field, as it does from the text fields of a form: an official going
    down the form with Enter changed "Nhận kết quả" to "Trực tuyến" on the way, unseen.
    """

    BINDINGS = [
        Binding("space,right", "cycle(1)", "Đổi", show=False, id="choice.next"),
        Binding("left", "cycle(-1)", "Đổi lại", show=False, id="choice.previous"),
        Binding("enter", "advance", "Ô sau", show=False, id="choice.advance"),
    ]

    value: reactive[str] = reactive("", init=False)
    """The chosen value's key."""

    class Changed(Message):
        """The chosen value changed (by the official or by the program)."""

        def __init__(self, choice: Choice, value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(
        self, options: list[tuple[str, str]], *, value: str, id: str | None = None, tooltip: str | None = None
    ) -> None:
        super().__init__("", id=id, markup=False)
        self.options = options
        """(label, value) pairs in order."""
        self.set_reactive(Choice.value, value)
        if tooltip:
            self.tooltip = tooltip

    def on_mount(self) -> None:
        self._show(self.value)

    def watch_value(self, value: str) -> None:
        self._show(value)
        self.post_message(self.Changed(self, value))

    def _show(self, value: str) -> None:
        label = next((text for text, key in self.options if key == value), value)
        self.update(f"◂ {label} ▸")

    def action_cycle(self, step: int) -> None:
        keys = [key for _, key in self.options]
        index = keys.index(self.value) if self.value in keys else 0
        self.value = keys[(index + step) % len(keys)]

    def action_advance(self) -> None:
        self.screen.focus_next()

    def on_click(self) -> None:
        self.action_cycle(1)


class SubmitButton(Button, inherit_css=False):
    """The primary button of a form (sign-in, first run), styled without Button's stylesheet.

    Button's default CSS covers every variant and style in about 7 kB that Textual parses the first
    time a Button appears: about 13 ms before the sign-in screen shows. This is the one look the
    forms use (Textual's primary button), in a few rules.
    """

    DEFAULT_CSS = """
    SubmitButton {
        width: auto;
        min-width: 16;
        height: auto;
        line-pad: 1;
        text-align: center;
        content-align: center middle;
        pointer: pointer;
        text-style: bold;
        color: $button-color-foreground;
        background: $primary;
        border: none;
        border-top: tall $primary-lighten-3;
        border-bottom: tall $primary-darken-3;
        &:disabled {
            text-opacity: 0.6;
            pointer: not-allowed;
        }
        &:focus {
            text-style: $button-focus-text-style;
            background-tint: $foreground 5%;
        }
        &:hover {
            background: $primary-darken-2;
            border-top: tall $primary;
        }
        &.-active {
            background: $primary;
            border-bottom: tall $primary-lighten-3;
            border-top: tall $primary-darken-3;
            tint: $background 30%;
        }
    }
    """

    def __init__(self, label: str, *, id: str | None = None) -> None:
        super().__init__(label, variant="primary", id=id)


PIN_ONLY = r"[0-9]*"
"""What a new PIN's field takes: digits (a name typed there by mistake showed as a row of dots)."""
PIN_SAID = "Mã PIN chỉ gồm chữ số (4 đến 8 số)."


def new_pin_field(label: str, *, key: str, id: str, placeholder: str = "") -> Field:
    """A field where a new PIN is typed (hidden, digits only, the rule said when a key is refused).
    Not the sign-in's: that one takes a scanned receipt whole, to say it is one."""
    return Field(
        label,
        key=key,
        password=True,
        placeholder=placeholder,
        id=id,
        restrict=PIN_ONLY,
        restrict_said=PIN_SAID,
    )
