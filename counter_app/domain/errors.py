"""The one exception hierarchy of the project.

Lives in ``domain`` so every layer may import it. Titles and messages are Vietnamese and written for
the official at the counter; the TUI shows every :class:`CounterError` the same way and the CLI prints
it on one line and exits non-zero. Tracebacks go to the log, never to the screen.
"""

from __future__ import annotations

from dataclasses import dataclass


class CounterError(Exception):
    """Base of every error an official may see.

    Args:
        message: What went wrong and what to do about it, in Vietnamese.
        title: A short heading for the notification, in Vietnamese.
    """

    default_title = "Lỗi"
    exit_code = 1

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.title = title or self.default_title

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field."""

    field: str
    """Machine name of the field, e.g. ``applicant.id_number`` or ``documents[2].name``."""
    message: str
    """What to fix, in Vietnamese."""


class ValidationError(CounterError):
    """Input the official (or a file, or a hub) gave is wrong; nothing was saved."""

    default_title = "Dữ liệu chưa hợp lệ"
    exit_code = 2

    def __init__(self, errors: list[FieldError] | FieldError, title: str | None = None) -> None:
        if isinstance(errors, FieldError):
            errors = [errors]
        self.errors: list[FieldError] = list(errors)
        message = "; ".join(f"{e.message}" for e in self.errors) or "Dữ liệu chưa hợp lệ."
        super().__init__(message, title)

    def for_field(self, field: str) -> list[str]:
        """Messages about one field (for inline display)."""
        return [e.message for e in self.errors if e.field == field]


class RuleError(CounterError):
    """A step the national lifecycle or a counter rule does not allow."""

    default_title = "Không thực hiện được"
    exit_code = 3


class NotFoundError(CounterError):
    """A dossier, procedure or other record does not exist."""

    default_title = "Không tìm thấy"
    exit_code = 4


class StoreError(CounterError):
    """The database cannot be opened, is locked, full or damaged."""

    default_title = "Lỗi cơ sở dữ liệu"
    exit_code = 5


class DamagedFileError(StoreError):
    """The database file itself is damaged (a lost page, text no longer UTF-8): the way back is
    the latest backup, not trying again."""

    default_title = "Tệp dữ liệu bị hỏng"


class ConfigError(CounterError):
    """The counter is not set up, or a setting is wrong."""

    default_title = "Chưa cấu hình"
    exit_code = 6


class SettingsError(ValidationError):
    """A setting stored in the database or given by a variable is wrong: the problems by setting,
    as any ValidationError, with the exit status of a counter not set up (``--help``: 6)."""

    default_title = "Thiết lập chưa hợp lệ"
    exit_code = 6


class PrintingError(CounterError):
    """A form could not be rendered or sent to the printer (the PDF is kept when it exists)."""

    default_title = "Lỗi in"
    exit_code = 7
