"""The CUPS adapter: submit a report PDF to a print queue through ``lp``/``lpstat``.

The command-line tools are used instead of a binding (pycups) because they are present
wherever CUPS is, need no compiler, and honour the same configuration the operator
sees (``lpoptions``, ``$LPDEST``, ``$PRINTER``, ``$CUPS_SERVER``). Every call has a
timeout, and every failure becomes a :class:`PrinterError` whose text an operator can
act on. They run in the C locale so that their output can be parsed.

This module keeps no state and knows nothing about the database: the durable print
queue lives in the store and calls :func:`submit_to_cups`.

A stopped (disabled) CUPS queue still *accepts* jobs and holds them, so the kiosk would
believe a report was printed; :func:`submit_to_cups` therefore checks the queue first
and refuses a stopped one.
"""

from __future__ import annotations

import enum
import os
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from retiscreen.errors import PrintingError

LPSTAT_TIMEOUT_S = 10.0
LP_TIMEOUT_S = 30.0
MAX_COPIES = 99


class PrinterProblem(enum.StrEnum):
    """What went wrong, for code that decides whether to retry or tell the admin."""

    NOT_INSTALLED = "not_installed"
    CUPS_DOWN = "cups_down"
    NO_PRINTER = "no_printer"
    NOT_FOUND = "not_found"
    STOPPED = "stopped"
    REJECTING = "rejecting"
    TIMEOUT = "timeout"
    FILE = "file"
    FAILED = "failed"


class PrinterError(PrintingError):
    """Printing is not possible; ``str()`` is a message for the operator."""

    def __init__(self, message: str, problem: PrinterProblem = PrinterProblem.FAILED) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class PrinterState:
    """A CUPS queue as ``lpstat`` reports it."""

    name: str
    exists: bool
    enabled: bool = False
    accepting: bool = False
    detail: str = ""
    """CUPS's state message or reasons (e.g. 'Paused', 'Rejecting Jobs'), if any."""

    @property
    def ready(self) -> bool:
        return self.exists and self.enabled and self.accepting


def _env() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C", "LANG": "C", "LANGUAGE": "C"}


