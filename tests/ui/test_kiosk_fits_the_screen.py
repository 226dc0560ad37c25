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

Words count too: a label shorter than its words need at its width has lost its last
lines, and no control is out of place. Found so at 1024×600 on 2026-12-07: the capture
page's verdict (74 of the 206 px "not a retinal photograph" needs: the reason and what to
do were cut), the decision panel's advice on a routine result (33 of 78 px), each in all
three languages. Pages are measured in English, Spanish and Portuguese, whose words are
longer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTabBar,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from retiscreen.domain import DecisionKind, Laterality, Patient
from retiscreen.pipeline import Pipeline
from retiscreen.report.printing import PrinterProblem
from retiscreen.service import PrintOutcome
from retiscreen.settings import Settings, bundled_dir
from retiscreen.ui import screening_job as job
from retiscreen.ui.keyboard import OnScreenKeyboard
from retiscreen.ui.pages.base import Page
from retiscreen.ui.widgets import ElidedLabel, ImageView
from retiscreen.ui.window import KioskWindow
from tests.support.images import DEMO_IMAGE
from tests.ui import images
from tests.ui.kiosk_driver import (
    confirm_patient,
    enter_patient,
    sign_in,
    stage,
    take_photo,
    touch,
)

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)
SIZES = pytest.mark.parametrize("size", [(1280, 800), (1024, 600)], ids=["1280x800", "1024x600"])
LANGUAGES = pytest.mark.parametrize("language", ["en", "es", "pt"])
LONGEST_PRINTER_MESSAGE = PrintOutcome(
    False,
    "Printer 'retiscreen-no-such-printer' is not available (not found). Check the printer "
    "name in the settings. The report is saved and will be printed when the printer is back.",
    7,
    PrinterProblem.NOT_FOUND,
    "retiscreen-no-such-printer",
)


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


def clipped_words(window: KioskWindow, page: QWidget) -> list[str]:
    """The visible labels of ``page`` whose words do not all show: a word-wrapped label
    shorter than its words need at its width, or a one-line label smaller than its text.
    (A label in a scrolling column counts too: the column must hold it whole. The
    header's names end in "…" on purpose: ``test_the_header_never_cuts_the_patient_id``.)"""
    found = []
    for text in page.findChildren(QLabel):
        if isinstance(text, ImageView | ElidedLabel) or not text.text():
            continue
        if not text.isVisibleTo(window):
            continue
        if text.wordWrap():
            needed = text.heightForWidth(text.width())
            if text.height() < needed:
                found.append(f"{text.text()[:50]!r}: {text.height()} of {needed} px")
        elif text.width() < text.sizeHint().width() or text.height() < text.sizeHint().height():
            found.append(f"{text.text()[:50]!r}: {text.size().toTuple()} of {text.sizeHint()}")
    return found


def words_cut(qtbot: QtBot, window: KioskWindow, page: QWidget) -> list[str]:
    """``clipped_words`` once the layouts have followed new words (they take a turn or
    two of the event loop), or after a second if they never do."""
    with suppress(AssertionError):
        qtbot.waitUntil(lambda: not clipped_words(window, page), timeout=1000)
    return clipped_words(window, page)


@contextmanager
def speaking(qtbot: QtBot, window: KioskWindow, language: str) -> Iterator[None]:
    """The kiosk in ``language`` (its home page's button), back in English after: the
    translator is the application's, and would outlive the window."""
    touch(qtbot, window.home.language_buttons[language])
    try:
        yield
    finally:
        window.home.language_buttons["en"].click()


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


@SIZES
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


@SIZES
@LANGUAGES
def test_every_page_shows_its_words_whole(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    size: tuple[int, int],
    language: str,
) -> None:
    window = open_kiosk(make_settings())
    window.setFixedSize(*size)
    with speaking(qtbot, window, language):
        problems = {name: words_cut(qtbot, window, page) for name, page in views(window)}
        assert {name: found for name, found in problems.items() if found} == {}


