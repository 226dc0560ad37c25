"""Value types that flow through the one-way pipeline, and the ICDR scale.

Everything here is pure (no I/O) and immutable, so a value handed from one stage to the
next cannot be changed behind the back of the stage that produced it. The referral
rules live in :mod:`retiscreen.rules`; every wording in :mod:`retiscreen.catalogue`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the domain itself imports nothing beyond the standard library
    from retiscreen.imaging.pixels import RGBImage


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
    def referable(self) -> bool:
        """Referable DR is more-than-mild DR (grade 2 or worse)."""
        return self >= ICDRGrade.MODERATE

    @property
    def vision_threatening(self) -> bool:
        """Severe non-proliferative or proliferative DR."""
        return self >= ICDRGrade.SEVERE


class DecisionKind(enum.StrEnum):
    """What the patient must do next. Front ends choose colours, icons and next steps
    from this value and take words from :mod:`retiscreen.catalogue`: nothing ever
    parses a decision's wording."""

    ROUTINE = "routine"
    """No referable DR: rescreen at the usual interval."""
    EXAMINE = "examine"
    """An eye could not be checked (ungradable, unreadable, not photographed): eye
    examination."""
    UNAVAILABLE = "unavailable"
    """The system could not grade (model missing or tampered): eye examination."""
    REFER = "refer"
    URGENT = "urgent"

    @property
    def severity(self) -> int:
        """Ordering for 'the worse eye wins': an unexamined eye is never better than
        routine, a referral is worse than an examination, urgent is worst."""
        return _SEVERITY[self]


_SEVERITY = {
    DecisionKind.ROUTINE: 0,
    DecisionKind.EXAMINE: 1,
    DecisionKind.UNAVAILABLE: 2,
    DecisionKind.REFER: 3,
    DecisionKind.URGENT: 4,
}


class EyeStatus(enum.StrEnum):
    """What became of one eye in a screening."""

    GRADED = "graded"
    UNGRADABLE = "ungradable"
    """Photographed, but the quality gate (or a wrong-eye check) refused the photograph."""
    UNREADABLE = "unreadable"
    """The file could not be decoded or is not an acceptable photograph."""
    NOT_PHOTOGRAPHED = "not_photographed"
    """The operator did not photograph it (small pupil, patient declined, ...): unexamined."""
    ABSENT = "absent"
    """The operator recorded that the eye is absent (enucleation, prosthesis, phthisis):
    the only state that does not call for an examination."""
    UNAVAILABLE = "unavailable"
    """A gradable photograph the system could not grade (model missing or tampered)."""


class FieldView(enum.StrEnum):
    """Which part of the retina a photograph is centred on, at a site that takes two
    fields per eye (``[capture] fields_per_eye = 2``): the optic disc or the macula.
    A one-field site records no view (its photograph is the eye's only one)."""

    DISC = "disc"
    MACULA = "macula"


class Exclusion(enum.StrEnum):
    """Why a patient is referred at once without being screened (the site's exclusion
    questions, asked before any photograph; ``[capture] exclusion_questions``)."""

    TREATED = "treated"
    """Already treated for diabetic eye disease (laser, injections, eye surgery): an eye
    clinic follows them, and screening photographs would not change that."""
    SUDDEN_VISION_LOSS = "sudden_vision_loss"
    """Sudden loss of vision: an eye specialist the same day, no photographs first."""


ABSENT_EYE_REASONS = ("enucleation", "prosthesis", "phthisis")
"""Why an eye can be recorded as absent (no photograph, no examination needed)."""


@dataclass(frozen=True, slots=True)
class Patient:
    """Who was screened. Two identifiers (ID and name+DOB) are confirmed before capture."""

    patient_id: str
    name: str
    """The name as displayed and printed ("Ana María García López")."""
    date_of_birth: date | None = None
    sex: str | None = None
    family_name: str | None = None
    """The structured name, when known (typed in two parts, from a worklist or a DICOM
    file): DICOM, HL7 and FHIR carry family and given names apart."""
    given_name: str | None = None
    id_issuer: str | None = None
    """Who assigned ``patient_id`` (the hospital's assigning authority), when known."""


