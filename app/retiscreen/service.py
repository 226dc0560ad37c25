"""The one screening path for every front end: check → grade → decide → store → report
→ print.

The CLI, the kiosk and batch validation collect inputs (an :class:`EyeInput` per eye) and
show results; everything between is here. :meth:`ScreeningService.screen` matches the
patient with the records, then grades and decides; :meth:`ScreeningService.record`
orders the steps so that nothing is lost: the screening is committed first, then the
report is written, then printing is attempted; a printer that is missing only leaves a
queued job behind, and the operator is told plainly.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retiscreen.accounts import Role
from retiscreen.catalogue import ENGLISH, language_problem
from retiscreen.domain import (
    Exclusion,
    EyeResult,
    EyeStatus,
    FieldView,
    FundusImage,
    Laterality,
    ModelIdentity,
    Order,
    Patient,
    Review,
    Screening,
)
from retiscreen.drafts import (
    DraftSummary,
    ScreeningDraft,
    draft_document,
    draft_from_document,
    summary_of,
)
from retiscreen.errors import RetiScreenError, StorageError, UsageError
from retiscreen.identity import birth_date_problem, named
from retiscreen.imaging.fingerprint import copies
from retiscreen.keyfiles import load_or_create_secret
from retiscreen.overread import Amendment, queue_reason
from retiscreen.pipeline import Checked, Pipeline, Source
from retiscreen.referrals import Referral, ReferralOutcome
from retiscreen.report.printing import (
    PrinterError,
    PrinterProblem,
    default_printer,
    printer_state,
    submit_to_cups,
)
from retiscreen.report.verification import (
    content_code,
    new_report_id,
    vouched_content,
)
from retiscreen.settings import Settings

if TYPE_CHECKING:
    from retiscreen.integration.delivery import Delivery, SendResult
    from retiscreen.report.checking import ReportCheck
    from retiscreen.store import ScreeningStore

__all__ = [
    "Checked",
    "EyeInput",
    "ModelStatus",
    "PrintOutcome",
    "PrinterStatus",
    "Recorded",
    "Reviewed",
    "ScreeningService",
    "Source",
]

log = logging.getLogger(__name__)

NOT_A_REFUSAL = frozenset({EyeStatus.NOT_PHOTOGRAPHED, EyeStatus.ABSENT})
MISSING_REPORT_GRACE = timedelta(minutes=2)
"""A screening saved this recently may still be having its report written."""


@dataclass(frozen=True)
class EyeInput:
    """What a front end collected for one eye; the service decides what it means."""

    laterality: Laterality
    photograph: Source | Checked | None = None
    """A file, a decoded image, or one already checked (its verdict shown to the operator)."""
    skipped_reason: str | None = None
    """The operator did not photograph this eye, and why."""
    absent: bool = False
    """With ``skipped_reason``: the operator recorded the eye as absent."""
    error: str | None = None
    """Why there is no usable photograph (the camera failed, the file was unreadable)."""
    macula: Source | Checked | None = None
    """At a site taking two fields per eye (``[capture] fields_per_eye = 2``): the
    macula-centred photograph; ``photograph`` and ``error`` are then the disc-centred
    field's."""
    macula_error: str | None = None
    """Why there is no usable macula-centred photograph (two-field sites)."""
    macula_skipped_reason: str | None = None
    """The operator did not photograph the macula-centred field, and why (the field is
    then recorded as not taken, with this reason)."""


@dataclass(frozen=True)
class ModelStatus:
    """Which models screen now, for a front end's status line."""

    grader: ModelIdentity | None
    quality: ModelIdentity | None
    provider: str | None
    """The execution provider that really runs the grader (CUDA or CPU)."""
    unavailable: str | None
    """Why grading cannot run; None when it can."""


@dataclass(frozen=True)
class PrintOutcome:
    """What happened to one print request, in words the operator can act on."""

    printed: bool
    message: str
    job_id: int | None = None
    problem: PrinterProblem | None = None
    """Why it did not print, so a front end can say it in its own language."""
    printer: str = ""


@dataclass(frozen=True)
class PrinterStatus:
    """Whether reports can print now; ``problem`` is the printing system's own words."""

    ready: bool
    name: str | None
    problem: str | None = None


