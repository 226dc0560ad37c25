"""The screening being captured: plain data, no Qt, so its rules are easy to test.

Why separate from the pages: the capture page for the right eye and the one for the
left eye, the grading step and the idle timer all need the same facts (who, which
photographs, how many retakes), and clearing one object clears them everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from retiscreen.domain import FundusImage, Laterality, Order, Patient, QualityReport
from retiscreen.identity import birth_date_problem
from retiscreen.service import Checked

EYE_ORDER = (Laterality.RIGHT, Laterality.LEFT)
ABSENT_SKIP_REASONS = frozenset({"Artificial eye (prosthesis)", "Eye removed (enucleation)"})
"""Skip reasons (stored in English, the record's language) that record the eye as absent:
only these take no part in the decision; every other skipped eye is unexamined."""


@dataclass
class EyeCapture:
    """Attempts at photographing one eye and what the operator decided."""

    laterality: Laterality
    attempts: int = 0
    image: FundusImage | None = None
    quality: QualityReport | None = None
    error: str | None = None
    """The last attempt could not be read at all (ImageError / camera failure)."""
    accepted: bool = False
    skipped_reason: str | None = None
    checked: Checked | None = None
    """The last photograph with its located field and the verdict the operator saw."""
    history: list[str] = field(default_factory=list)
    """Per attempt: 'gradable', the reasons, or the error (kept for the audit log)."""

    def record(
        self,
        image: FundusImage | None,
        quality: QualityReport | None,
        error: str | None,
        checked: Checked | None = None,
    ) -> None:
        """One more photograph (or failed attempt) of this eye."""
        self.attempts += 1
        self.image, self.quality, self.error, self.checked = image, quality, error, checked
        self.accepted = False
        if error:
            self.history.append(f"unreadable: {error}")
        elif quality is not None:
            self.history.append(
                "gradable" if quality.gradable else ",".join(r.value for r in quality.reasons)
            )

    @property
    def gradable(self) -> bool:
        return self.quality is not None and self.quality.gradable and self.error is None

    @property
    def looks_like(self) -> Laterality | None:
        """The other eye, when the optic disc says this gradable photograph shows it."""
        if not self.gradable or self.checked is None:
            return None
        return self.checked.looks_like_other_eye(self.laterality)

    def retakes_left(self, max_retakes: int) -> int:
        """Retakes still allowed: the first photograph plus ``max_retakes`` more."""
        return max(0, max_retakes + 1 - self.attempts)

    def may_accept_ungradable(self, max_retakes: int) -> bool:
        return self.attempts > 0 and not self.gradable and self.retakes_left(max_retakes) == 0

    def accept(self) -> None:
        if self.attempts == 0:
            raise ValueError("no photograph of this eye to accept")
        self.accepted = True

    def skip(self, reason: str) -> None:
        reason = " ".join(reason.split())
        if not reason:
            raise ValueError("a skipped eye needs a reason")
        self.skipped_reason = reason
        self.image = self.quality = self.error = self.checked = None
        self.accepted = False

    @property
    def done(self) -> bool:
        return self.accepted or self.skipped_reason is not None


@dataclass
class ScreeningDraft:
    """One patient's visit from confirmation to grading."""

    operator: str
    patient: Patient | None = None
    order: Order | None = None
    """The clinic's order, when the patient was picked from the worklist."""
    language: str | None = None
    """The patient's language, for the report and the letter (None: the site's)."""
    watched: list[Path] = field(default_factory=list)
    """Files taken from the watched camera folder for this visit: each goes to done/
    or failed/ when the visit ends."""
    started_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    eyes: dict[Laterality, EyeCapture] = field(
        default_factory=lambda: {side: EyeCapture(side) for side in EYE_ORDER}
    )

    def next_eye(self) -> Laterality | None:
        return next((side for side in EYE_ORDER if not self.eyes[side].done), None)


def normalise_id(text: str) -> str:
    """Patient IDs compare without case or surrounding/embedded spaces (scanners vary)."""
    return "".join(text.split()).upper()


def parse_dob(text: str, today: date | None = None) -> date | None:
    """YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY (DD-MM-YYYY too); None when not a real past date."""
    text = text.strip()
    today = today or date.today()
    candidates: list[tuple[int, int, int]] = []
    for sep in ("-", "/", "."):
        parts = text.split(sep)
        if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
            a, b, c = (int(p) for p in parts)
            if len(parts[0].strip()) == 4:
                candidates.append((a, b, c))
            elif len(parts[2].strip()) == 4:
                candidates.append((c, b, a))
    if len(text) == 8 and text.isdigit():
        candidates.append((int(text[:4]), int(text[4:6]), int(text[6:])))
    for year, month, day in candidates:
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if birth_date_problem(value, today) is None:
            return value
    return None
