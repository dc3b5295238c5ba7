"""The documents checklist of the chosen procedure, with counts of originals, certified copies and
photocopies.

Prefilled from the catalog: every required paper the citizen hands in is ticked with the catalog's
counts, so a standard intake needs no key here. Papers only shown (identity card) or needed in some
cases ("nếu có") are listed unticked. Keys: Space ticks, a digit sets the count under the cursor
(on the tick or the name: the originals), + and - change it, x marks a paper as only shown (xuất
trình: ticked, no copy kept, listed on the receipt); a click on the tick column ticks.

A name longer than its column ends with "…" (the screen shows the highlighted one in full under the
table); with :attr:`DocumentChecklist.full_names` on, names wrap over as many lines as they need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import DataTable

from counter_app.domain.procedures import Procedure

COUNT_COLUMNS = ("originals", "certified", "copies")
"""Count columns in display order (after the tick and the name)."""

SCAN_GAP = 0.05
"""Seconds between two digits below which they come from a scanner: a hand types a key in 80 ms
or more, a USB scanner in a few (some, set slow, in 30 to 40)."""

COUNT_JOIN = 1.0
"""Seconds within which a second digit on the same count makes a two-digit count (1 then 2: 12);
later, a digit replaces the count."""

BURST_END = 0.3
"""Seconds without a key after which a scan with no Enter (a scanner set up without one) is over:
what it typed goes to the scan box, for the official to see."""


@dataclass
class Paper:
    """One line of the checklist."""

    name: str
    originals: int
    certified: int
    copies: int
    checked: bool
    note: str = ""

    @property
    def total(self) -> int:
        return self.originals + self.certified + self.copies

    @property
    def shown_only(self) -> bool:
        """Ticked with no copy: the citizen showed the paper and took it back (xuất trình)."""
        return self.checked and self.total == 0


@dataclass
class _CountKey:
    """The last digit typed as a count, kept to undo it if the next one shows a scan."""

    at: float
    paper: Paper
    kind: str
    before: int
    was_checked: bool
    character: str


class DocumentChecklist(DataTable[Text]):
    """A table of the procedure's papers: tick, name, originals, certified copies, photocopies."""

    BINDINGS = [
        Binding("space", "tick", "Đánh dấu giấy tờ", id="checklist.toggle"),
        # Enter goes on to the next field, as in every field of the form; on the tick column it
        # ticked or unticked the paper under the cursor (a paper counted in, silently dropped).
        Binding("enter", "next_field", "Sang ô sau", show=False, id="checklist.next"),
        Binding("plus,equals_sign", "change(1)", "Thêm 1 bản", show=False, id="checklist.more"),
        Binding("minus", "change(-1)", "Bớt 1 bản", show=False, id="checklist.less"),
        Binding(
            "x",
            "shown_only",
            "Chỉ xuất trình",
            show=False,
            id="checklist.shown_only",
            tooltip="Giấy tờ chỉ xuất trình để đối chiếu, không nộp bản nào (ví dụ căn cước)",
        ),
    ]

    class Changed(Message):
        """The official ticked a paper or changed a count."""

    full_names: reactive[bool] = reactive(False, init=False)
    """Wrap each paper's name over as many lines as it needs (a tall terminal has the rows), instead
    of one line per paper ending with "…"."""

    def __init__(self, *, id: str | None = None, full_names: bool = False) -> None:
        super().__init__(id=id, cursor_type="cell", zebra_stripes=True, show_cursor=True)
        self.set_reactive(DocumentChecklist.full_names, full_names)
        self.papers: list[Paper] = []
        self._last_count: _CountKey | None = None
        self._burst: str | None = None
        """A scanner's keys caught here so far, in order, until its Enter (None: no scan)."""
        self._burst_timer: Timer | None = None

    def on_mount(self) -> None:
        self._build_columns()

    def _layout(self) -> tuple[int, list[tuple[str, int]]]:
        """Name width and count headers for the table's width (abbreviated when narrow)."""
        wide = self.size.width >= 64
        counts = [("Chính", 5), ("C.thực", 6), ("Photo", 5)] if wide else [("BC", 2), ("CT", 2), ("PH", 2)]
        fixed = 3 + sum(w for _, w in counts) + 2 * 5 + 2  # tick, counts, cell padding, scrollbar
        return max(12, self.size.width - fixed), counts

    def _build_columns(self) -> None:
        self.clear(columns=True)
        name_width, counts = self._layout()
        self.add_column(Text(""), width=3, key="tick")
        self.add_column(Text("Thành phần hồ sơ"), width=name_width, key="name")
        for (label, width), key in zip(counts, COUNT_COLUMNS, strict=True):
            self.add_column(Text(label), width=width, key=key)

    def load(self, procedure: Procedure | None) -> None:
        """Show the papers of a procedure (or nothing), ticked as the catalog says."""
        self.papers = []
        if procedure is not None:
            for spec in procedure.documents:
                counts = spec.originals + spec.certified + spec.copies
                self.papers.append(
                    Paper(
                        spec.name,
                        spec.originals,
                        spec.certified,
                        spec.copies,
                        checked=spec.required and counts > 0,
                        note=spec.note,
                    )
                )
        self._redraw()

    def _redraw(self) -> None:
        row, column = self.cursor_coordinate
        self.clear()
        for index, paper in enumerate(self.papers):
            self.add_row(*self._cells(paper), key=str(index), height=None if self.full_names else 1)
        if self.papers:
            self.move_cursor(row=min(row, len(self.papers) - 1), column=column, animate=False)

    def _cells(self, paper: Paper) -> list[Text]:
        if paper.checked:
            tick = Text("[x]", style="bold green")
        elif paper.total == 0:
            tick = Text(" - ", style="dim")
        else:
            tick = Text("[ ]")
        name = Text(paper.name, style="" if paper.checked else "dim", overflow="ellipsis")
        name.no_wrap = not self.full_names
        if paper.shown_only:
            name.append(" (xuất trình)", style="italic")
        elif paper.total == 0 and paper.note:
            name.append(f" ({paper.note})", style="italic dim")
        counts = [
            Text(str(getattr(paper, c)) if getattr(paper, c) else "·", justify="right") for c in COUNT_COLUMNS
        ]
        if paper.shown_only:  # seen even where the name is cut short
            counts[0] = Text("XT", style="bold", justify="right")
        return [tick, name, *counts]

    def watch_full_names(self) -> None:
        self._redraw()

    def on_resize(self, event: events.Resize) -> None:
        column = self.columns.get("name")  # type: ignore[call-overload]
        if column is not None and column.width != self._layout()[0]:
            self._build_columns()
            self._redraw()

    def items(self) -> list[dict[str, object]]:
        """The ticked papers in the desk's intake shape."""
        return [
            {
                "name": p.name,
                "originals": p.originals,
                "certified": p.certified,
                "copies": p.copies,
            }
            for p in self.papers
            if p.checked
        ]

    def state(self) -> list[dict[str, object]]:
        """Every line's tick and counts, for a draft (see :meth:`restore`)."""
        return [
            {
                "name": p.name,
                "checked": p.checked,
                "originals": p.originals,
                "certified": p.certified,
                "copies": p.copies,
            }
            for p in self.papers
        ]

    def restore(self, state: Iterable[object]) -> None:
        """Put back ticks and counts saved by :meth:`state`, matching lines by paper name.

        Lines the state does not name keep the catalog's prefill (the catalog may have changed
        since); values that are not counts are ignored.
        """
        saved = {
            entry["name"]: entry
            for entry in state
            if isinstance(entry, Mapping) and isinstance(entry.get("name"), str)
        }
        for paper in self.papers:
            entry = saved.get(paper.name)
            if entry is None:
                continue
            for kind in COUNT_COLUMNS:
                count = entry.get(kind)
                if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= 99:
                    setattr(paper, kind, count)
            paper.checked = bool(entry.get("checked", True))
        self._touched = True
        self._redraw()

    @property
    def is_default(self) -> bool:
        """False once the official changed a tick or a count."""
        return not getattr(self, "_touched", False)

    def _current(self) -> tuple[Paper, str | None] | None:
        if not self.papers:
            return None
        row, column = self.cursor_coordinate
        if not 0 <= row < len(self.papers):
            return None
        kind = COUNT_COLUMNS[column - 2] if column >= 2 else None
        return self.papers[row], kind

    def paper_at_cursor(self) -> tuple[int, Paper] | None:
        """The highlighted line: its index and paper (None when the list is empty)."""
        current = self._current()
        return None if current is None else (self.cursor_coordinate.row, current[0])

    def _changed(self) -> None:
        self._touched = True
        self._redraw()
        self.post_message(self.Changed())

    def action_next_field(self) -> None:
        self.screen.focus_next()

    def action_tick(self) -> None:
        current = self._current()
        if current is None:
            return
        paper, _ = current
        paper.checked = not paper.checked
        if paper.checked and paper.total == 0:
            paper.originals = 1
        self._changed()

    def action_shown_only(self) -> None:
        """Mark the paper under the cursor as only shown (no copy kept), or back to not received."""
        current = self._current()
        if current is None:
            return
        paper, _ = current
        if paper.shown_only:
            paper.checked = False
        else:
            paper.checked = True
            paper.originals = paper.certified = paper.copies = 0
        self._changed()

    def action_change(self, delta: int) -> None:
        current = self._current()
        if current is None:
            return
        paper, kind = current
        kind = kind or "originals"
        setattr(paper, kind, max(0, min(99, getattr(paper, kind) + delta)))
        paper.checked = paper.total > 0
        self._changed()

    async def on_key(self, event: events.Key) -> None:
        # A digit sets the count under the cursor; on the tick or the name, the originals (the count
        # most papers have). Two digits closer than a hand types are a scan (below).
        character = event.character or ""
        if self._burst is not None:
            await self._scanning(event)
            return
        current = self._current()
        if self.screen.focused is not self or current is None or not character.isdigit():
            self._last_count = None  # keys left over from a burst bubble on to the screen
            return
        paper, column = current
        kind = column or "originals"
        event.stop()
        event.prevent_default()
        last = self._last_count
        if last is not None and event.time - last.at < SCAN_GAP:
            # Two digits faster than a hand types: a scanner, typing a dossier code or a chip-ID
            # card. The first was no count: put it back, and keep the burst here, in order, up
            # to its Enter. (Moving the focus to the scan box now let the keys already on their
            # way here arrive after later ones sent there: a card's ID number came out shuffled.)
            setattr(last.paper, last.kind, last.before)
            last.paper.checked = last.was_checked
            self._last_count = None
            self._changed()
            self._burst = last.character + character
            self._wait_for_more()
            return
        before = getattr(paper, kind)
        value = int(character)
        if (
            last is not None
            and event.time - last.at < COUNT_JOIN
            and (last.paper, last.kind) == (paper, kind)
            and last.character
            and before == int(last.character)
        ):
            # The second digit of a count (12 originals): typed as the official says the number.
            value, before, character = int(last.character + character), last.before, ""
        self._last_count = _CountKey(event.time, paper, kind, before, paper.checked, character)
        setattr(paper, kind, value)
        paper.checked = paper.total > 0
        self._changed()

    async def _scanning(self, event: events.Key) -> None:
        """A key inside a scanner's burst: kept, and at its Enter the whole scan goes to the scan box."""
        if event.is_printable or event.key == "enter":
            event.stop()
            event.prevent_default()
        if event.is_printable:
            self._burst = (self._burst or "") + (event.character or "")
            self._wait_for_more()
            return
        await self._hand_over_burst(submit=event.key == "enter")

    def _wait_for_more(self) -> None:
        """(Re)start the wait after which a burst with no Enter is over."""
        if self._burst_timer is not None:
            self._burst_timer.stop()
        self._burst_timer = self.set_timer(BURST_END, self._hand_over_burst)

    async def _hand_over_burst(self, submit: bool = False) -> None:
        """Give the screen's scan box the burst caught here (and its Enter, when the scanner sent one)."""
        burst, self._burst = self._burst, None
        if self._burst_timer is not None:
            self._burst_timer.stop()
            self._burst_timer = None
        screen: Any = self.screen  # a CounterScreen, which this widget module does not import
        if not burst or not hasattr(screen, "take_scan"):
            return
        if submit:
            await screen.submit_scan(burst)
        else:
            screen.take_scan(burst)

    @on(DataTable.CellSelected)
    def _clicked(self, event: DataTable.CellSelected) -> None:
        event.stop()
        if event.coordinate.column == 0:
            self.action_tick()
