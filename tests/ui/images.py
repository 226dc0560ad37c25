"""Photographs for the kiosk tests: the CC0 demo fundus, a black frame, a blurred fundus."""

from __future__ import annotations

import cv2
import numpy as np

from retiscreen.imaging.load import load_fundus
from tests.support.images import DEMO_IMAGE, encode


def good() -> bytes:
    """The CC0 demo photograph (a normal left eye): gradable for every quality gate."""
    return DEMO_IMAGE.read_bytes()


def black() -> bytes:
    """A lens-cap frame: no retinal field at all."""
    return encode(np.zeros((800, 800, 3), np.uint8), "PNG")


def blurred() -> bytes:
    """The demo photograph thrown out of focus: a field, but no sharp vessels."""
    pixels = load_fundus(DEMO_IMAGE).pixels
    return encode(cv2.GaussianBlur(pixels, (0, 0), 14), "PNG")
