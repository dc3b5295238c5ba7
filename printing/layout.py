"""The look shared by every form: paper, type sizes, the official header, signature blocks, the
Code 128 barcode and the QR code, and writing a PDF file safely.

Nothing here knows a dossier: :mod:`printing.forms` and :mod:`printing.logbook` compose these parts.
Text is escaped before it goes into Paragraph markup, and long text always wraps (Paragraph with
``splitLongWords``), so a very long name or address grows its cell instead of being cut off.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from barcode import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from counter_app.domain.errors import PrintingError
from counter_app.store.database import explain
from printing import typeface, wording
from printing.typesetting import Text, runs_of

PAPERS = {"A4": A4, "A5": A5}


@dataclass(frozen=True)
class Theme:
    """Paper, margins and type sizes of one paper size."""

    paper: str
    page: tuple[float, float]
    left: float
    right: float
    top: float
    bottom: float
    size: float
    """Body text size in points."""

    @property
    def frame_width(self) -> float:
        return self.page[0] - self.left - self.right

    @property
    def leading(self) -> float:
        return round(self.size * (1.28 if self.paper == "A4" else 1.22), 1)

    def style(self, name: str) -> ParagraphStyle:
        return _styles(self)[name]


def theme(paper: str) -> Theme:
    """The theme of A4 (the default) or A5 (a smaller receipt).

    Raises:
        PrintingError: any other paper.
    """
    if paper == "A4":
        return Theme("A4", A4, 20 * mm, 15 * mm, 12 * mm, 14 * mm, 12)
    if paper == "A5":
        return Theme("A5", A5, 11 * mm, 9 * mm, 8 * mm, 8 * mm, 9)
    raise PrintingError(wording.ERR_PAPER)


_STYLE_CACHE: dict[str, dict[str, ParagraphStyle]] = {}


def _styles(t: Theme) -> dict[str, ParagraphStyle]:
    cached = _STYLE_CACHE.get(t.paper)
    if cached is not None:
        return cached
    regular = typeface.register()
    s, lead = t.size, t.leading
    base = ParagraphStyle(
        "body",
        fontName=regular,
        fontSize=s,
        leading=lead,
        alignment=TA_LEFT,
        spaceAfter=s * 0.25,
    )
    styles = {
        "body": base,
        "indent": ParagraphStyle("indent", parent=base, leftIndent=s * 1.5),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER, spaceAfter=0),
        "center_bold": ParagraphStyle(
            "center_bold", parent=base, alignment=TA_CENTER, fontName=typeface.BOLD, spaceAfter=0
        ),
        "center_italic": ParagraphStyle(
            "center_italic", parent=base, alignment=TA_CENTER, fontName=typeface.ITALIC, spaceAfter=0
        ),
        "header": ParagraphStyle(
            "header", parent=base, alignment=TA_CENTER, fontSize=s - 0.5, leading=lead - 1, spaceAfter=0
        ),
        "header_bold": ParagraphStyle(
            "header_bold",
            parent=base,
            alignment=TA_CENTER,
            fontName=typeface.BOLD,
            fontSize=s - 0.5,
            leading=lead - 1,
            spaceAfter=0,
        ),
        "form_line": ParagraphStyle(
            "form_line",
            parent=base,
            alignment=TA_RIGHT,
            fontName=typeface.ITALIC,
            fontSize=s - 3,
            leading=s - 1.5,
            spaceAfter=s * 0.3,
        ),
        "title": ParagraphStyle(
            "title",
            parent=base,
            alignment=TA_CENTER,
            fontName=typeface.BOLD,
            fontSize=s + 2,
            leading=s + 5,
            spaceBefore=s * 0.9,
            spaceAfter=s * 0.5,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=s - 1, leading=lead - 1.2, spaceAfter=0),
        "cell_center": ParagraphStyle(
            "cell_center",
            parent=base,
            fontSize=s - 1,
            leading=lead - 1.2,
            spaceAfter=0,
            alignment=TA_CENTER,
        ),
        "cell_head": ParagraphStyle(
            "cell_head",
            parent=base,
            fontName=typeface.BOLD,
            fontSize=s - 1,
            leading=lead - 1.2,
            alignment=TA_CENTER,
            spaceAfter=0,
        ),
        "bold": ParagraphStyle("bold", parent=base, fontName=typeface.BOLD),
        "indent_italic": ParagraphStyle(
            "indent_italic", parent=base, leftIndent=s * 1.5, fontName=typeface.ITALIC
        ),
        "small": ParagraphStyle("small", parent=base, fontSize=s - 2.5, leading=s - 0.5, spaceAfter=0),
        "small_italic": ParagraphStyle(
            "small_italic",
            parent=base,
            fontSize=s - 2.5,
            leading=s - 0.5,
            spaceAfter=0,
            fontName=typeface.ITALIC,
        ),
        "small_center": ParagraphStyle(
            "small_center",
            parent=base,
            fontSize=s - 2.5,
            leading=s - 0.5,
            spaceAfter=0,
            alignment=TA_CENTER,
        ),
    }
    _STYLE_CACHE[t.paper] = styles
    return styles


def table_style(commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    """A TableStyle whose plain-text cells use our font (reportlab's default is Helvetica, which
    is not embedded and has no Vietnamese letters)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), typeface.register()), *commands])


