"""``counter sync``, the command the nightly batch runs, against the real hub on 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from counter_app.cli import main
from tests.conftest import intake


def counter(db: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], input=input, catch_exceptions=False)


def set_up(db: Path, counter_no: int, hub: Any, token: str) -> None:
    result = counter(
        db, "setup", "--commune-code", "11410", "--commune-name", "xã Vĩnh Bảo", "--counter", str(counter_no)
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(counter(db, "settings", "--json").output)
    hub.add_counter(token, "11410", f"{shown['agency_id']}#{counter_no}")
    result = counter(db, "settings", "--set", f"hub_url={hub.url}", "--set", f"hub_token={token}")
    assert result.exit_code == 0, result.output


def test_the_nightly_sync_sends_and_takes_and_says_so(tmp_path: Path, hub: Any) -> None:
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    set_up(one, 1, hub, "t1")
    set_up(two, 2, hub, "t2")
    received = counter(one, "receive", "--json", "-", input=json.dumps(intake()))
    assert received.exit_code == 0, received.output
    code = json.loads(received.output)["code"]

    sent = counter(one, "sync")
    assert sent.exit_code == 0, sent.output
    assert "Đã gửi 1 sự kiện" in sent.output and "Còn 0 sự kiện chờ gửi." in sent.output

    taken = counter(two, "sync", "--json")
    assert taken.exit_code == 0, taken.output
    report = json.loads(taken.output)
    assert (report["pulled"], report["pushed"], report["waiting"], report["conflicts"]) == (1, 0, 0, [])
    shown = counter(two, "show", code, "--json")
    assert shown.exit_code == 0 and json.loads(shown.output)["code"] == code
    assert json.loads(counter(one, "show", code, "--json").output)["sync_state"] == "sent"
    assert "Đồng bộ: Đã gửi lên máy chủ" in counter(one, "show", code).output


def test_an_unreachable_hub_exits_9_and_keeps_the_events(tmp_path: Path, hub: Any) -> None:
    db = tmp_path / "one.db"
    set_up(db, 1, hub, "t1")
    counter(db, "receive", "--json", "-", input=json.dumps(intake()))
    assert counter(db, "settings", "--set", "hub_url=http://127.0.0.1:9").exit_code == 0
    result = counter(db, "sync")
    assert result.exit_code == 9
    code = json.loads(counter(db, "list", "today", "--json").output)[0]["code"]
    assert "Đồng bộ: Chưa gửi lên máy chủ" in counter(db, "show", code).output
    assert "Không kết nối được máy chủ" in result.output and "Traceback" not in result.output
    assert counter(db, "settings", "--set", f"hub_url={hub.url}").exit_code == 0
    assert "Đã gửi 1 sự kiện" in counter(db, "sync").output


def test_a_refused_token_or_no_hub_is_a_setting_to_fix(tmp_path: Path, hub: Any) -> None:
    db = tmp_path / "one.db"
    set_up(db, 1, hub, "t1")
    assert counter(db, "settings", "--set", "hub_token=wrong").exit_code == 0
    result = counter(db, "sync")
    assert result.exit_code == 6 and "hub_token" in result.output
    fresh = tmp_path / "fresh.db"
    assert (
        counter(
            fresh, "setup", "--commune-code", "11410", "--commune-name", "xã X", "--counter", "3"
        ).exit_code
        == 0
    )
    result = counter(fresh, "sync")
    assert result.exit_code == 6 and "hub_url" in result.output


def test_the_status_says_what_waits_and_what_needs_a_person_without_asking_the_hub(
    tmp_path: Path, hub: Any
) -> None:
    db = tmp_path / "one.db"
    set_up(db, 1, hub, "t1")
    counter(db, "receive", "--json", "-", input=json.dumps(intake()))
    assert counter(db, "settings", "--set", "hub_url=http://127.0.0.1:9").exit_code == 0  # offline
    shown = counter(db, "sync", "--status")
    assert shown.exit_code == 0, shown.output
    assert "Sự kiện chờ gửi: 1" in shown.output and "Lần đồng bộ cuối: chưa có" in shown.output
    status = json.loads(counter(db, "sync", "--status", "--json").output)
    assert (status["waiting"], status["conflicts"], status["flagged"], status["token_set"]) == (
        1,
        [],
        [],
        True,
    )
    assert status["last_failure"] is None
    # A run that fails is said by the status afterwards, with why; one that works clears it.
    assert counter(db, "sync").exit_code == 9
    failed = counter(db, "sync", "--status")
    assert "Lần chạy gần nhất không thành công" in failed.output
    failure = json.loads(counter(db, "sync", "--status", "--json").output)["last_failure"]
    assert failure["at"].endswith("+07:00") and "127.0.0.1:9" in failure["error"]
    assert counter(db, "settings", "--set", f"hub_url={hub.url}").exit_code == 0
    assert counter(db, "sync").exit_code == 0
    after = json.loads(counter(db, "sync", "--status", "--json").output)
    assert after["last_failure"] is None
    # For a person: the time as read everywhere else (it was the raw ISO stamp).
    said = counter(db, "sync", "--status").output
    assert re.search(r"Lần đồng bộ cuối: \d\d:\d\d \d\d/\d\d/\d{4}\n", said) and "+07:00" not in said


def test_show_names_the_step_another_counter_overruled(tmp_path: Path, hub: Any) -> None:
    """Two counters step one dossier while apart; `counter show` on either names the step left out
    (the one that reached the hub second), with its counter and why, in text and in JSON."""
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    set_up(one, 1, hub, "t1")
    set_up(two, 2, hub, "t2")
    code = json.loads(counter(one, "receive", "--json", "-", input=json.dumps(intake())).output)["code"]
    assert counter(one, "transfer", code).exit_code == 0
    assert counter(one, "sync").exit_code == 0 and counter(two, "sync").exit_code == 0
    assert counter(one, "result", code).exit_code == 0
    assert counter(two, "refuse", code, "--reason", "Không thuộc thẩm quyền.").exit_code == 0
    # The run that meets the other counter's step, on either side, is done but needs a person: 10.
    assert [counter(db, "sync").exit_code for db in (one, two, one)] == [0, 10, 10]
    for db in (one, two):
        shown = json.loads(counter(db, "show", code, "--json").output)
        assert (shown["status"], shown["sync_state"]) == (9, "conflict")
        [lost] = shown["left_out"]
        assert lost["label"] == "Từ chối" and lost["counter_id"].endswith("#2")
        text = counter(db, "show", code).output
        assert "Bước không áp dụng" in text and "Từ chối" in text.split("Bước không áp dụng")[1]
    status = counter(two, "sync", "--status").output
    assert "Sự kiện không áp dụng được (đã giữ lại): 1" in status
    # The IT admin settles it once the two counters have agreed; a second time is refused.
    settled = counter(two, "sync", "--settle", code, "--json", "--actor", "Trần Văn Minh")
    assert settled.exit_code == 0 and json.loads(settled.output) == {"code": code, "sync_state": "sent"}
    assert "Hồ sơ xung đột với máy chủ: 0" in counter(two, "sync", "--status").output
    assert counter(two, "sync").exit_code == 0  # settled here: a quiet run again
    again = CliRunner().invoke(main, ["--db", str(two), "sync", "--settle", code])
    assert again.exit_code != 0 and "không có xung đột" in again.output
    assert json.loads(counter(two, "show", code, "--json").output)["left_out"]  # the step stays
    # Who settled it, and when, stays in the file (the refused second try left nothing).
    entries = json.loads(counter(two, "access-log", code, "--json").output)
    [entry] = [e for e in entries if e["action"] == "settle"]
    assert (entry["action"], entry["detail"], entry["dossier_code"]) == ("settle", "sent", code)
    assert entry["actor"] == "Trần Văn Minh"
    assert "Gỡ xung đột" in counter(two, "access-log", code).output


STOPPED_CHILD = r"""
import os, signal, sys
from sync import client as client_module
from counter_app.cli import main

real = client_module.SyncClient.push

def push_then_stopped(self, report):
    real(self, report)
    os.kill(os.getpid(), getattr(signal, sys.argv[1]))  # a service manager stops the nightly run

client_module.SyncClient.push = push_then_stopped
main(sys.argv[2:])
"""


def test_a_run_stopped_by_sigterm_says_how_far_it_got(tmp_path: Path, hub: Any) -> None:
    """A SIGTERM in the middle of the nightly sync ended it with exit 143 and not a word."""
    db = tmp_path / "one.db"
    set_up(db, 1, hub, "t1")
    for _ in range(2):
        assert counter(db, "receive", "--json", "-", input=json.dumps(intake())).exit_code == 0
    ran = subprocess.run(
        [sys.executable, "-c", STOPPED_CHILD, "SIGTERM", "--db", str(db), "sync"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert ran.returncode == 143, ran.stderr
    assert "Đã dừng đồng bộ: lần này đã gửi 2 và nhận 0 sự kiện; còn 0 sự kiện chờ gửi." in ran.stderr
    assert "Traceback" not in ran.stderr
    assert json.loads(counter(db, "sync", "--status", "--json").output)["waiting"] == 0
