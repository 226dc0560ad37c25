"""Image sources for the kiosk: file-backed camera, OpenCV camera, watched folder.

This package itself is headless. The Qt adapters (``qt_device``, ``qt_camera``,
``qt_watch``) import PySide6 and are imported only by the user interface, never from
here, so the CLI and the core can use the sources without Qt installed.
"""

from retiscreen.capture.file_camera import FileCamera
from retiscreen.capture.opencv_camera import OpenCVCamera, probe_devices
from retiscreen.capture.source import (
    IMAGE_SUFFIXES,
    VIDEO_SUFFIXES,
    CaptureError,
    FrameSource,
    frame_to_fundus,
    list_images,
    thumbnail,
)
from retiscreen.capture.watch import Arrival, CameraInbox, EyePatterns, PhotoQueue

__all__ = [
    "IMAGE_SUFFIXES",
    "VIDEO_SUFFIXES",
    "Arrival",
    "CameraInbox",
    "CaptureError",
    "EyePatterns",
    "FileCamera",
    "FrameSource",
    "OpenCVCamera",
    "PhotoQueue",
    "frame_to_fundus",
    "list_images",
    "probe_devices",
    "thumbnail",
]
