"""The kiosk and the clinic's systems: "Pick from today's list" fills the patient from a
real worklist (Orthanc) and the screening is filed under that order; an unreachable
worklist falls back to typing; a send the PACS did not take is shown on the home page
until it goes through."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from retiscreen.settings import Settings
from retiscreen.ui.window import KioskWindow
from tests.integration.orthanc_fixture import Orthanc, free_port, orthanc, schedule
from tests.ui import images
from tests.ui.kiosk_driver import (
    WAIT_MS,
    confirm_patient,
    enter_patient,
    photograph_both_eyes,
    sign_in,
    stage,
    touch,
)

__all__ = ["orthanc"]


def today() -> str:
    from datetime import date

    return date.today().strftime("%Y%m%d")


def test_a_patient_picked_from_the_worklist_is_screened_under_its_order(
    qtbot: QtBot,
    orthanc: Orthanc,
    make_settings: Callable[..., Settings],
    open_kiosk: Callable[..., KioskWindow],
    camera_dir: Path,
) -> None:
    for old in orthanc.worklist_dir.glob("*.wl"):
        old.unlink()
    study = schedule(orthanc, "MRN-41", "Silva^Joana", day=today(), accession="ACC-41")
    settings = make_settings(
        integration={
            "worklist": orthanc.destination,
            "dicom_destination": orthanc.destination,
            "send_after_screening": True,
        }
    )
    window = open_kiosk(settings)
    stage(camera_dir, *images.both_eyes())
    sign_in(qtbot, window)
    page = window.patient
    touch(qtbot, page.worklist_button)
    qtbot.waitUntil(lambda: page.worklist.count() == 1, timeout=WAIT_MS)
    item = page.worklist.item(0)
    assert "MRN-41" in item.text() and "Joana Silva" in item.text()
    page.worklist.itemClicked.emit(item)
    assert (page.patient_id.text(), page.name.text(), page.dob.text()) == (
        "MRN-41",
        "Joana Silva",
        "1961-04-03",
    )
    assert page.sex_buttons["Female"].isChecked()
    touch(qtbot, page.next)
    qtbot.waitUntil(lambda: window.current is window.confirm, timeout=WAIT_MS)
    # picked, not typed: the details are read back to the patient and confirmed once
    assert window.confirm.read_back and "3 April 1961" in window.confirm.details.text()
    touch(qtbot, window.confirm.ok)
    photograph_both_eyes(qtbot, window)
    (row,) = window.ctx.service.store.history()
    saved = window.ctx.service.store.load_screening(row["screening_id"])
    assert saved.order.study_uid == study and saved.order.accession_number == "ACC-41"
    assert (saved.patient.family_name, saved.patient.id_issuer) == ("Silva", "HOSP-NORTE")
    assert len(orthanc.instances_of_study(study)) == 3  # two photographs and the report


def test_an_unreachable_worklist_falls_back_to_typing(
    qtbot: QtBot, make_settings: Callable[..., Settings], open_kiosk: Callable[..., KioskWindow]
) -> None:
    window = open_kiosk(make_settings(integration={"worklist": f"MWL@127.0.0.1:{free_port()}"}))
    sign_in(qtbot, window)
    page = window.patient
    touch(qtbot, page.worklist_button)
    qtbot.waitUntil(lambda: "cannot be reached" in page.message.text(), timeout=WAIT_MS)
    assert "127.0.0.1" not in page.message.text()  # no address or error text for the nurse
    assert page.patient_id.isEnabled() and page.worklist_button.isEnabled()


def test_no_worklist_no_button(
    qtbot: QtBot, make_settings: Callable[..., Settings], open_kiosk: Callable[..., KioskWindow]
) -> None:
    window = open_kiosk(make_settings())
    sign_in(qtbot, window)
    assert not window.patient.worklist_button.isVisible()


def test_a_send_that_failed_shows_on_the_home_page(
    qtbot: QtBot,
    make_settings: Callable[..., Settings],
    open_kiosk: Callable[..., KioskWindow],
    camera_dir: Path,
) -> None:
    closed = f"PACS@127.0.0.1:{free_port()}"
    settings = make_settings(
        integration={"dicom_destination": closed, "send_after_screening": True, "timeout_s": 1.0}
    )
    window = open_kiosk(settings)
    stage(camera_dir, *images.both_eyes())
    sign_in(qtbot, window)
    enter_patient(qtbot, window, "MRN-7", "Ada Example", "1960-05-01")
    confirm_patient(qtbot, window, "MRN-7", "1960-05-01")
    photograph_both_eyes(qtbot, window)
    failing: list[Any] = window.ctx.service.failing_sends()
    assert len(failing) == 1 and "refused the connection" in failing[0]["last_error"]
    touch(qtbot, window.result.finish)
    qtbot.waitUntil(lambda: window.current is window.home, timeout=WAIT_MS)
    window.home.show_sends()
    text = window.home.send_status.text()
    assert "1 result(s) could not be sent" in text and "PACS@" not in text
