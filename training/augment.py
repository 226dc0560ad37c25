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


def camera(image: Image, rng: np.random.Generator) -> Image:
    """What a different camera and its software do to the same retina: lower resolution,
    JPEG compression (quality 30-95), colour temperature, vignetting and another shape of
    the field-of-view mask. The grader must score the retina, not the camera."""
    size = image.shape[0]
    x = image
    if rng.random() < 0.5:  # a sensor with fewer pixels over the field, scaled back up
        small = max(32, int(size * rng.uniform(0.45, 0.95)))
        x = cv2.resize(x, (small, small), interpolation=cv2.INTER_AREA)
        x = cv2.resize(x, (size, size), interpolation=cv2.INTER_LINEAR)
    f = x.astype(np.float32)
    if rng.random() < 0.5:  # colour temperature: warmer or cooler white balance
        shift = rng.uniform(-0.15, 0.15)
        f = f * np.float32([1 - shift, 1.0, 1 + shift])  # RGB order
    if rng.random() < 0.4:  # vignetting: the edge of the field darker than the centre
        ramp = np.linspace(-1, 1, size, dtype=np.float32)
        radius2 = ramp[None, :] ** 2 + ramp[:, None] ** 2
        f = f * (1 - rng.uniform(0.1, 0.45) * np.clip(radius2, 0, 1))[..., None]
    if rng.random() < 0.3:  # mask shape: a smaller circle, or the top and bottom cut flat
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) - (size - 1) / 2
        keep = (xx**2 + yy**2) <= (size / 2 * rng.uniform(0.88, 1.0)) ** 2
        if rng.random() < 0.5:
            keep &= np.abs(yy) <= size / 2 * rng.uniform(0.78, 0.95)
        f = f * keep[..., None]
    x = np.clip(f + 0.5, 0, 255).astype(np.uint8)
    if rng.random() < 0.6:
        quality = int(rng.integers(30, 96))
        ok, encoded = cv2.imencode(".jpg", x, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            x = cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED)
    return np.ascontiguousarray(x)
