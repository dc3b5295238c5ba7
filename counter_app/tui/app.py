"""The counter's Textual app: first run, sign-in, then intake, lists, dossiers and the supervisor view.

Build it only with :func:`make_app` (the CLI and every test do); :func:`run` opens the database and
runs it. Intake, lists and supervisor are modes, so each keeps its screen (and a half-typed dossier)
while the official works elsewhere; a dossier opens on top of the current mode.

Every failure, in a handler or a worker, reaches :meth:`CounterApp.show_error`: a desk error is shown
as a notification with its Vietnamese title and message, anything else is logged and announced in one
plain sentence. The official never sees a traceback.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from counter_app.desk import Desk, Official, database_problem
from counter_app.domain.codes import (
    PLACEHOLDER_AGENCY_OFFICIAL,
    PLACEHOLDER_AGENCY_WARNING,
    is_placeholder_agency,
)
from counter_app.domain.errors import CounterError, DamagedFileError, PrintingError, ValidationError
from counter_app.settings import unknown_variables
from counter_app.tui.messages import (
    ChipScanned,
    DossierSaved,
    OpenDossier,
    SearchRequested,
    StepRecorded,
)
from counter_app.tui.screens.base import CounterScreen, KeepsStyles
from counter_app.tui.screens.first_run import FirstSupervisorScreen, SetupScreen, SignInScreen, UnlockScreen
from counter_app.tui.screens.intake import IntakeScreen
from counter_app.tui.widgets.fields import focus_now

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.timer import Timer
    from textual.widget import AwaitMount

    from counter_app.tui.commands import PaletteCommand
    from sync.client import SyncReport

log = logging.getLogger("counter.tui")

UNSENT_REFRESH_SECONDS = 30
"""How often the status line re-reads the number of events waiting for the hub."""

IDLE_CHECK_SECONDS = 5
"""How often the app checks for the idle lock (the setting counts in minutes): the screen locks at
most this late. At 30 s, a lock set to 1 minute came after up to 90 s."""

ACCOUNT_CHECK_SECONDS = 5
"""How often the app reads the signed-in official's account again (locked, role changed)."""

SYNC_SECONDS = 120
"""How often the app syncs with the city hub in the background, when one is set (and so how soon
it tries again after the connection came back)."""

SYNC_AFTER_SAVE_SECONDS = 2.0
DAMAGED_NOTICE_SECONDS = 600
"""A damaged database file is said for ten minutes."""
DAMAGED_REPEAT_SECONDS = 60
"""A damaged database file is said again after a minute, at the next read that meets the damage."""
CLOCK_WARNING_SECONDS = 120
"""How long the warning about a clock set back stays: long enough to be read, and acted on."""
"""A save or a step is sent this soon after (a burst of saves makes one sync)."""

Clock = Callable[[], datetime]


def _lists_screen(view: str = "today") -> Screen[Any]:
    # Imported on first use, like the other screens not needed to start: the counter must be
    # ready for the first citizen as fast as a bare Textual app.
    from counter_app.tui.screens.lists import ListsScreen

    return ListsScreen(view)


def _supervisor_screen() -> Screen[Any]:
    from counter_app.tui.screens.supervisor import SupervisorScreen

    return SupervisorScreen()


def _counter_commands() -> type[Provider]:
    # The palette's providers are imported when the palette first opens, not at start-up.
    from counter_app.tui.commands import CounterCommands

    return CounterCommands


def _dossier_commands() -> type[Provider]:
    from counter_app.tui.commands import DossierCommands

    return DossierCommands


class WelcomeScreen(KeepsStyles, Screen[None]):
    """What shows under the first-run and sign-in screens."""

    def compose(self) -> Any:
        yield Static("MỘT CỬA", id="welcome")


_NEEDS_SIGN_IN = frozenset({"focus_scan", "intake", "lists", "search", "supervisor", "sign_out", "show_list"})
"""App actions that mean nothing before an official signs in."""


RESET_AT_SIGN_OUT = ("lists", "supervisor")
"""Modes whose screens are made anew for the next official (the intake keeps its form)."""


