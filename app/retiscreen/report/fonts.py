"""Fonts for the report: which font draws each run of a text, and how the run is drawn.

- Text that Windows-1252 can encode (English, Spanish, Portuguese and most Western
  names) is drawn in the PDF built-in Helvetica, in one run.
- Any other text is cut into runs, each drawn in the first TrueType font found on the
  system (or bundled under ``assets/fonts``) that has its characters: the script's own
  Noto font for Arabic, Hebrew and Devanagari, then DejaVu Sans and Noto Sans (Latin,
  Greek, Cyrillic, Vietnamese...), then WenQuanYi Zen Hei (Chinese, Japanese, Korean).
  ReportLab embeds TrueType outlines only, so these are TrueType fonts (Debian's
  fonts-dejavu-core, fonts-noto-core and fonts-wqy-zenhei), not the CFF Noto CJK.
- Runs in a script whose letters change shape or order (Arabic, Hebrew, Devanagari, or
  with combining marks) are shaped by HarfBuzz (uharfbuzz, through ReportLab's own
  ``shapeFragWord``). Right-to-left runs are put in their visual place by the Unicode
  bidirectional algorithm, in the subset a left-to-right page needs (:func:`levels`:
  no explicit direction marks reach it, :func:`clean` turns them into spaces), and
  HarfBuzz lays each right-to-left run out right to left.
- A shaped left-to-right run carries its text as ``/ActualText``, so a PDF reader copies
  (and pdftotext reads back) "अनिल", not the glyphs in their drawn order. Right-to-left
  runs do not: readers such as poppler map their glyphs back to letters and put them in
  reading order themselves, and reverse an ``/ActualText`` given in reading order.
- A character no font has becomes its accent-free form, or ``?``; :func:`drawable`
  returns the scripts that happened to so that the report says so in the log (never the
  text itself: it may be a patient's name).
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.abag import ABag
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, shapeFragWord
from reportlab.pdfgen.canvas import Canvas

from retiscreen.settings import bundled_dir

log = logging.getLogger(__name__)

HELVETICA = ("Helvetica", "Helvetica-Bold")
FEATURES = {"kern": True, "liga": True}
"""HarfBuzz features for shaping: the required forms plus kerning and standard
ligatures; no discretionary ligatures (a name is written as typed, not ornamented)."""


@dataclass(frozen=True)
class FontSpec:
    """One TrueType family the report can use: its files (regular, bold) and the
    fontconfig family to look them up by when they are not in a known folder."""

    key: str
    files: tuple[str, str]
    family: str
    subfont: int = 0


SPECS: dict[str, FontSpec] = {
    spec.key: spec
    for spec in (
        FontSpec("dejavu", ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), "DejaVu Sans"),
        FontSpec("noto", ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"), "Noto Sans"),
        FontSpec(
            "arabic",
            ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
            "Noto Sans Arabic",
        ),
        FontSpec(
            "hebrew",
            ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
            "Noto Sans Hebrew",
        ),
        FontSpec(
            "devanagari",
            ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
            "Noto Sans Devanagari",
        ),
        # No bold face: bold CJK text is drawn in the regular one.
        FontSpec("cjk", ("wqy-zenhei.ttc", "wqy-zenhei.ttc"), "WenQuanYi Zen Hei"),
    )
}
GENERAL = ("dejavu", "noto", "cjk")
"""Tried in this order for every character, after its script's own font."""
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0870, 0x08FF, "arabic"),
    (0x0900, 0x097F, "devanagari"),
    (0x1CD0, 0x1CFF, "devanagari"),
    (0xA8E0, 0xA8FF, "devanagari"),
    (0xFB1D, 0xFB4F, "hebrew"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
)
_COMPLEX = {"arabic", "hebrew", "devanagari"}
"""Scripts whose runs are shaped (letters join, reorder or combine)."""


