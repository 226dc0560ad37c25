"""Leave-one-source-out (LOSO) grader training: the honest proxy for a camera never seen.

    python -m training.loso --cache ~/retiscreen-train/crops320 --out ~/retiscreen-train/loso

For each grader source (APTOS, EyePACS, IDRiD, rahim-dr) one run trains on all the other
sources and is scored, mirror-averaged like the shipped graph, on every photograph of the
held-out one; the checkpoint is chosen on that held-out source. Each run is resumable
(``training.train`` checkpoints every 100 steps): the same command with ``--resume`` skips
the finished runs and continues the interrupted one, also in a later session.

``summary`` then reads each run's held-out scores and picks the operating threshold the
issue asks for: the highest threshold that gives sensitivity >= 0.90 on the *worst*
held-out source, with every source's AUC / sensitivity / specificity at it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np

from retiscreen.metrics import roc_auc, sensitivity_specificity, threshold_for_sensitivity
from training.data import GRADER_SOURCES, CropCache
from training.train import (
    ARCHITECTURES,
    TASKS,
    RunConfig,
    Task,
    load_or_build_cache,
    train,
)

ORDER = ("eyepacs", "idrid", "rahim", "aptos")
"""EyePACS first: the camera the shipped grader does worst on."""
TARGET_SENSITIVITY = 0.90


def run_all(
    task: Task,
    cache: CropCache,
    out: Path,
    config: RunConfig,
    sources: tuple[str, ...] = ORDER,
    *,
    resume: bool = False,
) -> None:
    """Each held-out source in turn; with ``resume``, finished runs (history.json written)
    are skipped and an interrupted one continues."""
    assert set(ORDER) == set(GRADER_SOURCES)
    for source in sources:
        run_dir = out / f"holdout-{source}"
        if resume and (run_dir / "history.json").exists():
            print(f"holdout {source}: done, skipped", flush=True)
            continue
        print(f"holdout {source}: training", flush=True)
        fold = dataclasses.replace(config, holdout=source)
        train(task, cache, run_dir, fold, resume=resume)
    summary(out)


def summary(out: Path) -> dict[str, object]:
    """Per-source figures of the chosen checkpoints, and the shared operating threshold."""
    scores: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for source in ORDER:
        path = out / f"holdout-{source}" / "holdout-scores-best.json"
        if path.exists():
            rows = json.loads(path.read_text())
            scores[source] = (
                np.array([r["grade"] >= 2 for r in rows]),
                np.array([r["referable_score"] for r in rows]),
            )
    if not scores:
        return {}
    per_source_threshold = {
        s: threshold_for_sensitivity(y, p, TARGET_SENSITIVITY) for s, (y, p) in scores.items()
    }
    threshold = min(per_source_threshold.values())
    table: dict[str, object] = {}
    for source, (y, p) in scores.items():
        at = sensitivity_specificity(y, p >= threshold)
        table[source] = {
            "n": len(y),
            "n_referable": int(y.sum()),
            "auc": roc_auc(y, p),
            "sensitivity": at["sensitivity"],
            "specificity": at["specificity"],
            "own_threshold_for_sens_0.90": per_source_threshold[source],
        }
    result: dict[str, object] = {
        "threshold": threshold,
        "selection": "highest threshold reaching sensitivity >= 0.90 on every held-out source",
        "sources": table,
        "complete": len(scores) == len(ORDER),
    }
    (out / "loso.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--cache", type=Path, default=Path("cache/crops320"))
    parser.add_argument("--out", type=Path, default=Path("runs/loso"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--samples-per-epoch", type=int, default=5600)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--workers", type=int, default=0, help="augmenting processes (GPU: 15)")
    parser.add_argument(
        "--imagenet-weights", type=Path, default=None, help="the arch's packed ImageNet weights"
    )
    parser.add_argument(
        "--sources",
        nargs="+",
        choices=ORDER,
        default=list(ORDER),
        help="held-out sources to run, in this order (default: all)",
    )
    parser.add_argument(
        "--camera-augment", action="store_true", help="simulate other cameras (recipe R1)"
    )
    parser.add_argument(
        "--source-balanced", action="store_true", help="sources by sqrt of size (recipe R1)"
    )
    parser.add_argument(
        "--ordinal-loss", action="store_true", help="add the ordinal P(grade >= k) loss term"
    )
    parser.add_argument("--size", type=int, default=None, help="model input (default: 288)")
    parser.add_argument(
        "--cache-side", type=int, default=320, help="crop side when the cache is built"
    )
    parser.add_argument("--summary", action="store_true", help="only summarise finished runs")
    parser.add_argument("--arch", choices=ARCHITECTURES, default="lite0", help="EfficientNet-Lite")
    parser.add_argument(
        "--resume", action="store_true", help="skip finished runs, continue the interrupted one"
    )
    args = parser.parse_args()
    if args.summary:
        summary(args.out)
        return
    base = TASKS["grader"]
    spec = dataclasses.replace(base.spec, size=args.size) if args.size else base.spec
    task = Task(base.name, base.classes, spec, args.epochs, args.samples_per_epoch, base.lr)
    cache = load_or_build_cache(args.data, args.cache, args.cache_side)
    if cache.crops.shape[1] < task.spec.size:
        raise SystemExit(f"cache crops ({cache.crops.shape[1]} px) are smaller than the input")
    config = RunConfig(
        args.batch_size,
        device=args.device,
        workers=args.workers,
        imagenet_weights=args.imagenet_weights,
        camera_augment=args.camera_augment,
        source_balanced=args.source_balanced,
        arch=args.arch,
        ordinal_loss=args.ordinal_loss,
    )
    run_all(task, cache, args.out, config, tuple(args.sources), resume=args.resume)


if __name__ == "__main__":
    main()
