"""Report identifiers and tamper-evident verification codes.

Every printed report carries a report ID and a short verification code, both printed as
text and inside the QR code (``RETISCREEN:<report_id>:<code>``). The code is an
HMAC-SHA256, keyed with a per-site secret, over the report's clinical content
(:func:`vouched_content`: report and screening IDs, patient ID, date of birth, screening
time, each eye's status and grade, the decision, the grader's version). That content is
kept beside the report, so ``retiscreen verify CODE`` can say what a paper report vouches
for, recompute the code (an edited record no longer matches) and compare it with the
record as it is now (a correction made after printing shows). The code is short (50
bits) because a person may have to type it; it is meant to catch forgery and editing,
not to resist an offline brute force by someone who already holds other codes.

Reports printed before version 2 carry :func:`verification_code`, over the IDs and the
decision kind only; they can still be checked, for what they covered.

The secret file is created once (:func:`retiscreen.keyfiles.load_or_create_secret`) and
must be backed up with the database: without it old reports can no longer be verified.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

from retiscreen.domain import EyeResult, Laterality, Review, Screening

CODE_CHARS = 10
QR_PREFIX = "RETISCREEN"
_DOMAIN = b"retiscreen-report-v1"
_CONTENT_DOMAIN = b"retiscreen-report-v2"


def new_report_id() -> str:
    """A fresh, unguessable report identifier: 32 lower-case hex digits (UUID4)."""
    return uuid.uuid4().hex


def _message(*fields: str) -> bytes:
    """Unambiguous encoding: each field length-prefixed, so ('ab','c') != ('a','bc')."""
    parts = [_DOMAIN]
    for value in fields:
        data = value.encode("utf-8")
        parts.append(len(data).to_bytes(4, "big"))
        parts.append(data)
    return b"".join(parts)


def _code(secret: bytes, message: bytes) -> str:
    """``'K7QF-2MXA-P4'``: the first 50 bits of the HMAC in base32 (no 0/1/8/9)."""
    if not secret:
        raise ValueError("the verification secret is empty")
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    code = base64.b32encode(digest).decode("ascii")[:CODE_CHARS]
    return f"{code[0:4]}-{code[4:8]}-{code[8:10]}"


def vouched_content(
    screening: Screening, report_id: str, review: Review | None = None
) -> dict[str, Any]:
    """The clinical content a report's code vouches for, as JSON-safe data. An amended
    report (``review``) vouches for the reviewer's decision as ``decision``, the AI's as
    ``ai_decision`` and the review itself (who, when, grades, reason); each eye's
    ``grade`` stays the AI's."""
    patient = screening.patient
    models = sorted(
        {f"{e.grade.model.name} {e.grade.model.version}" for e in screening.eyes if e.grade}
    )
    content: dict[str, Any] = {
        "report_id": report_id,
        "screening_id": screening.screening_id,
        "patient_id": patient.patient_id,
        "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else None,
        "screened_at": screening.started_at.isoformat(),
        "eyes": [
            _vouched_eye(eye) for eye in sorted(screening.eyes, key=lambda e: e.laterality.value)
        ],
        "decision": screening.decision.kind.value,
        "model": ", ".join(models) or None,
    }
    if review is not None:
        content["ai_decision"] = content["decision"]
        content["decision"] = review.decision.kind.value
        content["review"] = {
            "review_id": review.review_id,
            "reviewer": review.reviewer,
            "reviewed_at": review.reviewed_at.isoformat(),
            "outcome": review.outcome.value,
            "grades": {
                side.value: None if (grade := review.grade(side)) is None else int(grade)
                for side in Laterality
            },
            "reason": review.reason,
        }
    return content


def _vouched_eye(eye: EyeResult) -> dict[str, Any]:
    """One eye's state and grade; a two-field eye's fields too (a one-field eye's content,
    and so its code, is what it always was)."""
    vouched: dict[str, Any] = {
        "laterality": eye.laterality.value,
        "status": eye.status.value,
        "grade": int(eye.grade.grade) if eye.grade else None,
    }
    if eye.fields:
        vouched["fields"] = [
            {
                "view": f.view.value if f.view else None,
                "status": f.status.value,
                "grade": int(f.grade.grade) if f.grade else None,
            }
            for f in eye.fields
        ]
    return vouched


def content_code(secret: bytes, content: dict[str, Any]) -> str:
    """The code printed on a report: an HMAC over its :func:`vouched_content`, encoded as
    canonical JSON (sorted keys, no spaces), so the same content always gives one code."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _code(secret, _CONTENT_DOMAIN + canonical.encode("utf-8"))


def verification_code(
    secret: bytes, report_id: str, screening_id: str, patient_id: str, decision_kind: str
) -> str:
    """The code of a report printed before version 2 (IDs and decision kind only)."""
    return _code(secret, _message(report_id, screening_id, patient_id, decision_kind))


def codes_match(expected: str, typed: str) -> bool:
    """Constant-time comparison of a code with what a person typed."""
    return hmac.compare_digest(expected.encode("ascii"), normalise_code(typed).encode("utf-8"))


def normalise_code(code: str) -> str:
    """What a person typed → canonical ``ABCD-EFGH-IJ`` form (case, spaces, dashes ignored;
    the easily confused 0/1/8 are read as O/I/B, which is all base32 can mean)."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    raw = raw.translate(str.maketrans("018", "OIB"))
    if len(raw) != CODE_CHARS:
        return raw
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:10]}"


def check_verification_code(
    secret: bytes,
    code: str,
    report_id: str,
    screening_id: str,
    patient_id: str,
    decision_kind: str,
) -> bool:
    """True when ``code`` is the one this site would have printed (before version 2)."""
    expected = verification_code(secret, report_id, screening_id, patient_id, decision_kind)
    return codes_match(expected, code)


def qr_payload(report_id: str, code: str) -> str:
    """The text encoded in the report's QR code."""
    return f"{QR_PREFIX}:{report_id}:{code}"


def parse_qr_payload(payload: str) -> tuple[str, str]:
    """``'RETISCREEN:<report_id>:<code>'`` → (report_id, code); ValueError otherwise."""
    prefix, _, rest = payload.strip().partition(":")
    report_id, _, code = rest.partition(":")
    if prefix != QR_PREFIX or not report_id or not code:
        raise ValueError(f"not a RetiScreen report code: {payload[:60]!r}")
    return report_id, code
