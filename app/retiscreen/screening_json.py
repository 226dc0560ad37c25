"""The public JSON shape of a screening (``retiscreen screen --json``, ``history --json``).

Why its own module: scripts and clinic systems read this shape, so it is documented in
the README and kept stable, apart from the internal snapshot format in
:mod:`retiscreen.store.serialize`. Kinds and statuses are the domain's enum values;
the words beside them are the catalogue's English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from retiscreen.catalogue import ENGLISH
from retiscreen.domain import (
    Decision,
    Exclusion,
    EyeResult,
    ICDRGrade,
    Laterality,
    Review,
    Screening,
)


def eye_json(eye: EyeResult, review: Review | None = None) -> dict[str, Any]:
    """One eye: its status, the AI's grade and score, the threshold used, how clear the
    result is (a :class:`~retiscreen.domain.Confidence` value), why it is ungradable, the
    grade after the over-read in force (null when never reviewed), and at a two-field
    site each field's own result (empty at a one-field site)."""
    return {
        **_result_json(eye),
        "reviewed_grade": _grade(review.grade(eye.laterality)) if review else None,
        "fields": [_field_json(f, eye) for f in eye.fields],
    }


def _field_json(field: EyeResult, eye: EyeResult) -> dict[str, Any]:
    """One field of a two-field eye, and whether it is the one that decided the eye."""
    view = field.view.value if field.view else None
    return {"view": view, **_result_json(field), "decides": field.view is eye.view}


def _result_json(eye: EyeResult) -> dict[str, Any]:
    """What an eye and each of its fields say alike."""
    grade = eye.grade
    return {
        "laterality": eye.laterality.value,
        "status": eye.status.value,
        "icdr_grade": int(grade.grade) if grade else None,
        "referable_probability": round(grade.referable_probability, 5) if grade else None,
        "threshold": grade.threshold if grade else None,
        "confidence": grade.confidence.value if grade and grade.confidence else None,
        "macular_oedema_possible": (
            grade.macular_oedema.positive if grade and grade.macular_oedema else None
        ),
        "quality_reasons": [r.value for r in eye.quality.reasons] if eye.quality else [],
    }


def _grade(grade: ICDRGrade | None) -> int | None:
    return None if grade is None else int(grade)


def decision_json(
    decision: Decision, screened_on: date, exclusion: Exclusion | None = None
) -> dict[str, Any]:
    """A decision: its kind, the English words for it, and when the next step is due
    (``exclusion``: the patient was referred without screening, and why)."""
    due = decision.follow_up_date(screened_on)
    return {
        "kind": decision.kind.value,
        "headline": ENGLISH.headline(decision),
        "advice": ENGLISH.advice(decision, exclusion),
        "follow_up_due": due.isoformat() if due else None,
    }


def _kept(exclusion: Exclusion | None, final: Decision, screening: Screening) -> Exclusion | None:
    """The exclusion still explains the decision in force unless a reviewer made it
    another kind."""
    return exclusion if final.kind is screening.decision.kind else None


def review_json(review: Review) -> dict[str, Any]:
    """The over-read in force: who, when, what they did, the grades and why."""
    return {
        "review_id": review.review_id,
        "reviewer": review.reviewer,
        "reviewed_at": review.reviewed_at.isoformat(),
        "outcome": review.outcome.value,
        "decision": review.decision.kind.value,
        "rules_decision": review.rules_decision.value,
        "grades": {side.value: _grade(review.grade(side)) for side in Laterality},
        "reason": review.reason,
    }


def screening_json(
    screening: Screening,
    report: Path | None = None,
    printed: bool = False,
    reports: Sequence[Mapping[str, Any]] = (),
    review: Review | None = None,
) -> dict[str, Any]:
    """The whole screening as one JSON-safe object; ``reports`` are its stored reports
    (``ScreeningStore.reports_for``), each listed with the verification code printed on
    it, so a clinic system can check a paper report against the record. ``decision`` is
    the one in force (the reviewer's after an over-read, ``review``); ``ai_decision`` is
    always the AI's own."""
    screened_on = screening.started_at.date()
    final = screening.decision if review is None else review.decision
    exclusion = screening.exclusion
    return {
        "screening_id": screening.screening_id,
        "patient_id": screening.patient.patient_id,
        "exclusion": exclusion.value if exclusion is not None else None,
        "language": screening.language,
        "decision": decision_json(final, screened_on, _kept(exclusion, final, screening)),
        "ai_decision": decision_json(screening.decision, screened_on, exclusion),
        "review": review_json(review) if review is not None else None,
        "eyes": [eye_json(eye, review) for eye in screening.eyes],
        "report": str(report) if report else None,
        "printed": printed,
        "reports": [
            {
                "report_id": r["report_id"],
                "verification_code": r["verification_code"],
                "created_at": r["created_at"],
                "printed_at": r["printed_at"],
                "review_id": r.get("review_id"),
            }
            for r in reports
        ],
    }
