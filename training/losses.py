"""The grader's training loss: cross-entropy over the five ICDR grades, optionally with an
ordinal term (recipe search, issue #15 item 3).

The ordinal term scores the cumulative probabilities P(grade ≥ k), k = 1..4, taken from
the same softmax, against the true grade with a binary cross-entropy each. Cross-entropy
alone counts calling a moderate eye "mild" as wrong as calling it "proliferative"; the
cumulative terms make every threshold of the grade scale a target, including
P(grade ≥ 2), the referable output the kiosk thresholds. The head and the exported graph
do not change (the terms are computed from the five logits), so a run trained with it
exports exactly as one trained without.
"""

from __future__ import annotations

import torch
from torch import nn


def cumulative_log_probabilities(logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """log P(grade ≥ k) and log P(grade < k) for k = 1..C-1, each N×(C-1), computed with
    log-sum-exp over the logits so that neither underflows when the softmax is sharp."""
    total = torch.logsumexp(logits, dim=1, keepdim=True)
    n_classes = logits.shape[1]
    at_least = torch.stack(
        [torch.logsumexp(logits[:, k:], dim=1) for k in range(1, n_classes)], dim=1
    )
    below = torch.stack([torch.logsumexp(logits[:, :k], dim=1) for k in range(1, n_classes)], dim=1)
    return at_least - total, below - total


class OrdinalGradeLoss(nn.Module):
    """Cross-entropy (with label smoothing) plus ``weight`` × the mean binary cross-entropy
    of the cumulative probabilities P(grade ≥ k)."""

    def __init__(self, label_smoothing: float = 0.05, weight: float = 1.0) -> None:
        super().__init__()
        self.cross_entropy = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
        self.weight = weight

    def forward(self, logits: torch.Tensor, grades: torch.Tensor) -> torch.Tensor:
        log_at_least, log_below = cumulative_log_probabilities(logits)
        thresholds = torch.arange(1, logits.shape[1], device=logits.device)
        reached = (grades[:, None] >= thresholds[None, :]).to(logits.dtype)
        ordinal = -(reached * log_at_least + (1.0 - reached) * log_below).mean()
        return self.cross_entropy(logits, grades) + self.weight * ordinal


def grade_loss(ordinal: bool) -> nn.Module:
    """The training loss a run's settings name."""
    if ordinal:
        return OrdinalGradeLoss()
    return nn.CrossEntropyLoss(label_smoothing=0.05)
