"""The ``counter`` command end to end, through click's CliRunner on a real database file."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from counter_app.cli import main
from counter_app.desk import Desk
from counter_app.domain.calendar import to_vn
from tests.conftest import intake


def test_help_documents_exit_codes() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "Exit codes" in result.output and "not found" in result.output


def test_procedures_json(configured: Any) -> None:
    result = configured("procedures", "--json")
    assert result.exit_code == 0
    items = json.loads(result.output)
    assert len(items) >= 25
    for key in ("code", "name", "field", "processing_days", "fee", "documents"):
        assert key in items[0]


def test_receive_show_find_and_steps(configured: Any, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
    received = configured("receive", "--json", str(source), "--actor", "Cán bộ Lan")
    assert received.exit_code == 0, received.output
    data = json.loads(received.output)
    code = data["code"]
    assert code.endswith("-2001") and data["due"].endswith("+07:00")

    shown = json.loads(configured("show", code, "--json").output)
    assert shown["applicant"]["name"] == "Đặng Thị Hoà"
    assert shown["history"][0]["actor"] == "Cán bộ Lan"

    found = json.loads(configured("find", "dang thi hoa", "--json").output)
    assert [f["code"] for f in found] == [code]
    assert found[0]["id_number"] == "********1234"  # masked outside official forms

    assert configured("transfer", code, "--to", "Công chức Tư pháp").exit_code == 0
    asked = configured("request-papers", code, "--paper", "Bản sao", "--reason", "Thiếu")
    assert asked.exit_code == 0 and "Hẹn trả" not in asked.output  # the clock is paused: no date yet
    assert "Thời hạn tạm dừng chờ bổ sung giấy tờ" in asked.output
    received = configured("papers-received", code)
    assert received.exit_code == 0 and "Hẹn trả" in received.output
    assert configured("result", code).exit_code == 0
    final = configured("return", code, "--json")
    assert json.loads(final.output)["status"] == 10
    refused = configured("refuse", code, "--reason", "x")
    assert refused.exit_code == 3 and "Lỗi:" in refused.output
    # Refused at the counter the day it came: no appointment was given, and show says none.
    turned_away = json.loads(configured("receive", "--json", str(source)).output)["code"]
    said = configured("refuse", turned_away, "--reason", "Không thuộc thẩm quyền")
    assert said.exit_code == 0 and "Không có hẹn trả" in said.output and "Hẹn trả 1" not in said.output
    assert "Hẹn trả: — (không tiếp nhận)" in configured("show", turned_away).output
    assert json.loads(configured("show", turned_away, "--json").output)["appointment"] is None
    done = json.loads(configured("show", code, "--json").output)
    assert done["appointment"] == done["due"] and done["due"].endswith("+07:00")
    blank = configured("receipt", " ")
    assert blank.exit_code == 2 and "Chưa nhập mã hồ sơ" in blank.output  # bad input, not "not found"

    bad = configured("rate", code, "--level", "6")
    assert bad.exit_code == 2 and "1 đến 5" in bad.output and "Traceback" not in bad.output
    rated = configured("rate", code, "--level", "5", "--comment", "Nhanh, chu đáo", "--json")
    assert rated.exit_code == 0, rated.output
    again = configured("rate", code, "--level", "4")
    assert again.exit_code == 3  # once only
    said = configured("rate", turned_away, "--level", "4")
    assert said.exit_code == 0 and said.output.strip() == f"{turned_away}: Đã ghi đánh giá «Hài lòng»."
    ahead = configured("report", "--from", "2099-01-01", "--to", "2099-01-31")
    assert ahead.exit_code == 2 and "Ngày bắt đầu chưa đến" in ahead.output  # not a month of zeros
    assert "Đánh giá: Rất hài lòng (Nhanh, chu đáo)" in configured("show", code).output
    report = configured("report", "--from", "2000-01-01", "--to", "2099-12-31", "--json")
    assert json.loads(report.output)["ratings"]["5"] == 1
    text = configured("report", "--from", "2000-01-01", "--to", "2099-12-31").output
    assert re.search(r"Rất hài lòng +1\n", text) and re.search(r"Tỷ lệ hài lòng +100,0%", text)
    # One column of figures, the levels under the rate they make.
    rows = text.splitlines()[1:]
    assert len({len(row) for row in rows}) == 1, rows
    rate = next(i for i, row in enumerate(rows) if row.startswith("  Tỷ lệ hài lòng"))
    assert rows[rate + 1].startswith("    Rất hài lòng ")
    checked = configured("check")
    assert checked.exit_code == 0 and "Toàn vẹn dữ liệu: tốt" in checked.output


def test_receive_from_stdin_nfd(configured: Any) -> None:
    text = json.dumps(intake(), ensure_ascii=False)
    result = configured("receive", "--json", "-", input=unicodedata.normalize("NFD", text).encode())
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["applicant"]["name"] == "Đặng Thị Hoà"


def test_a_json_cut_off_anywhere_is_called_cut_off_and_saves_nothing(configured: Any) -> None:
    text = json.dumps(intake(), ensure_ascii=False, indent=1)
    for end in range(1, len(text) - 1, 7):  # cut after a brace, a key, a colon, a value, mid-string…
        for tail in ("", "\n"):  # a file cut off, or a line cut off and ended by echo's newline
            cut = configured("receive", "--json", "-", input=(text[:end] + tail).encode())
            assert cut.exit_code == 2, (end, tail)
            assert "dừng giữa chừng" in cut.output, (text[:end] + tail, cut.output)
    # Cut in the middle of a letter's bytes ("Đặ" is two bytes, then three): it was "must be UTF-8".
    data = text.encode()
    inside = [i for i in range(1, len(data)) if data[i] & 0xC0 == 0x80][::5]
    assert inside
    for end in inside:
        cut = configured("receive", "--json", "-", input=data[:end])
        assert cut.exit_code == 2 and "dừng giữa chừng" in cut.output, (end, cut.output)
    assert "UTF-8" in configured("receive", "--json", "-", input=b'{"a": "\xff"}').output  # not cut: wrong
    assert configured("list", "today", "--json").output.strip() == "[]"
    # A whole document that is wrong inside is not called cut off.
    wrong = configured("receive", "--json", "-", input=b'{"procedure": "1.004873" "applicant": {}}')
    assert wrong.exit_code == 2 and "thiếu dấu phẩy" in wrong.output


def test_an_organisation_with_an_owner_from_the_command_line(configured: Any) -> None:
    applicant = {
        "kind": "organisation",
        "name": "Công ty TNHH An Phát",
        "id_number": "0101234567 001",
        "representative": "Nguyễn Văn Hùng",
    }
    owner = {"name": "Lê Thị Mai", "id_number": "038190001299"}
    text = json.dumps(intake(applicant=applicant, owner=owner), ensure_ascii=False)
    received = configured("receive", "--json", "-", input=text.encode())
    assert received.exit_code == 0, received.output
    code = json.loads(received.output)["code"]
    shown = configured("show", code).output
    assert "Tổ chức nộp: Công ty TNHH An Phát  0101234567-001" in shown
    assert "Người đại diện: Nguyễn Văn Hùng" in shown
    assert "Chủ hồ sơ: Lê Thị Mai  038190001299" in shown
    assert code in configured("find", "0101234567-001").output


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        (b'{"procedure": "1.004873", "applicant": {"name": "A', "cột 49: dữ liệu dừng giữa chừng"),
        (b"", "thiếu giá trị (tệp rỗng"),
        (b"not json", "không phải giá trị JSON (gặp «n»"),
        ('{"procedure": tên}'.encode(), "không phải giá trị JSON (gặp «t»"),
        (b'{"procedure": "1.004873"} {}', "dữ liệu thừa"),
        (b"\xff\xfe\x00garbage", "UTF-8"),
        (b"[1, 2]", "đối tượng JSON"),
        (b'{"procedure": "1.004873"}', "người nộp"),
        (b" " * 1_000_001, "quá lớn"),
        (b"[" * 200_000, "quá sâu"),
        (
            '{"procedure": "1.004873", "applicant": {"name": "Đặng Thị Hoà", "name": "Lê Văn Tám"}}'.encode(),
            "Khóa «name» xuất hiện hai lần",  # which of the two was meant cannot be guessed
        ),
    ],
)
def test_bad_input_is_one_clear_line(configured: Any, payload: bytes, needle: str) -> None:
    result = configured("receive", "--json", "-", input=payload)
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output
    assert json.loads(configured("list", "recent", "--json").output) == []


def test_papers_digitised_at_intake_from_the_command_line(configured: Any) -> None:
    scanned = configured("receive", "--json", "-", input=json.dumps({**intake(), "digitised": True}))
    code = json.loads(scanned.output)["code"]
    assert json.loads(configured("show", code, "--json").output)["digitised"] is True
    configured("receive", "--json", "-", input=json.dumps(intake()))
    today = json.loads(configured("list", "today", "--json").output)
    other = next(r["code"] for r in today if r["code"] != code)
    assert json.loads(configured("show", other, "--json").output)["digitised"] is False
    period = ("--from", "2000-01-01", "--to", "2099-12-31")
    report = configured("report", *period, "--json")
    assert report.exit_code == 0, report.output
    figures = json.loads(report.output)
    assert figures["digitised"] == 1 and figures["digitised_rate"] == 0.5
    assert "Tỷ lệ số hóa" in configured("report", *period).output


def test_an_intake_is_read_from_a_named_pipe(configured: Any, tmp_path: Path) -> None:
    """``--json /dev/stdin`` or a FIFO another program writes: a pipe is read as a file is, not
    called missing."""
    import os
    import threading

    fifo = tmp_path / "intake.fifo"
    os.mkfifo(fifo)
    payload = json.dumps(intake(), ensure_ascii=False).encode()
    writer = threading.Thread(target=fifo.write_bytes, args=(payload,), daemon=True)
    writer.start()
    result = configured("receive", "--json", str(fifo))
    writer.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert len(json.loads(configured("list", "recent", "--json").output)) == 1


def test_missing_file_and_not_found(configured: Any) -> None:
    result = configured("receive", "--json", "/nonexistent/in.json")
    assert result.exit_code == 2 and "Không có tệp" in result.output
    result = configured("receive", "--json", str(Path(__file__).parent))
    assert result.exit_code == 2 and "là một thư mục" in result.output
    result = configured("show", "000.00.00.X11410-261125-2999")
    assert result.exit_code == 4


def test_an_id_number_given_for_a_code_is_not_repeated_in_full(
    configured: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A supervisor answering a citizen types the citizen's ID number where a code goes: the message
    (on screen, and in the log file) masks it, as the access log does."""
    for args in (
        ["show", "031190001234"],
        ["access-log", "031190001234"],
        ["show", "ĐẶNGTHỊHOÀ031190001234"],
    ):
        with caplog.at_level("INFO"):
            result = configured(*args)
        assert result.exit_code == 4, result.output
        assert "********1234" in result.output and "031190001234" not in result.output
    assert caplog.records and all("031190001234" not in r.getMessage() for r in caplog.records)
    source = {"procedure": "031190001234", "applicant": intake()["applicant"]}
    result = configured("receive", "--json", "-", input=json.dumps(source))
    assert result.exit_code == 2 and "********1234" in result.output and "031190001234" not in result.output


