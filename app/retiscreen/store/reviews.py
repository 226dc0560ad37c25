"""Over-reads kept beside the screenings they review, and the queue waiting for them.

Why separate rows and not an edit: a saved screening is immutable (a trigger forbids
changing it), and the AI's result must stay readable beside what a reviewer decided.
Each review is its own append-only row (triggers forbid changing or deleting one), a
screening may be reviewed again, and the newest review is the one in force. Every
review writes its audit entry in the same transaction; the entry names the ids, the
decisions and grades, never the reason's text (it may name the patient).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from retiscreen.domain import (
    Decision,
    DecisionKind,
    ICDRGrade,
    QueueReason,
    Review,
    ReviewOutcome,
)
from retiscreen.store.audit import record_event
from retiscreen.store.connection import StoreConnection
from retiscreen.store.files import StorageError
from retiscreen.store.values import checked_id, utc_now

_COLUMNS = (
    "review_id, screening_id, reviewer, reviewed_at, outcome, grade_right, grade_left,"
    " decision_kind, follow_up_months, follow_up_weeks, rules_decision_kind,"
    " ai_decision_kind, reason"
)
_NEWEST_FIRST = "ORDER BY reviewed_at DESC, rowid DESC"
LATEST_REVIEW = (
    f"(SELECT review_id FROM reviews WHERE screening_id = s.screening_id {_NEWEST_FIRST} LIMIT 1)"
)
"""SQL for the id of the review in force of the screening aliased ``s``: every reader
that needs the decision in force (history, export, referrals, monitor) uses this one."""


def queue_for_review(
    db: sqlite_utils.Database, screening_id: str, why: QueueReason, operator: str
) -> None:
    """Put a screening in the over-read queue, inside the caller's (saving) transaction."""
    db.execute(
        "INSERT INTO review_queue (screening_id, why, queued_at) VALUES (?, ?, ?)",
        [screening_id, why.value, utc_now()],
    )
    record_event(db, "review_queued", screening_id, operator, {"why": why.value})


class ReviewRecords(StoreConnection):
    """The reviews and the over-read queue of a :class:`~retiscreen.store.db.ScreeningStore`."""

    def add_review(self, review: Review) -> None:
        """Record one review and its audit entry, all or nothing; the screening must be
        saved (StorageError ``not_found``) and the review id new (``duplicate``)."""
        sid = checked_id(review.screening_id, "screening id")
        rid = checked_id(review.review_id, "review id")
        with self._write(f"the review of screening {sid} was NOT saved"):
            if not self._exists("SELECT 1 FROM screenings WHERE screening_id = ?", [sid]):
                raise StorageError(f"No screening with id {sid} is saved.", reason="not_found")
            if self._exists("SELECT 1 FROM reviews WHERE review_id = ?", [rid]):
                raise StorageError(
                    f"A review with id {rid} is already saved; it was NOT overwritten.",
                    reason="duplicate",
                )
            self._db.execute(
                f"INSERT INTO reviews ({_COLUMNS}) VALUES ({', '.join('?' * 13)})",
                [
                    rid,
                    sid,
                    review.reviewer,
                    review.reviewed_at.isoformat(timespec="microseconds"),
                    review.outcome.value,
                    _grade(review.grade_right),
                    _grade(review.grade_left),
                    review.decision.kind.value,
                    review.decision.follow_up_months,
                    review.decision.follow_up_weeks,
                    review.rules_decision.value,
                    review.ai_decision.value,
                    review.reason,
                ],
            )
            record_event(
                self._db,
                "screening_reviewed",
                sid,
                review.reviewer,
                {
                    "review_id": rid,
                    "outcome": review.outcome.value,
                    "decision": review.decision.kind.value,
                    "ai_decision": review.ai_decision.value,
                    "rules_decision": review.rules_decision.value,
                    "grades": {
                        "right": _grade(review.grade_right),
                        "left": _grade(review.grade_left),
                    },
                    "reason_given": review.reason is not None,
                },
            )

    def reviews_for(self, screening_id: str) -> list[Review]:
        """Every review of one screening, oldest first."""
        rows = self._rows(
            f"SELECT {_COLUMNS} FROM reviews WHERE screening_id = ? ORDER BY reviewed_at, rowid",
            [screening_id],
        )
        return [_review(row) for row in rows]

    def latest_review(self, screening_id: str) -> Review | None:
        """The review in force: the newest one (None when never reviewed)."""
        rows = self._rows(
            f"SELECT {_COLUMNS} FROM reviews WHERE screening_id = ? {_NEWEST_FIRST} LIMIT 1",
            [screening_id],
        )
        return _review(rows[0]) if rows else None

    def review(self, review_id: str) -> Review | None:
        rows = self._rows(f"SELECT {_COLUMNS} FROM reviews WHERE review_id = ?", [review_id])
        return _review(rows[0]) if rows else None

    def review_of_report(self, report_id: str) -> Review | None:
        """The review a report shows (None: the AI result alone)."""
        rows = self._rows(
            f"SELECT {', '.join('r.' + c.strip() for c in _COLUMNS.split(','))} FROM reports"
            " JOIN reviews r ON r.review_id = reports.review_id WHERE reports.report_id = ?",
            [report_id],
        )
        return _review(rows[0]) if rows else None

    def review_queue(self, limit: int = 200) -> list[dict[str, Any]]:
        """Screenings waiting for an over-read (queued and never reviewed), oldest first,
        each with why it is queued and the AI's decision."""
        return self._rows(
            "SELECT q.screening_id, q.why, q.queued_at, s.started_at, s.patient_id, p.name,"
            " s.decision_kind FROM review_queue q"
            " JOIN screenings s ON s.screening_id = q.screening_id"
            " JOIN patients p ON p.patient_id = s.patient_id"
            " WHERE NOT EXISTS (SELECT 1 FROM reviews r WHERE r.screening_id = q.screening_id)"
            " ORDER BY s.started_at_utc, q.screening_id LIMIT :limit",
            {"limit": max(0, int(limit))},
        )

    def queued_for_review(self, screening_id: str) -> QueueReason | None:
        """Why a screening was queued when it was saved (None: it was not)."""
        rows = self._rows("SELECT why FROM review_queue WHERE screening_id = ?", [screening_id])
        return QueueReason(rows[0]["why"]) if rows else None


def _grade(grade: ICDRGrade | None) -> int | None:
    return None if grade is None else int(grade)


def _review(row: dict[str, Any]) -> Review:
    def grade(value: Any) -> ICDRGrade | None:
        return None if value is None else ICDRGrade(int(value))

    return Review(
        review_id=row["review_id"],
        screening_id=row["screening_id"],
        reviewer=row["reviewer"],
        reviewed_at=datetime.fromisoformat(row["reviewed_at"]),
        outcome=ReviewOutcome(row["outcome"]),
        grade_right=grade(row["grade_right"]),
        grade_left=grade(row["grade_left"]),
        decision=Decision(
            DecisionKind(row["decision_kind"]), row["follow_up_months"], row["follow_up_weeks"]
        ),
        rules_decision=DecisionKind(row["rules_decision_kind"]),
        ai_decision=DecisionKind(row["ai_decision_kind"]),
        reason=row["reason"],
    )
