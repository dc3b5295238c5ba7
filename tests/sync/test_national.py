"""The national export (DongBoHoSoMC and CapNhatTienDoHoSoMC) of what real counters synced to the
real hub on 127.0.0.1: each record says what the counter's own screen says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from counter_app.desk import Desk
from counter_app.domain.calendar import VN_TZ
from counter_app.domain.dossier import new_event
from sync import hub as hub_module
from sync.client import SyncClient
from sync.national import national_time
from tests.conftest import FixedClock, intake

COMMUNE = "11410"
OFFICIAL = "Trần Văn Minh"
OPENAPI = Path(hub_module.__file__).with_name("openapi.json")
ROOT = Path(hub_module.__file__).resolve().parent.parent


@pytest.fixture
def counter(make_desk: Callable[..., Desk], tmp_path: Path, hub: Any) -> Desk:
    """Counter 1 of xã Vĩnh Bảo with its token at the hub; the city holds the commune's city token."""
    desk = make_desk(tmp_path / "counter1.db", counter_no=1)
    hub.add_counter("token-1", COMMUNE, desk.settings.counter_id)
    hub.add_city_token("city-token", COMMUNE)
    desk.update_settings(hub_url=hub.url, hub_token="token-1")
    return desk


def sync(desk: Desk) -> None:
    with SyncClient(desk, desk.settings.hub_url, desk.settings.hub_token) as client:
        client.run()


def export(hub: Any, token: str = "city-token", **params: Any) -> httpx.Response:
    return httpx.get(f"{hub.url}/v1/national", params=params, headers={"Authorization": f"Bearer {token}"})


def schema(name: str) -> dict[str, Any]:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))["components"]["schemas"][name]


def whole_life(desk: Desk, clock: FixedClock) -> str:
    """A dossier through its whole life, a day apart per step: the code."""
    code = desk.receive(intake(summary="Xin xác nhận để đăng ký kết hôn"), OFFICIAL).code
    steps: list[Callable[[], object]] = [
        lambda: desk.transfer(code, OFFICIAL, to_agency_name="Công chức tư pháp - hộ tịch"),
        lambda: desk.request_extra_papers(
            code, OFFICIAL, papers=["Bản sao giấy khai sinh"], reason="Thiếu giấy khai sinh"
        ),
        lambda: desk.receive_extra_papers(code, OFFICIAL),
        lambda: desk.record_result(code, OFFICIAL),
        lambda: desk.return_result(code, OFFICIAL, receiver="Đặng Thị Hoà"),
    ]
    for step in steps:
        clock.set(clock.now + timedelta(days=1))
        step()
    return code


def test_a_dossier_is_exported_as_the_counter_shows_it(counter: Desk, hub: Any, clock: FixedClock) -> None:
    code = whole_life(counter, clock)
    sync(counter)

    page = export(hub)
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["unreadable"] == [] and body["more"] is False
    [record] = body["DongBoHoSoMC"]
    shown = counter.get(code)
    assert set(record) == set(schema("DongBoHoSoMC")["required"])
    assert record["isUpdating"] is False
    assert (record["MaHoSo"], record["SoBienNhan"], record["MaTTHC"]) == (code, code, "1.004873")
    assert (record["TenTTHC"], record["TenLinhVuc"]) == (shown.procedure_name, shown.field)
    assert (record["ChuHoSo"], record["MaDoiTuong"], record["SoDienThoai"]) == (
        "Đặng Thị Hoà",
        "031190001234",
        "0912345678",
    )
    assert (record["LoaiDoiTuong"], record["TrichYeuHoSo"]) == (1, "Xin xác nhận để đăng ký kết hôn")
    assert record["TrangThaiHoSo"] == shown.status == 10
    assert record["ThongTinTra"] == "Tại Bộ phận Một cửa"  # how it is handed back, in words
    assert record["NgayTiepNhan"] == "20261125093000"  # the fixed clock: 25/11/2026 09:30, Vietnam
    assert record["NgayHenTra"] == shown.due_at.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")
    assert record["NgayTra"] == "20261130093000"
    assert record["NgayKetThucXuLy"] == "20261129093000"
    assert [d["TenTaiLieu"] for d in record["TaiLieuNop"]] == [d.name for d in shown.documents]
    # The papers waited a day: the appointment moved once, from the first due time to the one shown.
    [moved] = record["DanhSachHoSoBoSung"]
    assert moved["NgayHenTraMoi"] == record["NgayHenTra"] != moved["NgayHenTraTruoc"]
    assert moved["NgayBoSung"] == "20261128093000"

    steps = body["CapNhatTienDoHoSoMC"]
    assert (
        [s["TrangThai"] for s in steps]
        == [step.status for step in counter.history(code)]
        == [2, 4, 5, 4, 9, 10]
    )
    assert all(set(s) == set(schema("CapNhatTienDoHoSoMC")["required"]) for s in steps)
    assert steps[1]["PhongBanXuLy"] == "Công chức tư pháp - hộ tịch"
    assert "Thiếu giấy khai sinh" in steps[2]["NoiDungXuLy"]
    assert [s["ThoiDiemXuLy"][:8] for s in steps] == [f"202611{d}" for d in (25, 26, 27, 28, 29, 30)]
    assert steps[3]["NgayKetThucTheoQuyDinh"] == record["NgayHenTra"]


