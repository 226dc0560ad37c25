"""The on-screen keyboard: a touch-only kiosk can take a patient's details with it alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from retiscreen.domain import Laterality
from retiscreen.settings import Settings
from retiscreen.ui.keyboard import HIDE, NEXT, SHIFT, SPACE, OnScreenKeyboard
from retiscreen.ui.widgets import PinPad
from retiscreen.ui.window import KioskWindow
from tests.ui.kiosk_driver import WAIT_MS, sign_in, touch, wait_for_result


def tap(qtbot: QtBot, keyboard: OnScreenKeyboard, keys: Iterable[str]) -> None:
    for key in keys:
        touch(qtbot, keyboard.keys[key])


@pytest.fixture
def window(
    qtbot: QtBot, open_kiosk: Callable[..., KioskWindow], make_settings: Callable[..., Settings]
) -> KioskWindow:
    """A kiosk with an operator signed in, on the patient page."""
    opened = open_kiosk(make_settings())
    sign_in(qtbot, opened)
    return opened


def bottom_on_page(widget: QWidget, page: QWidget) -> int:
    return widget.mapTo(page, QPoint(0, widget.height())).y()


def test_a_screening_typed_on_the_screen_keyboard_alone(qtbot: QtBot, window: KioskWindow) -> None:
    page = window.patient
    keyboard = page.keyboard
    assert keyboard.isVisible() and keyboard.target is page.patient_id
    # docked at the bottom, below every field and the sex choice
    assert keyboard.geometry().bottom() == page.height() - 1
    assert keyboard.geometry().top() >= bottom_on_page(page.sex_buttons["Female"], page)

    tap(qtbot, keyboard, [SHIFT, "m", "r", "n", SHIFT, "-", "7", "7", "⌫"])
    assert page.patient_id.text() == "MRN-7"
    assert not page.patient_id.was_scanned
    tap(qtbot, keyboard, [NEXT])
    assert keyboard.target is page.name
    tap(qtbot, keyboard, [SHIFT, "l", SHIFT, "u", "c", "´", "i", "a", SPACE])
    tap(qtbot, keyboard, [SHIFT, "p", SHIFT, "´", "e", "r", "e", "z", "´", "´", "¨", "u"])
    assert page.name.text() == "Lucía Pérezü"  # ´ twice cancels; ¨ then u gives ü
    tap(qtbot, keyboard, ["⌫", NEXT])
    tap(qtbot, keyboard, "02/03/1961")
    assert page.dob.text() == "02/03/1961"
    touch(qtbot, page.sex_buttons["Female"])
    tap(qtbot, keyboard, [NEXT])  # on the last field: closes and submits
    assert not keyboard.isVisible()
    qtbot.waitUntil(lambda: window.current is window.confirm, timeout=WAIT_MS)

    confirm = window.confirm
    assert confirm.keyboard.isVisible() and confirm.keyboard.target is confirm.patient_id
    tap(qtbot, confirm.keyboard, ["m", "r", "n", "-", "7", NEXT, *"1961-03-02", NEXT])
    qtbot.waitUntil(lambda: window.current is window.capture, timeout=WAIT_MS)
    assert not confirm.keyboard.isVisible()
    assert window.draft is not None and window.draft.patient is not None
    patient = window.draft.patient
    assert (patient.patient_id, patient.name, str(patient.date_of_birth), patient.sex) == (
        "MRN-7",
        "Lucía Pérez",
        "1961-03-02",
        "Female",
    )

    capture = window.capture
    touch(qtbot, capture.skip)
    assert not capture.keyboard.isVisible()  # the preset reasons need no typing
    qtbot.mouseClick(capture.other_reason, Qt.MouseButton.LeftButton)
    assert capture.keyboard.isVisible()
    assert capture.keyboard.geometry().top() >= bottom_on_page(capture.other_ok, capture)
    tap(qtbot, capture.keyboard, [SHIFT, "c", SHIFT, *"orneal", SPACE, *"scar", NEXT])
    qtbot.waitUntil(lambda: capture.side == Laterality.LEFT, timeout=WAIT_MS)
    assert not capture.keyboard.isVisible()
    touch(qtbot, capture.skip)
    touch(qtbot, capture.skip_buttons[0][1])
    wait_for_result(qtbot, window)
    store = window.ctx.service.store
    screening = store.load_screening(store.history()[0]["screening_id"])
    right = screening.eye(Laterality.RIGHT)
    assert right is not None and right.skipped_reason == "Corneal scar"


def test_a_mismatch_on_the_confirm_page_stays_visible(qtbot: QtBot, window: KioskWindow) -> None:
    page = window.patient
    tap(qtbot, page.keyboard, ["4", "2", NEXT, "a", "n", "a", NEXT, *"1970-01-01", NEXT])
    qtbot.waitUntil(lambda: window.current is window.confirm, timeout=WAIT_MS)
    confirm = window.confirm
    tap(qtbot, confirm.keyboard, ["4", "3", NEXT, *"1970-01-01", NEXT])
    assert window.current is confirm
    assert confirm.message.isVisible() and not confirm.keyboard.isVisible()
    assert "does not match" in confirm.message.text()
    touch(qtbot, confirm.back)
    qtbot.waitUntil(lambda: window.current is window.patient, timeout=WAIT_MS)
    assert page.keyboard.isVisible() and not confirm.keyboard.isVisible()
    tap(qtbot, page.keyboard, [SHIFT, HIDE])
    assert not page.keyboard.isVisible()
    qtbot.mouseClick(page.name, Qt.MouseButton.LeftButton)  # touching a field brings it back
    assert page.keyboard.isVisible() and page.keyboard.target is page.name
    assert not page.keyboard.shift and page.keyboard.keys["q"].text() == "q"


def test_every_text_field_has_the_screen_keyboard(qtbot: QtBot, window: KioskWindow) -> None:
    """Every text box of every page, administration included, is typed on a keyboard of
    the kiosk's own (PIN boxes on their keypad)."""
    covered = {id(f) for k in window.findChildren(OnScreenKeyboard) for f in k.fields}
    covered |= {id(pad.display) for pad in window.findChildren(PinPad)}
    uncovered = [
        (type(field.parentWidget()).__name__, field.placeholderText())
        for field in window.findChildren(QLineEdit)
        if id(field) not in covered and not field.isReadOnly() and field.parent() is not None
        and type(field.parent()).__name__ not in {"QSpinBox", "QComboBox", "QAbstractSpinBox"}
    ]  # fmt: skip
    assert uncovered == []


def test_the_keys_names_and_addresses_need(qtbot: QtBot, window: KioskWindow) -> None:
    """@ _ ç ñ and the accents of Spanish, Portuguese and French: à â ã é ü."""
    keyboard = window.patient.keyboard
    field = window.patient.name
    field.clear()
    keyboard.open_for(field)
    for key in ["j", "o", "~", "a", "o", "@", "_", "ç", "ñ", "`", "a", "^", "a", "´", "e",
                "¨", "u", SHIFT, "~", "o"]:  # fmt: skip
        touch(qtbot, keyboard.keys[key])
    assert field.text() == "joão@_çñàâéüÕ"
