"""How forms and the logbook break over pages: a signature block stays with the lines it confirms,
every page of a multi-page form names its dossier (code, barcode) and says "Trang n/N", the control
slip's grid splits inside a tall row, a day's total stays with its last row, organisations are
addressed as such, and long notes are shortened in the logbook."""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from printing import render_form, render_logbook
from tests.conftest import FixedClock, intake
from tests.unit.test_printing_support import (
    decode,
    page_count,
    pdf_text,
    render_page,
    seed,
    words,
)

LONG_NAME = ("Nguyễn Thị Hoàng Phương Thảo Quỳnh Anh Bảo Ngọc Khánh Linh Diệp Uyên " * 3)[:150].strip()
LONG_ADDRESS = ("Số nhà 1234, ngõ 567, ngách 89, đường Nguyễn Đình Chiểu kéo dài, tổ dân phố số 15, " * 4)[
    :300
].strip()
LONG_REASON = (
    "Hồ sơ thiếu bản trích lục khai sinh có chứng thực của người yêu cầu; thông tin về nơi cư trú "
    "trong tờ khai không khớp với Cơ sở dữ liệu quốc gia về dân cư; đề nghị bổ sung giấy xác nhận "
    "của Công an xã nơi thường trú trước đây và văn bản giải trình về việc thay đổi họ tên theo "
    "quyết định của cơ quan có thẩm quyền."
)
ORGANISATION = {
    "kind": "organisation",
    "name": "Hợp tác xã Nông nghiệp Đông Hưng",
    "id_number": "0201234567",
    "representative": "Lê Văn Ước",
    "phone": "0225123456",
    "address": "Thôn Đông Hưng, xã Vĩnh Bảo",
}


ROW_MARK = "ĐT: 0912345678"
"""Printed in every dossier row of the logbook (the contact column), never in a head or total."""


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=VN_TZ)


def page_texts(pdf: Path) -> list[str]:
    return [pdf_text(pdf, slice(i, i + 1)) for i in range(page_count(pdf))]


def assert_every_page_names_the_dossier(pdf: Path, code: str) -> None:
    pages = page_texts(pdf)
    assert len(pages) >= 2
    for n, text in enumerate(pages, 1):
        assert f"Trang {n}/{len(pages)}" in text
        assert code in text
    for i in range(1, len(pages)):
        assert decode(render_page(pdf, i)).get("Code128") == code, f"barcode on page {i + 1}"


def page_of(pages: list[str], needle: str) -> int:
    found = [i for i, text in enumerate(pages) if needle in text]
    assert found, needle
    return found[-1]


# -- item 1: the receipt -----------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["A4", "A5"])
def test_receipt_with_a_long_name_keeps_its_signatures_with_the_last_lines(
    desk: Desk, tmp_path: Path, paper: str
) -> None:
    d = desk.receive(
        intake(
            applicant={
                "name": LONG_NAME,
                "address": LONG_ADDRESS,
                "phone": "0912345679",
                "id_number": "031190001235",
            }
        ),
        "cb1",
    )
    pdf = render_form(desk, "receipt", d.code, tmp_path / f"long_{paper}.pdf", paper=paper)
    pages = page_texts(pdf)
    signatures = page_of(pages, "NGƯỜI TIẾP NHẬN HỒ SƠ")
    assert page_of(pages, "Vào Sổ theo dõi hồ sơ") == signatures
    assert page_of(pages, "Phí, lệ phí") == signatures
    if len(pages) > 1:
        assert_every_page_names_the_dossier(pdf, d.code)


def test_receipt_with_25_papers_names_its_dossier_on_every_page(desk: Desk, tmp_path: Path) -> None:
    papers = [
        {
            "name": f"Giấy tờ số {i}: Bản sao có chứng thực Giấy chứng nhận quyền sử dụng đất, quyền "
            "sở hữu nhà ở và tài sản khác gắn liền với đất kèm sơ đồ thửa đất",
            "originals": 1,
            "certified": 2,
            "copies": 3,
        }
        for i in range(1, 26)
    ]
    d = desk.receive(intake(documents=papers), "cb1")
    pdf = render_form(desk, "receipt", d.code, tmp_path / "many.pdf", paper="A4")
    pages = page_texts(pdf)
    assert_every_page_names_the_dossier(pdf, d.code)
    signatures = page_of(pages, "NGƯỜI NỘP HỒ SƠ")
    assert page_of(pages, "Vào Sổ theo dõi hồ sơ") == signatures
    assert page_of(pages, "Giấy tờ số 25:") == signatures


