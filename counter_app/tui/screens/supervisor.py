"""The supervisors' screen: the day's and the month's figures, the logbook, working days and office
hours, officials, PINs and locked accounts. Officials without the supervisor role are refused before
it opens.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Input, Select, Sparkline, Static, TabbedContent, TabPane, Tabs
from textual.widgets.data_table import CellDoesNotExist

from counter_app.desk import (
    REPORT_FIGURES,
    another_supervisor,
    backup_summary,
    figure_text,
    stranded_appointments,
)
from counter_app.domain.calendar import day_kind_text
from counter_app.domain.dossier import STATUS_NAMES
from counter_app.domain.errors import CounterError, FieldError, ValidationError
from counter_app.domain.validation import PERIOD_BACKWARDS, PERIOD_NOT_YET, day_problem
from counter_app.tui.formatting import OVERRIDE_KINDS, ROLE_NAMES, day_text, parse_day
from counter_app.tui.screens.base import (
    TALL_ROWS,
    CounterScreen,
    classed_tall,
    focus_first_error,
    show_field_errors,
)
from counter_app.tui.screens.dialogs import ConfirmDialog
from counter_app.tui.widgets.fields import ErrorLine, Field, focus_now, new_pin_field, pass_on_to_focus

SPARK_DAYS = 30
"""Days in the intake sparkline."""

UPCOMING_DAYS = 120
"""How far ahead the calendar tab lists holidays and make-up days (past the next Tết from autumn)."""

TAB_FOCUS = {
    "dashboard": "#dashboard-scroll",  # nothing to type: Left and Right change tabs from there
    "logbook": "#logbook-from-input",
    "calendar": "#override-day-input",
    # The name of a new account: the hint says to type it, and typed on the table it was lost
    # and its Enter opened the first official's account with the cursor in the PIN.
    "officials": "#official-username-input",
    "settings": "#setting-agency_id-input",
}
"""Where the focus goes when a tab is shown: what the supervisor types or picks there first."""

SHOWN_ON = {
    "submit": ("logbook", "calendar", "officials", "settings"),
    "print_logbook": ("dashboard", "logbook"),
    "reload": ("dashboard",),
}
"""The tabs where a key of the screen has something to do (Ctrl+S on the figures did nothing)."""

NEW_PIN_HINT = "4 đến 8 chữ số"
CHANGE_PIN_HINT = "mã PIN mới (trống: giữ PIN cũ)"
PIN_AGAIN_HINT = "gõ lại mã PIN vừa nhập"
PIN_AGAIN_MISSING = "Hãy nhập lại mã PIN để chắc chắn không gõ nhầm."
PIN_AGAIN_DIFFERENT = "Hai lần nhập mã PIN không khớp: hãy gõ lại cả hai."
SAVE_NEW = "Thêm cán bộ (Ctrl+S)"
SAVE_CHANGES = "Lưu thay đổi (Ctrl+S)"

TABS = ("dashboard", "logbook", "calendar", "officials", "settings")

DASHBOARD_CHECK_SECONDS = 5.0
"""How often the figures shown check whether the database changed (another process saved a
dossier, the nightly sync took other counters' events) or the day turned: they are computed again
only then. One pragma per check, in a worker."""

COUNTER_SETTINGS = (
    ("agency_id", "Mã định danh", "mã cơ quan theo QCVN 102, ví dụ 000.17.22.H56"),
    ("counter_phone", "ĐT của quầy", "in trên phiếu yêu cầu bổ sung; trống: để dòng chấm"),
    ("printer", "Tên máy in", "tên máy in trong CUPS; trống: lưu PDF"),
    ("idle_lock_minutes", "Tự khóa (phút)", "số phút không thao tác; 0: không tự khóa"),
    ("forms_retention_days", "Giữ PDF (ngày)", "biểu mẫu đã lưu được xóa sau số ngày này; 0: giữ"),
    ("hub_url", "Máy chủ đồng bộ", "https://… do thành phố cấp; trống: không đồng bộ"),
    ("hub_token", "Mã truy cập", "mã của quầy này trên máy chủ đồng bộ"),
)
"""The settings a supervisor changes from the screen (name, label, hint): the agency identifier
the codes carry (setup leaves it to later), the phone number printed for citizens to call, the
printer, the personal-data timings, and the city hub (its address and this counter's token, which
the city gives or changes after the first run). The commune and counter number are fixed once
dossiers exist; the rest are the IT admin's (``counter settings``)."""

SECRET_SETTINGS = frozenset({"hub_token"})
"""Settings typed like a PIN: never shown on the screen."""

LOGBOOK_STATUSES = [("Tất cả", 0), *((f"{n} · {name}", n) for n, name in STATUS_NAMES.items())]
"""The logbook tab's status filter (DOMAIN.md §2: filters by date range and status); 0: all."""

HUB_SETTINGS = frozenset({"hub_url", "hub_token"})
"""Settings after whose change the counter syncs at once, to say whether the new hub answers."""

OVERRIDE_COLUMNS = (("Ngày", "day"), ("Loại", "kind"), ("Ghi chú", "label"))
UPCOMING_COLUMNS = (("Ngày", "day"), ("Loại", "kind"), ("Lý do", "note"))
OFFICIAL_COLUMNS = (
    ("Tên đăng nhập", "username"),
    ("Họ và tên", "name"),
    ("Vai trò", "role"),
    ("Hoạt động", "active"),
)

Cell = str | Text


def fill_table(
    table: DataTable[Any], columns: Sequence[tuple[str, str]], rows: Sequence[tuple[str, Sequence[Cell]]]
) -> None:
    """Replace a table's rows, each column exactly as wide as its widest cell.

    Textual measures new rows only when the table goes idle; a screen drawn before that (a row
    added after a save) kept the lines it drew with the old widths: a longer name came out cut
    ("Trần Thanh Bìn") under misaligned columns until a restart. Columns given their width here are
    drawn right at once, and narrow again when the longest value goes.

    The cursor stays on the row it was on (by key) when that row is still there: read again
    because another program changed the database, a list of days off must not slide another day
    under the cursor of a supervisor about to delete one.
    """
    kept: Any = None
    if table.row_count:
        with contextlib.suppress(CellDoesNotExist):  # no row under the cursor: nothing to keep
            kept = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    table.clear(columns=True)
    for index, (label, key) in enumerate(columns):
        widths = [cell_len(label), *(_width(cells[index]) for _, cells in rows)]
        table.add_column(Text(label), key=key, width=max(widths))
    for key, cells in rows:
        # Plain text: a DataTable reads a str as markup, and a name or a note typed with "[/x]"
        # ended the program; "[b]" or ":smile:" changed what it said.
        table.add_row(*(Text(c) if isinstance(c, str) else c for c in cells), key=key)
    if kept is not None and kept in table.rows:
        table.move_cursor(row=table.get_row_index(kept), animate=False)


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)


