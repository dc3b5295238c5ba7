"""Helpers shared by the printing tests (PDF text, page images, barcodes, fake CUPS programs), and a
check that the real decoder reads what the helpers feed it.

Everything here is real: PDFs are parsed back with pypdf/pdfplumber, pages rendered with pypdfium2
and barcodes read with zxing-cpp. Only CUPS is replaced, by small shell scripts on PATH (an external
program, not our code).
"""

from __future__ import annotations

import re
import stat
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf
import pypdfium2
import pytest
import zxingcpp
from PIL import Image

VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
"""Every letter of the Vietnamese alphabet with every tone mark (NFC), lower case."""


def words(text: str) -> str:
    """Whitespace collapsed: what survives line wrapping."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_text(path: Path, pages: slice | None = None) -> str:
    """All the text of a PDF (pypdf), pages joined, whitespace collapsed."""
    reader = pypdf.PdfReader(str(path))
    chosen = reader.pages[pages] if pages is not None else reader.pages
    return words("\n".join(page.extract_text() or "" for page in chosen))


def pdfium_text(path: Path) -> str:
    """All the text of a PDF read by pdfium (much faster than pypdf on hundreds of pages)."""
    doc = pypdfium2.PdfDocument(str(path))
    try:
        return words("\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))))
    finally:
        doc.close()


def page_count(path: Path) -> int:
    return len(pypdf.PdfReader(str(path)).pages)


def page_words(path: Path, index: int = 0) -> list[dict[str, Any]]:
    """Words with positions (pdfplumber, top-down coordinates) of one page."""
    with pdfplumber.open(str(path)) as pdf:
        return pdf.pages[index].extract_words(keep_blank_chars=False, use_text_flow=True)


def region_text(
    path: Path, index: int, x0: float, x1: float, top: float = 0, bottom: float | None = None
) -> str:
    """Text inside a vertical band of one page (pdfplumber crop), whitespace collapsed."""
    with pdfplumber.open(str(path)) as pdf:
        page = pdf.pages[index]
        box = (x0, top, x1, bottom if bottom is not None else page.height)
        return words(page.within_bbox(box).extract_text() or "")


def chars_inside_pages(path: Path) -> None:
    """Assert every glyph lies inside its page (nothing overflows the paper)."""
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            for ch in page.chars:
                assert ch["x0"] >= 0 and ch["x1"] <= page.width + 0.5, ch
                assert ch["top"] >= 0 and ch["bottom"] <= page.height + 0.5, ch


def render_page(path: Path, index: int = 0, dpi: int = 150) -> Image.Image:
    """One page as a greyscale image, as an office scanner or printer would see it."""
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return pdf[index].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        pdf.close()


def decode(image: Image.Image) -> dict[str, str]:
    """Barcodes found by zxing-cpp: format name -> text."""
    return {r.format.name: r.text for r in zxingcpp.read_barcodes(image)}


def embedded_fonts(path: Path) -> list[tuple[str, bool]]:
    """(BaseFont, has an embedded TrueType file) of every font used by the pages."""
    reader = pypdf.PdfReader(str(path))
    found: dict[str, bool] = {}

    def visit(resources: Any) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        fonts = resources.get("/Font")
        if fonts is not None:
            for ref in fonts.get_object().values():
                font = ref.get_object()
                descendants = font.get("/DescendantFonts")
                target = descendants[0].get_object() if descendants else font
                descriptor = target.get("/FontDescriptor")
                embedded = bool(descriptor and "/FontFile2" in descriptor.get_object())
                found[str(font.get("/BaseFont"))] = embedded
        xobjects = resources.get("/XObject")
        if xobjects is not None:
            for ref in xobjects.get_object().values():
                xobject = ref.get_object()
                if xobject.get("/Subtype") == "/Form":
                    visit(xobject.get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return sorted(found.items())


def file_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- fake CUPS ---------------------------------------------------------------------------------------


def fake_cups(
    folder: Path,
    *,
    lp: str | None = None,
    lpstat: str | None = None,
) -> Path:
    """Write fake ``lp`` / ``lpstat`` shell scripts into ``folder`` (absolute tool paths inside, so
    PATH may hold this folder alone); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in (("lp", lp), ("lpstat", lpstat)):
        if body is None:
            continue
        script = folder / name
        script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
        script.chmod(0o755)
    return folder


