"""Two fields per eye end to end through ``retiscreen screen`` (``[capture] fields_per_eye
= 2``): real tiny ONNX models, the real encrypted store, the JSON, the reload, the
integrity check and the upgrade of a version-13 database."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest
from fhir.resources.R4B.bundle import Bundle
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from retiscreen.cli import main
from retiscreen.domain import EyeStatus, FieldView, Laterality, QueueReason
from retiscreen.store import SCHEMA_VERSION, ScreeningStore
from tests.support.images import synthetic_fundus, write
from tests.support.records import records_db
from tests.support.schema_history import take_back_to

PATIENT = ["--patient-id", "P-TWO", "--name", "Two Fields", "--dob", "1955-04-03"]
R, L = Laterality.RIGHT, Laterality.LEFT
DISC, MACULA = FieldView.DISC, FieldView.MACULA


@pytest.fixture
def two_fields(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETISCREEN_CAPTURE_FIELDS_PER_EYE", "2")
    return cli_env


def photographs(folder: Path) -> dict[str, Path]:
    """Three different gradable photographs, and one the quality gate refuses (black)."""
    made = {name: write(folder / f"{name}.png", synthetic_fundus(900, seed=seed), "PNG")
            for name, seed in (("right", 3), ("right_macula", 4), ("left", 5))}  # fmt: skip
    made["dark"] = write(folder / "dark.png", synthetic_fundus(900, seed=6) // 12, "PNG")
    return made


def screened(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["screen", *PATIENT, *argv, "--json"]) == 0
    record: dict[str, object] = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    return record


def test_both_fields_are_graded_stored_and_reload_whole(
    two_fields: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = photographs(two_fields)
    record = screened(
        capsys,
        "--right", str(photos["right"]), "--right-macula", str(photos["right_macula"]),
        "--left", str(photos["left"]), "--left-macula", str(photos["dark"]),
    )  # fmt: skip
    right, left = record["eyes"]  # type: ignore[misc]
    assert [(f["view"], f["status"]) for f in right["fields"]] == [
        ("disc", "graded"),
        ("macula", "graded"),
    ]
    assert [(f["view"], f["status"]) for f in left["fields"]] == [
        ("disc", "graded"),
        ("macula", "ungradable"),
    ]
    assert left["status"] == "graded"  # the ungradable field does not decide the eye alone
    assert record["decision"]["kind"] == "refer"  # type: ignore[index]  # tiny grader: moderate
    sid = str(record["screening_id"])
    with ScreeningStore(two_fields / "data") as store:
        saved = store.load_screening(sid)
        for side, names in ((R, ("right", "right_macula")), (L, ("left", "dark"))):
            eye = saved.eye(side)
            assert eye is not None and [f.view for f in eye.fields] == [DISC, MACULA]
            for view, name in zip((DISC, MACULA), names, strict=True):
                field = eye.field_result(view)
                assert field is not None and field.image is not None
                assert field.image.data == photos[name].read_bytes()
                assert field.image.source == str(photos[name])
        rows = store._rows("SELECT laterality, view, status, stored_file FROM field_images")
        assert {(r["laterality"], r["view"], r["status"]) for r in rows} == {
            ("right", "disc", "graded"),
            ("right", "macula", "graded"),
            ("left", "disc", "graded"),
            ("left", "macula", "ungradable"),
        }
        # the eye's own photograph is its deciding field's, stored once
        eye_files = {r["stored_file"] for r in store._rows("SELECT stored_file FROM eye_images")}
        assert eye_files <= {r["stored_file"] for r in rows}
        assert store.integrity_problems() == []
        (event,) = [e for e in store.audit_events() if e["event"] == "screening_saved"]
        assert set(event["detail"]["field_images"]) == {
            "right-disc", "right-macula", "left-disc", "left-macula",
        }  # fmt: skip
        (queued,) = store.review_queue()
        assert queued["why"] == QueueReason.UNEXAMINED.value  # a field could not be graded
    # The site monitor counts the field that failed, though both eyes were graded.
    assert main(["monitor", "--out", str(two_fields / "monitor")]) == 0
    figures = json.loads((two_fields / "monitor" / "monitor.json").read_text())
    period = figures["period"]
    assert period["ungradable_rate"] == 0.0
    assert (period["fields_photographed"], period["fields_not_graded"]) == (4, 1)
    assert period["field_ungradable_rate"] == 0.25
    (alert,) = [a for a in figures["alerts"] if a["figure"] == "field_ungradable_rate"]
    assert alert["value"] == 0.25
    page = (two_fields / "monitor" / "monitor.html").read_text()
    assert "of the fields photographed for two-field eyes could not be graded" in page


def test_a_field_not_taken_is_recorded_and_the_other_decides(
    two_fields: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = photographs(two_fields)
    record = screened(capsys, "--right", str(photos["right"]), "--left-macula", str(photos["left"]))
    right, left = record["eyes"]  # type: ignore[misc]
    assert [(f["view"], f["status"], f["decides"]) for f in right["fields"]] == [
        ("disc", "graded", True),
        ("macula", "not_photographed", False),
    ]
    assert [(f["view"], f["status"], f["decides"]) for f in left["fields"]] == [
        ("disc", "not_photographed", False),
        ("macula", "graded", True),
    ]
    with ScreeningStore(two_fields / "data") as store:
        saved = store.load_screening(str(record["screening_id"]))
        left_eye = saved.eye(L)
        assert left_eye is not None and left_eye.status is EyeStatus.GRADED
        assert left_eye.view is MACULA and left_eye.image is not None


def test_a_macula_photograph_at_a_one_field_site_is_refused(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = photographs(cli_env)
    argv = ["screen", *PATIENT, "--right", str(photos["right"])]
    assert main([*argv, "--right-macula", str(photos["right_macula"])]) == 2
    assert "fields_per_eye" in capsys.readouterr().err
    with ScreeningStore(cli_env / "data") as store:
        assert store.history() == []


def test_a_photograph_and_a_reason_for_one_eye_are_refused(
    two_fields: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = photographs(two_fields)
    argv = ["screen", *PATIENT, "--right-macula", str(photos["right"]), "--skip-right", "pupil"]
    assert main(argv) == 2
    assert "one or the other" in capsys.readouterr().err


def test_a_version_13_database_is_upgraded_to_keep_fields(
    two_fields: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = photographs(two_fields)
    with ScreeningStore(two_fields / "data"):
        pass
    with records_db(two_fields / "data" / "retiscreen.db") as conn:
        take_back_to(conn, 13)
        found = conn.execute("SELECT name FROM sqlite_master WHERE name = 'field_images'")
        assert found.fetchone() is None
    conn.close()
    macula = ["--right-macula", str(photos["left"])]
    record = screened(capsys, "--right", str(photos["right"]), *macula)
    with ScreeningStore(two_fields / "data") as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 14
        eye = store.load_screening(str(record["screening_id"])).eye(R)
        assert eye is not None and len(eye.fields) == 2
        assert all(f.image is not None for f in eye.fields)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_report_shows_each_field_and_says_which_was_not_taken(
    two_fields: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = photographs(two_fields)
    out = two_fields / "two-fields.pdf"
    record = screened(
        capsys,
        "--right", str(photos["right"]), "--right-macula", str(photos["dark"]),
        "--left", str(photos["left"]), "--out", str(out),
    )  # fmt: skip
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    first = " ".join(text.split("\f")[0].split())
    assert first.count("Disc-centred field: Moderate non-proliferative DR") == 2
    assert "Macula-centred field: Could not be graded: photograph quality" in first
    assert "Macula-centred field: Not taken" in first  # the left eye's, shown in its box too
    assert first.count("The eye's result is its worse gradable field's.") == 2
    assert first.count("Heatmap: where the photograph pushed") == 2  # under each graded field
    (report,) = record["reports"]  # type: ignore[misc]
    assert main(["verify", report["verification_code"]]) == 0  # the code vouches for fields
    capsys.readouterr()
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True)
    if images.returncode == 0:  # three photographs drawn, plus the QR code's none
        photos_drawn = [line for line in images.stdout.splitlines()[2:] if " image " in line]
        assert len(photos_drawn) >= 3


def test_every_field_goes_to_dicom_and_fhir_hl7_keep_one_result_per_eye(
    two_fields: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = photographs(two_fields)
    record = screened(
        capsys,
        "--right", str(photos["right"]), "--right-macula", str(photos["right_macula"]),
        "--left", str(photos["left"]), "--left-macula", str(photos["dark"]),
    )  # fmt: skip
    sid = str(record["screening_id"])
    out = two_fields / "dicom"
    assert main(["export", sid, "--format", "dicom", "--out", str(out)]) == 0
    datasets = [pydicom.dcmread(path) for path in sorted(out.glob("*.dcm"))]
    photos_sent = [ds for ds in datasets if ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.7"]
    assert sorted(
        (int(p.InstanceNumber), p.ImageLaterality, p.ImageComments) for p in photos_sent
    ) == [
        (1, "R", "Disc-centred field"),
        (2, "R", "Macula-centred field"),
        (3, "L", "Disc-centred field"),
        (4, "L", "Macula-centred field"),
    ]
    sent = {p.ImageComments + p.ImageLaterality: p for p in photos_sent}
    assert sent["Macula-centred fieldR"].pixel_array.shape[:2] == (900, 900)
    assert len({p.SOPInstanceUID for p in photos_sent}) == 4
    assert len(datasets) == 5  # and the report
    if shutil.which("dciodvfy"):
        for path in out.glob("*.dcm"):
            result = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True)
            assert [x for x in (result.stdout + result.stderr).splitlines() if "Error" in x] == []
    bundle_path = two_fields / "bundle.json"
    assert main(["export", sid, "--format", "fhir", "--out", str(bundle_path)]) == 0
    bundle = Bundle.model_validate_json(bundle_path.read_text())
    observations = [
        e.resource for e in bundle.entry if e.resource.get_resource_type() == "Observation"
    ]
    eyes = [o for o in observations if o.code.coding[0].code in ("71490-7", "71491-5")]
    assert len(eyes) == 2  # one finding per eye: the eye's result, its worse gradable field
    assert all(o.valueCodeableConcept.coding[0].code == "LA18645-4" for o in eyes)
    notes = {o.bodySite.coding[0].code: [n.text for n in o.note] for o in eyes}
    assert "Macula-centred field: Could not be graded: photograph quality" in notes["8966001"]
    hl7_path = two_fields / "result.hl7"
    assert main(["export", sid, "--format", "hl7", "--out", str(hl7_path)]) == 0
    message = parse_message(
        hl7_path.read_bytes().decode("utf-8"), validation_level=VALIDATION_LEVEL.TOLERANT
    )
    message.validate()


def test_an_unreadable_field_is_refused_audited_and_fails_the_command(
    two_fields: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = photographs(two_fields)
    broken = two_fields / "macula.jpg"
    broken.write_text("not a photograph")
    argv = ["screen", *PATIENT, "--right", str(photos["right"]), "--right-macula", str(broken)]
    assert main([*argv, "--json"]) == 1  # as for an unreadable single photograph
    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    right = record["eyes"][0]
    assert [(f["view"], f["status"]) for f in right["fields"]] == [
        ("disc", "graded"),
        ("macula", "unreadable"),
    ]
    assert right["status"] == "graded"
    with ScreeningStore(two_fields / "data") as store:
        (event,) = [e for e in store.audit_events() if e["event"] == "image_rejected"]
        assert (event["detail"]["laterality"], event["detail"]["field"]) == ("right", "macula")


def test_the_same_photograph_for_both_fields_is_refused_as_a_copy(
    two_fields: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = photographs(two_fields)
    same = str(photos["right"])
    record = screened(capsys, "--right", same, "--right-macula", same)
    disc, macula = record["eyes"][0]["fields"]  # type: ignore[index]
    assert (disc["status"], macula["status"]) == ("graded", "ungradable")
    with ScreeningStore(two_fields / "data") as store:
        eye = store.load_screening(str(record["screening_id"])).eye(R)
        refused = eye.field_result(MACULA) if eye else None
        assert refused is not None and refused.error is not None
        assert "other field of the RIGHT eye" in refused.error
