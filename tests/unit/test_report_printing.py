"""The CUPS adapter against fake ``lp``/``lpstat`` programs (no CUPS needed).

The fakes print what CUPS 2.4 prints in the C locale (captured from a real cupsd), and
are driven by environment variables: FAKE_CUPS_DOWN, FAKE_PRINTERS, FAKE_DEFAULT,
FAKE_DISABLED, FAKE_REJECTING, FAKE_JOBS, FAKE_LP_FAIL, FAKE_LP_SLEEP, FAKE_LP_OUT.
The real-CUPS behaviour is covered by tests/integration/test_printing_cups.py.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from retiscreen.report import printing
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

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fake CUPS tools are sh scripts")

FAKE_LPSTAT = r"""#!/bin/sh
in_list() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }
if [ -n "$FAKE_CUPS_DOWN" ]; then
    case "$1" in
        -r) echo "scheduler is not running"; exit 0 ;;
        -e|-d) exit 0 ;;
        *) echo "lpstat: Scheduler is not running." >&2; exit 1 ;;
    esac
fi
case "$1" in
    -r) echo "scheduler is running" ;;
    -e) for p in $FAKE_PRINTERS; do echo "$p"; done ;;
    -d) if [ -n "$FAKE_DEFAULT" ]; then echo "system default destination: $FAKE_DEFAULT";
        else echo "no system default destination"; fi ;;
    -p) if ! in_list "$2" "$FAKE_PRINTERS"; then
            echo "lpstat: Invalid destination name in list \"$2\"." >&2; exit 1; fi
        if in_list "$2" "$FAKE_DISABLED"; then
            echo "printer $2 disabled since Fri Nov 27 03:34:35 2026 -"; printf '\tPaused\n'
        else echo "printer $2 is idle.  enabled since Fri Nov 27 03:34:35 2026"; fi ;;
    -a) if ! in_list "$2" "$FAKE_PRINTERS"; then
            echo "lpstat: Invalid destination name in list \"$2\"." >&2; exit 1; fi
        if in_list "$2" "$FAKE_REJECTING"; then
            echo "$2 not accepting requests since Fri Nov 27 03:34:35 2026 -"
            printf '\tRejecting Jobs\n'
        else echo "$2 accepting requests since Fri Nov 27 03:34:35 2026"; fi ;;
    -o) for j in $FAKE_JOBS; do echo "$j   root   23552   Fri Nov 27 03:34:20 2026"; done ;;
    *) echo "fake lpstat: unexpected $*" >&2; exit 2 ;;