def test_not_configured(run: Any, tmp_path: Path, db_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(intake()), encoding="utf-8")
    Desk.open(db_path).close()  # a database opened once (the UI started), never set up
    result = run("receive", "--json", str(source))
    assert result.exit_code == 6 and "chưa được cấu hình" in result.output


@pytest.mark.parametrize("args", [["list", "today"], ["find", "hoa"], ["procedures"], ["show", "X"]])
def test_a_mistyped_database_path_is_not_made_into_a_new_database(tmp_path: Path, args: list[str]) -> None:
    """Only setup (and the UI's first run) start a database: any other command given a path where
    there is none says so, rather than answering from a new, empty one."""
    typo = tmp_path / "typo" / "counter.db"
    result = CliRunner().invoke(main, ["--db", str(typo), *args])
    assert result.exit_code == 5 and "Không có tệp cơ sở dữ liệu" in result.output
    assert not typo.parent.exists()


def set_up(path: Path, *, counter: int) -> None:
    """A database set up as a counter of xã Vĩnh Bảo, from the command line."""
    args = ["--commune-code", "11410", "--commune-name", "xã Vĩnh Bảo", "--counter", str(counter)]
    assert CliRunner().invoke(main, ["--db", str(path), "setup", *args]).exit_code == 0


def test_a_typed_database_beats_the_one_in_the_environment(
    configured: Any, tmp_path: Path, db_path: Path
) -> None:
    """``COUNTER_DB`` left set in the shell must not send ``counter --db X check`` (the option given
    before or after the command) to another database."""
    other = tmp_path / "other.db"
    set_up(other, counter=3)
    env = {"COUNTER_DB": str(other)}
    for args in (["--db", str(db_path), "settings", "--json"], ["settings", "--json", "--db", str(db_path)]):
        shown = json.loads(CliRunner().invoke(main, args, env=env).output)
        assert shown["counter_no"] == "2", args  # the typed database's counter, not the env's 3
    from_env = json.loads(CliRunner().invoke(main, ["settings", "--json"], env=env).output)
    assert from_env["counter_no"] == "3"


