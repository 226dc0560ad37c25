"""Qt driver for the camera hand-off (:mod:`retiscreen.capture.watch`).

QFileSystemWatcher tells us quickly that the folder changed, but not when a file being
copied is complete, and it misses changes on some network file systems; so a timer
polls as well and the inbox decides when a file is complete. Photographs wait in the
queue whatever page the kiosk shows; ``changed`` tells the capture page to look.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, QObject, QTimer, Signal

from retiscreen.capture.watch import DONE, FAILED, Arrival, CameraInbox, EyePatterns, PhotoQueue
from retiscreen.domain import Laterality

POLL_MS = 500


class FolderWatcher(QObject):
    """Polls the watched folder; emits ``changed`` when photographs start waiting."""

    changed = Signal()

    def __init__(
        self,
        folder: Path,
        settle_s: float = 1.0,
        parent: QObject | None = None,
        *,
        patterns: EyePatterns | None = None,
        abandon_s: float = 30.0,
        max_age_s: float | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.problem: str | None = None
        if not self.folder.is_dir():
            self.problem = QCoreApplication.translate(
                "FolderWatcher", "The watched folder {folder} does not exist."
            ).format(folder=self.folder)
        inbox = CameraInbox(self.folder, settle_s, patterns=patterns, abandon_s=abandon_s)
        self.queue = PhotoQueue(inbox, max_age_s)
        self._watcher = QFileSystemWatcher(self)
        if self.problem is None:
            self._watcher.addPath(str(self.folder))
        self._watcher.directoryChanged.connect(self.poll)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        if self.problem is None:
            self._timer.start()
            self.poll()

    @property
    def waiting(self) -> int:
        return len(self.queue.waiting)

    def poll(self) -> None:
        if self.queue.refresh():
            self.changed.emit()

    def take(self, side: Laterality, labelled_only: bool = False) -> Arrival | None:
        """The next photograph for ``side``, if one is waiting."""
        return self.queue.take(side, labelled_only)

    def set_aside_stale(self) -> int:
        """At the start of a screening: photographs that waited too long go to failed/."""
        return self.queue.set_aside_stale(time.monotonic())

    def done(self, path: Path, reason: str) -> None:
        self.queue.inbox.settle(path, DONE, reason)

    def failed(self, path: Path, reason: str) -> None:
        self.queue.inbox.settle(path, FAILED, reason)

    def stop(self) -> None:
        self._timer.stop()
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
