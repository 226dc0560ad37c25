"""Two questions before any photograph, where the site asks them (``[capture]
exclusion_questions``): already treated for diabetic eye disease? sudden loss of vision?

Why before the camera: a patient already treated belongs to their eye clinic, and one
whose sight went suddenly must see an eye specialist the same day; photographing them
first only delays that. Each question needs its own answer (no "no to both" shortcut a
finger could press without asking). Yes to either records the referral without
screening (:meth:`retiscreen.rules.ReferralRules.for_exclusion`; sudden loss wins, being
the more urgent); no to both goes on to the photographs.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QWidget

from retiscreen.domain import Exclusion
from retiscreen.ui.context import KioskContext
from retiscreen.ui.pages.base import Page
from retiscreen.ui.widgets import ConfirmButton, MessageLine, button, label

QUESTIONS = (Exclusion.TREATED, Exclusion.SUDDEN_VISION_LOSS)


class ExclusionPage(Page):
    cleared = Signal()
    """No to both questions: take the photographs."""
    excluded = Signal(object)
    """Yes to one: refer without screening, for this :class:`Exclusion`."""
    cancelled = Signal()

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.answers: dict[Exclusion, bool | None] = dict.fromkeys(QUESTIONS)
        self.title = label("", "title")
        self.instruction = label("")
        self.questions = {question: label("", "subtitle") for question in QUESTIONS}
        self.yes: dict[Exclusion, QPushButton] = {}
        self.no: dict[Exclusion, QPushButton] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(18)
        for row, question in enumerate(QUESTIONS):
            for column, (answers, value) in enumerate(((self.yes, True), (self.no, False))):
                choice = button("", "choice")
                choice.setCheckable(True)
                choice.clicked.connect(
                    lambda _checked=False, q=question, v=value: self.answer(q, v)
                )
                answers[question] = choice
                grid.addWidget(choice, row, column + 1)
            grid.addWidget(self.questions[question], row, 0)
        grid.setColumnStretch(0, 1)
        self.message = MessageLine()
        self.cancel = ConfirmButton("", "")
        self.cancel.confirmed.connect(self.cancelled.emit)
        self.go_on = button("", "primary", "forward", on_click=self.submit)
        footer = QHBoxLayout()
        footer.addWidget(self.cancel)
        footer.addStretch(1)
        footer.addWidget(self.go_on)
        self.body.addWidget(self.title)
        self.body.addWidget(self.instruction)
        self.body.addLayout(grid)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.body.addLayout(footer)
        self.retranslate()

    @property
    def exclusion(self) -> Exclusion | None:
        """The exclusion the answers give (sudden loss first: it is the more urgent)."""
        for question in (Exclusion.SUDDEN_VISION_LOSS, Exclusion.TREATED):
            if self.answers[question]:
                return question
        return None

    def retranslate(self) -> None:
        self.title.setText(self.tr("Before the photographs"))
        self.instruction.setText(self.tr("Ask the patient, and touch their answer to each."))
        self.questions[Exclusion.TREATED].setText(
            self.tr(
                "Are you already treated for diabetic eye disease (laser, injections or "
                "surgery in the eye)?"
            )
        )
        self.questions[Exclusion.SUDDEN_VISION_LOSS].setText(
            self.tr("Has your sight got much worse suddenly (in the last days or weeks)?")
        )
        for choice in self.yes.values():
            choice.setText(self.tr("Yes"))
        for choice in self.no.values():
            choice.setText(self.tr("No"))
        self.cancel.set_texts(self.tr("Cancel screening"), self.tr("Touch again to cancel"))
        self._show()

    def answer(self, question: Exclusion, value: bool) -> None:
        self.answers[question] = value
        self._show()

    def _show(self) -> None:
        for question, value in self.answers.items():
            self.yes[question].setChecked(value is True)
            self.no[question].setChecked(value is False)
        answered = all(value is not None for value in self.answers.values())
        exclusion = self.exclusion
        self.go_on.setEnabled(answered or exclusion is not None)
        if exclusion is Exclusion.SUDDEN_VISION_LOSS:
            self.message.show_message(
                self.tr(
                    "Do not photograph. The patient must see an eye specialist TODAY: the "
                    "urgent referral is recorded and printed."
                ),
                "error",
            )
            self.go_on.setText(self.tr("Refer today, without photographs"))
        elif exclusion is Exclusion.TREATED:
            self.message.show_message(
                self.tr(
                    "Do not photograph. The patient is referred back to their eye specialist; "
                    "the referral is recorded and printed."
                ),
                "warning",
            )
            self.go_on.setText(self.tr("Refer without photographs"))
        else:
            self.message.clear_message()
            self.go_on.setText(self.tr("Take photographs"))

    def submit(self) -> None:
        exclusion = self.exclusion
        if exclusion is not None:
            self.excluded.emit(exclusion)
        elif all(value is False for value in self.answers.values()):
            self.cleared.emit()

    def clear(self) -> None:
        self.answers = dict.fromkeys(QUESTIONS)
        self.cancel.disarm()
        self._show()