@pytest.mark.parametrize("table", ["events", "dossiers"])
def test_a_damaged_page_is_said_as_damage_exit_5_by_check_and_every_command(
    configured: Any, db_path: Path, tmp_path: Path, table: str
) -> None:
    """A table's root page lost: the check said "unexpected error" (exit 1, no JSON), as did
    list and receive; it is the file's damage, exit 5, and the way back is the latest backup."""
    source = tmp_path / "in.json"
    source.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
    assert configured("receive", "--json", str(source)).exit_code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(db_path, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(bytes(size))
    said = "tệp cơ sở dữ liệu bị hỏng; hãy khôi phục bản sao lưu gần nhất"
    checked = configured("check")
    assert checked.exit_code == 5 and "HỎNG" in checked.output and said in checked.output
    assert "không mong đợi" not in checked.output
    as_json = configured("check", "--json")
    assert as_json.exit_code == 5 and json.loads(as_json.stdout)["integrity"] is False
    for args in (("list", "open"), ("receive", "--json", str(source)), ("find", "dang thi hoa", "--json")):
        result = configured(*args)
        if result.exit_code != 0:  # a command that never reads the lost page may still answer
            assert result.exit_code == 5 and said in result.output, (args, result.output)
    assert configured("receive", "--json", str(source)).exit_code == 5


def test_an_empty_database_file_is_refused_and_fails_the_nightly_check(tmp_path: Path) -> None:
    """A file cut to 0 bytes (a copy that failed) is not taken for a new counter: every command
    says so, ``check`` fails, and ``backup --keep`` removes no good backup for it."""
    folder = tmp_path / "backups"
    folder.mkdir()
    good = tmp_path / "good.db"
    set_up(good, counter=2)
    assert CliRunner().invoke(main, ["--db", str(good), "backup", "--to", str(folder)]).exit_code == 0
    kept = sorted(folder.iterdir())
    empty = tmp_path / "empty.db"
    empty.touch()
    for args in (
        ["check"],
        ["procedures"],
        ["list", "today"],
        ["backup", "--to", str(folder), "--keep", "1"],
    ):
        result = CliRunner().invoke(main, ["--db", str(empty), *args])
        assert result.exit_code == 5 and "trống (0 byte)" in result.output, (args, result.output)
    assert empty.stat().st_size == 0 and sorted(folder.iterdir()) == kept
    never_set_up = tmp_path / "never.db"
    Desk.open(never_set_up).close()  # the UI opened once, the setup never finished
    for args in (["check"], ["backup", "--to", str(folder), "--keep", "1"]):
        result = CliRunner().invoke(main, ["--db", str(never_set_up), *args])
        assert result.exit_code == 6 and "chưa được cấu hình" in result.output, (args, result.output)
    assert sorted(folder.iterdir()) == kept


def test_bad_database_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all" * 50)
    result = CliRunner().invoke(main, ["procedures", "--db", str(bad)])
    assert result.exit_code == 5 and "Traceback" not in result.output
    folder = CliRunner().invoke(main, ["show", "X", "--db", str(tmp_path)])
    assert folder.exit_code == 5 and "là một thư mục" in folder.output  # in Vietnamese, not click's


def working_day_ahead(days: int) -> str:
    """The first working day at least ``days`` after the machine's today (Vietnam), ISO: the
    calendar commands count from the real clock, and refuse a day gone by or already off."""
    from datetime import timedelta

    from counter_app.domain.calendar import WorkCalendar, now_vn

    day = now_vn().date() + timedelta(days=days)
    while not WorkCalendar().is_working_day(day):
        day += timedelta(days=1)
    return day.isoformat()


def test_calendar_commands(configured: Any) -> None:
    day = working_day_ahead(1)
    assert configured("calendar", "set", day, "day_off", "--label", "Nghỉ bù").exit_code == 0
    listed = json.loads(configured("calendar", "list", "--json").output)
    assert listed == [{"day": day, "kind": "day_off", "label": "Nghỉ bù"}]
    shown = configured("calendar", "list").output  # for a person: in Vietnamese, the day as written
    assert "Ngày nghỉ" in shown and "day_off" not in shown
    assert f"{day[8:10]}/{day[5:7]}/{day[:4]}" in shown
    assert configured("calendar", "remove", day).exit_code == 0
    assert "Chưa khai báo" in configured("calendar", "list").output
    assert configured("calendar", "remove", day).exit_code == 4  # not found, as --help says
    past = configured("calendar", "set", "2026-11-20", "day_off", "--label", "Mất điện")
    assert past.exit_code == 2 and "20/11/2026 đã qua" in past.output


def test_machine_time_zone_changes_nothing(
    configured: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time as time_module

    from counter_app.domain.calendar import now_vn

    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time_module.tzset()
    try:
        source = tmp_path / "in.json"
        source.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
        data = json.loads(configured("receive", "--json", str(source)).output)
        assert data["received_at"].endswith("+07:00") and data["due"].endswith("+07:00")
        assert f"-{now_vn():%y%m%d}-" in data["code"]
    finally:
        monkeypatch.delenv("TZ")
        time_module.tzset()


def test_settings_show_and_change(configured: Any) -> None:
    changed = configured("settings", "--set", "printer=HP_LaserJet", "--set", "paper_size=A5", "--json")
    assert changed.exit_code == 0, changed.output
    data = json.loads(changed.output)
    assert data["printer"] == "HP_LaserJet" and data["paper_size"] == "A5"
    bad = configured("settings", "--set", "paper_size=A3")
    assert bad.exit_code == 2 and "A4 hoặc A5" in bad.output
    assert configured("settings", "--set", "nonsense").exit_code == 2
    assert configured("settings", "--set", "colour=red").exit_code == 2
    phone = configured("settings", "--set", "counter_phone=02 25 ABC")
    assert phone.exit_code == 2 and "chữ số" in phone.output
    assert configured("settings", "--set", "counter_phone=0225 3823 456").exit_code == 0
    assert json.loads(configured("settings", "--json").output)["counter_phone"] == "0225 3823 456"
    assert json.loads(configured("settings", "--json").output)["paper_size"] == "A5"


def test_the_catalog_is_exported_edited_and_imported(configured: Any, tmp_path: Path) -> None:
    exported = configured("procedures", "--export")
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    count = len(data["procedures"])
    data["version"] = "9999.1"
    data["procedures"][0]["fee"] = 12000
    edited = tmp_path / "catalog.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = configured("procedures", "--import", str(edited))
    assert result.exit_code == 0, result.output
    assert f"phiên bản 9999.1: {count} thủ tục" in result.output
    listed = json.loads(configured("procedures", "--json").output)
    assert listed[0]["fee"] == 12000
    again = configured("procedures", "--import", str(edited))  # the same file twice: no harm
    assert again.exit_code == 0, again.output
    # Other content under the version in use: refused (the hub's catalog of that version would
    # never be taken again, and this counter would differ from the others under one number).
    data["procedures"][0]["fee"] = 15000
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    same = configured("procedures", "--import", str(edited))
    assert same.exit_code == 2 and "phiên bản mới hơn" in same.output
    assert json.loads(configured("procedures", "--json").output)[0]["fee"] == 12000
    data["procedures"][0]["fee"] = 12000

    # A wrong entry: every problem named, one line each, and the catalog left as it was.
    data["version"] = "9999.2"
    data["procedures"][1]["limit"] = {"unit": "weeks", "amount": 2}
    data["procedures"][2]["required_fields"] = ["name", "shoe_size"]
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    bad = configured("procedures", "--import", str(edited))
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "procedures[1].limit" in bad.output and "trường lạ shoe_size" in bad.output
    assert json.loads(configured("procedures", "--export").output)["version"] == "9999.1"
    cut = configured("procedures", "--import", "-", input=edited.read_bytes()[:500])
    assert cut.exit_code == 2 and "JSON không hợp lệ" in cut.output
    huge = configured("procedures", "--import", "-", input=b" " * 20_000_001)
    assert huge.exit_code == 2 and "quá lớn (tối đa 20 MB)" in huge.output
    nothing = configured("procedures", "--search", "không có thủ tục này")
    assert nothing.exit_code == 0 and nothing.output == "Không có thủ tục nào khớp «không có thủ tục này».\n"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["rate", "X"], "Thiếu tùy chọn --level (xem: counter rate --help)"),
        (["nonsense"], "Không có lệnh «nonsense»"),
        (["list", "foo"], "«foo» không phải một trong"),
        (["list", "today", "--limit", "abc"], "«abc» không phải số nguyên"),
        (["list", "today", "--limit", "0"], "--limit: 0 (phải từ 1 đến 1000)"),
        (["backup", "--keep", "-1"], "--keep: -1 (phải từ 0 trở lên)"),
        (["find", " "], "Chưa có gì để tìm"),
        (["procedures", "--import", "x.json", "--export"], "--import không đi cùng --export"),
        (["list", "today", "--lmit", "3"], "Không có tùy chọn --lmit (có phải --limit?)"),
        (["move-appointment", "X", "--to", "y"], "Không có tùy chọn --to (có phải một trong: --actor, --at"),
        (["report", "--from", "2026-13-01", "--to", "2026-11-30"], "«2026-13-01» không phải ngày hợp lệ"),
        (["calendar", "set", "30/02/2026", "day_off"], "«30/02/2026» không phải ngày hợp lệ"),
        (["list"], "Thiếu đối số, một trong: today, due_today"),
        (["--db", "", "list", "today"], "Giá trị không hợp lệ cho --db: đường dẫn đang để trống"),
        (["backup", "--to", ""], "Giá trị không hợp lệ cho --to: đường dẫn đang để trống"),
        (["receive", "--json", ""], "Đường dẫn tệp JSON đang để trống"),
        (["add-official", "lan", "--name", "Vũ Thị Lan"], "Thiếu --pin"),
        (["show"], "Thiếu CODE"),
        (["show", "a", "b"], "Thừa đối số: b"),
    ],
)
def test_a_wrong_command_line_is_one_vietnamese_line(db_path: Path, args: list[str], needle: str) -> None:
    Desk.open(db_path).close()
    result = CliRunner().invoke(main, ["--db", str(db_path), *args], prog_name="counter")
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: ") and result.output.count("\n") == 1, result.output
    assert needle in result.output
    assert "Usage:" not in result.output and "Error:" not in result.output


def test_saved_forms_past_their_retention_are_purged(configured: Any) -> None:
    import os
    import time

    from counter_app.locations import output_dir

    old = output_dir() / "receipt_000.00.00.X11410-260101-2001.pdf"
    new = output_dir() / "receipt_000.00.00.X11410-261120-2001.pdf"
    for path, age in ((old, 45), (new, 5)):
        path.write_bytes(b"%PDF-1.4")
        os.utime(path, (time.time() - age * 86_400,) * 2)
    assert configured("settings", "--set", "forms_retention_days=60").exit_code == 0
    kept = configured("purge-forms", "--json")
    assert json.loads(kept.output)["removed"] == [] and old.exists()  # 45 days < 60
    forever = configured("purge-forms", "--days", "0")  # it said "deleted 0 forms older than 0 days"
    assert forever.exit_code == 0 and "Giữ lại mọi biểu mẫu" in forever.output and old.exists()
    bad = configured("settings", "--set", "forms_retention_days=-3")
    assert bad.exit_code == 2 and "Số ngày giữ biểu mẫu" in bad.output
    result = configured("purge-forms", "--days", "30")
    assert result.exit_code == 0 and "Đã xóa 1 biểu mẫu" in result.output
    assert not old.exists() and new.exists()


