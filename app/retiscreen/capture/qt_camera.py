"""A live camera through QtMultimedia (QCamera + QMediaCaptureSession + QImageCapture).

This is the normal path for a fundus camera that presents itself as a video device:
the operator sees the live picture and touches "Take photograph". The captured QImage
is turned into a lossless PNG and decoded through the strict path off the GUI thread.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QImageCapture,
    QMediaCaptureSession,
    QMediaDevices,
)
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QWidget

from retiscreen.capture.qt_device import CaptureDevice, run_off_thread
from retiscreen.capture.source import frame_to_fundus
from retiscreen.domain import FundusImage
from retiscreen.imaging.pixels import RGBImage


def list_qt_cameras() -> list[QCameraDevice]:
    """Cameras QtMultimedia can see (empty on a machine without any).

    Without a Qt application QtMultimedia loads no backend and silently reports no camera,
    which would make an unconfigured kiosk with a camera start in demo mode; so asking
    too early is a programming error, not an empty list.
    """
    if QCoreApplication.instance() is None:
        raise RuntimeError("create the Qt application before listing cameras")
    return list(QMediaDevices.videoInputs())


def camera_key(device: QCameraDevice) -> str:
    """A stable settings value for a camera: its id (bytes) as text."""
    return bytes(device.id().data()).decode("utf-8", "replace")


def qimage_to_rgb(image: QImage) -> RGBImage:
    """Copy a QImage into an RGB array (runs in a worker: no GUI objects touched)."""
    converted = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = converted.width(), converted.height(), converted.bytesPerLine()
    buffer = np.frombuffer(converted.constBits(), np.uint8, count=stride * height)
    return np.ascontiguousarray(
        buffer.reshape(height, stride)[:, : width * 3].reshape(height, width, 3)
    )


class QtCameraDevice(CaptureDevice):
    """One QtMultimedia camera with a QVideoWidget preview."""

    def __init__(self, device: QCameraDevice, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._device = device
        self._camera = QCamera(device)
        self._session = QMediaCaptureSession(self)
        self._session.setCamera(self._camera)
        self._capture = QImageCapture(self)
        self._session.setImageCapture(self._capture)
        self._capture.imageCaptured.connect(self._on_image)
        self._capture.errorOccurred.connect(self._on_capture_error)
        self._camera.errorOccurred.connect(self._on_camera_error)
        self._video: QVideoWidget | None = None
        self._busy = False

    @property
    def name(self) -> str:
        return self._device.description()

    @property
    def busy(self) -> bool:
        return self._busy

    def preview_widget(self) -> QWidget:
        if self._video is None:
            self._video = QVideoWidget()
            self._video.setObjectName("cameraPreview")
            self._session.setVideoOutput(self._video)
        return self._video

    def start(self) -> None:
        self._camera.start()

    def stop(self) -> None:
        self._camera.stop()

    def trigger(self) -> None:
        if self._busy:
            return
        if not self._camera.isActive():
            self._camera.start()
        if not self._capture.isReadyForCapture():
            self.failed.emit(
                "The camera is not ready yet. Wait a moment and touch the button again."
            )
            return
        self._busy = True
        self._capture.capture()

    def _on_image(self, _request: int, image: QImage) -> None:
        copy = image.copy()
        source = f"camera:{self.name}"

        def convert() -> FundusImage:
            return frame_to_fundus(qimage_to_rgb(copy), source)

        run_off_thread(convert, self._done, self._failed, self)

    def _done(self, image: object) -> None:
        self._busy = False
        self.captured.emit(image)

    def _failed(self, message: str) -> None:
        self._busy = False
        self.failed.emit(message)

    def _on_capture_error(self, _request: int, _error: QImageCapture.Error, text: str) -> None:
        self._failed(f"The camera could not take the photograph: {text}")

    def _on_camera_error(self, _error: QCamera.Error, text: str) -> None:
        self._failed(f"The camera reported a problem: {text}")
