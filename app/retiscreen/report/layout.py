"""Page geometry and text that always fits: line-budgeted wrapping, cutting with an
ellipsis, images scaled into a box or replaced by a grey one.

Why a module of its own: the report must never fail for reasons of content, and every
section relies on these few helpers to keep that promise.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from retiscreen.catalogue import ENGLISH, Catalogue
from retiscreen.report.fonts import clean, draw_line, drawable, text_width

PAPER_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}
MARGIN = 36.0
GREY = colors.HexColor("#555555")
LIGHT_GREY = colors.HexColor("#D9D9D9")
_RULE = colors.HexColor("#999999")
_THUMB_MAX_SIDE = 720
_MAX_TEXT = 4000
"""Characters of one field considered for layout: far more than any line budget holds."""
ELLIPSIS = "…"
_LOGO_MAX_SIDE = 600


def page_size(paper: str) -> tuple[float, float]:
    """(width, height) in points for ReportSettings.paper ('A4' or 'Letter')."""
    try:
        return PAPER_SIZES[paper.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown paper size {paper!r}: use 'A4' or 'Letter'") from None


# --------------------------------------------------------------------------- text


def _width(text: str, bold: bool, size: float) -> float:
    return text_width(text, bold, size)


def _longest_fitting_prefix(text: str, suffix: str, bold: bool, size: float, width: float) -> int:
    """Largest n such that text[:n] + suffix fits ``width`` (binary search; 0 if none)."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _width(text[:mid].rstrip() + suffix, bold, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _truncate(text: str, bold: bool, size: float, width: float) -> str:
    """Cut ``text`` so that it plus an ellipsis fits ``width``."""
    if _width(text, bold, size) <= width:
        return text
    return text[: _longest_fitting_prefix(text, ELLIPSIS, bold, size, width)].rstrip() + ELLIPSIS


def _wrap(text: str, bold: bool, size: float, width: float, limit: int) -> list[str]:
    """Greedy word wrap into at most ``limit`` lines (the rest is dropped); a word longer
    than the line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if _width(candidate, bold, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while len(lines) < limit and len(word) > 1 and _width(word, bold, size) > width:
            cut = max(1, _longest_fitting_prefix(word, "", bold, size, width))
            lines.append(word[:cut])
            word = word[cut:]
        if len(lines) >= limit:
            return lines[:limit]
        current = word
    if current or not lines:
        lines.append(current)
    return lines[:limit]


@dataclass(frozen=True)
class Style:
    size: float
    bold: bool = False
    color: colors.Color = colors.black
    leading_factor: float = 1.22

    @property
    def leading(self) -> float:
        return self.size * self.leading_factor


def layout_text(
    text: str, style: Style, width: float, max_lines: int
) -> tuple[list[str], frozenset[str]]:
    """The lines ``text`` takes (at most ``max_lines``, the last cut if needed), and the
    scripts of any characters no font could draw (see :func:`~.fonts.drawable`)."""
    shown, missing = drawable(clean(str(text)[:_MAX_TEXT]), style.bold)
    bold, size = style.bold, style.size
    lines = _wrap(shown, bold, size, width, max_lines + 1)
    if len(lines) > max_lines or len(text) > _MAX_TEXT:
        kept = lines[:max_lines]
        last = _truncate(kept[-1] + " " + "".join(lines[max_lines:]), bold, size, width)
        if not last.endswith(ELLIPSIS):
            last = _truncate(last + " " + ELLIPSIS, bold, size, width - 0.01)
        kept[-1] = last
        lines = kept
    return lines, missing


class Page:
    """A canvas plus a cursor that only moves down, with line-budgeted text helpers."""

    def __init__(
        self, canvas: Canvas, size: tuple[float, float], words: Catalogue = ENGLISH
    ) -> None:
        self.c = canvas
        self.words = words
        """The reader's language: the patient's, for the report and the letter."""
        self.width, self.height = size
        self.left = MARGIN
        self.right = self.width - MARGIN
        self.content_width = self.right - self.left
        self.bottom = MARGIN
        self.missing_scripts: set[str] = set()
        """Scripts of characters drawn as '?' or without accents: no font had them."""

    def text(
        self,
        x: float,
        y_top: float,
        width: float,
        text: str,
        style: Style,
        max_lines: int = 1,
        align: str = "left",
    ) -> float:
        """Draw wrapped text whose first line's top is at ``y_top``; returns the y below it."""
        lines, missing = layout_text(text, style, width, max_lines)
        self.missing_scripts |= missing
        self.c.setFillColor(style.color)
        anchor = {"center": x + width / 2, "right": x + width}.get(align, x)
        y = y_top
        for line in lines:
            y -= style.leading
            baseline = y + (style.leading - style.size) / 2 + style.size * 0.22
            draw_line(self.c, anchor, baseline, line, style.bold, style.size, align)
        return y

    def text_height(self, text: str, style: Style, width: float, max_lines: int) -> float:
        return len(layout_text(text, style, width, max_lines)[0]) * style.leading

    def rule(self, y: float) -> None:
        self.c.setStrokeColor(_RULE)
        self.c.setLineWidth(0.6)
        self.c.line(self.left, y, self.right, y)


