"""Photographs for the kiosk tests: the CC0 demo fundus (and its mirror image as a right
eye), a black frame, a blurred fundus."""

from __future__ import annotations

import cv2
import numpy as np

from retiscreen.imaging.load import load_fundus
from tests.support.images import DEMO_IMAGE, encode


def good() -> bytes:
    """The CC0 demo photograph (a normal left eye): gradable for every quality gate."""
    return DEMO_IMAGE.read_bytes()


def good_right() -> bytes:
    """The demo photograph mirrored: a right eye's layout, and a different photograph, so a
    screening of both eyes is not refused as the same photograph twice."""
    return encode(load_fundus(DEMO_IMAGE).pixels[:, ::-1].copy(), "JPEG", quality=95)


def both_eyes() -> tuple[tuple[str, bytes], tuple[str, bytes]]:
    """Two good photographs for the file camera: the right eye's, then the left eye's."""
    return ("01-right.jpg", good_right()), ("02-left.jpg", good())


def black() -> bytes:
    """A lens-cap frame: no retinal field at all."""
    return encode(np.zeros((800, 800, 3), np.uint8), "PNG")


def blurred() -> bytes:
    """The demo photograph thrown out of focus: a field, but no sharp vessels."""
    pixels = load_fundus(DEMO_IMAGE).pixels
    return encode(cv2.GaussianBlur(pixels, (0, 0), 14), "PNG")
