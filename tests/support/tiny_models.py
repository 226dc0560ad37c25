"""Tiny ONNX models with real model cards, built in the test run.

They run through the real onnxruntime and the real card/hash checks; only their
weights are toy ones (average colour → class), so unit tests need no trained model.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZE = 64


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
) -> Path:
    """Write <name>.onnx and <name>.card.json; the class with the largest bias wins."""
    directory.mkdir(parents=True, exist_ok=True)
    onnx_path = directory / f"{name}.onnx"
    weights = np.zeros((3, len(classes)))
    onnx.save(_model(weights, np.asarray(bias)), str(onnx_path))
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
    card_path = directory / f"{name}.card.json"
    card_path.write_text(json.dumps(card))
    return card_path


def write_models(
    directory: Path,
    grade_bias: list[float] | None = None,
    gradable_bias: list[float] | None = None,
    threshold: float = 0.3,
) -> Path:
    """A grader (default: moderate DR wins) and a quality model (default: gradable)."""
    write_bundle(
        directory,
        "grader",
        ["0", "1", "2", "3", "4"],
        grade_bias or [0.0, 0.0, 2.0, 0.0, 0.0],
        threshold,
        local_contrast=True,
    )
    write_bundle(directory, "quality", ["ungradable", "gradable"], gradable_bias or [0.0, 3.0])
    return directory
