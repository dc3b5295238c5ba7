"""The counter's use cases: what an official can do, shared by the CLI, the TUI and sync.

Each use case validates its input, folds a new event into the dossier through the domain rules and
writes event + projection + outbox in one durable transaction. When a method returns, the change is
on disk. Nothing here knows about Textual, HTTP or PDFs.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import logging
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from counter_app.calendar_cache import calendar_years
from counter_app.domain import codes
from counter_app.domain.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    VN_TZ,
    WEEKDAYS,
    Override,
    WorkCalendar,
    now_vn,
    to_vn,
)
from counter_app.domain.dossier import (
    CONCURRENT_STEPS,
    RATING_LEVELS,
    RETURN_METHODS,
    TRANSITIONS,
    DocumentItem,
    Dossier,
    Event,
    HistoryStep,
    Party,
    apply,
    corrected_said,
    followed_lines,
    format_time,
    history,
    holder_handed_on,
    new_event,
    parse_time,
    rating_level,
    step_line,
)
from counter_app.domain.errors import (
    CounterError,
    DamagedFileError,
    FieldError,
    NotFoundError,
    RuleError,
    SettingsError,
    StoreError,
    ValidationError,
)
from counter_app.domain.procedures import (
    MAX_DOCUMENTS,
    MAX_FEE,
    MAX_PAPER_COUNT,
    Catalog,
    Procedure,
    catalog_to_json,
    default_catalog_version,
    load_default_catalog,
    parse_catalog,
    version_error,
)
from counter_app.domain.pulled import check_pulled_content
from counter_app.domain.text import clean, fold, has_control_chars, percent, replace_nonchars, thousands
from counter_app.domain.validation import (
    CORRECTABLE,
    NAME_MAX,
    PARTY_LABELS,
    PERIOD_BACKWARDS,
    REPORT_NOT_YET,
    check_id_number,
    check_org_number,
    check_phone,
    check_text,
    id_birth_warning,
    json_kind,
    mask_numbers,
    nonchar_error,
    parse_day_time,
    party_field_check,
    shown,
)
from counter_app.settings import (
    Settings,
    change_settings,
    hours_warnings,
    identity_warnings,
    inspect_settings,
    load_settings,
)
from counter_app.store import DossierStore, access_spool, open_database
from counter_app.store.database import (
    DATABASE_ID,
    damaged,
    damaged_problem,
    explain,
    hold_ui_lock,
    stored_identity,
    stored_lineage,
)
from counter_app.store.dossiers import HUB_CAUGHT_UP, HUB_POSITION, LIST_VIEWS, DossierRow

Clock = Callable[[], datetime]

LIST_NAMES = {
    "today": "tiếp nhận hôm nay",
    "due_today": "đến hạn hôm nay",
    "overdue": "quá hạn",
    "waiting_papers": "chờ bổ sung",
    "ready": "chờ trả kết quả",
    "open": "đang giải quyết",
    "recent": "mới tiếp nhận",
}
"""Each of ``LIST_VIEWS`` as the access log names it to the citizen or inspector who reads it."""

MAX_COUNT = MAX_PAPER_COUNT
"""Largest count of one paper or of sets (the catalog's bound: papers are prefilled from it)."""
BACKDATE_LIMIT = codes.BACKDATE_LIMIT
"""How far back a paper dossier may be entered after the fact."""
FUTURE_TOLERANCE = timedelta(minutes=5)
"""Clock skew allowed between the machine and a given receipt time."""
CLOCK_EARLIEST = datetime(2025, 7, 1, tzinfo=VN_TZ)
"""The two-level local government began on 1 July 2025, and no counter of this program ran before:
a machine clock earlier than that is wrong (a flat BIOS battery sets it back years)."""
CLOCK_BEHIND = timedelta(hours=1)
"""How far behind the latest step this counter recorded the clock may be before the official is told."""
NUMBER_PREFIX_MIN = 6
"""Digits typed before a search shows the ID numbers and phones that start with them."""
SUFFIX_SEARCH_DAYS = 92
"""A bare sequence number ("2001") is looked for among the dossiers of the last three months."""
MAX_DRAFT_CHARS = 100_000
"""A draft larger than this is not an intake form any more."""
FEE_REQUEST_MAX = 10_000_000_000
"""Largest fee or tax the counter asks for in one step (10 billion đồng: land use levies reach
billions, nothing at a commune counter reaches this)."""
APPOINTMENT_HORIZON = timedelta(days=366)
"""How far ahead a moved appointment may be: an apology promises a date, not an open end."""
SPECIAL_DAYS_MAX = 731
"""Longest period of the special-days list (two years; it walks the calendar day by day)."""
PAGE_MAX = 1_000
"""Most rows of one page of a list or a search."""
OFFSET_MAX = 10_000_000
"""Furthest a page may start; a commune counter will not hold this many dossiers."""
ACCESS_LOG_MAX = 100_000
"""Most access-log lines returned at once."""

SEARCH_LOGGED_EACH = 5
"""A search that shows at most this many dossiers (one person's ID number or phone, a code) is
logged against each of them, so each dossier's access log has it; a broader one (a common name)
gets one line for the whole search."""


INTAKE_KEYS = frozenset(
    {
        "procedure",
        "applicant",
        "owner",
        "documents",
        "sets",
        "fee",
        "return_method",
        "summary",
        "received_at",
        "deciding_agency",
        "digitised",
    }
)
PARTY_KEYS = frozenset(
    {"name", "kind", "id_number", "phone", "email", "address", "birth_date", "representative"}
)
DOCUMENT_KEYS = frozenset({"name", "originals", "certified", "copies"})
"""The keys of one paper of an intake (a paper may also be given as its name alone)."""
PAPER_COUNTS = re.compile(r"\s*:\s*([0-9]{1,6})\s*/\s*([0-9]{1,6})\s*/\s*([0-9]{1,6})\s*$")
"""The counts after a paper's name typed as text: ``Bản sao giấy khai sinh: 0/1/0`` (originals,
certified copies, photocopies)."""


COUNTS_LIKE = re.compile(r":\s*([-+0-9\s]*/[-+0-9/\s]*)$")
"""A tail of digits, signs and slashes after a colon: counts meant, but not three whole numbers."""


def miscounted(text: str) -> str | None:
    """The counts ending a paper typed as text when they are meant but malformed ("A: -1/0/0",
    "A: 1/2", "A: 1/2/3/4"), else None. They were kept as part of the paper's name, printed so on
    the citizen's form."""
    if PAPER_COUNTS.search(text):
        return None
    tail = COUNTS_LIKE.search(text)
    return tail.group(1).strip() if tail else None


def paper_from_text(text: str) -> dict[str, Any]:
    """A paper typed as text: its name, with its counts when ``: O/C/P`` ends it (a certified copy
    asked for was printed as an original), else one original."""
    counts = PAPER_COUNTS.search(text)
    if counts is None:
        return {"name": text, "originals": 1}
    originals, certified, copies = (int(n) for n in counts.groups())
    return {"name": text[: counts.start()], "originals": originals, "certified": certified, "copies": copies}


PARTY_KINDS = {"person": "cá nhân", "organisation": "tổ chức"}
"""An applicant's or owner's kinds (``kind``), with what they are called."""
PARTY_ROLES = {"applicant": "người nộp hồ sơ", "owner": "chủ hồ sơ"}
"""What the intake's two parties are called in messages."""
DOCUMENT_COUNTS = {"originals": "số bản chính", "certified": "số bản chứng thực", "copies": "số bản photo"}
"""A paper's counts, with what they are called in messages."""


def not_text(path: str, value: Any) -> FieldError:
    """The error for a field that must be text and is not."""
    return FieldError(path, f"Trường «{path}» phải là chuỗi ký tự, không phải {json_kind(value)}.")


def _unknown_keys(raw: Mapping[Any, Any], allowed: frozenset[str], prefix: str) -> FieldError | None:
    unknown = sorted(shown(k) for k in raw if k not in allowed)
    if not unknown:
        return None
    paths = [f"{prefix}{k}" for k in unknown]
    more = f" (và {len(paths) - 5} trường khác)" if len(paths) > 5 else ""
    return FieldError(
        paths[0],
        f"Trường không được hỗ trợ: {', '.join(paths[:5])}{more}; chỉ dùng: "
        f"{', '.join(prefix + k for k in sorted(allowed))}.",
    )


log = logging.getLogger(__name__)

SIGN_IN_TRIES = 5
"""Wrong PINs in a row after which an account waits before the next try."""
SIGN_IN_WAIT = timedelta(minutes=5)
"""How long it waits the first time; each later lock doubles it, up to ``SIGN_IN_WAIT_MAX``."""
SIGN_IN_WAIT_MAX = timedelta(hours=8)

UNCHOSEN_REQUIRED = frozenset({"name", "id_number"})
"""The applicant's fields the desk requires while no procedure is chosen (most procedures' own)."""

OWNER_REQUIRED = frozenset({"name"})
"""The owner's fields the desk requires when the owner is someone other than the submitter."""


def required_party_fields(listed: Iterable[str], kind: str = "person") -> frozenset[str]:
    """The applicant's fields the desk requires, from a procedure's ``required_fields``: the name
    always; not what the applicant's kind has not (an organisation has no birth date, a person no
    representative); never an organisation's enterprise code (it may have none yet), always the
    representative who hands its dossier in (an organisation's name alone says nobody)."""
    needed = {"name", *listed}
    needed.discard("birth_date" if kind == "organisation" else "representative")
    if kind == "organisation":
        needed.discard("id_number")
        needed.add("representative")
    return frozenset(needed)


def check_party_field(key: str, value: str, today: date, kind: str = "person") -> tuple[str, str]:
    """Check one applicant field on its own, as the form's field is left: (error, warning).

    The same rules and limits as :meth:`Desk.parse_intake` (:func:`party_field_check`), for inline
    messages before saving; an empty value is not an error here (whether it is required depends on
    the procedure).
    """
    check = party_field_check(key, value, today, kind) if value.strip() else None
    if check is None:
        return "", ""
    return check.error or "", check.warning or ""


@dataclass(frozen=True)
class Intake:
    """A validated intake, ready to be received."""

    procedure: Procedure
    applicant: Party
    owner: Party | None
    documents: tuple[DocumentItem, ...]
    sets: int
    fee_amount: int
    fee_text: str
    return_method: str
    summary: str
    received_at: datetime | None
    deciding_agency_name: str
    warnings: tuple[str, ...] = ()
    digitised: bool = False
    """The papers were scanned into the system at the counter (số hóa, Decree 118/2025): a QĐ 766
    indicator the supervisors report."""


ACCESS_LOG_WAIT_MS = 200
"""How long a reading's access-log rows wait for another program's write lock before they are kept
for later (see ``Desk._log_reading``)."""

CLOSE_LOG_WAIT_MS = 3_000
"""How long access-log rows still waiting at close wait for another program's write lock before
they are kept beside the file for the next program (``access_spool``)."""

UNLOGGED_MAX = 10_000
"""Access-log rows a desk keeps while the database cannot take them (a day of readings)."""

WRONG_SIGN_IN_TITLE = "Đăng nhập không thành công"
"""The title of a refused sign-in: one message for an unknown name and a wrong PIN, so that no
name can be found out by trying."""


@dataclass(frozen=True)
class Official:
    """A signed-in official."""

    username: str
    full_name: str
    role: str
    weak_pin: bool = False
    """Signed in with a PIN that the rules for a new one refuse (set before they existed)."""

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


@dataclass(frozen=True)
class TimeLeft:
    """Working time left before the due time (negative when late), for display."""

    working: timedelta
    late: bool
    paused: bool
    off_day: str = ""
    """Why the due day is no working day ("Nghỉ đột xuất", "Chủ nhật"), when a day off decided
    after the appointment was given fell on it: the citizen must be given another one."""

    def describe_vi(self, hours_per_day: timedelta = timedelta(hours=8)) -> str:
        if self.off_day and not self.late:  # "Còn 0 phút" read as a dossier about to be late
            return f"Hẹn trả rơi vào ngày nghỉ ({self.off_day}): cần hẹn lại"
        total = abs(self.working)
        days, rest = divmod(total, hours_per_day)
        hours = int(rest.total_seconds() // 3600)
        minutes = int(rest.total_seconds() % 3600 // 60)
        parts = []
        if days:
            parts.append(f"{int(days)} ngày")
        if hours:
            parts.append(f"{hours} giờ")
        if minutes and not days:
            parts.append(f"{minutes} phút")
        # Under a minute in hand read "Còn 0 phút", as if the time were up: it is not yet.
        text = " ".join(parts) or ("dưới 1 phút" if not self.late else "0 phút")
        if self.late and not parts:
            return "Đã quá hạn"  # past the due time, no working time since (lunch, evening, day off)
        if self.paused:  # late before the pause stays late: "còn" would read as time in hand
            return f"Tạm dừng (đã trễ {text} làm việc)" if self.late else f"Tạm dừng (còn {text} làm việc)"
        return f"Trễ {text} làm việc" if self.late else f"Còn {text} làm việc"


READ_ONLY_DISK = (
    "ổ đĩa chứa «{path}» chỉ cho đọc (gắn lại chế độ chỉ đọc sau một lỗi, hoặc được chống ghi): "
    "xem, tìm, kiểm tra và sao lưu được (counter backup --to THƯ_MỤC_KHÁC); không lưu được thay đổi "
    "nào. Hãy báo cán bộ phụ trách công nghệ thông tin kiểm tra ổ đĩa."
)
"""Said wherever a database on a read-only disk is opened (for reading only)."""


def database_problem(exc: BaseException) -> StoreError | None:
    """A SQLite failure that reached a caller unwrapped, as the database error it is: on a
    damaged file (a lost page, text no longer UTF-8) the one "restore the latest backup" message;
    None when ``exc`` is no SQLite failure (a bug, reported as unexpected)."""
    if damaged(exc):
        return DamagedFileError(damaged_problem())
    if isinstance(exc, sqlite3.Error):
        return StoreError(f"Lỗi cơ sở dữ liệu: {explain(exc)}.")
    return None


def another_supervisor(officials: Iterable[Mapping[str, Any]], username: str) -> bool:
    """Whether an active supervisor other than ``username`` is among ``officials`` (rows as
    :meth:`Desk.officials` gives them): without one, ``username`` may not be locked or demoted."""
    return any(o["role"] == "supervisor" and o["active"] and o["username"] != username for o in officials)


_UNKNOWN_SALT = "00" * 16
"""The salt a PIN typed for a name with no account is hashed with (the time spent is the same)."""


def _pin_hash(pin: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), 120_000).hex()


def pin_problem(pin: str) -> str:
    """What is wrong with a new PIN, or "" when it will do.

    A PIN is 4 to 8 ASCII digits (``str.isdigit`` alone would take "²" or Arabic-Indic digits,
    which no counter keyboard types back), and not one a colleague guesses first: the same digit
    repeated (0000) or a run up or down the keypad (1234, 4321, 012345).
    """
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        return "Mã PIN phải gồm 4 đến 8 chữ số."
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    if steps in ({0}, {1}, {-1}) or len(set(pin)) <= 2:  # 1111, 1234, 4321; 1212, 1122, 2020
        return (
            "Mã PIN quá dễ đoán (số giống nhau, liền nhau hay chỉ hai chữ số như 1111, 1234, 1212); "
            "hãy chọn số khác."
        )
    return ""


OVERRIDE_KINDS = {"day_off": "Ngày nghỉ", "working_day": "Ngày làm bù"}
"""Working-day override kinds as the screens and the command line name them."""
ROLE_NAMES = {"official": "Cán bộ", "supervisor": "Giám sát"}
"""The roles as the screens and messages name them."""

ACCESS_ACTIONS = {"view": "Xem", "print": "In / lưu", "search": "Tìm kiếm", "settle": "Gỡ xung đột"}
"""What the access log's actions are called for the supervisor. "settle": a supervisor looked at a
dossier in sync conflict and took it out of conflict (:meth:`Desk.settle_conflict`); the detail is
the dossier's sync state after."""


_DAY_AND_NUMBER = re.compile(r"(?:[0-9A-Za-z.]*-)?(\d{6})-(\d{4,5})")
"""The end of a dossier code: its date and number ("261126-2005"), maybe after part of its agency
("H26-261126-2005")."""


def _query_digits(text: str) -> str:
    """A search query as the number it may be: spaces, dots, dashes, brackets and a leading "+"
    left out ("+84 912.345.678" gives "84912345678")."""
    compact = "".join(ch for ch in text if ch not in " .-()")
    return compact[1:] if compact.startswith("+") else compact


def too_short_a_number(query: str) -> bool:
    """A query of digits too few to look up a phone or an ID number by (``NUMBER_PREFIX_MIN``): it
    finds only codes ending so, and the official is to be told how many digits to type."""
    digits = _query_digits(clean(query or ""))
    return digits.isdigit() and len(digits) < NUMBER_PREFIX_MIN


def step_form(kind: str) -> str | None:
    """The form a lifecycle step gives the citizen (Mẫu 02 to 05), or None: the printing package's
    own list of the step each form reports."""
    from printing.wording import FORM_EVENT  # the printing package loads at the first print

    return next((form for form, event in FORM_EVENT.items() if event == kind), None)


def latest_step_form(kinds: Sequence[str]) -> str | None:
    """The form the dossier's latest step gives the citizen, or None. A step that neither gives a
    paper nor moves the status (the citizen's rating, asked after a refusal) leaves the paper of
    the step before it: the refusal form is still the one to hand over."""
    for kind in reversed(kinds):
        form = step_form(kind)
        transition = TRANSITIONS.get(kind)
        if form is not None or transition is None or transition.to_status is not None:
            return form
    return None


def form_title(form: str, basis: str) -> str:
    """A form's name as printed under the circular the commune follows (``forms_basis``): the
    print menu and the access log say what the paper says."""
    from printing.wording import form_name  # the printing package loads at the first print

    try:
        return form_name(basis, form).title
    except KeyError:
        return form


@dataclass(frozen=True)
class AccessEntry:
    """One line of the access log: who viewed or printed whose data, and when."""

    at: datetime
    actor: str
    action: str
    dossier_code: str
    detail: str
    basis: str = "03/2025"
    """The circular whose form names the log shows (the counter's ``forms_basis``)."""

    @property
    def action_name(self) -> str:
        return ACCESS_ACTIONS.get(self.action, self.action)

    @property
    def detail_text(self) -> str:
        """The form printed, by its name ("logbook 2026-11-01..2026-11-30" keeps its dates); for a
        search, what was asked and how many dossiers it showed."""
        if self.action == "search":
            shown, _, query = self.detail.partition(" ")
            return f"“{query}”: {shown} hồ sơ"
        if self.action == "settle":
            return SYNC_STATE_NAMES.get(self.detail, self.detail)
        form, _, rest = self.detail.partition(" ")
        name = form_title(form, self.basis)
        return f"{name} {rest}".strip() if name != form else self.detail

    def to_json(self) -> dict[str, str]:
        return {
            "at": format_time(self.at),
            "actor": self.actor,
            "action": self.action,
            "dossier_code": self.dossier_code,
            "detail": self.detail,
        }


REPORT_FIGURES: tuple[tuple[str, str], ...] = (
    ("received", "Tiếp nhận"),
    ("returned", "Đã trả kết quả"),
    ("finished", "Đã giải quyết xong"),  # = early + on time + late (results, returned or not yet)
    ("early", "Giải quyết trước hạn"),  # the official word (QĐ 766, form 06), as the logbook prints it
    ("on_time", "Giải quyết đúng hạn"),
    ("late", "Giải quyết trễ hạn"),
    ("overdue", "Đang quá hạn (hiện tại)"),  # now, whatever the period: said on the label
    ("refused", "Từ chối tiếp nhận"),  # at the counter, never received
    ("refused_later", "Từ chối sau khi đã tiếp nhận"),
    ("withdrawn", "Công dân rút hồ sơ"),
    ("stopped", "Dừng xử lý"),
    ("on_time_rate", "Tỷ lệ đúng hạn"),
    ("rated", "Lượt đánh giá"),
    ("satisfaction_rate", "Tỷ lệ hài lòng"),
    ("digitised_rate", "Tỷ lệ số hóa hồ sơ"),  # of those received; the count is in the JSON
)
"""The period report's figures as supervisors read them (QĐ 766 groups), in order: the
dashboard and ``counter report`` show the same ones. Keys ending in ``_rate`` are shares (0-1)."""


def figure_text(key: str, value: float | None) -> str:
    """A report figure as printed: ``1.234`` (dots between thousands), ``87,5%``, or ``—`` (no data)."""
    if value is None:
        return "—"
    if key.endswith("_rate"):
        return percent(value)
    return thousands(int(value))


def stranded_appointments(due: Sequence[DossierRow], shown: int = 5, *, hours: str = "") -> str:
    """What to tell whoever just declared a day off on which citizens were given appointments (or,
    with ``hours``, set office hours that leave their appointment time outside them): the dossiers
    still in processing need their appointment moved (with the apology), those whose result is
    ready need their citizen told to come another time (the phone is on the dossier)."""

    def named(rows: Sequence[DossierRow]) -> str:
        more = f" và {len(rows) - shown} hồ sơ khác" if len(rows) > shown else ""
        return ", ".join(r.code for r in rows[:shown]) + more

    when = f"ngoài giờ làm việc mới ({hours})" if hours else "vào ngày này"
    other = "vào giờ làm việc" if hours else "vào ngày làm việc khác"
    open_ = [r for r in due if r.status != 9]
    ready = [r for r in due if r.status == 9]
    said = []
    if open_:
        said.append(
            f"{len(open_)} hồ sơ đang có hẹn trả {when} ({named(open_)}): hãy hẹn lại từng hồ sơ, "
            "kèm văn bản xin lỗi (phím h ở màn hình hồ sơ, hoặc lệnh counter move-appointment)"
        )
    if ready:
        said.append(
            f"{len(ready)} hồ sơ đã có kết quả, hẹn công dân đến nhận {when} ({named(ready)}): "
            f"hãy báo công dân đến nhận {other} (số điện thoại ở màn hình hồ sơ)"
        )
    return "; ".join(said) + ", để công dân không đến khi cơ quan nghỉ."


def backup_summary(result: Mapping[str, Any]) -> str:
    """What :meth:`Desk.backup` did, in one sentence for the official."""
    size = f"{result['bytes'] / 1e6:.1f}".replace(".", ",")
    return f"Đã sao lưu {result['dossiers']} hồ sơ ({size} MB) vào {result['path']}"


_USERNAME = re.compile(r"[a-z0-9._-]+")
"""A new official's user name (see :meth:`Desk.official_problems`)."""

_BACKUP_STAMP = re.compile(r"(\d{8}-\d{6})(?:-(\d+))?\.db")
"""What follows a counter's prefix in the name of one of its backups: the time, then a number for a
second copy in the same second."""


def backup_prefix(commune_code: str, counter_no: int) -> str:
    """The start of the names of one counter's backups: the commune and the counter number, so
    that counters (or a training database) sharing a backup folder never rotate out each
    other's copies."""
    return f"counter-{commune_code}-{counter_no:02d}-"


def _backup_order(prefix: str, path: Path) -> tuple[str, int] | None:
    """Where a file of a backup folder falls among this counter's backups (None: not one).

    A copy named before backups carried their counter (``counter-<stamp>.db``) is this counter's
    when the settings stored in it say so: read, never written.
    """
    name = path.name
    if name.startswith(prefix):
        match = _BACKUP_STAMP.fullmatch(name[len(prefix) :])
    elif name.startswith("counter-") and (match := _BACKUP_STAMP.fullmatch(name[len("counter-") :])):
        if backup_prefix(*stored_identity(path)) != prefix:
            return None
    else:
        return None
    return (match.group(1), int(match.group(2) or 1)) if match else None


def return_problems(method: str, applicant: Party) -> list[FieldError]:
    """What the way the result goes back needs of the applicant and lacks (the intake's rule, and
    a correction's): an address by post, a phone or an email online. Saved without, the receipt
    said "by post" over an empty address, or "online" with no way to tell the citizen."""
    if method == "post" and not applicant.address:
        return [
            FieldError(
                "applicant.address",
                "Kết quả gửi qua bưu chính: cần địa chỉ nhận kết quả (địa chỉ của người nộp).",
            )
        ]
    if method == "online" and not (applicant.phone or applicant.email):
        return [
            FieldError(
                "applicant.phone",
                "Nhận kết quả trực tuyến: cần số điện thoại hoặc email để báo cho công dân.",
            )
        ]
    return []


def _same_lineage(path: Path, own_id: str, own_events: object) -> bool:
    """Whether the backup at ``path`` is a copy of this database (``DATABASE_ID``), for the
    rotation to remove. One made before copies carried the identifier counts as this one's when it
    holds no more events than the copy just made; an unreadable file is no copy of anything."""
    lineage = stored_lineage(path)
    if lineage is None:
        return True
    their_id, their_events = lineage
    if their_id:
        return their_id == own_id
    return not isinstance(own_events, int) or their_events <= own_events


STALE_PARTIAL = timedelta(hours=1)
"""A half-written backup copy (``….db.partial``) untouched this long was left by a backup cut off."""


def _remove_stale_partials(folder: Path, prefix: str) -> list[str]:
    """Remove this counter's half-written backup copies that a backup cut off (the PC switched off
    during the nightly run) left in ``folder``: each was a full copy of every citizen's data that
    no rotation ever removed. One still being written (its file touched within the hour) stays.

    Returns:
        The names removed.
    """
    removed: list[str] = []
    for path in folder.iterdir():
        name = path.name
        stamp = name[len(prefix) :].split(".db.partial", 1)
        if not name.startswith(prefix) or len(stamp) != 2 or stamp[1] not in ("", "-wal", "-shm"):
            continue
        if not _BACKUP_STAMP.fullmatch(stamp[0] + ".db"):
            continue
        try:
            # The file's own clock (not the counter's, which a test or a wrong setting may move).
            if time.time() - path.stat().st_mtime < STALE_PARTIAL.total_seconds() or not path.is_file():
                continue
            path.unlink()
        except OSError as exc:
            log.warning("could not remove a cut-off backup %s: %s", name, exc)
        else:
            removed.append(name)
    return sorted(removed)


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return ()


def _day_text(day: date) -> str:
    # Not strftime: it writes year 1 as "1" on some platforms, and the point is to show the year.
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def check_day(day: date, field: str, label: str) -> None:
    """Refuse a day outside ``FIRST_YEAR``-``LAST_YEAR`` before anything adds to it or converts it.

    Raises:
        ValidationError: naming the field and the years allowed.
    """
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            FieldError(
                field,
                f"{label} {_day_text(day)} nằm ngoài khoảng cho phép: từ năm {FIRST_YEAR} "
                f"đến năm {LAST_YEAR}.",
            )
        )


def check_period(first: date | None, last: date | None, longest: int | None = None) -> None:
    """A period of Vietnam days (either end may be open): sensible years, in order, not too long.

    The years bound every period (a report, the logbook, the access log) to at most a century:
    their cost grows with the dossiers found, not with the days spanned, and "everything so far"
    (2000-2099) is a real question for a report. Only a query that walks day by day (the calendar's
    special days) passes a tighter ``longest``.

    Raises:
        ValidationError: a day outside ``FIRST_YEAR``-``LAST_YEAR``, the end before the start, or
            more than ``longest`` days.
    """
    if first is not None:
        check_day(first, "from", "Ngày bắt đầu")
    if last is not None:
        check_day(last, "to", "Ngày kết thúc")
    if first is None or last is None:
        return
    if last < first:
        raise ValidationError(FieldError("to", PERIOD_BACKWARDS))
    if longest is not None and (last - first).days + 1 > longest:
        raise ValidationError(
            FieldError(
                "to", f"Mỗi lần chỉ xem được tối đa {longest} ngày; hãy chia khoảng thời gian nhỏ hơn."
            )
        )


def check_page(limit: int, offset: int, most: int = PAGE_MAX) -> None:
    """A page of rows: 1 to ``most`` rows, starting 0 to ``OFFSET_MAX`` rows in.

    Raises:
        ValidationError: otherwise (SQLite takes a negative limit as "all rows" and overflows past
            2^63).
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= most:
        raise ValidationError(FieldError("limit", f"Số dòng mỗi trang phải từ 1 đến {thousands(most)}."))
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= OFFSET_MAX:
        raise ValidationError(FieldError("offset", f"Vị trí bắt đầu phải từ 0 đến {thousands(OFFSET_MAX)}."))


def office_hours_text(calendar: WorkCalendar) -> str:
    """The office sessions as the official reads them: "07:00–11:30, 13:30–17:00"."""
    return ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in calendar.hours.sessions)


SYNC_STATE_NAMES = {
    "pending": "Chưa gửi lên máy chủ",
    "sent": "Đã gửi lên máy chủ",
    "conflict": "Xung đột với máy chủ (cần quản trị viên xem)",
}
"""A dossier's sync state, as the dossier screen and ``counter show`` say it."""
SYNC_CURSOR = "_sync_cursor"
SYNC_CURSOR_UUID = "_sync_cursor_uuid"
"""The uuid of the hub's event at the cursor, as the hub named it with the page: the next pull
asks whether it is still the one there (numbers given again after the hub was put back)."""
HUB_HOLDS = "_hub_holds"
"""The newest of this counter's events the hub acknowledged: the next pull asks whether the hub
still holds it (a hub put back to an older copy does not)."""
LAST_SYNC = "_last_sync"
LAST_SYNC_HUB = "_last_sync_hub"
"""The hub address of the last run that worked (see :meth:`Desk.hub_address_changed`)."""
LAST_SYNC_FAILURE = "_last_sync_failure"
HUB_WENT_BACK = "_hub_went_back"
"""``{"queued": n, "new": bool}`` from the moment a run finds the hub put back (or new) until a run
has gone through: a run cut off right after (the cable pulled, the PC off) left the next one, which
finds the cursor already at 0, reporting a quiet night, exit 0, the put-back said nowhere but the log."""
"""The last failed run since the last one that worked (JSON: at, error), or "" for none."""
CALENDAR_VERSION = "_calendar_version"
MAX_CITY_DAYS = 500
"""Most days off and make-up days a city calendar may name (a year has about twenty; one naming
800 days off in a row was taken, and a same-day procedure got its appointment two years later)."""


@dataclass(frozen=True)
class LeftOutStep:
    """A step kept in the file but left out of its dossier (see :meth:`Desk.left_out`)."""

    at: datetime
    label: str
    actor: str
    counter_id: str
    reason: str
    uuid: str = ""
    received_again: str = ""
    """For a receipt left out because its code was issued twice: the code it was received again
    under (:meth:`Desk.receive_again`), once done here or pulled from the counter that did it."""
    can_receive_again: bool = False
    """A receipt left out because its code was issued twice, not yet received again."""


SCANNED_BEFORE_SIGN_IN = "Đây là mã hồ sơ vừa quét: hãy đăng nhập (mở khóa) trước, rồi quét lại."
"""Said when a dossier code comes as a sign-in's name or PIN."""


UNREADABLE_EVENT = (KeyError, TypeError, ValueError, AttributeError, OverflowError)
"""What folding an event raises when its content is not what a counter writes (a payload cut
short, a field of the wrong type, a time in year 9999): the fold itself is pure domain code."""


def _receipt_alone(event: Event) -> Dossier | None:
    """The dossier a left-out receipt makes by itself, None when it makes none (its content cannot
    be read): such a receipt was left out only because its code was issued twice."""
    try:
        check_pulled_content(event)
        return apply(None, event)
    except (RuleError, ValidationError, *UNREADABLE_EVENT):
        return None


def _code_twice(first: Dossier, second: Event) -> str:
    """Why a second receipt under a code is left out: the code was issued twice, by two machines
    with one counter number (or one set up again without its backup, by a release before the
    unseen codes were skipped). Both citizens hold a receipt with it; the second must be received
    again under a new code."""
    applicant = second.payload.get("applicant")
    name = applicant.get("name") if isinstance(applicant, Mapping) else None
    who = f"«{shown(name)}»" if isinstance(name, str) and name else "một hồ sơ khác"
    return (
        f"Mã hồ sơ {first.code} đã được cấp hai lần: cho «{first.applicant.name}» "
        f"({first.received_at:%H:%M %d/%m/%Y}) và cho {who} ({to_vn(second.occurred_at):%H:%M %d/%m/%Y}, "
        f"quầy {shown(second.counter_id)}). Hai máy đang dùng cùng một số quầy, hoặc một máy được cài lại "
        f"mà không khôi phục bản sao lưu: mỗi máy phải có số quầy riêng. Hồ sơ của {who} đã được giữ lại; "
        "cần tiếp nhận lại hồ sơ ấy để có mã mới và in lại giấy tiếp nhận (giám sát: mở hồ sơ "
        f"{first.code} rồi bấm m, ở một quầy có số riêng; hoặc lệnh counter receive-again {first.code})."
    )


@dataclass(frozen=True)
class FlagBaseline:
    """Events left out (uuids) and dossiers in conflict (codes) at one moment (see
    :meth:`Desk.flag_baseline`)."""

    flagged: frozenset[str]
    conflicts: frozenset[str]


@dataclass
class PulledPage:
    """What one page of events from the hub did here."""

    applied: int = 0
    known: int = 0
    """Events this counter already had (its own, or pulled before)."""
    flagged: list[tuple[str, str]] = field(default_factory=list)
    """(dossier code, reason) of events kept but not folded."""
    skipped: list[str] = field(default_factory=list)
    """What was wrong with each item of the page that is not a readable event (not stored)."""


def _collected(errors: list[FieldError], check: Callable[[], Any]) -> Any:
    """Run one check of a form; its field errors join ``errors`` (the form then shows every wrong
    field at once, not one per try). Returns what the check returns, None when it failed."""
    try:
        return check()
    except ValidationError as exc:
        errors.extend(exc.errors)
        return None


def _failure(stored: str | None) -> dict[str, str] | None:
    """The last failed sync run as stored (``LAST_SYNC_FAILURE``); None for none, or unreadable."""
    try:
        value = json.loads(stored or "null")
    except ValueError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("at"), str):
        return None
    return {"at": value["at"], "error": str(value.get("error", ""))}