class Figures(VerticalScroll):
    """The dashboard's pane, where F6 puts the focus: Left and Right change tabs from here, as on
    the tab strip (they did nothing at F6, and Ctrl+N was not on the 80-column footer)."""

    BINDINGS = [
        Binding("left", "tab(-1)", show=False),  # no description: not a palette entry (Ctrl+N is)
        Binding("right", "tab(1)", show=False),
    ]

    def action_tab(self, step: int) -> None:
        """On to the tab strip, then the next (or previous) tab: the arrows go on from there."""
        strip = self.screen.query_one("#supervisor-tabs ContentTabs", Tabs)
        focus_now(strip)
        if step > 0:
            strip.action_next_tab()
        else:
            strip.action_previous_tab()


class OfficialsTable(DataTable[Any]):
    """The officials, one a row; a letter typed here starts a user name in the form.

    Typed on the table, the name was lost, and its Enter opened the official under the cursor
    with the focus in the PIN: the new account's PIN, typed twice, became that official's.
    Digits stay a scan (the screens' rule).
    """

    async def _on_key(self, event: events.Key) -> None:
        if pass_on_to_focus(self, event):  # keys of the burst whose first letter moved the focus
            return
        character = event.character or ""
        screen = self.screen
        if (
            event.is_printable
            and character.strip()
            and not character.isdigit()
            and isinstance(screen, SupervisorScreen)
        ):
            event.stop()
            event.prevent_default()
            screen.type_user_name(character)
            return
        await super()._on_key(event)


