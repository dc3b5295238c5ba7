"""Tests for counter_app.domain.procedures: the seeded catalog, strict parsing and search."""

from __future__ import annotations

import copy
import json
import re
from datetime import time
from importlib.resources import files
from typing import Any

import pytest

from counter_app.domain.calendar import TimeLimit
from counter_app.domain.errors import NotFoundError, ValidationError
from counter_app.domain.procedures import (
    Catalog,
    DocumentSpec,
    Fee,
    Procedure,
    catalog_to_json,
    default_catalog_version,
    load_default_catalog,
    parse_catalog,
)

FIELDS = {
    "Hộ tịch",
    "Chứng thực",
    "Nuôi con nuôi",
    "Cư trú",
    "Hộ kinh doanh",
    "Đất đai",
    "Giảm nghèo",
    "Bảo trợ xã hội",
    "Hòa giải ở cơ sở",
    "Hoạt động xây dựng",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_default_catalog()


def test_the_shipped_version_read_alone_is_the_loaded_catalogs(catalog: Catalog) -> None:
    # A start compares this version with the stored catalog's without checking every entry.
    assert default_catalog_version() == catalog.version != ""


def minimal(**overrides: Any) -> dict[str, Any]:
    """A valid one-procedure catalog in JSON form; ``overrides`` replace procedure keys."""
    proc: dict[str, Any] = {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": "Hộ tịch",
        "limit": {"unit": "same_day", "amount": 0, "cutoff": "15:00"},
        "fee": 0,
        "fee_text": "Miễn lệ phí",
        "documents": [{"name": "Tờ khai đăng ký khai sinh", "originals": 1}],
    }
    proc.update(overrides)
    return {"version": "test.1", "procedures": [proc]}


def messages(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " | ".join(f"{e.field}: {e.message}" for e in exc.value.errors)


# --- the seeded catalog ----------------------------------------------------------------------


def test_default_catalog_loads(catalog: Catalog) -> None:
    assert catalog.version == "2026.11.1"
    assert len(catalog) >= 30
    assert len(list(catalog)) == len(catalog)


def test_default_codes_unique_and_well_formed(catalog: Catalog) -> None:
    codes = [p.code for p in catalog]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"\d\.\d{6}", code), code


def test_default_catalog_fields(catalog: Catalog) -> None:
    assert set(catalog.fields()) == FIELDS
    assert catalog.fields()[0] == "Hộ tịch"
    assert len(catalog.fields()) == len(set(catalog.fields()))


def test_default_catalog_content_is_sane(catalog: Catalog) -> None:
    for p in catalog:
        assert p.name and p.field and p.documents, p.code
        assert p.source and p.confidence, p.code
        assert p.sets >= 1
        assert p.fee.amount >= 0
        assert p.fee.text, p.code
        assert "name" in p.required_fields
        for d in p.documents:
            assert d.originals >= 0 and d.certified >= 0 and d.copies >= 0


def test_default_catalog_key_facts(catalog: Catalog) -> None:
    birth = catalog.get("1.001193")
    assert birth.name == "Thủ tục đăng ký khai sinh"
    assert birth.limit == TimeLimit("same_day", 0, time(15, 0))
    assert birth.processing_days == 0
    assert birth.deciding_agency == "Ủy ban nhân dân cấp xã"

    copy_extract = catalog.get("2.000635")
    assert copy_extract.fee.amount == 8000
    assert "8.000 đồng/bản sao" in copy_extract.fee.text

    residence = catalog.get("1.004222")
    assert residence.field == "Cư trú"
    assert residence.deciding_agency == "Công an cấp xã"
    assert residence.limit.unit == "working_days"
    assert residence.processing_days == 7

    mediation = catalog.get("1.012812")
    assert mediation.limit == TimeLimit("calendar_days", 40)
    assert "trực tiếp" in mediation.note

    adoption = catalog.get("2.001263")
    assert adoption.fee.amount == 400000


def test_default_catalog_skips_unconfirmed_rows(catalog: Catalog) -> None:
    # PROCEDURES.md gives no time for these: they must not be seeded with an invented limit.
    for code in ("1.001776", "1.001699", "1.014027", "1.010803", "1.003622", "2.000806"):
        assert code not in catalog


def test_packaged_file_is_in_canonical_form(catalog: Catalog) -> None:
    text = files("counter_app.data").joinpath("procedures.json").read_text(encoding="utf-8")
    assert json.loads(text) == catalog_to_json(catalog)


def test_round_trip(catalog: Catalog) -> None:
    data = catalog_to_json(catalog)
    assert parse_catalog(data) == catalog
    # Through real JSON text as well.
    assert parse_catalog(json.loads(json.dumps(data, ensure_ascii=False))) == catalog


def test_to_json_shape(catalog: Catalog) -> None:
    d = catalog.get("1.001193").to_json()
    for key in (
        "code",
        "name",
        "field",
        "processing_days",
        "fee",
        "fee_text",
        "limit",
        "documents",
        "sets",
        "deciding_agency",
    ):
        assert key in d
    assert d["limit"] == {"unit": "same_day", "amount": 0, "cutoff": "15:00"}
    assert isinstance(d["fee"], int)
    assert d["documents"][0] == {
        "name": "Tờ khai đăng ký khai sinh",
        "originals": 1,
        "certified": 0,
        "copies": 0,
        "required": True,
        "note": "Hoặc biểu mẫu điện tử tương tác khi nộp trực tuyến",
    }
    assert catalog.get("1.004873").to_json()["limit"]["cutoff"] is None


# --- Catalog behaviour -----------------------------------------------------------------------


def test_get_unknown_code_raises_not_found(catalog: Catalog) -> None:
    with pytest.raises(NotFoundError) as exc:
        catalog.get("9.999999")
    assert "9.999999" in exc.value.message
    assert "Không có thủ tục" in exc.value.message
    assert catalog.get(" 1.001193 ").code == "1.001193"


@pytest.mark.parametrize("typed", ["1004873", "1,004873", "1.00487", "l.004873"])
def test_a_mistyped_code_is_shown_as_typed(catalog: Catalog, typed: str) -> None:
    """The official must see the slip (the dot left out, a comma, an l for a 1): it was masked as if
    it were an ID number ('***4873'). An ID number or a phone pasted there still is."""
    with pytest.raises(NotFoundError) as exc:
        catalog.get(typed)
    assert repr(typed) in exc.value.message
    for pasted in ("031190001234", "0912345678", "cccd 031190001234"):
        with pytest.raises(NotFoundError) as exc:
            catalog.get(pasted)
        assert "001234" not in exc.value.message and "345678" not in exc.value.message


def test_processing_days_fractional() -> None:
    p = Procedure(
        code="1.004873",
        name="x",
        field="Hộ tịch",
        limit=TimeLimit("working_days", 1.5),
        fee=Fee(),
        documents=(DocumentSpec("Tờ khai", originals=1),),
    )
    assert p.processing_days == 1.5
    assert p.to_json()["processing_days"] == 1.5


def test_catalog_rejects_duplicate_codes_directly() -> None:
    p = parse_catalog(minimal()).get("1.001193")
    with pytest.raises(ValidationError):
        Catalog("v", (p, p))


# --- search ----------------------------------------------------------------------------------


def test_search_khai_sinh(catalog: Catalog) -> None:
    results = catalog.search("khai sinh")
    codes = [p.code for p in results]
    assert codes[0] == "1.001193"
    assert {"1.004884", "2.000528", "1.000689", "2.000986"} <= set(codes)
    assert all("khai sinh" in p.name.lower() for p in results)


@pytest.mark.parametrize("query", ["khai tu", "khai tử", "Khai Tử"])
def test_search_khai_tu_puts_registration_before_re_registration(catalog: Catalog, query: str) -> None:
    # "Thủ tục " opens many names and says nothing: "Đăng ký lại khai tử" came first for being shorter.
    names = [p.name for p in catalog.search(query)]
    assert names[:2] == ["Thủ tục đăng ký khai tử", "Đăng ký lại khai tử"]


def test_search_is_diacritic_and_case_insensitive(catalog: Catalog) -> None:
    assert catalog.search("KHAI SINH") == catalog.search("khai sinh")
    assert catalog.search("Khai Sinh") == catalog.search("khai sinh")
    assert catalog.search("đất đai")[0].field == "Đất đai"


def test_search_chung_thuc(catalog: Catalog) -> None:
    results = catalog.search("chung thuc")
    assert len(results) >= 7
    assert {p.field for p in results[:7]} == {"Chứng thực"}


def test_search_code_prefix(catalog: Catalog) -> None:
    assert [p.code for p in catalog.search("1.0011")] == ["1.001193"]
    results = catalog.search("1.001")
    assert results
    assert all(p.code.startswith("1.001") for p in results)
    assert [p.code for p in results] == sorted(p.code for p in results)
    # Without the dot, as a scanner or a hurried official might type it.
    assert catalog.search("1001193")[0].code == "1.001193"


@pytest.mark.parametrize("tail", [4, 5, 6])
def test_the_last_digits_of_a_code_find_it_first(catalog: Catalog, tail: int) -> None:
    """The picker's hint asks for the last digits of a code ("4873"). "10041", the end of
    1.010041, is also the start of 1.004194 without its dot: that one was chosen."""
    assert catalog.search("10041")[0].code == "1.010041"
    for procedure in catalog:
        digits = procedure.code.replace(".", "")[-tail:]
        first = catalog.search(digits)[0]
        assert first.code.replace(".", "").endswith(digits), (digits, first.code)
        if sum(p.code.replace(".", "").endswith(digits) for p in catalog) == 1:
            assert first is procedure


def test_search_word_prefixes(catalog: Catalog) -> None:
    assert catalog.search("thuong tr")[0].code == "1.004222"
    assert catalog.search("ho kinh d")[0].field == "Hộ kinh doanh"
    assert catalog.search("giay phep xay")[0].code == "1.013225"


def test_search_ranks_word_prefix_before_substring(catalog: Catalog) -> None:
    # "inh" is inside "sinh" and "kinh" but starts no word: substring matches only.
    sub = catalog.search("inh", limit=100)
    assert sub
    prefix_first = catalog.search("sinh", limit=100)
    assert prefix_first[0].code == "1.001193"


def test_search_empty_and_limits(catalog: Catalog) -> None:
    assert catalog.search("") == list(catalog)[:20]
    assert catalog.search("  *  ", limit=3) == list(catalog)[:3]
    assert catalog.search("khai", limit=2) == catalog.search("khai")[:2]
    assert catalog.search("khai", limit=0) == []
    assert catalog.search("zzzz không có") == []


@pytest.mark.parametrize("q", ['"', "NEAR(", "*", "1.", "..", "-", "đ"])
def test_search_odd_queries_do_not_raise(catalog: Catalog, q: str) -> None:
    catalog.search(q)


# --- strict parsing --------------------------------------------------------------------------


def test_minimal_catalog_parses_with_defaults() -> None:
    c = parse_catalog(minimal())
    p = c.get("1.001193")
    assert p.sets == 1
    assert p.required_fields == ("name", "id_number")
    assert p.documents == (DocumentSpec("Tờ khai đăng ký khai sinh", originals=1),)
    assert p.fee == Fee(0, "Miễn lệ phí")


def test_text_is_normalised() -> None:
    c = parse_catalog(minimal(name="  Thủ tục   đăng ký khai sinh "))
    assert c.get("1.001193").name == "Thủ tục đăng ký khai sinh"


@pytest.mark.parametrize(
    ("overrides", "path", "fragment"),
    [
        ({"code": "1.00119"}, "procedures[0].code", "6 chữ số"),
        ({"code": "A.001193"}, "procedures[0].code", "6 chữ số"),
        ({"name": ""}, "procedures[0].name", "thiếu tên thủ tục"),
        ({"name": "Khai\u202esinh"}, "procedures[0].name", "ký tự điều khiển"),
        ({"field": 3}, "procedures[0].field", "chuỗi"),
        ({"fee": -1}, "procedures[0].fee", "không âm"),
        ({"fee": 1.5}, "procedures[0].fee", "số nguyên"),
        ({"fee": True}, "procedures[0].fee", "số nguyên"),
        ({"sets": 0}, "procedures[0].sets", "từ 1"),
        ({"limit": {"unit": "weeks", "amount": 2}}, "procedures[0].limit.unit", "weeks"),
        (
            {"limit": {"unit": "working_days", "amount": -3}},
            "procedures[0].limit.amount",
            "không âm",
        ),
        (
            {"limit": {"unit": "working_days", "amount": 0}},
            "procedures[0].limit.amount",
            "same_day",
        ),
        ({"limit": {"unit": "working_days", "amount": "3"}}, "procedures[0].limit.amount", "số"),
        (
            {"limit": {"unit": "calendar_days", "amount": 2.5}},
            "procedures[0].limit.amount",
            "nguyên",
        ),
        ({"limit": {"unit": "same_day", "amount": 1}}, "procedures[0].limit.amount", "amount = 0"),
        ({"limit": {"unit": "same_day", "cutoff": "25:00"}}, "procedures[0].limit.cutoff", "HH:MM"),
        ({"limit": {"unit": "same_day", "cutoff": "3pm"}}, "procedures[0].limit.cutoff", "HH:MM"),
        ({"limit": {"unit": "same_day", "days": 1}}, "procedures[0].limit.days", "mục lạ"),
        ({"limit": "3 ngày"}, "procedures[0].limit", "thời hạn"),
        ({"documents": []}, "procedures[0].documents", "thành phần hồ sơ"),
        (
            {"documents": [{"name": "Tờ khai", "copies": -1}]},
            "procedures[0].documents[0].copies",
            "",
        ),
        ({"documents": [{"originals": 1}]}, "procedures[0].documents[0].name", "tên giấy tờ"),
        (
            {"documents": [{"name": "x", "required": "yes"}]},
            "procedures[0].documents[0].required",
            "",
        ),
        ({"documents": [{"name": "x", "pages": 2}]}, "procedures[0].documents[0].pages", "mục lạ"),
        ({"documents": ["Tờ khai"]}, "procedures[0].documents[0]", "đối tượng"),
        ({"required_fields": ["Name!"]}, "procedures[0].required_fields", "tên trường"),
        ({"required_fields": ["name", "name"]}, "procedures[0].required_fields", "lặp"),
        ({"required_fields": ["name", "shoe_size"]}, "procedures[0].required_fields", "trường lạ shoe_size"),
        ({"processing_days": 3}, "procedures[0].processing_days", "không khớp"),
        ({"colour": "red"}, "procedures[0].colour", "mục lạ"),
    ],
)
def test_bad_entries_rejected_with_clear_messages(
    overrides: dict[str, Any], path: str, fragment: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_catalog(minimal(**overrides))
    fields = [e.field for e in exc.value.errors]
    assert path in fields, messages(exc)
    message = exc.value.for_field(path)[0]
    assert fragment in message, message
    # Every message names the procedure so the official can find it in the file.
    assert "Thủ tục thứ 1" in message


def test_missing_required_key_rejected() -> None:
    data = minimal()
    del data["procedures"][0]["limit"]
    with pytest.raises(ValidationError) as exc:
        parse_catalog(data)
    assert exc.value.for_field("procedures[0].limit") == ["Thủ tục thứ 1 (1.001193): thiếu mục 'limit'."]


def test_duplicate_codes_rejected() -> None:
    data = minimal()
    data["procedures"].append(copy.deepcopy(data["procedures"][0]))
    with pytest.raises(ValidationError) as exc:
        parse_catalog(data)
    assert exc.value.for_field("procedures[1].code") == [
        "Mã thủ tục 1.001193 bị trùng (thủ tục thứ 1 và thứ 2)."
    ]


def test_all_problems_reported_at_once() -> None:
    data = minimal(code="bad", fee=-5)
    data["procedures"].append({"code": "2.000635"})
    with pytest.raises(ValidationError) as exc:
        parse_catalog(data)
    fields = {e.field for e in exc.value.errors}
    assert {"procedures[0].code", "procedures[0].fee", "procedures[1].name"} <= fields
    assert exc.value.title == "Danh mục thủ tục không hợp lệ"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"version": "1"},
        {"version": "1", "procedures": []},
        {"version": "", "procedures": minimal()["procedures"]},
        {"version": "1", "procedures": {"1.001193": {}}},
        {"version": "1", "procedures": [None]},
        {**minimal(), "extra": 1},
    ],
)
def test_bad_catalog_shapes_rejected(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_catalog(data)
    assert exc.value.errors
    assert all(e.message for e in exc.value.errors)


def test_non_mapping_rejected() -> None:
    with pytest.raises(ValidationError):
        parse_catalog([])  # type: ignore[arg-type]
