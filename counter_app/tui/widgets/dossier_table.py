"""A list of dossiers that pages through the database as the cursor moves down.

A commune's database holds years of dossiers: the table asks its loader for one page at a time (in a
thread worker) and asks for the next page only when the cursor comes near the last row loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState, get_current_worker

from counter_app.store.dossiers import DossierRow
from counter_app.tui.formatting import CLOCK_SECONDS, short_due
from counter_app.tui.messages import OpenDossier

PAGE_SIZE = 50
"""Rows fetched per page: more than a tall terminal shows, so the table is full and the cursor can
move a screen down before the next page is needed. Larger pages only cost memory and query time
(bench/bench_tui.py: pages of 100 held about 1.4 MB more than pages of 40 after six lists)."""
NAME_CHARS = 24
"""The name column's usual width. A company's full name can run to 60 characters, a person's
rarely reaches 24; the dossier screen shows it all. The column is wider when the terminal has room
to spare, or for an owner's name (see :func:`plan_columns`)."""
PREFETCH = 10
"""Fetch the next page when the cursor is this close to the last loaded row."""

STATUS_SHORT = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không tiếp nhận",
    4: "Đang xử lý",
    5: "Chờ bổ sung",
    6: "Chờ nộp phí",
    7: "Đã rút",
    8: "Dừng xử lý",
    9: "Có kết quả",
    10: "Đã trả",
}
"""Short status names for narrow list columns (the dossier screen shows the official names)."""

CODE_CHARS = len("000.17.22.H56-261123-2004")
"""A whole dossier code (QCVN 102's agency identifier, the day, the counter and its number)."""
SHORT_CODE_CHARS = len("…261123-2004")
"""A code without its agency identifier (the same on every row of a counter's lists)."""
DUE_CHARS = len("23/11 17:00 trễ")
STATUS_CHARS = max(cell_len(name) for name in STATUS_SHORT.values())
PROCEDURE_MIN = 20
"""The narrowest procedure column worth showing (the line under the table has it in full)."""
CELL_PADDING = 2
"""Cells around each column's text (the table's cell padding, one each side)."""
SCROLLBAR = 2
"""Cells kept for the vertical scrollbar, there as soon as the list is longer than the screen."""

OPEN_STATUSES = (1, 2, 4, 6)
"""Statuses in which a passed due time means late (5, waiting for papers, has its clock paused)."""

Loader = Callable[[int, int], list[DossierRow]]
"""Returns ``limit`` rows from ``offset``."""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Columns:
    """The widths of a dossier table's columns (the text in them, padding left out)."""

    code: int
    name: int
    procedure: int
    """0: no procedure column (80 columns; the line under the lists' table names it)."""
    short: bool = False
    """Codes are shown without their agency identifier."""


def short_code(code: str) -> str:
    """A code without its agency identifier: "…" and the day and number."""
    return "…" + code.split("-", 1)[1] if "-" in code else code


def plan_columns(
    width: int, owner_chars: int = 0, code_chars: tuple[int, int] = (CODE_CHARS, SHORT_CODE_CHARS)
) -> Columns:
    """How a table ``width`` cells wide lays out its columns, the due time and the status always
    whole: at 80 columns the status was cut ("Được tiếp nhậ") with no sign of it.

    The code loses its agency identifier when the code and a name of ``NAME_CHARS`` do not fit
    beside them; the name column takes what the procedure does not need, and widens up to
    ``owner_chars`` (the longest "chủ hồ sơ: …" line) on a wide terminal. ``code_chars`` are the
    longest whole and short codes shown: an agency identifier is not always 13 characters (the
    placeholder one is 16), and a code cut at its end lost the number that tells dossiers apart.
    """
    room = width - SCROLLBAR - 4 * CELL_PADDING - DUE_CHARS - STATUS_CHARS  # code, name, procedure
    whole, short = code_chars
    cut = room < whole + NAME_CHARS
    code = short if cut else whole
    room -= code
    if room - NAME_CHARS >= CELL_PADDING + PROCEDURE_MIN:
        name = min(max(NAME_CHARS, owner_chars), room - CELL_PADDING - PROCEDURE_MIN)
        return Columns(code, name, room - name - CELL_PADDING, cut)
    return Columns(code, max(room, 12), 0, cut)


def _is_late(row: DossierRow, now: datetime) -> bool:
    return row.status in OPEN_STATUSES and row.due_at < now


def _owner_line(row: DossierRow) -> str:
    return f"chủ hồ sơ: {row.owner_name}"


