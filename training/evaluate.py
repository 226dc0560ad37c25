"""Scoring a model during training: predictions (optionally mirror-averaged like the
shipped graph), per-set AUC and kappa, and the figure a checkpoint is chosen on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from retiscreen.imaging.preprocess import square_to_tensor
from retiscreen.metrics import quadratic_kappa, roc_auc
from training.data import CropCache
from training.precision import mixed_precision
from training.tasks import Task, eval_indices


def predict(
    model: nn.Module,
    tensors: npt.NDArray[np.float32],
    batch: int = 32,
    device: str = "cpu",
    mirror: bool = False,
) -> npt.NDArray[np.float32]:
    """Softmax probabilities, in training's precision (``training.precision``);
    ``mirror`` averages each photograph with its left-right mirror image, as the exported
    grader graph does."""
    model.eval()
    out = []
    with torch.no_grad(), mixed_precision(device):
        for start in range(0, len(tensors), batch):
            x = torch.from_numpy(tensors[start : start + batch]).to(device)
            x = x.contiguous(memory_format=torch.channels_last)
            probs = torch.softmax(model(x).float(), dim=1)
            if mirror:
                probs = (probs + torch.softmax(model(torch.flip(x, dims=[3])).float(), dim=1)) / 2
            out.append(probs.cpu().numpy())
    model.train()
    return np.concatenate(out)


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