@pytest.mark.parametrize("count", [14, 15, 16, 17, 18, 19, 20])
def test_a_receipt_that_runs_over_keeps_the_time_received_with_the_appointment(
    desk: Desk, tmp_path: Path, count: int
) -> None:
    """Long papers pushed the closing lines over a page break wherever it fell: the time received
    on one sheet, the appointment alone at the top of the next."""
    papers = [
        {
            "name": f"Giấy tờ số {i}: " + "Bản sao có chứng thực giấy tờ về quyền sử dụng đất " * 4,
            "originals": 1,
        }
        for i in range(1, count + 1)
    ]
    d = desk.receive(intake(documents=papers), "cb1")
    pages = page_texts(render_form(desk, "receipt", d.code, tmp_path / f"r{count}.pdf", paper="A4"))
    assert len(pages) >= 2
    together = [
        page_of(pages, line) for line in ("Số lượng hồ sơ", "Thời gian nhận hồ sơ", "Thời gian trả kết quả")
    ]
    assert len(set(together)) == 1, together


def test_a_one_page_form_has_no_page_number(desk: Desk, tmp_path: Path) -> None:
    d = desk.receive(intake(), "cb1")
    pdf = render_form(desk, "receipt", d.code, tmp_path / "short.pdf")
    assert page_count(pdf) == 1
    assert "Trang 1" not in pdf_text(pdf)


# -- item 4: the control slip ------------------------------------------------------------------------


@pytest.fixture
def full_history(desk: Desk, clock: FixedClock) -> Any:
    clock.set(at(25, 9))
    d = desk.receive(
        intake(applicant={"name": LONG_NAME, "address": LONG_ADDRESS, "id_number": "031190001235"}),
        "cb1",
    )
    clock.set(at(25, 10))
    desk.transfer(d.code, "cb1", to_agency_name="Công chức Tư pháp - Hộ tịch")
    for day in (26, 27):  # two rounds of extra papers, each with the long reason
        clock.set(at(day, 8))
        desk.request_extra_papers(
            d.code, "cb1", papers=[{"name": "Trích lục", "copies": 1}], reason=LONG_REASON
        )
        clock.set(at(day, 10))
        desk.receive_extra_papers(d.code, "cb1")
    clock.set(at(30, 8))
    desk.move_appointment(d.code, "cb1", new_due=d.due_at + timedelta(days=14), reason=LONG_REASON)
    clock.set(at(30, 9))
    desk.request_fee(d.code, "cb1", amount=50000, reason="Lệ phí cấp bản sao trích lục")
    clock.set(at(30, 10))
    desk.record_fee_paid(d.code, "cb1")
    return d


def test_control_slip_grid_starts_on_page_one_and_its_tall_row_splits(
    desk: Desk, tmp_path: Path, full_history: Any
) -> None:
    d = full_history
    pdf = render_form(desk, "control_slip", d.code, tmp_path / "slip.pdf", paper="A4")
    pages = page_texts(pdf)
    assert "TÊN CƠ QUAN" in pages[0] and "1. Giao:" in pages[0], "the grid starts under the head"
    assert_every_page_names_the_dossier(pdf, d.code)
    # the first hop's notes run over to the next page (its row split) rather than moving whole
    assert "Yêu cầu bổ sung hồ sơ (08:00 26/11/2026)" in pages[0]
    assert "Đã nộp phí, lệ phí" in " ".join(pages[1:])


