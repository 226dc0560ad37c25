"""The site's figures per week, and the alerts they raise.

Why these figures: a model that was validated elsewhere can drift at a site without any
error showing (a new camera, a new population, a nurse who photographs differently).
What shows it: how many were screened, how many referred, how many eyes could not be
graded (overall and per operator: a training need shows there first), whether the
referable scores still look like the validation set's (population stability index,
PSI, and the Kolmogorov-Smirnov distance between the two distributions), how often the
reviewers who over-read kept the AI's decision (Cohen's kappa), and whether referred
patients were seen. Each figure is data; the page and the kiosk word it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from retiscreen.domain import DecisionKind, EyeStatus
from retiscreen.referrals import Referral, ReferralStatus

PHOTOGRAPHED = frozenset({EyeStatus.GRADED, EyeStatus.UNGRADABLE, EyeStatus.UNREADABLE})
NOT_GRADED = frozenset({EyeStatus.UNGRADABLE, EyeStatus.UNREADABLE})
REFERABLE = frozenset({DecisionKind.REFER, DecisionKind.URGENT})
MIN_EYES_FOR_DRIFT = 30
"""Fewer graded eyes in a week than this and its PSI is too noisy to alert on."""
MIN_REVIEWS_FOR_KAPPA = 20
"""Fewer over-reads in the period than this and agreement is not alerted on."""
MIN_EYES_PER_OPERATOR = 10
"""An operator's weekly ungradable rate alerts only over at least this many eyes."""
_EPSILON = 1e-4
"""Floor for an empty bin's share: PSI takes the log of each share."""


@dataclass(frozen=True)
class Reference:
    """The validation set's referable-score distribution (from the grader's card)."""

    edges: tuple[float, ...]
    """Bin edges from 0 to 1, len(shares) + 1 of them."""
    shares: tuple[float, ...]
    source: str

    @classmethod
    def from_card(cls, card: Mapping[str, Any]) -> Reference | None:
        found = card.get("score_reference")
        if not isinstance(found, Mapping):
            return None
        edges = tuple(float(e) for e in found["edges"])
        shares = tuple(float(s) for s in found["shares"])
        if len(edges) != len(shares) + 1 or not math.isclose(sum(shares), 1.0, abs_tol=1e-3):
            raise ValueError("the card's score_reference is inconsistent")
        return cls(edges, shares, str(found.get("source", "validation set")))

    def shares_of(self, scores: Sequence[float]) -> list[float]:
        """The share of ``scores`` in each of the reference's bins."""
        counts = [0] * len(self.shares)
        for score in scores:
            index = sum(1 for edge in self.edges[1:-1] if score >= edge)
            counts[index] += 1
        total = max(1, len(scores))
        return [count / total for count in counts]

    def psi(self, scores: Sequence[float]) -> float:
        """Population stability index of ``scores`` against the reference (0: the same;
        above 0.1 a moderate shift, above 0.25 a large one, by the usual reading)."""
        observed = self.shares_of(scores)
        return sum(
            (max(o, _EPSILON) - max(r, _EPSILON)) * math.log(max(o, _EPSILON) / max(r, _EPSILON))
            for o, r in zip(observed, self.shares, strict=True)
        )

    def ks(self, scores: Sequence[float]) -> float:
        """Largest gap between the two cumulative distributions at the bin edges."""
        observed = self.shares_of(scores)
        gap = running_o = running_r = 0.0
        for o, r in zip(observed, self.shares, strict=True):
            running_o, running_r = running_o + o, running_r + r
            gap = max(gap, abs(running_o - running_r))
        return gap


@dataclass(frozen=True)
class Thresholds:
    """When a figure raises an alert (``[monitor]`` settings)."""

    psi: float = 0.2
    ungradable: float = 0.10
    kappa: float = 0.6


@dataclass(frozen=True)
class Alert:
    """A figure past its threshold: ``figure`` is a key, ``value`` and ``limit`` numbers,
    ``week`` the ISO week (None: the whole period), ``operator`` when it is theirs."""

    figure: str
    value: float
    limit: float
    week: str | None = None
    operator: str | None = None


def iso_week(started_at: str) -> str:
    """'2026-W10' for a screening's recorded start."""
    year, week, _ = datetime.fromisoformat(started_at).isocalendar()
    return f"{year}-W{week:02d}"


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _graded_scores(eyes: Iterable[Mapping[str, Any]]) -> list[float]:
    """The referable scores of the graded eyes among ``eyes``."""
    return [
        float(e["referable_probability"])
        for e in eyes
        if e["status"] == EyeStatus.GRADED.value and e["referable_probability"] is not None
    ]


def _not_graded(rows: Iterable[Mapping[str, Any]], unit: str, rate: str) -> dict[str, Any]:
    """How many of ``rows`` (eyes or fields) were photographed and how many of those could
    not be graded, under ``<unit>s_photographed``, ``<unit>s_not_graded`` and ``rate``."""
    statuses = [EyeStatus(row["status"]) for row in rows]
    photographed = sum(s in PHOTOGRAPHED for s in statuses)
    not_graded = sum(s in NOT_GRADED for s in statuses)
    return {
        f"{unit}s_photographed": photographed,
        f"{unit}s_not_graded": not_graded,
        rate: _rate(not_graded, photographed),
    }


