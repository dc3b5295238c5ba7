"""Tests of the working-time module (DOMAIN.md §6): worked examples, package data, properties.

Everything is deterministic: fixed instants, no clock reads except to check ``now_vn()``'s zone,
and Hypothesis runs derandomised without its example database.
"""

from __future__ import annotations

import time as time_module
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.domain.calendar import (
    VN_TZ,
    OfficeHours,
    Override,
    TimeLimit,
    WorkCalendar,
    now_vn,
    to_vn,
)
from counter_app.domain.errors import RuleError

CAL = WorkCalendar()
H = timedelta(hours=1)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def wd(amount: float, cutoff: time | None = None) -> TimeLimit:
    return TimeLimit("working_days", amount, cutoff)


SAME_DAY_15 = TimeLimit("same_day", cutoff=time(15, 0))


# -- worked examples (DOMAIN.md §6) ------------------------------------------------------------

WORKED_EXAMPLES = [
    pytest.param(vn(2025, 4, 24, 9), 3, vn(2025, 4, 28, 9), id="make-up-saturday-26-4"),
    pytest.param(vn(2027, 2, 3, 9), 5, vn(2027, 2, 17, 9), id="tet-2027"),
    pytest.param(vn(2025, 4, 29, 15), 1, vn(2025, 5, 5, 15), id="30-4-1-5-swapped-2-5"),
    pytest.param(vn(2025, 4, 24, 17, 20), 1, vn(2025, 4, 25, 17), id="after-closing"),
    pytest.param(vn(2025, 4, 25, 12, 10), 2, vn(2025, 4, 28, 11, 30), id="lunch-ends-at-11-30"),
    pytest.param(datetime(2025, 4, 23, 23, 30, tzinfo=UTC), 1, vn(2025, 4, 24, 17), id="utc-evening"),
    pytest.param(vn(2026, 3, 3, 17, 30), 3, vn(2026, 3, 6, 17), id="ends-at-17-00"),
]


@pytest.mark.parametrize(("received", "days", "expected"), WORKED_EXAMPLES)
def test_worked_examples(received: datetime, days: int, expected: datetime) -> None:
    due = CAL.due(received, wd(days))
    assert due == expected
    assert due.tzinfo is VN_TZ
    assert (due.hour, due.minute) == (expected.hour, expected.minute)


def test_utc_receipt_counts_from_vietnam_morning() -> None:
    received = datetime(2025, 4, 23, 23, 30, tzinfo=UTC)
    assert to_vn(received) == vn(2025, 4, 24, 6, 30)
    assert to_vn(received).date() == date(2025, 4, 24)
    assert CAL.normalise(received) == vn(2025, 4, 24, 7)


# -- package data (holidays 0.109) -------------------------------------------------------------


