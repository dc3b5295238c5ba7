"""A supervisor's change is refused once the account is no longer a supervisor's, whatever the
session still believes: the desk reads the role in the change's own transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from counter_app.desk import Desk
from counter_app.domain.errors import RuleError
from tests.conftest import FixedClock


@pytest.fixture
def two_windows(make_desk: Callable[..., Desk], db_path: Any, clock: FixedClock) -> tuple[Desk, Desk]:
    """The UI's desk (Lan signed in as a supervisor) and the administrator's command line on the
    same file."""
    ui = make_desk()
    ui.add_official("lan", "Phạm Thị Lan", "supervisor", "2580")
    ui.add_official("hung", "Lê Văn Hùng", "supervisor", "3691")
    ui.add_official("minh", "Trần Văn Minh", "official", "4702")
    admin = make_desk(db_path, configure=False)
    return ui, admin


def changes(ui: Desk, clock: FixedClock) -> dict[str, Callable[[], object]]:
    monday = (clock.now + timedelta(days=7 - clock.now.weekday())).date()
    return {
        "add_official": lambda: ui.add_official("minh", "Trần Văn Minh", "supervisor", by="lan"),
        "set_official_active": lambda: ui.set_official_active("hung", False, by="lan"),
        "update_settings": lambda: ui.update_settings(counter_phone="0225 3888 999", by="lan"),
        "set_override": lambda: ui.set_override(monday, "day_off", "Bão", by="lan"),
    }


@pytest.mark.parametrize("what", ["demoted", "locked"])
def test_a_supervisor_demoted_or_locked_meanwhile_changes_nothing(
    two_windows: tuple[Desk, Desk], clock: FixedClock, what: str
) -> None:
    ui, admin = two_windows
    if what == "demoted":
        admin.add_official("lan", "Phạm Thị Lan", "official")
    else:
        admin.set_official_active("lan", False)
    before = (admin.officials(), admin.store.read_settings(), admin.overrides())
    for change in changes(ui, clock).values():
        with pytest.raises(RuleError, match="«lan» không còn quyền giám sát"):
            change()
    assert (admin.officials(), admin.store.read_settings(), admin.overrides()) == before


def test_a_supervisor_still_one_changes_and_the_command_line_needs_no_account(
    two_windows: tuple[Desk, Desk], clock: FixedClock
) -> None:
    ui, admin = two_windows
    for change in changes(ui, clock).values():
        change()
    assert ui.official_role("minh") == "supervisor"
    day = ui.overrides()[0].day
    assert ui.remove_override(day, by="lan")
    admin.set_official_active("lan", False)
    ui.set_override(day, "day_off", "Bão")  # the administrator's command line: by=None
    with pytest.raises(RuleError, match="không còn quyền giám sát"):
        ui.remove_override(day, by="lan")
    assert [o.day for o in admin.overrides()] == [day]
