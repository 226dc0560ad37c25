"""Home: clinic, system status in plain words, language choice, start a screening.

Why the status lines: an operator must know before photographing a patient that the
grader is missing or the printer is off, not after. They stand beside the start button,
where the operator looks, in a column that scrolls, so the page fits a 1024×600 panel.
Nothing here holds patient data.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from retiscreen.errors import RetiScreenError
from retiscreen.service import PrinterStatus
from retiscreen.ui.context import KioskContext
from retiscreen.ui.devices import device_name
from retiscreen.ui.i18n import LANGUAGES
from retiscreen.ui.pages.base import Page
from retiscreen.ui.widgets import MessageLine, TouchScroll, button, label


class HomePage(Page):
    start_requested = Signal()
    admin_requested = Signal()
    overread_requested = Signal()
    sign_out_requested = Signal()
    language_chosen = Signal(str)

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.operator: str | None = None
        self.operator_may_review = False
        self._printer: PrinterStatus | None = None
        self._checking_printer = False
        self.logo = QLabel()
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clinic = label("", "title")
        self.clinic.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = label("", "subtitle")
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.demo_banner = MessageLine()
        self.model_status = MessageLine()
        self.camera_status = MessageLine()
        self.printer_status = MessageLine()
        self.queue_status = MessageLine()
        self.send_status = MessageLine()
        self.start = button("", "primary", "eye", on_click=self.start_requested.emit)
        self.start.setStyleSheet("font-size: 36px; min-height: 110px;")  # the sheet's wins
        self.language_buttons: dict[str, QPushButton] = {}
        languages = QHBoxLayout()
        for code, name in LANGUAGES.items():
            choice = button(name, "choice")  # no globe icons: three fit beside the status
            choice.setCheckable(True)
            choice.clicked.connect(lambda _checked=False, c=code: self.language_chosen.emit(c))
            self.language_buttons[code] = choice
            languages.addWidget(choice)
        self.signed_in = label("", "hint")
        self.sign_out = button("", "small", on_click=self.sign_out_requested.emit)
        self.admin = button("", "small", "settings", on_click=self.admin_requested.emit)
        self.overread = button("", "small", on_click=self.overread_requested.emit)
        bottom = QHBoxLayout()
        bottom.addWidget(self.signed_in)
        bottom.addWidget(self.sign_out)
        bottom.addStretch(1)
        bottom.addWidget(self.overread)
        bottom.addWidget(self.admin)
        start = QVBoxLayout()
        start.addStretch(1)
        start.addWidget(self.start)
        start.addLayout(languages)
        start.addStretch(1)
        middle = QHBoxLayout()
        middle.setSpacing(24)
        middle.addLayout(start, 3)  # the wider side: the three language names must fit
        middle.addWidget(self._status_column(), 2)
        self.body.setSpacing(12)
        self.body.addWidget(self.logo)
        self.body.addWidget(self.clinic)
        self.body.addWidget(self.subtitle)
        self.body.addWidget(self.demo_banner)
        self.body.addLayout(middle, 1)
        self.body.addLayout(bottom)
        ctx.settings_changed.connect(self.retranslate)
        ctx.camera_changed.connect(self.retranslate)
        self.retranslate()

    def _status_column(self) -> TouchScroll:
        """The status lines beside the start button, in a column that scrolls when a
        small panel cannot show them all (they hold no controls, only words)."""
        lines = QWidget()
        column = QVBoxLayout(lines)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        for line in (
            self.model_status,
            self.camera_status,
            self.printer_status,
            self.queue_status,
            self.send_status,
        ):
            column.addWidget(line)
        column.addStretch(1)
        return TouchScroll(lines)

    def set_operator(self, name: str | None, may_review: bool = False) -> None:
        """Who is signed in to screen; an operator (who may not over-read) sees no
        over-read button while signed in."""
        self.operator = name
        self.operator_may_review = may_review
        self.retranslate()

    def set_language(self, code: str) -> None:
        for each, choice in self.language_buttons.items():
            choice.setChecked(each == code)

    def retranslate(self) -> None:
        settings = self.ctx.settings
        self.clinic.setText(settings.clinic.name)
        logo = QPixmap(settings.clinic.logo) if settings.clinic.logo else QPixmap()
        self.logo.setVisible(not logo.isNull())
        if not logo.isNull():
            self.logo.setPixmap(logo.scaledToHeight(96, Qt.TransformationMode.SmoothTransformation))
        self.subtitle.setText(self.tr("Diabetic eye screening"))
        self.start.setText(self.tr("Start screening"))
        self.admin.setText(self.tr("Administration"))
        self.overread.setText(self.tr("Over-read"))
        self.overread.setVisible(self.operator is None or self.operator_may_review)
        self.sign_out.setText(self.tr("Sign out"))
        self.sign_out.setVisible(self.operator is not None)
        self.signed_in.setText(
            self.tr("Signed in: {name}").format(name=self.operator) if self.operator else ""
        )
        self.demo_banner.show_message(
            self.tr(
                "DEMONSTRATION MODE: the camera shows sample photographs. Do not use for patients."
            )
            if self.ctx.demo
            else "",
            "warning",
        )
        models = self.ctx.service.model_status()
        if models.unavailable:
            self.model_status.show_message(
                self.tr(
                    "Grading is unavailable ({why}). Photographs are still checked and saved, and "
                    "every patient is referred for an eye examination."
                ).format(why=models.unavailable),
                "error",
            )
        else:
            identity = models.grader
            text = self.tr("Grading model ready: {name} {version}.").format(
                name=identity.name if identity else "", version=identity.version if identity else ""
            )
            self.model_status.show_message(text, "ok")
        if self.ctx.device is not None:
            self.camera_status.show_message(
                self.tr("Camera: {name}.").format(name=device_name(self.ctx.device)), "ok"
            )
        else:
            problem = self.ctx.camera_problem or self.tr("No camera is configured.")
            self.camera_status.show_message(
                self.tr(
                    "{problem} Photographs can be imported from a file or the watched folder."
                ).format(problem=problem),
                "warning",
            )
        self._show_printer()
        self._show_queue()
        self.show_sends()

    def show_sends(self) -> None:
        """Results the clinic's systems have not taken yet stay visible until they have."""
        try:
            waiting = len(self.ctx.service.failing_sends())
        except RetiScreenError:
            waiting = 0
        self.send_status.show_message(
            self.tr(
                "{count} result(s) could not be sent to the clinic's systems yet. They are "
                "kept and sent again automatically; IT can check the connection."
            ).format(count=waiting)
            if waiting
            else "",
            "warning",
        )

    def _show_queue(self) -> None:
        """Print jobs that gave up stay visible here until someone prints them again."""
        try:
            failed = len(self.ctx.service.failed_print_jobs())
        except RetiScreenError:
            failed = 0  # the records' own problem is shown when saving
        self.queue_status.show_message(
            self.tr(
                "{count} report(s) could not be printed after repeated tries. Open "
                "Administration to print them again."
            ).format(count=failed)
            if failed
            else "",
            "error",
        )

    def _show_printer(self) -> None:
        status = self._printer
        if status is None:
            self.printer_status.show_message(self.tr("Checking the printer…"), "info")
        elif status.ready:
            self.printer_status.show_message(
                self.tr("Printer {name} is ready.").format(name=status.name), "ok"
            )
        elif status.name is None and status.problem is None:
            self.printer_status.show_message(
                self.tr("No printer is set up. Reports are saved and queued for printing."),
                "warning",
            )
        elif status.name is None:
            self.printer_status.show_message(
                self.tr(
                    "Printing is not available: {why} Reports are saved and queued for printing."
                ).format(why=status.problem),
                "warning",
            )
        else:
            states = {
                "not found": self.tr("not found"),
                "stopped": self.tr("stopped"),
                "not accepting jobs": self.tr("not accepting jobs"),
            }
            why = states.get(status.problem or "", status.problem or "")
            self.printer_status.show_message(
                self.tr(
                    "Printer {name} is not available ({why}). Reports are saved and queued for "
                    "printing."
                ).format(name=status.name or "", why=why),
                "warning",
            )

    def entered(self) -> None:
        self._show_queue()
        self.show_sends()
        self.refresh_printer()

    def refresh_printer(self) -> None:
        if self._checking_printer:
            return
        self._checking_printer = True
        service = self.ctx.service
        self.ctx.workers.run(
            lambda _p: service.printer_status(), self._printer_checked, self._printer_failed
        )

    def _printer_checked(self, status: Any) -> None:
        self._checking_printer = False
        self._printer = status
        self._show_printer()

    def _printer_failed(self, message: str) -> None:
        self._checking_printer = False
        self._printer = PrinterStatus(False, None, message)
        self._show_printer()
