"""Screening <-> plain JSON-safe dict, for the snapshot kept with every saved record.

Why a snapshot and not only columns: the columns serve search and export, but the
report must be re-printable years later exactly as it was decided, with every
probability, threshold and model identity, even after the schema has grown. Pixel data
is never put here: photographs live as their original files next to the database and
are checked against the sha256 recorded here.

Floats that are not finite (NaN, ±inf can appear in heuristic measures) are written as
the strings "nan", "inf", "-inf" so the JSON stays standard, and read back as floats.
Reading is strict: a missing or mistyped field raises ValueError rather than guessing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from retiscreen.domain import (
    Confidence,
    Decision,
    DecisionKind,
    Exclusion,
    EyeResult,
    EyeStatus,
    FieldView,
    FundusField,
    FundusImage,
    GradeResult,
    Heatmap,
    ICDRGrade,
    Laterality,
    MacularOedema,
    ModelIdentity,
    Order,
    Patient,
    QualityReason,
    QualityReport,
    Screening,
)

SNAPSHOT_FORMAT = 2
"""Bumped when the dict layout changes; readers refuse formats they do not know.
Format 1 (before decisions were data) is still read: see :func:`_legacy_kind`."""
READABLE_FORMATS = (1, 2)
_LEGACY_KINDS = {0: DecisionKind.ROUTINE, 2: DecisionKind.REFER, 3: DecisionKind.URGENT}

_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


# --------------------------------------------------------------------------- writing


def _num(value: float) -> float | str:
    number = float(value)
    if math.isfinite(number):
        return number
    if math.isnan(number):
        return "nan"
    return "inf" if number > 0 else "-inf"


def _opt_num(value: float | None) -> float | str | None:
    return None if value is None else _num(value)


def _decision_to_dict(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "kind": decision.kind.value,
        "follow_up_months": decision.follow_up_months,
        "follow_up_weeks": decision.follow_up_weeks,
    }


def _image_to_dict(image: FundusImage | None) -> dict[str, Any] | None:
    if image is None:
        return None
    return {
        "sha256": image.sha256,
        "source": image.source,
        "original_size": [int(image.original_size[0]), int(image.original_size[1])],
        "file_format": image.file_format,
    }


def quality_to_dict(quality: QualityReport | None) -> dict[str, Any] | None:
    if quality is None:
        return None
    return {
        "gradable": bool(quality.gradable),
        "score": _num(quality.score),
        "reasons": [reason.value for reason in quality.reasons],
        "measures": {str(k): _num(v) for k, v in quality.measures.items()},
        "model_probability": _opt_num(quality.model_probability),
    }


def _grade_to_dict(grade: GradeResult | None) -> dict[str, Any] | None:
    if grade is None:
        return None
    return {
        "grade": int(grade.grade),
        "probabilities": [_num(p) for p in grade.probabilities],
        "referable_probability": _num(grade.referable_probability),
        "referable": bool(grade.referable),
        "threshold": _num(grade.threshold),
        "model": {
            "name": grade.model.name,
            "version": grade.model.version,
            "sha256": grade.model.sha256,
        },
        "provider": grade.provider,
        "confidence": grade.confidence.value if grade.confidence else None,
        "heatmap": _heatmap_to_dict(grade.heatmap),
        "macular_oedema": _oedema_to_dict(grade.macular_oedema),
    }


def _oedema_to_dict(oedema: MacularOedema | None) -> dict[str, Any] | None:
    if oedema is None:
        return None
    return {
        "probability": _num(oedema.probability),
        "threshold": _num(oedema.threshold),
        "in_decision": oedema.in_decision,
    }


def _oedema_from_dict(d: Any, where: str) -> MacularOedema | None:
    if d is None:  # records saved before the DME output, or by a model without one
        return None
    d = _dict(d, where)
    return MacularOedema(
        probability=_float(_field(d, "probability", where), f"{where}.probability"),
        threshold=_float(_field(d, "threshold", where), f"{where}.threshold"),
        in_decision=_bool(_field(d, "in_decision", where), f"{where}.in_decision"),
    )


_FIELD_ORDER = (
    "center_x", "center_y", "radius", "area_fraction",
    "visible_fraction", "circularity", "rim_fraction",
)  # fmt: skip
"""A stored heatmap's field, in FundusField's own order."""


def _heatmap_to_dict(heatmap: Heatmap | None) -> dict[str, Any] | None:
    """The map's small grid and the field its crop was cut around (a few hundred bytes,
    inside the encrypted database): a re-made report draws the same map the kiosk showed,
    from the stored photograph, whatever model is installed by then."""
    if heatmap is None:
        return None
    f = heatmap.field
    return {
        "values": [[_num(v) for v in row] for row in heatmap.values],
        "display_max": _num(heatmap.display_max),
        "field": [_num(getattr(f, name)) for name in _FIELD_ORDER],
    }


def _eye_to_dict(eye: EyeResult) -> dict[str, Any]:
    return {
        "laterality": eye.laterality.value,
        "status": eye.status.value,
        "image": _image_to_dict(eye.image),
        "quality": quality_to_dict(eye.quality),
        "grade": _grade_to_dict(eye.grade),
        "decision": _decision_to_dict(eye.decision),
        "error": eye.error,
        "skipped_reason": eye.skipped_reason,
        "timings_ms": {str(k): _num(v) for k, v in eye.timings_ms.items()},
        # a two-field site's fields, each a whole result with its own photograph record;
        # absent from snapshots saved before fields (read as a one-field eye)
        "view": eye.view.value if eye.view is not None else None,
        "fields": [_eye_to_dict(f) for f in eye.fields],
    }


def screening_to_dict(s: Screening) -> dict[str, Any]:
    """Everything about a screening except pixels, as JSON-safe built-in types."""
    patient = s.patient
    return {
        "format": SNAPSHOT_FORMAT,
        "screening_id": s.screening_id,
        "patient": {
            "patient_id": patient.patient_id,
            "name": patient.name,
            "date_of_birth": (patient.date_of_birth.isoformat() if patient.date_of_birth else None),
            "sex": patient.sex,
            "family_name": patient.family_name,
            "given_name": patient.given_name,
            "id_issuer": patient.id_issuer,
        },
        "order": {
            "accession_number": s.order.accession_number,
            "referring_physician": s.order.referring_physician,
            "study_uid": s.order.study_uid,
        },
        "operator": s.operator,
        "site": s.site,
        "started_at": s.started_at.isoformat(),
        "eyes": [_eye_to_dict(eye) for eye in s.eyes],
        "decision": _decision_to_dict(s.decision),
        "exclusion": s.exclusion.value if s.exclusion is not None else None,
        "language": s.language,
    }


# --------------------------------------------------------------------------- reading


def _field(d: dict[str, Any], key: str, where: str) -> Any:
    if key not in d:
        raise ValueError(f"screening snapshot: {where}.{key} is missing")
    return d[key]


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"screening snapshot: {where} should be an object")
    return value


def _opt_dict(value: Any, where: str) -> dict[str, Any] | None:
    return None if value is None else _dict(value, where)


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"screening snapshot: {where} should be a list")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"screening snapshot: {where} should be text")
    return value


def _opt_str(value: Any, where: str) -> str | None:
    return None if value is None else _str(value, where)


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"screening snapshot: {where} should be a whole number")
    return value


def _opt_int(value: Any, where: str) -> int | None:
    return None if value is None else _int(value, where)


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"screening snapshot: {where} should be true or false")
    return value


def _float(value: Any, where: str) -> float:
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"screening snapshot: {where} should be a number")
    return float(value)


def _opt_float(value: Any, where: str) -> float | None:
    return None if value is None else _float(value, where)


def _float_map(value: Any, where: str) -> dict[str, float]:
    return {str(k): _float(v, f"{where}.{k}") for k, v in _dict(value, where).items()}


def _legacy_kind(d: dict[str, Any], where: str) -> DecisionKind:
    """A format-1 decision (urgency number + English headline) as a kind. The only place
    that reads old wording: records saved before decisions were data."""
    urgency = _int(_field(d, "urgency", where), f"{where}.urgency")
    if urgency == 1:
        headline = _str(_field(d, "headline", where), f"{where}.headline")
        return DecisionKind.UNAVAILABLE if headline.startswith("Cannot") else DecisionKind.EXAMINE
    if urgency not in _LEGACY_KINDS:
        raise ValueError(f"screening snapshot: {where}.urgency {urgency} is not known")
    return _LEGACY_KINDS[urgency]


def _decision_from_dict(d: dict[str, Any], where: str) -> Decision:
    kind = DecisionKind(_str(d["kind"], f"{where}.kind")) if "kind" in d else _legacy_kind(d, where)
    return Decision(
        kind=kind,
        follow_up_months=_opt_int(_field(d, "follow_up_months", where), where),
        follow_up_weeks=_opt_int(_field(d, "follow_up_weeks", where), where),
    )


def _legacy_status(eye: EyeResult) -> EyeStatus:
    """A format-1 eye's state, from what it recorded (format 2 stores it)."""
    if eye.skipped_reason is not None:
        return EyeStatus.NOT_PHOTOGRAPHED
    if eye.grade is not None:
        return EyeStatus.GRADED
    if eye.quality is None:
        return EyeStatus.UNREADABLE
    if not eye.quality.gradable or (eye.error and "grading unavailable" not in eye.error):
        return EyeStatus.UNGRADABLE
    return EyeStatus.UNAVAILABLE


