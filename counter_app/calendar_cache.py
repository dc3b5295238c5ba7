"""The holidays package's Vietnam calendar, kept between sessions in the user's cache folder.

The package costs each session 0.08-0.12 s and 5.6 MB resident (holidays 0.x: the package's
``__init__`` imports every calendar it knows, lunar and otherwise, about 45 modules) the first time a
due time is shown, for a few dozen dates a year that change only when the package is upgraded. The
years the counter asked for are written as JSON (``holidays-vn.json``) under the fingerprint of the
installed package; a session whose years are all there never imports it.

A cache is only a cache: a missing, unreadable, cut-off or foreign file, or another package release,
means the package is asked again and the file written anew; a folder that cannot be written means the
package is asked in every session, as before. Nothing here can change a due time: the answers are the
package's, copied (a test holds them equal day by day).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from importlib.util import find_spec
from pathlib import Path

from counter_app.domain.calendar import FIRST_YEAR, LAST_YEAR, PackageYear, package_year
from counter_app.domain.errors import ConfigError

log = logging.getLogger(__name__)

FILE_NAME = "holidays-vn.json"
FORMAT = 1
"""Raised when the meaning of the file changes: an older file is then another package's."""
MAX_BYTES = 1_000_000
"""A larger file is no file of ours (a century of years takes about 250 kB)."""


def package_fingerprint() -> str | None:
    """What identifies the installed ``holidays`` package, without importing it: its folder, the
    text of its version module and the size and time of the Vietnam module. None when the package
    cannot be found (the calendar then fails as it would without a cache)."""
    try:
        spec = find_spec("holidays")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    root = Path(spec.origin).parent
    try:
        version = (root / "version.py").read_bytes()
        vietnam = (root / "countries" / "vietnam.py").stat()
    except OSError:
        return None
    digest = hashlib.sha256(version).hexdigest()[:16]
    return f"{FORMAT}|{root}|{digest}|{vietnam.st_size}|{vietnam.st_mtime_ns}"


class CalendarCache:
    """A source of :class:`PackageYear` for :class:`~counter_app.domain.calendar.WorkCalendar`
    (its ``years``) that asks the package only for years the cache file does not hold.

    Thread-safe: the UI thread and the workers share one calendar.

    Args:
        folder: Where the file lives; None: the counter's cache folder
            (:func:`counter_app.locations.cache_dir`), found at the first question.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder
        self._years: dict[int, PackageYear] | None = None
        self._key: str | None = None
        self._writable = True
        self._lock = threading.Lock()

    def __call__(self, year: int) -> PackageYear:
        with self._lock:
            if self._years is None:
                self._key = package_fingerprint()
                self._years = self._read() if self._key is not None else {}
            found = self._years.get(year)
            if found is None:
                found = package_year(year)
                if FIRST_YEAR <= year <= LAST_YEAR and self._key is not None:
                    self._years[year] = found
                    self._write()
            return found

    # -- the file ----------------------------------------------------------------------------

    def _path(self) -> Path | None:
        if self._folder is None:
            from counter_app.locations import cache_dir

            try:
                self._folder = cache_dir()
            except ConfigError as exc:
                log.warning("no cache folder for the holiday calendar: %s", exc)
                self._writable = False
                return None
        return self._folder / FILE_NAME

    def _read(self) -> dict[int, PackageYear]:
        """The years of the file, when it is ours and for this package; else none."""
        path = self._path()
        if path is None:
            return {}
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.info("holiday calendar cache %s unreadable: %s", path, exc)
            return {}
        try:
            if len(raw) > MAX_BYTES:
                raise ValueError(f"larger than {MAX_BYTES} bytes")
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("years"), dict):
                raise ValueError("not a cache file")
            if data.get("package") != self._key:
                log.info("holiday calendar cache %s is for another holidays package; asking it again", path)
                return {}
            years: dict[int, PackageYear] = {}
            for text, value in data["years"].items():
                if not (isinstance(text, str) and text.isascii() and text.isdigit() and len(text) == 4):
                    raise ValueError(f"not a year: {text!r}")
                years[int(text)] = PackageYear.from_json(int(text), value)
            return years
        except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError included
            log.warning("holiday calendar cache %s ignored: %s", path, exc)
            return {}

    def _write(self) -> None:
        """Write the years known (atomically: a reader sees the old file or the new one, whole)."""
        if not self._writable or self._years is None:
            return
        path = self._path()
        if path is None:
            return
        for year, value in self._read().items():  # another process may have added some meanwhile
            self._years.setdefault(year, value)
        body = json.dumps(
            {
                "package": self._key,
                "years": {str(y): self._years[y].to_json() for y in sorted(self._years)},
            },
            ensure_ascii=False,
        ).encode()
        partial = path.with_name(f".{FILE_NAME}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            partial.write_bytes(body)
            os.replace(partial, path)
        except OSError as exc:
            log.warning("holiday calendar cache %s not written: %s", path, exc)
            self._writable = False  # asked again next session; no retry at every new year
            with contextlib.suppress(OSError):
                partial.unlink()


calendar_years = CalendarCache()
"""The process's cache, shared by every desk (a UI and its workers, a batch command)."""
