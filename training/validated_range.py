"""The range of site thresholds a grader's card declares as validated.

    python -m training.validated_range --models models

A site may replace the card's operating point with one calibrated on its own patients
(``retiscreen validate``), but only inside this range: the thresholds at which the
grader, scored through the kiosk path on IDRiD's test split (never trained on), still
meets the issue's targets (sensitivity >= 0.85 and specificity >= 0.75). Outside it the
model was never shown to work, so ``[models] referable_threshold`` there is refused at
start. The range is written into ``operating_point.validated_range`` of the card, which
must then be signed again (``scripts/sign_models.py``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from retiscreen.grading.model import OnnxModel
from retiscreen.metrics import sensitivity_specificity
from training.data import build_manifest
from training.export import kiosk_inputs

MIN_SENSITIVITY = 0.85
MIN_SPECIFICITY = 0.75


def validated_range(labels: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """(low, high): the widest threshold interval around which both targets hold.

    ``low`` is just below the smallest score threshold keeping specificity >= target,
    ``high`` just above the largest keeping sensitivity >= target; both are exclusive."""
    candidates = np.unique(scores)
    ok = []
    for t in candidates:
        at = sensitivity_specificity(labels, scores >= t)
        if at["sensitivity"] >= MIN_SENSITIVITY and at["specificity"] >= MIN_SPECIFICITY:
            ok.append(float(t))
    if not ok:
        raise SystemExit("no threshold meets both targets: the model cannot be validated")
    below = candidates[candidates < ok[0]]
    above = candidates[candidates > ok[-1]]
    low = float((below[-1] + ok[0]) / 2) if below.size else 0.0
    high = float((ok[-1] + above[0]) / 2) if above.size else 1.0
    return low, high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    args = parser.parse_args()
    card_path = args.models / "grader.card.json"
    model = OnnxModel(card_path, None, prefer_gpu=False)  # re-signed after this edit
    test = [
        s
        for s in build_manifest(args.data)
        if s.dataset == "idrid" and s.split == "test" and s.dr_grade is not None
    ]
    kept, p = kiosk_inputs(model, test)
    labels = np.array([s.dr_grade >= 2 for s in kept])  # type: ignore[operator]
    low, high = validated_range(labels, p[:, 2:].sum(1))
    card = json.loads(card_path.read_text())
    threshold = card["operating_point"]["threshold"]
    if not low < threshold < high:
        raise SystemExit(f"the card's threshold {threshold} lies outside ({low}, {high})")
    card["operating_point"]["validated_range"] = [low, high]
    card["operating_point"]["validated_range_selection"] = (
        f"thresholds at which IDRiD test ({len(kept)} photographs, never trained on, scored "
        f"through the kiosk path) keeps sensitivity >= {MIN_SENSITIVITY} and specificity >= "
        f"{MIN_SPECIFICITY} (training.validated_range); a site threshold outside is refused"
    )
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    print(json.dumps({"n": len(kept), "validated_range": [low, high], "threshold": threshold}))


if __name__ == "__main__":
    main()
