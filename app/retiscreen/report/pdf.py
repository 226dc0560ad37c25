"""The printed referral report: one page for the clinic, optionally a letter for the patient.

Rendering is pure (a :class:`~retiscreen.domain.Screening` in, PDF bytes out) and must
never fail for reasons of content: every text field has a fixed line budget (long names
and addresses are wrapped, then cut with an ellipsis), images that cannot be shown become
a grey box, an unreadable logo is left out, and characters a font cannot draw are
replaced. So page 1 is always exactly one page, whatever the data.

Fonts: the PDF built-in Helvetica is used for all text it can encode (Windows-1252); a
string with other characters (Polish, Vietnamese, Greek, Cyrillic names...) is drawn in
DejaVu Sans when that TrueType font is found on the system or bundled under
``assets/fonts``; characters neither font has become ``?``.

No patient identifiers are written into the PDF metadata (the title is the report ID),
so print-queue listings and file browsers do not show them.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from retiscreen.catalogue import ENGLISH
from retiscreen.domain import Decision, EyeResult, Laterality, Screening
from retiscreen.palette import DECISION_COLOURS
from retiscreen.report.verification import qr_payload
from retiscreen.settings import ClinicSettings, ReportSettings, bundled_dir

TITLE = "Diabetic retinopathy screening report"
DISCLAIMER = (
    "RetiScreen is research software, not a cleared medical device. It does not replace a "
    "full eye examination by an eye-care professional, and a result of no referable "
    "retinopathy does not rule out other eye disease. See an eye specialist at once if "
    "your sight changes."
)
DR_EXPLAINED = (
    "Diabetic retinopathy is damage to the small blood vessels at the back of the eye (the "
    "retina) caused by diabetes. It often gives no symptoms until it is advanced, which is "
    "why regular eye photographs matter: treatment started early protects your sight."
)


PAPER_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}
MARGIN = 36.0
_GREY = colors.HexColor("#555555")
_LIGHT_GREY = colors.HexColor("#D9D9D9")
_RULE = colors.HexColor("#999999")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
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


# --------------------------------------------------------------------------- fonts & text

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
class _UnicodeFonts:
    names: tuple[str, str]
    covered: frozenset[int]


@functools.cache
def _unicode_fonts() -> _UnicodeFonts | None:
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
        return _UnicodeFonts(("RetiScreenSans", "RetiScreenSans-Bold"), covered)
    return None


def _clean(text: str) -> str:
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


def _font_for(text: str, bold: bool) -> tuple[str, str]:
    """(font name, drawable text) for one string."""
    if all(_cp1252_ok(ch) for ch in text):
        return _HELVETICA[bold], text
    unicode_fonts = _unicode_fonts()
    if unicode_fonts is not None:

        def ok(ch: str) -> bool:
            return ord(ch) in unicode_fonts.covered

        return unicode_fonts.names[bold], "".join(
            ch if ok(ch) else _downgrade(ch, ok) for ch in text
        )
    return _HELVETICA[bold], "".join(
        ch if _cp1252_ok(ch) else _downgrade(ch, _cp1252_ok) for ch in text
    )


def _width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))


def _longest_fitting_prefix(text: str, suffix: str, font: str, size: float, width: float) -> int:
    """Largest n such that text[:n] + suffix fits ``width`` (binary search; 0 if none)."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _width(text[:mid].rstrip() + suffix, font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _truncate(text: str, font: str, size: float, width: float) -> str:
    """Cut ``text`` so that it plus an ellipsis fits ``width``."""
    if _width(text, font, size) <= width:
        return text
    return text[: _longest_fitting_prefix(text, ELLIPSIS, font, size, width)].rstrip() + ELLIPSIS


