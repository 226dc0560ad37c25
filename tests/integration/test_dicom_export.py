"""`retiscreen export SCREENING_ID --format dicom`: the report as Encapsulated PDF and
each photograph as Secondary Capture, checked by dicom3tools' dciodvfy (0 errors), read
back with pydicom, with UIDs that stay the same on a resend and the study of a DICOM
input kept."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from retiscreen.cli import main
from retiscreen.imaging.load import load_fundus
from retiscreen.store import ScreeningStore
from tests.support.images import DEMO_IMAGE

DCIODVFY = shutil.which("dciodvfy")


def dciodvfy_errors(path: Path) -> list[str]:
    if DCIODVFY is None:
        pytest.skip("dciodvfy is missing (apt-get install dicom3tools; scripts/setup.sh --dev)")
    result = subprocess.run([DCIODVFY, str(path)], capture_output=True, text=True, check=False)
    return [line for line in (result.stdout + result.stderr).splitlines() if "Error" in line]


def screened(capsys: pytest.CaptureFixture[str], *eyes: str) -> str:
    argv = ["screen", "--patient-id", "DCM-7", "--name", "Zoë Ångström", "--dob", "1958-03-02"]
    assert main([*argv, "--sex", "F", *eyes]) == 0
    return re.search(r"Screening (\S+)", capsys.readouterr().out).group(1)  # type: ignore[union-attr]


def test_a_screening_exports_as_valid_dicom(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirrored = cli_env / "right.png"
    from tests.support.images import write

    write(mirrored, np.ascontiguousarray(load_fundus(DEMO_IMAGE).pixels[:, ::-1]), "PNG")
    sid = screened(capsys, "--left", str(DEMO_IMAGE), "--right", str(mirrored))
    out = cli_env / "dicom"
    assert main(["export", sid, "--format", "dicom", "--out", str(out)]) == 0
    files = sorted(out.glob("*.dcm"))
    assert len(files) == 3
    by_class: dict[str, list[pydicom.Dataset]] = {}
    for path in files:
        assert dciodvfy_errors(path) == [], path
        ds = pydicom.dcmread(path)
        by_class.setdefault(ds.SOPClassUID, []).append(ds)
        assert ds.PatientID == "DCM-7" and str(ds.PatientName) == "Zoë Ångström"
        assert ds.PatientBirthDate == "19580302" and ds.PatientSex == "F"
    (pdf,) = by_class["1.2.840.10008.5.1.4.1.1.104.1"]
    with ScreeningStore(cli_env / "data") as store:
        (report,) = store.reports_for(sid)
        assert bytes(pdf.EncapsulatedDocument)[: pdf.EncapsulatedDocumentLength] == (
            store.read_report(report["report_id"])
        )
    photos = by_class["1.2.840.10008.5.1.4.1.1.7"]
    assert sorted(p.ImageLaterality for p in photos) == ["L", "R"]
    left = next(p for p in photos if p.ImageLaterality == "L")
    assert left.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.4.50"  # the JPEG as sent
    from PIL import Image

    original = np.asarray(Image.open(DEMO_IMAGE).convert("RGB")).astype(int)
    difference = np.abs(left.pixel_array.astype(int) - original)
    assert difference.mean() < 2.0  # the right colours, not YBR read as RGB
    assert len({p.StudyInstanceUID for p in photos} | {pdf.StudyInstanceUID}) == 1
    again = cli_env / "again"
    assert main(["export", sid, "--format", "dicom", "--out", str(again)]) == 0
    assert sorted(p.name for p in again.glob("*.dcm")) == [p.name for p in files]  # same UIDs


def test_a_dicom_photograph_keeps_its_patient_and_study(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pixels = load_fundus(DEMO_IMAGE).pixels
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.77.1.5.1"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID, ds.SOPInstanceUID = (
        ds.file_meta.MediaStorageSOPClassUID,
        ds.file_meta.MediaStorageSOPInstanceUID,
    )
    study = generate_uid()
    ds.PatientID, ds.PatientName, ds.PatientBirthDate = "DCM-7", "Ångström^Zoë", "19580302"
    ds.StudyInstanceUID, ds.AccessionNumber, ds.ImageLaterality = study, "ACC-123", "L"
    ds.Rows, ds.Columns = pixels.shape[:2]
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = np.ascontiguousarray(pixels).tobytes()
    source = cli_env / "left.dcm"
    ds.save_as(source, enforce_file_format=True)
    sid = screened(capsys, "--left", str(source), "--skip-right", "small pupil")
    out = cli_env / "dicom"
    assert main(["export", sid, "--format", "dicom", "--out", str(out)]) == 0
    exported = [pydicom.dcmread(p) for p in sorted(out.glob("*.dcm"))]
    assert len(exported) == 2  # the one photograph and the report
    for item in exported:
        assert item.StudyInstanceUID == study and item.AccessionNumber == "ACC-123"
        assert dciodvfy_errors(out / f"{item.SOPInstanceUID}.dcm") == []


def test_export_usage_and_unknown_screening(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--format", "dicom", "--out", str(cli_env / "x")]) == 2
    assert "SCREENING_ID --format pdf|dicom|fhir|hl7" in capsys.readouterr().err
    assert main(["export", "S-NONE", "--format", "dicom", "--out", str(cli_env / "x")]) == 4
    assert "No screening with id S-NONE" in capsys.readouterr().err
    assert main(["export", "--csv", str(cli_env / "all.csv")]) == 0
