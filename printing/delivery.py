"""Sending a PDF to a printer through CUPS (``lp``), or keeping it in a folder.

A print never loses the PDF: when there is no printer, no CUPS, a stopped queue or a failing
``lp``, the file stays where it was written and the official gets one Vietnamese sentence saying
why and where the file is. Only a successful hand-over to CUPS may remove a temporary print file
(``remove_after``); CUPS keeps its own copy of the job by then.

Nothing here logs personal data: messages name the printer and the file, never its content.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_app.domain.errors import PrintingError
from printing import wording

log = logging.getLogger(__name__)

LP_TIMEOUT = 30.0
"""Seconds to wait for ``lp`` (it only queues the job; a slow answer means CUPS is stuck)."""


@dataclass(frozen=True)
class Delivery:
    """What became of a PDF sent to :func:`deliver`."""

    printed: bool
    """True once CUPS accepted the job."""
    path: Path
    """The PDF (kept on disk unless printed with ``remove_after``)."""
    message: str
    """One Vietnamese sentence for the official."""
    job: str = ""
    """The CUPS job id ("Quay1-42") when printed."""


def _c_locale_env() -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"  # CUPS messages in English, so they can be recognised below
    env["LANG"] = "C"
    return env


def _first_line(*texts: str) -> str:
    for text in texts:
        for line in (text or "").splitlines():
            line = line.strip()
            if line:
                return line[:200]
    return ""


def _queue_state(lpstat: str, printer: str) -> str:
    """ "stopped", "unknown" or "" (ready, or cannot tell) from ``lpstat -p``."""
    try:
        result = subprocess.run(
            [lpstat, "-p", printer],
            capture_output=True,
            text=True,
            timeout=LP_TIMEOUT,
            env=_c_locale_env(),
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    out = f"{result.stdout}\n{result.stderr}".lower()
    if result.returncode != 0:
        if "invalid destination" in out or "does not exist" in out or "unknown destination" in out:
            return "unknown"
        return ""
    if re.search(r"\bdisabled\b|\bstopped\b|\bpaused\b", out):
        return "stopped"
    return ""


def deliver(pdf: Path, settings: Any, *, remove_after: bool = False, title: str | None = None) -> Delivery:
    """Send ``pdf`` to the printer of ``settings.printer`` with ``lp``, or report it saved.

    Args:
        pdf: The PDF file.
        settings: The counter's settings (``printer``: CUPS queue name, "" to save only).
        remove_after: Delete the file once CUPS has accepted the job (a temporary print file).
        title: Job title shown in the print queue (default: the file name; never personal data).

    Returns:
        ``printed=True`` when CUPS accepted the job; otherwise ``printed=False`` with the reason,
        and the file is still at ``path``.

    Raises:
        PrintingError: ``pdf`` does not exist.
    """
    pdf = Path(pdf)
    if not pdf.is_file():
        raise PrintingError(wording.ERR_NO_FILE.format(path=pdf))
    printer = (getattr(settings, "printer", "") or "").strip()
    if not printer:
        return Delivery(False, pdf, wording.NO_PRINTER.format(path=pdf))
    lp = shutil.which("lp")
    if lp is None:
        return Delivery(False, pdf, wording.NO_LP.format(path=pdf))
    lpstat = shutil.which("lpstat")
    if lpstat is not None:
        state = _queue_state(lpstat, printer)
        if state == "stopped":
            log.info("printer %s is stopped; job not sent", printer)
            return Delivery(False, pdf, wording.PRINTER_STOPPED.format(printer=printer, path=pdf))
        if state == "unknown":
            return Delivery(False, pdf, wording.PRINTER_UNKNOWN.format(printer=printer, path=pdf))
    try:
        result = subprocess.run(
            [lp, "-d", printer, "-t", title or pdf.name, "--", str(pdf)],
            capture_output=True,
            text=True,
            timeout=LP_TIMEOUT,
            env=_c_locale_env(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        log.warning("lp timed out on printer %s", printer)
        return Delivery(False, pdf, wording.LP_TIMEOUT.format(printer=printer, path=pdf))
    except OSError as exc:
        log.warning("lp could not run: %s", exc)
        return Delivery(
            False, pdf, wording.LP_FAILED.format(printer=printer, detail=exc.strerror or exc, path=pdf)
        )
    if result.returncode != 0:
        detail = _first_line(result.stderr, result.stdout) or f"lp exit {result.returncode}"
        log.warning("lp failed on printer %s: %s", printer, detail)
        lowered = detail.lower()
        if "does not exist" in lowered or "unknown destination" in lowered:
            return Delivery(False, pdf, wording.PRINTER_UNKNOWN.format(printer=printer, path=pdf))
        return Delivery(False, pdf, wording.LP_FAILED.format(printer=printer, detail=detail, path=pdf))
    match = re.search(r"request id is (\S+)", result.stdout)
    job = match.group(1) if match else ""
    log.info("sent %s to printer %s (%s)", pdf.name, printer, job or "no job id")
    if remove_after:
        try:
            pdf.unlink()
        except OSError:  # printed all the same; the file stays, owner-only
            pass
    return Delivery(
        True,
        pdf,
        wording.PRINTED.format(
            name=pdf.name, printer=printer, job=wording.PRINTED_JOB.format(job=job) if job else ""
        ),
        job,
    )
