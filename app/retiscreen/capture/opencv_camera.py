"""A UVC camera through OpenCV's VideoCapture: the fallback when QtMultimedia finds none.

Some USB fundus cameras and adapters only work through V4L2 as OpenCV opens them; this
source lets the kiosk use them. Frames are taken from a worker thread, so every call is
serialised by a lock.
"""

from __future__ import annotations

import glob
import sys
import threading
from typing import Any

import cv2

from retiscreen.capture.source import CaptureError, frame_to_fundus, thumbnail
from retiscreen.domain import FundusImage
from retiscreen.imaging.pixels import RGBImage

FLUSH_FRAMES = 3
"""Frames dropped before a capture: the driver buffers stale ones."""


def probe_devices() -> list[str]:
    """Device names OpenCV could open, without opening them (cheap: no camera wake-up).

    On Linux these are the /dev/video* nodes; elsewhere the first index is offered.
    """
    if sys.platform.startswith("linux"):
        return sorted(glob.glob("/dev/video*"))
    return ["0"]


class OpenCVCamera:
    """A camera opened with ``cv2.VideoCapture(device)`` on first use."""

    def __init__(self, device: str) -> None:
        self.device = device
        self._capture: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"USB camera {self.device}"

    @property
    def live(self) -> bool:
        return True

    def _open(self) -> Any:
        if self._capture is None:
            target: int | str = int(self.device) if self.device.isdigit() else self.device
            capture = cv2.VideoCapture(target)
            if not capture.isOpened():
                capture.release()
                raise CaptureError(
                    f"The camera {self.device} cannot be opened. Check its cable, or choose "
                    "another camera in the administration screen."
                )
            self._capture = capture
        return self._capture

    def _read(self, flush: int) -> RGBImage:
        capture = self._open()
        for _ in range(flush):
            capture.grab()
        ok, frame = capture.read()
        if not ok or frame is None:
            raise CaptureError(f"The camera {self.device} did not deliver a picture.")
        rgb: RGBImage = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
        return rgb

    def grab(self) -> FundusImage:
        with self._lock:
            return frame_to_fundus(self._read(FLUSH_FRAMES), f"camera:{self.device}")

    def preview(self) -> RGBImage | None:
        with self._lock:
            try:
                return thumbnail(self._read(0))
            except CaptureError:
                return None

    def close(self) -> None:
        with self._lock:
            if self._capture is not None:
                self._capture.release()
                self._capture = None
