"""The lifecycle state machine, events and their canonical form."""

from __future__ import annotations

import json
import time
import unicodedata
import uuid
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.domain.calendar import VN_TZ
from counter_app.domain.dossier import (
    CLOSED_STATUSES,
    TRANSITIONS,
    Event,
    allowed_steps,
    apply,
    dossier_from_json,
    fold,
    new_event,
    uuid7,
)
from counter_app.domain.errors import RuleError, ValidationError

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ)
CODE = "000.00.11.H26-261125-2001"


def received_event(at: datetime = T0) -> Event:
    return new_event(
        CODE,
        "received",
        at,
        "Cán bộ A",
        "000.00.11.H26#2",
        {
            "procedure": {
                "code": "1.004873",
                "name": "Xác nhận TTHN",
                "field": "Hộ tịch",
                "legal_limit": "03 ngày làm việc",
            },
            "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234"},
            "documents": [{"name": "Tờ khai", "originals": 1}],
            "receiving": {"agency_id": "000.00.11.H26", "counter": 2, "commune_code": "11410"},
            "deciding": {"id": "", "name": "UBND xã"},
            "due_at": (at + timedelta(days=5)).isoformat(),
            "logbook": {"volume": "2026", "entry": 1},
        },
    )


def step(kind: str, minutes: int, **payload: object) -> Event:
    if kind in TRANSITIONS and TRANSITIONS[kind].needs_reason:
        payload.setdefault("reason", "Lý do thử")
    if kind in ("extra_papers_received", "appointment_moved"):
        payload.setdefault("due_at", (T0 + timedelta(days=9)).isoformat())
    if kind == "rated":
        payload.setdefault("level", 4)
    return new_event(CODE, kind, T0 + timedelta(minutes=minutes), "Cán bộ B", "x#2", payload)


def test_full_happy_path() -> None:
    events = [
        received_event(),
        step("transferred", 5),
        step("result_ready", 60),
        step("returned", 90),
    ]
    d = fold(events)
    assert d.status == 10
    assert d.result_at == T0 + timedelta(minutes=60)
    assert d.closed_at == T0 + timedelta(minutes=90)
    assert d.timeliness() == "early"


def test_extra_papers_pause_and_resume() -> None:
    d = fold(
        [
            received_event(),
            step("extra_papers_requested", 10, papers=[{"name": "Bản sao", "copies": 1}]),
        ]
    )
    assert d.status == 5 and d.is_paused and d.paused_at is not None
    assert not d.is_overdue(T0 + timedelta(days=365))  # paused: never overdue
    d2 = apply(d, step("extra_papers_received", 30))
    assert d2.status == 4 and d2.paused_at is None
    assert d2.due_at == T0 + timedelta(days=9)


@pytest.mark.parametrize(
    ("history", "kind"),
    [
        ([], "returned"),
        (["result_ready", "returned"], "transferred"),
        (["refused"], "result_ready"),
        ([], "extra_papers_received"),
        ([], "fee_paid"),
        (["withdrawn"], "withdrawn"),
    ],
)
def test_impossible_transitions_are_refused_with_reason(history: list[str], kind: str) -> None:
    d = fold([received_event()])
    for i, k in enumerate(history):
        d = apply(d, step(k, i + 1))
    with pytest.raises(RuleError) as info:
        apply(d, step(kind, 50))
    assert d.status_name in info.value.message


def test_received_twice_refused() -> None:
    d = fold([received_event()])
    with pytest.raises(RuleError):
        apply(d, received_event())


def test_reason_required() -> None:
    d = fold([received_event()])
    with pytest.raises(RuleError, match="lý do"):
        apply(d, new_event(CODE, "refused", T0 + timedelta(minutes=1), "A", "x", {"reason": "  "}))


def test_event_before_receipt_refused() -> None:
    d = fold([received_event()])
    with pytest.raises(RuleError):
        apply(d, step("transferred", -10))


def test_overdue_is_derived() -> None:
    d = fold([received_event()])
    assert not d.is_overdue(d.due_at)
    assert d.is_overdue(d.due_at + timedelta(seconds=1))
    done = apply(d, step("result_ready", 10))
    assert not done.is_overdue(d.due_at + timedelta(days=30))


