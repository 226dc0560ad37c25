"""A real CUPS queue that writes PDFs to a folder, for printing integration tests.

``cups_queue`` (session scope) makes sure cupsd is running and the cups-pdf queue
``retiscreen-test-pdf`` exists and is enabled, by running ``scripts/ci_cups_setup.sh
--no-install`` (the same script CI runs, so there is one recipe). It never installs
packages. It skips with a clear reason when CUPS or cups-pdf is not installed or the
setup needs privileges the test run lacks; set ``RETISCREEN_REQUIRE_CUPS=1`` (CI) to
make those cases fail instead of skip.

Import it into a test module with ``from cups_fixture import cups_queue`` (or with a
``pytest_plugins``/conftest entry); other modules' tests (e.g. the store's durable print
queue) can use the same fixture and :func:`wait_for_pdf`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SETUP_SCRIPT = REPO / "scripts" / "ci_cups_setup.sh"
QUEUE = "retiscreen-test-pdf"
CUPS_PDF_BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
REQUIRED_TOOLS = ("cupsd", "lpadmin", "lpinfo", "lp", "lpstat", "cupsenable", "cupsdisable")


@dataclass(frozen=True)
class CupsQueue:
    name: str
    out_dir: Path
    """Where cups-pdf writes this queue's PDFs (one file per job, named after the title)."""


def _unavailable(reason: str) -> None:
    if os.environ.get("RETISCREEN_REQUIRE_CUPS") == "1":
        pytest.fail(f"CUPS is required here (RETISCREEN_REQUIRE_CUPS=1): {reason}")
    pytest.skip(reason)


def _tool_path() -> str:
    return os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


@pytest.fixture(scope="session")
def cups_queue() -> CupsQueue:
    path = _tool_path()
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool, path=path) is None]
    if missing or not CUPS_PDF_BACKEND.exists():
        what = ", ".join(missing) or str(CUPS_PDF_BACKEND)
        _unavailable(
            f"CUPS with cups-pdf is not installed (missing {what}); run "
            "scripts/ci_cups_setup.sh as root to install and start it"
        )
    env = {**os.environ, "PATH": path, "RETISCREEN_CUPS_QUEUE": QUEUE}
    try:
        result = subprocess.run(
            ["bash", str(SETUP_SCRIPT), "--no-install"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        _unavailable("scripts/ci_cups_setup.sh did not finish within 120 s")
        raise AssertionError("unreachable") from None
    if result.returncode != 0:
        _unavailable(
            "cannot start cupsd / create the test queue (scripts/ci_cups_setup.sh): "
            + (result.stderr.strip() or result.stdout.strip())[-500:]
        )
    values = dict(
        line.split("=", 1) for line in result.stdout.splitlines() if "=" in line and line[0] != " "
    )
    return CupsQueue(values.get("queue", QUEUE), Path(values["out"]))


def cups_admin(*args: str) -> None:
    """Run a CUPS admin command (cupsenable, cupsdisable, ...); skip when not permitted."""
    command = list(args)
    tool = shutil.which(command[0], path=_tool_path())
    if tool is None:
        _unavailable(f"{command[0]} is not installed")
        return
    if os.geteuid() != 0 and shutil.which("sudo"):
        command = ["sudo", "-n", tool, *command[1:]]
    else:
        command[0] = tool
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    if result.returncode != 0:
        _unavailable(f"{' '.join(args)} failed: {result.stderr.strip()}")


@contextlib.contextmanager
def temporary_queue(queue: CupsQueue, name: str, *lpadmin_options: str) -> Iterator[str]:
    """A second queue, ``name``, that writes into ``queue``'s cups-pdf folder, for a test
    that must change a queue's state (pause it, limit it) without touching the shared
    test queue; it is deleted afterwards, whatever the test did to it."""
    ppd = Path("/etc/cups/ppd") / f"{queue.name}.ppd"
    if not ppd.exists():
        _unavailable(f"{ppd} is missing (made by scripts/ci_cups_setup.sh)")
    options = ["-v", f"cups-pdf:/{queue.name}", "-P", str(ppd), *lpadmin_options]
    cups_admin("lpadmin", "-p", name, "-E", *options)
    try:
        yield name
    finally:
        with contextlib.suppress(pytest.skip.Exception, pytest.fail.Exception):
            cups_admin("lpadmin", "-x", name)


def free_tcp_port() -> int:
    """A localhost port where nothing listens (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_for_pdf(out_dir: Path, token: str, timeout_s: float = 30.0) -> Path:
    """The cups-pdf output whose file name contains ``token`` (use a unique job title),
    once it is complete (size stable and ends with %%EOF); AssertionError on timeout."""
    deadline = time.monotonic() + timeout_s
    last_size = -1
    while time.monotonic() < deadline:
        found = sorted(out_dir.glob(f"*{token}*.pdf")) if out_dir.is_dir() else []
        if found:
            path = found[0]
            try:
                size = path.stat().st_size
                complete = size > 0 and size == last_size and b"%%EOF" in path.read_bytes()[-1024:]
            except OSError:
                complete = False
                size = -1
            if complete:
                return path
            last_size = size
        time.sleep(0.25)
    listing = sorted(p.name for p in out_dir.iterdir()) if out_dir.is_dir() else "no folder"
    raise AssertionError(
        f"no PDF named *{token}* appeared in {out_dir} within {timeout_s:.0f} s "
        f"(folder holds: {listing}; see /var/log/cups/error_log and "
        f"/var/log/cups/cups-pdf-{QUEUE}_log)"
    )
