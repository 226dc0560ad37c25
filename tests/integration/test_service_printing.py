"""Finishing a screening through the service: saved first, report stored, printed through a
real cups-pdf queue; with the printer missing the job waits and prints when it is back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from retiscreen.domain import Laterality, Patient, Screening
from retiscreen.service import ScreeningService
from retiscreen.settings import ReportSettings, Settings, StorageSettings
from tests.support.images import DEMO_IMAGE
from tests.support.tiny_models import TEST_KEYS, write_models

try:
    from .cups_fixture import CupsQueue, cups_admin, cups_queue, wait_for_pdf
except ImportError:
    from cups_fixture import CupsQueue, cups_admin, cups_queue, wait_for_pdf  # type: ignore[no-redef]

pytestmark = pytest.mark.cups
__all__ = ["cups_queue"]


def make_service(tmp_path: Path, printer: str) -> ScreeningService:
    from retiscreen.pipeline import Pipeline

    settings = Settings(
        storage=StorageSettings(data_dir=str(tmp_path / "data")),
        report=ReportSettings(printer=printer, patient_letter=False),
    )
    pipeline = Pipeline.from_models_dir(write_models(tmp_path / "models"), keys=TEST_KEYS)
    return ScreeningService(settings, pipeline=pipeline)


def screen(service: ScreeningService, patient_id: str) -> Screening:
    pipeline = service.pipeline
    eyes = {Laterality.LEFT: pipeline.assess_eye(Laterality.LEFT, DEMO_IMAGE)}
    patient = Patient(patient_id, "Print Test", date(1970, 1, 1))
    return pipeline.screen(patient, eyes, "nurse", "site")


def test_record_prints_to_a_real_queue(cups_queue: CupsQueue, tmp_path: Path) -> None:
    service = make_service(tmp_path, cups_queue.name)
    recorded = service.record(screen(service, "SVC-PRINT-1"), print_report=True)
    assert recorded.printing is not None and recorded.printing.printed, recorded.printing
    printed = wait_for_pdf(cups_queue.out_dir, recorded.report_id)
    assert printed.read_bytes().startswith(b"%PDF")
    (report,) = service.store.reports_for(recorded.screening.screening_id)
    assert report["printed_at"] and report["printer"] == cups_queue.name
    printed.unlink()


def test_missing_printer_queues_then_prints_when_back(
    cups_queue: CupsQueue, tmp_path: Path
) -> None:
    service = make_service(tmp_path, cups_queue.name)
    cups_admin("cupsdisable", cups_queue.name)
    try:
        recorded = service.record(screen(service, "SVC-PRINT-2"), print_report=True)
        assert recorded.printing is not None and not recorded.printing.printed
        assert "will be printed when the printer is back" in recorded.printing.message
        assert service.store.has_screening(recorded.screening.screening_id)  # nothing lost
        assert len(service.store.pending_print_jobs()) == 1
    finally:
        cups_admin("cupsenable", cups_queue.name)
    outcomes = service.retry_print_queue()
    assert [o.printed for o in outcomes] == [True]
    assert service.store.pending_print_jobs() == []
    wait_for_pdf(cups_queue.out_dir, recorded.report_id).unlink()


def test_no_printer_configured_keeps_the_report(tmp_path: Path) -> None:
    service = make_service(tmp_path, "retiscreen-no-such-queue")
    recorded = service.record(screen(service, "SVC-PRINT-3"), print_report=True)
    assert recorded.printing is not None and not recorded.printing.printed
    assert service.store.read_report(recorded.report_id).startswith(b"%PDF")
    events = [e["event"] for e in service.store.audit_events(recorded.screening.screening_id)]
    assert "print_failed" in events or "print_queued" in events
