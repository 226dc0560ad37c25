"""What every page shares: settings, the screening service, camera, workers, operators.

Why one object: pages stay small and testable (a test builds a context with a file
camera and a temporary data folder), and a settings change made in the administration
screen reaches the service, the pipeline rules, the camera and the idle timer at once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from retiscreen.accounts import AccountBook, AccountError
from retiscreen.capture.qt_device import CaptureDevice
from retiscreen.capture.qt_watch import FolderWatcher
from retiscreen.capture.watch import EyePatterns
from retiscreen.domain import Screening
from retiscreen.errors import StorageError
from retiscreen.service import ScreeningService
from retiscreen.settings import Settings
from retiscreen.ui.devices import open_device
from retiscreen.ui.settings_file import Changes, apply_changes, save_changes, underlying_file
from retiscreen.ui.workers import Workers

log = logging.getLogger(__name__)


class KioskContext(QObject):
    """Long-lived kiosk state (never patient data: that lives in the screening draft)."""

    settings_changed = Signal()
    camera_changed = Signal()

    def __init__(
        self,
        settings: Settings,
        service: ScreeningService,
        settings_path: Path,
        demo: bool = False,
        parent: QObject | None = None,
        watch_settle_s: float = 1.0,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.service = service
        self.settings_path = settings_path
        self.demo = demo
        self.workers = Workers(self)
        self.accounts = AccountBook(service.store, demo=demo)
        self.admin: str | None = None
        """The administrator signed in to the administration pages (for the audit)."""
        self.accounts_problem: str | None = None
        """Why the accounts could not be read (then nobody can sign in: said on the page)."""
        try:
            self.accounts.import_operator_file(settings.storage.root)
        except (AccountError, StorageError) as exc:
            self.accounts_problem = str(exc)
        self.unsaved: list[Screening] = []
        """Screenings that could not be saved: kept until a save succeeds."""
        self.device: CaptureDevice | None = None
        self.camera_problem: str | None = None
        self.watcher: FolderWatcher | None = None
        self._watch_settle_s = watch_settle_s
        self.open_camera()
        self.open_watch_folder()

    def open_camera(self) -> None:
        if self.device is not None:
            self.device.close()
            self.device.deleteLater()
        opened = open_device(self.settings.capture.camera, self.demo, self)
        self.device, self.camera_problem = opened.device, opened.problem
        self.camera_changed.emit()

    def open_watch_folder(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher.deleteLater()
            self.watcher = None
        capture = self.settings.capture
        if capture.watch_folder:
            self.watcher = FolderWatcher(
                Path(capture.watch_folder).expanduser(),
                self._watch_settle_s,
                self,
                patterns=EyePatterns.parse(
                    capture.watch_right_patterns, capture.watch_left_patterns
                ),
                abandon_s=capture.watch_abandon_s,
                max_age_s=capture.watch_max_age_min * 60.0,
            )

    def update_settings(self, changes: Changes) -> None:
        """Save ``changes`` to the settings file, then apply them (raises OSError or
        SettingsError when the file cannot be written: nothing is applied then)."""
        save_changes(self.settings_path, changes, base=underlying_file(self.settings_path))
        self.apply(changes)

    def apply(self, changes: Changes) -> None:
        """Apply changes to the running kiosk only (no file)."""
        old = self.settings
        self.settings = apply_changes(old, changes)
        self.service.apply_settings(self.settings)
        if self.settings.capture.camera != old.capture.camera:
            self.open_camera()
        if self.settings.capture.watch_folder != old.capture.watch_folder:
            self.open_watch_folder()
        self.settings_changed.emit()

    def audit(self, event: str, operator: str | None = None, **detail: Any) -> None:
        """Append to the audit log off the GUI thread; a failure is logged, not shown."""
        service = self.service

        def work(_progress: Any) -> None:
            try:
                service.audit(event, operator=operator, **detail)
            except StorageError as exc:
                log.error("audit %s NOT recorded: %s", event, exc)

        self.workers.run(work)

    def close(self) -> None:
        if self.device is not None:
            self.device.close()
        if self.watcher is not None:
            self.watcher.stop()
        self.workers.wait()
