"""`retiscreen validate`: measure the whole system on a clinic's own labelled photographs.

It runs the SAME pipeline as the kiosk (decode, quality gate, grader, operating point)
on every image, then reports referable-DR accuracy with 95% confidence intervals, both
on the photographs the gate accepted and with ungradable ones counted as referrals
(which is what the kiosk does with them). Next to them: how many eyes of each true grade
were referred (a missed proliferative eye is the danger, not a missed grade 2 alone),
and how well the referable probability is calibrated (reliability bins, Brier score).
``--per-source COLUMN`` repeats every figure for each value of a labels column (camera,
clinic, dataset). A site can ask for the threshold that reaches a target sensitivity on
its own data and set it as its operating point.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from retiscreen.domain import EyeResult, Laterality
from retiscreen.errors import UsageError
from retiscreen.metrics import (
    auc_confidence_interval,
    confident_threshold_for_sensitivity,
    confusion_matrix,
    quadratic_kappa,
    referable_eyes_needed,
    roc_auc,
    roc_curve,
    sensitivity_specificity,
    threshold_for_sensitivity,
)
from retiscreen.pipeline import Pipeline
from retiscreen.store.files import atomic_write

BATCH = 16
PLOT_MARGIN = 60
"""Pixels around the 0-1 square of the ROC and calibration pictures."""

Progress = Callable[[Sequence[Any], str], Iterable[Any]]


class ValidationError(UsageError):
    """The labels file or image folder cannot be used; says which row and why."""


@dataclass(frozen=True)
class Case:
    image: str
    dr_grade: int
    gradable: bool | None
    group: str = ""
    """The value of the ``--per-source`` column, if one was asked for."""


@dataclass(frozen=True)
class Prediction:
    image: str
    dr_grade: int
    gradable_label: bool | None
    readable: bool
    gradable: bool
    quality_reasons: str
    icdr_grade: int | None
    referable_probability: float | None
    referable: bool | None
    error: str
    group: str = ""


def read_labels(path: Path, group_column: str | None = None) -> list[Case]:
    """Parse the labels CSV strictly: a typo must not silently drop patients."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = set(reader.fieldnames or [])
            if not {"image", "dr_grade"} <= columns:
                raise ValidationError(
                    f"{path.name} needs columns 'image' and 'dr_grade' (found: {sorted(columns)})"
                )
            if group_column and group_column not in columns:
                raise ValidationError(
                    f"{path.name} has no column {group_column!r} to split by "
                    f"(found: {sorted(columns)})"
                )
            cases = []
            for line, row in enumerate(reader, start=2):
                try:
                    grade = int(float(row["dr_grade"]))
                    if not 0 <= grade <= 4:
                        raise ValueError
                except (TypeError, ValueError):
                    raise ValidationError(
                        f"{path.name} line {line}: dr_grade {row['dr_grade']!r} is not 0-4"
                    ) from None
                gradable_text = (row.get("gradable") or "").strip()
                if gradable_text not in {"", "0", "1"}:
                    raise ValidationError(
                        f"{path.name} line {line}: gradable must be 0, 1 or empty"
                    )
                group = (row.get(group_column) or "").strip() if group_column else ""
                if group_column and not group:
                    raise ValidationError(f"{path.name} line {line}: {group_column} is empty")
                gradable = None if not gradable_text else gradable_text == "1"
                cases.append(Case(row["image"], grade, gradable, group))
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc}") from None
    if not cases:
        raise ValidationError(f"{path.name} lists no images")
    return cases


def predict(
    pipeline: Pipeline, images: Path, cases: list[Case], progress: Progress | None
) -> list[Prediction]:
    chunks = [cases[i : i + BATCH] for i in range(0, len(cases), BATCH)]
    iterator: Iterable[Any] = progress(chunks, "validating") if progress else chunks
    predictions: list[Prediction] = []
    for chunk in iterator:
        eyes = pipeline.assess_eyes([(Laterality.RIGHT, images / c.image) for c in chunk])
        predictions.extend(_prediction(c, e) for c, e in zip(chunk, eyes, strict=True))
    return predictions


def _prediction(case: Case, eye: EyeResult) -> Prediction:
    quality, grade = eye.quality, eye.grade
    return Prediction(
        image=case.image,
        dr_grade=case.dr_grade,
        gradable_label=case.gradable,
        readable=eye.image is not None,
        gradable=grade is not None,
        quality_reasons=";".join(r.value for r in quality.reasons) if quality else "unreadable",
        icdr_grade=int(grade.grade) if grade else None,
        referable_probability=grade.referable_probability if grade else None,
        referable=grade.referable if grade else None,
        error=eye.error or "",
        group=case.group,
    )


