"""The desk's use cases on a real SQLite file: receive, lifecycle, search, lists, settings."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from counter_app import desk as desk_module
from counter_app.desk import REPORT_FIGURES, Desk, check_party_field
from counter_app.domain.calendar import VN_TZ
from counter_app.domain.dossier import allowed_steps, new_event
from counter_app.domain.errors import ConfigError, NotFoundError, RuleError, ValidationError
from tests.conftest import FixedClock, intake


def counts(desk: Desk) -> tuple[int, int, int]:
    c = desk.store.conn
    return (
        c.execute("SELECT count(*) FROM dossiers").fetchone()[0],
        c.execute("SELECT count(*) FROM events").fetchone()[0],
        c.execute("SELECT count(*) FROM outbox").fetchone()[0],
    )


def test_receive_issues_code_and_due(desk: Desk) -> None:
    d = desk.receive(intake(), "Nguyễn Văn Cán")
    assert d.code == "000.00.11.H26-261125-2001"
    assert d.status == 2
    # Wed 25/11/2026 09:30 + 3 working days -> Mon 30/11 09:30 (weekend skipped)
    assert d.due_at == datetime(2026, 11, 30, 9, 30, tzinfo=VN_TZ)
    assert d.deciding_agency_name.endswith("xã Vĩnh Bảo")
    assert counts(desk) == (1, 1, 1)
    assert desk.receive(intake(), "Nguyễn Văn Cán").code.endswith("-2002")
    again = Desk.open(desk.store.conn.execute("PRAGMA database_list").fetchone()[2], env={})
    assert again.get(d.code) == d  # durable and identical when read back by another connection
    again.close()


def test_receive_needs_setup(make_desk: Any) -> None:
    desk = make_desk(configure=False)
    with pytest.raises(ConfigError):
        desk.receive(intake(), "A")


def test_counters_never_collide(make_desk: Any, tmp_path: Any) -> None:
    a = make_desk(tmp_path / "a.db", counter_no=2)
    b = make_desk(tmp_path / "b.db", counter_no=3)
    codes_a = {a.receive(intake(), "A").code for _ in range(5)}
    codes_b = {b.receive(intake(), "B").code for _ in range(5)}
    assert not codes_a & codes_b
    assert all(c.endswith(("-2001", "-2002", "-2003", "-2004", "-2005")) for c in codes_a)


def test_backdated_paper_dossier_uses_vietnam_day(desk: Desk, clock: FixedClock) -> None:
    clock.set(datetime(2025, 4, 28, 8, 0, tzinfo=VN_TZ))
    d = desk.receive(intake(received_at="2025-04-23T23:30:00+00:00"), "A")
    # 23:30 UTC is 06:30 on Thu 24/4 in Vietnam: code date is that day, counting from 07:00
    assert "-250424-" in d.code
    # from Thu 07:00, 3 x 8 working hours: Thu 17:00, Fri 17:00, Sat 26/4 (make-up day) 17:00
    assert d.due_at == datetime(2025, 4, 26, 17, 0, tzinfo=VN_TZ)
    d2 = desk.receive(intake(received_at="2025-04-24T09:00:00+07:00"), "A")
    assert d2.due_at == datetime(2025, 4, 28, 9, 0, tzinfo=VN_TZ)  # Sat 26/4 is a make-up day


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"procedure": "9.999999"}, "procedure"),
        ({"procedure": None}, "procedure"),
        ({"applicant": {"name": "", "id_number": "031190001234"}}, "applicant.name"),
        ({"applicant": {"name": "Lê Văn A", "id_number": "12345"}}, "applicant.id_number"),
        ({"applicant": {"name": "Lê Văn A", "id_number": 31190001234}}, "applicant.id_number"),
        ({"applicant": {"name": "Lê\x1b[31m Văn", "id_number": "031190001234"}}, "applicant.name"),
        ({"applicant": {"name": "A" * 500, "id_number": "031190001234"}}, "applicant.name"),
        (
            {"applicant": {"name": "Lê Văn A", "id_number": "031190001234", "phone": "abc"}},
            "applicant.phone",
        ),
        ({"applicant": "Lê Văn A"}, "applicant"),  # not an object: the whole party is wrong
        ({"received_at": "2026-11-26T09:00:00+07:00"}, "received_at"),
        ({"received_at": "2026-11-20"}, "received_at"),
        ({"received_at": "hôm qua"}, "received_at"),
        ({"documents": [{"name": "Tờ khai", "originals": -1}]}, "documents[0].originals"),
        ({"documents": [{"name": "", "originals": 1}]}, "documents[0].name"),
        ({"documents": "Tờ khai"}, "documents"),
        ({"sets": 0}, "sets"),
        ({"aplicant": {}}, "aplicant"),
    ],
)
def test_bad_intake_is_refused_and_nothing_is_saved(desk: Desk, change: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        desk.receive(intake(**change), "A")
    assert field in [e.field for e in info.value.errors]
    assert all(e.message and e.message[0].isupper() for e in info.value.errors)
    assert counts(desk) == (0, 0, 0)
    # no code was used: the next good dossier still gets the first number of the block
    assert desk.receive(intake(), "A").code.endswith("-2001")


def test_nfd_input_is_stored_nfc(desk: Desk) -> None:
    name = unicodedata.normalize("NFD", "Đặng Thị   Hoà ")
    d = desk.receive(intake(applicant={"name": name, "id_number": "031190001234"}), "A")
    assert d.applicant.name == "Đặng Thị Hoà"
    assert unicodedata.is_normalized("NFC", desk.get(d.code).applicant.name)


def test_lifecycle_through_the_desk(desk: Desk, clock: FixedClock) -> None:
    d = desk.receive(intake(), "A")
    clock.set(clock.now + timedelta(minutes=30))
    d = desk.transfer(d.code, "A", to_agency_name="Công chức Tư pháp - Hộ tịch")
    # The office handling it is noted; the deciding authority stays as on the day of receipt.
    assert d.status == 4 and d.handled_by == "Công chức Tư pháp - Hộ tịch"
    assert d.deciding_agency_name == "Ủy ban nhân dân xã Vĩnh Bảo"
    # Wed 10:00 -> papers asked; Fri 10:00 -> papers in: 2 working days waited
    due_before = d.due_at
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ))
    d = desk.request_extra_papers(d.code, "A", papers=["Bản sao trích lục ly hôn"], reason="Thiếu giấy")
    assert d.status == 5 and d.extra_papers[0].name == "Bản sao trích lục ly hôn"
    clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=VN_TZ))
    d = desk.receive_extra_papers(d.code, "A")
    assert d.status == 4
    assert d.due_at == datetime(2026, 12, 2, 9, 30, tzinfo=VN_TZ)
    assert d.due_at > due_before
    with pytest.raises(ValidationError):
        desk.move_appointment(d.code, "A", new_due=d.due_at - timedelta(hours=1), reason="x")
    d = desk.move_appointment(
        d.code, "A", new_due=datetime(2026, 12, 4, 17, 0, tzinfo=VN_TZ), reason="Cần xác minh thêm"
    )
    assert d.appointment_moves == 1 and d.original_due_at == datetime(2026, 11, 30, 9, 30, tzinfo=VN_TZ)
    clock.set(datetime(2026, 11, 27, 14, 0, tzinfo=VN_TZ))
    d = desk.request_fee(d.code, "A", amount=8000)
    assert d.status == 6
    # The fee asked for is the dossier's, unpaid then paid (it was only a line of the history).
    assert [f.describe_vi() for f in d.fee_requests] == ["8.000 đồng, chưa nộp"]
    clock.set(datetime(2026, 11, 27, 15, 20, tzinfo=VN_TZ))
    d = desk.record_fee_paid(d.code, "A")
    assert [f.describe_vi() for f in d.fee_requests] == ["8.000 đồng, đã nộp 15:20 27/11/2026"]
    assert d.to_json()["fee_requests"] == [
        {"amount": 8000, "requested_at": "2026-11-27T14:00:00+07:00", "paid_at": "2026-11-27T15:20:00+07:00"}
    ]
    d = desk.record_result(d.code, "A")
    assert d.status == 9 and d.timeliness() == "early"
    d = desk.return_result(d.code, "A", receiver="Đặng Thị Hoà")
    assert d.status == 10
    steps = desk.history(d.code)
    labels = [s.label for s in steps]
    assert labels[0] == "Tiếp nhận hồ sơ" and labels[-1] == "Trả kết quả"
    assert len(labels) == 9
    # What each step was given is in its line (the dossier screen, `counter show`, the control slip).
    details = {s.kind: s.detail for s in steps}
    assert "Số tiền: 8.000 đồng" in details["fee_requested"]
    assert "Người nhận: Đặng Thị Hoà" in details["returned"]
    assert details["extra_papers_requested"].startswith("Cần bổ sung: ")
    assert desk.check_projection()


@pytest.mark.parametrize("step", ["refuse", "withdraw", "stop"])
def test_closing_steps_need_reason_and_close(desk: Desk, step: str) -> None:
    d = desk.receive(intake(), "A")
    with pytest.raises(ValidationError):
        getattr(desk, step)(d.code, "A", reason="   ")
    d = getattr(desk, step)(d.code, "A", reason="Hồ sơ không thuộc thẩm quyền")
    assert d.closed_at is not None
    before = counts(desk)
    with pytest.raises(RuleError):
        desk.transfer(d.code, "A")
    assert counts(desk) == before


def test_unknown_dossier(desk: Desk) -> None:
    with pytest.raises(NotFoundError):
        desk.transfer("000.00.11.H26-261125-2999", "A")
    with pytest.raises(NotFoundError):
        desk.get("nonsense")


def test_a_number_typed_in_part_finds_the_ids_and_phones_that_start_so(desk: Desk, clock: FixedClock) -> None:
    """Results show while the official types: the first digits of an ID number or a phone find
    the dossiers whose number starts so, newest first (a full number still finds only its own)."""
    dong = desk.receive(
        intake(applicant={"name": "Trần Văn Đông", "id_number": "001099012345", "phone": "0987654321"}), "A"
    )
    clock.set(clock.now + timedelta(minutes=5))
    hoa_data = {"name": "Lê Thị Hoa", "id_number": "001099077777", "phone": ""}
    hoa = desk.receive(intake(applicant=hoa_data), "A")
    desk.receive(intake(), "A")  # 031190001234, 0912345678: matches none of the prefixes below

    assert [r.code for r in desk.find("001099")] == [hoa.code, dong.code]
    assert [r.code for r in desk.find("0010990")] == [hoa.code, dong.code]
    assert [r.code for r in desk.find("00109901")] == [dong.code]
    assert [r.code for r in desk.find("098 765")] == [dong.code]
    assert [r.code for r in desk.find("0987654321")] == [dong.code]
    assert desk.find("00109") == []  # five digits: a dossier number's tail, not a prefix
    assert desk.find("099999") == []


def test_search_folds_vietnamese(desk: Desk, clock: FixedClock) -> None:
    older = desk.receive(intake(), "A")
    clock.set(clock.now + timedelta(minutes=5))
    newer = desk.receive(intake(), "A")
    desk.receive(
        intake(applicant={"name": "Trần Văn Đông", "id_number": "001099012345", "phone": "0987654321"}),
        "A",
    )
    for query in [
        "dang thi hoa",
        "DANG THI HOA",
        "Đặng Thị Hoà",
        unicodedata.normalize("NFD", "đặng thị hoà"),
        "  dang   thi  hoa ",
        "dang thi ho",
        "Đặng",
    ]:
        found = [r.code for r in desk.find(query)]
        assert found[:2] == [newer.code, older.code], query
    assert [r.applicant_name for r in desk.find("dong")] == ["Trần Văn Đông"]
    assert [r.applicant_name for r in desk.find("001099012345")] == ["Trần Văn Đông"]
    assert [r.applicant_name for r in desk.find("+84 987 654 321")] == ["Trần Văn Đông"]
    assert [r.code for r in desk.find(older.code.lower())] == [older.code]
    assert desk.find("2001")[0].code == older.code
    for hostile in ['"', "*", "NEAR(", "a OR", "-", "'); DROP TABLE dossiers; --", "\x00"]:
        desk.find(hostile)  # never an SQL or FTS5 error
    with pytest.raises(ValidationError):
        desk.find("x" * 500)


def test_lists_and_report(desk: Desk, clock: FixedClock) -> None:
    a = desk.receive(intake(), "A")
    b = desk.receive(intake(procedure="1.001193"), "A")  # same day: due today 17:00
    c = desk.receive(intake(), "A")
    desk.request_extra_papers(c.code, "A", papers=["Giấy A"], reason="Thiếu")
    assert {r.code for r in desk.list_view("today")} == {a.code, b.code, c.code}
    assert [r.code for r in desk.list_view("due_today")] == [b.code]
    assert [r.code for r in desk.list_view("waiting_papers")] == [c.code]
    clock.set(datetime(2026, 11, 25, 17, 1, tzinfo=VN_TZ))
    assert [r.code for r in desk.list_view("overdue")] == [b.code]
    desk.record_result(a.code, "A")
    assert [r.code for r in desk.list_view("ready")] == [a.code]
    report = desk.period_report(date(2026, 11, 1), date(2026, 11, 30))
    assert report["received"] == 3 and report["early"] == 1 and report["overdue"] == 1
    assert desk.count_view("today") == 3


def test_a_dossier_refused_at_the_counter_is_not_counted_as_received(desk: Desk, clock: FixedClock) -> None:
    """Form 03 "không được tiếp nhận": refused before being handed on, it counts as refused, not
    received (nor in the per-day and per-field figures); refused later, it had been received."""
    kept = desk.receive(intake(), "A")
    at_counter = desk.receive(intake(), "A")
    desk.refuse(at_counter.code, "A", reason="Không thuộc thẩm quyền của xã")
    later = desk.receive(intake(), "A")
    desk.transfer(later.code, "A")
    desk.refuse(later.code, "A", reason="Giấy tờ giả mạo")
    next_day = desk.receive(intake(), "A")  # kept at the counter, refused the next morning
    clock.set(datetime(2026, 11, 26, 8, 0, tzinfo=VN_TZ))
    desk.refuse(next_day.code, "A", reason="Giấy tờ giả mạo")
    report = desk.period_report(date(2026, 11, 1), date(2026, 11, 30))
    # Two figures, one rule (the dashboard, ``counter report`` and the logbook): refused at the
    # counter, never received; refused after being received, counted in "received" too.
    assert (report["received"], report["refused"], report["refused_later"]) == (3, 1, 2)
    assert sum(n for _, n in report["per_day"]) == 3 and sum(n for _, n in report["by_field"]) == 3
    assert desk.get(at_counter.code).refused_at_intake
    assert not any(desk.get(d.code).refused_at_intake for d in (kept, later, next_day))


def test_a_dossier_refused_later_on_its_day_had_been_received(desk: Desk, clock: FixedClock) -> None:
    """Refused in the afternoon of the day it came, but after extra papers, a fee or a new
    appointment: the citizen had a receipt, so the dossier counts as received, keeps its
    appointment in the lists and is not "không được tiếp nhận". A rating after a refusal at the
    counter does not make it one refused later."""
    papers = desk.receive(intake(), "A")
    desk.request_extra_papers(papers.code, "A", papers=["Giấy A"], reason="Thiếu")
    desk.receive_extra_papers(papers.code, "A")
    fee = desk.receive(intake(), "A")
    desk.request_fee(fee.code, "A", amount=50_000, reason="Lệ phí")
    desk.record_fee_paid(fee.code, "A")
    moved = desk.receive(intake(), "A")
    desk.move_appointment(moved.code, "A", new_due=moved.due_at + timedelta(days=7), reason="Xác minh")
    at_counter = desk.receive(intake(), "A")
    clock.set(datetime(2026, 11, 25, 16, 0, tzinfo=VN_TZ))
    for d in (papers, fee, moved, at_counter):
        desk.refuse(d.code, "A", reason="Giấy tờ giả mạo")
    desk.rate(at_counter.code, "A", level=2)
    later = (papers.code, fee.code, moved.code)
    assert [desk.get(code).refused_at_intake for code in later] == [False, False, False]
    assert desk.get(at_counter.code).refused_at_intake
    report = desk.period_report(date(2026, 11, 1), date(2026, 11, 30))
    assert (report["received"], report["refused"], report["refused_later"]) == (3, 1, 3)
    assert desk.refused_at_counter_today() == 1
    rows = {r.code: r for r in desk.list_view("today")}
    assert all(rows[code].appointment_at is not None for code in later)
    assert rows[at_counter.code].appointment_at is None
    assert desk.check_projection() is True


def test_an_apology_entered_afterwards_is_judged_as_of_its_own_time(desk: Desk, clock: FixedClock) -> None:
    """An apology written on paper on Thursday and typed in on Monday: the new appointment had to
    be after Thursday, not after Monday (it may have passed by the time it is typed)."""
    d = desk.receive(intake(), "A")  # Wed 25/11 09:30, due Mon 30/11 09:30
    written = datetime(2026, 11, 26, 10, 0, tzinfo=VN_TZ)
    new_due = datetime(2026, 11, 30, 16, 0, tzinfo=VN_TZ)
    clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=VN_TZ))
    moved = desk.move_appointment(d.code, "A", new_due=new_due, reason="Cần xác minh", at=written)
    assert moved.due_at == new_due and moved.appointment_moves == 1
    with pytest.raises(ValidationError, match="đã qua"):  # before the apology's own time: no
        other = desk.receive(intake(received_at=written.isoformat()), "A")
        desk.move_appointment(other.code, "A", new_due=written - timedelta(hours=1), reason="x", at=written)


def test_papers_digitised_at_intake_are_counted_for_the_period(desk: Desk) -> None:
    """Số hóa khi tiếp nhận (QĐ 766 indicator): recorded with the receipt, rebuilt from the events
    like every other field, counted and given as a share of the dossiers received."""
    scanned = desk.receive({**intake(), "digitised": True}, "A")
    desk.receive(intake(), "A")
    assert scanned.digitised and desk.get(scanned.code).digitised
    report = desk.period_report(date(2026, 11, 1), date(2026, 11, 30))
    assert report["digitised"] == 1 and report["digitised_rate"] == 0.5
    assert desk.check_projection()
    for wrong in ("yes", 1, [True]):
        with pytest.raises(ValidationError) as caught:
            desk.receive({**intake(), "digitised": wrong}, "A")
        assert caught.value.errors[0].field == "digitised" and "true hoặc false" in str(caught.value)
    assert desk.period_report(date(2026, 11, 1), date(2026, 11, 30))["received"] == 2


def test_lists_page_in_a_stable_order_and_from_indexes(desk: Desk, clock: FixedClock) -> None:
    """Dossiers due at the same minute come in the order they were received, whatever their status,
    so paging neither repeats nor skips one; the pages are chosen from indexes, not by sorting
    every matching row."""
    received = [desk.receive(intake(), "A") for _ in range(7)]  # all due Mon 30/11 09:30
    for d in received[::2]:  # the 1st, 3rd ... are in processing (4), the others received (2)
        desk.transfer(d.code, "A")
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=VN_TZ))
    pages = [[r.code for r in desk.list_view("overdue", limit=3, offset=o)] for o in (0, 3, 6)]
    assert pages == [[d.code for d in received[o : o + 3]] for o in (0, 3, 6)]
    desk.request_extra_papers(received[1].code, "A", papers=["Giấy A"], reason="Thiếu")
    desk.record_result(received[0].code, "A")
    traced: list[str] = []
    desk.store.conn.set_trace_callback(traced.append)
    assert [r.code for r in desk.list_view("waiting_papers")] == [received[1].code]
    assert [r.code for r in desk.list_view("ready")] == [received[0].code]
    desk.store.conn.set_trace_callback(None)
    plan = " ".join(row[3] for sql in traced for row in desk.store.conn.execute("EXPLAIN QUERY PLAN " + sql))
    assert "dossiers_waiting" in plan and "dossiers_ready" in plan


def test_calendar_override_moves_due(desk: Desk, clock: FixedClock) -> None:
    before = desk.preview_due("1.004873")
    desk.set_override(date(2026, 11, 26), "day_off", "Nghỉ đột xuất")
    after = desk.preview_due("1.004873")
    assert after == datetime(2026, 12, 1, 9, 30, tzinfo=VN_TZ) and after > before
    desk.set_override(date(2026, 11, 28), "working_day", "Làm bù")
    assert desk.preview_due("1.004873") == datetime(2026, 11, 30, 9, 30, tzinfo=VN_TZ)
    assert desk.remove_override(date(2026, 11, 26))
    with pytest.raises(ValidationError):
        desk.set_override(date(2026, 11, 26), "holiday")
    desk.set_override(date(2026, 11, 26), "day_off", "Nghỉ đột xuất")
    clock.set(datetime(2026, 11, 27, 8, 0, tzinfo=VN_TZ))  # the day has gone by
    with pytest.raises(ValidationError, match="đã qua"):
        desk.remove_override(date(2026, 11, 26))  # its dossiers were counted on it: it stays
    assert any(o.day == date(2026, 11, 26) for o in desk.overrides())


def test_what_another_process_changes_reaches_a_running_desk(make_desk: Any) -> None:
    """The UI's desk and the admin's command line share the file: a day off, new office hours or a
    new catalog stored by the other one are what the running desk gives appointments from next."""
    from counter_app.domain.procedures import catalog_to_json

    ui = make_desk()
    ui.preview_due("1.004873")  # calendar and catalog read, as a running UI has them
    admin = make_desk(configure=False)  # another connection: another process
    admin.set_override(date(2026, 11, 26), "day_off", "Nghỉ đột xuất")
    assert ui.preview_due("1.004873") == datetime(2026, 12, 1, 9, 30, tzinfo=VN_TZ)
    admin.update_settings(office_hours="07:30-11:30,13:30-17:30")
    assert ui.settings.office_hours == "07:30-11:30,13:30-17:30"
    assert ui.receive(intake(), "A").due_at == datetime(2026, 12, 1, 9, 30, tzinfo=VN_TZ)
    data = catalog_to_json(admin.catalog)
    entry = next(p for p in data["procedures"] if p["code"] == "1.004873")
    entry["name"] += " (sửa)"
    data["version"] = "9999.1"
    admin.import_catalog(data)
    assert ui.procedure("1.004873").name.endswith("(sửa)")
    assert ui.receive(intake(), "A").procedure_name.endswith("(sửa)")
    # Corrected and published again by the city under the same version number (a file is
    # refused so: see test_the_catalog_is_exported_edited_and_imported).
    entry["name"] += " lần 2"
    admin.import_catalog(data, from_hub=True)
    assert ui.procedure("1.004873").name.endswith("(sửa) lần 2")


def test_setup_validation(make_desk: Any) -> None:
    desk = make_desk(configure=False)
    with pytest.raises(ValidationError) as info:
        desk.setup(commune_code="114", commune_name="", counter_no=0)
    assert {e.field for e in info.value.errors} >= {"commune_code", "commune_name", "counter"}
    assert not desk.settings.is_configured
    s = desk.setup(commune_code="11410", commune_name="xã Vĩnh Bảo", counter_no=4)
    assert s.agency_id == "000.00.00.X11410" and s.counter_id == "000.00.00.X11410#4"


def test_officials_and_pins(desk: Desk) -> None:
    desk.add_official("lan", "Phạm Thị Lan", "supervisor", "2468")
    assert desk.sign_in("LAN", "2468").is_supervisor
    with pytest.raises(RuleError):
        desk.sign_in("lan", "0000")
    with pytest.raises(RuleError):
        desk.sign_in("nobody", "2468")
    with pytest.raises(ValidationError):
        desk.add_official("x y", "", "boss", "12")
    stored = desk.store.conn.execute("SELECT pin_hash FROM officials").fetchone()[0]
    assert "2468" not in stored
    # A name or role changes without a new PIN; a new official needs one.
    desk.add_official("lan", "Phạm Thị Lan Anh", "supervisor")
    assert desk.sign_in("lan", "2468").full_name == "Phạm Thị Lan Anh"
    with pytest.raises(ValidationError) as caught:
        desk.add_official("moi", "Người Mới", "official")
    assert [e.field for e in caught.value.errors] == ["pin"]


@pytest.mark.parametrize("user", ["hоa", "hoà", "ｈｏａ", "hoa\u200d", "hoa!"])
def test_a_new_user_name_is_plain_ascii(desk: Desk, user: str) -> None:
    # "hоa" with a Cyrillic о was a second official beside "hoa", the same on every screen.
    desk.add_official("hoa", "Đặng Thị Hoa", "supervisor", "2468")
    with pytest.raises(ValidationError) as caught:
        desk.add_official(user, "Đặng Thị Hoa", "official", "1357")
    assert [e.field for e in caught.value.errors] == ["username"]
    assert "chữ a–z" in caught.value.errors[0].message
    assert [o["username"] for o in desk.store.officials()] == ["hoa"]


def test_an_account_named_before_the_ascii_rule_keeps_working(desk: Desk) -> None:
    desk.add_official("lan", "Phạm Thị Lan", "supervisor", "2468")
    desk.store.conn.execute("UPDATE officials SET username = 'lân' WHERE username = 'lan'")
    desk.add_official("lân", "Phạm Thị Lan Anh", "supervisor")  # a name fixed, the PIN kept
    assert desk.sign_in("lân", "2468").full_name == "Phạm Thị Lan Anh"


@pytest.mark.parametrize(
    "pin", ["0000", "7777", "1234", "4321", "012345", "98765432", "3456", "1212", "1122", "2020", "100100"]
)
def test_a_pin_a_colleague_guesses_first_is_refused(desk: Desk, pin: str) -> None:
    with pytest.raises(ValidationError) as caught:
        desk.add_official("lan", "Phạm Thị Lan", "supervisor", pin)
    assert "dễ đoán" in caught.value.errors[0].message
    assert desk.official_role("lan") is None


@pytest.mark.parametrize("pin", ["１２４８", "²⁴⁶⁸", "١٢٤٨", "24 68", "246", "123456789"])
def test_a_pin_is_four_to_eight_plain_digits(desk: Desk, pin: str) -> None:
    with pytest.raises(ValidationError) as caught:
        desk.add_official("lan", "Phạm Thị Lan", "supervisor", pin)
    assert caught.value.errors[0].message == "Mã PIN phải gồm 4 đến 8 chữ số."


def test_an_empty_user_name_is_said_to_be_missing(desk: Desk) -> None:
    problems = {e.field: e.message for e in desk.official_problems("  ", "Phạm Thị Lan", "official", "2468")}
    assert problems == {"username": "Chưa nhập tên đăng nhập."}  # not the rule for how to write one


def test_a_locked_account_is_told_so_once_the_pin_proves_who_it_is(desk: Desk) -> None:
    desk.add_official("lan", "Phạm Thị Lan", "supervisor", "2468")
    desk.add_official("minh", "Trần Văn Minh", "official", "3579")
    desk.set_official_active("minh", False)
    with pytest.raises(RuleError, match="đang bị khóa"):
        desk.sign_in("minh", "3579")
    with pytest.raises(RuleError, match="Tên đăng nhập hoặc mã PIN không đúng"):
        desk.sign_in("minh", "9753")  # a wrong PIN learns nothing about the account
    assert desk.official_standing("minh") is None
    standing = desk.official_standing("LAN")
    assert standing is not None and standing.is_supervisor


def test_a_pin_set_before_the_rule_still_signs_in_and_is_flagged(desk: Desk) -> None:
    desk.add_official("lan", "Phạm Thị Lan", "supervisor", "2468")
    salt = desk.store.official("lan")["pin_salt"]  # as an earlier version stored a "1234"
    desk.store.conn.execute(
        "UPDATE officials SET pin_hash = ? WHERE username = 'lan'", (desk_module._pin_hash("1234", salt),)
    )
    official = desk.sign_in("lan", "1234")
    assert official.weak_pin and official.is_supervisor
    desk.add_official("lan", "Phạm Thị Lan", "supervisor", "2580")
    assert not desk.sign_in("lan", "2580").weak_pin


def test_drafts_survive_reopening_and_clear_with_the_save(desk: Desk, db_path: Any) -> None:
    assert desk.load_draft() is None
    draft = {"procedure": "1.004873", "applicant": {"name": "Đặng Thị Ho"}}
    desk.save_draft(draft)
    reopened = Desk.open(db_path, env={})
    assert reopened.load_draft() == draft
    reopened.close()
    desk.receive(intake(), "A", clear_draft=True)
    assert desk.load_draft() is None
    with pytest.raises(ValidationError):
        desk.save_draft({"x": "y" * 200_000})


def test_official_deactivation_keeps_a_supervisor(desk: Desk) -> None:
    desk.add_official("lan", "Phạm Thị Lan", "supervisor", "2468")
    desk.add_official("minh", "Lê Văn Minh", "official", "1357")
    desk.set_official_active("minh", False)
    with pytest.raises(RuleError):
        desk.sign_in("minh", "1357")
    with pytest.raises(RuleError, match="giám sát"):
        desk.set_official_active("lan", False)
    with pytest.raises(NotFoundError):
        desk.set_official_active("nobody", False)
    desk.set_official_active("minh", True)
    assert desk.sign_in("minh", "1357").username == "minh"


def test_paper_only_shown_is_listed_with_no_copies(desk: Desk) -> None:
    d = desk.receive(intake(documents=[{"name": "Thẻ căn cước (xuất trình)"}, "Tờ khai"]), "A")
    assert [(p.name, p.originals) for p in d.documents] == [("Thẻ căn cước (xuất trình)", 0), ("Tờ khai", 1)]


def test_exact_name_ranks_before_longer_names(desk: Desk, clock: FixedClock) -> None:
    exact = desk.receive(intake(applicant={"name": "Nguyễn Văn An", "id_number": "001099000001"}), "A")
    clock.set(clock.now + timedelta(minutes=1))
    longer = desk.receive(intake(applicant={"name": "Nguyễn Văn Anh Tuấn", "id_number": "001099000002"}), "A")
    assert [r.code for r in desk.find("nguyen van an")] == [exact.code, longer.code]
    assert [r.code for r in desk.find("nguyen van an", limit=1, offset=1)] == [longer.code]
    assert [r.code for r in desk.find("nguyen v")] == [longer.code, exact.code]  # newest first


def test_name_pages_join_up_to_the_whole_ranked_list(desk: Desk, clock: FixedClock) -> None:
    """Exact names first, then the others, newest first: pages of any size neither repeat nor skip."""
    names = ["Lê Văn An", "Lê Văn Anh", "Lê Văn An", "Lê Văn An Bình", "Lê Văn Anh", "Lê Văn An", "Lê Văn Ân"]
    codes = []
    for i, name in enumerate(names):
        clock.set(clock.now + timedelta(minutes=1))
        applicant = {"name": name, "id_number": f"0010990001{i:02d}"}
        codes.append(desk.receive(intake(applicant=applicant), "A").code)
    whole = [r.code for r in desk.find("le van an")]
    exact = [c for c, n in zip(codes, names, strict=True) if n in ("Lê Văn An", "Lê Văn Ân")][::-1]
    assert whole[: len(exact)] == exact and sorted(whole) == sorted(codes)
    for limit in (1, 2, 3, 4, 5):
        offsets = range(0, len(names) + limit, limit)
        pages = [r.code for o in offsets for r in desk.find("le van an", limit, o)]
        assert pages == whole, limit


def test_code_suffix_search_tells_block_from_overflow(desk: Desk) -> None:
    first = desk.receive(intake(), "A")
    assert [r.code for r in desk.find("2001")] == [first.code]
    assert desk.find("22001") == []


def test_the_date_and_number_of_a_code_find_it(desk: Desk, clock: FixedClock) -> None:
    # Read aloud from a receipt without the agency part: "261125-2001".
    first = desk.receive(intake(), "A")
    clock.set(clock.now + timedelta(days=1))
    desk.receive(intake(), "A")  # the next day's 2001
    day = f"{first.received_at:%y%m%d}"
    assert [r.code for r in desk.find(f"{day}-2001")] == [first.code]
    assert [r.code for r in desk.find(f" {day}-2001 ")] == [first.code]
    agency_tail = first.code.split("-")[0][-3:]  # part of the agency too, as read from the paper
    assert [r.code for r in desk.find(f"{agency_tail.lower()}-{day}-2001")] == [first.code]
    assert desk.find(f"X99-{day}-2001") == []
    assert desk.find(f"{day}-2002") == []
    assert desk.find("261131-2001") == []  # no such day: nothing, and no error


@pytest.mark.parametrize(
    ("typed", "stored"), [("05/03/1990", "1990-03-05"), ("1990-03-05", "1990-03-05"), ("", "")]
)
def test_birth_date_is_read_and_stored_iso(desk: Desk, typed: str, stored: str) -> None:
    applicant = {"name": "Lê Văn A", "id_number": "031190001234", "birth_date": typed}
    assert desk.receive(intake(applicant=applicant), "A").applicant.birth_date == stored


@pytest.mark.parametrize("typed", ["31/02/1990", "hôm qua", "01/01/2099", "01/01/1800"])
def test_bad_birth_date_is_refused(desk: Desk, typed: str) -> None:
    applicant = {"name": "Lê Văn A", "id_number": "031190001234", "birth_date": typed}
    with pytest.raises(ValidationError) as info:
        desk.receive(intake(applicant=applicant), "A")
    assert [e.field for e in info.value.errors] == ["applicant.birth_date"]
    assert counts(desk) == (0, 0, 0)


def test_a_partial_code_is_never_acted_on_but_the_full_code_is_suggested(desk: Desk) -> None:
    d = desk.receive(intake(), "A")
    tail = d.code[-4:]
    with pytest.raises(NotFoundError, match=f"Có phải hồ sơ {re.escape(d.code)}") as caught:
        desk.transfer(tail, "A")
    assert "quét mã vạch" in caught.value.message
    assert desk.get(d.code).status == 2  # nothing moved
    with pytest.raises(NotFoundError, match=re.escape(d.code)):
        desk.get(tail)
    with pytest.raises(NotFoundError) as unrelated:
        desk.get("9999")
    assert "Có phải" not in unrelated.value.message
    # The end of a real code is said as typed; a number that matches no code stays masked (it
    # may be a citizen's ID number typed in the wrong box).
    longer = d.code[-11:]
    with pytest.raises(NotFoundError) as said:
        desk.get(longer)
    assert said.value.message.startswith(f"Không có hồ sơ mã {longer}.")
    with pytest.raises(NotFoundError) as masked:
        desk.get("031190009999")
    assert "031190009999" not in masked.value.message


@pytest.mark.parametrize(
    ("key", "value"),
    [("name", "A" * 151), ("address", "x" * 301), ("id_number", "03119000123"), ("phone", "12"),
     ("email", "lan@"), ("birth_date", "31/02/1990"), ("name", "Lan\u202eX")],
)  # fmt: skip
def test_field_check_and_intake_agree(desk: Desk, key: str, value: str) -> None:
    """The inline check of one field (the intake form) says what saving would say."""
    error, _ = check_party_field(key, value, desk.now().date())
    assert error
    with pytest.raises(ValidationError) as caught:
        desk.parse_intake(intake(applicant={**intake()["applicant"], key: value}))
    assert error in [e.message for e in caught.value.errors if e.field == f"applicant.{key}"]
    assert check_party_field(key, "", desk.now().date()) == ("", "")


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [("organisation", "id_number", "031190001234"), ("organisation", "id_number", "01012345"),
     ("organisation", "representative", "B" * 151), ("organisation", "name", "C" * 151)],
)  # fmt: skip
def test_organisation_field_check_and_intake_agree(desk: Desk, kind: str, key: str, value: str) -> None:
    error, _ = check_party_field(key, value, desk.now().date(), kind)
    assert error
    applicant = {"kind": kind, "name": "Công ty TNHH An Phát", key: value}
    with pytest.raises(ValidationError) as caught:
        desk.parse_intake(intake(applicant=applicant))
    assert error in [e.message for e in caught.value.errors if e.field == f"applicant.{key}"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("0101234567", "0101234567"), ("0101234567-001", "0101234567-001"), ("0101234567 001", "0101234567-001"),
     ("0101.234.567", "0101234567"), ("1012345", "1012345")],
)  # fmt: skip
def test_an_organisation_is_received_with_its_enterprise_code(desk: Desk, typed: str, stored: str) -> None:
    """An organisation brings its enterprise (tax) code, not a citizen's ID; a person may own the
    dossier; both are stored, printed and found."""
    d = desk.receive(
        intake(
            applicant={
                "kind": "organisation",
                "name": "Công ty TNHH An Phát",
                "id_number": typed,
                "representative": "Nguyễn Văn Hùng",
                "phone": "0912345678",
                "address": "Số 1 Trần Phú",
            },
            owner={"name": "Lê Thị Mai", "id_number": "038190001299", "address": "Thôn Đông"},
        ),
        "Cán bộ A",
    )
    stored_dossier = desk.get(d.code)
    assert stored_dossier.applicant.kind == "organisation"
    assert stored_dossier.applicant.id_number == stored
    assert stored_dossier.applicant.representative == "Nguyễn Văn Hùng"
    assert stored_dossier.owner is not None and stored_dossier.owner.id_number == "038190001299"
    assert [r.code for r in desk.find(typed)] == [d.code]
    assert [r.code for r in desk.find("an phat")] == [d.code]
    assert [r.code for r in desk.find("038 190 001 299")] == [d.code]  # or with her own ID card
    by_owner = desk.find("le thi mai")  # the owner comes asking under her own name
    assert [r.code for r in by_owner] == [d.code] and by_owner[0].owner_name == "Lê Thị Mai"
    assert by_owner[0].applicant_name == "Công ty TNHH An Phát"
    by_representative = desk.find("nguyen van hung")  # the person at the counter, by his own name
    assert [r.code for r in by_representative] == [d.code] and by_representative[0].owner_name == "Lê Thị Mai"
    assert desk.check_projection()


def test_a_citizen_id_is_still_checked_as_one(desk: Desk) -> None:
    """A tax code typed for a person is refused: people are identified by their căn cước."""
    with pytest.raises(ValidationError, match="12 chữ số"):
        desk.parse_intake(intake(applicant={**intake()["applicant"], "id_number": "0101234567"}))
    with pytest.raises(ValidationError, match="mã số doanh nghiệp"):
        desk.parse_intake(intake(owner={"kind": "organisation", "name": "HTX Đông", "id_number": "12"}))


def test_a_name_is_matched_in_the_applicant_or_in_the_owner_never_across(desk: Desk) -> None:
    """ "dang thi hoa" finds Đặng Thị Hoà, and a dossier whose owner is Đặng Thị Hoà, but not one
    submitted by a Đặng for a Trần Thị Hoa."""
    own = desk.receive(intake(), "Cán bộ A")
    for_her = desk.receive(
        intake(applicant={**intake()["applicant"], "name": "Lê Văn Út"}, owner={"name": "Đặng Thị Hoà"}),
        "Cán bộ A",
    )
    desk.receive(
        intake(applicant={**intake()["applicant"], "name": "Đặng Văn Xuân"}, owner={"name": "Trần Thị Hoa"}),
        "Cán bộ A",
    )
    assert [r.code for r in desk.find("dang thi hoa")] == [own.code, for_her.code]


def test_a_citizen_rates_the_service_once_it_is_over(desk: Desk, clock: FixedClock, db_path: Any) -> None:
    d = desk.receive(intake(), "Cán bộ A")
    with pytest.raises(RuleError, match="đã kết thúc"):  # still being handled: nothing to rate yet
        desk.rate(d.code, "Cán bộ A", level=5)
    desk.record_result(d.code, "Cán bộ A")
    desk.return_result(d.code, "Cán bộ A")
    closed_at = desk.get(d.code).closed_at
    before = counts(desk)
    for bad in (0, 6, "", "nam", "4.5", True, "10"):
        with pytest.raises(ValidationError) as caught:
            desk.rate(d.code, "Cán bộ A", level=bad)  # type: ignore[arg-type]
        assert caught.value.errors[0].field == "level" and "1 đến 5" in caught.value.errors[0].message
    with pytest.raises(ValidationError):
        desk.rate(d.code, "Cán bộ A", level=4, comment="x" * 1001)
    assert counts(desk) == before  # nothing half-saved

    clock.set(clock.now + timedelta(minutes=3))
    rated = desk.rate(
        d.code, "Cán bộ A", level="2", comment=unicodedata.normalize("NFD", "Chờ lâu quá"), rater="Đặng Văn B"
    )
    assert rated.status == 10 and rated.closed_at == closed_at  # a rating neither moves nor reopens
    assert rated.rating is not None
    assert (rated.rating.level, rated.rating.label) == (2, "Không hài lòng")
    assert rated.rating.comment == "Chờ lâu quá" and rated.rating.official == "Cán bộ A"
    step = desk.history(d.code)[-1]
    assert step.label == "Đánh giá mức độ hài lòng" and "Không hài lòng" in step.detail

    # Rated once: a second rating (a "Không hài lòng" turned into "Rất hài lòng") is refused.
    clock.set(clock.now + timedelta(minutes=1))
    before = counts(desk)
    with pytest.raises(RuleError, match="đã được đánh giá lúc 09:33 25/11/2026 .«Không hài lòng».") as info:
        desk.rate(d.code, "Cán bộ A", level=5)
    assert "một lần" in info.value.message and counts(desk) == before
    assert "rated" not in allowed_steps(desk.get(d.code))  # nor offered on the dossier screen
    other = desk.receive(intake(), "Cán bộ A")
    desk.refuse(other.code, "Cán bộ A", reason="Không thuộc thẩm quyền")
    assert "rated" in allowed_steps(desk.get(other.code))
    desk.rate(other.code, "Cán bộ A", level=1)
    report = desk.period_report(date(2026, 11, 1), date(2026, 11, 30))
    assert report["ratings"] == {"5": 0, "4": 0, "3": 0, "2": 1, "1": 1}
    assert report["rated"] == 2 and report["satisfaction_rate"] == 0.0
    with pytest.raises(ValidationError, match="chưa đến"):  # December has not begun
        desk.period_report(date(2026, 12, 1), date(2026, 12, 31))
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=VN_TZ))
    assert desk.period_report(date(2026, 12, 1), date(2026, 12, 31))["rated"] == 0
    assert [s.kind for s in desk.history(d.code)].count("rated") == 1
    assert desk.check_projection()  # the ratings table is rebuilt from the events too
    again = Desk.open(db_path, env={})
    assert again.get(d.code).rating.level == 2  # type: ignore[union-attr]
    again.close()


def test_a_procedure_may_require_any_applicant_field(desk: Desk) -> None:
    from counter_app.domain.procedures import catalog_to_json

    data = catalog_to_json(desk.catalog)
    entry = next(p for p in data["procedures"] if p["code"] == "1.004873")
    entry["required_fields"] = ["name", "id_number", "phone", "birth_date", "email", "representative"]
    data["version"] = "9999.1"
    desk.import_catalog(data)
    bare = {"name": "Đặng Thị Hoà", "id_number": "031190001234"}
    with pytest.raises(ValidationError) as caught:
        desk.receive(intake(applicant=bare), "A")
    assert {e.field for e in caught.value.errors} == {
        "applicant.phone",
        "applicant.birth_date",
        "applicant.email",
    }  # a person has no representative to require
    assert "ngày sinh" in caught.value.for_field("applicant.birth_date")[0]
    full = {**bare, "phone": "0912345678", "birth_date": "28/02/1990", "email": "hoa@example.vn"}
    assert desk.receive(intake(applicant=full), "A").applicant.email == "hoa@example.vn"
    company = {"kind": "organisation", "name": "Công ty TNHH An Phát", "phone": "0912345678"}
    with pytest.raises(ValidationError) as caught:
        desk.receive(intake(applicant={**company, "email": "a@b.vn"}), "A")
    assert {e.field for e in caught.value.errors} == {"applicant.representative"}  # no birth date
    desk.receive(intake(applicant={**company, "email": "a@b.vn", "representative": "Lê Văn Hùng"}), "A")


def test_wrong_pins_make_the_account_wait_even_across_a_restart(
    desk: Desk, clock: FixedClock, db_path: Any
) -> None:
    from counter_app.desk import SIGN_IN_TRIES, SIGN_IN_WAIT

    desk.add_official("lan", "Phạm Thị Lan", "official", "2468")
    desk.add_official("minh", "Trần Văn Minh", "supervisor", "1357")
    for _ in range(SIGN_IN_TRIES - 1):
        with pytest.raises(RuleError, match="không đúng"):
            desk.sign_in("lan", "0000")
    assert desk.sign_in("lan", "2468").username == "lan"  # a right PIN clears the count
    for _ in range(SIGN_IN_TRIES):
        with pytest.raises(RuleError, match="không đúng"):
            desk.sign_in("lan", "0000")
    reopened = Desk.open(db_path, clock=clock, env={})
    with pytest.raises(RuleError, match="thử lại sau 09:35 ngày 25/11") as caught:
        reopened.sign_in("lan", "2468")  # even the right PIN waits
    assert caught.value.title == "Tạm khóa đăng nhập"
    assert reopened.sign_in("minh", "1357").is_supervisor  # other accounts are not held up
    clock.set(clock.now + SIGN_IN_WAIT + timedelta(seconds=1))
    with pytest.raises(RuleError, match="không đúng"):
        reopened.sign_in("lan", "9999")  # one more try after the wait; the next lock comes later
    for _ in range(SIGN_IN_TRIES - 1):  # the second lock waits twice as long
        with pytest.raises(RuleError, match="không đúng"):
            reopened.sign_in("lan", "9999")
    with pytest.raises(RuleError, match="thử lại sau 09:45"):  # 09:35 + 10 minutes
        reopened.sign_in("lan", "2468")
    clock.set(clock.now + 2 * SIGN_IN_WAIT)
    assert reopened.sign_in("lan", "2468").username == "lan"
    # A supervisor setting a new PIN lifts a lock at once.
    for _ in range(SIGN_IN_TRIES):
        with pytest.raises(RuleError):
            reopened.sign_in("lan", "0000")
    reopened.add_official("lan", "Phạm Thị Lan", "official", "8642")
    assert reopened.sign_in("lan", "8642").username == "lan"
    reopened.close()


def test_a_name_with_no_account_answers_as_an_account_would(desk: Desk, clock: FixedClock) -> None:
    """Real accounts waited after wrong PINs and unknown names never did: anyone at the keyboard
    could tell which names were real. Both wait alike now, with the same words."""
    from counter_app.desk import SIGN_IN_TRIES

    desk.add_official("lan", "Phạm Thị Lan", "official", "2468")
    said: dict[str, list[str]] = {}
    for name in ("lan", "khong.co"):
        said[name] = []
        for _ in range(SIGN_IN_TRIES + 1):
            with pytest.raises(RuleError) as caught:
                desk.sign_in(name, "0000")
            said[name].append(caught.value.message)
    assert said["lan"] == said["khong.co"]
    assert said["lan"][-1].startswith(f"Đã nhập sai mã PIN {SIGN_IN_TRIES} lần; hãy thử lại sau")


def test_the_shipped_catalog_replaces_an_older_stored_one_only(make_desk: Any, db_path: Any) -> None:
    from counter_app.domain.procedures import catalog_to_json, load_default_catalog

    shipped = load_default_catalog()
    desk = make_desk()
    one = catalog_to_json(desk.catalog)
    one["procedures"] = [p for p in one["procedures"] if p["code"] == "1.004873"]
    for version, kept in (("2000.1", False), ("9999.1", True)):
        one["version"] = version
        if kept:
            desk.import_catalog(one)
        else:  # stored by an earlier version of the counter: an import of it is refused now
            with pytest.raises(ValidationError, match="cũ hơn danh mục kèm chương trình"):
                desk.import_catalog(one)
            desk.store.replace_catalog(version, one["procedures"])
        reopened = Desk.open(db_path, env={})
        assert reopened.catalog.version == (version if kept else shipped.version)
        assert len(reopened.catalog.procedures) == (1 if kept else len(shipped.procedures))
        reopened.close()


def test_the_dossier_screen_and_the_dashboard_judge_a_result_alike(desk: Desk, clock: FixedClock) -> None:
    # A 3-working-day procedure received Wed 25/11 09:30 is due Mon 30/11 09:30.
    finished = [
        datetime(2026, 11, 27, 10, 0, tzinfo=VN_TZ),  # Friday: early
        datetime(2026, 11, 30, 8, 0, tzinfo=VN_TZ),  # the due day, before the time: on time
        datetime(2026, 11, 30, 9, 30, tzinfo=VN_TZ),  # exactly at the due time: on time
        datetime(2026, 11, 30, 9, 31, tzinfo=VN_TZ),  # a minute late
        datetime(2026, 12, 1, 8, 0, tzinfo=VN_TZ),  # next day: late
    ]
    received = [desk.receive(intake(), "A") for _ in finished]
    judged = []
    for d, at in zip(received, finished, strict=True):
        clock.set(at)
        judged.append(desk.record_result(d.code, "A").timeliness())
    assert judged == ["early", "on_time", "on_time", "late", "late"]
    report = desk.period_report(date(2026, 11, 1), date(2026, 12, 31))
    assert (report["early"], report["on_time"], report["late"]) == (1, 2, 2)
    # The dashboard shows the total the three add up to, beside "returned" (a result not yet
    # handed back is finished, not returned: without it, 1 returned beside 1 early and 1 on time
    # read as a dossier counted twice).
    assert report["finished"] == 5 and report["returned"] == 0
    assert [k for k, _ in REPORT_FIGURES][:5] == ["received", "returned", "finished", "early", "on_time"]


def test_a_search_is_in_the_access_log_with_its_numbers_masked(desk: Desk, clock: FixedClock) -> None:
    hoa = intake(applicant={"name": "Đặng Thị Hoa", "id_number": "001099012345", "phone": "0987654321"})
    mine = [desk.receive(hoa, "A") for _ in range(2)]
    others = [desk.receive(intake(), "A") for _ in range(6)]  # all "Đặng Thị Hoà", 031190001234

    shown = desk.find("001 099 012 345")
    desk.log_search("Cán bộ B", "001 099 012 345", [r.code for r in shown])
    # One person's dossiers: the search is in each one's own log, and the number is masked.
    for d in mine:
        [entry] = desk.access_log(d.code)
        assert (entry.actor, entry.action_name) == ("Cán bộ B", "Tìm kiếm")
        assert entry.detail_text == "“********2345”: 2 hồ sơ"
        assert "001099012345" not in entry.detail and "012 345" not in entry.detail

    # A common name: one line for the whole search, tied to no dossier.
    broad = desk.find("dang thi hoa")
    assert len(broad) == 8
    desk.log_search("Cán bộ C", "dang thi hoa", [r.code for r in broad])
    assert all(desk.access_log(d.code) == [] for d in others)
    latest = desk.access_log(limit=1)[0]
    assert (latest.dossier_code, latest.detail_text) == ("", "“dang thi hoa”: 8 hồ sơ")
    # So is a page of results that had more behind it, however few were shown.
    desk.log_search("Cán bộ C", "dang thi", [others[0].code], more=True)
    latest = desk.access_log(limit=1)[0]
    assert (latest.dossier_code, latest.detail_text) == ("", "“dang thi”: 1+ hồ sơ")

    # A code is not personal data and is kept as typed; an empty query logs nothing.
    desk.log_search("Cán bộ B", mine[0].code, [mine[0].code])
    assert desk.access_log(mine[0].code)[0].detail == f"1 {mine[0].code}"
    before = len(desk.access_log())
    desk.log_search("Cán bộ B", "   ", [])
    assert len(desk.access_log()) == before
    with pytest.raises(ValidationError):
        desk.log_search("", "hoa", [])  # a search by no one is not logged as anyone's


def test_the_access_log_answers_who_saw_or_printed_whose_data(desk: Desk, clock: FixedClock) -> None:
    a = desk.receive(intake(), "Cán bộ A")
    b = desk.receive(intake(), "Cán bộ A")
    desk.get(a.code, viewer="Cán bộ B")
    desk.record_print(a.code, "Cán bộ A", "receipt")
    desk.get(b.code, viewer="Cán bộ C")
    desk.record_report_print("Giám sát D", "logbook 2026-11-01..2026-11-30")
    desk.get(a.code)  # a read by the program itself, with no one to name, is not a view

    mine = desk.access_log(a.code)
    assert [(e.actor, e.action_name, e.detail_text) for e in mine] == [
        ("Cán bộ A", "In / lưu", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        ("Cán bộ B", "Xem", ""),
    ]
    everyone = desk.access_log()
    assert [e.actor for e in everyone] == ["Giám sát D", "Cán bộ C", "Cán bộ A", "Cán bộ B"]
    assert everyone[0].detail_text == "Sổ theo dõi hồ sơ 2026-11-01..2026-11-30"
    assert len(desk.access_log(limit=2)) == 2
    today = everyone[0].at.date()  # stamped by the wall clock, in Vietnam time
    assert len(desk.access_log(first=today, last=today)) == 4
    assert desk.access_log(first=today + timedelta(days=1)) == []
    with pytest.raises(ValidationError):
        desk.access_log(first=today, last=today - timedelta(days=1))
    with pytest.raises(NotFoundError):
        desk.access_log("000.00.11.H26-261125-2999")
    assert mine[0].to_json()["at"].endswith("+07:00")


def test_an_unknown_code_is_echoed_short_and_without_control_characters(desk: Desk) -> None:
    for typed in ("A" * 100_000, "abc\x07def", "X" * 60):
        with pytest.raises((NotFoundError, ValidationError)) as caught:
            desk.get(typed)
        message = caught.value.message
        assert len(message) < 120 and "\x07" not in message, message


def test_the_last_active_supervisor_keeps_the_role(desk: Desk) -> None:
    """Nobody could manage officials any more: refused whether the account is switched off or
    re-saved as an official (the command line's add-official re-saves)."""
    desk.add_official("lan", "Nguyễn Thị Lan", "supervisor", "2468")
    with pytest.raises(RuleError, match="ít nhất một tài khoản giám sát"):
        desk.add_official("lan", "Nguyễn Thị Lan", "official", "2468")
    with pytest.raises(RuleError, match="ít nhất một tài khoản giám sát"):
        desk.set_official_active("lan", False)
    desk.add_official("ha", "Trần Thu Hà", "supervisor", "3579")
    assert desk.add_official("lan", "Nguyễn Thị Lan", "official", "2468").role == "official"


def test_the_report_counts_each_way_a_dossier_closes_without_a_result(desk: Desk) -> None:
    """Each way has its figure: received = finished + withdrawn + stopped + still open, and the
    dossier refused at the counter (form 03) counts as refused, never as received."""
    codes = [desk.receive(intake(), "A").code for _ in range(5)]
    desk.refuse(codes[0], "A", reason="Không thuộc thẩm quyền")
    desk.withdraw(codes[1], "A", reason="Công dân xin rút")
    desk.stop(codes[2], "A", reason="Không đủ điều kiện")
    desk.record_result(codes[3], "A")
    report = desk.period_report(date(2026, 11, 1), date(2026, 11, 30))
    closed = (report["finished"], report["refused"], report["withdrawn"], report["stopped"])
    assert closed == (1, 1, 1, 1) and report["received"] == sum(closed) - report["refused"] + 1
    assert [k for k, _ in REPORT_FIGURES].index("withdrawn") > [k for k, _ in REPORT_FIGURES].index("refused")


def test_a_dossier_paused_after_its_due_time_still_reads_late() -> None:
    """Extra papers asked of a late dossier read "Tạm dừng (còn 4 ngày 7 giờ)": time in hand."""
    from counter_app.desk import TimeLeft

    late = TimeLeft(working=-timedelta(hours=4 * 8 + 7), late=True, paused=True)
    assert late.describe_vi(timedelta(hours=8)) == "Tạm dừng (đã trễ 4 ngày 7 giờ làm việc)"
    early = TimeLeft(working=timedelta(hours=3), late=False, paused=True)
    assert early.describe_vi() == "Tạm dừng (còn 3 giờ làm việc)"


def test_an_appointment_on_a_day_off_decided_since_says_it_must_be_moved(
    desk: Desk, clock: FixedClock
) -> None:
    """A day off decided after the appointment was given falls on it: the dossier reads "Còn 0
    phút" (no working time is left before a due time on a closed day), as if about to be late. It
    says the appointment is on a day off and must be moved; once moved, the time left again."""
    d = desk.receive(intake(), "A")  # due Mon 30/11 09:30
    desk.set_override(date(2026, 11, 30), "day_off", "Nghỉ đột xuất")
    clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=VN_TZ))
    left = desk.time_left(desk.get(d.code))
    assert left is not None and not left.late
    assert left.describe_vi() == "Hẹn trả rơi vào ngày nghỉ (Nghỉ đột xuất): cần hẹn lại"
    moved = desk.move_appointment(
        d.code, "A", new_due=datetime(2026, 12, 1, 9, 30, tzinfo=VN_TZ), reason="Nghỉ"
    )
    assert desk.time_left(moved).describe_vi() == "Còn 3 giờ 30 phút làm việc"  # Fri 16-17, Tue 7-9:30


