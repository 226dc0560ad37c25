"""Over-read end to end through the real `retiscreen` entry point: real SQLCipher records,
real ONNX (tiny test models: every photograph is graded moderate, so REFER), real PDFs
read back with pdftotext, exports parsed by fhir.resources and hl7apy."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest
from fhir.resources.R4B.bundle import Bundle
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from retiscreen.accounts import AccountBook, Role
from retiscreen.cli import main
from retiscreen.store import ScreeningStore
from retiscreen.store.audit import os_account
from tests.support.images import DEMO_IMAGE
from tests.support.records import records_db

REASON = "Venous beading in two quadrants; severe NPDR"


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


@pytest.fixture
def data(cli_env: Path) -> Path:
    return cli_env / "data"


@pytest.fixture
def screening_id(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Left eye graded moderate by the AI (REFER), right eye not photographed: queued."""
    argv = ["screen", "--patient-id", "OV-1", "--name", "Olga Vera", "--dob", "1955-02-03"]
    assert main([*argv, "--left", str(DEMO_IMAGE), "--skip-right", "small pupil"]) == 0
    found = re.search(r"Screening (\S+)", capsys.readouterr().out)
    assert found
    return found.group(1)


def review(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["review", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_an_amendment_is_kept_beside_the_ai_result_and_leaves_the_queue(
    data: Path, screening_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = review(capsys, "--queue", "--json")
    assert code == 0
    (queued,) = json_lines(out)
    assert queued["screening_id"] == screening_id
    assert (queued["why"], queued["ai_decision"]) == ("unexamined", "refer")

    report_path = data.parent / "amended.pdf"
    code, out, err = review(
        capsys,
        screening_id,
        *("--decision", "urgent", "--grade-left", "3", "--reason", REASON),
        *("--out", str(report_path)),
    )
    assert code == 0, err
    assert "Amended by the reviewer" in out and "URGENT" in out
    assert f"written to {report_path}" in out

    code, out, _ = review(capsys, "--queue", "--json")
    assert code == 0 and json_lines(out) == []  # reviewed: out of the queue

    assert main(["history", "--json"]) == 0
    (row,) = json_lines(capsys.readouterr().out)
    assert row["decision"]["kind"] == "urgent"  # type: ignore[index]
    assert row["ai_decision"]["kind"] == "refer"  # type: ignore[index]
    reviewed = row["review"]
    assert isinstance(reviewed, dict)
    assert reviewed["outcome"] == "amended" and reviewed["reviewer"] == os_account()
    assert reviewed["grades"] == {"right": None, "left": 3} and reviewed["reason"] == REASON
    eyes = {e["laterality"]: e for e in row["eyes"]}  # type: ignore[union-attr]
    assert (eyes["left"]["icdr_grade"], eyes["left"]["reviewed_grade"]) == (2, 3)
    reports = row["reports"]
    assert isinstance(reports, list) and len(reports) == 2  # the first one stays
    assert reports[0]["review_id"] is None and reports[1]["review_id"] == reviewed["review_id"]

    assert main(["history"]) == 0
    assert "Refer to an eye specialist  [over-read: URGENT]" in capsys.readouterr().out

    with ScreeningStore(data) as store:
        (kept,) = store.reviews_for(screening_id)
        screening = store.load_screening(screening_id)
        events = store.audit_events(screening_id)
    assert screening.decision.kind.value == "refer"  # the saved screening never changes
    (event,) = [e for e in events if e["event"] == "screening_reviewed"]
    assert event["operator"] == os_account()
    assert event["detail"]["review_id"] == kept.review_id
    assert event["detail"]["decision"] == "urgent" and event["detail"]["ai_decision"] == "refer"
    assert REASON not in json.dumps(event)  # the reason's words may name the patient
    assert "review_queued" in [e["event"] for e in events]

    with ScreeningStore(data) as store:  # the copy is the stored (encrypted) report
        assert store.read_report(str(reports[1]["report_id"])) == report_path.read_bytes()
    text = pdf_text(report_path)
    assert "Over-read: Amended by the reviewer" in text
    assert "AI result" in text and "Reviewer" in text
    assert "REFER: Refer to an eye specialist" in text  # the AI's decision, kept
    assert "URGENT: URGENT referral to an eye specialist" in text
    assert "Moderate non-proliferative DR" in text and "Severe non-proliferative DR" in text
    assert f"Reviewed by {os_account()}" in text and REASON in text
    assert "URGENT referral to an eye specialist" in text.split("Over-read")[0]  # the box


def test_a_decision_less_urgent_than_the_rules_is_refused(
    data: Path, screening_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # a severe grade needs an urgent referral: "refer" would tell the patient too little
    code, _, err = review(
        capsys, screening_id, "--decision", "refer", "--grade-left", "3", "--reason", "x"
    )
    assert code == 2
    assert "The grades give URGENT, so REFER would be less urgent" in err
    # the unphotographed eye still needs an examination: "routine" is refused too
    code, _, err = review(
        capsys, screening_id, "--decision", "routine", "--grade-left", "0", "--reason", "clear"
    )
    assert code == 2 and "The grades give EXAMINE, so ROUTINE" in err
    with ScreeningStore(data) as store:
        assert store.reviews_for(screening_id) == []
        assert [r["screening_id"] for r in store.review_queue()] == [screening_id]
    # a more cautious decision than the rules is the reviewer's to make
    code, _, err = review(
        capsys, screening_id, "--decision", "urgent", "--grade-left", "2", "--reason", "NVD?"
    )
    assert code == 0, err


@pytest.mark.parametrize(
    ("argv", "exit_code", "said"),
    [
        (["--decision", "refer", "--grade-right", "1", "--reason", "x"], 2, "Right eye: there is"),
        (["--decision", "urgent", "--grade-left", "3"], 2, "An amendment needs a reason"),
        (["--decision", "refer", "--grade-left", "7"], 2, "'7' is not an ICDR grade"),
        (["--decision", "unavailable"], 2, "invalid choice: 'unavailable'"),
        (["--agree", "--decision", "refer"], 2, "--agree keeps the AI's grades"),
        ([], 2, "give --decision"),
    ],
)
def test_bad_over_reads_are_refused_with_a_clear_message(
    data: Path,
    screening_id: str,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    exit_code: int,
    said: str,
) -> None:
    code, _, err = review(capsys, screening_id, *argv)
    said_lines = [line for line in err.splitlines() if line.startswith("retiscreen:")]
    assert code == exit_code and len(said_lines) == 1 and said in said_lines[0], err  # one line
    with ScreeningStore(data) as store:
        assert store.reviews_for(screening_id) == []


def test_an_unknown_screening_is_said(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = review(capsys, "S-NOT-THERE", "--agree")
    assert code == 4 and "No screening with id S-NOT-THERE is saved" in err


def test_an_operator_account_cannot_over_read_from_the_command_line(
    data: Path, screening_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with ScreeningStore(data) as store:
        AccountBook(store).add(os_account(), Role.OPERATOR, "4821", by="test")
    code, _, err = review(capsys, screening_id, "--agree")
    assert code == 2 and "Only a reviewer or an administrator may over-read" in err
    with ScreeningStore(data) as store:
        assert store.reviews_for(screening_id) == []


def test_agreement_needs_no_reason_and_the_newest_review_wins(
    data: Path, screening_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = review(capsys, screening_id, "--agree")
    assert code == 0, err
    assert "Agreed by the reviewer" in out
    code, _, err = review(
        capsys, screening_id, "--decision", "urgent", "--grade-left", "4", "--reason", "NVE"
    )
    assert code == 0, err
    assert main(["history", "--json"]) == 0
    (row,) = json_lines(capsys.readouterr().out)
    assert row["decision"]["kind"] == "urgent"  # type: ignore[index]
    assert row["review"]["grades"]["left"] == 4  # type: ignore[index]
    with ScreeningStore(data) as store:
        first, second = store.reviews_for(screening_id)
        assert (first.outcome.value, first.reason, first.decision.kind.value) == (
            "agreed",
            None,
            "refer",
        )
        assert store.latest_review(screening_id) == second
    with records_db(data / "retiscreen.db") as conn:  # append-only, whoever holds the file
        for statement in ("UPDATE reviews SET reason = 'x'", "DELETE FROM reviews"):
            with pytest.raises(Exception, match="cannot be"):
                conn.execute(statement)


def test_the_amended_report_is_verifiable_and_the_old_one_says_it_changed(
    data: Path, screening_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with ScreeningStore(data) as store:
        (first,) = store.reports_for(screening_id)
    code, _, err = review(
        capsys, screening_id, "--decision", "urgent", "--grade-left", "3", "--reason", REASON
    )
    assert code == 0, err
    with ScreeningStore(data) as store:
        _, amended = store.reports_for(screening_id)
    assert amended["report_id"] != first["report_id"]

    assert main(["verify", amended["verification_code"]]) == 0
    out = capsys.readouterr().out
    assert "GENUINE" in out and "CHANGED SINCE" not in out
    assert "Decision     urgent" in out and "AI decision  refer" in out
    assert f"Reviewer     {os_account()}" in out and REASON in out

    assert main(["verify", first["verification_code"]]) == 0
    out = capsys.readouterr().out
    assert "GENUINE" in out and "CHANGED SINCE" in out and "Decision" in out.split("CHANGED")[1]

    # the stored content is what the code covers: an edited reason no longer verifies
    with records_db(data / "retiscreen.db") as conn:
        conn.execute(
            "UPDATE reports SET vouches_json = replace(vouches_json, 'Venous', 'Arterial')"
            " WHERE report_id = ?",
            [amended["report_id"]],
        )
        conn.commit()
    assert main(["verify", amended["verification_code"]]) == 1
    assert "NOT GENUINE" in capsys.readouterr().out


def test_exports_carry_the_final_decision_with_the_ai_one_kept(
    tmp_path: Path, data: Path, screening_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = review(
        capsys, screening_id, "--decision", "urgent", "--grade-left", "3", "--reason", REASON
    )
    assert code == 0, err

    table = tmp_path / "all.csv"
    assert main(["export", "--csv", str(table)]) == 0
    rows = {r["laterality"]: r for r in csv.DictReader(table.open(encoding="utf-8-sig"))}
    left, right = rows["left"], rows["right"]
    assert (left["decision_kind"], left["final_decision_kind"]) == ("refer", "urgent")
    assert (left["grade"], left["reviewed_grade"]) == ("2", "3")
    assert right["reviewed_grade"] == "" and right["final_decision_kind"] == "urgent"
    assert (left["review_outcome"], left["reviewer"], left["review_reason"]) == (
        "amended",
        os_account(),
        REASON,
    )

    bundle_file = tmp_path / "bundle.json"
    assert main(["export", screening_id, "--format", "fhir", "--out", str(bundle_file)]) == 0
    bundle = Bundle.model_validate_json(bundle_file.read_text())  # raises if invalid
    by_type: dict[str, list[object]] = {}
    for entry in bundle.entry:
        by_type.setdefault(entry.resource.get_resource_type(), []).append(entry.resource)
    (report,) = by_type["DiagnosticReport"]
    assert report.status == "amended"  # type: ignore[attr-defined]
    concluded = [c.coding[0].code for c in report.conclusionCode]  # type: ignore[attr-defined]
    assert concluded == ["decision-urgent", "ai-decision-refer", "review-amended"]
    assert report.resultsInterpreter[0].display == os_account()  # type: ignore[attr-defined]
    observations = {o.code.coding[0].code: o for o in by_type["Observation"]}  # type: ignore[attr-defined]
    left_obs = observations["71490-7"]
    assert left_obs.status == "amended"
    assert left_obs.valueCodeableConcept.coding[0].code == "LA18646-2"  # severe: the reviewer's
    ai = {c.code.coding[0].code: c for c in left_obs.component}
    assert ai["ai-icdr-grade"].valueCodeableConcept.coding[0].code == "LA18645-4"  # moderate
    assert "referable-dr-probability" in ai  # the model's score is kept too
    assert observations["71491-5"].dataAbsentReason is not None  # not photographed, not graded

    message_file = tmp_path / "result.hl7"
    assert main(["export", screening_id, "--format", "hl7", "--out", str(message_file)]) == 0
    text = message_file.read_bytes().decode("utf-8")
    encoded = re.search(r"\^Base64\^([A-Za-z0-9+/=]+)", text)
    assert encoded
    short = text.replace(encoded.group(1), "JVBERg==")
    message = parse_message(short, validation_level=VALIDATION_LEVEL.STRICT)
    message.validate()
    order = message.ORU_R01_PATIENT_RESULT.ORU_R01_ORDER_OBSERVATION
    assert order.OBR.obr_25.to_er7() == "C"  # a corrected result
    observations_hl7 = [group.OBX for group in order.ORU_R01_OBSERVATION]
    by_code = {
        (obx.obx_3.to_er7().split("^")[0], obx.obx_4.to_er7()): obx for obx in observations_hl7
    }
    assert [key[0] for key in by_code] == [
        "71491-5",
        "71490-7",
        "ai-icdr-grade",
        "decision",
        "ai-decision",
        "review-outcome",
        "review-reason",
        "dr-screening-report",
    ]
    assert by_code[("71490-7", "2")].obx_5.to_er7().startswith("LA18646-2^")
    assert by_code[("71490-7", "2")].obx_11.to_er7() == "C"
    assert by_code[("ai-icdr-grade", "2")].obx_5.to_er7().startswith("LA18645-4^")
    assert by_code[("decision", "")].obx_5.to_er7().startswith("decision-urgent^")
    assert by_code[("ai-decision", "")].obx_5.to_er7().startswith("ai-decision-refer^")
    outcome = by_code[("review-outcome", "")]
    assert outcome.obx_16.to_er7() == f"^{os_account()}"
    assert by_code[("review-reason", "")].obx_5.to_er7() == REASON

    dicom = tmp_path / "dicom"
    assert main(["export", screening_id, "--format", "dicom", "--out", str(dicom)]) == 0
    capsys.readouterr()
    with ScreeningStore(data) as store:
        amended = store.reports_for(screening_id)[-1]
        assert amended["review_id"] is not None
        pdf = store.read_report(amended["report_id"])
    (document,) = [d for f in dicom.iterdir() if (d := pydicom.dcmread(f)).Modality == "DOC"]
    carried = bytes(document.EncapsulatedDocument)[: int(document.EncapsulatedDocumentLength)]
    assert carried == pdf  # the amended report, byte for byte


def test_the_queue_is_decided_when_a_screening_is_saved(tmp_path: Path) -> None:
    from retiscreen.service import ScreeningService
    from retiscreen.settings import ReviewSettings, Settings, StorageSettings
    from tests.support import builders
    from tests.support.builders import graded_eye

    def routine(screening_id: str) -> builders.Screening:
        eyes = (
            graded_eye(builders.Laterality.RIGHT, builders.ICDRGrade.NONE, 0.05),
            graded_eye(builders.Laterality.LEFT, builders.ICDRGrade.MILD, 0.1),
        )
        return builders.screening(*eyes, screening_id=screening_id)

    def service(share: float) -> ScreeningService:
        storage = StorageSettings(str(tmp_path / "data"))
        return ScreeningService(Settings(storage=storage, review=ReviewSettings(share)))

    never = service(0.0)
    never.record(routine("S-ROUTINE-0"))
    never.record(builders.screening(screening_id="S-UNGRADABLE"))  # left eye ungradable
    never.close()
    always = service(1.0)
    always.record(routine("S-ROUTINE-1"))
    urgent = builders.screening(
        graded_eye(builders.Laterality.RIGHT, builders.ICDRGrade.SEVERE, 0.95),
        graded_eye(builders.Laterality.LEFT, builders.ICDRGrade.NONE, 0.05),
        screening_id="S-URGENT",
    )
    always.record(urgent)  # graded and referred already: nothing to check
    queue = {row["screening_id"]: row["why"] for row in always.review_queue(viewer="test")}
    assert queue == {"S-UNGRADABLE": "unexamined", "S-ROUTINE-1": "sampled"}
    looked = [e for e in always.store.audit_events() if e["event"] == "review_queue_viewed"]
    assert set(looked[-1]["detail"]["screenings"]) == set(queue)  # ids only
    conn = records_db(tmp_path / "data" / "retiscreen.db")
    with conn, pytest.raises(Exception, match="append-only"):
        conn.execute("DELETE FROM review_queue")
    always.close()