def para(value: object, t: Theme, style: str = "body") -> Text:
    """Plain text in one style (its face), wrapped; ``\n`` breaks the line."""
    return Text(str(value), t.style(style))


def rich(runs: Sequence[tuple[str, str] | str], t: Theme, style: str = "body") -> Text:
    """Text whose runs switch face: plain strings in the style's face, (text, face) pairs as given."""
    chosen = t.style(style)
    return Text(runs_of(*runs, default=chosen.fontName), chosen)


def field(label: str, value: object, t: Theme, *, bold: bool = False, style: str = "body") -> Text:
    """``Label: value`` wrapping as one paragraph; the value in bold when asked."""
    chosen = t.style(style)
    face = typeface.BOLD if bold else chosen.fontName
    return Text([(f"{label}: ", chosen.fontName), (str(value), face)], chosen)


class Rule(Flowable):
    """A short centred line, as under the agency name and the national motto."""

    def __init__(self, length: float, thickness: float = 0.7) -> None:
        super().__init__()
        self.length = length
        self.thickness = thickness
        self._avail = length

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._avail = availWidth
        return availWidth, 3

    def draw(self) -> None:
        x = (self._avail - self.length) / 2
        self.canv.setLineWidth(self.thickness)
        self.canv.line(x, 1.5, x + self.length, 1.5)


_UNBROKEN = ("HÀNH CHÍNH CÔNG", "ỦY BAN NHÂN DÂN", "PHỤC VỤ")
"""Phrases of agency names a header line never breaks inside ("HÀNH CHÍNH / CÔNG XÃ …" read as
two things)."""


def _keep_phrases(name: str) -> str:
    """The name with its fixed phrases joined by non-breaking spaces, so lines break between them."""
    for phrase in _UNBROKEN:
        name = name.replace(phrase, phrase.replace(" ", "\u00a0"))
    return name


def header(
    t: Theme,
    *,
    superior: str,
    agency: str,
    place: str,
    day: Any,
    form_line: str,
    width: float | None = None,
) -> list[Flowable]:
    """The official header: form line; the agency under its superior (upper case) top left; the
    national name and motto top right, with "<place>, ngày dd tháng mm năm yyyy" under them.

    Args:
        superior: The agency's direct superior (cơ quan chủ quản trực tiếp, Decree 30/2020): for a
            commune's centre, the commune's People's Committee, which is also its deciding agency.
    """
    width = width or t.frame_width
    left_w, right_w = width * 0.44, width * 0.56
    left: list[Flowable] = []
    if superior.strip():
        left.append(para(_keep_phrases(superior.upper()), t, "header"))
    left.append(para(_keep_phrases(agency.upper()), t, "header_bold"))
    left.append(Rule(min(left_w * 0.4, 40 * mm)))
    motto_size = t.style("header_bold").fontSize
    right: list[Flowable] = [
        para(wording.NATION, t, "header_bold"),
        para(wording.MOTTO, t, "header_bold"),
        Rule(typeface.width(wording.MOTTO, typeface.BOLD, motto_size)),
        Spacer(1, t.size * 0.35),
        para(wording.dateline(place, day), t, "center_italic"),
    ]
    table = Table([[left, right]], colWidths=[left_w, right_w])
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story: list[Flowable] = []
    if form_line:
        story.append(para(form_line, t, "form_line"))
    story.append(table)
    return story