def test_a_second_agency_id_change_does_not_say_the_dossiers_carry_the_first(desk: Desk) -> None:
    """A typo fixed: the dossiers carry the id set when they were received, not the typo."""
    desk.receive(intake(), "A")
    desk.update_settings(agency_id="000.17.22.H5")
    desk.update_settings(agency_id="000.17.22.H56")
    [said] = desk.change_warnings
    assert "đổi từ 000.17.22.H5 sang 000.17.22.H56" in said and "giữ nguyên mã đã cấp" in said
    assert "mã cũ" not in said


@pytest.mark.parametrize(
    "pattern", ["{agency}{date}{seq}", "HS/{agency}/{date}/{seq}", "{agency}-{counter}{date}-{seq}"]
)
def test_codes_in_another_pattern_are_found_and_the_change_is_said(desk: Desk, pattern: str) -> None:
    # A code with no dash was searched as a name and found nothing.
    national = desk.receive(intake(), "A")
    desk.update_settings(code_pattern=pattern)
    assert len(desk.change_warnings) == 1 and "Mẫu mã hồ sơ đổi" in desk.change_warnings[0]
    assert "1 hồ sơ đã tiếp nhận giữ nguyên mã đã cấp" in desk.change_warnings[0]
    own = desk.receive(intake(), "A")
    assert own.code != national.code and "-261125-" not in own.code
    for code in (own.code, national.code):
        assert [r.code for r in desk.find(code)] == [code]
        assert [r.code for r in desk.find(f" {code.lower()} ")] == [code]
    start = own.code[: len(own.code) - 3]  # typed in part, as results show while typing
    assert [r.code for r in desk.find(start)] == [own.code]
    desk.update_settings(code_pattern=pattern)
    assert desk.change_warnings == []  # the same pattern again: nothing to say


