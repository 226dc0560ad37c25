"""The Qt face of an image source: a QObject that captures asynchronously.

Why a second interface on top of :class:`~retiscreen.capture.source.FrameSource`: a
QtMultimedia camera delivers its picture later through a signal, and a headless source
must be read off the GUI thread anyway. Pages therefore talk only to
:class:`CaptureDevice` (``trigger()`` → ``captured(FundusImage)`` or ``failed(str)``),
whatever the camera is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from retiscreen.capture.source import CaptureError, FrameSource
from retiscreen.imaging.load import ImageError
from retiscreen.imaging.pixels import RGBImage

PREVIEW_INTERVAL_MS = 250


def rgb_to_pixmap(rgb: RGBImage) -> QPixmap:
    """A QPixmap sharing nothing with the numpy array (the array may be freed)."""
    contiguous = np.ascontiguousarray(rgb)
    height, width = contiguous.shape[:2]
    image = QImage(contiguous.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())


class PreviewLabel(QLabel):
    """Shows the latest preview frame scaled to fit, also after the page is resized."""

    def __init__(self) -> None:
        super().__init__()
        self.frame: QPixmap | None = None
        self.setObjectName("cameraPreview")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 180)

    def show_frame(self, pixmap: QPixmap) -> None:
        self.frame = pixmap
        self._fit()

    def _fit(self) -> None:
        if self.frame is not None:
            self.setPixmap(
                self.frame.scaled(
                    self.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()


class _Bridge(QObject):
    """Carries a worker's answer back to the GUI thread (queued signal)."""

    done = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], bridge: _Bridge) -> None:
        super().__init__()
        self._work = work
        self._bridge = bridge

    def run(self) -> None:
        try:
            result = self._work()
        except (CaptureError, ImageError) as exc:
            self._bridge.failed.emit(str(exc))
        except Exception as exc:  # a driver fault must reach the operator, not kill the app
            self._bridge.failed.emit(f"The camera failed: {exc}")
        else:
            self._bridge.done.emit(result)


def run_off_thread(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[str], None],
    owner: QObject,
) -> None:
    """Run ``work`` in the global thread pool and call back on the GUI thread."""
    bridge = _Bridge(owner)
    bridge.done.connect(on_done)
    bridge.failed.connect(on_failed)
    bridge.done.connect(bridge.deleteLater)
    bridge.failed.connect(bridge.deleteLater)
    QThreadPool.globalInstance().start(_Job(work, bridge))


class CaptureDevice(QObject):
    """What a capture page needs from any camera."""

    captured = Signal(object)
    """A :class:`~retiscreen.domain.FundusImage`."""
    failed = Signal(str)
    """Why no photograph was taken, in operator words."""

    @property
    def name(self) -> str:
        raise NotImplementedError

    @property
    def busy(self) -> bool:
        return False

    def trigger(self) -> None:
        """Take a photograph; answers later with ``captured`` or ``failed``."""
        raise NotImplementedError

    def preview_widget(self) -> QWidget:
        """The live (or next-frame) view; the caller reparents it into its layout."""
        raise NotImplementedError

    def start(self) -> None:
        """Begin previewing (a capture page became visible)."""

    def stop(self) -> None:
        """Stop previewing (saves power, frees the camera for others)."""

    def close(self) -> None:
        self.stop()


class SourceDevice(CaptureDevice):
    """A headless :class:`FrameSource` read in the thread pool."""

    def __init__(self, source: FrameSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self._busy = False
        self._preview_pending = False
        self._label: PreviewLabel | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(PREVIEW_INTERVAL_MS)
        self._timer.timeout.connect(self.refresh_preview)

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def busy(self) -> bool:
        return self._busy

    def trigger(self) -> None:
        if self._busy:
            return
        self._busy = True
        run_off_thread(self.source.grab, self._done, self._failed, self)

    def _done(self, image: object) -> None:
        self._busy = False
        self.captured.emit(image)
        self.refresh_preview()

    def _failed(self, message: str) -> None:
        self._busy = False
        self.failed.emit(message)

    def preview_widget(self) -> QWidget:
        if self._label is None:
            self._label = PreviewLabel()
        return self._label

    def start(self) -> None:
        self.refresh_preview()
        if self.source.live:
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def refresh_preview(self) -> None:
        if self._preview_pending:
            return
        self._preview_pending = True
        run_off_thread(self.source.preview, self._show_preview, self._preview_failed, self)

    def _preview_failed(self, _message: str) -> None:
        self._preview_pending = False

    def _show_preview(self, frame: object) -> None:
        self._preview_pending = False
        if self._label is None or not isinstance(frame, np.ndarray):
            return
        self._label.show_frame(rgb_to_pixmap(frame))

    def close(self) -> None:
        self.stop()
        self.source.close()