def title(t: Theme, value: str) -> Text:
    """The bold upper-case title of a form."""
    return para(value.upper(), t, "title")


def signatures(
    t: Theme,
    blocks: Sequence[tuple[str, str, str]],
    space: float | None = None,
    *,
    after: Sequence[Flowable] = (),
) -> Flowable:
    """Signature blocks side by side: (TITLE, hint, printed name or "") each; kept on one page
    together with ``after``, the closing lines they confirm, so a signature never stands alone at
    the top of a page.

    The lines go into the same KeepTogether rather than an outer one: reportlab measures a nested
    KeepTogether as infinitely tall, which would push the whole block to a page of its own.
    """
    return KeepTogether([*after, Spacer(1, t.size * 0.6), signature_table(t, blocks, space)])


def signature_table(
    t: Theme, blocks: Sequence[tuple[str, str, str]], space: float | None = None, width: float | None = None
) -> Table:
    """The table of :func:`signatures`, ``width`` wide (default: the frame)."""
    width = width or t.frame_width
    space = space if space is not None else (24 * mm if t.paper == "A4" else 13 * mm)
    cells = []
    for heading, hint, name in blocks:
        cells.append(
            [
                para(heading, t, "center_bold"),
                para(hint, t, "center_italic"),
                Spacer(1, space),
                para(name, t, "center_bold"),
            ]
        )
    n = len(cells)
    if n == 1:  # one block stands on the right, as the signer's block does on official papers
        cells = [[], cells[0]]
        n = 2
    table = Table([cells], colWidths=[width / n] * n)
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


GRID = colors.black
HEAD_FILL = colors.Color(0.93, 0.93, 0.93)


def grid_table(
    rows: list[list[Any]],
    widths: Sequence[float],
    *,
    header_rows: int = 1,
    extra: Sequence[tuple[Any, ...]] = (),
    split_in_row: bool = False,
) -> Table:
    """A ruled table whose first rows repeat on every page it spans; with ``split_in_row`` a row
    taller than what is left of a page is split between its lines."""
    table = Table(rows, colWidths=list(widths), repeatRows=header_rows, splitInRow=int(split_in_row))
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_FILL))
    commands.extend(extra)
    table.setStyle(table_style(commands))
    return table


def documents_table(t: Theme, items: Sequence[Any]) -> Table:
    """TT | Thành phần hồ sơ | Số lượng: Bản chính / Bản chứng thực / Bản photo."""
    w = t.frame_width
    count_w = 21 * mm if t.paper == "A4" else 15 * mm
    no_w = 9 * mm if t.paper == "A4" else 7 * mm
    widths = [no_w, w - no_w - 3 * count_w, count_w, count_w, count_w]
    head = lambda s: para(s, t, "cell_head")  # noqa: E731
    rows: list[list[Any]] = [
        [head(wording.DOCS_NO), head(wording.DOCS_NAME), head(wording.DOCS_COUNT), "", ""],
        ["", "", head(wording.DOCS_ORIGINALS), head(wording.DOCS_CERTIFIED), head(wording.DOCS_COPIES)],
    ]
    spans: list[tuple[Any, ...]] = [
        ("SPAN", (0, 0), (0, 1)),
        ("SPAN", (1, 0), (1, 1)),
        ("SPAN", (2, 0), (4, 0)),
    ]
    for i, item in enumerate(items, 1):
        if not (item.originals or item.certified or item.copies):
            # A paper only shown (the identity card): no copy is handed in. "(xuất trình)" across
            # the three counts, as the dossier screen says, rather than "0 0 0".
            row = len(rows)
            shown = para(wording.DOCS_SHOWN, t, "cell_center")
            rows.append([para(i, t, "cell_center"), para(item.name, t, "cell"), shown, "", ""])
            spans.append(("SPAN", (2, row), (4, row)))
            continue
        rows.append(
            [
                para(i, t, "cell_center"),
                para(item.name, t, "cell"),
                para(item.originals, t, "cell_center"),
                para(item.certified, t, "cell_center"),
                para(item.copies, t, "cell_center"),
            ]
        )
    if not items:  # heads over nothing read as papers left off: say there are none
        rows.append([para(wording.DOCS_NONE, t, "cell_center"), "", "", "", ""])
        spans.append(("SPAN", (0, 2), (4, 2)))
    return grid_table(rows, widths, header_rows=2, extra=spans)


