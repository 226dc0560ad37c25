"""No silent loss (#13 item 8): an unfinished screening survives the kiosk closing, a crash
and a restart, in the real encrypted records; only the operator who started it sees it,
resumes it (same patient, same photographs, same verdicts) or discards it; left too long,
it expires. Each test closes the window and its database and opens a new one on the same
data folder, as a restart does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pytestqt.qtbot import QtBot

from retiscreen.accounts import Role
from retiscreen.domain import Laterality
from retiscreen.settings import Settings
from retiscreen.ui.window import KioskWindow
from tests.ui import images
from tests.ui.conftest import OPERATOR
from tests.ui.kiosk_driver import (
    WAIT_MS,
    confirm_patient,
    enter_patient,
    sign_in,
    stage,
    take_photo,
    touch,
    visible_texts,
    wait_for_result,
)

OpenKiosk = Callable[..., KioskWindow]
OTHER = ("Bo", "5931")


def restart(open_kiosk: OpenKiosk, settings: Settings, window: KioskWindow) -> KioskWindow:
    """Close the window and its records as a power cut would leave them (no way out
    through the administration, nothing said), then start a new kiosk on the same data."""
    window.allow_close = True
    window.close()
    window.ctx.service.store.close()
    return open_kiosk(settings, operator=False)


def sign_in_to_resume(qtbot: QtBot, window: KioskWindow, name: str, pin: str) -> None:
    touch(qtbot, window.home.start)
    touch(qtbot, window.signin.operator_buttons[name])
    window.signin.pad.type_pin(pin)
    touch(qtbot, window.signin.pad.ok)


def events(window: KioskWindow) -> list[str]:
    qtbot_wait_idle(window)
    return [e["event"] for e in window.ctx.service.store.audit_events()]


def qtbot_wait_idle(window: KioskWindow) -> None:
    window.ctx.workers.wait()


def park_half_way(
    qtbot: QtBot, open_kiosk: OpenKiosk, settings: Settings, camera_dir: Path
) -> tuple[KioskWindow, str]:
    """Right eye photographed and used, then nobody answers "still there?"; returns the
    window and the sha256 of the right eye's photograph."""
    stage(camera_dir, *images.both_eyes())
    window = open_kiosk(settings)
    window.ctx.accounts.add(OTHER[0], Role.OPERATOR, OTHER[1], by="test")
    sign_in(qtbot, window)
    enter_patient(qtbot, window, "MRN-KEPT", "Kept Patient", "1950-01-02")
    confirm_patient(qtbot, window, "MRN-KEPT", "1950-01-02")
    take_photo(qtbot, window)
    assert window.draft is not None
    right = window.draft.eyes[Laterality.RIGHT]
    assert right.image is not None and right.quality is not None
    sha, score = right.image.sha256, right.quality.score
    touch(qtbot, window.capture.use)
    assert window.capture.side is Laterality.LEFT
    qtbot.waitUntil(lambda: window.current is window.home, timeout=20_000)
    assert not [t for t in visible_texts(window) if "Kept Patient" in t]
    assert window.ctx.service.store.history() == []
    assert score > 0
    return window, sha


