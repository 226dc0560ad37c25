"""Patient details: identifier (typed or scanned), name, date of birth, sex.

Why the date of birth is required here although the core allows none: the kiosk asks
for two identifiers (ID and date of birth) and confirms both again before any
photograph is taken, so a photograph can never be filed under the wrong patient.

With a modality worklist configured, "Today's list" fills the form from the patient the
clinic's system scheduled (bringing the name in parts, the ID's issuer, the accession
number and the study), so nothing is typed; when the list cannot be reached the operator
types as always. A returning patient is found the same way from the records: a few
letters of the name or ID, then a touch on the patient. A patient picked from either
(and not changed afterwards) is confirmed by reading their details back to them
(:mod:`~retiscreen.ui.pages.confirm`); a patient typed by hand types ID and date of
birth a second time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from retiscreen.domain import Order, Patient
from retiscreen.identity import sex_code
from retiscreen.ui import texts
from retiscreen.ui.barcode import ScanLineEdit
from retiscreen.ui.context import KioskContext
from retiscreen.ui.keyboard import OnScreenKeyboard
from retiscreen.ui.pages.base import Page
from retiscreen.ui.patient_language import PatientLanguageChoice
from retiscreen.ui.session import parse_dob
from retiscreen.ui.widgets import ConfirmButton, MessageLine, button, label, set_invalid

SEXES = ("Female", "Male", "Other")
"""Stored in English (the record's language); shown translated."""
WORKLIST, RECORDS = "worklist", "records"
"""Where a picked patient came from: the clinic's worklist, or the records (a search)."""


@dataclass(frozen=True)
class FoundPatient:
    """A returning patient a search found: shaped like a worklist entry (no order)."""

    patient: Patient
    order: Order | None = None


class PatientPage(Page):
    entered_patient = Signal(object)
    cancelled = Signal()

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.title = label("", "title")
        self.patient_id = ScanLineEdit()
        self.patient_id.setMaxLength(64)
        self.patient_id.returnPressed.connect(self._id_entered)
        self.name = QLineEdit()
        self.name.setMaxLength(120)
        self.dob = QLineEdit()
        self.name.returnPressed.connect(self.dob.setFocus)
        self.dob.setMaxLength(10)
        self.dob.setInputMethodHints(Qt.InputMethodHint.ImhPreferNumbers)
        self.dob.returnPressed.connect(self.submit)
        self.scan_note = label("", "hint")
        self.sex_buttons: dict[str | None, QPushButton] = {}
        sex_row = QHBoxLayout()
        for value in (*SEXES, None):
            choice = button("", "choice")
            choice.setCheckable(True)
            choice.clicked.connect(lambda _checked=False, v=value: self.choose_sex(v))
            self.sex_buttons[value] = choice
            sex_row.addWidget(choice)
        sex_row.addStretch(1)
        self.sex: str | None = None
        self.form = QFormLayout()
        self.form.setVerticalSpacing(14)
        self.form.setHorizontalSpacing(24)
        self.id_label, self.name_label = label(""), label("")
        self.dob_label, self.sex_label = label(""), label("")
        self.language_label = label("")
        self.language = PatientLanguageChoice()
        """The patient's language: the report's and the letter's (not the screen's)."""
        self.form.addRow(self.id_label, self.patient_id)
        self.form.addRow("", self.scan_note)
        self.form.addRow(self.name_label, self.name)
        self.form.addRow(self.dob_label, self.dob)
        self.form.addRow(self.sex_label, sex_row)
        self.form.addRow(self.language_label, self.language)
        self.worklist_button = button("", "choice", "person", on_click=self.load_worklist)
        self.worklist_button.setVisible(bool(ctx.settings.integration.worklist))
        self.search = QLineEdit()
        self.search.setMaxLength(64)
        self.search.textEdited.connect(self.find_returning)
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self._pick_only_one)
        self.operator: str | None = None
        """Who searches the records (for the audit); set when a screening starts."""
        self._searches = 0
        self.worklist = QListWidget()
        """The worklist's patients, or the returning patients a search found."""
        self.worklist.setVisible(False)
        self.worklist.itemClicked.connect(self._picked)
        self._entries: list[Any] = []
        self._listing = ""
        """What the list shows: WORKLIST or RECORDS (empty: nothing)."""
        self.picked: Any = None
        """The worklist entry (WorklistEntry) or returning patient (FoundPatient) the form
        was filled from, if any; None once the details were changed."""
        self.picked_from = ""
        """WORKLIST or RECORDS while ``picked`` is set."""
        self.message = MessageLine()
        self.cancel = ConfirmButton("", "")
        self.cancel.confirmed.connect(self.cancelled.emit)
        self.next = button("", "primary", "forward", on_click=self.submit)
        footer = QHBoxLayout()
        footer.addWidget(self.cancel)
        footer.addStretch(1)
        footer.addWidget(self.next)
        find_row = QHBoxLayout()  # beside the title: the form keeps its height
        find_row.addWidget(self.title)
        find_row.addWidget(self.search, 1)
        find_row.addWidget(self.worklist_button)
        self.body.addLayout(find_row)
        self.body.addWidget(self.worklist)
        self.body.addLayout(self.form)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.body.addLayout(footer)
        self.patient_id.scanned.connect(self._scanned)
        self.keyboard = OnScreenKeyboard([self.patient_id, self.name, self.dob, self.search], self)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Patient details"))
        self.id_label.setText(self.tr("Patient ID"))
        self.name_label.setText(self.tr("Full name"))
        self.dob_label.setText(self.tr("Date of birth"))
        self.sex_label.setText(self.tr("Sex"))
        self.language_label.setText(self.tr("Report language"))
        self.patient_id.setPlaceholderText(self.tr("Type or scan the ID card or wristband"))
        self.dob.setPlaceholderText(self.tr("e.g. 24/03/1958 or 1958-03-24"))
        words = {
            "Female": self.tr("Female"),
            "Male": self.tr("Male"),
            "Other": self.tr("Other"),
            None: self.tr("Not stated"),
        }
        for value, choice in self.sex_buttons.items():
            choice.setText(words[value])
        self.cancel.set_texts(self.tr("Cancel screening"), self.tr("Touch again to cancel"))
        self.next.setText(self.tr("Continue"))
        self.worklist_button.setText(self.tr("Pick from today's list"))
        self.search.setPlaceholderText(
            self.tr("Returning patient? Type part of the name or ID to find them")
        )
        self._note(
            self.tr("ID scanned.") if self.patient_id.was_scanned and self.patient_id.text() else ""
        )

    def entered(self) -> None:
        self.patient_id.setFocus()
        self.keyboard.open_for(self.patient_id)

    def left(self) -> None:
        self.keyboard.close_keyboard()

    def _scanned(self, _text: str) -> None:
        self._note(self.tr("ID scanned."))

    def _note(self, text: str) -> None:
        self.scan_note.setText(text)
        self.form.setRowVisible(self.scan_note, bool(text))

    def _id_entered(self) -> None:
        self.name.setFocus()

    def choose_sex(self, value: str | None) -> None:
        self.sex = value
        for each, choice in self.sex_buttons.items():
            choice.setChecked(each == value)

    @property
    def order(self) -> Order | None:
        """The order of the worklist entry picked, while the form still shows it."""
        return self.picked.order if self.picked is not None else None

    def load_worklist(self) -> None:
        """Ask the worklist for today's patients (off the GUI thread)."""
        from retiscreen.integration.worklist import query_worklist

        settings = self.ctx.settings.integration
        self.worklist_button.setEnabled(False)
        self.message.show_message(self.tr("Asking for today's list…"), "info")
        self.ctx.workers.run(
            lambda _progress: query_worklist(settings, date.today()),
            on_done=self._show_worklist,
            on_failed=self._worklist_failed,
        )

    def _show_worklist(self, entries: list[Any]) -> None:
        self.worklist_button.setEnabled(True)
        self._list(WORKLIST, list(entries), [entry.line() for entry in entries])
        if not self._entries:
            self.message.show_message(
                self.tr("Nobody is on today's list. Type the patient's details."), "info"
            )

    def _worklist_failed(self, _why: str) -> None:
        # The reason (an address, a status code) is in the log; the operator types instead.
        self.worklist_button.setEnabled(True)
        self.message.show_message(
            self.tr("Today's list cannot be reached. Type the patient's details."), "warning"
        )

    def find_returning(self, text: str) -> None:
        """Look the typed letters up in the records (off the GUI thread); only the answer
        to the newest search is shown."""
        self._searches += 1
        search = self._searches
        if len(text.strip()) < 2:
            self._forget_found()
            return
        service, operator = self.ctx.service, self.operator
        self.ctx.workers.run(
            lambda _progress: service.find_patients(text, operator),
            on_done=lambda found: self._show_found(search, found),
            on_failed=lambda why: self._search_failed(search, why),
        )

    def _show_found(self, search: int, found: list[Patient]) -> None:
        if search != self._searches:
            return  # an older search answered after a newer one started
        entries = [FoundPatient(patient) for patient in found]
        self._list(RECORDS, entries, [self._found_line(patient) for patient in found])
        if not found:
            self.message.show_message(
                self.tr("No patient on file matches. Check the spelling, or type the details."),
                "info",
            )

    def _found_line(self, patient: Patient) -> str:
        born = texts.long_date(patient.date_of_birth) if patient.date_of_birth else "?"
        return self.tr("{name} · ID {id} · born {date}").format(
            name=patient.name, id=patient.patient_id, date=born
        )

    def _search_failed(self, search: int, why: str) -> None:
        if search == self._searches:
            self._forget_found()
            self.message.show_message(why, "error")

    def _search_changed(self, text: str) -> None:
        if not text:  # emptied (also by clear()): the list of found patients goes
            self._forget_found()

    def _forget_found(self) -> None:
        self._searches += 1
        if self._listing == RECORDS:
            self._list("", [], [])
            self.message.clear_message()

    def _pick_only_one(self) -> None:
        """Enter in the search box picks the patient when only one was found."""
        if self._listing == RECORDS and len(self._entries) == 1:
            self._picked(self.worklist.item(0))

    def _list(self, listing: str, entries: list[Any], lines: list[str]) -> None:
        self._listing, self._entries = listing, entries
        self.worklist.clear()
        for line in lines:
            self.worklist.addItem(QListWidgetItem(line))
        self.worklist.setVisible(bool(entries))
        if entries:
            self.message.show_message(self.tr("Touch the patient in the list."), "info")

    def _picked(self, item: QListWidgetItem) -> None:
        entry = self._entries[self.worklist.row(item)]
        picked_from = self._listing
        self.fill(entry.patient)
        self.picked, self.picked_from = entry, picked_from
        self._listing, self._entries = "", []
        self.next.setFocus()  # not a text box: focus there would bring the keyboard back
        self.worklist.clear()
        self.worklist.setVisible(False)
        self.keyboard.close_keyboard()  # the details and "Continue" must show
        self.message.show_message(self.tr("Check the details with the patient."), "info")

    def clear(self) -> None:
        self.picked, self.picked_from = None, ""
        self._searches += 1
        self._listing, self._entries = "", []
        self.search.clear()
        self.worklist.clear()
        self.worklist.setVisible(False)
        self.worklist_button.setVisible(bool(self.ctx.settings.integration.worklist))
        for field in (self.patient_id, self.name, self.dob):
            field.clear()
            set_invalid(field, False)
        self.patient_id.was_scanned = False
        self._note("")
        self.choose_sex(None)
        self.sex_buttons[None].setChecked(False)
        self.language.reset()
        self.message.clear_message()
        self.cancel.disarm()

    def fill(self, patient: Patient) -> None:
        """Show a patient again (going back from the confirmation page)."""
        self.patient_id.setText(patient.patient_id)
        self.name.setText(patient.name)
        self.dob.setText(patient.date_of_birth.isoformat() if patient.date_of_birth else "")
        self.choose_sex({"F": "Female", "M": "Male", "O": "Other"}.get(sex_code(patient.sex) or ""))

    def submit(self) -> None:
        self.keyboard.close_keyboard()  # the outcome (a message, or the next page) shows
        problems: list[str] = []
        patient_id = " ".join(self.patient_id.text().split())
        name = " ".join(self.name.text().split())
        dob = parse_dob(self.dob.text())
        set_invalid(self.patient_id, not patient_id)
        set_invalid(self.name, not name)
        set_invalid(self.dob, dob is None)
        if not patient_id:
            problems.append(self.tr("Type or scan the patient ID."))
        if not name:
            problems.append(self.tr("Type the patient's full name."))
        if dob is None:
            problems.append(
                self.tr(
                    "Type a real date of birth, for example 24/03/1958 (day/month/year) or "
                    "1958-03-24."
                )
            )
        if problems:
            self.message.show_message(" ".join(problems), "error")
            return
        self.message.clear_message()
        typed = Patient(patient_id, name, dob, self.sex)
        picked = self.picked.patient if self.picked is not None else None
        if picked is not None and (picked.patient_id, picked.name, picked.date_of_birth) == (
            patient_id,
            name,
            dob,
        ):
            typed = replace(picked, sex=self.sex)  # keeps the name's parts and the issuer
        else:
            # the details were changed: no longer the patient picked, so typed by hand
            self.picked, self.picked_from = None, ""
        self.entered_patient.emit(typed)
