"""The sections of the clinic's page (and the decision box the letter shares): header,
patient, decision, each eye, and the footer with the QR code and model provenance.
Wording is the catalogue's, in the page's language (``page.words``: the patient's).
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors

from retiscreen.catalogue import ENGLISH, Catalogue
from retiscreen.domain import Exclusion, EyeResult, EyeStatus, Laterality, Review, Screening
from retiscreen.identity import sex_code
from retiscreen.imaging.heatmap import overlay
from retiscreen.palette import DECISION_COLOURS
from retiscreen.report.layout import (
    GREY,
    MARGIN,
    Page,
    Style,
    draw_image_fit,
    format_date,
    format_datetime,
    grey_box,
    layout_text,
    logo_image,
    thumbnail,
)
from retiscreen.report.verification import qr_payload
from retiscreen.settings import ClinicSettings

TITLE = ENGLISH.text("report.title")
DISCLAIMER = ENGLISH.text("report.disclaimer")
_SEX_WORDS = {"F": "report.sex.female", "M": "report.sex.male", "O": "report.sex.other"}
_SEX_RECORDED = {"f", "m", "x", "o", "female", "male", "other"}
"""What the CLI (F/M/X) and the kiosk (Female/Male/Other) record: said in the reader's
language; anything else is shown as it was recorded."""


def sex_words(sex: str | None, words: Catalogue) -> str:
    if not sex:
        return words.text("report.not_recorded")
    code = sex_code(sex)
    if sex.strip().casefold() in _SEX_RECORDED and code in _SEX_WORDS:
        return words.text(_SEX_WORDS[code])
    return sex


def model_lines(screening: Screening, words: Catalogue = ENGLISH) -> list[str]:
    seen: list[str] = []
    for eye in screening.eyes:
        if eye.grade is None:
            continue
        model = eye.grade.model
        line = words.text(
            "report.model_line",
            model=f"{model.name} {model.version} (sha256 {model.sha256[:12]})",
            provider=eye.grade.provider,
        )
        if line not in seen:
            seen.append(line)
    return seen


# --------------------------------------------------------------------------- images


# --------------------------------------------------------------------------- page 1


def header(page: Page, clinic: ClinicSettings) -> float:
    top = page.height - MARGIN
    x = page.left
    logo = logo_image(clinic.logo)
    if logo is not None:
        draw_image_fit(page, logo, x, top - 48, 72, 48)
        x += 82
    width = page.right - x
    y = page.text(x, top, width, clinic.name, Style(13, bold=True), 1)
    address_lines = [part for part in str(clinic.address).splitlines() if part.strip()]
    y = page.text(x, y, width, ", ".join(p.strip() for p in address_lines), Style(8.5), 2)
    if clinic.phone.strip():
        y = page.text(
            x, y, width, page.words.text("report.phone", phone=clinic.phone), Style(8.5), 1
        )
    y = min(y, top - 48) - 8
    title = page.words.text("report.title")
    y = page.text(page.left, y, page.content_width, title, Style(16, bold=True), 1)
    y -= 4
    page.rule(y)
    return y - 6


def field_rows(
    page: Page, x: float, y: float, width: float, rows: Sequence[tuple[str, str, int]]
) -> float:
    label_w = 78.0
    label = Style(8.5, color=GREY)
    for name, value, max_lines in rows:
        value_style = Style(11 if max_lines > 1 else 9.5, bold=max_lines > 1)
        page.text(x, y - (value_style.leading - label.leading) / 2, label_w, name, label, 1)
        y = page.text(x + label_w, y, width - label_w, value, value_style, max_lines)
    return y


def patient_block(page: Page, screening: Screening, top: float) -> float:
    column = (page.content_width - 16) / 2
    patient = screening.patient
    words = page.words
    left = field_rows(
        page,
        page.left,
        top,
        column,
        [
            (words.text("report.patient"), patient.name, 2),
            (words.text("report.patient_id"), patient.patient_id, 1),
            (words.text("report.date_of_birth"), format_date(patient.date_of_birth, words), 1),
            (words.text("report.sex"), sex_words(patient.sex, words), 1),
        ],
    )
    right = field_rows(
        page,
        page.left + column + 16,
        top,
        column,
        [
            (words.text("report.screened"), format_datetime(screening.started_at, words), 1),
            (words.text("report.operator"), screening.operator, 1),
            (words.text("report.site"), screening.site, 1),
            (words.text("report.screening_id"), screening.screening_id, 1),
        ],
    )
    return min(left, right) - 8


def decision_box(
    page: Page, screening: Screening, top: float, rules_note: str | None, big: bool = False
) -> float:
    decision = screening.decision
    background, ink = DECISION_COLOURS[decision.kind]
    colour = colors.HexColor(background)
    exclusion = screening.exclusion
    words = page.words
    headline, advice = words.headline(decision), words.advice(decision, exclusion)
    if exclusion is not None:
        reason = words.exclusion_reason(exclusion)
        headline = words.text("report.not_screened", headline=headline, reason=reason)
    pad = 8.0
    inner = page.content_width - 2 * pad
    head = Style(22 if big else 17, bold=True, color=colors.HexColor(ink))
    body = Style(14 if big else 10)
    due = Style(14 if big else 10.5, bold=True)
    note = Style(7.5, color=GREY)
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
        words.text("report.next_step", date=words.due(decision, screening.started_at.date())),
        due,
        1,
    )
    if rules_note:
        page.text(page.left + pad, y - 2, inner, rules_note, note, 2)
    return bottom - 10


def review_block(page: Page, screening: Screening, review: Review, top: float) -> float:
    """The over-read beside the AI result it reviewed: each eye's grade and the decision
    by the AI and by the reviewer, then who reviewed, when, and why; returns the y below."""
    label_w, gap = 78.0, 12.0
    column = (page.content_width - label_w - gap) / 2
    ai_x, reviewer_x = page.left + label_w, page.left + label_w + column + gap
    head, cell, name = Style(9, bold=True, color=GREY), Style(9), Style(8.5, color=GREY)
    words = page.words
    y = page.text(
        page.left,
        top,
        page.content_width,
        words.text("report.overread", outcome=words.review_outcome(review.outcome)),
        Style(11, bold=True),
        1,
    )
    page.text(ai_x, y, column, words.text("report.ai_result"), head, 1)
    y = page.text(reviewer_x, y, column, words.text("report.reviewer"), head, 1)
    rows: list[tuple[str, str, str]] = []
    for side in (Laterality.RIGHT, Laterality.LEFT):
        eye = screening.eye(side)
        if eye is None:
            continue
        ai_words = words.eye_finding(eye)
        reviewed = review.grade(side)
        rows.append(
            (
                words.eye(side),
                ai_words,
                words.grade(reviewed) if reviewed is not None else ai_words,
            )
        )
    ai, final = screening.decision, review.decision
    rows.append(
        (
            words.text("report.decision"),
            f"{words.decision_word(ai.kind)}: {words.headline(ai)}",
            f"{words.decision_word(final.kind)}: {words.headline(final)}",
        )
    )
    for what, by_ai, by_reviewer in rows:
        page.text(page.left, y, label_w, what, name, 1)
        bottom = page.text(ai_x, y, column, by_ai, cell, 2)
        y = min(bottom, page.text(reviewer_x, y, column, by_reviewer, Style(9, bold=True), 2))
    when = format_datetime(review.reviewed_at.astimezone(), words)
    who = words.text("report.reviewed_by", reviewer=review.reviewer, when=when)
    if review.reason:
        who += " " + words.text("report.reason", reason=review.reason)
    y = page.text(page.left, y - 2, page.content_width, who, Style(8.5), 3)
    page.rule(y - 3)
    return y - 10


_EYE_TEXT_BUDGET = 156.0
"""Points reserved under each thumbnail for quality, grade and probability lines."""
_FIELD_LINES = 2 * 9 * 1.22 + 7.5 * 1.18
"""And for a two-field eye's line per field and the line saying which field decides."""


