"""``retiscreen referrals``: the referred patients and whether they were seen, and
``referrals mark SCREENING_ID attended|not-attended`` to record it (audited; the
operating-system account is recorded as who marked it)."""

from __future__ import annotations

import argparse
import getpass
import json
from datetime import date

from retiscreen.catalogue import ENGLISH
from retiscreen.errors import ExitCode
from retiscreen.referrals import ReferralOutcome, ReferralStatus
from retiscreen.service import ScreeningService

from .parser import UsageParser

OUTCOMES = {"attended": ReferralOutcome.ATTENDED, "not-attended": ReferralOutcome.NOT_ATTENDED}


def cmd_referrals(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    if args.action == "mark":
        service.mark_referral(
            args.screening_id, OUTCOMES[args.outcome], getpass.getuser(), args.note
        )
        print(f"Screening {args.screening_id}: {args.outcome} (recorded, audited).")
        return ExitCode.OK
    today = date.today()
    referrals = service.referrals(today, viewer=getpass.getuser())
    if args.overdue:
        referrals = [r for r in referrals if r.status is ReferralStatus.OVERDUE]
    for referral in referrals:
        if args.json:
            print(json.dumps(referral.as_json(), ensure_ascii=False))
        else:
            print(
                f"{referral.due.isoformat()}  {referral.screening_id}  {referral.patient_id:12s} "
                f"{referral.name:24s}  {ENGLISH.referral_status(referral.status):16s} "
                f"{ENGLISH.decision_word(referral.kind)}"
            )
    if not referrals and not args.json:
        print("No overdue referrals." if args.overdue else "No referrals recorded.")
    return ExitCode.OK


def add_commands(sub: argparse._SubParsersAction[UsageParser]) -> None:
    referrals = sub.add_parser(
        "referrals", help="referred patients and whether they were seen (pending, overdue...)"
    )
    referrals.add_argument("--overdue", action="store_true", help="only those past their due date")
    referrals.add_argument("--json", action="store_true", help="one JSON object per line")
    actions = referrals.add_subparsers(dest="action", metavar="ACTION")
    mark = actions.add_parser("mark", help="record whether a referred patient was seen")
    mark.add_argument("screening_id", metavar="SCREENING_ID")
    mark.add_argument("outcome", choices=sorted(OUTCOMES))
    mark.add_argument("--note", metavar="TEXT", help="e.g. where and when they were seen")
    referrals.set_defaults(func=cmd_referrals)
