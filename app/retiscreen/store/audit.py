"""The audit log: an append-only trace of what happened to which screening, and when.

Why append-only and written in the same transaction as the change: an audit trail is
only worth something if it cannot be edited afterwards and cannot disagree with the
records. Triggers (see :mod:`retiscreen.store.schema`) forbid changing or deleting an
entry, and every save, report and print writes its entry with :func:`record_event`
inside its own transaction, so the record and its trace commit together or not at all.
Each entry is hash-chained to the one before and the chain's head is authenticated
outside the database (:mod:`retiscreen.store.audit_chain`), so an edit made with the
triggers dropped is found by :meth:`AuditLog.verify_audit`.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import datetime
from typing import Any

import sqlite_utils

from retiscreen.keyfiles import load_or_create_secret
from retiscreen.store.audit_chain import (
    GENESIS,
    HEAD_FILENAME,
    KEY_FILENAME,
    ChainVerdict,
    chain_hash,
    last_record,
    verify_chain,
    write_head,
)
from retiscreen.store.connection import StoreConnection
from retiscreen.store.values import canonical_json, utc_now


def os_account() -> str:
    """The operating-system account running this process."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container's arbitrary uid)
        return f"uid {os.geteuid()}"


def record_event(
    db: sqlite_utils.Database,
    event: str,
    screening_id: str | None,
    operator: str | None,
    detail: dict[str, Any],
) -> None:
    """Append one entry, chained to the last, inside the caller's write transaction
    (which holds the write lock, so no other writer can slip in between). Every entry
    names the operating-system account that wrote it (``os_account``) beside the
    kiosk operator, so a command-line action is attributable too."""
    detail = {**detail, "os_account": os_account()}
    last = last_record(db.conn)
    row = {
        "at": utc_now(),
        "event": event,
        "screening_id": screening_id,
        "operator": operator,
        "detail_json": canonical_json(detail),
    }
    db.execute(
        "INSERT INTO audit_log (at, event, screening_id, operator, detail_json, chain_hash) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [*row.values(), chain_hash(last[1] if last else GENESIS, row)],
    )


class AuditLog(StoreConnection):
    """Writing and reading the audit log of a :class:`~retiscreen.store.db.ScreeningStore`."""

    def audit(
        self,
        event: str,
        *,
        screening_id: str | None = None,
        operator: str | None = None,
        **detail: Any,
    ) -> None:
        """Append an entry to the audit log (which nothing can change or delete).

        Other modules call this for events that must leave a trace even though nothing
        was saved, e.g. ``audit("image_rejected", message=str(err), file=name)``.
        """
        with self._write(f"the audit entry {event!r} was NOT recorded"):
            record_event(self._db, event, screening_id, operator, detail)

    def _after_commit(self) -> None:
        """Move the authenticated head to the newest record (see audit_chain)."""
        with self._lock:
            last = last_record(self._conn)
        if last is not None and last[0] != self._anchored:
            write_head(self.root / HEAD_FILENAME, self._audit_key(), *last)
            self._anchored = last[0]

    def _audit_key(self) -> bytes:
        return load_or_create_secret(self.root / KEY_FILENAME)

    def verify_audit(self) -> ChainVerdict:
        """Recompute the whole chain and check it ends in the authenticated head."""
        with self._lock:
            return verify_chain(self._conn, self._audit_key(), self.root / HEAD_FILENAME)

    def audit_since(self, since: str) -> list[dict[str, Any]]:
        """Every entry written at or after ``since`` (ISO date or time, UTC), for an
        auditor: with its chain hash, so the copy can be checked against the trail."""
        rows = self._rows(
            "SELECT id, at, event, screening_id, operator, detail_json, chain_hash"
            " FROM audit_log WHERE at >= ? ORDER BY id",
            [since],
        )
        for row in rows:
            row["detail"] = json.loads(row.pop("detail_json") or "{}")
        return rows

    def latest_event_time(self) -> datetime | None:
        """When the newest audit entry was written (UTC): every save writes one, so a
        clock now earlier than this has been set back."""
        rows = self._rows("SELECT max(at) AS at FROM audit_log", {})
        at = rows[0]["at"] if rows else None
        return datetime.fromisoformat(at) if at else None

    def audit_events(self, screening_id: str | None = None) -> list[dict[str, Any]]:
        """Audit entries in the order they were written (all, or one screening's)."""
        rows = self._rows(
            "SELECT id, at, event, screening_id, operator, detail_json FROM audit_log"
            " WHERE (:sid IS NULL OR screening_id = :sid) ORDER BY id",
            {"sid": screening_id},
        )
        for row in rows:
            row["detail"] = json.loads(row.pop("detail_json") or "{}")
        return rows
