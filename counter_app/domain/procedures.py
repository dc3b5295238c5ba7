"""The procedure catalog (danh mục thủ tục hành chính) the counter receives dossiers for.

A :class:`Procedure` carries what the counter needs at intake and on the receipt: the national code
(MaTTHC), the official name, the field (lĩnh vực), the legal time limit, the fee wording, the
documents to hand in with their counts, and the deciding authority. The catalog ships as
``counter_app/data/procedures.json`` (seeded from the shared PROCEDURES.md reference) and may later
be replaced by one synced from the hub; both go through :func:`parse_catalog`, which rejects a bad
entry with a Vietnamese message naming the procedure and the field.

Time limits, fees and document lists vary by province and change by decision, so they live in data,
never in code constants (DOMAIN.md, marks [S]/[U]).

No I/O except :func:`load_default_catalog`, which reads the packaged JSON file.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any, Literal, cast

from counter_app.domain.calendar import TimeLimit
from counter_app.domain.errors import FieldError, NotFoundError, ValidationError
from counter_app.domain.text import clean, first_nonchar, fold, has_control_chars, thousands
from counter_app.domain.validation import json_kind, mask_numbers, shown

__all__ = [
    "Catalog",
    "DocumentSpec",
    "Fee",
    "Procedure",
    "catalog_to_json",
    "default_catalog_version",
    "load_default_catalog",
    "parse_catalog",
    "version_error",
]

CODE_PATTERN = re.compile(r"^\d\.\d{6}$")
"""National procedure code (MaTTHC), e.g. ``1.001193``."""

Unit = Literal["working_days", "calendar_days", "same_day"]
_UNITS: tuple[Unit, ...] = ("working_days", "calendar_days", "same_day")
_CUTOFF = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_.]*$")
PARTY_FIELDS = ("name", "id_number", "phone", "address", "birth_date", "email", "representative")
"""The applicant's fields a procedure may require (``required_fields``); the name always is."""
_WORD = re.compile(r"[^\W_]+")

# Bounds of a catalog file. The shipped catalog (36 procedures, limits up to 20 working days or 45
# days, at most 6 papers of 2 copies, names up to 290 characters) sits well inside them; a file
# beyond them is broken or hostile, and would otherwise reach the due-date arithmetic (10^9 working
# days overflow it), the receipt layout and the type-ahead search.
MAX_PROCEDURES = 2_000
"""A commune handles a few hundred procedures; the whole national list is of this order."""
MAX_WORKING_DAYS = 120
"""Longest limit in working days (about six months); commune procedures take days or weeks."""
MAX_CALENDAR_DAYS = 180
"""Longest limit in days (ngày, not ngày làm việc): about six months."""
HOURS_PER_WORKING_DAY = 8
"""A working-day limit is a whole number of working hours (0.5 = 04 giờ làm việc, 1.5 = 12 giờ)."""
MAX_DOCUMENTS = 60
"""More papers than any procedure lists (the intake refuses more as well)."""
MAX_PAPER_COUNT = 99
"""Largest count of one paper, or of sets, in the catalog and at intake."""
MAX_FEE = 100_000_000
"""Largest fee in đồng, in the catalog and at intake."""
NAME_MAX = 500
"""Longest procedure name (official names run to about 300 characters)."""
DOCUMENT_NAME_MAX = 300
"""Longest paper name: the intake takes the same (papers are prefilled from the catalog)."""
FIELD_MAX = 100
"""Longest field (lĩnh vực) name."""
AGENCY_MAX = 200
"""Longest deciding agency name (the intake's limit for the same text)."""
TEXT_MAX = 1_000
"""Longest fee wording or note."""
TAG_MAX = 40
"""Longest version, source or confidence mark."""
VERSION_PATTERN = re.compile(rf"[0-9A-Za-z][0-9A-Za-z._+-]{{0,{TAG_MAX - 1}}}")
"""A version of a file the city publishes (the catalog, the calendar): "2026.11.1". It goes back to
the hub in an HTTP header (``If-None-Match``): a letter outside ASCII, a space or a line break
failed every later sync before the request was sent."""


