"""Starting the kiosk: ``run_kiosk(settings, demo, windowed)``.

``retiscreen kiosk [--demo] [--windowed]`` calls this. The heavy parts (ONNX models,
database) load once, behind a splash message; then the window opens full-screen and
frameless (unless ``kiosk.fullscreen`` is false or ``windowed``), and only the admin PIN
closes it.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QSplashScreen

from retiscreen.errors import ExitCode, StorageError
from retiscreen.service import ScreeningService
from retiscreen.settings import Settings
from retiscreen.ui.context import KioskContext
from retiscreen.ui.i18n import LanguageSwitcher
from retiscreen.ui.idle import IdleWatcher
from retiscreen.ui.settings_file import settings_path
from retiscreen.ui.theme import apply_theme
from retiscreen.ui.window import KioskWindow

log = logging.getLogger(__name__)

HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal"})
WINDOWED_SIZE = (1280, 800)


def application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("RetiScreen")
    app.setOrganizationName("RetiScreen")
    return app


def build_window(
    settings: Settings,
    service: ScreeningService,
    demo: bool = False,
    path: Path | None = None,
    watch_settle_s: float = 1.0,
) -> KioskWindow:
    """The kiosk window over an existing service (tests and screenshots use this too)."""
    app = application()
    apply_theme(app)
    languages = LanguageSwitcher(app)
    languages.set_language(settings.kiosk.language)
    ctx = KioskContext(
        settings, service, path or settings_path(), demo=demo, watch_settle_s=watch_settle_s
    )
    idle = IdleWatcher(app, settings.kiosk.idle_timeout_s)
    window = KioskWindow(ctx, languages, idle)
    ctx.setParent(window)
    idle.setParent(window)
    return window


def run_kiosk(settings: Settings, demo: bool, windowed: bool) -> int:
    """Run the kiosk until the administrator closes it; returns the exit code."""
    app = application()
    apply_theme(app)
    splash = QSplashScreen()
    splash.showMessage("RetiScreen: loading the grading models…", Qt.AlignmentFlag.AlignCenter)
    splash.show()
    app.processEvents()
    service = ScreeningService(settings)
    try:
        service.open()
    except StorageError as exc:
        splash.close()
        message = f"The records cannot be opened, so the kiosk cannot start:\n{exc}"
        print(f"retiscreen: {message}", file=sys.stderr)
        if app.platformName() not in HEADLESS_PLATFORMS:  # nobody could close a dialog there
            QMessageBox.critical(None, "RetiScreen", message)
        return ExitCode.STORAGE
    window = build_window(settings, service, demo=demo)
    splash.finish(window)
    if windowed or not settings.kiosk.fullscreen:
        window.resize(*WINDOWED_SIZE)
        window.show()
    else:
        window.setWindowFlags(
            Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint
        )
        window.showFullScreen()
    log.info("kiosk window shown (%s)", "demo" if demo else "screening")
    code = app.exec()
    service.close()
    return code