def test_vietnam_cultural_day_from_2026() -> None:
    assert not CAL.is_working_day(date(2026, 11, 24))
    assert CAL.day_note(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert CAL.is_working_day(date(2025, 11, 24))  # a Monday, not yet a holiday
    assert CAL.day_note(date(2025, 11, 24)) == ""


def test_make_up_saturdays_are_working_days() -> None:
    for saturday in (date(2024, 5, 4), date(2025, 4, 26), date(2026, 8, 22)):
        assert saturday.weekday() == 5
        assert CAL.is_working_day(saturday)
        assert CAL.day_note(saturday) == "Ngày làm việc bù"
    assert not CAL.is_working_day(date(2025, 4, 19))  # an ordinary Saturday


def test_substituted_days_off() -> None:
    assert not CAL.is_working_day(date(2025, 5, 2))
    assert "26/04/2025" in CAL.day_note(date(2025, 5, 2))
    assert not CAL.is_working_day(date(2026, 8, 31))
    assert "22/08/2026" in CAL.day_note(date(2026, 8, 31))


@pytest.mark.parametrize(
    ("days_off", "working"),
    [
        ((date(2025, 9, 1), date(2025, 9, 2)), date(2025, 9, 3)),  # Tue 2/9 + Mon 1/9
        ((date(2026, 9, 1), date(2026, 9, 2)), date(2026, 9, 3)),  # Wed 2/9 + Tue 1/9
        ((date(2027, 9, 2), date(2027, 9, 3)), date(2027, 9, 6)),  # Thu 2/9 + Fri 3/9
    ],
)
def test_national_day_and_adjacent_day(days_off: tuple[date, ...], working: date) -> None:
    for day in days_off:
        assert not CAL.is_working_day(day)
        assert CAL.day_note(day) == "Quốc khánh"
    assert CAL.is_working_day(working)


def test_tet_2026_and_2027_by_package_rules() -> None:
    # 2026: Mon 16 (Giao thừa) to Fri 20 Feb (mùng bốn).
    assert CAL.is_working_day(date(2026, 2, 13))
    assert [CAL.is_working_day(date(2026, 2, d)) for d in range(16, 21)] == [False] * 5
    assert CAL.is_working_day(date(2026, 2, 23))
    # 2027: Thu 4 (29 Tết) to Wed 10 Feb (mùng năm, for the weekend days of Tết).
    assert CAL.is_working_day(date(2027, 2, 3))
    assert [CAL.is_working_day(date(2027, 2, d)) for d in range(4, 11)] == [False] * 7
    assert CAL.is_working_day(date(2027, 2, 11))
    assert CAL.day_note(date(2027, 2, 6)) == "Tết Nguyên Đán"


def test_next_working_day_is_strictly_after() -> None:
    assert CAL.next_working_day(date(2025, 6, 10)) == date(2025, 6, 11)
    assert CAL.next_working_day(date(2025, 6, 13)) == date(2025, 6, 16)
    assert CAL.next_working_day(date(2025, 4, 29)) == date(2025, 5, 5)
    assert CAL.next_working_day(date(2025, 4, 25)) == date(2025, 4, 26)


def test_is_working_day_accepts_an_aware_datetime() -> None:
    # 23:30 UTC on Friday is Saturday morning in Vietnam.
    assert not CAL.is_working_day(datetime(2025, 6, 13, 23, 30, tzinfo=UTC))


# -- normalise, working time -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (vn(2025, 6, 10, 6, 0), vn(2025, 6, 10, 7, 0)),  # before opening
        (vn(2025, 6, 10, 7, 0), vn(2025, 6, 10, 7, 0)),
        (vn(2025, 6, 10, 9, 15), vn(2025, 6, 10, 9, 15)),
        (vn(2025, 6, 10, 11, 30), vn(2025, 6, 10, 13, 30)),  # lunch
        (vn(2025, 6, 10, 12, 45), vn(2025, 6, 10, 13, 30)),
        (vn(2025, 6, 10, 16, 59), vn(2025, 6, 10, 16, 59)),
        (vn(2025, 6, 10, 17, 0), vn(2025, 6, 11, 7, 0)),  # closed
        (vn(2025, 6, 13, 20, 0), vn(2025, 6, 16, 7, 0)),  # Friday evening
        (vn(2025, 6, 14, 10, 0), vn(2025, 6, 16, 7, 0)),  # Saturday
    ],
)
def test_normalise(at: datetime, expected: datetime) -> None:
    assert CAL.normalise(at) == expected


def test_add_working_time_stops_at_session_ends() -> None:
    assert CAL.add_working_time(vn(2025, 6, 10, 9), 2.5 * H) == vn(2025, 6, 10, 11, 30)
    assert CAL.add_working_time(vn(2025, 6, 10, 9), 2.5 * H + timedelta(seconds=1)) == vn(
        2025, 6, 10, 13, 30
    ) + timedelta(seconds=1)
    assert CAL.add_working_time(vn(2025, 6, 10, 7), 8 * H) == vn(2025, 6, 10, 17)
    assert CAL.add_working_time(vn(2025, 6, 10, 7), 16 * H) == vn(2025, 6, 11, 17)
    assert CAL.add_working_time(vn(2025, 6, 10, 12), timedelta(0)) == vn(2025, 6, 10, 13, 30)
    with pytest.raises(ValueError):
        CAL.add_working_time(vn(2025, 6, 10, 9), -H)


