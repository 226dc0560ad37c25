"""Referral rules: each eye's state and grade → what the patient must do next.

Defaults follow the ICO Guidelines for Diabetic Eye Care: no or mild DR → rescreen in
12 months; moderate NPDR → refer (routine, within 3 months); severe NPDR or PDR →
urgent referral. A screening programme can change the intervals in the settings file;
the ordering of decisions cannot be changed.

The safety rule for incomplete screenings lives here and nowhere else: an eye that was
not examined (not photographed, unreadable, ungradable) or could not be graded gives at
least an eye examination, never "rescreen in 12 months"; only an eye the operator
recorded as absent takes no part. The worse decision wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from retiscreen.domain import (
    Decision,
    DecisionKind,
    Exclusion,
    EyeResult,
    EyeStatus,
    GradeResult,
    ICDRGrade,
)

UNEXAMINED = frozenset({EyeStatus.UNGRADABLE, EyeStatus.UNREADABLE, EyeStatus.NOT_PHOTOGRAPHED})


@dataclass(frozen=True, slots=True)
class ReferralRules:
    """Per-programme intervals."""

    rescreen_months: int = 12
    refer_months: int = 3
    urgent_weeks: int = 2
    ungradable_months: int = 1
    """Eye examination when an eye could not be checked or graded."""

    def for_grade(self, grade: GradeResult) -> Decision:
        """Decision for one graded eye. The referable flag is the model's operating
        point (it may refer a borderline grade-1 eye); the grade says why. Possible
        macular oedema refers only when the model card puts it in the decision."""
        if grade.grade.vision_threatening:
            return self.decision(DecisionKind.URGENT)
        if grade.referable or grade.grade.referable:
            return self.decision(DecisionKind.REFER)
        oedema = grade.macular_oedema
        if oedema is not None and oedema.positive and oedema.in_decision:
            return self.decision(DecisionKind.REFER)
        return self.decision(DecisionKind.ROUTINE)

    def for_reviewed_grade(self, grade: ICDRGrade) -> Decision:
        """Decision for an eye a reviewer graded: the person's grade decides alone (the
        model's operating point no longer applies to a grade it did not give)."""
        if grade.vision_threatening:
            return self.decision(DecisionKind.URGENT)
        if grade.referable:
            return self.decision(DecisionKind.REFER)
        return self.decision(DecisionKind.ROUTINE)

    def decision(self, kind: DecisionKind) -> Decision:
        """A decision of this kind with the programme's interval."""
        if kind is DecisionKind.URGENT:
            return Decision(kind, None, self.urgent_weeks)
        months = {
            DecisionKind.ROUTINE: self.rescreen_months,
            DecisionKind.REFER: self.refer_months,
            DecisionKind.EXAMINE: self.ungradable_months,
            DecisionKind.UNAVAILABLE: self.ungradable_months,
        }[kind]
        return Decision(kind, months)

    def for_exclusion(self, exclusion: Exclusion) -> Decision:
        """A patient referred without screening: already treated for diabetic eye
        disease goes back to the eye specialist (a referral at the usual interval);
        sudden loss of vision is urgent, the same day (0 weeks), whatever the urgent
        interval is."""
        if exclusion is Exclusion.SUDDEN_VISION_LOSS:
            return Decision(DecisionKind.URGENT, None, 0)
        return self.decision(DecisionKind.REFER)

    def for_screening(
        self, eyes: Iterable[EyeResult], exclusion: Exclusion | None = None
    ) -> Decision:
        """The patient's decision: the worse eye, and an exclusion's referral when the
        patient was not screened (never less urgent than the exclusion asks)."""
        eyes = list(eyes)
        if exclusion is None:
            return self.for_patient(eyes)
        return self.worst([self.for_exclusion(exclusion), *(eye.decision for eye in eyes)])

    def for_eye(self, status: EyeStatus, grade: GradeResult | None = None) -> Decision | None:
        """An eye's own decision from its state; None for an absent eye."""
        if status is EyeStatus.GRADED:
            if grade is None:
                raise ValueError("a graded eye needs its grade")
            return self.for_grade(grade)
        if status is EyeStatus.ABSENT:
            return None
        if status is EyeStatus.UNAVAILABLE:
            return self.decision(DecisionKind.UNAVAILABLE)
        return self.decision(DecisionKind.EXAMINE)

    @staticmethod
    def eye_from_fields(fields: Sequence[EyeResult]) -> EyeResult:
        """One eye photographed in several fields (disc-centred and macula-centred, where
        a site takes both): the eye is what its worse gradable field shows (the more
        severe decision, then the higher referable probability); it is ungraded only
        when no field could be graded, and then the field whose state asks the most
        (a grader failure before an ungradable photograph). Used where a site takes
        two fields per eye (``[capture] fields_per_eye = 2``), through
        :meth:`~retiscreen.pipeline.Pipeline.eye_from_fields`."""
        if not fields:
            raise ValueError("an eye needs at least one field")
        graded = [f for f in fields if f.status is EyeStatus.GRADED and f.grade is not None]
        if graded:
            return max(
                graded,
                key=lambda f: (
                    f.decision.kind.severity if f.decision else -1,
                    f.grade.referable_probability if f.grade else 0.0,
                ),
            )
        return max(fields, key=lambda f: f.decision.kind.severity if f.decision else -1)

    def for_patient(self, eyes: Iterable[EyeResult]) -> Decision:
        """The worse eye decides; an absent eye takes no part. With no eye to decide on
        (both recorded absent, or none given) the patient is sent for an examination."""
        return self.worst(eye.decision for eye in eyes)

    def worst(self, decisions: Iterable[Decision | None]) -> Decision:
        """The most urgent of the eyes' decisions (None: an absent eye, not counted); with
        none to decide on, an examination."""
        decided = [decision for decision in decisions if decision is not None]
        if not decided:
            return self.decision(DecisionKind.EXAMINE)
        return max(decided, key=lambda decision: decision.kind.severity)
