"""Every printer state, each made by its test: what the kiosk tells the operator after a
screening, and that the report is saved and its print job kept for later.

States: no CUPS on the machine, CUPS installed but not running, no such queue, queue
paused, queue refusing jobs. The last three need the real cupsd with the cups-pdf test
queue (``scripts/ci_cups_setup.sh``; in CI a missing CUPS fails instead of skipping).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from retiscreen.settings import Settings
from retiscreen.ui.window import KioskWindow
from tests.integration.cups_fixture import CupsQueue, cups_admin, free_tcp_port
from tests.ui import images
from tests.ui.kiosk_driver import screen_patient, stage


@pytest.fixture
def no_cups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH with no lp and no lpstat: CUPS is not installed, every attempt fails."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def screen_and_read_the_print_line(qtbot: QtBot, window: KioskWindow, camera_dir: Path) -> str:
    stage(camera_dir, *images.both_eyes())
    screen_patient(qtbot, window, "MRN-PRN", "Pat Printer")
    assert len(window.ctx.service.store.pending_print_jobs()) == 1  # kept for later
    assert window.ctx.service.history()
    return str(window.result.printing.text())


def test_no_cups_on_this_machine(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
    no_cups: None,
) -> None:
    window = open_kiosk(make_settings(report={"printer": "retiscreen-test-pdf"}))
    text = screen_and_read_the_print_line(qtbot, window, camera_dir)
    assert "NOT printed" in text and "Printing is not installed" in text


def test_cups_installed_but_not_running(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil

    if shutil.which("lp") is None:
        pytest.skip("the CUPS client (lp) is not installed: scripts/setup.sh installs it")
    monkeypatch.setenv("CUPS_SERVER", f"127.0.0.1:{free_tcp_port()}")  # nothing listens there
    window = open_kiosk(make_settings(report={"printer": "retiscreen-test-pdf"}))
    text = screen_and_read_the_print_line(qtbot, window, camera_dir)
    assert "NOT printed" in text and "CUPS is not running" in text


def test_no_such_queue(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
    cups_queue: CupsQueue,
) -> None:
    window = open_kiosk(make_settings(report={"printer": "retiscreen-no-such-queue"}))
    text = screen_and_read_the_print_line(qtbot, window, camera_dir)
    assert "'retiscreen-no-such-queue' is not available (not found)" in text


@pytest.fixture
def paused(cups_queue: CupsQueue) -> Iterator[CupsQueue]:
    cups_admin("cupsdisable", cups_queue.name)
    try:
        yield cups_queue
    finally:
        cups_admin("cupsenable", cups_queue.name)


@pytest.fixture
def refusing(cups_queue: CupsQueue) -> Iterator[CupsQueue]:
    cups_admin("cupsreject", cups_queue.name)
    try:
        yield cups_queue
    finally:
        cups_admin("cupsaccept", cups_queue.name)


def test_queue_paused(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
    paused: CupsQueue,
) -> None:
    window = open_kiosk(make_settings(report={"printer": paused.name}))
    text = screen_and_read_the_print_line(qtbot, window, camera_dir)
    assert f"'{paused.name}' is not available (stopped)" in text


def test_queue_refusing_jobs(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
    refusing: CupsQueue,
) -> None:
    window = open_kiosk(make_settings(report={"printer": refusing.name}))
    text = screen_and_read_the_print_line(qtbot, window, camera_dir)
    assert f"'{refusing.name}' is not available (not accepting jobs)" in text


def test_a_print_job_that_gave_up_is_shown_on_the_home_page_until_printed(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
    no_cups: None,
) -> None:
    window = open_kiosk(make_settings(report={"printer": "retiscreen-test-pdf"}))
    assert window.home.queue_status.text() == ""
    screen_and_read_the_print_line(qtbot, window, camera_dir)
    service = window.ctx.service
    while service.store.pending_print_jobs():
        service.retry_print_queue()
    window.home.entered()
    assert "1 report(s) could not be printed after repeated tries" in (
        window.home.queue_status.text()
    )
    assert window.home.queue_status.level == "error"
