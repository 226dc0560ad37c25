"""Referral follow-up: was each referred patient seen, and by when should they have been?

Why this exists: a referral that nobody follows up is a screening that changed nothing.
Every screening whose decision in force (a reviewer's over-read, else the AI's) sends
the patient onwards (refer, urgent, an eye examination because an eye could not be
checked or graded) is a referral with a due date, the decision's own follow-up
interval from the day of screening. Its status is the newest mark a person made
(attended, did not attend) or, without one, pending until the due date and overdue
after it. Status is data; words come from the catalogue.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from retiscreen.domain import Decision, DecisionKind

REFERRAL_KINDS = frozenset(
    {DecisionKind.REFER, DecisionKind.URGENT, DecisionKind.EXAMINE, DecisionKind.UNAVAILABLE}
)
"""Decisions that send the patient onwards to be seen (not back in the usual interval)."""


class ReferralStatus(enum.StrEnum):
    PENDING = "pending"
    ATTENDED = "attended"
    NOT_ATTENDED = "not_attended"
    OVERDUE = "overdue"


class ReferralOutcome(enum.StrEnum):
    """What a person can record about a referral."""

    ATTENDED = "attended"
    NOT_ATTENDED = "not_attended"


@dataclass(frozen=True)
class Referral:
    """One referred screening and where its follow-up stands."""

    screening_id: str
    patient_id: str
    name: str
    kind: DecisionKind
    screened_on: date
    due: date
    status: ReferralStatus
    marked_at: str | None = None
    marked_by: str | None = None
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "screening_id": self.screening_id,
            "patient_id": self.patient_id,
            "name": self.name,
            "decision": self.kind.value,
            "screened_on": self.screened_on.isoformat(),
            "due": self.due.isoformat(),
            "status": self.status.value,
            "marked_at": self.marked_at,
            "marked_by": self.marked_by,
            "note": self.note,
        }


def status_of(outcome: ReferralOutcome | None, due: date, today: date) -> ReferralStatus:
    """A person's mark wins; unmarked, a referral is pending until its due date passes."""
    if outcome is not None:
        return ReferralStatus(outcome.value)
    return ReferralStatus.OVERDUE if today > due else ReferralStatus.PENDING


def referral_from_row(row: Mapping[str, Any], today: date) -> Referral | None:
    """The referral of a stored screening (its decision in force and that decision's
    interval, and its newest mark), or None when it is not a referral."""
    kind = DecisionKind(row["decision_kind"])
    if kind not in REFERRAL_KINDS:
        return None
    screened_on = datetime.fromisoformat(row["started_at"]).date()
    interval = Decision(kind, row["follow_up_months"], row["follow_up_weeks"])
    due = interval.follow_up_date(screened_on) or screened_on
    outcome = ReferralOutcome(row["outcome"]) if row["outcome"] else None
    return Referral(
        screening_id=row["screening_id"],
        patient_id=row["patient_id"],
        name=row["name"],
        kind=kind,
        screened_on=screened_on,
        due=due,
        status=status_of(outcome, due, today),
        marked_at=row["marked_at"],
        marked_by=row["marked_by"],
        note=row["note"],
    )
