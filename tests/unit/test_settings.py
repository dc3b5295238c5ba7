"""One validation of every setting, whatever its source (stored, environment, a change), and the
rules of a change: names derived again with the commune, a commune and counter kept once dossiers
exist. Pure functions: no database, no terminal."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from counter_app.domain.codes import make_code
from counter_app.domain.errors import ConfigError, ValidationError
from counter_app.settings import (
    LABELS,
    SET_UP_FOR,
    Settings,
    change_settings,
    check_identity_change,
    env_name,
    inspect_settings,
    load_settings,
    validate,
)

VINH_BAO = change_settings(
    Settings(), {"commune_code": "11410", "commune_name": "xã Vĩnh Bảo", "counter_no": 1}
)[0]
"""Counter 1 of xã Vĩnh Bảo, as a first ``counter setup`` leaves it."""
STORED = {k: v for k, v in VINH_BAO.to_mapping().items() if v}
"""The same as the database stores it."""

WRONG = [
    ("counter_no", "0"),
    ("counter_no", "10"),
    ("counter_no", "٣"),  # an Arabic-Indic digit: int() reads it, a counter number it is not
    ("agency_id", "xx"),
    ("agency_id", ""),
    ("commune_code", "99"),
    ("commune_code", "1141O"),
    ("commune_code", "00000"),
    ("commune_code", "１１４１０"),
    ("commune_code", ""),
    ("commune_name", ""),
    ("agency_name", ""),
    ("deciding_agency_name", ""),
    ("place_name", ""),
    ("hub_url", "ftp://x"),
    ("hub_url", "https://"),
    ("hub_url", "http://hub .example.vn"),
    ("hub_url", "http://user:pw@hub.example.vn"),  # Basic auth in place of the token, shown, logged
    ("hub_url", "http://hub.example.vn/?x=1"),  # every request would go to a page that is no hub
    ("hub_url", "http://hub.example.vn/#sync"),
    ("lookup_url", "javascript:alert(1)"),
    ("lookup_url", "https://[bad/{code}"),
    ("printer", "HP\x1b"),
    ("printer", "HP LaserJet"),
    ("printer", "-oraw"),
    ("commune_name", "xã Vĩnh\u202eBảo"),  # a bidi override reorders what the forms print
    ("province_name", "Thành phố\x00Hải Phòng"),
    ("hub_token", "abc\r\nX-Evil: 1"),
    ("hub_token", "mã-quầy-1"),  # it travels in an HTTP header: no letter with a diacritic
    ("hub_token", "tok quay1"),
    ("hub_token", "tok\u00a0quay1"),  # a no-break space pasted from a document
    ("agency_name", "Trung tâm " * 30),
    ("code_pattern", "{agency}-{date}-{seq}{seq}"),
    ("code_pattern", "{seq}-{date}-{agency}"),
    ("code_pattern", "{agency}-{date}"),
    ("code_pattern", "HO-SO-MOT-CUA-XA-YEN-THUONG/{agency}/{date}/{seq}"),  # codes of 62 characters
    ("office_hours", "garbage"),
    ("paper_size", "A3"),
]
"""A setting and a value that must be refused, whatever the source."""


@pytest.mark.parametrize(("name", "value"), WRONG)
def test_a_wrong_value_is_refused_from_every_source(name: str, value: str) -> None:
    # A change (counter settings --set, a TUI form, counter setup).
    with pytest.raises(ValidationError) as changed:
        change_settings(VINH_BAO, {name: value})
    assert [e.field for e in changed.value.errors] == [name]
    # Named by its label, as the supervisor reads it in the TUI; the internal key is not shown.
    assert changed.value.message.startswith(LABELS[name]) and f"«{name}»" not in changed.value.message

    # The database (a value stored before this check existed).
    with pytest.raises(ValidationError) as stored:
        load_settings({**STORED, name: value}, env={})
    assert name in [e.field for e in stored.value.errors]
    assert LABELS[name] in stored.value.message and f"«{name}»" not in stored.value.message

    # The environment: the variable is named, so the admin knows where to look.
    with pytest.raises(ValidationError) as overridden:
        load_settings(STORED, env={env_name(name): value})
    assert [e.field for e in overridden.value.errors] == [name]
    assert f"«COUNTER_{name.upper()}»" in overridden.value.message
    assert LABELS[name] in overridden.value.message and f"«{name}»" not in overridden.value.message


@pytest.mark.parametrize(("name", "value"), [w for w in WRONG if w[0] not in ("counter_no", "commune_code")])
def test_validate_alone_refuses_the_typed_value_too(name: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate(replace(VINH_BAO, **{name: value}))
    assert [e.field for e in caught.value.errors] == [name]


def test_a_zero_counter_from_the_environment_is_not_called_unconfigured() -> None:
    with pytest.raises(ValidationError) as caught:
        load_settings(STORED, env={"COUNTER_COUNTER_NO": "0"})
    assert "COUNTER_COUNTER_NO" in caught.value.message
    assert "chưa được cấu hình" not in caught.value.message


def test_every_problem_is_said_once_naming_its_source() -> None:
    env = {"COUNTER_OFFICE_HOURS": "garbage", "COUNTER_PRINTER": "HP\x1b", "COUNTER_PAPER_SIZE": "A5"}
    settings, problems = inspect_settings({**STORED, "hub_url": "ftp://x"}, env=env)
    assert [p.field for p in problems] == ["printer", "office_hours", "hub_url"]
    assert "«COUNTER_PRINTER»" in problems[0].message and "«COUNTER_OFFICE_HOURS»" in problems[1].message
    assert "đã lưu" in problems[2].message and "counter settings --set hub_url=" in problems[2].message
    # What could be read is kept, to be shown beside its problem; what could not, is not.
    assert settings.office_hours == "garbage" and settings.printer == "" and settings.paper_size == "A5"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("agency_id", " 000.17.22.h56 ", "000.17.22.H56"),
        ("commune_name", unicodedata.normalize("NFD", " xã Vĩnh Bảo "), "xã Vĩnh Bảo"),  # stored NFC
        ("lookup_url", "https://dichvucong.haiphong.gov.vn/tra-cuu?ma={code}", None),
        ("hub_url", "http://127.0.0.1:8080", None),
        ("hub_url", "HTTPS://Hub.Example.vn/base", "https://Hub.Example.vn/base"),  # a case-blind scheme
        ("lookup_url", "Https://tra.cuu/{code}", "https://tra.cuu/{code}"),
        ("printer", "Quay2", None),
        ("counter_phone", "0225 3823 456", None),
        ("code_pattern", "{agency}-{date}-{seq}", None),
        ("code_pattern", "{agency}-{date}-{counter}{seq}", None),
        ("code_pattern", "HS/{agency}/{date}/{seq}", None),
        ("office_hours", "07:30-11:30,13:30-17:30", None),
    ],
)
def test_right_values_pass_from_every_source(name: str, value: str, expected: str | None) -> None:
    # A hub address goes with its access code (see test_a_hub_address_and_its_access_code_go_together).
    base = replace(VINH_BAO, hub_token="token-1") if name == "hub_url" else VINH_BAO
    changed, stored = change_settings(base, {name: value})
    # The agency id a database was set up with is not the environment's to change (see
    # test_cli_settings): the variable serves a database that stores none.
    base = {k: v for k, v in STORED.items() if k != name} if name in SET_UP_FOR else STORED
    from_env = load_settings(base, env={env_name(name): value})
    from_db = load_settings({**STORED, name: value}, env={})
    got = {getattr(s, name) for s in (changed, from_env, from_db)}
    assert got == {expected or value.strip()}
    assert stored[name] == (expected or value.strip())


def test_a_fresh_database_is_valid_and_not_set_up() -> None:
    settings = load_settings({}, env={"COUNTER_PRINTER": "Quay2"})
    assert settings.printer == "Quay2" and not settings.is_configured
    assert validate(Settings()) == Settings()


@pytest.mark.parametrize(
    ("pattern", "needle"),
    [
        ("{agency}-{date}-{x}", "«{x}»"),
        ("{agency.__class__}-{date}-{seq}", "«{agency.__class__}»"),  # no attribute walking
        ("{agency}-{date}-{seq:>8}", "«{seq:>8}»"),
        ("{agency!r}-{date}-{seq}", "«{agency!r}»"),
        ("{}-{date}-{seq}", "«{}»"),
        ("{agency}-{date}-{seq", "không khớp"),
        ("{agency}-{date}-{seq}}", "không khớp"),
        ("{agency} {date} {seq}", "chữ in hoa"),  # a scan drops spaces: the look-up would miss
        ("{agency}-{date}-hs{seq}", "chữ in hoa"),  # a scan is upper-cased
        ("{{agency}}-{date}-{seq}", "chữ in hoa"),
        ("{agency}-{date}-{seq}-{counter}{counter}", "nhiều nhất một lần"),
        ("{date}-{agency}-{seq}", "theo thứ tự"),
    ],
)
def test_a_code_pattern_gives_the_national_order_or_is_refused(pattern: str, needle: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate(replace(VINH_BAO, code_pattern=pattern))
    assert needle in caught.value.message and caught.value.message.startswith("Mẫu mã hồ sơ ")


@pytest.mark.parametrize(
    "pattern", ["{agency}-{date}-{seq}", "{agency}-{date}-{counter}{seq}", "HS/{agency}/{date}/{seq}"]
)
def test_an_accepted_pattern_makes_codes(pattern: str) -> None:
    settings = validate(replace(VINH_BAO, code_pattern=pattern))
    code = make_code(settings.agency_id, date(2026, 11, 26), 1, 10, settings.code_pattern)
    assert code.index("000.00.00.X11410") < code.index("261126") < code.index("1010")


# -- a change of commune or counter ------------------------------------------------------------


def test_a_first_setup_derives_the_agency_and_the_printed_names() -> None:
    assert VINH_BAO.agency_id == "000.00.00.X11410"
    assert VINH_BAO.agency_name == "Trung tâm Phục vụ hành chính công xã Vĩnh Bảo"
    assert VINH_BAO.deciding_agency_name == "Ủy ban nhân dân xã Vĩnh Bảo"
    assert VINH_BAO.place_name == "xã Vĩnh Bảo"


def test_another_commune_derives_its_own_names_again() -> None:
    customised = replace(VINH_BAO, agency_name="Bộ phận Một cửa xã Vĩnh Bảo", agency_id="000.00.11.H26")
    moved, stored = change_settings(customised, {"commune_code": "11420", "commune_name": "xã Vĩnh Am"})
    assert moved.agency_id == "000.00.00.X11420"
    assert moved.agency_name == "Trung tâm Phục vụ hành chính công xã Vĩnh Am"
    assert moved.deciding_agency_name == "Ủy ban nhân dân xã Vĩnh Am"
    assert moved.place_name == "xã Vĩnh Am"
    assert set(stored) == {
        "commune_code",
        "commune_name",
        "agency_id",
        *("agency_name", "deciding_agency_name"),
    } | {"place_name"}


def test_names_given_with_the_new_commune_are_kept() -> None:
    moved, _ = change_settings(
        VINH_BAO,
        {"commune_code": "11420", "commune_name": "xã Vĩnh Am", "agency_name": "Bộ phận Một cửa xã Vĩnh Am"},
    )
    assert moved.agency_name == "Bộ phận Một cửa xã Vĩnh Am"
    assert moved.place_name == "xã Vĩnh Am"


def test_a_renamed_commune_carries_only_the_names_still_derived() -> None:
    customised = replace(VINH_BAO, deciding_agency_name="UBND xã Vĩnh Bảo", agency_id="000.00.11.H26")
    renamed, stored = change_settings(customised, {"commune_name": "phường Vĩnh Bảo"})
    assert renamed.agency_name == "Trung tâm Phục vụ hành chính công phường Vĩnh Bảo"
    assert renamed.place_name == "phường Vĩnh Bảo"
    assert renamed.deciding_agency_name == "UBND xã Vĩnh Bảo"  # the admin's own words stay
    assert renamed.agency_id == "000.00.11.H26"  # same commune code: the real identifier stays
    assert "agency_id" not in stored and "deciding_agency_name" not in stored


def test_other_changes_leave_the_commune_alone() -> None:
    changed, stored = change_settings(replace(VINH_BAO, agency_id="000.00.11.H26"), {"printer": "Quay2"})
    assert stored == {"printer": "Quay2"} and changed.agency_id == "000.00.11.H26"


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"commune_code": "11420", "commune_name": "xã Vĩnh Am"}, "mã xã từ 11410 sang 11420"),
        ({"counter_no": "3"}, "số quầy từ 1 sang 3"),
        ({"counter_no": 3, "commune_code": "11420"}, "mã xã từ 11410 sang 11420 và số quầy từ 1 sang 3"),
    ],
)
def test_a_database_with_dossiers_keeps_its_commune_and_counter(values: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigError) as caught:
        change_settings(VINH_BAO, values, dossiers=4)
    assert needle in caught.value.message and "4 hồ sơ" in caught.value.message
    assert change_settings(VINH_BAO, values, dossiers=0)[0].commune_code in ("11410", "11420")


def test_a_database_with_dossiers_may_still_change_the_rest() -> None:
    same = {"commune_code": "11410", "commune_name": "xã Vĩnh Bảo", "counter_no": 1}
    assert change_settings(VINH_BAO, same, dossiers=4)[0] == VINH_BAO
    # The placeholder agency id gives way to the real one (DOMAIN.md §11.4).
    assert (
        change_settings(VINH_BAO, {"agency_id": "000.00.11.H26"}, dossiers=4)[0].agency_id == "000.00.11.H26"
    )
    check_identity_change(Settings(), VINH_BAO, dossiers=4)  # a first setup over synced dossiers


def test_an_unknown_setting_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        change_settings(VINH_BAO, {"colour": "red"})
    assert caught.value.errors[0].field == "colour" and "«colour»" in caught.value.message


@pytest.mark.parametrize(
    ("variable", "value"), [("COUNTER_COUNTER_NO", "5"), ("COUNTER_COMMUNE_CODE", "99999")]
)
def test_the_environment_cannot_move_a_database_to_another_counter_or_commune(
    variable: str, value: str
) -> None:
    # Counter 2's database under COUNTER_COUNTER_NO=5 would issue counter 5's codes (DOMAIN §3).
    with pytest.raises(ValidationError) as caught:
        load_settings(STORED, env={variable: value})
    assert f"«{variable}»" in caught.value.message and "không đổi được" in caught.value.message
    same = {"COUNTER_COUNTER_NO": STORED["counter_no"], "COUNTER_COMMUNE_CODE": STORED["commune_code"]}
    assert load_settings(STORED, env=same) == load_settings(STORED, env={})


@pytest.mark.parametrize(
    ("hours", "said"),
    [
        ("07:00-07:01", "ít nhất 4 giờ"),
        ("07:00-09:00,13:30-14:30", "ít nhất 4 giờ"),
        ("04:00-22:00", "05:00 đến 21:00"),
    ],
)
def test_office_hours_a_slip_of_the_keyboard_would_give_are_refused(hours: str, said: str) -> None:
    # 07:00-07:01 was saved with just "Đã lưu": every time left on the counter changed at once.
    with pytest.raises(ValidationError) as caught:
        change_settings(VINH_BAO, {"office_hours": hours})
    assert said in caught.value.message and caught.value.message.startswith("Giờ làm việc ")


def test_office_hours_an_earlier_version_stored_outside_the_bounds_still_load() -> None:
    """The bounds came after some counters had stored such hours: refusing them at load stopped the
    UI (so the supervisor could not fix them on F6), the nightly check and the backup. They load;
    a change of them is held to the bounds, a change of anything else leaves them be."""
    stored = {**STORED, "office_hours": "07:00-07:01"}
    assert load_settings(stored, env={}).office_hours == "07:00-07:01"
    old = load_settings(stored, env={})
    assert change_settings(old, {"counter_phone": "02253811234"})[0].office_hours == "07:00-07:01"
    with pytest.raises(ValidationError, match="ít nhất 4 giờ"):
        change_settings(old, {"office_hours": "07:00-08:00"})
    with pytest.raises(ValidationError, match="ít nhất 4 giờ"):  # a variable is a new value
        load_settings(STORED, env={"COUNTER_OFFICE_HOURS": "07:00-07:01"})


def test_office_hours_are_stored_tidied() -> None:
    settings, stored = change_settings(VINH_BAO, {"office_hours": " 7:00-11:30, 13:30 - 17:00 "})
    assert settings.office_hours == "07:00-11:30,13:30-17:00"
    assert change_settings(VINH_BAO, {"office_hours": "07:30-11:30"})[0].office_hours == "07:30-11:30"


# -- what a message names, and why ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"office_hours": "07:00-11:30,13:30-17:00x"}, "Giờ làm việc phải có dạng 07:00-11:30,13:30-17:00."),
        ({"forms_retention_days": "ba"}, "Số ngày giữ biểu mẫu đã lưu phải là số ngày (0: giữ mãi)."),
        ({"idle_lock_minutes": "-1"}, "Số phút tự khóa phải là số phút (0: không tự khóa)."),
        ({"paper_size": "A3"}, "Khổ giấy phải là A4 hoặc A5."),
    ],
)
def test_a_message_names_the_setting_by_its_label_not_its_key(values: dict[str, str], said: str) -> None:
    """The supervisor reads these under the field of F6 › Cài đặt: «office_hours» means nothing there."""
    with pytest.raises(ValidationError) as caught:
        change_settings(VINH_BAO, values)
    assert caught.value.message == said


@pytest.mark.parametrize(
    ("hours", "said"),
    [
        ("07:00-11:30,11:00-17:00", "có buổi 07:00-11:30 và buổi 11:00-17:00 chồng lên nhau"),
        ("13:30-17:00,07:00-11:30", "theo thứ tự trong ngày"),
        ("07:00-11:30,17:00-13:30", "có buổi 17:00-13:30 kết thúc trước khi bắt đầu"),
        ("11:30-07:00", "có buổi 11:30-07:00 kết thúc trước khi bắt đầu"),
        ("07:00-11:30,13:30-13:30", "bắt đầu và kết thúc cùng lúc"),
    ],
)
def test_office_hours_written_right_but_impossible_name_the_real_problem(hours: str, said: str) -> None:
    """07:00-11:30,11:00-17:00 was told "phải có dạng 07:00-11:30,13:30-17:00", which it has."""
    with pytest.raises(ValidationError) as caught:
        change_settings(VINH_BAO, {"office_hours": hours})
    message = caught.value.message
    assert message.startswith("Giờ làm việc ") and said in message and "phải có dạng" not in message
    with pytest.raises(ValidationError, match=said):  # the same from the database or a variable
        load_settings({**STORED, "office_hours": hours}, env={})


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("https://hub/tra-cuu?ma={cod}", "phải có mục {code}"),
        ("https://hub/tra-cuu", "phải có mục {code}"),
        ("https://hub/tra-cuu?ma={code}&lan={lan}", "có mục lạ «{lan}»"),
        ("https://hub/tra-cuu?ma={code}}", "dấu ngoặc { hoặc } lẻ"),
        ("https://hub/{tra-cuu?ma={code}", "dấu ngoặc { hoặc } lẻ"),
    ],
)
def test_a_look_up_address_must_have_the_code_and_nothing_else_in_braces(url: str, said: str) -> None:
    """The QR code of every receipt carried ``{cod}`` as typed: no citizen could look anything up."""
    with pytest.raises(ValidationError) as caught:
        change_settings(VINH_BAO, {"lookup_url": url})
    assert [e.field for e in caught.value.errors] == ["lookup_url"]
    assert caught.value.message.startswith("Địa chỉ tra cứu ") and said in caught.value.message
    assert change_settings(VINH_BAO, {"lookup_url": "https://hub/tra-cuu?ma={code}"})[0].lookup_url
    with pytest.raises(ValidationError, match="Địa chỉ tra cứu"):  # a variable is a new value
        load_settings(STORED, env={"COUNTER_LOOKUP_URL": url})
    # Stored before this check: the counter still starts (a supervisor fixes it on F6), and a change
    # of anything else leaves it be.
    old = load_settings({**STORED, "lookup_url": url}, env={})
    assert change_settings(old, {"printer": "Quay2"})[0].lookup_url == url


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"hub_url": "https://hub.haiphong.gov.vn"}, "hub_token"),
        ({"hub_token": "token-1"}, "hub_url"),
        ({"hub_url": "https://hub.haiphong.gov.vn", "hub_token": ""}, "hub_token"),
    ],
)
def test_a_hub_address_and_its_access_code_go_together(values: dict[str, str], field: str) -> None:
    """A hub address saved without its access code was taken in silence; the counter never synced."""
    with pytest.raises(ValidationError) as caught:
        change_settings(VINH_BAO, values)
    assert [e.field for e in caught.value.errors] == [field]
    message = caught.value.message
    assert "Địa chỉ máy chủ" in message and "Mã truy cập máy chủ" in message and "«" not in message
    both = {"hub_url": "https://hub.haiphong.gov.vn", "hub_token": "token-1"}
    paired, _ = change_settings(VINH_BAO, both)
    # Either may change alone once both are there; both leave together.
    assert change_settings(paired, {"hub_token": "token-2"})[0].hub_token == "token-2"
    with pytest.raises(ValidationError):
        change_settings(paired, {"hub_url": ""})
    assert change_settings(paired, {"hub_url": "", "hub_token": ""})[0].hub_url == ""
    # A file stored before the rule still loads (the counter says so at its next sync).
    assert load_settings({**STORED, "hub_url": "https://hub.haiphong.gov.vn"}, env={}).hub_token == ""


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"commune_code": "１１４１０"}, "commune_code"),  # full-width digits: no agency id derived
        ({"commune_code": "1141O"}, "commune_code"),
        ({"commune_code": "114100"}, "commune_code"),
        ({"commune_name": "xã " + "Vĩnh Bảo " * 30}, "commune_name"),  # derives names too long
    ],
)
def test_a_first_setup_with_a_wrong_commune_says_only_that(values: dict[str, str], field: str) -> None:
    """The agency id and the printed names are derived from the commune; a wrong commune code or
    name derives none, and their absence is no second problem ("không được để trống...")."""
    given = {"commune_code": "11410", "commune_name": "xã Vĩnh Bảo", "counter_no": 1, **values}
    with pytest.raises(ValidationError) as caught:
        change_settings(Settings(), given)
    assert [e.field for e in caught.value.errors] == [field]
    assert "để trống" not in caught.value.message