def test_a_parked_screening_is_resumed_and_finished_after_a_restart(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: Callable[..., Settings], camera_dir: Path
) -> None:
    settings = make_settings(kiosk={"idle_timeout_s": 3})
    window, right_sha = park_half_way(qtbot, open_kiosk, settings, camera_dir)
    assert "screening_parked" in events(window)
    (camera_dir / "01-right.jpg").unlink()  # the camera now holds the left eye's only

    window = restart(open_kiosk, settings, window)
    window.idle.set_timeout(600)
    sign_in(qtbot, window, *OTHER)  # another operator: a new screening, no draft
    assert window.current is window.patient
    window.sign_out()
    sign_in_to_resume(qtbot, window, *OPERATOR)
    qtbot.waitUntil(lambda: window.current is window.resume, timeout=WAIT_MS)
    summary = window.resume.summary.text()
    assert "Kept Patient" in summary and "1 of 2" in summary
    touch(qtbot, window.resume.resume)
    assert window.current is window.confirm and not window.confirm.read_back  # typed: again
    confirm_patient(qtbot, window, "MRN-KEPT", "1950-01-02")
    assert window.current is window.capture and window.capture.side is Laterality.LEFT
    assert window.draft is not None
    right = window.draft.eyes[Laterality.RIGHT]
    assert right.done and right.image is not None and right.image.sha256 == right_sha
    take_photo(qtbot, window)
    touch(qtbot, window.capture.use)
    wait_for_result(qtbot, window)

    store = window.ctx.service.store
    (row,) = store.history()
    saved = store.load_screening(row["screening_id"])
    assert saved.patient.patient_id == "MRN-KEPT"
    eye = saved.eye(Laterality.RIGHT)
    assert eye is not None and eye.image is not None and eye.image.sha256 == right_sha
    assert window.ctx.service.drafts_of(OPERATOR[0]) == []
    assert not any((Path(settings.storage.root) / "drafts").iterdir())
    logged = events(window)
    assert "screening_resumed" in logged and "draft_completed" in logged


def test_a_screening_in_progress_survives_a_crash(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: Callable[..., Settings], camera_dir: Path
) -> None:
    """No idle timeout, no parking: the kiosk just stops after the first eye."""
    stage(camera_dir, *images.both_eyes())
    settings = make_settings()
    window = open_kiosk(settings)
    sign_in(qtbot, window)
    enter_patient(qtbot, window, "MRN-CRASH", "Crash Patient", "1950-01-02")
    confirm_patient(qtbot, window, "MRN-CRASH", "1950-01-02")
    take_photo(qtbot, window)
    touch(qtbot, window.capture.use)

    window = restart(open_kiosk, settings, window)
    sign_in_to_resume(qtbot, window, *OPERATOR)
    qtbot.waitUntil(lambda: window.current is window.resume, timeout=WAIT_MS)
    assert "Crash Patient" in window.resume.summary.text()
    assert "1 of 2" in window.resume.summary.text()


def test_a_draft_discarded_after_a_restart_is_gone_with_its_photographs(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: Callable[..., Settings], camera_dir: Path
) -> None:
    settings = make_settings(kiosk={"idle_timeout_s": 3})
    window, _sha = park_half_way(qtbot, open_kiosk, settings, camera_dir)
    drafts = Path(settings.storage.root) / "drafts"
    assert len(list(drafts.rglob("*.sealed"))) == 1

    window = restart(open_kiosk, settings, window)
    window.idle.set_timeout(600)
    sign_in_to_resume(qtbot, window, *OPERATOR)
    qtbot.waitUntil(lambda: window.current is window.resume, timeout=WAIT_MS)
    touch(qtbot, window.resume.discard)
    touch(qtbot, window.resume.discard)  # the second touch confirms
    assert window.current is window.home
    assert list(drafts.rglob("*.sealed")) == []
    assert window.ctx.service.drafts_of(OPERATOR[0]) == []
    assert "draft_discarded" in events(window)
    touch(qtbot, window.home.start)  # still signed in: a new screening, no draft
    assert window.current is window.patient


def test_a_draft_left_too_long_expires(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: Callable[..., Settings], camera_dir: Path
) -> None:
    settings = make_settings(kiosk={"idle_timeout_s": 3, "draft_expiry_h": 2})
    window, _sha = park_half_way(qtbot, open_kiosk, settings, camera_dir)
    window = restart(open_kiosk, settings, window)
    window.idle.set_timeout(600)
    service = window.ctx.service
    assert service.expire_drafts(datetime.now(UTC) + timedelta(hours=1)) == []  # not yet
    assert len(service.expire_drafts(datetime.now(UTC) + timedelta(hours=3))) == 1
    sign_in(qtbot, window)  # nothing to resume: straight to a new patient
    assert window.current is window.patient
    assert "draft_expired" in events(window)
    assert list((Path(settings.storage.root) / "drafts").rglob("*.sealed")) == []
