"""``retiscreen verify CODE``: is a paper report genuine, and what does it vouch for."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from retiscreen.errors import ExitCode
from retiscreen.report.checking import ReportCheck
from retiscreen.service import ScreeningService

from .parser import UsageParser

_LABELS = {
    "report_id": "Report",
    "screening_id": "Screening",
    "patient_id": "Patient ID",
    "date_of_birth": "Born",
    "screened_at": "Screened",
    "decision": "Decision",
    "ai_decision": "AI decision",
    "model": "Grader",
    "review": "Over-read",
}


def cmd_verify(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    check = service.verify_report(args.code, operator=getpass.getuser())
    if not check.genuine:
        print(
            f"NOT GENUINE: no report issued here has the code {check.code}. Treat the paper "
            "as unverified and ask the screening site for the report."
        )
        return ExitCode.FAILED
    print("GENUINE: this report was issued by this RetiScreen site and states:")
    for line in vouched_lines(check):
        print(f"  {line}")
    if check.older_format:
        print("  (a report from before version 2: its code covers only the IDs and the decision)")
    if check.changed_since:
        print(
            "CHANGED SINCE: the record no longer says the same about "
            f"{', '.join(_LABELS.get(k, k) for k in check.changed_since)}; "
            "it was corrected after this report was printed. Use the newest report."
        )
    return ExitCode.OK


def vouched_lines(check: ReportCheck) -> list[str]:
    """What the code vouches for, one labelled line per field and per eye."""
    lines = []
    for key, value in check.vouches.items():
        if key == "eyes":
            for eye in value:
                grade = f", ICDR grade {eye['grade']}" if eye["grade"] is not None else ""
                lines.append(
                    f"{eye['laterality'].capitalize() + ' eye':12s} {eye['status']}{grade}"
                )
        elif key == "review" and isinstance(value, dict):
            lines += _review_lines(value)
        else:
            lines.append(f"{_LABELS.get(key, key):12s} {value if value is not None else '-'}")
    return lines


def _review_lines(review: dict[str, Any]) -> list[str]:
    """The over-read an amended report states: outcome, reviewer, time, grades, reason."""
    grades = ", ".join(
        f"{side} eye ICDR grade {grade}"
        for side, grade in review.get("grades", {}).items()
        if grade is not None
    )
    return [
        f"{'Over-read':12s} {review.get('outcome')} ({review.get('review_id')})",
        f"{'Reviewer':12s} {review.get('reviewer')}, {review.get('reviewed_at')}",
        f"{'Reviewed':12s} {grades or 'no eye graded'}",
        f"{'Reason':12s} {review.get('reason') or '-'}",
    ]


def add_commands(sub: argparse._SubParsersAction[UsageParser]) -> None:
    verify = sub.add_parser(
        "verify", help="check a paper report's verification code (or its QR text)"
    )
    verify.add_argument("code", metavar="CODE", help="e.g. K7QF-2MXA-P4, or RETISCREEN:<id>:<code>")
    verify.set_defaults(func=cmd_verify)