def test_the_access_log_from_the_command_line(configured: Any, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
    code = json.loads(configured("receive", "--json", str(source), "--actor", "Cán bộ Lan").output)["code"]
    assert configured("show", code, "--actor", "Giám sát Hà").exit_code == 0
    shown = configured("access-log", code)
    assert shown.exit_code == 0 and "Xem" in shown.output and "Giám sát Hà" in shown.output
    entries = json.loads(configured("access-log", "--json").output)
    assert [(e["actor"], e["action"], e["dossier_code"]) for e in entries] == [("Giám sát Hà", "view", code)]
    found = configured("find", "031 190 001 234", "--actor", "Cán bộ Lan", "--json")
    assert [r["code"] for r in json.loads(found.output)] == [code]
    searched = json.loads(configured("access-log", code, "--json").output)[0]
    said = (searched["actor"], searched["action"], searched["detail"])
    assert said == ("Cán bộ Lan", "search", "1 ********1234")
    assert "Tìm kiếm" in configured("access-log", code).output
    assert "Không có lượt truy cập" in configured("access-log", "--from", "2099-01-01").output
    backwards = configured("access-log", "--from", "2026-11-26", "--to", "2026-11-25")
    assert backwards.exit_code == 2 and "Ngày kết thúc không được trước ngày bắt đầu" in backwards.output


@pytest.mark.parametrize("actor", ["Lan\x1b[2J", "x" * 3000, "   "])
def test_a_wrong_actor_is_refused_before_anything_is_read_or_logged(configured: Any, actor: str) -> None:
    """``--actor`` goes into the access log (the record a citizen may ask for): a name with
    control characters, too long or blank is refused on every command, as on a step."""
    code = json.loads(configured("receive", "--json", "-", input=json.dumps(intake())).output)["code"]
    for args in (["show", code], ["find", "Hoà"], ["list", "today"], ["logbook"]):
        result = configured(*args, "--actor", actor)
        assert result.exit_code == 2 and "người thực hiện" in result.output.lower(), (args, result.output)
        assert "\x1b" not in result.output and code not in result.output
    assert json.loads(configured("access-log", "--json").output) == []


def test_the_calendar_ahead_from_the_command_line(configured: Any) -> None:
    from datetime import date

    soon = date.fromisoformat(working_day_ahead(10))
    assert (
        configured("calendar", "set", soon.isoformat(), "day_off", "--label", "Nghỉ theo UBND").exit_code == 0
    )
    shown = configured("calendar", "upcoming", "--days", "30")
    assert shown.exit_code == 0
    assert any(
        line.startswith(f"{soon:%d/%m/%Y} ") and "Nghỉ theo UBND" in line
        for line in shown.output.splitlines()
    )
    items = json.loads(configured("calendar", "upcoming", "--days", "30", "--json").output)
    assert {"day": soon.isoformat(), "working": False, "note": "Nghỉ theo UBND"} in items
    assert all(items[i]["day"] < items[i + 1]["day"] for i in range(len(items) - 1))
    assert soon.isoformat() not in configured("calendar", "upcoming", "--days", "10", "--json").output
    assert configured("calendar", "upcoming", "--days", "0").exit_code == 2
    later = date.fromisoformat(working_day_ahead(14))
    padded = configured("calendar", "set", f" {later.isoformat()} ", "day_off")  # pasted with spaces
    assert padded.exit_code == 0, padded.output


def test_text_that_is_not_utf8_is_refused_before_anything_runs(
    configured: Any, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bytes that are not UTF-8 (a terminal in another encoding) reach Python as lone surrogates,
    which used to fail only when stored or printed: exit 1 and a traceback in the log."""
    source = tmp_path / "in.json"
    source.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
    bad = b"c\xe1n b\xff".decode("utf-8", "surrogateescape")
    for args in (
        ["show", bad],
        ["receive", "--json", str(source), "--actor", bad],
        ["settings", "--set", f"printer={bad}"],
    ):
        result = CliRunner().invoke(main, ["--db", str(db_path), *args])
        assert result.exit_code == 2 and "không phải văn bản UTF-8 hợp lệ" in result.output, result.output
    monkeypatch.setenv("COUNTER_ACTOR", bad)
    result = CliRunner().invoke(main, ["--db", str(db_path), "receive", "--json", str(source)])
    assert result.exit_code == 2 and "COUNTER_ACTOR" in result.output
    assert Desk.open(db_path).unsent_events() == 0  # nothing was received


def test_a_database_made_read_only_stays_read_only(configured: Any, db_path: Path) -> None:
    """Opening takes the group's and others' rights away (personal data), never gives the owner
    back a write right the admin took away."""
    db_path.chmod(0o444)
    assert configured("list", "today").exit_code == 0
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o400
    db_path.chmod(0o664)
    assert configured("list", "today").exit_code == 0
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_a_reading_the_access_log_cannot_take_is_said_not_lost_in_silence(
    configured: Any, db_path: Path
) -> None:
    """Another program holds the write lock for the whole command: the dossier is shown all the
    same, and its viewing is kept beside the file, written by the next program that opens it. It
    waited ten seconds, then was lost (a warning on stderr, exit 0)."""
    code = json.loads(configured("receive", "--json", "-", input=json.dumps(intake())).output)["code"]
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        shown = configured("show", code, "--actor", "Giám sát Hà")
        assert shown.exit_code == 0 and code in shown.output
        assert "không ghi được" not in shown.output
        waiting = db_path.with_name(db_path.name + ".access-waiting")
        assert waiting.exists() and oct(waiting.stat().st_mode & 0o777) == "0o600"
        found = configured("find", "dang thi hoa", "--actor", "Giám sát Hà")  # still locked: kept too
        assert found.exit_code == 0 and code in found.output
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    entries = json.loads(configured("access-log", "--json").output)
    assert sorted(e["action"] for e in entries) == ["search", "view"]
    assert {e["actor"] for e in entries} == {"Giám sát Hà"}
    assert not list(db_path.parent.glob("*.access-waiting*"))
    assert len(json.loads(configured("access-log", "--json").output)) == 2  # written once


def test_a_reading_waits_for_a_short_write_lock_before_the_command_ends(
    configured: Any, db_path: Path
) -> None:
    """Another program writes for a second while a dossier is shown: the viewing is recorded at
    the end of the command, as a save would have waited (it was lost after 0.2 s, exit 0)."""
    import threading

    code = json.loads(configured("receive", "--json", "-", input=json.dumps(intake())).output)["code"]
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, lambda: holder.execute("ROLLBACK"))
    release.start()
    try:
        shown = configured("show", code, "--actor", "Giám sát Hà")
    finally:
        release.join()
        holder.close()
    assert shown.exit_code == 0 and code in shown.output
    assert "không ghi được" not in shown.output
    [entry] = json.loads(configured("access-log", "--json").output)
    assert (entry["action"], entry["dossier_code"], entry["actor"]) == ("view", code, "Giám sát Hà")


def test_the_log_says_vietnam_time_whatever_the_machine_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging
    import time as time_module

    from counter_app.cli import VietnamTimeFormatter

    monkeypatch.setenv("TZ", "UTC")
    time_module.tzset()
    try:
        record = logging.LogRecord("counter", logging.INFO, __file__, 1, "failed sign-in", None, None)
        record.created = 1795663483.005  # 2026-11-26 03:24:43 UTC
        line = VietnamTimeFormatter("%(asctime)s %(message)s").format(record)
        assert line == "2026-11-26T10:24:43.005+07:00 failed sign-in"
    finally:
        monkeypatch.undo()
        time_module.tzset()


def test_receive_says_what_to_check_again_and_still_saves(configured: Any) -> None:
    """Soft checks (DOMAIN §7: warn, never reject) reach the command line too, not only the UI."""
    doc = {"procedure": "1.004873", "applicant": {"name": "Lê Thị D", "id_number": "999490001234"}}
    result = configured("receive", "--json", "-", input=json.dumps(doc))
    assert result.exit_code == 0, result.output
    assert "Lưu ý:" in result.stderr and "(999)" in result.stderr
    out = json.loads(result.stdout)
    assert out["code"] and any("(999)" in w for w in out["warnings"])
    plain = configured(
        "receive",
        "--json",
        "-",
        input=json.dumps({**doc, "applicant": {"name": "Lê Thị D", "id_number": "031190001234"}}),
    )
    assert plain.stderr == "" and json.loads(plain.stdout)["warnings"] == []


def test_a_day_off_names_the_appointments_already_given_for_it(configured: Any) -> None:
    """Declared a day off, the day some citizens were told to come back: the counter says which
    dossiers need their appointment moved (in the UI too, through the same desk call)."""
    doc = {"procedure": "1.004873", "applicant": {"name": "Lê Thị D", "id_number": "031190001234"}}
    code = json.loads(configured("receive", "--json", "-", input=json.dumps(doc)).stdout)["code"]
    due = json.loads(configured("show", code, "--json").stdout)["due"][:10]
    result = configured("calendar", "set", due, "day_off", "--label", "Nghỉ đột xuất")
    assert result.exit_code == 0, result.output
    assert "1 hồ sơ đang có hẹn trả vào ngày này" in result.stderr and code in result.stderr
    other = configured("calendar", "set", working_day_ahead(30), "day_off")
    assert other.exit_code == 0 and other.stderr == ""


def test_removing_a_make_up_day_names_the_appointments_it_leaves_on_a_day_off(configured: Any) -> None:
    """The supervisor's screen warned; `counter calendar remove` said only "Đã xóa"."""
    from datetime import timedelta

    from counter_app.domain.calendar import WorkCalendar, now_vn

    saturday = now_vn().date() + timedelta(days=21)
    while saturday.weekday() != 5 or WorkCalendar().is_working_day(saturday):
        saturday += timedelta(days=1)
    assert configured("calendar", "set", saturday.isoformat(), "working_day").exit_code == 0
    doc = {"procedure": "1.004873", "applicant": {"name": "Lê Thị D", "id_number": "031190001234"}}
    code = json.loads(configured("receive", "--json", "-", input=json.dumps(doc)).stdout)["code"]
    moved = configured(
        "move-appointment", code, "--due", f"{saturday:%d/%m/%Y} 10:00", "--reason", "Cần xác minh"
    )
    assert moved.exit_code == 0, moved.output
    removed = configured("calendar", "remove", saturday.isoformat())
    assert removed.exit_code == 0, removed.output
    assert "1 hồ sơ đang có hẹn trả vào ngày này" in removed.stderr and code in removed.stderr


def test_a_day_off_names_the_results_ready_to_collect_that_day(configured: Any) -> None:
    """A result ready early is still collected on the appointment day: its citizen comes then too,
    and is to be told to come another day (no apology: nothing is late)."""
    doc = {"procedure": "1.004873", "applicant": {"name": "Lê Thị D", "id_number": "031190001234"}}
    code = json.loads(configured("receive", "--json", "-", input=json.dumps(doc)).stdout)["code"]
    for step in ("transfer", "result"):
        assert configured(step, code).exit_code == 0
    due = json.loads(configured("show", code, "--json").stdout)["due"][:10]
    result = configured("calendar", "set", due, "day_off", "--label", "Nghỉ đột xuất")
    assert result.exit_code == 0, result.output
    assert "1 hồ sơ đã có kết quả" in result.stderr and code in result.stderr
    assert "ngày làm việc khác" in result.stderr and "đang có hẹn trả" not in result.stderr


def test_renaming_an_official_keeps_their_pin(configured: Any, db_path: Path) -> None:
    assert configured("add-official", "lan", "--name", "Vũ Thị Lan", "--pin", "2468").exit_code == 0
    promoted = configured("add-official", "LAN", "--name", "Vũ Thị Lan", "--role", "supervisor")
    assert promoted.exit_code == 0 and "Vai trò đổi từ cán bộ sang giám sát" in promoted.output
    assert "(lan, giám sát)" in promoted.output and "supervisor" not in promoted.output
    # A spelling fixed: the role and the PIN stay as they were.
    renamed = configured("add-official", "lan", "--name", "Vũ Thị Lan Anh")
    assert renamed.exit_code == 0, renamed.output
    assert "Mã PIN giữ nguyên" in renamed.output and "Vai trò" not in renamed.output
    desk = Desk.open(db_path)
    try:
        official = desk.sign_in("lan", "2468")
        assert (official.full_name, official.role) == ("Vũ Thị Lan Anh", "supervisor")
    finally:
        desk.close()
    # A new PIN is asked for only at a keyboard: a script must say it.
    asked = configured("add-official", "lan", "--name", "Vũ Thị Lan Anh", "--new-pin")
    assert asked.exit_code == 2 and "Thiếu --pin" in asked.output
    weak = configured("add-official", "lan", "--name", "Vũ Thị Lan Anh", "--pin", "1111")
    assert weak.exit_code == 2 and "dễ đoán" in weak.output


def test_changing_a_locked_official_keeps_the_lock_unless_asked(configured: Any, db_path: Path) -> None:
    """A supervisor locked the account; the admin fixing its name from the command line opened it
    again (and could make a locked account a supervisor), saying nothing."""
    assert configured("add-official", "hai", "--name", "Phạm Văn Hải", "--pin", "4682").exit_code == 0
    desk = Desk.open(db_path)
    try:
        desk.set_official_active("hai", False)
    finally:
        desk.close()
    renamed = configured("add-official", "hai", "--name", "Phạm Văn Hải B", "--role", "supervisor")
    assert renamed.exit_code == 0, renamed.output
    assert "vẫn đang khóa" in renamed.output and "--unlock" in renamed.output
    repinned = configured("add-official", "hai", "--name", "Phạm Văn Hải B", "--pin", "4862")
    assert "Đã đổi mã PIN" in repinned.output and "vẫn đang khóa" in repinned.output
    desk = Desk.open(db_path)
    try:
        assert desk.official_locked("hai") and desk.official_role("hai") == "supervisor"
    finally:
        desk.close()
    opened = configured("add-official", "hai", "--name", "Phạm Văn Hải B", "--unlock")
    assert opened.exit_code == 0 and "Tài khoản đã mở lại" in opened.output
    desk = Desk.open(db_path)
    try:
        assert not desk.official_locked("hai") and desk.sign_in("hai", "4862").username == "hai"
    finally:
        desk.close()


def test_steps_done_on_paper_are_entered_afterwards_in_their_order(configured: Any) -> None:
    day = to_vn(datetime.now(UTC)).date() - timedelta(days=2)  # two days ago, whatever today is
    next_day = day + timedelta(days=1)
    intake = {
        "procedure": "1.004873",
        "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234", "phone": "0912345678"},
        "received_at": f"{day.isoformat()}T09:00:00+07:00",
    }
    code = json.loads(configured("receive", "--json", "-", input=json.dumps(intake)).output)["code"]
    assert configured("transfer", code, "--at", f"{day.isoformat()}T10:00").exit_code == 0
    early = configured("result", code, "--at", f"{day:%d/%m/%Y} 09:30")
    assert early.exit_code == 2 and f"trước bước gần nhất của hồ sơ (10:00 {day:%d/%m/%Y})" in early.output
    done = configured("result", code, "--json", "--at", f"{next_day.isoformat()}T07:30:00Z")  # 14:30 VN
    assert done.exit_code == 0, done.output
    shown = json.loads(configured("show", code, "--json").output)
    assert [e["at"] for e in shown["history"]][-2:] == [
        f"{day.isoformat()}T10:00:00+07:00",
        f"{next_day.isoformat()}T14:30:00+07:00",
    ]
    for wrong in ("tomorrow", "2026-11-31T10:00"):
        refused = configured("return", code, "--at", wrong)
        assert refused.exit_code == 2 and "--at" in refused.output, wrong
    assert json.loads(configured("show", code, "--json").output)["status"] == 9


def test_check_changes_nothing_unless_asked_to_repair(configured: Any, db_path: Path) -> None:
    intake = {"procedure": "1.004873", "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234"}}
    code = json.loads(configured("receive", "--json", "-", input=json.dumps(intake)).output)["code"]
    with sqlite3.connect(db_path) as conn:  # a row changed behind the events' back
        conn.execute("UPDATE dossiers SET status = 9 WHERE code = ?", (code,))
    for _ in range(2):  # the night's alarm is still there in the morning
        found = configured("check")
        assert found.exit_code == 5 and "KHÁC" in found.output and "--repair" in found.output
    said = json.loads(configured("check", "--json").output)["problems"]  # which dossier, to look at
    assert len(said) == 1 and f"Hồ sơ {code} khác với sự kiện" in said[0]
    repaired = configured("check", "--repair", "--json")
    assert repaired.exit_code == 0, repaired.output
    assert json.loads(repaired.output)["repaired"] is True
    assert configured("check").exit_code == 0
    assert json.loads(configured("show", code, "--json").output)["status"] == 2