def eye_column(
    page: Page,
    eye: EyeResult | None,
    laterality: Laterality,
    x: float,
    top: float,
    width: float,
    thumb_h: float,
) -> None:
    words = page.words
    label = words.text(f"report.eye.{laterality.value}")
    y = page.text(x, top, width, label, Style(11, bold=True), 1) - 2
    box_y = y - thumb_h
    no_image = words.text("report.no_image")
    if eye is None:
        grey_box(page, x, box_y, width, thumb_h, no_image, words.text("report.eye_not_screened"))
    elif eye.fields:
        _field_photographs(page, eye.fields, x, box_y, width, thumb_h)
    elif eye.image is None:
        detail = (
            f"{words.eye_status(eye.status)}: {eye.skipped_reason}"
            if eye.skipped_reason
            else eye.error or words.text("report.no_photograph")
        )
        grey_box(page, x, box_y, width, thumb_h, no_image, detail)
    else:
        heatmap = eye.grade.heatmap if eye.grade is not None else None
        photo_w = width if heatmap is None else (width - 6) / 2
        try:
            draw_image_fit(page, thumbnail(eye.image.pixels), x, box_y, photo_w, thumb_h)
        except Exception:
            grey_box(
                page, x, box_y, photo_w, thumb_h, no_image,
                words.text("report.photograph_not_shown"),
            )  # fmt: skip
        if heatmap is not None:
            try:
                drawn = thumbnail(overlay(eye.image.pixels, heatmap))
                draw_image_fit(page, drawn, x + photo_w + 6, box_y, photo_w, thumb_h)
            except Exception:
                grey_box(
                    page, x + photo_w + 6, box_y, photo_w, thumb_h,
                    words.text("report.no_heatmap"), words.text("report.heatmap_not_drawn"),
                )  # fmt: skip
    y = box_y - 4
    if eye is None:
        return
    small = Style(9)
    bold = Style(9, bold=True)
    reasons = Style(7.5, color=GREY, leading_factor=1.18)
    for field in eye.fields:  # which field shows what, under the two photographs
        y = page.text(x, y, width, words.field_finding(field), small, 1)
    quality = eye.quality
    if quality is None:
        y = page.text(x, y, width, words.text("report.quality_not_assessed"), small, 1)
    else:
        verdict = words.text("report.gradable" if quality.gradable else "report.not_gradable")
        line = words.text("report.quality", verdict=verdict, score=f"{quality.score:.2f}")
        y = page.text(x, y, width, line, small, 1)
        budget = 5
        for message in map(words.quality, quality.reasons):
            if budget <= 0:
                break
            lines = len(layout_text(f"- {message}", reasons, width - 6, budget)[0])
            y = page.text(x + 6, y, width - 6, f"- {message}", reasons, budget)
            budget -= lines
    if eye.grade is not None:
        grade = words.text("report.grade", grade=words.grade(eye.grade.grade))
        y = page.text(x, y, width, grade, bold, 2)
        probability = words.text(
            "report.probability",
            probability=f"{eye.grade.referable_probability:.0%}",
            threshold=f"{eye.grade.threshold:.0%}",
        )
        y = page.text(x, y, width, probability, small, 1)
        clear = words.text("report.how_clear", confidence=words.confidence(eye.grade.confidence))
        y = page.text(x, y, width, clear, small, 1)
        oedema = words.macular_oedema(eye.grade.macular_oedema)
        if oedema:
            y = page.text(x, y, width, oedema, bold, 1)
        if eye.fields:
            y = page.text(x, y, width, words.text("report.field_decides"), reasons, 1)
            mapped = any(f.grade is not None and f.grade.heatmap for f in eye.fields)
            note = words.heatmap_note(True) if mapped else ""
        else:
            note = words.heatmap_note(eye.grade.heatmap is not None)
        if note:
            y = page.text(x, y, width, note, reasons, 2)
    else:
        why = words.eye_status(eye.status)
        if eye.skipped_reason:
            why += f" ({eye.skipped_reason})"
        elif eye.error:
            why += f": {eye.error}"
        y = page.text(x, y, width, words.text("report.grade", grade=why), bold, 2)
        y = page.text(x, y, width, words.text("report.probability_unavailable"), small, 1)
    if eye.decision is None:
        page.text(x, y, width, words.text("report.eye_not_counted"), small, 1)
    else:
        result = words.text("report.eye_result", result=words.headline(eye.decision))
        page.text(x, y, width, result, small, 2)


