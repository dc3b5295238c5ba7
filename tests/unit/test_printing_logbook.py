"""The daily logbook (sổ theo dõi hồ sơ): 0, 1 and 5,000 dossiers; every column read back from its
place on the page; day totals, page numbers, the summary and its chart; long text wrapped inside
its cell; the rows streamed, never all in memory."""

from __future__ import annotations

import gc
import re
import weakref
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf
import pypdfium2
import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from counter_app.domain.dossier import Dossier
from counter_app.domain.errors import ValidationError
from printing import logbook, render_logbook
from tests.conftest import FixedClock, intake
from tests.unit.test_printing_support import (
    chars_inside_pages,
    embedded_fonts,
    file_mode,
    page_count,
    pdf_text,
    pdfium_text,
    seed,
    words,
)

DAY = date(2026, 11, 25)
COLUMN_TITLES = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Ngày, tháng, năm",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả cho tổ chức, cá nhân",
    "Ký nhận",
    "Ghi chú",
]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=VN_TZ)


def is_body(ch: dict[str, Any], page_height: float) -> bool:
    """A character of a dossier row: regular face, body size, above the page foot (bands are bold)."""
    return (
        ch["fontname"].endswith("LiberationSerif")
        and abs(ch["size"] - logbook.BODY_SIZE) < 0.01
        and ch["top"] < page_height - logbook.BOTTOM
    )


def body_columns(pdf: Path, page: int = 0) -> list[str]:
    """The text of each column below the column numbers "(1) … (14)" and above the day's total."""
    with pdfplumber.open(str(pdf)) as doc:
        p = doc.pages[page]
        found = p.extract_words()
        heads_bottom = max(w["bottom"] for w in found if w["text"] == "(14)")
        total_top = min((w["top"] for w in found if w["text"] == "Cộng"), default=p.height)
        columns = []
        rows = p.filter(lambda o: o.get("object_type") != "char" or is_body(o, p.height))
        for x0, x1 in zip(logbook.EDGES, logbook.EDGES[1:], strict=False):
            region = rows.within_bbox((x0, heads_bottom + 1, x1, total_top - 1))
            columns.append(region.extract_text() or "")
    return columns


def footers(pdf: Path) -> list[str]:
    """The page-number line of every page (pdfium reads the form XObject in place)."""
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        return [
            doc[i].get_textpage().get_text_bounded(bottom=0, top=logbook.BOTTOM).strip()
            for i in range(len(doc))
        ]
    finally:
        doc.close()


def test_empty_day(desk: Desk, tmp_path: Path) -> None:
    pdf = render_logbook(desk, DAY, DAY, tmp_path / "empty.pdf")
    text = pdf_text(pdf)
    for line in [
        "Mẫu số 07, ban hành kèm theo Thông tư số 03/2025/TT-VPCP ngày 15/9/2025",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ VĨNH BẢO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "SỔ THEO DÕI HỒ SƠ",
        "Ngày 25/11/2026",
        "Quyển số: 2026",
        "Không có hồ sơ nào trong thời gian này.",
        "TỔNG HỢP TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ",
        "Hồ sơ tiếp nhận trong kỳ 0",
        "NGƯỜI LẬP SỔ",
    ]:
        assert line in text, line
    assert footers(pdf) == ["Trang 1/2", "Trang 2/2"]
    for title in COLUMN_TITLES:
        assert title in text, title
    reader = pypdf.PdfReader(str(pdf))
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [842, 595], "landscape A4"
    assert "Số hồ sơ tiếp nhận theo ngày" not in text, "no chart for a single day"
    assert all(embedded for _, embedded in embedded_fonts(pdf))
    assert file_mode(pdf) == 0o600


