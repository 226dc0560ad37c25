"""What the commands print: one JSON object per graded photograph, and a screening in
plain words. Wording is the catalogue's English."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from retiscreen.catalogue import ENGLISH
from retiscreen.domain import EyeResult, MacularOedema, Screening


def eye_json(eye: EyeResult, source: str) -> dict[str, Any]:
    """One `retiscreen grade` line: everything a script needs, nothing it must guess."""
    quality, grade = eye.quality, eye.grade
    result: dict[str, Any] = {
        "image": source,
        "gradable": bool(quality and quality.gradable),
        "quality_score": round(quality.score, 4) if quality else None,
        "quality_reasons": [r.value for r in quality.reasons] if quality else [],
        "quality_messages": [ENGLISH.quality(r) for r in quality.reasons] if quality else [],
        "icdr_grade": int(grade.grade) if grade else None,
        "icdr_words": ENGLISH.grade(grade.grade) if grade else None,
        "probabilities": [round(p, 5) for p in grade.probabilities] if grade else None,
        "referable_probability": round(grade.referable_probability, 5) if grade else None,
        "referable": grade.referable if grade else None,
        "threshold": grade.threshold if grade else None,
        "confidence": grade.confidence.value if grade and grade.confidence else None,
        "confidence_words": ENGLISH.confidence(grade.confidence) if grade else None,
        "macular_oedema": _oedema(grade.macular_oedema) if grade else None,
        "status": eye.status.value,
        "decision": (
            {
                "kind": eye.decision.kind.value,
                "headline": ENGLISH.headline(eye.decision),
                "advice": ENGLISH.advice(eye.decision),
            }
            if eye.decision
            else None
        ),
        "model": (
            {"name": grade.model.name, "version": grade.model.version, "sha256": grade.model.sha256}
            if grade
            else None
        ),
        "provider": grade.provider if grade else None,
        "timings_ms": eye.timings_ms,
    }
    if eye.error:
        result["error"] = eye.error
    return result


def write_heatmap(eye: EyeResult, source: Path, folder: Path) -> tuple[Path | None, str]:
    """``<stem>.heatmap.png`` in ``folder`` for a graded photograph whose model has a map;
    (None, why not) otherwise. Drawn from the photograph now, like the kiosk does."""
    from retiscreen.imaging.heatmap import overlay_png
    from retiscreen.store.files import atomic_write

    grade = eye.grade
    if grade is None or eye.image is None:
        return None, f"no heatmap for {source.name}: not graded ({eye.status.value})"
    if grade.heatmap is None:
        return None, f"no heatmap for {source.name}: {ENGLISH.heatmap_note(False)}"
    path = folder / f"{source.stem}.heatmap.png"
    atomic_write(path, overlay_png(eye.image.pixels, grade.heatmap), what="the heatmap")
    return path, ENGLISH.heatmap_note(True)


def progress(items: Sequence[Any], label: str) -> Any:
    """A progress bar on stderr for long runs (hidden when stderr is not a terminal)."""
    from tqdm import tqdm

    return tqdm(
        items, desc=label, unit="img", disable=None if len(items) > 3 else True, file=sys.stderr
    )


def print_screening(screening: Screening, report: Path | None, printing: str | None) -> None:
    print(
        f"Screening {screening.screening_id} for {screening.patient.name} "
        f"({screening.patient.patient_id})"
    )
    for eye in screening.eyes:
        state = ENGLISH.eye_finding(eye)
        if eye.skipped_reason:
            state += f" ({eye.skipped_reason})"
        elif eye.grade:
            state += (
                f" (P(referable) {eye.grade.referable_probability:.2f}; "
                f"{ENGLISH.confidence(eye.grade.confidence)})"
            )
            if oedema := ENGLISH.macular_oedema(eye.grade.macular_oedema):
                state += f"; {oedema}"
        elif eye.quality and not eye.quality.gradable:
            state += ": " + " ".join(ENGLISH.quality(r) for r in eye.quality.reasons)
        elif eye.error:
            state += f": {eye.error}"
        print(f"  {eye.laterality.value:5s} eye: {state}")
        for result in eye.fields:  # a two-field site: each field's own finding
            print(f"    {ENGLISH.field_finding(result)}")
        if eye.looks_like is not None:
            print(
                f"  CHECK: the {eye.laterality.value} eye's photograph looks like a "
                f"{eye.looks_like.value} eye (its optic disc is on the {eye.looks_like.value}); "
                "make sure the photographs were not swapped",
                file=sys.stderr,
            )
    due = screening.decision.follow_up_date(screening.started_at.date())
    print(f"DECISION: {ENGLISH.headline(screening.decision)}")
    if screening.exclusion is not None:
        print(f"  NOT SCREENED: {ENGLISH.exclusion_reason(screening.exclusion)}")
    print(f"  {ENGLISH.advice(screening.decision, screening.exclusion)}")
    if due:
        print(f"  Next step due by: {due.isoformat()}")
    if report:
        print(f"Report: {report}")
    if printing:
        print(f"Printing: {printing}")


def _oedema(oedema: MacularOedema | None) -> dict[str, Any] | None:
    """The DME output as data (null: the model has none)."""
    if oedema is None:
        return None
    return {
        "probability": round(oedema.probability, 5),
        "threshold": oedema.threshold,
        "possible": oedema.positive,
        "in_decision": oedema.in_decision,
        "words": ENGLISH.macular_oedema(oedema) or None,
    }
