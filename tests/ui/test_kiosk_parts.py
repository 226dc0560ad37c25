"""The kiosk's small parts on their own: session rules, identifiers, operators, settings
file, barcode scanner, screen wording."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from retiscreen.domain import (
    FundusImage,
    Laterality,
    QualityReason,
    QualityReport,
)
from retiscreen.settings import Settings, SettingsError, load_settings
from retiscreen.ui.barcode import ScanLineEdit
from retiscreen.ui.session import EyeCapture, ScreeningDraft, normalise_id, parse_dob
from retiscreen.ui.settings_file import apply_changes, save_changes
from tests.support.tiny_models import write_test_key

GOOD = QualityReport(True, 0.9, (), {})
BAD = QualityReport(False, 0.1, (QualityReason.BLURRED,), {})


def test_retakes_are_counted_and_ungradable_only_after_the_last() -> None:
    eye = EyeCapture(Laterality.RIGHT)
    image = FundusImage.__new__(FundusImage)
    assert eye.retakes_left(2) == 3 and not eye.may_accept_ungradable(2)
    for attempt in range(3):
        assert not eye.may_accept_ungradable(2)
        eye.record(image, BAD, None)
        assert eye.retakes_left(2) == 2 - attempt
    assert eye.may_accept_ungradable(2)
    eye.accept()
    assert eye.done and eye.history == ["blurred"] * 3


def test_a_skipped_eye_needs_a_reason_and_drops_its_photograph() -> None:
    draft = ScreeningDraft("Ana")
    eye = draft.eyes[Laterality.RIGHT]
    eye.record(None, None, "The file x.jpg is empty")
    with pytest.raises(ValueError):
        eye.skip("   ")
    eye.skip("  Artificial   eye ")
    assert eye.skipped_reason == "Artificial eye" and eye.image is None and eye.done
    assert draft.next_eye() == Laterality.LEFT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1958-03-24", date(1958, 3, 24)),
        ("24/03/1958", date(1958, 3, 24)),
        ("24.3.1958", date(1958, 3, 24)),
        ("19580324", date(1958, 3, 24)),
        ("31/02/1958", None),
        ("2099-01-01", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_date_of_birth_parsing(text: str, expected: date | None) -> None:
    assert parse_dob(text, today=date(2026, 1, 1)) == expected


def test_identifiers_compare_without_case_or_spaces() -> None:
    assert normalise_id(" mrn 00 42 ") == normalise_id("MRN0042")
    assert normalise_id("MRN-0042") != normalise_id("MRN-0043")


def test_settings_changes_are_merged_into_the_file(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "settings.toml"
    path.parent.mkdir()
    path.write_text('[clinic]\nphone = "555-0100"\n\n[kiosk]\nadmin_pin = "9999"\n')
    save_changes(
        path,
        {
            "clinic": {"name": 'Clínica "Norte"'},
            "kiosk": {"idle_timeout_s": 45},
            "rules": {"refer_months": 2},
        },
    )
    document = tomllib.loads(path.read_text())
    assert document["clinic"] == {"phone": "555-0100", "name": 'Clínica "Norte"'}
    assert document["kiosk"] == {"admin_pin": "9999", "idle_timeout_s": 45}
    loaded = load_settings(path, environ={})
    assert loaded.kiosk.idle_timeout_s == 45 and loaded.rules.refer_months == 2
    assert apply_changes(Settings(), {"kiosk": {"idle_timeout_s": 45}}).kiosk.idle_timeout_s == 45
    with pytest.raises(SettingsError):
        save_changes(path, {"kiosk": {"idle_timeout_s": "soon"}})
    assert load_settings(path, environ={}).kiosk.idle_timeout_s == 45  # file untouched


def test_a_barcode_scanner_burst_is_recognised(qtbot: QtBot) -> None:
    field = ScanLineEdit()
    qtbot.addWidget(field)
    with qtbot.waitSignal(field.scanned, timeout=2000) as scanned:
        qtbot.keyClicks(field, "MRN-20417")  # no delay: as fast as a scanner
        qtbot.keyClick(field, "\r")
    assert scanned.args == ["MRN-20417"] and field.was_scanned
    field.clear()
    with qtbot.assertNotEmitted(field.scanned):
        qtbot.keyClicks(field, "MRN7", delay=120)  # a person typing
        qtbot.keyClick(field, "\r")
    assert not field.was_scanned


def test_idle_countdown_pauses_for_background_work_without_restarting(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QApplication

    from retiscreen.ui.idle import IdleWatcher

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    watcher = IdleWatcher(app, 0.4)
    try:
        watcher.arm(True)
        watcher.hold(True)
        with qtbot.assertNotEmitted(watcher.timed_out, wait=600):
            pass
        watcher.hold(False)  # already idle for longer than the timeout: fires at once
        with qtbot.waitSignal(watcher.timed_out, timeout=300):
            pass
        watcher.arm(False)
        with qtbot.assertNotEmitted(watcher.timed_out, wait=600):
            pass
    finally:
        watcher.stop()


def test_run_kiosk_starts_in_demo_mode_and_only_the_admin_closes_it(
    qtbot: QtBot,
    tmp_path: Path,
    models_dir: Path,
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from retiscreen.settings import KioskSettings, ModelSettings, StorageSettings
    from retiscreen.store import ScreeningStore
    from retiscreen.ui.app import run_kiosk
    from retiscreen.ui.window import KioskWindow

    settings = Settings(
        storage=StorageSettings(str(tmp_path / "data")),
        models=ModelSettings(
            models_dir=str(models_dir),
            prefer_gpu=False,
            trusted_keys=str(write_test_key(tmp_path / "keys" / "test.pub.pem")),
        ),
        kiosk=KioskSettings(fullscreen=True),
    )
    seen: dict[str, object] = {}

    def close_it() -> None:
        windows = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, KioskWindow) and w.isVisible()
        ]
        if not windows:  # still loading the models
            QTimer.singleShot(100, close_it)
            return
        window = windows[-1]
        seen["demo"] = window.ctx.demo
        seen["camera"] = window.ctx.device.name if window.ctx.device else None
        seen["operators"] = window.ctx.accounts.names()
        window.close()  # refused: no admin PIN given
        seen["still_open"] = window.isVisible()
        window.exit_kiosk()
        QTimer.singleShot(0, QApplication.quit)

    QTimer.singleShot(300, close_it)
    assert run_kiosk(settings, demo=True, windowed=True) == 0
    assert seen["demo"] is True and seen["still_open"] is True
    assert "Demo camera" in str(seen["camera"]) and seen["operators"] == ["nurse"]
    with ScreeningStore(tmp_path / "data") as store:
        assert "kiosk_closed" in [e["event"] for e in store.audit_events()]
