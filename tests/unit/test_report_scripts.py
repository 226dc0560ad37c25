"""Names in every script on paper (#13 item 6): Latin, CJK, Arabic (right to left,
joined) and Devanagari (reordered vowel signs, conjuncts) are drawn by a font that has
them, shaped, and come back from the PDF's text; a missing font is logged, not silent.

Reading order: the PDF holds right-to-left runs in visual order, as every PDF does.
poppler (pdftotext) puts them back in reading order and marks them with U+202B/U+202C;
the shaped Arabic letters come back as presentation forms (initial, medial, final),
which NFKC turns back into the letters typed. So the test strips those two marks,
normalises with NFKC, and then requires the name exactly as typed, in reading order.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import re
import shutil
import subprocess
import unicodedata
import zlib
from dataclasses import replace
from datetime import date, datetime

import pytest

from retiscreen.domain import ICDRGrade, Laterality, Patient, Screening
from retiscreen.report import fonts
from retiscreen.report.pdf import render_report
from retiscreen.settings import ClinicSettings, ReportSettings
from tests.support import builders

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

NAMES = {
    "latin": "José Núñez",
    "chinese": "王小明",
    "japanese": "山田 さくら",
    "korean": "김민준",
    "arabic": "محمد علي",
    "arabic-2": "فاطمة الزهراء",
    "devanagari": "अनिल कुमार",
    "devanagari-2": "प्रिया क्षत्रिय",
    "hebrew": "דוד לוי",
}
FONTS_NEEDED = "install fonts-noto-core and fonts-wqy-zenhei (scripts/setup.sh lists them)"


def screening(name: str, language: str = "en") -> Screening:
    built = builders.screening(
        builders.graded_eye(Laterality.RIGHT, ICDRGrade.MODERATE, 0.8),
        builders.graded_eye(Laterality.LEFT, ICDRGrade.NONE, 0.1),
        screening_id="scr-scripts",
        patient=Patient("P-SCRIPTS", name, date(1970, 1, 2), "F"),
        operator="nurse",
        site="kiosk",
        started_at=datetime(2025, 3, 5, 10, 30),
    )
    return replace(built, language=language)


def pdf_text(pdf: bytes, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return out


def read_back(raw: str) -> str:
    """pdftotext's text as a person reads it: embedding marks out, NFKC, spaces joined."""
    text = unicodedata.normalize("NFKC", raw.replace("\u202b", "").replace("\u202c", ""))
    return " ".join(text.split())


def test_the_fonts_for_every_script_are_installed() -> None:
    for key in fonts.SPECS:
        for bold in (False, True):
            assert fonts.face(key, bold) is not None, f"{key}: {FONTS_NEEDED}"


@pytest.mark.parametrize("language", ["en", "es", "pt"])
def test_names_in_every_script_come_back_from_the_report(language: str) -> None:
    for script, name in NAMES.items():
        pdf = render_report(
            screening(name, language),
            ClinicSettings(name="Clinic"),
            ReportSettings(),
            "r1",
            "CODE-1",
        )
        for page in (1, 2):  # the clinic's page and the patient's letter
            raw = pdf_text(pdf, page)
            assert name in read_back(raw), (script, page, raw)
        for bold in (False, True):  # every character had a font: nothing became '?'
            assert fonts.drawable(name, bold) == (name, frozenset()), script


def test_arabic_is_joined_and_read_right_to_left() -> None:
    name = NAMES["arabic"]
    raw = pdf_text(render_report(screening(name), ClinicSettings(), ReportSettings(), "r", "C"), 1)
    arabic = [ch for ch in raw if "\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufeff"]
    # joined: the letters are drawn in their contextual forms, not the isolated ones
    assert any("\ufb50" <= ch <= "\ufeff" for ch in arabic), arabic
    # in reading order: محمد (the first name) before علي, not the mirror image
    text = read_back(raw)
    assert name in text and name[::-1] not in text


def test_devanagari_is_read_back_in_the_order_typed() -> None:
    """The vowel sign ि is drawn before न in अनिल: the text still says अनिल (ActualText)."""
    pdf = render_report(
        screening(NAMES["devanagari"]), ClinicSettings(), ReportSettings(), "r", "C"
    )
    assert "अनिल कुमार" in read_back(pdf_text(pdf, 1))
    assert b"/ActualText" in content_streams(pdf)


def content_streams(pdf: bytes) -> bytes:
    """Every Flate stream of the PDF, inflated (the report compresses its pages)."""
    out = b""
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = match.group(1).strip()
        if data.endswith(b"~>"):  # ASCII85 first, then Flate
            try:
                data = base64.a85decode(data[:-2], adobe=False)
            except ValueError:
                continue
        with contextlib.suppress(zlib.error):
            out += zlib.decompressobj().decompress(data)
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", [0, 0, 0]),
        ("محمد", [1, 1, 1, 1]),
        ("a محمد علي b", [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]),
        ("علي 12", [1, 1, 1, 1, 2, 2]),  # numbers after Arabic letters: level 2
        ("x 12", [0, 0, 0, 0]),
        ("שלום, x", [1, 1, 1, 1, 0, 0, 0]),  # a neutral between R and L: the page's L
        ("علي ", [1, 1, 1, 0]),  # trailing spaces at the page's level (L1)
    ],
)
def test_bidi_levels(text: str, expected: list[int]) -> None:
    assert fonts.levels(text) == expected


def test_right_to_left_runs_are_placed_right_to_left() -> None:
    shown = fonts.runs("Dear محمد علي, 12", bold=False)
    texts = [run.text for run in shown]
    assert texts[0].startswith("Dear")
    assert any("محمد علي" in t for t in texts)  # one run: HarfBuzz lays it out RTL
    arabic = next(run for run in shown if "محمد" in run.text)
    assert arabic.rtl and arabic.shaped


def test_a_missing_font_is_logged_without_patient_details(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = fonts.face
    monkeypatch.setattr(fonts, "face", lambda key, bold: None if key == "cjk" else real(key, bold))
    caplog.set_level(logging.WARNING)
    pdf = render_report(
        screening("王小明 Smith"), ClinicSettings(), ReportSettings(), "report-7", "C"
    )
    assert "??? Smith" in read_back(pdf_text(pdf, 1))  # the existing fallback, never a crash
    (line,) = [r.getMessage() for r in caplog.records if "no font" in r.getMessage()]
    assert "CJK" in line and "report-7" in line and "fonts-wqy-zenhei" in line
    assert "王" not in line and "Smith" not in line and "P-SCRIPTS" not in line


def test_a_report_in_latin_only_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    render_report(screening("Ada Lovelace"), ClinicSettings(), ReportSettings(), "r", "C")
    assert not [r for r in caplog.records if "no font" in r.getMessage()]
