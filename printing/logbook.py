"""The supervisors' daily logbook (sổ theo dõi hồ sơ): one day or a date range, landscape A4.

The rows stream: dossiers come one at a time from :meth:`Desk.iter_logbook`, each is wrapped into
cell lines, placed on the current page and forgotten. No list of the period's dossiers is ever
built, so a month of 20,000 dossiers costs the memory of one page of rows plus reportlab's page
streams (see ``bench/bench_printing.py``). Pages are drawn directly on a reportlab canvas, not
through a platypus Table: a table of thousands of rows is re-measured at every page split.

Layout: the official header and title on the first page; on every page the column heads (with
the "Ngày, tháng, năm" group), a running head from page 2 and "Trang n/N" at the foot (N is a
form XObject filled in at the end). Rows are grouped by day with a heading band and the day's
totals. A row taller than what is left of a page continues on the next one, so no text is ever
cut. The last page(s) summarise the period (desk.period_report): received, returned, early / on
time / late, overdue, by field, and for a week or more a bar chart of dossiers per day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, Spacer

from counter_app.domain.calendar import to_vn
from counter_app.domain.dossier import RETURN_METHODS, Dossier, status_name
from counter_app.domain.errors import FieldError, PrintingError, ValidationError
from counter_app.domain.text import percent, thousands
from counter_app.locations import output_dir
from printing import layout, typeface, wording
from printing.typesetting import measure, wrap

PAGE = landscape(A4)
LEFT, RIGHT, TOP, BOTTOM = 12 * mm, 10 * mm, 10 * mm, 13 * mm
BODY_SIZE = 8.0
LEADING = 9.4
HEAD_SIZE = 7.5
HEAD_LEADING = 8.8
PAD_X = 2.0
PAD_TOP = 2.0
PAD_BOTTOM = 2.6
BAND_FILL = colors.Color(0.92, 0.92, 0.92)
TOTAL_FILL = colors.Color(0.97, 0.97, 0.97)
LINE = 0.4


CHART_HEIGHT = 105 * mm
"""The summary's chart of dossiers per day, without its title."""
CHART_TITLE = 14 * mm
"""The chart's title band."""
CHART_MIN = 45 * mm
"""The shortest the chart is made to leave room for the table of fields under it."""
SIGNING = 22 * mm
"""Room to sign under the summary's signature heads."""
SIGNING_COMPACT = 15 * mm
"""The same, when the signatures would otherwise go to a page of their own."""