def _wrap(text: str, font: str, size: float, width: float, limit: int) -> list[str]:
    """Greedy word wrap into at most ``limit`` lines (the rest is dropped); a word longer
    than the line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if _width(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while len(lines) < limit and len(word) > 1 and _width(word, font, size) > width:
            cut = max(1, _longest_fitting_prefix(word, "", font, size, width))
            lines.append(word[:cut])
            word = word[cut:]
        if len(lines) >= limit:
            return lines[:limit]
        current = word
    if current or not lines:
        lines.append(current)
    return lines[:limit]


@dataclass(frozen=True)
class _Style:
    size: float
    bold: bool = False
    color: colors.Color = colors.black
    leading_factor: float = 1.22

    @property
    def leading(self) -> float:
        return self.size * self.leading_factor


def _layout(text: str, style: _Style, width: float, max_lines: int) -> tuple[str, list[str]]:
    """Font and the lines ``text`` takes (at most ``max_lines``, the last cut if needed)."""
    font, drawable = _font_for(_clean(str(text)[:_MAX_TEXT]), style.bold)
    lines = _wrap(drawable, font, style.size, width, max_lines + 1)
    if len(lines) > max_lines or len(text) > _MAX_TEXT:
        kept = lines[:max_lines]
        last = _truncate(kept[-1] + " " + "".join(lines[max_lines:]), font, style.size, width)
        if not last.endswith(ELLIPSIS):
            last = _truncate(last + " " + ELLIPSIS, font, style.size, width - 0.01)
        kept[-1] = last
        lines = kept
    return font, lines


class _Page:
    """A canvas plus a cursor that only moves down, with line-budgeted text helpers."""

    def __init__(self, canvas: Canvas, size: tuple[float, float]) -> None:
        self.c = canvas
        self.width, self.height = size
        self.left = MARGIN
        self.right = self.width - MARGIN
        self.content_width = self.right - self.left
        self.bottom = MARGIN

    def text(
        self,
        x: float,
        y_top: float,
        width: float,
        text: str,
        style: _Style,
        max_lines: int = 1,
        align: str = "left",
    ) -> float:
        """Draw wrapped text whose first line's top is at ``y_top``; returns the y below it."""
        font, lines = _layout(text, style, width, max_lines)
        self.c.setFont(font, style.size)
        self.c.setFillColor(style.color)
        y = y_top
        for line in lines:
            y -= style.leading
            baseline = y + (style.leading - style.size) / 2 + style.size * 0.22
            if align == "center":
                self.c.drawCentredString(x + width / 2, baseline, line)
            elif align == "right":
                self.c.drawRightString(x + width, baseline, line)
            else:
                self.c.drawString(x, baseline, line)
        return y

    def text_height(self, text: str, style: _Style, width: float, max_lines: int) -> float:
        return len(_layout(text, style, width, max_lines)[1]) * style.leading

    def rule(self, y: float) -> None:
        self.c.setStrokeColor(_RULE)
        self.c.setLineWidth(0.6)
        self.c.line(self.left, y, self.right, y)


# --------------------------------------------------------------------------- formatting


def format_date(day: date | None) -> str:
    """'5 March 2026': unambiguous whatever the reader's country."""
    if day is None:
        return "not recorded"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _format_datetime(moment: datetime) -> str:
    text = f"{format_date(moment.date())}, {moment:%H:%M}"
    if moment.tzinfo is not None:
        text += f" {moment.tzname() or moment.strftime('%z')}"
    return text


def _due_text(decision: Decision, screened: datetime) -> str:
    due = decision.follow_up_date(screened.date())
    return format_date(due) if due is not None else "as soon as possible"


def _model_lines(screening: Screening) -> list[str]:
    seen: list[str] = []
    for eye in screening.eyes:
        if eye.grade is None:
            continue
        model = eye.grade.model
        line = (
            f"{model.name} {model.version} (sha256 {model.sha256[:12]}), "
            f"execution provider {eye.grade.provider}"
        )
        if line not in seen:
            seen.append(line)
    return seen


# --------------------------------------------------------------------------- images


def _thumbnail(pixels: Any) -> ImageReader:
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


def _logo(path_text: str) -> ImageReader | None:
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


def _draw_image_fit(
    page: _Page, reader: ImageReader, x: float, y: float, width: float, height: float
) -> None:
    iw, ih = reader.getSize()
    scale = min(width / iw, height / ih)
    w, h = iw * scale, ih * scale
    page.c.drawImage(reader, x + (width - w) / 2, y + (height - h) / 2, w, h)


def _grey_box(
    page: _Page, x: float, y: float, width: float, height: float, title: str, detail: str
) -> None:
    page.c.setFillColor(_LIGHT_GREY)
    page.c.setStrokeColor(_RULE)
    page.c.rect(x, y, width, height, stroke=1, fill=1)
    block = _Style(11, bold=True, color=_GREY)
    small = _Style(8, color=_GREY)
    detail_h = page.text_height(detail, small, width - 16, 4) if detail else 0.0
    top = y + height / 2 + (block.leading + detail_h) / 2
    top = page.text(x + 8, top, width - 16, title, block, 1, align="center")
    if detail:
        page.text(x + 8, top, width - 16, detail, small, 4, align="center")


