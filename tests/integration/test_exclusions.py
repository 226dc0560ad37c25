"""`retiscreen screen --exclusion`: a patient referred without screening is recorded (the
exclusion as data, beside the decision), reported with the reason, and never photographed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from retiscreen.cli import main
from retiscreen.domain import DecisionKind, Exclusion, EyeStatus
from retiscreen.store import ScreeningStore
from tests.support.images import DEMO_IMAGE

PATIENT = ["--patient-id", "P-EXC", "--name", "Ex Cluded", "--dob", "1950-02-03"]


def test_sudden_loss_of_vision_is_recorded_as_an_urgent_same_day_referral(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["screen", *PATIENT, "--exclusion", "sudden-vision-loss", "--json"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["exclusion"] == "sudden_vision_loss"
    assert printed["decision"]["kind"] == "urgent" and "TODAY" in printed["decision"]["advice"]
    with ScreeningStore(cli_env / "data") as store:
        (row,) = store.history()
        saved = store.load_screening(row["screening_id"])
        assert saved.exclusion is Exclusion.SUDDEN_VISION_LOSS
        assert saved.decision.kind is DecisionKind.URGENT
        assert saved.decision.follow_up_date(saved.started_at.date()) == saved.started_at.date()
        assert [e.status for e in saved.eyes] == [EyeStatus.NOT_PHOTOGRAPHED] * 2
        assert all(e.image is None for e in saved.eyes)
        assert store.review_queue() == []
        column = store._rows("SELECT exclusion FROM screenings")[0]["exclusion"]
        assert column == "sudden_vision_loss"
        (event,) = [e for e in store.audit_events() if e["event"] == "screening_saved"]
        assert event["detail"]["exclusion"] == "sudden_vision_loss"


def test_an_exclusion_with_photographs_is_refused(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["screen", *PATIENT, "--exclusion", "treated", "--right", str(DEMO_IMAGE)])
    assert code == 2
    assert "without screening" in capsys.readouterr().err
    with ScreeningStore(cli_env / "data") as store:
        assert store.history() == []


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_report_says_why_each_eye_was_not_screened_and_nothing_else(cli_env: Path) -> None:
    out = cli_env / "excluded.pdf"
    assert main(["screen", *PATIENT, "--exclusion", "treated", "--out", str(out)]) == 0
    page = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    first = " ".join(page.split("\f")[0].split())
    assert first.count("Not screened: already treated for diabetic eye disease") == 3
    for misleading in ("Eye examination needed", "Quality:", "Grade:", "Eye result"):
        assert misleading not in first  # no eye was photographed, graded or decided alone
