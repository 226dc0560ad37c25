"""Training data helpers that need neither torch nor ../shared: the packed crop cache that
travels to a GPU machine, and the IDRiD dev halves used for cross-fitting."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from training.data import CropCache, Sample, idrid_dev_fold


def _sample(i: int, dataset: str = "aptos2019") -> Sample:
    return Sample(dataset, f"/data/{i}.jpg", f"{dataset}:{i}", i % 5, None, "train")


def test_packed_cache_round_trips_chosen_samples(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    smooth = np.stack([np.full((64, 64), v, np.uint8) for v in (200, 90, 30)], axis=2)
    crops = np.stack([np.clip(smooth + rng.integers(0, 3, smooth.shape), 0, 255) for _ in range(4)])
    cache = CropCache(
        [_sample(i) for i in range(4)], crops.astype(np.uint8), np.array([1, 0, 1, 1], bool)
    )
    path = tmp_path / "pack.npz"
    cache.save_packed(path, [3, 1])
    loaded = CropCache.load(path)
    assert [s.path for s in loaded.samples] == ["/data/3.jpg", "/data/1.jpg"]
    assert loaded.found.tolist() == [True, False]
    assert loaded.crops.shape == (2, 64, 64, 3)
    # WebP is lossy, but colour must survive (RGB order kept, not swapped to BGR).
    assert np.abs(loaded.crops.astype(int) - crops[[3, 1]].astype(int)).mean() < 3


def test_idrid_dev_halves_are_stable_and_both_used() -> None:
    samples = [_sample(i, "idrid") for i in range(200)]
    folds = [idrid_dev_fold(s) for s in samples]
    assert folds == [idrid_dev_fold(s) for s in samples]
    assert 70 < sum(folds) < 130
