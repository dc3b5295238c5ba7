"""Working time of the counter: office hours, working days and appointment dates (ngày hẹn trả).

Implements DOMAIN.md §6. A working day is ``WORKING_DAY``, 8 h of working time, whatever the
commune's office hours (with the default 07:00–11:30 and 13:30–17:00 sessions that is one office
day, so the due is the same clock time N working days later); a due date is the normalised receipt
time plus N × 8 h of working time, walked session by session. Days off come from the ``holidays``
package (``holidays.VN``: public holidays, Tết, observed days, the government's substituted days off
and the make-up Saturdays in ``weekend_workdays``); local overrides beat the package, because swaps
and Tết days are announced late each year.

Every public function takes aware datetimes in any zone and answers in ``VN_TZ``; a naive
datetime is a bug and raises ``ValueError``. Nothing here reads the process time zone, the locale,
the disk or the database: the only inputs are the arguments, the ``holidays`` tables (or their copy
kept by ``counter_app.calendar_cache``) and the system clock in :func:`now_vn`. ``due()`` runs on
every keystroke and in a benchmark a million times, so package lookups are cached per year
(module-wide) and per day (per calendar).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from counter_app.domain.errors import RuleError

__all__ = [
    "VN_TZ",
    "DEFAULT_OFFICE_HOURS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "OfficeHours",
    "Override",
    "TimeLimit",
    "WorkCalendar",
    "now_vn",
    "to_vn",
]

WORKING_DAY = timedelta(hours=8)
"""One working day of a time limit: 8 working hours (DOMAIN.md §6), not the length of the office
day. A commune open 7 h a day gives a 1-day procedure 8 of its working hours."""
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
"""The zone every result is expressed in (UTC+7, no daylight saving)."""

FIRST_YEAR = 2000
"""Earliest year a day given to the counter may fall in (a period, an override, a time)."""
LAST_YEAR = 2100
"""Latest such year. The counter started in 2025 and its codes carry a two-digit year (``yyMMdd``);
anything outside 2000-2100 is a typing slip, and refusing it keeps every date sum far from
``datetime``'s limits (year 1 and 9999 overflow as soon as a day or a zone offset is added)."""

_MAX_SCAN_DAYS = 3 * 366
"""How far to look for a working day before deciding the calendar is broken (about 3 years)."""

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_MINUTE = timedelta(minutes=1)


WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
"""Vietnamese weekday names, Monday first (``date.weekday()`` order), for screens and forms."""


def now_vn() -> datetime:
    """Return the current instant in Vietnam time.

    Returns:
        An aware datetime in ``VN_TZ``; independent of the process time zone.
    """
    return datetime.now(VN_TZ)