def version_error(value: str, what: str) -> str | None:
    """Why ``value`` cannot be the version of ``what`` (a Vietnamese noun phrase), or None."""
    if VERSION_PATTERN.fullmatch(value):
        return None
    return (
        f"Phiên bản của {what} «{value[:TAG_MAX]}» không hợp lệ: chỉ gồm chữ số, chữ cái không dấu và "
        f"các dấu . _ + - (tối đa {TAG_MAX} ký tự), ví dụ 2026.11.1."
    )


MAX_REPORTED_ERRORS = 50
"""Problems listed for one file; the rest are counted (a hostile file could hold thousands)."""


@dataclass(frozen=True)
class DocumentSpec:
    """One paper of the dossier (thành phần hồ sơ) and how many of each kind to hand in."""

    name: str
    """The paper, as printed in the receipt's documents table."""
    originals: int = 0
    """Bản chính."""
    certified: int = 0
    """Bản sao có chứng thực."""
    copies: int = 0
    """Bản photo / bản sao không chứng thực."""
    required: bool = True
    """False for papers needed only in some cases ("nếu có", authorisation)."""
    note: str = ""
    """Alternatives and conditions, e.g. "Xuất trình, không nộp"."""

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form (see :func:`catalog_to_json`)."""
        return {
            "name": self.name,
            "originals": self.originals,
            "certified": self.certified,
            "copies": self.copies,
            "required": self.required,
            "note": self.note,
        }


@dataclass(frozen=True)
class Fee:
    """Fee or charge (phí, lệ phí) of a procedure."""

    amount: int = 0
    """VND, when a national fixed amount exists (per unit named in ``text``); else 0."""
    text: str = ""
    """The wording shown and printed, e.g. "Miễn lệ phí" or "8.000 đồng/bản sao"."""


@dataclass(frozen=True)
class Procedure:
    """One administrative procedure (thủ tục hành chính) of the catalog."""

    code: str
    """National code (MaTTHC), ``^\\d\\.\\d{6}$``."""
    name: str
    """Official name as published with the code."""
    field: str
    """Field (lĩnh vực), e.g. "Hộ tịch"."""
    limit: TimeLimit
    """Legal processing time (thời hạn giải quyết) for a dossier received at the counter."""
    fee: Fee
    """Fee or charge."""
    documents: tuple[DocumentSpec, ...]
    """Papers to hand in, in the order of the official list."""
    sets: int = 1
    """Number of sets (số lượng hồ sơ, bộ)."""
    deciding_agency: str = ""
    """Deciding authority (cơ quan chủ trì giải quyết); "" when not confirmed."""
    required_fields: tuple[str, ...] = ("name", "id_number")
    """Applicant fields the intake form must have filled for this procedure."""
    source: str = ""
    """Source letters of PROCEDURES.md, e.g. "A, B, C"."""
    confidence: str = ""
    """Confidence mark of PROCEDURES.md, e.g. "C" or "C (time P)"."""
    note: str = ""
    """Caveats on the limit or the fee (ranges, provincial variants), for the official."""

    @property
    def processing_days(self) -> float:
        """Length of the limit in days; 0 for a same-day procedure."""
        if self.limit.unit == "same_day":
            return 0.0
        return float(self.limit.amount)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form, the shape :func:`parse_catalog` reads back.

        Returns:
            A dict with ``code``, ``name``, ``field``, ``processing_days``, ``limit`` (``unit``,
            ``amount``, ``cutoff`` as ``"HH:MM"`` or None), ``fee`` (int VND), ``fee_text``,
            ``documents``, ``sets``, ``deciding_agency``, ``required_fields``, ``source``,
            ``confidence`` and ``note``.
        """
        cutoff = self.limit.cutoff
        return {
            "code": self.code,
            "name": self.name,
            "field": self.field,
            "processing_days": _number(self.processing_days),
            "limit": {
                "unit": self.limit.unit,
                "amount": _number(self.limit.amount),
                "cutoff": cutoff.strftime("%H:%M") if cutoff is not None else None,
            },
            "fee": self.fee.amount,
            "fee_text": self.fee.text,
            "documents": [d.to_json() for d in self.documents],
            "sets": self.sets,
            "deciding_agency": self.deciding_agency,
            "required_fields": list(self.required_fields),
            "source": self.source,
            "confidence": self.confidence,
            "note": self.note,
        }


