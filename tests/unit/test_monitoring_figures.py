"""The site monitor's figures: weekly rates, drift against a reference distribution,
alerts only past their threshold and over enough eyes."""

from __future__ import annotations

import random
from datetime import date

import pytest

from retiscreen.monitoring.figures import (
    MIN_EYES_FOR_DRIFT,
    MIN_REVIEWS_FOR_KAPPA,
    Reference,
    Thresholds,
    cohen_kappa,
    follow_up_figures,
    iso_week,
    weekly_figures,
)
from retiscreen.monitoring.wording import alert_sentence

EDGES = tuple(i / 10 for i in range(11))
FLAT = Reference(EDGES, (0.1,) * 10, "test")


def eye(sid: str, day: str, status: str, score: float | None, operator: str = "nurse",
        kind: str = "routine") -> dict[str, object]:  # fmt: skip
    return {"screening_id": sid, "started_at": f"{day}T10:00:00+01:00", "operator": operator,
            "decision_kind": kind, "laterality": "right", "status": status,
            "referable_probability": score}  # fmt: skip


def test_psi_and_ks_are_zero_for_the_same_distribution_and_grow_with_a_shift() -> None:
    same = [i / 100 + 0.005 for i in range(100)]
    assert FLAT.psi(same) == pytest.approx(0.0, abs=1e-9)
    assert FLAT.ks(same) == pytest.approx(0.0, abs=1e-9)
    low = [random.Random(n).uniform(0, 0.3) for n in range(200)]  # everything near 0
    assert FLAT.psi(low) > 1.0 and FLAT.ks(low) > 0.6
    assert FLAT.shares_of([0.0, 0.999, 1.0]) == pytest.approx([1 / 3] + [0.0] * 8 + [2 / 3])


def test_a_card_reference_must_add_up() -> None:
    card = {"score_reference": {"edges": [0, 0.5, 1], "shares": [0.7, 0.3], "source": "IDRiD"}}
    reference = Reference.from_card(card)
    assert reference is not None and reference.source == "IDRiD"
    assert Reference.from_card({}) is None
    with pytest.raises(ValueError, match="inconsistent"):
        Reference.from_card({"score_reference": {"edges": [0, 0.5, 1], "shares": [0.7, 0.7]}})


def test_weekly_rates_per_operator_and_the_alerts_they_raise() -> None:
    rows = [eye(f"A{i}", "2026-03-02", "graded", 0.05 + i / 100) for i in range(12)]
    rows += [eye("B1", "2026-03-03", "ungradable", None, "temp"),
             eye("B2", "2026-03-03", "graded", 0.9, "temp", "refer")]  # fmt: skip
    rows += [eye(f"C{i}", "2026-03-10", "ungradable" if i < 4 else "graded", 0.2, "temp")
             for i in range(10)]  # fmt: skip
    figures = weekly_figures(
        rows, [], [], FLAT, Thresholds(psi=0.2, ungradable=0.10), date(2026, 4, 1)
    )
    first, second = figures["weeks"]
    assert first["week"] == "2026-W10" and second["week"] == "2026-W11"
    assert (first["screened"], first["referred"]) == (14, 1)
    assert first["referral_rate"] == pytest.approx(1 / 14)
    assert first["ungradable_rate"] == pytest.approx(1 / 14)
    assert first["per_operator"]["temp"]["ungradable_rate"] == pytest.approx(0.5)
    assert second["ungradable_rate"] == pytest.approx(0.4)
    alerts = [(a["figure"], a["week"], a["operator"]) for a in figures["alerts"]]
    # week 10: 7% overall is fine, and "temp" had only 2 eyes: no alert for them
    assert alerts == [
        ("ungradable_rate", "2026-W11", None),
        ("ungradable_rate", "2026-W11", "temp"),
    ]
    assert first["graded_eyes"] < MIN_EYES_FOR_DRIFT and "score_psi" in first  # shown, no alert
    assert figures["period"]["screened"] == 24


