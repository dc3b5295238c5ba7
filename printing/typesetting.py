"""Setting text in lines: measuring, wrapping, and a light flowable for the forms.

reportlab's Paragraph parses markup and re-breaks its lines at every measurement; a form has some
forty short texts, and a logbook hundreds of thousands of cells. Here a text is a list of runs
(text, face) — enough for "Label: **value**" — wrapped at spaces with cached word widths. A word
longer than a line (a dossier code, an e-mail address) breaks after ``-``, ``/``, ``.`` or ``,``
when it can, else between letters: text is never cut off and never runs out of its box.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from printing import typeface

_BREAK_AFTER = re.compile(r"[^-/.,]*[-/.,]?")
_WIDTHS: dict[tuple[str, str, float], float] = {}
_WIDTHS_MAX = 200_000

Run = tuple[str, str]
"""(text, face)."""
Line = list[Run]


def measure(text: str, font: str, size: float) -> float:
    """Width of ``text`` in points, cached: forms repeat the same few thousand syllables."""
    key = (text, font, size)
    w = _WIDTHS.get(key)
    if w is None:
        if len(_WIDTHS) > _WIDTHS_MAX:  # bounded: a long-running counter must not grow it forever
            _WIDTHS.clear()
        w = _WIDTHS[key] = typeface.width(text, font, size)
    return w


def break_word(word: str, font: str, size: float, width: float) -> list[str]:
    """Pieces of a word too long for a line, each at most ``width`` wide."""
    parts = [p for p in _BREAK_AFTER.findall(word) if p]
    pieces: list[str] = []
    current = ""
    for part in parts:
        if typeface.width(current + part, font, size) <= width:
            current += part
            continue
        if current:
            pieces.append(current)
        current = ""
        for ch in part:  # a part still too long: break between letters
            if current and typeface.width(current + ch, font, size) > width:
                pieces.append(current)
                current = ""
            current += ch
    if current:
        pieces.append(current)
    return pieces


_BREAKS = re.compile(r"[^\S\u00a0\u202f]+")
"""Where a line may break: any white space but the non-breaking ones (which join a fixed phrase)."""


def words(paragraph: str) -> list[str]:
    """The words of a paragraph, a non-breaking space keeping its neighbours as one."""
    return [w for w in _BREAKS.split(paragraph) if w]


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of one-face ``text`` no wider than ``width`` points (``\\n`` forces a break).

    The logbook's fast path: the same result as :func:`wrap_runs` with one run.
    """
    space = measure(" ", font, size)
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line, line_w = "", 0.0
        for word in words(paragraph):
            w = measure(word, font, size)
            if w > width:
                if line:
                    lines.append(line)
                pieces = break_word(word, font, size, width)
                lines.extend(pieces[:-1])
                line, line_w = pieces[-1], measure(pieces[-1], font, size)
            elif not line:
                line, line_w = word, w
            elif line_w + space + w <= width:
                line += " " + word
                line_w += space + w
            else:
                lines.append(line)
                line, line_w = word, w
        if line:
            lines.append(line)
    return lines


def wrap_runs(runs: Sequence[Run], size: float, width: float) -> list[Line]:
    """Lines of runs no wider than ``width`` points; never drops a character."""
    lines: list[Line] = []
    line: Line = []
    line_w = 0.0
    pending_space = False  # a space between the last word and the next, in the last word's face

    def push(word: str, font: str, w: float) -> None:
        nonlocal line, line_w, pending_space
        space = measure(" ", font, size) if (line and pending_space) else 0.0
        if line and line_w + space + w > width:
            lines.append(line)
            line, line_w, space = [], 0.0, 0.0
        if space:
            _append(line, " ", line[-1][1])
        _append(line, word, font)
        line_w += space + w
        pending_space = False

    for text, font in runs:
        paragraphs = str(text).split("\n")
        for i, paragraph in enumerate(paragraphs):
            if i:  # forced line break
                lines.append(line)
                line, line_w, pending_space = [], 0.0, False
            if paragraph[:1].isspace():
                pending_space = True
            for word in words(paragraph):
                w = measure(word, font, size)
                if w > width:
                    for piece in break_word(word, font, size, width):
                        push(piece, font, measure(piece, font, size))
                else:
                    push(word, font, w)
                pending_space = True
            if paragraph and not paragraph[-1:].isspace():
                pending_space = False
    if line:
        lines.append(line)
    return lines


def _append(line: Line, text: str, font: str) -> None:
    if line and line[-1][1] == font:
        line[-1] = (line[-1][0] + text, font)
    else:
        line.append((text, font))


def line_width(line: Line, size: float) -> float:
    return sum(measure(t, f, size) for t, f in line)


class Text(Flowable):
    """A block of wrapped text in one style; runs may switch face (regular / bold / italic).

    Behaves as a platypus flowable: it takes the width it is given, and splits between lines at
    a page end. Alignment, size, leading, indents and spacing come from a ParagraphStyle.
    """

    def __init__(
        self, runs: Sequence[Run] | str, style: ParagraphStyle, *, lines: list[Line] | None = None
    ) -> None:
        super().__init__()
        self.runs: list[Run] = [(runs, style.fontName)] if isinstance(runs, str) else list(runs)
        self.style = style
        self._lines = lines
        self._fixed = lines is not None
        """The part of a split text: its lines are set, whatever the width."""
        self._wrapped_for: float | None = None
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter

    def _layout(self, width: float) -> list[Line]:
        if self._fixed and self._lines is not None:
            return self._lines
        if self._lines is None or self._wrapped_for != width:
            inner = width - self.style.leftIndent - self.style.rightIndent
            self._lines = wrap_runs(self.runs, self.style.fontSize, max(inner, 1.0))
            self._wrapped_for = width
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        lines = self._layout(availWidth)
        self.width = availWidth
        self.height = len(lines) * self.style.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        # A table splitting a row across pages passes the column's whole width, padding included
        # (reportlab's _splitCell), where it wrapped the cell inside the padding: the lines of the
        # parts ran over the cell's border. The narrower width the text was laid out for holds.
        if self._wrapped_for is not None and not self._fixed:
            availWidth = min(availWidth, self._wrapped_for)  # noqa: N806
        lines = self._layout(availWidth)
        fits = int(availHeight // self.style.leading)
        if fits <= 0 or fits >= len(lines):
            return []
        return [
            Text(self.runs, self.style, lines=lines[:fits]),
            Text(self.runs, self.style, lines=lines[fits:]),
        ]

    def draw(self) -> None:
        s = self.style
        size = s.fontSize
        canv = self.canv
        tx = canv.beginText()
        tx.setFillColor(s.textColor)
        y = self.height - size
        face = None
        for line in self._lines or []:
            if s.alignment == TA_CENTER:
                x = s.leftIndent + (self.width - s.leftIndent - s.rightIndent - line_width(line, size)) / 2
            elif s.alignment == TA_RIGHT:
                x = self.width - s.rightIndent - line_width(line, size)
            else:
                x = s.leftIndent
            tx.setTextOrigin(x, y)
            for text, font in line:
                if font != face:
                    tx.setFont(font, size)
                    face = font
                tx.textOut(text)
            y -= s.leading
        canv.drawText(tx)

    def plain(self) -> str:
        """The text as printed (for tests and debugging)."""
        return "".join(t for t, _ in self.runs)


def runs_of(*parts: tuple[str, str] | str, default: str) -> list[Run]:
    """Runs from plain strings (in ``default``) and (text, face) pairs."""
    return [(p, default) if isinstance(p, str) else p for p in parts]
