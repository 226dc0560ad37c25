"""Confirm the patient before any photograph: typed twice, or read back.

Why again: a wrong wristband, a mistyped digit or the previous patient's card is the
commonest way a result reaches the wrong person.

* A patient typed by hand: the ID and date of birth are entered a second time and
  compared with the first; a mismatch is shown plainly and photographs cannot start
  until both agree. The date typed is read back in words as it is typed ("3 April
  1961"), because 03/04 means March to some and April to others.
* A patient picked from the records (a search) or from the clinic's worklist, whose
  details nobody typed: retyping would only compare the record with itself. What can go
  wrong is picking the wrong person, so the details are read back instead (full name,
  ID, date of birth in words) and the operator asks the patient to say their name and
  date of birth and checks the wristband; one touch on "Yes, this is the patient"
  confirms (positive patient identification with two identifiers, as wards do it).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QWidget

from retiscreen.domain import Patient
from retiscreen.ui import texts
from retiscreen.ui.barcode import ScanLineEdit
from retiscreen.ui.context import KioskContext
from retiscreen.ui.keyboard import OnScreenKeyboard
from retiscreen.ui.pages.base import Page
from retiscreen.ui.session import normalise_id, parse_dob
from retiscreen.ui.widgets import MessageLine, button, label, set_invalid


class ConfirmPage(Page):
    confirmed = Signal()
    back_requested = Signal()

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.patient: Patient | None = None
        self.read_back = False
        """The patient was picked (records or worklist): read back, not typed again."""
        self.mismatches = 0
        self.title = label("", "title")
        self.instruction = label("")
        self.name = label("", "subtitle")
        self.details = label("", "subtitle")
        """The read-back: ID, date of birth in words, sex."""
        self.patient_id = ScanLineEdit()
        self.dob = QLineEdit()
        self.patient_id.returnPressed.connect(self.dob.setFocus)
        self.dob.returnPressed.connect(self.submit)
        self.id_label, self.dob_label = label(""), label("")
        self.dob_read = label("", "hint")
        self.dob.textChanged.connect(self._read_back)
        self.form = form = QFormLayout()
        form.setVerticalSpacing(14)
        form.addRow(self.id_label, self.patient_id)
        form.addRow(self.dob_label, self.dob)
        form.addRow("", self.dob_read)
        self.message = MessageLine()
        self.back = button("", "", "back", on_click=self.back_requested.emit)
        self.ok = button("", "primary", "check", on_click=self.submit)
        footer = QHBoxLayout()
        footer.addWidget(self.back)
        footer.addStretch(1)
        footer.addWidget(self.ok)
        self.body.addWidget(self.title)
        self.body.addWidget(self.instruction)
        self.body.addWidget(self.name)
        self.body.addWidget(self.details)
        self.body.addLayout(form)
        self.body.addWidget(self.message)
        self.body.addStretch(1)
        self.body.addLayout(footer)
        self.keyboard = OnScreenKeyboard([self.patient_id, self.dob], self)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Confirm the patient"))
        if self.read_back:
            self.instruction.setText(
                self.tr(
                    "Ask the patient to say their full name and date of birth, and check the "
                    "ID card or wristband against the details below. Touch “Yes” only if "
                    "everything agrees."
                )
            )
        else:
            self.instruction.setText(
                self.tr(
                    "Ask the patient to say their full name and date of birth, and check the "
                    "ID card or wristband. Then scan or type the ID again and type the date of "
                    "birth again."
                )
            )
        self.id_label.setText(self.tr("Patient ID again"))
        self.dob_label.setText(self.tr("Date of birth again"))
        self.patient_id.setPlaceholderText(self.tr("Scan or type the ID"))
        self.dob.setPlaceholderText(self.tr("e.g. 24/03/1958 or 1958-03-24"))
        self.back.setText(
            self.tr("No: back to the details")
            if self.read_back
            else self.tr("Back: correct the details")
        )
        self.ok.setText(
            self.tr("Yes, this is the patient")
            if self.read_back
            else self.tr("Confirm and take photographs")
        )
        self._show_name()
        self._read_back(self.dob.text())

    def _read_back(self, text: str) -> None:
        """The date as understood, in words, so the operator can check it aloud."""
        day = parse_dob(text)
        if day is not None:
            self.dob_read.setText(self.tr("Read as: {date}").format(date=texts.long_date(day)))
        elif text.strip():
            self.dob_read.setText(self.tr("Not a date yet: day, month, year, e.g. 24/03/1958"))
        else:
            self.dob_read.clear()

    def _show_name(self) -> None:
        patient = self.patient
        self.name.setText(self.tr("Patient: {name}").format(name=patient.name) if patient else "")
        if patient is None or not self.read_back:
            self.details.clear()
        else:
            born = texts.long_date(patient.date_of_birth) if patient.date_of_birth else "?"
            self.details.setText(
                self.tr("ID: {id}\nDate of birth: {date}").format(id=patient.patient_id, date=born)
            )
        self.details.setVisible(bool(self.details.text()))
        for row in (self.patient_id, self.dob, self.dob_read):
            self.form.setRowVisible(row, not self.read_back)

    def set_patient(self, patient: Patient, read_back: bool = False) -> None:
        """The patient to confirm; ``read_back`` for one picked from the records or the
        worklist (nothing typed), else the ID and date of birth are typed again."""
        self.clear()
        self.patient = patient
        self.read_back = read_back
        self.retranslate()

    @property
    def method(self) -> str:
        """How the patient was confirmed, for the audit."""
        return "read_back" if self.read_back else "typed_twice"

    def entered(self) -> None:
        if self.read_back:
            self.ok.setFocus()
            return
        self.patient_id.setFocus()
        self.keyboard.open_for(self.patient_id)

    def left(self) -> None:
        self.keyboard.close_keyboard()

    def clear(self) -> None:
        self.patient = None
        self.read_back = False
        self.mismatches = 0
        for field in (self.patient_id, self.dob):
            field.clear()
            set_invalid(field, False)
        self.message.clear_message()
        self.retranslate()

    def submit(self) -> None:
        self.keyboard.close_keyboard()  # the outcome (a message, or the next page) shows
        if self.patient is None:
            return
        if self.read_back:  # the operator checked the details with the patient
            self.message.clear_message()
            self.confirmed.emit()
            return
        id_ok = normalise_id(self.patient_id.text()) == normalise_id(self.patient.patient_id)
        dob = parse_dob(self.dob.text())
        dob_ok = dob is not None and dob == self.patient.date_of_birth
        set_invalid(self.patient_id, not id_ok)
        set_invalid(self.dob, not dob_ok)
        if id_ok and dob_ok:
            self.message.clear_message()
            self.confirmed.emit()
            return
        self.mismatches += 1
        problems = []
        if not id_ok:
            problems.append(self.tr("The patient ID does not match the one entered before."))
        if not dob_ok:
            problems.append(self.tr("The date of birth does not match the one entered before."))
        problems.append(self.tr("Check the ID card or wristband and ask the patient again."))
        if self.mismatches >= 2:
            problems.append(
                self.tr("If the first entry was wrong, touch “Back: correct the details”.")
            )
        self.message.show_message(" ".join(problems), "error")
        self.ctx.audit("patient_confirmation_mismatch", id_matches=id_ok, dob_matches=dob_ok)
