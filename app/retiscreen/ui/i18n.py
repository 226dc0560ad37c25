"""Languages of the kiosk: English (the source), Spanish and Portuguese, through Qt
translation files.

Why Qt's own mechanism: strings are marked with ``self.tr()`` /
``QCoreApplication.translate()`` where they are written, ``pyside6-lupdate`` collects
them into ``assets/i18n/retiscreen_<lang>.ts`` for a translator, and switching language
at run time sends every widget a LanguageChange event, on which each page re-labels
itself. Regenerate with ``scripts/update_translations.sh``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from retiscreen.catalogue import LANGUAGE_NAMES
from retiscreen.settings import bundled_dir

log = logging.getLogger(__name__)

LANGUAGES: dict[str, str] = dict(LANGUAGE_NAMES)
"""Code → the language's name in itself (what a speaker looks for on the button): the
catalogue's languages, each with its own translation file."""


def translations_dir() -> Path:
    return bundled_dir("assets") / "i18n"


class LanguageSwitcher:
    """Installs the translators for one language at a time."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._installed: list[QTranslator] = []
        self.current = "en"

    def set_language(self, code: str) -> bool:
        """Switch the whole UI; False (and English) when the language is not available."""
        if code not in LANGUAGES:
            code = "en"
        for translator in self._installed:
            self._app.removeTranslator(translator)
        self._installed.clear()
        ok = True
        if code != "en":
            ours = QTranslator(self._app)
            if ours.load(str(translations_dir() / f"retiscreen_{code}.qm")):
                self._installed.append(ours)
            else:
                log.error("translation file for %s missing in %s", code, translations_dir())
                ok = False
                code = "en"
            qt_own = QTranslator(self._app)
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if ok and qt_own.load(f"qtbase_{code}", qt_dir):
                self._installed.append(qt_own)
        QLocale.setDefault(QLocale(code))
        for translator in self._installed:
            self._app.installTranslator(translator)
        self.current = code
        return ok