def _font_dirs() -> list[Path]:
    return [
        bundled_dir("assets") / "fonts",
        Path("/usr/share/fonts/truetype/dejavu"),
        Path("/usr/share/fonts/truetype/noto"),
        Path("/usr/share/fonts/truetype/wqy"),
        Path("/usr/share/fonts/dejavu"),
        Path("/usr/share/fonts/noto"),
        Path("/usr/share/fonts/TTF"),
        Path("/usr/local/share/fonts"),
        Path("/Library/Fonts"),
    ]


@functools.cache
def _fontconfig_files() -> dict[str, Path]:
    """File name → path of every font fontconfig knows (empty without ``fc-list``)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return {}
    try:
        listed = subprocess.run(
            [fc_list, "--format", "%{file}\\n"], capture_output=True, text=True, timeout=20
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return {Path(line).name: Path(line) for line in listed.splitlines() if line.strip()}


def find_font_file(name: str) -> Path | None:
    """A font file by its file name: the known folders first, then fontconfig's list."""
    for directory in _font_dirs():
        if (directory / name).is_file():
            return directory / name
    found = _fontconfig_files().get(name)
    return found if found is not None and found.is_file() else None


@dataclass(frozen=True)
class Face:
    """A registered TrueType face: its ReportLab name and the characters it has."""

    name: str
    covered: frozenset[int]


@functools.cache
def face(key: str, bold: bool) -> Face | None:
    """Register one family's face once, if its file can be found; None otherwise."""
    spec = SPECS[key]
    path = find_font_file(spec.files[bold])
    if path is None:
        return None
    name = f"RetiScreen-{key}" + ("-Bold" if bold and spec.files[0] != spec.files[1] else "")
    try:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=spec.subfont))
        font = pdfmetrics.getFont(name)
        covered = frozenset(font.face.charToGlyph)
    except Exception:  # a damaged font file must not stop a report
        log.warning("the report font %s could not be read; it is not used", path.name)
        return None
    return Face(name, covered)


def clean(text: str) -> str:
    """Control characters (tabs, stray newlines, direction marks) → spaces; runs of
    spaces collapsed."""
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in str(text))
    return " ".join(text.split())


# --------------------------------------------------------------------------- choosing fonts


def _script(ch: str) -> str | None:
    code = ord(ch)
    for low, high, script in _SCRIPT_RANGES:
        if low <= code <= high:
            return script
    return None


def _candidates(ch: str) -> Iterable[str]:
    script = _script(ch)
    if script is not None:
        yield script
    yield from GENERAL


def _face_for(ch: str, bold: bool) -> Face | None:
    for key in _candidates(ch):
        found = face(key, bold)
        if found is not None and ord(ch) in found.covered:
            return found
    return None


_NO_DECOMPOSITION = str.maketrans("ŁłĐđıĦħŦŧŊŋĿŀ", "LlDdiHhTtNnLl")
"""Latin letters that Unicode does not decompose into base letter + accent."""


def _downgrade(ch: str, ok: Callable[[str], bool]) -> str:
    """A character no font has → its accent-free form when that is drawable, else '?'."""
    ch = ch.translate(_NO_DECOMPOSITION)
    base = "".join(
        c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c) and ok(c)
    )
    return base or "?"


def script_name(ch: str) -> str:
    """The script a character belongs to, as Unicode names it ('ARABIC', 'CJK', 'LATIN')."""
    return (unicodedata.name(ch, "") or "UNKNOWN").split(" ")[0]


