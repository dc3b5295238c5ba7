"""Child process of the sync crash test: sync for ever, until the parent kills it with SIGKILL.

Usage: ``python tests/sync/sync_child.py DBPATH HUB_URL TOKEN push|pull``

- ``push``: receive a dossier, print its code once ``receive`` has returned (saved: a receipt in a
  citizen's hand), then push the outbox; again and again.
- ``pull``: pull the commune's events in pages of two (many small transactions to be killed in).
"""

from __future__ import annotations

import sys
from pathlib import Path

from counter_app.desk import Desk
from sync import client as client_module
from sync.client import SyncClient, SyncReport

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.conftest import intake  # noqa: E402

GIVEN = ("An", "Bình", "Chi", "Dũng", "Hải", "Lan", "Mai", "Nam", "Phúc")


def main() -> None:
    db, url, token, mode = sys.argv[1:5]
    desk = Desk.open(Path(db), env={})
    client_module.PULL_LIMIT = 1
    with SyncClient(desk, url, token) as client:
        n = 0
        while True:
            if mode == "push":
                n += 1
                code = desk.receive(
                    intake(
                        applicant={**intake()["applicant"], "name": f"Nguyễn Văn {GIVEN[n % len(GIVEN)]}"}
                    ),
                    "Trần Văn Minh",
                ).code
                print(code, flush=True)
                client.push(SyncReport())
            else:
                if n == 0:
                    print("started", flush=True)
                    n = 1
                client.pull(SyncReport())


if __name__ == "__main__":
    main()
