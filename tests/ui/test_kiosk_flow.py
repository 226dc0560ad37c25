"""The whole screening through the kiosk window, against a real database and real models.

Models: the trained models in models/ when models/grader.card.json exists, else tiny
ONNX test models (see ``conftest.MODELS_USED``; every test records which). Printer: the
CUPS queue ``retiscreen-test-pdf`` when scripts/ci_cups_setup.sh has made it (the job
must then reach the store as printed and a PDF must come out of cups-pdf), else the
report must be queued and the screen must say so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

from retiscreen import catalogue
from retiscreen.accounts import Role
from retiscreen.catalogue import ENGLISH
from retiscreen.domain import DecisionKind, EyeStatus, Laterality, QualityReason
from retiscreen.palette import DECISION_COLOURS
from retiscreen.report.printing import printer_ready
from retiscreen.settings import Settings
from retiscreen.ui import texts
from retiscreen.ui.window import KioskWindow
from tests.ui import images
from tests.ui.conftest import ADMIN_PIN, MODELS_USED, OPERATOR
from tests.ui.kiosk_driver import (
    confirm_patient,
    enter_patient,
    sign_in,
    stage,
    take_photo,
    touch,
    type_into,
    wait_for_result,
)

CUPS_QUEUE = "retiscreen-test-pdf"
CUPS_OUT = Path("/var/spool/cups-pdf") / CUPS_QUEUE

OpenKiosk = Callable[..., KioskWindow]
MakeSettings = Callable[..., Settings]


def cups_queue_ready() -> bool:
    return printer_ready(CUPS_QUEUE)


def pdfs(folder: Path) -> set[Path]:
    return set(folder.glob("*.pdf")) if folder.is_dir() else set()


def start_to_right_eye(
    qtbot: QtBot,
    window: KioskWindow,
    patient_id: str = "MRN-1001",
    name: str = "Ada Example",
    dob: str = "1960-05-01",
) -> None:
    sign_in(qtbot, window)
    enter_patient(qtbot, window, patient_id, name, dob)
    assert window.current is window.confirm
    confirm_patient(qtbot, window, patient_id.lower(), dob)
    assert window.current is window.capture
    assert window.capture.side == Laterality.RIGHT


def test_full_screening_is_stored_and_printed(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
    record_property: Callable[[str, object], None],
) -> None:
    record_property("models", MODELS_USED)
    printing = cups_queue_ready()
    record_property("printer", CUPS_QUEUE if printing else "missing queue (report queued)")
    stage(camera_dir, *images.both_eyes())
    window = open_kiosk(
        make_settings(report={"printer": CUPS_QUEUE if printing else "retiscreen-missing-queue"})
    )
    before = pdfs(CUPS_OUT)

    start_to_right_eye(qtbot, window)
    take_photo(qtbot, window)
    assert window.capture.verdict.level == "ok"
    assert window.capture.photo.has_image
    touch(qtbot, window.capture.use)
    assert window.capture.side == Laterality.LEFT
    take_photo(qtbot, window)
    touch(qtbot, window.capture.use)
    wait_for_result(qtbot, window)

    store = window.ctx.service.store
    rows = store.history()
    assert [(r["patient_id"], r["name"]) for r in rows] == [("MRN-1001", "Ada Example")]
    screening = store.load_screening(rows[0]["screening_id"])
    assert screening.operator == "Ana"
    assert [e.laterality for e in screening.eyes] == [Laterality.RIGHT, Laterality.LEFT]
    assert all(e.quality is not None and e.quality.gradable and e.grade for e in screening.eyes)
    assert screening.eyes[0].image is not None
    assert screening.eyes[0].image.sha256 != screening.eyes[1].image.sha256  # type: ignore[union-attr]
    # what the screen shows is what was stored
    light = window.result.light
    assert light.kind == screening.decision.kind
    assert light.headline.text() == ENGLISH.headline(screening.decision)
    assert light.advice.text() == ENGLISH.advice(screening.decision)
    assert (
        texts.long_date(
            screening.decision.follow_up_date(  # type: ignore[arg-type]
                screening.started_at.date()
            )
        )
        in light.due.text()
    )
    grade_words = ENGLISH.grade(screening.eyes[0].grade.grade)  # type: ignore[union-attr]
    assert grade_words in window.result.cards[Laterality.RIGHT].grade.text()
    for eye in screening.eyes:  # the heatmap and how clear, as stored, on each card
        card = window.result.cards[eye.laterality]
        assert eye.grade is not None and eye.grade.heatmap is not None
        assert card.heatmap.has_image and card.heatmap.isVisible()
        assert card.confidence.text() == ENGLISH.confidence(eye.grade.confidence)
        assert card.heatmap_note.text() == ENGLISH.heatmap_note(True)

    reports = store.reports_for(screening.screening_id)
    assert len(reports) == 1
    assert store.read_report(reports[0]["report_id"]).startswith(b"%PDF")
    if printing:
        assert reports[0]["printed_at"] and reports[0]["printer"] == CUPS_QUEUE
        assert not store.pending_print_jobs()
        assert window.result.printing.level == "ok"
        assert "Printed" in window.result.printing.text()
        if CUPS_OUT.is_dir():
            qtbot.waitUntil(lambda: len(pdfs(CUPS_OUT) - before) >= 1, timeout=30_000)
    else:
        assert reports[0]["printed_at"] is None
        assert [j["report_id"] for j in store.pending_print_jobs()] == [reports[0]["report_id"]]
        assert window.result.printing.level == "warning"
        assert "NOT printed" in window.result.printing.text()
        assert "will be printed when the printer is back" in window.result.printing.text()

    touch(qtbot, window.result.finish)
    assert window.current is window.home
    assert window.draft is None
    assert not window.result.cards[Laterality.RIGHT].photo.has_image
    assert not window.result.cards[Laterality.RIGHT].heatmap.has_image


def test_ungradable_photo_then_retake_with_a_good_one(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
    record_property: Callable[[str, object], None],
) -> None:
    record_property("models", MODELS_USED)
    stage(
        camera_dir,
        ("01-lens-cap.png", images.black()),
        ("02-right.jpg", images.good_right()),
        ("03-left.jpg", images.good()),
    )
    window = open_kiosk(make_settings())
    start_to_right_eye(qtbot, window)
    capture = window.capture

    take_photo(qtbot, window)
    assert capture.verdict.level == "error"
    assert ENGLISH.quality(QualityReason.NOT_FUNDUS) in capture.verdict.text()
    assert not capture.use.isVisible()
    assert not capture.accept_ungradable.isVisible()
    assert capture.retake.isVisible() and "1" in capture.retake.text()
    touch(qtbot, capture.retake)
    assert capture.state == "ready" and capture.take.isVisible()
    take_photo(qtbot, window)
    assert capture.verdict.level == "ok"
    touch(qtbot, capture.use)
    take_photo(qtbot, window)
    touch(qtbot, capture.use)
    wait_for_result(qtbot, window)

    store = window.ctx.service.store
    screening = store.load_screening(store.history()[0]["screening_id"])
    right = screening.eye(Laterality.RIGHT)
    assert right is not None and right.quality is not None and right.quality.gradable
    assert right.grade is not None


def test_retakes_used_up_then_accepted_as_ungradable(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
) -> None:
    stage(
        camera_dir,
        ("01-lens-cap.png", images.black()),
        ("02-blurred.png", images.blurred()),
        ("03-left.jpg", images.good()),
    )
    window = open_kiosk(make_settings(capture={"max_retakes": 1}))
    start_to_right_eye(qtbot, window)
    capture = window.capture
    take_photo(qtbot, window)
    touch(qtbot, capture.retake)
    take_photo(qtbot, window)
    assert ENGLISH.quality(QualityReason.BLURRED) in capture.verdict.text()
    assert not capture.retake.isVisible()
    touch(qtbot, capture.accept_ungradable)
    assert capture.side == Laterality.LEFT
    take_photo(qtbot, window)
    touch(qtbot, capture.use)
    wait_for_result(qtbot, window)

    store = window.ctx.service.store
    screening = store.load_screening(store.history()[0]["screening_id"])
    right = screening.eye(Laterality.RIGHT)
    assert right is not None and right.grade is None
    assert right.quality is not None and QualityReason.BLURRED in right.quality.reasons
    assert screening.decision.kind.severity >= DecisionKind.EXAMINE.severity
    card = window.result.cards[Laterality.RIGHT]
    assert "not gradable" in card.quality.text()


def test_an_eye_can_be_skipped_with_a_reason(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
) -> None:
    stage(camera_dir, ("01-right.jpg", images.good_right()))
    window = open_kiosk(make_settings())
    start_to_right_eye(qtbot, window)
    take_photo(qtbot, window)
    touch(qtbot, window.capture.use)
    touch(qtbot, window.capture.skip)
    prosthesis = next(b for r, b in window.capture.skip_buttons if "prosthesis" in r)
    touch(qtbot, prosthesis)
    wait_for_result(qtbot, window)
    store = window.ctx.service.store
    screening = store.load_screening(store.history()[0]["screening_id"])
    left = screening.eye(Laterality.LEFT)
    assert left is not None and left.skipped_reason == "Artificial eye (prosthesis)"
    assert left.status is EyeStatus.ABSENT and left.decision is None
    assert "prosthesis" in window.result.cards[Laterality.LEFT].quality.text()


def test_the_same_photograph_for_both_eyes_is_refused(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
) -> None:
    stage(camera_dir, ("01.jpg", images.good()))
    window = open_kiosk(make_settings(capture={"max_retakes": 0}))
    start_to_right_eye(qtbot, window)
    take_photo(qtbot, window)
    touch(qtbot, window.capture.use)
    take_photo(qtbot, window)  # the file camera offers the one photograph again
    capture = window.capture
    assert capture.verdict.level == "error" and "same photograph" in capture.verdict.text()
    assert not capture.use.isVisible()
    touch(qtbot, capture.accept_ungradable)  # no retake left: the eye goes unexamined
    wait_for_result(qtbot, window)
    store = window.ctx.service.store
    screening = store.load_screening(store.history()[0]["screening_id"])
    left = screening.eye(Laterality.LEFT)
    assert left is not None and left.status is EyeStatus.UNREADABLE and left.grade is None
    assert left.error is not None and "same photograph" in left.error
    assert screening.decision.kind is not DecisionKind.ROUTINE


def test_a_photograph_that_looks_like_the_other_eye_is_asked_about(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
) -> None:
    stage(camera_dir, ("01.jpg", images.good()), ("02.jpg", images.good_right()))
    window = open_kiosk(make_settings(capture={"max_retakes": 3}))
    start_to_right_eye(qtbot, window)
    take_photo(qtbot, window)  # the demo retina has its disc on the left: a left eye
    capture = window.capture
    assert capture.verdict.level == "warning"
    assert "optic disc is on the left" in capture.verdict.text()
    assert capture.use.isVisible() and capture.use.text() == "Yes, it is the right eye"
    touch(qtbot, capture.retake)
    take_photo(qtbot, window)  # the mirrored photograph: a right eye, nothing to ask
    assert capture.verdict.level == "ok" and capture.use.text() == "Use this photograph"
    touch(qtbot, capture.retake)
    take_photo(qtbot, window)
    touch(qtbot, capture.use)  # the nurse confirms: the photograph is used, and audited
    (event,) = [
        e for e in window.ctx.service.store.audit_events() if e["event"] == "laterality_confirmed"
    ]
    assert event["detail"].items() >= {"eye": "right", "disc_side_suggests": "left"}.items()
    assert event["operator"] == OPERATOR[0]


def test_decisions_do_not_depend_on_any_wording(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every catalogue text in every language replaced by nonsense: an ungradable right
    eye and a declined left eye still give the amber EXAMINE light and its next steps,
    never a green routine result."""
    for language, words in catalogue.TEXTS.items():
        for key in list(words):
            monkeypatch.setitem(words, key, f"zz-{language}-{len(key)}")
    stage(camera_dir, ("01-blurred.png", images.blurred()))
    window = open_kiosk(make_settings(capture={"max_retakes": 0}))
    start_to_right_eye(qtbot, window)
    take_photo(qtbot, window)
    touch(qtbot, window.capture.accept_ungradable)
    touch(qtbot, window.capture.skip)
    declined = next(b for r, b in window.capture.skip_buttons if "declined" in r)
    touch(qtbot, declined)
    wait_for_result(qtbot, window)
    light = window.result.light
    assert light.kind is DecisionKind.EXAMINE
    assert DECISION_COLOURS[DecisionKind.EXAMINE][0] in light.styleSheet()
    assert light.headline.text() == "zz-en-25"
    assert window.result.finish.isVisible() and window.result.reprint.isEnabled()
    store = window.ctx.service.store
    (row,) = store.history()
    assert row["decision_kind"] == "examine"
    screening = store.load_screening(row["screening_id"])
    assert [e.status for e in screening.eyes] == [
        EyeStatus.UNGRADABLE,
        EyeStatus.NOT_PHOTOGRAPHED,
    ]


