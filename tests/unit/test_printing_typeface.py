"""The characters the domain lets through are the ones the forms' typeface prints."""

from __future__ import annotations

from importlib import resources

from reportlab.pdfbase.ttfonts import TTFontFile

from counter_app.domain.printable import PRINTABLE_RANGES
from counter_app.domain.validation import check_text


def test_the_printable_ranges_are_the_typeface_s_own() -> None:
    """Every face has a glyph for each code point of the ranges, and none for any other (controls
    aside): a new font, or a new face, fails here until the ranges are made again from it."""
    faces = resources.files("printing").joinpath("fonts")
    covered: set[int] | None = None
    for face in ("Regular", "Bold", "Italic", "BoldItalic"):
        with resources.as_file(faces.joinpath(f"LiberationSerif-{face}.ttf")) as path:
            glyphs = set(TTFontFile(str(path)).charToGlyph)
        covered = glyphs if covered is None else covered & glyphs
    assert covered is not None
    printable = {c for first, last in PRINTABLE_RANGES for c in range(first, last + 1)}
    assert printable == {c for c in covered if c >= 0x20 and not 0x7F <= c <= 0x9F}


def test_a_name_in_a_script_the_forms_cannot_print_is_refused_and_said() -> None:
    for name, shown in (("สมชาย", "ส"), ("Thạch 王小明", "王"), ("Sô Phia ស", "ស")):
        error = check_text(name, label="Họ và tên", required=True, max_len=100).error
        assert error is not None and f"«{shown}»" in error and "chữ Quốc ngữ" in error
    for name in ("Đặng Thị Hoà", "Thạch Thị Sô Phia", "Nguyễn “An” – số 5/2", "Ivan Иванов", "Ngõ 12 → trái"):
        assert check_text(name, label="Họ và tên", required=True, max_len=100).error is None, name
