""" "Still there?": the banner shown before the idle timeout, with a countdown.

Why ask first: a nurse reading the result to a patient, or waiting for the patient to
settle at the camera, must not lose the screening in progress because nobody touched
the screen for a while. Any touch answers; when nobody does, the window puts the
screening aside as a draft (never dropped) and clears the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from retiscreen.ui.widgets import button, label


class StillThereBanner(QFrame):
    """Hidden until :meth:`ask`; counts down once a second; any input hides it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("still-there")
        self.message = label("", "subtitle")
        self.here = button("", "primary", on_click=self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 12)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.here)
        self._left = 0
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count)
        self.hide()
        self.retranslate()

    def retranslate(self) -> None:
        self.here.setText(self.tr("I am still here"))
        self._show_left()

    def ask(self, seconds: int) -> None:
        self._left = seconds
        self._show_left()
        self.show()
        self._tick.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._tick.stop()
        super().hideEvent(event)

    def _count(self) -> None:
        self._left = max(0, self._left - 1)
        self._show_left()

    def _show_left(self) -> None:
        self.message.setText(
            self.tr(
                "Still there? In {seconds} s the screen is cleared; a screening in progress "
                "is kept as a draft for you to resume."
            ).format(seconds=self._left)
        )
