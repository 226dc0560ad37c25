"""The orchestrator: gate before grade, failures as results, the worse eye decides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from retiscreen.domain import ICDRGrade, Laterality, Patient, QualityReason, Urgency
from retiscreen.pipeline import Pipeline
from tests.support.images import DEMO_IMAGE, write
from tests.support.tiny_models import write_models

PATIENT = Patient("P-001", "Ada Example", date(1960, 5, 1), "F")


def pipeline_with(tmp_path: Path, **kwargs: object) -> Pipeline:
    return Pipeline.from_models_dir(write_models(tmp_path / "models", **kwargs))  # type: ignore[arg-type]


def test_gradable_eye_is_graded_and_referred(tmp_path: Path) -> None:
    eye = pipeline_with(tmp_path).assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    assert eye.quality is not None and eye.quality.gradable
    assert eye.grade is not None and eye.grade.grade == ICDRGrade.MODERATE
    assert eye.grade.referable and eye.decision.urgency == Urgency.REFER
    assert eye.grade.provider == "CPUExecutionProvider"
    assert set(eye.timings_ms) >= {"load", "locate", "quality", "grade"}


def test_ungradable_eye_is_never_graded(tmp_path: Path) -> None:
    dark = tmp_path / "dark.png"
    from retiscreen.imaging.load import load_fundus

    write(dark, (load_fundus(DEMO_IMAGE).pixels * 0.1).astype(np.uint8), "PNG")
    eye = pipeline_with(tmp_path).assess_eye(Laterality.LEFT, dark)
    assert eye.grade is None
    assert eye.quality is not None and QualityReason.TOO_DARK in eye.quality.reasons
    assert eye.decision.urgency == Urgency.RETAKE_OR_EXAMINE


def test_quality_model_rejection_blocks_grading(tmp_path: Path) -> None:
    eye = pipeline_with(tmp_path, gradable_bias=[3.0, 0.0]).assess_eye(Laterality.LEFT, DEMO_IMAGE)
    assert eye.grade is None
    assert eye.quality is not None and eye.quality.reasons == (QualityReason.MODEL_REJECTED,)


def test_unreadable_file_is_a_result_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    eye = pipeline_with(tmp_path).assess_eye(Laterality.RIGHT, broken)
    assert eye.error and eye.grade is None and eye.image is None
    assert eye.decision.urgency == Urgency.RETAKE_OR_EXAMINE


def test_missing_model_means_cannot_grade_never_a_default(tmp_path: Path) -> None:
    pipeline = Pipeline.from_models_dir(tmp_path / "empty")
    assert pipeline.unavailable and "missing" in pipeline.unavailable
    eye = pipeline.assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    assert eye.grade is None
    assert eye.error is not None and eye.error.startswith("grading unavailable")
    assert "Cannot grade" in eye.decision.headline


def test_tampered_quality_model_disables_grading(tmp_path: Path) -> None:
    models = write_models(tmp_path / "models")
    (models / "quality.onnx").write_bytes((models / "quality.onnx").read_bytes() + b"\0")
    pipeline = Pipeline.from_models_dir(models)
    assert pipeline.grader is None and pipeline.unavailable


@pytest.mark.parametrize(
    "bias,grade,urgency",
    [
        ([3.0, 0.0, 0.0, 0.0, 0.0], ICDRGrade.NONE, Urgency.ROUTINE_RESCREEN),
        ([0.0, 3.0, 0.0, 0.0, 0.0], ICDRGrade.MILD, Urgency.ROUTINE_RESCREEN),
        ([0.0, 0.0, 0.0, 3.0, 0.0], ICDRGrade.SEVERE, Urgency.URGENT),
        ([0.0, 0.0, 0.0, 0.0, 3.0], ICDRGrade.PROLIFERATIVE, Urgency.URGENT),
    ],
)
def test_grade_to_decision(
    tmp_path: Path, bias: list[float], grade: ICDRGrade, urgency: Urgency
) -> None:
    eye = pipeline_with(tmp_path, grade_bias=bias).assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    assert eye.grade is not None and eye.grade.grade == grade
    assert eye.decision.urgency == urgency


def test_operating_point_keeps_grade_and_decision_consistent(tmp_path: Path) -> None:
    # P(referable) = 0.4: below argmax but above a 0.3 threshold -> refer, grade shown >= 2.
    bias = list(np.log([0.35, 0.25, 0.2, 0.1, 0.1]))
    eye = pipeline_with(tmp_path, grade_bias=bias, threshold=0.3).assess_eye(
        Laterality.RIGHT, DEMO_IMAGE
    )
    assert eye.grade is not None and eye.grade.referable
    assert eye.grade.grade == ICDRGrade.MODERATE
    assert eye.decision.urgency == Urgency.REFER


def test_worse_eye_decides_and_skipped_eye_is_recorded(tmp_path: Path) -> None:
    pipeline = pipeline_with(tmp_path, grade_bias=[3.0, 0, 0, 0, 0])
    right = pipeline.assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    left = pipeline.skipped_eye(Laterality.LEFT, "prosthesis")
    screening = pipeline.screen(
        PATIENT, {Laterality.LEFT: left, Laterality.RIGHT: right}, "nurse", "site"
    )
    assert [e.laterality for e in screening.eyes] == [Laterality.RIGHT, Laterality.LEFT]
    assert screening.decision.urgency == Urgency.ROUTINE_RESCREEN
    assert screening.eye(Laterality.LEFT) is not None
    assert screening.eye(Laterality.LEFT).skipped_reason == "prosthesis"  # type: ignore[union-attr]

    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"")
    worse = pipeline.assess_eye(Laterality.LEFT, bad)
    screening = pipeline.screen(
        PATIENT, {Laterality.RIGHT: right, Laterality.LEFT: worse}, "nurse", "site"
    )
    assert screening.decision.urgency == Urgency.RETAKE_OR_EXAMINE


def test_batch_assessment_matches_single(tmp_path: Path) -> None:
    pipeline = pipeline_with(tmp_path)
    batch = pipeline.assess_eyes([(Laterality.RIGHT, DEMO_IMAGE), (Laterality.LEFT, DEMO_IMAGE)])
    single = pipeline.assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    assert batch[0].grade is not None and single.grade is not None
    np.testing.assert_allclose(batch[0].grade.probabilities, single.grade.probabilities, rtol=1e-5)
