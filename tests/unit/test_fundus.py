"""Locating the retinal field, including fields clipped by the camera frame."""

from __future__ import annotations

import numpy as np
import pytest

from retiscreen.imaging.fundus import crop_to_field, locate_field
from retiscreen.imaging.load import load_fundus
from tests.support.images import DEMO_IMAGE, synthetic_fundus


def test_centred_field_is_found() -> None:
    rgb = synthetic_fundus(800)
    field = locate_field(rgb)
    assert field is not None
    assert field.center_x == pytest.approx(400, abs=8)
    assert field.center_y == pytest.approx(400, abs=8)
    assert field.radius == pytest.approx(0.46 * 800, rel=0.04)
    assert field.visible_fraction == pytest.approx(1.0, abs=0.01)


def test_field_clipped_top_and_bottom_keeps_true_radius() -> None:
    full = synthetic_fundus(800, width=1100)
    clipped = full[150:650]  # the camera cut the circle's top and bottom
    field = locate_field(clipped)
    assert field is not None
    assert field.radius == pytest.approx(0.46 * 800, rel=0.05)
    assert field.center_y == pytest.approx(250, abs=10)
    assert field.visible_fraction < 0.9


def test_black_frame_has_no_field() -> None:
    assert locate_field(np.zeros((600, 600, 3), np.uint8)) is None


def test_demo_image_field() -> None:
    image = load_fundus(DEMO_IMAGE)
    field = locate_field(image.pixels)
    assert field is not None and field.circularity > 0.95


def test_crop_centres_the_field() -> None:
    rgb = synthetic_fundus(800)
    field = locate_field(rgb)
    assert field is not None
    square = crop_to_field(rgb, field, 256)
    assert square.shape == (256, 256, 3)
    assert square[128, 128].sum() > 100  # centre is inside the retina
    assert square[2, 2].sum() < 30  # corners are the black surround
