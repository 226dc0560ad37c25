"""``retiscreen verify CODE``: whether a paper report is genuine, and what it vouches for.

A receiving clinic (or this site, asked on the phone) types the code printed on the
report, or scans its QR code. The code must be one this site issued, the content stored
with it must still give that code under the site secret (so an edited record is caught),
and the record as it is now (the patient's details on file included, and the newest
over-read) is compared with that content, so a correction or an amendment made after
printing is reported rather than hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from retiscreen.errors import StorageError
from retiscreen.report.verification import (
    QR_PREFIX,
    codes_match,
    content_code,
    normalise_code,
    parse_qr_payload,
    verification_code,
    vouched_content,
)
from retiscreen.store import ScreeningStore


@dataclass(frozen=True)
class ReportCheck:
    """The answer for one code."""

    genuine: bool
    code: str
    vouches: dict[str, Any] = field(default_factory=dict)
    """What the report states (for a report from before version 2: IDs and decision)."""
    changed_since: tuple[str, ...] = ()
    """Fields of ``vouches`` that the record no longer says (corrected after printing)."""
    older_format: bool = False
    """A report from before version 2, whose code covers only IDs and the decision."""


def check_report(store: ScreeningStore, secret: bytes, text: str) -> ReportCheck:
    """Check a typed code (``K7QF-2MXA-P4``, any case or spacing) or a scanned QR text."""
    report_id: str | None = None
    if text.strip().upper().startswith(QR_PREFIX + ":"):
        try:
            report_id, text = parse_qr_payload(text)
        except ValueError:
            return ReportCheck(False, text.strip())
    code = normalise_code(text)
    for row in store.reports_with_code(code):
        if report_id is not None and row["report_id"] != report_id:
            continue
        found = _check_row(store, secret, code, row)
        if found.genuine:
            return found
    return ReportCheck(False, code)


def _check_row(store: ScreeningStore, secret: bytes, code: str, row: dict[str, Any]) -> ReportCheck:
    vouches = row["vouches"]
    try:
        screening = store.load_screening(row["screening_id"])
    except StorageError:
        screening = None
    if vouches is None:  # before version 2: the code covers the IDs and the decision
        if screening is None:
            return ReportCheck(False, code)
        older = {
            "report_id": row["report_id"],
            "screening_id": screening.screening_id,
            "patient_id": screening.patient.patient_id,
            "decision": screening.decision.kind.value,
        }
        expected = verification_code(secret, *older.values())
        return ReportCheck(codes_match(expected, code), code, older, older_format=True)
    if not codes_match(content_code(secret, vouches), code):
        return ReportCheck(False, code)
    # the record now: the review in force (a newer one than the report shows is a change)
    latest = store.latest_review(screening.screening_id) if screening else None
    now = vouched_content(screening, row["report_id"], latest) if screening else {}
    on_file = store.find_patient(str(vouches.get("patient_id", "")))
    if on_file is not None:  # a saved screening never changes; the patient's details can
        born = on_file.date_of_birth
        now["date_of_birth"] = born.isoformat() if born else None
    changed = tuple(k for k, v in vouches.items() if now.get(k) != v)
    return ReportCheck(True, code, vouches, changed)
