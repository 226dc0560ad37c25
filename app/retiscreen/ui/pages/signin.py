"""Sign-in with a PIN: anyone with an account before screening, or an administrator.

Why PINs on a keypad: a kiosk has no keyboard and the audit log must say who
photographed each patient. Wrong PINs are counted in the database
(:mod:`retiscreen.store.accounts`): after five in a row the account locks, for longer
each time, and a restart does not unlock it, because a short PIN is only safe when
guessing is slow.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QVBoxLayout, QWidget

from retiscreen.accounts import Role, SignIn
from retiscreen.errors import StorageError
from retiscreen.ui.context import KioskContext
from retiscreen.ui.pages.base import Page
from retiscreen.ui.widgets import MessageLine, PinPad, TouchScroll, button, label


class SignInPage(Page):
    """Touch a name, then type the PIN; ``admin=True`` lists administrators only,
    ``reviewer=True`` reviewers and administrators (the over-read), never operators."""

    signed_in = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        ctx: KioskContext,
        admin: bool = False,
        parent: QWidget | None = None,
        reviewer: bool = False,
    ) -> None:
        super().__init__(ctx, parent)
        self.admin = admin
        self.needed = Role.ADMIN if admin else Role.REVIEWER if reviewer else Role.OPERATOR
        self.role: Role | None = None
        """The role of the account that signed in last (what it may do next)."""
        self.selected: str | None = None
        self._checking = False
        self.title = label("", "title")
        self.hint = label("", "subtitle")
        names = QWidget()
        self.operator_grid = QGridLayout(names)
        self.operator_grid.setContentsMargins(0, 0, 0, 0)
        self.operator_grid.setSpacing(12)
        self.operator_grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        content = QVBoxLayout()  # a site with many accounts scrolls its names, not the keypad
        content.addWidget(TouchScroll(names), 1)
        self.operator_buttons: dict[str, QPushButton] = {}
        self.pad = PinPad("")
        self.pad.submitted.connect(self._submit)
        self.pad.setMaximumWidth(520)
        self.message = MessageLine()
        self.back = button("", "", "back", on_click=self.cancelled.emit)
        self.add_beside_keypad(self.title, self.hint, content, self.pad, self.message, self.back)
        self._unlock_timer = QTimer(self)
        self._unlock_timer.setSingleShot(True)
        self._unlock_timer.timeout.connect(self._unlocked)
        self.retranslate()

    def retranslate(self) -> None:
        titles = {
            Role.ADMIN: self.tr("Administrator sign-in"),
            Role.REVIEWER: self.tr("Reviewer sign-in"),
            Role.OPERATOR: self.tr("Operator sign-in"),
        }
        self.title.setText(titles[self.needed])
        self.pad.ok.setText(self.tr("Sign in"))
        self.pad.clear_key.setAccessibleName(self.tr("Clear"))
        self.back.setText(self.tr("Back"))
        self._update_hint()

    def _update_hint(self) -> None:
        if self.ctx.accounts_problem:
            self.hint.setText(self.ctx.accounts_problem)
        elif self.admin and self.selected is None:
            self.hint.setText(self.tr("Touch your name, then type the administrator PIN."))
        elif self.needed is Role.REVIEWER and not self.operator_buttons:
            self.hint.setText(
                self.tr(
                    "No reviewers are set up yet. An administrator can give an account the "
                    "reviewer role in Administration."
                )
            )
        elif not self.admin and not self.operator_buttons:
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
        try:
            names = self.ctx.accounts.names(None if self.needed is Role.OPERATOR else self.needed)
        except StorageError as exc:  # the records cannot be read: nobody can sign in
            names = []
            self.message.show_message(str(exc), "error")
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
        if self._checking or not pin:
            return
        if self.selected is None:
            self.message.show_message(self.tr("First touch your name."), "error")
            return
        name, accounts, needed = self.selected, self.ctx.accounts, self.needed
        self._checking = True
        self.ctx.workers.run(
            lambda _p: (name, accounts.sign_in(name, pin, needed)), self._checked, self._failed
        )

    def _failed(self, message: str) -> None:
        self._checking = False
        self.message.show_message(message, "error")

    def _checked(self, result: Any) -> None:
        """The outcome, already recorded and audited by the account book."""
        self._checking = False
        name, outcome = result
        assert isinstance(outcome, SignIn)
        if outcome.ok:
            self.message.clear_message()
            self.role = outcome.role
            self.signed_in.emit(name)
        elif outcome.locked_until is not None:
            wait_s = (outcome.locked_until - datetime.now(UTC)).total_seconds()
            seconds = max(1, math.ceil(wait_s))
            self._unlock_timer.start(seconds * 1000)
            self.pad.setEnabled(False)
            self.message.show_message(
                self.tr("Too many wrong PINs. Wait {seconds} seconds, then try again.").format(
                    seconds=seconds
                ),
                "error",
            )
        else:
            self.message.show_message(self.tr("Wrong PIN. Try again."), "error")

    def _unlocked(self) -> None:
        self.pad.setEnabled(True)
        self.message.clear_message()
