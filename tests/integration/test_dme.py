"""The macular-oedema head added to the shipped grader (training.dme), and what the
kiosk does with it: the output must be the card's linear head on the graph's own pooled
features, leave the DR output untouched, and refer only where the card says it may."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper

from retiscreen.domain import (
    DecisionKind,
    ICDRGrade,
    Laterality,
    MacularOedema,
    QueueReason,
    Screening,
)
from retiscreen.grading.model import read_card
from retiscreen.imaging.fundus import locate_field
from retiscreen.imaging.load import load_fundus
from retiscreen.imaging.preprocess import model_input
from retiscreen.overread import queue_reason
from retiscreen.rules import ReferralRules
from retiscreen.settings import bundled_dir
from retiscreen.store.serialize import screening_from_dict, screening_to_dict
from tests.support.builders import grade_result, graded_eye, screening
from tests.support.images import DEMO_IMAGE
from training.add_cam import DME_OUTPUT, strip_cam
from training.dme import FOLD_INTO_DECISION_SPECIFICITY, head_of, pooled_features_name

MODELS = bundled_dir("models")
CONTROL = bundled_dir("assets") / "controls" / "positive_idrid_239.jpg"


def _session(model: onnx.ModelProto) -> ort.InferenceSession:
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def shipped() -> onnx.ModelProto:
    return onnx.load(str(MODELS / "grader.onnx"))


@pytest.fixture(scope="module")
def batch() -> np.ndarray:
    spec = read_card(MODELS / "grader.card.json").spec
    inputs = []
    for path in (CONTROL, DEMO_IMAGE):
        image = load_fundus(path)
        field = locate_field(image.pixels)
        assert field is not None
        inputs.append(model_input(image.pixels, field, spec))
    return np.stack(inputs)


def test_output_is_the_linear_head_on_the_mirror_averaged_pooled_features(
    shipped: onnx.ModelProto, batch: np.ndarray
) -> None:
    pooled = pooled_features_name(shipped)
    tapped = onnx.ModelProto.FromString(shipped.SerializeToString())
    tapped.graph.output.append(helper.make_tensor_value_info(pooled, onnx.TensorProto.FLOAT, None))
    features, dme = _session(tapped).run([pooled, DME_OUTPUT], {"image": batch})
    features = features.reshape(2, len(batch), -1)  # photographs, then their mirrors
    head = head_of(shipped)
    logits = (features @ head.weights + head.bias).mean(axis=0)
    np.testing.assert_allclose(dme, 1 / (1 + np.exp(-logits)), atol=1e-5)


def test_dr_outputs_are_bit_identical_without_the_head(
    shipped: onnx.ModelProto, batch: np.ndarray
) -> None:
    before = _session(strip_cam(shipped)).run(["probabilities"], {"image": batch})[0]
    after = _session(shipped).run(["probabilities"], {"image": batch})[0]
    assert np.array_equal(before, after)


def test_control_photographs_fall_on_each_side_of_the_threshold(
    shipped: onnx.ModelProto, batch: np.ndarray
) -> None:
    """The proliferative control (IDRiD 239, DME risk 2) is flagged, the normal demo
    photograph is not: a head with its sign or scale wrong fails here."""
    card = read_card(MODELS / "grader.card.json")
    assert card.dme is not None
    (dme,) = _session(shipped).run([DME_OUTPUT], {"image": batch})
    assert dme[0] >= card.dme.threshold > dme[1]


def test_card_keeps_it_out_of_the_decision_unless_held_out_specificity_allows() -> None:
    card = json.loads((MODELS / "grader.card.json").read_text())
    section = card["output"]["dme"]
    worst = min(f["specificity"] for f in section["held_out"].values())
    assert section["folded_into_decision"] == (worst >= FOLD_INTO_DECISION_SPECIFICITY)
    assert min(f["sensitivity"] for f in section["held_out"].values()) >= 0.90


@pytest.mark.parametrize("in_decision", [False, True])
def test_a_positive_eye_refers_only_when_in_the_decision(in_decision: bool) -> None:
    oedema = MacularOedema(probability=0.8, threshold=0.24, in_decision=in_decision)
    grade = grade_result(ICDRGrade.NONE, 0.01, macular_oedema=oedema)
    decision = ReferralRules().for_grade(grade)
    assert decision.kind is (DecisionKind.REFER if in_decision else DecisionKind.ROUTINE)


def _screened(probability: float) -> Screening:
    oedema = MacularOedema(probability=probability, threshold=0.24, in_decision=False)
    return screening(
        graded_eye(Laterality.RIGHT, ICDRGrade.NONE, 0.01, macular_oedema=oedema),
        graded_eye(Laterality.LEFT, ICDRGrade.NONE, 0.01),
    )


def test_a_positive_eye_outside_the_decision_is_queued_for_over_read() -> None:
    flagged = _screened(0.8)
    assert flagged.decision.kind is DecisionKind.ROUTINE
    assert queue_reason(flagged, 0.0) is QueueReason.MACULAR_OEDEMA
    assert queue_reason(_screened(0.1), 0.0) is None


def test_the_output_is_kept_with_the_record() -> None:
    original = _screened(0.8)
    loaded = screening_from_dict(json.loads(json.dumps(screening_to_dict(original))), {})
    assert loaded.eyes[0].grade is not None
    assert loaded.eyes[0].grade.macular_oedema == original.eyes[0].grade.macular_oedema
    assert loaded.eyes[1].grade is not None and loaded.eyes[1].grade.macular_oedema is None
