"""Core benchmark: saving, name search and look-ups on a counter database of N dossiers.

Usage::

    .venv/bin/python bench/bench_core.py [--rows 1000000] [--db PATH]

The database is built once per (rows, seed, generator version) into ``bench/.cache/`` and reused;
``--db PATH`` builds or reuses that file instead. The build is fast because it bypasses only the
per-save commit: each intake goes through ``Desk.parse_intake``, events are made with
``new_event``/``apply`` as ``Desk.receive`` and the lifecycle steps make them (a byte-for-byte check
against a real ``Desk.receive`` runs before each build), and stored with ``DossierStore.append``
(event + outbox + projection + FTS triggers) in big transactions with ``synchronous=OFF``.
Dossiers are spread over ~3 years of working days and 9 counters, and go through their lifecycle
(transferred, extra papers, refused, result, returned ...) in global time order, so the tables,
indexes and the FTS index look like those of a counter that has been in use for three years.

Every figure is measured beside a baseline taken in the same run on the same machine and printed as
``figure | baseline | ratio | target``, so results compare across machines (STYLE.md, Benchmarks).
Measurements run on a scratch copy of the cached database (migrated to the current schema first),
which is deleted afterwards.
"""

from __future__ import annotations

import argparse
import bisect
import heapq
import itertools
import json
import os
import random
import shutil
import sqlite3
import sys
import time
import uuid as uuid_module
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # bench/synthetic.py, also when imported from elsewhere

from synthetic import GENERATOR_VERSION, PROCEDURE_WEIGHTS, Synth, person_at  # noqa: E402

from counter_app.desk import Desk, Intake  # noqa: E402
from counter_app.domain import codes  # noqa: E402
from counter_app.domain.calendar import VN_TZ, WorkCalendar, now_vn  # noqa: E402
from counter_app.domain.dossier import Dossier, Event, apply, new_event  # noqa: E402
from counter_app.domain.procedures import Procedure  # noqa: E402
from counter_app.domain.text import fold, fts_query  # noqa: E402

BUILD_VERSION = 2
"""Bump when the build changes what it stores (the cache is keyed by it)."""
CACHE = HERE / ".cache"
AGENCY = "000.00.11.H26"
COMMUNE = {"commune_code": "11410", "commune_name": "xã Vĩnh Bảo"}
BENCH_COUNTER = 1
YEARS = 3
COUNTER_WEIGHTS = (1.4, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6)
"""Counters 1..9: the first ones open every day and take the most dossiers."""
OFFICIALS = (
    "Nguyễn Thị Thu Hà", "Trần Văn Hùng", "Lê Thị Minh Phương", "Phạm Đức Thắng",
    "Vũ Thị Ngọc Anh", "Hoàng Minh Tuấn", "Đặng Thị Thanh Huyền", "Bùi Quang Huy", "Đỗ Thị Lan",
)  # fmt: skip
DEPARTMENT_ACTOR = "Công chức Tư pháp - Hộ tịch"
RETURNING_SHARE = 0.3
"""Share of dossiers brought by someone who already came (same person, same ID number)."""
BATCH = 20_000
"""Dossiers per build transaction."""

REASONS_REFUSED = (
    "Hồ sơ không thuộc thẩm quyền giải quyết của xã.",
    "Người nộp không xuất trình được giấy tờ tùy thân.",
    "Yêu cầu không đủ điều kiện theo quy định.",
)
REASONS_PAPERS = (
    "Thiếu bản sao giấy tờ chứng minh nơi cư trú.",
    "Tờ khai chưa ghi đủ thông tin, cần bổ sung chữ ký.",
    "Cần bổ sung bản chính để đối chiếu.",
)
REASONS_MOVED = ("Cần xác minh thêm thông tin với cơ quan khác.", "Hệ thống liên thông gián đoạn.")


# ---------------------------------------------------------------------------------------------------
# Statistics and output
# ---------------------------------------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1), nearest rank: honest for small samples (no interpolation)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


@dataclass
class Row:
    figure: str
    value: float
    baseline_name: str
    baseline: float
    target: str
    ok: bool | None

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("inf")


