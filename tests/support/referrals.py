"""Referred screenings on 4 March 2026, for the referral follow-up tests."""

from __future__ import annotations

from datetime import UTC, datetime

from retiscreen.domain import ICDRGrade, Laterality
from retiscreen.store import ScreeningStore
from tests.support.builders import graded_eye, screening, skipped_eye, ungradable_eye

MARCH = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)


def save_referrals(store: ScreeningStore) -> None:
    """Refer (due in 3 months), urgent (2 weeks), examine (1 month) and routine (no
    referral), each a right eye with the left one absent."""
    right = Laterality.RIGHT
    absent = skipped_eye(Laterality.LEFT, "Prosthetic eye", absent=True)
    cases = {
        "S-refer": graded_eye(right, ICDRGrade.MODERATE, 0.8),
        "S-urgent": graded_eye(right, ICDRGrade.PROLIFERATIVE, 0.99),
        "S-examine": ungradable_eye(right),
        "S-routine": graded_eye(right, ICDRGrade.NONE, 0.01),
    }
    for sid, eye in cases.items():
        store.save_screening(screening(eye, absent, screening_id=sid, started_at=MARCH))
