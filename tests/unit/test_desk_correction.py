"""Correcting the applicant's details typed wrong at the counter: a ``corrected`` event, folded like
every step, with the details as they were kept in the history."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest

from counter_app.desk import Desk
from counter_app.domain.dossier import allowed_steps, fold
from counter_app.domain.errors import RuleError, ValidationError
from tests.conftest import FixedClock, intake

MINH = "Trần Văn Minh"


def fields_of(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {e.field: e.message for e in error.value.errors}


def test_a_name_put_right_is_what_every_view_shows_and_the_history_keeps_both(desk: Desk) -> None:
    code = desk.receive(intake(), MINH).code
    desk.correct(code, MINH, changes={"name": "Đặng Thị Hoa"}, reason="Gõ sai dấu")
    d = desk.get(code)
    assert d.applicant.name == "Đặng Thị Hoa" and d.status == 2 and d.corrections == 1
    assert d.applicant.id_number == "031190001234"  # the fields not given stay as recorded
    assert d.last_reason == ""  # the correction's reason is not the dossier's (a refusal's…)
    step = desk.history(code)[-1]
    assert step.label == "Sửa thông tin người nộp" and step.actor == MINH
    assert step.detail == "Đã sửa Họ và tên: Đặng Thị Hoà → Đặng Thị Hoa; Lý do: Gõ sai dấu"
    # The search reads the corrected name, not the old one.
    assert [r.code for r in desk.find("dang thi hoa")] == [code]
    assert desk.find("dang thi hoa")[0].applicant_name == "Đặng Thị Hoa"
    # The stored row is what a fold of the events gives.
    assert fold(desk.events(code)) == d
    assert desk.store.projection_differs() is None
    desk.store.rebuild_projection()
    assert desk.get(code) == d


def test_a_corrected_id_number_and_phone_are_found_and_the_history_masks_the_number(desk: Desk) -> None:
    code = desk.receive(intake(), MINH).code
    desk.correct(code, MINH, changes={"id_number": "031190009876", "phone": "0987 654 321"}, reason="Nhầm số")
    d = desk.get(code)
    assert (d.applicant.id_number, d.applicant.phone) == ("031190009876", "0987654321")
    assert [r.code for r in desk.by_id_number("031190009876")] == [code]
    assert desk.by_id_number("031190001234") == []
    detail = desk.history(code)[-1].detail
    assert "********1234 → ********9876" in detail and "031190009876" not in detail
    assert "Số điện thoại: 0912345678 → 0987654321" in detail


def test_decomposed_letters_are_the_same_name_and_nothing_to_correct(desk: Desk) -> None:
    code = desk.receive(intake(), MINH).code
    with pytest.raises(ValidationError) as error:
        desk.correct(code, MINH, changes={"name": unicodedata.normalize("NFD", "Đặng Thị Hoà")}, reason="x")
    assert "không có gì để sửa" in fields_of(error)["applicant"]
    assert desk.get(code).events == 1


def test_every_wrong_field_and_a_missing_reason_are_said_at_once_and_nothing_is_saved(desk: Desk) -> None:
    code = desk.receive(intake(), MINH).code
    with pytest.raises(ValidationError) as error:
        desk.correct(code, MINH, changes={"phone": "12", "id_number": "abc", "name": ""}, reason=" ")
    assert set(fields_of(error)) == {"reason", "applicant.phone", "applicant.id_number", "applicant.name"}
    with pytest.raises(ValidationError) as error:
        desk.correct(code, MINH, changes={"kind": "organisation", "nickname": "Hoa"}, reason="x")
    assert "chỉ dùng" in next(iter(fields_of(error).values()))
    assert desk.get(code).events == 1 and desk.get(code).applicant.name == "Đặng Thị Hoà"


def test_an_id_number_the_procedure_needs_cannot_be_emptied(desk: Desk) -> None:
    code = desk.receive(intake(), MINH).code
    with pytest.raises(ValidationError) as error:
        desk.correct(code, MINH, changes={"id_number": ""}, reason="Xóa")
    assert "applicant.id_number" in fields_of(error)
    desk.correct(code, MINH, changes={"phone": ""}, reason="Số cũ không dùng nữa")  # optional: emptied
    assert desk.get(code).applicant.phone == ""


def test_a_result_sent_by_post_keeps_an_address(desk: Desk) -> None:
    code = desk.receive(intake(return_method="post"), MINH).code
    with pytest.raises(ValidationError) as error:
        desk.correct(code, MINH, changes={"address": ""}, reason="x")
    assert "bưu chính" in fields_of(error)["applicant.address"]


def test_a_dossier_handed_back_or_closed_is_not_corrected_but_one_waiting_for_its_result_is(
    desk: Desk, clock: FixedClock
) -> None:
    code = desk.receive(intake(), MINH).code
    desk.record_result(code, MINH)
    assert "corrected" in allowed_steps(desk.get(code))
    desk.correct(code, MINH, changes={"name": "Đặng Thị Hoa"}, reason="Tên trên kết quả")
    clock.set(clock.now + timedelta(hours=1))
    desk.return_result(code, MINH)
    assert "corrected" not in allowed_steps(desk.get(code))
    with pytest.raises(RuleError, match="Đã trả kết quả"):
        desk.correct(code, MINH, changes={"name": "Đặng Thị Hòa"}, reason="x")


def test_a_refusal_at_the_counter_after_a_correction_is_still_one_at_the_counter(desk: Desk) -> None:
    code = desk.receive(intake(), MINH).code
    desk.correct(code, MINH, changes={"phone": "0987654321"}, reason="Nhầm số")
    desk.refuse(code, MINH, reason="Không thuộc thẩm quyền")
    d = desk.get(code)
    assert d.refused_at_intake and d.appointment_at is None
    assert d.last_reason == "Không thuộc thẩm quyền"


def test_an_organisation_s_representative_is_corrected(desk: Desk) -> None:
    applicant = {
        "kind": "organisation",
        "name": "Hợp tác xã Đông Hưng",
        "id_number": "0201234567",
        "representative": "Lê Văn Uớc",
        "address": "Thôn Đông Hưng",
    }
    code = desk.receive(intake(applicant=applicant), MINH).code
    desk.correct(code, MINH, changes={"representative": "Lê Văn Ước"}, reason="Sai dấu")
    d = desk.get(code)
    assert d.applicant.kind == "organisation" and d.applicant.representative == "Lê Văn Ước"
    assert "Người đại diện: Lê Văn Uớc → Lê Văn Ước" in desk.history(code)[-1].detail


def test_the_owner_s_details_are_corrected_apart_from_the_applicant_s(desk: Desk) -> None:
    owner = {"name": "Nguyễn Văn Tuân", "id_number": "031160004321"}
    code = desk.receive(intake(owner=owner), MINH).code
    desk.correct(code, MINH, changes={"owner": {"name": "Nguyễn Văn Tuấn"}}, reason="Sai dấu tên chủ hồ sơ")
    d = desk.get(code)
    assert d.owner is not None and d.owner.name == "Nguyễn Văn Tuấn"
    assert d.owner.id_number == "031160004321" and d.applicant.name == "Đặng Thị Hoà"
    assert "Họ và tên chủ hồ sơ: Nguyễn Văn Tuân → Nguyễn Văn Tuấn" in desk.history(code)[-1].detail
    assert [r.code for r in desk.find("nguyen van tuan")] == [code]  # the owner's name is searched too
    assert fold(desk.events(code)) == d and desk.store.projection_differs() is None
    with pytest.raises(ValidationError) as error:
        desk.correct(code, MINH, changes={"owner": {"name": ""}}, reason="x")
    assert "owner.name" in fields_of(error)


def test_an_owner_is_not_corrected_on_a_dossier_that_names_none(desk: Desk) -> None:
    code = desk.receive(intake(), MINH).code
    with pytest.raises(ValidationError) as error:
        desk.correct(code, MINH, changes={"owner": {"name": "Lê Văn Tám"}}, reason="x")
    assert "không ghi chủ hồ sơ" in fields_of(error)["owner.name"]
    with pytest.raises(ValidationError) as error:
        desk.correct(code, MINH, changes={"owner": "Lê Văn Tám"}, reason="x")
    assert desk.get(code).events == 1 and desk.get(code).owner is None
