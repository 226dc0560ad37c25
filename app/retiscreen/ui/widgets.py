"""Reusable touch widgets: buttons, PIN pad, image view, message line, traffic light.

Why custom widgets: Qt's defaults are sized for a mouse (16 px spin arrows, hover
tooltips). Everything here is at least ``TOUCH_MIN`` pixels, needs no hover, and
carries its meaning in words as well as colour.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QPainter, QPaintEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from retiscreen.accounts import MAX_PIN_DIGITS
from retiscreen.capture.qt_device import rgb_to_pixmap
from retiscreen.domain import DecisionKind
from retiscreen.imaging.pixels import RGBImage
from retiscreen.palette import DECISION_COLOURS
from retiscreen.settings import bundled_dir
from retiscreen.ui.theme import TOUCH_MIN


def icon(name: str) -> QIcon:
    """An icon from assets/icons (an empty icon when the file is missing)."""
    path = bundled_dir("assets") / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def button(
    text: str = "", role: str = "", icon_name: str = "", on_click: Callable[[], None] | None = None
) -> QPushButton:
    """A large push button; ``role`` selects its style (primary, good, danger, choice...)."""
    widget = QPushButton(text)
    if role:
        widget.setProperty("role", role)
    if icon_name:
        widget.setIcon(icon(icon_name))
        widget.setIconSize(QSize(36, 36))
    widget.setMinimumHeight(TOUCH_MIN)
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    if on_click is not None:
        widget.clicked.connect(on_click)
    return widget


def label(text: str = "", role: str = "", wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    return widget


def restyle(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def set_invalid(field: QLineEdit, invalid: bool) -> None:
    field.setProperty("invalid", "true" if invalid else "false")
    restyle(field)


class ElidedLabel(QLabel):
    """One line that never widens the window (the header's clinic, step, and who is
    signed in or being screened): where its words do not fit, they end in "…". A ``tail``
    (the patient's ID) is never cut: the words before it give way. ``text()`` stays whole.
    ``keep_width``: it takes the width its words need before labels without it take any."""

    def __init__(
        self, role: str = "", keep_width: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if role:
            self.setProperty("role", role)
        width = QSizePolicy.Policy.Preferred if keep_width else QSizePolicy.Policy.Ignored
        self.setSizePolicy(width, QSizePolicy.Policy.Preferred)
        self.tail = ""

    def set_text(self, text: str, tail: str = "") -> None:
        self.tail = tail
        self.setText(text + tail)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def shown_text(self) -> str:
        """What is drawn at the present width."""
        metrics, width, text = self.fontMetrics(), self.contentsRect().width(), self.text()
        if metrics.horizontalAdvance(text) <= width:
            return text
        tail = self.tail if self.tail and text.endswith(self.tail) else ""
        head = text[: len(text) - len(tail)]
        room = max(0, width - metrics.horizontalAdvance(tail))
        return metrics.elidedText(head, Qt.TextElideMode.ElideRight, room) + tail

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment().value), self.shown_text())


class MessageLine(QLabel):
    """A status line that says plainly what happened (level: ok, info, warning, error)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.show_message("", "info")

    def show_message(self, text: str, level: str = "info") -> None:
        self.setText(text)
        self.setProperty("level", level)
        self.setVisible(bool(text))
        restyle(self)

    @property
    def level(self) -> str:
        return str(self.property("level"))

    def clear_message(self) -> None:
        self.show_message("", "info")


class ImageView(QLabel):
    """Shows an RGB photograph scaled to fit, keeping its aspect ratio."""

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self._placeholder = placeholder
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 120)
        self.setObjectName("imageView")
        self.setStyleSheet(
            "QLabel#imageView { background: #000000; color: #FFFFFF; border-radius: 8px; }"
        )
        self.setText(placeholder)

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        if self._pixmap is None:
            self.setText(text)

    def set_image(self, rgb: RGBImage | None) -> None:
        if rgb is None or not isinstance(rgb, np.ndarray):
            self.clear_image()
            return
        self._pixmap = rgb_to_pixmap(rgb)
        self._rescale()

    @property
    def has_image(self) -> bool:
        return self._pixmap is not None

    def clear_image(self) -> None:
        self._pixmap = None
        self.setPixmap(QPixmap())
        self.setText(self._placeholder)

    def _rescale(self) -> None:
        if self._pixmap is None:
            return
        self.setText("")
        self.setPixmap(
            self._pixmap.scaled(
                self.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()


class PinPad(QWidget):
    """A big numeric keypad with a masked display; emits ``submitted(pin)`` on OK."""

    submitted = Signal(str)

    def __init__(self, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.display = QLineEdit()
        self.display.setEchoMode(QLineEdit.EchoMode.Password)
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setMaxLength(MAX_PIN_DIGITS)
        self.display.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.display.returnPressed.connect(self._submit)
        grid = QGridLayout()
        grid.setSpacing(10)
        for index, digit in enumerate("123456789"):
            grid.addWidget(self._key(digit), index // 3, index % 3)
        self.clear_key = button("C", "key", on_click=self.clear)
        self.clear_key.setAccessibleName("Clear")
        grid.addWidget(self.clear_key, 3, 0)
        grid.addWidget(self._key("0"), 3, 1)
        back = button("⌫", "key", on_click=self.display.backspace)
        back.setAccessibleName("Delete")
        grid.addWidget(back, 3, 2)
        self.ok = button(ok_text, "primary", on_click=self._submit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.display)
        layout.addLayout(grid)
        layout.addWidget(self.ok)

    def _key(self, digit: str) -> QPushButton:
        key = button(digit, "key")
        key.setMinimumSize(TOUCH_MIN + 24, TOUCH_MIN + 8)
        key.clicked.connect(lambda: self.display.insert(digit))
        return key

    def type_pin(self, pin: str) -> None:
        """Press the digit keys (used by tests and by a hardware keypad)."""
        for digit in pin:
            self.display.insert(digit)

    def clear(self) -> None:
        self.display.clear()

    def _submit(self) -> None:
        pin = self.display.text()
        self.display.clear()
        self.submitted.emit(pin)


class ConfirmButton(QPushButton):
    """A button that must be touched twice within a few seconds (e.g. cancel a screening).

    Why not a dialog: a modal box on a touch screen hides the patient context and is
    easy to dismiss by accident; the second touch on the same spot is deliberate.
    """

    confirmed = Signal()

    def __init__(self, text: str, confirm_text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setProperty("role", "danger")
        self.setMinimumHeight(TOUCH_MIN)
        self._text, self._confirm_text = text, confirm_text
        self._armed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(4000)
        self._timer.timeout.connect(self.disarm)
        self.clicked.connect(self._clicked)

    def set_texts(self, text: str, confirm_text: str) -> None:
        self._text, self._confirm_text = text, confirm_text
        self.setText(confirm_text if self._armed else text)

    def _clicked(self) -> None:
        if self._armed:
            self.disarm()
            self.confirmed.emit()
        else:
            self._armed = True
            self.setText(self._confirm_text)
            self._timer.start()

    def disarm(self) -> None:
        self._armed = False
        self._timer.stop()
        self.setText(self._text)


class Stepper(QWidget):
    """A number with big − and + buttons (a QSpinBox's arrows are too small to touch)."""

    changed = Signal(int)

    def __init__(
        self, minimum: int, maximum: int, step: int = 1, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.minimum, self.maximum, self.step = minimum, maximum, step
        self._value = minimum
        self.minus = button("−", "key", on_click=lambda: self.set_value(self._value - self.step))
        self.plus = button("+", "key", on_click=lambda: self.set_value(self._value + self.step))
        self.number = QLabel()
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number.setMinimumWidth(120)
        self.number.setProperty("role", "subtitle")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.minus)
        layout.addWidget(self.number)
        layout.addWidget(self.plus)
        layout.addStretch(1)
        self.set_value(minimum)

    def value(self) -> int:
        return self._value

    def set_value(self, value: int) -> None:
        value = max(self.minimum, min(self.maximum, int(value)))
        changed = value != self._value
        self._value = value
        self.number.setText(str(value))
        self.minus.setEnabled(value > self.minimum)
        self.plus.setEnabled(value < self.maximum)
        if changed:
            self.changed.emit(value)


class TrafficLight(QFrame):
    """The patient decision: a coloured panel with a word, the headline, advice and due date."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trafficLight")
        self.word = QLabel()
        self.word.setObjectName("urgencyWord")
        self.word.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.word.setMinimumWidth(160)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setProperty("role", "headline")
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.due = QLabel()
        self.due.setWordWrap(True)
        self.due.setProperty("role", "subtitle")
        text = QVBoxLayout()
        text.setSpacing(8)  # not the 24 px between the word and the text it would inherit
        text.addWidget(self.headline)
        text.addWidget(self.advice)
        text.addWidget(self.due)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(24)
        layout.addWidget(self.word)
        layout.addLayout(text, 1)
        self.kind: DecisionKind | None = None

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Never shorter than its words need at this width. Qt sizes the panel by its
        words at their widest, so on a narrow panel the advice lost its last line; the
        page's eye cards scroll and give the height up instead."""
        super().resizeEvent(event)
        self._keep_words_whole()

    def _keep_words_whole(self) -> None:
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            needed = layout.heightForWidth(self.width())
            if needed != self.minimumHeight():
                self.setMinimumHeight(needed)
                layout.update()

    def show_decision(
        self, kind: DecisionKind, word: str, headline: str, advice: str, due: str
    ) -> None:
        self.kind = kind
        background, ink = DECISION_COLOURS[kind]
        self.setStyleSheet(
            f"QFrame#trafficLight {{ background: {background}; border-radius: 16px; }}"
            f" QFrame#trafficLight QLabel {{ color: {ink}; background: transparent; }}"
            f" QLabel#urgencyWord {{ border: 4px solid {ink}; border-radius: 12px;"
            f" font-weight: 800; padding: 12px; }}"
        )
        self.word.setText(word)
        self.headline.setText(headline)
        self.advice.setText(advice)
        self.due.setText(due)
        self._keep_words_whole()

    def clear(self) -> None:
        self.kind = None
        for widget in (self.word, self.headline, self.advice, self.due):
            widget.clear()
        self.setStyleSheet("")
        self._keep_words_whole()


class TouchScroll(QScrollArea):
    """A column that scrolls up and down with a finger when the panel is too small for
    it (Home's status lines, the sign-in names, the result's eye cards).

    Why it sizes its content itself: a resizable QScrollArea asks word-wrapped content
    for its height on every resize it makes, and with the result page's cards that
    recursed until the stack overflowed. Here the content is made as wide as the view
    and as tall as it needs, once per change of either."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.content = content  # first: setWidget() already sends events through the filter
        self.setWidget(content)
        content.installEventFilter(self)
        self.viewport().installEventFilter(self)
        QScroller.grabGesture(self.viewport(), QScroller.ScrollerGestureType.TouchGesture)

    def sizeHint(self) -> QSize:
        """As wide as the content asks, and no taller than its smallest: the rest of the
        page (the result's decision) keeps what its words need, the scroll gets the rest."""
        return QSize(self.content.sizeHint().width(), TOUCH_MIN)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.viewport() and event.type() == QEvent.Type.Resize) or (
            watched is self.content and event.type() == QEvent.Type.LayoutRequest
        ):
            self.fit()
        return super().eventFilter(watched, event)

    def fit(self) -> None:
        width, layout = self.viewport().width(), self.content.layout()
        needed = self.content.minimumSizeHint().height()
        if layout is not None and layout.hasHeightForWidth():
            needed = max(needed, layout.totalHeightForWidth(width))
        size = QSize(width, max(needed, self.viewport().height()))
        if self.content.size() != size:
            self.content.resize(size)


class TouchTable(QTableWidget):
    """A read-only list of rows to pick one from by touch: whole rows, one at a time,
    tall rows, columns sharing the width, scrolled with a finger (the history, the
    referrals and the over-read queue)."""

    def __init__(self, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(0, columns, parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(60)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        QScroller.grabGesture(self.viewport(), QScroller.ScrollerGestureType.TouchGesture)

    def show_rows(self, rows: list[list[str]]) -> None:
        """Replace the rows with these texts, one list of cells per row."""
        self.setRowCount(len(rows))
        for index, cells in enumerate(rows):
            for column, text in enumerate(cells):
                self.setItem(index, column, QTableWidgetItem(text))
