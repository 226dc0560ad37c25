"""The quality gate: is this a gradable fundus photograph, and if not, why not?

Two layers. Hand-made OpenCV measures give the operator a concrete reason (too dark,
blurred, cut off ...) and catch frames no network was trained on. The learned
gradability model (``models/quality.onnx``), when present, catches what the measures
miss (haze, eyelashes, uneven illumination). An image is gradable only when both agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from retiscreen.domain import FundusField, FundusImage, QualityReason, QualityReport
from retiscreen.imaging.fundus import crop_to_field, locate_field
from retiscreen.imaging.pixels import RGBImage

MEASURE_SIDE = 512


@dataclass(frozen=True, slots=True)
class QualityThresholds:
    """Limits for the measures; calibrated on EyePACS/EyeQ, DRIMDB and IDRiD photographs
    (see bench/quality_calibration.py), deliberately loose: the learned model is the fine
    filter, the measures name the reason."""

    min_brightness: float = 25.0
    """Mean luma inside the field (0-255)."""
    max_brightness: float = 195.0
    max_saturated_fraction: float = 0.08
    min_sharpness: float = 0.012
    """Vessel-scale detail relative to brightness (see ``_sharpness``)."""
    min_contrast: float = 0.05
    min_visible_fraction: float = 0.5
    max_centre_offset: float = 0.3
    """Field centre's distance from the frame centre, in field radii."""
    min_circularity: float = 0.80
    min_rim_fraction: float = 0.02
    """A fundus camera always leaves a dark surround; a frame lit edge to edge is not one."""
    min_red_dominance: float = 1.1
    """Mean red over mean blue inside the field: fundus photographs are red-orange."""
    model_min_probability: float = 0.5
    max_flat_fill: float = 0.23
    max_hard_detail: float = 9.5
    """Both exceeded: one flat fill colour with hard-edged detail on it, a drawing."""
    min_jpeg_quality: float = 50.0
    """Below this JPEG quality fine lesions are compressed away (the shared training and
    validation sets were saved at 80-95; a fundus camera saves at 85 or more)."""
    min_field_diameter: float = 160.0
    """Pixels across the retina in the original file. Measured (bench/README.md): the
    shipped grader keeps its AUC down to 160 px across, and loses sensitivity at 128."""


