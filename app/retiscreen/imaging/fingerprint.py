"""Perceptual fingerprints: is this the same photograph as that one, re-encoded or resized?

Why: the same photograph given for both eyes (a double tap, a camera that re-sent the
last file) would grade one eye twice and leave the other unexamined. A difference hash
(dHash) of the retinal image survives JPEG re-encoding, resizing and small exposure
changes, while photographs of two different eyes differ in far more bits.
"""

from __future__ import annotations

import cv2
import numpy as np

from retiscreen.domain import FundusImage
from retiscreen.imaging.pixels import RGBImage

HASH_SIDE = 16
"""16×16 gradient signs: 256 bits."""
SAME_PHOTOGRAPH_BITS = 8
"""At most this many of 256 bits differ between copies of one photograph. Measured: the
demo photograph re-encoded at JPEG quality 60 or 30, halved in size or 20% brighter
differs in 2-3 bits; its mirror image in 85; the two eyes of each of the 480 patients
of eyepacs-hires in 13 or more (median 57), of 60 rahim-dr patients in 34 or more."""


def dhash(pixels: RGBImage) -> int:
    """Horizontal-gradient hash of the grey image, as one integer."""
    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(grey, (HASH_SIDE + 1, HASH_SIDE), interpolation=cv2.INTER_AREA)
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


def same_photograph(a: RGBImage, b: RGBImage) -> bool:
    """Whether two images are copies of one photograph (exact or re-encoded)."""
    return (dhash(a) ^ dhash(b)).bit_count() <= SAME_PHOTOGRAPH_BITS


def copies(a: FundusImage, b: FundusImage) -> bool:
    """Whether two decoded photographs are one: the same file, or a copy of it."""
    return a.sha256 == b.sha256 or same_photograph(a.pixels, b.pixels)