def quality_from_dict(d: dict[str, Any] | None, where: str) -> QualityReport | None:
    if d is None:
        return None
    reasons = _list(_field(d, "reasons", where), f"{where}.reasons")
    return QualityReport(
        gradable=_bool(_field(d, "gradable", where), f"{where}.gradable"),
        score=_float(_field(d, "score", where), f"{where}.score"),
        reasons=tuple(QualityReason(_str(r, f"{where}.reasons")) for r in reasons),
        measures=_float_map(_field(d, "measures", where), f"{where}.measures"),
        model_probability=_opt_float(
            _field(d, "model_probability", where), f"{where}.model_probability"
        ),
    )


def _grade_from_dict(d: dict[str, Any] | None, where: str) -> GradeResult | None:
    if d is None:
        return None
    probs = [
        _float(p, f"{where}.probabilities")
        for p in _list(_field(d, "probabilities", where), f"{where}.probabilities")
    ]
    if len(probs) != len(ICDRGrade):
        raise ValueError(f"screening snapshot: {where}.probabilities should have 5 values")
    model = _dict(_field(d, "model", where), f"{where}.model")
    return GradeResult(
        grade=ICDRGrade(_int(_field(d, "grade", where), f"{where}.grade")),
        probabilities=(probs[0], probs[1], probs[2], probs[3], probs[4]),
        referable_probability=_float(
            _field(d, "referable_probability", where), f"{where}.referable_probability"
        ),
        referable=_bool(_field(d, "referable", where), f"{where}.referable"),
        threshold=_float(_field(d, "threshold", where), f"{where}.threshold"),
        model=ModelIdentity(
            name=_str(_field(model, "name", where), f"{where}.model.name"),
            version=_str(_field(model, "version", where), f"{where}.model.version"),
            sha256=_str(_field(model, "sha256", where), f"{where}.model.sha256"),
        ),
        provider=_str(_field(d, "provider", where), f"{where}.provider"),
        # both absent from records saved before heatmaps and confidence bands
        confidence=(
            None
            if d.get("confidence") is None
            else Confidence(_str(d["confidence"], f"{where}.confidence"))
        ),
        heatmap=_heatmap_from_dict(d.get("heatmap"), f"{where}.heatmap"),
        macular_oedema=_oedema_from_dict(d.get("macular_oedema"), f"{where}.macular_oedema"),
    )