@pytest.mark.parametrize(("documents", "paper"), [(10, "A4"), (16, "A4"), (9, "A5"), (13, "A5")])
def test_a_hand_over_that_fits_a_sheet_is_not_cut_between_two(
    desk: Desk, clock: FixedClock, tmp_path: Path, documents: int, paper: str
) -> None:
    """A signed hand-over (who gave, when, who took, the two signatures) was cut between two sheets
    wherever the page ended, and the grid's head came again in the middle of a page. A row that
    fits a sheet now goes whole to the next one; only one taller than a sheet is split (above)."""
    reason = ("Hồ sơ còn thiếu văn bản xác nhận hoàn cảnh gia đình; giấy khám sức khỏe; ảnh toàn thân. ") * 4
    papers = [
        {
            "name": f"Giấy tờ số {i + 1} có tên khá dài để chiếm hai dòng trong bảng thành phần hồ sơ",
            "copies": 1,
        }
        for i in range(documents)
    ]
    clock.set(at(23, 8))
    d = desk.receive(intake(documents=papers), "cb1")
    clock.set(at(23, 9))
    desk.transfer(d.code, "cb1", to_agency_name="Công chức Tư pháp - Hộ tịch")
    clock.set(at(23, 10))
    desk.request_extra_papers(d.code, "cb1", papers=["Giấy A"], reason=reason)
    clock.set(at(23, 14))
    desk.receive_extra_papers(d.code, "cb1")
    clock.set(at(23, 14, 30))
    desk.transfer(d.code, "cb1", to_agency_name="Công chức Tư pháp - Hộ tịch")
    clock.set(at(24, 8))
    desk.request_fee(d.code, "cb1", amount=5000, reason=reason)
    pdf = render_form(desk, "control_slip", d.code, tmp_path / "slip.pdf", paper=paper)
    pages = page_texts(pdf)
    for hop in ("1. Giao:", "2. Giao:"):
        (on,) = [i for i, text in enumerate(pages) if hop in text]
        after = pages[on].split(hop, 1)[1]
        assert "Nhận:" in after and "Người giao" in after, f"{hop} cut from its taker on page {on + 1}"
    assert all(text.count("TÊN CƠ QUAN") <= 1 for text in pages)


def test_control_slip_shows_the_fee_requested(desk: Desk, tmp_path: Path, full_history: Any) -> None:
    pdf = render_form(desk, "control_slip", full_history.code, tmp_path / "slip.pdf")
    assert "Yêu cầu nộp phí, lệ phí (09:00 30/11/2026): 50.000 đồng; Lệ phí cấp bản sao trích lục" in (
        pdf_text(pdf)
    )


# -- item 5: organisations ---------------------------------------------------------------------------