def test_working_time_between() -> None:
    assert CAL.working_time_between(vn(2025, 6, 10, 11), vn(2025, 6, 10, 14)) == H
    assert CAL.working_time_between(vn(2025, 6, 10, 14), vn(2025, 6, 10, 11)) == -H
    assert CAL.working_time_between(vn(2025, 6, 13, 16), vn(2025, 6, 16, 8)) == 2 * H
    assert CAL.working_time_between(vn(2025, 6, 14, 8), vn(2025, 6, 14, 9)) == timedelta(0)
    assert CAL.working_time_between(vn(2025, 6, 9), vn(2025, 6, 16)) == 5 * 8 * H


def test_fractional_working_days() -> None:
    # 1.5 days = 12 h: Tue 09:00 -> 17:00 is 6 h, Wed 07:00 + 6 h is 15:00.
    assert CAL.due(vn(2025, 6, 10, 9), wd(1.5)) == vn(2025, 6, 11, 15)
    assert CAL.due(vn(2025, 6, 10, 7), wd(0.5)) == vn(2025, 6, 10, 11)
    assert CAL.due(vn(2025, 6, 10, 7), wd(0.5625)) == vn(2025, 6, 10, 11, 30)
    assert CAL.due(vn(2025, 6, 10, 12), wd(0)) == vn(2025, 6, 10, 13, 30)


# -- cut-off, same day, calendar days ----------------------------------------------------------


def test_same_day_with_cutoff() -> None:
    assert CAL.due(vn(2025, 6, 10, 14, 59), SAME_DAY_15) == vn(2025, 6, 10, 17)
    assert CAL.due(vn(2025, 6, 10, 15, 1), SAME_DAY_15) == vn(2025, 6, 11, 17)
    assert CAL.due(vn(2025, 6, 13, 16, 0), SAME_DAY_15) == vn(2025, 6, 16, 17)  # Fri -> Mon
    assert CAL.due(vn(2025, 6, 14, 9, 0), SAME_DAY_15) == vn(2025, 6, 16, 17)  # Saturday


def test_same_day_without_cutoff() -> None:
    same_day = TimeLimit("same_day")
    assert CAL.due(vn(2025, 6, 10, 16, 30), same_day) == vn(2025, 6, 10, 17)
    assert CAL.due(vn(2025, 6, 10, 17, 5), same_day) == vn(2025, 6, 11, 17)
    assert CAL.due(vn(2025, 6, 10, 6, 0), same_day) == vn(2025, 6, 10, 17)


def test_cutoff_applies_to_working_day_limits() -> None:
    assert CAL.due(vn(2025, 6, 10, 14, 0), wd(2, time(15))) == vn(2025, 6, 12, 14, 0)
    assert CAL.due(vn(2025, 6, 10, 15, 30), wd(2, time(15))) == vn(2025, 6, 12, 17, 0)


