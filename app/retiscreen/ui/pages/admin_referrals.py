"""Administration: the referred patients, when each was due, and whether they were seen.

Why behind the admin PIN, like the history: the list names other patients. A touch on a
row and on "Attended" / "Did not attend" records it (audited, under the administrator's
name); "Only overdue" shows who still needs a call.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from retiscreen.referrals import Referral, ReferralOutcome, ReferralStatus
from retiscreen.ui import texts
from retiscreen.ui.context import KioskContext
from retiscreen.ui.widgets import MessageLine, TouchTable, button


class ReferralsTab(QWidget):
    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.shown: list[Referral] = []
        self.everything: list[Referral] = []
        self.overdue_only = QPushButton()
        self.overdue_only.setCheckable(True)
        self.overdue_only.setObjectName("small")
        self.overdue_only.toggled.connect(lambda _on: self._show(self.everything))
        self.table = TouchTable(5)
        self.attended = button("", "", on_click=lambda: self.mark(ReferralOutcome.ATTENDED))
        self.not_attended = button("", "", on_click=lambda: self.mark(ReferralOutcome.NOT_ATTENDED))
        self.message = MessageLine()
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.overdue_only)
        actions = QHBoxLayout()
        actions.addWidget(self.message, 1)
        actions.addWidget(self.attended)
        actions.addWidget(self.not_attended)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.retranslate()

    def retranslate(self) -> None:
        self.overdue_only.setText(self.tr("Only overdue"))
        self.attended.setText(self.tr("Attended"))
        self.not_attended.setText(self.tr("Did not attend"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Due"), self.tr("Patient ID"), self.tr("Name"), self.tr("Decision"),
             self.tr("Follow-up")]
        )  # fmt: skip

    def refresh(self) -> None:
        service, viewer = self.ctx.service, self.ctx.admin
        self.ctx.workers.run(
            lambda _p: service.referrals(date.today(), viewer=viewer),
            self._show,
            lambda why: self.message.show_message(why, "error"),
        )

    def _show(self, referrals: Any) -> None:
        self.everything = list(referrals)
        overdue = self.overdue_only.isChecked()
        self.shown = [
            r for r in self.everything if not overdue or r.status is ReferralStatus.OVERDUE
        ]
        words = texts.catalogue()
        self.table.show_rows(
            [
                [
                    words.long_date(referral.due),
                    referral.patient_id,
                    referral.name,
                    texts.kind_headline(referral.kind),
                    words.referral_status(referral.status),
                ]
                for referral in self.shown
            ]
        )
        if not self.shown:
            self.message.show_message(self.tr("No referrals to follow up."), "info")
        else:
            self.message.clear_message()

    def mark(self, outcome: ReferralOutcome) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.shown):
            self.message.show_message(self.tr("First touch a patient in the list."), "error")
            return
        screening_id, service = self.shown[row].screening_id, self.ctx.service
        by = self.ctx.admin or "kiosk"
        self.ctx.workers.run(
            lambda _p: service.mark_referral(screening_id, outcome, by),
            lambda _none: self.refresh(),
            lambda why: self.message.show_message(why, "error"),
        )

    def clear(self) -> None:
        self.everything, self.shown = [], []
        self.table.setRowCount(0)
        self.overdue_only.setChecked(False)
        self.message.clear_message()
