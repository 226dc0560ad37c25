"""Nothing saved is left behind: a screening saved without its report (the program
stopped in between) gets one, and a print job that keeps failing stays visible."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from retiscreen.cli import main
from retiscreen.selftest import check_print_queue
from retiscreen.service import MISSING_REPORT_GRACE, ScreeningService
from retiscreen.settings import ReportSettings, Settings, StorageSettings
from tests.support.builders import screening

NO_PRINTER = "retiscreen-no-such-printer"


@pytest.fixture
def service(tmp_path: Path, tiny_pipeline: object) -> ScreeningService:
    settings = Settings(
        storage=StorageSettings(data_dir=str(tmp_path / "data")),
        report=ReportSettings(printer=NO_PRINTER, patient_letter=False),
    )
    return ScreeningService(settings, pipeline=tiny_pipeline)  # type: ignore[arg-type]


def saved_without_report(service: ScreeningService, screening_id: str) -> str:
    """What a crash between saving and writing the report leaves."""
    service.store.save_screening(screening(screening_id=screening_id))
    assert service.store.reports_for(screening_id) == []
    return screening_id


def test_a_screening_saved_without_its_report_gets_one(service: ScreeningService) -> None:
    sid = saved_without_report(service, "S-CRASH-1")
    assert service.make_missing_reports(older_than=MISSING_REPORT_GRACE) == []  # just saved
    assert "1 saved screening(s) have no report" in check_print_queue(service.store.root).detail
    assert service.make_missing_reports() == [sid]
    (report,) = service.store.reports_for(sid)
    pdf = service.store.root / "copy.pdf"
    pdf.write_bytes(service.store.read_report(report["report_id"]))
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "S-CRASH-1" in text
    assert service.make_missing_reports() == []  # made once, not again
    assert check_print_queue(service.store.root).ok


def test_print_queue_command_makes_the_missing_report(
    cli_env: Path, service: ScreeningService, capsys: pytest.CaptureFixture[str]
) -> None:
    saved_without_report(service, "S-CRASH-2")
    service.close()
    assert main(["print-queue"]) == 0
    out = capsys.readouterr().out
    assert "Report made for saved screening S-CRASH-2 (it had none)." in out
    assert "1 missing report(s) made, 0 print job(s) tried." in out


def test_a_print_job_that_keeps_failing_is_kept_and_shown(
    tmp_path: Path,
    cli_env: Path,
    service: ScreeningService,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-cups"))  # no lp: every attempt fails
    recorded = service.record(screening(screening_id="S-PRINT-1"), print_report=True)
    assert recorded.printing is not None and not recorded.printing.printed
    for _ in range(service.store.max_print_attempts - 1):
        service.retry_print_queue()
    (failed,) = service.failed_print_jobs()
    assert failed["report_id"] == recorded.report_id
    assert failed["attempts"] == service.store.max_print_attempts
    assert service.retry_print_queue() == []  # the background no longer retries it ...
    check = check_print_queue(service.store.root)  # ... but selftest and the kiosk say so
    assert not check.ok and not check.critical
    assert "1 print job(s) gave up" in check.detail and "retiscreen print-queue" in check.detail
    service.close()
    assert main(["print-queue"]) == 1  # a person asked: the job that gave up is tried again
    assert "0 missing report(s) made, 1 print job(s) tried." in capsys.readouterr().out
    from retiscreen.store import ScreeningStore

    with ScreeningStore(tmp_path / "data") as store:
        (job,) = store.failed_print_jobs()  # one more try, failed again: still kept
        assert job["attempts"] == 6
