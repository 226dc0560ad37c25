"""How many touches a screening takes (#13 item 9): a returning patient found by a search,
or picked from the clinic's worklist, with two good photographs, in at most 25.

Each test drives the real kiosk window as a nurse's finger would: every button, list row
and key of the on-screen keyboard is pressed where it is drawn (a control covered by the
keyboard or another widget cannot be pressed), and every press is counted, the PIN's
digits on the keypad included. An application-wide event filter counts the mouse presses
that really arrived, so no step can be taken without being counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QApplication, QListWidget, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from retiscreen.settings import Settings
from retiscreen.ui.keyboard import NEXT, SHIFT, SPACE
from retiscreen.ui.window import KioskWindow
from tests.integration.orthanc_fixture import Orthanc, orthanc, schedule
from tests.support.builders import make_screening
from tests.ui import images
from tests.ui.conftest import OPERATOR
from tests.ui.kiosk_driver import WAIT_MS, stage, wait_for_result

__all__ = ["orthanc"]

MOST_TAPS = 25
"""#13 item 9: a returning patient and two good photographs take at most this many."""


class PressCounter(QObject):
    """Counts every mouse press the application receives (on any widget)."""

    def __init__(self) -> None:
        super().__init__()
        self.presses = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(watched, QWidget):
            self.presses += 1  # every control touched here accepts the press
        return False


class Finger:
    """Touches controls where they are drawn, counting each touch."""

    def __init__(self, qtbot: QtBot, window: KioskWindow) -> None:
        self.qtbot, self.window = qtbot, window
        self.taps = 0
        self.steps: list[str] = []

    def _press(self, target: QWidget, at: QPoint, what: str) -> None:
        top = self.window.childAt(target.mapTo(self.window, at))
        assert top is not None and (top is target or target.isAncestorOf(top)), (
            f"{what} is covered by {type(top).__name__} "
            f"{getattr(top, 'text', lambda: '')()!r}: a finger cannot reach it"
        )
        self.qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=at)
        self.taps += 1
        self.steps.append(what)

    def tap(self, widget: QWidget, what: str = "") -> None:
        assert widget.isVisible() and widget.isEnabled(), f"cannot touch {what or widget}"
        label = what or (
            widget.text() if isinstance(widget, QPushButton) else type(widget).__name__
        )
        self._press(widget, widget.rect().center(), label)

    def tap_row(self, rows: QListWidget, row: int) -> None:
        item = rows.item(row)
        assert item is not None and rows.isVisible()
        self._press(rows.viewport(), rows.visualItemRect(item).center(), f"row {item.text()!r}")

    def type_keys(self, page: QWidget, text: str) -> None:
        """Type on the page's on-screen keyboard, pressing Shift before each capital."""
        keyboard = page.keyboard  # type: ignore[attr-defined]
        for char in text:
            if char.isupper() != keyboard.shift:
                self.tap(keyboard.keys[SHIFT], "⇧")
            key = SPACE if char == " " else char.lower()
            self.tap(keyboard.keys[key], key)

    def next_key(self, page: QWidget) -> None:
        self.tap(page.keyboard.keys[NEXT], "Next")  # type: ignore[attr-defined]

    def pin(self, window: KioskWindow, digits: str) -> None:
        keys = {
            b.text(): b for b in window.signin.pad.findChildren(QPushButton) if b.text().isdigit()
        }
        for digit in digits:
            self.tap(keys[digit], f"PIN digit {digit}")

    def sign_in(self, window: KioskWindow) -> None:
        self.tap(window.home.start)
        self.tap(window.signin.operator_buttons[OPERATOR[0]])
        self.pin(window, OPERATOR[1])
        self.tap(window.signin.pad.ok)
        self.qtbot.waitUntil(lambda: window.current is window.patient, timeout=WAIT_MS)

    def photograph_both_eyes(self, window: KioskWindow) -> None:
        for _ in range(2):
            self.tap(window.capture.take)
            self.qtbot.waitUntil(lambda: window.capture.state == "verdict", timeout=WAIT_MS)
            assert window.capture.capture is not None and window.capture.capture.gradable
            self.tap(window.capture.use)
        wait_for_result(self.qtbot, window)


