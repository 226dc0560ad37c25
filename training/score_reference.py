"""Put the validation set's referable-score distribution into the grader's card
(``score_reference``), for the site monitor's drift figures (PSI, KS).

    python -m training.score_reference --models models
    python scripts/sign_models.py --key ../shared/signing/release-ed25519.pem models

Why eyepacs-hires, and only its photographs no other shared set holds: they come from a
screening programme (three in four eyes without DR, as at a screening kiosk), and the
grader never trained on them. They go through the kiosk's own path (quality gate, then
the grader); the scores of the eyes it grades are cut at their deciles, so each bin
holds a tenth of the reference and a site's week is compared bin by bin.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

from retiscreen.domain import Laterality
from retiscreen.pipeline import Pipeline

SET = "eyepacs-hires"
BINS = 10


def reference_scores(pipeline: Pipeline, folder: Path) -> list[float]:
    """The referable score of every photograph of ``folder`` the kiosk would grade."""
    with (folder / "labels.csv").open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if not row["also_in"].strip()]
    scores = []
    for start in range(0, len(rows), 16):
        batch = [(Laterality(r["eye"]), folder / r["image"]) for r in rows[start : start + 16]]
        for eye in pipeline.assess_eyes(batch):
            if eye.grade is not None:
                scores.append(float(eye.grade.referable_probability))
    return scores


def score_reference(scores: list[float], source: str) -> dict[str, object]:
    """Decile bins of ``scores`` (first edge 0, last 1) and the share in each."""
    inner = np.quantile(np.asarray(scores), np.linspace(0, 1, BINS + 1)[1:-1])
    edges = [0.0, *(round(float(e), 6) for e in inner), 1.0]
    counts = np.histogram(scores, bins=edges)[0]
    return {
        "edges": edges,
        "shares": [round(float(c) / len(scores), 6) for c in counts],
        "n": len(scores),
        "source": source,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--models", type=Path, default=Path("models"))
    args = parser.parse_args()
    card_path = args.models / "grader.card.json"
    card = json.loads(card_path.read_text())
    pipeline = Pipeline.from_models_dir(args.models, prefer_gpu=False)
    scores = reference_scores(pipeline, args.data / SET)
    source = (
        f"{SET}: {len(scores)} graded photographs the grader never trained on (a "
        "screening programme's mix), through the kiosk's path; decile bins"
    )
    card["score_reference"] = score_reference(scores, source)
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    print(json.dumps(card["score_reference"], indent=2))


if __name__ == "__main__":
    main()
