"""The quality gate names the reason a photograph cannot be graded."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from retiscreen.catalogue import ENGLISH
from retiscreen.domain import QualityReason
from retiscreen.imaging.fundus import locate_field
from retiscreen.imaging.load import load_fundus
from retiscreen.imaging.quality import assess, assess_image
from tests.support.images import DEMO_IMAGE, synthetic_fundus


def demo_pixels() -> np.ndarray:
    return load_fundus(DEMO_IMAGE).pixels


def test_demo_image_passes_the_measures() -> None:
    report = assess_image(demo_pixels())
    assert report.gradable, report.reasons
    assert report.score > 0.5


def test_black_frame_is_not_a_fundus() -> None:
    report = assess_image(np.zeros((700, 700, 3), np.uint8))
    assert not report.gradable
    assert report.reasons == (QualityReason.NOT_FUNDUS,)
    assert "retinal photograph" in ENGLISH.quality(report.reasons[0])


def test_uniform_bright_frame_is_not_a_fundus() -> None:
    report = assess_image(np.full((700, 700, 3), 120, np.uint8))
    assert report.reasons == (QualityReason.NOT_FUNDUS,)


def test_blue_scene_is_not_a_fundus() -> None:
    rgb = synthetic_fundus(700)[..., ::-1].copy()  # same shape, blue instead of orange
    report = assess_image(rgb)
    assert QualityReason.NOT_FUNDUS in report.reasons


def test_dark_photograph() -> None:
    report = assess_image((demo_pixels() * 0.12).astype(np.uint8))
    assert QualityReason.TOO_DARK in report.reasons


def test_overexposed_photograph() -> None:
    bright = np.clip(demo_pixels().astype(np.float32) * 3.5 + 60, 0, 255).astype(np.uint8)
    report = assess_image(bright)
    assert QualityReason.OVEREXPOSED in report.reasons


def test_blurred_photograph() -> None:
    blurred = cv2.GaussianBlur(demo_pixels(), (0, 0), 14)
    report = assess_image(blurred)
    assert QualityReason.BLURRED in report.reasons


def test_retina_cut_off() -> None:
    rgb = demo_pixels()
    shifted = np.zeros_like(rgb)
    shift = int(rgb.shape[1] * 0.5)
    shifted[:, shift:] = rgb[:, :-shift]
    report = assess_image(shifted)
    assert QualityReason.CUT_OFF in report.reasons


@pytest.mark.parametrize("probability,gradable", [(0.9, True), (0.2, False)])
def test_model_probability_is_the_fine_filter(probability: float, gradable: bool) -> None:
    rgb = demo_pixels()
    report = assess(rgb, locate_field(rgb), probability)
    assert report.gradable is gradable
    assert report.model_probability == probability
    if not gradable:
        assert report.reasons == (QualityReason.MODEL_REJECTED,)


def test_measures_fail_even_when_model_is_confident() -> None:
    dark = (demo_pixels() * 0.12).astype(np.uint8)
    report = assess(dark, locate_field(dark), 0.99)
    assert not report.gradable and report.score < 0.5