def test_pages_follow_the_cursor_and_a_dossier_given_before_is_an_update(
    counter: Desk, hub: Any, clock: FixedClock
) -> None:
    first = counter.receive(intake(), OFFICIAL).code
    second = counter.receive(
        intake(applicant={"name": "Lê Văn Tám", "id_number": "031190005678"}), OFFICIAL
    ).code
    sync(counter)
    page = export(hub, limit=1).json()
    assert [r["MaHoSo"] for r in page["DongBoHoSoMC"]] == [first] and page["more"] is True
    page = export(hub, limit=1, after=page["next"]).json()
    assert [r["MaHoSo"] for r in page["DongBoHoSoMC"]] == [second] and page["more"] is False

    clock.set(clock.now + timedelta(hours=1))
    counter.transfer(first, OFFICIAL)
    sync(counter)
    later = export(hub, after=page["next"]).json()
    [record] = later["DongBoHoSoMC"]
    assert (record["MaHoSo"], record["isUpdating"], record["TrangThaiHoSo"]) == (first, True, 4)
    assert [s["TrangThai"] for s in later["CapNhatTienDoHoSoMC"]] == [4]  # only the new step
    assert export(hub, after=later["next"]).json() == {
        "DongBoHoSoMC": [],
        "CapNhatTienDoHoSoMC": [],
        "unreadable": [],
        "next": later["next"],
        "more": False,
    }


def test_a_dossier_refused_at_the_counter_has_no_appointment(counter: Desk, hub: Any) -> None:
    code = counter.receive(intake(), OFFICIAL).code
    counter.refuse(code, OFFICIAL, reason="Không thuộc thẩm quyền của xã")
    sync(counter)
    [record] = export(hub).json()["DongBoHoSoMC"]
    assert (record["TrangThaiHoSo"], record["NgayHenTra"]) == (3, "")
    assert record["GhiChu"] == "Không thuộc thẩm quyền của xã"


def test_only_the_city_exports_and_only_its_commune(
    counter: Desk, hub: Any, make_desk: Callable[..., Desk], tmp_path: Path
) -> None:
    counter.receive(intake(), OFFICIAL)
    sync(counter)
    hub.add_counter("token-far", "11411", "000.00.12.H26#1")
    hub.add_city_token("city-far", "11411")
    assert export(hub, token="token-1").status_code == 403
    assert export(hub, token="nobody").status_code == 401
    assert export(hub, token="city-far").json()["DongBoHoSoMC"] == []
    for bad in ({"after": "-1"}, {"after": "1e3"}, {"limit": "0"}, {"limit": "5000"}, {"own": "1"}):
        answered = export(hub, **bad)
        assert answered.status_code == 400, bad
        assert answered.json()["error"]
    assert len(export(hub).json()["DongBoHoSoMC"]) == 1  # nothing above changed what is there


