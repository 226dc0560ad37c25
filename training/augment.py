"""Augmentation for fundus crops, and synthetic ungradable photographs for the quality model.

The labelled sets come from different cameras with different colour, so colour and
exposure are jittered hard; fundus photographs have no canonical rotation, so any angle
and mirror is fair (mirroring also swaps left and right eyes, which the grader must not
care about).
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]


def geometric(crop: Image, size: int, rng: np.random.Generator, strength: float = 1.0) -> Image:
    """Random rotation, mirror, zoom and shift, output size×size."""
    side = crop.shape[0]
    angle = rng.uniform(0, 360)
    zoom = rng.uniform(0.92, 1.12) * size / side
    matrix = cv2.getRotationMatrix2D((side / 2, side / 2), angle, zoom)
    matrix[:, 2] += (size - side) / 2 + rng.normal(0, 0.02 * size * strength, 2)
    out = cv2.warpAffine(crop, matrix, (size, size), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    if rng.random() < 0.5:
        out = out[:, ::-1]
    return np.ascontiguousarray(out)


def photometric(image: Image, rng: np.random.Generator) -> Image:
    """Brightness, contrast, gamma, per-channel gain and occasional blur/noise."""
    x = image.astype(np.float32) / 255.0
    x = x * rng.uniform(0.75, 1.3, size=3).astype(np.float32)  # colour cast
    x = np.clip(x * rng.uniform(0.7, 1.35), 0, 1)  # exposure
    x = x ** rng.uniform(0.7, 1.4)  # gamma
    mean = x.mean()
    x = (x - mean) * rng.uniform(0.75, 1.3) + mean  # contrast
    if rng.random() < 0.25:
        x = cv2.GaussianBlur(x, (0, 0), sigmaX=rng.uniform(0.3, 1.2))
    if rng.random() < 0.2:
        x = x + rng.normal(0, rng.uniform(0.005, 0.03), x.shape).astype(np.float32)
    return np.clip(x * 255.0 + 0.5, 0, 255).astype(np.uint8)


def degrade(image: Image, rng: np.random.Generator) -> Image:
    """Turn a gradable photograph into an ungradable one in a way cameras really fail."""
    kind = rng.integers(0, 5)
    x = image.astype(np.float32)
    size = image.shape[0]
    if kind == 0:  # out of focus / patient moved
        x = cv2.GaussianBlur(x, (0, 0), sigmaX=rng.uniform(0.012, 0.03) * size)
    elif kind == 1:  # too dark (small pupil, no flash)
        x = x * rng.uniform(0.08, 0.22)
    elif kind == 2:  # overexposed / flare
        x = x * rng.uniform(2.2, 4.0) + rng.uniform(20, 80)
    elif kind == 3:  # retina cut off: shift most of the field out of frame
        shift = (
            rng.uniform(0.35, 0.55) * size * np.array([np.cos(a := rng.uniform(0, 6.3)), np.sin(a)])
        )
        matrix = np.float32([[1, 0, shift[0]], [0, 1, shift[1]]])
        x = cv2.warpAffine(x, matrix, (size, size), borderValue=(0, 0, 0))
    else:  # haze / cataract: low contrast with a milky veil
        veil = rng.uniform(90, 170)
        alpha = rng.uniform(0.55, 0.8)
        x = x * (1 - alpha) + veil * alpha
        x = cv2.GaussianBlur(x, (0, 0), sigmaX=0.006 * size)
    return np.clip(x, 0, 255).astype(np.uint8)


def blank_frame(size: int, rng: np.random.Generator) -> Image:
    """A frame with no photograph in it: lens cap, uniform colour, noise, a gradient."""
    kind = rng.integers(0, 3)
    if kind == 0:
        level = rng.uniform(0, 40)
        frame = np.full((size, size, 3), level, np.float32) + rng.normal(0, 3, (size, size, 3))
    elif kind == 1:
        frame = np.full((size, size, 3), rng.uniform(0, 255, 3), np.float32)
    else:
        ramp = np.linspace(0, 1, size, dtype=np.float32)[None, :, None]
        frame = ramp * rng.uniform(0, 255, 3) + (1 - ramp) * rng.uniform(0, 255, 3)
        frame = np.broadcast_to(frame, (size, size, 3)).copy()
    return np.clip(frame, 0, 255).astype(np.uint8)