def _number(value: float) -> int | float:
    # 3 rather than 3.0 in JSON: the file is read and edited by people.
    return int(value) if float(value).is_integer() else float(value)


@dataclass(frozen=True)
class Catalog:
    """A versioned, immutable list of procedures with lookup and type-ahead search.

    Raises:
        ValidationError: When two procedures share a code.
    """

    version: str
    """Catalog version, e.g. "2026.11.1"; stored with each dossier's procedure snapshot."""
    procedures: tuple[Procedure, ...]
    """The procedures, in display order."""
    _by_code: dict[str, Procedure] = field(init=False, repr=False, compare=False)
    _folded: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_code: dict[str, Procedure] = {}
        for p in self.procedures:
            if p.code in by_code:
                raise ValidationError(
                    FieldError("code", f"Mã thủ tục {p.code} xuất hiện nhiều lần trong danh mục.")
                )
            by_code[p.code] = p
        object.__setattr__(self, "_by_code", by_code)
        folded = []
        for p in self.procedures:
            name = fold(p.name)
            folded.append((name, tuple(_WORD.findall(name)), tuple(_WORD.findall(fold(p.field)))))
        object.__setattr__(self, "_folded", tuple(folded))

    def __iter__(self) -> Iterator[Procedure]:
        return iter(self.procedures)

    def __len__(self) -> int:
        return len(self.procedures)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Procedure:
        """The procedure with national code ``code``.

        Args:
            code: MaTTHC, e.g. "1.001193"; surrounding spaces are ignored.

        Returns:
            The procedure.

        Raises:
            NotFoundError: When the catalog has no such code.
        """
        found = self._by_code.get(code.strip())
        if found is None:
            said = code.strip()
            if not CODE_PATTERN.match(said) and sum(c.isdigit() for c in said) >= 9:
                # an ID or phone number pasted in the wrong field is not echoed; a mistyped code
                # ("1004873", the dot left out) is shown as typed, for the official to see the slip
                said = mask_numbers(said)
            raise NotFoundError(
                f"Không có thủ tục mã {said!r} trong danh mục (phiên bản {self.version}). "
                "Hãy kiểm tra lại mã hoặc cập nhật danh mục."
            )
        return found

    def fields(self) -> list[str]:
        """The fields (lĩnh vực), each once, in catalog order."""
        return list(dict.fromkeys(p.field for p in self.procedures))

    def search(self, query: str, limit: int = 20) -> list[Procedure]:
        """Type-ahead search on code and name, diacritics and case ignored.

        Ranking: code matches first (the whole code, then codes ending with the typed digits,
        the way the picker's hint asks for them, then codes starting with them: "1.0011", also
        without the dot), then procedures whose
        name has a word starting with every query word ("khai sinh", "chung th"), then names that
        merely contain every query word, then the other procedures of a field so named ("chứng
        thực" also finds "Thủ tục cấp bản sao từ sổ gốc"). Code matches come in code order; the
        others with the query as one phrase first, then shorter names (a leading "Thủ tục" not
        counted), then catalog order.

        Args:
            query: What the official typed; an empty query lists the catalog in order.
            limit: Most results returned.

        Returns:
            Up to ``limit`` procedures, best first.
        """
        if limit <= 0:
            return []
        tokens = _WORD.findall(fold(query))
        if not tokens:
            return list(self.procedures[:limit])
        phrase = " ".join(tokens)
        compact = re.sub(r"\s+", "", query)
        code_query = compact if re.fullmatch(r"[\d.]+", compact) else None
        ranked: list[tuple[int, tuple[int, str], int, int, int, Procedure]] = []
        for index, (p, (name, words, field_words)) in enumerate(
            zip(self.procedures, self._folded, strict=True)
        ):
            code_match = _code_match(p.code, code_query) if code_query is not None else None
            rank = 0 if code_match is not None else _rank(name, words, field_words, tokens)
            if rank is None:
                continue
            # Code matches list by how they match, then in code order; name matches by phrase,
            # then length. Many names open with "Thủ tục", which says nothing: "khai tử" would put
            # "Đăng ký lại khai tử" before "Thủ tục đăng ký khai tử" for being shorter.
            code_key = (code_match, p.code) if code_match is not None else (0, "")
            length = len(name.removeprefix("thu tuc "))
            ranked.append((rank, code_key, 0 if phrase in name else 1, length, index, p))
        ranked.sort(key=lambda r: r[:5])
        return [r[5] for r in ranked[:limit]]


