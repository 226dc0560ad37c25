"""Draw the grader's referable map onto the photograph it was computed from.

Why at display time and from the photograph: the map is a small grid (9×9 for the
shipped grader) over the model's input square; drawing it needs only that grid, the
retinal field the square was cut around and the photograph, which the records already
keep encrypted. So no heatmap image is ever written to disk: the kiosk, the report and
``retiscreen grade --heatmaps`` each draw it when they need it, the same way.

Only the positive part is drawn (what pushed the grader towards "refer"), on the card's
fixed scale (``display_max``), not stretched per photograph: an eye with nothing
pushing towards referral shows its plain photograph, not an invented hot spot.
"""

from __future__ import annotations

import cv2
import numpy as np

from retiscreen.domain import Heatmap
from retiscreen.imaging.fundus import crop_to_field
from retiscreen.imaging.pixels import RGBImage

DISPLAY_SIZE = 288
"""Pixels across the drawn square (the shipped grader's input size)."""
MAX_OPACITY = 0.65
"""The colour's opacity at full strength: the vessels stay visible under it."""


def strength(heatmap: Heatmap, size: int) -> np.ndarray:
    """The map's positive part on the card's scale (0..1), smoothly upsampled to
    size×size (each grid cell is a block of the input square)."""
    grid = np.asarray(heatmap.values, dtype=np.float32)
    scaled = np.clip(grid / max(heatmap.display_max, 1e-6), 0.0, 1.0)
    upsampled = cv2.resize(scaled, (size, size), interpolation=cv2.INTER_CUBIC)
    return np.clip(np.asarray(upsampled, dtype=np.float32), 0.0, 1.0)


def overlay(pixels: RGBImage, heatmap: Heatmap, size: int = DISPLAY_SIZE) -> RGBImage:
    """The model-input crop of ``pixels`` (natural colour) with the map laid over it;
    outside the retinal circle the photograph is left as it is."""
    square = crop_to_field(pixels, heatmap.field, size)
    level = strength(heatmap, size)
    colours = cv2.applyColorMap((level * 255).astype(np.uint8), cv2.COLORMAP_JET)
    colours = cv2.cvtColor(colours, cv2.COLOR_BGR2RGB).astype(np.float32)
    mask = np.zeros((size, size), dtype=np.uint8)
    cv2.circle(mask, (size // 2, size // 2), size // 2, 1, -1)
    alpha = (MAX_OPACITY * level * mask)[:, :, None]
    blended = square.astype(np.float32) * (1.0 - alpha) + colours * alpha
    result: RGBImage = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
    return result


def overlay_png(pixels: RGBImage, heatmap: Heatmap, size: int = DISPLAY_SIZE) -> bytes:
    """:func:`overlay` as PNG bytes (the CLI's ``--heatmaps`` files)."""
    ok, encoded = cv2.imencode(
        ".png", cv2.cvtColor(overlay(pixels, heatmap, size), cv2.COLOR_RGB2BGR)
    )
    if not ok:
        raise ValueError("the heatmap could not be encoded as PNG")
    return bytes(encoded.tobytes())
