"""Screen wording for what the core says in English (quality reasons, grades, decisions).

Why here: the core keeps one English wording, which the CLI prints and the report uses.
The kiosk shows the same words in English and translates them for other languages. The
source strings below are copies of the core's (lupdate needs literals); a test checks
that they still match, and a sentence with no translation falls back to the core's own
English, so the screen never shows a stale or invented text.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import QCoreApplication, QLocale

from retiscreen.domain import Decision, ICDRGrade, Laterality, QualityReason, Urgency
from retiscreen.report.printing import PrinterProblem
from retiscreen.service import PrintOutcome

CONTEXT = "CoreText"


# Named like Qt's macro on purpose: pyside6-lupdate collects calls by this name.
def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for lupdate without translating it (typed, unlike PySide6's)."""
    return text


QUALITY: dict[QualityReason, str] = {
    QualityReason.NOT_FUNDUS: QT_TRANSLATE_NOOP(
        "CoreText",
        "This does not look like a retinal photograph (no round retinal field found). "
        "Check the lens cap and that the camera is aimed at the pupil.",
    ),
    QualityReason.TOO_DARK: QT_TRANSLATE_NOOP(
        "CoreText",
        "The photograph is too dark. Let the pupil dilate or increase the flash, then retake.",
    ),
    QualityReason.OVEREXPOSED: QT_TRANSLATE_NOOP(
        "CoreText",
        "The photograph is overexposed (washed out). Reduce the flash or check for "
        "reflections, then retake.",
    ),
    QualityReason.BLURRED: QT_TRANSLATE_NOOP(
        "CoreText",
        "The photograph is blurred: the blood vessels are not sharp. Refocus, ask the "
        "patient to keep still, and retake.",
    ),
    QualityReason.CUT_OFF: QT_TRANSLATE_NOOP(
        "CoreText",
        "The retina is cut off or off-centre. Centre the eye in the frame and retake.",
    ),
    QualityReason.LOW_CONTRAST: QT_TRANSLATE_NOOP(
        "CoreText",
        "The photograph has too little contrast (haze, cataract or a dirty lens). "
        "Clean the lens and retake.",
    ),
    QualityReason.MODEL_REJECTED: QT_TRANSLATE_NOOP(
        "CoreText",
        "This photograph is not good enough to grade (haze, glare, eyelashes or poor "
        "focus), or it is not a retinal photograph. Retake it.",
    ),
}

GRADES: dict[ICDRGrade, str] = {
    ICDRGrade.NONE: QT_TRANSLATE_NOOP("CoreText", "No apparent retinopathy"),
    ICDRGrade.MILD: QT_TRANSLATE_NOOP("CoreText", "Mild non-proliferative DR"),
    ICDRGrade.MODERATE: QT_TRANSLATE_NOOP("CoreText", "Moderate non-proliferative DR"),
    ICDRGrade.SEVERE: QT_TRANSLATE_NOOP("CoreText", "Severe non-proliferative DR"),
    ICDRGrade.PROLIFERATIVE: QT_TRANSLATE_NOOP("CoreText", "Proliferative DR"),
}

HEADLINES: tuple[str, ...] = (
    QT_TRANSLATE_NOOP("CoreText", "No referable diabetic retinopathy"),
    QT_TRANSLATE_NOOP("CoreText", "Refer to an eye specialist"),
    QT_TRANSLATE_NOOP("CoreText", "URGENT referral to an eye specialist"),
    QT_TRANSLATE_NOOP("CoreText", "Photograph could not be graded"),
    QT_TRANSLATE_NOOP("CoreText", "Cannot grade: refer for an eye examination"),
)

ADVICE: dict[str, str] = {
    "No referable diabetic retinopathy": QT_TRANSLATE_NOOP(
        "CoreText",
        "No sign of diabetic eye disease that needs a specialist was found today. "
        "Come back for your next eye photograph in {months} months, or sooner if your "
        "sight changes.",
    ),
    "Refer to an eye specialist": QT_TRANSLATE_NOOP(
        "CoreText",
        "Signs of diabetic eye disease were found. You need to see an eye specialist "
        "within {months} months. Keep controlling your blood sugar, blood pressure and "
        "cholesterol.",
    ),
    "URGENT referral to an eye specialist": QT_TRANSLATE_NOOP(
        "CoreText",
        "Signs of diabetic eye disease that can threaten your sight were found. You must "
        "see an eye specialist within {weeks} weeks. Treatment works best when it is early.",
    ),
    "Photograph could not be graded": QT_TRANSLATE_NOOP(
        "CoreText",
        "The eye photograph was not clear enough to check. If a retake is not possible, "
        "you need an eye examination by an eye specialist within {months} month(s). This "
        "is common (for example with cataract) and does not mean disease was found.",
    ),
    "Cannot grade: refer for an eye examination": QT_TRANSLATE_NOOP(
        "CoreText",
        "The screening system could not grade this photograph ({why}). You need an eye "
        "examination by an eye specialist within {months} month(s).",
    ),
}

