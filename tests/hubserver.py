"""The real city hub, served by uvicorn on a free local port, for the hub's, the client's and the
UI's tests (the ``hub`` fixture of ``tests/conftest.py``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from sync import hub as hub_module

START_TIMEOUT = 10.0


@dataclass
class RunningHub:
    """A hub being served: where to reach it, its database, and how to hand out tokens."""

    url: str
    db: Path
    calendar: Path | None = None
    """Where the hub reads its calendar (absent until a test writes it: an empty calendar)."""
    app: hub_module.Hub | None = None
    """The ASGI app being served (its look-up page's tries, for the tests that fill them)."""

    def add_counter(self, token: str, commune_code: str, counter_id: str) -> None:
        hub_module.add_counter(self.db, token, commune_code, counter_id)

    def add_city_token(self, token: str, commune_code: str) -> None:
        hub_module.add_city_token(self.db, token, commune_code)


@contextmanager
def serve_hub(
    db: Path,
    catalog: Path | None = None,
    calendar: Path | None = None,
    *,
    tls: tuple[Path, Path] | None = None,
) -> Iterator[RunningHub]:
    """Serve a hub in a background thread until the block ends; over https with ``tls``, a
    certificate file and its key file (PEM)."""
    app = hub_module.create_app(db, catalog, calendar)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="on",
        ssl_certfile=str(tls[0]) if tls else None,
        ssl_keyfile=str(tls[1]) if tls else None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="hub-server", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread)
        port = server.servers[0].sockets[0].getsockname()[1]
        scheme = "https" if tls else "http"
        yield RunningHub(url=f"{scheme}://127.0.0.1:{port}", db=db, calendar=calendar, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT)


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    """Block until uvicorn listens; fail fast if its thread died instead."""
    waited = 0.0
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the hub server stopped before it started listening")
        if waited > START_TIMEOUT:
            raise RuntimeError(f"the hub server did not start within {START_TIMEOUT} s")
        thread.join(timeout=0.01)
        waited += 0.01
