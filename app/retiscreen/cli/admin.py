"""The installation commands: kiosk, selftest, backup (and its verification), restore,
models (install a signed update, verify), patient (correct details on file), audit
(verify the hash chain, export it)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path

from retiscreen.domain import Patient
from retiscreen.errors import ExitCode, RetiScreenError
from retiscreen.service import ScreeningService
from retiscreen.settings import settings_file

from .parser import UsageParser, birth_date, existing_file, iso_date


def cmd_kiosk(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """The Qt app. An unconfigured machine (no settings file) with no camera starts in demo
    mode, so a newcomer sees a whole screening; a configured kiosk never does, because demo
    mode feeds sample photographs and enables the demo operator."""
    try:
        from retiscreen.ui.app import application, run_kiosk
        from retiscreen.ui.devices import camera_present
    except ImportError as exc:
        raise RetiScreenError(
            f"the kiosk needs the GUI extra (pip install 'retiscreen[gui]'): {exc}"
        ) from None
    application()  # before camera_present(): QtMultimedia needs it to see any camera
    demo = kiosk_demo_mode(args.demo, args.config, camera_present)
    if demo and not args.demo:
        print(
            "retiscreen: no settings file and no camera found: starting in DEMO mode "
            "(sample photographs; not for patients).",
            file=sys.stderr,
        )
    return ExitCode(run_kiosk(service.settings, demo=demo, windowed=args.windowed))


def kiosk_demo_mode(
    requested: bool, config: Path | None, camera_present: Callable[[], bool]
) -> bool:
    """Demo when asked, or on a machine nobody has configured that has no camera."""
    return requested or (not settings_file(config).exists() and not camera_present())


def cmd_selftest(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    from retiscreen.selftest import run_selftest

    result = run_selftest(
        service.settings,
        camera_required=args.require_camera,
        integrity=args.integrity,
        integration=args.integration,
    )
    print(result.summary(), flush=True)
    return ExitCode.OK if result.ok else ExitCode.FAILED


def cmd_backup(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    from retiscreen.backup import create_backup, verify_backup
    from retiscreen.keyfiles import existing_records_key

    root = service.settings.storage.root
    if args.verify is not None:
        key = args.key.read_bytes() if args.key else existing_records_key(root)
        info = verify_backup(args.verify, key, allow_unsealed=args.accept_unsealed)
        print(f"Backup OK: {info.describe()}")
        return ExitCode.OK
    service.store  # noqa: B018 - opening the records brings an older folder up to date first
    info = create_backup(root, args.to)
    service.audit("backup_created", operator=getpass.getuser(), summary=info.describe())
    print(f"Backup written: {info.describe()}")
    if info.problems:
        print(
            "WARNING: the records have problems (the backup holds what there is):", file=sys.stderr
        )
        for problem in info.problems:
            print(f"  {problem}", file=sys.stderr)
        return ExitCode.FAILED
    return ExitCode.OK


def cmd_restore(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """Restore a backup; an administrator must sign in (see backup.authority)."""
    from retiscreen.accounts import AccountBook
    from retiscreen.backup import restore_backup
    from retiscreen.backup.authority import restore_authority
    from retiscreen.store import ScreeningStore
    from retiscreen.store.db import DB_FILENAME

    root = service.settings.storage.root
    pin = (
        sys.stdin.readline().strip()
        if args.pin_stdin
        else getpass.getpass(f"PIN of the administrator {args.admin}: ")
    )

    def current_accounts() -> AccountBook | None:
        return AccountBook(service.store) if (root / DB_FILENAME).is_file() else None

    authorize = restore_authority(current_accounts, args.admin, pin)
    service.close()  # the records about to be moved aside must not stay open
    info = restore_backup(
        args.archive,
        root,
        force=args.force,
        key_file=args.key,
        authorize=authorize,
        allow_unsealed=args.accept_unsealed,
    )
    with ScreeningStore(root) as restored:  # the restored trail records its own restore
        restored.audit(
            "backup_restored",
            operator=args.admin,
            archive=Path(args.archive).name,
            summary=info.describe(),
        )
    print(f"Restored into {root}: {info.describe()}")
    return ExitCode.OK


def cmd_models(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """Install a signed model update, or verify the models in use (admin)."""
    from retiscreen.grading.install import describe, install_bundle, verify_models
    from retiscreen.grading.signing import trusted_keys

    models = service.settings.models
    keys = trusted_keys(models.extra_key_files)
    if args.action == "install":
        target = args.to or models.directory
        manifest = install_bundle(args.bundle, target, keys)
        described = describe(target, manifest)
        service.audit(
            "models_installed", operator=getpass.getuser(), folder=str(target), models=described
        )
        print(f"Models installed in {target}: {described}")
    else:
        folder = args.folder or models.directory
        manifest = verify_models(folder, keys)
        print(f"Models in {folder} verified: {describe(folder, manifest)}")
    return ExitCode.OK


def cmd_patient(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """Correct a patient's details on file; the OS account is recorded as the actor."""
    before, after = service.correct_patient(
        args.patient_id,
        operator=getpass.getuser(),
        reason=args.reason,
        name=args.name,
        date_of_birth=args.dob,
        sex=args.sex,
        family_name=args.family_name,
        given_name=args.given_name,
    )

    def shown(p: Patient) -> str:
        dob = p.date_of_birth.isoformat() if p.date_of_birth else "no date of birth"
        return f"{p.name}, {dob}, sex {p.sex or 'not recorded'}"

    print(f"Patient {after.patient_id} corrected (audited): was {shown(before)}.")
    print(f"Now: {shown(after)}.")
    return ExitCode.OK