def test_wrong_or_mismatched_identifiers_are_refused(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
) -> None:
    window = open_kiosk(make_settings())
    sign_in(qtbot, window)
    page = window.patient
    qtbot.keyClicks(page.patient_id, "MRN-SCAN-1")  # a keyboard-wedge scanner: one burst
    qtbot.keyClick(page.patient_id, "\r")
    assert page.scan_note.text() == "ID scanned." and page.patient_id.was_scanned
    page.patient_id.clear()
    touch(qtbot, page.next)
    assert window.current is page and page.message.level == "error"
    assert "patient ID" in page.message.text() and "date of birth" in page.message.text()
    enter_patient(qtbot, window, "MRN-7", "Bo Test", "31/02/1970")
    assert window.current is page and "real date of birth" in page.message.text()
    enter_patient(qtbot, window, "MRN-7", "Bo Test", "28/02/1970")
    assert window.current is window.confirm

    confirm_patient(qtbot, window, "MRN-1", "28/02/1970")
    assert window.current is window.confirm
    assert "patient ID does not match" in window.confirm.message.text()
    assert window.confirm.patient_id.property("invalid") == "true"
    confirm_patient(qtbot, window, "mrn-7", "1970-02-27")
    assert window.current is window.confirm
    assert window.confirm.dob_read.text() == "Read as: 27 February 1970"  # read back in words
    assert "date of birth does not match" in window.confirm.message.text()
    assert "correct the details" in window.confirm.message.text()
    touch(qtbot, window.confirm.back)
    assert window.current is page and page.patient_id.text() == "MRN-7"
    touch(qtbot, page.next)
    confirm_patient(qtbot, window, " mrn-7 ", "1970-02-28")
    assert window.current is window.capture
    qtbot.waitUntil(lambda: not window.ctx.workers.busy)
    events = [e["event"] for e in window.ctx.service.store.audit_events()]
    assert events.count("patient_confirmation_mismatch") == 2
    assert "patient_confirmed" in events


