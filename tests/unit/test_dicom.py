"""DICOM photographs: colour pixels decoded, the file's eye and patient kept and checked."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom")

from pydicom.dataset import FileDataset, FileMetaDataset  # noqa: E402
from pydicom.uid import ExplicitVRLittleEndian, generate_uid  # noqa: E402

from retiscreen.domain import EyeStatus, Laterality, Patient  # noqa: E402
from retiscreen.imaging.load import ImageError, decode_fundus  # noqa: E402
from retiscreen.pipeline import Pipeline  # noqa: E402
from tests.support.images import synthetic_fundus  # noqa: E402

OPHTHALMIC_PHOTOGRAPHY = "1.2.840.10008.5.1.4.1.1.77.1.5.1"


def dicom_bytes(
    pixels: np.ndarray,
    laterality: str = "R",
    photometric: str = "RGB",
    frames: int = 1,
    patient_id: str = "P-DICOM-1",
) -> bytes:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = OPHTHALMIC_PHOTOGRAPHY
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("eye.dcm", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = OPHTHALMIC_PHOTOGRAPHY
    ds.PatientID = patient_id
    ds.PatientName = "Lovelace^Ada"
    ds.PatientBirthDate = "19611210"
    ds.Modality = "OP"
    ds.ImageLaterality = laterality
    ds.Rows, ds.Columns = pixels.shape[:2]
    ds.SamplesPerPixel = 1 if pixels.ndim == 2 else 3
    ds.PhotometricInterpretation = photometric
    if pixels.ndim == 3:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated = ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    if frames > 1:
        ds.NumberOfFrames = frames
        pixels = np.stack([pixels] * frames)
    ds.PixelData = np.ascontiguousarray(pixels).tobytes()
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def test_colour_dicom_decodes_with_its_labels() -> None:
    rgb = synthetic_fundus(500)
    image = decode_fundus(dicom_bytes(rgb, "L"), "eye.dcm")
    np.testing.assert_array_equal(image.pixels, rgb)
    assert image.file_format == "DICOM"
    assert image.laterality_hint == Laterality.LEFT
    assert image.patient_id_hint == "P-DICOM-1"


def test_greyscale_and_multiframe_dicom_are_refused() -> None:
    grey = synthetic_fundus(300)[..., 1]
    with pytest.raises(ImageError, match="greyscale"):
        decode_fundus(dicom_bytes(grey, photometric="MONOCHROME2"), "grey.dcm")
    with pytest.raises(ImageError, match="frames"):
        decode_fundus(dicom_bytes(synthetic_fundus(300), frames=2), "cine.dcm")


def test_truncated_dicom_is_refused() -> None:
    data = dicom_bytes(synthetic_fundus(400))
    with pytest.raises(ImageError):
        decode_fundus(data[: len(data) // 2], "cut.dcm")


def test_wrong_eye_is_refused_not_graded(tmp_path: Path, tiny_pipeline: Pipeline) -> None:
    pipeline = tiny_pipeline
    path = tmp_path / "left.dcm"
    path.write_bytes(dicom_bytes(synthetic_fundus(800), "L"))
    wrong = pipeline.assess_eye(Laterality.RIGHT, path)
    assert wrong.grade is None
    assert wrong.error is not None and "LEFT eye" in wrong.error
    correct = pipeline.assess_eye(Laterality.LEFT, path)
    assert correct.error is None and correct.grade is not None


def test_a_photograph_of_another_patient_is_refused_not_graded(
    tmp_path: Path, tiny_pipeline: Pipeline
) -> None:
    pipeline = tiny_pipeline
    path = tmp_path / "right.dcm"
    path.write_bytes(dicom_bytes(synthetic_fundus(800), "R"))
    ada = Patient("p-dicom-1 ", "Ada Lovelace", date(1961, 12, 10))
    (same,) = pipeline.assess_eyes([(Laterality.RIGHT, path)], ada)
    assert same.status is EyeStatus.GRADED  # ID matched without case and spaces
    (other,) = pipeline.assess_eyes([(Laterality.RIGHT, path)], Patient("P-2", "Bo Ek"))
    assert other.status is EyeStatus.UNGRADABLE and other.grade is None
    assert other.error is not None and "'P-DICOM-1'" in other.error


def test_without_an_id_the_name_and_birth_date_must_match(
    tmp_path: Path, tiny_pipeline: Pipeline
) -> None:
    pipeline = tiny_pipeline
    path = tmp_path / "right.dcm"
    path.write_bytes(dicom_bytes(synthetic_fundus(800), "R", patient_id=""))
    image = decode_fundus(path.read_bytes(), str(path))
    assert image.patient_name_hint == "Lovelace^Ada"
    assert image.birth_date_hint == date(1961, 12, 10)
    for patient, graded in [
        (Patient("X", "ada lovelace", date(1961, 12, 10)), True),
        (Patient("X", "Grace Hopper", date(1961, 12, 10)), False),
        (Patient("X", "Ada Lovelace", date(1906, 12, 9)), False),
    ]:
        (eye,) = pipeline.assess_eyes([(Laterality.RIGHT, path)], patient)
        assert (eye.status is EyeStatus.GRADED) is graded, patient
