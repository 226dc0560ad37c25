"""The history screen's list of saved screenings, and the CSV export of all of them.

Why the export is audited and defused: it carries patient data out of the kiosk, so
leaving a trace is required; and it is opened in spreadsheets, which would run a cell
starting with ``=`` as a formula, so such text is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from retiscreen.store.audit import AuditLog
from retiscreen.store.files import atomic_write
from retiscreen.store.reviews import LATEST_REVIEW

# One CSV row per screening (s) and eye (e), with its patient (p); the header is the
# column names without the table letter.
_CSV_SOURCES = (
    "s.screening_id", "s.started_at", "s.saved_at", "s.patient_id", "p.name",
    "p.date_of_birth", "p.sex", "s.operator", "s.site", "s.decision_urgency",
    "s.decision_headline", "s.decision_kind", "e.laterality", "e.gradable", "e.quality_score",
    "e.quality_reasons", "e.grade", "e.referable_probability", "e.error",
    "e.skipped_reason", "e.status", "e.stored_file", "e.sha256", "s.model_name", "s.model_version",
    "s.model_sha256", "s.provider",
    # the over-read in force (empty when never reviewed): the AI's values above stay
    "r.final_decision_kind", "r.reviewed_grade", "r.review_outcome", "r.reviewer",
    "r.reviewed_at", "r.review_reason", "r.review_id",
)  # fmt: skip
_CSV_COLUMNS = tuple(source.partition(".")[2] for source in _CSV_SOURCES)
# The newest review of each screening, its columns named as the CSV header says.
_REVIEW_JOIN = (
    "LEFT JOIN (SELECT review_id, decision_kind AS final_decision_kind,"
    " outcome AS review_outcome, reviewer, reviewed_at, reason AS review_reason,"
    " grade_right, grade_left FROM reviews) rv ON rv.review_id = " + LATEST_REVIEW
)


class ScreeningHistory(AuditLog):
    """Listing and exporting the screenings of a :class:`~retiscreen.store.db.ScreeningStore`."""

    def history(
        self, limit: int = 100, patient_id: str | None = None, search: str | None = None
    ) -> list[dict[str, Any]]:
        """Saved screenings, newest first, for the history screen.

        ``search`` matches (case-insensitively for ASCII) anywhere in the patient id,
        patient name or screening id; '%' and '_' are matched literally.
        """
        pattern = None
        if search:
            escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{escaped}%"
        return self._rows(
            "SELECT s.screening_id, s.started_at, s.patient_id, p.name,"
            " s.decision_headline, s.decision_kind, s.decision_urgency AS urgency,"
            " rv.final_decision_kind AS review_decision_kind, rv.review_outcome"
            f" FROM screenings s JOIN patients p ON p.patient_id = s.patient_id {_REVIEW_JOIN}"
            " WHERE (:pid IS NULL OR s.patient_id = :pid)"
            " AND (:pattern IS NULL OR s.patient_id LIKE :pattern ESCAPE '\\'"
            "      OR p.name LIKE :pattern ESCAPE '\\'"
            "      OR s.screening_id LIKE :pattern ESCAPE '\\')"
            " ORDER BY s.started_at_utc DESC, s.saved_at DESC, s.screening_id DESC"
            " LIMIT :limit",
            {"pid": patient_id, "pattern": pattern, "limit": max(0, int(limit))},
        )

    def export_csv(self, path: Path) -> int:
        """Write one row per screening and eye to ``path`` (atomically); return the row count.
        Each row carries the AI's result and, beside it, the over-read in force.

        Text that a spreadsheet would run as a formula (starting with = + - @ or a
        tab/CR) is prefixed with an apostrophe. The export is audited (it holds
        patient data).
        """
        sources = [_source(column) for column in _CSV_SOURCES]
        rows = self._rows(
            f"SELECT {', '.join(sources)}"
            " FROM screenings s JOIN patients p ON p.patient_id = s.patient_id"
            f" {_REVIEW_JOIN}"
            " LEFT JOIN eye_images e ON e.screening_id = s.screening_id"
            " ORDER BY s.started_at_utc, s.screening_id, e.laterality DESC"
        )
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(_CSV_COLUMNS)
        for row in rows:
            writer.writerow([_defused(row[column]) for column in _CSV_COLUMNS])
        atomic_write(Path(path), buffer.getvalue().encode("utf-8-sig"), what="the export")
        self.audit("csv_exported", path=str(path), rows=len(rows))
        return len(rows)


def _source(column: str) -> str:
    """The SQL for one CSV column (the review's come from the newest review)."""
    table, _, name = column.partition(".")
    if table != "r":
        return column
    if name == "reviewed_grade":
        return (
            "CASE e.laterality WHEN 'right' THEN rv.grade_right"
            " WHEN 'left' THEN rv.grade_left END AS reviewed_grade"
        )
    return f"rv.{name} AS {name}"


def _defused(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, made plain text with an apostrophe."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value
