"""Benchmark of printing: each figure beside a baseline measured in the same run, and the ratio.

Run from the repository root::

    .venv/bin/python bench/bench_printing.py            # full run (seeds 20,000 dossiers: ~1 min)
    .venv/bin/python bench/bench_printing.py --quick    # 1,000 and 2,000 dossiers only

Figures (targets from issue #4):

1. One receipt (``render_form``: read the dossier, lay out, barcode, write the file, access log)
   against a bare reportlab page with the same font, the same text lines and a reportlab Code 128
   barcode, written to a file. Target: ratio at most 2.
2. The logbook of 1,000 dossiers (``render_logbook``). Target: under 1.5 s. Baselines: streaming
   the same dossiers out of the database, and drawing their cell texts with bare ``drawString``.
3. Peak memory (max RSS, in a fresh subprocess) of the logbook of 20,000 dossiers over a month,
   against a subprocess that opens the desk, imports reportlab and streams the same dossiers.
   Target: under 200 MB.

Nothing here is a test: it prints numbers. Databases and PDFs live in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = "2026-11-25T09:30:00+07:00"
PROCEDURES = ("1.004873", "1.001193", "2.000815", "1.004222", "1.001612")
NAMES = (
    "Đặng Thị Hoà",
    "Nguyễn Văn Ấn",
    "Trần Thị Ỷ Lan",
    "Lê Hoàng Ửng",
    "Phạm Đức Thắng",
    "Hoàng Thị Phương Thảo",
    "Vũ Quốc Việt",
)


def _fixed_clock():  # type: ignore[no-untyped-def]
    from counter_app.domain.dossier import parse_time

    now = parse_time(NOW)
    return lambda: now


def open_desk(path: Path, configure: bool = False):  # type: ignore[no-untyped-def]
    from counter_app.desk import Desk

    desk = Desk.open(path, clock=_fixed_clock(), env={})
    if configure:
        desk.setup(
            commune_code="11410",
            commune_name="xã Vĩnh Bảo",
            counter_no=2,
            agency_id="000.00.11.H26",
            province_name="Thành phố Hải Phòng",
        )
    return desk


def seed(path: Path, count: int, days: int) -> tuple[date, date]:
    """A counter database with ``count`` dossiers spread over the ``days`` days before NOW."""
    from counter_app.domain.calendar import VN_TZ

    desk = open_desk(path, configure=True)
    last = date(2026, 11, 25)
    first = last - timedelta(days=days - 1)
    per_day = max(1, -(-count // days))
    try:
        done = 0
        while done < count:
            with desk.store.transaction():  # one commit per batch: seeding, not the subject
                for _ in range(min(1000, count - done)):
                    i = done
                    day = first + timedelta(days=i // per_day)
                    minute = (i % per_day) * (570 // per_day + 1) if per_day < 570 else i % per_day
                    at = datetime(day.year, day.month, day.day, 7, 0, tzinfo=VN_TZ) + timedelta(
                        minutes=minute % 600, seconds=i % 60
                    )
                    at = min(at, datetime(2026, 11, 25, 9, 29, tzinfo=VN_TZ))
                    long_address = i % 5 == 0
                    desk.receive(
                        {
                            "procedure": PROCEDURES[i % len(PROCEDURES)],
                            "received_at": at.isoformat(),
                            "applicant": {
                                "name": NAMES[i % len(NAMES)],
                                "id_number": f"0311900{i % 100000:05d}",
                                "phone": "0912345678",
                                "address": (
                                    "Số nhà 1234, ngõ 567, đường Nguyễn Thị Minh Khai, tổ dân phố số "
                                    "8, khu phố Đông Hưng, xã Vĩnh Bảo, thành phố Hải Phòng"
                                    if long_address
                                    else "Thôn Đông, xã Vĩnh Bảo, thành phố Hải Phòng"
                                ),
                            },
                        },
                        "bench",
                    )
                    done += 1
    finally:
        desk.close()
    return first, last


def timed(fn, repeat: int, clock=time.perf_counter) -> float:  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` calls, in seconds (as timeit does: the minimum is the run least
    disturbed by other processes; the baseline is measured the same way)."""
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return min(times)


