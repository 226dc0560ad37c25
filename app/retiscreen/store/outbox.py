"""The durable outbox: every send to a clinic system is recorded before it is tried.

Why durable and unique: the PACS, the HL7 engine or the FHIR server may be down for
hours and the kiosk may be switched off meanwhile. An item written down first is never
lost; it stays 'pending' and is tried again with growing pauses until the peer accepts
it. One row per (screening, report, channel, destination) with its own message id, so
a retry sends the same objects (the same DICOM UIDs, the same HL7 message control ID)
and a peer never files a result twice. Every attempt is counted and audited.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from retiscreen.store.audit import record_event
from retiscreen.store.connection import StoreConnection
from retiscreen.store.files import StorageError
from retiscreen.store.values import utc_now

CHANNELS = ("dicom", "hl7", "fhir")
FIRST_PAUSE_S = 30.0
LONGEST_PAUSE_S = 3600.0


def pause_after(attempts: int) -> timedelta:
    """How long to wait after ``attempts`` failures: 30 s, 1 min, 2 min ... at most 1 h."""
    return timedelta(seconds=min(LONGEST_PAUSE_S, FIRST_PAUSE_S * 2 ** max(0, attempts - 1)))


class Outbox(StoreConnection):
    """The sends of a :class:`~retiscreen.store.db.ScreeningStore`."""

    def enqueue_send(
        self, screening_id: str, report_id: str, channel: str, destination: str, message_id: str
    ) -> dict[str, Any]:
        """The outbox item for this report, channel and destination: recorded now (due
        at once) or, when it already exists, the existing one (its message id kept)."""
        if channel not in CHANNELS:
            raise StorageError(f"Unknown channel {channel!r}.", reason="invalid")
        failure = f"the send of screening {screening_id} was NOT queued"
        with self._write(failure):
            existing = self._item_where(
                "screening_id = ? AND report_id = ? AND channel = ? AND destination = ?",
                [screening_id, report_id, channel, destination],
            )
            if existing:
                return existing[0]
            now = utc_now()
            cursor = self._db.execute(
                "INSERT INTO outbox (screening_id, report_id, channel, destination, message_id,"
                " next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [screening_id, report_id, channel, destination, message_id, now, now, now],
            )
            item_id = int(cursor.lastrowid or 0)
            record_event(
                self._db,
                "send_queued",
                screening_id,
                None,
                {"item_id": item_id, "channel": channel, "destination": destination},
            )
            return self._item_where("item_id = ?", [item_id])[0]

    def outbox_items(self, *, include_sent: bool = False) -> list[dict[str, Any]]:
        """Items still to be sent (and, on request, those sent), oldest first."""
        if include_sent:
            return self._items("1 = 1", [])
        return self._items("status = 'pending'", [])

    def due_sends(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Pending items whose pause after the last failure is over, oldest first."""
        moment = (now or datetime.now(UTC)).isoformat(timespec="microseconds")
        return self._items("status = 'pending' AND next_attempt_at <= ?", [moment])

    def failing_sends(self) -> list[dict[str, Any]]:
        """Pending items that have failed at least once: shown to the operator."""
        return self._items("status = 'pending' AND attempts > 0", [])

    def mark_send_result(self, item_id: int, ok: bool, error: str | None = None) -> None:
        """Record one attempt: 'sent', or still pending with the error and the time of
        the next attempt (:func:`pause_after`). An item already sent cannot be marked."""
        failure = f"the result of outbox item {item_id} was NOT recorded"
        with self._write(failure):
            rows = self._item_where("item_id = ?", [item_id])
            if not rows:
                raise StorageError(f"No outbox item {item_id}: {failure}.", reason="not_found")
            item = rows[0]
            if item["status"] == "sent":
                raise StorageError(f"Outbox item {item_id} is already sent.", reason="invalid")
            attempts = int(item["attempts"]) + 1
            now = datetime.now(UTC)
            due = now if ok else now + pause_after(attempts)
            message = None if ok else (error or "unknown error")
            self._db.execute(
                "UPDATE outbox SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?,"
                " updated_at = ? WHERE item_id = ?",
                [
                    "sent" if ok else "pending",
                    attempts,
                    message,
                    due.isoformat(timespec="microseconds"),
                    now.isoformat(timespec="microseconds"),
                    item_id,
                ],
            )
            detail: dict[str, Any] = {
                "item_id": item_id,
                "channel": item["channel"],
                "destination": item["destination"],
                "attempt": attempts,
            }
            if not ok:
                detail["error"] = message
            record_event(
                self._db, "sent" if ok else "send_failed", item["screening_id"], None, detail
            )

    def make_due(self) -> int:
        """Every pending item due now (an operator's "retry now"); how many there are."""
        with self._write("the outbox was NOT changed"):
            cursor = self._db.execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending'", [utc_now()]
            )
            return int(cursor.rowcount)

    def _items(self, where: str, params: list[Any]) -> list[dict[str, Any]]:
        return self._rows(f"SELECT * FROM outbox WHERE {where} ORDER BY item_id", params)

    def _item_where(self, where: str, params: list[Any]) -> list[dict[str, Any]]:
        return self._query(f"SELECT * FROM outbox WHERE {where} ORDER BY item_id", params)
