"""Every printer state the kiosk must explain, each one made by its own test.

A test that reads the machine's state ("is CUPS up here?") passes or fails with the
machine; these make the state they check, with the real CUPS tools:

- no CUPS at all: ``PATH`` without ``lp``/``lpstat``;
- CUPS installed but stopped: ``CUPS_SERVER`` pointing at a socket or port where
  nothing listens (the real ``lpstat`` then finds no scheduler);
- no such queue, queue paused (``cupsdisable``), queue rejecting jobs (``cupsreject``),
  CUPS refusing the job on submit (a used-up quota): need the real cupsd from
  ``scripts/ci_cups_setup.sh`` (marked ``cups``; skipped with the reason without it,
  failed instead under ``RETISCREEN_REQUIRE_CUPS=1``). The paused, rejecting and quota
  states are made on a temporary queue, so the shared test queue is never left broken.

Each asserts the :class:`PrinterProblem` the core reports and the operator's words.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from retiscreen.report.printing import (
    PrinterError,
    PrinterProblem,
    cups_running,
    list_printers,
    printer_ready,
    printer_state,
    submit_to_cups,
)

try:  # tests/integration as a package, or (pytest's default) as a plain folder
    from .cups_fixture import (
        CupsQueue,
        cups_admin,
        cups_queue,
        free_tcp_port,
        temporary_queue,
        wait_for_pdf,
    )
except ImportError:
    from cups_fixture import (  # type: ignore[no-redef]
        CupsQueue,
        cups_admin,
        cups_queue,
        free_tcp_port,
        temporary_queue,
        wait_for_pdf,
    )

__all__ = ["cups_queue"]  # the fixture, used by parameter name

needs_lpstat = pytest.mark.skipif(
    shutil.which("lpstat") is None, reason="cups-client (lpstat, lp) is not installed"
)


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    """A small valid PDF (cups-pdf must be able to print it)."""
    path = tmp_path / "report.pdf"
    page = canvas.Canvas(str(path))
    page.drawString(72, 720, "RetiScreen printer-state test")
    page.save()
    return path


def refused(pdf: Path, printer: str | None) -> PrinterError:
    with pytest.raises(PrinterError) as caught:
        submit_to_cups(pdf, printer, title=f"retiscreen-state-{uuid.uuid4().hex[:8]}")
    return caught.value


def unique(prefix: str) -> str:
    return f"{prefix}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


# --- no CUPS at all ----------------------------------------------------------------------


def test_no_cups_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert not printer_ready("office")
    for printer in ("office", None):
        error = refused(pdf, printer)
        assert error.problem is PrinterProblem.NOT_INSTALLED
        assert "Printing is not installed on this computer" in str(error)


# --- CUPS installed, scheduler stopped ---------------------------------------------------


@needs_lpstat
@pytest.mark.parametrize("where", ["unix socket", "tcp port"])
def test_cups_installed_but_stopped(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf: Path
) -> None:
    server = (
        str(tmp_path / "no-cupsd.sock")
        if where == "unix socket"
        else f"127.0.0.1:{free_tcp_port()}"
    )
    monkeypatch.setenv("CUPS_SERVER", server)
    assert not cups_running()
    assert not printer_ready("anything")
    with pytest.raises(PrinterError) as listing:
        list_printers()
    assert listing.value.problem is PrinterProblem.CUPS_DOWN
    for printer in ("office", None):
        error = refused(pdf, printer)
        assert error.problem is PrinterProblem.CUPS_DOWN
        assert str(error).startswith("CUPS is not running.")


# --- a running cupsd ---------------------------------------------------------------------


@pytest.mark.cups
def test_no_such_queue(cups_queue: CupsQueue, pdf: Path) -> None:
    name = unique("retiscreen-no-such-queue")
    assert name not in list_printers()
    assert not printer_state(name).exists
    assert not printer_ready(name)
    error = refused(pdf, name)
    assert error.problem is PrinterProblem.NOT_FOUND
    assert str(error).startswith(f"Printer '{name}' is not available (not found).")


@pytest.mark.cups
def test_queue_paused_then_resumed(cups_queue: CupsQueue, pdf: Path) -> None:
    """A paused CUPS queue still accepts (and holds) jobs: the core must refuse it, or the
    kiosk would say "printed" for a report that sits in a stopped queue."""
    with temporary_queue(cups_queue, unique("retiscreen-paused")) as name:
        cups_admin("cupsdisable", name)
        state = printer_state(name)
        assert state.exists and not state.enabled and state.accepting
        error = refused(pdf, name)
        assert error.problem is PrinterProblem.STOPPED
        assert str(error).startswith(f"Printer '{name}' is not available (stopped).")
        cups_admin("cupsenable", name)
        assert printer_ready(name)
        token = uuid.uuid4().hex[:12]
        submit_to_cups(pdf, name, title=f"retiscreen-it-{token}")
        wait_for_pdf(cups_queue.out_dir, token).unlink()


@pytest.mark.cups
def test_queue_rejecting_jobs(cups_queue: CupsQueue, pdf: Path) -> None:
    with temporary_queue(cups_queue, unique("retiscreen-rejecting")) as name:
        cups_admin("cupsreject", name)
        state = printer_state(name)
        assert state.exists and state.enabled and not state.accepting
        error = refused(pdf, name)
        assert error.problem is PrinterProblem.REJECTING
        assert str(error).startswith(f"Printer '{name}' is not available (not accepting jobs).")


@pytest.mark.cups
def test_job_refused_on_submit(cups_queue: CupsQueue, pdf: Path) -> None:
    """The queue looks ready but CUPS refuses the job itself (here: the queue's quota of
    1 KiB per hour is used up by a first job): CUPS's own words reach the operator."""
    quota = ("-o", "job-quota-period=3600", "-o", "job-k-limit=1")
    with temporary_queue(cups_queue, unique("retiscreen-quota"), *quota) as name:
        token = uuid.uuid4().hex[:12]
        submit_to_cups(pdf, name, title=f"retiscreen-it-{token}")
        assert printer_ready(name)
        error = refused(pdf, name)
        assert error.problem is PrinterProblem.FAILED
        assert str(error) == "Printing failed: lp: Quota limit reached."
        wait_for_pdf(cups_queue.out_dir, token).unlink()
