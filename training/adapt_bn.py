"""Experiment: does a camera's score scale come from its image statistics? (issue #15)

    python -m training.adapt_bn --run ~/retiscreen-train/loso-R4/holdout-eyepacs \\
        --cache ~/retiscreen-train/crops320 --sizes 50 200 0

Every LOSO recipe so far scores each held-out camera on its own scale (EyePACS needs a
threshold near 0.02 for sensitivity 0.90, the other cameras 0.2-0.6), so one shipped
threshold cannot serve them all. This tests the simplest explanation: the network's
BatchNorm statistics, estimated on the training cameras, do not fit a new camera's
photographs. The fold's held-out patients are split in two halves (by patient); the
statistics are re-estimated (AdaBN, Li et al. 2016: no labels, no gradient) on n
photographs of the first half and the second half is scored, mirror-averaged, before and
after. It is an experiment: the kiosk ships one fixed network, and a per-site network
would need its own validation and signature.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from retiscreen.imaging.preprocess import square_to_tensor
from retiscreen.metrics import roc_auc, sensitivity_specificity, threshold_for_sensitivity
from training.data import CropCache
from training.evaluate import NOT_A_CAMERA, predict
from training.tasks import TASKS, eval_indices
from training.train import build_model


def patient_half(patient: str) -> int:
    """0 or 1, stable per patient, so that no patient is in both halves."""
    return hashlib.sha256(f"adapt:{patient}".encode()).digest()[0] % 2


def adapt_batch_norm(model: nn.Module, batches: list[npt.NDArray[np.float32]]) -> nn.Module:
    """A copy of ``model`` whose BatchNorm statistics are the plain averages over
    ``batches`` and their mirror images; every weight is left as trained."""
    adapted = copy.deepcopy(model).eval()
    norms = [m for m in adapted.modules() if isinstance(m, nn.BatchNorm2d)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a cumulative average over all batches
        norm.train()
    with torch.no_grad():
        for batch in batches:
            x = torch.from_numpy(batch).contiguous(memory_format=torch.channels_last)
            adapted(x)
            adapted(torch.flip(x, dims=[3]))
    return adapted.eval()


def _figures(labels: npt.NDArray[np.bool_], scores: npt.NDArray[np.float64]) -> dict[str, float]:
    threshold = threshold_for_sensitivity(labels, scores, 0.90)
    at = sensitivity_specificity(labels, scores >= threshold)
    return {
        "auc": roc_auc(labels, scores),
        "own_threshold_for_sens_0.90": threshold,
        "specificity_at_it": at["specificity"],
        "median_score": float(np.median(scores)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", type=Path, required=True, help="a LOSO fold's folder")
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[50, 200, 0], help="photographs (0: all)"
    )
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    config = json.loads((args.run / "config.json").read_text())
    base = TASKS["grader"]
    spec = dataclasses.replace(base.spec, size=config["size"])
    cache = CropCache.load(args.cache)
    held_out = [
        i
        for i in eval_indices(base, cache, "dev", holdout=config["holdout"])
        if cache.samples[i].dataset not in NOT_A_CAMERA
    ]
    adapt_pool = [i for i in held_out if patient_half(cache.samples[i].patient) == 0]
    scored = [i for i in held_out if patient_half(cache.samples[i].patient) == 1]
    np.random.default_rng(0).shuffle(adapt_pool)
    labels = np.array([(cache.samples[i].dr_grade or 0) >= 2 for i in scored])

    def tensors(ids: list[int]) -> npt.NDArray[np.float32]:
        return np.stack([square_to_tensor(np.asarray(cache.crops[i]), spec) for i in ids])

    def score(model: nn.Module) -> npt.NDArray[np.float64]:
        parts = [
            predict(model, tensors(scored[s : s + 128]), mirror=True)[:, 2:].sum(axis=1)
            for s in range(0, len(scored), 128)
        ]
        return np.concatenate(parts).astype(np.float64)

    model = build_model(5, spec.size, pretrained=False, arch=config["arch"])
    state = torch.load(args.run / "best.pt", weights_only=False, map_location="cpu")
    model.load_state_dict(state["model"])
    model = model.to(memory_format=torch.channels_last).eval()
    rows: dict[str, object] = {
        "holdout": config["holdout"],
        "scored": len(scored),
        "scored_referable": int(labels.sum()),
        "trained": _figures(labels, score(model)),
    }
    record = args.run / "adapt-bn.json"
    record.write_text(json.dumps(rows, indent=2))
    for size in args.sizes:
        chosen = adapt_pool if size == 0 else adapt_pool[:size]
        batches = [tensors(chosen[s : s + args.batch]) for s in range(0, len(chosen), args.batch)]
        adapted = adapt_batch_norm(model, batches)
        rows[f"adapted_on_{len(chosen)}"] = _figures(labels, score(adapted))
        record.write_text(json.dumps(rows, indent=2))  # after each row: a pass takes minutes
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
