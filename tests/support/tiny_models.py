"""Tiny ONNX models with real model cards, built in the test run.

They run through the real onnxruntime and the real card, hash and signature checks;
only their weights are toy ones (average colour → class), so unit tests need no trained
model. The grader gets the referable map output by the same surgery as the shipped one
(``training.add_cam``) and the card's confidence bands, unless ``cam=False`` (a bundle
from before the map existed). They are signed with the tests' own Ed25519 key (never
the release key): pass ``TEST_KEYS`` to ``Pipeline.from_models_dir``, or point
``[models] trusted_keys`` at ``write_test_key()``'s file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from onnx import TensorProto, helper, numpy_helper

from retiscreen.grading.signing import sign_folder
from training.add_cam import CAM_OUTPUT, add_referable_cam
from training.confidence import card_section as confidence_section

SIZE = 64
TEST_SIGNING_KEY = Ed25519PrivateKey.from_private_bytes(
    hashlib.sha256(b"retiscreen tests only").digest()
)
TEST_KEYS = [TEST_SIGNING_KEY.public_key()]
MODEL_FILES = ("grader.onnx", "grader.card.json", "quality.onnx", "quality.card.json")


def write_test_key(path: Path) -> Path:
    """The tests' public key as a PEM file (for ``[models] trusted_keys``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        TEST_KEYS[0].public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    path.chmod(0o644)
    return path


def _model(weights: np.ndarray, bias: np.ndarray) -> onnx.ModelProto:
    n_classes = weights.shape[1]
    nodes = [
        helper.make_node("GlobalAveragePool", ["image"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"]),
        helper.make_node("Gemm", ["flat", "W", "B"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", n_classes])],
        [
            numpy_helper.from_array(weights.astype(np.float32), "W"),
            numpy_helper.from_array(bias.astype(np.float32), "B"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def write_bundle(
    directory: Path,
    name: str,
    classes: list[str],
    bias: list[float],
    threshold: float = 0.5,
    local_contrast: bool = False,
    validated_range: tuple[float, float] | None = None,
    cam: bool = False,
) -> Path:
    """Write <name>.onnx and <name>.card.json; the class with the largest bias wins.
    ``cam``: a five-grade grader with the referable map and the confidence bands."""
    directory.mkdir(parents=True, exist_ok=True)
    onnx_path = directory / f"{name}.onnx"
    weights = np.zeros((3, len(classes)))
    model = _model(weights, np.asarray(bias))
    if cam:
        model = add_referable_cam(model, mirror_average=False)
    onnx.save(model, str(onnx_path))
    card = {
        "name": f"tiny-{name}",
        "version": "test",
        "file": onnx_path.name,
        "sha256": hashlib.sha256(onnx_path.read_bytes()).hexdigest(),
        "input": {
            "name": "image",
            "size": SIZE,
            "mean": [128, 128, 128],
            "std": [64, 64, 64],
            "local_contrast": local_contrast,
        },
        "output": {"name": "probabilities", "classes": classes},
        "operating_point": {"threshold": threshold},
    }
    if validated_range is not None:
        card["operating_point"]["validated_range"] = list(validated_range)
    if cam:
        card["output"]["cam"] = {"name": CAM_OUTPUT, "size": [SIZE, SIZE], "display_max": 1.0}
        card["confidence"] = confidence_section()
    card_path = directory / f"{name}.card.json"
    card_path.write_text(json.dumps(card))
    return card_path


def write_models(
    directory: Path,
    grade_bias: list[float] | None = None,
    gradable_bias: list[float] | None = None,
    threshold: float = 0.3,
    sign: bool = True,
    cam: bool = True,
) -> Path:
    """A grader (default: moderate DR wins; site thresholds validated from 0.05 to 0.95;
    with the referable map unless ``cam=False``) and a quality model (default:
    gradable), signed with the test key."""
    write_bundle(
        directory,
        "grader",
        ["0", "1", "2", "3", "4"],
        grade_bias or [0.0, 0.0, 2.0, 0.0, 0.0],
        threshold,
        local_contrast=True,
        validated_range=(0.05, 0.95),
        cam=cam,
    )
    write_bundle(directory, "quality", ["ungradable", "gradable"], gradable_bias or [0.0, 3.0])
    if sign:
        sign_folder(directory, MODEL_FILES, TEST_SIGNING_KEY)
    return directory