def measure(rgb: RGBImage, field: FundusField) -> dict[str, float]:
    """Raw, threshold-free numbers about the photograph, kept in the record for audit."""
    square = crop_to_field(rgb, field, MEASURE_SIDE)
    mask = np.zeros((MEASURE_SIDE, MEASURE_SIDE), np.uint8)
    cv2.circle(mask, (MEASURE_SIDE // 2, MEASURE_SIDE // 2), int(MEASURE_SIDE * 0.45), 255, -1)
    lit = square.max(axis=2) > 8
    inside = (mask > 0) & lit
    if np.count_nonzero(inside) < 100:
        inside = mask > 0
    luma = cv2.cvtColor(square, cv2.COLOR_RGB2GRAY).astype(np.float32)
    values = luma[inside]
    brightness = float(values.mean())
    red, green, blue = (float(square[..., c][inside].mean()) for c in range(3))
    height, width = rgb.shape[:2]
    offset = np.hypot(field.center_x - width / 2, field.center_y - height / 2) / field.radius
    return {
        "brightness": brightness,
        "saturated_fraction": float(np.count_nonzero(values >= 245) / values.size),
        "contrast": float(np.percentile(values, 95) - np.percentile(values, 5)) / 255.0,
        "sharpness": _sharpness(square[..., 1].astype(np.float32), inside, brightness),
        "visible_fraction": field.visible_fraction,
        "centre_offset": float(offset),
        "circularity": field.circularity,
        "area_fraction": field.area_fraction,
        "rim_fraction": field.rim_fraction,
        "red_dominance": (red + 1.0) / (blue + 1.0),
        "green_mean": green,
        **drawing_measures(square),
    }


DRAWING_SIDE = 256


def drawing_measures(field_square: RGBImage) -> dict[str, float]:
    """Two numbers that together tell a drawing from a photograph of a retina, measured
    on ``field_square`` (the field cropped to a square, as ``measure`` makes it).

    ``flat_fill``: the share of the field in its single most common colour once a
    median filter has removed noise and thin lines. A photographed retina shades from
    the optic disc to the macula and towards the rim (a few % to 40% in one colour); a
    drawn one is one fill colour (30-90%). ``hard_detail``: the green channel's
    high-pass energy (grey levels). A photograph with large even areas is a soft one; a
    drawing has hard-edged lines or added noise on its flat fill. Measured on 6,500
    gradable photographs of the shared sets and the drawn cartoons of
    ``tests/support/non_retinal.py`` (bench/README.md).
    """
    square = cv2.resize(field_square, (DRAWING_SIDE, DRAWING_SIDE), interpolation=cv2.INTER_AREA)
    mask = np.zeros((DRAWING_SIDE, DRAWING_SIDE), np.uint8)
    cv2.circle(mask, (DRAWING_SIDE // 2,) * 2, int(DRAWING_SIDE * 0.40), 255, -1)
    inside = (mask > 0) & (square.max(axis=2) > 12)  # the lit retina, not the frame's edge
    if np.count_nonzero(inside) < 100:
        return {"flat_fill": 0.0, "hard_detail": 0.0}
    quantised = (cv2.medianBlur(square, 15)[inside] // 12).astype(np.int32)  # 0..21
    colours = (quantised[:, 0] * 22 + quantised[:, 1]) * 22 + quantised[:, 2]
    counts = np.bincount(colours, minlength=22**3)
    green = square[..., 1].astype(np.float32)
    detail = green - cv2.GaussianBlur(green, (0, 0), 6.0)
    return {
        "flat_fill": float(counts.max() / colours.size),
        "hard_detail": float(detail[inside].std()),
    }


def _sharpness(green: np.ndarray, inside: np.ndarray, brightness: float) -> float:
    """Band-pass energy at vessel scale divided by brightness.

    A difference of Gaussians keeps vessel-width structure (a few pixels at 512 px) and
    drops sensor noise and illumination gradients; dividing by brightness makes a dim
    but sharp photograph score like a bright sharp one.
    """
    fine = cv2.GaussianBlur(green, (0, 0), 1.0)
    coarse = cv2.GaussianBlur(green, (0, 0), 4.0)
    band = (fine - coarse)[cv2.erode(inside.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0]
    if band.size == 0:
        return 0.0
    return float(band.std() / max(brightness, 1.0))


def heuristic_reasons(
    measures: dict[str, float], thresholds: QualityThresholds
) -> list[QualityReason]:
    """The operator-readable reasons the measures give, most fundamental first."""
    t = thresholds
    washed_out = (
        measures["saturated_fraction"] > t.max_saturated_fraction
        or measures["brightness"] > t.max_brightness
    )
    not_round = (
        measures["circularity"] < t.min_circularity or measures["rim_fraction"] < t.min_rim_fraction
    )
    if washed_out and not_round:
        return [QualityReason.OVEREXPOSED]  # the flare swamped the field's black surround
    drawn = measures["flat_fill"] > t.max_flat_fill and measures["hard_detail"] > t.max_hard_detail
    if not_round or drawn or measures["red_dominance"] < t.min_red_dominance:
        return [QualityReason.NOT_FUNDUS]
    reasons = []
    if (
        measures["visible_fraction"] < t.min_visible_fraction
        or measures["centre_offset"] > t.max_centre_offset
    ):
        reasons.append(QualityReason.CUT_OFF)
    if measures["brightness"] < t.min_brightness:
        reasons.append(QualityReason.TOO_DARK)
    elif washed_out:
        reasons.append(QualityReason.OVEREXPOSED)
    if measures["sharpness"] < t.min_sharpness and QualityReason.TOO_DARK not in reasons:
        reasons.append(QualityReason.BLURRED)
    if measures["contrast"] < t.min_contrast and not reasons:
        reasons.append(QualityReason.LOW_CONTRAST)
    return reasons


def heuristic_score(measures: dict[str, float], thresholds: QualityThresholds) -> float:
    """0..1: how far the weakest measure is above its limit (0.5 = on the limit)."""
    t = thresholds
    margins = [
        measures["brightness"] / t.min_brightness,
        measures["sharpness"] / t.min_sharpness,
        measures["visible_fraction"] / t.min_visible_fraction,
        t.max_saturated_fraction / max(measures["saturated_fraction"], 1e-3),
    ]
    weakest = min(margins)
    return float(np.clip(weakest / (1.0 + weakest), 0.0, 1.0))


def source_reasons(
    image: FundusImage, field: FundusField, thresholds: QualityThresholds
) -> tuple[list[QualityReason], dict[str, float]]:
    """What the file itself rules out: too compressed, or too few pixels across the
    retina in the original (the decoded pixels may be a reduced copy)."""
    reasons, measures = [], {}
    if image.jpeg_quality is not None:
        measures["jpeg_quality"] = image.jpeg_quality
        if image.jpeg_quality < thresholds.min_jpeg_quality:
            reasons.append(QualityReason.LOW_JPEG_QUALITY)
    scale = image.original_size[0] / max(1, image.pixels.shape[1])
    measures["field_diameter"] = diameter = 2.0 * field.radius * scale
    if diameter < thresholds.min_field_diameter:
        reasons.append(QualityReason.SMALL_FIELD)
    return reasons, measures


def assess(
    rgb: RGBImage,
    field: FundusField | None,
    model_probability: float | None = None,
    thresholds: QualityThresholds | None = None,
    image: FundusImage | None = None,
) -> QualityReport:
    """Combine the measures with the learned model's gradable probability (if any);
    with ``image``, also what its file says (compression, original resolution)."""
    thresholds = thresholds or QualityThresholds()
    if field is None:
        return QualityReport(False, 0.0, (QualityReason.NOT_FUNDUS,), {}, model_probability)
    measures = measure(rgb, field)
    reasons = heuristic_reasons(measures, thresholds)
    if image is not None and QualityReason.NOT_FUNDUS not in reasons:
        from_file, file_measures = source_reasons(image, field, thresholds)
        measures.update(file_measures)
        reasons = [*from_file, *reasons]
    if model_probability is not None:
        measures["model_probability"] = model_probability
        if model_probability < thresholds.model_min_probability and not reasons:
            reasons = [QualityReason.MODEL_REJECTED]
        score = model_probability
    else:
        score = heuristic_score(measures, thresholds)
    if reasons:
        score = min(score, 0.49)
    return QualityReport(not reasons, float(score), tuple(reasons), measures, model_probability)


def assess_image(rgb: RGBImage, thresholds: QualityThresholds | None = None) -> QualityReport:
    """Heuristics only, locating the field first (for callers without a model)."""
    return assess(rgb, locate_field(rgb), None, thresholds)
