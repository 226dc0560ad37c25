"""The administration screen behind the admin PIN, and the kiosk's locked exit."""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from retiscreen.accounts import Role
from retiscreen.settings import Settings, load_settings
from retiscreen.store.accounts import MAX_FAILURES
from retiscreen.ui.keyboard import NEXT
from retiscreen.ui.window import KioskWindow
from tests.support.referrals import save_referrals
from tests.ui import images
from tests.ui.conftest import ADMIN, ADMIN_PIN
from tests.ui.kiosk_driver import (
    screen_patient,
    sign_in,
    stage,
    touch,
    type_into,
)

OpenKiosk = Callable[..., KioskWindow]
MakeSettings = Callable[..., Settings]


def admin_sign_in(qtbot: QtBot, window: KioskWindow, pin: str = ADMIN_PIN) -> None:
    """Touch Administration, type ``pin``, wait for the answer (the only administrator
    is chosen already)."""
    if window.current is not window.admin_signin:
        touch(qtbot, window.home.admin)
    assert window.current is window.admin_signin
    type_pin(qtbot, window, pin)


def type_pin(qtbot: QtBot, window: KioskWindow, pin: str) -> None:
    page = window.admin_signin
    page.message.clear_message()
    page.pad.type_pin(pin)
    touch(qtbot, page.pad.ok)
    qtbot.waitUntil(lambda: window.current is window.admin or bool(page.message.text()))


def screen_one(qtbot: QtBot, window: KioskWindow, camera_dir: Path) -> None:
    stage(camera_dir, *images.both_eyes())
    screen_patient(qtbot, window, "MRN-ADM", "Hist Ory", "1944-12-31")
    touch(qtbot, window.result.finish)


def test_the_kiosk_cannot_be_closed_without_the_admin_pin(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
) -> None:
    window = open_kiosk(make_settings())
    window.close()
    assert window.isVisible()
    admin_sign_in(qtbot, window, "111111")
    assert window.current is window.admin_signin
    assert "Wrong PIN" in window.admin_signin.message.text()
    for _ in range(MAX_FAILURES - 1):
        type_pin(qtbot, window, "111111")
    assert "Too many wrong PINs" in window.admin_signin.message.text()
    assert not window.admin_signin.pad.isEnabled()
    window.admin_signin._unlocked()
    type_pin(qtbot, window, ADMIN_PIN)  # locked in the database: even the right PIN fails
    assert window.current is window.admin_signin and "Wait" in window.admin_signin.message.text()
    store = window.ctx.service.store
    store.set_pin_hash(ADMIN[0], store.account(ADMIN[0]).pin_hash, by="test")  # type: ignore[union-attr]
    window.admin_signin._unlocked()
    type_pin(qtbot, window, ADMIN_PIN)
    assert window.current is window.admin
    exit_button = window.admin.exit_button
    touch(qtbot, exit_button)
    assert window.isVisible() and "again" in exit_button.text()
    touch(qtbot, exit_button)
    assert not window.isVisible()


def test_settings_are_saved_to_the_file_and_applied(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    tmp_path: Path,
) -> None:
    window = open_kiosk(make_settings())
    admin_sign_in(qtbot, window)
    tab = window.admin.settings_tab
    type_into(qtbot, tab.clinic_name, "Clinica Norte")
    for _ in range(2):
        touch(qtbot, tab.idle.minus)
    touch(qtbot, tab.refer.minus)
    touch(qtbot, tab.language_buttons["es"])
    touch(qtbot, tab.save)
    assert tab.message.level == "ok", tab.message.text()
    document = tomllib.loads((tmp_path / "settings.toml").read_text())
    assert document["clinic"] == {"name": "Clinica Norte"}
    assert document["kiosk"] == {"idle_timeout_s": 570, "language": "es"}
    assert document["rules"] == {"refer_months": 2}
    loaded = load_settings(tmp_path / "settings.toml", environ={})
    assert loaded.kiosk.idle_timeout_s == 570 and loaded.rules.refer_months == 2
    # applied at once to the running kiosk
    assert window.ctx.settings.clinic.name == "Clinica Norte"
    assert window.ctx.service.pipeline.rules.refer_months == 2
    assert window.idle.timeout_ms == 570_000
    assert window.clinic_label.text() == "Clinica Norte"
    touch(qtbot, tab.save)
    assert "Nothing changed" in tab.message.text()


def test_history_search_reprint_and_csv_export(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
    tmp_path: Path,
) -> None:
    window = open_kiosk(make_settings())
    screen_one(qtbot, window, camera_dir)
    admin_sign_in(qtbot, window)
    window.admin.tabs.setCurrentIndex(1)
    history = window.admin.history_tab
    qtbot.waitUntil(lambda: history.table.rowCount() == 1)
    assert history.table.item(0, 1).text() == "MRN-ADM"
    type_into(qtbot, history.search, "nobody")
    touch(qtbot, history.find_button)
    qtbot.waitUntil(lambda: history.table.rowCount() == 0)
    qtbot.mouseClick(history.search, Qt.MouseButton.LeftButton)  # a touch-only kiosk
    assert history.keyboard.isVisible()
    for key in ["⌫"] * len("nobody") + list("hist") + [NEXT]:
        touch(qtbot, history.keyboard.keys[key])
    assert not history.keyboard.isVisible()  # the results show
    qtbot.waitUntil(lambda: history.table.rowCount() == 1)

    history.table.selectRow(0)
    touch(qtbot, history.reprint)
    qtbot.waitUntil(lambda: history.message.level in {"ok", "warning"}, timeout=30_000)
    store = window.ctx.service.store
    screening_id = store.history()[0]["screening_id"]
    assert len(store.reports_for(screening_id)) == 2  # a reprint is a new report

    usb = tmp_path / "usb"
    usb.mkdir()
    history.export_to(usb)
    qtbot.waitUntil(lambda: "Exported" in history.message.text(), timeout=10_000)
    (exported,) = usb.glob("retiscreen-export-*.csv")
    rows = list(csv.DictReader(exported.read_text(encoding="utf-8-sig").splitlines()))
    assert {r["patient_id"] for r in rows} == {"MRN-ADM"} and len(rows) == 2

    touch(qtbot, window.admin.close_button)
    assert window.current is window.home
    assert history.table.rowCount() == 0  # no patient list left behind