def _heatmap_from_dict(d: Any, where: str) -> Heatmap | None:
    if d is None:
        return None
    d = _dict(d, where)
    rows = _list(_field(d, "values", where), f"{where}.values")
    values = tuple(tuple(_float(v, f"{where}.values") for v in _list(r, where)) for r in rows)
    if not values or len({len(r) for r in values}) != 1 or not values[0]:
        raise ValueError(f"screening snapshot: {where}.values should be a non-empty grid")
    field = [_float(v, f"{where}.field") for v in _list(_field(d, "field", where), where)]
    if len(field) != 7:
        raise ValueError(f"screening snapshot: {where}.field should have 7 numbers")
    return Heatmap(
        values,
        FundusField(*field),
        _float(_field(d, "display_max", where), f"{where}.display_max"),
    )


def _check_image(
    recorded: dict[str, Any] | None, image: FundusImage | None, where: str
) -> FundusImage | None:
    """A photograph handed in must be the one the snapshot recorded (same bytes)."""
    if recorded is None:
        if image is not None:
            raise ValueError(f"{where}: no photograph was recorded, but one was supplied")
        return None
    sha256 = _str(_field(recorded, "sha256", where), f"{where}.sha256")
    if image is not None and image.sha256 != sha256:
        raise ValueError(
            f"{where}: the supplied photograph (sha256 {image.sha256[:12]}…) is not the one "
            f"recorded (sha256 {sha256[:12]}…)"
        )
    return image


