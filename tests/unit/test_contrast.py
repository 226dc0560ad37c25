"""Every text colour on its background meets WCAG 2.x AA (contrast ≥ 4.5:1): the kiosk
stylesheet rule by rule (with the colours each rule inherits) and the traffic-light
colours the screen and the paper report share. Disabled controls are exempt (WCAG
1.4.3), so ``:disabled`` rules are left out."""

from __future__ import annotations

import re

import pytest

from retiscreen.palette import DECISION_COLOURS
from retiscreen.ui import theme

AA = 4.5
CONTAINERS = {"QFrame#header", "QFrame#keyboard", 'QFrame[role="card"]'}
"""Frames that draw no text of their own: their labels and keys are checked on them."""


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB``."""
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rules() -> dict[str, dict[str, str]]:
    """Selector → declared ``color`` / ``background`` of the kiosk stylesheet."""
    sheet = theme.stylesheet(22)
    found: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", sheet):
        declared = dict(re.findall(r"(?<![-\w])(color|background)\s*:\s*(#[0-9A-Fa-f]{6})", body))
        for selector in (s.strip() for s in selectors.split(",")):
            found.setdefault(selector, {}).update(declared)
    return found


def _inherited(selector: str, prop: str, sheet: dict[str, dict[str, str]]) -> str:
    """What ``prop`` is for ``selector``: its own rule, else the rule without its last
    pseudo-state or attribute, else (a descendant selector) its container's; the
    application's ink on paper at the root."""
    while selector:
        if prop in sheet.get(selector, {}):
            return sheet[selector][prop]
        shorter = re.sub(r"(:[a-z-]+|\[[^\]]*\]|::[a-z-]+)$", "", selector)
        if shorter == selector:
            if " " not in selector:
                break
            container, _, widget = selector.rpartition(" ")
            own = sheet.get(widget, {}).get(prop)
            if own and prop == "color":
                return own
            shorter = container
        selector = shorter
    return theme.INK if prop == "color" else theme.PAPER


def text_pairs() -> list[tuple[str, str, str]]:
    sheet = rules()
    pairs = []
    for selector, declared in sheet.items():
        if ":disabled" in selector or selector in CONTAINERS or not declared:
            continue
        text = _inherited(selector, "color", sheet)
        pairs.append((selector, text, _inherited(selector, "background", sheet)))
    return pairs


@pytest.mark.parametrize(("selector", "text", "background"), text_pairs())
def test_every_stylesheet_rule_is_readable(selector: str, text: str, background: str) -> None:
    assert contrast(text, background) >= AA, (selector, text, background)


@pytest.mark.parametrize("kind", list(DECISION_COLOURS))
def test_every_traffic_light_colour_is_readable(kind: object) -> None:
    background, text = DECISION_COLOURS[kind]  # type: ignore[index]
    assert contrast(text, background) >= AA, (kind, text, background)


def test_the_check_itself_tells_good_from_bad() -> None:
    assert round(contrast("#FFFFFF", "#000000"), 1) == 21.0
    assert contrast("#E8590C", "#FFFFFF") < AA  # the old REFER orange: 3.58
    assert len(text_pairs()) > 20
    assert ("QFrame#header QLabel", "#FFFFFF", theme.PRIMARY) in text_pairs()