class CounterApp(App[None]):
    """The one-stop counter."""

    CSS_PATH = ["app.tcss", "screens/lists.tcss", "screens/dossier.tcss", "screens/supervisor.tcss"]
    """Every screen's styles, read once at start-up (about 4 ms for the per-screen files).

    A screen's own ``CSS_PATH`` would be read when it first opens, and Textual then parses the whole
    stylesheet again from scratch (every widget's default CSS too) and restyles every widget of the
    app: tens of milliseconds and about 1 MB at the first F4, F6 or scanned dossier.
    """
    TITLE = "Một cửa"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = {_counter_commands, _dossier_commands}
    MODE_SCREENS: dict[str, Callable[[], Screen[Any]]] = {
        "welcome": WelcomeScreen,
        "intake": IntakeScreen,
        "lists": _lists_screen,
        "supervisor": _supervisor_screen,
    }
    """The modes and how each makes its base screen (registered with ``add_mode``)."""
    DEFAULT_MODE = "welcome"
    NOTIFICATION_TIMEOUT = 6

    BINDINGS = [
        Binding(
            "f2",
            "focus_scan",
            "Quét mã",
            id="app.scan",
            tooltip="Đưa con trỏ vào ô mã hồ sơ để quét hoặc gõ mã",
        ),
        Binding(
            "f3",
            "intake",
            "Tiếp nhận",
            id="app.intake",
            tooltip="Màn hình tiếp nhận hồ sơ (giữ nguyên nội dung đang nhập)",
            # The screen keys are the app's first (priority), and wait until the screen asked for
            # is up: the keys typed after them in the same read go there, not to the screen left.
            priority=True,
        ),
        Binding(
            "f4",
            "lists",
            "Danh sách",
            id="app.lists",
            tooltip="Hồ sơ hôm nay, đến hạn, quá hạn, chờ bổ sung, chờ trả",
            priority=True,
        ),
        Binding(
            "f5",
            "search",
            "Tìm",
            id="app.search",
            tooltip="Tìm hồ sơ theo tên, số căn cước, số điện thoại, mã",
            priority=True,
        ),
        Binding(
            "f6",
            "supervisor",
            "Giám sát",
            id="app.supervisor",
            tooltip="Số liệu, sổ theo dõi, lịch làm việc, cán bộ (chỉ giám sát)",
            priority=True,
        ),
        # The same key for an official: not in the footer, but pressed it says why nothing opens.
        Binding("f6", "refuse_supervisor", "Giám sát", id="app.supervisor_refused", show=False),
        Binding(
            "ctrl+p",
            "command_palette",
            "Lệnh",
            id="app.palette",
            priority=True,
            show=False,
            tooltip="Tìm mọi lệnh và hồ sơ theo tên",
        ),
        # In the footer: the supervisor shares the counter's PC, and the next official needs the key.
        Binding(
            "f10",
            "sign_out",
            "Đăng xuất",
            id="app.sign_out",
            tooltip="Đăng xuất để cán bộ khác đăng nhập (hồ sơ đang nhập dở vẫn được giữ)",
        ),
        Binding(
            "ctrl+q", "quit", "Thoát", id="app.quit", priority=True, show=False, tooltip="Thoát chương trình"
        ),
    ]

    official: reactive[Official | None] = reactive(None, init=False)
    """The official signed in, None before sign-in."""
    unsent: reactive[int] = reactive(0, init=False)
    """Events recorded here and not yet sent to the hub (from the desk's outbox)."""

    hub_state: reactive[str] = reactive("", init=False)
    """The status line's word on the city hub ("" when no hub is set)."""
    hub_problem: reactive[str] = reactive("", init=False)
    """Why the last sync failed, or the clock off from the hub's ("" when all is well): the status
    line's tooltip."""

    def __init__(self, desk: Desk, *, clock: Clock | None = None) -> None:
        super().__init__()
        self.desk = desk
        self._clock = clock
        self._syncing = False
        self._sync_soon: Timer | None = None
        self._damaged_said = -float(DAMAGED_REPEAT_SECONDS)
        """When the damaged-file message was last shown (monotonic seconds)."""
        self._told_no_printer = False
        self._said_problems: set[str] = set()
        """The problems the last sync run found (see :meth:`_synced`): said again only when new."""
        """The long "no printer set" notice was shown once this session; later saves say it short."""
        for mode, make in self.MODE_SCREENS.items():
            self.add_mode(mode, partial(self._mode_screen, make))

    def _mode_screen(self, make: Callable[[], Screen[Any]]) -> Screen[Any]:
        """Make a mode's base screen, marked as styled with the stylesheet as it is now.

        Textual re-parses and re-applies the whole stylesheet when a mode's first screen is made,
        twice for the intake (once to set the mode up, once to switch to it), although nothing in
        the CSS changed: a screen is styled when it mounts anyway. About 60 ms of start-up
        (bench/bench_tui.py).

        ``_css_update_count`` is private to Textual (pinned to one minor version); should it go,
        this line does nothing and start-up is only slower. A theme change still restyles every
        screen, since it bumps the app's count.
        """
        screen = make()
        screen._css_update_count = self._css_update_count
        return screen

    def on_unmount(self) -> None:
        _start_up_finished()  # an app closed before any sign-in leaves the process as it found it

    def intake_ready(self) -> None:
        """The intake screen is up for an official: start-up is over (see ``_prepare_collector``)."""
        self.call_after_refresh(_start_up_finished)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """A notice, its text shown as written: notices quote what officials and citizens typed (a
        name, a reason, a paper asked for), and "[/x]" read as markup ended the program while
        "[b]" or ":smile:" changed what the notice said. No notice of this program uses markup,
        so ``markup`` (which Textual's widgets pass on as True) is ignored."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def now(self) -> datetime:
        """The counter's "now" (the desk's clock unless the app was given one)."""
        return self._clock() if self._clock is not None else self.desk.now()

    # -- start-up -------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.refresh_unsent()
        self.set_interval(UNSENT_REFRESH_SECONDS, self.refresh_unsent)
        self._last_input = self.now()
        self.set_interval(IDLE_CHECK_SECONDS, self._lock_if_idle)
        self.set_interval(ACCOUNT_CHECK_SECONDS, self.check_account)
        self.set_interval(SYNC_SECONDS, self.sync_now)
        self._next_start_step()
        self._purge_old_forms()
        for warning in unknown_variables():
            self.notify(warning, title="Biến môi trường", severity="warning", timeout=30)

    @work(thread=True, exit_on_error=False, group="housekeeping")
    def _purge_old_forms(self) -> None:
        """Saved forms past their retention (a setting) go, once per start, off the UI thread."""
        from counter_app.locations import purge_saved_forms

        purge_saved_forms(self.desk.settings.forms_retention_days)

    def _next_start_step(self, _result: object = None) -> None:
        """First run, then sign-in, then intake: each screen calls back here when done."""
        if not self.desk.settings.is_configured:
            self.push_screen(SetupScreen(), self._next_start_step)
        elif not self.desk.has_officials():
            self.push_screen(FirstSupervisorScreen(), self._first_supervisor_created)
        elif self.official is None:
            self.push_screen(SignInScreen(), self._signed_in)
        else:
            self.switch_mode("intake")

    def _first_supervisor_created(self, official: Official | None) -> None:
        if official is not None:
            self.notify(
                f"Đã tạo tài khoản giám sát «{official.username}». Hãy đăng nhập.",
                title="Tài khoản",
            )
        self._next_start_step()

    def _signed_in(self, official: Official | None) -> None:
        if official is not None:
            self.official = official
            self.clear_notifications()  # the notices meant for the sign-in screen (locked, created)
            self._said_problems = set()  # what the last official was told, this one has not been
            self.set_timer(SYNC_AFTER_SAVE_SECONDS, self.sync_now)  # what it says is for this official
            agency = self.desk.settings.agency_id
            if is_placeholder_agency(agency):
                # Every official: the codes they issue carry it for good (an official was told
                # nothing, and received a day's dossiers under it before the supervisor signed in).
                said = PLACEHOLDER_AGENCY_WARNING if official.is_supervisor else PLACEHOLDER_AGENCY_OFFICIAL
                self.notify(
                    said.format(agency=agency), title="Mã cơ quan tạm", severity="warning", timeout=30
                )
            if official.weak_pin:
                where = "ở màn hình Giám sát (F6)" if official.is_supervisor else "nhờ cán bộ giám sát"
                self.notify(
                    f"Mã PIN của bạn dễ đoán (như 1111, 1234, 1212): hãy đặt mã mới {where}.",
                    title="Mã PIN",
                    severity="warning",
                    timeout=20,
                )
            self._check_clock()
            intake = self._intake_screen()
            if intake is not None and intake.is_dirty and intake.typed_by not in ("", official.full_name):
                self.notify(
                    f"Hồ sơ đang nhập dở trên màn hình tiếp nhận do {intake.typed_by} nhập: hãy kiểm tra "
                    "lại trước khi lưu (giấy hẹn sẽ ghi bạn là người tiếp nhận), hoặc Esc để xóa.",
                    title="Hồ sơ của người khác",
                    severity="warning",
                    timeout=30,
                )
        self._next_start_step()

    @work(thread=True, exit_on_error=False, group="housekeeping")
    def _check_clock(self) -> None:
        """A machine clock set back would stamp today's dossiers with a wrong date: said at sign-in."""
        problem = self.desk.clock_problem()
        if problem is not None:
            self.call_from_thread(
                self.notify,
                problem,
                title="Đồng hồ máy tính",
                severity="warning",
                timeout=CLOCK_WARNING_SECONDS,
            )

    def action_sign_out(self) -> None:
        if self.official is None:
            return
        # A dialog left open would be confirmed later in the name of the official who opened it;
        # a dossier left open would greet the next one with someone's data.
        self._close_opened(dialogs=True)
        # The last citizen's name and code, and its reprint key, are not the next official's.
        intake = self._intake_screen()
        if intake is not None:
            intake.last_saved = None
        self.official = None
        # The notices say the last citizen's name and code ("Đã điền thông tin của …", the receipt
        # saved): not for whoever stands at the sign-in screen.
        self.clear_notifications()
        self.switch_mode("welcome")
        # The lists and the supervisor's screen start afresh for whoever signs in next (a search
        # typed, a list of names); the intake keeps its half-typed form, the citizen is still there.
        for mode in RESET_AT_SIGN_OUT:
            if mode in self._screen_stacks:
                self.remove_mode(mode)
                self.add_mode(mode, partial(self._mode_screen, self.MODE_SCREENS[mode]))
        self._next_start_step()

    def _close_opened(self, *, dialogs: bool = False) -> None:
        """Close what was opened on top of the current mode's screen: dossiers (and dialogs)."""
        while len(self.screen_stack) > 1 and (
            getattr(self.screen, "OPENS_ON_TOP", False)
            or (dialogs and (self.screen.is_modal or getattr(self.screen, "CLOSES_AT_SIGN_OUT", False)))
        ):
            self.pop_screen()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = self.now()
        if isinstance(event, events.Key):
            intake = self.screen
            if isinstance(intake, IntakeScreen) and intake.saving:
                intake.hold_key()  # typed into a form the save is about to clear: held back, and said
                return
            if event.key == "escape" and getattr(self.screen, "OPENS_ON_TOP", False):
                closing = getattr(self.screen, "close_awaited", None)
                if closing is not None and await closing():
                    return
        await super().on_event(event)

    def check_account(self) -> None:
        """A supervisor locked this official's account (from another counter, or her own): the
        session ends; a role changed since sign-in takes effect (no supervisor screen left open).
        The account is read in a worker, as every database read of the UI is. Runs every
        ``ACCOUNT_CHECK_SECONDS``, and at once after a supervisor changed their own account."""
        if self.official is not None:
            self._read_account(self.official)

    @work(thread=True, exit_on_error=False, group="account", exclusive=True)
    def _read_account(self, official: Official) -> None:
        self.call_from_thread(self._account_read, official, self.desk.official_standing(official.username))

    def _account_read(self, official: Official, now: Official | None) -> None:
        if self.official is not official:
            return  # signed out, or someone else signed in, while the account was read
        if now is None:
            self.action_sign_out()
            self.notify(
                "Tài khoản của bạn vừa bị khóa; hồ sơ đang nhập vẫn được giữ. Hãy nhờ cán bộ giám sát.",
                title="Tài khoản bị khóa",
                severity="warning",
                timeout=3600,
            )
        elif now.role != official.role:
            self.official = replace(official, role=now.role, full_name=now.full_name)
            if not self.official.is_supervisor and self.current_mode == "supervisor":
                self.refuse_supervisor()

    def _lock_if_idle(self) -> None:
        """Lock the counter after the idle minutes of the settings (personal data: no unattended
        screen). The official's work stays under the lock screen for the same PIN to take up again."""
        minutes = self.desk.settings.idle_lock_minutes
        if (
            not minutes
            or self.official is None
            or self.locked
            or self.now() - self._last_input < timedelta(minutes=minutes)
        ):
            return
        self.push_screen(UnlockScreen(self.official, minutes), self._unlocked)

    @property
    def locked(self) -> bool:
        """The idle lock is on: an official is signed in, but only the PIN (or F10) gets past it."""
        return any(isinstance(screen, UnlockScreen) for screen in self.screen_stack)

    def _unlocked(self, official: Official | None) -> None:
        if official is not None:
            self.official = official  # read again: a name or role changed meanwhile holds now
            self._last_input = self.now()

    # -- errors ---------------------------------------------------------------------------------------

    def show_error(self, error: BaseException) -> None:
        """Show any failure the same way: a desk error as it is, anything else as one sentence."""
        if isinstance(error, ValidationError) and len(error.errors) > 1:
            self.notify("\n".join(e.message for e in error.errors), title=error.title, severity="error")
        elif isinstance(error, CounterError):
            self.notify(error.message, title=error.title, severity="error")
        elif (problem := database_problem(error)) is not None:
            # Not "an unexpected error, saved data unaffected": on a damaged file the official
            # must stop and have it restored, as every command of the CLI says.
            log.error("database error in the TUI", exc_info=error)
            damaged = isinstance(problem, DamagedFileError)
            if damaged:  # each read that meets the damage fails: said once a minute, not each time
                if time.monotonic() - self._damaged_said < DAMAGED_REPEAT_SECONDS:
                    return
                self._damaged_said = time.monotonic()
            self.notify(
                problem.message
                + (
                    " Hãy ngừng tiếp nhận trên máy này và báo cán bộ phụ trách công nghệ thông tin."
                    if damaged
                    else ""
                ),
                title=problem.title,
                severity="error",
                timeout=DAMAGED_NOTICE_SECONDS if damaged else self.NOTIFICATION_TIMEOUT,
            )
        else:
            log.error("unexpected error in the TUI", exc_info=error)
            self.notify(
                "Lỗi không mong đợi; chi tiết đã ghi vào tệp nhật ký. Dữ liệu đã lưu không bị ảnh hưởng.",
                title="Lỗi",
                severity="error",
            )

    def report_worker(self, worker: Worker[Any]) -> None:
        """The one handler of worker failures (screens and widgets forward theirs here)."""
        if worker.state == WorkerState.ERROR and worker.error is not None:
            self.show_error(worker.error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.report_worker(event.worker)

    # -- status ---------------------------------------------------------------------------------------

    def refresh_unsent(self) -> None:
        try:
            self.unsent = self.desk.unsent_events()
        except CounterError as error:
            self.show_error(error)

    @on(DossierSaved)
    @on(StepRecorded)
    def _changed(self) -> None:
        self.refresh_unsent()
        if self._sync_soon is None:
            self._sync_soon = self.set_timer(SYNC_AFTER_SAVE_SECONDS, self.sync_now)

    # -- sync with the city hub ------------------------------------------------------------------------

    def action_sync_now(self) -> None:
        """From the palette: sync now (the cable is back, a status update is awaited)."""
        if self.sync_now():
            self.hub_state = "Đang đồng bộ"

    def sync_now(self) -> bool:
        """Sync with the hub in a worker, when one is set and no sync is running already; whether
        a sync started."""
        self._sync_soon = None
        if not self.desk.settings.hub_url:
            self.hub_state = ""
            return False
        # A hub without its access code still runs: the client refuses at once, and the run's
        # failure is said and kept in the status line, as any other setting to fix.
        if self._syncing:
            return False
        self._syncing = True
        self._sync()
        return True

    @work(thread=True, exit_on_error=False, group="sync")
    def _sync(self) -> None:
        # Imported here: httpx costs start-up time and memory that a counter without a hub never pays.
        from sync.client import HubUnreachable, SyncClient

        settings = self.desk.settings
        try:
            with SyncClient(self.desk, settings.hub_url, settings.hub_token) as client:
                report = client.run()
        except HubUnreachable as error:  # the counter works on; the events wait in the outbox
            self.call_from_thread(self._synced, None, error.message, offline=True)
        except CounterError as error:
            self.call_from_thread(self._synced, None, error.message)
        except Exception as error:  # a bug must not stop the counter's day: logged, said, retried
            log.exception("sync failed")
            self.call_from_thread(self._synced, None, f"lỗi không mong đợi ({type(error).__name__})")
        else:
            self.call_from_thread(self._synced, report, "")

    def _synced(self, report: SyncReport | None, problem: str, *, offline: bool = False) -> None:
        self._syncing = False
        self.refresh_unsent()
        if report is None:
            said = f"Chưa đồng bộ được: {problem}"
            if not offline and said != self.hub_problem:  # a setting or the hub to fix: said once
                self.notify(problem, title="Đồng bộ", severity="warning", timeout=30)
            self.hub_problem = said  # the status line's tooltip
            self.hub_state = "Ngoại tuyến" if offline else "Lỗi đồng bộ"
            log.info("sync failed: %s", problem)
            return
        # A run comes every two minutes and finds the same conflict, or the same clock off from the
        # hub's, until someone deals with it (a supervisor, whoever can set the clock): each problem
        # is said when it appears, not at every run. The clock's stays in the status line's tooltip.
        # Its words change with the hub's time, so it is known by what it is, not by its text.
        clock = report.clock_problem
        found = {("clock" if p == clock else p): p for p in report.problems()}
        problems = [p for key, p in found.items() if key not in self._said_problems]
        self._said_problems = set(found)
        self.hub_problem = clock
        self.hub_state = f"Đồng bộ {self.now():%H:%M}"
        if (report.pulled or report.flagged) and isinstance(self.screen, CounterScreen):
            self.screen.show_stored_changes()  # other counters' dossiers, the city's steps
        if problems:
            self.notify("\n".join(problems), title="Đồng bộ", severity="warning", timeout=30)
        elif report.news():
            self.notify("\n".join(report.news()), title="Đồng bộ", timeout=10)

    # -- navigation -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.locked and (action in _NEEDS_SIGN_IN or action == "command_palette"):
            return action == "sign_out"  # the palette finds dossiers by name: not under the lock
        if action in _NEEDS_SIGN_IN:
            if self.official is None:
                return False
            # The key of the screen already shown stays out of the footer, a dialog over it too.
            # With parameters it is a task on that screen (the palette's "sao lưu dữ liệu" asks
            # the supervisor screen's logbook tab to back up), which runs.
            shown = next((s for s in reversed(self.screen_stack) if not s.is_modal), self.screen)
            if action == getattr(shown, "MODE", None) and not parameters:
                return False
            if action == "search" and getattr(shown, "MODE", None) == "lists":
                return False  # the lists' own F5 (the same search box), out of the footer as F4 is
            if action == "supervisor" and not self.official.is_supervisor:
                return False  # not offered to an official (the palette leaves it out too)
        if action == "refuse_supervisor":
            return self.official is not None and not self.official.is_supervisor
        return True

    def _main_screen_ready(self) -> bool:
        return self.official is not None and not self.screen.is_modal

    def _to_mode(self, mode: str) -> AwaitMount | None:
        """Show a mode's own screen: F3 is the intake form, F4 the lists, whatever was open.

        A dossier opened on top of a mode's screen is closed when the official leaves it: left
        there, it came back in place of the form at the next F3, and the letters typed for a
        procedure ran its steps.

        Returns what to await for the mode's screen to be mounted (None when it is already shown).
        """
        self._close_opened()
        if self.current_mode != mode:
            return self.switch_mode(mode)
        return None

    async def _go_to_mode(self, mode: str) -> None:
        """``_to_mode`` for a key: returns once the screen is mounted with its focus in place.

        Textual hands each key to the widget focused when the key's turn comes. A screen key's
        action returning at once left the keys typed after it in the same read (F5 and a name, a
        fast typist or keys piled up while the app was busy) to the screen being left: the name
        went into the intake's procedure field. The key bindings are the app's priority ones, so
        the next keys wait for this.
        """
        made = mode in self._screen_stacks
        mounting = self._to_mode(mode)
        if mounting is None:
            return
        await mounting
        screen = self.screen
        target = screen.focus_target() if isinstance(screen, CounterScreen) else None
        # A screen shown again keeps its own focus; a new one gets its first (its on_mount's
        # Widget.focus() waits behind the keys already queued).
        if target is not None and (screen.focused is None or not made):
            focus_now(target)

    async def action_intake(self) -> None:
        if self._main_screen_ready():
            await self._go_to_mode("intake")

    async def action_lists(self) -> None:
        """F4: the lists, on the one shown last; never on the search (F5's), where the last
        citizen's name and dossiers would greet the next one."""
        if self._main_screen_ready():
            screen = self._mode_base("lists")
            if screen is not None and screen.view == "search":
                await self.action_show_list("today")
            else:
                await self._go_to_mode("lists")

    async def action_show_list(self, view: str) -> None:
        if self._main_screen_ready():
            made = "lists" in self._screen_stacks
            if not made:
                # Made for the first time: made on that list, its focus where the next keys go.
                self.remove_mode("lists")
                self.add_mode("lists", partial(self._mode_screen, partial(_lists_screen, view)))
            await self._go_to_mode("lists")
            if made:
                self._lists_view(view)
            # Asked from the palette, the palette is still over the lists at this point.
            self.call_after_refresh(self._lists_view, view)

    def _mode_base(self, mode: str) -> Any:
        """The base screen of ``mode`` once made (the palette, closing, may still be over it)."""
        stack = self._screen_stacks.get(mode) or []
        return stack[0] if stack and getattr(stack[0], "MODE", None) == mode else None

    def _lists_view(self, view: str) -> None:
        screen = self._mode_base("lists")
        if screen is not None:
            screen.open_view(view)

    async def action_search(self) -> None:
        await self.action_show_list("search")

    def action_refuse_supervisor(self) -> None:
        self.refuse_supervisor()

    def refuse_supervisor(self) -> None:
        """Tell an official the supervisor screen is not theirs, and take them to intake."""
        self.notify(
            "Màn hình giám sát chỉ dành cho cán bộ có vai trò giám sát.",
            title="Không có quyền",
            severity="error",
        )
        if self.current_mode == "supervisor":
            self._to_mode("intake")

    async def action_supervisor(self, tab: str = "", then: str = "") -> None:
        """The supervisor's screen (refused to officials), on ``tab``, then its action ``then``
        (the palette's "sao lưu dữ liệu" runs the backup on the tab where its result shows)."""
        if not self._main_screen_ready():
            return
        assert self.official is not None
        if not self.official.is_supervisor:
            self.refuse_supervisor()
            return
        await self._go_to_mode("supervisor")
        if tab:
            self.call_after_refresh(self._supervisor_tab, tab, then)

    def _supervisor_tab(self, tab: str, then: str = "") -> None:
        # Run from the palette on the supervisor screen itself, the palette was still the screen
        # on top here, and "sao lưu dữ liệu" did nothing.
        screen = self._mode_base("supervisor")
        if screen is not None:
            screen.tabs.active = tab
            if then:
                getattr(screen, f"action_{then}")()

    def action_focus_scan(self) -> None:
        if not self._main_screen_ready():
            return
        try:
            scan = self.screen.query_one("#scan")
        except Exception:  # a screen without the scan box (none today): nothing to focus
            return
        self.screen.set_focus(scan)

    def action_help_quit(self) -> None:
        """Ctrl+C outside a text field: say how to quit, in Vietnamese (Textual's own note is English)."""
        self.notify("Ctrl+C không thoát chương trình: nhấn Ctrl+Q để thoát.", title="Thoát chương trình?")

    async def action_quit(self) -> None:
        intake = self._intake_screen()
        if intake is not None and intake.is_dirty:
            from counter_app.tui.screens.dialogs import ConfirmDialog

            def answered(yes: bool | None) -> None:
                if yes:  # put back at the next start; no exit when it cannot be kept
                    intake.keep_draft_then(self.exit)

            self.push_screen(
                ConfirmDialog(
                    "Hồ sơ đang nhập dở chưa được lưu (sẽ được khôi phục khi mở lại chương trình). "
                    "Vẫn thoát?",
                    yes="Thoát",
                    no="Ở lại",
                ),
                answered,
            )
            return
        self.exit()

    def _intake_screen(self) -> IntakeScreen | None:
        """The intake mode's screen, once it was opened."""
        stack = self._screen_stacks.get("intake") or []
        return stack[0] if stack and isinstance(stack[0], IntakeScreen) else None

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(cast(Any, self)):
            from counter_app.tui.commands import CounterPalette  # with the providers, at first use

            self.push_screen(
                CounterPalette(placeholder="Gõ tên lệnh hoặc tên, mã hồ sơ…", id="--command-palette")
            )

    def palette_commands(self) -> Iterable[PaletteCommand]:
        """The app's tasks for the command palette (screens add their own bindings)."""
        from counter_app.tui.commands import PaletteCommand

        if self.official is None:
            yield PaletteCommand("Thoát", "Thoát chương trình", "quit", key="Ctrl+Q")
            return
        yield PaletteCommand(
            "Tiếp nhận hồ sơ",
            "Màn hình tiếp nhận: chọn thủ tục, nhập người nộp, lưu và in biên nhận",
            "intake",
            key="F3",
        )
        yield PaletteCommand("Quét hoặc gõ mã hồ sơ", "Đưa con trỏ vào ô mã hồ sơ", "focus_scan", key="F2")
        yield PaletteCommand(
            "Tìm hồ sơ", "Tìm theo tên, số căn cước, số điện thoại, mã hồ sơ", "search", key="F5"
        )
        yield PaletteCommand(
            "Danh sách: tiếp nhận hôm nay", "Hồ sơ tiếp nhận trong ngày", "show_list('today')", key="F4"
        )
        yield PaletteCommand(
            "Danh sách: đến hạn hôm nay", "Hồ sơ hẹn trả trong ngày", "show_list('due_today')"
        )
        yield PaletteCommand(
            "Danh sách: quá hạn", "Hồ sơ đang xử lý đã qua giờ hẹn trả", "show_list('overdue')"
        )
        yield PaletteCommand(
            "Danh sách: chờ bổ sung giấy tờ", "Hồ sơ đang chờ công dân bổ sung", "show_list('waiting_papers')"
        )
        yield PaletteCommand(
            "Danh sách: có kết quả chờ trả", "Hồ sơ đã có kết quả, chờ trả cho công dân", "show_list('ready')"
        )
        if self.desk.settings.hub_url:
            yield PaletteCommand(
                "Đồng bộ ngay với máy chủ",
                "Gửi các sự kiện chờ gửi, nhận cập nhật trạng thái, danh mục thủ tục và lịch nghỉ",
                "sync_now",
            )
        if self.official.is_supervisor:
            yield PaletteCommand(
                "Giám sát: số liệu trong ngày và tháng",
                "Tiếp nhận, đã trả, sớm/đúng/trễ hạn, quá hạn, mức độ hài lòng",
                "supervisor",
                key="F6",
            )
            yield PaletteCommand(
                "Giám sát: in sổ theo dõi hồ sơ",
                "In hoặc lưu PDF sổ theo dõi cho một ngày hoặc khoảng ngày",
                "supervisor('logbook')",
            )
            yield PaletteCommand(
                "Giám sát: sao lưu dữ liệu",
                "Chép toàn bộ dữ liệu của quầy sang tệp sao lưu (kết quả ở thẻ Sổ theo dõi)",
                "supervisor('logbook', 'backup')",
            )
            yield PaletteCommand(
                "Giám sát: ngày nghỉ, ngày làm bù, giờ làm việc",
                "Lịch làm việc riêng của xã",
                "supervisor('calendar')",
            )
            yield PaletteCommand(
                "Giám sát: cán bộ và mã PIN",
                "Thêm cán bộ, đổi mã PIN, vai trò, khóa hoặc mở lại tài khoản",
                "supervisor('officials')",
            )
            yield PaletteCommand(
                "Giám sát: cài đặt (mã định danh, máy in, tự khóa, máy chủ)",
                "Mã định danh cơ quan, điện thoại của quầy, máy in, số phút tự khóa, số ngày giữ PDF, "
                "máy chủ đồng bộ và mã truy cập",
                "supervisor('settings')",
            )
        yield PaletteCommand("Đăng xuất", "Đăng xuất khỏi quầy", "sign_out", key="F10")
        yield PaletteCommand("Thoát", "Thoát chương trình", "quit", key="Ctrl+Q")

    # -- scans ----------------------------------------------------------------------------------------

    @on(OpenDossier)
    def _open_requested(self, message: OpenDossier) -> None:
        self.open_dossier(message.code)

    def open_dossier(self, code: str) -> None:
        """Open a dossier by code on top of the current screen (replacing an open dossier)."""
        if self.official is None:
            return
        if self.screen.is_modal:
            # A step being recorded keeps the scan and it opens once the dialog has closed (the
            # next receipt scanned in the same breath as Ctrl+S). Otherwise not read: it would be
            # logged as seen while the dialog stays on top of it.
            hold = getattr(self.screen, "hold_scan", None)
            if hold is None or not hold(code):
                self.scan_behind_dialog()
            return
        try:
            dossier = self.desk.get(code, viewer=self.official.full_name)
        except CounterError as error:
            self.show_error(error)
            return
        from counter_app.tui.screens.dossier import DossierScreen

        screen = DossierScreen(dossier)
        if getattr(self.screen, "OPENS_ON_TOP", False):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def open_after_dialog(self, code: str, dialog: Screen[Any], tries: int = 50) -> None:
        """Open a dossier once ``dialog`` (dismissed) has left the screen stack; a dialog that
        stays (another opened over it) makes the scan refused as any scan behind a dialog."""
        if dialog in self.screen_stack and tries > 0:
            self.call_after_refresh(self.open_after_dialog, code, dialog, tries - 1)
        elif dialog in self.screen_stack:
            self.scan_behind_dialog()
        else:
            self.open_dossier(code)

    def scan_behind_dialog(self) -> None:
        self.notify(
            "Đang mở một hộp thoại: hãy hoàn tất hoặc đóng nó (Esc) rồi quét lại.",
            title="Chưa mở được",
            severity="warning",
        )

    @on(ChipScanned)
    def _chip_elsewhere(self, message: ChipScanned) -> None:
        # The intake screen handles its own scans; a card scanned anywhere else starts an intake.
        if self.official is None:
            return
        if self.screen.is_modal:
            self.scan_behind_dialog()
            return
        self._to_mode("intake")
        self.call_after_refresh(self._fill_chip, message)

    def _fill_chip(self, message: ChipScanned) -> None:
        screen = self.screen
        if isinstance(screen, IntakeScreen):
            screen.fill_from_chip(message.chip)

    @on(SearchRequested)
    def _search_requested(self, message: SearchRequested) -> None:
        if self.official is None:
            return
        self._to_mode("lists")
        self.call_after_refresh(self._search, message.query)

    def _search(self, query: str) -> None:
        screen: Any = self.screen
        if getattr(screen, "MODE", None) == "lists":
            screen.search(query)

    # -- printing -------------------------------------------------------------------------------------

    def print_form(self, code: str, form: str, *, on_done: Callable[[str], None] | None = None) -> None:
        """Render a form of a dossier and print it (or save the PDF), in a thread."""
        actor = self.official.full_name if self.official else ""
        self._print_form(code, form, actor, on_done)

    @work(thread=True, exit_on_error=False, group="print")
    def _print_form(self, code: str, form: str, actor: str, on_done: Callable[[str], None] | None) -> None:
        try:
            printing = _printing()
            pdf = printing.render_form(self.desk, form, code, actor=actor)
            # Printed on paper, the PDF was only the print job: it goes (personal data).
            delivery = printing.deliver(pdf, self.desk.settings, remove_after=True)
        except CounterError as error:
            if on_done is not None:
                self.call_from_thread(on_done, f"chưa in được: {error.message}")
            raise
        self.call_from_thread(self._delivered, delivery, on_done)

    def print_logbook(
        self,
        first: date,
        last: date,
        *,
        statuses: tuple[int, ...] | None = None,
        on_done: Callable[[str], None] | None = None,
    ) -> None:
        """Render the logbook for a date range (of the dossiers in ``statuses``, None: all) and
        print it (or save the PDF), in a thread."""
        actor = self.official.full_name if self.official else ""
        self._print_logbook(first, last, statuses, actor, on_done)

    @work(thread=True, exit_on_error=False, group="print")
    def _print_logbook(
        self,
        first: date,
        last: date,
        statuses: tuple[int, ...] | None,
        actor: str,
        on_done: Callable[[str], None] | None,
    ) -> None:
        try:
            printing = _printing()
            pdf = printing.render_logbook(self.desk, first, last, statuses=statuses, actor=actor)
            delivery = printing.deliver(pdf, self.desk.settings, remove_after=True)
        except CounterError as error:
            if on_done is not None:
                self.call_from_thread(on_done, f"Chưa in được: {error.message}")
            raise
        except Exception:
            if on_done is not None:  # the screen waiting for it is told all the same
                self.call_from_thread(on_done, "Chưa in được: lỗi không mong đợi (chi tiết trong nhật ký).")
            raise
        self.call_from_thread(self._delivered, delivery, on_done)

    def _delivered(self, delivery: Any, on_done: Callable[[str], None] | None) -> None:
        message = str(getattr(delivery, "message", "") or getattr(delivery, "path", ""))
        printed = bool(getattr(delivery, "printed", False))
        shown = message
        if not printed and not self.desk.settings.printer:
            # A counter without a printer saves every form: how to set one is said once, not at
            # every citizen (three lines that covered the form at 80x24 all day).
            if self._told_no_printer:
                shown = str(getattr(delivery, "path", message))
            self._told_no_printer = True
        self.notify(shown, title="Đã in" if printed else "Đã lưu PDF")
        if on_done is not None:
            on_done(message)


def _printing() -> Any:
    """The printing package, imported on first use: reportlab is heavy and most sessions print late."""
    try:
        import printing
    except ImportError as error:  # pragma: no cover - an installation problem, not a user error
        raise PrintingError("Không tải được phần in biểu mẫu; hãy cài đặt lại phần mềm.") from error
    if not hasattr(printing, "render_form"):
        raise PrintingError("Phần in biểu mẫu chưa sẵn sàng trong bản cài đặt này.")
    return printing


START_UP_GC_THRESHOLD = 50_000
"""Allocations between two young-generation garbage collections while the app starts (Python's
default is 700); the default comes back once the intake screen is up (``_start_up_finished``)."""

_frozen = False
_NORMAL_GC_THRESHOLD = gc.get_threshold()


def _prepare_collector() -> None:
    """Set the garbage collector for a UI that runs all day, once per process.

    - The objects the imports made (modules, classes, functions, the catalog's constants) live as
      long as the process: ``gc.freeze`` takes them out of every later collection. A full
      collection then walks the screens' objects only, not those of every module: one took
      58 ms at start-up, a pause an official would feel in the middle of a scan.
    - Building the first screens makes tens of thousands of objects that stay alive; collecting
      every 700 of them found nothing to free and cost about 80 ms before the intake was ready
      (``gc.callbacks``, bench/bench_tui.py's start-up). Collections are spaced out until then.
    """
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
    gc.set_threshold(START_UP_GC_THRESHOLD, *gc.get_threshold()[1:])


def _start_up_finished() -> None:
    """The intake is up: collections come at Python's usual pace again."""
    gc.set_threshold(*_NORMAL_GC_THRESHOLD)


def make_app(desk: Desk, *, clock: Clock | None = None) -> CounterApp:
    """Build the counter's app over an open desk (the only way to build it).

    Args:
        desk: The counter's desk (its database stays open for the app's life).
        clock: "Now" for what the screens show; defaults to the desk's clock.
    """
    _prepare_collector()
    return CounterApp(desk, clock=clock)


def run(db_path: str | Path) -> None:
    """Open the counter's database and run the app until the official quits.

    First run (no commune, no official) is handled by the app itself: a setup screen, then the first
    supervisor, then sign-in.
    """
    import sys

    try:
        desk = Desk.open(db_path)
        try:
            desk.hold_ui()  # one window per counter: a second would share its draft
        except CounterError:
            desk.close()
            raise
    except CounterError as error:
        print(f"Lỗi: {error.message}", file=sys.stderr)
        raise SystemExit(error.exit_code) from error
    try:
        make_app(desk).run()
    finally:
        desk.close()