def _code_match(code: str, query: str) -> int | None:
    """How a code matches typed digits: 0 the whole code, 1 its last digits, 2 its first ones.

    The last digits come before the first: "10041" is the end of 1.010041 and, without the dot,
    the start of 1.004194; the picker's hint asks for the last digits ("4873"), and the official
    who typed them got the other procedure. A query with a dot is a prefix only ("1.0041").
    """
    digits, typed = code.replace(".", ""), query.replace(".", "")
    if code == query or digits == typed:
        return 0
    if "." not in query and digits.endswith(typed):
        return 1
    if code.startswith(query) or digits.startswith(typed):
        return 2
    return None


def _rank(name: str, words: tuple[str, ...], field_words: tuple[str, ...], tokens: list[str]) -> int | None:
    if all(any(w.startswith(t) for w in words) for t in tokens):
        return 1
    if all(t in name for t in tokens):
        return 2
    if all(any(w.startswith(t) for w in field_words) for t in tokens):
        return 3
    return None


# --------------------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------------------


def catalog_to_json(catalog: Catalog) -> dict[str, Any]:
    """Serialise a catalog to the JSON shape of ``procedures.json``.

    ``parse_catalog(catalog_to_json(c)) == c`` for every valid catalog.

    Args:
        catalog: The catalog.

    Returns:
        ``{"version": ..., "procedures": [...]}``.
    """
    return {"version": catalog.version, "procedures": [p.to_json() for p in catalog.procedures]}


_TOP_KEYS = {"version", "procedures"}
_PROCEDURE_KEYS = {
    "code",
    "name",
    "field",
    "processing_days",
    "limit",
    "fee",
    "fee_text",
    "documents",
    "sets",
    "deciding_agency",
    "required_fields",
    "source",
    "confidence",
    "note",
}
_PROCEDURE_REQUIRED = ("code", "name", "field", "limit", "documents")
_LIMIT_KEYS = {"unit", "amount", "cutoff"}
_DOCUMENT_KEYS = {"name", "originals", "certified", "copies", "required", "note"}


