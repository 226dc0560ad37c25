"""The JPEG's own structure: a file cut short is caught even when its EXIF thumbnail
ends with an end-of-image marker, and a photograph saved too compressed, or too small
across the retina, is refused with a reason the operator can act on."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from retiscreen.domain import Laterality, QualityReason
from retiscreen.imaging.jpeg import estimated_quality, jpeg_complete
from retiscreen.imaging.load import ImageError, decode_fundus
from retiscreen.pipeline import Pipeline
from tests.support.images import synthetic_fundus


def jpeg(pixels: np.ndarray, **options: object) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", **options)
    return out.getvalue()


def with_thumbnail(pixels: np.ndarray) -> bytes:
    """A camera-style JPEG whose EXIF block holds a complete thumbnail JPEG."""
    thumbnail = jpeg(np.ascontiguousarray(pixels[::8, ::8]), quality=80)
    exif = Image.Exif()
    exif[0x010F] = "RetiScreen test camera"  # Make
    raw = exif.tobytes()
    # TIFF IFD1 with a JPEG thumbnail is what cameras write; Pillow writes IFD0 only, so
    # the thumbnail is appended inside the APP1 payload, where a byte search finds it.
    return jpeg(pixels, quality=92, exif=raw + thumbnail)


@pytest.mark.parametrize(
    "options",
    [{"quality": 90}, {"quality": 90, "progressive": True}, {"quality": 75, "optimize": True}],
)
def test_a_complete_jpeg_is_complete(options: dict[str, object]) -> None:
    assert jpeg_complete(jpeg(synthetic_fundus(400), **options))


def test_a_jpeg_cut_short_is_caught_although_its_thumbnail_has_an_end_marker() -> None:
    data = with_thumbnail(synthetic_fundus(800))
    assert jpeg_complete(data)
    cut = data[: int(len(data) * 0.7)]
    assert b"\xff\xd9" in cut  # the thumbnail's end-of-image marker survives the cut
    assert not jpeg_complete(cut)
    with pytest.raises(ImageError, match="incomplete"):
        decode_fundus(cut, "cut.jpg")


def test_a_jpeg_with_restart_markers_is_followed_through_them() -> None:
    data = jpeg(synthetic_fundus(400), quality=90, restart_marker_blocks=4)
    assert b"\xff\xd0" in data and jpeg_complete(data)
    assert not jpeg_complete(data[:-2])  # only the final end-of-image marker is missing


@pytest.mark.parametrize("quality", [10, 30, 50, 75, 95])
def test_the_quality_estimate_inverts_the_ijg_scaling(quality: int) -> None:
    image = Image.open(io.BytesIO(jpeg(synthetic_fundus(400), quality=quality)))
    assert abs(estimated_quality(list(image.quantization[0])) - quality) <= 5 or quality < 20


def test_a_photograph_saved_too_compressed_is_refused(tiny_pipeline: Pipeline) -> None:
    good = decode_fundus(jpeg(synthetic_fundus(800), quality=90), "good.jpg")
    assert good.jpeg_quality is not None and good.jpeg_quality >= 85
    assert tiny_pipeline.check(good).quality.gradable
    low = tiny_pipeline.check(decode_fundus(jpeg(synthetic_fundus(800), quality=20), "low.jpg"))
    assert not low.quality.gradable
    assert low.quality.reasons[0] is QualityReason.LOW_JPEG_QUALITY
    assert low.quality.measures["jpeg_quality"] < 25


def test_too_few_pixels_across_the_retina_is_refused() -> None:
    from pathlib import Path

    shipped = Pipeline.from_models_dir(
        Path(__file__).resolve().parents[2] / "models", prefer_gpu=False
    )
    small = shipped.assess_eye(
        Laterality.LEFT, decode_fundus(jpeg(synthetic_fundus(150), quality=95), "small.jpg")
    )
    assert small.quality is not None and not small.quality.gradable
    assert QualityReason.SMALL_FIELD in small.quality.reasons and small.grade is None
    assert small.quality.measures["field_diameter"] < shipped.thresholds.min_field_diameter
