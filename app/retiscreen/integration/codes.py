"""The coded findings every export uses, in one place (FHIR, HL7 v2).

ICDR grades map to the LOINC answer list of "Diabetic retinopathy severity level"
(LL2117-1: LA18643-9 no apparent retinopathy ... LA18648-8 proliferative), asked by
LOINC 71491-5 (right eye) and 71490-7 (left eye), as autonomous DR screening systems
report to quality measures (CMS131). The eye as body site is SNOMED CT 18944008 (right
eye structure) / 8966001 (left eye structure). Referable status, the decision and
"could not be graded" have no standard code: they use RetiScreen's own code system
(``LOCAL``), documented here.
"""

from __future__ import annotations

from retiscreen.domain import DecisionKind, ICDRGrade, Laterality, ReviewOutcome

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
LOCAL = "urn:retiscreen:codes"

SEVERITY_QUESTION = {
    Laterality.RIGHT: ("71491-5", "Right eye Diabetic retinopathy severity level"),
    Laterality.LEFT: ("71490-7", "Left eye Diabetic retinopathy severity level"),
}
SEVERITY_ANSWER = {
    ICDRGrade(0): ("LA18643-9", "No apparent retinopathy"),
    ICDRGrade(1): ("LA18644-7", "Mild non-proliferative retinopathy"),
    ICDRGrade(2): ("LA18645-4", "Moderate non-proliferative retinopathy"),
    ICDRGrade(3): ("LA18646-2", "Severe non-proliferative retinopathy"),
    ICDRGrade(4): ("LA18648-8", "Proliferative retinopathy"),
}
EYE_SITE = {
    Laterality.RIGHT: ("18944008", "Right eye structure"),
    Laterality.LEFT: ("8966001", "Left eye structure"),
}
REFERABLE = ("referable-dr", "Referable diabetic retinopathy (ICDR grade 2 or worse)")
REFERABLE_PROBABILITY = ("referable-dr-probability", "Probability of referable DR")
SCREENING_REPORT = ("dr-screening-report", "Diabetic retinopathy screening report")
AI_GRADE = ("ai-icdr-grade", "ICDR grade given by the AI before the over-read")
REVIEW_OUTCOME = ("review-outcome", "Over-read by a reviewer")
REVIEW_REASON = ("review-reason", "Why the reviewer amended the result")
EXCLUSION = ("exclusion", "Referred without screening")


def ai_decision_code(kind: DecisionKind) -> tuple[str, str]:
    """The AI's decision, kept beside a reviewer's (``ai-decision-routine``, ...)."""
    return f"ai-decision-{kind.value}", f"RetiScreen AI decision before over-read: {kind.value}"


def review_outcome_code(outcome: ReviewOutcome) -> tuple[str, str]:
    """``review-agreed`` / ``review-amended``."""
    return f"review-{outcome.value}", f"Over-read: {outcome.value}"


def decision_code(kind: DecisionKind) -> tuple[str, str]:
    """The patient's decision as a local code (``decision-routine``, ...)."""
    return f"decision-{kind.value}", f"RetiScreen decision: {kind.value}"
