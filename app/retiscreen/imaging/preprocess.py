"""Model input preparation, written once and imported by training.

The same functions turn a photograph into a network input in the kiosk and in
``training/``: what was trained is exactly what the kiosk feeds the model. The
parameters (size, normalisation, local-contrast step) come from the model card.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from retiscreen.domain import FundusField
from retiscreen.imaging.fundus import crop_to_field
from retiscreen.imaging.pixels import RGBImage

FloatArray = npt.NDArray[np.float32]

FIELD_MASK_RADIUS = 0.96
"""Share of the field radius kept: the rim of the field is a bright, model-confusing ring."""


@dataclass(frozen=True, slots=True)
class InputSpec:
    """How a model wants its pixels; read from the model card."""

    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    local_contrast: bool
    """Subtract the blurred local average colour (Graham, Kaggle DR 2015): it removes
    camera colour cast and uneven illumination, which is what differs between cameras."""


def local_contrast_normalise(square: RGBImage) -> RGBImage:
    """4·(image − Gaussian blur) + 128, masked to the field; neutral grey outside.

    Where the camera clipped the field (black bands top and bottom) the blur bleeds
    darkness inwards; those bands and a thin rim beside them are painted grey too.
    """
    size = square.shape[0]
    blurred = cv2.GaussianBlur(square, (0, 0), sigmaX=size / 30.0)
    enhanced = np.asarray(cv2.addWeighted(square, 4.0, blurred, -4.0, 128.0), dtype=np.uint8)
    lit = (square.max(axis=2) > 8).astype(np.uint8)
    rim = max(3, size // 64)
    lit = cv2.erode(lit, np.ones((2 * rim + 1, 2 * rim + 1), np.uint8))
    enhanced[lit == 0] = 128
    result: RGBImage = apply_field_mask(enhanced, fill=128)
    return result


def apply_field_mask(square: RGBImage, fill: int = 0) -> RGBImage:
    """Paint everything outside the (slightly shrunk) field circle with ``fill``."""
    size = square.shape[0]
    mask = np.zeros((size, size), dtype=np.uint8)
    cv2.circle(mask, (size // 2, size // 2), round(size / 2 * FIELD_MASK_RADIUS), 255, -1)
    result = square.copy()
    result[mask == 0] = fill
    return result


def square_to_tensor(square: RGBImage, spec: InputSpec) -> FloatArray:
    """A field-centred square (natural colour) → normalised CHW float32 model input."""
    if square.shape[0] != spec.size:
        square = np.asarray(
            cv2.resize(square, (spec.size, spec.size), interpolation=cv2.INTER_AREA), np.uint8
        )
    prepared = local_contrast_normalise(square) if spec.local_contrast else apply_field_mask(square)
    array = prepared.astype(np.float32)
    array -= np.asarray(spec.mean, dtype=np.float32)
    array /= np.asarray(spec.std, dtype=np.float32)
    tensor: FloatArray = np.ascontiguousarray(array.transpose(2, 0, 1))
    return tensor


def model_input(rgb: RGBImage, field: FundusField, spec: InputSpec) -> FloatArray:
    """The whole path from an analysis image and its located field to a model input."""
    return square_to_tensor(crop_to_field(rgb, field, spec.size), spec)
