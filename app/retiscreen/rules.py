"""Referral rules: ICDR grades (or their absence) → what the patient must do next.

Defaults follow the ICO Guidelines for Diabetic Eye Care: no or mild DR → rescreen in
12 months; moderate NPDR → refer (routine, within 3 months); severe NPDR or PDR →
urgent referral. A screening programme can change the intervals and wording in the
settings file; the ordering of urgencies cannot be changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from retiscreen.domain import Decision, EyeResult, GradeResult, ICDRGrade, Urgency


@dataclass(frozen=True, slots=True)
class ReferralRules:
    """Per-programme intervals in months; None means 'as soon as possible'."""

    rescreen_months: int = 12
    refer_months: int = 3
    urgent_weeks: int = 2
    ungradable_months: int = 1
    """Eye examination after a retake failed."""

    def for_grade(self, grade: GradeResult) -> Decision:
        """Decision for one gradable eye. The referable flag is the model's operating
        point (it may refer a borderline grade-1 eye); the grade words say why."""
        if grade.grade.vision_threatening:
            return self.urgent()
        if grade.referable or grade.grade.referable:
            return Decision(
                Urgency.REFER,
                "Refer to an eye specialist",
                "Signs of diabetic eye disease were found. You need to see an eye specialist "
                f"within {self.refer_months} months. Keep controlling your blood sugar, blood "
                "pressure and cholesterol.",
                self.refer_months,
            )
        return self.rescreen()

    def rescreen(self) -> Decision:
        return Decision(
            Urgency.ROUTINE_RESCREEN,
            "No referable diabetic retinopathy",
            "No sign of diabetic eye disease that needs a specialist was found today. "
            f"Come back for your next eye photograph in {self.rescreen_months} months, or "
            "sooner if your sight changes.",
            self.rescreen_months,
        )

    def urgent(self) -> Decision:
        return Decision(
            Urgency.URGENT,
            "URGENT referral to an eye specialist",
            "Signs of diabetic eye disease that can threaten your sight were found. You must "
            f"see an eye specialist within {self.urgent_weeks} weeks. Treatment works best "
            "when it is early.",
            None,
            self.urgent_weeks,
        )

    def ungradable(self) -> Decision:
        return Decision(
            Urgency.RETAKE_OR_EXAMINE,
            "Photograph could not be graded",
            "The eye photograph was not clear enough to check. If a retake is not possible, "
            f"you need an eye examination by an eye specialist within {self.ungradable_months} "
            "month(s). This is common (for example with cataract) and does not mean disease "
            "was found.",
            self.ungradable_months,
        )

    def cannot_grade(self, why: str) -> Decision:
        """The system itself failed (model missing or tampered): never guess, refer."""
        return Decision(
            Urgency.RETAKE_OR_EXAMINE,
            "Cannot grade: refer for an eye examination",
            f"The screening system could not grade this photograph ({why}). You need an eye "
            f"examination by an eye specialist within {self.ungradable_months} month(s).",
            self.ungradable_months,
        )

    def for_patient(self, eyes: list[EyeResult] | tuple[EyeResult, ...]) -> Decision:
        """The worse eye decides; an eye that was skipped does not count.

        With no assessable eye at all the patient is referred for an examination.
        """
        decided = [eye.decision for eye in eyes if eye.skipped_reason is None]
        if not decided:
            return self.cannot_grade("no eye was photographed")
        return max(decided, key=lambda decision: decision.urgency)


def grade_words(grade: ICDRGrade | None) -> str:
    """The grade in words, or why there is none."""
    return grade.words if grade is not None else "Not graded"
