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


def predict_views(
    model: nn.Module,
    tensors: npt.NDArray[np.float32],
    batch: int = 32,
    device: str = "cpu",
    mirror: bool = False,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None]:
    """Softmax probabilities of each photograph, in training's precision
    (``training.precision``), and with ``mirror`` those of its left-right mirror image too:
    kept apart so that flip test-time augmentation can be measured on a held-out source."""
    model.eval()
    plain, mirrored = [], []
    with torch.no_grad(), mixed_precision(device):
        for start in range(0, len(tensors), batch):
            x = torch.from_numpy(tensors[start : start + batch]).to(device)
            x = x.contiguous(memory_format=torch.channels_last)
            plain.append(torch.softmax(model(x).float(), dim=1).cpu().numpy())
            if mirror:
                flipped = model(torch.flip(x, dims=[3])).float()
                mirrored.append(torch.softmax(flipped, dim=1).cpu().numpy())
    model.train()
    return np.concatenate(plain), np.concatenate(mirrored) if mirror else None


def predict(
    model: nn.Module,
    tensors: npt.NDArray[np.float32],
    batch: int = 32,
    device: str = "cpu",
    mirror: bool = False,
) -> npt.NDArray[np.float32]:
    """Softmax probabilities; ``mirror`` averages each photograph with its mirror image, as
    the exported grader graph does."""
    plain, mirrored = predict_views(model, tensors, batch, device, mirror)
    return plain if mirrored is None else ((plain + mirrored) / 2).astype(np.float32)


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
    plain_chunks, mirrored_chunks = [], []
    for start in range(0, len(indices), 256):
        part = indices[start : start + 256]
        tensors = np.stack([square_to_tensor(np.asarray(cache.crops[i]), task.spec) for i in part])
        plain, mirrored = predict_views(model, tensors, device=device, mirror=holdout is not None)
        plain_chunks.append(plain)
        mirrored_chunks.append(plain if mirrored is None else mirrored)
    plain_probs = np.concatenate(plain_chunks)
    probs = (plain_probs + np.concatenate(mirrored_chunks)) / 2
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
                     "referable_score": float(r), "probabilities": [float(v) for v in p],
                     "referable_score_one_view": float(one[2:].sum())}
                    for s, g, r, p, one, c in zip(samples, grades, referable_score, probs,
                                                  plain_probs, camera, strict=True) if c
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
