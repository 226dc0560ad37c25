"""The patient's language: which language the report and the letter are printed in.

Why a widget of its own: it is one row on the patient page and knows nothing else of
it. It offers every catalogue language by its own name (what the patient looks for),
and starts at the language on screen (the operator's, itself the site's at start): it
follows the screen's language until the operator touches a choice, and goes back to
following it for the next patient (:meth:`reset`). The operator's screen keeps its own
language whatever is chosen here.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLocale, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from retiscreen.catalogue import LANGUAGE_NAMES, SOURCE_LANGUAGE
from retiscreen.ui.widgets import button


def screen_language() -> str:
    """The language now on screen (the language switcher sets Qt's default locale)."""
    code = QLocale().name().split("_")[0]
    return code if code in LANGUAGE_NAMES else SOURCE_LANGUAGE


class PatientLanguageChoice(QWidget):
    """One button per language; exactly one is checked."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        for code, name in LANGUAGE_NAMES.items():
            choice = button(name, "choice")
            choice.setCheckable(True)
            choice.clicked.connect(lambda _checked=False, c=code: self.choose(c))
            self.buttons[code] = choice
            row.addWidget(choice)
        row.addStretch(1)
        self._picked = False
        self.language = screen_language()
        self._show()

    def choose(self, code: str) -> None:
        """The operator chose ``code`` with the patient: it stays for this patient."""
        self._picked = True
        self._set(code)
        self.chosen.emit(self.language)

    def restore(self, code: str) -> None:
        """Show a choice made before (a screening taken up again)."""
        self._picked = True
        self._set(code)

    def reset(self) -> None:
        """A new patient: follow the screen's language again."""
        self._picked = False
        self._set(screen_language())

    def _set(self, code: str) -> None:
        self.language = code if code in LANGUAGE_NAMES else SOURCE_LANGUAGE
        self._show()

    def _show(self) -> None:
        for code, choice in self.buttons.items():
            choice.setChecked(code == self.language)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and not self._picked:
            self._set(screen_language())
        super().changeEvent(event)
