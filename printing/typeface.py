"""The typeface of every printed form: Liberation Serif, shipped in ``printing/fonts/``.

reportlab's 14 base fonts have no Vietnamese letters, so the forms embed a TrueType font. Liberation
Serif (SIL Open Font License 1.1, ``fonts/OFL.txt``) covers Vietnamese and has the metrics of Times
New Roman, the typeface of Vietnamese administrative documents (Decree 30/2020/NĐ-CP). reportlab
embeds only the glyphs a document uses (a subset) with a ToUnicode map, so text extracted from the
PDF is the text that was printed, diacritics included.

The files ship inside the package: a fresh machine needs no system font.
"""

from __future__ import annotations

import threading
from importlib import resources

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "CounterSerif"
BOLD = "CounterSerif-Bold"
ITALIC = "CounterSerif-Italic"
BOLD_ITALIC = "CounterSerif-BoldItalic"

_FILES = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}
_lock = threading.Lock()
_registered = False


def register() -> str:
    """Register the family with reportlab (once per process, thread-safe); return its name.

    After this, ``<b>`` and ``<i>`` in Paragraph markup pick the bold and italic faces.
    """
    global _registered
    if _registered:
        return REGULAR
    with _lock:
        if not _registered:
            folder = resources.files("printing").joinpath("fonts")
            for name, file in _FILES.items():
                with resources.as_file(folder.joinpath(file)) as path:
                    pdfmetrics.registerFont(TTFont(name, str(path)))
            addMapping(REGULAR, 0, 0, REGULAR)
            addMapping(REGULAR, 1, 0, BOLD)
            addMapping(REGULAR, 0, 1, ITALIC)
            addMapping(REGULAR, 1, 1, BOLD_ITALIC)
            _registered = True
    return REGULAR


def width(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points in one of the family's faces."""
    return pdfmetrics.stringWidth(text, font, size)
