"""The command palette (Ctrl+P): every task of the counter by name, and dossiers by code or applicant.

Matching folds Vietnamese (no diacritics needed: "tiep nhan" finds "Tiếp nhận"), which Textual's
fuzzy matcher does not do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.align import Align
from rich.text import Text
from textual import on
from textual.binding import ActiveBinding, Binding
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.markup import escape
from textual.widgets import Input
from textual.widgets.option_list import Option

from counter_app.domain.errors import CounterError
from counter_app.domain.text import fold
from counter_app.tui.scanning import split_code
from counter_app.tui.widgets.dossier_table import STATUS_SHORT

if TYPE_CHECKING:
    from counter_app.tui.app import CounterApp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaletteCommand:
    """One task offered in the palette."""

    title: str
    help: str
    action: str
    """Action string run on ``namespace`` (e.g. ``app.intake`` or ``step('refused')``)."""
    namespace: object | None = None
    """The node that runs the action (None: the app)."""
    key: str = ""


def score(query: str, text: str) -> float:
    """How well a typed query matches a command title (0: not at all), diacritics ignored."""
    q = fold(query).split()
    if not q:
        return 0.0
    t = fold(text)
    words = t.split()
    if t.startswith(" ".join(q)):
        return 1.0
    if all(any(w.startswith(part) for w in words) for part in q):
        return 0.8
    if all(part in t for part in q):
        return 0.5
    return 0.0


def _declared_by_us(node: DOMNode, action: str) -> bool:
    """True when one of the counter's own classes of ``node`` declares a binding to ``action``."""
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("counter_app."):
            continue
        for declared in cls.__dict__.get("BINDINGS", ()):
            if (declared.action if isinstance(declared, Binding) else declared[1]) == action:
                return True
    return False


NO_MATCH = "Không có lệnh hay hồ sơ nào khớp"
"""What the palette says when nothing matches (Textual's own text is English)."""


class CounterPalette(CommandPalette):
    """Textual's command palette, saying in Vietnamese that nothing matched, and opening a scanned code.

    Textual writes its "No matches found" line from a private timer callback; the override starts
    that timer with its own callback (Textual is pinned to one minor version in pyproject.toml).
    """

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def no_match() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCH, style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, no_match)

    @on(Input.Submitted)
    def _open_scanned_code(self, event: Input.Submitted) -> None:
        """A dossier code scanned (or typed whole) and Enter: open that dossier.

        The scanner's Enter comes before the search has shown any hit, and Textual's palette then
        closed without a word. Runs before Textual's own handler, which it replaces for a code.
        """
        app = cast("CounterApp", self.app)
        scanned = split_code(event.value, app.desk.settings.agency_id, app.desk.settings.code_pattern)
        if scanned is None:
            return
        event.stop()
        event.prevent_default()
        # The search of the code typed may still run: closed under it, the palette's worker asked
        # for its styles and failed (KeyError in Textual), as Textual's own ways out cancel it first.
        cancel = getattr(self, "_cancel_gather_commands", None)
        if cancel is not None:
            cancel()
        app.post_message(CommandPalette.Closed(option_selected=True))
        self.dismiss()
        app.call_later(app.open_dossier, scanned.code)


class CounterCommands(Provider):
    """The counter's tasks: the app's commands and the active screen's key bindings."""

    @property
    def counter_app(self) -> CounterApp:
        return cast("CounterApp", self.app)

    def commands(self) -> Iterable[PaletteCommand]:
        seen: set[str] = set()
        # A screen's own meaning of an app key (F3 on the intake: back to the procedure; F5 on the
        # lists): one entry, the app's, doing there what the key does. "Tiếp nhận" came twice,
        # and the app's entry did nothing on the intake (its screen's key is not the app's).
        own_keys: dict[str, ActiveBinding] = {}
        for active in self.screen.active_bindings.values():
            if active.node is not self.app and active.enabled:
                own_keys.setdefault(self.app.get_key_display(active.binding).lower(), active)
        for command in self.counter_app.palette_commands():
            own = own_keys.get(command.key.lower()) if command.key else None
            if own is not None:
                seen.add(own.binding.action)
                help = own.binding.tooltip or command.help
                command = PaletteCommand(command.title, help, own.binding.action, own.node, command.key)
            yield command
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.description or binding.system:
                continue
            if binding.action in seen or binding.action in ("command_palette", "app.command_palette"):
                continue
            if active.node is self.app:
                continue  # the app's own tasks are listed above, with better help
            if not _declared_by_us(active.node, binding.action):
                continue  # Textual's own widget keys ("Delete all to the right"): English, and not tasks
            seen.add(binding.action)
            yield PaletteCommand(
                binding.description,
                binding.tooltip or binding.description,
                binding.action,
                active.node,
                self.app.get_key_display(binding),
            )

    def _run(self, command: PaletteCommand) -> None:
        namespace = command.namespace if command.namespace is not None else self.app
        self.app.call_later(self.app.run_action, command.action, namespace)

    def _display(self, command: PaletteCommand) -> Text:
        text = Text(command.title)
        if command.key:
            text.append(f"  {command.key}", style="dim")
        return text

    async def discover(self) -> Hits:
        for command in self.commands():
            yield DiscoveryHit(
                self._display(command), partial(self._run, command), command.title, command.help
            )

    async def search(self, query: str) -> Hits:
        for command in self.commands():
            value = max(score(query, command.title), score(query, command.help) * 0.6)
            if value > 0:
                yield Hit(
                    value,
                    self._display(command),
                    partial(self._run, command),
                    command.title,
                    command.help,
                )


class DossierCommands(Provider):
    """Dossiers by code, applicant name, ID number or phone (through the desk).

    What the palette showed goes into the access log when it closes, as a search of the lists
    screen does (who searched which ID number, and whose dossiers it showed): the results of the
    last query, those of the letters typed on the way there being only a moment on screen.
    """

    PAGE = 8
    """Dossiers the palette shows for a query."""

    _shown: tuple[str, str, list[str], bool] | None = None
    """The last results shown: who, the query, the codes, whether there were more."""

    async def search(self, query: str) -> AsyncIterator[Hit]:
        app = cast("CounterApp", self.app)
        text = query.strip()
        if len(text) < 3 or app.official is None or app.locked:
            return
        try:
            rows = await asyncio.to_thread(app.desk.find, text, self.PAGE)
        except CounterError:
            return
        if rows:
            self._shown = (app.official.full_name, text, [row.code for row in rows], len(rows) >= self.PAGE)
        for rank, row in enumerate(rows):
            display = Text.assemble(
                (row.code, "bold"),
                f"  {row.who}  ",
                (STATUS_SHORT.get(row.status, str(row.status)), "dim"),
            )
            yield Hit(
                0.9 - rank * 0.01,
                display,
                partial(app.open_dossier, row.code),
                f"{row.code} {row.who}",
                escape(f"Mở hồ sơ · {row.procedure_name}"),  # the palette reads help as markup
            )

    async def shutdown(self) -> None:
        shown, self._shown = self._shown, None
        if shown is None:
            return
        viewer, query, found, more = shown
        desk = cast("CounterApp", self.app).desk
        try:
            await asyncio.to_thread(desk.log_search, viewer, query, found, more=more)
        except CounterError as error:  # the palette is closing: the reason goes to the log
            log.warning("palette search not logged: %s", error.message)