@pytest.fixture
def finger(qtbot: QtBot) -> Iterator[Callable[[KioskWindow], Finger]]:
    counter = PressCounter()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(counter)
    made: list[Finger] = []

    def make(window: KioskWindow) -> Finger:
        made.append(Finger(qtbot, window))
        return made[-1]

    yield make
    app.removeEventFilter(counter)
    assert counter.presses == sum(f.taps for f in made), "a press was not counted"


def _saved(window: KioskWindow) -> tuple[str, str]:
    (row, *_older) = window.ctx.service.store.history()
    return row["patient_id"], row["decision_kind"]


def test_a_returning_patient_found_by_search_takes_at_most_25_taps(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
    finger: Callable[[KioskWindow], Finger],
    record_property: Callable[[str, object], None],
) -> None:
    window = open_kiosk(make_settings())
    store = window.ctx.service.store
    store.save_screening(make_screening("S-LAST-YEAR", patient_id="MRN-2040", name="Ada Example"))
    store.save_screening(make_screening("S-OTHER", patient_id="MRN-2041", name="Bea Other"))
    stage(camera_dir, *images.both_eyes())
    nurse = finger(window)

    nurse.sign_in(window)
    page = window.patient
    nurse.tap(page.search, "search box")
    nurse.type_keys(page, "ada")
    qtbot.waitUntil(lambda: page.worklist.count() == 1, timeout=WAIT_MS)
    assert "Ada Example" in page.worklist.item(0).text()
    assert "17 May 1961" in page.worklist.item(0).text()  # the date in words
    nurse.tap_row(page.worklist, 0)
    assert (page.patient_id.text(), page.name.text()) == ("MRN-2040", "Ada Example")
    nurse.tap(page.next)
    assert window.current is window.confirm and window.confirm.read_back
    shown = window.confirm.details.text()
    assert "MRN-2040" in shown and "17 May 1961" in shown
    assert "Ada Example" in window.confirm.name.text()
    assert not window.confirm.patient_id.isVisible()  # nothing to type again
    nurse.tap(window.confirm.ok)  # "Yes, this is the patient"
    nurse.photograph_both_eyes(window)

    record_property("taps", nurse.taps)
    record_property("steps", nurse.steps)
    assert nurse.taps <= MOST_TAPS, nurse.steps
    assert nurse.taps == 18, nurse.steps  # 7 sign-in, 6 search, 1 confirm, 4 photographs
    assert _saved(window)[0] == "MRN-2040"
    qtbot.waitUntil(lambda: not window.ctx.workers.busy)
    confirmed = [
        e for e in window.ctx.service.store.audit_events() if e["event"] == "patient_confirmed"
    ]
    assert [(e["detail"]["method"], e["detail"]["picked_from"]) for e in confirmed] == [
        ("read_back", "records")
    ]


def test_a_patient_from_the_worklist_takes_at_most_25_taps(
    qtbot: QtBot,
    orthanc: Orthanc,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
    finger: Callable[[KioskWindow], Finger],
    record_property: Callable[[str, object], None],
) -> None:
    for old in orthanc.worklist_dir.glob("*.wl"):
        old.unlink()
    schedule(orthanc, "MRN-77", "Silva^Joana", day=date.today().strftime("%Y%m%d"))
    window = open_kiosk(make_settings(integration={"worklist": orthanc.destination}))
    stage(camera_dir, *images.both_eyes())
    nurse = finger(window)

    nurse.sign_in(window)
    page = window.patient
    nurse.tap(page.worklist_button)
    qtbot.waitUntil(lambda: page.worklist.count() == 1, timeout=WAIT_MS)
    nurse.tap_row(page.worklist, 0)
    nurse.tap(page.next)
    assert window.current is window.confirm and window.confirm.read_back
    assert "3 April 1961" in window.confirm.details.text()
    nurse.tap(window.confirm.ok)
    nurse.photograph_both_eyes(window)

    record_property("taps", nurse.taps)
    assert nurse.taps <= MOST_TAPS, nurse.steps
    assert nurse.taps == 15, nurse.steps  # 7 sign-in, 3 worklist, 1 confirm, 4 photographs
    assert _saved(window)[0] == "MRN-77"


