"""The audit trail's tamper evidence: a hash chain through every record, and its head
authenticated with a key kept outside the database.

Why both: triggers stop an honest mistake, not someone with the database file in hand
(drop the trigger, edit the row). Each record carries ``chain_hash = sha256(previous
record's chain_hash, this record's fields)``, so editing, deleting or reordering a
record breaks every hash from it on. Recomputing all of them afterwards is easy without
a secret, so the newest hash (the head) is also written, with an HMAC under
``audit.key``, to ``audit-head.json`` beside the database: a rewritten chain no longer
ends in the authenticated head, and a deleted tail leaves the head pointing at a record
that is gone. Verification (:func:`verify_chain`) names the first record that fails.

The head is written after each commit and only ever moves forward (a file lock orders
concurrent writers), so the kiosk and the CLI can share one database.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retiscreen.store import driver
from retiscreen.store.files import atomic_write

KEY_FILENAME = "audit.key"
HEAD_FILENAME = "audit-head.json"
GENESIS = "0" * 64
PROTECTING_TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")
_FIELDS = ("at", "event", "screening_id", "operator", "detail_json")


def chain_hash(previous: str, row: dict[str, Any] | driver.Row) -> str:
    """The hash a record carries: its fields, length-prefixed, after the previous hash."""
    digest = hashlib.sha256(previous.encode("ascii"))
    for name in _FIELDS:
        value = row[name]
        data = b"\x00" if value is None else b"\x01" + str(value).encode("utf-8")
        digest.update(len(data).to_bytes(4, "big") + data)
    return digest.hexdigest()


def head_mac(key: bytes, record_id: int, head: str) -> str:
    return hmac.new(
        key, f"retiscreen-audit-head-v1:{record_id}:{head}".encode(), "sha256"
    ).hexdigest()


def last_record(conn: driver.Connection) -> tuple[int, str] | None:
    row = conn.execute("SELECT id, chain_hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def read_head(path: Path) -> dict[str, Any] | None:
    try:
        head = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return head if isinstance(head, dict) else {}


def write_head(path: Path, key: bytes, record_id: int, head: str) -> None:
    """Record ``(record_id, head)`` as the authenticated head, unless the file already
    names a later record (another process committed after us)."""
    lock_path = path.with_name(f".{path.name}.lock")
    with open(lock_path, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        current = read_head(path) or {}
        with contextlib.suppress(TypeError, ValueError):
            if int(current.get("id", 0)) >= record_id:
                return
        body = {"id": record_id, "chain_hash": head, "mac": head_mac(key, record_id, head)}
        atomic_write(path, json.dumps(body).encode("utf-8"))


@dataclass(frozen=True)
class ChainVerdict:
    """What :func:`verify_chain` found."""

    intact: bool
    records: int
    broken_at: int | None = None
    """The id of the first record that fails (None when intact or the head is at fault)."""
    problem: str = ""

    def line(self) -> str:
        if self.intact:
            return f"intact ({self.records} records)"
        where = f"record {self.broken_at}: " if self.broken_at is not None else ""
        return f"BROKEN at {where}{self.problem}"


def verify_chain(conn: driver.Connection, key: bytes, head_path: Path) -> ChainVerdict:
    """Recompute the chain from the first record and check it ends in the head."""
    triggers = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )
    }
    missing = [t for t in PROTECTING_TRIGGERS if t not in triggers]
    previous, count, last_id = GENESIS, 0, 0
    cursor = conn.execute(f"SELECT id, chain_hash, {', '.join(_FIELDS)} FROM audit_log ORDER BY id")
    cursor.row_factory = driver.Row
    for row in cursor:
        expected = chain_hash(previous, row)
        if row["chain_hash"] != expected:
            return ChainVerdict(
                False,
                count,
                int(row["id"]),
                "its contents or its place in the trail were changed (or a record before "
                "it was deleted)",
            )
        previous, count, last_id = expected, count + 1, int(row["id"])
    head = read_head(head_path)
    if head is None:
        if count == 0:
            return ChainVerdict(True, 0)
        return ChainVerdict(
            False, count, None, f"the authenticated head {head_path.name} is missing"
        )
    try:
        head_id, head_hash, mac = int(head["id"]), str(head["chain_hash"]), str(head["mac"])
    except (KeyError, TypeError, ValueError):
        return ChainVerdict(False, count, None, f"{head_path.name} is damaged")
    if not hmac.compare_digest(mac, head_mac(key, head_id, head_hash)):
        return ChainVerdict(False, count, None, f"{head_path.name} was not written by this kiosk")
    row = conn.execute("SELECT chain_hash FROM audit_log WHERE id = ?", [head_id]).fetchone()
    if row is None or row[0] != head_hash:
        return ChainVerdict(
            False,
            count,
            head_id if row is not None else None,
            f"the trail no longer holds the authenticated record {head_id} (records were "
            f"deleted or the trail was rewritten; it now ends at record {last_id})",
        )
    if missing:
        removed = f"the audit log's protection was removed ({', '.join(missing)})"
        return ChainVerdict(False, count, None, removed)
    return ChainVerdict(True, count)
