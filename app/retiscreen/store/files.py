"""Crash-safe file writes, and the one exception type of the records layer.

Why this much ceremony for writing a file: a screening is reported "saved" only after
its photographs and its database row are on disk. A plain ``open().write()`` can leave
a half-written photograph after a power cut, or a zero-length file after a full disk,
and the record would then point at a damaged image. Writing to a temporary file in the
same directory, fsyncing it, renaming it over the target (atomic on POSIX and NTFS) and
fsyncing the directory means a reader sees either the old file or the complete new one,
never a mixture, and the rename itself survives a crash.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from pathlib import Path

from retiscreen.errors import StorageError

TEMP_SUFFIX = ".tmp"
TEMP_PREFIX = "."
__all__ = ["StorageError", "atomic_write"]

_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def os_error_message(exc: OSError, failure: str) -> str:
    """Turn an OSError into a sentence an operator can act on.

    ``failure`` says what did not happen, e.g. "the screening was NOT saved"; it is
    always said explicitly, so nobody assumes the opposite.
    """
    code = exc.errno
    where = f" ({exc.filename})" if exc.filename else ""
    if code in _DISK_FULL:
        return f"The disk is full: {failure}. Free space or call IT."
    if code == errno.EFBIG:
        return f"A file-size limit was reached while writing{where}: {failure}. Call IT."
    if code == errno.EROFS:
        return f"The disk is read-only{where}: {failure}. Call IT."
    if code in {errno.EACCES, errno.EPERM}:
        return f"RetiScreen is not allowed to use the data folder{where}: {failure}. Call IT."
    if code == errno.ENOENT:
        return (
            f"The data folder is missing{where} (was a USB disk or network share "
            f"disconnected?): {failure}. Call IT."
        )
    if code == errno.EIO:
        return f"The disk reported a hardware error{where}: {failure}. Call IT."
    reason = exc.strerror or str(exc)
    return f"The disk could not be used ({reason}){where}: {failure}. Call IT."


def storage_error_from_os(exc: OSError, failure: str) -> StorageError:
    """The StorageError matching an OSError (see :func:`os_error_message`)."""
    reason = "disk_full" if exc.errno in _DISK_FULL else "io"
    return StorageError(os_error_message(exc, failure), reason=reason)


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new entry in ``directory`` durable.

    POSIX only: Windows cannot open a directory for fsync, and NTFS journals its
    metadata, so there it is skipped.
    """
    if os.name == "nt":  # pragma: no cover - exercised on the Windows kiosk build only
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_directory(directory: Path, *, what: str = "the file") -> None:
    """Create ``directory`` (and parents) so that its existence survives a crash.

    Each newly created level is fsynced in its parent, so a file later written into it
    cannot vanish along with a directory entry that never reached the disk.
    """
    missing: list[Path] = []
    current = directory
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    try:
        for level in reversed(missing):
            with contextlib.suppress(FileExistsError):
                level.mkdir()
            fsync_directory(level.parent)
    except OSError as exc:
        raise storage_error_from_os(exc, f"{what} was NOT saved") from exc


def atomic_write(path: Path, data: bytes, *, what: str = "the file") -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one.

    Raises StorageError (never OSError) with an operator-readable message; on any
    failure the temporary file is removed, and an existing ``path`` is left as it was.
    The directory must exist (see :func:`make_directory`).
    """
    path = Path(path)
    directory = path.parent
    temp_name: str | None = None
    try:
        fd, temp_name = tempfile.mkstemp(
            dir=directory, prefix=f"{TEMP_PREFIX}{path.name}.", suffix=TEMP_SUFFIX
        )
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
        temp_name = None
        fsync_directory(directory)
    except OSError as exc:
        raise storage_error_from_os(exc, f"{what} was NOT saved") from exc
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)


def remove_stale_temp_files(directory: Path, *, older_than_s: float = 3600.0) -> list[Path]:
    """Delete temporary files that a killed process left behind under ``directory``.

    Only files matching :func:`atomic_write`'s naming and older than ``older_than_s``
    are removed, so a write in flight in another process is never disturbed.
    """
    removed: list[Path] = []
    if not directory.exists():
        return removed
    cutoff = time.time() - older_than_s
    for candidate in directory.rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        try:
            if candidate.is_file() and candidate.stat().st_mtime < cutoff:
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            continue
    return removed
