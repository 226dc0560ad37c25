"""What the site monitor reads: one row per saved eye, with its screening's week data.

Why a query of its own: monitoring looks at every screening of a period at once (rates,
score distributions), so it reads the indexed columns only and never decodes a
photograph or parses a snapshot.
"""

from __future__ import annotations

from typing import Any

from retiscreen.store.connection import StoreConnection


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
