"""The only orchestrator: photograph → quality → grade → decision, per eye and per patient.

The kiosk, the CLI and ``retiscreen validate`` all drive this object, so what the kiosk
shows is what ``retiscreen grade`` prints. A failed step is a result, not a crash:
an unreadable file or an unavailable model still yields an ``EyeResult`` whose decision
tells the operator what to do, and no grade is ever produced after a failed gate.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from retiscreen.domain import (
    Exclusion,
    EyeResult,
    EyeStatus,
    FieldView,
    FundusField,
    FundusImage,
    GradeResult,
    Laterality,
    Order,
    Patient,
    QualityReport,
    Screening,
)
from retiscreen.errors import GradingUnavailable
from retiscreen.grading.grader import GradabilityModel, Grader, check_site_threshold
from retiscreen.grading.model import CARD_SUFFIX, ModelUnavailable, OnnxModel, read_card
from retiscreen.grading.signing import PublicKey, trusted_keys, verify_folder
from retiscreen.identity import photograph_patient_problem
from retiscreen.imaging.fingerprint import copies
from retiscreen.imaging.fundus import locate_field
from retiscreen.imaging.load import ImageError, load_fundus
from retiscreen.imaging.optic_disc import DiscSide, disc_side
from retiscreen.imaging.quality import QualityThresholds, assess
from retiscreen.rules import ReferralRules
from retiscreen.settings import Settings
from retiscreen.uids import stable_uid

log = logging.getLogger(__name__)

CHECK_WORKERS = min(4, os.cpu_count() or 1)
GRADER_CARD = "grader" + CARD_SUFFIX
QUALITY_CARD = "quality" + CARD_SUFFIX

Source = Path | str | FundusImage
FIELD_NOT_TAKEN = "field not photographed"
"""The recorded reason of a two-field eye's field that was not taken (the view says
which field; front ends take their words from the catalogue)."""


def check_threshold_setting(settings: Settings) -> None:
    """At start, before any command: a site threshold outside the range the grader's
    card validated stops the program (ConfigurationError, exit 2), also for commands
    that load no model. An unreadable card is left to the signature check."""
    threshold = settings.models.referable_threshold
    if threshold < 0:
        return
    try:
        card = read_card(settings.models.directory / GRADER_CARD)
    except ModelUnavailable:
        return
    check_site_threshold(threshold, card)


@dataclass
class Checked:
    """A decoded photograph with its located field and quality verdict."""

    image: FundusImage
    field: FundusField | None
    quality: QualityReport
    timings_ms: dict[str, float]
    disc: DiscSide | None = None
    """Where the optic disc seems to be (gradable photographs only)."""

    def looks_like_other_eye(self, laterality: Laterality) -> Laterality | None:
        """The other eye, when the disc's side says this photograph shows it."""
        seen = self.disc.looks_like if self.disc else None
        return seen if seen is not None and seen is not laterality else None


