"""The records database is encrypted at rest (SQLCipher): nothing of a patient reads in
the file; without its key, or with another, RetiScreen says so and changes nothing; a
database from before encryption is encrypted in place; the key is exported for
safekeeping and rotated, and an interrupted rotation is finished at the next start."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from retiscreen.cli import main
from retiscreen.store import ScreeningStore, driver
from retiscreen.store.key_rotation import pending_path
from tests.support.images import DEMO_IMAGE
from tests.support.records import records_db

NAME, PATIENT_ID = "Zelda Quigley", "QZ-4711"


@pytest.fixture
def screened(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    screen = ["screen", "--patient-id", PATIENT_ID, "--name", NAME, "--dob", "1944-02-29"]
    assert main([*screen, "--left", str(DEMO_IMAGE), "--skip-right", "prosthesis"]) == 0
    capsys.readouterr()
    return cli_env / "data"


def _history(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["history"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_nothing_of_the_patient_reads_in_the_database_file(screened: Path) -> None:
    for path in screened.glob("retiscreen.db*"):
        raw = path.read_bytes()
        assert NAME.encode() not in raw and PATIENT_ID.encode() not in raw, path.name
    assert not driver.is_plaintext(screened / "retiscreen.db")
    assert (os.stat(screened / "records.key").st_mode & 0o777) == 0o600


def test_a_wrong_or_missing_key_is_said_and_changes_nothing(
    screened: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = screened / "records.key"
    right = key.read_bytes()
    before = (screened / "retiscreen.db").read_bytes()
    key.write_bytes(bytes(32))
    code, said = _history(capsys)
    assert code == 4 and "cannot be read with this site's key" in said and NAME not in said
    key.unlink()
    code, said = _history(capsys)
    assert code == 4 and "records.key) is missing" in said
    assert not key.exists()  # a lost key is never silently replaced by a new one
    assert (screened / "retiscreen.db").read_bytes() == before
    key.write_bytes(right)
    code, said = _history(capsys)
    assert code == 0 and PATIENT_ID in said


def test_a_database_from_before_encryption_is_encrypted_in_place(
    screened: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = screened / "retiscreen.db"
    plain = screened / "plain.db"
    conn = records_db(db)
    conn.execute(f"ATTACH DATABASE '{plain}' AS plain KEY ''")
    conn.execute("SELECT sqlcipher_export('plain')")
    for pragma in ("user_version", "application_id"):
        value = int(conn.execute(f"PRAGMA main.{pragma}").fetchone()[0])
        conn.execute(f"PRAGMA plain.{pragma} = {value}")
    conn.execute("DETACH DATABASE plain")
    conn.close()
    for leftover in ("-wal", "-shm"):
        Path(f"{db}{leftover}").unlink(missing_ok=True)
    os.replace(plain, db)
    assert driver.is_plaintext(db) and NAME.encode() in db.read_bytes()
    code, said = _history(capsys)
    assert code == 0 and PATIENT_ID in said
    assert not driver.is_plaintext(db) and NAME.encode() not in db.read_bytes()
    assert not list(screened.glob(".retiscreen.db.encrypting"))


def test_the_key_is_exported_and_rotated(
    screened: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "kept-apart.key"
    assert main(["key", "export", "--out", str(copy)]) == 0
    assert copy.read_bytes() == (screened / "records.key").read_bytes()
    assert (copy.stat().st_mode & 0o777) == 0o600
    assert main(["key", "export", "--out", str(copy)]) == 2  # never overwritten
    old = copy.read_bytes()
    assert main(["key", "rotate"]) == 0
    assert "Export it again" in capsys.readouterr().out
    new = (screened / "records.key").read_bytes()
    assert new != old and (screened / "records.key.previous").read_bytes() == old
    with pytest.raises(driver.DatabaseError):
        driver.connect(screened / "retiscreen.db", old).execute("SELECT 1 FROM sqlite_master")
    code, said = _history(capsys)
    assert code == 0 and PATIENT_ID in said
    with ScreeningStore(screened) as store:
        events = [e["event"] for e in store.audit_events()]
    assert "records_key_exported" in events and "records_key_rotated" in events


def test_an_interrupted_rotation_is_finished_at_the_next_start(screened: Path) -> None:
    """The database was re-keyed but the new key was not yet renamed into place."""
    key = screened / "records.key"
    new = bytes(range(32))
    pending_path(key).write_bytes(new)
    conn = records_db(screened / "retiscreen.db")
    conn.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
    conn.close()
    with ScreeningStore(screened) as store:
        assert store.find_patient(PATIENT_ID) is not None
    assert key.read_bytes() == new and not pending_path(key).exists()


def test_the_key_is_not_rotated_under_a_running_kiosk(
    screened: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """systemd does not run in the test machine: a stand-in systemctl says the service is
    active, as the real one would on an installed kiosk."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    systemctl = bin_dir / "systemctl"
    systemctl.write_text('#!/bin/sh\n[ "$1" = is-active ] && exit 0\nexit 3\n')
    systemctl.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    key = (screened / "records.key").read_bytes()
    assert main(["key", "rotate"]) == 2
    assert "stop it first" in capsys.readouterr().err
    assert (screened / "records.key").read_bytes() == key
