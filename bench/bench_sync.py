"""Benchmark of sync: each figure beside a baseline measured in the same run, and the ratio.

Run from the repository root::

    .venv/bin/python bench/bench_sync.py                    # 3,000 dossiers, 6,000 events (~1 min)
    .venv/bin/python bench/bench_sync.py --dossiers 500     # a quick run while developing

Two counters of one commune on their own database files, and the real reference hub (uvicorn, on
127.0.0.1, its own file). Counter 1 records the dossiers (received, then transferred), pushes them;
counter 2, on a new file, pulls them all, as a counter set up anew does on its first night.

Figures:

1. Push: one ``POST /v1/events`` batch (``PUSH_BATCH`` events, the hub storing them with fsync and
   the counter marking them sent) against a bare HTTP POST of the same bytes to an ASGI app that
   reads the body and answers ``{}``, served the same way.
2. Pull: one page (``PULL_LIMIT`` events) from the request to its transaction committed, against a
   bare HTTP GET of a body of the same size.
3. The page's transaction alone (``Desk.apply_pulled``), which the counter's screen waits for when
   it reads meanwhile (one connection, one lock), against a bare SQLite transaction inserting the
   same number of rows of the same size with ``synchronous=FULL``.

It needs the hub's server (``pip install -e '.[hub]'``, or the test extra). Nothing here is a
test: it prints numbers. Everything lives in a temporary folder, deleted after.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from counter_app.desk import Desk  # noqa: E402
from sync import client as client_module  # noqa: E402
from sync.client import SyncClient, SyncReport  # noqa: E402
from tests.hubserver import serve_hub  # noqa: E402

COMMUNE = "11410"
OFFICIAL = "Cán bộ Đo Hiệu Năng"
BARE_ROUNDS = 30


async def bare_app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    """The baseline server: reads the request body, answers ``{}`` (POST) or ``size`` bytes (GET)."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    size = int(dict(x.split("=") for x in scope["query_string"].decode().split("&") if x).get("size", 2))
    body = b"{}" if scope["method"] == "POST" else b"x" * size
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": body})


