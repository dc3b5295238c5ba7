"""First run, sign-in and roles, driven as an official would."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from counter_app import desk as desk_module
from counter_app.desk import Desk
from counter_app.tui import app as app_module
from counter_app.tui.app import make_app
from counter_app.tui.screens.first_run import FirstSupervisorScreen, SetupScreen, SignInScreen
from counter_app.tui.screens.intake import IntakeScreen
from counter_app.tui.screens.supervisor import SupervisorScreen
from counter_app.tui.widgets.fields import Field
from tests.conftest import FixedClock, intake

from .conftest import (
    OFFICIAL,
    SIZE,
    SUPERVISOR,
    begin_intake,
    notifications,
    settle,
    sign_in,
    texts,
    type_text,
    wait_until,
)


async def test_first_run_sets_up_the_counter_creates_a_supervisor_and_signs_in(
    make_desk: Callable[..., Desk], output_dir: Path
) -> None:
    desk = make_desk(configure=False)
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        for text in ("11410", "xã Vĩnh Bảo", "Thành phố Hải Phòng", "2", "000.00.11.H26"):
            await type_text(pilot, text)
            await pilot.press("enter")
        await pilot.press("enter", "enter")  # no hub address, no token
        await settle(pilot)
        assert desk.settings.is_configured
        assert desk.settings.counter_no == 2
        assert desk.settings.province_name == "Thành phố Hải Phòng"

        assert isinstance(app.screen, FirstSupervisorScreen)
        for text in ("lan", "Nguyễn Thị Lan", "2468", "2468"):
            await type_text(pilot, text)
            await pilot.press("enter")
        await settle(pilot)
        assert [o["role"] for o in desk.officials()] == ["supervisor"]

        assert isinstance(app.screen, SignInScreen)
        await sign_in(pilot, SUPERVISOR)
        assert isinstance(app.screen, IntakeScreen)
        assert app.official is not None and app.official.full_name == "Nguyễn Thị Lan"


async def test_setup_shows_bad_input_under_the_field_and_saves_nothing(
    make_desk: Callable[..., Desk], output_dir: Path
) -> None:
    desk = make_desk(configure=False)
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "123")  # commune code: 3 digits
        await pilot.press("enter")
        await type_text(pilot, "xã Vĩnh Bảo")
        await pilot.press("enter", "enter")
        await type_text(pilot, "12")  # counter number out of range
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        errors = {f.key: f.error for f in screen.fields}
        assert errors["commune_code"] == "Mã xã phải gồm đúng 5 chữ số."
        assert "1 đến 9" in errors["counter"] or "từ 1 đến 9" in errors["counter"]
        assert not desk.settings.is_configured
        assert app.focused is screen.fields[0].input  # the first wrong field


async def test_an_empty_setup_form_shows_every_missing_field_at_once(
    make_desk: Callable[..., Desk], output_dir: Path
) -> None:
    desk = make_desk(configure=False)
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")  # every field empty
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        errors = {f.key: f.error for f in screen.fields if f.error}
        # Was the counter number alone; the commune's code and name only at the next Ctrl+S.
        assert set(errors) == {"commune_code", "commune_name", "counter"}
        assert errors["commune_code"] == "Mã xã phải gồm đúng 5 chữ số."
        assert errors["counter"] == "Chưa nhập số quầy (một số từ 1 đến 9)."
        assert app.focused is screen.fields[0].input
        assert not desk.settings.is_configured
        # Typing into a field takes its message away (it stayed until the next Ctrl+S); the
        # others keep theirs.
        await type_text(pilot, "11410")
        await settle(pilot)
        assert {f.key for f in screen.fields if f.error} == {"commune_name", "counter"}


async def test_setup_checks_the_other_settings_with_the_commune(
    make_desk: Callable[..., Desk], output_dir: Path
) -> None:
    desk = make_desk(configure=False)
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "hai")  # counter number: not a number
        await pilot.press("tab", "tab")
        await type_text(pilot, "https://")  # no host: only the settings' own check sees it
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        errors = {f.key: f.error for f in screen.fields if f.error}
        assert set(errors) == {"commune_code", "commune_name", "counter", "hub_url"}
        assert errors["counter"] == "Số quầy phải là một số từ 1 đến 9."
        assert "tên máy chủ" in errors["hub_url"]


async def test_the_first_supervisor_form_shows_every_problem_at_once(
    make_desk: Callable[..., Desk], output_dir: Path
) -> None:
    desk = make_desk()
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FirstSupervisorScreen)
        for text in ("Lan NT", "Nguyễn Thị Lan", "12", "34"):
            await type_text(pilot, text)
            await pilot.press("enter")
        await settle(pilot)
        errors = {f.key: f.error for f in screen.fields if f.error}
        # Was the PIN mismatch alone; the user name and the short PIN only once it was fixed.
        assert errors == {
            "username": "Tên đăng nhập liền một chữ, không dấu cách, không dấu tiếng Việt: chữ a–z, chữ số, "
            "dấu chấm, gạch ngang, gạch dưới (tối đa 40 ký tự), ví dụ lan.nt.",
            "pin": "Mã PIN phải gồm 4 đến 8 chữ số.",
            "pin_again": "Hai lần nhập mã PIN không khớp.",
        }
        assert app.focused is screen.fields[0].input
        assert desk.officials() == []
        # Fixed, it goes through as a supervisor (the role the form asks the desk for).
        for field, text in zip(screen.fields, ("lan.nt", "", "2468", "2468"), strict=True):
            if text:
                field.value = text
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [(o["username"], o["role"]) for o in desk.officials()] == [("lan.nt", "supervisor")]


async def test_after_five_wrong_pins_the_account_waits(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, ("lan", "0000", ""))
        screen = app.screen
        pin = next(f for f in screen.fields if f.key == "pin")
        for _ in range(4):
            await type_text(pilot, "0000")
            await pilot.press("enter")
            await settle(pilot)
        assert pin.error == "Tên đăng nhập hoặc mã PIN không đúng."
        await type_text(pilot, "2468")  # the right PIN, too late
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and app.official is None
        assert pin.error.startswith("Đã nhập sai mã PIN 5 lần; hãy thử lại sau 09:35")


async def test_wrong_pin_is_refused_inline(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, ("lan", "0000", ""))
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        pin = next(f for f in screen.fields if f.key == "pin")
        assert pin.error == "Tên đăng nhập hoặc mã PIN không đúng."
        assert pin.value == ""
        assert app.official is None
        await type_text(pilot, "2468")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)


async def test_an_official_is_refused_the_supervisor_screen(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert not any(isinstance(s, SupervisorScreen) for s in app.screen_stack)
        assert any("chỉ dành cho cán bộ có vai trò giám sát" in n for n in notifications(app))
        # Nor through the command palette's action.
        await app.run_action("supervisor('logbook')")
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)


async def test_a_supervisor_opens_the_supervisor_screen(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)


async def test_sign_out_returns_to_sign_in_and_keeps_the_draft(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.official is None
        await sign_in(pilot, OFFICIAL)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        assert screen.field("applicant.name").value == "Đặng Thị Hoà"
        assert not any("do Trần Văn Minh nhập" in n for n in notifications(app))  # their own form
        await pilot.press("f10")
        await settle(pilot)
        await sign_in(pilot, SUPERVISOR)  # someone else takes over the counter: told whose form it is
        await settle(pilot)
        assert screen.field("applicant.name").value == "Đặng Thị Hoà"
        assert any("do Trần Văn Minh nhập" in n for n in notifications(app))


def test_start_up_imports_only_what_intake_needs() -> None:
    """Other screens, dialogs, the palette's providers and printing load when first used."""
    import subprocess
    import sys

    code = (
        "import sys; import counter_app.tui.app; "
        "print(' '.join(m for m in sys.modules if m.startswith(('counter_app', 'printing', 'reportlab', "
        "'textual.widgets._text_area'))))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "counter_app.tui.screens.intake" in loaded
    deferred = {
        "counter_app.tui.screens.lists",
        "counter_app.tui.screens.supervisor",
        "counter_app.tui.screens.dossier",
        "counter_app.tui.screens.dialogs",
        "counter_app.tui.commands",
        "printing",
        "reportlab",
        "textual.widgets._text_area",
    }
    assert loaded & deferred == set()


async def test_a_start_removes_saved_forms_past_their_retention(app, output_dir: Path) -> None:  # type: ignore[no-untyped-def]
    import os
    import time

    old = output_dir / "receipt_000.00.11.H26-260901-2001.pdf"
    recent = output_dir / "receipt_000.00.11.H26-261124-2001.pdf"
    for path, age in ((old, 31), (recent, 1)):
        path.write_bytes(b"%PDF-1.4")
        os.utime(path, (time.time() - age * 86_400,) * 2)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not old.exists() and recent.exists()  # the default keeps 30 days


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """Every line of the terminal as the official sees it now."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())  # noqa: SLF001


async def idle(pilot, clock, minutes: int) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    clock.now += timedelta(minutes=minutes)
    pilot.app._lock_if_idle()
    await settle(pilot)


async def test_an_idle_counter_locks_itself_and_the_official_takes_up_the_work_again(
    app, staffed_desk: Desk, clock
) -> None:  # type: ignore[no-untyped-def]
    """Locked in the middle of a refusal (a phone call, 15 minutes): the screen shows nothing of the
    citizen; the official's PIN gives back the dossier and the reason typed, as they were."""
    from counter_app.tui.screens.dialogs import StepDialog
    from counter_app.tui.screens.first_run import UnlockScreen
    from tests.conftest import intake

    code = staffed_desk.receive(intake(), OFFICIAL[2]).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await pilot.press("f2")
        await type_text(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("x")  # refuse: a reason to type
        await pilot.pause()
        assert isinstance(app.screen, StepDialog)
        await type_text(pilot, "Thiếu giấy xác nhận")
        await idle(pilot, clock, 14)
        assert not app.locked  # 14 of the 15 minutes
        await pilot.press("space")  # a key: the official is there
        await idle(pilot, clock, 14)
        assert not app.locked
        await idle(pilot, clock, 15)
        assert app.locked and isinstance(app.screen, UnlockScreen) and app.official is not None
        shown = screen_text(app)
        assert "QUẦY ĐÃ TỰ KHÓA" in shown and OFFICIAL[2] in shown
        assert "Đặng Thị Hoà" not in shown and code not in shown  # nothing of the citizen
        for key in ("f3", "f4", "ctrl+p", "f2"):  # no screen, no palette search under the lock
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, UnlockScreen), key
        await idle(pilot, clock, 20)  # locked once, not once more over itself
        assert sum(isinstance(s, UnlockScreen) for s in app.screen_stack) == 1
        await type_text(pilot, "0000")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, UnlockScreen)  # a wrong PIN: still locked, and said so
        assert "Mã PIN không đúng; hãy gõ lại" in screen_text(app)
        await type_text(pilot, OFFICIAL[1])
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StepDialog) and not app.locked
        assert "Thiếu giấy xác nhận" in texts(app, "Input")  # the reason, as it was typed


