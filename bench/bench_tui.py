"""Benchmark of the TUI on a commune database of 1,000,000 dossiers, against a minimal Textual app.

Prints each figure beside the same figure of a minimal Textual app measured in the same run, as a
ratio, so the numbers compare across machines:

- start-up: wall time from launching the process to the intake screen ready for typing (signed in
  with the keys a person types), median of several runs, against a minimal app (an Input) ready;
- memory: resident set size on the intake screen with a procedure chosen (its due time shown, so the
  working-day calendar loaded) and after opening each list, against the minimal app once ready;
- keystrokes: keys a standard intake needs beyond the typed data (name, ID number, phone, address),
  counted by a Pilot script.

Both apps start from compiled bytecode, as an installed counter does (pip compiles at install time):
the script compiles ``counter_app`` first, since a source checkout run with
``PYTHONDONTWRITEBYTECODE`` (as here) would otherwise recompile the counter's modules at every launch
while Textual's come compiled, about 0.2 s of difference that no counter PC pays.

The database is built once (a few minutes) and kept: ``--db PATH`` (default in the temp folder),
``--dossiers N`` to build a smaller one while developing. Seeding writes through the store in large
transactions, without fsync: it is a fixture, not the counter's own write path.

Run: ``.venv/bin/python bench/bench_tui.py``. Budget (issue #5): every ratio at most 1.5, at most
15 keystrokes.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.fromisoformat("2026-11-25T09:30:00+07:00")
"""The bench's fixed "now" (a Wednesday morning), so lists have the same content every run."""
USER, PIN, FULL_NAME = "bench", "2468", "Cán bộ Đo Hiệu Năng"
RUNS = 9
BUDGET_RATIO = 1.5
BUDGET_KEYS = 15
LISTS = ("today", "due_today", "overdue", "waiting_papers", "ready", "search")

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Xuân"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hoà", "Hải", "Lan", "Long", "Mai", "Nam", "Trang", "Tuấn", "Yến"]


# -- the database ------------------------------------------------------------------------------------