@contextmanager
def serve_bare() -> Iterator[str]:
    config = uvicorn.Config(bare_app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def make_desk(path: Path, counter_no: int, hub_url: str, token: str) -> Desk:
    desk = Desk.open(path, env={})
    desk.setup(
        commune_code=COMMUNE,
        commune_name="xã Vĩnh Bảo",
        counter_no=counter_no,
        agency_id="000.00.11.H26",
        province_name="Thành phố Hải Phòng",
    )
    desk.update_settings(hub_url=hub_url, hub_token=token)
    return desk


class Timed:
    """Wraps a desk method or a transport call and keeps how long each call took (seconds)."""

    def __init__(self, call: Callable[..., Any]) -> None:
        self.call = call
        self.times: list[float] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.call(*args, **kwargs)
        finally:
            self.times.append(time.perf_counter() - start)


class CountingTransport(httpx.HTTPTransport):
    """The real transport; keeps each request's method, path, size (the body sent for a POST, the
    answer for a GET) and time, the answer read whole."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, int, float]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        start = time.perf_counter()
        response = super().handle_request(request)
        body = response.read()
        size = len(body) if request.method == "GET" else len(request.content)
        self.seen.append((request.method, request.url.path, size, time.perf_counter() - start))
        return httpx.Response(response.status_code, headers=response.headers, content=body)


def timed_run(
    desk: Desk, hub_url: str, token: str, desk_step: str, half: str
) -> tuple[float, list[tuple[str, str, int, float]], list[float]]:
    """One half of a sync run (``push`` or ``pull``): its whole time, each request (method, path,
    size, seconds) and the time of each call to the desk's ``desk_step`` (its transaction)."""
    transport = CountingTransport()
    step = Timed(getattr(desk, desk_step))
    setattr(desk, desk_step, step)
    started = time.perf_counter()
    with SyncClient(desk, hub_url, token, transport=transport) as client:
        getattr(client, half)(SyncReport())
    return time.perf_counter() - started, transport.seen, step.times


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bare_requests(url: str, method: str, size: int, body: bytes) -> list[float]:
    times = []
    with httpx.Client() as http:
        for _ in range(BARE_ROUNDS):
            start = time.perf_counter()
            if method == "POST":
                http.post(f"{url}/bare", content=body, headers={"content-type": "application/json"}).read()
            else:
                http.get(f"{url}/bare?size={size}").read()
            times.append(time.perf_counter() - start)
    return times


def bare_transactions(folder: Path, rows: int, row_bytes: int) -> list[float]:
    path = folder / "bare.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    text = "x" * row_bytes
    times = []
    for _ in range(BARE_ROUNDS):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO t (body) VALUES (?)", [(text,)] * rows)
        conn.execute("COMMIT")
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def row(figure: str, ours: list[float], base: list[float], base_name: str) -> str:
    value, baseline = statistics.median(ours), statistics.median(base)
    shown = f"{baseline * 1000:7.2f} ms ({base_name})"
    return (
        f"{figure:<34} | {value * 1000:8.2f} ms | {shown:<36} | "
        f"{value / baseline:6.2f}x | p95 {p(ours, 0.95) * 1000:.2f} ms vs {p(base, 0.95) * 1000:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=3000)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="counter-bench-sync-"))
    try:
        with serve_hub(folder / "hub.db") as hub, serve_bare() as bare_url:
            first = make_desk(folder / "one.db", 1, hub.url, "token-1")
            second = make_desk(folder / "two.db", 2, hub.url, "token-2")
            for desk, token in ((first, "token-1"), (second, "token-2")):
                hub.add_counter(token, COMMUNE, desk.settings.counter_id)
            intake = {
                "procedure": "1.004873",
                "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234", "phone": "0912345678"},
            }
            with first.store.transaction():  # recorded in bulk: the recording is not what is measured
                for _ in range(args.dossiers):
                    code = first.receive(intake, OFFICIAL).code
                    first.transfer(code, OFFICIAL)
            events = first.unsent_events()

            push_total, pushing, marking = timed_run(first, hub.url, "token-1", "events_sent", "push")
            if first.unsent_events():
                raise SystemExit("the push left events in the outbox")
            posted = [(t, size) for method, _, size, t in pushing if method == "POST"]
            posts = [t + m for (t, _), m in zip(posted, marking, strict=True)]
            post_bytes = max(size for _, size in posted)

            pull_total, pulling, applying = timed_run(second, hub.url, "token-2", "apply_pulled", "pull")
            if second.store.dossier_count() != args.dossiers:
                raise SystemExit("the pull did not bring every dossier")
            got = [(t, size) for method, path, size, t in pulling if path == "/v1/events"]
            pulls = [t + a for (t, _), a in zip(got, applying, strict=True)]
            page_bytes = int(statistics.median(size for _, size in got))
            row_bytes = page_bytes // client_module.PULL_LIMIT

            bare_post = bare_requests(bare_url, "POST", 0, b"x" * post_bytes)
            bare_get = bare_requests(bare_url, "GET", page_bytes, b"")
            bare_tx = bare_transactions(folder, client_module.PULL_LIMIT, row_bytes)
            first.close()
            second.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(
        f"{args.dossiers:,} dossiers, {events:,} events; push {client_module.PUSH_BATCH} a batch, "
        f"pull {client_module.PULL_LIMIT} a page"
    )
    print(f"push: {push_total:.2f} s = {events / push_total:,.0f} events/s, {len(posts)} POSTs")
    print(f"pull: {pull_total:.2f} s = {events / pull_total:,.0f} events/s, {len(pulls)} pages")
    print()
    print(f"{'figure':<34} | {'median':>11} | baseline (same run)                  | ratio   | tail")
    print(row("push: one batch (POST)", posts, bare_post, "bare POST"))
    print(row("pull: one page (GET + stored)", pulls, bare_get, "bare GET"))
    print(
        row(
            "pull: the page's transaction",
            applying,
            bare_tx,
            f"bare {client_module.PULL_LIMIT}-row commit",
        )
    )


if __name__ == "__main__":
    main()
