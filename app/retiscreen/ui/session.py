"""The screening being captured: plain data, no Qt, so its rules are easy to test.

Why separate from the pages: the capture page for the right eye and the one for the
left eye, the grading step and the idle timer all need the same facts (who, which
photographs, how many retakes), and clearing one object clears them everywhere. The
draft itself lives in :mod:`retiscreen.drafts` (the records keep it across a restart);
this module adds what only the kiosk's typing needs.
"""

from __future__ import annotations

from datetime import date

from retiscreen.drafts import ABSENT_SKIP_REASONS, EYE_ORDER, EyeCapture, ScreeningDraft
from retiscreen.identity import birth_date_problem

__all__ = [
    "ABSENT_SKIP_REASONS",
    "EYE_ORDER",
    "EyeCapture",
    "ScreeningDraft",
    "normalise_id",
    "parse_dob",
]


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
