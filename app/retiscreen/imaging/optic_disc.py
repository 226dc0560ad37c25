"""Which eye a photograph looks like, from the side its optic disc is on.

In a macula-centred fundus photograph the optic disc lies on the nasal side: on the
right of the image for a right eye, on the left for a left eye. The disc is the
brightest compact region of the field, so a blurred brightness map's peak finds it;
when the peak is not clearly brighter than the rest, or sits near the centre (a
disc-centred photograph), nothing is claimed. The answer is a question for the
operator (confirm the eye or retake), never a refusal: an eye photographed off-centre
can put its disc anywhere. How often it is right on the shared sets:
``bench/laterality_check.py`` and ``docs/ARCHITECTURE.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from retiscreen.domain import FundusField, Laterality
from retiscreen.imaging.fundus import crop_to_field
from retiscreen.imaging.pixels import RGBImage

SIDE = 128
MIN_OFFSET = 0.25
"""Disc centre's horizontal distance from the field centre, in field radii, below which
no side is claimed (a disc-centred or central-looking peak)."""
MIN_PROMINENCE = 1.25
"""Peak brightness over the field's median brightness, below which no disc is claimed."""


@dataclass(frozen=True, slots=True)
class DiscSide:
    """Where the brightest compact region lies, and the eye that implies."""

    offset: float
    """Horizontal position of the disc relative to the field centre, in radii (+ = right)."""
    prominence: float
    looks_like: Laterality | None
    """The eye this photograph looks like; None when the disc is not clear enough."""


def disc_side(rgb: RGBImage, field: FundusField) -> DiscSide:
    """Locate the optic disc as the peak of a blurred brightness map inside the field."""
    square = crop_to_field(rgb, field, SIDE).astype(np.float32)
    mask = np.zeros((SIDE, SIDE), np.uint8)
    cv2.circle(mask, (SIDE // 2, SIDE // 2), int(SIDE * 0.44), 255, -1)
    inside = mask > 0
    brightness = 0.5 * square[..., 0] + 0.5 * square[..., 1]  # the disc is bright in R and G
    blurred = cv2.GaussianBlur(brightness, (0, 0), SIDE / 40)
    blurred[~inside] = 0.0
    _, peak, _, (x, _) = cv2.minMaxLoc(blurred)
    median = float(np.median(blurred[inside]))
    prominence = peak / max(median, 1.0)
    offset = (x - SIDE / 2) / (SIDE / 2)
    looks_like = None
    if prominence >= MIN_PROMINENCE and abs(offset) >= MIN_OFFSET:
        looks_like = Laterality.RIGHT if offset > 0 else Laterality.LEFT
    return DiscSide(float(offset), float(prominence), looks_like)
