"""Printing a real report through a real cupsd into a cups-pdf queue.

Needs CUPS and printer-driver-cups-pdf (``scripts/ci_cups_setup.sh`` installs and starts
them); skipped with the reason otherwise. Run with ``pytest -m cups``.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest

from retiscreen.domain import ICDRGrade, Laterality, Patient
from retiscreen.report.pdf import render_report
from retiscreen.report.printing import (
    PrinterError,
    PrinterProblem,
    default_printer,
    job_pending,
    list_printers,
    printer_ready,
    printer_state,
    submit_to_cups,
)
from retiscreen.report.verification import new_report_id, verification_code
from retiscreen.settings import ClinicSettings, ReportSettings
from tests.support import builders

try:  # tests/integration as a package, or (pytest's default) as a plain folder
    from .cups_fixture import CupsQueue, cups_admin, cups_queue, wait_for_pdf
except ImportError:
    from cups_fixture import CupsQueue, cups_admin, cups_queue, wait_for_pdf  # type: ignore[no-redef]

pytestmark = pytest.mark.cups
__all__ = ["cups_queue"]  # the fixture, used by parameter name

PATIENT_ID = "CUPS-TEST-8841"


def report_pdf(tmp_path: Path, patient_id: str = PATIENT_ID) -> tuple[Path, str]:
    eye = builders.graded_eye(Laterality.RIGHT, ICDRGrade.MODERATE, 0.77)
    screening = builders.screening(
        eye,
        screening_id="scr-cups-1",
        patient=Patient(patient_id, "Printer Test Patient", date(1970, 1, 1), "F"),
        started_at=datetime(2025, 5, 1, 9, 0),
    )
    report_id = new_report_id()
    code = verification_code(b"s" * 32, report_id, "scr-cups-1", patient_id, "x")
    pdf = render_report(screening, ClinicSettings(), ReportSettings(), report_id, code)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return path, code


def printed_text(path: Path) -> str:
    """Text of a PDF that cups-pdf wrote; the file (test patient data) is then deleted."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    with contextlib.suppress(OSError):
        path.unlink()
    return " ".join(out.stdout.split())


def unique_title() -> tuple[str, str]:
    token = uuid.uuid4().hex[:12]
    return token, f"retiscreen-it-{token}"


def test_report_arrives_as_pdf(cups_queue: CupsQueue, tmp_path: Path) -> None:
    assert cups_queue.name in list_printers()
    assert printer_ready(cups_queue.name)
    path, code = report_pdf(tmp_path)
    token, title = unique_title()
    job = submit_to_cups(path, cups_queue.name, copies=1, title=title)
    assert job.startswith(f"{cups_queue.name}-")
    printed = wait_for_pdf(cups_queue.out_dir, token, timeout_s=30)
    text = printed_text(printed)
    assert PATIENT_ID in text
    assert code in text
    assert "Refer to an eye specialist" in text
    deadline = time.monotonic() + 15
    while job_pending(job) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not job_pending(job)


def test_default_destination_from_lpdest(
    cups_queue: CupsQueue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LPDEST", cups_queue.name)
    assert default_printer() == cups_queue.name
    path, _ = report_pdf(tmp_path, "CUPS-DEFAULT-5150")
    token, title = unique_title()
    submit_to_cups(path, None, title=title)
    assert "CUPS-DEFAULT-5150" in printed_text(wait_for_pdf(cups_queue.out_dir, token))


def test_missing_queue(cups_queue: CupsQueue, tmp_path: Path) -> None:
    path, _ = report_pdf(tmp_path)
    assert not printer_ready("retiscreen-no-such-queue")
    assert not printer_state("retiscreen-no-such-queue").exists
    with pytest.raises(PrinterError) as caught:
        submit_to_cups(path, "retiscreen-no-such-queue")
    assert caught.value.problem is PrinterProblem.NOT_FOUND
    assert "Printer 'retiscreen-no-such-queue' is not available (not found)" in str(caught.value)


def test_disabled_queue_refuses_then_recovers(cups_queue: CupsQueue, tmp_path: Path) -> None:
    path, _ = report_pdf(tmp_path, "CUPS-REENABLED-77")
    cups_admin("cupsdisable", cups_queue.name)
    try:
        assert not printer_ready(cups_queue.name)
        state = printer_state(cups_queue.name)
        assert state.exists and not state.enabled
        with pytest.raises(PrinterError) as caught:
            submit_to_cups(path, cups_queue.name)
        assert caught.value.problem is PrinterProblem.STOPPED
        assert f"Printer '{cups_queue.name}' is not available (stopped)" in str(caught.value)
    finally:
        cups_admin("cupsenable", cups_queue.name)
    assert printer_ready(cups_queue.name)
    token, title = unique_title()
    submit_to_cups(path, cups_queue.name, title=title)
    assert "CUPS-REENABLED-77" in printed_text(wait_for_pdf(cups_queue.out_dir, token))


def test_rejecting_queue(cups_queue: CupsQueue, tmp_path: Path) -> None:
    path, _ = report_pdf(tmp_path)
    cups_admin("cupsreject", cups_queue.name)
    try:
        assert not printer_ready(cups_queue.name)
        with pytest.raises(PrinterError) as caught:
            submit_to_cups(path, cups_queue.name)
        assert caught.value.problem is PrinterProblem.REJECTING
    finally:
        cups_admin("cupsaccept", cups_queue.name)
    assert printer_ready(cups_queue.name)