def timed_pair(baseline, subject, repeat: int) -> dict[str, tuple[float, float]]:  # type: ignore[no-untyped-def]
    """Best times of two functions run alternately, so that both meet the same load.

    Returns {"wall": (baseline, subject), "cpu": (baseline, subject)}: wall-clock time includes
    waiting for the disk (the access log's fsync), CPU time of this process does not depend on
    what other processes on the machine are doing.
    """
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for i, fn in enumerate((baseline, subject)):
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[i].append(time.perf_counter() - w0)
            cpu[i].append(time.process_time() - c0)
    return {"wall": (min(wall[0]), min(wall[1])), "cpu": (min(cpu[0]), min(cpu[1]))}


def show(
    label: str, value: str, baseline_label: str, baseline: str, ratio: float | None, target: str
) -> None:
    ratio_text = f"{ratio:5.2f}x" if ratio is not None else "   — "
    print(f"  {label:<34} {value:>10}   {baseline_label:<38} {baseline:>10}   ratio {ratio_text}   {target}")


# -- 1. receipt ----------------------------------------------------------------------------------------


def bench_receipt(folder: Path) -> None:
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from printing import render_form, typeface, wording

    db = folder / "receipt.db"
    seed(db, 1, 1)
    desk = open_desk(db)
    code = next(iter(desk.iter_logbook(date(2026, 11, 25), date(2026, 11, 25)))).code
    d = desk.get(code)
    # The same lines in the same faces as the form: bold heads, italic dateline and hints.
    bold = [
        wording.NATION,
        wording.MOTTO,
        d.receiving_agency_name.upper(),
        wording.form_name("03/2025", "receipt").title.upper(),
        wording.SIGN_SUBMITTER,
        wording.SIGN_RECEIVER,
        d.applicant.name,
    ]
    italic = [
        wording.form_name("03/2025", "receipt").line,
        wording.dateline("xã Vĩnh Bảo", d.received_at.date()),
        wording.SIGN_HINT,
        wording.SIGN_HINT,
    ]
    lines = [
        f"{wording.CODE}: {d.code}",
        f"{wording.RECEIPT_FROM_PERSON}: {d.applicant.name}",
        f"{wording.ADDRESS}: {d.applicant.address}",
        f"{wording.PHONE}: {d.applicant.phone}",
        f"{wording.ID_PERSON}: {d.applicant.id_number}",
        f"{wording.REQUEST}: {d.procedure_name}",
        *(
            f"{i}. {doc.name}  {doc.originals} {doc.certified} {doc.copies}"
            for i, doc in enumerate(d.documents, 1)
        ),
        f"{wording.RECEIPT_SETS}: {d.sets:02d} bộ",
        f"{wording.RECEIPT_LIMIT}: {d.legal_limit}",
        f"{wording.RECEIPT_RECEIVED}: {wording.long_time(d.received_at)}",
        f"{wording.RECEIPT_DUE}: {wording.long_time(d.due_at)}",
        f"{wording.RECEIPT_FEE}: {d.fee_text}",
        f"{wording.RECEIPT_RETURN}: {d.receiving_agency_name}",
        wording.RECEIPT_LOGBOOK.format(volume=d.logbook_volume, entry=d.logbook_entry),
    ]
    font = typeface.register()
    bare_path = folder / "bare.pdf"

    def bare() -> None:
        c = Canvas(str(bare_path), pagesize=A4)
        y = A4[1] - 20 * mm
        for face, texts in ((typeface.BOLD, bold), (typeface.ITALIC, italic), (font, lines)):
            for line in texts:
                c.setFont(face, 12)
                c.drawString(20 * mm, y, line)
                y -= 16
        Code128(d.code, barWidth=72 / 75, barHeight=12 * mm).drawOn(c, 40 * mm, y - 20 * mm)
        c.save()

    ours_path = folder / "receipt.pdf"

    def ours() -> None:
        render_form(desk, "receipt", code, ours_path, "bench")

    bare()
    ours()  # warm both (font parsing, imports)
    times = timed_pair(bare, ours, 30)
    desk.close()
    print("1. Receipt (best of 30, run alternately with the baseline)")
    base, mine = times["cpu"]
    show(
        "render_form receipt, CPU time",
        f"{mine * 1000:.1f} ms",
        "bare canvas: same text+faces, Code 128",
        f"{base * 1000:.1f} ms",
        mine / base,
        "target ≤ 2x" + ("  OK" if mine / base <= 2 else "  OVER"),
    )
    base, mine = times["wall"]
    show(
        "  wall clock (incl. access-log fsync)",
        f"{mine * 1000:.1f} ms",
        "",
        f"{base * 1000:.1f} ms",
        mine / base,
        "",
    )