# --------------------------------------------------------------------------- formatting


def format_date(day: date | None, words: Catalogue = ENGLISH) -> str:
    """'5 March 2026': unambiguous whatever the reader's country."""
    if day is None:
        return words.text("report.not_recorded")
    return words.long_date(day)


def format_datetime(moment: datetime, words: Catalogue = ENGLISH) -> str:
    time = f"{moment:%H:%M}"
    if moment.tzinfo is not None:
        time += f" {moment.tzname() or moment.strftime('%z')}"
    return words.text("report.date_time", date=format_date(moment.date(), words), time=time)


def thumbnail(pixels: Any) -> ImageReader:
    """RGB uint8 array → in-memory JPEG for the PDF (raises on anything unusable)."""
    array = np.asarray(pixels)
    if array.dtype != np.uint8 or array.ndim not in (2, 3) or min(array.shape[:2]) < 1:
        raise ValueError(f"not an 8-bit image array: {array.dtype} {array.shape}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 3 and array.shape[2] not in (3, 4):
        raise ValueError(f"unexpected channel count {array.shape[2]}")
    image = Image.fromarray(np.ascontiguousarray(array)).convert("RGB")
    image.thumbnail((_THUMB_MAX_SIDE, _THUMB_MAX_SIDE))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    buffer.seek(0)
    return ImageReader(buffer)


def logo_image(path_text: str) -> ImageReader | None:
    """The clinic logo, or None when unset or unreadable (never an error)."""
    if not path_text.strip():
        return None
    try:
        with Image.open(Path(path_text).expanduser()) as opened:
            opened.load()
            image = opened.convert("RGBA") if "A" in opened.getbands() else opened.convert("RGB")
        if image.mode == "RGBA":  # flatten onto white: JPEG-free and printer-safe
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.thumbnail((_LOGO_MAX_SIDE, _LOGO_MAX_SIDE))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        buffer.seek(0)
        return ImageReader(buffer)
    except Exception:  # unreadable, missing, not an image, decompression bomb...
        return None


def draw_image_fit(
    page: Page, reader: ImageReader, x: float, y: float, width: float, height: float
) -> None:
    iw, ih = reader.getSize()
    scale = min(width / iw, height / ih)
    w, h = iw * scale, ih * scale
    page.c.drawImage(reader, x + (width - w) / 2, y + (height - h) / 2, w, h)


def grey_box(
    page: Page, x: float, y: float, width: float, height: float, title: str, detail: str
) -> None:
    page.c.setFillColor(LIGHT_GREY)
    page.c.setStrokeColor(_RULE)
    page.c.rect(x, y, width, height, stroke=1, fill=1)
    block = Style(11, bold=True, color=GREY)
    small = Style(8, color=GREY)
    detail_h = page.text_height(detail, small, width - 16, 4) if detail else 0.0
    top = y + height / 2 + (block.leading + detail_h) / 2
    top = page.text(x + 8, top, width - 16, title, block, 1, align="center")
    if detail:
        page.text(x + 8, top, width - 16, detail, small, 4, align="center")
