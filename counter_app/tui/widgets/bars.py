"""The bar on top of every main screen (title and the scan box), the status line and the footer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, Static

from counter_app.domain.codes import looks_like_code, normalise_code
from counter_app.tui.formatting import ROLE_NAMES
from counter_app.tui.messages import ChipScanned, OpenDossier, SearchRequested
from counter_app.tui.scanning import split_scan
from counter_app.tui.widgets.fields import FieldInput, own_agency


class ScanInput(FieldInput):
    """The always-visible scan box: a code opens its dossier, other text searches."""

    async def action_submit(self) -> None:
        text = self.value.strip()
        self.value = ""
        if not text:
            return
        if looks_like_code(text):
            self.post_message(OpenDossier(normalise_code(text)))
            return
        scanned = split_scan(text, own_agency(self))
        if scanned is not None and scanned.chip is not None:
            self.post_message(ChipScanned(scanned.chip))
        elif scanned is not None:
            self.post_message(OpenDossier(scanned.code))
        else:
            self.post_message(SearchRequested(text))


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


class StatusLine(Static):
    """Who is signed in, which counter, and how many events wait to be sent to the hub."""

    def on_mount(self) -> None:
        self.watch(self.app, "official", self._refresh_text)
        self.watch(self.app, "unsent", self._refresh_text)

    def _refresh_text(self, _value: object = None) -> None:
        app = self.app
        official = getattr(app, "official", None)
        settings = app.desk.settings  # type: ignore[attr-defined]
        parts = []
        if official is not None:
            parts.append(f"{official.full_name} ({ROLE_NAMES.get(official.role, official.role)})")
        if settings.is_configured:
            parts.append(f"Quầy {settings.counter_no} · {settings.commune_name}")
        parts.append(f"Sự kiện chờ gửi: {getattr(app, 'unsent', 0)}")
        self.update(" │ ".join(parts))


class CounterFooter(Footer):
    """Textual's footer, without its leak of replaced keys.

    The footer composes its keys again whenever the bindings change (at every focus change), and
    each key it composes is bound to the footer's ``compact`` reactive. Textual drops the bindings
    of removed keys only when ``compact`` changes, which it never does here: every focus change kept
    a row of dead keys alive (their widgets, styles and rendered lines) for the rest of the day.
    """

    async def recompose(self) -> None:
        await super().recompose()
        # A "change" of compact makes Textual prune the watchers of closed keys; live keys get the
        # same value again, which changes nothing.
        self.mutate_reactive(Footer.compact)