def to_vn(dt: datetime) -> datetime:
    """Convert an aware datetime to Vietnam time.

    Args:
        dt: An aware datetime in any zone.

    Returns:
        The same instant in ``VN_TZ``.

    Raises:
        ValueError: If ``dt`` is naive (a wall-clock time of unknown zone is never guessed).
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt.isoformat()} given; attach a time zone first")
    if dt.tzinfo is VN_TZ:
        return dt
    return dt.astimezone(VN_TZ)


_CLOCK_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def _parse_clock(text: str) -> time:
    match = _CLOCK_RE.match(text)
    if match is None:
        raise ValueError(f"not a clock time (HH:MM): {text!r}")
    hour, minute, second = (int(g) if g else 0 for g in match.groups())
    return time(hour, minute, second)  # raises ValueError on 25:00 and the like


def _format_clock(value: time) -> str:
    if value.second or value.microsecond:
        return value.isoformat()
    return f"{value.hour:02d}:{value.minute:02d}"


def _since_midnight(value: time) -> timedelta:
    return timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )


def day_kind_text(day: date, working: bool) -> str:
    """How a special day is named in the lists of days ahead: a weekend day worked is "làm việc
    bù"; a weekday kept working (a city entry that cancels a day off, or repeats an ordinary day)
    is only "làm việc": it makes up for nothing."""
    if not working:
        return "nghỉ"
    return "làm việc bù" if day.weekday() >= 5 else "làm việc"


@dataclass(frozen=True)
class OfficeHours:
    """The daily office sessions of a commune (the same on every working day).

    Sessions are half-open ``[start, end)`` for the question "is the counter open now?": a receipt
    at exactly 11:30 counts from 13:30, one at exactly 17:00 from the next working day. A count of
    working time that runs out exactly at a session end still ends there (see
    :meth:`WorkCalendar.add_working_time`).

    Raises:
        ValueError: If there is no session, a session does not start before it ends, the sessions
            are not in order or they overlap (touching is allowed), or a time carries a zone.
    """

    sessions: tuple[tuple[time, time], ...] = (
        (time(7, 0), time(11, 30)),
        (time(13, 30), time(17, 0)),
    )
    """Morning and afternoon (buổi sáng, buổi chiều) as ``(start, end)`` local clock times."""

    def __post_init__(self) -> None:
        sessions = tuple((start, end) for start, end in self.sessions)
        object.__setattr__(self, "sessions", sessions)
        if not sessions:
            raise ValueError("office hours need at least one session")
        previous_end: time | None = None
        for start, end in sessions:
            if not isinstance(start, time) or not isinstance(end, time):
                raise ValueError(f"session times must be datetime.time: {start!r}-{end!r}")
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("session times are local clock times and carry no zone")
            if not start < end:
                raise ValueError(f"session {_format_clock(start)}-{_format_clock(end)} is empty")
            if previous_end is not None and start < previous_end:
                raise ValueError("sessions must be in order and must not overlap")
            previous_end = end

    @property
    def opening(self) -> time:
        """Start of the first session."""
        return self.sessions[0][0]

    @property
    def closing(self) -> time:
        """End of the last session."""
        return self.sessions[-1][1]

    @property
    def hours_per_day(self) -> timedelta:
        """Working time in one working day: the sum of the sessions (8 h by default)."""
        return sum((_since_midnight(end) - _since_midnight(start) for start, end in self.sessions), _ZERO)

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Read office hours written as in the settings file.

        Args:
            text: Comma-separated sessions, e.g. ``"07:00-11:30,13:30-17:00"`` (spaces allowed,
                seconds optional).

        Returns:
            The office hours.

        Raises:
            ValueError: If the text is malformed or the sessions are invalid.
        """
        sessions = []
        for part in text.split(","):
            if not part.strip():
                continue
            start, sep, end = part.partition("-")
            if not sep:
                raise ValueError(f"a session is written START-END: {part.strip()!r}")
            sessions.append((_parse_clock(start), _parse_clock(end)))
        return cls(tuple(sessions))

    def format(self) -> str:
        """Write the office hours the way :meth:`parse` reads them.

        Returns:
            Text such as ``"07:00-11:30,13:30-17:00"``.
        """
        return ",".join(f"{_format_clock(s)}-{_format_clock(e)}" for s, e in self.sessions)


DEFAULT_OFFICE_HOURS = OfficeHours()
"""07:00–11:30 and 13:30–17:00, the usual commune office day."""


@dataclass(frozen=True)
class Override:
    """A local decision about one day that beats the ``holidays`` package.

    Raises:
        ValueError: If ``kind`` is not ``"day_off"`` or ``"working_day"``.
    """

    day: date
    """The local date concerned."""
    kind: Literal["day_off", "working_day"]
    """``day_off``: the counter is closed; ``working_day``: it is open (e.g. a make-up Saturday)."""
    label: str = ""
    """What the official sees about the day, in Vietnamese (e.g. "Nghỉ bù Tết")."""

    def __post_init__(self) -> None:
        if self.kind not in ("day_off", "working_day"):
            raise ValueError(f"unknown override kind {self.kind!r}")
        if isinstance(self.day, datetime):
            raise ValueError("an override is for a date, not a datetime")


_UNITS = ("working_days", "calendar_days", "same_day")


def _format_amount(amount: float) -> str:
    if float(amount).is_integer():
        return f"{int(amount):02d}"
    # Vietnamese writes a decimal comma: 1,5 ngày.
    return f"{amount:g}".replace(".", ",")