# --------------------------------------------------------------------------- page 1


def _header(page: _Page, clinic: ClinicSettings) -> float:
    top = page.height - MARGIN
    x = page.left
    logo = _logo(clinic.logo)
    if logo is not None:
        _draw_image_fit(page, logo, x, top - 48, 72, 48)
        x += 82
    width = page.right - x
    y = page.text(x, top, width, clinic.name, _Style(13, bold=True), 1)
    address_lines = [part for part in str(clinic.address).splitlines() if part.strip()]
    y = page.text(x, y, width, ", ".join(p.strip() for p in address_lines), _Style(8.5), 2)
    if clinic.phone.strip():
        y = page.text(x, y, width, f"Phone: {clinic.phone}", _Style(8.5), 1)
    y = min(y, top - 48) - 8
    y = page.text(page.left, y, page.content_width, TITLE, _Style(16, bold=True), 1)
    y -= 4
    page.rule(y)
    return y - 6


def _field_rows(
    page: _Page, x: float, y: float, width: float, rows: Sequence[tuple[str, str, int]]
) -> float:
    label_w = 78.0
    label = _Style(8.5, color=_GREY)
    for name, value, max_lines in rows:
        value_style = _Style(11 if max_lines > 1 else 9.5, bold=max_lines > 1)
        page.text(x, y - (value_style.leading - label.leading) / 2, label_w, name, label, 1)
        y = page.text(x + label_w, y, width - label_w, value, value_style, max_lines)
    return y


def _patient_block(page: _Page, screening: Screening, top: float) -> float:
    column = (page.content_width - 16) / 2
    patient = screening.patient
    left = _field_rows(
        page,
        page.left,
        top,
        column,
        [
            ("Patient", patient.name, 2),
            ("Patient ID", patient.patient_id, 1),
            ("Date of birth", format_date(patient.date_of_birth), 1),
            ("Sex", patient.sex or "not recorded", 1),
        ],
    )
    right = _field_rows(
        page,
        page.left + column + 16,
        top,
        column,
        [
            ("Screened", _format_datetime(screening.started_at), 1),
            ("Operator", screening.operator, 1),
            ("Site", screening.site, 1),
            ("Screening ID", screening.screening_id, 1),
        ],
    )
    return min(left, right) - 8


def _decision_box(
    page: _Page, screening: Screening, top: float, rules_note: str | None, big: bool = False
) -> float:
    decision = screening.decision
    background, ink = DECISION_COLOURS[decision.kind]
    colour = colors.HexColor(background)
    headline, advice = ENGLISH.headline(decision), ENGLISH.advice(decision)
    pad = 8.0
    inner = page.content_width - 2 * pad
    head = _Style(22 if big else 17, bold=True, color=colors.HexColor(ink))
    body = _Style(14 if big else 10)
    due = _Style(14 if big else 10.5, bold=True)
    note = _Style(7.5, color=_GREY)
    band_h = page.text_height(headline, head, inner, 2) + 2 * pad
    body_h = page.text_height(advice, body, inner, 6 if big else 5)
    note_h = page.text_height(rules_note, note, inner, 2) if rules_note else 0.0
    box_h = band_h + pad + body_h + 4 + due.leading + (note_h + 2 if note_h else 0) + pad
    bottom = top - box_h
    page.c.setStrokeColor(colour)
    page.c.setLineWidth(2.5)
    page.c.setFillColor(colors.white)
    page.c.rect(page.left, bottom, page.content_width, box_h, stroke=1, fill=0)
    page.c.setFillColor(colour)
    page.c.rect(page.left, top - band_h, page.content_width, band_h, stroke=0, fill=1)
    page.text(page.left + pad, top - pad, inner, headline, head, 2)
    y = top - band_h - pad
    y = page.text(page.left + pad, y, inner, advice, body, 6 if big else 5) - 4
    y = page.text(
        page.left + pad,
        y,
        inner,
        f"Next step due by: {_due_text(decision, screening.started_at)}",
        due,
        1,
    )
    if rules_note:
        page.text(page.left + pad, y - 2, inner, rules_note, note, 2)
    return bottom - 10


