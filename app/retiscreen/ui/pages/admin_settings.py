"""Administration: clinic, kiosk, printer, camera and referral settings.

Why only these: they are what a clinic changes on site. Everything is written to the
settings TOML file (only changed keys) and applied to the running kiosk at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from retiscreen.report.printing import list_printers, submit_to_cups
from retiscreen.settings import SettingsError
from retiscreen.ui import screening_job as job
from retiscreen.ui import texts
from retiscreen.ui.context import KioskContext
from retiscreen.ui.devices import camera_choices
from retiscreen.ui.file_picker import FilePicker
from retiscreen.ui.i18n import LANGUAGES
from retiscreen.ui.keyboard import OnScreenKeyboard
from retiscreen.ui.settings_file import Changes
from retiscreen.ui.widgets import MessageLine, Stepper, button, label

DEFAULT_PRINTER = ""


def write_test_page(path: Path, clinic: str) -> Path:
    """A one-page PDF that proves the printer works (no patient data on it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(20, 20, 20, 20), QPageLayout.Unit.Millimeter)
    writer.setTitle("RetiScreen test page")
    painter = QPainter(writer)
    font = QFont("DejaVu Sans")
    font.setPointSize(28)
    painter.setFont(font)
    painter.drawText(0, 600, "RetiScreen printer test page")
    font.setPointSize(14)
    painter.setFont(font)
    painter.drawText(0, 1400, clinic)
    painter.drawText(0, 1900, "If you can read this, reports will print on this printer.")
    painter.end()
    return path


