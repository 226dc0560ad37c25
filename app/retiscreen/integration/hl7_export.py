"""A screening as an HL7 v2.5.1 ORU^R01 result message: MSH, PID, PV1, OBR, one OBX per
eye (the ICDR grade as the LOINC severity answer, coded as in ``codes.py``), one OBX for
the patient's decision (and, for a patient referred without screening, one saying why)
and one ED OBX carrying the PDF report (Base64).

Built with ``hl7apy`` at its strict validation level, so a message with a field the
standard does not allow, or of the wrong type, fails here; free text is escaped
(``\\F\\``, ``\\S\\`` ...) so a name with a delimiter cannot break the message.
"""

from __future__ import annotations

import base64
from datetime import datetime

from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message

from retiscreen.catalogue import ENGLISH
from retiscreen.domain import (
    EyeResult,
    EyeStatus,
    ICDRGrade,
    Patient,
    Review,
    ReviewOutcome,
    Screening,
)
from retiscreen.identity import sex_code
from retiscreen.integration import codes

_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"))
PDF_PLACEHOLDER = "RETISCREEN-PDF-DATA"


def escaped(text: str) -> str:
    """Free text with HL7's delimiters written as escape sequences."""
    for raw, escape in _ESCAPES:
        text = text.replace(raw, escape)
    return " ".join(text.split())


