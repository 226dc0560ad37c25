"""The incomplete-screening rule, table-tested over every pair of eye states.

An eye that was not examined (not photographed, unreadable, ungradable) or could not be
graded gives at least an eye examination, never "rescreen in 12 months"; only an eye
recorded absent takes no part; the worse decision wins.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

import pytest

from retiscreen.domain import DecisionKind, EyeResult, ICDRGrade, Laterality
from tests.support import builders

State = Callable[[Laterality], EyeResult]

STATES: dict[str, State] = {
    "graded-routine": lambda side: builders.graded_eye(side, ICDRGrade.MILD, 0.1),
    "graded-refer": lambda side: builders.graded_eye(side, ICDRGrade.MODERATE, 0.8),
    "graded-urgent": lambda side: builders.graded_eye(side, ICDRGrade.PROLIFERATIVE, 0.95),
    "ungradable": lambda side: builders.ungradable_eye(side),
    "unreadable": lambda side: builders.unreadable_eye(side),
    "not-photographed": lambda side: builders.skipped_eye(side, "small pupil"),
    "absent": lambda side: builders.skipped_eye(side, "enucleation", absent=True),
    "unavailable": lambda side: builders.unavailable_eye(side),
}
OWN_DECISION: dict[str, DecisionKind | None] = {
    "graded-routine": DecisionKind.ROUTINE,
    "graded-refer": DecisionKind.REFER,
    "graded-urgent": DecisionKind.URGENT,
    "ungradable": DecisionKind.EXAMINE,
    "unreadable": DecisionKind.EXAMINE,
    "not-photographed": DecisionKind.EXAMINE,
    "absent": None,
    "unavailable": DecisionKind.UNAVAILABLE,
}
WORSE_LAST = [
    DecisionKind.ROUTINE,
    DecisionKind.EXAMINE,
    DecisionKind.UNAVAILABLE,
    DecisionKind.REFER,
    DecisionKind.URGENT,
]


def expected(right: str, left: str) -> DecisionKind:
    own = [k for k in (OWN_DECISION[right], OWN_DECISION[left]) if k is not None]
    if not own:
        return DecisionKind.EXAMINE  # both absent: nothing was screened
    return max(own, key=WORSE_LAST.index)


@pytest.mark.parametrize(("right", "left"), list(product(STATES, repeat=2)))
def test_every_pair_of_eye_states(right: str, left: str) -> None:
    eyes = (STATES[right](Laterality.RIGHT), STATES[left](Laterality.LEFT))
    for eye, state in zip(eyes, (right, left), strict=True):
        own = OWN_DECISION[state]
        assert (eye.decision.kind if eye.decision else None) == own
    decision = builders.screening(*eyes).decision
    assert decision.kind == expected(right, left)
    unexamined = {"ungradable", "unreadable", "not-photographed", "unavailable"}
    if {right, left} & unexamined:
        assert decision.kind is not DecisionKind.ROUTINE


def test_decision_kinds_are_ordered_worse_last() -> None:
    assert sorted(DecisionKind, key=lambda k: k.severity) == WORSE_LAST


# Two fields per eye (disc- and macula-centred): the eye is its worse gradable field.
FIELD_STATES = ("graded-routine", "graded-refer", "graded-urgent", "ungradable", "unreadable")


@pytest.mark.parametrize(("first", "second"), list(product(FIELD_STATES, repeat=2)))
def test_an_eye_is_its_worse_gradable_field(first: str, second: str) -> None:
    from retiscreen.domain import EyeStatus
    from retiscreen.rules import ReferralRules

    fields = [STATES[first](Laterality.RIGHT), STATES[second](Laterality.RIGHT)]
    eye = ReferralRules.eye_from_fields(fields)
    graded = [name for name in (first, second) if name.startswith("graded")]
    if graded:  # ungradable only when no field is gradable
        assert eye.status is EyeStatus.GRADED
        worst = max((OWN_DECISION[name] for name in graded), key=lambda k: k.severity)  # type: ignore[union-attr]
        assert eye.decision is not None and eye.decision.kind is worst
    else:
        assert eye.status is not EyeStatus.GRADED
        assert eye.decision is not None and eye.decision.kind is DecisionKind.EXAMINE


def test_between_equal_fields_the_higher_referable_probability_wins() -> None:
    from retiscreen.rules import ReferralRules

    low = builders.graded_eye(Laterality.LEFT, ICDRGrade.MODERATE, 0.6)
    high = builders.graded_eye(Laterality.LEFT, ICDRGrade.MODERATE, 0.9)
    assert ReferralRules.eye_from_fields([low, high]) is high
    assert ReferralRules.eye_from_fields([high, low]) is high
    with pytest.raises(ValueError):
        ReferralRules.eye_from_fields([])
