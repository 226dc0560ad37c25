"""Referral rules, follow-up dates and the settings file."""

from __future__ import annotations

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
        ("[rules]\nrescreen_months = 'soon'\n", "not a int"),
        ("this is not toml", "cannot read"),
    ],
)
def test_bad_settings_are_refused_clearly(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=match):
        load_settings(path, environ={})
