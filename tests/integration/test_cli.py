"""The `retiscreen` command end to end: real SQLite, real ONNX (tiny test models), real PDFs."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from retiscreen.cli import main
from tests.support.images import DEMO_IMAGE, synthetic_fundus, write
from tests.support.tiny_models import write_models


@pytest.fixture
def env(cli_env: Path) -> dict[str, Path]:
    """An isolated data dir, config path and tiny-model folder for each test."""
    return {"models": cli_env / "models", "data": cli_env / "data", "tmp": cli_env}


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_grade_prints_one_object_per_image(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    broken = env["tmp"] / "broken.jpg"
    broken.write_bytes(b"\xff\xd8garbage")
    code = main(["grade", str(DEMO_IMAGE), str(broken), str(DEMO_IMAGE)])
    rows = json_lines(capsys.readouterr().out)
    assert code == 1  # one unreadable image
    assert len(rows) == 3
    good = rows[0]
    for key in (
        "image",
        "gradable",
        "quality_score",
        "quality_reasons",
        "icdr_grade",
        "probabilities",
        "referable_probability",
        "referable",
        "decision",
        "model",
        "provider",
        "timings_ms",
    ):
        assert key in good
    assert good["gradable"] is True and good["icdr_grade"] == 2
    assert len(good["probabilities"]) == 5  # type: ignore[arg-type]
    assert good["model"]["sha256"]  # type: ignore[index]
    assert "error" in rows[1] and rows[1]["icdr_grade"] is None
    assert rows[2]["gradable"] is True  # the run continued after the bad file


def test_grade_writes_one_heatmap_per_graded_photograph(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the shipped grader: a PNG per graded photograph, none for an ungradable one."""
    from PIL import Image

    from retiscreen.imaging.fundus import crop_to_field, locate_field
    from retiscreen.imaging.load import load_fundus
    from retiscreen.settings import bundled_dir

    monkeypatch.setenv("RETISCREEN_MODELS_MODELS_DIR", str(bundled_dir("models")))
    control = bundled_dir("assets") / "controls" / "positive_idrid_239.jpg"
    dark = env["tmp"] / "dark.png"
    write(dark, (load_fundus(DEMO_IMAGE).pixels * 0.1).astype(np.uint8), "PNG")
    out = env["tmp"] / "maps"
    assert main(["grade", "--heatmaps", str(out), str(DEMO_IMAGE), str(control), str(dark)]) == 0
    captured = capsys.readouterr()
    normal, proliferative, ungradable = json_lines(captured.out)
    assert sorted(p.name for p in out.iterdir()) == [
        "positive_idrid_239.heatmap.png", "retina_cc0.heatmap.png"
    ]  # fmt: skip
    assert ungradable["heatmap"] is None and "no heatmap for dark.png" in captured.err
    assert (normal["confidence"], proliferative["confidence"]) == ("clearly_below", "clearly_above")
    changed = []
    for row, source in ((normal, DEMO_IMAGE), (proliferative, control)):
        drawn = np.asarray(Image.open(str(row["heatmap"])).convert("RGB"), dtype=int)
        pixels = load_fundus(source).pixels
        field = locate_field(pixels)
        assert field is not None and drawn.shape == (288, 288, 3)
        plain = crop_to_field(pixels, field, 288).astype(int)
        changed.append(float(np.mean(np.abs(drawn - plain).sum(axis=2) > 30)))
    assert changed[0] < 0.01 < 0.2 < changed[1]  # colour on the diseased retina only