@pytest.mark.parametrize(
    ("damage", "shown", "check_says"),
    [
        ('UPDATE events SET body = \'{"kind": "rec\' WHERE dossier_code = ?', "Sự kiện số", "bị hỏng"),
        ("UPDATE events SET body = '[1, 2]' WHERE dossier_code = ?", "Sự kiện số", "bị hỏng"),
        ("UPDATE dossiers SET data = '{\"applicant' WHERE code = ?", "--repair", "KHÁC"),
    ],
)
def test_a_damaged_dossier_is_named_not_a_crash(
    configured: Any, db_path: Path, damage: str, shown: str, check_says: str
) -> None:
    """A record edited by hand or damaged on disk: the commands name the dossier and what to do
    (exit 5, as for a damaged file), and the nightly check fails naming it too."""
    intake = {"procedure": "1.004873", "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234"}}
    code = json.loads(configured("receive", "--json", "-", input=json.dumps(intake)).output)["code"]
    with sqlite3.connect(db_path) as conn:
        conn.execute(damage, (code,))
    show = configured("show", code)
    assert show.exit_code == 5 and code in show.output and shown in show.output, show.output
    check = configured("check")
    assert check.exit_code == 5 and check_says in check.output and "Lỗi không mong đợi" not in check.output
    assert code in check.output or "--repair" in check.output


