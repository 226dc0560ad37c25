"""Extra cost of the grader's heatmap output (``referable_cam``), per eye (never a test).

    python -m bench.cam_cost [--repeats 40] [--out bench/results/cam_cost.json]

The shipped grader with its map, against the same graph before surgery
(``training.add_cam.strip_cam``: byte for byte the exported grader), on prepared inputs
of the bundled CC0 demo photograph, batch 1 (one eye) and 2 (a patient's two eyes, the
kiosk's one call). The two sessions run interleaved, so load from other processes on a
shared machine falls on both; the figure is the median of the paired differences.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from retiscreen.grading.model import read_card
from retiscreen.imaging.fundus import locate_field
from retiscreen.imaging.load import load_fundus
from retiscreen.imaging.preprocess import model_input
from retiscreen.settings import bundled_dir
from training.add_cam import CAM_OUTPUT, strip_cam


def session(model: onnx.ModelProto) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    models = bundled_dir("models")
    card = read_card(models / "grader.card.json")
    shipped = onnx.load(str(models / "grader.onnx"))
    with_cam, without = session(shipped), session(strip_cam(shipped))
    image = load_fundus(bundled_dir("assets") / "demo" / "retina_cc0.jpg")
    field = locate_field(image.pixels)
    assert field is not None
    x = model_input(image.pixels, field, card.spec)
    result: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "onnxruntime": ort.__version__,
        "repeats": args.repeats,
    }
    for batch in (1, 2):
        inputs = {"image": np.stack([x] * batch)}
        for _ in range(3):  # warm both
            with_cam.run(["probabilities", CAM_OUTPUT], inputs)
            without.run(["probabilities"], inputs)
        plain, mapped, extra = [], [], []
        for i in range(args.repeats):
            order = (0, 1) if i % 2 == 0 else (1, 0)  # alternate who goes first
            times = [0.0, 0.0]
            for which in order:
                start = time.perf_counter()
                if which == 0:
                    without.run(["probabilities"], inputs)
                else:
                    with_cam.run(["probabilities", CAM_OUTPUT], inputs)
                times[which] = (time.perf_counter() - start) * 1000
            plain.append(times[0])
            mapped.append(times[1])
            extra.append((times[1] - times[0]) / batch)
        result[f"batch_{batch}"] = {
            "without_map_ms_p50": round(statistics.median(plain), 2),
            "with_map_ms_p50": round(statistics.median(mapped), 2),
            "extra_ms_per_eye_p50": round(statistics.median(extra), 2),
            "extra_ms_per_eye_mean": round(statistics.fmean(extra), 2),
        }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
