"""Qt driver for :class:`~retiscreen.capture.watch.StableFileTracker`.

QFileSystemWatcher tells us quickly that the folder changed, but not when a file being
copied is complete, and it misses changes on some network file systems; so a timer
polls as well and the tracker decides when a file has settled.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, QObject, QTimer, Signal

from retiscreen.capture.watch import StableFileTracker

POLL_MS = 500


class FolderWatcher(QObject):
    """Emits ``arrived(Path)`` once for every complete new photograph in the folder."""

    arrived = Signal(object)

    def __init__(self, folder: Path, settle_s: float = 1.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.problem: str | None = None
        if not self.folder.is_dir():
            self.problem = QCoreApplication.translate(
                "FolderWatcher", "The watched folder {folder} does not exist."
            ).format(folder=self.folder)
        self._tracker = StableFileTracker(self.folder, settle_s)
        self._watcher = QFileSystemWatcher(self)
        if self.problem is None:
            self._watcher.addPath(str(self.folder))
        self._watcher.directoryChanged.connect(self.poll)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        if self.problem is None:
            self._timer.start()

    def poll(self) -> None:
        for path in self._tracker.poll():
            self.arrived.emit(path)

    def stop(self) -> None:
        self._timer.stop()
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
