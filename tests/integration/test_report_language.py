"""The patient's language (#13 item 6): `screen --language CODE` writes the report and
the letter in it, stores it with the screening, and every reprint and export keeps it;
an unknown code is refused before anything is graded or saved."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from retiscreen.catalogue import ENGLISH, Catalogue
from retiscreen.cli import main
from tests.support.images import DEMO_IMAGE

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def screen(tmp: Path, *extra: str, patient_id: str = "P-PT") -> int:
    return main(
        [
            "screen",
            "--patient-id",
            patient_id,
            "--name",
            "João da Silva",
            "--dob",
            "1958-03-24",
            "--sex",
            "M",
            "--left",
            str(DEMO_IMAGE),
            "--skip-right",
            "small pupil",
            "--out",
            str(tmp / "first.pdf"),
            *extra,
        ]
    )


def test_the_patients_language_is_the_reports_on_every_copy(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert screen(cli_env, "--language", "pt") == 0
    capsys.readouterr()
    assert main(["history", "--json"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["language"] == "pt"
    kind = row["decision"]["kind"]
    assert row["decision"]["headline"] == ENGLISH.text(f"decision.{kind}.headline")  # records
    screening_id = row["screening_id"]
    assert main(["report", screening_id, "--out", str(cli_env / "reprint.pdf")]) == 0
    export = cli_env / "export.pdf"
    assert main(["export", screening_id, "--format", "pdf", "--out", str(export)]) == 0
    portuguese = Catalogue("pt")
    for copy in ("first.pdf", "reprint.pdf", "export.pdf"):
        text = pdf_text(cli_env / copy)
        assert portuguese.text("report.title") in text, copy
        assert "Prezado(a) João da Silva," in text, copy  # the letter too
        assert "24 de março de 1958" in text and "Masculino" in text, copy
        assert portuguese.text(f"decision.{kind}.headline") in text, copy
        assert "Diabetic retinopathy screening report" not in text, copy
        assert "Dear " not in text, copy


def test_the_default_is_the_sites_language(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert screen(cli_env) == 0
    assert "Diabetic retinopathy screening report" in pdf_text(cli_env / "first.pdf")
    monkeypatch.setenv("RETISCREEN_KIOSK_LANGUAGE", "es")
    assert screen(cli_env, patient_id="P-ES") == 0
    text = pdf_text(cli_env / "first.pdf")
    assert "Informe de cribado de retinopatía diabética" in text
    assert "Estimado/a João da Silva:" in text


@pytest.mark.parametrize("code", ["xx", "fr", "english", ""])
def test_an_unknown_language_is_refused_and_nothing_is_saved(
    cli_env: Path, capsys: pytest.CaptureFixture[str], code: str
) -> None:
    assert screen(cli_env, "--language", code) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "unknown language" in line and "en, es, pt" in line
    assert not (cli_env / "first.pdf").exists()
    assert main(["history", "--json"]) == 0
    assert capsys.readouterr().out.strip() == ""


def test_a_patient_referred_without_screening_is_told_why_in_their_language(
    cli_env: Path,
) -> None:
    patient = ["--patient-id", "P-PT-EXC", "--name", "Ana Souza", "--dob", "1951-06-02"]
    out = cli_env / "excluded.pdf"
    args = ["screen", *patient, "--exclusion", "sudden-vision-loss", "--language", "pt"]
    assert main([*args, "--out", str(out)]) == 0
    text, pt = pdf_text(out), Catalogue("pt")
    assert pt.text("letter.intro_not_screened", date="").split(" ")[-1] in text
    assert pt.text("exclusion.sudden_vision_loss.reason") in text
    assert "Not screened" not in text.split("RetiScreen report")[0]  # the headline is in pt
