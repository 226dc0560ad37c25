"""The clinic-systems commands: send (to PACS, HL7, FHIR), outbox, worklist."""

from __future__ import annotations

import argparse
import json
from datetime import date

from retiscreen.errors import ExitCode, UsageError
from retiscreen.integration.delivery import SendResult, test_connections
from retiscreen.service import ScreeningService

from .parser import UsageParser, iso_date


def cmd_send(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """Queue and send one screening; ``--test`` checks the configured peers instead."""
    if args.test:
        return _test(service)
    if not args.screening_id:
        raise UsageError("give the SCREENING_ID to send (or --test to check the connections)")
    results = service.send(args.screening_id, dicom=args.dicom, hl7=args.hl7, fhir=args.fhir)
    for result in results:
        _print_result(result)
    return ExitCode.OK if all(r.ok for r in results) else ExitCode.FAILED


def _test(service: ScreeningService) -> ExitCode:
    checks = test_connections(service.settings.integration)
    if not checks:
        raise UsageError(
            "nothing to test: set dicom_destination, hl7_destination, fhir_url or worklist "
            "in the [integration] settings"
        )
    for what, target, problem in checks:
        print(f"{'ok  ' if problem is None else 'FAIL'} {what} {target}: {problem or 'reachable'}")
    return ExitCode.OK if all(problem is None for *_, problem in checks) else ExitCode.FAILED


def _print_result(result: SendResult) -> None:
    state = "sent" if result.ok else "NOT SENT (queued for retry)"
    print(f"{result.channel} {result.destination}: {state}: {result.message}")


def cmd_outbox(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """List what is waiting to be sent; ``--retry`` tries every pending item now."""
    if args.retry:
        service.store.make_due()
        results = service.delivery.retry_due()
        for result in results:
            _print_result(result)
        if not results:
            print("Nothing is waiting to be sent.")
        return ExitCode.OK if all(r.ok for r in results) else ExitCode.FAILED
    items = service.store.outbox_items(include_sent=args.all)
    if args.json:
        for item in items:
            print(json.dumps(item, ensure_ascii=False, sort_keys=True))
        return ExitCode.OK
    if not items:
        print("Nothing is waiting to be sent.")
    for item in items:
        error = f" last error: {item['last_error']}" if item["last_error"] else ""
        print(
            f"{item['item_id']:>5} {item['screening_id']} {item['channel']} {item['destination']}"
            f" {item['status']} after {item['attempts']} attempt(s);{error}"
        )
    return ExitCode.OK


def cmd_worklist(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """The patients scheduled on the configured modality worklist for one day."""
    from retiscreen.integration.worklist import query_worklist

    entries = query_worklist(service.settings.integration, args.date or date.today())
    for entry in entries:
        if args.json:
            print(json.dumps(entry.as_dict(), ensure_ascii=False, sort_keys=True))
        else:
            print(entry.line())
    if not entries and not args.json:
        print("No patients are scheduled on the worklist for that day.")
    return ExitCode.OK


def add_commands(sub: argparse._SubParsersAction[UsageParser]) -> None:
    send = sub.add_parser(
        "send", help="send a screening to the PACS (DICOM), HL7 listener (MLLP) or FHIR server"
    )
    send.add_argument("screening_id", nargs="?", metavar="SCREENING_ID")
    send.add_argument("--dicom", metavar="AET@HOST:PORT", help="PACS to C-STORE to")
    send.add_argument("--hl7", metavar="HOST:PORT", help="HL7 v2 listener (MLLP)")
    send.add_argument("--fhir", metavar="URL", help="FHIR server base URL")
    send.add_argument(
        "--test", action="store_true", help="check the configured peers; send nothing"
    )
    send.set_defaults(func=cmd_send)

    outbox = sub.add_parser("outbox", help="what is waiting to be sent to the clinic's systems")
    outbox.add_argument("--retry", action="store_true", help="try every pending item now")
    outbox.add_argument("--all", action="store_true", help="include the items already sent")
    outbox.add_argument("--json", action="store_true", help="one JSON object per item")
    outbox.set_defaults(func=cmd_outbox)

    worklist = sub.add_parser("worklist", help="the patients scheduled on the modality worklist")
    worklist.add_argument("--date", type=iso_date, help="YYYY-MM-DD (default: today)")
    worklist.add_argument("--json", action="store_true", help="one JSON object per patient")
    worklist.set_defaults(func=cmd_worklist)