@dataclass(frozen=True, slots=True)
class Order:
    """The clinic's identifiers for this visit, from a worklist, an input DICOM file or
    the operator: results sent to the PACS, the EHR or HL7 land in the order and study
    that asked for them. Empty for a walk-in screening."""

    accession_number: str | None = None
    referring_physician: str | None = None
    study_uid: str | None = None
    """The DICOM Study Instance UID every exported object carries."""

    def merged(self, other: Order | None) -> Order:
        """This order, with what it lacks taken from ``other``."""
        if other is None:
            return self
        return Order(
            self.accession_number or other.accession_number,
            self.referring_physician or other.referring_physician,
            self.study_uid or other.study_uid,
        )


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
    patient_name_hint: str | None = None
    """The patient's name written in the file (DICOM PatientName), if any."""
    birth_date_hint: date | None = None
    """The patient's birth date written in the file (DICOM PatientBirthDate), if any."""
    jpeg_quality: float | None = None
    """The JPEG quality (1-100) the file was saved at, estimated from its tables."""
    order_hint: Order | None = None
    """The study, accession number and referring physician a DICOM file belongs to."""

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
    """Why a photograph cannot be graded; the catalogue says what the operator should do."""

    NOT_FUNDUS = "not_fundus"
    TOO_DARK = "too_dark"
    OVEREXPOSED = "overexposed"
    BLURRED = "blurred"
    CUT_OFF = "cut_off"
    LOW_CONTRAST = "low_contrast"
    MODEL_REJECTED = "model_rejected"
    LOW_JPEG_QUALITY = "low_jpeg_quality"
    SMALL_FIELD = "small_field"


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


@dataclass(frozen=True, slots=True)
class ModelIdentity:
    """Provenance stamped on every result (IHE AI Results style)."""

    name: str
    version: str
    sha256: str


class Confidence(enum.StrEnum):
    """How clear an eye's result is: how far its referable score lies from the referral
    line, in the grader card's bands (``confidence`` in the card). Words come from the
    catalogue; the decision never depends on it (it follows ``GradeResult.referable``)."""

    CLEARLY_BELOW = "clearly_below"
    BELOW = "below"
    BORDERLINE_BELOW = "borderline_below"
    BORDERLINE_ABOVE = "borderline_above"
    ABOVE = "above"
    CLEARLY_ABOVE = "clearly_above"


@dataclass(frozen=True, slots=True)
class MacularOedema:
    """The grader's macular-oedema (DME) output for one photograph.

    ``positive`` is the probability at or above the card's DME threshold. Whether it
    refers the patient is the card's ``in_decision``, set by training (only when its
    held-out specificity reaches 0.85): otherwise a positive eye is put in front of a
    reviewer (over-read queue) and the decision is the DR grade's alone."""

    probability: float
    threshold: float
    in_decision: bool

    @property
    def positive(self) -> bool:
        return self.probability >= self.threshold


