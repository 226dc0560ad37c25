"""A screening as DICOM for the clinic's PACS: the report as Encapsulated PDF, and each
photograph as a Secondary Capture image, all in one study. A baseline JPEG is carried
as it was received (JPEG Baseline transfer syntax); any other photograph as the
decoded pixels RetiScreen analysed (at most 1024 px on a side), uncompressed.

Why deterministic UIDs: the PACS must see a resend as the same objects, not as new
ones. Every UID is derived (a name-based UUID as a ``2.25.`` UID) from what identifies
the object: the study from the
screening id, each photograph from its eye and sha256, the report from its report id.
A photograph that arrived as DICOM keeps its own patient, study and accession number,
so the results land in the study the camera or worklist started.

Validated with dicom3tools' ``dciodvfy`` (0 errors; tests/integration/test_dicom_export.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import UID, ExplicitVRLittleEndian, JPEGBaseline8Bit

from retiscreen import __version__
from retiscreen.catalogue import ENGLISH
from retiscreen.domain import EyeResult, FieldView, FundusImage, Patient, Screening
from retiscreen.identity import sex_code
from retiscreen.imaging.jpeg import is_baseline
from retiscreen.uids import stable_uid

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"
ENCAPSULATED_PDF = "1.2.840.10008.5.1.4.1.1.104.1"
MANUFACTURER = "RetiScreen"
LATERALITY = {"right": "R", "left": "L"}


@dataclass(frozen=True)
class StudyContext:
    """Patient and study attributes shared by every object of one screening."""

    patient_id: str
    patient_name: str
    birth_date: str
    sex: str
    study_uid: str
    study_date: str
    study_time: str
    accession: str
    study_id: str
    referring_physician: str = ""


def study_context(screening: Screening) -> StudyContext:
    """The screening's order and patient; a photograph that came as DICOM supplies what
    the screening lacks (screenings saved before orders were recorded) and its study
    date, time and ID, so the results sit in the study the camera began."""
    patient = screening.patient
    started = screening.started_at
    order = screening.order
    context = StudyContext(
        patient_id=patient.patient_id,
        patient_name=person_name(patient),
        birth_date=patient.date_of_birth.strftime("%Y%m%d") if patient.date_of_birth else "",
        sex=sex_code(patient.sex) or "",
        study_uid=order.study_uid or stable_uid("study", screening.screening_id),
        study_date=started.strftime("%Y%m%d"),
        study_time=started.strftime("%H%M%S"),
        accession=order.accession_number or "",
        study_id=screening.screening_id[-16:],
        referring_physician=order.referring_physician or "",
    )
    for image in (image for eye in screening.eyes for image in eye.photographs):
        source = _source_dataset(image)
        if source is None or "StudyInstanceUID" not in source:
            continue
        if order.study_uid not in (None, str(source.StudyInstanceUID)):
            break  # the worklist's study, not the camera's: keep the screening's own
        return replace(
            context,
            patient_name=context.patient_name
            if patient.family_name
            else str(getattr(source, "PatientName", "") or context.patient_name),
            study_uid=str(source.StudyInstanceUID),
            study_date=str(getattr(source, "StudyDate", "") or context.study_date),
            study_time=str(getattr(source, "StudyTime", "") or context.study_time),
            accession=context.accession or str(getattr(source, "AccessionNumber", "") or ""),
            study_id=str(getattr(source, "StudyID", "") or context.study_id),
            referring_physician=context.referring_physician
            or str(getattr(source, "ReferringPhysicianName", "") or ""),
        )
    return context


def person_name(patient: Patient) -> str:
    """DICOM PN ``Family^Given`` when the name is known in parts, else the name as
    entered in the family-name component (PS3.5 6.2: a PN without ``^`` is a family
    name, which is what a one-field name most often starts with)."""
    if patient.family_name or patient.given_name:
        return f"{patient.family_name or ''}^{patient.given_name or ''}".rstrip("^")
    return patient.name


def _source_dataset(image: FundusImage | None) -> Dataset | None:
    if image is None or image.file_format != "DICOM":
        return None
    return pydicom.dcmread(io.BytesIO(image.data), stop_before_pixels=True)


def _base(sop_class: str, sop_uid: str, context: StudyContext, now: datetime) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = UID(sop_class)
    ds.file_meta.MediaStorageSOPInstanceUID = UID(sop_uid)
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.ImplementationClassUID = UID(stable_uid("implementation"))
    ds.file_meta.ImplementationVersionName = f"RETISCREEN_{__version__}"[:16]
    ds.SpecificCharacterSet = "ISO_IR 192"  # UTF-8: names in any script
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, sop_uid
    ds.InstanceCreationDate, ds.InstanceCreationTime = (
        now.strftime("%Y%m%d"),
        now.strftime("%H%M%S"),
    )
    ds.PatientName = context.patient_name
    ds.PatientID = context.patient_id
    ds.PatientBirthDate = context.birth_date
    ds.PatientSex = context.sex
    ds.StudyInstanceUID = context.study_uid
    ds.StudyDate, ds.StudyTime = context.study_date, context.study_time
    ds.ReferringPhysicianName = context.referring_physician
    ds.StudyID = context.study_id
    ds.AccessionNumber = context.accession
    ds.StudyDescription = "Diabetic retinopathy screening"
    ds.Manufacturer = MANUFACTURER
    ds.SoftwareVersions = __version__
    ds.ConversionType = "WSD"  # workstation: made by software, not a camera
    return ds


def photograph_dataset(
    screening: Screening, eye: EyeResult, context: StudyContext, now: datetime
) -> Dataset:
    """The eye's stored photograph as a Secondary Capture image (JPEG kept as sent).
    ``eye`` may be one field of a two-field eye: each field is its own instance, its
    field named in ImageComments (the UID then derives from the field too)."""
    image = eye.image
    assert image is not None
    side = eye.laterality.value
    if eye.view is None:
        uid = stable_uid("image", screening.screening_id, side, image.sha256)
        number = 1 if side == "right" else 2
    else:
        uid = stable_uid("image", screening.screening_id, side, eye.view.value, image.sha256)
        number = (1 if side == "right" else 3) + list(FieldView).index(eye.view)
    ds = _base(SECONDARY_CAPTURE, uid, context, now)
    ds.Modality = "OP"
    ds.SeriesInstanceUID = stable_uid("series", screening.screening_id, "photographs")
    ds.SeriesNumber = 1
    ds.SeriesDescription = "Fundus photographs"
    ds.InstanceNumber = number
    ds.ImageLaterality = LATERALITY[side]
    if eye.view is not None:
        ds.ImageComments = ENGLISH.field_view(eye.view)
    ds.PatientOrientation = ""
    ds.ContentDate, ds.ContentTime = context.study_date, context.study_time
    ds.ImageType = ["DERIVED", "SECONDARY"]
    ds.DerivationDescription = "Photograph as received by RetiScreen"
    ds.BurnedInAnnotation = "NO"
    ds.SamplesPerPixel = 3
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PlanarConfiguration = 0
    if image.file_format == "JPEG" and is_baseline(image.data):
        ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
        ds.Rows, ds.Columns = image.original_size[1], image.original_size[0]
        ds.PhotometricInterpretation = "YBR_FULL_422"
        ds.PixelData = encapsulate([image.data])
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True  # encapsulated: also when sent, not saved
        ds.LossyImageCompression = "01"
        ds.LossyImageCompressionMethod = "ISO_10918_1"
    else:
        pixels = np.ascontiguousarray(image.pixels, dtype=np.uint8)
        ds.Rows, ds.Columns = pixels.shape[0], pixels.shape[1]
        ds.PhotometricInterpretation = "RGB"
        ds.PixelData = pixels.tobytes()
    return ds


def report_dataset(
    screening: Screening, report_id: str, pdf: bytes, context: StudyContext, now: datetime
) -> Dataset:
    """The referral report, byte for byte, as DICOM Encapsulated PDF."""
    uid = stable_uid("report", screening.screening_id, report_id)
    ds = _base(ENCAPSULATED_PDF, uid, context, now)
    ds.Modality = "DOC"
    ds.SeriesInstanceUID = stable_uid("series", screening.screening_id, "reports")
    ds.SeriesNumber = 2
    ds.SeriesDescription = "RetiScreen referral report"
    ds.InstanceNumber = 1
    ds.ContentDate, ds.ContentTime = now.strftime("%Y%m%d"), now.strftime("%H%M%S")
    ds.AcquisitionDateTime = now.strftime("%Y%m%d%H%M%S")
    ds.BurnedInAnnotation = "YES"
    ds.DocumentTitle = "Diabetic retinopathy screening report"
    ds.ConceptNameCodeSequence = []
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = pdf + (b"\0" if len(pdf) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(pdf)
    return ds


def screening_datasets(
    screening: Screening, report_id: str, pdf: bytes, now: datetime | None = None
) -> list[Dataset]:
    """Every stored photograph of ``screening`` and then its report, as DICOM objects."""
    now = now or datetime.now().astimezone()
    context = study_context(screening)
    datasets = [
        photograph_dataset(screening, shown, context, now)
        for eye in screening.eyes
        for shown in eye.fields or (eye,)  # a two-field eye: each field's photograph
        if shown.image is not None
    ]
    datasets.append(report_dataset(screening, report_id, pdf, context, now))
    return datasets


def export_dicom(
    screening: Screening, report_id: str, pdf: bytes, out: Path, now: datetime | None = None
) -> list[Path]:
    """Write the report and every stored photograph of ``screening`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for ds in screening_datasets(screening, report_id, pdf, now):
        path = out / f"{ds.SOPInstanceUID}.dcm"
        ds.save_as(path, enforce_file_format=True)
        written.append(path)
    return written
