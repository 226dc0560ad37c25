"""Augmented training batches: class- and domain-weighted sampling, synthetic ungradable
frames for the quality task, and worker processes on a GPU machine."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import torch

from retiscreen.imaging.preprocess import square_to_tensor
from training.augment import blank_frame, camera, degrade, geometric, photometric
from training.data import CropCache
from training.tasks import IN_DOMAIN_WEIGHT, Task, label_of, train_indices

NON_FUNDUS = [
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "immunohistochemistry",
    "camera",
    "coins",
    "moon",
    "page",
    "text",
    "horse",
    "clock",
    "brick",
    "grass",
    "gravel",
    "cell",
    "colorwheel",
    "logo",
    "cat",
]
"""scikit-image's bundled photographs: real 'not a retina' frames that ship offline."""


def sampling_weights(
    task: Task, cache: CropCache, indices: list[int], source_balanced: bool = False
) -> npt.NDArray[np.float64]:
    """Inverse-square-root class frequency: rarer grades seen more often, not absurdly so;
    then either the in-domain set more often still, or (``source_balanced``) each source's
    share proportional to the square root of its size, grades weighted within it."""
    if not source_balanced:
        labels = np.array([label_of(task, cache.samples[i]) for i in indices])
        counts = np.bincount(labels, minlength=len(task.classes)).astype(np.float64)
        weights = 1.0 / np.sqrt(np.maximum(counts[labels], 1))
        weights *= [IN_DOMAIN_WEIGHT.get(cache.samples[i].dataset, 1.0) for i in indices]
        return np.asarray(weights / weights.sum(), dtype=np.float64)
    sources = np.array([cache.samples[i].source for i in indices])
    weights = np.zeros(len(indices))
    for source in np.unique(sources):
        members = np.flatnonzero(sources == source)
        within = sampling_weights(task, cache, [indices[m] for m in members])
        weights[members] = within * np.sqrt(len(members))
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def non_fundus_crops(side: int) -> list[npt.NDArray[np.uint8]]:
    import cv2
    import skimage.data

    crops = []
    for name in NON_FUNDUS:
        image = np.asarray(getattr(skimage.data, name)())
        if image.ndim == 2:
            image = np.stack([image] * 3, axis=2)
        image = image[..., :3].astype(np.uint8)
        crops.append(np.asarray(cv2.resize(image, (side, side), interpolation=cv2.INTER_AREA)))
    return crops


class Batches:
    """Draws augmented batches; the quality task mixes in synthetic ungradable frames."""

    def __init__(
        self,
        task: Task,
        cache: CropCache,
        seed: int,
        idrid_dev: str = "none",
        holdout: str | None = None,
        camera_augment: bool = False,
        source_balanced: bool = False,
    ) -> None:
        self.task, self.cache = task, cache
        self.indices = train_indices(task, cache, idrid_dev, holdout)
        self.weights = sampling_weights(task, cache, self.indices, source_balanced)
        self.camera_augment = camera_augment
        self.rng = np.random.default_rng(seed)
        self.others = non_fundus_crops(cache.crops.shape[1]) if task.name == "quality" else []

    def example(self) -> tuple[npt.NDArray[np.float32], int]:
        size = self.task.spec.size
        if self.others and self.rng.random() < 0.05:
            picture = self.others[self.rng.integers(len(self.others))]
            image = photometric(geometric(picture, size, self.rng, 3.0), self.rng)
            return square_to_tensor(image, self.task.spec), 0
        if self.others and self.rng.random() < 0.02:
            return square_to_tensor(blank_frame(size, self.rng), self.task.spec), 0
        i = self.indices[self.rng.choice(len(self.indices), p=self.weights)]
        sample = self.cache.samples[i]
        label = label_of(self.task, sample)
        image = photometric(geometric(np.asarray(self.cache.crops[i]), size, self.rng), self.rng)
        if self.camera_augment:
            image = camera(image, self.rng)
        if self.task.name == "quality" and label == 1 and self.rng.random() < 0.12:
            image, label = degrade(image, self.rng), 0
        return square_to_tensor(image, self.task.spec), label

    def batch(self, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        pairs = [self.example() for _ in range(n)]
        x = torch.from_numpy(np.stack([p[0] for p in pairs]))
        y = torch.tensor([p[1] for p in pairs])
        return x.contiguous(memory_format=torch.channels_last), y


class _BatchStream(torch.utils.data.IterableDataset[tuple[torch.Tensor, torch.Tensor]]):
    """Endless augmented batches from worker processes, each with its own random stream."""

    def __init__(self, batches: Batches, batch_size: int, seed: int) -> None:
        self.batches, self.batch_size, self.seed = batches, batch_size, seed

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        import cv2

        worker = torch.utils.data.get_worker_info()
        if worker is not None:
            cv2.setNumThreads(1)
            self.batches.rng = np.random.default_rng([self.seed, worker.id])
        while True:
            yield self.batches.batch(self.batch_size)


def batch_source(
    batches: Batches, batch_size: int, workers: int, seed: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """In-process batches on a 2-core machine; a pool of augmenting workers on a GPU one."""
    if workers == 0:
        while True:
            yield batches.batch(batch_size)
    loader = torch.utils.data.DataLoader(
        _BatchStream(batches, batch_size, seed),
        batch_size=None,
        num_workers=workers,
        pin_memory=True,
        prefetch_factor=4,
    )
    yield from loader