@dataclass
class Pipeline:
    """Holds the loaded models and rules; cheap to call, expensive to build (load once)."""

    rules: ReferralRules = field(default_factory=ReferralRules)
    grader: Grader | None = None
    gradability: GradabilityModel | None = None
    unavailable: str | None = "no grading model is loaded"
    """Why grading cannot run; None when it can."""
    thresholds: QualityThresholds = field(default_factory=QualityThresholds)
    signed_by: str | None = None
    """Key id of the signature the loaded models verified against."""
    check_disc_side: bool = True
    """Ask when the optic disc's side contradicts the eye (off for a camera that shows
    the fundus inverted, as some EyePACS cameras did)."""

    @classmethod
    def from_models_dir(
        cls,
        models_dir: Path,
        rules: ReferralRules | None = None,
        prefer_gpu: bool = True,
        referable_threshold: float | None = None,
        keys: Sequence[PublicKey] | None = None,
    ) -> Pipeline:
        """Load grader and quality model from a folder whose signature verifies against
        ``keys`` (default: the release key shipped in the package). A missing, unsigned
        or tampered model (either one) leaves the pipeline able to check photographs but
        never to grade: the OpenCV measures alone are not a quality gate to grade behind
        (drawings pass them). A site threshold outside the card's validated range is a
        configuration error (raised: the program must not start with it)."""
        pipeline = cls(rules=rules or ReferralRules())
        try:
            manifest = verify_folder(models_dir, trusted_keys() if keys is None else keys)
            grader_model = OnnxModel(models_dir / GRADER_CARD, manifest, prefer_gpu)
            if referable_threshold is not None:
                check_site_threshold(referable_threshold, grader_model.card)
            pipeline.grader = Grader(grader_model, referable_threshold)
            quality_model = OnnxModel(models_dir / QUALITY_CARD, manifest, prefer_gpu)
            pipeline.gradability = GradabilityModel(quality_model)
            pipeline.thresholds = QualityThresholds(
                model_min_probability=quality_model.card.threshold
            )
            pipeline.unavailable = None
            pipeline.signed_by = manifest.key_id
        except GradingUnavailable as exc:
            pipeline.grader = None
            pipeline.gradability = None
            pipeline.unavailable = str(exc)
            log.error("grading unavailable: %s", exc)
        return pipeline

    @classmethod
    def from_settings(cls, settings: Settings) -> Pipeline:
        threshold = settings.models.referable_threshold
        pipeline = cls.from_models_dir(
            settings.models.directory,
            settings.rules,
            settings.models.prefer_gpu,
            threshold if threshold >= 0 else None,
            trusted_keys(settings.models.extra_key_files),
        )
        pipeline.check_disc_side = settings.capture.check_disc_side
        return pipeline

    @property
    def provider(self) -> str | None:
        return self.grader.model.provider if self.grader else None

    def check(self, source: Source) -> Checked:
        """Decode, locate and gate one photograph (raises ImageError for unusable files)."""
        timings: dict[str, float] = {}
        start = time.perf_counter()
        image = source if isinstance(source, FundusImage) else load_fundus(source)
        timings["load"] = _ms_since(start)
        start = time.perf_counter()
        fundus_field = locate_field(image.pixels)
        timings["locate"] = _ms_since(start)
        start = time.perf_counter()
        probability = None
        if self.gradability is not None and fundus_field is not None:
            (probability,) = self.gradability.probability([(image.pixels, fundus_field)])
        quality = assess(image.pixels, fundus_field, probability, self.thresholds, image)
        timings["quality"] = _ms_since(start)
        disc = None
        if self.check_disc_side and fundus_field is not None and quality.gradable:
            disc = disc_side(image.pixels, fundus_field)
        return Checked(image, fundus_field, quality, timings, disc)

    def assess_eye(self, laterality: Laterality, source: Source) -> EyeResult:
        """The whole per-eye path; never raises for a bad photograph."""
        return self.assess_eyes([(laterality, source)])[0]

    def assess_eyes(
        self, items: Sequence[tuple[Laterality, Source | Checked]], patient: Patient | None = None
    ) -> list[EyeResult]:
        """Several eyes at once: gradable ones go through the grader in one batch. A
        photograph already checked (the kiosk showed its verdict to the operator) is not
        checked again, so what was shown is what is graded. A photograph is refused
        before grading when its file names another eye; given ``patient`` (the items are
        that patient's eyes), also when it names another patient or is a copy of the
        photograph given for the other eye. A batch of many patients passes no patient."""
        if sum(not isinstance(source, Checked) for _, source in items) > 1:
            # Decoding and OpenCV release the GIL: two photographs at a time keep both
            # cores busy between the (already multi-threaded) model calls.
            with ThreadPoolExecutor(max_workers=CHECK_WORKERS) as pool:
                checked = list(pool.map(self._check_or_reason, [source for _, source in items]))
        else:
            checked = [self._check_or_reason(source) for _, source in items]
        refusals = _refusals([side for side, _ in items], checked, patient)
        gradable = [
            c
            for i, c in enumerate(checked)
            if isinstance(c, Checked) and c.quality.gradable and c.field and i not in refusals
        ]
        grades: dict[int, GradeResult] = {}
        if gradable and self.grader is not None:
            start = time.perf_counter()
            results = self.grader.grade([(c.image.pixels, c.field) for c in gradable if c.field])
            elapsed = _ms_since(start) / len(gradable)
            for c, result in zip(gradable, results, strict=True):
                c.timings_ms["grade"] = elapsed
                grades[id(c)] = result
        return [
            self._eye_result(laterality, c, grades.get(id(c)), refusals.get(i))
            for i, ((laterality, _), c) in enumerate(zip(items, checked, strict=True))
        ]

    def _check_or_reason(self, source: Source | Checked) -> Checked | str:
        """``check``, with an unusable file turned into the operator's message."""
        if isinstance(source, Checked):
            return source
        try:
            return self.check(source)
        except ImageError as exc:
            log.warning("image rejected: %s", _without_file_name(str(exc), source))
            return str(exc)

    def _eye_result(
        self,
        laterality: Laterality,
        checked: Checked | str,
        grade: GradeResult | None,
        refusal: str | None,
    ) -> EyeResult:
        if isinstance(checked, str):
            return self.unreadable_eye(laterality, checked)
        error = None
        if refusal:
            status, error = EyeStatus.UNGRADABLE, refusal
        elif not checked.quality.gradable:
            status = EyeStatus.UNGRADABLE
        elif grade is None:
            status = EyeStatus.UNAVAILABLE
            error = f"grading unavailable: {self.unavailable or 'the grader returned no result'}"
        else:
            status = EyeStatus.GRADED
        return EyeResult(
            laterality,
            status,
            checked.image,
            checked.quality,
            grade,
            self.rules.for_eye(status, grade),
            error=error,
            timings_ms=checked.timings_ms,
            looks_like=checked.looks_like_other_eye(laterality),
        )

    def unreadable_eye(self, laterality: Laterality, why: str) -> EyeResult:
        """An eye whose photograph could not be used at all (the operator's message)."""
        status = EyeStatus.UNREADABLE
        return EyeResult(laterality, status, None, None, None, self.rules.for_eye(status), why)

    def skipped_eye(self, laterality: Laterality, reason: str, absent: bool = False) -> EyeResult:
        """An eye the operator did not photograph, with the reason. It counts as
        unexamined (at least an eye examination) unless the operator recorded the eye
        as absent (:data:`~retiscreen.domain.ABSENT_EYE_REASONS`)."""
        status = EyeStatus.ABSENT if absent else EyeStatus.NOT_PHOTOGRAPHED
        return EyeResult(
            laterality, status, None, None, None, self.rules.for_eye(status), skipped_reason=reason
        )

    def eye_from_fields(
        self, laterality: Laterality, results: Mapping[FieldView, EyeResult]
    ) -> EyeResult:
        """A two-field eye: each field's result (a view not in ``results`` was not taken:
        kept as not photographed), combined by :meth:`ReferralRules.eye_from_fields`: the
        worse gradable field decides, so a missing or ungradable field never decides
        alone while another field was graded."""
        fields = tuple(
            replace(results[view], view=view)
            if view in results
            else self.missing_field(laterality, view)
            for view in FieldView
        )
        return replace(self.rules.eye_from_fields(fields), fields=fields)

    def missing_field(
        self, laterality: Laterality, view: FieldView, reason: str = FIELD_NOT_TAKEN
    ) -> EyeResult:
        """A field of a two-field eye that was not photographed (unexamined on its own),
        with the operator's reason when one was given."""
        status = EyeStatus.NOT_PHOTOGRAPHED
        return EyeResult(
            laterality,
            status,
            None,
            None,
            None,
            self.rules.for_eye(status),
            skipped_reason=reason,
            view=view,
        )

    def screen(
        self,
        patient: Patient,
        eyes: Mapping[Laterality, EyeResult],
        operator: str,
        site: str,
        started_at: datetime | None = None,
        screening_id: str | None = None,
        order: Order | None = None,
        exclusion: Exclusion | None = None,
    ) -> Screening:
        """Combine the eyes (right first) into a screening; the worse eye decides. An eye
        that is not given at all was not photographed: it is recorded as unexamined.
        With ``exclusion`` the patient was referred without screening (the rules'
        referral for it, never less urgent).

        The order keeps what the operator or worklist gave, completed from the first
        photograph that came as DICOM (its study, so results land in the camera's
        study) and, failing both, a study UID derived from the screening id (the same
        on every resend)."""
        ordered = tuple(
            eyes[side] if side in eyes else self.skipped_eye(side, "no photograph given")
            for side in (Laterality.RIGHT, Laterality.LEFT)
        )
        screening_id = screening_id or new_screening_id()
        for eye in ordered:
            if eye.image is not None:
                order = (order or Order()).merged(eye.image.order_hint)
        order = (order or Order()).merged(Order(study_uid=stable_uid("study", screening_id)))
        return Screening(
            screening_id=screening_id,
            patient=patient,
            operator=operator,
            site=site,
            started_at=started_at or datetime.now().astimezone(),
            eyes=ordered,
            decision=self.rules.for_screening(ordered, exclusion),
            order=order,
            exclusion=exclusion,
        )


