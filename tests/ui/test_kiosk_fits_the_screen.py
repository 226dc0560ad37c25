"""Every page, and every administration tab, at the two panel sizes kiosks come with
(#13 item 7): every button and text box must lie inside the window (or inside a scroll
area that brings it into view), or a nurse cannot reach it.

A control also fails when a squeezed layout draws it over another one. Every page fits
both sizes. The last three to fit 1024×600 (minimum heights from Qt, the page area being
554 px under the header; measured 2026-12-07): HomePage 604 → 448 px (status lines in a
scrolling column beside the start button), SignInPage 659 → 508 px (everything beside
the keypad), OverreadPage 739 → 506 px (no footer row; 512 px with a screening open).
A page is also measured with a real result in it, where the empty page would hide
that its words no longer fit (ResultPage: 706 px; now its eye cards scroll, 454 px).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QScrollArea,
    QTabBar,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from retiscreen.domain import Laterality, Patient
from retiscreen.pipeline import Pipeline
from retiscreen.report.printing import PrinterProblem
from retiscreen.service import PrintOutcome
from retiscreen.settings import Settings, bundled_dir
from retiscreen.ui import screening_job as job
from retiscreen.ui.keyboard import OnScreenKeyboard
from retiscreen.ui.pages.base import Page
from retiscreen.ui.window import KioskWindow
from tests.support.images import DEMO_IMAGE

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)


def _inside_a_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__} {getattr(widget, 'text', lambda: '')()!r}"


def out_of_reach(window: KioskWindow, page: QWidget) -> list[str]:
    """The visible controls of ``page`` that stick out of the window, or that a squeezed
    layout has drawn over one another (the screen keyboard docks over its page on
    purpose, so its keys are left out)."""
    frame = QRect(window.mapToGlobal(QPoint(0, 0)), window.size())
    placed: list[tuple[QWidget, QRect]] = []
    found = []
    for widget in page.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisibleTo(window):
            continue
        if _inside_a_scroll_area(widget) or isinstance(widget.parentWidget(), OnScreenKeyboard):
            continue
        if not isinstance(widget.parentWidget(), QTabBar):  # its scroll arrows sit on tabs
            area = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
            if not frame.contains(area):
                found.append(f"{_name(widget)} outside")
            found += [
                f"{_name(widget)} over {_name(other)}"
                for other, where in placed
                if where.intersects(area)
                and not other.isAncestorOf(widget)
                and not widget.isAncestorOf(other)
            ]
            placed.append((widget, area))
    return found


def views(window: KioskWindow) -> Iterator[tuple[str, Page]]:
    """Each page shown in turn; the administration page once per tab."""
    for page in window.pages:
        window.stack.setCurrentWidget(page)
        tabs = page.findChildren(QTabWidget)
        if not tabs:
            QApplication.processEvents()
            yield type(page).__name__, page
            continue
        for index in range(tabs[0].count()):
            tabs[0].setCurrentIndex(index)
            QApplication.processEvents()
            yield f"{type(page).__name__}:{tabs[0].tabText(index)}", page


@pytest.mark.parametrize("size", [(1280, 800), (1024, 600)], ids=["1280x800", "1024x600"])
def test_every_control_is_within_reach(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    size: tuple[int, int],
) -> None:
    window = open_kiosk(make_settings())
    window.setFixedSize(*size)
    qtbot.wait(50)
    problems = {name: out_of_reach(window, page) for name, page in views(window)}
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_window_itself_fits_the_small_panel(
    qtbot: QtBot, open_kiosk: Callable[..., KioskWindow], make_settings: Callable[..., Settings]
) -> None:
    """Not only under setFixedSize: the window's own minimum (what a full-screen kiosk
    gets at most squeezed to) is within 1024×600, so no page runs off the panel's bottom."""
    window = open_kiosk(make_settings())
    for page in window.pages:  # the tallest page must not count either
        window.stack.setCurrentWidget(page)
        QApplication.processEvents()
        assert window.minimumSizeHint().height() <= 600, type(page).__name__
    window.resize(1024, 600)
    qtbot.wait(50)
    assert (window.width(), window.height()) == (1024, 600)


@pytest.mark.parametrize("size", [(1280, 800), (1024, 600)], ids=["1280x800", "1024x600"])
def test_a_real_result_is_not_squeezed(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    pipeline: Pipeline,
    size: tuple[int, int],
) -> None:
    """The result of a real screening (the long texts of an urgent referral, macular
    oedema, both heatmaps) fits above its minimum height: squeezed, its words were
    drawn over the photographs. The eye cards scroll instead."""
    control = bundled_dir("assets") / "controls" / "positive_idrid_239.jpg"
    eyes = pipeline.assess_eyes([(Laterality.RIGHT, control), (Laterality.LEFT, DEMO_IMAGE)])
    screening = pipeline.screen(
        Patient("P-FIT-1", "Maria Fit", None, "F"), {e.laterality: e for e in eyes}, "nurse", "s"
    )
    window = open_kiosk(make_settings())
    recorded = window.ctx.service.record(screening)
    window.setFixedSize(*size)
    page = window.result
    window.stack.setCurrentWidget(page)
    page.show_outcome(job.Outcome(screening, recorded))
    qtbot.wait(50)
    assert page.minimumSizeHint().height() <= page.height()
    assert out_of_reach(window, page) == []
    assert all(card.heatmap.has_image for card in page.cards.values())
    # Not printed, with the longest printer message: the decision's advice stays whole
    # (the save's confirmation goes at the head of the printing line).
    unprinted = PrintOutcome(
        False,
        "Printer 'retiscreen-no-such-printer' is not available (not found). Check the printer "
        "name in the settings. The report is saved and will be printed when the printer is back.",
        7,
        PrinterProblem.NOT_FOUND,
        "retiscreen-no-such-printer",
    )
    page.show_outcome(job.Outcome(screening, recorded, unprinted))
    qtbot.wait(50)
    advice = page.light.advice
    assert advice.height() >= advice.heightForWidth(advice.width())  # no line cut off
    assert not page.saved.isVisible()
    assert page.printing.text().startswith("Saved, and the report was written. NOT printed")
    assert out_of_reach(window, page) == []
