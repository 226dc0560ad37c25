"""First start: the administrator chooses a name and a PIN before anything else.

Why a page and not a default PIN: a PIN printed in a manual is known to everyone who read
it, and nothing forces a busy site to change it. So a kiosk with no administrator shows
only this page: settings, operators and the exit stay out of reach until someone has
chosen a PIN of at least 6 digits (typed twice, so a slip does not lock the site out).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from retiscreen.accounts import AccountError, Role, pin_problem
from retiscreen.ui.context import KioskContext
from retiscreen.ui.keyboard import OnScreenKeyboard
from retiscreen.ui.pages.base import Page
from retiscreen.ui.widgets import MessageLine, PinPad, label


class SetupAdminPage(Page):
    """Name on the left, the PIN (then the same PIN again) on the keypad."""

    created = Signal(str)

    def __init__(self, ctx: KioskContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._first_pin: str | None = None
        self.title = label("", "title")
        self.hint = label("", "subtitle")
        self.name = QLineEdit()
        self.name_label = label("")
        form = QFormLayout()
        form.addRow(self.name_label, self.name)
        self.pad = PinPad("")
        self.pad.setMaximumWidth(520)
        self.pad.submitted.connect(self._pin_typed)
        self.message = MessageLine()
        self.add_beside_keypad(self.title, self.hint, form, self.pad, self.message)
        self.keyboard = OnScreenKeyboard([self.name], self)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Set up the administrator"))
        self.name_label.setText(self.tr("Administrator's name"))
        self.pad.clear_key.setAccessibleName(self.tr("Clear"))
        self._update_hint()

    def _update_hint(self) -> None:
        if self._first_pin is None:
            self.hint.setText(
                self.tr(
                    "This kiosk has no administrator yet. Type the administrator's name, then "
                    "choose a PIN of 6 to 12 digits. Keep it safe: it protects the settings, "
                    "the accounts and the exit."
                )
            )
            self.pad.ok.setText(self.tr("Next"))
        else:
            self.hint.setText(self.tr("Type the same PIN again."))
            self.pad.ok.setText(self.tr("Save"))

    def entered(self) -> None:
        self.name.setFocus()
        self.keyboard.open_for(self.name)

    def left(self) -> None:
        self.keyboard.close_keyboard()

    def _pin_typed(self, pin: str) -> None:
        self.keyboard.close_keyboard()
        if not " ".join(self.name.text().split()):
            self.message.show_message(self.tr("First type the administrator's name."), "error")
            return
        if self._first_pin is None:
            if problem := pin_problem(Role.ADMIN, pin):
                self.message.show_message(problem, "error")
                return
            self._first_pin = pin
            self.message.clear_message()
            self._update_hint()
            return
        first, self._first_pin = self._first_pin, None
        self._update_hint()
        if pin != first:
            self.message.show_message(
                self.tr("The two PINs were different. Choose the PIN again."), "error"
            )
            return
        try:
            name = self.ctx.accounts.add(self.name.text(), Role.ADMIN, pin, by="first start")
        except AccountError as exc:
            self.message.show_message(str(exc), "error")
            return
        self.message.clear_message()
        self.name.clear()
        self.created.emit(name)
