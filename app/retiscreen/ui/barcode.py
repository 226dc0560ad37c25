"""A text field that recognises a keyboard-wedge barcode scanner.

A scanner "types" the code into the focused field much faster than a person
(a few milliseconds per character) and ends with Enter. Nothing special is needed to
receive the text; recognising the burst lets the page say "scanned" and move on to the
next field, and lets a typed value be told apart from a scanned one in the record.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

SCAN_MAX_GAP_S = 0.05
"""Keystrokes closer than this belong to a scan (people type ~0.1-0.3 s apart)."""
SCAN_MIN_CHARS = 3


class ScanLineEdit(QLineEdit):
    """Emits ``scanned(text)`` when Enter ends a fast burst of keystrokes."""

    scanned = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._burst: list[float] = []
        self.was_scanned = False
        self.textEdited.connect(self._typed)

    def _typed(self, _text: str) -> None:
        self.was_scanned = False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        now = time.monotonic()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            burst = self._burst
            self._burst = []
            super().keyPressEvent(event)
            if len(burst) >= SCAN_MIN_CHARS and now - burst[-1] < SCAN_MAX_GAP_S * 4:
                self.was_scanned = True
                self.scanned.emit(self.text())
            return
        if event.text() and event.text().isprintable():
            if self._burst and now - self._burst[-1] > SCAN_MAX_GAP_S:
                self._burst = []
            self._burst.append(now)
        super().keyPressEvent(event)
        if len(self._burst) >= SCAN_MIN_CHARS:
            self.was_scanned = True
