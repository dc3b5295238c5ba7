"""How the screens write times, money and counts in Vietnamese.

Pure functions, no Textual and no desk: the same text appears in several screens and in tests.
"""

from __future__ import annotations

from datetime import date, datetime

from counter_app.domain.calendar import WEEKDAYS, to_vn
from counter_app.domain.text import money as money  # the screens' amounts
from counter_app.domain.text import thousands
from counter_app.domain.validation import parse_day

ROLE_NAMES = {"official": "Cán bộ", "supervisor": "Giám sát"}
"""Roles as the screens name them."""

OVERRIDE_KINDS = {"day_off": "Ngày nghỉ", "working_day": "Ngày làm bù"}
"""Working-day override kinds as the screens name them."""


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


def parse_day_time(text: str) -> tuple[date, int, int] | None:
    """Read ``dd/mm/yyyy hh:mm`` (time optional, default 17:00); None if it is not that shape."""
    raw = text.strip()
    if not raw:
        return None
    day_part, _, time_part = raw.partition(" ")
    day = parse_day(day_part)
    if day is None:
        return None
    time_part = time_part.strip().lower().replace("h", ":").replace("giờ", ":").replace(" ", "")
    if not time_part:
        return day, 17, 0
    hour_text, _, minute_text = time_part.partition(":")
    if not hour_text.isdigit() or (minute_text and not minute_text.isdigit()):
        return None
    hour, minute = int(hour_text), int(minute_text or 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return day, hour, minute


def plural_dossiers(n: int) -> str:
    """``1.234 hồ sơ``."""
    return f"{thousands(n)} hồ sơ"