def _field_photographs(
    page: Page, fields: Sequence[EyeResult], x: float, y: float, width: float, height: float
) -> None:
    """A two-field eye's photographs side by side, disc-centred first, each graded field's
    heatmap under its photograph; a field not taken (or unreadable) is a grey box naming
    the field and saying so."""
    words = page.words
    each = (width - 6) / len(fields)
    maps = [f.grade.heatmap if f.grade is not None else None for f in fields]
    rows = 2 if any(m is not None for m in maps) else 1
    row_h = (height - 6 * (rows - 1)) / rows
    photo_y = y + (row_h + 6) * (rows - 1)
    for index, (field, heatmap) in enumerate(zip(fields, maps, strict=True)):
        left = x + index * (each + 6)
        name = words.field_view(field.view) if field.view else words.text("report.no_image")
        if field.image is None:
            why = field.error or words.eye_status(field.status)
            if field.status is EyeStatus.NOT_PHOTOGRAPHED:
                why = words.text("field.not_taken")
            grey_box(page, left, y, each, height, name, why)
            continue
        try:
            draw_image_fit(page, thumbnail(field.image.pixels), left, photo_y, each, row_h)
        except Exception:
            grey_box(
                page, left, photo_y, each, row_h, name, words.text("report.photograph_not_shown")
            )
        if heatmap is None:
            continue
        try:
            drawn = thumbnail(overlay(field.image.pixels, heatmap))
            draw_image_fit(page, drawn, left, y, each, row_h)
        except Exception:
            grey_box(
                page, left, y, each, row_h,
                words.text("report.no_heatmap"), words.text("report.heatmap_not_drawn"),
            )  # fmt: skip


