"""The ``counter`` command: a thin click layer over the desk.

``counter`` alone starts the terminal UI; every other command does one desk use case and prints JSON
(``--json``) or a short Vietnamese line. Errors are one line on stderr, never a traceback (that goes to
the log file), with the exit codes of ``EXIT_CODES_HELP`` (shown by ``counter --help``).

Textual is imported only inside the command that starts the UI, so the other commands start fast on a
machine with no terminal (the nightly batch).
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import json
import logging
import math
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click

from counter_app.domain.errors import (
    CounterError,
    DamagedFileError,
    FieldError,
    NotFoundError,
    SettingsError,
    StoreError,
    ValidationError,
)

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("counter")

MAX_JSON_BYTES = 1_000_000
"""An intake file larger than this is refused unread."""
MAX_CATALOG_BYTES = 20_000_000
"""The same for a procedure catalog (a province's full list runs to a few MB)."""

EXIT_CODES_HELP = """\
  0  done
  1  unexpected error (details in the log file)
  2  bad input (a field, a file, an argument)
  3  the lifecycle does not allow this step now
  4  not found (a dossier, an official; an intake naming an unknown procedure is bad input, 2)
  5  database cannot be opened or written
  6  counter not set up / wrong setting
  7  the form could not be written or printed (a PDF already written is kept)
  8  done, but the answer could not be written out (standard output on a full disk)
  9  sync: the hub could not be reached or answered wrongly (nothing lost; run it again later)
  10 sync: done, but something needs a person (a conflict, events kept aside, a refused catalog,
     the clock off): said in the report
  130 interrupted (Ctrl+C); 143 stopped by the system (SIGTERM): each save is whole or not made;
      a stop during a receipt or a step waits for it and its answer, and the status is theirs"""


EXIT_NEEDS_A_PERSON = 10
"""``counter sync`` did its work, but its report names something a person must look at."""


class _Day(click.DateTime):
    """A day, spaces around it ignored (pasted " 2026-12-30" was refused as no valid day, the
    quoted value hiding why), as codes are trimmed."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        return super().convert(value.strip() if isinstance(value, str) else value, param, ctx)


DAY = _Day(["%Y-%m-%d", "%d/%m/%Y"])
"""A date on the command line, as ISO (2026-11-25) or as written in Vietnam (25/11/2026)."""


class VietnamTimeFormatter(logging.Formatter):
    """Log times in Vietnam time with their offset (2026-11-26T10:34:43.005+07:00), whatever the
    machine's zone: a line says when it happened at the counter, and a UTC machine no longer
    writes 03:34 for 10:34."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        from counter_app.domain.calendar import VN_TZ

        return datetime.fromtimestamp(record.created, VN_TZ).isoformat(timespec="milliseconds")


def _setup_logging() -> None:
    from counter_app.locations import log_dir

    try:
        handler: logging.Handler = logging.FileHandler(log_dir() / "counter.log", encoding="utf-8")
    except (OSError, CounterError):
        # No log folder can be made (a disk turned read-only, a file in its place): the command
        # still runs; only its log lines are lost. It stopped every command, reads too (exit 6).
        handler = logging.NullHandler()
    handler.setFormatter(VietnamTimeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    # A log line that cannot be written (the disk full) is lost quietly: logging printed a
    # traceback of it on stderr, 64 lines over the one that tells the official what happened.
    logging.raiseExceptions = False


class OutputError(CounterError):
    """Standard output refused what a command answers (redirected to a full disk, a broken
    device): the command's work is done and stays done; only its answer is lost."""

    default_title = "Không ghi được kết quả"
    exit_code = 8

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(
            message
            or f"không ghi được kết quả ra đầu ra chuẩn (stdout): {reason}. Việc của lệnh đã làm xong, "
            "chỉ phần trả lời bị mất."
        )
        self.reason = reason
        """Why the answer was lost, in Vietnamese ("ổ đĩa đã đầy")."""


def _out(message: str = "", *, nl: bool = True) -> None:
    """Print a command's answer on standard output; one that cannot be written is an OutputError
    (a closed pipe is not: the reader went away, see CounterGroup.invoke)."""
    try:
        click.echo(message, nl=nl)
    except BrokenPipeError:
        raise
    except OSError as exc:
        from counter_app.store.database import explain

        raise OutputError(explain(exc)) from exc


_STOPS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def _whole() -> Iterator[None]:
    """Around a save and its answer: Ctrl+C or SIGTERM meanwhile waits for both to end, then is
    dropped. A dossier saved is said in full and the exit status says done; stopped just after the
    commit, the command said 130 over a whole answer, and a script retrying on it made a second
    dossier. A save takes milliseconds (a busy file: at most the busy timeout).

    Once the save and its answer are done, the stops stay ignored to the end: all that is left is
    closing the file, and a SIGTERM there still gave 143 over the whole answer. A save refused
    gives the handlers back (the command goes on to say why, and may be stopped)."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    done = False
    try:
        yield
        done = True
    finally:
        # Ignored while unblocked, a pending stop is discarded (POSIX), then the handlers come back.
        handlers = {stop: signal.signal(stop, signal.SIG_IGN) for stop in _STOPS}
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        if not done:
            for stop, handler in handlers.items():
                signal.signal(stop, handler)


@contextlib.contextmanager
def _saved(code: str, what: str) -> Iterator[None]:
    """Around the answer of a command that wrote a dossier: an answer lost says the dossier is
    saved and must not be entered again (a script retrying a receive made a second dossier)."""
    try:
        yield
    except OutputError as exc:
        raise OutputError(
            exc.reason,
            f"{what} hồ sơ {code} đã được lưu, nhưng không ghi được kết quả ra đầu ra chuẩn "
            f"(stdout): {exc.reason}. Đừng làm lại: xem hồ sơ bằng «counter show {code}».",
        ) from exc


def _emit_json(data: Any) -> None:
    _out(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _actor(value: str | None) -> str:
    if value:
        return value
    try:
        return getpass.getuser()
    except Exception:  # no user name in a container: still record something honest
        return "unknown"


def given_path(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """A path from the command line as a Path; an empty one (``--db ""``) is refused by name
    (``Path("")`` would quietly mean the current folder)."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("đường dẫn đang để trống", ctx=ctx, param=param)
    return Path(value)


def db_option(func: F) -> F:
    """``--db PATH`` (env ``COUNTER_DB``) on a command; falls back to the group's value."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(),  # a folder is refused by the store, in Vietnamese
        callback=given_path,
        envvar="COUNTER_DB",
        default=None,
        help="Database file (default: in the user data folder; env COUNTER_DB).",
    )(func)


def actor_option(func: F) -> F:
    return click.option(
        "--actor",
        envvar="COUNTER_ACTOR",
        default=None,
        help=(
            "Official doing it, recorded with the step or in the access log "
            "(env COUNTER_ACTOR; default: the OS user)."
        ),
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def _typed_db(ctx: click.Context | None) -> Path | None:
    """The ``--db`` typed on this context's command line (not one taken from ``COUNTER_DB``)."""
    if ctx is None or ctx.params.get("db_path") is None:
        return None
    if ctx.get_parameter_source("db_path") is not click.core.ParameterSource.COMMANDLINE:
        return None
    return Path(ctx.params["db_path"])


def resolve_db_path(db_path: Path | None) -> Path:
    """The database a command works on: a ``--db`` typed after the command, else one typed before
    it (``counter --db X check``), else ``COUNTER_DB``, else the default file in the user data folder.

    What is typed always beats the environment: a ``COUNTER_DB`` left set in the shell must not
    quietly send ``counter --db other.db check`` to another database.
    """
    from counter_app.locations import default_db_path

    ctx = click.get_current_context()
    typed = _typed_db(ctx) or _typed_db(ctx.parent)
    if typed is not None:
        return typed
    return Path(db_path or (ctx.obj or {}).get("db_path") or default_db_path())


def _empty_file(path: Path) -> bool:
    """A file of no bytes (and no write-ahead log beside it): SQLite would take it for a new,
    empty database, and a nightly ``check && backup --keep N`` would rotate out the good copies."""
    try:
        if not path.is_file() or path.stat().st_size:
            return False
        wal = Path(f"{path}-wal")
        return not (wal.is_file() and wal.stat().st_size)
    except OSError:
        return False


UNCONFIGURED = (
    "tệp cơ sở dữ liệu này chưa được cấu hình quầy (counter setup chưa chạy xong): chưa có hồ sơ nào "
    "được tiếp nhận ở đây. Kiểm tra --db (hoặc COUNTER_DB), hoặc chạy lại «counter setup»."
)


def with_desk(func: F, *, creates: bool = False, strict: bool = True) -> F:
    """Open the desk for the command (``--db`` or the group's) and close it afterwards.

    Only a command that ``creates`` the database (setup) may start a new file: any other one,
    given a path where there is none (a mistyped ``--db``), says so instead of quietly working on
    a new, empty database. A ``strict=False`` command (settings, setup) still opens when a setting is
    wrong: it is the one that shows or repairs it.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, db_path: Path | None = None, **kwargs: Any) -> Any:
        from counter_app.desk import Desk

        path = resolve_db_path(db_path)
        if not creates and str(path) != ":memory:" and not path.exists():
            raise StoreError(
                f"Không có tệp cơ sở dữ liệu «{path}». Kiểm tra --db (hoặc COUNTER_DB); "
                "quầy mới thì chạy «counter setup» hoặc mở «counter» trước."
            )
        if not creates and _empty_file(path):
            raise StoreError(
                f"Tệp cơ sở dữ liệu «{path}» trống (0 byte): không phải cơ sở dữ liệu của quầy, có "
                "thể bị cắt khi sao chép. Kiểm tra --db (hoặc COUNTER_DB), hoặc khôi phục bản sao "
                "lưu bằng «counter restore»."
            )
        new = creates and str(path) != ":memory:" and (not path.exists() or _empty_file(path))
        desk = Desk.open(path, strict=strict)
        if desk.store.read_only:
            from counter_app.desk import READ_ONLY_DISK

            click.echo(f"Cảnh báo: {READ_ONLY_DISK.format(path=path)}", err=True)
        unconfigured = strict and not creates and not desk.settings.is_configured
        done = False
        try:
            if "actor" in kwargs:
                # An official's user name stands for the official: the step and the access log name
                # them as the UI does (by full name), not as "minh" here and "Trần Văn Minh" there.
                kwargs["actor"] = desk.actor_name(_actor(kwargs["actor"]))
            result = func(desk, *args, **kwargs)
            done = True
            return result
        finally:
            desk.close()
            if done and unconfigured:
                # A file whose setup was cut short (a full disk): "Không có hồ sơ nào" alone read as
                # a counter with an empty day. Said after the answer, not refused: a restore or a
                # check still runs, and a wrong command line stays one line.
                click.echo(f"Cảnh báo: {UNCONFIGURED}", err=True)
            if desk.lost_readings:  # the record a citizen may ask for: never lost in silence
                click.echo(
                    f"Cảnh báo: không ghi được {desk.lost_readings} lượt xem/in vào nhật ký truy cập "
                    f"({desk.unlogged_reason}).",
                    err=True,
                )
            if new and not done:
                # A setup refused (a mistyped commune code) leaves no empty database behind for
                # the next command to answer from.
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)

    return db_option(wrapper)  # type: ignore[return-value]


_USAGE_PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"Missing option '(?P<a>.+?)'\.", "thiếu tùy chọn {a}"),
    (r"Missing argument '(?P<a>.+?)'\. Choose from:\s*(?P<c>.+)", "thiếu đối số, một trong: {c}"),
    (r"Missing argument '(?P<a>.+?)'\.", "thiếu {a}"),
    (r"(?:File|Path) '(?P<a>.*?)' is a directory\.", "«{a}» là một thư mục, không phải tệp"),
    (r"Directory '(?P<a>.*?)' is a file\.", "«{a}» là một tệp, không phải thư mục"),
    (r"(?:File|Path|Directory) '(?P<a>.*?)' does not exist\.", "«{a}» không tồn tại"),
    (r"(?:File|Path|Directory) '(?P<a>.*?)' is not writable\.", "không có quyền ghi «{a}»"),
    (r"(?:File|Path|Directory) '(?P<a>.*?)' is not readable\.", "không có quyền đọc «{a}»"),
    (r"No such command '(?P<a>.+?)'\.", "không có lệnh «{a}»"),
    (
        r"No such option:? '?(?P<a>[^' ]+)'?\.? \(Did you mean one of: (?P<c>.+?)\?\)",
        "không có tùy chọn {a} (có phải một trong: {c}?)",
    ),
    (r"No such option:? '?(?P<a>[^' ]+)'?\.?(?: Did you mean '?(?P<b>[^'?]+)'?\?)?", "không có tùy chọn {a}"),
    (r"Option '(?P<a>.+?)' requires an argument\.", "tùy chọn {a} cần một giá trị"),
    (r"Got unexpected extra arguments? \((?P<a>.+)\)", "thừa đối số: {a}"),
    (r"'(?P<a>.*?)' is not one of (?P<b>.+?)\.", "«{a}» không phải một trong {b}"),
    (r"'(?P<a>.*?)' is not a valid integer(?: range)?\.", "«{a}» không phải số nguyên"),
    (r"(?P<a>\S+) is not in the range (?P<lo>-?\d+)<=x<=(?P<hi>-?\d+)\.", "{a} (phải từ {lo} đến {hi})"),
    (r"(?P<a>\S+) is not in the range x>=(?P<lo>-?\d+)\.", "{a} (phải từ {lo} trở lên)"),
    (r"(?P<a>\S+) is not in the range x<=(?P<hi>-?\d+)\.", "{a} (nhiều nhất là {hi})"),
    (r"(?P<a>\S+) is not in the range (?P<b>.+?)\.", "{a} nằm ngoài khoảng {b}"),
    (
        r"'(?P<a>.*?)' does not match the formats? (?P<b>.+?)\.",
        "«{a}» không phải ngày hợp lệ (viết dạng {b})",
    ),
)
"""Click's own (English) complaints about a command line, in Vietnamese."""

_FORMAT_EXAMPLES = (("'%Y-%m-%d'", "2026-11-25"), ("'%d/%m/%Y'", "25/11/2026"))
"""Date formats as click names them, and as a person reads them."""


def usage_problem(exc: click.ClickException) -> str:
    """One Vietnamese line for a wrong command line (a hint to the command's help appended)."""
    message = exc.format_message()
    invalid = re.fullmatch(r"Invalid value for '(.+?)': (.+)", message, re.S)
    named = invalid.group(1).replace("' / '", " / ") if invalid else ""  # "'-o' / '--output'"
    prefix = f"giá trị không hợp lệ cho {named}: " if invalid else ""
    message = invalid.group(2) if invalid else message
    for pattern, text in _USAGE_PROBLEMS:
        found = re.fullmatch(pattern, message.strip(), re.S)
        if found:
            said = {k: " ".join((v or "").split()) for k, v in found.groupdict().items()}
            if "c" in said:  # click's list of options, each in quotes
                said["c"] = said["c"].replace("'", "")
            for fmt, example in _FORMAT_EXAMPLES:
                said = {k: v.replace(fmt, example) for k, v in said.items()}
            message = text.format(**said)
            if found.groupdict().get("b") and "Did you mean" in pattern:
                message += f" (có phải {found.group('b')}?)"
            break
    ctx = getattr(exc, "ctx", None)
    hint = f" (xem: {ctx.command_path} --help)" if isinstance(exc, click.UsageError) and ctx else ""
    line = " ".join((prefix + message).split())
    return line[:1].upper() + line[1:] + hint


def _undecodable(argv: list[str]) -> str:
    """Say which argument or COUNTER_ variable is not valid UTF-8 text ("" when all are).

    Python hands such bytes over as lone surrogates, which fail much later, when the text is
    stored or printed; refused here, before anything runs, they can never be half-saved.
    """

    def broken(text: str) -> bool:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False

    def shown(text: str) -> str:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")[:60]

    for arg in argv:
        if isinstance(arg, str) and broken(arg):
            return f"đối số «{shown(arg)}» không phải văn bản UTF-8 hợp lệ; hãy gõ lại hoặc đổi bảng mã."
    for name, value in os.environ.items():
        if name.startswith("COUNTER_") and broken(value):
            return f"biến môi trường {name} không phải văn bản UTF-8 hợp lệ."
    return ""


UNEXPECTED = "Lỗi không mong đợi; chi tiết đã ghi vào tệp nhật ký của phần mềm."
"""What a failure that is not a CounterError says (the details go to the program's log)."""


def _unexpected() -> str:
    """:data:`UNEXPECTED`, naming the log file when there is one (the admin had to read the source
    to find it)."""
    files = [h.baseFilename for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    return f"{UNEXPECTED[:-1]}: {files[0]}." if files else UNEXPECTED


class CounterGroup(click.Group):
    """A click group that turns every CounterError into one line on stderr and an exit code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run as a program: a wrong command line, like any error, is one Vietnamese line."""
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        argv = kwargs.get("args") or (args[0] if args else None) or sys.argv[1:]
        problem = _undecodable(list(argv))
        if problem:
            click.echo(f"Lỗi: {problem}", err=True)
            sys.exit(2)
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as exc:
            # "counter calendar" alone: its help, as --help shows it, not squashed into one line.
            click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message(), err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"Lỗi: {usage_problem(exc)}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Đã dừng.", err=True)
            sys.exit(130)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CounterError as exc:
            log.warning("command failed: %s", exc.message)  # found by a search for warnings
            if isinstance(exc, ValidationError) and len(exc.errors) > 1:
                # A headline, then one line per problem (each said once).
                click.echo(f"Lỗi: {exc.title} ({len(exc.errors)} chỗ cần sửa):", err=True)
                for error in exc.errors:
                    click.echo(f"  - {error.field}: {error.message}", err=True)
            else:
                click.echo(f"Lỗi: {exc.message}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # The reader went away (``counter procedures | head``): not an error of ours.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("Đã dừng.", err=True)
            ctx.exit(130)
        except Exception as exc:
            problem = _damaged_file(exc)
            if problem is not None:  # not a bug of ours: the file itself (exit 5, restore it)
                log.error("damaged database: %s", exc)
                click.echo(f"Lỗi: {problem.message}", err=True)
                ctx.exit(problem.exit_code)
            log.exception("unexpected error")
            click.echo(_unexpected(), err=True)
            ctx.exit(1)


def _damaged_file(exc: BaseException) -> StoreError | None:
    """A SQLite failure any command may meet on a damaged file (a lost page, text no longer UTF-8),
    as the database error it is (exit 5, "restore the latest backup"); None for anything else."""
    from counter_app.desk import database_problem

    problem = database_problem(exc)
    return problem if isinstance(problem, DamagedFileError) else None


@click.group(
    cls=CounterGroup,
    invoke_without_command=True,
    epilog="Exit codes:\n\n\b\n" + EXIT_CODES_HELP,
)
@db_option
@click.version_option(package_name="counter")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None) -> None:
    """Counter: the one-stop counter (Bộ phận Một cửa) of a commune. Without a command: the UI."""
    os.umask(0o077)  # every file we write holds personal data (Law 91/2025): owner-only
    _setup_logging()
    ctx.ensure_object(dict)
    ctx.obj["db_path"] = db_path
    from counter_app.settings import unknown_variables

    for warning in unknown_variables():
        click.echo(f"Cảnh báo: {warning}", err=True)
    if ctx.invoked_subcommand is None:
        ctx.invoke(ui, db_path=db_path)


@main.command()
@db_option
def ui(db_path: Path | None) -> None:
    """Start the terminal UI (the default); one window per database (a second is refused)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        # From cron or a script (a command left empty): the UI would wait for keys forever.
        raise ValidationError(
            FieldError(
                "command",
                "Không có cửa sổ dòng lệnh để mở giao diện: hãy ghi rõ lệnh (xem: counter --help).",
            )
        )
    # Imported here, not at the top: Textual is heavy and the batch commands never need it.
    from counter_app.tui.app import run

    run(resolve_db_path(db_path))


@main.command()
@click.option("--commune-code", required=True, help="5-digit commune code (QĐ 19/2025/QĐ-TTg).")
@click.option("--commune-name", required=True, help='Commune name, e.g. "xã Vĩnh Bảo".')
@click.option("--counter", "counter_no", required=True, type=int, help="This counter's number, 1-9.")
@click.option("--agency-id", default=None, help="QCVN 102 agency identifier (default: derived).")
@click.option("--agency-name", default=None, help="Receiving centre as printed on forms.")
@click.option(
    "--province",
    "province_name",
    default=None,
    help="Province or city (kept in the settings; the forms' header names the commune People's "
    "Committee above the agency, as its direct superior).",
)
@click.option("--hub", "hub_url", default=None, help="City hub base address.")
@click.option("--token", "hub_token", default=None, help="This counter's hub token.")
@json_option
@functools.partial(with_desk, creates=True, strict=False)
def setup(
    desk: Any, as_json: bool, agency_name: str | None, province_name: str | None, **values: Any
) -> None:
    """Name the commune and this counter (run once per counter)."""
    extra = {}
    if agency_name:
        extra["agency_name"] = agency_name
    if province_name:
        extra["province_name"] = province_name
    settings = desk.setup(**values, **extra)
    from counter_app.domain.codes import PLACEHOLDER_AGENCY_WARNING, is_placeholder_agency
    from counter_app.domain.text import without_diacritics
    from counter_app.settings import UNACCENTED_COMMUNE

    if is_placeholder_agency(settings.agency_id):
        click.echo(f"Cảnh báo: {PLACEHOLDER_AGENCY_WARNING.format(agency=settings.agency_id)}", err=True)
    if without_diacritics(settings.commune_name):
        name = settings.commune_name
        click.echo(f"Cảnh báo: {UNACCENTED_COMMUNE.format(name=name, upper=name.upper())}", err=True)
    if as_json:
        _emit_json(settings.public_mapping())
    else:
        _out(
            f"Đã cấu hình quầy {settings.counter_no} của {settings.commune_name} "
            f"(mã cơ quan {settings.agency_id})."
        )


@main.command(name="settings")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="NAME=VALUE",
    help="Change a setting (repeat), e.g. --set printer=HP_LaserJet --set paper_size=A5.",
)
@json_option
@functools.partial(with_desk, strict=False)
def settings_(desk: Any, assignments: tuple[str, ...], as_json: bool) -> None:
    """Show the counter's settings, or change some (printer, paper size, form numbering, office
    hours, look-up address for the QR code, agency names ...)."""
    if assignments:
        values: dict[str, Any] = {}
        for item in assignments:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise ValidationError(FieldError("set", f"Viết dạng TÊN=GIÁ_TRỊ, không phải «{item}»."))
            values[name.strip()] = int(value) if name.strip() == "counter_no" and value.isdigit() else value
        try:
            desk.update_settings(**values)
        except ValidationError as exc:
            raise _keyed(exc) from None
        for warning in desk.change_warnings:
            click.echo(f"Cảnh báo: {warning}", err=True)
    data = desk.settings.public_mapping()
    if as_json:
        _emit_json(data)
    else:
        for key, value in data.items():
            _out(f"{key:>22}: {value}")
    if desk.setting_problems:  # shown above as they stand; what is wrong, on stderr
        raise SettingsError(desk.setting_problems)


def _keyed(exc: ValidationError) -> ValidationError:
    """A refused ``--set``, its one problem prefixed with the setting's key as typed after --set.

    The settings' messages name a setting by its Vietnamese label only (the TUI shows them); here
    the admin typed the key, so the line names it, as the list of several problems does.
    """
    from counter_app.settings import LABELS

    if len(exc.errors) != 1 or exc.errors[0].field not in LABELS:
        return exc
    error = exc.errors[0]
    return type(exc)(FieldError(error.field, f"{error.field}: {error.message}"), exc.title)


@main.command()
@json_option
@click.option("--search", "query", default=None, help="Only procedures matching (folded) text.")
@click.option(
    "--import",
    "source",
    default=None,
    help="Replace the catalog with a file in the shape of --export (or - for standard input); "
    "checked whole first, nothing changes if any entry is wrong.",
)
@click.option("--export", "export", is_flag=True, help="Print the whole catalog in the shape --import reads.")
@with_desk
def procedures(desk: Any, as_json: bool, query: str | None, source: str | None, export: bool) -> None:
    """List the procedure catalog; export it, or import an updated one."""
    if source is not None and (export or query is not None):
        raise click.UsageError("--import không đi cùng --export hay --search: hãy chạy từng lệnh một.")
    if source is not None:
        before = desk.catalog
        catalog = desk.import_catalog(_read_json_input(source, max_bytes=MAX_CATALOG_BYTES))
        for warning in desk.catalog_change_warnings(before, catalog):
            click.echo(f"Lưu ý: {warning}", err=True)
        _out(
            f"Đã nạp danh mục phiên bản {catalog.version}: {len(catalog.procedures)} thủ tục "
            f"(trước đó: phiên bản {before.version}, {len(before.procedures)} thủ tục)."
        )
        return
    if export:
        from counter_app.domain.procedures import catalog_to_json

        _emit_json(catalog_to_json(desk.catalog))
        return
    items = desk.catalog.search(query, limit=1000) if query else list(desk.catalog)
    if as_json:
        _emit_json([p.to_json() for p in items])
        return
    if not items:
        _out(f"Không có thủ tục nào khớp «{query}»." if query else "Danh mục thủ tục đang trống.")
    for p in items:
        _out(f"{p.code}  {p.limit.describe_vi():<28}  {p.name}")


_JSON_PROBLEMS = (
    ("Expecting value", "thiếu giá trị (tệp rỗng hoặc bị cắt?)"),
    ("Expecting ',' delimiter", "thiếu dấu phẩy"),
    ("Expecting ':' delimiter", "thiếu dấu hai chấm"),
    ("Expecting property name", "tên trường phải đặt trong ngoặc kép"),
    ("Extra data", "còn dữ liệu thừa sau đối tượng JSON"),
    ("Invalid control character", "có ký tự điều khiển trong chuỗi"),
    ("Invalid \\escape", "chuỗi thoát (\\) không hợp lệ"),
)


def _json_problem(exc: json.JSONDecodeError) -> str:
    """The decoder's complaint in Vietnamese (the official reads this, not a Python message)."""
    cut = exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string")
    if cut and exc.doc.strip():
        # The text stops where more was expected (a comma, a closing bracket, a string's closing
        # quote; a cut-off line ended by its newline): the file was cut short, whatever is missing.
        return "dữ liệu dừng giữa chừng (tệp bị cắt khi sao chép hoặc khi ghi?)"
    if exc.msg.startswith("Expecting value") and exc.pos < len(exc.doc) and exc.doc[exc.pos :].strip():
        # A value was expected and something else is there: not a cut-off file, text that is not JSON.
        found = exc.doc[exc.pos :].lstrip()[:1]
        return f"không phải giá trị JSON (gặp «{found}»; chuỗi phải đặt trong ngoặc kép)"
    for prefix, text in _JSON_PROBLEMS:
        if exc.msg.startswith(prefix):
            return text
    return "sai cú pháp"


class _RepeatedKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when a key comes twice: which of two names or two ID numbers was
    meant cannot be guessed (Python would quietly keep the last)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _RepeatedKey(key)
        data[key] = value
    return data


class _NotANumber(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _no_constant(name: str) -> Any:
    """NaN, Infinity, -Infinity: Python reads them, JSON has no such numbers."""
    raise _NotANumber(name)


def _finite(text: str) -> float:
    """A JSON number with a fraction or exponent, refused when too large to be a number at all
    (1e400 became infinity, and the message then said "inf")."""
    value = float(text)
    if not math.isfinite(value):
        raise _NotANumber(text)
    return value


def _read_json_input(source: str, max_bytes: int = 0) -> Any:
    limit = max_bytes or MAX_JSON_BYTES
    try:
        if not source.strip():
            raise ValidationError(
                FieldError("json", "Đường dẫn tệp JSON đang để trống (dùng - để đọc từ đầu vào).")
            )
        if source == "-":
            if sys.stdin is None:  # started with standard input closed (<&-)
                raise ValidationError(
                    FieldError("json", "Không có đầu vào chuẩn để đọc: hãy đưa tên tệp JSON thay cho -.")
                )
            raw = sys.stdin.buffer.read(limit + 1)
        else:
            path = Path(source)
            if path.is_dir():
                raise ValidationError(FieldError("json", f"«{source}» là một thư mục, không phải tệp JSON."))
            if not path.exists():  # a pipe (/dev/stdin, a FIFO) is read as a file is
                raise ValidationError(FieldError("json", f"Không có tệp «{source}»."))
            with path.open("rb") as fh:
                raw = fh.read(limit + 1)
    except OSError as exc:
        from counter_app.store.database import explain

        raise ValidationError(FieldError("json", f"Không đọc được «{source}»: {explain(exc)}.")) from exc
    if len(raw) > limit:
        raise ValidationError(FieldError("json", f"Tệp JSON quá lớn (tối đa {limit // 1_000_000} MB)."))
    from counter_app.domain.validation import shown as shown_key

    try:
        return json.loads(
            raw.decode("utf-8-sig"),
            object_pairs_hook=_no_repeated_keys,
            parse_constant=_no_constant,
            parse_float=_finite,
        )
    except _NotANumber as exc:
        raise ValidationError(
            FieldError(
                "json",
                f"«{shown_key(exc.text)[:40]}» không dùng được làm số: JSON chỉ nhận số hữu hạn viết "
                "bằng chữ số, ví dụ 2500000.",
            )
        ) from exc
    except _RepeatedKey as exc:
        raise ValidationError(
            FieldError("json", f"Khóa «{shown_key(exc.key)}» xuất hiện hai lần trong một đối tượng JSON.")
        ) from exc
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":  # cut in the middle of a letter ("Đặ…")
            cut = "JSON không hợp lệ: dữ liệu dừng giữa chừng (tệp bị cắt khi sao chép hoặc khi ghi?)."
            raise ValidationError(FieldError("json", cut)) from exc
        raise ValidationError(FieldError("json", "Tệp JSON phải được mã hóa UTF-8.")) from exc
    except RecursionError as exc:
        raise ValidationError(FieldError("json", "JSON lồng nhau quá sâu.")) from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(
            FieldError(
                "json", f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {_json_problem(exc)}."
            )
        ) from exc
    except ValueError as exc:  # a number of thousands of digits (Python's int-string limit)
        raise ValidationError(FieldError("json", "JSON có một số quá dài (hàng nghìn chữ số).")) from exc


def _summary(desk: Any, dossier: Any) -> dict[str, Any]:
    from counter_app.domain.dossier import format_time

    data = dossier.to_json()
    left = desk.time_left(dossier)
    data["time_left"] = left.describe_vi() if left else None
    data["overdue"] = dossier.is_overdue(desk.now())
    data["timeliness"] = dossier.timeliness()
    data["due"] = format_time(dossier.due_at)
    appointment = dossier.appointment_at  # None when refused at the counter: no receipt was given
    data["appointment"] = format_time(appointment) if appointment else None
    data["digitised"] = dossier.digitised
    data["sync_state"] = desk.sync_state(dossier.code)
    return data


@main.command()
@click.option("--json", "source", required=True, help="Intake JSON file, or - for standard input.")
@actor_option
@with_desk
def receive(desk: Any, source: str, actor: str | None) -> None:
    """Receive a dossier from an intake JSON; prints its code and due time as JSON.

    \b
    {"procedure": "1.001193",
     "applicant": {"name": "...", "id_number": "...", "phone": "...", "address": "..."},
     "documents": [{"name": "...", "originals": 1, "certified": 0, "copies": 0}],
     "received_at": "25/11/2026 09:00"}

    received_at (optional, for a paper dossier entered afterwards, within the last year): a day and
    time, Vietnam time, or ISO 8601 (2026-11-25T09:00:00+07:00); left out, now.
    """
    intake = desk.parse_intake(_read_json_input(source))
    clock = desk.clock_problem()  # before the save: its time is the one in question
    with _whole():
        dossier = desk.receive(intake, _actor(actor))
        # Soft checks, said and not refused: the ID's province, the phone's prefix, the clock.
        warnings = [*intake.warnings, *([clock] if clock else [])]
        with _saved(dossier.code, "Việc tiếp nhận"):
            for warning in warnings:
                click.echo(f"Lưu ý: {warning}", err=True)
            _emit_json({**_summary(desk, dossier), "warnings": warnings})


@main.command()
@click.argument("code")
@json_option
@actor_option
@with_desk
def show(desk: Any, code: str, as_json: bool, actor: str | None) -> None:
    """Show one dossier and its history."""
    dossier = desk.get(code, viewer=_actor(actor))
    steps = desk.history(dossier.code)
    left_out = desk.left_out(dossier.code)
    if as_json:
        data = _summary(desk, dossier)
        data["history"] = [
            {
                "at": s.at.isoformat(),
                "kind": s.kind,
                "label": s.label,
                "actor": s.actor,
                "status": s.status,
                "detail": s.detail,
            }
            for s in steps
        ]
        data["left_out"] = [
            {
                "at": s.at.isoformat(),
                "label": s.label,
                "actor": s.actor,
                "counter_id": s.counter_id,
                "reason": s.reason,
                "uuid": s.uuid,
                "received_again": s.received_again or None,
            }
            for s in left_out
        ]
        _emit_json(data)
        return
    left = desk.time_left(dossier)
    _out(f"{dossier.code}  [{dossier.status}] {dossier.status_name}")
    _out(f"  Thủ tục: {dossier.procedure_code} {dossier.procedure_name}")
    a = dossier.applicant
    who = "Tổ chức nộp" if a.kind == "organisation" else "Người nộp"
    _out(f"  {who}: " + "  ".join(x for x in (a.name, a.id_number, a.phone) if x))
    if a.kind == "organisation" and a.representative:
        _out(f"  Người đại diện: {a.representative}")
    owner = dossier.owner
    if owner is not None and owner.name and owner.name != a.name:
        _out("  Chủ hồ sơ: " + "  ".join(x for x in (owner.name, owner.id_number, owner.address) if x))
    appointment = dossier.appointment_at
    due = f"{appointment:%H:%M %d/%m/%Y}" if appointment else "— (không tiếp nhận)"
    _out(
        f"  Nhận: {dossier.received_at:%H:%M %d/%m/%Y}   Hẹn trả: {due}"
        + (f"   ({left.describe_vi()})" if left else "")
    )
    for fee in dossier.fee_requests:
        _out(f"  Phí nộp thêm: {fee.describe_vi()}")
    if dossier.rating is not None:
        said = f" ({dossier.rating.comment})" if dossier.rating.comment else ""
        _out(f"  Đánh giá: {dossier.rating.label}{said}")
    from counter_app.desk import SYNC_STATE_NAMES

    _out(f"  Đồng bộ: {SYNC_STATE_NAMES[desk.sync_state(dossier.code)]}")
    for s in steps:
        _out(f"  {s.at:%H:%M %d/%m/%Y}  {s.label:<26} {s.actor}  {s.detail}")
    if left_out:
        _out("  Bước không áp dụng (xung đột đồng bộ, cần giám sát xem):")
    for o in left_out:
        _out(f"  {o.at:%H:%M %d/%m/%Y}  {o.label:<26} {o.actor} ({o.counter_id})  {o.reason}")
        if o.can_receive_again:
            _out(f"    Tiếp nhận lại với mã mới: counter receive-again {dossier.code}")


def _rows_json(rows: list[Any]) -> list[dict[str, Any]]:
    from counter_app.domain.dossier import status_name
    from counter_app.domain.validation import mask_id

    return [
        {
            "code": r.code,
            "status": r.status,
            "status_name": status_name(r.status),
            "procedure_code": r.procedure_code,
            "procedure_name": r.procedure_name,
            "applicant_name": r.applicant_name,
            "owner_name": r.owner_name,
            "id_number": mask_id(r.id_number),
            "phone": r.phone,
            "received_at": r.received_at.isoformat(),
            "due": r.due_at.isoformat(),
        }
        for r in rows
    ]


def _print_rows(rows: list[Any], as_json: bool) -> None:
    if as_json:
        _emit_json(_rows_json(rows))
        return
    if not rows:
        _out("Không có hồ sơ nào.")
    for r in rows:
        _out(f"{r.code}  [{r.status}]  {r.received_at:%d/%m/%Y}  {r.who}  {r.procedure_name[:50]}")


@main.command()
@click.argument("query")
@json_option
@click.option("--limit", default=50, type=click.IntRange(1, 500), show_default=True)
@actor_option
@with_desk
def find(desk: Any, query: str, as_json: bool, limit: int, actor: str | None) -> None:
    """Find dossiers by code, ID number, phone or applicant name (accents optional).

    The search goes into the access log (who searched, what, how many dossiers it showed), with
    ID and phone numbers masked.
    """
    from counter_app.domain.text import clean

    if not clean(query):  # "find ''" answered "no dossier", as if the search had run
        raise ValidationError(
            FieldError("query", "Chưa có gì để tìm: hãy gõ tên, số căn cước, số điện thoại hoặc mã hồ sơ.")
        )
    rows = desk.find(query, limit=limit)
    desk.log_search(_actor(actor), query, [r.code for r in rows], more=len(rows) >= limit)
    _print_rows(rows, as_json)


@main.command(name="list")
@click.argument(
    "view",
    type=click.Choice(["today", "due_today", "overdue", "waiting_papers", "ready", "open", "recent"]),
)
@json_option
@click.option("--limit", default=50, type=click.IntRange(1, 1000), show_default=True)
@click.option("--offset", default=0, type=click.IntRange(0, None))
@actor_option
@with_desk
def list_(desk: Any, view: str, as_json: bool, limit: int, offset: int, actor: str | None) -> None:
    """One page of a named list of dossiers.

    A page can hold a thousand citizens' names and phones: it goes into the access log as a search
    for the list (who, which list, how many dossiers it showed).
    """
    rows = desk.list_view(view, limit=limit, offset=offset)
    if rows:
        desk.log_list(_actor(actor), view, [r.code for r in rows], more=len(rows) >= limit)
    _print_rows(rows, as_json)


STEP_KINDS = {
    "transfer": "transferred",
    "request-papers": "extra_papers_requested",
    "papers-received": "extra_papers_received",
    "request-fee": "fee_requested",
    "fee-paid": "fee_paid",
    "refuse": "refused",
    "withdraw": "withdrawn",
    "stop": "stopped",
    "result": "result_ready",
    "return": "returned",
    "move-appointment": "appointment_moved",
    "rate": "rated",
    "correct": "corrected",
}
"""The event each lifecycle command records: its Vietnamese label names the step in messages."""


def _appointment_said(dossier: Any, desk: Any) -> str:
    """The appointment after a step's answer; nothing once the dossier is closed (refused, withdrawn,
    stopped, handed back): the citizen has nothing more to come for."""
    from counter_app.domain.dossier import CLOSED_STATUSES

    if dossier.refused_at_intake:
        return " Không có hẹn trả (từ chối tại quầy, không cấp giấy tiếp nhận)."
    if dossier.status in CLOSED_STATUSES or dossier.appointment_at is None:
        return ""
    if dossier.is_paused:  # the appointment moves by the time the papers take to come
        return " Thời hạn tạm dừng chờ bổ sung giấy tờ: hẹn trả mới được tính khi nhận đủ giấy tờ."
    said = f" Hẹn trả {dossier.appointment_at:%H:%M %d/%m/%Y}."
    if not desk.calendar().is_working_day(dossier.appointment_at.date()):
        # Promised before the day was declared off: the citizen would find the office closed.
        said += (
            " Lưu ý: ngày hẹn trả nay là ngày nghỉ; hãy hẹn lại với công dân "
            f"(counter move-appointment {dossier.code})."
        )
    return said


def _step_command(name: str, help_text: str, method: str, *options: Callable[[F], F]) -> None:
    """Register one lifecycle command: ``counter NAME CODE [options]``."""
    from counter_app.domain.dossier import TRANSITIONS

    label = TRANSITIONS[STEP_KINDS[name]].label

    def command(desk: Any, code: str, actor: str | None, as_json: bool, **kwargs: Any) -> None:
        if name == "correct":  # the fields to change travel together
            reason, at, of_owner = kwargs.pop("reason"), kwargs.pop("at", None), kwargs.pop("owner")
            fields = {key: value for key, value in kwargs.items() if value is not None}
            if not fields:  # it said "the new details are the same as those recorded"
                raise ValidationError(
                    FieldError(
                        "changes",
                        "Chưa nêu thông tin nào cần sửa: thêm ít nhất một tùy chọn như --name, "
                        "--id-number, --phone, --address (xem counter correct --help).",
                    )
                )
            kwargs = {"reason": reason, "at": at, "changes": {"owner": fields} if of_owner else fields}
        with _whole():
            dossier = getattr(desk, method)(code, _actor(actor), **kwargs)
            with _saved(dossier.code, f"Bước «{label}» của"):
                if as_json:
                    _emit_json(_summary(desk, dossier))
                elif name == "correct":  # the status is what it was: say what changed
                    _out(f"{dossier.code}: {desk.history(dossier.code)[-1].detail}")
                elif name == "rate" and dossier.rating is not None:
                    # The status is what it was: the answer says what was recorded.
                    _out(f"{dossier.code}: Đã ghi đánh giá «{dossier.rating.label}».")
                else:
                    _out(f"{dossier.code}: {dossier.status_name}.{_appointment_said(dossier, desk)}")

    command.__name__ = method
    command.__doc__ = help_text
    decorated: Any = with_desk(command)
    for option in reversed(options):
        decorated = option(decorated)
    decorated = _at(decorated)
    decorated = json_option(actor_option(click.argument("code")(decorated)))
    main.command(name=name, help=help_text)(decorated)


def _parse_due(_ctx: Any, _param: Any, value: str | None) -> datetime | None:
    """A moment from the command line: ISO 8601 (Vietnam time without an offset), or as the
    screens take it, ``dd/mm/yyyy hh:mm`` (a day alone: 17:00, the close of a working day)."""
    from counter_app.domain.calendar import VN_TZ
    from counter_app.domain.validation import missing_day, parse_day_time

    if value is None:
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        moment = parse_day_time(text)
        if moment is None:
            raise click.BadParameter(
                missing_day(text)
                or "dùng dạng 04/12/2026 16:00, hoặc 2026-12-04T16:00 (giờ Việt Nam nếu không ghi múi giờ)"
            ) from None
        day, hour, minute = moment
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ)
    if len(text) == 10:  # an ISO day alone: the close of that working day, as on the screens
        parsed = parsed.replace(hour=17)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=VN_TZ)


