"""The counter's settings: one frozen, typed object passed to whoever needs it.

Site settings (commune, counter number, agency, hub) are written by ``counter setup`` into the
database itself, so every command that opens a database (``--db``) finds the counter it belongs to;
``COUNTER_*`` environment variables override any of them for one run (a printer name on one desk, a
test). Nothing reads settings from globals: they are loaded once and passed in.

Every value is checked by one validation (:func:`validate`), whatever its source: ``counter setup``,
``counter settings --set``, a ``COUNTER_*`` variable, the TUI's settings forms (through the desk) or
the database itself. A message names the setting by its Vietnamese label (and the variable when the
value came from the environment), never by its internal key: the TUI shows it to the supervisor
(``counter settings --set`` adds the key itself). This module does no I/O beyond reading the
environment it is given.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import time, timedelta
from typing import Any
from urllib.parse import urlsplit

from counter_app.domain import codes
from counter_app.domain.calendar import WORKING_DAY, OfficeHours
from counter_app.domain.errors import ConfigError, FieldError, SettingsError, ValidationError
from counter_app.domain.text import has_control_chars, nfc
from counter_app.domain.validation import check_phone

FORM_BASES = ("03/2025", "01/2018")
"""Circulars whose form numbering the printed forms can follow."""


UNACCENTED_COMMUNE = (
    "Tên xã «{name}» chưa có dấu tiếng Việt: tên này được in trên mọi giấy tờ (ví dụ «ỦY BAN NHÂN DÂN "
    '{upper}»). Nếu gõ thiếu dấu, hãy sửa: counter setup --commune-name "xã …" (có dấu như trên giấy tờ).'
)
"""Said when a counter is set up with a commune name typed without its marks."""


@dataclass(frozen=True)
class Settings:
    """Everything that differs from one counter to another."""

    commune_code: str = ""
    """The 5-digit commune code (QĐ 19/2025/QĐ-TTg)."""
    commune_name: str = ""
    """The commune's name as printed, e.g. "xã Vĩnh Bảo"."""
    province_name: str = ""
    """The province or city, printed under the agency name, e.g. "Thành phố Hải Phòng"."""
    agency_id: str = ""
    """QCVN 102 identifier of the receiving agency, the first part of every dossier code."""
    agency_name: str = ""
    """The receiving centre as printed on forms."""
    deciding_agency_name: str = ""
    """Default deciding authority (cơ quan chủ trì giải quyết) for procedures that name none."""
    place_name: str = ""
    """Place in the dateline of forms ("<place>, ngày dd tháng mm năm yyyy")."""
    counter_no: int = 0
    """This counter's number (1-9); it owns the code block k001..k999 of each day."""
    office_hours: str = "07:00-11:30,13:30-17:00"
    """Sessions of the working day; 1 working day = their total (8 hours by default)."""
    code_pattern: str = "{agency}-{date}-{seq}"
    """Dossier code pattern; tokens {agency}, {date} (yyMMdd), {seq}, each once and in this order, and
    at most one {counter}; between them only A-Z, 0-9 and - . _ / (see :func:`validate`)."""
    forms_basis: str = "03/2025"
    """Circular whose numbering the printed forms follow: 03/2025 (default) or 01/2018."""
    paper_size: str = "A4"
    """Paper of the forms: A4 or A5 (the logbook is always landscape A4)."""
    printer: str = ""
    """CUPS printer name for ``lp``; empty: forms are saved into the output folder."""
    counter_phone: str = ""
    """The counter's phone number, printed where a form tells the citizen whom to call (the
    extra-papers request); empty: a blank to write it in by hand."""
    lookup_url: str = ""
    """Status look-up address for the receipt's QR code; ``{code}`` is replaced. Empty: no QR."""
    forms_retention_days: int = 30
    """Forms saved as PDFs (no printer, or printed to a file) are deleted after this many days:
    they hold personal data (Law 91/2025). 0 keeps them."""
    idle_lock_minutes: int = 15
    """After this many minutes without a key or a click, the counter signs the official out (the
    form being typed is kept): a citizen's data is not left on an unattended screen. 0: never."""
    hub_url: str = ""
    """The city hub's base address, for sync."""
    hub_token: str = ""
    """This counter's token for the hub."""

    @property
    def is_configured(self) -> bool:
        """True once ``counter setup`` has named the commune and the counter."""
        return bool(self.commune_code and self.agency_id and self.counter_no)

    @property
    def counter_id(self) -> str:
        """Identifies this counter in events: ``<agency id>#<counter number>``."""
        return f"{self.agency_id}#{self.counter_no}"

    @property
    def hours(self) -> OfficeHours:
        """Office hours parsed."""
        return OfficeHours.parse(self.office_hours)

    def require_configured(self) -> Settings:
        """Raises ConfigError unless the counter has been set up."""
        if not self.is_configured:
            raise ConfigError(
                "Quầy chưa được cấu hình. Chạy «counter setup --commune-code … "
                "--commune-name … --counter …» trước."
            )
        return self

    def to_mapping(self) -> dict[str, str]:
        """Every setting as text (what the database stores)."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self)}

    def public_mapping(self) -> dict[str, str]:
        """Settings safe to show or log: the hub token is masked."""
        data = self.to_mapping()
        if data["hub_token"]:
            data["hub_token"] = "****"
        return data


LABELS = {
    "commune_code": "Mã xã",
    "commune_name": "Tên xã/phường",
    "province_name": "Tên tỉnh/thành phố",
    "agency_id": "Mã định danh cơ quan",
    "agency_name": "Tên cơ quan tiếp nhận",
    "deciding_agency_name": "Tên cơ quan chủ trì giải quyết",
    "place_name": "Địa danh ghi trên biểu mẫu",
    "counter_no": "Số quầy",
    "office_hours": "Giờ làm việc",
    "code_pattern": "Mẫu mã hồ sơ",
    "forms_basis": "Căn cứ biểu mẫu",
    "paper_size": "Khổ giấy",
    "printer": "Tên máy in",
    "counter_phone": "Số điện thoại của quầy",
    "lookup_url": "Địa chỉ tra cứu",
    "forms_retention_days": "Số ngày giữ biểu mẫu đã lưu",
    "idle_lock_minutes": "Số phút tự khóa",
    "hub_url": "Địa chỉ máy chủ",
    "hub_token": "Mã truy cập máy chủ",
}
"""Each setting as the official reads it; messages give this label (not the setting's key)."""

IDENTITY = ("commune_code", "commune_name", "agency_id", "counter_no")
"""What ``counter setup`` names: a counter has all of them (set up) or none (not yet)."""

PRINTED_NAMES = ("agency_name", "deciding_agency_name", "place_name")
"""Names printed on every official form; a set-up counter cannot leave them empty."""

DERIVED = ("agency_id", *PRINTED_NAMES)
"""Settings derived from the commune (code and name) unless the admin gives them."""

DERIVED_FROM = {"agency_id": "commune_code", **dict.fromkeys(PRINTED_NAMES, "commune_name")}
"""The setting each derived one comes from: a wrong commune code derives no agency id, and the
missing agency id is then not a second problem to report."""

CODE_TOKENS = ("agency", "date", "seq")
"""The tokens of the national dossier code, each exactly once and in this order (DOMAIN.md §3)."""

_MAX_LENGTH = {"printer": 127, "code_pattern": 100, "lookup_url": 500, "hub_url": 500, "hub_token": 500}
"""Longest accepted text per setting (127: the CUPS limit on a queue name); others: 200."""
_COMMUNE_CODE = re.compile(r"[0-9]{5}")
_PATTERN_LITERAL = re.compile(r"[A-Z0-9./_-]*")
"""Text a code pattern may hold between its tokens: what Code 128 and a scan keep as typed (the
look-up upper-cases what is scanned and drops spaces, so lower case or spaces would never match)."""
_PRINTER_FORBIDDEN = frozenset(" /\\#")
"""Characters CUPS refuses in a queue name."""
_SAMPLE_CODE = "000.17.22.H56-210531-1001"
"""Stands for ``{code}`` when the look-up address is checked."""
_LOOKUP_TOKEN = "{code}"
"""The one placeholder of the look-up address: the receipt's QR code puts the dossier code there."""
_CLOCK = re.compile(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*")
"""A clock time as office hours are written (as :meth:`OfficeHours.parse` reads it)."""


def env_name(name: str) -> str:
    """The environment variable that overrides a setting: ``COUNTER_<NAME>``."""
    return f"COUNTER_{name.upper()}"


OTHER_VARIABLES = (
    "COUNTER_DB",
    "COUNTER_DATA_DIR",
    "COUNTER_OUTPUT_DIR",
    "COUNTER_BACKUP_DIR",
    "COUNTER_CACHE_DIR",
    "COUNTER_ACTOR",
)
"""The program's variables that are not settings: where files live, and who runs a command."""


def unknown_variables(env: Mapping[str, str] | None = None) -> list[str]:
    """A warning per ``COUNTER_*`` variable the program does not know, with the likely one meant.

    A misspelt override (``COUNTER_PRITNER``) would be silently ignored: the stored value stands, so
    nothing is refused, but the admin is told the variable did nothing.
    """
    import difflib

    env = os.environ if env is None else env
    known = {env_name(f.name) for f in fields(Settings)} | set(OTHER_VARIABLES)
    warnings = []
    for key in sorted(k for k in env if k.upper().startswith("COUNTER_") and k not in known):
        shown = key if key.isprintable() and len(key) <= 60 else repr(key[:60])
        close = difflib.get_close_matches(key.upper(), sorted(known), n=1, cutoff=0.6)
        hint = f" Có phải «{close[0]}»?" if close else ""
        warnings.append(
            f"Biến môi trường «{shown}» không phải biến nào của chương trình nên bị bỏ qua.{hint}"
        )
    return warnings


def _say(name: str, text: str) -> str:
    """A message that names the setting by its Vietnamese label, then says what is wrong.

    The internal key (``office_hours``) is left out: the TUI shows these messages to the supervisor;
    ``counter settings --set`` puts the key before the message itself.
    """
    return f"{LABELS.get(name, name)} {text}"


def _control_problem(name: str, value: str) -> str | None:
    """A message when a text holds control or invisible characters (an escape, a bidi override)."""
    if has_control_chars(value):
        return _say(name, "có ký tự điều khiển hoặc ký tự ẩn; hãy xóa và gõ lại.")
    return None


def _text_problem(name: str, value: str) -> str | None:
    """What is wrong with a text setting whatever its meaning, or None."""
    limit = _MAX_LENGTH.get(name, 200)
    too_long = _say(name, f"dài {len(value)} ký tự, tối đa {limit} ký tự.") if len(value) > limit else None
    return _control_problem(name, value) or too_long


MIN_OFFICE_DAY = timedelta(hours=4)
"""The shortest office day the settings take (a half day: some communes close in the afternoon)."""
OFFICE_EARLIEST, OFFICE_LATEST = time(5, 0), time(21, 0)
"""The office hours lie within these clock times."""


def coerce_setting(name: str, value: Any) -> Any:
    """A setting's value from text (as stored, typed or passed in the environment) to its type.

    Text is put in NFC and trimmed; a control or invisible character is refused here already, before
    trimming could hide it.

    Raises:
        ValidationError: the text is not of the setting's type (the error names the setting).
    """
    if name == "counter_no":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()):
            raise ValidationError(FieldError(name, _say(name, "phải là một số từ 1 đến 9.")))
        return int(text)
    if name in _WHOLE_NUMBERS:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()):
            raise ValidationError(FieldError(name, _WHOLE_NUMBERS[name]))
        return int(text)
    text = str(value)
    problem = _control_problem(name, text)
    if problem:
        raise ValidationError(FieldError(name, problem))
    text = nfc(text).strip()
    if name == "office_hours":
        try:  # tidied as the counter writes it: "7:00-11:30, 13:30-17:00" is 07:00-11:30,13:30-17:00
            return OfficeHours.parse(text).format()
        except ValueError:
            return text  # kept as typed, for the check to name
    if name in ("hub_url", "lookup_url"):  # a scheme is case-blind: HTTPS://… is https://…
        return re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*(?=://)", lambda m: m.group().lower(), text)
    return text.upper() if name == "agency_id" else text


_WHOLE_NUMBERS = {
    "forms_retention_days": _say("forms_retention_days", "phải là số ngày (0: giữ mãi)."),
    "idle_lock_minutes": _say("idle_lock_minutes", "phải là số phút (0: không tự khóa)."),
}
"""Settings that are whole numbers, with what to say when the text is not one."""


def _url_problem(name: str, value: str) -> str | None:
    """Why an address is not a plain http(s) address with a host, or None."""
    url = value.replace("{code}", _SAMPLE_CODE) if name == "lookup_url" else value
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading the port is what checks it
    except ValueError:
        return _say(name, "không phải một địa chỉ hợp lệ.")
    if any(ch.isspace() for ch in url) or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return _say(
            name, "phải là địa chỉ bắt đầu bằng http:// hoặc https://, có tên máy chủ, không có khoảng trắng."
        )
    if name == "hub_url" and (parts.username is not None or parts.password is not None):
        # httpx would send it as Basic auth in place of the token, and it would show and be logged
        return _say(
            name, "không được có tên đăng nhập hay mật khẩu (phần «…@»); mã truy cập đặt ở hub_token."
        )
    if name == "hub_url" and (parts.query or parts.fragment or "?" in url or "#" in url):
        return _say(name, "chỉ là địa chỉ máy chủ (và đường dẫn nếu có), không có phần «?…» hay «#…».")
    return None


def _lookup_problem(value: str) -> str | None:
    """Why a look-up address would not put the dossier code into the receipt's QR code, or None.

    The code goes where ``{code}`` stands (a plain text replacement): without it every receipt's
    QR code opens the same page; a misspelt ``{cod}`` or a stray brace stays in the address as typed.
    """
    example = "ví dụ https://dichvucong.haiphong.gov.vn/tra-cuu?ma={code}"
    if _LOOKUP_TOKEN not in value:
        return _say("lookup_url", f"phải có mục {_LOOKUP_TOKEN} ở chỗ điền mã hồ sơ, {example}.")
    rest = value.replace(_LOOKUP_TOKEN, "")
    other = re.search(r"\{[^{}]*\}", rest)
    if other:
        return _say(
            "lookup_url", f"có mục lạ «{other.group()}»; chỉ dùng mục {_LOOKUP_TOKEN} (chỗ điền mã hồ sơ)."
        )
    if "{" in rest or "}" in rest:
        return _say("lookup_url", f"có dấu ngoặc {{ hoặc }} lẻ; chỉ dùng mục {_LOOKUP_TOKEN}, {example}.")
    return None


def _clock(text: str) -> time | None:
    """A clock time written as in office hours, or None."""
    found = _CLOCK.fullmatch(text)
    if found is None:
        return None
    hour, minute, second = (int(g) if g else 0 for g in found.groups())
    try:
        return time(hour, minute, second)
    except ValueError:  # 25:00
        return None


def _clock_text(value: time) -> str:
    return value.isoformat() if value.second else f"{value:%H:%M}"


def _hours_problem(text: str) -> str:
    """What is wrong with office hours :meth:`OfficeHours.parse` refused.

    The form (``07:00-11:30,13:30-17:00``) only when it is the form that is wrong; sessions written
    right but that end before they start, are out of order or overlap are each named as such.
    """
    shape = _say("office_hours", "phải có dạng 07:00-11:30,13:30-17:00.")
    sessions: list[tuple[time, time]] = []
    for part in text.split(","):
        if not part.strip():
            continue
        start, sep, end = part.partition("-")
        opening, closing = _clock(start), _clock(end)
        if not sep or opening is None or closing is None:
            return shape
        sessions.append((opening, closing))
    if not sessions:
        return shape
    for opening, closing in sessions:
        said = f"{_clock_text(opening)}-{_clock_text(closing)}"
        if closing < opening:
            return _say("office_hours", f"có buổi {said} kết thúc trước khi bắt đầu.")
        if closing == opening:
            return _say("office_hours", f"có buổi {said} bắt đầu và kết thúc cùng lúc.")
    for (start1, end1), (start2, end2) in zip(sessions, sessions[1:], strict=False):
        first, second = (
            f"{_clock_text(start1)}-{_clock_text(end1)}",
            f"{_clock_text(start2)}-{_clock_text(end2)}",
        )
        if start2 < start1:
            return _say(
                "office_hours",
                f"phải ghi các buổi theo thứ tự trong ngày: buổi {second} ghi sau buổi {first}.",
            )
        if start2 < end1:
            return _say(
                "office_hours",
                f"có buổi {first} và buổi {second} chồng lên nhau: buổi sau bắt đầu từ "
                f"{_clock_text(end1)} trở đi.",
            )
    return shape


def hub_pair_problem(hub_url: str, hub_token: str) -> FieldError | None:
    """Why a hub address and access code cannot go together, or None: one without the other never
    syncs (the counter would not even try), so both are set, or neither.

    The problem is the missing one's, so a form shows it under the field left empty.
    """
    url, token = LABELS["hub_url"], LABELS["hub_token"]
    both = (
        "hai thiết lập này đi cùng nhau (thành phố cấp cho quầy); nhập cả hai, hoặc để trống cả hai "
        "nếu quầy không đồng bộ."
    )
    if hub_url and not hub_token:
        return FieldError("hub_token", f"Đã nhập {url} mà chưa có {token}: {both}")
    if hub_token and not hub_url:
        return FieldError("hub_url", f"Đã nhập {token} mà chưa có {url}: {both}")
    return None


def hub_token_problem(token: str) -> str | None:
    """Why a hub token cannot be sent, or None: it travels in an HTTP header (``Bearer …``), where a
    letter with a diacritic or a space cannot."""
    if token.isascii() and token.isprintable() and " " not in token:
        return None
    return _say("hub_token", "chỉ gồm chữ không dấu, số và ký hiệu, không dấu cách.")


def _pattern_problem(pattern: str) -> str | None:
    """Why a dossier code pattern would not give a national-shape code, or None.

    DOMAIN.md §3: ``<agency>-<yyMMdd>-<NNNN>`` is the national shape [C]; the pattern stays a setting
    (the TT 03/2025 article is unconfirmed, §11.1) with the OpenCPS tokens, ``{counter}`` included.
    So: {agency}, {date}, {seq} each exactly once and in that order (a code read left to right is
    agency, day, number: prefix search and date order keep working); {counter} at most once; no
    format spec, conversion or other field (``make_code`` would fail at the first receipt, or leak
    attributes); between them only what a barcode and a scan keep as typed.
    """
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        return _say("code_pattern", "có dấu ngoặc { } không khớp.")
    found: list[str] = []
    for literal, field, spec, conversion in parts:
        if not _PATTERN_LITERAL.fullmatch(literal):
            return _say(
                "code_pattern",
                "chỉ được có chữ in hoa không dấu, chữ số và các dấu - . _ / ngoài các mục "
                "{agency}, {date}, {seq}, {counter}.",
            )
        if field is None:
            continue
        if field not in (*CODE_TOKENS, "counter") or spec or conversion:
            shown = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return _say(
                "code_pattern",
                f"có mục lạ «{{{shown}}}»; chỉ dùng {{agency}}, {{date}}, {{seq}}, {{counter}}.",
            )
        found.append(field)
    if [f for f in found if f != "counter"] != list(CODE_TOKENS):
        return _say(
            "code_pattern",
            "phải có {agency}, {date}, {seq}, mỗi mục đúng một lần và theo thứ tự đó "
            "(mẫu quốc gia: {agency}-{date}-{seq}).",
        )
    if found.count("counter") > 1:
        return _say("code_pattern", "chỉ được có {counter} nhiều nhất một lần.")
    longest = sum(len(literal) for literal, *_ in parts) + sum(codes.FIELD_LENGTHS[f] for f in found)
    if longest > codes.MAX_CODE_LENGTH:
        return _say(
            "code_pattern",
            f"cho mã hồ sơ dài tới {longest} ký tự; tối đa {codes.MAX_CODE_LENGTH} (mã dài hơn không "
            "tìm và quét lại được): bớt chữ ngoài các mục.",
        )
    return None


def _problems(settings: Settings, *, hours_bounds: bool = True, lookup_code: bool = True) -> list[FieldError]:
    """Every problem of a whole set of settings, one per setting at most, in field order.

    Args:
        hours_bounds: Hold the office hours to :data:`MIN_OFFICE_DAY` and the earliest and latest
            clock times. Off for hours stored before those bounds existed: the counter keeps
            working on them (its supervisor sees them, and any new value must be within bounds);
            refusing them stopped the UI, the nightly check and the backup after an upgrade.
        lookup_code: Hold the look-up address to its ``{code}`` (:func:`_lookup_problem`). Off,
            for the same reason, for an address stored before that check existed.
    """
    found: dict[str, str] = {}

    def add(name: str, message: str) -> None:
        found.setdefault(name, message)

    for f in fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, str):
            problem = _text_problem(f.name, value)
            if problem:
                add(f.name, problem)
    s = settings
    configured = any(getattr(s, name) for name in IDENTITY)
    if s.commune_code and not _COMMUNE_CODE.fullmatch(s.commune_code):
        add("commune_code", _say("commune_code", "phải gồm đúng 5 chữ số (QĐ 19/2025/QĐ-TTg)."))
    elif s.commune_code == "00000":  # the list's numbers start at 00001: a blank filled with zeros
        add("commune_code", _say("commune_code", "00000 không phải mã của xã nào (QĐ 19/2025/QĐ-TTg)."))
    if s.agency_id and not codes.AGENCY_ID_RE.match(s.agency_id):
        add(
            "agency_id",
            _say(
                "agency_id", "phải gồm 4 nhóm chữ/số ngăn cách bởi dấu chấm (QCVN 102), ví dụ 000.17.22.H56."
            ),
        )
    if (s.counter_no or configured) and not 1 <= s.counter_no <= 9:
        add("counter_no", _say("counter_no", "phải từ 1 đến 9."))
    if configured:
        for name in (*IDENTITY, *PRINTED_NAMES):
            # Left empty because what it derives from is wrong (a commune code of full-width
            # digits derives no agency id): that problem is already said, and its fix fills this.
            if not getattr(s, name) and DERIVED_FROM.get(name) not in found:
                add(name, _say(name, "không được để trống khi quầy đã được cấu hình."))
    if not 0 <= s.forms_retention_days <= 3650:
        add("forms_retention_days", _say("forms_retention_days", "phải từ 0 đến 3650."))
    if not 0 <= s.idle_lock_minutes <= 480:
        add("idle_lock_minutes", _say("idle_lock_minutes", "phải từ 0 đến 480 (0: không tự khóa)."))
    if s.forms_basis not in FORM_BASES:
        add("forms_basis", _say("forms_basis", "phải là 03/2025 hoặc 01/2018."))
    if s.paper_size not in ("A4", "A5"):
        add("paper_size", _say("paper_size", "phải là A4 hoặc A5."))
    try:
        hours = OfficeHours.parse(s.office_hours)
    except ValueError:
        add("office_hours", _hours_problem(s.office_hours))
    else:
        # A day of working hours is 8 hours of office time (DOMAIN §6): a few minutes a day, or an
        # office open at night, is a slip of the keyboard that moves every appointment at once.
        if not hours_bounds:
            pass
        elif hours.hours_per_day < MIN_OFFICE_DAY:
            add("office_hours", _say("office_hours", "phải có ít nhất 4 giờ làm việc mỗi ngày."))
        elif hours.opening < OFFICE_EARLIEST or hours.closing > OFFICE_LATEST:
            add("office_hours", _say("office_hours", "phải nằm trong khoảng 05:00 đến 21:00."))
    if s.counter_phone:
        phone = check_phone(s.counter_phone, required=False)
        if phone.error:
            add("counter_phone", f"{LABELS['counter_phone']}: {phone.error}")
    if s.printer and (s.printer.startswith("-") or _PRINTER_FORBIDDEN & set(s.printer)):
        add(
            "printer",
            _say("printer", "là tên hàng đợi CUPS: không có khoảng trắng, /, \\, #, không bắt đầu bằng -."),
        )
    for name in ("hub_url", "lookup_url"):
        value = getattr(s, name)
        problem = _url_problem(name, value) if value else None
        if problem:
            add(name, problem)
    if lookup_code and s.lookup_url and "lookup_url" not in found:
        problem = _lookup_problem(s.lookup_url)
        if problem:
            add("lookup_url", problem)
    problem = hub_token_problem(s.hub_token) if s.hub_token else None
    if problem:
        add("hub_token", problem)
    problem = _pattern_problem(s.code_pattern)
    if problem:
        add("code_pattern", problem)
    order = [f.name for f in fields(settings)]
    return [FieldError(name, found[name]) for name in sorted(found, key=order.index)]


