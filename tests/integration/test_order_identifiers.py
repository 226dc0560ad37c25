"""The visit's identifiers reach every output: structured names, the ID's issuer, the
accession number, the referring physician and the study UID given at screening time
appear in DICOM (checked by dciodvfy), FHIR (validated by fhir.resources) and HL7
(parsed by hl7apy), and stay the same on a second export."""

from __future__ import annotations

import re
from pathlib import Path

import pydicom
import pytest
from fhir.resources.R4B.bundle import Bundle
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from retiscreen.cli import main
from retiscreen.store import ScreeningStore
from tests.integration.test_dicom_export import dciodvfy_errors
from tests.support.images import DEMO_IMAGE

STUDY = "1.2.826.0.1.3680043.10.543.77"


@pytest.fixture
def ordered_screening(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> str:
    argv = [
        "screen",
        "--patient-id",
        "MRN-5",
        "--family-name",
        "García López",
        "--given-name",
        "Ana María",
        "--id-issuer",
        "HOSP-NORTE",
        "--accession",
        "ACC-2026-9",
        "--referring-physician",
        "Ruiz^Elena",
        "--study-uid",
        STUDY,
        "--dob",
        "1961-04-03",
        "--left",
        str(DEMO_IMAGE),
        "--skip-right",
        "small pupil",
    ]
    assert main(argv) == 0
    found = re.search(r"Screening (\S+)", capsys.readouterr().out)
    assert found
    return found.group(1)


def test_the_order_and_structured_name_are_stored(cli_env: Path, ordered_screening: str) -> None:
    with ScreeningStore(cli_env / "data") as store:
        screening = store.load_screening(ordered_screening)
        patient = store.find_patient("mrn-5")
    assert patient is not None and patient.name == "Ana María García López"
    assert (patient.family_name, patient.given_name, patient.id_issuer) == (
        "García López",
        "Ana María",
        "HOSP-NORTE",
    )
    assert screening.order.accession_number == "ACC-2026-9"
    assert screening.order.study_uid == STUDY


def test_dicom_carries_the_order(cli_env: Path, ordered_screening: str) -> None:
    out = cli_env / "dicom"
    assert main(["export", ordered_screening, "--format", "dicom", "--out", str(out)]) == 0
    files = sorted(out.glob("*.dcm"))
    assert len(files) == 2
    for path in files:
        assert dciodvfy_errors(path) == [], path
        ds = pydicom.dcmread(path)
        assert str(ds.PatientName) == "García López^Ana María"
        assert ds.StudyInstanceUID == STUDY and ds.AccessionNumber == "ACC-2026-9"
        assert str(ds.ReferringPhysicianName) == "Ruiz^Elena"


def test_fhir_and_hl7_carry_the_order(cli_env: Path, ordered_screening: str) -> None:
    bundle_file, hl7_file = cli_env / "b.json", cli_env / "m.hl7"
    assert main(["export", ordered_screening, "--format", "fhir", "--out", str(bundle_file)]) == 0
    assert main(["export", ordered_screening, "--format", "hl7", "--out", str(hl7_file)]) == 0
    bundle = Bundle.model_validate_json(bundle_file.read_text())
    resources = {e.resource.get_resource_type(): e.resource for e in bundle.entry}
    patient = resources["Patient"]
    assert patient.name[0].family == "García López" and patient.name[0].given == ["Ana", "María"]
    assert patient.identifier[0].assigner.display == "HOSP-NORTE"
    accession = resources["DiagnosticReport"].identifier[1]
    assert accession.value == "ACC-2026-9" and accession.type.coding[0].code == "ACSN"

    text = hl7_file.read_bytes().decode("utf-8")
    message = parse_message(text, validation_level=VALIDATION_LEVEL.TOLERANT)
    pid = message.ORU_R01_PATIENT_RESULT.ORU_R01_PATIENT.PID
    assert pid.pid_3.to_er7() == "MRN-5^^^HOSP-NORTE"
    assert pid.pid_5.to_er7() == "García López^Ana María"
    obr = message.ORU_R01_PATIENT_RESULT.ORU_R01_ORDER_OBSERVATION.OBR
    assert obr.obr_2.to_er7() == "ACC-2026-9" and obr.obr_16.to_er7() == "^Ruiz^Elena"


def test_a_screening_needs_a_name_and_a_valid_study_uid(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["screen", "--patient-id", "X-1", "--left", str(DEMO_IMAGE)]
    assert main(base) == 2
    assert "--name" in capsys.readouterr().err
    assert main([*base, "--name", "A B", "--study-uid", "1.02.3"]) == 2
    assert "not a DICOM UID" in capsys.readouterr().err