_at = click.option(
    "--at",
    callback=_parse_due,
    default=None,
    help="When it was done, for steps entered after the fact: 24/11/2026 15:30, or ISO 8601 (Vietnam "
    "time if no offset); not before the dossier's last step, not in the future. Default: now.",
)
_reason = click.option("--reason", required=True, help="Reason (printed on the form).")
_note = click.option("--note", default="", help="Note for the history.")

_step_command(
    "transfer",
    "Transfer the dossier to the deciding agency (status 4).",
    "transfer",
    click.option("--to", "to_agency_name", default="", help="Receiving agency name."),
    _note,
)
_step_command(
    "request-papers",
    "Ask for extra papers (status 5, clock paused).",
    "request_extra_papers",
    click.option(
        "--paper",
        "papers",
        multiple=True,
        required=True,
        help="A paper to add (repeat): its name, and its counts after a colon as originals/certified"
        " copies/photocopies ('Bản sao giấy khai sinh: 0/1/0'); a name alone is one original.",
    ),
    _reason,
)
_step_command(
    "papers-received",
    "Record the extra papers received (status 4; due moves).",
    "receive_extra_papers",
    _note,
)
_step_command(
    "request-fee",
    "Ask for a fee or tax (status 6).",
    "request_fee",
    click.option("--amount", type=int, required=True, help="Amount in đồng."),
    click.option("--reason", default="", help="What the fee is for."),
)
_step_command("fee-paid", "Record the fee paid (status 4).", "record_fee_paid")
_step_command("refuse", "Refuse the dossier (status 3).", "refuse", _reason)
_step_command("withdraw", "The citizen withdraws the dossier (status 7).", "withdraw", _reason)
_step_command(
    "stop",
    "Stop handling the dossier (status 8).",
    "stop",
    _reason,
    click.option("--legal-basis", default="", help="Legal basis of the stop."),
)
_step_command("result", "Record the result ready at the counter (status 9).", "record_result", _note)
_step_command(
    "return",
    "Hand the result to the citizen (status 10).",
    "return_result",
    click.option("--receiver", default="", help="Who collected it, if not the applicant."),
    _note,
)
_step_command(
    "move-appointment",
    "Move the appointment later, with an apology.",
    "move_appointment",
    click.option(
        "--due",
        "new_due",
        required=True,
        callback=_parse_due,
        help="New due time: 04/12/2026 16:00, or ISO 8601 (Vietnam time if no offset); a day alone: 17:00.",
    ),
    _reason,
)