def validate(settings: Settings) -> Settings:
    """Check every setting (what can be checked without a network), the same for every source.

    Raises:
        ValidationError: a value is out of range or malformed, or a set-up counter lacks part of
            its identity; one error per setting, each naming it.
    """
    errors = _problems(settings)
    if errors:
        raise ValidationError(errors)
    return settings


def _from_source(error: FieldError, source: str | None) -> FieldError:
    """The same problem, saying where the value came from and how to fix it there."""
    if source is not None and source != "stored":
        return FieldError(error.field, f"Biến môi trường «{source}»: {error.message} Sửa hoặc bỏ biến này.")
    by_setup = error.field in ("commune_code", "commune_name", "counter_no")
    fix = "counter setup" if by_setup else f"counter settings --set {error.field}=…"
    return FieldError(error.field, f"{error.message} (giá trị đã lưu trong cơ sở dữ liệu; sửa bằng «{fix}»)")


SET_UP_FOR = ("commune_code", "agency_id", "counter_no")
"""The commune, agency id and counter a database is set up for: no environment variable overrides
them (the agency id starts every dossier code; ``settings --set`` changes it, with a warning)."""


def inspect_settings(
    stored: Mapping[str, str], env: Mapping[str, str] | None = None
) -> tuple[Settings, list[FieldError]]:
    """Build the settings from what the database stores, then ``COUNTER_<NAME>`` overrides, and say
    what is wrong with them instead of refusing: for a command that shows or repairs settings.

    A value that is not even of its setting's type is left out (the stored one, or the default,
    stands); any other wrong value is kept, so it can be shown beside its problem.

    Returns:
        The settings and their problems (empty when all is well), each naming the setting and, for
        a value from the environment, the variable.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    problems: list[FieldError] = []
    for f in fields(Settings):
        name, key = f.name, env_name(f.name)
        if stored.get(name, "") != "":
            try:
                values[name] = coerce_setting(name, stored[name])
                sources[name] = "stored"
            except ValidationError as exc:
                problems.extend(_from_source(e, "stored") for e in exc.errors)
        if key in env:
            try:
                value = coerce_setting(name, env[key])
            except ValidationError as exc:
                problems.extend(_from_source(e, key) for e in exc.errors)
                continue
            if name in SET_UP_FOR and sources.get(name) == "stored" and value != values[name]:
                # The commune, agency id and counter number a database was set up for are not
                # the environment's to change: codes of another counter's block would be issued.
                said = _say(name, f"của cơ sở dữ liệu này là {values[name]}: biến môi trường không đổi được.")
                problems.append(
                    FieldError(
                        name,
                        f"Biến môi trường «{key}»: {said} Sửa hoặc bỏ biến này "
                        "(quầy khác, xã khác dùng cơ sở dữ liệu khác: --db).",
                    )
                )
                continue
            values[name] = value
            sources[name] = key
    settings = replace(Settings(), **values)
    reported = {p.field for p in problems}
    stored_hours = sources.get("office_hours") == "stored"
    stored_lookup = sources.get("lookup_url") == "stored"
    problems.extend(
        _from_source(e, sources.get(e.field))
        for e in _problems(settings, hours_bounds=not stored_hours, lookup_code=not stored_lookup)
        if e.field not in reported
    )
    return settings, problems


def load_settings(stored: Mapping[str, str], env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from what the database stores, then ``COUNTER_<NAME>`` overrides.

    A wrong value refuses the whole load: a counter must not issue codes, dates or forms from a
    setting the admin did not mean. The error names each setting, and the variable for a value from
    the environment («COUNTER_OFFICE_HOURS»), so the admin knows what to fix where.

    Raises:
        ValidationError: a stored or overriding value is wrong.
    """
    settings, problems = inspect_settings(stored, env)
    if problems:
        raise SettingsError(problems)
    return settings


