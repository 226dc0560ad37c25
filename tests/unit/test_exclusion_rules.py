"""Referral without screening (#13 item 9, the exclusion questions), table-tested: what
each exclusion decides, that it is never less urgent than the eyes, that an over-read
cannot lower it, and that it is worded (en, es) from data, never parsed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from retiscreen.catalogue import Catalogue
from retiscreen.domain import Decision, DecisionKind, Exclusion, Laterality
from retiscreen.overread import (
    Amendment,
    ReviewRefused,
    decide_review,
    queue_reason,
    rules_decision,
)
from retiscreen.rules import ReferralRules
from retiscreen.store.serialize import screening_from_dict, screening_to_dict
from tests.support import builders
from tests.support.builders import skipped_eye

RULES = ReferralRules(refer_months=3, urgent_weeks=2)


@pytest.mark.parametrize(
    ("exclusion", "decision"),
    [
        (Exclusion.TREATED, Decision(DecisionKind.REFER, 3)),
        (Exclusion.SUDDEN_VISION_LOSS, Decision(DecisionKind.URGENT, None, 0)),
    ],
)
def test_each_exclusion_refers(exclusion: Exclusion, decision: Decision) -> None:
    assert RULES.for_exclusion(exclusion) == decision
    eyes = [skipped_eye(side, "Not screened") for side in Laterality]
    assert RULES.for_screening(eyes, exclusion) == decision  # not just "examine"


def test_sudden_loss_of_vision_is_due_the_same_day() -> None:
    decision = RULES.for_exclusion(Exclusion.SUDDEN_VISION_LOSS)
    assert decision.follow_up_date(date(2026, 5, 4)) == date(2026, 5, 4)


def test_no_exclusion_leaves_the_eyes_to_decide() -> None:
    eyes = [skipped_eye(side, "Patient declined") for side in Laterality]
    assert RULES.for_screening(eyes) == RULES.for_patient(eyes)


def excluded(exclusion: Exclusion) -> builders.Screening:
    eyes = tuple(skipped_eye(side, "Not screened") for side in Laterality)
    return replace(
        builders.screening(*eyes),
        exclusion=exclusion,
        decision=RULES.for_screening(eyes, exclusion),
    )


def test_an_excluded_screening_is_not_queued_and_an_over_read_cannot_lower_it() -> None:
    screening = excluded(Exclusion.SUDDEN_VISION_LOSS)
    assert queue_reason(screening, routine_share=1.0) is None  # no photograph to read
    assert rules_decision(screening, {}, RULES).kind is DecisionKind.URGENT
    with pytest.raises(ReviewRefused):
        decide_review(
            screening,
            Amendment(decision=DecisionKind.EXAMINE, reason="looked fine to me"),
            "Dr Rev",
            RULES,
            reviewed_at=datetime(2026, 5, 4, tzinfo=UTC),
        )


def test_the_exclusion_survives_the_snapshot() -> None:
    screening = excluded(Exclusion.TREATED)
    again = screening_from_dict(screening_to_dict(screening), {})
    assert again.exclusion is Exclusion.TREATED and again.decision == screening.decision
    older = screening_to_dict(screening)
    del older["exclusion"]  # a snapshot saved before the questions
    assert screening_from_dict(older, {}).exclusion is None


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("exclusion", list(Exclusion))
def test_each_exclusion_has_words_in_each_language(language: str, exclusion: Exclusion) -> None:
    words = Catalogue(language)
    decision = RULES.for_exclusion(exclusion)
    advice = words.advice(decision, exclusion)
    assert advice and advice != words.advice(decision) and "{" not in advice
    assert words.exclusion_reason(exclusion)
