"""Printing commands of the ``counter`` CLI (receipt, forms, logbook); registered on import.

Each command renders a PDF through :mod:`printing` (imported inside the command: reportlab is heavy
and the other commands never need it), saves it (``-o FILE`` or the output folder) and, with
``--print``, hands it to CUPS. A print that does not happen exits 7 with one line on stderr; the
PDF is kept on disk either way.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from counter_app.cli import _actor, _emit_json, _out, actor_option, given_path, json_option, main, with_desk
from counter_app.domain.errors import FieldError, PrintingError, ValidationError
from counter_app.domain.validation import PERIOD_BACKWARDS
from counter_app.store.database import explain

FORM_NAMES = ("receipt", "extra_papers", "refusal", "apology", "stop_notice", "control_slip")
"""Same as ``printing.FORMS`` (kept here so ``counter --help`` does not import reportlab)."""

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

_output = click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(),
    callback=given_path,
    default=None,
    help=(
        "PDF file to write (default: the output folder, env COUNTER_OUTPUT_DIR). An existing PDF is "
        "replaced; any other existing file, the database itself, a folder or a device is refused."
    ),
)


def _checked_output(desk: Any, out: Path | None) -> Path | None:
    """The file an ``-o`` PDF may really be written to, or a ValidationError (exit 2).

    The PDF replaces the target by a rename, so a wrong ``-o`` would silently destroy what was
    there: the counter's own database, a document, a device node. Only an existing PDF (a form
    printed again) is replaced. A symbolic link is followed, so the file it names gets the PDF.
    """
    if out is None:
        return None
    if not str(out).strip():
        raise ValidationError(FieldError("output", "Đường dẫn tệp PDF (-o) đang để trống."))
    if str(out) == "-":
        # "-" reads standard input elsewhere (receive --json -): a PDF is not written to standard
        # output (it would land in a terminal, or mix with the message line), nor to a file "-".
        raise ValidationError(
            FieldError(
                "output",
                "«-o -» không ghi PDF ra màn hình (đầu ra chuẩn); hãy ghi tên tệp, ví dụ «-o bieu-mau.pdf».",
            )
        )
    target = out.expanduser()
    real = target.resolve()
    live = desk.store.path
    if live is not None and real in {Path(f"{live.resolve()}{s}") for s in ("", "-wal", "-shm", "-journal")}:
        raise ValidationError(
            FieldError("output", f"«{out}» là tệp cơ sở dữ liệu của quầy; hãy chọn một tên tệp PDF khác.")
        )
    if real.is_dir():
        raise ValidationError(
            FieldError(
                "output", f"«{out}» là một thư mục; hãy ghi cả tên tệp, ví dụ «{out / 'bieu-mau.pdf'}»."
            )
        )
    if real.exists():
        if not real.is_file():
            raise ValidationError(FieldError("output", f"«{out}» không phải là một tệp thông thường."))
        try:
            with real.open("rb") as fh:
                head = fh.read(5)
        except OSError as exc:
            raise ValidationError(FieldError("output", f"Không đọc được «{out}»: {explain(exc)}.")) from exc
        if head != b"%PDF-":
            raise ValidationError(
                FieldError(
                    "output", f"«{out}» đã có và không phải tệp PDF; hãy chọn tên khác (không ghi đè)."
                )
            )
    elif not real.parent.is_dir():
        raise ValidationError(FieldError("output", f"Thư mục «{real.parent}» không tồn tại."))
    return real


_print = click.option(
    "--print",
    "to_printer",
    is_flag=True,
    help="Also send the PDF to the CUPS printer of the settings (lp); exit 7 if it is not printed.",
)


def _finish(desk: Any, pdf: Path, to_printer: bool, keep: bool, as_json: bool, extra: dict[str, Any]) -> None:
    """Print the result, send to the printer when asked; a failed print raises PrintingError (7)."""
    from printing import deliver, wording

    printed, message = False, wording.SAVED.format(path=pdf)
    if to_printer:
        delivery = deliver(pdf, desk.settings, remove_after=not keep)
        printed, message = delivery.printed, delivery.message
    if as_json:
        _emit_json({**extra, "path": str(pdf), "printed": printed, "message": message})
    elif printed or not to_printer:
        _out(message)
    if to_printer and not printed:
        raise PrintingError(message)


_paper = click.option(
    "--paper",
    type=click.Choice(["A4", "A5"]),
    default=None,
    help="Paper size (default: the setting paper_size).",
)


@main.command()
@click.argument("code")
@_output
@_print
@_paper
@actor_option
@json_option
@with_desk
def receipt(
    desk: Any,
    code: str,
    out: Path | None,
    to_printer: bool,
    paper: str | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Print the receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả) of dossier CODE."""
    from printing import render_form

    out = _checked_output(desk, out)
    pdf = render_form(desk, "receipt", code, out, _actor(actor), paper=paper)
    _finish(desk, pdf, to_printer, out is not None, as_json, {"form": "receipt"})


