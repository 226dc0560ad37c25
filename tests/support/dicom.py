"""DICOM files made in the test run from pixels, as a fundus camera would export them."""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

OPHTHALMIC_PHOTOGRAPHY_8BIT = "1.2.840.10008.5.1.4.1.1.77.1.5.1"


def ophthalmic_photograph(
    pixels: np.ndarray, laterality: str = "L", patient_id: str = "DCM-1"
) -> Dataset:
    """An uncompressed Ophthalmic Photography 8 Bit instance with ``pixels`` as RGB."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = OPHTHALMIC_PHOTOGRAPHY_8BIT
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = OPHTHALMIC_PHOTOGRAPHY_8BIT
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.PatientID, ds.PatientName, ds.ImageLaterality = patient_id, "Test^Transfer", laterality
    ds.Rows, ds.Columns = pixels.shape[:2]
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = np.ascontiguousarray(pixels).tobytes()
    return ds
