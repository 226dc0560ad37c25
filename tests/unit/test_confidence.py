"""Confidence in plain words: bands on the distance from the referral line (card data)."""

from __future__ import annotations

import pytest

from retiscreen.domain import Confidence
from retiscreen.grading.confidence import ConfidenceBands, logit
from training.confidence import card_section

BANDS = ConfidenceBands.from_card(card_section())
LINE = 0.4732


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.01, Confidence.CLEARLY_BELOW),
        (0.20, Confidence.BELOW),
        (0.40, Confidence.BORDERLINE_BELOW),
        (0.50, Confidence.BORDERLINE_ABOVE),
        (0.80, Confidence.ABOVE),
        (0.99, Confidence.CLEARLY_ABOVE),
    ],
)
def test_each_band_of_the_shipped_edges(score: float, expected: Confidence) -> None:
    assert BANDS.classify(score, LINE, referable=score >= LINE) is expected


def test_band_edges_are_distances_in_log_odds() -> None:
    just_clear = 1 / (1 + 2.718281828459045 ** -(logit(LINE) - 2.0001))
    just_not = 1 / (1 + 2.718281828459045 ** -(logit(LINE) - 1.9999))
    assert BANDS.classify(just_clear, LINE, False) is Confidence.CLEARLY_BELOW
    assert BANDS.classify(just_not, LINE, False) is Confidence.BELOW


def test_the_side_is_the_decisions_never_contradicting_it() -> None:
    # a score exactly on the line is referred (>=): its words say "above"
    assert BANDS.classify(LINE, LINE, referable=True) is Confidence.BORDERLINE_ABOVE


def test_extreme_scores_stay_finite() -> None:
    assert BANDS.classify(0.0, LINE, False) is Confidence.CLEARLY_BELOW
    assert BANDS.classify(1.0, LINE, True) is Confidence.CLEARLY_ABOVE


@pytest.mark.parametrize(
    "bands",
    [
        [{"from": 0.5, "below": "below", "above": "above"}],  # does not start at 0
        [  # narrowest first
            {"from": 0.0, "below": "borderline_below", "above": "borderline_above"},
            {"from": 2.0, "below": "clearly_below", "above": "clearly_above"},
        ],
        [{"from": 0.0, "below": "somewhat_below", "above": "above"}],  # unknown key
    ],
)
def test_malformed_bands_are_refused(bands: list[dict[str, object]]) -> None:
    with pytest.raises(ValueError):
        ConfidenceBands.from_card({"bands": bands})
