"""Every Vietnamese word the printed forms show, and how dates, times and sums are written on them.

Kept in one module (STYLE.md, "Names"): the layout code names things in English and takes its text
from here. Form numbers and titles are data (``data/forms.json``), keyed by the circular the
commune follows (setting ``forms_basis``) and the form's purpose.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources

from counter_app.domain.calendar import WEEKDAYS, to_vn
from counter_app.domain.text import money, thousands
from counter_app.domain.validation import PERIOD_BACKWARDS

FORMS: tuple[str, ...] = (
    "receipt",
    "extra_papers",
    "refusal",
    "apology",
    "stop_notice",
    "control_slip",
)
"""The per-dossier forms, by purpose (the logbook is printed by :func:`printing.render_logbook`)."""

ALL_FORMS = (*FORMS, "logbook")


@dataclass(frozen=True)
class FormName:
    """How one form is numbered and titled under one circular."""

    number: str | None
    """"01" ...; None when the circular has no such form (no form line is printed)."""
    title: str
    """The title, sentence case; printed upper case."""
    citation: str
    """The circular, e.g. "Thông tư số 03/2025/TT-VPCP ngày 15/9/2025"."""

    @property
    def line(self) -> str:
        """The form line printed at the top right, or "" when the form has no number."""
        if not self.number:
            return ""
        return f"Mẫu số {self.number}, ban hành kèm theo {self.citation}"


@functools.cache
def _forms_table() -> dict[str, dict[str, FormName]]:
    raw = json.loads(resources.files("printing").joinpath("data", "forms.json").read_text(encoding="utf-8"))
    table: dict[str, dict[str, FormName]] = {}
    for basis, entry in raw["bases"].items():
        table[basis] = {
            form: FormName(spec["number"], spec["title"], entry["citation"])
            for form, spec in entry["forms"].items()
        }
    return table


FORM_EVENT = {
    "extra_papers": "extra_papers_requested",
    "refusal": "refused",
    "apology": "appointment_moved",
    "stop_notice": "stopped",
}
"""The step a form reports (the latest one is printed), and so the paper that step gives the citizen."""


def form_name(basis: str, form: str) -> FormName:
    """The number and title of ``form`` under the circular ``basis`` ("03/2025" or "01/2018").

    Raises:
        KeyError: an unknown basis or form (settings validation keeps the basis known).
    """
    return _forms_table()[basis][form]


def form_bases() -> tuple[str, ...]:
    """The circulars the data table knows."""
    return tuple(_forms_table())


# -- header ------------------------------------------------------------------------------------------

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

# -- labels shared by several forms -----------------------------------------------------------------

CODE = "Mã hồ sơ"
ADDRESS = "Địa chỉ"
PHONE = "Số điện thoại"
EMAIL = "Email"
ID_PERSON = "Số căn cước/Hộ chiếu"
ID_ORGANISATION = "Mã số doanh nghiệp/Số giấy phép"
REPRESENTATIVE = "Người đại diện"
REQUEST = "Nội dung yêu cầu giải quyết"
OWNER = "Chủ hồ sơ"
SIGN_HINT = "(Ký và ghi rõ họ tên)"
SIGN_SEAL_HINT = "(Ký, ghi rõ họ tên và đóng dấu)"
DOCS_NO = "TT"
DOCS_NAME = "Thành phần hồ sơ"
DOCS_COUNT = "Số lượng"
DOCS_ORIGINALS = "Bản chính"
DOCS_CERTIFIED = "Bản chứng thực"
DOCS_COPIES = "Bản photo"
DOCS_SHOWN = "(xuất trình)"
"""In the count columns of a paper only shown, not handed in (all counts 0), as on the dossier screen."""
DOCS_NONE = "Không có giấy tờ nào."
NOTHING = "Không"
WAIVED = "Miễn"
"""The fee line of a dossier whose fee was waived at intake (0 entered): the word the intake screen
shows for a procedure without a fee."""
BLANK = "…………………………"
QR_HINT = "Quét mã để tra cứu"
PAGE_OF = "Trang {n}/{total}"

# -- receipt -----------------------------------------------------------------------------------------

RECEIPT_FROM_PERSON = "Tiếp nhận hồ sơ của Ông (Bà)"
RECEIPT_FROM_ORGANISATION = "Tiếp nhận hồ sơ của tổ chức"
RECEIPT_DOCUMENTS = "Thành phần hồ sơ nộp gồm:"
RECEIPT_SETS = "Số lượng hồ sơ"
RECEIPT_SETS_VALUE = "{n} bộ"
RECEIPT_LIMIT = "Thời gian giải quyết hồ sơ theo quy định"
RECEIPT_RECEIVED = "Thời gian nhận hồ sơ"
RECEIPT_DUE = "Thời gian trả kết quả giải quyết hồ sơ"
RECEIPT_RETURN = "Đăng ký nhận kết quả tại"
RECEIPT_FEE = "Phí, lệ phí (nếu có)"
RECEIPT_LOGBOOK = "Vào Sổ theo dõi hồ sơ, Quyển số: {volume}, Số thứ tự: {entry} (quầy số {counter})"
"""Each counter numbers its own book: the counter tells two receipts of one number apart (the
commune's logbook prints them as 15 Q2 and 15 Q3)."""
SIGN_SUBMITTER = "NGƯỜI NỘP HỒ SƠ"
SIGN_RECEIVER = "NGƯỜI TIẾP NHẬN HỒ SƠ"

# -- extra papers ------------------------------------------------------------------------------------

EXTRA_OF = "Hồ sơ của"
EXTRA_INTRO = (
    "Sau khi nghiên cứu, đối chiếu với quy định hiện hành, đề nghị {you} bổ sung, hoàn thiện "
    "hồ sơ gồm những nội dung sau:"
)
EXTRA_REASON = "Lý do"
EXTRA_WHERE = (
    "Thông tin về thủ tục hành chính được công khai tại {agency} và trên Cổng Dịch vụ công "
    "quốc gia. Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, {you} liên hệ "
    "{official}, số điện thoại {phone}, để được hướng dẫn."
)
EXTRA_OFFICIAL_UNKNOWN = "cán bộ hướng dẫn"
EXTRA_REQUESTED_AT = "Ngày yêu cầu bổ sung"
SIGN_GUIDE = "NGƯỜI HƯỚNG DẪN"

# -- refusal -----------------------------------------------------------------------------------------

REFUSAL_BODY = (
    "Sau khi xem xét, {agency} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:"
)
REFUSAL_HELP = (
    "Xin thông báo để {you} được biết. Mọi vướng mắc xin liên hệ {agency}{phone} để được hướng dẫn."
)
REFUSAL_HELP_PHONE = ", số điện thoại {phone},"
"""Inside :data:`REFUSAL_HELP` when the counter's phone is set (setting ``counter_phone``)."""
SIGN_REFUSER = "NGƯỜI TỪ CHỐI"

# -- apology -----------------------------------------------------------------------------------------

APOLOGY_TO = "Kính gửi"
SIR_OR_MADAM = "Ông (Bà)"
ORGANISATION_YOU = "Quý cơ quan, tổ chức"
"""How the forms address an organisation applicant in their text (a citizen: :data:`SIR_OR_MADAM`)."""
APOLOGY_BODY = (
    "Vào {received}, {agency} tiếp nhận hồ sơ của {you} đề nghị giải quyết thủ tục "
    "«{procedure}», mã hồ sơ {code}; thời gian hẹn trả kết quả là {previous_due}."
)
APOLOGY_REASON = "Tuy nhiên đến nay hồ sơ chưa được giải quyết xong. Lý do"
APOLOGY_SORRY = "{agency} xin lỗi {you} vì sự chậm trễ này và xin hẹn lại thời gian trả kết quả: "
APOLOGY_THANKS = "Rất mong nhận được sự thông cảm của {you}."
SIGN_AGENCY = "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"

# -- stop notice -------------------------------------------------------------------------------------

STOP_BODY = "{agency} thông báo dừng giải quyết hồ sơ nêu trên."
STOP_REASON = "Lý do"
STOP_BASIS = "Căn cứ pháp lý"
STOP_AFTER = (
    "Hồ sơ, giấy tờ đã nộp được trả lại cho {you} tại {agency}; phí, lệ phí đã nộp (nếu có) "
    "được xử lý theo quy định của pháp luật."
)

# -- control slip ------------------------------------------------------------------------------------

SLIP_SUBMITTER = "Người nộp hồ sơ"
SLIP_RECEIVED = "Ngày nhận hồ sơ"
SLIP_DUE = "Ngày hẹn trả kết quả"
SLIP_RULE_DUE = "Hạn giải quyết theo quy định"  # when an apology moved the appointment past it
SLIP_LIMIT = "Thời hạn giải quyết theo quy định"
SLIP_AGENCY = "TÊN CƠ QUAN"
SLIP_TIME = "THỜI GIAN GIAO, NHẬN HỒ SƠ"
SLIP_RESULT = "KẾT QUẢ XỬ LÝ HỒ SƠ (Trước hạn/đúng hạn/quá hạn)"
SLIP_NOTES = "GHI CHÚ"
SLIP_GIVE = "Giao"
SLIP_TAKE = "Nhận"
SLIP_GIVER = "Người giao"
SLIP_TAKER = "Người nhận"
SLIP_COLLECT = "NHẬN KẾT QUẢ"
SLIP_CITIZEN = "Tổ chức, cá nhân"
SLIP_COUNTER = "Bộ phận Một cửa"
SLIP_TIME_BLANK = "…… giờ …… phút, ngày ……/……/………"
SLIP_BLANK = "………………………"
SLIP_RETURNED = "Đã trả kết quả"
SLIP_NEW_DUE = "Hẹn trả mới"
TIMELINESS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}