def test_grade_without_model_refuses_to_guess(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    (env["models"] / "grader.onnx").unlink()
    code = main(["grade", str(DEMO_IMAGE)])
    captured = capsys.readouterr()
    (row,) = json_lines(captured.out)
    assert code == 3
    assert row["icdr_grade"] is None and row["probabilities"] is None
    assert "grading unavailable" in captured.err
    assert row["status"] == "unavailable"
    assert row["decision"]["kind"] == "unavailable"  # type: ignore[index]


def test_screen_history_reprint_export(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    right = write(env["tmp"] / "right.png", synthetic_fundus(900, seed=3), "PNG")
    out = env["tmp"] / "report.pdf"
    code = main(
        [
            "screen",
            "--patient-id",
            "P-42",
            "--name",
            "Ada Example",
            "--dob",
            "1961-12-10",
            "--sex",
            "F",
            "--right",
            str(right),
            "--left",
            str(DEMO_IMAGE),
            "--operator",
            "nurse1",
            "--out",
            str(out),
            "--print",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    assert "DECISION: Refer to an eye specialist" in text
    assert "queued" in text or "will be printed" in text  # the printer does not exist
    assert out.read_bytes().startswith(b"%PDF")

    assert main(["history", "--json"]) == 0
    (row,) = json_lines(capsys.readouterr().out)
    assert row["patient_id"] == "P-42"
    assert row["decision"]["kind"] == "refer"  # type: ignore[index]
    assert [e["status"] for e in row["eyes"]] == ["graded", "graded"]  # type: ignore[union-attr]
    screening_id = str(row["screening_id"])

    reprint = env["tmp"] / "again.pdf"
    assert main(["report", screening_id, "--out", str(reprint)]) == 0
    capsys.readouterr()
    assert reprint.read_bytes().startswith(b"%PDF")

    exported = env["tmp"] / "all.csv"
    assert main(["export", "--csv", str(exported)]) == 0
    rows = list(csv.DictReader(exported.open()))
    assert {r["laterality"] for r in rows} >= {"right", "left"}


def test_screen_with_unreadable_eye_is_saved_and_audited(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    empty = env["tmp"] / "left.jpg"
    empty.write_bytes(b"")
    code = main(
        [
            "screen",
            "--patient-id",
            "P-7",
            "--name",
            "Bo",
            "--right",
            str(DEMO_IMAGE),
            "--left",
            str(empty),
        ]
    )
    text = capsys.readouterr().out
    assert code == 1
    assert "could not be read" in text and "empty" in text
    from retiscreen.store import ScreeningStore

    store = ScreeningStore(env["data"])
    (row,) = store.history()
    events = [e["event"] for e in store.audit_events(str(row["screening_id"]))]
    assert "image_rejected" in events and "screening_saved" in events


def test_skipped_eye_and_bad_date(env: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "screen",
            "--patient-id",
            "P-8",
            "--name",
            "Cy",
            "--right",
            str(DEMO_IMAGE),
            "--skip-left",
            "prosthesis",
        ]
    )
    assert code == 0
    assert "Not photographed: not examined (prosthesis)" in capsys.readouterr().out
    bad_date = ["screen", "--patient-id", "P-9", "--name", "Di", "--dob", "10/12/1961"]
    assert main([*bad_date, "--right", str(DEMO_IMAGE)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "YYYY-MM-DD" in line and "retiscreen screen --help" in line


def test_screen_json_is_the_whole_screening(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["screen", "--patient-id", "P-5", "--name", "Eve", "--right", str(DEMO_IMAGE)]
    assert main([*args, "--absent-left", "enucleation", "--json"]) == 0
    (record,) = json_lines(capsys.readouterr().out)
    assert set(record) == {
        "screening_id", "patient_id", "exclusion", "language", "decision", "ai_decision",
        "review", "eyes", "report", "printed", "reports",
    }  # fmt: skip
    assert record["exclusion"] is None and record["review"] is None
    assert record["language"] == "en"  # the site's: the report and letter are in English
    assert record["ai_decision"] == record["decision"]
    assert set(record["decision"]) == {"kind", "headline", "advice", "follow_up_due"}  # type: ignore[arg-type]
    assert record["decision"]["kind"] == "refer"  # type: ignore[index]
    right, left = record["eyes"]  # type: ignore[misc]
    assert set(right) == {
        "laterality", "status", "icdr_grade", "referable_probability", "threshold",
        "confidence", "macular_oedema_possible", "quality_reasons", "reviewed_grade",
        "fields",
    }  # fmt: skip
    assert right["fields"] == []  # one field per eye (the default site)
    assert (right["status"], right["icdr_grade"]) == ("graded", 2)
    assert right["confidence"] == "clearly_above"  # P 0.82 against 0.3: 2.3 log-odds above
    assert left["confidence"] is None
    assert (left["laterality"], left["status"]) == ("left", "absent")
    assert record["printed"] is False and record["report"] is None  # no --out: no clear copy
    (report,) = record["reports"]  # type: ignore[misc]
    assert report["verification_code"]
    assert main(["history", "--json"]) == 0
    (stored,) = json_lines(capsys.readouterr().out)
    assert stored == record


def test_an_eye_left_out_is_unexamined_not_healthy(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the right photograph given, the left neither skipped nor recorded absent: a
    grader that calls the right eye healthy must still not give 'rescreen in 12 months'."""
    write_models(env["models"], grade_bias=[3.0, 0.0, 0.0, 0.0, 0.0])
    args = ["screen", "--patient-id", "P-6", "--name", "Flo", "--right", str(DEMO_IMAGE)]
    assert main([*args, "--json"]) == 0
    (record,) = json_lines(capsys.readouterr().out)
    assert [e["status"] for e in record["eyes"]] == ["graded", "not_photographed"]  # type: ignore[union-attr]
    assert record["eyes"][0]["icdr_grade"] == 0  # type: ignore[index]
    assert record["decision"]["kind"] == "examine"  # type: ignore[index]


def test_a_reused_id_or_an_impossible_birth_date_is_refused(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["screen", "--patient-id", "P-77", "--right", str(DEMO_IMAGE)]
    assert main([*base, "--name", "Ada Lovelace", "--dob", "1961-12-10"]) == 0
    capsys.readouterr()
    assert main([*base, "--name", "Grace Hopper", "--dob", "1961-12-10"]) == 2
    err = capsys.readouterr().err
    assert "'Ada Lovelace'" in err and "'Grace Hopper'" in err and "Traceback" not in err
    for dob in ("2099-01-01", "1800-01-01"):
        assert main([*base[:2], "P-78", *base[3:], "--name", "X", "--dob", dob]) == 2
        assert "date of birth" in capsys.readouterr().err
    assert main(["history", "--json"]) == 0
    assert len(json_lines(capsys.readouterr().out)) == 1


def test_a_patient_correction_is_a_separate_audited_action(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["screen", "--patient-id", "P-79", "--right", str(DEMO_IMAGE), "--dob", "1961-12-10"]
    assert main([*base, "--name", "Ada Lovelace"]) == 0
    correct = ["patient", "correct", "P-79", "--reason", "name misspelt at registration"]
    assert main([*correct, "--name", "Ada King"]) == 0
    out = capsys.readouterr().out
    assert "was Ada Lovelace, 1961-12-10" in out and "Now: Ada King, 1961-12-10" in out
    assert main([*base, "--name", "Ada King"]) == 0  # the corrected details now match
    assert main([*base, "--name", "Ada Lovelace"]) == 2  # the old ones no longer do
    capsys.readouterr()
    assert main([*correct, "--name", "Ada King"]) == 2
    assert "Nothing to correct" in capsys.readouterr().err
    assert main([*correct, "--dob", "2099-01-01"]) == 2
    assert main(["patient", "correct", "P-80", "--reason", "x", "--name", "Y"]) == 4
    assert "No patient with ID 'P-80'" in capsys.readouterr().err
    assert main(["patient", "correct", "P-79", "--name", "Z"]) == 2  # a reason is required
    from retiscreen.store import ScreeningStore

    with ScreeningStore(env["data"]) as store:
        (event,) = [e for e in store.audit_events() if e["event"] == "patient_corrected"]
    assert event["detail"]["before"]["name"] == "Ada Lovelace"
    assert event["detail"]["after"]["name"] == "Ada King"
    assert event["detail"]["reason"] == "name misspelt at registration"
    assert event["operator"]


def test_screen_asks_to_check_a_photograph_that_looks_like_the_other_eye(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["screen", "--patient-id", "P-81", "--name", "Lat Check", "--dob", "1950-01-01"]
    assert main([*base, "--left", str(DEMO_IMAGE)]) == 0  # disc on the left: a left eye
    assert "CHECK" not in capsys.readouterr().err
    assert main([*base, "--right", str(DEMO_IMAGE)]) == 0  # still graded, but asked about
    err = capsys.readouterr().err
    assert "CHECK: the right eye's photograph looks like a left eye" in err


def test_the_demo_screens_the_bundled_photograph(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = cli_env / "demo.pdf"
    assert main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Screening " in printed and "Demo Patient (DEMO-0001)" in printed
    assert out.read_bytes().startswith(b"%PDF")


def test_every_command_has_help() -> None:
    commands = [
        "grade",
        "screen",
        "demo",
        "history",
        "report",
        "export",
        "print-queue",
        "validate",
        "kiosk",
        "selftest",
        "backup",
        "restore",
        "models",
        "patient",
        "send",
        "outbox",
        "worklist",
        "review",
    ]
    for command in [*commands, ""]:
        result = subprocess.run(
            [sys.executable, "-m", "retiscreen", *([command] if command else []), "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "usage: retiscreen" in result.stdout


def test_validate_writes_metrics_roc_and_report(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    images = env["tmp"] / "set"
    images.mkdir()
    demo = np.asarray(Image.open(DEMO_IMAGE).convert("RGB"))
    rows = []
    for i in range(4):
        write(images / f"normal{i}.png", np.rot90(demo, i).copy(), "PNG")
        rows.append((f"normal{i}.png", 0 if i < 2 else 3 + i % 2, 1, "A" if i % 2 else "B"))
    write(images / "dark.png", (demo * 0.1).astype(np.uint8), "PNG")
    rows.append(("dark.png", 0, 0, "A"))
    (images / "corrupt.jpg").write_bytes(b"\xff\xd8nothing")
    rows.append(("corrupt.jpg", 2, 0, "B"))
    labels = env["tmp"] / "labels.csv"
    labels.write_text(
        "image,dr_grade,gradable,camera\n" + "".join(f"{a},{b},{c},{d}\n" for a, b, c, d in rows)
    )
    out = env["tmp"] / "results"
    code = main(
        [
            "validate",
            "--images",
            str(images),
            "--labels",
            str(labels),
            "--out",
            str(out),
            "--threshold-for-sensitivity",
            "0.9",
            "--per-source",
            "camera",
        ]
    )
    assert code == 0, capsys.readouterr().err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n"] == 6 and metrics["n_unreadable"] == 1 and metrics["n_ungradable"] == 1
    assert metrics["n_graded"] == 4
    assert metrics["confusion_matrix"][0][2] == 2 and metrics["confusion_matrix"][3][2] == 1
    by_grade = metrics["referred_by_true_grade"]
    assert by_grade["0"] == {
        "n": 3, "referred": 3, "referred_by_grader": 2, "ungradable": 1, "referred_fraction": 1.0
    }  # fmt: skip
    assert by_grade["4"]["n"] == 1 and by_grade["4"]["referred_by_grader"] == 1
    assert by_grade["2"] == {
        "n": 1, "referred": 1, "referred_by_grader": 0, "ungradable": 1, "referred_fraction": 1.0
    }  # fmt: skip
    calibration = metrics["calibration"]
    assert sum(b["n"] for b in calibration["bins"]) == 4
    assert 0.0 <= calibration["brier"] <= 1.0
    assert set(metrics["per_source"]) == {"A", "B"}
    assert metrics["per_source"]["A"]["n"] == 3 and metrics["per_source"]["B"]["n"] == 3
    assert metrics["per_source"]["A"]["referred_by_true_grade"]["4"]["n"] == 1
    assert (out / "calibration.png").read_bytes()[:4] == b"\x89PNG"
    # The tiny grader always says "moderate": every graded eye is referred.
    assert metrics["sensitivity"] == 1.0 and metrics["specificity"] == 0.0
    assert metrics["ungradable_counted_as_refer"]["tp"] == 3
    assert metrics["failures_by_reason"] == {"too_dark": 1, "unreadable": 1}
    # Two graded referable eyes cannot show sensitivity 0.9 with 95% confidence: no site
    # threshold, and how many referable eyes it would take.
    confident = metrics["threshold_for_sensitivity"]["confident"]
    assert confident["threshold"] is None and not confident["accepted"]
    assert confident["referable_eyes"] == 2 and confident["referable_eyes_needed"] == 35
    assert metrics["quality_gate"]["ungradable_caught"]["sensitivity"] == 1.0
    assert (out / "roc.png").read_bytes()[:4] == b"\x89PNG"
    pdf = (out / "validation_report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = (
        subprocess.run(
            ["pdftotext", str(out / "validation_report.pdf"), "-"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        if Path("/usr/bin/pdftotext").exists()
        else ""
    )
    if text:
        assert "Confusion matrix" in text and "Sensitivity" in text
        assert "Eyes referred, by reference grade" in text and "Per camera" in text
        assert "Calibration of P(referable)" in text
        assert "2 referable eyes; 35 needed" in text


def test_validate_rejects_bad_labels(
    env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    labels = env["tmp"] / "labels.csv"
    labels.write_text("image,dr_grade\na.jpg,7\n")
    code = main(
        [
            "validate",
            "--images",
            str(env["tmp"]),
            "--labels",
            str(labels),
            "--out",
            str(env["tmp"] / "o"),
        ]
    )
    assert code == 2
    assert "line 2" in capsys.readouterr().err


def test_kiosk_falls_back_to_demo_only_when_unconfigured(tmp_path: Path) -> None:
    from retiscreen.cli import kiosk_demo_mode

    missing = tmp_path / "none.toml"
    configured = tmp_path / "settings.toml"
    configured.write_text("[kiosk]\nfullscreen = true\n")
    assert kiosk_demo_mode(False, missing, lambda: False) is True
    assert kiosk_demo_mode(False, missing, lambda: True) is False
    assert kiosk_demo_mode(False, configured, lambda: False) is False
    assert kiosk_demo_mode(True, configured, lambda: True) is True


def test_kiosk_command_starts_on_an_unconfigured_machine(env: dict[str, Path]) -> None:
    """`retiscreen kiosk` as a launcher runs it: with no settings file it must ask
    QtMultimedia for cameras (to choose demo mode) only once the Qt application exists,
    then show its window, with no traceback on the way."""
    pytest.importorskip("PySide6.QtMultimedia", reason="the GUI extra is not installed")
    log = env["tmp"] / "kiosk.log"
    with log.open("w") as stderr:
        kiosk = subprocess.Popen(
            [sys.executable, "-m", "retiscreen", "-v", "kiosk", "--windowed"],
            stderr=stderr,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        try:
            deadline = time.monotonic() + 120
            while "kiosk window shown" not in log.read_text() and kiosk.poll() is None:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        finally:
            kiosk.terminate()
            kiosk.wait(30)
    text = log.read_text()
    assert "kiosk window shown" in text, text
    assert "Traceback" not in text and "requires a QCoreApplication" not in text, text


def test_cameras_are_not_listed_before_the_qt_application_exists() -> None:
    pytest.importorskip("PySide6.QtMultimedia", reason="the GUI extra is not installed")
    code = "from retiscreen.capture.qt_camera import list_qt_cameras; list_qt_cameras()"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "create the Qt application before listing cameras" in result.stderr
