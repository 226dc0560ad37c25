"""A camera backed by files: a folder of photographs, one photograph, or a video file.

Why: the demo and the tests must run the whole screening with no camera attached, and
a site can point the kiosk at a folder a fundus camera exports to. Each :meth:`grab`
takes the next photograph in name order (wrapping round), so a test can stage an
ungradable frame followed by a good one and exercise the retake path.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from retiscreen.capture.source import (
    IMAGE_SUFFIXES,
    VIDEO_SUFFIXES,
    CaptureError,
    frame_to_fundus,
    list_images,
    thumbnail,
)
from retiscreen.domain import FundusImage
from retiscreen.imaging.load import decode_fundus, load_fundus
from retiscreen.imaging.pixels import RGBImage


class FileCamera:
    """Replays photographs from ``path`` (folder, image file or video file)."""

    def __init__(
        self, path: Path, label: str | None = None, mirror_every_other: bool = False
    ) -> None:
        self.path = Path(path)
        self._label = label
        # The demo camera: the bundle holds one (left-eye) photograph, and the same
        # photograph for both eyes is refused, so every other grab is its mirror image
        # (a right eye's layout). Only for the clearly marked demonstration mode.
        self._mirror_every_other = mirror_every_other
        self._index = 0
        self._lock = threading.Lock()
        self._video: Any = None
        self._preview_cache: tuple[Path, RGBImage] | None = None
        suffix = self.path.suffix.lower()
        self._is_video = self.path.is_file() and suffix in VIDEO_SUFFIXES
        if not self.path.exists():
            raise CaptureError(f"The camera folder or file {self.path} does not exist.")
        if self.path.is_file() and not self._is_video and suffix not in IMAGE_SUFFIXES:
            raise CaptureError(f"{self.path.name} is neither a photograph nor a video file.")

    @property
    def name(self) -> str:
        return self._label or f"File camera ({self.path.name})"

    @property
    def live(self) -> bool:
        return self._is_video

    def _frames(self) -> list[Path]:
        if self.path.is_dir():
            return list_images(self.path)
        return [self.path]

    def _next_file(self, advance: bool) -> Path:
        frames = self._frames()
        if not frames:
            raise CaptureError(f"There are no photographs in {self.path}.")
        chosen = frames[self._index % len(frames)]
        if advance:
            self._index += 1
        return chosen

    def grab(self) -> FundusImage:
        with self._lock:
            if self._is_video:
                return frame_to_fundus(self._read_video_frame(), f"{self.path}#{self._index}")
            mirrored = self._mirror_every_other and self._index % 2 == 0
            path = self._next_file(advance=True)
            return mirror_image(path) if mirrored else load_fundus(path)

    def preview(self) -> RGBImage | None:
        """The photograph the next :meth:`grab` will return (or the video's next frame)."""
        with self._lock:
            try:
                if self._is_video:
                    return thumbnail(self._read_video_frame(peek=True))
                upcoming = self._next_file(advance=False)
                if self._preview_cache is None or self._preview_cache[0] != upcoming:
                    self._preview_cache = (upcoming, thumbnail(load_fundus(upcoming).pixels))
                preview = self._preview_cache[1]
                mirrored = self._mirror_every_other and self._index % 2 == 0
                return preview[:, ::-1].copy() if mirrored else preview
            except Exception:  # a preview is decoration: never let it break the page
                return None

    def _read_video_frame(self, peek: bool = False) -> RGBImage:
        if self._video is None:
            self._video = cv2.VideoCapture(str(self.path))
            if not self._video.isOpened():
                self._video = None
                raise CaptureError(f"The video file {self.path.name} cannot be opened.")
        position = self._video.get(cv2.CAP_PROP_POS_FRAMES)
        ok, frame = self._video.read()
        if not ok:  # end of the video: wrap round
            self._video.set(cv2.CAP_PROP_POS_FRAMES, 0)
            position = 0
            ok, frame = self._video.read()
            if not ok:
                raise CaptureError(f"The video file {self.path.name} has no readable frames.")
        if peek:
            self._video.set(cv2.CAP_PROP_POS_FRAMES, position)
        else:
            self._index += 1
        rgb: RGBImage = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        return rgb

    def close(self) -> None:
        with self._lock:
            if self._video is not None:
                self._video.release()
                self._video = None


def mirror_image(path: Path) -> FundusImage:
    """The photograph at ``path`` mirrored left-right, as a JPEG file of its own."""
    pixels = np.ascontiguousarray(load_fundus(path).pixels[:, ::-1])
    ok, encoded = cv2.imencode(".jpg", pixels[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 95])
    if not ok:
        raise CaptureError(f"{path.name} could not be mirrored for the demonstration.")
    return decode_fundus(encoded.tobytes(), f"{path.stem}-mirrored.jpg")
