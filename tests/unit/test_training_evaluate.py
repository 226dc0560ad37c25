"""Held-out scoring keeps each photograph's one-view score beside the mirror-averaged one,
so flip test-time augmentation can be measured in leave-one-source-out runs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch: the train group")

from retiscreen.imaging.preprocess import square_to_tensor  # noqa: E402
from training.data import CropCache, Sample  # noqa: E402
from training.evaluate import evaluate, predict  # noqa: E402
from training.tasks import TASKS  # noqa: E402
from training.train import build_model  # noqa: E402


def test_held_out_scores_keep_the_one_view_score(tmp_path: Path) -> None:
    torch.manual_seed(0)
    task = TASKS["grader"]
    model = build_model(5, task.spec.size)  # ImageNet weights: a fresh head still sees images
    rng = np.random.default_rng(0)
    crops = rng.integers(0, 255, (4, 64, 64, 3), dtype=np.uint8)
    held_out = [
        Sample("rahim-dr", f"/d/r/{i}.jpg", f"p{i}", 2 * (i % 2), None, "test") for i in range(3)
    ]
    samples = [*held_out, Sample("idrid", "/d/idrid/0.jpg", "q", 3, None, "test")]
    cache = CropCache(samples, crops, np.ones(4, bool))
    scores = tmp_path / "scores.json"

    metrics = evaluate(task, model, cache, "test", holdout="rahim", scores_to=scores)

    rows = json.loads(scores.read_text())
    assert metrics["holdout_n"] == 3
    assert [r["path"] for r in rows] == [s.path for s in held_out]
    tensors = np.stack([square_to_tensor(c, task.spec) for c in crops[:3]])
    one_view = predict(model, tensors)[:, 2:].sum(axis=1)
    both = predict(model, tensors, mirror=True)[:, 2:].sum(axis=1)
    assert [r["referable_score_one_view"] for r in rows] == pytest.approx(one_view, abs=1e-5)
    assert [r["referable_score"] for r in rows] == pytest.approx(both, abs=1e-5)
    assert not np.allclose(one_view, both, atol=1e-6)  # the mirror changed something
