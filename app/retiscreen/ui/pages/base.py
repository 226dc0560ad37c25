"""What every page has: the shared context, re-labelling on language change, clearing.

Why ``clear()`` on every page: the idle timeout and the end of a screening call it on
all pages, so no name, identifier or photograph of the last patient stays in any
widget, including pages that are not showing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
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
        self, title: QWidget, hint: QWidget, content: QLayout, pad: QWidget, message: QWidget
    ) -> None:
        """The PIN pages' body: the title; the hint and ``content`` (names, a form) on the
        left of the keypad; the message line below."""
        left = QVBoxLayout()
        left.addWidget(hint)
        left.addLayout(content)
        left.addStretch(1)
        row = QHBoxLayout()
        row.addLayout(left, 1)
        row.addWidget(pad)
        self.body.addWidget(title)
        self.body.addLayout(row, 1)
        self.body.addWidget(message)

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
