"""How clear a result is: the referable score's distance from the referral line, in bands.

Why a distance in logit units: a probability of 0.45 against a threshold of 0.47 and one
of 0.02 against the same line are both "below", but only the second is clear; on the
log-odds scale equal steps mean equal changes in the odds, at either end. The band
edges and their wording keys are data in the grader's card (``confidence``), measured
and explained in models/MODEL_CARD.md, so a new model brings its own bands. The result
is a :class:`~retiscreen.domain.Confidence` value: the decision itself never depends on
it (it follows ``referable``), and its words come from the catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from retiscreen.domain import Confidence

_EPSILON = 1e-6


def logit(probability: float) -> float:
    """Natural log-odds, with the probability kept off 0 and 1 (finite at the ends)."""
    p = min(max(probability, _EPSILON), 1.0 - _EPSILON)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True, slots=True)
class Band:
    """From ``distance`` (|logit(score) − logit(threshold)|) upwards, until the next band."""

    distance: float
    below: Confidence
    above: Confidence


@dataclass(frozen=True, slots=True)
class ConfidenceBands:
    """The card's bands, widest distance first; the last one starts at 0."""

    bands: tuple[Band, ...]

    @classmethod
    def from_card(cls, section: Mapping[str, Any]) -> ConfidenceBands:
        """Parse ``confidence.bands`` (raises ValueError/KeyError on a malformed card)."""
        raw: Sequence[Mapping[str, Any]] = section["bands"]
        bands = tuple(
            Band(float(b["from"]), Confidence(str(b["below"])), Confidence(str(b["above"])))
            for b in raw
        )
        edges = [b.distance for b in bands]
        if not bands or edges != sorted(edges, reverse=True) or edges[-1] != 0.0:
            raise ValueError(f"confidence bands must start at 0 and be widest first: {edges}")
        if len(set(edges)) != len(edges):
            raise ValueError(f"confidence band edges repeat: {edges}")
        return cls(bands)

    def classify(
        self, referable_probability: float, threshold: float, referable: bool
    ) -> Confidence:
        """The band of a score against the threshold in use. The side is the decision's
        (``referable``), so the words can never contradict the referral."""
        distance = abs(logit(referable_probability) - logit(threshold))
        band = next(b for b in self.bands if distance >= b.distance)
        return band.above if referable else band.below