_step_command(
    "rate",
    "Record the citizen's satisfaction once the dossier is closed (once: a second is refused).",
    "rate",
    click.option(
        "--level",
        required=True,
        help="5 Rất hài lòng, 4 Hài lòng, 3 Bình thường, 2 Không hài lòng, 1 Rất không hài lòng.",
    ),
    click.option("--comment", default="", help="What the citizen said."),
    click.option("--rater", default="", help="Who rated, if not the applicant."),
)

_step_command(
    "correct",
    "Correct the applicant's details typed wrong at the counter (while handled or its result waits; "
    "the history keeps the details as they were). Give only the fields to change; '' empties an "
    "optional one.",
    "correct",
    click.option("--name", default=None, help="Full name (an organisation's name)."),
    click.option("--id-number", default=None, help="ID card (12 digits), old ID (9) or passport number."),
    click.option("--birth-date", default=None, help="Date of birth: 05/03/1990 or 1990-03-05."),
    click.option("--phone", default=None, help="Phone number."),
    click.option("--email", default=None, help="Email address."),
    click.option("--address", default=None, help="Address."),
    click.option("--representative", default=None, help="An organisation's representative."),
    click.option(
        "--owner", is_flag=True, help="The fields given are the owner's (chủ hồ sơ, when not the applicant)."
    ),
    click.option("--reason", required=True, help="Why (kept in the history with the details as they were)."),
)


