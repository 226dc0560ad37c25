"""Finishing a screening: grade, combine, save, print. Runs in a worker thread.

Why a module of plain functions: the order of steps is what protects the record
(save first, then print; a printer failure only leaves a queued job), so it is written
once, without Qt, and the grading page only shows its progress. The same
:class:`~retiscreen.service.ScreeningService` methods as ``retiscreen screen`` are used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from retiscreen.domain import EyeResult, Laterality, Screening
from retiscreen.pipeline import Pipeline
from retiscreen.report.printing import PrinterError, printer_state
from retiscreen.service import PrintOutcome, Recorded, ScreeningService
from retiscreen.store import StorageError
from retiscreen.ui.session import EYE_ORDER, EyeCapture, ScreeningDraft

log = logging.getLogger(__name__)

STEP_GRADE = {Laterality.RIGHT: "grade_right", Laterality.LEFT: "grade_left"}
STEP_SAVE = "save"
STEP_PRINT = "print"
STEP_DONE = "done"
STEPS = (STEP_GRADE[Laterality.RIGHT], STEP_GRADE[Laterality.LEFT], STEP_SAVE, STEP_PRINT)


@dataclass(frozen=True)
class Outcome:
    """What happened to one screening; ``storage_error`` set means it is NOT saved."""

    screening: Screening
    recorded: Recorded | None = None
    printing: PrintOutcome | None = None
    storage_error: str | None = None


def eye_result(pipeline: Pipeline, capture: EyeCapture) -> EyeResult:
    """The pipeline's verdict on the accepted photograph (or the skip / failed attempt)."""
    side = capture.laterality
    if capture.skipped_reason is not None:
        return pipeline.skipped_eye(side, capture.skipped_reason)
    if capture.image is None:
        why = capture.error or "no photograph was taken"
        return EyeResult(side, None, None, None, pipeline.rules.ungradable(), error=why)
    return pipeline.assess_eye(side, capture.image)


def grade(
    service: ScreeningService, draft: ScreeningDraft, site: str, progress: Callable[[str], None]
) -> Screening:
    if draft.patient is None:
        raise ValueError("the patient was not confirmed")
    eyes: dict[Laterality, EyeResult] = {}
    for side in EYE_ORDER:
        progress(STEP_GRADE[side])
        eyes[side] = eye_result(service.pipeline, draft.eyes[side])
    return service.pipeline.screen(
        draft.patient, eyes, draft.operator, site, started_at=draft.started_at
    )


def print_report(service: ScreeningService, report_id: str) -> PrintOutcome:
    """Print through the service's durable queue, never raising (a missing printer or
    CUPS leaves the job queued; only the records themselves can fail here)."""
    try:
        return service.print_report(report_id)
    except StorageError as exc:
        return PrintOutcome(False, f"The report is saved but printing failed: {exc}")


def save_and_print(
    service: ScreeningService,
    screening: Screening,
    progress: Callable[[str], None],
    print_it: bool = True,
) -> Outcome:
    progress(STEP_SAVE)
    try:
        recorded = service.record(screening, print_report=False)
    except StorageError as exc:
        log.error("screening %s NOT saved: %s", screening.screening_id, exc)
        return Outcome(screening, storage_error=str(exc))
    printing = None
    if print_it:
        progress(STEP_PRINT)
        printing = print_report(service, recorded.report_id)
        if printing.printed:
            retry_queue(service)
    progress(STEP_DONE)
    return Outcome(screening, recorded, printing)


def finish(
    service: ScreeningService,
    draft: ScreeningDraft,
    site: str,
    progress: Callable[[str], None],
    print_it: bool = True,
) -> Outcome:
    """Grade both eyes, then save and print (the whole grading page)."""
    screening = grade(service, draft, site, progress)
    return save_and_print(service, screening, progress, print_it)


def reprint(service: ScreeningService, screening_id: str) -> PrintOutcome:
    """A fresh report for a saved screening, printed (or queued)."""
    recorded = service.reprint(screening_id, print_report=False)
    return print_report(service, recorded.report_id)


def retry_queue(service: ScreeningService) -> list[PrintOutcome]:
    """Send pending print jobs again; quiet when there are none or CUPS is missing."""
    try:
        if not service.store.pending_print_jobs():
            return []
        return service.retry_print_queue()
    except (PrinterError, StorageError) as exc:
        log.warning("print queue retry failed: %s", exc)
        return []


@dataclass(frozen=True)
class PrinterStatus:
    """Whether reports can print now; ``problem`` is the printing system's own words."""

    ready: bool
    name: str | None
    problem: str | None = None


def printer_status(service: ScreeningService) -> PrinterStatus:
    """Which printer reports go to, and whether it can print now (asks CUPS: slow)."""
    try:
        name = service.printer_name()
    except PrinterError as exc:
        return PrinterStatus(False, None, str(exc))
    if not name:
        return PrinterStatus(False, None, None)
    try:
        state = printer_state(name)
    except PrinterError as exc:
        return PrinterStatus(False, name, str(exc))
    if state.ready:
        return PrinterStatus(True, name)
    why = (
        "not found"
        if not state.exists
        else ("stopped" if not state.enabled else "not accepting jobs")
    )
    return PrinterStatus(False, name, why)