def _cp1252_ok(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _helvetica_only(text: str) -> bool:
    return all(_cp1252_ok(ch) for ch in text)


def drawable(text: str, bold: bool) -> tuple[str, frozenset[str]]:
    """``text`` with every character no font can draw replaced (accent-free or '?'),
    and the scripts of the replaced characters (empty when nothing was replaced)."""
    if _helvetica_only(text):
        return text, frozenset()
    out: list[str] = []
    missing: set[str] = set()
    unicode_fonts = any(face(key, bold) is not None for key in SPECS)

    def ok(c: str) -> bool:
        return _face_for(c, bold) is not None if unicode_fonts else _cp1252_ok(c)

    for ch in text:
        if ok(ch):
            out.append(ch)
        else:
            missing.add(script_name(ch))
            out.append(_downgrade(ch, ok))
    return "".join(out), frozenset(missing)


@dataclass(frozen=True)
class Run:
    """A stretch of one line in one font at one bidi level, in logical order."""

    text: str
    font: str
    level: int
    shaped: bool

    @property
    def rtl(self) -> bool:
        return self.level % 2 == 1


_STICKY = {"WS", "ON", "CS", "ES", "ET", "EN", "AN", "NSM", "BN", "S", "B"}
"""Bidi classes of characters that stay in the font of the run they are in (spaces,
punctuation, digits, combining marks) when that font has them."""


def _assign_fonts(text: str, bold: bool) -> list[tuple[str, bool]]:
    """(font name, shaped?) per character; ``text`` must be :func:`drawable`."""
    if _helvetica_only(text):
        return [(HELVETICA[bold], False)] * len(text)
    chosen: list[Face | None] = []
    current: Face | None = None
    for ch in text:
        sticky = unicodedata.bidirectional(ch) in _STICKY
        if sticky and current is not None and ord(ch) in current.covered:
            chosen.append(current)
            continue
        found = _face_for(ch, bold)
        chosen.append(found)
        if found is not None:
            current = found
    result: list[tuple[str, bool]] = []
    complex_faces = {
        f.name for key in _COMPLEX if (f := face(key, bold)) is not None
    }  # shaped whatever the text
    for ch, found in zip(text, chosen, strict=True):
        if found is None:  # no Unicode font at all: drawable() left only cp1252
            result.append((HELVETICA[bold], False))
            continue
        shaped = found.name in complex_faces or _script(ch) in _COMPLEX
        result.append((found.name, shaped or unicodedata.combining(ch) > 0))
    # A run is shaped when any of its characters needs it.
    return result


# --------------------------------------------------------------------------- bidi


_STRONG_R = {"R", "AL"}
_NUMBERS = {"EN", "AN"}


def levels(text: str) -> list[int]:
    """The Unicode bidirectional algorithm's embedding level of each character of one
    line on a left-to-right page (rules W1-W7, N1-N2, I1-I2 and L1; the explicit rules
    have nothing to do: :func:`clean` has removed every direction mark)."""
    types = [unicodedata.bidirectional(ch) or "L" for ch in text]
    n = len(types)
    # W1: a combining mark takes the type of the character before it (sos: L).
    for i, kind in enumerate(types):
        if kind == "NSM":
            types[i] = types[i - 1] if i else "L"
    # W2: a European number after Arabic letters is an Arabic number. W3: AL → R.
    last_strong = "L"
    for i, kind in enumerate(types):
        if kind in ("L", "R", "AL"):
            last_strong = kind
        elif kind == "EN" and last_strong == "AL":
            types[i] = "AN"
    types = ["R" if kind == "AL" else kind for kind in types]
    # W4: one separator between two numbers of the same kind joins them.
    for i in range(1, n - 1):
        if types[i] == "ES" and types[i - 1] == types[i + 1] == "EN":
            types[i] = "EN"
        elif types[i] == "CS" and types[i - 1] == types[i + 1] and types[i - 1] in _NUMBERS:
            types[i] = types[i - 1]
    # W5: terminators (%, $...) next to European numbers are numbers.
    i = 0
    while i < n:
        if types[i] == "ET":
            j = i
            while j < n and types[j] == "ET":
                j += 1
            if (i > 0 and types[i - 1] == "EN") or (j < n and types[j] == "EN"):
                types[i:j] = ["EN"] * (j - i)
            i = j
        else:
            i += 1
    # W6: other separators and terminators are neutral.
    types = ["ON" if kind in ("ES", "ET", "CS") else kind for kind in types]
    # W7: European numbers after a left-to-right letter (or at the start) are L.
    last_strong = "L"
    for i, kind in enumerate(types):
        if kind in ("L", "R"):
            last_strong = kind
        elif kind == "EN" and last_strong == "L":
            types[i] = "L"

    # N1/N2: neutrals between two of the same direction take it, others the page's (L).
    def direction(kind: str) -> str | None:
        if kind == "L":
            return "L"
        if kind in ("R", "EN", "AN"):
            return "R"
        return None

    i = 0
    while i < n:
        if direction(types[i]) is None:
            j = i
            while j < n and direction(types[j]) is None:
                j += 1
            before = direction(types[i - 1]) if i > 0 else "L"
            after = direction(types[j]) if j < n else "L"
            types[i:j] = [before if before is not None and before == after else "L"] * (j - i)
            i = j
        else:
            i += 1
    # I1: on an even (0) level, R goes up one, numbers up two.
    result = [1 if kind == "R" else 2 if kind in _NUMBERS else 0 for kind in types]
    # L1: spaces at the end of the line are at the page's level.
    j = n
    while j > 0 and unicodedata.bidirectional(text[j - 1]) in ("WS", "S", "B", "BN"):
        j -= 1
    result[j:] = [0] * (n - j)
    return result


def runs(text: str, bold: bool) -> list[Run]:
    """One line of :func:`drawable` text as runs in visual order, left to right (rule
    L2: from the highest level down to 1, every stretch at that level or above is
    reversed)."""
    if not text:
        return []
    if _helvetica_only(text):
        return [Run(text, HELVETICA[bold], 0, False)]
    fonts = _assign_fonts(text, bold)
    line_levels = levels(text)
    logical: list[Run] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or (fonts[i][0], line_levels[i]) != (fonts[start][0], line_levels[start]):
            shaped = any(shape for _, shape in fonts[start:i])
            logical.append(Run(text[start:i], fonts[start][0], line_levels[start], shaped))
            start = i
    ordered = list(logical)
    for level in range(max(r.level for r in ordered), 0, -1):
        i = 0
        while i < len(ordered):
            if ordered[i].level >= level:
                j = i
                while j < len(ordered) and ordered[j].level >= level:
                    j += 1
                ordered[i:j] = ordered[i:j][::-1]
                i = j
            else:
                i += 1
    return ordered


# --------------------------------------------------------------------------- measuring, drawing


_MIRRORED = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")


@functools.lru_cache(maxsize=4096)
def _shaped(text: str, font: str, size: float) -> tuple[str, float]:
    """HarfBuzz's glyphs for one run (a ReportLab ShapedStr) and their width."""
    plain = float(pdfmetrics.stringWidth(text, font, size))
    word = shapeFragWord([plain, (ABag(fontName=font, fontSize=size), text)], features=FEATURES)
    if len(word) != 2:  # unchanged by shaping, or split oddly: draw it as it is
        return text, plain
    return word[1][1], float(word[0])


def _run_text(run: Run, size: float) -> tuple[str, float]:
    """What to draw for a run, and its width."""
    if run.shaped:
        return _shaped(run.text, run.font, size)
    text = run.text[::-1].translate(_MIRRORED) if run.rtl else run.text
    return text, float(pdfmetrics.stringWidth(text, run.font, size))


def text_width(text: str, bold: bool, size: float) -> float:
    """Width in points of one line of :func:`drawable` text."""
    if _helvetica_only(text):
        return float(pdfmetrics.stringWidth(text, HELVETICA[bold], size))
    return sum(_run_text(run, size)[1] for run in runs(text, bold))


def _actual_text(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def draw_line(
    canvas: Canvas, x: float, baseline: float, text: str, bold: bool, size: float, align: str
) -> None:
    """Draw one line of :func:`drawable` text, its left edge at ``x`` (or its centre or
    right edge, for ``align`` 'center' / 'right')."""
    pieces = [(run, *_run_text(run, size)) for run in runs(text, bold)]
    total = sum(width for _, _, width in pieces)
    if align == "center":
        x -= total / 2
    elif align == "right":
        x -= total
    for run, drawn, width in pieces:
        canvas.setFont(run.font, size)
        tagged = run.shaped and not run.rtl
        if tagged:
            canvas.addLiteral(f"/Span <</ActualText {_actual_text(run.text)}>> BDC")
        canvas.drawString(x, baseline, drawn)
        if tagged:
            canvas.addLiteral("EMC")
        x += width