def print_table(rows: list[Row]) -> None:
    head = ("figure", "value", "baseline", "ratio", "target", "")
    cells = [
        (
            r.figure,
            ms(r.value),
            f"{ms(r.baseline)} ({r.baseline_name})",
            f"{r.ratio:.2f}x",
            r.target,
            "" if r.ok is None else ("ok" if r.ok else "FAIL"),
        )
        for r in rows
    ]
    widths = [max(len(str(c[i])) for c in [head, *cells]) for i in range(len(head))]
    line = " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    print(line)
    print("-" * len(line))
    for c in cells:
        print(" | ".join(str(x).ljust(w) for x, w in zip(c, widths, strict=True)))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------------


def received_payload(
    desk: Desk, intake: Intake, due: datetime, counter_no: int, entry: int, n: int, day: date
) -> dict[str, Any]:
    """The payload ``Desk.receive`` writes, for one of the bench's nine counters.

    Built by the desk itself (:meth:`Desk.received_payload`); only the counter number differs,
    since one desk plays every counter of the commune here.
    """
    payload = desk.received_payload(intake, due, n, str(day.year), entry)
    payload["receiving"]["counter"] = counter_no
    return payload


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return type(value).__name__


def check_payload_shape(seed: int) -> None:
    """Stop the build if ``Desk.receive`` now writes a payload the bench does not reproduce.

    Receives one dossier through the real desk (in memory) and compares its event, as stored, with
    the one the build would make for the same intake: same keys, same value types, same bytes.
    """
    fixed = datetime(2026, 11, 25, 9, 30, tzinfo=VN_TZ)
    desk = Desk.open(None, clock=lambda: fixed, env={})
    try:
        desk.setup(**COMMUNE, counter_no=BENCH_COUNTER, agency_id=AGENCY, province_name="Thành phố Hải Phòng")
        person = person_at(seed, 0)
        intake = Synth(seed).intake("1.004873", person)
        dossier = desk.receive(intake, OFFICIALS[0])
        real = desk.events(dossier.code)[0]
        mine = received_payload(
            desk, desk.parse_intake(intake), dossier.due_at, BENCH_COUNTER,
            dossier.logbook_entry, real.payload["sequence"], dossier.received_at.date(),
        )  # fmt: skip
        ours = replace(real, payload=mine)
        if _shape(json.loads(ours.canonical())) != _shape(json.loads(real.canonical())) or (
            ours.canonical() != real.canonical()
        ):
            raise SystemExit(
                "bench_core: Desk.receive's event payload changed; update received_payload().\n"
                f"  desk : {real.canonical()}\n  bench: {ours.canonical()}"
            )
    finally:
        desk.close()


@dataclass
class Open:
    """A dossier with lifecycle events still to come during the build."""

    dossier: Dossier
    plan: list[tuple[datetime, str, dict[str, Any]]]
    step: int = 0