def _hl7_time(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S%z")


def _coded(code: str, display: str, system: str) -> str:
    return f"{code}^{escaped(display)}^{system}"


def _eye_value(eye: EyeResult) -> tuple[str, str]:
    """(value type, OBX-5) of one eye: the LOINC answer, or the reason it is absent."""
    if eye.status is EyeStatus.GRADED and eye.grade is not None:
        answer, display = codes.SEVERITY_ANSWER[eye.grade.grade]
        return "CWE", _coded(answer, display, "LN")
    return "ST", escaped(ENGLISH.eye_finding(eye))


def _xpn(patient: Patient) -> str:
    """PID-5 (XPN): family^given when known in parts, else the name as entered."""
    if patient.family_name or patient.given_name:
        return f"{escaped(patient.family_name or '')}^{escaped(patient.given_name or '')}"
    return escaped(patient.name)


def _grade_value(grade: ICDRGrade) -> str:
    answer, display = codes.SEVERITY_ANSWER[grade]
    return _coded(answer, display, "LN")


def oru_message(
    screening: Screening,
    report_id: str,
    site: str,
    control_id: str,
    now: datetime,
    review: Review | None = None,
) -> Message:
    """The validated message (hl7apy raises on anything the standard does not allow).

    After an over-read (``review``) the result is a correction (OBR-25 and the changed
    OBX-11 ``C``): each eye's OBX and the decision carry the reviewer's values, the AI's
    follow as ``ai-icdr-grade`` (same sub-id as its eye) and ``ai-decision-*``, then the
    outcome with the reviewer as responsible observer (OBX-16) and the reason (TX)."""
    message = Message("ORU_R01", version="2.5.1", validation_level=VALIDATION_LEVEL.STRICT)
    msh = message.msh
    msh.msh_3, msh.msh_4 = "RETISCREEN", escaped(site)
    msh.msh_7 = _hl7_time(now)
    msh.msh_9 = "ORU^R01^ORU_R01"
    msh.msh_10 = control_id[:20]
    msh.msh_11, msh.msh_12 = "P", "2.5.1"
    msh.msh_18 = "UNICODE UTF-8"
    result = message.add_group("ORU_R01_PATIENT_RESULT")
    patient_group = result.add_group("ORU_R01_PATIENT")
    pid = patient_group.add_segment("PID")
    patient = screening.patient
    pid.pid_1 = "1"
    pid.pid_3 = f"{escaped(patient.patient_id)}^^^{escaped(patient.id_issuer or site)}"
    pid.pid_5 = _xpn(patient)
    if patient.date_of_birth:
        pid.pid_7 = patient.date_of_birth.strftime("%Y%m%d")
    pid.pid_8 = sex_code(patient.sex) or "U"
    patient_group.add_group("ORU_R01_VISIT").add_segment("PV1").pv1_2 = "O"  # outpatient
    order = result.add_group("ORU_R01_ORDER_OBSERVATION")
    obr = order.add_segment("OBR")
    obr.obr_1 = "1"
    if screening.order.accession_number:  # the placer's order number, as the worklist gave it
        obr.obr_2 = escaped(screening.order.accession_number)
    obr.obr_3 = f"{escaped(screening.screening_id)}^RETISCREEN"
    obr.obr_4 = _coded(*codes.SCREENING_REPORT, "L")
    obr.obr_7 = _hl7_time(screening.started_at)
    obr.obr_22 = _hl7_time(now)
    if screening.order.referring_physician:
        obr.obr_16 = "^" + "^".join(
            escaped(part) for part in screening.order.referring_physician.split("^")[:2]
        )
    amended = review is not None and review.outcome is ReviewOutcome.AMENDED
    obr.obr_25 = "C" if amended else "F"
    values: list[tuple[str, str, str, str]] = []  # (type, OBX-3, OBX-5, sub-id)
    changed: set[int] = set()  # indexes into values whose result the reviewer corrected
    by_model: set[int] = set()  # indexes of the grader's own grades (OBX-18 names it)
    for number, eye in enumerate(screening.eyes, start=1):
        if eye.status is EyeStatus.ABSENT:
            continue
        kind, value = _eye_value(eye)
        question = _coded(*codes.SEVERITY_QUESTION[eye.laterality], "LN")
        reviewed = review.grade(eye.laterality) if review is not None else None
        if reviewed is not None:
            if eye.grade is None or eye.grade.grade != reviewed:
                changed.add(len(values))
            values.append(("CWE", question, _grade_value(reviewed), str(number)))
            question = _coded(*codes.AI_GRADE, "L")
        if kind == "CWE":
            by_model.add(len(values))
        values.append((kind, question, value, str(number)))
    final = screening.decision if review is None else review.decision
    decision = _coded(*codes.decision_code(final.kind), "L")
    if final.kind is not screening.decision.kind:
        changed.add(len(values))
    values.append(("CWE", _coded("decision", "Screening decision", "L"), decision, ""))
    exclusion = screening.exclusion if final.kind is screening.decision.kind else None
    if exclusion is not None:  # why the patient was referred without photographs
        why = _coded(exclusion.value, ENGLISH.exclusion_reason(exclusion), "L")
        values.append(("CWE", _coded(*codes.EXCLUSION, "L"), why, ""))
    reviewer_at = len(values)
    if review is not None:
        ai_decision = _coded(*codes.ai_decision_code(review.ai_decision), "L")
        values.append(("CWE", _coded("ai-decision", "AI decision", "L"), ai_decision, ""))
        reviewer_at = len(values)
        outcome = _coded(*codes.review_outcome_code(review.outcome), "L")
        values.append(("CWE", _coded(*codes.REVIEW_OUTCOME, "L"), outcome, ""))
        if review.reason:
            values.append(("TX", _coded(*codes.REVIEW_REASON, "L"), escaped(review.reason), ""))
    document = f"RETISCREEN^AP^PDF^Base64^{PDF_PLACEHOLDER}"
    values.append(("ED", _coded(*codes.SCREENING_REPORT, "L"), document, ""))
    models = {f"{e.grade.model.name} {e.grade.model.version}" for e in screening.eyes if e.grade}
    for index, (kind, code, value, sub_id) in enumerate(values):
        obx = order.add_group("ORU_R01_OBSERVATION").add_segment("OBX")
        obx.obx_1, obx.obx_2, obx.obx_3 = str(index + 1), kind, code
        if sub_id:
            obx.obx_4 = sub_id
        obx.obx_5 = value
        obx.obx_11 = "C" if index in changed else "F"
        if review is not None and index == reviewer_at:
            obx.obx_14 = _hl7_time(review.reviewed_at)
            obx.obx_16 = f"^{escaped(review.reviewer)}"
        if models and index in by_model:
            obx.obx_18 = f"{escaped(sorted(models)[0])}^RETISCREEN"
    message.validate()
    return message


def export_hl7(
    screening: Screening,
    report_id: str,
    pdf: bytes,
    site: str,
    now: datetime | None = None,
    control_id: str | None = None,
    review: Review | None = None,
) -> str:
    """The ORU^R01 message as ER7 text (segments separated by carriage returns).

    hl7apy's 2.5.1 tables cap an ED's data at 199 characters, which no real document
    fits, so the message is built and validated strictly around a placeholder that the
    Base64 data (which holds no HL7 delimiter) then replaces. ``control_id`` (MSH-10,
    at most 20 characters) defaults to the report id; the outbox gives its own, kept
    across retries, so the receiver can recognise a message it already has."""
    now = now or datetime.now().astimezone()
    control = control_id or report_id
    text = str(oru_message(screening, report_id, site, control, now, review).to_er7())
    return text.replace(PDF_PLACEHOLDER, base64.b64encode(pdf).decode("ascii"), 1)