_EYE_TEXT_BUDGET = 128.0
"""Points reserved under each thumbnail for quality, grade and probability lines."""


def _eye_column(
    page: _Page,
    eye: EyeResult | None,
    laterality: Laterality,
    x: float,
    top: float,
    width: float,
    thumb_h: float,
) -> None:
    label = "Right eye (OD)" if laterality is Laterality.RIGHT else "Left eye (OS)"
    y = page.text(x, top, width, label, _Style(11, bold=True), 1) - 2
    box_y = y - thumb_h
    if eye is None:
        _grey_box(
            page, x, box_y, width, thumb_h, "No image", "This eye was not part of the screening."
        )
    elif eye.image is None:
        detail = (
            f"{ENGLISH.eye_status(eye.status)}: {eye.skipped_reason}"
            if eye.skipped_reason
            else eye.error or "No photograph was recorded."
        )
        _grey_box(page, x, box_y, width, thumb_h, "No image", detail)
    else:
        try:
            _draw_image_fit(page, _thumbnail(eye.image.pixels), x, box_y, width, thumb_h)
        except Exception:
            _grey_box(
                page, x, box_y, width, thumb_h, "No image", "The photograph could not be shown."
            )
    y = box_y - 4
    if eye is None:
        return
    small = _Style(9)
    bold = _Style(9, bold=True)
    reasons = _Style(7.5, color=_GREY, leading_factor=1.18)
    quality = eye.quality
    if quality is None:
        y = page.text(x, y, width, "Quality: not assessed", small, 1)
    else:
        verdict = "Gradable" if quality.gradable else "Not gradable"
        y = page.text(x, y, width, f"Quality: {verdict} (score {quality.score:.2f})", small, 1)
        budget = 5
        for message in map(ENGLISH.quality, quality.reasons):
            if budget <= 0:
                break
            lines = len(_layout(f"- {message}", reasons, width - 6, budget)[1])
            y = page.text(x + 6, y, width - 6, f"- {message}", reasons, budget)
            budget -= lines
    if eye.grade is not None:
        y = page.text(x, y, width, f"Grade: {ENGLISH.grade(eye.grade.grade)}", bold, 2)
        y = page.text(
            x,
            y,
            width,
            f"Referable DR probability: {eye.grade.referable_probability:.0%} "
            f"(referral threshold {eye.grade.threshold:.0%})",
            small,
            1,
        )
    else:
        why = ENGLISH.eye_status(eye.status)
        if eye.skipped_reason:
            why += f" ({eye.skipped_reason})"
        elif eye.error:
            why += f": {eye.error}"
        y = page.text(x, y, width, f"Grade: {why}", bold, 2)
        y = page.text(x, y, width, "Referable DR probability: not available", small, 1)
    if eye.decision is None:
        page.text(x, y, width, "Eye result: not counted (eye absent)", small, 1)
    else:
        page.text(x, y, width, f"Eye result: {ENGLISH.headline(eye.decision)}", small, 2)


def _eyes(page: _Page, screening: Screening, top: float, bottom: float) -> None:
    column = (page.content_width - 16) / 2
    thumb_h = max(60.0, min(190.0, top - bottom - 17 - 4 - _EYE_TEXT_BUDGET))
    for index, laterality in enumerate((Laterality.RIGHT, Laterality.LEFT)):
        x = page.left + index * (column + 16)
        _eye_column(page, screening.eye(laterality), laterality, x, top, column, thumb_h)


def _footer(
    page: _Page, screening: Screening, report_id: str, verification: str, page_label: str
) -> float:
    """QR, code, model provenance and disclaimer, anchored at the bottom; returns its top."""
    qr_size = 84.0
    qr_x = page.left
    qr_y = page.bottom
    widget = QrCodeWidget(qr_payload(report_id, verification), barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, page.c, qr_x, qr_y)
    x = qr_x + qr_size + 8
    width = page.right - x
    y = page.text(
        x, qr_y + qr_size - 2, width, f"Verification code: {verification}", _Style(11, bold=True), 1
    )
    y = page.text(x, y, width, f"Report ID: {report_id}", _Style(8, color=_GREY), 1)
    y -= 2
    page.text(x, y, width, DISCLAIMER, _Style(7.5, color=_GREY, leading_factor=1.18), 5)
    page.c.setFont("Helvetica", 6.5)
    page.c.setFillColor(_GREY)
    page.c.drawRightString(page.right, MARGIN / 2, f"RetiScreen report {report_id} - {page_label}")

    model_lines = _model_lines(screening)
    model_text = "Grader: " + ("; ".join(model_lines) if model_lines else "grader not run")
    style = _Style(8, color=_GREY)
    model_top = qr_y + qr_size + 6 + page.text_height(model_text, style, page.content_width, 2)
    page.text(page.left, model_top, page.content_width, model_text, style, 2)
    page.rule(model_top + 3)
    return model_top + 10


