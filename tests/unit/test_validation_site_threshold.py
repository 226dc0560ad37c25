"""The site threshold a validation run recommends (validation.compute_metrics): shown with
95% confidence, and marked as refused when it falls outside the range the model card
validated (the kiosk would not accept it: grading.grader.check_site_threshold)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from retiscreen.report.validation_pdf import render_validation_report
from retiscreen.validation import Prediction, compute_metrics


def _eyes(referable: int, healthy: int) -> list[Prediction]:
    """Referable eyes scored 0.30-0.99, healthy ones 0.01-0.40, all gradable."""

    def eye(i: int, grade: int, score: float) -> Prediction:
        return Prediction(f"{i}.jpg", grade, True, True, True, "", grade, score, score >= 0.5, "")

    scores = np.linspace(0.99, 0.30, referable)
    return [eye(i, 2, float(s)) for i, s in enumerate(scores)] + [
        eye(referable + i, 0, float(s)) for i, s in enumerate(np.linspace(0.01, 0.40, healthy))
    ]


def test_a_confident_threshold_inside_the_validated_range_is_recommended() -> None:
    site = compute_metrics(_eyes(100, 100), 0.5, 0.9, (0.136, 0.837))["threshold_for_sensitivity"]
    confident = site["confident"]
    assert confident["threshold"] < site["threshold"]  # lower than the point estimate
    assert confident["sensitivity_ci95"][0] >= 0.9
    assert confident["accepted"] and confident["validated_range"] == [0.136, 0.837]


@pytest.mark.parametrize("validated_range", [(0.5, 0.837), None])
def test_a_threshold_the_kiosk_would_refuse_is_marked(
    validated_range: tuple[float, float] | None,
) -> None:
    confident = compute_metrics(_eyes(100, 100), 0.5, 0.9, validated_range)[
        "threshold_for_sensitivity"
    ]["confident"]
    assert confident["threshold"] is not None and confident["threshold"] < 0.5
    assert not confident["accepted"]


def test_the_report_says_which_site_threshold_to_use_or_that_the_kiosk_refuses_it(
    tmp_path: Path,
) -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    for validated_range, expected in [
        ((0.136, 0.837), "use this; specificity"),
        ((0.5, 0.837), "refused: allowed 0.500-0.837"),
    ]:
        metrics = compute_metrics(_eyes(100, 100), 0.5, 0.9, validated_range)
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(render_validation_report(metrics, tmp_path / "no-roc.png"))
        text = subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "The same, shown with 95% confidence" in text and expected in text