def test_a_new_patient_typed_by_hand_still_types_id_and_birth_date_twice(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
    finger: Callable[[KioskWindow], Finger],
    record_property: Callable[[str, object], None],
) -> None:
    """Nobody checked typed details against a record, so the second entry stays: the
    count is measured (and recorded), not bounded; a wristband scanner saves the IDs."""
    window = open_kiosk(make_settings())
    stage(camera_dir, *images.both_eyes())
    nurse = finger(window)

    nurse.sign_in(window)
    page = window.patient
    nurse.type_keys(page, "MRN-3001")  # the keyboard opens on the ID field
    nurse.next_key(page)
    nurse.type_keys(page, "Ada Example")
    nurse.next_key(page)
    nurse.type_keys(page, "1960-05-01")
    nurse.tap(page.sex_buttons["Female"])  # above the keyboard
    nurse.next_key(page)  # on the last field: submits
    confirm = window.confirm
    assert window.current is confirm and not confirm.read_back
    nurse.type_keys(confirm, "MRN-3001")
    nurse.next_key(confirm)
    nurse.type_keys(confirm, "1960-05-01")
    nurse.next_key(confirm)  # on the last field: confirms
    nurse.photograph_both_eyes(window)

    record_property("taps", nurse.taps)
    assert nurse.taps == 72, nurse.steps
    assert _saved(window)[0] == "MRN-3001"


def test_a_search_lists_only_what_it_matches_and_is_audited_without_the_text(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
) -> None:
    window = open_kiosk(make_settings())
    store = window.ctx.service.store
    store.save_screening(make_screening("S-1", patient_id="MRN-9001", name="José García López"))
    store.save_screening(make_screening("S-2", patient_id="MRN-9002", name="Ana Garcés"))
    service = window.ctx.service
    assert [p.patient_id for p in service.find_patients("garcia", "Ana")] == ["MRN-9001"]
    assert {p.patient_id for p in service.find_patients("GARC", "Ana")} == {
        "MRN-9001",
        "MRN-9002",
    }
    assert [p.patient_id for p in service.find_patients("jose lop", "Ana")] == ["MRN-9001"]
    assert [p.patient_id for p in service.find_patients("mrn 9002", "Ana")] == ["MRN-9002"]
    assert service.find_patients("g", "Ana") == []  # one letter lists nobody
    assert service.find_patients("nobody", "Ana") == []
    searched = [e for e in store.audit_events() if e["event"] == "patients_searched"]
    assert len(searched) == 4 and searched[0]["detail"]["patients"] == ["MRN-9001"]
    assert all("garc" not in str(e["detail"]).lower() for e in searched)


def test_a_picked_patient_changed_by_hand_is_typed_twice(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
) -> None:
    """Editing the details of a picked patient makes them typed details: read-back no
    longer applies (the ID then belongs to the record on file, which refuses another name)."""
    window = open_kiosk(make_settings())
    window.ctx.service.store.save_screening(make_screening("S-1", patient_id="MRN-5"))
    from tests.ui.kiosk_driver import sign_in, touch, type_into

    sign_in(qtbot, window)
    page = window.patient
    type_into(qtbot, page.search, "Ada")
    qtbot.waitUntil(lambda: page.worklist.count() == 1, timeout=WAIT_MS)
    page.worklist.itemClicked.emit(page.worklist.item(0))
    type_into(qtbot, page.dob, "1961-05-18")
    touch(qtbot, page.next)
    assert window.current is window.confirm and not window.confirm.read_back
    assert window.confirm.patient_id.isVisible()