MODULE = 72 / 75
"""Narrowest bar of the barcodes: 1/75 inch, in points."""
NARROW_MODULES = (72 / 100, 72 / 150)
"""Modules for a code too long for the frame at ``MODULE``, widest first (see Code128Bars.wrap)."""


class Code128Bars(Flowable):
    """A Code 128 barcode drawn as vector bars, the code in text under it.

    python-barcode encodes the value (start code, code sets, check symbol, stop); the bars are
    drawn here as filled rectangles so they stay sharp at any printer resolution.

    The module (narrowest bar) is 1/75 inch (0.34 mm): a whole number of dots at 150, 300 and 600
    dpi, and the bars are placed on that grid from the page's left edge, so a page printed or
    scanned at an office resolution has crisp bars of whole dots. A 25-character dossier code is
    then about 10 cm wide.
    """

    def __init__(
        self,
        value: str,
        *,
        module: float = MODULE,
        height: float = 12 * mm,
        quiet: int = 10,
        font_size: float = 10,
        show_text: bool = True,
    ) -> None:
        super().__init__()
        self.value = value
        self.module = module
        self._preferred = module
        self.bar_height = height
        self.quiet = quiet
        self.font_size = font_size
        self.show_text = show_text
        self.modules = Code128(value).build()[0]
        self.hAlign = "CENTER"

    @property
    def bar_width(self) -> float:
        return (len(self.modules) + 2 * self.quiet) * self.module

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # A long code (a pattern may give 60 characters) on A5 ran past the paper's edges at
        # 1/75 inch and no scanner read it: narrower modules of the same dot grid, the widest
        # that fits (1/150 inch is 2 dots at 300 dpi, 0.17 mm, within any counter scanner's reach).
        fitting = [m for m in (self._preferred, *NARROW_MODULES) if m <= self._preferred]
        self.module = next(
            (m for m in fitting if (len(self.modules) + 2 * self.quiet) * m <= availWidth), fitting[-1]
        )
        self.width = self.bar_width
        self.height = self.bar_height + (self.font_size * 1.4 if self.show_text else 0)
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        text_h = self.font_size * 1.4 if self.show_text else 0
        canv.saveState()
        canv.setFillColor(colors.black)
        x0 = self.quiet * self.module
        # Put the bars on the module grid of the page (see the class docstring).
        matrix = getattr(canv, "_currentMatrix", (1, 0, 0, 1, 0, 0))  # reportlab's current CTM
        page_x = matrix[4] + x0
        x0 += (-page_x) % self.module
        for start, run in _runs(self.modules):
            canv.rect(x0 + start * self.module, text_h, run * self.module, self.bar_height, stroke=0, fill=1)
        if self.show_text:
            canv.setFont(typeface.register(), self.font_size)
            canv.drawCentredString(self.bar_width / 2, self.font_size * 0.35, self.value)
        canv.restoreState()


