"""The public JSON shape of a screening (``retiscreen screen --json``, ``history --json``).

Why its own module: scripts and clinic systems read this shape, so it is documented in
the README and kept stable, apart from the internal snapshot format in
:mod:`retiscreen.store.serialize`. Kinds and statuses are the domain's enum values;
the words beside them are the catalogue's English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from retiscreen.catalogue import ENGLISH
from retiscreen.domain import EyeResult, Screening


def eye_json(eye: EyeResult) -> dict[str, Any]:
    """One eye: its status, grade and score, the threshold used, how clear the result is
    (a :class:`~retiscreen.domain.Confidence` value) and why it is ungradable."""
    grade = eye.grade
    return {
        "laterality": eye.laterality.value,
        "status": eye.status.value,
        "icdr_grade": int(grade.grade) if grade else None,
        "referable_probability": round(grade.referable_probability, 5) if grade else None,
        "threshold": grade.threshold if grade else None,
        "confidence": grade.confidence.value if grade and grade.confidence else None,
        "quality_reasons": [r.value for r in eye.quality.reasons] if eye.quality else [],
    }


def screening_json(
    screening: Screening,
    report: Path | None = None,
    printed: bool = False,
    reports: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The whole screening as one JSON-safe object; ``reports`` are its stored reports
    (``ScreeningStore.reports_for``), each listed with the verification code printed on
    it, so a clinic system can check a paper report against the record."""
    decision = screening.decision
    due = decision.follow_up_date(screening.started_at.date())
    return {
        "screening_id": screening.screening_id,
        "patient_id": screening.patient.patient_id,
        "decision": {
            "kind": decision.kind.value,
            "headline": ENGLISH.headline(decision),
            "advice": ENGLISH.advice(decision),
            "follow_up_due": due.isoformat() if due else None,
        },
        "eyes": [eye_json(eye) for eye in screening.eyes],
        "report": str(report) if report else None,
        "printed": printed,
        "reports": [
            {
                "report_id": r["report_id"],
                "verification_code": r["verification_code"],
                "created_at": r["created_at"],
                "printed_at": r["printed_at"],
            }
            for r in reports
        ],
    }
