"""What a faster grader would cost (#15 item 5): speed against held-out accuracy.

The shipped grader is float32 and grades each photograph twice, as it is and mirrored
(flip test-time augmentation, inside the graph). On a CPU without AVX-512 (session 11:
62 ms for the grader alone) quality check + grading miss the 60 ms per eye budget. Two
ways to buy speed without training, both made here from the shipped graph:

- ``int8``: static quantisation (onnxruntime, QDQ, per-channel weights, convolutions
  only, so the heatmap and macular-oedema heads stay float), calibrated on photographs
  of the training sources;
- ``no flip``: the same network on the photograph alone (the mirror dropped by graph
  surgery; probabilities only: no heatmap or oedema output, about 1.5 ms of the cost).

Each is measured against the shipped grader on sources it never trained on (rahim-dr,
eyepacs-hires without its photographs also held elsewhere): latency per eye, interleaved,
one and two eyes per call; AUC, sensitivity and specificity at the card threshold; how
many eyes change side of the threshold. Nothing here is shipped: either would be a new
model with its own card, figures and signature. Needs ../shared/datasets.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import (
    CalibrationDataReader,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

from retiscreen.errors import ImageError
from retiscreen.grading.model import _make_session
from retiscreen.imaging.preprocess import model_input
from retiscreen.metrics import roc_auc
from retiscreen.pipeline import Pipeline
from training.data import Sample, build_manifest

REPO = Path(__file__).resolve().parents[1]


def rows(samples: list[Sample], dataset: str) -> list[tuple[Path, int]]:
    """(photograph, DR grade) of one shared set, in its labels' order (training.data
    reads the labels, and leaves out eyepacs-hires photographs another set holds)."""
    return [
        (Path(s.path), s.dr_grade)
        for s in samples
        if s.dataset == dataset and s.dr_grade is not None
    ]


def inputs(pipeline: Pipeline, rows: list[tuple[Path, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Model inputs of the photographs the kiosk would grade (quality gate passed), as the
    kiosk makes them, and their grades."""
    assert pipeline.grader is not None
    spec = pipeline.grader.model.card.spec
    tensors, grades = [], []
    for path, grade in rows:
        try:
            checked = pipeline.check(path)
        except ImageError:
            continue
        if checked.quality.gradable and checked.field is not None:
            tensors.append(model_input(checked.image.pixels, checked.field, spec))
            grades.append(grade)
    return np.stack(tensors).astype(np.float32), np.array(grades)


class Calibration(CalibrationDataReader):  # type: ignore[misc]
    def __init__(self, name: str, tensors: np.ndarray) -> None:
        self._batches: Iterator[dict[str, np.ndarray]] = iter(
            {name: tensors[i : i + 1]} for i in range(len(tensors))
        )

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._batches, None)


def without_flip(model: onnx.ModelProto) -> onnx.ModelProto:
    """The shipped graph with its mirror pass cut out: the network sees the photograph
    alone and ``probabilities`` is its softmax. Only what that output needs is kept."""
    graph = model.graph
    concat = next(n for n in graph.node if n.op_type == "Concat" and "image" in n.input)
    for node in graph.node:
        node.input[:] = ["image" if name == concat.output[0] else name for name in node.input]
    producer = {out: node for node in graph.node for out in node.output}
    mean = producer["probabilities"]  # Div(Add(Slice(softmax), Slice(softmax)), 2)
    softmax = producer[producer[mean.input[0]].input[0]].input[0]
    mean.output[0] = "probabilities_of_both_views"
    graph.node.append(onnx.helper.make_node("Identity", [softmax], ["probabilities"]))
    kept_outputs = [o for o in graph.output if o.name == "probabilities"]
    del graph.output[:]
    graph.output.extend(kept_outputs)
    producer = {out: node for node in graph.node for out in node.output}
    needed, todo = set(), ["probabilities"]
    while todo:
        node = producer.get(todo.pop())
        if node is not None and id(node) not in needed:
            needed.add(id(node))
            todo.extend(node.input)
    kept = [node for node in graph.node if id(node) in needed]
    del graph.node[:]
    graph.node.extend(kept)
    used = {name for node in kept for name in node.input}
    initialisers = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(initialisers)
    onnx.checker.check_model(model)
    return model


