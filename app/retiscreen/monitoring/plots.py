"""The monitor's pictures (PNG, drawn with OpenCV: no plotting library to ship): weekly
rates as lines, and the site's referable scores against the validation set's."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import cv2
import numpy as np

WIDTH, HEIGHT, MARGIN = 720, 360, 56
BLUE, ORANGE, GREY, RED = (180, 90, 20), (20, 110, 230), (170, 170, 170), (40, 40, 200)


def _canvas(title: str) -> np.ndarray:
    image = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)
    _text(image, title, (MARGIN, 28), 0.55)
    cv2.rectangle(image, (MARGIN, MARGIN), (WIDTH - MARGIN, HEIGHT - MARGIN), (0, 0, 0), 1)
    for tick in np.linspace(0, 1, 6):
        y = _y(float(tick))
        cv2.line(image, (MARGIN, y), (WIDTH - MARGIN, y), (235, 235, 235), 1)
        _text(image, f"{tick:.0%}", (8, y + 4), 0.4)
    return image


def _y(share: float) -> int:
    return int(HEIGHT - MARGIN - min(max(share, 0.0), 1.0) * (HEIGHT - 2 * MARGIN))


def _text(image: np.ndarray, text: str, at: tuple[int, int], scale: float = 0.42) -> None:
    cv2.putText(image, text, at, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 1, cv2.LINE_AA)


def rates_png(
    weeks: Sequence[str], series: dict[str, Sequence[float | None]], limit: float | None
) -> bytes:
    """Weekly shares (0-1), one line per series; the alert threshold dashed in red."""
    image = _canvas("per week: " + ", ".join(series))
    span = WIDTH - 2 * MARGIN
    step = span / max(1, len(weeks) - 1)
    xs = [int(MARGIN + i * step) if len(weeks) > 1 else WIDTH // 2 for i in range(len(weeks))]
    for i, week in enumerate(weeks):
        if len(weeks) <= 12 or i % max(1, len(weeks) // 12) == 0:
            _text(image, week[2:], (xs[i] - 22, HEIGHT - MARGIN + 18), 0.35)
    if limit is not None:
        for x in range(MARGIN, WIDTH - MARGIN, 12):
            cv2.line(image, (x, _y(limit)), (x + 6, _y(limit)), RED, 1)
    for (name, values), colour in zip(series.items(), (BLUE, ORANGE, GREY), strict=False):
        points = [(x, _y(v)) for x, v in zip(xs, values, strict=True) if v is not None]
        for a, b in itertools.pairwise(points):
            cv2.line(image, a, b, colour, 2, cv2.LINE_AA)
        for point in points:
            cv2.circle(image, point, 4, colour, -1, cv2.LINE_AA)
        _text(image, name, (WIDTH - MARGIN - 200, MARGIN + 18 + 18 * list(series).index(name)))
    return _png(image)


def scores_png(edges: Sequence[float], reference: Sequence[float], site: Sequence[float]) -> bytes:
    """Share of graded eyes per referable-score bin: validation set (grey) and this site."""
    image = _canvas("referable score: validation set (grey) and this site (blue)")
    span = WIDTH - 2 * MARGIN
    width = span / max(1, len(reference))
    for i, (r, s) in enumerate(zip(reference, site, strict=True)):
        left = int(MARGIN + i * width)
        half = int(width / 2) - 2
        cv2.rectangle(image, (left + 2, _y(r)), (left + half, _y(0)), GREY, -1)
        cv2.rectangle(image, (left + half + 2, _y(s)), (left + 2 * half, _y(0)), BLUE, -1)
        if len(edges) <= 11 or i % 2 == 0:
            _text(image, f"{edges[i]:.2f}", (left, HEIGHT - MARGIN + 18), 0.33)
    return _png(image)


def _png(image: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("a monitoring picture could not be encoded")
    return bytes(encoded.tobytes())