async def test_at_a_locked_counter_another_official_signs_in_and_finds_the_form_only(
    app, staffed_desk: Desk, clock
) -> None:  # type: ignore[no-untyped-def]
    from counter_app.tui.screens.dialogs import ConfirmDialog
    from counter_app.tui.screens.first_run import UnlockScreen

    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        await pilot.press("escape")  # a dialog left open when the counter locks...
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await idle(pilot, clock, 15)
        assert isinstance(app.screen, UnlockScreen)
        await pilot.press("f10")  # someone else
        await settle(pilot)
        assert app.official is None and isinstance(app.screen, SignInScreen)
        await sign_in(pilot, SUPERVISOR)  # ...is not there for the next official to confirm
        screen = app.screen
        assert isinstance(screen, IntakeScreen) and not app.locked
        assert screen.field("applicant.name").value == "Đặng Thị Hoà"  # the form is kept
        assert not any(isinstance(s, UnlockScreen) for stack in app._screen_stacks.values() for s in stack)


async def test_the_idle_lock_can_be_turned_off(app, staffed_desk: Desk, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    staffed_desk.update_settings(idle_lock_minutes="0")
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        clock.now += timedelta(hours=8)
        app._lock_if_idle()
        await settle(pilot)
        assert app.official is not None and isinstance(app.screen, IntakeScreen)


async def test_a_misspelt_variable_is_named_at_start(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COUNTER_IDLE_LOCK_MINUTE", "0")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = " ".join(notifications(app))
        assert "«COUNTER_IDLE_LOCK_MINUTE»" in shown and "«COUNTER_IDLE_LOCK_MINUTES»" in shown
        assert isinstance(app.screen, SignInScreen)  # it warns, it does not stop the counter


async def test_every_official_is_told_the_agency_id_is_a_placeholder(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    staffed_desk.update_settings(agency_id="000.00.00.X11410")
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR)
        await settle(pilot)
        assert any("«000.00.00.X11410» là mã tạm" in n for n in notifications(app))
    # An official, who receives under it all day, is told too, and who can change it.
    async with make_app(staffed_desk).run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await settle(pilot)
        said = notifications(pilot.app)  # type: ignore[arg-type]
        assert any("«000.00.00.X11410» là mã tạm" in n and "báo cán bộ giám sát" in n for n in said)
    staffed_desk.update_settings(agency_id="000.00.11.H26")
    async with make_app(staffed_desk).run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR)
        await settle(pilot)
        assert not any("mã tạm" in n for n in notifications(pilot.app))  # type: ignore[arg-type]


async def test_an_official_whose_pin_is_easy_to_guess_is_told_at_sign_in(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    # A "1111" set before PINs had rules still signs in, and the official learns it should change.
    salt = staffed_desk.store.official("minh")["pin_salt"]
    staffed_desk.store.conn.execute(
        "UPDATE officials SET pin_hash = ? WHERE username = 'minh'", (desk_module._pin_hash("1111", salt),)
    )
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, ("minh", "1111", ""))
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert any("Mã PIN của bạn dễ đoán" in n and "nhờ cán bộ giám sát" in n for n in notifications(app))


async def test_a_good_pin_signs_in_without_a_pin_notice(app) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert not any("Mã PIN" in n for n in notifications(app))


async def test_the_next_official_does_not_see_the_last_citizen_saved(app, output_dir: Path) -> None:  # type: ignore[no-untyped-def]
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        screen.field("applicant.id_number").value = "031190001234"
        screen.field("applicant.phone").value = "0912345678"
        screen.field("applicant.address").value = "Thôn Đông, xã Vĩnh Bảo"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Đặng Thị Hoà" in texts(app, "#last-saved")
        code = screen.last_saved.code if screen.last_saved else "?"
        assert any(code in n for n in notifications(app))
        await pilot.press("f10")
        await settle(pilot)
        # Nor do the notices of the last citizen stay over the sign-in screen.
        assert not any(code in n or "Đặng Thị Hoà" in n for n in notifications(app))
        await sign_in(pilot, SUPERVISOR)
        await settle(pilot)
        assert texts(app, "#last-saved").strip() == ""
        assert screen.last_saved is None  # nor can its receipt be printed again from here


async def test_an_account_locked_elsewhere_ends_its_session(
    app, staffed_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # Locked by a supervisor at another counter, minh could still record steps in his name.
    monkeypatch.setattr(app_module, "ACCOUNT_CHECK_SECONDS", 0.05)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await begin_intake(pilot)
        staffed_desk.set_official_active("minh", False)
        await wait_until(pilot, lambda: app.official is None)
        assert app.official is None and isinstance(app.screen, SignInScreen)
        assert any("Tài khoản của bạn vừa bị khóa" in n for n in notifications(app))
        intake = app._intake_screen()
        assert intake is not None and intake.field("applicant.name").value == "Đặng Thị Hoà"  # kept
        await sign_in(pilot, OFFICIAL)  # the right PIN: told the account is locked, not the PIN wrong
        pin = next(f for f in app.screen.fields if f.key == "pin")
        assert "đang bị khóa" in pin.error


async def test_a_supervisor_made_an_official_loses_the_supervisor_screen(
    app, staffed_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(app_module, "ACCOUNT_CHECK_SECONDS", 0.05)
    staffed_desk.add_official("ha", "Trần Thu Hà", "supervisor", "2580")
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, SUPERVISOR)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)
        staffed_desk.add_official("lan", "Nguyễn Thị Lan", "official")
        await wait_until(pilot, lambda: app.official is not None and not app.official.is_supervisor)
        assert app.official is not None and not app.official.is_supervisor
        assert not isinstance(app.screen, SupervisorScreen)


HOLD_THE_UI = """
import sys, time
from counter_app.desk import Desk
desk = Desk.open(sys.argv[1], env={})
desk.hold_ui()
print("READY", flush=True)
time.sleep(120)
"""


def test_a_second_window_on_the_counter_is_refused_and_a_killed_one_leaves_no_lock(
    staffed_desk: Desk, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two windows on one counter shared its draft: the citizen in front of the official was saved
    # from both, two dossiers for one. A second window now says where the first one is.
    import signal
    import subprocess
    import sys

    first = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_UI, str(db_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "READY"
        before = staffed_desk.load_draft()
        with pytest.raises(SystemExit) as ended:
            app_module.run(db_path)
        assert ended.value.code == 5
        said = capsys.readouterr().err
        assert said.startswith("Lỗi: Giao diện Counter đã đang mở") and f"tiến trình {first.pid}" in said
        assert "\n" not in said.strip()
        assert staffed_desk.load_draft() == before
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # Killed, it holds nothing: the next window starts without anyone clearing a stale lock.
    second = Desk.open(db_path, env={})
    try:
        second.hold_ui()
        third = Desk.open(db_path, env={})
        with pytest.raises(desk_module.StoreError):
            third.hold_ui()
        third.close()
    finally:
        second.close()
    again = Desk.open(db_path, env={})
    again.hold_ui()  # a window closed normally lets the next one in
    again.close()


async def test_collections_are_spaced_out_while_starting_and_back_to_normal_once_the_intake_is_up(
    staffed_desk: Desk, output_dir: Path
) -> None:
    normal = app_module._NORMAL_GC_THRESHOLD
    app = make_app(staffed_desk)
    assert gc.get_freeze_count() > 0  # what the imports made is out of every collection
    assert gc.get_threshold() == (app_module.START_UP_GC_THRESHOLD, *normal[1:])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert gc.get_threshold()[0] == app_module.START_UP_GC_THRESHOLD  # still starting: sign-in
        await sign_in(pilot, OFFICIAL)
        assert isinstance(app.screen, IntakeScreen)
        assert gc.get_threshold() == normal
    # An app closed before anyone signed in leaves the collector as it found it.
    async with make_app(staffed_desk).run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert gc.get_threshold() == normal


async def test_an_official_is_told_at_sign_in_when_the_machine_clock_was_set_back(
    staffed_desk: Desk, clock: FixedClock
) -> None:
    staffed_desk.receive(intake(), "Trần Văn Minh")
    clock.set(clock.now - timedelta(days=1))
    async with make_app(staffed_desk).run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await settle(pilot)
        assert any("Đồng hồ máy tính đang chỉ 09:30 24/11/2026" in n for n in notifications(pilot.app))  # type: ignore[arg-type]
    clock.set(clock.now + timedelta(days=1))
    async with make_app(staffed_desk).run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await settle(pilot)
        assert not any("Đồng hồ" in n for n in notifications(pilot.app))  # type: ignore[arg-type]


async def test_first_run_refuses_a_hub_address_without_its_access_code(
    make_desk: Callable[..., Desk],
) -> None:
    desk = make_desk(configure=False)
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "11410")
        await pilot.press("tab")
        await type_text(pilot, "xã Vĩnh Bảo")
        await pilot.press("tab", "tab")
        await type_text(pilot, "2")
        await pilot.press("tab", "tab")
        await type_text(pilot, "https://hub.haiphong.gov.vn")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        errors = {f.key: f.error for f in screen.fields if f.error}
        assert set(errors) == {"hub_token"}
        assert "Địa chỉ máy chủ" in errors["hub_token"] and "Mã truy cập máy chủ" in errors["hub_token"]
        assert not desk.settings.is_configured  # nothing stored


async def test_codes_scanned_at_a_locked_counter_are_no_wrong_pins(app, staffed_desk: Desk, clock) -> None:  # type: ignore[no-untyped-def]
    """A citizen's receipt scanned at the locked counter (five of them locked the official out for
    minutes, as five wrong PINs): said as a scan, counted as nothing, taken out of the PIN field
    (left there, it spoilt the next scan and the PIN typed after it); the PIN still unlocks."""
    from counter_app.desk import SCANNED_BEFORE_SIGN_IN
    from counter_app.tui.screens.first_run import UnlockScreen
    from tests.conftest import intake

    code = staffed_desk.receive(intake(), OFFICIAL[2]).code
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, OFFICIAL)
        await idle(pilot, clock, 15)
        assert isinstance(app.screen, UnlockScreen)
        for scanned in [code] * 6 + [code.lower()]:
            await type_text(pilot, scanned)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, UnlockScreen)
            assert " ".join(SCANNED_BEFORE_SIGN_IN.split()[:4]) in screen_text(app)
            assert app.screen.query_one("#signin-pin", Field).value == ""  # the next scan or PIN starts clean
        row = staffed_desk.store.conn.execute(
            "SELECT failed_sign_ins FROM officials WHERE username = ?", (OFFICIAL[0],)
        ).fetchone()
        assert row[0] == 0
        await type_text(pilot, OFFICIAL[1])
        await pilot.press("enter")
        await settle(pilot)
        assert not app.locked


