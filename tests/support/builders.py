"""Shared builders for screening values: one place that knows how to make a test Screening.

Why here and not in each test file: the domain types change together (a new field on
EyeResult, a new decision kind), and one builder changed is better than four copies
drifting apart. Every builder takes keyword overrides for what a test cares about and
fills the rest with plausible values; decisions come from the real referral rules.
"""

from __future__ import annotations

import io
import math
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from PIL import Image

from retiscreen.domain import (
    Confidence,
    EyeResult,
    EyeStatus,
    FundusField,
    FundusImage,
    GradeResult,
    Heatmap,
    ICDRGrade,
    Laterality,
    MacularOedema,
    ModelIdentity,
    Patient,
    QualityReason,
    QualityReport,
    Screening,
)
from retiscreen.imaging.load import decode_fundus
from retiscreen.rules import ReferralRules

RULES = ReferralRules()
HEATMAP = Heatmap(
    tuple(tuple(float(3 * r - c) for c in range(9)) for r in range(9)),
    FundusField(128.0, 128.0, 115.0, 0.64, 1.0, 0.98, 0.9),
    display_max=10.0,
)
"""A 9×9 map, strongest in its lower-left corner, over a 256-pixel photograph's field."""
MODEL = ModelIdentity("retiscreen-grader", "1.2.0", "ab" * 32)
PATIENT = Patient("P-1001", "Ada Example", date(1961, 5, 17), "F")
WHEN = datetime(2026, 3, 4, 9, 30, 15, 123456, tzinfo=UTC)


