"""Drives the kiosk the way an operator does: touches buttons, types into fields.

Each helper waits for the page it leads to, so a test reads like the screening.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from retiscreen.ui.window import KioskWindow
from tests.ui.conftest import OPERATOR

WAIT_MS = 20_000


def touch(qtbot: QtBot, widget: QPushButton) -> None:
    """A finger on the button: it must be visible, enabled and scrolled into view."""
    assert widget.isVisible() and widget.isEnabled(), f"cannot touch {widget.text()!r}"
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(widget)
        parent = parent.parentWidget()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    """Key presses for ASCII; other letters arrive as an input method would insert them
    (QTest cannot synthesise a key press for 'í')."""
    field.clear()
    for char in text:
        if char.isascii():
            qtbot.keyClicks(field, char)
        else:
            field.insert(char)


def sign_in(
    qtbot: QtBot, window: KioskWindow, name: str = OPERATOR[0], pin: str = OPERATOR[1]
) -> None:
    touch(qtbot, window.home.start)
    assert window.current is window.signin
    touch(qtbot, window.signin.operator_buttons[name])
    for digit in pin:
        qtbot.keyClicks(window.signin.pad.display, digit)
    touch(qtbot, window.signin.pad.ok)
    qtbot.waitUntil(lambda: window.current is window.patient, timeout=WAIT_MS)


def enter_patient(
    qtbot: QtBot,
    window: KioskWindow,
    patient_id: str,
    name: str,
    dob: str,
    sex: str | None = "Female",
) -> None:
    page = window.patient
    type_into(qtbot, page.patient_id, patient_id)
    type_into(qtbot, page.name, name)
    type_into(qtbot, page.dob, dob)
    touch(qtbot, page.sex_buttons[sex])
    touch(qtbot, page.next)


def confirm_patient(qtbot: QtBot, window: KioskWindow, patient_id: str, dob: str) -> None:
    type_into(qtbot, window.confirm.patient_id, patient_id)
    type_into(qtbot, window.confirm.dob, dob)
    touch(qtbot, window.confirm.ok)


def take_photo(qtbot: QtBot, window: KioskWindow) -> None:
    """Touch "Take photograph" and wait for the quality verdict."""
    touch(qtbot, window.capture.take)
    qtbot.waitUntil(lambda: window.capture.state == "verdict", timeout=WAIT_MS)


def wait_for_result(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.waitUntil(lambda: window.current is window.result, timeout=60_000)
    qtbot.waitUntil(lambda: not window.ctx.workers.busy, timeout=60_000)


def photograph_both_eyes(qtbot: QtBot, window: KioskWindow) -> None:
    """From the right eye's capture page: take and use a photograph of each eye, then wait
    for the result page."""
    for _ in range(2):
        take_photo(qtbot, window)
        touch(qtbot, window.capture.use)
    wait_for_result(qtbot, window)


def screen_patient(
    qtbot: QtBot,
    window: KioskWindow,
    patient_id: str = "MRN-1001",
    name: str = "Ada Example",
    dob: str = "1960-05-01",
    signed_in: bool = False,
) -> None:
    """A whole screening from the home page to the result page (the camera folder must
    hold two photographs)."""
    if signed_in:
        touch(qtbot, window.home.start)
        qtbot.waitUntil(lambda: window.current is window.patient, timeout=WAIT_MS)
    else:
        sign_in(qtbot, window)
    enter_patient(qtbot, window, patient_id, name, dob)
    confirm_patient(qtbot, window, patient_id, dob)
    photograph_both_eyes(qtbot, window)


def visible_texts(root: QWidget) -> list[str]:
    """Every text any label or field under ``root`` holds (shown or not)."""
    texts = [w.text() for w in root.findChildren(QLabel)]
    texts += [w.text() for w in root.findChildren(QLineEdit)]
    return [t for t in texts if t]


def stage(folder: Path, *files: tuple[str, bytes]) -> None:
    for name, data in files:
        (folder / name).write_bytes(data)
