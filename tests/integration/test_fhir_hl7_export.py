"""`retiscreen export SCREENING_ID --format fhir|hl7`: a FHIR R4 Bundle that parses and
validates with fhir.resources, and an HL7 v2.5.1 ORU^R01 that hl7apy parses strictly,
both carrying each eye's coded finding and the PDF report byte for byte."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from retiscreen.cli import main
from retiscreen.store import ScreeningStore
from tests.support.images import DEMO_IMAGE


@pytest.fixture
def screening_id(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    monkeypatch.setenv("RETISCREEN_CLINIC_SITE", "north")
    argv = ["screen", "--patient-id", "HL-9", "--name", "Ana|María ^Núñez", "--dob", "1950-07-01"]
    assert (
        main([*argv, "--sex", "F", "--left", str(DEMO_IMAGE), "--skip-right", "small pupil"]) == 0
    )
    found = re.search(r"Screening (\S+)", capsys.readouterr().out)
    assert found
    return found.group(1)


def stored_pdf(tmp_path: Path, screening_id: str) -> bytes:
    with ScreeningStore(tmp_path / "data") as store:
        (report,) = store.reports_for(screening_id)
        return store.read_report(report["report_id"])


def test_fhir_bundle_validates_and_carries_the_findings(tmp_path: Path, screening_id: str) -> None:
    out = tmp_path / "bundle.json"
    assert main(["export", screening_id, "--format", "fhir", "--out", str(out)]) == 0
    bundle = Bundle.model_validate_json(out.read_text())  # raises if anything is invalid
    resources = {e.resource.get_resource_type(): [] for e in bundle.entry}
    for entry in bundle.entry:
        resources[entry.resource.get_resource_type()].append(entry.resource)
    (patient,) = resources["Patient"]
    assert patient.identifier[0].value == "HL-9" and patient.birthDate.isoformat() == "1950-07-01"
    assert patient.name[0].text == "Ana|María ^Núñez" and patient.gender == "female"
    (device,) = resources["Device"]
    assert device.deviceName[0].name == "tiny-grader"
    by_code = {o.code.coding[0].code: o for o in resources["Observation"]}
    left, right = by_code["71490-7"], by_code["71491-5"]
    assert left.valueCodeableConcept.coding[0].code == "LA18645-4"  # the tiny grader: moderate
    assert left.bodySite.coding[0].code == "8966001"
    assert right.valueCodeableConcept is None and right.dataAbsentReason is not None
    (report,) = resources["DiagnosticReport"]
    assert len(report.result) == 2
    assert report.conclusionCode[0].coding[0].code == "decision-refer"
    assert report.presentedForm[0].data == stored_pdf(tmp_path, screening_id)  # decoded
    full_urls = {e.fullUrl for e in bundle.entry}
    assert {r.reference for r in report.result} <= full_urls
    assert json.loads(out.read_text())["type"] == "collection"


def test_hl7_oru_parses_strictly_and_carries_the_findings(
    tmp_path: Path, screening_id: str
) -> None:
    out = tmp_path / "result.hl7"
    assert main(["export", screening_id, "--format", "hl7", "--out", str(out)]) == 0
    text = out.read_bytes().decode("utf-8")  # segments end in a carriage return, as sent
    assert text.count("\r") == 7 and "\n" not in text  # 8 segments
    message = parse_message(text, validation_level=VALIDATION_LEVEL.TOLERANT)
    message.validate()  # the structure: required segments and groups, in order
    # Every field strictly, with the PDF's data (longer than hl7apy's 199-character cap on
    # ED data) shortened to a stand-in:
    encoded = re.search(r"\^Base64\^([A-Za-z0-9+/=]+)", text)
    assert encoded
    short = text.replace(encoded.group(1), "JVBERg==")
    parse_message(short, validation_level=VALIDATION_LEVEL.STRICT).validate()
    assert message.name == "ORU_R01"
    assert (
        message.msh.msh_9.to_er7() == "ORU^R01^ORU_R01" and message.msh.msh_12.to_er7() == "2.5.1"
    )
    pid = message.ORU_R01_PATIENT_RESULT.ORU_R01_PATIENT.PID
    assert pid.pid_3.to_er7().startswith("HL-9^^^north")
    assert pid.pid_5.to_er7() == r"Ana\F\María \S\Núñez"  # the delimiters escaped, not fields
    order = message.ORU_R01_PATIENT_RESULT.ORU_R01_ORDER_OBSERVATION
    observations = [group.OBX for group in order.ORU_R01_OBSERVATION]
    codes = [obx.obx_3.to_er7().split("^")[0] for obx in observations]
    assert codes == ["71491-5", "71490-7", "decision", "dr-screening-report"]
    assert observations[1].obx_5.to_er7().startswith("LA18645-4^")
    assert observations[0].obx_2.to_er7() == "ST"  # not photographed: said in words
    assert observations[2].obx_5.to_er7().startswith("decision-refer^")
    encoded = observations[3].obx_5.to_er7().split("^")[4]
    assert base64.b64decode(encoded) == stored_pdf(tmp_path, screening_id)


def test_each_screening_is_exported_automatically_when_configured(
    tmp_path: Path, tiny_pipeline: object
) -> None:
    from retiscreen.service import ScreeningService
    from retiscreen.settings import IntegrationSettings, ReportSettings, Settings, StorageSettings
    from tests.support.builders import screening

    outbox = tmp_path / "outbox"
    outbox.mkdir()
    settings = Settings(
        storage=StorageSettings(str(tmp_path / "data")),
        report=ReportSettings(printer="retiscreen-no-such-printer", patient_letter=False),
        integration=IntegrationSettings(export_dir=str(outbox), export_formats="fhir,hl7"),
    )
    service = ScreeningService(settings, pipeline=tiny_pipeline)  # type: ignore[arg-type]
    recorded = service.record(screening(screening_id="S-AUTO-1"))
    assert sorted(p.name for p in recorded.exported) == ["bundle.json", "result.hl7"]
    Bundle.model_validate_json((outbox / "S-AUTO-1" / "bundle.json").read_text())
    (outbox / "S-AUTO-2").write_text("a file where the screening's folder must go")
    second = service.record(screening(screening_id="S-AUTO-2"))  # saved all the same
    assert second.exported == [] and service.store.load_screening("S-AUTO-2")
    failed = [e for e in service.store.audit_events("S-AUTO-2") if e["event"] == "export_failed"]
    assert {e["detail"]["format"] for e in failed} == {"fhir", "hl7"}
    service.close()


def test_hl7_says_why_a_patient_was_referred_without_screening(cli_env: Path) -> None:
    argv = ["screen", "--patient-id", "HL-EX", "--name", "Ex", "--dob", "1950-07-01"]
    assert main([*argv, "--exclusion", "sudden-vision-loss"]) == 0
    with ScreeningStore(cli_env / "data") as store:
        (row,) = store.history()
    out = cli_env / "excluded.hl7"
    assert main(["export", row["screening_id"], "--format", "hl7", "--out", str(out)]) == 0
    text = out.read_bytes().decode("utf-8")
    encoded = re.search(r"\^Base64\^([A-Za-z0-9+/=]+)", text)
    assert encoded
    message = parse_message(
        text.replace(encoded.group(1), "JVBERg=="), validation_level=VALIDATION_LEVEL.STRICT
    )
    message.validate()
    order = message.ORU_R01_PATIENT_RESULT.ORU_R01_ORDER_OBSERVATION
    by_code = {
        obx.obx_3.to_er7().split("^")[0]: obx.obx_5.to_er7()
        for obx in (group.OBX for group in order.ORU_R01_OBSERVATION)
    }
    assert by_code["decision"].startswith("decision-urgent^")
    assert by_code["exclusion"] == "sudden_vision_loss^sudden loss of vision^L"
