"""The grader's ordinal loss term (training.losses): the cumulative probabilities come from
the same softmax, and a prediction far from the true grade costs more than a near one."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch", reason="torch: the train group")

from training.losses import OrdinalGradeLoss, cumulative_log_probabilities, grade_loss  # noqa: E402


def test_cumulative_probabilities_are_the_softmax_tail_sums() -> None:
    logits = torch.tensor([[2.0, -1.0, 0.5, 3.0, -40.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    at_least, below = cumulative_log_probabilities(logits)
    p = torch.softmax(logits, dim=1)
    expected = torch.stack([p[:, k:].sum(dim=1) for k in range(1, 5)], dim=1)
    assert torch.allclose(at_least.exp(), expected, atol=1e-6)
    assert torch.allclose(below.exp(), 1 - expected, atol=1e-6)
    assert torch.isfinite(at_least).all() and torch.isfinite(below).all()


def test_far_off_grades_cost_more_than_near_ones() -> None:
    """A moderate eye (grade 2) called proliferative or normal costs more than one called
    severe or mild; plain cross-entropy cannot tell these apart (same mass off the truth)."""
    grade = torch.tensor([2])

    def mass_on(k: int) -> torch.Tensor:
        logits = torch.full((1, 5), -4.0)
        logits[0, 2], logits[0, k] = 1.0, 1.0
        return logits

    ordinal = OrdinalGradeLoss()
    plain = grade_loss(ordinal=False)
    assert plain(mass_on(3), grade) == pytest.approx(float(plain(mass_on(4), grade)))
    assert ordinal(mass_on(4), grade) > ordinal(mass_on(3), grade)
    assert ordinal(mass_on(0), grade) > ordinal(mass_on(1), grade)


def test_without_the_ordinal_weight_it_is_the_cross_entropy() -> None:
    logits = torch.randn(6, 5, generator=torch.Generator().manual_seed(0))
    grades = torch.tensor([0, 1, 2, 3, 4, 2])
    assert OrdinalGradeLoss(weight=0.0)(logits, grades) == pytest.approx(
        float(grade_loss(ordinal=False)(logits, grades))
    )
