"""Where photographs come from: file-backed camera, watched folder, file import, no camera."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from retiscreen.capture import CaptureError, FileCamera, FrameSource
from retiscreen.capture.source import frame_to_fundus
from retiscreen.domain import Laterality
from retiscreen.settings import Settings
from retiscreen.ui.window import KioskWindow
from tests.ui import images
from tests.ui.kiosk_driver import confirm_patient, enter_patient, sign_in, stage, touch

OpenKiosk = Callable[..., KioskWindow]
MakeSettings = Callable[..., Settings]


def to_capture(qtbot: QtBot, window: KioskWindow) -> None:
    sign_in(qtbot, window)
    enter_patient(qtbot, window, "MRN-55", "Cy Source", "1950-01-02")
    confirm_patient(qtbot, window, "MRN-55", "1950-01-02")
    assert window.current is window.capture


def test_file_camera_replays_a_folder_in_name_order(tmp_path: Path) -> None:
    stage(
        tmp_path, ("b.png", images.black()), ("a.jpg", images.good()), ("notes.txt", b"not a photo")
    )
    camera = FileCamera(tmp_path)
    assert isinstance(camera, FrameSource)
    names = [Path(camera.grab().source).name for _ in range(3)]
    assert names == ["a.jpg", "b.png", "a.jpg"]
    assert camera.preview() is not None
    with pytest.raises(CaptureError):
        FileCamera(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CaptureError, match="no photographs"):
        FileCamera(empty).grab()


def test_the_demo_camera_gives_the_two_eyes_different_photographs() -> None:
    """One bundled photograph, and the same photograph twice is refused: the demo
    camera mirrors every other grab (a right eye's layout), previews included."""
    from retiscreen.imaging.fingerprint import copies
    from retiscreen.ui.devices import demo_folder

    camera = FileCamera(demo_folder(), mirror_every_other=True)
    preview = camera.preview()
    right, left = camera.grab(), camera.grab()
    assert not copies(right, left)
    difference = np.abs(right.pixels[:, ::-1].astype(int) - left.pixels.astype(int))
    assert difference.mean() < 3  # the mirror image, up to JPEG re-encoding
    assert preview is not None and right.source.endswith("-mirrored.jpg")
    assert camera.grab().source.endswith("-mirrored.jpg")  # and so on, alternating


def test_file_camera_reads_a_video_file(tmp_path: Path) -> None:
    path = tmp_path / "fundus.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 5, (320, 240))
    for value in (40, 200):
        writer.write(np.full((240, 320, 3), value, np.uint8))
    writer.release()
    camera = FileCamera(path)
    assert camera.live
    first, second, third = (camera.grab() for _ in range(3))
    assert first.size == (320, 240) and first.file_format == "PNG"
    assert first.pixels.mean() < second.pixels.mean()
    assert abs(float(third.pixels.mean()) - float(first.pixels.mean())) < 5  # wrapped round
    camera.close()


def test_camera_frames_go_through_the_strict_decoder() -> None:
    frame = np.zeros((300, 400, 3), np.uint8)
    frame[..., 0] = 255
    image = frame_to_fundus(frame, "camera:test")
    assert image.pixels[0, 0].tolist() == [255, 0, 0]  # RGB kept, not BGR
    assert image.data.startswith(b"\x89PNG")


def watching(
    qtbot: QtBot, open_kiosk: OpenKiosk, make_settings: MakeSettings, tmp_path: Path
) -> tuple[KioskWindow, Path]:
    """A kiosk with no camera, watching a new folder, on the right eye's capture page."""
    watch = tmp_path / "watch"
    watch.mkdir()
    window = open_kiosk(make_settings(capture={"camera": "none", "watch_folder": str(watch)}))
    to_capture(qtbot, window)
    assert str(watch) in window.capture.source_line.text()
    return window, watch


def test_a_new_file_in_the_watched_folder_becomes_the_photograph(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    tmp_path: Path,
) -> None:
    window, watch = watching(qtbot, open_kiosk, make_settings, tmp_path)
    data = images.good_right()  # the first eye photographed is the right one
    (watch / "IMG_0001.JPG").write_bytes(data[: len(data) // 2])  # the copy is under way
    qtbot.wait(100)
    (watch / "IMG_0001.JPG").write_bytes(data)
    qtbot.waitUntil(lambda: window.capture.state == "verdict", timeout=10_000)
    assert window.capture.verdict.level == "ok"
    capture = window.capture.capture
    assert capture is not None and capture.image is not None
    assert capture.image.source.endswith("IMG_0001.JPG")


def test_a_dicom_file_in_the_watched_folder_becomes_the_photograph(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    tmp_path: Path,
) -> None:
    import io

    from PIL import Image

    from tests.support.dicom import ophthalmic_photograph

    window, watch = watching(qtbot, open_kiosk, make_settings, tmp_path)
    pixels = np.asarray(Image.open(io.BytesIO(images.good_right())).convert("RGB"))
    dataset = ophthalmic_photograph(pixels, laterality="R")
    dataset.save_as(watch / "IM000001.dcm", enforce_file_format=True)
    qtbot.waitUntil(lambda: window.capture.state == "verdict", timeout=10_000)
    capture = window.capture.capture
    assert capture is not None and capture.image is not None
    assert capture.image.file_format == "DICOM" and capture.gradable
    assert window.capture.verdict.level == "ok"


def test_both_eyes_arriving_together_and_files_from_before_start_are_all_used(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    tmp_path: Path,
) -> None:
    """The camera wrote the left eye before the kiosk started and the right eye and a
    spare 0.1 s apart later: each eye gets its own file, nothing is dropped, and after
    the screening is saved each file is in done/ or failed/ with the reason."""
    from retiscreen.capture.watch import REASON_SUFFIX

    watch = tmp_path / "watch"
    watch.mkdir()
    (watch / "visit_OS.jpg").write_bytes(images.good())  # there before the kiosk started
    window = open_kiosk(make_settings(capture={"camera": "none", "watch_folder": str(watch)}))
    to_capture(qtbot, window)
    (watch / "visit_OD.jpg").write_bytes(images.good_right())
    qtbot.wait(100)
    (watch / "visit_OD_again.jpg").write_bytes(images.good_right()[:-2000])  # cut short
    qtbot.waitUntil(lambda: window.capture.state == "verdict", timeout=10_000)
    capture = window.capture.capture
    assert capture is not None and capture.image is not None
    assert capture.image.source.endswith("visit_OD.jpg") and capture.gradable
    touch(qtbot, window.capture.use)
    qtbot.waitUntil(lambda: window.capture.side == Laterality.LEFT, timeout=10_000)
    qtbot.waitUntil(lambda: window.capture.state == "verdict", timeout=10_000)
    left = window.capture.capture
    assert left is not None and left.image is not None
    assert left.image.source.endswith("visit_OS.jpg")
    touch(qtbot, window.capture.use)
    qtbot.waitUntil(lambda: window.current is window.result, timeout=60_000)
    for name in ("visit_OD.jpg", "visit_OS.jpg"):
        reason = (watch / "done" / f"{name}{REASON_SUFFIX}").read_text()
        assert reason.startswith("Screening ") and (watch / "done" / name).exists()
    assert (watch / "visit_OD_again.jpg").exists()  # not this visit's: still waiting


def test_a_cancelled_screening_moves_its_photographs_to_failed(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    tmp_path: Path,
) -> None:
    window, watch = watching(qtbot, open_kiosk, make_settings, tmp_path)
    (watch / "r.jpg").write_bytes(images.good_right())
    qtbot.waitUntil(lambda: window.capture.state == "verdict", timeout=10_000)
    window.cancel_screening("cancelled")
    assert not (watch / "r.jpg").exists()
    reason = (watch / "failed" / "r.jpg.reason.txt").read_text()
    assert "not saved" in reason


def test_no_camera_says_so_and_import_from_file_still_works(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
    tmp_path: Path,
) -> None:
    photos = tmp_path / "usb"
    photos.mkdir()
    stage(photos, ("right.jpg", images.good_right()), ("broken.jpg", images.good()[:5000]))
    window = open_kiosk(make_settings(capture={"camera": "opencv:/dev/video-missing"}))
    assert window.ctx.device is not None  # opened lazily: fails on the first photograph
    window.ctx.apply({"capture": {"camera": "none"}})
    assert window.ctx.device is None
    assert (
        "No camera" in window.home.camera_status.text()
        or "import" in window.home.camera_status.text()
    )
    to_capture(qtbot, window)
    capture = window.capture
    assert not capture.take.isEnabled()
    assert "Import from file" in capture.source_line.text()

    touch(qtbot, capture.import_file)
    picker = capture._picker
    assert picker is not None and picker.isVisible()
    picker.open_folder(photos)
    assert picker.select(photos / "broken.jpg")
    touch(qtbot, picker.use)
    qtbot.waitUntil(lambda: capture.state == "verdict", timeout=10_000)
    assert capture.verdict.level == "error" and "broken.jpg" in capture.verdict.text()
    touch(qtbot, capture.retake)
    touch(qtbot, capture.import_file)
    picker = capture._picker
    assert picker is not None
    picker.open_folder(photos)
    picker.select(photos / "right.jpg")
    touch(qtbot, picker.use)
    qtbot.waitUntil(lambda: capture.state == "verdict", timeout=10_000)
    assert capture.verdict.level == "ok"
    assert capture.side == Laterality.RIGHT


def test_a_camera_that_fails_is_reported_plainly(
    qtbot: QtBot,
    open_kiosk: OpenKiosk,
    make_settings: MakeSettings,
) -> None:
    window = open_kiosk(make_settings(capture={"camera": "opencv:/dev/video-missing"}))
    to_capture(qtbot, window)
    touch(qtbot, window.capture.take)
    qtbot.waitUntil(lambda: window.capture.state == "ready", timeout=10_000)
    assert window.capture.verdict.level == "error"
    assert "cannot be opened" in window.capture.verdict.text()
    capture = window.capture.capture
    assert capture is not None and capture.attempts == 0  # a camera fault is not a retake


def test_qt_camera_images_convert_to_rgb_with_padded_rows(qtbot: QtBot) -> None:
    """QImage rows are padded to 4 bytes; an odd width must not shear the picture."""
    from PySide6.QtGui import QColor, QImage

    from retiscreen.capture.qt_camera import qimage_to_rgb

    image = QImage(301, 7, QImage.Format.Format_ARGB32)
    image.fill(QColor(200, 30, 10))
    image.setPixelColor(300, 6, QColor(0, 0, 255))
    rgb = qimage_to_rgb(image)
    assert rgb.shape == (7, 301, 3)
    assert rgb[0, 0].tolist() == [200, 30, 10] and rgb[6, 300].tolist() == [0, 0, 255]
