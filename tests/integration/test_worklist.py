"""`retiscreen worklist`: the patients a real worklist server (Orthanc's worklist plugin)
scheduled for a day, with the name in parts, the ID's issuer, the accession number and
the study UID; a screening given those identifiers lands in that study in the PACS."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from retiscreen.cli import main
from tests.integration.orthanc_fixture import Orthanc, free_port, orthanc, schedule
from tests.support.images import DEMO_IMAGE

__all__ = ["orthanc"]


@pytest.fixture
def worklist_env(cli_env: Path, orthanc: Orthanc, monkeypatch: pytest.MonkeyPatch) -> Orthanc:
    monkeypatch.setenv("RETISCREEN_INTEGRATION_WORKLIST", orthanc.destination)
    for old in orthanc.worklist_dir.glob("*.wl"):
        old.unlink()
    return orthanc


def test_the_days_patients_are_listed_in_order(
    worklist_env: Orthanc, capsys: pytest.CaptureFixture[str]
) -> None:
    later = schedule(
        worklist_env,
        "MRN-2",
        "Okafor^Chidi",
        day="20261203",
        time_of_day="1100",
        sex="M",
        accession="ACC-2",
    )
    first = schedule(
        worklist_env, "MRN-1", "García López^Ana María", day="20261203", accession="ACC-1"
    )
    schedule(worklist_env, "MRN-3", "Other^Day", day="20261204", accession="ACC-3")
    schedule(worklist_env, "MRN-4", "Not^Ours", day="20261203", accession="ACC-4", modality="CT")
    assert main(["worklist", "--date", "2026-12-03", "--json"]) == 0
    entries = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["patient_id"] for e in entries] == ["MRN-1", "MRN-2"]
    ana = entries[0]
    assert (ana["family_name"], ana["given_name"], ana["name"]) == (
        "García López",
        "Ana María",
        "Ana María García López",
    )
    assert (ana["id_issuer"], ana["date_of_birth"], ana["sex"]) == ("HOSP-NORTE", "1961-04-03", "F")
    assert (ana["accession_number"], ana["study_uid"]) == ("ACC-1", first)
    assert entries[1]["study_uid"] == later and entries[1]["scheduled"] == "2026-12-03T11:00:00"
    assert main(["worklist", "--date", "2026-12-03"]) == 0
    assert "09:30  MRN-1  Ana María García López  1961-04-03  ACC-1" in capsys.readouterr().out


def test_a_screening_from_the_worklist_lands_in_its_study(
    worklist_env: Orthanc, cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study = schedule(worklist_env, "MRN-9", "Silva^Joana", day="20261203", accession="ACC-9")
    assert main(["worklist", "--date", "2026-12-03", "--json"]) == 0
    (entry,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    argv = ["screen", "--patient-id", entry["patient_id"], "--family-name", entry["family_name"]]
    argv += ["--given-name", entry["given_name"], "--accession", entry["accession_number"]]
    argv += ["--study-uid", entry["study_uid"], "--left", str(DEMO_IMAGE)]
    assert main(argv) == 0
    sid = re.search(r"Screening (\S+)", capsys.readouterr().out).group(1)  # type: ignore[union-attr]
    assert main(["send", sid, "--dicom", worklist_env.destination]) == 0
    stored = worklist_env.instances_of_study(study)
    assert len(stored) == 2 and {s["AccessionNumber"] for s in stored} == {"ACC-9"}


def test_an_unreachable_or_missing_worklist_is_said_plainly(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["worklist"]) == 2
    assert "No worklist is set up" in capsys.readouterr().err
    monkeypatch.setenv("RETISCREEN_INTEGRATION_WORKLIST", f"MWL@127.0.0.1:{free_port()}")
    assert main(["worklist"]) == 1
    assert "refused the connection" in capsys.readouterr().err
    assert main(["worklist", "--date", "03/12/2026"]) == 2


def test_a_kiosk_ae_title_the_worklist_does_not_know_is_refused(
    worklist_env: Orthanc, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETISCREEN_INTEGRATION_AE_TITLE", "STRANGER")
    assert main(["worklist"]) == 1
    assert "lets this kiosk ('STRANGER') query it" in capsys.readouterr().err
