"""The core never pulls in Textual: checked statically (import-linter) and at run time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CORE_MODULES = [
    "counter_app.domain.calendar",
    "counter_app.domain.dossier",
    "counter_app.domain.procedures",
    "counter_app.domain.text",
    "counter_app.domain.validation",
    "counter_app.store",
    "counter_app.desk",
    "counter_app.cli",
    "printing",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "leaked = sorted(m for m in sys.modules if m.startswith('textual'))\n"
        "assert not leaked, leaked"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_domain_does_no_io_imports() -> None:
    code = (
        "import sys, counter_app.domain.dossier, counter_app.domain.procedures, "
        "counter_app.domain.validation, counter_app.domain.codes\n"
        "io = ('sqlite_utils', 'httpx', 'reportlab', 'barcode', 'sqlite3')\n"
        "bad = [m for m in io if m in sys.modules]\n"
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.skip("import-linter is not installed in this environment")
    result = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_vietnam_calendar_is_the_packages_without_its_other_countries() -> None:
    """The first due time loads the holidays package's Vietnam calendar and not the ~250 other
    countries its country index imports (8 MB kept for the session, 0.1-0.3 s at the first due
    time shown); the days off and their names are the package's own, year by year."""
    code = (
        "import sys\n"
        "from datetime import datetime\n"
        "from counter_app.domain.calendar import VN_TZ, WorkCalendar, package_year\n"
        "WorkCalendar().is_working_day(datetime(2026, 2, 17, tzinfo=VN_TZ).date())\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('holidays.countries'))\n"
        "assert not loaded, loaded[:5]\n"
        "ours = {y: dict(package_year(y).named) for y in range(2025, 2031)}\n"
        "import holidays\n"
        "for y, days in ours.items():\n"
        "    theirs = dict(holidays.country_holidays('VN', years=y, language='vi'))\n"
        "    assert days == theirs, (y, days, theirs)\n"
        "    assert len(days) >= 10, (y, days)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
