"""Referral rules, follow-up dates and the settings file."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from retiscreen.catalogue import ENGLISH
from retiscreen.domain import DecisionKind, add_months
from retiscreen.rules import ReferralRules
from retiscreen.settings import SettingsError, load_settings


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 27), 12) == date(2027, 11, 27)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_follow_up_dates() -> None:
    rules = ReferralRules()
    today = date(2026, 11, 27)
    assert rules.decision(DecisionKind.ROUTINE).follow_up_date(today) == date(2027, 11, 27)
    assert rules.decision(DecisionKind.URGENT).follow_up_date(today) == date(2026, 12, 11)
    assert rules.decision(DecisionKind.EXAMINE).follow_up_date(today) == date(2026, 12, 27)


def test_programme_intervals_change_the_words() -> None:
    rules = ReferralRules(rescreen_months=24)
    decision = rules.decision(DecisionKind.ROUTINE)
    assert decision.follow_up_months == 24 and "24 months" in ENGLISH.advice(decision)


def test_patient_decision_needs_an_assessed_eye() -> None:
    decision = ReferralRules().for_patient([])
    assert decision.kind == DecisionKind.EXAMINE


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "none.toml", environ={})
    assert settings.rules.rescreen_months == 12
    assert settings.report.paper == "A4"


def test_file_then_environment(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        '[clinic]\nname = "Eye Clinic"\n[rules]\nrescreen_months = 24\n'
        "[kiosk]\nfullscreen = false\n"
    )
    settings = load_settings(
        path,
        environ={
            "RETISCREEN_STORAGE_DATA_DIR": str(tmp_path / "d"),
            "RETISCREEN_KIOSK_FULLSCREEN": "true",
        },
    )
    assert settings.clinic.name == "Eye Clinic"
    assert settings.rules.rescreen_months == 24
    assert settings.storage.root == tmp_path / "d"
    assert settings.kiosk.fullscreen is True


@pytest.mark.parametrize(
    "text,match",
    [
        ("[clinic]\nnmae = 'typo'\n", "unknown setting"),
        ("[printer]\nname = 'x'\n", "unknown section"),
        ("[rules]\nrescreen_months = 'soon'\n", "must be a whole number"),
        ("this is not toml", "cannot read"),
    ],
)
def test_bad_settings_are_refused_clearly(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=match):
        load_settings(path, environ={})


@pytest.mark.parametrize(
    ("variable", "value", "match"),
    [
        ("MODELS_REFERABLE_THRESHOLD", "47", "referable_threshold = 47.0"),
        ("MODELS_REFERABLE_THRESHOLD", "1.5", "strictly between 0 and 1"),
        ("MODELS_REFERABLE_THRESHOLD", "0", "strictly between 0 and 1"),
        ("MODELS_REFERABLE_THRESHOLD", "nan", "strictly between 0 and 1"),
        ("MODELS_REFERABLE_THRESHOLD", "-0.5", "strictly between 0 and 1"),
        ("RULES_RESCREEN_MONTHS", "0", "rescreen_months = 0: allowed 1 to 36"),
        ("RULES_RESCREEN_MONTHS", "120", "allowed 1 to 36"),
        ("RULES_REFER_MONTHS", "2.5", "must be a whole number"),
        ("RULES_URGENT_WEEKS", "-1", "allowed 1 to 8"),
        ("RULES_RESCREEN_MONTHS", "2", "a referral no later than a rescreen"),
        ("CAPTURE_MAX_RETAKES", "600", "allowed 0 to 10"),
        ("KIOSK_IDLE_TIMEOUT_S", "1", "allowed 30 to 3600"),
        ("KIOSK_FULLSCREEN", "maybe", "must be true or false"),
        ("KIOSK_LANGUAGE", "xx", "allowed en, es"),
        ("REPORT_PAPER", "A3", "allowed A4, Letter"),
        ("REPORT_PRINT_COPIES", "0", "allowed 1 to 5"),
        ("MODELS_MODELS_DIR", "/nonexistent/models", "no such file or folder"),
        ("CLINIC_LOGO", "/nonexistent/logo.png", "no such file or folder"),
        ("CAPTURE_WATCH_FOLDER", "/nonexistent/camera", "no such file or folder"),
        ("INTEGRATION_EXPORT_DIR", "/nonexistent/outbox", "no such file or folder"),
        ("INTEGRATION_EXPORT_FORMATS", "dicom,pdf", "comma-separated list of dicom, fhir, hl7"),
        ("MODELS_TRUSTED_KEYS", "/nonexistent/key.pem", "no such file or folder"),
    ],
)
def test_unsafe_settings_are_refused_naming_setting_value_and_range(
    tmp_path: Path, variable: str, value: str, match: str
) -> None:
    environ = {f"RETISCREEN_{variable}": value}
    with pytest.raises(SettingsError, match=re.escape(match)):
        load_settings(tmp_path / "none.toml", environ=environ)


def test_a_threshold_in_the_file_is_checked_too(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("[models]\nreferable_threshold = 0.999999\n")
    assert load_settings(path, environ={}).models.referable_threshold == 0.999999
    path.write_text("[models]\nreferable_threshold = 1.0\n")
    with pytest.raises(SettingsError, match=re.escape("referable_threshold = 1.0")):
        load_settings(path, environ={})


def test_true_and_false_words_are_read_strictly(tmp_path: Path) -> None:
    for word, expected in [("yes", True), ("off", False), ("TRUE", True), ("0", False)]:
        environ = {"RETISCREEN_KIOSK_FULLSCREEN": word}
        assert load_settings(tmp_path / "none.toml", environ=environ).kiosk.fullscreen is expected
