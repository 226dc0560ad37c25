"""What every page has: the shared context, re-labelling on language change, clearing.

Why ``clear()`` on every page: the idle timeout and the end of a screening call it on
all pages, so no name, identifier or photograph of the last patient stays in any
widget, including pages that are not showing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QLayout, QVBoxLayout, QWidget

from retiscreen.ui.context import KioskContext


class Page(QWidget):
    """Base class: subclasses build widgets, then call ``retranslate()`` themselves."""

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(32, 24, 32, 24)
        self.body.setSpacing(16)

    def add_beside_keypad(
        self,
        title: QWidget,
        hint: QWidget,
        content: QLayout,
        pad: QWidget,
        message: QWidget,
        below: QWidget | None = None,
    ) -> None:
        """The PIN pages' body: the keypad on the right, as tall as the page; on its left
        the title, the hint, ``content`` (names, a form: it takes the spare height), the
        message line and ``below`` (a Back button) at the bottom. Side by side because
        the keypad alone is nearly as tall as a 1024×600 panel: anything above or below
        it would not fit."""
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(title)
        left.addWidget(hint)
        left.addLayout(content, 1)
        left.addWidget(message)
        if below is not None:
            bottom = QHBoxLayout()
            bottom.addWidget(below)
            bottom.addStretch(1)
            left.addLayout(bottom)
        row = QHBoxLayout()
        row.setSpacing(24)
        row.addLayout(left, 1)
        row.addWidget(pad, 0, Qt.AlignmentFlag.AlignTop)  # its keys together on a tall panel
        self.body.addLayout(row, 1)

    def retranslate(self) -> None:
        """Set every visible text (called again when the language changes)."""

    def clear(self) -> None:
        """Forget everything about the current patient."""

    def entered(self) -> None:
        """The page became the current one."""

    def left(self) -> None:
        """Another page became the current one."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