def test_calendar_days() -> None:
    limit = TimeLimit("calendar_days", 15)
    # Tue 10/6 + 15 days = Wed 25/6, a working day.
    assert CAL.due(vn(2025, 6, 10, 9), limit) == vn(2025, 6, 25, 9)
    # Fri 13/6 + 15 days = Sat 28/6 -> Mon 30/6, same clock time.
    assert CAL.due(vn(2025, 6, 13, 9), limit) == vn(2025, 6, 30, 9)
    # Received in the evening: day one is the next day; due at the close of the 15th (25/6).
    assert CAL.due(vn(2025, 6, 10, 18), limit) == vn(2025, 6, 25, 17)
    # Before opening: the day of receipt is day one.
    assert CAL.due(vn(2025, 6, 10, 6, 30), limit) == vn(2025, 6, 24, 17)
    # Saturday night: day one is Sunday 29/11, the 15th Sunday 13/12, a day off -> Mon 14/12 at
    # its close (from Monday's opening it ran to 07:00 Tue 15/12, a day late).
    assert CAL.due(vn(2026, 11, 28, 22, 17), limit) == vn(2026, 12, 14, 17)
    # The evening before Tết 2026 (14/2-22/2 off): the days off count, as calendar days do; from
    # the opening after the break the count ran nine days past the legal one.
    assert CAL.due(vn(2026, 2, 13, 18), limit) == vn(2026, 3, 2, 17)
    # Lands on 30/4/2025 (holiday) -> 1/5 holiday, 2/5 swapped -> Sat 3, Sun 4 -> Mon 5/5.
    assert CAL.due(vn(2025, 4, 15, 10), limit) == vn(2025, 5, 5, 10)
    with pytest.raises(ValueError):
        TimeLimit("calendar_days", 1.5)


# -- local overrides ---------------------------------------------------------------------------


def test_day_off_override_pushes_the_due() -> None:
    received = vn(2025, 6, 9, 9)  # Monday
    assert CAL.due(received, wd(3)) == vn(2025, 6, 12, 9)
    closed = WorkCalendar(overrides=[Override(date(2025, 6, 11), "day_off", "Nghỉ bão")])
    assert not closed.is_working_day(date(2025, 6, 11))
    assert closed.day_note(date(2025, 6, 11)) == "Nghỉ bão"
    assert closed.due(received, wd(3)) == vn(2025, 6, 13, 9)


def test_working_day_override_pulls_the_due_in() -> None:
    received = vn(2025, 6, 13, 9)  # Friday
    assert CAL.due(received, wd(1)) == vn(2025, 6, 16, 9)
    open_sunday = WorkCalendar(overrides=[Override(date(2025, 6, 15), "working_day", "Làm bù")])
    assert open_sunday.is_working_day(date(2025, 6, 15))
    assert open_sunday.due(received, wd(1)) == vn(2025, 6, 15, 9)


def test_overrides_beat_the_package() -> None:
    calendar = WorkCalendar(
        overrides=[
            Override(date(2025, 5, 2), "working_day"),  # a substituted day off
            Override(date(2025, 4, 26), "day_off"),  # the make-up Saturday
        ]
    )
    assert calendar.is_working_day(date(2025, 5, 2))
    assert not calendar.is_working_day(date(2025, 4, 26))
    assert calendar.day_note(date(2025, 5, 2)) == ""
    # Without the package's swap the first example moves: Fri 25 -> Mon 28 -> Tue 29.
    assert calendar.due(vn(2025, 4, 24, 9), wd(3)) == vn(2025, 4, 29, 9)


def test_override_validation() -> None:
    with pytest.raises(ValueError):
        Override(date(2025, 1, 1), "holiday")  # type: ignore[arg-type]


def test_a_calendar_without_working_days_raises_rule_error() -> None:
    start = date(2030, 1, 1)
    closed = WorkCalendar(overrides=[Override(start + timedelta(days=i), "day_off") for i in range(4 * 366)])
    with pytest.raises(RuleError) as excinfo:
        closed.due(vn(2030, 1, 1, 9), wd(1))
    assert "Không tìm thấy ngày làm việc" in excinfo.value.message


# -- pauses ------------------------------------------------------------------------------------


def test_pause_across_a_weekend() -> None:
    # Paused Fri 16:00, resumed Mon 08:00: 1 h on Friday + 1 h on Monday.
    shifted = CAL.shift_for_pause(vn(2025, 6, 17, 9), vn(2025, 6, 13, 16), vn(2025, 6, 16, 8))
    assert shifted == vn(2025, 6, 17, 11)