@dataclass(frozen=True)
class Recorded:
    """A saved screening and its report."""

    screening: Screening
    report_id: str
    report_copy: Path | None
    """The copy of the report written in the clear where asked (``--out``); the stored
    one is encrypted with the records."""
    printing: PrintOutcome | None
    exported: list[Path] = field(default_factory=list)
    """Files written for the clinic's systems (``[integration] export_dir``)."""
    sent: list[SendResult] = field(default_factory=list)
    """Sends tried after saving (``[integration] send_after_screening``)."""


@dataclass(frozen=True)
class Reviewed:
    """A saved over-read and its amended report."""

    review: Review
    screening: Screening
    report_id: str
    report_copy: Path | None
    """The copy written in the clear where asked; the stored one is encrypted."""
    printing: PrintOutcome | None
    exported: list[Path] = field(default_factory=list)
    sent: list[SendResult] = field(default_factory=list)


class ScreeningService:
    """Owns the long-lived parts (models, database) so front ends stay thin. Each is
    opened on first use: listing the history loads no model, grading opens no database."""

    def __init__(
        self,
        settings: Settings,
        pipeline: Pipeline | None = None,
        store: ScreeningStore | None = None,
    ) -> None:
        self.settings = settings
        self._pipeline = pipeline
        self._store = store
        self._secret: bytes | None = None

    def open(self) -> None:
        """Open and check the records and load the models now (a kiosk fails at start,
        not with the first patient); StorageError when the records cannot be opened or
        are damaged."""
        self.check_records()
        _ = self.pipeline

    def check_records(self) -> None:
        """Refuse to go on with a damaged database (SQLite's quick check of every page):
        a screening saved into it may be lost, and so may what is already there."""
        problems = self.store.quick_check()
        if problems:
            log.error("the database is damaged: %s", "; ".join(problems[:3]))
            raise StorageError(
                f"The records database is damaged ({problems[0]}); nothing more is saved "
                "into it. Stop screening, restore the last backup (retiscreen restore) and "
                "call IT.",
                reason="corrupt",
            )

    @property
    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = Pipeline.from_settings(self.settings)
        return self._pipeline

    @property
    def store(self) -> ScreeningStore:
        if self._store is None:
            from retiscreen.store import ScreeningStore  # sqlite-utils: only with records

            self._store = ScreeningStore(self.settings.storage.root)
        return self._store

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = load_or_create_secret(self.settings.storage.root / "report-secret.key")
        return self._secret

    def model_status(self) -> ModelStatus:
        pipeline = self.pipeline
        return ModelStatus(
            pipeline.grader.model.identity if pipeline.grader else None,
            pipeline.gradability.model.identity if pipeline.gradability else None,
            pipeline.provider,
            pipeline.unavailable,
        )

    def apply_settings(self, settings: Settings) -> None:
        """New settings for a running front end (the referral intervals among them)."""
        self.settings = settings
        self.pipeline.rules = settings.rules

    def history(
        self,
        limit: int = 100,
        patient_id: str | None = None,
        search: str | None = None,
        viewer: str | None = None,
    ) -> list[dict[str, Any]]:
        """Saved screenings, newest first (see :meth:`ScreeningStore.history`). Looking
        at records is audited (which screenings were listed, never the search text,
        which may be a name)."""
        rows = self.store.history(limit=limit, patient_id=patient_id, search=search)
        self.store.audit(
            "records_viewed",
            operator=viewer,
            screenings=[row["screening_id"] for row in rows],
            filtered=bool(patient_id or search),
        )
        return rows

    def referrals(self, today: date, viewer: str | None = None) -> list[Referral]:
        """Every referral and its follow-up status on ``today``; looking is audited like
        the history (the screenings listed)."""
        referrals = self.store.referrals(today)
        self.store.audit(
            "records_viewed",
            operator=viewer,
            screenings=[referral.screening_id for referral in referrals],
            filtered=False,
            view="referrals",
        )
        return referrals

    def monitor(self, today: date, since: str | None = None) -> dict[str, Any]:
        """The site's figures and alerts (:mod:`retiscreen.monitoring`), against the
        grader card's reference distribution when the card has one."""
        from retiscreen.monitoring.figures import Thresholds, monitor_figures

        grader = self.pipeline.grader
        card = grader.model.card.document if grader is not None else None
        settings = self.settings.monitor
        thresholds = Thresholds(settings.psi_alert, settings.ungradable_alert, settings.kappa_alert)
        store = self.store
        return monitor_figures(
            store.eyes_since(since),
            store.referrals(today),
            store.reviews_since(since),
            card,
            thresholds,
            today,
            store.fields_since(since),
        )

    def mark_referral(
        self, screening_id: str, outcome: ReferralOutcome, by: str, note: str | None = None
    ) -> None:
        """Record whether a referred patient was seen (audited)."""
        self.store.mark_referral(screening_id, outcome, by, note)

    def export_csv(self, path: Path) -> int:
        """Every screening and eye as CSV rows at ``path`` (audited); the row count."""
        return self.store.export_csv(path)

    def export(self, screening_id: str, fmt: str, out: Path) -> list[Path]:
        """One screening for a clinic system (audited): ``pdf`` (the report as it was
        printed), ``dicom`` (files in the folder ``out``), ``fhir`` (a Bundle) or ``hl7``
        (an ORU^R01), all but dicom written to the file ``out``, in the clear. The
        newest report goes with it, with the over-read in force; a screening without a
        report of that over-read gets one first. Returns the files written."""
        screening = self.store.load_screening(screening_id)
        review = self.store.latest_review(screening_id)
        report_id = self._newest_report(screening, review)
        pdf = self.store.read_report(report_id)
        return self._export(screening, report_id, pdf, fmt, out, review)

    def _newest_report(self, screening: Screening, review: Review | None = None) -> str:
        """The id of the screening's newest report, written first when it has none or
        when it does not show the over-read in force (``review``)."""
        reports = self.store.reports_for(screening.screening_id)
        wanted = review.review_id if review is not None else None
        if reports and reports[-1]["review_id"] == wanted:
            return str(reports[-1]["report_id"])
        return self.write_report(screening, review)[0]

    def _export(
        self,
        screening: Screening,
        report_id: str,
        pdf: bytes,
        fmt: str,
        out: Path,
        review: Review | None = None,
    ) -> list[Path]:
        from retiscreen.integration import dicom_export, fhir_export, hl7_export
        from retiscreen.store.files import atomic_write

        screening_id = screening.screening_id
        site = self.settings.clinic.site
        try:
            if fmt == "pdf":
                atomic_write(out, pdf)
                written = [out]
            elif fmt == "dicom":
                written = dicom_export.export_dicom(screening, report_id, pdf, out)
            elif fmt == "fhir":
                bundle = fhir_export.screening_bundle(
                    screening, report_id, pdf, site, review=review
                )
                atomic_write(out, bundle.model_dump_json(exclude_none=True, indent=2).encode())
                written = [out]
            elif fmt == "hl7":
                message = hl7_export.export_hl7(screening, report_id, pdf, site, review=review)
                atomic_write(out, message.encode("utf-8"))
                written = [out]
            else:
                raise UsageError(f"unknown export format {fmt!r}: pdf, dicom, fhir or hl7")
        except OSError as exc:
            raise StorageError(
                f"The export could not be written to {out} ({exc.strerror or exc}).",
                reason="io",
            ) from None
        self.store.audit("exported", screening_id=screening_id, format=fmt, files=len(written))
        return written

    def audit(self, event: str, operator: str | None = None, **detail: Any) -> None:
        self.store.audit(event, operator=operator, **detail)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def correct_patient(
        self,
        patient_id: str,
        *,
        operator: str,
        reason: str,
        name: str | None = None,
        date_of_birth: date | None = None,
        sex: str | None = None,
        family_name: str | None = None,
        given_name: str | None = None,
    ) -> tuple[Patient, Patient]:
        """Change a patient's details on file (an audited administrator's action: the
        only way to change them once screenings are filed under them); the details not
        given stay. A new name given only whole drops the old name's parts (they would
        contradict it). Returns (before, after)."""
        before = self.store.find_patient(patient_id)
        if before is None:
            raise StorageError(f"No patient with ID {patient_id!r} is on file.", reason="not_found")
        problem = birth_date_problem(date_of_birth)
        if problem:
            raise UsageError(problem)
        after = replace(
            before,
            date_of_birth=date_of_birth if date_of_birth is not None else before.date_of_birth,
            sex=sex if sex is not None else before.sex,
        )
        if name is not None or family_name is not None or given_name is not None:
            after = named(after, name, family_name, given_name)
        if not after.name:
            raise UsageError("A patient's name cannot be empty.")
        if after == before:
            raise UsageError("Nothing to correct: the details given are those on file.")
        self.store.correct_patient(after, operator, reason)
        return before, after

    def find_patients(self, text: str, viewer: str | None, limit: int = 6) -> list[Patient]:
        """Returning patients that ``text`` (part of a name or an ID) finds, for the
        operator to pick instead of typing (:meth:`ScreeningStore.search_patients`). A
        search that lists anyone is audited with the IDs listed, never the search text."""
        found = self.store.search_patients(text, limit)
        if found:
            self.store.audit(
                "patients_searched",
                operator=viewer,
                patients=[patient.patient_id for patient in found],
            )
        return found

    def keep_draft(self, draft: ScreeningDraft, *, parked_on: str | None = None) -> bool:
        """Keep an unfinished screening in the records (replacing what was kept of it):
        at each step of the capture, and with ``parked_on`` (the page) when the idle
        timeout puts it aside (audited as ``screening_parked``). False when its screening
        is already saved (nothing kept). StorageError when it could not be kept."""
        if draft.patient is None:
            return False
        kept = draft_document(draft)
        detail = None
        if parked_on is not None:
            done = sum(1 for eye in draft.eyes.values() if eye.done)
            detail = {"page": parked_on, "eyes_done": done}
        return self.store.save_draft(
            draft.draft_id,
            draft.operator,
            draft.started_at,
            kept.document,
            kept.photographs,
            event="screening_parked" if parked_on is not None else None,
            detail=detail,
        )

    def drafts_of(self, operator: str) -> list[DraftSummary]:
        """The operator's unfinished screenings, newest first (expired ones removed first)."""
        self.expire_drafts()
        return [summary_of(doc, saved) for doc, saved in self.store.drafts_of(operator)]

    def resume_draft(self, draft_id: str, operator: str) -> ScreeningDraft:
        """The operator's draft again, with its photographs and verdicts (audited as
        ``screening_resumed``). It stays kept until its screening is saved or discarded."""
        document, photographs = self.store.load_draft(draft_id, operator)
        draft = draft_from_document(document, photographs)
        self.store.audit("screening_resumed", screening_id=draft_id, operator=operator)
        return draft

    def discard_draft(self, draft_id: str, operator: str, why: str) -> bool:
        """Remove the operator's draft and its photographs (audited); False if none."""
        return self.store.discard_draft(draft_id, operator, why)

    def expire_drafts(self, now: datetime | None = None) -> list[str]:
        """Remove drafts kept longer than ``[kiosk] draft_expiry_h`` (each audited);
        returns their ids."""
        hours = self.settings.kiosk.draft_expiry_h
        before = (now or datetime.now(UTC)) - timedelta(hours=hours)
        expired = self.store.expire_drafts(
            before.astimezone(UTC).isoformat(timespec="microseconds")
        )
        return [str(document["draft_id"]) for document in expired]

    def resolve_patient(self, patient: Patient) -> Patient:
        """The patient as the records know them (see :meth:`ScreeningStore.resolve_patient`);
        a date of birth in the future or over 120 years ago is refused (UsageError)."""
        problem = birth_date_problem(patient.date_of_birth)
        if problem:
            raise UsageError(f"{problem[0].upper()}{problem[1:]}.")
        return self.store.resolve_patient(patient)

    def same_photograph(self, a: FundusImage, b: FundusImage) -> bool:
        """Whether two photographs are copies of one (exact, or re-encoded/resized): the
        same photograph for both eyes is refused."""
        return copies(a, b)

    def check(self, source: Source) -> Checked:
        """Decode and quality-check one photograph (raises ImageError when unusable)."""
        return self.pipeline.check(source)

    def assess(
        self, inputs: Sequence[EyeInput], patient: Patient | None = None
    ) -> dict[Laterality, EyeResult]:
        """Each eye's result; every photograph is graded in one batched model call (a
        file naming another patient than ``patient`` is refused)."""
        two_fields = self.settings.capture.fields_per_eye == 2
        photographed: list[tuple[Laterality, Source | Checked]] = []
        views: list[FieldView | None] = []
        results: dict[Laterality, EyeResult] = {}
        in_fields: dict[Laterality, dict[FieldView, EyeResult]] = {}
        for item in inputs:
            side = item.laterality
            if not two_fields and (item.macula is not None or item.macula_error is not None):
                raise UsageError(
                    "This site takes one photograph per eye ([capture] fields_per_eye = 1): "
                    "a macula-centred photograph is taken only where fields_per_eye = 2."
                )
            if item.skipped_reason is not None:
                results[side] = self.pipeline.skipped_eye(side, item.skipped_reason, item.absent)
            elif two_fields:
                in_fields[side] = {}
                for view, photo, error in (
                    (FieldView.DISC, item.photograph, item.error),
                    (FieldView.MACULA, item.macula, item.macula_error),
                ):
                    if photo is not None:
                        photographed.append((side, photo))
                        views.append(view)
                    elif error is not None:
                        unreadable = self.pipeline.unreadable_eye(side, error)
                        in_fields[side][view] = unreadable
                    elif view is FieldView.MACULA and item.macula_skipped_reason:
                        reason = item.macula_skipped_reason
                        in_fields[side][view] = self.pipeline.missing_field(side, view, reason)
            elif item.photograph is None:
                why = item.error or "no photograph was taken"
                results[side] = self.pipeline.unreadable_eye(side, why)
            else:
                photographed.append((side, item.photograph))
                views.append(None)
        assessed = self.pipeline.assess_eyes(photographed, patient)
        for eye, field_view in zip(assessed, views, strict=True):
            if field_view is None:
                results[eye.laterality] = eye
            else:
                in_fields[eye.laterality][field_view] = eye
        for side, by_view in in_fields.items():
            results[side] = self.pipeline.eye_from_fields(side, by_view)
        return results

    def screen(
        self,
        patient: Patient,
        inputs: Sequence[EyeInput],
        operator: str,
        site: str | None = None,
        started_at: datetime | None = None,
        order: Order | None = None,
        screening_id: str | None = None,
        exclusion: Exclusion | None = None,
        language: str | None = None,
    ) -> Screening:
        """Grade and decide (not yet saved): an eye not among ``inputs`` is unexamined.
        With ``exclusion`` the patient is referred without screening: no photograph may
        be given, and both eyes are recorded as not photographed, saying why.
        The patient is first matched with the records (StorageError 'identity_mismatch'
        when the ID is on file for someone else), so nothing is graded under a wrong ID.
        ``language`` is the patient's, for the report and letter (default: the site's,
        ``kiosk.language``); an unknown one is refused (UsageError) before anything."""
        language = self.settings.kiosk.language if language is None else language
        problem = language_problem(language)
        if problem:
            raise UsageError(f"{problem[0].upper()}{problem[1:]}.")
        patient = self.resolve_patient(patient)
        if exclusion is not None:
            if any(item.photograph is not None or item.macula is not None for item in inputs):
                raise UsageError(
                    "A patient referred without screening is not photographed: give the "
                    "exclusion or the photographs, not both."
                )
            why = f"Not screened: {ENGLISH.exclusion_reason(exclusion)}"
            inputs = [EyeInput(side, skipped_reason=why) for side in Laterality]
        screening = self.pipeline.screen(
            patient,
            self.assess(inputs, patient),
            operator,
            self.settings.clinic.site if site is None else site,
            started_at=started_at,
            screening_id=screening_id,
            order=order,
            exclusion=exclusion,
        )
        return replace(screening, language=language)

    def record(
        self, screening: Screening, *, print_report: bool = False, copy_to: Path | None = None
    ) -> Recorded:
        """Save, write the report, optionally print. Raises StorageError only when the
        screening itself could not be saved (the caller must say so and keep the data)."""
        self.check_records()
        self.audit_refusals(screening)
        why = queue_reason(screening, self.settings.review.routine_share)
        self.store.save_screening(screening, review_queue=why)
        report_id, pdf = self.write_report(screening)
        if copy_to is not None:
            _copy(pdf, copy_to)
        printing = self.print_report(report_id) if print_report else None
        exported = self.export_automatically(screening, report_id, pdf)
        sent = self.send_automatically(screening.screening_id, report_id)
        return Recorded(screening, report_id, copy_to, printing, exported, sent)

    def review(
        self,
        screening_id: str,
        amendment: Amendment,
        *,
        reviewer: str,
        role: Role,
        print_report: bool = False,
        copy_to: Path | None = None,
    ) -> Reviewed:
        """A reviewer's over-read of a saved screening: agree (an empty ``amendment``) or
        amend grades and the decision with a reason. Refused (ReviewRefused, nothing
        saved) for an operator, a grade for an eye without a photograph, or a decision
        less urgent than the rules give for the reviewed grades. Saved as a new review
        (audited), then the amended report (a new report id) is written, optionally
        printed, exported and sent like a new screening's."""
        from retiscreen.overread import ReviewProblem, ReviewRefused, decide_review

        if not role.may(Role.REVIEWER):
            raise ReviewRefused(ReviewProblem.ROLE)
        self.check_records()
        screening = self.store.load_screening(screening_id)
        review = decide_review(
            screening,
            amendment,
            reviewer,
            self.settings.rules,
            reviewed_at=datetime.now(UTC),
        )
        self.store.add_review(review)
        report_id, pdf = self.write_report(screening, review)
        if copy_to is not None:
            _copy(pdf, copy_to)
        printing = self.print_report(report_id) if print_report else None
        exported = self.export_automatically(screening, report_id, pdf, review)
        sent = self.send_automatically(screening_id, report_id)
        return Reviewed(review, screening, report_id, copy_to, printing, exported, sent)

    def review_queue(self, viewer: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Screenings waiting for an over-read, oldest first (a look at the records:
        audited with the screenings listed)."""
        rows = self.store.review_queue(limit=limit)
        self.store.audit(
            "review_queue_viewed",
            operator=viewer,
            screenings=[row["screening_id"] for row in rows],
        )
        return rows

    def reviews(self, screening_id: str) -> list[Review]:
        """Every over-read of a screening, oldest first (the last is in force)."""
        return self.store.reviews_for(screening_id)

    def open_for_review(
        self, screening_id: str, viewer: str | None
    ) -> tuple[Screening, Review | None]:
        """A saved screening with its photographs and the over-read in force, for a
        reviewer to look at (audited as a look at the records)."""
        screening = self.store.load_screening(screening_id)
        self.store.audit(
            "records_viewed", operator=viewer, screenings=[screening_id], filtered=True
        )
        return screening, self.store.latest_review(screening_id)

    @property
    def delivery(self) -> Delivery:
        from retiscreen.integration.delivery import Delivery

        return Delivery(self.store, self.settings.integration, self.settings.clinic.site)

    def send(
        self,
        screening_id: str,
        *,
        dicom: str | None = None,
        hl7: str | None = None,
        fhir: str | None = None,
    ) -> list[SendResult]:
        """Queue the screening's newest report for each destination (given, else
        configured) and try each at once; what failed stays queued for retries."""
        from retiscreen.integration.delivery import destinations

        targets = destinations(self.settings.integration, dicom, hl7, fhir)
        # not_found / damaged before anything is queued
        screening = self.store.load_screening(screening_id)
        report_id = self._newest_report(screening, self.store.latest_review(screening_id))
        delivery = self.delivery
        return delivery.deliver(delivery.queue(screening_id, report_id, targets))

    def send_automatically(self, screening_id: str, report_id: str) -> list[SendResult]:
        """With ``send_after_screening``, queue and try every configured destination.
        Never raises: a saved screening stays saved, and the outbox keeps what failed."""
        if not self.settings.integration.send_after_screening:
            return []
        from retiscreen.integration.delivery import destinations

        try:
            delivery = self.delivery
            items = delivery.queue(screening_id, report_id, destinations(self.settings.integration))
            return delivery.deliver(items)
        except RetiScreenError as exc:
            log.error("automatic send of %s was not queued: %s", screening_id, exc)
            return []

    def export_automatically(
        self, screening: Screening, report_id: str, pdf: bytes, review: Review | None = None
    ) -> list[Path]:
        """Every configured format into ``export_dir/<screening id>/``, from the
        screening just saved (not read back and decoded again per format). A failure is
        logged and audited, never allowed to undo the saved screening; ``retiscreen
        export`` writes it again."""
        integration = self.settings.integration
        if not integration.export_dir:
            return []
        folder = Path(integration.export_dir).expanduser() / screening.screening_id
        names = {"dicom": "dicom", "fhir": "bundle.json", "hl7": "result.hl7"}
        written: list[Path] = []
        for fmt in integration.formats:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                written += self._export(screening, report_id, pdf, fmt, folder / names[fmt], review)
            except (OSError, RetiScreenError) as exc:
                log.error("automatic %s export of %s failed: %s", fmt, screening.screening_id, exc)
                with contextlib.suppress(StorageError):  # the log line above remains
                    self.store.audit(
                        "export_failed", screening_id=screening.screening_id, format=fmt
                    )
        return written

    def audit_refusals(self, screening: Screening) -> None:
        """Put every photograph the pipeline refused (unreadable, wrong eye, grader
        unavailable) in the audit log. A failing audit write is logged, never allowed to
        stop the screening itself from being saved."""
        for eye in (f for e in screening.eyes for f in e.fields or (e,)):
            if not eye.error or eye.status in NOT_A_REFUSAL:
                continue
            field = {"field": eye.view.value} if eye.view is not None else {}
            try:
                self.store.audit(
                    "image_rejected",
                    screening_id=screening.screening_id,
                    operator=screening.operator,
                    laterality=eye.laterality.value,
                    message=eye.error,
                    **field,
                )
            except StorageError as exc:
                log.warning("audit of a refused photograph failed: %s", exc)

    def write_report(self, screening: Screening, review: Review | None = None) -> tuple[str, bytes]:
        """Render and store a new report (a reprint gets a new report id, same screening);
        with ``review``, the amended report, its code covering the review too. Returns
        its id and the PDF."""
        from retiscreen.report.pdf import render_report  # reportlab: only when a report is made

        report_id = new_report_id()
        vouches = vouched_content(screening, report_id, review)
        code = content_code(self.secret, vouches)
        pdf = render_report(
            screening, self.settings.clinic, self.settings.report, report_id, code, review=review
        )
        self.store.add_report(
            screening.screening_id,
            report_id,
            pdf,
            code,
            vouches,
            review_id=review.review_id if review is not None else None,
        )
        return report_id, pdf

    def verify_report(self, code: str, operator: str | None = None) -> ReportCheck:
        """Whether a paper report's code (or QR text) is genuine and what it vouches for;
        every check is audited, a failed one without any patient detail."""
        from retiscreen.report.checking import check_report

        check = check_report(self.store, self.secret, code)
        self.store.audit(
            "report_verified" if check.genuine else "report_not_verified",
            screening_id=check.vouches.get("screening_id"),
            operator=operator,
            report_id=check.vouches.get("report_id"),
            changed_since=list(check.changed_since),
        )
        return check

    def reprint(
        self, screening_id: str, copy_to: Path | None = None, print_report: bool = False
    ) -> Recorded:
        """A fresh report for a stored screening, from its stored images, showing the
        over-read in force (if any)."""
        screening = self.store.load_screening(screening_id)
        report_id, pdf = self.write_report(screening, self.store.latest_review(screening_id))
        if copy_to is not None:
            _copy(pdf, copy_to)
        printing = self.print_report(report_id) if print_report else None
        return Recorded(screening, report_id, copy_to, printing)

    def printer_name(self) -> str | None:
        """The configured queue, else the CUPS default; None when there is none (or no
        CUPS at all): the report is then queued, never lost."""
        if self.settings.report.printer:
            return self.settings.report.printer
        try:
            return default_printer()
        except PrinterError:
            return None

    def print_report(self, report_id: str) -> PrintOutcome:
        """Queue durably first, then try the printer; a failure leaves the job pending."""
        printer = self.printer_name() or ""
        job_id = self.store.enqueue_print(report_id, printer, self.settings.report.print_copies)
        return self._attempt(job_id, report_id, printer)

    def make_missing_reports(self, older_than: timedelta = timedelta(0)) -> list[str]:
        """Make the report of every screening saved without one (the program stopped or
        the disk filled between saving and the report); returns their ids. A background
        caller passes ``MISSING_REPORT_GRACE``: a screening saved moments ago may be
        having its report written by another thread."""
        before = (datetime.now(UTC) - older_than).isoformat(timespec="microseconds")
        made = []
        for screening_id in self.store.screenings_without_report(before):
            try:
                self.write_report(
                    self.store.load_screening(screening_id), self.store.latest_review(screening_id)
                )
            except Exception as exc:  # one record that cannot be rendered must not stop the rest
                log.warning(
                    "the report of saved screening %s is still missing: %s", screening_id, exc
                )
                continue
            log.info("made the missing report of saved screening %s", screening_id)
            made.append(screening_id)
        return made

    def retry_outbox(self) -> list[SendResult]:
        """Try every queued send whose pause after its last failure is over."""
        return self.delivery.retry_due()

    def failing_sends(self) -> list[dict[str, Any]]:
        """Queued sends that failed at least once (shown until they go through)."""
        return self.store.failing_sends()

    def failed_print_jobs(self) -> list[dict[str, Any]]:
        """Print jobs that gave up after repeated failures (shown until retried)."""
        return self.store.failed_print_jobs()

    def retry_print_queue(self, include_failed: bool = False) -> list[PrintOutcome]:
        """Send every pending job again (at start-up and when a printer returns), to the
        printer configured now: the one it was queued for may be the one that broke.
        ``include_failed`` (a person asked) first puts jobs that gave up back in the queue."""
        if include_failed:
            for failed in self.store.failed_print_jobs():
                self.store.retry_print(failed["job_id"])
        return [
            self._attempt(
                job["job_id"], job["report_id"], self.printer_name() or job["printer"] or ""
            )
            for job in self.store.pending_print_jobs()
        ]

    def _attempt(self, job_id: int, report_id: str, printer: str) -> PrintOutcome:
        try:
            pdf = self.store.read_report(report_id)
            if not printer:
                raise PrinterError(
                    "No printer is set up on this computer.", PrinterProblem.NO_PRINTER
                )
            submit_to_cups(
                pdf, printer, self.settings.report.print_copies, f"RetiScreen report {report_id}"
            )
        except (PrinterError, StorageError) as exc:
            self.store.mark_print_result(job_id, ok=False, error=str(exc))
            log.warning("print job %s for report %s failed: %s", job_id, report_id, exc)
            return PrintOutcome(
                False,
                f"{exc} The report is saved and will be printed when the printer is back.",
                job_id,
                exc.problem if isinstance(exc, PrinterError) else None,
                printer,
            )
        self.store.mark_print_result(job_id, ok=True, error=None)
        return PrintOutcome(True, f"Sent to printer {printer}.", job_id, printer=printer)

    def printer_status(self) -> PrinterStatus:
        """Which printer reports go to, and whether it can print now (asks CUPS: slow)."""
        try:
            name = self.printer_name()
        except PrinterError as exc:
            return PrinterStatus(False, None, str(exc))
        if not name:
            return PrinterStatus(False, None, None)
        try:
            state = printer_state(name)
        except PrinterError as exc:
            return PrinterStatus(False, name, str(exc))
        if state.ready:
            return PrinterStatus(True, name)
        why = (
            "not found"
            if not state.exists
            else ("stopped" if not state.enabled else "not accepting jobs")
        )
        return PrinterStatus(False, name, why)


def _copy(pdf: bytes, target: Path) -> None:
    """The report the user asked for, written in the clear, atomically, where asked."""
    from retiscreen.store.files import atomic_write

    atomic_write(target, pdf)