def screening_from_dict(
    d: dict[str, Any],
    images: Mapping[Laterality, FundusImage | None],
    field_images: Mapping[tuple[Laterality, FieldView], FundusImage | None] | None = None,
) -> Screening:
    """Rebuild a Screening from :func:`screening_to_dict` output and its photographs
    (``field_images``: a two-field eye's, by eye and field).

    ``images`` supplies the decoded photographs (the dict holds none). An eye whose
    photograph is absent from ``images`` gets ``image=None``; a supplied photograph
    whose sha256 differs from the recorded one raises ValueError, as does any missing
    or mistyped field or an unknown snapshot format.
    """
    d = _dict(d, "snapshot")
    version = _field(d, "format", "snapshot")
    if version not in READABLE_FORMATS:
        raise ValueError(
            f"screening snapshot format {version!r} is not understood by this version "
            f"of RetiScreen (it reads formats {', '.join(map(str, READABLE_FORMATS))})"
        )
    patient = _dict(_field(d, "patient", "snapshot"), "patient")
    dob = _opt_str(_field(patient, "date_of_birth", "patient"), "patient.date_of_birth")
    eyes: list[EyeResult] = []
    for index, raw_eye in enumerate(_list(_field(d, "eyes", "snapshot"), "eyes")):
        eye = _dict(raw_eye, f"eyes[{index}]")
        where = f"eyes[{index}]"
        laterality = Laterality(_str(_field(eye, "laterality", where), f"{where}.laterality"))
        eyes.append(_eye_from_dict(eye, laterality, images, field_images or {}))
    return Screening(
        screening_id=_str(_field(d, "screening_id", "snapshot"), "screening_id"),
        patient=Patient(
            patient_id=_str(_field(patient, "patient_id", "patient"), "patient.patient_id"),
            name=_str(_field(patient, "name", "patient"), "patient.name"),
            date_of_birth=date.fromisoformat(dob) if dob is not None else None,
            sex=_opt_str(_field(patient, "sex", "patient"), "patient.sex"),
            # Snapshots saved before orders and structured names were recorded lack these.
            family_name=_opt_str(patient.get("family_name"), "patient.family_name"),
            given_name=_opt_str(patient.get("given_name"), "patient.given_name"),
            id_issuer=_opt_str(patient.get("id_issuer"), "patient.id_issuer"),
        ),
        operator=_str(_field(d, "operator", "snapshot"), "operator"),
        site=_str(_field(d, "site", "snapshot"), "site"),
        started_at=datetime.fromisoformat(_str(_field(d, "started_at", "snapshot"), "started_at")),
        eyes=tuple(eyes),
        decision=_decision_from_dict(
            _dict(_field(d, "decision", "snapshot"), "decision"), "decision"
        ),
        order=_order_from_dict(_opt_dict(d.get("order"), "order")),
        # absent from snapshots saved before the exclusion questions
        exclusion=None
        if d.get("exclusion") is None
        else Exclusion(_str(d["exclusion"], "exclusion")),
        # Snapshots saved before reports were written in the patient's language: English.
        language=_str(d.get("language", "en"), "language"),
    )


