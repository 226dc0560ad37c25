"""`retiscreen send` and `retiscreen outbox`: a screening reaches a real PACS (Orthanc),
an MLLP listener and a FHIR endpoint; every send is queued in the database before it is
tried, a failure (refused connection, hung peer, rejected AE title, C-STORE failure,
HL7 AE/AR, no ACK, HTTP error) exits 1 with a clear message and stays queued, and a
retry sends the same objects (same UIDs, same control ID) so nothing is filed twice."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pydicom
import pytest

from retiscreen.cli import main
from retiscreen.store import ScreeningStore
from tests.integration.orthanc_fixture import Orthanc, free_port, orthanc
from tests.support.images import DEMO_IMAGE
from tests.support.peers import fhir_server, hl7_listener, silent_peer, storage_scp

__all__ = ["orthanc"]  # the fixture, used by name


@pytest.fixture
def screening_id(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> str:
    argv = ["screen", "--patient-id", "SND-1", "--family-name", "Núñez", "--given-name", "Zoë"]
    argv += ["--dob", "1950-07-01", "--left", str(DEMO_IMAGE), "--skip-right", "small pupil"]
    assert main(argv) == 0
    found = re.search(r"Screening (\S+)", capsys.readouterr().out)
    assert found
    return found.group(1)


def outbox(cli_env: Path) -> list[dict[str, object]]:
    with ScreeningStore(cli_env / "data") as store:
        return store.outbox_items(include_sent=True)


def study_uid(cli_env: Path, screening_id: str) -> str:
    with ScreeningStore(cli_env / "data") as store:
        uid = store.load_screening(screening_id).order.study_uid
    assert uid
    return uid


def test_a_screening_is_stored_in_the_pacs_and_read_back(
    cli_env: Path, screening_id: str, orthanc: Orthanc, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["send", screening_id, "--dicom", orthanc.destination]) == 0
    assert "2 DICOM objects stored" in capsys.readouterr().out
    stored = orthanc.instances_of_study(study_uid(cli_env, screening_id))
    assert len(stored) == 2
    assert {i["PatientID"] for i in stored} == {"SND-1"}
    assert {i["PatientName"] for i in stored} == {"Núñez^Zoë"}
    (report,) = [i for i in stored if i.get("SOPClassUID", "").endswith(".104.1")]
    stored_file = orthanc.get_bytes(f"/instances/{report['orthanc_id']}/file")
    dataset = pydicom.dcmread(io.BytesIO(stored_file))
    with ScreeningStore(cli_env / "data") as store:
        (row,) = store.reports_for(screening_id)
        pdf = store.read_report(row["report_id"])
    assert bytes(dataset.EncapsulatedDocument)[: len(pdf)] == pdf
    (item,) = outbox(cli_env)
    assert (item["status"], item["attempts"]) == ("sent", 1)

    # Sending again: the item is already sent; another address for the same PACS is a
    # new item, but the same UIDs, so the PACS still holds two objects.
    assert main(["send", screening_id, "--dicom", orthanc.destination]) == 0
    assert "already sent" in capsys.readouterr().out
    alias = orthanc.destination.replace("127.0.0.1", "localhost")
    assert main(["send", screening_id, "--dicom", alias]) == 0
    assert len(orthanc.instances_of_study(study_uid(cli_env, screening_id))) == 2


def test_bad_peers_fail_clearly_and_stay_queued(
    cli_env: Path,
    screening_id: str,
    orthanc: Orthanc,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong_title = orthanc.destination.replace("ORTHANC@", "NOT-THE-PACS@")
    assert main(["send", screening_id, "--dicom", wrong_title]) == 1
    assert "refused this kiosk" in capsys.readouterr().out
    closed = free_port()
    assert main(["send", screening_id, "--dicom", f"PACS@127.0.0.1:{closed}"]) == 1
    assert "refused the connection" in capsys.readouterr().out
    monkeypatch.setenv("RETISCREEN_INTEGRATION_TIMEOUT_S", "1")
    with silent_peer() as port:
        assert main(["send", screening_id, "--dicom", f"PACS@127.0.0.1:{port}"]) == 1
        assert "within 1 s" in capsys.readouterr().out
    with storage_scp(status=0xA700) as (_, port):
        assert main(["send", screening_id, "--dicom", f"STORESCP@127.0.0.1:{port}"]) == 1
        assert "C-STORE status 0xA700" in capsys.readouterr().out
    items = outbox(cli_env)
    assert len(items) == 4 and {i["status"] for i in items} == {"pending"}
    assert all(i["last_error"] for i in items)
    assert main(["outbox"]) == 0
    listing = capsys.readouterr().out
    assert listing.count("pending after 1 attempt(s)") == 4


def test_a_queued_send_is_delivered_when_the_peer_comes_back(
    cli_env: Path, screening_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    assert main(["send", screening_id, "--dicom", f"STORESCP@127.0.0.1:{port}"]) == 1
    assert main(["outbox", "--json"]) == 0
    assert '"status": "pending"' in capsys.readouterr().out
    with storage_scp(port=port) as (received, _):
        assert main(["outbox", "--retry"]) == 0  # a new process: the queue is in the database
        assert len(received) == 2
    (item,) = outbox(cli_env)
    assert (item["status"], item["attempts"]) == ("sent", 2)
    assert main(["outbox"]) == 0
    assert "Nothing is waiting" in capsys.readouterr().out


def test_hl7_over_mllp_with_ack_handling(
    cli_env: Path, screening_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with hl7_listener("AE", "AR", None, "AA") as listener:
        target = f"127.0.0.1:{listener.port}"
        assert main(["send", screening_id, "--hl7", target]) == 1
        assert "reported an error for the result (ACK AE: Patient not found)" in (
            capsys.readouterr().out
        )
        assert main(["outbox", "--retry"]) == 1
        assert "rejected the result (ACK AR" in capsys.readouterr().out
        assert main(["outbox", "--retry"]) == 1
        assert "without acknowledging" in capsys.readouterr().out
        assert main(["outbox", "--retry"]) == 0
        assert "acknowledged (AA)" in capsys.readouterr().out
    controls = {m.msh.msh_10.to_er7() for m in listener.received}
    (item,) = outbox(cli_env)
    assert len(listener.received) == 4 and controls == {item["message_id"]}  # one message
    last = listener.received[-1]
    pid = last.ORU_R01_PATIENT_RESULT.ORU_R01_PATIENT.PID
    assert pid.pid_3.to_er7().startswith("SND-1^") and pid.pid_5.to_er7() == "Núñez^Zoë"


def test_fhir_post_is_validated_and_never_duplicated(
    cli_env: Path, screening_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with fhir_server(fail_next=1) as server:
        assert main(["send", screening_id, "--fhir", server.url]) == 1
        assert "refused the result (HTTP 500: busy)" in capsys.readouterr().out
        assert main(["outbox", "--retry"]) == 0
        assert "accepted (HTTP 201)" in capsys.readouterr().out
        # A second item for the same server (another spelling): the server already has
        # the Bundle with this report's identifier and does not store it again.
        assert main(["send", screening_id, "--fhir", server.url + "/"]) == 0
        assert server.posts == 2 and len(server.bundles) == 1
    (bundle,) = server.bundles.values()
    kinds = sorted(e["resource"]["resourceType"] for e in bundle["entry"])
    assert kinds == ["Device", "DiagnosticReport", "Observation", "Observation", "Patient"]
    report = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == ("DiagnosticReport")
    )
    assert base64.b64decode(report["presentedForm"][0]["data"]).startswith(b"%PDF")


def test_send_after_screening_and_test_connections(
    cli_env: Path,
    orthanc: Orthanc,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RETISCREEN_INTEGRATION_DICOM_DESTINATION", orthanc.destination)
    monkeypatch.setenv("RETISCREEN_INTEGRATION_WORKLIST", orthanc.destination)
    monkeypatch.setenv("RETISCREEN_INTEGRATION_SEND_AFTER_SCREENING", "true")
    assert main(["send", "--test"]) == 0
    out = capsys.readouterr().out
    assert "ok   PACS" in out and "ok   worklist" in out
    argv = ["screen", "--patient-id", "AUTO-1", "--name", "Auto Send", "--left", str(DEMO_IMAGE)]
    assert main(argv) == 0
    sid = re.search(r"Screening (\S+)", capsys.readouterr().out).group(1)  # type: ignore[union-attr]
    assert len(orthanc.instances_of_study(study_uid(cli_env, sid))) == 2
    monkeypatch.setenv("RETISCREEN_INTEGRATION_DICOM_DESTINATION", f"PACS@127.0.0.1:{free_port()}")
    assert main(["send", "--test"]) == 1
    assert "FAIL PACS" in capsys.readouterr().out


def test_send_usage(cli_env: Path, screening_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send", screening_id]) == 2
    assert "No destination" in capsys.readouterr().err
    assert main(["send", screening_id, "--dicom", "no-port-here"]) == 2
    assert "AET@HOST:PORT" in capsys.readouterr().err
    assert main(["send", "no-such-screening", "--hl7", "127.0.0.1:2575"]) == 4
    assert outbox(cli_env) == []


def test_a_bad_destination_setting_is_refused_at_start(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETISCREEN_INTEGRATION_HL7_DESTINATION", "hl7.local:99999")
    assert main(["history"]) == 2
    assert "integration.hl7_destination" in capsys.readouterr().err
