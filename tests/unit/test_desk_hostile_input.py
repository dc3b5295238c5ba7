"""Input the desk must refuse with a Vietnamese message instead of crashing: intake JSON of the
wrong types, text that is no text (lone surrogates), dates at the ends of ``datetime``, impossible
moved appointments, fees past the limit, calendar overrides in year 1.

Every case runs on a real SQLite file and, where something could be half-written, checks that
nothing was.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import FIRST_YEAR, LAST_YEAR, VN_TZ
from counter_app.domain.errors import ValidationError
from counter_app.domain.text import first_nonchar, has_control_chars, replace_nonchars
from counter_app.domain.validation import check_text
from tests.conftest import FixedClock, intake


def applicant(**changes: Any) -> dict[str, Any]:
    party: dict[str, Any] = dict(intake()["applicant"])
    party.update(changes)
    return party


def refused(desk: Desk, data: Any) -> ValidationError:
    """Receive ``data``; it must be refused whole, with no dossier, event or code used."""
    with pytest.raises(ValidationError) as info:
        desk.receive(data, "Nguyễn Văn Cán")
    assert desk.store.conn.execute("SELECT count(*) FROM dossiers").fetchone()[0] == 0
    assert desk.store.conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    error = info.value
    # Every message can be printed on a UTF-8 terminal (a lone surrogate in it would crash).
    for problem in error.errors:
        problem.message.encode("utf-8")
        problem.field.encode("utf-8")
    return error


def by_field(error: ValidationError) -> dict[str, str]:
    return {e.field: e.message for e in error.errors}


# -- item 1: the intake's types -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        ({"summary": 123}, "summary", "không phải số"),
        ({"summary": ["a"]}, "summary", "không phải danh sách"),
        ({"summary": {"a": 1}}, "summary", "không phải đối tượng"),
        ({"deciding_agency": 5}, "deciding_agency", "không phải số"),
        ({"deciding_agency": [1]}, "deciding_agency", "không phải danh sách"),
        ({"return_method": ["counter"]}, "return_method", "không phải danh sách"),
        ({"return_method": {"a": 1}}, "return_method", "không phải đối tượng"),
        ({"return_method": "taxi"}, "return_method", "counter"),
        ({"received_at": 20261125}, "received_at", "không phải số"),
        ({"received_at": ["2026-11-25T09:00:00+07:00"]}, "received_at", "không phải danh sách"),
        ({"sets": [1]}, "sets", "không phải danh sách"),
        ({"sets": 1.5}, "sets", "không phải số"),
        ({"fee": {"amount": 50000}}, "fee", "không phải đối tượng"),
        ({"fee": 500.5}, "fee", "không phải số"),
        ({"procedure": 1.004873}, "procedure", "chuỗi ký tự"),
        ({"procedure": ["1.004873"]}, "procedure", "chuỗi ký tự"),
    ],
)
def test_intake_fields_of_the_wrong_type_are_named_not_crashed_on(
    desk: Desk, change: dict[str, Any], field: str, said: str
) -> None:
    error = refused(desk, intake(**change))
    assert said in by_field(error)[field]
    if field != "return_method" or "không phải" in said:
        assert f"«{field}»" in by_field(error)[field]


def test_text_typed_into_a_count_or_the_fee_gets_the_plain_rule(desk: Desk) -> None:
    # What the intake form sends for "abc" typed in its fields: no JSON path shown to the official.
    found = by_field(refused(desk, intake(sets="abc", fee="50.000đ")))
    assert found["sets"] == "Số bộ hồ sơ phải là số nguyên từ 1 đến 99."
    assert found["fee"] == "Phí, lệ phí phải là số đồng, từ 0 đến 100.000.000."


def test_a_procedure_given_as_a_number_is_not_called_missing(desk: Desk) -> None:
    message = by_field(refused(desk, intake(procedure=1.004873)))["procedure"]
    assert "Chưa chọn" not in message
    assert '"1.004873"' in message  # shows how to write it


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"applicant": applicant(name=1)}, "applicant.name"),
        ({"applicant": applicant(phone=912345678)}, "applicant.phone"),
        ({"applicant": applicant(address=["Thôn Đông"])}, "applicant.address"),
        ({"owner": {"name": "Lê Văn Bình", "id_number": 31190001234}}, "owner.id_number"),
        ({"owner": {"name": {"first": "Bình"}}}, "owner.name"),
        ({"documents": [{"name": "Tờ khai"}, {"name": "Giấy chứng sinh"}, {"name": 3}]}, "documents[2].name"),
        (
            {"documents": [{"name": "a"}, {"name": "b"}, {"name": "c", "originals": "1"}]},
            "documents[2].originals",
        ),
        ({"documents": [{"name": "Tờ khai", "copies": 1.5}]}, "documents[0].copies"),
        ({"documents": [{"name": "Tờ khai", "certified": True}]}, "documents[0].certified"),
    ],
)
def test_a_party_or_paper_field_of_the_wrong_type_is_named_by_its_path(
    desk: Desk, change: dict[str, Any], field: str
) -> None:
    message = by_field(refused(desk, intake(**change)))[field]
    assert f"«{field}»" in message


def test_unknown_keys_of_a_party_or_a_paper_are_named_by_their_path(desk: Desk) -> None:
    error = refused(desk, intake(applicant=applicant(nickname="Hoà")))
    assert "applicant.nickname" in by_field(error)["applicant.nickname"]
    error = refused(desk, intake(documents=[{"name": "Tờ khai", "originals": 1, "pages": 3}]))
    assert "documents[0].pages" in by_field(error)["documents[0].pages"]


@pytest.mark.parametrize("owner", ["abc", ["Lê Văn Bình"], 5])
def test_an_owner_that_is_not_an_object_names_the_owner(desk: Desk, owner: Any) -> None:
    message = by_field(refused(desk, intake(owner=owner)))["owner"]
    assert "chủ hồ sơ" in message
    assert "người nộp" not in message


def test_an_owner_given_empty_is_asked_for_not_dropped(desk: Desk) -> None:
    """``"owner": {}`` is the form's "Người khác" left blank: it was taken as no owner, and the
    dossier was saved without the owner the official had chosen."""
    assert "owner.name" in by_field(refused(desk, intake(owner={})))
    assert desk.receive(intake(owner=None), "Cán bộ Lan").owner is None


def test_an_applicant_that_is_not_an_object_names_the_applicant(desk: Desk) -> None:
    message = by_field(refused(desk, intake(applicant="Đặng Thị Hoà")))["applicant"]
    assert "người nộp hồ sơ" in message


@pytest.mark.parametrize("kind", ["robot", "organization", "người", "company"])
def test_an_unknown_party_kind_is_refused_with_the_allowed_ones(desk: Desk, kind: str) -> None:
    message = by_field(refused(desk, intake(applicant=applicant(kind=kind))))["applicant.kind"]
    assert "person" in message and "organisation" in message


@pytest.mark.parametrize("kind", ["ORGANISATION", " Organisation "])
def test_the_party_kind_is_a_keyword_case_and_spaces_ignored(desk: Desk, kind: str) -> None:
    org = {
        "name": "Hợp tác xã Đông Hưng",
        "kind": kind,
        "id_number": "0201234567",
        "representative": "Trần Văn Hưng",
    }
    d = desk.receive(intake(applicant=org), "Nguyễn Văn Cán")
    assert d.applicant.kind == "organisation"
    assert desk.receive(intake(applicant=applicant(kind="PERSON")), "A").applicant.kind == "person"


def test_an_organisation_names_who_hands_its_dossier_in(desk: Desk) -> None:
    # A name alone ("Hợp tác xã Đông Hưng") says nobody: the representative is asked for.
    org = {"name": "Hợp tác xã Đông Hưng", "kind": "organisation"}
    message = by_field(refused(desk, intake(applicant=org)))["applicant.representative"]
    assert "đại diện" in message.lower()
    org["representative"] = "Trần Văn Hưng"
    assert desk.receive(intake(applicant=org), "A").applicant.representative == "Trần Văn Hưng"


def test_the_return_method_is_a_keyword_too(desk: Desk) -> None:
    assert desk.receive(intake(return_method="Post"), "Nguyễn Văn Cán").return_method == "post"


def test_a_result_sent_by_post_needs_an_address(desk: Desk) -> None:
    """Saved without one, the receipt said "by post" over an empty address: the result could not
    be sent, and nothing had said so."""
    person = {**intake()["applicant"], "address": "  "}
    message = by_field(refused(desk, intake(applicant=person, return_method="post")))["applicant.address"]
    assert "bưu chính" in message and "địa chỉ" in message
    assert desk.store.dossier_count() == 0
    # At the counter, none is needed.
    assert desk.receive(intake(applicant=person), "A").return_method == "counter"


def test_a_result_online_needs_a_phone_or_an_email(desk: Desk) -> None:
    """Saved without either, the receipt said "Trực tuyến" over an empty phone and email lines."""
    person = {"name": "Đặng Thị Hoà", "id_number": "031190001234"}
    message = by_field(refused(desk, intake(applicant=person, return_method="online")))["applicant.phone"]
    assert "trực tuyến" in message and "email" in message
    assert desk.store.dossier_count() == 0
    for contact in ({"phone": "0912345678"}, {"email": "hoa@example.vn"}):
        assert desk.receive(intake(applicant={**person, **contact}, return_method="online"), "A").code


# -- item 1: text that is no text ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"summary": "Xin cấp\ud800 giấy"}, "summary"),
        ({"deciding_agency": "UBND\udfff"}, "deciding_agency"),
        ({"applicant": applicant(name="Đặng\ud800 Thị Hoà")}, "applicant.name"),
        ({"applicant": applicant(address="Thôn\udc80 Đông")}, "applicant.address"),
        ({"applicant": applicant(phone="0912\ud800345678")}, "applicant.phone"),
        ({"applicant": applicant(email="hoa\ud800@vidu.vn")}, "applicant.email"),
        ({"applicant": applicant(birth_date="05/03/1990\ud800")}, "applicant.birth_date"),
        ({"owner": {"name": "Lê\ud800 Bình"}}, "owner.name"),
        ({"documents": ["Tờ khai\ud800"]}, "documents[0].name"),
        ({"procedure": "1.004873\ud800"}, "procedure"),
        ({"summary": "a\uffff"}, "summary"),  # a noncharacter
        ({"summary": "a\ufdd0"}, "summary"),
    ],
)
def test_a_lone_surrogate_or_noncharacter_is_refused_with_a_clear_message(
    desk: Desk, change: dict[str, Any], field: str
) -> None:
    message = by_field(refused(desk, intake(**change)))[field]
    assert "ký tự không hợp lệ" in message
    assert "U+" in message


def test_a_surrogate_from_json_reaches_the_desk_and_is_refused(desk: Desk) -> None:
    data = json.loads(
        '{"procedure": "1.004873", "summary": "a\\ud800",'
        ' "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234"}}'
    )
    assert "U+D800" in by_field(refused(desk, data))["summary"]


def test_an_unknown_key_holding_a_surrogate_is_shown_escaped(desk: Desk) -> None:
    error = refused(desk, intake(**{"tóm\ud800tắt": "x"}))
    assert "\\ud800" in error.errors[0].message


def test_step_texts_search_and_codes_refuse_surrogates(desk: Desk) -> None:
    d = desk.receive(intake(), "Nguyễn Văn Cán")
    with pytest.raises(ValidationError, match="U\\+D800"):
        desk.refuse(d.code, "Nguyễn Văn Cán", reason="Thiếu\ud800 giấy tờ")
    with pytest.raises(ValidationError, match="U\\+D800"):
        desk.transfer(d.code, "Nguyễn\ud800", note="x")
    with pytest.raises(ValidationError, match="U\\+D800"):
        desk.find("Hoà\ud800")
    with pytest.raises(ValidationError):
        desk.get(d.code + "\ud800")
    with pytest.raises(ValidationError, match="U\\+D800"):
        desk.set_override(date(2026, 12, 7), "day_off", "Nghỉ\ud800")
    assert desk.get(d.code).status == 2


def test_a_draft_or_a_search_log_keeps_what_it_can_of_a_surrogate(desk: Desk) -> None:
    desk.save_draft({"applicant.name": "Hoà\ud800"})
    assert desk.load_draft() == {"applicant.name": "Hoà\ufffd"}
    desk.log_search("Nguyễn Văn Cán", "Hoà\ud800", [])
    assert "\ufffd" in desk.access_log()[0].detail


def test_text_helpers_tell_surrogates_and_noncharacters_apart_from_text() -> None:
    for bad in ("\ud800", "\udfff", "\ufdd0", "\ufffe", "\U0001fffe", "\U0010ffff"):
        assert first_nonchar(f"a{bad}b") == bad
        assert has_control_chars(f"a{bad}b") and has_control_chars(f"a{bad}b", multiline=True)
        assert replace_nonchars(f"a{bad}b") == "a\ufffdb"
    for fine in ("Đặng Thị Hoà", "\U0001f600", "\ufffd", "\ue000"):
        assert first_nonchar(fine) is None
        assert not has_control_chars(fine)
    check = check_text("Lý\ud800 do", label="Lý do", required=True, max_len=100)
    assert check.error is not None and "U+D800" in check.error
    check.value.encode("utf-8")  # safe to show again


# -- item 2: times at the ends of datetime ----------------------------------------------------------


@pytest.mark.parametrize(
    ("received_at", "said"),
    [
        ("0001-01-01T00:00:00+07:00", "một năm"),
        ("0001-01-01T00:00:00+14:00", "một năm"),
        (f"{FIRST_YEAR - 1}-12-31T09:00:00+07:00", "một năm"),
        ("9999-12-31T23:59:59-12:00", "tương lai"),
        ("9999-12-31T00:00:00+07:00", "tương lai"),
        (f"{LAST_YEAR + 1}-01-01T09:00:00+07:00", "tương lai"),
        ("2026-02-30T09:00:00+07:00", "không có thật"),  # it said "write ISO 8601 with an offset"
        ("2026-11-25T25:00:00+07:00", "không có thật"),
        ("25/11/2026", "có ngày và giờ"),
        ("hôm qua lúc 9 giờ", "có ngày và giờ"),
    ],
)
def test_a_receipt_time_at_the_ends_of_the_calendar_is_refused_not_overflowed(
    desk: Desk, received_at: str, said: str
) -> None:
    assert said in by_field(refused(desk, intake(received_at=received_at)))["received_at"]


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(1, 1, 1), date(2026, 11, 30)),
        (date(2026, 11, 1), date(9999, 12, 31)),
        (date(1, 1, 1), date(9999, 12, 31)),
        (date(FIRST_YEAR - 1, 12, 31), date(2026, 11, 30)),
        (date(2026, 11, 1), date(LAST_YEAR + 1, 1, 1)),
    ],
)
def test_a_period_outside_the_years_allowed_is_refused_with_the_range(
    desk: Desk, first: date, last: date
) -> None:
    for query in (
        lambda: desk.period_report(first, last),
        lambda: desk.iter_logbook(first, last),
        lambda: desk.access_log(first=first, last=last),
        lambda: desk.special_days(first, last),
    ):
        with pytest.raises(ValidationError) as info:
            query()
        assert f"từ năm {FIRST_YEAR} đến năm {LAST_YEAR}" in info.value.message


def test_an_open_ended_access_log_query_is_checked_at_its_given_end(desk: Desk) -> None:
    with pytest.raises(ValidationError, match=str(LAST_YEAR)):
        desk.access_log(first=date(9999, 12, 31))
    with pytest.raises(ValidationError, match=str(FIRST_YEAR)):
        desk.access_log(last=date(1, 1, 1))
    assert desk.access_log(first=date(FIRST_YEAR, 1, 1)) == []


def test_the_whole_range_of_years_is_still_one_report(desk: Desk) -> None:
    desk.receive(intake(), "Nguyễn Văn Cán")
    assert desk.period_report(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))["received"] == 1
    assert len(list(desk.iter_logbook(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)))) == 1


@pytest.mark.parametrize(
    ("limit", "offset", "field"),
    [(10**20, 0, "limit"), (0, 0, "limit"), (-1, 0, "limit"), (50, 10**20, "offset"), (50, -1, "offset")],
)
def test_a_page_out_of_range_is_refused_not_passed_to_sqlite(
    desk: Desk, limit: int, offset: int, field: str
) -> None:
    desk.receive(intake(), "Nguyễn Văn Cán")
    for query in (
        lambda: desk.list_view("open", limit, offset),
        lambda: desk.find("Hoà", limit, offset),
        lambda: desk.find("031190001234", limit, offset),
    ):
        with pytest.raises(ValidationError) as info:
            query()
        assert info.value.errors[0].field == field
    with pytest.raises(ValidationError):
        desk.access_log(limit=10**20)


def test_a_step_time_or_a_preview_at_the_ends_of_the_calendar_is_refused(desk: Desk) -> None:
    d = desk.receive(intake(), "Nguyễn Văn Cán")
    far = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-12)))
    with pytest.raises(ValidationError, match=str(LAST_YEAR)):
        desk.transfer(d.code, "Nguyễn Văn Cán", at=far)
    with pytest.raises(ValidationError, match=str(FIRST_YEAR)):
        desk.transfer(d.code, "Nguyễn Văn Cán", at=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=7))))
    with pytest.raises(ValidationError, match=str(LAST_YEAR)):
        desk.preview_due("1.004873", datetime(9999, 12, 31, 9, tzinfo=VN_TZ))


# -- item 3: a moved appointment the citizen can keep -----------------------------------------------


@pytest.fixture
def received(desk: Desk) -> str:
    """A dossier received Wed 25 Nov 2026 09:30, due Mon 30 Nov 2026 09:30."""
    d = desk.receive(intake(), "Nguyễn Văn Cán")
    assert d.due_at == datetime(2026, 11, 30, 9, 30, tzinfo=VN_TZ)
    return d.code


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)  # type: ignore[misc]


def moved(desk: Desk, code: str, new_due: datetime) -> str:
    due = desk.get(code).due_at
    with pytest.raises(ValidationError) as info:
        desk.move_appointment(code, "Nguyễn Văn Cán", new_due=new_due, reason="Cần xác minh thêm")
    assert [e.field for e in info.value.errors] == ["new_due"]
    assert desk.get(code).due_at == due  # unchanged
    assert [e.kind for e in desk.events(code)] == ["received"]
    return info.value.message


def test_a_new_appointment_in_the_past_is_refused(desk: Desk, clock: FixedClock, received: str) -> None:
    clock.set(vn(2026, 12, 2, 10))  # already after the current due
    message = moved(desk, received, vn(2026, 12, 1, 9))
    assert "đã qua" in message and "10:00 02/12/2026" in message


def test_a_new_appointment_on_a_day_off_names_the_next_working_day(desk: Desk, received: str) -> None:
    message = moved(desk, received, vn(2026, 12, 6, 3))  # Sunday 03:00
    assert "06/12/2026" in message and "Chủ nhật" in message
    assert "Thứ Hai 07/12/2026" in message
    message = moved(desk, received, vn(2026, 12, 5, 9))  # an ordinary Saturday
    assert "Thứ Bảy" in message and "07/12/2026" in message


def test_a_new_appointment_on_a_public_holiday_names_it(desk: Desk, clock: FixedClock) -> None:
    clock.set(vn(2026, 12, 28, 9))
    d = desk.receive(intake(), "Nguyễn Văn Cán")
    message = moved(desk, d.code, vn(2027, 1, 1, 9))
    assert "01/01/2027" in message and "không phải ngày làm việc" in message


@pytest.mark.parametrize("hour_minute", [(19, 0), (6, 59), (12, 0), (17, 1)])
def test_a_new_appointment_outside_office_hours_says_the_hours(
    desk: Desk, received: str, hour_minute: tuple[int, int]
) -> None:
    message = moved(desk, received, vn(2026, 12, 2, *hour_minute))
    assert "ngoài giờ làm việc" in message
    assert "07:00–11:30, 13:30–17:00" in message


@pytest.mark.parametrize("far", [vn(9999, 12, 31, 9), vn(2027, 11, 29, 9)])
def test_a_new_appointment_beyond_a_year_is_refused(desk: Desk, received: str, far: datetime) -> None:
    assert "một năm" in moved(desk, received, far)


def test_a_new_appointment_at_the_last_moment_of_the_calendar_is_refused_not_overflowed(
    desk: Desk, received: str
) -> None:
    far = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-12)))
    assert "một năm" in moved(desk, received, far)


def test_a_make_up_saturday_and_a_closing_time_are_fine(desk: Desk, received: str) -> None:
    desk.set_override(date(2026, 12, 5), "working_day", "Làm bù")
    d = desk.move_appointment(received, "Nguyễn Văn Cán", new_due=vn(2026, 12, 5, 17), reason="Xác minh")
    assert d.due_at == vn(2026, 12, 5, 17)
    d = desk.move_appointment(received, "Nguyễn Văn Cán", new_due=vn(2026, 12, 7, 11, 30), reason="Xác minh")
    assert d.due_at == vn(2026, 12, 7, 11, 30)
    # Another zone is read as the same instant: 02:00 UTC is 09:00 in Vietnam.
    utc = datetime(2026, 12, 8, 2, tzinfo=UTC)
    assert desk.move_appointment(received, "A", new_due=utc, reason="Xác minh").due_at == vn(2026, 12, 8, 9)


def test_a_moved_appointment_still_has_to_be_later_than_the_current_one(desk: Desk, received: str) -> None:
    message = moved(desk, received, vn(2026, 11, 27, 9))  # a working Friday, before the due
    assert "sau ngày hẹn hiện tại" in message and "30/11/2026" in message


# -- item 4: the fee asked for --------------------------------------------------------------------


def test_a_fee_above_the_limit_says_so(desk: Desk, received: str) -> None:
    with pytest.raises(ValidationError) as info:
        desk.request_fee(received, "Nguyễn Văn Cán", amount=1_000_000_000_000_000)
    assert "tối đa" in info.value.message and "10.000.000.000" in info.value.message
    assert "lớn hơn 0" not in info.value.message
    with pytest.raises(ValidationError, match="lớn hơn 0"):
        desk.request_fee(received, "Nguyễn Văn Cán", amount=0)
    with pytest.raises(ValidationError, match="số nguyên"):
        desk.request_fee(received, "Nguyễn Văn Cán", amount="50000")  # type: ignore[arg-type]
    assert desk.request_fee(received, "Nguyễn Văn Cán", amount=10_000_000_000).status == 6


# -- item 6: calendar overrides ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "day", [date(1, 1, 1), date(9999, 12, 31), date(FIRST_YEAR - 1, 6, 1), date(LAST_YEAR + 1, 1, 2)]
)
def test_a_calendar_override_outside_the_years_allowed_is_refused(desk: Desk, day: date) -> None:
    with pytest.raises(ValidationError) as info:
        desk.set_override(day, "day_off", "Nghỉ")
    assert f"từ năm {FIRST_YEAR} đến năm {LAST_YEAR}" in info.value.message
    assert desk.overrides() == []


def test_a_calendar_override_inside_the_years_is_kept(desk: Desk) -> None:
    desk.set_override(date(LAST_YEAR, 12, 31), "day_off", "Nghỉ")  # a Friday
    desk.set_override(date(LAST_YEAR, 1, 1), "working_day", "Làm bù")  # Tết Dương lịch
    assert [o.day for o in desk.overrides()] == [date(LAST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)]


def test_a_calendar_override_of_a_day_gone_by_is_refused(desk: Desk) -> None:
    # The clock says Wednesday 25/11/2026: the day before keeps the calendar it was counted on.
    for kind in ("day_off", "working_day"):
        with pytest.raises(ValidationError) as info:
            desk.set_override(date(2026, 11, 24), kind, "Mất điện")
        assert "24/11/2026 đã qua" in info.value.message and info.value.errors[0].field == "day"
    assert desk.overrides() == []
    desk.set_override(date(2026, 11, 25), "day_off", "Bão")  # today may still close
    assert [o.day for o in desk.overrides()] == [date(2026, 11, 25)]


@pytest.mark.parametrize(
    ("day", "kind", "said"),
    [
        (date(2026, 11, 29), "day_off", "đã là ngày nghỉ (Chủ nhật)"),
        (date(2027, 1, 1), "day_off", "đã là ngày nghỉ (Tết Dương lịch)"),
        (date(2026, 12, 2), "working_day", "đã là ngày làm việc (Thứ Tư)"),
    ],
)
def test_a_calendar_override_that_changes_nothing_is_refused(
    desk: Desk, day: date, kind: str, said: str
) -> None:
    with pytest.raises(ValidationError) as info:
        desk.set_override(day, kind, "Ghi chú")
    assert said in info.value.message
    assert desk.overrides() == []


def test_a_commune_s_own_day_takes_a_new_note_and_is_removed_to_undo_it(desk: Desk) -> None:
    """Turned into the other kind, a day off of the commune on a plain Wednesday became a "make-up
    working day" on a Wednesday, in the calendar and its lists. The calendar without the commune's
    day says what is asked already: refused, with the way to undo the day (remove it)."""
    desk.set_override(date(2026, 12, 2), "day_off", "Nghỉ")
    desk.set_override(date(2026, 12, 2), "day_off", "Nghỉ theo Quyết định 12/QĐ-UBND")
    assert [(o.kind, o.label) for o in desk.overrides()] == [("day_off", "Nghỉ theo Quyết định 12/QĐ-UBND")]
    with pytest.raises(ValidationError) as info:
        desk.set_override(date(2026, 12, 2), "working_day", "Làm việc bình thường")
    assert info.value.message == (
        "Ngày 02/12/2026 đã là ngày làm việc (Thứ Tư). Để bỏ ngày nghỉ đã ghi cho ngày này, xóa dòng "
        "của nó (Delete, counter calendar remove)."
    )
    assert [o.kind for o in desk.overrides()] == ["day_off"]
    desk.set_override(date(2026, 12, 5), "working_day", "Làm bù")  # a Saturday worked
    with pytest.raises(ValidationError, match=r"đã là ngày nghỉ \(Thứ Bảy\)\. Để bỏ ngày làm bù"):
        desk.set_override(date(2026, 12, 5), "day_off", "Nghỉ")


def test_a_step_s_form_says_every_wrong_field_at_once(desk: Desk, received: str) -> None:
    """A moved appointment with no reason on a Sunday said only "no reason"; once a reason was
    typed, then the Sunday. The extra papers asked for: no papers, then no reason."""
    with pytest.raises(ValidationError) as info:
        desk.move_appointment(received, "Nguyễn Văn Cán", new_due=vn(2026, 11, 29, 10), reason="")
    assert [e.field for e in info.value.errors] == ["reason", "new_due"]
    assert "Chủ nhật" in info.value.errors[1].message
    with pytest.raises(ValidationError) as info:
        desk.request_extra_papers(received, "Nguyễn Văn Cán", papers=[], reason=" ")
    assert [e.field for e in info.value.errors] == ["papers", "reason"]
    assert desk.get(received).events == 1


@pytest.mark.parametrize(
    "received_at", ["24/11/2026 14:05", "2026-11-24T14:05", "2026-11-24 14:05", "2026-11-24T07:05:00Z"]
)
def test_a_paper_dossier_s_time_is_read_as_the_steps_read_theirs(desk: Desk, received_at: str) -> None:
    """A day and time as the screens take it, or ISO 8601 without an offset, is Vietnam time (the
    steps' --at took them so; received_at refused them, asking for an offset)."""
    d = desk.receive(intake(received_at=received_at), "A")
    assert d.received_at.isoformat() == "2026-11-24T14:05:00+07:00"
