"""The grader card's confidence bands: how far from the referral line is clear.

    python -m training.confidence models/grader.card.json

Why these edges: the distance is d = logit(referable score) − logit(threshold), in
natural log-odds. |d| < 0.5 is a factor of under 1.65 in the odds either side of the
line (for the shipped threshold 0.473: scores from about 0.35 to 0.60): "close to the
line, borderline". |d| ≥ 2 is a factor of over 7.4 (below about 0.11, above about
0.87): "clearly". In between the plain "below" / "above". The edges are a reading
aid fixed before looking at outcomes; models/MODEL_CARD.md states them, and they are
distances on the model's own score, whose calibration the card reports (it is not
perfectly calibrated on other cameras).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

BANDS: list[dict[str, Any]] = [
    {"from": 2.0, "below": "clearly_below", "above": "clearly_above"},
    {"from": 0.5, "below": "below", "above": "above"},
    {"from": 0.0, "below": "borderline_below", "above": "borderline_above"},
]


def card_section() -> dict[str, Any]:
    """The card's ``confidence`` object (read by retiscreen.grading.confidence)."""
    return {
        "scale": "d = logit(referable score) - logit(threshold in use), natural log-odds; "
        "the band is the first whose 'from' <= |d|, its side that of the decision",
        "bands": BANDS,
        "selection": "fixed reading aid: |d| < 0.5 (odds within a factor 1.65 of the line) "
        "borderline, |d| >= 2 (a factor 7.4) clearly; not tuned on outcomes",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("card", type=Path)
    args = parser.parse_args()
    card = json.loads(args.card.read_text())
    card["confidence"] = card_section()
    args.card.write_text(json.dumps(card, indent=2) + "\n")
    print(f"{args.card}: confidence bands written")


if __name__ == "__main__":
    main()
