"""Fonts for the report: Helvetica where it can encode the text, DejaVu Sans otherwise.

The PDF built-in Helvetica is used for all text it can encode (Windows-1252); a string
with other characters (Polish, Vietnamese, Greek, Cyrillic names...) is drawn in DejaVu
Sans when that TrueType font is found on the system or bundled under ``assets/fonts``;
characters neither font has become their accent-free form, or ``?``.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from retiscreen.settings import bundled_dir

_HELVETICA = ("Helvetica", "Helvetica-Bold")
_UNICODE_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


def _font_dirs() -> list[Path]:
    return [
        bundled_dir("assets") / "fonts",
        Path("/usr/share/fonts/truetype/dejavu"),
        Path("/usr/share/fonts/dejavu"),
        Path("/usr/share/fonts/TTF"),
        Path("/usr/local/share/fonts"),
        Path("/Library/Fonts"),
    ]


@dataclass(frozen=True)
class UnicodeFonts:
    names: tuple[str, str]
    covered: frozenset[int]


@functools.cache
def unicode_fonts() -> UnicodeFonts | None:
    """Register DejaVu Sans (regular, bold) once, if it can be found; None otherwise."""
    for directory in _font_dirs():
        regular, bold = (directory / name for name in _UNICODE_FONT_FILES)
        if not (regular.is_file() and bold.is_file()):
            continue
        try:
            fonts = (
                TTFont("RetiScreenSans", str(regular)),
                TTFont("RetiScreenSans-Bold", str(bold)),
            )
            for font in fonts:
                pdfmetrics.registerFont(font)
            covered = frozenset(fonts[0].face.charToGlyph) & frozenset(fonts[1].face.charToGlyph)
        except Exception:  # a damaged font file must not stop a report
            continue
        return UnicodeFonts(("RetiScreenSans", "RetiScreenSans-Bold"), covered)
    return None


def clean(text: str) -> str:
    """Control characters (tabs, stray newlines) → spaces; runs of spaces collapsed."""
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in str(text))
    return " ".join(text.split())


_NO_DECOMPOSITION = str.maketrans("ŁłĐđıĦħŦŧŊŋĿŀ", "LlDdiHhTtNnLl")
"""Latin letters that Unicode does not decompose into base letter + accent."""


def _downgrade(ch: str, ok: Any) -> str:
    """A character the font lacks → its accent-free form when that is drawable, else '?'."""
    ch = ch.translate(_NO_DECOMPOSITION)
    base = "".join(
        c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c) and ok(c)
    )
    return base or "?"


def _cp1252_ok(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def font_for(text: str, bold: bool) -> tuple[str, str]:
    """(font name, drawable text) for one string."""
    if all(_cp1252_ok(ch) for ch in text):
        return _HELVETICA[bold], text
    found = unicode_fonts()
    if found is not None:

        def ok(ch: str) -> bool:
            return ord(ch) in found.covered

        return found.names[bold], "".join(ch if ok(ch) else _downgrade(ch, ok) for ch in text)
    return _HELVETICA[bold], "".join(
        ch if _cp1252_ok(ch) else _downgrade(ch, _cp1252_ok) for ch in text
    )