def test_a_table_dropped_by_hand_fails_the_check(configured: Any, db_path: Path) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE access_log")
    check = configured("check")
    assert check.exit_code == 5 and "thiếu bảng access_log" in check.output


def test_a_check_reads_while_the_counter_writes(configured: Any, db_path: Path) -> None:
    """The check takes no write lock: it runs while another program writes (a counter saving), and
    a save made in the middle of it goes through (it held the lock for the whole check, and every
    save of that minute failed)."""
    doc = {"procedure": "1.004873", "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234"}}
    for _ in range(3):
        assert configured("receive", "--json", "-", input=json.dumps(doc)).exit_code == 0
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a save in progress elsewhere, for as long as the check runs
    try:
        writer.execute("UPDATE site_settings SET value = value WHERE key = 'commune_code'")
        checked = configured("check", "--json")
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["projection_matches_events"] is True


@pytest.mark.parametrize("args", [[], ["ui"]])
def test_no_command_without_a_terminal_says_so_instead_of_waiting(configured: Any, args: list[str]) -> None:
    # A crontab line missing its command started the UI, which waited for keys forever.
    result = configured(*args)
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: Không có cửa sổ dòng lệnh") and "counter --help" in result.output


def test_a_number_of_thousands_of_digits_is_bad_input(configured: Any) -> None:
    payload = '{"procedure": "1.004873", "applicant": {"name": "A B"}, "sets": ' + "9" * 5000 + "}"
    result = configured("receive", "--json", "-", input=payload)
    assert result.exit_code == 2 and "số quá dài" in result.output
    assert json.loads(configured("list", "today", "--json").output) == []


def test_an_output_folder_that_is_a_file_or_mistyped_is_refused(configured: Any, tmp_path: Path) -> None:
    a_file = tmp_path / "forms.pdf"
    a_file.write_text("not a folder")
    result = configured("purge-forms", env={"COUNTER_OUTPUT_DIR": str(a_file)})
    assert result.exit_code == 6 and "COUNTER_OUTPUT_DIR" in result.output and "là một tệp" in result.output
    typo = tmp_path / "nơi-không-có" / "forms"
    result = configured("purge-forms", env={"COUNTER_OUTPUT_DIR": str(typo)})
    assert result.exit_code == 6 and "không tồn tại" in result.output
    assert not typo.parent.exists()  # refused, not created
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o775)
    assert configured("purge-forms", env={"COUNTER_OUTPUT_DIR": str(shared)}).exit_code == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o775  # an existing folder keeps its mode


def test_a_refused_setup_leaves_no_database_behind(run: Any, db_path: Path) -> None:
    refused = run("setup", "--commune-code", "1141", "--commune-name", "xã Vĩnh Bảo", "--counter", "2")
    assert refused.exit_code == 2 and "5 chữ số" in refused.output
    assert not db_path.exists()
    later = run("logbook", "--date", "2026-11-25")  # answers from nothing: refused, naming the path
    assert later.exit_code == 5 and "Không có tệp cơ sở dữ liệu" in later.output
    assert (
        run("setup", "--commune-code", "11410", "--commune-name", "xã Vĩnh Bảo", "--counter", "2").exit_code
        == 0
    )
    assert db_path.exists()


def test_importing_an_older_catalog_or_one_without_a_procedure_in_use_says_so(
    configured: Any, tmp_path: Path
) -> None:
    intake = {"procedure": "1.004873", "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234"}}
    configured("receive", "--json", "-", input=json.dumps(intake))
    data = json.loads(configured("procedures", "--export").output)
    shipped = data["version"]
    catalog = tmp_path / "catalog.json"

    def import_as(version: str, procedures: list[dict[str, Any]]) -> Any:
        catalog.write_text(json.dumps({"version": version, "procedures": procedures}), encoding="utf-8")
        return configured("procedures", "--import", str(catalog))

    # Older than the shipped catalog (or not numbered): the next start would put that one back.
    for version in ("2020.1", "ban-moi"):
        refused = import_as(version, data["procedures"])
        assert refused.exit_code == 2 and "cũ hơn danh mục kèm chương trình" in refused.output
    assert json.loads(configured("procedures", "--export").output)["version"] == shipped
    assert import_as("9999.2", data["procedures"]).stderr == ""  # newer, nothing in use gone: silent
    # Older than the one in place (but not than the shipped one), and without a procedure in use.
    without = [p for p in data["procedures"] if p["code"] != "1.004873"]
    result = import_as("9999.1", without)
    assert result.exit_code == 0, result.output  # imported: the admin is told, not stopped
    assert "cũ hơn danh mục trước đó (phiên bản 9999.2)" in result.stderr
    assert "không còn thủ tục của hồ sơ đang giải quyết: 1.004873 (1 hồ sơ)" in result.stderr


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("31/02/2027 09:00", "Ngày 31/02/2027 không có trên lịch"),
        ("2027-02-30T10:00", "Ngày 2027-02-30 không có trên lịch"),
        ("sáng mai", "dùng dạng 04/12/2026 16:00"),
    ],
)
def test_a_new_appointment_is_read_as_the_screens_read_it(
    configured: Any, db_path: Path, typed: str, said: str
) -> None:
    intake = {"procedure": "1.004873", "applicant": {"name": "Lê Văn Bình", "id_number": "031190001299"}}
    code = json.loads(configured("receive", "--json", "-", input=json.dumps(intake)).output)["code"]
    refused = configured("move-appointment", code, "--due", typed, "--reason", "Cần xác minh")
    assert refused.exit_code == 2 and said in refused.output
    desk = Desk.open(db_path)
    try:  # a working day a week or more ahead, whatever the day the test runs
        day = to_vn(desk.now()).date() + timedelta(days=8)
        while not desk.calendar().is_working_day(day):
            day += timedelta(days=1)
    finally:
        desk.close()
    moved = configured(
        "move-appointment", code, "--json", "--due", f"{day:%d/%m/%Y}", "--reason", "Cần xác minh"
    )
    assert moved.exit_code == 0, moved.output
    assert json.loads(moved.output)["due"] == f"{day.isoformat()}T17:00:00+07:00"  # a day alone: its close


