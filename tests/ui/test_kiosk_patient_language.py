"""The patient's language on the kiosk (#13 item 6): chosen on the patient page (by
default the language on screen), it decides the report and the letter, while the
operator's screen stays in the operator's language; names in every script are drawn
on screen without a missing glyph (Qt's fallback through fontconfig)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QTextLayout
from pytestqt.qtbot import QtBot

from retiscreen.catalogue import LANGUAGE_NAMES, Catalogue
from retiscreen.domain import Patient
from retiscreen.settings import Settings
from retiscreen.ui.i18n import LANGUAGES
from retiscreen.ui.window import KioskWindow
from tests.ui import images
from tests.ui.kiosk_driver import (
    confirm_patient,
    enter_patient,
    photograph_both_eyes,
    sign_in,
    stage,
    touch,
)

NAMES = ["José Núñez", "王小明", "山田 さくら", "김민준", "محمد علي", "अनिल कुमार", "דוד לוי"]


def missing_glyphs(text: str, font: QFont) -> int:
    """Glyphs Qt would draw as the empty box (index 0) for ``text`` in ``font``, after
    its font fallback: each glyph run carries the font actually used."""
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return sum(1 for run in layout.glyphRuns() for glyph in run.glyphIndexes() if glyph == 0)


def test_the_kiosk_offers_every_catalogue_language(
    qtbot: QtBot, open_kiosk: Callable[..., KioskWindow], make_settings: Callable[..., Settings]
) -> None:
    assert LANGUAGES == LANGUAGE_NAMES and "pt" in LANGUAGES
    window = open_kiosk(make_settings(kiosk={"idle_timeout_s": 600}))
    assert window.home.language_buttons["pt"].text() == "Português"
    touch(qtbot, window.home.language_buttons["pt"])
    qtbot.waitUntil(lambda: window.home.start.text() == "Iniciar rastreamento")
    assert set(window.patient.language.buttons) == set(LANGUAGE_NAMES)
    assert window.patient.language.language == "pt"  # follows the screen until chosen
    touch(qtbot, window.home.language_buttons["en"])
    qtbot.waitUntil(lambda: window.home.start.text() == "Start screening")


def test_the_patients_language_decides_the_report_not_the_screen(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
) -> None:
    stage(camera_dir, ("01.jpg", images.good_right()), ("02.jpg", images.good()))
    window = open_kiosk(make_settings(kiosk={"idle_timeout_s": 600}))
    try:
        screen_in_portuguese_for_a_spanish_operator(qtbot, window)
    finally:
        window.set_language("en")  # the application's translators outlive the window


def screen_in_portuguese_for_a_spanish_operator(qtbot: QtBot, window: KioskWindow) -> None:
    touch(qtbot, window.home.language_buttons["es"])  # the operator reads Spanish
    qtbot.waitUntil(lambda: window.home.start.text() == "Iniciar cribado")
    sign_in(qtbot, window)
    choice = window.patient.language
    assert choice.language == "es" and choice.buttons["es"].isChecked()  # the screen's
    assert window.patient.language_label.text() == "Idioma del informe"
    touch(qtbot, choice.buttons["pt"])  # the patient reads Portuguese
    assert choice.buttons["pt"].isChecked() and not choice.buttons["es"].isChecked()
    enter_patient(qtbot, window, "MRN-PT", "João da Silva", "24/03/1958")
    confirm_patient(qtbot, window, "MRN-PT", "1958-03-24")
    photograph_both_eyes(qtbot, window)

    store = window.ctx.service.store
    (row,) = store.history()
    screening = store.load_screening(row["screening_id"])
    assert screening.language == "pt"
    report = store.reports_for(screening.screening_id)[-1]
    pdf = store.read_report(str(report["report_id"]))
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    portuguese = Catalogue("pt")
    assert portuguese.text("report.title") in " ".join(text.split())
    assert portuguese.headline(screening.decision) in " ".join(text.split())
    # the operator's screen stayed Spanish
    assert window.result.light.headline.text() == Catalogue("es").headline(screening.decision)

    touch(qtbot, window.result.finish)
    window.start_screening()
    assert window.patient.language.language == "es"  # the next patient: the screen's again


@pytest.mark.parametrize("name", NAMES)
def test_names_in_every_script_show_without_missing_glyphs(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    name: str,
) -> None:
    window = open_kiosk(make_settings(kiosk={"idle_timeout_s": 600}))
    window.confirm.set_patient(Patient("P-1", name, date(1970, 1, 2), "F"))
    shown = window.confirm.name
    assert name in shown.text()
    assert missing_glyphs(shown.text(), shown.font()) == 0, name


def test_the_glyph_check_sees_a_missing_glyph(
    qtbot: QtBot, open_kiosk: Callable[..., KioskWindow], make_settings: Callable[..., Settings]
) -> None:
    window = open_kiosk(make_settings(kiosk={"idle_timeout_s": 600}))
    assert missing_glyphs("\U0010fffd", window.confirm.name.font()) == 1  # no font has it
