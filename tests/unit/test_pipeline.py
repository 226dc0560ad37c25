"""The orchestrator: gate before grade, failures as results, the worse eye decides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from retiscreen.domain import DecisionKind, EyeStatus, ICDRGrade, Laterality, Patient, QualityReason
from retiscreen.pipeline import Pipeline
from tests.support.images import DEMO_IMAGE, write
from tests.support.tiny_models import TEST_KEYS, write_models

PATIENT = Patient("P-001", "Ada Example", date(1960, 5, 1), "F")


def pipeline_with(tmp_path: Path, **kwargs: object) -> Pipeline:
    return Pipeline.from_models_dir(write_models(tmp_path / "models", **kwargs), keys=TEST_KEYS)  # type: ignore[arg-type]


def test_gradable_eye_is_graded_and_referred(tmp_path: Path) -> None:
    eye = pipeline_with(tmp_path).assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    assert eye.quality is not None and eye.quality.gradable
    assert eye.grade is not None and eye.grade.grade == ICDRGrade.MODERATE
    assert eye.status is EyeStatus.GRADED
    assert eye.grade.referable and eye.decision is not None
    assert eye.decision is not None and eye.decision.kind == DecisionKind.REFER
    assert eye.grade.provider == "CPUExecutionProvider"
    assert set(eye.timings_ms) >= {"load", "locate", "quality", "grade"}


def test_ungradable_eye_is_never_graded(tmp_path: Path) -> None:
    dark = tmp_path / "dark.png"
    from retiscreen.imaging.load import load_fundus

    write(dark, (load_fundus(DEMO_IMAGE).pixels * 0.1).astype(np.uint8), "PNG")
    eye = pipeline_with(tmp_path).assess_eye(Laterality.LEFT, dark)
    assert eye.grade is None
    assert eye.quality is not None and QualityReason.TOO_DARK in eye.quality.reasons
    assert eye.decision is not None and eye.decision.kind == DecisionKind.EXAMINE


def test_quality_model_rejection_blocks_grading(tmp_path: Path) -> None:
    eye = pipeline_with(tmp_path, gradable_bias=[3.0, 0.0]).assess_eye(Laterality.LEFT, DEMO_IMAGE)
    assert eye.grade is None
    assert eye.quality is not None and eye.quality.reasons == (QualityReason.MODEL_REJECTED,)


def test_unreadable_file_is_a_result_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    eye = pipeline_with(tmp_path).assess_eye(Laterality.RIGHT, broken)
    assert eye.error and eye.grade is None and eye.image is None
    assert eye.decision is not None and eye.decision.kind == DecisionKind.EXAMINE


def test_missing_model_means_cannot_grade_never_a_default(tmp_path: Path) -> None:
    pipeline = Pipeline.from_models_dir(tmp_path / "empty", keys=TEST_KEYS)
    assert pipeline.unavailable and "missing" in pipeline.unavailable
    eye = pipeline.assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    assert eye.grade is None
    assert eye.error is not None and eye.error.startswith("grading unavailable")
    assert eye.status is EyeStatus.UNAVAILABLE
    assert eye.decision is not None and eye.decision.kind is DecisionKind.UNAVAILABLE


def test_a_missing_quality_model_means_grading_unavailable_not_a_fallback(
    tmp_path: Path,
) -> None:
    models = write_models(tmp_path / "models")
    (models / "quality.onnx").unlink()
    (models / "quality.card.json").unlink()
    pipeline = Pipeline.from_models_dir(models, keys=TEST_KEYS)
    assert pipeline.grader is None and pipeline.gradability is None
    assert pipeline.unavailable and "quality.card.json is missing" in pipeline.unavailable
    eye = pipeline.assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    assert eye.grade is None and eye.status is EyeStatus.UNAVAILABLE


def test_tampered_quality_model_disables_grading(tmp_path: Path) -> None:
    models = write_models(tmp_path / "models")
    (models / "quality.onnx").write_bytes((models / "quality.onnx").read_bytes() + b"\0")
    pipeline = Pipeline.from_models_dir(models, keys=TEST_KEYS)
    assert pipeline.grader is None and pipeline.unavailable


@pytest.mark.parametrize(
    "bias,grade,kind",
    [
        ([3.0, 0.0, 0.0, 0.0, 0.0], ICDRGrade.NONE, DecisionKind.ROUTINE),
        ([0.0, 3.0, 0.0, 0.0, 0.0], ICDRGrade.MILD, DecisionKind.ROUTINE),
        ([0.0, 0.0, 0.0, 3.0, 0.0], ICDRGrade.SEVERE, DecisionKind.URGENT),
        ([0.0, 0.0, 0.0, 0.0, 3.0], ICDRGrade.PROLIFERATIVE, DecisionKind.URGENT),
    ],
)
def test_grade_to_decision(
    tmp_path: Path, bias: list[float], grade: ICDRGrade, kind: DecisionKind
) -> None:
    eye = pipeline_with(tmp_path, grade_bias=bias).assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    assert eye.grade is not None and eye.grade.grade == grade
    assert eye.decision is not None and eye.decision.kind == kind


def test_operating_point_keeps_grade_and_decision_consistent(tmp_path: Path) -> None:
    # P(referable) = 0.4: below argmax but above a 0.3 threshold -> refer, grade shown >= 2.
    bias = list(np.log([0.35, 0.25, 0.2, 0.1, 0.1]))
    eye = pipeline_with(tmp_path, grade_bias=bias, threshold=0.3).assess_eye(
        Laterality.RIGHT, DEMO_IMAGE
    )
    assert eye.grade is not None and eye.grade.referable
    assert eye.grade.grade == ICDRGrade.MODERATE
    assert eye.decision is not None and eye.decision.kind == DecisionKind.REFER


def test_worse_eye_decides_and_only_an_absent_eye_does_not_count(tmp_path: Path) -> None:
    pipeline = pipeline_with(tmp_path, grade_bias=[3.0, 0, 0, 0, 0])
    right = pipeline.assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    absent = pipeline.skipped_eye(Laterality.LEFT, "prosthesis", absent=True)
    screening = pipeline.screen(
        PATIENT, {Laterality.LEFT: absent, Laterality.RIGHT: right}, "nurse", "site"
    )
    assert [e.laterality for e in screening.eyes] == [Laterality.RIGHT, Laterality.LEFT]
    assert screening.decision.kind == DecisionKind.ROUTINE
    left = screening.eye(Laterality.LEFT)
    assert left is not None and left.status is EyeStatus.ABSENT
    assert left.skipped_reason == "prosthesis"

    declined = pipeline.skipped_eye(Laterality.LEFT, "patient declined")
    screening = pipeline.screen(
        PATIENT, {Laterality.LEFT: declined, Laterality.RIGHT: right}, "nurse", "site"
    )
    assert screening.decision.kind == DecisionKind.EXAMINE

    screening = pipeline.screen(PATIENT, {Laterality.RIGHT: right}, "nurse", "site")
    missing = screening.eye(Laterality.LEFT)
    assert missing is not None and missing.status is EyeStatus.NOT_PHOTOGRAPHED
    assert screening.decision.kind == DecisionKind.EXAMINE

    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"")
    worse = pipeline.assess_eye(Laterality.LEFT, bad)
    assert worse.status is EyeStatus.UNREADABLE
    screening = pipeline.screen(
        PATIENT, {Laterality.RIGHT: right, Laterality.LEFT: worse}, "nurse", "site"
    )
    assert screening.decision.kind == DecisionKind.EXAMINE


def test_a_checked_photograph_is_graded_without_a_second_check(tmp_path: Path) -> None:
    pipeline = pipeline_with(tmp_path)
    checked = pipeline.check(DEMO_IMAGE)
    calls = []
    original = pipeline.check
    pipeline.check = lambda source: calls.append(source) or original(source)  # type: ignore[method-assign]
    (eye,) = pipeline.assess_eyes([(Laterality.RIGHT, checked)])
    assert calls == []
    assert eye.quality is checked.quality and eye.status is EyeStatus.GRADED


def test_batch_assessment_matches_single(tmp_path: Path) -> None:
    pipeline = pipeline_with(tmp_path)
    batch = pipeline.assess_eyes([(Laterality.RIGHT, DEMO_IMAGE), (Laterality.LEFT, DEMO_IMAGE)])
    single = pipeline.assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    assert batch[0].grade is not None and single.grade is not None
    np.testing.assert_allclose(batch[0].grade.probabilities, single.grade.probabilities, rtol=1e-5)
