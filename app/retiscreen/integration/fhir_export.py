"""A screening as a FHIR R4 Bundle: Patient, Device (the grader), one Observation per
eye and a DiagnosticReport carrying the PDF report as its presentedForm.

Built and validated with ``fhir.resources`` (R4B models: R4-compatible resources), so an
invalid resource fails here, not in the clinic's system. Resource ids are derived from
the screening (the same on every export), and every full URL is a ``urn:uuid:``, as a
collection bundle sent to a FHIR server expects. Codes: ``integration/codes.py``.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from retiscreen import __version__
from retiscreen.catalogue import ENGLISH
from retiscreen.domain import (
    EyeResult,
    EyeStatus,
    GradeResult,
    ICDRGrade,
    ModelIdentity,
    Patient,
    Review,
    ReviewOutcome,
    Screening,
)
from retiscreen.identity import sex_code
from retiscreen.integration import codes

NAMESPACE = uuid.UUID("0b7f5c52-6a0e-5d1e-8f1e-52657469466d")


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, chr(31).join(parts)))


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def patient_resource(screening: Screening, site: str) -> dict[str, Any]:
    patient = screening.patient
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _id("patient", site, patient.patient_id),
        "identifier": [
            {
                "system": f"urn:retiscreen:{patient.id_issuer or site}:patient-id",
                "value": patient.patient_id,
                **({"assigner": {"display": patient.id_issuer}} if patient.id_issuer else {}),
            }
        ],
        "name": [_human_name(patient)],
    }
    if patient.date_of_birth:
        resource["birthDate"] = patient.date_of_birth.isoformat()
    if patient.sex:
        resource["gender"] = {"F": "female", "M": "male"}.get(sex_code(patient.sex) or "", "other")
    return resource


def _human_name(patient: Patient) -> dict[str, Any]:
    name: dict[str, Any] = {"text": patient.name}
    if patient.family_name:
        name["family"] = patient.family_name
    if patient.given_name:
        name["given"] = patient.given_name.split()
    return name


def device_resource(model: ModelIdentity) -> dict[str, Any]:
    return {
        "resourceType": "Device",
        "id": _id("device", model.name, model.version, model.sha256),
        "identifier": [{"system": "urn:retiscreen:model-sha256", "value": model.sha256}],
        "deviceName": [{"name": model.name, "type": "model-name"}],
        "version": [{"value": model.version}, {"value": __version__, "type": {"text": "app"}}],
        "manufacturer": "RetiScreen",
    }


def _absent(eye: EyeResult) -> dict[str, Any]:
    """Why an eye has no grade, as FHIR's data-absent-reason."""
    return _concept(
        "http://terminology.hl7.org/CodeSystem/data-absent-reason",
        "not-performed" if eye.status is not EyeStatus.UNAVAILABLE else "error",
        ENGLISH.eye_status(eye.status),
    )


def _referable_components(grade: GradeResult) -> list[dict[str, Any]]:
    """The model's referable flag and probability (the AI's, kept after an over-read)."""
    return [
        {"code": _concept(codes.LOCAL, *codes.REFERABLE), "valueBoolean": grade.referable},
        {
            "code": _concept(codes.LOCAL, *codes.REFERABLE_PROBABILITY),
            "valueQuantity": {
                "value": round(grade.referable_probability, 4),
                "unit": "probability",
                "system": "http://unitsofmeasure.org",
                "code": "1",
            },
        },
    ]


def _grade_concept(grade: ICDRGrade) -> dict[str, Any]:
    answer, answer_display = codes.SEVERITY_ANSWER[grade]
    return _concept(codes.LOINC, answer, answer_display)


def observation_resource(
    screening: Screening,
    eye: EyeResult,
    patient_ref: str,
    device_ref: str | None,
    review: Review | None = None,
) -> dict[str, Any]:
    """The eye's ICDR grade as the LOINC severity answer, with the referable status and
    probability as components; an eye that was not graded says why (dataAbsentReason).
    A two-field eye's value is the eye's own; each field's finding is a note.
    After an over-read the value is the reviewer's grade (status ``amended`` when it
    changed), the AI's grade kept as the ``ai-icdr-grade`` component."""
    question, question_display = codes.SEVERITY_QUESTION[eye.laterality]
    site, site_display = codes.EYE_SITE[eye.laterality]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": _id("observation", screening.screening_id, eye.laterality.value),
        "status": "final",
        "category": [
            _concept("http://terminology.hl7.org/CodeSystem/observation-category", "exam", "Exam")
        ],
        "code": _concept(codes.LOINC, question, question_display),
        "subject": {"reference": patient_ref},
        "effectiveDateTime": screening.started_at.isoformat(),
        "bodySite": _concept(codes.SNOMED, site, site_display),
        # a two-field eye: each field's finding beside the eye's (its worse gradable one's)
        "note": [{"text": ENGLISH.eye_finding(eye)}]
        + [{"text": ENGLISH.field_finding(f)} for f in eye.fields],
    }
    if device_ref:
        resource["device"] = {"reference": device_ref}
    grade = eye.grade
    reviewed = review.grade(eye.laterality) if review is not None else None
    referable = _referable_components(grade) if grade is not None else []
    if review is not None and reviewed is not None:
        ai_grade = grade.grade if grade is not None else None
        resource["valueCodeableConcept"] = _grade_concept(reviewed)
        resource["status"] = "amended" if reviewed != ai_grade else "final"
        resource["performer"] = [{"display": review.reviewer}]
        ai_value: dict[str, Any] = (
            {"valueCodeableConcept": _grade_concept(ai_grade)}
            if ai_grade is not None
            else {"dataAbsentReason": _absent(eye)}
        )
        ai = {"code": _concept(codes.LOCAL, *codes.AI_GRADE), **ai_value}
        resource["component"] = [ai, *referable]
        resource["note"].append(
            {"text": f"{ENGLISH.review_outcome(review.outcome)}: {ENGLISH.grade(reviewed)}"}
        )
    elif eye.status is EyeStatus.GRADED and grade is not None:
        resource["valueCodeableConcept"] = _grade_concept(grade.grade)
        resource["component"] = referable
    else:
        resource["dataAbsentReason"] = _absent(eye)
    return resource