def test_a_list_printed_from_the_command_line_is_in_the_access_log(configured: Any) -> None:
    intake = {"procedure": "1.004873", "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234"}}
    configured("receive", "--json", "-", input=json.dumps(intake))
    listed = configured("list", "today", "--json", "--actor", "Trần Văn Quản Trị")
    assert listed.exit_code == 0 and len(json.loads(listed.output)) == 1
    log = json.loads(configured("access-log", "--json").output)
    said = "1 danh sách tiếp nhận hôm nay"  # the list named in Vietnamese, for whoever reads it
    assert any(e["actor"] == "Trần Văn Quản Trị" and e["detail"] == said for e in log), log


def test_an_intake_with_no_papers_is_kept_with_a_warning(configured: Any) -> None:
    intake = {
        "procedure": "1.004873",
        "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234"},
        "documents": [],
    }
    result = configured("receive", "--json", "-", input=json.dumps(intake))
    assert result.exit_code == 0, result.output
    assert "không có giấy tờ nào được ghi nhận" in result.stderr
    assert any("giấy tờ" in w for w in json.loads(result.stdout)["warnings"])


def test_an_official_s_user_name_is_recorded_as_the_official(configured: Any) -> None:
    """``--actor minh`` (or COUNTER_ACTOR) records "Trần Văn Minh", as the UI does: one person, one
    name in the history and the access log; a name that is no user name is kept as given."""
    assert configured("add-official", "minh", "--name", "Trần Văn Minh", "--pin", "3579").exit_code == 0
    doc = {"procedure": "1.004873", "applicant": {"name": "Lê Thị D", "id_number": "031190001234"}}
    received = configured("receive", "--json", "-", "--actor", "MINH", input=json.dumps(doc))
    code = json.loads(received.stdout)["code"]
    assert configured("transfer", code, env={"COUNTER_ACTOR": "minh"}).exit_code == 0
    assert configured("show", code, "--actor", "Cán bộ Lạ").exit_code == 0
    shown = json.loads(configured("show", code, "--json", "--actor", "minh").stdout)
    assert [step["actor"] for step in shown["history"]] == ["Trần Văn Minh", "Trần Văn Minh"]
    log = configured("access-log", code, "--json").stdout
    assert "Cán bộ Lạ" in log and '"minh"' not in log


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_number_json_has_not_is_named_not_printed_as_nan(configured: Any, number: str) -> None:
    # Python reads NaN and Infinity (and 1e400 as infinity); the messages then said "nan", "inf".
    data = json.loads(configured("procedures", "--export").output)
    data["version"] = "9999.1"
    text = json.dumps(data, ensure_ascii=False).replace('"fee": 0', f'"fee": {number}', 1)
    before = configured("procedures", "--export").output
    result = configured("procedures", "--import", "-", input=text.encode())
    assert result.exit_code == 2
    assert result.output == (
        f"Lỗi: «{number}» không dùng được làm số: JSON chỉ nhận số hữu hạn viết bằng chữ số, ví dụ 2500000.\n"
    )
    assert configured("procedures", "--export").output == before
    intake_text = json.dumps(intake(sets=1)).replace('"sets": 1', f'"sets": {number}')
    received = configured("receive", "--json", "-", input=intake_text.encode())
    assert received.exit_code == 2 and f"«{number}»" in received.output


def test_receive_says_when_the_machine_clock_is_behind_the_counter_s_last_step(
    configured: Any, db_path: Path, tmp_path: Path
) -> None:
    """The counter's clock was a day ahead when a dossier was received, and has been put right: the
    next receipt is saved and stamped with the clock's time, and the official is told to check it."""
    ahead = Desk.open(db_path, clock=lambda: datetime.now(UTC) + timedelta(days=1), env={})
    ahead.receive(intake(), "Cán bộ Lan")
    ahead.close()
    source = tmp_path / "in.json"
    source.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
    result = configured("receive", "--json", str(source), "--actor", "Cán bộ Lan")
    assert result.exit_code == 0, result.output
    assert "Lưu ý: Đồng hồ máy tính đang chỉ" in result.stderr and "chỉnh lại ngày giờ" in result.stderr
    [warning] = json.loads(result.stdout)["warnings"]
    assert "sớm hơn bước đã ghi trên máy này" in warning
    # The nightly check says it too, and still passes: the file is sound.
    checked = configured("check")
    assert checked.exit_code == 0 and f"Lưu ý: {warning}" in checked.output
    assert json.loads(configured("check", "--json").output)["clock_problem"] == warning


# -- sync: what a script and the admin are told ---------------------------------------------------


def test_settling_an_unknown_code_is_not_found_like_show(configured: Any, tmp_path: Path) -> None:
    """``sync --settle NOPE`` said "Hồ sơ NOPE không có xung đột đồng bộ cần xem." with exit 3, as
    if the dossier existed; an unknown code is not found (4), said as every command says it."""
    unknown = configured("sync", "--settle", "NOPE")
    shown = configured("show", "NOPE")
    assert (unknown.exit_code, shown.exit_code) == (4, 4)
    assert unknown.stderr == shown.stderr == "Lỗi: Không có hồ sơ mã NOPE.\n"
    source = tmp_path / "in.json"
    source.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
    code = json.loads(configured("receive", "--json", str(source)).output)["code"]
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in code)
    assert configured("show", wide).exit_code == 0  # full-width digits read as the code
    stray = configured("show", code + "\\n")  # an escape typed at its end
    assert stray.exit_code == 4 and "có ký tự lạ: «\\»" in stray.stderr
    calm = configured("sync", "--settle", code)  # known, but not in conflict: the rule says no
    assert calm.exit_code == 3 and "không có xung đột đồng bộ" in calm.stderr


def test_a_failed_sync_answers_json_too(configured: Any) -> None:
    """The nightly script read empty input when the hub was down; it now reads one object saying
    what went wrong, while stderr and the exit code say it as before."""
    unset = configured("sync", "--json")  # no hub set
    assert unset.exit_code == 6
    answer = json.loads(unset.stdout)
    assert answer == {"ok": False, "error": unset.stderr.removeprefix("Lỗi: ").strip(), "exit_code": 6}
    both = ("--set", "hub_url=http://127.0.0.1:9", "--set", "hub_token=token-2")  # nothing listens
    assert configured("settings", *both).exit_code == 0
    down = configured("sync", "--json")
    assert down.exit_code == 9 and down.stderr.startswith("Lỗi: Không kết nối được máy chủ")
    answer = json.loads(down.stdout)
    assert answer["ok"] is False and answer["exit_code"] == 9
    assert answer["error"] == down.stderr.removeprefix("Lỗi: ").strip()
    assert configured("sync").stdout == ""  # without --json: the stderr line only, as before
    assert '"ok": false' in configured("sync", "--help").output


def test_the_nightly_check_names_the_dossiers_in_sync_conflict(configured: Any, db_path: Path) -> None:
    """``check`` said "problems: []" while a dossier waited in conflict: a note now, exit 0 still
    (the file is sound; a person must look, with ``sync --status``)."""
    doc = {"procedure": "1.004873", "applicant": {"name": "Đặng Thị Hoà", "id_number": "031190001234"}}
    code = json.loads(configured("receive", "--json", "-", input=json.dumps(doc)).output)["code"]
    assert json.loads(configured("check", "--json").output)["sync_conflicts"] == []
    desk = Desk.open(db_path, env={})
    try:
        desk.events_in_conflict([desk.events(code)[0].uuid])
    finally:
        desk.close()
    checked = configured("check")
    assert checked.exit_code == 0
    assert f"Lưu ý: 1 hồ sơ đang xung đột đồng bộ chờ xem (counter sync --status): {code}" in checked.output
    assert json.loads(configured("check", "--json").output)["sync_conflicts"] == [code]


