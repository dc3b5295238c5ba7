"""The procedure picker: type part of a name or code, arrows to move, Enter to choose.

Searches the in-memory catalog (folded Vietnamese, by name or MaTTHC), so it answers at every
keystroke. Digits also match anywhere in the code, so an official who knows "4873" types just that.
A chosen procedure's label longer than the field ends with "…" (its tooltip holds it in full).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.cells import cell_len
from rich.segment import Segment
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widgets import Input, Label, OptionList
from textual.widgets.input import Selection
from textual.widgets.option_list import Option

from counter_app.domain.procedures import Catalog, Procedure
from counter_app.tui.widgets.fields import FieldInput, focus_now, pass_on_to_focus

RESULTS = 30
"""Most procedures listed under the picker."""


def search_procedures(catalog: Catalog, query: str, limit: int = RESULTS) -> list[Procedure]:
    """The catalog's own ranking, then (for a query of digits) codes holding those digits
    elsewhere."""
    results = catalog.search(query, limit)
    compact = re.sub(r"[\s.]", "", query)
    if compact.isdigit():
        seen = {p.code for p in results}
        results += [p for p in catalog if p.code not in seen and compact in p.code.replace(".", "")]
    return results[:limit]


def procedure_label(procedure: Procedure) -> str:
    """How a chosen procedure reads in the picker: ``1.004873 · Thủ tục cấp …``."""
    return f"{procedure.code} · {procedure.name}"


PICKER_MOVES = {"down": 1, "up": -1, "pagedown": 8, "pageup": -8}
"""Keys that move through the list of matches, and by how many procedures."""


class ProcedureInput(FieldInput):
    """The picker's search field: text running past an edge is marked there with "…"."""

    async def _on_key(self, event: events.Key) -> None:
        # The arrows move the list here and now, as Enter chooses: as bindings they ran only once
        # the key had bubbled up to the app, after the Enter queued behind them, and Down, Down,
        # Enter read together (keys piled up after a save) chose the first match.
        delta = PICKER_MOVES.get(event.key)
        if delta is None:
            await super()._on_key(event)
            return
        if pass_on_to_focus(self, event):  # behind an Enter that moved on: for the next field
            return
        event.stop()
        event.prevent_default()
        picker = next(a for a in self.ancestors if isinstance(a, ProcedurePicker))
        picker.action_move(delta)

    async def enter(self) -> None:
        # Handled here and now, not through Input's Submitted: the keys typed after Enter (the
        # citizen's name, a card scanned at once) are already queued for this field, and they
        # went into the picker (un-choosing the procedure) while the choice travelled up as
        # messages. Chosen at once, the focus has moved before the next key is handled, and the
        # field hands those keys on to it.
        picker = next(a for a in self.ancestors if isinstance(a, ProcedurePicker))
        picker.submit(self.value)

    def on_focus(self) -> None:
        # Called before Input's own handler (which selects all, cursor at the end): after it.
        self.call_next(self._cursor_to_start)

    def _cursor_to_start(self) -> None:
        """All of it stays selected (the first key replaces it) with the cursor at the start, not
        at the end: a chosen procedure's label keeps showing its code and the start of its name."""
        if self.value and self.selection == Selection(0, len(self.value)):
            self.selection = Selection(len(self.value), 0)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        width = self.scrollable_content_region.width
        scroll_x = round(self.scroll_offset.x)
        if y != 0 or not self.value or width < 2:
            return strip
        # The cell at a cut edge becomes "…", in the style it had (the cursor or the selection
        # still shows on it). The strip holds one cell more than the width, for the cursor.
        if scroll_x > 0:
            strip = Strip.join([_ellipsis(strip, 0), strip.crop(1, strip.cell_length)])
        if cell_len(self.value) > scroll_x + width:
            strip = Strip.join(
                [strip.crop(0, width - 1), _ellipsis(strip, width - 1), strip.crop(width, strip.cell_length)]
            )
        return strip


def _ellipsis(strip: Strip, x: int) -> Strip:
    """One "…" in the style of the strip's cell at ``x``."""
    style = next((segment.style for segment in strip.crop(x, x + 1) if segment.text), None)
    return Strip([Segment("…", style)])


