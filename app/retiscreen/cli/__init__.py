"""`retiscreen`: grade photographs, run and record screenings, reprint, export, validate,
and look after the installation (kiosk, selftest, backup, restore).

One command tree (:func:`build_parser`), one set of exit codes
(:class:`~retiscreen.errors.ExitCode`), and one place where expected failures become a
line on stderr and their exit code (:func:`main`): no operator or script ever sees a
traceback for something RetiScreen expects to go wrong.
"""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from retiscreen import __version__
from retiscreen.catalogue import ENGLISH
from retiscreen.errors import ExitCode, RetiScreenError, UsageError
from retiscreen.permissions import SHARED_GROUP, may_read_records, restrict_umask
from retiscreen.pipeline import check_threshold_setting
from retiscreen.service import ScreeningService
from retiscreen.settings import Settings, load_settings

from . import admin, integration, keys, monitor, referrals, review, screening, users, verify
from .admin import kiosk_demo_mode
from .parser import PROG, UsageParser

__all__ = ["build_parser", "kiosk_demo_mode", "main"]

log = logging.getLogger("retiscreen")


def build_parser() -> argparse.ArgumentParser:
    parser = UsageParser(
        prog=PROG,
        description=(
            "Diabetic-retinopathy screening (research software, not a cleared medical device)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"retiscreen {__version__}")
    global_options(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    screening.add_commands(sub)
    admin.add_commands(sub)
    integration.add_commands(sub)
    verify.add_commands(sub)
    users.add_commands(sub)
    keys.add_commands(sub)
    referrals.add_commands(sub)
    monitor.add_commands(sub)
    review.add_commands(sub)
    for command in sub.choices.values():  # also accepted after the command's name
        global_options(command, default=argparse.SUPPRESS)
    return parser


def global_options(parser: argparse.ArgumentParser, default: object = None) -> None:
    parser.add_argument(
        "--config", type=Path, default=default, help="settings file (TOML); default: user's"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=default, help="where records, images and reports are kept"
    )
    parser.add_argument(
        "--models-dir", type=Path, default=default, help="folder with the ONNX models and cards"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", default=default or False, help="log to stderr"
    )


LOG_MAX_BYTES = 5 * 1024 * 1024
LOG_KEPT = 4
"""The log rotates by size: at most 5 MiB now and four older files, so a kiosk left
running for years never fills its disk with log."""


def configure_logging(settings: Settings, verbose: bool) -> None:
    """Everything to a rotating log file in the data folder; with -v also to stderr
    (without it the commands print their own operator-readable messages, once)."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.INFO if verbose else logging.CRITICAL)
    stderr.setFormatter(logging.Formatter("retiscreen: %(levelname)s: %(message)s"))
    root.addHandler(stderr)
    try:
        log_dir = settings.storage.root / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            log_dir / "retiscreen.log",
            maxBytes=LOG_MAX_BYTES,
            backupCount=LOG_KEPT,
            encoding="utf-8",
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    except OSError as exc:
        print(f"retiscreen: cannot write the log file ({exc}); continuing", file=sys.stderr)


PHI_COMMANDS = frozenset(
    {"history", "export", "report", "send", "restore", "patient", "users", "key"}
    | {"referrals", "review"}
)
"""Commands that show, copy or change patient records, accounts or the records key."""


def refuse_outsiders(command: str, data_root: Path) -> None:
    """Patient records are for the service account, root and the ``retiscreen`` group
    only: anyone else is refused before anything is opened (even where an older
    installation left the files readable)."""
    if command in PHI_COMMANDS and not may_read_records(data_root):
        raise UsageError(
            f"'{command}' shows or changes patient records, which only the RetiScreen "
            f"service account and members of the '{SHARED_GROUP}' group may do; ask the "
            "administrator to add your account to that group"
        )


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings file and environment, then the command line's folders."""
    settings = load_settings(args.config)
    if args.data_dir:
        settings = replace(settings, storage=replace(settings.storage, data_dir=str(args.data_dir)))
    if args.models_dir:
        settings = replace(
            settings, models=replace(settings.models, models_dir=str(args.models_dir))
        )
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit code (``--help`` and ``--version`` give 0, bad usage 2)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the help, the version or one line
        return int(exc.code or 0)
    try:
        settings = settings_for(args)
        refuse_outsiders(args.command, settings.storage.root)
        restrict_umask(settings.storage.root)  # before the log or any record is created
        if args.command != "selftest":  # selftest reports it among its checks
            check_threshold_setting(settings)
        configure_logging(settings, args.verbose)
        service = ScreeningService(settings)
        try:
            return int(args.func(service, args))
        finally:
            service.close()
    except RetiScreenError as exc:
        log.info("%s failed: %s", args.command, type(exc).__name__)
        print(f"retiscreen: {ENGLISH.text(exc.message_key)} {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except Exception:  # a bug: the details go to the log file, one line to the operator
        log.exception("%s failed unexpectedly", args.command)
        print(
            "retiscreen: an unexpected error stopped this command; nothing more was done. "
            "The details are in the log file (retiscreen.log in the data folder); please "
            "report it.",
            file=sys.stderr,
        )
        return int(ExitCode.FAILED)