@main.command()
@click.argument("kind", metavar="FORM", type=click.Choice(FORM_NAMES))
@click.argument("code")
@_output
@_print
@_paper
@actor_option
@json_option
@with_desk
def form(
    desk: Any,
    kind: str,
    code: str,
    out: Path | None,
    to_printer: bool,
    paper: str | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """Print FORM of dossier CODE: extra_papers, refusal, apology, stop_notice, control_slip
    (or receipt)."""
    from printing import render_form

    out = _checked_output(desk, out)
    pdf = render_form(desk, kind, code, out, _actor(actor), paper=paper)
    _finish(desk, pdf, to_printer, out is not None, as_json, {"form": kind})


@main.command()
@click.option(
    "--date", "day", type=click.DateTime(DATE_FORMATS), default=None, help="One day (default: today)."
)
@click.option(
    "--from",
    "first",
    type=click.DateTime(DATE_FORMATS),
    default=None,
    help="First day of a range (with --to).",
)
@click.option(
    "--to", "last", type=click.DateTime(DATE_FORMATS), default=None, help="Last day of a range (with --from)."
)
@click.option(
    "--status",
    "statuses",
    type=click.IntRange(1, 10),
    multiple=True,
    help="Only dossiers in this national status (repeat for several).",
)
@_output
@_print
@actor_option
@json_option
@with_desk
def logbook(
    desk: Any,
    day: datetime | None,
    first: datetime | None,
    last: datetime | None,
    statuses: tuple[int, ...],
    out: Path | None,
    to_printer: bool,
    actor: str | None,
    as_json: bool,
) -> None:
    """Print the logbook (sổ theo dõi hồ sơ) of one day or a date range, with its summary."""
    from printing import render_logbook

    start, end = _period(desk, day, first, last)
    if start > desk.now().date():
        from counter_app.domain.validation import PERIOD_NOT_YET

        raise ValidationError(FieldError("date" if day is not None else "from", PERIOD_NOT_YET))
    out = _checked_output(desk, out)
    pdf = render_logbook(desk, start, end, out, statuses or None, actor=_actor(actor))
    _finish(
        desk,
        pdf,
        to_printer,
        out is not None,
        as_json,
        {"form": "logbook", "from": start.isoformat(), "to": end.isoformat()},
    )


def _period(
    desk: Any, day: datetime | None, first: datetime | None, last: datetime | None
) -> tuple[date, date]:
    if day is not None and (first is not None or last is not None):
        raise ValidationError(FieldError("date", "Dùng --date hoặc --from/--to, không dùng cả hai."))
    if day is not None:
        from counter_app.desk import check_day  # the desk is heavy: imported when used, as in cli.py

        # Checked here, under its own name: the range check would call it "Ngày bắt đầu".
        check_day(day.date(), "date", "Ngày (--date)")
        return day.date(), day.date()
    if first is None and last is None:
        today: date = desk.now().date()
        return today, today
    if first is None or last is None:
        raise ValidationError(FieldError("from", "Cần cả --from và --to cho một khoảng ngày."))
    if last < first:
        raise ValidationError(FieldError("to", PERIOD_BACKWARDS))
    return first.date(), last.date()
