"""Saved forms hold personal data: they go after the retention days, and nothing else does."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest

from counter_app.domain.errors import ValidationError
from counter_app.locations import SAVED_FORM, purge_saved_forms
from counter_app.settings import Settings, load_settings

DAY = 86_400


def make(folder: Path, name: str, age_days: float, now: float) -> Path:
    path = folder / name
    path.write_bytes(b"%PDF-1.4")
    os.utime(path, (now - age_days * DAY, now - age_days * DAY))
    return path


def test_every_form_the_printing_package_saves_is_known_to_the_purge() -> None:
    from printing import FORMS
    from printing.forms import default_path
    from printing.logbook import default_path as logbook_path

    codes = [
        "000.00.11.H26-261125-2001",
        "000.00.11.H26/261125/3-2001",  # a commune's own code pattern: {agency}/{date}/{counter}-{seq}
        "H26.261125.20015",  # an overflowed sequence, with dots
    ]
    names = [default_path(form, code).name for form in FORMS if form != "logbook" for code in codes]
    names += [
        logbook_path(date(2026, 11, 25), date(2026, 11, 25), None).name,
        logbook_path(date(2026, 11, 1), date(2026, 11, 30), (2, 4)).name,
    ]
    assert len(names) >= 8
    for name in names:
        assert SAVED_FORM.fullmatch(name), name


def test_old_forms_go_and_everything_else_stays(tmp_path: Path) -> None:
    now = time.time()
    old = [
        make(tmp_path, "receipt_000.00.11.H26-261001-2001.pdf", 40, now),
        make(tmp_path, "logbook_2026-10-01_2026-10-31.pdf", 31, now),
        make(tmp_path, ".tmp-abc123.pdf", 2, now),  # a form cut off by a crash
    ]
    kept = [
        make(tmp_path, "receipt_000.00.11.H26-261120-2001.pdf", 5, now),
        make(tmp_path, ".tmp-being-written.pdf", 0.01, now),
        make(tmp_path, "scan_of_my_passport.pdf", 400, now),  # not ours: never touched
        make(tmp_path, "receipt_notes.txt", 400, now),
        make(tmp_path, "receipt_mine.pdf", 400, now),  # named like a form, but by someone else
        make(tmp_path, "logbook_2026-10-01_ghi-chu-cua-toi.pdf", 400, now),
    ]
    removed = purge_saved_forms(30, folder=tmp_path, now=now)
    assert sorted(removed) == sorted(p.name for p in old)
    assert all(p.exists() for p in kept) and not any(p.exists() for p in old)


def test_zero_days_keeps_every_saved_form(tmp_path: Path) -> None:
    now = time.time()
    form = make(tmp_path, "refusal_000.00.11.H26-250101-2001.pdf", 900, now)
    assert purge_saved_forms(0, folder=tmp_path, now=now) == []
    assert form.exists()
    assert purge_saved_forms(30, folder=tmp_path / "missing", now=now) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("forms_retention_days", "-1"),
        ("forms_retention_days", "abc"),
        ("forms_retention_days", "3651"),
        ("forms_retention_days", "7.5"),
        ("idle_lock_minutes", "-5"),
        ("idle_lock_minutes", "mười"),
        ("idle_lock_minutes", "481"),
        ("idle_lock_minutes", "1.5"),
    ],
)
def test_the_whole_number_settings_are_checked(name: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        load_settings({name: value}, env={})
    assert caught.value.errors[0].field == name
    assert load_settings({"forms_retention_days": "90"}, env={}).forms_retention_days == 90
    assert load_settings({}, env={"COUNTER_IDLE_LOCK_MINUTES": " 0 "}).idle_lock_minutes == 0
    assert (Settings().forms_retention_days, Settings().idle_lock_minutes) == (30, 15)