def test_the_nightly_sync_leaves_its_report_in_the_log(configured: Any, db_path: Path, hub: Any) -> None:
    """What last night's run did on this counter is in the program's log (it held only the HTTP
    request lines); run as cron runs it, in a process of its own."""
    hub.add_counter("token-2", "11410", "000.00.00.X11410#2")
    both = ("--set", f"hub_url={hub.url}", "--set", "hub_token=token-2")
    assert configured("settings", *both).exit_code == 0
    counter = Path(sys.executable).parent / "counter"
    done = subprocess.run([str(counter), "--db", str(db_path), "sync"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    log = Path(os.environ["COUNTER_DATA_DIR"]) / "logs" / "counter.log"
    text = log.read_text(encoding="utf-8")
    assert "sync: Đã gửi 0 sự kiện; nhận 0 sự kiện mới" in text and "sync: Còn 0 sự kiện chờ gửi." in text


def test_a_name_of_combining_marks_alone_is_refused(configured: Any, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    data = intake()
    data["applicant"]["name"] = "\u0301\u0301\u0301"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = configured("receive", "--json", str(source))
    assert result.exit_code == 2
    assert "Họ và tên phải có ít nhất một chữ cái" in result.stderr
    assert json.loads(configured("list", "today", "--json").output) == []


def test_a_step_that_closes_the_dossier_says_no_appointment(configured: Any, tmp_path: Path) -> None:
    """Withdrawn, stopped, refused after intake, handed back: the citizen has nothing more to come
    for, and the answer said "Hẹn trả …" all the same. A step that leaves it open still says it."""
    source = tmp_path / "in.json"
    source.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
    codes = [json.loads(configured("receive", "--json", str(source)).output)["code"] for _ in range(3)]
    for code in codes:
        moved = configured("transfer", code, "--to", "Công chức Tư pháp")
        assert moved.exit_code == 0 and "Hẹn trả " in moved.output
    for step, code in zip(("withdraw", "stop", "refuse"), codes, strict=True):
        said = configured(step, code, "--reason", "Công dân xin rút / không đủ điều kiện")
        assert said.exit_code == 0, said.output
        assert said.output.startswith(f"{code}: ") and "Hẹn trả" not in said.output


def test_papers_asked_for_by_text_carry_their_counts_to_the_printed_request(
    configured: Any, tmp_path: Path
) -> None:
    """``--paper 'NAME: O/C/P'`` gives the counts Mẫu 02 prints (a certified copy asked for was
    printed as one original); a name alone is one original, and a bad count is said."""
    import pdfplumber

    source = tmp_path / "in.json"
    source.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
    code = json.loads(configured("receive", "--json", str(source)).output)["code"]
    wrong = configured("request-papers", code, "--paper", "Giấy A: 0/100/0", "--reason", "Thiếu")
    assert wrong.exit_code == 2, wrong.output
    # Said as the paper typed, not by a JSON path the command line never showed.
    assert "Số bản chứng thực của giấy tờ thứ 1 phải là số nguyên từ 0 đến 99" in wrong.output
    assert "documents[" not in wrong.output
    # Counts meant but miswritten were kept as part of the name ("Giấy A: -1/0/0" on the form).
    for typo in ("-1/0/0", "1/2", "1/2/3/4", "1//0"):
        said = configured("request-papers", code, "--paper", f"Giấy A: {typo}", "--reason", "Thiếu")
        assert said.exit_code == 2 and f"viết sai: «{typo}»" in said.output and "1/0/0" in said.output
    named = configured("show", code, "--json").output
    assert "Giấy A" not in named  # nothing recorded
    asked = configured(
        "request-papers",
        code,
        "--paper",
        "Bản sao giấy khai sinh : 0 / 1 / 0",
        "--paper",
        "Giấy xác nhận cư trú",
        "--paper",
        "Ảnh 4x6: 0/0/2",
        "--reason",
        "Thiếu",
    )
    assert asked.exit_code == 0, asked.output
    pdf = tmp_path / "m02.pdf"
    assert configured("form", "extra_papers", code, "--output", str(pdf)).exit_code == 0
    with pdfplumber.open(str(pdf)) as doc:
        table = next(t for t in doc.pages[0].extract_tables() if t and t[0][0] == "TT")
    assert [[" ".join((c or "").split()) for c in row] for row in table[2:]] == [
        ["1", "Bản sao giấy khai sinh", "0", "1", "0"],
        ["2", "Giấy xác nhận cư trú", "1", "0", "0"],
        ["3", "Ảnh 4x6", "0", "0", "2"],
    ]


def test_a_step_says_when_the_appointment_now_falls_on_a_day_off(configured: Any, tmp_path: Path) -> None:
    """The day of the appointment declared off after the receipt: each step's answer went on
    quoting it as if the office would be open."""
    source = tmp_path / "in.json"
    source.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
    received = json.loads(configured("receive", "--json", str(source)).output)
    code, due = received["code"], datetime.fromisoformat(received["appointment"])
    promised = f"Hẹn trả {due:%H:%M %d/%m/%Y}."
    first = configured("transfer", code)
    assert promised in first.output and "ngày nghỉ" not in first.output
    off = configured("calendar", "set", due.date().isoformat(), "day_off", "--label", "Nghỉ đột xuất")
    assert off.exit_code == 0
    later = configured("result", code)
    assert later.exit_code == 0 and promised in later.output
    assert f"ngày hẹn trả nay là ngày nghỉ; hãy hẹn lại với công dân (counter move-appointment {code})" in (
        later.output
    )


def test_a_file_whose_setup_never_finished_is_said_when_read(run: Any, db_path: Path) -> None:
    """A setup cut short (a full disk) left a file with no counter in it: ``list`` answered "Không
    có hồ sơ nào." as a counter with an empty day would. It still answers, and says why."""
    from counter_app.desk import Desk

    Desk.open(db_path, env={}).close()  # the file made, the counter never set up
    for args in (["list", "recent"], ["find", "Hoà"], ["settings"]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        said = "chưa được cấu hình quầy" in result.stderr
        assert said == (args[0] != "settings"), (args, result.stderr)  # settings shows it as it is


def test_a_commune_name_set_up_without_its_marks_is_warned(run: Any) -> None:
    done = run("setup", "--commune-code", "11410", "--commune-name", "xa Vinh Bao", "--counter", "2")
    assert done.exit_code == 0
    assert "Tên xã «xa Vinh Bao» chưa có dấu" in done.stderr and "--commune-name" in done.stderr
    again = run("setup", "--commune-code", "11410", "--commune-name", "xã Vĩnh Bảo", "--counter", "2")
    assert again.exit_code == 0 and "chưa có dấu" not in again.stderr


def test_correct_changes_only_the_fields_given_and_says_what_changed(configured: Any, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(intake(), ensure_ascii=False), encoding="utf-8")
    code = json.loads(configured("receive", "--json", str(source)).output)["code"]

    done = configured(
        "correct", code, "--name", "Đặng Thị Hoa", "--reason", "Gõ sai dấu", "--actor", "Cán bộ Lan"
    )
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"{code}: Đã sửa Họ và tên: Đặng Thị Hoà → Đặng Thị Hoa; Lý do: Gõ sai dấu")
    shown = json.loads(configured("show", code, "--json").output)
    assert (shown["applicant"]["name"], shown["applicant"]["phone"]) == ("Đặng Thị Hoa", "0912345678")
    assert shown["history"][-1]["actor"] == "Cán bộ Lan"

    wrong = configured("correct", code, "--phone", "12", "--reason", "")
    assert wrong.exit_code == 2 and "Traceback" not in wrong.output
    assert "reason" in wrong.output and "applicant.phone" in wrong.output
    same = configured("correct", code, "--name", "Đặng Thị Hoa", "--reason", "x")
    assert same.exit_code == 2 and "không có gì để sửa" in same.output
    none = configured("correct", code, "--reason", "x")  # no field given: said so, not "the same"
    assert none.exit_code == 2 and "Chưa nêu thông tin nào cần sửa" in none.output and "--name" in none.output
    assert json.loads(configured("show", code, "--json").output)["events"] == 2


def test_correct_with_owner_changes_the_owner_s_fields(configured: Any, tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    data = intake(owner={"name": "Nguyễn Văn Tuân", "id_number": "031160004321"})
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code = json.loads(configured("receive", "--json", str(source)).output)["code"]
    done = configured("correct", code, "--owner", "--name", "Nguyễn Văn Tuấn", "--reason", "Sai dấu")
    assert done.exit_code == 0, done.output
    shown = json.loads(configured("show", code, "--json").output)
    assert (shown["owner"]["name"], shown["applicant"]["name"]) == ("Nguyễn Văn Tuấn", "Đặng Thị Hoà")
