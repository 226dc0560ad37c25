"""The printed report with the shipped grader: per eye the photograph, its heatmap, how
clear the result is and the one line saying what the heatmap is and is not. Checked on
the real PDF (poppler's pdftotext and pdfimages)."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from retiscreen.domain import Laterality, Patient, Screening
from retiscreen.pipeline import Pipeline
from retiscreen.report.pdf import render_report
from retiscreen.settings import ClinicSettings, ReportSettings, bundled_dir
from tests.support.images import DEMO_IMAGE

CONTROL = bundled_dir("assets") / "controls" / "positive_idrid_239.jpg"


@pytest.fixture(scope="module")
def screening() -> Screening:
    pipeline = Pipeline.from_models_dir(bundled_dir("models"), prefer_gpu=False)
    assert pipeline.unavailable is None
    eyes = pipeline.assess_eyes([(Laterality.RIGHT, CONTROL), (Laterality.LEFT, DEMO_IMAGE)])
    patient = Patient("P-77", "Ada Example", date(1961, 5, 17), "F")
    return pipeline.screen(patient, {e.laterality: e for e in eyes}, "nurse", "site")


def _pdf(screening: Screening, tmp_path: Path) -> Path:
    pdf = render_report(screening, ClinicSettings(), ReportSettings(), "r-1", "K7QF-2MXA-P4")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return path


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def _images(path: Path) -> list[tuple[int, int]]:
    """(width, height) of each image drawn on page 1."""
    listing = subprocess.run(
        ["pdfimages", "-f", "1", "-l", "1", "-list", str(path)],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.splitlines()[2:]
    return [(int(line.split()[3]), int(line.split()[4])) for line in listing]


def test_each_graded_eye_prints_its_heatmap_and_how_clear_it_is(
    screening: Screening, tmp_path: Path
) -> None:
    path = _pdf(screening, tmp_path)
    text = _text(path)
    assert "How clear: Clearly above the referral line" in text  # the proliferative control
    assert "How clear: Clearly below the referral line" in text  # the normal demo eye
    assert text.count("Heatmap: where the photograph pushed the grader towards referral.") == 2
    assert text.count("It is not a map of lesions and it does not decide anything.") == 2
    images = _images(path)
    assert len(images) == 4  # two photographs, two heatmaps
    assert sum(size == (288, 288) for size in images) == 2  # the maps: the model-input square


def test_a_model_without_a_map_prints_that_there_is_none(
    screening: Screening, tmp_path: Path
) -> None:
    eyes = tuple(
        replace(e, grade=replace(e.grade, heatmap=None, confidence=None)) if e.grade else e
        for e in screening.eyes
    )
    path = _pdf(replace(screening, eyes=eyes), tmp_path)
    text = _text(path)
    assert text.count("No heatmap: this model does not provide one.") == 2
    assert "How clear: not stated by this model" in text
    assert len(_images(path)) == 2