@SIZES
@LANGUAGES
def test_every_capture_verdict_is_whole(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
    size: tuple[int, int],
    language: str,
) -> None:
    """The longest things the capture page says: not a retina, blurred with no retake
    left (and what that means for the patient), and a photograph of the other eye."""
    stage(
        camera_dir,
        ("01-lens-cap.png", images.black()),
        ("02-blurred.png", images.blurred()),
        ("03-right.jpg", images.good_right()),
    )
    window = open_kiosk(make_settings(capture={"max_retakes": 1}))
    window.setFixedSize(*size)
    capture = window.capture
    seen = {}
    with speaking(qtbot, window, language):
        sign_in(qtbot, window)
        enter_patient(qtbot, window, "MRN-FIT", "Maria Exemplo da Silva", "1961-03-02")
        confirm_patient(qtbot, window, "MRN-FIT", "1961-03-02")
        take_photo(qtbot, window)
        seen["not a retina"] = words_cut(qtbot, window, capture)
        touch(qtbot, capture.retake)
        take_photo(qtbot, window)
        seen["blurred, no retake left"] = words_cut(qtbot, window, capture)
        assert capture.accept_ungradable.isVisible() and capture.hint.text()
        touch(qtbot, capture.accept_ungradable)
        take_photo(qtbot, window)  # a right eye's photograph for the left eye
        assert capture.verdict.level == "warning"
        seen["the other eye?"] = words_cut(qtbot, window, capture)
        assert out_of_reach(window, capture) == []
    assert {name: found for name, found in seen.items() if found} == {}


def test_the_header_never_cuts_the_patient_id(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
) -> None:
    """At 1024×600 a long clinic name and a long patient name share the header with the
    step: the names end in "…", the step and the patient's ID stay whole (the ID was cut
    off with the rest of the name)."""
    clinic = "Centro de Saúde da Família Vila Nova de Gaia Norte"
    window = open_kiosk(make_settings(clinic={"name": clinic}))
    window.setFixedSize(1024, 600)
    sign_in(qtbot, window)
    name, patient_id = "Maria Aparecida dos Santos Oliveira Pereira", "MRN-2026-000123"
    enter_patient(qtbot, window, patient_id, name, "1961-03-02")
    confirm_patient(qtbot, window, patient_id, "1961-03-02")
    assert window.current is window.capture
    qtbot.wait(50)
    who, place = window.who_label, window.clinic_label
    assert who.text() == f"{name} · {patient_id}" and place.text() == clinic
    for label, shown in ((who, who.shown_text()), (place, place.shown_text())):
        assert "…" in shown  # too long for a third of 1024 px
        assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert who.shown_text().endswith(f" · {patient_id}")
    assert window.step_label.shown_text() == window.step_label.text() == "Step 3 of 5: Right eye"


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


@SIZES
@LANGUAGES
@pytest.mark.parametrize("kind", [DecisionKind.ROUTINE, DecisionKind.URGENT], ids=str)
def test_a_real_result_is_not_squeezed(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    pipeline: Pipeline,
    tmp_path: Path,
    size: tuple[int, int],
    language: str,
    kind: DecisionKind,
) -> None:
    """The result of a real screening (for an urgent referral the long texts, macular
    oedema and both heatmaps) fits above its minimum height: squeezed, its words were
    drawn over the photographs. The eye cards scroll instead. With the longest printer
    message under it, the decision's words stay whole."""
    right = tmp_path / "right.jpg"
    right.write_bytes(images.good_right())
    if kind is DecisionKind.URGENT:
        right = bundled_dir("assets") / "controls" / "positive_idrid_239.jpg"
    eyes = pipeline.assess_eyes([(Laterality.RIGHT, right), (Laterality.LEFT, DEMO_IMAGE)])
    screening = pipeline.screen(
        Patient("P-FIT-1", "Maria Fit", None, "F"), {e.laterality: e for e in eyes}, "nurse", "s"
    )
    assert screening.decision.kind is kind
    window = open_kiosk(make_settings())
    recorded = window.ctx.service.record(screening)
    window.setFixedSize(*size)
    page = window.result
    with speaking(qtbot, window, language):
        window.stack.setCurrentWidget(page)
        page.show_outcome(job.Outcome(screening, recorded))
        qtbot.wait(50)
        assert page.minimumSizeHint().height() <= page.height()
        assert out_of_reach(window, page) == []
        assert words_cut(qtbot, window, page) == []
        assert all(card.heatmap.has_image for card in page.cards.values())
        # Not printed: the save's confirmation goes at the head of the printing line.
        page.show_outcome(job.Outcome(screening, recorded, LONGEST_PRINTER_MESSAGE))
        assert words_cut(qtbot, window, page) == []
        assert page.minimumSizeHint().height() <= page.height()
        assert not page.saved.isVisible()
        assert page.printing.level == "warning" and page.printing.text()
        assert out_of_reach(window, page) == []
