"""Every compressed colour transfer syntax a camera or PACS sends decodes to the right
colours and grades as the JPEG does (shipped models, referable probability within
0.02); a file no decoder can read is a plain image error.

The encoders are independent of the decoders RetiScreen uses: DCMTK (``dcmcjpeg``,
``dcmcjpls``, ``dcmcrle``, Debian package ``dcmtk``) for JPEG, JPEG-LS and RLE, and
OpenJPEG through pydicom for JPEG 2000 (DCMTK has no JPEG 2000 encoder).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import JPEG2000, JPEG2000Lossless

from retiscreen.domain import Laterality
from retiscreen.imaging.load import ImageError, load_fundus
from retiscreen.pipeline import Pipeline
from retiscreen.settings import bundled_dir
from tests.support.dicom import ophthalmic_photograph

CONTROL = bundled_dir("assets") / "controls" / "positive_idrid_239.jpg"
DCMTK = {
    # name: (command, expected transfer syntax, lossless)
    "jpeg-baseline": (["dcmcjpeg", "+eb"], "1.2.840.10008.1.2.4.50", False),
    "jpeg-extended": (["dcmcjpeg", "+ee"], "1.2.840.10008.1.2.4.51", False),
    "jpeg-lossless": (["dcmcjpeg", "+el"], "1.2.840.10008.1.2.4.57", True),
    "jpeg-lossless-sv1": (["dcmcjpeg", "+e1"], "1.2.840.10008.1.2.4.70", True),
    "jpeg-ls-lossless": (["dcmcjpls", "+el"], "1.2.840.10008.1.2.4.80", True),
    "jpeg-ls-near-lossless": (["dcmcjpls", "+en"], "1.2.840.10008.1.2.4.81", False),
    "rle": (["dcmcrle"], "1.2.840.10008.1.2.5", True),
}
J2K = {"jpeg-2000-lossless": (JPEG2000Lossless, True), "jpeg-2000": (JPEG2000, False)}


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    loaded = Pipeline.from_models_dir(bundled_dir("models"), prefer_gpu=False)
    assert loaded.unavailable is None, loaded.unavailable
    return loaded


@pytest.fixture(scope="module")
def source() -> np.ndarray:
    return load_fundus(CONTROL).pixels


def encoded(name: str, pixels: np.ndarray, folder: Path) -> tuple[Path, bool]:
    """``pixels`` written as DICOM in transfer syntax ``name``; (path, lossless)."""
    plain = folder / "plain.dcm"
    ophthalmic_photograph(pixels).save_as(plain, enforce_file_format=True)
    target = folder / f"{name}.dcm"
    if name in J2K:
        uid, lossless = J2K[name]
        ds = pydicom.dcmread(plain)
        ds.compress(uid, **({} if lossless else {"j2k_cr": [20]}))
        ds.save_as(target, enforce_file_format=True)
        return target, lossless
    command, syntax, lossless = DCMTK[name]
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is missing (apt-get install dcmtk; scripts/setup.sh --dev)")
    subprocess.run([*command, str(plain), str(target)], check=True, capture_output=True)
    assert pydicom.dcmread(target, stop_before_pixels=True).file_meta.TransferSyntaxUID == syntax
    return target, lossless


@pytest.mark.parametrize("name", [*DCMTK, *J2K])
def test_each_transfer_syntax_decodes_to_the_same_colours_and_grade(
    name: str, pipeline: Pipeline, source: np.ndarray, tmp_path: Path
) -> None:
    path, lossless = encoded(name, source, tmp_path)
    image = load_fundus(path)
    assert image.file_format == "DICOM" and image.laterality_hint is Laterality.LEFT
    difference = np.abs(image.pixels.astype(int) - source.astype(int))
    per_channel = difference.mean(axis=(0, 1))
    if lossless:
        assert difference.max() == 0, name
    else:  # lossy, but the right colours: a YBR/RGB mix-up is tens of levels off
        assert per_channel.max() < 3.0, (name, per_channel)
    from_jpeg = pipeline.assess_eye(Laterality.LEFT, CONTROL).grade
    from_dicom = pipeline.assess_eye(Laterality.LEFT, path).grade
    assert from_jpeg is not None and from_dicom is not None
    assert from_dicom.grade == from_jpeg.grade
    assert abs(from_dicom.referable_probability - from_jpeg.referable_probability) <= 0.02


def test_damaged_compressed_pixel_data_is_a_plain_image_error(
    source: np.ndarray, tmp_path: Path
) -> None:
    path, _ = encoded("jpeg-2000-lossless", source, tmp_path)
    ds = pydicom.dcmread(path)
    frame = bytearray(ds.PixelData)
    frame[len(frame) // 3 : len(frame) // 3 + 4096] = bytes(4096)  # a zeroed-out stretch
    ds.PixelData = bytes(frame[: len(frame) // 2]) + b"\xff\xd9\x00\x00"[: 2 * (len(frame) % 2)]
    ds.save_as(path, enforce_file_format=True)
    with pytest.raises(ImageError) as raised:
        load_fundus(path)
    assert "Traceback" not in str(raised.value) and path.name in str(raised.value)


def test_a_transfer_syntax_nothing_decodes_is_a_plain_image_error(
    source: np.ndarray, tmp_path: Path
) -> None:
    ds = ophthalmic_photograph(source[:64, :64])
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.100"  # MPEG-2 video
    ds.PixelData = pydicom.encaps.encapsulate([b"\x00\x00\x01\xb3 not a photograph"])
    path = tmp_path / "video.dcm"
    ds.save_as(path, enforce_file_format=True)
    mpeg = r"\(MPEG2 Main Profile / Main Level\) could not be decoded"
    with pytest.raises(ImageError, match=mpeg):
        load_fundus(path)


def test_pydicom_2_is_refused(
    source: np.ndarray, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "plain.dcm"
    ophthalmic_photograph(source[:64, :64]).save_as(path, enforce_file_format=True)
    monkeypatch.setattr(pydicom, "__version__", "2.4.4")
    with pytest.raises(ImageError, match="needs pydicom 3 or newer"):
        load_fundus(path)
