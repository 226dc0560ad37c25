"""The kiosk's window onto the text catalogue, in the screen's current language.

Why a thin adapter: every clinical and operator wording lives in
:mod:`retiscreen.catalogue`, keyed by the domain's enum values; the kiosk only needs to
know which language is on screen (the language switcher sets Qt's default locale) and
asks the catalogue for that. Qt's own translation files keep the kiosk's chrome
(buttons, titles, hints); nothing here parses text.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QLocale

from retiscreen.catalogue import Catalogue
from retiscreen.domain import (
    Confidence,
    Decision,
    DecisionKind,
    Exclusion,
    EyeResult,
    ICDRGrade,
    Laterality,
    QualityReason,
)
from retiscreen.service import PrintOutcome


def catalogue() -> Catalogue:
    """The catalogue of the language now on screen."""
    return Catalogue(QLocale().name().split("_")[0])


def quality_message(reason: QualityReason) -> str:
    """The reason a photograph cannot be graded, in the screen's language."""
    return catalogue().quality(reason)


def grade_words(grade: ICDRGrade | None) -> str:
    return catalogue().grade(grade)


def confidence_words(confidence: Confidence | None) -> str:
    """How clear a graded eye's result is, in the screen's language."""
    return catalogue().confidence(confidence)


def heatmap_note(present: bool) -> str:
    """What the heatmap is and is not (or that the model gives none)."""
    return catalogue().heatmap_note(present)


def eye_name(laterality: Laterality) -> str:
    return catalogue().eye(laterality)


def side_name(laterality: Laterality) -> str:
    return catalogue().side(laterality)


def eye_finding(eye: EyeResult) -> str:
    return catalogue().eye_finding(eye)


def decision_word(decision: Decision) -> str:
    return catalogue().decision_word(decision.kind)


def headline(decision: Decision) -> str:
    return catalogue().headline(decision)


def kind_headline(kind: DecisionKind) -> str:
    return catalogue().text(f"decision.{kind.value}.headline")


def advice(decision: Decision, exclusion: Exclusion | None = None) -> str:
    return catalogue().advice(decision, exclusion)


def exclusion_reason(exclusion: Exclusion) -> str:
    return catalogue().exclusion_reason(exclusion)


def long_date(day: date) -> str:
    return catalogue().long_date(day)


def due_text(decision: Decision, screened_on: date) -> str:
    return catalogue().due(decision, screened_on)


def print_message(outcome: PrintOutcome) -> str:
    """What happened to a print request, in the screen's language. A failure the
    catalogue has no words for keeps CUPS's own details (the core's English)."""
    words = catalogue()
    if outcome.printed:
        return words.text("print.sent", printer=outcome.printer)
    if outcome.problem is None or not words.has(f"print.{outcome.problem.value}"):
        return outcome.message
    text = words.text(f"print.{outcome.problem.value}", printer=outcome.printer)
    return f"{text} {words.text('print.saved')}"
