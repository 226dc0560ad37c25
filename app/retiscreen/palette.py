"""The traffic light, one place for the screen and the paper: decision kind → colours.

The word beside the colour (:meth:`retiscreen.catalogue.Catalogue.decision_word`) keeps
the meaning for colour-blind readers and on a black-and-white printer.
"""

from __future__ import annotations

from retiscreen.domain import DecisionKind

DECISION_COLOURS: dict[DecisionKind, tuple[str, str]] = {
    DecisionKind.ROUTINE: ("#1E7B34", "#FFFFFF"),  # green
    DecisionKind.EXAMINE: ("#F2B200", "#111111"),  # amber
    DecisionKind.UNAVAILABLE: ("#F2B200", "#111111"),  # amber: an examination too
    DecisionKind.REFER: ("#C2410C", "#FFFFFF"),  # orange, dark enough for white text (5.2:1)
    DecisionKind.URGENT: ("#C8102E", "#FFFFFF"),  # red
}
"""(background, text) per decision kind; every pair meets WCAG AA (≥ 4.5:1, a test)."""
