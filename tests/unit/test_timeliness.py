"""Early, on time, late: judged against the procedure's time limit, which an apology does not extend."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from counter_app.domain.errors import RuleError
from tests.conftest import FixedClock, intake


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


RULE_DUE = vn(2026, 11, 30, 9, 30)
"""A 3-working-day dossier received Wed 25/11/2026 09:30 (the desk's clock) is due Mon 30/11 09:30."""


def moved(desk: Desk, clock: FixedClock) -> str:
    """A dossier whose appointment was moved on Fri 27/11 (before its due) to Fri 4/12 17:00."""
    code = desk.receive(intake(), "A").code
    clock.set(vn(2026, 11, 27, 10, 0))
    d = desk.move_appointment(code, "A", new_due=vn(2026, 12, 4, 17, 0), reason="Cần xác minh thêm")
    assert d.due_at == vn(2026, 12, 4, 17, 0) and d.rule_due_at == RULE_DUE
    return code


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (vn(2026, 11, 27, 15, 0), "early"),
        (vn(2026, 11, 30, 9, 0), "on_time"),
        (vn(2026, 12, 2, 10, 0), "late"),  # before the apology's date, after the time limit
    ],
)
def test_an_apology_gives_a_new_date_not_more_time(
    desk: Desk, clock: FixedClock, finished: datetime, expected: str
) -> None:
    code = moved(desk, clock)
    clock.set(finished)
    d = desk.record_result(code, "A")
    assert d.timeliness() == expected
    report = desk.period_report(date(2026, 11, 1), date(2026, 12, 31))
    assert (report["early"], report["on_time"], report["late"]) == tuple(
        int(expected == k) for k in ("early", "on_time", "late")
    )
    assert desk.get(code).timeliness() == expected  # the stored projection says the same


def test_an_appointment_already_passed_cannot_be_moved(desk: Desk, clock: FixedClock) -> None:
    code = desk.receive(intake(), "A").code
    clock.set(vn(2026, 11, 30, 10, 0))  # half an hour late
    events = desk.store.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    with pytest.raises(RuleError, match="quá hạn từ 09:30 30/11/2026") as info:
        desk.move_appointment(code, "A", new_due=vn(2026, 12, 4, 17, 0), reason="Cần xác minh thêm")
    assert "trước thời hạn" in info.value.message
    assert desk.store.conn.execute("SELECT count(*) FROM events").fetchone()[0] == events
    assert [r.code for r in desk.list_view("overdue")] == [code]  # still overdue, still counted
    assert desk.period_report(date(2026, 11, 1), date(2026, 11, 30))["overdue"] == 1


def test_the_time_limit_moves_with_time_waited_for_papers_after_an_apology(
    desk: Desk, clock: FixedClock
) -> None:
    code = moved(desk, clock)
    clock.set(vn(2026, 11, 27, 14, 0))
    desk.request_extra_papers(code, "A", papers=["Bản sao trích lục"], reason="Thiếu giấy")
    clock.set(vn(2026, 12, 1, 14, 0))  # two working days waited (Fri 14:00 -> Tue 14:00)
    d = desk.receive_extra_papers(code, "A")
    assert d.rule_due_at == vn(2026, 12, 2, 9, 30)
    assert d.due_at == vn(2026, 12, 8, 17, 0)
    rebuilt = desk.store.rebuild_projection()
    assert rebuilt == 1 and desk.get(code) == d


def test_time_left_says_late_as_soon_as_the_due_time_passes(desk: Desk, clock: FixedClock) -> None:
    """Due at 11:30: at 12:00 no working time has passed since (lunch), yet the dossier is overdue,
    and "time left" must say so too (it said "Còn 0 phút làm việc")."""
    clock.set(vn(2026, 11, 25, 11, 30))
    d = desk.receive(intake(), "A")
    assert d.due_at == vn(2026, 11, 30, 11, 30)
    for now, text in [
        (vn(2026, 11, 30, 11, 0), "Còn 30 phút làm việc"),
        (vn(2026, 11, 30, 11, 29, 30), "Còn dưới 1 phút làm việc"),  # not "Còn 0 phút"
        (vn(2026, 11, 30, 11, 30), "Còn dưới 1 phút làm việc"),  # due now, late a second later
        (vn(2026, 11, 30, 12, 0), "Đã quá hạn"),
        (vn(2026, 11, 30, 14, 0), "Trễ 30 phút làm việc"),
    ]:
        left = desk.time_left(d, now)
        assert left is not None and left.describe_vi() == text
        assert left.late == d.is_overdue(now)


def test_a_wait_before_the_clock_starts_moves_nothing(desk: Desk, clock: FixedClock) -> None:
    """A same-day procedure received after its 15:00 cut-off is counted from the next morning:
    papers asked for and brought back that evening move nothing; waited into the morning, only the
    morning's part counts."""
    clock.set(vn(2026, 11, 25, 16, 0))
    quick = desk.receive(intake(procedure="1.001193"), "A").code
    later = desk.receive(intake(procedure="1.001193"), "A").code
    assert desk.get(quick).due_at == vn(2026, 11, 26, 17, 0)
    clock.set(vn(2026, 11, 25, 16, 5))
    for code in (quick, later):
        desk.request_extra_papers(code, "A", papers=["Giấy chứng sinh"], reason="Thiếu giấy")
    clock.set(vn(2026, 11, 25, 16, 30))
    assert desk.receive_extra_papers(quick, "A").due_at == vn(2026, 11, 26, 17, 0)
    clock.set(vn(2026, 11, 26, 8, 0))
    assert desk.receive_extra_papers(later, "A").due_at == vn(2026, 11, 27, 8, 0)
