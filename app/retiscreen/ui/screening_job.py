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

from retiscreen.domain import Screening
from retiscreen.errors import PrintingError, StorageError
from retiscreen.service import (
    MISSING_REPORT_GRACE,
    EyeInput,
    PrintOutcome,
    Recorded,
    ScreeningService,
)
from retiscreen.ui.session import ABSENT_SKIP_REASONS, EYE_ORDER, EyeCapture, ScreeningDraft

log = logging.getLogger(__name__)

STEP_GRADE = "grade"
STEP_SAVE = "save"
STEP_PRINT = "print"
STEP_DONE = "done"
STEPS = (STEP_GRADE, STEP_SAVE, STEP_PRINT)


@dataclass(frozen=True)
class Outcome:
    """What happened to one screening; ``storage_error`` set means it is NOT saved."""

    screening: Screening
    recorded: Recorded | None = None
    printing: PrintOutcome | None = None
    storage_error: str | None = None


def eye_input(capture: EyeCapture, macula: EyeCapture | None = None) -> EyeInput:
    """What the operator collected for one eye, for the service to decide on: the
    photograph with the verdict already shown (never checked twice), or the skip; at a
    two-field site ``capture`` is the disc-centred field and ``macula`` the other."""
    photograph = capture.checked or capture.image
    return EyeInput(
        capture.laterality,
        photograph,
        capture.skipped_reason,
        capture.skipped_reason in ABSENT_SKIP_REASONS,
        capture.error,
        macula=(macula.checked or macula.image) if macula else None,
        macula_error=macula.error if macula else None,
        macula_skipped_reason=macula.skipped_reason if macula else None,
    )


def grade(
    service: ScreeningService, draft: ScreeningDraft, site: str, progress: Callable[[str], None]
) -> Screening:
    """Both eyes through the service in one call (one batched model call)."""
    if draft.patient is None:
        raise ValueError("the patient was not confirmed")
    progress(STEP_GRADE)
    inputs = (
        []
        if draft.exclusion
        else [eye_input(draft.eyes[side], draft.macula.get(side)) for side in EYE_ORDER]
    )
    return service.screen(
        draft.patient,
        inputs,
        draft.operator,
        site,
        draft.started_at,
        order=draft.order,
        screening_id=draft.draft_id,  # saving it removes the kept draft, at once
        exclusion=draft.exclusion,
        language=draft.language,
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


def retry_queue(service: ScreeningService, include_failed: bool = False) -> list[PrintOutcome]:
    """Make any missing report, then send pending print jobs again (``include_failed``:
    also those that gave up); quiet when there are none or CUPS is missing."""
    try:
        service.make_missing_reports(older_than=MISSING_REPORT_GRACE)
        if not service.store.pending_print_jobs() and not (
            include_failed and service.failed_print_jobs()
        ):
            return []
        return service.retry_print_queue(include_failed)
    except (PrintingError, StorageError) as exc:
        log.warning("print queue retry failed: %s", exc)
        return []