def test_one_dossier_every_column(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    clock.set(at(25, 15))
    d = desk.receive(
        intake(
            received_at=at(25, 9, 5).isoformat(),
            owner={"name": "Trần Văn Bình"},
            return_method="post",
            sets=2,
        ),
        "cb1",
    )
    desk.transfer(d.code, "cb1", to_agency_name="Công chức Tư pháp - Hộ tịch", at=at(25, 10))
    desk.record_result(d.code, "cb1", at=at(25, 14, 15))
    desk.return_result(d.code, "cb1", at=at(25, 14, 40))
    pdf = render_logbook(desk, DAY, DAY, tmp_path / "one.pdf")
    cols = body_columns(pdf)
    assert words(cols[0]) == "1 Q2"  # entry 1 of counter 2's book
    assert cols[1].replace("\n", "") == d.code
    assert words(cols[2]) == "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân"
    assert words(cols[3]) == "2"
    assert words(cols[4]) == "Đặng Thị Hoà (Chủ hồ sơ: Trần Văn Bình)"
    assert words(cols[5]) == "Thôn Đông, xã Vĩnh Bảo, thành phố Hải Phòng ĐT: 0912345678"
    assert words(cols[6]) == "Ủy ban nhân dân xã Vĩnh Bảo"  # the authority, not the office a transfer named
    due = d.due_at
    assert words(cols[7]) == "09:05 25/11/2026"
    assert words(cols[8]) == f"{due:%H:%M %d/%m/%Y}"
    assert words(cols[9]) == "10:00 25/11/2026"
    assert words(cols[10]) == "14:15 25/11/2026"
    assert words(cols[11]) == "14:40 25/11/2026"
    assert words(cols[12]) == ""
    assert words(cols[13]) == "Qua dịch vụ bưu chính công ích"
    text = pdf_text(pdf)
    assert "Thứ Tư, ngày 25/11/2026" in text
    assert "Cộng ngày 25/11/2026: 1 hồ sơ, 2 bộ" in text
    assert "Hộ tịch 1" in text and "Hồ sơ tiếp nhận trong kỳ 1" in text
    assert "Hồ sơ đã trả kết quả trong kỳ 1" in text and "– Trước hạn 1" in text
    assert "Tỷ lệ giải quyết đúng hạn 100,0%" in text
    assert "Hồ sơ số hóa khi tiếp nhận trong kỳ 0" in text and "Tỷ lệ hồ sơ số hóa khi tiếp nhận 0,0%" in text
    # Not rated yet: no rate, rather than 0% (the citizen's rating is the dashboard's figure too).
    assert "Lượt đánh giá mức độ hài lòng trong kỳ 0" in text
    assert "Tỷ lệ hài lòng (hài lòng và rất hài lòng) —" in text
    desk.rate(d.code, "cb1", level=4)
    text = pdf_text(render_logbook(desk, DAY, DAY, tmp_path / "rated.pdf"))
    assert "Lượt đánh giá mức độ hài lòng trong kỳ 1" in text
    assert "Tỷ lệ hài lòng (hài lòng và rất hài lòng) 100,0%" in text
    log = desk.access_log()
    assert any(e.action == "print" and e.detail == "logbook 2026-11-25..2026-11-25" for e in log)


def test_notes_say_what_went_wrong(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    clock.set(at(20, 8))
    late = desk.receive(intake(received_at=at(20, 8).isoformat()), "cb1")
    refused = desk.receive(intake(received_at=at(20, 8).isoformat()), "cb1")
    clock.set(at(27, 9, 30))  # due Thu 26/11 08:00 (24/11 is a day off from 2026)
    desk.refuse(refused.code, "cb1", reason="Sai thẩm quyền.")
    pdf = render_logbook(desk, date(2026, 11, 20), date(2026, 11, 20), tmp_path / "n.pdf")
    notes = words(body_columns(pdf)[13])
    assert "Quá hạn" in notes, "the first dossier is open past its due time"
    # refused a week after it was received: not "Không được tiếp nhận" (it was received)
    assert "Từ chối giải quyết sau khi đã tiếp nhận: Sai thẩm quyền." in notes
    assert late.code != refused.code


def test_a_moved_appointment_shows_the_time_limit_it_is_judged_against(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    """An apology moves the appointment, not the time limit: beside "Giải quyết trễ hạn" the
    logbook and the control slip give the due time the lateness is counted from."""
    from datetime import timedelta

    from printing import render_form

    clock.set(at(25, 9))
    d = desk.receive(intake(received_at=at(25, 8).isoformat()), "cb1")
    rule_due = d.due_at
    moved = desk.move_appointment(d.code, "cb1", new_due=rule_due + timedelta(days=2), reason="Xác minh.")
    clock.set(rule_due + timedelta(days=1))
    desk.record_result(d.code, "cb1")
    pdf = render_logbook(desk, DAY, DAY, tmp_path / "m.pdf")
    columns = body_columns(pdf)
    assert words(columns[8]) == f"{moved.due_at:%H:%M %d/%m/%Y}"  # the appointment in force
    notes = words(columns[13])
    assert "Giải quyết trễ hạn" in notes
    assert f"Hẹn lại 1 lần (hạn theo quy định: {rule_due:%H:%M %d/%m/%Y})" in notes
    slip = pdf_text(render_form(desk, "control_slip", d.code, tmp_path / "slip.pdf"))
    assert "Hạn giải quyết theo quy định" in slip and f"ngày {rule_due:%d} tháng {rule_due:%m}" in slip


def test_a_dossier_refused_at_the_counter_has_no_appointment(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    """Refused the day it came (form 03 given, no receipt): the "Hẹn trả kết quả" cell stays empty;
    the dossier received beside it keeps its appointment."""
    clock.set(at(25, 9))
    kept = desk.receive(intake(received_at=at(25, 8).isoformat()), "cb1")
    refused = desk.receive(intake(received_at=at(25, 8, 30).isoformat()), "cb1")
    desk.refuse(refused.code, "cb1", reason="Không thuộc thẩm quyền của xã.")
    pdf = render_logbook(desk, DAY, DAY, tmp_path / "r.pdf")
    assert words(body_columns(pdf)[8]) == f"{kept.due_at:%H:%M %d/%m/%Y}"
    text = pdf_text(pdf)
    assert "Hồ sơ tiếp nhận trong kỳ 1" in text
    # The day's total counts it apart, as the summary does (it said "2 hồ sơ, 2 bộ").
    assert "Cộng ngày 25/11/2026: 1 hồ sơ, 1 bộ; 1 hồ sơ từ chối tiếp nhận" in " ".join(text.split())


def test_long_text_wraps_inside_its_cell_and_a_tall_row_continues(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    clock.set(at(25, 15))
    name = ("Nguyễn Hoàng Thị Phương Thảo Ánh Nguyệt " * 5).strip()[:150].strip()
    address = ("Số nhà 1234, ngõ 567, ngách 89, đường Nguyễn Thị Minh Khai, tổ dân phố số 8, " * 5)[
        :300
    ].strip()
    reason = " ".join(f"Lý do thứ {i}: giấy tờ chưa hợp lệ theo quy định." for i in range(1, 21))[:1000]
    codes = []
    for _ in range(3):
        d = desk.receive(
            intake(
                applicant={
                    "name": name,
                    "address": address,
                    "phone": "0912345678",
                    "id_number": "031190001234",
                }
            ),
            "cb1",
        )
        codes.append(d.code)
    desk.refuse(codes[1], "cb1", reason=reason)
    pdf = render_logbook(desk, DAY, DAY, tmp_path / "long.pdf")
    text = pdf_text(pdf)
    assert text.count(name) == 3
    assert text.count(address) == 3
    assert "(tiếp theo)" in text, "the tall row continued on the next page"
    notes = " ".join(words(body_columns(pdf, i)[13]) for i in range(page_count(pdf) - 1))
    # a long reason is shortened in the book (the refusal form carries all of it)
    assert words(f"Không được tiếp nhận: {reason[:40]}") in notes
    assert "…" in notes and reason[-40:] not in notes
    chars_inside_pages(pdf)
    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages[:-1]:
            for ch in page.chars:
                if not is_body(ch, page.height) or ch["text"] == " ":
                    continue
                assert any(
                    x0 - 0.1 <= ch["x0"] and ch["x1"] <= x1 + 0.1
                    for x0, x1 in zip(logbook.EDGES, logbook.EDGES[1:], strict=False)
                ), f"{ch['text']!r} crosses a column line at x={ch['x0']:.1f}"


def test_date_range_status_filter_and_chart(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    clock.set(at(30, 18))
    codes = seed(desk, 14, date(2026, 11, 16), 7)
    desk.refuse(codes[3], "cb1", reason="Sai thẩm quyền.")
    pdf = render_logbook(desk, date(2026, 11, 16), date(2026, 11, 22), tmp_path / "week.pdf")
    text = pdf_text(pdf)
    assert "Từ ngày 16/11/2026 đến ngày 22/11/2026" in text
    assert "Số hồ sơ tiếp nhận theo ngày" in text, "a week gets the bar chart"
    # The chart's renderer named Helvetica, never embedded (DOMAIN.md §2: every font embedded).
    assert embedded_fonts(pdf) and all(embedded for _, embedded in embedded_fonts(pdf)), embedded_fonts(pdf)
    assert "Tổng cộng 16/11/2026 – 22/11/2026: 14 hồ sơ, 14 bộ" in text
    for day in range(16, 23):
        assert f"Cộng ngày {day}/11/2026: 2 hồ sơ, 2 bộ" in text
    assert re.search(r"Hộ tịch \d+", text) and "Chứng thực" in text
    only = render_logbook(
        desk, date(2026, 11, 16), date(2026, 11, 22), tmp_path / "refused.pdf", statuses=(3,)
    )
    filtered = pdf_text(only)
    assert "Chỉ gồm hồ sơ có trạng thái: 3 – Không được tiếp nhận" in filtered
    assert codes[3] in filtered.replace(" ", "") and codes[2] not in filtered.replace(" ", "")
    assert "Tổng cộng 16/11/2026 – 22/11/2026: 1 hồ sơ, 1 bộ" in filtered
    with pytest.raises(ValidationError):
        render_logbook(desk, date(2026, 11, 22), date(2026, 11, 16))
    with pytest.raises(ValidationError):
        render_logbook(desk, DAY, DAY, statuses=(11,))


def test_default_path(desk: Desk) -> None:
    assert render_logbook(desk, DAY, DAY).name == "logbook_2026-11-25.pdf"
    ranged = render_logbook(desk, date(2026, 11, 1), DAY, statuses=(4, 2))
    assert ranged.name == "logbook_2026-11-01_2026-11-25_status-2-4.pdf"


def test_rows_are_streamed_not_kept(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    """The painter holds no dossier once its row is on the page."""
    clock.set(at(30, 18))
    seed(desk, 300, date(2026, 11, 23), 3)
    alive_max = 0
    refs: list[weakref.ref[Dossier]] = []

    def tracked() -> Iterator[Dossier]:
        nonlocal alive_max
        for d in desk.iter_logbook(date(2026, 11, 23), date(2026, 11, 25)):
            gc.collect() if len(refs) % 50 == 0 else None
            alive_max = max(alive_max, sum(1 for r in refs if r() is not None))
            refs.append(weakref.ref(d))
            yield d
            del d

    with (tmp_path / "s.pdf").open("wb") as fh:
        pages = logbook.paint(
            fh,
            tracked(),
            settings=desk.settings,
            first=date(2026, 11, 23),
            last=date(2026, 11, 25),
            statuses=None,
            now=desk.now(),
            report=desk.period_report(date(2026, 11, 23), date(2026, 11, 25)),
        )
    assert len(refs) == 300 and pages > 5
    assert alive_max <= 2, f"{alive_max} dossiers were alive at once"


@pytest.mark.slow
def test_fifteen_hundred_dossiers_over_many_pages(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    clock.set(at(30, 18))
    seed(desk, 1500, date(2026, 11, 16), 10)
    pdf = render_logbook(desk, date(2026, 11, 16), date(2026, 11, 25), tmp_path / "big.pdf")
    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        pages = len(doc)
        assert pages > 30
        entries: list[int] = []
        for i in range(pages - 1):  # the last page is the summary
            text = (
                doc[i]
                .get_textpage()
                .get_text_bounded(
                    left=logbook.EDGES[0],
                    right=logbook.EDGES[1],
                    bottom=logbook.BOTTOM,
                    top=doc[i].get_height(),
                )
            )
            entries += [int(token) for token in text.split() if token.isdigit()]
    finally:
        doc.close()
    assert sorted(entries) == list(range(1, 1501)), "every entry exactly once, none lost"
    assert footers(pdf)[-1] == f"Trang {pages}/{pages}"
    tail = pdf_text(pdf, slice(-3, None))
    assert "Tổng cộng 16/11/2026 – 25/11/2026: 1500 hồ sơ, 1500 bộ" in tail
    assert "Hồ sơ tiếp nhận trong kỳ 1.500" in tail


def test_several_hundred_rows_fill_pages_with_all_entries(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    clock.set(at(30, 18))
    seed(desk, 400, date(2026, 11, 23), 2)
    pdf = render_logbook(desk, date(2026, 11, 23), date(2026, 11, 24), tmp_path / "mid.pdf")
    got = footers(pdf)
    pages = len(got)
    assert pages > 20 and got == [f"Trang {n}/{pages}" for n in range(1, pages + 1)]
    text = pdfium_text(pdf)
    assert "Cộng ngày 23/11/2026: 200 hồ sơ, 200 bộ" in text
    assert "Cộng ngày 24/11/2026: 200 hồ sơ, 200 bộ" in text
    assert text.count("(tiếp theo)") >= pages - 3, "a day running over a page is named again"


def test_each_counter_s_entries_say_which_counter_numbered_them(
    make_desk: Any, clock: FixedClock, tmp_path: Path
) -> None:
    """Every counter numbers its own book from 1: a book printed for the commune, which holds the
    dossiers of every counter (pulled from the hub), printed "1" once per counter with nothing to
    tell them apart. Each entry now carries its counter, and the head says how to read it."""
    clock.set(at(25, 10))
    desk = make_desk(counter_no=2)
    second = desk.receive(intake(), "cb1")
    third = make_desk(tmp_path / "three.db", counter_no=3).receive(intake(), "cb1")
    assert second.logbook_entry == third.logbook_entry == 1
    assert logbook.dossier_cells(second, at(25, 11))[0] == "1\nQ2"
    assert logbook.dossier_cells(third, at(25, 11))[0] == "1\nQ3"
    text = pdf_text(render_logbook(desk, DAY, DAY, tmp_path / "book.pdf"))
    assert "STT: số thứ tự trong sổ của từng quầy (Q2: quầy số 2)" in text
    # Counter 3's own book reads its own number in the head (it read Q2 on every counter's).
    three = make_desk(tmp_path / "three.db", counter_no=3)
    assert "(Q3: quầy số 3)" in pdf_text(render_logbook(three, DAY, DAY, tmp_path / "three.pdf"))


def test_a_day_reads_in_the_order_of_its_logbook_numbers(desk: Desk, clock: FixedClock) -> None:
    """A paper dossier entered later for an earlier hour of the day comes after the ones entered
    before it, with its higher number: the book's STT reads 1, 2, 3 down the day (it read 2, 1)."""
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ))
    first = desk.receive(intake(), "cb1")
    late_entry = desk.receive(intake(received_at="2026-11-25T08:00:00+07:00"), "cb1")
    rows = list(desk.iter_logbook(DAY, DAY))
    assert [d.code for d in rows] == [first.code, late_entry.code]
    assert [d.logbook_entry for d in rows] == sorted(d.logbook_entry for d in rows)


def test_the_signatures_never_stand_alone_on_a_page(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    """A day with many fields makes a summary too tall for the signatures under it: they go to the
    foot of the page's free right side, not to a page of their own."""
    clock.set(at(25, 16))
    codes = ["1.001193", "2.000815", "2.001263", "1.004222", "1.001612", "1.012812", "1.011607", "1.002211"]
    for n, code in enumerate(codes):
        desk.receive(intake(procedure=code, received_at=at(25, 8, n).isoformat()), "cb1")
    for first, name in [(DAY, "day.pdf"), (date(2026, 11, 2), "weeks.pdf")]:  # weeks: with the chart
        pdf = render_logbook(desk, first, DAY, tmp_path / name)
        pages = page_count(pdf)
        last = pdf_text(pdf, slice(pages - 1, pages))
        assert "TỔNG HỢP TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ" in last, name
        assert "NGƯỜI LẬP SỔ" in last and "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in last
        assert "Hòa giải ở cơ sở" in last  # the last field of the summary shares the page
        chars_inside_pages(pdf)


def test_a_page_that_carries_the_signatures_says_which_book_it_closes(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    """Whatever the summary's shape (fields, a chart, a filter's note, with or without the print
    time beside them), a page holding the signatures also holds the summary's title and period: a
    filtered month put them alone on a bare third sheet."""
    clock.set(at(30, 18))
    codes = ["1.001193", "2.000815", "2.001263", "1.004222", "1.001612", "1.012812", "1.011607", "1.002211"]
    made = []
    for n, code in enumerate(codes * 2):
        made.append(desk.receive(intake(procedure=code, received_at=at(2 + n, 8).isoformat()), "cb1"))
    desk.refuse(made[-1].code, "cb1", reason="Sai thẩm quyền.")
    signed = 0
    for statuses in (None, (3,), (2, 3)):
        for first in (date(2026, 11, 1), date(2026, 11, 16)):
            pdf = render_logbook(
                desk, first, date(2026, 11, 30), tmp_path / f"b{signed}.pdf", statuses=statuses
            )
            for text in (pdf_text(pdf, slice(i, i + 1)) for i in range(page_count(pdf))):
                if "NGƯỜI LẬP SỔ" in text:
                    signed += 1
                    assert "TỔNG HỢP TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ" in text, (statuses, first)
                    assert f"Từ ngày {first:%d/%m/%Y} đến ngày 30/11/2026" in " ".join(text.split())
    assert signed == 6


def test_a_summary_of_every_field_stays_on_one_page(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    """A period with a dossier in every field of the catalog: the field table went on under the
    indicators and left its last row, the print time and the signatures on a page of their own."""
    clock.set(at(25, 16))
    one_per_field = {p.field: p.code for p in desk.catalog.procedures}
    assert len(one_per_field) >= 10
    for n, code in enumerate(one_per_field.values()):
        desk.receive(intake(procedure=code, received_at=at(25, 8, n).isoformat()), "cb1")
    for first, name in [(DAY, "day.pdf"), (date(2026, 11, 1), "month.pdf")]:  # month: with the chart
        pdf = render_logbook(desk, first, DAY, tmp_path / name)
        pages = page_count(pdf)
        last = " ".join(pdf_text(pdf, slice(pages - 1, pages)).split())
        before = pdf_text(pdf, slice(pages - 2, pages - 1))
        assert "TỔNG HỢP TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ" in last, name
        assert "TỔNG HỢP TÌNH HÌNH" not in before, name  # the summary is one page
        for field in one_per_field:
            assert field in last, (name, field)
        assert "In lúc" in last and "NGƯỜI LẬP SỔ" in last and "THỦ TRƯỞNG CƠ QUAN" in last
        chars_inside_pages(pdf)


def test_a_long_agency_name_stays_on_the_page_of_every_running_head(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    # The line above the column heads of pages 2.. was drawn in one piece: a centre's full name of
    # 170 characters ran past the paper's right edge.
    name = "Trung tâm Phục vụ hành chính công xã Vĩnh Bảo thuộc Ủy ban nhân dân thành phố Hải Phòng " * 3
    desk.update_settings(agency_name=name[:200].strip())
    clock.set(at(30, 18))
    seed(desk, 60, date(2026, 11, 24), 1)
    pdf = render_logbook(desk, date(2026, 11, 24), date(2026, 11, 24), tmp_path / "long.pdf")
    assert page_count(pdf) >= 3
    chars_inside_pages(pdf)
    second = pdf_text(pdf, slice(1, 2))
    assert "SỔ THEO DÕI HỒ SƠ – Trung tâm Phục vụ hành chính công xã Vĩnh Bảo" in words(second)
    assert "… – Ngày 24/11/2026" in words(second)


def test_a_long_range_is_charted_by_month_then_by_year_with_its_years(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    """An 11-year logbook drew 4,000 daily bars that ran off the chart, dated without their year."""
    per_day = [("2026-11-25", 3), ("2026-12-02", 2), ("2027-01-05", 1)]
    title, names, values = logbook._chart_bars(date(2026, 11, 1), date(2027, 1, 31), per_day)
    assert title == "Số hồ sơ tiếp nhận theo ngày" and len(names) == 92
    assert names[0] == "01/11/26" and names[-1] == "31/01/27" and sum(values) == 6
    title, names, values = logbook._chart_bars(date(2026, 1, 1), date(2026, 12, 31), per_day)
    assert title == "Số hồ sơ tiếp nhận theo tháng" and names[10:] == ["11/2026", "12/2026"]
    assert values[10:] == [3, 2] and len(names) == 12
    title, names, values = logbook._chart_bars(date(2020, 1, 1), date(2030, 12, 31), per_day)
    assert title == "Số hồ sơ tiếp nhận theo năm" and names == [str(y) for y in range(2020, 2031)]
    assert values[6:8] == [5, 1] and sum(values) == 6

    desk.receive(intake(), "A")
    pdf = render_logbook(desk, date(2026, 1, 1), date(2026, 12, 31), tmp_path / "year.pdf")
    text = pdf_text(pdf)
    assert "Số hồ sơ tiếp nhận theo tháng" in text and "11/2026" in text
    chars_inside_pages(pdf)