def test_a_clock_set_back_is_named_and_a_right_one_is_not(desk: Desk, clock: FixedClock) -> None:
    """Codes and appointments carry the machine's time for good: a clock set back (a flat BIOS
    battery) would print last year's date on today's receipts. The desk says so, in words."""
    received = datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ)
    clock.set(received)
    desk.receive(intake(), "Trần Văn Minh")
    # A paper dossier entered afterwards, with its own time, comes last; the later receipt still counts.
    desk.receive(intake(received_at=(received - timedelta(hours=3)).isoformat()), "Trần Văn Minh")
    for fine in (received, received - timedelta(minutes=59), received + timedelta(days=400)):
        clock.set(fine)
        assert desk.clock_problem() is None
    clock.set(received - timedelta(hours=2))
    problem = desk.clock_problem()
    assert problem is not None
    assert (
        "08:00 25/11/2026" in problem and "sớm hơn bước đã ghi trên máy này lúc 10:00 25/11/2026" in problem
    )
    assert "chỉnh lại ngày giờ" in problem
    clock.set(datetime(2010, 1, 1, 8, 0, tzinfo=VN_TZ))
    problem = desk.clock_problem()
    assert problem is not None and "08:00 01/01/2010" in problem and "trước ngày 01/07/2025" in problem


