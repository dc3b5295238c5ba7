"""Printing defects found by exploratory testing (control slip hops, signature names, refusals in
the logbook, appointments, papers only shown, fees, help phone, sheets): each test failed before
its fix. Real database files, PDFs read back with pypdf/pdfplumber."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pdfplumber
import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from printing import render_form, render_logbook
from tests.conftest import FixedClock, intake
from tests.unit.test_printing_logbook import body_columns
from tests.unit.test_printing_support import chars_inside_pages, page_count, pdf_text, words

CENTRE = "Trung tâm Phục vụ hành chính công xã Vĩnh Bảo"
JUSTICE = "Công chức Tư pháp - Hộ tịch"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=VN_TZ)


def spoken(t: datetime) -> str:
    """A time as the forms spell it out, written here apart from the code that prints it."""
    return f"{t:%H} giờ {t:%M} phút, ngày {t:%d} tháng {t:%m} năm {t:%Y}"


def render(desk: Desk, form: str, code: str, path: Path, **kwargs: str) -> str:
    pdf = render_form(desk, form, code, path, "cb1", **kwargs)
    chars_inside_pages(pdf)
    return pdf_text(pdf)


# -- control slip: hops (print.md #1) -----------------------------------------------------------------


def test_after_extra_papers_the_next_hand_over_starts_at_the_centre(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    """The citizen brings the extra papers to the centre: the second transfer to the same office
    read "2. Giao: Công chức Tư pháp - Hộ tịch / Nhận: Công chức Tư pháp - Hộ tịch"."""
    clock.set(at(25, 9))
    code = desk.receive(intake(received_at=at(25, 9).isoformat()), "cb1").code
    clock.set(at(25, 10))
    desk.transfer(code, "cb1", to_agency_name=JUSTICE)
    clock.set(at(26, 8, 30))
    desk.request_extra_papers(code, "cb1", papers=["Bản sao trích lục khai tử"], reason="Thiếu giấy tờ")
    clock.set(at(27, 9, 30))
    desk.receive_extra_papers(code, "cb1")
    waiting = render(desk, "control_slip", code, tmp_path / "waiting.pdf")
    # Not handed on yet: the next row to fill in by hand starts at the centre too.
    assert f"2. Giao: {CENTRE} Nhận:" in waiting
    clock.set(at(27, 10))
    desk.transfer(code, "cb1", to_agency_name=JUSTICE)
    text = render(desk, "control_slip", code, tmp_path / "slip.pdf")
    assert f"1. Giao: {CENTRE} Nhận: {JUSTICE}" in text
    assert f"2. Giao: {CENTRE} Nhận: {JUSTICE}" in text
    assert f"Giao: {JUSTICE} Nhận: {JUSTICE}" not in text
    assert "Nhận hồ sơ bổ sung (09:30 27/11/2026)" in text


def test_a_result_after_extra_papers_comes_from_the_office_that_had_the_dossier(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    # The papers taken in at the centre and the dossier not handed on again in the program: the
    # result still comes back from the office, not from the centre to itself.
    clock.set(at(25, 9))
    code = desk.receive(intake(received_at=at(25, 9).isoformat()), "cb1").code
    desk.transfer(code, "cb1", to_agency_name=JUSTICE)
    clock.set(at(25, 10))
    desk.request_extra_papers(code, "cb1", papers=["Bản sao trích lục khai tử"], reason="Thiếu giấy tờ")
    clock.set(at(25, 11))
    desk.receive_extra_papers(code, "cb1")
    clock.set(at(26, 9))
    desk.record_result(code, "cb1")
    text = render(desk, "control_slip", code, tmp_path / "slip.pdf")
    assert f"2. Giao: {JUSTICE} Nhận: {CENTRE}" in text
    assert f"Giao: {CENTRE} Nhận: {CENTRE}" not in text


# -- the official's name under a signature (print.md #3) ----------------------------------------------


def test_a_reprint_after_a_rename_keeps_the_name_recorded_with_the_step(desk: Desk, tmp_path: Path) -> None:
    desk.add_official("hoa", "Trần Thị Hoa", "official", "4829")
    code = desk.receive(intake(), desk.actor_name("hoa")).code  # the CLI and the UI record the name
    assert "Trần Thị Hoa" in render(desk, "receipt", code, tmp_path / "a.pdf")
    desk.add_official("hoa", "Trần Thị Hoà", "official")  # a typo in the name fixed
    text = render(desk, "receipt", code, tmp_path / "b.pdf")
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and "Trần Thị Hoa" in text
    assert "Trần Thị Hoà" not in text


@pytest.mark.parametrize("form", ["refusal", "extra_papers"])
def test_an_actor_who_is_no_official_signs_by_the_name_recorded(
    desk: Desk, tmp_path: Path, form: str
) -> None:
    # `--actor "Nguyễn Văn Cán Bộ"`, or an official who has left: the history shows the name, the
    # form printed an empty line.
    code = desk.receive(intake(), "Nguyễn Văn Cán Bộ").code
    if form == "refusal":
        desk.refuse(code, "Nguyễn Văn Cán Bộ", reason="Không thuộc thẩm quyền.")
    else:
        desk.request_extra_papers(code, "Nguyễn Văn Cán Bộ", papers=["Tờ khai"], reason="Thiếu tờ khai.")
    text = render(desk, form, code, tmp_path / f"{form}.pdf")
    assert "Nguyễn Văn Cán Bộ" in text


def test_a_login_that_is_no_official_leaves_the_signature_line_blank(desk: Desk, tmp_path: Path) -> None:
    # The CLI's fallback actor is the OS user ("root", "unknown"): not a name to print.
    code = desk.receive(intake(), "unknown").code
    text = render(desk, "receipt", code, tmp_path / "r.pdf")
    assert "unknown" not in text


# -- refusals in the logbook (sup.md #4) ------------------------------------------------------------


def test_the_logbook_counts_refusals_one_way_in_its_totals_and_its_summary(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    """ "Từ chối tiếp nhận" is a dossier refused at the counter (never received, README); one
    refused after it was received stays received and is counted apart. The total said 1, the
    summary 2, and the received one's note "Không được tiếp nhận"."""
    clock.set(at(23, 9))
    at_counter = desk.receive(intake(received_at=at(23, 8).isoformat()), "cb1")
    desk.refuse(at_counter.code, "cb1", reason="Sai thẩm quyền.")
    later = desk.receive(intake(received_at=at(23, 8, 30).isoformat()), "cb1")
    desk.receive(intake(received_at=at(23, 8, 45).isoformat()), "cb1")
    desk.transfer(later.code, "cb1", to_agency_name=JUSTICE)
    clock.set(at(24, 9))
    desk.refuse(later.code, "cb1", reason="Hồ sơ giả mạo.")
    pdf = render_logbook(desk, date(2026, 11, 23), date(2026, 11, 24), tmp_path / "lb.pdf")
    text = pdf_text(pdf)
    assert "Tổng cộng 23/11/2026 – 24/11/2026: 2 hồ sơ, 2 bộ; 1 hồ sơ từ chối tiếp nhận" in text
    assert "Hồ sơ tiếp nhận trong kỳ 2" in text
    assert "Hồ sơ từ chối tiếp nhận trong kỳ 1" in text
    assert "Hồ sơ đã tiếp nhận, sau đó từ chối giải quyết trong kỳ 1" in text
    notes = words(body_columns(pdf)[13])
    assert "Không được tiếp nhận: Sai thẩm quyền." in notes
    assert "Từ chối giải quyết sau khi đã tiếp nhận: Hồ sơ giả mạo." in notes
    assert notes.count("Không được tiếp nhận") == 1


