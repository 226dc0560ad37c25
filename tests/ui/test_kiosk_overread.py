"""The over-read in the kiosk: a reviewer opens the queue and a screening, sees both
photographs, and agrees or amends; operators never reach it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from retiscreen.accounts import Role
from retiscreen.domain import (
    DecisionKind,
    FieldView,
    ICDRGrade,
    Laterality,
    Patient,
    ReviewOutcome,
)
from retiscreen.imaging.load import load_fundus
from retiscreen.pipeline import Pipeline
from retiscreen.settings import Settings, bundled_dir
from retiscreen.ui.keyboard import NEXT, SHIFT, SPACE
from retiscreen.ui.pages.overread import OverreadPage
from retiscreen.ui.window import KioskWindow
from tests.support import builders
from tests.support.images import DEMO_IMAGE, encode
from tests.ui.conftest import MODELS_USED, OPERATOR
from tests.ui.kiosk_driver import WAIT_MS, sign_in, touch, visible_texts
from tests.ui.test_kiosk_fits_the_screen import out_of_reach

REVIEWER = ("Rita Reviewer", "583920")
OpenKiosk = Callable[..., KioskWindow]


def kiosk_with_a_queued_screening(
    open_kiosk: OpenKiosk, make_settings: Callable[..., Settings]
) -> KioskWindow:
    """A kiosk with a reviewer and one saved screening (right eye moderate: REFER; left
    eye ungradable), which is therefore in the over-read queue."""
    window = open_kiosk(make_settings())
    window.ctx.accounts.add(REVIEWER[0], Role.REVIEWER, REVIEWER[1], by="test")
    screening = builders.screening(screening_id="S-OVR-1")
    window.ctx.service.record(screening)
    return window


def reviewer_signs_in(qtbot: QtBot, window: KioskWindow) -> None:
    touch(qtbot, window.home.overread)
    page = window.review_signin
    assert window.current is page
    touch(qtbot, page.operator_buttons[REVIEWER[0]])
    page.pad.type_pin(REVIEWER[1])
    touch(qtbot, page.pad.ok)
    qtbot.waitUntil(lambda: window.current is window.overread_queue, timeout=WAIT_MS)
    table: QTableWidget = window.overread_queue.table
    qtbot.waitUntil(lambda: not window.ctx.workers.busy, timeout=WAIT_MS)
    assert table.rowCount() >= 0


def reviewer_opens(qtbot: QtBot, window: KioskWindow, patient_id: str) -> OverreadPage:
    """The reviewer signs in, finds the patient's screening (in the queue or not: found
    by search) and opens it for over-read."""
    reviewer_signs_in(qtbot, window)
    queue = window.overread_queue
    queue.search.setText(patient_id)
    touch(qtbot, queue.find_button)
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1, timeout=WAIT_MS)
    queue.table.selectRow(0)
    touch(qtbot, queue.open_button)
    page = window.overread
    qtbot.waitUntil(lambda: page.screening is not None, timeout=WAIT_MS)
    return page


def test_operators_never_see_the_over_read(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: Callable[..., Settings]
) -> None:
    window = kiosk_with_a_queued_screening(open_kiosk, make_settings)
    sign_in(qtbot, window)  # the operator, on to the patient page
    touch(qtbot, window.patient.cancel)
    touch(qtbot, window.patient.cancel)  # touched twice, as it asks
    qtbot.waitUntil(lambda: window.current is window.home, timeout=WAIT_MS)
    assert window.operator == OPERATOR[0] and not window.home.overread.isVisible()
    touch(qtbot, window.home.sign_out)
    assert window.home.overread.isVisible()
    touch(qtbot, window.home.overread)
    page = window.review_signin
    assert page.title.text() == "Reviewer sign-in"
    assert set(page.operator_buttons) == {REVIEWER[0], "Ada Admin"}  # no operator listed
    page.selected = OPERATOR[0]  # even with the name chosen some other way
    page.pad.type_pin(OPERATOR[1])
    touch(qtbot, page.pad.ok)
    qtbot.waitUntil(lambda: bool(page.message.text()), timeout=WAIT_MS)
    assert window.current is page and "Wrong PIN" in page.message.text()


def test_the_reviewer_sees_each_photograph_with_its_heatmap(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: Callable[..., Settings],
    pipeline: Pipeline,
    record_property: Callable[[str, object], None],
) -> None:
    """A screening graded by the real ONNX grader and saved: the over-read draws each
    eye's heatmap from the grid the record keeps, beside the photograph, as the result
    page did when it was taken."""
    record_property("models", MODELS_USED)
    window = open_kiosk(make_settings())
    window.ctx.accounts.add(REVIEWER[0], Role.REVIEWER, REVIEWER[1], by="test")
    control = bundled_dir("assets") / "controls" / "positive_idrid_239.jpg"
    eyes = pipeline.assess_eyes([(Laterality.RIGHT, control), (Laterality.LEFT, DEMO_IMAGE)])
    patient = Patient("P-HM-1", "Heat Map", builders.PATIENT.date_of_birth, "F")
    screening = pipeline.screen(patient, {e.laterality: e for e in eyes}, "nurse", "site")
    for eye in screening.eyes:
        assert eye.grade is not None and eye.grade.heatmap is not None  # the model gives one
    window.ctx.service.record(screening)

    page = reviewer_opens(qtbot, window, patient.patient_id)
    for side in (Laterality.RIGHT, Laterality.LEFT):
        card = page.cards[side]
        assert card.photo.has_image and card.heatmap.has_image
        assert not any(key.isVisible() for key in card.field_keys.values())  # one field
        assert card.heatmap.isVisible() and not card.heatmap.pixmap().isNull()
        shown = card.heatmap.pixmap()
        assert shown.width() > 40 and shown.height() > 40  # drawn, not a speck
        heatmap_left = card.heatmap.mapTo(page, card.heatmap.rect().topLeft()).x()
        assert heatmap_left > card.photo.mapTo(page, card.photo.rect().topRight()).x()  # beside
    window.setFixedSize(1024, 600)  # the small panel: all within reach, with a screening open
    qtbot.wait(50)
    assert out_of_reach(window, page) == []
    assert page.cards[Laterality.RIGHT].heatmap.pixmap().height() > 40
    qtbot.mouseClick(page.reason, Qt.MouseButton.LeftButton)
    assert page.keyboard.isVisible()  # and the keyboard leaves the reason seen
    assert page.keyboard.geometry().top() >= page.reason.geometry().bottom()
    touch(qtbot, page.back_button)
    page.clear()
    assert not page.cards[Laterality.RIGHT].heatmap.has_image  # nothing of the patient stays


def test_at_a_two_field_site_the_reviewer_sees_each_field_with_its_heatmap(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: Callable[..., Settings],
    pipeline: Pipeline,
    tmp_path: Path,
) -> None:
    """A two-field screening graded by the real grader: each eye's card opens on the field
    that decided it, a key shows the other field with its own heatmap, a field not taken
    cannot be chosen, and the card still fits the small panel."""
    window = open_kiosk(make_settings(capture={"fields_per_eye": 2}))
    window.ctx.accounts.add(REVIEWER[0], Role.REVIEWER, REVIEWER[1], by="test")
    control = bundled_dir("assets") / "controls" / "positive_idrid_239.jpg"
    flipped = tmp_path / "left-disc.jpg"
    flipped.write_bytes(encode(load_fundus(DEMO_IMAGE).pixels[:, ::-1].copy(), "JPEG", quality=95))
    disc, macula = pipeline.assess_eyes(
        [(Laterality.RIGHT, control), (Laterality.RIGHT, DEMO_IMAGE)]
    )
    (left_disc,) = pipeline.assess_eyes([(Laterality.LEFT, flipped)])
    right = pipeline.eye_from_fields(
        Laterality.RIGHT, {FieldView.DISC: disc, FieldView.MACULA: macula}
    )
    left = pipeline.eye_from_fields(Laterality.LEFT, {FieldView.DISC: left_disc})
    assert right.view is FieldView.DISC  # the positive control decides the right eye
    patient = Patient("P-2F-1", "Two Fields", builders.PATIENT.date_of_birth, "F")
    screening = pipeline.screen(
        patient, {Laterality.RIGHT: right, Laterality.LEFT: left}, "nurse", "site"
    )
    window.ctx.service.record(screening)

    page = reviewer_opens(qtbot, window, patient.patient_id)
    card = page.cards[Laterality.RIGHT]
    keys = card.field_keys
    assert keys[FieldView.DISC].isVisible() and keys[FieldView.DISC].isChecked()
    assert keys[FieldView.MACULA].text() == "Macula-centred field"
    disc_heatmap = card.heatmap.pixmap().toImage()
    touch(qtbot, keys[FieldView.MACULA])
    assert keys[FieldView.MACULA].isChecked() and card.heatmap.has_image
    assert card.heatmap.pixmap().toImage() != disc_heatmap  # the macula field's own map
    assert card.selected() is right.grade.grade  # the eye's grade stays what is reviewed
    left_keys = page.cards[Laterality.LEFT].field_keys
    assert left_keys[FieldView.DISC].isChecked() and not left_keys[FieldView.MACULA].isEnabled()
    window.setFixedSize(1024, 600)
    qtbot.wait(50)
    assert out_of_reach(window, page) == []


def test_a_reviewer_amends_a_screening_and_a_less_urgent_answer_is_refused(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: Callable[..., Settings]
) -> None:
    window = kiosk_with_a_queued_screening(open_kiosk, make_settings)
    reviewer_signs_in(qtbot, window)
    queue = window.overread_queue
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1, timeout=WAIT_MS)
    assert queue.table.item(0, 1).text() == builders.PATIENT.patient_id
    assert queue.table.item(0, 3).text() == "REFER"
    assert queue.table.item(0, 4).text() == "An eye was not graded"
    assert window.who_label.text() == f"Reviewer: {REVIEWER[0]}"

    queue.table.selectRow(0)
    touch(qtbot, queue.open_button)
    page = window.overread
    assert window.current is page
    qtbot.waitUntil(lambda: page.screening is not None, timeout=WAIT_MS)
    right, left = page.cards[Laterality.RIGHT], page.cards[Laterality.LEFT]
    assert right.photo.has_image and left.photo.has_image  # both photographs
    assert right.ai.text() == "AI: Moderate non-proliferative DR"
    assert left.ai.text() == "AI: Could not be graded: photograph quality"
    assert right.grades[ICDRGrade.MODERATE].isChecked()  # starts at the AI's grade
    assert page.decision_buttons[DecisionKind.REFER].isChecked()
    assert page.ai_decision.text().startswith("AI decision: REFER")

    # right eye 0 and ROUTINE: the ungradable left eye still needs an examination
    touch(qtbot, right.grades[ICDRGrade.NONE])
    touch(qtbot, page.decision_buttons[DecisionKind.ROUTINE])
    touch(qtbot, page.amend_button)
    qtbot.waitUntil(lambda: page.message.level == "error", timeout=WAIT_MS)
    assert "The grades give EXAMINE, so ROUTINE would be less urgent" in page.message.text()
    window.set_language("es")
    touch(qtbot, page.amend_button)
    qtbot.waitUntil(lambda: "Los grados indican" in page.message.text(), timeout=WAIT_MS)
    assert "EXAMINAR" in page.message.text() and "RUTINA" in page.message.text()
    assert page.agree_button.text() == "Confirmar el resultado de la IA"
    window.set_language("en")
    assert window.ctx.service.store.reviews_for("S-OVR-1") == []

    # the left photograph graded severe, URGENT, and no reason yet: refused
    touch(qtbot, right.grades[ICDRGrade.MODERATE])
    touch(qtbot, left.grades[ICDRGrade.SEVERE])
    assert left.chosen.text() == "Severe non-proliferative DR"
    touch(qtbot, page.decision_buttons[DecisionKind.URGENT])
    touch(qtbot, page.amend_button)
    qtbot.waitUntil(lambda: "needs a reason" in page.message.text(), timeout=WAIT_MS)

    # the reason typed on the on-screen keyboard
    qtbot.mouseClick(page.reason, Qt.MouseButton.LeftButton)
    keyboard = page.keyboard
    assert keyboard.isVisible() and keyboard.target is page.reason
    assert keyboard.geometry().top() >= page.reason.geometry().bottom()  # the field stays seen
    for key in [SHIFT, "h", SHIFT, *"aze", SPACE, *"but", SPACE, *"gradable", NEXT]:
        touch(qtbot, keyboard.keys[key])
    assert page.reason.text() == "Haze but gradable" and not keyboard.isVisible()
    touch(qtbot, page.amend_button)
    qtbot.waitUntil(lambda: window.current is queue, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.ctx.workers.busy, timeout=WAIT_MS)
    assert queue.table.rowCount() == 0  # reviewed: out of the queue
    assert queue.message.text().startswith("Saved. The amended report")

    store = window.ctx.service.store
    review = store.latest_review("S-OVR-1")
    assert review is not None
    assert (review.reviewer, review.outcome, review.decision.kind) == (
        REVIEWER[0],
        ReviewOutcome.AMENDED,
        DecisionKind.URGENT,
    )
    assert (review.grade_right, review.grade_left) == (ICDRGrade.MODERATE, ICDRGrade.SEVERE)
    assert review.reason == "Haze but gradable"
    reports = store.reports_for("S-OVR-1")
    assert len(reports) == 2 and reports[-1]["review_id"] == review.review_id

    # found again by search; the reviewer leaves and nothing of the patient stays
    queue.search.setText(builders.PATIENT.patient_id)
    touch(qtbot, queue.find_button)
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1, timeout=WAIT_MS)
    assert queue.table.item(0, 4).text() == "URGENT"
    touch(qtbot, queue.close_button)
    assert window.current is window.home
    for shown in (*visible_texts(queue), *visible_texts(page)):
        assert builders.PATIENT.name not in shown and builders.PATIENT.patient_id not in shown


def test_agreeing_needs_no_reason(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: Callable[..., Settings]
) -> None:
    window = kiosk_with_a_queued_screening(open_kiosk, make_settings)
    reviewer_signs_in(qtbot, window)
    queue = window.overread_queue
    qtbot.waitUntil(lambda: queue.table.rowCount() == 1, timeout=WAIT_MS)
    queue.table.selectRow(0)
    touch(qtbot, queue.open_button)
    page = window.overread
    qtbot.waitUntil(lambda: page.screening is not None, timeout=WAIT_MS)
    touch(qtbot, page.agree_button)
    qtbot.waitUntil(lambda: window.current is queue, timeout=WAIT_MS)
    review = window.ctx.service.store.latest_review("S-OVR-1")
    assert review is not None and review.outcome is ReviewOutcome.AGREED
    assert review.decision.kind is DecisionKind.REFER and review.reason is None
