"""Metric code against scikit-learn and hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, roc_auc_score

from retiscreen.metrics import (
    auc_confidence_interval,
    confident_threshold_for_sensitivity,
    confusion_matrix,
    quadratic_kappa,
    referable_eyes_needed,
    roc_auc,
    roc_curve,
    sensitivity_specificity,
    threshold_for_sensitivity,
    wilson_interval,
)


def test_auc_matches_sklearn_with_ties() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 300)
    scores = np.round(rng.random(300) + labels * 0.4, 1)  # rounding makes ties
    assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores))


def test_auc_ci_brackets_the_estimate() -> None:
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 2, 200)
    scores = rng.random(200) + labels * 0.5
    low, high = auc_confidence_interval(labels, scores, n_boot=300)
    assert low < roc_auc(labels, scores) < high
    assert low > 0.5 and high <= 1.0


def test_quadratic_kappa_matches_sklearn() -> None:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 5, 400)
    predicted = np.clip(truth + rng.integers(-1, 2, 400), 0, 4)
    expected = cohen_kappa_score(truth, predicted, weights="quadratic")
    assert quadratic_kappa(truth, predicted) == pytest.approx(expected)


def test_sensitivity_specificity_by_hand() -> None:
    result = sensitivity_specificity([1, 1, 1, 1, 0, 0, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0, 1, 0])
    assert (result["tp"], result["fn"], result["tn"], result["fp"]) == (3, 1, 4, 1)
    assert result["sensitivity"] == 0.75 and result["specificity"] == 0.8


def test_wilson_interval_known_value() -> None:
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-3) and high == pytest.approx(0.9433, abs=1e-3)
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)


def test_threshold_for_sensitivity_reaches_the_target() -> None:
    labels = np.array([1] * 10 + [0] * 10)
    scores = np.concatenate([np.linspace(0.1, 1.0, 10), np.linspace(0.0, 0.5, 10)])
    threshold = threshold_for_sensitivity(labels, scores, 0.9)
    sensitivity = np.mean(scores[labels == 1] >= threshold)
    assert sensitivity >= 0.9
    assert np.mean(scores[labels == 1] >= threshold + 1e-9) < 0.9  # the highest such threshold


def test_confident_threshold_shows_the_target_at_its_lower_confidence_bound() -> None:
    """On 100 referable eyes, sensitivity 0.90 with 95% confidence needs 96 caught
    (Wilson lower bound 0.888 at 95, 0.902 at 96): the threshold is the 96th highest
    referable score, lower than the point estimate's 90th."""
    positives = np.linspace(1.0, 0.01, 100)
    labels = np.array([1] * 100 + [0] * 50)
    scores = np.concatenate([positives, np.linspace(0.0, 0.3, 50)])
    assert wilson_interval(95, 100)[0] < 0.9 <= wilson_interval(96, 100)[0]
    assert confident_threshold_for_sensitivity(labels, scores, 0.9) == pytest.approx(positives[95])
    assert threshold_for_sensitivity(labels, scores, 0.9) == pytest.approx(positives[89])


def test_too_few_referable_eyes_give_no_confident_threshold() -> None:
    needed = referable_eyes_needed(0.9)
    assert wilson_interval(needed, needed)[0] >= 0.9 > wilson_interval(needed - 1, needed - 1)[0]
    few = np.linspace(0.9, 0.5, needed - 1)
    assert confident_threshold_for_sensitivity(np.ones(needed - 1), few, 0.9) is None
    enough = np.linspace(0.9, 0.5, needed)
    assert confident_threshold_for_sensitivity(np.ones(needed), enough, 0.9) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        confident_threshold_for_sensitivity([0, 0], [0.1, 0.2], 0.9)


def test_confusion_matrix_and_roc_curve() -> None:
    assert confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1], 3) == [[1, 0, 0], [0, 0, 1], [0, 1, 1]]
    fpr, tpr, thresholds = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    assert fpr[0] == 0 and tpr[-1] == 1 and fpr[-1] == 1
    assert np.all(np.diff(thresholds) <= 0)
