"""A seeded set of images that are not retinal photographs, for the quality gate.

Families: flat discs on black, drawn "fundus-like" cartoons (an orange disc, a yellow
optic disc, branching red vessels, sometimes a darker macula, blur and sensor noise),
gradients, noise, text pages, checkerboards, flat colours, and photographs of other
things from scikit-image's data (whole, cropped into a circle on black, or tinted
orange). Everything is drawn here from a seed, so the set is the same on every machine
and nothing from a dataset is needed.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

SIDE = 512
SKIMAGE_PHOTOS = (
    "astronaut", "coffee", "chelsea", "rocket", "camera", "moon", "horse", "coins",
    "immunohistochemistry", "hubble_deep_field", "page", "text", "clock", "brick", "grass",
    "gravel", "colorwheel", "logo", "cell",
)  # fmt: skip
"""Those shipped inside the scikit-image wheel (nothing downloaded); not ``retina`` or
``microaneurysms``, which are retinal."""


def _disc(rng: np.random.Generator, image: np.ndarray) -> tuple[int, int, int]:
    """Draw a filled orange-red disc; returns its centre and radius."""
    centre = (SIDE // 2 + int(rng.integers(-20, 21)), SIDE // 2 + int(rng.integers(-20, 21)))
    radius = int(rng.integers(170, 240))
    colour = (int(rng.integers(150, 240)), int(rng.integers(40, 110)), int(rng.integers(10, 60)))
    cv2.circle(image, centre, radius, colour, -1, cv2.LINE_AA)
    return centre[0], centre[1], radius


def flat_disc(rng: np.random.Generator) -> np.ndarray:
    image = np.zeros((SIDE, SIDE, 3), np.uint8)
    _disc(rng, image)
    return image


def _vessel(
    rng: np.random.Generator, image: np.ndarray, start: tuple[float, float], angle: float,
    width: float, depth: int,
) -> None:  # fmt: skip
    x, y = start
    colour = (int(rng.integers(110, 170)), int(rng.integers(10, 40)), int(rng.integers(10, 40)))
    for _ in range(int(rng.integers(6, 12))):
        angle += float(rng.normal(0, 0.25))
        nx, ny = x + 18 * np.cos(angle), y + 18 * np.sin(angle)
        cv2.line(image, (int(x), int(y)), (int(nx), int(ny)), colour, max(1, int(width)))
        x, y = nx, ny
        if depth < 3 and rng.random() < 0.3:
            _vessel(rng, image, (x, y), angle + float(rng.choice([-0.6, 0.6])), width * 0.7,
                    depth + 1)  # fmt: skip


def cartoon_fundus(rng: np.random.Generator) -> np.ndarray:
    """The drawing that fooled the old gate: disc, optic disc, branching vessels."""
    image = np.zeros((SIDE, SIDE, 3), np.uint8)
    cx, cy, radius = _disc(rng, image)
    side = 1 if rng.random() < 0.5 else -1
    disc = (cx + side * int(radius * 0.45), cy + int(rng.integers(-15, 16)))
    if rng.random() < 0.6:
        cv2.circle(
            image, (cx - side * int(radius * 0.1), cy), int(radius * 0.12), (120, 40, 20), -1
        )
    for k in range(int(rng.integers(4, 9))):
        angle = (k / 8.0) * 2 * np.pi + float(rng.normal(0, 0.2))
        _vessel(rng, image, (float(disc[0]), float(disc[1])), angle, float(rng.uniform(3, 6)), 0)
    cv2.circle(image, disc, int(radius * 0.12), (240, 220, 120), -1, cv2.LINE_AA)
    mask = np.zeros((SIDE, SIDE), np.uint8)
    cv2.circle(mask, (cx, cy), radius, 255, -1)
    image[mask == 0] = 0
    if rng.random() < 0.7:
        image = cv2.GaussianBlur(image, (0, 0), float(rng.uniform(0.5, 2.5)))
    if rng.random() < 0.7:
        noise = rng.normal(0, float(rng.uniform(2, 8)), image.shape)
        image = np.where(mask[..., None] > 0, image + noise, image).clip(0, 255).astype(np.uint8)
    return image


def gradient(rng: np.random.Generator) -> np.ndarray:
    ramp = np.linspace(0, 1, SIDE)
    a, b = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    horizontal = rng.random() < 0.5
    t = np.tile(ramp, (SIDE, 1)) if horizontal else np.tile(ramp[:, None], (1, SIDE))
    return (a[None, None] * (1 - t[..., None]) + b[None, None] * t[..., None]).astype(np.uint8)


def noise(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 256, (SIDE, SIDE, 3), dtype=np.uint8)


def text_page(rng: np.random.Generator) -> np.ndarray:
    image = np.full((SIDE, SIDE, 3), int(rng.integers(200, 256)), np.uint8)
    for row in range(40, SIDE - 20, 28):
        words = "".join(chr(int(rng.integers(97, 123))) for _ in range(24))
        cv2.putText(image, words, (20, row), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (20, 20, 20), 2)
    return image


def checkerboard(rng: np.random.Generator) -> np.ndarray:
    cell = int(rng.integers(8, 64))
    board = ((np.indices((SIDE, SIDE)) // cell).sum(axis=0) % 2 * 255).astype(np.uint8)
    return np.stack([board] * 3, axis=2)


def flat_colour(rng: np.random.Generator) -> np.ndarray:
    return np.full((SIDE, SIDE, 3), rng.integers(0, 256, 3), np.uint8)


def _skimage_photo(name: str) -> np.ndarray:
    from skimage import data

    image = np.asarray(getattr(data, name)())
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=2)
    return np.ascontiguousarray(cv2.resize(image[..., :3], (SIDE, SIDE)))


def photo_variants(name: str, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """The photograph, cut into a circle on black, and that circle tinted orange."""
    photo = _skimage_photo(name)
    yield photo
    mask = np.zeros((SIDE, SIDE), np.uint8)
    cv2.circle(mask, (SIDE // 2, SIDE // 2), int(rng.integers(180, 240)), 255, -1)
    circle = np.where(mask[..., None] > 0, photo, 0).astype(np.uint8)
    yield circle
    tint = np.array([1.0, 0.45, 0.2])
    yield (circle.astype(float) * tint).clip(0, 255).astype(np.uint8)


DRAWN = {
    "flat_disc": (flat_disc, 20),
    "cartoon_fundus": (cartoon_fundus, 100),
    "gradient": (gradient, 15),
    "noise": (noise, 10),
    "text_page": (text_page, 10),
    "checkerboard": (checkerboard, 10),
    "flat_colour": (flat_colour, 15),
}


def non_retinal_set(seed: int = 2026, photos: bool = True) -> Iterator[tuple[str, np.ndarray]]:
    """(name, RGB image) for every image of the set, the same for the same seed."""
    rng = np.random.default_rng(seed)
    for family, (draw, count) in DRAWN.items():
        for number in range(count):
            yield f"{family}-{number:03d}", draw(rng)
    if photos:
        for name in SKIMAGE_PHOTOS:
            kinds = ("whole", "circle", "tinted")
            for kind, image in zip(kinds, photo_variants(name, rng), strict=True):
                yield f"photo-{name}-{kind}", image