def test_an_id_on_file_for_someone_else_stops_before_any_photograph(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
) -> None:
    stage(camera_dir, *images.both_eyes())
    window = open_kiosk(make_settings())
    start_to_right_eye(qtbot, window, "MRN-55", "Ada Example", "1960-05-01")
    for _ in range(2):
        take_photo(qtbot, window)
        touch(qtbot, window.capture.use)
    wait_for_result(qtbot, window)
    touch(qtbot, window.result.finish)
    touch(qtbot, window.home.start)
    enter_patient(qtbot, window, "mrn-55", "Grace Hopper", "1960-05-01")
    confirm_patient(qtbot, window, "mrn-55", "1960-05-01")
    assert window.current is window.confirm
    text = window.confirm.message.text()
    assert "'Ada Example'" in text and "'Grace Hopper'" in text
    assert len(window.ctx.service.history()) == 1
    touch(qtbot, window.confirm.back)
    enter_patient(qtbot, window, "MRN-56", "Old Timer", "01/01/1890")
    assert (
        window.current is window.patient and "real date of birth" in window.patient.message.text()
    )


def test_idle_timeout_clears_patient_data_from_every_page(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
) -> None:
    stage(camera_dir, *images.both_eyes())
    window = open_kiosk(make_settings(kiosk={"idle_timeout_s": 2}))
    start_to_right_eye(qtbot, window, "MRN-IDLE-42", "Zed Idle")
    take_photo(qtbot, window)
    touch(qtbot, window.capture.use)
    take_photo(qtbot, window)
    touch(qtbot, window.capture.use)
    wait_for_result(qtbot, window)
    assert any("Zed Idle" in t for t in _all_texts(window))

    qtbot.waitUntil(lambda: window.current is window.home, timeout=10_000)
    assert window.draft is None and window.operator is None
    leftovers = [t for t in _all_texts(window) if "Zed Idle" in t or "MRN-IDLE-42" in t]
    assert leftovers == []
    assert not window.capture.photo.has_image
    assert not any(card.photo.has_image for card in window.result.cards.values())
    assert window.result.light.kind is None
    # the screening itself was saved before the screen was cleared
    assert window.ctx.service.store.history()[0]["patient_id"] == "MRN-IDLE-42"