def test_forms_address_an_organisation_as_such(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    clock.set(at(25, 9))
    papers, refused, moved, stopped = (desk.receive(intake(applicant=ORGANISATION), "cb1") for _ in range(4))
    desk.request_extra_papers(papers.code, "cb1", papers=[{"name": "Điều lệ", "copies": 1}], reason="Thiếu.")
    desk.refuse(refused.code, "cb1", reason="Không thuộc thẩm quyền.")
    desk.move_appointment(moved.code, "cb1", new_due=moved.due_at + timedelta(days=2), reason="Xác minh.")
    desk.stop(stopped.code, "cb1", reason="Rút yêu cầu.")
    for form, code, expected in (
        ("extra_papers", papers.code, "đề nghị Quý cơ quan, tổ chức bổ sung"),
        ("refusal", refused.code, "để Quý cơ quan, tổ chức được biết"),
        ("apology", moved.code, "xin lỗi Quý cơ quan, tổ chức"),
        ("stop_notice", stopped.code, "trả lại cho Quý cơ quan, tổ chức"),
    ):
        text = pdf_text(render_form(desk, form, code, tmp_path / f"{form}.pdf"))
        assert "Ông (Bà)" not in text, form
        assert expected in text, form


def test_forms_still_address_a_citizen_as_ong_ba(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    d = desk.receive(intake(), "cb1")
    desk.move_appointment(d.code, "cb1", new_due=d.due_at + timedelta(days=2), reason="Xác minh.")
    text = pdf_text(render_form(desk, "apology", d.code, tmp_path / "apology.pdf"))
    assert "xin lỗi Ông (Bà)" in text and "Quý cơ quan" not in text


# -- items 2 and 3: the logbook ----------------------------------------------------------------------


def test_no_logbook_page_holds_only_heads_and_totals(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    """Dossiers are added one by one, so some count puts the day's last row at a page's foot."""
    clock.set(at(28, 15))
    first = date(2026, 11, 24)
    for count in range(1, 23):
        desk.receive(
            intake(received_at=datetime(2026, 11, 24, 7, 0, tzinfo=VN_TZ).replace(minute=count).isoformat()),
            "cb1",
        )
        pdf = render_logbook(desk, first, date(2026, 11, 25), tmp_path / f"book_{count}.pdf")
        pages = page_texts(pdf)
        summary = page_of(pages, "TỔNG HỢP TÌNH HÌNH")
        for n, text in enumerate(pages[:summary], 1):
            assert ROW_MARK in text, f"{count} dossiers: page {n} has no dossier row"
        assert "NGƯỜI LẬP SỔ" in pages[summary] or "Tỷ lệ giải quyết đúng hạn" in pages[-1]


def test_logbook_shortens_a_long_refusal_reason(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    clock.set(at(25, 15))
    d = desk.receive(intake(), "cb1")
    desk.refuse(d.code, "cb1", reason=LONG_REASON + " " + LONG_REASON)
    pdf = render_logbook(desk, date(2026, 11, 25), date(2026, 11, 25), tmp_path / "book.pdf")
    assert page_count(pdf) == 2, "one row, then the summary"
    text = words(pdf_text(pdf, slice(0, 1)))
    assert "…" in text
    assert "cơ quan có thẩm quyền" not in text


def test_seeded_range_keeps_totals_with_rows(desk: Desk, clock: FixedClock, tmp_path: Path) -> None:
    clock.set(at(28, 15))
    for extra in range(3):
        seed(desk, 9 + extra, date(2026, 11, 23), 3)
    pdf = render_logbook(desk, date(2026, 11, 23), date(2026, 11, 25), tmp_path / "range.pdf")
    pages = page_texts(pdf)
    summary = page_of(pages, "TỔNG HỢP TÌNH HÌNH")
    for n, text in enumerate(pages[:summary], 1):
        assert ROW_MARK in text, f"page {n} has no dossier row"
    for day in ("23/11/2026", "24/11/2026", "25/11/2026"):
        total = page_of(pages, f"Cộng ngày {day}")
        assert ROW_MARK in pages[total]


# -- item 6: the overdue figure of the summary -------------------------------------------------------


def test_summary_says_the_overdue_figure_is_the_counters(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    clock.set(at(10, 9))
    desk.receive(intake(received_at=at(10, 9).isoformat()), "cb1")  # overdue by the 25th, before the book
    clock.set(at(25, 15))
    desk.receive(intake(), "cb1")
    pdf = render_logbook(desk, date(2026, 11, 25), date(2026, 11, 25), tmp_path / "book.pdf")
    summary = pdf_text(pdf, slice(-1, None))
    assert "toàn bộ hồ sơ của Bộ phận, tại thời điểm in, không riêng kỳ này" in summary


@pytest.mark.parametrize("paper", ["A4", "A5"])
def test_the_page_number_is_printed_clear_of_the_printer_s_dead_edge(
    desk: Desk, tmp_path: Path, paper: str
) -> None:
    """On A5 "Trang 1/2" began 3 mm below the top edge, where most laser printers print nothing."""
    papers = [{"name": f"Giấy tờ số {i}: Bản sao có chứng thực", "originals": 1} for i in range(1, 26)]
    d = desk.receive(intake(documents=papers), "cb1")
    pdf = render_form(desk, "receipt", d.code, tmp_path / "many.pdf", paper=paper)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    tops = [float(m) for m in re.findall(r'yMin="([\d.]+)"[^>]*>Trang<', boxes)]
    assert len(tops) >= 2 and min(tops) >= 4.5 * 72 / 25.4  # points from the top edge


def test_a_control_slip_notes_the_steps_before_a_refusal_first_and_names_its_reason(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    """Refused after extra papers, never handed on: the notes began with the refusal's bare reason,
    the earlier steps after it."""
    clock.set(at(25, 9))
    d = desk.receive(intake(), "cb1")
    clock.set(at(25, 10))
    desk.request_extra_papers(d.code, "cb1", papers=["Bản sao giấy khai sinh"], reason="Thiếu giấy tờ")
    clock.set(at(26, 10))
    desk.refuse(d.code, "cb1", reason="Không bổ sung được giấy tờ")
    text = " ".join(pdf_text(render_form(desk, "control_slip", d.code, tmp_path / "slip.pdf")).split())
    asked, reason = text.find("Yêu cầu bổ sung hồ sơ ("), text.find("Lý do: Không bổ sung được giấy tờ")
    assert 0 <= asked < reason
