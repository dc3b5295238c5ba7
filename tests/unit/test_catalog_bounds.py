"""A catalog file is checked against bounds a real procedure never reaches: its shape, how many
procedures, how long a limit, how long a text, how many papers, how large a count or a fee.

A hostile or broken file must give a ValidationError naming the place, never a crash, and never
reach the due-date arithmetic (10^9 working days overflow it) or the receipt.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest

from counter_app.desk import Desk
from counter_app.domain.errors import ValidationError
from counter_app.domain.procedures import (
    DOCUMENT_NAME_MAX,
    MAX_CALENDAR_DAYS,
    MAX_DOCUMENTS,
    MAX_FEE,
    MAX_PAPER_COUNT,
    MAX_PROCEDURES,
    MAX_REPORTED_ERRORS,
    MAX_WORKING_DAYS,
    NAME_MAX,
    load_default_catalog,
    parse_catalog,
)
from tests.conftest import intake


def catalog(**overrides: Any) -> dict[str, Any]:
    """A valid one-procedure catalog; ``overrides`` replace keys of the procedure."""
    proc: dict[str, Any] = {
        "code": "1.004873",
        "name": "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        "field": "Hộ tịch",
        "limit": {"unit": "working_days", "amount": 3},
        "fee": 0,
        "fee_text": "Miễn lệ phí",
        "documents": [{"name": "Tờ khai", "originals": 1}],
    }
    proc.update(overrides)
    return {"version": "9999.1", "procedures": [proc]}


def problems(data: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        parse_catalog(data)
    for e in info.value.errors:
        e.message.encode("utf-8")  # printable, whatever the file held
        e.field.encode("utf-8")
    return {e.field: e.message for e in info.value.errors}


@pytest.mark.parametrize("top", [[1, 2], [], [{"version": "1", "procedures": []}], "danh mục", 5, None])
def test_a_catalog_that_is_not_an_object_is_refused(top: Any) -> None:
    [message] = problems(top).values()
    assert "{version, procedures}" in message


def test_importing_a_list_through_the_desk_changes_nothing(desk: Desk) -> None:
    before = desk.catalog
    with pytest.raises(ValidationError, match="version, procedures"):
        desk.import_catalog([{"code": "1.004873"}])
    assert desk.catalog is before


@pytest.mark.parametrize(
    ("limit", "said"),
    [
        ({"unit": "working_days", "amount": 10**9}, f"{MAX_WORKING_DAYS} ngày làm việc"),
        ({"unit": "calendar_days", "amount": 10**9}, f"{MAX_CALENDAR_DAYS} ngày"),
        ({"unit": "working_days", "amount": 100_000}, f"{MAX_WORKING_DAYS} ngày làm việc"),
        ({"unit": "working_days", "amount": MAX_WORKING_DAYS + 1}, "dài nhất"),
        ({"unit": "calendar_days", "amount": MAX_CALENDAR_DAYS + 1}, "dài nhất"),
        ({"unit": "working_days", "amount": 10**400}, "dài nhất"),
        ({"unit": "working_days", "amount": float("inf")}, "dài nhất"),
        ({"unit": "working_days", "amount": float("nan")}, "không âm"),
        ({"unit": "working_days", "amount": 2.3}, "số giờ làm việc tròn"),
        ({"unit": "working_days", "amount": 1.0625}, "số giờ làm việc tròn"),  # 8,5 giờ
        ({"unit": "working_days", "amount": 0.3}, "giờ"),
        ({"unit": ["working_days"], "amount": 3}, "không hợp lệ"),
    ],
)
def test_an_absurd_time_limit_is_refused(limit: dict[str, Any], said: str) -> None:
    found = problems(catalog(limit=limit))
    assert any(path.startswith("procedures[0].limit") for path in found)
    assert said in " | ".join(found.values())


@pytest.mark.parametrize(
    "limit",
    [
        {"unit": "working_days", "amount": MAX_WORKING_DAYS},
        {"unit": "calendar_days", "amount": MAX_CALENDAR_DAYS},
        {"unit": "working_days", "amount": 0.5},  # 04 giờ làm việc
        {"unit": "working_days", "amount": 0.125},  # 01 giờ làm việc
        {"unit": "working_days", "amount": 1.5},  # 1,5 ngày làm việc (Hải Phòng, after its cut)
        {"unit": "working_days", "amount": 2.5},
        {"unit": "working_days", "amount": 20},
    ],
)
def test_a_real_time_limit_is_kept(limit: dict[str, Any]) -> None:
    assert parse_catalog(catalog(limit=limit)).get("1.004873").limit.amount == limit["amount"]


def test_the_longest_limit_still_gives_a_due_date(desk: Desk) -> None:
    desk.import_catalog(catalog(limit={"unit": "working_days", "amount": MAX_WORKING_DAYS}))
    assert desk.receive(intake(), "Nguyễn Văn Cán").due_at.year == 2027


def test_a_processing_days_that_overflows_float_is_refused_not_crashed_on() -> None:
    message = problems(catalog(processing_days=10**400))["procedures[0].processing_days"]
    assert "số quá lớn" in message


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"name": "x" * 100_000}, "procedures[0].name"),
        ({"name": "x" * (NAME_MAX + 1)}, "procedures[0].name"),
        ({"field": "Hộ tịch " * 100}, "procedures[0].field"),
        ({"fee_text": "x" * 5_000}, "procedures[0].fee_text"),
        ({"deciding_agency": "x" * 1_000}, "procedures[0].deciding_agency"),
        ({"note": "x" * 50_000}, "procedures[0].note"),
        ({"source": "x" * 1_000}, "procedures[0].source"),
        (
            {"documents": [{"name": "x" * (DOCUMENT_NAME_MAX + 1), "originals": 1}]},
            "procedures[0].documents[0].name",
        ),
        ({"documents": [{"name": "Tờ khai", "note": "x" * 10_000}]}, "procedures[0].documents[0].note"),
    ],
)
def test_overlong_text_is_refused_with_its_length(change: dict[str, Any], path: str) -> None:
    assert "tối đa" in problems(catalog(**change))[path]


@pytest.mark.parametrize("version", ["bản-1", "2026 11", "1\nX-Evil: 1", ".1"])
def test_a_version_that_cannot_go_back_to_the_hub_in_a_header_is_refused(version: str) -> None:
    data = catalog()
    data["version"] = version
    assert "chữ số, chữ cái không dấu" in problems(data)["version"]


def test_overlong_version_is_refused() -> None:
    data = catalog()
    data["version"] = "1." * 1_000
    assert "tối đa" in problems(data)["version"]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"fee": 10**15}, "procedures[0].fee"),
        ({"fee": MAX_FEE + 1}, "procedures[0].fee"),
        ({"sets": 10**6}, "procedures[0].sets"),
        (
            {"documents": [{"name": "Tờ khai", "copies": MAX_PAPER_COUNT + 1}]},
            "procedures[0].documents[0].copies",
        ),
        ({"documents": [{"name": "Tờ khai", "originals": 10**5000}]}, "procedures[0].documents[0].originals"),
    ],
)
def test_too_large_counts_and_fees_are_refused(change: dict[str, Any], path: str) -> None:
    assert "tối đa" in problems(catalog(**change))[path]


def test_too_many_papers_or_procedures_are_refused() -> None:
    papers = [{"name": f"Giấy tờ {i}", "originals": 1} for i in range(MAX_DOCUMENTS + 1)]
    assert str(MAX_DOCUMENTS) in problems(catalog(documents=papers))["procedures[0].documents"]
    one = catalog()["procedures"][0]
    many = [dict(one, code=f"1.{i:06d}") for i in range(MAX_PROCEDURES + 1)]
    assert str(MAX_PROCEDURES) in problems({"version": "1", "procedures": many})["procedures"]
    assert len(parse_catalog({"version": "1", "procedures": many[:MAX_PROCEDURES]})) == MAX_PROCEDURES


def test_too_many_required_fields_are_refused() -> None:
    assert (
        "required_fields"
        in problems(catalog(required_fields=["name"] * 1_000))["procedures[0].required_fields"]
    )


def test_control_characters_non_characters_and_duplicates_are_refused() -> None:
    found = problems(catalog(name="Khai\u0007sinh"))
    assert "ký tự điều khiển" in found["procedures[0].name"]
    found = problems(catalog(name="Khai\ud800sinh"))
    assert "U+D800" in found["procedures[0].name"]
    data = catalog()
    data["procedures"].append(dict(data["procedures"][0]))
    assert "bị trùng" in problems(data)["procedures[1].code"]


def test_a_hostile_key_is_shown_escaped_and_short() -> None:
    found = problems(catalog(**{"\ud800" + "x" * 10_000: 1}))
    [(path, message)] = found.items()
    assert "\\ud800" in message and len(message) < 200 and len(path) < 100


def test_a_file_full_of_mistakes_lists_a_bounded_number_of_them() -> None:
    one = catalog()["procedures"][0]
    bad = [dict(one, code=f"1.{i:06d}", name="", field="", fee=-1) for i in range(500)]
    with pytest.raises(ValidationError) as info:
        parse_catalog({"version": "1", "procedures": bad})
    errors = info.value.errors
    assert len(errors) == MAX_REPORTED_ERRORS + 1
    assert errors[-1].message == f"… và {1500 - MAX_REPORTED_ERRORS} lỗi khác."


def test_the_shipped_catalog_is_inside_every_bound() -> None:
    shipped = json.loads(files("counter_app.data").joinpath("procedures.json").read_text(encoding="utf-8"))
    assert parse_catalog(shipped) == load_default_catalog()


def test_a_stored_catalog_now_out_of_bounds_does_not_stop_the_counter(make_desk: Any, db_path: Any) -> None:
    desk = make_desk()
    old = catalog(limit={"unit": "working_days", "amount": 10**9}, processing_days=10**9)
    desk.store.replace_catalog("9999.1", old["procedures"])  # as an older program accepted it
    desk.close()
    again = make_desk()
    assert again.catalog == load_default_catalog()
    assert again.store.stored_catalog()[0] == "9999.1"  # kept, not overwritten
    assert again.receive(intake(), "Nguyễn Văn Cán").status == 2
