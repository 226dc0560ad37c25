"""Strict decoding: every bad file is refused with a message an operator understands."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from retiscreen.imaging.load import MAX_PIXELS, ImageError, decode_fundus, load_fundus
from tests.support.images import DEMO_IMAGE, encode, synthetic_fundus, write


def test_demo_image_decodes_to_rgb() -> None:
    image = load_fundus(DEMO_IMAGE)
    assert image.pixels.dtype == np.uint8 and image.pixels.shape[2] == 3
    assert image.original_size == (1411, 1411)
    assert max(image.pixels.shape[:2]) <= 1024
    assert len(image.sha256) == 64


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "BMP"])
def test_lossless_formats_are_accepted(tmp_path: Path, fmt: str) -> None:
    rgb = synthetic_fundus(400)
    image = load_fundus(write(tmp_path / f"eye.{fmt.lower()}", rgb, fmt))
    assert image.file_format == fmt
    np.testing.assert_array_equal(image.pixels, rgb)


def test_truncated_jpeg_is_refused(tmp_path: Path) -> None:
    data = encode(synthetic_fundus(600))
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ImageError, match=r"incomplete|damaged"):
        load_fundus(path)


def test_jpeg_missing_only_its_end_marker_is_refused(tmp_path: Path) -> None:
    data = encode(synthetic_fundus(600))
    path = tmp_path / "no_eoi.jpg"
    path.write_bytes(data[:-2])
    with pytest.raises(ImageError, match="incomplete"):
        load_fundus(path)


def test_truncated_png_is_refused(tmp_path: Path) -> None:
    data = encode(synthetic_fundus(400), "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError):
        load_fundus(path)


def test_corrupt_bytes_are_refused(tmp_path: Path) -> None:
    data = bytearray(encode(synthetic_fundus(400)))
    data[200:4000] = bytes(3800)
    path = tmp_path / "corrupt.jpg"
    path.write_bytes(bytes(data))
    with pytest.raises(ImageError):
        load_fundus(path)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        load_fundus(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="does not exist"):
        load_fundus(tmp_path / "nope.jpg")


def test_non_image_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("patient notes, not a photograph\n" * 50)
    with pytest.raises(ImageError, match="not an image"):
        load_fundus(path)


def test_other_image_format_is_refused() -> None:
    gif = encode(synthetic_fundus(300), "GIF")
    with pytest.raises(ImageError, match="GIF"):
        decode_fundus(gif, "eye.gif")


def test_decompression_bomb_is_refused() -> None:
    side = int(MAX_PIXELS**0.5) + 100
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, "PNG")  # tiny file, huge canvas
    with pytest.raises(ImageError, match=r"larger than any fundus camera|impossibly large"):
        decode_fundus(buffer.getvalue(), "bomb.png")


def test_tiny_image_is_refused() -> None:
    with pytest.raises(ImageError, match="too small"):
        decode_fundus(encode(synthetic_fundus(64)), "thumb.jpg")


def test_greyscale_is_refused_with_reason() -> None:
    grey = synthetic_fundus(400)[..., 0]
    with pytest.raises(ImageError, match="greyscale"):
        decode_fundus(encode(grey, "PNG"), "redfree.png")


def test_16_bit_greyscale_is_refused() -> None:
    grey16 = synthetic_fundus(400)[..., 0].astype(np.uint16) * 257
    buffer = io.BytesIO()
    Image.fromarray(grey16).save(buffer, "PNG")
    with pytest.raises(ImageError, match="greyscale"):
        decode_fundus(buffer.getvalue(), "deep.png")


def test_16_bit_colour_tiff_is_normalised() -> None:
    import cv2

    rgb = synthetic_fundus(400)
    deep = rgb.astype(np.uint16) * 257
    ok, data = cv2.imencode(".tiff", cv2.cvtColor(deep, cv2.COLOR_RGB2BGR))
    assert ok
    image = decode_fundus(data.tobytes(), "deep.tiff")
    assert np.abs(image.pixels.astype(int) - rgb.astype(int)).max() <= 1


def test_rgba_is_flattened_onto_black() -> None:
    rgb = synthetic_fundus(400)
    alpha = np.full((*rgb.shape[:2], 1), 255, np.uint8)
    image = decode_fundus(encode(np.concatenate([rgb, alpha], axis=2), "PNG"), "alpha.png")
    np.testing.assert_array_equal(image.pixels, rgb)


def test_cmyk_is_converted() -> None:
    rgb = synthetic_fundus(400)
    buffer = io.BytesIO()
    Image.fromarray(rgb).convert("CMYK").save(buffer, "JPEG", quality=95)
    image = decode_fundus(buffer.getvalue(), "print.jpg")
    assert image.pixels.shape == rgb.shape
    assert np.abs(image.pixels.astype(int) - rgb.astype(int)).mean() < 12


def test_exif_orientation_is_applied_once() -> None:
    rgb = synthetic_fundus(300, width=500)  # landscape
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    data = encode(rgb, "JPEG", exif=exif.tobytes(), quality=95)
    image = decode_fundus(data, "rotated.jpg")
    assert image.pixels.shape[:2] == (500, 300)


def test_large_jpeg_is_decoded_reduced() -> None:
    rgb = np.asarray(Image.fromarray(synthetic_fundus(1000)).resize((3000, 3000)))
    image = decode_fundus(encode(rgb), "big.jpg")
    assert image.original_size == (3000, 3000)
    assert max(image.pixels.shape[:2]) <= 1024
