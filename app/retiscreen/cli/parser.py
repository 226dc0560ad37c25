"""The one ``retiscreen`` command tree: a parser whose mistakes are one line and exit 2.

Why its own parser class: argparse prints usage plus an error over two lines and exits 2
only for what it checks itself; RetiScreen wants every bad invocation (unknown flag,
impossible date, missing file, out-of-range number) to exit 2 with one line that says
what to type instead. The argument types below make those checks part of parsing.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

from retiscreen.catalogue import language_problem
from retiscreen.errors import ExitCode
from retiscreen.identity import birth_date_problem

PROG = "retiscreen"


class UsageParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr, naming the help to read."""

    def error(self, message: str) -> NoReturn:
        print(f"{PROG}: {message}; run '{self.prog} --help'", file=sys.stderr)
        sys.exit(ExitCode.USAGE)


def birth_date(text: str) -> date:
    """--dob: an ISO date (YYYY-MM-DD) that a living patient can have."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: give it as YYYY-MM-DD, e.g. 1961-12-10"
        ) from None
    problem = birth_date_problem(day)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return day


def language_code(text: str) -> str:
    """--language: a language the report and letter can be written in."""
    code = text.strip().lower()
    problem = language_problem(code)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return code


_UID = re.compile(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+")


def iso_date(text: str) -> date:
    """A day given as YYYY-MM-DD (audit export, worklist)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: give YYYY-MM-DD") from None


def dicom_uid(text: str) -> str:
    """--study-uid: a DICOM UID (PS3.5 9.1: digits and dots, no leading zeros, ≤ 64)."""
    text = text.strip()
    if len(text) > 64 or not _UID.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a DICOM UID (digits and dots)")
    return text


def existing_file(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path


def existing_folder(text: str) -> Path:
    path = Path(text).expanduser()
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"no such folder: {text}")
    return path


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed: give 1 or more")
    return value


def proportion(text: str) -> float:
    """A sensitivity or threshold strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not allowed: give a number between 0 and 1")
    return value