def test_the_clock_check_reads_a_bounded_tail_of_the_events(desk: Desk, clock: FixedClock) -> None:
    """A counter set up anew pulls the commune's history (a million events from the hub, none its
    own): the check read every one of them at each sign-in, holding the connection the screen
    waits for. It reads the last events only: its work does not grow with the file (counted in
    SQLite's virtual-machine steps, not in time), and its own step far back is no longer sought."""
    from counter_app.store.dossiers import LOCAL_TIME_WINDOW

    desk.receive(intake(), "Trần Văn Minh")

    def pull(n: int) -> None:
        with desk.store.transaction():
            for i in range(n):
                event = new_event(f"X-{i}", "received", clock(), "B", "other#1", {})
                desk.store.insert_pulled(event, i + 1)

    def steps() -> int:
        counted = [0]

        def tick() -> int:
            counted[0] += 1
            return 0

        desk.store.conn.set_progress_handler(tick, 1)
        try:
            desk.store.latest_local_time()
        finally:
            desk.store.conn.set_progress_handler(None, 1)
        return counted[0]

    pull(LOCAL_TIME_WINDOW - 10)
    assert desk.store.latest_local_time() is not None  # still within the tail: found
    pull(LOCAL_TIME_WINDOW)
    assert desk.store.latest_local_time() is None and desk.clock_problem() is None
    before = steps()
    pull(3 * LOCAL_TIME_WINDOW)
    assert steps() == before


