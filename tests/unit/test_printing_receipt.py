"""The receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả): every field DOMAIN.md §2 lists, read back
from the PDF; the Code 128 barcode and the QR code read by a real decoder from a 150 dpi image;
Vietnamese text, long names and addresses; fonts, file mode and the access log."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pdfplumber
import pypdf
import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import to_vn
from counter_app.domain.errors import NotFoundError, RuleError, ValidationError
from printing import FORMS, render_form
from tests.conftest import intake
from tests.unit.test_printing_support import (
    VIETNAMESE_LETTERS,
    chars_inside_pages,
    decode,
    embedded_fonts,
    file_mode,
    pdf_text,
    render_page,
    words,
)

DOCUMENTS = [
    {"name": "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "originals": 1},
    {"name": "Bản sao Căn cước của người yêu cầu", "certified": 2},
    {"name": "Giấy tờ chứng minh nơi cư trú", "originals": 1, "copies": 3},
]
APPLICANT = {
    "name": "Đặng Thị Hoà",
    "id_number": "031190001234",
    "phone": "0912345678",
    "email": "hoa.dang@example.vn",
    "address": "Thôn Đông, xã Vĩnh Bảo, thành phố Hải Phòng",
}


def long_time(at: datetime) -> str:
    at = to_vn(at)
    return f"{at:%H} giờ {at:%M} phút, ngày {at:%d} tháng {at:%m} năm {at:%Y}"


@pytest.fixture
def received(desk: Desk) -> Any:
    return desk.receive(
        intake(
            applicant=APPLICANT,
            owner={"name": "Trần Văn Bình", "address": "Thôn Tây, xã Vĩnh Bảo"},
            documents=DOCUMENTS,
            sets=2,
        ),
        "cb1",
    )


def test_receipt_prints_every_field(desk: Desk, received: Any, tmp_path: Path) -> None:
    pdf = render_form(desk, "receipt", received.code, tmp_path / "r.pdf", "cb1")
    text = pdf_text(pdf)
    expected = [
        # header and form line
        "Mẫu số 01, ban hành kèm theo Thông tư số 03/2025/TT-VPCP ngày 15/9/2025",
        "ỦY BAN NHÂN DÂN XÃ VĨNH BẢO",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ VĨNH BẢO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Xã Vĩnh Bảo, ngày 25 tháng 11 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        # code and applicant
        f"Mã hồ sơ: {received.code}",
        "Tiếp nhận hồ sơ của Ông (Bà): Đặng Thị Hoà",
        "Địa chỉ: Thôn Đông, xã Vĩnh Bảo, thành phố Hải Phòng",
        "Số điện thoại: 0912345678",
        "Email: hoa.dang@example.vn",
        "Số căn cước/Hộ chiếu: 031190001234",
        # request and owner
        "Nội dung yêu cầu giải quyết: Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        "Chủ hồ sơ: Trần Văn Bình; địa chỉ: Thôn Tây, xã Vĩnh Bảo",
        # counts, limits, times
        "Số lượng hồ sơ: 02 bộ",
        f"Thời gian giải quyết hồ sơ theo quy định: {received.legal_limit}",
        f"Thời gian nhận hồ sơ: {long_time(received.received_at)}",
        "Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 25 tháng 11 năm 2026",
        f"Thời gian trả kết quả giải quyết hồ sơ: {long_time(received.due_at)}",
        "Đăng ký nhận kết quả tại: Trung tâm Phục vụ hành chính công xã Vĩnh Bảo",
        f"Phí, lệ phí (nếu có): {words(received.fee_text)}",
        f"Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: {received.logbook_entry} (quầy số 2)",
        # signatures
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
    ]
    for line in expected:
        assert line in text, line
    assert text.count("(Ký và ghi rõ họ tên)") == 2
    assert received.legal_limit == "03 ngày làm việc"
    # The order of DOMAIN.md §2.
    order = [
        "Mã hồ sơ",
        "Tiếp nhận hồ sơ của",
        "Nội dung yêu cầu",
        "Thành phần hồ sơ",
        "Số lượng hồ sơ",
        "Thời gian giải quyết",
        "Thời gian nhận",
        "Thời gian trả",
        "Đăng ký nhận",
        "Phí, lệ phí",
        "Vào Sổ theo dõi",
        "NGƯỜI NỘP HỒ SƠ",
    ]
    positions = [text.index(label) for label in order]
    assert positions == sorted(positions)


def test_receipt_documents_table_has_every_count(desk: Desk, received: Any, tmp_path: Path) -> None:
    pdf = render_form(desk, "receipt", received.code, tmp_path / "r.pdf", "cb1")
    with pdfplumber.open(str(pdf)) as doc:
        tables = doc.pages[0].extract_tables()
    table = next(t for t in tables if any(row and row[0] == "TT" for row in t))
    rows = [[words(c or "") for c in row] for row in table]
    assert rows[0][:3] == ["TT", "Thành phần hồ sơ", "Số lượng"]
    text = pdf_text(pdf)
    for head in ("Bản chính", "Bản chứng thực", "Bản photo"):  # merged head cells confuse pdfplumber
        assert head in text
    assert rows[2:] == [
        ["1", "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", "1", "0", "0"],
        ["2", "Bản sao Căn cước của người yêu cầu", "0", "2", "0"],
        ["3", "Giấy tờ chứng minh nơi cư trú", "1", "0", "3"],
    ]


@pytest.mark.parametrize("paper", ["A4", "A5"])
def test_barcode_scans_at_150_dpi(desk: Desk, received: Any, tmp_path: Path, paper: str) -> None:
    pdf = render_form(desk, "receipt", received.code, tmp_path / "r.pdf", "cb1", paper=paper)
    assert decode(render_page(pdf, dpi=150)).get("Code128") == received.code
    assert decode(render_page(pdf, dpi=300)).get("Code128") == received.code


@pytest.mark.parametrize("paper", ["A4", "A5"])
def test_the_longest_code_a_pattern_gives_still_scans_on_its_paper(
    desk: Desk, tmp_path: Path, paper: str
) -> None:
    """A 45-character code at 1/75 inch a module ran from edge to edge of an A5 sheet and no
    decoder read it: the bars narrow to fit the frame."""
    desk.update_settings(
        agency_id="ABCDEF.ABCDEF.ABCDEF.H56ABC", code_pattern="{agency}-{date}-{counter}-{seq}"
    )
    code = desk.receive(intake(), "Cán bộ Lan").code
    assert len(code) >= 40
    pdf = render_form(desk, "receipt", code, tmp_path / "r.pdf", "cb1", paper=paper)
    assert decode(render_page(pdf, dpi=300)).get("Code128") == code
    assert decode(render_page(pdf, dpi=600)).get("Code128") == code


def test_paper_sizes(desk: Desk, received: Any, tmp_path: Path) -> None:
    a4 = pypdf.PdfReader(str(render_form(desk, "receipt", received.code, tmp_path / "a4.pdf", "cb1")))
    assert [round(float(v)) for v in a4.pages[0].mediabox[2:]] == [595, 842]
    desk.update_settings(paper_size="A5")
    a5 = pypdf.PdfReader(str(render_form(desk, "receipt", received.code, tmp_path / "a5.pdf", "cb1")))
    assert [round(float(v)) for v in a5.pages[0].mediabox[2:]] == [420, 595]
    assert len(a5.pages) == 1, "a receipt of three papers fits one A5 page"


def test_qr_code_with_the_lookup_address(desk: Desk, received: Any, tmp_path: Path) -> None:
    plain = render_form(desk, "receipt", received.code, tmp_path / "plain.pdf", "cb1")
    assert "QRCode" not in decode(render_page(plain))
    desk.update_settings(lookup_url="https://dichvucong.haiphong.gov.vn/tra-cuu?ma={code}")
    for paper in ("A4", "A5"):
        pdf = render_form(desk, "receipt", received.code, tmp_path / f"qr{paper}.pdf", "cb1", paper=paper)
        found = decode(render_page(pdf, dpi=150))
        assert found["QRCode"] == f"https://dichvucong.haiphong.gov.vn/tra-cuu?ma={received.code}"
        assert found["Code128"] == received.code


def test_every_vietnamese_letter_survives_extraction(desk: Desk, tmp_path: Path) -> None:
    lower = VIETNAMESE_LETTERS
    upper = lower.upper()
    name = " ".join(lower[i : i + 6] for i in range(0, 72, 6))
    address = " ".join(upper[i : i + 8] for i in range(0, len(upper), 8)) + " " + lower[72:]
    d = desk.receive(intake(applicant={**APPLICANT, "name": name, "address": address}), "cb1")
    pdf = render_form(desk, "receipt", d.code, tmp_path / "r.pdf", "cb1")
    text = pdf_text(pdf)
    assert f"Tiếp nhận hồ sơ của Ông (Bà): {name}" in text
    assert f"Địa chỉ: {address}" in text
    assert set(lower + upper) <= set(text)


def test_very_long_name_and_address_wrap_inside_the_page(desk: Desk, tmp_path: Path) -> None:
    name = ("Nguyễn Hoàng Thị Phương Thảo Ánh Nguyệt " * 5).strip()[:150].strip()
    address = ("Số nhà 1234, ngõ 567, ngách 89, đường Nguyễn Thị Minh Khai, tổ dân phố số 8, " * 5)[
        :300
    ].strip()
    email = "nguyen.hoang.thi.phuong.thao.anh.nguyet.rat.dai@example.vn"
    long_doc = "Giấy tờ chứng minh " + "quan hệ nhân thân và nơi cư trú hợp pháp " * 6
    d = desk.receive(
        intake(
            applicant={**APPLICANT, "name": name, "address": address, "email": email},
            documents=[{"name": long_doc.strip(), "originals": 1}],
        ),
        "cb1",
    )
    for paper in ("A4", "A5"):
        pdf = render_form(desk, "receipt", d.code, tmp_path / f"{paper}.pdf", "cb1", paper=paper)
        text = pdf_text(pdf)
        assert name in text and address in text and words(long_doc) in text
        assert email in text.replace(" ", "")
        chars_inside_pages(pdf)
        with pdfplumber.open(str(pdf)) as doc:
            page = doc.pages[0]
            right_margin = 15 if paper == "A4" else 9
            for ch in page.chars:
                assert ch["x1"] <= page.width - right_margin * 72 / 25.4 + 1, ch["text"]


def test_markup_characters_are_printed_literally(desk: Desk, tmp_path: Path) -> None:
    address = 'Số 5 & 7 <Khu A> "Đông", xã Vĩnh Bảo'
    d = desk.receive(intake(applicant={**APPLICANT, "address": address}), "cb1")
    text = pdf_text(render_form(desk, "receipt", d.code, tmp_path / "r.pdf", "cb1"))
    assert f"Địa chỉ: {address}" in text


def test_organisation_applicant_and_post_return(desk: Desk, tmp_path: Path) -> None:
    d = desk.receive(
        intake(
            procedure="1.001612",
            applicant={
                "name": "Hợp tác xã Nông nghiệp Đông Hưng",
                "kind": "organisation",
                "representative": "Lê Văn Ước",
                "phone": "02253888999",
                "address": "Thôn Đông Hưng, xã Vĩnh Bảo",
            },
            return_method="post",
        ),
        "cb1",
    )
    text = pdf_text(render_form(desk, "receipt", d.code, tmp_path / "org.pdf", "cb1"))
    assert "Tiếp nhận hồ sơ của tổ chức: Hợp tác xã Nông nghiệp Đông Hưng" in text
    assert "Người đại diện: Lê Văn Ước" in text
    assert "Đăng ký nhận kết quả tại: Qua dịch vụ bưu chính công ích" in text
    # The body signs through its representative: his name stands under "NGƯỜI NỘP HỒ SƠ".
    tail = text[text.index("NGƯỜI NỘP HỒ SƠ") :]
    assert "Lê Văn Ước" in tail and "Hợp tác xã Nông nghiệp Đông Hưng" not in tail


def test_fonts_are_embedded_subsets(desk: Desk, received: Any, tmp_path: Path) -> None:
    pdf = render_form(desk, "receipt", received.code, tmp_path / "r.pdf", "cb1")
    fonts = embedded_fonts(pdf)
    assert fonts, "the page uses fonts"
    for name, embedded in fonts:
        assert embedded, f"{name} is not embedded"
        assert "+" in name, f"{name} is not a subset"
    assert not any("Helvetica" in n or "Times" in n for n, _ in fonts)


def test_file_is_private_and_the_print_is_logged(desk: Desk, received: Any) -> None:
    pdf = render_form(desk, "receipt", received.code, actor="Phạm Thu Hằng")
    assert pdf.parent == Path(__import__("os").environ["COUNTER_OUTPUT_DIR"])
    assert pdf.name == f"receipt_{received.code}.pdf"
    assert file_mode(pdf) == 0o600
    log = desk.access_log(received.code)
    assert any(e.actor == "Phạm Thu Hằng" and e.action == "print" and e.detail == "receipt" for e in log)
    assert not list(pdf.parent.glob(".tmp-*")), "no temporary file left behind"


def test_signature_names_come_from_known_officials(desk: Desk, tmp_path: Path) -> None:
    desk.add_official("lan", "Vũ Thị Lan", "official", "2468")
    d = desk.receive(intake(applicant=APPLICANT), "lan")
    text = pdf_text(render_form(desk, "receipt", d.code, tmp_path / "r.pdf", "lan"))
    assert text.rstrip().endswith("Đặng Thị Hoà Vũ Thị Lan") or "Vũ Thị Lan" in text
    other = desk.receive(intake(applicant=APPLICANT), "root")
    assert "root" not in pdf_text(render_form(desk, "receipt", other.code, tmp_path / "o.pdf", "x"))


def test_unknown_form_and_unknown_dossier(desk: Desk, received: Any) -> None:
    assert FORMS == ("receipt", "extra_papers", "refusal", "apology", "stop_notice", "control_slip")
    with pytest.raises(ValidationError):
        render_form(desk, "logbook", received.code)
    with pytest.raises(NotFoundError):
        render_form(desk, "receipt", "000.00.11.H26-261125-2999")


def test_code_typed_in_lower_case_or_with_spaces(desk: Desk, received: Any, tmp_path: Path) -> None:
    pdf = render_form(desk, "receipt", f"  {received.code.lower()} ", tmp_path / "r.pdf", "cb1")
    assert f"Mã hồ sơ: {received.code}" in pdf_text(pdf)


def test_a_receipt_that_runs_over_keeps_the_appointment_on_page_one(desk: Desk, tmp_path: Path) -> None:
    # An adoption with an owner (six papers) takes two A4 pages; the seven closing lines all moved
    # with the signatures, so the appointment was on the second sheet and a third of the first blank.
    # (Three papers more than the catalog's: its fee line shortened to the amount taken.)
    owner = {"name": "Nguyễn Văn Phú", "address": "Thôn Hạ, xã Vĩnh Bảo, thành phố Hải Phòng"}
    adoption = desk.catalog.get("2.001263")
    assert adoption is not None
    papers = [{"name": p.name, "originals": 1} for p in adoption.documents] + DOCUMENTS
    dossier = intake(procedure="2.001263", applicant=APPLICANT, owner=owner, documents=papers)
    code = desk.receive(dossier, "lan").code
    pdf = render_form(desk, "receipt", code, tmp_path / "r.pdf", "lan", paper="A4")
    with pdfplumber.open(pdf) as doc:
        pages = [page.extract_text() or "" for page in doc.pages]
    assert len(pages) == 2
    assert "Thời gian trả kết quả" in pages[0]
    assert "NGƯỜI NỘP HỒ SƠ" in pages[-1] and "Vào Sổ theo dõi hồ sơ" in pages[-1]


def test_a_refused_dossier_has_no_receipt(desk: Desk, received: Any, tmp_path: Path) -> None:
    desk.refuse(received.code, "lan", reason="Hồ sơ không thuộc thẩm quyền giải quyết của xã")
    with pytest.raises(RuleError, match="không được tiếp nhận"):
        render_form(desk, "receipt", received.code, tmp_path / "r.pdf", "lan")
    assert not (tmp_path / "r.pdf").exists()


def test_a_dossier_refused_after_extra_papers_on_its_day_keeps_its_receipt(
    desk: Desk, received: Any, tmp_path: Path
) -> None:
    """Refused on the day it came but after the citizen brought extra papers: it had been received,
    so its receipt prints again, saying the appointment no longer holds."""
    desk.request_extra_papers(received.code, "lan", papers=["Giấy A"], reason="Thiếu")
    desk.receive_extra_papers(received.code, "lan")
    desk.refuse(received.code, "lan", reason="Giấy tờ giả mạo")
    text = " ".join(pdf_text(render_form(desk, "receipt", received.code, tmp_path / "r.pdf", "lan")).split())
    assert "Hồ sơ đã bị từ chối giải quyết lúc" in text and "không còn hiệu lực" in text


@pytest.mark.parametrize(("step", "said"), [("withdraw", "được rút"), ("stop", "dừng giải quyết")])
def test_a_receipt_printed_after_a_withdrawal_or_a_stop_says_the_appointment_is_void(
    desk: Desk, received: Any, tmp_path: Path, step: str, said: str
) -> None:
    getattr(desk, step)(received.code, "lan", reason="Công dân xin rút hồ sơ")
    text = pdf_text(render_form(desk, "receipt", received.code, tmp_path / "r.pdf", "lan"))
    assert f"Hồ sơ đã {said}" in " ".join(text.split())
    assert "không còn hiệu lực" in text
    untouched = desk.receive(intake(), "lan")
    assert "không còn hiệu lực" not in pdf_text(
        render_form(desk, "receipt", untouched.code, tmp_path / "u.pdf", "lan")
    )


def test_the_fee_line_states_what_this_citizen_paid_not_the_whole_schedule(
    desk: Desk, tmp_path: Path
) -> None:
    # 1.004222's catalog wording names two rates: 20.000 at the counter, 10.000 online. A receipt
    # printed both, so the citizen could not tell which one was taken.
    schedule = desk.catalog.get("1.004222")
    assert schedule is not None and "10.000" in schedule.fee.text
    at_default = desk.receive(intake(procedure="1.004222"), "cb1")
    line = fee_line(render_form(desk, "receipt", at_default.code, tmp_path / "a.pdf", "cb1"))
    assert line == "Phí, lệ phí (nếu có): 20.000 đồng (nộp trực tiếp)"
    # An amount the catalog does not name is printed as the amount, with the schedule beside it.
    typed = desk.receive(intake(procedure="1.004222", fee=15000), "cb1")
    line = fee_line(render_form(desk, "receipt", typed.code, tmp_path / "b.pdf", "cb1"))
    assert line == "Phí, lệ phí (nếu có): 15.000 đồng"


def fee_line(pdf: Path) -> str:
    text = words(pdf_text(pdf))
    start = text.index("Phí, lệ phí")
    return text[start : text.index("Vào Sổ", start)].strip()
