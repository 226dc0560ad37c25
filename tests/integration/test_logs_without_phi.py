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


def test_the_log_rotates_by_size(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past its size limit the log moves to retiscreen.log.1 ..., keeping a bounded number
    of files, and what was logged last is in the current file."""
    import logging

    import retiscreen.cli

    monkeypatch.setattr(retiscreen.cli, "LOG_MAX_BYTES", 4000)
    for _ in range(12):
        assert main(["-v", "grade", str(DEMO_IMAGE)]) == 0
    logging.getLogger("retiscreen").info("the last line")
    capsys.readouterr()
    logs = sorted(p.name for p in (cli_env / "data" / "logs").iterdir())
    assert logs == ["retiscreen.log", *(f"retiscreen.log.{n}" for n in range(1, 5))]
    assert all(p.stat().st_size <= 4000 for p in (cli_env / "data" / "logs").iterdir())
    assert "the last line" in (cli_env / "data" / "logs" / "retiscreen.log").read_text()