# -- 2. logbook of 1,000 -------------------------------------------------------------------------------


def bench_logbook_time(folder: Path, count: int) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    from printing import logbook, render_logbook, typeface

    db = folder / f"logbook{count}.db"
    first, last = seed(db, count, 30)
    desk = open_desk(db)
    out = folder / f"logbook{count}.pdf"

    def stream() -> None:
        for _ in desk.iter_logbook(first, last):
            pass

    font = typeface.register()

    def bare() -> None:
        c = Canvas(str(folder / "bare_logbook.pdf"), pagesize=landscape(A4))
        y = 560.0
        for d in desk.iter_logbook(first, last):
            c.setFont(font, 8)
            for i, cell in enumerate(logbook.dossier_cells(d, desk.now())):
                c.drawString(30 + i * 55, y, cell.replace("\n", " ")[:40])
            y -= 20
            if y < 40:
                c.showPage()
                y = 560.0
        c.save()

    def ours() -> None:
        render_logbook(desk, first, last, out, actor="bench")

    ours()
    t_stream = timed(stream, 3)
    t_bare = timed(bare, 3)
    t_ours = timed(ours, 3)
    cpu_ours = timed(ours, 3, clock=time.process_time)
    pages = len(__import__("pypdf").PdfReader(str(out)).pages) if _has("pypdf") else None
    desk.close()
    print(f"2. Logbook of {count:,} dossiers over 30 days (best of 3; {pages or '?'} pages)")
    target = f"target < 1.5 s{'  OK' if t_ours < 1.5 else '  OVER'}" if count == 1000 else ""
    show(
        "render_logbook",
        f"{t_ours:.2f} s",
        "stream the dossiers only",
        f"{t_stream:.2f} s",
        t_ours / t_stream,
        target,
    )
    show("", "", "bare drawString of the cells", f"{t_bare:.2f} s", t_ours / t_bare, "")
    show("  (CPU time of the same)", f"{cpu_ours:.2f} s", "", "", None, "")


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# -- 3. peak memory of 20,000 ----------------------------------------------------------------------------

CHILD = r"""
import resource, sys, time
from datetime import date
sys.path.insert(0, {root!r})
from bench.bench_printing import open_desk
mode, db, out, first, last = sys.argv[1:6]
first, last = date.fromisoformat(first), date.fromisoformat(last)
import reportlab.pdfgen.canvas  # the baseline pays for the same imports
import printing
desk = open_desk(db)
t0 = time.perf_counter()
if mode == "render":
    printing.render_logbook(desk, first, last, out, actor="bench")
else:
    n = sum(1 for _ in desk.iter_logbook(first, last))
elapsed = time.perf_counter() - t0
desk.close()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.platform == "darwin":
    rss /= 1024
print(rss / 1024, elapsed)
"""


def bench_logbook_memory(folder: Path, count: int) -> None:
    db = folder / f"memory{count}.db"
    first, last = seed(db, count, 30)
    out = folder / f"memory{count}.pdf"
    code = CHILD.format(root=str(ROOT))

    def child(mode: str) -> tuple[float, float]:
        result = subprocess.run(
            [sys.executable, "-c", code, mode, str(db), str(out), first.isoformat(), last.isoformat()],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        rss, elapsed = result.stdout.split()
        return float(rss), float(elapsed)

    base_rss, base_t = child("stream")
    rss, elapsed = child("render")
    size = out.stat().st_size / 1e6
    print(
        f"3. Logbook of {count:,} dossiers over 30 days: peak RSS in a fresh process ({size:.1f} MB PDF, "
        f"{elapsed:.1f} s)"
    )
    show(
        "render_logbook peak RSS",
        f"{rss:.0f} MB",
        "open desk + stream the dossiers",
        f"{base_rss:.0f} MB",
        rss / base_rss,
        "target < 200 MB" + ("  OK" if rss < 200 else "  OVER") if count == 20000 else "",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small data sets only (a few seconds)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="counter-bench-") as tmp:
        folder = Path(tmp)
        os.environ["COUNTER_DATA_DIR"] = str(folder / "data")
        os.environ["COUNTER_OUTPUT_DIR"] = str(folder / "forms")
        bench_receipt(folder)
        bench_logbook_time(folder, 1000)
        bench_logbook_memory(folder, 2000 if args.quick else 20000)


if __name__ == "__main__":
    main()
