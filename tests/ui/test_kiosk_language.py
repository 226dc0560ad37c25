"""English, Spanish and Portuguese: the translation files are complete and the kiosk
switches live."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from retiscreen.catalogue import ENGLISH, Catalogue
from retiscreen.domain import Laterality, QualityReason
from retiscreen.report.printing import PrinterProblem
from retiscreen.service import PrintOutcome
from retiscreen.settings import Settings
from retiscreen.ui import texts
from retiscreen.ui.i18n import LANGUAGES, LanguageSwitcher, translations_dir
from retiscreen.ui.window import KioskWindow
from tests.ui import images
from tests.ui.kiosk_driver import (
    confirm_patient,
    enter_patient,
    sign_in,
    stage,
    take_photo,
    touch,
    wait_for_result,
)

TRANSLATED = sorted(set(LANGUAGES) - {"en"})
PLACEHOLDER = re.compile(r"\{[a-z]+(?::[^}]*)?\}")


def messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(ts).getroot()
    return [
        (
            context.findtext("name") or "",
            message.findtext("source") or "",
            message.find("translation"),
        )  # type: ignore[misc]
        for context in root.iter("context")
        for message in context.iter("message")
    ]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated_with_its_placeholders(language: str) -> None:
    ts = translations_dir() / f"retiscreen_{language}.ts"
    qm = translations_dir() / f"retiscreen_{language}.qm"
    entries = messages(ts)
    assert len(entries) > 200
    for context, source, translation in entries:
        assert translation.get("type") is None, f"unfinished: {context}: {source}"
        assert (translation.text or "").strip(), f"empty: {context}: {source}"
        assert sorted(PLACEHOLDER.findall(source)) == sorted(
            PLACEHOLDER.findall(translation.text or "")
        ), f"placeholders differ: {source}"
    assert qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime - 5, (
        "run scripts/update_translations.sh"
    )


def test_switching_to_spanish_relabels_every_page_live(
    qtbot: QtBot,
    open_kiosk: Callable[..., KioskWindow],
    make_settings: Callable[..., Settings],
    camera_dir: Path,
) -> None:
    stage(
        camera_dir,
        ("01-lens-cap.png", images.black()),
        ("02.jpg", images.good_right()),
        ("03.jpg", images.good()),
    )
    window = open_kiosk(make_settings(kiosk={"idle_timeout_s": 600}))
    assert window.home.start.text() == "Start screening"
    touch(qtbot, window.home.language_buttons["es"])
    qtbot.waitUntil(lambda: window.home.start.text() == "Iniciar cribado")
    assert window.home.language_buttons["es"].isChecked()
    assert window.admin.tabs.tabText(1) == "Historial"  # pages not showing follow too

    sign_in(qtbot, window)
    assert window.patient.title.text() == "Datos del paciente"
    enter_patient(qtbot, window, "MRN-ES", "Lucía Pérez", "02/03/1961")
    confirm_patient(qtbot, window, "MRN-ES", "1961-03-02")
    assert window.capture.title.text() == "Ojo derecho"
    take_photo(qtbot, window)
    assert "No parece una fotografía de retina" in window.capture.verdict.text()
    assert ENGLISH.quality(QualityReason.NOT_FUNDUS) not in window.capture.verdict.text()
    touch(qtbot, window.capture.retake)
    take_photo(qtbot, window)
    touch(qtbot, window.capture.use)
    take_photo(qtbot, window)
    touch(qtbot, window.capture.use)
    wait_for_result(qtbot, window)
    # the test printer queue does not exist: the operator is told so in Spanish
    qtbot.waitUntil(lambda: "NO impreso" in window.result.printing.text(), timeout=30_000)
    printing = window.result.printing.text()
    assert "se imprimirá cuando la impresora" in printing
    assert "will be printed" not in printing and "not available" not in printing

    store = window.ctx.service.store
    screening = store.load_screening(store.history()[0]["screening_id"])
    decision = screening.decision
    assert screening.patient.name == "Lucía Pérez"
    light = window.result.light
    spanish = Catalogue("es")
    assert light.headline.text() == spanish.headline(decision) != ENGLISH.headline(decision)
    assert light.advice.text() == spanish.advice(decision) != ENGLISH.advice(decision)
    if decision.follow_up_months:
        assert f"{decision.follow_up_months} mes" in light.advice.text()
    assert " de " in light.due.text() and light.due.text().startswith("Próximo paso")
    grade = screening.eye(Laterality.RIGHT).grade  # type: ignore[union-attr]
    assert grade is not None
    assert spanish.grade(grade.grade) in window.result.cards[Laterality.RIGHT].grade.text()
    assert ENGLISH.grade(grade.grade) not in window.result.cards[Laterality.RIGHT].grade.text()
    # what is stored (and printed) stays in the record's language
    (row,) = store.history()
    assert row["decision_headline"] == ENGLISH.headline(decision)

    touch(qtbot, window.result.finish)
    window.idle_timeout()
    qtbot.waitUntil(lambda: window.home.start.text() == "Start screening")  # site's language


def test_print_messages_follow_the_screen_language(qapp: QApplication) -> None:
    saved = " The report is saved and will be printed when the printer is back."
    missing = PrintOutcome(
        False,
        "Printer 'ward-2' is not available (not found). Check the printer name in the "
        "settings." + saved,
        7,
        PrinterProblem.NOT_FOUND,
        "ward-2",
    )
    cups_words = PrintOutcome(
        False, "Printing failed: lp: paper jam." + saved, 8, PrinterProblem.FAILED
    )
    sent = PrintOutcome(True, "Sent to printer ward-2.", 9, printer="ward-2")
    languages = LanguageSwitcher(qapp)
    try:
        assert [texts.print_message(o) for o in (missing, cups_words, sent)] == [
            missing.message,
            cups_words.message,
            sent.message,
        ]
        assert languages.set_language("es")
        assert texts.print_message(missing) == (
            "La impresora 'ward-2' no está disponible (no se encuentra). Compruebe el nombre "
            "de la impresora en la configuración. El informe está guardado y se imprimirá "
            "cuando la impresora vuelva a estar disponible."
        )
        assert texts.print_message(sent) == "Enviado a la impresora ward-2."
        assert texts.print_message(cups_words) == cups_words.message  # CUPS's own words
    finally:
        languages.set_language("en")