def _refusals(
    sides: Sequence[Laterality], checked: Sequence[Checked | str], patient: Patient | None
) -> dict[int, str]:
    """Index → why that photograph must not be graded as the eye and patient given."""
    refusals: dict[int, str] = {}
    for i, (side, item) in enumerate(zip(sides, checked, strict=True)):
        if not isinstance(item, Checked):
            continue
        why = wrong_eye(side, item.image)
        if why is None and patient is not None:
            why = photograph_patient_problem(patient, item.image)
        copied = (
            next(
                (
                    other_side
                    for other_side, other in zip(sides[:i], checked[:i], strict=True)
                    if isinstance(other, Checked) and copies(item.image, other.image)
                ),
                None,
            )
            if why is None and patient is not None  # the eyes of one patient only
            else None
        )
        if copied is not None and copied is not side:
            why = (
                "This is the same photograph as the other eye's. Photograph the "
                f"{side.value.upper()} eye itself."
            )
        elif copied is not None:  # a two-field eye's second field, copied from its first
            why = (
                f"This is the same photograph as the other field of the {side.value.upper()} "
                "eye. Photograph each field (disc-centred and macula-centred) itself."
            )
        if why is not None:
            log.warning("photograph refused before grading (%s eye)", side.value)
            refusals[i] = why
    return refusals


def wrong_eye(laterality: Laterality, image: FundusImage) -> str | None:
    """Why this photograph must not be recorded as ``laterality``, if the file says so."""
    hint = image.laterality_hint
    if hint is None or hint == laterality:
        return None
    return (
        f"This photograph is labelled as the {hint.value.upper()} eye, but the "
        f"{laterality.value.upper()} eye is being captured. Check which eye it is and retake."
    )


def new_screening_id() -> str:
    """Sortable by time and unique across kiosks: date, time and a random suffix."""
    return datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def _without_file_name(message: str, source: Source) -> str:
    """The operator's message for the log: a camera or a nurse may name a file after the
    patient, and the log must hold no patient details."""
    raw = source.source if isinstance(source, FundusImage) else str(source)
    name = Path(raw).name
    return message.replace(name, "<photograph>") if name else message


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000.0, 2)