def _eye_figures(eyes: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return _not_graded(eyes, "eye", "ungradable_rate")


def _field_figures(fields: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """At a two-field site: photographs per field, and how many could not be graded. An
    eye counts as graded when one of its fields was, so only these show a photographer
    whose second field keeps failing."""
    return _not_graded(fields, "field", "field_ungradable_rate")


def weekly_figures(
    eyes: Sequence[Mapping[str, Any]],
    referrals: Sequence[Referral],
    reviews: Sequence[Mapping[str, Any]],
    reference: Reference | None,
    thresholds: Thresholds,
    today: date,
    fields: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Every figure, per ISO week and for the whole period, with the alerts raised;
    ``fields`` are the two-field eyes' fields (none at a one-field site)."""
    by_week: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for eye in eyes:
        by_week[iso_week(eye["started_at"])].append(eye)
    fields_by_week: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for field in fields:
        fields_by_week[iso_week(field["started_at"])].append(field)
    weeks = []
    alerts: list[Alert] = []
    for week in sorted(by_week):
        rows = by_week[week]
        decisions = {row["screening_id"]: DecisionKind(row["decision_kind"]) for row in rows}
        scores = _graded_scores(rows)
        figures: dict[str, Any] = {
            "week": week,
            "screened": len(decisions),
            "referred": sum(kind in REFERABLE for kind in decisions.values()),
            **_eye_figures(rows),
            "graded_eyes": len(scores),
        }
        figures["referral_rate"] = _rate(figures["referred"], figures["screened"])
        figures["per_operator"] = _per_operator(rows)
        if reference is not None and scores:
            figures["score_psi"] = round(reference.psi(scores), 4)
            figures["score_ks"] = round(reference.ks(scores), 4)
            if len(scores) >= MIN_EYES_FOR_DRIFT and figures["score_psi"] > thresholds.psi:
                alerts.append(Alert("score_psi", figures["score_psi"], thresholds.psi, week))
        rate = figures["ungradable_rate"]
        if rate is not None and rate > thresholds.ungradable:
            alerts.append(Alert("ungradable_rate", round(rate, 4), thresholds.ungradable, week))
        if fields_by_week[week]:
            figures.update(_field_figures(fields_by_week[week]))
            field_rate = figures["field_ungradable_rate"]
            if field_rate is not None and field_rate > thresholds.ungradable:
                alerts.append(
                    Alert(
                        "field_ungradable_rate", round(field_rate, 4), thresholds.ungradable, week
                    )
                )
        for operator, theirs in figures["per_operator"].items():
            mine = theirs["ungradable_rate"]
            enough = theirs["eyes_photographed"] >= MIN_EYES_PER_OPERATOR
            if enough and mine is not None and mine > thresholds.ungradable:
                alerts.append(
                    Alert("ungradable_rate", round(mine, 4), thresholds.ungradable, week, operator)
                )
        weeks.append(figures)
    agreement = agreement_figures(reviews)
    kappa = agreement["kappa"]
    enough = agreement["reviewed"] >= MIN_REVIEWS_FOR_KAPPA
    if kappa is not None and enough and kappa < thresholds.kappa:
        alerts.append(Alert("review_kappa", kappa, thresholds.kappa))
    follow_up = follow_up_figures(referrals)
    if follow_up["overdue"]:
        alerts.append(Alert("referrals_overdue", follow_up["overdue"], 0))
    all_scores = _graded_scores(eyes)
    period: dict[str, Any] = {
        "screened": len({e["screening_id"] for e in eyes}),
        **_eye_figures(eyes),
        "graded_eyes": len(all_scores),
        **(_field_figures(fields) if fields else {}),
    }
    if reference is not None and all_scores:
        period["score_psi"] = round(reference.psi(all_scores), 4)
        period["score_ks"] = round(reference.ks(all_scores), 4)
        period["score_shares"] = [round(s, 4) for s in reference.shares_of(all_scores)]
    return {
        "generated_on": today.isoformat(),
        "weeks": weeks,
        "period": period,
        "follow_up": follow_up,
        "over_read": agreement,
        "reference": None
        if reference is None
        else {"edges": list(reference.edges), "shares": list(reference.shares),
              "source": reference.source},
        "thresholds": {"psi": thresholds.psi, "ungradable": thresholds.ungradable,
                       "kappa": thresholds.kappa},
        "alerts": [alert.__dict__ for alert in alerts],
    }  # fmt: skip


def _per_operator(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    mine: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        mine[str(row["operator"])].append(row)
    return {operator: _eye_figures(theirs) for operator, theirs in sorted(mine.items())}


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Agreement between two raters beyond chance (1: always the same; 0: no better
    than chance); None without pairs."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(first[k] * second[k] for k in first) / (n * n)
    return 1.0 if chance == 1.0 else (observed - chance) / (1.0 - chance)


def agreement_figures(reviews: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """How often reviewers kept the AI's decision, and Cohen's kappa between the two."""
    pairs = [(str(r["ai_decision_kind"]), str(r["decision_kind"])) for r in reviews]
    kappa = cohen_kappa(pairs)
    return {
        "reviewed": len(pairs),
        "same_decision": sum(a == b for a, b in pairs),
        "kappa": None if kappa is None else round(kappa, 4),
    }


def follow_up_figures(referrals: Sequence[Referral]) -> dict[str, Any]:
    """How many referrals stand where."""
    counts = {status.value: 0 for status in ReferralStatus}
    for referral in referrals:
        counts[referral.status.value] += 1
    seen, closed = counts["attended"], counts["attended"] + counts["not_attended"]
    return {
        "referrals": len(referrals),
        **counts,
        "attended_rate": _rate(seen, closed),
    }


def monitor_figures(
    eyes: list[dict[str, Any]],
    referrals: list[Any],
    reviews: list[dict[str, Any]],
    card: dict[str, Any] | None,
    thresholds: Thresholds,
    today: date,
    fields: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """:func:`weekly_figures` with the reference taken from the grader's card."""
    reference = Reference.from_card(card) if card else None
    return weekly_figures(eyes, referrals, reviews, reference, thresholds, today, fields or ())