def _eye_from_dict(
    eye: dict[str, Any],
    laterality: Laterality,
    images: Mapping[Laterality, FundusImage | None],
    field_images: Mapping[tuple[Laterality, FieldView], FundusImage | None],
    view: FieldView | None = None,
) -> EyeResult:
    """One eye (or, with ``view``, one field of a two-field eye) and its fields."""
    where = f"{laterality.value} eye" + (f" {view.value} field" if view else "")
    raw_decision = _opt_dict(_field(eye, "decision", where), f"{where}.decision")
    recorded_view = _opt_str(eye.get("view"), f"{where}.view")
    own_view = FieldView(recorded_view) if recorded_view is not None else None
    if view is not None and own_view is not view:
        raise ValueError(f"screening snapshot: {where} is recorded as another field")
    raw_fields = _list(eye.get("fields", []), f"{where}.fields")
    fields = []
    for raw in raw_fields:
        field = _dict(raw, f"{where}.fields")
        field_view = FieldView(_str(_field(field, "view", where), f"{where}.fields.view"))
        fields.append(_eye_from_dict(field, laterality, {}, field_images, field_view))
    own = images.get(laterality) if view is None else field_images.get((laterality, view))
    read = EyeResult(
        laterality=laterality,
        status=EyeStatus(_str(eye.get("status", "graded"), f"{where}.status")),
        image=_check_image(
            _opt_dict(_field(eye, "image", where), f"{where}.image"),
            own,
            f"{where} photograph",
        ),
        quality=quality_from_dict(
            _opt_dict(_field(eye, "quality", where), f"{where}.quality"),
            f"{where}.quality",
        ),
        grade=_grade_from_dict(
            _opt_dict(_field(eye, "grade", where), f"{where}.grade"), f"{where}.grade"
        ),
        decision=None
        if raw_decision is None
        else _decision_from_dict(raw_decision, f"{where}.decision"),
        error=_opt_str(_field(eye, "error", where), f"{where}.error"),
        skipped_reason=_opt_str(_field(eye, "skipped_reason", where), f"{where}.skipped_reason"),
        timings_ms=_float_map(_field(eye, "timings_ms", where), f"{where}.timings_ms"),
        view=own_view,
        fields=tuple(fields),
    )
    if "status" not in eye:
        read = replace(read, status=_legacy_status(read))
    return read


def _order_from_dict(d: dict[str, Any] | None) -> Order:
    if d is None:
        return Order()
    return Order(
        _opt_str(d.get("accession_number"), "order.accession_number"),
        _opt_str(d.get("referring_physician"), "order.referring_physician"),
        _opt_str(d.get("study_uid"), "order.study_uid"),
    )


def recorded_image(d: dict[str, Any], laterality: Laterality) -> dict[str, Any] | None:
    """The snapshot's record of one eye's photograph (sha256, source, …), if any."""
    for raw_eye in _list(_field(_dict(d, "snapshot"), "eyes", "snapshot"), "eyes"):
        eye = _dict(raw_eye, "eye")
        if eye.get("laterality") == laterality.value:
            return _opt_dict(eye.get("image"), f"{laterality.value} eye image")
    return None


def recorded_field_images(
    d: dict[str, Any], laterality: Laterality
) -> dict[FieldView, dict[str, Any]]:
    """The snapshot's record of each photographed field of one eye (two-field sites)."""
    found: dict[FieldView, dict[str, Any]] = {}
    for raw_eye in _list(_field(_dict(d, "snapshot"), "eyes", "snapshot"), "eyes"):
        eye = _dict(raw_eye, "eye")
        if eye.get("laterality") != laterality.value:
            continue
        for raw in _list(eye.get("fields", []), f"{laterality.value} eye fields"):
            field = _dict(raw, f"{laterality.value} eye field")
            image = _opt_dict(field.get("image"), f"{laterality.value} eye field image")
            if image is not None:
                found[FieldView(_str(field.get("view"), "field view"))] = image
    return found
