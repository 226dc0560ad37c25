"""The referral follow-up marks: who recorded that a referred patient was seen, or not.

Why append-only marks and not a status column: a screening row never changes, and a
follow-up is a fact recorded later by someone, which may itself be corrected ("the
patient did come after all"). Each mark is a new row, audited in the same transaction;
the newest one is the referral's status (:mod:`retiscreen.referrals`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from retiscreen.referrals import REFERRAL_KINDS, Referral, ReferralOutcome, referral_from_row
from retiscreen.store.audit import record_event
from retiscreen.store.connection import StoreConnection
from retiscreen.store.files import StorageError
from retiscreen.store.reviews import LATEST_REVIEW
from retiscreen.store.values import utc_now

_IN_FORCE = "LEFT JOIN reviews r ON r.review_id = " + LATEST_REVIEW
"""The newest over-read of each screening: its decision replaces the AI's."""
_REFERRAL_ROWS = (
    "SELECT s.screening_id, s.patient_id, p.name, s.started_at,"
    " coalesce(r.decision_kind, s.decision_kind) AS decision_kind,"
    # the interval of the decision in force: the review's, else the saved decision's
    " CASE WHEN r.review_id IS NULL"
    "  THEN json_extract(s.snapshot_json, '$.decision.follow_up_months')"
    "  ELSE r.follow_up_months END AS follow_up_months,"
    " CASE WHEN r.review_id IS NULL"
    "  THEN json_extract(s.snapshot_json, '$.decision.follow_up_weeks')"
    "  ELSE r.follow_up_weeks END AS follow_up_weeks,"
    " m.outcome, m.marked_at, m.marked_by, m.note"
    " FROM screenings s JOIN patients p ON p.patient_id = s.patient_id "
    + _IN_FORCE
    + " LEFT JOIN referral_marks m ON m.mark_id = ("
    "   SELECT max(mark_id) FROM referral_marks WHERE screening_id = s.screening_id)"
    " WHERE coalesce(r.decision_kind, s.decision_kind) IN ({kinds})"
    " AND (:sid IS NULL OR s.screening_id = :sid)"
)


class ReferralMarks(StoreConnection):
    """Referral follow-up of a :class:`~retiscreen.store.db.ScreeningStore`."""

    def referrals(self, today: date, screening_id: str | None = None) -> list[Referral]:
        """Every referred screening, soonest due first, with its status on ``today``."""
        kinds = ", ".join(f"'{kind.value}'" for kind in sorted(REFERRAL_KINDS))
        rows = self._rows(_REFERRAL_ROWS.format(kinds=kinds), {"sid": screening_id})
        found = (referral_from_row(row, today) for row in rows)
        return sorted(
            (referral for referral in found if referral is not None),
            key=lambda referral: (referral.due, referral.screening_id),
        )

    def mark_referral(
        self, screening_id: str, outcome: ReferralOutcome, by: str, note: str | None = None
    ) -> None:
        """Record whether the referred patient was seen (audited). A screening that is
        not a referral, or not saved, is refused with StorageError."""
        with self._write("the follow-up was NOT recorded"):
            row = self._query(
                "SELECT coalesce(r.decision_kind, s.decision_kind) AS decision_kind"
                " FROM screenings s " + _IN_FORCE + " WHERE s.screening_id = ?",
                [screening_id],
            )
            if not row:
                raise StorageError(
                    f"No screening with id {screening_id} is saved.", reason="not_found"
                )
            if row[0]["decision_kind"] not in {kind.value for kind in REFERRAL_KINDS}:
                raise StorageError(
                    f"The screening {screening_id} did not refer the patient, so there is no "
                    "follow-up to record.",
                    reason="invalid",
                )
            self._db.execute(
                "INSERT INTO referral_marks (screening_id, outcome, marked_at, marked_by, note)"
                " VALUES (?, ?, ?, ?, ?)",
                [screening_id, outcome.value, utc_now(), by, note or None],
            )
            detail: dict[str, Any] = {"outcome": outcome.value}
            record_event(self._db, "referral_marked", screening_id, by, detail)
