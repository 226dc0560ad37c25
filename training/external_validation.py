"""Score the shipped grader on a shared set none of its training data came from, and
write the figures into its card (``external_validation``).

    python -m training.external_validation --set rahim-dr --models models
    python scripts/sign_models.py --key ../shared/signing/release-ed25519.pem models

The same pipeline and metrics as ``retiscreen validate`` (quality gate included, at the
card's own threshold), so the card says what a clinic with that camera would see.
Only sets from a source absent from the card's ``training.data`` belong here; the
card's own figures on held-out patients of the training sources stay under ``metrics``.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from pathlib import Path

from retiscreen.pipeline import Pipeline
from retiscreen.validation import run_validation

KEPT = (
    "n", "n_ungradable", "auc_referable", "auc_referable_ci95", "at_operating_point",
    "ungradable_counted_as_refer", "referred_by_true_grade", "threshold",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--set", required=True, help="folder name under --data")
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--models", type=Path, default=Path("models"))
    args = parser.parse_args()
    card_path = args.models / "grader.card.json"
    card = json.loads(card_path.read_text())
    trained_on = " ".join(card["training"]["data"]).lower()
    if args.set.split("-")[0].lower() in trained_on:
        raise SystemExit(f"{args.set} shares a source with the grader's training data")
    folder = args.data / args.set
    pipeline = Pipeline.from_models_dir(args.models, prefer_gpu=False)
    with tempfile.TemporaryDirectory() as scratch:
        labels = Path(scratch) / "labels.csv"
        with (folder / "labels.csv").open(newline="") as source, labels.open("w") as target:
            writer = csv.writer(target)
            writer.writerow(["image", "dr_grade"])
            for row in csv.DictReader(source):
                writer.writerow([row["image"], row["dr_grade"]])
        metrics = run_validation(pipeline, folder, labels, Path(scratch) / "out")
    result = {key: metrics[key] for key in KEPT}
    result["calibration"] = {
        k: metrics["calibration"][k] for k in ("brier", "expected_calibration_error")
    }
    result["note"] = (
        f"{args.set}: a source absent from the training data, scored like `retiscreen "
        "validate` (quality gate on, card threshold); ungradable eyes count as referred"
    )
    card.setdefault("external_validation", {})[args.set] = result
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    print(json.dumps(result, indent=2, default=float))


if __name__ == "__main__":
    main()