def test_idle_timeout_mid_capture_keeps_a_draft_for_the_same_operator(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
) -> None:
    """Nobody answers "still there?": the screen is cleared, but the half-done screening
    waits for the operator who started it (not for anyone else), who resumes it after
    the identity check, at the eye where it stopped."""
    stage(camera_dir, *images.both_eyes())
    window = open_kiosk(make_settings(kiosk={"idle_timeout_s": 3}))
    window.ctx.accounts.add("Bo", Role.OPERATOR, "5931", by="test")
    start_to_right_eye(qtbot, window, "MRN-HALF", "Half Way", "1950-01-02")
    take_photo(qtbot, window)
    touch(qtbot, window.capture.use)
    assert window.capture.side == Laterality.LEFT
    touch(qtbot, window.capture.import_file)  # a file chooser left open over the page
    picker = window.capture._picker
    assert picker is not None and picker.isVisible()
    qtbot.waitUntil(lambda: window.still_there.isVisible(), timeout=10_000)
    assert "Still there?" in window.still_there.message.text()
    qtbot.waitUntil(lambda: window.current is window.home, timeout=10_000)
    assert not window.still_there.isVisible()
    assert not shiboken6.isValid(picker) or not picker.isVisible()  # closed (and deleted)
    assert not [t for t in _all_texts(window) if "Half Way" in t or "MRN-HALF" in t]
    assert not window.capture.photo.has_image
    assert window.ctx.service.store.history() == []
    kept = window.ctx.service.drafts_of(OPERATOR[0])
    assert [d.patient_id for d in kept] == ["MRN-HALF"] and window.unkept == []

    sign_in(qtbot, window, "Bo", "5931")  # another operator: a new screening, no draft
    window.sign_out()
    touch(qtbot, window.home.start)
    touch(qtbot, window.signin.operator_buttons[OPERATOR[0]])
    window.signin.pad.type_pin(OPERATOR[1])
    touch(qtbot, window.signin.pad.ok)
    qtbot.waitUntil(lambda: window.current is window.resume)
    assert "Half Way" in window.resume.summary.text() and "1 of 2" in window.resume.summary.text()
    touch(qtbot, window.resume.resume)
    assert window.current is window.confirm
    confirm_patient(qtbot, window, "MRN-HALF", "1950-01-02")
    assert window.current is window.capture and window.capture.side == Laterality.LEFT
    take_photo(qtbot, window)
    touch(qtbot, window.capture.use)
    wait_for_result(qtbot, window)
    assert window.ctx.service.store.history()[0]["patient_id"] == "MRN-HALF"
    assert window.ctx.service.drafts_of(OPERATOR[0]) == []  # saving it removed the draft
    qtbot.waitUntil(lambda: not window.ctx.workers.busy)
    events = [e["event"] for e in window.ctx.service.store.audit_events()]
    assert "screening_parked" in events and "screening_resumed" in events
    assert "draft_completed" in events