def test_a_fresh_counter_with_a_clock_in_a_year_long_past_is_told(make_desk: Any, clock: FixedClock) -> None:
    clock.set(datetime(2000, 1, 1, 7, 5, tzinfo=VN_TZ))
    desk = make_desk()
    problem = desk.clock_problem()
    assert problem is not None and "07:05 01/01/2000" in problem


def test_a_step_rewrites_only_the_columns_a_step_changes(desk: Desk) -> None:
    """A lifecycle step updates the status and dates of the row and leaves its name, ID, phone and
    code (their indexes, the name index) alone, for a dossier with an owner and for one without
    (whose owner columns are NULL); the row is still what its events fold to."""
    plain = desk.receive(intake(), "A")
    owned = desk.receive(intake(owner={"name": "Lê Thị Mai", "id_number": "038190001299"}), "A")
    for d in (plain, owned):
        traced: list[str] = []
        desk.store.conn.set_trace_callback(traced.append)
        desk.transfer(d.code, "A")
        desk.store.conn.set_trace_callback(None)
        writes = [sql for sql in traced if re.match(r"\s*(INSERT|UPDATE|DELETE)\b.*\bdossiers\b", sql)]
        assert writes and all(sql.startswith("UPDATE dossiers SET status") for sql in writes), writes
        assert not [sql for sql in traced if "dossiers_fts" in sql or "owners_fts" in sql]
    assert desk.store.projection_differs() is None
    assert [r.code for r in desk.find("le thi mai")] == [owned.code]