class DossierTable(DataTable[Text]):
    """Dossier rows: code, applicant, due, status, procedure. Enter opens the dossier."""

    CLOCK_SECONDS = CLOCK_SECONDS
    """How often the rows shown are checked for a due time just passed ("trễ")."""

    BINDINGS = [
        # Home and End go to the first and the last row shown (the next page then loads), as in
        # any list: the table's own scroll sideways, and a list of dossiers has nothing there.
        Binding("home", "scroll_top", show=False),
        Binding("end", "scroll_bottom", show=False),
    ]

    class Loaded(Message):
        """A page arrived (``total_loaded`` rows are shown)."""

        def __init__(self, total_loaded: int, done: bool) -> None:
            super().__init__()
            self.total_loaded = total_loaded
            self.done = done

    def __init__(self, *, now: Callable[[], datetime], id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._now = now
        self._loader: Loader | None = None
        self._generation = 0
        self._loaded = 0
        self._offset = 0
        self._done = True
        self._loading = False
        self._shown: dict[str, DossierRow] = {}
        self._late: set[str] = set()
        """The codes of the rows shown as late."""
        self._keep: tuple[str, int] | None = None
        """The row to put the cursor back on once the list is read again (code, row index)."""
        self._owner_chars = 0
        """The longest "chủ hồ sơ: …" line of the rows shown (0: none)."""
        self._code_chars = (CODE_CHARS, SHORT_CODE_CHARS)
        """The longest whole and short code shown so far (they only grow: one commune's codes)."""
        self._columns: Columns | None = None
        """The column widths the rows are laid out for (None before the first layout)."""

    def on_mount(self) -> None:
        self._lay_out()
        self.set_interval(self.CLOCK_SECONDS, self._follow_clock)

    def _follow_clock(self) -> None:
        """Mark "trễ" on the rows whose due time passed while the list stayed open."""
        now = self._now()
        for code, row in self._shown.items():
            if _is_late(row, now) != (code in self._late):
                self.update_cell(code, "due", self._due_cell(row, now))

    def on_resize(self) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        """Set the columns for the table's width, the rows shown put back in them (the cursor on
        the same dossier) when the widths change: a column keeps the width of its widest text
        otherwise, and a narrower terminal cut the status."""
        width = self.size.width or self.app.size.width  # before the first layout: the screen's
        columns = plan_columns(width, self._owner_chars, self._code_chars)
        if columns == self._columns:
            return
        self._columns = columns
        cursor = self.cursor_row if self.row_count else 0
        self.clear(columns=True)
        self.add_column(Text("Mã hồ sơ"), key="code", width=columns.code)
        self.add_column(Text("Người nộp"), key="name", width=columns.name)
        self.add_column(Text("Hẹn trả"), key="due", width=DUE_CHARS)
        self.add_column(Text("Trạng thái"), key="status", width=STATUS_CHARS)
        if columns.procedure:
            self.add_column(Text("Thủ tục"), key="procedure", width=columns.procedure)
        now = self._now()
        for row in self._shown.values():
            self._add_row(row, now)
        if self.row_count:
            self.move_cursor(row=min(cursor, self.row_count - 1), animate=False)

    def _add_row(self, row: DossierRow, now: datetime) -> None:
        self.add_row(*self._cells(row, now), key=row.code, height=2 if self._has_owner(row) else 1)

    @property
    def done(self) -> bool:
        """True once the loader returned its last row."""
        return self._done

    def show(self, loader: Loader | None, *, keep_cursor: bool = False) -> None:
        """Replace the rows with the first page of another list (None: empty).

        Args:
            loader: Reads one page of the list.
            keep_cursor: The same list read again (back from a dossier): the cursor goes back to the
                dossier it was on, or, when that one left the list, to the same row, so working
                down a list one dossier at a time goes on where it was.
        """
        self._keep = None
        if keep_cursor and self.row_count:
            code = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
            self._keep = (str(code), self.cursor_row) if code else None
        self._generation += 1
        self._loader = loader
        self._loaded = 0
        self._offset = 0
        self._done = loader is None
        self._loading = False
        self._shown.clear()
        self._late.clear()
        self.clear()
        if self._owner_chars:  # the name column narrow again for a list without the owner's name
            self._owner_chars = 0
            self._lay_out()
        if loader is not None:
            self._next_page()

    def _next_page(self) -> None:
        if self._done or self._loading or self._loader is None:
            return
        self._loading = True
        self._fetch(self._loader, self._offset, self._generation)

    @work(thread=True, exit_on_error=False, group="dossier-page")
    def _fetch(self, loader: Loader, offset: int, generation: int) -> None:
        rows = loader(PAGE_SIZE, offset)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._add_rows, rows, generation)

    def _add_rows(self, rows: list[DossierRow], generation: int) -> None:
        if generation != self._generation:
            return  # a page of a list the official has left
        self._loading = False
        self._offset += len(rows)
        added = 0
        now = self._now()
        owners = [cell_len(_owner_line(row)) for row in rows if self._has_owner(row)]
        codes = (
            max([self._code_chars[0], *(len(row.code) for row in rows)]),
            max([self._code_chars[1], *(len(short_code(row.code)) for row in rows)]),
        )
        if owners and max(owners) > self._owner_chars or codes != self._code_chars:
            self._owner_chars = max([self._owner_chars, *owners])
            self._code_chars = codes
            self._lay_out()  # room for the owner's name (when the terminal has it) and whole codes
        for row in rows:
            if row.code in self.rows:  # a search that ignores offsets gives the same page again
                continue
            self._add_row(row, now)
            self._shown[row.code] = row
            added += 1
        self._loaded += added
        if added == 0 or len(rows) < PAGE_SIZE:
            self._done = True
        if self._keep is not None:
            self._back_to_kept_row()
        self.post_message(self.Loaded(self._loaded, self._done))

    def _back_to_kept_row(self) -> None:
        assert self._keep is not None
        code, index = self._keep
        if code in self.rows:
            self._keep = None
            self.move_cursor(row=self.get_row_index(code), animate=False)
        elif self._done or self.row_count > index:
            self._keep = None  # that dossier left the list: the one now in its place
            self.move_cursor(row=min(index, self.row_count - 1), animate=False)
        else:
            self._next_page()  # further down than one page: read on to it

    def _cells(self, row: DossierRow, now: datetime) -> list[Text]:
        columns = self._columns or plan_columns(self.app.size.width)
        due = self._due_cell(row, now)
        # Cut to the column's width with "…", every line of a cell on its own (Rich does it).
        who = Text(row.applicant_name, no_wrap=True, overflow="ellipsis")
        if self._has_owner(row):  # on a second line, so the column stays as narrow as a name
            who.append("\n" + _owner_line(row), style="dim")
        code = row.code
        if columns.short:
            code = short_code(code)  # the day and number: the agency's is on every row
        cells = [
            Text(code, no_wrap=True, overflow="ellipsis"),
            who,
            due,
            Text(STATUS_SHORT.get(row.status, str(row.status))),
        ]
        if columns.procedure:
            # The name first: the part in view when the column is narrow.
            procedure = f"{_clip(row.procedure_name, 60)} ({row.procedure_code})"
            cells.append(Text(procedure, style="dim", no_wrap=True, overflow="ellipsis"))
        return cells

    def _due_cell(self, row: DossierRow, now: datetime) -> Text:
        """The appointment, "trễ" after it once the dossier is late (the set of late rows kept)."""
        late = _is_late(row, now)
        if late:
            self._late.add(row.code)
        else:
            self._late.discard(row.code)
        appointment = row.appointment_at  # none for a dossier refused at the counter
        due = Text(short_due(appointment) if appointment else "—", style="bold red" if late else "")
        if late:
            due.append(" trễ", style="bold red")
        return due

    def row_of(self, code: str) -> DossierRow | None:
        """The dossier shown in the row of ``code`` (None once the list changed)."""
        return self._shown.get(code)

    @staticmethod
    def _has_owner(row: DossierRow) -> bool:
        return bool(row.owner_name) and row.owner_name != row.applicant_name

    @on(DataTable.RowHighlighted)
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.row_count - PREFETCH:
            self._next_page()

    def action_select_cursor(self) -> None:
        """Enter opens the row's dossier at once, before the next key is read. Through the
        table's selection message it opened two message hops later: the keys typed in the same
        breath (Esc, Down, Enter: close it, open the next) reached the screen under it first, and
        the Esc took the official back to the intake, where Down and Enter chose a procedure."""
        self._set_hover_cursor(False)
        if not self.row_count:
            return
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        if not row_key.value:
            return
        opener = getattr(self.app, "open_dossier", None)
        if opener is not None:
            opener(row_key.value)
        else:
            self.post_message(OpenDossier(row_key.value))

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(OpenDossier(event.row_key.value))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._loading = False
        self.app.report_worker(event.worker)  # type: ignore[attr-defined]
