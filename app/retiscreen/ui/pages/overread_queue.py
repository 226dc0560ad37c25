"""The over-read queue: the screenings waiting for a reviewer, or any screening found.

Why behind its own sign-in: the list names other patients and leads to changing what
they are told, so only reviewers and administrators reach it (operators are not listed
on its sign-in page and are refused there), and it is emptied when the reviewer leaves
or the kiosk is left idle. Every listing is audited with the screenings shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QWidget,
)

from retiscreen.domain import DecisionKind, QueueReason
from retiscreen.ui import texts
from retiscreen.ui.context import KioskContext
from retiscreen.ui.keyboard import OnScreenKeyboard
from retiscreen.ui.pages.base import Page
from retiscreen.ui.widgets import MessageLine, TouchTable, button, label

LIMIT = 200


class OverreadQueuePage(Page):
    open_requested = Signal(str)
    """A screening id to over-read."""
    closed = Signal()

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.reviewer: str | None = None
        self.rows: list[dict[str, Any]] = []
        self.searching = False
        self._notice: str | None = None
        self.title = label("", "title")
        self.hint = label("", "hint")
        self.search = QLineEdit()
        self.search.returnPressed.connect(self.search_records)
        self.find_button = button("", "small", on_click=self.search_records)
        self.queue_button = button("", "small", on_click=self.refresh)
        self.table = TouchTable(5)
        self.message = MessageLine()
        self.open_button = button("", "primary", on_click=self.open_selected)
        self.close_button = button("", "", "home", on_click=self.closed.emit)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.find_button)
        top.addWidget(self.queue_button)
        footer = QHBoxLayout()
        footer.addWidget(self.message, 1)
        footer.addWidget(self.close_button)
        footer.addWidget(self.open_button)
        self.body.addWidget(self.title)
        self.body.addWidget(self.hint)
        self.body.addLayout(top)
        self.body.addWidget(self.table, 1)
        self.body.addLayout(footer)
        self.keyboard = OnScreenKeyboard([self.search], self)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Over-read"))
        self.hint.setText(
            self.tr(
                "Screenings waiting for a reviewer: every one with an eye that was not graded, "
                "and a share of the routine ones. Touch one, then Open. Search to open any "
                "screening."
            )
        )
        self.search.setPlaceholderText(self.tr("Search by patient ID, name or screening"))
        self.find_button.setText(self.tr("Search"))
        self.queue_button.setText(self.tr("Show the queue"))
        self.open_button.setText(self.tr("Open"))
        self.close_button.setText(self.tr("Close"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Date"),
                self.tr("Patient ID"),
                self.tr("Name"),
                self.tr("AI decision"),
                self.tr("Why") if not self.searching else self.tr("Over-read"),
            ]
        )
        self._fill()

    def entered(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """The queue (audited by the service, with the screenings listed)."""
        self.keyboard.close_keyboard()
        service, viewer = self.ctx.service, self.reviewer
        self.ctx.workers.run(
            lambda _p: service.review_queue(viewer=viewer, limit=LIMIT),
            lambda rows: self._show(rows, searching=False),
            lambda why: self.message.show_message(why, "error"),
        )

    def search_records(self) -> None:
        text = self.search.text().strip()
        if not text:
            self.refresh()
            return
        self.keyboard.close_keyboard()
        service, viewer = self.ctx.service, self.reviewer
        self.ctx.workers.run(
            lambda _p: service.history(limit=LIMIT, search=text, viewer=viewer),
            lambda rows: self._show(rows, searching=True),
            lambda why: self.message.show_message(why, "error"),
        )

    def _show(self, rows: Any, searching: bool) -> None:
        self.rows, self.searching = list(rows), searching
        self.retranslate()
        if self._notice is not None:
            self.message.show_message(self._notice, "ok")
            self._notice = None
        elif self.rows:
            self.message.clear_message()
        elif searching:
            self.message.show_message(self.tr("No screenings found."), "info")
        else:
            self.message.show_message(self.tr("No screening is waiting for an over-read."), "ok")

    def _fill(self) -> None:
        self.table.show_rows([self._cells(row) for row in self.rows])

    def _cells(self, row: dict[str, Any]) -> list[str]:
        if self.searching:
            reviewed = row.get("review_decision_kind")
            last = texts.catalogue().decision_word(DecisionKind(reviewed)) if reviewed else "-"
        else:
            last = texts.catalogue().queue_reason(QueueReason(row["why"]))
        return [
            str(row.get("started_at", ""))[:16].replace("T", " "),
            str(row.get("patient_id", "")),
            str(row.get("name", "")),
            texts.catalogue().decision_word(DecisionKind(row["decision_kind"])),
            last,
        ]

    def show_saved(self, report_id: str) -> None:
        """Back from a saved over-read: said above the list of what is left (shown next)."""
        self._notice = self.tr("Saved. The amended report {id} was written.").format(id=report_id)
        self.message.show_message(self._notice, "ok")

    def open_selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            self.message.show_message(self.tr("First touch a screening in the list."), "error")
            return
        self.open_requested.emit(str(self.rows[row]["screening_id"]))

    def clear(self) -> None:
        self.keyboard.close_keyboard()
        self.reviewer = None
        self.rows = []
        self.searching = False
        self._notice = None
        self.table.setRowCount(0)
        self.search.clear()
        self.message.clear_message()
