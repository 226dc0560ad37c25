"""``retiscreen verify CODE``: a genuine report's code says what it vouches for (exit 0);
a made-up code, a code whose stored content was edited, or a QR text naming another
report is not genuine (exit 1); a correction made after printing is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retiscreen.cli import main
from retiscreen.keyfiles import load_or_create_secret
from retiscreen.report.verification import verification_code
from tests.support.images import DEMO_IMAGE
from tests.support.records import records_db

PATIENT = ["--patient-id", "VR-1", "--name", "Vera Rubin", "--dob", "1958-07-23"]


def _screened(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    screen = ["screen", *PATIENT, "--right", str(DEMO_IMAGE), "--skip-left", "prosthesis"]
    assert main(screen) == 0
    capsys.readouterr()
    assert main(["history", "--json"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    record: dict[str, object] = json.loads(line)
    return record


def _verify(code: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    exit_code = main(["verify", code])
    return exit_code, capsys.readouterr().out


def test_a_genuine_code_says_what_it_vouches_for(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _screened(capsys)
    (report,) = record["reports"]  # type: ignore[misc]
    code = report["verification_code"]
    exit_code, out = _verify(code, capsys)
    assert exit_code == 0, out
    assert out.startswith("GENUINE")
    for shown in ("VR-1", "1958-07-23", record["screening_id"], report["report_id"]):
        assert shown in out
    assert "Right eye    graded, ICDR grade" in out and "Left eye     not_photographed" in out
    assert "Grader       tiny-grader" in out and "CHANGED SINCE" not in out
    assert "Vera" not in out  # the name is not part of what the code vouches for
    typed = code.lower().replace("-", " ")
    assert _verify(typed, capsys)[0] == 0
    assert _verify(f"RETISCREEN:{report['report_id']}:{code}", capsys)[0] == 0
    assert _verify(f"RETISCREEN:{'0' * 32}:{code}", capsys)[0] == 1  # another report's id


def test_made_up_and_edited_codes_are_not_genuine(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _screened(capsys)
    code = record["reports"][0]["verification_code"]  # type: ignore[index]
    exit_code, out = _verify("ABCD-EFGH-IJ", capsys)
    assert exit_code == 1 and out.startswith("NOT GENUINE") and "ABCD-EFGH-IJ" in out
    assert _verify("RETISCREEN:nonsense", capsys)[0] == 1
    with records_db(cli_env / "data" / "retiscreen.db") as db:
        (vouches,) = db.execute("SELECT vouches_json FROM reports").fetchone()
        edited = json.loads(vouches) | {"decision": "routine"}
        db.execute("UPDATE reports SET vouches_json = ?", [json.dumps(edited)])
    exit_code, out = _verify(code, capsys)
    assert exit_code == 1 and out.startswith("NOT GENUINE")
    events = _audit_events(cli_env)
    assert events.count("report_not_verified") == 3


def test_a_correction_after_printing_is_reported(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _screened(capsys)["reports"][0]["verification_code"]  # type: ignore[index]
    fix = ["patient", "correct", "VR-1", "--dob", "1958-07-24", "--reason", "typo"]
    assert main(fix) == 0
    capsys.readouterr()
    exit_code, out = _verify(code, capsys)
    assert exit_code == 0 and "1958-07-23" in out  # what the paper says ...
    assert "CHANGED SINCE" in out and "Born" in out  # ... and that the record differs now
    assert "report_verified" in _audit_events(cli_env)


def test_a_report_from_before_version_2_is_checked_for_what_it_covered(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _screened(capsys)
    report_id = record["reports"][0]["report_id"]  # type: ignore[index]
    secret = load_or_create_secret(cli_env / "data" / "report-secret.key")
    kind = record["decision"]["kind"]  # type: ignore[index]
    old = verification_code(secret, report_id, record["screening_id"], "VR-1", kind)  # type: ignore[arg-type]
    with records_db(cli_env / "data" / "retiscreen.db") as db:
        db.execute("UPDATE reports SET vouches_json = NULL, verification_code = ?", [old])
    exit_code, out = _verify(old, capsys)
    assert exit_code == 0 and "before version 2" in out and "VR-1" in out


def _audit_events(root: Path) -> list[str]:
    with records_db(root / "data" / "retiscreen.db") as db:
        return [row[0] for row in db.execute("SELECT event FROM audit_log ORDER BY id")]
