"""The heatmap: carried on the grade, drawn onto the photograph's model-input crop."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from retiscreen.domain import Heatmap, Laterality
from retiscreen.imaging.fundus import crop_to_field, locate_field
from retiscreen.imaging.heatmap import overlay, overlay_png
from retiscreen.imaging.load import load_fundus
from retiscreen.pipeline import Pipeline
from tests.support.images import DEMO_IMAGE
from tests.support.tiny_models import SIZE, TEST_KEYS, write_models


def _heatmap(values: np.ndarray) -> tuple[np.ndarray, Heatmap]:
    pixels = load_fundus(DEMO_IMAGE).pixels
    field = locate_field(pixels)
    assert field is not None
    rows = tuple(tuple(float(v) for v in row) for row in values)
    return pixels, Heatmap(rows, field, display_max=10.0)


def test_a_map_with_nothing_towards_referral_leaves_the_photograph_as_it_is() -> None:
    pixels, heatmap = _heatmap(np.full((9, 9), -5.0))
    drawn = overlay(pixels, heatmap, 96)
    assert np.array_equal(drawn, crop_to_field(pixels, heatmap.field, 96))


def test_colour_lands_where_the_map_is_high() -> None:
    values = np.zeros((9, 9))
    values[4, 6] = 20.0  # right of centre
    pixels, heatmap = _heatmap(values)
    drawn = overlay(pixels, heatmap, 90).astype(int)
    plain = crop_to_field(pixels, heatmap.field, 90).astype(int)
    changed = np.abs(drawn - plain).sum(axis=2)
    assert changed[45, 65] > 60  # the hot cell (column 6 of 9 ≈ x 60-70)
    assert changed[45, 20] == 0  # far from it, untouched


def test_png_is_the_overlay() -> None:
    pixels, heatmap = _heatmap(np.eye(9) * 12)
    png = overlay_png(pixels, heatmap, 64)
    assert png.startswith(b"\x89PNG")
    decoded = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert np.array_equal(decoded, overlay(pixels, heatmap, 64))


def test_grades_carry_the_map_and_the_confidence(tmp_path: Path) -> None:
    pipeline = Pipeline.from_models_dir(write_models(tmp_path / "m"), keys=TEST_KEYS)
    grade = pipeline.assess_eye(Laterality.LEFT, DEMO_IMAGE).grade
    assert grade is not None and grade.heatmap is not None and grade.confidence is not None
    assert grade.heatmap.size == (SIZE, SIZE)  # the tiny grader pools its input directly


def test_a_bundle_without_a_map_still_grades_without_one(tmp_path: Path) -> None:
    pipeline = Pipeline.from_models_dir(write_models(tmp_path / "m", cam=False), keys=TEST_KEYS)
    assert pipeline.unavailable is None
    eye = pipeline.assess_eye(Laterality.LEFT, DEMO_IMAGE)
    assert eye.grade is not None and eye.grade.referable
    assert eye.grade.heatmap is None and eye.grade.confidence is None
