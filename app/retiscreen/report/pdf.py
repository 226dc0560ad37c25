"""The printed referral report: one page for the clinic, optionally a letter for the patient.

Rendering is pure (a :class:`~retiscreen.domain.Screening` in, PDF bytes out) and must
never fail for reasons of content: every text field has a fixed line budget (long names
and addresses are wrapped, then cut with an ellipsis), images that cannot be shown become
a grey box, an unreadable logo is left out, and characters no font can draw are
replaced (:mod:`~retiscreen.report.fonts`, :mod:`~retiscreen.report.layout`), with a log
line naming their script. So page 1 is always exactly one page, whatever the data.

Both pages are in the patient's language (``Screening.language``), and names in any
script (Latin, CJK, Arabic, Hebrew, Devanagari) are drawn shaped, in their own font.

No patient identifiers are written into the PDF metadata (the title is the report ID),
so print-queue listings and file browsers do not show them.
"""

from __future__ import annotations

import io
import logging
from dataclasses import replace

from reportlab.pdfgen.canvas import Canvas

from retiscreen.catalogue import Catalogue
from retiscreen.domain import Review, Screening
from retiscreen.report.fonts import clean
from retiscreen.report.layout import GREY, MARGIN, Page, Style, format_date, page_size
from retiscreen.report.sections import (
    DISCLAIMER,
    TITLE,
    decision_box,
    eyes,
    footer,
    header,
    page_number,
    patient_block,
    review_block,
)
from retiscreen.settings import ClinicSettings, ReportSettings

__all__ = ["DISCLAIMER", "page_size", "render_report"]

log = logging.getLogger(__name__)


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
    footer_top = footer(page, screening, report_id, verification, pages)
    eyes(page, screening, y, footer_top)


# --------------------------------------------------------------------------- page 2


def _letter_page(
    page: Page, screening: Screening, clinic: ClinicSettings, report_id: str, pages: int
) -> None:
    words = page.words
    body = Style(14)
    y = page.height - MARGIN
    y = page.text(
        page.left, y, page.content_width, clinic.name, Style(12, bold=True, color=GREY), 1
    )
    title = words.text("letter.title")
    y = page.text(page.left, y - 10, page.content_width, title, Style(24, bold=True), 1)
    dear = words.text("letter.dear", name=screening.patient.name)
    y = page.text(page.left, y - 10, page.content_width, dear, body, 2)
    screened_on = format_date(screening.started_at.date(), words)
    intro_key = "letter.intro" if screening.exclusion is None else "letter.intro_not_screened"
    intro = words.text(intro_key, date=screened_on)
    y = page.text(page.left, y - 6, page.content_width, intro, body, 3)
    y = decision_box(page, screening, y - 10, None, big=True)
    question = words.text("letter.what_is_dr")
    y = page.text(page.left, y - 4, page.content_width, question, Style(15, bold=True), 1)
    explained = words.text("report.dr_explained")
    y = page.text(page.left, y - 2, page.content_width, explained, body, 5)
    worse = words.text("letter.sight_worse")
    y = page.text(page.left, y - 8, page.content_width, worse, Style(14, bold=True), 2)
    contact = ", ".join(
        part.strip()
        for part in [
            clinic.name,
            *str(clinic.address).splitlines(),
            clinic.phone and words.text("letter.phone", phone=clinic.phone),
        ]
        if part and part.strip()
    )
    questions = words.text("letter.questions", contact=contact)
    y = page.text(page.left, y - 10, page.content_width, questions, body, 4)
    page.text(
        page.left,
        page.bottom + 5 * 9.0,
        page.content_width,
        words.text("report.disclaimer"),
        Style(8, color=GREY, leading_factor=1.12),
        5,
    )
    page_number(page, report_id, 2, pages)


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
    canvas.setAuthor(clean(clinic.name))
    words = Catalogue(screening.language)
    first = Page(canvas, size, words)
    _report_page(first, screening, clinic, report_id, verification, rules_note, pages, review)
    canvas.showPage()
    missing = set(first.missing_scripts)
    if report.patient_letter:
        final = screening if review is None else replace(screening, decision=review.decision)
        letter = Page(canvas, size, words)
        _letter_page(letter, final, clinic, report_id, pages)
        canvas.showPage()
        missing |= letter.missing_scripts
    canvas.save()
    if missing:  # the script names only: never the text itself (it may be a patient's name)
        log.warning(
            "report %s: no font on this computer draws some %s characters; they are printed "
            "without accents or as '?'. Install the fonts scripts/setup.sh lists "
            "(fonts-noto-core, fonts-wqy-zenhei).",
            report_id,
            ", ".join(sorted(missing)),
        )
    return buffer.getvalue()
