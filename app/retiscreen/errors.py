"""One error hierarchy and one set of exit codes for every layer and front end.

Why: a front end must be able to tell an expected failure (a bad photograph, a full
disk, a missing printer) from a bug, say it in words the operator can act on, and exit
with the code the README documents, without each layer inventing its own exceptions.
Each subclass carries its exit code and the catalogue key of its operator message; the
exception's own text is the specific English detail. Standard library only: every
layer imports this.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What ``retiscreen`` exits with (the README's table; a test runs each row)."""

    OK = 0
    FAILED = 1
    """An image was unreadable, or a step (printing, backup, sending) failed."""
    USAGE = 2
    """Bad usage or input: unknown flag, impossible date, missing file, bad setting."""
    GRADING_UNAVAILABLE = 3
    """The models are missing or tampered: every patient is told to see an eye specialist."""
    STORAGE = 4
    """The records could not be saved or read."""


class RetiScreenError(Exception):
    """An expected failure: ``str()`` is one sentence for the operator (no traceback)."""

    exit_code: ExitCode = ExitCode.FAILED
    message_key: str = "error.failed"


class ImageError(RetiScreenError):
    """A photograph cannot be used (unreadable, truncated, too small, not a photograph)."""

    message_key = "error.image"


class GradingUnavailable(RetiScreenError):
    """The grader or the quality model is missing, tampered or unsigned."""

    exit_code = ExitCode.GRADING_UNAVAILABLE
    message_key = "error.grading_unavailable"


class StorageError(RetiScreenError):
    """Something could not be stored or read back.

    ``reason`` is a short machine-readable tag ("disk_full", "busy", "duplicate",
    "not_found", "corrupt", "wrong_key", "missing_file", "newer_schema", "invalid", "io",
    "identity_mismatch") so that a caller can decide, e.g., to offer "try again" for
    "busy" only.
    """

    exit_code = ExitCode.STORAGE
    message_key = "error.storage"

    def __init__(self, message: str, *, reason: str = "io") -> None:
        super().__init__(message)
        self.reason = reason


class IdentityError(StorageError):
    """The patient ID is on file for someone else: refused, nothing changed."""

    exit_code = ExitCode.USAGE
    message_key = "error.identity"

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="identity_mismatch")


class ConfigurationError(RetiScreenError):
    """The settings file or a setting is unusable."""

    exit_code = ExitCode.USAGE
    message_key = "error.configuration"


class UsageError(RetiScreenError):
    """A command was given arguments it cannot work with."""

    exit_code = ExitCode.USAGE
    message_key = "error.usage"


class PrintingError(RetiScreenError):
    """A report could not be printed (it stays queued)."""

    message_key = "error.printing"


class BackupError(RetiScreenError):
    """A backup or restore could not be done; ``str()`` says why and what to do."""

    message_key = "error.backup"


class IntegrationError(RetiScreenError):
    """A clinic system (PACS, HL7, FHIR, worklist) could not be reached or refused."""

    message_key = "error.integration"
