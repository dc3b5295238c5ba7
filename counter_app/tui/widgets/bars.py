"""The bar on top of every main screen (title and the scan box), the status line and the footer."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from counter_app.domain.codes import looks_like_code, normalise_code
from counter_app.tui.formatting import ROLE_NAMES
from counter_app.tui.messages import ChipScanned, OpenDossier, SearchRequested
from counter_app.tui.scanning import split_scan
from counter_app.tui.widgets.fields import FieldInput, own_codes


class ScanInput(FieldInput):
    """The always-visible scan box: a code opens its dossier, other text searches."""

    def _on_blur(self, event: events.Blur) -> None:
        # Left without Enter, what it holds is no scan: typed while no field had the focus it piled
        # up here ("031190099999031190077777…"), a citizen's ID number in the header all day.
        super()._on_blur(event)
        self.value = ""

    async def action_submit(self) -> None:
        text = self.value.strip()
        self.value = ""
        if not text:
            return
        agency, pattern = own_codes(self)
        message: Message
        scanned = split_scan(text, agency, pattern)
        # A stray key left in the box before a scan ("c" + this counter's code) made the whole
        # text a code-shaped one, "not found": this counter's own code at its end is the scan.
        stray = (
            scanned is not None and bool(scanned.before) and scanned.code.startswith(agency.upper() or "\0")
        )
        if looks_like_code(text, pattern) and not stray:
            message = OpenDossier(normalise_code(text))
        elif scanned is not None and scanned.chip is not None:
            message = ChipScanned(scanned.chip)
        elif scanned is not None:
            message = OpenDossier(scanned.code)
        else:
            message = SearchRequested(text)
        # The screen submits a burst's Enter from its own task (the keys had gone to the widget that
        # had focus before the first digit). A message takes the running task's node as its sender,
        # and Textual stops a message at its sender: the screen kept the scan from the app and
        # every other burst scan on the dossier screen opened nothing. The box is the sender.
        self.post_message(message.set_sender(self))


class TopBar(Horizontal):
    """Screen title on the left, the scan box (F2) on the right."""

    def __init__(self, title: str) -> None:
        super().__init__(id="topbar")
        self._title = title

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="topbar-title", markup=False)
        yield ScanInput(
            placeholder="Mã hồ sơ: quét hoặc gõ (F2)",
            id="scan",
            tooltip="Quét mã vạch trên giấy biên nhận, hoặc gõ mã / tên / số căn cước rồi Enter",
        )


NO_HUB = "Chưa đặt máy chủ đồng bộ"
"""The status line's sync part on a counter without a city hub."""

NO_HUB_TOOLTIP = (
    "Chưa đặt máy chủ đồng bộ của thành phố: {waiting} sự kiện được giữ trên máy này và sẽ được gửi "
    "khi cán bộ giám sát đặt máy chủ (F6 › Cài đặt)."
)


class StatusLine(Static):
    """Who is signed in, which counter, and how many events wait to be sent to the hub.

    On a narrow terminal the parts give way from the least needed (the commune's name, then the
    role, then the counter), so the sync state and the events waiting, which say whether the day's
    dossiers have reached the city, are never the part cut off.
    """

    def on_mount(self) -> None:
        self.watch(self.app, "official", self._refresh_text)
        self.watch(self.app, "unsent", self._refresh_text)
        self.watch(self.app, "hub_state", self._refresh_text)
        self.watch(self.app, "hub_problem", self._refresh_text)

    def on_resize(self) -> None:
        self._refresh_text()

    def _refresh_text(self, _value: object = None) -> None:
        app = self.app
        official = getattr(app, "official", None)
        settings = app.desk.settings  # type: ignore[attr-defined]
        waiting = getattr(app, "unsent", 0)
        hub = getattr(app, "hub_state", "")  # with a hub set: "Đồng bộ 09:30" or "Ngoại tuyến"
        if hub or settings.hub_url:
            sync = f"{hub} · chờ gửi {waiting}" if hub else f"Sự kiện chờ gửi: {waiting}"
            self.tooltip = Text(getattr(app, "hub_problem", "")) or None  # may quote an address
        else:
            # "Sự kiện chờ gửi: 59" read as something stuck; nothing is sent until the city gives
            # a hub. The events are kept meanwhile, and go up once one is set: said on hover.
            sync = NO_HUB
            self.tooltip = NO_HUB_TOOLTIP.format(waiting=waiting)
        name = official.full_name if official is not None else ""
        role = f" ({ROLE_NAMES.get(official.role, official.role)})" if official is not None else ""
        counter = f"Quầy {settings.counter_no}" if settings.is_configured else ""
        place = f"{counter} · {settings.commune_name}" if settings.is_configured else ""

        def line(person: str, where: str) -> str:
            return " │ ".join(p for p in (person, where, sync) if p)

        room = self.content_size.width  # 0 before the first layout: the whole line, cut later
        versions = (line(name + role, place), line(name + role, counter), line(name, counter), line(name, ""))
        shown = next((v for v in versions if room <= 0 or cell_len(v) < room), None)
        if shown is None:  # a name longer than the line: the name is cut, the sync state stays whole
            cut = set_cell_size(name, max(room - cell_len(sync) - 5, 1)).rstrip()
            shown = line(f"{cut}…", "") if name else sync
        self.update(shown)