def _report_page(
    page: _Page,
    screening: Screening,
    clinic: ClinicSettings,
    report_id: str,
    verification: str,
    rules_note: str | None,
    pages: int,
) -> None:
    y = _patient_block(page, screening, _header(page, clinic))
    y = _decision_box(page, screening, y, rules_note)
    footer_top = _footer(page, screening, report_id, verification, f"page 1 of {pages}")
    _eyes(page, screening, y, footer_top)


# --------------------------------------------------------------------------- page 2


def _letter_page(
    page: _Page, screening: Screening, clinic: ClinicSettings, report_id: str, pages: int
) -> None:
    body = _Style(14)
    y = page.height - MARGIN
    y = page.text(
        page.left, y, page.content_width, clinic.name, _Style(12, bold=True, color=_GREY), 1
    )
    y = page.text(
        page.left, y - 10, page.content_width, "Your eye screening result", _Style(24, bold=True), 1
    )
    y = page.text(page.left, y - 10, page.content_width, f"Dear {screening.patient.name},", body, 2)
    y = page.text(
        page.left,
        y - 6,
        page.content_width,
        f"On {format_date(screening.started_at.date())} we took photographs of the back of your "
        "eyes to check for diabetic eye disease. This is what we found:",
        body,
        3,
    )
    y = _decision_box(page, screening, y - 10, None, big=True)
    y = page.text(
        page.left,
        y - 4,
        page.content_width,
        "What is diabetic retinopathy?",
        _Style(15, bold=True),
        1,
    )
    y = page.text(page.left, y - 2, page.content_width, DR_EXPLAINED, body, 5)
    y = page.text(
        page.left,
        y - 8,
        page.content_width,
        "If your sight gets worse suddenly, get help at once: do not wait for your appointment.",
        _Style(14, bold=True),
        2,
    )
    contact = ", ".join(
        part.strip()
        for part in [
            clinic.name,
            *str(clinic.address).splitlines(),
            clinic.phone and f"phone {clinic.phone}",
        ]
        if part and part.strip()
    )
    y = page.text(page.left, y - 10, page.content_width, f"Questions? Contact {contact}.", body, 4)
    page.text(
        page.left,
        page.bottom + 5 * 9.0,
        page.content_width,
        DISCLAIMER,
        _Style(8, color=_GREY, leading_factor=1.12),
        5,
    )
    page.c.setFont("Helvetica", 6.5)
    page.c.setFillColor(_GREY)
    page.c.drawRightString(
        page.right, MARGIN / 2, f"RetiScreen report {report_id} - page 2 of {pages}"
    )


# --------------------------------------------------------------------------- entry point


def render_report(
    screening: Screening,
    clinic: ClinicSettings,
    report: ReportSettings,
    report_id: str,
    verification: str,
    rules_note: str | None = None,
) -> bytes:
    """The referral report as PDF bytes: page 1 for the clinic, page 2 (when
    ``report.patient_letter``) a plain-language letter for the patient.

    ``verification`` is the code from :func:`~retiscreen.report.verification.verification_code`;
    ``rules_note`` is an optional small print line under the decision (e.g. which
    referral intervals the programme uses). Raises ValueError only for an unknown
    ``report.paper``.
    """
    size = page_size(report.paper)
    pages = 2 if report.patient_letter else 1
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size, pageCompression=1)
    canvas.setTitle(f"RetiScreen report {report_id}")
    canvas.setSubject(TITLE)
    canvas.setCreator("RetiScreen")
    canvas.setAuthor(_font_for(_clean(clinic.name), False)[1])
    _report_page(_Page(canvas, size), screening, clinic, report_id, verification, rules_note, pages)
    canvas.showPage()
    if report.patient_letter:
        _letter_page(_Page(canvas, size), screening, clinic, report_id, pages)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
