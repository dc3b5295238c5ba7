"""A list of dossiers that pages through the database as the cursor moves down.

A commune's database holds years of dossiers: the table asks its loader for one page at a time (in a
thread worker) and asks for the next page only when the cursor comes near the last row loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState, get_current_worker

from counter_app.store.dossiers import DossierRow
from counter_app.tui.formatting import short_due
from counter_app.tui.messages import OpenDossier

PAGE_SIZE = 50
"""Rows fetched per page: more than a tall terminal shows, so the table is full and the cursor can
move a screen down before the next page is needed. Larger pages only cost memory and query time
(bench/bench_tui.py: pages of 100 held about 1.4 MB more than pages of 40 after six lists)."""
NAME_CHARS = 24
"""Longest name shown in a list row. A company's full name can run to 60 characters, a person's
rarely reaches 24: the due time stays on an 80-column screen; the dossier screen shows it all."""
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

OPEN_STATUSES = (1, 2, 4, 6)
"""Statuses in which a passed due time means late (5, waiting for papers, has its clock paused)."""

Loader = Callable[[int, int], list[DossierRow]]
"""Returns ``limit`` rows from ``offset``."""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DossierTable(DataTable[Text]):
    """Dossier rows: code, applicant, due, status, procedure. Enter opens the dossier."""

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
        self._keep: tuple[str, int] | None = None
        """The row to put the cursor back on once the list is read again (code, row index)."""

    def on_mount(self) -> None:
        self.add_column("Mã hồ sơ", key="code")
        self.add_column("Người nộp", key="name")
        self.add_column("Hẹn trả", key="due")
        self.add_column("Trạng thái", key="status")
        self.add_column("Thủ tục", key="procedure")

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
        self.clear()
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
        for row in rows:
            if row.code in self.rows:  # a search that ignores offsets gives the same page again
                continue
            self.add_row(*self._cells(row, now), key=row.code, height=2 if self._has_owner(row) else 1)
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
        late = row.status in OPEN_STATUSES and row.due_at < now
        appointment = row.appointment_at  # none for a dossier refused at the counter
        due = Text(short_due(appointment) if appointment else "—", style="bold red" if late else "")
        if late:
            due.append(" trễ", style="bold red")
        procedure = _clip(row.procedure_name, 60)  # the name first: on 80 columns, the part in view
        who = Text(_clip(row.applicant_name, NAME_CHARS))
        if self._has_owner(row):  # on a second line, so the column stays as narrow as a name
            who.append("\n" + _clip(f"chủ hồ sơ: {row.owner_name}", NAME_CHARS), style="dim")
        return [
            Text(row.code),
            who,
            due,
            Text(STATUS_SHORT.get(row.status, str(row.status))),
            Text(f"{procedure} ({row.procedure_code})", style="dim"),
        ]

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

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(OpenDossier(event.row_key.value))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._loading = False
        self.app.report_worker(event.worker)  # type: ignore[attr-defined]
