"""The referable map added to the shipped grader by graph surgery (training.add_cam).

The surgery must leave every existing output exactly as it was (compared bit for bit
with the graph before surgery, which ``strip_cam`` gives back byte for byte), and the map
must be what the card says it is (checked against numpy on the graph's own tensors)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper, numpy_helper

from retiscreen.grading.model import read_card
from retiscreen.imaging.fundus import locate_field
from retiscreen.imaging.load import load_fundus
from retiscreen.imaging.preprocess import model_input
from retiscreen.settings import bundled_dir
from tests.support.images import DEMO_IMAGE
from training.add_cam import CAM_OUTPUT, add_referable_cam, feature_map_name, strip_cam
from training.dme import add_dme_head, head_of

MODELS = bundled_dir("models")
CONTROL = bundled_dir("assets") / "controls" / "positive_idrid_239.jpg"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"


def _session(model: onnx.ModelProto) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


@pytest.fixture(scope="module")
def shipped() -> onnx.ModelProto:
    return onnx.load(str(MODELS / "grader.onnx"))


@pytest.fixture(scope="module")
def batch() -> np.ndarray:
    """Real photographs through the kiosk's own crop: the demo (normal), the control
    (proliferative) and, where ../shared is present, six IDRiD and rahim-dr photographs."""
    spec = read_card(MODELS / "grader.card.json").spec
    paths = [DEMO_IMAGE, CONTROL]
    for folder in (SHARED / "idrid" / "images", SHARED / "rahim-dr"):
        if folder.is_dir():
            paths += sorted(p for p in folder.rglob("*") if p.suffix.lower() in {".jpg", ".png"})[
                :3
            ]
    inputs = []
    for path in paths:
        image = load_fundus(path)
        field = locate_field(image.pixels)
        assert field is not None, path
        inputs.append(model_input(image.pixels, field, spec))
    return np.stack(inputs)


def test_surgery_is_reproducible_and_reversible(shipped: onnx.ModelProto) -> None:
    card = json.loads((MODELS / "grader.card.json").read_text())
    exported = strip_cam(shipped)
    digest = hashlib.sha256(exported.SerializeToString()).hexdigest()
    assert digest == card["output"]["cam"]["exported_sha256"]
    with_cam = add_referable_cam(exported, mirror_average=True)
    redone = add_dme_head(with_cam, head_of(shipped), mirror_average=True)
    assert redone.SerializeToString() == shipped.SerializeToString()


def test_existing_output_is_bit_identical_on_real_photographs(
    shipped: onnx.ModelProto, batch: np.ndarray
) -> None:
    before = _session(strip_cam(shipped)).run(["probabilities"], {"image": batch})[0]
    after, cam = _session(shipped).run(["probabilities", CAM_OUTPUT], {"image": batch})
    assert np.array_equal(before, after)
    assert cam.shape == (len(batch), 9, 9)
    for i in range(len(batch)):  # one at a time: batching changes nothing either
        single = _session(shipped).run(["probabilities"], {"image": batch[i : i + 1]})[0]
        np.testing.assert_allclose(single[0], after[i], atol=1e-6)


def test_map_is_the_grad_cam_of_the_referable_log_odds(
    shipped: onnx.ModelProto, batch: np.ndarray
) -> None:
    """Recomputed in numpy from the graph's own feature map and logits."""
    exported = strip_cam(shipped)
    features = feature_map_name(exported)
    logits = "/model/_fc/Gemm_output_0"
    tapped = onnx.ModelProto.FromString(exported.SerializeToString())
    for name in (features, logits):
        tapped.graph.output.append(
            helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None)
        )
    feature_map, z = _session(tapped).run([features, logits], {"image": batch})
    weights = next(
        numpy_helper.to_array(i) for i in exported.graph.initializer if i.name == "model._fc.weight"
    )

    def softmax(a: np.ndarray) -> np.ndarray:
        e = np.exp(a - a.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    dy_dz = np.concatenate([-softmax(z[:, :2]), softmax(z[:, 2:])], axis=1)
    per_view = np.einsum("nk,nkhw->nhw", dy_dz @ weights, feature_map)
    n = len(batch)
    expected = (per_view[:n] + per_view[n:, :, ::-1]) / 2  # the mirror's map flipped back
    (cam,) = _session(shipped).run([CAM_OUTPUT], {"image": batch})
    np.testing.assert_allclose(cam, expected, atol=1e-4 * np.abs(expected).max())


def test_map_points_towards_referral_only_where_there_is_disease(
    shipped: onnx.ModelProto, batch: np.ndarray
) -> None:
    display_max = json.loads((MODELS / "grader.card.json").read_text())["output"]["cam"][
        "display_max"
    ]
    (cam,) = _session(shipped).run([CAM_OUTPUT], {"image": batch[:2]})
    normal, proliferative = cam
    assert normal.max() < 0.25 * display_max  # nothing drawn on the normal retina
    assert proliferative.max() > display_max  # full colour on the proliferative one


def test_surgery_refuses_a_graph_it_does_not_understand() -> None:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["image"], ["probabilities"])],
        "no-head",
        [helper.make_tensor_value_info("image", onnx.TensorProto.FLOAT, [1, 5])],
        [helper.make_tensor_value_info("probabilities", onnx.TensorProto.FLOAT, [1, 5])],
    )
    with pytest.raises(ValueError, match="Softmax"):
        add_referable_cam(helper.make_model(graph), mirror_average=False)
