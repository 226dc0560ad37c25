"""Over-read rules, table-tested: what an amendment may decide, and what is queued."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retiscreen.catalogue import Catalogue
from retiscreen.domain import (
    DecisionKind,
    EyeResult,
    ICDRGrade,
    Laterality,
    QueueReason,
    Review,
    ReviewOutcome,
    Screening,
)
from retiscreen.overread import (
    Amendment,
    ReviewProblem,
    ReviewRefused,
    decide_review,
    queue_reason,
    rules_decision,
    sampled,
)
from retiscreen.rules import ReferralRules
from tests.support import builders
from tests.support.builders import graded_eye, skipped_eye, unavailable_eye, ungradable_eye

RULES = ReferralRules()
NOW = datetime(2026, 3, 5, 14, 2, tzinfo=UTC)
R, L = Laterality.RIGHT, Laterality.LEFT
G = ICDRGrade


def routine_screening(screening_id: str = "S-R") -> Screening:
    return builders.screening(
        graded_eye(R, G.NONE, 0.05), graded_eye(L, G.MILD, 0.1), screening_id=screening_id
    )


def decide(screening: Screening, amendment: Amendment) -> Review:
    return decide_review(screening, amendment, "Dr Ruiz", RULES, reviewed_at=NOW)


@pytest.mark.parametrize(
    ("grade", "kind"),
    [
        (G.NONE, DecisionKind.ROUTINE),
        (G.MILD, DecisionKind.ROUTINE),
        (G.MODERATE, DecisionKind.REFER),
        (G.SEVERE, DecisionKind.URGENT),
        (G.PROLIFERATIVE, DecisionKind.URGENT),
    ],
)
def test_a_reviewed_grade_decides_by_the_icdr_scale(grade: ICDRGrade, kind: DecisionKind) -> None:
    assert RULES.for_reviewed_grade(grade).kind is kind


def test_a_borderline_grade_one_the_model_referred_is_routine_once_a_person_grades_it() -> None:
    screening = builders.screening(
        graded_eye(R, G.MILD, 0.7),
        graded_eye(L, G.NONE, 0.1),  # referable by the score
    )
    assert screening.decision.kind is DecisionKind.REFER
    assert rules_decision(screening, {R: G.MILD}, RULES).kind is DecisionKind.ROUTINE
    review = decide(screening, Amendment(DecisionKind.ROUTINE, {R: G.MILD}, "no MA seen"))
    assert review.outcome is ReviewOutcome.AMENDED and review.decision.kind is DecisionKind.ROUTINE
    assert review.decision.follow_up_months == RULES.rescreen_months


@pytest.mark.parametrize(
    ("eyes", "grades", "chosen", "refused"),
    [
        # an unexamined eye keeps the patient at an examination at least
        ((graded_eye(R, G.NONE, 0.1), skipped_eye(L)), {R: G.NONE}, "routine", "examine"),
        ((graded_eye(R, G.NONE, 0.1), ungradable_eye(L)), {}, "routine", "examine"),
        # a severe grade is urgent: refer, examine and routine are all too little
        (
            (graded_eye(R, G.NONE, 0.1), graded_eye(L, G.NONE, 0.1)),
            {L: G.SEVERE},
            "refer",
            "urgent",
        ),
        (
            (graded_eye(R, G.NONE, 0.1), graded_eye(L, G.NONE, 0.1)),
            {L: G.SEVERE},
            "examine",
            "urgent",
        ),
        ((graded_eye(R, G.MODERATE, 0.8), graded_eye(L, G.NONE, 0.1)), {}, "routine", "refer"),
        # the system could not grade: unless the reviewer grades it, an examination stands
        ((unavailable_eye(R), graded_eye(L, G.NONE, 0.1)), {}, "routine", "unavailable"),
    ],
)
def test_a_decision_less_urgent_than_the_rules_is_refused(
    eyes: tuple[EyeResult, ...],
    grades: dict[Laterality, ICDRGrade],
    chosen: str,
    refused: str,
) -> None:
    screening = builders.screening(*eyes)
    with pytest.raises(ReviewRefused) as caught:
        decide(screening, Amendment(DecisionKind(chosen), grades, "because"))
    assert caught.value.problem is ReviewProblem.LESS_URGENT
    assert caught.value.fields == {"rules": refused, "decision": chosen}
    words = "EXAMINE" if refused == "unavailable" else DecisionKind(refused).name
    assert f"The grades give {words}, so {DecisionKind(chosen).name}" in str(caught.value)


def test_an_examination_answers_an_eye_the_system_could_not_grade() -> None:
    screening = builders.screening(unavailable_eye(R), graded_eye(L, G.NONE, 0.1))
    assert screening.decision.kind is DecisionKind.UNAVAILABLE
    review = decide(screening, Amendment(DecisionKind.EXAMINE, {}, "no grader today"))
    assert review.decision.kind is DecisionKind.EXAMINE
    graded = decide(screening, Amendment(DecisionKind.ROUTINE, {R: G.NONE}, "graded by hand"))
    assert graded.rules_decision is DecisionKind.ROUTINE


def test_a_reviewer_may_grade_an_ungradable_photograph_but_not_a_missing_one() -> None:
    screening = builders.screening(ungradable_eye(R), skipped_eye(L, absent=True))
    review = decide(screening, Amendment(DecisionKind.ROUTINE, {R: G.NONE}, "readable enough"))
    assert (review.grade_right, review.grade_left) == (G.NONE, None)
    assert (
        review.rules_decision is DecisionKind.ROUTINE and review.ai_decision is DecisionKind.EXAMINE
    )
    with pytest.raises(ReviewRefused) as caught:
        decide(screening, Amendment(DecisionKind.ROUTINE, {L: G.NONE}, "x"))
    assert caught.value.problem is ReviewProblem.NO_PHOTOGRAPH
    assert caught.value.fields == {"eye": "left", "status": "absent"}


def test_an_amendment_needs_a_reason_an_agreement_does_not() -> None:
    screening = routine_screening()
    agreed = decide(screening, Amendment())
    assert agreed.outcome is ReviewOutcome.AGREED and agreed.reason is None
    assert agreed.decision == screening.decision  # the AI's, interval and all
    assert (agreed.grade_right, agreed.grade_left) == (G.NONE, G.MILD)
    same = decide(screening, Amendment(DecisionKind.ROUTINE, {R: G.NONE}, "  "))
    assert same.outcome is ReviewOutcome.AGREED  # the grade given is the AI's own
    for amendment in (
        Amendment(DecisionKind.REFER, {}, None),
        Amendment(None, {L: G.NONE}, " \t "),
    ):
        with pytest.raises(ReviewRefused) as caught:
            decide(screening, amendment)
        assert caught.value.problem is ReviewProblem.REASON_NEEDED
    tidy = decide(screening, Amendment(DecisionKind.REFER, {}, "  other   finding "))
    assert tidy.reason == "other finding" and tidy.decision.follow_up_months == RULES.refer_months


def test_unavailable_is_not_a_reviewers_choice() -> None:
    with pytest.raises(ReviewRefused) as caught:
        decide(routine_screening(), Amendment(DecisionKind.UNAVAILABLE, {}, "x"))
    assert caught.value.problem is ReviewProblem.NOT_A_CHOICE


def test_refusals_are_said_in_the_readers_language() -> None:
    with pytest.raises(ReviewRefused) as caught:
        decide(builders.screening(ungradable_eye(R), skipped_eye(L)), Amendment(None, {L: G.NONE}))
    refusal = caught.value
    english = Catalogue("en").review_problem(refusal.problem.value, refusal.fields)
    spanish = Catalogue("es").review_problem(refusal.problem.value, refusal.fields)
    assert english == str(refusal) and english.startswith("Left eye: there is no photograph")
    assert spanish.startswith("Ojo izquierdo: no hay fotografía")
    assert "(Sin fotografía: no examinado)" in spanish


def test_the_queue_takes_every_ungraded_eye_and_a_stable_share_of_routine() -> None:
    assert queue_reason(builders.screening(graded_eye(R, G.NONE, 0.1), ungradable_eye(L)), 0.0) is (
        QueueReason.UNEXAMINED
    )
    urgent = builders.screening(graded_eye(R, G.SEVERE, 0.9), graded_eye(L, G.NONE, 0.1))
    assert queue_reason(urgent, 1.0) is None  # graded and referred already
    ids = [f"S-{n:05d}" for n in range(4000)]
    drawn = [i for i in ids if sampled(i, 0.1)]
    assert 340 < len(drawn) < 460  # about a tenth
    assert drawn == [i for i in ids if sampled(i, 0.1)]  # the same ids every time
    assert set(drawn) <= {i for i in ids if sampled(i, 0.25)}  # a larger share only adds
    assert not any(sampled(i, 0.0) for i in ids) and all(sampled(i, 1.0) for i in ids)
    for screening_id in ids[:50]:
        expected = QueueReason.SAMPLED if sampled(screening_id, 0.1) else None
        assert queue_reason(routine_screening(screening_id), 0.1) is expected
