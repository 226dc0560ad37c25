"""Value types that flow through the one-way pipeline, and the ICDR scale.

Everything here is pure (no I/O) and immutable, so a value handed from one stage to the
next cannot be changed behind the back of the stage that produced it. The referral
rules live in :mod:`retiscreen.rules`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

RGBImage = npt.NDArray[np.uint8]
"""An H×W×3 uint8 array in RGB order (never BGR outside OpenCV calls)."""


class Laterality(enum.StrEnum):
    """Which eye a photograph shows (OD = right, OS = left)."""

    RIGHT = "right"
    LEFT = "left"


class ICDRGrade(enum.IntEnum):
    """International Clinical Diabetic Retinopathy severity scale."""

    NONE = 0
    MILD = 1
    MODERATE = 2
    SEVERE = 3
    PROLIFERATIVE = 4

    @property
    def words(self) -> str:
        """The grade as a clinician would write it on a report."""
        return ICDR_WORDS[self]

    @property
    def referable(self) -> bool:
        """Referable DR is more-than-mild DR (grade 2 or worse)."""
        return self >= ICDRGrade.MODERATE

    @property
    def vision_threatening(self) -> bool:
        """Severe non-proliferative or proliferative DR."""
        return self >= ICDRGrade.SEVERE


ICDR_WORDS: dict[ICDRGrade, str] = {
    ICDRGrade.NONE: "No apparent retinopathy",
    ICDRGrade.MILD: "Mild non-proliferative DR",
    ICDRGrade.MODERATE: "Moderate non-proliferative DR",
    ICDRGrade.SEVERE: "Severe non-proliferative DR",
    ICDRGrade.PROLIFERATIVE: "Proliferative DR",
}


class Urgency(enum.IntEnum):
    """How soon the patient must act; ordered so that max() picks the worse eye."""

    ROUTINE_RESCREEN = 0
    RETAKE_OR_EXAMINE = 1
    REFER = 2
    URGENT = 3


@dataclass(frozen=True, slots=True)
class Patient:
    """Who was screened. Two identifiers (ID and name+DOB) are confirmed before capture."""

    patient_id: str
    name: str
    date_of_birth: date | None = None
    sex: str | None = None


@dataclass(frozen=True, slots=True)
class FundusImage:
    """A strictly decoded photograph, EXIF orientation applied, ready for analysis.

    ``pixels`` may be a reduced-resolution decode (JPEG DCT scaling) of the original:
    ``original_size`` keeps the camera's dimensions for the record.
    """

    source: str
    pixels: RGBImage
    sha256: str
    original_size: tuple[int, int]
    file_format: str
    data: bytes = field(repr=False)
    laterality_hint: Laterality | None = None
    """The eye the file itself says it shows (DICOM ImageLaterality), checked against
    the eye the operator is capturing."""
    patient_id_hint: str | None = None
    """The patient ID written in the file (DICOM PatientID), if any."""

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the decoded pixels."""
        return int(self.pixels.shape[1]), int(self.pixels.shape[0])


@dataclass(frozen=True, slots=True)
class FundusField:
    """Where the circular retinal field lies in an image (pixel units of that image)."""

    center_x: float
    center_y: float
    radius: float
    area_fraction: float
    """Share of the image covered by the illuminated field."""
    visible_fraction: float
    """Share of the fitted circle that lies inside the photograph."""
    circularity: float
    """Field area divided by the area of its fitted circle (clipped to the frame)."""
    rim_fraction: float
    """Share of the field's outline that is its own edge rather than the frame border:
    near 0 when the bright region fills the frame, which no fundus camera does."""


class QualityReason(enum.StrEnum):
    """Why a photograph cannot be graded; each has an operator-readable message."""

    NOT_FUNDUS = "not_fundus"
    TOO_DARK = "too_dark"
    OVEREXPOSED = "overexposed"
    BLURRED = "blurred"
    CUT_OFF = "cut_off"
    LOW_CONTRAST = "low_contrast"
    MODEL_REJECTED = "model_rejected"

    @property
    def message(self) -> str:
        """What the operator reads on screen and what the report prints."""
        return QUALITY_MESSAGES[self]