URGENCY_WORDS: dict[Urgency, str] = {
    Urgency.ROUTINE_RESCREEN: QT_TRANSLATE_NOOP("CoreText", "ROUTINE"),
    Urgency.RETAKE_OR_EXAMINE: QT_TRANSLATE_NOOP("CoreText", "EXAMINE"),
    Urgency.REFER: QT_TRANSLATE_NOOP("CoreText", "REFER"),
    Urgency.URGENT: QT_TRANSLATE_NOOP("CoreText", "URGENT"),
}
"""A word beside the colour, so the traffic light does not rely on colour alone."""

EYES: dict[Laterality, str] = {
    Laterality.RIGHT: QT_TRANSLATE_NOOP("CoreText", "Right eye"),
    Laterality.LEFT: QT_TRANSLATE_NOOP("CoreText", "Left eye"),
}

PRINT_PROBLEMS: dict[PrinterProblem, str] = {
    PrinterProblem.NOT_INSTALLED: QT_TRANSLATE_NOOP(
        "CoreText",
        "Printing is not installed on this computer. Ask the administrator to install CUPS.",
    ),
    PrinterProblem.CUPS_DOWN: QT_TRANSLATE_NOOP(
        "CoreText",
        "CUPS is not running. Restart the printing service (cupsd) or the kiosk, then try again.",
    ),
    PrinterProblem.NO_PRINTER: QT_TRANSLATE_NOOP(
        "CoreText",
        "No printer is set up. Ask the administrator to add a printer or to choose one in "
        "the settings.",
    ),
    PrinterProblem.NOT_FOUND: QT_TRANSLATE_NOOP(
        "CoreText",
        "Printer '{printer}' is not available (not found). Check the printer name in the settings.",
    ),
    PrinterProblem.STOPPED: QT_TRANSLATE_NOOP(
        "CoreText",
        "Printer '{printer}' is not available (stopped). Check paper, ink and cables, then "
        "restart the printer queue.",
    ),
    PrinterProblem.REJECTING: QT_TRANSLATE_NOOP(
        "CoreText",
        "Printer '{printer}' is not available (not accepting jobs). Ask the administrator "
        "to let the queue accept jobs again.",
    ),
    PrinterProblem.TIMEOUT: QT_TRANSLATE_NOOP(
        "CoreText",
        "The printing system did not answer in time. Check that CUPS is running, then try again.",
    ),
}
"""Printer problems the operator can act on; other failures carry CUPS's own words."""

PRINT_SAVED = QT_TRANSLATE_NOOP(
    "CoreText", "The report is saved and will be printed when the printer is back."
)
PRINT_SENT = QT_TRANSLATE_NOOP("CoreText", "Sent to printer {printer}.")

_WHY = re.compile(r"could not grade this photograph \((?P<why>.*)\)\. You need", re.DOTALL)


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def quality_message(reason: QualityReason) -> str:
    """The reason a photograph cannot be graded, in the screen's language."""
    source = QUALITY.get(reason)
    if source is None or source != reason.message:
        return reason.message
    return _tr(source)


def grade_words(grade: ICDRGrade | None) -> str:
    if grade is None:
        return QCoreApplication.translate("CoreText", "Not graded")
    source = GRADES[grade]
    return _tr(source) if source == grade.words else grade.words


def eye_name(laterality: Laterality) -> str:
    return _tr(EYES[laterality])


def urgency_word(urgency: Urgency) -> str:
    return _tr(URGENCY_WORDS[urgency])


def headline(decision: Decision) -> str:
    return _tr(decision.headline) if decision.headline in HEADLINES else decision.headline


def advice(decision: Decision) -> str:
    """The advice in the screen's language; the core's English when not translated."""
    template = ADVICE.get(decision.headline)
    if template is None:
        return decision.advice
    translated = _tr(template)
    if translated == template:
        return decision.advice
    why_match = _WHY.search(decision.advice)
    return translated.format(
        months=decision.follow_up_months,
        weeks=decision.follow_up_weeks,
        why=why_match.group("why") if why_match else "",
    )


def print_message(outcome: PrintOutcome) -> str:
    """What happened to a print request, in the screen's language; the core's English
    (with CUPS's own details) when the screen is English or the case is not translated."""
    if outcome.printed:
        template = PRINT_SENT
    elif outcome.problem in PRINT_PROBLEMS:
        template = PRINT_PROBLEMS[outcome.problem]
    else:
        return outcome.message
    translated = _tr(template)
    if translated == template:
        return outcome.message
    text = translated.format(printer=outcome.printer)
    return text if outcome.printed else f"{text} {_tr(PRINT_SAVED)}"


def long_date(day: date) -> str:
    """'5 March 2026' / '5 de marzo de 2026': the month in words, never ambiguous."""
    locale = QLocale()
    month = (
        locale.standaloneMonthName(day.month)
        if locale.language() == QLocale.Language.English
        else locale.monthName(day.month)
    )
    if locale.language() == QLocale.Language.Spanish:
        return f"{day.day} de {month} de {day.year}"
    return f"{day.day} {month} {day.year}"


def due_text(decision: Decision, screened_on: date) -> str:
    due = decision.follow_up_date(screened_on)
    if due is None:
        return QCoreApplication.translate("CoreText", "as soon as possible")
    return long_date(due)