def test_canonical_form_is_stable_and_nfc() -> None:
    e = received_event()
    nfd = Event(
        e.uuid,
        e.dossier_code,
        e.kind,
        e.occurred_at.astimezone(tz=None),
        e.actor,
        e.counter_id,
        json.loads(
            json.dumps(
                {
                    **e.payload,
                    "applicant": {
                        "name": unicodedata.normalize("NFD", "Đặng Thị Hoà"),
                        "id_number": "031190001234",
                    },
                }
            )
        ),
    )
    assert nfd.canonical() == e.canonical()
    again = Event.from_json(json.loads(e.canonical()))
    assert again.canonical() == e.canonical()
    assert '"occurred_at":"2026-11-25T09:00:00+07:00"' in e.canonical()


def test_event_from_bad_json() -> None:
    with pytest.raises(ValidationError):
        Event.from_json({"uuid": "not-a-uuid", "dossier_code": CODE, "kind": "x", "occurred_at": "x"})
    with pytest.raises(ValidationError):
        Event.from_json(
            {
                "uuid": "6f1c0c2e-8d7a-4c43-9a51-52b8f0a8a0a1",
                "dossier_code": CODE,
                "kind": "received",
                "occurred_at": "2026-11-25T09:00:00",
            }
        )


def test_projection_json_round_trip() -> None:
    d = fold(
        [
            received_event(),
            step("extra_papers_requested", 5, papers=["Giấy A"]),
            step("extra_papers_received", 50),
            step("appointment_moved", 70),
        ]
    )
    assert dossier_from_json(json.loads(json.dumps(d.to_json()))) == d
    assert "rating" not in d.to_json()  # projections stored before ratings existed stay as they were
    rated = fold([received_event(), step("refused", 5), step("rated", 9, level=3, comment="Tạm được")])
    assert dossier_from_json(json.loads(json.dumps(rated.to_json()))) == rated
    assert rated.to_json()["rating"]["label"] == "Bình thường"


@pytest.mark.parametrize("level", [None, 0, 6, "5 sao", 2.5, True])
def test_a_rating_outside_the_five_levels_is_refused(level: object) -> None:
    refused = fold([received_event(), step("refused", 5)])
    with pytest.raises(RuleError, match="từ 1"):
        apply(refused, step("rated", 9, level=level))


KINDS = [k for k in TRANSITIONS if k != "received"]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(KINDS), max_size=12))
def test_state_machine_properties(kinds: list[str]) -> None:
    """Any sequence: each event is accepted iff allowed_steps said so; closed stays closed (only the
    citizen's rating comes after, once, and it changes neither the status nor the closing time)."""
    d = fold([received_event()])
    for i, kind in enumerate(kinds):
        allowed = kind in allowed_steps(d)
        # A correction changes a field from what it is (see test_desk_correction for its rules).
        address = d.applicant.address
        fields = {"applicant": {"address": {"from": address, "to": f"{address[:200]} {i}"}}}
        try:
            new = apply(d, step(kind, i + 1, **(fields if kind == "corrected" else {})))
        except RuleError:
            assert not allowed
            continue
        assert allowed
        assert (d.status in CLOSED_STATUSES) == (kind == "rated")
        if new.status in CLOSED_STATUSES:
            assert new.closed_at is not None and allowed_steps(new) == ([] if new.rating else ["rated"])
        if kind == "rated":
            assert (new.status, new.closed_at, new.due_at) == (d.status, d.closed_at, d.due_at)
            assert new.rating is not None and new.rating.level == 4
        assert new.events == d.events + 1
        d = new


def test_event_uuids_are_version_7_unique_and_time_ordered() -> None:
    before = time.time_ns() // 1_000_000
    first = uuid7()
    time.sleep(0.002)
    batch = [uuid7() for _ in range(10_000)]
    after = time.time_ns() // 1_000_000
    assert first.version == 7 and first.variant == uuid.RFC_4122
    assert before <= first.int >> 80 <= after  # the first 48 bits are the creation time in ms
    assert len({*batch, first}) == 10_001
    assert all(str(first) < str(u) for u in batch)  # later events sort after (text order too)
    event = new_event("C-1", "received", datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ), "A", "X#1", {})
    assert uuid.UUID(event.uuid).version == 7
