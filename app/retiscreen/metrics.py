"""Screening-accuracy statistics with confidence intervals, in plain NumPy.

Used by ``retiscreen validate`` and by training to choose the operating point, so a
clinic's figures and the model card's figures come from the same code.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

ArrayLike = npt.ArrayLike

Z95 = 1.959963984540054


def roc_auc(labels: ArrayLike, scores: ArrayLike) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties counted as one half)."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_scores = s[order]
    # Average ranks over ties.
    boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(s)]])
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def roc_curve(
    labels: ArrayLike, scores: ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(false-positive rate, true-positive rate, thresholds), thresholds descending."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    thresholds = np.unique(s)[::-1]
    tpr = np.array([np.count_nonzero(s[y] >= t) for t in thresholds]) / max(1, y.sum())
    fpr = np.array([np.count_nonzero(s[~y] >= t) for t in thresholds]) / max(1, (~y).sum())
    return (
        np.concatenate([[0.0], fpr]),
        np.concatenate([[0.0], tpr]),
        np.concatenate([[np.inf], thresholds]),
    )


def auc_confidence_interval(
    labels: ArrayLike, scores: ArrayLike, n_boot: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """95% CI of the AUC by stratified bootstrap (resampling cases and controls apart)."""
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    pos, neg = s[y], s[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    aucs = np.empty(n_boot)
    both = np.concatenate([np.ones(len(pos), bool), np.zeros(len(neg), bool)])
    for i in range(n_boot):
        sample = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
        aucs[i] = roc_auc(both, sample)
    low, high = np.percentile(aucs, [2.5, 97.5])
    return float(low), float(high)


def wilson_interval(successes: int, total: int) -> tuple[float, float]:
    """95% Wilson score interval for a proportion (sensible at 0% and 100%)."""
    if total == 0:
        return float("nan"), float("nan")
    p = successes / total
    denominator = 1 + Z95**2 / total
    centre = (p + Z95**2 / (2 * total)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / total + Z95**2 / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def sensitivity_specificity(labels: ArrayLike, predicted: ArrayLike) -> dict[str, Any]:
    """Sensitivity and specificity of binary predictions, with Wilson 95% CIs."""
    y = np.asarray(labels, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    tp, fn = int(np.count_nonzero(y & p)), int(np.count_nonzero(y & ~p))
    tn, fp = int(np.count_nonzero(~y & ~p)), int(np.count_nonzero(~y & p))
    return {
        "tp": tp,
        "fn": fn,
        "tn": tn,
        "fp": fp,
        "sensitivity": tp / (tp + fn) if tp + fn else float("nan"),
        "sensitivity_ci95": list(wilson_interval(tp, tp + fn)),
        "specificity": tn / (tn + fp) if tn + fp else float("nan"),
        "specificity_ci95": list(wilson_interval(tn, tn + fp)),
    }


def threshold_for_sensitivity(labels: ArrayLike, scores: ArrayLike, target: float) -> float:
    """The highest threshold whose sensitivity (score ≥ threshold) reaches ``target``."""
    y = np.asarray(labels, dtype=bool)
    positives = np.sort(np.asarray(scores, dtype=np.float64)[y])[::-1]
    if len(positives) == 0:
        raise ValueError("no referable cases: sensitivity is undefined")
    needed = math.ceil(target * len(positives) - 1e-9)
    return float(positives[max(needed, 1) - 1])


def confident_threshold_for_sensitivity(
    labels: ArrayLike, scores: ArrayLike, target: float
) -> float | None:
    """The highest threshold at which these eyes show, with 95% confidence, a sensitivity
    of at least ``target``: the lower end of the Wilson interval of the referable eyes
    caught reaches it. None when even catching every referable eye would not show it
    (too few referable eyes: ``referable_eyes_needed``).

    Why not the point estimate (``threshold_for_sensitivity``): set on a site's few
    referable eyes, it undershoots on the next patients. On the held-out cameras of the
    R2 leave-one-source-out run, a threshold set that way on 40 referable eyes gave a true
    sensitivity below 0.85 in 25-32 % of draws; this one in at most 1 %
    (``training/EXPERIMENTS.md``, site calibration)."""
    y = np.asarray(labels, dtype=bool)
    positives = np.sort(np.asarray(scores, dtype=np.float64)[y])[::-1]
    total = len(positives)
    if total == 0:
        raise ValueError("no referable cases: sensitivity is undefined")
    for caught in range(1, total + 1):
        if wilson_interval(caught, total)[0] >= target:
            return float(positives[caught - 1])
    return None


def referable_eyes_needed(target: float) -> int:
    """The fewest referable eyes that can show a sensitivity of ``target`` with 95%
    confidence (all of them caught), for the operator's message."""
    needed = 1
    while wilson_interval(needed, needed)[0] < target:
        needed += 1
    return needed


def confusion_matrix(truth: ArrayLike, predicted: ArrayLike, n_classes: int = 5) -> list[list[int]]:
    """Rows are the true grade, columns the predicted grade."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    for t, p in zip(np.asarray(truth, int), np.asarray(predicted, int), strict=True):
        matrix[t, p] += 1
    rows: list[list[int]] = matrix.tolist()
    return rows


def quadratic_kappa(truth: ArrayLike, predicted: ArrayLike, n_classes: int = 5) -> float:
    """Cohen's kappa with quadratic weights, the usual agreement measure for DR grades."""
    observed = np.asarray(confusion_matrix(truth, predicted, n_classes), dtype=np.float64)
    total = observed.sum()
    if total == 0:
        return float("nan")
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / total
    idx = np.arange(n_classes)
    weights = (idx[:, None] - idx[None, :]) ** 2 / (n_classes - 1) ** 2
    denominator = (weights * expected).sum()
    if denominator == 0:
        return 1.0
    return float(1.0 - (weights * observed).sum() / denominator)
