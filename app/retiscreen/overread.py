"""Over-read: what a reviewer's amendment may decide, and which screenings wait for one.

Why its own small module: an amendment changes what a patient is told, so it goes
through the same referral rules as the AI's result (:mod:`retiscreen.rules`). The
reviewer's decision is recorded as chosen, but one less urgent than the rules give for
the reviewed grades is refused: a wrong answer is worse than no answer. A reviewer may
always be *more* cautious than the rules (another finding in the photograph).

Which screenings are queued is decided when a screening is saved, from data only: every
screening with an eye that was not graded, every one with possible macular oedema that
the decision does not include (``MacularOedema.in_decision``), and a share of the
routine ones drawn by a hash of the screening id, so the same id is always drawn or
always not, on every kiosk and every run (``[review] routine_share``).
"""

from __future__ import annotations

import enum
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from retiscreen.catalogue import ENGLISH
from retiscreen.domain import (
    REVIEW_DECISIONS,
    Decision,
    DecisionKind,
    EyeStatus,
    ICDRGrade,
    Laterality,
    QueueReason,
    Review,
    ReviewOutcome,
    Screening,
)
from retiscreen.errors import UsageError
from retiscreen.rules import ReferralRules

UNGRADED = frozenset(
    {
        EyeStatus.UNGRADABLE,
        EyeStatus.UNREADABLE,
        EyeStatus.NOT_PHOTOGRAPHED,
        EyeStatus.UNAVAILABLE,
    }
)
"""Eye states that put a screening in the over-read queue, whatever its decision."""
_SAMPLING_DOMAIN = b"retiscreen-overread-v1:"


class ReviewProblem(enum.StrEnum):
    """Why an over-read was refused (the words are the catalogue's ``review.problem.*``)."""

    ROLE = "role"
    NO_PHOTOGRAPH = "no_photograph"
    NOT_A_CHOICE = "not_a_choice"
    LESS_URGENT = "less_urgent"
    REASON_NEEDED = "reason_needed"


class ReviewRefused(UsageError):
    """An over-read that cannot be recorded as asked; nothing was saved. ``problem`` and
    ``fields`` (laterality, status and decision values) are data, so each front end says
    it in its own language (:meth:`retiscreen.catalogue.Catalogue.review_problem`)."""

    def __init__(self, problem: ReviewProblem, **fields: str) -> None:
        self.problem = problem
        self.fields = fields
        super().__init__(ENGLISH.review_problem(problem.value, fields))


@dataclass(frozen=True)
class Amendment:
    """What a reviewer chose: nothing at all is an agreement with the AI result."""

    decision: DecisionKind | None = None
    """The patient's decision; None keeps the AI's."""
    grades: Mapping[Laterality, ICDRGrade] = field(default_factory=dict)
    """The eyes the reviewer graded; an eye left out keeps the AI's grade."""
    reason: str | None = None


def sampled(screening_id: str, share: float) -> bool:
    """Whether this routine screening is among the ``share`` (0..1) drawn for checking:
    a hash of its id, so the answer never changes for the same id."""
    digest = hashlib.sha256(_SAMPLING_DOMAIN + screening_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def queue_reason(screening: Screening, routine_share: float) -> QueueReason | None:
    """Why ``screening`` waits for an over-read, or None when it does not. A patient
    referred without screening has no photograph to read: not queued."""
    if screening.exclusion is not None:
        return None
    # A two-field eye's every field counts: a field not taken or not gradable, or one
    # flagging macular oedema, though another field decided the eye.
    photographed = [f for eye in screening.eyes for f in (*eye.fields, eye)]
    if any(eye.status in UNGRADED for eye in photographed):
        return QueueReason.UNEXAMINED
    if any(
        eye.grade is not None
        and eye.grade.macular_oedema is not None
        and eye.grade.macular_oedema.positive
        and not eye.grade.macular_oedema.in_decision
        for eye in photographed
    ):
        return QueueReason.MACULAR_OEDEMA
    if screening.decision.kind is DecisionKind.ROUTINE and sampled(
        screening.screening_id, routine_share
    ):
        return QueueReason.SAMPLED
    return None


def rules_decision(
    screening: Screening, grades: Mapping[Laterality, ICDRGrade], rules: ReferralRules
) -> Decision:
    """What the referral rules give once the reviewer's grades replace the AI's: each
    eye the reviewer graded by its new grade, every other eye as the AI decided it (an
    ungraded eye still calls for an examination), the worse eye winning; a patient
    referred without screening keeps at least the exclusion's referral."""
    decisions = [
        rules.for_reviewed_grade(grades[eye.laterality])
        if eye.laterality in grades
        else eye.decision
        for eye in screening.eyes
    ]
    if screening.exclusion is not None:
        decisions.append(rules.for_exclusion(screening.exclusion))
    return rules.worst(decisions)


def decide_review(
    screening: Screening,
    amendment: Amendment,
    reviewer: str,
    rules: ReferralRules,
    *,
    reviewed_at: datetime,
    review_id: str | None = None,
) -> Review:
    """The review to record, or ReviewRefused saying why it cannot be."""
    for side in amendment.grades:
        eye = screening.eye(side)
        if eye is None or not eye.photographs:  # a two-field eye: either field's will do
            status = eye.status if eye is not None else EyeStatus.NOT_PHOTOGRAPHED
            raise ReviewRefused(ReviewProblem.NO_PHOTOGRAPH, eye=side.value, status=status.value)
    ai = screening.decision
    kind = ai.kind if amendment.decision is None else amendment.decision
    if amendment.decision is not None and kind not in REVIEW_DECISIONS:
        raise ReviewRefused(ReviewProblem.NOT_A_CHOICE, decision=kind.value)
    by_rules = rules_decision(screening, amendment.grades, rules)
    if _urgency(kind) < _urgency(by_rules.kind):
        raise ReviewRefused(
            ReviewProblem.LESS_URGENT, rules=by_rules.kind.value, decision=kind.value
        )

    def final_grade(side: Laterality) -> ICDRGrade | None:
        if side in amendment.grades:
            return amendment.grades[side]
        eye = screening.eye(side)
        return eye.grade.grade if eye is not None and eye.grade is not None else None

    changed = kind is not ai.kind or any(
        final_grade(side) != _ai_grade(screening, side) for side in amendment.grades
    )
    reason = " ".join((amendment.reason or "").split()) or None
    if changed and reason is None:
        raise ReviewRefused(ReviewProblem.REASON_NEEDED)
    return Review(
        review_id=review_id or uuid.uuid4().hex,
        screening_id=screening.screening_id,
        reviewer=reviewer,
        reviewed_at=reviewed_at,
        outcome=ReviewOutcome.AMENDED if changed else ReviewOutcome.AGREED,
        grade_right=final_grade(Laterality.RIGHT),
        grade_left=final_grade(Laterality.LEFT),
        decision=ai if kind is ai.kind else rules.decision(kind),
        rules_decision=by_rules.kind,
        ai_decision=ai.kind,
        reason=reason,
    )


def _urgency(kind: DecisionKind) -> int:
    """How urgent a decision is for the review check. "Could not grade" asks for the same
    eye examination as an eye that could not be checked (its higher severity flags a
    system fault, not a patient), so a reviewer's EXAMINE answers it."""
    return DecisionKind.EXAMINE.severity if kind is DecisionKind.UNAVAILABLE else kind.severity


def _ai_grade(screening: Screening, side: Laterality) -> ICDRGrade | None:
    eye = screening.eye(side)
    return eye.grade.grade if eye is not None and eye.grade is not None else None