@dataclass(frozen=True, slots=True)
class Heatmap:
    """The grader's class-activation map for the referable output of one photograph.

    A low-resolution grid (rows of floats, logit units, signed: positive pushes towards
    referral) over the model-input square, which is centred on ``field``: drawn onto the
    photograph at display time, never stored as an image. It explains, it never decides."""

    values: tuple[tuple[float, ...], ...]
    field: FundusField
    """The retinal field the model's input square was cropped around."""
    display_max: float
    """The value drawn at full colour (the card's ``output.cam.display_max``)."""

    @property
    def size(self) -> tuple[int, int]:
        """(rows, columns) of the grid."""
        return len(self.values), len(self.values[0]) if self.values else 0


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
    confidence: Confidence | None = None
    """How far from the referral line (None: the model's card defines no bands)."""
    heatmap: Heatmap | None = None
    """None when the model has no map output (older bundles) or it was not kept."""
    macular_oedema: MacularOedema | None = None
    """None when the model has no DME output (older bundles and records)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The referral decision, for one eye or for the patient (the worse eye), as data:
    the words for it come from :mod:`retiscreen.catalogue` in the reader's language."""

    kind: DecisionKind
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
    status: EyeStatus
    image: FundusImage | None
    quality: QualityReport | None
    grade: GradeResult | None
    decision: Decision | None
    """None only for an absent eye, which takes no part in the patient's decision."""
    error: str | None = None
    """Why the eye could not be processed (unreadable file, grader unavailable)."""
    skipped_reason: str | None = None
    """Operator-recorded reason for not photographing this eye (or why it is absent)."""
    timings_ms: dict[str, float] = field(default_factory=dict)
    looks_like: Laterality | None = None
    """The other eye, when the optic disc's side says the photograph shows it: a question
    for the operator (confirm the eye or retake), not a refusal. Not stored."""
    view: FieldView | None = None
    """The field this result is from (None at a one-field site). On a two-field eye's
    own result: the field that decided it."""
    fields: tuple[EyeResult, ...] = ()
    """A two-field eye's results per field, disc-centred first, each with its own
    photograph, quality verdict and grade; a field that was not taken is kept here as
    not photographed (never dropped). The eye's own status, grade and decision are its
    worse gradable field's (:meth:`ReferralRules.eye_from_fields`). Empty at a one-field
    site."""

    def field_result(self, view: FieldView) -> EyeResult | None:
        """This eye's result for one field, if it was photographed in fields."""
        return next((f for f in self.fields if f.view is view), None)

    @property
    def photographs(self) -> tuple[FundusImage, ...]:
        """Every photograph of this eye: each field's, or the eye's one."""
        if self.fields:
            return tuple(f.image for f in self.fields if f.image is not None)
        return (self.image,) if self.image is not None else ()


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
    order: Order = Order()
    exclusion: Exclusion | None = None
    """Set when the patient was referred without screening (both eyes then not
    photographed); the decision follows :meth:`ReferralRules.for_exclusion`."""
    language: str = "en"
    """The patient's language (a catalogue code): the report and the patient letter are
    written in it, now and on every reprint or export; the records stay in English."""

    def eye(self, laterality: Laterality) -> EyeResult | None:
        """The result for one eye, if that eye was part of the screening."""
        return next((e for e in self.eyes if e.laterality == laterality), None)


class ReviewOutcome(enum.StrEnum):
    """What a reviewer's over-read said about the AI result."""

    AGREED = "agreed"
    """The reviewer kept every grade and the decision."""
    AMENDED = "amended"
    """The reviewer changed a grade or the decision (a reason is then required)."""


class QueueReason(enum.StrEnum):
    """Why a saved screening waits for an over-read."""

    UNEXAMINED = "unexamined"
    """An eye was not graded (ungradable, unreadable, not photographed, unavailable)."""
    SAMPLED = "sampled"
    """A routine result drawn for the quality-assurance share (``[review] routine_share``)."""
    MACULAR_OEDEMA = "macular_oedema"
    """The grader flagged possible macular oedema, an output not trusted to decide alone."""


REVIEW_DECISIONS = (
    DecisionKind.ROUTINE,
    DecisionKind.REFER,
    DecisionKind.URGENT,
    DecisionKind.EXAMINE,
)
"""The decisions a reviewer may choose ("unavailable" is the system's, never a person's)."""


@dataclass(frozen=True, slots=True)
class Review:
    """One over-read of a saved screening. The screening itself never changes: the AI
    result stays as it was decided, and the newest review says what the patient must do."""

    review_id: str
    screening_id: str
    reviewer: str
    reviewed_at: datetime
    outcome: ReviewOutcome
    grade_right: ICDRGrade | None
    """Each eye's grade after the review (the AI's where it was kept; None: not graded)."""
    grade_left: ICDRGrade | None
    decision: Decision
    """The reviewer's decision for the patient: the final one."""
    rules_decision: DecisionKind
    """What the referral rules give for the reviewed grades (never more urgent than
    ``decision``)."""
    ai_decision: DecisionKind
    """The screening's own (AI) decision, kept beside the review."""
    reason: str | None = None

    def grade(self, laterality: Laterality) -> ICDRGrade | None:
        """One eye's grade after the review."""
        return self.grade_right if laterality is Laterality.RIGHT else self.grade_left


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
