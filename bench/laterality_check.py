"""How often the optic-disc side check (``retiscreen.imaging.optic_disc``) is right.

    python bench/laterality_check.py [--data ../shared/datasets] [--out bench/laterality.json]

Runs on every photograph of the shared sets whose file name says which eye it is
(EyePACS ``<patient>_left|right``, rahim-dr ``PatientNNN_L|R``) and reports, per set:
how many photographs the check claims an eye for (coverage), and how many of those
claims match the file name (accuracy). A claim that contradicts the operator's eye slot
raises a confirm-or-retake question in the kiosk, so accuracy is what matters for not
pestering the nurse, coverage for catching a swap. EyePACS labels come from the
photographs' file names, a few of which are known to be swapped or inverted.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path

from retiscreen.domain import Laterality
from retiscreen.imaging.fundus import locate_field
from retiscreen.imaging.load import ImageError, load_fundus
from retiscreen.imaging.optic_disc import disc_side

SETS = {
    "eyepacs-natural": re.compile(r"_(left|right)\.", re.I),
    "eyepacs-hires": re.compile(r"_(left|right)\.", re.I),
    "rahim-dr": re.compile(r"_([LR])\.", re.I),
}
WORD = {
    "left": Laterality.LEFT,
    "right": Laterality.RIGHT,
    "l": Laterality.LEFT,
    "r": Laterality.RIGHT,
}


def check_set(folder: Path, pattern: re.Pattern[str]) -> dict[str, float | int]:
    total = claimed = right = 0
    with (folder / "labels.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            match = pattern.search(row["image"])
            if not match:
                continue
            try:
                image = load_fundus(folder / row["image"])
            except ImageError:
                continue
            field = locate_field(image.pixels)
            if field is None:
                continue
            total += 1
            looks_like = disc_side(image.pixels, field).looks_like
            if looks_like is not None:
                claimed += 1
                right += looks_like is WORD[match.group(1).lower()]
    return {
        "photographs": total,
        "claimed": claimed,
        "coverage": claimed / total if total else float("nan"),
        "correct": right,
        "accuracy": right / claimed if claimed else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results = {name: check_set(args.data / name, pattern) for name, pattern in SETS.items()}
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
