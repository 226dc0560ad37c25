"""Report identifiers and tamper-evident verification codes.

Every printed report carries a report ID and a short verification code, both printed as
text and inside the QR code (``RETISCREEN:<report_id>:<code>``). The code is an
HMAC-SHA256, keyed with a per-site secret, over the report ID, the screening ID, the
patient ID and the patient-level decision kind. Anyone holding the site secret can
recompute it from the database record and so check that a paper report was issued by
this kiosk and that its identity and decision were not edited. The code is short (50
bits) because a person may have to type it; it is meant to catch forgery and editing,
not to resist an offline brute force by someone who already holds other codes.

The secret file is created once (:func:`retiscreen.keyfiles.load_or_create_secret`) and
must be backed up with the database: without it old reports can no longer be verified.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

CODE_CHARS = 10
QR_PREFIX = "RETISCREEN"
_DOMAIN = b"retiscreen-report-v1"


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


def verification_code(
    secret: bytes, report_id: str, screening_id: str, patient_id: str, decision_kind: str
) -> str:
    """The code printed on a report, e.g. ``'K7QF-2MXA-P4'`` (base32, no 0/1/8/9)."""
    if not secret:
        raise ValueError("the verification secret is empty")
    digest = hmac.new(
        secret, _message(report_id, screening_id, patient_id, decision_kind), hashlib.sha256
    ).digest()
    code = base64.b32encode(digest).decode("ascii")[:CODE_CHARS]
    return f"{code[0:4]}-{code[4:8]}-{code[8:10]}"


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
    """True when ``code`` is the one this site would have printed for these values."""
    expected = verification_code(secret, report_id, screening_id, patient_id, decision_kind)
    return hmac.compare_digest(expected.encode("ascii"), normalise_code(code).encode("utf-8"))


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