class Builder:
    """Writes N synthetic dossiers and their lifecycles into a fresh counter database."""

    def __init__(self, path: Path, rows: int, seed: int) -> None:
        self.path = path
        self.rows = rows
        self.seed = seed
        self.rng = random.Random(seed)
        self.synth = Synth(seed + 7)
        self.anchor = now_vn().replace(microsecond=0)
        self.desk = Desk.open(path, clock=lambda: self.anchor, env={})
        self.desk.setup(
            **COMMUNE, counter_no=BENCH_COUNTER, agency_id=AGENCY, province_name="Thành phố Hải Phòng"
        )
        self.store = self.desk.store
        self.conn = self.store.conn
        self.cal: WorkCalendar = self.desk.calendar()
        catalog = self.desk.catalog
        weighted = [(catalog.get(c), w) for c, w in PROCEDURE_WEIGHTS.items() if c in catalog]
        self.procedures = [p for p, _ in weighted]
        self.proc_cum = list(itertools.accumulate(w for _, w in weighted))
        self.counter_cum = list(itertools.accumulate(COUNTER_WEIGHTS))
        self.persons = 0
        self.events = 0
        self.open: dict[str, Open] = {}
        self.heap: list[tuple[datetime, int, str]] = []
        self.tick = itertools.count()

    # -- helpers ---------------------------------------------------------------------------

    def uuid(self) -> str:
        return str(uuid_module.UUID(int=self.rng.getrandbits(128), version=4))

    def work(self, start: datetime, hours: float) -> datetime:
        return self.cal.add_working_time(start, timedelta(hours=max(0.0, hours))).replace(microsecond=0)

    def append(self, event: Event, dossier: Dossier | None) -> Dossier:
        event = replace(event, uuid=self.uuid())
        new = apply(dossier, event)
        self.store.append(event, new)
        self.events += 1
        return new

    def days(self) -> list[tuple[date, int]]:
        """Working days of the span and how many dossiers each gets (sums to rows)."""
        end = self.anchor.date() - timedelta(days=1)
        start = end - timedelta(days=365 * YEARS)
        days = [
            start + timedelta(days=i)
            for i in range((end - start).days + 1)
            if self.cal.is_working_day(start + timedelta(days=i))
        ]
        rng = self.rng
        weights = []
        for i, d in enumerate(days):
            w = {0: 1.25, 1: 1.1, 2: 1.0, 3: 1.0, 4: 0.9}.get(d.weekday(), 0.6)
            if d.month in (1, 12):  # before Tết and year end: papers for the new year
                w *= 1.2
            w *= 0.85 + 0.3 * i / len(days)  # a slowly busier counter
            w *= rng.lognormvariate(0, 0.15)
            weights.append(w)
        total = sum(weights)
        exact = [w * self.rows / total for w in weights]
        counts = [int(x) for x in exact]
        by_rest = sorted(range(len(days)), key=lambda i: exact[i] - counts[i], reverse=True)
        for i in by_rest[: self.rows - sum(counts)]:
            counts[i] += 1
        return list(zip(days, counts, strict=True))

    def moments(self, day: date, k: int) -> list[datetime]:
        """k receipt times in the day's sessions, busiest an hour after opening, in order."""
        rng = self.rng
        sessions = self.cal.hours.sessions
        out = []
        for _ in range(k):
            s_start, s_end = sessions[0] if rng.random() < 0.62 or len(sessions) == 1 else sessions[1]
            a = s_start.hour * 3600 + s_start.minute * 60
            b = s_end.hour * 3600 + s_end.minute * 60
            sec = int(rng.triangular(a, b - 60, a + 3600))
            out.append(datetime(day.year, day.month, day.day, tzinfo=VN_TZ) + timedelta(seconds=sec))
        out.sort()
        return out

    # -- lifecycle ------------------------------------------------------------------------------

    def plan(self, d: Dossier, procedure: Procedure) -> list[tuple[datetime, str, dict[str, Any]]]:
        """The steps this dossier will go through (only those before the anchor get applied)."""
        rng = self.rng
        t0, due = d.received_at, d.due_at
        same_day = procedure.limit.unit == "same_day"
        r = rng.random()
        steps: list[tuple[datetime, str, dict[str, Any]]] = []
        if r < 0.015:
            return [(self.work(t0, rng.uniform(0.1, 6)), "refused", {"reason": rng.choice(REASONS_REFUSED)})]
        cur = t0
        if not same_day:
            cur = self.work(t0, rng.uniform(0.2, 4))
            steps.append((cur, "transferred", {}))
        if not same_day and r < 0.05:
            cur = self.work(cur, rng.uniform(2, 16))
            papers = [
                {"name": "Bản sao giấy tờ chứng minh nơi cư trú", "originals": 0, "certified": 1, "copies": 0}
            ]
            steps.append(
                (cur, "extra_papers_requested", {"papers": papers, "reason": rng.choice(REASONS_PAPERS)})
            )
            if rng.random() < 0.25:  # never came back
                end = (cur + timedelta(days=rng.uniform(30, 90))).replace(microsecond=0)
                kind = "withdrawn" if rng.random() < 0.5 else "stopped"
                steps.append((end, kind, {"reason": "Quá thời hạn bổ sung hồ sơ."}))
                return steps
            paused = cur
            cur = self.work(cur, rng.uniform(8, 80))
            due = self.cal.shift_for_pause(due, paused, cur)
            steps.append((cur, "extra_papers_received", {"due_at": due}))
        if not same_day and r > 0.985:
            cur = self.work(cur, 1)
            new_due = self.work(due, rng.uniform(8, 40))
            moved = {"reason": rng.choice(REASONS_MOVED), "due_at": new_due, "previous_due_at": due}
            steps.append((cur, "appointment_moved", moved))
            due = new_due
        if rng.random() < 0.08:  # late
            result = self.work(due, rng.uniform(1, 24))
        else:
            left = max(0.0, self.cal.working_time_between(cur, due).total_seconds() / 3600)
            result = self.work(cur, rng.uniform(0.05, 1.0) * left)
        result = max(result, cur)
        steps.append((result, "result_ready", {}))
        if rng.random() < 0.985:
            wait = 0.0 if same_day and rng.random() < 0.7 else rng.uniform(0, 24)
            payload = {"receiver": d.applicant.name} if rng.random() < 0.5 else {}
            steps.append((self.work(result, wait), "returned", payload))
        return steps

    def run_until(self, moment: datetime) -> None:
        """Apply every planned lifecycle step up to ``moment``, in global time order."""
        heap = self.heap
        while heap and heap[0][0] <= moment:
            at, _, code = heapq.heappop(heap)
            o = self.open[code]
            _, kind, payload = o.plan[o.step]
            counter = o.dossier.counter_no
            actor = DEPARTMENT_ACTOR if kind == "result_ready" else OFFICIALS[counter - 1]
            event = new_event(code, kind, at, actor, f"{AGENCY}#{counter}", payload)
            o.dossier = self.append(event, o.dossier)
            o.step += 1
            if o.step < len(o.plan) and o.plan[o.step][0] <= self.anchor:
                heapq.heappush(heap, (o.plan[o.step][0], next(self.tick), code))
            else:
                del self.open[code]

    # -- the build ------------------------------------------------------------------------------

    def receive(self, at: datetime, counter_no: int) -> None:
        rng = self.rng
        if self.persons and rng.random() < RETURNING_SHARE:
            person = person_at(self.seed, rng.randrange(self.persons))
        else:
            person = person_at(self.seed, self.persons)
            self.persons += 1
        procedure = self.procedures[bisect.bisect_right(self.proc_cum, rng.random() * self.proc_cum[-1])]
        day = at.date()
        n = self.store.next_code_number(day, counter_no)
        code = codes.make_code(AGENCY, day, counter_no, n, self.desk.settings.code_pattern)
        entry = self.store.next_logbook_entry(str(day.year), counter_no)
        due = self.cal.due(at, procedure.limit)
        intake = self.desk.parse_intake({"procedure": procedure.code, "applicant": person.applicant()})
        payload = received_payload(self.desk, intake, due, counter_no, entry, n, day)
        actor = OFFICIALS[counter_no - 1]
        event = new_event(code, "received", at, actor, f"{AGENCY}#{counter_no}", payload)
        dossier = self.append(event, None)
        self.store.log_access(actor, "receive", code)
        self.store.log_access(actor, "print", code, "receipt")
        plan = [s for s in self.plan(dossier, procedure) if s[0] <= self.anchor]
        if plan:
            self.open[code] = Open(dossier, plan)
            heapq.heappush(self.heap, (plan[0][0], next(self.tick), code))

    def build(self) -> dict[str, Any]:
        conn = self.conn
        conn.execute("PRAGMA synchronous = OFF")  # build only: the file is renamed when complete
        conn.execute("PRAGMA cache_size = -262144")
        started = time.perf_counter()
        done = 0
        conn.execute("BEGIN IMMEDIATE")
        for day, k in self.days():
            times = self.moments(day, k)
            counters = [
                1 + bisect.bisect_right(self.counter_cum, self.rng.random() * self.counter_cum[-1])
                for _ in times
            ]
            for at, counter_no in zip(times, counters, strict=True):
                self.run_until(at)
                self.receive(at, counter_no)
                done += 1
                if done % BATCH == 0:
                    conn.execute("COMMIT")
                    conn.execute("BEGIN IMMEDIATE")
                    rate = done / (time.perf_counter() - started)
                    log(
                        f"  built {done:,}/{self.rows:,} dossiers ({self.events:,} events), "
                        f"{rate:,.0f}/s, ~{(self.rows - done) / rate / 60:.1f} min left"
                    )
        self.run_until(self.anchor)
        # Three years of use: the hub has the events older than two days (no store API yet).
        cutoff = (self.anchor - timedelta(days=2)).isoformat()
        conn.execute(
            "DELETE FROM outbox WHERE seq IN (SELECT seq FROM events WHERE occurred_at < ?)", (cutoff,)
        )
        conn.execute(
            "UPDATE dossiers SET sync_state = 'sent' WHERE code NOT IN (SELECT e.dossier_code"
            " FROM outbox o JOIN events e USING (seq))"
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        seconds = time.perf_counter() - started
        self.desk.close()
        return {
            "rows": self.rows,
            "seed": self.seed,
            "generator": GENERATOR_VERSION,
            "build": BUILD_VERSION,
            "persons": self.persons,
            "events": self.events,
            "anchor": self.anchor.isoformat(),
            "build_seconds": round(seconds, 1),
        }


def ensure_database(path: Path, rows: int, seed: int, rebuild: bool) -> dict[str, Any]:
    """Reuse the database at ``path`` if it was built with these settings, else build it."""
    meta_path = path.with_name(path.name + ".json")
    want = {"rows": rows, "seed": seed, "generator": GENERATOR_VERSION, "build": BUILD_VERSION}
    if path.exists() and meta_path.exists() and not rebuild:
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in want.items()):
            log(f"reusing {path} ({meta['rows']:,} dossiers, built {meta['anchor'][:10]})")
            return meta
        raise SystemExit(f"{path} was built with {meta}, not {want}: pass --rebuild or another --db")
    if path.exists() and not rebuild and not meta_path.exists():
        raise SystemExit(f"{path} exists but was not built by this bench: pass another --db")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for p in (partial, *(Path(str(partial) + s) for s in ("-wal", "-shm"))):
        p.unlink(missing_ok=True)
    check_payload_shape(seed)
    log(f"building {rows:,} dossiers into {path} ...")
    meta = Builder(partial, rows, seed).build()
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    os.replace(partial, path)
    meta_path.write_text(json.dumps(meta, indent=2))
    log(f"built in {meta['build_seconds'] / 60:.1f} min: {meta['events']:,} events")
    return meta