def fundus_bytes(seed: int, side: int = 384, fmt: str = "JPEG", noisy: bool = False) -> bytes:
    """A synthetic colour fundus photograph: an orange disc with vessels, on black.

    ``seed`` makes every image's bytes different; ``noisy`` fills the disc with
    incompressible noise so the file is large (for disk-full tests).
    """
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    centre, radius = side / 2, side * 0.45
    distance = np.hypot(xx - centre, yy - centre)
    inside = distance < radius
    shade = np.clip(1.0 - 0.5 * (distance / radius) ** 2, 0, 1)
    image = np.zeros((side, side, 3), np.float32)
    for channel, level in enumerate((205.0, 95.0, 40.0)):
        image[..., channel] = np.where(inside, level * shade, 0)
    for k in range(6):  # dark curved "vessels" leaving the optic disc
        phase = rng.uniform(0, 2 * np.pi)
        curve = np.abs(yy - centre - (xx - centre) * np.tan(phase + k) * 0.3) < 2.0
        image[curve & inside] *= 0.55
    disc = np.hypot(xx - side * 0.62, yy - centre) < side * 0.06
    image[disc] = (250, 220, 150)
    amplitude = 60 if noisy else 4
    image += rng.integers(-amplitude, amplitude + 1, image.shape) * inside[..., None]
    pixels = np.clip(image, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    if fmt == "JPEG":
        Image.fromarray(pixels).save(buffer, format="JPEG", quality=98 if noisy else 90)
    else:
        Image.fromarray(pixels).save(buffer, format=fmt)
    return buffer.getvalue()


def fundus_image(seed: int, side: int = 384, fmt: str = "JPEG", noisy: bool = False) -> FundusImage:
    """A synthetic photograph decoded the way the kiosk decodes a real one."""
    ext = {"JPEG": "jpg", "PNG": "png", "TIFF": "tif", "BMP": "bmp"}[fmt]
    data = fundus_bytes(seed, side, fmt, noisy)
    return decode_fundus(data, source=f"/camera/DCIM/IMG_{seed:04d}.{ext}")


def grade_result(
    grade: ICDRGrade,
    referable_probability: float,
    *,
    threshold: float = 0.5,
    probabilities: tuple[float, float, float, float, float] = (0.2, 0.2, 0.2, 0.2, 0.2),
    model: ModelIdentity = MODEL,
    provider: str = "CPUExecutionProvider",
    confidence: Confidence | None = None,
    heatmap: Heatmap | None = None,
    macular_oedema: MacularOedema | None = None,
) -> GradeResult:
    """What the grader says; referable when the score reaches the threshold."""
    return GradeResult(
        grade,
        probabilities,
        referable_probability,
        referable_probability >= threshold,
        threshold,
        model,
        provider,
        confidence,
        heatmap,
        macular_oedema,
    )


def good_quality(**changes: Any) -> QualityReport:
    report = QualityReport(True, 0.91, (), {"sharpness": 12.5, "brightness": 0.43}, 0.93)
    return replace(report, **changes)


def graded_eye(
    laterality: Laterality,
    grade: ICDRGrade,
    probability: float,
    *,
    image: FundusImage | None = None,
    quality: QualityReport | None = None,
    rules: ReferralRules = RULES,
    **grade_options: Any,
) -> EyeResult:
    """A gradable photograph with its grade and the rules' decision for it."""
    result = grade_result(grade, probability, **grade_options)
    return EyeResult(
        laterality,
        EyeStatus.GRADED,
        image if image is not None else fundus_image(int(laterality is Laterality.LEFT)),
        quality or good_quality(),
        result,
        rules.for_grade(result),
        timings_ms={"load": 12.0, "quality": 30.25, "grade": 80.5},
    )


def ungradable_eye(
    laterality: Laterality,
    *,
    image: FundusImage | None = None,
    reasons: tuple[QualityReason, ...] = (QualityReason.BLURRED, QualityReason.TOO_DARK),
    rules: ReferralRules = RULES,
) -> EyeResult:
    """Photographed, but the quality gate refused it."""
    quality = QualityReport(False, 0.18, reasons, {"sharpness": 1.5, "brightness": 0.4})
    status = EyeStatus.UNGRADABLE
    return EyeResult(
        laterality,
        status,
        image if image is not None else fundus_image(3),
        quality,
        None,
        rules.for_eye(status),
        timings_ms={"load": 11.0},
    )


def skipped_eye(
    laterality: Laterality,
    reason: str = "Patient declined this eye",
    *,
    absent: bool = False,
    rules: ReferralRules = RULES,
) -> EyeResult:
    """Not photographed (unexamined), or recorded absent with ``absent=True``."""
    status = EyeStatus.ABSENT if absent else EyeStatus.NOT_PHOTOGRAPHED
    return EyeResult(
        laterality, status, None, None, None, rules.for_eye(status), skipped_reason=reason
    )


def unreadable_eye(
    laterality: Laterality, why: str = "The file is not a picture.", *, rules: ReferralRules = RULES
) -> EyeResult:
    status = EyeStatus.UNREADABLE
    return EyeResult(laterality, status, None, None, None, rules.for_eye(status), error=why)


def unavailable_eye(laterality: Laterality, *, rules: ReferralRules = RULES) -> EyeResult:
    """A gradable photograph the system could not grade (no model)."""
    status = EyeStatus.UNAVAILABLE
    return EyeResult(
        laterality,
        status,
        fundus_image(4),
        good_quality(),
        None,
        rules.for_eye(status),
        error="grading unavailable: no grading model is loaded",
    )


def screening(
    *eyes: EyeResult,
    screening_id: str = "S-0001",
    patient: Patient = PATIENT,
    operator: str = "op-anna",
    site: str = "clinic-north",
    started_at: datetime = WHEN,
    rules: ReferralRules = RULES,
) -> Screening:
    """A screening of these eyes (default: right referable, left ungradable), decided by
    the rules."""
    if not eyes:
        eyes = (
            graded_eye(Laterality.RIGHT, ICDRGrade.MODERATE, 0.8),
            ungradable_eye(Laterality.LEFT),
        )
    return Screening(
        screening_id, patient, operator, site, started_at, tuple(eyes), rules.for_patient(eyes)
    )


def assert_same_screening(loaded: Screening, original: Screening) -> None:
    """Equal in everything; photographs compared by bytes and decoded pixels."""
    from retiscreen.store import screening_to_dict

    assert screening_to_dict(loaded) == screening_to_dict(original)
    for eye in original.eyes:
        other = loaded.eye(eye.laterality)
        assert other is not None
        if eye.image is None:
            assert other.image is None
            continue
        assert other.image is not None
        assert other.image.data == eye.image.data
        assert other.image.sha256 == eye.image.sha256
        assert np.array_equal(other.image.pixels, eye.image.pixels)
        assert (other.image.source, other.image.original_size, other.image.file_format) == (
            eye.image.source,
            eye.image.original_size,
            eye.image.file_format,
        )
    # Identical to the original once the photographs are the same objects.
    originals = {eye.laterality: eye.image for eye in original.eyes}
    rebuilt = replace(
        loaded, eyes=tuple(replace(e, image=originals[e.laterality]) for e in loaded.eyes)
    )
    assert rebuilt == original


def make_screening(
    screening_id: str,
    *,
    patient_id: str = "P-1001",
    name: str = "Ada Example",
    started_at: datetime | None = None,
    right: FundusImage | None = None,
    left: FundusImage | None = None,
    left_skipped: bool = False,
    operator: str = "op-anna",
) -> Screening:
    """Right eye gradable and referable; left eye ungradable (or skipped, no photo)."""
    right_eye = graded_eye(
        Laterality.RIGHT,
        ICDRGrade.MODERATE,
        0.8,
        image=right if right is not None else fundus_image(1),
        quality=good_quality(
            measures={"sharpness": 12.5, "brightness": 0.43, "saturated": math.inf}
        ),
        threshold=0.42,
        probabilities=(0.05, 0.15, 0.6, 0.15, 0.05),
    )
    if left_skipped:
        left_eye = skipped_eye(Laterality.LEFT, "Prosthetic eye", absent=True)
    else:
        left_eye = ungradable_eye(
            Laterality.LEFT,
            image=left if left is not None else fundus_image(2),
            reasons=(QualityReason.BLURRED, QualityReason.MODEL_REJECTED),
        )
    return screening(
        right_eye,
        left_eye,
        screening_id=screening_id,
        patient=Patient(patient_id, name, date(1961, 5, 17), "F"),
        operator=operator,
        started_at=started_at or WHEN,
    )