@main.command(name="receive-again")
@click.argument("code")
@click.option(
    "--event",
    "event_uuid",
    default=None,
    help="Which receipt left out (its uuid, from `counter show CODE --json`), when the code was "
    "issued more than twice.",
)
@json_option
@actor_option
@with_desk
def receive_again(desk: Any, code: str, event_uuid: str | None, as_json: bool, actor: str | None) -> None:
    """Receive again, under a new code of this counter, the receipt left out because CODE was
    issued twice (two machines with one counter number; `counter sync` names it). The time of
    receipt, the documents and the due time stay as on the citizen's receipt. Print the new receipt
    with `counter receipt NEWCODE` and hand it to the citizen in place of the old one. Refused on a
    counter still using the shared number (exit 3)."""
    from counter_app.domain.codes import normalise_code

    with _whole():
        dossier = desk.receive_again(code, _actor(actor), event_uuid=event_uuid)
        code = normalise_code(code)
        with _saved(dossier.code, "Việc tiếp nhận lại"):
            if as_json:
                _emit_json({**_summary(desk, dossier), "replaces": code})
            else:
                _out(
                    f"{dossier.code}: đã tiếp nhận lại hồ sơ của «{dossier.applicant.name}» thay mã "
                    f"{code}.{_appointment_said(dossier, desk)} In giấy tiếp nhận mới: "
                    f"counter receipt {dossier.code}"
                )