def test_a_dossier_handed_on_goes_further_only_to_another_agency(desk: Desk) -> None:
    """A second transfer with no destination, or to where the dossier already is, printed a
    hand-over from an agency to itself on the control slip; the papers brought back to the centre
    make the next hand-over to the same office a real one."""
    d = desk.receive(intake(), "cb1")
    desk.transfer(d.code, "cb1", to_agency_name="Công chức Tư pháp - Hộ tịch")
    with pytest.raises(ValidationError, match="Công chức Tư pháp - Hộ tịch") as info:
        desk.transfer(d.code, "cb1")
    assert info.value.errors[0].field == "to_agency_name"
    with pytest.raises(ValidationError, match="không chuyển lại") as info:
        desk.transfer(d.code, "cb1", to_agency_name="công chức tư pháp - hộ tịch")
    assert info.value.errors[0].field == "to_agency_name"  # said under the field typed in
    assert desk.get(d.code).events == 2  # nothing recorded by the two refused
    onward = desk.transfer(d.code, "cb1", to_agency_name="Phòng Kinh tế")
    assert onward.handled_by == "Phòng Kinh tế"
    desk.request_extra_papers(d.code, "cb1", papers=["Bản sao giấy khai sinh"], reason="Thiếu")
    desk.receive_extra_papers(d.code, "cb1")
    assert desk.transfer(d.code, "cb1", to_agency_name="Phòng Kinh tế").status == 4