@dataclass(frozen=True)
class TimeLimit:
    """The processing time limit of a procedure (thời hạn giải quyết).

    Raises:
        ValueError: On an unknown unit, a negative or non-finite amount, or a fractional number
            of calendar days.
    """

    unit: Literal["working_days", "calendar_days", "same_day"]
    """``working_days`` (ngày làm việc), ``calendar_days`` (ngày) or ``same_day`` (trong ngày)."""
    amount: float = 0
    """Number of days; fractional working days are allowed (1.5 = 12 h). Ignored for same-day."""
    cutoff: time | None = None
    """Receipts after this local time on a working day count from the next working day."""

    def __post_init__(self) -> None:
        if self.unit not in _UNITS:
            raise ValueError(f"unknown time-limit unit {self.unit!r}")
        if not math.isfinite(self.amount) or self.amount < 0:
            raise ValueError(f"a time limit cannot be {self.amount!r} days")
        if self.unit == "calendar_days" and not float(self.amount).is_integer():
            raise ValueError("calendar-day limits are whole days")
        if self.cutoff is not None and self.cutoff.tzinfo is not None:
            raise ValueError("the cut-off is a local clock time and carries no zone")

    def describe_vi(self) -> str:
        """Describe the limit for receipts and screens.

        Returns:
            Vietnamese text: ``"03 ngày làm việc"``, ``"15 ngày"`` or ``"Trong ngày (sau 15 giờ 00:
            ngày làm việc tiếp theo)"``.
        """
        if self.unit == "same_day":
            text = "Trong ngày"
            if self.cutoff is not None:
                text += f" (sau {_format_cutoff(self.cutoff)}: ngày làm việc tiếp theo)"
            return text
        if self.unit == "working_days" and (self.amount < 1 or not float(self.amount * 2).is_integer()):
            # As the legal texts write it under a day (and for odd hours): "04 giờ làm việc".
            text = f"{_format_amount(self.amount * (WORKING_DAY / timedelta(hours=1)))} giờ làm việc"
        elif self.unit == "working_days":
            text = f"{_format_amount(self.amount)} ngày làm việc"
        else:
            text = f"{_format_amount(self.amount)} ngày"
        if self.cutoff is not None:
            text += f" (sau {_format_cutoff(self.cutoff)}: tính từ ngày làm việc tiếp theo)"
        return text


def _format_cutoff(value: time) -> str:
    return f"{value.hour:02d} giờ {value.minute:02d}"


if TYPE_CHECKING:
    from holidays import HolidayBase

YearSource = Callable[[int], "PackageYear"]
"""Where a calendar gets the package's answer for a year: :func:`package_year`, or a cache of it."""


