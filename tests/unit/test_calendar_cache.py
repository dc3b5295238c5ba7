"""The holidays package's calendar kept between sessions (counter_app.calendar_cache): the same
answers as the package, no package import once the years are kept, and a bad file only costs the
package's import."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import pytest

from counter_app.calendar_cache import FILE_NAME, CalendarCache, package_fingerprint
from counter_app.domain.calendar import VN_TZ, PackageYear, TimeLimit, WorkCalendar, package_year

ROOT = Path(__file__).resolve().parents[2]
YEARS = range(2025, 2031)


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


def test_a_year_copied_out_of_the_package_answers_as_the_package_day_by_day() -> None:
    for year in YEARS:
        table = holidays.country_holidays("VN", years=year, language="vi")
        ours = package_year(year)
        again = PackageYear.from_json(year, json.loads(json.dumps(ours.to_json())))
        assert again == ours
        for day in days_of(year):
            assert ours.is_working_day(day) == table.is_working_day(day), day
            assert again.is_working_day(day) == table.is_working_day(day), day
            assert again.named.get(day, "") == (table.get(day) or ""), day
        assert ours.make_up == {d for d in table.weekend_workdays if d.year == year}
    assert date(2025, 4, 26) in package_year(2025).make_up  # the make-up Saturday of the issue


def test_kept_years_answer_the_next_session_without_importing_the_package(tmp_path: Path) -> None:
    """The first session asks the package and keeps the years; the next one computes the same due
    times and day names with no ``holidays`` module loaded (5.6 MB and ~0.1 s it no longer pays)."""
    code = (
        "import sys\n"
        "from datetime import datetime\n"
        "from counter_app.calendar_cache import CalendarCache\n"
        "from counter_app.domain.calendar import VN_TZ, TimeLimit, WorkCalendar\n"
        "from pathlib import Path\n"
        f"cal = WorkCalendar(years=CalendarCache(Path({str(tmp_path)!r})))\n"
        "limit = TimeLimit('working_days', 3)\n"
        "print(cal.due(datetime(2025, 4, 24, 9, tzinfo=VN_TZ), limit).isoformat())\n"
        "print(cal.due(datetime(2026, 2, 13, 16, tzinfo=VN_TZ), limit).isoformat())\n"
        "print(cal.day_note(datetime(2026, 2, 17).date()))\n"
        "print('holidays' in sys.modules)\n"
    )

    def run() -> list[str]:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        return result.stdout.split("\n")

    first = run()
    assert (tmp_path / FILE_NAME).is_file()
    second = run()
    assert first[:3] == second[:3]
    assert first[0] == "2025-04-28T09:00:00+07:00"  # Sat 26/4/2025 is a make-up working day
    assert first[2] == "Tết Nguyên Đán"
    assert (first[3], second[3]) == ("True", "False")


def due_times(calendar: WorkCalendar) -> list[datetime]:
    limit = TimeLimit("working_days", 3)
    starts = [datetime(y, m, 1, 9, tzinfo=VN_TZ) for y in YEARS for m in range(1, 13)]
    return [calendar.due(start, limit) for start in starts]


def write_cache(folder: Path, body: bytes) -> None:
    folder.mkdir(exist_ok=True)
    (folder / FILE_NAME).write_bytes(body)


def good_file() -> dict:
    return {
        "package": package_fingerprint(),
        "years": {str(y): package_year(y).to_json() for y in YEARS},
    }


def lying_file() -> dict:
    """A well-formed file for this package whose 2026 has Tết moved to June: proof it is read."""
    data = good_file()
    data["years"]["2026"]["named"] = {"2026-06-01": "Ngày lạ"}
    return data


def test_a_file_of_this_package_is_believed(tmp_path: Path) -> None:
    """The control for the tests below: the cache is read (a lie in it shows), so when they get the
    package's answers, it is because the file was set aside."""
    write_cache(tmp_path, json.dumps(lying_file()).encode())
    calendar = WorkCalendar(years=CalendarCache(tmp_path))
    assert not calendar.is_working_day(date(2026, 6, 1))
    assert calendar.is_working_day(date(2026, 2, 17))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(None, id="another-package-release"),
        pytest.param(b'{"package": "x", "years": {"2026": ', id="cut-off"),
        pytest.param(b"\xff\xfe garbage", id="not-utf8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="deeply-nested"),
        pytest.param(b" " * 1_100_000, id="huge"),
        pytest.param("day-outside-its-year", id="day-outside-its-year"),
        pytest.param("bad-weekday", id="bad-weekday"),
        pytest.param("not-a-year", id="not-a-year"),
    ],
)
def test_a_bad_or_foreign_cache_file_is_set_aside_and_written_anew(tmp_path: Path, body: object) -> None:
    data = lying_file()
    if body is None:
        data["package"] = "1|/elsewhere/holidays|0|0|0"
        body = json.dumps(data).encode()
    elif body == "day-outside-its-year":
        data["years"]["2027"]["make_up"] = ["2026-06-06"]
        body = json.dumps(data).encode()
    elif body == "bad-weekday":
        data["years"]["2027"]["weekend"] = [5, 6, 9]
        body = json.dumps(data).encode()
    elif body == "not-a-year":
        data["years"]["２０２８"] = data["years"]["2028"]
        body = json.dumps(data).encode()
    assert isinstance(body, bytes)
    write_cache(tmp_path, body)

    calendar = WorkCalendar(years=CalendarCache(tmp_path))
    assert due_times(calendar) == due_times(WorkCalendar())
    assert calendar.is_working_day(date(2026, 6, 1))

    kept = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    assert kept["package"] == package_fingerprint()
    assert kept["years"]["2026"] == package_year(2026).to_json()


def test_a_cache_folder_that_cannot_be_written_only_costs_the_package(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    calendar = WorkCalendar(years=CalendarCache(blocked))
    assert due_times(calendar) == due_times(WorkCalendar())


def test_two_caches_on_one_folder_keep_each_others_years(tmp_path: Path) -> None:
    """Two processes (two counters' windows) adding years to one file lose none of them."""
    one, two = CalendarCache(tmp_path), CalendarCache(tmp_path)
    one(2026)
    two(2027)
    one(2028)
    kept = json.loads((tmp_path / FILE_NAME).read_text(encoding="utf-8"))
    assert sorted(kept["years"]) == ["2026", "2027", "2028"]


def test_years_outside_the_counters_range_are_answered_but_not_kept(tmp_path: Path) -> None:
    cache = CalendarCache(tmp_path)
    assert cache(1999) == package_year(1999)
    assert not (tmp_path / FILE_NAME).exists()