def _run(
    args: list[str], timeout: float, data: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a CUPS command; ``data`` goes to its standard input (a report that exists
    only in memory, decrypted from the store, never written to disk in the clear)."""
    try:
        result = subprocess.run(
            args,
            capture_output=True,
            input=data if data is not None else b"",
            timeout=timeout,
            env=_env(),
            check=False,
        )
        return subprocess.CompletedProcess(
            result.args,
            result.returncode,
            result.stdout.decode("utf-8", "replace"),
            result.stderr.decode("utf-8", "replace"),
        )
    except FileNotFoundError:
        raise PrinterError(
            f"Printing is not installed on this computer (the CUPS '{args[0]}' command is "
            "missing). Ask the administrator to install CUPS.",
            PrinterProblem.NOT_INSTALLED,
        ) from None
    except subprocess.TimeoutExpired:
        raise PrinterError(
            f"The printing system did not answer within {timeout:.0f} seconds. "
            "Check that CUPS is running, then try again.",
            PrinterProblem.TIMEOUT,
        ) from None
    except OSError as exc:
        raise PrinterError(f"Cannot run '{args[0]}': {exc}", PrinterProblem.NOT_INSTALLED) from None


def _cups_down() -> PrinterError:
    return PrinterError(
        "CUPS is not running. Restart the printing service (cupsd) or the kiosk, then try again.",
        PrinterProblem.CUPS_DOWN,
    )


def cups_running() -> bool:
    """True when the CUPS scheduler answers (raises only when CUPS is not installed)."""
    result = _run(["lpstat", "-r"], LPSTAT_TIMEOUT_S)
    return "scheduler is running" in result.stdout.lower()


def _require_scheduler() -> None:
    if not cups_running():
        raise _cups_down()


def list_printers() -> list[str]:
    """Names of the print queues CUPS knows (raises PrinterError when CUPS is down)."""
    _require_scheduler()
    result = _run(["lpstat", "-e"], LPSTAT_TIMEOUT_S)
    if result.returncode != 0:
        raise _error_from_output(result.stderr, None)
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def default_printer() -> str | None:
    """The destination ``lp`` uses without ``-d`` ($LPDEST, $PRINTER, lpoptions, server)."""
    _require_scheduler()
    result = _run(["lpstat", "-d"], LPSTAT_TIMEOUT_S)
    match = re.search(r"default destination:\s*(\S+)", result.stdout, re.IGNORECASE)
    return match.group(1) if match else None


def _queue(name: str) -> str:
    """'queue/instance' (an lpoptions instance) → 'queue', which lpstat understands."""
    return name.split("/", 1)[0]


def printer_state(name: str) -> PrinterState:
    """What CUPS says about one queue. Raises PrinterError only when CUPS is unusable."""
    _require_scheduler()
    queue = _queue(name)
    if not queue or queue.startswith("-"):
        return PrinterState(name, exists=False)
    printer = _run(["lpstat", "-p", queue], LPSTAT_TIMEOUT_S)
    lines = printer.stdout.splitlines()
    first = next((line for line in lines if line.startswith(f"printer {queue} ")), None)
    if printer.returncode != 0 or first is None:
        return PrinterState(name, exists=False)
    enabled = " disabled" not in first
    detail = "; ".join(line.strip() for line in lines if line[:1].isspace() and line.strip())
    accepting_run = _run(["lpstat", "-a", queue], LPSTAT_TIMEOUT_S)
    accepting = any(
        line.startswith(f"{queue} accepting requests") for line in accepting_run.stdout.splitlines()
    )
    return PrinterState(name, exists=True, enabled=enabled, accepting=accepting, detail=detail)


def printer_ready(name: str) -> bool:
    """True when the queue exists, is enabled and accepts jobs; False on any problem."""
    try:
        return printer_state(name).ready
    except PrinterError:
        return False


def _not_available(name: str, why: str, problem: PrinterProblem, hint: str) -> PrinterError:
    return PrinterError(f"Printer '{name}' is not available ({why}). {hint}", problem)


def check_printer(name: str | None) -> str:
    """Resolve ``name`` (None or '' = the default destination) and make sure it can print
    now; returns the queue name or raises PrinterError saying why not."""
    if not name:
        name = default_printer()
        if name is None:
            raise PrinterError(
                "No printer is set up. Ask the administrator to add a printer or to choose "
                "one in the settings.",
                PrinterProblem.NO_PRINTER,
            )
    state = printer_state(name)
    if not state.exists:
        raise _not_available(
            name, "not found", PrinterProblem.NOT_FOUND, "Check the printer name in the settings."
        )
    if not state.enabled:
        raise _not_available(
            name,
            "stopped",
            PrinterProblem.STOPPED,
            "Check paper, ink and cables, then restart the printer queue.",
        )
    if not state.accepting:
        raise _not_available(
            name,
            "not accepting jobs",
            PrinterProblem.REJECTING,
            "Ask the administrator to let the queue accept jobs again.",
        )
    return name


def _error_from_output(stderr: str, printer: str | None, returncode: int = 1) -> PrinterError:
    text = stderr.strip()
    lowered = text.lower()
    name = printer or "default"
    if "does not exist" in lowered or "invalid destination" in lowered:
        return _not_available(
            name, "not found", PrinterProblem.NOT_FOUND, "Check the printer name in the settings."
        )
    if "not accepting" in lowered:
        return _not_available(
            name,
            "not accepting jobs",
            PrinterProblem.REJECTING,
            "Ask the administrator to let the queue accept jobs again.",
        )
    if "no default destination" in lowered:
        return PrinterError(
            "No printer is set up. Ask the administrator to add a printer or to choose one in "
            "the settings.",
            PrinterProblem.NO_PRINTER,
        )
    if "scheduler is not running" in lowered or "unable to connect" in lowered:
        return _cups_down()
    if "unable to access" in lowered:
        return PrinterError(
            f"The report file could not be read for printing: {text}", PrinterProblem.FILE
        )
    return PrinterError(
        f"Printing failed: {text or f'lp exited with status {returncode}'}", PrinterProblem.FAILED
    )


_NO_DECOMPOSITION = str.maketrans("ŁłĐđıĦħŦŧŊŋĿŀ", "LlDdiHhTtNnLl")


def _safe_title(title: str) -> str:
    """Job titles show in queue listings: plain ASCII, one line, short."""
    folded = unicodedata.normalize("NFKD", title.translate(_NO_DECOMPOSITION))
    ascii_title = folded.encode("ascii", "ignore").decode("ascii")
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in ascii_title).split())
    return cleaned[:80] or "RetiScreen report"


def submit_to_cups(
    pdf: Path | bytes, printer: str | None, copies: int = 1, title: str = "RetiScreen report"
) -> str:
    """Queue ``pdf`` (a file, or the document itself, handed to ``lp`` on its standard
    input) on ``printer`` (None or '' = the default destination); returns the CUPS job id
    (e.g. ``'office-42'``). Raises PrinterError when printing is not installed, CUPS is
    down, no/unknown/stopped/rejecting queue, or ``lp`` fails.

    Keep patient identifiers out of ``title``: it is visible to every user of the queue.
    """
    if not 1 <= copies <= MAX_COPIES:
        raise ValueError(f"copies must be between 1 and {MAX_COPIES}, not {copies}")
    if isinstance(pdf, Path) and not pdf.is_file():
        raise PrinterError(
            f"The report file {pdf} is missing, so it cannot be printed.", PrinterProblem.FILE
        )
    queue = check_printer(printer)
    command = ["lp", "-d", queue, "-n", str(copies), "-t", _safe_title(title)]
    if isinstance(pdf, Path):
        result = _run([*command, "--", str(pdf.resolve())], LP_TIMEOUT_S)
    else:
        result = _run(command, LP_TIMEOUT_S, pdf)
    if result.returncode != 0:
        raise _error_from_output(result.stderr or result.stdout, queue, result.returncode)
    match = re.search(r"request id is (\S+)", result.stdout)
    if match is None:
        raise PrinterError(
            f"The printer queue '{queue}' did not confirm the job ({result.stdout.strip()!r}).",
            PrinterProblem.FAILED,
        )
    return match.group(1)


def job_pending(job_id: str) -> bool:
    """True while CUPS still holds the job (queued, printing, held or stopped)."""
    _require_scheduler()
    result = _run(["lpstat", "-o"], LPSTAT_TIMEOUT_S)
    if result.returncode != 0:
        raise _error_from_output(result.stderr, None, result.returncode)
    return any(line.split(maxsplit=1)[:1] == [job_id] for line in result.stdout.splitlines())