def _runs(modules: str) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules."""
    return [(m.start(), m.end() - m.start()) for m in re.finditer("1+", modules)]


def qr_code(value: str, size: float) -> Drawing:
    """A QR code (error correction M) of ``size`` points square, with the quiet zone of four
    modules the standard asks for (with two, the address beside it came within two modules)."""
    widget = QrCodeWidget(value, barLevel="M", barBorder=4)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    drawing.hAlign = "CENTER"
    return drawing


def canvas_maker(*args: Any, **kwargs: Any) -> Canvas:
    """A reportlab canvas whose initial font is ours, so no page refers to an unembedded base font."""
    if not kwargs.get("initialFontName"):
        kwargs["initialFontName"] = typeface.register()
    return Canvas(*args, **kwargs)


class CountingCanvas(Canvas):
    """A canvas that holds its pages back until the end, so each can be told the page count.

    ``on_page(canvas, n, total)`` runs on every page once the document is complete (the usual
    reportlab recipe: each page's state is kept at ``showPage`` and replayed at ``save``); the forms
    print "Trang n/N" with it, which platypus alone cannot (N is unknown while pages are laid out).
    """

    def __init__(self, *args: Any, on_page: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        if not kwargs.get("initialFontName"):
            kwargs["initialFontName"] = typeface.register()
        super().__init__(*args, **kwargs)
        self._on_page = on_page
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            self._on_page(self, self._pageNumber, total)
            super().showPage()
        super().save()


def counting_canvas_maker(on_page: Callable[[Canvas, int, int], None]) -> Callable[..., Canvas]:
    """A ``canvasmaker`` for ``doc.build`` whose canvases call ``on_page`` (see :class:`CountingCanvas`)."""

    def make(*args: Any, **kwargs: Any) -> Canvas:
        return CountingCanvas(*args, on_page=on_page, **kwargs)

    return make


def running_head_height(t: Theme) -> float:
    """Height of :func:`draw_running_head`'s band (barcode and code) under the top margin."""
    return _running_bars(t, "0").wrap(t.frame_width, t.page[1])[1] + 2.5 * mm


def _running_bars(t: Theme, code: str) -> Code128Bars:
    return Code128Bars(code, height=7 * mm if t.paper == "A4" else 6 * mm, font_size=t.size - 3.5)


def draw_running_head(canv: Canvas, t: Theme, code: str) -> None:
    """The band at the top of a continuation page: the dossier's barcode with its code under it,
    so a loose page still says which dossier it belongs to (and a scanner files it)."""
    bars = _running_bars(t, code)
    w, h = bars.wrap(t.frame_width, t.page[1])
    top = t.page[1] - t.top
    bars.drawOn(canv, t.left + (t.frame_width - w) / 2, top - h)
    canv.saveState()
    canv.setLineWidth(0.4)
    y = top - h - 1.2 * mm
    canv.line(t.left, y, t.left + t.frame_width, y)
    canv.restoreState()


def draw_page_number(canv: Canvas, t: Theme, n: int, total: int) -> None:
    """ "Trang n/N" at the top centre (Decree 30/2020 places the page number there); nothing on a
    one-page form."""
    if total < 2:
        return
    canv.saveState()
    canv.setFont(typeface.register(), t.size - 2)
    # Its baseline at least 7 mm down: on A5 (an 8 mm margin) it sat 3 mm from the edge, where
    # most laser printers print nothing (about 4.2 mm).
    baseline = t.page[1] - max(t.top * 0.6, 7 * mm)
    canv.drawCentredString(t.page[0] / 2, baseline, wording.PAGE_OF.format(n=n, total=total))
    canv.restoreState()


# -- files -------------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")


def safe_name(value: str) -> str:
    """A file-name-safe version of a code or date range."""
    return _UNSAFE.sub("_", value).strip("._") or "form"


def write_pdf(target: Path, produce: Callable[[IO[bytes]], None]) -> Path:
    """Write a PDF atomically with owner-only permissions (0600; it holds personal data).

    The document is produced into a temporary file beside ``target`` and renamed over it, so a
    failure never leaves a half-written PDF where a good one was.

    Raises:
        PrintingError: the folder is missing or not writable, or the disk is full.
    """
    target = Path(target)
    folder = target.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".pdf", dir=folder)
    except OSError as exc:
        raise PrintingError(wording.ERR_WRITE.format(path=target, reason=explain(exc))) from exc
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            produce(fh)
        os.replace(tmp, target)
        os.chmod(target, 0o600)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PrintingError(wording.ERR_WRITE.format(path=target, reason=explain(exc))) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
