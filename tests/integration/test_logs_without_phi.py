"""The log file of whole screenings, including a refused photograph named after the
patient and a refused re-use of the patient's ID, holds none of the patient's details."""

from __future__ import annotations

from pathlib import Path

import pytest

from retiscreen.cli import main
from tests.support.images import DEMO_IMAGE

NAME, PATIENT_ID, DOB = "Zelda Quigley", "QZ-4711", "1944-02-29"


def test_the_log_holds_no_patient_details(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.tiny_models import write_models, write_test_key

    data = tmp_path / "data"
    monkeypatch.setenv("RETISCREEN_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("RETISCREEN_STORAGE_DATA_DIR", str(data))
    monkeypatch.setenv("RETISCREEN_MODELS_MODELS_DIR", str(write_models(tmp_path / "models")))
    monkeypatch.setenv(
        "RETISCREEN_MODELS_TRUSTED_KEYS", str(write_test_key(tmp_path / "keys" / "t.pem"))
    )
    monkeypatch.setenv("RETISCREEN_REPORT_PRINTER", "retiscreen-no-such-printer")
    left = tmp_path / "Zelda_Quigley_left.jpg"
    left.write_bytes(DEMO_IMAGE.read_bytes())
    right = tmp_path / "Zelda_Quigley_right.jpg"
    right.write_bytes(DEMO_IMAGE.read_bytes()[:3000])  # cut short: refused, and logged
    base = ["-v", "screen", "--patient-id", PATIENT_ID, "--dob", DOB]
    assert main([*base, "--name", NAME, "--left", str(left), "--right", str(right)]) == 1
    assert main([*base, "--name", "Zelda Other", "--left", str(left)]) == 2  # ID re-used
    assert main(["-v", "grade", str(right)]) == 1
    capsys.readouterr()
    (log,) = (data / "logs").glob("*.log")
    text = log.read_text(encoding="utf-8")
    assert "image rejected" in text  # the refusal is logged ...
    for detail in ("Zelda", "Quigley", PATIENT_ID, DOB, "19440229"):
        assert detail not in text, detail  # ... without the patient's details
