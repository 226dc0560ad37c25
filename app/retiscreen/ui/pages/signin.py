"""Sign-in with a PIN: an operator before screening, or the administrator.

Why PINs on a keypad: a kiosk has no keyboard and the audit log must say who
photographed each patient. After ``MAX_FAILURES`` wrong PINs the pad locks for a
while, because a 4-digit PIN is only safe when guessing is slow.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from retiscreen.ui.context import KioskContext
from retiscreen.ui.operators import check_admin_pin
from retiscreen.ui.pages.base import Page
from retiscreen.ui.widgets import MessageLine, PinPad, button, label

MAX_FAILURES = 5
LOCKOUT_S = 30


class SignInPage(Page):
    """``admin=False``: pick an operator then type the PIN; ``admin=True``: admin PIN."""

    signed_in = Signal(str)
    cancelled = Signal()

    def __init__(
        self, ctx: KioskContext, admin: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.admin = admin
        self.selected: str | None = None
        self._failures = 0
        self._locked_until = 0.0
        self._checking = False
        self.title = label("", "title")
        self.hint = label("", "subtitle")
        self.operator_grid = QGridLayout()
        self.operator_grid.setSpacing(12)
        self.operator_buttons: dict[str, QPushButton] = {}
        self.pad = PinPad("")
        self.pad.submitted.connect(self._submit)
        self.pad.setMaximumWidth(520)
        self.message = MessageLine()
        self.back = button("", "", "back", on_click=self.cancelled.emit)
        left = QVBoxLayout()
        left.addWidget(self.hint)
        left.addLayout(self.operator_grid)
        left.addStretch(1)
        row = QHBoxLayout()
        row.addLayout(left, 1)
        row.addWidget(self.pad)
        self.body.addWidget(self.title)
        self.body.addLayout(row, 1)
        self.body.addWidget(self.message)
        footer = QHBoxLayout()
        footer.addWidget(self.back)
        footer.addStretch(1)
        self.body.addLayout(footer)
        self._unlock_timer = QTimer(self)
        self._unlock_timer.setSingleShot(True)
        self._unlock_timer.timeout.connect(self._unlocked)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(
            self.tr("Administrator sign-in") if self.admin else self.tr("Operator sign-in")
        )
        self.pad.ok.setText(self.tr("Sign in"))
        self.pad.clear_key.setAccessibleName(self.tr("Clear"))
        self.back.setText(self.tr("Back"))
        self._update_hint()

    def _update_hint(self) -> None:
        if self.admin:
            self.hint.setText(self.tr("Type the administrator PIN."))
        elif self.ctx.operators.problem:
            self.hint.setText(self.ctx.operators.problem)
        elif not self.ctx.operators.names():
            self.hint.setText(
                self.tr(
                    "No operators are set up yet. An administrator must add one in "
                    "Administration → Operators."
                )
            )
        elif self.selected is None:
            self.hint.setText(self.tr("Touch your name, then type your PIN."))
        else:
            self.hint.setText(self.tr("{name}: type your PIN.").format(name=self.selected))

    def entered(self) -> None:
        self.clear()
        self._rebuild_operators()

    def _rebuild_operators(self) -> None:
        for choice in self.operator_buttons.values():
            choice.deleteLater()
        self.operator_buttons.clear()
        if self.admin:
            return
        names = self.ctx.operators.names()
        for index, name in enumerate(names):
            choice = button(name, "choice", "person")
            choice.setCheckable(True)
            choice.clicked.connect(lambda _checked=False, n=name: self.choose(n))
            self.operator_grid.addWidget(choice, index // 2, index % 2)
            choice.show()
            self.operator_buttons[name] = choice
        if len(names) == 1:
            self.choose(names[0])
        self._update_hint()

    def choose(self, name: str) -> None:
        self.selected = name
        for each, choice in self.operator_buttons.items():
            choice.setChecked(each == name)
        self.message.clear_message()
        self._update_hint()
        self.pad.display.setFocus()

    def clear(self) -> None:
        self.selected = None
        self.pad.clear()
        self.message.clear_message()
        for choice in self.operator_buttons.values():
            choice.setChecked(False)
        self._update_hint()

    def _submit(self, pin: str) -> None:
        if self._checking:
            return
        if time.monotonic() < self._locked_until:
            self._show_locked()
            return
        if not pin:
            return
        if self.admin:
            self._checked(("admin", check_admin_pin(pin, self.ctx.settings.kiosk.admin_pin)))
            return
        if self.selected is None:
            self.message.show_message(self.tr("First touch your name."), "error")
            return
        name, operators = self.selected, self.ctx.operators
        self._checking = True
        self.ctx.workers.run(
            lambda _p: (name, operators.verify(name, pin)), self._checked, self._failed
        )

    def _failed(self, message: str) -> None:
        self._checking = False
        self.message.show_message(message, "error")

    def _checked(self, result: Any) -> None:
        self._checking = False
        name, ok = result
        if ok:
            self._failures = 0
            self.ctx.audit("admin_signed_in" if self.admin else "operator_signed_in", operator=name)
            self.message.clear_message()
            self.signed_in.emit(name)
            return
        self._failures += 1
        self.ctx.audit("sign_in_failed", operator=name, attempt=self._failures)
        if self._failures >= MAX_FAILURES:
            self._failures = 0
            self._locked_until = time.monotonic() + LOCKOUT_S
            self._unlock_timer.start(LOCKOUT_S * 1000)
            self.pad.setEnabled(False)
            self._show_locked()
        else:
            self.message.show_message(self.tr("Wrong PIN. Try again."), "error")

    def _show_locked(self) -> None:
        self.message.show_message(
            self.tr("Too many wrong PINs. Wait {seconds} seconds, then try again.").format(
                seconds=LOCKOUT_S
            ),
            "error",
        )

    def _unlocked(self) -> None:
        self.pad.setEnabled(True)
        self.message.clear_message()
