"""First start: a kiosk with no administrator shows only the page that creates one (no
default PIN); every way home, the idle timeout included, leads back to it until then."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from retiscreen.settings import Settings
from retiscreen.ui.window import KioskWindow
from tests.ui.kiosk_driver import touch, type_into

PIN = "582913"


def _pin(qtbot: QtBot, window: KioskWindow, pin: str) -> None:
    window.setup_admin.pad.type_pin(pin)
    touch(qtbot, window.setup_admin.pad.ok)


def test_the_first_start_makes_the_administrator_choose_a_pin(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
) -> None:
    window = open_kiosk(make_settings(), admin=False, operator=False)
    page = window.setup_admin
    assert window.current is page
    window.go(window.home)  # the idle timeout and every cancel go home: not yet
    assert window.current is page
    _pin(qtbot, window, PIN)
    assert "name" in page.message.text()
    type_into(qtbot, page.name, "Grace Admin")
    _pin(qtbot, window, "123456")
    assert "run" in page.message.text()  # too easy to guess
    _pin(qtbot, window, PIN)
    assert "again" in page.hint.text()
    _pin(qtbot, window, "582914")
    assert "different" in page.message.text()
    assert window.ctx.service.store.accounts() == []
    _pin(qtbot, window, PIN)
    _pin(qtbot, window, PIN)
    assert window.current is window.home
    (account,) = window.ctx.service.store.accounts()
    assert (account.name, account.role) == ("Grace Admin", "admin")
    events = [e["event"] for e in window.ctx.service.store.audit_events()]
    assert "account_added" in events
    touch(qtbot, window.home.admin)
    window.admin_signin.pad.type_pin(PIN)
    touch(qtbot, window.admin_signin.pad.ok)
    qtbot.waitUntil(lambda: window.current is window.admin)
