"""Distribution of the quality measures per labelled group, to set QualityThresholds.

    python bench/quality_calibration.py --data ../shared/datasets --per-group 150

Prints percentiles of each measure for gradable and ungradable photographs of each set,
and for synthetic failures (blur, dark, overexposed, cut off) made from gradable ones.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

import cv2
import numpy as np

from retiscreen.imaging.fundus import locate_field
from retiscreen.imaging.load import ImageError, load_fundus
from retiscreen.imaging.quality import QualityThresholds, heuristic_reasons, measure

KEYS = [
    "brightness",
    "saturated_fraction",
    "contrast",
    "sharpness",
    "visible_fraction",
    "centre_offset",
    "circularity",
    "rim_fraction",
    "red_dominance",
]


def synthetic(rgb: np.ndarray, kind: str) -> np.ndarray:
    h, w = rgb.shape[:2]
    if kind == "blur":
        return cv2.GaussianBlur(rgb, (0, 0), 0.012 * max(h, w))
    if kind == "dark":
        return (rgb * 0.15).astype(np.uint8)
    if kind == "bright":
        return np.clip(rgb.astype(np.float32) * 3 + 40, 0, 255).astype(np.uint8)
    shifted = np.zeros_like(rgb)
    dx = int(0.45 * w)
    shifted[:, dx:] = rgb[:, : w - dx]
    return shifted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--per-group", type=int, default=150)
    args = parser.parse_args()
    groups: dict[str, list[str]] = {}
    for name, column, good in [
        ("eyepacs-natural", "eyeq_quality", {"good", "usable"}),
        ("drimdb", "quality", {"good"}),
        ("idrid", "dr_grade", None),
        ("aptos2019", "dr_grade", None),
    ]:
        with (args.data / name / "labels.csv").open() as handle:
            for row in csv.DictReader(handle):
                value = row[column].strip()
                if not value:
                    continue
                label = "gradable" if good is None or value in good else f"ungradable:{value}"
                groups.setdefault(f"{name}/{label}", []).append(
                    str(args.data / name / row["image"])
                )
    rng = random.Random(0)
    thresholds = QualityThresholds()
    results: dict[str, list[dict[str, float]]] = {}
    verdicts: dict[str, list[bool]] = {}
    for group, paths in sorted(groups.items()):
        for path in rng.sample(paths, min(args.per_group, len(paths))):
            try:
                rgb = load_fundus(path).pixels
            except ImageError:
                continue
            variants = {group: rgb}
            if group.endswith("/gradable") and rng.random() < 0.4:
                kind = rng.choice(["blur", "dark", "bright", "cut"])
                variants[f"synthetic:{kind}"] = synthetic(rgb, kind)
            for name, image in variants.items():
                field = locate_field(image)
                if field is None:
                    verdicts.setdefault(name, []).append(False)
                    continue
                m = measure(image, field)
                results.setdefault(name, []).append(m)
                verdicts.setdefault(name, []).append(not heuristic_reasons(m, thresholds))
    for name in sorted(verdicts):
        rows = results.get(name, [])
        passed = np.mean(verdicts[name])
        print(f"\n{name}: n={len(verdicts[name])} passed heuristics {passed:.0%}")
        for key in KEYS:
            values = np.array([r[key] for r in rows]) if rows else np.array([np.nan])
            p = np.percentile(values, [1, 5, 50, 95, 99])
            print(f"  {key:20s} " + " ".join(f"{v:8.3f}" for v in p))


if __name__ == "__main__":
    main()
