"""The counter's settings: one frozen, typed object passed to whoever needs it.

Site settings (commune, counter number, agency, hub) are written by ``counter setup`` into the
database itself, so every command that opens a database (``--db``) finds the counter it belongs to;
``COUNTER_*`` environment variables override any of them for one run (a printer name on one desk, a
test). Nothing reads settings from globals: they are loaded once and passed in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from counter_app.domain.calendar import OfficeHours
from counter_app.domain.errors import ConfigError, FieldError, ValidationError
from counter_app.domain.validation import check_phone

FORM_BASES = ("03/2025", "01/2018")
"""Circulars whose form numbering the printed forms can follow."""


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
    """Dossier code pattern; tokens {agency}, {date} (yyMMdd), {seq}, {counter}."""
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


def coerce_setting(name: str, value: Any) -> Any:
    """A setting's value from text (as stored, typed or passed in the environment) to its type."""
    if name == "counter_no":
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError(FieldError("counter", "Số quầy phải là một số từ 1 đến 9.")) from exc
    if name in _WHOLE_NUMBERS:
        text = str(value).strip()
        if not text.isdigit():
            raise ValidationError(FieldError(name, _WHOLE_NUMBERS[name]))
        return int(text)
    return str(value)


_WHOLE_NUMBERS = {
    "forms_retention_days": "Số ngày giữ biểu mẫu đã lưu phải là số ngày (0: giữ mãi).",
    "idle_lock_minutes": "Số phút tự khóa phải là số phút (0: không tự khóa).",
}
"""Settings that are whole numbers, with what to say when the text is not one."""


def validate(settings: Settings) -> Settings:
    """Check the values that can be checked without a network.

    Raises:
        ValidationError: a value is out of range or malformed.
    """
    errors: list[FieldError] = []
    if settings.counter_no and not 1 <= settings.counter_no <= 9:
        errors.append(FieldError("counter", "Số quầy phải từ 1 đến 9."))
    if not 0 <= settings.forms_retention_days <= 3650:
        errors.append(FieldError("forms_retention_days", "Số ngày giữ biểu mẫu đã lưu phải từ 0 đến 3650."))
    if not 0 <= settings.idle_lock_minutes <= 480:
        errors.append(
            FieldError("idle_lock_minutes", "Số phút tự khóa phải từ 0 đến 480 (0: không tự khóa).")
        )
    if settings.forms_basis not in FORM_BASES:
        errors.append(FieldError("forms_basis", "Căn cứ biểu mẫu phải là 03/2025 hoặc 01/2018."))
    if settings.paper_size not in ("A4", "A5"):
        errors.append(FieldError("paper_size", "Khổ giấy phải là A4 hoặc A5."))
    try:
        OfficeHours.parse(settings.office_hours)
    except ValueError:
        errors.append(FieldError("office_hours", "Giờ làm việc phải có dạng 07:00-11:30,13:30-17:00."))
    if settings.counter_phone:
        phone = check_phone(settings.counter_phone, required=False)
        if phone.error:
            errors.append(FieldError("counter_phone", phone.error))
    for token in ("{agency}", "{date}", "{seq}"):
        if token not in settings.code_pattern:
            errors.append(FieldError("code_pattern", f"Mẫu mã hồ sơ thiếu {token}."))
    if errors:
        raise ValidationError(errors)
    return settings


def load_settings(stored: Mapping[str, str], env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from what the database stores, then ``COUNTER_<NAME>`` overrides.

    Raises:
        ValidationError: a stored or overriding value is wrong.
    """
    env = os.environ if env is None else env
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    for name in known:
        if name in stored and stored[name] != "":
            values[name] = coerce_setting(name, stored[name])
        key = f"COUNTER_{name.upper()}"
        if key in env:
            values[name] = coerce_setting(name, env[key])
    return validate(replace(Settings(), **values))