@dataclass(frozen=True)
class PackageYear:
    """One year of the ``holidays`` package's Vietnam calendar, as plain data.

    What the counter asks of the package, and nothing else: the named days (public holidays,
    observed and substituted days off, and Tết's days that fall on a weekend), the weekend days
    that are working days (make-up Saturdays), and which weekdays are the weekend. Plain data can
    be kept between sessions (``counter_app.calendar_cache``) so that a session whose years are
    known never imports the package.
    """

    year: int
    named: Mapping[date, str]
    """The package's Vietnamese name of each holiday of the year."""
    make_up: frozenset[date]
    """Weekend days of the year that are working days."""
    weekend: frozenset[int] = frozenset({5, 6})
    """``date.weekday()`` numbers of the weekend."""

    def is_working_day(self, day: date) -> bool:
        """The package's rule: a weekend day works when it is a make-up day; another day when it is
        no holiday."""
        if day.weekday() in self.weekend:
            return day in self.make_up
        return day not in self.named

    def is_weekend(self, day: date) -> bool:
        return day.weekday() in self.weekend

    @classmethod
    def from_table(cls, year: int, table: HolidayBase) -> PackageYear:
        """Copy the answers out of one year's ``holidays`` table."""
        first = date(year, 1, 1)
        week = [first + timedelta(days=n) for n in range(7)]
        return cls(
            year=year,
            named={day: str(name) for day, name in table.items() if day.year == year},
            make_up=frozenset(d for d in table.weekend_workdays if d.year == year),
            weekend=frozenset(d.weekday() for d in week if table.is_weekend(d)),
        )

    def to_json(self) -> dict[str, object]:
        return {
            "named": {day.isoformat(): name for day, name in sorted(self.named.items())},
            "make_up": sorted(day.isoformat() for day in self.make_up),
            "weekend": sorted(self.weekend),
        }

    @classmethod
    def from_json(cls, year: int, data: object) -> PackageYear:
        """Read back what :meth:`to_json` wrote.

        Raises:
            ValueError: anything but that shape: a day outside ``year``, a name that is no short
                text, a weekday number outside 0-6.
        """
        if not isinstance(data, dict):
            raise ValueError("a year is an object")
        named_in, make_up_in, weekend_in = data.get("named"), data.get("make_up"), data.get("weekend")
        if not isinstance(named_in, dict) or not isinstance(make_up_in, list):
            raise ValueError("named is an object and make_up a list")
        if not isinstance(weekend_in, list) or len(weekend_in) > 7:
            raise ValueError("weekend is a list of weekdays")

        def day_of(text: object) -> date:
            if not isinstance(text, str) or len(text) != 10:
                raise ValueError(f"not a day: {text!r}")
            day = date.fromisoformat(text)
            if day.year != year:
                raise ValueError(f"{day} is not in {year}")
            return day

        named: dict[date, str] = {}
        for text, name in named_in.items():
            if not isinstance(name, str) or not 0 < len(name) <= 200:
                raise ValueError(f"not a holiday name: {name!r}")
            named[day_of(text)] = name
        if any(not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= 6 for n in weekend_in):
            raise ValueError(f"not weekdays: {weekend_in!r}")
        return cls(year, named, frozenset(day_of(t) for t in make_up_in), frozenset(weekend_in))


@functools.cache
def package_year(year: int) -> PackageYear:
    """The ``holidays.VN`` calendar of one year, built once per process.

    ``language="vi"`` is explicit: left alone, the package guesses the language from the process
    locale (``C.UTF-8`` gives English names and US-style dates in "Day off (substituted from …)").
    """
    return PackageYear.from_table(year, _vietnam_class()(years=year, language="vi", expand=False))


@functools.cache
def _vietnam_class() -> type[HolidayBase]:
    """The package's Vietnam calendar class, loaded from its own module file.

    Imported on first use: the UI's start-up and every batch command should not pay for the package
    before a due time is actually computed. And not through ``holidays.countries``: importing any
    module under it runs that package's ``__init__``, which imports every country the package knows
    (about 250). Measured here (holidays 0.109): 279 modules, 8 MB resident for the rest of the
    session and 0.1-0.3 s at the first due time the counter shows, for a class whose module needs
    none of them. Should a release move or rename that file, the package's own loader is used.
    """
    import importlib.util

    import holidays

    path = Path(holidays.__file__).parent / "countries" / "vietnam.py"
    spec = importlib.util.spec_from_file_location("counter_app.domain._holidays_vietnam", path)
    if spec is not None and spec.loader is not None and path.is_file():
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            found = getattr(module, "Vietnam", None)
        except (ImportError, AttributeError):  # a release whose module needs more than its own file
            found = None
        if isinstance(found, type) and issubclass(found, holidays.HolidayBase):
            return found
    from holidays.countries.vietnam import Vietnam

    return Vietnam