# ---------------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------------


TARGET_SAVE = "p95 <= 2x"
TARGET_FIND = "p95 <= 25 ms and <= 2x"
TARGET_LOOKUP = "p95 < 1 ms"


def folded_words(query: str) -> str:
    """The query as ``name_folded`` holds a name ("Đặng  Thị Hoà" -> "dang thi hoa")."""
    return fold(query)


def interleaved(items: Sequence[Any], warmup: int, *fns: Callable[[Any], Any]) -> list[list[float]]:
    """Time each function on each item, alternating them item by item (drift hits all alike)."""
    for item in items[:warmup]:
        for fn in fns:
            fn(item)
    out: list[list[float]] = [[] for _ in fns]
    for item in items[warmup:]:
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn(item)
            out[i].append(time.perf_counter() - t)
    return out


def pair(
    rows: list[Row], name: str, t: list[float], base_name: str, b: list[float],
    target: str, check: Callable[[float, float], bool] | None, p50: bool = True,
) -> None:  # fmt: skip
    """Add the p50 (no verdict) and p95 (verdict by ``check(value, baseline)``) rows."""
    if p50:
        rows.append(Row(f"{name} p50", pct(t, 0.5), base_name, pct(b, 0.5), "", None))
    v, bb = pct(t, 0.95), pct(b, 0.95)
    rows.append(Row(f"{name} p95", v, base_name, bb, target, check(v, bb) if check else None))


