"""The durable print queue: every print request is recorded before it is sent.

Why durable: a kiosk printer runs out of paper, jams or is switched off, and the
program may be closed meanwhile. A request written down first is never lost; it stays
'pending' and is sent again until the printer confirms it or it has failed
``max_print_attempts`` times ('failed', which an operator can retry). Every attempt is
counted and audited.
"""

from __future__ import annotations

from typing import Any

from retiscreen.store.audit import record_event
from retiscreen.store.connection import StoreConnection
from retiscreen.store.files import StorageError
from retiscreen.store.values import utc_now


class PrintQueue(StoreConnection):
    """The print jobs of a :class:`~retiscreen.store.db.ScreeningStore`."""

    max_print_attempts: int
    """After this many failed attempts a job stops being retried (status 'failed')."""

    def enqueue_print(self, report_id: str, printer: str, copies: int) -> int:
        """Record a print request before sending it, so a crash cannot lose it.

        Returns the job id to pass to :meth:`mark_print_result`.
        """
        if not isinstance(copies, int) or isinstance(copies, bool) or copies < 1:
            raise StorageError(
                f"Cannot print {copies!r} copies: ask for at least one.", reason="invalid"
            )
        failure = f"the print request for report {report_id} was NOT recorded"
        with self._write(failure):
            reports = self._query(
                "SELECT screening_id FROM reports WHERE report_id = ?", [report_id]
            )
            if not reports:
                raise StorageError(
                    f"No report with id {report_id} is saved: {failure}.", reason="not_found"
                )
            now = utc_now()
            cursor = self._db.execute(
                "INSERT INTO print_jobs (report_id, printer, copies, status, attempts,"
                " created_at, updated_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)",
                [report_id, printer, copies, now, now],
            )
            job_id = int(cursor.lastrowid or 0)
            record_event(
                self._db,
                "print_queued",
                reports[0]["screening_id"],
                None,
                {"job_id": job_id, "report_id": report_id, "printer": printer, "copies": copies},
            )
        return job_id

    def pending_print_jobs(self) -> list[dict[str, Any]]:
        """Jobs not yet reported printed or failed, oldest first."""
        return self._jobs("pending")

    def failed_print_jobs(self) -> list[dict[str, Any]]:
        """Jobs that gave up after ``max_print_attempts``: kept, shown, retried by hand."""
        return self._jobs("failed")

    def _jobs(self, status: str) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT j.job_id, j.report_id, r.screening_id, j.printer, j.copies, j.status,"
            " j.attempts, j.last_error, j.created_at, j.updated_at"
            " FROM print_jobs j JOIN reports r ON r.report_id = j.report_id"
            " WHERE j.status = ? ORDER BY j.job_id",
            [status],
        )

    def print_job(self, job_id: int) -> dict[str, Any]:
        """One print job's current state."""
        rows = self._rows(
            "SELECT job_id, report_id, printer, copies, status, attempts, last_error,"
            " created_at, updated_at FROM print_jobs WHERE job_id = ?",
            [job_id],
        )
        if not rows:
            raise StorageError(f"No print job {job_id} exists.", reason="not_found")
        return rows[0]

    def mark_print_result(self, job_id: int, ok: bool, error: str | None = None) -> None:
        """Record what the printer did with one attempt at a job (counted and audited).

        ``ok=True`` marks the job 'printed' and stamps the report's ``printed_at`` and
        ``printer``. ``ok=False`` records ``error``; the job stays 'pending' (to be sent
        again when the printer is back) until it has failed ``max_print_attempts``
        times, then becomes 'failed'. A job already printed cannot be marked again.
        """
        failure = f"the result of print job {job_id} was NOT recorded"
        with self._write(failure):
            rows = self._query(
                "SELECT j.report_id, j.printer, j.status, j.attempts, r.screening_id"
                " FROM print_jobs j JOIN reports r ON r.report_id = j.report_id"
                " WHERE j.job_id = ?",
                [job_id],
            )
            if not rows:
                raise StorageError(f"No print job {job_id} exists: {failure}.", reason="not_found")
            job = rows[0]
            if job["status"] == "printed":
                raise StorageError(
                    f"Print job {job_id} is already recorded as printed: {failure}.",
                    reason="invalid",
                )
            attempts = int(job["attempts"]) + 1
            if ok:
                status = "printed"
            else:
                status = "failed" if attempts >= self.max_print_attempts else "pending"
            message = None if ok else (error or "unknown error")
            now = utc_now()
            self._db.execute(
                "UPDATE print_jobs SET status = ?, attempts = ?, last_error = ?,"
                " updated_at = ? WHERE job_id = ?",
                [status, attempts, message, now, job_id],
            )
            if ok:
                self._db.execute(
                    "UPDATE reports SET printed_at = ?, printer = ? WHERE report_id = ?",
                    [now, job["printer"], job["report_id"]],
                )
            detail: dict[str, Any] = {
                "job_id": job_id,
                "report_id": job["report_id"],
                "printer": job["printer"],
                "attempt": attempts,
                "status": status,
            }
            if not ok:
                detail["error"] = message
            record_event(
                self._db,
                "report_printed" if ok else "print_failed",
                job["screening_id"],
                None,
                detail,
            )

    def retry_print(self, job_id: int) -> None:
        """Put a job that gave up ('failed') back in the queue for one more attempt."""
        failure = f"print job {job_id} was NOT queued again"
        with self._write(failure):
            rows = self._query(
                "SELECT j.status, j.report_id, r.screening_id"
                " FROM print_jobs j LEFT JOIN reports r ON r.report_id = j.report_id"
                " WHERE j.job_id = ?",
                [job_id],
            )
            if not rows or rows[0]["status"] != "failed":
                raise StorageError(
                    f"Print job {job_id} is not a failed job: {failure}.", reason="invalid"
                )
            self._db.execute(
                "UPDATE print_jobs SET status = 'pending', updated_at = ? WHERE job_id = ?",
                [utc_now(), job_id],
            )
            record_event(
                self._db,
                "print_retried",
                rows[0]["screening_id"],
                None,
                {"job_id": job_id, "report_id": rows[0]["report_id"]},
            )