TEXTUAL_KEYS = {"Dismiss menu": "Đóng danh sách"}
"""Textual's own keys that the footer shows, in the counter's language (the open list of a
``Select`` binds Esc as "Dismiss menu")."""


PALETTE_KEY_WIDTH = 9
"""Cells kept for the command palette's key at the footer's right end ("^p Lệnh", its border and
its right padding: it starts at column 71 of 80). One cell more left F10 out of the dossier's
footer with room to spare."""


def key_width(key: str, description: str, app: App[object]) -> int:
    """Cells a footer key takes: its key as displayed, its description and a cell each side (as
    Textual 8's footer draws it: "^sLưu & in  escXóa form")."""
    display = app.get_key_display(Binding(key, ""))
    return cell_len(display) + cell_len(description) + 2


class CounterFooter(Footer):
    """Textual's footer, composed again only when the keys it shows change, and without a leak.

    Textual's footer composes its keys again after every change of bindings, that is at every
    focus change, once per change: from the start to the intake ready it was composed 16 times
    (3 now, cProfile call counts) to show the same keys. Here the changes of one refresh make one
    recompose, and none when the shown keys are the same as before.

    Each key the footer composes is bound to its ``compact`` reactive, and Textual drops the
    bindings of removed keys only when ``compact`` changes, which it never does here: every
    recompose kept a row of dead keys alive (their widgets, styles and rendered lines) for the
    rest of the day.
    """

    _pending = False
    _shown: tuple[tuple[str, str, str, bool], ...] | None = None
    APP_KEYS = True
    """Whether the app's keys (F2-F6, F10) are shown besides the screen's."""

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    def _shown_keys(self) -> tuple[tuple[str, str, str, bool], ...]:
        shown = [
            (node is self.app, (binding.key, binding.action, binding.description, enabled))
            for node, binding, enabled, _tooltip in self.screen.active_bindings.values()
            if binding.show and (self.APP_KEYS or node is not self.app)
        ]
        keys = [key for _, key in shown]
        optional: frozenset[str] = getattr(self.screen, "FOOTER_OPTIONAL", frozenset())
        # The screen's own optional keys give way first, then the app's (F5, F6), each last first.
        giving_way = [key[1] for app_key, key in reversed(shown) if not app_key and key[1] in optional]
        giving_way += [key[1] for app_key, key in reversed(shown) if app_key and key[1] in optional]
        room = self.app.size.width - PALETTE_KEY_WIDTH
        # One cell of padding each side of a key (Textual's footer CSS); a key shows once per action.
        width = {action: key_width(key, said, self.app) for key, action, said, _ in keys}
        while sum(width.values()) > room:
            dropped = next((a for a in giving_way if a in width), None)
            if dropped is None:
                break
            del width[dropped]
        return tuple(k for k in keys if k[1] in width)

    def compose(self) -> ComposeResult:
        shown = {action for _key, action, _said, _enabled in self._shown_keys()}
        kept = 0
        for widget in super().compose():
            action = getattr(widget, "action", None)  # a key (Textual keeps its class private)
            if widget.has_class("-command-palette"):
                pass
            elif action not in shown:
                continue  # a screen's optional key, left out when the footer is too narrow for it
            else:
                kept += 1
            if self.compact and not widget.has_class("-command-palette"):
                # The class Textual's binding would give each key once mounted, given now: set by
                # the binding, it restyled every key a second time at each recompose.
                widget.add_class("-compact", update=False)
            said = getattr(widget, "description", None)
            if isinstance(said, str) and said in TEXTUAL_KEYS:
                widget.description = TEXTUAL_KEYS[said]  # type: ignore[attr-defined]
            yield widget
        self.styles.grid_size_columns = kept

    def on_resize(self) -> None:
        """A narrower or wider terminal may show more or fewer of the screen's optional keys."""
        if not self._pending and self._shown is not None:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        shown = self._shown_keys()
        if shown != self._shown:
            await self.recompose()

    async def recompose(self) -> None:
        self._shown = self._shown_keys() if self.is_attached else None
        await super().recompose()
        # A "change" of compact makes Textual prune the watchers of closed keys; live keys get the
        # same value again, which changes nothing.
        self.mutate_reactive(Footer.compact)


class DialogFooter(CounterFooter):
    """A dialog's own keys (Ctrl+S confirms, Esc cancels), over the footer of the screen under it.

    Under a dialog the screen's footer still offered its keys (F3, the steps), which do nothing
    there, and did not say how to confirm.
    """

    APP_KEYS = False

    def __init__(self) -> None:
        super().__init__(id="dialog-footer", compact=True, show_command_palette=False)

    def compose(self) -> ComposeResult:
        # What the dialog is for first ("^s Xác nhận"), Esc last, as its buttons are.
        keys = list(super().compose())
        yield from sorted(keys, key=lambda key: getattr(key, "key", "") == "escape")