def test_pause_pushes_a_due_over_the_weekend() -> None:
    # 10 h waited (Thu 1 h, Fri 8 h, Mon 1 h); due Fri 10:00 -> 5 h on Fri, 5 h on Mon -> 14:00.
    shifted = CAL.shift_for_pause(vn(2025, 6, 13, 10), vn(2025, 6, 12, 16), vn(2025, 6, 16, 8))
    assert shifted == vn(2025, 6, 16, 14)


def test_pause_without_working_time_keeps_the_due() -> None:
    due = vn(2025, 6, 13, 17)
    assert CAL.shift_for_pause(due, vn(2025, 6, 14, 8), vn(2025, 6, 15, 20)) == due
    with pytest.raises(ValueError):
        CAL.shift_for_pause(due, vn(2025, 6, 12, 10), vn(2025, 6, 11, 10))


# -- time zones --------------------------------------------------------------------------------


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2025, 6, 10, 9)
    with pytest.raises(ValueError):
        to_vn(naive)
    with pytest.raises(ValueError):
        CAL.due(naive, wd(1))
    with pytest.raises(ValueError):
        CAL.normalise(naive)
    with pytest.raises(ValueError):
        CAL.working_time_between(naive, vn(2025, 6, 10))


def test_results_are_in_vietnam_time() -> None:
    received = datetime(2025, 6, 10, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
    due = CAL.due(received, wd(1))
    assert due.tzinfo is VN_TZ
    assert due == vn(2025, 6, 11, 9)
    assert now_vn().tzinfo is VN_TZ
    assert now_vn().utcoffset() == timedelta(hours=7)


@pytest.fixture
def foreign_process_tz(monkeypatch: pytest.MonkeyPatch):
    # POSIX rule, so no system tz database is needed: "XYZ-14" is UTC+14.
    monkeypatch.setenv("TZ", "XYZ-14")
    time_module.tzset()
    yield
    monkeypatch.undo()
    time_module.tzset()


@pytest.mark.usefixtures("foreign_process_tz")
def test_process_time_zone_changes_nothing() -> None:
    assert datetime.now().astimezone().utcoffset() == timedelta(hours=14)  # the patch took
    calendar = WorkCalendar()
    for param in WORKED_EXAMPLES:
        received, days, expected = param.values
        assert calendar.due(received, wd(days)) == expected
    assert calendar.due(vn(2025, 6, 13, 16), SAME_DAY_15) == vn(2025, 6, 16, 17)
    assert now_vn().utcoffset() == timedelta(hours=7)


# -- office hours and limits -------------------------------------------------------------------


def test_default_office_hours() -> None:
    hours = OfficeHours()
    assert hours.opening == time(7)
    assert hours.closing == time(17)
    assert hours.hours_per_day == 8 * H
    assert hours.format() == "07:00-11:30,13:30-17:00"
    assert OfficeHours.parse("07:00-11:30,13:30-17:00") == hours
    assert OfficeHours.parse(" 7:00 - 11:30 , 13:30-17:00 ") == hours


def test_office_hours_validation() -> None:
    with pytest.raises(ValueError):
        OfficeHours(())
    with pytest.raises(ValueError):
        OfficeHours(((time(11), time(7)),))
    with pytest.raises(ValueError):
        OfficeHours(((time(13), time(17)), (time(7), time(11))))
    with pytest.raises(ValueError):
        OfficeHours(((time(7), time(12)), (time(11), time(17))))
    for bad in ("", "07:00", "07:00-25:00", "7h-11h"):
        with pytest.raises(ValueError):
            OfficeHours.parse(bad)


def test_custom_office_hours() -> None:
    hours = OfficeHours.parse("07:30-11:30,13:00-16:30")
    assert hours.hours_per_day == 7.5 * H
    assert OfficeHours.parse(hours.format()) == hours
    calendar = WorkCalendar(hours)
    # One working day is 8 working hours (DOMAIN.md §6), not the 7.5 h office day: from 07:30 on
    # Tuesday, 7.5 h run to 16:30 and the last half hour to 08:00 on Wednesday.
    assert calendar.due(vn(2025, 6, 10, 6), wd(1)) == vn(2025, 6, 11, 8, 0)
    assert calendar.due(vn(2025, 6, 10, 9), wd(1)) == vn(2025, 6, 11, 9, 30)
    assert calendar.due(vn(2025, 6, 10, 12), TimeLimit("same_day")) == vn(2025, 6, 10, 16, 30)


@pytest.mark.parametrize(
    ("limit", "text"),
    [
        (wd(3), "03 ngày làm việc"),
        (wd(1.5), "1,5 ngày làm việc"),
        (wd(0.5), "04 giờ làm việc"),  # under a day, as the legal texts say it: not "0,5 ngày"
        (wd(0.125), "01 giờ làm việc"),
        (wd(1.125), "09 giờ làm việc"),
        (TimeLimit("calendar_days", 15), "15 ngày"),
        (TimeLimit("same_day"), "Trong ngày"),
        (SAME_DAY_15, "Trong ngày (sau 15 giờ 00: ngày làm việc tiếp theo)"),
        (wd(5, time(15, 30)), "05 ngày làm việc (sau 15 giờ 30: tính từ ngày làm việc tiếp theo)"),
    ],
)
def test_describe_vi(limit: TimeLimit, text: str) -> None:
    assert limit.describe_vi() == text


def test_time_limit_validation() -> None:
    with pytest.raises(ValueError):
        TimeLimit("weeks", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        TimeLimit("working_days", -1)
    with pytest.raises(ValueError):
        TimeLimit("working_days", float("nan"))


# -- properties --------------------------------------------------------------------------------

PROPERTIES = settings(max_examples=300, derandomize=True, database=None, deadline=None)

aware_moments = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.sampled_from([VN_TZ, UTC, timezone(timedelta(hours=-5))]),
)
working_day_amounts = st.integers(min_value=0, max_value=80).map(lambda q: q / 4)
working_times = st.integers(min_value=0, max_value=200 * 3600).map(lambda s: timedelta(seconds=s))
cutoffs = st.none() | st.sampled_from([time(11), time(15), time(16, 30)])
limits = st.one_of(
    st.builds(TimeLimit, st.just("working_days"), working_day_amounts, cutoffs),
    st.builds(TimeLimit, st.just("calendar_days"), st.integers(0, 45), cutoffs),
    st.builds(TimeLimit, st.just("same_day"), st.just(0), cutoffs),
)


def in_office_hours(moment: datetime) -> bool:
    """A working day and a clock time inside a session, both ends included."""
    clock = moment.time()
    return CAL.is_working_day(moment.date()) and any(
        start <= clock <= end for start, end in CAL.hours.sessions
    )


@PROPERTIES
@given(aware_moments, limits)
def test_due_is_not_before_the_start_and_inside_office_hours(received: datetime, limit: TimeLimit) -> None:
    due = CAL.due(received, limit)
    assert due.tzinfo is VN_TZ
    # Counting starts at the receipt's minute: a limit of 0 given at 07:00:00.000001 is due 07:00.
    assert due >= CAL.normalise(received.replace(second=0, microsecond=0))
    assert in_office_hours(due)


@PROPERTIES
@given(aware_moments, working_day_amounts)
def test_due_is_n_working_days_of_working_time(received: datetime, days: float) -> None:
    minute = received.replace(second=0, microsecond=0)  # counting starts at the receipt's minute
    start = CAL.normalise(minute)
    assert in_office_hours(start)
    due = CAL.due(received, wd(days))
    assert (due.second, due.microsecond) == (0, 0)
    assert CAL.working_time_between(start, due) == days * 8 * H
    assert CAL.working_time_between(minute, due) == days * 8 * H


@PROPERTIES
@given(aware_moments, working_times, working_times)
def test_add_working_time_is_monotonic_and_measured_back(start: datetime, a: timedelta, b: timedelta) -> None:
    a, b = sorted((a, b))
    end_a = CAL.add_working_time(start, a)
    end_b = CAL.add_working_time(start, b)
    assert end_a <= end_b
    assert in_office_hours(end_a) and in_office_hours(end_b)
    assert CAL.working_time_between(start, end_b) == b


@PROPERTIES
@given(aware_moments, aware_moments, working_times)
def test_add_working_time_is_monotonic_in_the_start(
    first: datetime, second: datetime, amount: timedelta
) -> None:
    first, second = sorted((first, second))
    assert CAL.add_working_time(first, amount) <= CAL.add_working_time(second, amount)


@PROPERTIES
@given(aware_moments, aware_moments)
def test_working_time_between_is_antisymmetric(a: datetime, b: datetime) -> None:
    forward = CAL.working_time_between(a, b)
    assert forward == -CAL.working_time_between(b, a)
    if b >= a:
        assert forward >= timedelta(0)
    else:
        assert forward <= timedelta(0)


def test_special_days_list_what_breaks_the_week_and_nothing_else() -> None:
    cal = WorkCalendar(
        overrides=[
            Override(date(2025, 4, 29), "day_off", "Nghỉ theo quyết định của UBND"),
            Override(date(2025, 5, 10), "working_day", "Làm bù"),
        ]
    )
    days = cal.special_days(date(2025, 4, 24), date(2025, 5, 11))
    assert days == [
        (date(2025, 4, 26), True, "Ngày làm việc bù"),  # a make-up Saturday (for Friday 2/5)
        (date(2025, 4, 29), False, "Nghỉ theo quyết định của UBND"),  # the commune's day off
        (date(2025, 4, 30), False, "Ngày Chiến thắng"),
        (date(2025, 5, 1), False, "Ngày Quốc tế Lao động"),
        (date(2025, 5, 2), False, days[4][2]),  # the day off bought by the Saturday
        (date(2025, 5, 10), True, "Làm bù"),  # an overridden Saturday
    ]
    assert days[4][2]  # named by the package
    tet = WorkCalendar().special_days(date(2027, 2, 1), date(2027, 2, 14))
    assert [d.day for d, working, _ in tet if not working] == [4, 5, 6, 7, 8, 9, 10]  # Tết's weekend too


def test_appointments_are_whole_minutes() -> None:
    """A receipt's seconds do not ride along into the appointment, and papers brought back within
    seconds do not tip a 17:00 appointment into the next morning (07:00:11, seen at a counter)."""
    limit = TimeLimit("working_days", 1)
    due = CAL.due(vn(2026, 11, 26, 9, 0).replace(second=41), limit)
    assert due == vn(2026, 11, 27, 9, 0)
    at_closing = vn(2026, 11, 26, 17, 0)
    paused = vn(2026, 11, 26, 10, 35).replace(second=20)
    assert CAL.shift_for_pause(at_closing, paused, paused.replace(second=31)) == at_closing
    assert CAL.shift_for_pause(at_closing, paused, paused + timedelta(minutes=1, seconds=50)) == vn(
        2026, 11, 27, 7, 1
    )


def test_a_weekday_kept_working_is_not_called_a_make_up_day() -> None:
    """A city calendar may list an ordinary Monday as a working day: "làm việc bù" (make-up) was
    said of it; it makes up for nothing. A Saturday worked does."""
    from counter_app.domain.calendar import day_kind_text

    assert day_kind_text(date(2026, 12, 7), True) == "làm việc"  # a Monday
    assert day_kind_text(date(2025, 4, 26), True) == "làm việc bù"  # a Saturday
    assert day_kind_text(date(2026, 12, 7), False) == "nghỉ"