def measure(db: Path, meta: dict[str, Any], args: argparse.Namespace) -> None:
    scratch = CACHE / "scratch-core.db"
    baseline_path = CACHE / "scratch-baseline.db"
    for p in (scratch, baseline_path):
        for s in ("", "-wal", "-shm"):
            Path(str(p) + s).unlink(missing_ok=True)
    seconds, _ = timed(lambda: shutil.copyfile(db, scratch))
    log(f"scratch copy ({db.stat().st_size / 2**30:.2f} GiB) in {seconds:.1f} s")
    rows: list[Row] = []
    notes: list[str] = []
    seconds, desk = timed(lambda: Desk.open(scratch, env={}))
    # A cache built at an older schema is brought up to date here, on the copy (migration 7 adds the
    # owners' name index: seconds at 1M rows), as a counter's upgrade would.
    log(f"opened the copy (with any schema migration) in {seconds:.1f} s")
    base = sqlite3.connect(baseline_path, isolation_level=None)
    counts: dict[str, int] = {}
    try:
        conn = desk.store.conn
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        total = conn.execute("SELECT max(rowid) FROM dossiers").fetchone()[0]
        rng = random.Random(args.seed + 99)
        synth = Synth(args.seed + 11)
        people = meta["persons"]
        save_ok = lambda v, b: v / b <= 2.0  # noqa: E731
        find_ok = lambda v, b: v <= 0.025 and v / b <= 2.0  # noqa: E731
        lookup_ok = lambda v, b: v < 0.001  # noqa: E731

        # -- saving ------------------------------------------------------------------------------
        base.execute("PRAGMA journal_mode = WAL")
        base.execute("PRAGMA synchronous = FULL")
        base.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        intakes = [
            synth.intake(synth.procedure(), person_at(args.seed, rng.randrange(people)))
            for _ in range(args.saves + 20)
        ]
        first = desk.receive(intakes[0], OFFICIALS[0])
        size = conn.execute(
            "SELECT (SELECT length(body) FROM events WHERE dossier_code = ?)"
            " + (SELECT length(data) + length(name_folded) + length(address) FROM dossiers WHERE code = ?)",
            (first.code, first.code),
        ).fetchone()[0]
        body = os.urandom(size // 2 + 1).hex()[:size]
        bare_name = f"INSERT+COMMIT {size} B"

        def bare_save(_: Any = None) -> None:
            base.execute("BEGIN IMMEDIATE")
            base.execute("INSERT INTO t (body) VALUES (?)", (body,))
            base.execute("COMMIT")

        log(f"saving {args.saves} dossiers (durable) ...")
        saved: list[str] = []

        def save(intake: dict[str, Any]) -> None:
            saved.append(desk.receive(intake, OFFICIALS[0]).code)

        save_t, bare_t = interleaved(intakes[1:], 19, save, bare_save)
        counts["saves"] = len(save_t)
        pair(rows, "save desk.receive", save_t, bare_name, bare_t, TARGET_SAVE, save_ok)

        # Where a save's time goes: the same work without the fsync (diagnosis only).
        conn.execute("PRAGMA synchronous = OFF")
        extra = [
            synth.intake(synth.procedure(), person_at(args.seed, rng.randrange(people))) for _ in range(120)
        ]
        nosync = interleaved(extra, 20, lambda i: desk.receive(i, OFFICIALS[0]))[0]
        conn.execute("PRAGMA synchronous = FULL")
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        rows.append(
            Row(
                "  (diag) desk.receive, synchronous=OFF p50",
                pct(nosync, 0.5),
                bare_name,
                pct(bare_t, 0.5),
                "",
                None,
            )
        )

        # What a save writes: WAL frames per receive (one per page touched), checkpoints held off.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        wal = Path(str(scratch) + "-wal")
        before = wal.stat().st_size if wal.exists() else 0
        counted = [
            synth.intake(synth.procedure(), person_at(args.seed, rng.randrange(people))) for _ in range(50)
        ]
        for intake in counted:
            desk.receive(intake, OFFICIALS[0])
        frame = conn.execute("PRAGMA page_size").fetchone()[0] + 24
        pages = (wal.stat().st_size - max(before, 32)) / frame / len(counted)
        conn.execute("PRAGMA wal_autocheckpoint = 1000")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        notes.append(f"pages written per save (WAL frames per receive, {len(counted)} saves): {pages:.1f}")
        notes.append("")

        # The floor of a durable save that writes that many pages: one small row into each of as
        # many one-page tables, committed (no index to walk, no Python work, no cache miss). What a
        # save may spend on everything else is the budget minus this (diagnosis only).
        tables = max(1, round(pages))  # one WAL frame per table's page (checked: 22 tables, 22.0 frames)
        for i in range(tables):
            base.execute(f"CREATE TABLE IF NOT EXISTS p{i} (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        share = body[: max(1, len(body) // tables)]

        def bare_pages(_: Any = None) -> None:
            base.execute("BEGIN IMMEDIATE")
            for i in range(tables):
                base.execute(f"INSERT INTO p{i} (body) VALUES (?)", (share,))
                base.execute(f"DELETE FROM p{i} WHERE id < (SELECT max(id) FROM p{i}) - 2")
            base.execute("COMMIT")

        floor_t, floor_b = interleaved(range(120), 20, bare_pages, bare_save)
        rows.append(
            Row(
                f"  (diag) bare commit of {tables} pages p95",
                pct(floor_t, 0.95),
                bare_name,
                pct(floor_b, 0.95),
                "",
                None,
            )
        )

        # A lifecycle step (barcode scanned, dossier moved on) is a save too.
        half = len(saved) // 2
        step_t, step_b = interleaved(saved[:half], 10, lambda c: desk.transfer(c, OFFICIALS[0]), bare_save)
        pair(rows, "step desk.transfer", step_t, bare_name, step_b, TARGET_SAVE, save_ok, p50=False)

        # -- look-ups ------------------------------------------------------------------------------
        sample = [
            conn.execute(
                "SELECT code, id_number FROM dossiers WHERE rowid = ?", (rng.randint(1, total),)
            ).fetchone()
            for _ in range(args.lookups + 20)
        ]
        sample = [s for s in sample if s]
        get_t, get_b = interleaved(
            [c for c, _ in sample], 20,
            lambda c: desk.get(c),
            lambda c: conn.execute("SELECT data FROM dossiers WHERE code = ?", (c,)).fetchone(),
        )  # fmt: skip
        id_t, id_b = interleaved(
            [i for _, i in sample], 20,
            lambda i: desk.find(i),
            lambda i: conn.execute("SELECT rowid FROM dossiers WHERE id_number = ?", (i,)).fetchall(),
        )  # fmt: skip
        counts["lookups"] = len(get_t)
        pair(rows, "desk.get(code)", get_t, "SELECT data BY code", get_b, TARGET_LOOKUP, lookup_ok)
        pair(rows, "desk.find(ID number)", id_t, "SELECT BY id_number", id_b, TARGET_LOOKUP, lookup_ok)

        # -- name search ---------------------------------------------------------------------------
        fixed = [
            "dang thi hoa",
            "nguyen van",
            "nguyen thi",
            "tran van h",
            "le thi thu",
            "hoa",
            "nguyen thi huong",
        ]
        queries = fixed + [
            synth.name_query(person_at(args.seed, rng.randrange(people))) for _ in range(args.queries)
        ]
        measured = queries[len(fixed) :] + fixed

        def bare_match(q: str) -> Any:
            return conn.execute(
                "SELECT rowid FROM dossiers_fts WHERE dossiers_fts MATCH ? LIMIT 50",
                (fts_query(q),),
            ).fetchall()

        log(f"searching {len(measured)} names ...")
        find_t, match_t = interleaved(queries + fixed, len(fixed), lambda q: desk.find(q), bare_match)
        counts["searches"] = len(find_t)
        pair(rows, "desk.find(name)", find_t, "bare FTS5 MATCH LIMIT 50", match_t, TARGET_FIND, find_ok)
        full = [t for t, q in zip(find_t, measured, strict=True) if len(q.split()) >= 3]
        rows.append(
            Row(
                "  (diag) desk.find(name), 3+ words p95",
                pct(full, 0.95),
                "bare FTS5 MATCH LIMIT 50",
                pct(match_t, 0.95),
                "",
                None,
            )
        )
        diag = measured[-60:]

        def rank_only(q: str) -> Any:
            return conn.execute(
                "SELECT rowid FROM dossiers_fts WHERE dossiers_fts MATCH ? ORDER BY rank LIMIT 50",
                (fts_query(q),),
            ).fetchall()

        rank_t = interleaved(diag, 0, rank_only)[0]
        rows.append(
            Row(
                "  (diag) FTS5 ORDER BY rank LIMIT 50 (no join) p95",
                pct(rank_t, 0.95),
                "bare FTS5 MATCH LIMIT 50",
                pct(match_t, 0.95),
                "",
                None,
            )
        )

        slowest: dict[str, float] = {}
        for t, q in zip(find_t, measured, strict=True):
            slowest[q] = max(t, slowest.get(q, 0.0))
        notes.append("slowest name searches (desk.find), with the rows they match:")
        for q, t in sorted(slowest.items(), key=lambda kv: -kv[1])[:8]:
            hits = conn.execute(
                "SELECT count(*) FROM dossiers_fts WHERE dossiers_fts MATCH ?", (fts_query(q),)
            ).fetchone()[0]
            notes.append(f"  {ms(t):>10}  {q!r:<24} {hits:>9,} matches")

        # -- code suffix and access log (found while reading the store) --------------------------------
        suffixes = [c.rsplit("-", 1)[1] for c, _ in sample[: args.scans + 3]]

        def bare_suffix(digits: str) -> Any:
            return conn.execute(
                "SELECT rowid FROM dossiers WHERE code LIKE ? LIMIT 50", ("%-" + digits,)
            ).fetchall()

        suf_t, suf_b = interleaved(suffixes, 3, lambda s: desk.find(s), bare_suffix)
        pair(
            rows,
            "desk.find(last 4 digits of code)",
            suf_t,
            "LIKE '%-NNNN' LIMIT 50",
            suf_b,
            "(none set)",
            None,
            p50=False,
        )
        max_log = conn.execute("SELECT max(id) FROM access_log").fetchone()[0]

        def bare_log(_: str) -> Any:
            return conn.execute(
                "SELECT * FROM access_log WHERE id = ?", (rng.randint(1, max_log),)
            ).fetchall()

        log_codes = [c for c, _ in sample[: args.scans + 3]]
        acc_t, acc_b = interleaved(
            log_codes,
            3,
            lambda c: desk.store.access_entries(dossier_code=c, first=None, last=None, limit=1000),
            bare_log,
        )
        pair(
            rows,
            "store.access_entries(code)",
            acc_t,
            "SELECT access_log BY id",
            acc_b,
            "(none set)",
            None,
            p50=False,
        )

    finally:
        desk.close()
        base.close()
        if not args.keep_scratch:
            for p in (scratch, baseline_path):
                for s in ("", "-wal", "-shm"):
                    Path(str(p) + s).unlink(missing_ok=True)

    print()
    print(
        f"bench_core: {meta['rows']:,} dossiers, {meta['events']:,} events, {people:,} people "
        f"(seed {meta['seed']}, built {meta['anchor'][:10]}); SQLite {sqlite3.sqlite_version}; "
        f"Python {sys.version.split()[0]}; {os.cpu_count()} CPUs; {counts['saves']} saves, "
        f"{counts['searches']} name searches, {counts['lookups']} look-ups timed"
    )
    print()
    print_table(rows)
    print()
    for n in notes:
        print(n)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="dossiers in the database")
    parser.add_argument("--db", type=Path, help="database file to build or reuse (default: bench/.cache/)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--saves", type=int, default=300, help="timed saves (after 20 warm-up)")
    parser.add_argument("--queries", type=int, default=300, help="random name searches (plus 7 fixed)")
    parser.add_argument("--lookups", type=int, default=300, help="timed look-ups by code and by ID")
    parser.add_argument("--rebuild", action="store_true", help="build again even if cached")
    parser.add_argument(
        "--build-only", action="store_true", help="build (or check) the database, measure nothing"
    )
    parser.add_argument("--scans", type=int, default=30, help="timed code-suffix and access-log look-ups")
    parser.add_argument("--compare", type=int, default=40, help="searches whose first pages are compared")
    parser.add_argument("--keep-scratch", action="store_true", help="keep the scratch copy for inspection")
    args = parser.parse_args(argv)
    db = args.db or CACHE / f"core-{args.rows}-s{args.seed}-g{GENERATOR_VERSION}-b{BUILD_VERSION}.db"
    meta = ensure_database(db, args.rows, args.seed, args.rebuild)
    if not args.build_only:
        measure(db, meta, args)


if __name__ == "__main__":
    main()
