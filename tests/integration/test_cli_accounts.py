"""``retiscreen users`` (list, add, remove, set-pin; audited with the operating-system
account) and the refusal of patient-record commands to accounts outside the service
user and the retiscreen group (run as ``nobody`` with setpriv)."""

from __future__ import annotations

import getpass
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from retiscreen.cli import main
from retiscreen.store import ScreeningStore
from tests.support.images import DEMO_IMAGE


def _with_pin(monkeypatch: pytest.MonkeyPatch, pin: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(pin + "\n"))


def test_accounts_from_the_command_line(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "list"]) == 0
    assert "No accounts yet" in capsys.readouterr().out
    _with_pin(monkeypatch, "739215")
    assert main(["users", "add", "Boss", "--role", "admin", "--pin-stdin"]) == 0
    _with_pin(monkeypatch, "12345")
    assert main(["users", "add", "Rev", "--role", "reviewer", "--pin-stdin"]) == 2
    assert "6 to 12 digits" in capsys.readouterr().err
    _with_pin(monkeypatch, "4821")
    assert main(["users", "add", "Op", "--role", "operator", "--pin-stdin"]) == 0
    assert main(["users", "remove", "Boss"]) == 2
    assert "only administrator" in capsys.readouterr().err
    _with_pin(monkeypatch, "5932")
    assert main(["users", "set-pin", "Op", "--pin-stdin"]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [
        {"name": "Boss", "role": "admin", "locked_until": None},
        {"name": "Op", "role": "operator", "locked_until": None},
    ]
    with ScreeningStore(cli_env / "data") as store:
        events = [e for e in store.audit_events() if e["event"] in ("account_added", "pin_changed")]
    assert [e["event"] for e in events] == ["account_added", "account_added", "pin_changed"]
    assert all(e["operator"] == getpass.getuser() for e in events)
    assert all(e["detail"]["os_account"] == getpass.getuser() for e in events)


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to run a command as another account",
)
def test_patient_records_are_refused_to_other_accounts(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    screen = ["screen", "--patient-id", "P-1", "--name", "Zed Quux", "--right", str(DEMO_IMAGE)]
    assert main(screen) == 0
    capsys.readouterr()
    shared = Path(tempfile.mkdtemp(prefix="retiscreen-phi-"))
    data = shared / "data"
    shutil.copytree(cli_env / "data", data)
    for path in [shared, data, *data.rglob("*")]:  # readable, as an older install left them
        path.chmod(0o755 if path.is_dir() else 0o644)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RETISCREEN_")},
        "PYTHONPATH": os.pathsep.join(sys.path),
        "HOME": "/tmp",
        "RETISCREEN_CONFIG": "/nonexistent/settings.toml",
        "RETISCREEN_STORAGE_DATA_DIR": str(data),
    }
    nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    commands = (
        ["history"],
        ["export", "--csv", "/tmp/x.csv"],
        ["users", "list"],
        ["review", "--queue"],
    )
    for command in commands:
        done = subprocess.run(
            [*nobody, sys.executable, "-m", "retiscreen", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert "only the RetiScreen service account" in done.stderr
        assert "Zed" not in done.stdout + done.stderr
    shutil.rmtree(shared)
