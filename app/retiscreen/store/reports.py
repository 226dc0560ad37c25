"""The exact PDF reports handed to patients, kept for reprinting and for the record.

Why keep the PDF and not just re-render it: a reprint must be the document the patient
was given, byte for byte, even after the report layout or the wording has changed. The
file is written before its row commits, is never overwritten, and is checked against
its recorded sha256 before it is read or handed to a printer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from retiscreen.store.audit import record_event
from retiscreen.store.connection import StoreConnection
from retiscreen.store.files import StorageError
from retiscreen.store.values import checked_id, sha256_hex, utc_now


class ReportArchive(StoreConnection):
    """The reports of a :class:`~retiscreen.store.db.ScreeningStore`."""

    def add_report(
        self,
        screening_id: str,
        report_id: str,
        pdf: bytes,
        verification_code: str,
        vouches: Mapping[str, Any] | None = None,
        review_id: str | None = None,
    ) -> Path:
        """Keep the exact PDF handed to the patient, with the content its verification
        code vouches for and the review it shows (None: the AI result); return where it
        was written.

        The file is written (atomically) before its row commits; an existing report is
        never overwritten (a duplicate ``report_id`` raises StorageError).
        """
        sid = checked_id(screening_id, "screening id")
        rid = checked_id(report_id, "report id")
        directory = self.reports_dir / sid
        target = directory / f"{rid}.pdf"
        with self._write(f"the report {rid} was NOT saved") as files:
            if not self._exists("SELECT 1 FROM screenings WHERE screening_id = ?", [sid]):
                raise StorageError(
                    f"No screening with id {sid} is saved, so the report {rid} was NOT "
                    "saved. Save the screening first.",
                    reason="not_found",
                )
            if self._exists("SELECT 1 FROM reports WHERE report_id = ?", [rid]):
                raise StorageError(
                    f"A report with id {rid} already exists; it was NOT overwritten.",
                    reason="duplicate",
                )
            if review_id is not None and not self._exists(
                "SELECT 1 FROM reviews WHERE review_id = ? AND screening_id = ?", [review_id, sid]
            ):
                raise StorageError(
                    f"The review {review_id} is not a review of screening {sid}, so the "
                    f"report {rid} was NOT saved.",
                    reason="invalid",
                )
            files.make_directory(directory, what=f"the report {rid}")
            files.write(target, self._sealed(target, pdf), what=f"the report {rid}")
            digest = sha256_hex(pdf)
            self._db.execute(
                "INSERT INTO reports (report_id, screening_id, file, sha256,"
                " verification_code, created_at, vouches_json, review_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [rid, sid, target.relative_to(self.root).as_posix(), digest,
                 verification_code, utc_now(),
                 json.dumps(vouches, ensure_ascii=False) if vouches is not None else None,
                 review_id],
            )  # fmt: skip
            record_event(
                self._db,
                "report_created",
                sid,
                None,
                {
                    "report_id": rid,
                    "sha256": digest,
                    "verification_code": verification_code,
                    **({"review_id": review_id} if review_id is not None else {}),
                },
            )
        return target

    def screenings_without_report(self, saved_before: str) -> list[str]:
        """Screenings saved (before ``saved_before``, ISO UTC) that have no report: the
        program stopped, or the disk filled, between saving and writing the report."""
        rows = self._rows(
            "SELECT s.screening_id FROM screenings s WHERE s.saved_at < ? AND NOT EXISTS"
            " (SELECT 1 FROM reports r WHERE r.screening_id = s.screening_id)"
            " ORDER BY s.saved_at",
            [saved_before],
        )
        return [row["screening_id"] for row in rows]

    def reports_for(self, screening_id: str) -> list[dict[str, Any]]:
        """Reports of one screening, oldest first."""
        rows = self._rows(
            "SELECT report_id, screening_id, file, sha256, verification_code, created_at,"
            " printed_at, printer, review_id FROM reports WHERE screening_id = ?"
            " ORDER BY created_at, report_id",
            [screening_id],
        )
        return rows

    def reports_with_code(self, verification_code: str) -> list[dict[str, Any]]:
        """The reports printed with this code (normally one), with what each vouches for
        (``vouches``, None for a report from before version 2)."""
        rows = self._rows(
            "SELECT report_id, screening_id, verification_code, created_at, vouches_json"
            " FROM reports WHERE verification_code = ? ORDER BY created_at",
            [verification_code],
        )
        for row in rows:
            raw = row.pop("vouches_json")
            try:
                row["vouches"] = json.loads(raw) if raw else None
            except ValueError:
                row["vouches"] = {}  # damaged: matches no code
        return rows

    def read_report(self, report_id: str) -> bytes:
        """The stored PDF, decrypted and verified against its recorded sha256: what is
        printed, exported and sent. It never lies on disk in the clear. A missing or
        changed report raises StorageError instead of being printed."""
        rows = self._rows("SELECT file, sha256 FROM reports WHERE report_id = ?", [report_id])
        if not rows:
            raise StorageError(f"No report with id {report_id} is saved.", reason="not_found")
        what = f"the report {report_id}"
        data = self._read_stored(str(rows[0]["file"]), what)
        if sha256_hex(data) != rows[0]["sha256"]:
            raise StorageError(
                f"The stored file of {what} has been changed or damaged (its fingerprint no "
                "longer matches). Do not print it; call IT.",
                reason="corrupt",
            )
        return data