class ProcedurePicker(Vertical):
    """A search field with a drop-down list of matching procedures."""

    BINDINGS = [
        Binding("down", "move(1)", "Thủ tục sau", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Thủ tục trước", show=False, id="picker.up"),
        Binding("pagedown", "move(8)", "Trang sau", show=False, id="picker.pagedown"),
        Binding("pageup", "move(-8)", "Trang trước", show=False, id="picker.pageup"),
        Binding("escape", "close", "Đóng danh sách", show=False, id="picker.close"),
    ]

    TOOLTIP = "Tìm theo tên (không cần dấu) hoặc theo mã TTHC"
    """The search field's tooltip until a procedure is chosen (then: its code and full name)."""

    procedure: reactive[Procedure | None] = reactive(None, init=False)
    """The chosen procedure, None until the official picks one."""

    class Highlighted(Message):
        """The official moved onto a procedure in the list (the due time can be previewed)."""

        def __init__(self, procedure: Procedure | None) -> None:
            super().__init__()
            self.procedure = procedure

    def __init__(
        self, catalog: Catalog, *, on_chosen: Callable[[Procedure], None], id: str | None = None
    ) -> None:
        """
        Args:
            catalog: The procedures to choose from.
            on_chosen: Called at once when a procedure is chosen (Enter or a click), also Enter
                again on the chosen one: the screen sets its form up and moves the focus on before
                the next key is handled (a message would arrive after the keys queued behind Enter).
            id: The widget's id.
        """
        super().__init__(id=id)
        self.catalog = catalog
        self.on_chosen = on_chosen
        self._listed = ""
        """The query the list of matches was made for."""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-row"):
            yield Label("Thủ tục", classes="field-label")
            yield ProcedureInput(
                placeholder="gõ tên hoặc mã thủ tục (vd: khai sinh, 4873), Enter để chọn",
                id="procedure-input",
                select_on_focus=True,
                tooltip=self.TOOLTIP,
            )
        options = OptionList(id="procedure-options")
        options.can_focus = False
        yield options

    @property
    def input(self) -> ProcedureInput:
        return self.query_one("#procedure-input", ProcedureInput)

    @property
    def options(self) -> OptionList:
        return self.query_one("#procedure-options", OptionList)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def focus(self, scroll_visible: bool = True) -> ProcedurePicker:
        focus_now(self.input, scroll_visible)
        return self

    def clear(self) -> None:
        """Forget the chosen procedure and the typed query."""
        self.procedure = None
        self.input.tooltip = self.TOOLTIP
        self.input.value = ""
        self._listed = ""
        self._close()

    def choose(self, code: str, *, announce: bool = True) -> Procedure:
        """Choose a procedure by code (as Enter or a click does).

        Args:
            code: The procedure's national code.
            announce: Call ``on_chosen`` (False when the caller sets up the form itself, as
                restoring a draft does, and must not have the focus moved).

        Returns:
            The chosen procedure.

        Raises:
            NotFoundError: the catalog has no such procedure.
        """
        procedure = self.catalog.get(code)
        self.procedure = procedure
        self.input.value = procedure_label(procedure)
        self.input.cursor_position = 0
        self.input.tooltip = Text(procedure_label(procedure))  # the city's text, never markup
        self._listed = ""  # the list was for a query the field no longer holds
        self._close()
        if announce:
            self.on_chosen(procedure)
        return procedure

    def _open(self, query: str) -> None:
        self._listed = query
        results = search_procedures(self.catalog, query)
        options = self.options
        options.set_options(
            Option(
                Text.assemble((p.code, "bold"), "  ", p.name, ("  · " + p.field, "dim")),
                id=p.code,
            )
            for p in results
        )
        if results:
            options.highlighted = 0
            self.add_class("-open")
        else:
            self._close()
            self.post_message(self.Highlighted(None))

    def _close(self) -> None:
        self.remove_class("-open")

    @on(Input.Changed, "#procedure-input")
    def _typed(self, event: Input.Changed) -> None:
        # Not stopped: the screen keeps its draft up to date from every change.
        if event.value != self.input.value:
            return  # a change overtaken by later keys (and maybe by a choice made on Enter)
        if self.procedure is not None and event.value == procedure_label(self.procedure):
            return
        if self.procedure is not None:
            self.procedure = None
            self.input.tooltip = self.TOOLTIP
        if event.value.strip():
            self._open(event.value)
        else:
            self._close()
            self.post_message(self.Highlighted(None))

    def submit(self, value: str) -> None:
        """Enter in the search field holding ``value``: choose the highlighted procedure."""
        if self.procedure is None and value.strip() and value != self._listed:
            # Typed and Enter in one burst: the list has not followed the keys yet (it follows
            # each change as a message); the matches of what the field holds now decide.
            self._open(value)
        option = self.options.highlighted_option if self.is_open else None
        if option is not None and option.id is not None:
            self.choose(option.id)
        elif self.procedure is not None:
            self.on_chosen(self.procedure)  # Enter on a chosen one: move on
        elif value.strip() and not self.is_open:
            # The list closed with Escape: Enter shows it again (it said nothing matched).
            self._open(value)
            if not self.is_open:
                self._no_match()
        elif value.strip():
            self._no_match()

    def _no_match(self) -> None:
        self.app.notify(
            "Không có thủ tục nào khớp; hãy gõ ít chữ hơn hoặc gõ mã thủ tục.",
            title="Không tìm thấy thủ tục",
            severity="warning",
        )

    @on(OptionList.OptionHighlighted, "#procedure-options")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        code = event.option.id
        if code is not None:
            self.post_message(self.Highlighted(self.catalog.get(code)))

    @on(OptionList.OptionSelected, "#procedure-options")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            focus_now(self.input)  # the click may have taken it; the screen moves it on from here
            self.choose(event.option.id)

    def action_move(self, delta: int) -> None:
        if not self.is_open:
            self._open(self.input.value if self.procedure is None else "")
            return
        options = self.options
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

    def action_close(self) -> None:
        self._close()
        # The preview under the field followed the highlighted procedure, which is not chosen:
        # closed without a choice, it says so (or shows the one chosen before).
        self.post_message(self.Highlighted(self.procedure))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close":
            return self.is_open
        return True
