"""An on-screen keyboard wherever the daily work needs typing: the patient's details and
their confirmation, the reason an eye was skipped, and the history search.

Why the kiosk has its own: a touch-only kiosk has no other way to type a name. The
session the installer sets up (the cage compositor running RetiScreen alone) starts no
system keyboard, and on a desktop one may open behind the full-screen, stay-on-top
kiosk window; a widget inside that window is always there.

It docks over the bottom of its page like a phone keyboard, because the patient fields
sit at the top and the page has no room for both it and the footer buttons: "Next" moves
to the following field, and on the last field submits; the page closes the keyboard on
every submit, so the footer and any message come back into view. Keys never take focus,
so the field being typed in keeps its cursor. Accents come from dead keys (´ then e
gives é, ~ then a gives ã), as on Spanish, Portuguese and French keyboards; ñ, ç, @ and _
have keys of their own (names, e-mail addresses, printer queues).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLineEdit, QPushButton, QWidget

from retiscreen.ui.widgets import button

BACKSPACE, SHIFT, NEXT, HIDE, SPACE = "⌫", "⇧", "next", "hide", "space"
ROWS: tuple[tuple[str, ...], ...] = (
    ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "/", "@", BACKSPACE),
    ("q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "´", "`", "^", "¨"),
    ("a", "s", "d", "f", "g", "h", "j", "k", "l", "ñ", "ç", "~", NEXT),
    (SHIFT, "z", "x", "c", "v", "b", "n", "m", "'", ".", "_", SPACE, HIDE),
)
SPAN = {SPACE: 2, NEXT: 2}
WORD_KEYS = {NEXT, HIDE, SPACE}
DEAD_KEYS = {
    "´": str.maketrans("aeiouyAEIOUY", "áéíóúýÁÉÍÓÚÝ"),
    "`": str.maketrans("aeiouAEIOU", "àèìòùÀÈÌÒÙ"),
    "^": str.maketrans("aeiouAEIOU", "âêîôûÂÊÎÔÛ"),
    "~": str.maketrans("aonAON", "ãõñÃÕÑ"),
    "¨": str.maketrans("aeiouAEIOU", "äëïöüÄËÏÖÜ"),
}
"""Accents as on Spanish, Portuguese and French keyboards: the accent, then the letter."""


class OnScreenKeyboard(QFrame):
    """Types into whichever of ``fields`` the operator last touched (the first at start)."""

    def __init__(self, fields: Sequence[QLineEdit], page: QWidget) -> None:
        super().__init__(page)
        self.page = page
        self.setObjectName("keyboard")
        self.fields = list(fields)
        self.target = self.fields[0]
        self.shift = False
        self.dead: str | None = None
        self.keys: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 10, 10, 10)
        grid.setSpacing(8)
        for row, keys in enumerate(ROWS):
            column = 0
            for key in keys:
                widget = button("", "osk-word" if key in WORD_KEYS else "osk")
                widget.clicked.connect(lambda _checked=False, k=key: self.press(k))
                widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                widget.setCheckable(key == SHIFT or key in DEAD_KEYS)
                grid.addWidget(widget, row, column, 1, SPAN.get(key, 1))
                column += SPAN.get(key, 1)
                self.keys[key] = widget
        for field in self.fields:
            field.installEventFilter(self)
        page.installEventFilter(self)
        self.hide()
        self.retranslate()

    def retranslate(self) -> None:
        words = {
            BACKSPACE: (BACKSPACE, self.tr("Delete")),
            SHIFT: (SHIFT, self.tr("Capital letters")),
            NEXT: (self.tr("Next"), self.tr("Next")),
            HIDE: (self.tr("Hide"), self.tr("Hide the keyboard")),
            SPACE: (self.tr("space"), self.tr("Space")),
        }
        for key, widget in self.keys.items():
            text, accessible = words.get(key, (key.upper() if self.shift else key, key))
            widget.setText(text)
            widget.setAccessibleName(accessible)

    def open_for(self, field: QLineEdit) -> None:
        """Show the keyboard over the bottom of the page, typing into ``field``."""
        self.target = field
        self._dock()
        self.show()
        self.raise_()

    def close_keyboard(self) -> None:
        """Hide it, forgetting a pending accent and capitals (the next field starts plain)."""
        self.hide()
        self._set_dead(None)
        self._set_shift(False)

    def press(self, key: str) -> None:
        """One touch on a key (the buttons call this; so can tests)."""
        target = self.target
        if key == BACKSPACE:
            target.backspace()
        elif key == SHIFT:
            self._set_shift(not self.shift)
        elif key in DEAD_KEYS:
            self._set_dead(None if self.dead == key else key)
        elif key == NEXT:
            self._next()
        elif key == HIDE:
            self.close_keyboard()
        else:
            text = " " if key == SPACE else key.upper() if self.shift else key
            if self.dead is not None:
                text = text.translate(DEAD_KEYS[self.dead])
                self._set_dead(None)
            target.insert(text)

    def _next(self) -> None:
        """Enter on the field: the page moves focus on (the keyboard follows), or on the
        last field submits, which closes the keyboard."""
        index = self.fields.index(self.target)
        if index + 1 < len(self.fields):
            self.target = self.fields[index + 1]
        self.fields[index].returnPressed.emit()

    def _set_shift(self, on: bool) -> None:
        self.shift = on
        self.keys[SHIFT].setChecked(on)
        self.retranslate()

    def _set_dead(self, key: str | None) -> None:
        self.dead = key
        for each in DEAD_KEYS:
            self.keys[each].setChecked(each == key)

    def _dock(self) -> None:
        height = self.sizeHint().height()
        self.setGeometry(0, self.page.height() - height, self.page.width(), height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(watched, QLineEdit) and watched in self.fields:
            if kind in (QEvent.Type.FocusIn, QEvent.Type.MouseButtonPress):
                self.open_for(watched)
        elif watched is self.page and kind == QEvent.Type.Resize and self.isVisible():
            self._dock()
        return False

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