def _height(canv: Any, flowables: list[Any], width: float) -> float:
    """How tall these flowables stand one under the other in a column ``width`` wide (with the
    space a frame puts before and after each)."""
    return sum(f.wrapOn(canv, width, PAGE[1])[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


@dataclass(frozen=True)
class Column:
    """One column of the logbook."""

    title: str
    width: float
    """Width in points."""
    align: str = "left"
    """"left" or "center"."""


COLUMN_WIDTHS_MM = (9, 24, 36, 10, 28, 37, 26, 15, 15, 15, 15, 15, 12, 18)
COLUMN_ALIGN = (
    "center",
    "left",
    "left",
    "center",
    "left",
    "left",
    "left",
    "center",
    "center",
    "center",
    "center",
    "center",
    "left",
    "left",
)
COLUMNS: tuple[Column, ...] = tuple(
    Column(title, w * mm, align)
    for title, w, align in zip(wording.LOGBOOK_COLUMNS, COLUMN_WIDTHS_MM, COLUMN_ALIGN, strict=True)
)
"""The logbook's columns, left to right (DOMAIN.md §2, the fuller 2018 list)."""
KEY_COLUMNS = (0, 1)
"""STT and code: repeated on the continuation of a row split over two pages."""
DATE_COLUMNS = range(7, 12)
"""Columns under the "Ngày, tháng, năm" group head."""
TABLE_WIDTH = sum(c.width for c in COLUMNS)
EDGES: tuple[float, ...] = tuple(LEFT + sum(c.width for c in COLUMNS[:i]) for i in range(len(COLUMNS) + 1))
"""x of each column's left edge (and the table's right edge last), in points."""

assert abs(TABLE_WIDTH - (PAGE[0] - LEFT - RIGHT)) < 0.5


# -- rows --------------------------------------------------------------------------------------------


@dataclass
class Row:
    """A row ready to draw: the lines of each cell, or one full-width band."""

    cells: list[list[str]]
    kind: str = "body"
    """"body" (one cell per column), "band" (day heading) or "total" (a day's or the period's total)."""

    @property
    def lines(self) -> int:
        return max((len(c) for c in self.cells), default=0) or 1

    @property
    def height(self) -> float:
        return self.lines * LEADING + PAD_TOP + PAD_BOTTOM

    def split(self, n: int) -> tuple[Row, Row]:
        """The first ``n`` lines of every cell, and the rest; the rest of a dossier row repeats its
        entry number and code when they are used up, so a continued row still says whose it is."""
        rest = [c[n:] for c in self.cells]
        if self.kind == "body":
            for i in KEY_COLUMNS:
                if not rest[i]:
                    rest[i] = self.cells[i]
        return Row([c[:n] for c in self.cells], self.kind), Row(rest, self.kind)


def _when(at: datetime | None) -> str:
    if at is None:
        return ""
    at = to_vn(at)
    return f"{wording.two(at.hour)}:{wording.two(at.minute)}\n{wording.short_date(at.date())}"


NOTE_REASON_MAX = 90
"""Characters of a refusal, withdrawal or stop reason shown in the "Ghi chú" column.

The column is 18 mm wide on a full landscape page: a 300-character reason would wrap to some
35 lines and one dossier would fill a page. Widening the column would take the room from the
name, address and date columns every row needs, for a note few rows have; the full reason is on
the dossier's own refusal or stop notice (and in its history), so the logbook shows its start."""


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, "…" marking the cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def dossier_cells(d: Dossier, now: datetime) -> list[str]:
    """The text of each column for one dossier (before wrapping); dates as "hh:mm\\ndd/mm/yyyy"."""
    name = d.applicant.name
    if d.applicant.kind == "organisation" and d.applicant.representative:
        name += f"\n({wording.REPRESENTATIVE}: {d.applicant.representative})"
    if d.owner is not None and d.owner.name and d.owner.name != d.applicant.name:
        name += f"\n({wording.LOGBOOK_OWNER}: {d.owner.name})"
    contact = d.applicant.address
    if d.applicant.phone:
        contact += ("\n" if contact else "") + f"{wording.LOGBOOK_PHONE}: {d.applicant.phone}"
    notes: list[str] = []
    if d.status in (3, 5, 6, 7, 8):
        # Refused after it was received (and counted as received): not "không được tiếp nhận".
        refused_later = d.status == 3 and not d.refused_at_intake
        note = wording.LOGBOOK_REFUSED_LATER if refused_later else status_name(d.status)
        if d.status in (3, 7, 8) and d.last_reason:
            note += f": {shorten(d.last_reason, NOTE_REASON_MAX)}"
        notes.append(note)
    if d.is_overdue(now):
        notes.append(wording.LOGBOOK_OVERDUE)
    if d.timeliness() == "late":
        notes.append(wording.LOGBOOK_LATE)
    if d.appointment_moves:
        # The column shows the appointment in force; "trễ hạn" is judged against the time limit's.
        rule_due = wording.short_time(d.rule_due_at)
        notes.append(wording.LOGBOOK_MOVED.format(n=d.appointment_moves, due=rule_due))
    if d.return_method != "counter":
        notes.append(RETURN_METHODS.get(d.return_method, d.return_method))
    return [
        # Each counter numbers its own entries (DOMAIN.md, open point 3), and a book printed for the
        # commune holds every counter's: "1" came back once per counter. The counter says whose.
        wording.LOGBOOK_ENTRY.format(entry=d.logbook_entry, counter=d.counter_no),
        d.code,
        d.procedure_name,
        str(d.sets),
        name,
        contact,
        d.deciding_agency_name,
        _when(d.received_at),
        _when(d.appointment_at),  # none for a dossier refused at the counter
        _when(d.transferred_at),
        _when(d.result_at),
        _when(d.returned_at),
        "",
        "; ".join(notes),
    ]


def body_row(values: Sequence[str]) -> Row:
    return Row(
        [
            wrap(v, typeface.REGULAR, BODY_SIZE, col.width - 2 * PAD_X) if v else []
            for v, col in zip(values, COLUMNS, strict=True)
        ]
    )


def band_row(value: str, kind: str) -> Row:
    return Row([wrap(value, typeface.BOLD, BODY_SIZE, TABLE_WIDTH - 2 * PAD_X)], kind)


# -- the painter -------------------------------------------------------------------------------------


@dataclass
class Tally:
    """The dossiers a total line counts: those received, with their sets, and apart from them
    those refused at the counter (form 03 given, never received: not in the figure "received"
    of the summary and the dashboard either)."""

    count: int = 0
    sets: int = 0
    refused: int = 0

    def add(self, d: Dossier) -> None:
        if d.refused_at_intake:
            self.refused += 1
        else:
            self.count += 1
            self.sets += d.sets

    def said(self) -> dict[str, Any]:
        """The figures a total line's wording takes."""
        refused = wording.LOGBOOK_REFUSED_PART.format(refused=self.refused) if self.refused else ""
        return {"count": self.count, "sets": self.sets, "refused": refused}


class LogbookPainter:
    """Draws the logbook page by page on a canvas; rows are placed as they come.

    The text of a page goes into one PDF text object, flushed when the page ends; the column heads
    are one form XObject drawn on every page.
    """

    def __init__(
        self,
        canv: Canvas,
        *,
        settings: Any,
        first: date,
        last: date,
        statuses: tuple[int, ...] | None,
        now: datetime,
    ) -> None:
        typeface.register()
        self.canv = canv
        self.settings = settings
        self.first, self.last = first, last
        self.statuses = statuses
        self.now = now
        self.name = wording.form_name(settings.forms_basis, "logbook")
        self.page = 0
        self.y = 0.0
        self.day: date | None = None
        self.day_tally = Tally()
        self.tally = Tally()
        self._pending_band: Row | None = None
        self._held: Row | None = None
        """The latest dossier row, not yet drawn: it is placed once we know whether the day's
        total follows it, so a total never opens a page on its own."""
        self._text: Any = None
        self._font: tuple[str, float] | None = None
        self._heads_height = self._define_column_heads()

    # -- pages ---------------------------------------------------------------------------------

    @property
    def period(self) -> str:
        if self.first == self.last:
            return wording.LOGBOOK_DAY.format(day=wording.short_date(self.first))
        return wording.LOGBOOK_RANGE.format(
            first=wording.short_date(self.first), last=wording.short_date(self.last)
        )

    def _start_page(self) -> None:
        """End the current page (if any) and start the next one with its heads."""
        if self.page:
            self._end_page()
        self.page += 1
        c = self.canv
        top = PAGE[1] - TOP
        if self.page == 1:
            top = self._first_page_head(top)
        else:
            c.setFont(typeface.ITALIC, 7.5)
            c.drawString(LEFT, top - 7.5, self._running_line())
            top -= 12
        c.saveState()
        c.translate(0, top - self._heads_height)
        c.doForm("column_heads")
        c.restoreState()
        self.y = top - self._heads_height
        self._text = c.beginText()
        self._text.setFillColor(colors.black)
        self._font = None
        c.setLineWidth(LINE)

    def _running_line(self) -> str:
        """The line above the column heads of every page after the first: the title, the agency
        and the period, on one line; a long agency name (a commune centre's full name may run to
        two hundred characters) is shortened so that the line stays inside the table's width."""
        agency = " ".join(self.settings.agency_name.split())
        for limit in range(len(agency), 8, -4):
            line = wording.LOGBOOK_RUNNING.format(
                title=self.name.title.upper(), agency=shorten(agency, limit), period=self.period
            )
            if typeface.width(line, typeface.ITALIC, 7.5) <= TABLE_WIDTH:
                return line
        return wording.LOGBOOK_RUNNING.format(title=self.name.title.upper(), agency="…", period=self.period)

    def _end_page(self) -> None:
        c = self.canv
        if self._text is not None:
            c.drawText(self._text)
            self._text = None
        label = wording.LOGBOOK_PAGE.format(n=self.page)
        c.setFont(typeface.REGULAR, 8)
        label_w = typeface.width(label, typeface.REGULAR, 8)
        x = PAGE[0] / 2 - label_w / 2 - 6
        c.drawString(x, BOTTOM - 16, label)
        c.saveState()
        c.translate(x + label_w, BOTTOM - 16)
        c.doForm("page_total")  # the page count, known only at the end
        c.restoreState()
        c.showPage()

    def _first_page_head(self, top: float) -> float:
        """The official header, the title and the period on the first page; returns the next y."""
        t = layout.theme("A4")
        head_w = TABLE_WIDTH * 0.72
        story = layout.header(
            t,
            superior=self.settings.deciding_agency_name,
            agency=self.settings.agency_name,
            place=self.settings.place_name or self.settings.commune_name,
            day=to_vn(self.now).date(),
            form_line=self.name.line,
            width=head_w,
        )
        story.append(layout.title(t, self.name.title))
        lines = [self.period]
        years = sorted({self.first.year, self.last.year})
        lines.append(wording.LOGBOOK_VOLUME.format(volume="–".join(str(y) for y in years)))
        lines.append(wording.LOGBOOK_ENTRY_NOTE.format(counter=self.settings.counter_no or 1))
        if self.statuses:
            lines.append(
                wording.LOGBOOK_FILTER.format(
                    statuses=", ".join(f"{s} – {status_name(s)}" for s in self.statuses)
                )
            )
        story += [layout.para(line, t, "center") for line in lines]
        story.append(Spacer(1, 4))
        frame = Frame(
            LEFT + (TABLE_WIDTH - head_w) / 2,
            BOTTOM,
            head_w,
            top - BOTTOM,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        frame.addFromList(story, self.canv)
        return frame._y

    def _define_column_heads(self) -> float:
        """Draw the column heads once, as the form XObject "column_heads"; return their height."""
        titles = [wrap(c.title, typeface.BOLD, HEAD_SIZE, c.width - 2 * PAD_X) for c in COLUMNS]
        group = wrap(wording.LOGBOOK_DATE_GROUP, typeface.BOLD, HEAD_SIZE, TABLE_WIDTH)
        pad = PAD_TOP + PAD_BOTTOM
        h_group = len(group) * HEAD_LEADING + pad
        h_sub = max(len(titles[i]) for i in DATE_COLUMNS) * HEAD_LEADING + pad
        h_span = max(len(t) for i, t in enumerate(titles) if i not in DATE_COLUMNS) * HEAD_LEADING + pad
        h_sub = max(h_sub, h_span - h_group)
        h_numbers = HEAD_LEADING + pad
        h = h_group + h_sub
        total = h + h_numbers
        c = self.canv
        c.beginForm("column_heads", 0, 0, PAGE[0], total)
        top = total
        c.setFillColor(layout.HEAD_FILL)
        c.rect(LEFT, 0, TABLE_WIDTH, total, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.setLineWidth(LINE)
        d0, d1 = EDGES[DATE_COLUMNS.start], EDGES[DATE_COLUMNS.stop]
        segments = [
            (LEFT, top, LEFT + TABLE_WIDTH, top),
            (d0, top - h_group, d1, top - h_group),
            (LEFT, h_numbers, LEFT + TABLE_WIDTH, h_numbers),
            (LEFT, 0, LEFT + TABLE_WIDTH, 0),
        ]
        for i, x in enumerate(EDGES):
            inner_date = DATE_COLUMNS.start < i < DATE_COLUMNS.stop
            segments.append((x, top - (h_group if inner_date else 0), x, 0))
        c.lines(segments)
        c.setFont(typeface.BOLD, HEAD_SIZE)
        for i, lines in enumerate(titles):
            if i in DATE_COLUMNS:
                self._centred_block(lines, EDGES[i], COLUMNS[i].width, top - h_group, h_sub)
            else:
                self._centred_block(lines, EDGES[i], COLUMNS[i].width, top, h)
        self._centred_block(group, d0, d1 - d0, top, h_group)
        c.setFont(typeface.ITALIC, HEAD_SIZE)
        for i, col in enumerate(COLUMNS):
            c.drawCentredString(EDGES[i] + col.width / 2, PAD_BOTTOM + 1.2, f"({i + 1})")
        c.endForm()
        return total

    def _centred_block(self, lines: list[str], x: float, w: float, top: float, avail: float) -> None:
        """Lines of the column heads, centred in a box, vertically too."""
        y = top - (avail - len(lines) * HEAD_LEADING) / 2 - HEAD_SIZE
        for line in lines:
            self.canv.drawCentredString(x + w / 2, y, line)
            y -= HEAD_LEADING

    # -- rows ----------------------------------------------------------------------------------

    def _room(self) -> float:
        return self.y - BOTTOM

    def _fresh_room(self) -> float:
        return PAGE[1] - TOP - 12 - self._heads_height - BOTTOM

    def _place(self, row: Row, keep: float = 0.0) -> None:
        """Draw a row here, or on a new page; split it when taller than a whole page."""
        if self.page == 0:
            self._start_page()
        if row.height + keep <= self._room():
            self._draw(row)
            return
        if row.height + keep <= self._fresh_room() or self._room() < 6 * LEADING:
            self._start_page()
            if row.kind == "body" and self.day is not None:
                self._draw(band_row(self._day_heading(self.day, continued=True), "band"))
            if row.height <= self._room():
                self._draw(row)
                return
        fits = max(1, int((self._room() - PAD_TOP - PAD_BOTTOM) // LEADING))
        head, rest = row.split(fits)
        self._draw(head)
        self._place(rest)

    def _put(self, x: float, y: float, line: str, font: str) -> None:
        if self._font != (font, BODY_SIZE):
            self._text.setFont(font, BODY_SIZE)
            self._font = (font, BODY_SIZE)
        self._text.setTextOrigin(x, y)
        self._text.textOut(line)

    def _draw(self, row: Row) -> None:
        c = self.canv
        top, h = self.y, row.height
        bottom = top - h
        first_y = top - PAD_TOP - BODY_SIZE + 0.6
        if row.kind != "body":
            c.setFillColor(BAND_FILL if row.kind == "band" else TOTAL_FILL)
            c.rect(LEFT, bottom, TABLE_WIDTH, h, stroke=0, fill=1)
            y = first_y
            for line in row.cells[0]:
                self._put(LEFT + PAD_X, y, line, typeface.BOLD)
                y -= LEADING
            c.lines(
                [
                    (LEFT, bottom, LEFT + TABLE_WIDTH, bottom),
                    (LEFT, top, LEFT, bottom),
                    (LEFT + TABLE_WIDTH, top, LEFT + TABLE_WIDTH, bottom),
                ]
            )
        else:
            font = typeface.REGULAR
            for i, lines in enumerate(row.cells):
                col = COLUMNS[i]
                y = first_y
                for line in lines:
                    if col.align == "center":
                        x = EDGES[i] + (col.width - measure(line, font, BODY_SIZE)) / 2
                    else:
                        x = EDGES[i] + PAD_X
                    self._put(x, y, line, font)
                    y -= LEADING
            c.lines([(x, top, x, bottom) for x in EDGES] + [(LEFT, bottom, LEFT + TABLE_WIDTH, bottom)])
        self.y = bottom

    def _day_heading(self, day: date, continued: bool = False) -> str:
        text = wording.LOGBOOK_DAY_HEADING.format(weekday=wording.weekday(day), day=wording.short_date(day))
        return text + (wording.LOGBOOK_CONTINUED if continued else "")

    def _flush(self, keep: float = 0.0) -> None:
        """Place the held row (and its day heading), with ``keep`` points of what follows it on
        the same page when a fresh page could hold both."""
        row, self._held = self._held, None
        if row is None:
            return
        if row.height + keep > self._fresh_room():
            keep = 0.0
        if self._pending_band is not None:
            band = self._pending_band
            self._pending_band = None
            # A day heading never stands alone at the foot of a page.
            self._place(band, keep=min(row.height + keep, self._fresh_room() / 2))
        self._place(row, keep=keep)

    def _day_total(self) -> Row:
        assert self.day is not None
        return band_row(
            wording.LOGBOOK_DAY_TOTAL.format(day=wording.short_date(self.day), **self.day_tally.said()),
            "total",
        )

    def _grand_total(self) -> Row:
        return band_row(
            wording.LOGBOOK_GRAND_TOTAL.format(
                first=wording.short_date(self.first),
                last=wording.short_date(self.last),
                **self.tally.said(),
            ),
            "total",
        )

    def _close_day(self, after: Row | None = None) -> None:
        """Place the held last row of the day with the day's total (and ``after``, the grand
        total) on the same page."""
        if self.day is None:
            return
        total = self._day_total()
        follows = [total] + ([after] if after is not None else [])
        self._flush(keep=sum(r.height for r in follows))
        for r in follows:
            self._place(r)

    def add(self, d: Dossier) -> None:
        """Place one dossier (dossiers come oldest first)."""
        day = to_vn(d.received_at).date()
        if day != self.day:
            self._close_day()
            self.day, self.day_tally = day, Tally()
            self._pending_band = band_row(self._day_heading(day), "band")
        else:
            self._flush()
        self._held = body_row(dossier_cells(d, self.now))
        self.day_tally.add(d)
        self.tally.add(d)

    def finish(self, report: dict[str, Any]) -> int:
        """Close the last day, add the totals and the summary; return the number of pages."""
        if self.page == 0:
            self._start_page()
        if self.day is None:  # not one dossier
            self._place(band_row(wording.LOGBOOK_EMPTY, "total"))
        else:
            self._close_day(after=self._grand_total() if self.first != self.last else None)
        self._summary(report)
        self._end_page()
        c = self.canv
        c.beginForm("page_total")
        c.setFont(typeface.REGULAR, 8)
        c.drawString(0, 0, str(self.page))
        c.endForm()
        return self.page

    # -- summary ---------------------------------------------------------------------------------

    def _summary(self, report: dict[str, Any]) -> None:
        self._end_page()
        self.page += 1
        first_summary_page = self.page
        t = layout.theme("A4")
        c = self.canv
        top = PAGE[1] - TOP
        heading = [
            layout.title(t, wording.SUMMARY_TITLE),
            layout.para(self.period, t, "center"),
            layout.para(self.settings.agency_name, t, "center"),
            Spacer(1, 8),
        ]
        top = self._flow(heading, LEFT, TABLE_WIDTH, top)._y
        story: list[Any] = []
        cell = lambda s, style="cell": layout.para(s, t, style)  # noqa: E731
        rows: list[list[Any]] = [
            [cell(wording.SUMMARY_INDICATOR, "cell_head"), cell(wording.SUMMARY_COUNT, "cell_head")]
        ]
        for key, label in wording.SUMMARY_ROWS:
            rows.append([cell(label), cell(thousands(report.get(key, 0)), "cell_center")])
        for label, rate in (
            (wording.SUMMARY_RATE, report.get("on_time_rate")),
            (wording.SUMMARY_DIGITISED_RATE, report.get("digitised_rate")),
            (wording.SUMMARY_SATISFACTION_RATE, report.get("satisfaction_rate")),
        ):
            rows.append([cell(label), cell("—" if rate is None else percent(rate), "cell_center")])
        left_w = 118 * mm
        story.append(layout.grid_table(rows, [left_w - 28 * mm, 28 * mm]))
        story.append(Spacer(1, 10))
        fields = [[cell(wording.SUMMARY_FIELD, "cell_head"), cell(wording.SUMMARY_COUNT, "cell_head")]]
        for name, n in report.get("by_field", []):
            fields.append([cell(name or wording.SUMMARY_NO_FIELD), cell(str(n), "cell_center")])
        if len(fields) == 1:  # no dossier received: say so rather than a table of heads only
            fields.append([cell(wording.SUMMARY_NO_FIELDS), cell("0", "cell_center")])

        def by_field(width: float) -> list[Any]:
            return [
                layout.para(wording.SUMMARY_BY_FIELD, t, "bold"),
                layout.grid_table(fields, [width - 28 * mm, 28 * mm]),
            ]

        tail: list[Any] = []
        if self.statuses:
            tail.append(Spacer(1, 6))
            tail.append(layout.para(wording.SUMMARY_FILTER_NOTE, t, "small_italic"))
        tail.append(Spacer(1, 4))
        tail.append(
            layout.para(wording.SUMMARY_PRINTED.format(at=wording.short_time(self.now)), t, "small_italic")
        )

        show_chart = (self.last - self.first).days + 1 >= 7
        chart_bottom = top
        right_x = LEFT + left_w + 10 * mm
        right_w = PAGE[0] - RIGHT - right_x
        # A period of many fields: their table goes to the right side, under a chart made shorter
        # if need be, when it fits there whole, rather than leaving its last rows, the print time
        # and the signatures on a page of their own while half of this one is empty.
        fields_right = _height(c, [*story, *by_field(left_w), *tail], left_w) > top - BOTTOM
        room = top - BOTTOM - _height(c, by_field(right_w), right_w) - 8 - 6  # 6: a margin of error
        chart_height = CHART_HEIGHT
        if fields_right and show_chart:
            chart_height = min(CHART_HEIGHT, room - CHART_TITLE)
        fields_right = fields_right and room >= (CHART_TITLE + CHART_MIN if show_chart else 0)
        if not fields_right:
            chart_height = CHART_HEIGHT
        if show_chart:  # right of the tables, on the summary's first page
            chart_bottom = self._chart(report, right_x, top, right_w, chart_height)
        if fields_right:
            right_top = chart_bottom - 8 if show_chart else top
            chart_bottom = self._flow(by_field(right_w), right_x, right_w, right_top)._y
            story += tail
        else:
            story += [*by_field(left_w), *tail]
        # Within the tables' width, chart or not: the right of the page may take the signatures.
        frame = self._flow(story, LEFT, left_w, top)

        def signatures(width: float, space: float = SIGNING) -> tuple[Any, float, float]:
            table = layout.signature_table(
                t,
                [
                    (wording.SIGN_LOGBOOK_KEEPER, wording.SIGN_HINT, ""),
                    (wording.SIGN_AGENCY, wording.SIGN_SEAL_HINT, ""),
                ],
                space=space,
                width=width,
            )
            w, h = table.wrapOn(c, width, PAGE[1])
            return table, w, h

        table, w, h = signatures(TABLE_WIDTH * 0.8)
        y = (min(frame._y, chart_bottom) if self.page == first_summary_page else frame._y) - h - 6
        right, right_w_used, right_h = signatures(right_w)
        left, left_w_used, left_h = signatures(left_w)
        tight, tight_w_used, tight_h = signatures(left_w, SIGNING_COMPACT)
        right_taken = (show_chart or fields_right) and self.page == first_summary_page
        right_free = (chart_bottom if right_taken else top) - BOTTOM  # under any chart or fields
        if y >= BOTTOM:
            table.drawOn(c, LEFT + (TABLE_WIDTH - w) / 2, y)
        elif right_free >= right_h + 6:
            # Not under the tables: at the foot of the page's right side (under the chart, if
            # there is one) rather than alone on a page of their own.
            right.drawOn(c, right_x + (right_w - right_w_used) / 2, BOTTOM)
        elif frame._y - BOTTOM >= left_h + 6:
            # The right side full (a chart and the fields): under the indicators on the left.
            left.drawOn(c, LEFT + (left_w - left_w_used) / 2, frame._y - left_h - 6)
        elif frame._y - BOTTOM >= tight_h + 6:
            # A few points short: with less room to sign, rather than on a sheet of their own.
            tight.drawOn(c, LEFT + (left_w - tight_w_used) / 2, frame._y - tight_h - 6)
        else:
            # A sheet of their own: headed as the summary is, so a signed page still says which
            # book and period it closes (it came out bare, a loose signed sheet).
            self._end_page()
            self.page += 1
            below = self._flow(heading, LEFT, TABLE_WIDTH, PAGE[1] - TOP)._y
            table.drawOn(c, LEFT + (TABLE_WIDTH - w) / 2, below - h)

    def _flow(self, story: list[Any], x: float, width: float, top: float) -> Frame:
        """Flow platypus flowables down from ``top``, splitting them over new pages as needed."""
        c = self.canv
        pending = list(story)
        frame = Frame(
            x, BOTTOM, width, top - BOTTOM, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0
        )
        while pending:
            flowable = pending.pop(0)
            if frame.add(flowable, c, trySplit=1):
                continue
            parts = frame.split(flowable, c)
            if parts and frame.add(parts[0], c, trySplit=1):
                pending[:0] = parts[1:]
            elif frame._atTop:  # too big even for an empty page and cannot split: draw clipped
                flowable.drawOn(c, x, BOTTOM)
                continue
            else:
                pending.insert(0, flowable)
            self._end_page()
            self.page += 1
            frame = Frame(
                x,
                BOTTOM,
                width,
                PAGE[1] - TOP - BOTTOM,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )
        return frame

    def _chart(self, report: dict[str, Any], x: float, top: float, width: float, height: float = 0) -> float:
        """Bar chart of dossiers received per day over the whole range (days without any: 0),
        ``height`` tall without its title (default ``CHART_HEIGHT``); returns the y of its bottom."""
        title, names, values = _chart_bars(self.first, self.last, report.get("per_day", []))
        height = height or CHART_HEIGHT
        drawing = Drawing(width, height + CHART_TITLE)
        # The renderer sets its default font first (Helvetica, never embedded: the PDF then needs a
        # font the printer may not have, and the rule is every font embedded).
        drawing.initialFontName = typeface.REGULAR
        drawing.add(
            String(
                width / 2,
                height + 8 * mm,
                title,
                fontName=typeface.BOLD,
                fontSize=10,
                textAnchor="middle",
            )
        )
        chart = VerticalBarChart()
        chart.x, chart.y = 12 * mm, 12 * mm
        chart.width, chart.height = width - 16 * mm, height - 6 * mm
        chart.data = [values]
        step = max(1, math.ceil(len(names) / 31))
        chart.categoryAxis.categoryNames = [name if i % step == 0 else "" for i, name in enumerate(names)]
        chart.categoryAxis.labels.fontName = typeface.REGULAR
        chart.categoryAxis.labels.fontSize = 6.5
        chart.categoryAxis.labels.angle = 90
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dy = -2
        if chart.width / max(1, len(values)) < chart.categoryAxis.labels.fontSize + 2:
            # Narrow days: the ticks between them would run through the upright labels (a
            # two-month range, dated dd/mm/yy, read "01/12/2_5_"); the bars mark the days.
            chart.categoryAxis.visibleTicks = 0
        chart.valueAxis.labels.fontName = typeface.REGULAR
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        top_value = max(values) if values else 0
        chart.valueAxis.valueMax = max(5, top_value + max(1, math.ceil(top_value * 0.1)))
        chart.valueAxis.valueStep = _nice_step(chart.valueAxis.valueMax)
        chart.bars[0].fillColor = colors.Color(0.35, 0.35, 0.35)
        chart.bars[0].strokeColor = None
        chart.barSpacing = 0.5
        if len(values) <= 31:
            chart.barLabelFormat = "%d"
            chart.barLabels.fontName = typeface.REGULAR
            chart.barLabels.fontSize = 6.5
            chart.barLabels.nudge = 5
        chart.groupSpacing = 2 if len(values) < 40 else 0.5
        drawing.add(chart)
        renderPDF.draw(drawing, self.canv, x, top - drawing.height)
        return top - drawing.height


CHART_DAYS_MAX = 92
"""The longest range charted day by day (a quarter); longer ones by month, then by year."""
CHART_MONTHS_MAX = 48


def _chart_bars(first: date, last: date, per_day: list[tuple[str, int]]) -> tuple[str, list[str], list[int]]:
    """The chart's title, bar names and values: a bar a day over a quarter at most, else a bar a
    month over four years at most, else a bar a year (an 11-year range drew 4,000 bars that ran
    off the chart, dated without their year). Days named with their year when the range spans two."""
    counts = dict(per_day)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    if len(days) <= CHART_DAYS_MAX:
        shape = "%d/%m" if first.year == last.year else "%d/%m/%y"
        return (
            wording.SUMMARY_PER_DAY,
            [d.strftime(shape) for d in days],
            [counts.get(d.isoformat(), 0) for d in days],
        )
    months: dict[tuple[int, int], int] = {}
    for d in days:
        months.setdefault((d.year, d.month), 0)
        months[(d.year, d.month)] += counts.get(d.isoformat(), 0)
    if len(months) <= CHART_MONTHS_MAX:
        return (
            wording.SUMMARY_PER_MONTH,
            [f"{m:02d}/{y}" for y, m in months],
            list(months.values()),
        )
    years: dict[int, int] = {}
    for (y, _), n in months.items():
        years[y] = years.get(y, 0) + n
    return wording.SUMMARY_PER_YEAR, [str(y) for y in years], list(years.values())


def _nice_step(top: float) -> float:
    raw = top / 6
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for m in (1, 2, 5, 10):
        if raw <= m * magnitude:
            return max(1, m * magnitude)
    return max(1, 10 * magnitude)


# -- entry point -------------------------------------------------------------------------------------


def default_path(first: date, last: date, statuses: tuple[int, ...] | None) -> Path:
    name = f"logbook_{first.isoformat()}" + ("" if first == last else f"_{last.isoformat()}")
    if statuses:
        name += "_status-" + "-".join(str(s) for s in statuses)
    return output_dir() / f"{name}.pdf"


def paint(
    out: IO[bytes],
    dossiers: Iterable[Dossier],
    *,
    settings: Any,
    first: date,
    last: date,
    statuses: tuple[int, ...] | None,
    now: datetime,
    report: dict[str, Any],
) -> int:
    """Draw the whole logbook into ``out``; returns the number of pages."""
    name = wording.form_name(settings.forms_basis, "logbook")
    canv = layout.canvas_maker(out, pagesize=PAGE, pageCompression=1, lang="vi-VN")
    canv.setTitle(f"{name.title} – {first.isoformat()}" + ("" if first == last else f" – {last.isoformat()}"))
    canv.setAuthor(settings.agency_name)
    canv.setSubject(name.line)
    canv.setCreator("Counter")
    painter = LogbookPainter(canv, settings=settings, first=first, last=last, statuses=statuses, now=now)
    for dossier in dossiers:
        painter.add(dossier)
    pages = painter.finish(report)
    canv.save()
    return pages


def render_logbook(
    desk: Any,
    first: date,
    last: date,
    out: Path | None = None,
    statuses: tuple[int, ...] | None = None,
    *,
    actor: str = "",
) -> Path:
    """Render the logbook of dossiers received from ``first`` to ``last`` (inclusive).

    Args:
        desk: The open desk.
        first: First day (Vietnam date).
        last: Last day (Vietnam date); equal to ``first`` for a daily logbook.
        out: The PDF file; default ``<output folder>/logbook_<first>[_<last>].pdf``.
        statuses: Only dossiers in these national statuses (None: all).
        actor: The official printing, for the access log ("" records "unknown").

    Returns:
        The path of the PDF written (mode 0600).

    Raises:
        ValidationError: ``last`` before ``first``, or an unknown status.
        PrintingError: the PDF cannot be written.
    """
    if last < first:
        raise ValidationError(FieldError("to", wording.ERR_RANGE))
    if statuses:
        bad = [s for s in statuses if not 1 <= int(s) <= 10]
        if bad:
            raise ValidationError(FieldError("status", wording.ERR_STATUS.format(status=bad[0])))
        statuses = tuple(sorted(set(int(s) for s in statuses)))
    settings = desk.settings
    now = desk.now()
    report = desk.period_report(first, last)
    target = Path(out) if out is not None else default_path(first, last, statuses)

    def produce(fh: IO[bytes]) -> None:
        paint(
            fh,
            _stream(desk, first, last, statuses),
            settings=settings,
            first=first,
            last=last,
            statuses=statuses,
            now=now,
            report=report,
        )

    try:
        layout.write_pdf(target, produce)
    except PrintingError:
        raise
    except Exception as exc:  # a layout failure: tell the official, keep the details in the log
        raise PrintingError(wording.ERR_RENDER.format(form="logbook", code=f"{first}..{last}")) from exc
    # the logbook shows many people's data: one access-log line for the whole of it
    desk.record_report_print(actor, f"logbook {first}..{last}")
    return target


def _stream(desk: Any, first: date, last: date, statuses: tuple[int, ...] | None) -> Iterator[Dossier]:
    yield from desk.iter_logbook(first, last, statuses)
