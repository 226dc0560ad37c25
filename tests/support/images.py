"""Synthetic photographs made in the test run: nothing cut from the real datasets."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ASSETS = Path(__file__).resolve().parents[2] / "assets"
DEMO_IMAGE = ASSETS / "demo" / "retina_cc0.jpg"


def synthetic_fundus(size: int = 800, seed: int = 0, width: int | None = None) -> np.ndarray:
    """A shaded orange disc on black with a bright optic disc and dark 'vessels': enough
    structure for the field finder, the sharpness measure and the drawing check."""
    rng = np.random.default_rng(seed)
    width = width or size
    image = np.zeros((size, width, 3), np.uint8)
    centre = (width // 2, size // 2)
    radius = int(size * 0.46)
    cv2.circle(image, centre, radius, (190, 90, 40), -1)
    disc = (centre[0] + radius // 2, centre[1])
    cv2.circle(image, disc, size // 18, (250, 220, 160), -1)
    for _ in range(14):
        angle = rng.uniform(0, 2 * np.pi)
        end = (
            int(disc[0] + np.cos(angle) * radius * 1.2),
            int(disc[1] + np.sin(angle) * radius * 1.2),
        )
        cv2.line(image, disc, end, (110, 30, 20), thickness=int(rng.integers(2, 6)))
    # Shading from the centre to the rim, as a camera's illumination gives: without it the
    # disc is one flat fill colour, which the quality gate rightly takes for a drawing.
    yy, xx = np.mgrid[0:size, 0:width].astype(np.float32)
    distance = np.hypot(xx - centre[0], yy - centre[1]) / radius
    shade = np.clip(1.0 - 0.45 * distance**2, 0.3, 1.0)[..., None]
    noise = rng.normal(0, 4, image.shape)
    inside = np.zeros((size, width), np.uint8)
    cv2.circle(inside, centre, radius, 1, -1)
    image = np.clip(image * shade + noise * inside[..., None], 0, 255).astype(np.uint8)
    return image


def encode(rgb: np.ndarray, fmt: str = "JPEG", **params: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format=fmt, **params)
    return buffer.getvalue()


def write(path: Path, rgb: np.ndarray, fmt: str = "JPEG", **params: object) -> Path:
    path.write_bytes(encode(rgb, fmt, **params))
    return path