# -- logbook -----------------------------------------------------------------------------------------

LOGBOOK_DAY = "Ngày {day}"
LOGBOOK_RANGE = "Từ ngày {first} đến ngày {last}"
LOGBOOK_VOLUME = "Quyển số: {volume}"
SLIP_REASON = "Lý do"
"""Before the reason of a refusal, withdrawal or stop in the control slip's notes."""
LOGBOOK_ENTRY = "{entry}\nQ{counter}"
"""The STT column: the entry in its counter's book, and that counter (Q2: quầy số 2)."""
LOGBOOK_ENTRY_NOTE = "STT: số thứ tự trong sổ của từng quầy (Q{counter}: quầy số {counter})"
LOGBOOK_FILTER = "Chỉ gồm hồ sơ có trạng thái: {statuses}"
LOGBOOK_DATE_GROUP = "Ngày, tháng, năm"
LOGBOOK_COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả cho tổ chức, cá nhân",
    "Ký nhận",
    "Ghi chú",
)
LOGBOOK_DAY_HEADING = "{weekday}, ngày {day}"
LOGBOOK_DAY_TOTAL = "Cộng ngày {day}: {count} hồ sơ, {sets} bộ{refused}"
LOGBOOK_GRAND_TOTAL = "Tổng cộng {first} – {last}: {count} hồ sơ, {sets} bộ{refused}"
LOGBOOK_REFUSED_PART = "; {refused} hồ sơ từ chối tiếp nhận"
"""After a total: the dossiers refused at the counter, listed in the book but not received."""
LOGBOOK_REFUSED_LATER = "Từ chối giải quyết sau khi đã tiếp nhận"
"""The note of a dossier refused after it was received (status 3 too, but it was received)."""
LOGBOOK_EMPTY = "Không có hồ sơ nào trong thời gian này."
LOGBOOK_PHONE = "ĐT"
LOGBOOK_OWNER = "Chủ hồ sơ"
LOGBOOK_OVERDUE = "Quá hạn"
LOGBOOK_LATE = "Giải quyết trễ hạn"  # by the result's time, returned or not (DOMAIN §4)
LOGBOOK_MOVED = "Hẹn lại {n} lần (hạn theo quy định: {due})"
LOGBOOK_PAGE = "Trang {n}/"
LOGBOOK_RUNNING = "{title} – {agency} – {period}"
SUMMARY_TITLE = "TỔNG HỢP TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ"
SUMMARY_INDICATOR = "Chỉ tiêu"
SUMMARY_COUNT = "Số hồ sơ"
SUMMARY_ROWS = (
    ("received", "Hồ sơ tiếp nhận trong kỳ"),
    ("returned", "Hồ sơ đã trả kết quả trong kỳ"),
    ("finished", "Hồ sơ giải quyết xong trong kỳ"),
    ("early", "   – Trước hạn"),
    ("on_time", "   – Đúng hạn"),
    ("late", "   – Quá hạn (trễ hạn)"),
    # desk.period_report counts every overdue dossier of the counter, whatever its receipt day:
    # said so on the row, since the rows around it are about the period
    (
        "overdue",
        "Hồ sơ đang giải quyết đã quá hạn (toàn bộ hồ sơ của Bộ phận, tại thời điểm in, không riêng kỳ này)",
    ),
    # refused at the counter, never received (as in the totals of the logbook's table) ...
    ("refused", "Hồ sơ từ chối tiếp nhận trong kỳ"),
    # ... and refused after being received, already counted in "received" above
    ("refused_later", "Hồ sơ đã tiếp nhận, sau đó từ chối giải quyết trong kỳ"),
    ("withdrawn", "Hồ sơ công dân rút trong kỳ"),
    ("stopped", "Hồ sơ dừng xử lý trong kỳ"),
    ("digitised", "Hồ sơ số hóa khi tiếp nhận trong kỳ"),
    ("rated", "Lượt đánh giá mức độ hài lòng trong kỳ"),
)
SUMMARY_RATE = "Tỷ lệ giải quyết đúng hạn"
SUMMARY_DIGITISED_RATE = "Tỷ lệ hồ sơ số hóa khi tiếp nhận"
SUMMARY_SATISFACTION_RATE = "Tỷ lệ hài lòng (hài lòng và rất hài lòng)"
SUMMARY_BY_FIELD = "Số hồ sơ tiếp nhận theo lĩnh vực"
SUMMARY_FIELD = "Lĩnh vực"
SUMMARY_NO_FIELD = "(Chưa phân loại)"
SUMMARY_NO_FIELDS = "Không có hồ sơ tiếp nhận"
SUMMARY_PER_DAY = "Số hồ sơ tiếp nhận theo ngày"
SUMMARY_PER_MONTH = "Số hồ sơ tiếp nhận theo tháng"
SUMMARY_PER_YEAR = "Số hồ sơ tiếp nhận theo năm"
SUMMARY_FILTER_NOTE = (
    "Số liệu tổng hợp tính trên toàn bộ hồ sơ của kỳ, không theo bộ lọc trạng thái của danh sách."
)
SUMMARY_PRINTED = "In lúc {at}"
SIGN_LOGBOOK_KEEPER = "NGƯỜI LẬP SỔ"
LOGBOOK_CONTINUED = " (tiếp theo)"