class SettingsTab(QWidget):
    """The settings form; ``load()`` fills it from the running settings."""

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.logo_path = ""
        self.watch_folder = ""
        self._language = ctx.settings.kiosk.language
        self._picker: FilePicker | None = None
        self.clinic_name = QLineEdit()
        self.logo_label = label("", "hint")
        self.choose_logo = button("", "small", on_click=self._pick_logo)
        self.remove_logo = button("", "small", on_click=lambda: self._set_logo(""))
        self.idle = Stepper(15, 1800, 15)
        self.retakes = Stepper(0, 10)
        self.fields = Stepper(1, 2)
        """Photographs per eye: 2 = disc-centred and macula-centred."""
        self.language_buttons: dict[str, QPushButton] = {}
        self.printer = QComboBox()
        self.test_page = button("", "small", "printer", on_click=self.print_test_page)
        self.retry_queue = button("", "small", on_click=self.retry_print_queue)
        self.camera = QComboBox()
        self.watch_label = label("", "hint")
        self.choose_watch = button("", "small", "folder", on_click=self._pick_watch)
        self.remove_watch = button("", "small", on_click=lambda: self._set_watch(""))
        self.rescreen = Stepper(1, 36)
        self.refer = Stepper(1, 12)
        self.urgent = Stepper(1, 8)
        self.ungradable = Stepper(1, 12)
        self.save = button("", "primary", "check", on_click=self.save_settings)
        self.message = MessageLine()

        form = QFormLayout()
        form.setVerticalSpacing(12)
        form.setHorizontalSpacing(24)
        self.labels: dict[str, Any] = {}

        def row(key: str, widget: Any) -> None:
            self.labels[key] = label("")
            form.addRow(self.labels[key], widget)

        def line(*widgets: QWidget) -> QWidget:
            holder = QWidget()
            layout = QHBoxLayout(holder)
            layout.setContentsMargins(0, 0, 0, 0)
            for widget in widgets:
                layout.addWidget(widget)
            layout.addStretch(1)
            return holder

        languages = QWidget()
        language_row = QHBoxLayout(languages)
        language_row.setContentsMargins(0, 0, 0, 0)
        for code, name in LANGUAGES.items():
            choice = button(name, "choice")
            choice.setCheckable(True)
            choice.clicked.connect(lambda _c=False, c=code: self._choose_language(c))
            self.language_buttons[code] = choice
            language_row.addWidget(choice)
        language_row.addStretch(1)
        row("clinic", self.clinic_name)
        row("logo", line(self.logo_label, self.choose_logo, self.remove_logo))
        row("idle", self.idle)
        row("language", languages)
        row("retakes", self.retakes)
        row("fields", self.fields)
        row("printer", self.printer)
        row("printer_actions", line(self.test_page, self.retry_queue))
        row("camera", self.camera)
        row("watch", line(self.watch_label, self.choose_watch, self.remove_watch))
        row("rescreen", self.rescreen)
        row("refer", self.refer)
        row("urgent", self.urgent)
        row("ungradable", self.ungradable)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.addLayout(form)
        inner_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        QScroller.grabGesture(scroll.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        footer = QHBoxLayout()
        footer.addWidget(self.message, 1)
        footer.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(footer)
        self.keyboard = OnScreenKeyboard([self.clinic_name], self)
        self.clinic_name.returnPressed.connect(self.keyboard.close_keyboard)
        self.retranslate()

    def retranslate(self) -> None:
        names = {
            "clinic": self.tr("Clinic name"),
            "logo": self.tr("Clinic logo"),
            "idle": self.tr("Clear the screen after (seconds without a touch)"),
            "language": self.tr("Language at start"),
            "retakes": self.tr("Retakes allowed per eye"),
            "fields": self.tr("Photographs per eye (2: disc- and macula-centred)"),
            "printer": self.tr("Printer"),
            "printer_actions": "",
            "camera": self.tr("Camera"),
            "watch": self.tr("Watched folder"),
            "rescreen": self.tr("No referable DR: rescreen after (months)"),
            "refer": self.tr("Referable DR: see a specialist within (months)"),
            "urgent": self.tr("Sight-threatening DR: urgent, within (weeks)"),
            "ungradable": self.tr("Ungradable: eye examination within (months)"),
        }
        for key, widget in self.labels.items():
            widget.setText(names[key])
        self.choose_logo.setText(self.tr("Choose…"))
        self.remove_logo.setText(self.tr("None"))
        self.choose_watch.setText(self.tr("Choose…"))
        self.remove_watch.setText(self.tr("None"))
        self.test_page.setText(self.tr("Print a test page"))
        self.retry_queue.setText(self.tr("Print queued reports now"))
        self.save.setText(self.tr("Save settings"))
        self._set_logo(self.logo_path)
        self._set_watch(self.watch_folder)

    # ------------------------------------------------------------ load / save

    def load(self) -> None:
        settings = self.ctx.settings
        self.clinic_name.setText(settings.clinic.name)
        self._set_logo(settings.clinic.logo)
        self.idle.set_value(settings.kiosk.idle_timeout_s)
        self.retakes.set_value(settings.capture.max_retakes)
        self.fields.set_value(settings.capture.fields_per_eye)
        self._choose_language(settings.kiosk.language)
        self.rescreen.set_value(settings.rules.rescreen_months)
        self.refer.set_value(settings.rules.refer_months)
        self.urgent.set_value(settings.rules.urgent_weeks)
        self.ungradable.set_value(settings.rules.ungradable_months)
        self._set_watch(settings.capture.watch_folder)
        self.camera.clear()
        for value, text in camera_choices(settings.capture.camera):
            self.camera.addItem(text, value)
        self.camera.setCurrentIndex(max(0, self.camera.findData(settings.capture.camera)))
        self._fill_printers([])
        self.ctx.workers.run(
            lambda _p: list_printers(), self._fill_printers, lambda _m: self._fill_printers([])
        )
        self.message.clear_message()

    def _fill_printers(self, names: Any) -> None:
        current = self.ctx.settings.report.printer
        self.printer.clear()
        self.printer.addItem(self.tr("System default printer"), DEFAULT_PRINTER)
        for name in [*names, current] if current and current not in names else names:
            self.printer.addItem(name, name)
        self.printer.setCurrentIndex(max(0, self.printer.findData(current)))

    def changes(self) -> Changes:
        """Only the settings that differ from the running ones."""
        settings = self.ctx.settings
        wanted: Changes = {
            "clinic": {
                "name": self.clinic_name.text().strip() or settings.clinic.name,
                "logo": self.logo_path,
            },
            "kiosk": {"idle_timeout_s": self.idle.value(), "language": self._language},
            "capture": {
                "max_retakes": self.retakes.value(),
                "fields_per_eye": self.fields.value(),
                "camera": str(self.camera.currentData() or ""),
                "watch_folder": self.watch_folder,
            },
            "report": {"printer": str(self.printer.currentData() or "")},
            "rules": {
                "rescreen_months": self.rescreen.value(),
                "refer_months": self.refer.value(),
                "urgent_weeks": self.urgent.value(),
                "ungradable_months": self.ungradable.value(),
            },
        }
        changed: Changes = {}
        for section, values in wanted.items():
            current = getattr(settings, section)
            diff = {k: v for k, v in values.items() if getattr(current, k) != v}
            if diff:
                changed[section] = diff
        return changed

    def save_settings(self) -> None:
        changes = self.changes()
        if not changes:
            self.message.show_message(self.tr("Nothing changed."), "info")
            return
        try:
            self.ctx.update_settings(changes)
        except (OSError, SettingsError) as exc:
            self.message.show_message(
                self.tr("The settings could NOT be saved: {why}").format(why=exc), "error"
            )
            return
        self.ctx.audit(
            "settings_changed",
            operator=self.ctx.admin,
            changed=sorted(f"{s}.{k}" for s, v in changes.items() for k in v),
        )
        self.message.show_message(
            self.tr("Saved to {path}.").format(path=self.ctx.settings_path), "ok"
        )

    # ------------------------------------------------------------ helpers

    def _choose_language(self, code: str) -> None:
        self._language = code
        for each, choice in self.language_buttons.items():
            choice.setChecked(each == code)

    def _set_logo(self, path: str) -> None:
        self.logo_path = path
        self.logo_label.setText(path or self.tr("No logo"))

    def _set_watch(self, path: str) -> None:
        self.watch_folder = path
        self.watch_label.setText(path or self.tr("No watched folder"))

    def _open_picker(self, start: Path, folders: bool, chosen: Any) -> None:
        picker = FilePicker(
            start, [(self.tr("Home folder"), Path.home())], folders=folders, parent=self.window()
        )
        picker.chosen.connect(chosen)
        picker.finished.connect(picker.deleteLater)
        picker.setGeometry(self.window().geometry())
        self._picker = picker
        picker.open()

    def _pick_logo(self) -> None:
        start = Path(self.logo_path).parent if self.logo_path else Path.home()
        self._open_picker(start, False, lambda path: self._set_logo(str(path)))

    def _pick_watch(self) -> None:
        start = Path(self.watch_folder) if self.watch_folder else Path.home()
        self._open_picker(start, True, lambda path: self._set_watch(str(path)))

    def print_test_page(self) -> None:
        printer = str(self.printer.currentData() or "") or None
        path = write_test_page(
            self.ctx.settings.storage.root / "test-page.pdf", self.ctx.settings.clinic.name
        )
        self.message.show_message(self.tr("Printing a test page…"), "info")
        self.ctx.workers.run(
            lambda _p: submit_to_cups(path, printer, 1, "RetiScreen test page"),
            lambda job_id: self.message.show_message(
                self.tr("Test page sent (job {job}).").format(job=job_id), "ok"
            ),
            lambda why: self.message.show_message(
                self.tr("The test page could not be printed: {why}").format(why=why), "error"
            ),
        )

    def retry_print_queue(self) -> None:
        service = self.ctx.service
        self.message.show_message(self.tr("Printing queued reports…"), "info")
        self.ctx.workers.run(
            lambda _p: job.retry_queue(service, include_failed=True),
            self._retried,
            lambda why: self.message.show_message(why, "error"),
        )

    def _retried(self, outcomes: Any) -> None:
        printed = sum(1 for o in outcomes if o.printed)
        waiting = len(outcomes) - printed
        text = self.tr("{printed} queued report(s) printed, {waiting} still waiting.").format(
            printed=printed, waiting=waiting
        )
        if waiting:
            text += " " + texts.print_message(outcomes[-1])
        self.message.show_message(text, "warning" if waiting else "ok")