# -- control slip: no appointment for a dossier refused at the counter (print.md #5) -----------------


def test_the_slip_of_a_dossier_refused_at_the_counter_gives_no_appointment(
    desk: Desk, tmp_path: Path
) -> None:
    code = desk.receive(intake(), "cb1").code
    desk.refuse(code, "cb1", reason="Sai thẩm quyền.")
    text = render(desk, "control_slip", code, tmp_path / "slip.pdf")
    assert "Thời gian nhận hồ sơ" in text and "Từ chối" in text
    assert "Ngày hẹn trả kết quả" not in text


# -- documents table (print.md #9, #8) ----------------------------------------------------------------


def doc_rows(pdf: Path) -> list[list[str]]:
    with pdfplumber.open(str(pdf)) as doc:
        table = next(t for t in doc.pages[0].extract_tables() if t and t[0][0] == "TT")
    return [[words(c or "") for c in row] for row in table[2:]]


@pytest.mark.parametrize("form", ["receipt", "control_slip"])
def test_a_paper_only_shown_says_so_instead_of_zero_copies(desk: Desk, tmp_path: Path, form: str) -> None:
    documents = [
        {"name": "Tờ khai", "originals": 1},
        {"name": "Căn cước của người yêu cầu", "originals": 0, "certified": 0, "copies": 0},
    ]
    code = desk.receive(intake(documents=documents), "cb1").code
    pdf = render_form(desk, form, code, tmp_path / f"{form}.pdf", "cb1")
    rows = doc_rows(pdf)
    assert rows[0] == ["1", "Tờ khai", "1", "0", "0"]
    assert rows[1][:3] == ["2", "Căn cước của người yêu cầu", "(xuất trình)"]
    assert "0" not in rows[1]


def test_an_empty_documents_list_says_there_are_none(desk: Desk, tmp_path: Path) -> None:
    code = desk.receive(intake(documents=[]), "cb1").code
    pdf = render_form(desk, "receipt", code, tmp_path / "r.pdf", "cb1")
    assert doc_rows(pdf) == [["Không có giấy tờ nào.", "", "", "", ""]]


# -- the fee line (print.md #8) -----------------------------------------------------------------------