# -- delivery and errors -------------------------------------------------------------------------------

SAVED = "Đã lưu tệp PDF tại {path}."
PRINTED = "Đã gửi «{name}» tới máy in {printer}{job}."
PRINTED_JOB = " (lệnh in {job})"
NO_PRINTER = (
    "Chưa cấu hình máy in (giám sát đặt «Tên máy in» ở F6, thẻ Cài đặt, hoặc lệnh counter "
    "settings --set printer=…); "
    "tệp PDF đã lưu tại {path}."
)
NO_LP = (
    "Máy này chưa cài hệ thống in CUPS (không có lệnh lp); tệp PDF đã lưu tại {path}. "
    "Hãy cài CUPS hoặc in tệp này từ máy khác."
)
PRINTER_UNKNOWN = "Không có máy in «{printer}» trong CUPS; tệp PDF đã lưu tại {path}."
PRINTER_STOPPED = (
    "Máy in «{printer}» đang tạm dừng (hàng đợi bị dừng), chưa gửi lệnh in; tệp PDF đã lưu tại "
    "{path}. Hãy bật lại máy in rồi in lại."
)
LP_FAILED = "Không gửi được tới máy in «{printer}» ({detail}); tệp PDF đã lưu tại {path}."
LP_TIMEOUT = "Máy in «{printer}» không phản hồi; tệp PDF đã lưu tại {path}."
ERR_NO_FILE = "Không có tệp PDF «{path}» để in."
ERR_UNKNOWN_FORM = "Không có biểu mẫu «{form}». Các biểu mẫu: {forms}."
ERR_WRITE = "Không ghi được tệp PDF «{path}»: {reason}."
ERR_RENDER = "Không tạo được biểu mẫu {form} cho hồ sơ {code}."
ERR_PAPER = "Khổ giấy phải là A4 hoặc A5."
ERR_RANGE = PERIOD_BACKWARDS
ERR_STATUS = "Không có trạng thái hồ sơ {status} (1–10)."
ERR_RECEIPT_REFUSED = (
    "Hồ sơ {code} không được tiếp nhận: không có giấy tiếp nhận để in (in phiếu từ chối tiếp nhận)."
)
ERR_NO_EVENT = {
    "extra_papers": "Hồ sơ {code} chưa có yêu cầu bổ sung giấy tờ nào: không có phiếu để in.",
    "refusal": "Hồ sơ {code} không bị từ chối: không có phiếu từ chối để in.",
    "apology": "Hồ sơ {code} chưa được hẹn lại ngày trả: không có văn bản xin lỗi để in.",
    "stop_notice": "Hồ sơ {code} không bị dừng giải quyết: không có thông báo để in.",
}


