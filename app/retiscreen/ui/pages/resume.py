"""An unfinished screening the same operator left: resume it, or discard it.

Why only after sign-in: the draft holds a patient's name and photographs, so it is
shown only to the operator who started it, after their PIN. Resuming goes through the
identity confirmation again (the patient may have changed places during the break).
The records keep the draft (:mod:`retiscreen.drafts`), so it waits across a restart.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from retiscreen.drafts import DraftSummary
from retiscreen.ui import texts
from retiscreen.ui.context import KioskContext
from retiscreen.ui.pages.base import Page
from retiscreen.ui.session import ScreeningDraft
from retiscreen.ui.widgets import ConfirmButton, MessageLine, button, label


class ResumePage(Page):
    resume_requested = Signal()
    discard_requested = Signal()

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.draft: DraftSummary | ScreeningDraft | None = None
        """The newest unfinished screening: as the records keep it, or held in memory
        when they could not keep it."""
        self.title = label("", "title")
        self.summary = label("", "subtitle")
        self.message = MessageLine()
        self.resume = button("", "primary", "check", on_click=self.resume_requested.emit)
        self.discard = ConfirmButton("", "")
        self.discard.confirmed.connect(self.discard_requested.emit)
        footer = QHBoxLayout()
        footer.addWidget(self.discard)
        footer.addStretch(1)
        footer.addWidget(self.resume)
        self.body.addWidget(self.title)
        self.body.addWidget(self.summary)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.body.addLayout(footer)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Unfinished screening"))
        self.resume.setText(self.tr("Resume"))
        self.discard.set_texts(self.tr("Discard it"), self.tr("Touch again to discard"))
        self._summarise()

    def set_draft(self, draft: DraftSummary | ScreeningDraft) -> None:
        self.draft = draft
        self.message.clear_message()
        self.discard.disarm()
        self._summarise()

    def _summarise(self) -> None:
        draft = self.draft
        if isinstance(draft, ScreeningDraft):
            if draft.patient is None:
                self.summary.clear()
                return
            name, started = draft.patient.name, draft.started_at
            done = sum(1 for eye in draft.eyes.values() if eye.done)
        elif draft is not None:
            name, started, done = draft.patient_name, draft.started_at, draft.eyes_done
        else:
            self.summary.clear()
            return
        self.summary.setText(
            self.tr(
                "You started screening {name} at {time} and left it before the end "
                "({done} of 2 eyes done). Resume it (the patient's identity is checked "
                "again), or discard it."
            ).format(name=name, time=_when(started), done=done)
        )

    def clear(self) -> None:
        self.draft = None
        self.message.clear_message()
        self._summarise()


def _when(started: datetime) -> str:
    """The time, with the date when it was not today (a draft kept across a restart)."""
    local = started.astimezone() if started.tzinfo else started
    if local.date() == date.today():
        return local.strftime("%H:%M")
    return f"{texts.long_date(local.date())} {local.strftime('%H:%M')}"