def is_hub_cursor(value: object) -> bool:
    """A hub's sync cursor: ASCII digits that fit SQLite's integers (``"²"`` and ``"１２"`` pass
    ``str.isdigit`` but are no number ``int`` reads)."""
    return isinstance(value, str) and 0 < len(value) <= 18 and value.isascii() and value.isdigit()


class Desk:
    """All use cases of one counter, over one store.

    Args:
        store: The dossier store (owns the database connection).
        settings: This counter's settings (see :func:`Desk.open`).
        clock: Returns "now"; tests pass a fixed clock.
    """

    def __init__(self, store: DossierStore, settings: Settings, clock: Clock = now_vn) -> None:
        self.store = store
        self._settings = settings
        self._clock = clock
        self._calendar: WorkCalendar | None = None
        self._unknown_sign_ins: dict[str, tuple[int, datetime | None]] = {}
        """Wrong sign-ins under names with no account: (count, waiting until), as accounts have."""
        self._catalog: Catalog | None = None
        self._catalog_stamp = ""
        """The stored catalog's import count when it was read (see ``DossierStore.replace_catalog``)."""
        self._env: Mapping[str, str] | None = None
        """The environment the settings were read with (None: the process's own)."""
        self._seen = store.data_version()
        """The database's ``data_version`` when the settings, calendar and catalog were last read."""
        self._shown = threading.local()
        """Per thread: ``(code, events)`` of the dossier as a screen showed it (:meth:`as_shown`)."""
        self.strict = True
        """Refuse wrong settings; False only for the commands that show or repair them."""
        self.setting_problems: list[FieldError] = []
        """What is wrong with the settings (empty unless the desk was opened with strict=False)."""
        self._ui_lock: IO[str] | None = None
        """The open lock file while this desk serves the terminal UI (:meth:`hold_ui`)."""
        self.lost_readings = 0
        """Access-log rows :meth:`close` could not write (a read-only or full disk)."""
        self.unlogged_reason = ""
        """Why the waiting access-log rows could not be written (the store's message)."""
        self.change_warnings: list[str] = []
        """What the last :meth:`update_settings` means for the dossiers already held (for the admin)."""
        self._unlogged: list[tuple[datetime, str, str, str, str]] = []
        """Access-log rows the database could not take yet (at, actor, action, code, detail): written
        with the next reading, or at close (see :meth:`_log_reading`)."""
        self._taken_rows: list[Path] = []
        """Files of rows another program left (see access_spool), removed once written here."""

    # -- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path | None,
        *,
        clock: Clock = now_vn,
        env: Mapping[str, str] | None = None,
        strict: bool = True,
    ) -> Desk:
        """Open a counter database (migrating it), load its settings and make sure it has a catalog.

        Args:
            strict: Refuse wrong settings. False for the commands that show or repair them
                (``counter settings``, ``counter setup``): the problems are in ``setting_problems``.

        Raises:
            StoreError: the database cannot be opened.
            ValidationError: a stored or overriding setting is wrong (strict only).
        """
        store = DossierStore(open_database(path))
        settings, problems = inspect_settings(store.read_settings(), env)
        if problems and strict:
            store.close()
            raise SettingsError(problems)
        desk = cls(store, settings, clock)
        desk.strict, desk.setting_problems, desk._env = strict, problems, env
        desk._ensure_catalog()
        if store.path is not None and not store.read_only:
            # Rows a program that read before had to leave beside the file: written with this
            # desk's first reading, or at its close.
            waiting, desk._taken_rows = access_spool.claim(store.path)
            if waiting:
                desk._unlogged = waiting + desk._unlogged
                desk._write_readings([])  # at once, if the file takes them: the log reads complete
        return desk

    def hold_ui(self) -> None:
        """Make this the one terminal UI working on the database (see :func:`hold_ui_lock`),
        until :meth:`close`.

        Raises:
            StoreError: another UI on this machine has the database open.
        """
        path = self.store.path
        if path is not None and self.store.read_only:
            # Every keystroke's draft and every save would fail: the commands read and back up.
            raise StoreError(
                READ_ONLY_DISK.format(path=path)[0].upper()
                + READ_ONLY_DISK.format(path=path)[1:]
                + " Giao diện tiếp nhận không mở trên ổ này."
            )
        if path is not None and self._ui_lock is None:
            self._ui_lock = hold_ui_lock(path)

    def close(self) -> None:
        """Close the database, writing the access-log rows still waiting; those it cannot write
        are counted in ``lost_readings`` (the command line says so) and named in the program's log."""
        if self._unlogged:
            # The answer is printed and the program closing: the rows wait a moment for another
            # program's write lock (a sync may hold it for minutes), then go beside the file for
            # the next program to write (see access_spool); a command used to wait ten seconds,
            # then lose them.
            self._write_readings([], wait_ms=CLOSE_LOG_WAIT_MS)
        path = self.store.path
        if self._unlogged and path is not None:
            try:
                access_spool.spool(path, self._unlogged)
            except OSError as exc:
                log.warning(
                    "access log: could not keep %d rows beside the file: %s", len(self._unlogged), exc
                )
            else:
                log.info("access log: %d rows kept beside the file for the next program", len(self._unlogged))
                self._unlogged = []
                access_spool.release(self._taken_rows)
                self._taken_rows = []
        if self._unlogged:
            self.lost_readings = len(self._unlogged)
            log.error(
                "access log: %d readings could not be written before closing: %s",
                self.lost_readings,
                self.unlogged_reason,
            )
            self._unlogged = []
        self.store.close()
        if self._ui_lock is not None:
            self._ui_lock.close()
            self._ui_lock = None

    def data_version(self) -> int:
        """A number that moves when another program (the command line, the nightly sync) commits
        to the database: a screen showing figures reads them again only when it moved."""
        return self.store.data_version()

    def now(self) -> datetime:
        """The desk's clock, in Vietnam time."""
        return to_vn(self._clock())

    # -- what another process changed ------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """This counter's settings, as the database holds them now (see :meth:`_pick_up_changes`)."""
        self._pick_up_changes()
        return self._settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self._settings = value

    def _pick_up_changes(self) -> None:
        """Read the settings, calendar and catalog again when another process changed the database.

        The running UI and the command line share one file: the admin's ``settings --set``,
        ``calendar set`` or ``procedures --import`` (or the nightly sync) must reach the appointments
        the UI gives next, not after a restart. SQLite's ``data_version`` moves only when another
        connection commits, so the usual call costs one pragma and nothing is read again.
        """
        # The store's lock alone, never the desk's: a worker inside a store transaction reads the
        # settings too, and taking the two locks in either order would deadlock with it.
        with self.store.lock:
            version = self.store.data_version()
            if version == self._seen:
                return
            self._seen = version
            stored = self.store.read_settings()
            settings, problems = inspect_settings(stored, self._env)
            if problems and self.strict:
                # Another program stored a value this one refuses: keep working with the last good
                # settings rather than stop a counter in the middle of the day.
                log.warning(
                    "settings changed elsewhere are not valid here, kept the previous ones: %s",
                    "; ".join(p.message for p in problems),
                )
            else:
                self._settings, self.setting_problems = settings, problems
            self._calendar = None
            if self._catalog is not None and (
                stored.get("_catalog_version", "") != self._catalog.version
                or stored.get("_catalog_stamp", "") != self._catalog_stamp
            ):
                self._catalog = None  # another import, be it under the same version number

    # -- settings ----------------------------------------------------------------------------------

    def setup(
        self,
        *,
        commune_code: str,
        commune_name: str,
        counter_no: int,
        agency_id: str | None = None,
        hub_url: str | None = None,
        hub_token: str | None = None,
        **others: str,
    ) -> Settings:
        """Name the commune and this counter (first run); may be repeated to change them.

        Raises:
            ValidationError: a value is wrong; nothing is stored.
        """
        errors: list[FieldError] = []
        commune_code = clean(str(commune_code))
        if not (commune_code.isascii() and commune_code.isdigit() and len(commune_code) == 5):
            errors.append(FieldError("commune_code", "Mã xã phải gồm đúng 5 chữ số."))
        name = check_text(commune_name, label="Tên xã/phường", required=True, max_len=120)
        if name.error:
            errors.append(FieldError("commune_name", name.error))
        try:
            codes.check_counter_no(counter_no)
        except ValidationError as exc:
            errors.extend(exc.errors)
        agency = ""
        try:
            agency = codes.check_agency_id(agency_id) if agency_id else ""
        except ValidationError as exc:
            errors.extend(exc.errors)
        if hub_url and not hub_url.strip().lower().startswith(("http://", "https://")):
            errors.append(FieldError("hub_url", "Địa chỉ máy chủ phải bắt đầu bằng http:// hoặc https://."))
        if errors:
            raise ValidationError(errors)
        values: dict[str, Any] = {
            "commune_code": commune_code,
            "commune_name": name.value,
            "counter_no": counter_no,
        }
        if agency:  # else derived from the commune by change_settings (again if the commune changes)
            values["agency_id"] = agency
        if hub_url is not None:
            values["hub_url"] = hub_url
        if hub_token is not None:
            values["hub_token"] = hub_token
        values.update(others)
        return self.update_settings(**values)

    def update_settings(self, *, by: str | None = None, **values: Any) -> Settings:
        """Change and store settings (validated first; nothing stored on error).

        Args:
            by: The supervisor making the change, from the UI: the change is refused unless that
                account is still an active supervisor, read in the change's own transaction (a
                session may outlive a demotion by the seconds until the UI checks). None: the
                command line, run by the machine's administrator.

        Raises:
            ValidationError: an unknown setting or a wrong value.
            ConfigError: the database holds dossiers and the commune or counter number would change.
        """
        # Not load_settings: a wrong stored value may be the very one being repaired.
        current, _ = inspect_settings(self.store.read_settings(), env={})
        dossiers = self.store.dossier_count()
        updated, changed = change_settings(current, values, dossiers=dossiers)
        with self.store.transaction():
            self._require_supervisor(by)
            self.store.write_settings(changed)
        self.change_warnings = identity_warnings(current, updated, dossiers) + hours_warnings(
            current, updated
        )
        if self.strict:
            self.settings = load_settings(self.store.read_settings(), self._env)
        else:
            self.settings, self.setting_problems = inspect_settings(self.store.read_settings(), self._env)
        self._calendar = None
        if updated.office_hours != current.office_hours:
            # Appointments given under the old hours that the new ones leave outside (after the new
            # closing, in the new lunch break): named, as a day off declared names its own.
            calendar = self.calendar()
            outside = [r for r in self.store.due_from(self.now()) if not calendar.in_sessions(r.due_at)]
            if outside:
                hours = office_hours_text(calendar)
                self.change_warnings.append(stranded_appointments(outside, hours=hours))
        return self.settings

    # -- catalog and calendar ----------------------------------------------------------------------

    def _ensure_catalog(self) -> None:
        version, entries = self.store.stored_catalog()
        if not entries or _version_key(version) < _version_key(default_catalog_version()):
            default = load_default_catalog()
            self.store.replace_catalog(default.version, catalog_to_json(default)["procedures"])
            self._catalog = default
        else:
            try:
                self._catalog = parse_catalog({"version": version, "procedures": entries})
            except ValidationError as exc:
                # Imported before the catalog's bounds were tightened: the counter must still
                # start. The stored catalog is kept (nothing is lost); the shipped one serves
                # until a valid catalog is imported.
                log.warning("stored catalog %s no longer valid, using the shipped one: %s", version, exc)
                self._catalog = load_default_catalog()
        self._catalog_stamp = self.store.read_settings().get("_catalog_stamp", "")

    @property
    def catalog(self) -> Catalog:
        self._pick_up_changes()
        if self._catalog is None:
            self._ensure_catalog()
        assert self._catalog is not None
        return self._catalog

    def import_catalog(self, data: Any, *, from_hub: bool = False) -> Catalog:
        """Replace the catalog (from the hub or a file) after validating it whole.

        Args:
            data: The decoded JSON; anything but a ``{version, procedures}`` object is refused.
            from_hub: The city's own catalog (the authority on its versions). A file is refused
                when it carries the version in use with other content: the hub's catalog of that
                version would never be taken again (a sync takes a new version only), and this
                counter would differ from the others under the same number.

        Raises:
            ValidationError: listing the problems (see :func:`parse_catalog`); nothing changed.
        """
        catalog = parse_catalog(data)
        if not from_hub:
            current = self.catalog
            if catalog.version == current.version and catalog_to_json(catalog) != catalog_to_json(current):
                raise ValidationError(
                    FieldError(
                        "version",
                        f"Danh mục trong tệp mang phiên bản «{catalog.version}» như danh mục đang dùng "
                        "nhưng khác nội dung: không nạp. Hãy đặt cho nó một phiên bản mới hơn.",
                    )
                )
        shipped = default_catalog_version()
        if _version_key(catalog.version) < _version_key(shipped):
            # The next start would put the shipped catalog back over it, without a word.
            raise ValidationError(
                FieldError(
                    "version",
                    f"Danh mục phiên bản «{catalog.version}» cũ hơn danh mục kèm chương trình "
                    f"(phiên bản {shipped}), hoặc phiên bản không viết bằng số (như 2026.11.1): "
                    "không nạp. Hãy dùng danh mục mới hơn.",
                )
            )
        self.store.replace_catalog(catalog.version, catalog_to_json(catalog)["procedures"])
        self._catalog = catalog
        self._catalog_stamp = self.store.read_settings().get("_catalog_stamp", "")
        return catalog

    def catalog_change_warnings(self, before: Catalog, after: Catalog) -> list[str]:
        """What an imported catalog changed that an admin should know: an older version than the
        one it replaced, procedures that dossiers still being handled use and it no longer has
        (they keep their names and dates; new intakes for them are refused)."""
        said: list[str] = []
        if _version_key(after.version) < _version_key(before.version):
            said.append(
                f"Danh mục vừa nạp (phiên bản {after.version}) cũ hơn danh mục trước đó "
                f"(phiên bản {before.version}): hãy kiểm tra lại tệp."
            )
        kept = {p.code for p in after}
        gone = {code: n for code, n in self.store.procedures_in_use().items() if code not in kept}
        if gone:
            listed = ", ".join(f"{code} ({n} hồ sơ)" for code, n in sorted(gone.items())[:5])
            more = f" và {len(gone) - 5} thủ tục khác" if len(gone) > 5 else ""
            said.append(
                f"Danh mục mới không còn thủ tục của hồ sơ đang giải quyết: {listed}{more}. "
                "Các hồ sơ này vẫn giữ tên thủ tục và hạn trả; không tiếp nhận mới được theo thủ tục đó."
            )
        return said

    def procedure(self, code: str) -> Procedure:
        return self.catalog.get(code.strip())

    def _counting_start(self, d: Dossier, calendar: WorkCalendar) -> datetime:
        """When the dossier's clock started (its procedure's cut-off; the receipt, normalised,
        should the procedure have left the catalog since)."""
        try:
            limit = self.procedure(d.procedure_code).limit
        except NotFoundError:
            return calendar.normalise(d.received_at)
        return calendar.counting_start(d.received_at, limit)

    def calendar(self) -> WorkCalendar:
        """The working calendar: the package's Vietnam holidays plus this commune's overrides."""
        self._pick_up_changes()
        with self.store.lock:  # the only lock: a worker inside a store transaction reads it too
            if self._calendar is None:
                self._calendar = WorkCalendar(
                    self._settings.hours, self.store.overrides(), years=calendar_years
                )
            return self._calendar

    def overrides(self) -> list[Override]:
        return self.store.overrides()

    def special_days(self, first: date, last: date) -> list[tuple[date, bool, str]]:
        """Holidays, days off and make-up days in a period, the commune's overrides included.

        Raises:
            ValidationError: the period ends before it starts, or spans more than two years.
        """
        check_period(first, last, SPECIAL_DAYS_MAX)
        return self.calendar().special_days(first, last)

    def set_override(self, day: date, kind: str, label: str = "", *, by: str | None = None) -> Override:
        """Declare a day off or a make-up working day (beats the package's calendar).

        Args:
            by: The supervisor making the change, from the UI: the change is refused unless that
                account is still an active supervisor, read in the change's own transaction (a
                session may outlive a demotion by the seconds until the UI checks). None: the
                command line, run by the machine's administrator.

        Raises:
            ValidationError: an unknown kind, a bad label, or a day outside
                ``FIRST_YEAR``-``LAST_YEAR``.
        """
        check_day(day, "day", "Ngày")
        if kind not in ("day_off", "working_day"):
            raise ValidationError(
                FieldError("kind", "Loại ngày phải là «day_off» (nghỉ) hoặc «working_day» (làm bù).")
            )
        text = check_text(label, label="Ghi chú", required=False, max_len=120)
        if text.error:
            raise ValidationError(FieldError("label", text.error))
        self._check_override_day(day, kind)
        override = Override(day, kind, text.value)  # type: ignore[arg-type]
        with self.store.transaction():
            self._require_supervisor(by)
            self.store.put_override(override)
        self._calendar = None
        return override

    # -- sync with the city hub (sync/client.py drives these) ----------------------------------------

    def outbox(self, limit: int) -> list[dict[str, Any]]:
        """The oldest events waiting for the hub, in the wire shape, in recorded order."""
        return [json.loads(body) for body in self.store.outbox_events(limit)]

    def events_sent(self, uuids: Sequence[str]) -> int:
        """The hub named these events as stored: out of the outbox (and no earlier); the newest
        of them is what the next pull asks the hub it still holds (see :meth:`hub_should_hold`)."""
        return self.store.mark_sent(uuids, newest_key=HUB_HOLDS)

    def hub_should_hold(self) -> str | None:
        """The uuid of the newest event the hub acknowledged to this counter, None before any.

        The hub numbers events in the order it stores them and an older copy of it is a prefix of
        that order: a hub that still holds this event holds every event it acknowledged before it.
        """
        return self.store.read_settings().get(HUB_HOLDS) or None

    def events_in_conflict(self, uuids: Sequence[str]) -> list[str]:
        """The hub holds these uuids with other content: their dossiers are marked "conflict"."""
        return self.store.mark_conflict(uuids)

    def sync_state(self, code: str) -> str:
        """What the hub has of this dossier: "pending" (not sent), "sent" or "conflict"."""
        return self.store.stored_sync_state(code)

    def sync_cursor_uuid(self) -> str | None:
        """The uuid of the hub's event at the cursor (see ``SYNC_CURSOR_UUID``), None when the
        hub did not name it."""
        return self.store.read_settings().get(SYNC_CURSOR_UUID) or None

    def sync_cursor(self) -> str:
        """Where the next pull starts: the hub's cursor after the last page applied here."""
        stored = self.store.read_settings().get(SYNC_CURSOR, "0")
        # A cursor stored before they were checked as ASCII digits ("²") starts over: the events
        # already here are known by their uuid and skipped, so pulling again from 0 loses nothing.
        return stored if is_hub_cursor(stored) else "0"

    def apply_pulled(
        self, events: Sequence[Any], cursor: str, *, last: bool = False, cursor_uuid: str | None = None
    ) -> PulledPage:
        """Take one page of events from the hub and store the cursor after it, all in one
        transaction: a crash leaves either the whole page and its cursor, or neither.

        The hub's order is the commune's order: each event of the page takes its place in it (this
        counter's own events too, as they come back), and each dossier the page touches is folded
        again in that order (:meth:`fold_in_hub_order`). Two counters that stepped one dossier
        while apart thus end with the same dossier, whichever synced first. An event already here
        (the same uuid) is not stored twice.

        An item that is not even a readable event (no uuid, a time that is no time of 2000-2100)
        cannot be stored: it is skipped, said in the page's ``skipped`` and in the program's log,
        and the page goes on. It stays on the hub; refusing the page for it would stop every
        counter of the commune from taking anything more, at every run, until someone edited the
        hub's database.

        ``last``: the hub said no more events follow this page; from then on this counter's
        codes are known to the file up to now (see :meth:`_fresh_code`). ``cursor_uuid``: the
        uuid the hub holds at ``cursor``, kept with it (see ``SYNC_CURSOR_UUID``).

        Raises:
            ValidationError: the cursor is not a hub cursor (nothing of the page is stored).
        """
        if not is_hub_cursor(cursor):
            raise ValidationError(
                FieldError("next", f"Con trỏ đồng bộ không hợp lệ: «{shown(str(cursor))}».")
            )
        page = PulledPage()
        parsed: list[Event] = []
        for i, item in enumerate(events):
            try:
                if not isinstance(item, Mapping):
                    raise ValidationError(FieldError("event", "không phải một sự kiện"))
                event = Event.from_json(item)
                if not codes.is_written_code(event.dossier_code):
                    raise ValidationError(FieldError("dossier_code", "không phải mã hồ sơ quầy nào cấp"))
                parsed.append(event)
            except ValidationError as exc:
                uuid = item.get("uuid") if isinstance(item, Mapping) else None
                named = f"«{shown(uuid)}»" if isinstance(uuid, str) else f"thứ {i + 1} của trang"
                page.skipped.append(f"Sự kiện {named} từ máy chủ không đọc được, đã bỏ qua.")
                log.warning("pulled item %d after cursor %s skipped: %s", i + 1, cursor, exc.message)
        self._check_commune(parsed)
        with self.store.transaction():
            position = int(self.store.read_settings().get(HUB_POSITION, "0"))
            touched: dict[str, int] = {}  # dossier code -> how many of its events are new here
            new: set[str] = set()
            for event in parsed:
                position += 1
                if self.store.has_event(event.uuid):
                    page.known += 1
                    placed = self.store.place_event(event.uuid, position)
                    if placed is not None:
                        touched.setdefault(placed, 0)
                    continue
                self.store.insert_pulled(event, position)
                self._numbers_taken(event)
                touched[event.dossier_code] = touched.get(event.dossier_code, 0) + 1
                new.add(event.uuid)
            for code, added in touched.items():
                left_out = self.fold_in_hub_order(code)
                page.flagged += [(code, reason) for _, reason in left_out]
                page.applied += added - sum(1 for e, _ in left_out if e.uuid in new)
            done = {SYNC_CURSOR: cursor, SYNC_CURSOR_UUID: cursor_uuid or "", HUB_POSITION: str(position)}
            if last:
                done[HUB_CAUGHT_UP] = format_time(self.now())
            self.store.write_settings(done)
        return page

    def _check_commune(self, events: Sequence[Event]) -> None:
        """Refuse a page holding a receipt of another commune: the hub answered for another
        commune's token (pasted into this counter's settings by mistake). Taking it would copy that
        commune's citizens here and move the cursor past this commune's own events for good.

        Raises:
            ValidationError: naming the commune the page is from.
        """
        ours = self.settings.commune_code
        for event in events:
            receiving = event.payload.get("receiving") if event.kind == "received" else None
            theirs = receiving.get("commune_code") if isinstance(receiving, Mapping) else None
            if isinstance(theirs, str) and theirs and theirs != ours:
                raise ValidationError(
                    FieldError(
                        "events",
                        f"máy chủ gửi hồ sơ của xã khác (mã xã {shown(theirs)}, quầy này thuộc xã {ours}): "
                        "mã truy cập (hub_token) có lẽ là của xã khác",
                    )
                )

    def hub_went_back(self, *, new_hub: bool = False) -> int:
        """The hub was put back to an older copy (its events end before this counter's cursor, or
        it no longer holds the last event it acknowledged to this counter): what it lost of this
        counter's is queued to be sent again, and the next pull starts from 0 (the events here are
        known by their uuid). Returns how many events were queued again. ``new_hub``: the hub's
        address changed (a new hub); kept with the count until a run goes through
        (:meth:`pending_hub_went_back`)."""
        with self.store.transaction():
            queued = self.store.queue_all_own(self.settings.counter_id)
            # The hub numbers what it is sent again as it comes: another counter's steps may now
            # come before this one's. Every event takes its new place as the pull from 0 brings
            # it, and its dossier is folded again in that order.
            self.store.forget_hub_order()
            said = json.dumps({"queued": queued, "new": new_hub})
            self.store.write_settings(
                {SYNC_CURSOR: "0", SYNC_CURSOR_UUID: "", HUB_HOLDS: "", HUB_WENT_BACK: said}
            )
        log.warning("the hub is behind this counter's cursor: %d own events queued again", queued)
        return queued

    def flag_baseline(self) -> FlagBaseline:
        """What is left out, and which dossiers wait in conflict, before a pull from the start
        (after the hub was put back): see :meth:`review_flags`. Reads every flagged event (no
        index: run only then, not at every sync)."""
        with self.store.transaction():
            flagged = frozenset(uuid for _, uuid, _ in self.store.flagged_events())
            conflicts = frozenset(self.store.codes_in_sync_state("conflict", limit=10**9))
        return FlagBaseline(flagged, conflicts)

    def review_flags(self, baseline: FlagBaseline, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
        """The pull from the start is over: what is left out now that was not before, as
        ``(code, reason)``. A dossier marked "conflict" during the pull with nothing newly left out
        gets back the state it had: page by page, with half its events placed in the hub's order
        anew, its fold took a step left out back in and left the other out, then the other way
        round, and a conflict a supervisor had settled came back (each step counted twice).
        ``keep``: dossiers put in conflict meanwhile for another reason (the hub holds one of their
        events, sent again, with other content): they stay so."""
        with self.store.transaction():
            news = [
                (code, reason)
                for code, uuid, reason in self.store.flagged_events()
                if uuid not in baseline.flagged
            ]
            staying = {code for code, _ in news} | set(keep) | baseline.conflicts
            for code in self.store.codes_in_sync_state("conflict", limit=10**9):
                if code not in staying:
                    self.store.clear_conflict(code)
        return news

    def _numbers_taken(self, event: Event) -> None:
        """A receipt of this counter's own, back from the hub (after a restore from an older
        backup, or on a machine set up again): its code and logbook numbers are used; the
        sequences move past them, so the next citizen gets neither again."""
        settings = self.settings
        if event.kind != "received" or event.counter_id != settings.counter_id or not settings.counter_no:
            return
        payload = event.payload
        n = payload.get("sequence")
        if (
            isinstance(n, int)
            and not isinstance(n, bool)
            and 1 <= n <= codes.BLOCK_SIZE + codes.OVERFLOW_SIZE
        ):
            try:
                day = to_vn(event.occurred_at).date()
            except (ValueError, OverflowError):
                return
            self.store.advance_code_number(day, settings.counter_no, n)
        book = payload.get("logbook")
        if isinstance(book, Mapping):
            volume, entry = book.get("volume"), book.get("entry")
            if (
                isinstance(volume, str)
                and len(volume) == 4
                and volume.isascii()
                and volume.isdigit()
                and isinstance(entry, int)
                and not isinstance(entry, bool)
                and 1 <= entry <= 10**9
            ):
                self.store.advance_logbook_entry(volume, settings.counter_no, entry)

    def fold_in_hub_order(self, code: str) -> list[tuple[Event, str]]:
        """Fold a dossier again from all its events in the hub's order (inside the caller's
        transaction), leaving out each event the lifecycle refuses at its place, and taking back
        in each one that now fits. An event from the hub whose text no counter writes (control
        characters, a payload cut short) is left out wherever it stands.

        Returns:
            The events newly left out, with why; the dossier is then marked "conflict", for a
            person to look at (two officials did contradicting things).
        """
        dossier: Dossier | None = None
        left_out: list[tuple[Event, str]] = []
        for row in self.store.fold_rows(code):
            event, reason = row.event, ""
            try:
                if row.origin == "hub":
                    check_pulled_content(event)
                folded = apply(dossier, event)
            except (RuleError, ValidationError) as exc:
                reason = (
                    str(exc) if dossier is None or event.kind != "received" else _code_twice(dossier, event)
                )
            except UNREADABLE_EVENT as exc:
                # The fold is pure domain code: these mean the event's content is not what a
                # counter writes (a payload cut short, a field of the wrong type, a time in year
                # 9999). The official reads the reason; the program's log keeps Python's words.
                reason = (
                    f"Nội dung sự kiện «{shown(event.kind)}» không đọc được (thiếu một trường, một "
                    "trường sai kiểu hoặc một thời điểm ngoài các năm 2000-2100)."
                )
                log.warning("event %s of %s cannot be folded: %r", event.uuid, code, exc)
            else:
                dossier = folded
            if bool(reason) != row.flagged:
                self.store.set_flag(row.seq, reason)
                if reason:
                    left_out.append((event, reason))
        state = "conflict" if left_out else self.store.dossier_sync_state(code)
        self.store.put_folded(code, dossier, state)
        return left_out

    def import_city_calendar(self, data: Any) -> list[date]:
        """Take the city's days off and make-up days (``{version, overrides: [{day, kind, label}]}``).

        Days gone by keep the calendar their dossiers were counted on, and a day the commune
        decided itself keeps the commune's decision. Returns the days that changed here (the
        citizens expected on those that are now closed are found with :meth:`stranded_on`).

        Raises:
            ValidationError: the calendar is not of that shape, names a day outside
                ``FIRST_YEAR``-``LAST_YEAR``, or more days than ``MAX_CITY_DAYS`` (nothing changed).
        """
        if not isinstance(data, Mapping) or not isinstance(data.get("overrides"), list):
            raise ValidationError(
                FieldError("calendar", "Lịch của thành phố không đúng dạng {version, overrides}.")
            )
        version = data.get("version")
        if not isinstance(version, str) or not version:
            raise ValidationError(FieldError("version", "Lịch của thành phố thiếu phiên bản."))
        bad_version = version_error(version, "lịch của thành phố")
        if bad_version:
            raise ValidationError(FieldError("version", bad_version))
        if len(data["overrides"]) > MAX_CITY_DAYS:
            raise ValidationError(
                FieldError(
                    "overrides",
                    f"Lịch của thành phố có {len(data['overrides'])} ngày nghỉ, làm bù; nhiều hơn "
                    f"{MAX_CITY_DAYS} ngày là tệp hỏng: chưa nhận.",
                )
            )
        wanted: dict[date, Override] = {}
        for i, item in enumerate(data["overrides"]):
            where = f"Ngày thứ {i + 1} trong lịch của thành phố"
            try:
                day = date.fromisoformat(item["day"])
                check_day(day, "overrides", where)
                label = check_text(item.get("label", ""), label="Ghi chú", required=False, max_len=120)
                override = Override(day, item["kind"], label.value)
            except (TypeError, KeyError, ValueError, AttributeError) as exc:
                raise ValidationError(FieldError("overrides", f"{where} không đúng dạng.")) from exc
            if label.error:
                raise ValidationError(FieldError("overrides", f"{where}: {label.error}"))
            wanted[day] = override
        today = self.now().date()
        changed: list[date] = []
        with self.store.transaction():
            scopes = self.store.override_scopes()
            current = {o.day: o for o in self.store.overrides()}
            for day, scope in scopes.items():
                if scope == "city" and day >= today and day not in wanted and self.store.delete_override(day):
                    changed.append(day)
            for day, override in wanted.items():
                if day < today or scopes.get(day) == "local" or current.get(day) == override:
                    continue
                self.store.put_override(override, scope="city")
                changed.append(day)
            self.store.write_settings({CALENDAR_VERSION: version})
        self._calendar = None
        return sorted(changed)

    def calendar_version(self) -> str:
        """The version of the city's calendar last taken ("" before the first)."""
        return self.store.read_settings().get(CALENDAR_VERSION, "")

    def sync_status(self) -> dict[str, Any]:
        """What an administrator checks of the sync: the hub, the last sync, what waits, and what
        needs a person (dossiers in conflict, events kept flagged)."""
        settings = self.settings
        stored = self.store.read_settings()
        return {
            "hub_url": settings.hub_url or None,
            "token_set": bool(settings.hub_token),
            "last_sync": stored.get(LAST_SYNC),
            "last_failure": _failure(stored.get(LAST_SYNC_FAILURE)),
            "waiting": self.store.unsent_count(),
            "cursor": stored.get(SYNC_CURSOR, "0"),
            "calendar_version": stored.get(CALENDAR_VERSION) or None,
            "conflicts": self.open_conflicts(),
            "flagged": [
                {"code": code, "uuid": uuid, "reason": reason}
                for code, uuid, reason in self.store.flagged_events()
            ],
        }

    def open_conflicts(self) -> list[str]:
        """Dossiers still marked "conflict" (up to 100, newest first): said at every sync run until
        a person has looked at them (``counter sync --settle CODE``, key ``v`` in the UI)."""
        return self.store.codes_in_sync_state("conflict")

    def record_sync(self, at: datetime) -> None:
        """A run done: its time, the hub's address, and no failed attempt since (nor a put-back
        hub still to be said: the run said it)."""
        self.store.write_settings(
            {
                LAST_SYNC: format_time(to_vn(at)),
                LAST_SYNC_FAILURE: "",
                LAST_SYNC_HUB: self.settings.hub_url,
                HUB_WENT_BACK: "",
            }
        )

    def pending_hub_went_back(self) -> tuple[int, bool] | None:
        """``(events queued again, a new hub)`` of a put-back hub found by a run that did not go
        through; None when there is none to say."""
        try:
            said = json.loads(self.store.read_settings().get(HUB_WENT_BACK) or "null")
            return (int(said["queued"]), bool(said["new"])) if isinstance(said, dict) else None
        except (ValueError, KeyError, TypeError):
            return None

    def hub_address_changed(self) -> bool:
        """Whether the hub's address is another than at the last run that worked: a hub that then
        lacks this counter's events is a new one, not one put back to an older copy."""
        last = self.store.read_settings().get(LAST_SYNC_HUB)
        return bool(last) and last != self.settings.hub_url

    def record_sync_failure(self, at: datetime, message: str) -> None:
        """A run that failed (the hub out of reach, a token refused): when and why, for ``counter
        sync --status`` (the admin saw only the last run that worked). Best effort: the failure
        itself is what the caller says."""
        failure = json.dumps({"at": format_time(to_vn(at)), "error": message[:2000]}, ensure_ascii=False)
        with contextlib.suppress(CounterError, sqlite3.Error):
            self.store.write_settings({LAST_SYNC_FAILURE: failure})

    def last_sync(self) -> datetime | None:
        text = self.store.read_settings().get(LAST_SYNC)
        return parse_time(text) if text else None

    def _check_override_day(self, day: date, kind: str) -> None:
        """Refuse an override that rewrites the past or says what the calendar already says.

        A day gone by keeps the calendar its dossiers were counted on (the logbook, the late and
        early figures and every pause read it); today may still close (a storm, a power cut). A
        day that is already off (a Sunday, Tết) or already worked is refused with the reason. A day
        the commune declared takes a new note; turned to the other kind, it is judged by the
        calendar without it, which always says that kind already (removing the day undoes it).
        """
        self._keep_the_past(day)
        overrides = self.store.overrides()
        existing = next((o for o in overrides if o.day == day), None)
        if existing is not None and existing.kind == kind:
            return  # a new note for the same day
        # Against the calendar without this day's override: a day off of the commune on a plain
        # Monday, changed to a make-up day, made the Monday a "make-up working day".
        others = [o for o in overrides if o.day != day]
        calendar = (
            self.calendar()
            if existing is None
            else WorkCalendar(self.settings.hours, others, years=calendar_years)
        )
        working = calendar.is_working_day(day)
        if working == (kind == "working_day"):
            why = calendar.day_note(day) or WEEKDAYS[day.weekday()]
            state = "ngày làm việc" if working else "ngày nghỉ"
            said = f"Ngày {_day_text(day)} đã là {state} ({why})."
            if existing is not None:
                what = "ngày nghỉ" if existing.kind == "day_off" else "ngày làm bù"
                said += (
                    f" Để bỏ {what} đã ghi cho ngày này, xóa dòng của nó (Delete, counter calendar remove)."
                )
            raise ValidationError(FieldError("day", said))

    def _keep_the_past(self, day: date) -> None:
        """Refuse to declare, change or remove an override of a day gone by."""
        if day < self.now().date():
            raise ValidationError(
                FieldError(
                    "day",
                    f"Ngày {_day_text(day)} đã qua: không khai báo lại lịch của ngày đã qua (thời hạn "
                    "của hồ sơ đã tính theo lịch ấy). Hồ sơ cần hẹn lại thì gia hạn kèm phiếu xin lỗi.",
                )
            )

    def due_on(self, day: date) -> list[DossierRow]:
        """Dossiers whose citizen is expected on ``day`` (in processing, or the result ready): a day
        newly declared off leaves them coming to a closed office, so the counter names them (see
        :func:`stranded_appointments`)."""
        check_day(day, "day", "Ngày")
        return self.store.due_on(day)

    def stranded_on(self, day: date) -> list[DossierRow]:
        """The citizens expected on ``day`` if the calendar, as it stands now, closes it (a day off
        just declared, a make-up day just removed): their appointments must move. None for a day
        gone by or a working day."""
        if day < self.now().date() or self.calendar().is_working_day(day):
            return []
        return self.due_on(day)

    def remove_override(self, day: date, *, by: str | None = None) -> bool:
        """Remove the commune's override of ``day`` (False when it had none).

        Args:
            by: The supervisor making the change, from the UI: the change is refused unless that
                account is still an active supervisor, read in the change's own transaction (a
                session may outlive a demotion by the seconds until the UI checks). None: the
                command line, run by the machine's administrator.

        Raises:
            ValidationError: ``day`` is gone by: its dossiers were counted on that calendar.
        """
        self._keep_the_past(day)
        with self.store.transaction():
            self._require_supervisor(by)
            removed = self.store.delete_override(day)
        self._calendar = None
        return removed

    def preview_due(self, procedure_code: str, received_at: datetime | None = None) -> datetime:
        """The due time a dossier of this procedure would get if received now (or then)."""
        procedure = self.procedure(procedure_code)
        if received_at is not None:
            check_day(received_at, "received_at", "Ngày nhận")
        return self.calendar().due(received_at or self.now(), procedure.limit)

    # -- intake ------------------------------------------------------------------------------------

    def parse_intake(self, data: Any) -> Intake:
        """Validate an intake (from JSON, the TUI form or an import); collect every problem.

        Raises:
            ValidationError: with one FieldError per problem, in Vietnamese.
        """
        if not isinstance(data, Mapping):
            raise ValidationError(FieldError("intake", "Dữ liệu hồ sơ phải là một đối tượng JSON."))
        errors: list[FieldError] = []
        warnings: list[str] = []
        unknown = _unknown_keys(data, INTAKE_KEYS, "")
        if unknown:
            errors.append(unknown)
        procedure: Procedure | None = None
        proc_code = data.get("procedure")
        if proc_code is None or (isinstance(proc_code, str) and not proc_code.strip()):
            errors.append(FieldError("procedure", "Chưa chọn thủ tục hành chính."))
        elif not isinstance(proc_code, str):
            errors.append(
                FieldError(
                    "procedure",
                    'Trường «procedure» phải là mã thủ tục viết như chuỗi ký tự, ví dụ "1.004873", '
                    f"không phải {json_kind(proc_code)}.",
                )
            )
        else:
            code_check = check_text(proc_code, label="Mã thủ tục", required=True, max_len=40)
            if code_check.error:
                errors.append(FieldError("procedure", code_check.error))
            else:
                try:
                    procedure = self.procedure(code_check.value)
                except NotFoundError as exc:
                    errors.append(FieldError("procedure", exc.message))
        required = set(procedure.required_fields) if procedure else set(UNCHOSEN_REQUIRED)
        applicant = self._parse_party(data.get("applicant"), "applicant", required, errors, warnings)
        owner = None
        # An empty owner object is an owner chosen and left blank (the form's "Người khác" with no
        # name): asked for, not dropped; only a missing or null owner means the applicant is the owner.
        if data.get("owner") not in (None, ""):
            owner = self._parse_party(data.get("owner"), "owner", set(OWNER_REQUIRED), errors, warnings)
        documents = self._parse_documents(data.get("documents"), procedure, errors)
        if not documents and procedure is not None and any(d.required for d in procedure.documents):
            warnings.append(  # given as an empty list: the receipt's papers table would be empty
                "Hồ sơ không có giấy tờ nào được ghi nhận, trong khi thủ tục yêu cầu thành phần hồ sơ: "
                "kiểm tra lại các giấy tờ công dân đã nộp."
            )
        sets = self._parse_count(
            data.get("sets", procedure.sets if procedure else 1),
            "sets",
            errors,
            minimum=1,
            label="Số bộ hồ sơ",
        )
        fee_amount = procedure.fee.amount if procedure else 0
        fee_text = procedure.fee.text if procedure else ""
        if "fee" in data and data["fee"] is not None:
            fee = data["fee"]
            if isinstance(fee, bool) or not isinstance(fee, int | str):
                # A form's field gives text ("50.000đ"): the plain rule below; a file, a path.
                errors.append(
                    FieldError(
                        "fee",
                        f"Phí, lệ phí («fee») phải là số đồng, từ 0 đến {thousands(MAX_FEE)}, "
                        f"không phải {json_kind(fee)}.",
                    )
                )
            elif isinstance(fee, str) or not 0 <= fee <= MAX_FEE:
                errors.append(
                    FieldError("fee", f"Phí, lệ phí phải là số đồng, từ 0 đến {thousands(MAX_FEE)}.")
                )
            else:
                fee_amount = fee
                if procedure and fee != procedure.fee.amount:
                    fee_text = f"{thousands(fee)} đồng"
        return_method = data.get("return_method")
        if return_method is None:
            return_method = "counter"
        elif not isinstance(return_method, str):
            errors.append(not_text("return_method", return_method))
        else:
            # A keyword, not text: "Counter" or " post " can only mean one thing.
            return_method = clean(return_method).casefold()
            if return_method not in RETURN_METHODS:
                errors.append(
                    FieldError(
                        "return_method",
                        "Nơi nhận kết quả phải là counter (tại Bộ phận Một cửa), post (bưu chính) "
                        f"hoặc online (trực tuyến), không phải «{shown(return_method)}».",
                    )
                )
        if applicant is not None:
            errors += return_problems(str(return_method), applicant)
        digitised = data.get("digitised", False)
        if digitised is None:
            digitised = False
        elif not isinstance(digitised, bool):
            errors.append(
                FieldError(
                    "digitised",
                    f"Đã số hóa («digitised») phải là true hoặc false, không phải {json_kind(digitised)}.",
                )
            )
        summary = self._intake_text(data, "summary", "Trích yếu", 500, errors, multiline=True)
        deciding = self._intake_text(data, "deciding_agency", "Cơ quan giải quyết", 200, errors)
        received_at = self._parse_received_at(data.get("received_at"), errors)
        if errors or procedure is None or applicant is None:
            raise ValidationError(errors or [FieldError("intake", "Dữ liệu hồ sơ chưa hợp lệ.")])
        return Intake(
            procedure=procedure,
            applicant=applicant,
            owner=owner,
            documents=documents,
            sets=sets,
            fee_amount=fee_amount,
            fee_text=fee_text,
            return_method=str(return_method),
            summary=summary,
            received_at=received_at,
            deciding_agency_name=deciding or self._deciding_agency(procedure),
            warnings=tuple(warnings),
            digitised=digitised is True,
        )

    def _intake_text(
        self,
        data: Mapping[str, Any],
        key: str,
        label: str,
        max_len: int,
        errors: list[FieldError],
        *,
        multiline: bool = False,
    ) -> str:
        """An optional free-text field of the intake: text or null, checked like a typed field."""
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            errors.append(not_text(key, value))
            return ""
        check = check_text(value, label=label, required=False, max_len=max_len, multiline=multiline)
        if check.error:
            errors.append(FieldError(key, check.error))
        return check.value

    def _parse_party(
        self,
        raw: Any,
        prefix: str,
        required: set[str],
        errors: list[FieldError],
        warnings: list[str],
    ) -> Party | None:
        role = PARTY_ROLES[prefix]
        if raw is None:
            errors.append(FieldError(f"{prefix}.name", f"Thiếu thông tin {role}."))
            return None
        if not isinstance(raw, Mapping):
            errors.append(
                FieldError(
                    prefix,
                    f"Trường «{prefix}» ({role}) phải là một đối tượng JSON có name, id_number…, "
                    f"không phải {json_kind(raw)}.",
                )
            )
            return None
        before = len(errors)
        unknown = _unknown_keys(raw, PARTY_KEYS, f"{prefix}.")
        if unknown:
            errors.append(unknown)
        for key, value in raw.items():
            if key in PARTY_KEYS and value is not None and not isinstance(value, str):
                errors.append(not_text(f"{prefix}.{key}", value))
        if len(errors) > before:
            return None

        kind = self._party_kind(raw.get("kind"), prefix, errors)
        if kind is None:
            return None
        needed = required_party_fields(required, kind)
        today = self.now().date()
        values: dict[str, str] = {}
        for key in ("name", "address", "representative", "birth_date", "id_number", "phone", "email"):
            value = raw.get(key) or ""
            bad = nonchar_error(value, PARTY_LABELS[key])
            if bad:  # a lone surrogate cannot even be shown back, whatever the field's own rule
                errors.append(FieldError(f"{prefix}.{key}", bad))
                continue
            scanned = codes.code_inside(value) if key in ("name", "address", "representative") else None
            if scanned:  # a receipt scanned into the field: never part of a name or an address
                errors.append(
                    FieldError(
                        f"{prefix}.{key}",
                        f"{PARTY_LABELS[key]} có mã hồ sơ «{scanned}» (quét nhầm vào ô này?): hãy xóa mã ấy.",
                    )
                )
                continue
            check = party_field_check(key, value, today, kind, required=key in needed)
            assert check is not None  # every key above has a rule
            if check.error:
                errors.append(FieldError(f"{prefix}.{key}", check.error))
            elif check.warning:
                warnings.append(check.warning)
            values[key] = check.value
        if len(errors) > before:
            return None
        if values.get("birth_date") and values.get("id_number"):  # the two say the year twice
            with contextlib.suppress(ValueError):
                mismatch = id_birth_warning(values["id_number"], date.fromisoformat(values["birth_date"]))
                if mismatch:
                    warnings.append(mismatch)
        return Party(kind=kind, **values)  # type: ignore[arg-type]

    @staticmethod
    def _party_kind(raw: str | None, prefix: str, errors: list[FieldError]) -> str | None:
        """``person`` (the default) or ``organisation``; None (with an error) for anything else.

        Case and surrounding spaces are ignored: the value is a keyword with two fixed spellings,
        so "ORGANISATION" can only mean one thing, and a file exported from a spreadsheet may well
        capitalise it. Any other word is refused: taking "robot" or "organization" for a person
        would print the wrong form of address and check the wrong kind of identifier.
        """
        kind = clean(raw or "").casefold() or "person"
        if kind in PARTY_KINDS:
            return kind
        allowed = " hoặc ".join(f"{k} ({v})" for k, v in PARTY_KINDS.items())
        errors.append(
            FieldError(
                f"{prefix}.kind",
                f"Trường «{prefix}.kind» phải là {allowed}, không phải «{shown(raw)}».",
            )
        )
        return None

    def _parse_count(
        self,
        value: Any,
        field: str,
        errors: list[FieldError],
        minimum: int = 0,
        label: str = "Số lượng",
    ) -> int:
        typed = isinstance(value, str) and f"«{field}»" not in label
        if (isinstance(value, bool) or not isinstance(value, int)) and not typed:
            # Only a file or a script sends a count that is no number: name its path for them.
            # Text is what a form's field gives ("abc" typed as the sets): the plain rule below.
            where = "" if f"«{field}»" in label else f" («{field}»)"
            errors.append(
                FieldError(
                    field,
                    f"{label}{where} phải là số nguyên từ {minimum} đến {MAX_COUNT}, "
                    f"không phải {json_kind(value)}.",
                )
            )
            return minimum
        if not isinstance(value, int) or not minimum <= value <= MAX_COUNT:
            errors.append(FieldError(field, f"{label} phải là số nguyên từ {minimum} đến {MAX_COUNT}."))
            return minimum
        return value

    def _parse_documents(
        self, raw: Any, procedure: Procedure | None, errors: list[FieldError]
    ) -> tuple[DocumentItem, ...]:
        if raw is None:
            if procedure is None:
                return ()
            return tuple(
                DocumentItem(d.name, d.originals, d.certified, d.copies)
                for d in procedure.documents
                if d.required
            )
        if not isinstance(raw, list | tuple):
            errors.append(FieldError("documents", "Thành phần hồ sơ phải là một danh sách."))
            return ()
        if len(raw) > MAX_DOCUMENTS:
            errors.append(FieldError("documents", f"Nhiều nhất {MAX_DOCUMENTS} thành phần hồ sơ."))
            return ()
        items = []
        for i, entry in enumerate(raw):
            where = f"documents[{i}]"
            as_text = isinstance(entry, str)  # typed (--paper, a form): no JSON path to name
            if isinstance(entry, str):
                bad = miscounted(entry)
                if bad is not None:
                    errors.append(
                        FieldError(
                            f"{where}.name",
                            f"Số bản của giấy tờ thứ {i + 1} viết sai: «{bad}». Ghi theo dạng «tên: "
                            "bản chính/bản chứng thực/bản photo», ba số từ 0 đến 99, ví dụ «Giấy khai "
                            "sinh: 1/0/0».",
                        )
                    )
                    continue
                entry = paper_from_text(entry)
            if not isinstance(entry, Mapping):
                errors.append(
                    FieldError(
                        where,
                        f"Thành phần hồ sơ thứ {i + 1} («{where}») phải là tên giấy tờ hoặc đối tượng "
                        f"có name, originals, certified, copies, không phải {json_kind(entry)}.",
                    )
                )
                continue
            unknown = _unknown_keys(entry, DOCUMENT_KEYS, f"{where}.")
            if unknown:
                errors.append(unknown)
            raw_name = entry.get("name")
            if raw_name is not None and not isinstance(raw_name, str):
                errors.append(not_text(f"{where}.name", raw_name))
                continue
            name = check_text(raw_name or "", label=f"Tên giấy tờ thứ {i + 1}", required=True, max_len=300)
            if name.error:
                errors.append(FieldError(f"{where}.name", name.error))
            counts = [
                self._parse_count(
                    entry.get(k, 0),
                    f"{where}.{k}",
                    errors,
                    label=f"{what.capitalize()} của giấy tờ thứ {i + 1}"
                    + ("" if as_text else f" («{where}.{k}»)"),
                )
                for k, what in DOCUMENT_COUNTS.items()
            ]
            # All counts zero is a paper only shown (xuất trình), e.g. the identity card: it is
            # listed on the receipt with no copy kept.
            items.append(DocumentItem(name.value, *counts))
        return tuple(items)

    def _parse_received_at(self, raw: Any, errors: list[FieldError]) -> datetime | None:
        if raw is None or raw == "":
            return None
        if not isinstance(raw, str):
            errors.append(not_text("received_at", raw))
            return None
        try:
            # Parsed as written, its year checked before any zone conversion: converting year 1
            # or 9999 overflows.
            written = datetime.fromisoformat(raw.strip())
        except ValueError:
            written = None
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?", raw.strip()):
                # The shape is right, the calendar says no (30 February, 25 o'clock).
                errors.append(
                    FieldError(
                        "received_at",
                        f"Thời điểm nhận «{shown(raw.strip())}» không có thật: ngày hoặc giờ sai.",
                    )
                )
                return None
        if written is not None and ":" not in raw:  # a day alone is no moment of receipt
            written = None
        if written is None and re.search(r"\d:\d\d", raw):
            # As the screens and the steps' --at take a moment: 25/11/2026 09:00, Vietnam time.
            moment = parse_day_time(raw.strip())
            if moment is not None:
                day, hour, minute = moment
                written = datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ)
        if written is not None and written.tzinfo is None:  # no offset: Vietnam time, as --at reads it
            written = written.replace(tzinfo=VN_TZ)
        if written is None:
            errors.append(
                FieldError(
                    "received_at",
                    "Thời điểm nhận phải có ngày và giờ: 25/11/2026 09:00, hoặc ISO 8601 như "
                    "2026-11-25T09:00:00+07:00 (không ghi múi giờ: giờ Việt Nam).",
                )
            )
            return None
        if written.year > LAST_YEAR:
            errors.append(FieldError("received_at", "Thời điểm nhận hồ sơ không được ở tương lai."))
            return None
        if written.year < FIRST_YEAR:
            errors.append(FieldError("received_at", "Chỉ nhập bù hồ sơ giấy nhận trong vòng một năm."))
            return None
        at = to_vn(written)
        now = self.now()
        if at > now + FUTURE_TOLERANCE:
            errors.append(FieldError("received_at", "Thời điểm nhận hồ sơ không được ở tương lai."))
        elif at < now - BACKDATE_LIMIT:
            errors.append(FieldError("received_at", "Chỉ nhập bù hồ sơ giấy nhận trong vòng một năm."))
        return at

    def _deciding_agency(self, procedure: Procedure) -> str:
        """The deciding authority for a procedure, named for this commune.

        The catalog names it generically ("Ủy ban nhân dân cấp xã", "Công an cấp xã"); the dossier
        stores the real name as it was on the day of receipt.
        """
        generic = procedure.deciding_agency.strip()
        if not generic:
            return self.settings.deciding_agency_name
        if generic.endswith("cấp xã") and self.settings.commune_name:
            return generic[: -len("cấp xã")] + self.settings.commune_name
        return generic

    def received_payload(
        self, intake: Intake, due: datetime, n: int, volume: str, entry: int
    ) -> dict[str, Any]:
        """The payload of a ``received`` event: the dossier as it was on the day of receipt.

        Args:
            intake: The validated intake.
            due: The due time computed for it.
            n: Its number in this counter's sequence of the day (1-based).
            volume: Logbook volume; entry: its number in that volume.
        """
        settings = self.settings
        p = intake.procedure
        payload: dict[str, Any] = {
            "procedure": {
                "code": p.code,
                "name": p.name,
                "field": p.field,
                "legal_limit": p.limit.describe_vi(),
            },
            "applicant": intake.applicant.to_json(),
            "owner": intake.owner.to_json() if intake.owner else None,
            "documents": [d.to_json() for d in intake.documents],
            "sets": intake.sets,
            "fee": {"amount": intake.fee_amount, "text": intake.fee_text},
            "receiving": {
                "agency_id": settings.agency_id,
                "name": settings.agency_name,
                # The form header's other two names as they are today: a reprint after a merger or
                # a rename shows the centre, its superior and its place together, as on the day.
                "superior": settings.deciding_agency_name,
                "place": settings.place_name or settings.commune_name,
                "commune_code": settings.commune_code,
                "counter": settings.counter_no,
            },
            "deciding": {"id": "", "name": intake.deciding_agency_name},
            "due_at": due,
            "return_method": intake.return_method,
            "summary": intake.summary,
            **self._numbers_payload(n, volume, entry),
        }
        if intake.digitised:
            payload["digitised"] = True  # absent when not: the events of before say the same
        return payload

    @staticmethod
    def _numbers_payload(n: int, volume: str, entry: int) -> dict[str, Any]:
        """A receipt's numbers in its payload: the logbook entry, the number in the day's sequence,
        and ``overflow`` once past this counter's 4-digit block (it tells the hub)."""
        numbers: dict[str, Any] = {"logbook": {"volume": volume, "entry": entry}, "sequence": n}
        if codes.is_overflow(n):
            numbers["overflow"] = True
        return numbers

    def _take_numbers(self, day: date) -> tuple[str, int, str, int]:
        """A new receipt's code, its number in this counter's sequence of ``day``, its logbook volume
        and entry (inside the saving transaction)."""
        n, code = self._fresh_code(day)
        volume = str(day.year)
        return code, n, volume, self.store.next_logbook_entry(volume, self.settings.counter_no)

    def _fresh_code(self, day: date) -> tuple[int, str]:
        """The next number of this counter's sequence of a day and its code (inside the saving
        transaction), past any code this counter already issued: a code is never reused, whatever
        the sequence table says. A file restored from a backup that synced before this was built
        holds its own later codes, pulled back from the hub, ahead of its sequence; each is skipped
        (and logged). A code issued by another counter means two counters share a number."""
        settings = self.settings
        if settings.hub_url:
            # A machine set up again without a backup starts its sequences afresh, and the codes
            # its counter number was given on the old machine come back only with the pull: until
            # one has reached the end of the hub's events, a day's codes start past those.
            # Further on as the day goes, so that a second such machine of the day (the first one
            # died too) does not start where the first one did (see codes.unseen_start).
            self.store.skip_unseen_codes(day, settings.counter_no, codes.unseen_start(self.now()))
        while True:
            n = self.store.next_code_number(day, settings.counter_no)
            code = codes.make_code(settings.agency_id, day, settings.counter_no, n, settings.code_pattern)
            issuer = self.store.code_issuer(code)
            if issuer is None:
                return n, code
            if issuer not in ("", settings.counter_id):
                raise RuleError(
                    f"Mã hồ sơ {code} đã được quầy «{shown(issuer) or 'khác'}» cấp; hai quầy đang dùng "
                    f"chung số quầy {settings.counter_no}: hãy kiểm tra cấu hình số quầy."
                )
            log.warning("code %s is already this counter's (pulled back after a restore): skipped", code)

    def receive(self, data: Mapping[str, Any] | Intake, actor: str, *, clear_draft: bool = False) -> Dossier:
        """Receive a dossier: issue its code, compute its due time, record it durably.

        Args:
            data: The intake (a mapping as in ``counter receive --json``, or a parsed Intake).
            actor: The official receiving it.
            clear_draft: Drop this counter's saved draft in the same transaction (the TUI form),
                so a crash can never leave both the dossier and its draft behind.

        Returns:
            The received dossier (status 2).

        Raises:
            ConfigError: the counter is not set up.
            ValidationError: the intake is wrong; nothing saved, no code used.
        """
        settings = self.settings.require_configured()
        intake = data if isinstance(data, Intake) else self.parse_intake(data)
        actor = self._actor(actor)
        received_at = intake.received_at or self.now()
        due = self.calendar().due(received_at, intake.procedure.limit)
        day = to_vn(received_at).date()
        with self.store.transaction():
            code, n, volume, entry = self._take_numbers(day)
            payload = self.received_payload(intake, due, n, volume, entry)
            event = new_event(code, "received", received_at, actor, settings.counter_id, payload)
            dossier = apply(None, event)
            self.store.append(event, dossier)  # the event says who received it: no access-log row
            if clear_draft:
                self.store.delete_draft(settings.counter_no)
        return dossier

    # -- lifecycle ---------------------------------------------------------------------------------

    def _actor(self, actor: str) -> str:
        check = check_text(actor or "", label="Người thực hiện", required=True, max_len=120)
        if check.error:
            raise ValidationError(FieldError("actor", check.error))
        return check.value

    def _reason(
        self, reason: str | None, label: str = "Lý do", required: bool = True, field: str = "reason"
    ) -> str:
        """A step's free text checked; a problem is named by its own ``field`` (the agency, the note,
        the receiver…), so a form shows it, and puts the cursor, where the text was typed."""
        check = check_text(reason or "", label=label, required=required, max_len=1000, multiline=True)
        if check.error:
            raise ValidationError(FieldError(field, check.error))
        return check.value

    @contextlib.contextmanager
    def as_shown(self, dossier: Dossier) -> Iterator[None]:
        """Steps taken inside are refused when ``dossier`` (as a screen showed it to the official)
        has had another step since: the sync, every two minutes and after each save, may pull
        another counter's step while a dialog is open, and the official's step was recorded as
        taken after one they never saw (a refusal at the counter after a transfer stood as
        "refused later", no conflict anywhere)."""
        self._shown.value = (dossier.code, dossier.events)
        try:
            yield
        finally:
            self._shown.value = None

    def _step(
        self,
        code: str,
        kind: str,
        actor: str,
        payload: Mapping[str, Any] | None = None,
        at: datetime | None = None,
        compute: Callable[[Dossier, datetime], Mapping[str, Any]] | None = None,
    ) -> Dossier:
        settings = self.settings.require_configured()
        actor = self._actor(actor)
        code = self._code(code)
        if at is not None:
            check_day(at, "at", "Ngày xử lý")
        occurred = to_vn(at) if at else self.now()
        if occurred > self.now() + FUTURE_TOLERANCE:
            raise ValidationError(FieldError("at", "Thời điểm xử lý không được ở tương lai."))
        with self.store.transaction():
            current = self.store.get(code)
            if current is None:
                raise self._not_found(code)
            last = current.updated_at or current.received_at
            if at is not None and occurred < last:
                # Steps entered after the fact (a day on paper) come in the order they happened;
                # one dated before the last would fold into a history that never was.
                raise ValidationError(
                    FieldError(
                        "at",
                        f"Thời điểm xử lý {occurred:%H:%M %d/%m/%Y} trước bước gần nhất của hồ sơ "
                        f"({to_vn(last):%H:%M %d/%m/%Y}): hãy ghi các bước theo đúng thứ tự đã làm.",
                    )
                )
            if at is None and occurred < last:
                # The dossier's last step is dated after this machine's clock: a counter whose
                # clock ran ahead recorded it (the sync and the check say so). Refused, the step
                # blocked every counter of the commune until that time came; it is dated with
                # the last step instead, so the history keeps its order.
                log.warning(
                    "clock: the last step of %s is dated %s, after this machine's %s: step dated then",
                    code, format_time(last), format_time(occurred),
                )  # fmt: skip
                occurred = to_vn(last)
            body = dict(payload or {})
            if compute is not None:
                body.update(compute(current, occurred))
            follows = followed_lines(kind)
            if follows:
                # The steps the official saw last: a fold in the hub's order leaves this one out if
                # another counter's step came in between (see CONCURRENT_STEPS); one read for both.
                steps = self.store.step_uuids(code, CONCURRENT_STEPS | {"received"})
                for key, of in follows:
                    line = step_line(of)
                    seen = next((uuid for uuid, k in reversed(steps) if k in line), None)
                    if seen is not None:
                        body[key] = seen
            event = new_event(code, kind, occurred, actor, settings.counter_id, body)
            dossier = apply(current, event)  # the lifecycle's refusal first: it says the most
            shown_as = getattr(self._shown, "value", None)
            if shown_as is not None and shown_as[0] == code and shown_as[1] != current.events:
                raise RuleError(
                    f"Hồ sơ {code} vừa có bước mới (đồng bộ từ quầy khác hoặc máy chủ) trong lúc bạn đang "
                    "làm: màn hình đã cập nhật, hãy xem lại rồi làm lại nếu vẫn cần."
                )
            self.store.append(event, dossier)
        return dossier

    def transfer(
        self,
        code: str,
        actor: str,
        *,
        to_agency_name: str = "",
        to_agency_id: str = "",
        note: str = "",
        at: datetime | None = None,
    ) -> Dossier:
        """Hand the dossier to the deciding agency (status 4); one hop on the control slip.

        Once handed on, a further transfer names the agency it goes to next, another than the
        one holding it: a hop with no destination, or to where the dossier already is, would
        print a hand-over from an agency to itself on the control slip.
        """
        payload: dict[str, Any] = {}
        if to_agency_name:
            payload["to_agency_name"] = self._reason(to_agency_name, "Cơ quan nhận", field="to_agency_name")
            payload["to_agency_id"] = clean(to_agency_id)
        if note:
            payload["note"] = self._reason(note, "Ghi chú", required=False, field="note")

        def next_hop(current: Dossier, _at: datetime) -> Mapping[str, Any]:
            if current.transferred_at is None:
                return {}  # the first hand-over: nothing to read (the step's usual case)
            holder = holder_handed_on(current, (e.kind for e in self.store.events_of(current.code)))
            if holder is None:
                return {}  # at the centre: the extra papers came in there
            wanted = payload.get("to_agency_name", "")
            if not wanted:
                raise ValidationError(
                    FieldError(
                        "to_agency_name",
                        f"Hồ sơ đã được chuyển đến «{holder}»: chuyển tiếp thì ghi cơ quan nhận tiếp theo.",
                    )
                )
            if fold(wanted) == fold(holder):
                raise ValidationError(
                    FieldError(
                        "to_agency_name",
                        f"Hồ sơ đang ở «{holder}»: không chuyển lại cho chính cơ quan này; "
                        "ghi cơ quan nhận tiếp theo.",
                    )
                )
            return {}

        return self._step(code, "transferred", actor, payload, at, compute=next_hop)

    def request_extra_papers(
        self, code: str, actor: str, *, papers: list[Any], reason: str, at: datetime | None = None
    ) -> Dossier:
        """Ask for papers to be added (status 5, clock paused; form extra_papers)."""
        errors: list[FieldError] = []
        items = self._parse_documents(papers, None, errors)
        if not items and not errors:
            errors.append(FieldError("papers", "Ghi ít nhất một giấy tờ cần bổ sung."))
        reason_text = _collected(errors, lambda: self._reason(reason))  # every wrong field at once
        if errors:
            raise ValidationError(errors)
        return self._step(
            code,
            "extra_papers_requested",
            actor,
            {"papers": [d.to_json() for d in items], "reason": reason_text},
            at,
        )

    def receive_extra_papers(
        self, code: str, actor: str, *, note: str = "", at: datetime | None = None
    ) -> Dossier:
        """Record the papers added; the due time moves by the working time waited."""

        def compute(d: Dossier, occurred: datetime) -> dict[str, Any]:
            calendar = self.calendar()
            # The wait counts from when the dossier's clock runs: papers asked for and brought
            # back after a same-day procedure's cut-off, before its counting starts the next
            # morning, move nothing (they moved a 17:00 appointment to 07:25 the day after).
            paused = max(d.paused_at or occurred, self._counting_start(d, calendar))
            if occurred <= paused:
                return {"due_at": d.due_at}
            moved = {"due_at": calendar.shift_for_pause(d.due_at, paused, occurred)}
            if d.statutory_due_at is not None:  # an appointment was moved: the time limit moves too
                moved["statutory_due_at"] = calendar.shift_for_pause(d.statutory_due_at, paused, occurred)
            return moved

        payload = {"note": self._reason(note, "Ghi chú", required=False, field="note")} if note else {}
        return self._step(code, "extra_papers_received", actor, payload, at, compute)

    def request_fee(
        self, code: str, actor: str, *, amount: int, reason: str = "", at: datetime | None = None
    ) -> Dossier:
        """Ask the citizen to pay a fee or tax before the result (status 6)."""
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValidationError(FieldError("amount", "Số tiền phải là số đồng (số nguyên)."))
        if amount <= 0:
            raise ValidationError(FieldError("amount", "Số tiền phải lớn hơn 0 đồng."))
        if amount > FEE_REQUEST_MAX:
            raise ValidationError(
                FieldError(
                    "amount",
                    f"Số tiền tối đa là {thousands(FEE_REQUEST_MAX)} đồng; hãy kiểm tra lại "
                    "(có thể gõ thừa chữ số 0).",
                )
            )
        payload: dict[str, Any] = {"amount": amount}
        if reason:
            payload["note"] = self._reason(reason, "Nội dung", required=False)
        return self._step(code, "fee_requested", actor, payload, at)

    def record_fee_paid(self, code: str, actor: str, *, at: datetime | None = None) -> Dossier:
        return self._step(code, "fee_paid", actor, {}, at)

    def refuse(self, code: str, actor: str, *, reason: str, at: datetime | None = None) -> Dossier:
        """Refuse the dossier with a reason (status 3; form refusal)."""
        return self._step(code, "refused", actor, {"reason": self._reason(reason)}, at)

    def withdraw(self, code: str, actor: str, *, reason: str, at: datetime | None = None) -> Dossier:
        """The citizen withdraws the dossier (status 7)."""
        return self._step(code, "withdrawn", actor, {"reason": self._reason(reason)}, at)

    def stop(
        self,
        code: str,
        actor: str,
        *,
        reason: str,
        legal_basis: str = "",
        at: datetime | None = None,
    ) -> Dossier:
        """Stop handling the dossier (status 8; form stop_notice)."""
        payload = {"reason": self._reason(reason)}
        if legal_basis:
            payload["legal_basis"] = self._reason(
                legal_basis, "Căn cứ pháp lý", required=False, field="legal_basis"
            )
        return self._step(code, "stopped", actor, payload, at)

    def record_result(self, code: str, actor: str, *, note: str = "", at: datetime | None = None) -> Dossier:
        """The deciding agency has finished: the result is at the counter (status 9)."""
        payload = {"note": self._reason(note, "Ghi chú", required=False, field="note")} if note else {}
        return self._step(code, "result_ready", actor, payload, at)

    def return_result(
        self,
        code: str,
        actor: str,
        *,
        receiver: str = "",
        note: str = "",
        at: datetime | None = None,
    ) -> Dossier:
        """Hand the result to the citizen (status 10)."""
        payload: dict[str, Any] = {}
        if receiver:
            payload["receiver"] = self._reason(receiver, "Người nhận", required=False, field="receiver")
        if note:
            payload["note"] = self._reason(note, "Ghi chú", required=False, field="note")
        return self._step(code, "returned", actor, payload, at)

    def move_appointment(
        self, code: str, actor: str, *, new_due: datetime, reason: str, at: datetime | None = None
    ) -> Dossier:
        """Move the appointment later, with an apology (form apology).

        The new appointment is one the citizen can keep: later than now and than the current one,
        within ``APPOINTMENT_HORIZON``, on a working day of this commune's calendar and inside its
        office hours (a closing time such as 17:00 counts, as a due time may end there).

        Raises:
            ValidationError: the reason is missing, or the new time breaks a rule above (the
                message says what to pick instead).
        """
        errors: list[FieldError] = []  # every wrong field at once: the reason and the new time
        reason_text = _collected(errors, lambda: self._reason(reason))
        # A step entered afterwards (the apology was written on paper at ``at``) is judged as of
        # then: the new appointment had to be after that moment, not after the moment it is typed.
        aware = isinstance(at, datetime) and at.utcoffset() is not None
        now = min(to_vn(at), self.now()) if aware and at else self.now()
        _collected(errors, lambda: self._check_new_due(new_due, now))
        if errors:
            raise ValidationError(errors)

        def compute(d: Dossier, occurred: datetime) -> dict[str, Any]:
            if occurred > d.due_at and not d.is_paused:
                raise RuleError(
                    f"Hồ sơ đã quá hạn từ {d.due_at:%H:%M} {_day_text(d.due_at.date())}: phiếu xin lỗi và "
                    "hẹn lại ngày trả phải lập trước thời hạn trả kết quả. Hãy giải quyết và trả kết "
                    "quả sớm nhất; hồ sơ được tính là trễ hạn."
                )
            if new_due <= d.due_at:
                raise ValidationError(
                    FieldError(
                        "new_due",
                        "Ngày hẹn trả mới phải sau ngày hẹn hiện tại "
                        f"({d.due_at:%H:%M} {_day_text(d.due_at.date())}).",
                    )
                )
            return {"due_at": to_vn(new_due), "previous_due_at": d.due_at}

        return self._step(code, "appointment_moved", actor, {"reason": reason_text}, at, compute)

    def correct(
        self,
        code: str,
        actor: str,
        *,
        changes: Mapping[str, Any],
        reason: str,
        at: datetime | None = None,
    ) -> Dossier:
        """Correct the details of the applicant (or of the owner, when another person) typed wrong
        at the counter: a mark of the name, a digit of the ID number or phone. Allowed while the
        dossier is handled or its result waits.

        Args:
            changes: The applicant's fields to change (``CORRECTABLE``), each as it should read,
                and under ``owner`` the owner's; a field not given (or None) stays as recorded,
                "" empties an optional one.
            reason: Why (the history keeps it, with the details as they were).

        Raises:
            ValidationError: the reason is missing, a field breaks the rule it has at the intake
                (the procedure's required fields too), or nothing would change.
        """
        errors: list[FieldError] = []  # every wrong field at once: the reason and the details
        reason_text = _collected(errors, lambda: self._reason(reason))
        if not isinstance(changes, Mapping) or not isinstance(changes.get("owner", {}), Mapping):
            raise ValidationError(FieldError("applicant", "Thông tin cần sửa phải là một đối tượng JSON."))
        unknown = _unknown_keys(changes, CORRECTABLE | {"owner"}, "applicant.") or _unknown_keys(
            changes.get("owner") or {}, CORRECTABLE, "owner."
        )
        if unknown:
            errors.append(unknown)
        current = self.store.get(self._code(code))
        if current is None:
            raise self._not_found(code)
        if not unknown:
            _collected(errors, lambda: self._corrected(current, changes))
        if errors:
            raise ValidationError(errors)

        def compute(d: Dossier, _occurred: datetime) -> dict[str, Any]:
            # Only the fields changed, each with the value it replaces (see ``dossier._corrected``).
            applicant, owner = self._corrected(d, changes)
            made: dict[str, Any] = {}
            for role, before, after in (("applicant", d.applicant, applicant), ("owner", d.owner, owner)):
                if before is None or after is None:
                    continue
                fields = {
                    key: {"from": getattr(before, key), "to": getattr(after, key)}
                    for key in PARTY_LABELS  # the history's order: name, address, …
                    if getattr(before, key) != getattr(after, key)
                }
                if fields:
                    made[role] = fields
            return made

        return self._step(code, "corrected", actor, {"reason": reason_text}, at, compute)

    def _corrected(self, d: Dossier, changes: Mapping[str, Any]) -> tuple[Party, Party | None]:
        """The applicant and the owner of ``d`` with ``changes`` made, checked as the intake
        checks them."""

        def merged(party: Party, given: Mapping[str, Any]) -> dict[str, Any]:
            return {**party.to_json(), **{k: v for k, v in given.items() if v is not None}}

        try:
            required = set(self.procedure(d.procedure_code).required_fields)
        except NotFoundError:  # a procedure since dropped from the catalog: the desk's own minimum
            required = set(UNCHOSEN_REQUIRED)
        errors: list[FieldError] = []
        given = {k: v for k, v in changes.items() if k != "owner"}
        party = self._parse_party(merged(d.applicant, given), "applicant", required, errors, [])
        owner = d.owner
        if changes.get("owner"):
            if d.owner is None:
                errors.append(
                    FieldError("owner.name", "Hồ sơ không ghi chủ hồ sơ khác người nộp: không có gì để sửa.")
                )
            else:
                owner = self._parse_party(
                    merged(d.owner, changes["owner"]), "owner", set(OWNER_REQUIRED), errors, []
                )
        if party is not None:
            errors += return_problems(d.return_method, party)
        if errors or party is None:
            raise ValidationError(errors or [FieldError("applicant", "Thông tin người nộp chưa hợp lệ.")])
        if party == d.applicant and owner == d.owner:
            raise ValidationError(
                FieldError("applicant", "Thông tin mới giống hệt thông tin đã ghi: không có gì để sửa.")
            )
        return party, owner if owner != d.owner else None

    def _check_new_due(self, new_due: datetime, now: datetime) -> None:
        """Refuse a moved appointment nobody could keep at ``now`` (see :meth:`move_appointment`)."""

        def refuse(message: str) -> ValidationError:
            return ValidationError(FieldError("new_due", message))

        if not isinstance(new_due, datetime):
            raise refuse("Ngày hẹn mới phải là ngày và giờ, ví dụ 04/12/2026 16:00.")
        if new_due.tzinfo is None or new_due.utcoffset() is None:
            raise refuse("Ngày hẹn mới phải kèm múi giờ.")
        latest = now + APPOINTMENT_HORIZON
        too_far = refuse(
            f"Ngày hẹn trả mới chỉ được trong vòng một năm, đến hết ngày {_day_text(latest.date())}."
        )
        if new_due.year > LAST_YEAR:  # checked before converting: year 9999 overflows
            raise too_far
        if new_due.year < FIRST_YEAR:
            raise refuse("Ngày hẹn trả mới đã qua; hãy chọn một thời điểm sau bây giờ.")
        due = to_vn(new_due)
        if due <= now:
            raise refuse(
                f"Ngày hẹn trả mới ({due:%H:%M} {_day_text(due.date())}) đã qua; hãy chọn một thời "
                f"điểm sau {now:%H:%M} {_day_text(now.date())}."
            )
        if due.date() > latest.date():
            raise too_far
        calendar = self.calendar()
        if calendar.in_office_hours(due):
            return
        day = due.date()
        hours = office_hours_text(calendar)
        if calendar.is_working_day(day):
            raise refuse(f"{due:%H:%M} ngoài giờ làm việc; hãy hẹn trong giờ làm việc ({hours}).")
        nxt = calendar.next_working_day(day)
        why = calendar.day_note(day) or WEEKDAYS[day.weekday()]
        raise refuse(
            f"Ngày {_day_text(day)} ({why}) không phải ngày làm việc; ngày làm việc tiếp theo là "
            f"{WEEKDAYS[nxt.weekday()]} {_day_text(nxt)} (giờ làm việc {hours})."
        )

    def rate(
        self,
        code: str,
        actor: str,
        *,
        level: int | str,
        comment: str = "",
        rater: str = "",
        at: datetime | None = None,
    ) -> Dossier:
        """Record the citizen's satisfaction (DOMAIN.md §10) once the dossier is closed.

        Args:
            level: 1 (rất không hài lòng) to 5 (rất hài lòng), see ``RATING_LEVELS``.
            comment: What the citizen said, if anything.
            rater: Who rated, if not the applicant (the person who collected the result).

        A dossier is rated once: the figures of a month already reported must not change, and a
        rating is the citizen's word, not the counter's to replace.

        Raises:
            RuleError: the dossier is not closed, or was already rated (the message says when and
                how).
        """
        errors: list[FieldError] = []
        value = rating_level(level)
        if value is None:
            choices = ", ".join(f"{n} = {label}" for n, label in sorted(RATING_LEVELS.items()))
            errors.append(FieldError("level", f"Chọn mức độ hài lòng từ 1 đến 5 ({choices})."))
        said = check_text(comment or "", label="Ý kiến", required=False, max_len=1000, multiline=True)
        if said.error:
            errors.append(FieldError("comment", said.error))
        who = check_text(rater or "", label="Người đánh giá", required=False, max_len=NAME_MAX)
        if who.error:
            errors.append(FieldError("rater", who.error))
        if errors:
            raise ValidationError(errors)
        payload: dict[str, Any] = {"level": value}
        if said.value:
            payload["comment"] = said.value
        if who.value:
            payload["rater"] = who.value
        return self._step(code, "rated", actor, payload, at)

    def record_print(self, code: str, actor: str, form: str) -> Dossier:
        """Log that a form of the dossier was printed (access log, personal data law)."""
        dossier = self.get(code)
        self._log_reading(self._actor(actor), "print", [dossier.code], form)
        return dossier

    def record_report_print(self, actor: str, what: str) -> None:
        """Log that a report holding many people's data (the logbook) was printed or saved."""
        self._log_reading(actor or "unknown", "print", [""], what)

    def log_search(self, viewer: str, query: str, shown: Iterable[str], *, more: bool = False) -> None:
        """Log a search whose results someone saw: names, ID numbers and phones of the dossiers
        found (DOMAIN.md §9, who viewed whose data). ID and phone numbers in the query are masked.

        Args:
            viewer: Who searched.
            query: The query as typed.
            shown: The codes of the dossiers shown.
            more: More results existed than were shown.
        """
        text = replace_nonchars(clean(query or ""))[:200]
        if not text:
            return
        found = list(dict.fromkeys(shown))
        said = text if codes.looks_like_code(text, self.settings.code_pattern) else mask_numbers(text)
        detail = f"{len(found)}{'+' if more else ''} {said}"
        actor = self._actor(viewer)
        each = found if not more and 0 < len(found) <= SEARCH_LOGGED_EACH else [""]
        self._log_reading(actor, "search", each, detail)

    def log_list(self, viewer: str, view: str, shown: Iterable[str], *, more: bool = False) -> None:
        """Log a page of a named list someone saw: a page can hold dozens of citizens' names and
        phones ("Chờ trả" shows the phone to call). Logged as a search for the list, from the UI and
        the command line alike.

        Args:
            viewer: Who looked. view: The list (see ``LIST_VIEWS``).
            shown: The codes of the dossiers shown. more: The list went on past them.
        """
        self.log_search(viewer, f"danh sách {LIST_NAMES.get(view, view)}", shown, more=more)

    def access_log(
        self,
        code: str | None = None,
        *,
        first: date | None = None,
        last: date | None = None,
        limit: int = 1000,
    ) -> list[AccessEntry]:
        """Who viewed or printed personal data, newest first (Law 91/2025: the data subject may ask).

        Args:
            code: One dossier's entries (all dossiers when None, the logbook's prints included).
            first, last: Vietnam days, both included (default: all time).
            limit: At most this many entries.

        Raises:
            ValidationError: the period ends before it starts or falls outside
                ``FIRST_YEAR``-``LAST_YEAR``; a limit outside 1 to ``ACCESS_LOG_MAX``.
            NotFoundError: no such dossier.
        """
        check_period(first, last)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= ACCESS_LOG_MAX:
            raise ValidationError(FieldError("limit", f"Số dòng phải từ 1 đến {thousands(ACCESS_LOG_MAX)}."))
        normal = None if code is None else self.get(code).code
        rows = self.store.access_entries(dossier_code=normal, first=first, last=last, limit=limit)
        return [
            AccessEntry(
                at=parse_time(at),
                actor=actor,
                action=action,
                dossier_code=dossier,
                detail=detail,
                basis=self.settings.forms_basis,
            )
            for at, actor, action, dossier, detail in rows
        ]

    # -- reading -----------------------------------------------------------------------------------

    def get(self, code: str, *, viewer: str | None = None) -> Dossier:
        """One dossier by code (a scan or typed).

        Raises:
            NotFoundError: no such dossier.
        """
        normal = self._code(code)
        dossier = self.store.get(normal)
        if dossier is None:
            raise self._not_found(normal)
        if viewer:
            self._log_reading(viewer, "view", [normal])
        return dossier

    def _log_reading(self, actor: str, action: str, codes: Sequence[str], detail: str = "") -> None:
        """Write the access-log rows of a reading (a view, a search, a print): one per dossier code
        ("" for none), in one transaction.

        A disk that is full or read-only, or another program holding the write lock, cannot take
        the rows; the reading goes on all the same (the citizen at the counter is waiting for their
        dossier). The rows are kept, with the time of the reading, and written with the next
        reading that gets through or when the desk closes; the program's log says which reading
        waits, and which were lost if none could ever be written (``UNLOGGED_MAX``).
        """
        actor = self._actor(actor)  # a name from the command line, checked as a step's is
        at = datetime.now().astimezone()
        self._write_readings([(at, actor, action, code, detail) for code in codes])

    def _write_readings(
        self, rows: list[tuple[datetime, str, str, str, str]], wait_ms: int = ACCESS_LOG_WAIT_MS
    ) -> None:
        with self.store.lock:  # workers read (and log) side by side: one of them writes the waiting rows
            self._write_readings_locked(rows, wait_ms)

    def _write_readings_locked(self, rows: list[tuple[datetime, str, str, str, str]], wait_ms: int) -> None:
        waiting = self._unlogged + rows
        try:
            # A reading waits a moment, not the ten seconds a save waits, for another program's
            # write lock: the rows are kept and written later, the citizen's dossier shows now.
            with self.store.waiting_at_most(wait_ms), self.store.transaction():
                for at, actor, action, code, detail in waiting:
                    self.store.log_access(actor, action, code, detail, at=at)
        except StoreError as exc:
            dropped = max(0, len(waiting) - UNLOGGED_MAX)
            self._unlogged = waiting[dropped:]
            self.unlogged_reason = exc.message
            for at, actor, action, code, _detail in rows or waiting[-1:]:
                log.warning(
                    "access log not written yet (%s of %s by %s at %s): %s",
                    action, code or "-", actor, at.isoformat(timespec="seconds"), exc.message,
                )  # fmt: skip
            if dropped:
                log.error("access log: %d readings could not be written and are lost", dropped)
        else:
            self._unlogged = []
            access_spool.release(self._taken_rows)  # their rows are in the database now
            self._taken_rows = []

    @staticmethod
    def _code(code: str) -> str:
        """A dossier code as typed or scanned, normalised; refused when it could never be one.

        Raises:
            ValidationError: nothing, control characters, non-characters (a lone surrogate cannot
                even be looked up) or more than ``MAX_CODE_LENGTH`` characters.
        """
        normal = codes.normalise_code(code or "")
        if not normal:  # `counter receipt ""`: nothing typed, not a dossier that is missing
            raise ValidationError(FieldError("code", "Chưa nhập mã hồ sơ: hãy gõ mã hoặc quét mã vạch."))
        if has_control_chars(normal) or len(normal) > codes.MAX_CODE_LENGTH:
            raise ValidationError(
                FieldError(
                    "code", "Mã hồ sơ có ký tự không hợp lệ hoặc quá dài; hãy gõ lại hoặc quét mã vạch."
                )
            )
        return normal

    def _not_found(self, code: str) -> NotFoundError:
        """The error for a code that is not here, naming the dossiers it may stand for.

        A code typed in part (its last digits, "2001") is never acted on: the official is shown
        the full codes it matches and types or scans the right one.
        """
        # An ID or phone number typed where a code goes is not repeated in full (messages reach the
        # log file and the screen behind the citizen).
        candidates: list[str] = []
        if code and not codes.looks_like_code(code, self.settings.code_pattern):
            try:
                candidates = [r.code for r in self.find(code, limit=4) if r.code.endswith(code)]
            except ValidationError:
                candidates = []
        # The end of a real code is said as typed ("261125-3001" read "******3001").
        plain = candidates or codes.looks_like_code(code, self.settings.code_pattern)
        said = code if plain else mask_numbers(code)
        message = f"Không có hồ sơ mã {shown(said) if code else '(trống)'}."  # a pasted page, cut short
        foreign = codes.foreign_code_chars(code)
        if foreign and not candidates:
            # Said in clear: the masked echo hid a stray "\n" typed at the end of a real code.
            chars = ", ".join(f"«{shown(c)}»" for c in foreign[:5])
            message += f" Mã hồ sơ chỉ gồm chữ không dấu, số và các dấu . - _ /; có ký tự lạ: {chars}."
        if candidates:
            if len(candidates) == 1:
                message += f" Có phải hồ sơ {candidates[0]}? Hãy nhập đủ mã hoặc quét mã vạch."
            else:
                message += f" Các hồ sơ có mã kết thúc bằng {said}: {', '.join(candidates[:3])}"
                message += ", …" if len(candidates) > 3 else "."
        return NotFoundError(message)

    def events(self, code: str) -> list[Event]:
        return self.store.events_of(self._code(code))

    def history(self, code: str) -> list[HistoryStep]:
        return history(self.events(code))

    def settle_conflict(self, code: str, actor: str) -> str:
        """A supervisor has looked at a dossier in conflict (and settled it with the other counter,
        by a further step if one was needed): the dossier leaves "conflict". The steps left out
        stay in the file and on its screen. Returns the new sync state.

        Raises:
            NotFoundError: no dossier of that code here.
            RuleError: it is not in conflict.
        """
        code = self._code(code)
        actor = self._actor(actor)
        with self.store.transaction():
            if not self.store.exists(code):
                raise self._not_found(code)
            if self.store.stored_sync_state(code) != "conflict":
                raise RuleError(f"Hồ sơ {code} không có xung đột đồng bộ cần xem.")
            state = self.store.clear_conflict(code)
            # Who took the dossier out of conflict, and when, stays in the file with it.
            self.store.log_access(actor, "settle", code, state, at=self.now())
        log.info("sync conflict of %s settled by %s", code, actor)
        return state

    def left_out(self, code: str) -> list[LeftOutStep]:
        """Steps recorded for this dossier but left out of it, with why: another counter's step
        reached the hub first and this one no longer fits after it, or an event from the hub that
        cannot apply here. They stay in the file; a supervisor settles the dossier. A receipt left
        out because its code was issued twice says whether it was received again, and under what."""
        steps = []
        for event, reason in self.store.flagged_of(self._code(code)):
            again = wanted = ""
            if event.kind == "received":
                again = self.store.received_again_as(event.uuid) or ""
            if event.kind == "corrected":  # what it would have changed: lost unless made again
                wanted = corrected_said(event.payload)
            steps.append(
                LeftOutStep(
                    at=to_vn(event.occurred_at),
                    label=TRANSITIONS[event.kind].label if event.kind in TRANSITIONS else event.kind,
                    actor=event.actor,
                    counter_id=event.counter_id,
                    reason=reason
                    + (f" Đã tiếp nhận lại với mã {again}." if again else "")
                    + (f" ({wanted})" if wanted else ""),
                    uuid=event.uuid,
                    received_again=again,
                    can_receive_again=not again and _receipt_alone(event) is not None,
                )
            )
        return steps

    def receive_again(self, code: str, actor: str, *, event_uuid: str | None = None) -> Dossier:
        """Receive again, under a new code of this counter, a receipt left out because its code
        was issued twice (two machines with one counter number): the citizen holds a receipt whose
        code names another citizen's dossier.

        The new receipt keeps what was handed in and promised: the time of receipt (so the code
        carries that day), the official who received it, the documents, the fee and the due time.
        It records which code and receipt it replaces, and who made it again; a counter that has
        that new receipt (made here, or pulled) refuses to make another. The receipt left out stays
        in the file, and the first dossier keeps its code.

        Args:
            code: The code issued twice.
            actor: Who does it (a supervisor, on the screens).
            event_uuid: Which left-out receipt, when the code was issued more than twice.

        Returns:
            The new dossier (status 2); its receipt is to be printed and handed to the citizen.

        Raises:
            NotFoundError: no dossier of that code here.
            RuleError: no receipt of that code to receive again, already done (its new code said),
                or this counter still uses the number that was shared.
        """
        settings = self.settings.require_configured()
        code = self._code(code)
        actor = self._actor(actor)
        with self.store.transaction():
            if not self.store.exists(code):
                raise self._not_found(code)
            candidates = [
                (event, alone)
                for event, _ in self.store.flagged_of(code)
                if event.kind == "received" and (alone := _receipt_alone(event)) is not None
            ]
            if event_uuid is not None:
                candidates = [(e, d) for e, d in candidates if e.uuid == event_uuid.strip().lower()]
            if not candidates:
                raise RuleError(
                    f"Hồ sơ {code} không có lần tiếp nhận nào bị trùng mã cần tiếp nhận lại"
                    + (f" (mã sự kiện {shown(event_uuid)})." if event_uuid is not None else ".")
                )
            if len(candidates) > 1:
                listed = "; ".join(f"{e.uuid} ({d.applicant.name})" for e, d in candidates)
                raise RuleError(
                    f"Mã {code} đã cấp trùng cho nhiều hồ sơ: hãy chọn lần tiếp nhận cần làm lại "
                    f"(--event): {listed}."
                )
            left, alone = candidates[0]
            done = self.store.received_again_as(left.uuid)
            if done is not None:
                raise RuleError(
                    f"Hồ sơ của «{alone.applicant.name}» (mã trùng {code}) đã được tiếp nhận lại với "
                    f"mã {done}: mở hồ sơ {done} để in lại giấy tiếp nhận."
                )
            if settings.counter_id in (left.counter_id, self._first_issuer(code)):
                raise RuleError(
                    f"Quầy này đang dùng số quầy {settings.counter_no}, số mà hai máy đã dùng chung khi "
                    f"cấp mã {code}: mã mới có thể lại trùng. Hãy tiếp nhận lại ở quầy khác, hoặc đổi "
                    "số quầy của máy này trước (mỗi máy một số quầy riêng)."
                )
            received_at = alone.received_at
            day = to_vn(received_at).date()
            new_code, n, volume, entry = self._take_numbers(day)
            payload = dict(left.payload)
            payload.pop("overflow", None)
            payload.update(self._numbers_payload(n, volume, entry))
            payload["receiving"] = {
                **dict(payload.get("receiving") or {}),
                "agency_id": settings.agency_id,
                "name": settings.agency_name,
                "commune_code": settings.commune_code,
                "counter": settings.counter_no,
            }
            # The corrections made to that receipt on its counter were left out with it (they
            # did not fit the other citizen's dossier): the new receipt carries them.
            mended = alone
            for later, _reason in self.store.flagged_of(code):
                if later.kind == "corrected" and later.counter_id == left.counter_id:
                    with contextlib.suppress(RuleError, *UNREADABLE_EVENT):
                        mended = apply(mended, later)
            if mended.applicant != alone.applicant:
                payload["applicant"] = mended.applicant.to_json()
            if mended.owner is not None and mended.owner != alone.owner:
                payload["owner"] = mended.owner.to_json()
            payload["received_again"] = {
                "code": code,
                "event": left.uuid,
                "counter_id": left.counter_id,
                "by": actor,
                "at": format_time(self.now()),
            }
            # Who took the papers from the citizen, as the receipt says; who made it again is in
            # the payload.
            event = new_event(new_code, "received", received_at, left.actor, settings.counter_id, payload)
            dossier = apply(None, event)
            self.store.append(event, dossier)
        log.info("receipt %s of %s received again as %s by %s", left.uuid, code, new_code, actor)
        return dossier

    def _first_issuer(self, code: str) -> str:
        """The counter that recorded the receipt a dossier was folded from ("" when unknown)."""
        for event in self.store.events_of(code):
            if event.kind == "received":
                return event.counter_id
        return ""

    def time_left(self, dossier: Dossier, now: datetime | None = None) -> TimeLeft | None:
        """Working time left (or late) for an open dossier; None once closed or finished."""
        if not dossier.is_open:
            return None
        cal = self.calendar()
        if dossier.is_paused and dossier.paused_at:
            left = cal.working_time_between(dossier.paused_at, dossier.due_at)
            return TimeLeft(left, left < timedelta(0), True)
        at = now or self.now()
        left = cal.working_time_between(at, dossier.due_at)
        due_day = to_vn(dossier.due_at).date()
        off_day = "" if cal.is_working_day(due_day) else cal.day_note(due_day) or WEEKDAYS[due_day.weekday()]
        # Late by the clock, as "overdue" is: after an 11:30 due, the lunch break holds no working
        # time, yet the dossier is already late (it said "Còn 0 phút" beside "quá hạn").
        return TimeLeft(left, at > dossier.due_at, False, off_day)

    def find(self, query: str, limit: int = 50, offset: int = 0) -> list[DossierRow]:
        """Search by dossier code, ID number, phone, or applicant name (folded Vietnamese)."""
        check_page(limit, offset)
        text = clean(query or "")
        if not text:
            return []
        if len(text) > 200:
            raise ValidationError(FieldError("query", "Chuỗi tìm kiếm quá dài (tối đa 200 ký tự)."))
        bad = nonchar_error(text, "Chuỗi tìm kiếm")  # could match nothing, and crashes SQLite
        if bad:
            raise ValidationError(FieldError("query", bad))
        digits = _query_digits(text)
        if codes.looks_like_code(text, self.settings.code_pattern):
            return self.store.by_column("code", codes.normalise_code(text), limit, offset)
        day_and_number = _DAY_AND_NUMBER.fullmatch(text)
        if day_and_number:  # "261126-2005", the end of a code as read aloud from a receipt
            try:
                day = datetime.strptime(day_and_number[1], "%y%m%d").date()
            except ValueError:
                pass
            else:
                tail = codes.normalise_code(text)
                rows = self.store.by_code_suffix(day_and_number[2], day, limit, offset, until=day)
                return [r for r in rows if r.code.endswith(tail)]
        if ("-" in text or "." in text) and any(c.isdigit() for c in text) and " " not in text.strip():
            # The start of a code ("000.00.11.H26-2611"; with a pattern without dashes, no dash).
            rows = self.store.by_code_prefix(codes.normalise_code(text), limit, offset)
            if rows:
                return rows
        if digits.isdigit():
            results: list[DossierRow] = []
            id_check = check_id_number(text, required=True)
            if not id_check.error:
                results += self.by_id_number(id_check.value, limit, offset)
            phone = check_phone(text, required=True)
            if not phone.error:
                results += self.store.by_column("phone", phone.value, limit, offset)
            org = check_org_number(text)
            if not org.error and len(digits) in (7, 10, 13):  # an enterprise (tax) or budget code
                results += self.by_id_number(org.value, limit, offset)
            if not results and 4 <= len(digits) <= 5:
                since = self.now().date() - timedelta(days=SUFFIX_SEARCH_DAYS)
                results = self.store.by_code_suffix(digits, since, limit, offset)
            if not results and len(digits) >= NUMBER_PREFIX_MIN:
                # Typed in part, as results show while typing: the numbers that start so.
                results = self.store.by_number_prefix(digits, limit, offset)
            return list({r.code: r for r in results}.values())
        passport = check_id_number(text, required=True)
        if not passport.error and passport.value[:1].isalpha():
            rows = self.by_id_number(passport.value, limit, offset)
            if rows:
                return rows
        return self.store.by_name(text, limit, offset)

    def by_id_number(self, value: str, limit: int = 50, offset: int = 0) -> list[DossierRow]:
        """Dossiers submitted by, or owned by, the holder of an ID number; newest first."""
        check_page(limit, offset)
        rows = self.store.by_column("id_number", value, limit + offset) + self.store.by_column(
            "owner_id", value, limit + offset
        )
        unique = {r.code: r for r in rows}.values()
        return sorted(unique, key=lambda r: r.received_at, reverse=True)[offset : offset + limit]

    def list_view(self, view: str, limit: int = 50, offset: int = 0) -> list[DossierRow]:
        """One page of a named list (today, due_today, overdue, waiting_papers, ready, open, recent)."""
        if view not in LIST_VIEWS:
            raise ValidationError(FieldError("view", f"Không có danh sách «{shown(view)}»."))
        check_page(limit, offset)
        return self.store.list_view(view, self.now(), limit, offset)

    def count_view(self, view: str) -> int:
        if view not in LIST_VIEWS:
            raise ValidationError(FieldError("view", f"Không có danh sách «{shown(view)}»."))
        return self.store.count_view(view, self.now())

    def refused_at_counter_today(self) -> int:
        """Of today's intake, the dossiers refused at the counter: the day's figures count them
        as refused, not received, and today's list says so beside its count."""
        return self.store.count_refused_at_counter(to_vn(self.now()).date())

    def period_report(self, first: date, last: date) -> dict[str, Any]:
        """Indicators for a period: received, returned, early / on time / late, overdue, by field.

        Raises:
            ValidationError: see :func:`check_period`; a period that has not begun (all zeros, it
                read as a month with no dossier, where the logbook of the same days is refused).
        """
        check_period(first, last)
        if first > self.now().date():
            raise ValidationError(FieldError("from", REPORT_NOT_YET))
        return self.store.period_counts(first, last, self.now())

    def iter_logbook(
        self, first: date, last: date, statuses: tuple[int, ...] | None = None
    ) -> Iterator[Dossier]:
        """Dossiers of the logbook for a date range, streamed oldest first.

        Raises:
            ValidationError: see :func:`check_period` (raised at the call, not on first use).
        """
        check_period(first, last)
        return self.store.iter_received(first, last, statuses)

    def unsent_events(self) -> int:
        return self.store.unsent_count()

    # -- officials ---------------------------------------------------------------------------------

    def add_official(
        self,
        username: str,
        full_name: str,
        role: str,
        pin: str = "",
        *,
        by: str | None = None,
        unlock: bool = True,
    ) -> Official:
        """Create or update an official (supervisors manage them).

        An existing official's name or role changes without a new PIN when ``pin`` is empty (a
        spelling fixed should not mean resetting a colleague's PIN); a new official needs one.

        Args:
            unlock: A locked account is opened again by the change (the supervisor's form says so
                before Ctrl+S); False keeps it as it is (the command line, unless asked).
            by: The supervisor making the change, from the UI: the change is refused unless that
                account is still an active supervisor, read in the change's own transaction (a
                session may outlive a demotion by the seconds until the UI checks). None: the
                command line, run by the machine's administrator.

        Raises:
            ValidationError: every wrong field (:meth:`official_problems`); nothing saved.
            RuleError: it would leave no active supervisor.
        """
        user = clean(username or "").lower()
        with self.store.transaction():
            self._require_supervisor(by)
            row = self.store.official(user) if user else None
            keep_pin = row is not None and not pin
            errors = self.official_problems(
                username, full_name, role, None if keep_pin else pin, existing=row is not None
            )
            if errors:
                raise ValidationError(errors)
            name = check_text(full_name, label="Họ và tên", required=True, max_len=120).value
            if row is not None and row["role"] == "supervisor" and role != "supervisor":
                self._keep_a_supervisor(user)
            if keep_pin:
                assert row is not None
                salt, digest = row["pin_salt"], row["pin_hash"]
            else:
                salt = secrets.token_hex(16)
                digest = _pin_hash(pin, salt)
            active = True if row is None or unlock else bool(row["active"])
            self.store.put_official(user, name, role, salt, digest, active)
        return Official(user, name, role)

    @staticmethod
    def official_problems(
        username: str, full_name: str, role: str, pin: str | None, *, existing: bool = False
    ) -> list[FieldError]:
        """What is wrong with an official's account as typed, every field at once (a form shows
        them all before anything is saved); ``pin`` None when the PIN on record is kept.

        A new user name is plain ASCII: with any letter allowed, "hoa" in Latin and "hоa" with a
        Cyrillic o were two officials no one could tell apart on screen or in the access log.
        An account made before that rule (``existing``) keeps its name.
        """
        errors: list[FieldError] = []
        user = clean(username or "").lower()
        if not user:
            errors.append(FieldError("username", "Chưa nhập tên đăng nhập."))
        elif len(user) > 40 or not (existing or _USERNAME.fullmatch(user)):
            errors.append(
                FieldError(
                    "username",
                    "Tên đăng nhập liền một chữ, không dấu cách, không dấu tiếng Việt: chữ a–z, chữ "
                    "số, dấu chấm, gạch ngang, gạch dưới (tối đa 40 ký tự), ví dụ lan.nt.",
                )
            )
        name = check_text(full_name, label="Họ và tên", required=True, max_len=120)
        if name.error:
            errors.append(FieldError("full_name", name.error))
        if role not in ("official", "supervisor"):
            errors.append(FieldError("role", "Vai trò phải là cán bộ (official) hoặc giám sát (supervisor)."))
        problem = pin_problem(pin) if pin is not None else ""
        if problem:
            errors.append(FieldError("pin", problem))
        return errors

    def _require_supervisor(self, by: str | None) -> None:
        """Refuse a supervisor's change when ``by`` is no longer an active supervisor (see ``by``
        in :meth:`add_official`). Inside the change's transaction.

        Raises:
            RuleError: the account was demoted, locked or removed since it signed in.
        """
        if by is None:
            return
        row = self.store.official(clean(by).lower())
        if row is None or not row["active"] or row["role"] != "supervisor":
            raise RuleError(
                f"Tài khoản «{shown(by)}» không còn quyền giám sát (đã đổi vai trò hoặc bị khóa): "
                "thay đổi chưa được lưu.",
                title="Không có quyền giám sát",
            )

    def _keep_a_supervisor(self, leaving: str) -> None:
        """Refuse a change that takes ``leaving`` out of the active supervisors if they are the last.

        Raises:
            RuleError: no other active supervisor (nobody could manage officials any more).
        """
        if not another_supervisor(self.store.officials(), leaving):
            raise RuleError(
                f"Phải còn ít nhất một tài khoản giám sát đang hoạt động: «{leaving}» là tài khoản giám "
                "sát cuối cùng; hãy cho cán bộ khác vai trò giám sát trước."
            )

    def clock_problem(self) -> str | None:
        """What looks wrong with the machine's clock, in words for the official, or None.

        Codes and appointments are stamped with this clock, for good: a clock set back (a flat BIOS
        battery, a wrong manual setting) would print last year's date on today's receipts. Said,
        not refused: a clock that was ahead and is now right also reads as "behind" until time
        catches up, and the official is the one who can look at the wall clock.
        """
        now = self.now()
        when = f"{now:%H:%M %d/%m/%Y}"
        fix = (
            "hãy chỉnh lại ngày giờ của máy tính trước khi tiếp nhận hồ sơ: mã hồ sơ và ngày hẹn trả "
            "lấy theo đồng hồ này."
        )
        if now < CLOCK_EARLIEST:
            return f"Đồng hồ máy tính đang chỉ {when}, trước ngày 01/07/2025: ngày giờ máy tính sai; {fix}"
        latest = self.store.latest_local_time()
        if latest is not None and now < latest - CLOCK_BEHIND:
            return (
                f"Đồng hồ máy tính đang chỉ {when}, sớm hơn bước đã ghi trên máy này lúc "
                f"{to_vn(latest):%H:%M %d/%m/%Y}. Nếu ngày giờ máy tính sai, {fix}"
            )
        return None

    def official_standing(self, username: str) -> Official | None:
        """The signed-in official as the accounts now have them (a role changed since), or None
        once the account was locked or removed: a session does not outlive its account."""
        row = self.store.official(clean(username or "").lower())
        if row is None or not row["active"]:
            return None
        return Official(row["username"], row["full_name"], row["role"])

    def official_role(self, username: str) -> str | None:
        """The role of the account with this username (as ``add_official`` and ``sign_in`` read
        it), or None when there is none."""
        user = clean(username or "").lower()
        row = self.store.official(user) if user else None
        return str(row["role"]) if row is not None else None

    def official_locked(self, username: str) -> bool:
        """Whether the account with this username exists and a supervisor locked it."""
        user = clean(username or "").lower()
        row = self.store.official(user) if user else None
        return row is not None and not row["active"]

    def officials(self) -> list[dict[str, Any]]:
        """The officials; ``waiting_until`` is set while an account waits after wrong PINs."""
        now = self.now()
        rows = self.store.officials()
        for row in rows:
            until = row.pop("locked_until")
            row["waiting_until"] = to_vn(parse_time(until)) if until and now < parse_time(until) else None
        return rows

    def set_official_active(self, username: str, active: bool, *, by: str | None = None) -> None:
        """Switch an official's account on or off (a disabled account cannot sign in).

        Args:
            by: The supervisor making the change, from the UI: the change is refused unless that
                account is still an active supervisor, read in the change's own transaction (a
                session may outlive a demotion by the seconds until the UI checks). None: the
                command line, run by the machine's administrator.

        Raises:
            NotFoundError: no such official.
            RuleError: it would leave no active supervisor.
        """
        user = clean(username or "").lower()
        with self.store.transaction():
            self._require_supervisor(by)
            row = self.store.official(user)
            if row is None:
                raise NotFoundError(f"Không có cán bộ «{user}».")
            if not active and row["role"] == "supervisor":
                self._keep_a_supervisor(user)
            self.store.put_official(
                user, row["full_name"], row["role"], row["pin_salt"], row["pin_hash"], active
            )

    # -- drafts ------------------------------------------------------------------------------------

    def save_draft(self, data: Mapping[str, Any]) -> None:
        """Keep the half-typed intake of this counter durably (it survives a crash or restart)."""
        # A lone surrogate (a damaged paste) cannot be stored: the draft keeps a replacement mark
        # there rather than being lost; the save itself refuses it with a message.
        text = replace_nonchars(json.dumps(dict(data), ensure_ascii=False, sort_keys=True))
        if len(text) > MAX_DRAFT_CHARS:
            raise ValidationError(FieldError("draft", "Bản nháp quá lớn."))
        with self.store.transaction():
            self.store.put_draft(self.settings.counter_no, text, self.now())

    def load_draft(self) -> dict[str, Any] | None:
        """The half-typed intake left on this counter, or None."""
        text = self.store.draft(self.settings.counter_no)
        if not text:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None

    def clear_draft(self) -> None:
        with self.store.transaction():
            self.store.delete_draft(self.settings.counter_no)

    def sign_in(self, username: str, pin: str) -> Official:
        """Check an official's PIN.

        A PIN has few digits, so every ``SIGN_IN_TRIES`` wrong PINs in a row make the account wait
        ``SIGN_IN_WAIT`` before the next try (counted in the database: a restart does not reset
        it). A right PIN, or a supervisor setting a new PIN, clears the count.

        Raises:
            RuleError: unknown user, wrong PIN or disabled account (one message for all three), or
                an account waiting after too many wrong PINs (with the time it may try again).
            ValidationError: a dossier code given as the name or the PIN (a receipt scanned at
                the sign-in or unlock screen): said as such and counted as no failure; five scans
                locked the official out for minutes.
        """
        for key, text in (("username", username), ("pin", pin)):
            if codes.parse_code((text or "").strip()) is not None:
                raise ValidationError(FieldError(key, SCANNED_BEFORE_SIGN_IN))
        user = clean(username or "").lower()
        row = self.store.official(user)
        now = self.now()
        if row is None:
            # A name with no account answers as an account would (the same waits, the same time
            # spent on the PIN): otherwise "never locked" told anyone which names are real ones.
            # Counted in memory: there is no account row to count in.
            failures, until = self._unknown_sign_ins.get(user, (0, None))
        else:
            failures = int(row["failed_sign_ins"])
            until = parse_time(row["locked_until"]) if row["locked_until"] else None
        if until is not None and now < until:
            raise RuleError(
                f"Đã nhập sai mã PIN {failures} lần; hãy thử lại sau "
                f"{to_vn(until):%H:%M ngày %d/%m}, "
                "hoặc nhờ cán bộ giám sát đặt lại mã PIN (nếu không còn giám sát nào: quản trị viên "
                'chạy lệnh counter add-official TÊN_ĐĂNG_NHẬP --name "HỌ TÊN" --new-pin).',
                "Tạm khóa đăng nhập",
            )
        typed = _pin_hash(pin or "", row["pin_salt"] if row is not None else _UNKNOWN_SALT)
        right_pin = row is not None and hmac.compare_digest(typed, row["pin_hash"])
        if row is not None and right_pin and not row["active"]:
            # The PIN proves who it is: say the account is locked, not that the PIN is wrong.
            raise RuleError(
                "Tài khoản này đang bị khóa; hãy nhờ cán bộ giám sát mở lại.", "Tài khoản bị khóa"
            )
        if row is None or not row["active"] or not right_pin:
            failures += 1
            locks = failures // SIGN_IN_TRIES if failures % SIGN_IN_TRIES == 0 else 0
            locked = now + min(SIGN_IN_WAIT * 2 ** (locks - 1), SIGN_IN_WAIT_MAX) if locks else None
            if row is not None:
                self.store.record_sign_in(row["username"], failed=True, locked_until=locked)
                log.info("failed sign-in %d for an official account", failures)
            elif len(self._unknown_sign_ins) < 1000 or user in self._unknown_sign_ins:
                self._unknown_sign_ins[user] = (failures, locked)
            raise RuleError("Tên đăng nhập hoặc mã PIN không đúng.", WRONG_SIGN_IN_TITLE)
        if row["failed_sign_ins"]:
            self.store.record_sign_in(row["username"], failed=False)
        return Official(row["username"], row["full_name"], row["role"], weak_pin=bool(pin_problem(pin)))

    def actor_name(self, given: str) -> str:
        """The name to record for whoever the command line names: an official's full name when
        ``given`` is their user name, else ``given`` as it is (the OS user, a name typed)."""
        given = self._actor(given)
        row = self.store.official(given.lower())
        return str(row["full_name"]) if row is not None else given

    def has_officials(self) -> bool:
        return bool(self.store.officials())

    # -- housekeeping ------------------------------------------------------------------------------

    def backup(self, folder: Path, *, keep: int = 0) -> dict[str, Any]:
        """Copy the database into ``folder`` as ``counter-<commune>-<counter>-<yyyymmdd-hhmmss>.db``
        (Vietnam time).

        Args:
            folder: Where backups go (created owner-only if missing).
            keep: Keep only this many of the newest backups of this counter there (0: keep all).
                Only files named as this method names this counter's copies are ever removed
                (another counter's, sharing the folder, never are), and only after the new copy
                is safe.

        Returns:
            ``path``, ``bytes``, ``dossiers`` and ``removed`` (the old backups deleted).
        """
        if keep < 0:
            raise ValidationError(FieldError("keep", "Số bản sao lưu giữ lại phải là số không âm."))
        # A database never set up holds nothing worth a copy, and with ``keep`` its copy would
        # push a good backup out of the rotation.
        self.settings.require_configured()
        prefix = backup_prefix(self.settings.commune_code, self.settings.counter_no)
        stamp = f"{prefix}{self.now():%Y%m%d-%H%M%S}"
        target = folder / f"{stamp}.db"
        n = 1
        while target.exists() or target.with_name(target.name + ".partial").exists():
            n += 1
            target = folder / f"{stamp}-{n}.db"
        try:
            folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Không tạo được thư mục sao lưu «{folder}»: {explain(exc)}.") from exc
        own_id = self.store.read_settings().get(DATABASE_ID) or ""  # given by migration 17
        result = self.store.backup(target)
        removed = _remove_stale_partials(folder, prefix)
        others: list[str] = []
        made = stored_lineage(target)
        own_events = made[1] if made is not None else None
        if keep:
            # The database in use may carry a backup's name (put back by hand after a crash and
            # worked on since): it is never one of the old copies to remove.
            # The copy just made is always one of those kept, whatever its name: with the
            # machine's clock set back, its stamp sorts before the older copies' and "the newest
            # names" would have removed it, the only one holding today's work.
            live = self.store.path.resolve() if self.store.path is not None else None
            spared = {live, target.resolve()}
            ours = sorted(
                (order, p)
                for p in folder.iterdir()
                if p.is_file() and p.resolve() not in spared and (order := _backup_order(prefix, p))
            )
            # Another database with this counter's name (a training file, a machine set up again
            # without its backup) is not this one's to rotate: the copies of a file set up anew,
            # holding nothing, removed the good ones.
            others = [p.name for _, p in ours if not _same_lineage(p, own_id, own_events)]
            ours = [(order, p) for order, p in ours if p.name not in others]
            if ours and ours[-1][1].name > target.name:
                log.warning(
                    "backup %s is named before %s: is the clock behind? kept it all the same",
                    target.name,
                    ours[-1][1].name,
                )
            for _, old in ours[: max(0, len(ours) - (keep - 1))]:
                try:
                    old.unlink()
                except OSError as exc:
                    log.warning("could not remove old backup %s: %s", old.name, exc)
                else:
                    removed.append(old.name)
        if others:
            log.warning("backups of another database kept in %s: %s", folder, ", ".join(others))
        log.info(  # the nightly run's record, in the log too
            "backup %s made (%s dossiers); removed: %s",
            target,
            result.get("dossiers"),
            ", ".join(removed) or "none",
        )
        return {**result, "removed": removed, "kept_other": others}

    projection_differs_at: str | None = None
    """After :meth:`check_projection` without repair: the first dossier whose row differs from its
    events ("" for a row missing or left over), None when all agree."""

    def check_projection(self, *, repair: bool = False) -> bool:
        """Fold the dossiers from their events and say whether the stored rows equal the result.

        Args:
            repair: Rebuild the rows from the events (the events are the record), in one write
                transaction. Without it nothing is written and no write lock is taken: a check at
                night, or by an admin at noon, leaves the counter saving (a rebuild rolled back
                held the lock for the whole check: a minute on 50,000 dossiers), and a difference
                found is still there for the admin who looks in the morning.
        """
        if not repair:
            differs = self.store.projection_differs()
            self.projection_differs_at = differs
            if differs is not None:
                log.warning("dossier rows differ from their events (first: %s)", differs or "a row count")
            return differs is None
        with self.store.transaction():
            before = self.store.projection_rows()
            self.store.rebuild_projection()
            same = before == self.store.projection_rows()
        if not same:
            log.warning("dossier rows differed from their events and were rebuilt from them")
        return same
