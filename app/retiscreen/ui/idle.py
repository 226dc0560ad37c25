"""The idle timer: after ``idle_timeout_s`` without a touch or key, patient data goes.

Why an application-wide event filter: a patient's name must not stay on an unattended
screen whatever page it is on, and every page would otherwise have to report its own
input. Mouse movement alone does not count (a bumped mouse is not an operator). The
timer is held while background work that carries patient data runs. Shortly before it
runs out it warns (``warning``), so the window can ask "still there?" instead of
clearing a screening under an operator who was only reading; any input then answers
(``answered``).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.KeyPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TouchEnd,
        QEvent.Type.Wheel,
        QEvent.Type.TabletPress,
    }
)


class IdleWatcher(QObject):
    """Emits ``timed_out`` after the given seconds with no input while armed.

    Background work only pauses the countdown: when it ends, the time already spent
    idle still counts, so a periodic print-queue retry cannot keep a screen alive.
    """

    timed_out = Signal()
    warning = Signal(int)
    """Seconds left before ``timed_out``: time to ask whether anyone is still there."""
    answered = Signal()
    """Input arrived after a ``warning``: the countdown started again."""

    def __init__(
        self, app: QCoreApplication, timeout_s: float, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._expired)
        self._warn_timer = QTimer(self)
        self._warn_timer.setSingleShot(True)
        self._warn_timer.timeout.connect(self._warn)
        self._warned = False
        self._held = False
        self._armed = False
        self._timeout_ms = 1000
        self._last_input = time.monotonic()
        self._app = app
        self.set_timeout(timeout_s)
        app.installEventFilter(self)

    def stop(self) -> None:
        """Stop watching input (the window is closing)."""
        self._timer.stop()
        self._warn_timer.stop()
        self._app.removeEventFilter(self)

    def set_timeout(self, seconds: float) -> None:
        self._timeout_ms = max(1, round(seconds * 1000))
        self._restart()

    @property
    def timeout_ms(self) -> int:
        return self._timeout_ms

    @property
    def warn_ms(self) -> int:
        """How long before the end the warning comes: 30 s, or a third of a short timeout."""
        return min(30_000, self._timeout_ms // 3)

    def arm(self, armed: bool) -> None:
        """Only pages away from home need the timer; showing a page counts as activity."""
        self._armed = armed
        self.poke()

    def hold(self, held: bool) -> None:
        """Pause while work is running (a long print must not wipe its own result)."""
        self._held = held
        self._restart()

    def poke(self) -> None:
        """Input happened: the countdown starts again from the full timeout."""
        self._last_input = time.monotonic()
        if self._warned:
            self._warned = False
            self.answered.emit()
        self._restart()

    def _remaining_ms(self) -> int:
        return self._timeout_ms - round((time.monotonic() - self._last_input) * 1000)

    def _restart(self) -> None:
        if self._armed and not self._held:
            remaining = self._remaining_ms()
            self._timer.start(max(50, remaining))
            if not self._warned:
                self._warn_timer.start(max(0, remaining - self.warn_ms))
        else:
            self._timer.stop()
            self._warn_timer.stop()

    def _warn(self) -> None:
        if not self._armed or self._held or self._warned:
            return
        if self._remaining_ms() > self.warn_ms + 50:
            self._restart()
            return
        self._warned = True
        self.warning.emit(max(1, round(self._remaining_ms() / 1000)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self.poke()
        return False

    def _expired(self) -> None:
        if not self._armed or self._held:
            return
        if self._remaining_ms() > 0:
            self._restart()
            return
        self._warned = False
        self.timed_out.emit()