def check_same_network(
    shipped: ort.InferenceSession, no_flip: ort.InferenceSession, tensors: np.ndarray
) -> None:
    """The surgery kept the network and cut the mirror: no flip's mean over a photograph
    and its mirror is the shipped output, and the two views alone differ."""
    mirrored = np.ascontiguousarray(tensors[..., ::-1])
    both = no_flip.run(["probabilities"], {"image": np.concatenate([tensors, mirrored])})[0]
    mean = (both[: len(tensors)] + both[len(tensors) :]) / 2
    expected = shipped.run(["probabilities"], {"image": tensors})[0]
    assert np.allclose(mean, expected, atol=1e-5), np.abs(mean - expected).max()
    assert not np.allclose(both[: len(tensors)], both[len(tensors) :], atol=1e-4)


def session(path: Path) -> ort.InferenceSession:
    """As the kiosk makes it, on the CPU."""
    return _make_session(path.read_bytes(), prefer_gpu=False)


def referable(sess: ort.InferenceSession, tensors: np.ndarray) -> np.ndarray:
    name = sess.get_inputs()[0].name
    out = [
        sess.run(["probabilities"], {name: tensors[i : i + 8]})[0]
        for i in range(0, len(tensors), 8)
    ]
    scores: np.ndarray = np.concatenate(out)[:, 2:].sum(axis=1)
    return scores


def latency_ms(
    sessions: dict[str, ort.InferenceSession], batch: np.ndarray, repeats: int
) -> dict[str, float]:
    """p50 per eye, the sessions interleaved so that a busy machine costs both alike."""
    times: dict[str, list[float]] = {key: [] for key in sessions}
    for sess in sessions.values():  # warm up
        sess.run(None, {sess.get_inputs()[0].name: batch})
    for _ in range(repeats):
        for key, sess in sessions.items():
            start = time.perf_counter()
            sess.run(None, {sess.get_inputs()[0].name: batch})
            times[key].append((time.perf_counter() - start) * 1000 / len(batch))
    return {key: round(statistics.median(values), 1) for key, values in times.items()}


def at_threshold(grades: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, float]:
    positive, called = grades >= 2, scores >= threshold
    return {
        "auc": round(roc_auc(positive, scores), 4),
        "sensitivity": round(float(called[positive].mean()), 4),
        "specificity": round(float((~called[~positive]).mean()), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets")
    parser.add_argument("--models", type=Path, default=REPO / "models")
    parser.add_argument("--calibration", type=int, default=200, help="photographs")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "grader_variants.json"
    )
    args = parser.parse_args()

    pipeline = Pipeline.from_models_dir(args.models, prefer_gpu=False)
    assert pipeline.grader is not None, "no grader in " + str(args.models)
    threshold = pipeline.grader.model.card.threshold
    rng = np.random.default_rng(2026)
    samples = build_manifest(args.data)
    training = rows(samples, "aptos2019") + rows(samples, "eyepacs-natural")
    picked = [training[i] for i in rng.choice(len(training), args.calibration, replace=False)]
    calibration, _ = inputs(pipeline, picked)
    held_out = {
        name: inputs(pipeline, rows(samples, name)) for name in ("rahim-dr", "eyepacs-hires")
    }

    shipped = args.models / "grader.onnx"
    with tempfile.TemporaryDirectory() as work:
        prepared, int8 = Path(work) / "prepared.onnx", Path(work) / "grader.int8.onnx"
        no_flip = Path(work) / "grader.no-flip.onnx"
        onnx.save(without_flip(onnx.load(str(shipped))), str(no_flip))
        quant_pre_process(str(shipped), str(prepared))
        quantize_static(
            str(prepared),
            str(int8),
            Calibration("image", calibration),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["Conv"],
        )
        paths = {"float32": shipped, "int8": int8, "no flip": no_flip}
        sessions = {key: session(path) for key, path in paths.items()}
        probe = held_out["rahim-dr"][0]
        check_same_network(sessions["float32"], sessions["no flip"], probe[:4])
        result: dict[str, Any] = {
            "threshold": threshold,
            "calibration_photographs": len(calibration),
            "bytes": {key: path.stat().st_size for key, path in paths.items()},
            "latency_ms_per_eye": {
                "one eye": latency_ms(sessions, probe[:1], args.repeats),
                "two eyes": latency_ms(sessions, probe[:2], args.repeats),
            },
            "sources": {},
        }
        for name, (tensors, grades) in held_out.items():
            scores = {key: referable(sess, tensors) for key, sess in sessions.items()}
            shipped_calls = scores["float32"] >= threshold
            result["sources"][name] = {
                "eyes": len(grades),
                "referable": int((grades >= 2).sum()),
                **{key: at_threshold(grades, s, threshold) for key, s in scores.items()},
                "changed_side": {
                    key: int(((s >= threshold) != shipped_calls).sum())
                    for key, s in scores.items()
                    if key != "float32"
                },
            }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