LP_COPIES = """\
# Record the arguments and copy the file (the last argument) into $LP_SPOOL, like CUPS would.
for last; do :; done
/bin/cp "$last" "$LP_SPOOL/job.pdf"
echo "$@" > "$LP_SPOOL/args.txt"
echo "request id is Quay2-42 (1 file(s))"
exit 0"""
LP_FAILS = """\
echo "lp: Error - The printer or class is not shared." >&2
exit 1"""
LP_UNKNOWN = """\
echo "lp: The printer or class does not exist." >&2
exit 1"""
LPSTAT_IDLE = 'echo "printer $2 is idle.  enabled since Wed 25 Nov 2026 09:00:00"'
LPSTAT_STOPPED = """\
echo "printer $2 disabled since Wed 25 Nov 2026 09:00:00 -"
echo "	Paused" """
LPSTAT_UNKNOWN = """\
echo "lpstat: Invalid destination name in list \\"$2\\"." >&2
exit 1"""


def make_spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder the fake lp copies jobs into ($LP_SPOOL)."""
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setenv("LP_SPOOL", str(folder))
    return folder


def pdf_files(folder: Path) -> Iterator[Path]:
    return iter(sorted(p for p in folder.rglob("*.pdf") if not p.name.startswith(".tmp-")))


CODE_RE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.H\d{2}-\d{6}-\d{4,5}")


# -- many dossiers -----------------------------------------------------------------------------------

SHORT_PROCEDURES = ("1.001193", "1.000656", "2.000815", "1.010041")
NAMES = ("Đặng Thị Hoà", "Nguyễn Văn Ấn", "Trần Thị Ỷ Lan", "Lê Hoàng Ửng", "Phạm Đức Thắng")


def seed(desk: Any, count: int, first_day: Any, days: int) -> list[str]:
    """Receive ``count`` dossiers spread evenly over ``days`` days from ``first_day`` (before the
    desk's clock), through the desk, in one transaction; returns their codes in receipt order."""
    from datetime import datetime, timedelta

    from counter_app.domain.calendar import VN_TZ

    codes: list[str] = []
    per_day = -(-count // days)
    with desk.store.transaction():
        for i in range(count):
            day = first_day + timedelta(days=i // per_day)
            at = datetime(day.year, day.month, day.day, 7, 0, tzinfo=VN_TZ) + timedelta(
                seconds=(i % per_day) * (9 * 3600 // per_day)
            )
            d = desk.receive(
                {
                    "procedure": SHORT_PROCEDURES[i % len(SHORT_PROCEDURES)],
                    "received_at": at.isoformat(),
                    "applicant": {
                        "name": NAMES[i % len(NAMES)],
                        "id_number": "031190001234",
                        "phone": "0912345678",
                        "address": "Thôn Đông, xã Vĩnh Bảo",
                    },
                },
                "seed",
            )
            codes.append(d.code)
    return codes


# -- the decoder itself ------------------------------------------------------------------------------


def test_decoder_reads_a_code128_drawn_by_our_layout(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from printing.layout import Code128Bars

    path = tmp_path / "bars.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    bars = Code128Bars("000.17.22.H56-210531-0001")
    bars.wrapOn(canvas, 500, 200)
    bars.drawOn(canvas, 101.3, 600)  # an arbitrary offset: the bars snap to the module grid
    canvas.save()
    assert decode(render_page(path, dpi=150)) == {"Code128": "000.17.22.H56-210531-0001"}
    assert decode(render_page(path, dpi=300)) == {"Code128": "000.17.22.H56-210531-0001"}