def test_operators_model_information_and_self_test(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
) -> None:
    window = open_kiosk(make_settings(), operator=False)
    touch(qtbot, window.home.start)
    assert list(window.signin.operator_buttons) == [ADMIN[0]]  # every role may screen
    touch(qtbot, window.signin.back)
    admin_sign_in(qtbot, window)
    system = window.admin.system_tab
    window.admin.tabs.setCurrentWidget(system)
    grader = window.ctx.service.pipeline.grader
    assert grader is not None
    identity = grader.model.identity
    info = system.model_info.text().replace(" ", "")
    assert identity.name in system.model_info.text() and identity.sha256 in info
    assert "CPUExecutionProvider" in system.model_info.text()

    type_into(qtbot, system.new_name, "Bea")
    type_into(qtbot, system.new_pin, "12")
    touch(qtbot, system.add_operator)
    assert system.operator_message.level == "error"
    type_into(qtbot, system.new_pin, "3579")
    touch(qtbot, system.role_buttons[Role.REVIEWER])
    touch(qtbot, system.add_operator)
    assert "6 to 12 digits" in system.operator_message.text()  # a reviewer needs 6
    type_into(qtbot, system.new_pin, "135790")
    touch(qtbot, system.add_operator)
    listed = [system.operator_list.item(i).text() for i in range(system.operator_list.count())]
    assert listed == [f"{ADMIN[0]} (Administrator)", "Bea (Reviewer)"]
    system.operator_list.setCurrentRow(0)
    touch(qtbot, system.remove_operator)
    assert "only administrator" in system.operator_message.text()
    added = [e for e in window.ctx.service.store.audit_events() if e["event"] == "account_added"]
    assert added[-1]["operator"] == ADMIN[0] and added[-1]["detail"]["role"] == "reviewer"

    touch(qtbot, system.self_test)
    qtbot.waitUntil(
        lambda: system.self_test.isEnabled() and "Self-test" in system.test_message.text(),
        timeout=60_000,
    )
    assert "positive control" in system.test_details.text()
    assert "model signature" in system.test_details.text()

    touch(qtbot, window.admin.close_button)
    sign_in(qtbot, window, "Bea", "135790")
    assert window.operator == "Bea"


def test_printer_test_page(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    tmp_path: Path,
) -> None:
    """The test page is a real PDF; with the CUPS test queue it is sent, else the
    failure is explained."""
    from retiscreen.report.printing import printer_ready
    from retiscreen.ui.pages.admin_settings import write_test_page

    pdf = write_test_page(tmp_path / "page.pdf", "Clinica Norte")
    assert pdf.read_bytes().startswith(b"%PDF")
    queue = "retiscreen-test-pdf"
    ready = printer_ready(queue)
    window = open_kiosk(make_settings(report={"printer": queue if ready else "retiscreen-nope"}))
    admin_sign_in(qtbot, window)
    tab = window.admin.settings_tab
    touch(qtbot, tab.test_page)
    qtbot.waitUntil(lambda: tab.message.level in {"ok", "error"}, timeout=30_000)
    if ready:
        assert "Test page sent" in tab.message.text(), tab.message.text()
    else:
        assert "could not be printed" in tab.message.text()


def test_referrals_are_listed_filtered_and_marked(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: MakeSettings
) -> None:
    """Three referrals from March (long overdue) and one routine screening: the tab lists
    the three; "Attended" on one records it under the administrator's name."""
    window = open_kiosk(make_settings())
    store = window.ctx.service.store
    save_referrals(store)
    admin_sign_in(qtbot, window)
    tab = window.admin.referrals_tab
    window.admin.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 3)
    assert {tab.table.item(row, 4).text() for row in range(3)} == {"OVERDUE"}
    assert tab.table.item(0, 0).text() == "18 March 2026"  # the urgent one, due in 2 weeks
    touch(qtbot, tab.attended)
    assert "First touch a patient" in tab.message.text()
    tab.table.selectRow(0)
    touch(qtbot, tab.attended)
    qtbot.waitUntil(lambda: tab.table.item(0, 4).text() == "attended")
    (marked,) = [e for e in store.audit_events() if e["event"] == "referral_marked"]
    assert marked["operator"] == ADMIN[0] and marked["detail"]["outcome"] == "attended"
    touch(qtbot, tab.overdue_only)
    assert tab.table.rowCount() == 2
    touch(qtbot, window.admin.close_button)
    assert tab.table.rowCount() == 0  # no patient list left behind


def test_the_site_monitor_alerts_show_on_the_system_tab(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: MakeSettings
) -> None:
    window = open_kiosk(make_settings())
    save_referrals(window.ctx.service.store)  # March 2026: older than the 8 weeks shown
    admin_sign_in(qtbot, window)
    system = window.admin.system_tab
    window.admin.tabs.setCurrentWidget(system)
    # the 3 overdue referrals count whenever they were made; the March rates do not
    qtbot.waitUntil(lambda: "past their due date" in system.monitor_alerts.text(), timeout=10_000)
    assert system.monitor_alerts.level == "warning"
    assert "3 referred patients" in system.monitor_alerts.text()
    assert "could not be graded" not in system.monitor_alerts.text()