RECEIPT_MOVED = "Đã hẹn lại thời gian trả kết quả: {due} (văn bản xin lỗi ngày {day})."
"""Said under the appointment on a receipt printed again after an apology moved it (form 04)."""

RECEIPT_PAUSED = "Thời gian trả kết quả lùi theo thời gian chờ bổ sung hồ sơ: {due}."
"""Said under the appointment on a receipt printed again after the wait for extra papers moved it
(the clock stops while the office waits, DOMAIN §5)."""

RECEIPT_VOID = {
    3: "Hồ sơ đã bị từ chối giải quyết lúc {time} (xem phiếu từ chối): "
    "thời gian hẹn trả nêu trên không còn hiệu lực.",
    7: "Hồ sơ đã được rút theo yêu cầu của người nộp lúc {time}: "
    "thời gian hẹn trả nêu trên không còn hiệu lực.",
    8: "Hồ sơ đã dừng giải quyết lúc {time}: thời gian hẹn trả nêu trên không còn hiệu lực.",
}
"""Said under the appointment on a receipt printed again after the dossier was refused (after it
was received: one refused at the counter has no receipt), withdrawn or stopped."""


# -- formatting --------------------------------------------------------------------------------------


def two(n: int) -> str:
    """Numbers below 10 with a leading zero, as administrative documents write them."""
    return f"{n:02d}"


