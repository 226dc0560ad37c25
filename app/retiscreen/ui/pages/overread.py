"""One screening's over-read: both photographs, the AI's result, and the reviewer's answer.

Why it looks like this: the reviewer must see what the AI saw (each photograph with its
grade or why it was not graded, and beside it the grader's heatmap, drawn from the grid
the record keeps, as on the result page and the report) before agreeing or amending.
At a two-field site each eye's card has a key per field (disc- and macula-centred): it
opens on the field that decided the eye, and the other is one touch away, in the card's
heading row so that the card grows no taller on a small panel.
"Agree" keeps the AI's grades and decision and needs no reason; "Save amendment" takes
a grade per eye, a decision and a reason typed on the on-screen keyboard. The service
checks the answer against the referral rules: one less urgent than the reviewed grades
allow is refused, and said in the screen's language, with nothing saved.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from retiscreen.accounts import Role
from retiscreen.domain import (
    REVIEW_DECISIONS,
    DecisionKind,
    EyeResult,
    FieldView,
    ICDRGrade,
    Review,
    Screening,
)
from retiscreen.imaging.heatmap import overlay
from retiscreen.overread import Amendment, ReviewRefused
from retiscreen.service import Reviewed, ScreeningService
from retiscreen.ui import texts
from retiscreen.ui.context import KioskContext
from retiscreen.ui.keyboard import OnScreenKeyboard
from retiscreen.ui.pages.base import Page
from retiscreen.ui.session import EYE_ORDER
from retiscreen.ui.widgets import ImageView, MessageLine, button, label


class GradeCard(QFrame):
    """One eye: its photograph and heatmap side by side, what the AI said, and the
    reviewer's grade (0-4) on a row of keys under them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.title = label("", wrap=False)
        self.title.setStyleSheet("font-weight: 700;")
        self.ai = label("")
        self.photo = ImageView()
        self.photo.setMinimumSize(120, 64)
        self.heatmap = ImageView()
        """The grader's map drawn over the photograph, from the grid the record keeps
        (what the result page and the report show): hidden when there is none."""
        self.heatmap.setMinimumSize(120, 64)
        self.heatmap.hide()
        self.chosen = label("")
        self.chosen.setStyleSheet("font-weight: 700;")
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.grades: dict[ICDRGrade, QPushButton] = {}
        keys = QHBoxLayout()
        keys.setSpacing(6)
        for grade in ICDRGrade:
            choice = button(str(int(grade)), "small")  # five in a row: narrow, still touchable
            choice.setStyleSheet("padding: 0;")  # a digit needs none: five fit a half panel
            choice.setCheckable(True)
            self.group.addButton(choice, int(grade))
            self.grades[grade] = choice
            keys.addWidget(choice)
        self.group.idClicked.connect(lambda _id: self.show_choice())
        self.field_group = QButtonGroup(self)
        self.field_group.setExclusive(True)
        self.field_keys: dict[FieldView, QPushButton] = {}
        """One key per field of a two-field eye (hidden at a one-field site)."""
        heading = QHBoxLayout()
        heading.setSpacing(12)
        heading.addWidget(self.title)
        heading.addWidget(self.ai, 1)
        for view in FieldView:
            key = button("", "small")
            key.setCheckable(True)
            key.hide()
            self.field_group.addButton(key)
            self.field_keys[view] = key
            heading.addWidget(key)
            key.clicked.connect(lambda _checked=False, v=view: self.show_field(v))
        pictures = QHBoxLayout()
        pictures.setSpacing(6)
        pictures.addWidget(self.photo, 1)
        pictures.addWidget(self.heatmap, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(6)
        layout.addLayout(heading)
        layout.addLayout(pictures, 1)
        layout.addLayout(keys)
        layout.addWidget(self.chosen)
        self.ai_grade: ICDRGrade | None = None
        self.eye: EyeResult | None = None

    def show_eye(self, eye: EyeResult | None) -> None:
        """The eye as the AI left it (a two-field eye at the field that decided it); the
        grade buttons start at the AI's grade, and an eye without any photograph cannot
        be graded."""
        self.eye = eye
        grade = eye.grade if eye is not None else None
        self.ai_grade = grade.grade if grade is not None else None
        fields = eye.fields if eye is not None else ()
        photographed = [f.view for f in fields if f.image is not None and f.view is not None]
        for view, key in self.field_keys.items():
            key.setVisible(bool(fields))
            key.setEnabled(view in photographed)
        self.name_fields()
        self._show_pictures(eye)
        if eye is not None and photographed:
            first = eye.view if eye.view in photographed else photographed[0]
            self.field_keys[first].setChecked(True)
            self.show_field(first)
        gradable = eye is not None and bool(eye.photographs)
        self.group.setExclusive(False)
        for grade_key, choice in self.grades.items():
            choice.setEnabled(gradable)
            choice.setChecked(grade_key == self.ai_grade)
        self.group.setExclusive(True)
        self.show_choice()

    def name_fields(self) -> None:
        for view, key in self.field_keys.items():
            key.setText(texts.catalogue().field_view(view))

    def show_field(self, view: FieldView) -> None:
        """One field of a two-field eye: its photograph and its own heatmap."""
        field = self.eye.field_result(view) if self.eye is not None else None
        if field is not None:
            self._show_pictures(field)

    def _show_pictures(self, result: EyeResult | None) -> None:
        image = result.image if result is not None else None
        grade = result.grade if result is not None else None
        self.photo.set_image(image.pixels if image is not None else None)
        if image is not None and grade is not None and grade.heatmap:
            self.heatmap.set_image(overlay(image.pixels, grade.heatmap))
            self.heatmap.show()
        else:
            self.heatmap.clear_image()
            self.heatmap.hide()

    def selected(self) -> ICDRGrade | None:
        checked = self.group.checkedId()
        return None if checked < 0 else ICDRGrade(checked)

    def show_choice(self) -> None:
        grade = self.selected()
        self.chosen.setText(texts.grade_words(grade) if grade is not None else "")

    def clear(self) -> None:
        self.eye = None
        self.photo.clear_image()
        self.heatmap.clear_image()
        self.heatmap.hide()
        for key in self.field_keys.values():
            key.hide()
        self.ai.clear()
        self.chosen.clear()
        self.ai_grade = None
        self.group.setExclusive(False)
        for choice in self.grades.values():
            choice.setChecked(False)
        self.group.setExclusive(True)


class OverreadPage(Page):
    saved = Signal(str)
    """The amended report's id, once the over-read is saved."""
    back = Signal()

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.reviewer: str | None = None
        self.role: Role | None = None
        self.screening: Screening | None = None
        self.previous: Review | None = None
        self._busy = False
        self.title = label("")
        self.title.setStyleSheet("font-weight: 700;")
        self.ai_decision = label("")
        self.earlier = label("", "hint")
        self.earlier.hide()  # shown when the screening was over-read before
        self.cards = {side: GradeCard() for side in EYE_ORDER}
        cards = QHBoxLayout()
        cards.setSpacing(10)
        for side in EYE_ORDER:
            cards.addWidget(self.cards[side], 1)
        self.decision_label = label("")
        self.decisions = QButtonGroup(self)
        self.decision_buttons: dict[DecisionKind, QPushButton] = {}
        decision_row = QHBoxLayout()
        decision_row.addWidget(self.decision_label)
        for index, kind in enumerate(REVIEW_DECISIONS):
            choice = button("", "choice")
            choice.setCheckable(True)
            self.decisions.addButton(choice, index)
            self.decision_buttons[kind] = choice
            decision_row.addWidget(choice, 1)
        self.reason = QLineEdit()
        self.reason.setMaxLength(500)
        self.message = MessageLine()
        self.back_button = button("", "", "back", on_click=self.back.emit)
        self.agree_button = button("", "good", on_click=self.agree)
        self.amend_button = button("", "primary", on_click=self.amend)
        # Back and "agree" beside what the AI decided, "save" beside the reason it needs:
        # no footer row, so the photographs keep the height a 1024×600 panel has left;
        # the reason high up, because the on-screen keyboard docks over the lower half
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.ai_decision, 1)
        top.addWidget(self.agree_button)
        amend_row = QHBoxLayout()
        amend_row.addWidget(self.reason, 1)
        amend_row.addWidget(self.amend_button)
        self.body.setContentsMargins(24, 12, 24, 12)
        self.body.setSpacing(8)
        self.body.addWidget(self.title)
        self.body.addWidget(self.earlier)
        self.body.addLayout(top)
        self.body.addLayout(amend_row)
        self.body.addLayout(decision_row)
        self.body.addWidget(self.message)
        self.body.addLayout(cards, 1)
        self.keyboard = OnScreenKeyboard([self.reason], self)
        self.reason.returnPressed.connect(self.keyboard.close_keyboard)
        self.retranslate()

    # ------------------------------------------------------------------ showing

    def open(self, screening_id: str, reviewer: str, role: Role | None) -> None:
        """Load the screening (photographs decoded and checked) off the GUI thread."""
        self.clear()
        self.reviewer, self.role = reviewer, role
        self.message.show_message(self.tr("Opening the screening…"), "info")
        service: ScreeningService = self.ctx.service
        self.ctx.workers.run(
            lambda _p: service.open_for_review(screening_id, reviewer),
            self._opened,
            lambda why: self.message.show_message(why, "error"),
        )

    def _opened(self, result: Any) -> None:
        screening, previous = result
        self.screening, self.previous = screening, previous
        self.message.clear_message()
        for side in EYE_ORDER:
            self.cards[side].show_eye(screening.eye(side))
        ai = screening.decision.kind
        for kind, choice in self.decision_buttons.items():
            choice.setChecked(kind is ai)
        self.retranslate()

    def retranslate(self) -> None:
        self.decision_label.setText(self.tr("Decision after the over-read:"))
        for kind, choice in self.decision_buttons.items():
            choice.setText(texts.catalogue().decision_word(kind))
        self.reason.setPlaceholderText(self.tr("Reason for the amendment (what you saw)"))
        self.back_button.setText(self.tr("Back"))
        self.agree_button.setText(self.tr("Agree with the AI result"))
        self.amend_button.setText(self.tr("Save amendment"))
        screening = self.screening
        if screening is None:
            return
        self.title.setText(
            self.tr("Over-read of screening {id}: {name} · {patient}").format(
                id=screening.screening_id,
                name=screening.patient.name,
                patient=screening.patient.patient_id,
            )
        )
        decision = screening.decision
        self.ai_decision.setText(
            self.tr("AI decision: {word}: {headline}").format(
                word=texts.decision_word(decision), headline=texts.headline(decision)
            )
        )
        previous = self.previous
        self.earlier.setText(
            self.tr("Over-read before by {name} ({when}): {outcome}, {word}.").format(
                name=previous.reviewer,
                when=previous.reviewed_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                outcome=texts.catalogue().review_outcome(previous.outcome),
                word=texts.catalogue().decision_word(previous.decision.kind),
            )
            if previous is not None
            else ""
        )
        self.earlier.setVisible(previous is not None)
        for side in EYE_ORDER:
            card, eye = self.cards[side], screening.eye(side)
            card.title.setText(texts.eye_name(side))
            card.photo.set_placeholder(self.tr("No photograph"))
            card.heatmap.setAccessibleName(texts.heatmap_note(True))
            card.name_fields()
            finding = texts.eye_finding(eye) if eye is not None else self.tr("Not screened")
            card.ai.setText(self.tr("AI: {finding}").format(finding=finding))
            card.show_choice()

    # ------------------------------------------------------------------ answering

    def agree(self) -> None:
        self._save(Amendment())

    def amend(self) -> None:
        screening = self.screening
        if screening is None:
            return
        grades = {
            side: grade
            for side in EYE_ORDER
            if (grade := self.cards[side].selected()) is not None
            and grade != self.cards[side].ai_grade
        }
        checked = self.decisions.checkedId()
        decision = REVIEW_DECISIONS[checked] if checked >= 0 else None
        self._save(Amendment(decision, grades, self.reason.text()))

    def _save(self, amendment: Amendment) -> None:
        screening, reviewer, role = self.screening, self.reviewer, self.role
        if screening is None or reviewer is None or role is None or self._busy:
            return
        self.keyboard.close_keyboard()
        self._busy = True
        self.message.show_message(self.tr("Saving the over-read…"), "info")
        service, screening_id = self.ctx.service, screening.screening_id

        def work(_progress: Any) -> Reviewed | ReviewRefused:
            try:
                return service.review(screening_id, amendment, reviewer=reviewer, role=role)
            except ReviewRefused as refused:  # said below in the screen's language
                return refused

        self.ctx.workers.run(work, self._answered, self._failed)

    def _answered(self, result: Any) -> None:
        self._busy = False
        if isinstance(result, ReviewRefused):
            words = texts.catalogue().review_problem(result.problem.value, result.fields)
            self.message.show_message(words, "error")
            return
        assert isinstance(result, Reviewed)
        self.saved.emit(result.report_id)

    def _failed(self, message: str) -> None:
        self._busy = False
        self.message.show_message(message, "error")

    def clear(self) -> None:
        self.keyboard.close_keyboard()
        self.screening = None
        self.previous = None
        self.reviewer = self.role = None
        self._busy = False
        for card in self.cards.values():
            card.clear()
            card.title.clear()
        self.title.clear()
        self.ai_decision.clear()
        self.earlier.clear()
        self.earlier.hide()
        self.reason.clear()
        self.message.clear_message()
        self.decisions.setExclusive(False)
        for choice in self.decision_buttons.values():
            choice.setChecked(False)
        self.decisions.setExclusive(True)
