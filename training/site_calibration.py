"""How many of its own labelled eyes a site needs to set its operating threshold.

The cameras' scores sit on different scales (``training/EXPERIMENTS.md``), so one shipped
threshold cannot serve every camera; ``retiscreen validate --threshold-for-sensitivity``
lets a site set its own from its labelled photographs. This simulates that on the
held-out scores of a leave-one-source-out run, each source standing for a new camera:
draw ``n`` referable eyes, set the threshold on them, and measure sensitivity and
specificity on every other eye of the source. Two rules are compared: the point estimate
(the highest threshold whose sensitivity on the drawn eyes reaches the target) and the
confident one (the lower end of the 95% Wilson interval reaches it), which the validation
report recommends.

    python -m training.site_calibration --run training/runs/R2
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import numpy.typing as npt

from retiscreen.metrics import confident_threshold_for_sensitivity, threshold_for_sensitivity
from training.evaluate import NOT_A_CAMERA

SOURCES = ("eyepacs", "idrid", "rahim", "aptos")


def held_out_scores(
    run: Path, source: str
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """Referable labels and scores of one held-out source (camera copies only)."""
    rows = json.loads((run / f"holdout-{source}" / "holdout-scores-best.json").read_text())
    rows = [r for r in rows if r["dataset"] not in NOT_A_CAMERA]
    labels = np.array([r["grade"] >= 2 for r in rows])
    return labels, np.array([r["referable_score"] for r in rows], dtype=np.float64)


def simulate(
    labels: npt.NDArray[np.bool_],
    scores: npt.NDArray[np.float64],
    n_referable: int,
    target: float,
    draws: int,
    rng: np.random.Generator,
) -> dict[str, dict[str, float]]:
    """Per rule: 5th percentile and median of the true sensitivity on the other eyes,
    the share of draws below 0.85, the median specificity, and how often the rule gave
    no threshold."""
    positives = np.flatnonzero(labels)
    found: dict[str, list[tuple[float, float]]] = {"point": [], "confident": []}
    missing = {"point": 0, "confident": 0}
    for _ in range(draws):
        drawn = rng.choice(positives, n_referable, replace=False)
        rest = np.ones(len(labels), dtype=bool)
        rest[drawn] = False
        ones = np.ones(n_referable, dtype=bool)
        thresholds = {
            "point": threshold_for_sensitivity(ones, scores[drawn], target),
            "confident": confident_threshold_for_sensitivity(ones, scores[drawn], target),
        }
        for rule, threshold in thresholds.items():
            if threshold is None:
                missing[rule] += 1
                continue
            sensitivity = float(np.mean(scores[rest & labels] >= threshold))
            specificity = float(np.mean(scores[rest & ~labels] < threshold))
            found[rule].append((sensitivity, specificity))
    summary = {}
    for rule, pairs in found.items():
        values = np.array(pairs).reshape(-1, 2)
        summary[rule] = {
            "no_threshold": missing[rule] / draws,
            **(
                {
                    "sensitivity_p5": float(np.percentile(values[:, 0], 5)),
                    "sensitivity_median": float(np.median(values[:, 0])),
                    "below_085": float(np.mean(values[:, 0] < 0.85)),
                    "specificity_median": float(np.median(values[:, 1])),
                }
                if len(values)
                else {}
            ),
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", type=Path, default=Path("training/runs/R2"))
    parser.add_argument("--target", type=float, default=0.90)
    parser.add_argument("--draws", type=int, default=400)
    parser.add_argument("--referable", type=int, nargs="+", default=[20, 40, 60, 100])
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    results = {}
    for source in SOURCES:
        labels, scores = held_out_scores(args.run, source)
        results[source] = {
            str(n): simulate(labels, scores, n, args.target, args.draws, rng)
            for n in args.referable
            if n < labels.sum()
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
