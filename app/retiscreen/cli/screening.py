"""The screening commands: grade, screen, demo, history, report, export, print-queue,
validate. Each goes through :class:`~retiscreen.service.ScreeningService`, the one path
the kiosk uses too; an expected failure is raised as a RetiScreenError and turned into
its exit code and one line by :func:`retiscreen.cli.main`."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from retiscreen.catalogue import ENGLISH, TEXTS
from retiscreen.domain import (
    ABSENT_EYE_REASONS,
    DecisionKind,
    Exclusion,
    Laterality,
    Order,
    Patient,
)
from retiscreen.errors import ExitCode, StorageError, UsageError
from retiscreen.identity import named
from retiscreen.screening_json import screening_json
from retiscreen.service import EyeInput, ScreeningService
from retiscreen.settings import bundled_dir

from .output import eye_json, print_screening, progress, write_heatmap
from .parser import (
    UsageParser,
    birth_date,
    dicom_uid,
    existing_file,
    existing_folder,
    language_code,
    positive_int,
    proportion,
)

DEMO_IMAGE = "demo/retina_cc0.jpg"


def grading_unavailable_notice(service: ScreeningService) -> str | None:
    why = service.pipeline.unavailable
    if why is None:
        return None
    return (
        f"grading unavailable: {why}. Refer every patient for an eye examination until "
        "this is fixed."
    )


def cmd_grade(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    notice = grading_unavailable_notice(service)
    if notice:
        print(f"retiscreen: {notice}", file=sys.stderr)
    code = ExitCode.OK
    folder: Path | None = args.heatmaps
    if folder is not None:
        from retiscreen.store.files import make_directory

        make_directory(folder, what="the heatmaps folder")
    for path in progress(args.images, "grading"):
        eye = service.assess([EyeInput(Laterality.RIGHT, Path(path))])[Laterality.RIGHT]
        if eye.image is None:
            code = ExitCode.FAILED
        result = eye_json(eye, str(path))
        if folder is not None:
            written, note = write_heatmap(eye, Path(path), folder)
            result["heatmap"] = str(written) if written else None
            if written is None:
                print(f"retiscreen: {note}", file=sys.stderr)
        print(json.dumps(result), flush=True)
    return ExitCode.GRADING_UNAVAILABLE if notice else code


def _eye_input(side: Laterality, args: argparse.Namespace) -> EyeInput | None:
    image, skip, absent = (
        getattr(args, f"{kind}{side.value}") for kind in ("", "skip_", "absent_")
    )
    macula = getattr(args, f"{side.value}_macula", None)
    if (absent or skip) and (image or macula):
        raise UsageError(
            f"the {side.value} eye was given a photograph and a reason for not "
            "photographing it: give one or the other"
        )
    if absent:
        return EyeInput(side, skipped_reason=absent, absent=True)
    if skip:
        return EyeInput(side, skipped_reason=skip)
    return EyeInput(side, image, macula=macula) if image or macula else None


EXCLUSIONS = {
    "treated": Exclusion.TREATED,
    "sudden-vision-loss": Exclusion.SUDDEN_VISION_LOSS,
}
"""``screen --exclusion`` values (the domain's, written as command-line words)."""


def cmd_screen(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """An eye given neither a photograph nor a reason is recorded as not photographed."""
    given = [i for side in Laterality if (i := _eye_input(side, args)) is not None]
    exclusion = EXCLUSIONS[args.exclusion] if getattr(args, "exclusion", None) else None
    if exclusion is not None and given:
        raise UsageError(
            "--exclusion refers the patient without screening: give no photographs or "
            "eye reasons with it"
        )
    if not given and exclusion is None:
        raise UsageError(
            "give --right and/or --left photographs (or --skip-right/--skip-left REASON, "
            "--absent-right/--absent-left REASON; --right-macula/--left-macula where two "
            "fields are taken per eye)"
        )
    if not (args.name or args.family_name or args.given_name):
        raise UsageError("give the patient's --name (or --family-name and --given-name)")
    patient = named(
        Patient(args.patient_id, "", args.dob, args.sex, id_issuer=args.id_issuer or None),
        args.name,
        args.family_name,
        args.given_name,
    )
    order = Order(args.accession or None, args.referring_physician or None, args.study_uid or None)
    screening = service.screen(
        patient, given, args.operator, order=order, exclusion=exclusion, language=args.language
    )
    try:
        recorded = service.record(screening, print_report=args.print, copy_to=args.out)
    except StorageError:
        # say what was decided, then let main() report that it was NOT saved
        if args.json:
            print(json.dumps(screening_json(screening)))
        else:
            print_screening(screening, None, None)
        raise
    report = recorded.report_copy
    printing = recorded.printing
    if args.json:
        reports = service.store.reports_for(screening.screening_id)
        printed = bool(printing and printing.printed)
        print(json.dumps(screening_json(screening, report, printed, reports)))
    else:
        print_screening(screening, report, printing.message if printing else None)
        if report is None:
            print(
                f"Report {recorded.report_id} is kept, encrypted, with the records "
                f"(retiscreen export {screening.screening_id} --format pdf --out FILE "
                "writes a copy)."
            )
    if service.pipeline.unavailable:
        return ExitCode.GRADING_UNAVAILABLE
    shown = [f for eye in screening.eyes for f in eye.fields or (eye,)]  # every field's
    unreadable = any(e.error and e.image is None for e in shown)
    return ExitCode.FAILED if unreadable else ExitCode.OK


def cmd_demo(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """`screen` on the bundled photograph, its arguments parsed by the `screen` parser
    itself, so every option `screen` gains has its default here too."""
    from retiscreen.cli import build_parser

    image = bundled_dir("assets") / DEMO_IMAGE
    argv = ["screen", "--patient-id", "DEMO-0001", "--name", "Demo Patient"]
    argv += ["--left", str(image), "--skip-right", "demo: only one photograph is bundled"]
    argv += ["--operator", args.operator or "demo"]
    argv += ["--out", str(args.out)] if args.out else []
    argv += ["--print"] if args.print else []
    print(f"RetiScreen demo on the bundled CC0 fundus photograph {image.name} (a normal left eye).")
    return cmd_screen(service, build_parser().parse_args(argv))


def cmd_history(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    rows = service.history(
        limit=args.limit, patient_id=args.patient_id, search=args.search, viewer=getpass.getuser()
    )
    if args.json:
        for row in rows:
            screening = service.store.load_screening(row["screening_id"])
            reports = service.store.reports_for(row["screening_id"])
            latest = reports[-1] if reports else None
            record = screening_json(
                screening,
                None,
                bool(latest and latest["printed_at"]),
                reports,
                service.store.latest_review(row["screening_id"]),
            )
            print(json.dumps(record))
        return ExitCode.OK
    if not rows:
        print("No screenings recorded yet.")
    for row in rows:
        reviewed = row.get("review_decision_kind")
        after = (
            f"  [over-read: {ENGLISH.decision_word(DecisionKind(reviewed))}]" if reviewed else ""
        )
        print(
            f"{row['started_at']}  {row['screening_id']}  {row['patient_id']:12s} "
            f"{row['name']:24s}  {row['decision_headline']}{after}"
        )
    return ExitCode.OK


def cmd_report(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    recorded = service.reprint(args.screening_id, args.out, args.print)
    where = f"written to {args.out}" if args.out else "kept, encrypted, with the records"
    print(f"Report {recorded.report_id} {where}")
    if recorded.printing:
        print(f"Printing: {recorded.printing.message}")
    return ExitCode.OK


def cmd_export(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """All screenings as CSV, or one screening in a format a clinic system reads."""
    if args.csv is not None:
        if args.screening_id or args.format:
            raise UsageError("--csv exports every screening: give no SCREENING_ID or --format")
        count = service.export_csv(args.csv)
        print(f"Exported {count} rows to {args.csv}")
        return ExitCode.OK
    if not (args.screening_id and args.format and args.out):
        raise UsageError(
            "give --csv FILE, or SCREENING_ID --format pdf|dicom|fhir|hl7 --out DIR|FILE"
        )
    written = service.export(args.screening_id, args.format, args.out)
    for path in written:
        print(path)
    print(f"Exported screening {args.screening_id} as {args.format}: {len(written)} file(s)")
    return ExitCode.OK


def cmd_print_queue(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """Make missing reports, then send every waiting job, those that gave up included."""
    made = service.make_missing_reports()
    for screening_id in made:
        print(f"Report made for saved screening {screening_id} (it had none).")
    outcomes = service.retry_print_queue(include_failed=True)
    for outcome in outcomes:
        print(outcome.message)
    print(f"{len(made)} missing report(s) made, {len(outcomes)} print job(s) tried.")
    return ExitCode.OK if all(o.printed for o in outcomes) else ExitCode.FAILED


def cmd_validate(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    from retiscreen.validation import run_validation

    notice = grading_unavailable_notice(service)
    if notice:
        print(f"retiscreen: {notice}", file=sys.stderr)
        return ExitCode.GRADING_UNAVAILABLE
    metrics = run_validation(
        service.pipeline,
        args.images,
        args.labels,
        args.out,
        target_sensitivity=args.threshold_for_sensitivity,
        progress=progress,
        per_source=args.per_source,
    )
    print(json.dumps(metrics["summary"], indent=2))
    print(
        f"Written: {args.out / 'metrics.json'}, {args.out / 'roc.png'}, "
        f"{args.out / 'calibration.png'}, {args.out / 'validation_report.pdf'}"
    )
    return ExitCode.OK


def add_commands(sub: argparse._SubParsersAction[UsageParser]) -> None:
    """The screening commands of the one ``retiscreen`` tree."""
    grade = sub.add_parser("grade", help="grade photographs, one JSON object per line")
    grade.add_argument("images", nargs="+", type=Path)
    grade.add_argument(
        "--heatmaps",
        type=Path,
        metavar="DIR",
        default=None,
        help="also write <image stem>.heatmap.png per graded photograph into DIR "
        "(the referable map over the photograph; none for ungradable ones)",
    )
    grade.set_defaults(func=cmd_grade)

    def screening_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--operator", default="", help="who ran the screening")
        p.add_argument("--out", type=Path, help="also write the report PDF here")
        p.add_argument("--print", action="store_true", help="print the report (CUPS)")

    screen = sub.add_parser("screen", help="screen a patient: grade, store, report")
    screen.add_argument("--patient-id", required=True)
    screen.add_argument("--name", help="the name as displayed (default: given + family)")
    screen.add_argument("--family-name")
    screen.add_argument("--given-name")
    screen.add_argument("--id-issuer", help="who assigned the patient ID (assigning authority)")
    screen.add_argument("--accession", help="the order's accession number (from the worklist)")
    screen.add_argument("--referring-physician", help="DICOM style: Family^Given")
    screen.add_argument("--study-uid", type=dicom_uid, help="the Study Instance UID to use")
    screen.add_argument("--dob", type=birth_date, help="date of birth YYYY-MM-DD")
    screen.add_argument("--sex", choices=["F", "M", "X"])
    screen.add_argument(
        "--language",
        type=language_code,
        metavar="CODE",
        help=f"the patient's language for the report and letter ({', '.join(TEXTS)}; "
        "default: the site's, kiosk.language)",
    )
    for side in ("right", "left"):
        screen.add_argument(
            f"--{side}",
            type=existing_file,
            help=f"{side}-eye photograph (where [capture] fields_per_eye = 2: the "
            "disc-centred one)",
        )
        screen.add_argument(
            f"--{side}-macula",
            type=existing_file,
            metavar="PATH",
            help=f"{side}-eye macula-centred photograph, the second field where [capture] "
            "fields_per_eye = 2 (a field not given is recorded as not taken; the other "
            "field then decides the eye)",
        )
        screen.add_argument(
            f"--skip-{side}",
            metavar="REASON",
            help=f"{side} eye not photographed, why (it then needs an eye examination)",
        )
        screen.add_argument(
            f"--absent-{side}",
            metavar="REASON",
            choices=ABSENT_EYE_REASONS,
            help=f"the {side} eye is absent ({', '.join(ABSENT_EYE_REASONS)}): not examined "
            "and not counted",
        )
    screen.add_argument(
        "--exclusion",
        choices=sorted(EXCLUSIONS),
        help="refer without screening, no photographs: treated (already treated for "
        "diabetic eye disease: referral) or sudden-vision-loss (urgent, the same day)",
    )
    screen.add_argument("--json", action="store_true", help="print the screening as JSON")
    screening_options(screen)
    screen.set_defaults(func=cmd_screen)

    demo = sub.add_parser("demo", help="the whole flow on the bundled demo photograph")
    screening_options(demo)
    demo.set_defaults(func=cmd_demo)

    history = sub.add_parser("history", help="list recorded screenings, newest first")
    history.add_argument("--patient-id")
    history.add_argument("--search", help="text in patient name or id")
    history.add_argument("--limit", type=positive_int, default=50)
    history.add_argument("--json", action="store_true", help="one JSON object per screening")
    history.set_defaults(func=cmd_history)

    report = sub.add_parser("report", help="reprint the report of a recorded screening")
    report.add_argument("screening_id")
    report.add_argument("--out", type=Path)
    report.add_argument("--print", action="store_true")
    report.set_defaults(func=cmd_report)

    export = sub.add_parser(
        "export", help="every screening as CSV, or one screening as PDF, DICOM, FHIR or HL7"
    )
    export.add_argument("screening_id", nargs="?", metavar="SCREENING_ID")
    export.add_argument("--csv", type=Path, metavar="FILE", help="every screening, one row per eye")
    export.add_argument(
        "--format",
        choices=["pdf", "dicom", "fhir", "hl7"],
        help="one screening: its newest report as printed (PDF), DICOM files (report and "
        "photographs), a FHIR R4 Bundle, or an HL7 v2.5.1 ORU^R01",
    )
    export.add_argument(
        "--out", type=Path, metavar="PATH", help="folder (dicom) or file (fhir, hl7) to write"
    )
    export.set_defaults(func=cmd_export)

    queue = sub.add_parser(
        "print-queue",
        help="make missing reports, then print every report waiting (also those that gave up)",
    )
    queue.set_defaults(func=cmd_print_queue)

    validate = sub.add_parser("validate", help="measure the system on a labelled image set")
    validate.add_argument(
        "--images", type=existing_folder, required=True, help="folder of photographs"
    )
    validate.add_argument(
        "--labels",
        type=existing_file,
        required=True,
        help="CSV with columns image, dr_grade (0-4), optional gradable (0/1)",
    )
    validate.add_argument("--out", type=Path, required=True, help="folder for the results")
    validate.add_argument(
        "--per-source",
        metavar="COLUMN",
        help="also report every figure for each value of this labels column (camera, clinic)",
    )
    validate.add_argument(
        "--threshold-for-sensitivity",
        type=proportion,
        metavar="S",
        help="also report the threshold reaching sensitivity S (0-1) on this data",
    )
    validate.set_defaults(func=cmd_validate)
