"""The exclusion questions before the photographs, where the site turns them on
(``[capture] exclusion_questions``): yes to either refers the patient without screening,
recorded with the reason; no to both goes on to the camera, still within 25 touches."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from retiscreen.domain import DecisionKind, Exclusion
from retiscreen.settings import Settings
from retiscreen.ui.window import KioskWindow
from tests.support.builders import make_screening
from tests.ui import images
from tests.ui.kiosk_driver import (
    WAIT_MS,
    confirm_patient,
    enter_patient,
    sign_in,
    stage,
    touch,
    wait_for_result,
)
from tests.ui.test_kiosk_taps import MOST_TAPS, Finger, finger

__all__ = ["finger"]
OpenKiosk = Callable[..., KioskWindow]


def to_the_questions(qtbot: QtBot, window: KioskWindow) -> None:
    sign_in(qtbot, window)
    enter_patient(qtbot, window, "MRN-Q", "Quinn Question", "1950-01-02")
    confirm_patient(qtbot, window, "MRN-Q", "1950-01-02")
    assert window.current is window.exclusion


def test_the_questions_are_not_asked_unless_the_site_asks_them(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: Callable[..., Settings]
) -> None:
    window = open_kiosk(make_settings())
    sign_in(qtbot, window)
    enter_patient(qtbot, window, "MRN-Q", "Quinn Question", "1950-01-02")
    confirm_patient(qtbot, window, "MRN-Q", "1950-01-02")
    assert window.current is window.capture


@pytest.mark.parametrize(
    ("question", "kind", "words"),
    [
        (Exclusion.SUDDEN_VISION_LOSS, DecisionKind.URGENT, "TODAY"),
        (Exclusion.TREATED, DecisionKind.REFER, "already being treated"),
    ],
)
def test_yes_refers_without_photographs(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: Callable[..., Settings],
    question: Exclusion,
    kind: DecisionKind,
    words: str,
) -> None:
    window = open_kiosk(make_settings(capture={"exclusion_questions": True}))
    to_the_questions(qtbot, window)
    page = window.exclusion
    assert not page.go_on.isEnabled()  # each question needs its answer
    touch(qtbot, page.yes[question])
    assert page.message.level in ("error", "warning")
    touch(qtbot, page.go_on)
    wait_for_result(qtbot, window)
    assert window.result.light.kind is kind
    store = window.ctx.service.store
    (row,) = store.history()
    saved = store.load_screening(row["screening_id"])
    assert saved.exclusion is question and saved.decision.kind is kind
    assert all(eye.image is None for eye in saved.eyes)
    assert any(words in text for text in _texts(window))
    window.ctx.workers.wait()
    answered = [e for e in store.audit_events() if e["event"] == "exclusion_questions_answered"]
    assert [e["detail"]["exclusion"] for e in answered] == [question.value]


def test_no_to_both_photographs_as_usual_in_at_most_25_taps(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: Callable[..., Settings],
    camera_dir: Path,
    finger: Callable[[KioskWindow], Finger],
    record_property: Callable[[str, object], None],
) -> None:
    window = open_kiosk(make_settings(capture={"exclusion_questions": True}))
    window.ctx.service.store.save_screening(make_screening("S-OLD", patient_id="MRN-8"))
    stage(camera_dir, *images.both_eyes())
    nurse = finger(window)
    nurse.sign_in(window)
    page = window.patient
    nurse.tap(page.search, "search box")
    nurse.type_keys(page, "ada")
    qtbot.waitUntil(lambda: page.worklist.count() == 1, timeout=WAIT_MS)
    nurse.tap_row(page.worklist, 0)
    nurse.tap(page.next)
    nurse.tap(window.confirm.ok)
    questions = window.exclusion
    assert window.current is questions
    for question in (Exclusion.TREATED, Exclusion.SUDDEN_VISION_LOSS):
        nurse.tap(questions.no[question])
    nurse.tap(questions.go_on)
    assert window.current is window.capture
    nurse.photograph_both_eyes(window)
    record_property("taps", nurse.taps)
    assert nurse.taps <= MOST_TAPS and nurse.taps == 21, nurse.steps
    (row,) = [r for r in window.ctx.service.store.history() if r["screening_id"] != "S-OLD"]
    assert window.ctx.service.store.load_screening(row["screening_id"]).exclusion is None


def _texts(window: KioskWindow) -> list[str]:
    from tests.ui.kiosk_driver import visible_texts

    return visible_texts(window)
