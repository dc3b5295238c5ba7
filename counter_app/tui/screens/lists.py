"""The lists: today's intake, due today, overdue, waiting for papers, results to hand back, and a search
with results as you type. Each list pages through the database (never every row at once).
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static, Tab, Tabs

from counter_app.desk import NUMBER_PREFIX_MIN, too_short_a_number
from counter_app.store.dossiers import DossierRow
from counter_app.tui.formatting import plural_dossiers
from counter_app.tui.messages import ChipScanned
from counter_app.tui.screens.base import CounterScreen
from counter_app.tui.widgets.dossier_table import DossierTable
from counter_app.tui.widgets.fields import FieldInput, focus_now

VIEWS: dict[str, str] = {
    "today": "Hôm nay",
    "due_today": "Đến hạn",
    "overdue": "Quá hạn",
    "waiting_papers": "Chờ bổ sung",
    "ready": "Chờ trả",
    "search": "Tìm kiếm",
}
"""The tabs, in order: desk list views, then the search."""

VIEW_TITLES: dict[str, str] = {
    "today": "Hồ sơ tiếp nhận hôm nay",
    "due_today": "Hồ sơ đến hạn trả hôm nay",
    "overdue": "Hồ sơ quá hạn (đang xử lý, đã qua giờ hẹn)",
    "waiting_papers": "Hồ sơ chờ công dân bổ sung giấy tờ",
    "ready": "Hồ sơ đã có kết quả, chờ trả cho công dân",
    "search": "Tìm theo tên, số căn cước, số điện thoại hoặc mã hồ sơ",
}

SEARCH_DELAY = 0.15
"""Seconds of quiet typing before a search runs (a fast typist sends one query, not ten)."""
SEARCH_SEEN = 2.0
"""Seconds a search's results stay on screen before the access log counts them as seen (the
queries passed through while typing a name are not); leaving the screen counts them at once."""


class ListsScreen(CounterScreen):
    """Tabs of lists over one paged table; Enter on a row opens the dossier."""

    SCREEN_TITLE = "Danh sách hồ sơ"
    MODE = "lists"
    FOOTER_OPTIONAL = frozenset({"reload"})
    """Gives way when the footer is too narrow (80 columns) to keep F10, sign out: the lists are
    read again whenever they are shown."""

    BINDINGS = [
        # The app's F5 (a priority key) gives way here to this one (App.check_action), which keeps
        # the footer as it was and the palette's one "Tìm hồ sơ" entry.
        Binding("f5", "view('search')", "Tìm", id="lists.search", show=False),
        Binding("ctrl+f", "view('search')", "Tìm", id="lists.find", show=False),
        Binding("ctrl+n", "next_view", "Thẻ sau", id="lists.next", tooltip="Chuyển sang danh sách kế tiếp"),
        Binding("ctrl+b", "previous_view", "Thẻ trước", id="lists.previous", show=False),
        Binding("ctrl+l", "reload", "Tải lại", id="lists.reload", tooltip="Đọc lại danh sách và số lượng"),
        # From the search box the arrow goes down into the results (Enter does too); the table
        # handles its own arrows, so this only fires from the box.
        Binding("down", "to_results", "Xuống kết quả", id="lists.results", show=False),
        Binding("escape", "back", "Quay lại", id="lists.back", show=False),
    ]

    view: reactive[str] = reactive("today", init=False)
    """The list shown."""

    def compose_body(self) -> ComposeResult:
        with Vertical(id="lists"):
            yield Tabs(
                *(Tab(label, id=key) for key, label in VIEWS.items()), active=self.view, id="list-tabs"
            )
            with Horizontal(id="search-row"):
                yield Static("Tìm", classes="field-label")
                yield FieldInput(
                    placeholder=f"tên (không cần dấu), số căn cước, điện thoại (từ {NUMBER_PREFIX_MIN} số), "
                    "mã hồ sơ…",
                    # F5 again for another citizen: the last query is replaced, not typed on to.
                    select_on_focus=True,
                    id="search-input",
                )
            yield Static("", id="list-title")
            yield DossierTable(now=self.counter_app.now, id="list-table")
            yield Static("", id="list-detail")

    @property
    def table(self) -> DossierTable:
        return self.query_one("#list-table", DossierTable)

    @property
    def search_input(self) -> FieldInput:
        return self.query_one("#search-input", FieldInput)

    def __init__(self, view: str = "today") -> None:
        """Args:
        view: The list shown first (F5 makes the screen on the search: what is typed straight
            after it goes to the search box, not to a table shown for an instant).
        """
        super().__init__()
        self.set_reactive(ListsScreen.view, view)
        self._counts: dict[str, tuple[int, int]] = {}
        self._searched = ""
        self._seen: tuple[str, str, str, list[str], bool] | None = None
        """The results on screen not yet in the access log: viewer, list, query (a search's),
        codes shown, more."""
        self._seen_timer: Timer | None = None
        self.seen_after = SEARCH_SEEN
        """Seconds before results on screen count as seen (SEARCH_SEEN)."""
        self._table_had_focus = False
        """The table had the focus when another screen (a dossier) opened over this one."""
        self._logged: tuple[str, str, str, list[str]] | None = None
        """The last results logged (viewer, list, query, codes): the same results shown again to the
        same official after a reload are not logged twice."""

    def focus_target(self) -> Widget:
        # Where the keys go from the first frame (Textual would focus the tabs or the table).
        return self.search_input if self.view == "search" else self.table

    def on_mount(self) -> None:
        focus_now(self.focus_target())

    def on_screen_suspend(self) -> None:
        self._log_seen()
        self._table_had_focus = self.focused is self.table

    def on_screen_resume(self) -> None:
        # Shown again (from another screen or back from a dossier): the lists may have changed.
        self.call_after_refresh(self._reload_if_shown)

    def _reload_if_shown(self) -> None:
        # Resumed only on the way out (a dossier closed at sign-out, this screen then dropped):
        # nothing to show, and its widgets may be gone already.
        if self.is_current:
            self.action_reload()

    # -- views ----------------------------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        self.open_view(view)

    def open_view(self, view: str) -> None:
        """Show a list; asked for the list already shown (F5 while searching), go back to its
        search box or table, wherever the focus had wandered."""
        # Asked for by a key: the reload that follows the screen shown again (F3, then F5 with the
        # table focused when it was left) keeps this focus, not the table's of before.
        self._table_had_focus = False
        if view == self.view:
            focus_now(self.search_input if view == "search" else self.table)
        else:
            # Set here, not through the tabs' message: asked for while the screen is being shown
            # again (F5 from the intake), that message could come after the reload of the list
            # left, which put the tabs back on it.
            self.view = view
        if view == "search":  # F5 is for the next search: what is typed replaces the last one
            self.search_input.select_all()

    async def action_back(self) -> None:
        """Escape: a search typed is cleared first (the next name to look for); then back to the
        intake, where the next citizen is received."""
        if self.view == "search" and self.search_input.value:
            self.search_input.value = ""
            self.search_input.focus()
            return
        await self.counter_app.action_intake()

    def action_next_view(self) -> None:
        keys = list(VIEWS)
        self.action_view(keys[(keys.index(self.view) + 1) % len(keys)])

    def action_previous_view(self) -> None:
        keys = list(VIEWS)
        self.action_view(keys[(keys.index(self.view) - 1) % len(keys)])

    @on(Tabs.TabActivated, "#list-tabs")
    def _tab(self, event: Tabs.TabActivated) -> None:
        # Only the tab still active: the message of a tab the screen itself activated comes
        # later, and two quick Ctrl+N left one behind for a tab already left; taking it set the
        # view back, which activated that tab again, and the two messages chased each other for
        # good (an empty list, the CPU busy until sign-out).
        tab = event.tab.id
        if tab and tab == self.query_one("#list-tabs", Tabs).active and tab != self.view:
            self.view = tab

    def watch_view(self, view: str) -> None:
        self._table_had_focus = False  # the focus kept from a list left means nothing on this one
        self._show_view(view)

    def _show_view(self, view: str, *, again: bool = False) -> None:
        """Show a list; ``again``: the same list read again, its cursor (and focus) kept."""
        self._show_detail(None)
        tabs = self.query_one("#list-tabs", Tabs)
        if tabs.active != view:
            tabs.active = view
        searching = view == "search"
        self.query_one("#search-row").display = searching
        self._update_title()
        desk = self.counter_app.desk
        back_in_table = again and self._table_had_focus
        self._log_seen()  # the results shown so far leave the screen
        if searching:
            focus_now(self.table if back_in_table else self.search_input)
            self._run_search(self.search_input.value, keep_cursor=again)
        else:
            self.table.show(lambda limit, offset: desk.list_view(view, limit, offset), keep_cursor=again)
            focus_now(self.table)
            self._count(view)

    def show_stored_changes(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self._show_view(self.view, again=True)

    def _update_title(self, loaded: int | None = None, done: bool = True) -> None:
        view = self.view
        title = VIEW_TITLES[view]
        if view != "search" and view in self._counts:
            count, refused = self._counts[view]
            if refused:  # as the day's figures count them: received, and refused at the counter
                title += f": {plural_dossiers(count - refused)}, {refused} từ chối tiếp nhận"
            else:
                title += f": {plural_dossiers(count)}"
        elif view == "search" and loaded is not None:
            title = f"Kết quả: {plural_dossiers(loaded)}{'' if done else '+'}"
            if not loaded and too_short_a_number(self._searched):
                title += f" (số điện thoại, số căn cước: gõ từ {NUMBER_PREFIX_MIN} chữ số)"
        self.query_one("#list-title", Static).update(title)

    @work(thread=True, exit_on_error=False, group="list-count", exclusive=True)
    def _count(self, view: str) -> None:
        desk = self.counter_app.desk
        count = desk.count_view(view)
        refused = desk.refused_at_counter_today() if view == "today" else 0
        self.app.call_from_thread(self._counted, view, count, refused)

    def _counted(self, view: str, count: int, refused: int = 0) -> None:
        self._counts[view] = (count, refused)
        if view == self.view:
            self._update_title()

    @on(DossierTable.Loaded)
    def _loaded(self, event: DossierTable.Loaded) -> None:
        if self.view == "search":
            self._update_title(event.total_loaded, event.done)
        if not event.total_loaded:
            self._show_detail(None)  # the last dossier highlighted is not among no results
        self._results_shown(event.done)

    @on(DataTable.RowHighlighted, "#list-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Under the table, the highlighted dossier's procedure and applicant in full: on 80
        columns the procedure column is out of view and long names are cut."""
        key = event.row_key.value if event.row_key is not None else None  # None: no rows
        row = self.table.row_of(str(key)) if key else None
        self._show_detail(row)

    def _show_detail(self, row: DossierRow | None) -> None:
        detail = Text(no_wrap=True, overflow="ellipsis")
        if row is not None and self.view == "ready" and row.phone:
            detail.append(f"ĐT {row.phone} · ", style="bold")  # the list for calling citizens in
        if row is not None:
            detail.append(f"{row.procedure_name} ({row.procedure_code})")
            detail.append(f" · {row.who}", style="dim")
        self.query_one("#list-detail", Static).update(detail)

    # -- the access log of searches -------------------------------------------------------------------

    def _results_shown(self, done: bool) -> None:
        """Results on screen: they go into the access log once seen (a search's for SEARCH_SEEN
        seconds, or when the official moves on), a list's as well: a page of names and phones."""
        official = self.counter_app.official
        searching = self.view == "search"
        if official is None or (searching and not self._searched):
            return
        codes = [str(key.value) for key in self.table.rows]
        if not codes and not searching:
            return  # an empty list showed no one
        shown = (official.full_name, self.view, self._searched if searching else "", codes)
        if self._logged == shown:
            return
        self._seen = (*shown, not done)
        if self._seen_timer is not None:
            self._seen_timer.stop()
        self._seen_timer = self.set_timer(self.seen_after, self._log_seen, name="search-seen")

    def _forget_seen(self) -> None:
        """A new query replaced the results before they counted as seen."""
        self._seen = None
        if self._seen_timer is not None:
            self._seen_timer.stop()
            self._seen_timer = None

    def _log_seen(self) -> None:
        seen, self._seen = self._seen, None
        if self._seen_timer is not None:
            self._seen_timer.stop()
            self._seen_timer = None
        if seen is not None:
            self._logged = seen[:4]
            self._write_search_log(*seen)

    @work(thread=True, exit_on_error=False, group="search-log")
    def _write_search_log(self, viewer: str, view: str, query: str, codes: list[str], more: bool) -> None:
        desk = self.counter_app.desk
        if view == "search":
            desk.log_search(viewer, query, codes, more=more)
        else:
            desk.log_list(viewer, view, codes, more=more)

    # -- search ---------------------------------------------------------------------------------------

    def search(self, query: str) -> None:
        """Show the search tab with this query (from the scan box or the palette)."""
        self.search_input.value = query
        self.view = "search"
        # Already on the search, the view did not change and the focus stayed in the scan box:
        # Down and Enter did not reach the results.
        self.search_input.focus()
        self._run_search(query)

    @on(ChipScanned)
    def _card_scanned(self, message: ChipScanned) -> None:
        """A citizen's card scanned into the search box: their dossiers, by the card's number. It
        started a new intake instead, for a citizen asking where their dossier was."""
        if self.view != "search" or self.focused is not self.search_input:
            return  # elsewhere on the lists, a card starts an intake (the app's handler)
        message.stop()
        self.search(message.chip.id_number)

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.view == "search":
            self._debounce(event.value)

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def action_to_results(self) -> None:
        if self.focused is self.search_input and self.table.row_count:
            self.table.focus()

    @work(exclusive=True, group="search-typing")
    async def _debounce(self, query: str) -> None:
        await asyncio.sleep(SEARCH_DELAY)
        self._run_search(query)

    def _run_search(self, query: str, *, keep_cursor: bool = False) -> None:
        desk = self.counter_app.desk
        text = query.strip()
        if text != self._searched:
            self._forget_seen()
        self._searched = text
        if not text:
            self._show_detail(None)
            self.table.show(None)
            self.query_one("#list-title", Static).update(VIEW_TITLES["search"])
            return
        self.table.show(lambda limit, offset: desk.find(text, limit, offset), keep_cursor=keep_cursor)
