"""Every action on patient records leaves an audit record naming who did it, and the
trail stays intact: a whole command-line session, checked event by event."""

from __future__ import annotations

import getpass
import io
import sys
from pathlib import Path

import pytest

from retiscreen.cli import main
from retiscreen.store import ScreeningStore
from tests.support.images import DEMO_IMAGE


def _events(root: Path) -> list[dict[str, object]]:
    with ScreeningStore(root) as store:
        return store.audit_events()


def test_a_command_line_session_is_audited_step_by_step(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = cli_env / "data", cli_env / "out"
    out.mkdir()
    screen = ["screen", "--patient-id", "AU-1", "--name", "Audre Lorde", "--dob", "1934-02-18"]
    assert main([*screen, "--right", str(DEMO_IMAGE), "--skip-left", "prosthesis"]) == 0
    (screening_id,) = [e["screening_id"] for e in _events(data) if e["event"] == "screening_saved"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("739215\n"))
    assert main(["users", "add", "Boss", "--role", "admin", "--pin-stdin"]) == 0
    steps: list[tuple[list[str], str]] = [
        (["history"], "records_viewed"),
        (["history", "--search", "Audre"], "records_viewed"),
        (["report", str(screening_id), "--out", str(out / "copy.pdf")], "report_created"),
        (["export", "--csv", str(out / "all.csv")], "csv_exported"),
        (
            ["export", str(screening_id), "--format", "fhir", "--out", str(out / "b.json")],
            "exported",
        ),
        (["verify", "ABCD-EFGH-IJ"], "report_not_verified"),
        (["review", "--queue"], "review_queue_viewed"),
        (["review", str(screening_id), "--agree"], "screening_reviewed"),
        (["backup", "--to", str(out / "b.tar.gz")], "backup_created"),
        (
            ["patient", "correct", "AU-1", "--dob", "1934-02-19", "--reason", "typo"],
            "patient_corrected",
        ),
    ]
    for argv, event in steps:
        before = len(_events(data))
        assert main(argv) == (1 if argv[0] == "verify" else 0), argv  # verify: a made-up code
        after = _events(data)[before:]
        assert event in [e["event"] for e in after], (argv, after)
    viewed = [e for e in _events(data) if e["event"] == "records_viewed"]
    assert viewed[0]["detail"]["screenings"] == [screening_id]  # type: ignore[index]
    assert "Audre" not in str(viewed)  # the search text (a name) is not kept
    other = cli_env / "restored"
    key = ["--key", str(data / "records.key"), "--admin", "Boss", "--pin-stdin"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("739215\n"))
    assert main(["restore", "--data-dir", str(other), *key, str(out / "b.tar.gz")]) == 0
    assert _events(other)[-1]["event"] == "backup_restored"
    capsys.readouterr()
    for root in (data, other):
        events = _events(root)
        assert all(e["detail"]["os_account"] == getpass.getuser() for e in events)  # type: ignore[index]
        assert main(["--data-dir", str(root), "audit", "verify"]) == 0
        assert "intact" in capsys.readouterr().out