def cmd_audit(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    """``verify``: the hash chain and its authenticated head; ``export``: for an auditor."""
    if args.action == "verify":
        verdict = service.store.verify_audit()
        print(f"Audit trail {verdict.line()}", flush=True)
        return ExitCode.OK if verdict.intact else ExitCode.FAILED
    rows = service.store.audit_since(args.since.isoformat())
    lines = "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    if args.out is None:
        sys.stdout.write(lines)
    else:
        from retiscreen.store import atomic_write

        atomic_write(args.out, lines.encode("utf-8"))
        print(f"{len(rows)} audit records since {args.since.isoformat()} written to {args.out}")
    service.audit(
        "audit_exported",
        operator=getpass.getuser(),
        since=args.since.isoformat(),
        records=len(rows),
    )
    return ExitCode.OK


def add_commands(sub: argparse._SubParsersAction[UsageParser]) -> None:
    """The installation commands of the one ``retiscreen`` tree."""
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
        "--require-camera", action="store_true", help="a missing camera is a failure"
    )
    selftest.add_argument(
        "--integrity",
        action="store_true",
        help="the full database integrity check and every stored file's sha256 (slower)",
    )
    selftest.add_argument(
        "--integration",
        action="store_true",
        help="also check that the PACS, worklist, HL7 listener and FHIR server answer",
    )
    selftest.set_defaults(func=cmd_selftest)

    backup = sub.add_parser("backup", help="consistent backup of records, images and reports")
    target = backup.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", type=Path, metavar="FILE", help="archive to write (.tar.gz)")
    target.add_argument(
        "--verify", type=existing_file, metavar="FILE", help="check an archive, change nothing"
    )
    backup.add_argument(
        "--key",
        type=existing_file,
        metavar="FILE",
        help="with --verify: the records key the backup was made with (default: this one)",
    )
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="restore a backup into the data folder")
    restore.add_argument("archive", type=existing_file)
    restore.add_argument(
        "--key",
        type=existing_file,
        metavar="FILE",
        help="the records key the backup was made with (from retiscreen key export)",
    )
    restore.add_argument(
        "--force",
        action="store_true",
        help="replace existing records (they are moved aside, not deleted)",
    )
    restore.add_argument(
        "--admin", required=True, metavar="NAME", help="the administrator restoring it"
    )
    restore.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    for parser in (backup, restore):
        parser.add_argument(
            "--accept-unsealed",
            action="store_true",
            help="also take a backup from before version 2 (not authenticated)",
        )
    restore.set_defaults(func=cmd_restore)

    models = sub.add_parser("models", help="install a signed model update, or verify the models")
    actions = models.add_subparsers(dest="action", required=True, metavar="ACTION")
    install = actions.add_parser("install", help="verify a signed bundle, then use its models")
    install.add_argument("bundle", type=Path, metavar="BUNDLE", help="a .tar(.gz) or a folder")
    install.add_argument(
        "--to", type=Path, metavar="DIR", help="models folder to replace (default: the one in use)"
    )
    verify = actions.add_parser("verify", help="check the signature and load the models")
    verify.add_argument("folder", type=Path, nargs="?", metavar="DIR")
    models.set_defaults(func=cmd_models)

    audit = sub.add_parser("audit", help="check the audit trail, or export it for an auditor")
    audit_actions = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    audit_actions.add_parser(
        "verify", help="recompute the hash chain: 'intact (N records)' or the first broken one"
    )
    export = audit_actions.add_parser("export", help="the records since a date, as JSON lines")
    export.add_argument("--since", type=iso_date, required=True, metavar="YYYY-MM-DD")
    export.add_argument("--out", type=Path, metavar="FILE", help="default: standard output")
    audit.set_defaults(func=cmd_audit)

    patient = sub.add_parser("patient", help="correct a patient's details on file (audited)")
    patient_actions = patient.add_subparsers(dest="action", required=True, metavar="ACTION")
    correct = patient_actions.add_parser(
        "correct", help="change the name, date of birth or sex on file, with a reason"
    )
    correct.add_argument("patient_id", metavar="PATIENT_ID")
    correct.add_argument("--reason", required=True, help="why (kept in the audit log)")
    correct.add_argument("--name")
    correct.add_argument("--family-name")
    correct.add_argument("--given-name")
    correct.add_argument("--dob", type=birth_date, help="date of birth YYYY-MM-DD")
    correct.add_argument("--sex", choices=["F", "M", "X"])
    patient.set_defaults(func=cmd_patient)
