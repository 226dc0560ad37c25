"""The FrameSource protocol: anything that can hand the kiosk one fundus photograph.

Every source returns a :class:`~retiscreen.domain.FundusImage` made by the one strict
decode path (:func:`retiscreen.imaging.load.decode_fundus`), so a frame from a camera is
checked and graded exactly like an imported file. Sources here are headless (no Qt);
the Qt camera and the folder watcher live in the ``qt_*`` adapter modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from retiscreen.domain import FundusImage
from retiscreen.errors import RetiScreenError
from retiscreen.imaging.load import ImageError, decode_fundus
from retiscreen.imaging.pixels import RGBImage

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".dcm", ".dicom"})
"""Files the file picker, the watched folder and the file camera offer: DICOM too
(decoded, and its laterality and patient checked, by ``imaging.load``)."""
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v"})


class CaptureError(RetiScreenError):
    """The source could not deliver a photograph; ``str()`` is for the operator."""


@runtime_checkable
class FrameSource(Protocol):
    """A camera-like source of photographs, used from a worker thread."""

    @property
    def name(self) -> str:
        """What the operator sees as the camera's name."""
        ...

    @property
    def live(self) -> bool:
        """True when :meth:`preview` changes over time and is worth polling."""
        ...

    def preview(self) -> RGBImage | None:
        """A small current view for the screen (None when there is nothing to show)."""
        ...

    def grab(self) -> FundusImage:
        """Take one photograph (raises CaptureError or ImageError)."""
        ...

    def close(self) -> None:
        """Release the device."""
        ...


def list_images(folder: Path) -> list[Path]:
    """Photographs directly inside ``folder``, sorted by name (hidden files skipped)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(
        (
            p
            for p in entries
            if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file()
        ),
        key=lambda p: p.name.lower(),
    )


def frame_to_fundus(rgb: RGBImage, source: str) -> FundusImage:
    """Encode a camera frame losslessly (PNG) and decode it through the strict path, so
    the stored photograph is byte-for-byte what was checked and graded."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise CaptureError("The camera delivered a frame in an unexpected format.")
    ok, encoded = cv2.imencode(
        ".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 1]
    )
    if not ok:
        raise CaptureError("The camera frame could not be encoded.")
    return decode_fundus(encoded.tobytes(), source=source)


def thumbnail(rgb: RGBImage, max_side: int = 480) -> RGBImage:
    """A reduced copy for on-screen previews."""
    height, width = rgb.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1.0:
        return rgb
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.ascontiguousarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA))


__all__ = [
    "IMAGE_SUFFIXES",
    "VIDEO_SUFFIXES",
    "CaptureError",
    "FrameSource",
    "ImageError",
    "frame_to_fundus",
    "list_images",
    "thumbnail",
]
