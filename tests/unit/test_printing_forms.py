"""The forms generated from a dossier and its events: extra_papers, refusal, apology, stop_notice and
control_slip; numbering by the forms_basis setting; what happens when there is nothing to print."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from counter_app.domain.errors import RuleError
from printing import FORMS, layout, render_form
from printing.wording import form_name
from tests.conftest import FixedClock, intake
from tests.unit.test_printing_support import chars_inside_pages, decode, pdf_text, render_page, words

HEADER = [
    "ỦY BAN NHÂN DÂN XÃ VĨNH BẢO",
    "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ VĨNH BẢO",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
]
APPLICANT = {
    "name": "Lê Thị Ngọc Ánh",
    "id_number": "031190004321",
    "phone": "0987654321",
    "email": "ngoc.anh@example.vn",
    "address": "Tổ dân phố Đồng Tâm, xã Vĩnh Bảo",
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=VN_TZ)


@pytest.fixture
def story(desk: Desk, clock: FixedClock) -> dict[str, Any]:
    """Dossiers taken through the steps each form reports."""
    desk.add_official("thu", "Phạm Thị Thu Hằng", "official", "2468")
    clock.set(at(20, 9))
    main = desk.receive(intake(applicant=APPLICANT, received_at=at(20, 9).isoformat()), "thu")
    refused = desk.receive(intake(applicant=APPLICANT, procedure="1.001193"), "thu")
    stopped = desk.receive(intake(applicant=APPLICANT), "thu")
    fresh = desk.receive(intake(applicant=APPLICANT), "thu")
    clock.set(at(20, 10))
    desk.transfer(main.code, "thu", to_agency_name="Công chức Tư pháp - Hộ tịch", note="Kèm bản gốc")
    clock.set(at(23, 8))
    desk.request_extra_papers(
        main.code,
        "thu",
        papers=[
            {"name": "Bản sao Giấy khai sinh", "certified": 1},
            {"name": "Giấy xác nhận nơi cư trú", "originals": 1, "copies": 2},
        ],
        reason="Thiếu giấy tờ chứng minh nơi cư trú.",
    )
    clock.set(at(24, 8))
    desk.receive_extra_papers(main.code, "thu")
    clock.set(at(24, 15))
    desk.transfer(main.code, "thu", to_agency_name="Phòng Văn hóa - Xã hội")
    clock.set(at(25, 8))
    moved = desk.move_appointment(
        main.code, "thu", new_due=at(30, 16), reason="Cần xác minh tại nơi cư trú trước đây."
    )
    clock.set(at(26, 8))
    desk.record_result(main.code, "thu", note="Đã ký kết quả")
    clock.set(at(26, 9))
    desk.return_result(main.code, "thu", receiver="Trần Văn Bình")
    desk.refuse(refused.code, "thu", reason="Hồ sơ không thuộc thẩm quyền giải quyết của xã.")
    desk.stop(
        stopped.code,
        "thu",
        reason="Người yêu cầu rút yêu cầu bằng văn bản.",
        legal_basis="Điều 18 Nghị định 118/2025/NĐ-CP",
    )
    return {"main": main, "refused": refused, "stopped": stopped, "fresh": fresh, "moved": moved}


def render(desk: Desk, form: str, code: str, tmp_path: Path) -> tuple[Path, str]:
    pdf = render_form(desk, form, code, tmp_path / f"{form}.pdf", "thu")
    chars_inside_pages(pdf)
    return pdf, pdf_text(pdf)


def test_extra_papers_lists_the_papers_and_the_reason(
    desk: Desk, story: dict[str, Any], tmp_path: Path
) -> None:
    code = story["main"].code
    pdf, text = render(desk, "extra_papers", code, tmp_path)
    for line in [
        *HEADER,
        "Mẫu số 02, ban hành kèm theo Thông tư số 03/2025/TT-VPCP ngày 15/9/2025",
        "Xã Vĩnh Bảo, ngày 23 tháng 11 năm 2026",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Hồ sơ của: Lê Thị Ngọc Ánh",
        "Địa chỉ: Tổ dân phố Đồng Tâm, xã Vĩnh Bảo",
        "Số điện thoại: 0987654321",
        "Email: ngoc.anh@example.vn",
        "Nội dung yêu cầu giải quyết: Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        f"Mã hồ sơ: {code}",
        "Lý do: Thiếu giấy tờ chứng minh nơi cư trú.",
        "Phạm Thị Thu Hằng",
        "Cổng Dịch vụ công quốc gia",
        "NGƯỜI HƯỚNG DẪN",
    ]:
        assert line in text, line
    with pdfplumber.open(str(pdf)) as doc:
        table = next(t for t in doc.pages[0].extract_tables() if t and t[0][0] == "TT")
    assert [[words(c or "") for c in row] for row in table[2:]] == [
        ["1", "Bản sao Giấy khai sinh", "0", "1", "0"],
        ["2", "Giấy xác nhận nơi cư trú", "1", "0", "2"],
    ]
    assert "031190004321" not in text, "the extra-papers slip does not need the ID number"
    assert "số điện thoại …" in text  # no counter phone set: a blank to fill in by hand


def test_extra_papers_gives_the_counter_phone_when_set(
    desk: Desk, story: dict[str, Any], tmp_path: Path
) -> None:
    desk.update_settings(counter_phone="0225 3823 456")
    _, text = render(desk, "extra_papers", story["main"].code, tmp_path)
    assert "số điện thoại 0225 3823 456, để được hướng dẫn" in " ".join(text.split())


def test_refusal_gives_the_reason(desk: Desk, story: dict[str, Any], tmp_path: Path) -> None:
    code = story["refused"].code
    _, text = render(desk, "refusal", code, tmp_path)
    for line in [
        *HEADER,
        "Mẫu số 03",
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "Hồ sơ của: Lê Thị Ngọc Ánh",
        "Nội dung yêu cầu giải quyết: Thủ tục đăng ký khai sinh",
        f"Mã hồ sơ: {code}",
        "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
        "Hồ sơ không thuộc thẩm quyền giải quyết của xã.",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TỪ CHỐI",
        "Xã Vĩnh Bảo, ngày 26 tháng 11 năm 2026",
    ]:
        assert line in text, line


def test_apology_gives_the_new_due_date(desk: Desk, story: dict[str, Any], tmp_path: Path) -> None:
    main = story["main"]
    _, text = render(desk, "apology", main.code, tmp_path)
    for line in [
        *HEADER,
        "Mẫu số 04",
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "Kính gửi: Ông (Bà) Lê Thị Ngọc Ánh",
        "Địa chỉ: Tổ dân phố Đồng Tâm, xã Vĩnh Bảo",
        f"Mã hồ sơ: {main.code}",
        "Vào 09 giờ 00 phút, ngày 20 tháng 11 năm 2026",
        "Lý do: Cần xác minh tại nơi cư trú trước đây.",
        "16 giờ 00 phút, ngày 30 tháng 11 năm 2026",
        "Xã Vĩnh Bảo, ngày 25 tháng 11 năm 2026",
    ]:
        assert line in text, line
    moved = next(e for e in desk.events(main.code) if e.kind == "appointment_moved")
    previous = datetime.fromisoformat(str(moved.payload["previous_due_at"])).astimezone(VN_TZ)
    assert f"thời gian hẹn trả kết quả là {previous:%H} giờ {previous:%M} phút, ngày {previous:%d}" in text


def test_stop_notice_gives_reason_and_legal_basis(desk: Desk, story: dict[str, Any], tmp_path: Path) -> None:
    code = story["stopped"].code
    _, text = render(desk, "stop_notice", code, tmp_path)
    for line in [
        *HEADER,
        "Mẫu số 05",
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "Kính gửi: Ông (Bà) Lê Thị Ngọc Ánh",
        f"Mã hồ sơ: {code}",
        "Lý do: Người yêu cầu rút yêu cầu bằng văn bản.",
        "Căn cứ pháp lý: Điều 18 Nghị định 118/2025/NĐ-CP",
        "phí, lệ phí đã nộp (nếu có)",
    ]:
        assert line in text, line


def test_control_slip_has_one_row_per_hand_over(desk: Desk, story: dict[str, Any], tmp_path: Path) -> None:
    main = story["main"]
    pdf, text = render(desk, "control_slip", main.code, tmp_path)
    for line in [
        *HEADER,
        "Mẫu số 06",
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        f"Mã hồ sơ: {main.code}",
        "Người nộp hồ sơ: Lê Thị Ngọc Ánh",
        "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 20 tháng 11 năm 2026",
        "Thời hạn giải quyết theo quy định: 03 ngày làm việc",
        "Ngày hẹn trả kết quả: 16 giờ 00 phút, ngày 30 tháng 11 năm 2026",
        "TÊN CƠ QUAN",
        "THỜI GIAN GIAO, NHẬN HỒ SƠ",
        "KẾT QUẢ XỬ LÝ HỒ SƠ",
        "GHI CHÚ",
        # hop 1: counter -> commune official; hop 2: -> culture office, from the counter where the
        # citizen brought the extra papers; hop 3: result back
        "1. Giao: Trung tâm Phục vụ hành chính công xã Vĩnh Bảo Nhận: Công chức Tư pháp - Hộ tịch",
        "10 giờ 00 phút, ngày 20 tháng 11 năm 2026",
        "2. Giao: Trung tâm Phục vụ hành chính công xã Vĩnh Bảo Nhận: Phòng Văn hóa - Xã hội",
        "15 giờ 00 phút, ngày 24 tháng 11 năm 2026",
        "3. Giao: Phòng Văn hóa - Xã hội Nhận: Trung tâm Phục vụ hành chính công xã Vĩnh Bảo",
        "08 giờ 00 phút, ngày 26 tháng 11 năm 2026",
        "Trước hạn",
        "NHẬN KẾT QUẢ",
        "Nhận: Trần Văn Bình",
        "Đã trả kết quả",
        "Kèm bản gốc",
        "Đã ký kết quả",
    ]:
        assert line in text, line
    assert text.count("Giao:") == 4, "three hand-overs and the return to the citizen"
    assert "Yêu cầu bổ sung hồ sơ (08:00 23/11/2026): Thiếu giấy tờ chứng minh nơi cư trú." in text
    assert "Hẹn lại ngày trả (08:00 25/11/2026)" in text
    assert decode(render_page(pdf)).get("Code128") == main.code


def test_control_slip_of_a_new_dossier_has_rows_to_fill_by_hand(
    desk: Desk, story: dict[str, Any], tmp_path: Path
) -> None:
    _, text = render(desk, "control_slip", story["fresh"].code, tmp_path)
    assert "1. Giao: Trung tâm Phục vụ hành chính công xã Vĩnh Bảo" in text
    assert "2. Giao:" in text and "3. Giao:" in text
    assert "NHẬN KẾT QUẢ" in text and "Nhận: Tổ chức, cá nhân" in text
    assert text.count("Người giao") == 4


def test_a_result_settled_without_a_transfer_comes_from_the_deciding_authority(
    desk: Desk, tmp_path: Path
) -> None:
    # A same-day paper: no transfer recorded. The slip read "Giao: Trung tâm … Nhận: Trung tâm …".
    code = desk.receive(intake(), "thu").code
    desk.record_result(code, "thu")
    _, text = render(desk, "control_slip", code, tmp_path)
    assert "1. Giao: Ủy ban nhân dân xã Vĩnh Bảo Nhận: Trung tâm Phục vụ hành chính công xã Vĩnh Bảo" in text


def test_a_note_split_across_pages_keeps_inside_its_cell(
    desk: Desk, clock: FixedClock, tmp_path: Path
) -> None:
    # A long reason makes the first hand-over's notes run over pages; the parts of the split row
    # were wrapped to the column's width without its padding and crossed the table's right rule.
    code = desk.receive(intake(), "thu").code
    desk.transfer(code, "thu", to_agency_name="Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường")
    reason = "Hồ sơ thiếu thành phần theo quy định tại Điều 95 Luật Xây dựng năm 2014 được sửa đổi. " * 10
    for _ in range(3):
        clock.set(clock.now + timedelta(hours=1))
        desk.request_extra_papers(code, "thu", papers=["Bản vẽ thiết kế"], reason=reason)
        clock.set(clock.now + timedelta(hours=1))
        desk.receive_extra_papers(code, "thu", note=reason)
    pdf = render_form(desk, "control_slip", code, tmp_path / "slip.pdf", "thu")
    right_rule = 595.28 - layout.theme("A4").right  # the table spans the frame
    with pdfplumber.open(pdf) as doc:
        assert len(doc.pages) >= 2  # the row was split
        for page in doc.pages:
            overrun = [ch["text"] for ch in page.chars if ch["x1"] > right_rule + 0.5]
            assert not overrun, (page.page_number, "".join(overrun))


@pytest.mark.parametrize("paper", ["A4", "A5"])
def test_a_control_slip_takes_one_sheet_when_blank_rows_alone_would_take_two(
    desk: Desk, tmp_path: Path, paper: str
) -> None:
    # Chứng thực chữ ký with an owner: the third blank hand-over row pushed "NHẬN KẾT QUẢ" onto a
    # second sheet of its own, which gets lost as the file moves from desk to desk.
    owner = {"name": "Phạm Văn Tư", "id_number": "031190005678", "address": "Thôn Tây, xã Vĩnh Bảo"}
    code = desk.receive(intake(procedure="2.000884", owner=owner), "thu").code
    pdf = render_form(desk, "control_slip", code, tmp_path / "slip.pdf", "thu", paper=paper)
    with pdfplumber.open(pdf) as doc:
        assert len(doc.pages) == 1
    text = pdf_text(pdf)
    assert "NHẬN KẾT QUẢ" in text and "1. Giao: Trung tâm Phục vụ hành chính công xã Vĩnh Bảo" in text


@pytest.mark.parametrize(
    ("form", "kind"),
    [("extra_papers", "fresh"), ("refusal", "fresh"), ("apology", "refused"), ("stop_notice", "main")],
)
def test_nothing_to_print_is_a_rule_error(
    desk: Desk, story: dict[str, Any], tmp_path: Path, form: str, kind: str
) -> None:
    target = tmp_path / "none.pdf"
    with pytest.raises(RuleError) as err:
        render_form(desk, form, story[kind].code, target, "thu")
    assert story[kind].code in err.value.message
    assert not target.exists()


def test_numbering_follows_the_setting(desk: Desk, story: dict[str, Any], tmp_path: Path) -> None:
    desk.update_settings(forms_basis="01/2018")
    main = story["main"]
    _, slip = render(desk, "control_slip", main.code, tmp_path)
    assert "Mẫu số 05, ban hành kèm theo Thông tư số 01/2018/TT-VPCP, ngày 23/11/2018" in slip
    _, apology = render(desk, "apology", main.code, tmp_path)
    assert "Mẫu số 04" in apology and "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in apology
    _, stop = render(desk, "stop_notice", story["stopped"].code, tmp_path)
    assert "Mẫu số" not in stop and "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in stop


def test_form_table_covers_every_form_under_both_circulars() -> None:
    numbers = {
        "03/2025": ["01", "02", "03", "04", "05", "06", "07"],
        "01/2018": ["01", "02", "03", "04", None, "05", "06"],
    }
    for basis, expected in numbers.items():
        got = [form_name(basis, form).number for form in (*FORMS, "logbook")]
        assert got == expected
    assert form_name("03/2025", "receipt").line == (
        "Mẫu số 01, ban hành kèm theo Thông tư số 03/2025/TT-VPCP ngày 15/9/2025"
    )


@pytest.mark.parametrize("form", FORMS)
def test_every_form_on_a5(desk: Desk, story: dict[str, Any], tmp_path: Path, form: str) -> None:
    code = {"refusal": story["refused"].code, "stop_notice": story["stopped"].code}.get(
        form, story["main"].code
    )
    pdf = render_form(desk, form, code, tmp_path / f"{form}.pdf", "thu", paper="A5")
    chars_inside_pages(pdf)
    assert all(line in pdf_text(pdf) for line in HEADER)


def test_an_organisation_is_addressed_by_its_name(desk: Desk, tmp_path: Path) -> None:
    d = desk.receive(
        intake(
            applicant={
                "kind": "organisation",
                "name": "Hợp tác xã Nông nghiệp Đông Hưng",
                "id_number": "0201234567",
                "representative": "Lê Văn Ước",
                "address": "Thôn Đông Hưng, xã Vĩnh Bảo",
            }
        ),
        "thu",
    )
    desk.move_appointment(d.code, "thu", new_due=d.due_at + timedelta(days=2), reason="Cần xác minh thêm.")
    _, text = render(desk, "apology", d.code, tmp_path)
    assert "Kính gửi: Hợp tác xã Nông nghiệp Đông Hưng" in text
    assert "Ông (Bà) Hợp tác xã" not in text


def test_the_documents_heading_is_never_left_alone_at_the_foot_of_a_page(desk: Desk, tmp_path: Path) -> None:
    """ "Thành phần hồ sơ nộp gồm:" ended an A5 page with its table on the next one: whatever the
    length of what comes before it, the heading stands on the page where its table starts."""
    import pypdf

    place = "Số nhà 123/45 ngõ 89 đường Nguyễn Bỉnh Khiêm, tổ dân phố Đông Thái, xã Vĩnh Bảo, Hải Phòng; "
    desk.update_settings(
        agency_name="Bộ phận Tiếp nhận và Trả kết quả thuộc Trung tâm Phục vụ hành chính công " * 2
    )
    firm = "Công ty Trách nhiệm hữu hạn Một thành viên Thương mại Dịch vụ Xây dựng và Đầu tư Phát triển "
    person = "Nguyễn Thị Phương Thảo Hoàng Trần Lê Phạm Huỳnh Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý "
    company = {
        "kind": "organisation",
        "name": (firm * 2)[:150],
        "representative": (person * 2)[:150],
        "id_number": "0201234567",
        "phone": "0912345678",
        "email": "phuongthao.nguyen@congtyxaydungvinhbao.com.vn",
        "address": (place * 4)[:300],
    }
    owner = {"name": (person * 2)[10:160], "address": (place * 4)[:300]}
    deciding = ("Ủy ban nhân dân xã Vĩnh Bảo (Phòng Kinh tế, Hạ tầng và Đô thị) " * 4)[:200]
    text = "Xin cấp giấy phép xây dựng nhà ở riêng lẻ bốn tầng tại thửa đất số 123 " * 8
    orphaned, pages = [], set()
    for length in range(0, 500, 25):  # a summary of growing length pushes the heading down the page
        d = desk.receive(
            intake(
                procedure="1.013225",
                applicant=company,
                owner=owner,
                deciding_agency=deciding.strip(),
                summary=text[:length].strip(),
            ),
            "thu",
        )
        pdf = render_form(desk, "receipt", d.code, tmp_path / f"r{length}.pdf", "thu", paper="A5")
        for number, page in enumerate(pypdf.PdfReader(str(pdf)).pages):
            body = [line for line in (page.extract_text() or "").splitlines() if line.strip()]
            body = [line for line in body if not line.startswith("Trang ")]
            if any("Thành phần hồ sơ nộp gồm:" in line for line in body):
                pages.add(number)
            if body and body[-1].strip().endswith("Thành phần hồ sơ nộp gồm:"):
                orphaned.append(length)
    assert pages == {0, 1}  # the heading went over the foot of the first page somewhere in the range
    assert orphaned == []


@pytest.mark.parametrize("form", ["receipt", "refusal", "stop_notice", "control_slip"])
def test_a_reprint_after_a_rename_names_the_centre_its_superior_and_place_as_on_the_day(
    desk: Desk, story: dict[str, Any], tmp_path: Path, form: str
) -> None:
    # The two-level reform merged communes: the settings now name the new commune. A reprint of an
    # earlier dossier printed the old centre under the new People's Committee, dated in the new place.
    desk.update_settings(
        agency_name="Trung tâm Phục vụ hành chính công xã Hòa Bình",
        deciding_agency_name="Ủy ban nhân dân xã Hòa Bình",
        place_name="xã Hòa Bình",
    )
    code = {"receipt": "fresh", "refusal": "refused", "stop_notice": "stopped", "control_slip": "main"}[form]
    _, text = render(desk, form, story[code].code, tmp_path)
    for line in HEADER:
        assert line in text, line
    assert "Xã Vĩnh Bảo, ngày" in text
    assert "HÒA BÌNH" not in text and "Hòa Bình" not in text
    # A dossier received after the rename is printed under the new names.
    fresh = desk.receive(intake(applicant=APPLICANT), "thu")
    _, text = render(desk, "receipt", fresh.code, tmp_path)
    assert "ỦY BAN NHÂN DÂN XÃ HÒA BÌNH" in text and "Xã Hòa Bình, ngày" in text
