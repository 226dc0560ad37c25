"""The quality gate is not fooled by drawings: at least 99% of a seeded set of images
that are not retinal photographs (flat discs, drawn "fundus-like" cartoons, gradients,
noise, text, checkerboards, flat colours, photographs of other things) are judged
ungradable, each with a reason, while the real photographs stay gradable."""

from __future__ import annotations

import importlib.util
from collections import Counter

import pytest

from retiscreen.domain import Laterality
from retiscreen.imaging.load import decode_fundus, load_fundus
from retiscreen.pipeline import Pipeline
from retiscreen.settings import bundled_dir
from tests.support.images import DEMO_IMAGE, encode
from tests.support.non_retinal import non_retinal_set

CONTROL = bundled_dir("assets") / "controls" / "positive_idrid_239.jpg"
HAS_SKIMAGE = importlib.util.find_spec("skimage") is not None


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    loaded = Pipeline.from_models_dir(bundled_dir("models"), prefer_gpu=False)
    assert loaded.unavailable is None, loaded.unavailable
    return loaded


@pytest.mark.parametrize("seed", [2026, 7])
def test_at_least_99_percent_of_non_retinal_images_are_ungradable_with_a_reason(
    pipeline: Pipeline, seed: int
) -> None:
    passed: list[str] = []
    reasons: Counter[str] = Counter()
    total = 0
    for name, pixels in non_retinal_set(seed, photos=HAS_SKIMAGE and seed == 2026):
        total += 1
        checked = pipeline.check(decode_fundus(encode(pixels), f"{name}.jpg"))
        if checked.quality.gradable:
            passed.append(name)
            continue
        assert checked.quality.reasons, name  # never "ungradable" without saying why
        reasons[checked.quality.reasons[0].value] += 1
    assert total >= 180
    assert len(passed) <= total // 100, (passed, reasons)


def test_real_photographs_stay_gradable(pipeline: Pipeline) -> None:
    for path in (DEMO_IMAGE, CONTROL):
        checked = pipeline.check(load_fundus(path))
        assert checked.quality.gradable, (path.name, checked.quality)
        assert checked.quality.measures["flat_fill"] < pipeline.thresholds.max_flat_fill
    eye = pipeline.assess_eye(Laterality.LEFT, DEMO_IMAGE)
    assert eye.grade is not None