esac
"""

FAKE_LP = r"""#!/bin/sh
printf '%s\n' "$@" > "$FAKE_LOG"
[ -n "$FAKE_LP_SLEEP" ] && exec sleep "$FAKE_LP_SLEEP"
if [ -n "$FAKE_LP_FAIL" ]; then echo "$FAKE_LP_FAIL" >&2; exit 1; fi
if [ -n "$FAKE_LP_OUT" ]; then echo "$FAKE_LP_OUT"; exit 0; fi
echo "request id is $2-42 (1 file(s))"
"""

ENV_KEYS = [
    "FAKE_CUPS_DOWN",
    "FAKE_PRINTERS",
    "FAKE_DEFAULT",
    "FAKE_DISABLED",
    "FAKE_REJECTING",
    "FAKE_JOBS",
    "FAKE_LP_FAIL",
    "FAKE_LP_SLEEP",
    "FAKE_LP_OUT",
    "LPDEST",
    "PRINTER",
    "CUPS_SERVER",
]


@pytest.fixture
def cups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fake CUPS on PATH with two printers, 'office' and 'lab'; returns lp's argument log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in (("lpstat", FAKE_LPSTAT), ("lp", FAKE_LP)):
        tool = bin_dir / name
        tool.write_text(body)
        tool.chmod(0o755)
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("FAKE_PRINTERS", "office lab")
    log = tmp_path / "lp-args.txt"
    monkeypatch.setenv("FAKE_LOG", str(log))
    return log


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return path


def test_list_and_default(cups: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert list_printers() == ["office", "lab"]
    assert default_printer() is None
    monkeypatch.setenv("FAKE_DEFAULT", "lab")
    assert default_printer() == "lab"
    monkeypatch.setenv("FAKE_PRINTERS", "")
    assert list_printers() == []


def test_printer_state(cups: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_DISABLED", "lab")
    assert printer_ready("office")
    assert printer_ready("office/duplex")  # an lpoptions instance of the queue
    assert not printer_ready("lab")
    state = printer_state("lab")
    assert state.exists and not state.enabled and state.accepting and state.detail == "Paused"
    assert not printer_ready("nope")
    assert not printer_state("nope").exists
    assert not printer_ready("")
    assert not printer_ready("-x")
    monkeypatch.setenv("FAKE_DISABLED", "")
    monkeypatch.setenv("FAKE_REJECTING", "lab")
    assert not printer_ready("lab")
    assert printer_state("lab").detail == "" and not printer_state("lab").accepting


def test_cups_down(cups: Path, monkeypatch: pytest.MonkeyPatch, pdf: Path) -> None:
    monkeypatch.setenv("FAKE_CUPS_DOWN", "1")
    assert not printer_ready("office")
    for call in (list_printers, default_printer, lambda: submit_to_cups(pdf, "office")):
        with pytest.raises(PrinterError, match="CUPS is not running") as caught:
            call()
        assert caught.value.problem is PrinterProblem.CUPS_DOWN
    assert not cups.exists()  # lp was never run


def test_submit_passes_options_and_returns_job_id(cups: Path, pdf: Path) -> None:
    job = submit_to_cups(pdf, "office", copies=2, title="Report\nŁódź\t2025 ☃")
    assert job == "office-42"
    args = cups.read_text().splitlines()
    assert args == ["-d", "office", "-n", "2", "-t", "Report Lodz 2025", "--", str(pdf.resolve())]


def test_submit_to_default(cups: Path, pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PrinterError, match="No printer is set up") as caught:
        submit_to_cups(pdf, None)
    assert caught.value.problem is PrinterProblem.NO_PRINTER
    monkeypatch.setenv("FAKE_DEFAULT", "lab")
    assert submit_to_cups(pdf, None) == "lab-42"
    assert submit_to_cups(pdf, "") == "lab-42"


def test_missing_queue(cups: Path, pdf: Path) -> None:
    with pytest.raises(PrinterError) as caught:
        submit_to_cups(pdf, "basement")
    assert str(caught.value).startswith("Printer 'basement' is not available (not found)")
    assert caught.value.problem is PrinterProblem.NOT_FOUND
    assert not cups.exists()


def test_stopped_and_rejecting_queues(
    cups: Path, pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DISABLED", "office")
    with pytest.raises(PrinterError, match=r"Printer 'office' is not available \(stopped\)") as c:
        submit_to_cups(pdf, "office")
    assert c.value.problem is PrinterProblem.STOPPED
    monkeypatch.setenv("FAKE_DISABLED", "")
    monkeypatch.setenv("FAKE_REJECTING", "office")
    with pytest.raises(PrinterError, match=r"\(not accepting jobs\)") as c:
        submit_to_cups(pdf, "office")
    assert c.value.problem is PrinterProblem.REJECTING
    assert not cups.exists()


@pytest.mark.parametrize(
    ("stderr", "problem", "message"),
    [
        (
            "lp: Error - The printer or class does not exist.",
            PrinterProblem.NOT_FOUND,
            "Printer 'office' is not available (not found)",
        ),
        (
            'lp: Destination "office" is not accepting jobs.',
            PrinterProblem.REJECTING,
            "Printer 'office' is not available (not accepting jobs)",
        ),
        ("lpstat: Scheduler is not running.", PrinterProblem.CUPS_DOWN, "CUPS is not running"),
        (
            'lp: Error - unable to access "/x.pdf" - Permission denied',
            PrinterProblem.FILE,
            "could not be read",
        ),
        ("lp: Error - Forbidden", PrinterProblem.FAILED, "Printing failed: lp: Error - Forbidden"),
    ],
)
def test_lp_failures_become_operator_messages(
    cups: Path,
    pdf: Path,
    monkeypatch: pytest.MonkeyPatch,
    stderr: str,
    problem: PrinterProblem,
    message: str,
) -> None:
    monkeypatch.setenv("FAKE_LP_FAIL", stderr)
    with pytest.raises(PrinterError) as caught:
        submit_to_cups(pdf, "office")
    assert caught.value.problem is problem
    assert message in str(caught.value)


def test_unconfirmed_job(cups: Path, pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_LP_OUT", "something unexpected")
    with pytest.raises(PrinterError, match="did not confirm"):
        submit_to_cups(pdf, "office")


def test_lp_timeout(cups: Path, pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing, "LP_TIMEOUT_S", 0.5)
    monkeypatch.setenv("FAKE_LP_SLEEP", "10")
    with pytest.raises(PrinterError, match="did not answer") as caught:
        submit_to_cups(pdf, "office")
    assert caught.value.problem is PrinterProblem.TIMEOUT


def test_bad_arguments(cups: Path, pdf: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        submit_to_cups(pdf, "office", copies=0)
    with pytest.raises(ValueError):
        submit_to_cups(pdf, "office", copies=1000)
    with pytest.raises(PrinterError, match="missing") as caught:
        submit_to_cups(tmp_path / "gone.pdf", "office")
    assert caught.value.problem is PrinterProblem.FILE


def test_job_pending(cups: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_JOBS", "office-41 office-42")
    assert job_pending("office-42")
    assert not job_pending("office-4")
    assert not job_pending("office-43")


def test_cups_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert not printer_ready("office")
    with pytest.raises(PrinterError, match="Printing is not installed") as caught:
        submit_to_cups(pdf, "office")
    assert caught.value.problem is PrinterProblem.NOT_INSTALLED


@pytest.mark.skipif(shutil.which("lpstat") is None, reason="cups-client is not installed")
def test_real_lpstat_with_unreachable_scheduler(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pdf: Path
) -> None:
    """The real tools, pointed at a socket where no cupsd listens."""
    monkeypatch.setenv("CUPS_SERVER", str(tmp_path / "no-cupsd.sock"))
    assert not printing.cups_running()
    assert not printer_ready("anything")
    with pytest.raises(PrinterError, match="CUPS is not running"):
        list_printers()
    with pytest.raises(PrinterError, match="CUPS is not running"):
        submit_to_cups(pdf, None)
