"""What travels to a GPU machine for the leave-one-source-out rows (training.pack): every
graded camera photograph of every source, and ImageNet weights the network still loads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch: the train group")

from training.data import CropCache, Sample  # noqa: E402
from training.pack import loso_indices, pack_imagenet_weights  # noqa: E402
from training.train import build_model  # noqa: E402


def test_loso_pack_keeps_graded_camera_photographs_of_every_source() -> None:
    def sample(i: int, dataset: str, grade: int | None) -> Sample:
        return Sample(dataset, f"/d/{dataset}/{i}.jpg", f"{dataset}:{i}", grade, None, "train")

    samples = [sample(0, "idrid", 2), sample(1, "eyepacs-eyeq", 0), sample(2, "drimdb", None)]
    samples += [sample(i, "rahim-dr", i % 5) for i in range(3, 8)]
    cache = CropCache(samples, np.zeros((8, 4, 4, 3), np.uint8), np.ones(8, bool))
    assert loso_indices(cache) == [0, 3, 4, 5, 6, 7]
    assert loso_indices(cache, per_set=2) == [0, 3, 4]


def test_packed_weights_load_into_the_grader_network(tmp_path: Path) -> None:
    packed = tmp_path / "lite0-imagenet.pt"
    pack_imagenet_weights("lite0", packed)
    model = build_model(5, 288, weights=packed, arch="lite0")
    state = torch.load(packed, weights_only=True)
    assert state["_fc.weight"].numel() == 0  # the ImageNet classifier did not travel
    stem = state["_conv_stem.weight"]
    assert stem.dtype == torch.float16
    assert torch.allclose(model.state_dict()["_conv_stem.weight"], stem.float())