def test_a_touch_answers_still_there(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: MakeSettings
) -> None:
    window = open_kiosk(make_settings(kiosk={"idle_timeout_s": 3}))
    sign_in(qtbot, window)
    qtbot.waitUntil(lambda: window.still_there.isVisible(), timeout=10_000)
    touch(qtbot, window.still_there.here)
    assert not window.still_there.isVisible() and window.current is window.patient
    qtbot.wait(1500)  # past the first deadline: the touch started the countdown again
    assert window.current is window.patient


def test_a_discarded_draft_is_audited(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: MakeSettings
) -> None:
    window = open_kiosk(make_settings(kiosk={"idle_timeout_s": 2}))
    sign_in(qtbot, window)
    enter_patient(qtbot, window, "MRN-GONE", "Gone Away", "1950-01-02")
    qtbot.waitUntil(lambda: window.current is window.home, timeout=10_000)
    touch(qtbot, window.home.start)
    touch(qtbot, window.signin.operator_buttons[OPERATOR[0]])
    window.signin.pad.type_pin(OPERATOR[1])
    touch(qtbot, window.signin.pad.ok)
    qtbot.waitUntil(lambda: window.current is window.resume)
    touch(qtbot, window.resume.discard)
    touch(qtbot, window.resume.discard)  # the second touch confirms
    assert window.ctx.service.drafts_of(OPERATOR[0]) == [] and window.current is window.home
    qtbot.waitUntil(lambda: not window.ctx.workers.busy)
    events = [e["event"] for e in window.ctx.service.store.audit_events()]
    assert "screening_parked" in events and "draft_discarded" in events


