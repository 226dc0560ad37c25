"""Running slow work (grading, saving, printing, CUPS queries) off the GUI thread.

Why: a kiosk that freezes while the printer times out looks broken and invites the
operator to pull the plug. Work runs in the global QThreadPool; answers come back as
queued signals on the GUI thread. ``busy`` lets the idle timer wait while work that
carries patient data is in flight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from retiscreen.errors import RetiScreenError

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
"""Called from the worker with a step key; the GUI shows what is being done."""

OPERATOR_ERRORS = (RetiScreenError,)
"""Exceptions whose text is already written for the operator."""


class _Signals(QObject):
    progress = Signal(str)
    done = Signal(object)
    failed = Signal(str)


class _Task(QRunnable):
    def __init__(self, work: Callable[[Progress], Any], signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._work = work
        self._signals = signals

    def run(self) -> None:
        try:
            result = self._work(self._signals.progress.emit)
        except OPERATOR_ERRORS as exc:
            self._signals.failed.emit(str(exc))
        except Exception as exc:
            log.exception("background task failed")
            self._signals.failed.emit(f"Unexpected error: {exc}")
        else:
            self._signals.done.emit(result)


class Workers(QObject):
    """Starts tasks and counts those still running."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._running: set[_Signals] = set()

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def run(
        self,
        work: Callable[[Progress], Any],
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
        on_progress: Callable[[str], None] | None = None,
    ) -> None:
        """Run ``work(progress)`` in the pool; callbacks run on the GUI thread."""
        signals = _Signals()
        if on_progress is not None:
            signals.progress.connect(on_progress)
        if on_done is not None:
            signals.done.connect(on_done)
        if on_failed is not None:
            signals.failed.connect(on_failed)
        else:
            signals.failed.connect(lambda message: log.warning("task failed: %s", message))
        signals.done.connect(lambda _result: self._finished(signals))
        signals.failed.connect(lambda _message: self._finished(signals))
        was_busy = self.busy
        self._running.add(signals)
        if not was_busy:
            self.busy_changed.emit(True)
        self.pool.start(_Task(work, signals))

    def _finished(self, signals: _Signals) -> None:
        self._running.discard(signals)
        if not self._running:
            self.busy_changed.emit(False)

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until every pooled task ended (shutdown and tests only)."""
        return self.pool.waitForDone(timeout_ms)