def test_a_first_hop_that_named_no_one_is_at_the_deciding_agency(desk: Desk) -> None:
    """The first transfer names no one: the dossier is at the deciding agency. A second one typed
    with that agency's name went through, and the control slip printed a hand-over from the
    commune's People's Committee to itself; the message named "cơ quan giải quyết", not it."""
    d = desk.receive(intake(), "cb1")
    deciding = d.deciding_agency_name
    assert deciding
    desk.transfer(d.code, "cb1")
    for typed in (deciding, deciding.upper(), f"  {deciding} "):
        with pytest.raises(ValidationError) as info:
            desk.transfer(d.code, "cb1", to_agency_name=typed)
        assert info.value.errors[0].message.startswith(f"Hồ sơ đang ở «{deciding}»: không chuyển lại")
    with pytest.raises(ValidationError, match=f"chuyển đến «{deciding}»"):
        desk.transfer(d.code, "cb1")
    assert desk.get(d.code).events == 2
    assert desk.transfer(d.code, "cb1", to_agency_name="Phòng Kinh tế").handled_by == "Phòng Kinh tế"


def test_a_dossier_recorded_by_a_clock_ahead_can_be_moved_on_once_the_clock_is_right(
    desk: Desk, clock: FixedClock
) -> None:
    """A counter whose clock ran three days ahead received a dossier (and synced it): every step
    on it was refused on every counter of the commune until that time came. A step made now is
    dated with the dossier's last step, so the history keeps its order; one typed for an
    earlier time (--at) is still refused."""
    right = datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ)
    clock.set(right + timedelta(days=3))
    d = desk.receive(intake(), "cb1")
    clock.set(right)
    moved = desk.transfer(d.code, "cb1", to_agency_name="Công chức Tư pháp - Hộ tịch")
    assert moved.status == 4 and moved.updated_at == d.received_at
    later = desk.request_extra_papers(d.code, "cb1", papers=["Bản sao"], reason="Thiếu")
    assert later.status == 5
    assert [e.kind for e in desk.events(d.code)] == ["received", "transferred", "extra_papers_requested"]
    with pytest.raises(ValidationError, match="theo đúng thứ tự"):
        desk.receive_extra_papers(d.code, "cb1", at=right + timedelta(minutes=5))