def _accession(screening: Screening) -> list[dict[str, Any]]:
    """The accession number as a FHIR identifier of type ACSN, when the visit has one."""
    if not screening.order.accession_number:
        return []
    acsn = {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "ACSN"}
    return [{"type": {"coding": [acsn]}, "value": screening.order.accession_number}]


def report_resource(
    screening: Screening,
    report_id: str,
    pdf: bytes,
    patient_ref: str,
    results: list[str],
    issued: datetime,
    review: Review | None = None,
) -> dict[str, Any]:
    """The report; after an over-read its conclusion is the reviewer's decision (status
    ``amended`` when it changed anything), the AI's kept as an ``ai-decision-*`` code and
    the reviewer named as the results interpreter."""
    decision = screening.decision if review is None else review.decision
    # the exclusion explains the decision unless a reviewer made it another kind
    exclusion = screening.exclusion if decision.kind is screening.decision.kind else None
    resource: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": _id("report", screening.screening_id, report_id),
        "identifier": [
            {"system": "urn:retiscreen:report-id", "value": report_id},
            *_accession(screening),
        ],
        "status": "final",
        "code": _concept(codes.LOCAL, *codes.SCREENING_REPORT),
        "subject": {"reference": patient_ref},
        "effectiveDateTime": screening.started_at.isoformat(),
        "issued": issued.isoformat(),
        "result": [{"reference": ref} for ref in results],
        "conclusion": f"{ENGLISH.headline(decision)} {ENGLISH.advice(decision, exclusion)}",
        "conclusionCode": [_concept(codes.LOCAL, *codes.decision_code(decision.kind))],
        "presentedForm": [
            {
                "contentType": "application/pdf",
                "data": base64.b64encode(pdf).decode("ascii"),
                "title": f"RetiScreen report {report_id}",
            }
        ],
    }
    if review is not None:
        if review.outcome is ReviewOutcome.AMENDED:
            resource["status"] = "amended"
        resource["conclusionCode"].append(
            _concept(codes.LOCAL, *codes.ai_decision_code(review.ai_decision))
        )
        resource["conclusionCode"].append(
            _concept(codes.LOCAL, *codes.review_outcome_code(review.outcome))
        )
        resource["resultsInterpreter"] = [{"display": review.reviewer}]
        said = f" {ENGLISH.review_outcome(review.outcome)} ({review.reviewer}"
        said += f", {review.reviewed_at.isoformat()})"
        said += f": {review.reason}" if review.reason else "."
        resource["conclusion"] += said
    return resource


def screening_bundle(
    screening: Screening,
    report_id: str,
    pdf: bytes,
    site: str,
    issued: datetime | None = None,
    review: Review | None = None,
) -> Bundle:
    """The validated Bundle (fhir.resources raises on anything invalid); with
    ``review``, the over-read in force beside the AI result."""
    issued = issued or datetime.now().astimezone()
    patient = patient_resource(screening, site)
    entries = [patient]
    models = [eye.grade.model for eye in screening.eyes if eye.grade is not None]
    device = device_resource(models[0]) if models else None
    if device:
        entries.append(device)
    patient_ref = f"urn:uuid:{patient['id']}"
    device_ref = f"urn:uuid:{device['id']}" if device else None
    observations = [
        observation_resource(screening, eye, patient_ref, device_ref, review)
        for eye in screening.eyes
        if eye.status is not EyeStatus.ABSENT
    ]
    entries += observations
    results = [f"urn:uuid:{o['id']}" for o in observations]
    entries.append(report_resource(screening, report_id, pdf, patient_ref, results, issued, review))
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": _id("bundle", screening.screening_id, report_id),
            # What a server's conditional create matches a resend by (fhir_send).
            "identifier": {"system": "urn:retiscreen:report-id", "value": report_id},
            "type": "collection",
            "timestamp": issued.isoformat(),
            "entry": [{"fullUrl": f"urn:uuid:{e['id']}", "resource": e} for e in entries],
        }
    )
