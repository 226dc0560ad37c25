"""The sections of the clinic's page (and the decision box the letter shares): header,
patient, decision, each eye, and the footer with the QR code and model provenance.
Wording is the catalogue's English (the record's language).
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors

from retiscreen.catalogue import ENGLISH
from retiscreen.domain import EyeResult, Laterality, Review, Screening
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


def model_lines(screening: Screening) -> list[str]:
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
        y = page.text(x, y, width, f"Phone: {clinic.phone}", Style(8.5), 1)
    y = min(y, top - 48) - 8
    y = page.text(page.left, y, page.content_width, TITLE, Style(16, bold=True), 1)
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
    left = field_rows(
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
    right = field_rows(
        page,
        page.left + column + 16,
        top,
        column,
        [
            ("Screened", format_datetime(screening.started_at), 1),
            ("Operator", screening.operator, 1),
            ("Site", screening.site, 1),
            ("Screening ID", screening.screening_id, 1),
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
    headline, advice = ENGLISH.headline(decision), ENGLISH.advice(decision, exclusion)
    if exclusion is not None:
        headline = f"{headline}. Not screened: {ENGLISH.exclusion_reason(exclusion)}"
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
        f"Next step due by: {ENGLISH.due(decision, screening.started_at.date())}",
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
    y = page.text(
        page.left,
        top,
        page.content_width,
        f"Over-read: {ENGLISH.review_outcome(review.outcome)}",
        Style(11, bold=True),
        1,
    )
    page.text(ai_x, y, column, "AI result", head, 1)
    y = page.text(reviewer_x, y, column, "Reviewer", head, 1)
    rows: list[tuple[str, str, str]] = []
    for side in (Laterality.RIGHT, Laterality.LEFT):
        eye = screening.eye(side)
        if eye is None:
            continue
        ai_words = ENGLISH.eye_finding(eye)
        reviewed = review.grade(side)
        rows.append(
            (
                ENGLISH.eye(side),
                ai_words,
                ENGLISH.grade(reviewed) if reviewed is not None else ai_words,
            )
        )
    ai, final = screening.decision, review.decision
    rows.append(
        (
            "Decision",
            f"{ENGLISH.decision_word(ai.kind)}: {ENGLISH.headline(ai)}",
            f"{ENGLISH.decision_word(final.kind)}: {ENGLISH.headline(final)}",
        )
    )
    for what, by_ai, by_reviewer in rows:
        page.text(page.left, y, label_w, what, name, 1)
        bottom = page.text(ai_x, y, column, by_ai, cell, 2)
        y = min(bottom, page.text(reviewer_x, y, column, by_reviewer, Style(9, bold=True), 2))
    who = f"Reviewed by {review.reviewer}, {format_datetime(review.reviewed_at.astimezone())}."
    if review.reason:
        who += f" Reason: {review.reason}"
    y = page.text(page.left, y - 2, page.content_width, who, Style(8.5), 3)
    page.rule(y - 3)
    return y - 10


_EYE_TEXT_BUDGET = 156.0
"""Points reserved under each thumbnail for quality, grade and probability lines."""


def eye_column(
    page: Page,
    eye: EyeResult | None,
    laterality: Laterality,
    x: float,
    top: float,
    width: float,
    thumb_h: float,
) -> None:
    label = "Right eye (OD)" if laterality is Laterality.RIGHT else "Left eye (OS)"
    y = page.text(x, top, width, label, Style(11, bold=True), 1) - 2
    box_y = y - thumb_h
    if eye is None:
        grey_box(
            page, x, box_y, width, thumb_h, "No image", "This eye was not part of the screening."
        )
    elif eye.image is None:
        detail = (
            f"{ENGLISH.eye_status(eye.status)}: {eye.skipped_reason}"
            if eye.skipped_reason
            else eye.error or "No photograph was recorded."
        )
        grey_box(page, x, box_y, width, thumb_h, "No image", detail)
    else:
        heatmap = eye.grade.heatmap if eye.grade is not None else None
        photo_w = width if heatmap is None else (width - 6) / 2
        try:
            draw_image_fit(page, thumbnail(eye.image.pixels), x, box_y, photo_w, thumb_h)
        except Exception:
            grey_box(
                page, x, box_y, photo_w, thumb_h, "No image", "The photograph could not be shown."
            )
        if heatmap is not None:
            try:
                drawn = thumbnail(overlay(eye.image.pixels, heatmap))
                draw_image_fit(page, drawn, x + photo_w + 6, box_y, photo_w, thumb_h)
            except Exception:
                grey_box(
                    page, x + photo_w + 6, box_y, photo_w, thumb_h, "No heatmap",
                    "The heatmap could not be drawn.",
                )  # fmt: skip
    y = box_y - 4
    if eye is None:
        return
    small = Style(9)
    bold = Style(9, bold=True)
    reasons = Style(7.5, color=GREY, leading_factor=1.18)
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
            lines = len(layout_text(f"- {message}", reasons, width - 6, budget)[1])
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
        y = page.text(
            x, y, width, f"How clear: {ENGLISH.confidence(eye.grade.confidence)}", small, 1
        )
        oedema = ENGLISH.macular_oedema(eye.grade.macular_oedema)
        if oedema:
            y = page.text(x, y, width, oedema, bold, 1)
        note = ENGLISH.heatmap_note(eye.grade.heatmap is not None)
        y = page.text(x, y, width, note, reasons, 2)
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


def eyes(page: Page, screening: Screening, top: float, bottom: float) -> None:
    column = (page.content_width - 16) / 2
    thumb_h = max(60.0, min(190.0, top - bottom - 17 - 4 - _EYE_TEXT_BUDGET))
    for index, laterality in enumerate((Laterality.RIGHT, Laterality.LEFT)):
        x = page.left + index * (column + 16)
        eye_column(page, screening.eye(laterality), laterality, x, top, column, thumb_h)


def footer(
    page: Page, screening: Screening, report_id: str, verification: str, page_label: str
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
        x, qr_y + qr_size - 2, width, f"Verification code: {verification}", Style(11, bold=True), 1
    )
    y = page.text(x, y, width, f"Report ID: {report_id}", Style(8, color=GREY), 1)
    y -= 2
    page.text(x, y, width, DISCLAIMER, Style(7.5, color=GREY, leading_factor=1.18), 5)
    page.c.setFont("Helvetica", 6.5)
    page.c.setFillColor(GREY)
    page.c.drawRightString(page.right, MARGIN / 2, f"RetiScreen report {report_id} - {page_label}")

    models = model_lines(screening)
    model_text = "Grader: " + ("; ".join(models) if models else "grader not run")
    style = Style(8, color=GREY)
    model_top = qr_y + qr_size + 6 + page.text_height(model_text, style, page.content_width, 2)
    page.text(page.left, model_top, page.content_width, model_text, style, 2)
    page.rule(model_top + 3)
    return model_top + 10