def long_time(at: datetime) -> str:
    """``hh giờ mm phút, ngày dd tháng mm năm yyyy`` (Vietnam time)."""
    at = to_vn(at)
    return f"{two(at.hour)} giờ {two(at.minute)} phút, {long_date(at.date())}"


def long_date(day: date) -> str:
    """``ngày dd tháng mm năm yyyy``."""
    return f"ngày {two(day.day)} tháng {two(day.month)} năm {day.year}"


def dateline(place: str, day: date) -> str:
    """``<Place>, ngày dd tháng mm năm yyyy`` (the place begins with a capital, as a sentence)."""
    place = place.strip()
    if place:
        place = place[0].upper() + place[1:]
        return f"{place}, {long_date(day)}"
    return long_date(day)[0].upper() + long_date(day)[1:]


def short_date(day: date) -> str:
    """``dd/mm/yyyy``."""
    return f"{two(day.day)}/{two(day.month)}/{day.year}"


def short_time(at: datetime) -> str:
    """``hh:mm dd/mm/yyyy`` (Vietnam time)."""
    at = to_vn(at)
    return f"{two(at.hour)}:{two(at.minute)} {short_date(at.date())}"


def fee(amount: int, text: str) -> str:
    """The fee line of the receipt: the amount taken and the catalog's wording, or "Không".

    When the catalog's wording names the amount taken, only its clause that does is printed
    ("20.000 đồng (nộp trực tiếp)" of "20.000 đồng (nộp trực tiếp); 10.000 đồng (nộp trực tuyến)"):
    a receipt states what this citizen paid, not the other rates and exemptions of the schedule."""
    text = text.strip()
    if amount > 0:
        figure = money(amount)
        if not text:
            return figure
        named = re.compile(rf"{re.escape(thousands(amount))}(?![\d]|\.\d)")
        for clause in re.split(r"\s*;\s*", text):
            if named.match(clause):
                return clause
        return f"{figure} ({text})"
    if _ZERO_FEE.fullmatch(text):  # the fee waived at intake: the intake records "0 đồng"
        return WAIVED
    return text or NOTHING


_ZERO_FEE = re.compile(r"0+\s*(?:đồng|đ|VNĐ|VND)?\.?", re.IGNORECASE)
"""A fee wording that says only "nothing" in figures ("0 đồng", "0đ")."""


def you(kind: str) -> str:
    """How a form's text addresses the applicant: "Ông (Bà)" for a citizen, "Quý cơ quan, tổ chức"
    for an organisation (``kind`` as in ``Party.kind``)."""
    return ORGANISATION_YOU if kind == "organisation" else SIR_OR_MADAM


def weekday(day: date) -> str:
    return WEEKDAYS[day.weekday()]