def test_a_dossier_whose_events_fold_to_nothing_is_named_not_sent_half_made(
    counter: Desk, hub: Any, clock: FixedClock
) -> None:
    code = counter.receive(intake(), OFFICIAL).code
    sync(counter)
    orphan = "000.00.11.H26-261125-9999"  # the city stepped a dossier no counter has pushed (yet)
    steps = [
        new_event(orphan, "transferred", clock.now, "Phòng Tư pháp", "city", {}).to_json(),
        new_event(code, "returned", clock.now, "Phòng Tư pháp", "city", {}).to_json(),  # not from 2
    ]
    pushed = httpx.post(
        f"{hub.url}/v1/events", json={"events": steps}, headers={"Authorization": "Bearer city-token"}
    )
    assert pushed.status_code == 200, pushed.text
    sync(counter)
    body = export(hub).json()
    assert body["unreadable"] == [orphan]
    [record] = body["DongBoHoSoMC"]
    # The step the lifecycle refuses at its place is left out, as on every counter.
    assert (record["MaHoSo"], record["TrangThaiHoSo"]) == (code, counter.get(code).status) == (code, 2)
    assert [s["TrangThai"] for s in body["CapNhatTienDoHoSoMC"]] == [2]


def test_national_time_is_vietnam_time_whatever_the_zone_given() -> None:
    assert national_time(datetime(2026, 11, 25, 2, 30, tzinfo=UTC)) == "20261125093000"
    assert national_time(datetime(2026, 11, 24, 17, 0, 5, tzinfo=UTC)) == "20261125000005"
    assert national_time(None) == ""


def test_the_command_line_writes_the_whole_export_to_a_file(
    counter: Desk, hub: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = [counter.receive(intake(), OFFICIAL).code for _ in range(3)]
    counter.transfer(codes[0], OFFICIAL)
    sync(counter)
    out = tmp_path / "national.jsonl"
    command = [sys.executable, "-m", "sync.hub", "export", "--db", str(hub.db), "--commune-code", COMMUNE]
    env = {**os.environ, "TZ": "America/New_York"}  # the machine's zone changes nothing
    done = subprocess.run(
        [*command, "--out", str(out)], capture_output=True, text=True, timeout=60, cwd=ROOT, env=env
    )
    assert (done.returncode, done.stderr) == (0, "")
    [page] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["MaHoSo"] for r in page["DongBoHoSoMC"]] == codes
    assert all(r["NgayTiepNhan"] == "20261125093000" for r in page["DongBoHoSoMC"])
    assert len(page["CapNhatTienDoHoSoMC"]) == 4 and page["more"] is False
    again = subprocess.run(
        [*command, "--after", page["next"]], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert again.returncode == 0 and json.loads(again.stdout)["DongBoHoSoMC"] == []

    # Pages of one event: one line each, the dossier stepped later comes again as an update.
    monkeypatch.setattr(hub_module, "MAX_LIMIT", 1)
    assert hub_module.main([*command[3:], "--out", str(out)]) == 0
    pages = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [[(r["MaHoSo"], r["isUpdating"]) for r in p["DongBoHoSoMC"]] for p in pages] == [
        [(codes[0], False)],
        [(codes[1], False)],
        [(codes[2], False)],
        [(codes[0], True)],
    ]
    assert [p["next"] for p in pages] == ["1", "2", "3", "4"]

    for wrong in (["--after", "x"], ["--db", str(tmp_path / "missing.db")]):
        refused = subprocess.run(
            [*command, *wrong, "--out", str(tmp_path / "no.json")],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
        assert not (tmp_path / "no.json").exists()
    assert not (tmp_path / "missing.db").exists()  # a mistyped path is not created


def test_a_corrected_applicant_is_sent_again_as_an_update(counter: Desk, hub: Any) -> None:
    code = counter.receive(intake(), OFFICIAL).code
    sync(counter)
    first = export(hub).json()
    assert first["DongBoHoSoMC"][0]["ChuHoSo"] == "Đặng Thị Hoà"
    counter.correct(code, OFFICIAL, changes={"name": "Đặng Thị Hoa"}, reason="Gõ sai dấu")
    sync(counter)
    later = export(hub, after=first["next"]).json()
    [record] = later["DongBoHoSoMC"]
    assert (record["MaHoSo"], record["isUpdating"], record["ChuHoSo"]) == (code, True, "Đặng Thị Hoa")
    [step] = later["CapNhatTienDoHoSoMC"]  # only the new step
    assert step["NoiDungXuLy"].startswith(
        "Sửa thông tin người nộp: Đã sửa Họ và tên: Đặng Thị Hoà → Đặng Thị Hoa"
    )
    assert step["TrangThai"] == 2