def compute_metrics(
    predictions: list[Prediction],
    threshold: float,
    target_sensitivity: float | None = None,
    validated_range: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """All figures of the validation report (JSON-safe); ``validated_range`` is the model
    card's range of site thresholds the kiosk accepts."""
    graded = [p for p in predictions if p.gradable]
    truth = np.array([p.dr_grade for p in graded], dtype=np.int64)
    scores = np.array([p.referable_probability for p in graded], dtype=np.float64)
    labels = truth >= 2
    metrics: dict[str, Any] = {
        "n": len(predictions),
        "n_unreadable": sum(not p.readable for p in predictions),
        "n_ungradable": sum(p.readable and not p.gradable for p in predictions),
        "n_graded": len(graded),
        "n_referable_truth": int(sum(p.dr_grade >= 2 for p in predictions)),
        "threshold": threshold,
    }
    if graded:
        predicted_grades = np.array([p.icdr_grade for p in graded], dtype=np.int64)
        metrics["auc_referable"] = roc_auc(labels, scores)
        metrics["auc_referable_ci95"] = list(auc_confidence_interval(labels, scores))
        metrics["at_operating_point"] = sensitivity_specificity(labels, scores >= threshold)
        metrics["sensitivity"] = metrics["at_operating_point"]["sensitivity"]
        metrics["specificity"] = metrics["at_operating_point"]["specificity"]
        metrics["quadratic_kappa"] = quadratic_kappa(truth, predicted_grades)
        metrics["accuracy"] = float(np.mean(truth == predicted_grades))
        metrics["confusion_matrix"] = confusion_matrix(truth, predicted_grades)
    all_truth = np.array([p.dr_grade >= 2 for p in predictions])
    refer_all = np.array([not p.gradable or bool(p.referable) for p in predictions])
    metrics["ungradable_counted_as_refer"] = sensitivity_specificity(all_truth, refer_all)
    metrics["referred_by_true_grade"] = referred_by_true_grade(predictions)
    if graded:
        metrics["calibration"] = calibration(labels, scores)
    metrics["failures_by_reason"] = dict(
        Counter(
            reason for p in predictions if not p.gradable for reason in p.quality_reasons.split(";")
        )
    )
    labelled = [p for p in predictions if p.gradable_label is not None]
    if labelled:
        metrics["quality_gate"] = {
            "n_labelled": len(labelled),
            "ungradable_caught": sensitivity_specificity(
                [not p.gradable_label for p in labelled], [not p.gradable for p in labelled]
            ),
        }
    if target_sensitivity is not None and graded and labels.any():
        site_threshold = threshold_for_sensitivity(labels, scores, target_sensitivity)
        metrics["threshold_for_sensitivity"] = {
            "target": target_sensitivity,
            "threshold": site_threshold,
            **sensitivity_specificity(labels, scores >= site_threshold),
            "confident": _confident_site_threshold(
                labels, scores, target_sensitivity, validated_range
            ),
        }
    return metrics


def _confident_site_threshold(
    labels: npt.NDArray[np.bool_],
    scores: npt.NDArray[np.float64],
    target: float,
    validated_range: tuple[float, float] | None,
) -> dict[str, Any]:
    """The site threshold to put in ``[models] referable_threshold``: the highest at which
    these eyes show the target sensitivity with 95% confidence, or, with too few
    referable eyes for that, how many are needed (``threshold`` None). Whether the kiosk
    would accept it (``check_site_threshold``: strictly inside the card's validated
    range) is said beside it, so nobody copies a threshold the kiosk then refuses."""
    threshold = confident_threshold_for_sensitivity(labels, scores, target)
    found = {
        "referable_eyes": int(labels.sum()),
        "referable_eyes_needed": referable_eyes_needed(target),
        "validated_range": list(validated_range) if validated_range else None,
    }
    if threshold is None:
        return {"threshold": None, "accepted": False, **found}
    accepted = validated_range is not None and validated_range[0] < threshold < validated_range[1]
    return {
        "threshold": threshold,
        "accepted": accepted,
        **found,
        **sensitivity_specificity(labels, scores >= threshold),
    }


def referred_by_true_grade(predictions: list[Prediction]) -> dict[str, dict[str, Any]]:
    """Per true ICDR grade: how many eyes, how many the kiosk would refer (graded
    referable, or ungradable: the kiosk sends those for an examination), and how many of
    those were referred only because they were ungradable."""
    table: dict[str, dict[str, Any]] = {}
    for grade in range(5):
        eyes = [p for p in predictions if p.dr_grade == grade]
        by_grader = sum(bool(p.gradable and p.referable) for p in eyes)
        ungradable = sum(not p.gradable for p in eyes)
        referred = by_grader + ungradable
        table[str(grade)] = {
            "n": len(eyes),
            "referred": referred,
            "referred_by_grader": by_grader,
            "ungradable": ungradable,
            "referred_fraction": referred / len(eyes) if eyes else None,
        }
    return table


CALIBRATION_BINS = 10


def calibration(labels: np.ndarray, scores: np.ndarray) -> dict[str, Any]:
    """Reliability of the referable probability: per tenth of the score, the share of
    eyes truly referable; the Brier score and the expected calibration error."""
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    which = np.clip(np.digitize(scores, edges[1:-1]), 0, CALIBRATION_BINS - 1)
    bins = []
    ece = 0.0
    for index in range(CALIBRATION_BINS):
        inside = which == index
        count = int(inside.sum())
        mean_score = float(scores[inside].mean()) if count else None
        observed = float(labels[inside].mean()) if count else None
        if count:
            ece += count / len(scores) * abs(float(mean_score or 0) - float(observed or 0))
        bins.append(
            {
                "from": float(edges[index]),
                "to": float(edges[index + 1]),
                "n": count,
                "mean_score": mean_score,
                "observed_referable": observed,
            }
        )
    return {
        "bins": bins,
        "brier": float(np.mean((scores - labels.astype(float)) ** 2)),
        "expected_calibration_error": ece,
    }


def draw_calibration(metrics: dict[str, Any], path: Path, size: int = 600) -> None:
    """Reliability diagram: observed share of referable eyes against the mean score per
    bin (the diagonal is perfect calibration); each dot sized by its number of eyes."""
    image, to_px = _unit_square(size, "mean P(referable) in the bin", "share truly referable")
    found = metrics.get("calibration")
    if found:
        points = [
            (b["mean_score"], b["observed_referable"], b["n"]) for b in found["bins"] if b["n"]
        ]
        total = sum(n for _, _, n in points)
        for x, y, n in points:
            radius = int(4 + 14 * (n / total) ** 0.5)
            cv2.circle(image, to_px(x, y), radius, (180, 80, 20), -1, cv2.LINE_AA)
        _text(
            image,
            f"Brier {found['brier']:.3f}   expected calibration error "
            f"{found['expected_calibration_error']:.3f}",
            (PLOT_MARGIN, 24),
        )
    else:
        _text(image, "no graded photographs", (PLOT_MARGIN, size // 2), colour=(0, 0, 200))
    _write_png(image, path, "calibration")


def _unit_square(
    size: int, x_label: str, y_label: str
) -> tuple[np.ndarray, Callable[[float, float], tuple[int, int]]]:
    """A white picture with the 0-1 square, its diagonal, ticks and axis labels, and
    the function from (x, y) in that square to pixels."""
    image = np.full((size, size, 3), 255, np.uint8)
    margin, span = PLOT_MARGIN, size - 2 * PLOT_MARGIN

    def to_px(x: float, y: float) -> tuple[int, int]:
        return int(margin + x * span), int(size - margin - y * span)

    cv2.rectangle(image, to_px(0, 0), to_px(1, 1), (0, 0, 0), 1)
    cv2.line(image, to_px(0, 0), to_px(1, 1), (190, 190, 190), 1, cv2.LINE_AA)
    for tick in np.linspace(0, 1, 6):
        _text(image, f"{tick:.1f}", (to_px(tick, 0)[0] - 12, size - margin + 20), 0.4)
        _text(image, f"{tick:.1f}", (margin - 35, to_px(0, tick)[1] + 4), 0.4)
    _text(image, x_label, (size // 2 - 4 * len(x_label), size - 15), 0.5)
    _text(image, y_label, (5, margin - 8), 0.5)
    return image, to_px


def _write_png(image: np.ndarray, path: Path, what: str) -> None:
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise ValidationError(f"could not encode the {what} picture")
    atomic_write(path, encoded.tobytes())


def _text(
    image: np.ndarray,
    text: str,
    origin: tuple[int, int],
    scale: float = 0.45,
    colour: tuple[int, int, int] = (0, 0, 0),
) -> None:
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 1, cv2.LINE_AA)


def draw_roc(predictions: list[Prediction], threshold: float, path: Path, size: int = 600) -> None:
    """A plain ROC picture (OpenCV, no plotting library), operating point marked."""
    graded = [p for p in predictions if p.gradable]
    image, to_px = _unit_square(size, "1 - specificity", "sensitivity")
    labels = [p.dr_grade >= 2 for p in graded]
    if graded and any(labels) and not all(labels):
        scores = [p.referable_probability or 0.0 for p in graded]
        fpr, tpr, _ = roc_curve(labels, scores)
        points = np.array([to_px(f, t) for f, t in zip(fpr, tpr, strict=True)], np.int32)
        cv2.polylines(image, [points.reshape(-1, 1, 2)], False, (180, 80, 20), 2, cv2.LINE_AA)
        op = sensitivity_specificity(labels, np.array(scores) >= threshold)
        centre = to_px(1 - float(op["specificity"]), float(op["sensitivity"]))
        cv2.circle(image, centre, 7, (30, 30, 200), -1, cv2.LINE_AA)
        auc = roc_auc(labels, scores)
        _text(
            image,
            f"AUC {auc:.3f}   red dot: operating point (threshold {threshold:.3f})",
            (PLOT_MARGIN, 24),
        )
    else:
        _text(
            image,
            "ROC undefined: need referable and non-referable graded images",
            (PLOT_MARGIN, size // 2),
            colour=(0, 0, 200),
        )
    _write_png(image, path, "ROC")


def run_validation(
    pipeline: Pipeline,
    images: Path,
    labels: Path,
    out: Path,
    target_sensitivity: float | None = None,
    progress: Progress | None = None,
    per_source: str | None = None,
) -> dict[str, Any]:
    """Validate and write metrics.json, predictions.csv, roc.png, calibration.png and
    validation_report.pdf; with ``per_source``, every figure also per value of that
    labels column (``metrics["per_source"]``)."""
    from retiscreen.report.validation_pdf import render_validation_report

    if pipeline.grader is None:
        raise ValidationError(f"grading unavailable: {pipeline.unavailable}")
    if not images.is_dir():
        raise ValidationError(f"{images} is not a folder")
    if target_sensitivity is not None and not 0 < target_sensitivity <= 1:
        raise ValidationError("--threshold-for-sensitivity must be between 0 and 1")
    cases = read_labels(labels, per_source)
    predictions = predict(pipeline, images, cases, progress)
    threshold = pipeline.grader.threshold
    metrics = compute_metrics(
        predictions, threshold, target_sensitivity, pipeline.grader.model.card.validated_range
    )
    if per_source:
        metrics["per_source_column"] = per_source
        metrics["per_source"] = {
            group: compute_metrics([p for p in predictions if p.group == group], threshold)
            for group in sorted({p.group for p in predictions})
        }
    model = pipeline.grader.model.identity
    metrics["model"] = {
        "name": model.name,
        "version": model.version,
        "sha256": model.sha256,
        "provider": pipeline.grader.model.provider,
    }
    metrics["images"] = str(images)
    metrics["labels"] = str(labels)
    metrics["run_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
    metrics["summary"] = {
        k: metrics.get(k)
        for k in (
            "n",
            "n_unreadable",
            "n_ungradable",
            "auc_referable",
            "auc_referable_ci95",
            "sensitivity",
            "specificity",
            "quadratic_kappa",
            "accuracy",
            "referred_by_true_grade",
        )
    }
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(
        out / "metrics.json", (json.dumps(metrics, indent=2, default=float) + "\n").encode()
    )
    _write_predictions(out / "predictions.csv", predictions)
    draw_roc(predictions, threshold, out / "roc.png")
    draw_calibration(metrics, out / "calibration.png")
    atomic_write(
        out / "validation_report.pdf",
        render_validation_report(metrics, out / "roc.png", out / "calibration.png"),
    )
    return metrics


def _write_predictions(path: Path, predictions: list[Prediction]) -> None:
    import io

    buffer = io.StringIO()
    fields = list(asdict(predictions[0]))
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    for p in predictions:
        writer.writerow(asdict(p))
    atomic_write(path, buffer.getvalue().encode())
