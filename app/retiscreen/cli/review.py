"""``retiscreen review``: a reviewer's over-read from the command line, and the queue.

The reviewer is the operating-system account running the command: only the service
account, root and members of the ``retiscreen`` group get this far (``review`` is a
patient-record command, :data:`retiscreen.cli.PHI_COMMANDS`), the same people who may
manage the kiosk's accounts. A kiosk account of the same name keeps its own role, so an
account the site made an operator cannot over-read here either.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from retiscreen.accounts import Role
from retiscreen.catalogue import ENGLISH
from retiscreen.domain import REVIEW_DECISIONS, DecisionKind, ICDRGrade, Laterality, QueueReason
from retiscreen.errors import ExitCode, UsageError
from retiscreen.overread import Amendment
from retiscreen.service import ScreeningService
from retiscreen.store.audit import os_account

from .parser import UsageParser


def icdr_grade(text: str) -> ICDRGrade:
    """--grade-right/--grade-left: a grade on the ICDR scale."""
    try:
        return ICDRGrade(int(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ICDR grade: give 0 (no apparent retinopathy) to 4 (proliferative)"
        ) from None


def command_line_reviewer(service: ScreeningService) -> tuple[str, Role]:
    """Who reviews from this command line, and with which role (see the module's note)."""
    name = os_account()
    account = service.store.account(name)
    return name, Role(account.role) if account is not None else Role.ADMIN


def cmd_review(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    if args.queue:
        if args.screening_id or args.decision or args.agree:
            raise UsageError("--queue lists the screenings waiting: give no SCREENING_ID")
        return _print_queue(service, args.json)
    if not args.screening_id:
        raise UsageError("give SCREENING_ID --decision KIND --reason TEXT, or --queue")
    grades = {
        side: grade
        for side, grade in (
            (Laterality.RIGHT, args.grade_right),
            (Laterality.LEFT, args.grade_left),
        )
        if grade is not None
    }
    if args.agree and (args.decision or grades):
        raise UsageError("--agree keeps the AI's grades and decision: give no --decision or grade")
    if not args.agree and not args.decision:
        raise UsageError("give --decision routine|refer|urgent|examine (or --agree)")
    reviewer, role = command_line_reviewer(service)
    amendment = Amendment(
        DecisionKind(args.decision) if args.decision else None, grades, args.reason
    )
    done = service.review(
        args.screening_id,
        amendment,
        reviewer=reviewer,
        role=role,
        print_report=args.print,
        copy_to=args.out,
    )
    review = done.review
    if args.json:
        from retiscreen.screening_json import screening_json

        reports = service.store.reports_for(args.screening_id)
        printed = bool(done.printing and done.printing.printed)
        copy = done.report_copy
        print(json.dumps(screening_json(done.screening, copy, printed, reports, review)))
        return ExitCode.OK
    ai, final = done.screening.decision, review.decision
    print(
        f"Review {review.review_id} of screening {review.screening_id} saved (audited): "
        f"{ENGLISH.review_outcome(review.outcome)} ({reviewer})."
    )
    print(f"  AI decision:  {ENGLISH.decision_word(ai.kind)} ({ENGLISH.headline(ai)})")
    print(f"  Decision now: {ENGLISH.decision_word(final.kind)} ({ENGLISH.headline(final)})")
    for side in Laterality:
        grade = review.grade(side)
        if grade is not None:
            print(f"  {ENGLISH.eye(side)}: {ENGLISH.grade(grade)}")
    where = f"written to {args.out}" if args.out else "kept, encrypted, with the records"
    print(f"Amended report {done.report_id} {where}")
    if done.printing:
        print(f"Printing: {done.printing.message}")
    return ExitCode.OK


def _print_queue(service: ScreeningService, as_json: bool) -> ExitCode:
    rows = service.review_queue(viewer=os_account())
    for row in rows:
        if as_json:
            print(
                json.dumps(
                    {
                        "screening_id": row["screening_id"],
                        "started_at": row["started_at"],
                        "patient_id": row["patient_id"],
                        "why": row["why"],
                        "ai_decision": row["decision_kind"],
                        "queued_at": row["queued_at"],
                    }
                )
            )
        else:
            print(
                f"{row['started_at']}  {row['screening_id']}  {row['patient_id']:12s} "
                f"{row['name']:24s}  {ENGLISH.decision_word(DecisionKind(row['decision_kind'])):8s}"
                f"  {ENGLISH.queue_reason(QueueReason(row['why']))}"
            )
    if not rows and not as_json:
        print("No screening is waiting for an over-read.")
    return ExitCode.OK


def add_commands(sub: argparse._SubParsersAction[UsageParser]) -> None:
    review = sub.add_parser(
        "review",
        help="over-read a screening (agree, or amend grades and decision with a reason), "
        "or list the queue",
    )
    review.add_argument("screening_id", nargs="?", metavar="SCREENING_ID")
    review.add_argument(
        "--decision",
        choices=[kind.value for kind in REVIEW_DECISIONS],
        help="the patient's decision after the over-read",
    )
    review.add_argument("--reason", help="why (required for an amendment; kept with the review)")
    review.add_argument(
        "--grade-right", type=icdr_grade, metavar="N", help="the right eye's ICDR grade (0-4)"
    )
    review.add_argument(
        "--grade-left", type=icdr_grade, metavar="N", help="the left eye's ICDR grade (0-4)"
    )
    review.add_argument(
        "--agree", action="store_true", help="keep the AI's grades and decision (no reason needed)"
    )
    review.add_argument("--queue", action="store_true", help="list the screenings waiting")
    review.add_argument("--json", action="store_true", help="print JSON")
    review.add_argument(
        "--out", type=Path, help="also write the amended report PDF here (in the clear)"
    )
    review.add_argument("--print", action="store_true", help="print the amended report (CUPS)")
    review.set_defaults(func=cmd_review)
