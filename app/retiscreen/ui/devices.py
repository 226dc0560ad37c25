"""Choosing the camera from the settings value ``capture.camera``.

Values: ``""`` (automatic: a QtMultimedia camera, else a USB camera through OpenCV),
``"demo"`` (the file-backed camera over assets/demo), ``"file:<folder or video>"``,
``"opencv:<device>"``, ``"qt:<camera id>"`` and ``"none"`` (import and watched folder
only). A camera that cannot be opened is reported in plain words; the kiosk then works
from file import and the watched folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject

from retiscreen.capture.file_camera import FileCamera
from retiscreen.capture.opencv_camera import OpenCVCamera, probe_devices
from retiscreen.capture.qt_camera import QtCameraDevice, camera_key, list_qt_cameras
from retiscreen.capture.qt_device import CaptureDevice, SourceDevice
from retiscreen.capture.source import CaptureError
from retiscreen.settings import bundled_dir

AUTO, DEMO, NONE = "", "demo", "none"
DEMO_LABEL = "Demo camera (sample photographs)"


def demo_folder() -> Path:
    return bundled_dir("assets") / "demo"


@dataclass(frozen=True)
class Opened:
    device: CaptureDevice | None
    problem: str | None = None
    """Why there is no camera (None when there is one, or none was wanted)."""


def open_device(spec: str, demo: bool, parent: QObject | None = None) -> Opened:
    """The capture device for a settings value (demo mode always uses the demo camera)."""
    spec = spec.strip()
    try:
        if demo or spec == DEMO:
            # the English label is also the translation key: see device_name()
            camera = FileCamera(demo_folder(), label=DEMO_LABEL, mirror_every_other=True)
            return Opened(SourceDevice(camera, parent))
        if spec == NONE:
            return Opened(None)
        if spec.startswith("file:"):
            return Opened(SourceDevice(FileCamera(Path(spec[5:]).expanduser()), parent))
        if spec.startswith("opencv:"):
            return Opened(SourceDevice(OpenCVCamera(spec[7:]), parent))
        cameras = list_qt_cameras()
        if spec.startswith("qt:"):
            wanted = spec[3:]
            match = next(
                (c for c in cameras if camera_key(c) == wanted or c.description() == wanted), None
            )
            if match is None:
                return Opened(
                    None,
                    QCoreApplication.translate(
                        "Devices", "The camera '{name}' is not connected."
                    ).format(name=wanted),
                )
            return Opened(QtCameraDevice(match, parent))
        if cameras:
            return Opened(QtCameraDevice(cameras[0], parent))
        nodes = probe_devices()
        if nodes and not spec:
            return Opened(SourceDevice(OpenCVCamera(nodes[0]), parent))
        return Opened(None, QCoreApplication.translate("Devices", "No camera was found."))
    except CaptureError as exc:
        return Opened(None, str(exc))


def device_name(device: CaptureDevice) -> str:
    """The camera's name in the screen's language (the demo camera's is translated)."""
    return QCoreApplication.translate("Devices", device.name)


def camera_present() -> bool:
    """Whether any camera is connected (for a launcher deciding between modes).

    Note: a kiosk without a camera still works from file import and the watched folder;
    falling back to ``--demo`` would also enable the demo operator, so do not do that on
    a kiosk that screens patients.
    """
    return bool(list_qt_cameras() or probe_devices())


def camera_choices(current: str) -> list[tuple[str, str]]:
    """(settings value, label) pairs for the administration screen."""
    choices = [
        (AUTO, QCoreApplication.translate("Devices", "Automatic")),
        (DEMO, QCoreApplication.translate("Devices", "Demo camera (sample photographs)")),
        (NONE, QCoreApplication.translate("Devices", "No camera (import and watched folder only)")),
    ]
    choices += [(f"qt:{camera_key(c)}", c.description()) for c in list_qt_cameras()]
    usb = QCoreApplication.translate("Devices", "USB camera {device}")
    choices += [(f"opencv:{node}", usb.format(device=node)) for node in probe_devices()]
    if current and current not in {value for value, _ in choices}:
        choices.append((current, current))
    return choices