@main.command(name="access-log")
@click.argument("code", required=False)
@click.option("--from", "first", type=DAY, default=None, help="First day (Vietnam).")
@click.option("--to", "last", type=DAY, default=None, help="Last day, included.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@json_option
@with_desk
def access_log(
    desk: Any, code: str | None, first: datetime | None, last: datetime | None, limit: int, as_json: bool
) -> None:
    """Who viewed or printed whose data, newest first: one dossier's (CODE) or the whole counter's.

    The personal data law lets a citizen ask who saw their data; the supervisor answers from here.
    """
    entries = desk.access_log(
        code,
        first=first.date() if first else None,
        last=last.date() if last else None,
        limit=limit,
    )
    if as_json:
        _emit_json([entry.to_json() for entry in entries])
        return
    if not entries:
        _out("Không có lượt truy cập nào trong khoảng này.")
    for entry in entries:
        what = " · ".join(x for x in (entry.dossier_code, entry.detail_text) if x)
        _out(f"{entry.at:%H:%M %d/%m/%Y}  {entry.action_name:<9} {entry.actor}  {what}")


@main.command()
@click.option("--from", "first", type=DAY, required=True)
@click.option("--to", "last", type=DAY, required=True)
@json_option
@with_desk
def report(desk: Any, first: datetime, last: datetime, as_json: bool) -> None:
    """Indicators for a period: received, returned, early / on time / late, overdue, ratings."""
    data = desk.period_report(first.date(), last.date())
    if as_json:
        _emit_json(data)
        return
    from counter_app.desk import REPORT_FIGURES, figure_text
    from counter_app.domain.dossier import RATING_LEVELS

    _out(f"Từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}")
    width = max(len(label) for _, label in REPORT_FIGURES)  # the figures in one column
    for key, label in REPORT_FIGURES:
        _out(f"  {label:<{width}} {figure_text(key, data[key]):>8}")
        if key == "satisfaction_rate":  # the levels under the rate they make
            for level, count in data["ratings"].items():
                _out(f"    {RATING_LEVELS[int(level)]:<{width - 2}} {figure_text('rated', count):>8}")


@main.group()
def calendar() -> None:
    """Local working-day overrides (days off, make-up working days)."""


@calendar.command(name="list")
@json_option
@with_desk
def calendar_list(desk: Any, as_json: bool) -> None:
    """List the overrides."""
    items = [{"day": o.day.isoformat(), "kind": o.kind, "label": o.label} for o in desk.overrides()]
    if as_json:
        _emit_json(items)
    else:
        from counter_app.desk import OVERRIDE_KINDS

        if not items:
            _out("Chưa khai báo ngày nghỉ hay ngày làm bù nào.")
        for o in items:
            day = date.fromisoformat(o["day"])
            _out(f"{day:%d/%m/%Y}  {OVERRIDE_KINDS[o['kind']]:<12} {o['label']}")


@calendar.command(name="upcoming")
@click.option("--days", type=click.IntRange(1, 731), default=90, show_default=True, help="How far ahead.")
@json_option
@with_desk
def calendar_upcoming(desk: Any, days: int, as_json: bool) -> None:
    """Holidays, days off and make-up working days from today: the package's and the commune's."""
    from counter_app.domain.calendar import WEEKDAYS, day_kind_text

    today = desk.now().date()
    items = [
        {"day": day.isoformat(), "working": working, "note": note}
        for day, working, note in desk.special_days(today, today + timedelta(days=days - 1))
    ]
    if as_json:
        _emit_json(items)
        return
    if not items:
        _out(f"Không có ngày nghỉ lễ hay làm bù nào trong {days} ngày tới.")
    for item in items:
        day = date.fromisoformat(item["day"])
        kind = day_kind_text(day, item["working"])
        _out(f"{day:%d/%m/%Y} {WEEKDAYS[day.weekday()]:<9} {kind:<12} {item['note']}")


@calendar.command(name="set")
@click.argument("day", type=DAY, metavar="DAY")
@click.argument("kind", type=click.Choice(["day_off", "working_day"]))
@click.option("--label", default="")
@with_desk
def calendar_set(desk: Any, day: datetime, kind: str, label: str) -> None:
    """Declare DAY a day off or a make-up working day."""
    from counter_app.desk import stranded_appointments
    from counter_app.domain.calendar import day_kind_text

    desk.set_override(day.date(), kind, label)
    _out(f"Đã ghi {day:%d/%m/%Y}: ngày {day_kind_text(day.date(), kind == 'working_day')}.")
    due = desk.stranded_on(day.date())
    if due:
        click.echo(f"Cảnh báo: {stranded_appointments(due)}", err=True)


@calendar.command(name="remove")
@click.argument("day", type=DAY, metavar="DAY")
@with_desk
def calendar_remove(desk: Any, day: datetime) -> None:
    """Remove the override of DAY (a make-up day removed is a day off again: the appointments
    on it are named, as when a day off is set)."""
    from counter_app.desk import stranded_appointments

    if not desk.remove_override(day.date()):
        raise NotFoundError(f"Ngày {day:%d/%m/%Y} không có thiết lập riêng.")
    _out(f"Đã xóa thiết lập của ngày {day:%d/%m/%Y}.")
    due = desk.stranded_on(day.date())
    if due:
        click.echo(f"Cảnh báo: {stranded_appointments(due)}", err=True)


@main.command(name="add-official")
@click.argument("username")
@click.option("--name", "full_name", required=True)
@click.option(
    "--role",
    type=click.Choice(["official", "supervisor"]),
    default=None,
    help="Role of a new official (default: official); an existing official keeps theirs unless given.",
)
@click.option(
    "--pin",
    default=None,
    help="The PIN. Left out, a new official's PIN is asked twice, hidden, at a keyboard; an existing "
    "official keeps theirs.",
)
@click.option("--new-pin", is_flag=True, help="Ask for a new PIN for an existing official (hidden, twice).")
@click.option(
    "--unlock", is_flag=True, help="Open again an account a supervisor locked (kept locked otherwise)."
)
@with_desk
def add_official(
    desk: Any, username: str, full_name: str, role: str | None, pin: str | None, new_pin: bool, unlock: bool
) -> None:
    """Create or update an official who signs in to the UI.

    Changing an existing official's name keeps their role unless --role is given, their PIN
    unless --pin or --new-pin is given, and a locked account locked unless --unlock is given.
    """
    had = desk.official_role(username)
    known = had is not None
    was_locked = desk.official_locked(username)
    role = role or had or "official"
    if pin is None and (new_pin or not known):
        if not sys.stdin.isatty():
            raise ValidationError(FieldError("pin", "Thiếu --pin (chỉ hỏi PIN được khi gõ từ bàn phím)."))
        pin = click.prompt("PIN", hide_input=True, prompt_suffix=": ")
        if click.prompt("Nhập lại PIN", hide_input=True, prompt_suffix=": ") != pin:
            raise ValidationError(FieldError("pin", "Hai lần nhập PIN không khớp; hãy chạy lại lệnh."))
    official = desk.add_official(username, full_name, role, pin or "", unlock=unlock)
    kept = (" Mã PIN giữ nguyên." if not pin else " Đã đổi mã PIN.") if known else ""
    from counter_app.desk import ROLE_NAMES

    if known and had != official.role:
        before, after = ROLE_NAMES.get(had or "", had or ""), ROLE_NAMES[official.role]
        kept += f" Vai trò đổi từ {before.lower()} sang {after.lower()}."
    if was_locked:
        kept += " Tài khoản đã mở lại." if unlock else " Tài khoản vẫn đang khóa (mở lại: thêm --unlock)."
    role_name = ROLE_NAMES[official.role].lower()
    _out(f"Đã lưu cán bộ {official.full_name} ({official.username}, {role_name}).{kept}")


@main.command()
@json_option
@click.option(
    "--repair",
    is_flag=True,
    help="Rebuild the dossier rows from their events when they differ (the events are the record).",
)
@with_desk
def check(desk: Any, as_json: bool, repair: bool) -> None:
    """Check the database: integrity, and that the dossiers rebuild identically from their events.

    Changes nothing unless --repair is given: a difference stays for whoever looks next. A
    database never set up fails the check (exit 6): it is not a counter's database yet.
    """
    desk.settings.require_configured()
    missing = desk.store.missing_tables()
    if missing:  # nothing else can be read reliably; a restore is the way back
        raise StoreError(
            f"Toàn vẹn dữ liệu: HỎNG: thiếu bảng {', '.join(missing)}. Báo quản trị; khôi phục bản "
            "sao lưu gần nhất bằng «counter restore»."
        )
    integrity = desk.store.integrity_ok()
    problems: list[str] = []
    unsent: int | None = None
    if not integrity:
        # Nothing read from a damaged file can be trusted (and reading it may fail): the
        # rows are not compared, and the way back is the latest backup.
        from counter_app.store.database import damaged_problem

        projection, repair = False, False
        problems.append(damaged_problem())
    else:
        unsent = desk.unsent_events()
        try:
            projection = desk.check_projection(repair=repair)
            if not projection and not repair:  # which, for the admin to look at (or --repair)
                where = desk.projection_differs_at
                problems.append(
                    f"Hồ sơ {where} khác với sự kiện của nó (có thể còn hồ sơ khác)"
                    if where
                    else "Số hồ sơ lưu khác với số hồ sơ dựng lại từ sự kiện"
                )
                problems[-1] += ": «counter check --repair» dựng lại từ sự kiện."
        except StoreError as exc:  # an event that cannot be read: no rebuild can help
            projection, repair = False, False
            problems.append(str(exc))
    repaired = repair and integrity and not projection
    result = {
        "integrity": integrity,
        "projection_matches_events": projection,
        "repaired": repaired,
        "unsent_events": unsent,
        "problems": problems,
        # Said, never an exit code (see Desk.clock_problem); read from a sound file only.
        "clock_problem": desk.clock_problem() if integrity else None,
        # Sync trouble waiting for a person (said by every sync run too): notes, not failures.
        "sync_conflicts": desk.open_conflicts() if integrity else [],
    }
    if as_json:
        _emit_json(result)
    else:
        rows = "khớp" if projection else "KHÁC" if integrity else "không so được"
        _out(
            f"Toàn vẹn dữ liệu: {'tốt' if integrity else 'HỎNG'}; "
            f"hồ sơ dựng lại từ sự kiện: {rows}; "
            f"sự kiện chờ gửi: {'?' if unsent is None else unsent}"
        )
        for problem in problems:
            _out(problem)
        if result["clock_problem"]:
            _out(f"Lưu ý: {result['clock_problem']}")
        if result["sync_conflicts"]:
            conflicts = result["sync_conflicts"]
            _out(
                f"Lưu ý: {len(conflicts)} hồ sơ đang xung đột đồng bộ chờ xem (counter sync --status): "
                + ", ".join(conflicts[:10])
            )
        if repaired:
            _out("Đã dựng lại các dòng hồ sơ từ sự kiện; chạy lại «counter check» để xem lại.")
        elif not projection and not problems:
            _out("Các dòng hồ sơ khác với sự kiện: «counter check --repair» dựng lại từ sự kiện.")
    if not (integrity and projection) and not repaired:
        raise click.exceptions.Exit(5)


@main.command()
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False),
    callback=given_path,
    default=None,
    help="Folder for the copy (default: backups/ in the data folder; env COUNTER_BACKUP_DIR).",
)
@click.option(
    "--keep",
    type=click.IntRange(0, None),
    default=0,
    show_default=True,
    help="Keep only this counter's N newest backups in that folder (0: keep all).",
)
@json_option
@with_desk
def backup(desk: Any, folder: Path | None, keep: int, as_json: bool) -> None:
    """Copy the database to a new owner-only file while the counter may keep working.

    The copy is checked and synced before it gets its name
    (counter-<commune code>-<counter>-YYYYMMDD-HHMMSS.db, Vietnam time; --keep removes only this
    counter's older copies); a copy cut off by a power cut or a full disk is never left looking
    complete. To put one back: `counter restore FILE` (never copy it over the database file by
    hand: a leftover -wal file would be applied to it).
    """
    from counter_app.locations import backup_dir

    if folder is not None and not folder.is_dir():
        # Not made here: a typo, or a USB drive not plugged in, would leave the only copy on this
        # machine's disk under a name that looks like the drive (the default folder is made).
        raise ValidationError(
            FieldError(
                "to",
                f"Không có thư mục «{folder}»: kiểm tra lại đường dẫn, hoặc cắm ổ USB rồi thử lại "
                "(--to không tự tạo thư mục).",
            )
        )
    result = desk.backup(folder or backup_dir(), keep=keep)
    if as_json:
        _emit_json(result)
        return
    from counter_app.desk import backup_summary

    _out(backup_summary(result))
    for name in result["removed"]:
        _out(f"  Đã xóa bản sao lưu cũ: {name}")
    for name in result.get("kept_other", []):
        _out(f"  Giữ lại (bản sao của một cơ sở dữ liệu khác cùng tên quầy, không xóa): {name}")


