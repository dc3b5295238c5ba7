"""Properties of the desk over random sequences of use cases on a real database file."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from counter_app.domain.errors import CounterError
from tests.conftest import FixedClock, intake

STEPS = [
    ("transfer", {}),
    ("request_extra_papers", {"papers": ["Bản sao giấy khai sinh"], "reason": "Thiếu giấy"}),
    ("receive_extra_papers", {}),
    ("request_fee", {"amount": 8000}),
    ("record_fee_paid", {}),
    ("refuse", {"reason": "Không đủ điều kiện"}),
    ("withdraw", {"reason": "Công dân rút"}),
    ("stop", {"reason": "Dừng"}),
    ("record_result", {}),
    ("return_result", {}),
]


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    plan=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, len(STEPS) - 1), st.integers(1, 600)),
        max_size=25,
    )
)
def test_projection_always_rebuilds_identically(
    tmp_path_factory: object, plan: list[tuple[int, int, int]]
) -> None:
    path = Path(tmp_path_factory.mktemp("prop")) / "c.db"  # type: ignore[attr-defined]
    clock = FixedClock(datetime(2026, 11, 23, 8, 0, tzinfo=VN_TZ))
    desk = Desk.open(path, clock=clock, env={})
    try:
        desk.setup(commune_code="11410", commune_name="xã Vĩnh Bảo", counter_no=5)
        codes = [desk.receive(intake(), "A").code for _ in range(4)]
        for which, step, minutes in plan:
            clock.set(clock.now + timedelta(minutes=minutes))
            name, kwargs = STEPS[step]
            before = desk.store.conn.execute("SELECT count(*) FROM events").fetchone()[0]
            try:
                getattr(desk, name)(codes[which], "A", **kwargs)
            except CounterError:
                after = desk.store.conn.execute("SELECT count(*) FROM events").fetchone()[0]
                assert after == before  # a refused step stores nothing
        for code in codes:
            d = desk.get(code)
            left = desk.time_left(d)
            assert (left is None) == (not d.is_open)
            if left is not None and not left.paused:
                assert left.late == (clock.now > d.due_at)
        assert desk.check_projection()
        assert desk.unsent_events() == desk.store.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        desk.close()
