"""A real Orthanc PACS on 127.0.0.1 with its modality-worklist plugin, for the sending
and worklist tests.

``orthanc`` (session scope) starts the Debian package's ``Orthanc`` binary with a test
configuration in a temporary folder: C-STORE accepted from anyone, the called AE title
checked (so a wrong one is rejected as a real PACS would), worklist queries allowed for
the ``RETISCREEN`` AE title only, and the REST API on a free port for reading back what
it stored. It skips with a reason when Orthanc is not installed; with
``RETISCREEN_REQUIRE_ORTHANC=1`` (CI) that is a failure instead.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PLUGIN = Path("/usr/share/orthanc/plugins/libModalityWorklists.so")
AE_TITLE = "ORTHANC"


@dataclass(frozen=True)
class Orthanc:
    dicom_port: int
    http_url: str
    worklist_dir: Path

    @property
    def destination(self) -> str:
        return f"{AE_TITLE}@127.0.0.1:{self.dicom_port}"

    def get_bytes(self, path: str) -> bytes:
        with urllib.request.urlopen(f"{self.http_url}{path}", timeout=10) as response:
            return bytes(response.read())

    def get_json(self, path: str) -> Any:
        return json.loads(self.get_bytes(path))

    def instances_of_study(self, study_uid: str) -> list[dict[str, Any]]:
        """Every stored instance of the study, as Orthanc's simplified tags."""
        found = []
        for instance in self.get_json("/instances"):
            tags = self.get_json(f"/instances/{instance}/simplified-tags")
            if tags.get("StudyInstanceUID") == study_uid:
                found.append({"orthanc_id": instance, **tags})
        return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get("RETISCREEN_REQUIRE_ORTHANC") == "1":
        pytest.fail(f"Orthanc is required here (RETISCREEN_REQUIRE_ORTHANC=1): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def orthanc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Orthanc]:
    binary = shutil.which("Orthanc") or shutil.which("Orthanc", path="/usr/sbin")
    if binary is None or not PLUGIN.exists():
        _unavailable("Orthanc is not installed (apt-get install orthanc; scripts/setup.sh --dev)")
    assert binary is not None
    root = tmp_path_factory.mktemp("orthanc")
    (root / "db").mkdir()
    (root / "worklists").mkdir()
    dicom_port, http_port = free_port(), free_port()
    config = {
        "Name": "retiscreen-test",
        "StorageDirectory": str(root / "db"),
        "IndexDirectory": str(root / "db"),
        "DicomAet": AE_TITLE,
        "DicomPort": dicom_port,
        "HttpPort": http_port,
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "DicomCheckCalledAet": True,
        "DicomAlwaysAllowStore": True,
        "DicomCheckModalityHost": False,
        "DicomModalities": {"kiosk": ["RETISCREEN", "127.0.0.1", 104]},
        "Plugins": [str(PLUGIN)],
        "Worklists": {"Enable": True, "Database": str(root / "worklists")},
    }
    (root / "orthanc.json").write_text(json.dumps(config))
    log = (root / "orthanc.log").open("wb")
    process = subprocess.Popen(
        [binary, str(root / "orthanc.json")], stdout=log, stderr=subprocess.STDOUT
    )
    server = Orthanc(dicom_port, f"http://127.0.0.1:{http_port}", root / "worklists")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                server.get_json("/system")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    _unavailable(
                        f"Orthanc did not start: {(root / 'orthanc.log').read_text()[-500:]}"
                    )
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def schedule(
    orthanc: Orthanc,
    patient_id: str,
    name: str,
    *,
    day: str,
    time_of_day: str = "0930",
    birth_date: str = "19610403",
    sex: str = "F",
    accession: str = "ACC-1",
    modality: str = "OP",
) -> str:
    """Put one scheduled procedure step on Orthanc's worklist (a .wl file, as a RIS
    would); returns its Study Instance UID."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.31"
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.PatientName, ds.PatientID, ds.IssuerOfPatientID = name, patient_id, "HOSP-NORTE"
    ds.PatientBirthDate, ds.PatientSex = birth_date, sex
    ds.AccessionNumber, ds.ReferringPhysicianName = accession, "Ruiz^Elena"
    ds.StudyInstanceUID = generate_uid()
    ds.RequestedProcedureID, ds.RequestedProcedureDescription = "RP1", "DR screening"
    step = Dataset()
    step.Modality, step.ScheduledStationAETitle = modality, "RETISCREEN"
    step.ScheduledProcedureStepStartDate = day
    step.ScheduledProcedureStepStartTime = time_of_day
    step.ScheduledProcedureStepDescription = "Fundus photography, both eyes"
    step.ScheduledProcedureStepID = accession
    ds.ScheduledProcedureStepSequence = [step]
    ds.save_as(orthanc.worklist_dir / f"{accession}.wl", enforce_file_format=True)
    return str(ds.StudyInstanceUID)
