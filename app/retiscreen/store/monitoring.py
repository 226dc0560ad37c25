"""What the site monitor reads: one row per saved eye, with its screening's week data.

Why a query of its own: monitoring looks at every screening of a period at once (rates,
score distributions), so it reads the indexed columns only and never decodes a
photograph or parses a snapshot.
"""

from __future__ import annotations

from typing import Any

from retiscreen.store.connection import StoreConnection
from retiscreen.store.reviews import LATEST_REVIEW


class MonitoringRows(StoreConnection):
    """The monitor's view of a :class:`~retiscreen.store.db.ScreeningStore`."""

    def eyes_since(self, since: str | None = None) -> list[dict[str, Any]]:
        """Every saved eye screened at or after ``since`` (ISO date, UTC), oldest first:
        ``screening_id``, ``started_at`` (local, as recorded), ``operator``,
        ``decision_kind``, ``laterality``, ``status``, ``referable_probability``."""
        return self._rows(
            "SELECT s.screening_id, s.started_at, s.operator, s.decision_kind,"
            " e.laterality, e.status, e.referable_probability"
            " FROM screenings s JOIN eye_images e ON e.screening_id = s.screening_id"
            " WHERE (:since IS NULL OR s.started_at_utc >= :since)"
            " ORDER BY s.started_at_utc, s.screening_id, e.laterality",
            {"since": since},
        )

    def fields_since(self, since: str | None = None) -> list[dict[str, Any]]:
        """Every field of the two-field eyes screened at or after ``since``, oldest first:
        ``screening_id``, ``started_at``, ``operator``, ``laterality``, ``view``,
        ``status``. The eye's own row says only what its deciding field showed; a
        photographer's ungradable macula field shows here."""
        return self._rows(
            "SELECT s.screening_id, s.started_at, s.operator, f.laterality, f.view, f.status"
            " FROM screenings s JOIN field_images f ON f.screening_id = s.screening_id"
            " WHERE (:since IS NULL OR s.started_at_utc >= :since)"
            " ORDER BY s.started_at_utc, s.screening_id, f.laterality, f.view",
            {"since": since},
        )

    def reviews_since(self, since: str | None = None) -> list[dict[str, Any]]:
        """The newest over-read of each screening screened at or after ``since``:
        ``screening_id``, ``started_at``, ``ai_decision_kind``, ``decision_kind``."""
        return self._rows(
            "SELECT s.screening_id, s.started_at, r.ai_decision_kind, r.decision_kind"
            " FROM screenings s JOIN reviews r ON r.review_id = "
            + LATEST_REVIEW
            + " WHERE (:since IS NULL OR s.started_at_utc >= :since)"
            " ORDER BY s.started_at_utc, s.screening_id",
            {"since": since},
        )