class SupervisorScreen(CounterScreen):
    """Dashboard, logbook, calendar overrides and office hours, officials."""

    SCREEN_TITLE = "Giám sát"
    MODE = "supervisor"
    FOOTER_OPTIONAL = frozenset({"print_logbook", "back", "toggle_official", "reload", "focus_scan"})
    """Keys that give way, last first, when the footer is too narrow (80 columns): each has its
    button on the screen (F2 is named in the scan box), while F3-F5, F10 (sign out) and Ctrl+N (the
    only key to the other tabs a new supervisor can find) are shown nowhere else."""

    BINDINGS = [
        Binding(
            "f8",
            "print_logbook",
            "In sổ",
            id="supervisor.logbook",
            tooltip="In hoặc lưu PDF sổ theo dõi hồ sơ cho khoảng ngày đã chọn",
        ),
        Binding(
            "ctrl+s", "submit", "Lưu / In", id="supervisor.submit", tooltip="Thực hiện việc của thẻ đang mở"
        ),
        Binding(
            "escape",
            "back",
            "Quay lại",
            id="supervisor.back",
            tooltip="Bỏ thay đổi cán bộ đang nhập dở; form trống thì về màn hình tiếp nhận",
        ),
        Binding(
            "ctrl+n",
            "next_tab",
            "Thẻ sau",
            id="supervisor.next_tab",
            tooltip="Sang thẻ kế tiếp (trên dòng các thẻ: ←/→)",
        ),
        Binding(
            "ctrl+l",
            "reload",
            "Tải lại",
            id="supervisor.reload",
            tooltip="Tính lại số liệu ngay (số liệu tự tính lại khi có hồ sơ mới)",
        ),
        Binding("delete", "remove_override", "Xóa ngày", id="supervisor.remove_override", show=False),
        Binding(
            "ctrl+t",
            "toggle_official",
            "Khóa/mở tài khoản",
            id="supervisor.toggle_official",
            tooltip="Khóa tài khoản của cán bộ đang chọn trong bảng (không đăng nhập được nữa), "
            "hoặc mở lại tài khoản đã khóa (có xác nhận)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._officials: list[dict[str, Any]] = []
        """The officials as last read from the desk (the table's rows)."""
        self._parked = False
        self._logbook_running = False
        """A logbook is being made (F8 is refused until it is done)."""
        """The focus was put on the tab strip as its tab was hidden, on its way into the new tab."""
        self._filled_from: dict[str, Any] | None = None
        """The existing official whose name and role the form was filled in with (None: a new one)."""
        self._hours_shown = ""
        """The office hours last put in their field (the field differs once the supervisor types)."""
        self._settings_shown: dict[str, str] = {}
        """The settings last put in their fields (the same rule as the office hours)."""
        self._figures_of: tuple[int, date] | None = None
        """The database's data version and the day the figures shown were computed for."""
        self.check_every = DASHBOARD_CHECK_SECONDS
        """Seconds between two checks for new figures (DASHBOARD_CHECK_SECONDS)."""

    def compose_body(self) -> ComposeResult:
        classed_tall(self)
        today = self.counter_app.now().date()
        with TabbedContent(id="supervisor-tabs", initial="dashboard"):
            with TabPane("Tổng quan", id="dashboard"):
                with Figures(id="dashboard-scroll"):
                    yield Static("", id="dashboard-figures")
                    yield Static("", id="spark-title")
                    yield Sparkline([0] * SPARK_DAYS, id="spark")
                    yield Static("", id="spark-days")
            with TabPane("Sổ theo dõi", id="logbook"):
                with VerticalScroll():
                    yield Static("SỔ THEO DÕI HỒ SƠ (Mẫu sổ theo dõi, khổ A4 ngang)", classes="section-title")
                    # Given in advance: a date typed over replaces it (it ran on after it).
                    yield Field(
                        "Từ ngày",
                        key="from",
                        value=f"{today:%d/%m/%Y}",
                        select_on_focus=True,
                        id="logbook-from",
                    )
                    yield Field(
                        "Đến ngày", key="to", value=f"{today:%d/%m/%Y}", select_on_focus=True, id="logbook-to"
                    )
                    with Horizontal(classes="field-row"):
                        yield Static("Trạng thái", classes="field-label")
                        yield Select(
                            LOGBOOK_STATUSES, value=0, allow_blank=False, compact=True, id="logbook-status"
                        )
                    yield Button("In / lưu sổ (F8)", variant="primary", id="logbook-print")
                    yield Static("", id="logbook-result", markup=False)
                    yield Static("SAO LƯU DỮ LIỆU", classes="section-title")
                    yield Static(
                        "Chép toàn bộ dữ liệu của quầy sang một tệp riêng (nên làm khi kết thúc ngày); "
                        "vẫn tiếp nhận hồ sơ được trong lúc sao lưu.",
                        classes="dialog-hint",
                    )
                    yield Button("Sao lưu ngay", id="backup-now")
                    yield Static("", id="backup-result", markup=False)
            with TabPane("Ngày làm việc", id="calendar"):
                with VerticalScroll():
                    yield Static(
                        "NGÀY NGHỈ, NGÀY LÀM BÙ CỦA XÃ (ghi đè lịch chung; Delete: xóa)",
                        classes="section-title",
                    )
                    yield DataTable(id="overrides", cursor_type="row", zebra_stripes=True)
                    yield Static("Chưa có ngày nào.", id="overrides-empty", classes="dialog-hint")
                    yield Field("Ngày", key="day", placeholder="dd/mm/yyyy", id="override-day")
                    with Horizontal(classes="field-row"):
                        yield Static("Loại", classes="field-label")
                        yield Select(
                            [(label, kind) for kind, label in OVERRIDE_KINDS.items()],
                            value="day_off",
                            allow_blank=False,
                            compact=True,
                            id="override-kind",
                        )
                    yield Field(
                        "Ghi chú",
                        key="label",
                        placeholder="ví dụ Nghỉ bù Quốc khánh",
                        id="override-label",
                    )
                    yield Button("Thêm ngày (Ctrl+S)", id="override-add")
                    yield Static("GIỜ LÀM VIỆC", classes="section-title")
                    yield Field("Giờ làm việc", key="office_hours", select_on_focus=True, id="office-hours")
                    yield Button("Lưu giờ làm việc (Ctrl+S)", id="hours-save")
                    yield Static(
                        f"NGÀY NGHỈ LỄ, NGHỈ BÙ, LÀM BÙ {UPCOMING_DAYS} NGÀY TỚI (lịch chung và của xã)",
                        classes="section-title",
                    )
                    # A table, not a text: Tab reaches it and the arrows scroll it on a small screen.
                    yield DataTable(id="upcoming-days", cursor_type="row", zebra_stripes=True)
            with TabPane("Cán bộ", id="officials"):
                with VerticalScroll():
                    yield Static("CÁN BỘ", classes="section-title")
                    yield Static(
                        "Thêm cán bộ: nhập tên đăng nhập mới. Đổi mã PIN, vai trò hoặc họ tên: gõ tên "
                        "đăng nhập có sẵn, hoặc Enter ở dòng của cán bộ trong bảng (Shift+Tab lên bảng).",
                        classes="dialog-hint",
                    )
                    yield OfficialsTable(id="officials-table", cursor_type="row", zebra_stripes=True)
                    yield Button("Khóa / mở lại tài khoản (Ctrl+T)", id="official-toggle")
                    yield Field("Tên đăng nhập", key="username", id="official-username")
                    yield Field("Họ và tên", key="full_name", id="official-name")
                    with Horizontal(classes="field-row"):
                        yield Static("Vai trò", classes="field-label")
                        yield Select(
                            [(label, role) for role, label in ROLE_NAMES.items()],
                            value="official",
                            allow_blank=False,
                            compact=True,
                            id="official-role",
                        )
                    yield new_pin_field("Mã PIN", key="pin", placeholder=NEW_PIN_HINT, id="official-pin")
                    # Typed twice, as `counter add-official` asks it: a slip behind the dots would
                    # lock the official out until a supervisor noticed.
                    yield new_pin_field(
                        "Nhập lại mã PIN",
                        key="pin_again",
                        placeholder=PIN_AGAIN_HINT,
                        id="official-pin-again",
                    )
                    yield ErrorLine(id="official-known", classes="dialog-hint")
                    yield Button(SAVE_NEW, id="official-save")
            with TabPane("Cài đặt", id="settings"):
                yield from self._compose_settings()

    def _compose_settings(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("CÀI ĐẶT CỦA QUẦY", classes="section-title")
            for name, label, hint in COUNTER_SETTINGS:
                yield Field(
                    label, key=name, placeholder=hint, id=f"setting-{name}", password=name in SECRET_SETTINGS
                )
            yield Button("Lưu cài đặt (Ctrl+S)", variant="primary", id="settings-save")
            yield Static(
                "Mã định danh có trên mọi mã hồ sơ cấp ra: đặt mã thật trước khi tiếp nhận. "
                "Máy in: tên hàng đợi CUPS (lệnh lpstat -p liệt kê); trống thì biểu mẫu được lưu PDF. "
                "Máy chủ đồng bộ: hồ sơ chưa gửi được gửi lên máy chủ mới ở lần đồng bộ tiếp theo.",
                classes="dialog-hint",
            )

    def _show_settings(self) -> None:
        """The stored settings in their fields, unless the supervisor is typing there."""
        settings = self.counter_app.desk.settings
        for name, _label, _hint in COUNTER_SETTINGS:
            field = self.query_one(f"#setting-{name}", Field)
            if field.value == self._settings_shown.get(name, ""):
                field.value = self._settings_shown[name] = str(getattr(settings, name))

    def _save_settings(self) -> None:
        fields = [self.query_one(f"#setting-{name}", Field) for name, _label, _hint in COUNTER_SETTINGS]
        for field in fields:
            field.error = ""
        settings = self.counter_app.desk.settings
        changed = {f.key: f.value.strip() for f in fields if f.value.strip() != str(getattr(settings, f.key))}
        if not changed:
            self.notify("Không có gì thay đổi.", title="Cài đặt")
            return
        try:
            self.counter_app.desk.update_settings(by=self._by, **changed)
        except ValidationError as error:
            self._inline(error, fields)
            return
        except CounterError as error:
            self.counter_app.show_error(error)
            return
        self._settings_shown = {}
        for field in fields:
            field.value = ""
        self._show_settings()

        def shown(name: str) -> str:
            value = self._settings_shown[name]
            if name in SECRET_SETTINGS:  # a token is never written on the screen
                return "(đã đặt)" if value else "(trống)"
            return value or "(trống)"

        said = ", ".join(f"{label}: {shown(name)}" for name, label, _ in COUNTER_SETTINGS if name in changed)
        self.notify(said, title="Đã lưu cài đặt")
        for warning in self.counter_app.desk.change_warnings:
            self.notify(warning, title="Lưu ý", severity="warning", timeout=20)
        if HUB_SETTINGS & changed.keys():
            self.counter_app.hub_problem = ""
            self.counter_app.sync_now()  # the status line says at once whether the new hub answers

    def on_mount(self) -> None:
        fill_table(self.query_one("#overrides", DataTable), OVERRIDE_COLUMNS, [])
        fill_table(self.query_one("#upcoming-days", DataTable), UPCOMING_COLUMNS, [])
        fill_table(self.query_one("#officials-table", DataTable), OFFICIAL_COLUMNS, [])
        self._show_office_hours()
        self._show_settings()
        # Enter in the PIN goes on to "Nhập lại mã PIN" at once, not through the screen's Submitted
        # handler: the second PIN typed right after Enter (a quick hand) ran on into the first.
        self.query_one("#official-pin", Field).input.enter_advances = True
        self.set_interval(self.check_every, self._check_figures, name="dashboard-check")

    def _show_office_hours(self) -> None:
        """The office hours as stored now (the command line may have changed them since), unless
        the supervisor is typing new ones: saving the form must never put back stale hours."""
        field = self.query_one("#office-hours", Field)
        if field.value == self._hours_shown:
            field.value = self._hours_shown = self.counter_app.desk.settings.office_hours

    def on_screen_resume(self) -> None:
        official = self.counter_app.official
        if official is None or not official.is_supervisor:
            # Never shown to an official: the app refuses first; this guards any other way in.
            self.counter_app.refuse_supervisor()
            return
        self.call_after_refresh(self.action_reload)
        self.call_after_refresh(self._focus_into_tab)  # not the scan box: Left/Right change tabs

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#supervisor-tabs", TabbedContent)

    def action_next_tab(self) -> None:
        active = self.tabs.active
        self.tabs.active = TABS[(TABS.index(active) + 1) % len(TABS)] if active in TABS else TABS[0]

    def show_stored_changes(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self._show_office_hours()
        self._show_settings()
        self._load_dashboard()
        self._show_overrides()
        self._show_officials()

    def action_submit(self) -> None:
        active = self.tabs.active
        if active == "logbook":
            self.action_print_logbook()
        elif active == "calendar":
            hours = (self.query_one("#office-hours", Field).input, self.query_one("#hours-save", Button))
            if self.focused in hours:
                self._save_hours()
            else:
                self._add_override()
        elif active == "officials":
            self._save_official()
        elif active == "settings":
            self._save_settings()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        actions = {
            "logbook-print": self.action_print_logbook,
            "override-add": self._add_override,
            "hours-save": self._save_hours,
            "official-save": self._save_official,
            "official-toggle": self.action_toggle_official,
            "backup-now": self.action_backup,
            "settings-save": self._save_settings,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            action()

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if event.input.id == "scan":
            return
        event.stop()
        input_id = event.input.id or ""
        if input_id == "logbook-to-input":
            self.action_print_logbook()
        elif input_id == "override-label-input":
            self._add_override()
        elif input_id == "office-hours-input":
            self._save_hours()
        elif input_id == "official-pin-again-input":
            self._save_official()
        elif input_id == f"setting-{COUNTER_SETTINGS[-1][0]}-input":
            self._save_settings()
        else:
            # On to the next field to type in: a choice between (the kind of day, the role) keeps
            # its default and is reached with Tab. Stopped on it, the note typed next was lost
            # and a PIN went to the scan box, in clear in the header.
            focused = self.focus_next()
            if isinstance(focused, Select):
                self.focus_next()

    # -- dashboard ------------------------------------------------------------------------------------

    def _check_figures(self) -> None:
        """The timer's check: new figures when the database or the day changed since those shown.

        The screen reads its figures again when it is shown; while it stays open, a dossier
        received at the command line (or brought by the sync) and midnight went unseen until
        Ctrl+L, which the footer did not show.
        """
        official = self.counter_app.official
        if not self.is_current or official is None or not official.is_supervisor:
            return
        self._check_data_version()

    @work(thread=True, exit_on_error=False, group="dashboard-check", exclusive=True)
    def _check_data_version(self) -> None:
        # The store's data version moves only when another connection commits: the changes made in
        # this app (a dossier saved at the intake) are read when the screen is shown again, and a
        # sync run here calls show_stored_changes.
        seen = (self.counter_app.desk.data_version(), self.counter_app.now().date())
        if seen != self._figures_of:
            self.app.call_from_thread(self._stored_changed)

    def _stored_changed(self) -> None:
        """Another program changed the database (or midnight passed): the figures, and the lists
        of days off and officials (a day off set at the command line went unseen here until the
        screen was left, while the supervisor was about to delete another)."""
        self._load_dashboard()
        self._show_overrides()
        self._show_officials()

    @work(thread=True, exit_on_error=False, group="dashboard", exclusive=True)
    def _load_dashboard(self) -> None:
        desk = self.counter_app.desk
        version = desk.data_version()  # before the figures: a change made meanwhile is read next
        now = self.counter_app.now()
        today = now.date()
        day = desk.period_report(today, today)
        month = desk.period_report(today.replace(day=1), today)
        first = today - timedelta(days=SPARK_DAYS - 1)
        spark = desk.period_report(first, today)
        self.app.call_from_thread(self._show_dashboard, now, day, month, spark, first, version)

    def _show_dashboard(
        self,
        now: datetime,
        day: dict[str, Any],
        month: dict[str, Any],
        spark: dict[str, Any],
        first: date,
        version: int | None = None,
    ) -> None:
        today = now.date()
        if version is not None:
            self._figures_of = (version, today)
        table = Table(box=None, pad_edge=False, expand=False, header_style="bold")
        # When the figures were computed, where it takes no row (80x24 has none to spare).
        table.add_column(Text.assemble("Chỉ số ", (f"(lúc {now:%H:%M})", "not bold dim")))
        table.add_column(f"Hôm nay {today:%d/%m}", justify="right")
        table.add_column(f"Tháng {today:%m/%Y}", justify="right")
        for key, label in REPORT_FIGURES:
            if key == "refused_later":
                continue  # on the row of "refused": 80x24 has room for no more rows
            if key == "refused":
                table.add_row(
                    "Từ chối (tại quầy / sau tiếp nhận)",
                    *(
                        f"{figure_text(key, f[key])} / {figure_text(key, f['refused_later'])}"
                        for f in (day, month)
                    ),
                )
                continue
            table.add_row(label, figure_text(key, day[key]), figure_text(key, month[key]))
        self.query_one("#dashboard-figures", Static).update(table)
        counts = dict(spark.get("per_day", []))
        data = [counts.get((first + timedelta(days=i)).isoformat(), 0) for i in range(SPARK_DAYS)]
        self.query_one("#spark", Sparkline).data = data
        self.query_one("#spark-title", Static).update(
            f"Hồ sơ tiếp nhận {SPARK_DAYS} ngày qua ({first:%d/%m} – {today:%d/%m}): "
            f"tổng {figure_text('received', sum(data))}, cao nhất {figure_text('received', max(data))}/ngày"
        )
        # The chart's ends, under its first and last columns: a bar is a day only when it says which.
        ends = Table.grid(expand=True)
        ends.add_column(justify="left")
        ends.add_column(justify="right")
        ends.add_row(f"{first:%d/%m}", f"hôm nay {today:%d/%m}")
        self.query_one("#spark-days", Static).update(ends)

    def on_resize(self, event: events.Resize) -> None:
        # As the intake screen does: room between the dashboard's parts only on a tall terminal; on
        # 80x24 the figures, the chart's title, two rows of chart and its dates just fit.
        tall = event.size.height >= TALL_ROWS
        if tall != self.has_class("-tall"):
            self.set_class(tall, "-tall")

    # -- logbook --------------------------------------------------------------------------------------

    def action_print_logbook(self) -> None:
        start = self.query_one("#logbook-from", Field)
        end = self.query_one("#logbook-to", Field)
        start.error = end.error = ""
        first, last = parse_day(start.value), parse_day(end.value)
        if first is None:
            start.error = day_problem(start.value, "Từ ngày", "01/11/2026")
        if last is None:
            end.error = day_problem(end.value, "Đến ngày", "30/11/2026")
        if first and last and last < first:
            end.error = PERIOD_BACKWARDS
        elif first and first > self.counter_app.now().date():
            start.error = PERIOD_NOT_YET
        if start.error or end.error or first is None or last is None:
            # The last print's "PDF đã lưu tại …" under a new date error read as if this one worked.
            self.query_one("#logbook-result", Static).update("")
            self.tabs.active = "logbook"
            focus_first_error([start, end])
            return
        if self._logbook_running:
            # F8 again while a year's book (a minute, thousands of pages) was being made started
            # a second render of it beside the first, and a second print job.
            self.notify(
                "Sổ theo dõi đang được tạo: chờ xong rồi hãy in sổ khác.",
                title="Đang tạo sổ",
                severity="warning",
            )
            return
        self._logbook_running = True
        self.query_one("#logbook-result", Static).update("Đang tạo sổ theo dõi…")
        status = self.query_one("#logbook-status", Select).value
        statuses = (status,) if isinstance(status, int) and status else None
        self.counter_app.print_logbook(first, last, statuses=statuses, on_done=self._logbook_done)

    def _logbook_done(self, message: str) -> None:
        self._logbook_running = False
        self.query_one("#logbook-result", Static).update(message)

    # -- backup ---------------------------------------------------------------------------------------

    def action_backup(self) -> None:
        """Copy the database into the backup folder, in a worker (a large file takes a while)."""
        self.query_one("#backup-now", Button).disabled = True
        self.query_one("#backup-result", Static).update("Đang sao lưu…")
        self._backup()

    @work(thread=True, exit_on_error=False, group="backup", exclusive=True)
    def _backup(self) -> None:
        from counter_app.locations import backup_dir

        try:
            result = self.counter_app.desk.backup(backup_dir())
        except (CounterError, OSError) as error:
            message = error.message if isinstance(error, CounterError) else str(error)
            self.app.call_from_thread(self._backup_done, f"Chưa sao lưu được: {message}", error)
        else:
            self.app.call_from_thread(self._backup_done, backup_summary(result))

    def _backup_done(self, message: str, error: BaseException | None = None) -> None:
        self.query_one("#backup-now", Button).disabled = False
        self.query_one("#backup-result", Static).update(message)
        if error is not None:
            self.counter_app.show_error(error)
        else:
            self.notify(message, title="Sao lưu")

    # -- calendar -------------------------------------------------------------------------------------

    def _show_overrides(self) -> None:
        desk = self.counter_app.desk
        rows: list[tuple[str, Sequence[Cell]]] = [
            (
                override.day.isoformat(),
                (day_text(override.day), OVERRIDE_KINDS.get(override.kind, override.kind), override.label),
            )
            for override in desk.overrides()
        ]
        overrides = self.query_one("#overrides", DataTable)
        fill_table(overrides, OVERRIDE_COLUMNS, rows)
        # An empty table is a header alone, which reads like a broken screen.
        overrides.display = bool(rows)
        self.query_one("#overrides-empty", Static).display = not rows
        # What the due times will skip or count, so the supervisor sees a missing day off in time.
        today = self.counter_app.now().date()
        upcoming = desk.special_days(today, today + timedelta(days=UPCOMING_DAYS - 1))
        rows = [
            (
                day.isoformat(),
                (
                    day_text(day),
                    Text(day_kind_text(day, working), style="bold" if working else "dim"),
                    note,
                ),
            )
            for day, working, note in upcoming
        ]
        if not rows:
            rows = [("none", ("Không có", "", ""))]
        fill_table(self.query_one("#upcoming-days", DataTable), UPCOMING_COLUMNS, rows)

    def _add_override(self) -> None:
        day_field = self.query_one("#override-day", Field)
        label_field = self.query_one("#override-label", Field)
        day_field.error = label_field.error = ""
        day = parse_day(day_field.value)
        if day is None:
            day_field.error = day_problem(day_field.value, "Ngày", "02/01/2027")
            day_field.focus()
            return
        kind = str(self.query_one("#override-kind", Select).value)
        try:
            self.counter_app.desk.set_override(day, kind, label_field.value, by=self._by)
        except ValidationError as error:
            self._inline(error, [day_field, label_field])
            return
        except CounterError as error:
            self.counter_app.show_error(error)
            return
        day_field.value = label_field.value = ""
        day_field.focus()  # the next day typed goes into "Ngày", not onto the end of the note
        self._show_overrides()
        self.notify(f"Đã ghi {OVERRIDE_KINDS[kind].lower()} {day_text(day)}.", title="Lịch làm việc")
        due = self.counter_app.desk.stranded_on(day)
        if due:
            self.notify(
                stranded_appointments(due), title="Hẹn trả vào ngày nghỉ", severity="warning", timeout=60
            )

    def action_remove_override(self) -> None:
        table = self.query_one("#overrides", DataTable)
        if self.focused is not table or not table.row_count:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        if row_key.value is None:
            return
        day = date.fromisoformat(row_key.value)
        desk = self.counter_app.desk
        kind = next((o.kind for o in desk.overrides() if o.day == day), "")

        def answered(yes: bool | None) -> None:
            if yes:
                try:
                    desk.remove_override(day, by=self._by)
                except CounterError as error:  # a day gone by keeps its calendar
                    self.counter_app.show_error(error)
                    return
                self._show_overrides()
                if not table.display:  # the last day went, and the table with it
                    focus_now(self.query_one("#override-day", Field).input)
                self._override_removed(day, kind)

        self.app.push_screen(
            ConfirmDialog(f"Xóa ngày {day_text(day)} khỏi lịch của xã?", yes="Xóa"), answered
        )

    def _override_removed(self, day: date, kind: str) -> None:
        """Say the day went; a make-up working day removed is a day off again, and the citizens given
        an appointment on it are named, as when a day off is added."""
        what = OVERRIDE_KINDS.get(kind, "ngày").lower()
        self.notify(f"Đã xóa {what} {day_text(day)} khỏi lịch của xã.", title="Lịch làm việc")
        due = self.counter_app.desk.stranded_on(day)
        if due:
            self.notify(
                stranded_appointments(due), title="Hẹn trả vào ngày nghỉ", severity="warning", timeout=60
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A key in the footer must do something on the tab shown; elsewhere it is left out.
        if not self.is_mounted:
            return action not in SHOWN_ON
        if action == "remove_override":
            return self.focused is self.query_one("#overrides", DataTable)
        if action == "toggle_official":
            return self.tabs.active == "officials" and bool(self._officials)
        if action in SHOWN_ON:
            return self.tabs.active in SHOWN_ON[action]
        return True

    @on(TabbedContent.TabActivated)
    def _tab_shown(self) -> None:
        self.refresh_bindings()  # Ctrl+T is offered on the officials tab only
        focused, pane = self.focused, self.tabs.active_pane
        if focused is not None and pane is not None and self.tabs in focused.ancestors:
            if pane not in focused.ancestors and not isinstance(focused, Tabs):
                # Out of the tab just hidden at once: a key typed before the focus reaches the new
                # tab went into a field no longer shown (the agency identifier, typed over).
                focus_now(self.query_one("#supervisor-tabs ContentTabs", Tabs))
                self._parked = True
        self.call_after_refresh(self._focus_into_tab)

    def _focus_into_tab(self) -> None:
        """Put the focus on the first thing to type in the tab just shown (``TAB_FOCUS``), unless it
        is already in that tab or on the tab strip.

        Ctrl+N left the focus in the tab it hid: Tab then started again from the top bar, and what
        the supervisor typed next went into the scan box.
        """
        pane = self.tabs.active_pane
        focused = self.focused
        parked, self._parked = self._parked, False  # on the strip only on its way into the tab
        on_strip = isinstance(focused, Tabs) and not parked
        if pane is None or (focused is not None and (pane in focused.ancestors or on_strip)):
            return
        target = TAB_FOCUS.get(self.tabs.active)
        if target is not None:
            focus_now(self.query_one(target))

    def _save_hours(self) -> None:
        field = self.query_one("#office-hours", Field)
        field.error = ""
        try:
            self.counter_app.desk.update_settings(office_hours=field.value.strip(), by=self._by)
        except ValidationError as error:
            self._inline(error, [field])
            return
        except CounterError as error:
            self.counter_app.show_error(error)
            return
        field.value = self._hours_shown = self.counter_app.desk.settings.office_hours  # as stored, tidied
        self.notify(f"Giờ làm việc: {field.value}", title="Đã lưu")
        # Hours shorter than a working day; appointments the new hours leave outside.
        for warning in self.counter_app.desk.change_warnings:
            self.notify(warning, title="Lưu ý về giờ làm việc mới", severity="warning", timeout=30)

    # -- officials ------------------------------------------------------------------------------------

    @staticmethod
    def _activity(row: dict[str, Any]) -> str:
        """The account's state as the table shows it: on, off, or waiting after wrong PINs."""
        if not row["active"]:
            return "không (đã khóa)"
        if row["waiting_until"] is not None:
            return f"chờ đến {row['waiting_until']:%H:%M} (sai PIN; đặt PIN mới để mở)"
        return "có"

    def _show_officials(self, keep: str | None = None) -> None:
        """Read the officials again; the cursor stays on ``keep`` (default: the official under it)."""
        table = self.query_one("#officials-table", DataTable)
        if keep is None:
            chosen = self._chosen_official()
            keep = chosen["username"] if chosen else None
        self._officials = self.counter_app.desk.officials()
        rows: list[tuple[str, Sequence[Cell]]] = [
            (
                row["username"],
                (
                    row["username"],
                    row["full_name"],
                    ROLE_NAMES.get(row["role"], row["role"]),
                    self._activity(row),
                ),
            )
            for row in self._officials
        ]
        fill_table(table, OFFICIAL_COLUMNS, rows)
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        self._label_toggle()
        self.refresh_bindings()

    def _chosen_official(self) -> dict[str, Any] | None:
        """The official under the table's cursor."""
        table = self.query_one("#officials-table", DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return next((o for o in self._officials if o["username"] == row_key.value), None)

    @on(DataTable.RowHighlighted, "#officials-table")
    def _label_toggle(self) -> None:
        official = self._chosen_official()
        button = self.query_one("#official-toggle", Button)
        button.disabled = official is None
        if official is not None:
            verb = "Khóa" if official["active"] else "Mở lại"
            button.label = f"{verb} tài khoản «{official['username']}» (Ctrl+T)"
            button.refresh(layout=True)  # the width follows the label

    def action_toggle_official(self) -> None:
        """Lock the chosen official's account, or unlock it, after asking (one's own account: said
        so, since the session ends at once)."""
        official = self._chosen_official()
        if official is None:
            return
        username, name = official["username"], official["full_name"]
        active = not official["active"]
        if not active and self._last_supervisor(official):
            self._set_active(username, active)  # no question to answer: the desk refuses, and says why
            return
        if active:
            question, yes = f"Mở lại tài khoản «{username}» ({name})?", "Mở lại"
        elif self._is_me(username):
            question = (
                f"Đây là tài khoản của bạn («{username}», {name}): khóa thì bạn bị đăng xuất ngay và "
                "không đăng nhập lại được cho đến khi một cán bộ giám sát khác mở lại. Vẫn khóa?"
            )
            yes = "Khóa tài khoản của tôi"
        else:
            question = (
                f"Khóa tài khoản «{username}» ({name})? "
                "Cán bộ này sẽ không đăng nhập được cho đến khi được mở lại."
            )
            yes = "Khóa"

        def answered(sure: bool | None) -> None:
            if sure:
                self._set_active(username, active)

        self.app.push_screen(ConfirmDialog(question, yes=yes), answered)

    def _last_supervisor(self, official: dict[str, Any]) -> bool:
        """Whether ``official`` is the only active supervisor (the desk refuses to lock or demote
        them)."""
        return (
            official["role"] == "supervisor"
            and bool(official["active"])
            and not another_supervisor(self._officials, official["username"])
        )

    @property
    def _by(self) -> str:
        """Who makes a change here, for the desk to check in the change's own transaction that the
        account is still a supervisor's ("" once signed out: refused). The screen's own check runs
        every few seconds; a demotion made meanwhile from the command line must not slip through."""
        me = self.counter_app.official
        return me.username if me is not None else ""

    def _is_me(self, username: str) -> bool:
        """Whether ``username`` is the signed-in supervisor's own account."""
        me = self.counter_app.official
        return me is not None and me.username == username.strip().lower()

    @work(thread=True, exit_on_error=False, group="official")
    def _set_active(self, username: str, active: bool) -> None:
        # A refusal (the last supervisor) or an unknown name reaches the app's one error handler.
        self.counter_app.desk.set_official_active(username, active, by=self._by)
        self.app.call_from_thread(self._active_set, username, active)

    def _active_set(self, username: str, active: bool) -> None:
        self._show_officials(keep=username)
        done = "Đã mở lại" if active else "Đã khóa"
        self.notify(f"{done} tài khoản «{username}».", title="Cán bộ")
        if self._is_me(username):
            # Not at the next account check, seconds later: the keys typed meanwhile went on into
            # the sign-in form.
            self.counter_app.check_account()

    def _official_fields(self) -> tuple[Field, Field, Field, Field]:
        """The username, full name, PIN and PIN again fields of the officials tab."""
        return (
            self.query_one("#official-username", Field),
            self.query_one("#official-name", Field),
            self.query_one("#official-pin", Field),
            self.query_one("#official-pin-again", Field),
        )

    def _known_official(self, username: str) -> dict[str, Any] | None:
        """The official with this username (as the desk spells it: trimmed, lower case), or None."""
        wanted = username.strip().lower()
        return next((o for o in self._officials if o["username"] == wanted), None) if wanted else None

    @on(Input.Changed)
    def _field_edited(self, event: Input.Changed) -> None:
        """A field being corrected loses the message about what it held (it stayed until the next
        save: "Chưa nhập họ và tên." under a name typed since). Only for keys typed there: a value
        the screen puts in itself keeps its message (see :meth:`_clear_quietly`)."""
        field = event.input.parent
        if isinstance(field, Field) and field.edited_away("-", event.input.has_focus):
            field.error = ""

    def _clear_quietly(self, *fields: Field) -> None:
        """Empty fields without it counting as an edit (their message, set next, stays); the line
        under the form no longer promises the PIN emptied."""
        for field in fields:
            with field.input.prevent(Input.Changed):
                field.value = ""
        self._show_known(self._filled_from)

    @on(Input.Changed, "#official-username-input")
    def _username_typed(self, event: Input.Changed) -> None:
        """An existing username fills in that official's name and role: only the PIN is left to type."""
        _, name, _, _ = self._official_fields()
        role = self.query_one("#official-role", Select)
        known = self._known_official(event.value)
        previous = self._filled_from
        if known is not None and (previous is None or previous["username"] != known["username"]):
            if not name.value.strip() or (previous is not None and name.value == previous["full_name"]):
                name.value = known["full_name"]
            role.value = known["role"]
        elif known is None and previous is not None:
            # Typed on past an existing name: what was filled in for it no longer applies.
            if name.value == previous["full_name"]:
                name.value = ""
            role.value = "official"
        self._filled_from = known
        self._show_known(known)

    @on(Input.Changed, "#official-name-input, #official-pin-input")
    @on(Select.Changed, "#official-role")
    def _official_form_changed(self) -> None:
        """The line under the form follows what Ctrl+S would save."""
        self._show_known(self._filled_from)

    def _pending_changes(self, known: dict[str, Any]) -> list[str]:
        """What saving the form would change in ``known``'s account, in words."""
        _, name, pin, _ = self._official_fields()
        role = str(self.query_one("#official-role", Select).value)
        changes = []
        if role != known["role"]:
            before, after = (ROLE_NAMES.get(r, r) for r in (known["role"], role))
            changes.append(f"vai trò {before} → {after}")
        if name.value.strip() and name.value.strip() != known["full_name"]:
            changes.append(f"họ tên mới «{name.value.strip()}»")
        if pin.value:
            changes.append("mã PIN mới")
        return changes

    def _show_known(self, known: dict[str, Any] | None) -> None:
        """Say whose account the form changes and what Ctrl+S would change in it, and label the PIN
        and the button for it."""
        _, _, pin, _ = self._official_fields()
        line = self.query_one("#official-known", ErrorLine)
        button = self.query_one("#official-save", Button)
        if known is None:
            line.update("")
            pin.input.placeholder = NEW_PIN_HINT
            button.label = SAVE_NEW
        else:
            state = "đã khóa, lưu sẽ mở lại" if not known["active"] else "đang hoạt động"
            said = Text(
                f"Đã có: {known['full_name']}, {ROLE_NAMES.get(known['role'], known['role'])}, {state}. "
            )
            changes = self._pending_changes(known)
            if changes:
                said.append(f"Ctrl+S sẽ lưu: {'; '.join(changes)}.", style="bold")
            else:
                said.append("Sửa họ tên, vai trò hoặc nhập mã PIN mới (để trống: giữ PIN cũ) rồi Ctrl+S.")
            line.update(said)
            pin.input.placeholder = CHANGE_PIN_HINT
            button.label = SAVE_CHANGES
        button.refresh(layout=True)

    def type_user_name(self, character: str) -> bool:
        """A letter typed on the officials table: the start of a user name (a new account, or an
        existing one to change), put in the user-name field with the focus. False when an account
        is in the form already (the letter is no part of it)."""
        if self._official_form_filled():
            return False
        username = self.query_one("#official-username", Field).input
        focus_now(username)
        username.insert_text_at_cursor(character)
        return True

    @on(DataTable.RowSelected, "#officials-table")
    def _official_picked(self) -> None:
        """Enter on an official's row: their account, as stored now, in the form; the cursor in
        the PIN.

        Filled here in full, not through the username's Changed message: the same row picked again
        set the username to the text it held, no message came, and the form kept a role changed and
        not saved (a new PIN then saved a demotion) under a blank name.
        """
        chosen = self._chosen_official()
        if chosen is None:
            return
        self._show_officials(keep=chosen["username"])  # read again: the command line may have changed it
        official = self._known_official(chosen["username"])
        if official is None:  # removed meanwhile
            self._clear_official_form()
            return
        username, name, pin, pin_again = self._official_fields()
        with username.input.prevent(Input.Changed):
            username.value = official["username"]
        name.value = official["full_name"]
        self.query_one("#official-role", Select).value = official["role"]
        self._clear_quietly(pin, pin_again)
        for field in (username, name, pin, pin_again):
            field.error = ""
        self._filled_from = official
        self._show_known(official)
        pin.focus()

    def _official_form_filled(self) -> bool:
        """Whether anything was typed in the officials form (or an account put in it)."""
        return any(field.value for field in self._official_fields())

    def _clear_official_form(self) -> None:
        """The officials form empty, ready for a new account (the role back to "Cán bộ")."""
        fields = self._official_fields()
        self._clear_quietly(*fields)
        for field in fields:
            field.error = ""
        self._filled_from = None
        self.query_one("#official-role", Select).value = "official"
        self._show_known(None)

    async def action_back(self) -> None:
        """Esc: an official's account being changed is left as stored (the form emptied); with
        nothing typed there, back to the intake, as from the lists."""
        if self.tabs.active == "officials" and self._official_form_filled():
            self._clear_official_form()
            focus_now(self.query_one("#officials-table", DataTable))
            return
        await self.counter_app.action_intake()

    def _save_official(self) -> None:
        username, name, pin, pin_again = self._official_fields()
        for field in (username, name, pin, pin_again):
            field.error = ""
        role = str(self.query_one("#official-role", Select).value)
        known = self._known_official(username.value)
        full_name = name.value
        if known is not None and not full_name.strip():
            full_name = known["full_name"]  # an empty name keeps the one on record
        if (pin.value or pin_again.value) and pin_again.value != pin.value:
            # Said with what else is wrong (the user name, the name): one problem per Ctrl+S made
            # the supervisor type both PINs again for each.
            others = self.counter_app.desk.official_problems(
                username.value, full_name, role, None, existing=known is not None
            )
            if others:
                show_field_errors([username, name], ValidationError(others))
            if pin_again.value:
                self._clear_quietly(pin, pin_again)
                pin.error = PIN_AGAIN_DIFFERENT
            else:
                pin_again.error = PIN_AGAIN_MISSING
            focus_first_error([username, name, pin, pin_again])
            return
        if (
            known is not None
            and self._is_me(known["username"])
            and known["role"] == "supervisor"
            and role != "supervisor"
            and not self._last_supervisor(known)  # refused by the desk without a question
        ):

            def answered(sure: bool | None) -> None:
                if sure:
                    self._add_official(username.value, full_name, role, pin.value, known)

            self.app.push_screen(
                ConfirmDialog(
                    f"Đây là tài khoản của bạn («{known['username']}»): bỏ vai trò giám sát thì bạn rời "
                    "màn hình này ngay và không quay lại được. Vẫn đổi vai trò?",
                    yes="Bỏ vai trò giám sát",
                ),
                answered,
            )
            return
        # The last supervisor keeping the role is the desk's rule: its refusal reaches the app's
        # one error handler from the worker.
        self._add_official(username.value, full_name, role, pin.value, known)

    @work(thread=True, exit_on_error=False, group="official")
    def _add_official(
        self, username: str, full_name: str, role: str, pin: str, known: dict[str, Any] | None
    ) -> None:
        try:
            official = self.counter_app.desk.add_official(username, full_name, role, pin, by=self._by)
        except ValidationError as error:
            self.app.call_from_thread(self._official_refused, error)
            return
        self.app.call_from_thread(self._official_saved, official, known, bool(pin))

    def _official_refused(self, error: ValidationError) -> None:
        """The desk's reasons beside their fields; a PIN typed for the refused try is not kept for
        the next one (it would go with whatever is typed next, unseen behind its dots)."""
        fields = list(self._official_fields())
        self._clear_quietly(*fields[2:])
        self._inline(error, fields)

    def _official_saved(self, official: Any, known: dict[str, Any] | None, pin_changed: bool = True) -> None:
        self._clear_official_form()
        self._official_fields()[0].focus()  # the next account starts from its user name, not in the PIN
        self._show_officials(keep=official.username)
        role = ROLE_NAMES.get(official.role, official.role)
        if known is None:
            message = f"Đã thêm cán bộ «{official.username}» {official.full_name} ({role})."
        else:
            changes = ["đã đổi mã PIN"] if pin_changed else []
            if known["role"] != official.role:
                changes.append(f"vai trò mới: {role}")
            if known["full_name"] != official.full_name:
                changes.append(f"họ tên mới: {official.full_name}")
            if not known["active"]:
                changes.append("tài khoản đã được mở lại")
            said = "; ".join(changes) or "không có gì thay đổi"
            message = f"«{official.username}» ({official.full_name}): {said}."
        self.notify(message, title="Cán bộ")
        if self._is_me(official.username):
            self.counter_app.check_account()  # a role given up takes effect now, not seconds later

    def _inline(self, error: ValidationError, fields: list[Field]) -> None:
        leftovers = show_field_errors(fields, error)
        if leftovers:
            self.counter_app.show_error(ValidationError([FieldError("", m) for m in leftovers]))
        focus_first_error(fields)