def derived_settings(commune_code: str, commune_name: str) -> dict[str, str]:
    """What ``counter setup`` derives from the commune unless the admin gives it.

    The agency identifier is a placeholder of the national shape until the real one is set
    (:func:`counter_app.domain.codes.default_agency_id`); the names are those printed on forms.
    """
    derived: dict[str, str] = {}
    if _COMMUNE_CODE.fullmatch(commune_code):
        derived["agency_id"] = codes.default_agency_id(commune_code)
    if commune_name and _text_problem("commune_name", commune_name) is None:  # a wrong name derives none
        derived["agency_name"] = f"Trung tâm Phục vụ hành chính công {commune_name}"
        derived["deciding_agency_name"] = f"Ủy ban nhân dân {commune_name}"
        derived["place_name"] = commune_name
    return derived


def check_identity_change(before: Settings, after: Settings, dossiers: int) -> None:
    """Refuse to change the commune or the counter number of a database that holds dossiers.

    Dossier codes and logbook numbers were issued for that commune and that counter (the counter's
    block of each day's sequence, DOMAIN.md §3): under another commune or number the same database
    would issue codes that may collide with the real counter's and a logbook that mixes two.

    Args:
        before: The settings as stored.
        after: The settings as they would be.
        dossiers: How many dossiers the database holds.

    Raises:
        ConfigError: the database holds dossiers and the commune code or counter number would change
            (exit 6, a setting refused).
    """
    if dossiers <= 0:
        return
    changes = []
    if before.commune_code and after.commune_code != before.commune_code:
        changes.append(f"mã xã từ {before.commune_code} sang {after.commune_code or '(trống)'}")
    if before.counter_no and after.counter_no != before.counter_no:
        changes.append(f"số quầy từ {before.counter_no} sang {after.counter_no or '(trống)'}")
    if changes:
        raise ConfigError(
            f"Không đổi được {' và '.join(changes)}: cơ sở dữ liệu này đã có {dossiers} hồ sơ, mà mã hồ sơ "
            f"và số thứ tự sổ theo dõi đã cấp thuộc về xã {before.commune_code}, quầy {before.counter_no}. "
            "Quầy của xã khác (hoặc số quầy khác) dùng một cơ sở dữ liệu mới (--db).",
            title="Không đổi được xã/quầy",
        )


