"""The result: the patient decision as a traffic light, each eye, and the printout.

Why it looks like this: the patient reads the headline and the next step from a
distance, so they are the biggest things on the screen, in colour and in words; the
operator checks each eye's photograph, quality and grade below. Printing happened on
the grading page; this page says plainly whether it worked, and can print again.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from retiscreen.domain import EyeResult, EyeStatus, Laterality
from retiscreen.imaging.heatmap import overlay
from retiscreen.service import PrintOutcome
from retiscreen.ui import screening_job as job
from retiscreen.ui import texts
from retiscreen.ui.context import KioskContext
from retiscreen.ui.pages.base import Page
from retiscreen.ui.pages.skip_panel import reason_words
from retiscreen.ui.session import EYE_ORDER
from retiscreen.ui.widgets import (
    ImageView,
    MessageLine,
    TouchScroll,
    TrafficLight,
    button,
    label,
)


class EyeCard(QFrame):
    """One eye: photograph and its heatmap side by side, then grade, how clear the
    result is, what the heatmap means, and quality."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "card")
        self.title = label("", "subtitle")
        self.photo = ImageView()
        self.photo.setMinimumSize(150, 120)
        self.heatmap = ImageView()
        self.heatmap.setMinimumSize(120, 120)
        self.quality = label("")
        self.grade = label("")
        self.grade.setStyleSheet("font-weight: 700;")
        self.confidence = label("")
        self.heatmap_note = label("", "hint")
        self.fields = label("", "hint")
        """A two-field eye's line per field (hidden at a one-field site)."""
        self.fields.hide()
        pictures = QHBoxLayout()
        pictures.addWidget(self.photo, 3)
        pictures.addWidget(self.heatmap, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(pictures, 1)
        for widget in (self.grade, self.fields, self.confidence, self.heatmap_note, self.quality):
            layout.addWidget(widget)

    def clear(self) -> None:
        for widget in (
            self.title,
            self.quality,
            self.grade,
            self.fields,
            self.confidence,
            self.heatmap_note,
        ):
            widget.clear()
        self.fields.hide()
        self.photo.clear_image()
        self.heatmap.clear_image()
        self.heatmap.hide()


class ResultPage(Page):
    done = Signal()

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.outcome: job.Outcome | None = None
        self.print_note: tuple[str, str] | None = None
        self._printing = False
        self.light = TrafficLight()
        self.cards = {side: EyeCard() for side in EYE_ORDER}
        eyes = QWidget()
        cards = QHBoxLayout(eyes)
        cards.setContentsMargins(0, 0, 0, 0)
        for side in EYE_ORDER:
            cards.addWidget(self.cards[side], 1)
        self.eyes = TouchScroll(eyes)
        """The two eye cards: they scroll where a 1024×600 panel cannot show them whole
        under the decision, which stays in view, as do the messages and the buttons."""
        self.saved = MessageLine()
        self.printing = MessageLine()
        self.reference = label("", "hint")
        self.reprint = button("", "", "printer", on_click=self.print_again)
        self.finish = button("", "primary", "home", on_click=self.done.emit)
        footer = QHBoxLayout()
        footer.addWidget(self.reference, 1)
        footer.addWidget(self.reprint)
        footer.addWidget(self.finish)
        self.body.setContentsMargins(24, 12, 24, 12)
        self.body.setSpacing(8)
        self.body.addWidget(self.light)
        self.body.addWidget(self.eyes, 1)
        self.body.addWidget(self.saved)
        self.body.addWidget(self.printing)
        self.body.addLayout(footer)
        self.retranslate()

    def show_outcome(self, outcome: job.Outcome) -> None:
        self.outcome = outcome
        self.print_note = None
        if outcome.printing is not None:
            self.print_note = self._print_text(outcome.printing)
        for side in EYE_ORDER:
            eye = outcome.screening.eye(side)
            card = self.cards[side]
            card.photo.set_image(eye.image.pixels if eye and eye.image else None)
            heatmap = eye.grade.heatmap if eye and eye.grade else None
            if eye is not None and eye.image is not None and heatmap is not None:
                card.heatmap.set_image(overlay(eye.image.pixels, heatmap))
                card.heatmap.show()
            else:
                card.heatmap.clear_image()
                card.heatmap.hide()
        self.retranslate()

    def retranslate(self) -> None:
        self.reprint.setText(self.tr("Print again"))
        self.finish.setText(self.tr("Finish"))
        outcome = self.outcome
        if outcome is None:
            return
        screening = outcome.screening
        decision = screening.decision
        self.light.show_decision(
            decision.kind,
            texts.decision_word(decision),
            texts.headline(decision),
            texts.advice(decision, screening.exclusion),
            self.tr("Next step due by: {date}").format(
                date=texts.due_text(decision, screening.started_at.date())
            ),
        )
        for side in EYE_ORDER:
            self._show_eye(side, screening.eye(side))
        self._show_messages(outcome)
        self.reprint.setEnabled(outcome.recorded is not None and not self._printing)
        reference = self.tr("Screening {id}").format(id=screening.screening_id)
        if outcome.recorded is not None:
            reference += " · " + self.tr("Report {id}").format(id=outcome.recorded.report_id)
        self.reference.setText(reference)

    def _show_messages(self, outcome: job.Outcome) -> None:
        """Whether the screening was saved, and printed. A failed save keeps a line of its
        own, in red; a save that worked goes at the head of the printing line, so that
        on a 1024×600 panel the decision's advice keeps the row (with the printer warning
        beside it the page needed about 606 px)."""
        if outcome.storage_error:
            self.saved.show_message(
                self.tr("NOT SAVED: {why} The kiosk keeps trying; call IT.").format(
                    why=outcome.storage_error
                ),
                "error",
            )
            if self.print_note is not None:
                self.printing.show_message(*self.print_note)
            else:
                self.printing.clear_message()
            return
        done = self.tr("Saved, and the report was written.")
        if self.print_note is None:
            self.saved.show_message(done, "ok")
            self.printing.clear_message()
            return
        text, level = self.print_note
        self.saved.clear_message()
        self.printing.show_message(f"{done} {text}", level)

    def _show_eye(self, side: Laterality, eye: EyeResult | None) -> None:
        card = self.cards[side]
        card.title.setText(texts.eye_name(side))
        card.photo.set_placeholder(self.tr("No photograph"))
        quality, grade = self._eye_texts(eye)
        card.quality.setText(quality)
        card.grade.setText(grade)
        graded = eye.grade if eye is not None and eye.status is EyeStatus.GRADED else None
        how_clear = texts.confidence_words(graded.confidence) if graded else ""
        oedema = texts.catalogue().macular_oedema(graded.macular_oedema) if graded else ""
        card.confidence.setText(f"{how_clear}\n{oedema}" if oedema else how_clear)
        card.heatmap_note.setText(texts.heatmap_note(graded.heatmap is not None) if graded else "")
        fields = eye.fields if eye is not None else ()
        card.fields.setText("\n".join(texts.catalogue().field_finding(f) for f in fields))
        card.fields.setVisible(bool(fields))

    def _eye_texts(self, eye: EyeResult | None) -> tuple[str, str]:
        """(quality line, grade line), chosen by the eye's status, never by its wording."""
        if eye is None:
            return self.tr("Not part of this screening."), ""
        status = texts.eye_finding(eye)
        if eye.status in (EyeStatus.NOT_PHOTOGRAPHED, EyeStatus.ABSENT):
            reason = reason_words(eye.skipped_reason or "")  # stored in English
            return f"{status}: {reason}", ""
        if eye.status is EyeStatus.UNREADABLE:
            return f"{status}: {eye.error or ''}", ""
        quality = eye.quality
        if quality is not None and not quality.gradable:
            reasons = " ".join(texts.quality_message(r) for r in quality.reasons)
            return self.tr("Quality: not gradable. {reasons}").format(reasons=reasons), status
        score = quality.score if quality else 0.0
        quality_text = self.tr("Quality: good ({score:.0%})").format(score=score)
        if eye.status is not EyeStatus.GRADED:
            return quality_text, f"{status} ({eye.error or ''})"
        return quality_text, self.tr("Grade: {words}").format(words=status)

    def _print_text(self, printing: PrintOutcome) -> tuple[str, str]:
        detail = texts.print_message(printing)
        if printing.printed:
            return self.tr("Printed. {detail}").format(detail=detail), "ok"
        return self.tr("NOT printed yet. {detail}").format(detail=detail), "warning"

    def print_again(self) -> None:
        outcome = self.outcome
        if outcome is None or outcome.recorded is None or self._printing:
            return
        self._printing = True
        self.reprint.setEnabled(False)
        self.printing.show_message(self.tr("Printing…"), "info")
        service, screening_id = self.ctx.service, outcome.screening.screening_id
        self.ctx.workers.run(
            lambda _p: job.reprint(service, screening_id), self._printed, self._print_failed
        )

    def _printed(self, printing: object) -> None:
        self._printing = False
        if isinstance(printing, PrintOutcome) and self.outcome is not None:
            self.print_note = self._print_text(printing)
        self.retranslate()

    def _print_failed(self, message: str) -> None:
        self._printing = False
        self.print_note = (message, "error")
        self.retranslate()

    def clear(self) -> None:
        self.outcome = None
        self.print_note = None
        self.light.clear()
        for card in self.cards.values():
            card.clear()
        self.saved.clear_message()
        self.printing.clear_message()
        self.reference.clear()
