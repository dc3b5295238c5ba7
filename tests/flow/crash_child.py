"""Child process of the crash test: receive dossiers for ever, report each code once it is saved.

Usage: ``python tests/flow/crash_child.py DBPATH [SEED]``

Opens the real desk on DBPATH (setting the counter up on first run), then loops on
``desk.receive``. A code is printed on stdout, and flushed, only after ``receive`` has returned,
that is after the transaction committed: the parent treats every printed code as a receipt already
handed to a citizen, which must survive a kill at any moment. The parent ends this process with
SIGKILL; it never exits on its own.

The clock is fixed (Wednesday 25 Nov 2026, 09:30) so every round numbers codes of the same day and
the parent can check that the sequence continues across kills.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=VN_TZ)
COUNTER_NO = 3
ACTOR = "Phạm Thị Thu Trang"

FAMILY = ("Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Thị", "Thị", "Văn", "Văn", "Hữu", "Đức", "Minh", "Ngọc", "Thanh")
GIVEN = ("Hoà", "Hương", "Lan", "Hùng", "Dũng", "Tuấn", "Thủy", "Nam", "Hải", "Linh", "Trang")
HAMLETS = ("Thôn Đông", "Thôn Tây", "Thôn Nam", "Xóm Mới", "Tổ dân phố 2")


def applicant(rng: random.Random) -> dict[str, str]:
    """A realistic applicant of xã Vĩnh Bảo (12-digit căn cước, 10-digit mobile)."""
    year = rng.randint(1950, 2005)
    century_gender = (0 if year < 2000 else 2) + rng.randint(0, 1)
    return {
        "name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
        "id_number": f"031{century_gender}{year % 100:02d}{rng.randrange(1_000_000):06d}",
        "phone": f"09{rng.randrange(100_000_000):08d}",
        "address": f"{rng.choice(HAMLETS)}, xã Vĩnh Bảo, thành phố Hải Phòng",
    }


def main(argv: list[str]) -> None:
    path = argv[1]
    rng = random.Random(int(argv[2]) if len(argv) > 2 else 0)
    desk = Desk.open(path, clock=lambda: NOW, env={})
    if not desk.settings.is_configured:
        desk.setup(commune_code="11410", commune_name="xã Vĩnh Bảo", counter_no=COUNTER_NO)
    out = sys.stdout
    while True:
        dossier = desk.receive({"procedure": "1.004873", "applicant": applicant(rng)}, ACTOR)
        out.write(dossier.code + "\n")
        out.flush()


if __name__ == "__main__":
    main(sys.argv)
