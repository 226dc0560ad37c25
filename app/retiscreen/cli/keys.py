"""``retiscreen key``: the records key, exported for safekeeping or rotated.

The database is encrypted with the key in ``records.key`` (see
:mod:`retiscreen.store.driver`); a backup archive never contains it, so a backup is only
as good as the copy of the key kept apart from it.
"""

from __future__ import annotations

import argparse
import getpass
import shutil
import subprocess
from pathlib import Path

from retiscreen.errors import ExitCode, UsageError
from retiscreen.keyfiles import records_key_path
from retiscreen.service import ScreeningService

from .parser import UsageParser


def cmd_key(service: ScreeningService, args: argparse.Namespace) -> ExitCode:
    root = service.settings.storage.root
    if args.action == "export":
        _ = service.store  # opened first: the key on file must be the one that reads it
        if args.out.exists():
            raise UsageError(f"{args.out} exists; choose a new file")
        shutil.copyfile(records_key_path(root), args.out)
        args.out.chmod(0o600)
        service.audit("records_key_exported", operator=getpass.getuser(), to=str(args.out))
        print(
            f"The records key was copied to {args.out}. Keep it apart from the backups "
            "(another medium, a safe): without it no backup can be restored."
        )
        return ExitCode.OK
    from retiscreen.store.key_rotation import rotate_records_key

    if kiosk_service_running():
        raise UsageError(
            "the kiosk is running and would lose its hold on the records mid-rotation; "
            "stop it first: sudo systemctl stop retiscreen-kiosk"
        )
    service.close()  # the rotation needs the database to itself
    previous = rotate_records_key(root)
    service.audit("records_key_rotated", operator=getpass.getuser())
    print(
        "The records database is now encrypted with a new key. Export it again "
        f"(retiscreen key export); backups made before today need the old key, kept in "
        f"{previous}."
    )
    return ExitCode.OK


def kiosk_service_running() -> bool:
    """Whether the installed kiosk service is active (False where there is no systemd)."""
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        return False
    done = subprocess.run(
        [systemctl, "is-active", "--quiet", "retiscreen-kiosk.service"],
        capture_output=True,
        timeout=10,
        check=False,
    )
    return done.returncode == 0


def add_commands(sub: argparse._SubParsersAction[UsageParser]) -> None:
    key = sub.add_parser("key", help="the records encryption key: export a copy, or rotate it")
    actions = key.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="copy the key to a file kept apart from backups")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    actions.add_parser("rotate", help="re-encrypt the database under a new key (kiosk stopped)")
    key.set_defaults(func=cmd_key)