def json_failure(func: F) -> F:
    """With ``--json``, a failure still answers one JSON object on stdout:
    ``{"ok": false, "error": "<the Vietnamese line>", "exit_code": N}``.

    A nightly script that reads the answer gets something to read rather than empty input; the
    line on stderr and the exit code stay as for any failure (CounterGroup). Covers the database
    not opening too (wrapped around :func:`with_desk`).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, BrokenPipeError):
            raise
        except OutputError:
            raise  # stdout itself refused the answer: no second one
        except CounterError as exc:
            if kwargs.get("as_json"):
                _emit_json({"ok": False, "error": exc.message, "exit_code": exc.exit_code})
            raise
        except Exception as exc:
            problem = _damaged_file(exc)
            if kwargs.get("as_json"):
                if problem is not None:
                    _emit_json({"ok": False, "error": problem.message, "exit_code": problem.exit_code})
                else:
                    _emit_json({"ok": False, "error": _unexpected(), "exit_code": 1})
            raise

    return wrapper  # type: ignore[return-value]


@main.command(name="sync")
@click.option(
    "--status", "status_only", is_flag=True, help="Only say the sync's state (no request to the hub)."
)
@click.option(
    "--settle",
    metavar="CODE",
    help="Take dossier CODE out of conflict once its steps left out have been looked at (no request).",
)
@json_option
@actor_option
@json_failure
@with_desk
def sync_(desk: Any, status_only: bool, settle: str | None, as_json: bool, actor: str | None) -> None:
    """Sync with the city hub (hub_url, hub_token): send the events recorded here, take the
    commune's new events, the procedure catalog and the city's days off.

    Safe to run at any time and again after a failure (the nightly batch runs it): an event leaves
    the outbox only once the hub says it has it, and a pulled page is stored with its cursor in one
    transaction. Exit 9: the hub could not be reached or answered wrongly (nothing lost; run again
    later); exit 6: the hub refused this counter's token; exit 10: the run is done but its report
    names something a person must look at (a conflict, events kept aside, a refused catalog, the
    clock off).

    With --json, a failure prints one object on stdout, {"ok": false, "error": "<the message>",
    "exit_code": N}, besides the line on stderr and the exit code (a success prints the report,
    unchanged). --settle with an unknown code exits 4; a known one not in conflict, 3.
    """
    if settle is not None:
        state = desk.settle_conflict(settle, _actor(actor))
        if as_json:
            _emit_json({"code": settle, "sync_state": state})
        else:
            from counter_app.desk import SYNC_STATE_NAMES

            _out(f"Hồ sơ {settle} hết trạng thái xung đột ({SYNC_STATE_NAMES[state]}).")
        return
    if status_only:
        _sync_status(desk.sync_status(), as_json)
        return
    from sync.client import SyncClient

    settings = desk.settings
    log.info("sync run with %s", settings.hub_url)
    with SyncClient(desk, settings.hub_url, settings.hub_token) as client, _stopped_said(client, desk):
        report = client.run()
    for line in report.lines():  # the nightly run's record: what it did, in the log too
        log.info("sync: %s", line)
    if as_json:
        _emit_json(report.to_json())
    else:
        for line in report.lines():
            _out(line)
    if report.problems():
        # Done, and nothing lost, but a person must look: a nightly script (or a systemd unit,
        # marked failed) can tell this run from a quiet one without reading Vietnamese.
        raise click.exceptions.Exit(EXIT_NEEDS_A_PERSON)


class _Terminated(KeyboardInterrupt):
    """SIGTERM during a sync run (a nightly unit stopped, a shutdown)."""


@contextlib.contextmanager
def _stopped_said(client: Any, desk: Any) -> Iterator[None]:
    """A run stopped by Ctrl+C or SIGTERM says how far it got, as one stopped by the hub does: a
    SIGTERM ended the process with exit 143 and not a word. Nothing is lost either way (a page
    is stored whole with its cursor; an event leaves the outbox once the hub has it)."""
    previous = signal.getsignal(signal.SIGTERM)

    def terminated(_signum: int, _frame: Any) -> None:
        raise _Terminated

    signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    except KeyboardInterrupt as stop:
        report = client.report
        done = f"đã gửi {report.pushed} và nhận {report.pulled} sự kiện" if report else "chưa trao đổi gì"
        said = f"Đã dừng đồng bộ: lần này {done}; còn {desk.unsent_events()} sự kiện chờ gửi."
        log.warning("sync stopped: %s", said)
        click.echo(said, err=True)
        raise click.exceptions.Exit(143 if isinstance(stop, _Terminated) else 130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _said_time(stamp: str | None) -> str:
    """An ISO time of the database as people read it elsewhere ("21:18 29/11/2026", Vietnam time)."""
    if not stamp:
        return ""
    try:
        from counter_app.domain.calendar import to_vn

        return f"{to_vn(datetime.fromisoformat(stamp)):%H:%M %d/%m/%Y}"
    except ValueError:
        return stamp


def _sync_status(status: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _emit_json(status)
        return
    hub = status["hub_url"] or "chưa đặt (hub_url)"
    _out(f"Máy chủ: {hub}{'' if status['token_set'] else ' — chưa đặt mã truy cập (hub_token)'}")
    _out(f"Lần đồng bộ cuối: {_said_time(status['last_sync']) or 'chưa có'}")
    failure = status.get("last_failure")
    if failure:
        _out(f"Lần chạy gần nhất không thành công ({_said_time(failure['at'])}): {failure['error']}")
    _out(f"Sự kiện chờ gửi: {status['waiting']}")
    _out(f"Lịch nghỉ, làm bù của thành phố: phiên bản {status['calendar_version'] or 'chưa nhận'}")
    _out(f"Hồ sơ xung đột với máy chủ: {len(status['conflicts'])}")
    for code in status["conflicts"]:
        _out(f"  {code}")
    _out(f"Sự kiện không áp dụng được (đã giữ lại): {len(status['flagged'])}")
    for item in status["flagged"]:
        _out(f"  {item['code']}  {item['uuid']}  {item['reason']}")


@main.command()
@click.argument("backup_file", metavar="BACKUP", type=click.Path(), callback=given_path)
@click.option("--yes", is_flag=True, help="Carry out the restore; without it, only say what it would do.")
@json_option
@db_option
def restore(backup_file: Path, yes: bool, as_json: bool, db_path: Path | None) -> None:
    """Put a backup (from `counter backup`) in place of the database (a counter window left open
    waits while it is put in place, then works on the restored file).

    Without --yes nothing changes: it says what the restore would do, and what the current database
    holds that the backup lacks (dossiers, events not yet sent), which the restore would lose.

    The current file is kept aside as <name>.before-restore-<time>. Codes printed on receipts are
    never issued again: the sequences of the current database are kept when they are ahead; when
    nothing tells them (the file is lost, damaged or set up anew), this counter's codes of every
    day from a year before the backup's last day to today (paper dossiers entered after the fact
    carry earlier days) start 500 past what the backup had issued that day (k501 on a day it
    knows nothing of), and its logbook numbers skip 500 for each day since the backup. A backup of
    another commune or counter is refused over a database set up for this one.
    """
    from counter_app.domain.calendar import now_vn
    from counter_app.store.restore import plan_restore
    from counter_app.store.restore import restore as carry_out

    live = resolve_db_path(db_path)
    now = now_vn()
    plan = plan_restore(live, backup_file, now=now)
    if not yes:
        if as_json:
            _emit_json({"done": False, **plan.summary()})
            return
        for line in plan.describe():
            _out(line)
        _out("Chưa thay đổi gì. Đóng chương trình Quầy rồi chạy lại với --yes để khôi phục.")
        return
    result = carry_out(plan, now=now)
    if as_json:
        _emit_json({"done": True, **result})
        return
    _out(f"Đã khôi phục {result['dossiers']} hồ sơ từ «{result['backup']}» vào «{result['database']}».")
    if result["rebuilt_rows"]:
        _out(
            f"{result['rebuilt_rows']} hồ sơ trong bản sao lưu không khớp với lịch sử sự kiện của nó và đã "
            "được dựng lại từ các sự kiện (như counter check --repair)."
        )
    if result["kept_aside"]:
        _out(f"Cơ sở dữ liệu trước khi khôi phục được giữ tại «{result['kept_aside']}».")
    if result["lost_events"]:
        _out(
            f"Không có trong bản sao lưu: {result['lost_dossiers']} hồ sơ, {result['lost_events']} sự kiện "
            "(vẫn còn trong tệp giữ lại)."
        )


@main.command(name="purge-forms")
@click.option(
    "--days",
    type=click.IntRange(0, 3650),
    default=None,
    help="Delete saved forms older than this (default: the forms_retention_days setting; 0 keeps all).",
)
@json_option
@with_desk
def purge_forms(desk: Any, days: int | None, as_json: bool) -> None:
    """Delete forms saved as PDFs past their retention (they hold personal data); for the nightly run.

    Only files named as the counter names its forms are removed from the output folder.
    """
    from counter_app.locations import output_dir, purge_saved_forms

    keep = desk.settings.forms_retention_days if days is None else days
    removed = purge_saved_forms(keep)
    if as_json:
        _emit_json({"folder": str(output_dir()), "days": keep, "removed": removed})
        return
    if keep == 0:  # forms are kept for good; only a form cut off by a crash goes
        leftovers = f" (đã xóa {len(removed)} tệp dở dang do sự cố)" if removed else ""
        _out(f"Giữ lại mọi biểu mẫu đã lưu trong {output_dir()} (thời hạn lưu 0: không xóa){leftovers}.")
        return
    _out(f"Đã xóa {len(removed)} biểu mẫu lưu quá {keep} ngày trong {output_dir()}.")


# Printing commands live in their own module; importing it registers them on ``main``.
from counter_app import cli_printing  # noqa: E402,F401
