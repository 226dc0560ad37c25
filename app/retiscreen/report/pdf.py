"""The printed referral report: one page for the clinic, optionally a letter for the patient.

Rendering is pure (a :class:`~retiscreen.domain.Screening` in, PDF bytes out) and must
never fail for reasons of content: every text field has a fixed line budget (long names
and addresses are wrapped, then cut with an ellipsis), images that cannot be shown become
a grey box, an unreadable logo is left out, and characters a font cannot draw are
replaced (:mod:`~retiscreen.report.fonts`, :mod:`~retiscreen.report.layout`). So page 1
is always exactly one page, whatever the data.

No patient identifiers are written into the PDF metadata (the title is the report ID),
so print-queue listings and file browsers do not show them.
"""

from __future__ import annotations

import io
from dataclasses import replace

from reportlab.pdfgen.canvas import Canvas

from retiscreen.domain import Review, Screening
from retiscreen.report.fonts import clean, font_for
from retiscreen.report.layout import GREY, MARGIN, Page, Style, format_date, page_size
from retiscreen.report.sections import (
    DISCLAIMER,
    DR_EXPLAINED,
    TITLE,
    decision_box,
    eyes,
    footer,
    header,
    patient_block,
    review_block,
)
from retiscreen.settings import ClinicSettings, ReportSettings

__all__ = ["DISCLAIMER", "page_size", "render_report"]


def _report_page(
    page: Page,
    screening: Screening,
    clinic: ClinicSettings,
    report_id: str,
    verification: str,
    rules_note: str | None,
    pages: int,
    review: Review | None,
) -> None:
    y = patient_block(page, screening, header(page, clinic))
    shown = screening
    if review is not None:  # an exclusion explains the decision unless made another kind
        kept = screening.exclusion if review.decision.kind is screening.decision.kind else None
        shown = replace(screening, decision=review.decision, exclusion=kept)
    y = decision_box(page, shown, y, rules_note)
    if review is not None:
        y = review_block(page, screening, review, y)
    footer_top = footer(page, screening, report_id, verification, f"page 1 of {pages}")
    eyes(page, screening, y, footer_top)


# --------------------------------------------------------------------------- page 2


def _letter_page(
    page: Page, screening: Screening, clinic: ClinicSettings, report_id: str, pages: int
) -> None:
    body = Style(14)
    y = page.height - MARGIN
    y = page.text(
        page.left, y, page.content_width, clinic.name, Style(12, bold=True, color=GREY), 1
    )
    y = page.text(
        page.left, y - 10, page.content_width, "Your eye screening result", Style(24, bold=True), 1
    )
    y = page.text(page.left, y - 10, page.content_width, f"Dear {screening.patient.name},", body, 2)
    day = format_date(screening.started_at.date())
    y = page.text(
        page.left,
        y - 6,
        page.content_width,
        f"On {day} you came for diabetic eye screening. We did not take photographs of your "
        "eyes, because of what you told us:"
        if screening.exclusion is not None
        else f"On {day} we took photographs of the back of your eyes to check for diabetic "
        "eye disease. This is what we found:",
        body,
        3,
    )
    y = decision_box(page, screening, y - 10, None, big=True)
    y = page.text(
        page.left,
        y - 4,
        page.content_width,
        "What is diabetic retinopathy?",
        Style(15, bold=True),
        1,
    )
    y = page.text(page.left, y - 2, page.content_width, DR_EXPLAINED, body, 5)
    y = page.text(
        page.left,
        y - 8,
        page.content_width,
        "If your sight gets worse suddenly, get help at once: do not wait for your appointment.",
        Style(14, bold=True),
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
        Style(8, color=GREY, leading_factor=1.12),
        5,
    )
    page.c.setFont("Helvetica", 6.5)
    page.c.setFillColor(GREY)
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
    review: Review | None = None,
) -> bytes:
    """The referral report as PDF bytes: page 1 for the clinic, page 2 (when
    ``report.patient_letter``) a plain-language letter for the patient.

    ``verification`` is the code from :func:`~retiscreen.report.verification.verification_code`;
    ``rules_note`` is an optional small print line under the decision (e.g. which
    referral intervals the programme uses). With ``review`` it is the amended report:
    the decision shown (and in the letter) is the reviewer's, with the AI's result beside
    it, the reviewer, the time and the reason. Raises ValueError only for an unknown
    ``report.paper``.
    """
    size = page_size(report.paper)
    pages = 2 if report.patient_letter else 1
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size, pageCompression=1)
    canvas.setTitle(f"RetiScreen report {report_id}")
    canvas.setSubject(TITLE)
    canvas.setCreator("RetiScreen")
    canvas.setAuthor(font_for(clean(clinic.name), False)[1])
    _report_page(
        Page(canvas, size), screening, clinic, report_id, verification, rules_note, pages, review
    )
    canvas.showPage()
    if report.patient_letter:
        final = screening if review is None else replace(screening, decision=review.decision)
        _letter_page(Page(canvas, size), final, clinic, report_id, pages)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
