"""Model bundles: the card is checked, the hash is checked, the provider is recorded."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retiscreen.grading.model import ModelUnavailable, OnnxModel
from tests.support.tiny_models import SIZE, write_bundle


def grader_card(tmp_path: Path) -> Path:
    return write_bundle(tmp_path, "grader", ["0", "1", "2", "3", "4"], [0, 0, 2, 0, 0])


def test_verified_model_runs_on_a_real_provider(tmp_path: Path) -> None:
    model = OnnxModel(grader_card(tmp_path), None, prefer_gpu=True)
    assert model.provider in {"CPUExecutionProvider", "CUDAExecutionProvider"}
    probabilities = model.predict(np.zeros((2, 3, SIZE, SIZE), np.float32))
    assert probabilities.shape == (2, 5)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert int(probabilities[0].argmax()) == 2


def test_tampered_model_is_refused(tmp_path: Path) -> None:
    card = grader_card(tmp_path)
    onnx_path = tmp_path / "grader.onnx"
    data = bytearray(onnx_path.read_bytes())
    data[-1] ^= 0xFF
    onnx_path.write_bytes(bytes(data))
    with pytest.raises(ModelUnavailable, match="does not match its model card"):
        OnnxModel(card, None)


def test_missing_model_file_is_refused(tmp_path: Path) -> None:
    card = grader_card(tmp_path)
    (tmp_path / "grader.onnx").unlink()
    with pytest.raises(ModelUnavailable, match="missing"):
        OnnxModel(card, None)


def test_missing_card_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="missing"):
        OnnxModel(tmp_path / "grader.card.json", None)


def test_card_without_threshold_is_refused(tmp_path: Path) -> None:
    card = grader_card(tmp_path)
    document = json.loads(card.read_text())
    del document["operating_point"]
    card.write_text(json.dumps(document))
    with pytest.raises(ModelUnavailable, match="unreadable"):
        OnnxModel(card, None)


def test_card_that_disagrees_with_the_network_is_refused(tmp_path: Path) -> None:
    card = grader_card(tmp_path)
    document = json.loads(card.read_text())
    document["input"]["size"] = SIZE * 2
    card.write_text(json.dumps(document))
    with pytest.raises(ModelUnavailable, match="does not match the card"):
        OnnxModel(card, None)
