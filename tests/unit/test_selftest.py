"""`retiscreen selftest` with the shipped (signed) models or tiny real ONNX models, a
real database and the control photographs in assets/controls."""

from __future__ import annotations

import glob
from dataclasses import replace
from pathlib import Path

import pytest

from retiscreen import selftest
from retiscreen.cli import main
from retiscreen.grading.signing import key_id, trusted_keys
from retiscreen.pipeline import Pipeline
from retiscreen.selftest import Check, Control, SelftestResult, read_controls, run_selftest
from retiscreen.settings import ModelSettings, Settings, StorageSettings, bundled_dir
from retiscreen.store import ScreeningStore
from tests.support.tiny_models import write_models, write_test_key

NORMAL_EYE = [4.0, 0.0, 0.0, 0.0, 0.0]  # the tiny grader then says "no DR" to everything
CONTROLS = {"negative control", "positive control"}
CRITICAL = {"model signature", "execution provider", "database"} | CONTROLS
SHIPPED = bundled_dir("models")


def no_camera() -> list[str]:
    return []


@pytest.fixture(autouse=True)
def no_printer_or_camera(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CUPS, no camera and no settings file unless a test says otherwise."""
    monkeypatch.setenv("RETISCREEN_CONFIG", "/nonexistent/retiscreen/settings.toml")
    monkeypatch.setattr(selftest, "find_cameras", no_camera)
    monkeypatch.setattr(
        selftest,
        "check_printer",
        lambda name: Check("printer", False, "no printer (test)", critical=False),
    )


def settings_for(tmp_path: Path, models: Path) -> Settings:
    return Settings(
        storage=StorageSettings(data_dir=str(tmp_path / "data")),
        models=ModelSettings(
            models_dir=str(models),
            prefer_gpu=False,
            trusted_keys=str(write_test_key(tmp_path / "keys" / "test.pub.pem")),
        ),
    )


def good_models(tmp_path: Path) -> Path:
    """The shipped models: tiny ones cannot tell a normal eye from a diseased one, so
    they never pass both control photographs."""
    return SHIPPED


def test_passing_installation(tmp_path: Path) -> None:
    result = run_selftest(settings_for(tmp_path, good_models(tmp_path)))
    assert result.ok, result.summary()
    names = [c.name for c in result.checks]
    assert CRITICAL | {"printer", "camera", "disk space"} <= set(names)
    assert all(result.check(name).ok for name in CRITICAL)
    assert not result.check("printer").critical and not result.check("camera").critical
    models = result.check("model signature").detail
    assert "grader retiscreen-grader " in models and "quality retiscreen-quality" in models
    assert f"signed by key {key_id(trusted_keys()[0])}" in models
    assert result.check("execution provider").detail.startswith("CPUExecutionProvider")
    assert "decision routine (expected routine)" in result.check("negative control").detail
    positive = result.check("positive control").detail
    assert "ICDR 4" in positive and "(expected refer or urgent)" in positive
    summary = result.summary()
    assert "[ OK ] model signature: grader retiscreen-grader" in summary
    assert "[WARN] camera:" in summary and "[WARN] printer:" in summary
    assert summary.splitlines()[-1].startswith("selftest passed")


def test_audit_event_is_written(tmp_path: Path) -> None:
    run_selftest(settings_for(tmp_path, good_models(tmp_path)))
    with ScreeningStore(tmp_path / "data") as store:
        events = [e for e in store.audit_events() if e["event"] == "selftest"]
    assert len(events) == 1 and events[0]["operator"] == "selftest"


def test_tampered_model_fails(tmp_path: Path) -> None:
    models = write_models(tmp_path / "models")
    onnx = models / "grader.onnx"
    onnx.write_bytes(onnx.read_bytes() + b"\0")
    result = run_selftest(settings_for(tmp_path, models))
    assert not result.ok
    assert "grader.onnx was changed after it was signed" in result.check("model signature").detail
    assert not any(result.check(name).ok for name in CONTROLS)
    assert not result.check("execution provider").ok
    assert result.check("database").ok
    assert "[FAIL] model signature" in result.summary()
    assert result.summary().splitlines()[-1].startswith("SELFTEST FAILED: model signature")


def test_missing_models_fail(tmp_path: Path) -> None:
    result = run_selftest(settings_for(tmp_path, tmp_path / "nowhere"))
    assert not result.ok
    assert "missing or not signed" in result.check("model signature").detail
    assert not any(result.check(name).ok for name in CONTROLS)


def test_a_model_that_refers_a_normal_eye_fails(tmp_path: Path) -> None:
    models = write_models(tmp_path / "models")  # the default tiny grader: moderate DR
    result = run_selftest(settings_for(tmp_path, models))
    assert result.check("model signature").ok
    negative = result.check("negative control")
    assert not negative.ok and "decision refer (expected routine)" in negative.detail
    assert negative.detail.endswith("wrong or damaged model, or broken preprocessing")
    assert result.check("positive control").ok
    assert not result.ok


def test_a_model_that_calls_every_eye_normal_fails(tmp_path: Path) -> None:
    models = write_models(tmp_path / "models", grade_bias=NORMAL_EYE)
    result = run_selftest(settings_for(tmp_path, models))
    assert result.check("negative control").ok
    positive = result.check("positive control")
    assert not positive.ok and "decision routine (expected refer or urgent)" in positive.detail
    assert result.summary().splitlines()[-1].startswith("SELFTEST FAILED: positive control")


def test_missing_control_photographs_fail(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, good_models(tmp_path))
    assert not run_selftest(settings, controls=[]).ok
    gone = Control("positive control", tmp_path / "gone.jpg", frozenset(), "nothing")
    result = run_selftest(settings, controls=[gone])
    assert "gone.jpg is missing" in result.check("positive control").detail and not result.ok
    assert read_controls(tmp_path) == []


def test_unwritable_database_fails(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, good_models(tmp_path))
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    result = run_selftest(settings)
    assert not result.check("database").ok and not result.ok


def test_camera_is_critical_only_when_required(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, good_models(tmp_path))
    assert run_selftest(settings).ok
    required = run_selftest(settings, camera_required=True)
    assert not required.ok and required.check("camera").critical
    found = run_selftest(
        settings, camera_required=True, camera_finder=lambda: ["/dev/video0 (USB fundus camera)"]
    )
    assert found.ok and "USB fundus camera" in found.check("camera").detail


def test_printer_check_uses_configured_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    from retiscreen.report import printing

    monkeypatch.undo()  # the real check_printer, with the CUPS calls faked
    monkeypatch.setattr(printing, "printer_ready", lambda name: name == "clinic")
    monkeypatch.setattr(printing, "default_printer", lambda: "office")
    assert selftest.check_printer("clinic").ok
    default = selftest.check_printer("")
    assert not default.ok and "'office' (CUPS default)" in default.detail and not default.critical

    def down() -> str | None:
        raise printing.PrinterError("CUPS is not running.")

    monkeypatch.setattr(printing, "default_printer", down)
    assert "CUPS is not running" in selftest.check_printer("").detail


def test_site_threshold_is_reported(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, good_models(tmp_path))
    settings = replace(settings, models=replace(settings.models, referable_threshold=0.2))
    result = run_selftest(settings)
    assert "site-calibrated threshold 0.200" in result.check("operating point").detail


def test_result_ok_ignores_non_critical_failures() -> None:
    result = SelftestResult([Check("a", True, "fine"), Check("b", False, "meh", critical=False)])
    assert result.ok and "(1 warning)" in result.summary()
    assert not SelftestResult([Check("a", False, "broken")]).ok


def test_main_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    models = good_models(tmp_path)
    key = write_test_key(tmp_path / "keys" / "test.pub.pem")
    monkeypatch.setenv("RETISCREEN_MODELS_TRUSTED_KEYS", str(key))
    data = tmp_path / "data"
    assert main(["selftest", "--models-dir", str(models), "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("RetiScreen ") and "[ OK ] positive control" in out
    assert (
        main(["selftest", "--models-dir", str(models), "--data-dir", str(data), "--require-camera"])
        == 1
    )
    assert "[FAIL] camera" in capsys.readouterr().out
    assert main(["selftest", "--models-dir", str(tmp_path / "none"), "--data-dir", str(data)]) == 1
    bad = tmp_path / "bad.toml"
    bad.write_text("[nonsense]\nx = 1\n")
    assert main(["selftest", "--config", str(bad)]) == 2


def test_camera_finder_lists_video_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    monkeypatch.setattr(glob, "glob", lambda pattern: ["/dev/video0"])
    assert selftest.find_cameras()[0].startswith("/dev/video0")


def test_a_damaged_database_fails_the_self_test(tmp_path: Path) -> None:
    from retiscreen.selftest import check_database
    from tests.support.records import damaged_records

    root = tmp_path / "data"
    sound = tmp_path / "sound"
    assert check_database(sound).ok and check_database(sound, full=True).ok
    damaged_records(root)
    quick, full = check_database(root), check_database(root, full=True)
    assert not quick.ok and not full.ok
    assert "damaged" in quick.detail or "malformed" in quick.detail, quick.detail


def test_no_pin_anyone_could_know(tmp_path: Path) -> None:
    """A PIN in the settings file fails; no administrator yet warns; an administrator
    with an Argon2id hash passes."""
    from dataclasses import replace

    from retiscreen.accounts import AccountBook, Role
    from retiscreen.selftest import check_accounts
    from retiscreen.settings import KioskSettings

    settings = settings_for(tmp_path, good_models(tmp_path))
    in_file = check_accounts(replace(settings, kiosk=KioskSettings(admin_pin="0000")))
    assert not in_file.ok and in_file.critical and "plain text" in in_file.detail
    missing = check_accounts(settings)
    assert not missing.ok and not missing.critical and "no administrator" in missing.detail
    with ScreeningStore(settings.storage.root) as store:
        AccountBook(store).add("Boss", Role.ADMIN, "739215", by="test")
    assert check_accounts(settings).ok


def test_a_clock_set_back_fails(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    settings = settings_for(tmp_path, good_models(tmp_path))
    assert run_selftest(settings).check("clock").ok  # writes the newest record: now
    pipeline = Pipeline.from_settings(settings)
    back = selftest.check_clock(settings.storage.root, pipeline, datetime.now(UTC) - timedelta(1))
    assert not back.ok and "earlier than the newest record" in back.detail
    before_model = selftest.check_clock(
        tmp_path / "fresh", pipeline, datetime(2020, 1, 1, tzinfo=UTC)
    )
    assert not before_model.ok and "earlier than the grader's date" in before_model.detail
    assert selftest.check_clock(tmp_path / "fresh", pipeline).ok