QUALITY_MESSAGES: dict[QualityReason, str] = {
    QualityReason.NOT_FUNDUS: (
        "This does not look like a retinal photograph (no round retinal field found). "
        "Check the lens cap and that the camera is aimed at the pupil."
    ),
    QualityReason.TOO_DARK: (
        "The photograph is too dark. Let the pupil dilate or increase the flash, then retake."
    ),
    QualityReason.OVEREXPOSED: (
        "The photograph is overexposed (washed out). Reduce the flash or check for "
        "reflections, then retake."
    ),
    QualityReason.BLURRED: (
        "The photograph is blurred: the blood vessels are not sharp. Refocus, ask the "
        "patient to keep still, and retake."
    ),
    QualityReason.CUT_OFF: (
        "The retina is cut off or off-centre. Centre the eye in the frame and retake."
    ),
    QualityReason.LOW_CONTRAST: (
        "The photograph has too little contrast (haze, cataract or a dirty lens). "
        "Clean the lens and retake."
    ),
    QualityReason.MODEL_REJECTED: (
        "This photograph is not good enough to grade (haze, glare, eyelashes or poor "
        "focus), or it is not a retinal photograph. Retake it."
    ),
}


@dataclass(frozen=True, slots=True)
class QualityReport:
    """The gate's verdict: never grade an image whose report says not gradable."""

    gradable: bool
    score: float
    """0..1, higher is better; the learned model's probability when it ran."""
    reasons: tuple[QualityReason, ...]
    measures: dict[str, float]
    """Raw heuristic measurements, kept for audit and threshold tuning."""
    model_probability: float | None = None

    @property
    def messages(self) -> list[str]:
        """Operator-readable reasons, in order of importance."""
        return [reason.message for reason in self.reasons]


@dataclass(frozen=True, slots=True)
class ModelIdentity:
    """Provenance stamped on every result (IHE AI Results style)."""

    name: str
    version: str
    sha256: str


@dataclass(frozen=True, slots=True)
class GradeResult:
    """What the grader said about one gradable photograph."""

    grade: ICDRGrade
    probabilities: tuple[float, float, float, float, float]
    referable_probability: float
    referable: bool
    threshold: float
    model: ModelIdentity
    provider: str


@dataclass(frozen=True, slots=True)
class Decision:
    """The referral decision, for one eye or for the patient (the worse eye)."""

    urgency: Urgency
    headline: str
    """Short, plain words for the traffic light: 'No referable diabetic retinopathy'."""
    advice: str
    """What the patient should do next, in plain language."""
    follow_up_months: int | None
    """When to come back or be seen; None when no interval applies."""
    follow_up_weeks: int | None = None
    """For urgent steps, counted in weeks instead of months."""

    def follow_up_date(self, screened_on: date) -> date | None:
        """The date by which the next step is due."""
        if self.follow_up_weeks is not None:
            return screened_on + timedelta(weeks=self.follow_up_weeks)
        if self.follow_up_months is None:
            return None
        return add_months(screened_on, self.follow_up_months)


@dataclass(frozen=True, slots=True)
class EyeResult:
    """Everything known about one eye after the pipeline ran on it."""

    laterality: Laterality
    image: FundusImage | None
    quality: QualityReport | None
    grade: GradeResult | None
    decision: Decision
    error: str | None = None
    """Why the eye could not be processed (unreadable file, grader unavailable)."""
    skipped_reason: str | None = None
    """Operator-recorded reason for not photographing this eye (e.g. prosthesis)."""
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Screening:
    """One visit: a patient, both eyes, and the patient-level decision."""

    screening_id: str
    patient: Patient
    operator: str
    site: str
    started_at: datetime
    eyes: tuple[EyeResult, ...]
    decision: Decision

    def eye(self, laterality: Laterality) -> EyeResult | None:
        """The result for one eye, if that eye was part of the screening."""
        return next((e for e in self.eyes if e.laterality == laterality), None)


def add_months(day: date, months: int) -> date:
    """Calendar month arithmetic, clamping to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")
