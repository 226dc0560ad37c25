"""The audit log: an append-only trace of what happened to which screening, and when.

Why append-only and written in the same transaction as the change: an audit trail is
only worth something if it cannot be edited afterwards and cannot disagree with the
records. Triggers (see :mod:`retiscreen.store.schema`) forbid changing or deleting an
entry, and every save, report and print writes its entry with :func:`record_event`
inside its own transaction, so the record and its trace commit together or not at all.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from retiscreen.store.connection import StoreConnection
from retiscreen.store.values import canonical_json, utc_now


def record_event(
    db: sqlite_utils.Database,
    event: str,
    screening_id: str | None,
    operator: str | None,
    detail: dict[str, Any],
) -> None:
    """Append one entry, inside the caller's write transaction."""
    db.execute(
        "INSERT INTO audit_log (at, event, screening_id, operator, detail_json) "
        "VALUES (?, ?, ?, ?, ?)",
        [utc_now(), event, screening_id, operator, canonical_json(detail)],
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
