"""The rule pairing the hub address with its access code reaches the UI's first-run form: it goes
through the desk's ``setup`` and the settings' one change path, so the form shows it under the
field left empty, as the CLI says it."""

from __future__ import annotations

from collections.abc import Callable

from counter_app.desk import Desk
from counter_app.tui.app import make_app
from counter_app.tui.screens.first_run import SetupScreen
from tests.app.conftest import SIZE, settle, type_text


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
