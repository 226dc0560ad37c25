"""Why an eye is not photographed: preset reasons, or one typed on the on-screen keyboard.

Why the reasons matter clinically: an eye recorded as absent (a prosthesis, an eye
removed) takes no part in the decision; any other eye not photographed is unexamined
and sends the patient for an eye examination (:mod:`retiscreen.rules`). The presets say
which is which; a typed reason is never taken for an absent eye.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from retiscreen.ui.session import ABSENT_SKIP_REASONS
from retiscreen.ui.widgets import button, label

SKIP_REASONS = (
    "Artificial eye (prosthesis)",
    "Eye removed (enucleation)",
    "Eye cannot be opened",
    "Patient declined this eye",
)
"""Stored in English (the record's language); shown translated. The first two record
the eye as absent (:data:`~retiscreen.ui.session.ABSENT_SKIP_REASONS`)."""
assert set(ABSENT_SKIP_REASONS) <= set(SKIP_REASONS)


def reason_words(reason: str) -> str:
    """A stored preset reason in the screen's language (a typed one as it was typed)."""
    return QCoreApplication.translate("SkipPanel", reason)


class SkipPanel(QWidget):
    chosen = Signal(str)
    """The reason (a preset's English text, or the typed words)."""
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.title = label("", "subtitle")
        layout.addWidget(self.title)
        # the typed reason comes first: the on-screen keyboard docks over the lower half
        self.other_reason = QLineEdit()
        self.other_reason.setMaxLength(200)
        self.other_reason.returnPressed.connect(self._typed)
        self.other_ok = button("", "", on_click=self._typed)
        row = QHBoxLayout()
        row.addWidget(self.other_reason, 1)
        row.addWidget(self.other_ok)
        layout.addLayout(row)
        self.buttons: list[tuple[str, QPushButton]] = []
        grid = QGridLayout()
        for index, reason in enumerate(SKIP_REASONS):
            choice = button("", "", on_click=partial(self.chosen.emit, reason))
            grid.addWidget(choice, index, 0)
            self.buttons.append((reason, choice))
        layout.addLayout(grid)
        self.back_button = button("", "", "back", on_click=self.back.emit)
        layout.addWidget(self.back_button)
        layout.addStretch(1)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Why is this eye not photographed?"))
        words = {
            SKIP_REASONS[0]: self.tr("Artificial eye (prosthesis)"),
            SKIP_REASONS[1]: self.tr("Eye removed (enucleation)"),
            SKIP_REASONS[2]: self.tr("Eye cannot be opened"),
            SKIP_REASONS[3]: self.tr("Patient declined this eye"),
        }
        for reason, choice in self.buttons:
            choice.setText(words[reason])
        self.other_reason.setPlaceholderText(self.tr("Other reason"))
        self.other_ok.setText(self.tr("Record this reason"))
        self.back_button.setText(self.tr("Back"))

    def clear(self) -> None:
        self.other_reason.clear()

    def _typed(self) -> None:
        reason = " ".join(self.other_reason.text().split())
        if not reason:
            self.other_reason.setFocus()
            return
        self.chosen.emit(reason)
