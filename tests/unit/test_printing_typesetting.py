"""Line wrapping never loses a character and never runs past its width, whatever the text; and the
Vietnamese date and money wording of the forms."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.domain.calendar import VN_TZ
from printing import layout, typeface, wording
from printing.typesetting import measure, wrap, wrap_runs
from tests.unit.test_printing_support import VIETNAMESE_LETTERS

FONT = typeface.register()
ALPHABET = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper() + "0123456789 .,-/@()\n"


def squeeze(text: str) -> str:
    return "".join(text.split())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=300), st.floats(min_value=12, max_value=400))
def test_wrap_keeps_every_character_within_the_width(text: str, width: float) -> None:
    lines = wrap(text, FONT, 8, width)
    assert squeeze("".join(lines)) == squeeze(text)
    for line in lines:
        assert measure(line, FONT, 8) <= width + 1e-6 or len(line) == 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=ALPHABET, max_size=80), st.sampled_from([typeface.REGULAR, typeface.BOLD])
        ),
        max_size=4,
    ),
    st.floats(min_value=12, max_value=400),
)
def test_wrap_runs_keeps_every_character_within_the_width(runs: list[tuple[str, str]], width: float) -> None:
    lines = wrap_runs(runs, 10, width)
    assert squeeze("".join(t for line in lines for t, _ in line)) == squeeze("".join(t for t, _ in runs))
    for line in lines:
        w = sum(measure(t, f, 10) for t, f in line)
        assert w <= width + 1e-6 or sum(len(t) for t, _ in line) == 1


def test_label_and_bold_value_keep_their_space() -> None:
    lines = wrap_runs(
        [("Mã hồ sơ: ", typeface.REGULAR), ("000.00.11.H26-261125-2001", typeface.BOLD)], 12, 500
    )
    assert lines == [[("Mã hồ sơ: ", typeface.REGULAR), ("000.00.11.H26-261125-2001", typeface.BOLD)]]


def test_a_code_breaks_after_its_hyphens() -> None:
    assert wrap("000.00.11.H26-261125-2001", FONT, 8, 62) == ["000.00.11.H26-", "261125-2001"]


def test_vietnamese_dates_and_sums() -> None:
    at = datetime(2026, 3, 5, 7, 5, tzinfo=VN_TZ)
    assert wording.long_time(at) == "07 giờ 05 phút, ngày 05 tháng 03 năm 2026"
    assert wording.dateline("xã Vĩnh Bảo", date(2026, 1, 2)) == "Xã Vĩnh Bảo, ngày 02 tháng 01 năm 2026"
    assert wording.short_time(at) == "07:05 05/03/2026"
    assert wording.money(1250000) == "1.250.000 đồng"
    assert wording.fee(0, "") == "Không"
    assert wording.fee(8000, "8.000 đồng/bản sao") == "8.000 đồng/bản sao"
    assert wording.fee(8000, "8.000 đồng/bản sao; miễn cho hộ nghèo") == "8.000 đồng/bản sao"
    assert wording.fee(2000, "12.000 đồng") == "2.000 đồng (12.000 đồng)"
    assert wording.fee(50000, "Theo Nghị quyết") == "50.000 đồng (Theo Nghị quyết)"
    assert wording.weekday(date(2026, 11, 25)) == "Thứ Tư"


def test_a_non_breaking_space_keeps_a_phrase_on_one_line() -> None:
    # The header's agency broke as "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH" / "CÔNG XÃ VĨNH BẢO".
    font = typeface.register()
    name = layout._keep_phrases("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ VĨNH BẢO")
    width = measure("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH", font, 11) + 1
    plain = wrap("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ VĨNH BẢO", font, 11, width)
    assert plain[0] == "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH"  # where it broke
    kept = [line.replace("\u00a0", " ") for line in wrap(name, font, 11, width)]
    assert kept == ["TRUNG TÂM PHỤC VỤ", "HÀNH CHÍNH CÔNG XÃ VĨNH BẢO"]
    runs = wrap_runs([(name, font)], 11, width)
    assert ["".join(text for text, _ in line).replace("\u00a0", " ") for line in runs] == kept
