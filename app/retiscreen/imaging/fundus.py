"""Find the circular retinal field in a fundus photograph.

Fundus cameras put a bright, roughly circular field on a black surround; many crop the
top and bottom of that circle. We threshold the brightest channel, keep the largest blob,
and fit a circle to the blob's edge points that are NOT on the frame border, so a
clipped field still gives the right centre and radius. Everything is computed on a
~512 px copy: it is a geometry question, not a detail question.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from retiscreen.domain import FundusField
from retiscreen.imaging.pixels import RGBImage

WORK_SIDE = 512
MIN_AREA_FRACTION = 0.08


def locate_field(rgb: RGBImage) -> FundusField | None:
    """Return the retinal field, or None when there is no bright blob worth calling one."""
    height, width = rgb.shape[:2]
    scale = WORK_SIDE / max(height, width)
    small = np.asarray(
        cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        if scale < 1.0
        else rgb,
        dtype=np.uint8,
    )
    scale = min(scale, 1.0)
    mask = field_mask(small)
    if mask is None:
        return None
    area = float(np.count_nonzero(mask))
    area_fraction = area / mask.size
    if area_fraction < MIN_AREA_FRACTION:
        return None
    cx, cy, radius, rim_fraction = _fit_circle(mask)
    visible = _visible_circle_fraction(cx, cy, radius, mask.shape[1], mask.shape[0])
    circle_area_in_frame = np.pi * radius * radius * visible
    circularity = float(min(area / max(circle_area_in_frame, 1.0), 2.0))
    return FundusField(
        center_x=cx / scale,
        center_y=cy / scale,
        radius=radius / scale,
        area_fraction=area_fraction,
        visible_fraction=visible,
        circularity=circularity,
        rim_fraction=rim_fraction,
    )


def field_mask(rgb: RGBImage) -> npt.NDArray[np.uint8] | None:
    """Binary mask (0/255) of the largest illuminated region, holes filled."""
    brightness = rgb.max(axis=2)
    brightness = cv2.GaussianBlur(brightness, (5, 5), 0)
    p99 = float(np.percentile(brightness, 99))
    if p99 < 15:
        return None  # black frame, lens cap on
    threshold = max(10.0, min(35.0, 0.12 * p99))
    mask = (brightness > threshold).astype(np.uint8) * 255
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return None
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    blob = (labels == largest).astype(np.uint8) * 255
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    filled = np.zeros_like(blob)
    cv2.drawContours(filled, contours, -1, 255, thickness=cv2.FILLED)
    return np.asarray(filled, dtype=np.uint8)


def _fit_circle(mask: npt.NDArray[np.uint8]) -> tuple[float, float, float, float]:
    """Least-squares (Kåsa) circle through edge points away from the frame border."""
    height, width = mask.shape
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    points = np.concatenate([c.reshape(-1, 2) for c in contours]).astype(np.float64)
    margin = 3
    inner = points[
        (points[:, 0] > margin)
        & (points[:, 0] < width - 1 - margin)
        & (points[:, 1] > margin)
        & (points[:, 1] < height - 1 - margin)
    ]
    rim_fraction = len(inner) / max(len(points), 1)
    if len(inner) >= 20:
        x, y = inner[:, 0], inner[:, 1]
        design = np.column_stack([x, y, np.ones_like(x)])
        target = x * x + y * y
        (a, b, c), *_ = np.linalg.lstsq(design, target, rcond=None)
        cx, cy = a / 2.0, b / 2.0
        radius_sq = c + cx * cx + cy * cy
        if radius_sq > 0:
            radius = float(np.sqrt(radius_sq))
            if radius < 1.5 * max(width, height):
                return float(cx), float(cy), radius, rim_fraction
    # No usable edge (the blob fills the frame): the circle enclosing the blob.
    (cx, cy), radius = cv2.minEnclosingCircle(points.astype(np.float32))
    return float(cx), float(cy), float(radius), rim_fraction


def _visible_circle_fraction(cx: float, cy: float, radius: float, width: int, height: int) -> float:
    """Share of the circle's area inside the frame, by sampling a 64×64 grid."""
    grid = (np.arange(64) + 0.5) / 64 * 2 - 1
    gx, gy = np.meshgrid(grid, grid)
    inside_circle = gx * gx + gy * gy <= 1
    px, py = cx + gx * radius, cy + gy * radius
    inside_frame = (px >= 0) & (px < width) & (py >= 0) & (py < height)
    return float(np.count_nonzero(inside_circle & inside_frame) / np.count_nonzero(inside_circle))


def crop_to_field(rgb: RGBImage, field: FundusField, size: int) -> RGBImage:
    """A size×size square centred on the field, scaled so the circle fills it.

    Parts of the square outside the photograph are black, like a camera's surround.
    """
    radius = field.radius
    scale = size / (2.0 * radius)
    # Affine map: field centre -> square centre, radius -> size/2.
    matrix = np.array(
        [
            [scale, 0.0, size / 2.0 - field.center_x * scale],
            [0.0, scale, size / 2.0 - field.center_y * scale],
        ]
    )
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
    if scale < 0.5:
        # INTER_AREA is ignored by warpAffine; pre-shrink so the sampling does not alias.
        factor = 0.5 / scale
        shrunk = np.asarray(
            cv2.resize(
                rgb,
                (max(1, round(rgb.shape[1] / factor)), max(1, round(rgb.shape[0] / factor))),
                interpolation=cv2.INTER_AREA,
            ),
            dtype=np.uint8,
        )
        matrix[:, :2] *= factor
        rgb = shrunk
        interpolation = cv2.INTER_LINEAR
    cropped = cv2.warpAffine(
        rgb,
        matrix,
        (size, size),
        flags=interpolation,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    return np.asarray(cropped, dtype=np.uint8)