def test_at_a_two_field_site_an_ungradable_field_is_counted_and_alerts() -> None:
    """Both eyes graded (from their disc fields) while the macula fields fail: the eyes'
    rate stays 0, the fields' rate shows it; a one-field site has no field figures."""
    rows = [eye(f"F{i}", "2026-03-02", "graded", 0.1) for i in range(5)]
    fields = [
        {**row, "view": view, "status": "graded" if view == "disc" or i < 3 else "ungradable"}
        for i, row in enumerate(rows)
        for view in ("disc", "macula")
    ]
    figures = weekly_figures(
        rows, [], [], None, Thresholds(ungradable=0.10), date(2026, 4, 1), fields
    )
    (week,) = figures["weeks"]
    assert week["ungradable_rate"] == 0.0
    assert (week["fields_photographed"], week["fields_not_graded"]) == (10, 2)
    assert week["field_ungradable_rate"] == pytest.approx(0.2)
    (alert,) = figures["alerts"]
    assert (alert["figure"], alert["week"]) == ("field_ungradable_rate", "2026-W10")
    assert alert_sentence(alert).startswith("Week 2026-W10: 20% of the fields photographed")
    one_field = weekly_figures(rows, [], [], None, Thresholds(), date(2026, 4, 1))
    assert "field_ungradable_rate" not in one_field["weeks"][0]
    assert "fields_photographed" not in one_field["period"]


def test_drift_alerts_only_over_enough_eyes() -> None:
    rows = [eye(f"D{i}", "2026-03-02", "graded", 0.01) for i in range(MIN_EYES_FOR_DRIFT)]
    figures = weekly_figures(rows, [], [], FLAT, Thresholds(), date(2026, 4, 1))
    (alert,) = figures["alerts"]
    assert alert["figure"] == "score_psi" and alert["value"] > 2
    assert "drifted" in alert_sentence(alert) and alert_sentence(alert).startswith("Week 2026-W10")
    fewer = weekly_figures(rows[:-1], [], [], FLAT, Thresholds(), date(2026, 4, 1))
    assert fewer["alerts"] == []
    without = weekly_figures(rows, [], [], None, Thresholds(), date(2026, 4, 1))
    assert without["alerts"] == [] and "score_psi" not in without["weeks"][0]


def test_follow_up_counts_and_iso_weeks() -> None:
    assert follow_up_figures([])["attended_rate"] is None
    assert iso_week("2026-01-01T09:00:00+01:00") == "2026-W01"
    assert iso_week("2024-12-30T09:00:00") == "2025-W01"


def test_cohen_kappa_and_the_agreement_alert() -> None:
    assert cohen_kappa([]) is None
    assert cohen_kappa([("refer", "refer"), ("routine", "routine")]) == pytest.approx(1.0)
    assert cohen_kappa([("refer", "refer")] * 3) == pytest.approx(1.0)
    # the textbook case: 20/50 yes-yes, 15 no-no, 5 and 10 discordant -> kappa 0.4
    pairs = [("y", "y")] * 20 + [("n", "n")] * 15 + [("y", "n")] * 5 + [("n", "y")] * 10
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    reviews = [{"ai_decision_kind": a, "decision_kind": b} for a, b in pairs]
    figures = weekly_figures([], [], reviews, None, Thresholds(kappa=0.6), date(2026, 4, 1))
    assert figures["over_read"] == {"reviewed": 50, "same_decision": 35, "kappa": 0.4}
    assert [a["figure"] for a in figures["alerts"]] == ["review_kappa"]
    few = reviews[: MIN_REVIEWS_FOR_KAPPA - 1]
    assert weekly_figures([], [], few, None, Thresholds(), date(2026, 4, 1))["alerts"] == []


def test_the_shipped_grader_card_carries_a_decile_reference() -> None:
    """The bundled card's score_reference (training/score_reference.py) is usable: ten
    rising bins from 0 to 1, a tenth of the reference each."""
    import json

    from retiscreen.settings import bundled_dir

    card = json.loads((bundled_dir("models") / "grader.card.json").read_text())
    reference = Reference.from_card(card)
    assert reference is not None and "never trained on" in reference.source
    assert reference.edges[0] == 0.0 and reference.edges[-1] == 1.0
    assert list(reference.edges) == sorted(set(reference.edges))
    assert all(abs(share - 0.1) < 0.01 for share in reference.shares)
