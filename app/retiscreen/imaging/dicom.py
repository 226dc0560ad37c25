"""DICOM fundus photographs (Ophthalmic Photography, or any single-frame colour image).

Many fundus cameras and PACS export DICOM. Besides the pixels, the file says which eye
it shows (ImageLaterality) and whose eye (PatientID): both are kept so the pipeline can
refuse a photograph of the wrong eye instead of grading it under the wrong label.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from retiscreen.domain import Laterality, Order
from retiscreen.imaging.errors import ImageError
from retiscreen.imaging.pixels import RGBImage

log = logging.getLogger(__name__)
_LATERALITY = {"R": Laterality.RIGHT, "L": Laterality.LEFT}
PYDICOM_MAJOR = 3


@dataclass(frozen=True)
class DicomPhotograph:
    pixels: RGBImage
    laterality: Laterality | None
    patient_id: str | None
    patient_name: str | None = None
    birth_date: date | None = None
    order: Order | None = None


def is_dicom(data: bytes) -> bool:
    """Part-10 files carry 'DICM' after a 128-byte preamble."""
    return len(data) > 132 and data[128:132] == b"DICM"


def read_dicom(name: str, data: bytes) -> DicomPhotograph:
    """Decode a single-frame colour DICOM image to 8-bit RGB, strictly."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    if int(pydicom.__version__.split(".")[0]) < PYDICOM_MAJOR:
        # pydicom 2 hands back YBR colour as RGB: blue-tinted photographs, wrong grades.
        raise ImageError(
            f"{name}: DICOM needs pydicom {PYDICOM_MAJOR} or newer (this installation has "
            f"{pydicom.__version__}); ask IT to reinstall RetiScreen."
        )
    dataset = None
    try:
        dataset = pydicom.dcmread(io.BytesIO(data))
        frames = int(getattr(dataset, "NumberOfFrames", 1) or 1)
        if frames != 1:
            raise ImageError(f"{name} holds {frames} frames; export a single photograph.")
        photometric = str(getattr(dataset, "PhotometricInterpretation", ""))
        if photometric.startswith("MONOCHROME"):
            raise ImageError(
                f"{name} is a greyscale DICOM image; the grader needs a colour fundus photograph."
            )
        pixels = np.asarray(dataset.pixel_array)
    except ImageError:
        raise
    except (InvalidDicomError, AttributeError, KeyError, ValueError, TypeError, OSError) as exc:
        raise ImageError(f"{name} is a damaged or unsupported DICOM file ({exc}).") from None
    except (NotImplementedError, RuntimeError) as exc:  # no decoder, or every decoder failed
        log.warning("DICOM pixel data not decoded: %s", exc)
        syntax = _transfer_syntax(dataset)
        raise ImageError(
            f"{name}: its pixel data ({syntax}) could not be decoded; it is damaged or in a "
            "compression RetiScreen cannot read. Export it from the camera again as JPEG "
            "or uncompressed DICOM."
        ) from None
    if pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ImageError(f"{name}: DICOM pixel layout {pixels.shape} is not a colour photograph.")
    if pixels.dtype != np.uint8:
        bits = int(getattr(dataset, "BitsStored", 16) or 16)
        pixels = (pixels.astype(np.float64) * (255.0 / (2**bits - 1))).clip(0, 255).round()
    laterality = str(getattr(dataset, "ImageLaterality", "") or getattr(dataset, "Laterality", ""))
    patient_id = str(getattr(dataset, "PatientID", "") or "") or None
    patient_name = str(getattr(dataset, "PatientName", "") or "") or None
    return DicomPhotograph(
        np.ascontiguousarray(pixels, dtype=np.uint8),
        _LATERALITY.get(laterality.upper()),
        patient_id,
        patient_name,
        _dicom_date(str(getattr(dataset, "PatientBirthDate", "") or "")),
        Order(
            _text(dataset, "AccessionNumber"),
            _text(dataset, "ReferringPhysicianName"),
            _text(dataset, "StudyInstanceUID"),
        ),
    )


def _text(dataset: object, keyword: str) -> str | None:
    """An attribute's value as text; None when absent or empty."""
    return str(getattr(dataset, keyword, "") or "").strip() or None


def _transfer_syntax(dataset: object) -> str:
    meta = getattr(dataset, "file_meta", None)
    uid = getattr(meta, "TransferSyntaxUID", None)
    return str(getattr(uid, "name", uid) or "unknown transfer syntax")


def _dicom_date(text: str) -> date | None:
    """A DICOM DA value (YYYYMMDD); None when empty or not a real date."""
    try:
        return datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return None
