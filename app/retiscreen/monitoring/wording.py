"""Alerts in words, in any catalogue language (the kiosk's administration screen and
the monitor page share them)."""

from __future__ import annotations

from typing import Any

from retiscreen.catalogue import ENGLISH, Catalogue


def alert_sentence(alert: dict[str, Any], words: Catalogue = ENGLISH) -> str:
    """One sentence for an alert, in ``words``' language."""
    figure, value, limit = alert["figure"], alert["value"], alert["limit"]
    if figure in {"ungradable_rate", "field_ungradable_rate"}:
        shown = {"value": f"{value:.0%}", "limit": f"{limit:.0%}"}
    elif figure in {"score_psi", "review_kappa"}:
        shown = {"value": f"{value:.2f}", "limit": f"{limit:.2f}"}
    else:
        shown = {"value": str(int(value)), "limit": str(limit)}
    where = [words.text("monitor.week", week=alert["week"])] if alert.get("week") else []
    where += [str(alert["operator"])] if alert.get("operator") else []
    sentence = words.text(f"monitor.alert.{figure}", **shown)
    return f"{', '.join(where)}: {sentence}" if where else sentence