def _all_texts(window: KioskWindow) -> list[str]:
    from tests.ui.kiosk_driver import visible_texts

    return visible_texts(window)


def test_a_screening_that_cannot_be_saved_is_kept_and_saved_on_retry(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from retiscreen.store import StorageError

    stage(camera_dir, *images.both_eyes())
    window = open_kiosk(make_settings())
    service = window.ctx.service
    real_record = service.record
    failures = iter([StorageError("The disk is full: the screening was NOT saved.")])

    def flaky_record(*args: object, **kwargs: object) -> object:
        for error in failures:
            raise error
        return real_record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "record", flaky_record)
    start_to_right_eye(qtbot, window)
    for _ in range(2):
        take_photo(qtbot, window)
        touch(qtbot, window.capture.use)
    qtbot.waitUntil(lambda: window.grading.retry.isVisible(), timeout=30_000)
    assert window.current is window.grading
    assert "could NOT be saved" in window.grading.message.text()
    assert len(window.ctx.unsaved) == 1 and service.store.history() == []
    touch(qtbot, window.grading.retry)
    wait_for_result(qtbot, window)
    assert window.ctx.unsaved == []
    assert len(service.store.history()) == 1


def test_missing_printer_queues_the_report_then_prints_when_back(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
    cups_queue: object,
) -> None:
    """The printer named in the settings does not exist on the running CUPS (the
    ``cups_queue`` fixture starts it): the report is saved and queued and the screen says
    so. If we may run lpadmin, a queue of that name is then created and "Print queued
    reports now" prints it; otherwise the job must stay pending."""
    import os
    import shutil
    import subprocess

    queue = f"retiscreen-ui-back-{os.getpid()}"
    stage(camera_dir, *images.both_eyes())
    window = open_kiosk(make_settings(report={"printer": queue}))
    start_to_right_eye(qtbot, window)
    for _ in range(2):
        take_photo(qtbot, window)
        touch(qtbot, window.capture.use)
    wait_for_result(qtbot, window)
    store = window.ctx.service.store
    assert "NOT printed" in window.result.printing.text()
    assert "not available" in window.result.printing.text()
    (job,) = store.pending_print_jobs()
    assert job["printer"] == queue

    ppd = Path("/etc/cups/ppd") / f"{CUPS_QUEUE}.ppd"
    can_add = cups_queue_ready() and ppd.exists() and shutil.which("lpadmin") and os.geteuid() == 0
    if can_add:
        subprocess.run(
            ["lpadmin", "-p", queue, "-E", "-v", f"cups-pdf:/{CUPS_QUEUE}", "-P", str(ppd)],
            check=True,
            capture_output=True,
        )
    try:
        touch(qtbot, window.result.finish)
        touch(qtbot, window.home.admin)
        for digit in ADMIN_PIN:
            qtbot.keyClicks(window.admin_signin.pad.display, digit)
        touch(qtbot, window.admin_signin.pad.ok)
        qtbot.waitUntil(lambda: window.current is window.admin)
        settings_tab = window.admin.settings_tab
        touch(qtbot, settings_tab.retry_queue)
        qtbot.waitUntil(lambda: "still waiting" in settings_tab.message.text(), timeout=20_000)
        if can_add:
            assert "1 queued report(s) printed, 0 still waiting" in settings_tab.message.text()
            assert store.pending_print_jobs() == []
            assert store.print_job(job["job_id"])["status"] == "printed"
        else:
            assert "0 queued report(s) printed, 1 still waiting" in settings_tab.message.text()
            assert store.print_job(job["job_id"])["status"] == "pending"
    finally:
        if can_add:
            subprocess.run(["lpadmin", "-x", queue], check=False, capture_output=True)
            time.sleep(0.1)