def test_a_waived_fee_is_printed_as_waived_not_zero(desk: Desk, tmp_path: Path) -> None:
    code = desk.receive(intake(procedure="2.001035", fee=0), "cb1").code
    text = render(desk, "receipt", code, tmp_path / "r.pdf")
    assert "Phí, lệ phí (nếu có): Miễn" in text
    assert "0 đồng" not in text


# -- refusal: help phone (print.md #10) ---------------------------------------------------------------


def test_the_refusal_gives_the_counter_phone_for_help(desk: Desk, tmp_path: Path) -> None:
    code = desk.receive(intake(), "cb1").code
    desk.refuse(code, "cb1", reason="Sai thẩm quyền.")
    assert "số điện thoại" not in render(desk, "refusal", code, tmp_path / "a.pdf")
    desk.update_settings(counter_phone="0225 3823 456")
    text = render(desk, "refusal", code, tmp_path / "b.pdf")
    assert f"Mọi vướng mắc xin liên hệ {CENTRE}, số điện thoại 0225 3823 456, để được hướng dẫn." in text


# -- receipt reprinted after an apology (print.md #7) -------------------------------------------------


def test_a_reprinted_receipt_says_the_appointment_was_moved(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    d = desk.receive(intake(), "cb1")
    first = d.due_at.astimezone(VN_TZ)
    clock.set(clock.now + timedelta(hours=2))
    moved = desk.move_appointment(d.code, "cb1", new_due=d.due_at + timedelta(days=7), reason="Xác minh.")
    new = moved.due_at.astimezone(VN_TZ)
    text = render(desk, "receipt", d.code, tmp_path / "r.pdf")
    assert f"Thời gian trả kết quả giải quyết hồ sơ: {spoken(first)}" in text
    assert (
        f"Đã hẹn lại thời gian trả kết quả: {spoken(new)} (văn bản xin lỗi ngày {clock.now:%d/%m/%Y})."
    ) in text


def test_a_reprinted_receipt_says_the_wait_for_extra_papers_moved_the_appointment(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    """The reprint gave the moved appointment as if the first print had said it: the citizen held
    16:55 on their receipt and read 16:20 three days later on the new one, with no word of why."""
    d = desk.receive(intake(), "cb1")
    first = d.due_at.astimezone(VN_TZ)
    clock.set(clock.now + timedelta(hours=1))
    desk.request_extra_papers(d.code, "cb1", papers=["Bản sao giấy khai sinh"], reason="Thiếu")
    clock.set(clock.now + timedelta(days=1))
    new = desk.receive_extra_papers(d.code, "cb1").due_at.astimezone(VN_TZ)
    assert new > first
    text = render(desk, "receipt", d.code, tmp_path / "r.pdf")
    assert f"Thời gian trả kết quả giải quyết hồ sơ: {spoken(first)}" in text
    assert (f"Thời gian trả kết quả lùi theo thời gian chờ bổ sung hồ sơ: {spoken(new)}.") in text


# -- one sheet when it nearly fits (print.md #6) ------------------------------------------------------


def test_a_receipt_a_few_lines_too_long_keeps_its_signatures_on_its_sheet(desk: Desk, tmp_path: Path) -> None:
    """An organisation with a long name and representative and three papers, QR on: the fee, the
    logbook entry and both signatures went alone to a second sheet."""
    desk.update_settings(lookup_url="https://hub.example/tra-cuu?ma={code}")
    company = {
        "kind": "organisation",
        "name": "Công ty Trách nhiệm hữu hạn Một thành viên Thương mại Dịch vụ Xuất nhập khẩu Vận tải "
        "Biển Hải Phòng Xanh - Chi nhánh Vĩnh Bảo",
        "id_number": "0101234567-001",
        "phone": "02253823456",
        "representative": "Lê Hoàng Phương Thảo (Giám đốc chi nhánh, theo Giấy ủy quyền số "
        "12/2026/UQ-HPX ngày 01/10/2026)",
        "address": "Lô CN5, Khu công nghiệp Vĩnh Bảo, xã Vĩnh Bảo, thành phố Hải Phòng",
    }
    code = desk.receive(intake(procedure="2.001035", applicant=company), "cb1").code
    pdf = render_form(desk, "receipt", code, tmp_path / "r.pdf", "cb1")
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert "NGƯỜI NỘP HỒ SƠ" in text and "Vào Sổ theo dõi hồ sơ" in text


# -- the logbook's summary of an empty day (print.md #11) --------------------------------------------


def test_the_summary_of_an_empty_day_says_no_dossier_by_field(desk: Desk, tmp_path: Path) -> None:
    text = pdf_text(render_logbook(desk, date(2026, 11, 21), date(2026, 11, 21), tmp_path / "e.pdf"))
    assert "Không có hồ sơ nào trong thời gian này." in text
    assert "Số hồ sơ tiếp nhận theo lĩnh vực Lĩnh vực Số hồ sơ Không có hồ sơ tiếp nhận 0" in text
