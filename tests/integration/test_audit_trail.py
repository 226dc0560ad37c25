"""The audit trail is tamper-evident: `retiscreen audit verify` says "intact (N
records)" on an untouched trail and names the first broken record after someone with
the database file drops the append-only trigger and edits, deletes or reorders records,
deletes the newest ones, or forges the head; `selftest` fails then; `audit export`
writes the records since a date for an auditor; a backup restores a trail that verifies."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from retiscreen.cli import main
from retiscreen.store import ScreeningStore, driver
from retiscreen.store.audit_chain import HEAD_FILENAME
from tests.support.images import DEMO_IMAGE
from tests.support.records import records_db
from tests.support.schema_history import take_back_to


@pytest.fixture
def trail(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A data folder with two screenings' worth of audit records."""
    for n in (1, 2):
        argv = ["screen", "--patient-id", f"AUD-{n}", "--name", "Audit Test"]
        assert main([*argv, "--left", str(DEMO_IMAGE), "--skip-right", "small pupil"]) == 0
    capsys.readouterr()
    return cli_env / "data"


def records(data: Path) -> int:
    with records_db(data / "retiscreen.db") as conn:
        return int(conn.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def tamper(data: Path, *statements: str) -> None:
    """What someone holding the database file can do: drop the trigger, change rows."""
    conn = records_db(data / "retiscreen.db")
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["audit", "verify"])
    return code, capsys.readouterr().out


def test_an_untouched_trail_is_intact(trail: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = verify(capsys)
    assert code == 0
    assert out.strip() == f"Audit trail intact ({records(trail)} records)"


@pytest.mark.parametrize(
    ("statement", "broken"),
    [
        ("UPDATE audit_log SET operator = 'someone else' WHERE id = 3", 3),
        ("UPDATE audit_log SET detail_json = '{}' WHERE id = 2", 2),
        ("DELETE FROM audit_log WHERE id = 2", 3),
        # Reordering: two records swap their contents (and hashes).
        (
            "UPDATE audit_log SET event = CASE id WHEN 2 THEN (SELECT event FROM audit_log"
            " WHERE id = 3) ELSE (SELECT event FROM audit_log WHERE id = 2) END,"
            " chain_hash = CASE id WHEN 2 THEN (SELECT chain_hash FROM audit_log WHERE id = 3)"
            " ELSE (SELECT chain_hash FROM audit_log WHERE id = 2) END WHERE id IN (2, 3)",
            2,
        ),
    ],
)
def test_an_edited_deleted_or_reordered_record_is_named(
    trail: Path, capsys: pytest.CaptureFixture[str], statement: str, broken: int
) -> None:
    tamper(trail, statement)
    code, out = verify(capsys)
    assert code == 1 and f"BROKEN at record {broken}:" in out


def rechain(data: Path) -> None:
    """Recompute every hash after an edit, as someone who read this code would."""
    from retiscreen.store.audit_chain import GENESIS, chain_hash

    conn = records_db(data / "retiscreen.db")
    conn.row_factory = driver.Row
    previous = GENESIS
    for row in conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall():
        previous = chain_hash(previous, row)
        conn.execute("UPDATE audit_log SET chain_hash = ? WHERE id = ?", [previous, row["id"]])
    conn.commit()
    conn.close()


def test_a_cut_tail_does_not_reach_the_head(
    trail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last = records(trail)
    tamper(trail, f"DELETE FROM audit_log WHERE id >= {last - 1}")
    code, out = verify(capsys)
    assert code == 1 and f"no longer holds the authenticated record {last}" in out


def test_a_rewritten_chain_does_not_end_in_the_head(
    trail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(trail, "UPDATE audit_log SET operator = 'nobody' WHERE id = 1")
    rechain(trail)
    code, out = verify(capsys)
    assert code == 1 and "no longer holds the authenticated record" in out


def test_the_protection_trigger_being_dropped_is_found(
    trail: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(trail)  # no row touched: the triggers are gone
    code, out = verify(capsys)
    assert code == 1 and "protection was removed" in out
    assert main(["selftest"]) == 1
    assert "audit trail" in capsys.readouterr().out


def test_a_forged_or_missing_head_is_found(trail: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head_file = trail / HEAD_FILENAME
    head = json.loads(head_file.read_text())
    head_file.write_text(json.dumps({**head, "id": head["id"] - 1}))
    code, out = verify(capsys)
    assert code == 1 and "not written by this kiosk" in out
    head_file.unlink()
    code, out = verify(capsys)
    assert code == 1 and "is missing" in out


def test_audit_export_for_an_auditor(trail: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = trail.parent / "audit.jsonl"
    assert main(["audit", "export", "--since", "2000-01-01", "--out", str(out)]) == 0
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(exported) == records(trail) - 1  # the export itself is audited afterwards
    assert {"id", "at", "event", "chain_hash", "detail"} <= set(exported[0])
    assert [e["id"] for e in exported] == sorted(e["id"] for e in exported)
    capsys.readouterr()
    assert main(["audit", "export", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == ""  # nothing that late
    assert main(["audit", "export", "--since", "yesterday"]) == 2
    assert main(["audit", "verify"]) == 0  # the export's own record is chained too


def test_a_trail_from_before_the_chain_is_chained_and_anchored(tmp_path: Path) -> None:
    root = tmp_path / "data"
    with ScreeningStore(root) as store:
        for n in range(3):
            store.audit("before", n=n)
    with records_db(root / "retiscreen.db") as conn:
        take_back_to(conn, 5)
    conn.close()
    (root / HEAD_FILENAME).unlink()
    with ScreeningStore(root) as store:
        verdict = store.verify_audit()
    assert verdict.intact and verdict.records == 3


def test_a_restored_backup_verifies(
    trail: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = trail.parent / "backup.tar.gz"
    monkeypatch.setattr("sys.stdin", io.StringIO("739215\n"))
    assert main(["users", "add", "Boss", "--role", "admin", "--pin-stdin"]) == 0
    assert main(["backup", "--to", str(archive)]) == 0
    assert main(["audit", "verify"]) == 0  # backing up is itself audited
    restored = trail.parent / "restored"
    key = ["--key", str(trail / "records.key"), "--admin", "Boss", "--pin-stdin"]
    monkeypatch.setattr("sys.stdin", io.StringIO("739215\n"))
    assert main(["--data-dir", str(restored), "restore", *key, str(archive)]) == 0
    capsys.readouterr()
    assert main(["--data-dir", str(restored), "audit", "verify"]) == 0
    assert re.match(r"Audit trail intact \(\d+ records\)", capsys.readouterr().out)