async def test_a_code_scanned_into_the_sign_in_name_is_said_at_its_enter(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """The scan's Enter moved on to the PIN and left the code in the name without a word until the
    PIN was typed (the lock screen says it at once); it is said at its Enter. The cursor still goes
    on to the PIN: a PIN typed from habit must not land in the name, in clear."""
    from counter_app.desk import SCANNED_BEFORE_SIGN_IN
    from tests.conftest import intake

    code = staffed_desk.receive(intake(), OFFICIAL[2]).code
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        name = app.screen.query_one("#signin-username", Field)
        pin = app.screen.query_one("#signin-pin", Field)
        assert name.error == SCANNED_BEFORE_SIGN_IN and pin.input.has_focus
        name.input.focus()
        await pilot.press("ctrl+u")
        await sign_in(pilot, OFFICIAL)
        assert app.official is not None and app.official.username == OFFICIAL[0]


async def test_a_code_scanned_into_the_sign_in_name_is_said_and_taken_out(app, staffed_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    """A receipt scanned into the name at sign-in (its Enter moves on to the PIN), then the PIN:
    the scan is said, the name field emptied and focused, and the name typed there signs in."""
    from counter_app.desk import SCANNED_BEFORE_SIGN_IN
    from tests.conftest import intake

    code = staffed_desk.receive(intake(), OFFICIAL[2]).code
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, code)
        await pilot.press("enter")
        await type_text(pilot, OFFICIAL[1])
        await pilot.press("enter")
        await settle(pilot)
        assert app.official is None
        assert " ".join(SCANNED_BEFORE_SIGN_IN.split()[:4]) in screen_text(app)
        name = app.screen.query_one("#signin-username", Field)
        assert name.value == "" and name.input.has_focus
        await sign_in(pilot, OFFICIAL)
        assert app.official is not None and app.official.username == OFFICIAL[0]


async def test_a_commune_name_typed_without_its_marks_is_asked_about_once(
    make_desk: Callable[..., Desk], output_dir: Path
) -> None:
    """ "xa Vinh Bao" was saved without a word and printed "ỦY BAN NHÂN DÂN XA VINH BAO" on every
    form. It is said under the field; saved again unchanged, it is kept as typed."""
    desk = make_desk(configure=False)
    app = make_app(desk)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for text in ("11410", "xa Vinh Bao", "", "2"):
            await type_text(pilot, text)
            await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SetupScreen) and not desk.settings.is_configured
        errors = {f.key: f.error for f in screen.fields}
        assert "chưa có dấu" in errors["commune_name"]
        await pilot.press("ctrl+s")  # as typed, on purpose
        await settle(pilot)
        assert desk.settings.commune_name == "xa Vinh Bao"