def eyes(page: Page, screening: Screening, top: float, bottom: float) -> None:
    column = (page.content_width - 16) / 2
    budget = _EYE_TEXT_BUDGET + (_FIELD_LINES if any(e.fields for e in screening.eyes) else 0)
    thumb_h = max(60.0, min(190.0, top - bottom - 17 - 4 - budget))
    for index, laterality in enumerate((Laterality.RIGHT, Laterality.LEFT)):
        x = page.left + index * (column + 16)
        if screening.exclusion is None:
            eye_column(page, screening.eye(laterality), laterality, x, top, column, thumb_h)
        else:  # referred without screening: nothing was photographed, graded or decided
            _not_screened_column(page, screening.exclusion, laterality, x, top, column, thumb_h)


def _not_screened_column(
    page: Page,
    exclusion: Exclusion,
    laterality: Laterality,
    x: float,
    top: float,
    width: float,
    thumb_h: float,
) -> None:
    """An eye of a patient referred without screening: why, in the patient's language
    (the record keeps the reason in English), and no quality, grade or eye result."""
    words = page.words
    label = words.text(f"report.eye.{laterality.value}")
    y = page.text(x, top, width, label, Style(11, bold=True), 1) - 2
    why = words.text("report.not_screened_eye", reason=words.exclusion_reason(exclusion))
    grey_box(page, x, y - thumb_h, width, thumb_h, words.text("report.no_image"), why)


def footer(
    page: Page, screening: Screening, report_id: str, verification: str, pages: int
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
    words = page.words
    code = words.text("report.verification_code", code=verification)
    y = page.text(x, qr_y + qr_size - 2, width, code, Style(11, bold=True), 1)
    y = page.text(
        x, y, width, words.text("report.report_id", report_id=report_id), Style(8, color=GREY), 1
    )
    y -= 2
    disclaimer = words.text("report.disclaimer")
    page.text(x, y, width, disclaimer, Style(7.5, color=GREY, leading_factor=1.18), 5)
    page_number(page, report_id, 1, pages)

    models = model_lines(screening, words)
    model_text = words.text(
        "report.grader",
        models="; ".join(models) if models else words.text("report.grader_not_run"),
    )
    style = Style(8, color=GREY)
    model_top = qr_y + qr_size + 6 + page.text_height(model_text, style, page.content_width, 2)
    page.text(page.left, model_top, page.content_width, model_text, style, 2)
    page.rule(model_top + 3)
    return model_top + 10


def page_number(page: Page, report_id: str, number: int, pages: int) -> None:
    """The small line at the foot of every page: which report, which page."""
    line = page.words.text("report.page", report_id=report_id, page=number, pages=pages)
    page.text(
        page.left, MARGIN / 2 + 6.5 * 1.22, page.content_width, line, Style(6.5, color=GREY),
        1, align="right",
    )  # fmt: skip