def test_an_id_number_and_a_birth_date_of_different_years_are_warned_not_refused(desk: Desk) -> None:
    applicant = {"name": "Đỗ Văn Cường", "id_number": "001190012345", "birth_date": "15/06/1985"}
    parsed = desk.parse_intake(intake(applicant=applicant))
    assert [w for w in parsed.warnings if "năm sinh 1990" in w] == [
        "Số căn cước 001 190… ghi năm sinh 1990, khác ngày sinh đã nhập (15/06/1985): "
        "kiểm tra lại số căn cước hoặc ngày sinh."
    ]
    assert desk.receive(parsed, "A").applicant.birth_date == "1985-06-15"  # the citizen knows best
    agreeing = desk.parse_intake(intake(applicant={**applicant, "birth_date": "15/06/1990"}))
    assert not [w for w in agreeing.warnings if "năm sinh" in w]


def test_office_hours_that_leave_appointments_outside_them_name_those_dossiers(desk: Desk) -> None:
    """Shorter hours kept each appointment given under the old ones, and said nothing: a citizen
    told 09:30 came to a closed office. The dossiers whose appointment the new hours leave outside
    are named, as a day off declared names its own; those inside are not."""
    early = desk.receive(intake(), "A")  # 09:30 Wed: due 09:30 Mon 30/11
    desk.update_settings(office_hours="07:00-11:30,13:30-17:00")
    assert not [w for w in desk.change_warnings if early.code in w]
    desk.update_settings(office_hours="07:30-09:00,13:30-17:00")
    said = [w for w in desk.change_warnings if early.code in w]
    assert said == [
        f"1 hồ sơ đang có hẹn trả ngoài giờ làm việc mới (07:30–09:00, 13:30–17:00) ({early.code}): "
        "hãy hẹn lại từng hồ sơ, kèm văn bản xin lỗi (phím h ở màn hình hồ sơ, hoặc lệnh counter "
        "move-appointment), để công dân không đến khi cơ quan nghỉ."
    ]
    assert desk.get(early.code).due_at.hour == 9  # nothing moved by itself: the apology is the rule


def test_appointments_on_a_day_declared_off_are_not_named_as_outside_new_hours(desk: Desk) -> None:
    """A day off declared over appointments is said when it is declared. Office hours saved
    afterwards (the usual ones again) named those appointments "outside the new hours", though
    their clock times were inside them."""
    dossier = desk.receive(intake(), "A")  # 09:30 Wed: due 09:30 Mon 30/11
    desk.set_override(dossier.due_at.date(), "day_off", "Nghỉ đột xuất")
    desk.update_settings(office_hours="07:30-11:30,13:30-17:00")
    desk.update_settings(office_hours="07:00-11:30,13:30-17:00")
    assert not [w for w in desk.change_warnings if dossier.code in w]


@pytest.mark.parametrize("field", ["name", "address"])
def test_a_receipt_scanned_into_a_name_or_an_address_is_refused(desk: Desk, field: str) -> None:
    """A scanner that ends with Tab types the code into whatever field has the focus; names may hold
    digits, so the code was saved as part of the applicant's name or address."""
    code = desk.receive(intake(), "A").code
    applicant = dict(intake()["applicant"])
    applicant[field] = f"{applicant[field]} {code.lower() if field == 'name' else code}"
    before = desk.count_view("today")
    with pytest.raises(ValidationError) as raised:
        desk.receive(intake(applicant=applicant), "A")
    assert [e.field for e in raised.value.errors] == [f"applicant.{field}"]
    assert "quét nhầm" in raised.value.errors[0].message
    assert desk.count_view("today") == before
    ordinary = dict(intake()["applicant"], address="Số 12-14 ngõ 3/5, Tổ 20-261125-2001")
    assert desk.receive(intake(applicant=ordinary), "A").applicant.address == ordinary["address"]


@pytest.mark.parametrize("field", ["name", "address"])
def test_a_chip_card_line_not_read_as_one_is_refused_in_a_name_or_an_address(desk: Desk, field: str) -> None:
    """A QR line the form could not read as a card (a shape it does not know) was saved as the
    citizen's name, and printed so on the receipt."""
    applicant = dict(intake()["applicant"])
    applicant[field] = "031090001313||Lê Thị Bé|01021990|Nữ"
    before = desk.count_view("today")
    with pytest.raises(ValidationError) as raised:
        desk.receive(intake(applicant=applicant), "A")
    assert [e.field for e in raised.value.errors] == [f"applicant.{field}"]
    assert "mã QR căn cước" in raised.value.errors[0].message
    assert desk.count_view("today") == before


def test_the_legal_basis_of_a_stop_is_in_its_history_line(desk: Desk) -> None:
    """Recorded with the stop, it showed nowhere but on the notice: not on the dossier screen,
    not in `counter show`."""
    d = desk.receive(intake(), "A")
    desk.stop(d.code, "A", reason="Công dân đề nghị dừng", legal_basis="Điều 18 Nghị định 118/2025/NĐ-CP")
    step = desk.history(d.code)[-1]
    assert step.kind == "stopped"
    assert step.detail == "Lý do: Công dân đề nghị dừng; Căn cứ pháp lý: Điều 18 Nghị định 118/2025/NĐ-CP"


def test_a_step_names_the_step_it_follows_on_a_file_of_before_the_hub_order(
    desk: Desk, make_desk: Any, db_path: Any
) -> None:
    """A file upgraded from before migration 15 folds its old events in their recorded order (a
    coalesce(...) in the ORDER BY): reversed term by term, every status step and moved appointment
    failed with 'near DESC: syntax error' (exit 5) on every counter upgraded from then."""
    from counter_app.store.dossiers import HUB_PIVOT

    code = desk.receive(intake(), "A").code
    desk.store.write_settings({HUB_PIVOT: "1"})
    again = make_desk(db_path)
    transferred = again.transfer(code, "A")
    events = again.events(code)
    assert transferred.status == 4 and events[-1].payload["after"] == events[0].uuid
    moved = again.move_appointment(
        code, "A", new_due=transferred.due_at + timedelta(days=7), reason="Xác minh"
    )
    assert moved.due_at > transferred.due_at


def test_a_step_on_a_dossier_that_changed_since_it_was_shown_is_refused(desk: Desk) -> None:
    """The sync pulled another counter's transfer while the refusal dialog was open on a screen
    showing status 2: the refusal was recorded as taken after a transfer nobody here saw."""
    code = desk.receive(intake(), "A").code
    shown = desk.get(code)
    desk.transfer(code, "B")  # what the background sync brought meanwhile
    with pytest.raises(RuleError, match="vừa có bước mới"), desk.as_shown(shown):
        desk.refuse(code, "A", reason="Không thuộc thẩm quyền")
    assert desk.get(code).status == 4
    with desk.as_shown(desk.get(code)):  # read again, as the screen does: the official decides
        assert desk.refuse(code, "A", reason="Không thuộc thẩm quyền").status == 3
