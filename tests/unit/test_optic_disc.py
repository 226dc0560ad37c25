"""The optic disc's side: a question when it contradicts the eye, never a refusal."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from retiscreen.domain import Laterality
from retiscreen.imaging.fundus import locate_field
from retiscreen.imaging.load import decode_fundus, load_fundus
from retiscreen.imaging.optic_disc import disc_side
from retiscreen.pipeline import Pipeline
from tests.support.images import DEMO_IMAGE, encode
from tests.support.non_retinal import flat_disc

SHIPPED = Path(__file__).resolve().parents[2] / "models"


def test_the_disc_side_says_which_eye_a_photograph_shows() -> None:
    pixels = load_fundus(DEMO_IMAGE).pixels  # the CC0 retina: disc on the left, a left eye
    field = locate_field(pixels)
    assert field is not None
    seen = disc_side(pixels, field)
    assert seen.looks_like is Laterality.LEFT and seen.offset < -0.25
    mirrored = np.ascontiguousarray(pixels[:, ::-1])
    mirrored_field = locate_field(mirrored)
    assert mirrored_field is not None
    assert disc_side(mirrored, mirrored_field).looks_like is Laterality.RIGHT


def test_no_side_is_claimed_without_a_clear_disc() -> None:
    pixels = flat_disc(np.random.default_rng(1))
    field = locate_field(pixels)
    assert field is not None
    assert disc_side(pixels, field).looks_like is None


def test_a_photograph_offered_as_the_other_eye_raises_the_question() -> None:
    pipeline = Pipeline.from_models_dir(SHIPPED, prefer_gpu=False)
    as_right = pipeline.assess_eye(Laterality.RIGHT, DEMO_IMAGE)
    assert as_right.looks_like is Laterality.LEFT
    assert as_right.grade is not None  # asked about, still graded: not a refusal
    assert pipeline.assess_eye(Laterality.LEFT, DEMO_IMAGE).looks_like is None
    pipeline.check_disc_side = False  # a camera that shows the fundus inverted
    assert pipeline.assess_eye(Laterality.RIGHT, DEMO_IMAGE).looks_like is None


def test_an_ungradable_photograph_is_not_asked_about() -> None:
    pipeline = Pipeline.from_models_dir(SHIPPED, prefer_gpu=False)
    checked = pipeline.check(decode_fundus(encode(flat_disc(np.random.default_rng(2))), "d"))
    assert checked.disc is None and checked.looks_like_other_eye(Laterality.RIGHT) is None