def identity_warnings(before: Settings, after: Settings, dossiers: int) -> list[str]:
    """What a change that is allowed still means for a database holding dossiers, for the admin.

    The agency id may change (a placeholder replaced by the id the province assigns): it is the
    first part of every new dossier code, while the codes already printed on receipts stay as they
    are, so the admin is told rather than left to find two prefixes in the logbook. The same for
    the code pattern.
    """
    if dossiers <= 0:
        return []
    said = []
    if before.agency_id and after.agency_id != before.agency_id:
        said.append(
            # Not "the old id": after two changes the dossiers carry whichever id was set when
            # each was received, not necessarily the one just replaced.
            f"Mã định danh cơ quan đổi từ {before.agency_id} sang {after.agency_id}: {dossiers} hồ sơ "
            f"đã tiếp nhận giữ nguyên mã đã cấp (đã in trên phiếu hẹn); hồ sơ mới mang mã bắt đầu "
            f"bằng {after.agency_id}."
        )
    if after.code_pattern != before.code_pattern:
        said.append(
            f"Mẫu mã hồ sơ đổi từ {before.code_pattern} sang {after.code_pattern}: {dossiers} hồ sơ đã "
            "tiếp nhận giữ nguyên mã đã cấp (đã in trên phiếu hẹn) và vẫn tìm được khi gõ hoặc quét "
            "đủ mã; hồ sơ mới mang mã theo mẫu mới."
        )
    return said