def test_grading_saving_and_printing_run_off_the_gui_thread(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    stage(camera_dir, *images.both_eyes())
    window = open_kiosk(make_settings())
    service, pipeline = window.ctx.service, window.ctx.service.pipeline
    threads: dict[str, str] = {}

    def spy(owner: object, name: str) -> None:
        real = getattr(owner, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            threads[name] = threading.current_thread().name
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)

    for owner, name in [
        (pipeline, "check"),
        (pipeline, "assess_eyes"),
        (service, "record"),
        (service, "print_report"),
    ]:
        spy(owner, name)
    start_to_right_eye(qtbot, window)
    for _ in range(2):
        take_photo(qtbot, window)
        touch(qtbot, window.capture.use)
    wait_for_result(qtbot, window)
    assert set(threads) == {"check", "assess_eyes", "record", "print_report"}
    main = threading.main_thread().name
    assert main not in threads.values(), threads


def test_each_photograph_is_checked_once_and_both_eyes_graded_in_one_call(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The verdict the operator saw is the one graded: no second quality pass, and the
    two eyes go through the grader together."""
    stage(camera_dir, *images.both_eyes())
    window = open_kiosk(make_settings())
    pipeline = window.ctx.service.pipeline
    assert pipeline.grader is not None and pipeline.gradability is not None
    calls: dict[str, list[int]] = {"quality": [], "grade": []}
    for name, owner in (("quality", pipeline.gradability), ("grade", pipeline.grader)):
        method = "probability" if name == "quality" else "grade"
        real = getattr(owner, method)

        def counting(items: list[object], _real: Any = real, _name: str = name) -> object:
            calls[_name].append(len(items))
            return _real(items)

        monkeypatch.setattr(owner, method, counting)
    start_to_right_eye(qtbot, window)
    for _ in range(2):
        take_photo(qtbot, window)
        touch(qtbot, window.capture.use)
    wait_for_result(qtbot, window)
    assert calls == {"quality": [1, 1], "grade": [2]}


def test_an_unexpected_grading_failure_can_be_retried(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    camera_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stage(camera_dir, *images.both_eyes())
    window = open_kiosk(make_settings())
    pipeline = window.ctx.service.pipeline
    real = pipeline.assess_eyes
    failures = iter([RuntimeError("onnxruntime: out of memory")])

    def flaky(*args: object, **kwargs: object) -> object:
        for error in failures:
            raise error
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "assess_eyes", flaky)
    start_to_right_eye(qtbot, window)
    for _ in range(2):
        take_photo(qtbot, window)
        touch(qtbot, window.capture.use)
    qtbot.waitUntil(lambda: window.grading.retry.isVisible(), timeout=30_000)
    assert "Grading failed" in window.grading.message.text()
    assert "out of memory" in window.grading.message.text()
    touch(qtbot, window.grading.retry)
    wait_for_result(qtbot, window)
    assert len(window.ctx.service.store.history()) == 1


def test_a_demonstration_screening_grades_both_eyes(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: MakeSettings
) -> None:
    """Demo mode's camera holds one bundled photograph; both eyes are still graded."""
    from tests.ui.kiosk_driver import screen_patient

    window = open_kiosk(make_settings(), demo=True)
    screen_patient(qtbot, window, "DEMO-2", "Demo Patient")
    store = window.ctx.service.store
    screening = store.load_screening(store.history()[0]["screening_id"])
    assert [e.status for e in screening.eyes] == [EyeStatus.GRADED, EyeStatus.GRADED]


def test_the_date_of_birth_is_read_back_in_words(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: MakeSettings
) -> None:
    """03/04 is March to some and April to others: the page says which it understood,
    in the screen's language, while it is typed."""
    window = open_kiosk(make_settings())
    page = window.confirm
    type_into(qtbot, page.dob, "03/04/1961")
    assert page.dob_read.text() == "Read as: 3 April 1961"
    type_into(qtbot, page.dob, "03/04/19")
    assert page.dob_read.text().startswith("Not a date yet")
    window.set_language("es")
    type_into(qtbot, page.dob, "1961-04-03")
    assert page.dob_read.text() == "Leído como: 3 de abril de 1961"
    window.set_language("en")