class _Errors:
    """Collects field errors so one bad file reports every problem at once."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []
        self.count = 0
        """Every problem found; only the first ``MAX_REPORTED_ERRORS`` are kept."""

    def add(self, path: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append(FieldError(path, message))

    def raise_if_any(self) -> None:
        if not self.count:
            return
        items = list(self.items)
        if self.count > len(items):
            items.append(FieldError("", f"… và {self.count - len(items)} lỗi khác."))
        raise ValidationError(items, "Danh mục thủ tục không hợp lệ")


def parse_catalog(data: Mapping[str, Any]) -> Catalog:
    """Build a catalog from its JSON form, checking every entry.

    Rejected: a top level that is not ``{version, procedures}``, more than ``MAX_PROCEDURES``
    procedures, a missing or unknown key, a code not shaped ``d.dddddd``, a duplicate code, empty
    names, text longer than its bound or holding control characters or non-characters, a negative,
    non-integer or too large count or fee, an unknown time unit, a malformed cut-off, a limit beyond
    ``MAX_WORKING_DAYS`` / ``MAX_CALENDAR_DAYS``, fractional days (except whole working hours under
    one day), more than ``MAX_DOCUMENTS`` papers, a ``processing_days`` that disagrees with the
    limit.

    Args:
        data: The decoded JSON object (``{"version": ..., "procedures": [...]}``).

    Returns:
        The catalog, with all text in NFC and whitespace collapsed.

    Raises:
        ValidationError: Listing every problem, each with a path such as
            ``procedures[3].limit.unit`` and a Vietnamese message naming the procedure.
    """
    errors = _Errors()
    if not isinstance(data, Mapping):
        raise ValidationError(
            FieldError(
                "",
                "Danh mục thủ tục phải là đối tượng JSON {version, procedures}, "
                f"không phải {json_kind(data)}.",
            ),
            "Danh mục thủ tục không hợp lệ",
        )
    for key in sorted(map(str, set(data) - _TOP_KEYS)):
        errors.add(shown(key), f"Danh mục có mục lạ «{shown(key)}»; chỉ được có version và procedures.")
    version = _text(data.get("version"), "version", "Danh mục", "phiên bản (version)", errors, TAG_MAX)
    if version and (bad_version := version_error(version, "danh mục")):
        errors.add("version", bad_version)
    raw_procedures = data.get("procedures")
    procedures: list[Procedure] = []
    if not isinstance(raw_procedures, list) or not raw_procedures:
        errors.add("procedures", "Danh mục phải có danh sách thủ tục (procedures) không rỗng.")
    elif len(raw_procedures) > MAX_PROCEDURES:
        errors.add(
            "procedures",
            f"Danh mục có {len(raw_procedures)} thủ tục; tối đa {MAX_PROCEDURES} thủ tục một lần nạp.",
        )
    else:
        seen: dict[str, int] = {}
        for i, raw in enumerate(raw_procedures):
            proc = _parse_procedure(raw, f"procedures[{i}]", i, errors)
            if proc is None:
                continue
            if proc.code in seen:
                errors.add(
                    f"procedures[{i}].code",
                    f"Mã thủ tục {proc.code} bị trùng (thủ tục thứ {seen[proc.code] + 1} và thứ {i + 1}).",
                )
                continue
            seen[proc.code] = i
            procedures.append(proc)
    errors.raise_if_any()
    return Catalog(version=version, procedures=tuple(procedures))


def _parse_procedure(raw: Any, path: str, index: int, errors: _Errors) -> Procedure | None:
    before = errors.count
    if not isinstance(raw, Mapping):
        errors.add(path, f"Thủ tục thứ {index + 1} phải là một đối tượng JSON.")
        return None
    code_raw = raw.get("code")
    who = f"Thủ tục thứ {index + 1}"
    if isinstance(code_raw, str) and CODE_PATTERN.match(code_raw.strip()):
        who += f" ({code_raw.strip()})"
    for key in sorted(map(str, set(raw) - _PROCEDURE_KEYS)):
        errors.add(f"{path}.{shown(key)}", f"{who}: mục lạ «{shown(key)}».")
    for key in _PROCEDURE_REQUIRED:
        if key not in raw:
            errors.add(f"{path}.{key}", f"{who}: thiếu mục {key!r}.")
    if errors.count > before:
        return None

    code = _text(raw["code"], f"{path}.code", who, "mã thủ tục", errors, TAG_MAX)
    if code and not CODE_PATTERN.match(code):
        errors.add(
            f"{path}.code",
            f"{who}: mã thủ tục phải có dạng 1 chữ số, dấu chấm, 6 chữ số (ví dụ 1.001193).",
        )
    name = _text(raw["name"], f"{path}.name", who, "tên thủ tục", errors, NAME_MAX)
    field_name = _text(raw["field"], f"{path}.field", who, "lĩnh vực", errors, FIELD_MAX)
    limit = _parse_limit(raw["limit"], f"{path}.limit", who, errors)
    fee_amount = _count(raw.get("fee", 0), f"{path}.fee", who, "lệ phí", errors, MAX_FEE)
    fee_text = _optional_text(raw, "fee_text", path, who, "ghi chú lệ phí", errors, TEXT_MAX)
    documents = _parse_documents(raw["documents"], f"{path}.documents", who, errors)
    counted = errors.count
    sets = _count(raw.get("sets", 1), f"{path}.sets", who, "số bộ hồ sơ", errors, MAX_PAPER_COUNT)
    if sets == 0 and errors.count == counted:  # not when already refused as too large
        errors.add(f"{path}.sets", f"{who}: số bộ hồ sơ phải từ 1 trở lên.")
    agency = _optional_text(raw, "deciding_agency", path, who, "cơ quan giải quyết", errors, AGENCY_MAX)
    required_fields = _parse_required_fields(
        raw.get("required_fields", ["name", "id_number"]), f"{path}.required_fields", who, errors
    )
    source = _optional_text(raw, "source", path, who, "nguồn", errors, TAG_MAX)
    confidence = _optional_text(raw, "confidence", path, who, "độ tin cậy", errors, TAG_MAX)
    note = _optional_text(raw, "note", path, who, "ghi chú", errors, TEXT_MAX)
    if errors.count > before or limit is None:
        return None
    proc = Procedure(
        code=code,
        name=name,
        field=field_name,
        limit=limit,
        fee=Fee(amount=fee_amount, text=fee_text),
        documents=documents,
        sets=sets,
        deciding_agency=agency,
        required_fields=required_fields,
        source=source,
        confidence=confidence,
        note=note,
    )
    if "processing_days" in raw:
        days = raw["processing_days"]
        # Compared as numbers, never through float(): 10**400 would overflow the conversion.
        if not _is_number(days) or days != proc.processing_days:
            given = _number_text(days) if _is_number(days) else json_kind(days)
            errors.add(
                f"{path}.processing_days",
                f"{who}: processing_days ({given}) không khớp thời hạn "
                f"({_number(proc.processing_days)} ngày).",
            )
            return None
    return proc


def _parse_limit(raw: Any, path: str, who: str, errors: _Errors) -> TimeLimit | None:
    if not isinstance(raw, Mapping):
        errors.add(path, f"{who}: thời hạn (limit) phải là đối tượng có unit, amount, cutoff.")
        return None
    before = errors.count
    for key in sorted(map(str, set(raw) - _LIMIT_KEYS)):
        errors.add(f"{path}.{shown(key)}", f"{who}: thời hạn có mục lạ «{shown(key)}».")
    unit = raw.get("unit")
    if not isinstance(unit, str) or unit not in _UNITS:
        given = f"«{shown(unit)}»" if isinstance(unit, str) else json_kind(unit)
        errors.add(
            f"{path}.unit",
            f"{who}: đơn vị thời hạn {given} không hợp lệ; dùng working_days (ngày làm việc), "
            "calendar_days (ngày) hoặc same_day (trong ngày).",
        )
    amount = raw.get("amount", 0)
    longest = MAX_CALENDAR_DAYS if unit == "calendar_days" else MAX_WORKING_DAYS
    # No float() or math.isfinite() before the bound: a 400-digit integer would overflow them.
    if not _is_number(amount) or amount != amount or amount < 0:  # amount != amount: NaN
        errors.add(f"{path}.amount", f"{who}: số ngày của thời hạn phải là số không âm.")
    elif unit in ("working_days", "calendar_days") and amount > longest:
        days = "ngày" if unit == "calendar_days" else "ngày làm việc"
        errors.add(
            f"{path}.amount",
            f"{who}: thời hạn dài nhất là {longest} {days}; kiểm tra lại số ngày ({_number_text(amount)}).",
        )
    elif unit == "calendar_days" and not float(amount).is_integer():
        errors.add(f"{path}.amount", f"{who}: thời hạn tính theo ngày phải là số nguyên.")
    elif unit == "working_days" and not _whole_working_hours(amount):
        # Legal texts give "02 ngày làm việc", "04 giờ làm việc" or, cut by a province, "1,5 ngày
        # làm việc" (Hải Phòng): always a whole number of working hours.
        errors.add(
            f"{path}.amount",
            f"{who}: thời hạn phải là số giờ làm việc tròn ({_number_text(amount)} ngày không hợp lệ): "
            f"1 giờ = 1/{HOURS_PER_WORKING_DAY} ngày, ví dụ 0.5 là 4 giờ, 1.5 là 12 giờ.",
        )
    elif unit == "same_day" and amount != 0:
        errors.add(f"{path}.amount", f"{who}: thủ tục trong ngày không có số ngày (amount = 0).")
    elif unit in ("working_days", "calendar_days") and amount == 0:
        errors.add(
            f"{path}.amount",
            f"{who}: thời hạn {unit} phải lớn hơn 0; thủ tục trả trong ngày dùng same_day.",
        )
    cutoff_raw = raw.get("cutoff")
    cutoff: time | None = None
    if cutoff_raw is not None:
        match = _CUTOFF.match(cutoff_raw) if isinstance(cutoff_raw, str) else None
        if match is None:
            errors.add(f"{path}.cutoff", f"{who}: giờ tiếp nhận cuối (cutoff) phải có dạng HH:MM.")
        else:
            cutoff = time(int(match.group(1)), int(match.group(2)))
    if errors.count > before:
        return None
    try:
        return TimeLimit(unit=cast(Unit, unit), amount=amount, cutoff=cutoff)
    except ValueError as exc:  # TimeLimit has the last word on what a limit may be.
        errors.add(path, f"{who}: thời hạn không hợp lệ ({exc}).")
        return None


def _whole_working_hours(amount: float) -> bool:
    return float(amount * HOURS_PER_WORKING_DAY).is_integer()


def _parse_documents(raw: Any, path: str, who: str, errors: _Errors) -> tuple[DocumentSpec, ...]:
    if not isinstance(raw, list) or not raw:
        errors.add(path, f"{who}: phải có danh sách thành phần hồ sơ (documents) không rỗng.")
        return ()
    if len(raw) > MAX_DOCUMENTS:
        errors.add(path, f"{who}: có {len(raw)} giấy tờ; tối đa {MAX_DOCUMENTS} giấy tờ.")
        return ()
    docs = []
    for i, item in enumerate(raw):
        p = f"{path}[{i}]"
        label = f"{who}, giấy tờ thứ {i + 1}"
        if not isinstance(item, Mapping):
            errors.add(p, f"{label}: phải là đối tượng có name, originals, certified, copies.")
            continue
        for key in sorted(map(str, set(item) - _DOCUMENT_KEYS)):
            errors.add(f"{p}.{shown(key)}", f"{label}: mục lạ «{shown(key)}».")
        name = _text(item.get("name"), f"{p}.name", label, "tên giấy tờ", errors, DOCUMENT_NAME_MAX)
        originals = _count(
            item.get("originals", 0), f"{p}.originals", label, "số bản chính", errors, MAX_PAPER_COUNT
        )
        certified = _count(
            item.get("certified", 0), f"{p}.certified", label, "số bản chứng thực", errors, MAX_PAPER_COUNT
        )
        copies = _count(item.get("copies", 0), f"{p}.copies", label, "số bản photo", errors, MAX_PAPER_COUNT)
        required = item.get("required", True)
        if not isinstance(required, bool):
            errors.add(f"{p}.required", f"{label}: required phải là true hoặc false.")
            required = True
        note = _optional_text(item, "note", p, label, "ghi chú", errors, TEXT_MAX)
        docs.append(DocumentSpec(name, originals, certified, copies, required, note))
    return tuple(docs)


def _parse_required_fields(raw: Any, path: str, who: str, errors: _Errors) -> tuple[str, ...]:
    if (
        not isinstance(raw, list)
        or len(raw) > len(PARTY_FIELDS)
        or not all(isinstance(f, str) and _FIELD_NAME.match(f) and len(f) <= TAG_MAX for f in raw)
    ):
        errors.add(path, f'{who}: required_fields phải là danh sách tên trường, ví dụ ["name"].')
        return ()
    if len(set(raw)) != len(raw):
        errors.add(path, f"{who}: required_fields có tên trường bị lặp.")
    unknown = [f for f in raw if f not in PARTY_FIELDS]
    if unknown:
        # A field the intake does not have could never be asked for: say so rather than ignore it.
        errors.add(
            path,
            f"{who}: required_fields có trường lạ {', '.join(unknown)}; chỉ dùng: {', '.join(PARTY_FIELDS)}.",
        )
    return tuple(raw)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _count(value: Any, path: str, who: str, what: str, errors: _Errors, largest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        given = _number_text(value) if _is_number(value) else json_kind(value)
        errors.add(path, f"{who}: {what} phải là số nguyên không âm (nhận được {given}).")
        return 0
    if value > largest:
        errors.add(
            path,
            f"{who}: {what} tối đa là {thousands(largest)} (nhận được {_number_text(value)}).",
        )
        return 0
    return value


def _number_text(value: float) -> str:
    """A number from a file, for a message: never through str() or float() when it is huge (a
    400-digit integer overflows float and str() refuses more than 4300 digits)."""
    if isinstance(value, int) and abs(value) >= 10**12:
        return "số quá lớn"
    return f"{value:g}".replace(".", ",") if isinstance(value, float) else str(value)


def _text(
    value: Any, path: str, who: str, what: str, errors: _Errors, max_len: int, required: bool = True
) -> str:
    if not isinstance(value, str):
        if value is None and not required:
            return ""
        errors.add(path, f"{who}: {what} phải là chuỗi ký tự, không phải {json_kind(value)}.")
        return ""
    cleaned = clean(value)
    bad = first_nonchar(cleaned)
    if bad is not None:
        errors.add(path, f"{who}: {what} có ký tự không hợp lệ (mã U+{ord(bad):04X}, không phải chữ).")
        return ""
    if has_control_chars(cleaned):
        errors.add(path, f"{who}: {what} có ký tự điều khiển hoặc ký tự ẩn.")
    elif required and not cleaned:
        errors.add(path, f"{who}: thiếu {what}.")
    elif len(cleaned) > max_len:
        errors.add(path, f"{who}: {what} dài {len(cleaned)} ký tự, tối đa {max_len} ký tự.")
    return cleaned


def _optional_text(
    raw: Mapping[str, Any], key: str, path: str, who: str, what: str, errors: _Errors, max_len: int
) -> str:
    return _text(raw.get(key, ""), f"{path}.{key}", who, what, errors, max_len, required=False)


def _read_default_catalog() -> Any:
    resource = importlib.resources.files("counter_app.data").joinpath("procedures.json")
    try:
        return json.loads(resource.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValidationError(
            FieldError("procedures.json", f"Tệp danh mục thủ tục bị hỏng (dòng {exc.lineno}).")
        ) from exc


def default_catalog_version() -> str:
    """The version of the catalog shipped with the program, without checking its entries.

    A start only needs this to see whether the stored catalog is older; checking every entry of
    the shipped file (:func:`load_default_catalog`) is left for when it is loaded.
    """
    data = _read_default_catalog()
    version = data.get("version") if isinstance(data, dict) else None
    return version.strip() if isinstance(version, str) else ""


@functools.cache
def load_default_catalog() -> Catalog:
    """Load the catalog shipped with the program (``counter_app/data/procedures.json``).

    Read once per process; the result is immutable.

    Returns:
        The default catalog.

    Raises:
        ValidationError: If the packaged file is damaged (a build error, not a user error).
    """
    return parse_catalog(_read_default_catalog())