def hours_warnings(before: Settings, after: Settings) -> list[str]:
    """What to tell whoever set office hours shorter than a working day.

    A due time counts 8 office hours to a working day (``WORKING_DAY``) whatever the sessions: with
    6 hours a day, a 1-day procedure received in the morning is due on the second office day.
    """
    if after.office_hours == before.office_hours:
        return []
    per_day = after.hours.hours_per_day
    if per_day >= WORKING_DAY:
        return []
    minutes = int(per_day.total_seconds()) // 60
    shown = f"{minutes // 60} giờ" + (f" {minutes % 60:02d} phút" if minutes % 60 else "")
    return [
        f"Mỗi ngày chỉ có {shown} làm việc, nhưng hạn trả vẫn tính 8 giờ làm việc cho một ngày: hồ sơ "
        "1 ngày làm việc có thể được hẹn trả vào ngày làm việc thứ hai. Hồ sơ đã tiếp nhận giữ nguyên "
        "hạn trả."
    ]


def change_settings(
    current: Settings, values: Mapping[str, Any], *, dossiers: int = 0
) -> tuple[Settings, dict[str, str]]:
    """Apply a change of settings (setup, ``--set``, a TUI form): the one path every change takes.

    Values are coerced and the whole result validated. When the commune code changes, the settings
    derived from the commune (agency id, agency and deciding agency names, place) are derived again
    from the new one, unless given in the same change; when only the commune's name changes, those
    that still read as derived from the old name follow it. A database holding dossiers keeps its
    commune and counter number (:func:`check_identity_change`).

    Args:
        current: The settings as stored (without environment overrides).
        values: Settings to change, by name, as text or already typed.
        dossiers: How many dossiers the database holds.

    Returns:
        The new settings, and what to store (each changed setting as text).

    Raises:
        ValidationError: an unknown setting or a wrong value; nothing should be stored.
        ConfigError: the change would move a database holding dossiers to another commune or counter.
    """
    known = [f.name for f in fields(Settings)]
    unknown = [name for name in values if name not in known]
    if unknown:
        raise ValidationError([FieldError(name, f"Không có thiết lập «{name}».") for name in unknown])
    changes: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in values.items():
        try:
            changes[name] = coerce_setting(name, value)
        except ValidationError as exc:
            errors.extend(exc.errors)
    code = changes.get("commune_code", current.commune_code)
    commune_name = changes.get("commune_name", current.commune_name)
    old = derived_settings(current.commune_code, current.commune_name)
    new = derived_settings(code, commune_name)
    moved = bool(current.commune_code) and code != current.commune_code
    for key in DERIVED:
        if key in changes or key not in new:
            continue
        value = getattr(current, key)
        if (not value or moved or value == old.get(key)) and new[key] != value:
            changes[key] = new[key]
    updated = replace(current, **changes)
    reported = {e.field for e in errors}
    bounds = "office_hours" in changes  # hours stored before the bounds stand until changed
    lookup = "lookup_url" in changes  # so does a look-up address stored before its check
    errors.extend(
        e for e in _problems(updated, hours_bounds=bounds, lookup_code=lookup) if e.field not in reported
    )
    reported = {e.field for e in errors}
    if {"hub_url", "hub_token"} & changes.keys() and not {"hub_url", "hub_token"} & reported:
        # Checked on a change only: a file that stored one without the other still loads (the
        # counter says at its next sync that the access code is missing), and is fixed here.
        pair = hub_pair_problem(updated.hub_url, updated.hub_token)
        if pair is not None:
            errors.append(pair)
    if errors:
        raise ValidationError(errors)
    check_identity_change(current, updated, dossiers)
    return updated, {key: str(getattr(updated, key)) for key in changes}
