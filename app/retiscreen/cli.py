"""`retiscreen`: grade photographs, run and record screenings, reprint, export, validate.

Exit codes: 0 success; 1 an image was unreadable or a step failed; 2 bad usage;
3 grading unavailable (model missing or tampered); 4 records could not be saved.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retiscreen import __version__
from retiscreen.catalogue import ENGLISH
from retiscreen.domain import ABSENT_EYE_REASONS, EyeResult, Laterality, Patient, Screening
from retiscreen.screening_json import screening_json

if TYPE_CHECKING:
    from retiscreen.service import EyeInput
from retiscreen.settings import (
    Settings,
    SettingsError,
    bundled_dir,
    load_settings,
    settings_file,
)

log = logging.getLogger("retiscreen")

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NO_GRADER, EXIT_STORAGE = 0, 1, 2, 3, 4
DEMO_IMAGE = "demo/retina_cc0.jpg"


def eye_json(eye: EyeResult, source: str) -> dict[str, Any]:
    """One `retiscreen grade` line: everything a script needs, nothing it must guess."""
    quality, grade = eye.quality, eye.grade
    result: dict[str, Any] = {
        "image": source,
        "gradable": bool(quality and quality.gradable),
        "quality_score": round(quality.score, 4) if quality else None,
        "quality_reasons": [r.value for r in quality.reasons] if quality else [],
        "quality_messages": [ENGLISH.quality(r) for r in quality.reasons] if quality else [],
        "icdr_grade": int(grade.grade) if grade else None,
        "icdr_words": ENGLISH.grade(grade.grade) if grade else None,
        "probabilities": [round(p, 5) for p in grade.probabilities] if grade else None,
        "referable_probability": round(grade.referable_probability, 5) if grade else None,
        "referable": grade.referable if grade else None,
        "threshold": grade.threshold if grade else None,
        "status": eye.status.value,
        "decision": (
            {
                "kind": eye.decision.kind.value,
                "headline": ENGLISH.headline(eye.decision),
                "advice": ENGLISH.advice(eye.decision),
            }
            if eye.decision
            else None
        ),
        "model": (
            {"name": grade.model.name, "version": grade.model.version, "sha256": grade.model.sha256}
            if grade
            else None
        ),
        "provider": grade.provider if grade else None,
        "timings_ms": eye.timings_ms,
    }
    if eye.error:
        result["error"] = eye.error
    return result


def _progress(items: Sequence[Any], label: str) -> Any:
    """A progress bar on stderr for long runs (hidden when stderr is not a terminal)."""
    from tqdm import tqdm

    return tqdm(
        items, desc=label, unit="img", disable=None if len(items) > 3 else True, file=sys.stderr
    )


def cmd_grade(settings: Settings, args: argparse.Namespace) -> int:
    from retiscreen.pipeline import Pipeline

    pipeline = Pipeline.from_settings(settings)
    if pipeline.unavailable:
        print(
            f"retiscreen: grading unavailable: {pipeline.unavailable}. Refer every patient "
            "for an eye examination until this is fixed.",
            file=sys.stderr,
        )
    exit_code = EXIT_OK
    for path in _progress(args.images, "grading"):
        eye = pipeline.assess_eye(Laterality.RIGHT, Path(path))
        if eye.image is None:
            exit_code = EXIT_FAILED
        print(json.dumps(eye_json(eye, str(path))), flush=True)
    if pipeline.unavailable:
        return EXIT_NO_GRADER
    return exit_code


def _parse_dob(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"retiscreen: --dob must be YYYY-MM-DD, got {text!r}") from None


def _eye_input(
    side: Laterality, image: Path | None, skip: str | None, absent: str | None
) -> EyeInput:
    from retiscreen.service import EyeInput

    if absent:
        return EyeInput(side, skipped_reason=absent, absent=True)
    if skip:
        return EyeInput(side, skipped_reason=skip)
    return EyeInput(side, Path(image) if image else None)


def _print_screening(screening: Screening, report: Path | None, printing: str | None) -> None:
    print(
        f"Screening {screening.screening_id} for {screening.patient.name} "
        f"({screening.patient.patient_id})"
    )
    for eye in screening.eyes:
        state = ENGLISH.eye_finding(eye)
        if eye.skipped_reason:
            state += f" ({eye.skipped_reason})"
        elif eye.grade:
            state += f" (P(referable) {eye.grade.referable_probability:.2f})"
        elif eye.quality and not eye.quality.gradable:
            state += ": " + " ".join(ENGLISH.quality(r) for r in eye.quality.reasons)
        elif eye.error:
            state += f": {eye.error}"
        print(f"  {eye.laterality.value:5s} eye: {state}")
    due = screening.decision.follow_up_date(screening.started_at.date())
    print(f"DECISION: {ENGLISH.headline(screening.decision)}")
    print(f"  {ENGLISH.advice(screening.decision)}")
    if due:
        print(f"  Next step due by: {due.isoformat()}")
    if report:
        print(f"Report: {report}")
    if printing:
        print(f"Printing: {printing}")


def cmd_screen(settings: Settings, args: argparse.Namespace) -> int:
    from retiscreen.service import ScreeningService
    from retiscreen.store import StorageError

    inputs = [
        _eye_input(side, image, skip, absent)
        for side, image, skip, absent in [
            (Laterality.RIGHT, args.right, args.skip_right, args.absent_right),
            (Laterality.LEFT, args.left, args.skip_left, args.absent_left),
        ]
    ]
    if all(i.photograph is None and i.skipped_reason is None for i in inputs):
        print(
            "retiscreen: give --right and/or --left images (or --skip-right/--skip-left "
            "REASON, --absent-right/--absent-left REASON)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    service = ScreeningService(settings)
    pipeline = service.pipeline
    patient = Patient(args.patient_id, args.name, _parse_dob(args.dob), args.sex)
    given = [i for i in inputs if i.photograph is not None or i.skipped_reason is not None]
    try:
        screening = service.screen(patient, given, args.operator)
    except ValueError as exc:  # an impossible date of birth
        print(f"retiscreen: {exc} Give --dob as YYYY-MM-DD.", file=sys.stderr)
        return EXIT_USAGE
    except StorageError as exc:
        print(f"retiscreen: {exc}", file=sys.stderr)
        return EXIT_USAGE if exc.reason == "identity_mismatch" else EXIT_STORAGE
    try:
        recorded = service.record(screening, print_report=args.print, copy_to=args.out)
    except StorageError as exc:
        print(f"retiscreen: {exc}", file=sys.stderr)
        if args.json:
            print(json.dumps(screening_json(screening)))
        else:
            _print_screening(screening, None, None)
        return EXIT_STORAGE
    report = args.out or recorded.report_path
    if args.json:
        printed = bool(recorded.printing and recorded.printing.printed)
        print(json.dumps(screening_json(screening, report, printed)))
    else:
        _print_screening(
            screening, report, recorded.printing.message if recorded.printing else None
        )
    if pipeline.unavailable:
        return EXIT_NO_GRADER
    return EXIT_FAILED if any(e.error and e.image is None for e in screening.eyes) else EXIT_OK


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    image = bundled_dir("assets") / DEMO_IMAGE
    args.patient_id, args.name, args.dob, args.sex = "DEMO-0001", "Demo Patient", "1960-01-01", None
    args.right, args.left, args.skip_right, args.skip_left = (
        None,
        str(image),
        "demo: only one photograph is bundled",
        None,
    )
    args.absent_right = args.absent_left = None
    args.json = False
    args.operator = args.operator or "demo"
    print(f"RetiScreen demo on the bundled CC0 fundus photograph {image.name} (a normal left eye).")
    return cmd_screen(settings, args)


def cmd_history(settings: Settings, args: argparse.Namespace) -> int:
    from retiscreen.store import ScreeningStore

    rows = ScreeningStore(settings.storage.root).history(
        limit=args.limit, patient_id=args.patient_id, search=args.search
    )
    if args.json:
        store = ScreeningStore(settings.storage.root)
        for row in rows:
            screening = store.load_screening(row["screening_id"])
            reports = store.reports_for(row["screening_id"])
            latest = reports[-1] if reports else None
            record = screening_json(
                screening,
                Path(latest["path"]) if latest else None,
                bool(latest and latest["printed_at"]),
            )
            print(json.dumps(record))
        return EXIT_OK
    if not rows:
        print("No screenings recorded yet.")
    for row in rows:
        print(
            f"{row['started_at']}  {row['screening_id']}  {row['patient_id']:12s} "
            f"{row['name']:24s}  {row['decision_headline']}"
        )
    return EXIT_OK


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from retiscreen.service import ScreeningService

    recorded = ScreeningService(settings).reprint(args.screening_id, args.out, args.print)
    print(f"Report {recorded.report_id} written to {args.out or recorded.report_path}")
    if recorded.printing:
        print(f"Printing: {recorded.printing.message}")
    return EXIT_OK


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from retiscreen.store import ScreeningStore

    count = ScreeningStore(settings.storage.root).export_csv(args.csv)
    print(f"Exported {count} rows to {args.csv}")
    return EXIT_OK


def cmd_print_queue(settings: Settings, args: argparse.Namespace) -> int:
    from retiscreen.service import ScreeningService

    outcomes = ScreeningService(settings).retry_print_queue()
    for outcome in outcomes:
        print(outcome.message)
    print(f"{len(outcomes)} pending print job(s) tried.")
    return EXIT_OK if all(o.printed for o in outcomes) else EXIT_FAILED


def cmd_validate(settings: Settings, args: argparse.Namespace) -> int:
    from retiscreen.pipeline import Pipeline
    from retiscreen.validation import ValidationError, run_validation

    pipeline = Pipeline.from_settings(settings)
    if pipeline.unavailable:
        print(f"retiscreen: grading unavailable: {pipeline.unavailable}", file=sys.stderr)
        return EXIT_NO_GRADER
    try:
        metrics = run_validation(
            pipeline,
            args.images,
            args.labels,
            args.out,
            target_sensitivity=args.threshold_for_sensitivity,
            progress=_progress,
        )
    except ValidationError as exc:
        print(f"retiscreen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(metrics["summary"], indent=2))
    print(
        f"Written: {args.out / 'metrics.json'}, {args.out / 'roc.png'}, "
        f"{args.out / 'validation_report.pdf'}"
    )
    return EXIT_OK


def cmd_selftest(settings: Settings, args: argparse.Namespace) -> int:
    from retiscreen.selftest import selftest_command

    return selftest_command(settings, args.require_camera)


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from retiscreen.backup import backup_command

    return backup_command(settings, args.to)


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from retiscreen.backup import restore_command

    return restore_command(settings, args.archive, args.force)


def cmd_kiosk(settings: Settings, args: argparse.Namespace) -> int:
    """The Qt app. An unconfigured machine (no settings file) with no camera starts in demo
    mode, so a newcomer sees a whole screening; a configured kiosk never does, because demo
    mode feeds sample photographs and enables the demo operator."""
    try:
        from retiscreen.ui.app import application, run_kiosk
        from retiscreen.ui.devices import camera_present
    except ImportError as exc:
        print(
            f"retiscreen: the kiosk needs the GUI extra (pip install 'retiscreen[gui]'): {exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    application()  # before camera_present(): QtMultimedia needs it to see any camera
    demo = kiosk_demo_mode(args.demo, args.config, camera_present)
    if demo and not args.demo:
        print(
            "retiscreen: no settings file and no camera found: starting in DEMO mode "
            "(sample photographs; not for patients).",
            file=sys.stderr,
        )
    return run_kiosk(settings, demo=demo, windowed=args.windowed)


def kiosk_demo_mode(
    requested: bool, config: Path | None, camera_present: Callable[[], bool]
) -> bool:
    """Demo when asked, or on a machine nobody has configured that has no camera."""
    return requested or (not settings_file(config).exists() and not camera_present())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="retiscreen",
        description=(
            "Diabetic-retinopathy screening (research software, not a cleared medical device)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"retiscreen {__version__}")
    parser.add_argument(
        "--config", type=Path, help="settings file (TOML); default: user config dir"
    )
    parser.add_argument("--data-dir", type=Path, help="where records, images and reports are kept")
    parser.add_argument("--models-dir", type=Path, help="folder with grader/quality ONNX + cards")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grade = sub.add_parser("grade", help="grade photographs, one JSON object per line")
    grade.add_argument("images", nargs="+", type=Path)
    grade.set_defaults(func=cmd_grade)

    def screening_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--operator", default="", help="who ran the screening")
        p.add_argument("--out", type=Path, help="also write the report PDF here")
        p.add_argument("--print", action="store_true", help="print the report (CUPS)")

    screen = sub.add_parser("screen", help="screen a patient: grade, store, report")
    screen.add_argument("--patient-id", required=True)
    screen.add_argument("--name", required=True)
    screen.add_argument("--dob", help="date of birth YYYY-MM-DD")
    screen.add_argument("--sex", choices=["F", "M", "X"])
    screen.add_argument("--right", type=Path, help="right-eye photograph")
    screen.add_argument("--left", type=Path, help="left-eye photograph")
    screen.add_argument("--skip-right", metavar="REASON", help="right eye not photographed, why")
    screen.add_argument("--skip-left", metavar="REASON", help="left eye not photographed, why")
    for side in ("right", "left"):
        screen.add_argument(
            f"--absent-{side}",
            metavar="REASON",
            choices=ABSENT_EYE_REASONS,
            help=f"the {side} eye is absent ({', '.join(ABSENT_EYE_REASONS)}): not examined "
            "and not counted; any other eye not photographed means an eye examination",
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
    history.add_argument("--limit", type=int, default=50)
    history.add_argument("--json", action="store_true")
    history.set_defaults(func=cmd_history)

    report = sub.add_parser("report", help="reprint the report of a recorded screening")
    report.add_argument("screening_id")
    report.add_argument("--out", type=Path)
    report.add_argument("--print", action="store_true")
    report.set_defaults(func=cmd_report)

    export = sub.add_parser("export", help="export all screenings as CSV")
    export.add_argument("--csv", type=Path, required=True)
    export.set_defaults(func=cmd_export)

    queue = sub.add_parser("print-queue", help="retry reports waiting for a printer")
    queue.set_defaults(func=cmd_print_queue)

    validate = sub.add_parser("validate", help="measure the system on a labelled image set")
    validate.add_argument("--images", type=Path, required=True, help="folder of photographs")
    validate.add_argument(
        "--labels",
        type=Path,
        required=True,
        help="CSV with columns image, dr_grade (0-4), optional gradable (0/1)",
    )
    validate.add_argument("--out", type=Path, required=True, help="folder for the results")
    validate.add_argument(
        "--threshold-for-sensitivity",
        type=float,
        metavar="S",
        help="also report the threshold reaching sensitivity S on this data",
    )
    validate.set_defaults(func=cmd_validate)

    kiosk = sub.add_parser("kiosk", help="the touch-screen kiosk application (Qt)")
    kiosk.add_argument(
        "--demo",
        action="store_true",
        help="file-backed camera over the bundled demo photograph, demo operator",
    )
    kiosk.add_argument("--windowed", action="store_true", help="a normal window, not full-screen")
    kiosk.set_defaults(func=cmd_kiosk)

    selftest = sub.add_parser("selftest", help="check this installation (models, database, ...)")
    selftest.add_argument(
        "--require-camera", action="store_true", help="fail when no camera is found"
    )
    selftest.set_defaults(func=cmd_selftest)

    backup = sub.add_parser("backup", help="consistent backup of records, images and reports")
    backup.add_argument("--to", type=Path, required=True, help="archive file to write (.tar.gz)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="restore a backup into the data folder")
    restore.add_argument("archive", type=Path)
    restore.add_argument(
        "--force",
        action="store_true",
        help="replace existing records (they are moved aside, not deleted)",
    )
    restore.set_defaults(func=cmd_restore)
    return parser


def configure_logging(settings: Settings, verbose: bool) -> None:
    """Everything to a log file in the data folder; with -v also to stderr (without it the
    commands print their own operator-readable messages, once)."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.INFO if verbose else logging.CRITICAL)
    stderr.setFormatter(logging.Formatter("retiscreen: %(levelname)s: %(message)s"))
    root.addHandler(stderr)
    try:
        log_dir = settings.storage.root / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_dir / "retiscreen.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    except OSError as exc:
        print(f"retiscreen: cannot write the log file ({exc}); continuing", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except SettingsError as exc:
        print(f"retiscreen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.data_dir:
        settings = replace(settings, storage=replace(settings.storage, data_dir=str(args.data_dir)))
    if args.models_dir:
        settings = replace(
            settings, models=replace(settings.models, models_dir=str(args.models_dir))
        )
    configure_logging(settings, args.verbose)
    from retiscreen.store import StorageError

    try:
        return int(args.func(settings, args))
    except StorageError as exc:
        print(f"retiscreen: {exc}", file=sys.stderr)
        return EXIT_STORAGE


if __name__ == "__main__":
    sys.exit(main())
