"""Grading, saving and printing, with every step shown while it runs.

Why a page of its own: the steps take from a fraction of a second (GPU) to many
seconds (a printer timing out), and the operator must see what the kiosk is doing.
The work runs in a worker (:mod:`retiscreen.ui.screening_job`). If the screening cannot
be saved, that is said plainly, the screening is kept in memory, and saving can be
tried again: a screening is never silently lost.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from retiscreen.ui import screening_job as job
from retiscreen.ui.context import KioskContext
from retiscreen.ui.pages.base import Page
from retiscreen.ui.session import ScreeningDraft
from retiscreen.ui.widgets import MessageLine, button, label

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
MARKS = {PENDING: "○", RUNNING: "▶", DONE: "✔", FAILED: "✖"}


class GradingPage(Page):
    finished = Signal(object)
    """An :class:`~retiscreen.ui.screening_job.Outcome`."""

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.outcome: job.Outcome | None = None
        self._draft: ScreeningDraft | None = None
        self._generation = 0
        self.states = dict.fromkeys(job.STEPS, PENDING)
        self.title = label("", "title")
        self.step_labels: dict[str, QLabel] = {step: label("", "subtitle") for step in job.STEPS}
        self.progress = QProgressBar()
        self.progress.setRange(0, len(job.STEPS))
        self.message = MessageLine()
        self.retry = button("", "primary", "retake", on_click=self.retry_save)
        self.show_anyway = button("", "", on_click=self._show_anyway)
        self.body.addWidget(self.title)
        self.body.addSpacing(24)
        for step in job.STEPS:
            self.body.addWidget(self.step_labels[step])
        self.body.addWidget(self.progress)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        footer = QHBoxLayout()
        footer.addWidget(self.show_anyway)
        footer.addStretch(1)
        footer.addWidget(self.retry)
        self.body.addLayout(footer)
        self._buttons(False)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Grading the photographs"))
        names = {
            job.STEP_GRADE: self.tr("Grading both eyes"),
            job.STEP_SAVE: self.tr("Saving the screening and writing the report"),
            job.STEP_PRINT: self.tr("Printing the report"),
        }
        for step, widget in self.step_labels.items():
            widget.setText(f"{MARKS[self.states[step]]}  {names[step]}")
        self.retry.setText(self.tr("Try saving again"))
        self.show_anyway.setText(self.tr("Show the result (NOT saved)"))

    def _buttons(self, visible: bool) -> None:
        self.retry.setVisible(visible)
        self.show_anyway.setVisible(visible)

    def _mark(self, step: str) -> None:
        """Everything before ``step`` is done, ``step`` runs."""
        step_index = job.STEPS.index(step) if step in self.states else len(job.STEPS)
        for index, each in enumerate(job.STEPS):
            if index < step_index and self.states[each] in (PENDING, RUNNING):
                self.states[each] = DONE
        if step in self.states:
            self.states[step] = RUNNING
        self.progress.setValue(step_index)
        self.retranslate()

    def run(self, draft: ScreeningDraft, print_it: bool = True) -> None:
        """Start grading ``draft`` (the page must already be showing)."""
        self._generation += 1
        generation = self._generation
        self.outcome = None
        self._draft = draft
        self.states = dict.fromkeys(job.STEPS, PENDING)
        self.message.show_message(self.tr("Please wait. This takes a few seconds."), "info")
        self._buttons(False)
        self.progress.setValue(0)
        self.retranslate()
        service, site = self.ctx.service, self.ctx.settings.clinic.site
        self.ctx.workers.run(
            lambda progress: job.finish(service, draft, site, progress, print_it),
            lambda outcome: self._done(generation, outcome),
            lambda message: self._crashed(generation, message),
            lambda step: self._mark(step) if generation == self._generation else None,
        )

    def _done(self, generation: int, outcome: Any) -> None:
        if generation != self._generation or not isinstance(outcome, job.Outcome):
            return
        self.outcome = outcome
        if outcome.storage_error:
            self.states[job.STEP_SAVE] = FAILED
            self.retranslate()
            if outcome.screening not in self.ctx.unsaved:
                self.ctx.unsaved.append(outcome.screening)
            self.message.show_message(
                self.tr(
                    "The screening could NOT be saved: {why} It is kept on this kiosk until it "
                    "is saved. Do not switch the kiosk off; try again, or call IT."
                ).format(why=outcome.storage_error),
                "error",
            )
            self._buttons(True)
            return
        self._mark(job.STEP_DONE)
        self.finished.emit(outcome)

    def _crashed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.message.show_message(self.tr("Grading failed: {why}").format(why=message), "error")
        self.retry.setVisible(True)

    def retry_save(self) -> None:
        """Save the kept screening again, or grade again when grading itself failed."""
        outcome = self.outcome
        if outcome is None:
            if self._draft is not None:
                self.run(self._draft)
            return
        self._generation += 1
        generation = self._generation
        self._buttons(False)
        self.states[job.STEP_SAVE] = PENDING
        self.message.show_message(self.tr("Saving again…"), "info")
        service, screening = self.ctx.service, outcome.screening
        self.ctx.workers.run(
            lambda progress: job.save_and_print(service, screening, progress),
            lambda result: self._saved_again(generation, result),
            lambda message: self._crashed(generation, message),
            lambda step: self._mark(step) if generation == self._generation else None,
        )

    def _saved_again(self, generation: int, outcome: Any) -> None:
        if (
            isinstance(outcome, job.Outcome)
            and outcome.storage_error is None
            and outcome.screening in self.ctx.unsaved
        ):
            self.ctx.unsaved.remove(outcome.screening)
        self._done(generation, outcome)

    def _show_anyway(self) -> None:
        if self.outcome is not None:
            self.finished.emit(self.outcome)

    def clear(self) -> None:
        self._generation += 1
        self.outcome = None
        self._draft = None
        self.states = dict.fromkeys(job.STEPS, PENDING)
        self.progress.setValue(0)
        self.message.clear_message()
        self._buttons(False)
        self.retranslate()
