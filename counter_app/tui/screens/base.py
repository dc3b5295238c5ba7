"""What every screen of the counter shares: the scan box on top, the footer and status line below,
worker failures reported in one place, and inline field errors from a desk ValidationError.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import ComposeResult
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input
from textual.worker import Worker

from counter_app.domain.errors import ValidationError
from counter_app.tui.messages import OpenDossier
from counter_app.tui.scanning import split_code
from counter_app.tui.widgets.bars import CounterFooter, ScanInput, StatusLine, TopBar
from counter_app.tui.widgets.fields import Field, carried, own_codes

if TYPE_CHECKING:
    from counter_app.tui.app import CounterApp

TALL_ROWS = 36
"""From this terminal height on, screens spread out: today's intake is listed under the form, the
supervisor's dashboard gets room between its parts."""


def classed_tall(screen: Screen[Any]) -> bool:
    """Give a screen being composed its ``-tall`` class for the terminal it opens on, and say
    whether it got it.

    Set before the first styling, the class costs nothing; set by the first resize, as it used to
    be, it restyled every widget of the screen a second time on a large terminal (a tenth of the
    intake's start-up). Later resizes still change it (the screens' ``on_resize``).
    """
    tall = screen.app.size.height >= TALL_ROWS
    if tall:
        screen.add_class("-tall", update=False)
    return tall