class WorkCalendar:
    """Working days and working time of one commune.

    Args:
        hours: The office sessions.
        overrides: Local decisions about single days; they beat the package. When a day appears
            twice, the later override wins.
        years: The package's calendar year by year (:func:`package_year`, or a cache of it).
    """

    def __init__(
        self,
        hours: OfficeHours = DEFAULT_OFFICE_HOURS,
        overrides: Iterable[Override] = (),
        years: YearSource = package_year,
    ) -> None:
        self.hours = hours
        self._years = years
        self._overrides: dict[date, Override] = {o.day: o for o in overrides}
        self._working: dict[date, bool] = {}
        self._next: dict[date, date] = {}
        self._bounds = tuple((_since_midnight(s), _since_midnight(e)) for s, e in hours.sessions)
        self._opening = self._bounds[0][0]
        self._closing = self._bounds[-1][1]
        self._per_day = hours.hours_per_day
        """The working time in one office day (walking); a time limit's day is ``WORKING_DAY``."""

    @property
    def overrides(self) -> tuple[Override, ...]:
        """The local overrides in force, by date."""
        return tuple(self._overrides[d] for d in sorted(self._overrides))

    # -- days -------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Tell whether the counter is open on a day.

        Args:
            day: A local date (a datetime is converted to its Vietnam date first).

        Returns:
            The override's answer if there is one; otherwise the package's: weekends, public
            holidays, observed and substituted days off are closed, make-up Saturdays are open.
        """
        try:
            return self._working[day]
        except KeyError:
            pass
        if isinstance(day, datetime):
            return self.is_working_day(to_vn(day).date())
        override = self._overrides.get(day)
        if override is not None:
            working = override.kind == "working_day"
        else:
            # is_working_day() checks weekend_workdays for weekends and the holiday table otherwise.
            working = self._years(day.year).is_working_day(day)
        self._working[day] = working
        return working

    def day_note(self, day: date) -> str:
        """Say why a day is special.

        Args:
            day: A local date.

        Returns:
            The override's label if the day is overridden; otherwise the package's Vietnamese
            holiday name(s), "Ngày làm việc bù" for a make-up Saturday, or ``""``.
        """
        override = self._overrides.get(day)
        if override is not None:
            return override.label
        table = self._years(day.year)
        name = table.named.get(day)
        if name:
            return name
        if table.is_weekend(day) and day in table.make_up:
            return "Ngày làm việc bù"
        return ""

    def special_days(self, first: date, last: date) -> list[tuple[date, bool, str]]:
        """The days between ``first`` and ``last`` (both included) that break the week's pattern.

        Returns:
            ``(day, working, note)`` for each weekday the counter is closed (a public holiday, a
            local day off), each weekend day it is open (a make-up day), each overridden day and
            each named holiday (Tết's Saturday too), in date order; ordinary days are left out.
        """
        days: list[tuple[date, bool, str]] = []
        day = first
        while day <= last:
            working = self.is_working_day(day)
            note = self.day_note(day)
            if working == (day.weekday() >= 5) or day in self._overrides or note:
                days.append((day, working, note))
            day += timedelta(days=1)
        return days

    def next_working_day(self, day: date) -> date:
        """Find the first working day strictly after a day.

        Args:
            day: A local date.

        Returns:
            The next working date.

        Raises:
            RuleError: If no working day exists in the next ~3 years (a broken calendar).
        """
        try:
            return self._next[day]
        except KeyError:
            pass
        candidate = day
        try:
            for _ in range(_MAX_SCAN_DAYS):
                candidate += _ONE_DAY
                if self.is_working_day(candidate):
                    self._next[day] = candidate
                    return candidate
        except OverflowError:
            pass
        raise RuleError(
            f"Không tìm thấy ngày làm việc nào trong 3 năm sau ngày {day:%d/%m/%Y}. "
            "Kiểm tra lại lịch nghỉ (các ngày nghỉ do xã khai báo).",
            title="Lịch làm việc không hợp lệ",
        )

    def in_office_hours(self, at: datetime) -> bool:
        """Tell whether a moment falls inside a session of a working day, its end included.

        The end counts (unlike :meth:`normalise`, where the counter is already closed at 17:00):
        a count of working time may run out exactly at a closing time, so an appointment at 11:30
        or 17:00 is a real one.

        Args:
            at: An aware datetime in any zone.

        Raises:
            ValueError: If ``at`` is naive.
        """
        local = to_vn(at)
        return self.is_working_day(local.date()) and self.in_sessions(local)

    def in_sessions(self, at: datetime) -> bool:
        """Tell whether a moment's clock time falls inside a session, its end included, whatever
        the day (an appointment left on a day declared off is another matter, said when the day
        off is declared).

        Raises:
            ValueError: If ``at`` is naive.
        """
        local = to_vn(at)
        day = local.date()
        tod = local - datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
        return any(start <= tod <= end for start, end in self._bounds)

    # -- working time -----------------------------------------------------------------------

    def _worked_by(self, tod: timedelta) -> timedelta:
        """Working time from midnight to ``tod`` on a working day."""
        worked = _ZERO
        for start, end in self._bounds:
            if tod <= start:
                break
            worked += (tod if tod < end else end) - start
        return worked

    def _normalise(self, local: datetime) -> datetime:
        day = local.date()
        if self.is_working_day(day):
            midnight = datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
            tod = local - midnight
            for start, end in self._bounds:
                if tod < start:
                    return midnight + start
                if tod < end:
                    return local
        return self._opening_of(self.next_working_day(day))

    def _opening_of(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=VN_TZ) + self._opening

    def _closing_of(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=VN_TZ) + self._closing

    def normalise(self, at: datetime) -> datetime:
        """Move a moment to where counting can start.

        Before opening gives that day's opening; lunch (between sessions) gives the next session's
        start; at or after closing, or on a day off, gives the next working day's opening. A moment
        inside a session is returned as is.

        Args:
            at: An aware datetime in any zone.

        Returns:
            An aware datetime in ``VN_TZ`` inside a session of a working day.

        Raises:
            ValueError: If ``at`` is naive.
            RuleError: If no working day follows within ~3 years.
        """
        return self._normalise(to_vn(at))

    def _add(self, at: datetime, amount: timedelta) -> datetime:
        """Add working time to an already normalised moment."""
        if not amount:
            return at
        day = at.date()
        midnight = datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
        # Count from the day's opening: the part already worked today joins the amount.
        remaining = self._worked_by(at - midnight) + amount
        per_day = self._per_day
        if remaining > per_day:
            skip, remaining = divmod(remaining, per_day)
            if not remaining:
                # Whole days: finish at the closing of the last one, not the next opening.
                skip -= 1
                remaining = per_day
            next_working_day = self.next_working_day
            for _ in range(skip):
                day = next_working_day(day)
            midnight = datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
        for start, end in self._bounds:
            length = end - start
            # "<=": a count that runs out exactly at a session end stays there (17:00, 11:30).
            if remaining <= length:
                return midnight + start + remaining
            remaining -= length
        raise AssertionError("unreachable: remaining never exceeds one working day here")

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """Walk working time forward through the sessions.

        Args:
            start: An aware datetime in any zone; it is normalised first.
            amount: Working time to add (non-negative).

        Returns:
            The moment the amount runs out, in ``VN_TZ``. A count that ends exactly at a session
            end returns that end (17:00, 11:30), never the next opening. A zero amount returns the
            normalised start.

        Raises:
            ValueError: If ``start`` is naive or ``amount`` is negative.
            RuleError: If the calendar has no working day within ~3 years.
        """
        if amount < _ZERO:
            raise ValueError("working time only moves forward; got a negative amount")
        return self._add(self._normalise(to_vn(start)), amount)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Measure the working time inside ``[a, b]``.

        Args:
            a: An aware datetime in any zone.
            b: An aware datetime in any zone.

        Returns:
            The working time between the two moments; negative if ``b`` is before ``a``.

        Raises:
            ValueError: If either datetime is naive.
        """
        a = to_vn(a)
        b = to_vn(b)
        if b < a:
            return -self.working_time_between(b, a)
        day_a, day_b = a.date(), b.date()
        midnight_a = datetime(day_a.year, day_a.month, day_a.day, tzinfo=VN_TZ)
        if day_a == day_b:
            if not self.is_working_day(day_a):
                return _ZERO
            return self._worked_by(b - midnight_a) - self._worked_by(a - midnight_a)
        total = _ZERO
        if self.is_working_day(day_a):
            total += self._per_day - self._worked_by(a - midnight_a)
        day = day_a + _ONE_DAY
        while day < day_b:
            if self.is_working_day(day):
                total += self._per_day
            day += _ONE_DAY
        if self.is_working_day(day_b):
            midnight_b = datetime(day_b.year, day_b.month, day_b.day, tzinfo=VN_TZ)
            total += self._worked_by(b - midnight_b)
        return total

    # -- appointment dates ------------------------------------------------------------------

    def _counting_start(self, received: datetime, cutoff: time | None) -> datetime:
        if cutoff is not None:
            day = received.date()
            if received.time() > cutoff and self.is_working_day(day):
                return self._opening_of(self.next_working_day(day))
        return self._normalise(received)

    def counting_start(self, received_at: datetime, limit: TimeLimit) -> datetime:
        """When a dossier's clock starts: the receipt's minute, normalised into office hours, or
        the next working day's opening for a receipt after the limit's cut-off."""
        return self._counting_start(to_vn(received_at).replace(second=0, microsecond=0), limit.cutoff)

    def due(self, received_at: datetime, limit: TimeLimit) -> datetime:
        """Compute the appointment date (ngày hẹn trả) of a dossier.

        Counting starts at the normalised receipt time, or at the next working day's opening when
        the receipt came after the limit's cut-off on a working day.

        * ``working_days``: start + amount × ``WORKING_DAY`` (8 h) of working time.
        * ``same_day``: the closing time of the day counting starts on.
        * ``calendar_days``: start + amount calendar days at the same clock time; a due on a day
          off moves to the next working day, same clock time. A count that starts with a whole
          day (the receipt before opening, after closing, on a day off or past the cut-off) ends
          at the closing of its last day: day one is the day after the receipt's (the receipt's
          own before its opening), days off included.

        Args:
            received_at: When the dossier was received, aware, any zone.
            limit: The procedure's time limit.

        Returns:
            The due moment, aware, in ``VN_TZ``, inside office hours of a working day.

        Raises:
            ValueError: If ``received_at`` is naive.
            RuleError: If the calendar has no working day within ~3 years.
        """
        # Appointments are whole minutes (forms print "10 giờ 35 phút"): the seconds of the
        # receipt would otherwise ride along and tip a count ending at closing time into the next
        # morning after the smallest pause.
        start = self.counting_start(received_at, limit)
        unit = limit.unit
        if unit == "working_days":
            return self._add(start, WORKING_DAY * limit.amount)
        if unit == "same_day":
            return self._closing_of(start.date())
        if unit == "calendar_days":
            days = int(limit.amount)
            if days and start == self._opening_of(start.date()):
                # Counted from the start of a day (received before opening, after closing, on a
                # day off or past the cut-off): N whole calendar days from the first day after the
                # receipt's, or from the receipt's own day before its opening, ending at the close
                # of the last one; the legal count, and how a count ending at a closing time is
                # given for working days. (From the next working day's opening, days off before
                # it did not count and a 15-day count ran to 07:00 of a 16th day: a whole Tết
                # break later.)
                received = to_vn(received_at)
                first = start.date() if start.date() == received.date() else received.date() + _ONE_DAY
                last = first + timedelta(days=days - 1)
                if not self.is_working_day(last):
                    last = self.next_working_day(last)
                return self._closing_of(last)
            landing = start + timedelta(days=days)
            day = landing.date()
            if not self.is_working_day(day):
                next_day = self.next_working_day(day)
                landing = datetime.combine(next_day, landing.timetz())
            return self._normalise(landing)
        raise ValueError(f"unknown time-limit unit {unit!r}")

    def shift_for_pause(self, due: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
        """Move a due date by the working time spent waiting for extra papers.

        Args:
            due: The due date before the pause.
            paused_at: When the clock stopped.
            resumed_at: When the clock restarted (not before ``paused_at``).

        Returns:
            The new due date in ``VN_TZ``; unchanged when no working time was waited.

        Raises:
            ValueError: If a datetime is naive or ``resumed_at`` is before ``paused_at``.
        """
        waited = self.working_time_between(paused_at, resumed_at)
        if waited < _ZERO:
            raise ValueError("the clock cannot resume before it paused")
        # Whole minutes waited: papers brought back within seconds leave a 17:00 appointment at
        # 17:00, where 11 seconds used to move it to 07:00:11 the next working day.
        waited = _MINUTE * (waited // _MINUTE)
        due = to_vn(due)
        if not waited:
            return due
        return self._add(self._normalise(due), waited)
