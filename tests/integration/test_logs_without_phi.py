"""The log file of whole screenings, including a refused photograph named after the
patient and a refused re-use of the patient's ID, holds none of the patient's details."""

from __future__ import annotations

from pathlib import Path

import pytest

from retiscreen.cli import main
from tests.support.images import DEMO_IMAGE

NAME, PATIENT_ID, DOB = "Zelda Quigley", "QZ-4711", "1944-02-29"


def test_the_log_holds_no_patient_details(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp_path, data = cli_env, cli_env / "data"
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
