"""Administration: search past screenings, print a report again, export to CSV.

Why here and not on the home screen: the list shows other patients' names, so it sits
behind the admin PIN and is emptied when the admin screen closes.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from retiscreen.domain import DecisionKind
from retiscreen.ui import screening_job as job
from retiscreen.ui import texts
from retiscreen.ui.context import KioskContext
from retiscreen.ui.file_picker import FilePicker, removable_roots
from retiscreen.ui.keyboard import OnScreenKeyboard
from retiscreen.ui.widgets import MessageLine, TouchTable, button

LIMIT = 200


class HistoryTab(QWidget):
    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[dict[str, Any]] = []
        self.picker: FilePicker | None = None
        self.search = QLineEdit()
        self.search.returnPressed.connect(self.refresh)
        self.find_button = button("", "small", on_click=self.refresh)
        self.table = TouchTable(4)
        self.reprint = button("", "", "printer", on_click=self.reprint_selected)
        self.export = button("", "", "folder", on_click=self.choose_export_folder)
        self.message = MessageLine()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.find_button)
        actions = QHBoxLayout()
        actions.addWidget(self.message, 1)
        actions.addWidget(self.reprint)
        actions.addWidget(self.export)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self.keyboard = OnScreenKeyboard([self.search], self)
        self.retranslate()

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search by patient ID, name or screening"))
        self.find_button.setText(self.tr("Search"))
        self.reprint.setText(self.tr("Print report again"))
        self.export.setText(self.tr("Export all to CSV…"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Date"), self.tr("Patient ID"), self.tr("Name"), self.tr("Decision")]
        )

    def refresh(self) -> None:
        self.keyboard.close_keyboard()  # show the results
        service, text, viewer = self.ctx.service, self.search.text().strip() or None, self.ctx.admin
        self.ctx.workers.run(
            lambda _p: service.history(limit=LIMIT, search=text, viewer=viewer),
            self._show,
            lambda why: self.message.show_message(why, "error"),
        )

    def _show(self, rows: Any) -> None:
        self.rows = list(rows)
        self.table.show_rows(
            [
                [
                    str(row.get("started_at", ""))[:16].replace("T", " "),
                    str(row.get("patient_id", "")),
                    str(row.get("name", "")),
                    # the decision in force: a reviewer's over-read, else the AI's
                    texts.kind_headline(
                        DecisionKind(row.get("review_decision_kind") or row["decision_kind"])
                    ),
                ]
                for row in self.rows
            ]
        )
        if not self.rows:
            self.message.show_message(self.tr("No screenings found."), "info")
        else:
            self.message.clear_message()

    def selected_id(self) -> str | None:
        row = self.table.currentRow()
        return str(self.rows[row]["screening_id"]) if 0 <= row < len(self.rows) else None

    def reprint_selected(self) -> None:
        screening_id = self.selected_id()
        if screening_id is None:
            self.message.show_message(self.tr("First touch a screening in the list."), "error")
            return
        service = self.ctx.service
        self.message.show_message(self.tr("Printing…"), "info")
        self.ctx.workers.run(
            lambda _p: job.reprint(service, screening_id),
            lambda outcome: self.message.show_message(
                texts.print_message(outcome), "ok" if outcome.printed else "warning"
            ),
            lambda why: self.message.show_message(why, "error"),
        )
        self.ctx.audit("report_reprinted", operator=self.ctx.admin, screening=screening_id)

    def choose_export_folder(self) -> None:
        drives = removable_roots()
        start = drives[0] if drives else Path.home()
        picker = FilePicker(
            start, [(self.tr("Home folder"), Path.home())], folders=True, parent=self.window()
        )
        picker.chosen.connect(self.export_to)
        picker.finished.connect(picker.deleteLater)
        picker.setGeometry(self.window().geometry())
        self.picker = picker
        picker.open()

    def export_to(self, folder: object) -> None:
        if not isinstance(folder, Path):
            return
        target = folder / f"retiscreen-export-{datetime.now():%Y%m%d-%H%M%S}.csv"
        service = self.ctx.service
        self.message.show_message(self.tr("Exporting…"), "info")
        self.ctx.workers.run(
            lambda _p: service.export_csv(target),
            lambda count: self.message.show_message(
                self.tr("Exported {count} rows to {path}.").format(count=count, path=target), "ok"
            ),
            lambda why: self.message.show_message(why, "error"),
        )

    def clear(self) -> None:
        self.keyboard.close_keyboard()
        self.rows = []
        self.table.setRowCount(0)
        self.search.clear()
        self.message.clear_message()
