"""Strict decoding of fundus photographs: the single decode path for quality and grading.

Why not ``cv2.imread``: it silently grey-fills a truncated JPEG, and a half-grey retina
could be graded as healthy. Pillow with truncation errors left on, plus an explicit
end-of-image check, refuses such files. EXIF orientation is applied here once, so what
the quality gate checked is exactly what the grader sees.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from retiscreen.domain import FundusImage
from retiscreen.imaging.dicom import is_dicom, read_dicom
from retiscreen.imaging.errors import ImageError
from retiscreen.imaging.jpeg import estimated_quality, jpeg_complete
from retiscreen.imaging.pixels import RGBImage

ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "TIFF", "BMP"})
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_PIXELS = 60_000_000
"""Above any fundus camera (a 24 MP sensor is 6000×4000) and far below a decompression bomb."""
MIN_SIDE = 128
ANALYSIS_MAX_SIDE = 1024
"""Pixels kept for analysis: enough for the quality checks and a 384 px model input."""
DRAFT_MIN_SIDE = 640
"""A reduced JPEG decode never goes below this (the field must still fill 512 px)."""

ImageFile.LOAD_TRUNCATED_IMAGES = False

__all__ = ["ImageError", "decode_fundus", "load_fundus"]


def load_fundus(path: str | Path) -> FundusImage:
    """Read and strictly decode a photograph file."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImageError(f"The file {path.name} does not exist.") from None
    except OSError as exc:
        raise ImageError(f"The file {path.name} cannot be read: {exc.strerror}.") from None
    if size == 0:
        raise ImageError(f"The file {path.name} is empty (0 bytes): the transfer failed.")
    if size > MAX_FILE_BYTES:
        raise ImageError(
            f"The file {path.name} is too large ({size // (1024 * 1024)} MB) to be a "
            "fundus photograph."
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(f"The file {path.name} cannot be read: {exc.strerror}.") from None
    return decode_fundus(data, source=str(path))


def decode_fundus(data: bytes, source: str = "<memory>") -> FundusImage:
    """Decode bytes strictly into an RGB analysis image (see module docstring)."""
    name = Path(source).name
    if not data:
        raise ImageError(f"The file {name} is empty (0 bytes): the transfer failed.")
    if is_dicom(data):
        photograph = read_dicom(name, data)
        height, width = photograph.pixels.shape[:2]
        _check_dimensions(name, width, height)
        return FundusImage(
            source=source,
            pixels=_limit_size(photograph.pixels),
            sha256=hashlib.sha256(data).hexdigest(),
            original_size=(width, height),
            file_format="DICOM",
            data=data,
            laterality_hint=photograph.laterality,
            patient_id_hint=photograph.patient_id,
            patient_name_hint=photograph.patient_name,
            birth_date_hint=photograph.birth_date,
            order_hint=photograph.order,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format or "unknown"
            if image_format not in ACCEPTED_FORMATS:
                raise ImageError(
                    f"{name} is a {image_format} file; use a JPEG, PNG, TIFF, BMP or DICOM "
                    "photograph."
                )
            width, height = image.size
            _check_dimensions(name, width, height)
            jpeg_quality = None
            if image_format in {"JPEG", "MPO"}:
                _check_jpeg_complete(name, data)
                jpeg_quality = _jpeg_quality(image)
                # DCT scaling: decode a 2000-4000 px JPEG at 1/2 or 1/4 size, several times
                # faster; Pillow keeps the scale at which the image is still >= the request.
                image.draft("RGB", (DRAFT_MIN_SIDE, DRAFT_MIN_SIDE))
            image.load()
            pixels = _to_rgb(name, ImageOps.exif_transpose(image))
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{name} declares an impossibly large image; refused.") from None
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not an image file (or it is damaged).") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{name} is damaged or incomplete ({exc}); copy it again.") from None
    return FundusImage(
        source=source,
        pixels=_limit_size(pixels),
        sha256=hashlib.sha256(data).hexdigest(),
        original_size=(width, height),
        file_format=image_format,
        data=data,
        jpeg_quality=jpeg_quality,
    )


def _check_dimensions(name: str, width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"{name} is {width}×{height} pixels, larger than any fundus camera makes; refused."
        )
    if min(width, height) < MIN_SIDE:
        raise ImageError(
            f"{name} is only {width}×{height} pixels: too small to grade. Use the camera's "
            "full-resolution image."
        )


def _check_jpeg_complete(name: str, data: bytes) -> None:
    """A JPEG cut short ends inside its scan data (``imaging.jpeg``); Pillow does not
    always notice, and an EXIF thumbnail's end marker must not vouch for the image."""
    if not jpeg_complete(data):
        raise ImageError(f"{name} is incomplete (the file was cut short); copy it again.")


def _jpeg_quality(image: Image.Image) -> float | None:
    """The IJG quality the camera saved at, from the luminance table (None if absent)."""
    tables = getattr(image, "quantization", None) or {}
    try:
        return estimated_quality(list(tables[0])) if 0 in tables else None
    except ValueError:
        return None


def _to_rgb(name: str, image: Image.Image) -> RGBImage:
    """Normalise colour modes; refuse those that cannot be a colour fundus photograph."""
    mode = image.mode
    if mode in {"L", "LA", "1", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"}:
        raise ImageError(
            f"{name} is a greyscale image ({mode}); the grader needs a colour fundus "
            "photograph (red-free images cannot be graded)."
        )
    if mode in {"RGBA", "LA", "PA"} or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode != "RGB":
        image = image.convert("RGB")
    array = np.asarray(image, dtype=np.uint8)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ImageError(f"{name} has an unsupported pixel layout {array.shape}.")
    return np.ascontiguousarray(array)


def _limit_size(pixels: RGBImage) -> RGBImage:
    height, width = pixels.shape[:2]
    scale = ANALYSIS_MAX_SIDE / max(height, width)
    if scale >= 1.0:
        return pixels
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
