"""How the screens write times, money and counts in Vietnamese.

Pure functions, no Textual and no desk: the same text appears in several screens and in tests.
"""

from __future__ import annotations

from datetime import date, datetime

from counter_app.desk import OVERRIDE_KINDS as OVERRIDE_KINDS  # day kinds as the screens name them
from counter_app.desk import ROLE_NAMES as ROLE_NAMES  # roles as the screens name them
from counter_app.domain.calendar import WEEKDAYS, to_vn
from counter_app.domain.text import money as money  # the screens' amounts
from counter_app.domain.text import thousands
from counter_app.domain.validation import parse_day as parse_day  # the screens' days
from counter_app.domain.validation import parse_day_time as parse_day_time  # and moments


def short_time(dt: datetime | None) -> str:
    """``09:30 25/11/2026`` (Vietnam time); "" for None."""
    if dt is None:
        return ""
    return to_vn(dt).strftime("%H:%M %d/%m/%Y")


def short_due(dt: datetime | None) -> str:
    """A compact due time for lists: ``30/11 09:30``."""
    if dt is None:
        return ""
    return to_vn(dt).strftime("%d/%m %H:%M")


def due_text(dt: datetime) -> str:
    """A due time as the official reads it aloud: ``09:30 Thứ Hai 30/11/2026``."""
    local = to_vn(dt)
    return f"{local:%H:%M} {WEEKDAYS[local.weekday()]} {local:%d/%m/%Y}"


def day_text(day: date) -> str:
    """``Thứ Tư 25/11/2026``."""
    return f"{WEEKDAYS[day.weekday()]} {day:%d/%m/%Y}"


def birth_text(stored: str) -> str:
    """A stored birth date (ISO) as the official reads it, ``28/02/1990``; other text unchanged."""
    day = parse_day(stored)
    return f"{day:%d/%m/%Y}" if day else stored


def plural_dossiers(n: int) -> str:
    """``1.234 hồ sơ``."""
    return f"{thousands(n)} hồ sơ"


CLOCK_SECONDS = 30.0
"""How often a screen left open follows the clock: the time left, "trễ", the appointment preview
(a dossier kept open past its due time said "Còn 0 phút" until it was opened again)."""
