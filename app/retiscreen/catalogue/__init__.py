"""The one text catalogue: every clinical and operator wording, per language.

Why one catalogue keyed by the domain's enum values: decisions travel as data
(:class:`~retiscreen.domain.DecisionKind`, :class:`~retiscreen.domain.EyeStatus`,
:class:`~retiscreen.domain.QualityReason`, ...) and each front end (CLI, kiosk, report)
asks here for the words in its reader's language at the very edge. Changing a sentence
or adding a language can therefore never change what the kiosk shows or decides.
A key missing in a language falls back to English; a key missing in English is a bug
and raises KeyError (a test checks every language has every key).

Pure standard library, like the domain, so the headless core and the report use it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from retiscreen.catalogue import en, es, pt
from retiscreen.domain import (
    Confidence,
    Decision,
    DecisionKind,
    Exclusion,
    EyeResult,
    EyeStatus,
    FieldView,
    ICDRGrade,
    Laterality,
    MacularOedema,
    QualityReason,
    QueueReason,
    ReviewOutcome,
)

SOURCE_LANGUAGE = "en"
TEXTS: dict[str, dict[str, str]] = {"en": en.TEXTS, "es": es.TEXTS, "pt": pt.TEXTS}
"""Language code → key → text. Tests may swap the texts to prove nothing depends on them."""
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español", "pt": "Português"}
"""Code → the language's name in itself (what a speaker looks for on a button)."""
MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre", "octubre", "noviembre", "diciembre",
    ),
    "pt": (
        "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
        "setembro", "outubro", "novembro", "dezembro",
    ),
}  # fmt: skip


def language_problem(code: str) -> str | None:
    """Why ``code`` is not a language RetiScreen can write (None when it is one)."""
    if code in TEXTS:
        return None
    return f"unknown language {code!r}: use one of {', '.join(TEXTS)}"


class Catalogue:
    """The wording of one language; cheap to make, so make one where you need it."""

    def __init__(self, language: str = SOURCE_LANGUAGE) -> None:
        self.language = language if language in TEXTS else SOURCE_LANGUAGE

    def has(self, key: str) -> bool:
        """Whether the catalogue has words for ``key`` (in English at least)."""
        return key in TEXTS[SOURCE_LANGUAGE]

    def text(self, key: str, **fields: object) -> str:
        """The text for ``key`` with ``{fields}`` filled in."""
        template = TEXTS[self.language].get(key)
        if template is None:
            template = TEXTS[SOURCE_LANGUAGE][key]
        return template.format(**fields) if fields else template

    def decision_word(self, kind: DecisionKind) -> str:
        """One word beside the colour, so the traffic light never relies on colour alone."""
        return self.text(f"decision.{kind.value}.word")

    def headline(self, decision: Decision) -> str:
        return self.text(f"decision.{decision.kind.value}.headline")

    def advice(self, decision: Decision, exclusion: Exclusion | None = None) -> str:
        """What the patient must do; for a patient referred without screening
        (``exclusion``), why they were not screened and what to do instead."""
        key = f"decision.{decision.kind.value}.advice"
        if exclusion is not None:
            key = f"exclusion.{exclusion.value}.advice"
        return self.text(
            key,
            months=decision.follow_up_months,
            weeks=decision.follow_up_weeks,
        )

    def exclusion_reason(self, exclusion: Exclusion) -> str:
        """Why a patient was referred without screening, in a few words."""
        return self.text(f"exclusion.{exclusion.value}.reason")

    def referral_status(self, status: str) -> str:
        """Where a referral's follow-up stands (a :class:`~retiscreen.referrals.ReferralStatus`)."""
        return self.text(f"referral.{status}")

    def eye(self, laterality: Laterality) -> str:
        return self.text(f"eye.{laterality.value}")

    def side(self, laterality: Laterality) -> str:
        """The side of a photograph ("left"), as the optic disc's position is said."""
        return self.text(f"side.{laterality.value}")

    def eye_status(self, status: EyeStatus) -> str:
        return self.text(f"eye_status.{status.value}")

    def grade(self, grade: ICDRGrade | None) -> str:
        return self.text("grade.none" if grade is None else f"grade.{int(grade)}")

    def confidence(self, confidence: Confidence | None) -> str:
        """How clear a graded eye's result is, in words (None: the model gave no bands)."""
        return self.text("confidence.none" if confidence is None else f"confidence.{confidence}")

    def macular_oedema(self, oedema: MacularOedema | None) -> str:
        """The macular-oedema line of a graded eye ('' when the model has no such output
        or found nothing): with the decision when the card puts it there, else a
        reviewer's look."""
        if oedema is None or not oedema.positive:
            return ""
        return self.text("dme.refer" if oedema.in_decision else "dme.review")

    def heatmap_note(self, present: bool) -> str:
        """The one line beside a heatmap (what it is and is not), or why there is none."""
        return self.text("heatmap.explanation" if present else "heatmap.absent")

    def quality(self, reason: QualityReason) -> str:
        return self.text(f"quality.{reason.value}")

    def eye_finding(self, eye: EyeResult) -> str:
        """What one eye's line on a result says: the grade when graded, else its state."""
        if eye.status is EyeStatus.GRADED and eye.grade is not None:
            return self.grade(eye.grade.grade)
        return self.eye_status(eye.status)

    def field_view(self, view: FieldView) -> str:
        """Which field of a two-field eye ("Macula-centred field")."""
        return self.text(f"field.{view.value}")

    def field_finding(self, result: EyeResult) -> str:
        """One field's line of a two-field eye: which field, then its grade or state
        ("not taken" for a field that was not photographed)."""
        if result.view is None:
            return self.eye_finding(result)
        if result.status is EyeStatus.NOT_PHOTOGRAPHED:
            finding = self.text("field.not_taken")
        else:
            finding = self.eye_finding(result)
        return self.text("field.finding", field=self.field_view(result.view), finding=finding)

    def review_outcome(self, outcome: ReviewOutcome) -> str:
        return self.text(f"review.outcome.{outcome.value}")

    def queue_reason(self, reason: QueueReason) -> str:
        return self.text(f"review.queue.{reason.value}")

    def review_problem(self, problem: str, fields: Mapping[str, str]) -> str:
        """Why an over-read was refused: ``fields`` are data (an eye's laterality and
        status, decision kinds), put into words of this language here."""
        words: dict[str, str] = {}
        for name, value in fields.items():
            if name == "eye":
                words[name] = self.eye(Laterality(value))
            elif name == "status":
                words[name] = self.eye_status(EyeStatus(value))
            else:
                words[name] = self.decision_word(DecisionKind(value))
        return self.text(f"review.problem.{problem}", **words)

    def long_date(self, day: date) -> str:
        """'5 March 2026' / '5 de marzo de 2026' / '5 de março de 2026': the month in
        words, never ambiguous."""
        month = MONTHS.get(self.language, MONTHS[SOURCE_LANGUAGE])[day.month - 1]
        if self.language in ("es", "pt"):
            return f"{day.day} de {month} de {day.year}"
        return f"{day.day} {month} {day.year}"

    def due(self, decision: Decision, screened_on: date) -> str:
        """When the next step is due, in words."""
        due = decision.follow_up_date(screened_on)
        return self.text("date.asap") if due is None else self.long_date(due)


ENGLISH = Catalogue(SOURCE_LANGUAGE)
"""The core's own language: the CLI, logs, stored English columns."""