def build_database(path: Path, total: int) -> None:
    """Seed ``total`` dossiers spread over five years, most closed, some open, ~60 received today."""
    sys.path.insert(0, str(ROOT))
    from counter_app.desk import Desk
    from counter_app.domain.calendar import to_vn
    from counter_app.domain.dossier import Party, new_event

    path.unlink(missing_ok=True)
    desk = Desk.open(path, clock=lambda: NOW, env={})
    desk.setup(
        commune_code="11410",
        commune_name="xã Vĩnh Bảo",
        counter_no=2,
        agency_id="000.00.11.H26",
        province_name="Thành phố Hải Phòng",
    )
    desk.add_official(USER, FULL_NAME, "supervisor", PIN)
    template = desk.receive(  # one real dossier through the real path: the shape of every other
        {
            "procedure": "1.004873",
            "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234", "phone": "0912345678"},
        },
        FULL_NAME,
    )
    store = desk.store
    store.conn.execute("PRAGMA synchronous = OFF")
    rng = random.Random(5)
    start = time.perf_counter()
    batch = 20_000
    per_day: dict[str, int] = {}
    settings = desk.settings
    made = 1
    while made < total:
        with store.transaction():
            for _ in range(min(batch, total - made)):
                made += 1
                age_days = 0 if made > total - 60 else rng.randint(1, 5 * 365)
                received = to_vn(NOW - timedelta(days=age_days, minutes=rng.randint(0, 480)))
                day = received.date()
                n = per_day[day.isoformat()] = per_day.get(day.isoformat(), 0) + 1
                # Counter 3's block: dossiers synced from the commune's other counter, so the
                # codes this counter (2) issues during the bench never collide with them.
                seq = f"{3000 + n}" if n < 1000 else f"3{n - 999:04d}"
                code = f"000.00.11.H26-{day:%y%m%d}-{seq}"
                name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                applicant = Party(
                    name=name,
                    id_number=f"0{rng.randint(10, 96):02d}{rng.randint(0, 3)}"
                    f"{rng.randint(0, 99):02d}{rng.randint(0, 999999):06d}",
                    phone=f"09{rng.randint(0, 99999999):08d}",
                    address="Thôn Đông, xã Vĩnh Bảo",
                )
                due = received + timedelta(days=rng.choice((0, 1, 3, 5, 7)))
                dossier = replace(
                    template,
                    code=code,
                    applicant=applicant,
                    received_at=received,
                    due_at=due,
                    original_due_at=due,
                    updated_at=received,
                )
                roll = rng.random()
                if age_days > 30 or roll < 0.5:  # closed long ago: returned
                    finished = due - timedelta(hours=rng.randint(-30, 40))
                    dossier = replace(
                        dossier,
                        status=10,
                        result_at=finished,
                        returned_at=finished,
                        closed_at=finished,
                        events=4,
                    )
                elif roll < 0.6:
                    dossier = replace(dossier, status=5, paused_at=received + timedelta(hours=2))
                elif roll < 0.7:
                    dossier = replace(dossier, status=9, result_at=received + timedelta(days=1))
                elif roll < 0.9:
                    dossier = replace(dossier, status=4, transferred_at=received)
                event = new_event(code, "received", received, FULL_NAME, settings.counter_id, {"bench": True})
                store.append(event, dossier, origin="hub")  # already at the hub: no outbox row
        rate = made / (time.perf_counter() - start)
        print(f"  seeded {made:,} dossiers ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    store.conn.execute("PRAGMA synchronous = FULL")
    store.conn.execute("ANALYZE")
    desk.close()


# -- the measured processes --------------------------------------------------------------------------

MINIMAL_APP = r"""
import sys, time
from textual.app import App
from textual.widgets import Input, Static

class Minimal(App):
    def compose(self):
        yield Static("minimal")
        yield Input()

    def on_mount(self):
        self.call_after_refresh(self.ready)

    def ready(self):
        print("READY", flush=True)
        print(json_rss(), flush=True)
        self.exit()

def json_rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return "RSS " + line.split()[1]

Minimal().run(headless=True, size=(80, 24))
"""

COUNTER_APP = r"""
import asyncio, sys, time
from datetime import datetime
sys.path.insert(0, ROOT)
from textual import events
from counter_app.desk import Desk
from counter_app.tui.app import make_app
from counter_app.tui.screens.intake import IntakeScreen

NOW = datetime.fromisoformat("2026-11-25T09:30:00+07:00")

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

async def type_keys(app, text):
    for ch in text:
        if ch == "\n":
            app.post_message(events.Key("enter", None))
        else:
            app.post_message(events.Key(ch, ch))

async def main():
    desk = Desk.open(DB, clock=lambda: NOW, env={})
    app = make_app(desk)
    async with app.run_test(size=(80, 24)) as pilot:
        while app.screen.__class__.__name__ != "SignInScreen":
            await asyncio.sleep(0.001)
        await type_keys(app, USER + "\n" + PIN + "\n")
        while not (isinstance(app.screen, IntakeScreen) and app.focused is not None
                   and app.focused.id == "procedure-input"):
            await asyncio.sleep(0.001)
        print("READY", flush=True)
        if MODE == "start":
            return
        # The first citizen's procedure chosen, as on any working day: its due time is shown, so
        # the working-day calendar is loaded, as it is in every real session (from the package, or
        # from the copy of its years kept in the cache folder by an earlier session).
        await type_keys(app, "khai sinh\n")
        while app.screen.procedure is None:
            await asyncio.sleep(0.001)
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert desk._calendar is not None
        print("RSS intake", rss(), flush=True)
        # Imported only now: the counter imports the lists screen at the first F4, not at start-up.
        from counter_app.tui.screens.lists import ListsScreen

        await pilot.press("f4")
        for view in LISTS:
            screen = app.screen
            assert isinstance(screen, ListsScreen)
            if view == "search":
                screen.search("nguyen van an")
            else:
                screen.view = view
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            print("RSS", view, rss(), screen.table.row_count, flush=True)

asyncio.run(main())
"""


def run_process(code: str, env_extra: dict[str, str]) -> tuple[float, dict[str, int], dict[str, int]]:
    """Launch a process; return seconds to READY, RSS figures (kB) and rows shown per list."""
    env = {**os.environ, **env_extra}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    assert proc.stdout is not None
    ready = 0.0
    rss: dict[str, int] = {}
    rows: dict[str, int] = {}
    for line in proc.stdout:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "READY":
            ready = time.perf_counter() - start
        elif parts[0] == "RSS":
            if len(parts) == 2:
                rss["minimal"] = int(parts[1])
            else:
                rss[parts[1]] = int(parts[2])
                if len(parts) > 3:
                    rows[parts[1]] = int(parts[3])
    if proc.wait() != 0:
        raise SystemExit(f"measured process failed ({proc.returncode})")
    return ready, rss, rows


def forget_draft(db: Path) -> None:
    """Drop the intake form a measured run left half-typed (the memory run chooses a procedure and
    quits): the next run would start by restoring it, which is not the start-up measured."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM drafts")


def counter_code(db: Path, mode: str) -> str:
    header = (
        f"ROOT = {str(ROOT)!r}\nDB = {str(db)!r}\nMODE = {mode!r}\nUSER = {USER!r}\n"
        f"PIN = {PIN!r}\nLISTS = {LISTS!r}\n"
    )
    return header + COUNTER_APP


# -- keystrokes -------------------------------------------------------------------------------------


def count_keystrokes(db: Path) -> list[str]:
    """Keys of a standard intake beyond the typed data, through Pilot (on a copy of the database)."""
    import asyncio

    sys.path.insert(0, str(ROOT))
    from textual import events

    from counter_app.desk import Desk
    from counter_app.tui.app import make_app
    from counter_app.tui.messages import DossierSaved

    work = Path(tempfile.mkdtemp(prefix="counter-keys-"))
    os.environ["COUNTER_OUTPUT_DIR"] = str(work / "forms")
    copy = work / "keys.db"
    shutil.copy(db, copy)
    extra: list[str] = []
    saved: list[DossierSaved] = []

    async def drive() -> None:
        desk = Desk.open(copy, clock=lambda: NOW, env={})
        app = make_app(desk)

        def hook(message: object) -> None:
            if isinstance(message, DossierSaved) and message not in saved:
                saved.append(message)

        async with app.run_test(size=(80, 24), message_hook=hook) as pilot:

            async def data(text: str) -> None:  # typed data: not counted
                for ch in text:
                    app.post_message(events.Key(ch if ch.isalnum() else "space" if ch == " " else ch, ch))
                await pilot.pause()

            async def keys(*names: str) -> None:  # counted
                extra.extend(names)
                await pilot.press(*names)

            await pilot.pause()
            await data(USER)  # sign-in happens once a day, not per citizen: not counted
            await pilot.press("enter")
            await data(PIN)
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            await keys("4", "8", "7", "3", "enter")  # procedure 1.004873 by four digits
            await data("Đặng Thị Hoà")
            await keys("tab")
            await data("031190001234")
            await keys("tab")
            await data("0912345678")
            await keys("tab")
            await data("Thôn Đông, xã Vĩnh Bảo")
            await keys("ctrl+s")
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            if not saved:
                print(app.screen, app.focused, [n.message for n in app._notifications], file=sys.stderr)
        desk.close()

    asyncio.run(drive())
    if len(saved) != 1:
        raise SystemExit("the keystroke script did not save a dossier")
    shutil.rmtree(work, ignore_errors=True)
    return extra


# -- report -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "counter-bench.db")
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="build the database even if it exists")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()

    marker = args.db.with_suffix(".count")
    built = args.db.exists() and marker.exists() and marker.read_text().strip() == str(args.dossiers)
    if args.rebuild or not built:
        print(f"Building {args.db} with {args.dossiers:,} dossiers…", file=sys.stderr)
        build_database(args.db, args.dossiers)
        marker.write_text(str(args.dossiers))

    compileall.compile_dir(ROOT / "counter_app", quiet=1)
    forms = tempfile.mkdtemp(prefix="counter-bench-forms-")
    env = {"COUNTER_OUTPUT_DIR": forms}
    try:
        # Alternated, so a machine that slows down mid-run weighs on both sides alike.
        minimal_start: list[float] = []
        counter_start: list[float] = []
        for _ in range(RUNS):
            minimal_start.append(run_process(MINIMAL_APP, env)[0])
            forget_draft(args.db)
            counter_start.append(run_process(counter_code(args.db, "start"), env)[0])
        _, minimal_rss, _ = run_process(MINIMAL_APP, env)
        forget_draft(args.db)
        _, counter_rss, rows = run_process(counter_code(args.db, "lists"), env)
        forget_draft(args.db)
        keys = count_keystrokes(args.db)
    finally:
        shutil.rmtree(forms, ignore_errors=True)

    base_start = statistics.median(minimal_start)
    our_start = statistics.median(counter_start)
    base_rss = minimal_rss["minimal"]
    results = {
        "dossiers": args.dossiers,
        "start_s": {"minimal": base_start, "counter": our_start, "ratio": our_start / base_start},
        "rss_kb": {"minimal": base_rss, **{k: v for k, v in counter_rss.items()}},
        "rss_ratio": {k: v / base_rss for k, v in counter_rss.items()},
        "rows_loaded": rows,
        "keystrokes": {"count": len(keys), "keys": keys},
    }
    ok = True
    print(f"Database: {args.dossiers:,} dossiers ({args.db})")
    print(
        f"Start-up to intake ready: {our_start:.3f} s vs minimal app {base_start:.3f} s "
        f"= {our_start / base_start:.2f}x (budget {BUDGET_RATIO}x)"
    )
    ok &= our_start / base_start <= BUDGET_RATIO
    print(f"Resident memory (minimal app {base_rss / 1024:.1f} MB):")
    for name, value in counter_rss.items():
        ratio = value / base_rss
        ok &= ratio <= BUDGET_RATIO
        shown = f", {rows[name]} rows loaded" if name in rows else ""
        print(f"  after {name:<15} {value / 1024:6.1f} MB = {ratio:.2f}x{shown}")
    print(f"Keystrokes beyond the typed data: {len(keys)} ({' '.join(keys)}) (budget {BUDGET_KEYS})")
    ok &= len(keys) <= BUDGET_KEYS
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    print("OK" if ok else "OVER BUDGET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