class Reporting:
    """Mixin: worker failures of this node go to the app's one handler."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        cast("CounterApp", cast(Any, self).app).report_worker(event.worker)


class KeepsStyles:
    """Mixin for screens: no restyle of the whole screen when it is shown again unchanged.

    Textual re-applies the stylesheet to every widget of a screen each time the screen resumes: when
    it is pushed (just after it was styled widget by widget), twice for a mode's first screen, and at
    every F3/F4/F6 or closed dossier. A widget is restyled anyway when its own classes or
    pseudo-classes change, hidden or not; what can change behind a hidden screen is app-wide: the
    theme (it bumps the app's CSS count), the app's classes and pseudo-classes (focus, dark, ...).
    The screen keeps what those were when it was last styled and lets Textual restyle it only if they
    differ. From launch to the intake screen, 376 style applications instead of 673.

    ``_css_update_count`` is private to Textual (pinned to one minor version), like in ``app.py``.
    """

    _styled_under: tuple[object, ...] | None = None
    """The app-wide state this screen's widgets were last styled under (None: not yet)."""

    def _style_state(self) -> tuple[object, ...]:
        app: Any = cast(Any, self).app
        return (app._css_update_count, app.classes, app.pseudo_classes)

    def _on_mount(self, event: events.Mount) -> None:
        # Every widget is styled as it is mounted.
        self._styled_under = self._style_state()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Screen._on_screen_resume (handlers go down the MRO), which reads the flag.
        state = self._style_state()
        if state == self._styled_under:
            event.refresh_styles = False
        self._styled_under = state


def show_field_errors(fields: Iterable[Field], error: ValidationError) -> list[str]:
    """Put each message under its field; return the messages no field could show."""
    by_key: dict[str, Field] = {f.key: f for f in fields}
    for field in by_key.values():
        field.error = ""
    leftovers: list[str] = []
    for problem in error.errors:
        target = by_key.get(problem.field)
        if target is None:
            leftovers.append(problem.message)
        elif not target.error:
            target.error = problem.message
    return leftovers


def is_text_field(widget: object) -> bool:
    """True for a widget that takes typed text (an Input or a TextArea)."""
    if isinstance(widget, Input):
        return True
    # TextArea is not imported at start-up (its module and themes are heavy): if nothing has
    # imported it, no TextArea exists to have the focus.
    text_area = sys.modules.get("textual.widgets._text_area")
    return text_area is not None and isinstance(widget, text_area.TextArea)


def focus_first_error(fields: Iterable[Field]) -> bool:
    """Focus the first field showing an error; False when none does."""
    for field in fields:
        if field.error:
            field.focus()
            return True
    return False


class CounterScreen(KeepsStyles, Reporting, Screen[None]):
    """A main screen: title and scan box on top, the screen's body, status line and footer."""

    SCREEN_TITLE = ""
    """Shown in the top bar after the commune and counter."""
    MODE = ""
    """The app mode whose base screen this is ("" for a screen opened on top of a mode)."""
    OPENS_ON_TOP = False
    """Opened on top of a mode's screen (a dossier): F3/F4/F6 close it first."""

    @property
    def counter_app(self) -> CounterApp:
        return cast("CounterApp", self.app)

    def compose(self) -> ComposeResult:
        settings = self.counter_app.desk.settings
        place = f" · {settings.commune_name} · Quầy {settings.counter_no}" if settings.is_configured else ""
        yield TopBar(f"{self.SCREEN_TITLE.upper()}{place}")
        yield from self.compose_body()
        yield StatusLine(id="status-line", markup=False)  # names typed by people: never markup
        yield CounterFooter(id="footer", compact=True)

    def compose_body(self) -> ComposeResult:
        yield from ()

    def focus_target(self) -> Widget | None:
        """Where the keys go when the screen is first shown (None: Textual's choice)."""
        return None

    def show_stored_changes(self) -> None:
        """The database changed under this screen (a sync took the commune's new events): show
        what it holds now. Screens that show stored dossiers read them again; a form being typed
        (the intake) keeps what it has."""

    @property
    def scan_input(self) -> ScanInput:
        return self.query_one("#scan", ScanInput)

    def take_scan(self, text: str) -> None:
        """Move the focus to the scan box with the first keys of a scan a widget caught."""
        scan = self.scan_input
        self._before_scan = self.focused
        self.set_focus(scan)
        scan.insert_text_at_cursor(text)

    async def submit_scan(self, text: str) -> None:
        """A whole scan a widget caught, Enter included: into the scan box, and submitted."""
        self.take_scan(text)
        await self.scan_input.action_submit()

    def _leave_scan_box(self) -> None:
        """Escape in a scan box holding text: clear it and give the focus back (a stray digit sent
        the step keys there; one Escape then left the dossier altogether)."""
        self.scan_input.value = ""
        before = getattr(self, "_before_scan", None)
        self._before_scan = None
        if before is not None and before.is_attached and before.screen is self and before.focusable:
            self.set_focus(before)
        else:
            self.set_focus(None)
            self.focus_next()

    async def on_key(self, event: events.Key) -> None:
        # A scanner types a code (it starts with a digit) while a list or a button has focus:
        # send the keys to the scan box instead of losing them. Text fields keep their keys.
        scan = self.scan_input
        character = event.character or ""
        if self.focused is scan:
            if event.key == "escape" and scan.value:
                self._leave_scan_box()
                event.stop()
                event.prevent_default()
                return
            # Keys of the same burst, queued for the widget that had focus before the first digit.
            if event.is_printable:
                scan.insert_text_at_cursor(character)
            elif event.key == "enter":
                await scan.action_submit()
            else:
                return
            event.stop()
            event.prevent_default()
            return
        if carry_on_burst(self, event):
            return
        if not character.isdigit() or is_text_field(self.focused):
            return
        if event.key in self.app.active_bindings:
            return
        self.take_scan(character)
        event.stop()
        event.prevent_default()


def carry_on_burst(screen: Screen[Any], event: events.Key) -> bool:
    """A key that no widget took, on its way up to the app: keep a fast typist's burst in order.
    True if the key was handled here.

    The app hands each key to the widget focused when the key arrives, so in a burst the keys
    behind one that moves the focus are already queued on the widget that had it. Text fields pass
    them on (:func:`pass_on_to_focus`); a drop-down, a table or a button let them bubble up here.
    A Tab among them moved the focus only once it reached the app's binding, after the letters
    behind it had bubbled up and been dropped ("02/12/2026", Tab, Tab, "Kiểm tra" typed at once
    on the days-off form left the note empty). So:

    - Tab and Shift+Tab move the focus here, at once, in the order of the burst;
    - a printable key that reaches the screen while a text field has the focus cannot come from
      that field (an input takes every printable key): it was typed for it, and is handed to it,
      marked so that it stays there even once a later Tab of the burst moved the focus on.
    """
    if event.key in ("tab", "shift+tab"):
        if event.key == "tab":
            screen.focus_next()
        else:
            screen.focus_previous()
    elif event.is_printable and is_text_field(screen.focused):
        cast(Widget, screen.focused).post_message(carried(event))
    else:
        return False
    event.stop()
    event.prevent_default()
    return True


def pass_on_scan(widget: Widget, typed: str) -> bool:
    """When keys typed on a widget that takes no text hold a dossier code (a scanner's burst),
    ask the app to open it (under a dialog, the app says to close the dialog first). True if so."""
    scanned = split_code(typed, *own_codes(widget))
    if scanned is None:
        return False
    widget.post_message(OpenDossier(scanned.code))
    return True


class CounterModal(KeepsStyles, Reporting, ModalScreen[Any]):
    """A dialog over a screen; Escape closes it without doing anything."""

    BINDINGS = [("escape", "cancel", "Hủy")]

    @property
    def counter_app(self) -> CounterApp:
        return cast("CounterApp", self.app)

    def on_mount(self) -> None:
        # The notices of what was done before (read, or answered by opening this dialog, such as
        # the invitation to rate) would cover the dialog's buttons on an 80x24 screen. Textual
        # calls this besides a dialog's own on_mount (handlers run for each class).
        self.app.clear_notifications()

    def action_cancel(self) -> None:
        self.dismiss(None)

    async def on_key(self, event: events.Key) -> None:
        # A scanner types a code and Enter into whatever has focus. On a button (a question's
        # "Không") its characters did nothing and its Enter answered the question; the scan was
        # lost without a word. Keys typed on a widget that takes no text are kept aside, and an
        # Enter after a code-like run of them answers nothing: the app says to close the dialog.
        if carry_on_burst(self, event) or is_text_field(self.focused):
            return
        typed = getattr(self, "_typed", "")
        if event.is_printable:
            self._typed = typed + (event.character or "")
        elif event.key == "enter" and typed:
            self._typed = ""
            if pass_on_scan(self, typed):
                event.stop()
                event.prevent_default()
        else:
            self._typed = ""
